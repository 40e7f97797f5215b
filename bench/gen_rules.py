#!/usr/bin/python3
"""Rule sets for the rule-scale benchmark (bench/run.sh).

usage: gen_rules.py scale --rules N --endpoints E --services S --cgroup-root /REL OUTDIR
       gen_rules.py entry --rules N OUT

`scale` writes YAML files into OUTDIR (scale-*.yaml, each well below the
daemon's 16 MiB per file) with
  - N/10 - 1 entry workloads (app: entry-K, cgroup <root>/entry-K), each selected
    by 10 TrafficLabelRules; the bench's own entry (app: entry) gets the other
    10 from `entry --rules 10`, so the set holds N rules in all;
  - E endpoint Workloads without spec.cgroup (remote endpoints: not on
    this node) spread over S Services (VIP 10.96.x.y:80 -> 8080), endpoint I
    serving service I mod S, in lane gray when I div S is odd, else base.

`entry` writes N TrafficLabelRules for the bench's entry (app: entry): N-1 that
never match the bench's requests (other headers, paths, cookies, parameters,
percentages on absent fields), tried first, and last, at the lowest priority,
the bench's own rule (location == cn-shenzhen -> gray). With N = 1 it is the
1-rule set. Every request the bench sends is therefore evaluated against all N.
"""
import argparse
import ipaddress
import os
import sys

PER_ENTRY = 10

# Conditions that never match a bench request (which carries only Host,
# location and maybe Connection), each a different kind of work for the kernel.
NEVER = [
    ("==", "header", "x-region", "cn-hangzhou"),
    ("prefix", "path", None, "/gray/"),
    ("==", "cookie", "canary", "1"),
    ("==", "param", "env", "gray"),
    ("in", "header", "x-zone", "z1,z2,z3"),
    ("suffix", "host", None, ".gray.example"),
    ("contains", "header", "user-agent", "canary"),
    ("exists", "header", "x-canary", None),
    ("percentage", "header", "x-user-id", "50"),
]


def addr(base, i):
    return str(ipaddress.ip_address(base) + i)


def match_item(cond, typ, key, value):
    parts = ['condition: "%s"' % cond, "type: %s" % typ]
    if key is not None:
        parts.append("key: %s" % key)
    if value is not None:
        parts.append('value: "%s"' % value)
    return "  - {%s}\n" % ", ".join(parts)


def rule(name, app, priority, cond, typ, key, value):
    return ("---\napiVersion: traffic.opensergo.io/v1alpha1\nkind: TrafficLabelRule\n"
            "metadata: {name: %s}\nspec:\n  selector: {app: %s}\n  trafficLabel: gray\n"
            "  priority: %d\n  match:\n%s" % (name, app, priority,
                                            match_item(cond, typ, key, value)))


def workload(name, labels, cgroup, address):
    """A Workload document; cgroup None: on another node (no spec.cgroup)."""
    lab = ", ".join("%s: %s" % kv for kv in labels.items())
    return ("---\napiVersion: graylane.io/v1alpha1\nkind: Workload\nmetadata:\n"
            "  name: %s\n  labels: {%s}\nspec:\n%s  addresses: [%s]\n"
            % (name, lab, "  cgroup: %s\n" % cgroup if cgroup else "", address))


def service(name, vip):
    return ("---\napiVersion: graylane.io/v1alpha1\nkind: Service\nmetadata: {name: %s}\n"
            "spec:\n  addresses: [%s]\n  ports: [{port: 80, targetPort: 8080}]\n"
            "  selector: {app: %s}\n" % (name, vip, name))


def entry_rules(out, prefix, app, n, last_matches):
    for r in range(n):
        if last_matches and r == n - 1:
            out.write(rule("%s-%d" % (prefix, r), app, r, "==", "header", "location",
                           "cn-shenzhen"))
        else:
            out.write(rule("%s-%d" % (prefix, r), app, r, *NEVER[r % len(NEVER)]))


CHUNK = 10000   # documents per file: about 2.3 MB of endpoints


def scale(a):
    entries = a.rules // PER_ENTRY - 1
    if entries < 0 or a.rules % PER_ENTRY:
        sys.exit("--rules must be a positive multiple of %d" % PER_ENTRY)
    with open(os.path.join(a.out, "scale-entries.yaml"), "w") as out:
        for k in range(entries):
            out.write(workload("entry-%d" % k, {"app": "entry-%d" % k},
                               "%s/entry-%d" % (a.cgroup_root, k), addr("10.64.0.1", k)))
            entry_rules(out, "entry-%d" % k, "entry-%d" % k, PER_ENTRY, False)
    with open(os.path.join(a.out, "scale-services.yaml"), "w") as out:
        for s in range(a.services):
            out.write(service("svc-%d" % s, addr("10.96.0.1", s)))
    for c in range(0, a.endpoints, CHUNK):
        with open(os.path.join(a.out, "scale-endpoints-%03d.yaml" % (c // CHUNK)), "w") as out:
            for i in range(c, min(c + CHUNK, a.endpoints)):
                labels = {"app": "svc-%d" % (i % a.services)}
                if (i // a.services) % 2:
                    labels["traffic.opensergo.io/label"] = "gray"
                out.write(workload("ep-%d" % i, labels, None,
                                   addr("10.128.0.1", i)))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("scale")
    s.add_argument("--rules", type=int, required=True)
    s.add_argument("--endpoints", type=int, required=True)
    s.add_argument("--services", type=int, required=True)
    s.add_argument("--cgroup-root", required=True)
    s.add_argument("out")
    e = sub.add_parser("entry")
    e.add_argument("--rules", type=int, required=True)
    e.add_argument("out")
    a = p.parse_args()
    if a.cmd == "scale":
        os.makedirs(a.out, exist_ok=True)
        scale(a)
    else:
        with open(a.out, "w") as out:
            entry_rules(out, "bench-entry", "entry", a.rules, True)


if __name__ == "__main__":
    main()
