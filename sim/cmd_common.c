/* cmd_common.c - helpers shared by the subcommands. See cmd.h. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "policy.h"
#include "polltrace.h"
#include "sim.h"
#include "trace_emit.h"
#include "workload.h"
#include "x86_costs.h"

volatile int cmd_stop;

static void on_signal(int sig)
{
    (void)sig;
    cmd_stop = 1;
}

void cmd_catch_signals(void)
{
    struct sigaction sa = { .sa_handler = on_signal };
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int cmd_fail(const struct hp_error *err)
{
    fprintf(stderr, "hpsim: error: %s\n", err->msg);
    return err->code ? err->code : HP_EXIT_RUNTIME;
}

int cmd_usage_error(const char *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "hpsim: error: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (see hpsim %s%s--help)\n", cmd ? cmd : "", cmd ? " " : "");
    return HP_EXIT_USAGE;
}

static int cmd_parse_duration(const char *s, char **set_out)
{
    char *end;
    errno = 0;
    double d = strtod(s, &end);
    if (end == s || *end || errno || !(d > 0) || d > 1e6)
        return -1;
    return asprintf(set_out, "duration_s=%.9g", d) < 0 ? -1 : 0;
}

static int cmd_parse_seed(const char *s, char **set_out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || *end || errno || s[0] == '-' || v > INT64_MAX)
        return -1;
    return asprintf(set_out, "seed=%llu", v) < 0 ? -1 : 0;
}

int cmd_seed_duration_opt(const char *cmd, int c, const char *arg, char *extra[2])
{
    int i = c == 'S' ? 0 : 1;
    free(extra[i]);
    extra[i] = NULL;
    if (c == 'S' && cmd_parse_seed(arg, &extra[0]))
        return cmd_usage_error(cmd, "--seed '%s': expected a non-negative integer", arg);
    if (c == 'D' && cmd_parse_duration(arg, &extra[1]))
        return cmd_usage_error(cmd, "--duration '%s': expected a number of seconds > 0", arg);
    return 0;
}

void cmd_list_policies(void)
{
    for (const struct policy_ops *const *p = policy_registry; *p; p++) {
        printf("%-16s %s  [%s]\n", (*p)->name, (*p)->summary, (*p)->origin);
        for (int i = 0; (*p)->params && (*p)->params[i].name; i++) {
            const struct policy_param *pp = &(*p)->params[i];
            printf("    %-28s default %-10lld %-4s %s\n", pp->name, (long long)pp->def, pp->unit, pp->doc);
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

/* The file for policy i: path itself when one policy runs. */
static int trace_path(char *buf, size_t n, const char *path, const struct sim_spec *spec, int i,
                      struct hp_error *err)
{
    if (spec->npolicies == 1)
        snprintf(buf, n, "%s", path);
    else if (polltrace_path_for(buf, n, path, spec->policies[i].name))
        return hp_errorf(err, HP_EXIT_USAGE, "%s: path too long", path);
    return 0;
}

static int open_emit(const struct sim_spec *spec, int i, const char *path, struct trace_emit *e,
                     struct hp_error *err)
{
    char file[4096], title[512];

    if (trace_path(file, sizeof file, path, spec, i, err))
        return -1;
    snprintf(title, sizeof title, "config %s, policy %s, duration_ns %lld, seed %llu",
             spec->name, spec->policies[i].name, (long long)spec->duration_ns,
             (unsigned long long)spec->seed);
    return trace_emit_open(e, file, title, &spec->policies[i], (int)spec->pcpus, err);
}

int cmd_run_policy(const struct sim_spec *spec, int i, const struct cmd_traces *t,
                   struct sim_opts *opts, struct metrics *met, struct hp_error *err)
{
    struct polltrace_writer w;
    struct trace_emit e = { 0 };
    char path[4096];
    int rc;

    opts->trace = NULL;
    opts->trace_ctx = NULL;
    opts->event = NULL;
    opts->event_ctx = NULL;
    if (t->policy) {
        if (trace_path(path, sizeof path, t->policy, spec, i, err) ||
            polltrace_open(&w, path, (int)spec->pcpus, err))
            return -1;
        opts->trace = polltrace_write;
        opts->trace_ctx = &w;
    }
    if (t->events) {
        if (open_emit(spec, i, t->events, &e, err)) {
            if (t->policy)
                polltrace_close(&w, false, NULL);
            return -1;
        }
        opts->event = trace_emit_event;
        opts->event_ctx = &e;
    }
    rc = sim_run(spec, &spec->policies[i], opts, met, err);
    if (t->policy && polltrace_close(&w, rc == 0, rc == 0 ? err : NULL) && rc == 0)
        rc = -1;
    if (t->events && trace_emit_close(&e, rc == 0, rc == 0 ? err : NULL) && rc == 0)
        rc = -1;
    /* The writers lived on this frame: leave no pointer to them behind. */
    opts->trace = NULL;
    opts->trace_ctx = NULL;
    opts->event = NULL;
    opts->event_ctx = NULL;
    return rc;
}

int cmd_check_output(const char *path, struct hp_error *err)
{
    char *dup = path ? strdup(path) : NULL;
    int rc = 0;
    if (dup && access(dirname(dup), W_OK | X_OK) != 0)
        rc = hp_errorf(err, HP_EXIT_RUNTIME, "%s: cannot write: %s", path, strerror(errno));
    free(dup);
    return rc;
}

/* Whether a and b name one file: the same name in the same directory,
 * however the directory is spelled (the files need not exist yet). */
static bool same_file(const char *a, const char *b)
{
    char *da = strdup(a), *db = strdup(b), *na = strdup(a), *nb = strdup(b);
    char ra[PATH_MAX], rb[PATH_MAX];
    bool same = da && db && na && nb && strcmp(basename(na), basename(nb)) == 0 &&
                realpath(dirname(da), ra) && realpath(dirname(db), rb) && strcmp(ra, rb) == 0;
    free(da);
    free(db);
    free(na);
    free(nb);
    return same;
}

int cmd_check_outputs(const char *output, const struct cmd_traces *t, struct hp_error *err)
{
    static const char *const opt[] = { "-o", "--trace-policy", "--emit-trace" };
    const char *path[] = { output, t->policy, t->events };
    for (int i = 0; i < 3; i++)
        for (int j = i + 1; j < 3; j++)
            if (path[i] && path[j] && same_file(path[i], path[j]))
                return hp_errorf(err, HP_EXIT_USAGE, "%s and %s name the same file (%s): give each its own",
                                 opt[i], opt[j], path[j]);
    return cmd_check_output(output, err);
}
