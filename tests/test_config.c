/* test_config.c - every kind of bad config gives one line naming the file
 * and the JSON path; good overrides land where they should. */
#include "testutil.h"

#include <unistd.h>

#define VM "\"vms\": [{\"workload\": {\"type\": \"tcp_rr\"}}]"

static void unknown_key_names_path_and_suggests(void **s)
{
    (void)s;
    tu_expect_error("{\"duraton_s\": 1, " VM "}", "bad.json", "duraton_s", "did you mean \"duration_s\"", NULL);
    tu_expect_error("{\"host\": {\"pcpu\": 2}, " VM "}", "host.pcpu", "did you mean \"pcpus\"", NULL);
    tu_expect_error("{\"vms\": [{\"workload\": {\"type\": \"tcp_rr\", \"stream\": 2}}]}",
                    "vms[0].workload.stream", "did you mean \"streams\"", NULL);
    tu_expect_error("{\"policy\": {\"halt_poll_ns_grwo\": 2}, " VM "}", "policy.halt_poll_ns_grwo",
                    "halt_poll_ns_grow", NULL);
    tu_expect_error("{\"zzz\": 1, " VM "}", "zzz: unknown key", NULL);
}

static void wrong_types_name_expected_and_got(void **s)
{
    (void)s;
    tu_expect_error("{\"duration_s\": \"long\", " VM "}", "duration_s", "expected a number", "\"long\"", NULL);
    tu_expect_error("{\"host\": {\"pcpus\": 1.5}, " VM "}", "host.pcpus", "expected an integer", NULL);
    tu_expect_error("{\"host\": 3, " VM "}", "host: expected an object", NULL);
    tu_expect_error("{\"vms\": {}}", "vms: expected an array", NULL);
    tu_expect_error("{\"vms\": [3]}", "vms[0]: expected an object", NULL);
    tu_expect_error("{\"policies\": \"none\", " VM "}", "policies: expected an array", NULL);
    tu_expect_error("{\"policies\": [1], " VM "}", "policies[0]", NULL);
}

static void out_of_range_values_are_refused(void **s)
{
    (void)s;
    tu_expect_error("{\"duration_s\": 0, " VM "}", "duration_s", NULL);
    tu_expect_error("{\"duration_s\": -3, " VM "}", "duration_s", NULL);
    tu_expect_error("{\"duration_s\": 1e300, " VM "}", "duration_s", NULL);
    tu_expect_error("{\"host\": {\"pcpus\": 0}, " VM "}", "host.pcpus", "[1, 4096]", NULL);
    tu_expect_error("{\"policy\": {\"halt_poll_ns_grow\": 0}, \"policies\": [\"v3\"], " VM "}",
                    "policy.halt_poll_ns_grow", NULL);
    tu_expect_error("{\"policy\": {\"v4\": {\"halt_poll_ns\": -1}}, \"policies\": [\"v4\"], " VM "}",
                    "policy.v4.halt_poll_ns", NULL);
    tu_expect_error("{\"vms\": [{\"vcpus\": 0, \"workload\": {\"type\": \"tcp_rr\"}}]}", "vms[0].vcpus", NULL);
    tu_expect_error("{\"vms\": [{\"count\": 3000000, \"workload\": {\"type\": \"tcp_rr\"}}]}", "vms[0].count", NULL);
    tu_expect_error("{\"costs\": {\"hlt_exit_ns\": -5}, " VM "}", "costs.hlt_exit_ns", NULL);
}

static void unknown_names_list_the_choices(void **s)
{
    (void)s;
    tu_expect_error("{\"policies\": [\"nope\"], " VM "}", "unknown policy \"nope\"", NULL);
    tu_expect_error("{\"vms\": [{\"workload\": {\"type\": \"nope\"}}]}", "vms[0].workload.type", "tcp_rr", NULL);
    tu_expect_error("{\"costs\": {\"profile\": \"pentium\"}, " VM "}", "costs.profile", "haswell-2015", NULL);
    tu_expect_error("{\"vms\": [{\"workload\": {\"type\": \"tcp_rr\", \"service_time\": {\"dist\": \"zipf\"}}}]}",
                    "vms[0].workload.service_time.dist", "exponential", NULL);
    tu_expect_error("{\"vms\": [{\"workload\": {\"type\": \"tcp_rr\", \"service_time\": {\"dist\": \"uniform\", \"min_ns\": 5, \"max_ns\": 2}}}]}",
                    "service_time.max_ns", NULL);
    tu_expect_error("{\"vms\": [{}]}", "vms[0].workload: required", NULL);
    tu_expect_error("{\"name\": \"x\"}", "vms: required", NULL);
}

static char *write_tmp(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/hpsim-test-%d.json", (int)getpid());
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

static void file_level_errors_name_the_file(void **s)
{
    (void)s;
    struct hp_error err = {0};
    char *p = write_tmp("{\n  \"a\": 1,\n  \"b\": }\n");
    assert_null(cfg_load(p, NULL, 0, &err));
    assert_non_null(strstr(err.msg, p));
    assert_non_null(strstr(err.msg, ":3:"));   /* jansson's line */
    p = write_tmp("");
    assert_null(cfg_load(p, NULL, 0, &err));
    assert_non_null(strstr(err.msg, "empty"));
    p = write_tmp("[1, 2]");
    assert_null(cfg_load(p, NULL, 0, &err));
    assert_non_null(strstr(err.msg, "JSON object"));
    p = write_tmp("{\"a\": 1, \"a\": 2}");
    assert_null(cfg_load(p, NULL, 0, &err));
    assert_non_null(strstr(err.msg, "duplicate"));
    unlink(p);
    assert_null(cfg_load("/tmp", NULL, 0, &err));
    assert_non_null(strstr(err.msg, "directory"));
    assert_null(cfg_load("/nonexistent/x.json", NULL, 0, &err));
    assert_non_null(strstr(err.msg, "/nonexistent/x.json"));
    assert_int_equal(err.code, HP_EXIT_USAGE);
}

static void include_supplies_defaults_the_file_overrides(void **s)
{
    (void)s;
    struct hp_error err = {0};
    FILE *f = fopen("/tmp/hpsim-inc-host.json", "w");
    fputs("{\"costs\": {\"profile\": \"zen3\", \"sched_in_ns\": 1234, \"hlt_exit_ns\": 999},"
          " \"duration_s\": 7}", f);
    fclose(f);
    f = fopen("/tmp/hpsim-inc-main.json", "w");
    fputs("{\"include\": \"hpsim-inc-host.json\", \"costs\": {\"hlt_exit_ns\": 5},"
          " \"vms\": [{\"workload\": {\"type\": \"tcp_rr\"}}]}", f);
    fclose(f);
    json_t *root = cfg_load("/tmp/hpsim-inc-main.json", NULL, 0, &err);
    if (!root)
        fail_msg("%s", err.msg);
    struct sim_spec spec;
    if (sim_spec_load(root, "main", NULL, &spec, &err))
        fail_msg("%s", err.msg);
    assert_string_equal(spec.costs.profile, "zen3");
    assert_int_equal(spec.costs.sched_in_ns, 1234);
    assert_int_equal(spec.costs.hlt_exit_ns, 5);       /* the including file wins */
    assert_int_equal(spec.duration_ns, 7000000000LL);
    sim_spec_free(&spec);
    f = fopen("/tmp/hpsim-inc-main.json", "w");
    fputs("{\"include\": \"nope.json\", \"vms\": []}", f);
    fclose(f);
    assert_null(cfg_load("/tmp/hpsim-inc-main.json", NULL, 0, &err));
    assert_non_null(strstr(err.msg, "/tmp/nope.json"));
    f = fopen("/tmp/hpsim-inc-main.json", "w");
    fputs("{\"include\": \"hpsim-inc-main.json\", \"vms\": []}", f);
    fclose(f);
    assert_null(cfg_load("/tmp/hpsim-inc-main.json", NULL, 0, &err));
    assert_non_null(strstr(err.msg, "nested"));
    unlink("/tmp/hpsim-inc-main.json");
    unlink("/tmp/hpsim-inc-host.json");
}

static void set_overrides_any_field(void **s)
{
    (void)s;
    struct hp_error err = {0};
    json_t *root = json_loads("{\"vms\": [{\"vcpus\": 1, \"workload\": {\"type\": \"tcp_rr\"}}]}", 0, NULL);
    assert_int_equal(cfg_set(root, "f", "policy.halt_poll_ns_grow=4", &err), 0);
    assert_int_equal(cfg_set(root, "f", "vms[0].vcpus=3", &err), 0);
    assert_int_equal(cfg_set(root, "f", "vms.0.workload.streams=2", &err), 0);
    assert_int_equal(cfg_set(root, "f", "name=hello world", &err), 0);
    assert_int_equal(cfg_set(root, "f", "policies=[\"v3\",\"blocktime\"]", &err), 0);
    struct sim_spec spec;
    if (sim_spec_load(root, "f", NULL, &spec, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(spec.nvcpus, 3);
    assert_string_equal(spec.name, "hello world");
    assert_int_equal(spec.npolicies, 2);
    int i = policy_param_index(spec.policies[1].ops, "halt_poll_ns_grow");
    assert_int_equal(spec.policies[1].param[i], 4);
    sim_spec_free(&spec);

    root = json_loads("{\"vms\": []}", 0, NULL);
    assert_int_not_equal(cfg_set(root, "f", "vms[2].vcpus=3", &err), 0);
    assert_non_null(strstr(err.msg, "vms[2]"));
    assert_int_not_equal(cfg_set(root, "f", "novalue", &err), 0);
    assert_int_not_equal(cfg_set(root, "f", "=3", &err), 0);
    json_decref(root);
}

static void per_policy_value_beats_shared_one(void **s)
{
    (void)s;
    struct sim_spec spec;
    tu_spec(&spec, "{\"policies\": [\"always\", \"blocktime\"],"
                   " \"policy\": {\"halt_poll_ns\": 200000, \"blocktime\": {\"halt_poll_ns\": 300000}}, " VM "}");
    assert_int_equal(spec.policies[0].param[0], 200000);
    assert_int_equal(spec.policies[1].param[0], 300000);
    sim_spec_free(&spec);
}

static void effective_config_has_defaults_filled_in(void **s)
{
    (void)s;
    struct sim_spec spec;
    tu_spec(&spec, "{" VM "}");
    json_t *r = spec.root;
    assert_true(json_is_number(json_object_get(r, "duration_s")));
    assert_string_equal(json_string_value(json_object_get(json_object_get(r, "costs"), "profile")), "haswell-2015");
    assert_true(json_is_array(json_object_get(json_object_get(r, "costs"), "cstates")));
    json_t *v3 = json_object_get(json_object_get(r, "policy"), "v3");
    assert_int_equal(json_integer_value(json_object_get(v3, "halt_poll_ns_max")), 2000000);
    json_t *wl = json_object_get(json_array_get(json_object_get(r, "vms"), 0), "workload");
    assert_string_equal(json_string_value(json_object_get(json_object_get(wl, "service_time"), "dist")), "constant");
    sim_spec_free(&spec);
}

static void comments_are_allowed(void **s)
{
    (void)s;
    struct sim_spec spec;
    tu_spec(&spec, "{\"_comment\": \"why\", \"host\": {\"_why\": 1}, " VM "}");
    sim_spec_free(&spec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unknown_key_names_path_and_suggests),
        cmocka_unit_test(wrong_types_name_expected_and_got),
        cmocka_unit_test(out_of_range_values_are_refused),
        cmocka_unit_test(unknown_names_list_the_choices),
        cmocka_unit_test(file_level_errors_name_the_file),
        cmocka_unit_test(include_supplies_defaults_the_file_overrides),
        cmocka_unit_test(set_overrides_any_field),
        cmocka_unit_test(per_policy_value_beats_shared_one),
        cmocka_unit_test(effective_config_has_defaults_filled_in),
        cmocka_unit_test(comments_are_allowed),
    };
    return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
