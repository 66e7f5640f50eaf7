/* sweep.c - see sweep.h. */
#include "sweep.h"

#include <ctype.h>
#include <errno.h>
#include <gsl/gsl_cdf.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "rng.h"

/* A list of value texts being built. */
struct vals {
    char **v;
    int n, cap;
};

static void vals_free(struct vals *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

static int vals_push(struct vals *l, const char *text, size_t len)
{
    if (l->n == l->cap) {
        int cap = l->cap ? 2 * l->cap : 8;
        char **v = realloc(l->v, (size_t)cap * sizeof *v);
        if (!v)
            return -1;
        l->v = v;
        l->cap = cap;
    }
    if (!(l->v[l->n] = strndup(text, len)))
        return -1;
    l->n++;
    return 0;
}

static int vals_pushf(struct vals *l, const char *fmt, double d, int64_t i, bool integer)
{
    char buf[64];
    if (integer)
        snprintf(buf, sizeof buf, "%" PRId64, i);
    else
        snprintf(buf, sizeof buf, fmt, d);
    /* Geometric integer values may round to the previous one: keep each once. */
    if (l->n && strcmp(l->v[l->n - 1], buf) == 0)
        return 0;
    return vals_push(l, buf, strlen(buf));
}

/* A whole string as a finite number; *integer tells whether it is written as one. */
static bool parse_number(const char *s, double *d, bool *integer)
{
    char *end;
    errno = 0;
    *d = strtod(s, &end);
    if (end == s || *end || errno || !isfinite(*d))
        return false;
    *integer = strpbrk(s, ".eEnN") == NULL && fabs(*d) < 9e15;
    return true;
}

/* The three numbers of a range form, or an error naming the form. */
static int parse3(const char *arg, const char *form, char *const text[3], double d[3], bool integer[3],
                  struct hp_error *err)
{
    for (int i = 0; i < 3; i++)
        if (!parse_number(text[i], &d[i], &integer[i]))
            return hp_errorf(err, HP_EXIT_USAGE, "sweep '%s': %s needs three numbers", arg, form);
    return 0;
}

/* LO:HI:STEP. Values are computed as LO + i*STEP (never accumulated), so a
 * decimal STEP does not drift; HI is included up to rounding. */
static int parse_range(const char *arg, char *const text[3], struct vals *l, struct hp_error *err)
{
    double d[3];
    bool integer[3];
    if (parse3(arg, "LO:HI:STEP", text, d, integer, err))
        return -1;
    double lo = d[0], hi = d[1], step = d[2];
    if (!(step > 0) || hi < lo)
        return hp_errorf(err, HP_EXIT_USAGE, "sweep '%s': LO:HI:STEP needs STEP > 0 and HI >= LO", arg);
    if ((hi - lo) / step >= SWEEP_MAX_VALUES)
        return hp_errorf(err, HP_EXIT_USAGE, "sweep '%s': more than %d values", arg, SWEEP_MAX_VALUES);
    bool ints = integer[0] && integer[1] && integer[2];
    for (int64_t i = 0;; i++) {
        double v = lo + (double)i * step;
        if (v > hi + step * 1e-9)
            break;
        if (vals_pushf(l, "%.12g", v, (int64_t)lo + i * (int64_t)step, ints))
            return hp_errorf(err, HP_EXIT_RUNTIME, "out of memory");
    }
    return 0;
}

/* LO*FACTOR..HI: LO * FACTOR^i up to HI (relative rounding tolerance 1e-9). */
static int parse_geometric(const char *arg, char *const text[3], struct vals *l, struct hp_error *err)
{
    double d[3];
    bool integer[3];
    if (parse3(arg, "LO*FACTOR..HI", text, d, integer, err))
        return -1;
    double lo = d[0], f = d[1], hi = d[2];
    if (!(lo > 0) || !(f > 1) || hi < lo)
        return hp_errorf(err, HP_EXIT_USAGE, "sweep '%s': LO*FACTOR..HI needs LO > 0, FACTOR > 1, HI >= LO", arg);
    if (log(hi / lo) / log(f) >= SWEEP_MAX_VALUES)
        return hp_errorf(err, HP_EXIT_USAGE, "sweep '%s': more than %d values", arg, SWEEP_MAX_VALUES);
    bool ints = integer[0] && integer[2];   /* the factor may well be 1.5 */
    for (int i = 0;; i++) {
        double v = lo * pow(f, i);
        if (v > hi * (1 + 1e-9))
            break;
        if (vals_pushf(l, "%.12g", v, llround(v), ints))
            return hp_errorf(err, HP_EXIT_RUNTIME, "out of memory");
    }
    return 0;
}

static int parse_list(const char *arg, const char *s, struct vals *l, struct hp_error *err)
{
    for (;;) {
        size_t len = strcspn(s, ",");
        if (len == 0)
            return hp_errorf(err, HP_EXIT_USAGE, "sweep '%s': empty value in the list", arg);
        if (l->n >= SWEEP_MAX_VALUES)
            return hp_errorf(err, HP_EXIT_USAGE, "sweep '%s': more than %d values", arg, SWEEP_MAX_VALUES);
        if (vals_push(l, s, len))
            return hp_errorf(err, HP_EXIT_RUNTIME, "out of memory");
        if (!s[len])
            return 0;
        s += len + 1;
    }
}

/* Split VALUES into its form and expand it into l. */
static int parse_values(const char *arg, const char *s, struct vals *l, struct hp_error *err)
{
    char buf[256];
    if (strlen(s) >= sizeof buf)
        return parse_list(arg, s, l, err);
    strcpy(buf, s);
    char *star = strchr(buf, '*'), *dots = strstr(buf, "..");
    if ((star || dots) && !strchr(buf, ',')) {
        if (!star || !dots || dots < star)
            return hp_errorf(err, HP_EXIT_USAGE, "sweep '%s': a geometric range is LO*FACTOR..HI"
                             " (LO:HI:STEP for an arithmetic one)", arg);
        *star = *dots = '\0';
        return parse_geometric(arg, (char *const[3]){ buf, star + 1, dots + 2 }, l, err);
    }
    char *c1 = strchr(buf, ':');
    if (c1 && !strchr(buf, ',')) {
        char *c2 = strchr(c1 + 1, ':');
        if (!c2 || strchr(c2 + 1, ':'))
            return hp_errorf(err, HP_EXIT_USAGE, "sweep '%s': a range is LO:HI:STEP", arg);
        *c1 = *c2 = '\0';
        return parse_range(arg, (char *const[3]){ buf, c1 + 1, c2 + 1 }, l, err);
    }
    return parse_list(arg, s, l, err);
}

/* Config paths are keys, dots and [index]: nothing CSV or a shell would mangle. */
static bool valid_path(const char *p, size_t n)
{
    if (n == 0 || p[0] == '.' || p[n - 1] == '.')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)p[i]) && !strchr("_.[]-", p[i]))
            return false;
    return true;
}

void sweep_init(struct sweep *sw)
{
    memset(sw, 0, sizeof *sw);
    sw->npoints = 1;
}

int sweep_add(struct sweep *sw, const char *arg, struct hp_error *err)
{
    const char *eq = strchr(arg, '=');
    if (!eq || !valid_path(arg, (size_t)(eq - arg)))
        return hp_errorf(err, HP_EXIT_USAGE,
                         "sweep '%s': expected PARAM=VALUES, PARAM a config path such as policy.halt_poll_ns_grow",
                         arg);
    if (!eq[1])
        return hp_errorf(err, HP_EXIT_USAGE, "sweep '%s': no values after '='", arg);
    if (sw->nparams == SWEEP_MAX_PARAMS)
        return hp_errorf(err, HP_EXIT_USAGE, "sweep '%s': at most %d swept parameters", arg, SWEEP_MAX_PARAMS);
    size_t plen = (size_t)(eq - arg);
    for (int p = 0; p < sw->nparams; p++)
        if (strlen(sw->params[p].path) == plen && strncmp(sw->params[p].path, arg, plen) == 0)
            return hp_errorf(err, HP_EXIT_USAGE, "sweep '%s': %s is already swept", arg, sw->params[p].path);
    struct vals l = {0};
    if (parse_values(arg, eq + 1, &l, err) != 0) {
        vals_free(&l);
        return -1;
    }
    if ((int64_t)l.n * sw->npoints > SWEEP_MAX_POINTS) {
        vals_free(&l);
        return hp_errorf(err, HP_EXIT_USAGE, "sweep '%s': more than %d points in all", arg, SWEEP_MAX_POINTS);
    }
    struct sweep_param *sp = &sw->params[sw->nparams];
    if (!(sp->path = strndup(arg, plen))) {
        vals_free(&l);
        return hp_errorf(err, HP_EXIT_RUNTIME, "out of memory");
    }
    sp->values = l.v;
    sp->nvalues = l.n;
    sw->npoints *= l.n;
    sw->nparams++;
    return 0;
}

void sweep_free(struct sweep *sw)
{
    for (int p = 0; p < sw->nparams; p++) {
        struct vals l = { sw->params[p].values, sw->params[p].nvalues, 0 };
        vals_free(&l);
        free(sw->params[p].path);
    }
    sweep_init(sw);
}

int sweep_value_index(const struct sweep *sw, int64_t point, int p)
{
    for (int q = sw->nparams - 1; q > p; q--)
        point /= sw->params[q].nvalues;
    return (int)(point % sw->params[p].nvalues);
}

int sweep_apply(const struct sweep *sw, int64_t point, json_t *root, const char *file,
                struct hp_error *err)
{
    for (int p = 0; p < sw->nparams; p++) {
        const struct sweep_param *sp = &sw->params[p];
        char *set;
        if (asprintf(&set, "%s=%s", sp->path, sp->values[sweep_value_index(sw, point, p)]) < 0)
            return hp_errorf(err, HP_EXIT_RUNTIME, "out of memory");
        int rc = cfg_set(root, file, set, err);
        free(set);
        if (rc)
            return -1;
    }
    return 0;
}

uint64_t sweep_seed(uint64_t base, int64_t point, int rep)
{
    /* The constant keeps these seeds apart from the per-source streams that
     * rng_stream_seed(seed, vcpu, source, 0) derives inside one run. */
    return rng_stream_seed(base, (uint64_t)point, (uint64_t)rep, 0x5eedULL) >> 1;
}

int sweep_parse_shard(const char *s, int *k, int *n, struct hp_error *err)
{
    char *end;
    errno = 0;
    long a = strtol(s, &end, 10), b = 0;
    if (end != s && *end == '/' && isdigit((unsigned char)end[1])) {
        const char *t = end + 1;
        b = strtol(t, &end, 10);
    }
    if (errno || *end || a < 1 || b < 1 || a > b || b > 1000000 || !isdigit((unsigned char)s[0]))
        return hp_errorf(err, HP_EXIT_USAGE, "--shard '%s': expected K/N with 1 <= K <= N", s);
    *k = (int)a;
    *n = (int)b;
    return 0;
}

bool sweep_in_shard(int64_t point, int k, int n)
{
    return point % n == k - 1;
}

/* ---- repetitions: mean and 95% confidence interval ---- */

static json_t *agg_value(json_t *const *reps, int n);

/* Mean and the half-width of the Student-t 95% interval of the mean. */
static void mean_ci(json_t *const *reps, int n, double *mean, double *half)
{
    double m = 0, ss = 0;
    for (int i = 0; i < n; i++)
        m += json_number_value(reps[i]);
    m /= n;
    for (int i = 0; i < n; i++) {
        double d = json_number_value(reps[i]) - m;
        ss += d * d;
    }
    *mean = m;
    *half = n > 1 ? gsl_cdf_tdist_Pinv(0.975, n - 1) * sqrt(ss / (n - 1) / n) : 0;
}

static bool all_numbers(json_t *const *reps, int n)
{
    for (int i = 0; i < n; i++)
        if (!json_is_number(reps[i]))
            return false;
    return true;
}

static json_t *agg_object(json_t *const *reps, int n)
{
    json_t *o = json_object(), *kids[n];
    const char *k;
    json_t *v;
    json_object_foreach(reps[0], k, v) {
        bool numbers = true;
        for (int i = 0; i < n; i++) {
            kids[i] = json_object_get(reps[i], k);
            numbers = numbers && json_is_number(kids[i]);
        }
        json_object_set_new(o, k, agg_value(kids, n));
        if (numbers || json_is_number(v) || json_is_null(v)) {
            char ck[256];
            double mean, half;
            snprintf(ck, sizeof ck, "%s_ci95", k);
            if (numbers)
                mean_ci(kids, n, &mean, &half);
            json_object_set_new(o, ck, numbers ? json_real(half) : json_null());
        }
    }
    return o;
}

static json_t *agg_array(json_t *const *reps, int n)
{
    size_t len = json_array_size(reps[0]);
    for (int i = 1; i < n; i++)
        if (!json_is_array(reps[i]) || json_array_size(reps[i]) != len)
            return json_null();
    json_t *a = json_array(), *kids[n];
    for (size_t j = 0; j < len; j++) {
        for (int i = 0; i < n; i++)
            kids[i] = json_array_get(reps[i], j);
        json_array_append_new(a, agg_value(kids, n));
    }
    return a;
}

static json_t *agg_value(json_t *const *reps, int n)
{
    json_t *v = reps[0];
    if (json_is_object(v))
        return agg_object(reps, n);
    if (json_is_array(v))
        return agg_array(reps, n);
    if (json_is_number(v)) {
        if (!all_numbers(reps, n))
            return json_null();
        double mean, half;
        mean_ci(reps, n, &mean, &half);
        return json_real(mean);
    }
    if (json_is_boolean(v)) {
        bool all = true;
        for (int i = 0; i < n; i++)
            all = all && json_is_true(reps[i]);
        return json_boolean(all);
    }
    return json_deep_copy(v);
}

json_t *sweep_aggregate(json_t *const *reps, int n)
{
    if (n == 1)
        return json_deep_copy(reps[0]);
    return agg_value(reps, n);
}
