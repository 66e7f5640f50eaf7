/*
 * v3 - the dynamic halt-polling patch, version 3 (2015), RECONSTRUCTED: the
 * patch text could not be found; this is the rule that reproduces what the
 * reviewer described in the thread. It adapts only when the vCPU slept:
 * 0 -> base, then multiply by grow, and past the maximum reset. An idle guest
 * (every halt long) cycles 0 -> 500 us -> 1 ms -> 2 ms -> 4 ms -> 0: the
 * reviewer's "lots of idle overhead". A caught poll changes nothing.
 */
#include "../policy.h"

enum { P_HALT_POLL_NS, P_GROW, P_SHRINK, P_MAX };

struct v3_state { int64_t w; };

static void v3_init(void *s, const int64_t *p) { (void)p; ((struct v3_state *)s)->w = 0; }

static int64_t v3_window(void *s, const int64_t *p, const struct policy_ctx *ctx)
{
    (void)p; (void)ctx;
    return ((struct v3_state *)s)->w;
}

static enum policy_change v3_after(void *s, const int64_t *p, const struct halt_result *r)
{
    struct v3_state *st = s;
    if (!r->waited)
        return POLICY_KEEP;
    if (st->w > p[P_MAX]) {
        st->w = p[P_SHRINK] ? st->w / p[P_SHRINK] : 0;
        return POLICY_SHRINK;
    }
    st->w = st->w == 0 ? p[P_HALT_POLL_NS] : st->w * p[P_GROW];
    return POLICY_GROW;
}

const struct policy_ops policy_v3 = {
    .name = "v3",
    .summary = "2015 patch v3: grow on every halt that slept, reset past the maximum",
    .origin = "reconstructed from the 2015 thread",
    .params = (const struct policy_param[]){
        { "halt_poll_ns", 500000, 1, 1000000000, "ns", "first window after 0 (the base)" },
        { "halt_poll_ns_grow", 2, 1, 1024, "x", "growth factor" },
        { "halt_poll_ns_shrink", 0, 0, 1024, "x", "divisor past the maximum; 0 resets to 0" },
        { "halt_poll_ns_max", 2000000, 1, 1000000000, "ns", "maximum (\"max of dynamic halt-poll is 2ms\")" },
        { NULL, 0, 0, 0, NULL, NULL },
    },
    .state_size = sizeof(struct v3_state),
    .init = v3_init,
    .window = v3_window,
    .after_halt = v3_after,
};
