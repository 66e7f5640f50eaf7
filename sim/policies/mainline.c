/*
 * mainline - KVM's halt-polling rule as of Linux 6.11 (virt/kvm/kvm_main.c:
 * kvm_vcpu_halt, grow_halt_poll_ns, shrink_halt_poll_ns). x86 defaults:
 * halt_poll_ns 200000, halt_poll_ns_grow 2, halt_poll_ns_grow_start 10000,
 * halt_poll_ns_shrink 2 (0 before 6.11: set it to 0 to model 5.x/6.x hosts).
 *
 *   halt entry:  max = the VM's max_halt_poll_ns if set (KVM_CAP_HALT_POLL),
 *                else the module's halt_poll_ns; if w > max: w = max, silently
 *   after halt:  if max == 0:                          w = 0 (no trace)
 *                elif the wakeup was invalid:          shrink
 *                elif halt_ns <= w:                    keep
 *                elif w > 0 and halt_ns > max:         shrink
 *                elif w < max and halt_ns < max:       grow
 *   grow:    w = max(w * grow, grow_start); no clamp, so a trace may show
 *            w > max until the next halt entry clamps it; grow 0 keeps w
 *   shrink:  w = shrink ? w / shrink : 0; below grow_start -> 0
 *
 * The kernel's tracepoint fires whenever grow or shrink runs, even when the
 * value stays (grow factor 0, shrink factor 1): after_halt reports GROW or
 * SHRINK exactly then, so the trace has the kernel's lines. The window is an
 * unsigned int in the kernel; growth wraps at 2^32 as it does there.
 * The poll loop itself (stop when a wakeup is pending, when another task is
 * runnable, or at start + w) and the "late success" (a wakeup found by the
 * check after the loop timed out: not waited, halt_ns > w, the rule still
 * runs) are the model's (vcpu_model.c).
 */
#include "../policy.h"

enum { P_HALT_POLL_NS, P_GROW, P_GROW_START, P_SHRINK, P_MAX_HALT_POLL_NS };

struct mainline_state { int64_t w; };

/* kvm_vcpu_max_halt_poll_ns(): the VM's own maximum when it set one. */
static int64_t max_halt_poll_ns(const int64_t *p)
{
    return p[P_MAX_HALT_POLL_NS] ? p[P_MAX_HALT_POLL_NS] : p[P_HALT_POLL_NS];
}

static void mainline_init(void *s, const int64_t *p) { (void)p; ((struct mainline_state *)s)->w = 0; }

static int64_t mainline_window(void *s, const int64_t *p, const struct policy_ctx *ctx)
{
    (void)ctx;
    struct mainline_state *st = s;
    int64_t max = max_halt_poll_ns(p);
    if (st->w > max)
        st->w = max;                   /* the silent clamp: no tracepoint */
    return st->w;
}

static enum policy_change grow(struct mainline_state *st, const int64_t *p)
{
    if (!p[P_GROW])
        return POLICY_GROW;            /* "goto out": traced, unchanged */
    int64_t val = (int64_t)(uint32_t)((uint64_t)st->w * (uint64_t)p[P_GROW]);
    if (val < p[P_GROW_START])
        val = p[P_GROW_START];
    st->w = val;
    return POLICY_GROW;
}

static enum policy_change shrink(struct mainline_state *st, const int64_t *p)
{
    int64_t val = p[P_SHRINK] ? st->w / p[P_SHRINK] : 0;
    if (val < p[P_GROW_START])
        val = 0;
    st->w = val;
    return POLICY_SHRINK;
}

static enum policy_change mainline_after(void *s, const int64_t *p, const struct halt_result *r)
{
    struct mainline_state *st = s;
    int64_t max = max_halt_poll_ns(p);
    if (!max) {
        st->w = 0;
        return POLICY_KEEP;
    }
    if (!r->valid)
        return shrink(st, p);
    if (r->halt_ns <= st->w)
        return POLICY_KEEP;
    if (st->w > 0 && r->halt_ns > max)
        return shrink(st, p);
    if (st->w < max && r->halt_ns < max)
        return grow(st, p);
    return POLICY_KEEP;
}

const struct policy_ops policy_mainline = {
    .name = "mainline",
    .summary = "today's KVM rule: grow from grow_start, shrink to 0 below it, per-VM max",
    .origin = "kernel 6.11+ (shrink 0: 5.x-6.10)",
    .params = (const struct policy_param[]){
        { "halt_poll_ns", 200000, 0, 1000000000, "ns", "module parameter: the maximum window (x86 default)" },
        { "halt_poll_ns_grow", 2, 0, 1024, "x", "growth factor; 0 disables growth" },
        { "halt_poll_ns_grow_start", 10000, 0, 1000000000, "ns", "first window after 0; shrinking below it gives 0" },
        { "halt_poll_ns_shrink", 2, 0, 1024, "x", "divisor; 0 resets to 0 (the default before 6.11)" },
        { "max_halt_poll_ns", 0, 0, 1000000000, "ns", "per-VM maximum (KVM_CAP_HALT_POLL); 0: use halt_poll_ns" },
        { NULL, 0, 0, 0, NULL, NULL },
    },
    .state_size = sizeof(struct mainline_state),
    .init = mainline_init,
    .window = mainline_window,
    .after_halt = mainline_after,
};
