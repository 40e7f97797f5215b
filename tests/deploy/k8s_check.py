#!/usr/bin/python3
"""Checks of deploy/kubernetes without a cluster (tests/deploy/k8s.sh runs it).

  objects FILE...           every object typed against the Kubernetes API's
                            models (python3-kubernetes, generated from the
                            API's OpenAPI): known kinds, no unknown field, each
                            field of its type, required fields present
  crds FILE                 the two CRDs: names, group, version, scope, and
                            structural schemas (the API server's rules)
  examples FILE GRAYLANE TOP  the CRDs' schemas (python3-jsonschema) against
                            graylane's own verdict on every OpenSergo document
                            of rules/, tests/ and demo/, and on crafted ones
  daemonset FILE UNIT DOCKERFILE GRAYLANED GRAYLANE  the DaemonSet and the RBAC of the base
  overlay FILE GRAYLANED    the inventory-from-api overlay's DaemonSet

Each check prints "ok - WHAT" or "not ok - WHAT: WHY"; the exit code is the
number of failed checks.
"""
import copy
import glob
import inspect
import os
import re
import subprocess
import sys
import tempfile

import yaml

failed = 0


def ok(what):
    print("ok - " + what)


def bad(what, why):
    global failed
    failed += 1
    print("not ok - %s: %s" % (what, why))


def check(what, problems):
    if problems:
        bad(what, "; ".join(problems[:8]) + (" (and %d more)" % (len(problems) - 8)
                                               if len(problems) > 8 else ""))
    else:
        ok(what)


def load_all(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d]


def find(objs, kind, name=None):
    for o in objs:
        if o.get("kind") == kind and (name is None or o["metadata"]["name"] == name):
            return o
    return None


# ---- objects: typed against python3-kubernetes' models ----

def model_class(api_version, kind):
    import kubernetes.client.models as models
    version = api_version.split("/")[-1]
    return getattr(models, version[0].upper() + version[1:] + kind, None)


_required = {}


def required_fields(cls):
    """The generated setters refuse None for required fields: read them there."""
    if cls not in _required:
        src = inspect.getsource(cls)
        _required[cls] = set(re.findall(r"Invalid value for `(\w+)`, must not be `None`", src))
    return _required[cls]


def walk(v, t, path, problems):
    import kubernetes.client.models as models
    if v is None:
        return
    if t == "object":
        return
    if t in ("str", "datetime", "date"):
        if not isinstance(v, str):
            problems.append("%s: must be a string, got %r" % (path, v))
        return
    if t == "int":
        if not isinstance(v, int) or isinstance(v, bool):
            problems.append("%s: must be an integer, got %r" % (path, v))
        return
    if t == "float":
        if not isinstance(v, (int, float)) or isinstance(v, bool):
            problems.append("%s: must be a number, got %r" % (path, v))
        return
    if t == "bool":
        if not isinstance(v, bool):
            problems.append("%s: must be a boolean, got %r" % (path, v))
        return
    m = re.fullmatch(r"list\[(.*)\]", t)
    if m:
        if not isinstance(v, list):
            problems.append("%s: must be a list, got %r" % (path, v))
            return
        for i, item in enumerate(v):
            walk(item, m.group(1), "%s[%d]" % (path, i), problems)
        return
    m = re.fullmatch(r"dict\(str, (.*)\)", t)
    if m:
        if not isinstance(v, dict):
            problems.append("%s: must be a mapping, got %r" % (path, v))
            return
        for k, item in v.items():
            walk(item, m.group(1), "%s.%s" % (path, k), problems)
        return
    cls = getattr(models, t)
    if not isinstance(v, dict):
        problems.append("%s: must be a %s mapping, got %r" % (path, t, v))
        return
    by_json = {j: a for a, j in cls.attribute_map.items()}
    for k, item in v.items():
        if k not in by_json:
            problems.append("%s: unknown field '%s' (%s)" % (path, k, t))
            continue
        walk(item, cls.openapi_types[by_json[k]], "%s.%s" % (path, k), problems)
    for a in sorted(required_fields(cls)):
        if v.get(cls.attribute_map[a]) is None:
            problems.append("%s: missing required field '%s' (%s)" % (path, cls.attribute_map[a], t))


def cmd_objects(files):
    for path in files:
        objs = load_all(path)
        problems = []
        kinds = []
        for o in objs:
            cls = model_class(o.get("apiVersion", ""), o.get("kind", ""))
            name = "%s/%s" % (o.get("kind"), (o.get("metadata") or {}).get("name"))
            kinds.append(name)
            if cls is None:
                problems.append("%s: no such kind in apiVersion %s" % (name, o.get("apiVersion")))
                continue
            walk(o, cls.__name__, name, problems)
        check("%s: %d objects typed against the Kubernetes API's models, no unknown field "
              "(%s)" % (os.path.basename(path), len(objs), ", ".join(kinds)), problems)


# ---- crds: names and structural schemas ----

JUNCTORS = ("allOf", "anyOf", "oneOf", "not")
NOT_IN_JUNCTOR = ("description", "type", "default", "additionalProperties", "nullable")


def structural(s, path, problems, in_junctor=False, outside=None):
    """The API server's structural schema rules (apiextensions, "Specifying a
    structural schema"): a type everywhere outside junctors (but int-or-string
    and preserve-unknown-fields nodes), properties and additionalProperties not
    both, in junctors no type/description/default/additionalProperties/nullable
    and only fields that are also specified outside."""
    if not isinstance(s, dict):
        problems.append("%s: a schema must be a mapping" % path)
        return
    for k in s:
        if k.startswith("x-kubernetes-") and in_junctor:
            problems.append("%s: %s inside a junctor" % (path, k))
    if in_junctor:
        for k in NOT_IN_JUNCTOR:
            if k in s:
                problems.append("%s: '%s' inside allOf/anyOf/oneOf/not" % (path, k))
        for p in s.get("properties", {}):
            if outside is None or p not in outside.get("properties", {}):
                problems.append("%s: property '%s' in a junctor is not specified outside it" % (path, p))
    else:
        if "type" not in s and not s.get("x-kubernetes-int-or-string") and \
                not s.get("x-kubernetes-preserve-unknown-fields"):
            problems.append("%s: no type" % path)
        if "properties" in s and "additionalProperties" in s:
            problems.append("%s: properties and additionalProperties together" % path)
    for p, sub in s.get("properties", {}).items():
        out = (outside or {}).get("properties", {}).get(p) if in_junctor else None
        structural(sub, path + ".properties." + p, problems, in_junctor, out)
    if isinstance(s.get("additionalProperties"), dict):
        structural(s["additionalProperties"], path + ".additionalProperties", problems)
    if isinstance(s.get("items"), dict):
        out = (outside or {}).get("items") if in_junctor else None
        structural(s["items"], path + ".items", problems, in_junctor, out)
    here = outside if in_junctor else s
    for j in JUNCTORS:
        subs = s.get(j)
        if subs is None:
            continue
        for i, sub in enumerate(subs if isinstance(subs, list) else [subs]):
            structural(sub, "%s.%s[%d]" % (path, j, i), problems, True, here)


CRDS = {
    "TrafficLabelRule": ("trafficlabelrules", "trafficlabelrule"),
    "WorkloadLabelRule": ("workloadlabelrules", "workloadlabelrule"),
}


def crd_schema(objs, kind):
    for o in objs:
        if o.get("kind") == "CustomResourceDefinition" and \
                o["spec"]["names"]["kind"] == kind:
            for v in o["spec"]["versions"]:
                if v["name"] == "v1alpha1":
                    return v["schema"]["openAPIV3Schema"]
    return None


def cmd_crds(path):
    objs = load_all(path)
    for kind, (plural, singular) in CRDS.items():
        crd = find(objs, "CustomResourceDefinition", plural + ".traffic.opensergo.io")
        problems = []
        if crd is None:
            bad("CRD %s" % kind, "no CustomResourceDefinition %s.traffic.opensergo.io" % plural)
            continue
        spec = crd["spec"]
        if crd["apiVersion"] != "apiextensions.k8s.io/v1":
            problems.append("apiVersion %s" % crd["apiVersion"])
        if spec.get("group") != "traffic.opensergo.io":
            problems.append("group %s" % spec.get("group"))
        if spec.get("scope") != "Namespaced":
            problems.append("scope %s" % spec.get("scope"))
        n = spec.get("names", {})
        if (n.get("kind"), n.get("plural"), n.get("singular")) != (kind, plural, singular):
            problems.append("names %s" % n)
        vs = [v for v in spec.get("versions", []) if v.get("name") == "v1alpha1"]
        if len(vs) != 1 or not vs[0].get("served") or not vs[0].get("storage"):
            problems.append("v1alpha1 must be the one served and stored version")
        else:
            structural(vs[0]["schema"]["openAPIV3Schema"], "openAPIV3Schema", problems)
        check("CRD %s: traffic.opensergo.io/v1alpha1, namespaced, a structural schema" % kind,
              problems)


# ---- examples: the CRDs' schemas against graylane's own verdict ----

def json_schema(s):
    """The CRD schema as the API server reads it, for jsonschema: an
    int-or-string node takes an integer or a string; unknown fields are
    pruned by the server, i.e. allowed here (jsonschema's default)."""
    s = copy.deepcopy(s)

    def fix(n):
        if isinstance(n, dict):
            if n.get("x-kubernetes-int-or-string") and "type" not in n:
                n["type"] = ["integer", "string"]
            for v in n.values():
                fix(v)
        elif isinstance(n, list):
            for v in n:
                fix(v)
    fix(s)
    return s


def split_docs(text):
    """A YAML stream's documents as text, split at '---' and '...' lines."""
    docs, cur = [], []
    for line in text.splitlines(keepends=True):
        if line.startswith("---") or line.rstrip() == "...":
            docs.append("".join(cur))
            cur = [] if line.rstrip() in ("---", "...") else [line[3:].lstrip() or "\n"]
            continue
        cur.append(line)
    docs.append("".join(cur))
    return docs


def opensergo_docs(top):
    files = sorted(glob.glob(os.path.join(top, "rules", "*.y*ml")))
    for d in ("tests", "demo"):
        files += sorted(glob.glob(os.path.join(top, d, "**", "*.y*ml"), recursive=True))
    for f in files:
        with open(f, errors="replace") as fh:
            text = fh.read()
        for i, doc in enumerate(split_docs(text)):
            try:
                obj = yaml.safe_load(doc)
            except yaml.YAMLError:
                continue	# not YAML (the syntax error examples): nothing to compare
            if isinstance(obj, dict) and obj.get("kind") in CRDS and \
                    obj.get("apiVersion") == "traffic.opensergo.io/v1alpha1":
                yield "%s#%d" % (os.path.relpath(f, top), i + 1), doc, obj


def graylane_verdict(graylane, text):
    """graylane validate on the document alone: (accepted, its errors)."""
    with tempfile.TemporaryDirectory(prefix="graylane-k8s-") as d:
        with open(os.path.join(d, "doc.yaml"), "w") as f:
            f.write(text)
        r = subprocess.run([graylane, "validate", d], capture_output=True, text=True)
    errors = [l.split(": error: ", 1)[1] for l in r.stderr.splitlines() if ": error: " in l]
    return r.returncode == 0, errors


# graylane errors no OpenAPI schema of a CRD can state: metadata is the API
# server's (it refuses bad names and label keys itself, more strictly), and
# per-key rules inside a selector map (additionalProperties only) or across
# two fields of different places need CEL (Kubernetes 1.25+).
INEXPRESSIBLE = [
    (r"^field 'metadata\.", "metadata: the API server validates names, labels, annotations"),
    (r"^label key .* is too long|^empty label key", "label keys: the API server validates label keys; "
     "selector keys are map keys (additionalProperties)"),
    (r"MySQL name|backtick|cannot tell the base table|base table .* its own shadow|"
     r"plain identifier", "table rules: per-key rules for db and table, the annotation"),
    (r"^value of label '(db|table)'", "table rules: db/table values are 1..64 bytes, "
     "other selector values 0..63"),
]


def inexpressible(errors):
    why = set()
    for e in errors:
        for pat, reason in INEXPRESSIBLE:
            if re.search(pat, e):
                why.add(reason)
                break
        else:
            return None
    return sorted(why)


def doc(kind, spec, name="r", **meta):
    md = {"name": name}
    md.update(meta)
    return {"apiVersion": "traffic.opensergo.io/v1alpha1", "kind": kind, "metadata": md,
            "spec": spec}


def tlr(**kw):
    spec = {"selector": {"app": "gw"}, "trafficLabel": "gray",
            "match": [{"condition": "==", "type": "header", "key": "location", "value": "sz"}]}
    spec.update(kw)
    return doc("TrafficLabelRule", {k: v for k, v in spec.items() if v is not None})


def item(**kw):
    i = {"condition": "==", "type": "header", "key": "location", "value": "sz"}
    i.update(kw)
    return tlr(match=[{k: v for k, v in i.items() if v is not None}])


def wlr(**kw):
    spec = {"workloadLabels": ["gray"], "selector": {"app": "a"}}
    spec.update(kw)
    return doc("WorkloadLabelRule", {k: v for k, v in spec.items() if v is not None})


# Documents graylane rejects for a type, enum, required or limit reason: the
# schema must reject each too.
CRAFTED_REJECTS = {
    "spec missing": doc("TrafficLabelRule", None),
    "selector missing": tlr(selector=None),
    "selector not a mapping": tlr(selector=["app"]),
    "selector empty": tlr(selector={}),
    "selector value too long": tlr(selector={"app": "a" * 64}),
    "selector value a list": tlr(selector={"app": ["a"]}),
    "trafficLabel missing": tlr(trafficLabel=None),
    "trafficLabel 'base'": tlr(trafficLabel="base"),
    "trafficLabel not a DNS label": tlr(trafficLabel="Gray_1"),
    "trafficLabel 32 bytes": tlr(trafficLabel="g" * 32),
    "trafficLabel a mapping": tlr(trafficLabel={"a": 1}),
    "priority a string": tlr(priority="1"),
    "priority over int32": tlr(priority=2 ** 31),
    "match missing": tlr(match=None),
    "match not a list": tlr(match={"condition": "=="}),
    "match 9 items": tlr(match=[{"condition": "exists", "type": "header", "key": "k%d" % i}
                                for i in range(9)]),
    "match item not a mapping": tlr(match=["header"]),
    "condition missing": item(condition=None),
    "condition unknown": item(condition="equals"),
    "condition regex": item(condition="regex"),
    "type missing": item(type=None),
    "type unknown": item(type="body"),
    "header key missing": item(key=None),
    "header key empty": item(key=""),
    "param key missing": item(type="param", key=None),
    "cookie key empty": item(type="cookie", key=""),
    "path with a key": item(type="path", key="x", value="/a"),
    "method with a key": item(type="method", key="x", value="GET"),
    "header key not a token": item(key="x user"),
    "cookie key with '='": item(type="cookie", key="a=b"),
    "key 65 bytes": item(key="k" * 65),
    "value missing": item(value=None),
    "value a list": item(value=["a"]),
    "value 129 bytes": item(value="v" * 129),
    "value with a control byte": item(value="a\x01b"),
    "in: 9 values": item(condition="in", value=",".join("v%d" % i for i in range(9))),
    "in: an empty value": item(condition="in", value="a,,b"),
    "not_in: a blank value": item(condition="not_in", value="a, ,b"),
    "percentage 101": item(condition="percentage", value=101),
    "percentage '150'": item(condition="percentage", value="150"),
    "percentage -1": item(condition="percentage", value=-1),
    "percentage 'half'": item(condition="percentage", value="half"),
    "workloadLabels missing": wlr(workloadLabels=None),
    "workloadLabels empty": wlr(workloadLabels=[]),
    "workloadLabels two lanes": wlr(workloadLabels=["gray", "blue"]),
    "workloadLabels not a list": wlr(workloadLabels="gray"),
    "workloadLabels 'base'": wlr(workloadLabels=["base"]),
    "workloadLabels uppercase": wlr(workloadLabels=["Gray"]),
    "workload selector missing": wlr(selector=None),
    "workload selector empty": wlr(selector={}),
    "table rule without db": wlr(selector={"table": "t_gray"}),
}

# Documents graylane accepts, forms the examples may not all show.
CRAFTED_ACCEPTS = {
    "exists without a value": item(condition="exists", value=None),
    "host with an empty key": item(type="host", key="", value=".example.com"),
    "path without a key": item(type="path", key=None, value="/api"),
    "percentage 0 and '100'": tlr(match=[
        {"condition": "percentage", "type": "header", "key": "u", "value": 0},
        {"condition": "percentage", "type": "param", "key": "u", "value": "100"}]),
    "in: 8 values, spaces around": item(condition="in", value=" a, b ,c,d,e,f,g,h "),
    "value an integer": item(value=2),
    "priority int32 bounds": tlr(priority=-2 ** 31),
    "lane of 31 bytes": tlr(trafficLabel="g" * 31),
    "match empty": tlr(match=[]),
    "8 match items": tlr(match=[{"condition": "exists", "type": "header", "key": "k%d" % i}
                               for i in range(8)]),
    "table rule": wlr(selector={"db": "d", "table": "t_gray"}),
    "table name of 64 bytes": wlr(selector={"db": "d", "table": "t" * 59 + "_gray"}),
}


def schema_errors(validator, obj):
    return sorted("%s: %s" % ("/".join(str(p) for p in e.absolute_path) or "(root)", e.message)
                  for e in validator.iter_errors(obj))


def cmd_examples(path, graylane, top):
    import jsonschema
    objs = load_all(path)
    validators = {}
    for kind in CRDS:
        s = crd_schema(objs, kind)
        if s is None:
            bad("examples", "no v1alpha1 schema for %s" % kind)
            return
        s = json_schema(s)
        jsonschema.Draft4Validator.check_schema(s)
        validators[kind] = jsonschema.Draft4Validator(s)

    accepted, rejected, unexpressed, wrong_acc, wrong_rej = 0, 0, {}, [], []
    for where, text, obj in opensergo_docs(top):
        acc, errors = graylane_verdict(graylane, text)
        serr = schema_errors(validators[obj["kind"]], obj)
        if acc:
            accepted += 1
            if serr:
                wrong_acc.append("%s: graylane accepts it, the schema says %s" % (where, serr[0]))
        else:
            rejected += 1
            if not serr:
                why = inexpressible(errors)
                if why is None:
                    wrong_rej.append("%s: graylane rejects it (%s), the schema accepts it"
                                     % (where, errors[0] if errors else "?"))
                else:
                    unexpressed[where] = why
    check("examples: %d OpenSergo documents of rules/, tests/, demo/ that graylane accepts "
          "are valid against the CRDs' schemas" % accepted, wrong_acc)
    check("examples: %d documents graylane rejects are rejected by the schemas, but %d for "
          "reasons no CRD schema can state" % (rejected, len(unexpressed)), wrong_rej)
    for where, why in sorted(unexpressed.items()):
        print("#   %s: %s" % (where, "; ".join(why)))
    if accepted < 10 or rejected < 10:
        bad("examples: enough of them", "only %d accepted, %d rejected documents found"
            % (accepted, rejected))

    problems = []
    for name, obj in CRAFTED_REJECTS.items():
        text = yaml.safe_dump(obj)
        acc, _ = graylane_verdict(graylane, text)
        if acc:
            problems.append("%s: graylane accepts it (the case is wrong)" % name)
        elif not schema_errors(validators[obj["kind"]], obj):
            problems.append("%s: the schema accepts it" % name)
    check("crafted: %d documents graylane rejects for a type, enum, required field or limit "
          "are rejected by the schemas" % len(CRAFTED_REJECTS), problems)
    problems = []
    for name, obj in CRAFTED_ACCEPTS.items():
        acc, errors = graylane_verdict(graylane, yaml.safe_dump(obj))
        if not acc:
            problems.append("%s: graylane rejects it (%s; the case is wrong)" % (name, errors[:1]))
        else:
            serr = schema_errors(validators[obj["kind"]], obj)
            if serr:
                problems.append("%s: the schema says %s" % (name, serr[0]))
    check("crafted: %d documents graylane accepts are valid against the schemas"
          % len(CRAFTED_ACCEPTS), problems)


# ---- daemonset and rbac ----

def args_of(c):
    return list(c.get("command", [])[1:]) + list(c.get("args", []))


def flag(args, name):
    for i, a in enumerate(args):
        if a == name and i + 1 < len(args):
            return args[i + 1]
        if a.startswith(name + "="):
            return a.split("=", 1)[1]
    return None


def mount_of(pod, c, mount_path):
    """The container's volumeMount at mount_path and its volume."""
    for m in c.get("volumeMounts", []):
        if m["mountPath"] == mount_path:
            for v in pod.get("volumes", []):
                if v["name"] == m["name"]:
                    return m, v
            return m, None
    return None, None


def below(path, d):
    return path == d or path.startswith(d.rstrip("/") + "/")


def unit_caps(unit):
    with open(unit) as f:
        for line in f:
            if line.startswith("CapabilityBoundingSet="):
                return sorted(c[len("CAP_"):] for c in line.split("=", 1)[1].split())
    return []


def daemonset_of(objs):
    ds = find(objs, "DaemonSet", "graylaned")
    if ds is None:
        return None, None, None
    pod = ds["spec"]["template"]["spec"]
    c = next((c for c in pod["containers"] if c["name"] == "graylaned"), None)
    return ds, pod, c


def graylaned_accepts(graylaned, args):
    r = subprocess.run([graylaned] + args + ["--help"], capture_output=True, text=True)
    return r.returncode == 0, (r.stderr or r.stdout).strip().splitlines()[:1]


class Node:
    """The rendered base's DaemonSet: pod spec, the graylaned container, its flags."""

    def __init__(self, objs):
        self.objs = objs
        self.ds, self.pod, self.c = daemonset_of(objs)
        self.args = args_of(self.c) if self.c else []
        self.pin_root = flag(self.args, "--pin-root") or "/sys/fs/bpf/graylane"

    def host_mount(self, path, p, why=""):
        """The hostPath volume at the same path in the container, or a problem."""
        m, v = mount_of(self.pod, self.c, path)
        if m is None or v is None or v.get("hostPath", {}).get("path") != path:
            p.append("no hostPath %s mounted at %s%s" % (path, path, why))
            return None
        return m


def check_privileges(k, unit):
    sc = k.c.get("securityContext", {})
    caps = sorted(sc.get("capabilities", {}).get("add", []))
    want = unit_caps(unit)
    p = []
    if not sc.get("privileged"):
        p.append("not privileged (Bidirectional propagation needs it)")
    if not want or caps != want:
        p.append("capabilities %s, %s's CapabilityBoundingSet has %s" % (caps, unit, want))
    check("DaemonSet: privileged, capabilities %s as in %s" % (",".join(caps), unit), p)


def check_mounts(k):
    p = []
    m = k.host_mount("/sys/fs/bpf", p)
    if m is not None:
        if m.get("mountPropagation") != "Bidirectional":
            p.append("/sys/fs/bpf mountPropagation %s" % m.get("mountPropagation"))
        if m.get("readOnly"):
            p.append("/sys/fs/bpf read-only")
    if not below(k.pin_root, "/sys/fs/bpf"):
        p.append("--pin-root %s is not below /sys/fs/bpf" % k.pin_root)
    cg = flag(k.args, "--cgroup")
    k.host_mount("/sys/fs/cgroup", p)
    if not cg or not below(cg, "/sys/fs/cgroup"):
        p.append("--cgroup %s is not below the cgroup2 mount" % cg)
    k.host_mount("/sys/kernel/tracing", p, " (the syscall tracepoints' tracefs)")
    if not k.pod.get("hostPID"):
        p.append("no hostPID (PIDs of cgroup.procs, /proc/PID/environ)")
    check("DaemonSet: /sys/fs/bpf (Bidirectional) holds --pin-root %s, the node's cgroup2 tree "
          "holds --cgroup %s, tracefs, hostPID" % (k.pin_root, cg), p)


def validate_configmap(cm, graylane, p):
    with tempfile.TemporaryDirectory(prefix="graylane-k8s-") as d:
        for key, text in cm.get("data", {}).items():
            with open(os.path.join(d, key), "w") as f:
                f.write(text)
        r = subprocess.run([graylane, "validate", d], capture_output=True, text=True)
        if r.returncode:
            p.append("graylane validate of its keys: %s" % r.stderr.strip()[:300])


def check_flags(k, graylaned, graylane):
    p = []
    rules = flag(k.args, "--rules")
    m, v = mount_of(k.pod, k.c, rules or "")
    name = (v or {}).get("configMap", {}).get("name")
    if m is None or not name:
        p.append("--rules %s is not a ConfigMap volume's mount" % rules)
    elif find(k.objs, "ConfigMap", name) is None:
        p.append("ConfigMap %s is not in the base" % name)
    else:
        validate_configmap(find(k.objs, "ConfigMap", name), graylane, p)
    acc, out = graylaned_accepts(graylaned, k.args)
    if not acc:
        p.append("graylaned refuses %s: %s" % (" ".join(k.args), out))
    check("DaemonSet: graylaned accepts its flags; --rules is the ConfigMap %s, which graylane "
          "validate accepts" % name, p)


def check_liveness(k, p):
    lp = k.c.get("livenessProbe")
    if not lp:
        p.append("no livenessProbe")
    elif "httpGet" in lp:
        port = lp["httpGet"]["port"]
        ports = {x.get("name"): x["containerPort"] for x in k.c.get("ports", [])}
        port = ports.get(port, port)
        metrics = flag(k.args, "--metrics") or "127.0.0.1:9479"
        if k.pod.get("hostNetwork") is not True and metrics.startswith(("127.", "[::1]")):
            p.append("livenessProbe on the pod IP, --metrics on loopback (%s)" % metrics)
        if str(port) != metrics.rsplit(":", 1)[-1]:
            p.append("livenessProbe port %s, --metrics %s" % (port, metrics))


def check_probes(k):
    p = []
    rp = k.c.get("readinessProbe", {}).get("exec", {}).get("command", [])
    if not rp or os.path.basename(rp[0]) != "graylane" or rp[-1] != "status":
        p.append("readinessProbe runs %s, not graylane status" % rp)
    elif (flag(rp, "--pin-root") or "/sys/fs/bpf/graylane") != k.pin_root:
        p.append("readinessProbe reads pins at %s, the daemon pins at %s"
                 % (flag(rp, "--pin-root"), k.pin_root))
    check_liveness(k, p)
    us = k.ds["spec"].get("updateStrategy", {})
    if us.get("type") != "RollingUpdate" or \
            us.get("rollingUpdate", {}).get("maxUnavailable") != 1:
        p.append("updateStrategy is not RollingUpdate with maxUnavailable 1")
    if not any(t.get("operator") == "Exists" and not t.get("key") and not t.get("effect")
               for t in k.pod.get("tolerations") or []):
        p.append("no toleration of every taint (operator Exists)")
    if "terminationGracePeriodSeconds" not in k.pod:
        p.append("no terminationGracePeriodSeconds")
    check("DaemonSet: ready on graylane status, a liveness probe that reaches --metrics, "
          "rolling one node at a time, on every node", p)


def check_resources(k):
    p = []
    res = k.c.get("resources", {})
    for r in ("cpu", "memory"):
        if r not in res.get("requests", {}):
            p.append("no %s request" % r)
    if "memory" not in res.get("limits", {}):
        p.append("no memory limit")
    check("DaemonSet: cpu and memory requests, a memory limit", p)


READ = {"get", "list", "watch"}
GRANTED = {("", "pods"), ("", "services"), ("discovery.k8s.io", "endpointslices"),
           ("traffic.opensergo.io", "trafficlabelrules"),
           ("traffic.opensergo.io", "workloadlabelrules")}


def role_problems(o, seen, p):
    name = o["metadata"]["name"]
    for r in o.get("rules", []):
        verbs = set(r.get("verbs", []))
        if not verbs <= READ:
            p.append("%s grants %s" % (name, sorted(verbs - READ)))
        for g in r.get("apiGroups", []):
            for res in r.get("resources", []):
                if (g, res) not in GRANTED:
                    p.append("%s grants %s/%s" % (name, g or "core", res))
                seen.add((g, res))
        if r.get("nonResourceURLs") or r.get("resourceNames"):
            p.append("%s has nonResourceURLs or resourceNames" % name)


def check_rbac(k):
    p = []
    sa = k.pod.get("serviceAccountName")
    if not find(k.objs, "ServiceAccount", sa):
        p.append("ServiceAccount %s is not in the base" % sa)
    seen = set()
    for o in k.objs:
        if o["kind"] in ("Role", "ClusterRole"):
            role_problems(o, seen, p)
    if seen != GRANTED:
        p.append("not granted: %s" % sorted(GRANTED - seen))
    bound = any(o["kind"] == "ClusterRoleBinding" and o["roleRef"]["kind"] == "ClusterRole" and
                o["roleRef"]["name"] == "graylaned" and
                any(s["kind"] == "ServiceAccount" and s["name"] == sa and
                    s.get("namespace") == k.ds["metadata"]["namespace"] for s in o["subjects"])
                for o in k.objs)
    if not bound:
        p.append("ClusterRole graylaned is not bound to ServiceAccount %s" % sa)
    check("RBAC: get/list/watch on pods, services, endpointslices and the two OpenSergo kinds "
          "only, bound to the DaemonSet's ServiceAccount", p)


def check_image(k, dockerfile):
    """deploy/Dockerfile cannot be built here (no docker): its text at least
    must put the programs where the DaemonSet runs them."""
    with open(dockerfile) as f:
        text = f.read()
    p = []
    froms = re.findall(r"^FROM\s+(\S+)", text, re.M)
    if not froms or any(not f.startswith("debian:12") for f in froms):
        p.append("FROM %s, not debian:12" % froms)
    installed = set()
    for srcs, dest in re.findall(r"^COPY\s+--from=\S+\s+(.*)\s+(\S+/)\s*$", text, re.M):
        installed |= {dest + os.path.basename(x) for x in srcs.split()}
    image = k.c.get("image", "")
    runs = [k.c.get("command", ["?"])[0],
            k.c.get("readinessProbe", {}).get("exec", {}).get("command", ["?"])[0]]
    for r in runs:
        if r not in installed:
            p.append("the DaemonSet runs %s, the image has %s" % (r, sorted(installed)))
    if image.split(":")[0] != "graylane":
        p.append("image %s, not the graylane placeholder" % image)
    check("DaemonSet: image %s; %s puts %s there" % (image, dockerfile, ", ".join(runs)), p)


def check_keeper(k, graylaned):
    """The twin keeper's container: graylaned --twin-keeper of the daemon's
    own image and pin root, the pins mounted, resources set."""
    c = next((c for c in k.pod["containers"] if c["name"] == "twin-keeper"), None)
    p = []
    if c is None:
        check("DaemonSet: a twin-keeper container", ["no container twin-keeper"])
        return
    args = c.get("args", [])
    if c.get("image") != k.c.get("image") or c.get("command") != k.c.get("command"):
        p.append("runs %s %s, graylaned runs %s %s" % (c.get("image"), c.get("command"),
                                                        k.c.get("image"), k.c.get("command")))
    if "--twin-keeper" not in args:
        p.append("no --twin-keeper in %s" % args)
    if (flag(args, "--pin-root") or "/sys/fs/bpf/graylane") != k.pin_root:
        p.append("keeps the twins of pin root %s, graylaned pins at %s"
                 % (flag(args, "--pin-root"), k.pin_root))
    m, v = mount_of(k.pod, c, "/sys/fs/bpf")
    if m is None or (v or {}).get("hostPath", {}).get("path") != "/sys/fs/bpf":
        p.append("no hostPath /sys/fs/bpf mounted at /sys/fs/bpf")
    res = c.get("resources", {})
    if not {"cpu", "memory"} <= set(res.get("requests", {})) or "memory" not in res.get("limits", {}):
        p.append("no cpu and memory requests and memory limit")
    acc, out = graylaned_accepts(graylaned, args)
    if not acc:
        p.append("graylaned refuses %s: %s" % (" ".join(args), out))
    check("DaemonSet: a twin-keeper container, graylaned --twin-keeper of pin root %s, "
          "its image, the pins mounted, resources" % k.pin_root, p)


def cmd_daemonset(path, unit, dockerfile, graylaned, graylane):
    k = Node(load_all(path))
    if k.c is None:
        bad("DaemonSet graylaned", "no DaemonSet graylaned with a container graylaned")
        return
    check_privileges(k, unit)
    check_mounts(k)
    check_flags(k, graylaned, graylane)
    check_probes(k)
    check_resources(k)
    check_rbac(k)
    check_image(k, dockerfile)
    check_keeper(k, graylaned)


def cmd_overlay(path, graylaned):
    objs = load_all(path)
    ds, pod, c = daemonset_of(objs)
    p = []
    if c is None:
        bad("overlay", "no DaemonSet graylaned")
        return
    args = args_of(c)
    kc = flag(args, "--kubeconfig")
    if not kc:
        p.append("no --kubeconfig flag")
    elif not pod.get("automountServiceAccountToken", True):
        p.append("the ServiceAccount token is not mounted")
    elif kc != "in-cluster":
        m, v = mount_of(pod, c, os.path.dirname(kc))
        cm = v and v.get("configMap") and find(objs, "ConfigMap", v["configMap"]["name"])
        if not cm or os.path.basename(kc) not in cm.get("data", {}):
            p.append("--kubeconfig %s is no key of a mounted ConfigMap" % kc)
    if not any(e.get("name") == "NODE_NAME" and
               e.get("valueFrom", {}).get("fieldRef", {}).get("fieldPath") == "spec.nodeName"
               for e in c.get("env") or []):
        p.append("no NODE_NAME from spec.nodeName (this node's pods)")
    check("overlay inventory-from-api: --kubeconfig %s, the ServiceAccount's token "
          "mounted, NODE_NAME set" % kc, p)
    r = subprocess.run([graylaned, "--help"], capture_output=True, text=True)
    if "--kubeconfig" in r.stdout + r.stderr:
        acc, out = graylaned_accepts(graylaned, args)
        check("overlay inventory-from-api: graylaned accepts its flags",
              [] if acc else ["graylaned refuses them: %s" % out])
    else:
        print("# note: graylaned has no --kubeconfig yet (graylaned --help): the overlay "
              "waits for it; its flags are checked once it has")


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    {"objects": lambda: cmd_objects(args),
     "crds": lambda: cmd_crds(*args),
     "examples": lambda: cmd_examples(*args),
     "daemonset": lambda: cmd_daemonset(*args),
     "overlay": lambda: cmd_overlay(*args)}[cmd]()
    sys.exit(min(failed, 100))


if __name__ == "__main__":
    main()
