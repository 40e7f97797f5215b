#!/usr/bin/python3
"""Load for the reference scenario: many requests through the gateway, mixed
between lanes, each answer checked against the chain its kind expects.

usage: chains.py HOST PORT --kinds FILE [--requests 2000] [--clients 8] [--seed 1]
                 [--deadline SECONDS] [--timeout SECONDS]

FILE is JSON: a list of request kinds,
    [{"name": "shenzhen", "method": "GET", "path": "/a",
      "headers": {"location": "cn-shenzhen"},
      "expect": "a-gray -> b-gray -> c-gray"}, ...]

CLIENTS threads share REQUESTS requests; each thread keeps one HTTP/1.1
connection to the gateway alive (http.client) and picks the kind of every
request at random (seeded), so lanes interleave on every connection and
between connections. No request is started after --deadline (default 60 s);
those are counted as "unsent". Prints one JSON object:

    {"total": 2000, "ok": 2000, "wrong": 0, "errors": 0, "unsent": 0, "connections": 8,
     "seconds": 4.2, "served": {"a-gray": 998, ...},
     "kinds": {"shenzhen": {"sent": 660, "ok": 660}, ...},
     "bad": ["shenzhen: expected ... got ...", ...]}      (the first 10)

"served" counts every deployment named in the answers (the chain up to an
error included), to compare with each deployment's /__count. Exit status 0
when every answer is its kind's expected chain.
"""
import argparse
import http.client
import json
import random
import re
import sys
import threading
import time

DEPLOYMENT = re.compile(r"^[a-z0-9-]+-(base|gray)$")


class Result:
    def __init__(self):
        self.lock = threading.Lock()
        self.total = self.ok = self.wrong = self.errors = self.connections = self.unsent = 0
        self.served = {}
        self.kinds = {}
        self.bad = []

    def record(self, kind, got, is_error):
        with self.lock:
            self.total += 1
            k = self.kinds.setdefault(kind["name"], {"sent": 0, "ok": 0})
            k["sent"] += 1
            for hop in got.split(" -> "):
                if DEPLOYMENT.match(hop):
                    self.served[hop] = self.served.get(hop, 0) + 1
            if got == kind["expect"]:
                self.ok += 1
                k["ok"] += 1
                return
            if is_error:
                self.errors += 1
            else:
                self.wrong += 1
            if len(self.bad) < 10:
                self.bad.append("%s: expected %s got %s" % (kind["name"], kind["expect"], got))


def worker(host, port, kinds, n, rng, res, deadline, timeout):
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    for i in range(n):
        if time.monotonic() >= deadline:
            with res.lock:
                res.unsent += n - i
            break
        kind = rng.choice(kinds)
        if conn.sock is None:
            with res.lock:
                res.connections += 1
        try:
            conn.request(kind.get("method", "GET"), kind.get("path", "/a"),
                         headers=kind.get("headers", {}))
            resp = conn.getresponse()
            body = resp.read().decode(errors="replace").strip()
            if resp.status != 200:
                got = "HTTP %d %s" % (resp.status, body.replace("\n", " ")[:200])
                res.record(kind, got, True)
            else:
                res.record(kind, body, False)
        except Exception as e:  # noqa: BLE001 - every failure is a result
            conn.close()
            res.record(kind, "ERR %s %s" % (type(e).__name__, e), True)
    conn.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("--kinds", required=True)
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--deadline", type=float, default=60)
    ap.add_argument("--timeout", type=float, default=10, help="per request")
    a = ap.parse_args()
    with open(a.kinds) as f:
        kinds = json.load(f)
    res = Result()
    threads = []
    t0 = time.monotonic()
    deadline = t0 + a.deadline
    for i in range(a.clients):
        n = a.requests // a.clients + (i < a.requests % a.clients)
        t = threading.Thread(target=worker,
                             args=(a.host, a.port, kinds, n, random.Random(a.seed * 1000 + i), res,
                                   deadline, a.timeout))
        t.start()
        threads.append(t)
    for t in threads:
        t.join()
    out = {"total": res.total, "ok": res.ok, "wrong": res.wrong, "errors": res.errors,
           "unsent": res.unsent,
           "connections": res.connections, "seconds": round(time.monotonic() - t0, 2),
           "served": dict(sorted(res.served.items())), "kinds": res.kinds, "bad": res.bad}
    print(json.dumps(out))
    return 0 if res.ok == a.requests else 1


if __name__ == "__main__":
    sys.exit(main())
