#!/usr/bin/python3
"""Where graylane's time goes: CPU per request by symbol, (b) against (a).

usage: perf_diff.py A.data A_REQUESTS B.data B_REQUESTS [--comms nginx,wrk,haproxy]
                    [--top 40]

A.data and B.data are `perf record -e cpu-clock -a -g` of the same load with
no agent (a) and with graylane (b). Samples of the bench's own processes
(--comms) are turned into CPU microseconds per request (a sample is
1/frequency s of CPU) and printed by symbol, largest growth first, with the
total per request of each side. Other processes on the machine (other users'
jobs) are left out by the comm filter.
"""
import argparse
import re
import subprocess


def samples(path, comms):
    """{symbol: samples}, total samples and the sampling frequency of one perf.data."""
    out = subprocess.run(["perf", "report", "-i", path, "-n", "--no-children", "--comms", comms,
                          "--sort", "dso,symbol", "--stdio", "-g", "none"],
                         capture_output=True, text=True).stdout
    freq = 4000
    m = re.search(r"sample_freq[ =]*(\d+)", subprocess.run(
        ["perf", "report", "-i", path, "--header-only"], capture_output=True, text=True).stdout)
    if m:
        freq = int(m.group(1))
    res = {}
    for line in out.splitlines():
        m = re.match(r"\s+[\d.]+%\s+(\d+)\s+(\S+)\s+\[(.)\]\s+(.*?)\s*$", line)
        if m:
            n, dso, kind, sym = int(m.group(1)), m.group(2), m.group(3), m.group(4)
            sym = re.sub(r"(\s+-)+\s*$", "", sym).strip()   # the empty IPC columns
            if dso.startswith("[bpf") or sym.startswith("bpf_prog_"):
                sym = "bpf_prog_* (" + re.sub(r"^bpf_prog_[0-9a-f]+_", "", sym) + ")"
            key = "[%s] %s" % (kind, sym)
            res[key] = res.get(key, 0) + n
    return res, freq


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("a")
    p.add_argument("a_requests", type=int)
    p.add_argument("b")
    p.add_argument("b_requests", type=int)
    p.add_argument("--comms", default="nginx,wrk,haproxy")
    p.add_argument("--top", type=int, default=40)
    args = p.parse_args()
    sa, fa = samples(args.a, args.comms)
    sb, fb = samples(args.b, args.comms)
    us = lambda n, f, r: n / f * 1e6 / max(r, 1)
    ta = sum(us(n, fa, args.a_requests) for n in sa.values())
    tb = sum(us(n, fb, args.b_requests) for n in sb.values())
    print("CPU us/request of %s: (a) %.1f, (b) %.1f, added %.1f" % (args.comms, ta, tb, tb - ta))
    rows = []
    for k in set(sa) | set(sb):
        a = us(sa.get(k, 0), fa, args.a_requests)
        b = us(sb.get(k, 0), fb, args.b_requests)
        rows.append((b - a, a, b, k))
    rows.sort(reverse=True)
    print("%9s %9s %9s  %s" % ("added", "(a)", "(b)", "symbol (us/request)"))
    for d, a, b, k in rows[:args.top]:
        print("%9.2f %9.2f %9.2f  %s" % (d, a, b, k))


if __name__ == "__main__":
    main()
