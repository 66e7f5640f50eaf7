/*
 * host.c - pCPUs: run queue (FIFO, round robin with a time slice), time
 * accounting per bucket and per C-state, and the idle path.
 *
 * Idle governor, after menu's "typical interval" (cpuidle.rst): take the last
 * GOV_HISTORY idle lengths; if they are consistent (stddev below a sixth of
 * the mean, dropping the largest outliers down to 3/4 of the samples) predict
 * their mean; else predict the plain mean of the history, which is where
 * menu's correction factor (learnt ratio of actual idle to next timer)
 * converges. With no history yet, predict a long idle. Pick the deepest state whose target
 * residency fits the prediction. There is no next-timer input: the host does
 * not know when a guest will next be woken, except through this history.
 *
 * Placement (host.placement): "pinned" threads never leave the pCPU they were
 * given (round robin at start). "free" threads may move between the pCPUs of
 * their set (host.set_size consecutive pCPUs; by default all of them) when
 * they are woken, after the idea of the scheduler's select_idle_sibling():
 * the previous pCPU if it is idle, else the first idle pCPU of the set
 * searching upward from it, else the least loaded one (running + queued
 * threads; ties keep the previous pCPU). A thread is never moved while it
 * is runnable or running, and a move costs nothing extra (no cache model).
 */
#include "host.h"

#include <assert.h>
#include <math.h>

void pcpu_init(struct pcpu *p, int id)
{
    *p = (struct pcpu){ .id = id, .state = P_IDLE_ENTER, .acct = ACCT_SCHED };
    engine_event_init(&p->ev, EV_PCPU);
    engine_event_init(&p->slice_ev, EV_PCPU);
    p->slice_ev.aux = 1;
}

void pcpu_close(struct model *m, struct pcpu *p)
{
    pcpu_account(m, p, (enum acct)p->acct);
}

void pcpu_rq_push(struct pcpu *p, struct vcpu *v)
{
    v->rq_next = NULL;
    if (p->rq_tail)
        p->rq_tail->rq_next = v;
    else
        p->rq_head = v;
    p->rq_tail = v;
    p->nr_queued++;
}

static struct vcpu *rq_pop(struct pcpu *p)
{
    struct vcpu *v = p->rq_head;
    if (v) {
        p->rq_head = v->rq_next;
        if (!p->rq_head)
            p->rq_tail = NULL;
        v->rq_next = NULL;
        p->nr_queued--;
    }
    return v;
}

static bool pcpu_is_idle(const struct pcpu *p)
{
    return !p->curr && !p->rq_head && (p->state == P_IDLE || p->state == P_IDLE_ENTER);
}

static int pcpu_load(const struct pcpu *p)
{
    return (p->curr != NULL) + p->nr_queued;
}

void pcpu_place_woken(struct model *m, struct vcpu *v)
{
    struct pcpu *prev = v->pcpu, *best = prev;
    if (!m->free_placement || pcpu_is_idle(prev))
        return;
    int first = prev->id / m->set_size * m->set_size;
    int n = m->npcpus - first < m->set_size ? m->npcpus - first : m->set_size;
    for (int k = 1; k < n; k++) {
        struct pcpu *p = &m->pcpus[first + (prev->id - first + k) % n];
        if (pcpu_is_idle(p)) {
            best = p;
            break;
        }
        if (pcpu_load(p) < pcpu_load(best))
            best = p;
    }
    if (best != prev) {
        v->pcpu = best;
        m->met->migrations++;
    }
}

static void arm_slice(struct model *m, struct pcpu *p)
{
    if (engine_pending(&p->slice_ev) || m->slice_ns <= 0)
        return;
    int64_t t = p->slice_start_ns + m->slice_ns;
    if (t < model_now(m))
        t = model_now(m);
    engine_schedule(&m->eng, &p->slice_ev, t);
}

void pcpu_slice_start(struct model *m, struct pcpu *p)
{
    p->slice_start_ns = model_now(m);
    p->need_resched = false;
    engine_cancel(&m->eng, &p->slice_ev);
    if (p->rq_head)
        arm_slice(m, p);
}

static void switch_next(struct model *m, struct pcpu *p)
{
    struct vcpu *v = rq_pop(p);
    assert(v);
    p->state = P_BUSY;
    p->curr = v;
    vcpu_switch_in(m, v);
}

void pcpu_enqueue(struct model *m, struct vcpu *v)
{
    struct pcpu *p = v->pcpu;
    v->state = V_RUNNABLE;
    v->state_since_ns = model_now(m);
    pcpu_rq_push(p, v);
    switch (p->state) {
    case P_IDLE:
        /* Leave the C-state: its exit latency still counts as idle. */
        p->state = P_WAKING;
        p->gov_hist[p->gov_pos++ % GOV_HISTORY] = model_now(m) - p->idle_start_ns;
        engine_schedule(&m->eng, &p->ev, model_now(m) + m->cost->cstate[p->cstate].actual_exit_ns);
        break;
    case P_IDLE_ENTER: /* need_resched is seen before MWAIT: no C-state */
    case P_WAKING:
        break;
    case P_BUSY:
        if (p->curr->state == V_POLL)
            vcpu_poll_interrupted(m, p->curr);
        arm_slice(m, p);
        break;
    }
}

void pcpu_release(struct model *m, struct pcpu *p)
{
    p->curr = NULL;
    engine_cancel(&m->eng, &p->slice_ev);
    if (p->rq_head) {
        switch_next(m, p);
        return;
    }
    p->state = P_IDLE_ENTER;
    pcpu_account(m, p, ACCT_SCHED);
    engine_schedule(&m->eng, &p->ev, model_now(m) + m->cost->idle_enter_ns);
}

/* menu-like prediction of the coming idle length (see the file header). */
static int64_t predict_idle(const struct pcpu *p)
{
    if (p->gov_pos < GOV_HISTORY)
        return INT64_MAX;            /* no history yet: nothing suggests a short idle */
    double thresh = INFINITY, all_mean = 0;
    for (unsigned kept = GOV_HISTORY; kept >= GOV_HISTORY * 3 / 4; kept--) {
        double sum = 0, sq = 0, max = 0;
        unsigned cnt = 0;
        for (unsigned i = 0; i < GOV_HISTORY; i++) {
            double x = (double)p->gov_hist[i];
            if (x > thresh)
                continue;
            sum += x;
            sq += x * x;
            cnt++;
            if (x > max)
                max = x;
        }
        double mean = sum / cnt, var = sq / cnt - mean * mean;
        if (var <= mean * mean / 36.0)
            return (int64_t)mean;
        if (kept == GOV_HISTORY)
            all_mean = mean;         /* the first pass kept every sample */
        thresh = max - 1;            /* drop the largest and try again */
    }
    /* No steady pattern: menu scales the next timer event by a correction
     * factor learnt from past idles, which converges on their average. */
    return (int64_t)all_mean;
}

static void enter_cstate(struct model *m, struct pcpu *p)
{
    int64_t pred = predict_idle(p);
    int c = 0;
    for (int i = 0; i < m->cost->ncstates; i++)
        if (m->cost->cstate[i].target_residency_ns <= pred)
            c = i;
    p->state = P_IDLE;
    p->cstate = (int8_t)c;
    p->idle_start_ns = model_now(m);
    p->cstate_entries[c]++;
    pcpu_account(m, p, ACCT_IDLE);
}

void pcpu_on_event(struct model *m, struct pcpu *p, struct engine_event *ev)
{
    if (ev == &p->slice_ev) {
        if (p->state != P_BUSY || !p->rq_head)
            return;
        vcpu_sync(m, p->curr, ev->seq);
        if (p->curr->state == V_GUEST || p->curr->state == V_GPOLL)
            vcpu_preempt(m, p->curr);   /* guest mode, the guest's own poll included */
        else
            p->need_resched = true;  /* acted on when it next enters the guest */
        return;
    }
    switch (p->state) {
    case P_IDLE_ENTER:
        if (p->rq_head) {
            switch_next(m, p);
        } else {
            enter_cstate(m, p);
        }
        break;
    case P_WAKING:
        switch_next(m, p);
        break;
    default:
        assert(!"pCPU event in a state without a timer");
    }
}
