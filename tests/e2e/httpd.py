#!/usr/bin/python3
"""A test endpoint: a real HTTP/1.1 server that names itself.

usage: httpd.py NAME [--port 8080] [--bind ::] [--idle-timeout S] [--nodelay]

Every GET answers 200 with the body "NAME\n" (and the header X-Served-By: NAME).
GET /__count answers the number of other requests served so far, so a test can
tell how many requests reached this endpoint. Binding to "::" listens dual-stack
(IPv4 and IPv6). --nodelay sets TCP_NODELAY on accepted connections (as nginx
and most servers do). Runs until killed.

For kept-alive tests: POST echoes its body (read by Content-Length or chunked)
with X-Served-By and X-Body-Sha256; HEAD answers GET's headers without the
body; GET /chunked answers "NAME\n" in chunked framing; GET /__truncate
sends 10 bytes of a 100-byte reply and closes; GET /__slow answers after 2 s;
GET /__hello sends "GET well soon, from NAME" 0.1 s after its head;
GET /__big answers 64 MiB, GET /__bigsent how many bytes of it were written.
--idle-timeout closes
a kept-alive connection idle that long (as servers' keep-alive timeouts do).
"""
import argparse
import hashlib
import http.server
import socket
import sys
import threading
import time


NODELAY = False


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "gl-e2e-httpd"

    def do_GET(self):
        srv = self.server
        if self.path == "/chunked":
            return self.chunked()
        if self.path == "/__truncate":
            return self.truncate()
        if self.path == "/__slow":
            time.sleep(2)
        if self.path == "/__hello":
            return self.hello()
        if self.path == "/__big":
            return self.big()
        if self.path == "/__bigsent":
            body = "%d\n" % srv.big_sent
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        if self.path == "/__count":
            with srv.lock:
                body = "%d\n" % srv.count
        else:
            with srv.lock:
                srv.count += 1
            body = srv.name + "\n"
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Served-By", srv.name)
        self.end_headers()
        self.wfile.write(data)

    def setup(self):
        super().setup()
        if NODELAY:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_HEAD(self):
        body = (self.server.name + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Served-By", self.server.name)
        self.end_headers()
        self.count()

    def count(self):
        with self.server.lock:
            self.server.count += 1

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length", "0")))

    def do_POST(self):
        data = self.read_body()
        self.count()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Served-By", self.server.name)
        self.send_header("X-Body-Sha256", hashlib.sha256(data).hexdigest())
        self.end_headers()
        self.wfile.write(data)

    def chunked(self):
        self.count()
        body = (self.server.name + "\n").encode()
        self.send_response(200)
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("X-Served-By", self.server.name)
        self.end_headers()
        self.wfile.write(b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))

    def truncate(self):
        """A reply cut short: 10 of its 100 bytes, then the connection closes."""
        self.count()
        self.send_response(200)
        self.send_header("Content-Length", "100")
        self.send_header("X-Served-By", self.server.name)
        self.end_headers()
        self.wfile.write(b"0123456789")
        self.wfile.flush()
        self.close_connection = True

    def big(self):
        """64 MiB, written as fast as the connection takes it; counted."""
        chunk = b"x" * 65536
        self.send_response(200)
        self.send_header("Content-Length", str(64 << 20))
        self.send_header("X-Served-By", self.server.name)
        self.end_headers()
        for _ in range(1024):
            self.wfile.write(chunk)
            with self.server.lock:
                self.server.big_sent += len(chunk)

    def hello(self):
        """A text body that begins like a request line, after its head."""
        self.count()
        body = b"GET well soon, from " + self.server.name.encode() + b"\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Served-By", self.server.name)
        self.end_headers()
        self.wfile.flush()
        time.sleep(0.1)
        self.wfile.write(body)

    def log_message(self, fmt, *args):  # quiet: tests read results, not logs
        pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 512

    def __init__(self, bind, port, name):
        self.address_family = socket.AF_INET6 if ":" in bind else socket.AF_INET
        self.name = name
        self.count = 0
        self.big_sent = 0
        self.lock = threading.Lock()
        super().__init__((bind, port), Handler)

    def server_bind(self):
        if self.address_family == socket.AF_INET6:
            self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        super().server_bind()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("name")
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--bind", default="::")
    ap.add_argument("--idle-timeout", type=float, default=None)
    ap.add_argument("--nodelay", action="store_true")
    a = ap.parse_args()
    Handler.timeout = a.idle_timeout
    global NODELAY
    NODELAY = a.nodelay
    srv = Server(a.bind, a.port, a.name)
    sys.stderr.write("httpd %s listening on [%s]:%d\n" % (a.name, a.bind, a.port))
    sys.stderr.flush()
    srv.serve_forever()


if __name__ == "__main__":
    main()
