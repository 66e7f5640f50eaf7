/*
 * probe - what probe/hpsim-probe does to its guest, so a synthetic run can
 * stand beside a capture of it (configs/probe_*.json, docs/validation.md).
 *
 * One injector per VM sends requests round robin over the VM's vCPUs, one at
 * a time: the MSI reaches vCPU i (one_way_latency, remote delivery), the
 * guest writes its reply after service_time, the injector sees the reply
 * one_way_latency later, pauses for a gap and sends the next request to vCPU
 * i + 1 (a closed loop; with one vCPU, tcp_rr with the gap as think time).
 * The guest goes on for after_reply before it halts again. The response
 * latency (rtt_ns) is the probe's own: request sent -> reply seen. The reply
 * time is taken when the guest starts serving (start + service_time), so a
 * preemption inside the service does not delay it: the bursts are tens of
 * us, the time slice milliseconds. Independently, each vCPU's periodic LAPIC
 * timer (period_ns, 0: none; timer delivery, a random phase) runs
 * tick_handler. "requests": false leaves only the timers (the idle mode).
 */
#include <stdlib.h>

#include "../dist.h"
#include "../vcpu_model.h"
#include "../workload.h"

enum { PROBE_REQUEST, PROBE_TICK, PROBE_NSOURCES };

struct probe {
    bool requests;
    int64_t period_ns;
    struct dist owl, gap, service, after, tick;
};

static void probe_free(void *p)
{
    struct probe *t = p;

    if (!t)
        return;
    dist_free(&t->owl);
    dist_free(&t->gap);
    dist_free(&t->service);
    dist_free(&t->after);
    dist_free(&t->tick);
    free(t);
}

static int probe_parse(const struct cfg *c, json_t *o, const char *path, void **out)
{
    static const char *const keys[] = {"type", "requests", "gap", "one_way_latency",
                                       "service_time", "after_reply", "period_ns",
                                       "tick_handler", NULL};
    json_t *gap = json_pack("{s:s, s:i, s:i}", "dist", "uniform", "min_ns", 10000, "max_ns", 50000);
    struct probe *t = calloc(1, sizeof *t);

    if (!t || !gap) {
        json_decref(gap);
        free(t);
        return hp_errorf(c->err, HP_EXIT_RUNTIME, "out of memory");
    }
    if (!json_object_get(o, "gap"))
        json_object_set(o, "gap", gap);   /* the probe's default, as the effective config shows */
    json_decref(gap);
    if (cfg_check_keys(c, o, path, keys) || cfg_bool(c, o, path, "requests", true, &t->requests) ||
        cfg_int(c, o, path, "period_ns", 0, 0, 1000000000000, &t->period_ns) ||
        dist_parse(c, o, path, "gap", 0, &t->gap) ||
        dist_parse(c, o, path, "one_way_latency", 500, &t->owl) ||
        dist_parse(c, o, path, "service_time", 6000, &t->service) ||
        dist_parse(c, o, path, "after_reply", 7000, &t->after) ||
        dist_parse(c, o, path, "tick_handler", 16000, &t->tick)) {
        probe_free(t);
        return -1;
    }
    *out = t;
    return 0;
}

static int probe_nsources(const void *p)
{
    (void)p;
    return PROBE_NSOURCES;
}

static void probe_start(struct model *m, struct source *s)
{
    const struct probe *t = s->wl->params;

    if (s->index == PROBE_TICK) {
        s->delivery = DELIVERY_TIMER;
        if (t->period_ns > 0)
            model_source_at(m, s, (int64_t)(gsl_rng_uniform(s->rng) * (double)t->period_ns));
        return;
    }
    s->delivery = DELIVERY_REMOTE;
    s->stamp_ns = 0;                   /* the first request is sent at 0, to vCPU 0 */
    if (t->requests && s->vcpu->index == 0)
        model_source_at(m, s, dist_sample(&t->owl, s->rng));
}

static void probe_fire(struct model *m, struct source *s)
{
    const struct probe *t = s->wl->params;

    model_irq(m, s);
    if (s->index == PROBE_TICK)
        model_source_at(m, s, model_now(m) + t->period_ns);
}

/* The request source of the VM's next vCPU after v (round robin). A VM's
 * vCPUs sit side by side in m->vcpus, index 0 first (sim.c run_build). */
static struct source *next_target(struct model *m, const struct vcpu *v)
{
    int i = v->id + 1;

    if (i >= m->nvcpus || m->vcpus[i].vm != v->vm)
        i = v->id - v->index;
    return &m->vcpus[i].sources[PROBE_REQUEST];
}

static int64_t probe_serve(struct model *m, struct source *s, int *exits)
{
    const struct probe *t = s->wl->params;
    int64_t service, seen;
    struct source *n;

    *exits = 0;
    if (s->index == PROBE_TICK)
        return dist_sample(&t->tick, s->rng);
    service = dist_sample(&t->service, s->rng);
    seen = model_now(m) + service + dist_sample(&t->owl, s->rng);
    hist_add(&m->met->rtt, seen - s->stamp_ns);
    m->met->transactions++;
    n = next_target(m, s->vcpu);
    n->stamp_ns = seen + dist_sample(&t->gap, s->rng);
    model_source_at(m, n, n->stamp_ns + dist_sample(&t->owl, s->rng));
    return service + dist_sample(&t->after, s->rng);
}

static void probe_done(struct model *m, struct source *s)
{
    (void)m;
    (void)s;
}

const struct workload_ops workload_probe = {
    .name = "probe",
    .summary = "probe/hpsim-probe's injector: round-robin request/response and LAPIC timers",
    .parse = probe_parse,
    .free_params = probe_free,
    .nsources = probe_nsources,
    .start = probe_start,
    .fire = probe_fire,
    .serve = probe_serve,
    .done = probe_done,
};
