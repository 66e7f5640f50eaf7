/*
 * trace_private.h - the readers behind trace_read(); used by trace_*.c only.
 */
#ifndef HPSIM_TRACE_PRIVATE_H
#define HPSIM_TRACE_PRIVATE_H

#include <stdio.h>

#include "trace_read.h"

/* Start ev as an interrupt delivery from src, every field unknown (-1):
 * each reader fills what its event carries. */
static inline void trace_irq_init(struct trace_event *ev, enum trace_irq_src src)
{
    ev->kind = TRACE_IRQ;
    ev->u.irq.src = src;
    ev->u.irq.apicid = ev->u.irq.vector = ev->u.irq.gsi = ev->u.irq.level = -1;
}

/* Text forms; f is positioned at the start of the file. Same contract as
 * trace_read(). */
int trace_text_read(FILE *f, const char *path, trace_cb cb, void *ctx,
                    struct trace_stats *st, struct hp_error *err);

/* trace.dat through libtracecmd. Same contract as trace_read(). */
int trace_dat_read(const char *path, trace_cb cb, void *ctx,
                   struct trace_stats *st, struct hp_error *err);

/* Make libtracecmd able to read zlib-compressed trace.dat files. Idempotent;
 * returns 0, or -1 if registration failed for another reason than zlib being
 * supported already. */
int trace_zlib_register(void);

#endif
