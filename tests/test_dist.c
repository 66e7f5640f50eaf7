/* test_dist.c - every distribution's samples match its analytic mean and
 * variance within tolerances derived from the sample size. */
#include "testutil.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <math.h>

#include "dist.h"
#include "rng.h"

/* Empirical histograms are read relative to the config; the tests run from
 * the repository root and pretend the config lives beside the fixtures. */
#define FIXTURE_CFG "tests/fixtures/dist/t.json"

static struct dist parse(const char *json)
{
    json_t *o = json_pack("{s:o}", "d", json_loads(json, JSON_DECODE_ANY, NULL));
    struct hp_error err = {0};
    struct cfg c = {FIXTURE_CFG, &err};
    struct dist d;
    if (dist_parse(&c, o, "x", "d", 0, &d) != 0)
        fail_msg("%s", err.msg);
    json_decref(o);
    return d;
}

/* Mean within 5 standard errors; variance within 5 standard errors of the
 * sample variance (using the fourth moment estimated from the sample). */
static void check(const char *json, bool check_var)
{
    enum { N = 400000 };
    struct dist d = parse(json);
    gsl_rng *r = rng_stream_new(7, 7, 7, 7);
    double s1 = 0, s2 = 0, s4 = 0;
    static double x[N];
    for (int i = 0; i < N; i++) {
        x[i] = (double)dist_sample(&d, r);
        s1 += x[i];
    }
    double mean = s1 / N;
    for (int i = 0; i < N; i++) {
        double c = x[i] - mean;
        s2 += c * c;
        s4 += c * c * c * c;
    }
    double var = s2 / (N - 1), m4 = s4 / N;
    double want_m = dist_mean(&d), want_v = dist_variance(&d);
    /* +0.5: samples are rounded to integer ns. */
    double se_m = sqrt(want_v / N) + 0.5;
    if (fabs(mean - want_m) > 5 * se_m)
        fail_msg("%s: mean %g, expected %g (se %g)", json, mean, want_m, se_m);
    if (check_var) {
        double se_v = sqrt(fmax(m4 - var * var, 0) / N) + want_v * 1e-3 + 1;
        if (fabs(var - want_v) > 5 * se_v)
            fail_msg("%s: variance %g, expected %g (se %g)", json, var, want_v, se_v);
    }
    gsl_rng_free(r);
    dist_free(&d);
}

static void dist_constant_is_constant(void **s) { (void)s; check("{\"dist\":\"constant\",\"value_ns\":1234}", true); }
static void dist_exponential_moments(void **s) { (void)s; check("{\"dist\":\"exponential\",\"mean_ns\":50000}", true); }
static void dist_uniform_moments(void **s) { (void)s; check("{\"dist\":\"uniform\",\"min_ns\":10000,\"max_ns\":50000}", true); }
static void dist_normal_moments(void **s) { (void)s; check("{\"dist\":\"normal\",\"mean_ns\":100000,\"sd_ns\":10000}", true); }
static void dist_lognormal_moments(void **s) { (void)s; check("{\"dist\":\"lognormal\",\"median_ns\":4000,\"sigma\":0.3}", true); }
/* The lognormal's whole shape, tails included, not only two moments: the
 * share of samples below median * e^(z sigma) is Phi(z), within 5 binomial
 * standard deviations, for z from -3.5 to 3.5 (the ziggurat's tail path
 * serves |z| > 3.44). sigma 1 and a 1 ms median keep rounding negligible. */
static void dist_lognormal_quantiles(void **s)
{
    (void)s;
    enum { N = 1000000 };
    static const double zs[] = {-3.5, -2.5, -1.5, -0.5, 0, 0.5, 1.5, 2.5, 3.5};
    enum { NZ = sizeof zs / sizeof zs[0] };
    struct dist d = parse("{\"dist\":\"lognormal\",\"median_ns\":1000000,\"sigma\":1}");
    gsl_rng *r = rng_stream_new(5, 3, 2, 1);
    uint64_t below[NZ] = {0};
    for (int i = 0; i < N; i++) {
        double x = (double)dist_sample(&d, r);
        for (int k = 0; k < NZ; k++)
            below[k] += x < 1e6 * exp(zs[k]);
    }
    for (int k = 0; k < NZ; k++) {
        double p = gsl_cdf_ugaussian_P(zs[k]), sd = sqrt(N * p * (1 - p));
        if (fabs((double)below[k] - N * p) > 5 * sd)
            fail_msg("z %g: %llu below, expected %.0f (sd %.1f)", zs[k], (unsigned long long)below[k], N * p, sd);
    }
    gsl_rng_free(r);
    dist_free(&d);
}
static void dist_gamma_moments(void **s) { (void)s; check("{\"dist\":\"gamma\",\"mean_ns\":30000,\"shape\":2.5}", true); }
static void dist_weibull_moments(void **s) { (void)s; check("{\"dist\":\"weibull\",\"scale_ns\":20000,\"shape\":1.5}", true); }
/* alpha 3: finite variance but infinite fourth moment, so only the mean. */
static void dist_pareto_mean(void **s) { (void)s; check("{\"dist\":\"pareto\",\"min_ns\":10000,\"alpha\":3}", false); }
static void dist_pareto_moments(void **s) { (void)s; check("{\"dist\":\"pareto\",\"min_ns\":10000,\"alpha\":9}", true); }

static void dist_empirical_moments(void **s) { (void)s; check("{\"dist\":\"empirical\",\"file\":\"gaps.hist\"}", true); }

/* Each bin of the file gets its share of the samples: counts within 5
 * binomial standard deviations; inside the widest bin, each half gets half
 * of that bin's samples (uniform within a bin). */
static void dist_empirical_matches_its_histogram(void **s)
{
    (void)s;
    enum { N = 200000, MAXB = 8 };
    struct dist d = parse("{\"dist\":\"empirical\",\"file\":\"gaps.hist\"}");
    double lo[MAXB], hi[MAXB], p[MAXB];
    size_t nb = 0;
    while (nb < MAXB && dist_bin(&d, nb, &lo[nb], &hi[nb], &p[nb]) == 0)
        nb++;
    assert_int_equal(nb, 4);
    assert_true(fabs(p[0] - 0.5) < 1e-12 && lo[2] == 50000 && hi[2] == 50000);
    uint64_t cnt[MAXB] = {0}, low_half = 0, outside = 0;
    gsl_rng *r = rng_stream_new(3, 1, 4, 1);
    for (int i = 0; i < N; i++) {
        double x = (double)dist_sample(&d, r);
        size_t b = 0;
        while (b < nb && !(x >= lo[b] - 0.5 && x <= hi[b] + 0.5))
            b++;
        if (b == nb) {
            outside++;
            continue;
        }
        cnt[b]++;
        if (b == 3 && x < (lo[3] + hi[3]) / 2)
            low_half++;
    }
    assert_int_equal(outside, 0);
    for (size_t b = 0; b < nb; b++) {
        double want = N * p[b], sd = sqrt(N * p[b] * (1 - p[b]));
        if (fabs((double)cnt[b] - want) > 5 * sd)
            fail_msg("bin %zu: %llu samples, expected %.0f (sd %.1f)", b, (unsigned long long)cnt[b], want, sd);
    }
    double half = cnt[3] / 2.0;
    assert_true(fabs((double)low_half - half) < 5 * sqrt(cnt[3] * 0.25));
    gsl_rng_free(r);
    dist_free(&d);
}

/* Bad histograms: one line naming the histogram file and the line. */
static void expect_parse_error(const char *json, const char *want)
{
    json_t *o = json_pack("{s:o}", "d", json_loads(json, JSON_DECODE_ANY, NULL));
    struct hp_error err = {0};
    struct cfg c = {FIXTURE_CFG, &err};
    struct dist d;
    assert_int_equal(dist_parse(&c, o, "x", "d", 0, &d), -1);
    assert_int_equal(err.code, HP_EXIT_USAGE);
    if (!strstr(err.msg, want))
        fail_msg("error \"%s\" lacks \"%s\"", err.msg, want);
    assert_null(strchr(err.msg, '\n'));
    json_decref(o);
}

static void dist_empirical_errors_name_file_and_line(void **s)
{
    (void)s;
    expect_parse_error("{\"dist\":\"empirical\",\"file\":\"bad_token.hist\"}",
                       "tests/fixtures/dist/bad_token.hist:2: expected");
    expect_parse_error("{\"dist\":\"empirical\",\"file\":\"reversed.hist\"}",
                       "tests/fixtures/dist/reversed.hist:3: upper bound 4000 is below lower bound 5000");
    expect_parse_error("{\"dist\":\"empirical\",\"file\":\"zero_weight.hist\"}",
                       "zero_weight.hist: no bin with a positive weight");
    expect_parse_error("{\"dist\":\"empirical\",\"file\":\"missing.hist\"}",
                       "tests/fixtures/dist/t.json: x.d.file: cannot open histogram tests/fixtures/dist/missing.hist");
    expect_parse_error("{\"dist\":\"empirical\"}", "x.d.file: required key is missing");
}

static void dist_integer_is_constant_shorthand(void **s)
{
    (void)s;
    struct dist d = parse("777");
    assert_int_equal(d.kind, DIST_CONSTANT);
    assert_true(dist_mean(&d) == 777);
}

/* dist_sample in its plainest form: GSL's samplers and llround. The
 * lognormal is exp of GSL's ziggurat normal (not gsl_ran_lognormal's polar
 * method, see dist.c); the moment tests above hold it to the lognormal law. */
static int64_t reference_sample(const struct dist *d, gsl_rng *r)
{
    double x = 0;
    switch (d->kind) {
    case DIST_CONSTANT: x = d->a; break;
    case DIST_EXPONENTIAL: x = gsl_ran_exponential(r, d->a); break;
    case DIST_UNIFORM: x = gsl_ran_flat(r, d->a, d->b); break;
    case DIST_NORMAL:
        for (int i = 0; i < 64; i++) {
            x = d->a + gsl_ran_gaussian_ziggurat(r, d->b);
            if (x >= 0)
                break;
        }
        if (!(x >= 0))
            x = 0;
        break;
    case DIST_LOGNORMAL: x = exp(d->a + gsl_ran_gaussian_ziggurat(r, d->b)); break;
    case DIST_GAMMA: x = gsl_ran_gamma(r, d->a, d->b); break;
    case DIST_WEIBULL: x = gsl_ran_weibull(r, d->a, d->b); break;
    case DIST_PARETO: x = gsl_ran_pareto(r, d->a, d->b); break;
    default: fail_msg("kind %d has no reference", (int)d->kind);
    }
    if (!(x >= 0))
        return 0;
    if (x > 3600e9)
        return 3600000000000LL;
    return llround(x);
}

/* Twin streams: every sample equals the reference's, so the speed-ups
 * change no result. */
static void dist_samples_equal_gsl_and_llround(void **s)
{
    (void)s;
    static const char *const dists[] = {
        "{\"dist\":\"constant\",\"value_ns\":1234}",
        "{\"dist\":\"exponential\",\"mean_ns\":7}",
        "{\"dist\":\"uniform\",\"min_ns\":0,\"max_ns\":9}",
        "{\"dist\":\"normal\",\"mean_ns\":5,\"sd_ns\":9}",
        "{\"dist\":\"lognormal\",\"median_ns\":4000,\"sigma\":0.3}",
        "{\"dist\":\"lognormal\",\"median_ns\":3,\"sigma\":5}",
        "{\"dist\":\"gamma\",\"mean_ns\":30,\"shape\":2.5}",
        "{\"dist\":\"pareto\",\"min_ns\":1,\"alpha\":0.05}",
    };
    for (size_t k = 0; k < sizeof dists / sizeof dists[0]; k++) {
        struct dist d = parse(dists[k]);
        gsl_rng *a = rng_stream_new(11, k, 0, 0), *b = rng_stream_new(11, k, 0, 0);
        for (int i = 0; i < 100000; i++) {
            int64_t got = dist_sample(&d, a), want = reference_sample(&d, b);
            if (got != want)
                fail_msg("%s: draw %d: %lld, reference %lld", dists[k], i, (long long)got, (long long)want);
        }
        gsl_rng_free(a);
        gsl_rng_free(b);
    }
}

static void dist_round_ns_matches_llround_at_the_edges(void **s)
{
    (void)s;
    const double x[] = {0, 0.25, 0.49999999999999994, 0.5, 0.5000000000000001, 1.5, 2.5, 3.4999999,
                        4503599627370495.5 / 4, 1e12 + 0.5, 3600e9 - 0.5, 3600e9};
    for (size_t i = 0; i < sizeof x / sizeof x[0]; i++)
        if (dist_round_ns(x[i]) != llround(x[i]))
            fail_msg("%.17g: %lld, llround %lld", x[i], (long long)dist_round_ns(x[i]), llround(x[i]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dist_constant_is_constant), cmocka_unit_test(dist_exponential_moments),
        cmocka_unit_test(dist_uniform_moments),      cmocka_unit_test(dist_normal_moments),
        cmocka_unit_test(dist_lognormal_moments), cmocka_unit_test(dist_lognormal_quantiles),    cmocka_unit_test(dist_gamma_moments),
        cmocka_unit_test(dist_weibull_moments),      cmocka_unit_test(dist_pareto_mean),
        cmocka_unit_test(dist_pareto_moments),       cmocka_unit_test(dist_integer_is_constant_shorthand),
        cmocka_unit_test(dist_empirical_moments),    cmocka_unit_test(dist_empirical_matches_its_histogram),
        cmocka_unit_test(dist_empirical_errors_name_file_and_line),
        cmocka_unit_test(dist_samples_equal_gsl_and_llround),
        cmocka_unit_test(dist_round_ns_matches_llround_at_the_edges),
    };
    return cmocka_run_group_tests_name("dist", tests, NULL, NULL);
}
