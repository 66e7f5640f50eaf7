/*
 * hist.h - streamed log-linear histogram of non-negative int64 values (ns).
 *
 * Memory is fixed whatever the number of samples, so a run's footprint does not
 * grow with simulated time. Values below 2^HIST_SUB_BITS are exact; above, each
 * power of two is split into 2^HIST_SUB_BITS linear buckets, so a reported
 * percentile is within 2^-HIST_SUB_BITS (0.4%) of a sample that lies in the
 * same bucket as the exact percentile (HdrHistogram's idea). count, sum, min
 * and max are kept exactly.
 */
#ifndef HPSIM_HIST_H
#define HPSIM_HIST_H

#include <stdint.h>

#define HIST_SUB_BITS 8
#define HIST_SUB (1u << HIST_SUB_BITS)
/* Exact part + one group of HIST_SUB buckets per octave from 2^SUB_BITS to 2^63. */
#define HIST_BUCKETS (HIST_SUB + (63 - HIST_SUB_BITS) * HIST_SUB)

/* Relative error bound of hist_percentile(), for tests and docs. */
#define HIST_REL_ERROR (1.0 / HIST_SUB)

struct hist {
    uint64_t count;
    int64_t min;
    int64_t max;
    double sum;          /* for the mean; double is exact to 2^53 ns sums */
    uint64_t bucket[HIST_BUCKETS];
};

void hist_init(struct hist *h);
void hist_add(struct hist *h, int64_t v);     /* v < 0 is clamped to 0 */
void hist_merge(struct hist *dst, const struct hist *src);
double hist_mean(const struct hist *h);        /* 0 when empty */
/* The value at quantile q in [0,1] (nearest rank); the bucket's midpoint,
 * clamped to [min, max]. 0 when empty. */
int64_t hist_percentile(const struct hist *h, double q);

#endif
