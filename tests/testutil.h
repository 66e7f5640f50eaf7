/*
 * testutil.h - shared helpers for hpsim's cmocka tests: build a run
 * specification from a JSON string and run one policy on it.
 */
#ifndef HPSIM_TESTUTIL_H
#define HPSIM_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "results.h"
#include "sim.h"

/* Load a spec from JSON text; fails the test with the error on bad input. */
static inline void tu_spec(struct sim_spec *spec, const char *json)
{
    json_error_t je;
    json_t *root = json_loads(json, 0, &je);
    if (!root)
        fail_msg("test JSON invalid at %d:%d: %s", je.line, je.column, je.text);
    struct hp_error err = {0};
    if (sim_spec_load(root, "test.json", NULL, spec, &err) != 0)
        fail_msg("spec: %s", err.msg);
}

/* Run spec's policy number i; returns heap metrics the caller frees. */
static inline struct metrics *tu_run(const struct sim_spec *spec, int i)
{
    struct metrics *m = malloc(sizeof *m);
    struct hp_error err = {0};
    assert_non_null(m);
    if (sim_run(spec, &spec->policies[i], NULL, m, &err) != 0)
        fail_msg("run: %s", err.msg);
    return m;
}

/* Expect loading json to fail with an error containing each of the given
 * substrings (NULL-terminated). */
static inline void tu_expect_error(const char *json, ...)
{
    json_t *root = json_loads(json, 0, NULL);
    assert_non_null(root);
    struct hp_error err = {0};
    struct sim_spec spec;
    int rc = sim_spec_load(root, "bad.json", NULL, &spec, &err);
    sim_spec_free(&spec);
    if (rc == 0)
        fail_msg("expected an error for: %s", json);
    assert_int_equal(err.code, HP_EXIT_USAGE);
    va_list ap;
    va_start(ap, json);
    for (const char *s = va_arg(ap, const char *); s; s = va_arg(ap, const char *))
        if (!strstr(err.msg, s))
            fail_msg("error \"%s\" lacks \"%s\"", err.msg, s);
    va_end(ap);
}

#endif
