/*
 * hpsim-probe: a tiny KVM guest that halts and is woken, to capture real halt polling.
 *
 * One VM (type 0), one 64 KiB memory slot, the in-kernel irqchip, N vCPUs.  Every vCPU runs
 * the same 16-bit real-mode guest: it puts its local APIC in x2APIC mode, starts an optional
 * periodic LAPIC timer, then loops on `sti; hlt`.  A host "injector" thread wakes the vCPUs
 * with MSIs (KVM_SIGNAL_MSI) or IOAPIC line pulses (KVM_IRQ_LINE) after gaps drawn from a
 * distribution; the guest answers each such request with an OUT to REPLY_PORT, which the vCPU
 * thread sees as KVM_EXIT_IO.  In --mode reqresp the injector waits for that answer before the
 * next gap (closed loop); in msi/irq it keeps its own schedule (open loop).
 *
 * The probe only produces activity; the halt-polling decisions are KVM's, seen through the
 * kvm tracepoints (scripts/record.sh).  Under this host's kvm_pvm backend the guest runs in
 * KVM's instruction emulator, so the HLT appears as `kvm_emulate_insn: 0:103d: f4`.
 *
 * Exit codes: 0 ok, 1 runtime failure, 2 bad arguments, 77 cannot run here (no /dev/kvm, not root).
 */
#define _GNU_SOURCE
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/kvm.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2, EXIT_SKIP = 77 };

/* ---------------------------------------------------------------------------------------------
 * Guest memory map (guest physical = offset into the slot; real mode, so all below 64 KiB).
 *   0x0000 real-mode interrupt vector table (256 x {offset, segment})
 *   0x103c main loop (placed so the HLT is at 0x103d, as in the earlier captures)
 *   0x1100 setup code (entry point)
 *   0x1200 interrupt handlers, 0x40 bytes apart
 *   0x2000 + i*0x100  vCPU i's mailbox; vCPU i runs with DS = 0x200 + i*0x10 so the same code
 *                     addresses its own mailbox and no counter is shared between vCPUs
 *   0x8000 + i*0x1000 vCPU i's stack (SS = 0x800 + i*0x100, SP = 0x1000)
 *
 * Why so few instructions: here every guest instruction is emulated by KVM (~1.5-2 us each with
 * tracing on), so the path from a wakeup back to HLT must be short, or a request sent 10 us after
 * the previous reply finds the vCPU still running instead of halted.  The handlers therefore keep
 * no state in registers and rely on one invariant set up once: ECX = 0x80b (x2APIC EOI MSR),
 * EAX = EDX = 0, so a bare WRMSR is an EOI.  Wakeup -> HLT is then 7 instructions.
 * ------------------------------------------------------------------------------------------- */
#define MEM_SIZE 0x10000u
#define MAX_VCPUS 8
#define LOOP_ADDR 0x103cu
#define HLT_RIP 0x103du
#define SETUP_ADDR 0x1100u
#define TIMER_ISR 0x1200u
#define REQ_ISR_MEM 0x1240u
#define REQ_ISR_IO 0x1280u
#define OTHER_ISR 0x12c0u
#define MBOX_BASE 0x2000u
#define MBOX_STRIDE 0x100u
#define STACK_BASE 0x8000u
#define STACK_STRIDE 0x1000u

/* Mailbox offsets (DS-relative, little-endian u32). The host writes the first two. */
#define MB_LVTT 0x00    /* LVT timer register value the guest programs */
#define MB_TMICT 0x04   /* timer initial count, APIC bus cycles (1 ns each in KVM); 0 = no timer */
#define MB_WAKEUPS 0x08 /* guest: incremented each time HLT returns */
#define MB_TICKS 0x0c   /* guest: timer interrupts taken */
#define MB_REQS 0x10    /* guest: request interrupts handled = the reply the injector watches */
#define MB_OTHER 0x14   /* guest: any other vector (should stay 0) */

#define TIMER_VECTOR 0x30 /* shows as "vec 48" in kvm_apic_accept_irq */
#define REQ_VECTOR 0x40   /* "vec 64" */
#define REPLY_PORT 0x10   /* --reply io: OUT here after each request */
#define READY_PORT 0x11   /* OUT here = "my APIC is set up"; the injector waits for it */
#define IRQ_GSI_BASE 16   /* GSIs 16-23 are routed to the IOAPIC only (not the PIC) */

/* Setup, run once from SETUP_ADDR.  0x66 = operand-size prefix: 32-bit registers in 16-bit code.
 * x2APIC registers are MSRs 0x800 + (xAPIC offset >> 4); MMIO at 0xfee00000 is out of reach of
 * real mode, MSRs are not. */
static const uint8_t guest_setup[] = {
	0x66, 0xb9, 0x1b, 0x00, 0x00, 0x00, /* mov ecx, 0x1b          IA32_APIC_BASE */
	0x0f, 0x32,                         /* rdmsr */
	0x66, 0x0d, 0x00, 0x0c, 0x00, 0x00, /* or eax, 0xc00          EN (bit 11) | EXTD (x2APIC, bit 10) */
	0x0f, 0x30,                         /* wrmsr                  (CPUID.1:ECX.x2APIC set by the host) */
	0x66, 0xb9, 0x0f, 0x08, 0x00, 0x00, /* mov ecx, 0x80f         SVR */
	0x66, 0xb8, 0xff, 0x01, 0x00, 0x00, /* mov eax, 0x1ff         APIC software enable, spurious vector 0xff */
	0x66, 0x31, 0xd2,                   /* xor edx, edx           (EDX stays 0 from here on) */
	0x0f, 0x30,                         /* wrmsr */
	0x66, 0xb9, 0x3e, 0x08, 0x00, 0x00, /* mov ecx, 0x83e         TDCR */
	0x66, 0xb8, 0x0b, 0x00, 0x00, 0x00, /* mov eax, 0xb           divide by 1: TMICT counts 1 ns bus cycles */
	0x0f, 0x30,                         /* wrmsr */
	0x66, 0xb9, 0x32, 0x08, 0x00, 0x00, /* mov ecx, 0x832         LVT timer */
	0x66, 0xa1, MB_LVTT, 0x00,          /* mov eax, [MB_LVTT]     periodic|vector, or masked */
	0x0f, 0x30,                         /* wrmsr */
	0x66, 0xb9, 0x38, 0x08, 0x00, 0x00, /* mov ecx, 0x838         TMICT: writing it starts the timer */
	0x66, 0xa1, MB_TMICT, 0x00,         /* mov eax, [MB_TMICT] */
	0x0f, 0x30,                         /* wrmsr */
	0x66, 0xb9, 0x0b, 0x08, 0x00, 0x00, /* mov ecx, 0x80b         the invariant: ECX = EOI MSR, */
	0x66, 0x31, 0xc0,                   /* xor eax, eax           EAX = EDX = 0 */
	0xe6, READY_PORT,                   /* out READY_PORT, al     tell the host the APIC can take MSIs */
	0xea, LOOP_ADDR & 0xff, LOOP_ADDR >> 8, 0x00, 0x00, /* jmp far 0000:LOOP_ADDR */
};

/* Main loop at LOOP_ADDR.  STI's one-instruction interrupt shadow means no interrupt can slip in
 * between STI and HLT, so every wakeup is a real halt exit. */
static const uint8_t guest_loop[] = {
	0xfb,                               /* 0x103c sti */
	0xf4,                               /* 0x103d hlt             <- kvm_emulate_insn "0:103d: f4" */
	0x66, 0xff, 0x06, MB_WAKEUPS, 0x00, /* 0x103e inc dword [MB_WAKEUPS] */
	0xeb, 0xf7,                         /* 0x1043 jmp short 0x103c (0x1045 - 9) */
};

/* Interrupt handlers (real-mode delivery pushes FLAGS/CS/IP; IRET pops them).  WRMSR = EOI by
 * the register invariant above.  The request handler's reply is the increment of MB_REQS, which
 * the injector sees in shared memory with no exit (--reply mem), or additionally an OUT that
 * exits to the vCPU thread (--reply io, ~25 us more on the guest's path back to HLT). */
static const uint8_t guest_timer_isr[] = {
	0x66, 0xff, 0x06, MB_TICKS, 0x00, /* inc dword [MB_TICKS] */
	0x0f, 0x30,                       /* wrmsr                EOI */
	0xcf,                             /* iret */
};
static const uint8_t guest_req_isr_mem[] = {
	0x0f, 0x30,                       /* wrmsr                EOI */
	0x66, 0xff, 0x06, MB_REQS, 0x00,  /* inc dword [MB_REQS]  the reply */
	0xcf,                             /* iret */
};
static const uint8_t guest_req_isr_io[] = {
	0x0f, 0x30,                       /* wrmsr                EOI */
	0x66, 0xff, 0x06, MB_REQS, 0x00,  /* inc dword [MB_REQS] */
	0xe6, REPLY_PORT,                 /* out REPLY_PORT, al   the reply: KVM_EXIT_IO */
	0xcf,                             /* iret */
};
static const uint8_t guest_other_isr[] = {
	0x66, 0xff, 0x06, MB_OTHER, 0x00, /* inc dword [MB_OTHER] */
	0x0f, 0x30,                       /* wrmsr                EOI (harmless if none in service) */
	0xcf,                             /* iret */
};

/* ------------------------------------------------------------------------------------------- */

enum mode { MODE_TIMER, MODE_MSI, MODE_IRQ, MODE_REQRESP };
static const char *const mode_names[] = {"timer", "msi", "irq", "reqresp"};

enum gap_kind { GAP_CONST, GAP_UNIFORM, GAP_EXP };

struct gap {
	enum gap_kind kind;
	uint64_t a_ns, b_ns; /* const: a; uniform: [a, b]; exp: mean a */
	char text[64];
};

struct opts {
	int vcpus;
	int vcpu_cpu[MAX_VCPUS * 4];
	int n_vcpu_cpu; /* 0 = not pinned */
	int reply_io;   /* 1: the guest replies with OUT (exit), 0: by a counter in memory */
	int injector_cpu; /* -1 = not pinned */
	enum mode mode;
	long period_us; /* -1 = default: 1000 in timer mode, else 0 (no timer) */
	struct gap gap;
	double duration_s;
	long long halt_poll_ns; /* -1 = leave KVM's module default */
	uint64_t seed;
	const char *json;
};

/* Explicit RNG object (splitmix64): one stream, seeded from --seed, owned by the injector. */
struct rng {
	uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, 1) with 53 random bits. */
static double rng_uniform01(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

static uint64_t gap_draw(struct rng *r, const struct gap *g)
{
	switch (g->kind) {
	case GAP_CONST:
		return g->a_ns;
	case GAP_UNIFORM:
		return g->a_ns + (uint64_t)(rng_uniform01(r) * (double)(g->b_ns - g->a_ns + 1));
	case GAP_EXP: /* inverse CDF: -mean * ln(1 - U), U in [0,1) so the log is finite */
		return (uint64_t)(-(double)g->a_ns * log1p(-rng_uniform01(r)));
	}
	return 0;
}

struct probe;

struct vcpu {
	struct probe *p;
	int id, fd;
	struct kvm_run *run;
	uint32_t *mbox; /* host view of this vCPU's mailbox */
	pthread_t thread;
	int cpu; /* host CPU or -1 */
	atomic_int ready;        /* guest reached its loop */
	atomic_ullong sent_ns;   /* injection time of the outstanding request, 0 = none */
	atomic_int replied;      /* --reply io: set by the vCPU thread on a reply */
	uint64_t *lat_ns;        /* response latencies; written by whoever sees replies: the
				    vCPU thread (--reply io) or the injector (--reply mem) */
	size_t n_lat, cap_lat;
	uint64_t io_exits;
	int failed;
};

struct probe {
	struct opts o;
	int kvm, vm;
	uint8_t *mem;
	struct vcpu v[MAX_VCPUS];
	int n_started; /* vCPU threads running */
	atomic_int stop;
	uint64_t requests, lost, t_start, t_end;
};

static atomic_int g_interrupted;

static void on_sigusr1(int sig) { (void)sig; }
static void on_sigint(int sig) { (void)sig; atomic_store(&g_interrupted, 1); }

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die_usage(const char *fmt, ...)
{
	va_list ap;
	fputs("hpsim-probe: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see --help)\n", stderr);
	exit(EXIT_USAGE);
}

static int fail(const char *what)
{
	fprintf(stderr, "hpsim-probe: error: %s: %s\n", what, strerror(errno));
	return -1;
}

/* ------------------------------------------------------------------ argument parsing */

static long long parse_int(const char *s, const char *opt, long long lo, long long hi)
{
	char *end;
	errno = 0;
	long long x = strtoll(s, &end, 10);
	if (errno || end == s || *end || x < lo || x > hi)
		die_usage("%s: '%s' is not an integer in [%lld, %lld]", opt, s, lo, hi);
	return x;
}

/* "12.5us" -> ns.  Units ns, us, ms, s; a bare number is microseconds. */
static int parse_time_ns(const char *s, const char **rest, uint64_t *out)
{
	char *end;
	errno = 0;
	double x = strtod(s, &end);
	if (errno || end == s || x < 0)
		return -1;
	double mul = 1e3;
	if (!strncmp(end, "ns", 2)) mul = 1, end += 2;
	else if (!strncmp(end, "us", 2)) mul = 1e3, end += 2;
	else if (!strncmp(end, "ms", 2)) mul = 1e6, end += 2;
	else if (*end == 's') mul = 1e9, end += 1;
	if (x * mul > 1e12) /* over 1000 s: surely a typo */
		return -1;
	*out = (uint64_t)llround(x * mul);
	*rest = end;
	return 0;
}

/* --gap const:Nus | uniform:LO-HIus | exp:MEANus (LO may omit the unit: uniform:10-50us). */
static void parse_gap(const char *s, struct gap *g)
{
	const char *p, *q;
	snprintf(g->text, sizeof g->text, "%s", s);
	if (!strncmp(s, "const:", 6)) {
		g->kind = GAP_CONST;
		if (parse_time_ns(s + 6, &p, &g->a_ns) || *p)
			die_usage("--gap: bad constant in '%s'", s);
	} else if (!strncmp(s, "exp:", 4)) {
		g->kind = GAP_EXP;
		if (parse_time_ns(s + 4, &p, &g->a_ns) || *p || g->a_ns == 0)
			die_usage("--gap: bad mean in '%s'", s);
	} else if (!strncmp(s, "uniform:", 8)) {
		g->kind = GAP_UNIFORM;
		const char *dash = strchr(s + 8, '-');
		if (!dash || parse_time_ns(dash + 1, &p, &g->b_ns) || *p)
			die_usage("--gap: bad range in '%s'", s);
		/* the low end takes the high end's unit when it has none */
		char lo[32];
		size_t n = (size_t)(dash - (s + 8));
		if (n == 0 || n >= sizeof lo - 3)
			die_usage("--gap: bad range in '%s'", s);
		memcpy(lo, s + 8, n);
		lo[n] = 0;
		size_t ulen = strlen(dash + 1) - strspn(dash + 1, "0123456789.");
		if (strspn(lo, "0123456789.") == n)
			strncat(lo, p - ulen, ulen);
		if (parse_time_ns(lo, &q, &g->a_ns) || *q || g->a_ns > g->b_ns)
			die_usage("--gap: bad range in '%s'", s);
	} else {
		die_usage("--gap: expected const:Nus, uniform:LO-HIus or exp:MEANus, got '%s'", s);
	}
}

static void parse_cpu_list(const char *s, struct opts *o)
{
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);
	char buf[256], *tok, *save;
	snprintf(buf, sizeof buf, "%s", s);
	o->n_vcpu_cpu = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (o->n_vcpu_cpu == (int)(sizeof o->vcpu_cpu / sizeof o->vcpu_cpu[0]))
			die_usage("--vcpu-cpu: too many entries");
		o->vcpu_cpu[o->n_vcpu_cpu++] = (int)parse_int(tok, "--vcpu-cpu", 0, ncpu - 1);
	}
	if (o->n_vcpu_cpu == 0)
		die_usage("--vcpu-cpu: empty list");
}

static void usage(void)
{
	printf("usage: hpsim-probe [options]\n"
	       "Run a tiny real-mode KVM guest that loops on `sti; hlt` and wake it, so that the\n"
	       "kernel's halt polling can be traced (kvm_vcpu_wakeup, kvm_halt_poll_ns ...).\n\n"
	       "  --vcpus N             vCPUs (1-%d, default 1)\n"
	       "  --vcpu-cpu LIST       pin vCPU i to LIST[i %% len] (e.g. 1 or 0,1); the same CPU\n"
	       "                        for several vCPUs = overcommit. Default: not pinned\n"
	       "  --injector-cpu N      pin the injector thread. Default: not pinned\n"
	       "  --mode M              timer   no injection, only the LAPIC timer\n"
	       "                        msi     open loop: KVM_SIGNAL_MSI every gap\n"
	       "                        irq     open loop: KVM_IRQ_LINE pulse (IOAPIC GSI 16+vcpu)\n"
	       "                        reqresp closed loop: MSI, wait for the guest's reply, gap\n"
	       "                        (default timer). Requests go to the vCPUs round-robin.\n"
	       "  --period-us N         periodic LAPIC timer in every vCPU, 0 = off\n"
	       "                        (default 1000 in timer mode, else 0; KVM's minimum is\n"
	       "                        min_timer_period_us, 200)\n"
	       "  --gap SPEC            const:Nus | uniform:LO-HIus | exp:MEANus; units ns/us/ms/s\n"
	       "                        (default uniform:10-50us)\n"
	       "  --duration S          seconds to run (default 3)\n"
	       "  --halt-poll-ns N      set the VM's maximum halt_poll_ns with\n"
	       "                        KVM_ENABLE_CAP(KVM_CAP_HALT_POLL); default: module parameter\n"
	       "  --reply mem|io        how the guest answers a request: mem = increments a counter\n"
	       "                        the injector watches (no exit; default), io = also an OUT\n"
	       "                        that exits to the vCPU thread (slower guest path)\n"
	       "  --seed N              RNG seed for the gaps (default 1)\n"
	       "  --json FILE           also write the figures as JSON\n"
	       "  --help                this text\n\n"
	       "Prints requests, wakeups (as counted by the guest) and response latency\n"
	       "(injection -> guest reply) percentiles, measured in reqresp mode or with\n"
	       "--reply io. Needs root and /dev/kvm (else exit 77); bad arguments exit 2.\n",
	       MAX_VCPUS);
}

static void parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{"vcpus", required_argument, 0, 'n'},    {"vcpu-cpu", required_argument, 0, 'c'},
		{"injector-cpu", required_argument, 0, 'i'}, {"mode", required_argument, 0, 'm'},
		{"period-us", required_argument, 0, 'p'}, {"gap", required_argument, 0, 'g'},
		{"duration", required_argument, 0, 'd'}, {"halt-poll-ns", required_argument, 0, 'h'},
		{"seed", required_argument, 0, 's'},     {"json", required_argument, 0, 'j'},
		{"reply", required_argument, 0, 'r'},
		{"help", no_argument, 0, 'H'},           {0, 0, 0, 0},
	};
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);
	char *end;
	int c;

	*o = (struct opts){.vcpus = 1, .injector_cpu = -1, .mode = MODE_TIMER, .period_us = -1,
			   .duration_s = 3, .halt_poll_ns = -1, .seed = 1};
	parse_gap("uniform:10-50us", &o->gap);
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'n': o->vcpus = (int)parse_int(optarg, "--vcpus", 1, MAX_VCPUS); break;
		case 'c': parse_cpu_list(optarg, o); break;
		case 'i': o->injector_cpu = (int)parse_int(optarg, "--injector-cpu", 0, ncpu - 1); break;
		case 'p': o->period_us = (long)parse_int(optarg, "--period-us", 0, 4000000); break;
		case 'g': parse_gap(optarg, &o->gap); break;
		case 'h': o->halt_poll_ns = parse_int(optarg, "--halt-poll-ns", 0, UINT32_MAX); break;
		case 's': o->seed = (uint64_t)parse_int(optarg, "--seed", 0, INT64_MAX); break;
		case 'j': o->json = optarg; break;
		case 'r':
			if (strcmp(optarg, "mem") && strcmp(optarg, "io"))
				die_usage("--reply: expected mem or io, got '%s'", optarg);
			o->reply_io = !strcmp(optarg, "io");
			break;
		case 'H': usage(); exit(EXIT_OK);
		case 'm': {
			size_t k;
			for (k = 0; k < 4 && strcmp(optarg, mode_names[k]); k++)
				;
			if (k == 4)
				die_usage("--mode: expected timer, msi, irq or reqresp, got '%s'", optarg);
			o->mode = (enum mode)k;
			break;
		}
		case 'd':
			errno = 0;
			o->duration_s = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(o->duration_s > 0 && o->duration_s <= 3600))
				die_usage("--duration: '%s' is not a number of seconds in (0, 3600]", optarg);
			break;
		default:
			die_usage("unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		die_usage("unexpected argument '%s'", argv[optind]);
	if (o->period_us < 0)
		o->period_us = o->mode == MODE_TIMER ? 1000 : 0;
}

/* ------------------------------------------------------------------ VM construction */

static void guest_load(struct probe *p)
{
	uint16_t *ivt = (uint16_t *)p->mem;
	for (int v = 0; v < 256; v++) {
		uint16_t isr = v == TIMER_VECTOR ? TIMER_ISR
			       : v == REQ_VECTOR ? (p->o.reply_io ? REQ_ISR_IO : REQ_ISR_MEM)
						 : OTHER_ISR;
		ivt[2 * v] = isr; /* offset */
		ivt[2 * v + 1] = 0; /* segment */
	}
	memcpy(p->mem + LOOP_ADDR, guest_loop, sizeof guest_loop);
	memcpy(p->mem + SETUP_ADDR, guest_setup, sizeof guest_setup);
	memcpy(p->mem + TIMER_ISR, guest_timer_isr, sizeof guest_timer_isr);
	memcpy(p->mem + REQ_ISR_MEM, guest_req_isr_mem, sizeof guest_req_isr_mem);
	memcpy(p->mem + REQ_ISR_IO, guest_req_isr_io, sizeof guest_req_isr_io);
	memcpy(p->mem + OTHER_ISR, guest_other_isr, sizeof guest_other_isr);
	assert(p->mem[HLT_RIP] == 0xf4); /* record.sh filters kvm_emulate_insn on this rip */
	_Static_assert(SETUP_ADDR - LOOP_ADDR >= sizeof guest_loop, "loop overlaps setup");
	_Static_assert(TIMER_ISR - SETUP_ADDR >= sizeof guest_setup, "setup overlaps ISRs");
	_Static_assert(0x40 >= sizeof guest_req_isr_io, "ISR slots are 0x40 bytes");
}

/* Create the VM, its memory, the in-kernel irqchip (PIC + IOAPIC + LAPICs, so HLT blocks in the
 * kernel and KVM's halt-polling code runs), and apply --halt-poll-ns. */
static int vm_create(struct probe *p)
{
	if ((p->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC)) < 0)
		return fail("open /dev/kvm");
	if ((p->vm = ioctl(p->kvm, KVM_CREATE_VM, 0)) < 0)
		return fail("KVM_CREATE_VM type 0");
	p->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p->mem == MAP_FAILED)
		return fail("mmap guest memory");
	struct kvm_userspace_memory_region slot = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = MEM_SIZE,
		.userspace_addr = (uintptr_t)p->mem,
	};
	if (ioctl(p->vm, KVM_SET_USER_MEMORY_REGION, &slot) < 0)
		return fail("KVM_SET_USER_MEMORY_REGION");
	if (ioctl(p->vm, KVM_CREATE_IRQCHIP, 0) < 0)
		return fail("KVM_CREATE_IRQCHIP");
	if (p->o.halt_poll_ns >= 0) {
		if (ioctl(p->vm, KVM_CHECK_EXTENSION, KVM_CAP_HALT_POLL) <= 0) {
			fprintf(stderr, "hpsim-probe: error: KVM_CAP_HALT_POLL is not supported by this "
					"kernel; --halt-poll-ns cannot be applied\n");
			return -1;
		}
		struct kvm_enable_cap cap = {.cap = KVM_CAP_HALT_POLL,
					     .args = {(uint64_t)p->o.halt_poll_ns}};
		if (ioctl(p->vm, KVM_ENABLE_CAP, &cap) < 0)
			return fail("KVM_ENABLE_CAP(KVM_CAP_HALT_POLL)");
	}
	guest_load(p);
	return 0;
}

/* Advertise x2APIC in CPUID leaf 1 (else KVM refuses the guest's EXTD write to APIC_BASE) and
 * make the APIC IDs in CPUID match the vCPU id, which is also its x2APIC id. */
static int vcpu_set_cpuid(struct probe *p, struct vcpu *v)
{
	int n = 128, r;
	struct kvm_cpuid2 *cpuid;
	for (;;) {
		cpuid = calloc(1, sizeof *cpuid + (size_t)n * sizeof cpuid->entries[0]);
		if (!cpuid)
			return fail("calloc");
		cpuid->nent = (uint32_t)n;
		if ((r = ioctl(p->kvm, KVM_GET_SUPPORTED_CPUID, cpuid)) == 0 || errno != E2BIG)
			break;
		free(cpuid);
		n *= 2;
	}
	if (r < 0) {
		free(cpuid);
		return fail("KVM_GET_SUPPORTED_CPUID");
	}
	for (uint32_t k = 0; k < cpuid->nent; k++) {
		struct kvm_cpuid_entry2 *e = &cpuid->entries[k];
		if (e->function == 1) {
			e->ecx |= 1u << 21; /* x2APIC */
			e->ebx = (e->ebx & 0x00ffffffu) | (uint32_t)v->id << 24;
		} else if (e->function == 0xb || e->function == 0x1f) {
			e->edx = (uint32_t)v->id;
		}
	}
	r = ioctl(v->fd, KVM_SET_CPUID2, cpuid);
	free(cpuid);
	return r < 0 ? fail("KVM_SET_CPUID2") : 0;
}

/* Real mode at SETUP_ADDR with CS = 0 (reset state has CS base 0xffff0000), and per-vCPU DS
 * (mailbox) and SS (stack). */
static int vcpu_set_regs(struct vcpu *v)
{
	struct kvm_sregs sregs;
	if (ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0)
		return fail("KVM_GET_SREGS");
	uint16_t ds = (uint16_t)((MBOX_BASE + v->id * MBOX_STRIDE) >> 4);
	uint16_t ss = (uint16_t)((STACK_BASE + v->id * STACK_STRIDE) >> 4);
	sregs.cs.selector = 0, sregs.cs.base = 0;
	sregs.ds.selector = sregs.es.selector = ds;
	sregs.ds.base = sregs.es.base = (uint64_t)ds << 4;
	sregs.ss.selector = ss, sregs.ss.base = (uint64_t)ss << 4;
	if (ioctl(v->fd, KVM_SET_SREGS, &sregs) < 0)
		return fail("KVM_SET_SREGS");
	struct kvm_regs regs = {.rip = SETUP_ADDR, .rsp = STACK_STRIDE, .rflags = 0x2};
	if (ioctl(v->fd, KVM_SET_REGS, &regs) < 0)
		return fail("KVM_SET_REGS");
	return 0;
}

static int vcpu_create(struct probe *p, struct vcpu *v, int id)
{
	v->p = p;
	v->id = id;
	v->cpu = p->o.n_vcpu_cpu ? p->o.vcpu_cpu[id % p->o.n_vcpu_cpu] : -1;
	if ((v->fd = ioctl(p->vm, KVM_CREATE_VCPU, id)) < 0)
		return fail("KVM_CREATE_VCPU");
	/* With the in-kernel LAPIC, vCPUs other than 0 are APs waiting for INIT/SIPI; start them
	 * directly instead of making the guest boot them. */
	struct kvm_mp_state mp = {.mp_state = KVM_MP_STATE_RUNNABLE};
	if (id > 0 && ioctl(v->fd, KVM_SET_MP_STATE, &mp) < 0)
		return fail("KVM_SET_MP_STATE");
	int sz = ioctl(p->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (sz < 0)
		return fail("KVM_GET_VCPU_MMAP_SIZE");
	v->run = mmap(NULL, (size_t)sz, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED)
		return fail("mmap kvm_run");
	v->mbox = (uint32_t *)(p->mem + MBOX_BASE + id * MBOX_STRIDE);
	/* LVT timer: periodic (bit 17) on TIMER_VECTOR, or masked (bit 16) when there is no timer. */
	v->mbox[MB_LVTT / 4] = p->o.period_us ? (1u << 17) | TIMER_VECTOR : 1u << 16;
	v->mbox[MB_TMICT / 4] = (uint32_t)(p->o.period_us * 1000);
	if (vcpu_set_cpuid(p, v) || vcpu_set_regs(v))
		return -1;
	return 0;
}

/* IRQ mode: route IOAPIC pin 16+i to vCPU i, REQ_VECTOR, fixed, physical, edge, unmasked.  The
 * guest cannot reach the IOAPIC's MMIO from real mode, so the host programs it. */
static int ioapic_route(struct probe *p)
{
	struct kvm_irqchip chip = {.chip_id = KVM_IRQCHIP_IOAPIC};
	if (ioctl(p->vm, KVM_GET_IRQCHIP, &chip) < 0)
		return fail("KVM_GET_IRQCHIP");
	for (int i = 0; i < p->o.vcpus; i++) {
		chip.chip.ioapic.redirtbl[IRQ_GSI_BASE + i].bits = 0;
		chip.chip.ioapic.redirtbl[IRQ_GSI_BASE + i].fields.vector = REQ_VECTOR;
		chip.chip.ioapic.redirtbl[IRQ_GSI_BASE + i].fields.dest_id = (uint8_t)i;
	}
	if (ioctl(p->vm, KVM_SET_IRQCHIP, &chip) < 0)
		return fail("KVM_SET_IRQCHIP");
	return 0;
}

/* ------------------------------------------------------------------ threads */

static int pin_self(int cpu)
{
	if (cpu < 0)
		return 0;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	errno = pthread_setaffinity_np(pthread_self(), sizeof set, &set);
	return errno ? fail("pthread_setaffinity_np") : 0;
}

/* A reply from v's guest: latency from its oldest unanswered request.  The clock is read after
 * taking sent_ns, so a request sent meanwhile cannot make the latency negative. */
static void lat_on_reply(struct vcpu *v)
{
	uint64_t sent = atomic_exchange(&v->sent_ns, 0), t = now_ns();
	if (!sent)
		return;
	if (v->n_lat == v->cap_lat) {
		size_t cap = v->cap_lat ? 2 * v->cap_lat : 4096;
		uint64_t *n = realloc(v->lat_ns, cap * sizeof *n);
		if (!n)
			abort();
		v->lat_ns = n, v->cap_lat = cap;
	}
	v->lat_ns[v->n_lat++] = t - sent;
}

/* Guest-written mailbox word, read while the guest runs. */
static uint32_t mbox_read(const struct vcpu *v, unsigned off)
{
	return __atomic_load_n(&v->mbox[off / 4], __ATOMIC_ACQUIRE);
}


/* Handle one KVM_RUN exit.  Returns -1 on an exit this guest should never cause. */
static int vcpu_exit(struct vcpu *v)
{
	struct kvm_run *r = v->run;
	switch (r->exit_reason) {
	case KVM_EXIT_IO:
		v->io_exits++;
		if (r->io.direction == KVM_EXIT_IO_OUT && r->io.port == REPLY_PORT) {
			lat_on_reply(v);
			atomic_store(&v->replied, 1);
		}
		else if (r->io.direction == KVM_EXIT_IO_OUT && r->io.port == READY_PORT)
			atomic_store(&v->ready, 1);
		else
			break;
		return 0;
	case KVM_EXIT_INTR:
		return 0;
	case KVM_EXIT_INTERNAL_ERROR:
		fprintf(stderr, "hpsim-probe: error: vcpu%d: KVM internal error, suberror %u\n", v->id,
			r->internal.suberror);
		return -1;
	}
	fprintf(stderr, "hpsim-probe: error: vcpu%d: unexpected exit reason %u\n", v->id,
		r->exit_reason);
	return -1;
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	struct probe *p = v->p;
	if (pin_self(v->cpu))
		goto err;
	while (!atomic_load(&p->stop)) {
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue; /* kicked by vcpus_stop(), or a signal */
			fail("KVM_RUN");
			goto err;
		}
		if (vcpu_exit(v))
			goto err;
	}
	return NULL;
err:
	v->failed = 1;
	atomic_store(&p->stop, 1);
	return NULL;
}

/* Make every vCPU leave KVM_RUN: immediate_exit covers the window before it enters KVM_RUN,
 * the signal (handler installed without SA_RESTART) interrupts a blocked or running one. */
static void vcpus_stop(struct probe *p)
{
	for (int i = 0; i < p->n_started; i++) {
		p->v[i].run->immediate_exit = 1;
		pthread_kill(p->v[i].thread, SIGUSR1);
	}
	for (int i = 0; i < p->n_started; i++)
		pthread_join(p->v[i].thread, NULL);
}

/* Wait until monotonic time t (ns): sleep while far away, spin the last 200 us for precision.
 * Returns early on stop. */
static void wait_until(struct probe *p, uint64_t t)
{
	for (;;) {
		uint64_t n = now_ns();
		if (n >= t || atomic_load(&p->stop))
			return;
		if (t - n > 300000) {
			uint64_t wake = t - 200000;
			if (wake - n > 50000000) /* at most 50 ms per sleep, to notice stop */
				wake = n + 50000000;
			struct timespec ts = {(time_t)(wake / 1000000000u), (long)(wake % 1000000000u)};
			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		} else {
			__builtin_ia32_pause();
		}
	}
}

/* One request to v: an MSI (fixed, physical destination = x2APIC id = vCPU id, edge) or a
 * rising+falling edge on the IOAPIC pin routed to v.  Returns 1 delivered, 0 dropped, -1 error. */
static int inject(struct probe *p, struct vcpu *v)
{
	if (p->o.mode == MODE_IRQ) {
		struct kvm_irq_level l = {.irq = IRQ_GSI_BASE + (uint32_t)v->id, .level = 1};
		if (ioctl(p->vm, KVM_IRQ_LINE, &l) < 0)
			return fail("KVM_IRQ_LINE");
		l.level = 0;
		if (ioctl(p->vm, KVM_IRQ_LINE, &l) < 0)
			return fail("KVM_IRQ_LINE");
		return 1;
	}
	struct kvm_msi m = {.address_lo = 0xfee00000u | (uint32_t)v->id << 12, .data = REQ_VECTOR};
	int r = ioctl(p->vm, KVM_SIGNAL_MSI, &m);
	return r < 0 ? fail("KVM_SIGNAL_MSI") : r > 0;
}

/* Closed loop: spin until v's guest has handled more than reqs_before requests (--reply mem)
 * or the vCPU thread saw the OUT (--reply io); give up after 1 s. */
static void wait_reply(struct probe *p, struct vcpu *v, uint32_t reqs_before)
{
	uint64_t deadline = now_ns() + 1000000000u;
	while (!atomic_load(&p->stop)) {
		if (p->o.reply_io ? atomic_load(&v->replied) : mbox_read(v, MB_REQS) != reqs_before) {
			if (!p->o.reply_io)
				lat_on_reply(v);
			return;
		}
		if (now_ns() > deadline) {
			if (atomic_exchange(&v->sent_ns, 0))
				p->lost++;
			return;
		}
		__builtin_ia32_pause();
	}
}

/* Requests go round-robin over the vCPUs.  Open loop: send times are a renewal process
 * independent of the guest.  Closed loop: the gap starts when the reply arrives. */
static void *injector_thread(void *arg)
{
	struct probe *p = arg;
	struct rng r = {p->o.seed};
	int closed = p->o.mode == MODE_REQRESP;
	if (pin_self(p->o.injector_cpu)) {
		atomic_store(&p->stop, 1);
		return NULL;
	}
	uint64_t next = now_ns();
	for (uint64_t k = 0; !atomic_load(&p->stop); k++) {
		struct vcpu *v = &p->v[k % (uint64_t)p->o.vcpus];
		uint64_t gap = gap_draw(&r, &p->o.gap);
		next = (closed ? now_ns() : next) + gap;
		wait_until(p, next);
		if (atomic_load(&p->stop))
			break;
		/* Open loop: a request sent while an earlier one is unanswered coalesces with it in the
		 * guest's IRR; latency is measured from the oldest unanswered request. */
		unsigned long long none = 0;
		uint32_t reqs_before = mbox_read(v, MB_REQS);
		atomic_store(&v->replied, 0);
		if (closed || p->o.reply_io)
			atomic_compare_exchange_strong(&v->sent_ns, &none, now_ns());
		int d = inject(p, v);
		if (d < 0) {
			atomic_store(&p->stop, 1);
			break;
		}
		p->requests++;
		if (d == 0) {
			p->lost++;
		} else if (closed) {
			wait_reply(p, v, reqs_before);
		}
	}
	return NULL;
}

/* ------------------------------------------------------------------ report */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

struct lat_summary {
	size_t n;
	double mean, p50, p90, p99, max; /* microseconds */
};

/* Nearest-rank percentiles over all vCPUs' latencies. */
static struct lat_summary lat_summarize(const struct probe *p)
{
	struct lat_summary s = {0};
	size_t n = 0, k = 0;
	for (int i = 0; i < p->o.vcpus; i++)
		n += p->v[i].n_lat;
	uint64_t *all = n ? malloc(n * sizeof *all) : NULL;
	if (!all)
		return s;
	double sum = 0;
	for (int i = 0; i < p->o.vcpus; i++)
		for (size_t j = 0; j < p->v[i].n_lat; j++)
			sum += (double)(all[k++] = p->v[i].lat_ns[j]);
	qsort(all, n, sizeof *all, cmp_u64);
#define RANK(q) (all[(size_t)ceil((q) * (double)n) - 1] / 1e3)
	s = (struct lat_summary){n, sum / (double)n / 1e3, RANK(0.50), RANK(0.90), RANK(0.99),
				 all[n - 1] / 1e3};
#undef RANK
	free(all);
	return s;
}

static long module_halt_poll_ns(void)
{
	long x = -1;
	FILE *f = fopen("/sys/module/kvm/parameters/halt_poll_ns", "r");
	if (f) {
		if (fscanf(f, "%ld", &x) != 1)
			x = -1;
		fclose(f);
	}
	return x;
}

static void report_text(const struct probe *p, const struct lat_summary *s)
{
	const struct opts *o = &p->o;
	uint64_t w = 0, t = 0, q = 0, x = 0;
	printf("hpsim-probe: mode %s, vcpus %d, period_us %ld, gap %s, reply %s, seed %llu\n",
	       mode_names[o->mode], o->vcpus, o->period_us,
	       o->mode == MODE_TIMER ? "-" : o->gap.text, o->reply_io ? "io" : "mem",
	       (unsigned long long)o->seed);
	if (o->halt_poll_ns >= 0)
		printf("halt_poll_ns: per-VM %lld (KVM_CAP_HALT_POLL)\n", o->halt_poll_ns);
	else
		printf("halt_poll_ns: module parameter %ld (no per-VM override)\n", module_halt_poll_ns());
	printf("guest hlt rip 0x%x; elapsed %.3f s\n", HLT_RIP, (double)(p->t_end - p->t_start) / 1e9);
	for (int i = 0; i < o->vcpus; i++) {
		const struct vcpu *v = &p->v[i];
		printf("vcpu%d (cpu %d): wakeups %u, timer ticks %u, request irqs %u, other irqs %u, "
		       "io exits %llu\n", i, v->cpu, v->mbox[MB_WAKEUPS / 4], v->mbox[MB_TICKS / 4],
		       v->mbox[MB_REQS / 4], v->mbox[MB_OTHER / 4], (unsigned long long)v->io_exits);
		w += v->mbox[MB_WAKEUPS / 4], t += v->mbox[MB_TICKS / 4];
		q += v->mbox[MB_REQS / 4], x += v->mbox[MB_OTHER / 4];
	}
	printf("requests %llu, lost %llu, wakeups %llu (timer ticks %llu, request irqs %llu, "
	       "other %llu)\n", (unsigned long long)p->requests, (unsigned long long)p->lost, (unsigned long long)w, (unsigned long long)t,
	       (unsigned long long)q, (unsigned long long)x);
	if (s->n)
		printf("response latency us: n %zu mean %.2f p50 %.2f p90 %.2f p99 %.2f max %.2f\n",
		       s->n, s->mean, s->p50, s->p90, s->p99, s->max);
	else if (o->mode == MODE_MSI || o->mode == MODE_IRQ ? !o->reply_io : o->mode == MODE_TIMER)
		printf("response latency us: not measured (needs --mode reqresp or --reply io)\n");
	else
		printf("response latency us: none (no answered requests)\n");
}

static int report_json(const struct probe *p, const struct lat_summary *s, const char *path)
{
	const struct opts *o = &p->o;
	FILE *f = fopen(path, "w");
	if (!f)
		return fail(path);
	fprintf(f, "{\n  \"mode\": \"%s\",\n  \"vcpus\": %d,\n  \"vcpu_cpu\": [", mode_names[o->mode],
		o->vcpus);
	for (int i = 0; i < o->vcpus; i++)
		fprintf(f, "%s%d", i ? ", " : "", p->v[i].cpu);
	fprintf(f, "],\n  \"injector_cpu\": %d,\n  \"period_us\": %ld,\n  \"gap\": \"%s\",\n"
		"  \"reply\": \"%s\",\n  \"duration_s\": %g,\n  \"seed\": %llu,\n", o->injector_cpu,
		o->period_us, o->gap.text, o->reply_io ? "io" : "mem", o->duration_s,
		(unsigned long long)o->seed);
	if (o->halt_poll_ns >= 0)
		fprintf(f, "  \"vm_halt_poll_ns\": %lld,\n", o->halt_poll_ns);
	else
		fprintf(f, "  \"vm_halt_poll_ns\": null,\n");
	fprintf(f, "  \"module_halt_poll_ns\": %ld,\n  \"hlt_rip\": \"0x%x\",\n  \"elapsed_s\": %.6f,\n"
		"  \"requests\": %llu,\n  \"lost\": %llu,\n", module_halt_poll_ns(), HLT_RIP,
		(double)(p->t_end - p->t_start) / 1e9, (unsigned long long)p->requests,
		(unsigned long long)p->lost);
	if (s->n)
		fprintf(f, "  \"latency_us\": {\"n\": %zu, \"mean\": %.3f, \"p50\": %.3f, \"p90\": %.3f, "
			"\"p99\": %.3f, \"max\": %.3f},\n", s->n, s->mean, s->p50, s->p90, s->p99, s->max);
	else
		fprintf(f, "  \"latency_us\": null,\n");
	fprintf(f, "  \"per_vcpu\": [\n");
	for (int i = 0; i < o->vcpus; i++) {
		const struct vcpu *v = &p->v[i];
		fprintf(f, "    {\"vcpu\": %d, \"cpu\": %d, \"wakeups\": %u, \"timer_ticks\": %u, "
			"\"request_irqs\": %u, \"other_irqs\": %u, \"io_exits\": %llu}%s\n",
			i, v->cpu, v->mbox[MB_WAKEUPS / 4], v->mbox[MB_TICKS / 4], v->mbox[MB_REQS / 4],
			v->mbox[MB_OTHER / 4],
			(unsigned long long)v->io_exits, i + 1 < o->vcpus ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
	return fclose(f) ? fail(path) : 0;
}

/* ------------------------------------------------------------------ main */

static int check_environment(void)
{
	if (access("/dev/kvm", F_OK) != 0) {
		fprintf(stderr, "hpsim-probe: skip: /dev/kvm does not exist (no KVM on this machine)\n");
		return -1;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "hpsim-probe: skip: must run as root (to use /dev/kvm and pin threads)\n");
		return -1;
	}
	return 0;
}

static void install_signals(void)
{
	struct sigaction sa = {0};
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_sigusr1; /* no SA_RESTART: KVM_RUN must return EINTR */
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = on_sigint;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* Start the vCPUs and wait (up to 5 s) until every guest has set up its APIC. */
static int vcpus_start(struct probe *p)
{
	for (int i = 0; i < p->o.vcpus; i++) {
		if (vcpu_create(p, &p->v[i], i))
			return -1;
		if ((errno = pthread_create(&p->v[i].thread, NULL, vcpu_thread, &p->v[i])))
			return fail("pthread_create");
		p->n_started++;
	}
	uint64_t deadline = now_ns() + 5000000000u;
	for (int i = 0; i < p->o.vcpus; i++) {
		while (!atomic_load(&p->v[i].ready)) {
			if (atomic_load(&p->stop) || now_ns() > deadline) {
				fprintf(stderr, "hpsim-probe: error: vcpu%d did not finish its setup\n", i);
				return -1;
			}
			usleep(1000);
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct probe p; /* large, and zeroed */
	pthread_t inj;
	int have_inj = 0, rc = EXIT_OK;

	parse_args(argc, argv, &p.o);
	if (check_environment())
		return EXIT_SKIP;
	install_signals();
	if (vm_create(&p) || (p.o.mode == MODE_IRQ && ioapic_route(&p)))
		return EXIT_RUNTIME;
	p.t_start = now_ns();
	if (vcpus_start(&p)) {
		atomic_store(&p.stop, 1);
		vcpus_stop(&p);
		return EXIT_RUNTIME;
	}
	p.t_start = now_ns();
	if (p.o.mode != MODE_TIMER) {
		if ((errno = pthread_create(&inj, NULL, injector_thread, &p))) {
			fail("pthread_create");
			rc = EXIT_RUNTIME;
			goto out;
		}
		have_inj = 1;
	}
	uint64_t end = p.t_start + (uint64_t)(p.o.duration_s * 1e9);
	while (now_ns() < end && !atomic_load(&p.stop) && !atomic_load(&g_interrupted))
		usleep(10000);
out:
	atomic_store(&p.stop, 1);
	if (have_inj)
		pthread_join(inj, NULL);
	vcpus_stop(&p);
	p.t_end = now_ns();
	for (int i = 0; i < p.o.vcpus; i++)
		if (p.v[i].failed)
			rc = EXIT_RUNTIME;
	struct lat_summary s = lat_summarize(&p);
	report_text(&p, &s);
	if (p.o.json && report_json(&p, &s, p.o.json))
		rc = EXIT_RUNTIME;
	return rc;
}
