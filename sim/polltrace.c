/* polltrace.c - window changes as trace-cmd report lines. See polltrace.h. */
#include "polltrace.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char HOST_EVENT[] = "kvm_halt_poll_ns:";
static const char GUEST_EVENT[] = "guest_halt_poll_ns:";

int polltrace_format(char *buf, size_t n, const struct window_change *c)
{
    char comm[32];
    int pid, cpu;
    if (c->guest) {
        snprintf(comm, sizeof comm, "<idle>");
        pid = 0;
        cpu = c->vcpu;                     /* the guest's own CPU */
    } else {
        snprintf(comm, sizeof comm, "CPU %d/KVM", c->vcpu);
        pid = POLLTRACE_PID_BASE + POLLTRACE_PID_STRIDE * c->vm + c->vcpu;
        cpu = c->pcpu;
    }
    long long secs = c->t_ns / 1000000000, usecs = c->t_ns % 1000000000 / 1000;
    int k = snprintf(buf, n, "%16s-%-5d [%03d] %5lld.%06lld: %-21s ", comm, pid, cpu, secs, usecs,
                     c->guest ? GUEST_EVENT : HOST_EVENT);
    if (k < 0 || (size_t)k >= n)
        return k;
    const char *how = c->change == POLICY_GROW ? "grow" : "shrink";
    if (c->guest)
        return k + snprintf(buf + k, n - (size_t)k, "halt_poll_ns %lld (%s %lld)",
                            (long long)c->new_ns, how, (long long)c->old_ns);
    return k + snprintf(buf + k, n - (size_t)k, "vcpu %d: halt_poll_ns %lld (%s %lld)", c->vcpu,
                        (long long)c->new_ns, how, (long long)c->old_ns);
}

int polltrace_open(struct polltrace_writer *w, const char *path, int ncpus, struct hp_error *err)
{
    memset(w, 0, sizeof *w);
    if (snprintf(w->path, sizeof w->path, "%s", path) >= (int)sizeof w->path)
        return hp_errorf(err, HP_EXIT_USAGE, "%s: path too long", path);
    snprintf(w->tmp, sizeof w->tmp, "%s.tmp.%ld", path, (long)getpid());
    w->f = fopen(w->tmp, "w");
    if (!w->f)
        return hp_errorf(err, HP_EXIT_RUNTIME, "%s: cannot write: %s", path, strerror(errno));
    if (fprintf(w->f, "cpus=%d\n", ncpus) < 0)
        w->failed = true;
    return 0;
}

void polltrace_write(void *ctx, const struct window_change *c)
{
    struct polltrace_writer *w = ctx;
    char line[256];
    polltrace_format(line, sizeof line, c);
    if (fputs(line, w->f) == EOF || fputc('\n', w->f) == EOF)
        w->failed = true;
}

int polltrace_close(struct polltrace_writer *w, bool keep, struct hp_error *err)
{
    if (!w->f)
        return 0;
    int bad = w->failed || fflush(w->f) != 0 || ferror(w->f);
    int e = errno;
    bad |= fclose(w->f) != 0;
    w->f = NULL;
    if (keep && !bad && rename(w->tmp, w->path) == 0)
        return 0;
    if (keep)
        e = errno ? errno : e;
    unlink(w->tmp);
    if (!keep)
        return 0;
    return hp_errorf(err, HP_EXIT_RUNTIME, "%s: cannot write: %s", w->path, strerror(e ? e : EIO));
}

int polltrace_path_for(char *buf, size_t n, const char *path, const char *policy)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash + 1 : path, '.');
    if (!dot || dot == (slash ? slash + 1 : path))
        dot = path + strlen(path);        /* no extension (or a dot file): append */
    int k = snprintf(buf, n, "%.*s.%s%s", (int)(dot - path), path, policy, dot);
    return k < 0 || (size_t)k >= n ? -1 : 0;
}
