/*
 * cmd.h - hpsim's subcommands. Each lives in sim/cmd_NAME.c and is listed
 * once in main.c's table; only these functions print errors and choose exit
 * codes (see error.h).
 */
#ifndef HPSIM_CMD_H
#define HPSIM_CMD_H

#include "error.h"

/* argv[0] is the subcommand's name; getopt may be used freely. */
int cmd_run(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_fit(int argc, char **argv);
int cmd_validate(int argc, char **argv);

/* Shared by commands. */
extern volatile int cmd_stop;              /* set by SIGINT/SIGTERM */
void cmd_catch_signals(void);
int cmd_fail(const struct hp_error *err);  /* print "hpsim: error: MSG", return its code */
int cmd_usage_error(const char *cmd, const char *fmt, const char *arg);
/* --seed (c 'S') or --duration (c 'D') of cmd (NULL: run): its "seed=N" or
 * "duration_s=X" assignment into extra[0] or extra[1], replacing an earlier
 * one; 0, or the usage error's exit status. */
int cmd_seed_duration_opt(const char *cmd, int c, const char *arg, char *extra[2]);
void cmd_list_policies(void);
/* Fail before any run, not after it, when -o's directory cannot take the
 * file (the file itself is written later, to a temporary name, then renamed). */
int cmd_check_output(const char *path, struct hp_error *err);

struct sim_spec;
struct sim_opts;
struct metrics;
/* Traces a run may write: --trace-policy's window lines, --emit-trace's
 * events; NULL: not asked. With several policies, one file per policy. */
struct cmd_traces {
    const char *policy, *events;
};
/* cmd_check_output, and -o, --trace-policy and --emit-trace must name
 * different files (each is written whole, so one would silently replace
 * another). */
int cmd_check_outputs(const char *output, const struct cmd_traces *t, struct hp_error *err);
/* Run policy i of spec into *met, writing the traces asked for (never left
 * half-written). 0, or -1 with err filled. */
int cmd_run_policy(const struct sim_spec *spec, int i, const struct cmd_traces *t,
                   struct sim_opts *opts, struct metrics *met, struct hp_error *err);

/* One replay for another command (validate): capture, policies ("a,b"),
 * costs (a profile name) and include (a config fragment) as `hpsim replay`
 * takes them; sets are --set assignments. */
struct json_t;
struct replay_capture;
struct cmd_replay_req {
    const char *capture, *policies, *costs, *include;
    struct replay_capture *opened;   /* optional: capture already open (replay.h), held for the run */
    const struct capdir *dir;        /* optional: its directory already read (capdir.h) */
    char *const *sets;
    int nsets;
};
/* The document `hpsim replay -o` writes, in *doc (the caller's). 0, or -1
 * with err filled (bad capture or config, out of memory, interrupted). */
int cmd_replay_doc(const struct cmd_replay_req *req, struct json_t **doc, struct hp_error *err);

#endif
