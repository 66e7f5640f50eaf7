/*
 * test_capture.c - capture_load() and capture_figures(): exact halts on a
 * hand-made fixture, and per-vCPU counts on every shared capture checked
 * against counts made independently (strstr over report.txt, NULL, or the tables of
 * shared/traces/README.md and public/PROVENANCE.md, themselves re-counted with
 * `trace-cmd report | grep`).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture.h"

#define WAKE_COST 5000

#include "capture_paths.h"

static void load(const char *path, struct capture *cap)
{
    struct hp_error err = { 0 };

    if (capture_load(path, WAKE_COST, NULL, cap, &err) != 0)
        fail_msg("%s", err.msg);
}

static struct capture_figures figures(const struct capture *cap, int vcpu)
{
    struct capture_figures f;

    assert_int_equal(capture_figures(cap, vcpu, &f, NULL), 0);
    return f;
}

#define assert_value(val, want)                                                       \
    do {                                                                              \
        assert_null((val).null_why);                                                  \
        assert_int_equal((val).v, (want));                                            \
    } while (0)

static void assert_halt(const struct capture_halt *h, int64_t hlt, int64_t wake, int64_t end,
                        int64_t ns, int64_t window, int64_t run, int waited, int valid,
                        int flags)
{
    assert_int_equal(h->hlt_ns, hlt);
    assert_int_equal(h->wake_ns, wake);
    assert_int_equal(h->end_ns, end);
    assert_int_equal(h->halt_ns, ns);
    assert_int_equal(h->window_ns, window);
    assert_int_equal(h->run_ns, run);
    assert_int_equal(h->waited, waited);
    assert_int_equal(h->valid, valid);
    assert_int_equal(h->flags, flags);
}

/* ---- the hand-made capture ---- */

/* Thread 100 (vCPU 0): a HLT undone by an entry (interrupt pending), a polled
 * halt woken by an MSI from another thread, a waited halt with no delivery.
 * Thread 101 (vCPU 1, learned late): wakeup-only tracing, window known only
 * from a later kvm_halt_poll_ns line. */
static void halts_are_built_from_exits_wakeups_and_deliveries(void **s)
{
    struct capture cap;
    const struct capture_vcpu *a, *b;

    (void)s;
    load(fixture("capture_basic.txt"), &cap);
    assert_int_equal(cap.n_vcpus, 2);
    a = &cap.vcpus[0];
    b = &cap.vcpus[1];
    assert_int_equal(a->pid, 100);
    assert_int_equal(a->vcpu_id, 0);
    assert_string_equal(a->comm, "CPU 0/KVM");
    assert_int_equal(a->halt_exits, 3);
    assert_int_equal(a->n_halts, 2);
    assert_halt(&a->halts[0], 1000020000, 1000052000, 1000061000, 40000, 10000, -1, 0, 1, 0);
    assert_halt(&a->halts[1], 1000100000, 1002100000 - WAKE_COST, 1002100000, 1990000, 20000,
                30000, 1, 1, CAPTURE_WAKE_DERIVED);
    assert_int_equal(b->pid, 101);
    assert_int_equal(b->vcpu_id, 1);
    assert_int_equal(b->halt_exits, 0);
    assert_int_equal(b->n_halts, 2);
    assert_halt(&b->halts[0], 1002500000, 1003000000 - WAKE_COST, 1003000000, 500000, 40000,
                -1, 1, 1, CAPTURE_HLT_DERIVED | CAPTURE_WAKE_DERIVED | CAPTURE_WINDOW_BACKFILLED);
    assert_halt(&b->halts[1], 1003201000, 1003400000, 1003501000, 300000, 40000, 201000, 1, 0,
                CAPTURE_HLT_DERIVED);
    assert_int_equal(cap.irqs, 5);
    assert_int_equal(cap.irqs_untargeted, 1); /* kvm_set_irq */
    capture_free(&cap);
}

static void figures_sum_polls_waits_and_observed_latencies(void **s)
{
    struct capture cap;
    struct capture_figures f;

    (void)s;
    load(fixture("capture_basic.txt"), &cap);
    f = figures(&cap, -1);
    assert_string_equal(f.units, "ns");
    assert_value(f.halts, 4);
    assert_value(f.halt_exits, 3);
    assert_value(f.polls, 1);
    assert_value(f.waits, 3);
    assert_value(f.polls_caught, 1);
    assert_value(f.invalid, 1);
    assert_value(f.poll_ns, 40000);
    assert_value(f.wait_ns, 1990000 + 500000 + 300000);
    assert_value(f.windows_known, 4);
    assert_value(f.wake_lat_n, 2);          /* 9000 and 101000 ns */
    assert_value(f.wake_lat_mean_ns, 55000);
    assert_value(f.wake_lat_p50_ns, 9000);
    assert_value(f.wake_lat_p99_ns, 101000);
    assert_value(f.wake_lat_max_ns, 101000);
    assert_non_null(strstr(f.c0_ppm.null_why, "cpu_idle"));
    f = figures(&cap, 1);
    assert_value(f.halts, 2);
    assert_value(f.halt_exits, 0);
    assert_non_null(f.c0_ppm.null_why);
    assert_int_equal(capture_figures(&cap, 2, &f, NULL), -1);
    capture_free(&cap);
}

static void c0_comes_from_cpu_idle_and_missing_halts_are_null(void **s)
{
    struct capture cap;
    struct capture_figures f;

    (void)s;
    load(fixture("capture_idle.txt"), &cap);
    f = figures(&cap, -1);
    assert_value(f.c0_ppm, 400000); /* idle 0.6 of 1 ms on the one CPU with events */
    assert_non_null(strstr(f.halts.null_why, "kvm_vcpu_wakeup"));
    assert_non_null(f.wake_lat_n.null_why);
    assert_value(f.halt_exits, 1);
    capture_free(&cap);
}

static void capture_load_error_names_the_file_and_leaves_it_empty(void **s)
{
    struct capture cap;
    struct hp_error err = { 0 };

    (void)s;
    assert_int_equal(capture_load(fixture("backwards.txt"), 0, NULL, &cap, &err), -1);
    assert_non_null(strstr(err.msg, "backwards.txt:4:"));
    assert_int_equal(cap.n_vcpus, 0);
    assert_null(cap.vcpus);
    capture_free(&cap);
}

/* SIGINT while a capture is read: the reading stops with exit 130's code
 * (the signal handler sets the flag), text and trace.dat alike; a flag that
 * stays clear changes nothing. */
static void a_set_stop_flag_interrupts_reading(void **s)
{
    static const char *const paths[] = { "tests/fixtures/traces/capture_basic.txt",
                                          "traces/probe/overcommit_2vcpu/trace.dat" };
    (void)s;
    for (int i = 0; i < 2; i++) {
        struct capture cap;
        struct hp_error err = { 0 };
        volatile int stop = 0;
        assert_int_equal(capture_load(paths[i], 0, &stop, &cap, &err), 0);
        assert_true(cap.n_vcpus > 0);
        capture_free(&cap);
        stop = 1;
        assert_int_equal(capture_load(paths[i], 0, &stop, &cap, &err), -1);
        assert_int_equal(err.code, HP_EXIT_INTERRUPTED);
        assert_non_null(strstr(err.msg, "interrupted while reading"));
        assert_int_equal(cap.n_vcpus, 0);
        capture_free(&cap);
    }
}

/* ---- the shared captures ---- */


static void assert_report_figures(const char *rel)
{
    SHARED_OR_SKIP(p, rel);
    struct capture cap;
    struct capture_figures f;

    load(p, &cap);
    f = figures(&cap, -1);
    assert_value(f.polls, count_lines(p, "kvm_vcpu_wakeup:", "poll time"));
    assert_value(f.waits, count_lines(p, "kvm_vcpu_wakeup:", "wait time"));
    assert_value(f.halts, count_lines(p, "kvm_vcpu_wakeup:", NULL));
    assert_value(f.halt_exits, count_lines(p, "kvm_emulate_insn:", ": f4") +
                                   count_lines(p, "kvm_exit:", "reason HLT"));
    capture_free(&cap);
}

static void live_a_and_c_reports_match_strstr_counts(void **s)
{
    (void)s;
    assert_report_figures("live/a_idle_timer_1ms/report.txt");
    assert_report_figures("live/c_long_idle_10-100ms/report.txt");
    assert_report_figures("public/HIP24-Masterarbeit__sigmatek-analysis-test__host_report.txt");
    assert_report_figures("public/HIP24-Masterarbeit__trace-cmd-v3.2__trace.dat.report.txt");
}

struct vcpu_expect {
    int vcpu_id;
    long polls, waits, halt_exits;
};

static void assert_vcpus(const char *rel, const struct vcpu_expect *ex, size_t n)
{
    SHARED_OR_SKIP(p, rel);
    struct capture cap;

    load(p, &cap);
    assert_int_equal(cap.n_vcpus, n);
    for (size_t i = 0; i < n; i++) {
        struct capture_figures f = figures(&cap, (int)i);

        assert_int_equal(cap.vcpus[i].vcpu_id, ex[i].vcpu_id);
        assert_value(f.polls, ex[i].polls);
        assert_value(f.waits, ex[i].waits);
        assert_value(f.halt_exits, ex[i].halt_exits);
    }
    capture_free(&cap);
}

/* README table (poll/wait wakeups); HLT exits = f4 lines of trace-cmd report;
 * d per vCPU from the wakeup lines of each thread (10100: 24117, 10101: 23979). */
static void live_dat_captures_match_the_readme_table(void **s)
{
    static const struct vcpu_expect a[] = { { 0, 0, 3005, 3005 } };
    static const struct vcpu_expect b[] = { { 0, 79753, 49, 79914 } };
    static const struct vcpu_expect c[] = { { 0, 0, 94, 94 } };
    static const struct vcpu_expect d[] = { { 0, 369, 23748, 26268 }, { 1, 271, 23708, 26264 } };
    static const struct vcpu_expect e1[] = { { -1, 5, 38850, 38913 } };

    (void)s;
    assert_vcpus("live/a_idle_timer_1ms/trace.dat", a, 1);
    assert_vcpus("live/b_reqresp_10-50us_msi/trace.dat", b, 1);
    assert_vcpus("live/c_long_idle_10-100ms/trace.dat", c, 1);
    assert_vcpus("live/d_2vcpu_overcommit_cpu1/trace.dat", d, 2);
    assert_vcpus("live/e1_as_b_halt_poll_0/trace.dat", e1, 1);
}

static void overcommit_has_more_hlt_exits_than_halts(void **s)
{
    SHARED_OR_SKIP(p, "live/d_2vcpu_overcommit_cpu1/trace.dat");
    struct capture cap;
    struct capture_figures f;

    (void)s;
    load(p, &cap);
    f = figures(&cap, -1);
    assert_value(f.halts, 640 + 47456);
    assert_value(f.halt_exits, 52532);
    assert_value(f.windows_known, 640 + 47456); /* both threads print kvm_halt_poll_ns */
    assert_null(f.wake_lat_n.null_why);        /* MSIs from the injector thread */
    capture_free(&cap);
}

static void halt_poll_0_capture_has_no_window_and_one_unnamed_vcpu(void **s)
{
    SHARED_OR_SKIP(p, "live/e1_as_b_halt_poll_0/trace.dat");
    struct capture cap;
    struct capture_figures f;

    (void)s;
    load(p, &cap);
    f = figures(&cap, -1);
    assert_value(f.windows_known, 0);
    /* apicid 0 deliveries go to the one thread whose vcpu_id is unknown */
    assert_true(f.wake_lat_n.v > 38000);
    capture_free(&cap);
}

static void exit_only_captures_give_halt_exits_and_null_halts(void **s)
{
    SHARED_OR_SKIP(p1, "public/HIP24-Masterarbeit__analysis__trace.dat");
    struct capture cap;
    struct capture_figures f;

    (void)s;
    load(p1, &cap);
    f = figures(&cap, -1);
    assert_value(f.halt_exits, 7590);
    assert_non_null(f.halts.null_why);
    assert_non_null(f.poll_ns.null_why);
    capture_free(&cap);
    SHARED_OR_SKIP(p2, "public/HIP24-Masterarbeit__salamander4-analysis-test__trace.dat");
    load(p2, &cap);
    f = figures(&cap, -1);
    assert_value(f.halt_exits, 29876);
    assert_non_null(f.halts.null_why);
    capture_free(&cap);
}

static void sigmatek_report_has_c0_from_cpu_idle(void **s)
{
    SHARED_OR_SKIP(p, "public/HIP24-Masterarbeit__sigmatek-analysis-test__host_report.txt");
    struct capture cap;
    struct capture_figures f;

    (void)s;
    load(p, &cap);
    f = figures(&cap, -1);
    assert_null(f.c0_ppm.null_why);
    assert_in_range(f.c0_ppm.v, 1, 999999);
    assert_value(f.halts, 215);
    assert_value(f.polls, 1);
    capture_free(&cap);
}

/* ---- text and trace.dat of one capture give the same halts ---- */

static int64_t us_round(int64_t t, int raw)
{
    return raw ? t : (t + 500) / 1000 * 1000;
}

static void assert_same_halt(const struct capture_halt *t, const struct capture_halt *d,
                             int raw)
{
    int64_t end = us_round(d->end_ns, raw);

    assert_int_equal(t->flags, d->flags);
    assert_int_equal(t->halt_ns, d->halt_ns);
    assert_int_equal(t->window_ns, d->window_ns);
    assert_int_equal(t->waited, d->waited);
    assert_int_equal(t->valid, d->valid);
    assert_int_equal(t->end_ns, end);
    assert_int_equal(t->hlt_ns, (d->flags & CAPTURE_HLT_DERIVED) ? end - d->halt_ns
                                                                  : us_round(d->hlt_ns, raw));
    if (!(d->flags & CAPTURE_WAKE_DERIVED))
        assert_int_equal(t->wake_ns, us_round(d->wake_ns, raw));
    assert_true(t->run_ns == d->run_ns || (t->run_ns >= 0 && d->run_ns >= 0 &&
                                           llabs(t->run_ns - d->run_ns) <= 1000));
}

static void assert_same_halts(const char *txt_rel, const char *dat_rel, int raw)
{
    SHARED_OR_SKIP(tp, txt_rel);
    SHARED_OR_SKIP(dp, dat_rel);
    struct capture t, d;

    load(tp, &t);
    load(dp, &d);
    assert_int_equal(t.n_vcpus, d.n_vcpus);
    for (size_t i = 0; i < t.n_vcpus; i++) {
        assert_int_equal(t.vcpus[i].pid, d.vcpus[i].pid);
        assert_int_equal(t.vcpus[i].vcpu_id, d.vcpus[i].vcpu_id);
        assert_int_equal(t.vcpus[i].halt_exits, d.vcpus[i].halt_exits);
        assert_int_equal(t.vcpus[i].n_halts, d.vcpus[i].n_halts);
        for (size_t k = 0; k < t.vcpus[i].n_halts; k++)
            assert_same_halt(&t.vcpus[i].halts[k], &d.vcpus[i].halts[k], raw);
    }
    capture_free(&t);
    capture_free(&d);
}

static void text_and_dat_forms_give_identical_halts(void **s)
{
    (void)s;
    assert_same_halts("live/a_idle_timer_1ms/report.txt", "live/a_idle_timer_1ms/trace.dat", 0);
    assert_same_halts("live/c_long_idle_10-100ms/report.txt",
                      "live/c_long_idle_10-100ms/trace.dat", 0);
    assert_same_halts("public/HIP24-Masterarbeit__trace-cmd-v3.2__trace.dat.report.txt",
                      "public/HIP24-Masterarbeit__trace-cmd-v3.2__trace.dat", 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(halts_are_built_from_exits_wakeups_and_deliveries),
        cmocka_unit_test(figures_sum_polls_waits_and_observed_latencies),
        cmocka_unit_test(c0_comes_from_cpu_idle_and_missing_halts_are_null),
        cmocka_unit_test(capture_load_error_names_the_file_and_leaves_it_empty),
        cmocka_unit_test(a_set_stop_flag_interrupts_reading),
        cmocka_unit_test(live_a_and_c_reports_match_strstr_counts),
        cmocka_unit_test(live_dat_captures_match_the_readme_table),
        cmocka_unit_test(overcommit_has_more_hlt_exits_than_halts),
        cmocka_unit_test(halt_poll_0_capture_has_no_window_and_one_unnamed_vcpu),
        cmocka_unit_test(exit_only_captures_give_halt_exits_and_null_halts),
        cmocka_unit_test(sigmatek_report_has_c0_from_cpu_idle),
        cmocka_unit_test(text_and_dat_forms_give_identical_halts),
    };

    return cmocka_run_group_tests(tests, setup_dirs, NULL);
}
