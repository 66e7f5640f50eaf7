#!/bin/sh
# Run every test binary given, then the shell tests, and close with one line
# "tests: N passed, N failed, N skipped" summed over cmocka's own counts.
# Exit non-zero if anything failed.
pass=0 fail=0 skip=0 bad=0
here=$(dirname "$0")
# tests may call make themselves (the probe): not as part of our jobserver
unset MAKEFLAGS MFLAGS MAKELEVEL
count() {  # $1 = output file
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$1" | awk '{s+=$1} END {print s+0}')
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$1" | awk '{s+=$1} END {print s+0}')
    s=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' "$1" | awk '{s+=$1} END {print s+0}')
    pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
}
out=$(mktemp)
for t in "$@"; do
    "$t" >"$out" 2>&1
    rc=$?
    cat "$out"
    count "$out"
    [ $rc -ne 0 ] && bad=$((bad + 1))
done
for t in "$here"/*.sh "$here"/../probe/test_probe.sh; do
    [ "$(basename "$t")" = run.sh ] && continue
    sh "$t" >"$out" 2>&1
    rc=$?
    cat "$out"
    p=$(sed -n 's/^[a-z-]*:* *\([0-9]*\) passed, \([0-9]*\) failed.*/\1/p' "$out" | tail -1)
    f=$(sed -n 's/^[a-z-]*:* *\([0-9]*\) passed, \([0-9]*\) failed.*/\2/p' "$out" | tail -1)
    s=$(sed -n 's/^[a-z-]*:* *[0-9]* passed, [0-9]* failed, \([0-9]*\) skipped.*/\1/p' "$out" | tail -1)
    pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0})); skip=$((skip + ${s:-0}))
    # a whole script that skipped (exit 77) counts as one skipped test
    [ $rc -eq 77 ] && [ -z "$p" ] && skip=$((skip + 1))
    if [ $rc -ne 0 ] && [ $rc -ne 77 ]; then bad=$((bad + 1)); fi
done
rm -f "$out"
[ $bad -gt 0 ] && [ $fail -eq 0 ] && fail=$bad
echo "tests: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ] && [ $bad -eq 0 ]
