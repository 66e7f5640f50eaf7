/*
 * sweep_file.c - a sweep's points as files: the result (CSV or JSON), the
 * part files of --shard, and their merge. See sweep.h for the formats.
 *
 * Invariant: a merge of complete parts and a single run build the same
 * points array, element for element (parts carry every double at 17
 * significant digits, which strtod reads back exactly), and both go
 * through sweep_write_result, so their outputs are byte-identical.
 */
#include "config.h"
#include "sweep.h"

#include <stdlib.h>
#include <string.h>

#include "results.h"
#include "version.h"

#define PART_FORMAT 1   /* "hpsim_sweep_part": bumped if the part layout changes */

json_t *sweep_value_json(const struct sweep *sw, int64_t point, int p)
{
    const char *text = sw->params[p].values[sweep_value_index(sw, point, p)];
    return cfg_value_json(text);
}

json_t *sweep_head(const struct sweep *sw, json_t *config, json_t *policies, int reps)
{
    json_t *params = json_array();
    for (int p = 0; p < sw->nparams; p++) {
        json_t *vals = json_array();
        for (int i = 0; i < sw->params[p].nvalues; i++) {
            json_array_append_new(vals, cfg_value_json(sw->params[p].values[i]));
        }
        json_array_append_new(params, json_pack("{s:s, s:o}", "path", sw->params[p].path, "values", vals));
    }
    json_t *head = json_pack("{s:s, s:O, s:{s:o, s:O, s:i, s:I}}", "hpsim_version", HPSIM_VERSION,
                             "config", config, "sweep", "params", params, "policies", policies,
                             "reps", reps, "npoints", (json_int_t)sw->npoints);
    /* Only when set, so files of ordinary sweeps keep their bytes. */
    if (sw->common_seeds)
        json_object_set_new(json_object_get(head, "sweep"), "common_seeds", json_true());
    return head;
}

json_t *sweep_point(const struct sweep *sw, int64_t point, json_t *const *rep_rows,
                    const uint64_t *seeds, int reps)
{
    json_t *values = json_object(), *jseeds = json_array(), *rows = json_array();
    for (int p = 0; p < sw->nparams; p++)
        json_object_set_new(values, sw->params[p].path, sweep_value_json(sw, point, p));
    for (int r = 0; r < reps; r++)
        json_array_append_new(jseeds, json_integer((json_int_t)seeds[r]));
    json_t *kids[reps];
    for (size_t i = 0; i < json_array_size(rep_rows[0]); i++) {
        for (int r = 0; r < reps; r++)
            kids[r] = json_array_get(rep_rows[r], i);
        json_t *row = json_deep_copy(values), *agg = sweep_aggregate(kids, reps);
        json_object_update(row, agg);   /* after the swept values, in results order */
        json_decref(agg);
        json_array_append_new(rows, row);
    }
    return json_pack("{s:I, s:o, s:o, s:o}", "index", (json_int_t)point, "values", values,
                     "seeds", jseeds, "rows", rows);
}

int sweep_write_result(const char *path, json_t *head, json_t *points, struct hp_error *err)
{
    json_t *rows = json_array(), *pts = json_array(), *pt;
    size_t i;
    json_array_foreach(points, i, pt) {
        json_array_extend(rows, json_object_get(pt, "rows"));
        json_array_append_new(pts, json_pack("{s:O, s:O, s:O}", "index", json_object_get(pt, "index"),
                                             "values", json_object_get(pt, "values"),
                                             "seeds", json_object_get(pt, "seeds")));
    }
    int rc;
    if (!path) {
        rc = results_csv(stdout, rows) || fflush(stdout) ? hp_errorf(err, HP_EXIT_RUNTIME, "stdout: write error") : 0;
    } else if (results_ends_with(path, ".json")) {
        json_t *doc = json_deep_copy(head);
        json_object_set(doc, "points", pts);
        json_object_set(doc, "rows", rows);
        rc = results_write_json(path, doc, RESULTS_JSON_FLAGS, err);
        json_decref(doc);
    } else {
        rc = results_write_csv(path, rows, err);
    }
    json_decref(rows);
    json_decref(pts);
    return rc;
}

int sweep_write_part(const char *path, json_t *head, int k, int n, json_t *points,
                     struct hp_error *err)
{
    char shard[32];
    snprintf(shard, sizeof shard, "%d/%d", k, n);
    json_t *doc = json_pack("{s:i, s:s}", "hpsim_sweep_part", PART_FORMAT, "shard", shard);
    json_object_update(doc, head);
    json_object_set(doc, "points", points);
    int rc = results_write_json(path, doc, JSON_COMPACT | JSON_REAL_PRECISION(17), err);
    json_decref(doc);
    return rc;
}

/* ---- merge ---- */

struct part {
    const char *path;
    json_t *doc;
    int k, n;
};

static int part_load(struct part *pt, struct hp_error *err)
{
    pt->doc = cfg_load_json(pt->path, err);
    if (!pt->doc)
        return -1;
    json_t *fmt = json_object_get(pt->doc, "hpsim_sweep_part");
    const char *shard = json_string_value(json_object_get(pt->doc, "shard"));
    if (!json_is_integer(fmt) || !shard)
        return hp_errorf(err, HP_EXIT_USAGE, "%s: not a sweep part file (those come from hpsim sweep --shard K/N)",
                         pt->path);
    if (json_integer_value(fmt) != PART_FORMAT)
        return hp_errorf(err, HP_EXIT_USAGE, "%s: part format %lld, this hpsim reads format %d", pt->path,
                         (long long)json_integer_value(fmt), PART_FORMAT);
    if (sweep_parse_shard(shard, &pt->k, &pt->n, err) != 0 || !json_is_array(json_object_get(pt->doc, "points")))
        return hp_errorf(err, HP_EXIT_USAGE, "%s: malformed part file (shard or points)", pt->path);
    return 0;
}

/* Same sweep as the first part: same program, config and sweep spec. */
static int part_match(const struct part *a, const struct part *b, struct hp_error *err)
{
    static const char *const keys[] = {"hpsim_version", "config", "sweep"};
    for (int i = 0; i < 3; i++)
        if (!json_equal(json_object_get(a->doc, keys[i]), json_object_get(b->doc, keys[i])))
            return hp_errorf(err, HP_EXIT_USAGE, "%s: not a part of the same sweep as %s (\"%s\" differs)",
                             b->path, a->path, keys[i]);
    if (a->n != b->n)
        return hp_errorf(err, HP_EXIT_USAGE, "%s: shard %d/%d, but %s is a shard of %d", b->path, b->k,
                         b->n, a->path, a->n);
    if (a->k == b->k)
        return hp_errorf(err, HP_EXIT_USAGE, "%s and %s are both shard %d/%d", a->path, b->path, a->k, a->n);
    return 0;
}

/* Place each point of pt in out[index], checking it belongs there. */
static int part_place(const struct part *pt, json_t **out, int64_t npoints, struct hp_error *err)
{
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(pt->doc, "points"), i, p) {
        json_t *ji = json_object_get(p, "index");
        int64_t idx = json_is_integer(ji) ? (int64_t)json_integer_value(ji) : -1;
        if (idx < 0 || idx >= npoints || !json_is_array(json_object_get(p, "rows")))
            return hp_errorf(err, HP_EXIT_USAGE, "%s: points[%zu]: malformed point", pt->path, i);
        if (!sweep_in_shard(idx, pt->k, pt->n))
            return hp_errorf(err, HP_EXIT_USAGE, "%s: point %lld is not in shard %d/%d", pt->path,
                             (long long)idx, pt->k, pt->n);
        if (out[idx])
            return hp_errorf(err, HP_EXIT_USAGE, "%s: point %lld appears twice", pt->path, (long long)idx);
        out[idx] = p;
    }
    return 0;
}

/* Every shard present and every point of each shard in it. */
static int merge_complete(struct part *parts, int nparts, json_t **out, int64_t npoints, struct hp_error *err)
{
    int n = parts[0].n;
    for (int k = 1; k <= n; k++) {
        int have = -1;
        for (int i = 0; i < nparts; i++)
            if (parts[i].k == k)
                have = i;
        if (have < 0)
            return hp_errorf(err, HP_EXIT_USAGE, "shard %d/%d is missing (%d of %d parts given)", k, n, nparts, n);
        for (int64_t idx = k - 1; idx < npoints; idx += n)
            if (!out[idx])
                return hp_errorf(err, HP_EXIT_USAGE, "%s: shard %d/%d lacks point %lld of %lld", parts[have].path,
                                 k, n, (long long)idx, (long long)npoints);
    }
    return 0;
}

static int merge_parts(struct part *parts, int nparts, json_t **head, json_t **points, struct hp_error *err)
{
    for (int i = 0; i < nparts; i++)
        if (part_load(&parts[i], err))
            return -1;
    for (int i = 1; i < nparts; i++)
        for (int j = 0; j < i; j++)
            if (part_match(&parts[j], &parts[i], err))
                return -1;
    json_t *jn = json_object_get(json_object_get(parts[0].doc, "sweep"), "npoints");
    int64_t npoints = json_is_integer(jn) ? (int64_t)json_integer_value(jn) : -1;
    if (npoints < 1 || npoints > SWEEP_MAX_POINTS)
        return hp_errorf(err, HP_EXIT_USAGE, "%s: sweep.npoints: expected 1 to %d", parts[0].path, SWEEP_MAX_POINTS);
    json_t **out = calloc((size_t)npoints, sizeof *out);
    if (!out)
        return hp_errorf(err, HP_EXIT_RUNTIME, "out of memory");
    int rc = 0;
    for (int i = 0; i < nparts && !rc; i++)
        rc = part_place(&parts[i], out, npoints, err);
    if (!rc)
        rc = merge_complete(parts, nparts, out, npoints, err);
    if (!rc) {
        *points = json_array();
        for (int64_t i = 0; i < npoints; i++)
            json_array_append(*points, out[i]);
        *head = json_pack("{s:O, s:O, s:O}", "hpsim_version", json_object_get(parts[0].doc, "hpsim_version"),
                          "config", json_object_get(parts[0].doc, "config"),
                          "sweep", json_object_get(parts[0].doc, "sweep"));
    }
    free(out);
    return rc;
}

int sweep_merge(char *const *paths, int nparts, json_t **head, json_t **points, struct hp_error *err)
{
    *head = *points = NULL;
    struct part *parts = calloc((size_t)nparts, sizeof *parts);
    if (!parts)
        return hp_errorf(err, HP_EXIT_RUNTIME, "out of memory");
    for (int i = 0; i < nparts; i++)
        parts[i].path = paths[i];
    int rc = merge_parts(parts, nparts, head, points, err);
    for (int i = 0; i < nparts; i++)
        json_decref(parts[i].doc);
    free(parts);
    return rc;
}
