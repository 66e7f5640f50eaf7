/* error.c - see error.h. */
#include "error.h"

#include <stdio.h>
#include <string.h>

int hp_verrorf(struct hp_error *err, int code, const char *fmt, va_list ap)
{
    if (!err)
        return -1;
    err->code = code;
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    /* Keep it one line whatever the input contained. */
    for (char *p = err->msg; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    return -1;
}

int hp_errorf(struct hp_error *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    hp_verrorf(err, code, fmt, ap);
    va_end(ap);
    return -1;
}
