/* test_hist.c - the streamed histogram: exact small values, percentiles
 * within the stated relative error of exact ones, fixed memory, merge. */
#include "testutil.h"

#include <gsl/gsl_randist.h>
#include <math.h>

#include "hist.h"
#include "rng.h"

static int cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void hist_small_values_are_exact(void **state)
{
    (void)state;
    static struct hist h;
    hist_init(&h);
    for (int64_t v = 0; v < 100; v++)
        hist_add(&h, v);
    assert_int_equal(h.count, 100);
    assert_int_equal(hist_percentile(&h, 0.5), 49);
    assert_int_equal(hist_percentile(&h, 0.9), 89);
    assert_int_equal(hist_percentile(&h, 1.0), 99);
    assert_int_equal(h.min, 0);
    assert_true(fabs(hist_mean(&h) - 49.5) < 1e-9);
}

/* Sort the n samples x, and require the histogram's percentile q to be within
 * HIST_REL_ERROR of the exact nearest-rank one. */
static void expect_percentile(int64_t *x, int n, bool sorted, const struct hist *h, double q)
{
    if (!sorted)
        qsort(x, (size_t)n, sizeof x[0], cmp64);
    int64_t exact = x[(size_t)ceil(q * n) - 1];
    int64_t got = hist_percentile(h, q);
    double rel = fabs((double)(got - exact)) / (double)(exact ? exact : 1);
    if (rel > HIST_REL_ERROR)
        fail_msg("q=%g exact %lld got %lld rel %g > %g", q, (long long)exact, (long long)got, rel, HIST_REL_ERROR);
}

static void hist_percentiles_within_relative_error(void **state)
{
    (void)state;
    enum { N = 100000 };
    static int64_t x[N];
    static struct hist h;
    gsl_rng *r = rng_stream_new(42, 1, 2, 3);
    hist_init(&h);
    for (int i = 0; i < N; i++) {
        x[i] = (int64_t)gsl_ran_lognormal(r, log(20000.0), 1.5);
        hist_add(&h, x[i]);
    }
    const double q[] = {0.01, 0.1, 0.5, 0.9, 0.99, 0.999};
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++)
        expect_percentile(x, N, i > 0, &h, q[i]);
    assert_int_equal(hist_percentile(&h, 1.0), x[N - 1]);
    gsl_rng_free(r);
}

/* Every percentile from 0.1% to 99.9%, on samples spanning eleven decades
 * (Pareto, alpha 0.3) plus values on both sides of octave and bucket edges. */
static void hist_every_percentile_within_relative_error_over_decades(void **state)
{
    (void)state;
    enum { N = 60000 };
    static int64_t x[N];
    static struct hist h;
    gsl_rng *r = rng_stream_new(9, 9, 9, 9);
    hist_init(&h);
    int n = 0;
    for (int k = HIST_SUB_BITS; k < 40; k++) {
        int64_t edge = (int64_t)1 << k, width = edge >> HIST_SUB_BITS;
        const int64_t v[] = {edge - 1, edge, edge + 1, edge + width - 1, edge + width};
        for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
            x[n++] = v[i];
    }
    while (n < N)
        x[n++] = (int64_t)fmin(gsl_ran_pareto(r, 0.3, 1.0), 1e12);
    for (int i = 0; i < N; i++)
        hist_add(&h, x[i]);
    for (int permille = 1; permille < 1000; permille++)
        expect_percentile(x, N, permille > 1, &h, permille / 1000.0);
    gsl_rng_free(r);
}

static void hist_memory_is_fixed(void **state)
{
    (void)state;
    /* The struct holds everything: adding samples allocates nothing. */
    static struct hist h;
    hist_init(&h);
    for (int64_t v = 1; v > 0 && v < INT64_MAX / 3; v *= 3)
        hist_add(&h, v);
    hist_add(&h, INT64_MAX);
    hist_add(&h, -5);   /* clamped to 0 */
    assert_int_equal(h.min, 0);
    assert_int_equal(h.max, INT64_MAX);
    assert_true(sizeof h < 200 * 1024);
}

static void hist_merge_equals_adding_all(void **state)
{
    (void)state;
    static struct hist a, b, all;
    hist_init(&a);
    hist_init(&b);
    hist_init(&all);
    for (int64_t v = 0; v < 50000; v += 7) {
        hist_add(v % 2 ? &a : &b, v * 13);
        hist_add(&all, v * 13);
    }
    hist_merge(&a, &b);
    assert_int_equal(a.count, all.count);
    assert_memory_equal(a.bucket, all.bucket, sizeof a.bucket);
    assert_int_equal(hist_percentile(&a, 0.37), hist_percentile(&all, 0.37));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hist_small_values_are_exact),
        cmocka_unit_test(hist_percentiles_within_relative_error),
        cmocka_unit_test(hist_every_percentile_within_relative_error_over_decades),
        cmocka_unit_test(hist_memory_is_fixed),
        cmocka_unit_test(hist_merge_equals_adding_all),
    };
    return cmocka_run_group_tests_name("hist", tests, NULL, NULL);
}
