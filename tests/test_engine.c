/* test_engine.c - the pending-event set: order, FIFO ties, cancel, and a
 * long random sequence checked against a sorted reference. */
#include "testutil.h"

#include "engine.h"

static void engine_pops_in_time_order(void **state)
{
    (void)state;
    struct engine e;
    struct engine_event ev[5];
    int64_t t[5] = {50, 10, 40, 20, 30};
    assert_int_equal(engine_init(&e, 4), 0);
    for (int i = 0; i < 5; i++) {
        engine_event_init(&ev[i], 1);
        engine_schedule(&e, &ev[i], t[i]);
    }
    int64_t expect[5] = {10, 20, 30, 40, 50};
    for (int i = 0; i < 5; i++) {
        struct engine_event *x = engine_pop(&e);
        assert_non_null(x);
        assert_int_equal(x->time_ns, expect[i]);
        assert_int_equal(e.now_ns, expect[i]);
        assert_false(engine_pending(x));
    }
    assert_null(engine_pop(&e));
    engine_free(&e);
}

static void engine_ties_are_fifo(void **state)
{
    (void)state;
    struct engine e;
    struct engine_event ev[100];
    assert_int_equal(engine_init(&e, 16), 0);
    for (int i = 0; i < 100; i++) {
        engine_event_init(&ev[i], 1);
        engine_schedule(&e, &ev[i], 7);
    }
    for (int i = 0; i < 100; i++)
        assert_ptr_equal(engine_pop(&e), &ev[i]);
    engine_free(&e);
}

static void engine_reschedule_counts_as_new_for_ties(void **state)
{
    (void)state;
    struct engine e;
    struct engine_event a, b;
    engine_init(&e, 16);
    engine_event_init(&a, 1);
    engine_event_init(&b, 1);
    engine_schedule(&e, &a, 5);
    engine_schedule(&e, &b, 5);
    engine_schedule(&e, &a, 5);   /* moved: now after b */
    assert_ptr_equal(engine_pop(&e), &b);
    assert_ptr_equal(engine_pop(&e), &a);
    engine_free(&e);
}

static void engine_cancel_removes_only_that_event(void **state)
{
    (void)state;
    struct engine e;
    struct engine_event ev[10];
    engine_init(&e, 16);
    for (int i = 0; i < 10; i++) {
        engine_event_init(&ev[i], 1);
        engine_schedule(&e, &ev[i], 100 - i);
    }
    engine_cancel(&e, &ev[3]);
    engine_cancel(&e, &ev[3]);    /* cancelling twice is harmless */
    engine_cancel(&e, &ev[9]);
    assert_true(engine_check(&e));
    int n = 0;
    for (struct engine_event *x; (x = engine_pop(&e)); n++)
        assert_true(x != &ev[3] && x != &ev[9]);
    assert_int_equal(n, 8);
    engine_free(&e);
}

static void engine_grows_past_initial_capacity(void **state)
{
    (void)state;
    struct engine e;
    static struct engine_event ev[1000];
    engine_init(&e, 16);
    for (int i = 0; i < 1000; i++) {
        engine_event_init(&ev[i], 1);
        assert_int_equal(engine_schedule(&e, &ev[i], (i * 7919) % 1000), 0);
    }
    assert_true(engine_check(&e));
    int64_t last = -1;
    for (struct engine_event *x; (x = engine_pop(&e));) {
        assert_true(x->time_ns >= last);
        last = x->time_ns;
    }
    engine_free(&e);
}

/* Reference model: an array of (time, seq) per event, pending or not. Pops
 * followed by schedules, moves and cancels exercise the deferred root hole. */
#define N 257
static void engine_matches_sorted_reference_on_random_ops(void **state)
{
    (void)state;
    struct engine e;
    static struct engine_event ev[N];
    int64_t rt[N];
    uint64_t rs[N];
    bool pend[N] = {false};
    uint64_t seq = 0;
    uint64_t x = 88172645463325252ULL;
    engine_init(&e, 16);
    for (int i = 0; i < N; i++)
        engine_event_init(&ev[i], 1);
    for (int step = 0; step < 200000; step++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;   /* xorshift64 */
        int i = (int)(x % N);
        unsigned op = (unsigned)(x >> 32) % 4;
        if (op <= 1) {                   /* schedule or move, ties frequent */
            int64_t t = e.now_ns + (int64_t)((x >> 40) % 50);
            engine_schedule(&e, &ev[i], t);
            rt[i] = t;
            rs[i] = seq++;
            pend[i] = true;
        } else if (op == 2) {
            engine_cancel(&e, &ev[i]);
            pend[i] = false;
        } else {
            int best = -1;
            for (int j = 0; j < N; j++)
                if (pend[j] && (best < 0 || rt[j] < rt[best] || (rt[j] == rt[best] && rs[j] < rs[best])))
                    best = j;
            assert_int_equal(engine_peek_time(&e), best < 0 ? INT64_MAX : rt[best]);
            struct engine_event *got = engine_pop(&e);
            if (best < 0) {
                assert_null(got);
            } else {
                assert_ptr_equal(got, &ev[best]);
                pend[best] = false;
            }
        }
        if (step % 997 == 0)
            assert_true(engine_check(&e));
        uint32_t npend = 0;
        for (int j = 0; j < N; j++)
            npend += pend[j];
        assert_int_equal(npend, engine_size(&e));
    }
    engine_free(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(engine_pops_in_time_order),
        cmocka_unit_test(engine_ties_are_fifo),
        cmocka_unit_test(engine_reschedule_counts_as_new_for_ties),
        cmocka_unit_test(engine_cancel_removes_only_that_event),
        cmocka_unit_test(engine_grows_past_initial_capacity),
        cmocka_unit_test(engine_matches_sorted_reference_on_random_ops),
    };
    return cmocka_run_group_tests_name("engine", tests, NULL, NULL);
}
