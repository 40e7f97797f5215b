#!/usr/bin/python3
"""Kept-alive test client: many requests of mixed lanes on one connection.

usage:
  keepalive.py mix HOST PORT --requests N [--seed S] [--max-body B] [--out FILE]
        N requests on one python http.client connection; request i is in lane
        gray (header x-opensergo-traffic: gray) when i is odd, else base (no
        header). Methods cycle through GET, HEAD, POST with Content-Length,
        POST chunked and GET of a chunked reply; POST bodies are random, 0 to B
        bytes (default 256 KiB). One line per request in FILE (default stdout):
        "<i> <lane> <method> <size> <served-by> ok" or "... bad <why>", where
        bad means a reply not byte-exact (the echo or its digest differs).
  keepalive.py pipeline HOST PORT [REQ...]
        one send() with GETs on a fresh connection, then every reply read:
        prints the served-by names in order. REQ is base[:PATH] or
        gray[:PATH] (default: base gray); --reuse first sends a GET of the
        first REQ's lane alone and reads its reply (the connection kept
        alive, its twins too).
  keepalive.py pool HOST PORT --requests N [--connections 64] [--pipeline 0.05]
        [--max-body B] [--seed S] --out FILE
        N requests over that many kept-alive connections at once (raw sockets,
        one thread each), each request gray or base at random; GET, HEAD, POST
        with Content-Length or chunked bodies (90% up to 4 KiB, 9% up to
        64 KiB, 1% up to B); a share of them pipelined in pairs (two requests
        in one send()). One line per request in FILE: "<conn> <i> <lane>
        <method> <size> <served-by> ok" or "... bad <why>", then " pipelined"
        for a request sent in a pair.

  keepalive.py steps HOST PORT STEP...
        one python http.client connection, the steps in turn: base[:PATH] or
        gray[:PATH] (a GET; its body is printed), warm (gray GETs until one is
        served by a-gray: the twin is up), sleep:SECONDS, ready:FILE (creates
        FILE), send:PATH (a gray GET whose reply is not read). A failed GET prints "<Error>(<bytes read> bytes) after <s> s"
        and ends the steps. Prints the results on one line; --times adds each
        GET's time ("a-gray/1.23ms"); --served-by prints each reply's
        X-Served-By header instead of its body.

Exit status: 0 when every reply was complete and byte-exact, 1 otherwise
(steps: always 0).
"""
import argparse
import hashlib
import http.client
import random
import socket
import os
import sys
import time

LANE_HEADER = "x-opensergo-traffic"
METHODS = ["GET", "HEAD", "POST", "CHUNKED", "GETCHUNKED"]


def one(conn, i, lane, method, rnd, max_body):
    headers = {LANE_HEADER: "gray"} if lane == "gray" else {}
    body = b""
    if method in ("POST", "CHUNKED"):
        body = rnd.randbytes(rnd.randint(0, max_body))
    if method == "CHUNKED":
        step = max(1, len(body) // 3)
        chunks = [body[j:j + step] for j in range(0, len(body), step)]
        conn.request("POST", "/echo", body=iter(chunks), headers=headers,
                     encode_chunked=True)
    elif method == "POST":
        conn.request("POST", "/echo", body=body, headers=headers)
    else:
        path = "/chunked" if method == "GETCHUNKED" else "/"
        conn.request("HEAD" if method == "HEAD" else "GET", path, headers=headers)
    r = conn.getresponse()
    data = r.read()
    served = r.getheader("X-Served-By", "?")
    why = ""
    if r.status != 200:
        why = "status %d" % r.status
    elif method in ("POST", "CHUNKED"):
        if data != body or r.getheader("X-Body-Sha256") != hashlib.sha256(body).hexdigest():
            at = next((k for k in range(min(len(body), len(data))) if body[k] != data[k]),
                      min(len(body), len(data)))
            why = "echo of %d bytes differs (%d back, first at %d, server %s)" % (
                len(body), len(data), at,
                "got it intact" if r.getheader("X-Body-Sha256") == hashlib.sha256(body).hexdigest()
                else "got other bytes")
    elif method == "HEAD":
        why = "HEAD reply with a body" if data else ""
    elif data != (served + "\n").encode():
        why = "body %r" % data[:40]
    return "%d %s %s %d %s %s" % (i, lane, method, len(body), served,
                                  "bad " + why if why else "ok"), not why


def cmd_mix(a):
    rnd = random.Random(a.seed)
    conn = http.client.HTTPConnection(a.host, a.port, timeout=None if os.environ.get("KA_BLOCKING") else 10)
    out = open(a.out, "w") if a.out else sys.stdout
    good = True
    for i in range(a.requests):
        lane = "gray" if i % 2 else "base"
        try:
            line, ok = one(conn, i, lane, METHODS[(i // 2) % len(METHODS)], rnd, a.max_body)
        except (OSError, http.client.HTTPException) as e:
            line, ok = "%d %s - 0 - bad %s" % (i, lane, type(e).__name__), False
            conn.close()
        out.write(line + "\n")
        good = good and ok
    out.flush()
    return 0 if good else 1


def read_reply(f):
    status = f.readline()
    length, served = 0, "?"
    while True:
        line = f.readline()
        if line in (b"\r\n", b""):
            break
        k, _, v = line.decode().partition(":")
        if k.lower() == "content-length":
            length = int(v)
        elif k.lower() == "x-served-by":
            served = v.strip()
    body = f.read(length)
    return status.startswith(b"HTTP/1.1 200") and body == (served + "\n").encode(), served


def cmd_pipeline(a):
    s = socket.create_connection((a.host, a.port), timeout=10)
    f = s.makefile("rb")

    def req(step):
        lane, _, path = step.partition(":")
        hdr = LANE_HEADER + ": gray\r\n" if lane == "gray" else ""
        return "GET %s HTTP/1.1\r\nHost: a\r\n%s\r\n" % (path or "/", hdr)

    steps = a.reqs or ["base", "gray"]
    out, good = [], True
    if a.reuse:
        s.sendall(req(steps[0].partition(":")[0]).encode())
        ok, served = read_reply(f)
        good &= ok
        out.append("(%s)" % served)
    s.sendall("".join(req(r) for r in steps).encode())
    for _ in steps:
        ok, served = read_reply(f)
        good &= ok
        out.append(served)
    print(" ".join(out))
    return 0 if good else 1



# ---------------------------------------------------------------- pool

def body_size(rnd, max_body):
    """Mostly small bodies, some medium, a few up to max_body."""
    r = rnd.random()
    if r < 0.90:
        return rnd.randint(0, 4096)
    if r < 0.99:
        return rnd.randint(4096, 65536)
    return rnd.randint(65536, max_body)


def build(rnd, lane, max_body):
    """One request: (bytes, method, body sent, expects an echo)."""
    hdr = "Host: a\r\n" + (LANE_HEADER + ": gray\r\n" if lane == "gray" else "")
    kind = rnd.choice(("GET", "GET", "HEAD", "POST", "CHUNKED"))
    if kind in ("GET", "HEAD"):
        return ("%s / HTTP/1.1\r\n%s\r\n" % (kind, hdr)).encode(), kind, b""
    body = rnd.randbytes(body_size(rnd, max_body))
    if kind == "POST":
        head = "POST /echo HTTP/1.1\r\n%sContent-Length: %d\r\n\r\n" % (hdr, len(body))
        return head.encode() + body, kind, body
    out = [("POST /echo HTTP/1.1\r\n%sTransfer-Encoding: chunked\r\n\r\n" % hdr).encode()]
    for j in range(0, len(body), 7000):
        part = body[j:j + 7000]
        out.append(b"%x\r\n%s\r\n" % (len(part), part))
    out.append(b"0\r\n\r\n")
    return b"".join(out), kind, body


def reply(f, method):
    """(status, served-by, body) of one reply read from f, or raises."""
    status = f.readline()
    if not status:
        raise ConnectionError("closed")
    length, served, chunked = 0, "?", False
    while True:
        line = f.readline()
        if line in (b"\r\n", b""):
            break
        k, _, v = line.decode("latin-1").partition(":")
        k = k.strip().lower()
        if k == "content-length":
            length = int(v)
        elif k == "x-served-by":
            served = v.strip()
        elif k == "transfer-encoding" and "chunked" in v.lower():
            chunked = True
    if method == "HEAD":
        return status, served, None
    if chunked:
        parts = []
        while True:
            size = int(f.readline().split(b";")[0], 16)
            if size == 0:
                f.readline()
                break
            parts.append(f.read(size))
            f.readline()
        return status, served, b"".join(parts)
    data = f.read(length)
    if len(data) != length:
        raise ConnectionError("short body")
    return status, served, data


def check(status, served, data, method, body):
    if not status.startswith(b"HTTP/1.1 200"):
        return "status " + status.decode("latin-1").strip()
    if method in ("POST", "CHUNKED"):
        return "" if data == body else "echo of %d bytes differs" % len(body)
    if method == "HEAD":
        return ""
    return "" if data == (served + "\n").encode() else "body %r" % data[:40]


def pool_worker(a, idx, n, out):
    rnd = random.Random(a.seed * 1000 + idx)
    s = socket.create_connection((a.host, a.port), timeout=20)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    f = s.makefile("rb")
    i = 0
    while i < n:
        batch = 2 if rnd.random() < a.pipeline and n - i >= 2 else 1
        reqs = []
        for _ in range(batch):
            lane = "gray" if rnd.random() < 0.5 else "base"
            reqs.append((lane,) + build(rnd, lane, a.max_body))
        try:
            s.sendall(b"".join(r[1] for r in reqs))
            for lane, _, method, body in reqs:
                status, served, data = reply(f, method)
                why = check(status, served, data, method, body)
                out.append("%d %d %s %s %d %s %s%s%s" % (idx, i, lane, method, len(body), served,
                                                         "bad " if why else "ok", why,
                                                         " pipelined" if batch > 1 else ""))
                i += 1
        except (OSError, ValueError) as e:
            out.append("%d %d %s - 0 - bad %s" % (idx, i, reqs[0][0], type(e).__name__))
            return
    s.close()


def cmd_pool(a):
    import threading
    outs = [[] for _ in range(a.connections)]
    per = a.requests // a.connections
    ts = [threading.Thread(target=pool_worker, args=(a, k, per, outs[k]))
          for k in range(a.connections)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    with open(a.out, "w") as o:
        for lines in outs:
            o.write("".join(line + "\n" for line in lines))
    return 0 if all(len(x) == per and all(" ok" in y for y in x) for x in outs) else 1



# ---------------------------------------------------------------- steps

def cmd_steps(a):
    """One kept-alive connection, one step after another (see the usage)."""
    c = http.client.HTTPConnection(a.host, a.port, timeout=a.timeout)
    out = []

    def get(lane, path):
        c.request("GET", path, headers={LANE_HEADER: "gray"} if lane == "gray" else {})
        r = c.getresponse()
        body = r.read().decode().strip()
        return r.getheader("X-Served-By", "?") if a.served_by else body

    for step in a.steps:
        kind, _, arg = step.partition(":")
        if kind == "sleep":
            time.sleep(float(arg))
        elif kind == "ready":
            open(arg, "w").close()
        elif kind == "send":
            c.request("GET", arg, headers={LANE_HEADER: "gray"})   # its reply never read
        elif kind == "warm":
            for _ in range(30):
                if get("gray", "/") == "a-gray":
                    break
                time.sleep(0.1)
        else:
            t0 = time.time()
            try:
                body = get(kind, arg or "/")
                out.append("%s/%.2fms" % (body, (time.time() - t0) * 1e3) if a.times else body)
            except (http.client.HTTPException, OSError) as e:
                part = len(e.partial) if isinstance(e, http.client.IncompleteRead) else 0
                out.append("%s(%d bytes) after %.1f s" % (type(e).__name__, part,
                                                            time.time() - t0))
                break
    print(" ".join(out))
    return 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("mix")
    m.add_argument("host")
    m.add_argument("port", type=int)
    m.add_argument("--requests", type=int, required=True)
    m.add_argument("--seed", type=int, default=1)
    m.add_argument("--max-body", type=int, default=256 * 1024)
    m.add_argument("--out")
    p = sub.add_parser("pipeline")
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("reqs", nargs="*")
    p.add_argument("--reuse", action="store_true")
    q = sub.add_parser("pool")
    q.add_argument("host")
    q.add_argument("port", type=int)
    q.add_argument("--connections", type=int, default=64)
    q.add_argument("--requests", type=int, required=True)
    q.add_argument("--pipeline", type=float, default=0.05)
    q.add_argument("--max-body", type=int, default=1 << 20)
    q.add_argument("--seed", type=int, default=1)
    q.add_argument("--out", required=True)
    t = sub.add_parser("steps")
    t.add_argument("host")
    t.add_argument("port", type=int)
    t.add_argument("--timeout", type=float, default=15)
    t.add_argument("--times", action="store_true", help="each GET's time after its body")
    t.add_argument("--served-by", action="store_true",
                   help="print each GET's X-Served-By header instead of its body")
    t.add_argument("steps", nargs="+")
    a = ap.parse_args()
    return {"mix": cmd_mix, "pipeline": cmd_pipeline, "pool": cmd_pool,
            "steps": cmd_steps}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
