/*
 * engine.h - the pending-event set of a discrete-event simulation.
 *
 * Invariant: events pop in (time_ns, seq) order, seq being a counter bumped on
 * every schedule, so ties run first-in-first-out and runs are deterministic;
 * engine time never decreases. The engine knows nothing of KVM.
 *
 * Events are intrusive: the owner (a vCPU, a pCPU, a traffic source) embeds a
 * struct engine_event, and the heap keeps its index inside it, so cancel and
 * reschedule are O(log n) with no search and no allocation per event. The heap
 * is 4-ary and stores (time, pointer) inline so comparisons chase the pointer
 * only on equal times (libuv's heap-inl.h is the model).
 */
#ifndef HPSIM_ENGINE_H
#define HPSIM_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ENGINE_NOT_PENDING UINT32_MAX
/* The latest time an event may be scheduled at (the heap's sentinels use the
 * few times above it). */
#define ENGINE_TIME_MAX (INT64_MAX - 4)

struct engine_event {
    int64_t time_ns;   /* when it fires; valid while pending */
    uint64_t seq;      /* schedule order, breaks ties of time_ns; valid while pending */
    uint32_t heap_idx; /* slot in the heap, ENGINE_NOT_PENDING when idle */
    uint16_t kind;     /* the owner's dispatch tag; the engine ignores it */
    uint16_t aux;      /* owner's spare field (e.g. a sub-kind) */
};

/* A heap slot: the time inline so comparisons rarely chase the pointer (only
 * on equal times, for seq); 16 bytes, so a family of four children is one
 * cache line. */
struct engine_slot {
    int64_t time_ns;
    struct engine_event *ev;
};

struct engine {
    struct engine_slot *heap;
    uint32_t size;       /* slots in use, the hole included */
    uint32_t cap;
    bool hole;           /* slot 0 holds the last popped event (engine.c header) */
    uint64_t next_seq;
    int64_t now_ns;      /* time of the last popped event */
    uint64_t popped;     /* events dispatched so far */
    uint64_t pending_sum; /* pending events summed over pops: sum / popped = mean queue length */
};

/* Set up an empty queue with room for cap events (it grows by doubling when
 * needed, so steady state allocates nothing). Returns 0, or -1 on ENOMEM. */
int engine_init(struct engine *e, uint32_t cap);
void engine_free(struct engine *e);

static inline void engine_event_init(struct engine_event *ev, uint16_t kind)
{
    ev->time_ns = 0;
    ev->seq = 0;
    ev->heap_idx = ENGINE_NOT_PENDING;
    ev->kind = kind;
    ev->aux = 0;
}

static inline bool engine_pending(const struct engine_event *ev)
{
    return ev->heap_idx != ENGINE_NOT_PENDING;
}

/* Schedule ev at time_ns (now <= time_ns <= ENGINE_TIME_MAX). If ev is already pending it is moved, and it
 * then counts as newly scheduled for tie-breaking. Returns 0, -1 on ENOMEM. */
int engine_schedule(struct engine *e, struct engine_event *ev, int64_t time_ns);

/* Remove ev if pending; a no-op otherwise. */
void engine_cancel(struct engine *e, struct engine_event *ev);

/* Refill the root after a pop (engine.c header); every operation does it when
 * needed, so callers never have to. */
void engine_fill_hole(struct engine *e);

/* Remove and return the earliest event (advancing now_ns to its time), or
 * NULL when nothing is pending. Popping before dispatch lets a handler
 * schedule or cancel anything, itself included. Inline: it runs once per
 * event and, thanks to the root hole (engine.c), is a handful of stores. */
static inline struct engine_event *engine_pop(struct engine *e)
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

/* Number of pending events. */
static inline uint32_t engine_size(const struct engine *e)
{
    return e->size - (uint32_t)e->hole;
}

/* Earliest pending time, or INT64_MAX when empty. */
int64_t engine_peek_time(const struct engine *e);

/* Debug aid for tests: true when every parent orders before its children and
 * every event's heap_idx points back at its slot. */
bool engine_check(const struct engine *e);

#endif
