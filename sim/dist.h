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
 * A bare integer N is shorthand for {"dist":"constant","value_ns":N}.
 * Samples are rounded to integer ns and never negative.
 */
#ifndef HPSIM_DIST_H
#define HPSIM_DIST_H

#include <gsl/gsl_rng.h>
#include <jansson.h>
#include <stdint.h>

#include "config.h"

enum dist_kind {
    DIST_CONSTANT, DIST_EXPONENTIAL, DIST_UNIFORM, DIST_NORMAL,
    DIST_LOGNORMAL, DIST_GAMMA, DIST_WEIBULL, DIST_PARETO,
};

struct dist {
    enum dist_kind kind;
    double a, b;          /* the two parameters, meaning per kind (see dist.c) */
};

/* Parse key of obj at path; def_ns is used (as a constant) when key is absent. */
int dist_parse(const struct cfg *c, json_t *obj, const char *path, const char *key,
               int64_t def_ns, struct dist *out);
int64_t dist_sample(const struct dist *d, gsl_rng *r);
double dist_mean(const struct dist *d);       /* analytic mean, ns (INFINITY if none) */
double dist_variance(const struct dist *d);   /* analytic variance, ns^2 (INFINITY if none) */

#endif
