#!/usr/bin/python3
"""Wire-level test client for the send and receive paths (test_send.sh,
test_recv.sh): crafted bytes with precise send() boundaries, and threads that
get a context label by reading a request head.

usage:
  wire.py send CASE HOST PORT --lane LANE --out PREFIX
        Runs one named case (see CASES) on one connection, as the workload it
        is started in: every piece is one socket.send() (TCP_NODELAY), pieces
        that must be apart are sent with a short pause. Waits for the answers
        the case expects, shuts down its write side and reads to EOF (the
        recorder closes once its record is complete).
        Writes PREFIX.sent (the bytes sent), PREFIX.expect (what the server
        must receive: each request head of a lane with exactly one
        "x-opensergo-traffic: <lane>" line right after the request line and
        no other propagation line, base heads with none, everything else
        byte-identical) and PREFIX.json; prints "key=<ip>-<port> answers=N/M".
        LANE is the sending workload's lane (gray or base; "none" to expect
        every byte untouched, for trying cases without graylane).
  wire.py check PREFIX DIR...
        Compares the recorder's record of that connection (found in one of the
        recorder directories DIR) with PREFIX.expect; prints
        "<dir name> same answers=N/M" or what differs.
  wire.py ctx HOST PORT [--via recv|read|readv|recvmsg|none] [--head H]
              [--split N] [--pause S] [--after S] [--peek N] [--interleave N]
        Reads request head H (Python escapes, default a head carrying
        x-opensergo-traffic: gray) from a local socketpair with the given read
        call (split: first N bytes, pause, the rest: two reads; peek: first
        recv(N, MSG_PEEK); interleave: first read N bytes of another head from
        another socketpair, whose rest never comes), sleeps
        --after seconds, then connects to HOST PORT, GETs / and prints the body
        (the endpoint's name, tests/e2e/httpd.py).
  wire.py unseen
        recvmmsg() on a UDP socket with a datagram waiting, and io_uring_enter
        (syscall 426) with bogus arguments; prints what each returned.
"""
import argparse
import ctypes
import errno
import hashlib
import json
import os
import random
import socket
import sys
import threading
import time

ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
LABEL = b"x-opensergo-traffic"
ALIAS = b"x-mse-tag"
PAUSE = 0.03
TIMEOUT = 4.0
GRAY_HEAD = b"GET /in HTTP/1.1\r\nHost: in\r\nx-opensergo-traffic: gray\r\n\r\n"


def family_of(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def field_name(line):
    return line.split(b":", 1)[0].strip().lower()


def relabel(head, lane):
    """What the kernel must make of one request head sent in `lane`
    (None: untouched)."""
    if lane is None:
        return head
    assert head.endswith(b"\r\n\r\n"), head
    lines = head[:-4].split(b"\r\n")
    req, fields = lines[0], lines[1:]
    labels = [f for f in fields if field_name(f) in (LABEL, ALIAS)]
    # a lane head that already says so, in the configured name, is left alone
    if (lane != "base" and len(labels) == 1 and field_name(labels[0]) == LABEL and
            labels[0].split(b":", 1)[1].strip() == lane.encode()):
        return head
    kept = [f for f in fields if field_name(f) not in (LABEL, ALIAS)]
    if lane != "base":
        kept = [LABEL + b": " + lane.encode()] + kept
    return b"\r\n".join([req] + kept) + b"\r\n\r\n"


class Conn:
    """One connection: what is sent, what must arrive, answers received."""

    def __init__(self, host, port, lane):
        self.lane = lane
        self.sent = bytearray()
        self.expect = bytearray()
        self.pending = bytearray()
        self.requests = 0
        self.answers = 0
        self.rbuf = b""
        self.sends = 0
        self.refusals = 0
        self.s = socket.socket(family_of(host), socket.SOCK_STREAM)
        self.s.settimeout(TIMEOUT)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.s.connect((host, port))
        ip, lport = self.s.getsockname()[:2]
        if ip.startswith("::ffff:"):
            ip = ip[7:]
        self.key = "%s-%d" % (ip, lport)

    # ---- building the stream
    def head(self, h, lane="wl", answered=True, twin=False):
        """A request head; lane "wl" is the workload's lane, None untouched;
        twin: it leaves through a twin to the other endpoint (not expected here)."""
        if lane == "wl":
            lane = self.lane
        if lane == "none":      # self-test without graylane: nothing changes
            lane = None
        self.pending += h
        if not twin:
            self.expect += relabel(h, lane)
        self.requests += answered
        return self

    def refused(self, h, *cuts):
        """A head graylane must refuse: a send() fails with EACCES (nothing
        of it arrives, no answer) and every later send on the connection."""
        self.pending += h
        try:
            self.send(*cuts)
        except PermissionError:
            self.refusals += 1
            return self
        raise RuntimeError("send() of a head to refuse succeeded")

    def data(self, b):
        """Bytes that must arrive untouched (bodies, non-HTTP)."""
        self.pending += b
        self.expect += b
        return self

    # ---- sending
    def send(self, *cuts, pause=PAUSE):
        """Sends the pending bytes, one send() per piece between the cut
        offsets (relative to the pending bytes)."""
        data = bytes(self.pending)
        self.pending = bytearray()
        edges = [0] + [c if c >= 0 else len(data) + c for c in cuts] + [len(data)]
        assert edges == sorted(edges), edges
        for i in range(len(edges) - 1):
            piece = data[edges[i]:edges[i + 1]]
            if not piece:
                continue
            if i:
                time.sleep(pause)
            self.send_piece(piece)

    def send_piece(self, piece):
        # one send() per piece: the kernel program sees each as one message
        n = self.s.send(piece)
        self.sends += 1
        self.sent += piece[:n]
        if n < len(piece):
            # a short write: the rest in further sends (only for huge pieces)
            self.s.sendall(piece[n:])
            self.sent += piece[n:]

    def send_sizes(self, sizes):
        """Sends the pending bytes in pieces of the given sizes (cycled)."""
        data = bytes(self.pending)
        self.pending = bytearray()
        off = i = 0
        while off < len(data):
            n = sizes[i % len(sizes)]
            self.send_piece(data[off:off + n])
            off += n
            i += 1

    def wait(self, n=None):
        """Until n answers (default: every request so far) came back."""
        n = self.requests if n is None else n
        deadline = time.monotonic() + TIMEOUT
        while self.answers < n and time.monotonic() < deadline:
            try:
                chunk = self.s.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            self.take(chunk)
        return self.answers >= n

    def take(self, chunk):
        self.rbuf += chunk
        k = len(self.rbuf) // len(ANSWER)
        if self.rbuf[:k * len(ANSWER)] != ANSWER * k:
            raise RuntimeError("unexpected answer bytes %r" % self.rbuf[:80])
        self.answers += k
        self.rbuf = self.rbuf[k * len(ANSWER):]

    def close(self):
        """Shuts down the write side, reads to EOF: the record is complete."""
        err = None
        try:
            self.s.shutdown(socket.SHUT_WR)
            deadline = time.monotonic() + TIMEOUT
            while time.monotonic() < deadline:
                chunk = self.s.recv(65536)
                if not chunk:
                    break
                self.take(chunk)
            else:
                err = "no EOF from the server"
        except OSError as e:
            err = "close: %s" % e
        self.s.close()
        return err


def context_read(head=GRAY_HEAD, via="recv", split=0, pause=0.05, peek=0, interleave=0):
    """This thread reads a request head from a local socketpair: in two reads
    when split; after peeking at its first `peek` bytes (MSG_PEEK); after
    reading the first `interleave` bytes of ANOTHER head from another
    socketpair whose rest never comes."""
    if interleave:
        x, y = socketpair_head(b"GET /other HTTP/1.1\r\nHost: other\r\n\r\n"[:interleave])
        got = y.recv(interleave)
        if len(got) != interleave:
            raise RuntimeError("socketpair read %r" % got)
    a, b = socket.socketpair()
    try:
        pieces = [head[:split], head[split:]] if split else [head]
        for i, p in enumerate(pieces):
            if i:
                time.sleep(pause)
            a.sendall(p)
            time.sleep(0.01)
            if peek and i == 0:
                b.recv(peek, socket.MSG_PEEK)
            got = read_once(b, via, len(p))
            if got != p:
                raise RuntimeError("socketpair read %r, wrote %r" % (got, p))
    finally:
        a.close()
        b.close()


def socketpair_head(data):
    a, b = socket.socketpair()
    a.sendall(data)
    time.sleep(0.01)
    return a, b


def read_once(sock, via, n):
    if via == "recv":
        return sock.recv(n)                     # recvfrom(2)
    if via == "read":
        return os.read(sock.fileno(), n)        # read(2)
    if via == "readv":
        buf = bytearray(n)
        k = os.readv(sock.fileno(), [buf])      # readv(2)
        return bytes(buf[:k])
    if via == "recvmsg":
        return sock.recvmsg(n)[0]               # recvmsg(2)
    raise ValueError(via)


# ------------------------------------------------------------------ cases

def req(path, *fields, method=b"GET", host=b"rec"):
    lines = [method + b" " + path + b" HTTP/1.1", b"Host: " + host]
    lines += list(fields)
    return b"\r\n".join(lines) + b"\r\n\r\n"


def c_simple(c):
    c.head(req(b"/simple", b"User-Agent: wire")).send()
    c.wait()


def c_relabel(c):
    c.head(req(b"/relabel", b"x-opensergo-traffic: blue", b"Accept: */*", b"X-MSE-Tag: blue")).send()
    c.wait()


def c_already(c):
    # a gray workload's head that already says gray: left as it is
    c.head(req(b"/already", b"Accept: */*", b"x-opensergo-traffic: gray")).send()
    c.wait()


def c_split3(c):
    h = req(b"/split", b"User-Agent: wire", b"Accept: */*")
    # inside the request line, inside a header name, before the final CRLF
    c.head(h).send(h.index(b"/split") + 3, h.index(b"User-Agent") + 4, len(h) - 2)
    c.wait()


def c_split_first(c):
    # the first bytes alone do not even tell the protocol: "G", then "ET ..."
    h = req(b"/first", b"Accept: */*")
    c.head(h).send(1, 3, len(h) - 1)
    c.wait()


def pad_head(path, total, line=120):
    """A head of exactly `total` bytes made of header lines of about `line`
    bytes (the parser takes at most GL_HTTP_HEADERS_MAX = 128 lines)."""
    fields, i = [], 0
    size = len(req(path))
    while size + 2 * line <= total:
        f = b"X-Pad-%03d: " % i
        f += b"v" * (line - len(f))
        fields.append(f)
        size += len(f) + 2
        i += 1
    last = b"X-Fill: "
    rest = total - size - len(last) - 2
    assert rest >= 1, rest
    fields.append(last + b"f" * rest)
    h = req(path, *fields)
    assert len(h) == total, (len(h), total)
    return h


def c_big_head(c):
    h = pad_head(b"/big", 8090)   # about 7.9 KiB, many headers
    c.head(h).send()
    c.wait()


def c_max_head(c):
    c.head(pad_head(b"/max", 8192)).send()   # exactly the bound
    c.wait()


def c_many_fields(c):
    # 1000 header lines in 8 KiB: any number of lines within the head bound
    c.head(pad_head(b"/many", 8000, line=6)).send()
    c.wait()
    c.head(req(b"/after-many", LABEL + b": blue")).send()
    c.wait()


def c_huge_head(c):
    # over the bound: refused, and every later send on the connection too
    c.refused(pad_head(b"/huge", 9000))
    c.refused(req(b"/after-huge", LABEL + b": gray"))


def c_huge_head_split(c):
    h = pad_head(b"/huge2", 8193)
    c.refused(h, 4000)   # the first 4000 bytes are corked, the rest refused


def c_propfind(c):
    # an extension method is a request like any other
    c.head(req(b"/dav", LABEL + b": blue", method=b"PROPFIND")).send()
    c.wait()
    c.head(req(b"/after-dav", LABEL + b": blue")).send()
    c.wait()


def c_labels5(c):
    # five propagation lines: more than can be removed, refused
    c.refused(req(b"/five", *[LABEL + b": blue"] * 3, b"X-MSE-Tag: blue", LABEL + b": blue"))
    c.refused(req(b"/after-five"))


def c_ctl_value(c):
    # a control byte in a value: the head cannot be framed safely, refused
    c.refused(req(b"/ctl", b"X-A: a\x01b", LABEL + b": blue"))


def c_stray_crlf(c):
    # empty lines before a request line (RFC 9112 2.2): passed, the requests labelled
    c.head(req(b"/s1", LABEL + b": blue")).data(b"\r\n").send()
    c.wait()
    c.data(b"\r\n\r\n").head(req(b"/s2", LABEL + b": blue")).send()
    c.wait()
    c.data(b"\r").send()
    time.sleep(PAUSE)
    c.data(b"\n").head(req(b"/s3", LABEL + b": blue")).send()
    c.wait()


def c_connect(c):
    # CONNECT: the request labelled; what follows it is the tunnel's, untouched
    c.head(req(b"rec:443", LABEL + b": blue", method=b"CONNECT")).send()
    c.wait()
    c.data(b"\x16\x03\x01\x00\x05hello").send()
    time.sleep(PAUSE)
    c.data(b"GET / HTTP/1.1\r\nHost: x\r\n" + LABEL + b": blue\r\n\r\n").send()


def c_upgrade(c):
    # an Upgrade offer then websocket frames: untouched from the first frame
    c.head(req(b"/ws", b"Connection: Upgrade", b"Upgrade: websocket", LABEL + b": blue")).send()
    c.wait()
    c.data(b"\x81\x85\x01\x02\x03\x04" + bytes(x ^ k for x, k in zip(b"hello", b"\x01\x02\x03\x04\x01"))).send()
    time.sleep(PAUSE)
    c.data(b"GET / HTTP/1.1\r\nHost: x\r\n" + LABEL + b": blue\r\n\r\n").send()


def c_upgrade_refused(c):
    # an Upgrade offer the server answered with 200: the next request is one
    c.head(req(b"/ws", b"Connection: keep-alive, Upgrade", b"Upgrade: h2c", LABEL + b": blue")).send()
    c.wait()
    c.head(req(b"/after-ws", LABEL + b": blue")).send()
    c.wait()


def c_pipeline10(c):
    for i in range(10):
        extra = [b"x-opensergo-traffic: blue"] if i % 3 == 1 else []
        if i % 4 == 2:
            extra.append(b"x-mse-tag: other")
        c.head(req(b"/p%d" % i, b"X-Seq: %d" % i, *extra))
    c.send()
    c.wait()


def c_pipeline_next(c):
    # three requests in one send(), the last the shortest, then one more send()
    c.head(req(b"/first-and-longest-of-three", b"Accept: */*", b"User-Agent: wire"))
    c.head(req(b"/second", b"Accept: */*"))
    c.head(req(b"/3"))
    c.send()
    c.wait()
    c.head(req(b"/next-send")).send()
    c.wait()


def c_pipeline_pop(c):
    # a request that loses a propagation line (base) and one after it that
    # must lose its own, in one send()
    c.head(req(b"/pop", b"x-opensergo-traffic: blue"))
    c.head(req(b"/after-pop", b"x-opensergo-traffic: blue")).send()
    c.wait()


FAKE = b"GET /fake HTTP/1.1\r\nHost: x\r\nx-opensergo-traffic: blue\r\n\r\n"


def post(path, body):
    return req(path, b"Content-Type: text/plain", b"Content-Length: %d" % len(body),
               method=b"POST")


def c_post_fake(c):
    body = FAKE + b"tail"
    c.head(post(b"/post", body)).data(body).send()
    c.wait()
    c.head(req(b"/after-post")).send()
    c.wait()


def c_post_fake_split(c):
    body = b"x" + FAKE + FAKE + b"GET /fake2 HTTP/1.1\r\n"
    h = post(b"/post-split", body)
    c.head(h).data(body)
    n = len(h)
    # head alone, then the body cut inside the fake request line, inside a
    # fake header, right before the fake head's end
    c.send(n, n + 3, n + 1 + FAKE.index(b"Host") + 2, n + 1 + len(FAKE) - 2, n + len(body) - 5)
    c.wait()
    c.head(req(b"/after-post-split")).send()
    c.wait()


def c_post_all_one(c):
    # head, body and the next request in one send()
    body = FAKE
    c.head(post(b"/post-one", body)).data(body).head(req(b"/next-in-same-send")).send()
    c.wait()


assert len(FAKE) == 0x3a
CHUNKED = (b"5;ext=1\r\nhello\r\n"
           b"3A ; name=\"v a\"\r\n" + FAKE.ljust(0x3a, b"z") + b"\r\n"
           b"1\r\n\n\r\n"
           b"0;last\r\n"
           b"Trailer-A: 1\r\nx-opensergo-traffic: blue\r\n\r\n")


def chunked_cuts(n, b):
    """Awkward cut offsets inside a chunked body b that starts at n."""
    return [n + 1,                                  # inside the first size line ("5" | ";ext")
            n + b.index(b";ext") + 3,               # inside the extension
            n + b.index(b"hello") + 5 + 1,          # between CR and LF after data
            n + b.index(b"3A") + 1,                 # inside the hex size
            n + b.index(b"GET /fake") + 9,          # inside chunk data
            n + b.index(b"0;last") + 6 + 1,         # between CR and LF of the last size line
            n + b.index(b"Trailer-A") + 4,          # inside a trailer name
            n + b.rindex(b"blue\r\n") + 5,          # between CR and LF of a trailer line
            n + len(b) - 2,                         # before the final CRLF
            n + len(b) - 1]                         # between its CR and LF


def c_chunked(c):
    h = req(b"/chunked", b"Transfer-Encoding: chunked", method=b"POST")
    c.head(h).data(CHUNKED)
    # the head's last byte comes with the body's first: cork, then head + body
    c.send(len(h) - 1, *chunked_cuts(len(h), CHUNKED))
    c.wait()
    c.head(req(b"/after-chunked")).send()
    c.wait()


def c_chunked_aligned(c):
    # the same cuts, but the head alone in its send(): no send() holds both
    # the end of a head and body bytes
    h = req(b"/chunked-aligned", b"Transfer-Encoding: chunked", method=b"POST")
    c.head(h).data(CHUNKED)
    c.send(len(h), *chunked_cuts(len(h), CHUNKED))
    c.wait()
    c.head(req(b"/after-chunked-aligned")).send()
    c.wait()


def c_chunked_one(c):
    h = req(b"/chunked-one", b"Transfer-Encoding: chunked", method=b"POST")
    c.head(h).data(CHUNKED).head(req(b"/after-chunked-one")).send()
    c.wait()


def big_body(n):
    rnd = random.Random(7)
    parts = []
    size = 0
    while size < n:
        chunk = rnd.randbytes(rnd.randint(100, 3000))
        parts.append(chunk + FAKE)
        size += len(chunk) + len(FAKE)
    return b"".join(parts)[:n]


def c_mib_one(c):
    body = big_body(1 << 20)
    c.head(post(b"/mib", body)).data(body).send()
    c.wait()
    c.head(req(b"/after-mib")).send()
    c.wait()


def c_mib_many(c):
    body = big_body(1 << 20)
    h = post(b"/mib-many", body)
    c.head(h).data(body)
    rnd = random.Random(11)
    c.send_sizes([len(h) + 7] + [rnd.randint(1, 9000) for _ in range(97)])
    c.wait()
    c.head(req(b"/after-mib-many")).send()
    c.wait()


def c_mib_chunked(c):
    body = big_body(1 << 20)
    chunks = b"".join(b"%x;i=%d\r\n" % (len(body[i:i + 65521]), i) + body[i:i + 65521] + b"\r\n"
                      for i in range(0, len(body), 65521)) + b"0\r\n\r\n"
    c.head(req(b"/mib-chunked", b"Transfer-Encoding: chunked", method=b"POST")).data(chunks)
    c.head(req(b"/after-mib-chunked"))
    rnd = random.Random(13)
    c.send_sizes([rnd.randint(1, 30000) for _ in range(61)])
    c.wait()


TLS_HELLO = (b"\x16\x03\x01\x00\x31\x01\x00\x00\x2d\x03\x03" + bytes(range(32)) +
             b"\x00\x00\x02\x13\x01\x01\x00")


def c_tls(c):
    c.data(TLS_HELLO).send()
    time.sleep(PAUSE)
    c.data(b"GET / HTTP/1.1\r\nHost: x\r\nx-opensergo-traffic: blue\r\n\r\n").send()
    time.sleep(PAUSE)
    c.data(b"\x17\x03\x03\x00\x10" + b"GET / HTTP/1.1\r\n").send()


def c_tls_split(c):
    c.data(TLS_HELLO).send(1)        # 0x16 alone first: the protocol is not known yet
    c.data(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").send()


H2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


def c_h2(c):
    c.data(H2_PREFACE + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00").send(5)
    time.sleep(PAUSE)
    c.data(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").send()


def c_binary(c):
    rnd = random.Random(5)
    blob = b"\x00\xff" + rnd.randbytes(3000)
    c.data(blob).send(700)
    time.sleep(PAUSE)
    c.data(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").send()


def c_mismatch(c):
    """Two threads share one kept-alive connection opened by the main thread
    (no context: the workload's lane). The other thread first reads a request
    head from a socketpair, so it has a context label: gray for a base
    workload (the head says gray), base for a gray workload (no header). Its
    requests leave through a twin to the other lane's endpoint."""
    other = "gray" if c.lane == "base" else "base"
    inhead = GRAY_HEAD if other == "gray" else b"GET /in HTTP/1.1\r\nHost: in\r\n\r\n"
    c.head(req(b"/main-1")).send()
    c.wait()
    errors = []

    def worker():
        try:
            context_read(inhead)
            c.head(req(b"/ctx-1"), lane=other, twin=True).send()
            c.wait()
            c.head(req(b"/ctx-2", b"x-opensergo-traffic: blue"), lane=other, twin=True).send()
            c.wait()
            c.head(req(b"/ctx-3"), lane=other, twin=True).send()
            c.wait()
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    if errors:
        raise errors[0]
    c.head(req(b"/main-2")).send()
    c.wait()


CASES = {name[2:].replace("_", "-"): fn for name, fn in globals().items()
         if name.startswith("c_")}


def sha(b):
    return hashlib.sha256(b).hexdigest()[:16]


def cmd_send(a):
    try:
        c = Conn(a.host, a.port, a.lane)
    except OSError as e:
        print("ERR connect %s" % errno.errorcode.get(e.errno, e))
        return 1
    err = None
    try:
        CASES[a.case](c)
    except Exception as e:  # noqa: BLE001
        err = "%s: %s" % (type(e).__name__, e)
    cerr = c.close()
    err = err or cerr
    with open(a.out + ".sent", "wb") as f:
        f.write(c.sent)
    with open(a.out + ".expect", "wb") as f:
        f.write(c.expect)
    with open(a.out + ".json", "w") as f:
        json.dump({"key": c.key, "answers": c.answers, "requests": c.requests,
                   "sends": c.sends, "refused": c.refusals, "error": err}, f)
    print("key=%s answers=%d/%d sends=%d refused=%d%s" % (
        c.key, c.answers, c.requests, c.sends, c.refusals, " ERR " + err if err else ""))
    return 1 if err else 0


def show(b, at, n=60):
    return repr(b[max(0, at - 20):at + n])


def cmd_check(a):
    meta = json.load(open(a.prefix + ".json"))
    expect = open(a.prefix + ".expect", "rb").read()
    found = None
    deadline = time.monotonic() + 3
    while found is None and time.monotonic() < deadline:
        for d in a.dirs:
            if os.path.exists(os.path.join(d, meta["key"] + ".done")):
                found = d
                break
        else:
            time.sleep(0.05)
    if found is None:
        print("no record of %s in %s (client: %s)" % (
            meta["key"], " ".join(a.dirs), meta.get("error")))
        return 1
    got = open(os.path.join(found, meta["key"] + ".bin"), "rb").read()
    name = os.path.basename(found.rstrip("/"))
    answers = "answers=%d/%d" % (meta["answers"], meta["requests"])
    if got == expect:
        print("%s same %s" % (name, answers))
        return 0
    at = next((i for i in range(min(len(got), len(expect))) if got[i] != expect[i]),
              min(len(got), len(expect)))
    print("%s DIFFERS %s: received %d bytes (sha256 %s), expected %d (sha256 %s); "
          "first difference at %d: received %s expected %s%s" % (
              name, answers, len(got), sha(got), len(expect), sha(expect), at,
              show(got, at), show(expect, at),
              "; client: " + meta["error"] if meta.get("error") else ""))
    return 1


def cmd_ctx(a):
    head = a.head.encode().decode("unicode_escape").encode("latin-1") if a.head else GRAY_HEAD
    if a.via != "none":
        context_read(head, a.via, a.split, a.pause, a.peek, a.interleave)
    if a.after:
        time.sleep(a.after)
    s = socket.socket(family_of(a.host), socket.SOCK_STREAM)
    s.settimeout(TIMEOUT)
    try:
        s.connect((a.host, a.port))
        s.sendall(b"GET / HTTP/1.1\r\nHost: svc\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except OSError as e:
        print("ERR %s" % errno.errorcode.get(e.errno, e))
        return 1
    finally:
        s.close()
    print(data.partition(b"\r\n\r\n")[2].decode(errors="replace").strip())
    return 0


class Iovec(ctypes.Structure):
    _fields_ = [("iov_base", ctypes.c_void_p), ("iov_len", ctypes.c_size_t)]


class Msghdr(ctypes.Structure):
    _fields_ = [("msg_name", ctypes.c_void_p), ("msg_namelen", ctypes.c_uint32),
                ("msg_iov", ctypes.POINTER(Iovec)), ("msg_iovlen", ctypes.c_size_t),
                ("msg_control", ctypes.c_void_p), ("msg_controllen", ctypes.c_size_t),
                ("msg_flags", ctypes.c_int)]


class Mmsghdr(ctypes.Structure):
    _fields_ = [("msg_hdr", Msghdr), ("msg_len", ctypes.c_uint)]


def cmd_unseen(a):
    libc = ctypes.CDLL(None, use_errno=True)
    r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    r.bind(("127.0.0.1", 0))
    w = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    w.sendto(b"GET / HTTP/1.1\r\n\r\n", r.getsockname())
    time.sleep(0.05)
    buf = ctypes.create_string_buffer(256)
    iov = Iovec(ctypes.cast(buf, ctypes.c_void_p), 256)
    mm = Mmsghdr()
    mm.msg_hdr.msg_iov = ctypes.pointer(iov)
    mm.msg_hdr.msg_iovlen = 1
    libc.recvmmsg.argtypes = [ctypes.c_int, ctypes.POINTER(Mmsghdr), ctypes.c_uint,
                              ctypes.c_int, ctypes.c_void_p]
    n = libc.recvmmsg(r.fileno(), ctypes.byref(mm), 1, socket.MSG_DONTWAIT, None)
    e1 = ctypes.get_errno()
    libc.syscall.restype = ctypes.c_long
    rc = libc.syscall(ctypes.c_long(426), ctypes.c_int(-1), ctypes.c_uint(0), ctypes.c_uint(0),
                      ctypes.c_uint(0), ctypes.c_void_p(None), ctypes.c_size_t(0))
    e2 = ctypes.get_errno()
    print("recvmmsg=%s io_uring_enter=%s" % (
        n if n >= 0 else errno.errorcode.get(e1, e1),
        rc if rc >= 0 else errno.errorcode.get(e2, e2)))
    return 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("send")
    p.add_argument("case", choices=sorted(CASES))
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("--lane", required=True)
    p.add_argument("--out", required=True)
    p = sub.add_parser("check")
    p.add_argument("prefix")
    p.add_argument("dirs", nargs="+")
    p = sub.add_parser("ctx")
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("--via", default="recv", choices=["recv", "read", "readv", "recvmsg", "none"])
    p.add_argument("--head")
    p.add_argument("--split", type=int, default=0)
    p.add_argument("--pause", type=float, default=0.05)
    p.add_argument("--after", type=float, default=0)
    p.add_argument("--peek", type=int, default=0)
    p.add_argument("--interleave", type=int, default=0)
    sub.add_parser("unseen")
    a = ap.parse_args()
    return {"send": cmd_send, "check": cmd_check, "ctx": cmd_ctx, "unseen": cmd_unseen}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
