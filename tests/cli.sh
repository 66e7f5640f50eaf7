#!/bin/sh
# cli.sh - the hpsim command line end to end: help, errors and exit codes,
# table, JSON and CSV outputs, --set/--seed/--duration, determinism.
# Prints "cli: N passed, N failed".
. "$(dirname "$0")/lib/common.sh"
CFG=configs/tcp_rr.json
Q="--duration 0.05"

expect 0 $H --help;              grep -q "usage: hpsim" "$T/out" && ok || ko "--help text"
expect 0 $H --version;           grep -q "^hpsim [0-9]" "$T/out" && ok || ko "--version text"
expect 0 $H --list-policies;     grep -q "^blocktime" "$T/out" && ok || ko "list-policies"
expect 2 $H;                     err_has "missing CONFIG"
expect 2 $H --bogus $CFG;        err_has "bad option"
expect 2 $H /nonexistent.json;   err_has "/nonexistent.json"
expect 2 $H $CFG --duration abc; err_has "--duration 'abc'"
expect 2 $H $CFG --duration -1;  err_has "--duration"
expect 2 $H $CFG --seed x;       err_has "--seed"
expect 2 $H $CFG --policy none,nope $Q; err_has 'unknown policy "nope"'
expect 2 $H $CFG --set policy.halt_poll_ns_grow=abc $Q; err_has "policy.halt_poll_ns_grow"
expect 2 $H $CFG --set nokey=1 $Q; err_has "nokey: unknown key"
expect 2 $H $CFG --set novalue $Q; err_has "PATH=VALUE"
expect 2 $H $CFG extra $Q;       err_has "unexpected argument"
printf '{"vms": [' >"$T/trunc.json"
expect 2 $H "$T/trunc.json";     err_has "$T/trunc.json:1:"

# a run: table with every policy, JSON with the schema, CSV with a header
expect 0 $H $CFG $Q -o "$T/r.json"
for p in none always v3 v4 blocktime; do grep -q "^$p " "$T/out" && ok || ko "table lacks $p"; done
python3 - "$T/r.json" <<'PY' && ok || ko "JSON schema"
import json, sys
d = json.load(open(sys.argv[1]))
assert set(["config", "seed", "policies"]) <= set(d)
for p in d["policies"]:
    for k in ["policy", "c0_pct", "poll_pct", "halts", "poll_successes", "wakeup_latency_ns",
              "transactions_per_s", "mean_halt_poll_ns", "kvm"]:
        assert k in p, k
    for k in ["mean", "p50", "p90", "p99", "p999", "max"]:
        assert k in p["wakeup_latency_ns"], k
    for k in ["halt_exits", "halt_attempted_poll", "halt_successful_poll", "halt_poll_invalid",
              "halt_wakeup", "halt_poll_success_ns", "halt_poll_fail_ns", "halt_wait_ns"]:
        assert k in p["kvm"], k
    assert p["conservation_ok"] is True
assert d["config"]["duration_s"] == 0.05
PY
expect 0 $H $CFG $Q -q -o "$T/r.csv"
[ ! -s "$T/out" ] && ok || ko "-q printed a table"
head -1 "$T/r.csv" | grep -q "^policy,c0_pct,poll_pct" && ok || ko "CSV header"
[ "$(wc -l <"$T/r.csv")" = 7 ] && ok || ko "CSV rows"

# determinism at the command line, and --seed changes the run
$H $CFG $Q -q -o "$T/a.json"; $H $CFG $Q -q -o "$T/b.json"; $H $CFG $Q -q --seed 5 -o "$T/c.json"
cmp -s "$T/a.json" "$T/b.json" && ok || ko "same seed, different bytes"
cmp -s "$T/a.json" "$T/c.json" && ko "--seed had no effect" || ok

# --set reaches the policy; an unwritable output is a runtime error, no partial file
expect 0 $H $CFG $Q -q --policy blocktime --set policy.halt_poll_ns_grow=4 -o "$T/g.json"
grep -q '"halt_poll_ns_grow": 4' "$T/g.json" && ok || ko "--set not in effective config"
expect 1 $H $CFG $Q -o /nonexistent-dir/r.json; err_has "/nonexistent-dir/r.json"
[ ! -s "$T/out" ] && ok || ko "an unwritable -o is found only after the run"
ls /nonexistent-dir 2>/dev/null && ko "partial output" || ok

# SIGINT/SIGTERM mid-run: exit 130, says how far it got, an older results file is untouched
for sig in INT TERM; do
    echo "old results" >"$T/old.json"
    $H $CFG --duration 60 -q -o "$T/old.json" 2>"$T/err" &
    pid=$!
    sleep 0.5
    kill -$sig $pid
    wait $pid; rc=$?
    [ $rc = 130 ] && ok || ko "SIG$sig: exit $rc, expected 130"
    grep -q "interrupted during policy" "$T/err" && ok || ko "SIG$sig: no progress message: $(cat "$T/err")"
    [ "$(cat "$T/old.json")" = "old results" ] && ok || ko "SIG$sig: the old results file changed"
    ls "$T"/old.json?* >/dev/null 2>&1 && ko "SIG$sig: a temporary file was left" || ok
done

echo "cli: $pass passed, $fail failed"
[ $fail -eq 0 ]
