/* conformance.c - policies against captured window trajectories. See conformance.h. */
#include "conformance.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#define CONF_STATE_MAX 256

/* The policy's maximum window: max_halt_poll_ns when it has and sets one,
 * else halt_poll_ns; unbounded when it has neither. */
static int64_t conf_max(const struct policy *pol)
{
    int i = policy_param_index(pol->ops, "max_halt_poll_ns");
    int j = policy_param_index(pol->ops, "halt_poll_ns");

    if (i >= 0 && pol->param[i] > 0)
        return pol->param[i];
    return j >= 0 ? pol->param[j] : INT64_MAX;
}

static int64_t captured_window(const struct capture_halt *h, int64_t max)
{
    return h->window_ns < max ? h->window_ns : max;
}

/* Threads whose halts take part (see conformance.h); NULL reason if any. */
static const char *conf_usable(const struct capture *cap, const struct policy *pol)
{
    int64_t lines = 0;

    if (!pol)
        return "the policy is not among the replayed ones";
    if (!cap->has_wakeups)
        return "no kvm_vcpu_wakeup events: halt lengths are not traced";
    for (size_t i = 0; i < cap->n_vcpus; i++)
        lines += cap->vcpus[i].poll_lines;
    if (!lines)
        return "no kvm_halt_poll_ns lines: the captured window is not known";
    return NULL;
}

static void conf_miss(struct conformance *c, const struct capture_vcpu *v, size_t k,
                      const char *what, int64_t want, int64_t got)
{
    if (!c->first_miss[0])
        snprintf(c->first_miss, sizeof c->first_miss,
                 "thread %d halt %zu: %s: captured %lld, policy %lld", v->pid, k, what,
                 (long long)want, (long long)got);
}

/* The rule's decision for captured halt h, from the captured window, on a
 * halt of halt_ns (the captured one, or the simulated one). 1: the decision
 * is the kernel's (same window in effect, same line or none); else *what
 * says how it differs, *want / *got the values. */
static int conf_decide(const struct capture_halt *h, int64_t halt_ns, const struct policy *pol,
                       int64_t max, void *state, const char **what, int64_t *want, int64_t *got)
{
    struct policy_ctx ctx = { .now_ns = h->hlt_ns, .next_wakeup_ns = INT64_MAX };
    struct halt_result r = { .halt_ns = halt_ns, .waited = h->waited, .valid = h->valid };
    int64_t w, old;
    enum policy_change ch;

    pol->ops->init(state, pol->param);
    policy_set_window(state, h->window_ns);
    w = pol->ops->window(state, pol->param, &ctx);
    *want = captured_window(h, max);
    *got = w;
    *what = "window in effect";
    if (w != *want)
        return 0;
    r.poll_ns = h->waited ? w : halt_ns;
    old = policy_window_of(state);
    ch = pol->ops->after_halt(state, pol->param, &r);
    *want = h->line_new_ns;
    *got = ch != POLICY_KEEP ? policy_window_of(state) : -1;
    *what = "kvm_halt_poll_ns new window (-1: no line)";
    if ((ch != POLICY_KEEP) != (h->line_new_ns >= 0))
        return 0;
    return ch == POLICY_KEEP || (old == h->window_ns && *got == h->line_new_ns);
}

/* What one comparison needs besides the halt. */
struct conf_walk {
    const struct policy *pol;
    int64_t max;
    void *state;
    const int64_t *const *sim_window, *const *sim_halt_ns;  /* model only */
};
typedef void (*conf_halt_fn)(struct conformance *c, const struct conf_walk *w,
                             const struct capture_vcpu *v, size_t i, size_t k);

/* Call fn on every comparable halt (see conformance.h), counting them. */
static void conf_each(const struct capture *cap, struct conf_walk *w, struct conformance *c,
                      conf_halt_fn fn)
{
    int64_t state[CONF_STATE_MAX / sizeof(int64_t)];

    memset(c, 0, sizeof *c);
    c->null_why = conf_usable(cap, w->pol);
    if (c->null_why)
        return;
    assert(w->pol->ops->state_size <= sizeof state);
    w->max = conf_max(w->pol);
    w->state = state;
    for (size_t i = 0; i < cap->n_vcpus; i++) {
        const struct capture_vcpu *v = &cap->vcpus[i];

        for (size_t k = 0; v->poll_lines && k < v->n_halts; k++) {
            const struct capture_halt *h = &v->halts[k];

            if (h->window_ns < 0)
                continue;
            if (h->flags & CAPTURE_WINDOW_UNSURE) {
                c->unsure++;
                continue;
            }
            c->halts++;
            fn(c, w, v, i, k);
        }
    }
    w->state = NULL;
    if (!c->halts)
        c->null_why = "no halt with a known window";
}

static void conf_rule_halt(struct conformance *c, const struct conf_walk *w,
                           const struct capture_vcpu *v, size_t i, size_t k)
{
    int64_t want, got;
    const char *what;

    (void)i;
    if (conf_decide(&v->halts[k], v->halts[k].halt_ns, w->pol, w->max, w->state, &what, &want,
                    &got))
        c->matched++;
    else
        conf_miss(c, v, k, what, want, got);
}

void conformance_rule(const struct capture *cap, const struct policy *pol, struct conformance *c)
{
    struct conf_walk w = { .pol = pol };

    conf_each(cap, &w, c, conf_rule_halt);
}

/* The simulated halt's window, and its decision against the kernel's. */
static void conf_model_halt(struct conformance *c, const struct conf_walk *w,
                            const struct capture_vcpu *v, size_t i, size_t k)
{
    const struct capture_halt *h = &v->halts[k];
    int64_t sim_ns = w->sim_halt_ns[i][k], want, got;
    const char *what;

    if (w->sim_window[i][k] < 0) {
        c->unpaired++;
        return;
    }
    c->matched += w->sim_window[i][k] == captured_window(h, w->max);
    c->decisions++;
    if (conf_decide(h, sim_ns, w->pol, w->max, w->state, &what, &want, &got)) {
        c->decisions_matched++;
        return;
    }
    if (!c->first_miss[0])
        snprintf(c->first_miss, sizeof c->first_miss,
                 "thread %d halt %zu decided otherwise: captured halt %lld ns, simulated "
                 "%lld ns (%s: kernel %lld, model %lld)", v->pid, k, (long long)h->halt_ns,
                 (long long)sim_ns, what, (long long)want, (long long)got);
}

void conformance_model(const struct capture *cap, const struct policy *pol,
                       const int64_t *const *sim_window, const int64_t *const *sim_halt_ns,
                       struct conformance *c)
{
    struct conf_walk w = { .pol = pol, .sim_window = sim_window, .sim_halt_ns = sim_halt_ns };

    conf_each(cap, &w, c, conf_model_halt);
}

double conformance_pct(const struct conformance *c)
{
    if (c->null_why || c->halts == 0)
        return -1;
    return 100.0 * (double)c->matched / (double)c->halts;
}
