/* replay.c - a capture made ready for replay. See replay.h. */
#include "replay.h"
#include "trace_emit.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REPLAY_LONG_HALT_NS 1000000
#define REPLAY_SHORT_HALT_NS 50000
#define REPLAY_MIN_SAMPLES 10

static struct replay_capture *handoff;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* Ratios (end - hlt) / halt_ns of traced halts of at least min_ns into r. */
static size_t ratios(const struct capture *cap, int64_t min_ns, double *r)
{
    size_t n = 0;

    for (size_t i = 0; i < cap->n_vcpus; i++)
        for (size_t k = 0; k < cap->vcpus[i].n_halts; k++) {
            const struct capture_halt *h = &cap->vcpus[i].halts[k];

            if (h->hlt_seq >= 0 && h->halt_ns >= min_ns && h->end_ns > h->hlt_ns &&
                !(h->flags & CAPTURE_END_IS_ENTRY))
                r[n++] = (double)(h->end_ns - h->hlt_ns) / (double)h->halt_ns;
        }
    return n;
}

/* ticks_per_ns of a raw counter clock (see replay.h). */
static int estimate_clock(struct replay_capture *rc, double counter_hz, struct hp_error *err)
{
    size_t total = 0, n;
    double *r;

    if (counter_hz > 0) {
        rc->ticks_per_ns = counter_hz / 1e9;
        snprintf(rc->clock_buf, sizeof rc->clock_buf, "counter at %.0f Hz (given)", counter_hz);
        return 0;
    }
    for (size_t i = 0; i < rc->cap.n_vcpus; i++)
        total += rc->cap.vcpus[i].n_halts;
    if (total == 0) { /* nothing to replay: the clock only sets the span */
        rc->ticks_per_ns = 1;
        snprintf(rc->clock_buf, sizeof rc->clock_buf,
                 "counter of unknown frequency, read as ns (no halts to calibrate it)");
        return 0;
    }
    r = malloc((total + 1) * sizeof *r);
    if (!r)
        return hp_errorf(err, HP_EXIT_RUNTIME, "out of memory");
    n = ratios(&rc->cap, REPLAY_LONG_HALT_NS, r);
    if (n < REPLAY_MIN_SAMPLES)
        n = ratios(&rc->cap, REPLAY_SHORT_HALT_NS, r);
    if (n < REPLAY_MIN_SAMPLES) {
        free(r);
        return hp_errorf(err, HP_EXIT_USAGE,
                         "%s: timestamps are raw counter ticks and only %zu halts can "
                         "calibrate them: give the counter frequency (--counter-hz HZ)",
                         rc->path, n);
    }
    qsort(r, n, sizeof *r, cmp_double);
    rc->ticks_per_ns = r[n / 2];
    snprintf(rc->clock_buf, sizeof rc->clock_buf,
             "counter at %.0f Hz (estimated from %zu halts)", rc->ticks_per_ns * 1e9, n);
    free(r);
    return 0;
}

/* Sim time 0: the first event, or an earlier derived halt start. */
static void set_origin(struct replay_capture *rc)
{
    const struct capture *cap = &rc->cap;
    int64_t o = cap->first_ts;

    for (size_t i = 0; i < cap->n_vcpus; i++)
        if (cap->vcpus[i].n_halts && cap->vcpus[i].halts[0].hlt_ns < o)
            o = cap->vcpus[i].halts[0].hlt_ns;
    rc->origin = o;
    rc->span_ns = replay_time(rc, cap->last_ts) + 1;
}

/* A trace that hpsim emitted says how long its run was: replay all of it. */
static void set_emitted_span(struct replay_capture *rc)
{
    int64_t d = trace_emit_read_duration(rc->path);

    if (d > 0 && !rc->cap.stats.raw_counter && d - rc->origin > rc->span_ns)
        rc->span_ns = d - rc->origin;
}

static int place(struct replay_capture *rc)
{
    size_t n = rc->cap.n_vcpus;
    int np = 0;

    rc->pin = calloc(n, sizeof *rc->pin);
    rc->host_cpu = calloc(n, sizeof *rc->host_cpu);
    if (!rc->pin || !rc->host_cpu)
        return -1;
    /* distinct known CPUs in increasing order, then one pCPU per unknown */
    for (int last = -1;;) {
        int next = -1;
        for (size_t i = 0; i < n; i++) {
            int c = rc->cap.vcpus[i].cpu;
            if (c > last && (next < 0 || c < next))
                next = c;
        }
        if (next < 0)
            break;
        for (size_t i = 0; i < n; i++)
            if (rc->cap.vcpus[i].cpu == next)
                rc->pin[i] = np;
        rc->host_cpu[np++] = next;
        last = next;
    }
    for (size_t i = 0; i < n; i++)
        if (rc->cap.vcpus[i].cpu < 0) {
            rc->pin[i] = np;
            rc->host_cpu[np++] = -1;
        }
    rc->npcpus = np;
    return 0;
}

static int check_input(struct replay_capture *rc, struct hp_error *err)
{
    const struct trace_stats *st = &rc->cap.stats;

    if (st->malformed && st->is_dat)
        return hp_errorf(err, HP_EXIT_USAGE, "%s: record %" PRId64 ": malformed event record "
                         "(%" PRId64 " in the file)", rc->path, st->first_malformed, st->malformed);
    if (st->malformed)
        return hp_errorf(err, HP_EXIT_USAGE, "%s:%" PRId64 ": malformed event line "
                         "(%" PRId64 " in the file)", rc->path, st->first_malformed, st->malformed);
    if (rc->cap.n_vcpus == 0)
        return hp_errorf(err, HP_EXIT_USAGE, "%s: no KVM vCPU events (kvm_exit, kvm_entry, "
                         "kvm_vcpu_wakeup, kvm_halt_poll_ns): nothing to replay", rc->path);
    return 0;
}

int replay_capture_open(const char *path, double counter_hz, volatile int *stop, struct replay_capture *rc,
                        struct hp_error *err)
{
    memset(rc, 0, sizeof *rc);
    rc->ticks_per_ns = 1;
    rc->clock = "ns";
    rc->path = strdup(path);
    if (!rc->path)
        return hp_errorf(err, HP_EXIT_RUNTIME, "out of memory");
    /* Derived wakeup arrivals are placed by the replay from the run's costs,
     * so the capture keeps them at the wakeup itself (wake cost 0). */
    if (capture_load(path, 0, stop, &rc->cap, err) != 0 || check_input(rc, err) != 0)
        goto err;
    if (rc->cap.stats.raw_counter) {
        if (estimate_clock(rc, counter_hz, err) != 0)
            goto err;
        rc->clock = rc->clock_buf;
    }
    set_origin(rc);
    set_emitted_span(rc);
    if (place(rc) != 0) {
        hp_errorf(err, HP_EXIT_RUNTIME, "out of memory");
        goto err;
    }
    rc->refs = 1;
    return 0;
err:
    replay_capture_close(rc);
    return -1;
}

struct replay_capture *replay_capture_new(const char *path, double counter_hz, volatile int *stop,
                                          struct hp_error *err)
{
    struct replay_capture *rc = calloc(1, sizeof *rc);
    if (!rc) {
        hp_errorf(err, HP_EXIT_RUNTIME, "out of memory");
        return NULL;
    }
    if (replay_capture_open(path, counter_hz, stop, rc, err) != 0) {
        free(rc);
        return NULL;
    }
    return rc;
}

void replay_capture_hold(struct replay_capture *rc)
{
    rc->refs++;
}

void replay_capture_release(struct replay_capture *rc)
{
    if (!rc)
        return;
    if (rc->refs > 1) {
        rc->refs--;
        return;
    }
    replay_capture_close(rc);
    free(rc);
}

void replay_capture_close(struct replay_capture *rc)
{
    if (!rc)
        return;
    capture_free(&rc->cap);
    free(rc->path);
    free(rc->pin);
    free(rc->host_cpu);
    memset(rc, 0, sizeof *rc);
}

int64_t replay_duration(const struct replay_capture *rc, int64_t d)
{
    if (rc->ticks_per_ns == 1)
        return d;
    return llround((double)d / rc->ticks_per_ns);
}

int64_t replay_time(const struct replay_capture *rc, int64_t ts)
{
    return replay_duration(rc, ts - rc->origin);
}

void replay_handoff(struct replay_capture *rc)
{
    replay_capture_release(handoff);
    handoff = rc;
}

struct replay_capture *replay_take_handoff(const char *path)
{
    struct replay_capture *rc = handoff;

    if (!rc || strcmp(rc->path, path) != 0)
        return NULL;
    handoff = NULL;
    return rc;
}
