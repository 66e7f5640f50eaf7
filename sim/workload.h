/*
 * workload.h - traffic that wakes the guest: the workload interface, the
 * per-vCPU traffic source, and the registry.
 *
 * A workload declares how many sources it puts on each vCPU; each source owns
 * one engine event (its next arrival) and one random stream, seeded from
 * (run seed, vCPU id, source index) so draws never depend on event order.
 * The model calls back when the guest starts serving a source's interrupt
 * (serve: how long the guest runs for it, how many notify exits it makes)
 * and when it has finished (done: e.g. tcp_rr's reply leaves for the client).
 */
#ifndef HPSIM_WORKLOAD_H
#define HPSIM_WORKLOAD_H

#include <gsl/gsl_rng.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "engine.h"

struct model;
struct vcpu;

/* How an interrupt reaches a halted vCPU's host thread. */
enum delivery {
    DELIVERY_REMOTE = 0,  /* from another CPU (vhost, a device, an IPI): ttwu / resched IPI */
    DELIVERY_TIMER,       /* the guest's LAPIC timer, an hrtimer on the vCPU's own pCPU */
};

struct source {
    struct engine_event ev;         /* next arrival (kind EV_SOURCE) */
    struct vcpu *vcpu;
    const struct workload *wl;
    gsl_rng *rng;
    struct source *next_pending;    /* the vCPU's FIFO of interrupts not yet served */
    int64_t stamp_ns;               /* workload's own (tcp_rr: request sent by the client) */
    uint32_t index;                 /* within the vCPU */
    uint8_t delivery;               /* enum delivery */
    bool pending;                   /* an interrupt from it awaits the guest */
    uint16_t sub;                   /* workload's own (e.g. which process of a mixture) */
};

struct workload_ops {
    const char *name;
    const char *summary;
    /* Check obj (the "workload" object at path), fill defaults, return params. */
    int (*parse)(const struct cfg *c, json_t *obj, const char *path, void **params);
    void (*free_params)(void *params);
    int (*nsources)(const void *params);
    /* At time 0: schedule the source's first arrival (model_source_at). */
    void (*start)(struct model *m, struct source *s);
    /* The source's event fired at m's current time. */
    void (*fire)(struct model *m, struct source *s);
    /* Guest starts serving s's interrupt: return guest run time, set *exits. */
    int64_t (*serve)(struct model *m, struct source *s, int *exits);
    /* Guest finished serving (after its notify exits). */
    void (*done)(struct model *m, struct source *s);
};

struct workload {
    const struct workload_ops *ops;
    void *params;
};

extern const struct workload_ops *const workload_registry[];
const struct workload_ops *workload_find(const char *name);

/* Parse a {"type": NAME, ...} object into w. */
int workload_parse(const struct cfg *c, json_t *obj, const char *path, struct workload *w);
void workload_free(struct workload *w);

#endif
