/*
 * main.c - the hpsim command: dispatch to a subcommand (sim/cmd_*.c).
 *
 *   hpsim [run] CONFIG [options]   compare policies on one config
 * `hpsim CONFIG` is `hpsim run CONFIG`. Add a subcommand: write
 * sim/cmd_NAME.c, declare it in cmd.h, add one line to the table below.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "version.h"

static const struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"run", cmd_run, "compare policies on one config (the default command)"},
    {"sweep", cmd_sweep, "run a config over a grid of parameter values, in parallel"},
    {"merge", cmd_merge, "join the part files of a sharded sweep"},
    {"replay", cmd_replay, "replay a trace-cmd capture against each policy"},
    {"fit", cmd_fit, "estimate this host's costs from captures: a profile to include"},
    {"validate", cmd_validate, "hold mainline's replay of probe captures against the kernel"},
    {NULL, NULL, NULL},
};

static void help(void)
{
    printf("usage: hpsim [run] CONFIG [options]\n"
           "       hpsim COMMAND [options]       (hpsim COMMAND --help for each)\n"
           "       hpsim --list-policies | --help | --version\n\ncommands:\n");
    for (const struct command *c = commands; c->name; c++)
        printf("  %-10s %s\n", c->name, c->summary);
    printf("\nhpsim CONFIG is hpsim run CONFIG; see README.md for the config schema.\n"
           "exit status: 0 ok, 1 runtime failure, 2 bad input or usage, 130 interrupted.\n");
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        for (const struct command *c = commands; c->name; c++)
            if (strcmp(argv[1], c->name) == 0)
                return c->fn(argc - 1, argv + 1);
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
            help();
            return 0;
        }
        if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
            printf("hpsim %s\n", HPSIM_VERSION);
            return 0;
        }
    }
    return cmd_run(argc, argv);  /* hpsim CONFIG [options] */
}
