/* results.c - see results.h. */
#include "results.h"

#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "version.h"

static json_t *lat_json(const struct hist *h)
{
    if (!h->count)
        return json_pack("{s:I, s:n, s:n, s:n, s:n, s:n, s:n}", "count", (json_int_t)0, "mean",
                         "p50", "p90", "p99", "p999", "max");
    return json_pack("{s:I, s:f, s:I, s:I, s:I, s:I, s:I}", "count", (json_int_t)h->count,
                     "mean", hist_mean(h), "p50", (json_int_t)hist_percentile(h, 0.50),
                     "p90", (json_int_t)hist_percentile(h, 0.90), "p99", (json_int_t)hist_percentile(h, 0.99),
                     "p999", (json_int_t)hist_percentile(h, 0.999), "max", (json_int_t)h->max);
}

/* Quantiles of the compact CDF: dense through the body, then the tail a
 * latency plot needs. 48 points keep a results file small. */
static const double cdf_q[] = {
    0, 0.025, 0.05, 0.075, 0.1, 0.125, 0.15, 0.175, 0.2, 0.225, 0.25, 0.275, 0.3, 0.325,
    0.35, 0.375, 0.4, 0.425, 0.45, 0.475, 0.5, 0.525, 0.55, 0.575, 0.6, 0.625, 0.65, 0.675,
    0.7, 0.725, 0.75, 0.775, 0.8, 0.825, 0.85, 0.875, 0.9, 0.925, 0.95, 0.96, 0.97, 0.98,
    0.99, 0.995, 0.999, 0.9995, 0.9999, 1,
};

/* [[quantile, ns], ...] of h; [] when h is empty. */
static json_t *cdf_json(const struct hist *h)
{
    json_t *a = json_array();
    for (size_t i = 0; h->count && i < sizeof cdf_q / sizeof cdf_q[0]; i++)
        json_array_append_new(a, json_pack("[f, I]", cdf_q[i], (json_int_t)hist_percentile(h, cdf_q[i])));
    return a;
}

static double pct(int64_t part, double total)
{
    return total > 0 ? 100.0 * (double)part / total : 0.0;
}

json_t *results_policy_json(const struct sim_spec *s, const char *policy, const struct metrics *m)
{
    double total = (double)m->sim_ns * m->npcpus;
    double secs = (double)m->sim_ns / 1e9;
    const struct kvm_counters *k = &m->k;
    int64_t busy = (int64_t)total - m->acct_ns[ACCT_IDLE];
    json_t *o = json_object();
    const struct policy_ops *ops = policy_find(policy);
    json_object_set_new(o, "policy", json_string(policy));
    json_object_set_new(o, "c0_pct", json_real(pct(busy, total)));
    json_object_set_new(o, "poll_pct", json_real(pct(m->acct_ns[ACCT_POLL], total)));
    json_object_set_new(o, "poll_caught_pct", json_real(pct(k->halt_poll_success_ns, total)));
    json_object_set_new(o, "poll_failed_pct", json_real(pct(k->halt_poll_fail_ns, total)));
    json_object_set_new(o, "guest_pct", json_real(pct(m->acct_ns[ACCT_GUEST], total)));
    json_object_set_new(o, "exit_pct", json_real(pct(m->acct_ns[ACCT_EXIT], total)));
    json_object_set_new(o, "sched_pct", json_real(pct(m->acct_ns[ACCT_SCHED], total)));
    json_object_set_new(o, "idle_pct", json_real(pct(m->acct_ns[ACCT_IDLE], total)));
    json_object_set_new(o, "halts", json_integer((json_int_t)k->halts));
    json_object_set_new(o, "halts_per_s", json_real(secs > 0 ? (double)k->halts / secs : 0));
    json_object_set_new(o, "poll_successes", json_integer((json_int_t)k->halt_successful_poll));
    json_object_set_new(o, "poll_success_pct",
                        json_real(k->halts ? 100.0 * (double)k->halt_successful_poll / (double)k->halts : 0));
    json_object_set_new(o, "blocked_ns", json_integer(k->halt_wait_ns));
    json_object_set_new(o, "wakeup_latency_ns", lat_json(&m->wakeup));
    json_object_set_new(o, "wakeup_cdf_ns", cdf_json(&m->wakeup));
    if (m->transactions || m->rtt.count) {
        json_object_set_new(o, "transactions_per_s", json_real(secs > 0 ? (double)m->transactions / secs : 0));
        json_object_set_new(o, "rtt_ns", lat_json(&m->rtt));
    } else {
        json_object_set_new(o, "transactions_per_s", json_null());
        json_object_set_new(o, "rtt_ns", lat_json(&m->rtt));
    }
    /* storage completions also count in transactions_per_s; this is theirs alone */
    json_object_set_new(o, "iops", m->io_lat.count && secs > 0 ? json_real((double)m->io_lat.count / secs)
                                                               : json_null());
    json_object_set_new(o, "io_latency_ns", lat_json(&m->io_lat));
    json_object_set_new(o, "mean_halt_poll_ns",
                        json_real(k->halts ? (double)m->window_sum_ns / (double)k->halts : 0));
    json_object_set_new(o, "halt_ns", lat_json(&m->halt_len));
    json_object_set_new(o, "window_grows", json_integer((json_int_t)m->grows));
    json_object_set_new(o, "window_shrinks", json_integer((json_int_t)m->shrinks));
    json_object_set_new(o, "halts_skipped", json_integer((json_int_t)m->halts_skipped));
    json_object_set_new(o, "coalesced_irqs", json_integer((json_int_t)m->coalesced));
    json_object_set_new(o, "migrations", json_integer((json_int_t)m->migrations));
    json_t *kv = json_object();
    json_object_set_new(kv, "halt_exits", json_integer((json_int_t)k->halt_exits));
    json_object_set_new(kv, "halt_attempted_poll", json_integer((json_int_t)k->halt_attempted_poll));
    json_object_set_new(kv, "halt_successful_poll", json_integer((json_int_t)k->halt_successful_poll));
    json_object_set_new(kv, "halt_poll_invalid", json_integer((json_int_t)k->halt_poll_invalid));
    json_object_set_new(kv, "halt_wakeup", json_integer((json_int_t)k->halt_wakeup));
    json_object_set_new(kv, "halt_poll_success_ns", json_integer(k->halt_poll_success_ns));
    json_object_set_new(kv, "halt_poll_fail_ns", json_integer(k->halt_poll_fail_ns));
    json_object_set_new(kv, "halt_wait_ns", json_integer(k->halt_wait_ns));
    json_object_set_new(o, "kvm", kv);
    json_t *cs = json_object();
    for (int i = 0; i < s->costs.ncstates; i++)
        json_object_set_new(cs, s->costs.cstate[i].name, json_real(pct(m->cstate_ns[i], total)));
    json_object_set_new(o, "cstate_pct", cs);
    json_object_set_new(o, "events", json_integer((json_int_t)m->events));
    /* guest-haltpoll's poll in guest mode (C0, apart from guest work), and the oracle's mark */
    json_object_set_new(o, "guest_poll_pct", json_real(pct(m->acct_ns[ACCT_GPOLL], total)));
    json_object_set_new(o, "guest_polls", json_integer((json_int_t)m->guest_polls));
    json_object_set_new(o, "guest_poll_successes", json_integer((json_int_t)m->guest_poll_hits));
    json_object_set_new(o, "bound", json_boolean(ops && ops->bound));
    json_object_set_new(o, "conservation_ok", json_boolean(m->conservation_ok));
    if (!m->conservation_ok)
        json_object_set_new(o, "conservation_error", json_string(m->conservation_msg));
    return o;
}

static double num(json_t *o, const char *k)
{
    return json_number_value(json_object_get(o, k));
}

static double sub(json_t *o, const char *k, const char *k2)
{
    return json_number_value(json_object_get(json_object_get(o, k), k2));
}

/* Storage runs: I/O latency as fio reports it, under the main table. */
static void io_table(FILE *f, json_t *policies)
{
    size_t i;
    json_t *p;
    bool any = false;
    json_array_foreach(policies, i, p)
        any = any || sub(p, "io_latency_ns", "count") > 0;
    if (!any)
        return;
    fprintf(f, "\n%-26s %10s %9s %9s %9s %9s\n", "storage I/O (lat in us)", "IOPS", "lat_mean", "lat_p50", "lat_p99",
            "lat_p999");
    json_array_foreach(policies, i, p) {
        fprintf(f, "%-26s %10.0f %9.2f %9.2f %9.2f %9.2f\n", json_string_value(json_object_get(p, "policy")),
                num(p, "iops"), sub(p, "io_latency_ns", "mean") / 1e3,
                sub(p, "io_latency_ns", "p50") / 1e3, sub(p, "io_latency_ns", "p99") / 1e3,
                sub(p, "io_latency_ns", "p999") / 1e3);
    }
}

/* The first row marked as a bound, or NULL. */
static json_t *bound_row(json_t *policies)
{
    size_t i;
    json_t *p;
    json_array_foreach(policies, i, p)
        if (json_is_true(json_object_get(p, "bound")))
            return p;
    return NULL;
}

void results_add_bound_distance(json_t *policies)
{
    json_t *b = bound_row(policies);
    if (!b)
        return;
    double c0 = num(b, "c0_pct");
    json_t *bmean = json_object_get(json_object_get(b, "wakeup_latency_ns"), "mean");
    size_t i;
    json_t *p;
    json_array_foreach(policies, i, p) {
        json_t *mean = json_object_get(json_object_get(p, "wakeup_latency_ns"), "mean");
        json_t *d = json_object();
        json_object_set_new(d, "extra_c0_pct", json_is_number(json_object_get(p, "c0_pct"))
                                                   ? json_real(num(p, "c0_pct") - c0) : json_null());
        json_object_set_new(d, "extra_wakeup_mean_ns",
                            json_is_number(mean) && json_is_number(bmean)
                                ? json_real(json_number_value(mean) - json_number_value(bmean)) : json_null());
        json_object_set_new(p, "vs_oracle", d);
    }
}

json_t *results_doc(const struct sim_spec *s, json_t *policies)
{
    results_add_bound_distance(policies);
    json_t *doc = json_object();
    json_object_set_new(doc, "hpsim_version", json_string(HPSIM_VERSION));
    json_object_set(doc, "config", s->root);
    json_object_set_new(doc, "seed", json_integer((json_int_t)s->seed));
    json_object_set_new(doc, "duration_s", json_real((double)s->duration_ns / 1e9));
    json_object_set_new(doc, "policies", policies);
    return doc;
}

/* A table cell: v scaled and printed with fmt, or "-" when v is not a
 * number (a captured figure the capture cannot support is null). */
static const char *cell(char *buf, size_t n, json_t *v, double scale, const char *fmt)
{
    if (!json_is_number(v))
        return "-";
    snprintf(buf, n, fmt, json_number_value(v) / scale);
    return buf;
}

void results_table(FILE *f, const char *title, json_t *policies)
{
    results_add_bound_distance(policies);
    bool vs = bound_row(policies) != NULL;
    if (title)
        fprintf(f, "# %s\n", title);
    fprintf(f, "%-26s %7s %7s %9s %7s %9s %9s %9s %10s %9s %11s", "policy", "%C0", "poll%",
            "halts/s", "caught%", "wake_p50", "wake_p99", "wake_max", "trans/s", "rtt_p50", "mean_window");
    fprintf(f, vs ? " %9s %10s\n" : "\n", "+%C0", "+wake_mean");
    fprintf(f, "%-26s %7s %7s %9s %7s %9s %9s %9s %10s %9s %11s", "", "", "", "", "", "us", "us",
            "us", "", "us", "us");
    fprintf(f, vs ? " %9s %10s\n" : "\n", "vs bound", "us");
    size_t i;
    json_t *p;
    json_array_foreach(policies, i, p) {
        json_t *tps = json_object_get(p, "transactions_per_s");
        char tbuf[32], rbuf[32], nbuf[48];
        snprintf(tbuf, sizeof tbuf, "-");
        snprintf(rbuf, sizeof rbuf, "-");
        if (json_is_number(tps))
            snprintf(tbuf, sizeof tbuf, "%.0f", json_number_value(tps));
        if (sub(p, "rtt_ns", "count") > 0)
            snprintf(rbuf, sizeof rbuf, "%.2f", sub(p, "rtt_ns", "p50") / 1e3);
        const char *name = json_string_value(json_object_get(p, "policy"));
        bool bound = json_is_true(json_object_get(p, "bound"));
        snprintf(nbuf, sizeof nbuf, "%s%s", name, bound ? " [bound]" : "");
        json_t *lat = json_object_get(p, "wakeup_latency_ns"), *vo = json_object_get(p, "vs_oracle");
        char c[9][32];
        fprintf(f, "%-26s %7s %7s %9s %7s %9s %9s %9s %10s %9s %11s", nbuf,
                cell(c[0], 32, json_object_get(p, "c0_pct"), 1, "%.3f"),
                cell(c[1], 32, json_object_get(p, "poll_pct"), 1, "%.3f"),
                cell(c[2], 32, json_object_get(p, "halts_per_s"), 1, "%.0f"),
                cell(c[3], 32, json_object_get(p, "poll_success_pct"), 1, "%.1f"),
                cell(c[4], 32, json_object_get(lat, "p50"), 1e3, "%.2f"),
                cell(c[5], 32, json_object_get(lat, "p99"), 1e3, "%.2f"),
                cell(c[6], 32, json_object_get(lat, "max"), 1e3, "%.2f"), tbuf, rbuf,
                cell(c[7], 32, json_object_get(p, "mean_halt_poll_ns"), 1e3, "%.2f"));
        if (vs)
            fprintf(f, " %9s %10s", cell(c[7], 32, json_object_get(vo, "extra_c0_pct"), 1, "%+.3f"),
                    cell(c[8], 32, json_object_get(vo, "extra_wakeup_mean_ns"), 1e3, "%+.2f"));
        fputc('\n', f);
    }
    if (vs)
        fprintf(f, "[bound]: the oracle knows each halt's length; not a real policy. "
                   "+%%C0, +wake_mean: each policy's distance from it.\n");
    io_table(f, policies);
}

static json_t *row_of(json_t *policies, const char *name)
{
    size_t i;
    json_t *p;
    json_array_foreach(policies, i, p)
        if (strcmp(json_string_value(json_object_get(p, "policy")), name) == 0)
            return p;
    return NULL;
}

/* One METRIC of the reference block: rows for the policies both sides have. */
static void reference_metric(FILE *f, const char *metric, json_t *ref, json_t *policies)
{
    const char *pol, *base = NULL;
    json_t *v;
    double model0 = 0, ref0 = 0;
    json_object_foreach(ref, pol, v) {
        json_t *row = row_of(policies, pol);
        json_t *mv = row ? json_object_get(row, metric) : NULL;
        if (!json_is_number(v) || !json_is_number(mv))
            continue;
        double mx = json_number_value(mv), rx = json_number_value(v);
        if (!base) {
            base = pol;
            model0 = mx;
            ref0 = rx;
            fprintf(f, "%-26s %10s %10s %12s %12s\n", metric, "model", "reference", "model/base", "ref/base");
        }
        fprintf(f, "%-26s %10.3f %10.3f %12.2f %12.2f\n", pol, mx, rx, model0 > 0 ? mx / model0 : 0,
                ref0 > 0 ? rx / ref0 : 0);
    }
    if (base)
        fprintf(f, "(base: %s)\n", base);
}

void results_reference(FILE *f, json_t *config, json_t *policies)
{
    json_t *ref = json_object_get(config, "_reference"), *v;
    const char *k;
    if (!json_is_object(ref))
        return;
    json_t *src = json_object_get(ref, "source");
    fprintf(f, "\n# reference: %s\n", json_is_string(src) ? json_string_value(src) : "(no source given)");
    json_object_foreach(ref, k, v)
        if (k[0] != '_' && json_is_object(v))
            reference_metric(f, k, v, policies);
}

/* Flatten the scalars of o into flat["prefix.key"], in insertion order. */
static void csv_flatten(json_t *flat, json_t *o, const char *prefix)
{
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v) {
        char name[256];
        snprintf(name, sizeof name, "%s%s%s", prefix, *prefix ? "." : "", k);
        if (json_is_object(v))
            csv_flatten(flat, v, name);
        else if (!json_is_array(v))
            json_object_set(flat, name, v);
    }
}

static void csv_value(FILE *f, json_t *v)
{
    if (json_is_string(v))
        fprintf(f, "\"%s\"", json_string_value(v));
    else if (json_is_integer(v))
        fprintf(f, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        fprintf(f, "%.10g", json_real_value(v));
    else if (json_is_boolean(v))
        fputs(json_is_true(v) ? "true" : "false", f);
}

/* The columns are the union of every row's, in order of first appearance,
 * so rows of different shapes (replay's "captured" row, with nulls where
 * others have objects) stay aligned; a row lacking a column leaves it empty. */
int results_csv(FILE *f, json_t *policies)
{
    json_t *cols = json_object(), *flats = json_array(), *p, *flat, *v;
    const char *k;
    size_t i;
    bool first = true;
    json_array_foreach(policies, i, p) {
        flat = json_object();
        csv_flatten(flat, p, "");
        json_object_foreach(flat, k, v)
            if (!json_object_get(cols, k))
                json_object_set(cols, k, json_true());
        json_array_append_new(flats, flat);
    }
    json_object_foreach(cols, k, v) {
        fprintf(f, "%s%s", first ? "" : ",", k);
        first = false;
    }
    if (json_array_size(policies))
        fputc('\n', f);
    json_array_foreach(flats, i, flat) {
        first = true;
        json_object_foreach(cols, k, v) {
            fputs(first ? "" : ",", f);
            first = false;
            csv_value(f, json_object_get(flat, k));
        }
        fputc('\n', f);
    }
    json_decref(cols);
    json_decref(flats);
    return ferror(f) ? -1 : 0;
}

bool results_ends_with(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && strcmp(s + n - m, suf) == 0;
}

/* Write CSV of rows (rows non-NULL) or doc as JSON dumped with flags to
 * path, whole or not at all (atomic_file.h). */
static int write_atomic(const char *path, json_t *doc, json_t *rows, size_t flags, struct hp_error *err)
{
    struct atomic_file a;
    if (atomic_open(&a, path, err) != 0)
        return -1;
    if (rows)
        a.failed = results_csv(a.f, rows) != 0;
    else
        a.failed = json_dumpf(doc, a.f, flags) != 0 || fputc('\n', a.f) == EOF;
    return atomic_commit(&a, err);
}

int results_write(const char *path, json_t *doc, struct hp_error *err)
{
    if (results_ends_with(path, ".csv"))
        return write_atomic(path, NULL, json_object_get(doc, "policies"), 0, err);
    return write_atomic(path, doc, NULL, RESULTS_JSON_FLAGS, err);
}

int results_write_csv(const char *path, json_t *rows, struct hp_error *err)
{
    return write_atomic(path, NULL, rows, 0, err);
}

int results_write_json(const char *path, json_t *doc, size_t flags, struct hp_error *err)
{
    return write_atomic(path, doc, NULL, flags, err);
}
