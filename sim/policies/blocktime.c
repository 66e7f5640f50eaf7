/*
 * blocktime - the rule Linux 4.3 merged (commit aca6ff29c406, "KVM: dynamic
 * halt-polling"): after each halt, grow or shrink by how long the whole halt
 * lasted (block time, poll included), in the kernel's order of cases:
 *   halt_poll_ns == 0                      -> w = 0
 *   halt_ns <= w                           -> keep (the poll caught it)
 *   w > 0 and halt_ns > halt_poll_ns       -> shrink: w / shrink, or 0 if shrink is 0
 *   w < halt_poll_ns and halt_ns < halt_poll_ns -> grow: 0 -> 10000, else w * grow
 * No upper clamp in 4.3: 400 us halts end at 640000. 4.3 hard-codes the
 * 10000 ns grow start; it is a parameter here (default 10000) for sweeps.
 */
#include "../policy.h"

enum { P_HALT_POLL_NS, P_GROW, P_SHRINK, P_GROW_START };

struct blocktime_state { int64_t w; };

static void blocktime_init(void *s, const int64_t *p) { (void)p; ((struct blocktime_state *)s)->w = 0; }

static int64_t blocktime_window(void *s, const int64_t *p, const struct policy_ctx *ctx)
{
    (void)p; (void)ctx;
    return ((struct blocktime_state *)s)->w;
}

static enum policy_change blocktime_after(void *s, const int64_t *p, const struct halt_result *r)
{
    struct blocktime_state *st = s;
    int64_t w = st->w;
    enum policy_change ch = POLICY_KEEP;
    if (p[P_HALT_POLL_NS] == 0) {
        w = 0;
        ch = POLICY_SHRINK;
    } else if (r->halt_ns <= st->w) {
        /* the poll caught it: keep */
    } else if (st->w > 0 && r->halt_ns > p[P_HALT_POLL_NS]) {
        w = p[P_SHRINK] ? st->w / p[P_SHRINK] : 0;
        ch = POLICY_SHRINK;
    } else if (st->w < p[P_HALT_POLL_NS] && r->halt_ns < p[P_HALT_POLL_NS]) {
        w = (st->w == 0 && p[P_GROW]) ? p[P_GROW_START] : st->w * p[P_GROW];
        ch = POLICY_GROW;
    }
    if (w == st->w)
        return POLICY_KEEP;
    st->w = w;
    return ch;
}

const struct policy_ops policy_blocktime = {
    .name = "blocktime",
    .summary = "Linux 4.3: grow/shrink by the length of the whole halt",
    .origin = "kernel 4.3",
    .params = (const struct policy_param[]){
        { "halt_poll_ns", 500000, 0, 1000000000, "ns", "threshold and (loose) bound; 4.3 default 500000" },
        { "halt_poll_ns_grow", 2, 0, 1024, "x", "growth factor; 0 disables growth" },
        { "halt_poll_ns_shrink", 0, 0, 1024, "x", "divisor; 0 resets to 0" },
        { "halt_poll_ns_grow_start", 10000, 1, 1000000000, "ns", "first window after 0 (hard-coded 10000 in 4.3)" },
        { NULL, 0, 0, 0, NULL, NULL },
    },
    .state_size = sizeof(struct blocktime_state),
    .init = blocktime_init,
    .window = blocktime_window,
    .after_halt = blocktime_after,
};
