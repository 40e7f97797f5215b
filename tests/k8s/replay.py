#!/usr/bin/env python3
"""A Kubernetes API server stand-in for graylaned's tests: serves LIST and
WATCH of pods, services, endpointslices and the two OpenSergo CRDs in the
API's wire format (README.md here says where each shape comes from), from
the fixture lists in fixtures/, and plays watch event streams (.jsonl) that
a test asks for through a control endpoint.

    tests/k8s/replay.py --port 0 --fixtures tests/k8s/fixtures [--generate-pods N --node NODE]
                        [--tls CERT KEY [--client-ca CA]]   (HTTPS; client certificates)
                        [--no-crds]     (the CRDs' paths answer 404, as without them)
    (prints "listening on PORT" on stdout)

Like the real server: one resourceVersion counter for every resource;
LIST pages with limit/continue; fieldSelector=spec.nodeName=X on pods;
WATCH is a chunked HTTP/1.1 response of newline-ended JSON events from the
requested resourceVersion, BOOKMARKs when allowWatchBookmarks=true, closed
after timeoutSeconds; a resourceVersion older than the compacted one gets an
ERROR event with a 410 Expired Status (or, in mode "http", an HTTP 410).

Control (POST /_control, one JSON object):
  {"op": "play", "file": "events-x.jsonl"}  ADDED/MODIFIED/DELETED update the
        store (a new resourceVersion each) and go to the watchers; BOOKMARK
        sends the current resourceVersion; ERROR 410 compacts the history and
        ends the resource's watches with that event
  {"op": "set", "resource": R, "object": {...}} / {"op": "delete", ...}:
        changes without an event (as if during a gap), history compacted
  {"op": "touch", "resource": R}            a change of an object of R (rv moves on)
  {"op": "bookmark", "resource": R}
  {"op": "drop", "resource": R}             closes R's watches with no final chunk
  {"op": "stall", "resource": R}            R's open watches send nothing more (the
                                            connection stays open); new ones do
  {"op": "chunk", "size": N}                watch bytes in HTTP chunks of N bytes,
                                            each sent on its own (0: one per event)
  {"op": "delay", "ms": N}                  every response waits N ms first, and
                                            LIST bodies come in 4 slow pieces
  {"op": "expire_mode", "mode": "event"|"http"}
GET /_requests: every API request so far, [{"path", "query", "t"}].
"""
import argparse
import copy
import json
import os
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RESOURCES = {
    "/api/v1/pods": ("pods", "PodList", "v1", "Pod"),
    "/api/v1/services": ("services", "ServiceList", "v1", "Service"),
    "/apis/discovery.k8s.io/v1/endpointslices":
        ("endpointslices", "EndpointSliceList", "discovery.k8s.io/v1", "EndpointSlice"),
    "/apis/traffic.opensergo.io/v1alpha1/trafficlabelrules":
        ("trafficlabelrules", "TrafficLabelRuleList", "traffic.opensergo.io/v1alpha1",
         "TrafficLabelRule"),
    "/apis/traffic.opensergo.io/v1alpha1/workloadlabelrules":
        ("workloadlabelrules", "WorkloadLabelRuleList", "traffic.opensergo.io/v1alpha1",
         "WorkloadLabelRule"),
}
BY_NAME = {v[0]: (k,) + v for k, v in RESOURCES.items()}


def key_of(obj):
    md = obj["metadata"]
    return md.get("namespace", "") + "/" + md["name"]


def expired_status(rv, current):
    # the apiserver's own words (README.md: "410")
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": f"too old resource version: {rv} ({current})",
            "reason": "Expired", "code": 410}


class World:
    def __init__(self):
        self.lock = threading.Condition()
        self.rv = 1000
        self.store = {name: {} for name in BY_NAME}
        self.history = []          # (rv, resource, event dict, end): end closes the watch
        self.compacted = {name: 0 for name in BY_NAME}
        self.drops = {name: 0 for name in BY_NAME}
        self.stalls = {name: 0 for name in BY_NAME}
        self.chunk = 0
        self.delay_ms = 0
        self.expire_mode = "event"
        self.requests = []

    def next_rv(self):
        self.rv += 1
        return str(self.rv)

    def put(self, res, obj, etype=None):
        obj = copy.deepcopy(obj)
        obj["metadata"]["resourceVersion"] = self.next_rv()
        k = key_of(obj)
        if etype is None:
            etype = "MODIFIED" if k in self.store[res] else "ADDED"
        if etype == "DELETED":
            self.store[res].pop(k, None)
        else:
            self.store[res][k] = obj
        return {"type": etype, "object": obj}

    def event(self, res, ev):
        with self.lock:
            et = ev["type"]
            if et in ("ADDED", "MODIFIED", "DELETED"):
                out = self.put(res, ev["object"], et)
                self.history.append((self.rv, res, out, False))
            elif et == "BOOKMARK":
                self.bookmark(res)
            elif et == "ERROR":
                self.compacted[res] = self.rv + 1
                self.history.append((self.rv, res, ev, True))
            self.lock.notify_all()

    def bookmark(self, res):
        _, _, api, kind = BY_NAME[res][1:]
        bm = {"type": "BOOKMARK", "object": {"kind": kind, "apiVersion": api,
                                             "metadata": {"resourceVersion": str(self.rv)}}}
        self.history.append((self.rv, res, bm, False))


W = World()


def resource_of_event(ev):
    obj = ev.get("object", {})
    for path, (name, _, api, kind) in RESOURCES.items():
        if obj.get("kind") == kind:
            return name
    return None


def control(cmd, fixtures):
    op = cmd["op"]
    if op == "play":
        with open(os.path.join(fixtures, cmd["file"])) as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                ev = json.loads(line)
                res = cmd.get("resource") or resource_of_event(ev)
                W.event(res, ev)
                time.sleep(cmd.get("gap_ms", 0) / 1000)
        return
    with W.lock:
        if op in ("set", "delete"):
            W.put(cmd["resource"], cmd["object"], "DELETED" if op == "delete" else None)
            W.compacted[cmd["resource"]] = W.rv + 1     # the change is in no history
        elif op == "touch":
            W.next_rv()
        elif op == "bookmark":
            W.bookmark(cmd["resource"])
        elif op == "drop":
            W.drops[cmd["resource"]] += 1
        elif op == "stall":
            W.stalls[cmd["resource"]] += 1
        elif op == "chunk":
            W.chunk = cmd["size"]
        elif op == "delay":
            W.delay_ms = cmd["ms"]
        elif op == "expire_mode":
            W.expire_mode = cmd["mode"]
        else:
            raise ValueError(op)
        W.lock.notify_all()


def select(res, items, q):
    fs = q.get("fieldSelector", [""])[0]
    if res == "pods" and fs.startswith("spec.nodeName="):
        node = fs.split("=", 1)[1]
        items = [o for o in items if o.get("spec", {}).get("nodeName") == node]
    return items


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass    # a client that went away (dropped on purpose, or stopped)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    fixtures = "."
    no_crds = False     # --no-crds: the OpenSergo CRDs are not installed

    def log_message(self, *a):
        pass

    def send_json(self, status, body, pieces=1):
        data = json.dumps(body, separators=(",", ":")).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        step = max(1, len(data) // pieces + 1)
        for i in range(0, len(data), step):
            self.wfile.write(data[i:i + step])
            self.wfile.flush()
            if pieces > 1:
                time.sleep(W.delay_ms / 4000)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        cmd = json.loads(self.rfile.read(n) or b"{}")
        try:
            control(cmd, self.fixtures)
            self.send_json(200, {"ok": True, "rv": W.rv})
        except Exception as e:  # a test's mistake: say so
            self.send_json(400, {"ok": False, "error": repr(e)})

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(u.query)
        if u.path == "/_requests":
            with W.lock:
                return self.send_json(200, list(W.requests))
        if u.path not in RESOURCES or (Handler.no_crds and "opensergo" in u.path):
            return self.send_json(404, {"kind": "Status", "apiVersion": "v1", "metadata": {},
                                        "status": "Failure", "message": "the server could not "
                                        "find the requested resource", "reason": "NotFound",
                                        "details": {}, "code": 404})
        with W.lock:
            peer = self.connection.getpeercert() if hasattr(self.connection, "getpeercert") \
                else None
            W.requests.append({"path": u.path, "query": u.query, "t": time.time(),
                               "authorization": self.headers.get("Authorization"),
                               "client_cert": dict(x[0] for x in peer["subject"]).get(
                                   "commonName") if peer else None})
            delay = W.delay_ms
        if delay:
            time.sleep(delay / 1000)
        if q.get("watch", [""])[0] in ("1", "true"):
            return self.watch(u.path, q)
        return self.list(u.path, q, pieces=4 if delay else 1)

    def list(self, path, q, pieces):
        res, list_kind, api, _ = RESOURCES[path]
        limit = int(q.get("limit", ["0"])[0] or 0)
        start = int(q.get("continue", ["0"])[0] or 0)
        with W.lock:
            items = select(res, sorted(W.store[res].values(), key=key_of), q)
            rv = str(W.rv)
        page = items[start:start + limit] if limit else items[start:]
        md = {"resourceVersion": rv}
        if limit and start + limit < len(items):
            md["continue"] = str(start + limit)
            md["remainingItemCount"] = len(items) - start - limit
        self.send_json(200, {"kind": list_kind, "apiVersion": api, "metadata": md,
                             "items": page}, pieces)

    def chunk(self, data):
        size = W.chunk or len(data)
        for i in range(0, len(data), size):
            piece = data[i:i + size]
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.flush()
            if W.chunk:
                time.sleep(0.002)   # each chunk its own read on the other side

    def watch(self, path, q):
        res = RESOURCES[path][0]
        rv = int(q.get("resourceVersion", ["0"])[0] or 0)
        timeout = int(q.get("timeoutSeconds", ["1800"])[0])
        bookmarks = q.get("allowWatchBookmarks", [""])[0] == "true"
        with W.lock:
            too_old = rv and rv < W.compacted[res]
            current, mode, drops = W.rv, W.expire_mode, W.drops[res]
            stalls = W.stalls[res]
        if too_old and mode == "http":
            return self.send_json(410, expired_status(rv, current))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        if too_old:
            self.chunk(json.dumps({"type": "ERROR", "object": expired_status(rv, current)})
                       .encode() + b"\n")
            return self.chunk_end()
        self.stream(res, rv, time.time() + timeout, bookmarks, drops, q, stalls)

    def stream(self, res, rv, deadline, bookmarks, drops, q, stalls):
        with W.lock:
            begun = len(W.history)   # what came before: changes only, from rv on
        sent = 0   # index into history
        while time.time() < deadline:
            with W.lock:
                if W.drops[res] != drops:
                    self.close_connection = True
                    return       # no final chunk: the connection just ends
                if W.stalls[res] != stalls:
                    W.lock.wait(0.05)
                    continue     # open, and silent: not a byte more until the deadline
                todo = W.history[sent:]
                sent = len(W.history)
                if not todo:
                    W.lock.wait(0.05)
            for i, (erv, eres, ev, end) in enumerate(todo, sent - len(todo)):
                past = i < begun
                if eres != res or (past and (erv <= rv or ev["type"] in ("ERROR", "BOOKMARK"))):
                    continue
                if ev["type"] == "BOOKMARK" and not bookmarks:
                    continue
                if ev["type"] != "BOOKMARK" and ev["type"] != "ERROR" and \
                        not select(res, [ev["object"]], q):
                    continue
                self.chunk(json.dumps(ev, separators=(",", ":")).encode() + b"\n")
                if end:
                    return self.chunk_end()
        self.chunk_end()

    def chunk_end(self):
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


def load_fixtures(d):
    for path, (res, list_kind, api, kind) in RESOURCES.items():
        p = os.path.join(d, res + ".json")
        if not os.path.exists(p):
            continue
        with open(p) as f:
            lst = json.load(f)
        assert lst["kind"] == list_kind, p
        for it in lst["items"]:
            it.setdefault("kind", kind)
            it.setdefault("apiVersion", api)
            W.put(res, it)


def generate_cluster(n, local, nsvc, node):
    """Services load-J, each selecting app=load-J, with EndpointSlices of at
    most 100 endpoints (the controller's default) for the n generated pods;
    the first `local` on this node, the others on node-b."""
    by_app = {}
    for i in range(n):
        by_app.setdefault(i % nsvc, []).append(i)
    for j, pods in sorted(by_app.items()):
        W.put("services", {"kind": "Service", "apiVersion": "v1", "metadata": {
            "name": f"load-{j}", "namespace": "default", "uid": f"5e7a{j:04x}-0000-4000-8000-0"}, "spec": {
            "ports": [{"name": "http", "protocol": "TCP", "port": 80, "targetPort": 8080}],
            "selector": {"app": f"load-{j}"}, "clusterIP": f"10.96.{100 + j // 250}.{j % 250 + 1}",
            "clusterIPs": [f"10.96.{100 + j // 250}.{j % 250 + 1}"], "type": "ClusterIP"}})
        for s in range(0, len(pods), 100):
            eps = [{"addresses": [pod_ip(i)], "conditions": {"ready": True, "serving": True,
                                                             "terminating": False},
                    "nodeName": node if i < local else "node-b",
                    "targetRef": {"kind": "Pod", "namespace": "default", "name": f"load-{i:05d}"}}
                   for i in pods[s:s + 100]]
            W.put("endpointslices", {"kind": "EndpointSlice", "apiVersion": "discovery.k8s.io/v1",
                                     "metadata": {"name": f"load-{j}-{s // 100:03d}",
                                                  "namespace": "default", "labels": {
                                                      "kubernetes.io/service-name": f"load-{j}"}},
                                     "addressType": "IPv4", "endpoints": eps,
                                     "ports": [{"name": "http", "protocol": "TCP", "port": 8080}]})


def pod_ip(i):
    return f"10.{64 + i // 65536}.{i // 256 % 256}.{i % 256}"


def generate_pods(d, n, node, local=None, nsvc=50):
    """n pods made from the template pod (a real Pod object's shape); with
    local, only the first `local` run on this node."""
    with open(os.path.join(d, "pod-template.json")) as f:
        tpl = json.load(f)
    for i in range(n):
        p = copy.deepcopy(tpl)
        md = p["metadata"]
        md["name"] = f"load-{i:05d}"
        md["namespace"] = "default"
        md["uid"] = f"7a1c{i:04x}-0000-4000-8000-{i:012x}"
        md["labels"] = {"app": f"load-{i % nsvc}", "pod-template-hash": "6d4cf56db6"}
        if i % 10 == 0:
            md["labels"]["traffic.opensergo.io/label"] = "gray"
        p["spec"]["nodeName"] = node if local is None or i < local else "node-b"
        ip = pod_ip(i)
        p["status"]["podIP"] = ip
        p["status"]["podIPs"] = [{"ip": ip}]
        W.put("pods", p)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--fixtures", required=True)
    ap.add_argument("--generate-pods", type=int, default=0)
    ap.add_argument("--node", default="node-a")
    ap.add_argument("--local", type=int, help="with --generate-pods: this many on this node, "
                    "the rest on node-b, with services and EndpointSlices for all")
    ap.add_argument("--services", type=int, default=50)
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    ap.add_argument("--client-ca")
    ap.add_argument("--no-crds", action="store_true")
    a = ap.parse_args()
    load_fixtures(a.fixtures)
    if a.generate_pods:
        generate_pods(a.fixtures, a.generate_pods, a.node, a.local, a.services)
        if a.local is not None:
            generate_cluster(a.generate_pods, a.local, a.services, a.node)
    Handler.fixtures = a.fixtures
    Handler.no_crds = a.no_crds
    srv = Server(("127.0.0.1", a.port), Handler)
    if a.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(*a.tls)
        if a.client_ca:
            ctx.load_verify_locations(a.client_ca)
            ctx.verify_mode = ssl.CERT_REQUIRED
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    print(f"listening on {srv.server_address[1]}", flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
