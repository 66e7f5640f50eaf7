/*
 * replay.h - a capture made ready to drive the simulator: its clock turned
 * into ns from a time origin, its vCPU threads placed on simulated pCPUs.
 *
 * Time: sim time 0 is the capture's origin (its first event, or the start of
 * a halt derived to begin earlier); sim time = (ts - origin) / ticks_per_ns.
 * The replay lasts to the last event, or to the end of the simulated run when
 * the capture is one hpsim emitted (its header gives duration_ns).
 * ticks_per_ns is 1 for captures on a ns clock. For a raw counter (x86-tsc
 * without TSC2NSEC) it is counter_hz / 1e9 when given, else estimated from the
 * capture itself: the median, over halts of at least 1 ms whose HLT exit is
 * traced (else of at least 50 us), of (wakeup - HLT exit) in ticks over the
 * halt's kvm_vcpu_wakeup ns. The HLT exit path makes each ratio slightly too
 * large, by under 0.2% for 1 ms halts.
 *
 * Placement: simulated vCPU i is capture thread i. Threads are pinned to one
 * pCPU per distinct host CPU they were seen on (their first event naming a
 * CPU; migrations are not followed), in increasing CPU order. A thread whose
 * CPU the capture does not say gets a pCPU of its own.
 */
#ifndef HPSIM_REPLAY_H
#define HPSIM_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "capture.h"
#include "error.h"

struct replay_capture {
    char *path;
    struct capture cap;
    double ticks_per_ns;
    const char *clock;      /* "ns", "counter_hz given", "counter estimated from N halts" */
    char clock_buf[96];
    int64_t origin;         /* capture time of sim time 0 (trace clock units) */
    int64_t span_ns;        /* from the origin to the last event, + 1 */
    int npcpus;
    int *pin;               /* pCPU of each thread (cap.n_vcpus entries) */
    int *host_cpu;          /* host CPU of each pCPU, -1 when not known */
    int refs;               /* holders of a heap capture (replay_capture_release) */
};

/*
 * Load the capture at path for replay. counter_hz > 0 gives the frequency of a
 * raw counter clock (ignored for ns clocks). Bad input (not a trace, a
 * malformed line, no KVM vCPU events, a raw clock that cannot be estimated)
 * fails with HP_EXIT_USAGE and a message naming the file and line or record.
 * On failure *rc is left empty (replay_capture_close is still safe). stop
 * (NULL: none): reading ends with HP_EXIT_INTERRUPTED once *stop is set.
 */
int replay_capture_open(const char *path, double counter_hz, volatile int *stop, struct replay_capture *rc,
                        struct hp_error *err);
void replay_capture_close(struct replay_capture *rc);
/* A capture on the heap (replay_capture_new: refs 1) is shared by holding
 * it: release closes and frees it with its last holder. Runs only read a
 * capture, so a command that replays one file twice (validate) opens it
 * once. replay_capture_new returns NULL with err filled (as
 * replay_capture_open fails, or out of memory). */
struct replay_capture *replay_capture_new(const char *path, double counter_hz, volatile int *stop,
                                          struct hp_error *err);
void replay_capture_hold(struct replay_capture *rc);
void replay_capture_release(struct replay_capture *rc);

/* A capture time (trace clock units) as sim ns. */
int64_t replay_time(const struct replay_capture *rc, int64_t ts);
/* A capture duration (trace clock units) as ns. */
int64_t replay_duration(const struct replay_capture *rc, int64_t d);

/*
 * Hand an opened capture to the replay workload, which takes it over when it
 * parses a config whose capture path is the same (so `hpsim replay` reads the
 * file once). The workload owns it from then on; one capture is held at most.
 */
void replay_handoff(struct replay_capture *rc);
/* The handed-off capture for path, removed from the hand-off slot; NULL if none. */
struct replay_capture *replay_take_handoff(const char *path);

struct workload;
/* The capture a replay workload drives; NULL for another workload. */
const struct replay_capture *replay_workload_capture(const struct workload *w);
/* Per captured halt of thread vcpu: the window in effect and the halt_ns of
 * the simulated halt that halt's arrival ended in the last run, -1 if none.
 * 0, or -1 if w is not a replay or has no such thread. */
int replay_workload_halts(const struct workload *w, size_t vcpu, const int64_t **window,
                          const int64_t **halt_ns);
/* Arrivals the last run replayed as late wakeups (workloads/replay.c,
 * "late_wakeups": "captured"); -1 if w is not a replay. */
int64_t replay_workload_late(const struct workload *w);
/* Halts the last run began late, as the kernel did (same mode); -1 if w is
 * not a replay. */
int64_t replay_workload_late_entries(const struct workload *w);


/* The "captured" row: the results schema's keys computed from the capture
 * alone (null where it cannot support a figure, the reason under
 * "null_reasons"), plus "waited_halt_ns" (the kvm_vcpu_wakeup ns of halts that
 * blocked: poll before blocking + wait). Shares are of span_ns x npcpus.
 * Wakeup latency: arrival (a traced delivery aimed at the vCPU) to the next
 * kvm_entry, as the model measures it, or to kvm_vcpu_wakeup when entries are
 * not traced (then about one VM entry shorter than the model's). */
struct json_t;
struct json_t *replay_captured_row(const struct replay_capture *rc);

/*
 * The captured host's halt-polling parameters, as "policy.mainline.KEY=V"
 * assignments (or "policy.NAME.KEY=V" from an hpsim header), *source naming
 * where they came from, first found wins: recording.json beside the capture
 * (scripts/record.sh: module_parameters, the VM's effective maximum as
 * halt_poll_ns), the capture's own "# hpsim policy" header (--emit-trace),
 * recording.txt beside it (../shared/traces/live). None found: *n 0, *source
 * NULL. Returns 0, or -1 with err filled: out of memory, or a recording.json
 * (or probe.json) beside the capture that does not parse or holds a wrong
 * type (HP_EXIT_USAGE, as validate reports it). *sets is NULL-terminated.
 */
struct capdir;
/* dir: the capture's directory already read (validate), or NULL to read it. */
int replay_host_params(const char *capture, const struct capdir *dir, char ***sets, int *n,
                       const char **source, struct hp_error *err);

#endif
