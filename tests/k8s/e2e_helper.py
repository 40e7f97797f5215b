#!/usr/bin/env python3
"""Helpers of tests/e2e/test_k8s.sh.

    e2e_helper.py fixtures DIR      the e2e scenario's lists and event streams
    e2e_helper.py send URL FILE     plays FILE on the replay server; prints the
                                    CLOCK_MONOTONIC ms it was sent at
    e2e_helper.py loop HOST PORT SECS OUT   a connect every 5 ms: "mono_ms ok NAME"
    e2e_helper.py effect OUT T NAME  ms from T to the first record on NAME after T
    e2e_helper.py effects OUT T:NAME...  each of those, then p50 and max
"""
import copy
import json
import os
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))

UIDS = {"cli-gray": "11111111-2222-4333-8444-000000000001",
        "cli-base": "11111111-2222-4333-8444-000000000002",
        "a-base": "11111111-2222-4333-8444-000000000011",
        "a-gray": "11111111-2222-4333-8444-000000000012"}


def fixtures(d):
    import gen_fixtures as g
    os.makedirs(d, exist_ok=True)
    g.OUT = d

    def p(name, app, ip, lane=None, ready=True):
        o = g.pod(name, app, UIDS[name], ip, lane=lane, ready=ready)
        o["metadata"]["generateName"] = name + "-"
        return o
    g.write_list("pods.json", "PodList", "v1", [p("cli-gray", "client", "10.77.0.3", "gray"),
                                               p("cli-base", "client", "10.77.0.2"),
                                               p("a-base", "a", "10.77.0.11")])
    # ext: a server outside the cluster behind a ClusterIP without a selector
    g.write_list("services.json", "ServiceList", "v1", [g.service("a", "10.77.100.1", 8080,
                                                                  {"app": "a"}),
                                                        g.selectorless("ext", "10.77.100.5", 8080)])
    g.write_list("endpointslices.json", "EndpointSliceList", "discovery.k8s.io/v1",
                 [g.eps("a-e2e01", "a", [g.endpoint("10.77.0.11", "node-a", "a-base")]),
                  g.handmade("ext-1", "ext", "shop", ["10.77.0.31"], 8080, "http")])
    g.write_list("trafficlabelrules.json", "TrafficLabelRuleList",
                 "traffic.opensergo.io/v1alpha1", [])
    g.write_list("workloadlabelrules.json", "WorkloadLabelRuleList",
                 "traffic.opensergo.io/v1alpha1", [])
    gray = p("a-gray", "a", "10.77.0.12", "gray")
    pending = copy.deepcopy(gray)
    del pending["metadata"]["labels"]["traffic.opensergo.io/label"]
    pending["status"] = {"phase": "Pending", "qosClass": "Burstable", "conditions": []}
    g.write_events("events-created.jsonl", [("ADDED", pending)])
    g.write_events("events-gray.jsonl", [("MODIFIED", gray)])
    unready = copy.deepcopy(gray)
    for c in unready["status"]["conditions"]:
        if c["type"] in ("Ready", "ContainersReady"):
            c["status"] = "False"
    g.write_events("events-unready.jsonl", [("MODIFIED", unready)])
    g.write_events("events-deleted.jsonl", [("DELETED", gray)])


def send(url, f):
    t = time.monotonic() * 1000
    req = urllib.request.Request(url + "/_control", method="POST",
                                 data=json.dumps({"op": "play", "file": f}).encode())
    urllib.request.urlopen(req, timeout=10).read()
    print("%.1f" % t)


def loop(host, port, secs, out):
    from client import one
    end = time.monotonic() + float(secs)
    with open(out, "w", buffering=1) as f:
        while time.monotonic() < end:
            t = time.monotonic() * 1000
            ok, name = one(host, int(port))
            f.write("%.1f %s %s\n" % (t, "ok" if ok else "err", name.replace(" ", "_")))
            time.sleep(0.005)


def effect(out, t, name):
    for line in open(out):
        ms, ok, who = line.split()
        if float(ms) >= float(t) and who == name:
            print("%.1f" % (float(ms) - float(t)))
            return
    print("never")


def effects(out, *pairs):
    recs = [line.split() for line in open(out)]
    got = []
    for p in pairs:
        t, name = p.split(":")
        ms = next((float(r[0]) - float(t) for r in recs if float(r[0]) >= float(t) and
                   r[2] == name), None)
        if ms is None:
            print("never")
            return
        got.append(ms)
    s = sorted(got)
    p99 = s[min(len(s) - 1, -(-len(s) * 99 // 100) - 1)]
    print("n=%d p50=%.1f p99=%.1f max=%.1f all=%s" % (len(s), s[len(s) // 2], p99, s[-1],
                                                      ",".join("%.1f" % x for x in got)))


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"fixtures": fixtures, "send": send, "loop": loop, "effect": effect,
     "effects": effects}[cmd](*args)
