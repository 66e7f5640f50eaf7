/* none - never poll: every halt blocks at once (halt_poll_ns=0 on any kernel). */
#include "../policy.h"

struct none_state { int64_t w; };

static void none_init(void *s, const int64_t *p) { (void)p; ((struct none_state *)s)->w = 0; }

static int64_t none_window(void *s, const int64_t *p, const struct policy_ctx *ctx)
{
    (void)s; (void)p; (void)ctx;
    return 0;
}

static enum policy_change none_after(void *s, const int64_t *p, const struct halt_result *r)
{
    (void)s; (void)p; (void)r;
    return POLICY_KEEP;
}

const struct policy_ops policy_none = {
    .name = "none",
    .summary = "never poll; every halt blocks",
    .origin = "any kernel with halt_poll_ns=0",
    .params = (const struct policy_param[]){ { NULL, 0, 0, 0, NULL, NULL } },
    .state_size = sizeof(struct none_state),
    .init = none_init,
    .window = none_window,
    .after_halt = none_after,
};
