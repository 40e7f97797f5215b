#!/usr/bin/python3
"""Test client: opens TCP connections the way an application would and reports
which endpoint served each one.

Every request is a fresh connection (connect, GET, read to EOF, close), so every
request goes through the connect-time routing decision.

usage:
  client.py get  HOST PORT [--path P]      one request; prints NAME or "ERR <errno>"
  client.py many HOST PORT -n N            N requests, one line each (NAME or ERR ...)
  client.py peer HOST PORT                 prints "<getpeername addr> <port> <NAME>"
  client.py loop HOST PORT --seconds T --interval-ms I --out FILE
        new connection + GET every I ms for T seconds; every attempt is one line
        in FILE: "<seq> <ms since start> ok <NAME>" or "<seq> <ms> err <reason>";
        prints "total=N ok=M err=K" at the end
  client.py keepalive HOST PORT --seconds T --interval-ms I --out FILE
        as loop, but every GET on one kept-alive connection (python http.client);
        a failed request is an err line and the next one opens a new connection;
        prints "total=N ok=M err=K connections=C" at the end
  client.py wait HOST PORT [--timeout S]   poll until a TCP connect succeeds

Exit status: 0 when every request succeeded, 1 otherwise (2 for usage errors).
"""
import argparse
import errno
import socket
import sys
import time

TIMEOUT = 3.0


def family_of(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def errname(e):
    if isinstance(e, socket.timeout):
        return "ETIMEDOUT"
    if isinstance(e, OSError) and e.errno:
        return errno.errorcode.get(e.errno, str(e.errno))
    return type(e).__name__


def request(host, port, path="/", want_peer=False):
    """One connection, one GET. Returns (name, peer) or raises."""
    s = socket.socket(family_of(host), socket.SOCK_STREAM)
    try:
        s.settimeout(TIMEOUT)
        s.connect((host, port))
        peer = s.getpeername()[:2] if want_peer else None
        s.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n"
                   % (path, host)).encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    finally:
        s.close()
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        raise ValueError("no HTTP response head")
    status = head.split(b"\r\n", 1)[0].split()
    if len(status) < 2 or status[1] != b"200":
        raise ValueError("HTTP status %r" % head.split(b"\r\n", 1)[0])
    return body.decode(errors="replace").strip(), peer


def one(host, port, path="/"):
    try:
        name, _ = request(host, port, path)
        return True, name
    except Exception as e:  # noqa: BLE001 - report every kind of failure
        return False, "ERR " + errname(e)


def cmd_get(a):
    ok, out = one(a.host, a.port, a.path)
    print(out)
    return 0 if ok else 1


def cmd_many(a):
    bad = 0
    for _ in range(a.n):
        ok, out = one(a.host, a.port)
        bad += not ok
        print(out)
    return 1 if bad else 0


def cmd_peer(a):
    try:
        name, peer = request(a.host, a.port, want_peer=True)
    except Exception as e:  # noqa: BLE001
        print("ERR " + errname(e))
        return 1
    print("%s %d %s" % (peer[0], peer[1], name))
    return 0


def cmd_loop(a):
    total = good = 0
    start = time.monotonic()
    end = start + a.seconds
    step = a.interval_ms / 1000.0
    nxt = start
    with open(a.out, "w", buffering=1) as f:
        while True:
            now = time.monotonic()
            if now >= end:
                break
            ok, out = one(a.host, a.port)
            total += 1
            good += ok
            ms = int((now - start) * 1000)
            if ok:
                f.write("%d %d ok %s\n" % (total, ms, out))
            else:
                f.write("%d %d err %s\n" % (total, ms, out[4:]))
            nxt += step
            delay = nxt - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            else:
                nxt = time.monotonic()
    print("total=%d ok=%d err=%d" % (total, good, total - good))
    return 0 if total and good == total else 1


def cmd_keepalive(a):
    import http.client
    total = good = conns = 0
    conn = None
    start = time.monotonic()
    with open(a.out, "w", buffering=1) as f:
        while time.monotonic() < start + a.seconds:
            now = time.monotonic()
            total += 1
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(a.host, a.port, timeout=TIMEOUT)
                    conns += 1
                conn.request("GET", "/")
                r = conn.getresponse()
                body = r.read().decode(errors="replace").strip()
                if r.status != 200:
                    raise ValueError("HTTP %d" % r.status)
                good += 1
                f.write("%d %d ok %s\n" % (total, int((now - start) * 1000), body))
            except Exception as e:  # noqa: BLE001 - report every kind of failure
                f.write("%d %d err %s\n" % (total, int((now - start) * 1000), errname(e)))
                if conn is not None:
                    conn.close()
                conn = None
            time.sleep(a.interval_ms / 1000.0)
    print("total=%d ok=%d err=%d connections=%d" % (total, good, total - good, conns))
    return 0 if total and good == total else 1


def cmd_wait(a):
    deadline = time.monotonic() + a.timeout
    while True:
        s = socket.socket(family_of(a.host), socket.SOCK_STREAM)
        s.settimeout(0.5)
        try:
            s.connect((a.host, a.port))
            return 0
        except OSError:
            if time.monotonic() >= deadline:
                print("ERR nothing listening on %s port %d" % (a.host, a.port))
                return 1
            time.sleep(0.05)
        finally:
            s.close()


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("get", "many", "peer", "loop", "keepalive", "wait"):
        p = sub.add_parser(name)
        p.add_argument("host")
        p.add_argument("port", type=int)
        if name == "get":
            p.add_argument("--path", default="/")
        if name == "many":
            p.add_argument("-n", type=int, required=True)
        if name in ("loop", "keepalive"):
            p.add_argument("--seconds", type=float, required=True)
            p.add_argument("--interval-ms", type=float, default=5)
            p.add_argument("--out", required=True)
        if name == "wait":
            p.add_argument("--timeout", type=float, default=5)
    a = ap.parse_args()
    return {"get": cmd_get, "many": cmd_many, "peer": cmd_peer,
            "loop": cmd_loop, "keepalive": cmd_keepalive, "wait": cmd_wait}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
