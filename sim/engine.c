/*
 * engine.c - 4-ary min-heap of intrusive events ordered by (time_ns, seq).
 *
 * Why 4-ary: half the depth of a binary heap, and the four children of a node
 * share a cache line pair, so sift-down costs fewer misses; pops dominate in a
 * simulation (every event is popped once).
 */
#include "engine.h"

#include <assert.h>
#include <stdlib.h>

#define ARITY 4

static inline bool slot_before(const struct engine_slot *a, const struct engine_slot *b)
{
    return a->time_ns < b->time_ns || (a->time_ns == b->time_ns && a->seq < b->seq);
}

static inline void place(struct engine *e, uint32_t i, struct engine_slot s)
{
    e->heap[i] = s;
    s.ev->heap_idx = i;
}

static void sift_up(struct engine *e, uint32_t i, struct engine_slot s)
{
    while (i > 0) {
        uint32_t parent = (i - 1) / ARITY;
        if (!slot_before(&s, &e->heap[parent]))
            break;
        place(e, i, e->heap[parent]);
        i = parent;
    }
    place(e, i, s);
}

static void sift_down(struct engine *e, uint32_t i, struct engine_slot s)
{
    uint32_t n = e->size;
    for (;;) {
        uint32_t first = i * ARITY + 1;
        if (first >= n)
            break;
        uint32_t last = first + ARITY < n ? first + ARITY : n;
        uint32_t best = first;
        for (uint32_t c = first + 1; c < last; c++)
            if (slot_before(&e->heap[c], &e->heap[best]))
                best = c;
        if (!slot_before(&e->heap[best], &s))
            break;
        place(e, i, e->heap[best]);
        i = best;
    }
    place(e, i, s);
}

int engine_init(struct engine *e, uint32_t cap)
{
    if (cap < 16)
        cap = 16;
    e->heap = malloc((size_t)cap * sizeof *e->heap);
    if (!e->heap)
        return -1;
    e->size = 0;
    e->cap = cap;
    e->next_seq = 0;
    e->now_ns = 0;
    e->popped = 0;
    return 0;
}

void engine_free(struct engine *e)
{
    free(e->heap);
    e->heap = NULL;
    e->size = e->cap = 0;
}

static int grow(struct engine *e)
{
    if (e->cap > UINT32_MAX / 2 - 1)
        return -1;
    uint32_t ncap = e->cap * 2;
    struct engine_slot *h = realloc(e->heap, (size_t)ncap * sizeof *h);
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
    if (i == e->size)
        return;
    if (i > 0 && slot_before(&last, &e->heap[(i - 1) / ARITY]))
        sift_up(e, i, last);
    else
        sift_down(e, i, last);
}

int engine_schedule(struct engine *e, struct engine_event *ev, int64_t time_ns)
{
    assert(time_ns >= e->now_ns && "event scheduled in the past");
    struct engine_slot s = { time_ns, e->next_seq++, ev };
    ev->time_ns = time_ns;
    if (engine_pending(ev)) {
        /* A new seq only ever orders later, so a moved event can go either way
         * only through its time. */
        uint32_t i = ev->heap_idx;
        if (i > 0 && slot_before(&s, &e->heap[(i - 1) / ARITY]))
            sift_up(e, i, s);
        else
            sift_down(e, i, s);
        return 0;
    }
    if (e->size == e->cap && grow(e) != 0)
        return -1;
    sift_up(e, e->size++, s);
    return 0;
}

void engine_cancel(struct engine *e, struct engine_event *ev)
{
    if (!engine_pending(ev))
        return;
    uint32_t i = ev->heap_idx;
    ev->heap_idx = ENGINE_NOT_PENDING;
    remove_at(e, i);
}

struct engine_event *engine_pop(struct engine *e)
{
    if (e->size == 0)
        return NULL;
    struct engine_event *ev = e->heap[0].ev;
    e->now_ns = e->heap[0].time_ns;
    ev->heap_idx = ENGINE_NOT_PENDING;
    remove_at(e, 0);
    e->popped++;
    return ev;
}

bool engine_check(const struct engine *e)
{
    for (uint32_t i = 0; i < e->size; i++) {
        if (e->heap[i].ev->heap_idx != i || e->heap[i].ev->time_ns != e->heap[i].time_ns)
            return false;
        if (i > 0 && slot_before(&e->heap[i], &e->heap[(i - 1) / ARITY]))
            return false;
    }
    return true;
}
