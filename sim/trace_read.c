/*
 * trace_read.c - pick the reader of a capture by its first bytes.
 *
 * A trace.dat starts with the magic 17 08 44 followed by "tracing"
 * (trace-cmd.dat(5)); anything else is handed to the text reader, which
 * decides by itself whether the lines are a trace.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "trace_private.h"

static const unsigned char trace_dat_magic[] = { 0x17, 0x08, 0x44, 't', 'r', 'a',
                                                 'c', 'i', 'n', 'g' };

const char *trace_kind_name(enum trace_kind kind)
{
    switch (kind) {
    case TRACE_HLT_EXIT: return "hlt_exit";
    case TRACE_EXIT: return "exit";
    case TRACE_ENTRY: return "entry";
    case TRACE_WAKEUP: return "wakeup";
    case TRACE_HALT_POLL: return "halt_poll_ns";
    case TRACE_IRQ: return "irq";
    case TRACE_CPU_IDLE: return "cpu_idle";
    case TRACE_SCHED_SWITCH: return "sched_switch";
    }
    return "?";
}

int trace_read(const char *path, trace_cb cb, void *ctx, struct trace_stats *st,
               struct hp_error *err)
{
    struct trace_stats local;
    unsigned char head[sizeof trace_dat_magic];
    size_t n;
    FILE *f;
    int ret;

    if (!st)
        st = &local;
    memset(st, 0, sizeof *st);
    f = fopen(path, "rb");
    if (!f)
        return hp_errorf(err, HP_EXIT_USAGE, "%s: cannot open: %s", path,
                         strerror(errno));
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        fclose(f);
        return hp_errorf(err, HP_EXIT_USAGE, "%s: is a directory, expected a trace.dat or "
                         "trace-cmd report text", path);
    }
    n = fread(head, 1, sizeof head, f);
    if (n == sizeof head && memcmp(head, trace_dat_magic, sizeof head) == 0) {
        fclose(f);
        return trace_dat_read(path, cb, ctx, st, err);
    }
    rewind(f);
    ret = trace_text_read(f, path, cb, ctx, st, err);
    fclose(f);
    return ret;
}
