/*
 * fuzz_trace.c - libFuzzer harness for both capture readers and the halt
 * extraction. Built twice: FUZZ_DAT prefixes every input with the trace.dat
 * magic so it goes down the libtracecmd path; otherwise the input is text
 * (or whatever the content detection makes of it).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "trace_read.h"

static int count(const struct trace_event *ev, void *ctx)
{
    (void)ev;
    ++*(long *)ctx;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    if (!path[0])
        snprintf(path, sizeof path, "/tmp/hpsim-fuzz-trace-%d", (int)getpid());
    FILE *f = fopen(path, "w");
    if (!f)
        return 0;
#ifdef FUZZ_DAT
    static const char magic[] = "\x17\x08\x44tracing";
    if (size < 10 || memcmp(data, magic, 10) != 0)
        fwrite(magic, 1, 10, f);
#endif
    fwrite(data, 1, size, f);
    fclose(f);
    struct hp_error err = {0};
    struct trace_stats st;
    long n = 0;
    memset(&st, 0, sizeof st);
    trace_read(path, count, &n, &st, &err);
    struct capture cap;
    if (capture_load(path, 3000, NULL, &cap, &err) == 0)
        capture_free(&cap);
    return 0;
}
