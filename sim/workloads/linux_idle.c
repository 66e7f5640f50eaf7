/*
 * linux_idle - an idle tickless (NOHZ_IDLE) Linux guest. Two sources per vCPU:
 *
 *  0 timers: hrtimer wakeups (timers, watchdogs, housekeeping) with gaps
 *    drawn from timer_gap, heavy-tailed: tens per second on average, most
 *    gaps a few ms to tens of ms, some of hundreds (docs/costs.md [4]: 10-100/s,
 *    E). Delivered by the vCPU's LAPIC timer (an hrtimer on its pCPU); each
 *    runs timer_handler in the guest and makes timer_exits exits (the
 *    TSC-deadline reprogramming on the way back to idle is an MSR write).
 *  1 bursts: now and then (burst_gap) a short flurry of burst_wakeups_min..max
 *    wakeups spaced by burst_spacing (tens of us): RCU callbacks and grace-
 *    period kthreads, workqueue items, IPIs between the guest's vCPUs. They
 *    arrive from other CPUs (delivery "remote") and make short halts between
 *    them: the halts that let an adaptive window grow on an idle guest.
 *
 * Both processes are open loop: a burst's next wakeup is spaced from the
 * previous arrival, whatever the guest did meanwhile.
 */
#include <stdlib.h>

#include "../dist.h"
#include "../vcpu_model.h"
#include "../workload.h"

enum { SRC_TIMER, SRC_BURST, SRC_N };

struct linux_idle {
    struct dist timer_gap, timer_handler, burst_gap, burst_spacing, burst_handler;
    int64_t timer_exits, burst_min, burst_max;
};

static void linux_idle_free(void *p)
{
    struct linux_idle *l = p;
    if (!l)
        return;
    dist_free(&l->timer_gap);
    dist_free(&l->timer_handler);
    dist_free(&l->burst_gap);
    dist_free(&l->burst_spacing);
    dist_free(&l->burst_handler);
    free(l);
}

static int linux_idle_parse(const struct cfg *c, json_t *o, const char *path, void **out)
{
    static const char *const keys[] = {"type", "timer_gap", "timer_handler", "timer_exits", "burst_gap",
                                       "burst_wakeups_min", "burst_wakeups_max", "burst_spacing",
                                       "burst_handler", NULL};
    struct linux_idle *l = calloc(1, sizeof *l);
    if (!l)
        return hp_errorf(c->err, HP_EXIT_RUNTIME, "out of memory");
    if (cfg_check_keys(c, o, path, keys) ||
        dist_parse_or(c, o, path, "timer_gap", "{\"dist\": \"lognormal\", \"median_ns\": 20000000, \"sigma\": 1.0}",
                      &l->timer_gap) ||
        dist_parse_or(c, o, path, "timer_handler", "{\"dist\": \"lognormal\", \"median_ns\": 5000, \"sigma\": 0.5}",
                      &l->timer_handler) ||
        cfg_int(c, o, path, "timer_exits", 1, 0, 64, &l->timer_exits) ||
        dist_parse_or(c, o, path, "burst_gap", "{\"dist\": \"exponential\", \"mean_ns\": 500000000}", &l->burst_gap) ||
        cfg_int(c, o, path, "burst_wakeups_min", 2, 0, 10000, &l->burst_min) ||
        cfg_int(c, o, path, "burst_wakeups_max", 6, l->burst_min, 10000, &l->burst_max) ||
        dist_parse_or(c, o, path, "burst_spacing", "{\"dist\": \"exponential\", \"mean_ns\": 30000}",
                      &l->burst_spacing) ||
        dist_parse_or(c, o, path, "burst_handler", "{\"dist\": \"lognormal\", \"median_ns\": 3000, \"sigma\": 0.5}",
                      &l->burst_handler)) {
        linux_idle_free(l);
        return -1;
    }
    *out = l;
    return 0;
}

static int linux_idle_nsources(const void *p) { (void)p; return SRC_N; }

/* The next burst: its size in s->sub, its first wakeup after a burst gap. */
static void next_burst(struct model *m, struct source *s)
{
    const struct linux_idle *l = s->wl->params;
    s->sub = (uint16_t)(l->burst_min + (int64_t)gsl_rng_uniform_int(s->rng, (unsigned long)(l->burst_max - l->burst_min + 1)));
    model_source_at(m, s, model_now(m) + dist_sample_gap(&l->burst_gap, s->rng));
}

static void linux_idle_start(struct model *m, struct source *s)
{
    const struct linux_idle *l = s->wl->params;
    if (s->index == SRC_TIMER) {
        s->delivery = DELIVERY_TIMER;
        model_source_at(m, s, dist_sample_gap(&l->timer_gap, s->rng));
    } else {
        s->delivery = DELIVERY_REMOTE;
        next_burst(m, s);
    }
}

static void linux_idle_fire(struct model *m, struct source *s)
{
    const struct linux_idle *l = s->wl->params;
    if (s->index == SRC_TIMER) {
        model_irq(m, s);
        model_source_at(m, s, model_now(m) + dist_sample_gap(&l->timer_gap, s->rng));
        return;
    }
    if (s->sub == 0) {               /* an empty burst (burst_wakeups_min 0) */
        next_burst(m, s);
        return;
    }
    model_irq(m, s);
    if (--s->sub > 0)
        model_source_at(m, s, model_now(m) + dist_sample_gap(&l->burst_spacing, s->rng));
    else
        next_burst(m, s);
}

static int64_t linux_idle_serve(struct model *m, struct source *s, int *exits)
{
    (void)m;
    const struct linux_idle *l = s->wl->params;
    if (s->index == SRC_TIMER) {
        *exits = (int)l->timer_exits;
        return dist_sample(&l->timer_handler, s->rng);
    }
    *exits = 0;
    return dist_sample(&l->burst_handler, s->rng);
}

static void linux_idle_done(struct model *m, struct source *s)
{
    (void)m;
    (void)s;
}

const struct workload_ops workload_linux_idle = {
    .name = "linux_idle",
    .summary = "idle tickless Linux guest: heavy-tailed timer wakeups and short RCU/workqueue bursts",
    .parse = linux_idle_parse,
    .free_params = linux_idle_free,
    .nsources = linux_idle_nsources,
    .start = linux_idle_start,
    .fire = linux_idle_fire,
    .serve = linux_idle_serve,
    .done = linux_idle_done,
};
