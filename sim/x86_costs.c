/*
 * x86_costs.c - the cost profiles. docs/costs.md gives every number's source:
 * the tag in brackets names its subsection of "Sources" there, the letter
 * its status: V verified in the cited text, D derived from V numbers,
 * R recalled, E engineering estimate (a tunable). Cycle figures are TSC
 * ticks; ns = cycles / tsc_ghz.
 */
#include "x86_costs.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define US 1000LL

/* Fill actual_exit_ns from the fraction for states that did not give one. */
static void finish(struct x86_costs *c)
{
    for (int i = 0; i < c->ncstates; i++)
        if (c->cstate[i].actual_exit_ns < 0)
            c->cstate[i].actual_exit_ns =
                llround((double)c->cstate[i].exit_latency_ns * c->cstate_actual_exit_frac);
}

static const struct x86_costs profiles[] = {
    {
        /* Xeon E5 v3 (Haswell-EP), the host of the 2015 upstream thread. */
        .profile = "haswell-2015",
        .tsc_ghz = 2.5,                 /* E5-2680 v3 nominal [5] R */
        .vmexit_hw_rt_ns = 200,         /* ~500 cycles [1c] E */
        .exit_handle_min_ns = 480,      /* ~1,200 cycles, cpuid-class exit [1a/1c] E, anchored on SplitX V */
        .hlt_exit_ns = 800,             /* cheap exit + vcpu_run loop [1c] E */
        .poll_iter_ns = 60,             /* PAUSE ~10 cycles pre-Skylake [2a] V + check_block/ktime E */
        .poll_hit_resume_ns = 1000,     /* [6a] E */
        .sched_out_ns = 2000,           /* [2b] E */
        .idle_enter_ns = 1000,          /* [2b] E */
        .wake_signal_ns = 300,          /* remote ttwu, MWAIT target needs no IPI [2b] E */
        .resched_ipi_ns = 1000,         /* [2b] E (weak V: 1-3 us round trip) */
        .sched_in_ns = 2500,            /* [2b] E */
        .posted_intr_ns = 400,          /* [2b] E */
        .host_timer_irq_ns = 1500,      /* [2b] E */
        .guest_tick_work_ns = 10000,    /* [6a] E */
        .cstate_actual_exit_frac = 0.5, /* typical exits ~40-60% of the worst case [3a] E */
        /* hsw_cstates as Haswell-EP uses them (use_acpi: C3 off unless in _CST) [3a] V */
        .ncstates = 3,
        .cstate = {
            {"C1", 2 * US, 2 * US, -1},
            {"C1E", 10 * US, 20 * US, -1},
            {"C6", 133 * US, 400 * US, -1},
        },
    },
    {
        /* Xeon SP gen 1-2 (Skylake-SP / Cascade Lake), mitigations on. */
        .profile = "skylake-sp",
        .tsc_ghz = 2.5,                 /* "Xeon Skylake 2.5 GHz" [5] V */
        .vmexit_hw_rt_ns = 220,         /* ~550 cycles [1c] E */
        .exit_handle_min_ns = 720,      /* ~1,800 cycles with mitigations [1c] E */
        .hlt_exit_ns = 1000,            /* [1c] E */
        .poll_iter_ns = 120,            /* PAUSE up to 140 cycles on SKL+ [2a] V + rest E */
        .poll_hit_resume_ns = 1200,     /* [6a] E */
        .sched_out_ns = 1800,           /* [2b] E */
        .idle_enter_ns = 1000,          /* [2b] E */
        .wake_signal_ns = 300,          /* [2b] E */
        .resched_ipi_ns = 800,          /* [2b] E */
        .sched_in_ns = 2200,            /* [2b] E */
        .posted_intr_ns = 400,          /* [2b] E */
        .host_timer_irq_ns = 1500,      /* [2b] E */
        .guest_tick_work_ns = 10000,    /* [6a] E */
        .cstate_actual_exit_frac = 0.5, /* [3a] E */
        /* skx_cstates [3a] V */
        .ncstates = 3,
        .cstate = {
            {"C1", 2 * US, 2 * US, -1},
            {"C1E", 10 * US, 20 * US, -1},
            {"C6", 133 * US, 600 * US, -1},
        },
    },
    {
        /* Xeon SP gen 3 (Ice Lake-SP, e.g. Platinum 8380). */
        .profile = "icelake-sp",
        .tsc_ghz = 2.3,                 /* [5] R */
        .vmexit_hw_rt_ns = 200,         /* ~460 cycles [1c] E */
        .exit_handle_min_ns = 570,      /* ~1,300 cycles [1c] E */
        .hlt_exit_ns = 900,             /* [1c] E */
        .poll_iter_ns = 120,            /* [2a] V/E */
        .poll_hit_resume_ns = 1000,     /* [6a] E */
        .sched_out_ns = 1500,           /* [2b] E */
        .idle_enter_ns = 800,           /* [2b] E */
        .wake_signal_ns = 300,          /* [2b] E */
        .resched_ipi_ns = 700,          /* [2b] E */
        .sched_in_ns = 2000,            /* [2b] E */
        .posted_intr_ns = 350,          /* [2b] E */
        .host_timer_irq_ns = 1200,      /* [2b] E */
        .guest_tick_work_ns = 8000,     /* [6a] E */
        .cstate_actual_exit_frac = 0.5, /* [3a] E */
        /* icx_cstates [3a] V */
        .ncstates = 3,
        .cstate = {
            {"C1", 1 * US, 1 * US, -1},
            {"C1E", 4 * US, 4 * US, -1},
            {"C6", 170 * US, 600 * US, -1},
        },
    },
    {
        /* Xeon 4th/5th gen (Sapphire/Emerald Rapids, e.g. Platinum 8480+). */
        .profile = "sapphire-rapids",
        .tsc_ghz = 2.0,                 /* [5] R */
        .vmexit_hw_rt_ns = 200,         /* like ICX [6a note] E */
        .exit_handle_min_ns = 650,      /* ~1,300 cycles; the 1,744-cycle TDX round trip is an upper bound [1a] V/E */
        .hlt_exit_ns = 900,             /* E */
        .poll_iter_ns = 120,            /* PAUSE ~140 cycles [2a] E */
        .poll_hit_resume_ns = 1000,     /* E */
        .sched_out_ns = 1500,           /* E */
        .idle_enter_ns = 800,           /* E */
        .wake_signal_ns = 300,          /* E */
        .resched_ipi_ns = 700,          /* E */
        .sched_in_ns = 2000,            /* E */
        .posted_intr_ns = 350,          /* E */
        .host_timer_irq_ns = 1200,      /* E */
        .guest_tick_work_ns = 8000,     /* E */
        .cstate_actual_exit_frac = 0.5, /* [3a] E */
        /* spr_cstates [3a] V (C1 and C1E are mutually exclusive; C1E kept) */
        .ncstates = 2,
        .cstate = {
            {"C1E", 2 * US, 4 * US, -1},
            {"C6", 290 * US, 800 * US, -1},
        },
    },
    {
        /* AMD EPYC 7003 (Milan, Zen 3). */
        .profile = "zen3",
        .tsc_ghz = 2.45,                /* EPYC 7763 [5] R */
        .vmexit_hw_rt_ns = 550,         /* VMRUN loop ~1,350 cycles [1a] V (model unnamed) */
        .exit_handle_min_ns = 740,      /* ~1,800 cycles [1c] E */
        .hlt_exit_ns = 1000,            /* [1c] E */
        .poll_iter_ns = 80,             /* [2a] E */
        .poll_hit_resume_ns = 1200,     /* [6a] E */
        .sched_out_ns = 1500,           /* [2b] E */
        .idle_enter_ns = 800,           /* [2b] E */
        .wake_signal_ns = 300,          /* [2b] E */
        .resched_ipi_ns = 800,          /* [2b] E */
        .sched_in_ns = 2000,            /* [2b] E */
        .posted_intr_ns = 400,          /* AVIC [2b] E */
        .host_timer_irq_ns = 1200,      /* [2b] E */
        .guest_tick_work_ns = 9000,     /* [6a] E */
        .cstate_actual_exit_frac = 0.5, /* [3b] E */
        /* acpi_idle from _CST [3b] V; C2's declared 400 us is conservative,
         * the real CC6 exit is tens of us: 30 us [3b] E */
        .ncstates = 2,
        .cstate = {
            {"C1", 1 * US, 2 * US, -1},
            {"C2", 400 * US, 800 * US, 30 * US},
        },
    },
    {
        /* Every cost zero and one free idle state: the closed forms of Poisson
         * wakeups against a fixed window (tests/test_analytic.c) hold exactly. */
        .profile = "zero",
        .tsc_ghz = 1.0,
        .cstate_actual_exit_frac = 0.0,
        .ncstates = 1,
        .cstate = { {"C1", 0, 0, 0} },
    },
};

#define NPROFILES (sizeof profiles / sizeof profiles[0])

const char *const *x86_costs_profile_names(void)
{
    static const char *names[NPROFILES + 1];
    for (size_t i = 0; i < NPROFILES; i++)
        names[i] = profiles[i].profile;
    names[NPROFILES] = NULL;
    return names;
}

static const struct x86_costs *find(const char *name)
{
    for (size_t i = 0; i < NPROFILES; i++)
        if (strcmp(profiles[i].profile, name) == 0)
            return &profiles[i];
    return NULL;
}

int x86_costs_profile(const char *name, struct x86_costs *out)
{
    const struct x86_costs *p = find(name);
    if (!p)
        return -1;
    *out = *p;
    finish(out);
    return 0;
}

/* The overridable integer fields, declared once. */
static const struct { const char *name; size_t off; } int_fields[] = {
#define F(n) { #n, offsetof(struct x86_costs, n) }
    F(vmexit_hw_rt_ns), F(exit_handle_min_ns), F(hlt_exit_ns), F(poll_iter_ns),
    F(poll_hit_resume_ns), F(sched_out_ns), F(idle_enter_ns), F(wake_signal_ns),
    F(resched_ipi_ns), F(sched_in_ns), F(posted_intr_ns), F(host_timer_irq_ns),
    F(guest_tick_work_ns),
#undef F
};
#define NFIELDS (sizeof int_fields / sizeof int_fields[0])

static int load_cstates(const struct cfg *c, json_t *arr, const char *path, struct x86_costs *out)
{
    char p[256], e[256];
    if (!json_is_array(arr) || json_array_size(arr) == 0 || json_array_size(arr) > X86_MAX_CSTATES)
        return hp_errorf(c->err, HP_EXIT_USAGE, "%s: %s: expected an array of 1 to %d C-states",
                         c->file, path, X86_MAX_CSTATES);
    static const char *const keys[] = {"name", "exit_latency_ns", "target_residency_ns", "actual_exit_ns", NULL};
    out->ncstates = (int)json_array_size(arr);
    int64_t prev_res = -1;
    for (int i = 0; i < out->ncstates; i++) {
        json_t *s = json_array_get(arr, (size_t)i);
        cfg_path_index(p, sizeof p, path, (size_t)i);
        if (!json_is_object(s))
            return hp_errorf(c->err, HP_EXIT_USAGE, "%s: %s: expected an object", c->file, p);
        struct x86_cstate *cs = &out->cstate[i];
        const char *name;
        int64_t lat, res, act;
        if (cfg_check_keys(c, s, p, keys) || cfg_str(c, s, p, "name", NULL, &name) ||
            cfg_int(c, s, p, "exit_latency_ns", 0, 0, 100000000, &lat) ||
            cfg_int(c, s, p, "target_residency_ns", lat, 0, 1000000000, &res) ||
            cfg_int(c, s, p, "actual_exit_ns", llround((double)lat * out->cstate_actual_exit_frac),
                    0, 100000000, &act))
            return -1;
        if (res < prev_res)
            return hp_errorf(c->err, HP_EXIT_USAGE, "%s: %s: must not decrease with depth "
                             "(C-states are listed shallow to deep)", c->file,
                             cfg_path(e, sizeof e, p, "target_residency_ns"));
        prev_res = res;
        snprintf(cs->name, sizeof cs->name, "%s", name);
        cs->exit_latency_ns = lat;
        cs->target_residency_ns = res;
        cs->actual_exit_ns = act;
    }
    return 0;
}

json_t *x86_cstates_json(const struct x86_cstate *cs, int n)
{
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, json_pack("{s:s, s:I, s:I, s:I}", "name", cs[i].name,
                              "exit_latency_ns", (json_int_t)cs[i].exit_latency_ns,
                              "target_residency_ns", (json_int_t)cs[i].target_residency_ns,
                              "actual_exit_ns", (json_int_t)cs[i].actual_exit_ns));
    return arr;
}

int x86_costs_load(const struct cfg *c, json_t *costs, const char *path, struct x86_costs *out)
{
    const char *keys[NFIELDS + 6];
    size_t k = 0;
    keys[k++] = "profile";
    keys[k++] = "tsc_ghz";
    keys[k++] = "cstate_actual_exit_frac";
    keys[k++] = "cstates";
    for (size_t i = 0; i < NFIELDS; i++)
        keys[k++] = int_fields[i].name;
    keys[k] = NULL;
    if (cfg_check_keys(c, costs, path, keys))
        return -1;

    const char *name;
    char p[256];
    if (cfg_str(c, costs, path, "profile", "haswell-2015", &name))
        return -1;
    if (x86_costs_profile(name, out) != 0) {
        char list[256] = "";
        for (const char *const *n = x86_costs_profile_names(); *n; n++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", *list ? ", " : "", *n);
        return hp_errorf(c->err, HP_EXIT_USAGE, "%s: %s: unknown cost profile \"%s\" (expected one of: %s)",
                         c->file, cfg_path(p, sizeof p, path, "profile"), name, list);
    }
    for (size_t i = 0; i < NFIELDS; i++) {
        int64_t *f = (int64_t *)((char *)out + int_fields[i].off);
        if (cfg_int(c, costs, path, int_fields[i].name, *f, 0, 100000000, f))
            return -1;
    }
    if (cfg_num(c, costs, path, "tsc_ghz", out->tsc_ghz, 0.0, 100.0, &out->tsc_ghz) ||
        cfg_num(c, costs, path, "cstate_actual_exit_frac", out->cstate_actual_exit_frac, 0.0, 1.0,
                &out->cstate_actual_exit_frac))
        return -1;
    json_t *cs = json_object_get(costs, "cstates");
    if (cs) {
        if (load_cstates(c, cs, cfg_path(p, sizeof p, path, "cstates"), out))
            return -1;
    } else {
        /* The profile's own table; states without a measured actual exit take
         * the (possibly overridden) fraction of their worst case. */
        const struct x86_costs *base = find(name);
        for (int i = 0; i < out->ncstates; i++)
            out->cstate[i].actual_exit_ns = base->cstate[i].actual_exit_ns;
        finish(out);
        json_object_set_new(costs, "cstates", x86_cstates_json(out->cstate, out->ncstates));
    }
    return 0;
}
