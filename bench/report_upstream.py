"""The upstream phase of `make bench` (bench/upstream.sh) in the summary and
the table: the entry with upstream keep-alive, lanes switching on shared
connections ("both") and not ("base"), and the first request of a lane on a
new connection (its twin opened). Used by report.py."""
TARGETS = {
    "throughput_vs_no_agent": 0.95,     # b/a >= with upstream keep-alive, lanes switching
    "throughput_vs_proxy": 1.5,         # b/c >=
    "switch_us_per_request": 5.0,       # CPU added by switching lanes, per request <=
}
SLOW_STEPS = ("base", "first gray (parked)", "gray via twin", "gray via twin", "base via connection")
SLOW_EXPECT = ("a-base", "a-gray", "a-gray", "a-gray", "a-base")


def _per_req(r, k):
    return r[k] / r["requests"] * 1e6 if r.get("requests") else None


def summarize(recs, med, ratio, rps, errors):
    """s["upstream"] from the records (report.py's helpers passed in)."""
    out = {"cells": {}, "ratios": {}}
    ups = [r for r in recs if r.get("kind") == "upstream"]
    for v in "abc":
        for lanes in ("both", "base"):
            rs = [r for r in ups if r["variant"] == v and r["lanes"] == lanes]
            if rs:
                out["cells"]["%s/%s" % (v, lanes)] = {
                    "rps": med([rps(r) for r in rs]),
                    "cpu_us_per_request": med([_per_req(r, "cpu_busy_s") for r in rs]),
                    "p50_us": med([r["latency_us"]["p50"] for r in rs if "latency_us" in r]),
                    "p99_us": med([r["latency_us"]["p99"] for r in rs if "latency_us" in r]),
                    "errors": sum(errors(r) for r in rs)}
    cell = lambda k: out["cells"].get(k, {})
    for lanes in ("both", "base"):
        t = lambda v: cell("%s/%s" % (v, lanes)).get("rps")
        out["ratios"][lanes] = {"b/a": ratio(t("b"), t("a")), "b/c": ratio(t("b"), t("c"))}
    # CPU a request costs more when lanes switch, (b) against (a), paired by repetition
    byrep = {}
    for r in ups:
        byrep.setdefault(r["rep"], {})["%s/%s" % (r["variant"], r["lanes"])] = r
    diffs = []
    for x in byrep.values():
        try:
            d = [_per_req(x[k], "cpu_busy_s") for k in ("b/both", "b/base", "a/both", "a/base")]
        except KeyError:
            continue
        if None not in d:
            diffs.append((d[0] - d[1]) - (d[2] - d[3]))
    out["switch_us_per_request"] = med(diffs)
    out["slowpath"] = slowpath([r for r in recs if r.get("kind") == "slowpath"], med)
    return out


def slowpath(rs, med):
    """Each step's time over the new connections, and whether each was served in its lane."""
    times = [[] for _ in SLOW_STEPS]
    wrong = []
    for r in rs:
        parts = str(r.get("line", "")).split()
        got = [p.split("/")[0] for p in parts]
        if tuple(got) != SLOW_EXPECT:
            wrong.append(r.get("line"))
            continue
        for i, p in enumerate(parts):
            times[i].append(float(p.split("/")[1].rstrip("ms")))
    return {"connections": len(rs), "wrong": wrong,
            "ms": {name: med(t) for name, t in zip(SLOW_STEPS, times)}}


def targets(s, t):
    u = s.get("upstream") or {}
    r = (u.get("ratios") or {}).get("both") or {}
    t("upstream keep-alive, lanes switching: throughput b/a", r.get("b/a"),
      TARGETS["throughput_vs_no_agent"], True, "x")
    t("upstream keep-alive, lanes switching: throughput b/c", r.get("b/c"),
      TARGETS["throughput_vs_proxy"], True, "x")
    sw = u.get("switch_us_per_request")
    t("upstream keep-alive: CPU added by switching lanes", sw["median"] if sw else None,
      TARGETS["switch_us_per_request"], False, "us/request")


def table(s, fmt):
    u = s.get("upstream") or {}
    if not u.get("cells"):
        return []
    m = s["machine"]
    L = ["entry with upstream keep-alive (32 per worker), wrk keep-alive x16, %s s x %s reps, median (min-max)"
         % (m.get("duration", "?"), m.get("reps", "?")),
         "%-26s %-22s %-22s %-22s %6s %6s" % ("lanes", "(a) no agent", "(b) graylane", "(c) haproxy",
                                              "b/a", "b/c")]
    for lanes, name in (("both", "switching (every other)"), ("base", "same (base only)")):
        row = [name] + [fmt(u["cells"].get("%s/%s" % (v, lanes), {}).get("rps")) for v in "abc"]
        r = u["ratios"][lanes]
        L.append("%-26s %-22s %-22s %-22s %6s %6s" % tuple(row + [r["b/a"] or "-", r["b/c"] or "-"]))
    for lanes in ("both", "base"):
        L.append("  %-24s machine CPU us/req: %s; p99 us: %s" % (
            lanes, "  ".join("(%s) %s" % (v, fmt(u["cells"].get("%s/%s" % (v, lanes), {}).get(
                "cpu_us_per_request"), 1, 1)) for v in "abc"),
            "  ".join("(%s) %s" % (v, fmt(u["cells"].get("%s/%s" % (v, lanes), {}).get("p99_us")))
                      for v in "abc")))
    errs = {k: c["errors"] for k, c in u["cells"].items() if c["errors"]}
    sw = u.get("switch_us_per_request")
    L.append("CPU added by switching lanes, (b) minus (a), paired by rep: %s us/request; wrk errors: %s"
             % (fmt(sw, 1, 1), errs or "none"))
    sp = u.get("slowpath") or {}
    if sp.get("connections"):
        L.append("first request of a lane on a new connection (python http.client from the probe host, "
                 "%d connections; %d not served in their lanes), ms median (min-max):"
                 % (sp["connections"], len(sp["wrong"])))
        L.append("  " + "; ".join("%s %s" % (k, fmt(v, 1, 2)) for k, v in sp["ms"].items()))
    L.append("")
    return L

