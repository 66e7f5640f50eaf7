/*
 * dist.h - random durations (ns) drawn from GSL distributions named in a config.
 *
 * A distribution is a JSON object {"dist": NAME, ...parameters in ns...}:
 *   constant    value_ns
 *   exponential mean_ns
 *   uniform     min_ns, max_ns
 *   normal      mean_ns, sd_ns            (truncated at 0 by redrawing)
 *   lognormal   median_ns, sigma          (ln X ~ N(ln median, sigma^2))
 *   gamma       mean_ns, shape
 *   weibull     scale_ns, shape
 *   pareto      min_ns, alpha             (alpha > 1 for a finite mean)
 *   empirical   file                      (a histogram file, see below)
 * A bare integer N is shorthand for {"dist":"constant","value_ns":N}.
 * Samples are rounded to integer ns and never negative.
 *
 * An empirical distribution reads a histogram file, its path relative to the
 * config file's directory. One bin per line, '#' starts a comment:
 *   LOWER_NS UPPER_NS WEIGHT    a bin [LOWER, UPPER), drawn uniformly within
 *   VALUE_NS WEIGHT             a point mass
 * Weights are non-negative numbers (counts or shares), at least one > 0. A bin
 * is picked with probability weight / total (GSL's alias-method table), then a
 * value inside it: the result's histogram matches the file's.
 */
#ifndef HPSIM_DIST_H
#define HPSIM_DIST_H

#include <gsl/gsl_rng.h>
#include <jansson.h>
#include <stdint.h>

#include "config.h"

enum dist_kind {
    DIST_CONSTANT, DIST_EXPONENTIAL, DIST_UNIFORM, DIST_NORMAL,
    DIST_LOGNORMAL, DIST_GAMMA, DIST_WEIBULL, DIST_PARETO, DIST_EMPIRICAL,
};

struct dist_table;

struct dist {
    enum dist_kind kind;
    double a, b;          /* the two parameters, meaning per kind (see dist.c) */
    struct dist_table *emp;  /* empirical only: owned, freed by dist_free */
};

/* Parse key of obj at path; def_ns is used (as a constant) when key is absent. */
int dist_parse(const struct cfg *c, json_t *obj, const char *path, const char *key,
               int64_t def_ns, struct dist *out);
/* Same, with a default given as distribution JSON text (written back into
 * obj when key is absent), for defaults that are not constants. */
int dist_parse_or(const struct cfg *c, json_t *obj, const char *path, const char *key,
                  const char *def_json, struct dist *out);
/* Release what dist_parse allocated (empirical tables); safe on any parsed or
 * zeroed dist, and twice. */
void dist_free(struct dist *d);
int64_t dist_sample(const struct dist *d, gsl_rng *r);
/* dist_sample for a gap between events: a drawn 0 becomes 1 ns, since gaps
 * of 0 ns would stall time. */
static inline int64_t dist_sample_gap(const struct dist *d, gsl_rng *r)
{
    int64_t g = dist_sample(d, r);
    return g > 0 ? g : 1;
}
/* llround(x) for 0 <= x <= NS_MAX (one hour in ns), a third of its cost. */
int64_t dist_round_ns(double x);
/* Empirical only: bin i's bounds and share of the total weight; -1 past the
 * last bin or for other kinds. */
int dist_bin(const struct dist *d, size_t i, double *lo, double *hi, double *share);
double dist_mean(const struct dist *d);       /* analytic mean, ns (INFINITY if none) */
double dist_variance(const struct dist *d);   /* analytic variance, ns^2 (INFINITY if none) */

#endif
