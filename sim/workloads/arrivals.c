/*
 * arrivals - a generic open-loop interrupt process on each vCPU: gaps drawn
 * from `interarrival`, the guest runs `handler` for each interrupt. Delivery
 * "remote" (a device or another CPU wakes the vCPU thread) or "timer" (the
 * guest's LAPIC timer: an hrtimer on the vCPU's own pCPU). An interrupt that
 * arrives while the previous one from the same process is still unserved is
 * merged into it, as a level or coalesced edge interrupt would be.
 * With exponential gaps and zero costs this is the closed-form case of a
 * fixed window P (tests/test_analytic.c): P(caught) = 1 - exp(-lambda P).
 *
 * A mixture: "processes": [{...}, {...}] puts several such processes on each
 * vCPU (each with its own interarrival, handler, delivery, notify_exits and
 * an optional name), superposed: e.g. a device's interrupts plus a timer.
 * Without "processes" the keys sit at the top level and make one process.
 * Every process is one source with its own random stream.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../dist.h"
#include "../vcpu_model.h"
#include "../workload.h"

#define MAX_PROCESSES 64

struct process {
    struct dist gap, handler;
    int64_t exits;
    uint8_t delivery;
};

struct arrivals {
    int n;
    struct process proc[];
};

static void arrivals_free(void *p)
{
    struct arrivals *a = p;
    for (int i = 0; a && i < a->n; i++) {
        dist_free(&a->proc[i].gap);
        dist_free(&a->proc[i].handler);
    }
    free(a);
}

/* One process's keys in object o at path (the workload itself, or one
 * element of its "processes"). */
static int parse_process(const struct cfg *c, json_t *o, const char *path, const char *const *keys,
                         struct process *pr)
{
    const char *del, *name;
    char p[256];
    if (cfg_check_keys(c, o, path, keys) ||
        (json_object_get(o, "name") && cfg_str(c, o, path, "name", "", &name)) ||
        dist_parse(c, o, path, "interarrival", 1000000, &pr->gap) ||
        dist_parse(c, o, path, "handler", 2000, &pr->handler) ||
        cfg_int(c, o, path, "notify_exits", 0, 0, 64, &pr->exits) ||
        cfg_str(c, o, path, "delivery", "remote", &del))
        return -1;
    if (strcmp(del, "remote") == 0) {
        pr->delivery = DELIVERY_REMOTE;
    } else if (strcmp(del, "timer") == 0) {
        pr->delivery = DELIVERY_TIMER;
    } else {
        return hp_errorf(c->err, HP_EXIT_USAGE, "%s: %s: expected \"remote\" or \"timer\", got \"%s\"",
                         c->file, cfg_path(p, sizeof p, path, "delivery"), del);
    }
    if (pr->gap.kind == DIST_CONSTANT && pr->gap.a <= 0)
        return hp_errorf(c->err, HP_EXIT_USAGE, "%s: %s: a constant gap must be > 0 ns",
                         c->file, cfg_path(p, sizeof p, path, "interarrival"));
    return 0;
}

static int parse_processes(const struct cfg *c, json_t *o, const char *path, json_t *arr, struct arrivals **out)
{
    static const char *const keys[] = {"type", "processes", NULL};
    static const char *const pkeys[] = {"name", "interarrival", "handler", "delivery", "notify_exits", NULL};
    char p[256], ep[288];
    cfg_path(p, sizeof p, path, "processes");
    if (cfg_check_keys(c, o, path, keys)) {
        char msg[sizeof c->err->msg];
        snprintf(msg, sizeof msg, "%s", c->err->msg);
        return hp_errorf(c->err, HP_EXIT_USAGE, "%s (with \"processes\", each process's keys go inside it)", msg);
    }
    if (!json_is_array(arr) || json_array_size(arr) == 0 || json_array_size(arr) > MAX_PROCESSES)
        return hp_errorf(c->err, HP_EXIT_USAGE, "%s: %s: expected an array of 1 to %d process objects",
                         c->file, p, MAX_PROCESSES);
    size_t n = json_array_size(arr);
    struct arrivals *a = calloc(1, sizeof *a + n * sizeof a->proc[0]);
    if (!a)
        return hp_errorf(c->err, HP_EXIT_RUNTIME, "out of memory");
    *out = a;
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(arr, i);
        cfg_path_index(ep, sizeof ep, p, i);
        if (!json_is_object(e))
            return hp_errorf(c->err, HP_EXIT_USAGE, "%s: %s: expected a process object", c->file, ep);
        a->n++;
        if (parse_process(c, e, ep, pkeys, &a->proc[i]))
            return -1;
    }
    return 0;
}

static int arrivals_parse(const struct cfg *c, json_t *o, const char *path, void **out)
{
    static const char *const keys[] = {"type", "interarrival", "handler", "delivery", "notify_exits", NULL};
    struct arrivals *a = NULL;
    json_t *arr = json_object_get(o, "processes");
    int rc;
    if (arr) {
        rc = parse_processes(c, o, path, arr, &a);
    } else {
        a = calloc(1, sizeof *a + sizeof a->proc[0]);
        if (!a)
            return hp_errorf(c->err, HP_EXIT_RUNTIME, "out of memory");
        a->n = 1;
        rc = parse_process(c, o, path, keys, &a->proc[0]);
    }
    if (rc) {
        arrivals_free(a);
        return -1;
    }
    *out = a;
    return 0;
}

static int arrivals_nsources(const void *p) { return ((const struct arrivals *)p)->n; }

static const struct process *process_of(const struct source *s)
{
    const struct arrivals *a = s->wl->params;
    return &a->proc[s->index];
}

static void arrivals_start(struct model *m, struct source *s)
{
    const struct process *pr = process_of(s);
    s->delivery = pr->delivery;
    model_source_at(m, s, dist_sample_gap(&pr->gap, s->rng));
}

static void arrivals_fire(struct model *m, struct source *s)
{
    model_irq(m, s);
    model_source_at(m, s, model_now(m) + dist_sample_gap(&process_of(s)->gap, s->rng));
}

static int64_t arrivals_serve(struct model *m, struct source *s, int *exits)
{
    (void)m;
    const struct process *pr = process_of(s);
    *exits = (int)pr->exits;
    return dist_sample(&pr->handler, s->rng);
}

static void arrivals_done(struct model *m, struct source *s)
{
    (void)m;
    (void)s;
}

const struct workload_ops workload_arrivals = {
    .name = "arrivals",
    .summary = "open-loop interrupts with gaps and handler times from distributions; mixtures of processes",
    .parse = arrivals_parse,
    .free_params = arrivals_free,
    .nsources = arrivals_nsources,
    .start = arrivals_start,
    .fire = arrivals_fire,
    .serve = arrivals_serve,
    .done = arrivals_done,
};
