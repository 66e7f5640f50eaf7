/*
 * capture.h - the halts of a real capture, per vCPU thread, and the figures
 * the capture alone supports.
 *
 * A vCPU is a host thread (pid) that shows KVM vCPU events (exits, entries,
 * wakeups, halt_poll_ns); its vcpu_id is taken from the events that print one
 * (kvm_exit/kvm_entry on 6.x, kvm_halt_poll_ns), -1 while unknown. Threads are
 * never merged by vcpu_id: two VMs each have a vCPU 0.
 *
 * A halt is one pass through KVM's halt code, ended by kvm_vcpu_wakeup:
 *   hlt_ns   the last HLT exit (kvm_exit HLT/hlt, or kvm_emulate_insn f4) of the
 *            thread since its previous halt ended and since its last kvm_entry;
 *            if there is none (hosts tracing only kvm_vcpu_wakeup):
 *            end_ns - halt_ns, flagged CAPTURE_HLT_DERIVED.
 *   wake_ns  the wakeup's arrival: the last interrupt delivery aimed at this
 *            vCPU between the HLT exit and the kvm_vcpu_wakeup in stream order
 *            (not by time alone: a 6-decimal report prints the vCPU's own
 *            post-wakeup kvm_apic_accept_irq at the wakeup's microsecond), or
 *            at/after hlt_ns when that is derived (last, because one interrupt shows
 *            as a chain kvm_msi_set_irq -> kvm_apic_accept_irq and the accept is
 *            what kicks the vCPU); if none, end_ns - wake_cost_ns (the caller's
 *            modelled wakeup cost, clamped to >= hlt_ns), flagged
 *            CAPTURE_WAKE_DERIVED. Targets: kvm_apic_accept_irq and physical
 *            kvm_msi_set_irq by APIC id (taken equal to the vcpu_id, as KVM
 *            userspace numbers them by default; if no thread has that vcpu_id
 *            and exactly one thread's vcpu_id is unknown, that thread);
 *            kvm_inj_virq by its thread. kvm_set_irq (a GSI) has no target.
 *   end_ns   the kvm_vcpu_wakeup time; halt_ns, waited, valid its fields.
 *   window_ns the halt_poll_ns this halt used: the `old` of a kvm_halt_poll_ns
 *            line emitted during the halt (KVM emits it at the end of the halt,
 *            just before kvm_vcpu_wakeup), else the `new` of the thread's last
 *            line; halts before the first line take that line's `old` (the
 *            value does not change without a line). -1 when never known.
 *   run_ns   the guest run burst ending at this HLT: from the previous halt's
 *            end (or the first kvm_entry after it, when entries are traced) to
 *            hlt_ns; -1 for a thread's first halt. HLT exits that never reached
 *            the halt code (an interrupt already pending) lie inside the burst;
 *            `skipped` counts them.
 *   entry_ns the first kvm_entry of the thread after the wakeup (the guest runs
 *            again), -1 when entries are not traced.
 *   line_new_ns  the `new` of the kvm_halt_poll_ns line emitted during this
 *            halt (the window after it), -1 when the halt emitted none.
 *   wake_vec the vector of the delivery taken as wake_ns, -1 if derived.
 *
 * Lost events: a capture that traces kvm_vcpu_wakeup but shows a HLT exit
 * re-entering the guest (kvm_entry) more than CAPTURE_LOST_HALT_NS later with
 * no kvm_vcpu_wakeup in between has lost a halt (a HLT that found an interrupt
 * pending re-enters within microseconds; only a preemption as long could
 * explain it; on a raw counter clock the threshold is as many ticks), and
 * so has one whose thread shows two kvm_entry with no kvm_exit between, or a
 * HLT exit more than CAPTURE_LOST_HALT_NS before the start of the halt that
 * the next kvm_vcpu_wakeup reports (wakeup time - its ns; ns clocks only). Its
 * kvm_halt_poll_ns line may be lost with it, so the thread's halts are flagged
 * CAPTURE_WINDOW_UNSURE until a line gives the window again.
 *
 * Exit-only captures (kvm_exit/kvm_entry but no kvm_vcpu_wakeup anywhere, as
 * hosts recording only `-e kvm_exit -e kvm_entry`): each HLT exit followed by
 * a kvm_entry on its thread becomes a halt flagged CAPTURE_END_IS_ENTRY, with
 * end_ns the entry and halt_ns = end_ns - hlt_ns (exit and entry included);
 * waited is then unknown and set to 1. The figures still report the halt
 * counts as null for such captures (KVM's halt code is not traced).
 *
 * Units: ns, except all *_ns times (not halt_ns/window_ns) are raw counter
 * ticks when capture.stats.raw_counter is set; derived times then mix units
 * (end - halt_ns), which the figures flag through their `units` string.
 */
#ifndef HPSIM_CAPTURE_H
#define HPSIM_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "trace_read.h"

#define CAPTURE_LOST_HALT_NS 1000000

enum capture_halt_flags {
    CAPTURE_HLT_DERIVED = 1,   /* hlt_ns = end_ns - halt_ns */
    CAPTURE_WAKE_DERIVED = 2,  /* wake_ns = end_ns - wake_cost_ns */
    CAPTURE_WINDOW_BACKFILLED = 4, /* window_ns from the first later line's old */
    CAPTURE_END_IS_ENTRY = 8,  /* exit-only capture: end_ns is the next kvm_entry */
    CAPTURE_WINDOW_UNSURE = 16,/* after a lost halt: window_ns may be stale */
    CAPTURE_LOST_BEFORE = 32   /* the capture lost a halt just before this one */
};

struct capture_halt {
    int64_t hlt_ns;
    int64_t wake_ns;
    int64_t end_ns;
    int64_t halt_ns;    /* kvm_vcpu_wakeup ns: poll + block time */
    int64_t window_ns;  /* -1 unknown */
    int64_t run_ns;     /* -1 unknown */
    int64_t hlt_seq;    /* stream position (0-based event count) of the HLT exit, -1 if derived */
    int64_t end_seq;    /* stream position of the kvm_vcpu_wakeup */
    int64_t entry_ns;   /* first kvm_entry after the wakeup, -1 none */
    int64_t line_new_ns;/* new window of this halt's kvm_halt_poll_ns line, -1 none */
    uint32_t skipped;   /* HLT exits since the previous halt that did not halt */
    int16_t wake_vec;   /* vector of the delivery at wake_ns, -1 unknown */
    uint8_t line_grow;  /* the line said "grow" (else "shrink"); with line_new_ns >= 0 */
    uint8_t waited;
    uint8_t valid;
    uint8_t flags;      /* enum capture_halt_flags */
};

struct capture_vcpu {
    int pid;
    int vcpu_id;        /* -1 unknown */
    int cpu;            /* host CPU of the thread's first event that names one, -1 */
    char comm[TRACE_COMM_MAX];
    struct capture_halt *halts;
    size_t n_halts, cap_halts;
    int64_t halt_exits; /* HLT exits, whether or not they reached the halt code */
    int64_t exits;      /* all kvm_exit, HLT included, plus emulated f4 */
    int64_t entries;
    int64_t poll_lines; /* kvm_halt_poll_ns lines */
    int64_t lost_halts; /* halts lost by the capture (see above) */
    int64_t tail_hlt_ns;/* a HLT exit after the last halt, pending at the end, -1 */
};

struct capture {
    struct trace_stats stats;
    int64_t wake_cost_ns;
    struct capture_vcpu *vcpus;
    size_t n_vcpus, cap_vcpus;
    int64_t first_ts, last_ts;  /* of all events read */
    int64_t irqs;               /* interrupt-delivery events */
    int64_t irqs_untargeted;    /* kvm_set_irq, logical MSI, unmatched APIC id */
    int64_t cpu_idle_events;
    int64_t c0_busy_ns, c0_span_ns; /* host CPUs with cpu_idle: C0 time, total */
    int64_t *cpu_idle_ns;       /* per host CPU: time idle, -1 if it has no cpu_idle event */
    size_t n_cpu_idle;
    int has_hlt_exits, has_wakeups;
};

/*
 * Read the capture at path and extract its halts. wake_cost_ns (>= 0) is the
 * modelled time from a wakeup's arrival to kvm_vcpu_wakeup, used only where
 * the capture shows no interrupt delivery. stop (NULL: none) is polled per
 * event, so SIGINT stops the reading of a large capture, not only the run
 * after it. On success returns 0 and *cap owns its arrays (capture_free). On
 * failure returns -1 with err set (the reader's messages, HP_EXIT_INTERRUPTED
 * when *stop was set, or HP_EXIT_RUNTIME when out of memory) and *cap left
 * empty.
 */
int capture_load(const char *path, int64_t wake_cost_ns, volatile int *stop, struct capture *cap,
                 struct hp_error *err);
void capture_free(struct capture *cap);

/* A figure, or null with the reason the capture cannot support it. */
struct capture_value {
    int64_t v;
    const char *null_why;  /* NULL: v is valid */
};

struct capture_figures {
    const char *units;     /* "ns" or "counter ticks" for times on the trace clock */
    struct capture_value halts, halt_exits, polls, waits, polls_caught, invalid;
    struct capture_value poll_ns, wait_ns;  /* sums of halt_ns: waited=0 / =1 */
    struct capture_value windows_known;     /* halts whose window_ns is known */
    struct capture_value wake_lat_n, wake_lat_mean_ns, wake_lat_p50_ns,
        wake_lat_p90_ns, wake_lat_p99_ns, wake_lat_p999_ns,
        wake_lat_max_ns;                    /* end - wake, observed arrivals only */
    struct capture_value c0_ppm;            /* host CPUs' time in C0, parts/million */
};

/*
 * The "captured" figures of vCPU index vcpu (0..n_vcpus-1), or of all vCPUs
 * when vcpu < 0. polls_caught: halts ended while polling (waited=0, valid=1).
 * Returns 0, or -1 with err set when out of memory (latency percentiles sort a
 * copy) or vcpu is out of range.
 */
int capture_figures(const struct capture *cap, int vcpu, struct capture_figures *fig,
                    struct hp_error *err);

#endif
