/* dist.c - see dist.h. Parameters a, b per kind:
 *   constant (value, -)  exponential (mean, -)  uniform (min, max)
 *   normal (mean, sd)    lognormal (ln median, sigma)  gamma (shape, scale)
 *   weibull (scale, shape)  pareto (alpha, min)  empirical (-, -; see emp) */
/* gsl_rng_uniform inline (one indirect call a uniform instead of two). */
#define HAVE_INLINE 1

#include "dist.h"

#include <assert.h>
#include <errno.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = {
    "constant", "exponential", "uniform", "normal", "lognormal", "gamma", "weibull", "pareto",
    "empirical", NULL,
};

/* An empirical distribution: bins [lo, hi) (lo == hi: a point mass) with
 * weights, and GSL's alias table to pick a bin in O(1). */
struct dist_table {
    size_t n, cap;
    double *lo, *hi, *w;
    double total;
    gsl_ran_discrete_t *pick;
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
                     "uniform, normal, lognormal, gamma, weibull, pareto or empirical)", c->file, path, name);
}

#define NS_MAX 3600000000000LL /* one hour: longer single durations are a config mistake */
#define EMP_MAX_BINS 1000000

static void table_free(struct dist_table *t)
{
    if (!t)
        return;
    if (t->pick)
        gsl_ran_discrete_free(t->pick);
    free(t->lo);
    free(t->hi);
    free(t->w);
    free(t);
}

static int table_add(struct dist_table *t, double lo, double hi, double w)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        double *a = realloc(t->lo, cap * sizeof *a);
        if (a)
            t->lo = a;
        double *b = a ? realloc(t->hi, cap * sizeof *b) : NULL;
        if (b)
            t->hi = b;
        double *c = b ? realloc(t->w, cap * sizeof *c) : NULL;
        if (!c)
            return -1;
        t->w = c;
        t->cap = cap;
    }
    t->lo[t->n] = lo;
    t->hi[t->n] = hi;
    t->w[t->n] = w;
    t->n++;
    t->total += w;
    return 0;
}

/* The histogram file named in a config: relative paths are taken from the
 * config file's directory, so a config and its data move together. */
static void resolve_path(char *buf, size_t n, const char *cfg_file, const char *rel)
{
    const char *slash = strrchr(cfg_file, '/');
    if (rel[0] == '/' || !slash)
        snprintf(buf, n, "%s", rel);
    else
        snprintf(buf, n, "%.*s/%s", (int)(slash - cfg_file), cfg_file, rel);
}

/* Split one line (comment removed) into up to 4 numbers; returns how many,
 * or -1 if a token is not a finite number. */
static int split_numbers(char *line, double *x)
{
    int k = 0;
    char *save = NULL;
    for (char *tok = strtok_r(line, " \t\r\n,", &save); tok; tok = strtok_r(NULL, " \t\r\n,", &save)) {
        char *end;
        errno = 0;
        double v = strtod(tok, &end);
        if (end == tok || *end || errno || !isfinite(v) || k == 4)
            return -1;
        x[k++] = v;
    }
    return k;
}

/* Check and store one bin read from file:line. */
static int read_bin(const struct cfg *c, const char *file, int line, char *text, struct dist_table *t)
{
    double x[4];
    int k = split_numbers(text, x);
    if (k == 0)
        return 0;
    if (k != 2 && k != 3)
        return hp_errorf(c->err, HP_EXIT_USAGE,
                         "%s:%d: expected \"LOWER_NS UPPER_NS WEIGHT\" or \"VALUE_NS WEIGHT\" (numbers)", file, line);
    double lo = x[0], hi = k == 3 ? x[1] : x[0], w = x[k - 1];
    if (lo < 0 || hi > (double)NS_MAX)
        return hp_errorf(c->err, HP_EXIT_USAGE, "%s:%d: durations must lie in [0, %lld] ns", file, line,
                         (long long)NS_MAX);
    if (hi < lo)
        return hp_errorf(c->err, HP_EXIT_USAGE, "%s:%d: upper bound %g is below lower bound %g", file, line, hi, lo);
    if (w < 0)
        return hp_errorf(c->err, HP_EXIT_USAGE, "%s:%d: weight %g is negative", file, line, w);
    if (t->n == EMP_MAX_BINS)
        return hp_errorf(c->err, HP_EXIT_USAGE, "%s:%d: more than %d bins", file, line, EMP_MAX_BINS);
    if (table_add(t, lo, hi, w))
        return hp_errorf(c->err, HP_EXIT_RUNTIME, "out of memory reading %s", file);
    return 0;
}

static int read_table(const struct cfg *c, const char *file, const char *p, struct dist_table *t)
{
    FILE *f = fopen(file, "r");
    if (!f)
        return hp_errorf(c->err, HP_EXIT_USAGE, "%s: %s.file: cannot open histogram %s: %s", c->file, p, file,
                         strerror(errno));
    char *buf = NULL;
    size_t cap = 0;
    int line = 0, rc = 0;
    while (rc == 0 && getline(&buf, &cap, f) >= 0) {
        line++;
        buf[strcspn(buf, "#")] = '\0';
        rc = read_bin(c, file, line, buf, t);
    }
    if (rc == 0 && ferror(f))
        rc = hp_errorf(c->err, HP_EXIT_USAGE, "%s: read error: %s", file, strerror(errno));
    free(buf);
    fclose(f);
    if (rc == 0 && !(t->total > 0))
        rc = hp_errorf(c->err, HP_EXIT_USAGE, "%s: no bin with a positive weight", file);
    return rc;
}

static int parse_empirical(const struct cfg *c, json_t *o, const char *p, struct dist *d)
{
    static const char *const keys[] = {"dist", "file", NULL};
    const char *rel;
    char file[4096];
    if (cfg_check_keys(c, o, p, keys) || cfg_str(c, o, p, "file", NULL, &rel))
        return -1;
    resolve_path(file, sizeof file, c->file, rel);
    struct dist_table *t = calloc(1, sizeof *t);
    if (!t)
        return hp_errorf(c->err, HP_EXIT_RUNTIME, "out of memory");
    if (read_table(c, file, p, t)) {
        table_free(t);
        return -1;
    }
    t->pick = gsl_ran_discrete_preproc(t->n, t->w);
    if (!t->pick) {
        table_free(t);
        return hp_errorf(c->err, HP_EXIT_RUNTIME, "out of memory");
    }
    d->emp = t;
    return 0;
}

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
    case DIST_EMPIRICAL:
        return parse_empirical(c, o, p, d);
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

int dist_parse_or(const struct cfg *c, json_t *obj, const char *path, const char *key,
                  const char *def_json, struct dist *out)
{
    if (!json_object_get(obj, key)) {
        json_t *d = json_loads(def_json, JSON_DECODE_ANY, NULL);
        assert(d);   /* defaults are written in the code */
        json_object_set_new(obj, key, d);
    }
    return dist_parse(c, obj, path, key, 0, out);
}

/* A lognormal is exp of a normal; the normal comes from GSL's ziggurat
 * (Marsaglia and Tsang) rather than the polar method gsl_ran_lognormal uses:
 * one uniform and a table lookup on 98% of draws instead of 2.55 uniforms, a
 * log, a sqrt and a division. Measured alone on this box a draw fell from
 * 43-62 ns to 24 ns; tcp_rr makes three per halt (docs/performance.md). */
static inline double lognormal(gsl_rng *r, double zeta, double sigma)
{
    return exp(zeta + gsl_ran_gaussian_ziggurat(r, sigma));
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
    case DIST_LOGNORMAL: return lognormal(r, d->a, d->b);
    case DIST_GAMMA: return gsl_ran_gamma(r, d->a, d->b);
    case DIST_WEIBULL: return gsl_ran_weibull(r, d->a, d->b);
    case DIST_PARETO: return gsl_ran_pareto(r, d->a, d->b);
    case DIST_EMPIRICAL: {
        size_t i = gsl_ran_discrete(r, d->emp->pick);
        return d->emp->lo[i] + (d->emp->hi[i] - d->emp->lo[i]) * gsl_rng_uniform(r);
    }
    }
    return 0;
}

void dist_free(struct dist *d)
{
    if (d->kind == DIST_EMPIRICAL)
        table_free(d->emp);
    d->emp = NULL;
}

int dist_bin(const struct dist *d, size_t i, double *lo, double *hi, double *share)
{
    if (d->kind != DIST_EMPIRICAL || i >= d->emp->n)
        return -1;
    *lo = d->emp->lo[i];
    *hi = d->emp->hi[i];
    *share = d->emp->w[i] / d->emp->total;
    return 0;
}

/* Moment k (1 or 2) of the bins, each uniform on [lo, hi). */
static double emp_moment(const struct dist_table *t, int k)
{
    double s = 0;
    for (size_t i = 0; i < t->n; i++) {
        double lo = t->lo[i], hi = t->hi[i];
        s += t->w[i] * (k == 1 ? (lo + hi) / 2 : (lo * lo + lo * hi + hi * hi) / 3);
    }
    return s / t->total;
}

/* Without the libm call: for 0 <= x < 2^52, x - trunc(x) is exact, so
 * comparing it with 0.5 rounds halves away from zero as llround does. */
int64_t dist_round_ns(double x)
{
    int64_t i = (int64_t)x;
    return i + (x - (double)i >= 0.5);
}

int64_t dist_sample(const struct dist *d, gsl_rng *r)
{
    double x = draw(d, r);
    if (!(x >= 0))
        return 0;
    if (x > (double)NS_MAX)
        return NS_MAX;  /* heavy tails: cap a single draw at an hour */
    return dist_round_ns(x);
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
    case DIST_EMPIRICAL: return emp_moment(d->emp, 1);
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
    case DIST_EMPIRICAL: {
        double m = emp_moment(d->emp, 1);
        return emp_moment(d->emp, 2) - m * m;
    }
    }
    return 0;
}
