#!/bin/sh
# validate.sh - hpsim fit and hpsim validate end to end on the shipped probe
# captures (traces/probe), with the shipped profile fitted from their _poll0
# halves (configs/hosts/probe.json), and the synthetic probe scenarios
# (configs/probe_*.json) against the captured share of polled wakeups.
# Figures and why they are what they are: docs/validation.md.
. "$(dirname "$0")/lib/common.sh"
P=traces/probe

# py NAME CODE: run a python3 check (reads $T/*.json); ok when it prints nothing
py() {
    name=$1; shift
    out=$(T="$T" python3 -c "$1" 2>&1)
    if [ -z "$out" ]; then ok; else ko "$name: $out"; fi
}

# The shipped profile is what `hpsim fit` makes of the _poll0 captures.
expect 0 "$H" fit $P/*_poll0 -o "$T/host.json"
py fit_reproduces_the_shipped_profile '
import json, os
a = json.load(open(os.environ["T"] + "/host.json")); b = json.load(open("configs/hosts/probe.json"))
for d in (a, b): d["_fit"].pop("made_by")
if a != b: print("configs/hosts/probe.json differs from a new fit of traces/probe/*_poll0")'

expect 0 "$H" validate $P/* --include configs/hosts/probe.json -q -o "$T/v.json"
py validate_table_figures '
import json, os
rows = {r["capture"]: r for r in json.load(open(os.environ["T"] + "/v.json"))["captures"]}
def near(name, key, want, tol=0.01):
    got = rows[name][key]
    if got is None or abs(got - want) > tol: print(name, key, got, "expected", want)
if len(rows) != 8: print("rows", sorted(rows))
# target >= 95% of halts with the kernel window, by the model alone
for n in ("idle_timer_1ms", "overcommit_2vcpu"):
    if rows[n]["window_match_pct"] < 95: print(n, "window match", rows[n]["window_match_pct"])
# reqresp misses the target by the model alone: held at the documented figure
# (host interference the model does not simulate, docs/validation.md) ...
near("reqresp_10-50us", "window_match_pct", 11.69)
near("reqresp_10-50us", "decisions_match_pct", 99.96)
# ... and meets it once the captured late wakeups are replayed
near("reqresp_10-50us", "window_match_late_pct", 96.61)
r = rows["reqresp_10-50us"]
if (r["late_wakeups"], r["late_entries"], r["late_holdups"]) != (306, 263, 569): print("late", r)
# a thread sharing its CPU never has late wakeups (the run queue is modelled)
if rows["overcommit_2vcpu"]["late_wakeups"] != 0: print("overcommit late wakeups")
for n, r in rows.items():
    if n.endswith("_poll0") or n.startswith("long_idle"):
        if r["window_match_pct"] is not None: print(n, "has no kvm_halt_poll_ns lines")
# polled share: captured from the capture alone, simulated from the replay
near("reqresp_10-50us", "polled_captured_pct", 99.83)
near("overcommit_2vcpu", "polled_captured_pct", 1.27)
for n, r in rows.items():
    if abs(r["polled_captured_pct"] - r["polled_sim_pct"]) > 10: print(n, "polled share")
# pairs: X with X_poll0, the probe s own response p50 8.326 - 16.100 us
near("reqresp_10-50us", "d_resp_p50_probe_us", 8.326 - 16.1)
if rows["reqresp_10-50us"]["paired_with"] != "reqresp_10-50us_poll0": print("pairing")
if "paired_with" in rows["reqresp_10-50us_poll0"]: print("a _poll0 row is not paired again")'

# The repeat recordings on a quiet host: held at their documented figures
# (docs/validation.md, "Recorded again, on a quiet host"), misses included.
expect 0 "$H" validate traces/probe_repeat/* --include configs/hosts/probe.json -q -o "$T/r.json"
py validate_repeat_figures '
import json, os
rows = {r["capture"]: r for r in json.load(open(os.environ["T"] + "/r.json"))["captures"]}
def near(name, key, want, tol=0.01):
    got = rows[name][key]
    if got is None or abs(got - want) > tol: print(name, key, got, "expected", want)
if sorted(rows) != ["overcommit_2vcpu", "reqresp_10-50us"]: print("rows", sorted(rows))
near("reqresp_10-50us", "window_match_pct", 85.56)
near("reqresp_10-50us", "decisions_match_pct", 99.97)
near("reqresp_10-50us", "window_match_late_pct", 91.20)
near("overcommit_2vcpu", "window_match_pct", 93.46)
near("overcommit_2vcpu", "decisions_match_pct", 99.93)
for n, r in rows.items():
    if abs(r["polled_captured_pct"] - r["polled_sim_pct"]) > 10: print(n, "polled share")'

# The synthetic scenarios on the fitted profile reproduce the captured share
# of polled wakeups within 10 points: mainline against X, none (the VM at
# halt_poll_ns 0) against X_poll0.
for s in reqresp_10-50us idle_timer_1ms long_idle_10-100ms overcommit_2vcpu; do
    expect 0 "$H" configs/probe_$s.json -q -o "$T/syn_$s.json"
done
py synthetic_polled_share_within_10_points '
import json, os
T = os.environ["T"]
rows = {r["capture"]: r for r in json.load(open(T + "/v.json"))["captures"]}
for s in ("reqresp_10-50us", "idle_timer_1ms", "long_idle_10-100ms", "overcommit_2vcpu"):
    for p in json.load(open(T + "/syn_" + s + ".json"))["policies"]:
        cap = rows[s if p["policy"] == "mainline" else s + "_poll0"]["polled_captured_pct"]
        sim = 100.0 * p["poll_successes"] / p["halts"]
        if abs(sim - cap) > 10: print(s, p["policy"], "synthetic", round(sim, 2), "captured", round(cap, 2))'

# CSV: a header and one line per capture
expect 0 "$H" validate $P/idle_timer_1ms $P/idle_timer_1ms_poll0 -q -o "$T/v.csv"
[ "$(wc -l <"$T/v.csv")" = 3 ] && head -1 "$T/v.csv" | grep -q '^capture,path,' && ok || ko "validate CSV: $(cat "$T/v.csv")"
# Captures pair with their _poll0 twin only side by side: validating both
# sets at once, traces/probe_repeat/X does not pair with traces/probe/X_poll0.
# A trace file pairs with a directory of the same set however each is spelled.
expect 0 "$H" validate $P/reqresp_10-50us/trace.dat ./$P//reqresp_10-50us_poll0/ traces/probe_repeat/reqresp_10-50us -q -o "$T/both.json"
py pairs_stay_within_a_directory '
import json, os
rows = json.load(open(os.environ["T"] + "/both.json"))["captures"]
paired = [(r["path"], r.get("paired_with")) for r in rows]
want = [("traces/probe/reqresp_10-50us/trace.dat", "reqresp_10-50us_poll0"),
        ("./traces/probe//reqresp_10-50us_poll0/", None), ("traces/probe_repeat/reqresp_10-50us", None)]
if any("set" in r for r in rows): print("the set (an absolute path) leaked into the rows")
if sorted(paired, key=str) != sorted(want, key=str): print(paired)'

# A late halt entry (the thread held up between its HLT and the halt code):
# with late_wakeups "captured" the replay begins that halt when the kernel
# did and gives the kernel's window trajectory exactly; by the model alone it
# simulates the hold-up as a long halt and shrinks early.
F=tests/fixtures/replay/late_entry.txt
for mode in model captured; do
    expect 0 "$H" replay $F -p mainline --set vms[0].workload.late_wakeups=$mode --trace-policy "$T/le_$mode.txt" -q
done
py late_entry_replayed_as_captured '
import os, re
def lines(mode):
    return [re.sub(r".*halt_poll_ns ", "", l).strip() for l in open(os.environ["T"] + "/le_" + mode + ".txt") if "kvm_halt_poll_ns" in l]
kernel = ["40000 (shrink 80000)", "20000 (shrink 40000)"]
if lines("captured") != kernel: print("captured", lines("captured"))
if lines("model") == kernel: print("the model alone should shrink early here")'

# a trace file works as well as its directory
expect 0 "$H" validate $P/idle_timer_1ms/trace.dat -q -o "$T/f.json"
py trace_file_reads_the_files_beside_it '
import json, os
r = json.load(open(os.environ["T"] + "/f.json"))["captures"][0]
if r["capture"] != "idle_timer_1ms" or r["kernel_release"] != "6.18.44-fc-v782": print(r)'

# Bad input: one line naming what is wrong, exit 2, nothing written
expect 2 "$H" validate "$T/nothing-here"
err_has "nothing-here: cannot open"
mkdir "$T/empty"
expect 2 "$H" validate "$T/empty" -o "$T/none.json"
err_has "a directory without trace.dat"
[ ! -e "$T/none.json" ] && ok || ko "validate wrote output on bad input"
mkdir "$T/badrec" && cp $P/long_idle_10-100ms/trace.dat "$T/badrec/" && echo '{"effective_max_halt_poll_ns": "x"}' >"$T/badrec/recording.json"
expect 2 "$H" validate "$T/badrec"
err_has "recording.json: effective_max_halt_poll_ns: expected a number"
expect 2 "$H" fit
err_has "missing CAPTURE"
expect 2 "$H" fit $P/idle_timer_1ms --base nosuch
err_has "unknown cost profile"
expect 2 "$H" validate $P/idle_timer_1ms --include "$T/nosuch.json"
err_has "nosuch.json: cannot open"
expect 2 "$H" replay $P/idle_timer_1ms/trace.dat --set vms[0].workload.late_wakeups=sometimes
err_has 'late_wakeups: expected "model" or "captured"'

echo "validate: $pass passed, $fail failed"
[ "$fail" = 0 ]
