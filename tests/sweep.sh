#!/bin/sh
# sweep.sh - hpsim sweep and hpsim merge end to end: outputs independent of
# -j, shards (run through GNU parallel) merged equal to the single run byte
# for byte, merge refusing parts that do not belong together, repetitions,
# seeds a single run reproduces, errors and SIGINT. Sweeps are tiny.
# Prints "sweep: N passed, N failed".
. "$(dirname "$0")/lib/common.sh"
same() {  # same FILE1 FILE2 WHAT
    if cmp -s "$1" "$2"; then ok; else ko "$3: $1 and $2 differ"; fi
}
CFG=configs/tcp_rr.json
# 2 x 3 points, 2 policies, 0.02 s each
SW="$CFG policy.halt_poll_ns_grow=2,4 policy.halt_poll_ns=10000*2..40000 --policy v3,v4 --duration 0.02"

# -j does not change a byte; CSV layout; JSON layout
expect 0 $H sweep $SW -j 1 -o "$T/j1.csv"
expect 0 $H sweep $SW -j 4 -o "$T/j4.csv"
same "$T/j1.csv" "$T/j4.csv" "-j 1 vs -j 4 (CSV)"
expect 0 $H sweep $SW -j 1 -o "$T/j1.json"
expect 0 $H sweep $SW -j 4 -o "$T/j4.json"
same "$T/j1.json" "$T/j4.json" "-j 1 vs -j 4 (JSON)"
head -1 "$T/j1.csv" | grep -q '^policy.halt_poll_ns_grow,policy.halt_poll_ns,policy,c0_pct,poll_pct,' \
    && ok || ko "CSV header: $(head -1 "$T/j1.csv" | cut -c1-120)"
[ "$(wc -l <"$T/j1.csv")" = 13 ] && ok || ko "CSV: expected 1 + 2*3*2 lines"
sed -n 2,13p "$T/j1.csv" | cut -d, -f1-3 | tr '\n' ' ' | grep -qF \
    '2,10000,"v3" 2,10000,"v4" 2,20000,"v3" 2,20000,"v4" 2,40000,"v3" 2,40000,"v4" 4,10000,"v3" 4,10000,"v4" 4,20000,"v3"' \
    && ok || ko "CSV rows not in point order: $(cut -d, -f1-3 "$T/j1.csv" | tr '\n' ' ')"
python3 - "$T/j1.json" <<'PY' && ok || ko "sweep JSON layout"
import json, sys
d = json.load(open(sys.argv[1]))
assert list(d) == ["hpsim_version", "config", "sweep", "points", "rows"], list(d)
assert d["sweep"]["params"] == [{"path": "policy.halt_poll_ns_grow", "values": [2, 4]},
                                {"path": "policy.halt_poll_ns", "values": [10000, 20000, 40000]}]
assert d["sweep"]["policies"] == ["v3", "v4"] and d["sweep"]["npoints"] == 6
assert [p["index"] for p in d["points"]] == list(range(6))
assert len(set(p["seeds"][0] for p in d["points"])) == 6
assert len(d["rows"]) == 12 and d["rows"][3]["policy"] == "v4"
assert d["rows"][3]["policy.halt_poll_ns"] == 20000 and len(d["rows"][3]["wakeup_cdf_ns"]) == 48
assert d["config"]["duration_s"] == 0.02
PY

# without -o: the CSV on stdout
expect 0 $H sweep $SW -j 2
same "$T/out" "$T/j1.csv" "CSV on stdout"

# a row is the run of its point with its seed: hpsim run reproduces it
seed=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['points'][4]['seeds'][0])" "$T/j1.json")
expect 0 $H run $CFG --policy v4 --duration 0.02 --set policy.halt_poll_ns_grow=4 \
    --set policy.halt_poll_ns=20000 --seed "$seed" -q -o "$T/one.json"
python3 - "$T/one.json" "$T/j1.json" <<'PY' && ok || ko "sweep row differs from hpsim run with its seed"
import json, sys
one = json.load(open(sys.argv[1]))["policies"][0]
row = json.load(open(sys.argv[2]))["rows"][9]
assert row["policy"] == "v4" and row["policy.halt_poll_ns_grow"] == 4 and row["policy.halt_poll_ns"] == 20000
for k in one:
    assert one[k] == row[k], k
PY

# shards through GNU parallel, merged in any order, equal the single run
if command -v parallel >/dev/null 2>&1; then
    parallel --will-cite -j 2 $H sweep $SW -j 1 --shard {}/3 -o "$T/part{}.json" ::: 1 2 3 2>"$T/err" \
        && ok || ko "parallel: $(cat "$T/err")"
else
    for k in 1 2 3; do $H sweep $SW --shard $k/3 -o "$T/part$k.json"; done
    ko "GNU parallel is not installed (scripts/deps.sh installs it)"
fi
expect 0 $H merge "$T/part3.json" "$T/part1.json" "$T/part2.json" -o "$T/m.csv"
same "$T/m.csv" "$T/j1.csv" "merged CSV vs single run"
expect 0 $H merge "$T/part1.json" "$T/part2.json" "$T/part3.json" -o "$T/m.json"
same "$T/m.json" "$T/j1.json" "merged JSON vs single run"
# more shards than points: empty parts still merge
for k in 1 2 3 4 5 6 7; do $H sweep $SW -j 1 --shard $k/7 -o "$T/s7_$k.json" 2>/dev/null; done
expect 0 $H merge "$T"/s7_*.json -o "$T/m7.csv"
same "$T/m7.csv" "$T/j1.csv" "7 shards of 6 points"

# merge refuses parts that do not make one complete sweep
expect 2 $H merge "$T/part1.json" "$T/part2.json";                err_has "shard 3/3 is missing"
expect 2 $H merge "$T/part1.json" "$T/part1.json" "$T/part2.json"; err_has "are both shard 1/3"
expect 2 $H merge "$T/part1.json" "$T/s7_2.json";                 err_has "but $T/part1.json is a shard of 3"
$H sweep $SW --seed 9 --shard 2/3 -o "$T/other2.json" 2>/dev/null
expect 2 $H merge "$T/part1.json" "$T/other2.json" "$T/part3.json"; err_has "not a part of the same sweep"
expect 2 $H merge "$T/part1.json" "$T/j1.json";                   err_has "$T/j1.json: not a sweep part file"
python3 - "$T/part2.json" "$T/cut2.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); d["points"].pop(); json.dump(d, open(sys.argv[2], "w"))
PY
expect 2 $H merge "$T/part1.json" "$T/cut2.json" "$T/part3.json"; err_has "shard 2/3 lacks point 4 of 6"
printf '{"hpsim_sweep_part": 1,' >"$T/trunc.json"
expect 2 $H merge "$T/trunc.json";                                err_has "$T/trunc.json:1:"
expect 2 $H merge;                                                err_has "missing PART"
expect 1 $H merge "$T/part1.json" "$T/part2.json" "$T/part3.json" -o /nonexistent-dir/m.csv
err_has "/nonexistent-dir/m.csv"

# repetitions: mean and confidence interval columns, still independent of -j
expect 0 $H sweep $CFG policy.halt_poll_ns_grow=2,4 --policy v4 --duration 0.02 --reps 3 -j 1 -o "$T/r1.csv"
expect 0 $H sweep $CFG policy.halt_poll_ns_grow=2,4 --policy v4 --duration 0.02 --reps 3 -j 3 -o "$T/r3.csv"
same "$T/r1.csv" "$T/r3.csv" "--reps 3 with -j 1 vs -j 3"
head -1 "$T/r1.csv" | grep -q '^policy.halt_poll_ns_grow,policy,c0_pct,c0_pct_ci95,poll_pct,poll_pct_ci95,' \
    && ok || ko "reps CSV header: $(head -1 "$T/r1.csv" | cut -c1-120)"
[ "$(wc -l <"$T/r1.csv")" = 3 ] && ok || ko "reps CSV rows"

# with the oracle bound every row carries its distance to it, as hpsim run's rows do
expect 0 $H sweep $CFG policy.halt_poll_ns_grow=2,4 --policy v4,oracle --duration 0.02 -o "$T/orc.csv"
head -1 "$T/orc.csv" | grep -q ',vs_oracle.extra_c0_pct,vs_oracle.extra_wakeup_mean_ns$' \
    && ok || ko "no vs_oracle columns: $(head -1 "$T/orc.csv" | tr ',' '\n' | tail -3 | tr '\n' ' ')"
[ "$(awk -F, '{print NF}' "$T/orc.csv" | sort -u | wc -l)" = 1 ] && ok || ko "CSV rows of different widths"

# bad command lines: one line naming the argument, exit 2, nothing written
expect 2 $H sweep $CFG policy.halt_poll_ns_grow=1..16 -o "$T/bad.csv"; err_has "policy.halt_poll_ns_grow=1..16"
expect 2 $H sweep $CFG policy.halt_poll_ns_grow=0,2 --duration 0.02 -o "$T/bad.csv"
err_has "policy.halt_poll_ns_grow=0"
expect 2 $H sweep $CFG nokey=1,2 --duration 0.02 -o "$T/bad.csv";  err_has "nokey: unknown key"
expect 2 $H sweep $CFG --shard 4/3 -o "$T/p.json";                 err_has "--shard '4/3'"
expect 2 $H sweep $CFG --shard 1/3;                                err_has "--shard needs -o"
expect 2 $H sweep $CFG -j 0;                                       err_has "-j '0'"
expect 2 $H sweep $CFG --reps 0;                                   err_has "--reps '0'"
expect 2 $H sweep;                                                 err_has "missing CONFIG"
expect 1 $H sweep $SW -o /nonexistent-dir/s.csv;                  err_has "/nonexistent-dir/s.csv: cannot write"
[ ! -e "$T/bad.csv" ] && ok || ko "a failed sweep wrote its output"
expect 0 $H sweep --help; grep -q "LO\*FACTOR..HI" "$T/out" && ok || ko "sweep --help lacks the forms"
expect 0 $H merge --help

# --common-seeds: every point sees the same arrivals, so a policy that ignores
# the swept value gives identical rows; shards of it merge to the same bytes
expect 0 $H sweep $CFG policy.halt_poll_ns=10000,40000 --policy none,always --duration 0.02 --common-seeds -o "$T/cs.csv"
[ "$(grep '"none"' "$T/cs.csv" | cut -d, -f2- | sort -u | wc -l)" = 1 ] && ok || ko "--common-seeds: none differs between points"
expect 0 $H sweep $CFG policy.halt_poll_ns=10000,40000 --policy none,always --duration 0.02 -o "$T/ncs.csv"
[ "$(grep '"none"' "$T/ncs.csv" | cut -d, -f2- | sort -u | wc -l)" = 2 ] && ok || ko "without --common-seeds the points' seeds should differ"
for k in 1 2; do
    expect 0 $H sweep $CFG policy.halt_poll_ns=10000,40000 --policy none,always --duration 0.02 --common-seeds --shard $k/2 -o "$T/csp$k.json"
done
expect 0 $H merge "$T/csp1.json" "$T/csp2.json" -o "$T/csm.csv"
same "$T/cs.csv" "$T/csm.csv" "--common-seeds shards merged"
expect 0 $H sweep $CFG policy.halt_poll_ns=10000,40000 --policy none,always --duration 0.02 --shard 2/2 -o "$T/csx.json"
expect 2 $H merge "$T/csp1.json" "$T/csx.json" -o "$T/bad.csv"

# interrupt FILE: a long sweep to FILE, SIGINT once its workers run; status in $rc
interrupt() {
    $H sweep $CFG policy.halt_poll_ns_grow=1:16:1 --duration 2 -j 2 -o "$1" 2>"$T/err" &
    pid=$!
    i=0
    while [ -z "$(pgrep -P $pid)" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    kill -INT $pid
    wait $pid; rc=$?
}
# SIGINT: workers stop, nothing is written, exit 130 with how far it got
interrupt "$T/int.csv"
[ $rc = 130 ] && ok || ko "SIGINT: exit $rc, expected 130"
err_has "nothing written"
ls "$T"/int.csv* >/dev/null 2>&1 && ko "SIGINT left a file" || ok
[ -z "$(pgrep -P $pid)" ] && ok || ko "SIGINT left workers running"
# ... and an older results file of the same name is left exactly as it was
echo "old results" >"$T/old.csv"
interrupt "$T/old.csv"
[ $rc = 130 ] && [ "$(cat "$T/old.csv")" = "old results" ] && ok || ko "SIGINT: old file changed (exit $rc)"
ls "$T"/old.csv?* >/dev/null 2>&1 && ko "SIGINT left a temporary file" || ok

echo "sweep: $pass passed, $fail failed"
[ $fail -eq 0 ]
