/*
 * example-fraction - the worked example of docs/policies.md, not a kernel
 * rule: poll for a fixed fraction of the previous halt, clamped to
 * fraction_max_ns. A halt of 10 us with fraction_pct 150 gives a 15 us
 * window for the next one. Adding a policy is this file plus one line in
 * policy.c's registry.
 */
#include "../policy.h"

/* Parameter indexes: the order of the params table below. */
enum { P_PCT, P_MAX };

/* Per-vCPU state, zeroed and then init()ed by the model; w comes first. */
struct fraction_state { int64_t w; };

static void fraction_init(void *s, const int64_t *p) { (void)p; ((struct fraction_state *)s)->w = 0; }

static int64_t fraction_window(void *s, const int64_t *p, const struct policy_ctx *ctx)
{
    (void)p; (void)ctx;
    return ((struct fraction_state *)s)->w;
}

static enum policy_change fraction_after(void *s, const int64_t *p, const struct halt_result *r)
{
    struct fraction_state *st = s;
    int64_t w = r->halt_ns * p[P_PCT] / 100;   /* halt_ns < 1e15 (1e6 s runs), pct <= 1000: no overflow */
    if (w > p[P_MAX])
        w = p[P_MAX];
    if (w == st->w)
        return POLICY_KEEP;
    enum policy_change ch = w > st->w ? POLICY_GROW : POLICY_SHRINK;
    st->w = w;
    return ch;
}

const struct policy_ops policy_example_fraction = {
    .name = "example-fraction",
    .summary = "example plugin: poll a fixed fraction of the previous halt, clamped",
    .origin = "ours (docs/policies.md example)",
    .params = (const struct policy_param[]){
        { "fraction_pct", 100, 0, 1000, "%", "window = this share of the previous halt" },
        { "fraction_max_ns", 200000, 0, 1000000000, "ns", "upper clamp of the window" },
        { NULL, 0, 0, 0, NULL, NULL },
    },
    .state_size = sizeof(struct fraction_state),
    .init = fraction_init,
    .window = fraction_window,
    .after_halt = fraction_after,
};
