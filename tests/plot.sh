#!/bin/sh
# plot.sh - scripts/plot.sh end to end on results made here: every plot of a
# run, a sweep (CSV, and JSON with repetitions and an oracle) and a
# kvm_halt_poll_ns trace exists as a PNG of the asked pixel size and an SVG;
# bad inputs and a missing gnuplot give one clear line and exit 2.
# Prints "plot: N passed, N failed".
. "$(dirname "$0")/lib/common.sh"
P=scripts/plot.sh
# png_is FILE W H : a PNG (signature, then IHDR width and height) of that size
png_is() {
    set -- "$1" "$2" "$3" "$(od -An -tu1 -N24 "$1" 2>/dev/null | tr -s ' \n' '  ')"
    sig=$(echo "$4" | cut -d' ' -f2-5)
    w=$(echo "$4" | awk '{print $17 * 16777216 + $18 * 65536 + $19 * 256 + $20}')
    h=$(echo "$4" | awk '{print $21 * 16777216 + $22 * 65536 + $23 * 256 + $24}')
    if [ "$sig" = "137 80 78 71" ] && [ "$w" = "$2" ] && [ "$h" = "$3" ] && [ "$(wc -c <"$1")" -gt 5000 ]; then
        ok
    else
        ko "$1: not a ${2}x$3 PNG (signature '$sig', ${w}x$h, $(wc -c <"$1" 2>/dev/null) bytes)"
    fi
}
svg_ok() {
    if grep -q "<svg" "$1" 2>/dev/null && grep -q "</svg>" "$1"; then ok; else ko "$1: not an SVG"; fi
}

# fixtures: a run, a sweep (CSV), a sweep with reps and an "oracle" (JSON), a trace
Q="--duration 0.02"
$H configs/tcp_rr.json $Q -q -o "$T/run.json" || ko "hpsim run"
$H sweep configs/tcp_rr.json policy.halt_poll_ns_grow=1,2,4 --policy none,v4 $Q -o "$T/grow.csv" || ko "sweep"
$H sweep configs/tcp_rr.json policy.halt_poll_ns_grow=1,4 --policy v3,v4 --reps 2 $Q -o "$T/reps.json" || ko "sweep"
# the oracle policy is another issue's: stand it in by renaming v4's rows
sed 's/"policy": "v4"/"policy": "oracle"/' "$T/reps.json" >"$T/orc.json"
cat >"$T/trace.txt" <<'EOF'
cpus=2
 qemu-system-x86-150750 [019] 16062.944032: kvm_halt_poll_ns:     vcpu 0: halt_poll_ns 10000 (grow 0)
 qemu-system-x86-150750 [019] 16062.944100: kvm_halt_poll_ns:     vcpu 1: halt_poll_ns 10000 (grow 0)
       CPU 0/KVM-60250 [007] 16062.945000: kvm_entry:             vcpu 0 rip 0xffffffffbb51c00b
 qemu-system-x86-150750 [019] 16062.946032: kvm_halt_poll_ns:     vcpu 0: halt_poll_ns 20000 (grow 10000)
 qemu-system-x86-150750 [019] 16062.948032: kvm_halt_poll_ns:     vcpu 0: halt_poll_ns 40000 (grow 20000)
 qemu-system-x86-150750 [019] 16062.950032: kvm_halt_poll_ns:     vcpu 0: halt_poll_ns 0 (shrink 40000)
 qemu-system-x86-150750 [019] 16062.951000: kvm_halt_poll_ns:      grow=1 vcpu_id=0 new=10000 old=0
EOF

cat >"$T/guest.txt" <<'EOF'
cpus=2
          <idle>-0     [001]     0.019208: guest_halt_poll_ns:   halt_poll_ns 20000 (grow 10000)
          <idle>-0     [001]     0.043318: guest_halt_poll_ns:   halt_poll_ns 10000 (shrink 20000)
EOF
# hpsim's own --trace-policy output
$H configs/tcp_rr.json --policy blocktime $Q -q --trace-policy "$T/bt.trace" || ko "--trace-policy"

expect 0 sh $P "$T/run.json" "$T/grow.csv" "$T/orc.json" "$T/trace.txt" "$T/bt.trace" "$T/guest.txt" "$T/plots"
for p in run-c0 run-wakeup run-cdf run-tradeoff \
         grow-c0_pct grow-poll_pct grow-poll_success_pct grow-wakeup_latency_ns_p50 grow-wakeup_latency_ns_p99 \
         grow-mean_halt_poll_ns grow-halts_per_s grow-transactions_per_s grow-rtt_ns_p99 grow-tradeoff \
         orc-c0_pct orc-tradeoff trace-window bt-window guest-window; do
    png_is "$T/plots/$p.png" 1000 600
    svg_ok "$T/plots/$p.svg"
done
# titles name the config; the oracle is drawn as the frontier; CI bars with reps
grep -q "tcp_rr (0.02 s simulated, seed 1)" "$T/plots/run-c0.svg" && ok || ko "run title lacks the config"
grep -q "oracle (frontier)" "$T/plots/orc-tradeoff.svg" && ok || ko "oracle not drawn as the frontier"
grep -q "tcp_rr: c0_pct against policy.halt_poll_ns_grow" "$T/plots/orc-c0_pct.svg" && ok || ko "sweep title"
grep -q "halt-poll window of vCPU 0 (4 grows, 1 shrink)" "$T/plots/trace-window.svg" && ok || ko "trace title"
grep -q "halt-poll window of vCPU 1 (1 grow, 1 shrink)" "$T/plots/guest-window.svg" && ok || ko "guest trace title"

# options: size, vCPU, metrics
expect 0 sh $P --size 640x400 --metrics c0_pct --vcpu 1 "$T/grow.csv" "$T/trace.txt" "$T/small"
png_is "$T/small/grow-c0_pct.png" 640 400
png_is "$T/small/trace-window.png" 640 400
[ ! -e "$T/small/grow-poll_pct.png" ] && ok || ko "--metrics did not limit the plots"
grep -q "vCPU 1 (1 grow, 0 shrinks)" "$T/small/trace-window.svg" && ok || ko "--vcpu 1"

# a parameter that is not a number: values placed in sweep order and named on the axis
$H sweep configs/tcp_rr.json costs.profile=zen3,haswell-2015 --policy none $Q -o "$T/prof.csv"
expect 0 sh $P --metrics c0_pct "$T/prof.csv" "$T/small"
png_is "$T/small/prof-c0_pct.png" 1000 600
grep -q ">zen3<" "$T/small/prof-c0_pct.svg" && grep -q ">haswell-2015<" "$T/small/prof-c0_pct.svg" \
    && ok || ko "string values not on the x axis"

# bad input: one line, exit 2
expect 0 sh $P --help;                                 grep -q "usage: scripts/plot.sh" "$T/out" && ok || ko "--help"
expect 2 sh $P "$T/run.json";                          err_has "expected RESULTS... OUTDIR"
expect 2 sh $P "$T/nope.json" "$T/o";                  err_has "$T/nope.json: no such file"
expect 2 sh $P --size 12 "$T/run.json" "$T/o";         err_has "--size '12'"
expect 2 sh $P --vcpu 7 "$T/trace.txt" "$T/o";         err_has "no kvm_halt_poll_ns line for vCPU 7"
echo '{"a": 1}' >"$T/other.json"
expect 2 sh $P "$T/other.json" "$T/o";                 err_has "not hpsim results"
echo 'hello' >"$T/prose.txt"
expect 2 sh $P "$T/prose.txt" "$T/o";                  err_has "no kvm_halt_poll_ns lines"
$H sweep configs/tcp_rr.json policy.halt_poll_ns_grow=1,2 --policy v4 $Q --shard 1/2 -o "$T/part.json"
expect 2 sh $P "$T/part.json" "$T/o";                  err_has "hpsim merge"
expect 2 sh $P "$T/run.json" "$T/run.json";            err_has "not a directory"

# a machine without gnuplot: the clear message, exit 2, nothing plotted
mkdir "$T/bin"
ln -s "$(command -v dirname)" "$T/bin/dirname"
(PATH="$T/bin"; export PATH; /bin/sh $P "$T/run.json" "$T/nognuplot") >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 2 ] && ok || ko "without gnuplot: exit $rc, expected 2"
err_has "gnuplot not found: install it (Debian: apt-get install gnuplot-nox"
[ ! -e "$T/nognuplot" ] && ok || ko "OUTDIR made without gnuplot"

echo "plot: $pass passed, $fail failed"
[ $fail -eq 0 ]
