/*
 * vcpu_model.h - the host model of one run: vCPU threads, the pCPUs they are
 * pinned to, and the halt cycle that moves between them.
 *
 * vCPU states (a vCPU on its pCPU unless noted):
 *   GUEST     guest code runs (serving an interrupt)      pCPU: guest
 *   NOTIFY    a notify exit at the end of serving         pCPU: exit
 *             (GUEST's event covers both; the model enters NOTIFY only
 *             when another event needs to see it: vcpu_model.c start_guest)
 *   HLT_EXIT  HLT exit -> KVM's halt code                 pCPU: exit
 *   POLL      KVM polls for a wakeup                      pCPU: poll
 *   SCHED_OUT schedule-out of the blocking thread         pCPU: sched
 *   BLOCKED   asleep, off the pCPU                        (none)
 *   RUNNABLE  in the pCPU's run queue                     (none)
 *   SCHED_IN  switch-in, vcpu_load, VM entry              pCPU: sched
 *   RESUME    wakeup found in the halt code -> VM entry   pCPU: exit
 *   GPOLL     the guest polls before HLT (guest-haltpoll) pCPU: guest poll
 * A pCPU with no thread is entering idle (sched), idle in a C-state, or
 * leaving it (the exit latency counts as idle, as powertop's residency does).
 *
 * Invariant (conservation): for every pCPU, the time in each bucket adds up
 * to the simulated time exactly; the vCPU-side tallies of guest, poll and
 * guest-poll time are kept separately and must agree with the pCPU side.
 * The guest's own poll (GPOLL) is guest time to the host, so it is C0, but it
 * has its own bucket, ACCT_GPOLL, apart from ACCT_GUEST (real guest work).
 */
#ifndef HPSIM_VCPU_MODEL_H
#define HPSIM_VCPU_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "engine.h"
#include "hist.h"
#include "policy.h"
#include "workload.h"
#include "x86_costs.h"

enum ev_kind { EV_END = 1, EV_VCPU, EV_PCPU, EV_SOURCE };

enum vcpu_state {
    V_GUEST, V_NOTIFY, V_HLT_EXIT, V_POLL, V_SCHED_OUT, V_BLOCKED,
    V_RUNNABLE, V_SCHED_IN, V_RESUME, V_GPOLL,
};

/* pCPU time buckets; idle is further split per C-state. ACCT_GPOLL: the
 * guest polling in guest mode (guest-haltpoll), busy (C0) like ACCT_GUEST. */
enum acct { ACCT_GUEST, ACCT_EXIT, ACCT_POLL, ACCT_SCHED, ACCT_IDLE, ACCT_GPOLL, ACCT_N };

enum pcpu_state { P_BUSY, P_IDLE_ENTER, P_IDLE, P_WAKING };

#define GOV_HISTORY 8

struct pcpu {
    struct engine_event ev;          /* idle entry done / C-state exit done (EV_PCPU) */
    struct engine_event slice_ev;    /* time-slice expiry (EV_PCPU, aux 1) */
    int id;
    uint8_t state;                   /* enum pcpu_state */
    int8_t cstate;                   /* while P_IDLE / P_WAKING */
    bool need_resched;               /* slice expired while the thread was in the kernel */
    struct vcpu *curr;               /* thread on the CPU (P_BUSY) */
    struct vcpu *rq_head, *rq_tail;  /* runnable threads waiting for it */
    int nr_queued;                   /* length of that queue */
    int64_t slice_start_ns;
    /* accounting */
    uint8_t acct;                    /* current bucket */
    int64_t acct_since_ns;
    int64_t acct_ns[ACCT_N];
    int64_t cstate_ns[X86_MAX_CSTATES];
    uint64_t cstate_entries[X86_MAX_CSTATES];
    /* governor: recent idle lengths */
    int64_t idle_start_ns;
    int64_t gov_hist[GOV_HISTORY];
    unsigned gov_pos;
};

/* KVM's per-vCPU stats, same names. */
struct kvm_counters {
    uint64_t halt_exits;             /* HLT exits */
    uint64_t halts;                  /* halts that reached the halt code (one kvm_vcpu_wakeup each) */
    uint64_t halt_attempted_poll;
    uint64_t halt_successful_poll;
    uint64_t halt_poll_invalid;
    uint64_t halt_wakeup;
    int64_t halt_poll_success_ns;
    int64_t halt_poll_fail_ns;
    int64_t halt_wait_ns;
};

struct vcpu {
    struct engine_event ev;          /* end of the current timed state (EV_VCPU) */
    uint8_t state;                   /* enum vcpu_state */
    bool wake_pending;               /* woken while going to sleep */
    bool in_halt;                    /* between halt entry and its end */
    bool halt_waited;
    int id;                          /* global index */
    int vm, index;                   /* VM number and vCPU number within it */
    struct pcpu *pcpu;
    struct vcpu *rq_next;
    struct source *pend_head, *pend_tail;
    struct source *serving;
    struct source *sources;          /* this vCPU's nsources sources */
    int nsources;
    void *pstate;                    /* policy state, starts with int64_t w */
    void *gstate;                    /* guest governor's state (same layout), or NULL */
    int64_t halt_start_ns;
    int64_t poll_end_ns;             /* when polling stopped in this halt */
    int64_t wake_arrival_ns;         /* first interrupt that arrived while out of the guest */
    int64_t halt_window_ns;          /* window in effect in the current (or last) halt */
    int64_t last_halt_ns;            /* halt_ns of the last halt that ended */
    int64_t remaining_ns;            /* guest work left in the current burst (kept across preemption) */
    int notify_exits;                /* notify exits at the end of the current work */
    int64_t notify_at_ns;            /* V_GUEST: the work ends and the exits begin (vcpu_model.c) */
    int64_t extra_in_ns;             /* extra switch-in cost (host timer irq) */
    int64_t state_since_ns;
    /* guest governor (guest-haltpoll): its poll, and the HLT it reflects on */
    bool gpoll_active;               /* a guest poll is under way (perhaps preempted) */
    int64_t gpoll_end_ns;            /* when it runs out (the guest clock runs on while preempted) */
    int64_t hlt_at_ns;               /* the guest executed HLT at this time; -1: none to reflect */
    /* vCPU-side tallies, kept apart from the pCPU accounting to cross-check it */
    int64_t guest_ns;
    int64_t poll_ns;
    int64_t gpoll_ns;
    struct kvm_counters k;
};

/* Figures of one run (one policy), summed over vCPUs and pCPUs. */
struct metrics {
    int64_t sim_ns;
    int npcpus, nvcpus;
    int64_t acct_ns[ACCT_N];
    int64_t cstate_ns[X86_MAX_CSTATES];
    uint64_t cstate_entries[X86_MAX_CSTATES];
    struct kvm_counters k;
    uint64_t halts_skipped;          /* HLT exits that found an interrupt already pending */
    uint64_t coalesced;              /* interrupts merged into one already pending */
    uint64_t grows, shrinks;         /* trace lines: KVM's, or the guest governor's */
    uint64_t guest_polls;            /* guest-haltpoll: polls started in the guest */
    uint64_t guest_poll_hits;        /* ... ended by an interrupt: no HLT, no VM exit */
    int64_t window_sum_ns;           /* window in effect, summed over halts */
    uint64_t transactions;           /* tcp_rr replies, storage completions */
    uint64_t migrations;             /* wakeups placed on another pCPU (host.placement "free") */
    uint64_t events;
    uint64_t pending_sum;            /* pending events summed over pops: / events = mean queue length */
    struct hist wakeup;              /* interrupt arrival -> guest running, per halt */
    struct hist rtt;                 /* tcp_rr round trip */
    struct hist io_lat;              /* storage: I/O submitted -> guest handles its completion */
    struct hist halt_len;            /* halt_ns as KVM measures it */
    bool conservation_ok;
    char conservation_msg[160];
};

/* One policy-window change, as the kvm_halt_poll_ns tracepoint would print
 * it (guest: the guest's guest_halt_poll_ns tracepoint). */
struct window_change {
    int64_t t_ns;
    int vcpu, vm;
    enum policy_change change;
    int64_t old_ns, new_ns;
    int pcpu;                        /* host CPU of the vCPU thread */
    bool guest;                      /* the guest governor's limit, not KVM's window */
};
typedef void (*window_trace_fn)(void *ctx, const struct window_change *c);

/* One simulated event where KVM has a tracepoint (--emit-trace): the HLT exit,
 * the VM entry, the end of a halt (kvm_vcpu_wakeup) and the arrival of an
 * interrupt that will end or shorten a halt (kvm_apic_accept_irq). */
enum model_event_kind { MEV_HLT_EXIT, MEV_ENTRY, MEV_WAKEUP, MEV_IRQ };
struct model_event {
    enum model_event_kind kind;
    int64_t t_ns;
    const struct vcpu *v;
    int64_t halt_ns;     /* MEV_WAKEUP: halt_ns as KVM measures it */
    bool waited;         /* MEV_WAKEUP */
    enum policy_change change;  /* MEV_WAKEUP: the window's update (kvm_halt_poll_ns) */
    int64_t old_ns, new_ns;
    uint8_t delivery;    /* MEV_IRQ: enum delivery */
};
typedef void (*model_event_fn)(void *ctx, const struct model_event *e);

struct model {
    struct engine eng;
    struct engine_event end_ev;
    const struct x86_costs *cost;
    const struct policy *pol;
    struct pcpu *pcpus;
    struct vcpu *vcpus;
    int npcpus, nvcpus;
    int64_t slice_ns;
    bool free_placement;             /* host.placement "free": a woken thread may move */
    int set_size;                    /* pCPUs per placement set (consecutive ids) */
    int64_t end_ns;
    struct metrics *met;
    window_trace_fn trace;
    void *trace_ctx;
    model_event_fn event;            /* NULL: no event stream */
    void *event_ctx;
};

/* Called by workloads. */
void model_source_at(struct model *m, struct source *s, int64_t t_ns);  /* schedule next fire */
void model_irq(struct model *m, struct source *s);                      /* interrupt arrives now */
static inline int64_t model_now(const struct model *m) { return m->eng.now_ns; }
/* The guest executed n HLTs that found an interrupt pending (no halt): count
 * them as KVM does (halt_exits, not halts). Used by the replay workload. */
void model_hlt_skipped(struct model *m, struct vcpu *v, uint32_t n);

/* Driving a run. */
void vcpu_start(struct model *m, struct vcpu *v);      /* at t=0: the guest is about to HLT */
void vcpu_on_event(struct model *m, struct vcpu *v);
void pcpu_on_event(struct model *m, struct pcpu *p, struct engine_event *ev);
void pcpu_init(struct pcpu *p, int id);
/* Close the books at m->end_ns and fill m->met (conservation checked). */
void model_finish(struct model *m);

#endif
