/* workload.c - the workload registry. See workload.h. */
#include "workload.h"

#include <stdio.h>
#include <string.h>

extern const struct workload_ops workload_tcp_rr, workload_arrivals, workload_windows_idle,
    workload_linux_idle, workload_storage, workload_replay, workload_probe;

/* The one table of workloads: add a line here to register a new one. */
const struct workload_ops *const workload_registry[] = {
    &workload_tcp_rr,
    &workload_arrivals,
    &workload_windows_idle,
    &workload_linux_idle,
    &workload_storage,
    &workload_replay,
    &workload_probe,
    NULL,
};

const struct workload_ops *workload_find(const char *name)
{
    for (const struct workload_ops *const *w = workload_registry; *w; w++)
        if (strcmp((*w)->name, name) == 0)
            return *w;
    return NULL;
}

int workload_parse(const struct cfg *c, json_t *obj, const char *path, struct workload *w)
{
    const char *type;
    char p[256];
    memset(w, 0, sizeof *w);
    if (cfg_str(c, obj, path, "type", NULL, &type))
        return -1;
    w->ops = workload_find(type);
    if (!w->ops) {
        char list[256] = "";
        for (const struct workload_ops *const *x = workload_registry; *x; x++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", *list ? ", " : "", (*x)->name);
        return hp_errorf(c->err, HP_EXIT_USAGE, "%s: %s: unknown workload \"%s\" (expected one of: %s)",
                         c->file, cfg_path(p, sizeof p, path, "type"), type, list);
    }
    return w->ops->parse(c, obj, path, &w->params);
}

void workload_free(struct workload *w)
{
    if (w->ops && w->ops->free_params)
        w->ops->free_params(w->params);
    w->params = NULL;
}
