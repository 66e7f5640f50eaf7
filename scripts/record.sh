#!/bin/sh
# record.sh SCENARIO OUTDIR: record one real KVM halt-polling capture with probe/hpsim-probe.
#
# `trace-cmd record` is refused on the hosts these captures were made on ("Can't enable
# ftrace": writing /proc/sys/kernel/ftrace_enabled is not allowed), so the
# kvm events are enabled by hand in a private tracefs instance, the probe runs, and
# `trace-cmd extract` saves that instance's buffer.  Everything changed is put back on any exit,
# Ctrl-C included: the instance is removed, tracefs unmounted if this script mounted it.
#
# Writes OUTDIR/trace.dat, report.txt (only if < 2 MB), probe.out, probe.json, recording.json,
# README.md.  Exit: 0 ok, 1 failure, 2 usage, 77 cannot record here (not root, no /dev/kvm).
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PROBE=$ROOT/probe/hpsim-probe
TRACEFS=${HPSIM_TRACEFS:-/sys/kernel/tracing}   # override only for testing the mount path
EVENTS="kvm_vcpu_wakeup kvm_halt_poll_ns kvm_apic_accept_irq kvm_msi_set_irq kvm_set_irq
kvm_inj_virq kvm_exit kvm_entry kvm_emulate_insn"
# Under kvm_pvm the guest runs in KVM's emulator and every instruction is a kvm_emulate_insn;
# keep only the guest's HLT, which hpsim-probe places at 0:103d.
HLT_FILTER="rip == 0x103d"
BUFFER_KB=16384          # per CPU; a 2 s request/response run needs about 5 MB on the busy CPU
REPORT_MAX=2000000       # keep report.txt only below this size (bytes)
# Every scenario: vCPU(s) on host CPU 1, injector on CPU 0, fixed seed.
COMMON="--vcpu-cpu 1 --injector-cpu 0 --seed 1"
SCENARIOS="idle_timer_1ms reqresp_10-50us long_idle_10-100ms overcommit_2vcpu
idle_timer_1ms_poll0 reqresp_10-50us_poll0 long_idle_10-100ms_poll0 overcommit_2vcpu_poll0"

usage() {
    cat <<EOF
usage: scripts/record.sh SCENARIO OUTDIR
       scripts/record.sh --list | --help
Record a trace of KVM halt polling while probe/hpsim-probe runs SCENARIO, into OUTDIR
(trace.dat, report.txt if small, probe.out, probe.json, recording.json, README.md).
Needs root and /dev/kvm. Scenarios (--list): $(echo $SCENARIOS)
EOF
}

# Probe arguments of a scenario (without COMMON); fails for an unknown name.
scenario_args() {
    case $1 in
    idle_timer_1ms)     echo "--mode timer --period-us 1000 --duration 3" ;;
    reqresp_10-50us)    echo "--mode reqresp --gap uniform:10-50us --duration 2" ;;
    long_idle_10-100ms) echo "--mode reqresp --gap uniform:10-100ms --duration 3" ;;
    overcommit_2vcpu)   echo "--vcpus 2 --mode reqresp --period-us 1000 --gap uniform:10-50us --duration 2" ;;
    *_poll0)            a=$(scenario_args "${1%_poll0}") && echo "$a --halt-poll-ns 0" ;;
    *)                  return 1 ;;
    esac
}

scenario_desc() {
    case $1 in
    idle_timer_1ms)     echo "idle guest woken only by its periodic 1 ms LAPIC timer, 3 s" ;;
    reqresp_10-50us)    echo "request/response by MSI, gaps uniform 10-50 us after each reply, 2 s" ;;
    long_idle_10-100ms) echo "request/response by MSI with long idle gaps, uniform 10-100 ms, 3 s" ;;
    overcommit_2vcpu)   echo "2 vCPUs on one host CPU, 1 ms timers each + MSI requests (10-50 us gaps, round-robin), 2 s" ;;
    *_poll0)            echo "$(scenario_desc "${1%_poll0}"); the VM's halt_poll_ns set to 0 (KVM_CAP_HALT_POLL)" ;;
    esac
}

die() { echo "record.sh: error: $*" >&2; exit 1; }

case ${1:-} in
--help|-h) usage; exit 0 ;;
--list) for s in $SCENARIOS; do printf '%-26s %s\n' "$s" "$(scenario_desc "$s")"; done; exit 0 ;;
esac
[ $# -eq 2 ] || { echo "record.sh: error: expected SCENARIO OUTDIR (see --help)" >&2; exit 2; }
SCENARIO=$1
OUT=$2
ARGS=$(scenario_args "$SCENARIO") ||
    { echo "record.sh: error: unknown scenario '$SCENARIO' (see --list)" >&2; exit 2; }
ARGS="$ARGS $COMMON"

[ "$(id -u)" = 0 ] || { echo "record.sh: skip: must run as root (tracefs, /dev/kvm)" >&2; exit 77; }
[ -e /dev/kvm ] || { echo "record.sh: skip: /dev/kvm does not exist (no KVM here)" >&2; exit 77; }
command -v trace-cmd >/dev/null || die "trace-cmd is not installed (apt-get install trace-cmd)"

make -s -C "$ROOT/probe" all >&2 || die "building the probe failed"

# ---- is the host quiet? The probe pins its threads to CPUs 0 and 1 (COMMON); any other busy
# task there delays them, and KVM counts the delay in halt_ns, which no halt-polling model has.
# Over one second before the run, per probe CPU from /proc/stat: the busy share (user, nice,
# system, irq, softirq) and, apart, the steal share (time a hypervisor below this host took:
# nothing here can quiet it, but it is worth knowing). The larger of the two CPUs is kept.
PROBE_CPUS="0 1"
cpu_shares() {
    pat=$(for c in $PROBE_CPUS; do printf '|cpu%s' "$c"; done)
    pat="^(${pat#|})\$"
    a=$(awk -v p="$pat" '$1 ~ p { print $1, $2+$3+$4+$7+$8, $9, $5+$6 }' /proc/stat)
    sleep 1
    b=$(awk -v p="$pat" '$1 ~ p { print $1, $2+$3+$4+$7+$8, $9, $5+$6 }' /proc/stat)
    printf '%s\n%s\n' "$a" "$b" | awk '
        { n[$1]++ }
        n[$1] == 1 { busy[$1] = $2; steal[$1] = $3; idle[$1] = $4; next }
        { t = ($2 - busy[$1]) + ($3 - steal[$1]) + ($4 - idle[$1])
          if (t > 0) { bp = 100 * ($2 - busy[$1]) / t; sp = 100 * ($3 - steal[$1]) / t }
          else bp = sp = 0
          if (bp > mb) mb = bp; if (sp > ms) ms = sp }
        END { printf "%d %d\n", mb + 0.5, ms + 0.5 }'
}
set -- $(cpu_shares)
BUSY=$1 STEAL=$2
LOAD=$(cut -d' ' -f1 /proc/loadavg)
if [ "$BUSY" -gt 10 ]; then
    echo "record.sh: warning: the probe's CPUs are busy ($BUSY% in the second before the run, load $LOAD):" \
         "its wakeups will show scheduler delays no halt-polling model has; record on a quiet host" >&2
fi
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

# ---- from here on, undo what we change on every exit
PROG=record.sh
. "$ROOT/scripts/lib/tracefs.sh"
tracefs_begin "hpsim-$$" || case $? in
    2) die "cannot mount tracefs on $TRACEFS" ;;
    *) die "cannot create tracefs instance hpsim-$$" ;;
    esac
for e in $EVENTS; do
    [ -d "$INST/events/kvm/$e" ] || die "this kernel has no kvm:$e event"
    echo 1 > "$INST/events/kvm/$e/enable"
done
echo "$HLT_FILTER" > "$INST/events/kvm/kvm_emulate_insn/filter"

# ---- run
echo 1 > "$INST/tracing_on"
echo "hpsim record.sh start scenario=$SCENARIO probe=hpsim-probe $ARGS" > "$INST/trace_marker"
rc=0
# shellcheck disable=SC2086
"$PROBE" $ARGS --json "$OUT/probe.json" > "$OUT/probe.out" 2>&1 || rc=$?
echo "hpsim record.sh end rc=$rc" > "$INST/trace_marker"
echo 0 > "$INST/tracing_on"
cat "$OUT/probe.out"
[ "$rc" = 0 ] || die "hpsim-probe failed (exit $rc); see $OUT/probe.out"

OVERRUN=$(tracefs_lost)
[ "$OVERRUN" = 0 ] || echo "record.sh: warning: $OVERRUN events lost (overrun); raise BUFFER_KB" >&2

rm -f "$OUT/report.txt"
tracefs_extract "$OUT/trace.dat" || die "trace-cmd extract failed"

# ---- summary of the capture, from the report text
trace-cmd report -i "$OUT/trace.dat" > "$OUT/report.txt.tmp" 2>/dev/null || die "trace-cmd report failed"
set -- $(awk '
    / kvm_vcpu_wakeup:/ { if (/ poll time /) poll++; else wait++ }
    / kvm_halt_poll_ns:/ { if (/\(grow /) grow++; else if (/\(shrink /) shrink++ }
    / kvm_emulate_insn:/ { hlt++ }
    / kvm_msi_set_irq:/ { msi++ }
    / kvm_set_irq:/ { setirq++ }
    / kvm_apic_accept_irq:/ { acc++ }
    END { printf "%d %d %d %d %d %d %d %d\n", poll, wait, grow, shrink, hlt, msi, setirq, acc }
' "$OUT/report.txt.tmp")
POLL=$1 WAIT=$2 GROW=$3 SHRINK=$4 HLTS=$5 MSIS=$6 SETIRQS=$7 ACCEPTS=$8
if [ "$(wc -c < "$OUT/report.txt.tmp")" -lt "$REPORT_MAX" ]; then
    mv "$OUT/report.txt.tmp" "$OUT/report.txt"
    REPORT="report.txt"
else
    rm -f "$OUT/report.txt.tmp"
    REPORT="(report.txt skipped: over $REPORT_MAX bytes; run trace-cmd report -i trace.dat)"
fi
P50=$(sed -n 's/.* p50 \([0-9.]*\) .*/\1/p' "$OUT/probe.out")
P50=${P50:--}

# ---- metadata
jstr() { printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"; }
module_params() {
    sep=""
    for f in /sys/module/kvm/parameters/*; do
        v=$(cat "$f" 2>/dev/null || echo "")
        case $v in
        ''|*[!0-9-]*) v=$(jstr "$v") ;;
        esac
        printf '%s\n    %s: %s' "$sep" "$(jstr "${f##*/}")" "$v"
        sep=","
    done
}
VMPOLL=$(echo "$ARGS" | sed -n 's/.*--halt-poll-ns \([0-9]*\).*/\1/p')
MODPOLL=$(cat /sys/module/kvm/parameters/halt_poll_ns)
DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)
KREL=$(uname -r)
BACKENDS=$(ls -d /sys/module/kvm_* 2>/dev/null | sed 's|.*/||' | tr '\n' ' ' | sed 's/ $//')
SIZE=$(wc -c < "$OUT/trace.dat")

cat > "$OUT/recording.json" <<EOF
{
  "scenario": $(jstr "$SCENARIO"),
  "description": $(jstr "$(scenario_desc "$SCENARIO")"),
  "probe_command": $(jstr "hpsim-probe $ARGS --json probe.json"),
  "date": $(jstr "$DATE"),
  "kernel_release": $(jstr "$KREL"),
  "kvm_backend_modules": $(jstr "$BACKENDS"),
  "host_cpus": $(nproc),
  "trace_cmd": $(jstr "$(trace-cmd --version 2>&1 | sed -n 's/^trace-cmd version //p')"),
  "vm_halt_poll_ns": ${VMPOLL:-null},
  "effective_max_halt_poll_ns": ${VMPOLL:-$MODPOLL},
  "module_parameters": {$(module_params)
  },
  "tracefs_instance": $(jstr "$NAME"),
  "events": $(jstr "$(echo $EVENTS)"),
  "kvm_emulate_insn_filter": $(jstr "$HLT_FILTER"),
  "buffer_size_kb_per_cpu": $BUFFER_KB,
  "events_lost_overrun": $OVERRUN,
  "host_cpu_busy_pct_before": $BUSY,
  "host_cpu_steal_pct_before": $STEAL,
  "host_load_average_1min": $LOAD,
  "trace_dat_bytes": $SIZE,
  "summary": {"wakeups_poll": $POLL, "wakeups_wait": $WAIT, "grow_lines": $GROW,
              "shrink_lines": $SHRINK, "hlt_emulated": $HLTS, "msi_set_irq": $MSIS,
              "set_irq": $SETIRQS, "apic_accept_irq": $ACCEPTS, "response_p50_us": $(jstr "$P50")}
}
EOF

cat > "$OUT/README.md" <<EOF
# $SCENARIO

Capture made by \`scripts/record.sh $SCENARIO\` on $DATE, kernel $KREL ($BACKENDS), $(nproc) host
CPUs: $(scenario_desc "$SCENARIO"). The probe ran \`hpsim-probe $ARGS\` (a real-mode guest looping
on \`sti; hlt\`, under the emulator here, so its HLT is \`kvm_emulate_insn\` \`0:103d: f4\` and there
are no kvm_exit/kvm_entry events); halt_poll_ns module parameters
$MODPOLL/$(cat /sys/module/kvm/parameters/halt_poll_ns_grow)/$(cat /sys/module/kvm/parameters/halt_poll_ns_grow_start)/$(cat /sys/module/kvm/parameters/halt_poll_ns_shrink)
(max/grow/grow_start/shrink), per-VM halt_poll_ns ${VMPOLL:-not set}. The trace (trace.dat, $SIZE
bytes, events: $(echo $EVENTS), $OVERRUN lost) shows $((POLL + WAIT)) kvm_vcpu_wakeup
($POLL poll / $WAIT wait) and $GROW grow / $SHRINK shrink kvm_halt_poll_ns lines; the probe's own
figures (probe.out, probe.json) give a response p50 of $P50 us. In the second before the run the probe's
CPUs were at most $BUSY% busy and $STEAL% stolen by a hypervisor below (load average $LOAD). Files: trace.dat, $REPORT,
probe.out, probe.json, recording.json.
EOF

echo "record.sh: $SCENARIO -> $OUT: wakeups poll/wait $POLL/$WAIT, grow/shrink $GROW/$SHRINK, p50 $P50 us, trace.dat $SIZE bytes"
