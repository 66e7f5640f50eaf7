#!/bin/sh
# test_probe.sh: build hpsim-probe and check its command line and, where KVM is usable, one run.
# Prints "N passed, N failed"; exits 1 on any failure, 77 if it could not even build.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
PROBE=$HERE/hpsim-probe
pass=0 fail=0 skip=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; }

command -v cc >/dev/null 2>&1 || command -v gcc >/dev/null 2>&1 ||
    { echo "test_probe.sh: skip: no C compiler"; exit 77; }
if make -s -C "$HERE" all; then ok "probe_builds"; else ko "probe_builds"; fi

if "$PROBE" --help | grep -q -- '--halt-poll-ns'; then ok "help_lists_options"; else ko "help_lists_options"; fi

"$PROBE" --gap uniform:50-10us >/dev/null 2>&1
[ $? = 2 ] && ok "bad_gap_range_exits_2" || ko "bad_gap_range_exits_2"
"$PROBE" --mode nonsense >/dev/null 2>&1
[ $? = 2 ] && ok "unknown_mode_exits_2" || ko "unknown_mode_exits_2"
n=$("$PROBE" --vcpus 0 2>&1 >/dev/null | wc -l)
[ "$n" = 1 ] && ok "bad_argument_error_is_one_line" || ko "bad_argument_error_is_one_line"

if [ "$(id -u)" = 0 ] && [ -e /dev/kvm ]; then
    out=$("$PROBE" --mode msi --duration 0.2 2>&1)
    rc=$?
    w=$(printf '%s\n' "$out" | sed -n 's/^requests .* wakeups \([0-9]*\) .*/\1/p')
    if [ "$rc" = 0 ] && [ "${w:-0}" -gt 0 ]; then
        ok "msi_run_reports_wakeups ($w)"
    else
        ko "msi_run_reports_wakeups (exit $rc): $out"
    fi
else
    echo "skip msi_run_reports_wakeups: needs root and /dev/kvm"
    skip=$((skip + 1))
fi

# Record a short real scenario and validate it (the README's two commands):
# only as root, with /dev/kvm, trace-cmd and a built hpsim; else skipped.
ROOT=$(cd "$HERE/.." && pwd)
H=${HPSIM:-$ROOT/hpsim}
why=""
[ "$(id -u)" = 0 ] || why="needs root"
[ -n "$why" ] || [ -e /dev/kvm ] || why="needs /dev/kvm"
[ -n "$why" ] || command -v trace-cmd >/dev/null 2>&1 || why="needs trace-cmd"
[ -n "$why" ] || [ -x "$H" ] || why="needs a built hpsim ($H)"
if [ -z "$why" ]; then
    d=$(mktemp -d)
    sh "$ROOT/scripts/record.sh" reqresp_10-50us "$d/rec" >"$d/log" 2>&1
    rc=$?
    if [ "$rc" = 77 ]; then
        echo "skip record_and_validate: $(tail -1 "$d/log")"
        skip=$((skip + 1))
    elif [ "$rc" = 0 ] && "$H" validate "$d/rec" -q -o "$d/v.json" 2>"$d/err" &&
        python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["captures"][0]
rec = json.load(open(sys.argv[2]))   # how busy the host was is part of the record
busy = rec.get("host_cpu_busy_pct_before")
sys.exit(0 if r["halts"] > 0 and r["window_match_pct"] is not None and isinstance(busy, int)
         and 0 <= busy <= 100 else 1)' "$d/v.json" "$d/rec/recording.json"; then
        ok "record_and_validate"
    else
        ko "record_and_validate (record exit $rc): $(tail -3 "$d/log") $(cat "$d/err" 2>/dev/null)"
    fi
    rm -rf "$d"
else
    echo "skip record_and_validate: $why"
    skip=$((skip + 1))
fi

echo "probe: $pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
