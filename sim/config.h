/*
 * config.h - loading a JSON config and reading its fields with checks.
 *
 * Every getter names the file and the JSON path in its error, checks type and
 * range where the config loads (not where the value is used), and writes the
 * default back into the tree when the key is absent: after loading, the tree
 * *is* the effective config that results files echo.
 */
#ifndef HPSIM_CONFIG_H
#define HPSIM_CONFIG_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"

struct cfg {
    const char *file;      /* for messages */
    struct hp_error *err;
};

/* Read FILE as a JSON object (duplicate keys rejected), then apply each
 * "dotted.path=value" in sets (value parsed as JSON, else taken as a string;
 * path parts may be object keys or array indexes: vms.0.vcpus or vms[0].vcpus).
 * Returns the new tree or NULL with err filled. */
json_t *cfg_load(const char *file, char *const *sets, int nsets, struct hp_error *err);

/* Take file's fields (and its own includes) as defaults under root's, as a
 * config's "include" does; file is a path as given (not relative to root's
 * file). 0, or -1 with err naming the file. */
int cfg_include(json_t *root, const char *file, struct hp_error *err);
/* Read one JSON object file (duplicate keys rejected) with cfg_load's errors:
 * cannot open, a directory, empty, FILE:LINE:COL invalid JSON, not an object.
 * For every JSON file hpsim reads (configs, sweep parts, recording.json). */
json_t *cfg_load_json(const char *file, struct hp_error *err);

/* A --set or sweep VALUE: its JSON if it parses as JSON, else the string. */
json_t *cfg_value_json(const char *text);

/* Apply one "path=value" to a tree (used by cfg_load and by sweeps). */
int cfg_set(json_t *root, const char *file, const char *assignment, struct hp_error *err);

/* Fail on any key of obj not in the NULL-terminated list allowed, suggesting
 * the nearest allowed key when it is a likely typo. Keys starting with '_'
 * are comments and always allowed. */
int cfg_check_keys(const struct cfg *c, json_t *obj, const char *path, const char *const *allowed);

/* Getters: key in obj at path. Absent -> default written back. */
int cfg_int(const struct cfg *c, json_t *obj, const char *path, const char *key,
            int64_t def, int64_t min, int64_t max, int64_t *out);
int cfg_num(const struct cfg *c, json_t *obj, const char *path, const char *key,
            double def, double min, double max, double *out);
int cfg_bool(const struct cfg *c, json_t *obj, const char *path, const char *key,
             bool def, bool *out);
/* def NULL: the key is required. *out points into the tree. */
int cfg_str(const struct cfg *c, json_t *obj, const char *path, const char *key,
            const char *def, const char **out);
/* An object member; absent -> a new empty object is inserted (so its defaults
 * get filled in). */
int cfg_obj(const struct cfg *c, json_t *obj, const char *path, const char *key, json_t **out);

/* Join a path and a key ("a.b" + "c" -> "a.b.c"; "" + "c" -> "c") into buf. */
const char *cfg_path(char *buf, size_t n, const char *path, const char *key);
const char *cfg_path_index(char *buf, size_t n, const char *path, size_t index);

/* A short description of a JSON value for messages ("a string", "3.5", ...). */
const char *cfg_describe(const json_t *v, char *buf, size_t n);

#endif
