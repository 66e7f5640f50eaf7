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
 *  - Branch-free choice of the earliest child: the key is compared as one
 *    128-bit number and selected with conditional moves; with random times a
 *    branch there mispredicts about half the time.
 *  - Sentinels: the ARITY - 1 slots past the last one always hold a key later
 *    than any event, so the last family is never short and sift-down needs no
 *    bounds check per child.
 */
#include "engine.h"

#include <assert.h>
#include <stdlib.h>

#define ARITY 4
#define SENTINELS (ARITY - 1)

static const struct engine_slot sentinel = { INT64_MAX, UINT64_MAX, NULL };

/* (time_ns, seq) as one unsigned 128-bit number, compared with cmp/sbb and no
 * branch. Times are never negative (never before now, which starts at 0), so
 * reading them as unsigned keeps their order. */
static inline unsigned __int128 slot_key(const struct engine_slot *s)
{
    return (unsigned __int128)(uint64_t)s->time_ns << 64 | s->seq;
}

static inline bool slot_before(const struct engine_slot *a, const struct engine_slot *b)
{
    return slot_key(a) < slot_key(b);
}

static inline void place(struct engine *e, uint32_t i, const struct engine_slot *s)
{
    e->heap[i] = *s;
    s->ev->heap_idx = i;
}

static inline void sift_up(struct engine *e, uint32_t i, const struct engine_slot *s)
{
    while (i > 0) {
        uint32_t parent = (i - 1) / ARITY;
        if (!slot_before(s, &e->heap[parent]))
            break;
        place(e, i, &e->heap[parent]);
        i = parent;
    }
    place(e, i, s);
}

/* The earliest of the four children starting at first (sentinels included),
 * as a two-round tournament of selects; its key goes to *key. */
static inline uint32_t earliest_child(const struct engine_slot *h, uint32_t first, unsigned __int128 *key)
{
    unsigned __int128 k0 = slot_key(&h[first]), k1 = slot_key(&h[first + 1]);
    unsigned __int128 k2 = slot_key(&h[first + 2]), k3 = slot_key(&h[first + 3]);
    bool lt01 = k1 < k0, lt23 = k3 < k2;
    uint32_t b01 = first + lt01, b23 = first + 2 + lt23;
    unsigned __int128 k01 = lt01 ? k1 : k0, k23 = lt23 ? k3 : k2;
    bool lt = k23 < k01;
    *key = lt ? k23 : k01;
    return lt ? b23 : b01;
}

static inline void sift_down(struct engine *e, uint32_t i, const struct engine_slot *s)
{
    const struct engine_slot *h = e->heap;
    uint32_t n = e->size;
    unsigned __int128 sk = slot_key(s);
    for (;;) {
        uint32_t first = i * ARITY + 1;
        if (first >= n)
            break;
        unsigned __int128 bk;
        uint32_t best = earliest_child(h, first, &bk);
        if (bk >= sk)                /* a sentinel always ends up here */
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
        e->heap[i] = sentinel;
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
    e->heap[e->size] = sentinel;
    if (i == e->size)
        return;
    if (i > 0 && slot_before(&last, &e->heap[(i - 1) / ARITY]))
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

/* Everything but the common case of engine_schedule, kept out of line so the
 * common case stays a short function. */
static __attribute__((noinline)) int schedule_slow(struct engine *e, const struct engine_slot *s)
{
    struct engine_event *ev = s->ev;
    if (engine_pending(ev)) {
        engine_fill_hole(e);
        /* A new seq only ever orders later, so a moved event can go either way
         * only through its time. */
        uint32_t i = ev->heap_idx;
        if (i > 0 && slot_before(s, &e->heap[(i - 1) / ARITY]))
            sift_up(e, i, s);
        else
            sift_down(e, i, s);
        return 0;
    }
    if (e->size == e->cap && grow(e) != 0)
        return -1;
    e->heap[e->size + SENTINELS] = sentinel;
    sift_up(e, e->size++, s);
    return 0;
}

int engine_schedule(struct engine *e, struct engine_event *ev, int64_t time_ns)
{
    assert(time_ns >= e->now_ns && "event scheduled in the past");
    struct engine_slot s = { time_ns, e->next_seq++, ev };
    ev->time_ns = time_ns;
    if (e->hole && !engine_pending(ev)) {    /* the common case: see the file header */
        e->hole = false;
        sift_down(e, 0, &s);
        return 0;
    }
    return schedule_slow(e, &s);
}

void engine_cancel(struct engine *e, struct engine_event *ev)
{
    if (!engine_pending(ev))
        return;
    engine_fill_hole(e);
    uint32_t i = ev->heap_idx;
    ev->heap_idx = ENGINE_NOT_PENDING;
    remove_at(e, i);
}

struct engine_event *engine_pop(struct engine *e)
{
    if (e->hole)
        engine_fill_hole(e);
    if (e->size == 0)
        return NULL;
    struct engine_event *ev = e->heap[0].ev;
    e->now_ns = e->heap[0].time_ns;
    ev->heap_idx = ENGINE_NOT_PENDING;
    e->hole = true;
    e->pending_sum += e->size;
    e->popped++;
    return ev;
}

int64_t engine_peek_time(const struct engine *e)
{
    if (!e->hole)
        return e->size ? e->heap[0].time_ns : INT64_MAX;
    /* The earliest pending event is one of the hole's children (or a sentinel,
     * whose time is INT64_MAX, when there is none). */
    unsigned __int128 k;
    return e->heap[earliest_child(e->heap, 1, &k)].time_ns;
}

bool engine_check(const struct engine *e)
{
    for (uint32_t i = 0; i < SENTINELS; i++)
        if (e->heap[e->size + i].ev || e->heap[e->size + i].time_ns != INT64_MAX)
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
