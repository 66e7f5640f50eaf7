/*
 * fit.h - a host cost profile estimated from captures (`hpsim fit`).
 *
 * Each estimator reads the halts of struct capture (capture.h) and gives one
 * cost field, its sample size, and what it could not see. Every statistic is
 * a lower median (sorted[(n - 1) / 2]) of integer ns, so the value is exact
 * and robust to the rare halt the host interrupted (a preempted poll, a host
 * task that ran first). Only ns clocks are read (a raw counter is refused).
 *
 *   hlt_exit_ns       HLT exit -> halt code: (kvm_vcpu_wakeup time - its ns)
 *                     - the HLT exit (kvm_exit HLT or kvm_emulate_insn f4),
 *                     over halts whose HLT exit is traced.
 *   poll_iter_ns      2 x the median delivery -> kvm_vcpu_wakeup of halts the
 *                     poll caught: the model sees a wakeup at the next poll
 *                     check, a delay uniform over one iteration (median half
 *                     of it); the capture's delay also holds the cross-CPU
 *                     notice, which the model does not separate.
 *   poll_hit_resume_ns  kvm_vcpu_wakeup -> next kvm_entry of caught halts;
 *                     only where kvm_entry is traced.
 *   cstates           the block path, from halts that blocked with the
 *                     window in effect known and a traced remote delivery
 *                     after the poll ended, on a vCPU thread alone on its
 *                     host CPU: d = kvm_vcpu_wakeup - delivery (the model's
 *                     wake_signal + C-state exit + sched_in) against x =
 *                     delivery - (halt start + window), the time blocked
 *                     before it. A change point splits the samples at the
 *                     boundary b (a grid of 2^(k/4) us, 1 us .. 1 s, both
 *                     sides >= FIT_MIN_GROUP samples) that minimises the sum
 *                     of |d - median of its side|, kept when the long side's
 *                     median is the larger: two states, "shallow" (target
 *                     residency 0) and "deep" (target residency b - sched_out
 *                     - idle_enter: the idle the governor predicts), each
 *                     with actual exit = median d of its side - wake_signal -
 *                     sched_in (those two stay the base profile's: the
 *                     capture shows only their sum with the exit), >= 0.
 *                     Without a split, one state from all samples.
 */
#ifndef HPSIM_FIT_H
#define HPSIM_FIT_H

#include <jansson.h>
#include <stdint.h>

#include "capture.h"
#include "error.h"
#include "x86_costs.h"

#define FIT_MIN_GROUP 20

/* One capture to fit from. vm_window_ns: the window of halts no
 * kvm_halt_poll_ns line gives (0 when the VM's maximum was 0), -1 unknown. */
struct fit_input {
    const struct capture *cap;
    const char *path;
    int64_t vm_window_ns;
};

/* One fitted field: n samples, 0 when not fitted (value then the base's). */
struct fit_estimate {
    int64_t value;
    int64_t n;
};

struct fit_result {
    struct fit_estimate hlt_exit, poll_iter, poll_hit_resume;
    /* the block path */
    int64_t wake_n;                 /* samples (x, d) */
    int nstates;                    /* 0 (not fitted), 1 or 2 */
    int64_t boundary_ns;            /* b, with 2 states */
    int64_t state_n[2];             /* samples of each side */
    int64_t state_wake_ns[2];       /* median d of each side */
    struct x86_cstate cstate[2];
    int64_t *per_capture_n;         /* [ninputs][4]: hlt_exit, poll_iter, resume, wake */
};

/*
 * Fit from n captures on top of base (the modelled parts: wake_signal_ns,
 * sched_in_ns, sched_out_ns, idle_enter_ns). 0, or -1 with err set (out of
 * memory, a raw counter clock). out->per_capture_n is allocated: fit_free.
 */
int fit_estimate(const struct fit_input *in, size_t n, const struct x86_costs *base,
                 struct fit_result *out, struct hp_error *err);
void fit_free(struct fit_result *r);

/* The config fragment {"_fit": provenance, "costs": {"profile": base, fitted
 * fields}}; inputs name the captures, kernels (may hold NULLs) their kernel
 * releases, command the command line that made it. */
json_t *fit_fragment(const struct fit_result *r, const struct x86_costs *base,
                     const struct fit_input *in, const char *const *kernels, size_t n,
                     const char *command);

#endif
