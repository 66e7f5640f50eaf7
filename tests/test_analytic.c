/* test_analytic.c - closed forms: one vCPU alone on its pCPU,
 * Poisson wakeups at rate lambda, `always` with window P, every cost zero:
 *   P(caught)            = 1 - exp(-lambda P)
 *   E[poll per halt]     = (1 - exp(-lambda P)) / lambda
 * checked within 4.5 standard errors of the simulated sample size. */
#include "testutil.h"

#include <math.h>

static const char *cfg_fmt =
    "{\"duration_s\": %g, \"seed\": %d, \"costs\": {\"profile\": \"zero\"},"
    " \"policies\": [\"always\"], \"policy\": {\"halt_poll_ns\": %lld},"
    " \"vms\": [{\"workload\": {\"type\": \"arrivals\","
    "   \"interarrival\": {\"dist\": \"exponential\", \"mean_ns\": %lld}, \"handler\": 0}}]}";

static void check_case(double mean_gap_ns, int64_t window_ns, double secs, int seed)
{
    char json[1024];
    snprintf(json, sizeof json, cfg_fmt, secs, seed, (long long)window_ns, (long long)mean_gap_ns);
    struct sim_spec spec;
    tu_spec(&spec, json);
    struct metrics *m = tu_run(&spec, 0);
    assert_true(m->conservation_ok);
    double lambda = 1.0 / mean_gap_ns, P = (double)window_ns;
    double p = 1 - exp(-lambda * P);
    /* The first halt (at t=0) is not a Poisson halt: leave it out. */
    double n = (double)(m->k.halts - 1);
    double caught = (double)m->k.halt_successful_poll / n;
    double se_p = sqrt(p * (1 - p) / n);
    if (fabs(caught - p) > 4.5 * se_p)
        fail_msg("P(caught) %.5f, closed form %.5f (se %.5f, n %.0f)", caught, p, se_p, n);
    double e_min = p / lambda;
    double e_min2 = 2 / (lambda * lambda) * (1 - exp(-lambda * P) * (1 + lambda * P));
    double se_poll = sqrt((e_min2 - e_min * e_min) / n);
    double poll = (double)(m->k.halt_poll_success_ns + m->k.halt_poll_fail_ns) / n;
    if (fabs(poll - e_min) > 4.5 * se_poll)
        fail_msg("poll per halt %.1f ns, closed form %.1f (se %.1f)", poll, e_min, se_poll);
    /* With no costs every wakeup is immediate. */
    assert_int_equal(hist_percentile(&m->wakeup, 0.99), 0);
    free(m);
    sim_spec_free(&spec);
}

static void poisson_half_mean_window(void **s) { (void)s; check_case(100000, 50000, 20, 1); }
static void poisson_window_twice_the_mean(void **s) { (void)s; check_case(20000, 40000, 5, 2); }
static void poisson_small_window(void **s) { (void)s; check_case(1000000, 10000, 100, 3); }

static void zero_window_never_catches(void **s)
{
    (void)s;
    char json[1024];
    snprintf(json, sizeof json, cfg_fmt, 1.0, 1, 0LL, 100000LL);
    struct sim_spec spec;
    tu_spec(&spec, json);
    struct metrics *m = tu_run(&spec, 0);
    assert_int_equal(m->k.halt_successful_poll, 0);
    assert_int_equal(m->k.halt_attempted_poll, 0);
    assert_int_equal(m->acct_ns[ACCT_POLL], 0);
    free(m);
    sim_spec_free(&spec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(poisson_half_mean_window),
        cmocka_unit_test(poisson_window_twice_the_mean),
        cmocka_unit_test(poisson_small_window),
        cmocka_unit_test(zero_window_never_catches),
    };
    return cmocka_run_group_tests_name("analytic", tests, NULL, NULL);
}
