#!/usr/bin/python3
"""One deployment of a service of the reference scenario (A -> B -> C).

usage: service.py NAME [--port 8080] [--bind ::] [--next URL] [--timeout 3]
                  [--db HOST:PORT] [--keepalive]

An unmodified, lane-unaware HTTP service: a thread per connection
(ThreadingHTTPServer). For every request (any method, any path) it calls the
next hop by its service address, e.g. http://10.77.100.2/, with a fresh
http.client connection (with --keepalive, a pooled kept-alive one: see Pool)
that carries NO header of the incoming request (only
what http.client itself sends: Host, Accept-Encoding), and answers

    NAME -> <the next hop's answer>        e.g. "a-gray -> b-gray -> c-gray"

The last service (no --next) answers just NAME. Which deployment of the next
service answers is up to graylane: this program knows nothing about lanes.

GET /__count answers the number of other requests served so far by this
process (it is not forwarded), so tests can compare what the answers say with
what each deployment actually served.

With --db (the scenario's C), every request also writes one row into MariaDB,
database mse-demo: INSERT INTO mse_demo_table(location) VALUES(NAME) (the
services forward no header, so the value is the deployment's name). Like a
real service it opens its connection pool at start-up, before any request, and
each request's handler thread sends its statement on a pooled connection: which
table the row lands in is up to graylane (a gray request's statement is
rewritten to mse_demo_table_gray). A failed write answers 502
"NAME -> ERR db <reason>".

When the next hop fails, or does not answer within --timeout seconds, the
answer is 502 with "NAME -> ERR <reason>", so the chain shows where it broke
(give hops nearer the client longer timeouts). Runs until killed.
"""
import argparse
import http.client
import http.server
import queue
import socket
import sys
import threading
import urllib.parse

# Python takes at most 100 header lines (431 beyond); nginx and the kernel
# take as many as fit their head buffers, so a demo service does too.
http.client._MAXHEADERS = 1000

DB_NAME = "mse-demo"
DB_USER = "gl"           # created by tests/e2e/mysql.sh
DB_PASSWORD = "gl-pass"
DB_POOL = 4
INSERT = "INSERT INTO mse_demo_table(location) VALUES(%s)"


class Store:
    """C's writes (REFERENCE-SCENARIO.md): one row per request into mse-demo.

    A pool of PyMySQL connections opened at start-up by the main thread, so
    before any request: the lane of each statement is not the connection's
    but the one graylane gives the handler thread that sends it. A connection
    that failed is dropped and a new one opened on its next use.
    """

    def __init__(self, addr, timeout):
        import pymysql  # only the deployments with --db need it

        self.pymysql = pymysql
        host, _, port = addr.rpartition(":")
        self.host, self.port, self.timeout = host.strip("[]"), int(port), timeout
        self.pool = queue.LifoQueue()
        for _ in range(DB_POOL):
            try:
                self.pool.put(self.open())
            except Exception as e:  # noqa: BLE001 - retried on use
                sys.stderr.write("db %s: %s: %s (retried on use)\n" % (addr, type(e).__name__, e))
                self.pool.put(None)

    def open(self):
        return self.pymysql.connect(host=self.host, port=self.port, user=DB_USER,
                                    password=DB_PASSWORD, database=DB_NAME, autocommit=True,
                                    connect_timeout=self.timeout, read_timeout=self.timeout,
                                    write_timeout=self.timeout)

    def insert(self, location):
        conn = self.pool.get()
        try:
            if conn is None:
                conn = self.open()
            with conn.cursor() as cur:
                cur.execute(INSERT, (location,))
        except Exception:
            if conn is not None:
                try:
                    conn.close()
                except Exception:  # noqa: BLE001
                    pass
            conn = None
            raise
        finally:
            self.pool.put(conn)


def connect(url, timeout):
    """A new (not yet connected) http.client connection to the next hop."""
    return http.client.HTTPConnection(url.hostname, url.port or 80, timeout=timeout)


class Pool:
    """--keepalive: kept-alive connections to the next hop, shared by every
    handler thread (as HTTP client pools are): a request takes the connection
    used last, whatever lane the request that opened it had, and puts it back
    after reading the reply. A pooled connection the server has closed
    meanwhile fails before any byte of a reply; that request is sent again
    once, on a new connection (as pools retry stale connections)."""

    def __init__(self, url, timeout):
        self.url, self.timeout = url, timeout
        self.idle = []
        self.lock = threading.Lock()

    def _take(self):
        with self.lock:
            if self.idle:
                return self.idle.pop(), True
        return connect(self.url, self.timeout), False

    def get(self, path):
        conn, reused = self._take()
        for attempt in (0, 1):
            try:
                conn.request("GET", path)   # no incoming header is forwarded
                resp = conn.getresponse()
                body = resp.read().decode(errors="replace").strip()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                conn.close()
                if attempt or not reused:
                    raise
                conn = connect(self.url, self.timeout)
            except Exception:
                conn.close()
                raise
        if resp.will_close:
            conn.close()
        else:
            with self.lock:
                self.idle.append(conn)
        return resp, body


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "graylane-demo-service"
    # an answer leaves in one write, head and body (as nginx's writev): with
    # python's default (unbuffered) the body waits behind Nagle for the
    # client's delayed ACK of the head on a kept-alive connection, 40 ms
    wbufsize = -1

    def answer(self, code, body):
        data = (body + "\n").encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Served-By", self.server.name)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def drain_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n > 0:
            self.rfile.read(n)

    def call_next(self):
        """The next hop's answer (one line), or raises."""
        srv = self.server
        u = srv.next
        if srv.pool is not None:
            resp, body = srv.pool.get(u.path or "/")
        else:
            conn = connect(u, srv.next_timeout)
            try:
                conn.request("GET", u.path or "/")   # no incoming header is forwarded
                resp = conn.getresponse()
                body = resp.read().decode(errors="replace").strip()
            finally:
                conn.close()
        if resp.status != 200:
            return body or "ERR HTTP %d" % resp.status, False
        return body, True

    def handle_any(self):
        srv = self.server
        self.drain_body()
        if self.path == "/__count":
            with srv.lock:
                n = srv.count
            self.answer(200, str(n))
            return
        with srv.lock:
            srv.count += 1
        if srv.next is None:
            if srv.store is not None:
                try:
                    srv.store.insert(srv.name)
                except Exception as e:  # noqa: BLE001 - the answer says what broke
                    self.answer(502, "%s -> ERR db %s %s" % (srv.name, type(e).__name__, e))
                    return
            self.answer(200, srv.name)
            return
        try:
            down, ok = self.call_next()
        except Exception as e:  # noqa: BLE001 - the chain must say what broke
            down, ok = "ERR %s %s" % (type(e).__name__, e), False
        self.answer(200 if ok else 502, "%s -> %s" % (srv.name, down))

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = handle_any
    do_PROPFIND = handle_any   # WebDAV: an extension method like any other

    def log_message(self, fmt, *args):  # nginx's access log has the requests
        pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 512

    def __init__(self, bind, port, name, next_url, timeout, db="", keepalive=False):
        self.address_family = socket.AF_INET6 if ":" in bind else socket.AF_INET
        self.name = name
        self.store = Store(db, timeout) if db else None
        self.next = urllib.parse.urlsplit(next_url) if next_url else None
        self.next_timeout = timeout
        self.pool = Pool(self.next, timeout) if keepalive and self.next else None
        self.count = 0
        self.lock = threading.Lock()
        super().__init__((bind, port), Handler)

    def server_bind(self):
        if self.address_family == socket.AF_INET6:
            self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        super().server_bind()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("name")
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--bind", default="::")
    ap.add_argument("--next", default="", help="URL of the next hop (service address)")
    ap.add_argument("--timeout", type=float, default=3.0,
                    help="seconds to wait for the next hop (and the database)")
    ap.add_argument("--db", default="", metavar="HOST:PORT",
                    help="MariaDB to write one row per request into (service address)")
    ap.add_argument("--keepalive", action="store_true",
                    help="keep connections to the next hop alive, pooled across requests")
    a = ap.parse_args()
    srv = Server(a.bind, a.port, a.name, a.next, a.timeout, a.db, a.keepalive)
    sys.stderr.write("service %s listening on [%s]:%d, next hop %s%s\n"
                     % (a.name, a.bind, a.port, a.next or "none",
                        ", database %s" % a.db if a.db else ""))
    sys.stderr.flush()
    srv.serve_forever()


if __name__ == "__main__":
    main()
