/*
 * cmd_validate.c - `hpsim validate CAPTURE...`: replay each capture under
 * mainline with the capture's own module parameters (hpsim replay's
 * machinery, cmd_replay_doc) and hold the simulation against the kernel:
 *   - window match: the share of halts whose simulated window in effect is
 *     the kernel's (model conformance, conformance.h), and beside it the
 *     per-halt decisions (the rule from the kernel's window, on the
 *     simulated halt's length);
 *   - the share of halts the poll caught, captured and simulated;
 *   - for a pair X and X_poll0 (the same scenario with the VM's halt_poll_ns
 *     at 0), what polling changes in the response latency: the probe's own
 *     p50 (probe.json), the capture's wakeup p50 (delivery -> kvm_vcpu_wakeup)
 *     and the simulated wakeup p50 (delivery -> guest running), X - X_poll0.
 * docs/validation.md shows the table on the shipped captures.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>

#include "capdir.h"
#include "cmd.h"
#include "replay.h"
#include "results.h"
#include "version.h"

#define VALIDATE_TARGET_PCT 95.0
#define POLL0_SUFFIX "_poll0"
#define LATE_SET "vms[0].workload.late_wakeups=captured"

static void help(FILE *f)
{
    fputs("usage: hpsim validate CAPTURE... [options]\n"
          "\n"
          "Replay each capture (a directory scripts/record.sh wrote, or a trace file)\n"
          "with mainline and the capture's own halt-polling parameters (recording.json)\n"
          "and print, per capture: the share of halts whose window matches the kernel's\n"
          "(target >= 95%) and of per-halt decisions, the share of halts caught by\n"
          "polling (captured, simulated) and, for a pair X and X_poll0, the change in\n"
          "the response latency p50 that polling makes: the probe's own (probe.json),\n"
          "the capture's wakeup p50 and the simulated one.\n"
          "\n"
          "options:\n"
          "  -o, --output FILE   write the rows: JSON, or CSV if FILE ends in .csv\n"
          "      --costs PROFILE x86 cost profile (default haswell-2015, or the\n"
          "                      included file's)\n"
          "      --include FILE  a fitted host profile (hpsim fit -o FILE)\n"
          "  -s, --set PATH=VALUE  override a field of each generated replay config\n"
          "  -q, --quiet         no table\n"
          "  -h, --help          this help\n"
          "\n"
          "exit status: 0 ok, 1 runtime failure, 2 bad input or usage, 130 interrupted.\n", f);
}

struct validate_args {
    const char *output, *costs, *include;
    char **sets;
    int nsets;
    bool quiet;
};

static double share_pct(json_t *row)
{
    json_int_t h = json_integer_value(json_object_get(row, "halts"));

    return h > 0 ? 100.0 * (double)json_integer_value(json_object_get(row, "poll_successes")) /
                       (double)h
                 : -1;
}

/* wakeup_latency_ns.p50 of a row in us, or null. */
static json_t *wake_p50_us(json_t *row)
{
    json_t *p = json_object_get(json_object_get(row, "wakeup_latency_ns"), "p50");

    return json_is_number(p) ? json_real(json_number_value(p) / 1000.0) : json_null();
}

static json_t *pct_or_null(double v)
{
    return v >= 0 ? json_real(v) : json_null();
}

/* The validation row of one capture from its replay document. */
static json_t *capture_row(const struct capdir *cd, const char *arg, json_t *doc)
{
    json_t *rows = json_object_get(doc, "policies"), *cap = json_array_get(rows, 0);
    json_t *sim = json_array_get(rows, 1), *conf = json_object_get(doc, "conformance");
    json_t *model = json_object_get(conf, "model_conformance"), *row;
    json_int_t dec = json_integer_value(json_object_get(model, "decisions"));

    row = json_pack("{s:s, s:s, s:s?, s:O, s:O, s:o, s:o, s:o, s:o, s:o, s:o}", "capture",
                    cd->name, "path", arg, "kernel_release", cd->kernel[0] ? cd->kernel : NULL,
                    "halts", json_object_get(cap, "halts"), "window_match_pct",
                    json_object_get(conf, "model_conformance_pct"), "decisions_match_pct",
                    dec > 0 ? json_real(100.0 * (double)json_integer_value(
                                  json_object_get(model, "decisions_matched")) / (double)dec)
                            : json_null(),
                    "polled_captured_pct", pct_or_null(share_pct(cap)), "polled_sim_pct",
                    pct_or_null(share_pct(sim)), "wake_p50_captured_us", wake_p50_us(cap),
                    "wake_p50_sim_us", wake_p50_us(sim), "resp_p50_probe_us",
                    cd->resp_p50_us >= 0 ? json_real(cd->resp_p50_us) : json_null());
    if (!json_is_number(json_object_get(conf, "model_conformance_pct")))
        json_object_set(row, "window_match_null_reason", json_object_get(model, "null_reason"));
    json_object_set(row, "params_source", json_object_get(conf, "params_source"));
    return row;
}

/* key of a minus key of b, or null when either is. */
static json_t *diff(json_t *a, json_t *b, const char *key)
{
    json_t *x = json_object_get(a, key), *y = json_object_get(b, key);

    return json_is_number(x) && json_is_number(y)
               ? json_real(json_number_value(x) - json_number_value(y)) : json_null();
}

/* Only captures side by side pair up: traces/probe/X does not pair with
 * traces/probe_repeat/X_poll0 (capdir.h: set). */
static bool same_set(json_t *a, json_t *b)
{
    const char *p = json_string_value(json_object_get(a, "set"));
    const char *q = json_string_value(json_object_get(b, "set"));

    return !p || !q || strcmp(p, q) == 0;
}

/* Give each row X whose X_poll0 is among the rows, in the same directory,
 * the paired changes. */
static void pair_rows(json_t *rows)
{
    size_t i, j;
    json_t *x, *y;

    json_array_foreach(rows, i, x) {
        const char *n = json_string_value(json_object_get(x, "capture"));

        json_array_foreach(rows, j, y) {
            const char *m = json_string_value(json_object_get(y, "capture"));
            size_t len = strlen(n);

            if (strncmp(m, n, len) != 0 || strcmp(m + len, POLL0_SUFFIX) != 0 || !same_set(x, y))
                continue;
            json_object_set_new(x, "paired_with", json_string(m));
            json_object_set_new(x, "d_resp_p50_probe_us", diff(x, y, "resp_p50_probe_us"));
            json_object_set_new(x, "d_wake_p50_captured_us", diff(x, y, "wake_p50_captured_us"));
            json_object_set_new(x, "d_wake_p50_sim_us", diff(x, y, "wake_p50_sim_us"));
        }
    }
    /* The set served the pairing; an absolute path has no place in results. */
    json_array_foreach(rows, i, x)
        json_object_del(x, "set");
}

/* One cell into buf: the number at key with fmt, or "-". */
static void cell(char *buf, size_t n, json_t *row, const char *key, const char *fmt)
{
    json_t *v = json_object_get(row, key);

    if (json_is_number(v))
        snprintf(buf, n, fmt, json_number_value(v));
    else
        snprintf(buf, n, "-");
}

static void print_table(FILE *f, json_t *rows, const char *costs)
{
    static const char *const keys[] = {
        "window_match_pct", "decisions_match_pct", "window_match_late_pct", "late_holdups",
        "polled_captured_pct", "polled_sim_pct", "d_resp_p50_probe_us", "d_wake_p50_captured_us",
        "d_wake_p50_sim_us",
    };
    static const char *const fmts[] = { "%.2f", "%.2f", "%.2f", "%.0f", "%.1f", "%.1f", "%+.2f",
                                        "%+.2f", "%+.2f" };
    const char *kernel = json_string_value(json_object_get(json_array_get(rows, 0),
                                                           "kernel_release"));
    char buf[9][32];
    size_t i;
    json_t *r;

    fprintf(f, "# hpsim validate: mainline replayed with each capture's parameters, kernel %s, "
            "costs %s\n", kernel ? kernel : "unknown", costs);
    fprintf(f, "%-26s %6s %8s %8s %8s %5s %9s %6s %10s %10s %8s\n", "capture", "halts",
            "window%", "decide%", "window%", "late", "polled%", "", "d_resp_p50", "d_wake_p50",
            "");
    fprintf(f, "%-26s %6s %8s %8s %8s %5s %9s %6s %10s %10s %8s\n", "", "", "model", "", "+late",
            "", "captured", "sim", "probe us", "capt. us", "sim us");
    json_array_foreach(rows, i, r) {
        for (int k = 0; k < 9; k++)
            cell(buf[k], sizeof buf[k], r, keys[k], fmts[k]);
        fprintf(f, "%-26s %6lld %8s %8s %8s %5s %9s %6s %10s %10s %8s\n",
                json_string_value(json_object_get(r, "capture")),
                (long long)json_integer_value(json_object_get(r, "halts")), buf[0], buf[1],
                buf[2], buf[3], buf[4], buf[5], buf[6], buf[7], buf[8]);
    }
    fprintf(f, "window%%: halts whose simulated window is the kernel's (target >= %.0f%%), "
            "by the model alone and with the host's hold-ups (late: late wakeups and halt entries) "
            "replayed as captured; decide%%: "
            "the rule on each simulated halt from the kernel's window; d_: X - X%s\n",
            VALIDATE_TARGET_PCT, POLL0_SUFFIX);
}

/* The window match again with the host's hold-ups replayed as captured (the
 * replay workload's "late_wakeups": "captured"), into row. */
static int late_figures(const struct validate_args *a, struct cmd_replay_req req, json_t *row,
                        struct hp_error *err)
{
    char **sets = calloc((size_t)a->nsets + 2, sizeof *sets);
    json_t *doc, *conf;

    if (!sets)
        return hp_errorf(err, HP_EXIT_RUNTIME, "out of memory");
    memcpy(sets, a->sets, (size_t)a->nsets * sizeof *sets);
    sets[a->nsets] = (char *)LATE_SET;
    req.sets = sets;
    req.nsets = a->nsets + 1;
    if (cmd_replay_doc(&req, &doc, err) != 0) {
        free(sets);
        return -1;
    }
    conf = json_object_get(doc, "conformance");
    json_object_set(row, "window_match_late_pct", json_object_get(conf, "model_conformance_pct"));
    json_t *cap = json_object_get(doc, "capture");
    json_int_t wakeups = json_integer_value(json_object_get(cap, "late_wakeups"));
    json_int_t entries = json_integer_value(json_object_get(cap, "late_entries"));
    json_object_set_new(row, "late_wakeups", json_integer(wakeups));
    json_object_set_new(row, "late_entries", json_integer(entries));
    json_object_set_new(row, "late_holdups", json_integer(wakeups + entries));
    json_decref(doc);
    free(sets);
    return 0;
}

/* Replay one capture (twice: see late_figures) and append its row. */
static int validate_one(const struct validate_args *a, const char *arg, json_t *rows,
                        char *costs, size_t ncosts, struct hp_error *err)
{
    struct capdir cd;
    struct cmd_replay_req req = { .policies = "mainline", .costs = a->costs,
                                  .include = a->include, .sets = a->sets, .nsets = a->nsets };
    json_t *doc = NULL, *row;
    int rcode = -1;

    if (capdir_open(arg, &cd, err) != 0)
        return -1;
    req.capture = cd.trace;
    req.dir = &cd;
    /* Read the capture (and the files beside it) once for both replays. */
    if (!(req.opened = replay_capture_new(cd.trace, 0, &cmd_stop, err)) || cmd_replay_doc(&req, &doc, err) != 0)
        goto out;
    row = capture_row(&cd, arg, doc);
    json_object_set_new(row, "set", json_string(cd.set));
    json_array_append_new(rows, row);
    if (late_figures(a, req, row, err) != 0)
        goto out;
    snprintf(costs, ncosts, "%s%s%s", json_string_value(json_object_get(json_object_get(
             json_object_get(doc, "config"), "costs"), "profile")),
             a->include ? " + " : "", a->include ? a->include : "");
    rcode = 0;
out:
    json_decref(doc);
    replay_capture_release(req.opened);
    return rcode;
}

static int validate_all(const struct validate_args *a, char **paths, int npaths)
{
    struct hp_error err = { 0 };
    json_t *rows = json_array(), *doc;
    char costs[4200] = "";
    int rc = 0;

    for (int i = 0; i < npaths && rc == 0; i++)
        rc = validate_one(a, paths[i], rows, costs, sizeof costs, &err);
    if (rc != 0) {
        json_decref(rows);
        return cmd_fail(&err);
    }
    pair_rows(rows);
    if (!a->quiet)
        print_table(stdout, rows, costs);
    doc = json_pack("{s:s, s:s, s:f, s:O}", "hpsim_version", HPSIM_VERSION, "costs", costs,
                    "target_window_match_pct", VALIDATE_TARGET_PCT, "captures", rows);
    if (a->output && (strlen(a->output) > 4 && results_ends_with(a->output, ".csv")
                          ? results_write_csv(a->output, rows, &err)
                          : results_write_json(a->output, doc, RESULTS_JSON_FLAGS, &err)) != 0)
        rc = cmd_fail(&err);
    json_decref(doc);
    json_decref(rows);
    return rc;
}

int cmd_validate(int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, 0, 'o'}, {"costs", required_argument, 0, 'C'},
        {"include", required_argument, 0, 'I'}, {"set", required_argument, 0, 's'},
        {"quiet", no_argument, 0, 'q'},        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    struct validate_args a = { 0 };
    int c, rc = 0;

    a.sets = calloc((size_t)argc + 1, sizeof *a.sets);
    if (!a.sets)
        return cmd_fail(&(struct hp_error){ HP_EXIT_RUNTIME, "out of memory" });
    opterr = 0;
    while (rc == 0 && (c = getopt_long(argc, argv, "o:s:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'o': a.output = optarg; break;
        case 'C': a.costs = optarg; break;
        case 'I': a.include = optarg; break;
        case 's': a.sets[a.nsets++] = optarg; break;
        case 'q': a.quiet = true; break;
        case 'h': help(stdout); free(a.sets); return 0;
        default: rc = cmd_usage_error("validate", "bad option '%s'", argv[optind - 1]); break;
        }
    }
    if (rc == 0 && optind >= argc)
        rc = cmd_usage_error("validate", "%s", "missing CAPTURE");
    if (rc == 0) {
        cmd_catch_signals();
        rc = validate_all(&a, argv + optind, argc - optind);
    }
    free(a.sets);
    return rc;
}
