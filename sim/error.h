/*
 * error.h - bad-input errors and the exit codes of every hpsim command.
 *
 * Two kinds of failure exist: bugs trip an assert; bad input
 * (configs, captures, command lines) fills a struct hp_error that is returned
 * upward. Only main() prints it, as one line:  hpsim: error: <msg>
 * where <msg> already names the file and the line, record or JSON path.
 */
#ifndef HPSIM_ERROR_H
#define HPSIM_ERROR_H

#include <stdarg.h>

/* Exit codes, documented in the README ("Errors"). */
enum hp_exit {
    HP_EXIT_OK = 0,          /* success */
    HP_EXIT_RUNTIME = 1,     /* could not write output, out of memory, I/O error */
    HP_EXIT_USAGE = 2,       /* bad command line, config or capture */
    HP_EXIT_SKIP = 77,       /* a probe/record step lacks root, /dev/kvm or tracefs */
    HP_EXIT_INTERRUPTED = 130 /* stopped by SIGINT/SIGTERM; nothing half-written */
};

struct hp_error {
    int code;        /* an enum hp_exit value */
    char msg[768];   /* one line, no trailing newline */
};

/* Fill err (if non-NULL) with a printf-style message and code; returns -1 so
 * callers can write `return hp_errorf(err, HP_EXIT_USAGE, "...")`. */
int hp_errorf(struct hp_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int hp_verrorf(struct hp_error *err, int code, const char *fmt, va_list ap);

#endif
