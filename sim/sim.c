/* sim.c - config -> run specification -> runs. See sim.h. */
#include "sim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "host.h"
#include "rng.h"

#define MAX_VCPUS 2000000
#define MAX_PCPUS 4096
#define MAX_SOURCES 16000000

static int load_policies(const struct cfg *c, json_t *root, const char *policy_list, struct sim_spec *s)
{
    if (policy_list) {
        json_t *arr = json_array();
        char *dup = strdup(policy_list), *save = NULL;
        for (char *t = strtok_r(dup, ",", &save); t; t = strtok_r(NULL, ",", &save))
            json_array_append_new(arr, json_string(t));
        free(dup);
        json_object_set_new(root, "policies", arr);
    }
    json_t *arr = json_object_get(root, "policies");
    if (!arr) {
        arr = json_pack("[ssssss]", "none", "always", "v3", "v4", "blocktime", "mainline");
        json_object_set_new(root, "policies", arr);
    }
    if (!json_is_array(arr) || json_array_size(arr) == 0 || json_array_size(arr) > 64)
        return hp_errorf(c->err, HP_EXIT_USAGE, "%s: policies: expected an array of 1 to 64 policy names", c->file);
    json_t *pobj;
    if (cfg_obj(c, root, "", "policy", &pobj) || policy_check_keys(c, pobj))
        return -1;
    s->npolicies = (int)json_array_size(arr);
    s->policies = calloc((size_t)s->npolicies, sizeof *s->policies);
    if (!s->policies)
        return hp_errorf(c->err, HP_EXIT_RUNTIME, "out of memory");
    for (int i = 0; i < s->npolicies; i++) {
        json_t *n = json_array_get(arr, (size_t)i);
        if (!json_is_string(n))
            return hp_errorf(c->err, HP_EXIT_USAGE, "%s: policies[%d]: expected a policy name", c->file, i);
        if (policy_resolve(c, pobj, json_string_value(n), &s->policies[i]))
            return -1;
    }
    return 0;
}

/* Optional "pin": [pCPU of vCPU 0, of vCPU 1, ...], one entry per vCPU, the
 * same for every VM of the group (each below host.pcpus: check_pins). */
static int load_pin(const struct cfg *c, json_t *vm, const char *path, struct sim_vm *out)
{
    json_t *arr = json_object_get(vm, "pin");
    if (!arr)
        return 0;
    if (!json_is_array(arr) || (int64_t)json_array_size(arr) != out->vcpus)
        return hp_errorf(c->err, HP_EXIT_USAGE, "%s: %s.pin: expected an array of %lld pCPU numbers, one per vCPU",
                         c->file, path, (long long)out->vcpus);
    out->pin = calloc(json_array_size(arr), sizeof *out->pin);
    if (!out->pin)
        return hp_errorf(c->err, HP_EXIT_RUNTIME, "out of memory");
    for (size_t j = 0; j < json_array_size(arr); j++) {
        json_t *x = json_array_get(arr, j);
        if (!json_is_integer(x) || json_integer_value(x) < 0 || json_integer_value(x) >= MAX_PCPUS)
            return hp_errorf(c->err, HP_EXIT_USAGE, "%s: %s.pin[%zu]: expected a pCPU number",
                             c->file, path, j);
        out->pin[j] = (int)json_integer_value(x);
    }
    return 0;
}

static int load_vms(const struct cfg *c, json_t *root, struct sim_spec *s)
{
    json_t *arr = json_object_get(root, "vms");
    if (!arr)
        return hp_errorf(c->err, HP_EXIT_USAGE, "%s: vms: required key is missing", c->file);
    if (!json_is_array(arr) || json_array_size(arr) == 0 || json_array_size(arr) > 1024)
        return hp_errorf(c->err, HP_EXIT_USAGE, "%s: vms: expected an array of 1 to 1024 VM groups", c->file);
    s->nvms = (int)json_array_size(arr);
    s->vms = calloc((size_t)s->nvms, sizeof *s->vms);
    if (!s->vms)
        return hp_errorf(c->err, HP_EXIT_RUNTIME, "out of memory");
    static const char *const keys[] = {"name", "count", "vcpus", "pin", "workload", NULL};
    for (int i = 0; i < s->nvms; i++) {
        char p[64];
        const char *name;
        json_t *vm = json_array_get(arr, (size_t)i), *wl;
        cfg_path_index(p, sizeof p, "vms", (size_t)i);
        if (!json_is_object(vm))
            return hp_errorf(c->err, HP_EXIT_USAGE, "%s: %s: expected an object", c->file, p);
        char wp[80];
        snprintf(wp, sizeof wp, "%s.workload", p);
        if (cfg_check_keys(c, vm, p, keys) || cfg_str(c, vm, p, "name", "vm", &name) ||
            cfg_int(c, vm, p, "count", 1, 1, MAX_VCPUS, &s->vms[i].count) ||
            cfg_int(c, vm, p, "vcpus", 1, 1, 1024, &s->vms[i].vcpus))
            return -1;
        if (load_pin(c, vm, p, &s->vms[i]))
            return -1;
        wl = json_object_get(vm, "workload");
        if (!wl)
            return hp_errorf(c->err, HP_EXIT_USAGE, "%s: %s: required key is missing", c->file, wp);
        if (!json_is_object(wl))
            return hp_errorf(c->err, HP_EXIT_USAGE, "%s: %s: expected an object", c->file, wp);
        if (workload_parse(c, wl, wp, &s->vms[i].wl))
            return -1;
        s->nvcpus += s->vms[i].count * s->vms[i].vcpus;
        if (s->nvcpus > MAX_VCPUS)
            return hp_errorf(c->err, HP_EXIT_USAGE, "%s: vms: %lld vCPUs in all; at most %d are supported",
                             c->file, (long long)s->nvcpus, MAX_VCPUS);
        /* Each traffic source holds an event and a random stream: bound them
         * (the engine indexes events with 32 bits) before anything allocates. */
        s->nsources += s->vms[i].count * s->vms[i].vcpus * s->vms[i].wl.ops->nsources(s->vms[i].wl.params);
        if (s->nsources > MAX_SOURCES)
            return hp_errorf(c->err, HP_EXIT_USAGE, "%s: %s.workload: %lld traffic sources in all (VMs x vCPUs "
                             "x streams or processes); at most %d are supported", c->file, p,
                             (long long)s->nsources, MAX_SOURCES);
    }
    return 0;
}

/* host.pcpus, or host.overcommit (vCPUs per pCPU) from which pcpus =
 * ceil(vCPUs / overcommit) is derived and written back; both may be given
 * only if they agree (as in an effective config). Runs after load_vms. */
static int load_pcpus(const struct cfg *c, json_t *host, struct sim_spec *s)
{
    double oc;
    if (!json_object_get(host, "overcommit"))
        return cfg_int(c, host, "host", "pcpus", 1, 1, MAX_PCPUS, &s->pcpus);
    if (cfg_num(c, host, "host", "overcommit", 1.0, 1e-3, 1e6, &oc))
        return -1;
    double need = ceil((double)s->nvcpus / oc - 1e-9);
    if (need > MAX_PCPUS)
        return hp_errorf(c->err, HP_EXIT_USAGE, "%s: host.overcommit: %g vCPUs per pCPU gives %.0f pCPUs for %lld vCPUs; "
                         "at most %d are supported", c->file, oc, need, (long long)s->nvcpus, MAX_PCPUS);
    int64_t derived = need < 1 ? 1 : (int64_t)need;
    if (!json_object_get(host, "pcpus"))
        json_object_set_new(host, "pcpus", json_integer(derived));
    if (cfg_int(c, host, "host", "pcpus", derived, 1, MAX_PCPUS, &s->pcpus))
        return -1;
    if (s->pcpus != derived)
        return hp_errorf(c->err, HP_EXIT_USAGE, "%s: host.pcpus: %lld disagrees with host.overcommit %g "
                         "(%lld vCPUs need %lld pCPUs); give only one of them", c->file, (long long)s->pcpus, oc,
                         (long long)s->nvcpus, (long long)derived);
    return 0;
}

/* Every "pin" names one of the host's pCPUs. Runs after load_pcpus. */
static int check_pins(const struct cfg *c, const struct sim_spec *s)
{
    for (int i = 0; i < s->nvms; i++)
        for (int64_t j = 0; s->vms[i].pin && j < s->vms[i].vcpus; j++)
            if (s->vms[i].pin[j] >= s->pcpus)
                return hp_errorf(c->err, HP_EXIT_USAGE, "%s: vms[%d].pin[%lld]: pCPU %d, but "
                                 "host.pcpus is %lld", c->file, i, (long long)j, s->vms[i].pin[j],
                                 (long long)s->pcpus);
    return 0;
}

/* host.placement and host.set_size (0 or above pcpus: one set of all). */
static int load_placement(const struct cfg *c, json_t *host, struct sim_spec *s)
{
    const char *pl;
    if (cfg_str(c, host, "host", "placement", "pinned", &pl) ||
        cfg_int(c, host, "host", "set_size", 0, 0, MAX_PCPUS, &s->set_size))
        return -1;
    if (strcmp(pl, "free") == 0)
        s->free_placement = true;
    else if (strcmp(pl, "pinned") != 0)
        return hp_errorf(c->err, HP_EXIT_USAGE, "%s: host.placement: expected \"pinned\" or \"free\", got \"%s\"",
                         c->file, pl);
    if (s->set_size == 0 || s->set_size > s->pcpus)
        s->set_size = s->pcpus;
    return 0;
}

/* A window (any ns parameter of a policy) longer than the whole run cannot
 * be what was meant: most likely a unit slip (ms for ns) in duration_s or
 * the parameter. */
static int check_windows(const struct cfg *c, const struct sim_spec *s)
{
    for (int i = 0; i < s->npolicies; i++) {
        const struct policy *p = &s->policies[i];
        for (int side = 0; side < 2; side++) {
            const struct policy_ops *ops = side ? p->guest : p->ops;
            const int64_t *param = side ? p->guest_param : p->param;
            for (int k = 0; ops && ops->params && ops->params[k].name; k++)
                if (strcmp(ops->params[k].unit, "ns") == 0 && param[k] > s->duration_ns)
                    return hp_errorf(c->err, HP_EXIT_USAGE,
                                     "%s: policy.%s.%s: %lld ns is longer than the simulated time "
                                     "(duration_s %.9g): a unit slip?", c->file, ops->name,
                                     ops->params[k].name, (long long)param[k], (double)s->duration_ns / 1e9);
        }
    }
    return 0;
}

int sim_spec_load(json_t *root, const char *file, const char *policy_list,
                  struct sim_spec *s, struct hp_error *err)
{
    static const char *const keys[] = {"name", "description", "duration_s", "seed", "costs",
                                       "host", "policies", "policy", "vms", NULL};
    static const char *const host_keys[] = {"pcpus", "overcommit", "sched_slice_ns", "placement", "set_size", NULL};
    struct cfg c = { file, err };
    memset(s, 0, sizeof *s);
    s->root = root;
    s->file = file;
    double dur;
    int64_t seed;
    json_t *costs, *host;
    if (cfg_check_keys(&c, root, "", keys) || cfg_str(&c, root, "", "name", "unnamed", &s->name) ||
        cfg_num(&c, root, "", "duration_s", 1.0, 1e-6, 1e6, &dur) ||
        cfg_int(&c, root, "", "seed", 1, 0, INT64_MAX, &seed) ||
        cfg_obj(&c, root, "", "costs", &costs) || x86_costs_load(&c, costs, "costs", &s->costs) ||
        cfg_obj(&c, root, "", "host", &host) || cfg_check_keys(&c, host, "host", host_keys) ||
        cfg_int(&c, host, "host", "sched_slice_ns", 3000000, 0, 1000000000, &s->slice_ns) ||
        load_vms(&c, root, s) || load_pcpus(&c, host, s) || check_pins(&c, s) || load_placement(&c, host, s) ||
        load_policies(&c, root, policy_list, s))
        return -1;
    s->duration_ns = llround(dur * 1e9);
    s->seed = (uint64_t)seed;
    return check_windows(&c, s);
}

void sim_spec_free(struct sim_spec *s)
{
    for (int i = 0; i < s->nvms; i++) {
        workload_free(&s->vms[i].wl);
        free(s->vms[i].pin);
    }
    free(s->vms);
    free(s->policies);
    json_decref(s->root);
    memset(s, 0, sizeof *s);
}

/* ---- one run ---- */

struct run {
    struct model m;
    struct source *sources;
    int64_t nsources;
    char *pstates;               /* per vCPU: host policy state, then the guest governor's */
};

static void run_free(struct run *r)
{
    for (int64_t i = 0; r->sources && i < r->nsources; i++)
        if (r->sources[i].rng)
            gsl_rng_free(r->sources[i].rng);
    free(r->sources);
    free(r->pstates);
    free(r->m.vcpus);
    free(r->m.pcpus);
    engine_free(&r->m.eng);
}

static int run_build(struct run *r, const struct sim_spec *s, const struct policy *pol, struct metrics *met)
{
    struct model *m = &r->m;
    m->cost = &s->costs;
    m->pol = pol;
    m->met = met;
    m->npcpus = (int)s->pcpus;
    m->nvcpus = (int)s->nvcpus;
    m->slice_ns = s->slice_ns;
    m->free_placement = s->free_placement;
    m->set_size = (int)s->set_size;
    m->end_ns = s->duration_ns;
    r->nsources = s->nsources;
    size_t hsz = (pol->ops->state_size + 7) & ~(size_t)7;
    size_t gsz = pol->guest ? (pol->guest->state_size + 7) & ~(size_t)7 : 0;
    size_t ssz = hsz + gsz;
    m->pcpus = calloc((size_t)m->npcpus, sizeof *m->pcpus);
    m->vcpus = calloc((size_t)m->nvcpus, sizeof *m->vcpus);
    r->sources = calloc((size_t)r->nsources, sizeof *r->sources);
    r->pstates = calloc((size_t)m->nvcpus, ssz);
    /* Every event is embedded in an entity, so this capacity is never exceeded. */
    uint64_t cap = 1 + (uint64_t)m->nvcpus + 2 * (uint64_t)m->npcpus + (uint64_t)r->nsources;
    if (!m->pcpus || !m->vcpus || !r->sources || !r->pstates || cap > UINT32_MAX / 2 ||
        engine_init(&m->eng, (uint32_t)cap) != 0)
        return -1;
    for (int i = 0; i < m->npcpus; i++)
        pcpu_init(&m->pcpus[i], i);
    int id = 0;
    int64_t si = 0;
    for (int g = 0, vmno = 0; g < s->nvms; g++) {
        const struct sim_vm *vm = &s->vms[g];
        int ns = vm->wl.ops->nsources(vm->wl.params);
        for (int64_t k = 0; k < vm->count; k++, vmno++) {
            for (int64_t j = 0; j < vm->vcpus; j++, id++) {
                struct vcpu *v = &m->vcpus[id];
                engine_event_init(&v->ev, EV_VCPU);
                v->id = id;
                v->vm = vmno;
                v->index = (int)j;
                /* pinned where "pin" says, else round robin */
                v->pcpu = &m->pcpus[vm->pin ? vm->pin[j] : id % m->npcpus];
                v->pstate = r->pstates + (size_t)id * ssz;
                pol->ops->init(v->pstate, pol->param);
                if (pol->guest) {
                    v->gstate = (char *)v->pstate + hsz;
                    pol->guest->init(v->gstate, pol->guest_param);
                }
                v->sources = &r->sources[si];
                v->nsources = ns;
                for (int q = 0; q < ns; q++, si++) {
                    struct source *src = &r->sources[si];
                    engine_event_init(&src->ev, EV_SOURCE);
                    src->vcpu = v;
                    src->wl = &vm->wl;
                    src->index = (uint32_t)q;
                    /* One stream per (vCPU, source): independent of policy and order. */
                    src->rng = rng_stream_new(s->seed, (uint64_t)id, (uint64_t)q, 0);
                    if (!src->rng)
                        return -1;
                }
            }
        }
    }
    return 0;
}

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void progress(const struct sim_opts *o, const struct model *m, double t0, bool last)
{
    double el = wall_now() - t0;
    double frac = (double)model_now(m) / (double)m->end_ns;
    fprintf(stderr, "\r%-12s %5.1f%%  %.2f s simulated  %.1f s%s", o->progress_label, 100 * frac,
            (double)model_now(m) / 1e9, el, last ? "\033[K\r" : "\033[K");
    if (last)
        fprintf(stderr, "\r\033[K");
}

static void dispatch(struct model *m, struct engine_event *ev)
{
    switch (ev->kind) {
    case EV_VCPU:
        vcpu_on_event(m, (struct vcpu *)ev);
        break;
    case EV_SOURCE: {
        struct source *s = (struct source *)ev;
        s->wl->ops->fire(m, s);
        break;
    }
    case EV_PCPU: {
        struct pcpu *p = ev->aux ? (struct pcpu *)((char *)ev - offsetof(struct pcpu, slice_ev))
                                 : (struct pcpu *)ev;
        pcpu_on_event(m, p, ev);
        break;
    }
    }
}

int sim_run(const struct sim_spec *s, const struct policy *pol, const struct sim_opts *opts,
            struct metrics *met, struct hp_error *err)
{
    struct run r;
    memset(&r, 0, sizeof r);
    memset(met, 0, sizeof *met);
    hist_init(&met->wakeup);
    hist_init(&met->rtt);
    hist_init(&met->io_lat);
    hist_init(&met->halt_len);
    struct model *m = &r.m;
    if (opts) {
        m->trace = opts->trace;
        m->trace_ctx = opts->trace_ctx;
        m->event = opts->event;
        m->event_ctx = opts->event_ctx;
    }
    if (run_build(&r, s, pol, met) != 0) {
        run_free(&r);
        return hp_errorf(err, HP_EXIT_RUNTIME, "%s: out of memory building %lld vCPUs",
                         s->file, (long long)s->nvcpus);
    }
    engine_event_init(&m->end_ev, EV_END);
    engine_schedule(&m->eng, &m->end_ev, m->end_ns);
    for (int i = 0; i < m->npcpus; i++)
        pcpu_release(m, &m->pcpus[i]);
    for (int i = 0; i < m->nvcpus; i++)
        vcpu_start(m, &m->vcpus[i]);
    for (int64_t i = 0; i < r.nsources; i++)
        r.sources[i].wl->ops->start(m, &r.sources[i]);

    bool show = opts && opts->progress_label && isatty(STDERR_FILENO);
    double t0 = wall_now(), next_show = t0 + 0.5;
    int stopped = 0;
    for (;;) {
        struct engine_event *ev = engine_pop(&m->eng);
        if (!ev || ev->kind == EV_END)
            break;
        dispatch(m, ev);
        if ((m->eng.popped & 0xfffff) == 0) {
            if (opts && opts->stop && *opts->stop) {
                stopped = 1;
                break;
            }
            if (show && wall_now() >= next_show) {
                progress(opts, m, t0, false);
                next_show = wall_now() + 0.5;
            }
        }
    }
    if (show)
        progress(opts, m, t0, true);
    met->events = m->eng.popped;
    met->pending_sum = m->eng.pending_sum;
    if (!stopped)
        model_finish(m);
    run_free(&r);
    if (stopped)
        return hp_errorf(err, HP_EXIT_INTERRUPTED, "interrupted");
    return 0;
}
