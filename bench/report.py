#!/usr/bin/python3
"""Records of one `make bench` run, and the table and JSON made from them.

usage: report.py add RECORDS KEY=VALUE... [KEY:=JSON...]
       report.py summarize RECORDS OUT.json [--latest LATEST.json] [--markdown OUT.md]

`add` appends one JSON object to RECORDS (one per line): KEY=VALUE is a number
when it parses as one, else a string; KEY:=JSON is any JSON value, and a
JSON object given as `:=` under the key `_` is merged in.

`summarize` computes medians with min-max over repetitions, ratios of
medians, the targets of the benchmark issue with met/missed, prints the table
and writes the summary (with every raw record) to OUT.json.
"""
import json
import statistics
import sys

import report_upstream

TARGETS = {
    "throughput_vs_no_agent": 0.90,      # b/a >=
    "throughput_vs_proxy": 2.5,          # b/c >=
    "added_p50_us": 10.0,                # p50(b) - p50(a) <=
    "sk_msg_ns_per_request": 2000.0,     # <=
    "scale_load_s": 1.0,                 # compile and load of 10 000 rules <=
    "scale_rss_mb": 30.0,                # daemon RSS at 10 000 rules <=
    "effect_p99_ms": 100.0,              # <=
}


def parse_value(v):
    for conv in (int, float):
        try:
            return conv(v)
        except ValueError:
            pass
    return v


def add(path, args):
    rec = {}
    for a in args:
        if ":=" in a:
            k, v = a.split(":=", 1)
            try:
                val = json.loads(v) if v.strip() else None
            except json.JSONDecodeError:
                val = {"unparsable": v[:500]}
            if k == "_" and isinstance(val, dict):
                rec.update(val)
            else:
                rec[k] = val
        else:
            k, v = a.split("=", 1)
            rec[k] = parse_value(v)
    with open(path, "a") as f:
        f.write(json.dumps(rec) + "\n")


def med(xs):
    xs = [x for x in xs if x is not None]
    if not xs:
        return None
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs), "n": len(xs)}


def ratio(x, y):
    if not x or not y or not y["median"]:
        return None
    return round(x["median"] / y["median"], 3)


def rps(r):
    if not r.get("requests") or not r.get("duration_us"):
        return None
    return r["requests"] / (r["duration_us"] / 1e6)


def fmt(m, scale=1.0, digits=0):
    if not m:
        return "-"
    f = "%%.%df" % digits
    return "%s (%s-%s)" % (f % (m["median"] * scale), f % (m["min"] * scale),
                           f % (m["max"] * scale))


def errors(r):
    e = r.get("errors") or {}
    return sum(e.values()) if isinstance(e, dict) else 0


def foreign(r, s):
    """Share of the machine's CPUs used by processes outside the bench during a run."""
    cores = s["machine"].get("cores") or 1
    if "foreign_cpu_s" not in r or not r.get("duration_us"):
        return None
    return r["foreign_cpu_s"] / (r["duration_us"] / 1e6 * cores)


OBSERVE_VARIANTS = (
    ("a", "(a) no agent"),
    ("b0", "(b0) no --metrics, no listener"),
    ("b-metrics-idle", "(b) --metrics, not scraped"),
    ("b-metrics-scraped", "(b) --metrics, scraped"),
    ("b-events-idle", "(b) events, nobody listens"),
    ("b-events-listening", "(b) events, listener on entry"),
    ("b-events-other", "(b) events, listener on idle wl"),
    ("b-noevents", "(b) build before events, b0 flags"),
)
OBSERVE_AUX = ("b-metrics-scraped", "b-events-listening", "b-events-other")


def stat_delta(r, name):
    a = ((r.get("stats0") or {}).get("gl_stats") or {}).get(name)
    b = ((r.get("stats1") or {}).get("gl_stats") or {}).get(name)
    return b - a if a is not None and b is not None else None


QUIET = 0.10     # a run is quiet when other jobs used under 10 % of the machine's CPUs during it


def observe(rs, s):
    """Per variant of the observe phase: latency, CPU per request, the daemon's
    and the listener's (or scraper's) own CPU, events, and ratios against b0
    and (a); differences against b0 paired by repetition (same rep, minutes
    apart at most), which cancel noise that hits a whole repetition."""
    if not rs:
        return {}
    out = {}
    secs = lambda r: r["duration_us"] / 1e6
    per_req = lambda r, k: r[k] / r["requests"] * 1e6 if r.get("requests") else None
    byrep = {}
    for r in rs:
        byrep.setdefault(r["rep"], {})[r["variant"]] = r
    for v, _ in OBSERVE_VARIANTS:
        vr = [r for r in rs if r["variant"] == v and r.get("requests")]
        if not vr:
            continue
        o = {
            "reps": len(vr),
            "rate_target": vr[0].get("rate"),
            "rate_achieved": med([rps(r) for r in vr]),
            "p50_us": med([r["latency_us"]["p50"] for r in vr]),
            "p99_us": med([r["latency_us"]["p99"] for r in vr]),
            "cpu_us_per_request": med([per_req(r, "cpu_busy_s") for r in vr]),
            "bench_cpu_us_per_request": med([per_req(r, "bench_cpu_s") for r in vr]),
            # the daemon's own CPU: cgroup ctl's cpu.stat (it is alone there;
            # microseconds) and /proc/PID/stat utime+stime (ticks); % of one core
            "daemon_cpu_pct": med([r["daemon_cg_cpu_s"] / secs(r) * 100 for r in vr
                                   if "daemon_cg_cpu_s" in r]) if v != "a" else None,
            "daemon_cpu_pct_stat": med([r["daemon_cpu_s"] / secs(r) * 100 for r in vr]) if v != "a" else None,
            "daemon_cpu_us_per_request": med([per_req(r, "daemon_cg_cpu_s") for r in vr
                                              if "daemon_cg_cpu_s" in r]) if v != "a" else None,
            # the scraper's or the listener's (cgroup obs, and its /proc/PID/stat)
            "aux_cpu_pct": med([r["aux_cg_cpu_s"] / secs(r) * 100 for r in vr
                                if "aux_cg_cpu_s" in r]) if v in OBSERVE_AUX else None,
            "aux_cpu_pct_stat": med([r["aux_cpu_s"] / secs(r) * 100 for r in vr]) if v in OBSERVE_AUX else None,
            "aux_per_s": med([r["aux_lines"] / secs(r) for r in vr]) if v in OBSERVE_AUX else None,
            "event_rate_dropped_per_s": med([(stat_delta(r, "event_rate_dropped") or 0) / secs(r)
                                             for r in vr]) if v != "a" else None,
            "event_lost": sum(stat_delta(r, "event_lost") or 0 for r in vr) if v != "a" else None,
            "foreign_cpu_frac": med([foreign(r, s) for r in vr]),
            "errors": sum(errors(r) for r in vr),
        }
        for ref in ("b0", "a", "b-noevents"):
            d = {}
            for key, f in (("p50_us", lambda r: r["latency_us"]["p50"]),
                           ("p99_us", lambda r: r["latency_us"]["p99"]),
                           ("cpu_us_per_request", lambda r: per_req(r, "cpu_busy_s")),
                           ("bench_cpu_us_per_request", lambda r: per_req(r, "bench_cpu_s"))):
                pairs = [(f(x[v]), f(x[ref])) for x in byrep.values()
                         if v in x and ref in x and x[v].get("requests") and x[ref].get("requests")]
                d[key] = med([p - q for p, q in pairs if p is not None and q is not None])
            o["minus_" + ref] = d
        out[v] = o
    for v, o in out.items():
        for ref in ("b0", "a", "b-noevents"):
            if ref in out:
                o["ratio_" + ref] = {k: ratio(o[k], out[ref][k])
                                     for k in ("p50_us", "p99_us", "cpu_us_per_request",
                                               "bench_cpu_us_per_request")}
    return out


def summarize(recs):
    s = {"machine": next((r for r in recs if r.get("kind") == "machine"), {})}
    by = lambda k: [r for r in recs if r.get("kind") == k]

    # ---- throughput
    tp = {}
    for r in by("load"):
        key = "%s/%s/%s" % (r["variant"], r["mode"], r["conns"])
        tp.setdefault(key, []).append(r)
    s["throughput"] = {}
    for key, rs in sorted(tp.items()):
        s["throughput"][key] = {"rps": med([rps(r) for r in rs]),
                                "foreign_cpu_frac": med([foreign(r, s) for r in rs]),
                                "errors": sum(errors(r) for r in rs),
                                "p50_us": med([r["latency_us"]["p50"] for r in rs if "latency_us" in r])}
    s["ratios"] = {}
    for mode in ("keepalive", "close"):
        for c in (1, 16):
            t = lambda v: s["throughput"].get("%s/%s/%s" % (v, mode, c), {}).get("rps")
            s["ratios"]["%s/%s" % (mode, c)] = {"b/a": ratio(t("b"), t("a")),
                                               "b/c": ratio(t("b"), t("c"))}
    s["checks"] = {r["variant"]: r["result"] for r in by("check")}

    # ---- fixed rate: latency and CPU per request
    s["paced"] = {}
    for v in ("a", "b", "c"):
        rs = [r for r in by("paced") if r["variant"] == v]
        if not rs:
            continue
        s["paced"][v] = {
            "rate_target": rs[0].get("rate"),
            "rate_achieved": med([rps(r) for r in rs]),
            "p50_us": med([r["latency_us"]["p50"] for r in rs]),
            "p99_us": med([r["latency_us"]["p99"] for r in rs]),
            "cpu_us_per_request": med([r["cpu_busy_s"] / r["requests"] * 1e6 for r in rs
                                       if r.get("requests")]),
            "bench_cpu_us_per_request": med([r["bench_cpu_s"] / r["requests"] * 1e6 for r in rs
                                             if r.get("requests") and "bench_cpu_s" in r]),
            "a_segments_per_request": med([r["a_in_segs"] / r["requests"] for r in rs
                                           if r.get("requests") and "a_in_segs" in r]),
            "errors": sum(errors(r) for r in rs),
        }
    s["parts"] = {}
    for part in ("none", "connect", "send", "all"):
        rs = [r for r in by("parts") if r["part"] == part]
        if rs:
            s["parts"][part] = {
                "cpu_us_per_request": med([r["cpu_busy_s"] / r["requests"] * 1e6 for r in rs
                                           if r.get("requests")]),
                "bench_cpu_us_per_request": med([r["bench_cpu_s"] / r["requests"] * 1e6 for r in rs
                                                 if r.get("requests")]),
            }
    idle = by("idle_cpu")
    if idle:
        s["idle_cpu_busy_fraction"] = med([r["busy_s"] / r["secs"] for r in idle])
    pa, pb = s["paced"].get("a"), s["paced"].get("b")
    if pa and pb:
        s["added_p50_us"] = pb["p50_us"]["median"] - pa["p50_us"]["median"]
        s["added_p99_us"] = pb["p99_us"]["median"] - pa["p99_us"]["median"]
        s["added_cpu_us_per_request"] = (pb["cpu_us_per_request"]["median"] -
                                         pa["cpu_us_per_request"]["median"])
        if pa["bench_cpu_us_per_request"] and pb["bench_cpu_us_per_request"]:
            s["added_bench_cpu_us_per_request"] = (pb["bench_cpu_us_per_request"]["median"] -
                                                   pa["bench_cpu_us_per_request"]["median"])
    # unloaded latency: one keep-alive connection, closed loop (load phase)
    la = s["throughput"].get("a/keepalive/1", {}).get("p50_us")
    lb = s["throughput"].get("b/keepalive/1", {}).get("p50_us")
    if la and lb:
        s["added_p50_us_one_connection"] = lb["median"] - la["median"]

    # ---- BPF run time per program
    s["bpf"] = {}
    for r in by("bpfstats"):
        progs = {}
        total = 0.0
        for name, p in r["progs"].items():
            if not p["run_cnt"]:
                continue
            progs[name] = {"runs": p["run_cnt"], "ns_per_run": round(p["run_time_ns"] / p["run_cnt"], 1),
                           "runs_per_request": round(p["run_cnt"] / r["requests"], 2),
                           "ns_per_request": round(p["run_time_ns"] / r["requests"], 1)}
            total += p["run_time_ns"] / r["requests"]
        s["bpf"][r["mode"]] = {"requests": r["requests"], "progs": progs,
                               "total_ns_per_request": round(total, 1)}

    # ---- tracepoint cost on an unrelated process
    rl = by("readloop")
    if rl:
        t = {}
        for agent in (False, True):
            rs = [r for r in rl if bool(r["agent"]) == agent]
            t["with" if agent else "without"] = {"read_ns": med([r["read_ns"] for r in rs]),
                                                 "getppid_ns": med([r["getppid_ns"] for r in rs])}
        t["read_added_ns"] = t["with"]["read_ns"]["median"] - t["without"]["read_ns"]["median"]
        t["getppid_added_ns"] = (t["with"]["getppid_ns"]["median"] -
                                 t["without"]["getppid_ns"]["median"])
        s["tracepoints"] = t

    # ---- rule scale
    s["scale"] = sorted(by("scale"), key=lambda r: r["rules"])
    s["scale_failures"] = by("scale_fail")
    rlat = {}
    for r in by("rule_latency"):
        rlat.setdefault(str(r["rules"]), []).append(r)
    s["rule_latency"] = {k: {"p50_us": med([r["latency_us"]["p50"] for r in rs]),
                             "p99_us": med([r["latency_us"]["p99"] for r in rs]),
                             "rate_achieved": med([rps(r) for r in rs])}
                         for k, rs in rlat.items()}
    s["effect"] = {}
    s["foreign_gl_progs_max"] = max([r["n"] for r in by("foreign_progs")] or [0])
    for r in by("effect"):
        ms = sorted(r["ms"])
        if ms:
            q = lambda p: ms[min(len(ms) - 1, int(round(p / 100.0 * (len(ms) - 1))))]
            s["effect"]["%s, poll %s" % (r["label"], r.get("poll_interval"))] = {"changes": len(ms) + r["timeouts"], "p50_ms": q(50),
                                       "p99_ms": q(99), "max_ms": ms[-1],
                                       "timeouts": r["timeouts"],
                                       "not_base_before": r["not_base_before"],
                                       "poll_interval": r.get("poll_interval")}
    # ---- observability costs: metrics and decision events (observe phase)
    s["observe"] = observe(by("observe"), s)
    s["observe_quiet"] = observe([r for r in by("observe") if (foreign(r, s) or 0) < QUIET], s)
    s["observe_bpf"] = {}
    ob = {}
    for r in by("observe_bpf"):
        if r.get("requests"):
            ob.setdefault(r["variant"], []).append(r)
    for v, rs in ob.items():
        names = sorted({n for r in rs for n, p in r["progs"].items() if p["run_cnt"]})
        progs = {}
        for n in names:
            ps = [(r["progs"][n], r["requests"]) for r in rs if r["progs"].get(n, {}).get("run_cnt")]
            progs[n] = {"ns_per_run": med([p["run_time_ns"] / p["run_cnt"] for p, _ in ps]),
                        "runs_per_request": med([p["run_cnt"] / q for p, q in ps]),
                        "ns_per_request": med([p["run_time_ns"] / q for p, q in ps])}
        s["observe_bpf"][v] = {"reps": len(rs), "requests": sum(r["requests"] for r in rs), "progs": progs,
                               "total_ns_per_request": med([sum(p["run_time_ns"] for p in r["progs"].values())
                                                            / r["requests"] for r in rs])}
    s["observe_noevents_build"] = next(iter(by("observe_noevents_build")), None)
    s["upstream"] = report_upstream.summarize(recs, med, ratio, rps, errors)
    s["gl_stats"] = by("gl_stats")
    s["targets"] = targets(s)
    return s


def targets(s):
    out = []

    def t(name, value, limit, ge, unit):
        if value is None:
            out.append({"target": name, "value": None, "limit": limit, "met": None})
            return
        met = value >= limit if ge else value <= limit
        out.append({"target": name, "value": round(value, 3), "limit": limit, "unit": unit,
                    "op": ">=" if ge else "<=", "met": met})

    for k, r in s["ratios"].items():
        t("throughput b/a %s" % k, r["b/a"], TARGETS["throughput_vs_no_agent"], True, "x")
        t("throughput b/c %s" % k, r["b/c"], TARGETS["throughput_vs_proxy"], True, "x")
    t("added p50 latency at fixed rate", s.get("added_p50_us"), TARGETS["added_p50_us"], False, "us")
    t("added p50 latency, one connection", s.get("added_p50_us_one_connection"), TARGETS["added_p50_us"],
      False, "us")
    for mode, b in s["bpf"].items():
        msg = b["progs"].get("gl_msg")
        t("sk_msg per request (%s)" % mode, msg["ns_per_request"] if msg else None,
          TARGETS["sk_msg_ns_per_request"], False, "ns")
    report_upstream.targets(s, t)
    big = [r for r in s["scale"] if r["rules"] == 10000]
    if big:
        r = big[0]
        t("10 000 rules: compile (graylane compile)", r.get("compile_s"), TARGETS["scale_load_s"], False, "s")
        t("10 000 rules: load (daemon apply)", r["apply_ms"] / 1e3 if r.get("apply_ms") is not None else None,
          TARGETS["scale_load_s"], False, "s")
        t("10 000 rules: daemon RSS", r["rss_kb"] / 1024 if r.get("rss_kb") else None,
          TARGETS["scale_rss_mb"], False, "MB")
    for f in s["scale_failures"]:
        out.append({"target": "%d endpoints over %d services compiled and loaded" %
                    (f["endpoints"], f["services"]), "value": "rejected", "met": False,
                    "detail": f.get("error")})
    for label, e in s["effect"].items():
        if "default" in label:
            t("time to effect p99 (%s)" % label, e["p99_ms"], TARGETS["effect_p99_ms"], False, "ms")
    return out


def table(s):
    L = []
    m = s["machine"]
    L.append("graylane bench  %s  %s" % (m.get("date", ""), m.get("commit", "")))
    L.append("machine: %s, %s cores, %s GiB, kernel %s" % (m.get("cpu", "?"), m.get("cores", "?"),
                                                          m.get("mem_gib", "?"), m.get("kernel", "?")))
    L.append("")
    L.append("HTTP/1.1 through entry + one hop, 1 KiB answers, wrk -t1, %s s x %s reps, req/s median (min-max)"
             % (m.get("duration", "?"), m.get("reps", "?")))
    L.append("%-16s %-22s %-22s %-22s %6s %6s" % ("client", "(a) no agent", "(b) graylane",
                                                   "(c) haproxy", "b/a", "b/c"))
    for mode in ("keepalive", "close"):
        for c in (1, 16):
            row = ["%s x%d" % (mode, c)]
            for v in "abc":
                row.append(fmt(s["throughput"].get("%s/%s/%d" % (v, mode, c), {}).get("rps")))
            r = s["ratios"]["%s/%d" % (mode, c)]
            L.append("%-16s %-22s %-22s %-22s %6s %6s" % tuple(row + [r["b/a"] or "-", r["b/c"] or "-"]))
    fr = [v["foreign_cpu_frac"] for v in s["throughput"].values() if v.get("foreign_cpu_frac")]
    if fr:
        L.append("CPU used by other processes of the machine during these runs: median %.0f%%, worst cell's "
                 "median %.0f%%, worst run %.0f%% of the %s cores"
                 % (100 * statistics.median(f["median"] for f in fr), 100 * max(f["median"] for f in fr),
                    100 * max(f["max"] for f in fr), m.get("cores", "?")))
    if s.get("foreign_gl_progs_max"):
        L.append("BPF programs of other graylane installs loaded during the load runs: up to %d "
                 "(their syscall tracepoints run for every process)" % s["foreign_gl_progs_max"])
    errs = {k: v["errors"] for k, v in s["throughput"].items() if v["errors"]}
    L.append("lane checks: %s; wrk errors: %s" % (
        ", ".join("%s %s" % kv for kv in sorted(s["checks"].items())) or "-", errs or "none"))
    L.append("")
    if s["paced"]:
        pa = s["paced"].get("a", {})
        L.append("fixed rate %s req/s (half of (a) keepalive x16), 16 keep-alive connections, median (min-max)"
                 % pa.get("rate_target"))
        L.append("%-14s %-18s %-18s %-20s %-20s %-16s %s" % (
            "variant", "p50 us", "p99 us", "bench CPU us/req", "machine CPU us/req", "achieved req/s",
            "A segs/req"))
        for v, name in (("a", "(a) no agent"), ("b", "(b) graylane"), ("c", "(c) haproxy")):
            p = s["paced"].get(v)
            if p:
                L.append("%-14s %-18s %-18s %-20s %-20s %-16s %s" % (
                    name, fmt(p["p50_us"]), fmt(p["p99_us"]), fmt(p["bench_cpu_us_per_request"], 1, 1),
                    fmt(p["cpu_us_per_request"], 1, 1), fmt(p["rate_achieved"]),
                    fmt(p["a_segments_per_request"], 1, 2)))
        if "added_p50_us" in s:
            L.append("added by graylane: p50 %+.0f us, p99 %+.0f us; CPU %+.1f us/request (bench processes), "
                     "%+.1f (machine; idle machine %.1f%% busy)"
                     % (s["added_p50_us"], s["added_p99_us"], s.get("added_bench_cpu_us_per_request", 0),
                        s["added_cpu_us_per_request"],
                        100 * (s.get("idle_cpu_busy_fraction") or {}).get("median", 0)))
        if "added_p50_us_one_connection" in s:
            L.append("added p50 with one keep-alive connection, closed loop (load phase): %+.0f us"
                     % s["added_p50_us_one_connection"])
        L.append("")
    if s["parts"]:
        L.append("CPU per request by part of (b), base requests only, fixed rate, 16 keep-alive connections,"
                 " median (min-max)")
        L.append("%-34s %-22s %-22s %s" % ("attached", "machine CPU us/req", "bench CPU us/req",
                                           "added by this part (machine)"))
        names = {"none": "nothing (a)", "connect": "connect4/6, getpeername",
                 "send": "+ sockops, sockhash, sk_msg", "all": "+ read-exit tracepoints (b)"}
        prev = None
        for part in ("none", "connect", "send", "all"):
            p = s["parts"].get(part)
            if not p:
                continue
            add = ("%+.1f" % (p["cpu_us_per_request"]["median"] - prev)) if prev is not None else ""
            L.append("%-34s %-22s %-22s %s" % (names[part], fmt(p["cpu_us_per_request"], 1, 1),
                                               fmt(p["bench_cpu_us_per_request"], 1, 1), add))
            prev = p["cpu_us_per_request"]["median"]
        L.append("")
    L += report_upstream.table(s, fmt)
    for mode, b in s["bpf"].items():
        L.append("BPF run time (kernel.bpf_stats_enabled, separate pass, (b) %s x16, %d requests)"
                 % (mode, b["requests"]))
        L.append("%-20s %10s %10s %12s" % ("program", "ns/run", "runs/req", "ns/request"))
        for name, p in sorted(b["progs"].items(), key=lambda kv: -kv[1]["ns_per_request"]):
            L.append("%-20s %10.1f %10.2f %12.1f" % (name, p["ns_per_run"], p["runs_per_request"],
                                                     p["ns_per_request"]))
        L.append("%-20s %10s %10s %12.1f" % ("total", "", "", b["total_ns_per_request"]))
        L.append("")
    t = s.get("tracepoints")
    if t:
        L.append("syscall tracepoints, unrelated process (readloop, outside the managed cgroup), ns/call")
        L.append("  read(/dev/zero, 1):  %s without, %s with: %+.0f ns"
                 % (fmt(t["without"]["read_ns"], 1, 1), fmt(t["with"]["read_ns"], 1, 1), t["read_added_ns"]))
        L.append("  getppid():           %s without, %s with: %+.0f ns"
                 % (fmt(t["without"]["getppid_ns"], 1, 1), fmt(t["with"]["getppid_ns"], 1, 1),
                    t["getppid_added_ns"]))
        L.append("")
    if s["scale"] or s["scale_failures"]:
        L.append("rule scale (10 rules per entry workload)")
        L.append("%-7s %-10s %-9s %-10s %-11s %-9s %-12s %-8s %-8s %-8s %-8s" % (
            "rules", "endpoints", "services", "compile s", "compile MB", "apply ms", "start->ok s",
            "RSS MB", "peak MB", "maps MB", "idle CPU"))
        for r in s["scale"]:
            L.append("%-7d %-10d %-9d %-10.2f %-11s %-9.1f %-12.2f %-8.1f %-8.1f %-8.1f %-8s" % (
                r["rules"], r["endpoints"], r["services"], r["compile_s"],
                "%.1f" % (r["compile_peak_kb"] / 1024) if r.get("compile_peak_kb") else "-",
                r["apply_ms"], r["start_to_ok_s"], r["rss_kb"] / 1024, r["hwm_kb"] / 1024,
                r["map_bytes"] / 2**20, "%.1f%%" % r["idle_cpu_pct"]))
        for f in s["scale_failures"]:
            L.append("%-8d %-10d %-9d rejected after %.1f s: %s" % (f["rules"], f["endpoints"],
                                                                  f["services"], f["seconds"],
                                                                  f.get("error", "?")))
        L.append("")
    if s["rule_latency"]:
        L.append("latency at the fixed rate, (b), by rule set size: p50 us median (min-max)")
        for k, v in sorted(s["rule_latency"].items(), key=lambda kv: int(kv[0])):
            L.append("  %6s rules: p50 %s, p99 %s" % (k, fmt(v["p50_us"]), fmt(v["p99_us"])))
        L.append("")
    if s.get("observe"):
        ob = s["observe"]
        any_v = next(iter(ob.values()))
        L.append("observability costs (issue 11): fixed rate %s req/s, 16 keep-alive connections, %s s x %s reps"
                 " interleaved, median (min-max)" % (any_v["rate_target"], m.get("duration", "?"), any_v["reps"]))
        L.append("%-34s %-17s %-16s %-19s %-19s %-19s %-24s %-24s %-18s %s" % (
            "variant", "achieved req/s", "p50 us", "p99 us", "bench CPU us/req", "machine CPU us/req",
            "daemon %core (stat)", "listener %core (stat)", "events|scrapes /s", "other jobs %"))
        pct = lambda x, y: "%s (%s)" % (fmt(x, 1, 2), "%.1f" % y["median"] if y else "-") if x else "-"
        for v, name in OBSERVE_VARIANTS:
            o = ob.get(v)
            if not o:
                continue
            L.append("%-34s %-17s %-16s %-19s %-19s %-19s %-24s %-24s %-18s %s" % (
                name, fmt(o["rate_achieved"]), fmt(o["p50_us"]), fmt(o["p99_us"]), fmt(o["bench_cpu_us_per_request"], 1, 1),
                fmt(o["cpu_us_per_request"], 1, 1),
                pct(o["daemon_cpu_pct"], o["daemon_cpu_pct_stat"]), pct(o["aux_cpu_pct"], o["aux_cpu_pct_stat"]),
                fmt(o["aux_per_s"], 1, 0), fmt(o["foreign_cpu_frac"], 100, 0)))
        L.append("against b0 and (a): ratio of medians; differences paired by repetition, median (min-max)")
        L.append("%-34s %-13s %-13s %-17s %-19s %-19s %-19s %s" % (
            "variant", "p50 /b0 /a", "p99 /b0 /a", "bench CPU /b0 /a", "p50 - b0 us",
            "bench CPU - b0", "machine CPU - b0", "bench CPU - a us/req"))
        for v, name in OBSERVE_VARIANTS:
            o = ob.get(v)
            if not o or v == "a":
                continue
            rb, ra = o.get("ratio_b0", {}), o.get("ratio_a", {})
            two = lambda k: "%s %s" % (rb.get(k) or "-", ra.get(k) or "-")
            mb = o["minus_b0"] if v != "b0" else {}
            L.append("%-34s %-13s %-13s %-17s %-19s %-19s %-19s %s" % (
                name, two("p50_us"), two("p99_us"), two("bench_cpu_us_per_request"),
                fmt(mb.get("p50_us"), 1, 0) if mb else "", fmt(mb.get("bench_cpu_us_per_request"), 1, 1) if mb else "",
                fmt(mb.get("cpu_us_per_request"), 1, 1) if mb else "",
                fmt(o["minus_a"]["bench_cpu_us_per_request"], 1, 1)))
        q = s.get("observe_quiet") or {}
        if q:
            L.append("quiet runs only (other jobs under %d%% of the machine during the run), median (min-max):"
                     % (QUIET * 100))
            for v, name in OBSERVE_VARIANTS:
                o = q.get(v)
                if o:
                    L.append("  %-33s %d runs: p50 %s us, p99 %s us, bench CPU %s, machine CPU %s us/req" % (
                        name, o["reps"], fmt(o["p50_us"]), fmt(o["p99_us"]), fmt(o["bench_cpu_us_per_request"], 1, 1),
                        fmt(o["cpu_us_per_request"], 1, 1)))
        ei, ne = ob.get("b-events-idle"), ob.get("b-noevents")
        if ei and ne:
            d = ei["minus_b-noevents"]
            L.append("events idle against the build before events (%s), paired: p50 %s us, p99 %s us, "
                     "bench CPU %s, machine CPU %s us/req" % (
                         (s.get("observe_noevents_build") or {}).get("commit", "?"), fmt(d["p50_us"]),
                         fmt(d["p99_us"]), fmt(d["bench_cpu_us_per_request"], 1, 1),
                         fmt(d["cpu_us_per_request"], 1, 1)))
        L.append("events sent over the kernel's rate (counted, not sent), per second: %s; events lost (ring full): %s"
                 % (", ".join("%s %s" % (v, fmt(ob[v]["event_rate_dropped_per_s"])) for v, _ in OBSERVE_VARIANTS
                              if v.startswith("b-events") and v in ob),
                    sum(o["event_lost"] or 0 for v, o in ob.items() if v != "a")))
        fr = [o["foreign_cpu_frac"] for o in ob.values() if o.get("foreign_cpu_frac")]
        if fr:
            L.append("CPU used by other processes of the machine during these runs: median %.0f%%, worst run %.0f%%"
                     " of the %s cores; wrk errors: %s" % (
                         100 * statistics.median(f["median"] for f in fr), 100 * max(f["max"] for f in fr),
                         m.get("cores", "?"), sum(o["errors"] for o in ob.values()) or "none"))
        L.append("")
    if s.get("observe_bpf"):
        bp = s["observe_bpf"]
        main = ("gl_connect4", "gl_msg", "gl_sockops", "gl_exit_read", "gl_getpeername4")
        names = sorted({n for b in bp.values() for n in b["progs"]})
        order = [n for n in main if n in names] + [n for n in names if n not in main]
        L.append("BPF run time by variant (kernel.bpf_stats_enabled, separate runs at the fixed rate, %s x %s s),"
                 " ns/request median, connect4 and total with (min-max)"
                 % (next(iter(bp.values()))["reps"], m.get("duration", "?")))
        L.append("%-34s %-22s %-22s " % ("variant", "connect4 ns/run", "connect4 ns/req") +
                 " ".join("%-15s" % n for n in order[1:]) + " total ns/req")
        for v, name in OBSERVE_VARIANTS:
            b = bp.get(v)
            if not b:
                continue
            c4 = b["progs"].get("gl_connect4")
            L.append("%-34s %-22s %-22s " % (name, fmt(c4["ns_per_run"], 1, 0) if c4 else "-",
                                             fmt(c4["ns_per_request"], 1, 0) if c4 else "-") +
                     " ".join("%-15s" % ("%.0f" % b["progs"][n]["ns_per_request"]["median"]
                                         if n in b["progs"] else "-") for n in order[1:]) +
                     " " + fmt(b["total_ns_per_request"], 1, 0))
        L.append("")
    for label, e in s["effect"].items():
        L.append("time to effect (%s): p50 %.1f ms, p99 %.1f ms, max %.1f ms over %d changes, %d timeouts"
                 % (label, e["p50_ms"], e["p99_ms"], e["max_ms"], e["changes"], e["timeouts"]))
    L.append("")
    L.append("targets (reported, not asserted)")
    for t in s["targets"]:
        if t["value"] is None or isinstance(t["value"], str):
            L.append("  %-6s %s: %s" % ("MISSED" if t["met"] is False else "?", t["target"],
                                        t.get("detail") or t["value"]))
        else:
            L.append("  %-6s %s: %s %s (target %s %s)" % ("met" if t["met"] else "MISSED", t["target"],
                                                      t["value"], t["unit"], t["op"], t["limit"]))
    return "\n".join(L)


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "add":
        add(sys.argv[2], sys.argv[3:])
        return
    if len(sys.argv) >= 4 and sys.argv[1] == "summarize":
        recs = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
        s = summarize(recs)
        s["records"] = recs
        txt = table(s)
        s["table"] = txt
        extra = sys.argv[4:]
        outs = [sys.argv[3]]
        if len(extra) >= 2 and extra[0] == "--latest":
            outs.append(extra[1])
        for o in outs:
            with open(o + ".tmp", "w") as f:
                json.dump(s, f, indent=1)
                f.write("\n")
            import os
            os.rename(o + ".tmp", o)
        print(txt)
        return
    sys.exit(__doc__.strip())


if __name__ == "__main__":
    main()
