/*
 * v4 - the dynamic halt-polling patch, version 4 (2015), RECONSTRUCTED from
 * the reviewer's description (the patch text could not be found). Every short
 * halt grows the window, caught or not; a long halt or one that slept resets
 * it. Message-passing guests, whose halts are all short, sit at the maximum:
 * "always maxed out, even when the halt time is much less than the max".
 */
#include "../policy.h"

enum { P_HALT_POLL_NS, P_GROW, P_SHRINK, P_MAX };

struct v4_state { int64_t w; };

static void v4_init(void *s, const int64_t *p) { (void)p; ((struct v4_state *)s)->w = 0; }

static int64_t v4_window(void *s, const int64_t *p, const struct policy_ctx *ctx)
{
    (void)p; (void)ctx;
    return ((struct v4_state *)s)->w;
}

static enum policy_change v4_after(void *s, const int64_t *p, const struct halt_result *r)
{
    struct v4_state *st = s;
    if (r->halt_ns < p[P_HALT_POLL_NS]) {          /* short halt: "an interrupt arrived" */
        int64_t w = st->w == 0 ? p[P_HALT_POLL_NS] : st->w * p[P_GROW];
        if (w > p[P_MAX])
            w = p[P_MAX];
        if (w == st->w)
            return POLICY_KEEP;
        st->w = w;
        return POLICY_GROW;
    }
    if (r->waited || r->halt_ns > p[P_MAX]) {      /* idle detected */
        int64_t w = p[P_SHRINK] ? st->w / p[P_SHRINK] : 0;
        if (w == st->w)
            return POLICY_KEEP;
        st->w = w;
        return POLICY_SHRINK;
    }
    return POLICY_KEEP;
}

const struct policy_ops policy_v4 = {
    .name = "v4",
    .summary = "2015 patch v4: grow on every short halt, reset on a long one",
    .origin = "reconstructed from the 2015 thread",
    .params = (const struct policy_param[]){
        { "halt_poll_ns", 500000, 1, 1000000000, "ns", "base: first window, and the short-halt threshold" },
        { "halt_poll_ns_grow", 2, 1, 1024, "x", "growth factor" },
        { "halt_poll_ns_shrink", 0, 0, 1024, "x", "divisor on a long halt; 0 resets to 0" },
        { "halt_poll_ns_max", 2000000, 1, 1000000000, "ns", "maximum window" },
        { NULL, 0, 0, 0, NULL, NULL },
    },
    .state_size = sizeof(struct v4_state),
    .init = v4_init,
    .window = v4_window,
    .after_halt = v4_after,
};
