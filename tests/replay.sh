#!/bin/sh
# replay.sh - `hpsim replay` end to end:
#  - every capture under ../shared/traces (skipped, saying so, when absent),
#    traces/probe and traces/ replays without error, and the per-vCPU counts
#    it reports (halts, halt_exits) equal counts made here from the text
#    (the file itself, its report.txt, or `trace-cmd report` of a trace.dat);
#  - the "captured" row equals sums made here from the lines (poll time and
#    wait time of kvm_vcpu_wakeup, halts);
#  - text and trace.dat forms of one capture give the same results;
#  - round trip: a synthetic run written with --emit-trace and replayed under
#    the same policy gives the same halts, poll outcomes, HLT exits, %C0 and
#    latency (tolerances in docs/replay.md);
#  - conformance: mainline's rule reproduces every live capture's window
#    trajectory (100%), the model >= 95% of it;
#  - malformed inputs give a one-line error naming the file, exit 2, and
#    write nothing.
# Prints "replay: N passed, N failed".
. "$(dirname "$0")/lib/common.sh"
SHARED=${HPSIM_SHARED_TRACES:-../shared/traces}

# Per thread: "pid wakeups hlt_exits poll_ns wait_ns" from report text on stdin.
count_text() {
    awk '
    {
        pid = -1
        if (match($0, /-[0-9]+ +(\([ 0-9-]+\) +)?\[[0-9]+\]/)) {
            s = substr($0, RSTART + 1, RLENGTH - 1); sub(/ .*/, "", s); pid = s + 0
        }
    }
    / kvm_vcpu_wakeup: / {
        w[pid]++; seen[pid] = 1
        n = $0; sub(/.* time /, "", n); sub(/ ns.*/, "", n)
        if ($0 ~ / poll time /) p[pid] += n; else q[pid] += n
    }
    / kvm_exit: .*reason (HLT|hlt) / || / kvm_emulate_insn: .*: f4 *$/ { x[pid]++; seen[pid] = 1 }
    END { for (k in seen) printf "%d %d %d %.0f %.0f\n", k, w[k], x[k], p[k], q[k] }'
}

# The text of a capture for counting, in $T/text; fails when none can be had.
text_of() {
    case $1 in
    *.dat)
        d=$(dirname "$1")
        if [ -f "$1.report.txt" ]; then cp "$1.report.txt" "$T/text"
        elif [ -f "$d/report.txt" ]; then cp "$d/report.txt" "$T/text"
        elif command -v trace-cmd >/dev/null && trace-cmd report -i "$1" >"$T/text" 2>/dev/null
        then :
        else return 1; fi ;;
    *) cp "$1" "$T/text" ;;
    esac
}

# check_counts JSON : the JSON's per-vCPU halts/halt_exits and captured sums
# equal the counts of $T/text (halts only when the capture traces wakeups).
check_counts() {
    count_text <"$T/text" >"$T/counts"
    python3 - "$1" "$T/counts" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
counts = {}
for line in open(sys.argv[2]):
    pid, w, x, p, q = map(int, line.split())
    counts[pid] = (w, x, p, q)
vs = d["capture"]["vcpus"]
has_wake = sum(c[0] for c in counts.values()) > 0
for v in vs:
    w, x, p, q = counts.get(v["pid"], (0, 0, 0, 0))
    assert v["halt_exits"] == x, (v, x)
    if has_wake:
        assert v["halts"] == w, (v, w)
cap = d["policies"][0]
assert cap["policy"] == "captured"
if has_wake:
    assert cap["halts"] == sum(c[0] for c in counts.values())
    assert cap["kvm"]["halt_poll_success_ns"] == sum(c[2] for c in counts.values())
    assert cap["waited_halt_ns"] == sum(c[3] for c in counts.values())
else:
    assert cap["halts"] is None and "halts" in cap["null_reasons"]
PY
}

# ---- every capture replays; its counts are the file's ----
if [ -d "$SHARED" ]; then
    SHARED_FILES=$(find "$SHARED" -type f \( -name '*.dat' -o -name '*report.txt' -o -name 'lkml-*.txt' \) | sort)
else
    echo "replay: shared captures $SHARED absent: skipped"
    SHARED_FILES=
fi
for f in $SHARED_FILES traces/probe/*/trace.dat traces/probe/*/report.txt traces/*.txt; do
    [ -f "$f" ] || continue
    if $H replay "$f" -p mainline,none -q -o "$T/r.json" 2>"$T/err"; then ok; else
        ko "replay $f: $(cat "$T/err")"; continue; fi
    python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert len(d['policies']) == 3" \
        "$T/r.json" && ok || ko "$f: not 3 rows"
    if text_of "$f"; then
        check_counts "$T/r.json" && ok || ko "$f: counts differ from the file's"
    fi
done

# ---- text and trace.dat of one capture ----
same_results() {  # DAT TEXT EXACT
    [ -f "$1" ] && [ -f "$2" ] || { echo "replay: $1 absent: skipped"; return 0; }
    $H replay "$1" -p mainline,none -q -o "$T/d.json" 2>/dev/null &&
        $H replay "$2" -p mainline,none -q -o "$T/t.json" 2>/dev/null || { ko "replay $1 / $2"; return; }
    python3 - "$T/d.json" "$T/t.json" "$3" <<'PY' && ok || ko "text and dat of $1 differ"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
exact = sys.argv[3] == "exact"
if exact:
    assert a["policies"] == b["policies"], "rows differ"
    assert a["conformance"] == b["conformance"]
else:  # 6-decimal report text: times to the us, so counts equal, shares close
    assert [v["halts"] for v in a["capture"]["vcpus"]] == [v["halts"] for v in b["capture"]["vcpus"]]
    for ra, rb in zip(a["policies"], b["policies"]):
        for k in ("halts", "poll_successes", "window_grows", "window_shrinks", "halts_skipped"):
            assert ra[k] == rb[k], (ra["policy"], k, ra[k], rb[k])
        if ra["c0_pct"] is not None:
            assert abs(ra["c0_pct"] - rb["c0_pct"]) < 0.01, (ra["policy"], ra["c0_pct"], rb["c0_pct"])
PY
}
same_results "$SHARED/public/HIP24-Masterarbeit__trace-cmd-v3.2__trace.dat" \
    "$SHARED/public/HIP24-Masterarbeit__trace-cmd-v3.2__trace.dat.report.txt" exact
same_results "$SHARED/live/a_idle_timer_1ms/trace.dat" "$SHARED/live/a_idle_timer_1ms/report.txt" us
same_results "$SHARED/live/c_long_idle_10-100ms/trace.dat" "$SHARED/live/c_long_idle_10-100ms/report.txt" us
same_results traces/probe/idle_timer_1ms/trace.dat traces/probe/idle_timer_1ms/report.txt us

# ---- round trip: run -> --emit-trace -> replay under the same policy ----
round_trip() {  # CONFIG POLICY [overcommit]
    $H run "$1" --duration 0.05 -p "$2" -q --emit-trace "$T/rt.txt" -o "$T/o.json" &&
        $H replay "$T/rt.txt" -p "$2" -q -o "$T/r.json" 2>/dev/null || { ko "round trip $1 $2"; return; }
    python3 - "$T/o.json" "$T/r.json" "$3" <<'PY' && ok || ko "round trip $1 $2 differs"
import json, sys
o = json.load(open(sys.argv[1]))["policies"][0]
r = json.load(open(sys.argv[2]))["policies"][1]
for k in ("halts", "poll_successes", "halts_skipped", "window_grows", "window_shrinks"):
    assert o[k] == r[k], (k, o[k], r[k])
assert o["kvm"]["halt_exits"] == r["kvm"]["halt_exits"]
for k in ("c0_pct", "poll_pct"):
    assert abs(o[k] - r[k]) <= 1e-4 * max(o[k], 1e-9), (k, o[k], r[k])
lo, lr = o["wakeup_latency_ns"], r["wakeup_latency_ns"]
assert abs(lo["p50"] - lr["p50"]) <= 0.01 * lo["p50"], (lo, lr)
# A HLT that found its interrupt pending is replayed as a count inside the
# captured burst: its latency sample is not re-measured.
assert lr["count"] <= lo["count"] <= lr["count"] + o["halts_skipped"], (lo, lr)
if sys.argv[3] != "overcommit":
    assert abs(lo["p99"] - lr["p99"]) <= 0.01 * lo["p99"], (lo, lr)
PY
}
for p in mainline none always; do
    round_trip configs/tcp_rr.json $p
    round_trip tests/fixtures/replay/timer_poisson.json $p
    round_trip tests/fixtures/replay/two_vms.json $p
    round_trip tests/fixtures/replay/overcommit.json $p overcommit
done

# ---- conformance on the live captures ----
for c in a_idle_timer_1ms b_reqresp_10-50us_msi c_long_idle_10-100ms d_2vcpu_overcommit_cpu1; do
    f=$SHARED/live/$c/trace.dat
    [ -f "$f" ] || { echo "replay: $f absent: skipped"; continue; }
    $H replay "$f" -p mainline -o "$T/c.json" >"$T/out" 2>/dev/null || { ko "replay $f"; continue; }
    grep -q "rule conformance: 100.00%" "$T/out" && ok || ko "$c: rule conformance not printed as 100%"
    python3 - "$T/c.json" <<'PY' && ok || ko "$c: conformance figures"
import json, sys
c = json.load(open(sys.argv[1]))["conformance"]
assert c["params"]["halt_poll_ns"] == 200000 and c["params"]["halt_poll_ns_shrink"] == 2
assert c["rule_conformance_pct"] == 100.0, c["rule_conformance"]
assert c["model_conformance_pct"] >= 95.0, c["model_conformance"]
PY
done
f=$SHARED/live/e1_as_b_halt_poll_0/trace.dat
if [ -f "$f" ]; then
    $H replay "$f" -p mainline,none -o "$T/e.json" >"$T/out" 2>/dev/null &&
        grep -q "rule conformance: - (no kvm_halt_poll_ns lines" "$T/out" && ok || ko "e1: null conformance"
fi

# The public 6.5 host report, with 6.5's defaults (shrink 0): every decision
# after the events the capture lost is the kernel's; shrink 2 (6.11) is not.
f=$SHARED/public/HIP24-Masterarbeit__sigmatek-analysis-test__host_report.txt
if [ -f "$f" ]; then
    $H replay "$f" -p mainline --set policy.mainline.halt_poll_ns=200000 \
        --set policy.mainline.halt_poll_ns_shrink=0 2>/dev/null >"$T/out" &&
        grep -q "rule conformance: 100.00% of 180 halts (35 not compared" "$T/out" && ok ||
        ko "sigmatek with 6.5 defaults: $(grep 'rule conf' "$T/out")"
    $H replay "$f" -p mainline --set policy.mainline.halt_poll_ns=200000 2>/dev/null >"$T/out" &&
        ! grep -q "rule conformance: 100.00%" "$T/out" && ok || ko "sigmatek with shrink 2 conforms"
fi

# ---- --emit-trace: one file per policy, read back by replay ----
$H replay traces/synthetic_tcp_rr.txt -p mainline,none -q --emit-trace "$T/em.txt" 2>/dev/null &&
    [ -s "$T/em.mainline.txt" ] && [ -s "$T/em.none.txt" ] && ok || ko "--emit-trace per policy"
$H replay "$T/em.mainline.txt" -p mainline -q 2>/dev/null && ok || ko "emitted replay reads back"

# ---- CSV: the captured row's nulls keep the columns aligned ----
$H replay traces/synthetic_tcp_rr.txt -p mainline,none -q -o "$T/r.csv" 2>/dev/null &&
    python3 - "$T/r.csv" <<'PY' && ok || ko "CSV rows not aligned"
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
assert len(rows) == 4 and all(len(r) == len(rows[0]) for r in rows), [len(r) for r in rows]
h = rows[0]
cap, main = dict(zip(h, rows[1])), dict(zip(h, rows[2]))
assert cap["policy"] == "captured" and main["policy"] == "mainline"
assert cap["poll_pct"] == "" and main["poll_pct"] != "" and cap["halts"] == "669"
PY

# ---- bad input: one line naming the file (and line), exit 2, nothing written ----
bad() {  # FILE TEXT
    $H replay "$1" -p none -o "$T/bad.json" --emit-trace "$T/bad.txt" >"$T/out" 2>"$T/err"
    rc=$?
    if [ $rc = 2 ] && grep -qF -- "$2" "$T/err" && [ "$(wc -l <"$T/err")" = 1 ] &&
        [ ! -e "$T/bad.json" ] && [ -z "$(ls "$T" | grep '^bad\.txt')" ]; then ok
    else ko "bad input $1 -> exit $rc: $(cat "$T/err")"; fi
}
bad tests/fixtures/traces/malformed_lines.txt "malformed_lines.txt:4: malformed event line"
bad tests/fixtures/traces/no_kvm_events.txt "no_kvm_events.txt: no KVM vCPU events"
bad tests/fixtures/traces/truncated.dat "truncated.dat"
bad tests/fixtures/traces/garbage.dat "garbage.dat"
bad tests/fixtures/traces/prose.txt "prose.txt:1: not a trace"
bad tests/fixtures/traces/backwards.txt "backwards.txt:4: timestamp goes back"
bad /nonexistent/trace.dat "/nonexistent/trace.dat: cannot open"
head -c 600000 traces/probe/long_idle_10-100ms/trace.dat >"$T/cut.dat"
bad "$T/cut.dat" "cut.dat"
$H replay tests/fixtures/traces/unknown_event.txt -p none -q 2>"$T/err" &&
    grep -q "1 events of other kinds skipped" "$T/err" && ok || ko "unknown event not counted: $(cat "$T/err")"
$H replay >/dev/null 2>"$T/err"; [ $? = 2 ] && grep -q "missing CAPTURE" "$T/err" && ok || ko "missing CAPTURE"
$H replay traces/synthetic_tcp_rr.txt --counter-hz abc 2>"$T/err"; [ $? = 2 ] && ok || ko "--counter-hz abc"
$H replay traces/synthetic_tcp_rr.txt -p nope 2>"$T/err"; [ $? = 2 ] && grep -q 'unknown policy "nope"' "$T/err" && ok || ko "unknown policy"

echo "replay: $pass passed, $fail failed"
[ $fail -eq 0 ]
