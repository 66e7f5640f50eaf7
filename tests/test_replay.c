/*
 * test_replay.c - replay's pieces below the command line: conformance of the
 * mainline rule on a hand-made trajectory (exact), the model figure's
 * counting, where the captured host's parameters are found, a capture made
 * ready for replay (errors, clock, placement). tests/replay.sh runs
 * `hpsim replay` end to end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conformance.h"
#include "replay.h"
#include "trace_emit.h"

static char shared_dir[512] = "../shared/traces";

static void load(const char *path, struct capture *cap)
{
    struct hp_error err = { 0 };

    if (capture_load(path, 0, NULL, cap, &err) != 0)
        fail_msg("%s", err.msg);
}

/* mainline with its defaults (200000 / 2 / 10000 / 2), one parameter changed. */
static struct policy mainline(const char *param, int64_t value)
{
    struct policy p = { .ops = policy_find("mainline") };

    assert_non_null(p.ops);
    for (int i = 0; p.ops->params[i].name; i++) {
        p.param[i] = p.ops->params[i].def;
        if (param && strcmp(p.ops->params[i].name, param) == 0)
            p.param[i] = value;
        p.nparams = i + 1;
    }
    return p;
}

/* ---- rule conformance ---- */

static void rule_reproduces_the_hand_made_trajectory_on_every_halt(void **s)
{
    struct capture cap;
    struct policy p = mainline(NULL, 0);
    struct conformance c;

    (void)s;
    load("tests/fixtures/replay/trajectory.txt", &cap);
    conformance_rule(&cap, &p, &c);
    assert_null(c.null_why);
    assert_int_equal(c.halts, 10);
    assert_int_equal(c.matched, 10);
    assert_string_equal(c.first_miss, "");
    capture_free(&cap);
}

/* With shrink 0 (the 5.x default) the long halt 8 resets to 0 instead of
 * 100000, and halt 9's invalid wakeup then shrinks 0 where the capture
 * shrank 100000: the figure must see both. */
static void rule_with_the_wrong_shrink_misses_the_shrinking_halts(void **s)
{
    struct capture cap;
    struct policy p = mainline("halt_poll_ns_shrink", 0);
    struct conformance c;

    (void)s;
    load("tests/fixtures/replay/trajectory.txt", &cap);
    conformance_rule(&cap, &p, &c);
    assert_int_equal(c.halts, 10);
    assert_int_equal(c.matched, 8);
    assert_non_null(strstr(c.first_miss, "halt 8"));
    capture_free(&cap);
}

/* With a larger maximum the 300 us halt 8 is no longer above it: the rule
 * grows where the kernel shrank, and the figure must say so. */
static void rule_with_a_larger_maximum_misses_the_long_halt(void **s)
{
    struct capture cap;
    struct policy p = mainline("halt_poll_ns", 400000);
    struct conformance c;

    (void)s;
    load("tests/fixtures/replay/trajectory.txt", &cap);
    conformance_rule(&cap, &p, &c);
    assert_int_equal(c.matched, 9);
    assert_non_null(strstr(c.first_miss, "halt 8"));
    capture_free(&cap);
}

static void conformance_is_null_without_window_lines(void **s)
{
    struct capture cap;
    struct policy p = mainline(NULL, 0);
    struct conformance c;
    const int64_t *w[1] = { NULL };

    (void)s;
    load("tests/fixtures/traces/unknown_event.txt", &cap);
    conformance_rule(&cap, &p, &c);
    assert_non_null(c.null_why);
    assert_non_null(strstr(c.null_why, "kvm_halt_poll_ns"));
    conformance_model(&cap, &p, w, w, &c);
    assert_non_null(c.null_why);
    assert_true(conformance_pct(&c) < 0);
    capture_free(&cap);
}

/* ---- model conformance ---- */

static void model_counts_windows_unpaired_halts_and_decisions(void **s)
{
    /* the captured windows in effect of trajectory.txt's halts */
    static const int64_t eff[10] = { 0, 10000, 20000, 20000, 40000, 80000, 160000, 200000,
                                     200000, 100000 };
    static const int64_t len[10] = { 50000, 50000, 15000, 190000, 190000, 190000, 190000,
                                     190000, 300000, 5000 };
    int64_t win[10], hl[10];
    const int64_t *wp[1] = { win }, *hp[1] = { hl };
    struct capture cap;
    struct policy p = mainline(NULL, 0);
    struct conformance c;

    (void)s;
    memcpy(win, eff, sizeof win);
    memcpy(hl, len, sizeof hl);
    win[2] = -1;       /* the simulation did not halt for halt 2 */
    win[5] = 40000;    /* nor poll as long for halt 5 */
    hl[3] = 250000;    /* and halt 3 lasted past the maximum: shrink, not grow */
    load("tests/fixtures/replay/trajectory.txt", &cap);
    conformance_model(&cap, &p, wp, hp, &c);
    assert_null(c.null_why);
    assert_int_equal(c.halts, 10);
    assert_int_equal(c.unpaired, 1);
    assert_int_equal(c.matched, 8);
    assert_int_equal(c.decisions, 9);
    assert_int_equal(c.decisions_matched, 8);
    assert_non_null(strstr(c.first_miss, "halt 3 decided otherwise"));
    capture_free(&cap);
}

/* ---- the captured host's parameters ---- */

static int has_set(char **sets, int n, const char *want)
{
    for (int i = 0; i < n; i++)
        if (strcmp(sets[i], want) == 0)
            return 1;
    return 0;
}

static void free_sets(char **sets, int n)
{
    for (int i = 0; i < n; i++)
        free(sets[i]);
    free(sets);
}

static void host_params_come_from_recording_txt(void **s)
{
    struct hp_error err = { 0 };
    char **sets;
    int n;
    const char *src;

    (void)s;
    assert_int_equal(replay_host_params("tests/fixtures/replay/trajectory.txt", NULL, &sets, &n, &src, &err), 0);
    assert_int_equal(n, 4);
    assert_non_null(strstr(src, "recording.txt"));
    assert_true(has_set(sets, n, "policy.mainline.halt_poll_ns=200000"));
    assert_true(has_set(sets, n, "policy.mainline.halt_poll_ns_grow=2"));
    assert_true(has_set(sets, n, "policy.mainline.halt_poll_ns_grow_start=10000"));
    assert_true(has_set(sets, n, "policy.mainline.halt_poll_ns_shrink=2"));
    free_sets(sets, n);
}

/* The probe's --halt-poll-ns on the cmd: line is the VM's own maximum. */
static void host_params_take_the_vm_maximum_from_the_probe_command(void **s)
{
    struct hp_error err = { 0 };
    char dir[] = "/tmp/hpsim-test-replay-XXXXXX", path[600], cap[600];
    char **sets;
    int n;
    const char *src;
    FILE *f;

    (void)s;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/recording.txt", dir);
    snprintf(cap, sizeof cap, "%s/trace.dat", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("halt_poll_ns=200000 grow=2 grow_start=10000 shrink=2 (per-VM override, if any, is "
          "the --halt-poll-ns arg)\ncmd: kvmprobe --halt-poll-ns 0 --inject msi\n", f);
    fclose(f);
    f = fopen(cap, "w");                 /* the capture itself (its content is not read here) */
    assert_non_null(f);
    fclose(f);
    assert_int_equal(replay_host_params(cap, NULL, &sets, &n, &src, &err), 0);
    assert_true(has_set(sets, n, "policy.mainline.halt_poll_ns=0"));
    free_sets(sets, n);
    unlink(path);
    unlink(cap);
    rmdir(dir);
}

/* recording.json is read as validate reads it: one that does not parse, or
 * holds a parameter of the wrong type, is a one-line error naming it, not a
 * silent fall back to other sources. */
static void a_bad_recording_json_is_an_error(void **s)
{
    static const char *const bad[][2] = {
        { "{\"module_parameters\": {\"halt_poll_ns\": 200000,}}", "recording.json:1:" },
        { "{\"module_parameters\": {\"halt_poll_ns_grow\": \"two\"}}",
          "module_parameters.halt_poll_ns_grow: expected a number" },
        { "{\"effective_max_halt_poll_ns\": 1e30}", "effective_max_halt_poll_ns: expected a number up to" },
        { "{\"effective_max_halt_poll_ns\": -1e300}", "effective_max_halt_poll_ns: expected a number up to" },
    };
    char dir[] = "/tmp/hpsim-test-replay-XXXXXX", path[600], cap[600];
    char **sets;
    int n;
    const char *src;

    (void)s;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/recording.json", dir);
    snprintf(cap, sizeof cap, "%s/trace.dat", dir);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct hp_error err = { 0 };
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(bad[i][0], f);
        fclose(f);
        f = fopen(cap, "w");
        assert_non_null(f);
        fclose(f);
        assert_int_equal(replay_host_params(cap, NULL, &sets, &n, &src, &err), -1);
        assert_int_equal(err.code, HP_EXIT_USAGE);
        if (!strstr(err.msg, bad[i][1]))
            fail_msg("\"%s\" lacks \"%s\"", err.msg, bad[i][1]);
        free_sets(sets, n);
    }
    unlink(path);
    unlink(cap);
    rmdir(dir);
}

static void host_params_come_from_recording_json(void **s)
{
    struct hp_error err = { 0 };
    char **sets;
    int n;
    const char *src;

    (void)s;
    assert_int_equal(replay_host_params("traces/probe/reqresp_10-50us_poll0/trace.dat", NULL, &sets,
                                        &n, &src, &err), 0);
    assert_non_null(strstr(src, "recording.json"));
    /* vm_halt_poll_ns 0: the maximum in effect is 0 */
    assert_true(has_set(sets, n, "policy.mainline.halt_poll_ns=0"));
    assert_true(has_set(sets, n, "policy.mainline.halt_poll_ns_shrink=2"));
    free_sets(sets, n);
}

static void emitted_header_gives_policy_params_and_duration(void **s)
{
    struct hp_error err = { 0 };
    char **sets;
    int n;
    const char *src;

    (void)s;
    assert_int_equal(replay_host_params("traces/synthetic_tcp_rr.txt", NULL, &sets, &n, &src, &err), 0);
    assert_non_null(strstr(src, "header"));
    assert_true(has_set(sets, n, "policy.mainline.halt_poll_ns=200000"));
    free_sets(sets, n);
    assert_int_equal(trace_emit_read_duration("traces/synthetic_tcp_rr.txt"), 10000000);
    assert_int_equal(trace_emit_read_duration("tests/fixtures/replay/trajectory.txt"), -1);
}

/* ---- a capture made ready for replay ---- */

static void open_rejects_captures_without_kvm_events_and_malformed_lines(void **s)
{
    struct replay_capture rc;
    struct hp_error err = { 0 };

    (void)s;
    assert_int_equal(replay_capture_open("tests/fixtures/traces/no_kvm_events.txt", 0, NULL, &rc, &err), -1);
    assert_int_equal(err.code, HP_EXIT_USAGE);
    assert_non_null(strstr(err.msg, "no_kvm_events.txt: no KVM vCPU events"));
    assert_int_equal(replay_capture_open("tests/fixtures/traces/malformed_lines.txt", 0, NULL, &rc, &err), -1);
    assert_non_null(strstr(err.msg, "malformed_lines.txt:4: malformed event line"));
    assert_int_equal(replay_capture_open("tests/fixtures/traces/truncated.dat", 0, NULL, &rc, &err), -1);
    assert_int_equal(err.code, HP_EXIT_USAGE);
    assert_non_null(strstr(err.msg, "truncated.dat"));
    replay_capture_close(&rc);
}

static void open_places_threads_on_their_host_cpus(void **s)
{
    struct replay_capture rc;
    struct hp_error err = { 0 };

    (void)s;
    assert_int_equal(replay_capture_open("traces/probe/overcommit_2vcpu/trace.dat", 0, NULL, &rc, &err), 0);
    assert_int_equal(rc.cap.n_vcpus, 2);
    assert_int_equal(rc.npcpus, 1);          /* both vCPU threads on host CPU 1 */
    assert_int_equal(rc.pin[0], 0);
    assert_int_equal(rc.pin[1], 0);
    assert_int_equal(rc.host_cpu[0], 1);
    assert_int_equal(rc.ticks_per_ns, 1);
    assert_int_equal(rc.origin, rc.cap.first_ts);
    replay_capture_close(&rc);
}

/* The raw-TSC capture: the clock is estimated from the capture's own halts,
 * and the text form of the same file gives the same estimate. */
static void raw_counter_clock_is_estimated_from_halts(void **s)
{
    char dat[1024], txt[1100];
    struct replay_capture a, b;
    struct hp_error err = { 0 };
    FILE *f;

    (void)s;
    snprintf(dat, sizeof dat, "%s/public/HIP24-Masterarbeit__trace-cmd-v3.2__trace.dat", shared_dir);
    snprintf(txt, sizeof txt, "%s.report.txt", dat);
    if (!(f = fopen(dat, "rb"))) {
        print_message("shared capture %s absent: skipped\n", dat);
        skip();
    }
    fclose(f);
    assert_int_equal(replay_capture_open(dat, 0, NULL, &a, &err), 0);
    assert_int_equal(replay_capture_open(txt, 0, NULL, &b, &err), 0);
    assert_true(a.ticks_per_ns > 1.0 && a.ticks_per_ns < 5.0);
    assert_true(a.ticks_per_ns == b.ticks_per_ns);
    assert_int_equal(a.span_ns, b.span_ns);
    assert_non_null(strstr(a.clock, "estimated"));
    replay_capture_close(&a);
    replay_capture_close(&b);
    assert_int_equal(replay_capture_open(dat, 2.5e9, NULL, &a, &err), 0);
    assert_true(a.ticks_per_ns == 2.5);
    replay_capture_close(&a);
}

static int setup(void **s)
{
    const char *e = getenv("HPSIM_SHARED_TRACES");

    (void)s;
    if (e)
        snprintf(shared_dir, sizeof shared_dir, "%s", e);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rule_reproduces_the_hand_made_trajectory_on_every_halt),
        cmocka_unit_test(rule_with_the_wrong_shrink_misses_the_shrinking_halts),
        cmocka_unit_test(rule_with_a_larger_maximum_misses_the_long_halt),
        cmocka_unit_test(conformance_is_null_without_window_lines),
        cmocka_unit_test(model_counts_windows_unpaired_halts_and_decisions),
        cmocka_unit_test(host_params_come_from_recording_txt),
        cmocka_unit_test(host_params_take_the_vm_maximum_from_the_probe_command),
        cmocka_unit_test(host_params_come_from_recording_json),
        cmocka_unit_test(a_bad_recording_json_is_an_error),
        cmocka_unit_test(emitted_header_gives_policy_params_and_duration),
        cmocka_unit_test(open_rejects_captures_without_kvm_events_and_malformed_lines),
        cmocka_unit_test(open_places_threads_on_their_host_cpus),
        cmocka_unit_test(raw_counter_clock_is_estimated_from_halts),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
