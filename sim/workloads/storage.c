/*
 * storage - fio-like random I/O from the guest to a virtio block device.
 * Each vCPU keeps iodepth I/Os in flight, one source per slot:
 *   submit   the guest queues the request and kicks the device: submit_time
 *            of guest work and notify_exits exits (the virtqueue kick);
 *   device   the device completes it device_latency later;
 *   complete the completion interrupt (delivery "remote": the host's I/O
 *            thread or the device's MSI) wakes the vCPU, and the guest
 *            handles it (completion_time).
 * With think_time 0 (the default, fio without thinktime) the guest submits
 * the slot's next I/O right after handling the completion, in the same run.
 * With think_time > 0 the slot waits that long first; the guest then wakes on
 * its own timer (delivery "timer") to submit.
 *
 * I/O latency (results io_latency_ns) runs from the end of the submission
 * (the kick) to the moment the guest starts handling the completion: the
 * device latency plus the wakeup path, as fio's completion latency sees it.
 * Each completion counts as one transaction: transactions_per_s is IOPS.
 */
#include <stdlib.h>

#include "../dist.h"
#include "../vcpu_model.h"
#include "../workload.h"

enum { PHASE_COMPLETE = 0, PHASE_SUBMIT = 1 };   /* in s->sub: what the next interrupt is */

struct storage {
    int64_t iodepth, notify_exits;
    struct dist device, submit, complete, think;
    bool thinks;               /* think_time is not the constant 0 */
};

static void storage_free(void *p)
{
    struct storage *st = p;
    if (!st)
        return;
    dist_free(&st->device);
    dist_free(&st->submit);
    dist_free(&st->complete);
    dist_free(&st->think);
    free(st);
}

static int storage_parse(const struct cfg *c, json_t *o, const char *path, void **out)
{
    static const char *const keys[] = {"type", "iodepth", "device_latency", "submit_time", "completion_time",
                                       "think_time", "notify_exits", NULL};
    struct storage *st = calloc(1, sizeof *st);
    if (!st)
        return hp_errorf(c->err, HP_EXIT_RUNTIME, "out of memory");
    if (cfg_check_keys(c, o, path, keys) ||
        cfg_int(c, o, path, "iodepth", 1, 1, 1024, &st->iodepth) ||
        cfg_int(c, o, path, "notify_exits", 1, 0, 64, &st->notify_exits) ||
        dist_parse_or(c, o, path, "device_latency", "{\"dist\": \"lognormal\", \"median_ns\": 80000, \"sigma\": 0.3}",
                      &st->device) ||
        dist_parse_or(c, o, path, "submit_time", "{\"dist\": \"lognormal\", \"median_ns\": 3000, \"sigma\": 0.3}",
                      &st->submit) ||
        dist_parse_or(c, o, path, "completion_time", "{\"dist\": \"lognormal\", \"median_ns\": 3000, \"sigma\": 0.3}",
                      &st->complete) ||
        dist_parse(c, o, path, "think_time", 0, &st->think)) {
        storage_free(st);
        return -1;
    }
    st->thinks = !(st->think.kind == DIST_CONSTANT && st->think.a == 0);
    *out = st;
    return 0;
}

static int storage_nsources(const void *p) { return (int)((const struct storage *)p)->iodepth; }

/* The slot's I/O was submitted now: its completion arrives after the device. */
static void submitted(struct model *m, struct source *s)
{
    const struct storage *st = s->wl->params;
    s->stamp_ns = model_now(m);
    s->sub = PHASE_COMPLETE;
    s->delivery = DELIVERY_REMOTE;
    model_source_at(m, s, model_now(m) + dist_sample(&st->device, s->rng));
}

static void storage_start(struct model *m, struct source *s)
{
    submitted(m, s);                 /* fio queued iodepth I/Os before time 0 */
}

static void storage_fire(struct model *m, struct source *s)
{
    model_irq(m, s);
}

static int64_t storage_serve(struct model *m, struct source *s, int *exits)
{
    const struct storage *st = s->wl->params;
    if (s->sub == PHASE_SUBMIT) {
        *exits = (int)st->notify_exits;
        return dist_sample(&st->submit, s->rng);
    }
    hist_add(&m->met->io_lat, model_now(m) - s->stamp_ns);
    m->met->transactions++;
    int64_t t = dist_sample(&st->complete, s->rng);
    if (st->thinks) {
        *exits = 0;
        return t;
    }
    *exits = (int)st->notify_exits;
    return t + dist_sample(&st->submit, s->rng);
}

static void storage_done(struct model *m, struct source *s)
{
    const struct storage *st = s->wl->params;
    if (s->sub == PHASE_SUBMIT || !st->thinks) {
        submitted(m, s);
        return;
    }
    /* Completion handled; the next submission waits for the guest's timer. */
    s->sub = PHASE_SUBMIT;
    s->delivery = DELIVERY_TIMER;
    model_source_at(m, s, model_now(m) + dist_sample(&st->think, s->rng));
}

const struct workload_ops workload_storage = {
    .name = "storage",
    .summary = "fio-like I/O: submit (notify exit), device latency, completion interrupt; iodepth slots",
    .parse = storage_parse,
    .free_params = storage_free,
    .nsources = storage_nsources,
    .start = storage_start,
    .fire = storage_fire,
    .serve = storage_serve,
    .done = storage_done,
};
