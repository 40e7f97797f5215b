#!/usr/bin/python3
"""A test endpoint: a real HTTP/1.1 server that names itself.

usage: httpd.py NAME [--port 8080] [--bind ::]

Every GET answers 200 with the body "NAME\n" (and the header X-Served-By: NAME).
GET /__count answers the number of other requests served so far, so a test can
tell how many requests reached this endpoint. Binding to "::" listens dual-stack
(IPv4 and IPv6). Runs until killed.
"""
import argparse
import http.server
import socket
import sys
import threading


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "gl-e2e-httpd"

    def do_GET(self):
        srv = self.server
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
    a = ap.parse_args()
    srv = Server(a.bind, a.port, a.name)
    sys.stderr.write("httpd %s listening on [%s]:%d\n" % (a.name, a.bind, a.port))
    sys.stderr.flush()
    srv.serve_forever()


if __name__ == "__main__":
    main()
