/*
 * bench.c - `make bench`: how fast hpsim runs, beside the cost of its event
 * queue. One table on stdout, the same figures in bench/results.json.
 *
 *   hold      the engine alone under the classic hold model: pop the
 *             earliest event, push it back at now + U[1, 2000] ns; operations
 *             per second at 4, 64, 1024 and 16384 pending events. No
 *             simulation on this engine can dispatch events faster.
 *   simulate  whole runs of tcp_rr (1 vCPU, `always`), an idle Windows-like
 *             guest (1 ms timer) and overcommitted hosts of 1,000 and 10,000
 *             vCPUs: events/s, halts/s, simulated s per s, peak RSS, and
 *             events/s over the hold rate at the run's own mean number of
 *             pending events, measured in the same run of this program.
 *   scaling   tcp_rr at 1, 10 and 100 simulated s; the host at 1, 100 and
 *             10,000 vCPUs.
 *   sweep     64 points at -j 1 and -j cores, the speed-up (wall clock).
 *
 * Rates are per second of the process's CPU time (CLOCK_*_CPUTIME_ID),
 * best of repetitions made in passes spread over the bench (PASSES): this
 * machine is shared and runs in phases of different speed, and CPU time does not
 * count the time another process holds the core. Wall time is recorded
 * too; the sweep, being about parallelism, is timed on the wall clock.
 * Each simulate and scaling row runs in a child process, so its peak RSS
 * (wait4's rusage) is its own. A benchmark: nothing here is a pass/fail
 * test, the targets line only reports.
 */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "engine.h"
#include "sim.h"

#define HOLD_MEAN_STEP_NS 1000   /* hold increments are U[1, 2 * this] */

struct opts {
    const char *out;             /* results JSON */
    const char *hpsim;           /* the binary, for the sweep */
    double scale;                /* multiplies every simulated duration (--quick: 0.1) */
};

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ---- hold model ---- */

/* splitmix64: a cheap inline generator, so the hold rate is the queue's cost,
 * not a random library's. */
static inline uint64_t mix64(uint64_t *s)
{
    uint64_t x = (*s += 0x9e3779b97f4a7c15ULL);
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* U[1, 2 * HOLD_MEAN_STEP_NS] by multiply-shift (no division). */
static inline int64_t hold_step(uint64_t *s)
{
    return 1 + (int64_t)(((mix64(s) >> 32) * (2 * HOLD_MEAN_STEP_NS)) >> 32);
}

/* ops hold operations on n pending events after a warm-up; CPU seconds. */
static double hold_once(uint32_t n, uint64_t ops, uint64_t seed)
{
    struct engine e;
    struct engine_event *ev = calloc(n, sizeof *ev);
    if (!ev || engine_init(&e, n) != 0) {
        fprintf(stderr, "bench: out of memory\n");
        exit(1);
    }
    for (uint32_t i = 0; i < n; i++) {
        engine_event_init(&ev[i], 1);
        engine_schedule(&e, &ev[i], hold_step(&seed) * n / 2);
    }
    for (uint64_t k = 0; k < 8 * (uint64_t)n + 10000; k++) {
        struct engine_event *x = engine_pop(&e);
        engine_schedule(&e, x, e.now_ns + hold_step(&seed));
    }
    double t0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
    for (uint64_t k = 0; k < ops; k++) {
        struct engine_event *x = engine_pop(&e);
        engine_schedule(&e, x, e.now_ns + hold_step(&seed));
    }
    double t = clock_s(CLOCK_THREAD_CPUTIME_ID) - t0;
    engine_free(&e);
    free(ev);
    return t;
}

/* Best of `rounds` rounds of about 0.1 s CPU each: M operations per second. */
static double hold_rate(uint32_t n, int rounds)
{
    uint64_t ops = 1000000;
    double t = hold_once(n, ops, 1);
    ops = (uint64_t)fmax(1e5, 0.1 * (double)ops / fmax(t, 1e-6));
    double best = 0;
    for (int r = 0; r < rounds; r++) {
        double rate = (double)ops / hold_once(n, ops, 2 + (uint64_t)r) / 1e6;
        if (rate > best)
            best = rate;
    }
    return best;
}

/* ---- one simulation in a child process ---- */

struct row {
    /* what to run */
    const char *label;
    const char *config;
    const char *policy;
    char sets[4][64];
    int nsets;
    double duration_s;
    int reps;
    /* what came out */
    int ok;
    int passes;                  /* times run_row ran it successfully */
    int failed;                  /* a pass failed: the row is not ok */
    double cpu_s, wall_s;        /* best repetition (by CPU time) over every pass */
    double cpu_s_slow;           /* the slowest pass's best: this VM's slow phase */
    uint64_t events, halts, pending_sum;
    int64_t nvcpus, npcpus;
    double maxrss_mib;
    double hold_mops;            /* at the run's mean pending count */
};

struct row_report {              /* child -> parent through a pipe */
    int ok;
    double cpu_s, wall_s;
    uint64_t events, halts, pending_sum;
    int64_t nvcpus, npcpus;
    char err[200];
};

static void child_run(const struct row *w, int fd)
{
    struct row_report rep = { 0 };
    struct hp_error err = { 0 };
    char *sets[6];
    char dur[64];
    int n = 0;
    for (int i = 0; i < w->nsets; i++)
        sets[n++] = (char *)w->sets[i];
    snprintf(dur, sizeof dur, "duration_s=%.9g", w->duration_s);
    sets[n++] = dur;
    json_t *root = cfg_load(w->config, sets, n, &err);
    struct sim_spec spec;
    struct metrics *met = malloc(sizeof *met);
    if (!root || !met || sim_spec_load(root, w->config, w->policy, &spec, &err) != 0) {
        snprintf(rep.err, sizeof rep.err, "%.190s", err.msg[0] ? err.msg : "out of memory");
    } else {
        rep.cpu_s = INFINITY;
        for (int r = 0; r < w->reps; r++) {
            double c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID), w0 = clock_s(CLOCK_MONOTONIC);
            if (sim_run(&spec, &spec.policies[0], NULL, met, &err) != 0) {
                snprintf(rep.err, sizeof rep.err, "%.190s", err.msg);
                rep.ok = 0;          /* a failed repetition fails the row */
                break;
            }
            double c = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0, wl = clock_s(CLOCK_MONOTONIC) - w0;
            if (c < rep.cpu_s) {
                rep.cpu_s = c;
                rep.wall_s = wl;
            }
            rep.ok = 1;
        }
        rep.events = met->events;
        rep.halts = met->k.halts;
        rep.pending_sum = met->pending_sum;
        rep.nvcpus = spec.nvcpus;
        rep.npcpus = spec.pcpus;
        sim_spec_free(&spec);
    }
    if (write(fd, &rep, sizeof rep) != (ssize_t)sizeof rep)
        _exit(1);
    _exit(0);
}

static void run_row(struct row *w)
{
    int fd[2];
    fflush(stdout);
    if (pipe(fd) != 0) {
        perror("bench: pipe");
        exit(1);
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("bench: fork");
        exit(1);
    }
    if (pid == 0) {
        close(fd[0]);
        child_run(w, fd[1]);
    }
    close(fd[1]);
    struct row_report rep = { 0 };
    ssize_t got = read(fd[0], &rep, sizeof rep);
    close(fd[0]);
    struct rusage ru;
    int status;
    while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
        ;
    bool ok = got == (ssize_t)sizeof rep && rep.ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!ok) {
        w->ok = 0;
        w->failed = 1;
        fprintf(stderr, "bench: %s: %s\n", w->label, got == (ssize_t)sizeof rep ? rep.err : "child failed");
        return;
    }
    /* A failed pass fails the row; the figures are the best pass's, and the
     * slowest pass is kept to show the machine's slow phase. */
    w->ok = !w->failed;
    if (w->passes++ == 0 || rep.cpu_s < w->cpu_s) {
        w->cpu_s = rep.cpu_s;
        w->wall_s = rep.wall_s;
    }
    if (w->passes == 1 || rep.cpu_s > w->cpu_s_slow)
        w->cpu_s_slow = rep.cpu_s;
    w->events = rep.events;
    w->halts = rep.halts;
    w->pending_sum = rep.pending_sum;
    w->nvcpus = rep.nvcpus;
    w->npcpus = rep.npcpus;
    w->maxrss_mib = fmax(w->maxrss_mib, (double)ru.ru_maxrss / 1024.0);   /* Linux: KiB */
}

static double row_pending(const struct row *w)
{
    return w->events ? (double)w->pending_sum / (double)w->events : 0;
}

static double row_mev_s(const struct row *w) { return (double)w->events / w->cpu_s / 1e6; }
static double row_mhalt_s(const struct row *w) { return (double)w->halts / w->cpu_s / 1e6; }
/* The same rates in the slowest pass. */
static double row_mev_s_slow(const struct row *w) { return (double)w->events / w->cpu_s_slow / 1e6; }
static double row_mhalt_s_slow(const struct row *w) { return (double)w->halts / w->cpu_s_slow / 1e6; }
static double row_sim_per_s(const struct row *w) { return w->duration_s / w->cpu_s; }

static void row_set(struct row *w, const char *fmt, long long v)
{
    snprintf(w->sets[w->nsets++], sizeof w->sets[0], fmt, v);
}

/* The overcommitted host (bench/host.json) resized to nvcpus, 8 per pCPU. */
static void host_shape(struct row *w, long long nvcpus)
{
    if (nvcpus >= 4) {
        row_set(w, "vms[0].count=%lld", nvcpus / 4);
        row_set(w, "vms[0].vcpus=%lld", 4);
    } else {
        row_set(w, "vms[0].count=%lld", 1);
        row_set(w, "vms[0].vcpus=%lld", nvcpus);
    }
    row_set(w, "host.pcpus=%lld", (nvcpus + 7) / 8);
}

/* ---- sweep ---- */

struct sweep_result {
    double wall_1, wall_j;
    double wall_pair;            /* two -j 1 sweeps at once, each in its own process */
    double cores_j;              /* CPU s / wall s of the best -j round: the cores it got */
    int jobs, ok;
};

static double children_cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec * 1e-6;
}

/* Wall seconds to run cmd (and the CPU seconds it used in *cpu), or -1
 * when it fails. */
static double wall_of(const char *cmd, double *cpu)
{
    double c0 = children_cpu_s(), t0 = clock_s(CLOCK_MONOTONIC);
    int rc = system(cmd);
    double t = clock_s(CLOCK_MONOTONIC) - t0;
    *cpu = children_cpu_s() - c0;
    return rc == 0 ? t : -1;
}

/* The command of one hpsim sweep at -j jobs writing its output under dir
 * with suffix idx. 0, or -1 when it does not fit (a long --hpsim path). */
static int sweep_cmd(char *buf, size_t n, const struct opts *o, int jobs, double duration_s,
                     const char *dir, int idx)
{
    int len = snprintf(buf, n,
                       "%s sweep configs/tcp_rr.json policy.halt_poll_ns=10000:640000:10000 -p always "
                       "--duration %.9g -j %d -o %s/sweep%d.csv 2>/dev/null",
                       o->hpsim, duration_s, jobs, dir, idx);
    return len < 0 || (size_t)len >= n ? -1 : 0;
}

/* Best of three rounds, each of three passes: -j 1, -j cores, and two -j 1
 * sweeps at once. The wall clock counts whatever else runs on the machine,
 * and the best round is the one least disturbed. */
static void run_sweep(const struct opts *o, struct sweep_result *s, double duration_s)
{
    char dir[] = "/tmp/hpsim-bench-XXXXXX", cmd[1400];
    if (!mkdtemp(dir)) {
        perror("bench: mkdtemp");
        return;
    }
    s->wall_1 = s->wall_j = s->wall_pair = INFINITY;
    /* The commands: -j 1 (twice, writing apart, for the pair) and -j cores. */
    char one[600], two[600], many[600];
    s->ok = sweep_cmd(one, sizeof one, o, 1, duration_s, dir, 0) == 0 &&
            sweep_cmd(two, sizeof two, o, 1, duration_s, dir, 1) == 0 &&
            sweep_cmd(many, sizeof many, o, s->jobs, duration_s, dir, 0) == 0;
    /* Pass 2 is the machine's own ceiling: two independent -j 1 sweeps at
     * once share nothing but the hardware, so 2 * wall_1 / wall_pair is the
     * most any parallel sweep could get here (a VM's second core may be an
     * SMT sibling or frequency-capped: it is not a core's worth of CPU). */
    for (int round = 0; round < 3 && s->ok; round++) {
        for (int pass = 0; pass < 3; pass++) {
            if (pass == 2)
                snprintf(cmd, sizeof cmd, "%s & %s; r=$?; wait $! && [ $r -eq 0 ]", one, two);
            else
                snprintf(cmd, sizeof cmd, "%s", pass == 0 ? one : many);
            double cpu, t = wall_of(cmd, &cpu);
            double *best = pass == 0 ? &s->wall_1 : pass == 1 ? &s->wall_j : &s->wall_pair;
            if (t < 0) {
                s->ok = 0;
            } else if (t < *best) {
                *best = t;
                if (pass == 1)
                    s->cores_j = cpu / t;
            }
        }
    }
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench: could not remove %s\n", dir);
}

/* ---- machine ---- */

struct machine {
    char model[128];
    long cores;
    char date[32];
    double load_start, load_end;
};

static void cpu_model(char *buf, size_t n)
{
    snprintf(buf, n, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[256];
    while (fgets(line, sizeof line, f)) {
        char *c = strchr(line, ':');
        if (strncmp(line, "model name", 10) == 0 && c) {
            c += 1 + strspn(c + 1, " \t");
            c[strcspn(c, "\n")] = '\0';
            snprintf(buf, n, "%s", c);
            break;
        }
    }
    fclose(f);
}

static double loadavg(void)
{
    double l = -1;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf", &l) != 1)
            l = -1;
        fclose(f);
    }
    return l;
}

/* ---- output ---- */

static json_t *row_json(const struct row *w)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:I, s:f, s:f, s:f, s:I, s:I, s:f, s:f, s:f, s:f, s:f, s:f}",
                          "label", w->label, "config", w->config, "policy", w->policy,
                          "vcpus", (json_int_t)w->nvcpus, "pcpus", (json_int_t)w->npcpus,
                          "sim_s", w->duration_s, "cpu_s", w->cpu_s, "wall_s", w->wall_s,
                          "events", (json_int_t)w->events, "halts", (json_int_t)w->halts,
                          "events_per_s", (double)w->events / w->cpu_s,
                          "halts_per_s", (double)w->halts / w->cpu_s,
                          "sim_s_per_s", row_sim_per_s(w), "mean_pending", row_pending(w),
                          "peak_rss_mib", w->maxrss_mib, "cpu_s_per_sim_s", w->cpu_s / w->duration_s);
    json_object_set_new(o, "passes", json_integer(w->passes));
    json_object_set_new(o, "cpu_s_slowest_pass", json_real(w->cpu_s_slow));
    if (w->hold_mops > 0) {
        json_object_set_new(o, "hold_ops_per_s", json_real(w->hold_mops * 1e6));
        json_object_set_new(o, "ratio_to_hold", json_real(row_mev_s(w) / w->hold_mops));
    }
    return o;
}

static void print_sim_row(const struct row *w)
{
    printf("  %-24s %-7s %6lld %5lld %7.4g %6.2f %7.2f %7.3f %8.3g %8.1f %8.1f %5.0f%% %7.1f\n",
           w->label, w->policy, (long long)w->nvcpus, (long long)w->npcpus, w->duration_s, w->cpu_s,
           row_mev_s(w), row_mhalt_s(w), row_sim_per_s(w), row_pending(w), w->hold_mops,
           100 * row_mev_s(w) / w->hold_mops, w->maxrss_mib);
}

static void print_scale_row(const struct row *w)
{
    printf("  %-24s %6lld %7.4g %7.2f %9.4f %7.2f %7.1f\n", w->label, (long long)w->nvcpus, w->duration_s,
           w->cpu_s, w->cpu_s / w->duration_s, row_mev_s(w), w->maxrss_mib);
}

static const char *mark(bool met) { return met ? "met" : "MISSED"; }

/* ---- main ---- */

static const uint32_t hold_sizes[] = { 4, 64, 1024, 16384 };
#define NHOLD (sizeof hold_sizes / sizeof hold_sizes[0])
#define PASSES 4

static void usage(FILE *f)
{
    fputs("usage: bench [--quick] [-o FILE] [--hpsim PATH]\n"
          "  run from the repository root (make bench); --quick scales every simulated\n"
          "  duration by 0.1 for a smoke run; results JSON to FILE (bench/results.json)\n", f);
}

int main(int argc, char **argv)
{
    struct opts o = { "bench/results.json", "./hpsim", 1.0 };
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) {
            o.scale = 0.1;
        } else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
            o.out = argv[++i];
        } else if (strcmp(argv[i], "--hpsim") == 0 && i + 1 < argc) {
            o.hpsim = argv[++i];
        } else {
            usage(argv[i][0] == '-' && argv[i][1] == 'h' ? stdout : stderr);
            return argv[i][0] == '-' && argv[i][1] == 'h' ? 0 : 2;
        }
    }
    struct machine mc;
    cpu_model(mc.model, sizeof mc.model);
    mc.cores = sysconf(_SC_NPROCESSORS_ONLN);
    time_t now = time(NULL);
    strftime(mc.date, sizeof mc.date, "%Y-%m-%d %H:%M UTC", gmtime(&now));
    mc.load_start = loadavg();
    double t_start = clock_s(CLOCK_MONOTONIC);

    const double sc = o.scale;
    struct row sim[] = {
        { .label = "tcp_rr", .config = "configs/tcp_rr.json", .policy = "always",
          .duration_s = 20 * sc, .reps = 2 },
        { .label = "windows_idle", .config = "configs/windows_idle.json", .policy = "v4", .duration_s = 500 * sc, .reps = 2 },
        { .label = "host 1,000 vCPUs", .config = "bench/host.json", .policy = "v4",
          .duration_s = 2 * sc, .reps = 1 },
        { .label = "host 10,000 vCPUs", .config = "bench/host.json", .policy = "v4",
          .duration_s = 0.4 * sc, .reps = 1 },
    };
    host_shape(&sim[2], 1000);
    host_shape(&sim[3], 10000);
    struct row scale[] = {
        { .label = "tcp_rr 1 s", .config = "configs/tcp_rr.json", .policy = "always", .duration_s = 1, .reps = 3 },
        { .label = "tcp_rr 10 s", .config = "configs/tcp_rr.json", .policy = "always", .duration_s = 10, .reps = 2 },
        { .label = "tcp_rr 100 s", .config = "configs/tcp_rr.json", .policy = "always", .duration_s = 100, .reps = 1 },
        { .label = "host 1 vCPU", .config = "bench/host.json", .policy = "v4", .duration_s = 0.4 * sc, .reps = 3 },
        { .label = "host 100 vCPUs", .config = "bench/host.json", .policy = "v4", .duration_s = 0.4 * sc, .reps = 3 },
        { .label = "host 10,000 vCPUs", .config = "bench/host.json", .policy = "v4", .duration_s = 0.4 * sc, .reps = 1 },
    };
    for (int i = 0; i < 3; i++)
        scale[i].duration_s *= sc;
    host_shape(&scale[3], 1);
    host_shape(&scale[4], 100);
    host_shape(&scale[5], 10000);
    const size_t nsim = sizeof sim / sizeof sim[0], nscale = sizeof scale / sizeof scale[0];

    printf("hpsim bench: %s, %ld cores, %s, load average %.2f at start\n", mc.model, mc.cores, mc.date,
           mc.load_start);
    printf("rates per second of process CPU time, best of repetitions in %d passes spread over the bench\n"
           "(the machine is shared, and this VM runs in phases of different speed)\n\n", PASSES);
    fflush(stdout);

    /* This VM runs in phases of different speed, a few seconds each (a
     * 20-simulated-second tcp_rr took 0.28 s or 0.45 s of CPU by turns): the
     * hold model and the simulate rows are measured in PASSES passes spread
     * over the bench, so that one slow phase cannot cover every repetition
     * of a row. Each figure is the best pass; the slowest pass is printed
     * beside it. */
    double hold[NHOLD], hold_slow[NHOLD];
    bool all_ok = true;
    for (int pass = 0; pass < PASSES; pass++) {
        for (size_t i = 0; i < NHOLD; i++) {
            double r = hold_rate(hold_sizes[i], 3);
            hold[i] = pass == 0 ? r : fmax(hold[i], r);
            hold_slow[i] = pass == 0 ? r : fmin(hold_slow[i], r);
        }
        for (size_t i = 0; i < nsim; i++) {
            run_row(&sim[i]);
            if (sim[i].ok) {
                double r = hold_rate((uint32_t)fmax(1, lround(row_pending(&sim[i]))), 3);
                sim[i].hold_mops = fmax(sim[i].hold_mops, r);
            }
        }
    }
    for (size_t i = 0; i < nsim; i++)
        all_ok &= sim[i].ok;
    printf("hold: the engine alone (pop, push back at now + U[1,%d] ns), M operations/s\n", 2 * HOLD_MEAN_STEP_NS);
    printf("  pending events ");
    for (size_t i = 0; i < NHOLD; i++)
        printf(" %8u", hold_sizes[i]);
    printf("\n  M ops/s        ");
    for (size_t i = 0; i < NHOLD; i++)
        printf(" %8.1f", hold[i]);
    printf("\n  slowest pass   ");
    for (size_t i = 0; i < NHOLD; i++)
        printf(" %8.1f", hold_slow[i]);
    printf("\n\n");
    fflush(stdout);

    printf("simulate: whole runs; hold = the hold rate at the run's mean pending events, ratio = M ev/s / hold\n");
    printf("  %-24s %-7s %6s %5s %7s %6s %7s %7s %8s %8s %8s %6s %7s\n", "config", "policy", "vCPUs", "pCPUs",
           "sim s", "cpu s", "M ev/s", "M hlt/s", "sim s/s", "pending", "hold M/s", "ratio", "RSS MiB");
    for (size_t i = 0; i < nsim; i++)
        if (sim[i].ok)
            print_sim_row(&sim[i]);
    printf("  slowest of %d passes:", PASSES);
    for (size_t i = 0; i < nsim; i++)
        if (sim[i].ok)
            printf("%s %s %.2f M ev/s", i ? ";" : "", sim[i].label, row_mev_s_slow(&sim[i]));
    if (sim[0].ok)
        printf("\n  (tcp_rr %.2f M halts/s)", row_mhalt_s_slow(&sim[0]));
    printf("\n\n");
    fflush(stdout);

    for (size_t i = 0; i < nscale; i++) {
        run_row(&scale[i]);
        all_ok &= scale[i].ok;
    }
    printf("scaling: CPU time should grow linearly with simulated time, RSS should not\n");
    printf("  %-24s %6s %7s %7s %9s %7s %7s\n", "run", "vCPUs", "sim s", "cpu s", "cpu s/sim", "M ev/s", "RSS MiB");
    for (size_t i = 0; i < nscale; i++)
        if (scale[i].ok)
            print_scale_row(&scale[i]);
    printf("\n");
    fflush(stdout);

    struct sweep_result sw = { .jobs = (int)mc.cores };
    run_sweep(&o, &sw, 1 * sc);
    double speedup = sw.ok && sw.wall_j > 0 ? sw.wall_1 / sw.wall_j : 0;
    double ceiling = sw.ok && sw.wall_pair > 0 ? 2 * sw.wall_1 / sw.wall_pair : 0;
    printf("sweep: 64 points (tcp_rr always, halt_poll_ns 10,000..640,000), hpsim sweep\n");
    if (sw.ok)
        printf("  -j 1: %.2f s wall   -j %d: %.2f s wall   speed-up %.2f (best of 3 rounds each; the -j %d round\n"
               "  got %.2f cores: CPU time / wall time, less than %d when other processes hold a core)\n"
               "  machine ceiling: two -j 1 sweeps at once ran in %.2f s wall, 2 x %.2f / %.2f = %.2f; hpsim's\n"
               "  -j %d reaches %.0f%% of it\n\n",
               sw.wall_1, sw.jobs, sw.wall_j, speedup, sw.jobs, sw.cores_j, sw.jobs, sw.wall_pair, sw.wall_1,
               sw.wall_pair, ceiling, sw.jobs, 100 * speedup / ceiling);
    else
        printf("  FAILED\n\n");
    all_ok &= sw.ok != 0;

    /* Targets of issue 7 (figures as measured; a miss is reported, not tuned). */
    const struct row *rr = &sim[0];
    double rr_mhalt = rr->ok ? row_mhalt_s(rr) : 0, rr_ratio4 = rr_mhalt / hold[0];
    double rr_mhalt_slow = rr->ok ? row_mhalt_s_slow(rr) : 0;
    double min_ratio = INFINITY;     /* stays so only when no row ran: then 0 below */
    const char *min_label = "";
    for (size_t i = 0; i < nsim; i++)
        if (sim[i].ok && row_mev_s(&sim[i]) / sim[i].hold_mops < min_ratio) {
            min_ratio = row_mev_s(&sim[i]) / sim[i].hold_mops;
            min_label = sim[i].label;
        }
    double rss_10k = sim[3].ok ? sim[3].maxrss_mib : 0;
    double rss_growth = scale[2].ok && scale[0].ok ? scale[2].maxrss_mib - scale[0].maxrss_mib : 0;
    printf("targets\n");
    printf("  tcp_rr always: %.2f M halts/s (>= 5): %s; hold at 4 pending %.1f M ops/s, halts/s / hold = %.1f%%\n"
           "    (slowest pass %.2f M halts/s)\n",
           rr_mhalt, mark(rr_mhalt >= 5), hold[0], 100 * rr_ratio4, rr_mhalt_slow);
    printf("  tcp_rr always: %.1f M engine events/s (>= 10): %s\n", rr->ok ? row_mev_s(rr) : 0,
           mark(rr->ok && row_mev_s(rr) >= 10));
    if (isinf(min_ratio))
        min_ratio = 0;               /* json_pack takes no infinity */
    printf("  lowest simulate ratio to hold: %.0f%% (%s) (>= 35%%): %s\n", 100 * min_ratio, min_label,
           mark(min_ratio >= 0.35));
    printf("  peak RSS 10,000 vCPUs: %.1f MiB (< 64): %s; tcp_rr 100 s vs 1 s: %+.2f MiB (flat): %s\n", rss_10k,
           mark(rss_10k > 0 && rss_10k < 64), rss_growth, mark(fabs(rss_growth) < 1));
    printf("  sweep speed-up: %.2f (>= 1.8): %s; the machine's ceiling in the same run %.2f\n", speedup,
           mark(speedup >= 1.8), ceiling);
    mc.load_end = loadavg();
    double total = clock_s(CLOCK_MONOTONIC) - t_start;
    printf("\nbench took %.0f s wall; load average %.2f at end\n", total, mc.load_end);

    json_t *doc = json_pack("{s:{s:s, s:I, s:s, s:f, s:f}, s:s, s:f, s:f}", "machine", "cpu_model", mc.model,
                            "cores", (json_int_t)mc.cores, "date", mc.date, "load_start", mc.load_start,
                            "load_end", mc.load_end, "timing", "process CPU time, best of repetitions in passes spread over the run",
                            "scale", sc, "bench_wall_s", total);
    json_t *h = json_array();
    for (size_t i = 0; i < NHOLD; i++)
        json_array_append_new(h, json_pack("{s:I, s:f, s:f}", "pending", (json_int_t)hold_sizes[i],
                                           "ops_per_s", hold[i] * 1e6, "ops_per_s_slowest_pass",
                                           hold_slow[i] * 1e6));
    json_object_set_new(doc, "hold", h);
    json_t *a = json_array();
    for (size_t i = 0; i < nsim; i++)
        if (sim[i].ok)
            json_array_append_new(a, row_json(&sim[i]));
    json_object_set_new(doc, "simulate", a);
    a = json_array();
    for (size_t i = 0; i < nscale; i++)
        if (scale[i].ok)
            json_array_append_new(a, row_json(&scale[i]));
    json_object_set_new(doc, "scaling", a);
    json_object_set_new(doc, "sweep", json_pack("{s:i, s:s, s:i, s:f, s:f, s:f, s:f, s:f, s:f}", "points", 64,
                                                "how", "hpsim sweep", "jobs",
                                                sw.jobs, "wall_j1_s", sw.wall_1, "wall_jn_s", sw.wall_j, "speedup",
                                                speedup, "cores_obtained_jn", sw.cores_j, "wall_two_j1_s",
                                                sw.wall_pair, "machine_ceiling", ceiling));
    json_object_set_new(doc, "targets",
                        json_pack("{s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f}", "tcp_rr_halts_per_s", rr_mhalt * 1e6,
                                  "tcp_rr_halts_per_s_slowest_pass", rr_mhalt_slow * 1e6,
                                  "hold_4_ops_per_s", hold[0] * 1e6, "tcp_rr_halts_over_hold_4", rr_ratio4,
                                  "tcp_rr_events_per_s", rr->ok ? row_mev_s(rr) * 1e6 : 0.0,
                                  "min_ratio_to_hold", min_ratio, "peak_rss_10k_vcpus_mib", rss_10k,
                                  "sweep_speedup", speedup));
    if (json_dump_file(doc, o.out, JSON_INDENT(2) | JSON_REAL_PRECISION(6)) != 0) {
        fprintf(stderr, "bench: cannot write %s\n", o.out);
        all_ok = false;
    } else {
        printf("results: %s\n", o.out);
    }
    json_decref(doc);
    return all_ok ? 0 : 1;
}
