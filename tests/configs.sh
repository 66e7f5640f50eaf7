#!/bin/sh
# configs.sh - every shipped config runs with every registered policy (a short
# run each), conserves pCPU time, and is a valid effective config: the
# results' "config" runs again to the same figures. seed_powertop prints the
# thread's figures under its table.
# Prints "configs: N passed, N failed".
. "$(dirname "$0")/lib/common.sh"
policies=$($H --list-policies | sed -n '/^workloads:/q; /^[a-z]/s/ .*//p' | paste -sd, -)
[ -n "$policies" ] && ok || ko "no policies listed"
for c in configs/*.json; do
    n=$(basename "$c" .json)
    if $H "$c" --duration 0.05 -q -p "$policies" -o "$T/$n.json" 2>"$T/err"; then ok; else ko "$c: $(cat "$T/err")"; continue; fi
    python3 - "$T/$n.json" "$policies" <<'PY' && ok || ko "$c: results"
import json, sys
d = json.load(open(sys.argv[1]))
assert [p["policy"] for p in d["policies"]] == sys.argv[2].split(",")
for p in d["policies"]:
    assert p["conservation_ok"] is True, p["policy"]
    assert p["halts"] > 0, p["policy"]
PY
    # the effective config echoed in the results is itself a valid config
    python3 -c 'import json,sys; json.dump(json.load(open(sys.argv[1]))["config"], open(sys.argv[2], "w"))' \
        "$T/$n.json" "$T/eff-$n.json"
    cp -r configs/data "$T/" 2>/dev/null
    if $H "$T/eff-$n.json" -q -o "$T/again-$n.json" 2>"$T/err"; then ok; else ko "$c: effective config: $(cat "$T/err")"; fi
    python3 - "$T/$n.json" "$T/again-$n.json" <<'PY' && ok || ko "$c: effective config gives other figures"
import json, sys
a, b = (json.load(open(f))["policies"] for f in sys.argv[1:])
assert a == b
PY
done
$H configs/seed_powertop.json --duration 1 -p none,always,v4 >"$T/pt" 2>&1
grep -q "^# reference: 2015 thread" "$T/pt" && grep -q "^always .* 1.800 .* 2.00$" "$T/pt" && ok || ko "seed_powertop: no reference table: $(cat "$T/pt")"
echo "configs: $pass passed, $fail failed"
[ $fail -eq 0 ]
