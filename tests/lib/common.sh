# common.sh - the shell tests' shared start (sourced, not run: tests/run.sh
# runs only tests/*.sh): from the repo root, H is the hpsim under test ($HPSIM,
# else ./hpsim), T a scratch directory removed on exit, and counts in
# $pass/$fail with these helpers.
cd "$(dirname "$0")/.." || exit 1
H=${HPSIM:-./hpsim}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }
# expect CODE CMD... : exit status is CODE; stdout in $T/out, stderr in $T/err
expect() {
    want=$1; shift
    "$@" >"$T/out" 2>"$T/err"; got=$?
    if [ "$got" = "$want" ]; then ok; else ko "$* -> exit $got, expected $want: $(cat "$T/err")"; fi
}
# err_has TEXT : the last stderr has TEXT and is one line
err_has() {
    if grep -qF -- "$1" "$T/err" && [ "$(wc -l <"$T/err")" -le 1 ]; then ok; else ko "stderr lacks '$1': $(cat "$T/err")"; fi
}
