#!/bin/sh
# policies.sh - the newer policies at the command line: the issue's eight-row
# comparison, the oracle's mark and distance columns, policy pairs and their
# errors, and --trace-policy files (one per policy, read back by the shape of
# trace-cmd report lines). Prints "policies-cli: N passed, N failed".
. "$(dirname "$0")/lib/common.sh"
CFG=configs/tcp_rr.json
Q="--duration 0.05"
EIGHT=none,always,v3,v4,blocktime,mainline,guest-haltpoll+mainline,oracle

$H $CFG --policy $EIGHT $Q -o "$T/r.json" >"$T/out" 2>"$T/err" && ok || ko "eight policies: $(cat "$T/err")"
for p in none always v3 v4 blocktime mainline guest-haltpoll+mainline; do
    grep -q "^$p " "$T/out" && ok || ko "table lacks $p"
done
grep -q "^oracle \[bound\] " "$T/out" && ok || ko "table does not mark the oracle"
head -2 "$T/out" | tail -1 | grep -q "+%C0 +wake_mean$" && ok || ko "no distance columns"
python3 - "$T/r.json" <<'PY' && ok || ko "JSON: bound mark, vs_oracle, guest poll"
import json, sys
rows = json.load(open(sys.argv[1]))["policies"]
assert len(rows) == 8
by = {r["policy"]: r for r in rows}
assert [r["policy"] for r in rows if r["bound"]] == ["oracle"]
for r in rows:
    d = r["vs_oracle"]
    assert abs(d["extra_c0_pct"] - (r["c0_pct"] - by["oracle"]["c0_pct"])) < 1e-9
    assert r["conservation_ok"] is True
assert by["oracle"]["vs_oracle"]["extra_c0_pct"] == 0
g = by["guest-haltpoll+mainline"]
assert g["guest_poll_pct"] > 0 and g["poll_pct"] == 0 and g["kvm"]["halt_attempted_poll"] == 0
assert g["guest_poll_successes"] > 0.99 * g["guest_polls"]
PY
$H $CFG --policy mainline $Q -q -o "$T/n.json" && python3 -c "
import json, sys; r = json.load(open('$T/n.json'))['policies'][0]; assert 'vs_oracle' not in r and r['bound'] is False
" && ok || ko "vs_oracle without an oracle"

# pairs: a guest governor then a host policy; anything else is one line, exit 2
$H $CFG --policy mainline+guest-haltpoll $Q >/dev/null 2>"$T/err"; [ $? = 2 ] && ok || ko "host+guest accepted"
grep -q "GUEST+HOST" "$T/err" && [ "$(wc -l <"$T/err")" = 1 ] && ok || ko "pair error: $(cat "$T/err")"
$H $CFG --policy guest-haltpoll+nope $Q >/dev/null 2>"$T/err"; [ $? = 2 ] && ok || ko "unknown host accepted"
$H --list-policies | grep -q "^guest-haltpoll " && ok || ko "list-policies lacks guest-haltpoll"
$H $CFG --policy guest-haltpoll+mainline $Q -q --set policy.guest-haltpoll.guest_halt_poll_ns=30000 -o "$T/g.json" &&
    grep -q '"guest_halt_poll_ns": 30000' "$T/g.json" && ok || ko "guest parameter not in the effective config"

# --trace-policy: one file for one policy, one per policy for several
LINE='^ *CPU [0-9]*/KVM-[0-9]* *\[[0-9]{3}\] +[0-9]+\.[0-9]{6}: kvm_halt_poll_ns: +vcpu [0-9]+: halt_poll_ns [0-9]+ \((grow|shrink) [0-9]+\)$'
$H $CFG --policy mainline $Q -q --trace-policy "$T/one.trace" && ok || ko "--trace-policy run"
head -1 "$T/one.trace" | grep -qx "cpus=1" && ok || ko "trace header"
[ "$(tail -n +2 "$T/one.trace" | grep -cvE "$LINE")" = 0 ] && [ "$(wc -l <"$T/one.trace")" -gt 1 ] && ok ||
    ko "trace lines: $(sed -n 2p "$T/one.trace")"
$H $CFG --policy blocktime,guest-haltpoll+mainline $Q -q --trace-policy "$T/t.trace" && ok || ko "two traced policies"
[ -s "$T/t.blocktime.trace" ] && [ -s "$T/t.guest-haltpoll+mainline.trace" ] && [ ! -e "$T/t.trace" ] && ok ||
    ko "per-policy trace files: $(ls "$T")"
grep -qE '^ *<idle>-0 +\[000\] +[0-9.]+: guest_halt_poll_ns: +halt_poll_ns 50000 \(grow 0\)$' \
    "$T/t.guest-haltpoll+mainline.trace" && ok || ko "guest trace line"
$H $CFG --policy mainline $Q -q --trace-policy /nonexistent/dir/t.trace 2>"$T/err"; [ $? = 1 ] && ok ||
    ko "unwritable trace: exit $?"
ls "$T"/*.tmp.* >/dev/null 2>&1 && ko "temporary trace left behind" || ok

echo "policies-cli: $pass passed, $fail failed"
[ $fail -eq 0 ]
