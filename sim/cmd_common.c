/* cmd_common.c - helpers shared by the subcommands. See cmd.h. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "policy.h"
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

int cmd_parse_duration(const char *s, char **set_out)
{
    char *end;
    errno = 0;
    double d = strtod(s, &end);
    if (end == s || *end || errno || !(d > 0) || d > 1e6)
        return -1;
    return asprintf(set_out, "duration_s=%.9g", d) < 0 ? -1 : 0;
}

int cmd_parse_seed(const char *s, char **set_out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || *end || errno || s[0] == '-' || v > INT64_MAX)
        return -1;
    return asprintf(set_out, "seed=%llu", v) < 0 ? -1 : 0;
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
