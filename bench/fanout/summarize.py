#!/usr/bin/env python3
"""Markdown tables from the JSON reports of scripts/load-fanout.sh (docs/performance.md, "Lean fan-out").

    python3 bench/fanout/summarize.py [dir, default /tmp/load-fanout]

Prints every table it has the reports for: one node (push, polling every 2 s and 10 s, through a
caching proxy) per audience, with the ratios push : polling; the knee series and the bare hub's;
three nodes; slow viewers. Figures are over each run's measured window.
"""
import glob
import json
import os
import sys

out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/load-fanout"


def load(name):
    path = os.path.join(out, name + ".json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def kb(v):
    return f"{v / 1024:,.1f} KB/s"


def ms(p):
    return f"{p['p50']:,.0f} / {p['p99']:,.0f} ms"


def cores(r):
    return r["server"]["cpuSecondsInWindow"] / r["windowSeconds"]


def gen_cores(r):
    return r["generatorCpuSeconds"]


def errors(r):
    """connect / subscribe / closed / dropped"""
    return f"{r['connectFailures']} / {r['subscribeFailures']} / {r['serverCloses']} / {r['drops']}"


def verified(r):
    """Verifying viewers whose frames matched the read API, of all that checked."""
    return f"{sum(a.get('verified', 0) for a in r['audiences'])} of {sum(a.get('verified', 0) + a.get('verifyFailed', 0) for a in r['audiences'])}"


def machine(name):
    """Mean busy cores of the whole machine over the run, from top's %Cpu(s) lines (2 cores)."""
    path = os.path.join(out, name + ".top")
    if not os.path.exists(path):
        return None
    idle = []
    with open(path) as f:
        for line in f:
            if line.startswith("%Cpu(s):"):
                for part in line.split(":", 1)[1].split(","):
                    v = part.split()
                    if len(v) == 2 and v[1] == "id":
                        idle.append(float(v[0]))
    idle = idle[1:]  # the first sample is since boot
    return 2 * (100 - sum(idle) / len(idle)) / 100 if idle else None


def others(name, r):
    """Cores the machine spent on anything but this server and these generators, over the run."""
    m = machine(name)
    if m is None:
        return ""
    run = r["rampSeconds"] + r["windowSeconds"] + 10
    mine = cores(r) + gen_cores(r) / run
    return f"{m:.2f} busy, {max(0, m - mine):.2f} other"


def run_rows(label, step, r):
    rows = []
    poll = r.get("polling")
    for a in r["audiences"]:
        if poll:
            what = f"{a['requestsPerSecond']:,.1f} req/s ({a['ok']:,} × 200, {a['notModified']:,} × 304, {a.get('pollsMissed', 0):,} skipped, {a['pollErrors']:,} errors)"
            per = f"{a['wireBytesPerRequest']:,.0f} B/request"
            body = kb(a["bodyBytesPerSecond"])
        else:
            what = f"{a['framesPerSecond']:,.0f} frames/s ({a['framesPerViewerPerSecond']:.2f}/viewer/s)"
            per = f"{a['wireBytesPerFrame']:,.0f} B/frame (message mean {a['frameSizes']['mean']:,.0f})"
            body = kb(a["messageBytesPerSecond"])
        lat = a["latency"]["latencyMs"]
        rows.append(f"| {label} {step} | {a['name']} | {a['heldAtWindowStart']:,} | {what} | {kb(a['wireBytesPerSecond'])} ({body} payload) | {per} | {ms(lat)} |")
    return rows


def one_node(label):
    runs = [(s, load(f"{label}-{s}")) for s in ("push", "poll2", "poll10", "cdn")]
    runs = [(s, r) for s, r in runs if r]
    if not runs:
        return
    print(f"\n#### {label}: one node, per audience\n")
    print("| run | audience | viewers | frames or requests | bytes/s at the origin, on the wire | per frame / request | form → screen p50 / p99 |")
    print("|---|---|---|---|---|---|---|")
    for s, r in runs:
        print("\n".join(run_rows(label, s, r)))
    print(f"\n| {label}, one node | " + " | ".join(s for s, _ in runs) + " |")
    print("|---|" + "---|" * len(runs))
    def row(name, f):
        print(f"| {name} | " + " | ".join(f(r) for _, r in runs) + " |")
    row("viewers held (window start / end)", lambda r: f"{r['heldAtWindowStart']:,} / {r['heldAtEnd']:,}")
    row("origin requests/s (in the window)", lambda r: f"{r['origin']['requestsPerSecond']:,.1f}" + (f" (origin behind the proxy: {r['origin']['originRequestsPerSecond']:,.1f})" if r['origin'].get('originRequests', -1) >= 0 else ""))
    row("origin bytes/s on the wire", lambda r: kb(r["origin"]["bytesPerSecond"]) + (f" (origin behind the proxy: {kb(r['origin']['upstreamBytesPerSecond'])})" if r['origin'].get('originRequests', -1) >= 0 else ""))
    row("payload bytes/s (hub messages / bodies)", lambda r: kb(r["origin"]["bodyBytesPerSecond"]))
    row("deliveries/s", lambda r: f"{r['deliveriesPerSecond']:,.0f}")
    row("forms accepted/s", lambda r: f"{r['formsAcceptedPerSecond']:,.0f}")
    row("ingest HTTP p50 / p99", lambda r: ms(r["ingest"]["httpLatencyMs"]) if r.get("ingest") else "")
    row("server CPU (cores)", lambda r: f"{cores(r):.2f}")
    row("server RSS per connection (added)", lambda r: f"{r['server']['rssKbPerConnection']:.1f} KB")
    row("generator CPU, whole run", lambda r: f"{gen_cores(r):.0f} s")
    names = {id(r): f"{label}-{s}" for s, r in runs}
    row("machine cores busy / used by other work (top)", lambda r: others(names[id(r)], r))
    row("errors: connect / subscribe / closed / dropped", errors)
    row("gaps / stale", lambda r: f"{r['gaps']} / {r['stale']}")
    row("verifying viewers matching the read API", verified)
    push = dict(runs).get("push")
    if push:
        print()
        for s in ("poll2", "poll10", "cdn"):
            p = dict(runs).get(s)
            if not p:
                continue
            bytes_ratio = p["origin"]["bytesPerSecond"] / max(1, push["origin"]["bytesPerSecond"])
            print(f"* {label} push against {s}: {bytes_ratio:.2f}× fewer bytes at the origin ({kb(push['origin']['bytesPerSecond'])} against {kb(p['origin']['bytesPerSecond'])}); "
                  f"requests {push['origin']['requestsPerSecond']:,.1f}/s against {p['origin']['requestsPerSecond']:,.1f}/s; p99 form → screen per audience: "
                  + ", ".join(f"{a['name']} {a['latency']['latencyMs']['p99']:,.0f} against {b['latency']['latencyMs']['p99']:,.0f} ms"
                              for a, b in zip(push["audiences"], p["audiences"])))


def series(label, kind):
    files = sorted(glob.glob(os.path.join(out, f"{label}-{kind}-*.json")), key=lambda f: int(f.rsplit("-", 1)[1][:-5]))
    rows = []
    for f in files:
        with open(f) as fh:
            r = json.load(fh)
        a = r["audiences"][0]
        c = cores(r)
        lat = a["bareLatencyMs"] if kind == "bare" and a.get("bareLatencyMs") else a["latency"]["latencyMs"]
        rows.append((r["connections"], r["heldAtWindowStart"], r["deliveriesPerSecond"], c, r["deliveriesPerSecond"] / c if c else 0,
                     a["frameSizes"]["mean"], lat, gen_cores(r), r["serverCloses"] + r["drops"] + r["connectFailures"] + r["subscribeFailures"], r["gaps"]))
    return rows


def knee(label):
    for kind, what in (("knee", "Broadcast, one node, 2,000 forms/s"), ("bare", "bare SignalR hub, 5 frames/s")):
        rows = series(label, kind)
        if not rows:
            continue
        lat = "form → screen" if kind == "knee" else "send → received"
        print(f"\n#### {label}: {what}\n")
        print(f"| viewers (held) | deliveries/s | server CPU | deliveries per core-second | frame (message mean) | {lat} p50 / p99 | generator CPU | errors / gaps |")
        print("|---|---|---|---|---|---|---|---|")
        for n, held, d, c, per, size, lat_, g, errors, gaps in rows:
            print(f"| {n:,} ({held:,}) | {d:,.0f} | {c:.2f} cores | {per:,.0f} | {size:,.0f} B | {ms(lat_)} | {g:.0f} s | {errors} / {gaps} |")


def cluster(label):
    r = load(f"{label}-cluster")
    if not r:
        return
    print(f"\n#### {label}: three nodes, {r['connections']:,} viewers\n")
    print("| audience | viewers held (start / end) | frames/s | bytes per frame | form → screen p50 / p99 |")
    print("|---|---|---|---|---|")
    for a in r["audiences"]:
        print(f"| {a['name']} | {a['heldAtWindowStart']:,} / {a['heldAtEnd']:,} | {a['framesPerSecond']:,.0f} | {a['wireBytesPerFrame']:,.0f} B | {ms(a['latency']['latencyMs'])} |")
    print(f"\nheld {r['heldAtWindowStart']:,} / {r['heldAtEnd']:,}; errors connect / subscribe / closed / dropped {errors(r)}; "
          f"gaps / stale {r['gaps']} / {r['stale']}; deliveries {r['deliveriesPerSecond']:,.0f}/s; forms {r['formsAcceptedPerSecond']:,.0f}/s; "
          f"ingest p50 / p99 {ms(r['ingest']['httpLatencyMs'])}; server CPU {cores(r):.2f} cores (3 nodes); generator CPU {gen_cores(r):.0f} s; "
          f"verifying viewers matching the read API {verified(r)}")


def slow(label):
    r = load(f"{label}-slow")
    if not r:
        return
    print(f"\n#### {label}: slow viewers (5 % national full reading 4 KB/s), one node, {r['connections']:,} viewers\n")
    print("| audience | held (start / end) | frames/s per viewer | bytes per frame | form → screen p50 / p99 / max | gaps / stale / conflated |")
    print("|---|---|---|---|---|---|")
    for a in r["audiences"]:
        l = a["latency"]["latencyMs"]
        print(f"| {a['name']} | {a['heldAtWindowStart']:,} / {a['heldAtEnd']:,} | {a['framesPerViewerPerSecond']:.2f} | {a['wireBytesPerFrame']:,.0f} B | {l['p50']:,.0f} / {l['p99']:,.0f} / {l['max']:,.0f} ms | {a['gaps']} / {a['stale']} / {a['overlaps']} |")
    print(f"\nerrors connect / subscribe / closed / dropped {errors(r)}; server CPU {cores(r):.2f} cores; ingest p99 {r['ingest']['httpLatencyMs']['p99']:,.0f} ms")


for label in ("before", "after"):
    one_node(label)
    knee(label)
    cluster(label)
    slow(label)
