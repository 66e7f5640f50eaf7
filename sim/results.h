/*
 * results.h - the figures of a run, as a table for people and as JSON/CSV for
 * tools. The JSON schema is the contract every command reuses:
 *   { "hpsim_version", "config": {effective config}, "seed",
 *     "policies": [ { "policy", "c0_pct", "poll_pct", "halts", "poll_successes",
 *                     "wakeup_latency_ns": {count, mean, p50, p90, p99, p999, max},
 *                     "wakeup_cdf_ns": [[quantile, ns], ...] (48 points, [] if none),
 *                     "transactions_per_s", "rtt_ns": {...}, "iops", "io_latency_ns": {...},
 *                     "mean_halt_poll_ns",
 *                     "kvm": {halt_exits, halt_attempted_poll, ...}, ..., "guest_poll_pct",
 *                     "guest_polls", "guest_poll_successes", "bound", ...,
 *                     "vs_oracle": {extra_c0_pct, extra_wakeup_mean_ns} (with a bound) } ] }
 */
#ifndef HPSIM_RESULTS_H
#define HPSIM_RESULTS_H

#include <jansson.h>
#include <stdio.h>

#include "error.h"
#include "sim.h"

/* One policy's figures as a JSON object. */
json_t *results_policy_json(const struct sim_spec *s, const char *policy, const struct metrics *m);
/* The whole results document (takes ownership of the policy objects array). */
json_t *results_doc(const struct sim_spec *s, json_t *policies);
/* When a row is marked "bound": true (the oracle), give every row its
 * distance from it: "vs_oracle": {extra_c0_pct, extra_wakeup_mean_ns}.
 * results_doc and results_table call it; calling it again is harmless. */
void results_add_bound_distance(json_t *policies);
/* A readable table, one row per policy object; with a bound among them, two
 * more columns: each row's distance from it. */
void results_table(FILE *f, const char *title, json_t *policies);
/* If the config has a "_reference" object (published figures to compare
 * with: {"source": TEXT, METRIC: {POLICY: VALUE, ...}, ...}), print each
 * METRIC that the rows carry: model and reference side by side, and both as
 * ratios to the first policy listed. Prints nothing otherwise. */
void results_reference(FILE *f, json_t *config, json_t *policies);
/* CSV: a header line, then one row per policy object (every scalar metric a column). */
int results_csv(FILE *f, json_t *policies);
/* Write doc to path atomically (temp file + rename): JSON, or CSV when path
 * ends in .csv. Never leaves a partial file. */
int results_write(const char *path, json_t *doc, struct hp_error *err);

/* Whether s ends with suf: how every command tells FILE.csv from FILE.json. */
bool results_ends_with(const char *s, const char *suf);
/* The same pieces apart: CSV of any row objects; JSON with jansson dump
 * flags (RESULTS_JSON_FLAGS for people; JSON_REAL_PRECISION(17) when the
 * file is read back and every double must survive exactly). */
#define RESULTS_JSON_FLAGS (JSON_INDENT(2) | JSON_REAL_PRECISION(12))
int results_write_csv(const char *path, json_t *rows, struct hp_error *err);
int results_write_json(const char *path, json_t *doc, size_t flags, struct hp_error *err);

#endif
