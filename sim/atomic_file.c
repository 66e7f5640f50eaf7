/* atomic_file.c - see atomic_file.h. */
#include "atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

int atomic_open(struct atomic_file *a, const char *path, struct hp_error *err)
{
    static unsigned serial;          /* one process may have several files open */
    memset(a, 0, sizeof *a);
    if (snprintf(a->path, sizeof a->path, "%s", path) >= (int)sizeof a->path)
        return hp_errorf(err, HP_EXIT_USAGE, "%s: path too long", path);
    /* A name of its own: the pid keeps sweep workers apart, the serial two
     * files of one process, and O_EXCL a leftover of a killed run (tried
     * past) or a symlink planted there (never followed). */
    int fd = -1;
    for (int tries = 0; fd < 0 && tries < 100; tries++) {
        snprintf(a->tmp, sizeof a->tmp, "%s.tmp.%ld.%u", path, (long)getpid(), serial++);
        fd = open(a->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0 || !(a->f = fdopen(fd, "w"))) {
        int e = errno;
        if (fd >= 0) {
            close(fd);
            unlink(a->tmp);
        }
        return hp_errorf(err, HP_EXIT_RUNTIME, "%s: cannot write: %s", path, strerror(e));
    }
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
