/*
 * cmd_fit.c - `hpsim fit CAPTURE... [-o host.json]`: estimate this host's
 * costs from captures (sim/fit.h) and write them as a config fragment that
 * any config includes ("include": "host.json") and `hpsim replay|validate
 * --include` takes. docs/validation.md tells what each estimator reads.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capdir.h"
#include "capture.h"
#include "cmd.h"
#include "fit.h"
#include "results.h"

static void help(FILE *f)
{
    fputs("usage: hpsim fit CAPTURE... [options]\n"
          "\n"
          "Estimate the host's costs from captures (a directory scripts/record.sh wrote,\n"
          "or a trace file): the HLT exit, the poll loop's wakeup detection, the resume\n"
          "after a poll hit (where kvm_entry is traced) and the block/wake path as a\n"
          "C-state table. Fields the captures cannot show keep the base profile's\n"
          "values. The result is a config fragment {\"costs\": ..., \"_fit\": provenance}.\n"
          "\n"
          "options:\n"
          "  -o, --output FILE   write the fragment there (else print it) and print a\n"
          "                      summary of the estimates\n"
          "  -b, --base PROFILE  the profile the fitted fields override (haswell-2015)\n"
          "  -h, --help          this help\n"
          "\n"
          "exit status: 0 ok, 1 runtime failure, 2 bad input or usage.\n", f);
}

struct fit_args {
    const char *output, *base;
    char **paths;
    int npaths;
};

/* "hpsim fit ARGS..." for the provenance. */
static char *command_line(int argc, char **argv)
{
    size_t len = strlen("hpsim") + 1;
    char *s;

    for (int i = 0; i < argc; i++)
        len += strlen(argv[i]) + 1;
    s = malloc(len);
    if (!s)
        return NULL;
    strcpy(s, "hpsim");
    for (int i = 0; i < argc; i++) {
        strcat(s, " ");
        strcat(s, argv[i]);
    }
    return s;
}

static void print_summary(FILE *f, const struct fit_result *r, const struct x86_costs *base)
{
    const struct { const char *name; const struct fit_estimate *e; int64_t base; } row[] = {
        {"hlt_exit_ns", &r->hlt_exit, base->hlt_exit_ns},
        {"poll_iter_ns", &r->poll_iter, base->poll_iter_ns},
        {"poll_hit_resume_ns", &r->poll_hit_resume, base->poll_hit_resume_ns},
    };

    fprintf(f, "%-22s %12s %10s %14s\n", "field", "fitted ns", "samples", base->profile);
    for (size_t i = 0; i < sizeof row / sizeof row[0]; i++) {
        if (row[i].e->n)
            fprintf(f, "%-22s %12lld %10lld %14lld\n", row[i].name, (long long)row[i].e->value,
                    (long long)row[i].e->n, (long long)row[i].base);
        else
            fprintf(f, "%-22s %12s %10d %14lld\n", row[i].name, "-", 0, (long long)row[i].base);
    }
    for (int i = 0; i < r->nstates; i++)
        fprintf(f, "cstate %-15s %12lld %10lld %14s  (wake p50 %lld ns, residency %lld ns)\n",
                r->cstate[i].name, (long long)r->cstate[i].actual_exit_ns,
                (long long)r->state_n[i], "-", (long long)r->state_wake_ns[i],
                (long long)r->cstate[i].target_residency_ns);
    if (!r->nstates)
        fprintf(f, "%-22s %12s %10d %14s\n", "cstates", "-", 0, "kept");
}

/* Load every capture; kernels[i] points into dirs[i]. */
static int load_all(const struct fit_args *a, struct capdir *dirs, struct capture *caps,
                    struct fit_input *in, const char **kernels, struct hp_error *err)
{
    for (int i = 0; i < a->npaths; i++) {
        if (capdir_open(a->paths[i], &dirs[i], err) != 0 ||
            capture_load(dirs[i].trace, 0, NULL, &caps[i], err) != 0)
            return -1;
        in[i] = (struct fit_input){ &caps[i], a->paths[i], dirs[i].vm_max_ns == 0 ? 0 : -1 };
        kernels[i] = dirs[i].kernel[0] ? dirs[i].kernel : NULL;
    }
    return 0;
}

static int fit_write(const struct fit_args *a, const struct fit_result *r,
                     const struct x86_costs *base, json_t *frag, struct hp_error *err)
{
    if (!a->output) {
        if (json_dumpf(frag, stdout, RESULTS_JSON_FLAGS) != 0)
            return hp_errorf(err, HP_EXIT_RUNTIME, "cannot write to stdout");
        fputc('\n', stdout);
        return 0;
    }
    if (results_write_json(a->output, frag, RESULTS_JSON_FLAGS, err) != 0)
        return -1;
    print_summary(stdout, r, base);
    return 0;
}

static int fit_all(const struct fit_args *a, const char *command)
{
    struct hp_error err = { 0 };
    struct capdir *dirs = calloc((size_t)a->npaths, sizeof *dirs);
    struct capture *caps = calloc((size_t)a->npaths, sizeof *caps);
    struct fit_input *in = calloc((size_t)a->npaths, sizeof *in);
    const char **kernels = calloc((size_t)a->npaths, sizeof *kernels);
    struct fit_result r = { 0 };
    struct x86_costs base;
    json_t *frag = NULL;
    int rc = -1;

    if (!dirs || !caps || !in || !kernels)
        hp_errorf(&err, HP_EXIT_RUNTIME, "out of memory");
    else if (x86_costs_profile(a->base, &base) != 0)
        hp_errorf(&err, HP_EXIT_USAGE, "--base '%s': unknown cost profile (hpsim "
                  "--list-policies lists them)", a->base);
    else if (load_all(a, dirs, caps, in, kernels, &err) == 0 &&
             fit_estimate(in, (size_t)a->npaths, &base, &r, &err) == 0 &&
             (frag = fit_fragment(&r, &base, in, kernels, (size_t)a->npaths, command)))
        rc = fit_write(a, &r, &base, frag, &err);
    if (rc == -1 && !err.msg[0])
        hp_errorf(&err, HP_EXIT_RUNTIME, "out of memory");
    json_decref(frag);
    fit_free(&r);
    for (int i = 0; caps && i < a->npaths; i++)
        capture_free(&caps[i]);
    free(dirs);
    free(caps);
    free(in);
    free(kernels);
    return rc == 0 ? 0 : cmd_fail(&err);
}

int cmd_fit(int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, 0, 'o'}, {"base", required_argument, 0, 'b'},
        {"help", no_argument, 0, 'h'},         {0, 0, 0, 0},
    };
    struct fit_args a = { .base = "haswell-2015" };
    char *command;
    int c, rc;

    opterr = 0;
    while ((c = getopt_long(argc, argv, "o:b:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': a.output = optarg; break;
        case 'b': a.base = optarg; break;
        case 'h': help(stdout); return 0;
        default: return cmd_usage_error("fit", "bad option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return cmd_usage_error("fit", "%s", "missing CAPTURE");
    a.paths = argv + optind;
    a.npaths = argc - optind;
    command = command_line(argc, argv);
    if (!command)
        return cmd_fail(&(struct hp_error){ HP_EXIT_RUNTIME, "out of memory" });
    rc = fit_all(&a, command);
    free(command);
    return rc;
}
