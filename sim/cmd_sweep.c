/*
 * cmd_sweep.c - `hpsim sweep CONFIG PARAM=VALUES...`: run every point of a
 * parameter sweep (sweep.h) under each policy, repeated --reps times, in -j
 * worker processes, and write one row per point and policy; with --shard
 * K/N, only the K-th part, into a part file for `hpsim merge`.
 *
 * A run is one (point, repetition) pair under every policy; its seed comes
 * from the point and the repetition (sweep_seed), so a result never depends
 * on which worker ran it or on -j. Workers take runs from a shared counter
 * and send each run's rows back as one JSON line on a pipe; the parent files
 * them by point, so the output is the same bytes whatever -j is.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "results.h"
#include "sim.h"
#include "sweep.h"

static void help(FILE *f)
{
    fputs("usage: hpsim sweep CONFIG PARAM=VALUES... [options]\n"
          "\n"
          "Run CONFIG at every combination of the swept values (the cartesian product)\n"
          "under each policy; write one row per point and policy: the swept values,\n"
          "then every metric of a single run (see hpsim run).\n"
          "\n"
          "PARAM is a config path as for --set (policy.halt_poll_ns_grow, vms[0].vcpus,\n"
          "host.pcpus); VALUES is one of\n"
          "  V1,V2,...        a list                  policy.halt_poll_ns_grow=2,4,8\n"
          "  LO:HI:STEP       LO to HI by STEP        policy.halt_poll_ns_grow=1:16:1\n"
          "  LO*FACTOR..HI    LO times FACTOR^i <= HI  policy.halt_poll_ns=1000*2..512000\n"
          "\n"
          "options:\n"
          "  -o, --output FILE      CSV (a header line, then the rows), or JSON if FILE\n"
          "                         ends in .json; default CSV on stdout. With --shard,\n"
          "                         the part file (JSON) for hpsim merge\n"
          "  -p, --policy LIST      policies, comma separated (default: the config's)\n"
          "  -s, --set PATH=VALUE   override a config field for every point\n"
          "      --seed N           base seed (default: the config's); the run of point\n"
          "                         P, repetition R uses a seed mixed from (N, P, R)\n"
          "      --common-seeds     the same seeds at every point (mixed from (N, 0, R)):\n"
          "                         common random numbers, smoother curves\n"
          "      --duration SECONDS simulated time of each run\n"
          "  -r, --reps N           repetitions per point (default 1); N > 1 reports the\n"
          "                         mean and adds KEY_ci95, the 95% confidence half-width\n"
          "  -j, --jobs N           worker processes (default: the number of CPUs);\n"
          "                         the output does not depend on N\n"
          "      --shard K/N        run only points P with P mod N = K-1; -o FILE is then\n"
          "                         a part file, hpsim merge joins the N parts\n"
          "  -h, --help             this help\n"
          "\n"
          "A progress line goes to stderr when it is a terminal. Exit status: 0 ok,\n"
          "1 runtime failure, 2 bad input or usage, 130 interrupted (nothing written).\n"
          "See docs/sweeps.md.\n", f);
}

struct sweep_args {
    const char *config, *output, *policies;
    char **sets;
    int nsets, reps, jobs, shard_k, shard_n;
    struct sweep sw;
};

/* The sweep being run: the runs of this shard and their results so far. */
struct sweep_ctx {
    const struct sweep_args *a;
    json_t *base;           /* the config after --set, before any swept value */
    int64_t *runs;          /* run r is point runs[r] / reps, repetition % reps */
    int64_t nruns, done;
    json_t ***rep_rows;     /* [point][rep]: that run's array of policy objects */
    uint64_t **seeds;       /* [point][rep] */
    int *reps_done;         /* [point] */
    json_t *points;         /* complete point objects, in completion order */
    double t0, next_show;
};

/* ---- one run ---- */

/* "point 3 (a=1, b=2)" into buf, for messages. */
static const char *point_name(const struct sweep *sw, int64_t point, char *buf, size_t n)
{
    size_t len = (size_t)snprintf(buf, n, "point %lld", (long long)point);
    for (int p = 0; p < sw->nparams && len < n; p++)
        len += (size_t)snprintf(buf + len, n - len, "%s%s=%s", p ? ", " : " (", sw->params[p].path,
                                sw->params[p].values[sweep_value_index(sw, point, p)]);
    if (sw->nparams && len < n)
        snprintf(buf + len, n - len, ")");
    return buf;
}

/* The spec of point with its swept values applied, or an error naming the point. */
static int point_spec(const struct sweep_ctx *c, int64_t point, struct sim_spec *spec, struct hp_error *err)
{
    json_t *root = json_deep_copy(c->base);
    int rc = root ? 0 : hp_errorf(err, HP_EXIT_RUNTIME, "out of memory");
    if (!rc && sweep_apply(&c->a->sw, point, root, c->a->config, err) != 0) {
        json_decref(root);
        rc = -1;
    }
    memset(spec, 0, sizeof *spec);
    if (!rc)
        rc = sim_spec_load(root, c->a->config, c->a->policies, spec, err);
    if (rc && err->code == HP_EXIT_USAGE) {
        char name[512], msg[sizeof err->msg];
        snprintf(msg, sizeof msg, "%s", err->msg);
        hp_errorf(err, HP_EXIT_USAGE, "sweep %s: %s", point_name(&c->a->sw, point, name, sizeof name), msg);
    }
    return rc;
}

/* Run number run: every policy at its point with its repetition's seed. */
static int run_one(const struct sweep_ctx *c, int64_t run, json_t **rows, uint64_t *seed,
                   struct hp_error *err)
{
    int64_t point = c->runs[run] / c->a->reps;
    int rep = (int)(c->runs[run] % c->a->reps);
    struct sim_spec spec;
    struct metrics *met = NULL;
    int rc = point_spec(c, point, &spec, err);
    if (!rc && !(met = malloc(sizeof *met)))
        rc = hp_errorf(err, HP_EXIT_RUNTIME, "out of memory");
    /* Common random numbers: with --common-seeds every point sees the same
     * arrivals, so differences between points are the swept value's alone. */
    *seed = spec.seed = sweep_seed(spec.seed, c->a->sw.common_seeds ? 0 : point, rep);
    *rows = json_array();
    struct sim_opts opts = { .stop = &cmd_stop };
    for (int i = 0; i < spec.npolicies && !rc; i++) {
        /* sim_run looks at the flag only every 2^20 events: look between runs too. */
        rc = cmd_stop ? hp_errorf(err, HP_EXIT_INTERRUPTED, "interrupted")
                      : sim_run(&spec, &spec.policies[i], &opts, met, err);
        if (!rc)
            json_array_append_new(*rows, results_policy_json(&spec, spec.policies[i].ops->name, met));
    }
    free(met);
    sim_spec_free(&spec);
    if (rc) {
        json_decref(*rows);
        *rows = NULL;
    } else {
        results_add_bound_distance(*rows);   /* "vs_oracle", as hpsim run's rows have */
    }
    return rc;
}

/* ---- results as they come ---- */

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void progress(struct sweep_ctx *c, bool last)
{
    if (!isatty(STDERR_FILENO))
        return;
    double now = wall_now();
    if (!last && now < c->next_show)
        return;
    c->next_show = now + 0.25;
    if (last) {
        fprintf(stderr, "\r\033[K");
        return;
    }
    double rate = c->done / (now - c->t0 + 1e-9);
    fprintf(stderr, "\rsweep: %lld/%lld %s done", (long long)c->done, (long long)c->nruns,
            c->a->reps > 1 ? "point-reps" : "points");
    if (c->done)
        fprintf(stderr, ", %.2f/s, ~%.0f s left", rate, (double)(c->nruns - c->done) / rate);
    fprintf(stderr, "\033[K");
}

/* File one run's rows (taking them); a point is built once its reps are in. */
static int take_rows(struct sweep_ctx *c, int64_t run, json_t *rows, uint64_t seed, struct hp_error *err)
{
    int reps = c->a->reps;
    int64_t point = c->runs[run] / reps;
    int rep = (int)(c->runs[run] % reps);
    if (!c->rep_rows[point]) {
        c->rep_rows[point] = calloc((size_t)reps, sizeof **c->rep_rows);
        c->seeds[point] = calloc((size_t)reps, sizeof **c->seeds);
        if (!c->rep_rows[point] || !c->seeds[point]) {
            json_decref(rows);
            return hp_errorf(err, HP_EXIT_RUNTIME, "out of memory");
        }
    }
    c->rep_rows[point][rep] = rows;
    c->seeds[point][rep] = seed;
    c->done++;
    if (++c->reps_done[point] == reps) {
        json_t *pt = sweep_point(&c->a->sw, point, c->rep_rows[point], c->seeds[point], reps);
        json_array_append_new(c->points, pt);   /* sort_points orders them by index */
        for (int r = 0; r < reps; r++)
            json_decref(c->rep_rows[point][r]);
        free(c->rep_rows[point]);
        free(c->seeds[point]);
        c->rep_rows[point] = NULL;
        c->seeds[point] = NULL;
    }
    progress(c, false);
    return 0;
}

static int cmp_points(const void *a, const void *b)
{
    json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "index"));
    json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "index"));
    return (x > y) - (x < y);
}

/* Points arrive in completion order; outputs list them by index. */
static json_t *sort_points(json_t *points)
{
    size_t n = json_array_size(points);
    json_t **v = malloc((n ? n : 1) * sizeof *v), *out = json_array();
    for (size_t i = 0; i < n; i++)
        v[i] = json_array_get(points, i);
    qsort(v, n, sizeof *v, cmp_points);
    for (size_t i = 0; i < n; i++)
        json_array_append(out, v[i]);
    free(v);
    return out;
}

/* ---- in this process (-j 1) ---- */

static int run_serial(struct sweep_ctx *c, struct hp_error *err)
{
    for (int64_t r = 0; r < c->nruns; r++) {
        json_t *rows;
        uint64_t seed;
        if (run_one(c, r, &rows, &seed, err) != 0 || take_rows(c, r, rows, seed, err) != 0)
            return -1;
    }
    return 0;
}

/* ---- worker processes ---- */

struct worker {
    pid_t pid;
    int fd;          /* read end of its pipe; -1 once closed */
    char *buf;
    size_t len, cap;
};

static int write_all(int fd, const char *s, size_t n)
{
    while (n) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR && !cmd_stop)
            continue;
        if (w <= 0)
            return -1;
        s += w;
        n -= (size_t)w;
    }
    return 0;
}

/* A worker: take runs from the shared counter until none is left; send each
 * as {"run", "seed", "rows"} or the first failure as {"error", "code"}. */
static void worker_main(struct sweep_ctx *c, long *next, int fd)
{
    for (;;) {
        int64_t r = __atomic_fetch_add(next, 1, __ATOMIC_RELAXED);
        if (r >= c->nruns)
            _exit(0);
        struct hp_error err = {0};
        json_t *rows, *msg;
        uint64_t seed;
        if (run_one(c, r, &rows, &seed, &err) != 0) {
            if (err.code == HP_EXIT_INTERRUPTED)
                _exit(HP_EXIT_INTERRUPTED);
            msg = json_pack("{s:s, s:i}", "error", err.msg, "code", err.code);
        } else {
            msg = json_pack("{s:I, s:I, s:o}", "run", (json_int_t)r, "seed", (json_int_t)seed, "rows", rows);
        }
        char *line = json_dumps(msg, JSON_COMPACT | JSON_REAL_PRECISION(17));
        bool failed = json_object_get(msg, "error") != NULL;
        if (!line || write_all(fd, line, strlen(line)) || write_all(fd, "\n", 1) || failed)
            _exit(failed ? err.code : HP_EXIT_RUNTIME);
        free(line);
        json_decref(msg);
    }
}

static int spawn(struct sweep_ctx *c, struct worker *w, int n, long *next, struct hp_error *err)
{
    for (int i = 0; i < n; i++) {
        int p[2];
        if (pipe(p) != 0)
            return hp_errorf(err, HP_EXIT_RUNTIME, "pipe: %s", strerror(errno));
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0) {
            close(p[0]);
            close(p[1]);
            return hp_errorf(err, HP_EXIT_RUNTIME, "fork: %s", strerror(errno));
        }
        if (pid == 0) {
            close(p[0]);
            for (int j = 0; j < i; j++)
                close(w[j].fd);
            worker_main(c, next, p[1]);
        }
        close(p[1]);
        w[i].pid = pid;
        w[i].fd = p[0];
    }
    return 0;
}

/* Parse one line from a worker. */
static int take_line(struct sweep_ctx *c, const char *line, struct hp_error *err)
{
    json_error_t je;
    json_t *msg = json_loads(line, 0, &je);
    json_t *rows = json_object_get(msg, "rows");
    json_t *jr = json_object_get(msg, "run");
    int rc;
    if (json_is_string(json_object_get(msg, "error"))) {
        int code = (int)json_integer_value(json_object_get(msg, "code"));
        rc = hp_errorf(err, code ? code : HP_EXIT_RUNTIME, "%s", json_string_value(json_object_get(msg, "error")));
    } else if (!json_is_array(rows) || !json_is_integer(jr) || json_integer_value(jr) < 0 ||
               json_integer_value(jr) >= c->nruns) {
        rc = hp_errorf(err, HP_EXIT_RUNTIME, "a worker sent a malformed result");
    } else {
        uint64_t seed = (uint64_t)json_integer_value(json_object_get(msg, "seed"));
        rc = take_rows(c, json_integer_value(jr), json_incref(rows), seed, err);
    }
    json_decref(msg);
    return rc;
}

/* Read what worker w has sent; handle each complete line. 1 at end of file. */
static int drain(struct sweep_ctx *c, struct worker *w, struct hp_error *err)
{
    if (w->cap - w->len < 65536) {
        size_t cap = w->cap ? 2 * w->cap : 262144;
        char *b = realloc(w->buf, cap);
        if (!b)
            return hp_errorf(err, HP_EXIT_RUNTIME, "out of memory");
        w->buf = b;
        w->cap = cap;
    }
    ssize_t got = read(w->fd, w->buf + w->len, w->cap - w->len - 1);
    if (got < 0)
        return errno == EINTR ? 0 : hp_errorf(err, HP_EXIT_RUNTIME, "reading a worker: %s", strerror(errno));
    if (got == 0)
        return 1;
    w->len += (size_t)got;
    w->buf[w->len] = '\0';
    char *start = w->buf, *nl;
    while ((nl = strchr(start, '\n'))) {
        *nl = '\0';
        if (take_line(c, start, err) != 0)
            return -1;
        start = nl + 1;
    }
    w->len -= (size_t)(start - w->buf);
    memmove(w->buf, start, w->len);
    return 0;
}

/* Wait for every worker; the first abnormal end becomes the error if none is set. */
static int reap(struct worker *w, int n, bool kill_them, int rc, struct hp_error *err)
{
    for (int i = 0; i < n; i++) {
        if (kill_them && w[i].pid > 0)
            kill(w[i].pid, SIGTERM);
        if (w[i].fd >= 0)
            close(w[i].fd);   /* a worker blocked writing gets EPIPE */
        w[i].fd = -1;
    }
    for (int i = 0; i < n; i++) {
        int st;
        if (w[i].pid <= 0 || waitpid(w[i].pid, &st, 0) < 0)
            continue;
        if (rc == 0 && WIFSIGNALED(st))
            rc = hp_errorf(err, HP_EXIT_RUNTIME, "a worker died of signal %d", WTERMSIG(st));
        else if (rc == 0 && WEXITSTATUS(st) != 0)
            rc = hp_errorf(err, WEXITSTATUS(st), WEXITSTATUS(st) == HP_EXIT_INTERRUPTED ? "interrupted"
                                                 : "a worker failed (exit %d)", WEXITSTATUS(st));
        free(w[i].buf);
    }
    return rc;
}

static int poll_workers(struct sweep_ctx *c, struct worker *w, int n, struct hp_error *err)
{
    struct pollfd pfd[n];
    int open = n;
    while (open > 0) {
        if (cmd_stop)
            return hp_errorf(err, HP_EXIT_INTERRUPTED, "interrupted");
        for (int i = 0; i < n; i++)
            pfd[i] = (struct pollfd){ .fd = w[i].fd, .events = POLLIN };
        if (poll(pfd, (nfds_t)n, 250) < 0 && errno != EINTR)
            return hp_errorf(err, HP_EXIT_RUNTIME, "poll: %s", strerror(errno));
        for (int i = 0; i < n; i++) {
            if (w[i].fd < 0 || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            int rc = drain(c, &w[i], err);
            if (rc < 0)
                return -1;
            if (rc == 1) {
                close(w[i].fd);
                w[i].fd = -1;
                open--;
            }
        }
        progress(c, false);
    }
    return 0;
}

static int run_parallel(struct sweep_ctx *c, int n, struct hp_error *err)
{
    long *next = mmap(NULL, sizeof *next, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    struct worker *w = calloc((size_t)n, sizeof *w);
    if (next == MAP_FAILED || !w) {
        free(w);
        return hp_errorf(err, HP_EXIT_RUNTIME, "out of memory");
    }
    *next = 0;
    for (int i = 0; i < n; i++)
        w[i].fd = -1;
    int rc = spawn(c, w, n, next, err);
    if (rc == 0)
        rc = poll_workers(c, w, n, err);
    rc = reap(w, n, rc != 0, rc, err);
    if (rc == 0 && c->done != c->nruns)
        rc = hp_errorf(err, HP_EXIT_RUNTIME, "workers ended with %lld of %lld runs done",
                       (long long)c->done, (long long)c->nruns);
    free(w);
    munmap(next, sizeof *next);
    return rc;
}

/* ---- set-up and output ---- */

/* Load every value of every parameter once (others at their first value), so
 * a value the config refuses fails now, naming its point, not in a worker. */
static int check_values(const struct sweep_ctx *c, struct hp_error *err)
{
    const struct sweep *sw = &c->a->sw;
    struct sim_spec spec;
    int rc = point_spec(c, 0, &spec, err);
    sim_spec_free(&spec);
    int64_t stride = 1;   /* points between neighbouring values of parameter p */
    for (int p = sw->nparams - 1; p >= 0 && !rc; p--) {
        for (int i = 1; i < sw->params[p].nvalues && !rc; i++) {
            rc = point_spec(c, i * stride, &spec, err);
            sim_spec_free(&spec);
        }
        stride *= sw->params[p].nvalues;
    }
    return rc;
}

/* The runs of this shard, in point order, and room for their results. */
static int plan_runs(struct sweep_ctx *c, struct hp_error *err)
{
    const struct sweep_args *a = c->a;
    int64_t np = a->sw.npoints;
    c->runs = malloc((size_t)(np * a->reps) * sizeof *c->runs);
    c->rep_rows = calloc((size_t)np, sizeof *c->rep_rows);
    c->seeds = calloc((size_t)np, sizeof *c->seeds);
    c->reps_done = calloc((size_t)np, sizeof *c->reps_done);
    c->points = json_array();
    if (!c->runs || !c->rep_rows || !c->seeds || !c->reps_done || !c->points)
        return hp_errorf(err, HP_EXIT_RUNTIME, "out of memory");
    for (int64_t p = 0; p < np; p++)
        for (int r = 0; r < a->reps && (!a->shard_n || sweep_in_shard(p, a->shard_k, a->shard_n)); r++)
            c->runs[c->nruns++] = p * a->reps + r;
    return 0;
}

static void ctx_free(struct sweep_ctx *c)
{
    for (int64_t p = 0; c->rep_rows && p < c->a->sw.npoints; p++) {
        for (int r = 0; c->rep_rows[p] && r < c->a->reps; r++)
            json_decref(c->rep_rows[p][r]);
        free(c->rep_rows[p]);
        free(c->seeds[p]);
    }
    free(c->rep_rows);
    free(c->seeds);
    free(c->reps_done);
    free(c->runs);
    json_decref(c->points);
    json_decref(c->base);
}

/* The effective base config and the policy list, for the head of the output. */
static json_t *make_head(const struct sweep_ctx *c, struct hp_error *err)
{
    struct sim_spec spec;
    json_t *head = NULL;
    if (sim_spec_load(json_deep_copy(c->base), c->a->config, c->a->policies, &spec, err) == 0)
        head = sweep_head(&c->a->sw, spec.root, json_object_get(spec.root, "policies"), c->a->reps);
    sim_spec_free(&spec);
    return head;
}

static int write_out(struct sweep_ctx *c, json_t *head, struct hp_error *err)
{
    const struct sweep_args *a = c->a;
    json_t *points = sort_points(c->points);
    int rc = a->shard_n ? sweep_write_part(a->output, head, a->shard_k, a->shard_n, points, err)
                        : sweep_write_result(a->output, head, points, err);
    json_decref(points);
    return rc;
}

static int sweep_all(const struct sweep_args *a)
{
    struct hp_error err = {0};
    struct sweep_ctx c = { .a = a };
    json_t *head = NULL;
    int rc = 0;
    if (cmd_check_output(a->output, &err) || !(c.base = cfg_load(a->config, a->sets, a->nsets, &err)) ||
        !(head = make_head(&c, &err)) || check_values(&c, &err) || plan_runs(&c, &err)) {
        rc = cmd_fail(&err);
        goto out;
    }
    int jobs = a->jobs > c.nruns ? (int)c.nruns : a->jobs;
    c.t0 = wall_now();
    c.next_show = c.t0 + 0.5;
    rc = jobs <= 1 ? run_serial(&c, &err) : run_parallel(&c, jobs, &err);
    progress(&c, true);
    if (rc == 0)
        rc = write_out(&c, head, &err);
    if (rc != 0 && err.code == HP_EXIT_INTERRUPTED) {
        fprintf(stderr, "hpsim: interrupted after %lld of %lld %s; nothing written\n", (long long)c.done,
                (long long)c.nruns, a->reps > 1 ? "point-reps" : "points");
        rc = HP_EXIT_INTERRUPTED;
    } else if (rc != 0) {
        rc = cmd_fail(&err);
    }
out:
    json_decref(head);
    ctx_free(&c);
    return rc;
}

/* A positive count in [1, max] from option text, or -1. */
static int parse_count(const char *s, int max)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    return end == s || *end || errno || v < 1 || v > max ? -1 : (int)v;
}

/* One option of cmd_sweep's getopt loop; non-zero is the exit status. */
static int parse_opt(struct sweep_args *a, int c, char **extra, const char *text)
{
    struct hp_error err = {0};
    switch (c) {
    case 'o': a->output = optarg; return 0;
    case 'p': a->policies = optarg; return 0;
    case 's': a->sets[a->nsets++] = optarg; return 0;
    case 'S':
    case 'D':
        return cmd_seed_duration_opt("sweep", c, optarg, extra);
    case 'C':
        a->sw.common_seeds = true;
        return 0;
    case 'r':
        a->reps = parse_count(optarg, 10000);
        return a->reps < 0 ? cmd_usage_error("sweep", "--reps '%s': expected an integer from 1 to 10000", optarg) : 0;
    case 'j':
        a->jobs = parse_count(optarg, 1024);
        return a->jobs < 0 ? cmd_usage_error("sweep", "-j '%s': expected an integer from 1 to 1024", optarg) : 0;
    case 'K':
        return sweep_parse_shard(optarg, &a->shard_k, &a->shard_n, &err) ? cmd_fail(&err) : 0;
    default:
        return cmd_usage_error("sweep", "bad option '%s'", text);
    }
}

/* CONFIG, then each PARAM=VALUES; output rules of --shard. */
static int parse_positional(struct sweep_args *a, int argc, char **argv)
{
    struct hp_error err = {0};
    if (optind >= argc)
        return cmd_usage_error("sweep", "%s", "missing CONFIG");
    a->config = argv[optind];
    for (int i = optind + 1; i < argc; i++)
        if (sweep_add(&a->sw, argv[i], &err) != 0)
            return cmd_fail(&err);
    if (a->shard_n && !a->output)
        return cmd_usage_error("sweep", "%s", "--shard needs -o PART.json, the part file for hpsim merge");
    if (a->shard_n && results_ends_with(a->output, ".csv"))
        return cmd_usage_error("sweep", "--shard writes a JSON part file, not '%s'; "
                               "hpsim merge -o FILE.csv gives the CSV", a->output);
    return 0;
}

int cmd_sweep(int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, 0, 'o'},   {"policy", required_argument, 0, 'p'},
        {"set", required_argument, 0, 's'},      {"seed", required_argument, 0, 'S'},
        {"duration", required_argument, 0, 'D'}, {"reps", required_argument, 0, 'r'},
        {"jobs", required_argument, 0, 'j'},     {"shard", required_argument, 0, 'K'},
        {"common-seeds", no_argument, 0, 'C'},  {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    struct sweep_args a = { .reps = 1, .jobs = ncpu > 0 ? (int)ncpu : 1 };
    char *extra[2] = {0};   /* --seed / --duration, applied after --set */
    int c, rc = 0;
    sweep_init(&a.sw);
    a.sets = calloc((size_t)argc + 2, sizeof *a.sets);
    opterr = 0;
    optind = 1;
    while (!rc && (c = getopt_long(argc, argv, "o:p:s:r:j:h", opts, NULL)) != -1) {
        if (c == 'h') {
            help(stdout);
            goto out;
        }
        rc = parse_opt(&a, c, extra, argv[optind - 1]);
    }
    for (int i = 0; i < 2; i++)
        if (extra[i])
            a.sets[a.nsets++] = extra[i];
    if (!rc)
        rc = parse_positional(&a, argc, argv);
    if (!rc) {
        cmd_catch_signals();
        rc = sweep_all(&a);
    }
out:
    sweep_free(&a.sw);
    free(extra[0]);
    free(extra[1]);
    free(a.sets);
    return rc;
}
