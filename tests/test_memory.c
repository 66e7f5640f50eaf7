/* test_memory.c - a run's memory does not grow with simulated time.
 *
 * Allocations are counted, not timed: this binary is linked with
 * -Wl,--wrap for malloc, calloc, realloc, free, gsl_rng_alloc and
 * gsl_rng_free (Makefile), so every allocation that hpsim's own code makes
 * or frees goes through the counters below. A run of ten times the
 * simulated time must make exactly the same allocations, in number and in
 * bytes, and reach the same peak of bytes held: all of them are made while
 * the run is built (per vCPU, pCPU and source), none per event; and a run
 * gives back everything it took. */
#include "testutil.h"

#include <gsl/gsl_rng.h>
#include <malloc.h>

static bool counting;
static uint64_t n_allocs, n_bytes;
static int64_t held, held_peak;       /* usable bytes, and GSL generators */
static int64_t rngs;

void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
gsl_rng *__real_gsl_rng_alloc(const gsl_rng_type *t);
void __real_gsl_rng_free(gsl_rng *r);

static void *took(void *p, size_t asked)
{
    if (counting && p) {
        n_allocs++;
        n_bytes += asked;
        held += (int64_t)malloc_usable_size(p);
        if (held > held_peak)
            held_peak = held;
    }
    return p;
}

static void gave(void *p)
{
    if (counting && p)
        held -= (int64_t)malloc_usable_size(p);
}

void *__wrap_malloc(size_t n) { return took(__real_malloc(n), n); }
void *__wrap_calloc(size_t k, size_t n) { return took(__real_calloc(k, n), k * n); }

void *__wrap_realloc(void *p, size_t n)
{
    gave(p);
    return took(__real_realloc(p, n), n);
}

void __wrap_free(void *p)
{
    gave(p);
    __real_free(p);
}

gsl_rng *__wrap_gsl_rng_alloc(const gsl_rng_type *t)
{
    if (counting) {
        n_allocs++;
        rngs++;
    }
    return __real_gsl_rng_alloc(t);
}

void __wrap_gsl_rng_free(gsl_rng *r)
{
    if (counting)
        rngs--;
    __real_gsl_rng_free(r);
}

struct footprint {
    uint64_t allocs, bytes, events;
    int64_t peak, held_after, rngs_after;
};

/* Run policy 0 of json for duration_s, counting allocations inside sim_run. */
static struct footprint run_counted(const char *json, double duration_s)
{
    struct sim_spec spec;
    tu_spec(&spec, json);
    spec.duration_ns = (int64_t)(duration_s * 1e9);
    struct metrics *met = malloc(sizeof *met);
    struct hp_error err = { 0 };
    assert_non_null(met);
    struct footprint f = { 0 };
    n_allocs = n_bytes = 0;
    held = held_peak = rngs = 0;
    counting = true;
    int rc = sim_run(&spec, &spec.policies[0], NULL, met, &err);
    counting = false;
    f.peak = held_peak;
    f.held_after = held;
    f.rngs_after = rngs;
    if (rc != 0)
        fail_msg("run: %s", err.msg);
    f.allocs = n_allocs;
    f.bytes = n_bytes;
    f.events = met->events;
    free(met);
    sim_spec_free(&spec);
    return f;
}

static void expect_flat(const char *json, double short_s, double long_s)
{
    struct footprint a = run_counted(json, short_s), b = run_counted(json, long_s);
    /* The long run really is longer, and the counters really count. */
    assert_true(b.events > 5 * a.events);
    assert_true(a.allocs > 0);
    if (a.allocs != b.allocs || a.bytes != b.bytes || a.peak != b.peak)
        fail_msg("%g s: %llu allocations, %llu bytes, peak %lld; %g s: %llu allocations, %llu bytes, peak %lld",
                 short_s, (unsigned long long)a.allocs, (unsigned long long)a.bytes, (long long)a.peak, long_s,
                 (unsigned long long)b.allocs, (unsigned long long)b.bytes, (long long)b.peak);
    /* Everything taken is given back. */
    assert_int_equal(a.held_after, 0);
    assert_int_equal(b.held_after, 0);
    assert_int_equal(a.rngs_after, 0);
    assert_int_equal(b.rngs_after, 0);
}

static void memory_tcp_rr_is_flat_in_simulated_time(void **state)
{
    (void)state;
    expect_flat("{\"duration_s\": 1, \"host\": {\"pcpus\": 1}, \"policies\": [\"always\"],"
                " \"vms\": [{\"vcpus\": 1, \"workload\": {\"type\": \"tcp_rr\", \"streams\": 2,"
                " \"one_way_latency\": {\"dist\": \"lognormal\", \"median_ns\": 4000, \"sigma\": 0.2}}}]}",
                0.1, 1.0);
}

/* Run queues, preemption, C-states and a policy that adapts: still nothing
 * allocated per event. */
static void memory_overcommitted_host_is_flat_in_simulated_time(void **state)
{
    (void)state;
    expect_flat("{\"duration_s\": 1, \"host\": {\"pcpus\": 8}, \"policies\": [\"v4\"],"
                " \"vms\": [{\"count\": 16, \"vcpus\": 4, \"workload\": {\"type\": \"arrivals\","
                " \"interarrival\": {\"dist\": \"exponential\", \"mean_ns\": 200000},"
                " \"handler\": {\"dist\": \"lognormal\", \"median_ns\": 20000, \"sigma\": 0.5}}}]}",
                0.05, 0.5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(memory_tcp_rr_is_flat_in_simulated_time),
        cmocka_unit_test(memory_overcommitted_host_is_flat_in_simulated_time),
    };
    return cmocka_run_group_tests_name("memory", tests, NULL, NULL);
}
