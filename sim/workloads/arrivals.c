/*
 * arrivals - a generic open-loop interrupt process on each vCPU: gaps drawn
 * from `interarrival`, the guest runs `handler` for each interrupt. Delivery
 * "remote" (a device or another CPU wakes the vCPU thread) or "timer" (the
 * guest's LAPIC timer: an hrtimer on the vCPU's own pCPU). An interrupt that
 * arrives while the previous one from the same process is still unserved is
 * merged into it, as a level or coalesced edge interrupt would be.
 * With exponential gaps and zero costs this is the closed-form case of
 * model.md: P(caught) = 1 - exp(-lambda P).
 */
#include <stdlib.h>
#include <string.h>

#include "../dist.h"
#include "../vcpu_model.h"
#include "../workload.h"

struct arrivals {
    struct dist gap, handler;
    int64_t exits;
    uint8_t delivery;
};

static int arrivals_parse(const struct cfg *c, json_t *o, const char *path, void **out)
{
    static const char *const keys[] = {"type", "interarrival", "handler", "delivery", "notify_exits", NULL};
    struct arrivals *a = calloc(1, sizeof *a);
    const char *del;
    char p[256];
    if (!a)
        return hp_errorf(c->err, HP_EXIT_RUNTIME, "out of memory");
    if (cfg_check_keys(c, o, path, keys) ||
        dist_parse(c, o, path, "interarrival", 1000000, &a->gap) ||
        dist_parse(c, o, path, "handler", 2000, &a->handler) ||
        cfg_int(c, o, path, "notify_exits", 0, 0, 64, &a->exits) ||
        cfg_str(c, o, path, "delivery", "remote", &del))
        goto err;
    if (strcmp(del, "remote") == 0) {
        a->delivery = DELIVERY_REMOTE;
    } else if (strcmp(del, "timer") == 0) {
        a->delivery = DELIVERY_TIMER;
    } else {
        hp_errorf(c->err, HP_EXIT_USAGE, "%s: %s: expected \"remote\" or \"timer\", got \"%s\"",
                  c->file, cfg_path(p, sizeof p, path, "delivery"), del);
        goto err;
    }
    if (a->gap.kind == DIST_CONSTANT && a->gap.a <= 0) {
        hp_errorf(c->err, HP_EXIT_USAGE, "%s: %s: a constant gap must be > 0 ns",
                  c->file, cfg_path(p, sizeof p, path, "interarrival"));
        goto err;
    }
    *out = a;
    return 0;
err:
    free(a);
    return -1;
}

static int arrivals_nsources(const void *p) { (void)p; return 1; }

/* Gaps of 0 ns would stall time; a drawn 0 becomes 1 ns. */
static int64_t gap(const struct arrivals *a, gsl_rng *r)
{
    int64_t g = dist_sample(&a->gap, r);
    return g > 0 ? g : 1;
}

static void arrivals_start(struct model *m, struct source *s)
{
    const struct arrivals *a = s->wl->params;
    s->delivery = a->delivery;
    model_source_at(m, s, gap(a, s->rng));
}

static void arrivals_fire(struct model *m, struct source *s)
{
    const struct arrivals *a = s->wl->params;
    model_irq(m, s);
    model_source_at(m, s, model_now(m) + gap(a, s->rng));
}

static int64_t arrivals_serve(struct model *m, struct source *s, int *exits)
{
    (void)m;
    const struct arrivals *a = s->wl->params;
    *exits = (int)a->exits;
    return dist_sample(&a->handler, s->rng);
}

static void arrivals_done(struct model *m, struct source *s)
{
    (void)m;
    (void)s;
}

const struct workload_ops workload_arrivals = {
    .name = "arrivals",
    .summary = "open-loop interrupts with gaps and handler times from distributions",
    .parse = arrivals_parse,
    .free_params = free,
    .nsources = arrivals_nsources,
    .start = arrivals_start,
    .fire = arrivals_fire,
    .serve = arrivals_serve,
    .done = arrivals_done,
};
