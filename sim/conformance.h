/*
 * conformance.h - does a policy reproduce the window trajectory a capture
 * shows (kvm_halt_poll_ns lines)?
 *
 * The captured window in effect for halt k is min(window_ns, max): window_ns
 * is the old value of the line the halt emitted (already clamped at the halt's
 * entry), else the new value of the thread's last line, which the kernel
 * clamps to max silently at the next halt entry (max = the policy's
 * halt_poll_ns parameter, or its max_halt_poll_ns when set).
 *
 * Rule conformance feeds each captured halt (its kvm_vcpu_wakeup ns, waited,
 * valid) to the policy, starting every halt from the captured window before
 * it, and requires the same decision the capture shows: the same window in
 * effect, and the same kvm_halt_poll_ns line (old and new) or none. A miss is
 * a bug in the rule or the reader: the figure must be 100%.
 *
 * Model conformance compares, for each captured halt, the window in effect of
 * the simulated halt that the halt's arrival ended in a replay under the
 * policy (a captured halt the simulation did not halt for is a miss). The
 * window is path dependent: one decision taken differently can put the
 * simulated window on another ladder of values (160000 -> 80000 ... against
 * a clamped 200000 -> 100000 ...) for as long as no halt resets both to 0.
 * So the model figure also counts per-halt decisions: the rule applied, from
 * the captured window, to the simulated halt's length, against the kernel's
 * decision on the real one; and the miss note names the first halt whose
 * decision differs, with both lengths.
 *
 * Halts count only on threads whose window is known (they show at least one
 * kvm_halt_poll_ns line) and not after events the capture lost, until a line
 * gives the window again (CAPTURE_WINDOW_UNSURE: counted apart as `unsure`);
 * exit-only halts never count.
 */
#ifndef HPSIM_CONFORMANCE_H
#define HPSIM_CONFORMANCE_H

#include <stdint.h>

#include "capture.h"
#include "policy.h"

struct conformance {
    int64_t halts;          /* halts compared */
    int64_t matched;
    int64_t unpaired;       /* model: captured halts the simulation did not halt for */
    int64_t unsure;         /* halts not compared: the capture lost events before them */
    int64_t decisions, decisions_matched;  /* model: per-halt decisions (see above) */
    const char *null_why;   /* non-NULL: no figure, and why */
    char first_miss[200];   /* the first miss, for a note ("" if none) */
};

/* Rule conformance of pol on cap. */
void conformance_rule(const struct capture *cap, const struct policy *pol, struct conformance *out);

/* Model conformance: sim_window[i][k] is the simulated window for halt k of
 * thread i, -1 when the simulation had no halt for it. */
void conformance_model(const struct capture *cap, const struct policy *pol,
                       const int64_t *const *sim_window, const int64_t *const *sim_halt_ns,
                       struct conformance *out);

/* matched / halts in percent, or -1 when null. */
double conformance_pct(const struct conformance *c);

#endif
