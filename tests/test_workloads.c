/* test_workloads.c - the workloads' arrival processes (exact counts where the
 * process is deterministic, sample-size tolerances where it is random), the
 * host shapes (overcommit, free placement), the upstream thread's arguments
 * on the shipped configs, and the powertop table of seed_powertop.json.
 * Configs are read from configs/: the tests run from the repository root. */
#include "testutil.h"

#include <math.h>

/* ---- helpers ---- */

/* Load a config file with --set style overrides (NULL-terminated). */
static void load_file(struct sim_spec *spec, const char *file, const char *policies, ...)
{
    char *sets[16];
    int n = 0;
    va_list ap;
    va_start(ap, policies);
    for (const char *s = va_arg(ap, const char *); s && n < 16; s = va_arg(ap, const char *))
        sets[n++] = (char *)s;
    va_end(ap);
    struct hp_error err = {0};
    json_t *root = cfg_load(file, sets, n, &err);
    if (!root)
        fail_msg("%s", err.msg);
    if (sim_spec_load(root, file, policies, spec, &err) != 0)
        fail_msg("%s", err.msg);
}

/* Window changes of one run, in order. */
#define TRACE_MAX 200000
struct trace {
    int n;
    struct window_change c[TRACE_MAX];
};

static void record(void *ctx, const struct window_change *c)
{
    struct trace *t = ctx;
    if (t->n < TRACE_MAX)
        t->c[t->n++] = *c;
}

static struct metrics *run_traced(const struct sim_spec *spec, int i, struct trace *t)
{
    struct metrics *m = malloc(sizeof *m);
    struct hp_error err = {0};
    struct sim_opts o = { .trace = record, .trace_ctx = t };
    assert_non_null(m);
    t->n = 0;
    if (sim_run(spec, &spec->policies[i], &o, m, &err) != 0)
        fail_msg("run: %s", err.msg);
    return m;
}

static double pct_of(const struct metrics *m, int64_t ns)
{
    return 100.0 * (double)ns / ((double)m->sim_ns * m->npcpus);
}

static double c0_pct(const struct metrics *m)
{
    return 100.0 - pct_of(m, m->acct_ns[ACCT_IDLE]);
}

static double mean_window(const struct metrics *m)
{
    return (double)m->window_sum_ns / (double)m->k.halts;
}

/* ---- windows_idle ---- */

/* One halt per tick; each tick runs the profile's guest_tick_work_ns. */
static void windows_idle_halts_once_per_tick(void **st)
{
    (void)st;
    struct sim_spec spec;
    load_file(&spec, "configs/windows_idle.json", "none", "duration_s=10", NULL);
    struct metrics *m = tu_run(&spec, 0);
    for (int i = 0; i < 2; i++) {
        /* 9999-10000 ticks (random phase) + the halt begun at t=0 */
        int64_t h = (int64_t)m->k.halts - (i ? 10000 : 10001) * spec.nvcpus;
        if (i ? h < 0 : h > 0)
            fail_msg("%llu halts on %lld vCPUs in 10 s of 1 ms ticks", (unsigned long long)m->k.halts,
                     (long long)spec.nvcpus);
    }
    int64_t p50 = hist_percentile(&m->halt_len, 0.5);
    if (p50 < 950000 || p50 > 1002000)
        fail_msg("halt p50 %lld ns: expected just under the 1 ms period", (long long)p50);
    int64_t served = (int64_t)m->k.halt_exits - spec.nvcpus - (int64_t)m->halts_skipped;
    int64_t guest = m->acct_ns[ACCT_GUEST];
    assert_true(llabs(guest - served * spec.costs.guest_tick_work_ns) <= spec.nvcpus * spec.costs.guest_tick_work_ns);
    free(m);
    sim_spec_free(&spec);
}

/* The thread: with a window of 1 ms or more, polling catches every tick and
 * the pCPU spins through most of each period; at 500 us it polls half of it
 * and catches nothing. */
static void always_polls_most_of_each_windows_tick(void **st)
{
    (void)st;
    struct sim_spec spec;
    load_file(&spec, "configs/windows_idle.json", "always", "duration_s=1",
              "policy.always.halt_poll_ns=1000000", NULL);
    struct metrics *m = tu_run(&spec, 0);
    double poll = pct_of(m, m->acct_ns[ACCT_POLL]);
    if (poll < 95.0)
        fail_msg("1 ms window: poll %.2f%% of the pCPU, expected > 95%%", poll);
    assert_true(m->k.halt_successful_poll >= m->k.halts - (uint64_t)spec.nvcpus * 2);
    free(m);
    sim_spec_free(&spec);

    load_file(&spec, "configs/windows_idle.json", "always", "duration_s=1", NULL);
    m = tu_run(&spec, 0);
    poll = pct_of(m, m->acct_ns[ACCT_POLL]);
    if (fabs(poll - 50.0) > 0.5)
        fail_msg("500 us window: poll %.2f%%, expected ~50%%", poll);
    assert_int_equal(m->k.halt_successful_poll, 0);
    free(m);
    sim_spec_free(&spec);
}

/* ---- linux_idle ---- */

/* Deterministic gaps give exact counts: timers every 10 ms -> 99 wakeups in
 * 1 s; bursts of 4 wakeups 2 ms apart every 100 ms (after the previous
 * burst) -> 9 bursts. Every wakeup ends a halt; one more halt is under way at
 * the end (the model counts the one begun at t = 0). */
static void linux_idle_counts_are_exact_with_constant_gaps(void **st)
{
    (void)st;
    struct sim_spec spec;
    load_file(&spec, "configs/linux_idle.json", "none", "duration_s=1", "vms.0.workload.timer_gap=10000000",
              "vms.0.workload.burst_wakeups_max=0", "vms.0.workload.burst_wakeups_min=0", NULL);
    struct metrics *m = tu_run(&spec, 0);
    assert_int_equal(m->k.halts, (99 + 1) * spec.nvcpus);
    free(m);
    sim_spec_free(&spec);

    load_file(&spec, "configs/linux_idle.json", "none", "duration_s=1", "vms.0.workload.timer_gap=3600000000000",
              "vms.0.workload.burst_gap=100000000", "vms.0.workload.burst_spacing=2000000",
              "vms.0.workload.burst_wakeups_min=4", "vms.0.workload.burst_wakeups_max=4", NULL);
    m = tu_run(&spec, 0);
    assert_int_equal(m->k.halts, (9 * 4 + 1) * spec.nvcpus);
    assert_int_equal(m->coalesced, 0);
    free(m);
    sim_spec_free(&spec);
}

/* With the shipped heavy-tailed gaps (lognormal, median 20 ms, sigma 1) the
 * timer wakeup rate is 1 / (20 ms e^0.5) = 30.3/s per vCPU. A renewal count
 * over t has variance ~ t CV^2 / mean: 5 standard deviations allowed. */
static void linux_idle_timer_rate_matches_its_distribution(void **st)
{
    (void)st;
    struct sim_spec spec;
    load_file(&spec, "configs/linux_idle.json", "none", "duration_s=40", "vms.0.workload.burst_wakeups_max=0",
              "vms.0.workload.burst_wakeups_min=0", NULL);
    struct metrics *m = tu_run(&spec, 0);
    double mean_gap = 20e6 * exp(0.5), cv2 = exp(1.0) - 1;
    double want = 40e9 / mean_gap * spec.nvcpus, sd = sqrt(want * cv2);
    double got = (double)m->k.halts - spec.nvcpus;
    if (fabs(got - want) > 5 * sd)
        fail_msg("%.0f timer wakeups, expected %.0f (sd %.1f)", got, want, sd);
    free(m);
    sim_spec_free(&spec);
}

/* The thread on v3: an idle guest's window cycles 0 -> 500 us -> 1 ms ->
 * 2 ms -> 4 ms -> 0, polling in vain on long halts ("lots of idle overhead");
 * blocktime stays near zero on the same guest. */
static void v3_climbs_on_idle_linux_while_blocktime_stays_near_zero(void **st)
{
    (void)st;
    struct sim_spec spec;
    static struct trace t;
    load_file(&spec, "configs/linux_idle.json", "v3,blocktime,none", "duration_s=5", NULL);
    struct metrics *v3 = run_traced(&spec, 0, &t);
    int cycles = 0;
    for (int i = 0; i < t.n; i++) {
        const struct window_change *c = &t.c[i];
        int64_t next = c->old_ns == 0 ? 500000 : c->old_ns == 4000000 ? 0 : 2 * c->old_ns;
        if (c->new_ns != next || c->old_ns > 4000000)
            fail_msg("v3 change %d: %lld -> %lld, expected -> %lld", i, (long long)c->old_ns,
                     (long long)c->new_ns, (long long)next);
        cycles += c->new_ns == 0;
    }
    assert_true(cycles > 20 * spec.nvcpus);
    struct metrics *bt = tu_run(&spec, 1);
    double v3_poll = pct_of(v3, v3->acct_ns[ACCT_POLL]), bt_poll = pct_of(bt, bt->acct_ns[ACCT_POLL]);
    assert_true(mean_window(v3) > 1000000);
    if (!(v3_poll > 1.0 && bt_poll < 0.01 && bt_poll * 100 < v3_poll))
        fail_msg("poll: v3 %.3f%%, blocktime %.4f%%", v3_poll, bt_poll);
    /* blocktime's C0 stays within a few % of never polling */
    struct metrics *none = tu_run(&spec, 2);
    assert_true(c0_pct(bt) < 1.05 * c0_pct(none));
    free(v3);
    free(bt);
    free(none);
    sim_spec_free(&spec);
}

static void blocktime_polls_next_to_nothing_on_idle_windows(void **st)
{
    (void)st;
    struct sim_spec spec;
    load_file(&spec, "configs/windows_idle.json", "blocktime", "duration_s=1", NULL);
    struct metrics *m = tu_run(&spec, 0);
    /* ~990 us halts exceed halt_poll_ns (500 us): the window never stays up */
    assert_true(pct_of(m, m->acct_ns[ACCT_POLL]) < 0.01);
    free(m);
    sim_spec_free(&spec);
}

/* ---- tcp_rr, several streams and vCPUs ---- */

/* Closed loops: each stream always has one transaction in flight, so by
 * Little's law transactions/s x mean round trip = streams (think time 0).
 * With 20 us one way, each vCPU still halts between its three streams'
 * requests: v4, every halt short, sits at its 2 ms maximum. */
static void tcp_rr_streams_on_several_vcpus(void **st)
{
    (void)st;
    struct sim_spec spec;
    tu_spec(&spec,
            "{\"policies\": [\"none\", \"v4\", \"blocktime\"], \"duration_s\": 0.5, \"host\": {\"pcpus\": 4},"
            " \"vms\": [{\"count\": 2, \"vcpus\": 2, \"workload\": {\"type\": \"tcp_rr\", \"streams\": 3,"
            "   \"one_way_latency\": {\"dist\": \"lognormal\", \"median_ns\": 20000, \"sigma\": 0.2}}}]}");
    int streams = 2 * 2 * 3;
    for (int i = 0; i < spec.npolicies; i++) {
        struct metrics *m = tu_run(&spec, i);
        assert_true(m->conservation_ok);
        assert_int_equal(m->transactions, m->rtt.count);
        double tps = (double)m->transactions / 0.5;
        double in_flight = tps * hist_mean(&m->rtt) / 1e9;
        if (fabs(in_flight - streams) > 0.01 * streams)
            fail_msg("%s: %.3f transactions in flight, expected %d", spec.policies[i].ops->name, in_flight, streams);
        assert_true(m->k.halts > 10000);
        if (strcmp(spec.policies[i].ops->name, "v4") == 0)
            assert_true(mean_window(m) > 0.99 * 2000000);
        if (strcmp(spec.policies[i].ops->name, "blocktime") == 0)
            assert_true(mean_window(m) < 100000);
        free(m);
    }
    sim_spec_free(&spec);
}

/* ---- arrivals: message passing ---- */

/* Linux 4.3's rule grows only when a halt outlasts the window: halts of
 * 4-8 us leave it at its 10 us start for the whole run. */
static void blocktime_stays_at_its_base_while_halts_stay_under_it(void **st)
{
    (void)st;
    struct sim_spec spec;
    static struct trace t;
    load_file(&spec, "configs/arrivals_message.json", "blocktime", NULL);
    struct metrics *m = run_traced(&spec, 0, &t);
    assert_int_equal(t.n, 1);
    assert_int_equal(t.c[0].change, POLICY_GROW);
    assert_int_equal(t.c[0].old_ns, 0);
    assert_int_equal(t.c[0].new_ns, 10000);
    assert_true(hist_percentile(&m->halt_len, 0.999) < 10000);
    assert_true(m->k.halts > 40000);
    free(m);
    sim_spec_free(&spec);
}

/* A tail of halts between the window and halt_poll_ns: each one outlasts the
 * window and so doubles it, 10 us -> 640 us; no halt exceeds halt_poll_ns,
 * so it never shrinks, and 4.3 has no clamp at halt_poll_ns. */
static void blocktime_doubles_through_a_tail_and_never_shrinks(void **st)
{
    (void)st;
    struct sim_spec spec;
    static struct trace t;
    static const int64_t want[] = {10000, 20000, 40000, 80000, 160000, 320000, 640000};
    load_file(&spec, "configs/arrivals_tail.json", "blocktime", NULL);
    struct metrics *m = run_traced(&spec, 0, &t);
    assert_int_equal(t.n, 7);
    for (int i = 0; i < 7; i++) {
        assert_int_equal(t.c[i].change, POLICY_GROW);
        assert_int_equal(t.c[i].new_ns, want[i]);
    }
    assert_int_equal(m->shrinks, 0);
    free(m);
    sim_spec_free(&spec);
}

/* Two superposed processes of constant gaps, 3 ms and 5 ms: 333 + 199
 * interrupts in 1 s, 66 of them at the same instant (multiples of 15 ms),
 * which share one halt; plus the halt under way at the end. */
static void arrivals_mixture_superposes_its_processes(void **st)
{
    (void)st;
    struct sim_spec spec;
    tu_spec(&spec,
            "{\"policies\": [\"none\"], \"duration_s\": 1,"
            " \"vms\": [{\"workload\": {\"type\": \"arrivals\", \"processes\": ["
            " {\"name\": \"a\", \"interarrival\": 3000000, \"handler\": 1000},"
            " {\"name\": \"b\", \"interarrival\": 5000000, \"handler\": 1000, \"delivery\": \"timer\"}]}}]}");
    struct metrics *m = tu_run(&spec, 0);
    assert_int_equal(m->k.halts, 333 + 199 - 66 + 1);
    assert_int_equal(m->acct_ns[ACCT_GUEST], (333 + 199) * 1000);
    free(m);
    sim_spec_free(&spec);
}

static void arrivals_mixture_errors_name_the_path(void **st)
{
    (void)st;
    tu_expect_error("{\"vms\": [{\"workload\": {\"type\": \"arrivals\", \"handler\": 5,"
                    " \"processes\": [{\"interarrival\": 1000}]}}]}",
                    "vms[0].workload.handler", "each process's keys go inside it", NULL);
    tu_expect_error("{\"vms\": [{\"workload\": {\"type\": \"arrivals\", \"processes\": [{}, 3]}}]}",
                    "vms[0].workload.processes[1]: expected a process object", NULL);
    tu_expect_error("{\"vms\": [{\"workload\": {\"type\": \"arrivals\", \"processes\": [{\"handlr\": 3}]}}]}",
                    "vms[0].workload.processes[0].handlr", "did you mean \"handler\"", NULL);
    tu_expect_error("{\"vms\": [{\"workload\": {\"type\": \"arrivals\", \"processes\": []}}]}",
                    "vms[0].workload.processes: expected an array of 1 to", NULL);
    tu_expect_error("{\"vms\": [{\"workload\": {\"type\": \"windows_idle\", \"handler\": \"tick\"}}]}",
                    "vms[0].workload.handler", "guest_tick_work_ns", NULL);
    tu_expect_error("{\"vms\": [{\"workload\": {\"type\": \"linux_idle\", \"burst_wakeups_min\": 5,"
                    " \"burst_wakeups_max\": 2}}]}", "vms[0].workload.burst_wakeups_max", NULL);
    tu_expect_error("{\"vms\": [{\"workload\": {\"type\": \"storage\", \"iodepth\": 0}}]}",
                    "vms[0].workload.iodepth", NULL);
}

/* ---- storage ---- */

/* Each slot always has one I/O in flight or being handled: by Little's law
 * slots = IOPS x (mean I/O latency + guest time from the start of handling
 * to the kick: completion + submit + the notify exit). */
static void storage_obeys_littles_law(void **st)
{
    (void)st;
    struct sim_spec spec;
    load_file(&spec, "configs/storage.json", "none,always", NULL);
    double guest = 2 * 3000 * exp(0.3 * 0.3 / 2) + spec.costs.exit_handle_min_ns;
    int slots = 4 * (int)spec.nvcpus;
    for (int i = 0; i < spec.npolicies; i++) {
        struct metrics *m = tu_run(&spec, i);
        double iops = (double)m->io_lat.count / 1.0;
        double in_flight = iops * (hist_mean(&m->io_lat) + guest) / 1e9;
        if (fabs(in_flight - slots) > 0.01 * slots)
            fail_msg("%s: %.3f I/Os in flight, expected %d", spec.policies[i].ops->name, in_flight, slots);
        assert_int_equal(m->transactions, m->io_lat.count);
        assert_true(hist_percentile(&m->io_lat, 0.5) > 80000 * (1 - HIST_REL_ERROR));
        free(m);
    }
    sim_spec_free(&spec);
}

/* With think time the guest sleeps between I/Os and wakes on its timer to
 * submit: each slot's cycle is think + latency + guest work. */
static void storage_think_time_spaces_the_ios(void **st)
{
    (void)st;
    struct sim_spec spec;
    load_file(&spec, "configs/storage.json", "none", "vms.0.workload.iodepth=1", "duration_s=2",
              "vms.0.workload.think_time=1000000", NULL);
    struct metrics *m = tu_run(&spec, 0);
    double per_slot = (double)m->io_lat.count / 2.0 / (double)spec.nvcpus;
    double cycle = 1e6 + hist_mean(&m->io_lat);
    /* plus guest work and two wakeups per cycle: at most ~100 us more */
    if (!(per_slot < 1e9 / cycle && per_slot > 1e9 / (cycle + 100000)))
        fail_msg("%.1f IOPS per slot, cycle >= %.0f ns", per_slot, cycle);
    free(m);
    sim_spec_free(&spec);
}

/* ---- host shapes ---- */

static void overcommit_derives_pcpus(void **st)
{
    (void)st;
    struct sim_spec spec;
    tu_spec(&spec, "{\"policies\": [\"none\"], \"host\": {\"overcommit\": 3}, \"vms\": [{\"count\": 5, \"vcpus\": 2, "
                   "\"workload\": {\"type\": \"linux_idle\"}}]}");
    assert_int_equal(spec.pcpus, 4);   /* ceil(10 / 3) */
    assert_int_equal(json_integer_value(json_object_get(json_object_get(spec.root, "host"), "pcpus")), 4);
    sim_spec_free(&spec);
    tu_spec(&spec, "{\"policies\": [\"none\"], \"host\": {\"overcommit\": 2.5, \"pcpus\": 4},"
                   " \"vms\": [{\"count\": 5, \"vcpus\": 2, \"workload\": {\"type\": \"linux_idle\"}}]}");
    assert_int_equal(spec.pcpus, 4);
    sim_spec_free(&spec);
    tu_expect_error("{\"host\": {\"overcommit\": 3, \"pcpus\": 3}, \"vms\": [{\"count\": 5, \"vcpus\": 2, "
                    "\"workload\": {\"type\": \"linux_idle\"}}]}", "host.pcpus: 3 disagrees with host.overcommit 3",
                    "10 vCPUs need 4 pCPUs", NULL);
    tu_expect_error("{\"host\": {\"overcommit\": 0}, \"vms\": [{\"workload\": {\"type\": \"tcp_rr\"}}]}",
                    "host.overcommit", NULL);
    tu_expect_error("{\"host\": {\"placement\": \"roaming\"}, \"vms\": [{\"workload\": {\"type\": \"tcp_rr\"}}]}",
                    "host.placement: expected \"pinned\" or \"free\", got \"roaming\"", NULL);
}

/* Three vCPUs on two pCPUs: pinned round robin puts a busy vCPU (0) and a
 * light, often-woken one (2) on pCPU 0, leaving pCPU 1 to a nearly idle one.
 * Free placement sends the woken light vCPU to the idle pCPU instead of the
 * busy one's run queue. */
static void free_placement_moves_a_woken_thread_to_an_idle_pcpu(void **st)
{
    (void)st;
    static const char *json =
        "{\"duration_s\": 0.5, \"host\": {\"pcpus\": 2, \"placement\": \"%s\"}, \"policies\": [\"none\"], \"vms\": ["
        " {\"workload\": {\"type\": \"arrivals\", \"interarrival\": 1000000, \"handler\": 900000}},"
        " {\"workload\": {\"type\": \"arrivals\", \"interarrival\": 50000000, \"handler\": 1000}},"
        " {\"workload\": {\"type\": \"arrivals\", \"interarrival\": {\"dist\": \"exponential\", \"mean_ns\": 200000},"
        "   \"handler\": 5000}}]}";
    char buf[1024];
    struct sim_spec spec;
    struct metrics *m[2];
    for (int k = 0; k < 2; k++) {
        snprintf(buf, sizeof buf, json, k ? "free" : "pinned");
        tu_spec(&spec, buf);
        m[k] = tu_run(&spec, 0);
        assert_true(m[k]->conservation_ok);
        sim_spec_free(&spec);
    }
    assert_int_equal(m[0]->migrations, 0);
    assert_true(m[1]->migrations > 0);   /* once moved, it finds its new pCPU idle */
    double pinned = hist_mean(&m[0]->wakeup), moved = hist_mean(&m[1]->wakeup);
    if (!(moved * 5 < pinned))
        fail_msg("mean wakeup latency: pinned %.0f ns, free %.0f ns", pinned, moved);
    free(m[0]);
    free(m[1]);
}

/* ---- the upstream table ---- */

/* seed_powertop.json: the idle guests' halt rate is fixed from the 4.0
 * commit's figure, and the ONE calibrated knob (guest work per idle wakeup)
 * puts none at ~0.9 %C0; always and v4 then follow from the
 * model. The thread's ratios to none are 2.0 and 1.33 (+-15 %). Where the
 * model misses them, docs/workloads.md says by how much and why; this test
 * holds the model to that documented figure (+-5 %), and fails if the model
 * starts to meet the thread, so the docs cannot go stale either way. */
struct powertop_row {
    const char *policy;
    double thread_ratio;
    bool model_meets;
    double documented_ratio;   /* the model's, when it misses */
};

static void seed_powertop_reproduces_or_documents_the_table(void **st)
{
    (void)st;
    static const struct powertop_row rows[] = {
        {"always", 2.0, true, 0},
        {"v4", 1.33, false, 1.04},
    };
    struct sim_spec spec;
    load_file(&spec, "configs/seed_powertop.json", "none,always,v4", NULL);
    double c0[3];
    for (int i = 0; i < 3; i++) {
        struct metrics *m = tu_run(&spec, i);
        assert_true(m->conservation_ok);
        c0[i] = c0_pct(m);
        free(m);
    }
    print_message("seed_powertop %%C0: none %.3f, always %.3f (x%.2f), v4 %.3f (x%.2f)\n", c0[0], c0[1],
                  c0[1] / c0[0], c0[2], c0[2] / c0[0]);
    if (fabs(c0[0] - 0.9) > 0.05)
        fail_msg("calibration lost: none gives %.3f %%C0, expected ~0.9", c0[0]);
    for (int i = 0; i < 2; i++) {
        double ratio = c0[i + 1] / c0[0];
        bool meets = fabs(ratio / rows[i].thread_ratio - 1) <= 0.15;
        if (rows[i].model_meets && !meets)
            fail_msg("%s/none = %.2f, the thread's %.2f +-15%%", rows[i].policy, ratio, rows[i].thread_ratio);
        if (!rows[i].model_meets && meets)
            fail_msg("%s/none = %.2f now meets the thread's %.2f: update docs/workloads.md and this test",
                     rows[i].policy, ratio, rows[i].thread_ratio);
        if (!rows[i].model_meets && fabs(ratio / rows[i].documented_ratio - 1) > 0.05)
            fail_msg("%s/none = %.2f, documented as %.2f: update docs/workloads.md", rows[i].policy, ratio,
                     rows[i].documented_ratio);
    }
    sim_spec_free(&spec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(windows_idle_halts_once_per_tick),
        cmocka_unit_test(always_polls_most_of_each_windows_tick),
        cmocka_unit_test(linux_idle_counts_are_exact_with_constant_gaps),
        cmocka_unit_test(linux_idle_timer_rate_matches_its_distribution),
        cmocka_unit_test(v3_climbs_on_idle_linux_while_blocktime_stays_near_zero),
        cmocka_unit_test(blocktime_polls_next_to_nothing_on_idle_windows),
        cmocka_unit_test(tcp_rr_streams_on_several_vcpus),
        cmocka_unit_test(blocktime_stays_at_its_base_while_halts_stay_under_it),
        cmocka_unit_test(blocktime_doubles_through_a_tail_and_never_shrinks),
        cmocka_unit_test(arrivals_mixture_superposes_its_processes),
        cmocka_unit_test(arrivals_mixture_errors_name_the_path),
        cmocka_unit_test(storage_obeys_littles_law),
        cmocka_unit_test(storage_think_time_spaces_the_ios),
        cmocka_unit_test(overcommit_derives_pcpus),
        cmocka_unit_test(free_placement_moves_a_woken_thread_to_an_idle_pcpu),
        cmocka_unit_test(seed_powertop_reproduces_or_documents_the_table),
    };
    return cmocka_run_group_tests_name("workloads", tests, NULL, NULL);
}
