# tracefs.sh - the tracefs steps record.sh and record-host.sh share (sourced).
# The caller sets PROG (its name for messages), TRACEFS and BUFFER_KB, and
# calls tracefs_begin once; everything it changes is put back on any exit.

MOUNTED=0
INST=""
NAME=""

tracefs_cleanup() {
    if [ -n "$INST" ] && [ -d "$INST" ]; then
        echo 0 > "$INST/tracing_on" 2>/dev/null || true
        rmdir "$INST" 2>/dev/null || echo "$PROG: warning: could not remove $INST" >&2
    fi
    if [ "$MOUNTED" = 1 ]; then
        umount "$TRACEFS" 2>/dev/null || echo "$PROG: warning: could not unmount $TRACEFS" >&2
    fi
}

# tracefs_begin INSTANCE-NAME: traps, tracefs mounted if needed, a private
# instance with tracing off and BUFFER_KB per CPU. Returns 2 when tracefs
# cannot be mounted (the caller decides whether that is a skip), 1 when the
# instance cannot be made.
tracefs_begin() {
    trap tracefs_cleanup EXIT
    trap 'echo "$PROG: interrupted" >&2; exit 130' INT
    trap 'exit 143' TERM HUP
    if ! grep -q " $TRACEFS tracefs " /proc/mounts; then
        mount -t tracefs nodev "$TRACEFS" 2>/dev/null || return 2
        MOUNTED=1
    fi
    NAME=$1
    INST=$TRACEFS/instances/$NAME
    mkdir "$INST" 2>/dev/null || { INST=""; return 1; }
    echo 0 > "$INST/tracing_on"
    echo "$BUFFER_KB" > "$INST/buffer_size_kb"
}

# Events the ring buffer dropped (overruns): a capture with any has holes.
tracefs_lost() {
    lost=0
    for f in "$INST"/per_cpu/cpu*/stats; do
        n=$(sed -n 's/^overrun: //p' "$f")
        lost=$((lost + ${n:-0}))
    done
    echo "$lost"
}

# tracefs_extract FILE: the instance's buffers as a trace.dat.
tracefs_extract() {
    rm -f "$1"
    trace-cmd extract -B "$NAME" -o "$1" >/dev/null 2>"$1.err" || { cat "$1.err" >&2; rm -f "$1.err"; return 1; }
    rm -f "$1.err"
}
