/*
 * windows_idle - an idle Windows guest whose clock runs at 1 ms
 * (timeBeginPeriod(1): multimedia timers, browsers, games; docs/costs.md [4]):
 * every vCPU's LAPIC timer fires each period_ns, the guest runs its tick
 * handler and halts again, so every halt lasts just under one period. The
 * 2015 thread's argument: with a window >= 1 ms, polling catches every tick
 * and the pCPU spins through most of each period.
 *
 * Tick k of a vCPU fires at phase + k * period_ns + jitter_k: the nominal
 * times never drift, and jitter (a lateness >= 0, the host hrtimer's expiry
 * delay, default uniform 0-2 us) moves only that one tick. Delivery is "timer": an hrtimer on the
 * vCPU's own pCPU, whose interrupt cost is paid before the thread runs.
 * handler: a distribution, or "guest_tick_work_ns" (the default) for the
 * cost profile's guest tick, which includes the handler's own exits.
 */
#include <stdlib.h>
#include <string.h>

#include "../dist.h"
#include "../vcpu_model.h"
#include "../workload.h"

#define PROFILE_TICK "guest_tick_work_ns"
/* A few us of lateness beyond what the host model adds itself (C-state exit,
 * timer interrupt): the guest reprograms its timer each tick and the host
 * hrtimer expires a little late. An engineering estimate (E). */
#define JITTER_DEFAULT "{\"dist\": \"uniform\", \"min_ns\": 0, \"max_ns\": 2000}"

struct windows_idle {
    int64_t period_ns;
    struct dist jitter, handler;
    bool profile_handler;     /* handler from the cost profile */
    bool random_phase;
};

/* handler: the string "guest_tick_work_ns", or a distribution. */
static int parse_handler(const struct cfg *c, json_t *o, const char *path, struct windows_idle *w)
{
    json_t *h = json_object_get(o, "handler");
    if (!h) {
        json_object_set_new(o, "handler", json_string(PROFILE_TICK));
        h = json_object_get(o, "handler");
    }
    if (json_is_string(h)) {
        char p[256];
        if (strcmp(json_string_value(h), PROFILE_TICK) != 0)
            return hp_errorf(c->err, HP_EXIT_USAGE, "%s: %s: expected \"%s\" or a distribution, got \"%s\"",
                             c->file, cfg_path(p, sizeof p, path, "handler"), PROFILE_TICK,
                             json_string_value(h));
        w->profile_handler = true;
        return 0;
    }
    return dist_parse(c, o, path, "handler", 0, &w->handler);
}

static void windows_idle_free(void *p)
{
    struct windows_idle *w = p;
    if (!w)
        return;
    dist_free(&w->handler);
    dist_free(&w->jitter);
    free(w);
}

static int windows_idle_parse(const struct cfg *c, json_t *o, const char *path, void **out)
{
    static const char *const keys[] = {"type", "period_ns", "handler", "jitter", "random_phase", NULL};
    struct windows_idle *w = calloc(1, sizeof *w);
    if (!w)
        return hp_errorf(c->err, HP_EXIT_RUNTIME, "out of memory");
    if (cfg_check_keys(c, o, path, keys) ||
        cfg_int(c, o, path, "period_ns", 1000000, 1000, 1000000000, &w->period_ns) ||
        parse_handler(c, o, path, w) ||
        cfg_bool(c, o, path, "random_phase", true, &w->random_phase) ||
        dist_parse_or(c, o, path, "jitter", JITTER_DEFAULT, &w->jitter)) {
        windows_idle_free(w);
        return -1;
    }
    *out = w;
    return 0;
}

static int windows_idle_nsources(const void *p) { (void)p; return 1; }

/* stamp_ns holds the nominal time of the tick that fires next. */
static void schedule_tick(struct model *m, struct source *s)
{
    const struct windows_idle *w = s->wl->params;
    model_source_at(m, s, s->stamp_ns + dist_sample(&w->jitter, s->rng));
}

static void windows_idle_start(struct model *m, struct source *s)
{
    const struct windows_idle *w = s->wl->params;
    s->delivery = DELIVERY_TIMER;
    /* Each vCPU programmed its timer at its own moment: a random phase keeps
     * the vCPUs sharing a pCPU from ticking in lockstep. */
    s->stamp_ns = w->random_phase ? (int64_t)gsl_rng_uniform_int(s->rng, (unsigned long)w->period_ns) : 0;
    if (s->stamp_ns == 0)
        s->stamp_ns = w->period_ns;
    schedule_tick(m, s);
}

static void windows_idle_fire(struct model *m, struct source *s)
{
    const struct windows_idle *w = s->wl->params;
    model_irq(m, s);
    s->stamp_ns += w->period_ns;
    if (s->stamp_ns < model_now(m))   /* jitter beyond a period: skip to the next tick */
        s->stamp_ns = model_now(m) + w->period_ns - (model_now(m) - s->stamp_ns) % w->period_ns;
    schedule_tick(m, s);
}

static int64_t windows_idle_serve(struct model *m, struct source *s, int *exits)
{
    const struct windows_idle *w = s->wl->params;
    *exits = 0;
    return w->profile_handler ? m->cost->guest_tick_work_ns : dist_sample(&w->handler, s->rng);
}

static void windows_idle_done(struct model *m, struct source *s)
{
    (void)m;
    (void)s;
}

const struct workload_ops workload_windows_idle = {
    .name = "windows_idle",
    .summary = "idle Windows guest: a 1 ms LAPIC timer tick on every vCPU",
    .parse = windows_idle_parse,
    .free_params = windows_idle_free,
    .nsources = windows_idle_nsources,
    .start = windows_idle_start,
    .fire = windows_idle_fire,
    .serve = windows_idle_serve,
    .done = windows_idle_done,
};
