/* fit.c - host cost estimators over captured halts. See fit.h. */
#include "fit.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "version.h"

#define FIT_GRID_STEPS 81        /* b = 1 us x 2^(k/4), k = 0..80: 1 us .. 1.05 s */

/* A growable array of int64 samples. */
struct fit_samples {
    int64_t *v;
    size_t n, cap;
};

static int samples_add(struct fit_samples *s, int64_t x)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 256;
        int64_t *v = realloc(s->v, cap * sizeof *v);

        if (!v)
            return -1;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = x;
    return 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

/* Lower median of v[0..n) (sorted in place); n > 0. */
static int64_t lower_median(int64_t *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_i64);
    return v[(n - 1) / 2];
}

static int64_t halt_start(const struct capture_halt *h)
{
    return h->end_ns - h->halt_ns;
}

/* Is thread i the only vCPU thread of the capture on its host CPU? */
static bool alone_on_cpu(const struct capture *cap, size_t i)
{
    int cpu = cap->vcpus[i].cpu;

    if (cpu < 0)
        return cap->n_vcpus == 1;
    for (size_t j = 0; j < cap->n_vcpus; j++)
        if (j != i && cap->vcpus[j].cpu == cpu)
            return false;
    return true;
}

/* HLT exit -> halt code, if this halt shows it; -1 otherwise. */
static int64_t hlt_exit_sample(const struct capture_halt *h)
{
    if (h->hlt_seq < 0 || (h->flags & (CAPTURE_HLT_DERIVED | CAPTURE_END_IS_ENTRY |
                                       CAPTURE_LOST_BEFORE)))
        return -1;
    return halt_start(h) >= h->hlt_ns ? halt_start(h) - h->hlt_ns : -1;
}

/* Delivery -> kvm_vcpu_wakeup of a halt the poll caught; -1 otherwise. */
static int64_t poll_hit_sample(const struct capture_halt *h)
{
    if (h->waited || !h->valid || (h->flags & (CAPTURE_WAKE_DERIVED | CAPTURE_END_IS_ENTRY)))
        return -1;
    return h->wake_ns >= halt_start(h) && h->end_ns >= h->wake_ns ? h->end_ns - h->wake_ns : -1;
}

/* kvm_vcpu_wakeup -> kvm_entry of a halt the poll caught; -1 otherwise. */
static int64_t resume_sample(const struct capture_halt *h)
{
    if (h->waited || !h->valid || h->entry_ns < h->end_ns || (h->flags & CAPTURE_END_IS_ENTRY))
        return -1;
    return h->entry_ns - h->end_ns;
}

/* The block path sample (x, d) of a halt that blocked (see fit.h); false if
 * the halt does not qualify. */
static bool wake_sample(const struct capture_halt *h, int64_t vm_window, int64_t *x, int64_t *d)
{
    int64_t w = h->window_ns >= 0 ? h->window_ns : vm_window;

    if (!h->waited || !h->valid || w < 0 || h->wake_vec == TRACE_TIMER_VECTOR ||
        (h->flags & (CAPTURE_WAKE_DERIVED | CAPTURE_END_IS_ENTRY | CAPTURE_LOST_BEFORE |
                     CAPTURE_WINDOW_UNSURE)))
        return false;
    *x = h->wake_ns - (halt_start(h) + w);
    *d = h->end_ns - h->wake_ns;
    return *x >= 0 && *d >= 0;
}

/* The block-path samples, as pairs sorted by x. */
struct fit_pair {
    int64_t x, d;
};

static int cmp_pair(const void *a, const void *b)
{
    const struct fit_pair *p = a, *q = b;

    if (p->x != q->x)
        return (p->x > q->x) - (p->x < q->x);
    return (p->d > q->d) - (p->d < q->d);
}

struct fit_acc {
    struct fit_samples hlt, poll, resume;
    struct fit_pair *pairs;
    size_t npairs, cap_pairs;
};

static int pairs_add(struct fit_acc *a, int64_t x, int64_t d)
{
    if (a->npairs == a->cap_pairs) {
        size_t cap = a->cap_pairs ? 2 * a->cap_pairs : 256;
        struct fit_pair *p = realloc(a->pairs, cap * sizeof *p);

        if (!p)
            return -1;
        a->pairs = p;
        a->cap_pairs = cap;
    }
    a->pairs[a->npairs++] = (struct fit_pair){ x, d };
    return 0;
}

/* Collect one capture's samples; counts[4] gets its sample sizes. */
static int collect(const struct fit_input *in, struct fit_acc *a, int64_t *counts)
{
    const struct capture *cap = in->cap;
    size_t before[4] = { a->hlt.n, a->poll.n, a->resume.n, a->npairs };

    for (size_t i = 0; i < cap->n_vcpus; i++) {
        bool alone = alone_on_cpu(cap, i);

        for (size_t k = 0; k < cap->vcpus[i].n_halts; k++) {
            const struct capture_halt *h = &cap->vcpus[i].halts[k];
            int64_t v, x, d;

            if ((v = hlt_exit_sample(h)) >= 0 && samples_add(&a->hlt, v) != 0)
                return -1;
            if ((v = poll_hit_sample(h)) >= 0 && samples_add(&a->poll, v) != 0)
                return -1;
            if ((v = resume_sample(h)) >= 0 && samples_add(&a->resume, v) != 0)
                return -1;
            if (alone && wake_sample(h, in->vm_window_ns, &x, &d) && pairs_add(a, x, d) != 0)
                return -1;
        }
    }
    counts[0] = (int64_t)(a->hlt.n - before[0]);
    counts[1] = (int64_t)(a->poll.n - before[1]);
    counts[2] = (int64_t)(a->resume.n - before[2]);
    counts[3] = (int64_t)(a->npairs - before[3]);
    return 0;
}

/* Median of the d of pairs [from, to) into *med, and the sum of absolute
 * deviations from it; buf holds to - from values. */
static int64_t side_cost(const struct fit_pair *p, size_t from, size_t to, int64_t *buf,
                         int64_t *med)
{
    int64_t sad = 0;

    for (size_t i = from; i < to; i++)
        buf[i - from] = p[i].d;
    *med = lower_median(buf, to - from);
    for (size_t i = from; i < to; i++)
        sad += p[i].d > *med ? p[i].d - *med : *med - p[i].d;
    return sad;
}

/* First index of sorted pairs with x >= b. */
static size_t split_at(const struct fit_pair *p, size_t n, int64_t b)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (p[mid].x < b)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void set_state(struct x86_cstate *s, const char *name, int64_t wake,
                      const struct x86_costs *base, int64_t residency)
{
    int64_t exit = wake - base->wake_signal_ns - base->sched_in_ns;

    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", name);
    s->actual_exit_ns = s->exit_latency_ns = exit > 0 ? exit : 0;
    s->target_residency_ns = residency > 0 ? residency : 0;
}

/* The change point of fit.h over the sorted pairs; the states into out. */
static int fit_cstates(struct fit_acc *a, const struct x86_costs *base, struct fit_result *out)
{
    size_t n = a->npairs, best_s = 0;
    int64_t *buf = malloc((n ? n : 1) * sizeof *buf), best = INT64_MAX, best_b = 0, ml, mr;

    if (!buf)
        return -1;
    out->wake_n = (int64_t)n;
    if (n)
        qsort(a->pairs, n, sizeof *a->pairs, cmp_pair);
    for (int k = 0; k < FIT_GRID_STEPS && n >= 2 * FIT_MIN_GROUP; k++) {
        int64_t b = llround(1000.0 * pow(2.0, k / 4.0));
        size_t s = split_at(a->pairs, n, b);
        int64_t cost;

        if (s < FIT_MIN_GROUP || n - s < FIT_MIN_GROUP)
            continue;
        cost = side_cost(a->pairs, 0, s, buf, &ml) + side_cost(a->pairs, s, n, buf, &mr);
        if (mr > ml && cost < best) {
            best = cost;
            best_s = s;
            best_b = b;
        }
    }
    if (best_s) {
        side_cost(a->pairs, 0, best_s, buf, &out->state_wake_ns[0]);
        side_cost(a->pairs, best_s, n, buf, &out->state_wake_ns[1]);
        out->nstates = 2;
        out->boundary_ns = best_b;
        out->state_n[0] = (int64_t)best_s;
        out->state_n[1] = (int64_t)(n - best_s);
        set_state(&out->cstate[0], "shallow", out->state_wake_ns[0], base, 0);
        set_state(&out->cstate[1], "deep", out->state_wake_ns[1], base,
                  best_b - base->sched_out_ns - base->idle_enter_ns);
    } else if (n) {
        side_cost(a->pairs, 0, n, buf, &out->state_wake_ns[0]);
        out->nstates = 1;
        out->state_n[0] = (int64_t)n;
        set_state(&out->cstate[0], "fitted", out->state_wake_ns[0], base, 0);
    }
    free(buf);
    return 0;
}

static void fit_one(struct fit_samples *s, struct fit_estimate *e, int64_t factor)
{
    e->n = (int64_t)s->n;
    e->value = s->n ? factor * lower_median(s->v, s->n) : 0;
}

static void acc_free(struct fit_acc *a)
{
    free(a->hlt.v);
    free(a->poll.v);
    free(a->resume.v);
    free(a->pairs);
}

int fit_estimate(const struct fit_input *in, size_t n, const struct x86_costs *base,
                 struct fit_result *out, struct hp_error *err)
{
    struct fit_acc a = { 0 };

    memset(out, 0, sizeof *out);
    out->per_capture_n = calloc(n ? 4 * n : 1, sizeof *out->per_capture_n);
    if (!out->per_capture_n)
        return hp_errorf(err, HP_EXIT_RUNTIME, "out of memory");
    for (size_t i = 0; i < n; i++) {
        if (in[i].cap->stats.raw_counter) {
            acc_free(&a);
            return hp_errorf(err, HP_EXIT_USAGE, "%s: timestamps are raw counter ticks: fit "
                             "needs a ns trace clock (record with -C mono or x86-tsc with "
                             "TSC2NSEC)", in[i].path);
        }
        if (collect(&in[i], &a, &out->per_capture_n[4 * i]) != 0)
            goto oom;
    }
    fit_one(&a.hlt, &out->hlt_exit, 1);
    fit_one(&a.poll, &out->poll_iter, 2);
    fit_one(&a.resume, &out->poll_hit_resume, 1);
    if (fit_cstates(&a, base, out) != 0)
        goto oom;
    acc_free(&a);
    return 0;
oom:
    acc_free(&a);
    return hp_errorf(err, HP_EXIT_RUNTIME, "out of memory");
}

void fit_free(struct fit_result *r)
{
    free(r->per_capture_n);
    r->per_capture_n = NULL;
}

/* ---- the config fragment ---- */

/* What each estimator reads and what it cannot see (docs/validation.md). */
static const struct {
    const char *field, *how, *events, *cannot_see;
} fit_notes[] = {
    {"hlt_exit_ns", "lower median of (kvm_vcpu_wakeup time - its ns) - HLT exit",
     "kvm_exit (HLT) or kvm_emulate_insn f4, kvm_vcpu_wakeup",
     "where the guest runs in KVM's instruction emulator the HLT 'exit' is its emulation; "
     "includes the tracepoints' own cost"},
    {"poll_iter_ns", "2 x lower median of delivery -> kvm_vcpu_wakeup over halts the poll caught",
     "kvm_apic_accept_irq / kvm_msi_set_irq / kvm_inj_virq, kvm_vcpu_wakeup",
     "the cross-CPU notice of the wakeup (kvm_vcpu_kick) and the loop's own iteration are one "
     "figure here; the model has only the iteration"},
    {"poll_hit_resume_ns", "lower median of kvm_vcpu_wakeup -> kvm_entry over halts the poll caught",
     "kvm_vcpu_wakeup, kvm_entry", "needs kvm_entry (absent when the guest runs in the emulator)"},
    {"cstates", "change point of delivery -> kvm_vcpu_wakeup against the time blocked before the "
     "delivery, over halts that blocked; exit = median - wake_signal_ns - sched_in_ns",
     "interrupt deliveries, kvm_vcpu_wakeup, kvm_halt_poll_ns (or the VM's maximum 0)",
     "the remote wakeup, the C-state exit and the switch-in are one figure (their split is the "
     "base profile's); the host's actual C-state is not traced (no power:cpu_idle needed); "
     "timer wakeups are not used (their expiry is not traced); threads sharing a CPU are left "
     "out (their wait includes the run queue)"},
};

static json_t *note_json(int i, int64_t value, int64_t n)
{
    return json_pack("{s:I, s:I, s:s, s:s, s:s}", "value", (json_int_t)value, "n", (json_int_t)n,
                     "how", fit_notes[i].how, "events", fit_notes[i].events, "cannot_see",
                     fit_notes[i].cannot_see);
}

static json_t *cstates_note(const struct fit_result *r)
{
    json_t *o = note_json(3, r->nstates, r->wake_n), *sides = json_array();

    json_object_del(o, "value");
    for (int i = 0; i < r->nstates; i++)
        json_array_append_new(sides, json_pack("{s:s, s:I, s:I, s:I}", "state", r->cstate[i].name,
                              "n", (json_int_t)r->state_n[i], "wake_p50_ns",
                              (json_int_t)r->state_wake_ns[i], "actual_exit_ns",
                              (json_int_t)r->cstate[i].actual_exit_ns));
    json_object_set_new(o, "states", sides);
    json_object_set_new(o, "boundary_ns", r->nstates == 2 ? json_integer(r->boundary_ns) : json_null());
    return o;
}

/* Fitted fields into costs and their notes into fitted; the rest into kept. */
static void fragment_fields(const struct fit_result *r, json_t *costs, json_t *fitted, json_t *kept)
{
    const struct fit_estimate *e[] = { &r->hlt_exit, &r->poll_iter, &r->poll_hit_resume };

    for (int i = 0; i < 3; i++) {
        if (e[i]->n) {
            json_object_set_new(costs, fit_notes[i].field, json_integer(e[i]->value));
            json_object_set_new(fitted, fit_notes[i].field, note_json(i, e[i]->value, e[i]->n));
        } else {
            json_object_set_new(kept, fit_notes[i].field,
                                json_sprintf("no sample (%s)", fit_notes[i].cannot_see));
        }
    }
    if (r->nstates) {
        json_object_set_new(costs, "cstates", x86_cstates_json(r->cstate, r->nstates));
        json_object_set_new(fitted, "cstates", cstates_note(r));
    } else {
        json_object_set_new(kept, "cstates", json_string("no halt that blocked with a traced "
                                                         "delivery and a known window"));
    }
    json_object_set_new(kept, "wake_signal_ns, sched_in_ns", json_string(
        "only their sum with the C-state exit is seen (no sched_switch / sched_wakeup)"));
    json_object_set_new(kept, "sched_out_ns, idle_enter_ns, resched_ipi_ns", json_string(
        "no event marks the schedule-out, the idle entry or a wakeup of a busy CPU"));
    json_object_set_new(kept, "host_timer_irq_ns", json_string(
        "a LAPIC timer's expiry is not traced before the wakeup it causes"));
}

json_t *fit_fragment(const struct fit_result *r, const struct x86_costs *base,
                     const struct fit_input *in, const char *const *kernels, size_t n,
                     const char *command)
{
    json_t *costs = json_pack("{s:s}", "profile", base->profile), *caps = json_array();
    json_t *fitted = json_object(), *kept = json_object(), *prov;

    for (size_t i = 0; i < n; i++) {
        const int64_t *c = &r->per_capture_n[4 * i];
        size_t halts = 0;

        for (size_t v = 0; v < in[i].cap->n_vcpus; v++)
            halts += in[i].cap->vcpus[v].n_halts;
        json_array_append_new(caps, json_pack("{s:s, s:s?, s:I, s:{s:I, s:I, s:I, s:I}}",
                              "path", in[i].path, "kernel_release", kernels ? kernels[i] : NULL,
                              "halts", (json_int_t)halts, "samples", "hlt_exit_ns",
                              (json_int_t)c[0], "poll_iter_ns", (json_int_t)c[1],
                              "poll_hit_resume_ns", (json_int_t)c[2], "cstates", (json_int_t)c[3]));
    }
    fragment_fields(r, costs, fitted, kept);
    prov = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}", "made_by", command, "hpsim_version",
                     HPSIM_VERSION, "method", "docs/validation.md#the-fit", "captures", caps,
                     "fitted", fitted, "kept_from_base", kept);
    return json_pack("{s:o, s:o}", "_fit", prov, "costs", costs);
}
