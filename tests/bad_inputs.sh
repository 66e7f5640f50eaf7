#!/bin/sh
# bad_inputs.sh - the table tests/bad_inputs.txt: each bad input must give its
# exit code and a one-line error containing the expected text, print nothing
# on stdout, and leave no output file. Prints "bad-inputs: N passed, N failed".
cd "$(dirname "$0")/.." || exit 1
H=${HPSIM:-./hpsim}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
tab=$(printf '\t')
while IFS="$tab" read -r code text args; do
    case $code in ''|'#'*) continue ;; esac
    # shellcheck disable=SC2086
    set -- $(printf '%s' "$args" | sed 's|@|tests/bad/|g')
    # KILL, not TERM: hpsim catches TERM to stop a run cleanly, and a reader
    # stuck on a bad input must fail the test, not hang it.
    timeout -s KILL 60 "$H" "$@" -o "$T/out.json" >"$T/stdout" 2>"$T/stderr"
    got=$?
    why=""
    [ "$got" = 137 ] && why="killed after 60 s (a hang);"
    [ "$got" = "$code" ] || why="$why exit $got, expected $code"
    grep -qF -- "$text" "$T/stderr" || why="$why; stderr lacks '$text'"
    [ "$(wc -l <"$T/stderr")" = 1 ] || why="$why; stderr is $(wc -l <"$T/stderr") lines"
    [ -s "$T/stdout" ] && why="$why; stdout not empty"
    [ -e "$T/out.json" ] && why="$why; an output file was written"
    ls "$T"/out.json.tmp.* >/dev/null 2>&1 && why="$why; a temporary file was left"
    if [ -z "$why" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL: hpsim $args: $why"
        sed 's/^/    stderr: /' "$T/stderr" | head -3
    fi
done <tests/bad_inputs.txt
echo "bad-inputs: $pass passed, $fail failed"
[ $fail -eq 0 ]
