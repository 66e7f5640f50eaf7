/* policy.c - the registry and parameter resolution. See policy.h. */
#include "policy.h"

#include <stdio.h>
#include <string.h>

extern const struct policy_ops policy_none, policy_always, policy_v3, policy_v4,
    policy_blocktime, policy_toggle;

/* The one table of policies: add a line here to register a new one. */
const struct policy_ops *const policy_registry[] = {
    &policy_none,
    &policy_always,
    &policy_v3,
    &policy_v4,
    &policy_blocktime,
    &policy_toggle,
    NULL,
};

const struct policy_ops *policy_find(const char *name)
{
    for (const struct policy_ops *const *p = policy_registry; *p; p++)
        if (strcmp((*p)->name, name) == 0)
            return *p;
    return NULL;
}

int policy_param_index(const struct policy_ops *ops, const char *name)
{
    for (int i = 0; ops->params && ops->params[i].name; i++)
        if (strcmp(ops->params[i].name, name) == 0)
            return i;
    return -1;
}

static bool is_param_anywhere(const char *key)
{
    for (const struct policy_ops *const *p = policy_registry; *p; p++)
        if (policy_param_index(*p, key) >= 0)
            return true;
    return false;
}

int policy_check_keys(const struct cfg *c, json_t *policy_obj)
{
    /* Collect every parameter name and every policy name. */
    const char *allowed[128];
    size_t n = 0;
    for (const struct policy_ops *const *p = policy_registry; *p && n < 120; p++) {
        allowed[n++] = (*p)->name;
        for (int i = 0; (*p)->params && (*p)->params[i].name && n < 120; i++)
            allowed[n++] = (*p)->params[i].name;
    }
    allowed[n] = NULL;
    if (cfg_check_keys(c, policy_obj, "policy", allowed))
        return -1;
    /* Per-policy sub-objects may only hold that policy's parameters. */
    const char *key;
    json_t *v;
    json_object_foreach(policy_obj, key, v) {
        const struct policy_ops *ops = policy_find(key);
        char path[128];
        snprintf(path, sizeof path, "policy.%s", key);
        if (ops && !json_is_object(v))
            return hp_errorf(c->err, HP_EXIT_USAGE, "%s: %s: expected an object of %s's parameters",
                             c->file, path, key);
        if (!ops && !is_param_anywhere(key))
            continue;
        if (ops) {
            const char *sub[POLICY_MAX_PARAMS + 1];
            int k = 0;
            for (; ops->params && ops->params[k].name; k++)
                sub[k] = ops->params[k].name;
            sub[k] = NULL;
            if (cfg_check_keys(c, v, path, sub))
                return -1;
        }
    }
    return 0;
}

int policy_resolve(const struct cfg *c, json_t *policy_obj, const char *name, struct policy *out)
{
    memset(out, 0, sizeof *out);
    out->ops = policy_find(name);
    if (!out->ops)
        return hp_errorf(c->err, HP_EXIT_USAGE, "%s: unknown policy \"%s\" (see --list-policies)",
                         c->file, name);
    json_t *own = json_object_get(policy_obj, name);
    if (!own) {
        own = json_object();
        json_object_set_new(policy_obj, name, own);
    }
    char own_path[128];
    snprintf(own_path, sizeof own_path, "policy.%s", name);
    for (int i = 0; out->ops->params && out->ops->params[i].name; i++) {
        const struct policy_param *pp = &out->ops->params[i];
        int64_t def = pp->def;
        /* A shared setting is checked against this policy's range too. */
        if (!json_object_get(own, pp->name) && json_object_get(policy_obj, pp->name)) {
            json_t *tmp = json_object();
            json_object_set(tmp, pp->name, json_object_get(policy_obj, pp->name));
            int rc = cfg_int(c, tmp, "policy", pp->name, def, pp->min, pp->max, &def);
            json_decref(tmp);
            if (rc)
                return -1;
        }
        if (cfg_int(c, own, own_path, pp->name, def, pp->min, pp->max, &out->param[i]))
            return -1;
        out->nparams = i + 1;
    }
    return 0;
}
