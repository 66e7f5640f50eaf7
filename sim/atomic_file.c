/* atomic_file.c - see atomic_file.h. */
#include "atomic_file.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

int atomic_open(struct atomic_file *a, const char *path, struct hp_error *err)
{
    memset(a, 0, sizeof *a);
    if (snprintf(a->path, sizeof a->path, "%s", path) >= (int)sizeof a->path)
        return hp_errorf(err, HP_EXIT_USAGE, "%s: path too long", path);
    /* The pid keeps sweep workers writing beside one another apart. */
    snprintf(a->tmp, sizeof a->tmp, "%s.tmp.%ld", path, (long)getpid());
    a->f = fopen(a->tmp, "w");
    if (!a->f)
        return hp_errorf(err, HP_EXIT_RUNTIME, "%s: cannot write: %s", path, strerror(errno));
    return 0;
}

int atomic_commit(struct atomic_file *a, struct hp_error *err)
{
    if (!a->f)
        return hp_errorf(err, HP_EXIT_RUNTIME, "%s: cannot write: %s", a->path, strerror(EBADF));
    errno = 0;
    bool bad = a->failed || ferror(a->f) || fflush(a->f) != 0 || fsync(fileno(a->f)) != 0;
    int e = errno;
    bad |= fclose(a->f) != 0;
    a->f = NULL;
    if (!bad && rename(a->tmp, a->path) == 0)
        return 0;
    e = errno ? errno : e;
    unlink(a->tmp);
    return hp_errorf(err, HP_EXIT_RUNTIME, "%s: cannot write: %s", a->path, strerror(e ? e : EIO));
}

void atomic_abort(struct atomic_file *a)
{
    if (!a->f)
        return;
    fclose(a->f);
    a->f = NULL;
    unlink(a->tmp);
}
