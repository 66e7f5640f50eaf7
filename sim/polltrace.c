/* polltrace.c - window changes as trace-cmd report lines, and back. See polltrace.h. */
#include "polltrace.h"

#include <ctype.h>
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

/* "SECS.FRAC" (any number of decimals), or a counter clock's raw value
 * (no decimal point: kept in its own units), ending at end. */
static int parse_ts(const char *s, const char *end, int64_t *t_ns)
{
    int64_t whole = 0, frac = 0, scale = 1000000000;
    const char *p = s;
    for (; p < end && isdigit((unsigned char)*p); p++) {
        if (whole > (INT64_MAX - 9) / 10)
            return -1;
        whole = whole * 10 + (*p - '0');
    }
    if (p == s)
        return -1;
    if (p == end) {
        *t_ns = whole;
        return 0;
    }
    if (*p++ != '.' || whole > INT64_MAX / 1000000000 - 1)
        return -1;
    for (; p < end && isdigit((unsigned char)*p); p++) {
        scale /= 10;
        frac += (*p - '0') * scale;   /* digits past the ninth add 0 */
    }
    if (p != end)
        return -1;
    *t_ns = whole * 1000000000 + frac;
    return 0;
}

/* The prefix before ev (the ": event:" text): "comm-pid [cpu] (flags) ts".
 * The timestamp is required; [cpu] and comm-pid are read when present (a
 * line quoted without them gets -1). */
static int parse_prefix(const char *line, const char *ev, struct window_change *c, int *pid)
{
    const char *lb = NULL, *ts = ev;
    while (ts > line && ts[-1] != ' ' && ts[-1] != ']')
        ts--;
    if (parse_ts(ts, ev, &c->t_ns))
        return -1;
    for (const char *q = line; q < ts; q++)
        if (*q == '[')
            lb = q;
    c->pcpu = -1;
    *pid = -1;
    if (!lb)
        return 0;
    char *end;
    c->pcpu = (int)strtol(lb + 1, &end, 10);
    if (*end != ']')
        return -1;
    const char *p = lb;
    while (p > line && p[-1] == ' ')
        p--;
    const char *digits = p;
    while (digits > line && isdigit((unsigned char)digits[-1]))
        digits--;
    if (digits < p && digits > line && digits[-1] == '-')
        *pid = atoi(digits);
    return 0;
}

/* The payload: the print fmt, or trace-cmd report -R's raw fields. */
static int parse_payload(const char *s, struct window_change *c)
{
    char how[8] = "";
    long long nw = 0, old = 0;
    int n = 0, grow = 0, k;
    int want = c->guest ? 3 : 4;
    if (strncmp(s, "grow=", 5) == 0) {
        k = c->guest ? sscanf(s, "grow=%d new=%lld old=%lld", &grow, &nw, &old)
                     : sscanf(s, "grow=%d vcpu_id=%d new=%lld old=%lld", &grow, &c->vcpu, &nw, &old);
        snprintf(how, sizeof how, "%s", grow ? "grow" : "shrink");
        n = 1;
    } else {
        k = c->guest ? sscanf(s, "halt_poll_ns %lld (%7[a-z] %lld)%n", &nw, how, &old, &n)
                     : sscanf(s, "vcpu %d: halt_poll_ns %lld (%7[a-z] %lld)%n", &c->vcpu, &nw, how, &old, &n);
    }
    if (k != want || !n)
        return -1;
    if (strcmp(how, "grow") == 0)
        c->change = POLICY_GROW;
    else if (strcmp(how, "shrink") == 0)
        c->change = POLICY_SHRINK;
    else
        return -1;
    c->new_ns = nw;
    c->old_ns = old;
    return 0;
}

int polltrace_parse(const char *line, struct window_change *c)
{
    memset(c, 0, sizeof *c);
    const char *ev = strstr(line, ": kvm_halt_poll_ns:");
    size_t evlen = sizeof HOST_EVENT - 1;
    if (!ev) {
        ev = strstr(line, ": guest_halt_poll_ns:");
        evlen = sizeof GUEST_EVENT - 1;
        c->guest = true;
    }
    if (!ev)
        return 0;
    int pid;
    if (parse_prefix(line, ev, c, &pid))
        return -1;
    const char *payload = ev + 2 + evlen;
    while (*payload == ' ')
        payload++;
    if (parse_payload(payload, c))
        return -1;
    c->vm = -1;
    if (c->guest) {
        c->vcpu = c->pcpu;                 /* the guest's CPU is the vCPU */
    } else if (pid >= POLLTRACE_PID_BASE && (pid - POLLTRACE_PID_BASE) % POLLTRACE_PID_STRIDE == c->vcpu) {
        c->vm = (pid - POLLTRACE_PID_BASE) / POLLTRACE_PID_STRIDE;
    }
    return 1;
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
