#!/bin/sh
# valgrind.sh - a full run (every default policy, results written) under
# valgrind's memcheck: no invalid access and no leak. Skipped (exit 77) where
# valgrind is absent or the binary carries sanitizers (they do not mix).
cd "$(dirname "$0")/.." || exit 1
H=${HPSIM:-./hpsim}
if ! command -v valgrind >/dev/null 2>&1; then
    echo "valgrind: skipped: valgrind is not installed"; exit 77
fi
case $H in *asan*) echo "valgrind: skipped: $H is a sanitizer build"; exit 77 ;; esac
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
check() {  # NAME ARGS...
    name=$1; shift
    valgrind -q --suppressions=tests/valgrind.supp --leak-check=full --show-leak-kinds=definite,indirect \
        --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
        "$H" "$@" >"$T/out" 2>"$T/vg"
    if [ $? != 99 ] && ! grep -q "==[0-9]*==" "$T/vg"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1)); echo "FAIL: valgrind $name"; head -30 "$T/vg"
    fi
}
check run configs/tcp_rr.json --duration 0.01 -q -o "$T/r.json"
check csv configs/tcp_rr.json --duration 0.01 -q --policy blocktime,v3 -o "$T/r.csv"
check bad-config tests/bad/typo_host.json
check replay-text replay traces/synthetic_tcp_rr.txt -q --policy none,mainline -o "$T/rt.json"
check replay-dat replay traces/probe/long_idle_10-100ms/trace.dat -q --policy mainline -o "$T/rd.json"
echo "valgrind: $pass passed, $fail failed"
[ $fail -eq 0 ]
