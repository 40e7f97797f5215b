#!/usr/bin/python3
"""MariaDB text-protocol client for graylane's database lanes (tests/e2e).

Run it as a process of a workload (lib.sh run_as), against the database
service's address, so that graylane sees its connections and statements.
Statements are those of REFERENCE-SCENARIO.md, in database `mse-demo` (the
connection's default database), naming the base table mse_demo_table: which
table they reach is graylane's business.

  insert HOST PORT --location X [--n N] [--ctx gray|base] [--ssl] [--big BYTES]
                   [--qualified]
      N times INSERT INTO mse_demo_table(location) VALUES(X) on one connection
      opened after the context was set. --big adds BYTES of padding inside the
      statement (the stored value stays X); --qualified names the table
      `mse-demo`.mse_demo_table. Prints "ok inserted=N [cipher=...]".
  select HOST PORT [--ctx LANE] [--query SQL]
      "count=N last=LOCATION" of mse_demo_table (or SQL's first row, tab-separated)
  pool HOST PORT --location X --pattern gray,base[,...] [--n N]
      the pool opened at start-up: the connection first, with no context; then
      N statements, the i-th with context pattern[i % len] (its location
      X-<lane>). Prints "ok gray=G base=B".
  cli HOST PORT --location X [--ctx LANE] [--compress] [--ssl]
      sets the context, then becomes the mariadb CLI (same thread: the context
      stays) running the INSERT (PyMySQL has no compressed protocol). The CLI
      prints "Compression ON" / "Ssl_cipher ..." after the INSERT.
  mix HOST PORT --prefix P --threads T --n N [--seed S] [--plain K --plain-lane L]
      T threads, each with its own connection opened at start with no context,
      N statements in all, at the same time. Threads 0..K-1 never set a context
      (their statements take the connection's lane: L, the workload's); the
      others pick gray or base at random per statement and set it first. The
      location of each row is P-<expected lane>. Prints JSON
      {"counts": {location: n}, "errors": n, "first_error": "..."}.

A context is what graylane gives a thread that reads an HTTP request head
(DESIGN.md, Decisions 1): `--ctx gray` writes a head carrying
`x-opensergo-traffic: gray` into a socketpair and recv()s it in the same
thread; `--ctx base` does the same without the header. Errors print
"ERR <where> <exception>" and exit 1. Every socket operation times out
(--timeout, default 3 s) so a dropped statement never hangs a test.
"""
import argparse
import json
import os
import random
import socket
import sys
import threading

DB = "mse-demo"
USER = "gl"
PASSWORD = "gl-pass"
INSERT = "INSERT INTO mse_demo_table(location) VALUES(%s)"
MARIADB = "/usr/bin/mariadb"


class Context:
    """Gives the calling thread a context label by reading a request head."""

    def __init__(self, header):
        self.header = header
        self.a, self.b = socket.socketpair()

    def set(self, lane):
        head = "GET /ctx HTTP/1.1\r\nHost: ctx\r\n"
        if lane and lane != "base":
            head += "%s: %s\r\n" % (self.header, lane)
        head += "\r\n"
        data = head.encode()
        self.a.sendall(data)
        got = b""
        while len(got) < len(data):  # one recv in practice: the head is small
            got += self.b.recv(4096)


def connect(a, ssl=False):
    import pymysql

    kw = dict(host=a.host, port=a.port, user=USER, password=PASSWORD, database=DB,
              autocommit=True, connect_timeout=a.timeout, read_timeout=a.timeout,
              write_timeout=a.timeout)
    if ssl:
        kw["ssl"] = {"check_hostname": False}  # self-signed: no verification
    return pymysql.connect(**kw)


def err(where, e):
    print("ERR %s %s: %s" % (where, type(e).__name__, e))
    sys.stdout.flush()
    sys.exit(1)


def cmd_insert(a):
    if a.ctx:
        Context(a.header).set(a.ctx)
    try:
        conn = connect(a, ssl=a.ssl)
    except Exception as e:  # noqa: BLE001 - report whatever failed
        err("connect", e)
    cipher = ""
    try:
        cur = conn.cursor()
        if a.ssl:
            cur.execute("SHOW STATUS LIKE 'Ssl_cipher'")
            row = cur.fetchone()
            cipher = row[1] if row else ""
        table = "`%s`.mse_demo_table" % DB if a.qualified else "mse_demo_table"
        if a.big:
            # the padding is part of the statement; the row stores the location only
            sql = "INSERT INTO %s(location) VALUES(CONCAT(%%s, LEFT(%%s, 0)))" % table
            args = (a.location, "x" * a.big)
        else:
            sql = "INSERT INTO %s(location) VALUES(%%s)" % table
            args = (a.location,)
        for _ in range(a.n):
            cur.execute(sql, args)
    except Exception as e:  # noqa: BLE001
        err("insert", e)
    print("ok inserted=%d%s" % (a.n, " cipher=%s" % cipher if a.ssl else ""))


def cmd_select(a):
    if a.ctx:
        Context(a.header).set(a.ctx)
    try:
        conn = connect(a)
        cur = conn.cursor()
        if a.query:
            cur.execute(a.query)
            row = cur.fetchone()
            print("\t".join("NULL" if v is None else str(v) for v in (row or ())))
            return
        cur.execute("SELECT COUNT(*) FROM mse_demo_table")
        n = cur.fetchone()[0]
        cur.execute("SELECT location FROM mse_demo_table ORDER BY id DESC LIMIT 1")
        row = cur.fetchone()
    except Exception as e:  # noqa: BLE001
        err("select", e)
    print("count=%d last=%s" % (n, row[0] if row else "NONE"))


def cmd_pool(a):
    ctx = Context(a.header)
    try:
        conn = connect(a)  # opened first, with no context: a pool at start-up
        cur = conn.cursor()
    except Exception as e:  # noqa: BLE001
        err("connect", e)
    lanes = [x.strip() for x in a.pattern.split(",") if x.strip()]
    done = {}
    for i in range(a.n):
        lane = lanes[i % len(lanes)]
        ctx.set(lane)
        try:
            cur.execute(INSERT, ("%s-%s" % (a.location, lane),))
        except Exception as e:  # noqa: BLE001
            err("insert #%d (%s, after %s)" % (i, lane, json.dumps(done)), e)
        done[lane] = done.get(lane, 0) + 1
    print("ok " + " ".join("%s=%d" % (k, done[k]) for k in sorted(done)))


def cmd_cli(a):
    if a.ctx:
        Context(a.header).set(a.ctx)
    loc = a.location.replace("'", "''")
    sql = "INSERT INTO mse_demo_table(location) VALUES('%s');" % loc
    sql += " SHOW STATUS LIKE 'Compression'; SHOW STATUS LIKE 'Ssl_cipher';"
    argv = [MARIADB, "--no-defaults", "--protocol=tcp", "-h", a.host, "-P", str(a.port),
            "-u", USER, "-D", DB, "--connect-timeout=%d" % max(1, int(a.timeout)),
            "-N", "-B"]
    argv.append("--compress" if a.compress else "--skip-compress")
    argv.append("--ssl" if a.ssl else "--skip-ssl")
    argv += ["-e", sql]
    env = dict(os.environ, MYSQL_PWD=PASSWORD)
    sys.stdout.flush()
    # the same thread (exec keeps the thread id): the context set above stays
    os.execve(MARIADB, argv, env)


def cmd_mix(a):
    import pymysql  # noqa: F401 - fail here, not in a thread

    counts = {}
    errors = []
    lock = threading.Lock()
    conns = []
    for t in range(a.threads):
        try:
            conns.append(connect(a))  # all opened first, no context
        except Exception as e:  # noqa: BLE001
            err("connect #%d" % t, e)
    per = [a.n // a.threads + (1 if t < a.n % a.threads else 0) for t in range(a.threads)]
    start = threading.Barrier(a.threads)

    def run(t):
        rng = random.Random(a.seed * 1000 + t)
        ctx = Context(a.header)
        cur = conns[t].cursor()
        mine = {}
        start.wait()
        for i in range(per[t]):
            if t < a.plain:
                lane = a.plain_lane
            else:
                lane = rng.choice(("gray", "base"))
                ctx.set(lane)
            loc = "%s-%s" % (a.prefix, lane)
            try:
                cur.execute(INSERT, (loc,))
            except Exception as e:  # noqa: BLE001
                with lock:
                    errors.append("thread %d statement %d (%s): %s: %s" % (t, i, lane, type(e).__name__, e))
                return
            mine[loc] = mine.get(loc, 0) + 1
        with lock:
            for k, v in mine.items():
                counts[k] = counts.get(k, 0) + v

    ths = [threading.Thread(target=run, args=(t,)) for t in range(a.threads)]
    for th in ths:
        th.start()
    for th in ths:
        th.join()
    print(json.dumps({"counts": counts, "errors": len(errors),
                      "first_error": errors[0] if errors else ""}, sort_keys=True))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)

    def common(p):
        p.add_argument("host")
        p.add_argument("port", type=int)
        p.add_argument("--timeout", type=float, default=3.0)
        p.add_argument("--header", default="x-opensergo-traffic", help="propagation header")

    p = sub.add_parser("insert")
    common(p)
    p.add_argument("--location", required=True)
    p.add_argument("--n", type=int, default=1)
    p.add_argument("--ctx", choices=("gray", "base"))
    p.add_argument("--ssl", action="store_true")
    p.add_argument("--big", type=int, default=0, metavar="BYTES")
    p.add_argument("--qualified", action="store_true")
    p.set_defaults(fn=cmd_insert)

    p = sub.add_parser("select")
    common(p)
    p.add_argument("--ctx", choices=("gray", "base"))
    p.add_argument("--query")
    p.set_defaults(fn=cmd_select)

    p = sub.add_parser("pool")
    common(p)
    p.add_argument("--location", required=True)
    p.add_argument("--pattern", default="gray,base")
    p.add_argument("--n", type=int, default=4)
    p.set_defaults(fn=cmd_pool)

    p = sub.add_parser("cli")
    common(p)
    p.add_argument("--location", required=True)
    p.add_argument("--ctx", choices=("gray", "base"))
    p.add_argument("--compress", action="store_true")
    p.add_argument("--ssl", action="store_true")
    p.set_defaults(fn=cmd_cli)

    p = sub.add_parser("mix")
    common(p)
    p.add_argument("--prefix", required=True)
    p.add_argument("--threads", type=int, default=4)
    p.add_argument("--n", type=int, default=100)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--plain", type=int, default=0, help="threads that never set a context")
    p.add_argument("--plain-lane", default="base", help="the lane their statements belong to")
    p.set_defaults(fn=cmd_mix)

    a = ap.parse_args()
    a.fn(a)


if __name__ == "__main__":
    main()
