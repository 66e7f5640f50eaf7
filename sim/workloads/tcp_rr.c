/*
 * tcp_rr - netperf TCP_RR against the guest: a closed loop per stream. The
 * client's request crosses the network (one_way_latency) and reaches the
 * guest as a virtio-net interrupt; the guest serves it (service_time) and
 * sends the reply with a notify exit; the reply crosses back, the client
 * thinks (think_time, usually 0) and sends the next request. One halt per
 * transaction when the vCPU has nothing else to do: with a few us one-way
 * latency, halts stay under 10 us, as the 2015 thread observed.
 */
#include <stdlib.h>

#include "../dist.h"
#include "../vcpu_model.h"
#include "../workload.h"

struct tcp_rr {
    int64_t streams;
    int64_t notify_exits;
    struct dist owl, service, think;
};

static void tcp_rr_free(void *p)
{
    struct tcp_rr *t = p;
    if (!t)
        return;
    dist_free(&t->owl);
    dist_free(&t->service);
    dist_free(&t->think);
    free(t);
}

static int tcp_rr_parse(const struct cfg *c, json_t *o, const char *path, void **out)
{
    static const char *const keys[] = {"type", "streams", "one_way_latency", "service_time",
                                       "think_time", "notify_exits", NULL};
    struct tcp_rr *t = calloc(1, sizeof *t);
    if (!t)
        return hp_errorf(c->err, HP_EXIT_RUNTIME, "out of memory");
    if (cfg_check_keys(c, o, path, keys) ||
        cfg_int(c, o, path, "streams", 1, 1, 4096, &t->streams) ||
        cfg_int(c, o, path, "notify_exits", 1, 0, 64, &t->notify_exits) ||
        dist_parse(c, o, path, "one_way_latency", 4000, &t->owl) ||
        dist_parse(c, o, path, "service_time", 5000, &t->service) ||
        dist_parse(c, o, path, "think_time", 0, &t->think)) {
        tcp_rr_free(t);
        return -1;
    }
    *out = t;
    return 0;
}

static int tcp_rr_nsources(const void *p) { return (int)((const struct tcp_rr *)p)->streams; }

static void tcp_rr_start(struct model *m, struct source *s)
{
    const struct tcp_rr *t = s->wl->params;
    s->delivery = DELIVERY_REMOTE;
    s->stamp_ns = 0;                       /* the client sends its first request at 0 */
    model_source_at(m, s, dist_sample(&t->owl, s->rng));
}

static void tcp_rr_fire(struct model *m, struct source *s)
{
    model_irq(m, s);                       /* the request reaches the guest */
}

static int64_t tcp_rr_serve(struct model *m, struct source *s, int *exits)
{
    (void)m;
    const struct tcp_rr *t = s->wl->params;
    *exits = (int)t->notify_exits;
    return dist_sample(&t->service, s->rng);
}

static void tcp_rr_done(struct model *m, struct source *s)
{
    const struct tcp_rr *t = s->wl->params;
    int64_t now = model_now(m);
    int64_t back = dist_sample(&t->owl, s->rng);
    /* The reply leaves now; the round trip is known once it has crossed back. */
    hist_add(&m->met->rtt, now + back - s->stamp_ns);
    m->met->transactions++;
    s->stamp_ns = now + back + dist_sample(&t->think, s->rng);
    model_source_at(m, s, s->stamp_ns + dist_sample(&t->owl, s->rng));
}

const struct workload_ops workload_tcp_rr = {
    .name = "tcp_rr",
    .summary = "netperf TCP_RR: closed-loop request/response streams",
    .parse = tcp_rr_parse,
    .free_params = tcp_rr_free,
    .nsources = tcp_rr_nsources,
    .start = tcp_rr_start,
    .fire = tcp_rr_fire,
    .serve = tcp_rr_serve,
    .done = tcp_rr_done,
};
