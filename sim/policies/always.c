/*
 * always - a fixed poll window, Linux 4.0-4.2 (commit f78195129963, "kvm: add
 * halt_poll_ns module parameter"): every halt polls up to halt_poll_ns, stops
 * early when a wakeup is pending or another task is runnable (the model does
 * that), and never adapts. The 2015 thread measured it at 500000 ns.
 */
#include "../policy.h"

enum { P_HALT_POLL_NS };

struct always_state { int64_t w; };

static void always_init(void *s, const int64_t *p) { ((struct always_state *)s)->w = p[P_HALT_POLL_NS]; }

static int64_t always_window(void *s, const int64_t *p, const struct policy_ctx *ctx)
{
    (void)s; (void)ctx;
    return p[P_HALT_POLL_NS];
}

static enum policy_change always_after(void *s, const int64_t *p, const struct halt_result *r)
{
    (void)s; (void)p; (void)r;
    return POLICY_KEEP;
}

const struct policy_ops policy_always = {
    .name = "always",
    .summary = "poll every halt for a fixed halt_poll_ns (Linux 4.0-4.2)",
    .origin = "kernel 4.0-4.2",
    .params = (const struct policy_param[]){
        { "halt_poll_ns", 500000, 0, 1000000000, "ns", "fixed poll window (the 2015 thread used 500000)" },
        { NULL, 0, 0, 0, NULL, NULL },
    },
    .state_size = sizeof(struct always_state),
    .init = always_init,
    .window = always_window,
    .after_halt = always_after,
};
