/*
 * cmd_merge.c - `hpsim merge PART... -o FILE`: join the part files of a
 * sweep run with --shard K/N into the CSV or JSON a single run gives, after
 * checking they are the N shards of one sweep and each is complete.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "sweep.h"

static void help(FILE *f)
{
    fputs("usage: hpsim merge PART... [-o FILE]\n"
          "\n"
          "Join the part files written by `hpsim sweep ... --shard K/N -o PART` for\n"
          "K = 1..N into exactly the output of the same sweep run whole: CSV, or JSON\n"
          "if FILE ends in .json; default CSV on stdout. The parts must come from the\n"
          "same hpsim, config, sweep, policies and repetitions, one per shard, each\n"
          "complete; parts may be given in any order.\n"
          "\n"
          "options:\n"
          "  -o, --output FILE   where to write (atomically)\n"
          "  -h, --help          this help\n"
          "\n"
          "exit status: 0 ok, 1 runtime failure, 2 bad or mismatched parts or usage.\n", f);
}

int cmd_merge(int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, 0, 'o'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0},
    };
    const char *output = NULL;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': output = optarg; break;
        case 'h': help(stdout); return 0;
        default: return cmd_usage_error("merge", "bad option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return cmd_usage_error("merge", "%s", "missing PART files");
    struct hp_error err = {0};
    json_t *head, *points;
    int rc = sweep_merge(argv + optind, argc - optind, &head, &points, &err);
    if (rc == 0)
        rc = sweep_write_result(output, head, points, &err);
    json_decref(head);
    json_decref(points);
    return rc ? cmd_fail(&err) : 0;
}
