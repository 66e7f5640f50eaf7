/* dist.c - see dist.h. Parameters a, b per kind:
 *   constant (value, -)  exponential (mean, -)  uniform (min, max)
 *   normal (mean, sd)    lognormal (ln median, sigma)  gamma (shape, scale)
 *   weibull (scale, shape)  pareto (alpha, min) */
#include "dist.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <string.h>

static const char *const kind_names[] = {
    "constant", "exponential", "uniform", "normal", "lognormal", "gamma", "weibull", "pareto", NULL,
};

static int parse_kind(const struct cfg *c, const char *path, const char *name, enum dist_kind *k)
{
    for (int i = 0; kind_names[i]; i++)
        if (strcmp(kind_names[i], name) == 0) {
            *k = (enum dist_kind)i;
            return 0;
        }
    return hp_errorf(c->err, HP_EXIT_USAGE,
                     "%s: %s.dist: unknown distribution \"%s\" (expected constant, exponential, "
                     "uniform, normal, lognormal, gamma, weibull or pareto)", c->file, path, name);
}

#define NS_MAX 3600000000000LL /* one hour: longer single durations are a config mistake */

static int parse_params(const struct cfg *c, json_t *o, const char *p, struct dist *d)
{
    int64_t x, y;
    double s;
    static const char *const k_const[] = {"dist", "value_ns", NULL};
    static const char *const k_exp[] = {"dist", "mean_ns", NULL};
    static const char *const k_unif[] = {"dist", "min_ns", "max_ns", NULL};
    static const char *const k_norm[] = {"dist", "mean_ns", "sd_ns", NULL};
    static const char *const k_logn[] = {"dist", "median_ns", "sigma", NULL};
    static const char *const k_gamma[] = {"dist", "mean_ns", "shape", NULL};
    static const char *const k_weib[] = {"dist", "scale_ns", "shape", NULL};
    static const char *const k_par[] = {"dist", "min_ns", "alpha", NULL};
    switch (d->kind) {
    case DIST_CONSTANT:
        if (cfg_check_keys(c, o, p, k_const) || cfg_int(c, o, p, "value_ns", 0, 0, NS_MAX, &x))
            return -1;
        d->a = (double)x;
        return 0;
    case DIST_EXPONENTIAL:
        if (cfg_check_keys(c, o, p, k_exp) || cfg_int(c, o, p, "mean_ns", 1000, 1, NS_MAX, &x))
            return -1;
        d->a = (double)x;
        return 0;
    case DIST_UNIFORM:
        if (cfg_check_keys(c, o, p, k_unif) || cfg_int(c, o, p, "min_ns", 0, 0, NS_MAX, &x) ||
            cfg_int(c, o, p, "max_ns", x, x, NS_MAX, &y))
            return -1;
        d->a = (double)x;
        d->b = (double)y;
        return 0;
    case DIST_NORMAL:
        if (cfg_check_keys(c, o, p, k_norm) || cfg_int(c, o, p, "mean_ns", 1000, 0, NS_MAX, &x) ||
            cfg_int(c, o, p, "sd_ns", 0, 0, NS_MAX, &y))
            return -1;
        d->a = (double)x;
        d->b = (double)y;
        return 0;
    case DIST_LOGNORMAL:
        if (cfg_check_keys(c, o, p, k_logn) || cfg_int(c, o, p, "median_ns", 1000, 1, NS_MAX, &x) ||
            cfg_num(c, o, p, "sigma", 0.5, 0.0, 5.0, &s))
            return -1;
        d->a = log((double)x);
        d->b = s;
        return 0;
    case DIST_GAMMA:
        if (cfg_check_keys(c, o, p, k_gamma) || cfg_int(c, o, p, "mean_ns", 1000, 1, NS_MAX, &x) ||
            cfg_num(c, o, p, "shape", 1.0, 1e-3, 1e6, &s))
            return -1;
        d->a = s;
        d->b = (double)x / s;
        return 0;
    case DIST_WEIBULL:
        if (cfg_check_keys(c, o, p, k_weib) || cfg_int(c, o, p, "scale_ns", 1000, 1, NS_MAX, &x) ||
            cfg_num(c, o, p, "shape", 1.0, 1e-2, 1e3, &s))
            return -1;
        d->a = (double)x;
        d->b = s;
        return 0;
    case DIST_PARETO:
        if (cfg_check_keys(c, o, p, k_par) || cfg_int(c, o, p, "min_ns", 1000, 1, NS_MAX, &x) ||
            cfg_num(c, o, p, "alpha", 2.0, 0.05, 1e3, &s))
            return -1;
        d->a = s;
        d->b = (double)x;
        return 0;
    }
    return -1;
}

int dist_parse(const struct cfg *c, json_t *obj, const char *path, const char *key,
               int64_t def_ns, struct dist *out)
{
    char p[256], d[64];
    cfg_path(p, sizeof p, path, key);
    memset(out, 0, sizeof *out);
    json_t *v = json_object_get(obj, key);
    if (!v) {
        v = json_pack("{s:s, s:I}", "dist", "constant", "value_ns", (json_int_t)def_ns);
        json_object_set_new(obj, key, v);
    }
    if (json_is_integer(v)) {
        json_int_t n = json_integer_value(v);
        if (n < 0 || n > NS_MAX)
            return hp_errorf(c->err, HP_EXIT_USAGE, "%s: %s: expected a duration in ns in [0, %lld], got %lld",
                             c->file, p, (long long)NS_MAX, (long long)n);
        /* Expand the shorthand so the effective config shows the full form. */
        v = json_pack("{s:s, s:I}", "dist", "constant", "value_ns", n);
        json_object_set_new(obj, key, v);
    }
    if (!json_is_object(v))
        return hp_errorf(c->err, HP_EXIT_USAGE,
                         "%s: %s: expected a distribution object {\"dist\": ...} or an integer ns, got %s",
                         c->file, p, cfg_describe(v, d, sizeof d));
    const char *name;
    if (cfg_str(c, v, p, "dist", NULL, &name) || parse_kind(c, p, name, &out->kind))
        return -1;
    return parse_params(c, v, p, out);
}

static double draw(const struct dist *d, gsl_rng *r)
{
    switch (d->kind) {
    case DIST_CONSTANT: return d->a;
    case DIST_EXPONENTIAL: return gsl_ran_exponential(r, d->a);
    case DIST_UNIFORM: return gsl_ran_flat(r, d->a, d->b);
    case DIST_NORMAL: {
        for (int i = 0; i < 64; i++) {
            double x = d->a + gsl_ran_gaussian_ziggurat(r, d->b);
            if (x >= 0)
                return x;
        }
        return 0;
    }
    case DIST_LOGNORMAL: return gsl_ran_lognormal(r, d->a, d->b);
    case DIST_GAMMA: return gsl_ran_gamma(r, d->a, d->b);
    case DIST_WEIBULL: return gsl_ran_weibull(r, d->a, d->b);
    case DIST_PARETO: return gsl_ran_pareto(r, d->a, d->b);
    }
    return 0;
}

int64_t dist_sample(const struct dist *d, gsl_rng *r)
{
    double x = draw(d, r);
    if (!(x >= 0))
        return 0;
    if (x > (double)NS_MAX)
        return NS_MAX;  /* heavy tails: cap a single draw at an hour */
    return (int64_t)llround(x);
}

double dist_mean(const struct dist *d)
{
    switch (d->kind) {
    case DIST_CONSTANT: case DIST_EXPONENTIAL: return d->a;
    case DIST_UNIFORM: return (d->a + d->b) / 2;
    case DIST_NORMAL: return d->a;   /* before truncation */
    case DIST_LOGNORMAL: return exp(d->a + d->b * d->b / 2);
    case DIST_GAMMA: return d->a * d->b;
    case DIST_WEIBULL: return d->a * tgamma(1 + 1 / d->b);
    case DIST_PARETO: return d->a > 1 ? d->a * d->b / (d->a - 1) : INFINITY;
    }
    return 0;
}

double dist_variance(const struct dist *d)
{
    switch (d->kind) {
    case DIST_CONSTANT: return 0;
    case DIST_EXPONENTIAL: return d->a * d->a;
    case DIST_UNIFORM: return (d->b - d->a) * (d->b - d->a) / 12;
    case DIST_NORMAL: return d->b * d->b;
    case DIST_LOGNORMAL: return (exp(d->b * d->b) - 1) * exp(2 * d->a + d->b * d->b);
    case DIST_GAMMA: return d->a * d->b * d->b;
    case DIST_WEIBULL: {
        double g1 = tgamma(1 + 1 / d->b), g2 = tgamma(1 + 2 / d->b);
        return d->a * d->a * (g2 - g1 * g1);
    }
    case DIST_PARETO:
        return d->a > 2 ? d->b * d->b * d->a / ((d->a - 1) * (d->a - 1) * (d->a - 2)) : INFINITY;
    }
    return 0;
}
