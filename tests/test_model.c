/* test_model.c - whole runs: determinism, conservation on a mixed
 * overcommitted host, the poll that stops for a runnable sibling, and the
 * upstream thread's claims on tcp_rr. */
#include "testutil.h"

#include <math.h>

static const char *mixed_json =
    "{\"name\": \"mixed\", \"duration_s\": 0.5, \"seed\": 9,"
    " \"host\": {\"pcpus\": 2, \"sched_slice_ns\": 1000000},"
    " \"policies\": [\"none\", \"always\", \"v3\", \"v4\", \"blocktime\", \"toggle\"],"
    " \"vms\": ["
    "  {\"count\": 2, \"vcpus\": 2, \"workload\": {\"type\": \"tcp_rr\", \"streams\": 2}},"
    "  {\"count\": 3, \"vcpus\": 2, \"workload\": {\"type\": \"arrivals\", \"delivery\": \"timer\","
    "     \"interarrival\": {\"dist\": \"constant\", \"value_ns\": 1000000}, \"handler\": 10000}},"
    "  {\"count\": 1, \"vcpus\": 1, \"workload\": {\"type\": \"arrivals\","
    "     \"interarrival\": {\"dist\": \"exponential\", \"mean_ns\": 200000},"
    "     \"handler\": {\"dist\": \"exponential\", \"mean_ns\": 150000}}}"
    " ]}";

static char *run_json(const char *json, const char *set)
{
    json_error_t je;
    json_t *root = json_loads(json, 0, &je);
    struct hp_error err = {0};
    if (set)
        assert_int_equal(cfg_set(root, "t", set, &err), 0);
    struct sim_spec spec;
    if (sim_spec_load(root, "t.json", NULL, &spec, &err))
        fail_msg("%s", err.msg);
    json_t *rows = json_array();
    for (int i = 0; i < spec.npolicies; i++) {
        struct metrics *m = tu_run(&spec, i);
        json_array_append_new(rows, results_policy_json(&spec, spec.policies[i].ops->name, m));
        free(m);
    }
    json_t *doc = results_doc(&spec, rows);
    char *s = json_dumps(doc, JSON_INDENT(1) | JSON_REAL_PRECISION(12));
    json_decref(doc);
    sim_spec_free(&spec);
    return s;
}

static void same_seed_gives_identical_results(void **st)
{
    (void)st;
    char *a = run_json(mixed_json, NULL), *b = run_json(mixed_json, NULL);
    assert_string_equal(a, b);
    char *c = run_json(mixed_json, "seed=10");
    assert_true(strcmp(a, c) != 0);
    free(a);
    free(b);
    free(c);
}

/* Conservation and counter consistency for every policy of spec. */
static void check_conservation(const struct sim_spec *spec)
{
    for (int i = 0; i < spec->npolicies; i++) {
        struct metrics *m = tu_run(spec, i);
        if (!m->conservation_ok)
            fail_msg("%s: %s", spec->policies[i].ops->name, m->conservation_msg);
        int64_t sum = 0, idle = 0;
        for (int a = 0; a < ACCT_N; a++)
            sum += m->acct_ns[a];
        for (int c = 0; c < spec->costs.ncstates; c++)
            idle += m->cstate_ns[c];
        assert_int_equal(sum, spec->duration_ns * spec->pcpus);
        assert_int_equal(idle, m->acct_ns[ACCT_IDLE]);
        /* Every HLT exit either entered the halt code or found work pending;
         * at most one per vCPU is still in flight at the end. */
        int64_t gap = (int64_t)m->k.halt_exits - (int64_t)m->k.halts - (int64_t)m->halts_skipped;
        assert_true(gap >= 0 && gap <= spec->nvcpus);
        assert_true(m->k.halt_successful_poll <= m->k.halt_attempted_poll);
        assert_true(m->k.halt_attempted_poll <= m->k.halts);
        assert_int_equal(m->k.halt_poll_success_ns + m->k.halt_poll_fail_ns <= m->acct_ns[ACCT_POLL], 1);
        if (strcmp(spec->policies[i].ops->name, "none") == 0)
            assert_int_equal(m->acct_ns[ACCT_POLL], 0);
        free(m);
    }
}

static void every_pcpu_nanosecond_is_accounted_once(void **st)
{
    (void)st;
    struct sim_spec spec;
    tu_spec(&spec, mixed_json);
    check_conservation(&spec);
    sim_spec_free(&spec);
}

/* The same with threads that move between pCPUs when woken (host.placement
 * "free", in sets of 2 and of all pCPUs), and on the shipped mixed config
 * with every workload (idle Linux and Windows, tcp_rr, storage, a mixture). */
static void every_pcpu_nanosecond_is_accounted_once_free_and_all_workloads(void **st)
{
    (void)st;
    static const char *const cases[][3] = {
        {NULL, "host.placement=free", "host.set_size=2"},
        {NULL, "host.placement=free", "host.pcpus=3"},
        {"configs/overcommit_mixed.json", "duration_s=0.3", "host.placement=pinned"},
        {"configs/overcommit_mixed.json", "duration_s=0.3", "host.placement=free"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        struct hp_error err = {0};
        json_t *root = cases[k][0] ? cfg_load(cases[k][0], (char **)&cases[k][1], 2, &err)
                                   : json_loads(mixed_json, 0, NULL);
        assert_non_null(root);
        for (int j = 1; !cases[k][0] && j < 3; j++)
            assert_int_equal(cfg_set(root, "t", cases[k][j], &err), 0);
        struct sim_spec spec;
        if (sim_spec_load(root, cases[k][0] ? cases[k][0] : "t.json", "none,always,v3,v4,blocktime,toggle",
                          &spec, &err))
            fail_msg("%s", err.msg);
        check_conservation(&spec);
        sim_spec_free(&spec);
    }
}

/* KVM stops polling when another task is runnable on the pCPU: a vCPU that
 * polls 10 ms must not hold off its sibling's wakeup. */
static void poll_stops_when_a_sibling_becomes_runnable(void **st)
{
    (void)st;
    struct sim_spec spec;
    tu_spec(&spec,
            "{\"duration_s\": 1, \"policies\": [\"always\"], \"policy\": {\"halt_poll_ns\": 10000000},"
            " \"host\": {\"pcpus\": 1},"
            " \"vms\": [{\"count\": 2, \"workload\": {\"type\": \"arrivals\","
            "   \"interarrival\": {\"dist\": \"exponential\", \"mean_ns\": 3000000}, \"handler\": 5000}}]}");
    struct metrics *m = tu_run(&spec, 0);
    assert_true(m->conservation_ok);
    int64_t p99 = hist_percentile(&m->wakeup, 0.99);
    if (p99 > 100000)
        fail_msg("wakeup p99 %lld ns: a poll held the pCPU", (long long)p99);
    /* and polls did fail for that reason (halts ~3 ms < 10 ms window otherwise catch) */
    assert_true(m->k.halt_poll_fail_ns > 0);
    free(m);
    sim_spec_free(&spec);
}

static const char *tcp_rr_json =
    "{\"duration_s\": 0.5, \"policies\": [\"none\", \"always\", \"v4\", \"blocktime\"],"
    " \"vms\": [{\"workload\": {\"type\": \"tcp_rr\","
    "   \"one_way_latency\": {\"dist\": \"lognormal\", \"median_ns\": 4000, \"sigma\": 0.2},"
    "   \"service_time\": {\"dist\": \"lognormal\", \"median_ns\": 5000, \"sigma\": 0.3}}}]}";

static void tcp_rr_upstream_claims_hold(void **st)
{
    (void)st;
    struct sim_spec spec;
    tu_spec(&spec, tcp_rr_json);
    struct metrics *m[4];
    for (int i = 0; i < 4; i++)
        m[i] = tu_run(&spec, i);
    double lat[4], win[4];
    for (int i = 0; i < 4; i++) {
        lat[i] = hist_mean(&m[i]->wakeup);
        win[i] = (double)m[i]->window_sum_ns / (double)m[i]->k.halts;
    }
    /* none polls nothing; halts are under 10 us as the thread saw */
    assert_int_equal(m[0]->acct_ns[ACCT_POLL], 0);
    assert_true(hist_percentile(&m[1]->halt_len, 0.5) < 10000);
    /* always: lowest latency; blocktime within 10% of it */
    assert_true(lat[1] <= lat[0] && lat[1] <= lat[2] * 1.001 && lat[1] <= lat[3] * 1.001);
    assert_true(lat[3] <= 1.10 * lat[1]);
    /* v4 sits at its maximum (2 ms), blocktime's window stays small */
    assert_true(win[2] > 0.99 * 2000000);
    assert_true(win[3] < 100000);
    for (int i = 0; i < 4; i++)
        free(m[i]);
    sim_spec_free(&spec);
}

/* A halt begun with work pending never reaches the halt code. */
static void hlt_with_interrupt_pending_skips_the_halt(void **st)
{
    (void)st;
    struct sim_spec spec;
    /* Arrivals every 500 ns, handler 0: many land during the 800 ns HLT exit. */
    tu_spec(&spec,
            "{\"duration_s\": 0.01, \"policies\": [\"none\"],"
            " \"vms\": [{\"workload\": {\"type\": \"arrivals\","
            "   \"interarrival\": {\"dist\": \"constant\", \"value_ns\": 500}, \"handler\": 0}}]}");
    struct metrics *m = tu_run(&spec, 0);
    assert_true(m->halts_skipped > 1000);
    assert_true(m->k.halt_exits > m->k.halts);
    free(m);
    sim_spec_free(&spec);
}

/* The notify exits at the end of guest work share V_GUEST's event (one timed
 * state, vcpu_model.c start_guest): the slice timer and the end of the run
 * must still tell the two parts apart. vCPU 0 (VM 0) and vCPU 1 (VM 1)
 * share one pCPU. vCPU 0 is woken at 1 ms and gets the CPU; vCPU 1 is woken
 * at 1 ms too (queued before vCPU 0's switch-in, which arms the slice) or at
 * 1.1 ms (during vCPU 0's work, which then arms it). The slice ends S after
 * the switch-in, in vCPU 0's 100 us of work or its 10 us of notify exits.
 * In the work it preempts the guest (vCPU 0's HLT comes after vCPU 1 has
 * run); in the exits it only sets need_resched, so vCPU 0 executes HLT
 * exactly 110 us after its VM entry. At the boundary itself the order of
 * the two events decides, as it did when the exits had an event of their
 * own: a slice armed at the switch-in comes before the end of the work
 * (armed at the VM entry), one armed during the work after it. */
struct first_halt {
    int64_t entry, hlt;              /* vCPU 0's first VM entry, and its HLT exit after it */
};

static void on_event(void *ctx, const struct model_event *e)
{
    struct first_halt *f = ctx;
    if (e->v->id != 0)
        return;
    if (e->kind == MEV_ENTRY && f->entry < 0)
        f->entry = e->t_ns;
    else if (e->kind == MEV_HLT_EXIT && f->entry >= 0 && f->hlt < 0)
        f->hlt = e->t_ns;
}

static const int64_t sched_in = 5000;

/* Run the two VMs (VM 1 only when sibling_ns > 0) with the slice ending
 * slice_after_entry_ns after vCPU 0's VM entry, for duration_ns. */
static struct metrics *notify_run(int64_t slice_after_entry_ns, int64_t sibling_ns, int64_t duration_ns,
                                  struct first_halt *f)
{
    char json[1024], sibling[256] = "";
    if (sibling_ns > 0)
        snprintf(sibling, sizeof sibling,
                 ", {\"vcpus\": 1, \"workload\": {\"type\": \"arrivals\", \"handler\": 10000,"
                 "   \"interarrival\": {\"dist\": \"constant\", \"value_ns\": %lld}}}",
                 (long long)sibling_ns);
    snprintf(json, sizeof json,
             "{\"duration_s\": %.9f, \"policies\": [\"none\"],"
             " \"costs\": {\"sched_in_ns\": %lld, \"exit_handle_min_ns\": 1000},"
             " \"host\": {\"pcpus\": 1, \"sched_slice_ns\": %lld},"
             " \"vms\": [{\"vcpus\": 1, \"workload\": {\"type\": \"arrivals\","
             "   \"interarrival\": {\"dist\": \"constant\", \"value_ns\": 1000000},"
             "   \"handler\": 100000, \"notify_exits\": 10}}%s]}",
             (double)duration_ns / 1e9, (long long)sched_in, (long long)(sched_in + slice_after_entry_ns),
             sibling);
    struct sim_spec spec;
    tu_spec(&spec, json);
    *f = (struct first_halt){ -1, -1 };
    struct sim_opts o = { .event = on_event, .event_ctx = f };
    struct metrics *m = malloc(sizeof *m);
    struct hp_error err = {0};
    assert_non_null(m);
    if (sim_run(&spec, &spec.policies[0], &o, m, &err) != 0)
        fail_msg("run: %s", err.msg);
    if (!m->conservation_ok)
        fail_msg("%s", m->conservation_msg);
    sim_spec_free(&spec);
    return m;
}

static int64_t work_to_hlt_ns(int64_t slice_after_entry_ns, int64_t sibling_ns)
{
    struct first_halt f;
    free(notify_run(slice_after_entry_ns, sibling_ns, 1500000, &f));
    assert_true(f.entry >= 1000000 && f.hlt > f.entry);
    if (sibling_ns > 1000000)
        assert_true(f.entry < sibling_ns);   /* the sibling comes during the work */
    return f.hlt - f.entry;
}

static void slice_ending_in_the_notify_exits_does_not_preempt(void **st)
{
    (void)st;
    /* sibling queued before the switch-in: the slice is armed there */
    assert_true(work_to_hlt_ns(50000, 1000000) > 110000);    /* in the work: preempted */
    assert_true(work_to_hlt_ns(100000, 1000000) > 110000);   /* at the boundary: the slice first */
    assert_int_equal(work_to_hlt_ns(105000, 1000000), 110000);   /* in the exits: need_resched */
    assert_int_equal(work_to_hlt_ns(110000, 1000000), 110000);   /* at their end: need_resched too */
    /* sibling woken during the work: the slice is armed after its end's event */
    assert_true(work_to_hlt_ns(50000, 1100000) > 110000);    /* in the work: preempted */
    assert_int_equal(work_to_hlt_ns(100000, 1100000), 110000);   /* at the boundary: the work's end first */
}

/* A run that ends inside the exits books the work as guest time and the
 * exits so far as exit time, on the pCPU and on the vCPU alike. */
static void a_run_ending_in_the_notify_exits_splits_its_time(void **st)
{
    (void)st;
    struct first_halt f;
    free(notify_run(1000000, 0, 1500000, &f));               /* learn the VM entry's time */
    struct metrics *m = notify_run(1000000, 0, f.entry + 105000, &f);
    assert_int_equal(m->acct_ns[ACCT_GUEST], 100000);
    assert_int_equal(m->acct_ns[ACCT_EXIT], 5000);          /* no exit before: the vCPU started asleep */
    free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_seed_gives_identical_results),
        cmocka_unit_test(every_pcpu_nanosecond_is_accounted_once),
        cmocka_unit_test(every_pcpu_nanosecond_is_accounted_once_free_and_all_workloads),
        cmocka_unit_test(poll_stops_when_a_sibling_becomes_runnable),
        cmocka_unit_test(tcp_rr_upstream_claims_hold),
        cmocka_unit_test(hlt_with_interrupt_pending_skips_the_halt),
        cmocka_unit_test(slice_ending_in_the_notify_exits_does_not_preempt),
        cmocka_unit_test(a_run_ending_in_the_notify_exits_splits_its_time),
    };
    return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
