/*
 * host.h - the host pCPU: its run queue and time slice, the time accounting
 * that backs %C0, and the idle path (a menu-like governor choosing a C-state,
 * and the exit latency paid when a wakeup ends it).
 */
#ifndef HPSIM_HOST_H
#define HPSIM_HOST_H

#include <assert.h>

#include "vcpu_model.h"

void pcpu_init(struct pcpu *p, int id);
/* Switch p's accounting bucket at t, between the last switch and now (now,
 * or a state boundary that had no event of its own: vcpu_model.c,
 * enter_notify). Inline: every vCPU state change does it. */
static inline void pcpu_account_at(struct pcpu *p, enum acct a, int64_t t)
{
    assert(t >= p->acct_since_ns);
    int64_t d = t - p->acct_since_ns;
    p->acct_ns[p->acct] += d;
    if (p->acct == ACCT_IDLE)
        p->cstate_ns[p->cstate] += d;
    p->acct = (uint8_t)a;
    p->acct_since_ns = t;
}

/* Switch p's accounting bucket at the current time. */
static inline void pcpu_account(struct model *m, struct pcpu *p, enum acct a)
{
    pcpu_account_at(p, a, model_now(m));
}
/* v becomes runnable on its pCPU (woken, or preempted): queue it, and wake
 * an idle pCPU or make the current thread's poll stop. */
void pcpu_enqueue(struct model *m, struct vcpu *v);
/* Queue v at the tail without side effects (the pCPU is about to choose). */
void pcpu_rq_push(struct pcpu *p, struct vcpu *v);
/* v's thread is being woken (it is off every CPU): choose the pCPU it will
 * run on. Pinned: its own. Free: see host.c. */
void pcpu_place_woken(struct model *m, struct vcpu *v);
/* The current thread has left p: switch to the next runnable one or go idle. */
void pcpu_release(struct model *m, struct pcpu *p);
/* A thread got the CPU at the current time: start its slice. */
void pcpu_slice_start(struct model *m, struct pcpu *p);
void pcpu_on_event(struct model *m, struct pcpu *p, struct engine_event *ev);
/* Close p's books at the current time. */
void pcpu_close(struct model *m, struct pcpu *p);

/* Implemented by vcpu_model.c: v gets p's CPU now. */
void vcpu_switch_in(struct model *m, struct vcpu *v);
/* Implemented by vcpu_model.c: another task became runnable while v polls. */
void vcpu_poll_interrupted(struct model *m, struct vcpu *v);
/* Implemented by vcpu_model.c: the slice ended while v runs in guest mode
 * (guest code, or the guest's own poll). */
void vcpu_preempt(struct model *m, struct vcpu *v);
/* Implemented by vcpu_model.c: bring v's state up to the event being
 * handled now, whose sequence number is seq (a boundary inside a timed
 * state, see vcpu_model.c). Call before reading v->state from another
 * entity's event. */
void vcpu_sync(struct model *m, struct vcpu *v, uint64_t seq);

#endif
