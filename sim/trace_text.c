/*
 * trace_text.c - the text forms of a capture, one line at a time.
 *
 * Every event line has the shape  PREFIX TIMESTAMP: [(+DIFF)] EVENT: PAYLOAD
 * where only the timestamp and the event name are certain:
 *   trace-cmd report   "  comm-pid [ccc] 123.456789: kvm_exit:   payload"
 *     -l               "comm-pid   7d..1. 123.456789: kvm_exit: payload"
 *     raw counter      "  comm-pid [ccc]303280081900681: kvm_exit: payload"
 *     instance (-B)    "inst1:  comm-pid [ccc] ..."
 *   tracefs trace      "  comm-pid  (tgid) [ccc] d..1. 123.456789: kvm_exit: payload"
 *   perf script        "  comm pid [ccc] 123.456789: kvm:kvm_exit: payload"
 *   mailing lists      " 123.456789: kvm_exit: payload"
 * So the line is anchored on the first "TIMESTAMP: NAME:" pair, and the prefix
 * before it is taken apart from its right end (comm may hold spaces and '-').
 * Payloads are accepted in the kernel print fmt, the libtraceevent plugin form
 * and the -R "field=value" form (field names from the kernel format files).
 *
 * Invariant: on one host CPU, timestamps never decrease (else the file is
 * rejected, naming the line). Memory stays flat: one line buffer, one
 * timestamp per CPU.
 */
#include <ctype.h>
#include <limits.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "trace_private.h"

#define TEXT_MAX_CPU 65536
/* Linux's PID_MAX_LIMIT: a larger pid is a corrupt line (and two of them,
 * saturated alike, would otherwise pass for one thread). */
#define TEXT_MAX_PID (1 << 22)
/* A halt (kvm_vcpu_wakeup's time) longer than this, 10^6 s, is a corrupt
 * line: replay subtracts it from a timestamp, which must not overflow. */
#define TEXT_MAX_HALT_NS 1000000000000000LL

enum text_line {
    TEXT_EVENT,     /* parsed event of a kind we report */
    TEXT_UNUSED,    /* well-formed event line of no use here */
    TEXT_HEADER,    /* comment, cpus=, blank, lost-events notes */
    TEXT_PROSE,     /* text that does not look like an event */
    TEXT_MALFORMED, /* looks like an event line but does not parse */
    TEXT_BINARY     /* control bytes: not text */
};

struct text_reader {
    const char *path;
    struct trace_stats *st;
    struct hp_error *err;
    int64_t *last_ts;   /* per host CPU + 1 (slot 0: lines without a CPU) */
    size_t n_last;
    int64_t first_bad;  /* first prose/malformed line, for "not a trace" */
    int64_t events_seen;/* well-formed event lines, used or not */
};

/* ---- small lexical helpers ---- */

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static int is_ident(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* Length of "D+[.D+]:" followed by a blank or the end, 0 if s is not one. */
static size_t text_ts_len(const char *s)
{
    size_t i = 0, j;

    while (isdigit((unsigned char)s[i]))
        i++;
    if (i == 0 || i > 20)
        return 0;
    if (s[i] == '.') {
        for (j = i + 1; isdigit((unsigned char)s[j]); j++)
            ;
        if (j == i + 1)
            return 0;
        i = j;
    }
    if (s[i] != ':' || !(is_blank(s[i + 1]) || s[i + 1] == '\0'))
        return 0;
    return i + 1;
}

/* Length of "name:" or "system:name:" followed by a blank or the end. */
static size_t text_name_len(const char *s)
{
    size_t i = 0;

    for (int part = 0; part < 2; part++) {
        if (!(isalpha((unsigned char)s[i]) || s[i] == '_'))
            return 0;
        while (is_ident(s[i]))
            i++;
        if (s[i] != ':')
            return 0;
        i++;
        if (is_blank(s[i]) || s[i] == '\0')
            return i;
    }
    return 0;
}

/* Skip a --ts-diff "(+123)" token and the blanks around it. */
static const char *text_skip_diff(const char *s)
{
    const char *close;

    while (is_blank(*s))
        s++;
    if (s[0] == '(' && (s[1] == '+' || s[1] == '-') && (close = strchr(s, ')'))) {
        s = close + 1;
        while (is_blank(*s))
            s++;
    }
    return s;
}

/* Where "TIMESTAMP: NAME:" starts; sets *name and *name_len. NULL if none. */
static char *text_find_anchor(char *line, char **name, size_t *name_len)
{
    for (char *p = line; *p; p++) {
        size_t tl, nl;
        const char *n;

        if (!isdigit((unsigned char)*p) ||
            (p > line && !is_blank(p[-1]) && p[-1] != ']'))
            continue;
        tl = text_ts_len(p);
        if (!tl)
            continue;
        n = text_skip_diff(p + tl);
        nl = text_name_len(n);
        if (!nl)
            continue;
        *name = (char *)n;
        *name_len = nl;
        return p;
    }
    return NULL;
}

/* Timestamp "secs.frac" to ns (frac of any length up to 9 digits used), or a
 * bare integer: a raw counter value, flagged in *raw. */
static int text_parse_ts(const char *s, int64_t *ts, int *raw)
{
    char *end;
    unsigned long long secs, frac = 0;
    int digits = 0;

    errno = 0;
    secs = strtoull(s, &end, 10);
    if (errno)
        return -1;
    *raw = (*end != '.');
    if (*raw) {
        if (secs > INT64_MAX)
            return -1;
        *ts = (int64_t)secs;
        return 0;
    }
    for (end++; isdigit((unsigned char)*end); end++) {
        if (digits < 9) {
            frac = frac * 10 + (unsigned long long)(*end - '0');
            digits++;
        }
    }
    for (; digits < 9; digits++)
        frac *= 10;
    if (secs > (unsigned long long)(INT64_MAX / 1000000000LL) - 1)
        return -1;
    *ts = (int64_t)(secs * 1000000000ULL + frac);
    return 0;
}

/* ---- the prefix: comm, pid, host CPU ---- */

static size_t rtrim(const char *s, size_t len)
{
    while (len > 0 && is_blank(s[len - 1]))
        len--;
    return len;
}

/* Find the last "[digits]" in s[0..len): sets *open and returns the index
 * after ']', or 0 if none. */
static size_t text_find_cpu_bracket(const char *s, size_t len, size_t *open)
{
    for (size_t i = len; i-- > 0;) {
        size_t j = i + 1;

        if (s[i] != '[')
            continue;
        while (j < len && isdigit((unsigned char)s[j]))
            j++;
        if (j > i + 1 && j < len && s[j] == ']') {
            *open = i;
            return j + 1;
        }
    }
    return 0;
}

/* The number the digits at s spell, saturated at INT_MAX: atoi's overflow is
 * undefined, and in practice wrapped a 12-digit CPU number to a negative
 * one that the reader then used as an index (found by make fuzz). */
static int text_digits(const char *s)
{
    long long v = 0;
    for (; isdigit((unsigned char)*s); s++)
        if ((v = v * 10 + (*s - '0')) > INT_MAX)
            return INT_MAX;
    return (int)v;
}

/* Numbers a capture line gives as 64 bits but the reader keeps in an int
 * (vCPU and CPU ids): a value outside [0, INT_MAX] makes the line malformed
 * rather than wrap to another id. */
static int text_int_id(int64_t v, int *out)
{
    if (v < 0 || v > INT_MAX)
        return -1;
    *out = (int)v;
    return 0;
}

/* A poll window as the kvm_halt_poll_ns tracepoints print it: the kernel's
 * halt_poll_ns is an unsigned int. */
static bool text_window_ok(int64_t ns)
{
    return ns >= 0 && ns <= UINT32_MAX;
}

/* "comm-pid" (trace-cmd, tracefs) or "comm pid" (perf script), comm may hold
 * spaces and dashes: the pid is the digits at the right end. */
static int text_parse_task(const char *s, size_t len, struct trace_event *ev)
{
    size_t start = 0, d, clen;
    const char *colon;

    while (start < len && is_blank(s[start]))
        start++;
    /* an instance name "inst1:" in front of the task */
    colon = memchr(s + start, ':', len - start);
    if (colon && (size_t)(colon - s) + 1 < len && is_blank(colon[1]) &&
        !memchr(s + start, ' ', (size_t)(colon - s) - start)) {
        start = (size_t)(colon - s) + 1;
        while (start < len && is_blank(s[start]))
            start++;
    }
    d = len;
    while (d > start && isdigit((unsigned char)s[d - 1]))
        d--;
    if (d == len || d == start || (s[d - 1] != '-' && !is_blank(s[d - 1])))
        return -1;
    ev->pid = text_digits(s + d);
    if (ev->pid > TEXT_MAX_PID)
        return -1;
    clen = rtrim(s + start, d - 1 - start);
    if (clen >= TRACE_COMM_MAX)
        clen = TRACE_COMM_MAX - 1;
    memcpy(ev->comm, s + start, clen);
    ev->comm[clen] = '\0';
    return 0;
}

static int text_parse_prefix(const char *s, size_t len, struct trace_event *ev)
{
    size_t open = 0, after, k;

    len = rtrim(s, len);
    if (len == 0)
        return 0; /* mailing-list form: timestamp first */
    after = text_find_cpu_bracket(s, len, &open);
    if (after) {
        /* after "]": nothing, or one flags token (tracefs "d..1.") */
        for (k = after; k < len && is_blank(s[k]); k++)
            ;
        if (k < len && memchr(s + k, ' ', len - k))
            return -1;
        ev->cpu = text_digits(s + open + 1);
        len = rtrim(s, open);
        if (len > 0 && s[len - 1] == ')') { /* tracefs "(tgid)" column */
            const char *lp = memrchr(s, '(', len);
            if (!lp)
                return -1;
            len = rtrim(s, (size_t)(lp - s));
        }
        return text_parse_task(s, len, ev);
    }
    /* latency form: the last token is CPU digits glued to the flags */
    for (k = len; k > 0 && !is_blank(s[k - 1]); k--)
        ;
    if (!isdigit((unsigned char)s[k]) || k == 0)
        return -1;
    ev->cpu = text_digits(s + k);
    return text_parse_task(s, rtrim(s, k), ev);
}

/* ---- payload helpers ---- */

/* Value after "key=" where key starts a token; NULL if absent. */
static const char *kv(const char *p, const char *key)
{
    size_t kl = strlen(key);

    for (const char *q = strstr(p, key); q; q = strstr(q + 1, key))
        if ((q == p || is_blank(q[-1])) && q[kl] == '=')
            return q + kl + 1;
    return NULL;
}

static int kv_i64(const char *p, const char *key, int64_t *v)
{
    const char *s = kv(p, key);
    char *end;

    if (!s)
        return -1;
    errno = 0;
    *v = strtoll(s, &end, 0);
    if (end == s || errno)
        return -1;
    return 0;
}

/* The token after the word w (w must start a token and be followed by a
 * blank); NULL if absent. */
static const char *word_arg(const char *p, const char *w)
{
    size_t wl = strlen(w);

    for (const char *q = strstr(p, w); q; q = strstr(q + 1, w)) {
        if ((q == p || is_blank(q[-1]) || q[-1] == '(') && is_blank(q[wl])) {
            q += wl;
            while (is_blank(*q))
                q++;
            return q;
        }
    }
    return NULL;
}

static int num(const char *s, int base, int64_t *v)
{
    char *end;

    if (!s)
        return -1;
    errno = 0;
    *v = strtoll(s, &end, base);
    return (end == s || errno) ? -1 : 0;
}

/* ---- payload parsers: 1 = event, 0 = well-formed but unused, -1 = bad ---- */

static int text_exit(const char *p, struct trace_event *ev)
{
    int64_t reason, isa = 1, v;
    const char *r;
    size_t n;

    if (kv_i64(p, "exit_reason", &reason) == 0) { /* -R: VMX 12, SVM 0x78 */
        kv_i64(p, "isa", &isa);
        if (kv_i64(p, "vcpu_id", &v) == 0 && text_int_id(v, &ev->vcpu) != 0)
            return -1;
        snprintf(ev->u.exit.reason, sizeof ev->u.exit.reason, "%" PRId64, reason);
        ev->kind = reason == (isa == 2 ? 0x78 : 12) ? TRACE_HLT_EXIT : TRACE_EXIT;
        return 1;
    }
    if (num(word_arg(p, "vcpu"), 10, &v) == 0 && text_int_id(v, &ev->vcpu) != 0)
        return -1;
    r = word_arg(p, "reason");
    if (!r || !*r)
        return -1;
    for (n = 0; r[n] && !is_blank(r[n]) && n + 1 < sizeof ev->u.exit.reason; n++)
        ev->u.exit.reason[n] = r[n];
    ev->u.exit.reason[n] = '\0';
    ev->kind = strcasecmp(ev->u.exit.reason, "hlt") == 0 ? TRACE_HLT_EXIT : TRACE_EXIT;
    return 1;
}

static int text_entry(const char *p, struct trace_event *ev)
{
    int64_t v;

    if (kv_i64(p, "vcpu_id", &v) != 0 && num(word_arg(p, "vcpu"), 10, &v) != 0)
        return -1;
    if (text_int_id(v, &ev->vcpu) != 0)
        return -1;
    ev->kind = TRACE_ENTRY;
    return 1;
}

/* kernel: "%s time %lld ns, polling %s" (waited: "wait"/"poll") */
static int text_wakeup(const char *p, struct trace_event *ev)
{
    int64_t ns, waited, valid = 1;
    const char *pol;

    ev->kind = TRACE_WAKEUP;
    if (kv_i64(p, "ns", &ns) == 0) {
        if (kv_i64(p, "waited", &waited) != 0)
            return -1;
        kv_i64(p, "valid", &valid);
    } else {
        if (strncmp(p, "wait time ", 10) == 0)
            waited = 1;
        else if (strncmp(p, "poll time ", 10) == 0)
            waited = 0;
        else
            return -1;
        if (num(p + 10, 10, &ns) != 0 || !strstr(p + 10, " ns"))
            return -1;
        pol = strstr(p, "polling ");
        if (pol)
            valid = strncmp(pol + 8, "valid", 5) == 0;
    }
    if (ns < 0 || ns > TEXT_MAX_HALT_NS)
        return -1;
    ev->u.wakeup.ns = ns;
    ev->u.wakeup.waited = waited != 0;
    ev->u.wakeup.valid = valid != 0;
    return 1;
}

/* kernel: "vcpu %u: halt_poll_ns %u (%s %u)" = vcpu, new, grow/shrink, old */
static int text_halt_poll(const char *p, struct trace_event *ev)
{
    long long vcpu, nw, old;
    int64_t v, g;
    char how[8];

    ev->kind = TRACE_HALT_POLL;
    if (kv_i64(p, "new", &v) == 0) {
        ev->u.poll.new_ns = v;
        if (kv_i64(p, "old", &ev->u.poll.old_ns) || kv_i64(p, "grow", &g) ||
            kv_i64(p, "vcpu_id", &v) || text_int_id(v, &ev->vcpu) ||
            !text_window_ok(ev->u.poll.new_ns) || !text_window_ok(ev->u.poll.old_ns))
            return -1;
        ev->u.poll.grow = g != 0;
        return 1;
    }
    /* %lld, not %d: sscanf's overflow is undefined; the ranges are checked below */
    if (sscanf(p, "vcpu %lld: halt_poll_ns %lld (%7[a-z] %lld)", &vcpu, &nw, how, &old) != 4)
        return -1;
    if (strcmp(how, "grow") != 0 && strcmp(how, "shrink") != 0)
        return -1;
    if (text_int_id(vcpu, &ev->vcpu) || !text_window_ok(nw) || !text_window_ok(old))
        return -1;
    ev->u.poll.new_ns = nw;
    ev->u.poll.old_ns = old;
    ev->u.poll.grow = how[0] == 'g';
    return 1;
}

/* kernel: "apicid %x vec %u (%s|%s)" */
static int text_apic_accept(const char *p, struct trace_event *ev)
{
    int64_t a, v;

    trace_irq_init(ev, TRACE_IRQ_APIC_ACCEPT);
    if (kv_i64(p, "apicid", &a) == 0) {
        if (kv_i64(p, "vec", &v) != 0)
            return -1;
    } else if (num(word_arg(p, "apicid"), 16, &a) || num(word_arg(p, "vec"), 10, &v)) {
        return -1;
    }
    ev->u.irq.apicid = (int)a;
    ev->u.irq.vector = (int)v;
    return 1;
}

/* 6.x: "IRQ 0x%x" / "Soft/INTn 0x%x" [" [reinjected]"]; <= 5.x: "irq %u" */
static int text_inj_virq(const char *p, struct trace_event *ev)
{
    int64_t v;

    trace_irq_init(ev, TRACE_IRQ_INJ_VIRQ);
    if (kv_i64(p, "vector", &v) != 0 && kv_i64(p, "irq", &v) != 0) {
        const char *s = p;

        while (*s && !is_blank(*s))
            s++;
        if (num(s, 0, &v) != 0)
            return -1;
    }
    ev->u.irq.vector = (int)v;
    return 1;
}

/* "gsi %u level %d source %d" */
static int text_set_irq(const char *p, struct trace_event *ev)
{
    int64_t g, l;

    trace_irq_init(ev, TRACE_IRQ_SET_IRQ);
    if (kv_i64(p, "gsi", &g) == 0) {
        if (kv_i64(p, "level", &l) != 0)
            return -1;
    } else if (num(word_arg(p, "gsi"), 10, &g) || num(word_arg(p, "level"), 10, &l)) {
        return -1;
    }
    ev->u.irq.gsi = (int)g;
    ev->u.irq.level = (int)l;
    return 1;
}

/* kernel: "dst %llx vec %u (%s|%s|%s%s)"; raw: address, data (x86 MSI:
 * destination id in address bits 19:12, logical mode in bit 2, vector in
 * data bits 7:0). A logical destination is a mask, not an APIC id. */
static int text_msi(const char *p, struct trace_event *ev)
{
    int64_t addr, data, dst, vec;

    trace_irq_init(ev, TRACE_IRQ_MSI);
    if (kv_i64(p, "address", &addr) == 0) {
        if (kv_i64(p, "data", &data) != 0)
            return -1;
        ev->u.irq.vector = (int)(data & 0xff);
        ev->u.irq.apicid = (addr & 4) ? -1 : (int)((addr >> 12) & 0xff);
        return 1;
    }
    if (num(word_arg(p, "dst"), 16, &dst) || num(word_arg(p, "vec"), 10, &vec))
        return -1;
    ev->u.irq.vector = (int)vec;
    ev->u.irq.apicid = strstr(p, "logical") ? -1 : (int)dst;
    return 1;
}

/* printed "CS:RIP: bytes" ("0:103d: f4"); raw "... insn=ARRAY[f4, ...]".
 * f4 is HLT; what KVM's emulator executes when it handles the guest's HLT. */
static int text_emulate(const char *p, struct trace_event *ev)
{
    const char *s = kv(p, "insn");
    char *end;
    unsigned long b;

    if (s) {
        if (strncmp(s, "ARRAY[", 6) != 0)
            return -1;
        s += 6;
    } else {
        s = strchr(p, ':');
        s = s ? strchr(s + 1, ':') : NULL;
        if (!s)
            return -1;
        s++;
    }
    while (is_blank(*s))
        s++;
    b = strtoul(s, &end, 16);
    if (end == s)
        return -1;
    if (b != 0xf4)
        return 0;
    ev->kind = TRACE_HLT_EXIT;
    snprintf(ev->u.exit.reason, sizeof ev->u.exit.reason, "emulated f4");
    return 1;
}

static int text_cpu_idle(const char *p, struct trace_event *ev)
{
    int64_t state, cpu;

    if (kv_i64(p, "state", &state) || kv_i64(p, "cpu_id", &cpu))
        return -1;
    if (text_int_id(cpu, &ev->u.idle.cpu_id) != 0)
        return -1;
    ev->kind = TRACE_CPU_IDLE;
    ev->u.idle.state = state;
    return 1;
}

/* The pid of "comm:pid [prio]" ending just before `end`. */
static int text_switch_pid(const char *start, const char *end, int *pid)
{
    const char *br = end;

    while (br > start && br[0] != '[')
        br--;
    while (br > start && br[-1] != ':')
        br--;
    if (br == start)
        return -1;
    *pid = text_digits(br);
    return *pid > TEXT_MAX_PID ? -1 : 0;
}

/* kernel: "prev_comm=.. prev_pid=.. prev_prio=.. prev_state=S ==> next_comm=..
 * next_pid=.."; plugin: "comm:pid [prio] S ==> comm:pid [prio]" */
static int text_sched_switch(const char *p, struct trace_event *ev)
{
    int64_t a, b;
    const char *arrow = strstr(p, " ==> "), *st;

    ev->kind = TRACE_SCHED_SWITCH;
    ev->u.sw.prev_state = '?';
    if (kv_i64(p, "prev_pid", &a) == 0 && kv_i64(p, "next_pid", &b) == 0) {
        ev->u.sw.prev_pid = (int)a;
        ev->u.sw.next_pid = (int)b;
        if ((st = kv(p, "prev_state")))
            ev->u.sw.prev_state = *st;
        return 1;
    }
    if (!arrow)
        return -1;
    st = arrow;
    while (st > p && is_blank(st[-1]))
        st--;
    if (st > p)
        ev->u.sw.prev_state = st[-1];
    if (text_switch_pid(p, arrow, &ev->u.sw.prev_pid) ||
        text_switch_pid(arrow, arrow + strlen(arrow) - 1, &ev->u.sw.next_pid))
        return -1;
    return 1;
}

static const struct {
    const char *name;
    int (*parse)(const char *payload, struct trace_event *ev);
} text_events[] = {
    { "kvm_exit", text_exit },
    { "kvm_entry", text_entry },
    { "kvm_vcpu_wakeup", text_wakeup },
    { "kvm_halt_poll_ns", text_halt_poll },
    { "kvm_apic_accept_irq", text_apic_accept },
    { "kvm_inj_virq", text_inj_virq },
    { "kvm_set_irq", text_set_irq },
    { "kvm_msi_set_irq", text_msi },
    { "kvm_emulate_insn", text_emulate },
    { "cpu_idle", text_cpu_idle },
    { "sched_switch", text_sched_switch },
};

/* ---- one line ---- */

static int text_payload(const char *name, size_t name_len, const char *payload,
                        struct trace_event *ev)
{
    const char *colon = memchr(name, ':', name_len - 1);

    if (colon) { /* perf script "kvm:kvm_exit:" */
        name_len -= (size_t)(colon + 1 - name);
        name = colon + 1;
    }
    name_len--; /* the trailing ':' */
    for (size_t i = 0; i < sizeof text_events / sizeof text_events[0]; i++)
        if (strlen(text_events[i].name) == name_len &&
            memcmp(text_events[i].name, name, name_len) == 0)
            return text_events[i].parse(payload, ev);
    return 0;
}

/* Header lines of the forms we know; fills st->cpus when they say it. */
static int text_is_header(const char *s, struct trace_stats *st)
{
    const char *p;

    while (is_blank(*s))
        s++;
    if (*s == '\0')
        return 1;
    if (*s == '#') {
        if ((p = strstr(s, "#P:")) && isdigit((unsigned char)p[3]))
            st->cpus = text_digits(p + 3);
        return 1;
    }
    if (strncmp(s, "cpus=", 5) == 0 && isdigit((unsigned char)s[5])) {
        st->cpus = text_digits(s + 5);
        return 1;
    }
    return strncmp(s, "version = ", 10) == 0 ||
           (strncmp(s, "CPU", 3) == 0 && (strstr(s, " is empty") || strstr(s, "LOST"))) ||
           strstr(s, " buffer started ") != NULL;
}

/* Text that still looks like an event line: a "[cpu]" or a "D+.D+:". */
static int text_looks_like_event(const char *s)
{
    size_t open;

    if (text_find_cpu_bracket(s, strlen(s), &open))
        return 1;
    for (const char *p = s; *p; p++) {
        size_t n;

        if (!isdigit((unsigned char)*p) || (p > s && isdigit((unsigned char)p[-1])))
            continue;
        n = text_ts_len(p);
        if (n > 0 && memchr(p, '.', n))
            return 1;
    }
    return 0;
}

static int text_has_control(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return 1;
    }
    return 0;
}

static enum text_line text_classify(char *line, size_t len, struct trace_event *ev,
                                    struct trace_stats *st)
{
    char *anchor, *name, *payload;
    size_t name_len;
    int raw, r;

    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        line[--len] = '\0';
    if (text_has_control(line, len))
        return TEXT_BINARY;
    if (text_is_header(line, st))
        return TEXT_HEADER;
    anchor = text_find_anchor(line, &name, &name_len);
    if (!anchor)
        return text_looks_like_event(line) ? TEXT_MALFORMED : TEXT_PROSE;
    ev->cpu = ev->pid = ev->vcpu = -1;
    ev->comm[0] = '\0';
    if (text_parse_prefix(line, (size_t)(anchor - line), ev) != 0 ||
        text_parse_ts(anchor, &ev->ts_ns, &raw) != 0)
        return TEXT_MALFORMED;
    if (raw)
        st->raw_counter = 1;
    payload = name + name_len;
    while (is_blank(*payload))
        payload++;
    r = text_payload(name, name_len, payload, ev);
    return r < 0 ? TEXT_MALFORMED : r == 0 ? TEXT_UNUSED : TEXT_EVENT;
}

/* Timestamps must not decrease on one host CPU. */
static int text_check_order(struct text_reader *tr, const struct trace_event *ev)
{
    size_t slot = (size_t)(ev->cpu + 1);

    if (slot >= tr->n_last) {
        size_t n = tr->n_last ? tr->n_last : 8;
        int64_t *p;

        while (n <= slot)
            n *= 2;
        p = realloc(tr->last_ts, n * sizeof *p);
        if (!p)
            return hp_errorf(tr->err, HP_EXIT_RUNTIME, "%s:%" PRId64 ": out of memory",
                             tr->path, ev->where);
        for (size_t i = tr->n_last; i < n; i++)
            p[i] = INT64_MIN;
        tr->last_ts = p;
        tr->n_last = n;
    }
    if (ev->ts_ns < tr->last_ts[slot])
        return hp_errorf(tr->err, HP_EXIT_USAGE,
                         "%s:%" PRId64 ": timestamp goes back in time on cpu %d",
                         tr->path, ev->where, ev->cpu);
    tr->last_ts[slot] = ev->ts_ns;
    return 0;
}

static void text_note_bad(struct text_reader *tr, int64_t line, int malformed)
{
    if (!tr->first_bad)
        tr->first_bad = line;
    if (malformed) {
        tr->st->malformed++;
        if (!tr->st->first_malformed)
            tr->st->first_malformed = line;
    }
}

/* One line: returns 0 to go on, the callback's non-zero value, or -1. */
static int text_line(struct text_reader *tr, char *line, size_t len, int64_t no,
                     trace_cb cb, void *ctx)
{
    struct trace_event ev;
    enum text_line kind;

    memset(&ev, 0, sizeof ev);
    ev.where = no;
    kind = text_classify(line, len, &ev, tr->st);
    switch (kind) {
    case TEXT_BINARY:
        if (tr->events_seen == 0)
            return hp_errorf(tr->err, HP_EXIT_USAGE,
                             "%s:%" PRId64 ": not a trace: binary data", tr->path, no);
        text_note_bad(tr, no, 1);
        return 0;
    case TEXT_HEADER:
        return 0;
    case TEXT_PROSE:
    case TEXT_MALFORMED:
        text_note_bad(tr, no, kind == TEXT_MALFORMED);
        return 0;
    case TEXT_UNUSED:
    case TEXT_EVENT:
        break;
    }
    tr->events_seen++;
    if (ev.cpu >= TEXT_MAX_CPU) {
        text_note_bad(tr, no, 1);
        return 0;
    }
    if (text_check_order(tr, &ev) != 0)
        return -1;
    if (kind == TEXT_UNUSED) {
        tr->st->unknown++;
        return 0;
    }
    tr->st->events++;
    return cb(&ev, ctx);
}

int trace_text_read(FILE *f, const char *path, trace_cb cb, void *ctx,
                    struct trace_stats *st, struct hp_error *err)
{
    struct text_reader tr = { .path = path, .st = st, .err = err };
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int ret = 0;

    while ((len = getline(&line, &cap, f)) >= 0) {
        st->lines++;
        ret = text_line(&tr, line, (size_t)len, st->lines, cb, ctx);
        if (ret != 0)
            break;
    }
    if (ret == 0 && ferror(f))
        ret = hp_errorf(err, HP_EXIT_RUNTIME, "%s:%" PRId64 ": read error: %s", path,
                        st->lines + 1, strerror(errno));
    else if (ret == 0 && tr.events_seen == 0)
        ret = hp_errorf(err, HP_EXIT_USAGE, "%s:%" PRId64 ": not a trace: no event lines",
                        path, tr.first_bad ? tr.first_bad : 1);
    free(line);
    free(tr.last_ts);
    return ret;
}
