/*
 * guest-haltpoll - the guest's cpuidle-haltpoll governor, Linux 5.4+
 * (drivers/cpuidle/governors/haltpoll.c, with the cpuidle-haltpoll driver
 * that makes the guest turn host polling off through MSR_KVM_POLL_CONTROL).
 * It runs inside the guest, per vCPU, on `limit` (dev->poll_limit_ns, from 0).
 *
 * State choice (haltpoll_select): limit 0 -> HLT; after a HLT -> poll; after
 * a poll ended by an event -> poll again; after a poll that ran out -> HLT.
 * So every idle period is "poll up to limit, then HLT if nothing came": the
 * model runs that sequence (vcpu_model.c), asking window() for the limit.
 *
 * Adjustment (adjust_poll_limit), only after a real HLT, with block = the
 * time spent in HLT (the poll before it not counted):
 *   if limit < block <= guest_halt_poll_ns:
 *       limit = clamp(limit * grow, grow_start, guest_halt_poll_ns)
 *   elif block > guest_halt_poll_ns and allow_shrink:
 *       limit = shrink ? limit / shrink : 0          (no floor)
 * A caught poll changes nothing. Like the guest_halt_poll_ns tracepoint
 * (Linux 6.0+), after_halt reports GROW/SHRINK whenever a branch runs.
 */
#include "../policy.h"

enum { P_MAX, P_GROW, P_GROW_START, P_SHRINK, P_ALLOW_SHRINK };

struct haltpoll_state { int64_t w; };   /* w = limit */

static void haltpoll_init(void *s, const int64_t *p) { (void)p; ((struct haltpoll_state *)s)->w = 0; }

static int64_t haltpoll_window(void *s, const int64_t *p, const struct policy_ctx *ctx)
{
    (void)p; (void)ctx;
    return ((struct haltpoll_state *)s)->w;
}

static enum policy_change haltpoll_after(void *s, const int64_t *p, const struct halt_result *r)
{
    struct haltpoll_state *st = s;
    int64_t block = r->halt_ns;
    if (block > st->w && block <= p[P_MAX]) {
        int64_t val = (int64_t)(uint32_t)((uint64_t)st->w * (uint64_t)p[P_GROW]);
        if (val < p[P_GROW_START])
            val = p[P_GROW_START];
        if (val > p[P_MAX])
            val = p[P_MAX];
        st->w = val;
        return POLICY_GROW;
    }
    if (block > p[P_MAX] && p[P_ALLOW_SHRINK]) {
        st->w = p[P_SHRINK] ? st->w / p[P_SHRINK] : 0;
        return POLICY_SHRINK;
    }
    return POLICY_KEEP;
}

const struct policy_ops policy_guest_haltpoll = {
    .name = "guest-haltpoll",
    .summary = "guest cpuidle-haltpoll: poll in the guest before HLT; host polling off",
    .origin = "kernel 5.4+ (guest)",
    .side = POLICY_GUEST,
    .params = (const struct policy_param[]){
        { "guest_halt_poll_ns", 200000, 0, 1000000000, "ns", "maximum guest poll limit" },
        { "guest_halt_poll_grow", 2, 0, 1024, "x", "growth factor" },
        { "guest_halt_poll_grow_start", 50000, 0, 1000000000, "ns", "first limit after 0" },
        { "guest_halt_poll_shrink", 2, 0, 1024, "x", "divisor; 0 resets to 0 (no floor otherwise)" },
        { "guest_halt_poll_allow_shrink", 1, 0, 1, "bool", "1: shrink after a HLT longer than the maximum" },
        { NULL, 0, 0, 0, NULL, NULL },
    },
    .state_size = sizeof(struct haltpoll_state),
    .init = haltpoll_init,
    .window = haltpoll_window,
    .after_halt = haltpoll_after,
};
