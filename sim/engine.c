/*
 * engine.c - 4-ary min-heap of intrusive events ordered by (time_ns, seq).
 *
 * Why 4-ary: half the depth of a binary heap, and the four children of a node
 * share a cache line pair, so sift-down costs fewer misses; pops dominate in a
 * simulation (every event is popped once).
 *
 * Three measured speed-ups (docs/performance.md has the figures):
 *  - A deferred hole at the root. Almost every pop is followed, within the
 *    same dispatch, by a schedule (the popped vCPU enters its next state, a
 *    source draws its next arrival). engine_pop only marks the root slot as
 *    a hole; the next schedule of an idle event drops into the hole and sifts
 *    down once, instead of a sift-down to refill the root plus a sift-up for
 *    the new event (Python's heapreplace). Any other operation fills the hole
 *    first. (time_ns, seq) is a strict total order, so the pop sequence does
 *    not depend on the heap's layout and results are unchanged.
 *  - Branch-free choice of the earliest child: a tournament whose winner's
 *    index is computed from comparisons; with random times a branch there
 *    mispredicts about half the time.
 *  - Sentinels: the ARITY - 1 slots past the last one always hold a key later
 *    than any event, so the last family is never short and sift-down needs no
 *    bounds check per child.
 */
#include "engine.h"

#include <assert.h>
#include <stdlib.h>

#define ARITY 4
#define SENTINELS (ARITY - 1)

/* The sentinel for slot j: later than any event (ENGINE_TIME_MAX), and its
 * time differs from the other sentinels of its family, so two sentinels
 * never tie and the tie-break never reads their (absent) event. */
static inline struct engine_slot sentinel(uint32_t j)
{
    return (struct engine_slot){ INT64_MAX - (int64_t)(j % ARITY), NULL };
}

/* Whether a orders before b. Equal times are rare (and then predictable), so
 * this compiles to a compare, a well-predicted branch and a setcc: callers
 * choosing among children combine the results without branching. */
static inline bool slot_before(const struct engine_slot *a, const struct engine_slot *b)
{
    if (__builtin_expect(a->time_ns == b->time_ns, 0))
        return a->ev->seq < b->ev->seq;
    return a->time_ns < b->time_ns;
}

static inline void place(struct engine *e, uint32_t i, const struct engine_slot *s)
{
    e->heap[i] = *s;
    s->ev->heap_idx = i;
}

static inline void sift_up(struct engine *e, uint32_t i, const struct engine_slot *s)
{
    uint32_t top = e->hole;          /* never into a hole at the root: it orders first */
    while (i > top) {
        uint32_t parent = (i - 1) / ARITY;
        if (parent < top || !slot_before(s, &e->heap[parent]))
            break;
        place(e, i, &e->heap[parent]);
        i = parent;
    }
    place(e, i, s);
}

/* The earliest of the four children starting at first (sentinels included):
 * a two-round tournament whose winner's index is computed, not branched to. */
static inline uint32_t earliest_child(const struct engine_slot *h, uint32_t first)
{
    uint32_t x = first + slot_before(&h[first + 1], &h[first]);
    uint32_t y = first + 2 + slot_before(&h[first + 3], &h[first + 2]);
    return slot_before(&h[y], &h[x]) ? y : x;
}

static inline void sift_down(struct engine *e, uint32_t i, const struct engine_slot *s)
{
    const struct engine_slot *h = e->heap;
    uint32_t n = e->size;
    for (;;) {
        uint32_t first = i * ARITY + 1;
        if (first >= n)
            break;
        uint32_t best = earliest_child(h, first);
        if (!slot_before(&h[best], s))   /* a sentinel always stops here */
            break;
        place(e, i, &h[best]);
        i = best;
    }
    place(e, i, s);
}

int engine_init(struct engine *e, uint32_t cap)
{
    if (cap < 16)
        cap = 16;
    e->heap = malloc(((size_t)cap + SENTINELS) * sizeof *e->heap);
    if (!e->heap)
        return -1;
    for (uint32_t i = 0; i < SENTINELS; i++)
        e->heap[i] = sentinel(i);
    e->size = 0;
    e->cap = cap;
    e->hole = false;
    e->next_seq = 0;
    e->now_ns = 0;
    e->popped = 0;
    e->pending_sum = 0;
    return 0;
}

void engine_free(struct engine *e)
{
    free(e->heap);
    e->heap = NULL;
    e->size = e->cap = 0;
    e->hole = false;
}

static int grow(struct engine *e)
{
    if (e->cap > UINT32_MAX / 2 - SENTINELS)
        return -1;
    uint32_t ncap = e->cap * 2;
    /* realloc keeps the sentinels after the last slot. */
    struct engine_slot *h = realloc(e->heap, ((size_t)ncap + SENTINELS) * sizeof *h);
    if (!h)
        return -1;
    e->heap = h;
    e->cap = ncap;
    return 0;
}

/* Take slot i out, refilling it with the last slot. */
static void remove_at(struct engine *e, uint32_t i)
{
    struct engine_slot last = e->heap[--e->size];
    e->heap[e->size] = sentinel(e->size);
    if (i == e->size)
        return;
    uint32_t parent = (i - 1) / ARITY;
    if (i > 0 && !(e->hole && parent == 0) && slot_before(&last, &e->heap[parent]))
        sift_up(e, i, &last);
    else
        sift_down(e, i, &last);
}

void engine_fill_hole(struct engine *e)
{
    if (e->hole) {
        e->hole = false;
        remove_at(e, 0);
    }
}

static inline void set_key(struct engine *e, struct engine_event *ev, int64_t time_ns)
{
    ev->time_ns = time_ns;
    ev->seq = e->next_seq++;
}

/* Everything but the common case of engine_schedule, kept out of line so the
 * common case stays a short function. */
static __attribute__((noinline)) int schedule_slow(struct engine *e, struct engine_event *ev, int64_t time_ns)
{
    struct engine_slot s = { time_ns, ev };
    if (engine_pending(ev) && e->hole) {
        /* Take ev out and let it fill the hole, rather than fill the hole
         * with the last slot and then move ev: a source's interrupt moving
         * its vCPU's poll end earlier does this on every halt, and ev is
         * often the last slot itself. */
        remove_at(e, ev->heap_idx);
        set_key(e, ev, time_ns);
        e->hole = false;
        sift_down(e, 0, &s);
        return 0;
    }
    if (engine_pending(ev)) {
        set_key(e, ev, time_ns);
        /* A new seq only ever orders later, so a moved event can go either way
         * only through its time. */
        uint32_t i = ev->heap_idx;
        if (i > 0 && slot_before(&s, &e->heap[(i - 1) / ARITY]))
            sift_up(e, i, &s);
        else
            sift_down(e, i, &s);
        return 0;
    }
    if (e->size == e->cap && grow(e) != 0)
        return -1;
    set_key(e, ev, time_ns);
    e->heap[e->size + SENTINELS] = sentinel(e->size + SENTINELS);
    sift_up(e, e->size++, &s);
    return 0;
}

int engine_schedule(struct engine *e, struct engine_event *ev, int64_t time_ns)
{
    assert(time_ns >= e->now_ns && "event scheduled in the past");
    assert(time_ns <= ENGINE_TIME_MAX);
    if (!engine_pending(ev)) {
        struct engine_slot s = { time_ns, ev };
        if (e->hole) {               /* the common case: see the file header */
            set_key(e, ev, time_ns);
            e->hole = false;
            sift_down(e, 0, &s);
            return 0;
        }
        if (e->size < e->cap) {      /* the hole is already filled: a plain push */
            set_key(e, ev, time_ns);
            e->heap[e->size + SENTINELS] = sentinel(e->size + SENTINELS);
            sift_up(e, e->size++, &s);
            return 0;
        }
    }
    return schedule_slow(e, ev, time_ns);
}

void engine_cancel(struct engine *e, struct engine_event *ev)
{
    if (!engine_pending(ev))
        return;
    /* remove_at works around a hole at the root (schedule_slow relies on it
     * too), so the hole stays for the next schedule to drop into. */
    uint32_t i = ev->heap_idx;
    ev->heap_idx = ENGINE_NOT_PENDING;
    remove_at(e, i);
}

int64_t engine_peek_time(const struct engine *e)
{
    if (!e->hole)
        return e->size ? e->heap[0].time_ns : INT64_MAX;
    /* The earliest pending event is one of the hole's children. */
    return e->size > 1 ? e->heap[earliest_child(e->heap, 1)].time_ns : INT64_MAX;
}

bool engine_check(const struct engine *e)
{
    for (uint32_t i = 0; i < SENTINELS; i++)
        if (e->heap[e->size + i].ev || e->heap[e->size + i].time_ns != sentinel(e->size + i).time_ns)
            return false;
    /* With a hole, slot 0 is stale: each subtree below it must still be a heap. */
    for (uint32_t i = e->hole ? 1 : 0; i < e->size; i++) {
        if (e->heap[i].ev->heap_idx != i || e->heap[i].ev->time_ns != e->heap[i].time_ns)
            return false;
        uint32_t parent = (i - 1) / ARITY;
        if (i > 0 && !(e->hole && parent == 0) && slot_before(&e->heap[i], &e->heap[parent]))
            return false;
    }
    return true;
}
