/*
 * vcpu_model.c - the halt cycle of a vCPU thread (see vcpu_model.h for the
 * states): guest -> HLT exit -> poll -> block -> wake -> VM entry -> guest.
 *
 * Timing rules taken from KVM's kvm_vcpu_halt() (docs/costs.md, [2a]):
 *  - the poll loop checks at halt_start + k * poll_iter_ns; a wakeup is seen
 *    at the first check after it arrives; the loop ends at the first check at
 *    or past halt_start + window, or at once when another task is runnable;
 *  - an interrupt already pending when the HLT exit reaches the halt code
 *    ends it there: counted in halt_exits, not in halts, no poll, no update;
 *  - halt_ns, which the policy sees, runs from halt entry until the thread
 *    runs again (poll hit: the check that saw the wakeup; blocked: the end of
 *    the switch-in, which here includes the VM entry).
 *
 * With a guest governor (guest-haltpoll, policy.h) the guest first polls in
 * guest mode (GPOLL) when it goes idle: an interrupt is seen there after
 * posted_intr_ns (a remote waker sees the polling flag: no IPI, no exit) or,
 * for the guest's LAPIC timer, after host_timer_irq_ns; the poll is not
 * stopped by other runnable host tasks, only preempted at the end of a slice
 * like guest code. The guest checks its clock every POLL_IDLE_RELAX_COUNT
 * PAUSEs; the model ends the poll at its limit exactly. A poll that runs
 * out executes HLT, and the host, whose polling the guest turned off
 * (MSR_KVM_POLL_CONTROL), blocks at once and never adapts its window.
 */
#include "vcpu_model.h"

#include <assert.h>
#include <stdio.h>

#include "host.h"

static const uint8_t bucket_of[] = {
    [V_GUEST] = ACCT_GUEST, [V_NOTIFY] = ACCT_EXIT, [V_HLT_EXIT] = ACCT_EXIT,
    [V_POLL] = ACCT_POLL, [V_SCHED_OUT] = ACCT_SCHED, [V_SCHED_IN] = ACCT_SCHED,
    [V_RESUME] = ACCT_EXIT, [V_GPOLL] = ACCT_GPOLL,
};

/* Enter an on-CPU state lasting d ns. */
static void set_state(struct model *m, struct vcpu *v, enum vcpu_state st, int64_t d)
{
    v->state = (uint8_t)st;
    v->state_since_ns = model_now(m);
    pcpu_account(m, v->pcpu, (enum acct)bucket_of[st]);
    engine_schedule(&m->eng, &v->ev, model_now(m) + d);
}

static void emit(struct model *m, const struct vcpu *v, enum model_event_kind kind)
{
    if (m->event) {
        struct model_event e = { .kind = kind, .t_ns = model_now(m), .v = v };
        m->event(m->event_ctx, &e);
    }
}

void model_hlt_skipped(struct model *m, struct vcpu *v, uint32_t n)
{
    v->k.halt_exits += n;
    m->met->halts_skipped += n;
    for (uint32_t i = 0; i < n; i++) {
        emit(m, v, MEV_HLT_EXIT);
        emit(m, v, MEV_ENTRY);
    }
}

void model_source_at(struct model *m, struct source *s, int64_t t_ns)
{
    engine_schedule(&m->eng, &s->ev, t_ns);
}

static int64_t next_check(const struct model *m, const struct vcpu *v, int64_t t)
{
    int64_t it = m->cost->poll_iter_ns;
    assert(t >= v->halt_start_ns);   /* callers: the halt start plus a window or a delay */
    if (it <= 0)
        return t;
    int64_t k = (t - v->halt_start_ns + it - 1) / it;
    return v->halt_start_ns + k * it;
}

/* Move v's pending poll event earlier to t (never later). */
static void poll_check_at(struct model *m, struct vcpu *v, int64_t t)
{
    int64_t at = next_check(m, v, t);
    if (at < v->ev.time_ns)
        engine_schedule(&m->eng, &v->ev, at);
}

static void start_wake(struct model *m, struct vcpu *v, struct source *s)
{
    const struct x86_costs *c = m->cost;
    int64_t delay;
    v->k.halt_wakeup++;
    pcpu_place_woken(m, v);
    if (s->delivery == DELIVERY_TIMER) {
        /* The hrtimer fires on the vCPU's own pCPU: its handler runs after
         * the C-state exit, before the switch to the vCPU thread. */
        delay = 0;
        v->extra_in_ns = c->host_timer_irq_ns;
    } else {
        delay = v->pcpu->state == P_BUSY ? c->resched_ipi_ns : c->wake_signal_ns;
        v->extra_in_ns = 0;
    }
    engine_schedule(&m->eng, &v->ev, model_now(m) + delay);
}

void model_irq(struct model *m, struct source *s)
{
    struct vcpu *v = s->vcpu;
    if (s->pending) {
        m->met->coalesced++;
        return;
    }
    s->pending = true;
    s->next_pending = NULL;
    if (v->pend_tail)
        v->pend_tail->next_pending = s;
    else
        v->pend_head = s;
    v->pend_tail = s;

    /* The trace shows the delivery that ends a halt, as the capture reader
     * expects (one per halt), and deliveries outside halts. */
    if (m->event && (v->wake_arrival_ns < 0 || !(v->in_halt || v->state == V_HLT_EXIT))) {
        struct model_event e = { .kind = MEV_IRQ, .t_ns = model_now(m), .v = v,
                                 .delivery = s->delivery };
        m->event(m->event_ctx, &e);
    }
    switch (v->state) {
    case V_GUEST:
    case V_NOTIFY:
        return;  /* the guest picks it up when the current work ends */
    default:
        break;
    }
    /* Latency is measured for interrupts that find the vCPU halting (or on
     * its way into a halt, or idle-polling in the guest), not for one queued
     * behind a preempted guest. */
    if (v->wake_arrival_ns < 0 && (v->in_halt || v->state == V_HLT_EXIT || v->gpoll_active))
        v->wake_arrival_ns = model_now(m);
    switch (v->state) {
    case V_GPOLL: {
        int64_t at = model_now(m) + (s->delivery == DELIVERY_TIMER ? m->cost->host_timer_irq_ns
                                                                   : m->cost->posted_intr_ns);
        if (at < v->ev.time_ns)
            engine_schedule(&m->eng, &v->ev, at);
        break;
    }
    case V_POLL:
        poll_check_at(m, v, model_now(m) + (s->delivery == DELIVERY_TIMER ? m->cost->host_timer_irq_ns : 0));
        break;
    case V_SCHED_OUT:
        if (v->in_halt && !v->wake_pending) {
            v->wake_pending = true;
            v->k.halt_wakeup++;
        }
        break;
    case V_BLOCKED:
        if (!engine_pending(&v->ev))
            start_wake(m, v, s);
        break;
    default:
        break;  /* HLT exit, run queue, switch-in, resume: already on the way */
    }
}

static void block(struct model *m, struct vcpu *v)
{
    v->halt_waited = true;
    v->poll_end_ns = model_now(m);
    set_state(m, v, V_SCHED_OUT, m->cost->sched_out_ns);
}

/* The single exit path of every window change, host or guest, so that no
 * branch can skip it: count it and hand it to the trace. */
static void note_change(struct model *m, const struct vcpu *v, enum policy_change ch,
                        int64_t old, const void *state, bool guest)
{
    if (ch == POLICY_KEEP)
        return;
    if (ch == POLICY_GROW)
        m->met->grows++;
    else
        m->met->shrinks++;
    if (m->trace) {
        struct window_change wc = {
            .t_ns = model_now(m), .vcpu = v->index, .vm = v->vm, .change = ch,
            .old_ns = old, .new_ns = policy_window_of(state), .pcpu = v->pcpu->id, .guest = guest,
        };
        m->trace(m->trace_ctx, &wc);
    }
}

/* The halt ends now: count it and let the policy update the window, unless
 * the guest turned host polling off (kvm_arch_no_poll: no poll, no update). */
static void end_halt(struct model *m, struct vcpu *v)
{
    int64_t now = model_now(m);
    struct halt_result r = {
        .halt_ns = now - v->halt_start_ns,
        .poll_ns = v->poll_end_ns - v->halt_start_ns,
        .waited = v->halt_waited,
        .valid = true,
    };
    if (r.waited)
        v->k.halt_wait_ns += now - v->poll_end_ns;
    hist_add(&m->met->halt_len, r.halt_ns);
    v->last_halt_ns = r.halt_ns;
    v->in_halt = false;
    int64_t old = policy_window_of(v->pstate);
    enum policy_change ch = POLICY_KEEP;
    if (!m->pol->guest) {
        ch = m->pol->ops->after_halt(v->pstate, m->pol->param, &r);
        note_change(m, v, ch, old, v->pstate, false);
    }
    if (m->event) {
        struct model_event e = { .kind = MEV_WAKEUP, .t_ns = now, .v = v,
                                 .halt_ns = r.halt_ns, .waited = r.waited, .change = ch,
                                 .old_ns = old, .new_ns = policy_window_of(v->pstate) };
        m->event(m->event_ctx, &e);
    }
}

/* The guest is back from a HLT: its governor reflects on the time spent in
 * it (haltpoll_reflect; the poll before the HLT is not counted). */
static void guest_reflect(struct model *m, struct vcpu *v)
{
    struct halt_result r = { .halt_ns = model_now(m) - v->hlt_at_ns, .waited = true, .valid = true };
    v->hlt_at_ns = -1;
    int64_t old = policy_window_of(v->gstate);
    enum policy_change ch = m->pol->guest->after_halt(v->gstate, m->pol->guest_param, &r);
    note_change(m, v, ch, old, v->gstate, true);
}

static void hlt(struct model *m, struct vcpu *v)
{
    v->k.halt_exits++;
    emit(m, v, MEV_HLT_EXIT);
    if (m->pol->guest)
        v->hlt_at_ns = model_now(m);
    set_state(m, v, V_HLT_EXIT, m->cost->hlt_exit_ns);
}

/* The slice ran out while this thread was in the kernel (need_resched set by
 * the slice timer): on its way back to guest mode it is switched out instead. */
static bool preempt_if_due(struct model *m, struct vcpu *v)
{
    struct pcpu *p = v->pcpu;
    if (!p->need_resched || !p->rq_head)
        return false;
    p->need_resched = false;
    set_state(m, v, V_SCHED_OUT, m->cost->sched_out_ns);
    return true;
}

/* The guest governor's poll: start it, or resume it after a preemption.
 * Returns false when the guest is to execute HLT instead. */
static bool guest_poll(struct model *m, struct vcpu *v)
{
    int64_t now = model_now(m);
    if (!v->gpoll_active) {
        struct policy_ctx ctx = { .now_ns = now, .next_wakeup_ns = INT64_MAX, .cost = m->cost };
        int64_t w = m->pol->guest->window(v->gstate, m->pol->guest_param, &ctx);
        if (w <= 0)
            return false;
        v->gpoll_active = true;
        v->gpoll_end_ns = now + w;
        m->met->guest_polls++;
    } else if (now >= v->gpoll_end_ns) {
        v->gpoll_active = false;     /* it ran out while the thread was preempted */
        return false;
    }
    if (!preempt_if_due(m, v))
        set_state(m, v, V_GPOLL, v->gpoll_end_ns - now);
    return true;
}

/* Run the guest work left (remaining_ns), then its notify exits, as one timed
 * state: V_GUEST's event fires at the end of the exits, and the boundary
 * between the two parts, notify_at_ns, gets no event of its own. That saves
 * an engine event per served interrupt (tcp_rr: one of six per halt, 6.2%
 * of the instructions; docs/performance.md). Nothing else happens at the
 * boundary: an interrupt is queued alike in both parts, and only the slice
 * timer (preempt in guest mode, need_resched in the exits) and the end of
 * the run (which bucket) tell them apart; they call vcpu_sync first. */
static void start_guest(struct model *m, struct vcpu *v)
{
    v->notify_at_ns = model_now(m) + v->remaining_ns;
    set_state(m, v, V_GUEST, v->remaining_ns + v->notify_exits * m->cost->exit_handle_min_ns);
}

/* The boundary of start_guest, now passed: account the work as guest time
 * and go on as V_NOTIFY, whose event is V_GUEST's, already at the end of
 * the exits. */
static void enter_notify(struct vcpu *v)
{
    v->guest_ns += v->notify_at_ns - v->state_since_ns;
    v->remaining_ns = 0;
    v->state = V_NOTIFY;
    v->state_since_ns = v->notify_at_ns;
    pcpu_account_at(v->pcpu, ACCT_EXIT, v->notify_at_ns);
}

/* The boundary orders as the event the work's end would have had: scheduled
 * when the work started, with V_GUEST's event, so it has that event's
 * sequence number. An event at the boundary's time with a later one comes
 * after it. One tie resolves differently from two events: the exits' end
 * now carries the work's sequence number, not one taken at the boundary, so
 * an event scheduled during the work for exactly the exits' last
 * nanosecond now comes after it rather than before. Events at one
 * nanosecond have no physical order; every shipped config gives the same
 * results either way (docs/performance.md, change 8). */
void vcpu_sync(struct model *m, struct vcpu *v, uint64_t seq)
{
    int64_t now = model_now(m);
    if (v->state == V_GUEST &&
        (now > v->notify_at_ns || (now == v->notify_at_ns && seq > v->ev.seq)))
        enter_notify(v);
}

/* Start the next piece of guest work, or go idle when there is none: poll
 * in the guest under a guest governor, else (or after it) HLT. */
static void run_guest(struct model *m, struct vcpu *v)
{
    if (v->hlt_at_ns >= 0)
        guest_reflect(m, v);
    if (v->wake_arrival_ns >= 0) {
        hist_add(&m->met->wakeup, model_now(m) - v->wake_arrival_ns);
        v->wake_arrival_ns = -1;
    }
    if (!v->serving) {
        struct source *s = v->pend_head;
        if (!s) {
            if (!m->pol->guest || !guest_poll(m, v))
                hlt(m, v);
            return;
        }
        if (v->gpoll_active) {
            v->gpoll_active = false;
            m->met->guest_poll_hits++;
        }
        v->pend_head = s->next_pending;
        if (!v->pend_head)
            v->pend_tail = NULL;
        s->pending = false;
        v->serving = s;
        int exits = 0;
        v->remaining_ns = s->wl->ops->serve(m, s, &exits);
        v->notify_exits = exits;
    }
    if (!preempt_if_due(m, v))
        start_guest(m, v);
}

/* The guest has finished serving an interrupt (and sent its notifications). */
static void finish_work(struct model *m, struct vcpu *v)
{
    struct source *s = v->serving;
    v->serving = NULL;
    s->wl->ops->done(m, s);
    run_guest(m, v);
}

static void end_guest_poll(struct model *m, struct vcpu *v)
{
    v->gpoll_ns += model_now(m) - v->state_since_ns;
    if (v->pend_head) {
        run_guest(m, v);             /* caught: no HLT, no exit */
        return;
    }
    v->gpoll_active = false;
    hlt(m, v);                       /* ran out: haltpoll_select chooses HLT */
}

/* The host policy's window for the halt starting now; 0 when the guest has
 * turned host polling off. */
static int64_t host_window(struct model *m, struct vcpu *v)
{
    if (m->pol->guest)
        return 0;
    struct policy_ctx ctx = { .now_ns = model_now(m), .next_wakeup_ns = INT64_MAX, .cost = m->cost };
    /* Only a bound may see the future (and only it pays for the scan). */
    for (int i = 0; m->pol->ops->bound && i < v->nsources; i++)
        if (engine_pending(&v->sources[i].ev) && v->sources[i].ev.time_ns < ctx.next_wakeup_ns)
            ctx.next_wakeup_ns = v->sources[i].ev.time_ns;
    return m->pol->ops->window(v->pstate, m->pol->param, &ctx);
}

/* Enter KVM's halt code now: the halt's bookkeeping and its window. */
static int64_t begin_halt(struct model *m, struct vcpu *v)
{
    int64_t now = model_now(m);
    v->in_halt = true;
    v->halt_start_ns = now;
    v->poll_end_ns = now;
    v->k.halts++;
    int64_t w = host_window(m, v);
    v->halt_window_ns = w;
    m->met->window_sum_ns += w;
    return w;
}

static void start_halt(struct model *m, struct vcpu *v)
{
    int64_t now = model_now(m);
    v->halt_waited = false;
    int64_t w = begin_halt(m, v);
    if (w <= 0) {
        block(m, v);
        return;
    }
    v->k.halt_attempted_poll++;
    if (v->pcpu->rq_head) {          /* another task runnable: the loop stops at once */
        block(m, v);
        return;
    }
    int64_t end = next_check(m, v, now + w);
    set_state(m, v, V_POLL, end - now);
}

static void end_poll(struct model *m, struct vcpu *v)
{
    int64_t polled = model_now(m) - v->halt_start_ns;
    v->poll_ns += polled;
    if (v->pend_head) {
        v->k.halt_successful_poll++;
        v->k.halt_poll_success_ns += polled;
        v->poll_end_ns = model_now(m);
        end_halt(m, v);
        set_state(m, v, V_RESUME, m->cost->poll_hit_resume_ns);
        return;
    }
    v->k.halt_poll_fail_ns += polled;
    block(m, v);
}

static void end_sched_out(struct model *m, struct vcpu *v)
{
    struct pcpu *p = v->pcpu;
    if (v->in_halt && !v->wake_pending) {
        v->state = V_BLOCKED;
        v->state_since_ns = model_now(m);
        pcpu_release(m, p);
        return;
    }
    /* Woken while going to sleep, or preempted: runnable at once. */
    v->wake_pending = false;
    v->extra_in_ns = 0;
    v->state = V_RUNNABLE;
    v->state_since_ns = model_now(m);
    pcpu_rq_push(p, v);
    pcpu_release(m, p);
}

void vcpu_switch_in(struct model *m, struct vcpu *v)
{
    pcpu_slice_start(m, v->pcpu);
    int64_t d = m->cost->sched_in_ns + v->extra_in_ns;
    v->extra_in_ns = 0;
    set_state(m, v, V_SCHED_IN, d);
}

void vcpu_poll_interrupted(struct model *m, struct vcpu *v)
{
    poll_check_at(m, v, model_now(m));
}

void vcpu_preempt(struct model *m, struct vcpu *v)
{
    int64_t ran = model_now(m) - v->state_since_ns;
    if (v->state == V_GPOLL) {
        v->gpoll_ns += ran;          /* its deadline stands: the guest clock runs on */
    } else {
        v->remaining_ns = v->notify_at_ns - model_now(m);   /* vcpu_sync: still in the work */
        v->guest_ns += ran;
    }
    set_state(m, v, V_SCHED_OUT, m->cost->sched_out_ns);
}

void vcpu_on_event(struct model *m, struct vcpu *v)
{
    switch (v->state) {
    case V_GUEST:                    /* the work and its notify exits are done */
        enter_notify(v);
        finish_work(m, v);
        return;
    case V_NOTIFY:                   /* entered through vcpu_sync: done too */
        finish_work(m, v);
        return;
    case V_HLT_EXIT:
        if (v->pend_head) {          /* interrupt already pending: no halt */
            m->met->halts_skipped++;
            set_state(m, v, V_RESUME, m->cost->poll_hit_resume_ns);
        } else {
            start_halt(m, v);
        }
        return;
    case V_POLL:
        end_poll(m, v);
        return;
    case V_SCHED_OUT:
        end_sched_out(m, v);
        return;
    case V_BLOCKED:                  /* the wakeup reached the pCPU */
        pcpu_enqueue(m, v);
        return;
    case V_SCHED_IN:
        if (v->in_halt)
            end_halt(m, v);
        /* then the VM entry, as after a resume */
        /* fall through */
    case V_RESUME:
        emit(m, v, MEV_ENTRY);
        run_guest(m, v);
        return;
    case V_GPOLL:
        end_guest_poll(m, v);
        return;
    default:
        assert(!"vCPU event in a state without a timer");
    }
}

void vcpu_start(struct model *m, struct vcpu *v)
{
    /* t = 0: the guest has just halted and the thread sleeps (a halt that
     * blocked from its first instant), so the first interrupt wakes it. */
    v->state = V_BLOCKED;
    v->halt_waited = true;
    v->wake_arrival_ns = -1;
    v->k.halt_exits++;
    /* The guest's governor, if any, reflects on this HLT too. */
    v->hlt_at_ns = m->pol->guest ? 0 : -1;
    /* Sources start after every vCPU (sim_run), so the oracle sees no
     * pending wakeup here; with a guest governor the window is 0. */
    begin_halt(m, v);
}

static void sum_counters(struct kvm_counters *d, const struct kvm_counters *s)
{
    d->halt_exits += s->halt_exits;
    d->halts += s->halts;
    d->halt_attempted_poll += s->halt_attempted_poll;
    d->halt_successful_poll += s->halt_successful_poll;
    d->halt_poll_invalid += s->halt_poll_invalid;
    d->halt_wakeup += s->halt_wakeup;
    d->halt_poll_success_ns += s->halt_poll_success_ns;
    d->halt_poll_fail_ns += s->halt_poll_fail_ns;
    d->halt_wait_ns += s->halt_wait_ns;
}

void model_finish(struct model *m)
{
    struct metrics *met = m->met;
    int64_t guest_v = 0, poll_v = 0, gpoll_v = 0, end = model_now(m);
    met->sim_ns = end;
    met->npcpus = m->npcpus;
    met->nvcpus = m->nvcpus;
    for (int i = 0; i < m->nvcpus; i++) {
        struct vcpu *v = &m->vcpus[i];
        vcpu_sync(m, v, m->end_ev.seq);
        if (v->state == V_GUEST)
            v->guest_ns += end - v->state_since_ns;
        if (v->state == V_POLL)
            v->poll_ns += end - v->halt_start_ns;
        if (v->state == V_GPOLL)
            v->gpoll_ns += end - v->state_since_ns;
        guest_v += v->guest_ns;
        poll_v += v->poll_ns;
        gpoll_v += v->gpoll_ns;
        sum_counters(&met->k, &v->k);
    }
    met->conservation_ok = true;
    met->conservation_msg[0] = '\0';
    int64_t guest_p = 0, poll_p = 0, gpoll_p = 0;
    for (int i = 0; i < m->npcpus; i++) {
        struct pcpu *p = &m->pcpus[i];
        pcpu_close(m, p);
        int64_t sum = 0, idle = 0;
        for (int a = 0; a < ACCT_N; a++) {
            sum += p->acct_ns[a];
            met->acct_ns[a] += p->acct_ns[a];
        }
        for (int c = 0; c < m->cost->ncstates; c++) {
            idle += p->cstate_ns[c];
            met->cstate_ns[c] += p->cstate_ns[c];
            met->cstate_entries[c] += p->cstate_entries[c];
        }
        guest_p += p->acct_ns[ACCT_GUEST];
        poll_p += p->acct_ns[ACCT_POLL];
        gpoll_p += p->acct_ns[ACCT_GPOLL];
        if ((sum != end || idle != p->acct_ns[ACCT_IDLE]) && met->conservation_ok) {
            met->conservation_ok = false;
            snprintf(met->conservation_msg, sizeof met->conservation_msg,
                     "pCPU %d: buckets sum to %lld ns of %lld (idle %lld vs C-states %lld)",
                     i, (long long)sum, (long long)end, (long long)p->acct_ns[ACCT_IDLE], (long long)idle);
        }
    }
    if (met->conservation_ok && (guest_p != guest_v || poll_p != poll_v || gpoll_p != gpoll_v)) {
        met->conservation_ok = false;
        snprintf(met->conservation_msg, sizeof met->conservation_msg,
                 "pCPU vs vCPU tallies differ: guest %lld/%lld ns, poll %lld/%lld ns, guest poll %lld/%lld ns",
                 (long long)guest_p, (long long)guest_v, (long long)poll_p, (long long)poll_v,
                 (long long)gpoll_p, (long long)gpoll_v);
    }
}
