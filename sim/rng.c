/* rng.c - see rng.h. */
#include "rng.h"

/* splitmix64 (Steele, Lea, Flood 2014): a bijective mixer whose outputs for
 * neighbouring inputs are uncorrelated, the usual way to seed parallel streams. */
static uint64_t splitmix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

uint64_t rng_stream_seed(uint64_t seed, uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t h = splitmix64(seed);
    h = splitmix64(h ^ a);
    h = splitmix64(h ^ b);
    h = splitmix64(h ^ c);
    return h;
}

gsl_rng *rng_stream_new(uint64_t seed, uint64_t a, uint64_t b, uint64_t c)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    if (!r)
        return NULL;
    /* gsl_rng_set takes an unsigned long; taus2 maps seed 0 to its default. */
    uint64_t s = rng_stream_seed(seed, a, b, c);
    gsl_rng_set(r, (unsigned long)(s ? s : 1));
    return r;
}
