#!/bin/sh
# record-host.sh SECONDS OUTDIR [COMMAND...]: record this host's KVM halt-polling events for
# `hpsim replay`.
#
# Whatever guests run on the host are recorded for SECONDS (or, with COMMAND, while COMMAND
# runs, at most SECONDS). The events are enabled in a private tracefs instance and saved with
# `trace-cmd extract` (this works where `trace-cmd record` is refused); everything changed is
# put back on any exit. Writes OUTDIR/trace.dat and OUTDIR/recording.json (the kvm module
# parameters, which `hpsim replay` reads to check mainline's conformance).
# Exit: 0 ok, 1 failure, 2 usage, 77 cannot record here (not root, no tracefs kvm events).
set -eu

TRACEFS=${HPSIM_TRACEFS:-/sys/kernel/tracing}
BUFFER_KB=${HPSIM_BUFFER_KB:-65536}      # per CPU; a busy vCPU writes ~2 MB/s of these events
EVENTS="kvm/kvm_exit kvm/kvm_entry kvm/kvm_vcpu_wakeup kvm/kvm_halt_poll_ns
kvm/kvm_apic_accept_irq kvm/kvm_inj_virq kvm/kvm_msi_set_irq kvm/kvm_set_irq power/cpu_idle"

usage() {
    cat <<EOF
usage: scripts/record-host.sh SECONDS OUTDIR [COMMAND...]
Record the KVM halt-polling events of this host (every guest) for SECONDS, or while COMMAND
runs (at most SECONDS), into OUTDIR/trace.dat and OUTDIR/recording.json. Then:
    ./hpsim replay OUTDIR/trace.dat
Events: $(echo $EVENTS). Needs root and tracefs.
EOF
}

case ${1:-} in
--help|-h) usage; exit 0 ;;
esac
[ $# -ge 2 ] || { echo "record-host.sh: error: expected SECONDS OUTDIR (see --help)" >&2; exit 2; }
SECS=$1
OUT=$2
shift 2
case $SECS in
''|*[!0-9.]*|.*|*.*.*) echo "record-host.sh: error: SECONDS '$SECS': expected a number" >&2; exit 2 ;;
esac
[ "$(id -u)" = 0 ] || { echo "record-host.sh: skip: must run as root (tracefs)" >&2; exit 77; }
command -v trace-cmd >/dev/null ||
    { echo "record-host.sh: error: trace-cmd is not installed (apt-get install trace-cmd)" >&2; exit 1; }

PROG=record-host.sh
. "$(dirname "$0")/lib/tracefs.sh"
tracefs_begin "hpsim-host-$$" || case $? in
    2) echo "record-host.sh: skip: cannot mount tracefs on $TRACEFS" >&2; exit 77 ;;
    *) echo "record-host.sh: error: cannot create instance hpsim-host-$$" >&2; exit 1 ;;
    esac
[ -d "$TRACEFS/events/kvm/kvm_vcpu_wakeup" ] ||
    { echo "record-host.sh: skip: no kvm trace events (is the kvm module loaded?)" >&2; exit 77; }
mkdir -p "$OUT"
ENABLED=""
for e in $EVENTS; do
    if [ -d "$INST/events/$e" ]; then
        echo 1 > "$INST/events/$e/enable"
        ENABLED="$ENABLED ${e#*/}"
    fi
done

echo 1 > "$INST/tracing_on"
if [ $# -gt 0 ]; then
    timeout "$SECS" "$@" || [ $? = 124 ]
else
    sleep "$SECS"
fi
echo 0 > "$INST/tracing_on"

LOST=$(tracefs_lost)
[ "$LOST" = 0 ] || echo "record-host.sh: warning: $LOST events lost; raise HPSIM_BUFFER_KB" >&2
tracefs_extract "$OUT/trace.dat" || { echo "record-host.sh: error: trace-cmd extract failed" >&2; exit 1; }

params() {
    sep=""
    for p in halt_poll_ns halt_poll_ns_grow halt_poll_ns_grow_start halt_poll_ns_shrink; do
        f=/sys/module/kvm/parameters/$p
        [ -r "$f" ] || continue
        printf '%s\n    "%s": %s' "$sep" "$p" "$(cat "$f")"
        sep=","
    done
}
cat > "$OUT/recording.json" <<EOF
{
  "recorded_by": "scripts/record-host.sh",
  "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
  "kernel_release": "$(uname -r)",
  "seconds": $SECS,
  "events": "$(echo $ENABLED)",
  "events_lost_overrun": $LOST,
  "vm_halt_poll_ns": null,
  "module_parameters": {$(params)
  }
}
EOF
echo "record-host.sh: $OUT/trace.dat ($(wc -c < "$OUT/trace.dat") bytes); replay it with: ./hpsim replay $OUT/trace.dat"
