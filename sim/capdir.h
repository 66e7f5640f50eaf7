/*
 * capdir.h - a capture as scripts/record.sh leaves it: a directory holding
 * trace.dat, recording.json (what ran: kernel, module parameters, the VM's
 * own halt-poll maximum) and probe.json (the probe's own figures). A CAPTURE
 * argument names the directory or a trace file; the JSON files beside the
 * trace are read when present (a capture from elsewhere has none).
 */
#ifndef HPSIM_CAPDIR_H
#define HPSIM_CAPDIR_H

#include <stdint.h>

#include "error.h"

/* The kvm module parameters recording.json keeps, in capdir.module_param's
 * order: halt_poll_ns, _grow, _grow_start, _shrink. */
#define CAPDIR_NPARAMS 4
extern const char *const capdir_param_names[CAPDIR_NPARAMS];

struct capdir {
    char trace[4096];      /* the trace file */
    char name[256];        /* the scenario: the directory's name, else the file's */
    char set[4096];        /* the directory holding the scenario (canonical): captures
                            * pair with their _poll0 twin only within one set */
    char kernel[128];      /* recording.json kernel_release, "" unknown */
    int64_t vm_max_ns;     /* recording.json effective_max_halt_poll_ns, -1 unknown */
    /* recording.json module_parameters (capdir_param_names), -1 unknown */
    int64_t module_param[CAPDIR_NPARAMS];
    double resp_p50_us;    /* probe.json latency_us.p50, < 0 unknown */
    int64_t resp_n;        /* probe.json latency_us.n, 0 unknown */
};

/*
 * Resolve arg (a directory with trace.dat, or a trace file) and read the JSON
 * files beside it. 0, or -1 with err (HP_EXIT_USAGE): arg missing, a
 * directory without trace.dat, a JSON file beside it that does not parse or
 * holds a field of the wrong type (named with its path).
 */
int capdir_open(const char *arg, struct capdir *out, struct hp_error *err);

#endif
