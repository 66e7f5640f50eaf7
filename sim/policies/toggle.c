/*
 * toggle - the reviewer's own proposal in the 2015 thread (sent separately),
 * RECONSTRUCTED: poll the full halt_poll_ns for this halt iff the previous
 * halt was shorter than halt_poll_ns; otherwise do not poll. No growth: near
 * zero idle cost, always-poll's latency for message passing.
 */
#include "../policy.h"

enum { P_HALT_POLL_NS };

struct toggle_state { int64_t w; };

static void toggle_init(void *s, const int64_t *p) { (void)p; ((struct toggle_state *)s)->w = 0; }

static int64_t toggle_window(void *s, const int64_t *p, const struct policy_ctx *ctx)
{
    (void)p; (void)ctx;
    return ((struct toggle_state *)s)->w;
}

static enum policy_change toggle_after(void *s, const int64_t *p, const struct halt_result *r)
{
    struct toggle_state *st = s;
    int64_t w = r->halt_ns < p[P_HALT_POLL_NS] ? p[P_HALT_POLL_NS] : 0;
    if (w == st->w)
        return POLICY_KEEP;
    enum policy_change ch = w > st->w ? POLICY_GROW : POLICY_SHRINK;
    st->w = w;
    return ch;
}

const struct policy_ops policy_toggle = {
    .name = "toggle",
    .summary = "poll the full window iff the previous halt was shorter than it",
    .origin = "reconstructed from the 2015 thread (reviewer's proposal)",
    .params = (const struct policy_param[]){
        { "halt_poll_ns", 500000, 0, 1000000000, "ns", "window, and the previous-halt threshold" },
        { NULL, 0, 0, 0, NULL, NULL },
    },
    .state_size = sizeof(struct toggle_state),
    .init = toggle_init,
    .window = toggle_window,
    .after_halt = toggle_after,
};
