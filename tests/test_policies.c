/* test_policies.c - exact window trajectories of every policy on hand-made
 * halt sequences, the upstream thread's descriptions among them. */
#include "testutil.h"

#include "policy.h"

struct pol {
    const struct policy_ops *ops;
    int64_t param[POLICY_MAX_PARAMS];
    int64_t state[8];
};

/* A policy with its defaults, then "name=value" overrides. */
static struct pol make(const char *name, ...)
{
    struct pol p;
    memset(&p, 0, sizeof p);
    p.ops = policy_find(name);
    assert_non_null(p.ops);
    for (int i = 0; p.ops->params[i].name; i++)
        p.param[i] = p.ops->params[i].def;
    va_list ap;
    va_start(ap, name);
    for (const char *k = va_arg(ap, const char *); k; k = va_arg(ap, const char *)) {
        int64_t v = va_arg(ap, int64_t);
        int i = policy_param_index(p.ops, k);
        assert_true(i >= 0);
        p.param[i] = v;
    }
    va_end(ap);
    assert_true(p.ops->state_size <= sizeof p.state);
    p.ops->init(p.state, p.param);
    return p;
}

/* Feed one halt: the window the policy polls for, then the update. A halt
 * "caught" is one no longer than the window; otherwise it waited. */
static int64_t halt(struct pol *p, int64_t halt_ns)
{
    struct policy_ctx ctx = {0, INT64_MAX};
    int64_t w = p->ops->window(p->state, p->param, &ctx);
    struct halt_result r = { halt_ns, halt_ns <= w ? halt_ns : w, halt_ns > w, true };
    p->ops->after_halt(p->state, p->param, &r);
    return policy_window_of(p->state);
}

static void expect_windows(struct pol *p, const int64_t *halts, const int64_t *windows, int n)
{
    for (int i = 0; i < n; i++) {
        int64_t w = halt(p, halts[i]);
        if (w != windows[i])
            fail_msg("%s: after halt %d (%lld ns) window %lld, expected %lld", p->ops->name, i,
                     (long long)halts[i], (long long)w, (long long)windows[i]);
    }
}

static void none_never_polls(void **s)
{
    (void)s;
    struct pol p = make("none", NULL);
    for (int i = 0; i < 10; i++)
        assert_int_equal(halt(&p, 5000), 0);
}

static void always_polls_its_fixed_window(void **s)
{
    (void)s;
    struct pol p = make("always", "halt_poll_ns", (int64_t)200000, NULL);
    struct policy_ctx ctx = {0, INT64_MAX};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(p.ops->window(p.state, p.param, &ctx), 200000);
        halt(&p, i % 2 ? 5000 : 10000000);
    }
}

/* The thread: "0 -> 500 us -> 1 ms -> 2 ms -> 4 ms -> 0" on an idle VM. */
static void v3_idle_vm_cycles_0_500us_1ms_2ms_4ms_0(void **s)
{
    (void)s;
    struct pol p = make("v3", NULL);
    const int64_t h[] = {10000000, 10000000, 10000000, 10000000, 10000000, 10000000, 10000000};
    const int64_t w[] = {500000, 1000000, 2000000, 4000000, 0, 500000, 1000000};
    expect_windows(&p, h, w, 7);
}

static void v3_caught_poll_changes_nothing(void **s)
{
    (void)s;
    struct pol p = make("v3", NULL);
    halt(&p, 10000000);                    /* -> 500 us */
    const int64_t h[] = {5000, 400000, 20000};
    const int64_t w[] = {500000, 500000, 500000};
    expect_windows(&p, h, w, 3);
}

/* The thread: message passing keeps v4 "always maxed out". */
static void v4_message_passing_sits_at_max(void **s)
{
    (void)s;
    struct pol p = make("v4", NULL);
    const int64_t h[] = {5000, 5000, 5000, 5000, 5000, 5000};
    const int64_t w[] = {500000, 1000000, 2000000, 2000000, 2000000, 2000000};
    expect_windows(&p, h, w, 6);
}

static void v4_long_halt_resets(void **s)
{
    (void)s;
    struct pol p = make("v4", NULL);
    halt(&p, 5000);
    halt(&p, 5000);                        /* 1 ms */
    assert_int_equal(halt(&p, 3000000), 0); /* waited and long: idle detected */
    assert_int_equal(halt(&p, 10000000), 0); /* idle stays at 0 */
    struct pol q = make("v4", "halt_poll_ns_shrink", (int64_t)2, NULL);
    halt(&q, 5000);
    halt(&q, 5000);
    assert_int_equal(halt(&q, 3000000), 500000);
}

static void blocktime_stays_zero_on_long_halts(void **s)
{
    (void)s;
    struct pol p = make("blocktime", NULL);
    for (int i = 0; i < 20; i++)
        assert_int_equal(halt(&p, 1000000 + i), 0);
}

static void blocktime_grows_from_10us_only_while_halts_are_short(void **s)
{
    (void)s;
    struct pol p = make("blocktime", NULL);
    /* 8 us halts: 0 -> 10000, then caught (halt <= w): stays. */
    const int64_t h1[] = {8000, 8000, 8000, 9999, 10000};
    const int64_t w1[] = {10000, 10000, 10000, 10000, 10000};
    expect_windows(&p, h1, w1, 5);
    /* a halt between w and halt_poll_ns doubles it */
    assert_int_equal(halt(&p, 15000), 20000);
    assert_int_equal(halt(&p, 30000), 40000);
    /* longer than halt_poll_ns with w > 0: shrink 0 resets */
    assert_int_equal(halt(&p, 600000), 0);
}

static void blocktime_has_no_clamp_in_4_3(void **s)
{
    (void)s;
    struct pol p = make("blocktime", NULL);
    const int64_t h[] = {400000, 400000, 400000, 400000, 400000, 400000, 400000, 400000};
    const int64_t w[] = {10000, 20000, 40000, 80000, 160000, 320000, 640000, 640000};
    expect_windows(&p, h, w, 8);
}

static void blocktime_halt_of_exactly_halt_poll_ns_changes_nothing(void **s)
{
    (void)s;
    struct pol p = make("blocktime", NULL);
    halt(&p, 5000);                          /* 10000 */
    assert_int_equal(halt(&p, 500000), 10000);
}

static void blocktime_shrink_divides(void **s)
{
    (void)s;
    struct pol p = make("blocktime", "halt_poll_ns_shrink", (int64_t)2, NULL);
    const int64_t h[] = {5000, 15000, 30000, 600000, 600000, 600000};
    const int64_t w[] = {10000, 20000, 40000, 20000, 10000, 5000};
    expect_windows(&p, h, w, 6);
}

static void blocktime_halt_poll_ns_zero_disables(void **s)
{
    (void)s;
    struct pol p = make("blocktime", "halt_poll_ns", (int64_t)0, NULL);
    for (int i = 0; i < 4; i++)
        assert_int_equal(halt(&p, 5000), 0);
}

static void toggle_polls_after_a_short_halt_only(void **s)
{
    (void)s;
    struct pol p = make("toggle", "halt_poll_ns", (int64_t)200000, NULL);
    const int64_t h[] = {5000, 5000, 1000000, 1000000, 100000};
    const int64_t w[] = {200000, 200000, 0, 0, 200000};
    expect_windows(&p, h, w, 5);
}

static void registry_names_are_unique_and_params_valid(void **s)
{
    (void)s;
    for (const struct policy_ops *const *a = policy_registry; *a; a++) {
        assert_ptr_equal(policy_find((*a)->name), *a);
        assert_true((*a)->state_size >= sizeof(int64_t));
        for (int i = 0; (*a)->params[i].name; i++) {
            const struct policy_param *pp = &(*a)->params[i];
            assert_true(pp->min <= pp->def && pp->def <= pp->max);
            assert_true(i < POLICY_MAX_PARAMS);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(none_never_polls),
        cmocka_unit_test(always_polls_its_fixed_window),
        cmocka_unit_test(v3_idle_vm_cycles_0_500us_1ms_2ms_4ms_0),
        cmocka_unit_test(v3_caught_poll_changes_nothing),
        cmocka_unit_test(v4_message_passing_sits_at_max),
        cmocka_unit_test(v4_long_halt_resets),
        cmocka_unit_test(blocktime_stays_zero_on_long_halts),
        cmocka_unit_test(blocktime_grows_from_10us_only_while_halts_are_short),
        cmocka_unit_test(blocktime_has_no_clamp_in_4_3),
        cmocka_unit_test(blocktime_halt_of_exactly_halt_poll_ns_changes_nothing),
        cmocka_unit_test(blocktime_shrink_divides),
        cmocka_unit_test(blocktime_halt_poll_ns_zero_disables),
        cmocka_unit_test(toggle_polls_after_a_short_halt_only),
        cmocka_unit_test(registry_names_are_unique_and_params_valid),
    };
    return cmocka_run_group_tests_name("policies", tests, NULL, NULL);
}
