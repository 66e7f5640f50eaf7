/*
 * replay_figures.c - what `hpsim replay` reports from the capture itself: the
 * "captured" row (the results schema's keys, null where the capture cannot
 * support a figure, with the reason in "null_reasons"), and the captured
 * host's halt-polling parameters, looked up beside or inside the capture.
 */
#include <jansson.h>
#include <stdarg.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capdir.h"
#include "replay.h"
#include "trace_emit.h"

#define WHY_POLL "halts that blocked do not show how long they polled first " \
                 "(kvm_vcpu_wakeup gives poll + wait); poll_caught_pct is exact"
#define WHY_HALT "no kvm_vcpu_wakeup events: KVM's halt code is not traced"
#define WHY_HOST "the capture does not trace the host's own time (guest, exits, scheduler)"
#define WHY_CSTATE "no power:cpu_idle events for the vCPUs' host CPUs"
#define WHY_WORKLOAD "no workload figures in a capture (transactions are not traced)"
#define WHY_WINDOW "the window of some halts is not known (no kvm_halt_poll_ns line)"
#define WHY_LAT "no interrupt delivery aimed at a vCPU seen inside a halt"

/* Figures summed over the capture's halts; see rf_sums(). */
struct rf_sums {
    int64_t halts, polls, polls_invalid, poll_ns, wait_ns, attempted;
    int64_t window_sum, windows_known, grows, shrinks, blocked_after_poll;
    int64_t halt_exits;
};

static void rf_sums(const struct capture *cap, struct rf_sums *s)
{
    memset(s, 0, sizeof *s);
    for (size_t i = 0; i < cap->n_vcpus; i++) {
        const struct capture_vcpu *v = &cap->vcpus[i];

        s->halt_exits += v->halt_exits;
        for (size_t k = 0; k < v->n_halts; k++) {
            const struct capture_halt *h = &v->halts[k];

            s->halts++;
            if (h->waited) {
                s->wait_ns += h->halt_ns;
                s->blocked_after_poll += h->window_ns != 0;
            } else {
                s->polls++;
                s->poll_ns += h->halt_ns;
                s->polls_invalid += !h->valid;
            }
            if (h->window_ns >= 0) {
                s->windows_known++;
                s->window_sum += h->window_ns;
                s->attempted += h->window_ns > 0;
            }
            if (h->line_new_ns >= 0) {
                s->grows += h->line_grow;
                s->shrinks += !h->line_grow;
            }
        }
    }
}

static void put(json_t *o, json_t *why, const char *key, json_t *v, const char *reason)
{
    if (!v) {
        json_object_set_new(o, key, json_null());
        json_object_set_new(why, key, json_string(reason));
        return;
    }
    json_object_set_new(o, key, v);
}

static json_t *real_or_null(int ok, double v)
{
    return ok ? json_real(v) : NULL;
}

static json_t *int_or_null(int ok, int64_t v)
{
    return ok ? json_integer(v) : NULL;
}

/* Sorted copy of a per-halt figure; *n set. NULL when empty or no memory. */
static int64_t *rf_sorted(const struct replay_capture *rc, int lat, size_t *n)
{
    const struct capture *cap = &rc->cap;
    size_t total = 0, m = 0;
    int64_t *a;

    for (size_t i = 0; i < cap->n_vcpus; i++)
        total += cap->vcpus[i].n_halts;
    a = malloc((total + 1) * sizeof *a);
    if (!a)
        return NULL;
    for (size_t i = 0; i < cap->n_vcpus; i++)
        for (size_t k = 0; k < cap->vcpus[i].n_halts; k++) {
            const struct capture_halt *h = &cap->vcpus[i].halts[k];

            if (!lat)
                a[m++] = h->halt_ns;
            else if (!(h->flags & CAPTURE_WAKE_DERIVED))
                a[m++] = replay_duration(rc, (h->entry_ns >= 0 ? h->entry_ns : h->end_ns) -
                                                 h->wake_ns);
        }
    *n = m;
    return a;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

static int64_t pct_of(const int64_t *a, size_t n, int permille)
{
    size_t rank = (n * (size_t)permille + 999) / 1000;

    return a[rank ? rank - 1 : 0];
}

/* {count, mean, p50, p90, p99, p999, max} of a per-halt figure, or NULL. */
static json_t *rf_dist(const struct replay_capture *rc, int lat)
{
    size_t n;
    int64_t *a = rf_sorted(rc, lat, &n);
    double sum = 0;
    json_t *o;

    if (!a || n == 0) {
        free(a);
        return NULL;
    }
    qsort(a, n, sizeof *a, cmp_i64);
    for (size_t i = 0; i < n; i++)
        sum += (double)a[i];
    o = json_pack("{s:I, s:f, s:I, s:I, s:I, s:I, s:I}", "count", (json_int_t)n, "mean",
                  sum / (double)n, "p50", (json_int_t)pct_of(a, n, 500), "p90",
                  (json_int_t)pct_of(a, n, 900), "p99", (json_int_t)pct_of(a, n, 990), "p999",
                  (json_int_t)pct_of(a, n, 999), "max", (json_int_t)a[n - 1]);
    free(a);
    return o;
}

/* C0 share of the vCPUs' host CPUs from power:cpu_idle, -1 if not all traced. */
static double rf_c0(const struct replay_capture *rc)
{
    const struct capture *cap = &rc->cap;
    double span = (double)(cap->last_ts - cap->first_ts), idle = 0;

    if (span <= 0)
        return -1;
    for (int p = 0; p < rc->npcpus; p++) {
        int c = rc->host_cpu[p];

        if (c < 0 || (size_t)c >= cap->n_cpu_idle || cap->cpu_idle_ns[c] < 0)
            return -1;
        idle += (double)cap->cpu_idle_ns[c];
    }
    return 100.0 * (1.0 - idle / (span * rc->npcpus));
}

static json_t *rf_kvm(const struct rf_sums *s, int halts_ok, int exact_wait, json_t *why)
{
    json_t *kv = json_object(), *w = json_object();

    put(kv, w, "halt_exits", int_or_null(s->halt_exits > 0 || halts_ok, s->halt_exits),
        "no kvm_exit HLT or kvm_emulate_insn f4 events");
    put(kv, w, "halt_attempted_poll", int_or_null(halts_ok && s->windows_known == s->halts,
                                                  s->attempted), WHY_WINDOW);
    put(kv, w, "halt_successful_poll", int_or_null(halts_ok, s->polls), WHY_HALT);
    put(kv, w, "halt_poll_invalid", int_or_null(halts_ok, s->polls_invalid), WHY_HALT);
    put(kv, w, "halt_wakeup", NULL, "wakeups of a sleeping thread are not traced");
    put(kv, w, "halt_poll_success_ns", int_or_null(halts_ok, s->poll_ns), WHY_HALT);
    put(kv, w, "halt_poll_fail_ns", int_or_null(exact_wait, 0), WHY_POLL);
    put(kv, w, "halt_wait_ns", int_or_null(exact_wait, s->wait_ns), WHY_POLL);
    if (json_object_size(w))
        json_object_set_new(why, "kvm", w);
    else
        json_decref(w);
    return kv;
}

/* Host-time shares, which a capture of KVM events alone cannot give. */
static void rf_host_shares(json_t *o, json_t *why, double c0)
{
    put(o, why, "guest_pct", NULL, WHY_HOST);
    put(o, why, "exit_pct", NULL, WHY_HOST);
    put(o, why, "sched_pct", NULL, WHY_HOST);
    put(o, why, "idle_pct", real_or_null(c0 >= 0, 100.0 - c0), WHY_CSTATE);
}

json_t *replay_captured_row(const struct replay_capture *rc)
{
    const struct capture *cap = &rc->cap;
    json_t *o = json_object(), *why = json_object();
    struct rf_sums s;
    double total = (double)rc->span_ns * rc->npcpus, secs = (double)rc->span_ns / 1e9;
    double c0 = rf_c0(rc);
    int halts_ok = cap->has_wakeups;
    /* Failed polls are exactly 0 when every halt that blocked had window 0. */
    int exact_wait;

    rf_sums(cap, &s);
    exact_wait = halts_ok && s.windows_known == s.halts && s.blocked_after_poll == 0;
    json_object_set_new(o, "policy", json_string("captured"));
    put(o, why, "c0_pct", real_or_null(c0 >= 0, c0), WHY_CSTATE);
    put(o, why, "poll_pct", real_or_null(exact_wait, 100.0 * (double)s.poll_ns / total), WHY_POLL);
    put(o, why, "poll_caught_pct", real_or_null(halts_ok, 100.0 * (double)s.poll_ns / total),
        WHY_HALT);
    put(o, why, "poll_failed_pct", real_or_null(exact_wait, 0), WHY_POLL);
    rf_host_shares(o, why, c0);
    put(o, why, "halts", int_or_null(halts_ok, s.halts), WHY_HALT);
    put(o, why, "halts_per_s", real_or_null(halts_ok, (double)s.halts / secs), WHY_HALT);
    put(o, why, "poll_successes", int_or_null(halts_ok, s.polls), WHY_HALT);
    put(o, why, "poll_success_pct",
        real_or_null(halts_ok && s.halts, s.halts ? 100.0 * (double)s.polls / (double)s.halts : 0),
        WHY_HALT);
    put(o, why, "blocked_ns", int_or_null(exact_wait, s.wait_ns), WHY_POLL);
    put(o, why, "wakeup_latency_ns", halts_ok ? rf_dist(rc, 1) : NULL, WHY_LAT);
    put(o, why, "transactions_per_s", NULL, WHY_WORKLOAD);
    put(o, why, "rtt_ns", NULL, WHY_WORKLOAD);
    put(o, why, "mean_halt_poll_ns",
        real_or_null(halts_ok && s.halts && s.windows_known == s.halts,
                     s.halts ? (double)s.window_sum / (double)s.halts : 0), WHY_WINDOW);
    put(o, why, "halt_ns", halts_ok ? rf_dist(rc, 0) : NULL, WHY_HALT);
    put(o, why, "window_grows", int_or_null(halts_ok, s.grows), WHY_HALT);
    put(o, why, "window_shrinks", int_or_null(halts_ok, s.shrinks), WHY_HALT);
    put(o, why, "halts_skipped", int_or_null(halts_ok && cap->has_hlt_exits,
                                             s.halt_exits - s.halts),
        "HLT exits or kvm_vcpu_wakeup are not traced");
    put(o, why, "coalesced_irqs", NULL, "interrupts merged in the guest are not traced");
    json_object_set_new(o, "kvm", rf_kvm(&s, halts_ok, exact_wait, why));
    put(o, why, "cstate_pct", NULL, "C-states are not traced per state here");
    json_object_set_new(o, "events", json_integer(cap->stats.events));
    put(o, why, "guest_poll_pct", NULL, "guest-side polling is not traced on the host");
    put(o, why, "guest_polls", NULL, "guest-side polling is not traced on the host");
    put(o, why, "guest_poll_successes", NULL, "guest-side polling is not traced on the host");
    json_object_set_new(o, "bound", json_false());
    put(o, why, "conservation_ok", NULL, "a check of simulated time only");
    put(o, why, "waited_halt_ns", int_or_null(halts_ok, s.wait_ns), WHY_HALT);
    json_object_set_new(o, "null_reasons", why);
    return o;
}

/* ---- the captured host's parameters ---- */

/* Append a formatted assignment to the NULL-terminated *sets. 0 or -1. */
static int rf_add(char ***sets, int *n, const char *fmt, ...)
{
    char **p = realloc(*sets, (size_t)(*n + 2) * sizeof *p);
    va_list ap;
    int r;

    if (!p)
        return -1;
    *sets = p;
    va_start(ap, fmt);
    r = vasprintf(&p[*n], fmt, ap);
    va_end(ap);
    if (r < 0)
        return -1;
    p[++*n] = NULL;
    return 0;
}

/* The "# hpsim policy NAME k=v ..." header line of an emitted trace
 * (trace_emit.h) as "policy.NAME.k=v" assignments. */
static int rf_header_params(const char *path, char ***sets, int *n)
{
    FILE *f = fopen(path, "r");
    char line[1024], name[64];
    int rc = 0;

    if (!f)
        return 0;
    for (int i = 0; i < TRACE_EMIT_HEADER_LINES && fgets(line, sizeof line, f); i++) {
        int at = 0;
        char *save = NULL;

        if (sscanf(line, "# hpsim policy %63s %n", name, &at) != 1 || at == 0)
            continue;
        for (char *w = strtok_r(line + at, " \n", &save); w && rc == 0;
             w = strtok_r(NULL, " \n", &save))
            if (strchr(w, '='))
                rc = rf_add(sets, n, "policy.%s.%s", name, w);
        break;
    }
    fclose(f);
    return rc;
}

/* A file beside the capture, in buf. */
static const char *rf_beside(char *buf, size_t n, const char *capture, const char *name)
{
    char *dup = strdup(capture);

    if (!dup)
        return NULL;
    snprintf(buf, n, "%s/%s", dirname(dup), name);
    free(dup);
    return buf;
}

/* recording.json beside the capture (scripts/record.sh), read as validate
 * reads it (capdir.c): module_parameters, the VM's maximum in effect as
 * halt_poll_ns. The number of parameters found, or -1 with err filled (a
 * recording.json that does not parse or holds a wrong type is an error,
 * not a silent fallback to other sources). */
static int rf_recording_json(const char *capture, const struct capdir *dir, char ***sets, int *n,
                             struct hp_error *err)
{
    struct capdir own;
    const struct capdir *c = dir;
    int found = 0;

    if (!c) {
        if (capdir_open(capture, &own, err) != 0)
            return -1;
        c = &own;
    }
    for (int i = 0; i < CAPDIR_NPARAMS; i++) {
        /* the VM's own maximum, when it set one, is the maximum in effect */
        int64_t v = i == 0 && c->vm_max_ns >= 0 ? c->vm_max_ns : c->module_param[i];

        if (v < 0)
            continue;
        if (rf_add(sets, n, "policy.mainline.%s=%lld", capdir_param_names[i], (long long)v) != 0)
            return hp_errorf(err, HP_EXIT_RUNTIME, "out of memory");
        found++;
    }
    return found;
}

/* recording.txt of ../shared/traces/live: "halt_poll_ns=N grow=N grow_start=N
 * shrink=N" and the probe's "--halt-poll-ns N" (the VM's maximum). */
static int rf_recording_txt(const char *path, char ***sets, int *n)
{
    FILE *f = fopen(path, "r");
    char line[1024];
    long long v[CAPDIR_NPARAMS], vm = -1;
    int found = 0, rc = 0;

    if (!f)
        return 0;
    while (fgets(line, sizeof line, f)) {
        char *p = strncmp(line, "cmd:", 4) == 0 ? strstr(line, " --halt-poll-ns ") : NULL;

        if (sscanf(line, "halt_poll_ns=%lld grow=%lld grow_start=%lld shrink=%lld", &v[0],
                   &v[1], &v[2], &v[3]) == 4)
            found = 1;
        if (p)
            sscanf(p, " --halt-poll-ns %lld", &vm);
    }
    fclose(f);
    if (!found)
        return 0;
    if (vm >= 0)
        v[0] = vm;
    for (int i = 0; i < CAPDIR_NPARAMS && rc == 0; i++)
        rc = rf_add(sets, n, "policy.mainline.%s=%lld", capdir_param_names[i], v[i]);
    return rc ? -1 : 4;
}

int replay_host_params(const char *capture, const struct capdir *dir, char ***sets, int *n,
                       const char **source, struct hp_error *err)
{
    char buf[4096];
    int r;

    *sets = NULL;
    *n = 0;
    *source = NULL;
    r = rf_recording_json(capture, dir, sets, n, err);
    if (r != 0) {
        *source = "recording.json beside the capture";
        return r < 0 ? -1 : 0;
    }
    if (rf_header_params(capture, sets, n) != 0)
        return hp_errorf(err, HP_EXIT_RUNTIME, "out of memory");
    if (*n) {
        *source = "the capture's \"# hpsim policy\" header";
        return 0;
    }
    r = rf_recording_txt(rf_beside(buf, sizeof buf, capture, "recording.txt"), sets, n);
    if (r > 0)
        *source = "recording.txt beside the capture";
    return r < 0 ? hp_errorf(err, HP_EXIT_RUNTIME, "out of memory") : 0;
}
