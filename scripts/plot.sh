#!/bin/sh
# plot.sh - plots of hpsim results with gnuplot, as PNG and SVG.
# See `scripts/plot.sh --help` and docs/sweeps.md.
set -eu

usage() {
    cat <<'EOF'
usage: scripts/plot.sh [options] RESULTS... OUTDIR

Plot each RESULTS file into OUTDIR (created if missing), as NAME-PLOT.png and
NAME-PLOT.svg, NAME being the file's name without its extension:

  a run's JSON (hpsim run CONFIG -o NAME.json)
    NAME-c0        per-policy bars of host %C0
    NAME-wakeup    per-policy bars of wakeup latency p50 and p99
    NAME-cdf       wakeup latency CDFs of the policies on one axis
    NAME-tradeoff  %C0 against p99 wakeup latency, one point per policy
  a sweep's CSV or JSON (hpsim sweep / hpsim merge)
    NAME-METRIC    each metric against the first swept parameter, one line
                   per policy (and per value of any other swept parameter),
                   95% CI error bars when the sweep had --reps > 1
    NAME-tradeoff  %C0 against p99 wakeup latency, each policy a curve
                   through its sweep points; the oracle policy, if present,
                   drawn as the frontier
  a kvm_halt_poll_ns trace (hpsim --trace-policy FILE, or trace-cmd report)
    NAME-window    the halt-poll window of one vCPU over time

options:
  --vcpu N          the vCPU of a trace's window plot (default: the lowest)
  --metrics LIST    sweep metrics, comma separated, as CSV column names
                    (default: c0_pct,poll_pct,poll_success_pct,
                    wakeup_latency_ns.p50,wakeup_latency_ns.p99,
                    mean_halt_poll_ns,halts_per_s,transactions_per_s,rtt_ns.p99)
  --size WxH        image size in pixels (default 1000x600)
  -h, --help        this help

Needs gnuplot (Debian: gnuplot-nox, installed by scripts/deps.sh) and python3.
Exit status: 0 ok, 2 bad usage, unusable input or a missing tool.
EOF
}

die() {
    echo "plot.sh: $*" >&2
    exit 2
}

here=$(cd "$(dirname "$0")" && pwd)
vcpu="" metrics="" size="1000x600"
while [ $# -gt 0 ]; do
    case $1 in
    -h|--help) usage; exit 0 ;;
    --vcpu) [ $# -ge 2 ] || die "--vcpu needs a number"; vcpu=$2; shift 2 ;;
    --metrics) [ $# -ge 2 ] || die "--metrics needs a list"; metrics=$2; shift 2 ;;
    --size) [ $# -ge 2 ] || die "--size needs WxH"; size=$2; shift 2 ;;
    --) shift; break ;;
    -*) die "bad option '$1' (see scripts/plot.sh --help)" ;;
    *) break ;;
    esac
done
[ $# -ge 2 ] || die "expected RESULTS... OUTDIR (see scripts/plot.sh --help)"
case $vcpu in ''|*[!0-9]*) [ -z "$vcpu" ] || die "--vcpu '$vcpu': expected a vCPU number" ;; esac
case $size in *[!0-9x]*|x*|*x|*x*x*|[!0-9]*) die "--size '$size': expected WxH, e.g. 1000x600" ;; esac
width=${size%x*} height=${size#*x}
[ "$width" -ge 200 ] && [ "$height" -ge 150 ] || die "--size '$size': at least 200x150"

command -v gnuplot >/dev/null 2>&1 ||
    die "gnuplot not found: install it (Debian: apt-get install gnuplot-nox, or run scripts/deps.sh as root)"
command -v python3 >/dev/null 2>&1 || die "python3 not found: it reads the results for gnuplot"

# The last argument is OUTDIR.
outdir=$(eval "printf '%s' \"\${$#}\"")
[ ! -e "$outdir" ] || [ -d "$outdir" ] || die "$outdir: not a directory"
mkdir -p "$outdir" || die "$outdir: cannot create it"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

# Common set-up and the two outputs, shared by every plot: a template sets
# its plot up, evals png(NAME) before its plot command and svg(NAME) after it
# (svg replots the same plot).
cat >"$work/common.gp" <<'EOF'
set encoding utf8
set grid lc rgb "#dddddd"
set border lc rgb "#444444"
set key outside right top noenhanced
set tics noenhanced
set title noenhanced font ",13"
set style fill solid 0.85 border lc rgb "#333333"
png(out) = sprintf("set terminal pngcairo size %d,%d noenhanced font 'Sans,11'; set output '%s.png'", W, H, out)
svg(out) = sprintf("set terminal svg size %d,%d noenhanced font 'Sans,11' background rgb 'white'; set output '%s.svg'; replot; set output", W, H, out)
EOF

cat >"$work/run.gp" <<'EOF'
load 'common.gp'
load 'meta.gp'
set xtics rotate by -30 nomirror
set xrange [-0.6:npol-0.4]
set boxwidth 0.6
set title title."\nhost CPU busy (%C0) by policy"
set ylabel "host CPU busy, %C0 (% of the host CPUs' time)"
set yrange [0:*]
set key off
eval png(prefix."-c0")
plot 'bars.dat' using 0:2:(0.6):(colour[int($0)+1]):xtic(1) with boxes lc rgb variable, \
     '' using 0:2:(sprintf("%.1f", $2)) with labels offset 0,0.7 notitle
eval svg(prefix."-c0")

set title title."\nwakeup latency by policy (halt to vCPU running)"
set ylabel "wakeup latency (µs)"
set key outside right top
set boxwidth 0.38
if (latlog) { set logscale y; set yrange [*:*] } else { set yrange [0:*] }
eval png(prefix."-wakeup")
plot 'bars.dat' using ($0-0.2):3:(0.38) with boxes lc rgb "#6baed6" title "p50", \
     '' using ($0+0.2):4:(0.38):xtic(1) with boxes lc rgb "#08519c" title "p99", \
     '' using ($0-0.2):3:(sprintf("%.3g", $3)) with labels offset 0,0.7 font ",9" notitle, \
     '' using ($0+0.2):4:(sprintf("%.3g", $4)) with labels offset 0,0.7 font ",9" notitle
eval svg(prefix."-wakeup")

unset logscale y
set xrange [*:*]
set yrange [0:1.02]
set xtics norotate mirror
set logscale x
set key outside right top
set title title."\nwakeup latency CDF"
set xlabel "wakeup latency (µs, log scale)"
set ylabel "fraction of wakeups with latency ≤ x"
eval png(prefix."-cdf")
plot for [i=1:ncdf] 'cdf.dat' index (i-1) using 1:2 with steps lw 2 lc rgb cdfcolour[i] title columnheader(1)
eval svg(prefix."-cdf")
EOF

cat >"$work/tradeoff.gp" <<'EOF'
load 'common.gp'
load 'meta.gp'
set title tradetitle."\nCPU cost against wakeup latency (down and left is better)"
set xlabel "wakeup latency p99 (µs".(tradelog ? ", log scale)" : ")")
set ylabel "host CPU busy, %C0 (%)"
if (tradelog) { set logscale x }
if (!exists("ptlabels")) { ptlabels = 0 }
if (ptlabels) { set title tradetitle."\nCPU cost against wakeup latency (down and left is better; points labelled with ".xshort.")" }
if (exists("keybelow") && keybelow) { set key below }
cmd = "plot for [i=1:ntrade] 'tradeoff.dat' index (i-1) using 1:2 with linespoints lw 2 pt 7 ps 1 lc rgb tradecolour[i] dt tradedash[i] title columnheader(1)"
if (ptlabels) { cmd = cmd.", for [i=1:ntrade] 'tradeoff.dat' index (i-1) using 1:2:3 with labels offset 0.8,0.6 font ',8' tc rgb tradecolour[i] notitle" }
if (has_oracle) { cmd = cmd.", 'oracle.dat' index 0 using 1:2 with linespoints lw 4 dt 2 pt 5 ps 1.5 lc rgb 'black' title columnheader(1)" }
eval png(prefix."-tradeoff")
eval cmd
eval svg(prefix."-tradeoff")
EOF

cat >"$work/sweep.gp" <<'EOF'
load 'common.gp'
load 'meta.gp'
load mfile
set title title.": ".metric." against ".xlabel
set xlabel xlabel.(xlog ? " (log scale)" : "")
set ylabel ylabel
if (xlog) { set logscale x }
if (ylog) { set logscale y }
if (keybelow) { set key below }
eval png(prefix."-".safe)
# columns: x, value, CI half-width, x as text (the tic label of a non-numeric parameter)
if (!xnumeric) { set xrange [-0.5:nx-0.5] }
if (hasci && xnumeric) {
    plot for [i=1:nseries] dat index (i-1) using 1:2:3 with yerrorlines lw 2 pt 7 lc rgb colour[i] dt dash[i] title columnheader(1)
} else { if (hasci) {
    plot for [i=1:nseries] dat index (i-1) using 1:2:3:xtic(4) with yerrorlines lw 2 pt 7 lc rgb colour[i] dt dash[i] title columnheader(1)
} else { if (xnumeric) {
    plot for [i=1:nseries] dat index (i-1) using 1:2 with linespoints lw 2 pt 7 lc rgb colour[i] dt dash[i] title columnheader(1)
} else {
    plot for [i=1:nseries] dat index (i-1) using 1:2:xtic(4) with linespoints lw 2 pt 7 lc rgb colour[i] dt dash[i] title columnheader(1)
} } }
eval svg(prefix."-".safe)
EOF

cat >"$work/trace.gp" <<'EOF'
load 'common.gp'
load 'meta.gp'
set title title
set xlabel "time since the trace's first halt_poll_ns event (s)"
set ylabel "halt_poll_ns window (µs)"
set key off
set yrange [0:*]
eval png(prefix."-window")
plot 'window.dat' index 0 using 1:2 with steps lw 2 lc rgb "#1f77b4"
eval svg(prefix."-window")
EOF

# gnuplot string literal of a path: single quotes, ' doubled.
gpq() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/''/g")"; }

abs() { case $1 in /*) printf '%s' "$1" ;; *) printf '%s/%s' "$PWD" "$1" ;; esac; }

plot_one() {  # FILE
    f=$1
    name=$(basename "$f"); name=${name%.*}
    rm -f "$work"/*.dat "$work"/m_*.gp "$work/meta.gp"
    set -- "$f" "$work"
    [ -z "$vcpu" ] || set -- --vcpu "$vcpu" "$@"
    [ -z "$metrics" ] || set -- --metrics "$metrics" "$@"
    info=$(python3 "$here/plot_data.py" "$@") || exit 2
    kind=$(printf '%s\n' "$info" | head -1)
    prefix=$(gpq "$(abs "$outdir")/$name")
    gp() { (cd "$work" && gnuplot -e "W=$width; H=$height; prefix=$prefix; $1" "$2") || die "gnuplot failed on $f"; }
    case $kind in
    run)
        gp "" run.gp
        gp "" tradeoff.gp ;;
    sweep)
        for m in $(printf '%s\n' "$info" | tail -n +2); do
            gp "safe='$m'; mfile='m_$m.gp'; dat='m_$m.dat'" sweep.gp
        done
        gp "" tradeoff.gp ;;
    trace)
        gp "" trace.gp ;;
    esac
    echo "$f: $kind plots in ${outdir%/}/$name-*.png (and .svg)"
}

n=$(($# - 1))
i=0
for f in "$@"; do
    i=$((i + 1))
    [ $i -le $n ] || break
    plot_one "$f"
done
