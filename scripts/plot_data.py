#!/usr/bin/env python3
"""plot_data.py - turn hpsim results into gnuplot data for scripts/plot.sh.

usage: plot_data.py [--vcpu N] [--metrics LIST] FILE WORKDIR

Reads one of
  * a run's results JSON (hpsim run -o FILE.json)            -> kind "run"
  * a sweep's CSV or JSON (hpsim sweep / hpsim merge)        -> kind "sweep"
  * a kvm_halt_poll_ns trace (hpsim --trace-policy, or
    trace-cmd report), lines like
    ` 12.000345: kvm_halt_poll_ns: vcpu 0: halt_poll_ns 20000 (grow 10000)`
    or the raw form `kvm_halt_poll_ns: grow=1 vcpu_id=0 new=20000 old=10000`
                                                             -> kind "trace"
and writes into WORKDIR the .dat files (series as gnuplot index blocks, each
starting with its title) and meta.gp (titles, labels, counts) that plot.sh's
templates load. Prints the kind, then the sweep metrics written (one a line).
Stdlib only. Exit 2 with one line on stderr for input it cannot use.
"""
import csv
import json
import os
import re
import sys

# Metrics plotted against a swept parameter: key -> (label with unit, scale).
METRICS = {
    "c0_pct": ("host CPU busy, %C0 (%)", 1),
    "poll_pct": ("host CPU time polling (%)", 1),
    "poll_success_pct": ("halts ended by a successful poll (%)", 1),
    "wakeup_latency_ns.p50": ("wakeup latency p50 (µs)", 1e-3),
    "wakeup_latency_ns.p99": ("wakeup latency p99 (µs)", 1e-3),
    "mean_halt_poll_ns": ("mean halt-poll window (µs)", 1e-3),
    "halts_per_s": ("halts per second (1/s)", 1),
    "transactions_per_s": ("transactions per second (1/s)", 1),
    "rtt_ns.p99": ("round-trip time p99 (µs)", 1e-3),
}
# One colour per policy in every plot.
COLOURS = {"none": "#7f7f7f", "always": "#d62728", "v3": "#1f77b4", "v4": "#2ca02c",
           "blocktime": "#9467bd", "toggle": "#8c564b", "oracle": "#000000"}
SPARE = ["#ff7f0e", "#17becf", "#e377c2", "#bcbd22", "#393b79", "#ad494a", "#637939"]


def die(msg):
    sys.stderr.write("plot.sh: %s\n" % msg)
    sys.exit(2)


def colour(policy, seen):
    if policy in COLOURS:
        return COLOURS[policy]
    if policy not in seen:
        seen[policy] = SPARE[len(seen) % len(SPARE)]
    return seen[policy]


def gp_str(s):
    """A gnuplot double-quoted string literal."""
    return '"%s"' % str(s).replace("\\", "\\\\").replace('"', '\\"')


def label_for(key):
    if key in METRICS:
        return METRICS[key]
    if key.endswith("_ns") or "_ns." in key:
        return (key + " (µs)", 1e-3)
    if key.endswith("_pct"):
        return (key + " (%)", 1)
    if key.endswith("_per_s"):
        return (key + " (1/s)", 1)
    return (key, 1)


def write_blocks(path, series):
    """series: [(title, [row tuples])] -> gnuplot index blocks."""
    with open(path, "w") as f:
        for i, (title, rows) in enumerate(series):
            if i:
                f.write("\n\n")
            f.write(gp_str(title) + "\n")
            for r in rows:
                f.write(" ".join(fmt(v) for v in r) + "\n")


def fmt(v):
    if v is None:
        return "NaN"
    if isinstance(v, str):
        return gp_str(v)
    return repr(float(v))


class Meta:
    def __init__(self):
        self.lines = []

    def set(self, name, value):
        if isinstance(value, str):
            self.lines.append("%s = %s" % (name, gp_str(value)))
        else:
            self.lines.append("%s = %r" % (name, value))

    def array(self, name, values):
        """A gnuplot array (1-based) of numbers; colours "#rrggbb" become integers."""
        self.lines.append("array %s[%d]" % (name, max(1, len(values))))
        for i, v in enumerate(values):
            if isinstance(v, str) and v.startswith("#"):
                v = int(v[1:], 16)
            self.lines.append("%s[%d] = %r" % (name, i + 1, v))

    def write(self, path):
        with open(path, "w") as f:
            f.write("\n".join(self.lines) + "\n")


def dig(obj, key):
    """obj["a.b"] as obj["a"]["b"]; None when absent or not a number."""
    for part in key.split("."):
        if not isinstance(obj, dict) or part not in obj:
            return None
        obj = obj[part]
    return obj if isinstance(obj, (int, float)) and not isinstance(obj, bool) else None


def is_bound(row):
    """The oracle: a bound on what any policy can do, drawn as the frontier.
    Rows mark it with "bound" (a boolean in JSON, the text true in CSV)."""
    return row.get("policy") == "oracle" or row.get("bound") in (True, "true")


def log_axis(values, span=50):
    """1 when positive values span span times or more: a log axis shows them all."""
    v = [x for x in values if x is not None]
    return 1 if v and min(v) > 0 and max(v) / min(v) >= span else 0


# ---- one run ----

def run_plots(doc, name, work, meta):
    pols = doc.get("policies")
    if not isinstance(pols, list) or not pols:
        die("%s: no \"policies\" in the results" % name)
    cfg = doc.get("config", {})
    title = "%s (%s s simulated, seed %s)" % (cfg.get("name", name), fmt_num(doc.get("duration_s")),
                                             doc.get("seed", "?"))
    spare = {}
    with open(os.path.join(work, "bars.dat"), "w") as f:
        for p in pols:
            lat = p.get("wakeup_latency_ns", {})
            us = [None if lat.get(k) is None else lat[k] / 1e3 for k in ("p50", "p99")]
            f.write("%s %s %s %s\n" % (gp_str(p["policy"]), fmt(p.get("c0_pct")), fmt(us[0]), fmt(us[1])))
    series = []
    for p in pols:
        cdf = p.get("wakeup_cdf_ns") or []
        series.append((p["policy"], [(max(ns, 1) / 1e3, q) for q, ns in cdf]))
    write_blocks(os.path.join(work, "cdf.dat"), [s for s in series if s[1]])
    meta.set("title", title)
    meta.set("npol", len(pols))
    meta.set("ncdf", len([s for s in series if s[1]]))
    meta.array("colour", [colour(p["policy"], spare) for p in pols])
    meta.array("cdfcolour", [colour(s[0], spare) for s in series if s[1]])
    p99 = [dig(p, "wakeup_latency_ns.p99") for p in pols]
    p50 = [dig(p, "wakeup_latency_ns.p50") for p in pols]
    meta.set("latlog", log_axis(p50 + p99))
    # the trade-off: one point per policy
    pts = [(p["policy"], [(dig(p, "wakeup_latency_ns.p99") / 1e3, p.get("c0_pct"), "")])
           for p in pols if not is_bound(p) and dig(p, "wakeup_latency_ns.p99") is not None]
    tradeoff(work, meta, pts, [p for p in pols if is_bound(p)], spare, title)


def fmt_num(v):
    return "?" if v is None else "%g" % v


def tradeoff(work, meta, series, oracle_rows, spare, title):
    write_blocks(os.path.join(work, "tradeoff.dat"), series)
    ora = sorted((dig(p, "wakeup_latency_ns.p99") / 1e3, p.get("c0_pct"))
                 for p in oracle_rows if dig(p, "wakeup_latency_ns.p99") is not None)
    write_blocks(os.path.join(work, "oracle.dat"), [("oracle (frontier)", ora)] if ora else [])
    meta.set("ntrade", len(series))
    meta.set("has_oracle", 1 if ora else 0)
    meta.array("tradecolour", [colour(s[0].split(" ")[0], spare) for s in series])
    rest = [s[0].split(" ", 1)[1] if " " in s[0] else "" for s in series]
    meta.array("tradedash", [1 + list(dict.fromkeys(rest)).index(r) for r in rest])
    meta.set("tradelog", log_axis([r[0] for s in series for r in s[1]] + [o[0] for o in ora]))
    meta.set("tradetitle", title)


# ---- a sweep ----

def sweep_rows_csv(path):
    with open(path, newline="") as f:
        rd = csv.reader(f)
        try:
            head = next(rd)
        except StopIteration:
            die("%s: empty CSV" % path)
        if "policy" not in head:
            die("%s: not an hpsim sweep CSV (no \"policy\" column)" % path)
        params = head[:head.index("policy")]
        rows = []
        for line in rd:
            r = {}
            for k, v in zip(head, line):
                r[k] = v if k == "policy" else num_or_str(v)
            rows.append(r)
    return params, rows


def num_or_str(v):
    if v == "":
        return None
    try:
        return float(v)
    except ValueError:
        return v


def flat_get(row, key):
    """A metric of a sweep row: CSV rows are flat, JSON rows nested."""
    if key in row:
        v = row[key]
        return v if isinstance(v, (int, float)) and not isinstance(v, bool) else None
    return dig(row, key)


def sweep_plots(params, rows, title, work, meta, metrics):
    varying = [p for p in params if len({str(r.get(p)) for r in rows}) > 1]
    if not varying:
        die("sweep results with no parameter that varies: nothing to plot against")
    x = varying[0]
    others = varying[1:]
    spare = {}
    groups = {}
    for r in rows:
        label = r["policy"] + "".join(" %s=%s" % (o.split(".")[-1], fmt_val(r.get(o))) for o in others)
        groups.setdefault(label, []).append(r)
    labels = list(groups)
    xs = [r.get(x) for r in rows]
    numeric_x = all(isinstance(v, (int, float)) for v in xs)
    # a numeric parameter is its own axis; other values (costs.profile=...)
    # are placed 0, 1, ... in the order of the sweep and named by xtics
    order = list(dict.fromkeys(str(v) for v in xs))
    pos = (lambda v: v) if numeric_x else (lambda v: order.index(str(v)))
    for rs in groups.values():
        rs.sort(key=lambda r: pos(r.get(x)))
    meta.set("title", title)
    meta.set("xlabel", x + (" (ns)" if x.endswith("_ns") else ""))
    meta.set("xlog", log_axis(xs) if numeric_x else 0)
    meta.set("xnumeric", 1 if numeric_x else 0)
    meta.set("nx", len(order))
    meta.set("nseries", len(labels))
    # a long legend goes under the plot, leaving it its width
    meta.set("keybelow", 1 if len(labels) > 6 or max(len(l) for l in labels) > 18 else 0)
    meta.array("colour", [colour(g.split(" ")[0], spare) for g in labels])
    # one dash pattern per combination of the other parameters
    rest = [l.split(" ", 1)[1] if " " in l else "" for l in labels]
    meta.array("dash", [1 + list(dict.fromkeys(rest)).index(r) for r in rest])
    done = []
    for m in metrics:
        label, scale = label_for(m)
        series, anyv, hasci = [], False, False
        for g in labels:
            pts = []
            for r in groups[g]:
                v, ci = flat_get(r, m), flat_get(r, m + "_ci95")
                anyv |= v is not None
                hasci |= ci is not None
                pts.append((pos(r.get(x)), None if v is None else v * scale, 0 if ci is None else ci * scale,
                            fmt_val(r.get(x))))
            series.append((g, pts))
        if not anyv:
            continue
        safe = re.sub(r"[^A-Za-z0-9_]+", "_", m)
        write_blocks(os.path.join(work, "m_%s.dat" % safe), series)
        ylog = log_axis([p[1] for _, pts in series for p in pts], 100)
        with open(os.path.join(work, "m_%s.gp" % safe), "w") as f:
            f.write("ylabel = %s\nhasci = %d\nmetric = %s\nylog = %d\n" %
                    (gp_str(label + (", log scale" if ylog else "")), hasci, gp_str(m), ylog))
        done.append(safe)
    # trade-off: policies' curves through their sweep points; oracle as the frontier
    trade = []
    for g in labels:
        if is_bound(groups[g][0]):
            continue
        pts = [(flat_get(r, "wakeup_latency_ns.p99") / 1e3, flat_get(r, "c0_pct"),
                "%s" % fmt_val(r.get(x))) for r in groups[g]
               if flat_get(r, "wakeup_latency_ns.p99") is not None]
        trade.append((g, pts))
    ora = [r for r in rows if is_bound(r)]
    tradeoff(work, meta, trade, [{"c0_pct": flat_get(r, "c0_pct"),
                                  "wakeup_latency_ns": {"p99": flat_get(r, "wakeup_latency_ns.p99")}}
                                 for r in ora], spare, title)
    meta.set("ptlabels", 1 if max(len(s[1]) for s in trade or [("", [])]) <= 12 else 0)
    meta.set("xshort", x.split(".")[-1])
    return done


def fmt_val(v):
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


# ---- a kvm_halt_poll_ns trace ----

TRACE_RE = re.compile(r"(\d+\.\d+):\s+(?:\S+:)?kvm_halt_poll_ns:\s+vcpu (\d+): halt_poll_ns (\d+) \((grow|shrink) (\d+)\)")
RAW_RE = re.compile(r"(\d+\.\d+):\s+(?:\S+:)?kvm_halt_poll_ns:\s+grow=(\d+) vcpu_id=(\d+) new=(\d+) old=(\d+)")
# guest cpuidle-haltpoll has no vcpu field: the guest CPU in [ccc] is the vCPU
GUEST_RE = re.compile(r"\[(\d+)\]\s+(\d+\.\d+):\s+(?:\S+:)?guest_halt_poll_ns:\s+halt_poll_ns (\d+) \((grow|shrink) (\d+)\)")


def trace_events(path):
    """(t_s, vcpu, new_ns, old_ns, grew) of each kvm_halt_poll_ns line."""
    out = []
    with open(path, errors="replace") as f:
        for line in f:
            if "halt_poll_ns" not in line:
                continue
            m = TRACE_RE.search(line)
            if m:
                out.append((float(m.group(1)), int(m.group(2)), int(m.group(3)), int(m.group(5)),
                            m.group(4) == "grow"))
                continue
            m = RAW_RE.search(line)
            if m:
                out.append((float(m.group(1)), int(m.group(3)), int(m.group(4)), int(m.group(5)),
                            m.group(2) != "0"))
                continue
            m = GUEST_RE.search(line)
            if m:
                out.append((float(m.group(2)), int(m.group(1)), int(m.group(3)), int(m.group(5)),
                            m.group(4) == "grow"))
    return out


def plural(n, word):
    return "%d %s%s" % (n, word, "" if n == 1 else "s")


def trace_plots(path, name, work, meta, vcpu):
    ev = trace_events(path)
    if not ev:
        die("%s: no kvm_halt_poll_ns lines (expected `SECS.USECS: kvm_halt_poll_ns: vcpu N: "
            "halt_poll_ns NEW (grow|shrink OLD)`)" % path)
    vcpus = sorted({e[1] for e in ev})
    if vcpu is None:
        vcpu = vcpus[0]
    mine = [e for e in ev if e[1] == vcpu]
    if not mine:
        die("%s: no kvm_halt_poll_ns line for vCPU %d (vCPUs present: %s)" %
            (path, vcpu, " ".join(map(str, vcpus[:20]))))
    t0 = ev[0][0]
    # the window before the first change, then each new value from its time on
    pts = [(mine[0][0] - t0, mine[0][3] / 1e3)] + [(e[0] - t0, e[2] / 1e3) for e in mine]
    write_blocks(os.path.join(work, "window.dat"), [("vCPU %d" % vcpu, pts)])
    grows = sum(1 for e in mine if e[4])
    meta.set("title", "%s: halt-poll window of vCPU %d (%s, %s)" %
             (name, vcpu, plural(grows, "grow"), plural(len(mine) - grows, "shrink")))
    meta.set("ylog", 0)


def main(argv):
    vcpu, metrics = None, list(METRICS)
    while argv and argv[0].startswith("--"):
        opt = argv.pop(0)
        if opt == "--vcpu":
            vcpu = int(argv.pop(0))
        elif opt == "--metrics":
            metrics = [m for m in argv.pop(0).split(",") if m]
        else:
            die("plot_data.py: bad option %s" % opt)
    if len(argv) != 2:
        die("usage: plot_data.py [--vcpu N] [--metrics LIST] FILE WORKDIR")
    path, work = argv
    name = re.sub(r"\.(json|csv|txt|dat)$", "", os.path.basename(path))
    meta = Meta()
    if not os.path.isfile(path):
        die("%s: no such file" % path)
    if path.endswith(".csv"):
        params, rows = sweep_rows_csv(path)
        done = sweep_plots(params, rows, name, work, meta, metrics)
        kind = "sweep"
    else:
        try:
            with open(path) as f:
                doc = json.load(f)
        except (ValueError, UnicodeDecodeError):
            doc = None
        if isinstance(doc, dict) and "hpsim_sweep_part" in doc:
            die("%s: a sweep part file: join the parts first (hpsim merge PART... -o FILE.csv)" % path)
        if isinstance(doc, dict) and "rows" in doc and "sweep" in doc:
            params = [p["path"] for p in doc["sweep"].get("params", [])]
            title = doc.get("config", {}).get("name", name)
            done = sweep_plots(params, doc["rows"], title, work, meta, metrics)
            kind = "sweep"
        elif isinstance(doc, dict) and "policies" in doc:
            run_plots(doc, name, work, meta)
            kind, done = "run", []
        elif doc is None:
            trace_plots(path, name, work, meta, vcpu)
            kind, done = "trace", []
        else:
            die("%s: not hpsim results, a sweep CSV/JSON or a kvm_halt_poll_ns trace" % path)
    meta.write(os.path.join(work, "meta.gp"))
    print(kind)
    for d in done:
        print(d)


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except (OSError, KeyError, TypeError, ValueError, IndexError) as e:
        die("%s: cannot read it (%s)" % (sys.argv[-2] if len(sys.argv) > 2 else "input", e))
