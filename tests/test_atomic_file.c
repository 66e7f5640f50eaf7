/* test_atomic_file.c - an output file appears whole or not at all: the old
 * file survives a failed or abandoned write, and no temporary is left. */
#include "testutil.h"

#include <dirent.h>
#include <unistd.h>

#include "atomic_file.h"

static char dir[] = "/tmp/hpsim-atomic-XXXXXX";

static int setup(void **st)
{
    (void)st;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **st)
{
    (void)st;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd);
}

static void slurp(const char *path, char *buf, size_t n)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t k = fread(buf, 1, n - 1, f);
    buf[k] = '\0';
    fclose(f);
}

/* Files in dir besides the one named keep. */
static int others(const char *keep)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (e->d_name[0] != '.' && strcmp(e->d_name, keep) != 0)
            n++;
    closedir(d);
    return n;
}

static void write_file(const char *path, const char *text, bool fail, bool commit, struct hp_error *err, int *rc)
{
    struct atomic_file a;
    assert_int_equal(atomic_open(&a, path, err), 0);
    fputs(text, a.f);
    if (fail)
        a.failed = true;             /* as a writer marks a failed write */
    if (commit) {
        *rc = atomic_commit(&a, err);
    } else {
        atomic_abort(&a);
        *rc = 0;
    }
}

static void commit_replaces_abort_and_failure_keep_the_old_file(void **st)
{
    (void)st;
    char path[256], buf[64];
    struct hp_error err = {0};
    int rc;
    snprintf(path, sizeof path, "%s/out.json", dir);

    write_file(path, "old\n", false, true, &err, &rc);
    assert_int_equal(rc, 0);
    slurp(path, buf, sizeof buf);
    assert_string_equal(buf, "old\n");
    assert_int_equal(others("out.json"), 0);

    write_file(path, "half", false, false, &err, &rc);   /* abandoned (an interrupt) */
    slurp(path, buf, sizeof buf);
    assert_string_equal(buf, "old\n");
    assert_int_equal(others("out.json"), 0);

    write_file(path, "half", true, true, &err, &rc);     /* a write failed */
    assert_int_equal(rc, -1);
    assert_int_equal(err.code, HP_EXIT_RUNTIME);
    assert_non_null(strstr(err.msg, "out.json: cannot write: "));
    slurp(path, buf, sizeof buf);
    assert_string_equal(buf, "old\n");
    assert_int_equal(others("out.json"), 0);

    write_file(path, "new\n", false, true, &err, &rc);
    assert_int_equal(rc, 0);
    slurp(path, buf, sizeof buf);
    assert_string_equal(buf, "new\n");
}

/* Two files open on one path at once (each has its own temporary): each
 * commit replaces the file whole; neither writes into the other. */
static void two_writers_of_one_path_do_not_mix(void **st)
{
    (void)st;
    char path[256], buf[64];
    struct hp_error err = {0};
    struct atomic_file a, b;
    snprintf(path, sizeof path, "%s/both.trace", dir);
    assert_int_equal(atomic_open(&a, path, &err), 0);
    assert_int_equal(atomic_open(&b, path, &err), 0);
    assert_string_not_equal(a.tmp, b.tmp);
    fputs("first writer, a longer text\n", a.f);
    fputs("second\n", b.f);
    assert_int_equal(atomic_commit(&a, &err), 0);
    slurp(path, buf, sizeof buf);
    assert_string_equal(buf, "first writer, a longer text\n");
    assert_int_equal(atomic_commit(&b, &err), 0);
    slurp(path, buf, sizeof buf);
    assert_string_equal(buf, "second\n");
    unlink(path);
    assert_int_equal(others("out.json"), 0);   /* no temporary left */
}

static void a_missing_directory_is_a_one_line_error(void **st)
{
    (void)st;
    char path[256];
    struct hp_error err = {0};
    struct atomic_file a;
    snprintf(path, sizeof path, "%s/no/such/out.csv", dir);
    assert_int_equal(atomic_open(&a, path, &err), -1);
    assert_int_equal(err.code, HP_EXIT_RUNTIME);
    assert_non_null(strstr(err.msg, "no/such/out.csv: cannot write: No such file or directory"));
    assert_null(strchr(err.msg, '\n'));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(commit_replaces_abort_and_failure_keep_the_old_file),
        cmocka_unit_test(two_writers_of_one_path_do_not_mix),
        cmocka_unit_test(a_missing_directory_is_a_one_line_error),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
