/*
 * oracle - an offline bound, not a real policy (ours). It knows when each halt
 * will end (policy_ctx.next_wakeup_ns: the vCPU's next pending interrupt
 * when the halt begins) and polls exactly the halts for which polling costs
 * the pCPU less busy (C0) time than blocking and waking, for exactly as long
 * as they last. With the run's costs (x86_costs.h), a halt of L ns costs
 *   polled:   L + poll_hit_resume_ns                   (spin, then VM entry)
 *   blocked:  sched_out_ns + idle_enter_ns + sched_in_ns
 *             (idle_enter_ns only when L > sched_out_ns: a wakeup during the
 *             schedule-out makes the thread runnable before the pCPU idles;
 *             the C-state and its exit latency are idle, not C0)
 * and it polls iff polled < blocked. A host timer interrupt costs the same
 * on both sides and is left out. With oracle_latency_budget_ns > 0 it also
 * polls every halt that ends within that budget: a latency-bounded variant.
 * Results mark it ("bound": true) and show every policy's distance from it.
 */
#include "../policy.h"

enum { P_BUDGET };

struct oracle_state { int64_t w; };

static void oracle_init(void *s, const int64_t *p) { (void)p; ((struct oracle_state *)s)->w = 0; }

/* C0 time saved by polling a halt of len ns instead of blocking (may be < 0). */
static int64_t poll_saving(const struct x86_costs *c, int64_t len)
{
    int64_t blocked = c->sched_out_ns + (len > c->sched_out_ns ? c->idle_enter_ns : 0) + c->sched_in_ns;
    return blocked - (len + c->poll_hit_resume_ns);
}

static int64_t oracle_window(void *s, const int64_t *p, const struct policy_ctx *ctx)
{
    struct oracle_state *st = s;
    int64_t len = ctx->next_wakeup_ns == INT64_MAX ? INT64_MAX : ctx->next_wakeup_ns - ctx->now_ns;
    bool poll = len != INT64_MAX &&
                ((ctx->cost && poll_saving(ctx->cost, len) > 0) || len <= p[P_BUDGET]);
    st->w = poll ? (len > 0 ? len : 1) : 0;   /* a window of len ends at the check that sees it */
    return st->w;
}

static enum policy_change oracle_after(void *s, const int64_t *p, const struct halt_result *r)
{
    (void)s; (void)p; (void)r;
    return POLICY_KEEP;                /* one window per halt, chosen at entry: nothing to trace */
}

const struct policy_ops policy_oracle = {
    .name = "oracle",
    .summary = "BOUND, not a real policy: knows each halt's length, polls iff that is cheaper",
    .origin = "ours (offline bound)",
    .bound = true,
    .params = (const struct policy_param[]){
        { "oracle_latency_budget_ns", 0, 0, 1000000000, "ns",
          "also poll every halt ending within this budget (0: pCPU cost only)" },
        { NULL, 0, 0, 0, NULL, NULL },
    },
    .state_size = sizeof(struct oracle_state),
    .init = oracle_init,
    .window = oracle_window,
    .after_halt = oracle_after,
};
