#!/usr/bin/env python3
"""One row of the kernel matrix table from a guest's results directory
(tests/kernels/in_guest.sh): release|loads|max insns|probe|e2e, each cell
saying FAIL and why when its step failed or did not run."""
import json, os, re, sys

rel, out = sys.argv[1], sys.argv[2]

def read(name, default=None):
    try:
        return open(os.path.join(out, name)).read()
    except OSError:
        return default

def step_ran(step):
    return read(step + ".rc") is not None

cells = []
v = read("verifier.json")
if v is None:
    cells += ["FAIL: no verifier record" if step_ran("verifier") else "not run", ""]
else:
    v = json.loads(v)
    progs = v["programs"]
    loaded = sum(p["loaded"] for p in progs)
    over = [p for p in progs if p["loaded"] and p["insns"] > v["budget"]]
    refused = [p for p in progs if not p["loaded"]]
    top = max(progs, key=lambda p: p["insns"])
    c = f"{loaded}/{len(progs)}"
    if refused:
        c += " FAIL: refused " + ", ".join(f"{p['name']} ({p['error'][:80]})" for p in refused)
    cells.append(c)
    m = f"{top['insns']} ({top['object']}/{top['name']})"
    if over:
        m += " FAIL: over budget " + ", ".join(p["name"] for p in over)
    cells.append(m)

p = read("probe.json")
if p is None:
    cells.append("FAIL: no probe output" if step_ran("probe") else "not run")
else:
    p = json.loads(p)
    miss = [f["name"] for f in p["features"] if not f["present"]]
    req = p["missing_required"]
    c = "all present" if not miss else "missing " + ", ".join(miss)
    if req:
        c += " FAIL: required missing"
    elif p.get("no_recv"):
        c += " (runs without the read tracepoints)"
    cells.append(c)

e = read("e2e.log")
if e is None:
    cells.append("not run")
else:
    m = re.findall(r"^(\d+) passed, (\d+) failed", e, re.M)
    if not m:
        cells.append("FAIL: no result line (see e2e.log)")
    else:
        ok, bad = m[-1]
        c = f"{ok} passed, {bad} failed"
        if bad != "0":
            names = re.findall(r"^not ok - (.*)$", e, re.M)[:3]
            c += " FAIL: " + "; ".join(n[:80] for n in names)
        cells.append(c)

print("|".join([rel] + [c.replace("|", "/") for c in cells]))
