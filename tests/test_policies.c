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
    struct policy_ctx ctx = { .now_ns = 0, .next_wakeup_ns = INT64_MAX };
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
    struct policy_ctx ctx = { .now_ns = 0, .next_wakeup_ns = INT64_MAX };
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

/* ---- mainline (Linux 6.11+): the reference's worked trajectories ---- */

/* One halt through mainline: the window it polls for, then the update. */
static enum policy_change feed(struct pol *p, int64_t halt_ns, bool waited, bool valid, int64_t *polled)
{
    struct policy_ctx ctx = { .now_ns = 0, .next_wakeup_ns = INT64_MAX };
    int64_t w = p->ops->window(p->state, p->param, &ctx);
    if (polled)
        *polled = w;
    struct halt_result r = { halt_ns, waited ? w : halt_ns, waited, valid };
    return p->ops->after_halt(p->state, p->param, &r);
}

static void mainline_50us_halts_grow_to_80000_and_stay(void **s)
{
    (void)s;
    struct pol p = make("mainline", NULL);
    const int64_t h[] = {50000, 50000, 50000, 50000, 50000, 50000};
    const int64_t w[] = {10000, 20000, 40000, 80000, 80000, 80000};
    expect_windows(&p, h, w, 6);
}

static void mainline_150us_halts_grow_to_160000_and_stay(void **s)
{
    (void)s;
    struct pol p = make("mainline", NULL);
    const int64_t h[] = {150000, 150000, 150000, 150000, 150000, 150000, 150000};
    const int64_t w[] = {10000, 20000, 40000, 80000, 160000, 160000, 160000};
    expect_windows(&p, h, w, 7);
}

/* 190 us: grow traces 320000 ("grow 160000"), then the next halt entry
 * clamps it to 200000 silently, and it stays there. */
static void mainline_190us_grows_past_max_then_clamps_silently(void **s)
{
    (void)s;
    struct pol p = make("mainline", NULL);
    for (int i = 0; i < 5; i++)
        feed(&p, 190000, true, true, NULL);
    assert_int_equal(policy_window_of(p.state), 160000);
    assert_int_equal(feed(&p, 190000, true, true, NULL), POLICY_GROW);
    assert_int_equal(policy_window_of(p.state), 320000);      /* unclamped in grow */
    int64_t polled;
    assert_int_equal(feed(&p, 190000, false, true, &polled), POLICY_KEEP);
    assert_int_equal(polled, 200000);                          /* clamped at entry */
    assert_int_equal(policy_window_of(p.state), 200000);
    assert_int_equal(feed(&p, 190000, false, true, &polled), POLICY_KEEP);
    assert_int_equal(polled, 200000);
}

static void mainline_300us_halts_from_0_stay_0(void **s)
{
    (void)s;
    struct pol p = make("mainline", NULL);
    for (int i = 0; i < 5; i++)
        assert_int_equal(feed(&p, 300000, true, true, NULL), POLICY_KEEP);
    assert_int_equal(policy_window_of(p.state), 0);
}

static void mainline_shrink_2_halves_then_zero_below_grow_start(void **s)
{
    (void)s;
    struct pol p = make("mainline", NULL);
    for (int i = 0; i < 5; i++)
        feed(&p, 150000, true, true, NULL);
    assert_int_equal(policy_window_of(p.state), 160000);
    const int64_t h[] = {300000, 300000, 300000, 300000, 300000, 300000};
    const int64_t w[] = {80000, 40000, 20000, 10000, 0, 0};   /* 5000 < grow_start -> 0 */
    expect_windows(&p, h, w, 6);
}

static void mainline_shrink_0_resets_at_once(void **s)
{
    (void)s;
    struct pol p = make("mainline", "halt_poll_ns_shrink", (int64_t)0, NULL);
    for (int i = 0; i < 5; i++)
        feed(&p, 150000, true, true, NULL);
    assert_int_equal(policy_window_of(p.state), 160000);
    assert_int_equal(feed(&p, 300000, true, true, NULL), POLICY_SHRINK);
    assert_int_equal(policy_window_of(p.state), 0);
}

static void mainline_grows_from_0_to_grow_start(void **s)
{
    (void)s;
    struct pol p = make("mainline", "halt_poll_ns_grow_start", (int64_t)25000, NULL);
    assert_int_equal(feed(&p, 5000, true, true, NULL), POLICY_GROW);
    assert_int_equal(policy_window_of(p.state), 25000);
    assert_int_equal(feed(&p, 30000, true, true, NULL), POLICY_GROW);
    assert_int_equal(policy_window_of(p.state), 50000);
    /* grow factor 0: grow still runs (and traces) but keeps the window */
    struct pol q = make("mainline", "halt_poll_ns_grow", (int64_t)0, NULL);
    assert_int_equal(feed(&q, 5000, true, true, NULL), POLICY_GROW);
    assert_int_equal(policy_window_of(q.state), 0);
}

/* KVM_CAP_HALT_POLL: the VM's maximum replaces the module's, both for the
 * clamp and for the grow/shrink thresholds. */
static void mainline_per_vm_max_below_the_module_parameter(void **s)
{
    (void)s;
    struct pol p = make("mainline", "max_halt_poll_ns", (int64_t)50000, NULL);
    const int64_t h[] = {45000, 45000, 45000, 45000};
    const int64_t w[] = {10000, 20000, 40000, 80000};          /* grow is unclamped */
    expect_windows(&p, h, w, 4);
    int64_t polled;
    assert_int_equal(feed(&p, 45000, false, true, &polled), POLICY_KEEP);
    assert_int_equal(polled, 50000);
    /* 60 us is past the VM's maximum: shrink (the module's 200 us would grow) */
    assert_int_equal(feed(&p, 60000, true, true, NULL), POLICY_SHRINK);
    assert_int_equal(policy_window_of(p.state), 25000);
    struct pol q = make("mainline", NULL);
    for (int i = 0; i < 4; i++)
        feed(&q, 45000, true, true, NULL);
    feed(&q, 45000, false, true, NULL);
    assert_int_equal(feed(&q, 60000, true, true, NULL), POLICY_KEEP); /* 60000 <= 80000: caught */
    assert_int_equal(policy_window_of(q.state), 80000);
}

static void mainline_invalid_wakeup_shrinks_even_when_caught(void **s)
{
    (void)s;
    struct pol p = make("mainline", NULL);
    for (int i = 0; i < 3; i++)
        feed(&p, 30000, true, true, NULL);
    assert_int_equal(policy_window_of(p.state), 40000);
    assert_int_equal(feed(&p, 5000, false, false, NULL), POLICY_SHRINK);
    assert_int_equal(policy_window_of(p.state), 20000);
    feed(&p, 5000, false, false, NULL);
    assert_int_equal(feed(&p, 5000, false, false, NULL), POLICY_SHRINK); /* 5000 < grow_start */
    assert_int_equal(policy_window_of(p.state), 0);
    assert_int_equal(feed(&p, 5000, true, false, NULL), POLICY_SHRINK);  /* traced at 0 too */
    assert_int_equal(policy_window_of(p.state), 0);
}

static void mainline_late_success_still_adapts(void **s)
{
    (void)s;
    struct pol p = make("mainline", NULL);
    feed(&p, 15000, true, true, NULL);
    feed(&p, 15000, true, true, NULL);
    assert_int_equal(policy_window_of(p.state), 20000);
    /* found by the check after the loop timed out: not waited, halt_ns > w */
    assert_int_equal(feed(&p, 20060, false, true, NULL), POLICY_GROW);
    assert_int_equal(policy_window_of(p.state), 40000);
}

static void mainline_halt_poll_ns_0_disables_without_trace(void **s)
{
    (void)s;
    struct pol p = make("mainline", NULL);
    feed(&p, 5000, true, true, NULL);
    assert_int_equal(policy_window_of(p.state), 10000);
    p.param[policy_param_index(p.ops, "halt_poll_ns")] = 0;   /* written at run time */
    int64_t polled;
    assert_int_equal(feed(&p, 5000, true, true, &polled), POLICY_KEEP);
    assert_int_equal(polled, 0);
    assert_int_equal(policy_window_of(p.state), 0);
}

/* ---- guest-haltpoll: adjust_poll_limit ---- */

static void guest_haltpoll_grows_from_grow_start_clamped_to_max(void **s)
{
    (void)s;
    struct pol p = make("guest-haltpoll", NULL);
    assert_int_equal(p.ops->side, POLICY_GUEST);
    assert_int_equal(feed(&p, 30000, true, true, NULL), POLICY_GROW);
    assert_int_equal(policy_window_of(p.state), 50000);         /* 0 * 2 < grow_start */
    assert_int_equal(feed(&p, 40000, true, true, NULL), POLICY_KEEP); /* block <= limit */
    assert_int_equal(feed(&p, 120000, true, true, NULL), POLICY_GROW);
    assert_int_equal(policy_window_of(p.state), 100000);
    assert_int_equal(feed(&p, 150000, true, true, NULL), POLICY_GROW);
    assert_int_equal(policy_window_of(p.state), 200000);
    assert_int_equal(feed(&p, 200000, true, true, NULL), POLICY_KEEP);
    struct pol q = make("guest-haltpoll", "guest_halt_poll_ns", (int64_t)150000, NULL);
    const int64_t h[] = {30000, 60000, 120000, 140000};
    const int64_t w[] = {50000, 100000, 150000, 150000};       /* 200000 clamped to 150000 */
    expect_windows(&q, h, w, 4);
}

static void guest_haltpoll_shrinks_without_floor(void **s)
{
    (void)s;
    struct pol p = make("guest-haltpoll", NULL);
    feed(&p, 30000, true, true, NULL);
    feed(&p, 60000, true, true, NULL);
    feed(&p, 150000, true, true, NULL);
    assert_int_equal(policy_window_of(p.state), 200000);
    const int64_t h[] = {300000, 300000, 300000, 300000, 300000};
    const int64_t w[] = {100000, 50000, 25000, 12500, 6250};   /* below grow_start: kept */
    expect_windows(&p, h, w, 5);
    struct pol q = make("guest-haltpoll", "guest_halt_poll_allow_shrink", (int64_t)0, NULL);
    feed(&q, 30000, true, true, NULL);
    assert_int_equal(feed(&q, 300000, true, true, NULL), POLICY_KEEP);
    assert_int_equal(policy_window_of(q.state), 50000);
    struct pol z = make("guest-haltpoll", "guest_halt_poll_shrink", (int64_t)0, NULL);
    feed(&z, 30000, true, true, NULL);
    assert_int_equal(feed(&z, 300000, true, true, NULL), POLICY_SHRINK);
    assert_int_equal(policy_window_of(z.state), 0);
}

/* ---- oracle: polls exactly the halts cheaper to poll than to block ---- */

static int64_t oracle_window_for(struct pol *p, const struct x86_costs *c, int64_t len)
{
    struct policy_ctx ctx = { .now_ns = 1000000, .next_wakeup_ns = 1000000 + len, .cost = c };
    return p->ops->window(p->state, p->param, &ctx);
}

static void oracle_polls_iff_cheaper_than_blocking(void **s)
{
    (void)s;
    struct x86_costs c;
    assert_int_equal(x86_costs_profile("haswell-2015", &c), 0);
    /* blocked: sched_out + idle_enter + sched_in; polled: len + resume */
    int64_t blocked = c.sched_out_ns + c.idle_enter_ns + c.sched_in_ns;
    int64_t even = blocked - c.poll_hit_resume_ns;
    assert_true(even > c.sched_out_ns);
    struct pol p = make("oracle", NULL);
    assert_true(p.ops->bound);
    assert_int_equal(oracle_window_for(&p, &c, 1000), 1000);
    assert_int_equal(oracle_window_for(&p, &c, even - 1), even - 1);
    assert_int_equal(oracle_window_for(&p, &c, even), 0);       /* a tie blocks */
    assert_int_equal(oracle_window_for(&p, &c, 100000), 0);
    struct policy_ctx unknown = { .now_ns = 0, .next_wakeup_ns = INT64_MAX, .cost = &c };
    assert_int_equal(p.ops->window(p.state, p.param, &unknown), 0);
    /* latency-bounded variant: also every halt within the budget */
    struct pol q = make("oracle", "oracle_latency_budget_ns", (int64_t)50000, NULL);
    assert_int_equal(oracle_window_for(&q, &c, 50000), 50000);
    assert_int_equal(oracle_window_for(&q, &c, 50001), 0);
    assert_int_equal(oracle_window_for(&q, &c, 1000), 1000);
}

/* ---- the example plugin ---- */

static void example_fraction_polls_a_share_of_the_last_halt(void **s)
{
    (void)s;
    struct pol p = make("example-fraction", NULL);
    const int64_t h[] = {10000, 30000, 5000, 1000000, 7};
    const int64_t w[] = {10000, 30000, 5000, 200000, 7};
    expect_windows(&p, h, w, 5);
    struct pol q = make("example-fraction", "fraction_pct", (int64_t)150, "fraction_max_ns", (int64_t)40000, NULL);
    const int64_t h2[] = {10000, 20000, 30000, 10};
    const int64_t w2[] = {15000, 30000, 40000, 15};
    expect_windows(&q, h2, w2, 4);
}

static void registry_sides_and_bounds(void **s)
{
    (void)s;
    for (const struct policy_ops *const *a = policy_registry; *a; a++) {
        bool guest = strcmp((*a)->name, "guest-haltpoll") == 0;
        assert_int_equal((*a)->side, guest ? POLICY_GUEST : POLICY_HOST);
        assert_int_equal((*a)->bound, strcmp((*a)->name, "oracle") == 0);
    }
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
        cmocka_unit_test(mainline_50us_halts_grow_to_80000_and_stay),
        cmocka_unit_test(mainline_150us_halts_grow_to_160000_and_stay),
        cmocka_unit_test(mainline_190us_grows_past_max_then_clamps_silently),
        cmocka_unit_test(mainline_300us_halts_from_0_stay_0),
        cmocka_unit_test(mainline_shrink_2_halves_then_zero_below_grow_start),
        cmocka_unit_test(mainline_shrink_0_resets_at_once),
        cmocka_unit_test(mainline_grows_from_0_to_grow_start),
        cmocka_unit_test(mainline_per_vm_max_below_the_module_parameter),
        cmocka_unit_test(mainline_invalid_wakeup_shrinks_even_when_caught),
        cmocka_unit_test(mainline_late_success_still_adapts),
        cmocka_unit_test(mainline_halt_poll_ns_0_disables_without_trace),
        cmocka_unit_test(guest_haltpoll_grows_from_grow_start_clamped_to_max),
        cmocka_unit_test(guest_haltpoll_shrinks_without_floor),
        cmocka_unit_test(oracle_polls_iff_cheaper_than_blocking),
        cmocka_unit_test(example_fraction_polls_a_share_of_the_last_halt),
        cmocka_unit_test(registry_sides_and_bounds),
    };
    return cmocka_run_group_tests_name("policies", tests, NULL, NULL);
}
