/* trace_emit.c - simulated events as trace-cmd report text. See trace_emit.h. */
#include "trace_emit.h"

#include <stdlib.h>
#include <string.h>

#include "polltrace.h"
#include "trace_read.h"
#include "version.h"
#include "workload.h"

#define EMIT_IRQ_PID 999

/* "  comm-pid [cpu] secs.nsecs: event:<pad> " */
static void prefix(FILE *f, const char *comm, int pid, int cpu, int64_t t, const char *event)
{
    char name[32];

    snprintf(name, sizeof name, "%s:", event);
    fprintf(f, "%16s-%-5d [%03d] %5lld.%09lld: %-21s ", comm, pid, cpu,
            (long long)(t / 1000000000), (long long)(t % 1000000000), name);
}

/* The vCPU thread's prefix: "CPU N/KVM" with N its number within its VM. */
static void vcpu_prefix(FILE *f, const struct vcpu *v, int64_t t, const char *event)
{
    char comm[32];

    snprintf(comm, sizeof comm, "CPU %d/KVM", v->index);
    prefix(f, comm, POLLTRACE_PID_BASE + POLLTRACE_PID_STRIDE * v->vm + v->index, v->pcpu->id, t,
           event);
}

static void emit_irq(FILE *f, const struct model_event *e)
{
    const struct vcpu *v = e->v;
    bool timer = e->delivery == DELIVERY_TIMER;

    if (timer)
        vcpu_prefix(f, v, e->t_ns, "kvm_apic_accept_irq");
    else
        prefix(f, "vhost-hpsim", EMIT_IRQ_PID, v->pcpu->id, e->t_ns, "kvm_apic_accept_irq");
    fprintf(f, "apicid %x vec %d (Fixed|edge)\n", v->id,
            timer ? TRACE_TIMER_VECTOR : TRACE_EMIT_REMOTE_VECTOR);
}

/* KVM emits kvm_halt_poll_ns inside grow/shrink, just before kvm_vcpu_wakeup. */
static void emit_wakeup(FILE *f, const struct model_event *e)
{
    const struct vcpu *v = e->v;

    if (e->change != POLICY_KEEP) {
        /* The payload as the policy window trace prints it (polltrace.h). */
        struct window_change wc = { .t_ns = e->t_ns, .vcpu = v->id, .vm = v->vm,
                                    .change = e->change, .old_ns = e->old_ns,
                                    .new_ns = e->new_ns, .pcpu = v->pcpu->id };
        char line[256];
        const char *payload;

        polltrace_format(line, sizeof line, &wc);
        payload = strstr(line, "kvm_halt_poll_ns:") + sizeof "kvm_halt_poll_ns:" - 1;
        payload += strspn(payload, " ");
        vcpu_prefix(f, v, e->t_ns, "kvm_halt_poll_ns");
        fprintf(f, "%s\n", payload);
    }
    vcpu_prefix(f, v, e->t_ns, "kvm_vcpu_wakeup");
    fprintf(f, "%s time %lld ns, polling valid\n", e->waited ? "wait" : "poll",
            (long long)e->halt_ns);
}

void trace_emit_event(void *ctx, const struct model_event *e)
{
    struct trace_emit *t = ctx;
    const struct vcpu *v = e->v;

    switch (e->kind) {
    case MEV_HLT_EXIT:
        vcpu_prefix(t->f, v, e->t_ns, "kvm_exit");
        fprintf(t->f, "vcpu %d reason HLT rip 0xffffffff81000000 info1 0x0000000000000000 "
                "info2 0x0000000000000000 intr_info 0x00000000 error_code 0x00000000\n", v->id);
        break;
    case MEV_ENTRY:
        vcpu_prefix(t->f, v, e->t_ns, "kvm_entry");
        fprintf(t->f, "vcpu %d, rip 0xffffffff81000001\n", v->id);
        break;
    case MEV_WAKEUP:
        emit_wakeup(t->f, e);
        break;
    case MEV_IRQ:
        emit_irq(t->f, e);
        break;
    }
}

/* After "cpus=N": the run, and the policy's parameters for replay. */
static void write_header(FILE *f, const char *title, const struct policy *pol)
{
    fprintf(f, "# hpsim %s --emit-trace: %s\n# hpsim policy %s", HPSIM_VERSION, title,
            pol->ops->name);
    for (int i = 0; pol->ops->params && pol->ops->params[i].name; i++)
        fprintf(f, " %s=%lld", pol->ops->params[i].name, (long long)pol->param[i]);
    fputc('\n', f);
}

int trace_emit_open(struct trace_emit *t, const char *path, const char *title,
                    const struct policy *pol, int ncpus, struct hp_error *err)
{
    if (polltrace_open(&t->w, path, ncpus, err) != 0)
        return -1;
    t->f = t->w.out.f;
    write_header(t->f, title, pol);
    return 0;
}

int trace_emit_close(struct trace_emit *t, bool keep, struct hp_error *err)
{
    t->f = NULL;
    return polltrace_close(&t->w, keep, err);
}

int64_t trace_emit_read_duration(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[1024];
    long long d = -1;

    if (!f)
        return -1;
    for (int i = 0; i < TRACE_EMIT_HEADER_LINES && d < 0 && fgets(line, sizeof line, f); i++) {
        const char *p = strstr(line, ", duration_ns ");

        if (strncmp(line, "# hpsim ", 8) == 0 && p && sscanf(p, ", duration_ns %lld", &d) != 1)
            d = -1;
    }
    fclose(f);
    return d;
}
