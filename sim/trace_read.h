/*
 * trace_read.h - stream the KVM halt events of one capture, whatever its form.
 *
 * Forms, recognised by content (never by file name):
 *   - trace.dat v6/v7 (magic 17 08 44 "tracing"), read only through libtracecmd;
 *     zlib-compressed files read because trace_zlib.c registers a codec;
 *   - text: `trace-cmd report` (default, -t, -l, -R, --ts-diff, instance
 *     prefixes, raw counter timestamps), the tracefs `trace` file, `perf script`,
 *     and bare "TIMESTAMP: event: payload" lines as quoted in mailing lists.
 *
 * Order: text events arrive in file order (and must not go back in time on one
 * host CPU); trace.dat events arrive in time order (libtracecmd merges CPUs).
 *
 * Units: ts_ns is nanoseconds, except when trace_stats.raw_counter is set: the
 * capture's clock was a counter (x86-tsc, counter) without a TSC2NSEC option,
 * and ts_ns then holds raw counter ticks, kept as they are (no frequency is
 * known). Payload durations (wakeup ns, halt_poll_ns) are always nanoseconds.
 */
#ifndef HPSIM_TRACE_READ_H
#define HPSIM_TRACE_READ_H

#include <stdint.h>

#include "error.h"

/* Linux's LOCAL_TIMER_VECTOR: a delivery on it is the guest's own LAPIC
 * timer (the hrtimer path), not a remote wakeup. */
#define TRACE_TIMER_VECTOR 236

enum trace_kind {
    TRACE_HLT_EXIT,     /* kvm_exit reason HLT/hlt, or kvm_emulate_insn of f4 */
    TRACE_EXIT,         /* any other kvm_exit */
    TRACE_ENTRY,        /* kvm_entry */
    TRACE_WAKEUP,       /* kvm_vcpu_wakeup: end of a halt in KVM's halt code */
    TRACE_HALT_POLL,    /* kvm_halt_poll_ns: the window changed */
    TRACE_IRQ,          /* an interrupt delivery, see enum trace_irq_src */
    TRACE_CPU_IDLE,     /* power:cpu_idle */
    TRACE_SCHED_SWITCH  /* sched:sched_switch */
};

enum trace_irq_src {
    TRACE_IRQ_APIC_ACCEPT, /* kvm_apic_accept_irq: apicid, vector */
    TRACE_IRQ_INJ_VIRQ,    /* kvm_inj_virq: vector, on the target vCPU's thread */
    TRACE_IRQ_SET_IRQ,     /* kvm_set_irq: gsi, level; no target vCPU */
    TRACE_IRQ_MSI          /* kvm_msi_set_irq: dst apicid (-1 if logical), vector */
};

#define TRACE_COMM_MAX 32

struct trace_event {
    int64_t ts_ns;      /* ns, or raw counter ticks (see trace_stats.raw_counter) */
    int cpu;            /* host CPU, -1 if the line does not say */
    int pid;            /* thread id, -1 if the line does not say */
    int vcpu;           /* vCPU id printed by the event, -1 if none */
    int64_t where;      /* 1-based line (text) or record number (trace.dat) */
    char comm[TRACE_COMM_MAX];
    enum trace_kind kind;
    union {
        struct { char reason[24]; } exit;      /* TRACE_EXIT, TRACE_HLT_EXIT */
        struct { int64_t ns; int waited, valid; } wakeup;
        struct { int64_t new_ns, old_ns; int grow; } poll;
        struct {
            enum trace_irq_src src;
            int apicid;   /* destination APIC, -1 if unknown */
            int vector;   /* -1 if unknown */
            int gsi;      /* kvm_set_irq only, else -1 */
            int level;
        } irq;
        struct { int64_t state; int cpu_id; } idle; /* state 4294967295 = exit */
        struct { int prev_pid, next_pid; char prev_state; } sw;
    } u;
};

struct trace_stats {
    int64_t lines;          /* text lines or trace.dat records read */
    int64_t events;         /* events handed to the callback */
    int64_t unknown;        /* well-formed events of no use here (skipped) */
    int64_t malformed;      /* event-looking lines/records that failed to parse */
    int64_t first_malformed;/* line/record of the first one, 0 if none */
    int cpus;               /* "cpus=N", "#P:N" or the trace.dat CPU count; 0 unknown */
    int raw_counter;        /* timestamps are raw counter ticks, not ns */
    int is_dat;             /* the file was a trace.dat */
};

/* Non-zero return stops reading; trace_read then returns that value. */
typedef int (*trace_cb)(const struct trace_event *ev, void *ctx);

/*
 * Read the capture at path, calling cb for every event of enum trace_kind.
 * st (may be NULL) is filled even on error. Returns 0 at the end of the file,
 * the callback's non-zero value if it stopped early (err untouched then), or
 * -1 with err set (HP_EXIT_USAGE: not a trace, corrupt, time going backwards;
 * HP_EXIT_RUNTIME: I/O or memory). Streams: memory does not grow with the file.
 */
int trace_read(const char *path, trace_cb cb, void *ctx, struct trace_stats *st,
               struct hp_error *err);

/* Stable lower-case name of a kind, for messages and tests. */
const char *trace_kind_name(enum trace_kind kind);

#endif
