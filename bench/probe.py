#!/usr/bin/python3
"""Time to effect: from a rules file written to the first request routed by it.

usage: probe.py HOST PORT RULESDIR FILE TEMPLATE [--changes 50] [--timeout 3]
                [--interval 0.001] [--gap-min 0.2] [--gap 0.4] [--seed 1]

TEMPLATE is a TrafficLabelRule file whose match value is @VALUE@ (the bench's
entry rule: header location == @VALUE@ -> gray). For change k = 1..changes:

  1. a request with `location: ttl-k` is checked to go to base (a-base): the
     rule in force matches ttl-(k-1);
  2. RULESDIR/FILE is replaced (write a hidden temporary, rename) by TEMPLATE
     with @VALUE@ = ttl-k; the clock starts just before the write;
  3. a request with `location: ttl-k` goes out every INTERVAL s over one
     kept-alive connection to the entry (HOST:PORT) until one is answered by
     a-gray (X-Served-By): that time is the change's time to effect. Give up
     after TIMEOUT s (counted as a timeout, not as a time).

Between changes it waits a random GAP_MIN..GAP s, so that writes do not fall
into step with the daemon's poll interval, and (with GAP_MIN above the
daemon's poll interval plus its 50 ms post-switch grace) each change finds
the daemon idle, as a change made by hand or by a deploy would. Prints one JSON object:
{"ms": [...], "timeouts": N, "not_base_before": N, "probes": N}.
"""
import argparse
import json
import os
import random
import socket
import sys
import time


class Conn:
    def __init__(self, host, port):
        self.addr = (host, port)
        self.s = None
        self.buf = b""

    def _connect(self):
        self.s = socket.create_connection(self.addr, timeout=2)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def _recv_until(self, pred):
        while not pred():
            d = self.s.recv(65536)
            if not d:
                raise ConnectionError("closed")
            self.buf += d

    def served_by(self, location):
        """One GET through the entry; the X-Served-By of the answer ('' on error)."""
        req = ("GET /a HTTP/1.1\r\nHost: %s\r\nlocation: %s\r\n\r\n"
               % (self.addr[0], location)).encode()
        for attempt in range(2):
            try:
                if self.s is None:
                    self._connect()
                self.s.sendall(req)
                self._recv_until(lambda: b"\r\n\r\n" in self.buf)
                head, _, rest = self.buf.partition(b"\r\n\r\n")
                hdrs = {}
                for line in head.split(b"\r\n")[1:]:
                    k, _, v = line.partition(b":")
                    hdrs[k.strip().lower()] = v.strip()
                n = int(hdrs.get(b"content-length", b"0"))
                self.buf = rest
                self._recv_until(lambda: len(self.buf) >= n)
                self.buf = self.buf[n:]
                if hdrs.get(b"connection", b"").lower() == b"close":
                    self.close()
                return hdrs.get(b"x-served-by", b"").decode()
            except (OSError, ValueError):
                self.close()
        return ""

    def close(self):
        if self.s is not None:
            self.s.close()
        self.s = None


def write_rule(d, name, text):
    tmp = os.path.join(d, ".%s.tmp" % name)   # hidden: the daemon ignores it
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, os.path.join(d, name))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("rulesdir")
    p.add_argument("file")
    p.add_argument("template")
    p.add_argument("--changes", type=int, default=50)
    p.add_argument("--timeout", type=float, default=3.0)
    p.add_argument("--interval", type=float, default=0.001)
    p.add_argument("--gap-min", type=float, default=0.2)
    p.add_argument("--gap", type=float, default=0.4)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    a.changes = max(1, min(a.changes, 1000))
    a.timeout = max(0.1, min(a.timeout, 120.0))
    tpl = open(a.template).read()
    rnd = random.Random(a.seed)
    c = Conn(a.host, a.port)
    ms, timeouts, not_base, probes = [], 0, 0, 0
    for k in range(1, a.changes + 1):
        loc = "ttl-%d" % k
        if c.served_by(loc) != "a-base":
            not_base += 1
        t0 = time.monotonic()
        write_rule(a.rulesdir, a.file, tpl.replace("@VALUE@", loc))
        deadline = t0 + a.timeout
        while True:
            probes += 1
            if c.served_by(loc) == "a-gray":
                ms.append(round((time.monotonic() - t0) * 1e3, 3))
                break
            if time.monotonic() >= deadline:
                timeouts += 1
                break
            time.sleep(a.interval)
        time.sleep(rnd.uniform(min(a.gap_min, a.gap), a.gap))
    c.close()
    json.dump({"ms": ms, "timeouts": timeouts, "not_base_before": not_base,
               "probes": probes}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
