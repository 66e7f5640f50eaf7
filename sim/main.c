/*
 * main.c - the hpsim command line. Only this file prints errors and exits
 * (style.md point 8): everything below returns a struct hp_error.
 *
 *   hpsim [run] CONFIG [options]     compare policies on one config
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "policy.h"
#include "results.h"
#include "sim.h"
#include "version.h"
#include "workload.h"
#include "x86_costs.h"

static volatile int stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static int fail(const struct hp_error *err)
{
    fprintf(stderr, "hpsim: error: %s\n", err->msg);
    return err->code ? err->code : HP_EXIT_RUNTIME;
}

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "hpsim: error: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (see hpsim --help)\n");
    return HP_EXIT_USAGE;
}

static void help(FILE *f)
{
    fputs("usage: hpsim [run] CONFIG [options]\n"
          "       hpsim --list-policies | --help | --version\n"
          "\n"
          "Simulate KVM halt polling: run the config's workload under each policy and\n"
          "print, per policy, host %C0, poll time, wakeup latency and workload figures.\n"
          "\n"
          "options:\n"
          "  -o, --output FILE      write results: JSON, or CSV if FILE ends in .csv\n"
          "  -p, --policy LIST      policies to compare, comma separated (default: the\n"
          "                         config's \"policies\", else none,always,v3,v4,blocktime)\n"
          "  -s, --set PATH=VALUE   override any config field, e.g.\n"
          "                         --set policy.halt_poll_ns_grow=4 --set vms[0].vcpus=2\n"
          "      --seed N           random seed (default: the config's, else 1)\n"
          "      --duration SECONDS simulated time, decimals allowed\n"
          "  -q, --quiet            no table on stdout\n"
          "      --list-policies    list policies with their parameters and defaults\n"
          "  -h, --help             this help\n"
          "  -V, --version          print the version\n"
          "\n"
          "exit status: 0 ok, 1 runtime failure (I/O, memory), 2 bad input or usage,\n"
          "130 interrupted (no results file is left half-written).\n", f);
}

static void list_policies(void)
{
    for (const struct policy_ops *const *p = policy_registry; *p; p++) {
        printf("%-12s %s  [%s]\n", (*p)->name, (*p)->summary, (*p)->origin);
        for (int i = 0; (*p)->params && (*p)->params[i].name; i++) {
            const struct policy_param *pp = &(*p)->params[i];
            printf("    %-26s default %-10lld %-3s %s\n", pp->name, (long long)pp->def, pp->unit, pp->doc);
        }
    }
    printf("\nworkloads:\n");
    for (const struct workload_ops *const *w = workload_registry; *w; w++)
        printf("%-12s %s\n", (*w)->name, (*w)->summary);
    printf("\ncost profiles:");
    for (const char *const *n = x86_costs_profile_names(); *n; n++)
        printf(" %s", *n);
    printf("\n");
}

struct run_args {
    const char *config, *output, *policies;
    char **sets;
    int nsets;
    bool quiet;
};

static int run_all(const struct run_args *a)
{
    struct hp_error err = {0};
    json_t *root = cfg_load(a->config, a->sets, a->nsets, &err);
    if (!root)
        return fail(&err);
    struct sim_spec spec;
    if (sim_spec_load(root, a->config, a->policies, &spec, &err) != 0) {
        sim_spec_free(&spec);
        return fail(&err);
    }
    struct metrics *met = malloc(sizeof *met);
    json_t *rows = json_array();
    int rc = 0;
    struct sim_opts opts = { .stop = &stop_flag };
    for (int i = 0; i < spec.npolicies && met; i++) {
        const char *name = spec.policies[i].ops->name;
        opts.progress_label = name;
        if (sim_run(&spec, &spec.policies[i], &opts, met, &err) != 0) {
            if (err.code == HP_EXIT_INTERRUPTED)
                fprintf(stderr, "hpsim: interrupted during policy %s (%d of %d done); no results written\n",
                        name, i, spec.npolicies);
            else
                rc = fail(&err);
            rc = rc ? rc : HP_EXIT_INTERRUPTED;
            break;
        }
        json_array_append_new(rows, results_policy_json(&spec, name, met));
    }
    if (!met)
        rc = fail(&(struct hp_error){ HP_EXIT_RUNTIME, "out of memory" });
    free(met);
    json_t *doc = results_doc(&spec, rows);
    if (rc == 0 && !a->quiet) {
        char title[512];
        snprintf(title, sizeof title, "%s: %.3f s simulated, seed %llu, %lld vCPU(s) on %lld pCPU(s), costs %s",
                 spec.name, (double)spec.duration_ns / 1e9, (unsigned long long)spec.seed,
                 (long long)spec.nvcpus, (long long)spec.pcpus, spec.costs.profile);
        results_table(stdout, title, rows);
    }
    if (rc == 0 && a->output && results_write(a->output, doc, &err) != 0)
        rc = fail(&err);
    json_decref(doc);
    sim_spec_free(&spec);
    return rc;
}

static int parse_duration(const char *s, char **set_out)
{
    char *end;
    errno = 0;
    double d = strtod(s, &end);
    if (end == s || *end || errno || !(d > 0) || d > 1e6)
        return -1;
    if (asprintf(set_out, "duration_s=%.9g", d) < 0)
        return -1;
    return 0;
}

static int parse_seed(const char *s, char **set_out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || *end || errno || s[0] == '-' || v > INT64_MAX)
        return -1;
    return asprintf(set_out, "seed=%llu", v) < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, 0, 'o'},  {"policy", required_argument, 0, 'p'},
        {"set", required_argument, 0, 's'},     {"seed", required_argument, 0, 'S'},
        {"duration", required_argument, 0, 'D'}, {"quiet", no_argument, 0, 'q'},
        {"list-policies", no_argument, 0, 'L'}, {"help", no_argument, 0, 'h'},
        {"version", no_argument, 0, 'V'},       {0, 0, 0, 0},
    };
    struct run_args a = {0};
    char **sets = calloc((size_t)argc + 2, sizeof *sets);
    char *extra[2] = {0};   /* --seed / --duration, applied after --set */
    int c, rc;
    opterr = 0;  /* one line of our own instead of getopt's */
    if (argc > 1 && strcmp(argv[1], "run") == 0) {
        argv++;
        argc--;
    }
    while ((c = getopt_long(argc, argv, "o:p:s:qhV", opts, NULL)) != -1) {
        switch (c) {
        case 'o': a.output = optarg; break;
        case 'p': a.policies = optarg; break;
        case 's': sets[a.nsets++] = optarg; break;
        case 'q': a.quiet = true; break;
        case 'S':
            free(extra[0]);
            if (parse_seed(optarg, &extra[0]))
                return usage_error("--seed '%s': expected a non-negative integer", optarg);
            break;
        case 'D':
            free(extra[1]);
            if (parse_duration(optarg, &extra[1]))
                return usage_error("--duration '%s': expected a number of seconds > 0", optarg);
            break;
        case 'L': list_policies(); return 0;
        case 'h': help(stdout); return 0;
        case 'V': printf("hpsim %s\n", HPSIM_VERSION); return 0;
        default:
            return usage_error("bad option '%s'", argv[optind - 1]);
        }
    }
    for (int i = 0; i < 2; i++)
        if (extra[i])
            sets[a.nsets++] = extra[i];
    if (optind >= argc)
        return usage_error("%s", "missing CONFIG");
    if (optind + 1 < argc)
        return usage_error("unexpected argument '%s'", argv[optind + 1]);
    a.config = argv[optind];
    a.sets = sets;
    struct sigaction sa = { .sa_handler = on_signal };
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    rc = run_all(&a);
    free(extra[0]);
    free(extra[1]);
    free(sets);
    return rc;
}
