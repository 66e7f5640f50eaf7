/*
 * cmd_replay.c - `hpsim replay CAPTURE`: replay a trace-cmd capture open loop
 * against each policy (the replay workload, sim/workloads/replay.c) and print
 * the table of a synthetic run with a first row, "captured", computed from
 * the capture itself; then how well mainline reproduces the captured window
 * trajectory (conformance.h). docs/replay.md tells the whole story.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "conformance.h"
#include "replay.h"
#include "results.h"
#include "sim.h"

#define REPLAY_CFG "replay"   /* the generated config's name in messages */

static void help(FILE *f)
{
    fputs("usage: hpsim replay CAPTURE [options]\n"
          "\n"
          "Replay a trace-cmd capture (trace.dat, or trace-cmd report / tracefs text) open\n"
          "loop: each captured vCPU thread's wakeup arrivals and guest run bursts drive a\n"
          "simulated vCPU under each policy. The first row, \"captured\", is computed from\n"
          "the capture itself (\"-\" where the capture cannot support a figure). With\n"
          "kvm_halt_poll_ns lines and known module parameters, the rule and model\n"
          "conformance of mainline to the captured window trajectory follow the table.\n"
          "\n"
          "options:\n"
          "  -o, --output FILE      write results: JSON, or CSV if FILE ends in .csv\n"
          "  -p, --policy LIST      policies, comma separated (default: every policy but\n"
          "                         the example plugin)\n"
          "  -s, --set PATH=VALUE   override a field of the generated config, e.g.\n"
          "                         --set policy.mainline.halt_poll_ns=400000\n"
          "                         (module parameters: recording.json or recording.txt\n"
          "                         beside the capture, or its hpsim header, else --set)\n"
          "      --costs PROFILE    x86 cost profile (default haswell-2015)\n"
          "      --include FILE     a config fragment whose fields are defaults of the\n"
          "                         generated config (a host profile from hpsim fit)\n"
          "      --counter-hz HZ    frequency of a raw counter clock (default: estimated)\n"
          "      --emit-trace FILE  write each replay's simulated events as trace-cmd\n"
          "                         report -t text (one file per policy: FILE.POLICY.ext)\n"
          "      --trace-policy FILE  write each replay's window changes\n"
          "  -q, --quiet            no table on stdout\n"
          "  -h, --help             this help\n"
          "\n"
          "exit status: 0 ok, 1 runtime failure (I/O, memory), 2 bad input or usage\n"
          "(a capture that is not a trace, is truncated or corrupt, has a malformed line\n"
          "or no KVM events), 130 interrupted. No output file is left half-written.\n", f);
}

struct replay_args {
    const char *capture, *output, *policies, *costs, *include;
    struct replay_capture *opened;   /* capture already open (held, not taken), or NULL */
    const struct capdir *dir;        /* its directory already read, or NULL */
    struct cmd_traces traces;
    char **sets;
    int nsets;
    double counter_hz;
    bool quiet;
};

/* The default list: the 2015 policies, today's kernel with and without the
 * guest governor, and the oracle bound (not the example plugin). */
static char *all_policies(void)
{
    return strdup("none,always,v3,v4,blocktime,toggle,mainline,guest-haltpoll+mainline,oracle");
}

/* The last path part of "a.b.KEY=V": KEY, its length in *len; NULL if none. */
static const char *set_key(const char *s, size_t *len)
{
    const char *eq = strchr(s, '='), *k = eq;

    while (k && k > s && k[-1] != '.')
        k--;
    if (!eq || k == s)
        return NULL;
    *len = (size_t)(eq - k);
    return k;
}

/* Does the user's --set give this policy key (shared or mainline's own)? */
static bool user_sets(const struct replay_args *a, const char *assignment)
{
    size_t klen, ulen;
    const char *key = set_key(assignment, &klen);

    for (int i = 0; key && i < a->nsets; i++) {
        const char *u = set_key(a->sets[i], &ulen);

        if (strncmp(a->sets[i], "policy.", 7) == 0 && u && ulen == klen &&
            strncmp(u, key, klen) == 0)
            return true;
    }
    return false;
}

/* The generated config of a replay of rc. */
static json_t *replay_config(const struct replay_args *a, const struct replay_capture *rc)
{
    json_t *root = json_object(), *pin = json_array(), *wl;

    for (size_t i = 0; i < rc->cap.n_vcpus; i++)
        json_array_append_new(pin, json_integer(rc->pin[i]));
    wl = json_pack("{s:s, s:s}", "type", "replay", "capture", a->capture);
    if (a->counter_hz > 0)
        json_object_set_new(wl, "counter_hz", json_real(a->counter_hz));
    json_object_set_new(root, "name", json_sprintf("replay of %s", a->capture));
    json_object_set_new(root, "duration_s", json_real((double)rc->span_ns / 1e9));
    if (a->costs || !a->include)
        json_object_set_new(root, "costs", json_pack("{s:s}", "profile",
                                                     a->costs ? a->costs : "haswell-2015"));
    json_object_set_new(root, "host", json_pack("{s:i}", "pcpus", rc->npcpus));
    json_object_set_new(root, "policy", json_object());
    json_object_set_new(root, "vms", json_pack("[{s:s, s:i, s:I, s:o, s:o}]", "name", "capture",
                                               "count", 1, "vcpus", (json_int_t)rc->cap.n_vcpus,
                                               "pin", pin, "workload", wl));
    return root;
}

/* Host parameters first (unless the user sets the same key), then --set. */
static int apply_sets(const struct replay_args *a, json_t *root, char **host, int nhost,
                      struct hp_error *err)
{
    for (int i = 0; i < nhost; i++)
        if (!user_sets(a, host[i]) && cfg_set(root, REPLAY_CFG, host[i], err))
            return -1;
    for (int i = 0; i < a->nsets; i++)
        if (cfg_set(root, REPLAY_CFG, a->sets[i], err))
            return -1;
    return 0;
}

/* ---- conformance ---- */

struct replay_conf {
    const struct policy *mainline;   /* in the spec, NULL if not replayed */
    struct conformance rule, model;
    bool params_known;
    const char *params_source;
    char source_buf[160];
};

static json_t *conf_json(const struct conformance *c)
{
    if (c->null_why)
        return json_pack("{s:n, s:s}", "pct", "null_reason", c->null_why);
    return json_pack("{s:f, s:I, s:I, s:I, s:I, s:I, s:I, s:s}", "pct", conformance_pct(c), "halts",
                     (json_int_t)c->halts, "matched", (json_int_t)c->matched, "unpaired",
                     (json_int_t)c->unpaired, "unsure", (json_int_t)c->unsure,
                     "decisions", (json_int_t)c->decisions,
                     "decisions_matched", (json_int_t)c->decisions_matched, "first_miss",
                     c->first_miss);
}

static json_t *conformance_doc(const struct replay_conf *rcf)
{
    json_t *o = json_object(), *params = json_object();
    double r = conformance_pct(&rcf->rule), m = conformance_pct(&rcf->model);

    json_object_set_new(o, "policy", json_string("mainline"));
    if (rcf->mainline)
        for (int i = 0; rcf->mainline->ops->params[i].name; i++)
            json_object_set_new(params, rcf->mainline->ops->params[i].name,
                                json_integer(rcf->mainline->param[i]));
    json_object_set_new(o, "params", params);
    json_object_set_new(o, "params_source", rcf->params_source
                                                ? json_string(rcf->params_source) : json_null());
    json_object_set_new(o, "rule_conformance_pct", r >= 0 ? json_real(r) : json_null());
    json_object_set_new(o, "model_conformance_pct", m >= 0 ? json_real(m) : json_null());
    json_object_set_new(o, "rule_conformance", conf_json(&rcf->rule));
    json_object_set_new(o, "model_conformance", conf_json(&rcf->model));
    return o;
}

static void conf_line(FILE *f, const char *what, const struct conformance *c)
{
    if (c->null_why) {
        fprintf(f, "  %s conformance: - (%s)\n", what, c->null_why);
        return;
    }
    fprintf(f, "  %s conformance: %.2f%% of %lld halts", what, conformance_pct(c),
            (long long)c->halts);
    if (c->unpaired)
        fprintf(f, " (%lld not halted in the simulation)", (long long)c->unpaired);
    if (c->unsure)
        fprintf(f, " (%lld not compared: after events the capture lost)", (long long)c->unsure);
    if (c->decisions)
        fprintf(f, "; per-halt decisions %.2f%% of %lld", 100.0 * (double)c->decisions_matched /
                (double)c->decisions, (long long)c->decisions);
    if (c->first_miss[0])
        fprintf(f, "\n    first miss: %s", c->first_miss);
    fputc('\n', f);
}

static void conf_print(FILE *f, const struct replay_conf *rcf)
{
    fprintf(f, "conformance of mainline to the captured window trajectory");
    if (rcf->mainline && rcf->params_known)
        fprintf(f, " (halt_poll_ns %lld, grow %lld, grow_start %lld, shrink %lld; from %s)",
                (long long)rcf->mainline->param[0], (long long)rcf->mainline->param[1],
                (long long)rcf->mainline->param[2], (long long)rcf->mainline->param[3],
                rcf->params_source);
    fputs(":\n", f);
    conf_line(f, "rule", &rcf->rule);
    conf_line(f, "model", &rcf->model);
}

/* Model conformance from the replay workload's record of the mainline run. */
static int conf_model(const struct sim_spec *spec, const struct replay_capture *rc,
                      struct replay_conf *rcf)
{
    const int64_t **w = calloc(rc->cap.n_vcpus + 1, sizeof *w);
    const int64_t **h = calloc(rc->cap.n_vcpus + 1, sizeof *h);

    if (!w || !h) {
        free(w);
        free(h);
        return -1;
    }
    for (size_t i = 0; i < rc->cap.n_vcpus; i++)
        replay_workload_halts(&spec->vms[0].wl, i, &w[i], &h[i]);
    conformance_model(&rc->cap, rcf->mainline, (const int64_t *const *)w,
                      (const int64_t *const *)h, &rcf->model);
    free(w);
    free(h);
    return 0;
}

static void conf_nullify(struct replay_conf *rcf)
{
    static const char *unknown = "module parameters unknown: give --set "
                                 "policy.mainline.halt_poll_ns=... (and _grow, _grow_start, "
                                 "_shrink) or put recording.json beside the capture";
    if (!rcf->mainline) {
        rcf->rule.null_why = rcf->model.null_why = "mainline is not among the replayed policies";
    } else if (!rcf->params_known) {
        if (!rcf->rule.null_why)
            rcf->rule.null_why = unknown;
        if (!rcf->model.null_why)
            rcf->model.null_why = unknown;
    }
}

/* ---- the runs ---- */

static bool is_mainline(const struct policy *p)
{
    return strcmp(p->ops->name, "mainline") == 0 && !p->guest;
}

static int run_policies(const struct replay_args *a, const struct sim_spec *spec,
                        const struct replay_capture *rc, json_t *rows, struct replay_conf *rcf,
                        struct hp_error *err)
{
    struct metrics *met = malloc(sizeof *met);
    struct sim_opts opts = { .stop = &cmd_stop };

    if (!met)
        return hp_errorf(err, HP_EXIT_RUNTIME, "out of memory");
    for (int i = 0; i < spec->npolicies; i++) {
        const struct policy *p = &spec->policies[i];
        json_t *row;

        opts.progress_label = p->name;
        if (cmd_run_policy(spec, i, &a->traces, &opts, met, err) != 0) {
            free(met);
            return -1;
        }
        row = results_policy_json(spec, p->name, met);
        json_object_set_new(row, "waited_halt_ns",
                            json_integer(met->k.halt_poll_fail_ns + met->k.halt_wait_ns));
        json_array_append_new(rows, row);
        if (is_mainline(p) && !rcf->mainline) {
            rcf->mainline = p;
            conformance_rule(&rc->cap, p, &rcf->rule);
            if (conf_model(spec, rc, rcf) != 0) {
                free(met);
                return hp_errorf(err, HP_EXIT_RUNTIME, "out of memory");
            }
        }
    }
    free(met);
    return 0;
}

static json_t *capture_doc(const struct replay_capture *rc)
{
    json_t *o = json_object(), *vs = json_array();

    for (size_t i = 0; i < rc->cap.n_vcpus; i++) {
        const struct capture_vcpu *v = &rc->cap.vcpus[i];

        json_array_append_new(vs, json_pack("{s:i, s:i, s:s, s:i, s:i, s:I, s:I}", "pid", v->pid,
                                            "vcpu_id", v->vcpu_id, "comm", v->comm, "host_cpu",
                                            v->cpu, "pcpu", rc->pin[i], "halts",
                                            (json_int_t)v->n_halts, "halt_exits",
                                            (json_int_t)v->halt_exits));
    }
    json_object_set_new(o, "path", json_string(rc->path));
    json_object_set_new(o, "clock", json_string(rc->clock));
    json_object_set_new(o, "span_ns", json_integer(rc->span_ns));
    json_object_set_new(o, "events", json_integer(rc->cap.stats.events));
    json_object_set_new(o, "unknown_events", json_integer(rc->cap.stats.unknown));
    json_object_set_new(o, "vcpus", vs);
    return o;
}

static void print_table(const struct sim_spec *spec, const struct replay_capture *rc,
                        json_t *rows, const struct replay_conf *rcf)
{
    char title[4600];

    snprintf(title, sizeof title, "replay of %s: %.6f s, %zu vCPU thread(s) on %d pCPU(s), "
             "clock %s, costs %s", rc->path, (double)rc->span_ns / 1e9, rc->cap.n_vcpus,
             rc->npcpus, rc->clock, spec->costs.profile);
    results_table(stdout, title, rows);
    conf_print(stdout, rcf);
}

/* Load the capture, build and load the generated config. */
static int replay_spec(const struct replay_args *a, struct sim_spec *spec, struct replay_conf *rcf,
                       struct hp_error *err)
{
    struct replay_capture *rc = a->opened;
    char **host = NULL, *list = NULL;
    int nhost = 0, rcode = -1;
    json_t *root = NULL;

    memset(spec, 0, sizeof *spec);
    if (rc)
        replay_capture_hold(rc);
    else if (!(rc = replay_capture_new(a->capture, a->counter_hz, &cmd_stop, err)))
        return -1;
    /* The run lasts as long as the capture: say so in the capture's terms
     * rather than as an out-of-range duration_s of a config the user never wrote. */
    if (rc->span_ns < 1000 || rc->span_ns > 1000000LL * 1000000000LL) {
        hp_errorf(err, HP_EXIT_USAGE, "%s: the capture spans %lld ns: %s", a->capture,
                  (long long)rc->span_ns, rc->span_ns < 1000 ? "too short to replay (no halts?)"
                                                           : "more than 10^6 s (a timestamp glitch?)");
        replay_capture_release(rc);
        return -1;
    }
    if (replay_host_params(a->capture, a->dir, &host, &nhost, &rcf->params_source, err) != 0)
        goto out;
    if (!a->policies && !(list = all_policies())) {
        hp_errorf(err, HP_EXIT_RUNTIME, "out of memory");
        goto out;
    }
    rcf->params_known = nhost > 0;
    for (int i = 0; i < a->nsets; i++)
        if (strncmp(a->sets[i], "policy.", 7) == 0 && strstr(a->sets[i], "halt_poll_ns")) {
            snprintf(rcf->source_buf, sizeof rcf->source_buf, "--set%s%s",
                     rcf->params_known ? " over " : "", rcf->params_known ? rcf->params_source : "");
            rcf->params_source = rcf->source_buf;
            rcf->params_known = rcf->params_known || strstr(a->sets[i], "halt_poll_ns=");
            break;
        }
    root = replay_config(a, rc);
    if ((a->include && cfg_include(root, a->include, err) != 0) ||
        apply_sets(a, root, host, nhost, err) != 0)
        goto out;
    replay_handoff(rc);   /* the replay workload takes it over when it parses */
    rc = NULL;
    rcode = sim_spec_load(root, REPLAY_CFG, a->policies ? a->policies : list, spec, err);
    root = NULL;          /* owned by spec now */
out:
    for (int i = 0; i < nhost; i++)
        free(host[i]);
    free(host);
    free(list);
    json_decref(root);
    replay_handoff(NULL); /* not taken: a config error came first */
    replay_capture_release(rc);
    return rcode;
}

/* Replay a->capture under its policies into *doc (the -o document); on
 * success spec and *doc are the caller's. A failed run leaves *doc NULL. */
static int replay_doc(const struct replay_args *a, struct sim_spec *spec, struct replay_conf *rcf,
                      json_t **doc, struct hp_error *err)
{
    const struct replay_capture *rc;
    json_t *rows;

    *doc = NULL;
    if (replay_spec(a, spec, rcf, err) != 0)
        return -1;
    rc = replay_workload_capture(&spec->vms[0].wl);
    rows = json_array();
    json_array_append_new(rows, replay_captured_row(rc));
    if (run_policies(a, spec, rc, rows, rcf, err) != 0) {
        json_decref(rows);
        return -1;
    }
    conf_nullify(rcf);
    *doc = results_doc(spec, rows);
    json_object_set_new(*doc, "capture", capture_doc(rc));
    json_object_set_new(json_object_get(*doc, "capture"), "late_wakeups",
                        json_integer(replay_workload_late(&spec->vms[0].wl)));
    json_object_set_new(json_object_get(*doc, "capture"), "late_entries",
                        json_integer(replay_workload_late_entries(&spec->vms[0].wl)));
    json_object_set_new(*doc, "conformance", conformance_doc(rcf));
    return 0;
}

int cmd_replay_doc(const struct cmd_replay_req *req, json_t **doc, struct hp_error *err)
{
    struct replay_args a = { .capture = req->capture, .opened = req->opened, .dir = req->dir,
                             .policies = req->policies,
                             .costs = req->costs, .include = req->include,
                             .sets = (char **)req->sets, .nsets = req->nsets, .quiet = true };
    struct replay_conf rcf = { 0 };
    struct sim_spec spec;
    int rcode = replay_doc(&a, &spec, &rcf, doc, err);

    sim_spec_free(&spec);
    return rcode;
}

static int replay_all(const struct replay_args *a)
{
    struct hp_error err = { 0 };
    struct replay_conf rcf = { 0 };
    struct sim_spec spec;
    const struct replay_capture *rc;
    json_t *doc;
    int rc_code = 0;

    if (cmd_check_outputs(a->output, &a->traces, &err) != 0)
        return cmd_fail(&err);
    if (replay_doc(a, &spec, &rcf, &doc, &err) != 0) {
        if (err.code == HP_EXIT_INTERRUPTED)
            fprintf(stderr, "hpsim: interrupted; no results written\n");
        rc_code = err.code == HP_EXIT_INTERRUPTED ? HP_EXIT_INTERRUPTED : cmd_fail(&err);
        sim_spec_free(&spec);
        return rc_code;
    }
    rc = replay_workload_capture(&spec.vms[0].wl);
    if (!a->quiet)
        print_table(&spec, rc, json_object_get(doc, "policies"), &rcf);
    if (a->output && results_write(a->output, doc, &err) != 0)
        rc_code = cmd_fail(&err);
    fflush(stdout);   /* the note comes last, after the table */
    if (rc_code == 0 && rc->cap.stats.unknown)
        fprintf(stderr, "hpsim: %lld events of other kinds skipped in %s\n",
                (long long)rc->cap.stats.unknown, rc->path);
    json_decref(doc);
    sim_spec_free(&spec);
    return rc_code;
}

int cmd_replay(int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, 0, 'o'},   {"policy", required_argument, 0, 'p'},
        {"set", required_argument, 0, 's'},      {"costs", required_argument, 0, 'C'},
        {"include", required_argument, 0, 'I'},
        {"counter-hz", required_argument, 0, 'H'}, {"emit-trace", required_argument, 0, 'E'},
        {"trace-policy", required_argument, 0, 'T'}, {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},           {0, 0, 0, 0},
    };
    struct replay_args a = { 0 };
    char *end;
    int c, rc = 0;

    a.sets = calloc((size_t)argc + 1, sizeof *a.sets);
    if (!a.sets)
        return cmd_fail(&(struct hp_error){ HP_EXIT_RUNTIME, "out of memory" });
    opterr = 0;
    while (rc == 0 && (c = getopt_long(argc, argv, "o:p:s:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'o': a.output = optarg; break;
        case 'p': a.policies = optarg; break;
        case 's': a.sets[a.nsets++] = optarg; break;
        case 'C': a.costs = optarg; break;
        case 'I': a.include = optarg; break;
        case 'E': a.traces.events = optarg; break;
        case 'T': a.traces.policy = optarg; break;
        case 'q': a.quiet = true; break;
        case 'H':
            a.counter_hz = strtod(optarg, &end);
            if (end == optarg || *end || !(a.counter_hz > 0) || a.counter_hz > 1e12)
                rc = cmd_usage_error("replay", "--counter-hz '%s': expected a frequency in Hz", optarg);
            break;
        case 'h': help(stdout); goto out;
        default: rc = cmd_usage_error("replay", "bad option '%s'", argv[optind - 1]); break;
        }
    }
    if (rc == 0 && optind >= argc)
        rc = cmd_usage_error("replay", "%s", "missing CAPTURE");
    else if (rc == 0 && optind + 1 < argc)
        rc = cmd_usage_error("replay", "unexpected argument '%s'", argv[optind + 1]);
    if (rc == 0) {
        a.capture = argv[optind];
        cmd_catch_signals();
        rc = replay_all(&a);
    }
out:
    free(a.sets);
    return rc;
}
