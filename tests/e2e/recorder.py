#!/usr/bin/python3
"""A raw TCP test endpoint that records EXACTLY the bytes each connection
delivered, for tests that compare what a client sent with what arrived.

usage: recorder.py DIR [--port 8080] [--bind ::]

One file per connection, named by the client's address and port as the server
sees them (DIR/<ip>-<port>.bin, IPv4-mapped addresses unmapped): every byte
received, in order, written as it comes. When the client closes its side (EOF),
DIR/<ip>-<port>.done is written (by rename, so it is never seen half written)
with one line "bytes=<n> responses=<n> mode=<http|raw>", and then the
connection is closed; a client that shuts down its write side and reads to EOF
therefore knows the record is complete.

No HTTP library: the recorder frames requests itself (request line, header
lines, then a body by Content-Length or chunked with extensions and trailers)
so that pipelined requests get one answer each:

    HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok

Bytes that do not begin with an HTTP/1.x request line (TLS, h2, binary), or
that stop being framable, are only recorded ("raw"): no answer. Runs until
killed.
"""
import argparse
import os
import re
import socket
import sys
import threading

ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
REQUEST_LINE = re.compile(rb"^[A-Z]+ \S+ HTTP/1\.[01]$")
TOKEN_START = re.compile(rb"^[A-Z]{1,16}( |$)")
HEAD_MAX = 1 << 20  # a head the recorder gives up framing (raw from then on)


class Framer:
    """Incremental HTTP/1.x request framer. feed() returns how many complete
    requests the new bytes finished."""

    def __init__(self):
        self.buf = bytearray()
        self.mode = "http"
        self.state = "head"      # head | length | chunk-size | chunk-data | chunk-crlf | trailer
        self.left = 0

    def feed(self, data):
        if self.mode == "raw":
            return 0
        self.buf += data
        done = 0
        while True:
            r = self.step()
            if r is None:
                break
            done += r
        if len(self.buf) > HEAD_MAX:
            self.mode = "raw"
        return done

    def raw(self):
        self.mode = "raw"
        self.buf = bytearray()
        return None

    def step(self):
        """One framing step on the buffer: 1 if a request completed, 0 when
        progress was made, None when more bytes are needed (or raw)."""
        b = self.buf
        if self.mode == "raw":
            return None
        if self.state == "head":
            while b[:2] == b"\r\n":   # empty lines before a request: ignored [RFC 9112 2.2]
                del b[:2]
            if not b or b == b"\r":
                return None
            if not TOKEN_START.match(bytes(b[:17])):
                return self.raw()
            end = b.find(b"\r\n\r\n")
            if end < 0:
                return None
            head = bytes(b[:end]).split(b"\r\n")
            del b[:end + 4]
            if not REQUEST_LINE.match(head[0]):
                return self.raw()
            length, chunked = 0, False
            for line in head[1:]:
                name, sep, value = line.partition(b":")
                if not sep:
                    return self.raw()
                name = name.strip().lower()
                value = value.strip().lower()
                if name == b"content-length":
                    try:
                        length = int(value.split(b",")[0])
                    except ValueError:
                        return self.raw()
                elif name == b"transfer-encoding":
                    chunked = value.endswith(b"chunked")
            if chunked:
                self.state = "chunk-size"
            elif length:
                self.state, self.left = "length", length
            else:
                return 1
            return 0
        if self.state in ("length", "chunk-data"):
            if not b:
                return None
            n = min(self.left, len(b))
            del b[:n]
            self.left -= n
            if self.left:
                return None
            if self.state == "length":
                self.state = "head"
                return 1
            self.state = "chunk-crlf"
            return 0
        if self.state == "chunk-crlf":
            if len(b) < 2:
                return None
            if bytes(b[:2]) != b"\r\n":
                return self.raw()
            del b[:2]
            self.state = "chunk-size"
            return 0
        if self.state == "chunk-size":
            end = b.find(b"\r\n")
            if end < 0:
                return None
            line = bytes(b[:end])
            del b[:end + 2]
            size = line.split(b";")[0].strip()
            try:
                self.left = int(size, 16)
            except ValueError:
                return self.raw()
            self.state = "chunk-data" if self.left else "trailer"
            return 0
        if self.state == "trailer":
            end = b.find(b"\r\n")
            if end < 0:
                return None
            del b[:end + 2]
            if end == 0:
                self.state = "head"
                return 1
            return 0
        return self.raw()


def peer_key(addr):
    ip = addr[0]
    if ip.startswith("::ffff:"):
        ip = ip[len("::ffff:"):]
    return "%s-%d" % (ip, addr[1])


def serve(conn, addr, outdir):
    key = peer_key(addr)
    path = os.path.join(outdir, key)
    framer = Framer()
    total = answered = 0
    try:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with open(path + ".bin", "wb") as f:
            while True:
                try:
                    data = conn.recv(1 << 16)
                except OSError:
                    break
                if not data:
                    break
                f.write(data)
                f.flush()
                total += len(data)
                n = framer.feed(data)
                if n:
                    try:
                        conn.sendall(ANSWER * n)
                    except OSError:
                        pass
                    answered += n
        with open(path + ".tmp", "w") as f:
            f.write("bytes=%d responses=%d mode=%s\n" % (total, answered, framer.mode))
        os.rename(path + ".tmp", path + ".done")
    finally:
        conn.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--bind", default="::")
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    fam = socket.AF_INET6 if ":" in a.bind else socket.AF_INET
    srv = socket.socket(fam, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if fam == socket.AF_INET6:
        srv.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    srv.bind((a.bind, a.port))
    srv.listen(512)
    sys.stderr.write("recorder %s listening on [%s]:%d\n" % (a.dir, a.bind, a.port))
    sys.stderr.flush()
    while True:
        conn, addr = srv.accept()
        threading.Thread(target=serve, args=(conn, addr, a.dir), daemon=True).start()


if __name__ == "__main__":
    main()
