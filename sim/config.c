/* config.c - see config.h. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *cfg_path(char *buf, size_t n, const char *path, const char *key)
{
    snprintf(buf, n, "%s%s%s", path, *path ? "." : "", key);
    return buf;
}

const char *cfg_path_index(char *buf, size_t n, const char *path, size_t index)
{
    snprintf(buf, n, "%s[%zu]", path, index);
    return buf;
}

const char *cfg_describe(const json_t *v, char *buf, size_t n)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: snprintf(buf, n, "\"%.40s\"", json_string_value(v)); return buf;
    case JSON_INTEGER: snprintf(buf, n, "%lld", (long long)json_integer_value(v)); return buf;
    case JSON_REAL: snprintf(buf, n, "%g", json_real_value(v)); return buf;
    case JSON_TRUE: return "true";
    case JSON_FALSE: return "false";
    default: return "null";
    }
}

static int read_error(struct hp_error *err, const char *file, const char *what)
{
    return hp_errorf(err, HP_EXIT_USAGE, "%s: %s", file, what);
}

json_t *cfg_load_json(const char *file, struct hp_error *err)
{
    struct stat st;
    if (stat(file, &st) != 0) {
        hp_errorf(err, HP_EXIT_USAGE, "%s: cannot open: %s", file, strerror(errno));
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        read_error(err, file, "is a directory, expected a JSON config file");
        return NULL;
    }
    if (st.st_size == 0) {
        read_error(err, file, "is empty, expected a JSON object");
        return NULL;
    }
    json_error_t je;
    json_t *root = json_load_file(file, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        hp_errorf(err, HP_EXIT_USAGE, "%s:%d:%d: invalid JSON: %s", file, je.line, je.column, je.text);
        return NULL;
    }
    if (!json_is_object(root)) {
        read_error(err, file, "expected a JSON object at the top level");
        json_decref(root);
        return NULL;
    }
    return root;
}

/* Deep-merge src under dst: dst's own values win, objects merge key by key. */
static void merge_defaults(json_t *dst, json_t *src)
{
    const char *k;
    json_t *v;
    json_object_foreach(src, k, v) {
        json_t *mine = json_object_get(dst, k);
        if (!mine)
            json_object_set(dst, k, v);
        else if (json_is_object(mine) && json_is_object(v))
            merge_defaults(mine, v);
    }
}

/* "include": a file name or a list of them, relative to the including file;
 * their fields are defaults under the including file's own (a fitted host
 * profile is included this way). Included files may include others. */
static int apply_includes(json_t *root, const char *file, int depth, struct hp_error *err)
{
    json_t *inc = json_object_get(root, "include");
    if (!inc)
        return 0;
    if (depth > 8)
        return hp_errorf(err, HP_EXIT_USAGE, "%s: include: nested more than 8 deep (a cycle?)", file);
    json_incref(inc);
    json_object_del(root, "include");
    size_t n = json_is_array(inc) ? json_array_size(inc) : 1;
    for (size_t i = 0; i < n; i++) {
        json_t *name = json_is_array(inc) ? json_array_get(inc, i) : inc;
        if (!json_is_string(name)) {
            json_decref(inc);
            return hp_errorf(err, HP_EXIT_USAGE, "%s: include: expected a file name or a list of them", file);
        }
        char path[4096];
        const char *slash = strrchr(file, '/');
        const char *nm = json_string_value(name);
        if (nm[0] == '/' || !slash)
            snprintf(path, sizeof path, "%s", nm);
        else
            snprintf(path, sizeof path, "%.*s/%s", (int)(slash - file), file, nm);
        json_t *sub = cfg_load_json(path, err);
        if (!sub || apply_includes(sub, path, depth + 1, err) != 0) {
            json_decref(sub);
            json_decref(inc);
            return -1;
        }
        merge_defaults(root, sub);
        json_decref(sub);
    }
    json_decref(inc);
    return 0;
}

int cfg_include(json_t *root, const char *file, struct hp_error *err)
{
    json_object_set_new(root, "include", json_string(file));
    return apply_includes(root, "", 0, err);  /* "": file is taken as given */
}

json_t *cfg_load(const char *file, char *const *sets, int nsets, struct hp_error *err)
{
    json_t *root = cfg_load_json(file, err);
    if (!root)
        return NULL;
    if (apply_includes(root, file, 0, err) != 0) {
        json_decref(root);
        return NULL;
    }
    for (int i = 0; i < nsets; i++) {
        if (cfg_set(root, file, sets[i], err) != 0) {
            json_decref(root);
            return NULL;
        }
    }
    return root;
}

/* Split the next path part off *p: a key (up to '.' or '[') or an [index]. */
static int next_part(const char **p, char *key, size_t n, long *index)
{
    const char *s = *p;
    *index = -1;
    key[0] = '\0';
    if (*s == '[') {
        char *end;
        errno = 0;
        long v = strtol(s + 1, &end, 10);
        if (end == s + 1 || *end != ']' || v < 0 || errno)
            return -1;
        *index = v;
        s = end + 1;
    } else {
        size_t len = strcspn(s, ".[");
        if (len == 0 || len >= n)
            return -1;
        memcpy(key, s, len);
        key[len] = '\0';
        s += len;
        /* a purely numeric part indexes an array: vms.0.vcpus */
        char *end;
        long v = strtol(key, &end, 10);
        if (*end == '\0' && v >= 0)
            *index = v;
    }
    if (*s == '.')
        s++;
    *p = s;
    return 0;
}

json_t *cfg_value_json(const char *text)
{
    json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);
    return v ? v : json_string(text);
}

int cfg_set(json_t *root, const char *file, const char *assignment, struct hp_error *err)
{
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment)
        return hp_errorf(err, HP_EXIT_USAGE, "--set '%s': expected PATH=VALUE", assignment);
    char path[256];
    size_t plen = (size_t)(eq - assignment);
    if (plen >= sizeof path)
        return hp_errorf(err, HP_EXIT_USAGE, "--set: path too long");
    memcpy(path, assignment, plen);
    path[plen] = '\0';

    json_t *value = cfg_value_json(eq + 1);

    json_t *cur = root;
    const char *p = path;
    char key[128];
    long index;
    while (*p) {
        if (next_part(&p, key, sizeof key, &index) != 0) {
            json_decref(value);
            return hp_errorf(err, HP_EXIT_USAGE, "--set %s: malformed path", path);
        }
        bool last = *p == '\0';
        json_t *child;
        if (json_is_array(cur)) {
            if (index < 0 || (size_t)index >= json_array_size(cur)) {
                json_decref(value);
                return hp_errorf(err, HP_EXIT_USAGE, "%s: --set %s: no element %ld in the array",
                                 file, path, index);
            }
            if (last)
                return json_array_set_new(cur, (size_t)index, value) == 0 ? 0
                       : hp_errorf(err, HP_EXIT_RUNTIME, "out of memory");
            child = json_array_get(cur, (size_t)index);
        } else if (json_is_object(cur) && key[0] == '\0') {
            /* [n] on something that is not an array (yet): the array's defaults
             * are filled in only when the config loads, so give it whole. */
            json_decref(value);
            return hp_errorf(err, HP_EXIT_USAGE, "%s: --set %s: no array there in the config: "
                             "set the whole array (PATH=[...])", file, path);
        } else if (json_is_object(cur)) {
            if (last)
                return json_object_set_new(cur, key, value) == 0 ? 0
                       : hp_errorf(err, HP_EXIT_RUNTIME, "out of memory");
            child = json_object_get(cur, key);
            if (!child) {
                child = json_object();
                json_object_set_new(cur, key, child);
            }
        } else {
            json_decref(value);
            return hp_errorf(err, HP_EXIT_USAGE, "%s: --set %s: '%s' is inside a value that is not an object or array",
                             file, path, key);
        }
        cur = child;
    }
    json_decref(value);
    return hp_errorf(err, HP_EXIT_USAGE, "--set %s: empty path", path);
}

/* Levenshtein distance, capped; small strings only. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return 99;
    size_t row[64];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t prev = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t cur = row[j];
            size_t sub = prev + (a[i - 1] != b[j - 1]);
            size_t del = row[j] + 1, ins = row[j - 1] + 1;
            row[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
            prev = cur;
        }
    }
    return row[lb];
}

int cfg_check_keys(const struct cfg *c, json_t *obj, const char *path, const char *const *allowed)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        if (key[0] == '_')
            continue;  /* "_comment" and friends: JSON has no comments */
        const char *best = NULL;
        size_t best_d = 99;
        bool ok = false;
        for (const char *const *a = allowed; *a; a++) {
            if (strcmp(*a, key) == 0) {
                ok = true;
                break;
            }
            size_t d = edit_distance(key, *a);
            if (d < best_d) {
                best_d = d;
                best = *a;
            }
        }
        if (ok)
            continue;
        char buf[256];
        cfg_path(buf, sizeof buf, path, key);
        /* A likely typo: a small edit distance, or one name a prefix of the other. */
        for (const char *const *a = allowed; *a && best_d > 2; a++)
            if (strncmp(*a, key, strlen(key)) == 0 || strncmp(*a, key, strlen(*a)) == 0) {
                best = *a;
                best_d = 0;
            }
        if (best && best_d <= 2 + strlen(key) / 6)
            return hp_errorf(c->err, HP_EXIT_USAGE, "%s: %s: unknown key (did you mean \"%s\"?)",
                             c->file, buf, best);
        return hp_errorf(c->err, HP_EXIT_USAGE, "%s: %s: unknown key", c->file, buf);
    }
    return 0;
}

static int type_error(const struct cfg *c, const char *path, const char *key,
                      const char *expected, const json_t *v)
{
    char p[256], d[64];
    return hp_errorf(c->err, HP_EXIT_USAGE, "%s: %s: expected %s, got %s", c->file,
                     cfg_path(p, sizeof p, path, key), expected, cfg_describe(v, d, sizeof d));
}

/* obj.key, or def written there first when absent (the effective config);
 * either way the value then goes through the same checks. Takes def. */
static json_t *value_or_default(json_t *obj, const char *key, json_t *def)
{
    json_t *v = json_object_get(obj, key);
    if (v) {
        json_decref(def);
        return v;
    }
    json_object_set_new(obj, key, def);
    return def;
}

int cfg_int(const struct cfg *c, json_t *obj, const char *path, const char *key,
            int64_t def, int64_t min, int64_t max, int64_t *out)
{
    json_t *v = value_or_default(obj, key, json_integer(def));
    char expected[96];
    if (max == INT64_MAX)
        snprintf(expected, sizeof expected, "an integer >= %lld", (long long)min);
    else
        snprintf(expected, sizeof expected, "an integer in [%lld, %lld]", (long long)min, (long long)max);
    int64_t x;
    if (json_is_integer(v)) {
        x = json_integer_value(v);
    } else if (json_is_real(v)) {
        /* Accept 2e5 for 200000, but not 2.5 or out-of-range reals. */
        double d = json_real_value(v);
        if (!isfinite(d) || d != floor(d) || d < -9.2e18 || d > 9.2e18)
            return type_error(c, path, key, expected, v);
        x = (int64_t)d;
    } else {
        return type_error(c, path, key, expected, v);
    }
    if (x < min || x > max)
        return type_error(c, path, key, expected, v);
    if (json_is_real(v))
        json_object_set_new(obj, key, json_integer(x));   /* the tree shows the integer; frees v */
    *out = x;
    return 0;
}

int cfg_num(const struct cfg *c, json_t *obj, const char *path, const char *key,
            double def, double min, double max, double *out)
{
    json_t *v = value_or_default(obj, key, json_real(def));
    char expected[96];
    snprintf(expected, sizeof expected, "a number in [%g, %g]", min, max);
    if (!json_is_number(v))
        return type_error(c, path, key, expected, v);
    double x = json_number_value(v);
    if (!isfinite(x) || x < min || x > max)
        return type_error(c, path, key, expected, v);
    *out = x;
    return 0;
}

int cfg_bool(const struct cfg *c, json_t *obj, const char *path, const char *key,
             bool def, bool *out)
{
    json_t *v = value_or_default(obj, key, json_boolean(def));
    if (!json_is_boolean(v))
        return type_error(c, path, key, "true or false", v);
    *out = json_is_true(v);
    return 0;
}

int cfg_str(const struct cfg *c, json_t *obj, const char *path, const char *key,
            const char *def, const char **out)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        if (!def) {
            char p[256];
            return hp_errorf(c->err, HP_EXIT_USAGE, "%s: %s: required key is missing", c->file,
                             cfg_path(p, sizeof p, path, key));
        }
        v = value_or_default(obj, key, json_string(def));
    }
    if (!json_is_string(v))
        return type_error(c, path, key, "a string", v);
    *out = json_string_value(v);
    return 0;
}

int cfg_obj(const struct cfg *c, json_t *obj, const char *path, const char *key, json_t **out)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        v = json_object();
        json_object_set_new(obj, key, v);
    }
    if (!json_is_object(v))
        return type_error(c, path, key, "an object", v);
    *out = v;
    return 0;
}
