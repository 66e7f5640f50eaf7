/* test_sweep.c - sweep arguments: every value form, the cartesian product in
 * row-major order, per-point seeds, shards that partition the points, the
 * mean and confidence interval of repetitions, and one-line errors that name
 * the argument for every bad form. */
#include "testutil.h"

#include <math.h>

#include "sweep.h"

/* Parse args (NULL-terminated) into sw, failing the test on any error. */
static void parse(struct sweep *sw, ...)
{
    va_list ap;
    struct hp_error err = {0};
    sweep_init(sw);
    va_start(ap, sw);
    for (const char *a = va_arg(ap, const char *); a; a = va_arg(ap, const char *))
        if (sweep_add(sw, a, &err) != 0)
            fail_msg("%s: %s", a, err.msg);
    va_end(ap);
}

/* The values of sw's parameter 0, comma-joined. */
static const char *joined(const struct sweep *sw)
{
    static char buf[1024];
    buf[0] = '\0';
    for (int i = 0; i < sw->params[0].nvalues; i++)
        snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", i ? "," : "", sw->params[0].values[i]);
    return buf;
}

static void expect_values(const char *arg, const char *want)
{
    struct sweep sw;
    parse(&sw, arg, NULL);
    if (strcmp(joined(&sw), want) != 0)
        fail_msg("%s gave %s, expected %s", arg, joined(&sw), want);
    assert_int_equal(sw.npoints, sw.params[0].nvalues);
    sweep_free(&sw);
}

static void sweep_list_form_keeps_each_value(void **s)
{
    (void)s;
    expect_values("policy.halt_poll_ns_grow=2,4,8", "2,4,8");
    expect_values("policy.halt_poll_ns_grow=3", "3");
    expect_values("costs.profile=haswell-2015,skylake", "haswell-2015,skylake");
    expect_values("vms[0].workload.rate=0.5,1e3", "0.5,1e3");
}

static void sweep_range_form_includes_both_ends(void **s)
{
    (void)s;
    expect_values("policy.halt_poll_ns_grow=1:16:1", "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16");
    expect_values("p=10000:40000:10000", "10000,20000,30000,40000");
    expect_values("p=1:10:4", "1,5,9");           /* HI need not be on the grid */
    expect_values("p=-2:2:2", "-2,0,2");
    expect_values("p=0:1:0.25", "0,0.25,0.5,0.75,1");
    expect_values("p=0.1:0.5:0.1", "0.1,0.2,0.3,0.4,0.5");   /* decimals print as written */
    expect_values("p=5:5:1", "5");
}

static void sweep_geometric_form_multiplies(void **s)
{
    (void)s;
    expect_values("policy.halt_poll_ns_grow=1*2..16", "1,2,4,8,16");
    expect_values("policy.halt_poll_ns=1000*2..10000", "1000,2000,4000,8000");
    expect_values("p=1000*1.5..5000", "1000,1500,2250,3375");
    expect_values("p=1*1.1..2", "1,2");           /* integers: rounded, repeats dropped */
    expect_values("p=0.5*2..4", "0.5,1,2,4");
    expect_values("p=1*10..1e6", "1,10,100,1000,10000,100000,1000000");
}

static void sweep_points_are_row_major_last_fastest(void **s)
{
    (void)s;
    struct sweep sw;
    parse(&sw, "a=1,2", "b=10:30:10", "c=x,y", NULL);
    assert_int_equal(sw.nparams, 3);
    assert_int_equal(sw.npoints, 12);
    /* point 9 = a index 1, b index 1, c index 1 (9 = 1*6 + 1*2 + 1) */
    assert_int_equal(sweep_value_index(&sw, 9, 0), 1);
    assert_int_equal(sweep_value_index(&sw, 9, 1), 1);
    assert_int_equal(sweep_value_index(&sw, 9, 2), 1);
    assert_int_equal(sweep_value_index(&sw, 4, 0), 0);
    assert_int_equal(sweep_value_index(&sw, 4, 1), 2);
    assert_int_equal(sweep_value_index(&sw, 4, 2), 0);
    /* every combination exactly once */
    int seen[2][3][2] = {{{0}}};
    for (int64_t p = 0; p < sw.npoints; p++)
        seen[sweep_value_index(&sw, p, 0)][sweep_value_index(&sw, p, 1)][sweep_value_index(&sw, p, 2)]++;
    for (int i = 0; i < 12; i++)
        assert_int_equal((&seen[0][0][0])[i], 1);
    sweep_free(&sw);
    parse(&sw, NULL);
    assert_int_equal(sw.npoints, 1);    /* no parameter: one point (repetitions only) */
    sweep_free(&sw);
}

static void sweep_apply_sets_config_paths(void **s)
{
    (void)s;
    struct sweep sw;
    struct hp_error err = {0};
    parse(&sw, "policy.halt_poll_ns_grow=2,4", "vms[0].vcpus=1,3", "name=a,b", NULL);
    json_t *root = json_loads("{\"vms\": [{\"vcpus\": 1}]}", 0, NULL);
    assert_int_equal(sweep_apply(&sw, 7, root, "t.json", &err), 0);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(root, "policy"), "halt_poll_ns_grow")), 4);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(root, "vms"), 0), "vcpus")), 3);
    assert_string_equal(json_string_value(json_object_get(root, "name")), "b");
    json_t *v = sweep_value_json(&sw, 7, 0);
    assert_true(json_is_integer(v) && json_integer_value(v) == 4);
    json_decref(v);
    json_decref(root);
    sweep_free(&sw);
}

static void expect_bad(const char *arg, const char *what)
{
    struct sweep sw;
    struct hp_error err = {0};
    sweep_init(&sw);
    if (sweep_add(&sw, arg, &err) == 0)
        fail_msg("'%s' was accepted", arg);
    assert_int_equal(err.code, HP_EXIT_USAGE);
    if (!strstr(err.msg, arg) || !strstr(err.msg, what) || strchr(err.msg, '\n'))
        fail_msg("error for '%s' is \"%s\", expected it to name the argument and \"%s\"", arg, err.msg, what);
    assert_int_equal(sw.nparams, 0);
    sweep_free(&sw);
}

static void sweep_bad_forms_name_the_argument(void **s)
{
    (void)s;
    expect_bad("policy.halt_poll_ns_grow", "expected PARAM=VALUES");
    expect_bad("=1,2", "expected PARAM=VALUES");
    expect_bad("a b=1", "expected PARAM=VALUES");
    expect_bad(".a=1", "expected PARAM=VALUES");
    expect_bad("p=", "no values");
    expect_bad("p=1,,2", "empty value");
    expect_bad("p=1,2,", "empty value");
    expect_bad("p=1:2", "LO:HI:STEP");
    expect_bad("p=1:2:3:4", "LO:HI:STEP");
    expect_bad("p=a:5:1", "three numbers");
    expect_bad("p=1:5:x", "three numbers");
    expect_bad("p=5:1:1", "HI >= LO");
    expect_bad("p=1:5:0", "STEP > 0");
    expect_bad("p=1:5:-1", "STEP > 0");
    expect_bad("p=1:1e9:1", "more than 100000 values");
    expect_bad("p=1..16", "LO*FACTOR..HI");
    expect_bad("p=2*16", "LO*FACTOR..HI");
    expect_bad("p=1*1..16", "FACTOR > 1");
    expect_bad("p=0*2..16", "LO > 0");
    expect_bad("p=16*2..1", "HI >= LO");
    expect_bad("p=1*x..16", "three numbers");
    expect_bad("p=1*2..inf", "three numbers");

    struct sweep sw;
    struct hp_error err = {0};
    parse(&sw, "a=1,2", NULL);
    assert_int_not_equal(sweep_add(&sw, "a=3", &err), 0);
    assert_non_null(strstr(err.msg, "a is already swept"));
    sweep_free(&sw);
    parse(&sw, "a=1:1000:1", "b=1:1000:1", NULL);
    assert_int_not_equal(sweep_add(&sw, "c=1,2", &err), 0);   /* 2e6 points */
    assert_non_null(strstr(err.msg, "more than 1000000 points"));
    assert_int_equal(sw.npoints, 1000000);
    sweep_free(&sw);
}

static void sweep_seeds_depend_on_point_and_rep_only(void **s)
{
    (void)s;
    assert_true(sweep_seed(1, 0, 0) == sweep_seed(1, 0, 0));
    assert_true(sweep_seed(1, 0, 0) != sweep_seed(1, 1, 0));
    assert_true(sweep_seed(1, 0, 0) != sweep_seed(1, 0, 1));
    assert_true(sweep_seed(1, 0, 0) != sweep_seed(2, 0, 0));
    assert_true(sweep_seed(1, 1, 0) != sweep_seed(1, 0, 1));
    for (int64_t p = 0; p < 1000; p++)
        assert_true(sweep_seed(12345, p, 3) <= (uint64_t)INT64_MAX);   /* a valid config seed */
}

static void sweep_shards_partition_the_points(void **s)
{
    (void)s;
    struct hp_error err = {0};
    int k, n;
    assert_int_equal(sweep_parse_shard("2/3", &k, &n, &err), 0);
    assert_int_equal(k, 2);
    assert_int_equal(n, 3);
    assert_int_equal(sweep_parse_shard("1/1", &k, &n, &err), 0);
    static const char *const bad[] = {"0/3", "4/3", "3", "1/", "/3", "a/b", "1/3x", "-1/3", " 1/3", "1/0"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (sweep_parse_shard(bad[i], &k, &n, &err) == 0)
            fail_msg("--shard %s accepted", bad[i]);
        assert_non_null(strstr(err.msg, bad[i]));
    }
    for (int64_t p = 0; p < 50; p++) {
        int owners = 0;
        for (int kk = 1; kk <= 4; kk++)
            owners += sweep_in_shard(p, kk, 4);
        assert_int_equal(owners, 1);
        assert_true(sweep_in_shard(p, (int)(p % 4) + 1, 4));
    }
}

static void sweep_reps_give_mean_and_student_ci(void **s)
{
    (void)s;
    json_t *r[3];
    for (int i = 0; i < 3; i++)
        r[i] = json_pack("{s:s, s:i, s:{s:f}, s:b, s:[[f,i]], s:n}", "policy", i ? "other" : "v4",
                         "halts", i + 1, "lat", "p99", 10.0 * (i + 1), "ok", i != 2,
                         "cdf", 0.5, 100 * (i + 1), "tps");
    json_t *a = sweep_aggregate(r, 3);
    /* 1,2,3: mean 2, s = 1, half-width t(0.975, 2) * s / sqrt(3); t = 4.302652729749464 */
    double half = 4.302652729749464 / sqrt(3.0);
    assert_string_equal(json_string_value(json_object_get(a, "policy")), "v4");
    assert_true(fabs(json_real_value(json_object_get(a, "halts")) - 2.0) < 1e-12);
    assert_true(fabs(json_real_value(json_object_get(a, "halts_ci95")) - half) < 1e-9);
    json_t *lat = json_object_get(a, "lat");
    assert_true(fabs(json_real_value(json_object_get(lat, "p99")) - 20.0) < 1e-12);
    assert_true(fabs(json_real_value(json_object_get(lat, "p99_ci95")) - 10 * half) < 1e-9);
    assert_true(json_is_false(json_object_get(a, "ok")));
    assert_null(json_object_get(a, "ok_ci95"));
    assert_true(fabs(json_number_value(json_array_get(json_array_get(json_object_get(a, "cdf"), 0), 1)) - 200) < 1e-12);
    assert_true(json_is_null(json_object_get(a, "tps")));
    assert_true(json_is_null(json_object_get(a, "tps_ci95")));
    /* the CI columns follow their metric */
    const char *order[] = {"policy", "halts", "halts_ci95", "lat", "ok", "cdf", "tps", "tps_ci95"};
    size_t i = 0;
    const char *k;
    json_t *v;
    json_object_foreach(a, k, v)
        assert_string_equal(k, order[i++]);
    assert_int_equal(i, 8);
    json_decref(a);
    /* one repetition: the row unchanged, integers stay integers, no CI */
    a = sweep_aggregate(r, 1);
    assert_true(json_equal(a, r[0]));
    json_decref(a);
    for (int j = 0; j < 3; j++)
        json_decref(r[j]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sweep_list_form_keeps_each_value),
        cmocka_unit_test(sweep_range_form_includes_both_ends),
        cmocka_unit_test(sweep_geometric_form_multiplies),
        cmocka_unit_test(sweep_points_are_row_major_last_fastest),
        cmocka_unit_test(sweep_apply_sets_config_paths),
        cmocka_unit_test(sweep_bad_forms_name_the_argument),
        cmocka_unit_test(sweep_seeds_depend_on_point_and_rep_only),
        cmocka_unit_test(sweep_shards_partition_the_points),
        cmocka_unit_test(sweep_reps_give_mean_and_student_ci),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
