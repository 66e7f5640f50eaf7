/*
 * sweep.h - the points of a parameter sweep: value forms, the cartesian
 * product, per-point seeds, shards, and the mean/CI of repetitions.
 *
 * A sweep argument is PATH=VALUES, PATH a config path as for --set
 * (policy.halt_poll_ns_grow, vms[0].workload.rate_per_s) and VALUES one of
 *   V1,V2,...        a list, each value applied as --set applies it
 *                    (JSON if it parses, else a string);
 *   LO:HI:STEP       LO, LO+STEP, ... up to HI inclusive (STEP > 0);
 *   LO*FACTOR..HI    LO, LO*FACTOR, LO*FACTOR^2, ... up to HI (LO > 0, FACTOR > 1).
 * Ranges give integers when their bounds (and STEP) are written as integers
 * (geometric values are then rounded, repeats dropped), else decimals.
 *
 * Points are numbered 0..npoints-1 in row-major order: the last argument
 * varies fastest. A point's identity is its index, so seeds and shards
 * derive from the index and never from the worker that runs it.
 */
#ifndef HPSIM_SWEEP_H
#define HPSIM_SWEEP_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"

#define SWEEP_MAX_VALUES 100000      /* per parameter */
#define SWEEP_MAX_POINTS 1000000     /* in the product */
#define SWEEP_MAX_PARAMS 16

struct sweep_param {
    char *path;       /* config path, as for --set */
    char **values;    /* each value's text, as written after '=' in --set */
    int nvalues;
};

struct sweep {
    struct sweep_param params[SWEEP_MAX_PARAMS];
    int nparams;
    int64_t npoints;  /* product of nvalues; 1 with no parameter */
    bool common_seeds; /* every point uses the same seeds (common random numbers) */
};

/* An empty sweep: one point, no parameter. */
void sweep_init(struct sweep *sw);
/* Parse one PATH=VALUES argument and add it as the next (fastest-varying)
 * parameter. Bad forms fill err (HP_EXIT_USAGE) with a line naming arg;
 * sw is unchanged then. */
int sweep_add(struct sweep *sw, const char *arg, struct hp_error *err);
void sweep_free(struct sweep *sw);

/* Index into params[p].values of parameter p at point. */
int sweep_value_index(const struct sweep *sw, int64_t point, int p);
/* Apply point's values to a config tree with cfg_set. */
int sweep_apply(const struct sweep *sw, int64_t point, json_t *root, const char *file,
                struct hp_error *err);

/* The seed of repetition rep at point, from the point's config seed. Always
 * fits a config "seed" (< 2^63). */
uint64_t sweep_seed(uint64_t base, int64_t point, int rep);

/* "K/N" with 1 <= K <= N: shard K holds the points whose index is K-1
 * modulo N (strided, so each shard gets a share of cheap and dear points). */
int sweep_parse_shard(const char *s, int *k, int *n, struct hp_error *err);
bool sweep_in_shard(int64_t point, int k, int n);

/* Combine n >= 1 results of the same shape (rows of repetitions): each
 * number becomes the mean and, in objects, is followed by KEY_ci95, the
 * half-width of its 95% Student-t confidence interval (null when n < 2);
 * arrays are averaged element-wise; booleans are and-ed; strings and other
 * values come from the first. n == 1 returns a copy unchanged. New reference. */
json_t *sweep_aggregate(json_t *const *reps, int n);

/* ---- files (sweep_file.c) ----
 * A point object: {"index", "values": {PATH: value}, "seeds": [one per rep],
 * "rows": [one per policy: {PATH: value, ..., then results_policy_json's
 * keys, aggregated over the reps}]}. The head of every sweep file,
 * {"hpsim_version", "config" (the effective base config), "sweep": {"params":
 * [{"path", "values"}], "policies", "reps", "npoints"}}, is what parts must
 * share to be merged. */

/* A value of parameter p at point as JSON (as cfg_set reads it). New reference. */
json_t *sweep_value_json(const struct sweep *sw, int64_t point, int p);
json_t *sweep_head(const struct sweep *sw, json_t *config, json_t *policies, int reps);
/* rep_rows[r] is the array of policy objects of repetition r. */
json_t *sweep_point(const struct sweep *sw, int64_t point, json_t *const *rep_rows,
                    const uint64_t *seeds, int reps);
/* A whole sweep's result from its points (every index, in order): JSON when
 * path ends in .json (head, points without rows, then "rows"), else CSV of
 * the rows; path NULL writes CSV to stdout. Files are written atomically. */
int sweep_write_result(const char *path, json_t *head, json_t *points, struct hp_error *err);
/* A part file: head, "shard": "K/N", and the shard's point objects, with
 * every double written exactly so that a merge reproduces a single run. */
int sweep_write_part(const char *path, json_t *head, int k, int n, json_t *points,
                     struct hp_error *err);
/* Check that the nparts files are the N shards of one sweep, each complete,
 * and return its head and points in index order (new references). */
int sweep_merge(char *const *paths, int nparts, json_t **head, json_t **points,
                struct hp_error *err);

#endif
