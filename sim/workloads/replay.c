/*
 * replay - drive each simulated vCPU open loop from a capture (sim/replay.h):
 * one source per vCPU fires at the capture's wakeup arrivals, and after each
 * one the guest runs the capture's own burst until its next HLT, so the guest
 * halts when the captured guest did, whatever the policy.
 *
 * Per captured halt k of a thread (capture.h):
 *   arrival k  wake_ns when a delivery was traced; else derived from the
 *              run's costs: end - (wake_signal + C-state exit + sched_in) for a
 *              halt that waited (the deepest C-state whose target residency
 *              fits the halt), end - poll_iter for one the poll caught;
 *              never before the HLT exit nor before arrival k-1.
 *   burst k    the guest run from serving arrival k to HLT k+1: run_ns of
 *              halt k+1, minus the model's resume cost (poll_hit_resume_ns:
 *              wakeup seen -> guest running) when the capture has no kvm_entry
 *              and run_ns therefore starts at the wakeup. After the last
 *              halt: to the thread's trailing HLT exit if the capture shows
 *              one, else to the end (the guest was running when it ended).
 *   skipped    HLT exits inside burst k that found an interrupt pending in the
 *              capture: counted as KVM counts them (halt_exits, no halt),
 *              their time is inside the captured burst.
 * When the simulated guest is late (its wakeup took longer than the
 * capture's), arrival k+1 may be pending when burst k ends: the guest's HLT
 * then finds it pending, which is counted the same way and costs one cheap
 * exit (exit_handle_min_ns). Delivery: "timer" for vector 236 (Linux's
 * LOCAL_TIMER_VECTOR), else remote.
 *
 * With the mainline policy, each vCPU starts with the window the capture shows
 * at its first halt (the captured host's state), not cold at 0.
 *
 * Late wakeups ("late_wakeups": "captured"; default "model"): a traced
 * delivery whose captured kvm_vcpu_wakeup came more than RP_LATE_FACTOR x the
 * model's own path + RP_LATE_SLACK_NS after it (path: the wake cost below for
 * a halt that blocked, one poll iteration for one the poll caught) was held
 * up by something the model does not simulate: another task ran on the CPU
 * first, the poll was stopped early, the host itself was preempted. Such an
 * arrival is replayed at kvm_vcpu_wakeup - path, so the simulated halt ends
 * when the captured one did; the count is in the capture's figures. Only
 * for a thread alone on its pCPU: one that shares it waits for the other
 * threads in the run queue, which the model simulates.
 * The same mode takes a late halt entry from the capture: when the kernel's
 * own halt start (kvm_vcpu_wakeup time - its ns) comes more than
 * RP_LATE_FACTOR x hlt_exit_ns + RP_LATE_SLACK_NS after the HLT exit, the
 * thread was held up between the two (the host's CPU was taken away), and the
 * burst before that HLT is lengthened by the excess so the simulated halt
 * begins when the kernel's did. Without it, such a halt is simulated from the
 * HLT, and a delivery that came during the hold-up looks late instead.
 *
 * The workload keeps, per run, the window in effect and the length of the
 * simulated halt each arrival ended (for model conformance); runs are
 * sequential.
 * Use it in a VM group of count 1 (vCPU i replays capture thread i).
 */
#include <stdlib.h>
#include <string.h>

#include "../replay.h"
#include "../vcpu_model.h"
#include "../workload.h"

#define RP_LATE_FACTOR 2
#define RP_LATE_SLACK_NS 5000

struct rp_vcpu {
    const struct capture_vcpu *cv;
    int64_t *arrival, *burst, *sim_window, *sim_halt_ns;
    size_t n;
    size_t next;            /* per run: next arrival to fire */
    uint64_t halts_seen;    /* per run: v->k.halts at the last serve */
};

struct rp_params {
    struct replay_capture *rc;
    struct rp_vcpu *v;
    size_t nv;
    int64_t wake_cost_ns, poll_wake_cost_ns, entry_cost_ns; /* -1: from the run's costs */
    bool late_captured;         /* late_wakeups "captured" (see the file header) */
    bool *alone;                /* per thread: no other thread on its pCPU */
    int64_t late;               /* arrivals moved as late wakeups in the last run */
    int64_t late_entries;       /* halts begun late (held up after the HLT) in the last run */
    uint64_t guest_poll_hits;   /* per run: met->guest_poll_hits at the last serve */
};

static void rp_free(void *p)
{
    struct rp_params *r = p;

    if (!r)
        return;
    for (size_t i = 0; i < r->nv; i++) {
        free(r->v[i].arrival);
        free(r->v[i].burst);
        free(r->v[i].sim_window);
        free(r->v[i].sim_halt_ns);
    }
    free(r->v);
    free(r->alone);
    replay_capture_release(r->rc);
    free(r);
}

static int rp_alloc(struct rp_params *r)
{
    r->nv = r->rc->cap.n_vcpus;
    r->v = calloc(r->nv, sizeof *r->v);
    r->alone = calloc(r->nv + 1, sizeof *r->alone);
    if (!r->v || !r->alone)
        return -1;
    for (size_t i = 0; i < r->nv; i++) {
        r->alone[i] = true;
        for (size_t j = 0; j < r->nv; j++)
            r->alone[i] = r->alone[i] && (j == i || r->rc->pin[j] != r->rc->pin[i]);
    }
    for (size_t i = 0; i < r->nv; i++) {
        struct rp_vcpu *v = &r->v[i];
        size_t n = r->rc->cap.vcpus[i].n_halts + 1;

        v->cv = &r->rc->cap.vcpus[i];
        v->n = v->cv->n_halts;
        v->arrival = malloc(n * sizeof *v->arrival);
        v->burst = malloc(n * sizeof *v->burst);
        v->sim_window = malloc(n * sizeof *v->sim_window);
        v->sim_halt_ns = malloc(n * sizeof *v->sim_halt_ns);
        if (!v->arrival || !v->burst || !v->sim_window || !v->sim_halt_ns)
            return -1;
    }
    return 0;
}

static int rp_parse(const struct cfg *c, json_t *o, const char *path, void **out)
{
    static const char *const keys[] = {"type", "capture", "counter_hz", "wake_cost_ns",
                                       "poll_wake_cost_ns", "entry_cost_ns", "late_wakeups",
                                       NULL};
    struct rp_params *r = calloc(1, sizeof *r);
    const char *file, *late;
    char p[256];
    double hz;

    if (!r)
        return hp_errorf(c->err, HP_EXIT_RUNTIME, "out of memory");
    if (cfg_check_keys(c, o, path, keys) || cfg_str(c, o, path, "capture", NULL, &file) ||
        cfg_num(c, o, path, "counter_hz", 0, 0, 1e12, &hz) ||
        cfg_int(c, o, path, "wake_cost_ns", -1, -1, 1000000000, &r->wake_cost_ns) ||
        cfg_int(c, o, path, "poll_wake_cost_ns", -1, -1, 1000000000, &r->poll_wake_cost_ns) ||
        cfg_int(c, o, path, "entry_cost_ns", -1, -1, 1000000000, &r->entry_cost_ns) ||
        cfg_str(c, o, path, "late_wakeups", "model", &late))
        goto err;
    r->late_captured = strcmp(late, "captured") == 0;
    if (!r->late_captured && strcmp(late, "model") != 0) {
        hp_errorf(c->err, HP_EXIT_USAGE, "%s: %s: expected \"model\" or \"captured\", got \"%s\"",
                  c->file, cfg_path(p, sizeof p, path, "late_wakeups"), late);
        goto err;
    }
    r->rc = replay_take_handoff(file);
    if (!r->rc && !(r->rc = replay_capture_new(file, hz, NULL, c->err)))
        goto err;
    if (rp_alloc(r) != 0) {
        hp_errorf(c->err, HP_EXIT_RUNTIME, "out of memory");
        goto err;
    }
    *out = r;
    return 0;
err:
    rp_free(r);
    return -1;
}

static int rp_nsources(const void *p) { (void)p; return 1; }

/* Arrival -> kvm_vcpu_wakeup of a halt that blocked, on the model's path. */
static int64_t rp_wake_cost(const struct x86_costs *c, int64_t halt_ns)
{
    int64_t exit = 0;

    for (int i = 0; i < c->ncstates; i++)
        if (c->cstate[i].target_residency_ns <= halt_ns)
            exit = c->cstate[i].actual_exit_ns;
    return c->wake_signal_ns + exit + c->sched_in_ns;
}

/* The model's path from an arrival to kvm_vcpu_wakeup for halt h. */
static int64_t rp_path(const struct rp_params *r, const struct x86_costs *c,
                       const struct capture_halt *h)
{
    if (h->waited)
        return r->wake_cost_ns >= 0 ? r->wake_cost_ns : rp_wake_cost(c, h->halt_ns);
    return r->poll_wake_cost_ns >= 0 ? r->poll_wake_cost_ns : c->poll_iter_ns;
}

/* Did the captured host take `took` ns for a step the model does in path ns,
 * beyond what the model can explain (the file header's hold-up test)? Only
 * in late_wakeups "captured" mode, for a thread alone on its pCPU. */
static bool rp_held(const struct rp_params *r, const struct rp_vcpu *v, int64_t took, int64_t path)
{
    return r->late_captured && r->alone[v - r->v] && took > RP_LATE_FACTOR * path + RP_LATE_SLACK_NS;
}

/* Is h's traced delivery a late wakeup (see the file header)? */
static bool rp_late(const struct rp_params *r, const struct rp_vcpu *v, int64_t path,
                    const struct capture_halt *h)
{
    return !(h->flags & CAPTURE_WAKE_DERIVED) &&
           rp_held(r, v, replay_duration(r->rc, h->end_ns - h->wake_ns), path);
}

static int64_t rp_arrival(struct rp_params *r, const struct rp_vcpu *v,
                          const struct x86_costs *c, const struct capture_halt *h)
{
    const struct replay_capture *rc = r->rc;
    int64_t t, cost = rp_path(r, c, h);
    bool late = rp_late(r, v, cost, h);

    r->late += late;
    if (!(h->flags & CAPTURE_WAKE_DERIVED) && !late)
        return replay_time(rc, h->wake_ns);
    t = replay_time(rc, h->end_ns) - cost;
    return t > replay_time(rc, h->hlt_ns) ? t : replay_time(rc, h->hlt_ns);
}

/* How much later than the model's HLT exit the kernel's halt began, when
 * that is a hold-up (see the file header), else 0. */
static int64_t rp_late_entry(const struct rp_params *r, const struct rp_vcpu *v,
                             const struct x86_costs *c, const struct capture_halt *h)
{
    /* Only where the kernel reported the halt's length itself: not when the
     * end is the next entry (exit-only captures), nor after a lost halt,
     * whose HLT may belong to the halt that was lost (capture.h). */
    if (h->hlt_seq < 0 || (h->flags & (CAPTURE_HLT_DERIVED | CAPTURE_END_IS_ENTRY | CAPTURE_LOST_BEFORE)))
        return 0;
    int64_t exit = replay_duration(r->rc, h->end_ns - h->hlt_ns) - h->halt_ns;
    return rp_held(r, v, exit, c->hlt_exit_ns) ? exit - c->hlt_exit_ns : 0;
}

/* The burst after the thread's last halt (see the file header). */
static int64_t rp_tail(const struct rp_params *r, const struct rp_vcpu *v, int64_t resume)
{
    const struct capture_halt *h = &v->cv->halts[v->n - 1];
    int64_t from = h->entry_ns >= 0 ? h->entry_ns : h->end_ns, b;

    if (v->cv->tail_hlt_ns < from)
        return r->rc->span_ns;
    b = replay_duration(r->rc, v->cv->tail_hlt_ns - from) - (h->entry_ns >= 0 ? 0 : resume);
    return b > 0 ? b : 0;
}

/* Fill one vCPU's arrivals and bursts for a run on costs c. */
static void rp_prepare(struct rp_params *r, struct rp_vcpu *v, const struct x86_costs *c)
{
    int64_t resume = v->cv->entries ? 0 : r->entry_cost_ns >= 0 ? r->entry_cost_ns
                                                                : c->poll_hit_resume_ns;

    for (size_t k = 0; k < v->n; k++) {
        const struct capture_halt *h = &v->cv->halts[k];
        int64_t a = rp_arrival(r, v, c, h);
        int64_t held = k > 0 ? rp_late_entry(r, v, c, h) : 0;

        if (held > 0) {
            /* The simulated halt begins when the kernel's did; an arrival
             * taken from a delivery during the hold-up is pending then. */
            int64_t start = replay_time(r->rc, h->end_ns) - h->halt_ns;
            v->burst[k - 1] += held;
            r->late_entries++;
            if (a < start)
                a = start;
        }

        if (a < 0)
            a = 0;
        if (k > 0 && a < v->arrival[k - 1])
            a = v->arrival[k - 1];
        v->arrival[k] = a;
        v->sim_window[k] = -1;
        v->sim_halt_ns[k] = -1;
        v->burst[k] = 0;
        if (k + 1 < v->n && h[1].run_ns >= 0) {
            int64_t b = replay_duration(r->rc, h[1].run_ns) -
                        ((h[1].flags & CAPTURE_END_IS_ENTRY) ? 0 : resume);
            v->burst[k] = b > 0 ? b : 0;
        } else if (k + 1 == v->n) {
            v->burst[k] = rp_tail(r, v, resume);
        }
    }
}

static void rp_start(struct model *m, struct source *s)
{
    struct rp_params *r = s->wl->params;
    struct vcpu *vc = s->vcpu;
    struct rp_vcpu *v;

    s->delivery = DELIVERY_REMOTE;
    if ((size_t)vc->index >= r->nv)
        return; /* more vCPUs than captured threads: never woken */
    v = &r->v[vc->index];
    v->next = 0;
    v->halts_seen = 0;
    r->guest_poll_hits = 0;
    if (vc->index == 0)
        r->late = r->late_entries = 0;
    rp_prepare(r, v, m->cost);
    if (v->n && v->cv->halts[0].window_ns >= 0 && strcmp(m->pol->ops->name, "mainline") == 0) {
        policy_set_window(vc->pstate, v->cv->halts[0].window_ns);
        vc->halt_window_ns = v->cv->halts[0].window_ns;
    }
    if (v->n)
        model_source_at(m, s, v->arrival[0]);
}

static void rp_fire(struct model *m, struct source *s)
{
    struct rp_params *r = s->wl->params;
    struct rp_vcpu *v = &r->v[s->vcpu->index];
    size_t k = v->next++;

    s->delivery = v->cv->halts[k].wake_vec == TRACE_TIMER_VECTOR ? DELIVERY_TIMER : DELIVERY_REMOTE;
    model_irq(m, s);
    if (v->next < v->n)
        model_source_at(m, s, v->arrival[v->next] > model_now(m) ? v->arrival[v->next]
                                                                 : model_now(m));
}

static int64_t rp_serve(struct model *m, struct source *s, int *exits)
{
    struct rp_params *r = s->wl->params;
    struct vcpu *vc = s->vcpu;
    struct rp_vcpu *v = &r->v[vc->index];
    size_t k = v->next - 1;   /* the latest arrival: earlier ones were merged into it */

    *exits = 0;
    if (vc->k.halts > v->halts_seen) {
        v->sim_window[k] = vc->halt_window_ns;  /* the halt this arrival ended */
        v->sim_halt_ns[k] = vc->last_halt_ns;
        v->halts_seen = vc->k.halts;
    } else if (m->met->guest_poll_hits > r->guest_poll_hits) {
        /* a guest governor's poll caught it just now: no HLT at all */
    } else {
        model_hlt_skipped(m, vc, 1);            /* HLT found this arrival pending */
        *exits = 1;
    }
    r->guest_poll_hits = m->met->guest_poll_hits;
    if (k + 1 < v->n)
        model_hlt_skipped(m, vc, v->cv->halts[k + 1].skipped);
    return v->burst[k];
}

static void rp_done(struct model *m, struct source *s)
{
    (void)m;
    (void)s;
}

const struct workload_ops workload_replay = {
    .name = "replay",
    .summary = "a trace-cmd capture replayed open loop: its wakeup arrivals and guest bursts",
    .parse = rp_parse,
    .free_params = rp_free,
    .nsources = rp_nsources,
    .start = rp_start,
    .fire = rp_fire,
    .serve = rp_serve,
    .done = rp_done,
};

const struct replay_capture *replay_workload_capture(const struct workload *w)
{
    return w->ops == &workload_replay ? ((const struct rp_params *)w->params)->rc : NULL;
}

int64_t replay_workload_late(const struct workload *w)
{
    return w->ops == &workload_replay ? ((const struct rp_params *)w->params)->late : -1;
}

int64_t replay_workload_late_entries(const struct workload *w)
{
    return w->ops == &workload_replay ? ((const struct rp_params *)w->params)->late_entries : -1;
}

int replay_workload_halts(const struct workload *w, size_t vcpu, const int64_t **window,
                          const int64_t **halt_ns)
{
    const struct rp_params *r = w->params;

    if (w->ops != &workload_replay || vcpu >= r->nv)
        return -1;
    *window = r->v[vcpu].sim_window;
    *halt_ns = r->v[vcpu].sim_halt_ns;
    return 0;
}
