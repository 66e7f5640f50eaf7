/* capdir.c - a recorded capture's directory. See capdir.h. */
#include "capdir.h"
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *const capdir_param_names[CAPDIR_NPARAMS] = {
    "halt_poll_ns", "halt_poll_ns_grow", "halt_poll_ns_grow_start", "halt_poll_ns_shrink",
};

/* dir/name into buf; -1 when it does not fit. */
static int join(char *buf, size_t n, const char *dir, const char *name)
{
    int len = snprintf(buf, n, "%s/%s", dir, name);

    return len < 0 || (size_t)len >= n ? -1 : 0;
}

/* Load dir/name (its path into path[4096]) if it exists: *out NULL when absent. */
static int load_beside(const char *dir, const char *name, char *path, json_t **out,
                       struct hp_error *err)
{
    struct stat st;

    *out = NULL;
    if (join(path, 4096, dir, name) != 0 || stat(path, &st) != 0)
        return 0;
    *out = cfg_load_json(path, err);
    return *out ? 0 : -1;
}

/* An optional number at o.key (o.key.sub when sub): *v, or unchanged when
 * absent or null; a value of another type is an error naming file and path. */
static int opt_number(json_t *o, const char *key, const char *sub, const char *file,
                      double *v, struct hp_error *err)
{
    json_t *x = json_object_get(o, key);

    if (sub && json_is_object(x))
        x = json_object_get(x, sub);
    else if (sub)
        x = NULL;
    if (!x || json_is_null(x))
        return 0;
    if (!json_is_number(x))
        return hp_errorf(err, HP_EXIT_USAGE, "%s: %s%s%s: expected a number", file, key,
                         sub ? "." : "", sub ? sub : "");
    *v = json_number_value(x);
    if (fabs(*v) > 1e18)   /* no count or time here comes near; and a cast beyond int64 is undefined */
        return hp_errorf(err, HP_EXIT_USAGE, "%s: %s%s%s: expected a number up to 1e18 in size, got %g",
                         file, key, sub ? "." : "", sub ? sub : "", *v);
    return 0;
}

static int read_recording(const char *dir, struct capdir *c, struct hp_error *err)
{
    char path[4096];
    json_t *r, *k;
    double max = -1;
    int rc;

    if (load_beside(dir, "recording.json", path, &r, err) != 0)
        return -1;
    if (!r)
        return 0;
    k = json_object_get(r, "kernel_release");
    if (json_is_string(k))
        snprintf(c->kernel, sizeof c->kernel, "%s", json_string_value(k));
    rc = opt_number(r, "effective_max_halt_poll_ns", NULL, path, &max, err);
    c->vm_max_ns = max >= 0 ? (int64_t)max : -1;
    for (int i = 0; i < CAPDIR_NPARAMS && rc == 0; i++) {
        double v = -1;
        rc = opt_number(r, "module_parameters", capdir_param_names[i], path, &v, err);
        c->module_param[i] = v >= 0 ? (int64_t)v : -1;
    }
    json_decref(r);
    return rc;
}

static int read_probe(const char *dir, struct capdir *c, struct hp_error *err)
{
    char path[4096];
    json_t *p;
    double n = 0;
    int rc;

    if (load_beside(dir, "probe.json", path, &p, err) != 0)
        return -1;
    if (!p)
        return 0;
    rc = opt_number(p, "latency_us", "p50", path, &c->resp_p50_us, err);
    if (rc == 0)
        rc = opt_number(p, "latency_us", "n", path, &n, err);
    c->resp_n = (int64_t)n;
    json_decref(p);
    return rc;
}

/* The last path component of s (without trailing slashes) into buf. */
static void base_name(char *buf, size_t n, const char *s)
{
    size_t len = strlen(s);
    const char *b;

    while (len > 1 && s[len - 1] == '/')
        len--;
    b = s + len;
    while (b > s && b[-1] != '/')
        b--;
    snprintf(buf, n, "%.*s", (int)(s + len - b), b);
}

/* c->set: the canonical parent of dir when the scenario is named after dir,
 * else dir itself (a lone trace file named after itself). */
static void set_of(struct capdir *c, const char *dir, bool named_by_dir)
{
    char up[4096 + 4];

    snprintf(up, sizeof up, "%s%s", dir, named_by_dir ? "/.." : "");
    if (!realpath(up, c->set))
        snprintf(c->set, sizeof c->set, "%.4095s", up);
}

int capdir_open(const char *arg, struct capdir *c, struct hp_error *err)
{
    char dir[4096];
    struct stat st;
    const char *slash = NULL;

    memset(c, 0, sizeof *c);
    c->vm_max_ns = -1;
    for (int i = 0; i < CAPDIR_NPARAMS; i++)
        c->module_param[i] = -1;
    c->resp_p50_us = -1;
    if (stat(arg, &st) != 0)
        return hp_errorf(err, HP_EXIT_USAGE, "%s: cannot open: %s", arg, strerror(errno));
    bool is_dir = S_ISDIR(st.st_mode);
    if (is_dir) {
        snprintf(dir, sizeof dir, "%s", arg);
        if (join(c->trace, sizeof c->trace, arg, "trace.dat") != 0 || stat(c->trace, &st) != 0)
            return hp_errorf(err, HP_EXIT_USAGE, "%s: a directory without trace.dat (expected "
                             "what scripts/record.sh writes, or a trace file)", arg);
        base_name(c->name, sizeof c->name, arg);
    } else {
        snprintf(c->trace, sizeof c->trace, "%s", arg);
        slash = strrchr(arg, '/');
        snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - arg) : 1, slash ? arg : ".");
        base_name(c->name, sizeof c->name, strcmp(dir, ".") && slash ? dir : arg);
    }
    set_of(c, dir, is_dir || (strcmp(dir, ".") && slash));
    return read_recording(dir, c, err) != 0 || read_probe(dir, c, err) != 0 ? -1 : 0;
}
