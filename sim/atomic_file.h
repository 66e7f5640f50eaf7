/*
 * atomic_file.h - an output file that appears whole or not at all.
 *
 * Every file hpsim writes (results, sweep parts, window and event traces) is
 * written to a temporary file beside its path and renamed over it only once
 * everything is written, flushed and synced, so an error, a full disk or an
 * interrupt never leaves a half-written file where a tool (gnuplot, a
 * sweep's merge, trace-cmd users) would read it: the old file, if any,
 * stays as it was.
 */
#ifndef HPSIM_ATOMIC_FILE_H
#define HPSIM_ATOMIC_FILE_H

#include <stdbool.h>
#include <stdio.h>

#include "error.h"

struct atomic_file {
    FILE *f;                     /* the temporary file: write here */
    char path[4096];
    char tmp[4200];
    bool failed;                 /* a write failed (set by the writer); reported at commit */
};

/* Create the temporary file for path; -1 with err filled. */
int atomic_open(struct atomic_file *a, const char *path, struct hp_error *err);
/* Flush, sync and rename it into place; -1 with err filled (and the
 * temporary removed) when a write failed or any of that fails. */
int atomic_commit(struct atomic_file *a, struct hp_error *err);
/* Close and remove the temporary file: nothing appears. */
void atomic_abort(struct atomic_file *a);

#endif
