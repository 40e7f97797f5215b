#!/usr/bin/python3
"""What replay.py serves, typed against the Kubernetes API's own models.

The fixtures are written by gen_fixtures.py, not captured from a cluster;
this shows they are objects a real API server could send: every object
replay.py serves (the fixture lists, the 5 000-pod template's copies and
the generated services and EndpointSlices, and each event of every
events-*.jsonl file as it comes down a watch, bookmarks and the 410 ERROR
included) is typed against python3-kubernetes' models, which are generated
from the API's OpenAPI document: known kinds, no unknown field, every field
of its type, required fields present (tests/deploy/k8s_check.py's walk, the
same check the manifests of deploy/ get). The OpenSergo objects are checked
against the CRDs' schemas in deploy/kubernetes instead.

Runs with Debian's python3 (python3-kubernetes, python3-jsonschema).
Ends with "N passed, M failed".
"""
import glob
import json
import os
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, "tests", "deploy"))
import k8s_check  # noqa: E402  (walk, model_class, crd_schema, json_schema)

FIXTURES = os.path.join(HERE, "fixtures")
passed = failed = 0


def check(ok, what, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok - " + what)
    else:
        failed += 1
        print("not ok - %s: %s" % (what, detail))


def validators():
    import jsonschema
    out = {}
    for f in glob.glob(os.path.join(TOP, "deploy", "kubernetes", "crd-*.yaml")):
        objs = k8s_check.load_all(f)
        for kind in k8s_check.CRDS:
            s = k8s_check.crd_schema(objs, kind)
            if s is not None:
                out[kind] = jsonschema.Draft4Validator(k8s_check.json_schema(s))
    return out


def problems_of(obj, where, crds):
    """What is wrong with one object as the API would send it."""
    kind, api = obj.get("kind", ""), obj.get("apiVersion", "")
    if kind in crds:
        return ["%s: %s" % (where, e) for e in k8s_check.schema_errors(crds[kind], obj)]
    cls = k8s_check.model_class(api, kind)
    if cls is None:
        return ["%s: no kind %s in %s" % (where, kind, api)]
    out = []
    k8s_check.walk(obj, cls.__name__, where, out)
    return out


class Replay:
    def __init__(self, *args):
        self.p = subprocess.Popen([sys.executable, os.path.join(HERE, "replay.py"), "--port",
                                   "0", "--fixtures", FIXTURES] + list(args),
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        line = self.p.stdout.readline()
        self.url = "http://127.0.0.1:%s" % line.split()[2]

    def get(self, path, timeout=10):
        with urllib.request.urlopen(self.url + path, timeout=timeout) as r:
            return r.read()

    def control(self, **cmd):
        req = urllib.request.Request(self.url + "/_control", json.dumps(cmd).encode(),
                                     {"Content-Type": "application/json"})
        urllib.request.urlopen(req, timeout=10).read()

    def stop(self):
        self.p.terminate()
        self.p.wait(10)


def lists(r, crds):
    """Each resource's list: the List itself, typed (its items with it)."""
    rvs = {}
    for path, (res, list_kind, api, kind) in __import__("replay").RESOURCES.items():
        lst = json.loads(r.get(path + "?limit=100000"))
        rvs[path] = lst["metadata"]["resourceVersion"]
        if kind in crds:
            probs = [p for i, it in enumerate(lst["items"])
                     for p in problems_of(it, "%s[%d]" % (res, i), crds)]
        else:
            probs = problems_of(lst, list_kind, crds)
        check(lst.get("kind") == list_kind and not probs and (lst["items"] or kind in crds),
              "%s: the %s of %d items typed, no unknown field" % (path, list_kind,
                                                                  len(lst["items"])),
              probs[:3] or lst.get("kind"))
    return rvs


def watch_events(r, path, rv, files, bookmark_res):
    """The events of one resource's watch while files are played."""
    resp = urllib.request.urlopen(r.url + path + "?watch=1&allowWatchBookmarks=true"
                                  "&resourceVersion=%s&timeoutSeconds=3" % rv, timeout=10)
    def ends(f):	# an ERROR event ends the watch: those files go last
        with open(os.path.join(FIXTURES, f)) as fh:
            return '"type":"ERROR"' in fh.read().replace(" ", "")
    for f in [f for f in files if not ends(f)]:
        r.control(op="play", file=f, resource=bookmark_res)
    r.control(op="bookmark", resource=bookmark_res)
    for f in [f for f in files if ends(f)]:
        r.control(op="play", file=f, resource=bookmark_res)
    return [json.loads(line) for line in resp.read().splitlines() if line.strip()]


def events(r, rvs, crds):
    import replay
    by_res = {}
    for f in sorted(glob.glob(os.path.join(FIXTURES, "events-*.jsonl"))):
        with open(f) as fh:
            first = json.loads(fh.readline())
        by_res.setdefault(replay.resource_of_event(first) or "pods", []).append(
            os.path.basename(f))
    for res, files in sorted(by_res.items()):
        path = replay.BY_NAME[res][0]
        evs = watch_events(r, path, rvs[path], files, res)
        probs, types = [], set()
        for i, ev in enumerate(evs):
            types.add(ev.get("type"))
            if set(ev) != {"type", "object"} or ev["type"] not in (
                    "ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"):
                probs.append("event %d: not a watch event: %s" % (i, list(ev)))
                continue
            if ev["type"] == "BOOKMARK":	# an object of the kind, only its version
                o = ev["object"]
                if set(o.get("metadata", {})) != {"resourceVersion"} or \
                        (o.get("apiVersion"), o.get("kind")) != replay.BY_NAME[res][3:5]:
                    probs.append("event %d: a bookmark is an object of the watched kind "
                                 "carrying only metadata.resourceVersion: %s" % (i, o))
                continue
            bad_rule = ev["object"].get("metadata", {}).get("name", "").startswith("bad-")
            if not bad_rule:	# a rule the daemon must refuse: the schema may too
                probs += problems_of(ev["object"], "%s event %d (%s)" % (res, i, ev["type"]),
                                     crds)
        check(evs and not probs and "BOOKMARK" in types,
              "%s watch: %d events of %s (%s) typed, no unknown field" % (
                  res, len(evs), ", ".join(files), ", ".join(sorted(types))), probs[:3])


def main():
    sys.path.insert(0, HERE)
    try:
        import kubernetes.client.models  # noqa: F401
        import jsonschema  # noqa: F401
    except ImportError as e:
        print("not ok - python3-kubernetes and python3-jsonschema: %s (make deps)" % e)
        print("0 passed, 1 failed")
        return 1
    crds = validators()
    check(sorted(crds) == sorted(k8s_check.CRDS), "the CRDs' schemas from deploy/kubernetes",
          sorted(crds))
    r = Replay("--generate-pods", "300", "--local", "20", "--services", "7")
    try:
        rvs = lists(r, crds)
        events(r, rvs, crds)
    finally:
        r.stop()
    # the checks can fail: an unknown field and a wrong type are found
    pod = json.load(open(os.path.join(FIXTURES, "pod-template.json")))
    pod["status"]["podIp"] = pod["status"].pop("podIP")
    pod["spec"]["containers"][0]["ports"] = [{"containerPort": "8080"}]
    probs = problems_of(pod, "Pod", crds)
    check(any("unknown field 'podIp'" in p for p in probs) and
          any("containerPort: must be an integer" in p for p in probs),
          "a misspelt field and a port as a string are found", probs)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
