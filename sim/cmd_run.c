/*
 * cmd_run.c - `hpsim [run] CONFIG`: run the config's workload under each
 * policy and print one table row per policy; -o writes JSON or CSV.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "results.h"
#include "sim.h"

static void help(FILE *f)
{
    fputs("usage: hpsim [run] CONFIG [options]\n"
          "\n"
          "Simulate KVM halt polling: run the config's workload under each policy and\n"
          "print, per policy, host %C0, poll time, wakeup latency and workload figures.\n"
          "\n"
          "options:\n"
          "  -o, --output FILE      write results: JSON, or CSV if FILE ends in .csv\n"
          "  -p, --policy LIST      policies to compare, comma separated (default: the\n"
          "                         config's \"policies\", else none,always,v3,v4,blocktime,mainline)\n"
          "  -s, --set PATH=VALUE   override any config field, e.g.\n"
          "                         --set policy.halt_poll_ns_grow=4 --set vms[0].vcpus=2\n"
          "      --seed N           random seed (default: the config's, else 1)\n"
          "      --duration SECONDS simulated time, decimals allowed\n"
          "      --trace-policy FILE  write every window change as trace-cmd report lines\n"
          "                         of kvm_halt_poll_ns (guest_halt_poll_ns for guest-haltpoll);\n"
          "                         with several policies, one file each: FILE with the\n"
          "                         policy's name before the extension (t.mainline.trace)\n"
          "      --emit-trace FILE  write the simulated KVM events as trace-cmd report -t\n"
          "                         text (hpsim replay reads it back); one file per policy\n"
          "                         as for --trace-policy\n"
          "  -q, --quiet            no table on stdout\n"
          "      --list-policies    list policies with their parameters and defaults\n"
          "  -h, --help             this help\n"
          "\n"
          "exit status: 0 ok, 1 runtime failure (I/O, memory), 2 bad input or usage,\n"
          "130 interrupted (no results file is left half-written).\n", f);
}

struct run_args {
    const char *config, *output, *policies;
    struct cmd_traces traces;
    char **sets;
    int nsets;
    bool quiet;
};

static int run_all(const struct run_args *a)
{
    struct hp_error err = {0};
    if (cmd_check_outputs(a->output, &a->traces, &err) != 0)
        return cmd_fail(&err);
    json_t *root = cfg_load(a->config, a->sets, a->nsets, &err);
    if (!root)
        return cmd_fail(&err);
    struct sim_spec spec;
    if (sim_spec_load(root, a->config, a->policies, &spec, &err) != 0) {
        sim_spec_free(&spec);
        return cmd_fail(&err);
    }
    struct metrics *met = malloc(sizeof *met);
    json_t *rows = json_array();
    int rc = 0;
    struct sim_opts opts = { .stop = &cmd_stop };
    for (int i = 0; i < spec.npolicies && met; i++) {
        const char *name = spec.policies[i].name;
        opts.progress_label = name;
        if (cmd_run_policy(&spec, i, &a->traces, &opts, met, &err) != 0) {
            if (err.code == HP_EXIT_INTERRUPTED) {
                fprintf(stderr, "hpsim: interrupted during policy %s (%d of %d done); no results written\n",
                        name, i, spec.npolicies);
                rc = HP_EXIT_INTERRUPTED;
            } else {
                rc = cmd_fail(&err);
            }
            break;
        }
        json_array_append_new(rows, results_policy_json(&spec, name, met));
    }
    if (!met)
        rc = cmd_fail(&(struct hp_error){ HP_EXIT_RUNTIME, "out of memory" });
    free(met);
    json_t *doc = results_doc(&spec, rows);
    if (rc == 0 && !a->quiet) {
        char title[512];
        snprintf(title, sizeof title, "%s: %.3f s simulated, seed %llu, %lld vCPU(s) on %lld pCPU(s), costs %s",
                 spec.name, (double)spec.duration_ns / 1e9, (unsigned long long)spec.seed,
                 (long long)spec.nvcpus, (long long)spec.pcpus, spec.costs.profile);
        results_table(stdout, title, rows);
        results_reference(stdout, spec.root, rows);
    }
    if (rc == 0 && a->output && results_write(a->output, doc, &err) != 0)
        rc = cmd_fail(&err);
    json_decref(doc);
    sim_spec_free(&spec);
    return rc;
}

int cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, 0, 'o'},  {"policy", required_argument, 0, 'p'},
        {"set", required_argument, 0, 's'},     {"seed", required_argument, 0, 'S'},
        {"duration", required_argument, 0, 'D'}, {"quiet", no_argument, 0, 'q'},
        {"list-policies", no_argument, 0, 'L'}, {"help", no_argument, 0, 'h'},
        {"trace-policy", required_argument, 0, 'T'},
        {"emit-trace", required_argument, 0, 'E'},
        {0, 0, 0, 0},
    };
    struct run_args a = {0};
    char **sets = calloc((size_t)argc + 2, sizeof *sets);
    char *extra[2] = {0};   /* --seed / --duration, applied after --set */
    int c, rc = 0;
    opterr = 0;  /* one line of our own instead of getopt's */
    while ((c = getopt_long(argc, argv, "o:p:s:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'o': a.output = optarg; break;
        case 'p': a.policies = optarg; break;
        case 's': sets[a.nsets++] = optarg; break;
        case 'q': a.quiet = true; break;
        case 'T': a.traces.policy = optarg; break;
        case 'E': a.traces.events = optarg; break;
        case 'S':
        case 'D': rc = cmd_seed_duration_opt(NULL, c, optarg, extra); break;
        case 'L': cmd_list_policies(); goto out;
        case 'h': help(stdout); goto out;
        default: rc = cmd_usage_error(NULL, "bad option '%s'", argv[optind - 1]); break;
        }
        if (rc)
            goto out;
    }
    for (int i = 0; i < 2; i++)
        if (extra[i])
            sets[a.nsets++] = extra[i];
    if (optind >= argc) {
        rc = cmd_usage_error(NULL, "%s", "missing CONFIG");
        goto out;
    }
    if (optind + 1 < argc) {
        rc = cmd_usage_error(NULL, "unexpected argument '%s'", argv[optind + 1]);
        goto out;
    }
    a.config = argv[optind];
    a.sets = sets;
    cmd_catch_signals();
    rc = run_all(&a);
out:
    free(extra[0]);
    free(extra[1]);
    free(sets);
    return rc;
}
