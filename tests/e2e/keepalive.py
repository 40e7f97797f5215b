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
  keepalive.py pipeline HOST PORT
        one send() with a base and a gray GET on a fresh connection, then both
        replies read: prints the two served-by names in order.

Exit status: 0 when every reply was complete and byte-exact, 1 otherwise.
"""
import argparse
import hashlib
import http.client
import random
import socket
import os
import sys

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
            why = "echo of %d bytes differs (%d back)" % (len(body), len(data))
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
    req = "GET / HTTP/1.1\r\nHost: a\r\n%s\r\n"
    s.sendall((req % "" + req % (LANE_HEADER + ": gray\r\n")).encode())
    f = s.makefile("rb")
    ok1, s1 = read_reply(f)
    ok2, s2 = read_reply(f)
    print(s1, s2)
    return 0 if ok1 and ok2 else 1


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
    a = ap.parse_args()
    return cmd_mix(a) if a.cmd == "mix" else cmd_pipeline(a)


if __name__ == "__main__":
    sys.exit(main())
