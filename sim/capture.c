/*
 * capture.c - per-vCPU halts from a capture (see capture.h for definitions).
 *
 * One streaming pass builds each thread's halts with a small state machine
 * (pending HLT, pending window line, start of the current run burst) and keeps
 * the interrupt deliveries in one array; after the pass, when every thread's
 * vcpu_id is known, deliveries are bucketed per thread and each halt's wakeup
 * arrival is found by binary search. Memory grows with the number of halts and
 * deliveries (geometric growth), not with the rest of the file.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"

#define CAP_IDLE_EXIT 4294967295LL /* cpu_idle state PWR_EVENT_EXIT */
#define CAP_MAX_IDLE_CPU 8192

struct cap_irq {
    int64_t ts;
    int64_t seq;    /* position in the event stream */
    int pid;        /* target thread when by_thread */
    int apicid;     /* target APIC id otherwise, -1 none */
    int vector;
    int by_thread;
};

/* Reading state of one thread, parallel to capture.vcpus. */
struct cap_thread {
    int64_t pending_hlt;  /* last HLT exit not yet ended by a wakeup, -1 */
    int64_t pending_seq;  /* its stream position */
    int64_t run_start;    /* start of the current run burst, -1 unknown */
    int64_t pending_old;  /* old of a kvm_halt_poll_ns seen during this halt */
    int64_t cur_window;   /* new of the last line, -1 before any */
    int64_t first_old;
    size_t first_line_halt;
    uint32_t hlt_exits;   /* HLT exits since the previous halt ended */
    int has_pending_old, pending_grow, await_entry, seen_line;
    int lost;             /* a halt was lost before the next one (capture.h) */
    int in_guest;         /* last vCPU event was a kvm_entry */
};

struct cap_idle_cpu {
    int64_t idle_since;   /* -1 when in C0 */
    int64_t idle_ns;
    int seen;
};

struct cap_loader {
    struct capture *cap;
    struct hp_error *err;
    struct cap_thread *th;   /* cap->cap_vcpus entries */
    struct cap_irq *irqs;
    size_t n_irqs, cap_irqs;
    struct cap_idle_cpu *idle;
    size_t n_idle;
    size_t last_hit;
    int64_t seq;          /* events seen so far */
    int seen_any;
    volatile int *stop;   /* set asynchronously (SIGINT): stop reading */
    const char *path;
};

/* Grow *p (of *cap elements of size sz) to hold n; geometric. 0 or -1. */
static int cap_reserve(void **p, size_t *cap, size_t n, size_t sz)
{
    size_t nc = *cap ? *cap : 16;
    void *q;

    if (n <= *cap)
        return 0;
    while (nc < n)
        nc *= 2;
    q = realloc(*p, nc * sz);
    if (!q)
        return -1;
    *p = q;
    *cap = nc;
    return 0;
}

static int cap_oom(struct cap_loader *L)
{
    hp_errorf(L->err, HP_EXIT_RUNTIME, "out of memory reading a capture");
    return -1;
}

/* The thread of pid, created on first sight; NULL when out of memory. */
static struct capture_vcpu *cap_thread_of(struct cap_loader *L, const struct trace_event *ev,
                                          struct cap_thread **th)
{
    struct capture *cap = L->cap;
    size_t i, old_cap = cap->cap_vcpus;
    struct capture_vcpu *v;

    if (L->last_hit < cap->n_vcpus && cap->vcpus[L->last_hit].pid == ev->pid)
        i = L->last_hit;
    else
        for (i = 0; i < cap->n_vcpus && cap->vcpus[i].pid != ev->pid; i++)
            ;
    if (i == cap->n_vcpus) {
        if (cap_reserve((void **)&cap->vcpus, &cap->cap_vcpus, i + 1, sizeof *cap->vcpus))
            return NULL;
        if (cap->cap_vcpus != old_cap) {
            size_t tc = old_cap;
            if (cap_reserve((void **)&L->th, &tc, cap->cap_vcpus, sizeof *L->th))
                return NULL;
        }
        v = &cap->vcpus[i];
        memset(v, 0, sizeof *v);
        v->pid = ev->pid;
        v->vcpu_id = -1;
        v->cpu = -1;
        memcpy(v->comm, ev->comm, sizeof v->comm);
        L->th[i] = (struct cap_thread){ .pending_hlt = -1, .run_start = -1, .cur_window = -1 };
        cap->n_vcpus++;
    }
    L->last_hit = i;
    *th = &L->th[i];
    if (cap->vcpus[i].cpu < 0)
        cap->vcpus[i].cpu = ev->cpu;
    return &cap->vcpus[i];
}

static int cap_wakeup(struct capture_vcpu *v, struct cap_thread *t,
                      const struct trace_event *ev, int64_t seq)
{
    struct capture_halt h = { .end_ns = ev->ts_ns, .halt_ns = ev->u.wakeup.ns,
                              .end_seq = seq, .hlt_seq = -1, .line_new_ns = -1, .wake_vec = -1,
                              .entry_ns = -1,
                              .waited = (uint8_t)ev->u.wakeup.waited,
                              .valid = (uint8_t)ev->u.wakeup.valid, .run_ns = -1 };

    if (t->pending_hlt >= 0 && t->pending_hlt <= ev->ts_ns) {
        h.hlt_ns = t->pending_hlt;
        h.hlt_seq = t->pending_seq;
    } else {
        h.hlt_ns = ev->ts_ns - ev->u.wakeup.ns;
        h.flags |= CAPTURE_HLT_DERIVED;
    }
    h.window_ns = t->has_pending_old ? t->pending_old : t->cur_window;
    if (t->lost)
        h.flags |= CAPTURE_LOST_BEFORE;
    t->lost = 0;
    if (t->has_pending_old) {
        h.line_new_ns = t->cur_window;
        h.line_grow = (uint8_t)t->pending_grow;
    }
    if (t->run_start >= 0 && h.hlt_ns >= t->run_start)
        h.run_ns = h.hlt_ns - t->run_start;
    h.skipped = t->hlt_exits - (h.hlt_seq >= 0 && t->hlt_exits > 0);
    if (cap_reserve((void **)&v->halts, &v->cap_halts, v->n_halts + 1, sizeof h))
        return -1;
    v->halts[v->n_halts++] = h;
    t->hlt_exits = 0;
    t->pending_hlt = -1;
    t->has_pending_old = 0;
    t->run_start = ev->ts_ns;
    t->await_entry = 1;
    return 0;
}

/* Exit-only captures: a HLT exit ended by a kvm_entry (see capture.h). */
static int cap_entry_halt(struct capture_vcpu *v, struct cap_thread *t,
                          const struct trace_event *ev, int64_t seq)
{
    struct capture_halt h = { .hlt_ns = t->pending_hlt, .hlt_seq = t->pending_seq,
                              .end_ns = ev->ts_ns, .end_seq = seq,
                              .halt_ns = ev->ts_ns - t->pending_hlt, .window_ns = -1,
                              .run_ns = -1, .line_new_ns = -1, .wake_vec = -1,
                              .entry_ns = ev->ts_ns,
                              .waited = 1, .valid = 1, .flags = CAPTURE_END_IS_ENTRY };

    if (t->run_start >= 0 && h.hlt_ns >= t->run_start)
        h.run_ns = h.hlt_ns - t->run_start;
    if (cap_reserve((void **)&v->halts, &v->cap_halts, v->n_halts + 1, sizeof h))
        return -1;
    v->halts[v->n_halts++] = h;
    t->hlt_exits = 0;
    t->run_start = ev->ts_ns;
    return 0;
}

/* The first kvm_vcpu_wakeup: the capture traces KVM's halt code, so halts
 * made from exits and entries before it are dropped. */
static void cap_drop_entry_halts(struct cap_loader *L)
{
    for (size_t i = 0; i < L->cap->n_vcpus; i++) {
        L->cap->vcpus[i].n_halts = 0;
        L->th[i].run_start = -1;
    }
    L->cap->has_wakeups = 1;
}

static void cap_halt_poll(struct capture_vcpu *v, struct cap_thread *t,
                          const struct trace_event *ev)
{
    v->poll_lines++;
    if (!t->seen_line) {
        t->seen_line = 1;
        t->first_old = ev->u.poll.old_ns;
        t->first_line_halt = v->n_halts;
    }
    t->pending_old = ev->u.poll.old_ns;
    t->pending_grow = ev->u.poll.grow;
    t->has_pending_old = 1;
    t->cur_window = ev->u.poll.new_ns;
}

static int cap_vcpu_event(struct cap_loader *L, const struct trace_event *ev)
{
    struct cap_thread *t;
    struct capture_vcpu *v = cap_thread_of(L, ev, &t);

    if (!v)
        return cap_oom(L);
    if (ev->vcpu >= 0)
        v->vcpu_id = ev->vcpu;
    switch (ev->kind) {
    case TRACE_HLT_EXIT:
        v->halt_exits++;
        t->hlt_exits++;
        L->cap->has_hlt_exits = 1;
        t->pending_hlt = ev->ts_ns;
        t->pending_seq = L->seq;
        /* fall through */
    case TRACE_EXIT:
        v->exits++;
        t->in_guest = 0;
        break;
    case TRACE_ENTRY: /* back in the guest: a pending HLT did not halt */
        v->entries++;
        if (t->pending_hlt >= 0 && !L->cap->has_wakeups &&
            cap_entry_halt(v, t, ev, L->seq))
            return cap_oom(L);
        if (L->cap->has_wakeups && ((t->pending_hlt >= 0 &&
                                     ev->ts_ns - t->pending_hlt > CAPTURE_LOST_HALT_NS) ||
                                    (t->in_guest && v->exits))) {
            t->lost = 1;        /* see capture.h: lost events */
        }
        t->in_guest = 1;
        t->pending_hlt = -1;
        if (t->await_entry) {
            t->run_start = ev->ts_ns;
            if (v->n_halts)
                v->halts[v->n_halts - 1].entry_ns = ev->ts_ns;
        }
        t->await_entry = 0;
        break;
    case TRACE_HALT_POLL:
        cap_halt_poll(v, t, ev);
        break;
    case TRACE_WAKEUP:
        if (!L->cap->has_wakeups)
            cap_drop_entry_halts(L);
        if (cap_wakeup(v, t, ev, L->seq))
            return cap_oom(L);
        break;
    default:
        break;
    }
    return 0;
}

static int cap_irq(struct cap_loader *L, const struct trace_event *ev)
{
    struct cap_irq q = { .ts = ev->ts_ns, .seq = L->seq, .pid = ev->pid,
                         .apicid = ev->u.irq.apicid, .vector = ev->u.irq.vector };

    L->cap->irqs++;
    if (ev->u.irq.src == TRACE_IRQ_INJ_VIRQ)
        q.by_thread = 1;
    else if (q.apicid < 0) {
        L->cap->irqs_untargeted++;
        return 0;
    }
    if (cap_reserve((void **)&L->irqs, &L->cap_irqs, L->n_irqs + 1, sizeof q))
        return cap_oom(L);
    L->irqs[L->n_irqs++] = q;
    return 0;
}

/* power:cpu_idle: state N enters idle, PWR_EVENT_EXIT leaves it. A CPU whose
 * first event is an exit was idle since the capture began. */
static int cap_idle(struct cap_loader *L, const struct trace_event *ev)
{
    int c = ev->u.idle.cpu_id;
    struct cap_idle_cpu *ic;
    size_t old = L->n_idle;

    L->cap->cpu_idle_events++;
    if (c < 0 || c >= CAP_MAX_IDLE_CPU)
        return 0;
    if (cap_reserve((void **)&L->idle, &L->n_idle, (size_t)c + 1, sizeof *L->idle))
        return cap_oom(L);
    memset(L->idle + old, 0, (L->n_idle - old) * sizeof *L->idle);
    ic = &L->idle[c];
    if (!ic->seen) {
        ic->seen = 1;
        ic->idle_since = ev->u.idle.state == CAP_IDLE_EXIT ? L->cap->first_ts : -1;
    }
    if (ev->u.idle.state != CAP_IDLE_EXIT) {
        if (ic->idle_since < 0)
            ic->idle_since = ev->ts_ns;
    } else if (ic->idle_since >= 0) {
        ic->idle_ns += ev->ts_ns - ic->idle_since;
        ic->idle_since = -1;
    }
    return 0;
}

static int cap_event(const struct trace_event *ev, void *ctx)
{
    struct cap_loader *L = ctx;
    struct capture *cap = L->cap;
    int r = 0;

    if (L->stop && *L->stop)
        return hp_errorf(L->err, HP_EXIT_INTERRUPTED, "%s: interrupted while reading", L->path);

    if (!L->seen_any || ev->ts_ns < cap->first_ts)
        cap->first_ts = ev->ts_ns;
    if (!L->seen_any || ev->ts_ns > cap->last_ts)
        cap->last_ts = ev->ts_ns;
    L->seen_any = 1;
    switch (ev->kind) {
    case TRACE_IRQ:
        r = cap_irq(L, ev);
        break;
    case TRACE_CPU_IDLE:
        r = cap_idle(L, ev);
        break;
    case TRACE_SCHED_SWITCH:
        break;
    default:
        r = cap_vcpu_event(L, ev);
        break;
    }
    L->seq++;
    return r;
}

/* ---- after the pass ---- */

/* A HLT exit long before the start of the halt its wakeup reports: that
 * exit's own halt was lost (capture.h). Only on a ns clock, known now. */
static int cap_lost_before(const struct capture *cap, const struct capture_halt *h)
{
    if (h->flags & CAPTURE_LOST_BEFORE)
        return 1;
    if (h->hlt_seq < 0 || cap->stats.raw_counter || (h->flags & CAPTURE_END_IS_ENTRY))
        return 0;
    return h->end_ns - h->hlt_ns - h->halt_ns > CAPTURE_LOST_HALT_NS;
}

/* From a lost halt until a halt that emits its own line (whose `old` is the
 * window), the windows are unsure. */
static void cap_mark_unsure(struct capture *cap)
{
    for (size_t i = 0; i < cap->n_vcpus; i++) {
        struct capture_vcpu *v = &cap->vcpus[i];
        int unsure = 0;

        for (size_t k = 0; k < v->n_halts; k++) {
            struct capture_halt *h = &v->halts[k];

            if (cap_lost_before(cap, h)) {
                h->flags |= CAPTURE_LOST_BEFORE;
                v->lost_halts++;
                unsure = 1;
            }
            if (h->line_new_ns >= 0)
                unsure = 0;
            else if (unsure)
                h->flags |= CAPTURE_WINDOW_UNSURE;
        }
    }
}

static void cap_backfill_windows(struct cap_loader *L)
{
    for (size_t i = 0; i < L->cap->n_vcpus; i++) {
        struct capture_vcpu *v = &L->cap->vcpus[i];
        struct cap_thread *t = &L->th[i];

        for (size_t k = 0; t->seen_line && k < t->first_line_halt; k++) {
            if (v->halts[k].window_ns >= 0)
                continue;
            v->halts[k].window_ns = t->first_old;
            v->halts[k].flags |= CAPTURE_WINDOW_BACKFILLED;
        }
    }
}

/* Index of the thread an interrupt is aimed at, or -1 (see capture.h). */
static long cap_irq_target(const struct capture *cap, const struct cap_irq *q)
{
    long match = -1, unknown = -1;
    int n_match = 0, n_unknown = 0;

    for (size_t i = 0; i < cap->n_vcpus; i++) {
        const struct capture_vcpu *v = &cap->vcpus[i];

        if (q->by_thread) {
            if (v->pid == q->pid)
                return (long)i;
            continue;
        }
        if (v->vcpu_id == q->apicid) {
            match = (long)i;
            n_match++;
        } else if (v->vcpu_id < 0) {
            unknown = (long)i;
            n_unknown++;
        }
    }
    if (n_match)
        return n_match == 1 ? match : -1;
    return n_unknown == 1 ? unknown : -1;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

/* The delivery inside halt h: the last of q[0..n) (in stream order) before
 * the wakeup and after the HLT exit (or not before hlt_ns when derived). */
static const struct cap_irq *cap_last_in(const struct cap_irq *q, size_t n,
                                         const struct capture_halt *h)
{
    size_t a = 0, b = n;

    while (a < b) { /* first index at or after the wakeup */
        size_t m = a + (b - a) / 2;
        if (q[m].seq < h->end_seq)
            a = m + 1;
        else
            b = m;
    }
    if (a == 0)
        return NULL;
    q += a - 1;
    if (h->hlt_seq >= 0 ? q->seq > h->hlt_seq : q->ts >= h->hlt_ns)
        return q;
    return NULL;
}

static void cap_set_wakes(struct capture *cap, struct capture_vcpu *v,
                          const struct cap_irq *q, size_t n)
{
    for (size_t k = 0; k < v->n_halts; k++) {
        struct capture_halt *h = &v->halts[k];
        const struct cap_irq *d = cap_last_in(q, n, h);
        int64_t t;

        if (!d) {
            t = h->end_ns - cap->wake_cost_ns;
            if (t < h->hlt_ns)
                t = h->hlt_ns;
            h->flags |= CAPTURE_WAKE_DERIVED;
        } else {
            t = d->ts;
            h->wake_vec = (int16_t)d->vector;
        }
        h->wake_ns = t;
    }
}

/* Bucket the deliveries per thread (stable counting sort), then match halts. */
static int cap_resolve_wakes(struct cap_loader *L)
{
    struct capture *cap = L->cap;
    size_t nv = cap->n_vcpus;
    size_t *start = calloc(nv + 1, sizeof *start);
    long *tgt = malloc((L->n_irqs + 1) * sizeof *tgt);
    struct cap_irq *ts = malloc((L->n_irqs + 1) * sizeof *ts);
    int ret = -1;

    if (!start || !tgt || !ts)
        goto out;
    for (size_t i = 0; i < L->n_irqs; i++) {
        tgt[i] = cap_irq_target(cap, &L->irqs[i]);
        if (tgt[i] < 0)
            cap->irqs_untargeted++;
        else
            start[tgt[i] + 1]++;
    }
    for (size_t v = 0; v < nv; v++)
        start[v + 1] += start[v];
    for (size_t i = 0, fill; i < L->n_irqs; i++) {
        if (tgt[i] < 0)
            continue;
        fill = start[tgt[i]]++;
        ts[fill] = L->irqs[i]; /* stable: stream order kept */
    }
    for (size_t v = nv; v > 0; v--) /* start[] was advanced to the ends */
        start[v] = start[v - 1];
    start[0] = 0;
    for (size_t v = 0; v < nv; v++) {
        cap_set_wakes(cap, &cap->vcpus[v], ts + start[v], start[v + 1] - start[v]);
    }
    ret = 0;
out:
    free(start);
    free(tgt);
    free(ts);
    return ret;
}

static int cap_finish_idle(struct cap_loader *L)
{
    struct capture *cap = L->cap;
    int64_t span = cap->last_ts - cap->first_ts, idle = 0;
    int64_t ncpu = 0;

    cap->cpu_idle_ns = malloc((L->n_idle + 1) * sizeof *cap->cpu_idle_ns);
    if (!cap->cpu_idle_ns)
        return -1;
    cap->n_cpu_idle = L->n_idle;
    for (size_t c = 0; c < L->n_idle; c++) {
        struct cap_idle_cpu *ic = &L->idle[c];

        cap->cpu_idle_ns[c] = -1;
        if (!ic->seen)
            continue;
        ncpu++;
        if (ic->idle_since >= 0)
            ic->idle_ns += cap->last_ts - ic->idle_since;
        idle += ic->idle_ns;
        cap->cpu_idle_ns[c] = ic->idle_ns;
    }
    cap->c0_span_ns = span * ncpu;
    cap->c0_busy_ns = cap->c0_span_ns - idle;
    return 0;
}

void capture_free(struct capture *cap)
{
    if (!cap)
        return;
    for (size_t i = 0; i < cap->n_vcpus; i++)
        free(cap->vcpus[i].halts);
    free(cap->vcpus);
    free(cap->cpu_idle_ns);
    memset(cap, 0, sizeof *cap);
}

int capture_load(const char *path, int64_t wake_cost_ns, volatile int *stop, struct capture *cap,
                 struct hp_error *err)
{
    struct cap_loader L = { .cap = cap, .err = err, .stop = stop, .path = path };
    int r;

    memset(cap, 0, sizeof *cap);
    cap->wake_cost_ns = wake_cost_ns < 0 ? 0 : wake_cost_ns;
    r = trace_read(path, cap_event, &L, &cap->stats, err);
    for (size_t i = 0; r == 0 && i < cap->n_vcpus; i++)
        cap->vcpus[i].tail_hlt_ns = L.th[i].pending_hlt;
    if (r == 0) {
        cap_backfill_windows(&L);
        cap_mark_unsure(cap);
        if (cap_finish_idle(&L) != 0 || cap_resolve_wakes(&L) != 0)
            r = cap_oom(&L);
    } else if (r > 0) {
        r = -1; /* cap_event only stops on a failure it has reported */
    }
    free(L.th);
    free(L.irqs);
    free(L.idle);
    if (r != 0)
        capture_free(cap);
    return r;
}

/* ---- figures ---- */

static struct capture_value cap_val(int64_t v)
{
    return (struct capture_value){ .v = v };
}

static struct capture_value cap_null(const char *why)
{
    return (struct capture_value){ .null_why = why };
}

static void cap_count_halts(const struct capture_vcpu *v, struct capture_figures *f,
                            int64_t *lat, size_t *n_lat)
{
    for (size_t k = 0; k < v->n_halts; k++) {
        const struct capture_halt *h = &v->halts[k];

        f->halts.v++;
        if (h->waited) {
            f->waits.v++;
            f->wait_ns.v += h->halt_ns;
        } else {
            f->polls.v++;
            f->poll_ns.v += h->halt_ns;
            f->polls_caught.v += h->valid;
        }
        f->invalid.v += !h->valid;
        f->windows_known.v += h->window_ns >= 0;
        if (!(h->flags & CAPTURE_WAKE_DERIVED))
            lat[(*n_lat)++] = h->end_ns - h->wake_ns;
    }
}

/* Nearest-rank percentile (in per mille) of sorted a[0..n), n > 0. */
static int64_t cap_pct(const int64_t *a, size_t n, int permille)
{
    size_t rank = (n * (size_t)permille + 999) / 1000;

    return a[rank ? rank - 1 : 0];
}

static void cap_latency(struct capture_figures *f, int64_t *lat, size_t n)
{
    static const char *none = "no interrupt delivery aimed at the vCPU seen inside a halt";
    int64_t sum = 0;

    if (n == 0) {
        f->wake_lat_n = f->wake_lat_mean_ns = f->wake_lat_p50_ns = cap_null(none);
        f->wake_lat_p90_ns = f->wake_lat_p99_ns = f->wake_lat_p999_ns = cap_null(none);
        f->wake_lat_max_ns = cap_null(none);
        return;
    }
    qsort(lat, n, sizeof *lat, cmp_i64);
    for (size_t i = 0; i < n; i++)
        sum += lat[i];
    f->wake_lat_n = cap_val((int64_t)n);
    f->wake_lat_mean_ns = cap_val(sum / (int64_t)n);
    f->wake_lat_p50_ns = cap_val(cap_pct(lat, n, 500));
    f->wake_lat_p90_ns = cap_val(cap_pct(lat, n, 900));
    f->wake_lat_p99_ns = cap_val(cap_pct(lat, n, 990));
    f->wake_lat_p999_ns = cap_val(cap_pct(lat, n, 999));
    f->wake_lat_max_ns = cap_val(lat[n - 1]);
}

static void cap_nullify_halts(const struct capture *cap, struct capture_figures *f)
{
    static const char *nowake = "no kvm_vcpu_wakeup events: KVM's halt code is not traced";
    static const char *nohlt = "no kvm_exit HLT or kvm_emulate_insn f4 events";

    if (!cap->has_hlt_exits)
        f->halt_exits = cap_null(nohlt);
    if (!cap->has_wakeups) {
        f->halts = f->polls = f->waits = f->polls_caught = f->invalid = cap_null(nowake);
        f->poll_ns = f->wait_ns = f->windows_known = cap_null(nowake);
    }
}

int capture_figures(const struct capture *cap, int vcpu, struct capture_figures *f,
                    struct hp_error *err)
{
    size_t lo = vcpu < 0 ? 0 : (size_t)vcpu, hi = vcpu < 0 ? cap->n_vcpus : lo + 1;
    size_t total = 0, n_lat = 0;
    int64_t *lat;

    if (vcpu >= 0 && (size_t)vcpu >= cap->n_vcpus)
        return hp_errorf(err, HP_EXIT_USAGE, "capture has no vCPU index %d", vcpu);
    memset(f, 0, sizeof *f);
    f->units = cap->stats.raw_counter ? "counter ticks" : "ns";
    for (size_t i = lo; i < hi; i++)
        total += cap->vcpus[i].n_halts;
    lat = malloc((total + 1) * sizeof *lat);
    if (!lat)
        return hp_errorf(err, HP_EXIT_RUNTIME, "out of memory computing capture figures");
    for (size_t i = lo; i < hi; i++) {
        f->halt_exits.v += cap->vcpus[i].halt_exits;
        cap_count_halts(&cap->vcpus[i], f, lat, &n_lat);
    }
    cap_latency(f, lat, n_lat);
    free(lat);
    cap_nullify_halts(cap, f);
    if (vcpu >= 0)
        f->c0_ppm = cap_null("C0 residency is per host CPU, not per vCPU");
    else if (cap->cpu_idle_events == 0 || cap->c0_span_ns <= 0)
        f->c0_ppm = cap_null("no power:cpu_idle events in the capture");
    else
        f->c0_ppm = cap_val((int64_t)((double)cap->c0_busy_ns * 1e6 / (double)cap->c0_span_ns));
    return 0;
}
