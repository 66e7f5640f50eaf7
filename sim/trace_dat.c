/*
 * trace_dat.c - trace.dat (v6, v7) captures through libtracecmd/libtraceevent.
 *
 * The binary format is never parsed here: tracecmd_open() reads the headers,
 * tracecmd_iterate_events() merges the per-CPU buffers in time order, and each
 * field is read by name (tep_get_field_val) as the kernel's format file
 * declares it, so layout changes between kernels do not matter.
 *
 * Timestamps: record->ts is ns when the trace clock counts ns (local, global,
 * boot, mono...) or when a counter clock came with a TSC2NSEC option (which
 * libtracecmd applies, setting its IN_USECS flag). Otherwise (x86-tsc or
 * counter, no TSC2NSEC) they are raw ticks: kept, and stats.raw_counter set.
 *
 * libtracecmd prints its own warnings on stderr; they are silenced
 * (tracecmd_set_loglevel(TEP_LOG_NONE), process-wide) so that library code
 * reports bad input only through struct hp_error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <inttypes.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>

#include <event-parse.h>
#include <trace-cmd.h>

#include "trace_private.h"

/* Exported by libtracecmd.so.1 but declared only in its private header. */
unsigned long tracecmd_get_flags(struct tracecmd_input *handle);
const char *tracecmd_get_trace_clock(struct tracecmd_input *handle);
#define DAT_FL_IN_USECS (1UL << 2) /* TRACECMD_FL_IN_USECS in libtracecmd 3.x */

struct dat_reader;
typedef int (*dat_decode)(struct dat_reader *dr, struct tep_event *tev,
                          struct tep_record *rec, struct trace_event *ev);

struct dat_known {
    int id;
    struct tep_event *tev;
    dat_decode decode;
};

struct dat_reader {
    trace_cb cb;
    void *ctx;
    struct trace_stats *st;
    struct tep_handle *tep;
    struct dat_known known[16];
    int n_known;
    int ret;  /* the callback's non-zero value, or a decode failure */
};

/* Field by name; -1 if the event has no such field. */
static int dat_field(struct tep_event *tev, struct tep_record *rec, const char *name,
                     int64_t *v)
{
    unsigned long long val;

    if (!tep_find_field(tev, name) || tep_get_field_val(NULL, tev, name, rec, &val, 0))
        return -1;
    *v = (int64_t)val;
    return 0;
}

/* kvm_exit: exit_reason, isa (1 VMX, 2 SVM), vcpu_id (since 6.x).
 * HLT is VMX exit 12, SVM exit 0x78. */
static int dat_exit(struct dat_reader *dr, struct tep_event *tev, struct tep_record *rec,
                    struct trace_event *ev)
{
    int64_t reason, isa = 1, v;

    (void)dr;
    if (dat_field(tev, rec, "exit_reason", &reason))
        return -1;
    dat_field(tev, rec, "isa", &isa);
    if (dat_field(tev, rec, "vcpu_id", &v) == 0)
        ev->vcpu = (int)v;
    snprintf(ev->u.exit.reason, sizeof ev->u.exit.reason, "%" PRId64, reason);
    ev->kind = reason == (isa == 2 ? 0x78 : 12) ? TRACE_HLT_EXIT : TRACE_EXIT;
    return 1;
}

static int dat_entry(struct dat_reader *dr, struct tep_event *tev, struct tep_record *rec,
                     struct trace_event *ev)
{
    int64_t v;

    (void)dr;
    if (dat_field(tev, rec, "vcpu_id", &v))
        return -1;
    ev->vcpu = (int)v;
    ev->kind = TRACE_ENTRY;
    return 1;
}

static int dat_wakeup(struct dat_reader *dr, struct tep_event *tev, struct tep_record *rec,
                      struct trace_event *ev)
{
    int64_t ns, waited, valid = 1;

    (void)dr;
    if (dat_field(tev, rec, "ns", &ns) || dat_field(tev, rec, "waited", &waited))
        return -1;
    dat_field(tev, rec, "valid", &valid); /* absent before Linux 4.x */
    ev->kind = TRACE_WAKEUP;
    ev->u.wakeup.ns = ns;
    ev->u.wakeup.waited = waited != 0;
    ev->u.wakeup.valid = valid != 0;
    return 1;
}

static int dat_halt_poll(struct dat_reader *dr, struct tep_event *tev,
                         struct tep_record *rec, struct trace_event *ev)
{
    int64_t v, g;

    (void)dr;
    if (dat_field(tev, rec, "vcpu_id", &v) || dat_field(tev, rec, "new", &ev->u.poll.new_ns) ||
        dat_field(tev, rec, "old", &ev->u.poll.old_ns) || dat_field(tev, rec, "grow", &g))
        return -1;
    ev->vcpu = (int)v;
    ev->u.poll.grow = g != 0;
    ev->kind = TRACE_HALT_POLL;
    return 1;
}

static int dat_apic_accept(struct dat_reader *dr, struct tep_event *tev,
                           struct tep_record *rec, struct trace_event *ev)
{
    int64_t a, v;

    (void)dr;
    if (dat_field(tev, rec, "apicid", &a) || dat_field(tev, rec, "vec", &v))
        return -1;
    trace_irq_init(ev, TRACE_IRQ_APIC_ACCEPT);
    ev->u.irq.apicid = (int)a;
    ev->u.irq.vector = (int)v;
    return 1;
}

/* 6.x: vector, soft, reinjected; older kernels: irq */
static int dat_inj_virq(struct dat_reader *dr, struct tep_event *tev,
                        struct tep_record *rec, struct trace_event *ev)
{
    int64_t v;

    (void)dr;
    if (dat_field(tev, rec, "vector", &v) && dat_field(tev, rec, "irq", &v))
        return -1;
    trace_irq_init(ev, TRACE_IRQ_INJ_VIRQ);
    ev->u.irq.vector = (int)v;
    return 1;
}

static int dat_set_irq(struct dat_reader *dr, struct tep_event *tev, struct tep_record *rec,
                       struct trace_event *ev)
{
    int64_t g, l;

    (void)dr;
    if (dat_field(tev, rec, "gsi", &g) || dat_field(tev, rec, "level", &l))
        return -1;
    trace_irq_init(ev, TRACE_IRQ_SET_IRQ);
    ev->u.irq.gsi = (int)g;
    ev->u.irq.level = (int)l;
    return 1;
}

/* x86 MSI: destination id in address bits 19:12, logical mode in bit 2,
 * vector in data bits 7:0 (the kernel's print fmt decodes the same way). */
static int dat_msi(struct dat_reader *dr, struct tep_event *tev, struct tep_record *rec,
                   struct trace_event *ev)
{
    int64_t addr, data;

    (void)dr;
    if (dat_field(tev, rec, "address", &addr) || dat_field(tev, rec, "data", &data))
        return -1;
    trace_irq_init(ev, TRACE_IRQ_MSI);
    ev->u.irq.vector = (int)(data & 0xff);
    ev->u.irq.apicid = (addr & 4) ? -1 : (int)((addr >> 12) & 0xff);
    return 1;
}

/* kvm_emulate_insn of the byte f4 is the guest's HLT handled by the emulator. */
static int dat_emulate(struct dat_reader *dr, struct tep_event *tev,
                       struct tep_record *rec, struct trace_event *ev)
{
    const unsigned char *insn;
    int64_t len;
    int size = 0;

    (void)dr;
    insn = tep_get_field_raw(NULL, tev, "insn", rec, &size, 0);
    if (!insn || size < 1 || dat_field(tev, rec, "len", &len))
        return -1;
    if (len < 1 || insn[0] != 0xf4)
        return 0;
    ev->kind = TRACE_HLT_EXIT;
    snprintf(ev->u.exit.reason, sizeof ev->u.exit.reason, "emulated f4");
    return 1;
}

static int dat_cpu_idle(struct dat_reader *dr, struct tep_event *tev,
                        struct tep_record *rec, struct trace_event *ev)
{
    int64_t state, cpu;

    (void)dr;
    if (dat_field(tev, rec, "state", &state) || dat_field(tev, rec, "cpu_id", &cpu))
        return -1;
    ev->kind = TRACE_CPU_IDLE;
    ev->u.idle.state = (int64_t)(uint32_t)state;
    ev->u.idle.cpu_id = (int)cpu;
    return 1;
}

static int dat_sched_switch(struct dat_reader *dr, struct tep_event *tev,
                            struct tep_record *rec, struct trace_event *ev)
{
    int64_t prev, next, state;

    (void)dr;
    if (dat_field(tev, rec, "prev_pid", &prev) || dat_field(tev, rec, "next_pid", &next))
        return -1;
    ev->kind = TRACE_SCHED_SWITCH;
    ev->u.sw.prev_pid = (int)prev;
    ev->u.sw.next_pid = (int)next;
    ev->u.sw.prev_state = '?';
    if (dat_field(tev, rec, "prev_state", &state) == 0)
        ev->u.sw.prev_state = (state & 0xff) == 0 ? 'R' : (state & 1) ? 'S'
                              : (state & 2) ? 'D' : '?';
    return 1;
}

static const struct {
    const char *system, *name;
    dat_decode decode;
} dat_events[] = {
    { "kvm", "kvm_exit", dat_exit },
    { "kvm", "kvm_entry", dat_entry },
    { "kvm", "kvm_vcpu_wakeup", dat_wakeup },
    { "kvm", "kvm_halt_poll_ns", dat_halt_poll },
    { "kvm", "kvm_apic_accept_irq", dat_apic_accept },
    { "kvm", "kvm_inj_virq", dat_inj_virq },
    { "kvm", "kvm_set_irq", dat_set_irq },
    { "kvm", "kvm_msi_set_irq", dat_msi },
    { "kvm", "kvm_emulate_insn", dat_emulate },
    { "power", "cpu_idle", dat_cpu_idle },
    { "sched", "sched_switch", dat_sched_switch },
};

static void dat_resolve_events(struct dat_reader *dr)
{
    for (size_t i = 0; i < sizeof dat_events / sizeof dat_events[0]; i++) {
        struct tep_event *tev =
            tep_find_event_by_name(dr->tep, dat_events[i].system, dat_events[i].name);

        if (!tev)
            continue;
        dr->known[dr->n_known].id = tev->id;
        dr->known[dr->n_known].tev = tev;
        dr->known[dr->n_known].decode = dat_events[i].decode;
        dr->n_known++;
    }
}

static int dat_record(struct tracecmd_input *h, struct tep_record *rec, int cpu, void *data)
{
    struct dat_reader *dr = data;
    struct trace_event ev;
    int id, r = 0;

    (void)h;
    memset(&ev, 0, sizeof ev);
    ev.where = ++dr->st->lines;
    id = tep_data_type(dr->tep, rec);
    for (int i = 0; i < dr->n_known; i++) {
        if (dr->known[i].id != id)
            continue;
        ev.vcpu = -1;
        r = dr->known[i].decode(dr, dr->known[i].tev, rec, &ev);
        break;
    }
    if (r <= 0) {
        if (r == 0)
            dr->st->unknown++;
        else if (dr->st->malformed++ == 0)
            dr->st->first_malformed = ev.where;
        return 0;
    }
    ev.ts_ns = (int64_t)rec->ts;
    /* rec->cpu: with several buffers (instances), the cpu argument of
     * tracecmd_iterate_events_multi() is offset by the CPUs of the buffers
     * before it, not the host CPU. */
    ev.cpu = rec->cpu;
    (void)cpu;
    ev.pid = tep_data_pid(dr->tep, rec);
    snprintf(ev.comm, sizeof ev.comm, "%s", tep_data_comm_from_pid(dr->tep, ev.pid));
    dr->st->events++;
    dr->ret = dr->cb(&ev, dr->ctx);
    return dr->ret;
}

/* ns clocks per ftrace's trace_clock list; counters are x86-tsc, counter. */
static int dat_raw_counter(struct tracecmd_input *h)
{
    static const char *const ns_clocks[] = { "local", "global", "uptime", "perf", "mono",
                                             "mono_raw", "boot", "tai" };
    const char *clock = tracecmd_get_trace_clock(h);

    if (tracecmd_get_flags(h) & DAT_FL_IN_USECS)
        return 0;
    for (size_t i = 0; clock && i < sizeof ns_clocks / sizeof ns_clocks[0]; i++)
        if (strcmp(clock, ns_clocks[i]) == 0)
            return 0;
    return clock != NULL;
}

/* The top buffer, merged in time order with any instance (record -B) whose
 * event formats are the top buffer's (a shared tep); others are not read. */
static int dat_iterate(struct tracecmd_input *h, struct dat_reader *dr)
{
    struct tracecmd_input *hs[64];
    int n = 1, ninst = tracecmd_buffer_instances(h), r;

    hs[0] = h;
    for (int i = 0; i < ninst && n < 64; i++) {
        struct tracecmd_input *ih = tracecmd_buffer_instance_handle(h, i);

        if (ih && tracecmd_get_tep(ih) == dr->tep)
            hs[n++] = ih;
        else if (ih)
            tracecmd_close(ih);
    }
    if (n == 1)
        return tracecmd_iterate_events(h, NULL, 0, dat_record, dr);
    r = tracecmd_iterate_events_multi(hs, n, dat_record, dr);
    for (int i = 1; i < n; i++)
        tracecmd_close(hs[i]);
    return r;
}

static int dat_read_direct(const char *path, trace_cb cb, void *ctx, struct trace_stats *st,
                           struct hp_error *err)
{
    struct dat_reader dr = { .cb = cb, .ctx = ctx, .st = st };
    struct tracecmd_input *h;
    int r;

    st->is_dat = 1;
    trace_zlib_register();
    tracecmd_set_loglevel(TEP_LOG_NONE);
    h = tracecmd_open(path, TRACECMD_FL_LOAD_NO_PLUGINS);
    if (!h)
        return hp_errorf(err, HP_EXIT_USAGE,
                         "%s:1: cannot read trace.dat headers (truncated, corrupt, or an "
                         "unsupported compression)", path);
    dr.tep = tracecmd_get_tep(h);
    st->cpus = tep_get_cpus(dr.tep);
    st->raw_counter = dat_raw_counter(h);
    dat_resolve_events(&dr);
    r = dat_iterate(h, &dr);
    tracecmd_close(h);
    if (dr.ret)
        return dr.ret;
    if (r < 0)
        return hp_errorf(err, HP_EXIT_USAGE, "%s: record %" PRId64 ": cannot read event data",
                         path, st->lines + 1);
    return 0;
}

/*
 * Isolation. libtracecmd 3.1.6 can crash on a corrupt header (our fuzzer
 * found a double free inside tracecmd_alloc_fd for a 24-byte file), and a
 * capture from someone's host must never crash hpsim. So the library runs in
 * a child process that streams the decoded events back through a pipe; a
 * child that dies before its final message means a corrupt file.
 */
enum { MSG_EVENT = 1, MSG_END };

struct dat_msg {
    int type;
    int rc;
    union {
        struct trace_event ev;
        struct {
            struct trace_stats st;
            struct hp_error err;
        } end;
    } u;
};

static int pipe_event(const struct trace_event *ev, void *ctx)
{
    struct dat_msg m = { .type = MSG_EVENT };
    m.u.ev = *ev;
    return fwrite(&m, sizeof m, 1, ctx) == 1 ? 0 : -2;
}

static void dat_child(int fd, const char *path, struct trace_stats *st)
{
    FILE *out = fdopen(fd, "w");
    struct dat_msg m = { .type = MSG_END };
    if (!out)
        _exit(3);
    /* A crash in the library must not print over hpsim's one-line error:
     * glibc writes fatal messages to the tty unless told to use stderr. */
    setenv("LIBC_FATAL_STDERR_", "1", 1);
    int devnull = open("/dev/null", O_WRONLY);
    if (devnull >= 0)
        dup2(devnull, STDERR_FILENO);
    m.rc = dat_read_direct(path, pipe_event, out, st, &m.u.end.err);
    m.u.end.st = *st;
    fwrite(&m, sizeof m, 1, out);
    fflush(out);
    _exit(0);   /* no atexit handlers: the parent owns every resource */
}

int trace_dat_read(const char *path, trace_cb cb, void *ctx, struct trace_stats *st,
                   struct hp_error *err)
{
    int fds[2], status = 0, ret = 0, ended = 0;
    struct dat_msg m;
    if (pipe(fds) != 0)
        return hp_errorf(err, HP_EXIT_RUNTIME, "%s: cannot create a pipe: %s", path, strerror(errno));
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return hp_errorf(err, HP_EXIT_RUNTIME, "%s: cannot fork: %s", path, strerror(errno));
    }
    if (pid == 0) {
        close(fds[0]);
        dat_child(fds[1], path, st);
    }
    close(fds[1]);
    FILE *in = fdopen(fds[0], "r");
    while (in && !ret && !ended && fread(&m, sizeof m, 1, in) == 1) {
        if (m.type == MSG_EVENT) {
            ret = cb(&m.u.ev, ctx);
        } else {
            ended = 1;
            *st = m.u.end.st;
            if (m.rc == -1 && err)
                *err = m.u.end.err;
            ret = m.rc;
        }
    }
    if (!ended)
        kill(pid, SIGKILL);   /* stopped early by the callback, or the child died */
    if (in)
        fclose(in);
    else
        close(fds[0]);
    waitpid(pid, &status, 0);
    if (!ended && !ret) {
        if (WIFSIGNALED(status))
            return hp_errorf(err, HP_EXIT_USAGE, "%s: corrupt trace.dat: the trace-cmd library "
                             "failed reading it (signal %d)", path, WTERMSIG(status));
        return hp_errorf(err, HP_EXIT_USAGE, "%s: corrupt trace.dat: the trace-cmd library "
                         "stopped reading it", path);
    }
    return ret;
}
