/*
 * polltrace.h - policy window changes as `trace-cmd report` text lines of the
 * kernel's tracepoints, so a simulated trajectory diffs against a capture:
 *
 *        CPU 0/KVM-1000  [000]     0.002345: kvm_halt_poll_ns:     vcpu 0: halt_poll_ns 20000 (grow 10000)
 *           <idle>-0     [000]     0.002345: guest_halt_poll_ns:   halt_poll_ns 50000 (grow 0)
 *
 * Host lines (KVM's window): comm "CPU N/KVM" (QEMU's vCPU thread name),
 * right-aligned in 16 columns; pid POLLTRACE_PID_BASE + POLLTRACE_PID_STRIDE
 * * VM + N, so VMs stay apart; [host CPU]; seconds.microseconds of simulated
 * time (trace-cmd's default 6 decimals); event name and colon padded to 22
 * columns; the kernel's print fmt "vcpu %u: halt_poll_ns %u (%s %u)" (new,
 * grow|shrink, old). Guest lines (guest-haltpoll's limit) are what the
 * guest's own trace shows: the idle task on guest CPU N, print fmt
 * "halt_poll_ns %u (%s %u)"; they carry no VM number.
 * A file starts with "cpus=N" (host CPUs), as trace-cmd report's does, so
 * the capture reader (trace_read.h) reads the host lines back like a real
 * capture's; it skips the guest lines, an event it does not know.
 */
#ifndef HPSIM_POLLTRACE_H
#define HPSIM_POLLTRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "atomic_file.h"
#include "error.h"
#include "vcpu_model.h"

#define POLLTRACE_PID_BASE 1000
#define POLLTRACE_PID_STRIDE 1024   /* >= the most vCPUs a VM may have */

/* Format c as one line without newline; snprintf's return convention. */
int polltrace_format(char *buf, size_t n, const struct window_change *c);

/* A trace file being written, whole or not at all (atomic_file.h: a
 * temporary beside PATH, renamed to PATH on a successful close). */
struct polltrace_writer {
    struct atomic_file out;      /* whole or not at all; out.failed: a write failed */
};

/* Create the file and write the "cpus=N" header; -1 with err filled. */
int polltrace_open(struct polltrace_writer *w, const char *path, int ncpus, struct hp_error *err);
/* A window_trace_fn: ctx is the writer. */
void polltrace_write(void *ctx, const struct window_change *c);
/* keep: flush and rename into place (-1 with err on an I/O error);
 * !keep: remove the temporary file. */
int polltrace_close(struct polltrace_writer *w, bool keep, struct hp_error *err);

/* The file for one policy when several run: the policy's name inserted
 * before the extension ("t.trace" -> "t.mainline.trace", "t" -> "t.mainline").
 * -1 if it does not fit in n. */
int polltrace_path_for(char *buf, size_t n, const char *path, const char *policy);

#endif
