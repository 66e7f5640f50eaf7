/*
 * test_trace_read.c - trace_read() on hand-made fixtures of every line form
 * and on every capture under the shared traces folder.
 *
 * Fixtures: tests/fixtures/traces (run from the repo root, or set
 * HPSIM_FIXTURES). Shared captures: ../shared/traces or HPSIM_SHARED_TRACES;
 * tests needing them skip when absent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "trace_read.h"

#include "capture_paths.h"

/* ---- an event log filled by the callback ---- */

#define LOG_MAX 64

struct log {
    struct trace_event ev[LOG_MAX];
    int n;
    long kinds[8];
};

static int log_cb(const struct trace_event *ev, void *ctx)
{
    struct log *l = ctx;

    l->kinds[ev->kind]++;
    if (l->n < LOG_MAX)
        l->ev[l->n++] = *ev;
    return 0;
}

/* ---- the same five-event halt written in every text form ---- */

/* HLT exit, apic accept, halt_poll_ns grow 10000->20000, wakeup 118000 ns
 * wait valid, entry; vCPU 0, thread 60250 on host CPU 7. */
static void assert_canonical(const char *name, int has_task, int comm_len, int raw)
{
    static const enum trace_kind kinds[] = { TRACE_HLT_EXIT, TRACE_IRQ, TRACE_HALT_POLL,
                                             TRACE_WAKEUP, TRACE_ENTRY };
    static const int64_t ts[] = { 25135606832000, 25135606900000, 25135606950000,
                                  25135606951000, 25135606960000 };
    struct log l = { 0 };
    struct trace_stats st;
    struct hp_error err = { 0 };

    assert_int_equal(trace_read(fixture(name), log_cb, &l, &st, &err), 0);
    assert_int_equal(l.n, 5);
    assert_int_equal(st.malformed, 0);
    assert_int_equal(st.raw_counter, raw);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(l.ev[i].kind, kinds[i]);
        assert_int_equal(l.ev[i].ts_ns, ts[i]);
        assert_int_equal(l.ev[i].cpu, has_task ? 7 : -1);
        assert_int_equal(l.ev[i].pid, has_task ? 60250 : -1);
        if (has_task)
            assert_memory_equal(l.ev[i].comm, "CPU 0/KVM", (size_t)comm_len);
    }
    assert_int_equal(l.ev[1].u.irq.src, TRACE_IRQ_APIC_ACCEPT);
    assert_int_equal(l.ev[1].u.irq.apicid, 0);
    assert_int_equal(l.ev[1].u.irq.vector, 236);
    assert_int_equal(l.ev[2].vcpu, 0);
    assert_int_equal(l.ev[2].u.poll.new_ns, 20000);
    assert_int_equal(l.ev[2].u.poll.old_ns, 10000);
    assert_int_equal(l.ev[2].u.poll.grow, 1);
    assert_int_equal(l.ev[3].u.wakeup.ns, 118000);
    assert_int_equal(l.ev[3].u.wakeup.waited, 1);
    assert_int_equal(l.ev[3].u.wakeup.valid, 1);
    assert_int_equal(l.ev[4].vcpu, 0);
}

static void report_default_form_parses(void **s)
{
    (void)s;
    assert_canonical("report_default.txt", 1, 9, 0);
}

static void report_nine_decimals_parses(void **s)
{
    (void)s;
    assert_canonical("report_t9.txt", 1, 9, 0);
}

static void report_latency_format_truncated_comm_parses(void **s)
{
    (void)s;
    assert_canonical("report_latency.txt", 1, 8, 0);
}

static void report_raw_fields_parse_by_name(void **s)
{
    (void)s;
    assert_canonical("report_raw_fields.txt", 1, 9, 0);
}

static void report_ts_diff_column_is_skipped(void **s)
{
    (void)s;
    assert_canonical("report_tsdiff.txt", 1, 9, 0);
}

static void report_instance_prefix_is_stripped(void **s)
{
    (void)s;
    assert_canonical("report_instance.txt", 1, 8, 0);
}

static void report_raw_counter_timestamps_are_kept_and_flagged(void **s)
{
    (void)s;
    assert_canonical("report_raw_counter.txt", 1, 9, 1);
}

static void tracefs_trace_file_with_5_char_flags_parses(void **s)
{
    struct log l = { 0 };
    struct trace_stats st;

    (void)s;
    assert_canonical("tracefs_trace.txt", 1, 9, 0);
    assert_int_equal(trace_read(fixture("tracefs_trace.txt"), log_cb, &l, &st, NULL), 0);
    assert_int_equal(st.cpus, 20); /* from "#P:20" */
    assert_int_equal(l.ev[0].vcpu, 0); /* 6.18 kvm_exit prints "vcpu 0" */
}

static void tracefs_trace_file_with_4_char_flags_and_tgid_parses(void **s)
{
    (void)s;
    assert_canonical("tracefs_trace_old_tgid.txt", 1, 9, 0);
}

static void perf_script_lines_parse(void **s)
{
    (void)s;
    assert_canonical("perf_script.txt", 1, 9, 0);
}

static void bare_mail_quote_lines_parse_without_task(void **s)
{
    (void)s;
    assert_canonical("bare_mail_quote.txt", 0, 0, 0);
}

/* every payload variant, one line each, in file order */
static void payload_variants_decode(void **s)
{
    struct log l = { 0 };
    struct trace_stats st;
    const struct trace_event *e = l.ev;

    (void)s;
    assert_int_equal(trace_read(fixture("variants.txt"), log_cb, &l, &st, NULL), 0);
    assert_int_equal(st.unknown, 1); /* the emulated "89 38" is no HLT */
    assert_int_equal(l.n, 14);
    assert_int_equal(e[0].kind, TRACE_HLT_EXIT);           /* 0:103d: f4 */
    assert_int_equal(e[1].kind, TRACE_HLT_EXIT);           /* insn=ARRAY[f4, ...] */
    assert_int_equal(e[2].u.irq.src, TRACE_IRQ_INJ_VIRQ);  /* irq 52 */
    assert_int_equal(e[2].u.irq.vector, 52);
    assert_int_equal(e[3].u.irq.vector, 0xb0);             /* IRQ 0xb0 */
    assert_int_equal(e[4].u.irq.src, TRACE_IRQ_SET_IRQ);
    assert_int_equal(e[4].u.irq.gsi, 11);
    assert_int_equal(e[4].u.irq.level, 1);
    assert_int_equal(e[5].u.irq.src, TRACE_IRQ_MSI);       /* logical: no APIC id */
    assert_int_equal(e[5].u.irq.apicid, -1);
    assert_int_equal(e[5].u.irq.vector, 40);
    assert_int_equal(e[6].u.irq.apicid, 0);                /* address 0xfee00000 */
    assert_int_equal(e[6].u.irq.vector, 64);
    assert_int_equal(e[7].kind, TRACE_WAKEUP);             /* poll time, invalid */
    assert_int_equal(e[7].u.wakeup.ns, 236);
    assert_int_equal(e[7].u.wakeup.waited, 0);
    assert_int_equal(e[7].u.wakeup.valid, 0);
    assert_int_equal(e[8].kind, TRACE_HLT_EXIT);           /* SVM "reason hlt" */
    assert_int_equal(e[8].vcpu, 1);
    assert_int_equal(e[9].kind, TRACE_EXIT);
    assert_string_equal(e[9].u.exit.reason, "EXTERNAL_INTERRUPT");
    assert_int_equal(e[10].kind, TRACE_CPU_IDLE);
    assert_int_equal(e[10].u.idle.state, 4294967295LL);
    assert_int_equal(e[10].u.idle.cpu_id, 1);
    assert_string_equal(e[10].comm, "<idle>");
    assert_int_equal(e[11].u.sw.next_pid, 150750);         /* plugin form */
    assert_int_equal(e[11].u.sw.prev_state, 'R');
    assert_int_equal(e[12].u.sw.next_pid, 10400);          /* kernel form */
    assert_int_equal(e[13].kind, TRACE_HLT_EXIT);          /* raw SVM 0x78 */
    assert_int_equal(e[13].vcpu, 3);
    assert_string_equal(e[13].comm, "qemu-system-x86");
}

/* ---- malformed input ---- */

static void malformed_event_lines_are_skipped_and_counted(void **s)
{
    struct log l = { 0 };
    struct trace_stats st;

    (void)s;
    assert_int_equal(trace_read(fixture("malformed_lines.txt"), log_cb, &l, &st, NULL), 0);
    assert_int_equal(l.n, 5);
    assert_int_equal(st.malformed, 2);
    assert_int_equal(st.first_malformed, 4);
}

/* Numbers past what their field can hold (a pid over PID_MAX_LIMIT, vCPU
 * and CPU ids over INT_MAX, a window over the kernel's u32, a halt over
 * 10^6 s) make the line malformed instead of wrapping to another value. */
static void out_of_range_numbers_are_malformed_lines(void **s)
{
    struct log l = { 0 };
    struct trace_stats st;

    (void)s;
    assert_int_equal(trace_read(fixture("out_of_range.txt"), log_cb, &l, &st, NULL), 0);
    assert_int_equal(l.n, 2);
    assert_int_equal(st.malformed, 6);
    assert_int_equal(st.first_malformed, 3);
}

static void assert_error(const char *name, const char *line_tag)
{
    struct log l = { 0 };
    struct hp_error err = { 0 };
    char want[600];

    assert_int_equal(trace_read(fixture(name), log_cb, &l, NULL, &err), -1);
    assert_int_equal(err.code, HP_EXIT_USAGE);
    snprintf(want, sizeof want, "%s%s", name, line_tag);
    assert_non_null(strstr(err.msg, want));
    assert_null(strchr(err.msg, '\n'));
}

static void binary_junk_is_not_a_trace_naming_file_and_line(void **s)
{
    (void)s;
    assert_error("not_a_trace.bin", ":1:");
}

static void prose_without_event_lines_is_not_a_trace(void **s)
{
    (void)s;
    assert_error("prose.txt", ":1:");
}

static void time_going_back_on_one_cpu_names_the_line(void **s)
{
    (void)s;
    assert_error("backwards.txt", ":4:"); /* line 3 is another CPU: fine */
}

static void truncated_dat_is_a_one_line_error(void **s)
{
    (void)s;
    assert_error("truncated.dat", ":1:");
}

static void corrupt_dat_header_is_a_one_line_error(void **s)
{
    (void)s;
    assert_error("garbage.dat", ":1:");
}

/* Regression: make fuzz found that this 24-byte header makes libtracecmd 3.1.6
 * free a buffer twice; the library now runs in a child process, and a crash
 * there is reported as a corrupt file. */
static void libtracecmd_crash_is_contained_as_an_error(void **s)
{
    (void)s;
    assert_error("fuzz_double_free.dat", ": corrupt trace.dat");
}

static void missing_file_names_the_file(void **s)
{
    struct hp_error err = { 0 };

    (void)s;
    assert_int_equal(trace_read(fixture("no-such-file"), log_cb, NULL, NULL, &err), -1);
    assert_non_null(strstr(err.msg, "no-such-file"));
}

static int stop_after_two(const struct trace_event *ev, void *ctx)
{
    (void)ev;
    return ++*(int *)ctx == 2 ? 42 : 0;
}

static void callback_non_zero_stops_and_is_returned(void **s)
{
    int n = 0;

    (void)s;
    assert_int_equal(trace_read(fixture("report_default.txt"), stop_after_two, &n, NULL, NULL),
                     42);
    assert_int_equal(n, 2);
}

/* ---- the shared captures ---- */


static struct log *read_all(const char *path, struct trace_stats *st)
{
    static struct log l;
    struct hp_error err = { 0 };

    memset(&l, 0, sizeof l);
    if (trace_read(path, log_cb, &l, st, &err) != 0)
        fail_msg("%s", err.msg);
    return &l;
}

/* Kind counts of a report text equal independent strstr counts. */
static void assert_report_counts(const char *path)
{
    struct trace_stats st;
    struct log *l = read_all(path, &st);
    long hlt = count_lines(path, "kvm_exit:", "reason HLT") +
               count_lines(path, "kvm_exit:", "reason hlt") +
               count_lines(path, "kvm_emulate_insn:", ": f4");
    long irq = count_lines(path, "kvm_apic_accept_irq:", NULL) +
               count_lines(path, "kvm_inj_virq:", NULL) + count_lines(path, "kvm_set_irq:", NULL) +
               count_lines(path, "kvm_msi_set_irq:", NULL);

    assert_int_equal(st.malformed, 0);
    assert_int_equal(l->kinds[TRACE_HLT_EXIT], hlt);
    assert_int_equal(l->kinds[TRACE_EXIT], count_lines(path, "kvm_exit:", NULL) -
                                               hlt + count_lines(path, "kvm_emulate_insn:", ": f4"));
    assert_int_equal(l->kinds[TRACE_ENTRY], count_lines(path, "kvm_entry:", NULL));
    assert_int_equal(l->kinds[TRACE_WAKEUP], count_lines(path, "kvm_vcpu_wakeup:", NULL));
    assert_int_equal(l->kinds[TRACE_HALT_POLL], count_lines(path, "kvm_halt_poll_ns:", NULL));
    assert_int_equal(l->kinds[TRACE_IRQ], irq);
    assert_int_equal(l->kinds[TRACE_CPU_IDLE], count_lines(path, " cpu_idle:", NULL));
    assert_int_equal(l->kinds[TRACE_SCHED_SWITCH], count_lines(path, " sched_switch:", NULL));
}

static void live_a_report_counts_match_strstr(void **s)
{
    SHARED_OR_SKIP(p, "live/a_idle_timer_1ms/report.txt");
    (void)s;
    assert_report_counts(p);
}

static void live_c_report_counts_match_strstr(void **s)
{
    SHARED_OR_SKIP(p, "live/c_long_idle_10-100ms/report.txt");
    (void)s;
    assert_report_counts(p);
}

static void public_sigmatek_report_counts_match_strstr(void **s)
{
    SHARED_OR_SKIP(p, "public/HIP24-Masterarbeit__sigmatek-analysis-test__host_report.txt");
    (void)s;
    assert_report_counts(p);
}

static void public_v32_report_counts_match_strstr(void **s)
{
    SHARED_OR_SKIP(p, "public/HIP24-Masterarbeit__trace-cmd-v3.2__trace.dat.report.txt");
    struct trace_stats st;

    (void)s;
    assert_report_counts(p);
    read_all(p, &st);
    assert_int_equal(st.raw_counter, 1);
}

static void public_mail_quotes_read(void **s)
{
    SHARED_OR_SKIP(p1, "public/lkml-20231102-sangle-halt-poll-shrink.txt");
    struct trace_stats st;
    struct log *l = read_all(p1, &st);

    (void)s;
    assert_int_equal(l->kinds[TRACE_HALT_POLL], 12);
    assert_int_equal(l->ev[11].u.poll.new_ns, 0);
    assert_int_equal(l->ev[11].u.poll.old_ns, 10000);
    SHARED_OR_SKIP(p2, "public/lkml-20240604-shukla-idle-hlt-svm.txt");
    assert_report_counts(p2);
}

/* Event-by-event: the report text is the trace.dat printed with 6 decimals
 * (rounded) or raw counter values. Compares the first LOG_MAX events and all
 * kind counts. */
static void assert_text_equals_dat(const char *txt, const char *dat, int raw)
{
    static struct log a, b;
    struct trace_stats sa, sb;

    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    assert_int_equal(trace_read(txt, log_cb, &a, &sa, NULL), 0);
    assert_int_equal(trace_read(dat, log_cb, &b, &sb, NULL), 0);
    assert_int_equal(sb.is_dat, 1);
    assert_int_equal(sa.raw_counter, raw);
    assert_int_equal(sb.raw_counter, raw);
    assert_int_equal(sa.cpus, sb.cpus);
    assert_memory_equal(a.kinds, b.kinds, sizeof a.kinds);
    for (int i = 0; i < a.n; i++) {
        int64_t t = raw ? b.ev[i].ts_ns : (b.ev[i].ts_ns + 500) / 1000 * 1000;

        assert_int_equal(a.ev[i].kind, b.ev[i].kind);
        assert_int_equal(a.ev[i].ts_ns, t);
        assert_int_equal(a.ev[i].pid, b.ev[i].pid);
        assert_int_equal(a.ev[i].cpu, b.ev[i].cpu);
        if (a.ev[i].vcpu >= 0) /* the kvm plugin's kvm_exit text omits the vcpu */
            assert_int_equal(a.ev[i].vcpu, b.ev[i].vcpu);
        assert_string_equal(a.ev[i].comm, b.ev[i].comm);
    }
}

static void live_a_text_and_dat_give_the_same_events(void **s)
{
    SHARED_OR_SKIP(t, "live/a_idle_timer_1ms/report.txt");
    char txt[1024];

    (void)s;
    snprintf(txt, sizeof txt, "%s", t);
    SHARED_OR_SKIP(d, "live/a_idle_timer_1ms/trace.dat");
    assert_text_equals_dat(txt, d, 0);
}

static void live_c_text_and_dat_give_the_same_events(void **s)
{
    SHARED_OR_SKIP(t, "live/c_long_idle_10-100ms/report.txt");
    char txt[1024];

    (void)s;
    snprintf(txt, sizeof txt, "%s", t);
    SHARED_OR_SKIP(d, "live/c_long_idle_10-100ms/trace.dat");
    assert_text_equals_dat(txt, d, 0);
}

static void public_v32_zlib_dat_reads_and_equals_its_text(void **s)
{
    SHARED_OR_SKIP(t, "public/HIP24-Masterarbeit__trace-cmd-v3.2__trace.dat.report.txt");
    char txt[1024];

    (void)s;
    snprintf(txt, sizeof txt, "%s", t);
    SHARED_OR_SKIP(d, "public/HIP24-Masterarbeit__trace-cmd-v3.2__trace.dat");
    assert_text_equals_dat(txt, d, 1);
}

/* Counts from shared/traces/README.md and public/PROVENANCE.md. */
struct dat_expect {
    const char *rel;
    long hlt, exit_all, entry, wakeup, poll_lines;
};

static void dat_counts_match_the_documented_ones(void **s)
{
    static const struct dat_expect ex[] = {
        { "live/a_idle_timer_1ms/trace.dat", 3005, 3005, 0, 3005, 4 },
        { "live/b_reqresp_10-50us_msi/trace.dat", 79914, 79914, 0, 79753 + 49, 8 + 3 },
        { "live/c_long_idle_10-100ms/trace.dat", 94, 94, 0, 94, 1 },
        { "live/d_2vcpu_overcommit_cpu1/trace.dat", 52532, 52532, 0, 640 + 47456, 192 + 181 },
        { "live/e1_as_b_halt_poll_0/trace.dat", 38913, 38913, 0, 5 + 38850, 0 },
        { "public/HIP24-Masterarbeit__analysis__trace.dat", 7590, 22772, 22771, 0, 0 },
        { "public/HIP24-Masterarbeit__salamander4-analysis-test__trace.dat", 29876, 110653,
          110654, 0, 0 },
        { "public/HIP24-Masterarbeit__trace-cmd-v3.2__trace.dat", 472, 1558, 1558, 472, 105 },
    };

    (void)s;
    for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++) {
        SHARED_OR_SKIP(p, ex[i].rel);
        struct trace_stats st;
        struct log *l = read_all(p, &st);

        assert_int_equal(st.malformed, 0);
        assert_int_equal(l->kinds[TRACE_HLT_EXIT], ex[i].hlt);
        assert_int_equal(l->kinds[TRACE_HLT_EXIT] + l->kinds[TRACE_EXIT], ex[i].exit_all);
        assert_int_equal(l->kinds[TRACE_ENTRY], ex[i].entry);
        assert_int_equal(l->kinds[TRACE_WAKEUP], ex[i].wakeup);
        assert_int_equal(l->kinds[TRACE_HALT_POLL], ex[i].poll_lines);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(report_default_form_parses),
        cmocka_unit_test(report_nine_decimals_parses),
        cmocka_unit_test(report_latency_format_truncated_comm_parses),
        cmocka_unit_test(report_raw_fields_parse_by_name),
        cmocka_unit_test(report_ts_diff_column_is_skipped),
        cmocka_unit_test(report_instance_prefix_is_stripped),
        cmocka_unit_test(report_raw_counter_timestamps_are_kept_and_flagged),
        cmocka_unit_test(tracefs_trace_file_with_5_char_flags_parses),
        cmocka_unit_test(tracefs_trace_file_with_4_char_flags_and_tgid_parses),
        cmocka_unit_test(perf_script_lines_parse),
        cmocka_unit_test(bare_mail_quote_lines_parse_without_task),
        cmocka_unit_test(payload_variants_decode),
        cmocka_unit_test(malformed_event_lines_are_skipped_and_counted),
        cmocka_unit_test(out_of_range_numbers_are_malformed_lines),
        cmocka_unit_test(binary_junk_is_not_a_trace_naming_file_and_line),
        cmocka_unit_test(prose_without_event_lines_is_not_a_trace),
        cmocka_unit_test(time_going_back_on_one_cpu_names_the_line),
        cmocka_unit_test(truncated_dat_is_a_one_line_error),
        cmocka_unit_test(libtracecmd_crash_is_contained_as_an_error),
        cmocka_unit_test(corrupt_dat_header_is_a_one_line_error),
        cmocka_unit_test(missing_file_names_the_file),
        cmocka_unit_test(callback_non_zero_stops_and_is_returned),
        cmocka_unit_test(live_a_report_counts_match_strstr),
        cmocka_unit_test(live_c_report_counts_match_strstr),
        cmocka_unit_test(public_sigmatek_report_counts_match_strstr),
        cmocka_unit_test(public_v32_report_counts_match_strstr),
        cmocka_unit_test(public_mail_quotes_read),
        cmocka_unit_test(live_a_text_and_dat_give_the_same_events),
        cmocka_unit_test(live_c_text_and_dat_give_the_same_events),
        cmocka_unit_test(public_v32_zlib_dat_reads_and_equals_its_text),
        cmocka_unit_test(dat_counts_match_the_documented_ones),
    };

    return cmocka_run_group_tests(tests, setup_dirs, NULL);
}
