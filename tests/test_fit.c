/*
 * test_fit.c - hpsim fit's estimators (sim/fit.h) on hand-made captures: each
 * test writes a trace-cmd report text with halts whose every time is chosen,
 * loads it as replay does (capture_load) and expects the exact estimates.
 */
#include "testutil.h"

#include "capture.h"
#include "fit.h"

#define INJ_CPU 0

struct fixture {
    char path[64];
    FILE *f;
    int64_t t;       /* the next HLT exit */
};

static void fx_open(struct fixture *x)
{
    int fd;

    snprintf(x->path, sizeof x->path, "/tmp/hpsim-fit-XXXXXX");
    fd = mkstemp(x->path);
    assert_true(fd >= 0);
    x->f = fdopen(fd, "w");
    assert_non_null(x->f);
    fprintf(x->f, "cpus=2\n");
    x->t = 1000000000;
}

static void line(struct fixture *x, int pid, int cpu, int64_t t, const char *event, const char *body)
{
    fprintf(x->f, "       CPU 0/KVM-%d   [%03d]  %lld.%09lld: %s: %s\n", pid, cpu,
            (long long)(t / 1000000000), (long long)(t % 1000000000), event, body);
}

/* Thread pid (vCPU vcpu, on host CPU cpu) shows its vcpu id once. */
static void fx_thread(struct fixture *x, int pid, int vcpu, int cpu)
{
    char b[64];

    snprintf(b, sizeof b, "vcpu %d rip 0x1000", vcpu);
    line(x, pid, cpu, x->t, "kvm_entry", b);
    x->t += 1000;
}

/* One halt: HLT exit, halt start hx later, a delivery a after the start (a <
 * 0: none), kvm_vcpu_wakeup len after the start; then 10 us of guest. */
static void fx_halt(struct fixture *x, int pid, int vcpu, int cpu, int64_t hx, int64_t a,
                    int64_t len, bool waited)
{
    int64_t start = x->t + hx;
    char b[96];

    line(x, pid, cpu, x->t, "kvm_exit", "reason HLT rip 0x1000 info 0 0");
    if (a >= 0) {
        snprintf(b, sizeof b, "apicid %d vec 64 (Fixed|edge)", vcpu);
        fprintf(x->f, "          inj-50    [%03d]  %lld.%09lld: kvm_apic_accept_irq:  %s\n",
                INJ_CPU, (long long)((start + a) / 1000000000),
                (long long)((start + a) % 1000000000), b);
    }
    snprintf(b, sizeof b, "%s time %lld ns, polling valid", waited ? "wait" : "poll",
             (long long)len);
    line(x, pid, cpu, start + len, "kvm_vcpu_wakeup", b);
    x->t = start + len + 10000;
}

/* A fixture with one vCPU thread (pid 100, vCPU 0, host CPU 1). */
static void fx_begin(struct fixture *x)
{
    fx_open(x);
    fx_thread(x, 100, 0, 1);
}

static void fx_end(struct fit_result *r, struct capture *cap)
{
    fit_free(r);
    capture_free(cap);
}

/* Close the file, load it and fit with the VM's window vm_window. */
static void fx_fit(struct fixture *x, int64_t vm_window, struct capture *cap, struct fit_result *r)
{
    struct hp_error err = { 0 };
    struct x86_costs base;
    struct fit_input in;

    fclose(x->f);
    if (capture_load(x->path, 0, NULL, cap, &err) != 0)
        fail_msg("capture: %s", err.msg);
    remove(x->path);
    assert_int_equal(x86_costs_profile("haswell-2015", &base), 0);
    in = (struct fit_input){ cap, "fixture", vm_window };
    if (fit_estimate(&in, 1, &base, r, &err) != 0)
        fail_msg("fit: %s", err.msg);
}

static void fit_hlt_exit_is_the_lower_median(void **state)
{
    static const int64_t hx[] = { 3000, 1000, 4000, 2000 };
    struct fixture x;
    struct capture cap;
    struct fit_result r;

    (void)state;
    fx_begin(&x);
    for (int i = 0; i < 4; i++)
        fx_halt(&x, 100, 0, 1, hx[i], -1, 50000, true);
    fx_fit(&x, 0, &cap, &r);
    assert_int_equal(r.hlt_exit.n, 4);
    assert_int_equal(r.hlt_exit.value, 2000);   /* sorted 1000 2000 3000 4000: [(4-1)/2] */
    assert_int_equal(r.poll_iter.n, 0);         /* no delivery: nothing else to fit */
    assert_int_equal(r.nstates, 0);
    fx_end(&r, &cap);
}

static void fit_poll_iter_is_twice_the_median_poll_hit_delay(void **state)
{
    static const int64_t delay[] = { 700, 300, 500 };
    struct fixture x;
    struct capture cap;
    struct fit_result r;

    (void)state;
    fx_begin(&x);
    for (int i = 0; i < 3; i++)
        fx_halt(&x, 100, 0, 1, 1000, 20000, 20000 + delay[i], false);
    fx_halt(&x, 100, 0, 1, 1000, 20000, 20000 + 90000, true);  /* blocked: not a poll hit */
    fx_fit(&x, -1, &cap, &r);
    assert_int_equal(r.poll_iter.n, 3);
    assert_int_equal(r.poll_iter.value, 1000);
    assert_int_equal(r.poll_hit_resume.n, 0);   /* no kvm_entry after a wakeup */
    assert_int_equal(r.nstates, 0);             /* the window is unknown: no block-path sample */
    fx_end(&r, &cap);
}

/* 30 halts blocked 20 us before a delivery woken 9 us later, 30 blocked 5 ms
 * and woken 60 us later (haswell-2015: wake_signal 300, sched_in 2500,
 * sched_out 2000, idle_enter 1000). */
static void fit_cstates_split_at_the_change_point(void **state)
{
    struct fixture x;
    struct capture cap;
    struct fit_result r;

    (void)state;
    fx_begin(&x);
    for (int i = 0; i < 30; i++) {
        fx_halt(&x, 100, 0, 1, 1000, 20000, 20000 + 9000, true);
        fx_halt(&x, 100, 0, 1, 1000, 5000000, 5000000 + 60000, true);
    }
    fx_fit(&x, 0, &cap, &r);
    assert_int_equal(r.wake_n, 60);
    assert_int_equal(r.nstates, 2);
    /* the first grid point 1 us x 2^(k/4) above 20 us: k = 18, 22.627 us */
    assert_int_equal(r.boundary_ns, 22627);
    assert_int_equal(r.state_n[0], 30);
    assert_int_equal(r.state_n[1], 30);
    assert_int_equal(r.state_wake_ns[0], 9000);
    assert_int_equal(r.cstate[0].actual_exit_ns, 9000 - 300 - 2500);
    assert_int_equal(r.cstate[0].target_residency_ns, 0);
    assert_int_equal(r.cstate[1].actual_exit_ns, 60000 - 300 - 2500);
    assert_int_equal(r.cstate[1].target_residency_ns, 22627 - 2000 - 1000);
    assert_string_equal(r.cstate[1].name, "deep");
    fx_end(&r, &cap);
}

static void fit_one_state_below_the_group_minimum(void **state)
{
    struct fixture x;
    struct capture cap;
    struct fit_result r;

    (void)state;
    fx_begin(&x);
    for (int i = 0; i < FIT_MIN_GROUP - 1; i++)
        fx_halt(&x, 100, 0, 1, 1000, 20000, 20000 + 9000 + i, true);
    for (int i = 0; i < FIT_MIN_GROUP + 5; i++)
        fx_halt(&x, 100, 0, 1, 1000, 5000000, 5000000 + 60000, true);
    fx_fit(&x, 0, &cap, &r);
    assert_int_equal(r.nstates, 1);                  /* 19 short: no side of >= 20 */
    assert_int_equal(r.state_wake_ns[0], 60000);     /* median of 19 short + 25 long */
    assert_int_equal(r.cstate[0].actual_exit_ns, 60000 - 2800);
    fx_end(&r, &cap);
}

static void fit_leaves_out_threads_that_share_a_cpu(void **state)
{
    struct fixture x;
    struct capture cap;
    struct fit_result r;

    (void)state;
    fx_open(&x);
    fx_thread(&x, 100, 0, 1);
    fx_thread(&x, 101, 1, 1);
    for (int i = 0; i < 30; i++) {
        fx_halt(&x, 100, 0, 1, 1000, 20000, 29000, true);
        fx_halt(&x, 101, 1, 1, 1000, 20000, 29000, true);
    }
    fx_fit(&x, 0, &cap, &r);
    assert_int_equal(cap.n_vcpus, 2);
    assert_int_equal(r.wake_n, 0);
    assert_int_equal(r.nstates, 0);
    assert_int_equal(r.hlt_exit.n, 60);              /* the HLT exit still counts */
    fx_end(&r, &cap);
}

static void fit_fragment_holds_fields_and_provenance(void **state)
{
    struct fixture x;
    struct capture cap;
    struct fit_result r;
    struct x86_costs base;
    struct fit_input in;
    const char *kernel = "6.18-test";
    json_t *frag, *costs;

    (void)state;
    fx_begin(&x);
    for (int i = 0; i < 3; i++)
        fx_halt(&x, 100, 0, 1, 1500, 20000, 20400, false);
    fx_fit(&x, -1, &cap, &r);
    assert_int_equal(x86_costs_profile("haswell-2015", &base), 0);
    in = (struct fit_input){ &cap, "fixture", -1 };
    frag = fit_fragment(&r, &base, &in, &kernel, 1, "hpsim fit fixture");
    costs = json_object_get(frag, "costs");
    assert_string_equal(json_string_value(json_object_get(costs, "profile")), "haswell-2015");
    assert_int_equal(json_integer_value(json_object_get(costs, "hlt_exit_ns")), 1500);
    assert_int_equal(json_integer_value(json_object_get(costs, "poll_iter_ns")), 800);
    assert_null(json_object_get(costs, "cstates"));  /* not fitted: the base's table stays */
    assert_int_equal(json_integer_value(json_object_get(json_object_get(json_array_get(
        json_object_get(json_object_get(frag, "_fit"), "captures"), 0), "samples"),
        "poll_iter_ns")), 3);
    assert_non_null(json_object_get(json_object_get(json_object_get(frag, "_fit"),
                                                    "kept_from_base"), "cstates"));
    json_decref(frag);
    fx_end(&r, &cap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fit_hlt_exit_is_the_lower_median),
        cmocka_unit_test(fit_poll_iter_is_twice_the_median_poll_hit_delay),
        cmocka_unit_test(fit_cstates_split_at_the_change_point),
        cmocka_unit_test(fit_one_state_below_the_group_minimum),
        cmocka_unit_test(fit_leaves_out_threads_that_share_a_cpu),
        cmocka_unit_test(fit_fragment_holds_fields_and_provenance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
