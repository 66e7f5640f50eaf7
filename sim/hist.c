/* hist.c - see hist.h. */
#include "hist.h"

#include <math.h>
#include <string.h>

void hist_init(struct hist *h)
{
    memset(h, 0, sizeof *h);
    h->min = INT64_MAX;
    h->max = 0;
}

static inline unsigned bucket_of(uint64_t v)
{
    if (v < HIST_SUB)
        return (unsigned)v;
    unsigned top = 63 - (unsigned)__builtin_clzll(v);     /* >= HIST_SUB_BITS */
    unsigned shift = top - HIST_SUB_BITS;
    unsigned sub = (unsigned)(v >> shift) & (HIST_SUB - 1);
    return HIST_SUB + shift * HIST_SUB + sub;
}

/* Lowest value in bucket b and the bucket's width. */
static void bucket_range(unsigned b, uint64_t *lo, uint64_t *width)
{
    if (b < HIST_SUB) {
        *lo = b;
        *width = 1;
        return;
    }
    unsigned shift = (b - HIST_SUB) / HIST_SUB;
    unsigned sub = (b - HIST_SUB) % HIST_SUB;
    *lo = ((uint64_t)(HIST_SUB + sub)) << shift;
    *width = (uint64_t)1 << shift;
}

void hist_add(struct hist *h, int64_t v)
{
    if (v < 0)
        v = 0;
    h->bucket[bucket_of((uint64_t)v)]++;
    h->count++;
    h->sum += (double)v;
    if (v < h->min)
        h->min = v;
    if (v > h->max)
        h->max = v;
}

void hist_merge(struct hist *dst, const struct hist *src)
{
    if (!src->count)
        return;
    for (unsigned i = 0; i < HIST_BUCKETS; i++)
        dst->bucket[i] += src->bucket[i];
    dst->count += src->count;
    dst->sum += src->sum;
    if (src->min < dst->min)
        dst->min = src->min;
    if (src->max > dst->max)
        dst->max = src->max;
}

double hist_mean(const struct hist *h)
{
    return h->count ? h->sum / (double)h->count : 0.0;
}

int64_t hist_percentile(const struct hist *h, double q)
{
    if (!h->count)
        return 0;
    if (q <= 0)
        return h->min;
    if (q >= 1)
        return h->max;
    uint64_t rank = (uint64_t)ceil(q * (double)h->count);
    if (rank < 1)
        rank = 1;
    uint64_t seen = 0;
    for (unsigned b = 0; b < HIST_BUCKETS; b++) {
        seen += h->bucket[b];
        if (seen >= rank) {
            uint64_t lo, w;
            bucket_range(b, &lo, &w);
            int64_t mid = (int64_t)(lo + (w - 1) / 2);
            if (mid < h->min)
                mid = h->min;
            if (mid > h->max)
                mid = h->max;
            return mid;
        }
    }
    return h->max;
}
