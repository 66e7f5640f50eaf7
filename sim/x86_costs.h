/*
 * x86_costs.h - calibrated x86 host costs: VM exit/entry, polling, scheduler
 * wakeup, IPIs, interrupt delivery and the host C-state table.
 *
 * A profile is a named set of these numbers (x86_costs.c cites every one).
 * A config picks a profile by name under "costs" and may override any field;
 * all durations are integer ns.
 */
#ifndef HPSIM_X86_COSTS_H
#define HPSIM_X86_COSTS_H

#include <jansson.h>
#include <stdint.h>

#include "config.h"

#define X86_MAX_CSTATES 8

struct x86_cstate {
    char name[12];
    int64_t exit_latency_ns;      /* the table's worst case: what the governor uses */
    int64_t target_residency_ns;  /* break-even idle length */
    int64_t actual_exit_ns;       /* what a wakeup really pays (typically below the worst case) */
};

struct x86_costs {
    char profile[32];
    double tsc_ghz;                /* documentation: cycles -> ns */
    int64_t vmexit_hw_rt_ns;       /* bare hardware exit + entry */
    int64_t exit_handle_min_ns;    /* a cheap exit handled in KVM, round trip (e.g. a virtio notify) */
    int64_t hlt_exit_ns;           /* HLT exit -> first poll iteration of kvm_vcpu_halt() */
    int64_t poll_iter_ns;          /* one poll-loop check: check_block + PAUSE + ktime_get */
    int64_t poll_hit_resume_ns;    /* wakeup seen in the halt code -> guest running (VM entry, injection) */
    int64_t sched_out_ns;          /* kvm_vcpu_block -> schedule() -> next task (incl. vcpu_put) */
    int64_t idle_enter_ns;         /* cpuidle governor + MWAIT entry, software part */
    int64_t wake_signal_ns;        /* remote try_to_wake_up of a thread whose pCPU idles in MWAIT */
    int64_t resched_ipi_ns;        /* one-way IPI when the target pCPU is busy */
    int64_t sched_in_ns;           /* switch to the vCPU thread, vcpu_load, VM entry with injection */
    int64_t posted_intr_ns;        /* posted interrupt to a running vCPU (no exit) */
    int64_t host_timer_irq_ns;     /* host hrtimer expiry (guest LAPIC timer) -> vCPU kick */
    int64_t guest_tick_work_ns;    /* guest timer-tick handler, including its own exits */
    double cstate_actual_exit_frac;/* actual exit / table exit latency, when not given per state */
    int ncstates;                  /* C1.. in increasing depth; POLL (C0) is not listed */
    struct x86_cstate cstate[X86_MAX_CSTATES];
};

/* Copy the named profile into out; -1 if no such profile. */
int x86_costs_profile(const char *name, struct x86_costs *out);
/* The NULL-terminated list of profile names, for --help and errors. */
const char *const *x86_costs_profile_names(void);
/* Read the "costs" object: profile name (default haswell-2015) and overrides;
 * writes the effective values back into the tree. */
int x86_costs_load(const struct cfg *c, json_t *costs, const char *path, struct x86_costs *out);

/* n C-states as the config's "cstates" array (name, exit_latency_ns,
 * target_residency_ns, actual_exit_ns): what x86_costs_load reads back. */
json_t *x86_cstates_json(const struct x86_cstate *cs, int n);

#endif
