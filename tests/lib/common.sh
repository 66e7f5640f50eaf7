# common.sh - helpers for the shell tests (sourced, not run: tests/run.sh runs
# only tests/*.sh). Expects $T, a scratch directory; counts in $pass/$fail.
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
