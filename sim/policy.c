/* policy.c - the registry and parameter resolution. See policy.h. */
#include "policy.h"

#include <stdio.h>
#include <string.h>

extern const struct policy_ops policy_none, policy_always, policy_v3, policy_v4,
    policy_blocktime, policy_toggle, policy_mainline, policy_guest_haltpoll, policy_oracle,
    policy_example_fraction;

/* The one table of policies: add a line here to register a new one. */
const struct policy_ops *const policy_registry[] = {
    &policy_none,
    &policy_always,
    &policy_v3,
    &policy_v4,
    &policy_blocktime,
    &policy_toggle,
    &policy_mainline,
    &policy_guest_haltpoll,
    &policy_oracle,
    &policy_example_fraction,
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

/* Resolve one registered policy's parameters into param[]. */
static int resolve_params(const struct cfg *c, json_t *policy_obj, const struct policy_ops *ops,
                          int64_t *param, int *nparams)
{
    json_t *own = json_object_get(policy_obj, ops->name);
    if (!own) {
        own = json_object();
        json_object_set_new(policy_obj, ops->name, own);
    }
    char own_path[128];
    snprintf(own_path, sizeof own_path, "policy.%s", ops->name);
    for (int i = 0; ops->params && ops->params[i].name; i++) {
        const struct policy_param *pp = &ops->params[i];
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
        if (cfg_int(c, own, own_path, pp->name, def, pp->min, pp->max, &param[i]))
            return -1;
        if (nparams)
            *nparams = i + 1;
    }
    return 0;
}

static const struct policy_ops *find_side(const struct cfg *c, const char *name, size_t len,
                                          enum policy_side side, const char *whole)
{
    char buf[POLICY_NAME_MAX];
    snprintf(buf, sizeof buf, "%.*s", (int)len, name);
    const struct policy_ops *ops = policy_find(buf);
    if (!ops) {
        hp_errorf(c->err, HP_EXIT_USAGE, "%s: unknown policy \"%s\" (see --list-policies)", c->file, buf);
        return NULL;
    }
    if (ops->side != side) {
        hp_errorf(c->err, HP_EXIT_USAGE, "%s: policy \"%s\": \"%s\" is a %s policy; expected GUEST+HOST, "
                  "e.g. guest-haltpoll+mainline", c->file, whole, buf, ops->side == POLICY_GUEST ? "guest" : "host");
        return NULL;
    }
    return ops;
}

int policy_resolve(const struct cfg *c, json_t *policy_obj, const char *name, struct policy *out)
{
    memset(out, 0, sizeof *out);
    size_t len = strlen(name);
    if (len >= POLICY_NAME_MAX)
        return hp_errorf(c->err, HP_EXIT_USAGE, "%s: policy name \"%.40s...\" is too long", c->file, name);
    memcpy(out->name, name, len + 1);
    const char *plus = strchr(name, '+');
    const struct policy_ops *alone = plus ? NULL : policy_find(name);
    if (alone && alone->side == POLICY_GUEST) {
        out->guest = alone;                    /* a guest governor alone: the host runs none */
        out->ops = policy_find("none");
    } else if (plus) {
        out->guest = find_side(c, name, (size_t)(plus - name), POLICY_GUEST, name);
        out->ops = out->guest ? find_side(c, plus + 1, strlen(plus + 1), POLICY_HOST, name) : NULL;
    } else {
        out->ops = find_side(c, name, strlen(name), POLICY_HOST, name);
    }
    if (!out->ops)
        return -1;
    if (out->guest && resolve_params(c, policy_obj, out->guest, out->guest_param, NULL))
        return -1;
    return resolve_params(c, policy_obj, out->ops, out->param, &out->nparams);
}
