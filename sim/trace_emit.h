/*
 * trace_emit.h - a simulated run written as `trace-cmd report -t` text, so
 * synthetic runs and real captures go through one reader (trace_read.h):
 *
 *   cpus=1
 *   # hpsim 0.1.0 --emit-trace: config tcp_rr, policy mainline, duration_ns 200000000, seed 1
 *   # hpsim policy mainline halt_poll_ns=200000 halt_poll_ns_grow=2 ...
 *          CPU 0/KVM-1000  [000]     0.000012345: kvm_exit:             vcpu 0 reason HLT rip 0xffffffff81000000 info1 0x0000000000000000 info2 0x0000000000000000 intr_info 0x00000000 error_code 0x00000000
 *        vhost-hpsim-999   [000]     0.000020000: kvm_apic_accept_irq:  apicid 0 vec 64 (Fixed|edge)
 *          CPU 0/KVM-1000  [000]     0.000021100: kvm_halt_poll_ns:     vcpu 0: halt_poll_ns 20000 (grow 10000)
 *          CPU 0/KVM-1000  [000]     0.000021100: kvm_vcpu_wakeup:      poll time 7955 ns, polling valid
 *          CPU 0/KVM-1000  [000]     0.000022100: kvm_entry:            vcpu 0, rip 0xffffffff81000001
 *
 * Threads: vCPU N of VM M is comm "CPU N/KVM", pid 1000 + 1024 M + N (as
 * policy window traces number them, polltrace.h, whose formatter prints the
 * kvm_halt_poll_ns payload); [cpu] is its simulated pCPU. The vcpu and APIC
 * ids printed are the vCPU's index across all VMs, so that a reader tells the
 * target of an interrupt apart when several VMs each have a vCPU 0. A remote
 * interrupt (virtio, IPI) is accepted by "vhost-hpsim" (pid 999) on the
 * vCPU's pCPU, a LAPIC timer (vector 236) by the vCPU's own thread.
 * kvm_exit is printed in the 6.x kernel format (reason HLT only: other exits
 * are not modelled as events), kvm_entry after every VM entry, the
 * kvm_halt_poll_ns line before the kvm_vcpu_wakeup of the halt that changed
 * the window, as KVM emits them. Timestamps have 9 decimals (report -t) so a
 * replay sees the run to the ns. Events are written in simulated time order.
 *
 * The "# hpsim policy NAME k=v ..." line gives the policy's parameters; a
 * replay reads them from there (the module parameters of the "host").
 * The file is written to PATH.tmp.PID and renamed on success: a failed or
 * interrupted run leaves nothing half-written.
 */
#ifndef HPSIM_TRACE_EMIT_H
#define HPSIM_TRACE_EMIT_H

#include <stdbool.h>
#include <stdio.h>

#include "error.h"
#include "policy.h"
#include "polltrace.h"
#include "vcpu_model.h"

#define TRACE_EMIT_REMOTE_VECTOR 64
#define TRACE_EMIT_HEADER_LINES 8   /* the header lines are among the first 8 */

struct trace_emit {
    struct polltrace_writer w;   /* the file: temporary name, renamed on success */
    FILE *f;                     /* w.out.f */
};

/* Create path's temporary file and write the header: "cpus=N", the title
 * (a comment), the policy's parameters. -1 with err filled. */
int trace_emit_open(struct trace_emit *t, const char *path, const char *title,
                    const struct policy *pol, int ncpus, struct hp_error *err);
/* A model_event_fn: ctx is the struct trace_emit. */
void trace_emit_event(void *ctx, const struct model_event *e);
/* keep: flush and rename into place (-1 with err on an I/O error); else remove. */
int trace_emit_close(struct trace_emit *t, bool keep, struct hp_error *err);

/* The simulated duration a "# hpsim ... duration_ns N" header line gives,
 * -1 if the file has none (a capture from a real host). */
int64_t trace_emit_read_duration(const char *path);

#endif
