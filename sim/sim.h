/*
 * sim.h - one simulation: a config turned into a run specification, and a
 * run of that specification under one policy.
 *
 * Config schema (README "Config"): name, description, duration_s, seed,
 * costs {profile, overrides}, host {pcpus | overcommit, sched_slice_ns,
 * placement, set_size}, policies [names],
 * policy {shared parameters, NAME: {its own}}, vms [{name, count, vcpus,
 * workload {type, ...}}]. Keys starting with '_' are comments.
 */
#ifndef HPSIM_SIM_H
#define HPSIM_SIM_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "policy.h"
#include "vcpu_model.h"
#include "workload.h"
#include "x86_costs.h"

struct sim_vm {
    int64_t count;       /* identical VMs in this group */
    int64_t vcpus;       /* per VM */
    int *pin;            /* pCPU of each vCPU of each VM ("pin"), NULL: round robin */
    struct workload wl;
};

struct sim_spec {
    json_t *root;        /* the effective config, defaults filled in (owned) */
    const char *file;
    const char *name;
    int64_t duration_ns;
    uint64_t seed;
    struct x86_costs costs;
    int64_t pcpus;
    int64_t slice_ns;
    bool free_placement;  /* host.placement "free" (else "pinned") */
    int64_t set_size;     /* pCPUs per placement set, 1..pcpus */
    struct sim_vm *vms;
    int nvms;
    int64_t nvcpus;      /* total */
    int64_t nsources;    /* traffic sources in all (vCPUs x the workload's sources each) */
    struct policy *policies;
    int npolicies;
};

/* Check root (taking ownership) and build spec. policy_list, if non-NULL,
 * replaces the config's "policies" ("a,b,c"). */
int sim_spec_load(json_t *root, const char *file, const char *policy_list,
                  struct sim_spec *spec, struct hp_error *err);
void sim_spec_free(struct sim_spec *spec);

struct sim_opts {
    window_trace_fn trace;       /* every window change, or NULL */
    void *trace_ctx;
    model_event_fn event;        /* every traced model event (--emit-trace), or NULL */
    void *event_ctx;
    const char *progress_label;  /* non-NULL: progress line on stderr (TTY only) */
    volatile int *stop;          /* non-NULL: set asynchronously to stop early */
};

/* Run spec under pol; fill *met (allocated by the caller: it is large). */
int sim_run(const struct sim_spec *spec, const struct policy *pol, const struct sim_opts *opts,
            struct metrics *met, struct hp_error *err);

#endif
