#!/bin/sh
# Run each libFuzzer harness in $1 for $FUZZ_SECONDS seconds from its seed
# corpus; print its execution count; exit 1 on any finding.
set -u
dir=$1
secs=${FUZZ_SECONDS:-60}
seeds=$(cd "$(dirname "$0")" && pwd)/corpus
fail=0
for f in config text dat; do
    mkdir -p "$dir/corpus-$f"
    case $f in config) s=config ;; text) s=text ;; dat) s=dat ;; esac
    if ( cd "$dir" && ASAN_OPTIONS=detect_leaks=1 \
         LSAN_OPTIONS=suppressions=$seeds/../../lsan.supp:print_suppressions=0 \
         ./fuzz_$f -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
           -print_final_stats=1 "corpus-$f" "$seeds/$s" >"fuzz_$f.log" 2>&1 ); then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/fuzz_$f.log")
        echo "fuzz_$f: ${secs} s, $runs inputs, no finding"
    else
        tail -30 "$dir/fuzz_$f.log"
        echo "fuzz_$f: FINDING (see $dir/fuzz_$f.log and $dir/crash-*)"
        fail=1
    fi
done
exit $fail
