#!/usr/bin/env python3
"""graylaned --kubeconfig against the replay server (replay.py), without the
data path: --print-inventory prints each model the daemon would apply, one
JSON line per change. Shows list+watch building the inventory (cgroups of
both drivers, services, remote endpoints, the CRDs), a pod's life through
watch events, exact chunking (7 bytes, then 1 byte a chunk), a bad object
rejected with its k8s:... position and the set recovering, bookmarks moving
the next watch's resourceVersion, reconnects after a dropped connection
with backoff, relists on 410 (ERROR event and HTTP status), a slow server,
a stalled watch (open, silent) opened again after --k8s-request-timeout,
and 5 000 pods (times printed); over HTTPS, the CA as data or file, a
bearer token or a client certificate (files or data), a wrong CA refused;
the CRDs not installed.
Ends with "N passed, M failed".

    tests/k8s/test_inventory.py [--build DIR]
"""
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
BUILD = sys.argv[sys.argv.index("--build") + 1] if "--build" in sys.argv else \
    os.path.join(ROOT, "build")
FIX = os.path.join(HERE, "fixtures")
passed = failed = 0


def check(ok, what, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok - {what}")
    else:
        failed += 1
        print(f"not ok - {what}" + (f": {detail}" if detail else ""))
    return ok


class Replay:
    def __init__(self, *args, https=False):
        self.p = subprocess.Popen([sys.executable, os.path.join(HERE, "replay.py"), "--port", "0",
                                   "--fixtures", FIX] + list(args), stdout=subprocess.PIPE,
                                  text=True)
        self.port = int(self.p.stdout.readline().split()[-1])
        self.url = f"{'https' if https else 'http'}://127.0.0.1:{self.port}"

    ctx = None      # a test's own TLS context (HTTPS replays)

    def control(self, **cmd):
        req = urllib.request.Request(self.url + "/_control", data=json.dumps(cmd).encode(),
                                     method="POST")
        with urllib.request.urlopen(req, timeout=30, context=self.ctx) as r:
            return json.load(r)

    def requests(self):
        with urllib.request.urlopen(self.url + "/_requests", timeout=10, context=self.ctx) as r:
            return json.load(r)

    def stop(self):
        self.p.kill()
        self.p.wait()


class Daemon:
    def __init__(self, replay, tmp, cgroot, *extra, cluster="", user="    token: replay-token\n"):
        kc = os.path.join(tmp, "kubeconfig")
        with open(kc, "w") as f:
            f.write(f"""apiVersion: v1
kind: Config
clusters:
- name: replay
  cluster:
    server: {replay.url}
{cluster}users:
- name: graylaned
  user:
{user}contexts:
- name: replay
  context: {{cluster: replay, user: graylaned}}
current-context: replay
""")
        self.t0 = time.time()
        self.p = subprocess.Popen([os.path.join(BUILD, "graylaned"), "--kubeconfig", kc,
                                   "--print-inventory", "--node-name", "node-a",
                                   "--cgroup2-mount", cgroot, "--k8s-backoff", "100ms",
                                   "--k8s-backoff-max", "2s", "--log-format", "json",
                                   "--log-level", "debug"] + list(extra),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines = queue.Queue()
        self.logs = []
        threading.Thread(target=self._out, daemon=True).start()
        threading.Thread(target=self._err, daemon=True).start()

    def _out(self):
        for line in self.p.stdout:
            self.lines.put((time.time(), json.loads(line)))

    def _err(self):
        for line in self.p.stderr:
            try:
                self.logs.append((time.time(), json.loads(line)))
            except ValueError:
                self.logs.append((time.time(), {"msg": line}))

    def wait(self, pred, timeout=10):
        """The first inventory line from now on for which pred holds."""
        end = time.time() + timeout
        while time.time() < end:
            try:
                t, inv = self.lines.get(timeout=max(0.01, end - time.time()))
            except queue.Empty:
                break
            try:
                if pred(inv):
                    return t, inv
            except (KeyError, TypeError):
                pass
        return None, None

    def logs_where(self, pred, timeout=2):
        """Log lines for which pred holds, waiting a little for the log to
        catch up with the model (stderr is read beside stdout)."""
        end = time.time() + timeout
        while True:
            got = [l for _, l in list(self.logs) if pred(l)]
            if got or time.time() > end:
                return got
            time.sleep(0.02)

    def events(self, name):
        return [(t, l) for t, l in self.logs if l.get("event") == name]

    def stop(self):
        self.p.terminate()
        self.p.wait(10)


def wl(inv, name):
    return next((w for w in inv.get("workloads", []) if w["name"] == name), None)


def svc(inv, name):
    return next((s for s in inv.get("services", []) if s["name"] == name), None)


def mkcg(root, *paths):
    for p in paths:
        os.makedirs(root + p, exist_ok=True)


GW = "shop/gateway-7d4b9c5f8-q2w7x"
A_BASE = "shop/a-base-5f6c7d8e9-h4k2m"
A_GRAY = "shop/a-gray-6b8d9e0f1-p9s3t"
B_BASE = "shop/b-base-7c9e0f1a2-n5v8z"
B_GRAY = "shop/b-gray-8d0f1a2b3-r6w1y"
C_POD = "shop/c-gray-9e1a2b3c4-t7x2a"
# what the fixtures' services without a selector add (test_handmade): two
# remote workloads, three services
HM_WL, HM_SVC = 2, 3


def test_list(d, inv):
    check(inv is not None and inv["ok"], "the first model is built once every resource is listed")
    if not inv:
        return
    names = sorted(w["name"] for w in inv["workloads"])
    check(names == sorted([GW, A_BASE, A_GRAY, B_BASE, B_GRAY, "default/ep-172-19-0-5",
                           "shop/ep-10-250-0-5"]),
          "workloads: this node's 4 pods, b's endpoint on node-b, the endpoints of two "
          "services without a selector", names)
    check(wl(inv, A_GRAY)["lane"] == "gray" and wl(inv, A_BASE)["lane"] == "base",
          "lanes from the traffic.opensergo.io/label label")
    check(wl(inv, GW)["cgroup"] == "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-"
          "pod1b6f2c1e_4d3a_4a5b_9c8d_0e1f2a3b4c5d.slice", "systemd driver, Burstable: the pod's "
          "slice that exists", wl(inv, GW)["cgroup"])
    check(wl(inv, A_BASE)["cgroup"] == "/kubepods.slice/kubepods-pod2c7a3d2f_5e4b_4b6c_8d9e_"
          "1f2a3b4c5d6e.slice", "systemd driver, Guaranteed: no QoS slice", wl(inv, A_BASE)["cgroup"])
    check(wl(inv, B_BASE)["cgroup"] == "/kubepods.slice/kubepods-burstable.slice/kubepods-"
          "burstable-pod4e9c5f4b_7a6d_4d8e_8f1a_3b4c5d6e7f80.slice",
          "a pod whose cgroup is not there yet: the path of the node's driver",
          wl(inv, B_BASE)["cgroup"])
    check(wl(inv, B_GRAY)["cgroup"] is None and wl(inv, B_GRAY)["addresses"] == ["10.244.2.22"],
          "the endpoint on another node: no cgroup, its address", wl(inv, B_GRAY))
    check(wl(inv, GW)["addresses"] == ["10.244.1.10"], "pod IPs as addresses")
    a, b = svc(inv, "shop/a"), svc(inv, "shop/b")
    check(a and a["addresses"] == ["10.96.0.11"] and a["ports"] == [[80, 8080]] and
          sorted(a["members"]) == sorted([A_BASE, A_GRAY]), "service a: ClusterIP, port, members", a)
    check(b and b["ports"] == [[80, 8080]] and sorted(b["members"]) == sorted([B_BASE, B_GRAY]),
          "service b: the named targetPort 'http' from its EndpointSlice; the not-ready "
          "endpoint left out", b)
    test_handmade(d, inv)
    warn = d.logs_where(lambda l: str(l.get("file", "")) == "k8s:services/shop/a-headless")
    check(svc(inv, "shop/a-headless") is None and warn and "shop/a" in warn[0]["msg"],
          "a headless service on a's pods and port: left out with a warning, a keeps them "
          "(an address and port belong to one service)", warn[:1])
    r = inv["rules"]
    check(len(r) == 1 and r[0]["name"] == "shop/gray-by-location" and r[0]["lane"] == "gray" and
          r[0]["selected"] == 1, "the TrafficLabelRule CRD object, selecting the gateway", r)
    reqs = d.replay.requests()
    pods = [q for q in reqs if q["path"] == "/api/v1/pods"]
    check(pods and "fieldSelector" not in pods[0]["query"] and "limit=500" in pods[0]["query"],
          "every pod listed (remote endpoints need their pod's labels), in pages", pods[:1])
    check(wl(inv, B_GRAY)["lane"] == "gray", "the endpoint on another node has its pod's lane "
          "(traffic.opensergo.io/label=gray)", wl(inv, B_GRAY))
    w = [q for q in pods if "watch=1" in q["query"]]
    check(w and "allowWatchBookmarks=true" in w[0]["query"] and "resourceVersion=" in w[0]["query"],
          "then watched from the list's resourceVersion, with bookmarks", w[:1])


def test_handmade(d, inv):
    """Services without a selector: their EndpointSlices written by hand (or
    by the apiserver, for default/kubernetes)."""
    k, db = svc(inv, "default/kubernetes"), svc(inv, "shop/orders-db")
    check(k and k["addresses"] == ["10.96.0.1"] and k["ports"] == [[443, 6443]] and
          k["members"] == ["default/ep-172-19-0-5"], "default/kubernetes: the apiserver's "
          "endpoint from its EndpointSlice", k)
    check(db and db["protocol"] == "mysql" and db["ports"] == [[3306, 3306]] and
          db["members"] == ["shop/ep-10-250-0-5"], "a database outside the cluster behind a "
          "selectorless ClusterIP (appProtocol mysql): its hand-made endpoint, protocol mysql", db)
    e = wl(inv, "shop/ep-10-250-0-5")
    check(e and e["lane"] == "base" and e["cgroup"] is None and e["addresses"] == ["10.250.0.5"],
          "its endpoint: a remote workload of the base lane", e)
    warn = d.logs_where(lambda l: str(l.get("file", "")) == "k8s:services/shop/legacy")
    check(svc(inv, "shop/legacy") is None and warn and B_BASE in warn[0]["msg"] and
          "kube-proxy" in warn[0]["msg"] and wl(inv, "shop/ep-10-250-0-6") is None,
          "a selectorless service whose slice names a pod of this node (by address): not "
          "mapped, with a warning naming the pod; none of its endpoints becomes a workload", warn[:1])
    bd = svc(inv, "shop/b-direct")
    warn = d.logs_where(lambda l: str(l.get("file", "")) == "k8s:endpointslices/shop/ep-10-244-2-22")
    check(bd and bd["members"] == [B_GRAY] and bd["ports"] == [[80, 9090]] and
          wl(inv, "shop/ep-10-244-2-22") is None and warn and B_GRAY in warn[0]["msg"],
          "a hand-made endpoint on the address of b-gray (another node): one workload, the pod's "
          "(its lane, gray), member of both services, with a warning", (bd, warn[:1]))


def play(d, f, pred, what, timeout=10, **kw):
    t0 = time.time()
    d.replay.control(op="play", file=f, **kw)
    t, inv = d.wait(pred, timeout)
    check(inv is not None, what)
    if inv:
        print(f"#   {what}: model printed {1000 * (t - t0):.1f} ms after the event was sent "
              f"(debounce and build inside: {inv['since_event_ms']:.1f} ms)")
    return inv


def test_lifecycle(d):
    play(d, "events-pod-lifecycle.jsonl",
         lambda i: wl(i, C_POD) and wl(i, C_POD)["addresses"] == ["10.244.1.31"],
         "a pod ADDED (Pending, no address), then MODIFIED (Ready): a workload with its IP")
    inv = play(d, "events-pod-relabel.jsonl", lambda i: wl(i, C_POD)["lane"] == "gray",
               "the pod relabelled traffic.opensergo.io/label=gray: its lane follows")
    inv = play(d, "events-pod-delete.jsonl", lambda i: i["ok"] and wl(i, C_POD) is None,
               "the pod DELETED: the workload goes")


def test_remote(d):
    """A pod of another node: its lane follows its labels; a change of anything
    else (a restart's annotation, which the cache does not keep) builds nothing."""
    t0 = time.time()
    d.replay.control(op="play", file="events-remote-annotate.jsonl")
    t, inv = d.wait(lambda i: True, 1.5)
    seen = [l for tt, l in d.logs if tt > t0 and "b-gray-8d0f1a2b3-r6w1y" in str(l.get("object"))]
    check(inv is None and seen, "another node's pod annotated: the event is read, no model is "
          "built", (inv is not None, len(seen)))
    inv = play(d, "events-remote-relabel.jsonl", lambda i: wl(i, B_GRAY) and
         wl(i, B_GRAY)["lane"] == "base", "another node's pod loses its gray label: its endpoint "
         "is base")
    bd = svc(inv, "shop/b-direct") if inv else None
    check(bd and bd["members"] == [B_GRAY], "still a member of the selectorless service on "
          "its address (b-direct)", bd)
    play(d, "events-remote-restore.jsonl", lambda i: wl(i, B_GRAY) and
         wl(i, B_GRAY)["lane"] == "gray", "and gray again")


def test_handmade_events(d):
    """A selectorless service's slice changes, and a pod of this node comes
    and goes on one of its addresses."""
    inv = play(d, "events-handmade-fix.jsonl", lambda i: svc(i, "shop/legacy"),
               "the slice fixed by hand (no pod of this node in it): the service is mapped")
    s = svc(inv, "shop/legacy") if inv else None
    check(s and s["members"] == ["shop/ep-10-250-0-6"] and s["ports"] == [[80, 8080]],
          "with its one endpoint", s)
    clash = "shop/clash-7b5d9c3e1-q8r2s"
    inv = play(d, "events-handmade-clash.jsonl", lambda i: wl(i, clash) and
               svc(i, "shop/legacy") is None, "a pod of this node on its endpoint's address: "
               "the service is left to kube-proxy again")
    check(inv and inv["ok"] and wl(inv, "shop/ep-10-250-0-6") is None,
          "the model stays valid (one workload per address): the pod's, not the endpoint's",
          inv and [w["name"] for w in inv["workloads"] if "10.250.0.6" in w["addresses"]])
    play(d, "events-handmade-unclash.jsonl", lambda i: wl(i, clash) is None and
         svc(i, "shop/legacy") and svc(i, "shop/legacy")["members"] == ["shop/ep-10-250-0-6"],
         "the pod gone: mapped again")
    hostnet = "shop/hostnet-5c2e8a1d7-m3k9v"
    inv = play(d, "events-handmade-hostnet.jsonl", lambda i: wl(i, hostnet),
               "a pod of this node on the host's network, on the endpoint's address (the node's)")
    s = svc(inv, "shop/legacy") if inv else None
    check(inv and inv["ok"] and wl(inv, hostnet)["addresses"] == [] and s and
          s["members"] == ["shop/ep-10-250-0-6"], "no workload of that address: the service "
          "stays mapped", s)
    play(d, "events-handmade-hostnet-gone.jsonl", lambda i: wl(i, hostnet) is None,
         "that pod gone")


def test_deep(d):
    t0 = time.time()
    d.replay.control(op="play", file="events-deep.jsonl")
    time.sleep(0.5)
    seen = [l for _, l in d.logs if l.get("event") == "k8s_bad_json"]
    adds = [l for t, l in d.logs if t > t0 and "deep-5c9f7b8d6-k2j4h" in str(l.get("object"))]
    check(not seen and len(adds) == 2, "an object nested 40 deep (managedFields) is read, "
          "ADDED and DELETED", (seen[:1], len(adds)))


def test_chunks_and_bad_object(d):
    d.replay.control(op="chunk", size=7)
    inv = play(d, "events-bad-rule.jsonl", lambda i: not i["ok"],
               "a watch event cut in 7-byte chunks arrives whole; its bad rule rejects the set")
    diags = d.logs_where(lambda l: str(l.get("file", "")).startswith(
        "k8s:trafficlabelrules/shop/bad-lane"))
    check(diags and diags[0].get("line", 0) > 0 and "Gray!" in diags[0]["msg"],
          "the problem names the object k8s:trafficlabelrules/shop/bad-lane with line and column",
          diags[:1])
    d.replay.control(op="chunk", size=1)
    play(d, "events-bad-rule-gone.jsonl", lambda i: i["ok"] and len(i["rules"]) == 1,
         "one byte per chunk: the DELETED event arrives, the set is valid again")
    d.replay.control(op="chunk", size=0)


def pod_watches(d, after=0):
    return [q for q in d.replay.requests() if q["path"] == "/api/v1/pods" and
            "watch=1" in q["query"] and q["t"] > after]


def rv_of(q):
    return next(p.split("=", 1)[1] for p in q["query"].split("&") if p.startswith("resourceVersion="))


def test_bookmark_and_drop(d):
    for _ in range(5):
        d.replay.control(op="touch", resource="services")   # the counter moves on elsewhere
    bm = str(d.replay.control(op="bookmark", resource="pods")["rv"])
    time.sleep(0.3)
    t_drop = time.time()
    d.replay.control(op="drop", resource="pods")
    time.sleep(1.0)
    w = pod_watches(d, t_drop)
    check(w and rv_of(w[0]) == bm, f"after a BOOKMARK at {bm}, the next watch starts from it",
          [rv_of(q) for q in w])
    drops = [l for _, l in d.events("k8s_watch_dropped") if l.get("resource") == "pods"]
    backs = [(t, l) for t, l in d.events("k8s_backoff") if l.get("resource") == "pods" and
             t >= t_drop]
    check(drops, "the dropped connection is logged", drops[:1])
    check(backs and w and w[0]["t"] - t_drop >= 0.1,
          "it reconnects after a backoff (>= the 100 ms first delay)",
          f"{backs[:1]} reconnect after {1000 * (w[0]['t'] - t_drop) if w else -1:.0f} ms")
    if w:
        print(f"#   reconnected {1000 * (w[0]['t'] - t_drop):.0f} ms after the drop "
              f"(backoff {backs[0][1].get('delay_ms') if backs else '?'} ms)")
    # drops in a row, each as soon as the watch is back: the delay doubles
    t2 = time.time()
    for _ in range(3):
        seen = len(pod_watches(d, t2))
        d.replay.control(op="drop", resource="pods")
        end = time.time() + 5
        while len(pod_watches(d, t2)) <= seen and time.time() < end:
            time.sleep(0.02)
    delays = [l.get("delay_ms") for t, l in d.events("k8s_backoff") if t >= t2 and
              l.get("resource") == "pods"]
    check(len(delays) >= 3 and delays[2] > delays[0] * 2,
          "drops in a row: the backoff grows (100 ms doubling, capped at 2 s)", delays)
    print(f"#   backoff delays after drops in a row: {delays} ms")


def silent_pod(name, uid, ip):
    with open(os.path.join(FIX, "pod-template.json")) as f:
        p = json.load(f)
    p["metadata"].update(name=name, namespace="shop", uid=uid)
    p["metadata"]["labels"] = {"app": "d"}
    p["status"]["podIP"] = ip
    p["status"]["podIPs"] = [{"ip": ip}]
    p["spec"]["nodeName"] = "node-a"
    return p


def test_expired(d):
    t0 = time.time()
    d.replay.control(op="set", resource="pods",
                     object=silent_pod("d-1", "d1000000-0000-4000-8000-000000000001", "10.244.1.41"))
    d.replay.control(op="play", file="events-expired.jsonl", resource="pods")
    t, inv = d.wait(lambda i: wl(i, "shop/d-1"), 10)
    check(inv is not None, "410 as an ERROR event mid-watch: relisted, and what changed in the "
          "gap is there")
    lists = [q for q in d.replay.requests() if q["path"] == "/api/v1/pods" and
             "watch" not in q["query"] and q["t"] > t0]
    check(lists, "a new LIST after the ERROR event")
    check([l for t, l in d.events("k8s_relist") if t > t0], "logged as a relist")
    # 410 as the HTTP status: the next watch's version is too old
    d.replay.control(op="expire_mode", mode="http")
    t1 = time.time()
    d.replay.control(op="set", resource="pods",
                     object=silent_pod("d-2", "d2000000-0000-4000-8000-000000000002", "10.244.1.42"))
    d.replay.control(op="drop", resource="pods")
    t, inv = d.wait(lambda i: wl(i, "shop/d-2"), 10)
    check(inv is not None, "410 Gone as the HTTP status of a watch: relisted")
    lists = [q for q in d.replay.requests() if q["path"] == "/api/v1/pods" and
             "watch" not in q["query"] and q["t"] > t1]
    check(lists, "a new LIST after the HTTP 410")
    d.replay.control(op="expire_mode", mode="event")


def test_slow(d):
    d.replay.control(op="delay", ms=400)
    t0 = time.time()
    d.replay.control(op="set", resource="pods",
                     object=silent_pod("d-3", "d3000000-0000-4000-8000-000000000003", "10.244.1.43"))
    d.replay.control(op="play", file="events-expired.jsonl", resource="pods")
    t, inv = d.wait(lambda i: wl(i, "shop/d-3"), 15)
    check(inv is not None, "a slow server (400 ms before each response, the list in 4 slow "
          "pieces): the relist still lands")
    ms = []
    for _ in range(40):     # the log is read beside the model: let it catch up
        ms = [l.get("list_ms") for tt, l in d.events("k8s_list") if tt > t0 and
              l.get("resource") == "pods"]
        if ms and max(ms) >= 400:
            break
        time.sleep(0.05)
    check(ms and max(ms) >= 400, "the relist took the server's time", ms)
    if t:
        print(f"#   slow relist: {1000 * (t - t0):.0f} ms from the 410 to the model")
    d.replay.control(op="delay", ms=0)


def scenario(tmp):
    root = os.path.join(tmp, "cg-systemd")
    mkcg(root, "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1b6f2c1e_4d3a_"
         "4a5b_9c8d_0e1f2a3b4c5d.slice/cri-containerd-9db0.scope",
         "/kubepods.slice/kubepods-pod2c7a3d2f_5e4b_4b6c_8d9e_1f2a3b4c5d6e.slice/crio-5e1f.scope",
         "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod3d8b4e3a_6f5c_4c7d_"
         "9e0f_2a3b4c5d6e7f.slice")
    r = Replay()
    d = Daemon(r, tmp, root)
    d.replay = r
    try:
        t, inv = d.wait(lambda i: True, 15)
        if t:
            print(f"#   first model {1000 * (t - d.t0):.0f} ms after start")
        test_list(d, inv)
        test_lifecycle(d)
        test_remote(d)
        test_handmade_events(d)
        test_deep(d)
        test_chunks_and_bad_object(d)
        test_bookmark_and_drop(d)
        test_expired(d)
        test_slow(d)
    finally:
        d.stop()
        r.stop()


def stalled(tmp):
    """A watch the server keeps open and sends nothing on (no event, no
    bookmark): with --k8s-request-timeout 2s it is dropped after 2 s of
    silence and opened again from its resourceVersion (no relist), and the
    event held back in the meantime arrives."""
    r = Replay()
    d = Daemon(r, tmp, os.path.join(tmp, "cg-none"), "--k8s-request-timeout", "2s")
    d.replay = r
    try:
        d.wait(lambda i: True, 15)
        before = pod_watches(d)
        t0 = time.time()
        r.control(op="stall", resource="pods")
        r.control(op="play", file="events-pod-lifecycle.jsonl")
        t, early = d.wait(lambda i: wl(i, C_POD), 1)
        check(early is None, "a stalled pods watch: the event sent meanwhile is not seen at once")
        t, inv = d.wait(lambda i: wl(i, C_POD) and wl(i, C_POD)["addresses"] == ["10.244.1.31"],
                        10)
        check(inv is not None, "after 2 s of silence the watch is opened again and the pod "
              "ADDED and MODIFIED meanwhile arrives", t and f"{t - t0:.1f} s")
        if t:
            print(f"#   stalled watch: the held-back pod in the model {1000 * (t - t0):.0f} ms "
                  f"after the stall began (silence limit 2 s)")
        # a fresh daemon and server: the only drop is the stalled watch's; the log
        # is read beside the model, so wait for it to catch up
        drops = d.logs_where(lambda l: l.get("event") == "k8s_watch_dropped" and
                             l.get("resource") == "pods")
        check(drops, "the silent watch is logged as dropped", drops[:1])
        after = [q for q in pod_watches(d, t0)]
        lists = [q for q in r.requests() if q["path"] == "/api/v1/pods" and
                 "watch" not in q["query"] and q["t"] >= t0]
        check(after and before and int(rv_of(after[0])) >= int(rv_of(before[-1])) and not lists,
              "opened again from its resourceVersion, not relisted",
              (after and rv_of(after[0]), before and rv_of(before[-1]), len(lists)))
    finally:
        d.stop()
        r.stop()


def node_pods_only(tmp):
    """--k8s-node-pods-only: this node's pods only; remote endpoints are then
    base (their pods' labels are not known)."""
    r = Replay()
    d = Daemon(r, tmp, os.path.join(tmp, "cg-none"), "--k8s-node-pods-only")
    try:
        t, inv = d.wait(lambda i: True, 15)
        pods = [q for q in r.requests() if q["path"] == "/api/v1/pods"]
        check(pods and "fieldSelector=spec.nodeName%3Dnode-a" in pods[0]["query"],
              "--k8s-node-pods-only: pods listed with this node's fieldSelector", pods[:1])
        check(inv and wl(inv, B_GRAY) and wl(inv, B_GRAY)["lane"] == "base",
              "--k8s-node-pods-only: the endpoint on another node is base", inv and wl(inv, B_GRAY))
    finally:
        d.stop()
        r.stop()


def cgroupfs(tmp):
    root = os.path.join(tmp, "cg-cgroupfs")
    mkcg(root, "/kubepods/burstable/pod1b6f2c1e-4d3a-4a5b-9c8d-0e1f2a3b4c5d",
         "/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
         "kubelet-kubepods-besteffort-pod3d8b4e3a_6f5c_4c7d_9e0f_2a3b4c5d6e7f.slice")
    r = Replay()
    d = Daemon(r, tmp, root)
    try:
        t, inv = d.wait(lambda i: True, 15)
        check(inv and wl(inv, GW)["cgroup"] == "/kubepods/burstable/pod1b6f2c1e-4d3a-4a5b-9c8d-"
              "0e1f2a3b4c5d", "cgroupfs driver: kubepods/burstable/pod<uid>",
              inv and wl(inv, GW)["cgroup"])
        check(inv and wl(inv, A_GRAY)["cgroup"].startswith("/kubelet.slice/kubelet-kubepods.slice/"),
              "systemd below a kubelet cgroup root (kind): kubelet.slice/kubelet-kubepods...",
              inv and wl(inv, A_GRAY)["cgroup"])
        check(inv and wl(inv, A_BASE)["cgroup"] == "/kubepods/pod2c7a3d2f-5e4b-4b6c-8d9e-"
              "1f2a3b4c5d6e", "cgroupfs, Guaranteed, not there yet: kubepods/pod<uid>",
              inv and wl(inv, A_BASE)["cgroup"])
    finally:
        d.stop()
        r.stop()


def many(tmp, n=5000):
    r = Replay("--generate-pods", str(n))
    d = Daemon(r, tmp, os.path.join(tmp, "cg-none"))
    try:
        t, inv = d.wait(lambda i: True, 60)
        local = n + 4
        check(inv and inv["ok"] and len(inv["workloads"]) == local + 1 + HM_WL,
              f"{n} pods: {local} local workloads, the remote one and {HM_WL} hand-made endpoints",
              inv and (inv["ok"], len(inv["workloads"])))
        lst = [l for _, l in d.events("k8s_list") if l.get("resource") == "pods"]
        if t and inv:
            print(f"#   {n} pods: first model {1000 * (t - d.t0):.0f} ms after start; pods list "
                  f"{lst[0].get('list_ms') if lst else '?'} ms in {lst[0].get('pages') if lst else '?'} "
                  f"pages; model build {inv['build_ms']:.1f} ms")
        t0 = time.time()
        r.control(op="play", file="events-pod-lifecycle.jsonl")
        t, inv = d.wait(lambda i: wl(i, C_POD) and wl(i, C_POD)["addresses"], 20)
        check(inv is not None, f"a watch event on top of {n} pods")
        if t:
            print(f"#   event to model at {n} pods: {1000 * (t - t0):.0f} ms (build "
                  f"{inv['build_ms']:.1f} ms)")
    finally:
        d.stop()
        r.stop()


def openssl(*args):
    subprocess.run(["openssl"] + list(args), check=True, capture_output=True)


def make_pki(d):
    """A CA, a server certificate for 127.0.0.1 and a client certificate."""
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
            "/CN=replay-ca", "-keyout", f"{d}/ca.key", "-out", f"{d}/ca.crt")
    for name, ext in (("server", "subjectAltName=IP:127.0.0.1"),
                      ("client", "extendedKeyUsage=clientAuth")):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN=graylaned-{name}",
                "-keyout", f"{d}/{name}.key", "-out", f"{d}/{name}.csr")
        with open(f"{d}/{name}.ext", "w") as f:
            f.write(ext + "\n")
        openssl("x509", "-req", "-in", f"{d}/{name}.csr", "-CA", f"{d}/ca.crt", "-CAkey",
                f"{d}/ca.key", "-CAcreateserial", "-days", "2", "-extfile", f"{d}/{name}.ext",
                "-out", f"{d}/{name}.crt")
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
            "/CN=other-ca", "-keyout", f"{d}/other.key", "-out", f"{d}/other.crt")


def tls(tmp):
    import base64
    import ssl
    d = os.path.join(tmp, "pki")
    os.makedirs(d)
    make_pki(d)
    ctx = ssl.create_default_context(cafile=f"{d}/ca.crt")
    ctx.load_cert_chain(f"{d}/client.crt", f"{d}/client.key")
    ca_data = base64.b64encode(open(f"{d}/ca.crt", "rb").read()).decode()
    cert_data = base64.b64encode(open(f"{d}/client.crt", "rb").read()).decode()
    key_data = base64.b64encode(open(f"{d}/client.key", "rb").read()).decode()
    cases = [
        ("certificate-authority-data, a bearer token",
         f"    certificate-authority-data: {ca_data}\n", "    token: replay-token\n",
         lambda q: q["authorization"] == "Bearer replay-token"),
        ("certificate-authority file, client-certificate and client-key files (relative)",
         "    certificate-authority: pki/ca.crt\n",
         "    client-certificate: pki/client.crt\n    client-key: pki/client.key\n",
         lambda q: q["client_cert"] == "graylaned-client"),
        ("client-certificate-data and client-key-data",
         f"    certificate-authority-data: {ca_data}\n",
         f"    client-certificate-data: {cert_data}\n    client-key-data: {key_data}\n",
         lambda q: q["client_cert"] == "graylaned-client"),
    ]
    for what, cluster, user, auth in cases:
        r = Replay("--tls", f"{d}/server.crt", f"{d}/server.key", "--client-ca", f"{d}/ca.crt",
                   https=True)
        r.ctx = ctx
        if "token" in user:      # a server that wants no client certificate
            r.stop()
            r = Replay("--tls", f"{d}/server.crt", f"{d}/server.key", https=True)
            r.ctx = ssl.create_default_context(cafile=f"{d}/ca.crt")
        dm = Daemon(r, tmp, os.path.join(tmp, "cg-none"), cluster=cluster, user=user)
        try:
            t, inv = dm.wait(lambda i: i["ok"], 10)
            reqs = r.requests()
            check(inv is not None and reqs and all(auth(q) for q in reqs),
                  f"HTTPS: {what}", reqs[:1])
        finally:
            dm.stop()
            r.stop()
    r = Replay("--tls", f"{d}/server.crt", f"{d}/server.key", https=True)
    dm = Daemon(r, tmp, os.path.join(tmp, "cg-none"),
                cluster=f"    certificate-authority: {d}/other.crt\n")
    try:
        t, inv = dm.wait(lambda i: True, 2)
        bad = [l for _, l in dm.events("k8s_list_failed")]
        check(inv is None and bad and "certificate" in bad[0]["msg"],
              "HTTPS with the wrong CA: nothing listed, the reason logged", bad[:1])
    finally:
        dm.stop()
        r.stop()


def no_crds(tmp):
    r = Replay("--no-crds")
    d = Daemon(r, tmp, os.path.join(tmp, "cg-none"))
    try:
        t, inv = d.wait(lambda i: True, 10)
        check(inv and inv["ok"] and not inv["rules"] and len(inv["workloads"]) == 5 + HM_WL,
              "the CRDs not installed (404): the inventory without rules", inv and inv["rules"])
        time.sleep(3)       # past a few retries (backoff capped at 2 s here)
        warns = [l for _, l in d.events("k8s_not_served") if l.get("level") == "warn"]
        again = [l for _, l in d.events("k8s_not_served") if l.get("level") == "debug"]
        check(len(warns) == 2 and again and d.lines.empty(),
              "asked again later: one warning per CRD, no rebuild while still absent",
              (len(warns), len(again), d.lines.qsize()))
    finally:
        d.stop()
        r.stop()


def cluster(tmp, n=5000, local=100, nsvc=200):
    """A cluster's worth: n pods, local of them here, nsvc services with
    EndpointSlices of at most 100 endpoints (25 a service: graylane takes 128
    endpoints per lane and service)."""
    r = Replay("--generate-pods", str(n), "--local", str(local), "--services", str(nsvc))
    d = Daemon(r, tmp, os.path.join(tmp, "cg-none"))
    try:
        t, inv = d.wait(lambda i: True, 60)
        ok = inv and inv["ok"]
        w = inv.get("workloads", []) if inv else []
        here = sum(1 for x in w if x["cgroup"])
        check(ok and len(w) == n + 5 + HM_WL and here == local + 4 and
              len(inv["services"]) == nsvc + 2 + HM_SVC,
              f"a cluster of {n} pods, {local} here: {n - local} remote endpoints from "
              f"EndpointSlices, {nsvc} services", inv and (inv["ok"], len(w), here))
        builds = []
        for _ in range(5):
            t0 = time.time()
            r.control(op="play", file="events-pod-relabel.jsonl")
            t, inv = d.wait(lambda i: wl(i, C_POD) and wl(i, C_POD)["lane"] == "gray", 20)
            if inv:
                builds.append((1000 * (t - t0), inv["build_ms"]))
            r.control(op="play", file="events-pod-delete.jsonl")
            d.wait(lambda i: wl(i, C_POD) is None, 20)
        check(len(builds) == 5, f"five relabels at that size, each followed")
        if builds:
            print(f"#   {n} pods ({local} here), {nsvc} services: event to model "
                  f"{', '.join('%.0f' % b[0] for b in builds)} ms; model build "
                  f"{', '.join('%.0f' % b[1] for b in builds)} ms")
    finally:
        d.stop()
        r.stop()


def sampled(tmp, n=400):
    """Two services of 200 pods (160 and 200 base, past the 128 a lane holds):
    the set is valid with a warning, and a later change still takes effect."""
    r = Replay("--generate-pods", str(n), "--local", "10", "--services", "2")
    d = Daemon(r, tmp, os.path.join(tmp, "cg-none"))
    d.replay = r
    try:
        t, inv = d.wait(lambda i: True, 30)
        check(inv and inv["ok"], "two services of 200 endpoints: the set is valid",
              inv and inv.get("ok"))
        warn = d.logs_where(lambda l: l.get("level") == "warn" and "128 are used" in
                            str(l.get("msg")))
        msgs = sorted(str(l["msg"]) for l in warn)
        check(len(msgs) == 2 and "'default/load-0' has 160 IPv4 endpoints in lane 'base'" in
              msgs[0] and "'default/load-1' has 200 IPv4" in msgs[1],
              "a warning per service names the count and the 128 used", msgs)
        play(d, "events-pod-relabel.jsonl", lambda i: i["ok"] and wl(i, C_POD) and
             wl(i, C_POD)["lane"] == "gray", "beside them, a pod relabelled gray: followed")
    finally:
        d.stop()
        r.stop()


def main():
    tmp = tempfile.mkdtemp(prefix="graylane-k8s-")
    try:
        scenario(tmp)
        node_pods_only(tmp)
        stalled(tmp)
        cgroupfs(tmp)
        tls(tmp)
        no_crds(tmp)
        many(tmp)
        sampled(tmp)
        cluster(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
