/*
 * rng.h - independent, reproducible random streams.
 *
 * Every source of randomness (one per traffic source on a vCPU) owns its own
 * GSL generator, seeded from (run seed, stream identity) through splitmix64,
 * so its draws never depend on event order, on other vCPUs, or on how many
 * worker processes a sweep uses. taus2 is used: 24 bytes of state (10,000
 * vCPUs cost nothing), fast, period ~2^88, passes the usual batteries.
 */
#ifndef HPSIM_RNG_H
#define HPSIM_RNG_H

#include <gsl/gsl_rng.h>
#include <stdint.h>

/* Mix a run seed with up to three identity numbers into a stream seed. */
uint64_t rng_stream_seed(uint64_t seed, uint64_t a, uint64_t b, uint64_t c);

/* A new taus2 generator for that stream, or NULL on ENOMEM. Free with gsl_rng_free. */
gsl_rng *rng_stream_new(uint64_t seed, uint64_t a, uint64_t b, uint64_t c);

#endif
