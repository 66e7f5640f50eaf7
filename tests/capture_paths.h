/*
 * capture_paths.h - where the capture tests find their inputs: hand-made
 * fixtures in tests/fixtures/traces ($HPSIM_FIXTURES), and the real captures
 * in ../shared/traces beside the repository ($HPSIM_SHARED_TRACES). A test
 * that needs a real capture that is absent is skipped, saying so.
 */
#ifndef HPSIM_CAPTURE_PATHS_H
#define HPSIM_CAPTURE_PATHS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char fixture_dir[512] = "tests/fixtures/traces";
static char shared_dir[512] = "../shared/traces";

static inline const char *fixture(const char *name)
{
    static char path[1024];
    snprintf(path, sizeof path, "%s/%s", fixture_dir, name);
    return path;
}

/* Path of a shared capture in buf, NULL when absent. */
static inline const char *shared(char *buf, size_t n, const char *rel)
{
    snprintf(buf, n, "%s/%s", shared_dir, rel);
    FILE *f = fopen(buf, "rb");
    if (!f)
        return NULL;
    fclose(f);
    return buf;
}

#define SHARED_OR_SKIP(var, rel)                                                      \
    char var##_buf[1024];                                                             \
    const char *var = shared(var##_buf, sizeof var##_buf, rel);                       \
    if (!var) {                                                                       \
        print_message("shared capture %s/%s absent: skipped\n", shared_dir, rel);     \
        skip();                                                                       \
    }

/* Lines of a report text containing all of a, b (b may be NULL): the
 * independent count the readers' figures are held to. */
static inline long count_lines(const char *path, const char *a, const char *b)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;
    long n = 0;

    assert_non_null(f);
    while (getline(&line, &cap, f) >= 0)
        n += strstr(line, a) && (!b || strstr(line, b));
    free(line);
    fclose(f);
    return n;
}

/* cmocka group setup: take the directories from the environment. */
static inline int setup_dirs(void **s)
{
    const char *e;
    (void)s;
    if ((e = getenv("HPSIM_FIXTURES")))
        snprintf(fixture_dir, sizeof fixture_dir, "%s", e);
    if ((e = getenv("HPSIM_SHARED_TRACES")))
        snprintf(shared_dir, sizeof shared_dir, "%s", e);
    return 0;
}

#endif
