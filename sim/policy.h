/*
 * policy.h - the halt-polling policy interface and its registry.
 *
 * A policy is a const struct of function pointers in sim/policies/NAME.c,
 * listed once in the registry (policy.c). The model owns each vCPU's policy
 * state (state_size bytes, zeroed, then init()), so policies never allocate.
 * Every state starts with `int64_t w`: the vCPU's current window, what the
 * kernel calls vcpu->halt_poll_ns; the model reads it before and after each
 * update to emit one structured record per change (the kvm_halt_poll_ns
 * tracepoint's grow/shrink lines) through a single exit path.
 *
 * Parameters are declared once per policy in a table (name spelled as the
 * module parameter, default, valid range, unit); the config loader checks
 * them, so policies see a const, valid int64_t array indexed by their own enum.
 */
#ifndef HPSIM_POLICY_H
#define HPSIM_POLICY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "x86_costs.h"

#define POLICY_MAX_PARAMS 8

struct policy_param {
    const char *name;    /* NULL ends the table */
    int64_t def, min, max;
    const char *unit;
    const char *doc;
};

/* What the halt code hands the policy when a halt ends. */
struct halt_result {
    int64_t halt_ns;   /* whole halt as KVM measures it: entry to the halt code until the
                          vCPU is runnable again and reads the clock (poll included) */
    int64_t poll_ns;   /* time spent polling in this halt */
    bool waited;       /* the thread slept (false: a poll, or the first check, caught it) */
    bool valid;        /* the wakeup was valid (always true for x86 interrupts) */
};

/* Facts about the coming halt a policy may look at. Real policies use none;
 * the offline oracle uses next_wakeup_ns and the host's costs. */
struct policy_ctx {
    int64_t now_ns;          /* halt entry */
    int64_t next_wakeup_ns;  /* arrival of the interrupt that will end it; filled only for a
                                bound (oracle), INT64_MAX (unknown) for real policies */
    const struct x86_costs *cost;  /* the run's cost profile (NULL in unit tests that need none) */
};

enum policy_change { POLICY_KEEP = 0, POLICY_GROW, POLICY_SHRINK };

/* Where a policy runs. A host policy is KVM's halt-polling rule (kvm_vcpu_halt):
 * window() is asked at halt entry, after_halt() when the halt ends. A guest
 * policy is a cpuidle governor inside the guest: window() is asked when the
 * guest goes idle (0: execute HLT at once, else poll in the guest up to that
 * long, then HLT if nothing came), after_halt() only after a real HLT, with
 * halt_ns = the time the guest spent in HLT. */
enum policy_side { POLICY_HOST = 0, POLICY_GUEST };

struct policy_ops {
    const char *name;
    const char *summary;   /* one line for --list-policies */
    const char *origin;    /* "kernel 4.3", "reconstructed from the 2015 thread", ... */
    enum policy_side side;
    bool bound;            /* not a real policy but a bound (oracle): results mark it */
    const struct policy_param *params;
    size_t state_size;     /* >= sizeof(int64_t); the state begins with int64_t w */
    void (*init)(void *state, const int64_t *param);
    /* The window to poll for in the halt starting now (may adjust w, as
     * mainline's silent clamp does). */
    int64_t (*window)(void *state, const int64_t *param, const struct policy_ctx *ctx);
    /* Update w after a halt; say whether it grew or shrank (for the trace). */
    enum policy_change (*after_halt)(void *state, const int64_t *param, const struct halt_result *r);
};

#define POLICY_NAME_MAX 64

/* A policy chosen for a run, with its resolved parameters: the host's, and
 * optionally a guest-side governor ("guest-haltpoll+mainline"). A guest
 * governor disables host polling for its vCPUs (the guest writes
 * MSR_KVM_POLL_CONTROL), so the host policy then neither polls nor adapts. */
struct policy {
    const struct policy_ops *ops;          /* host (KVM) policy */
    int64_t param[POLICY_MAX_PARAMS];
    int nparams;
    const struct policy_ops *guest;        /* NULL, or the guest's governor */
    int64_t guest_param[POLICY_MAX_PARAMS];
    char name[POLICY_NAME_MAX];            /* as given: "mainline", "guest-haltpoll+mainline" */
};

/* The registry: NULL-terminated. */
extern const struct policy_ops *const policy_registry[];

const struct policy_ops *policy_find(const char *name);

/* Resolve name's parameters from the config's "policy" object: a policy's own
 * sub-object (policy.v3.halt_poll_ns) wins over the shared key
 * (policy.halt_poll_ns), which wins over the default. Writes the resolved
 * values back under policy.<name>. name is a host policy, a guest policy
 * alone (the host then runs "none"), or GUEST+HOST. */
int policy_resolve(const struct cfg *c, json_t *policy_obj, const char *name, struct policy *out);

/* Check that every key of the "policy" object is a known parameter or policy name. */
int policy_check_keys(const struct cfg *c, json_t *policy_obj);

/* Index of a parameter by name, -1 if the policy has none of that name. */
int policy_param_index(const struct policy_ops *ops, const char *name);

static inline int64_t policy_window_of(const void *state)
{
    return *(const int64_t *)state;
}

/* Set a policy's window from outside its rule (a replay starting from the
 * captured host's state). */
static inline void policy_set_window(void *state, int64_t w)
{
    *(int64_t *)state = w;
}

#endif
