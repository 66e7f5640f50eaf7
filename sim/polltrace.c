/* polltrace.c - window changes as trace-cmd report lines. See polltrace.h. */
#include "polltrace.h"

#include <stdio.h>
#include <string.h>

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
    if (atomic_open(&w->out, path, err) != 0)
        return -1;
    if (fprintf(w->out.f, "cpus=%d\n", ncpus) < 0)
        w->out.failed = true;
    return 0;
}

void polltrace_write(void *ctx, const struct window_change *c)
{
    struct polltrace_writer *w = ctx;
    char line[256];
    polltrace_format(line, sizeof line, c);
    if (fputs(line, w->out.f) == EOF || fputc('\n', w->out.f) == EOF)
        w->out.failed = true;
}

int polltrace_close(struct polltrace_writer *w, bool keep, struct hp_error *err)
{
    if (!w->out.f)
        return 0;
    if (keep)
        return atomic_commit(&w->out, err);
    atomic_abort(&w->out);
    return 0;
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
