#!/usr/bin/env python3
"""The layout of user/ (README, "Layout"): one folder per pipeline stage, each
stage using only the stages before it, no circle between files, every file
opening with a comment that says what it holds, every function on a screen.

Reads the sources and the built objects (build/user/**/*.o: which file calls
which, from nm). Ends with "N passed, M failed".

    tests/layout/check.py [--build DIR]
"""
import os
import re
import subprocess
import sys

# The stages in pipeline order; a stage may use itself and the ones before it.
# Stages of one rank (the two programs) do not use each other.
STAGES = [
    ("common", 0), ("model", 1), ("rules", 2), ("inventory", 3), ("plan", 4),
    ("kernel", 5), ("sync", 6), ("cli", 7), ("daemon", 7),
]
RANK = dict(STAGES)
FUNCTION_LINES_MAX = 60    # a screen

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
os.chdir(root)
build = sys.argv[sys.argv.index("--build") + 1] if "--build" in sys.argv else "build"
passed = failed = 0


def check(ok, what, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok - {what}")
    else:
        failed += 1
        print(f"not ok - {what}" + (f": {detail}" if detail else ""))


def may_use(user, used):
    """May a file of stage `user` use one of stage `used`?"""
    return user == used or RANK[used] < RANK[user]


sources = []
loose = []
for dirpath, _, names in os.walk("user"):
    for n in sorted(names):
        if not n.endswith((".c", ".h")):
            continue
        p = os.path.join(dirpath, n)
        parts = p.split(os.sep)
        if len(parts) != 3 or parts[1] not in RANK:
            loose.append(p)
        else:
            sources.append((p, parts[1]))
sources.sort()
check(not loose, "every source of user/ is in a stage folder (user/<stage>/)",
      " ".join(loose))
check(len(sources) > 0, "user/ has sources", "none found")

# includes
bad = []
inc = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
for p, stage in sources:
    for name in inc.findall(open(p).read()):
        first = name.split("/")[0]
        if "/" in name and first in RANK:
            if not may_use(stage, first):
                bad.append(f"{p} includes {name}")
            elif not os.path.exists(os.path.join("user", name)):
                bad.append(f"{p} includes {name}, which does not exist")
        elif "/" not in name and os.path.exists(os.path.join("user", stage, name)):
            pass
        elif "/" not in name and any(os.path.exists(os.path.join("user", s, name)) for s in RANK):
            bad.append(f"{p} includes {name} of another stage without naming it")
check(not bad, "each stage includes only itself and the stages before it",
      "; ".join(bad))

# calls, from the objects
defs, uses = {}, {}
objs = [(p, s) for p, s in sources if p.endswith(".c")]
missing = []
for p, stage in objs:
    o = os.path.join(build, p[:-2] + ".o")
    if not os.path.exists(o):
        missing.append(o)
        continue
    out = subprocess.run(["nm", o], capture_output=True, text=True, check=True).stdout
    uses[p] = set()
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3 and f[1] in "TDBR":
            defs.setdefault(f[2], p)
        elif len(f) == 2 and f[0] == "U":
            uses[p].add(f[1])
check(not missing, "every source of user/ is built", " ".join(missing))
stage_of = dict(objs)
edges = {p: set() for p in uses}
for p, syms in uses.items():
    for sym in syms:
        q = defs.get(sym)
        if q and q != p:
            edges[p].add(q)
bad = sorted(f"{p} calls {q}" for p in edges for q in edges[p]
             if not may_use(stage_of[p], stage_of[q]))
check(not bad, "each stage calls only itself and the stages before it", "; ".join(bad))

# circles between files: strongly connected components (Tarjan)
index, low, onstack, stack, sccs = {}, {}, set(), [], []
counter = [0]


def strong(v):
    index[v] = low[v] = counter[0]
    counter[0] += 1
    stack.append(v)
    onstack.add(v)
    for w in sorted(edges[v]):
        if w not in index:
            strong(w)
            low[v] = min(low[v], low[w])
        elif w in onstack:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop()
            onstack.discard(w)
            comp.append(w)
            if w == v:
                break
        if len(comp) > 1:
            sccs.append(sorted(comp))


sys.setrecursionlimit(10000)
for v in sorted(edges):
    if v not in index:
        strong(v)
check(not sccs, "no two files of user/ call each other (directly or round a circle)",
      "; ".join(" <-> ".join(c) for c in sccs))

# a comment saying what the file holds
bad = []
for p, _ in sources:
    lines = open(p).read().splitlines()
    body = [l for l in lines[:3] if "SPDX-License-Identifier" not in l]
    if not body or not body[0].lstrip().startswith(("/*", "//")) or \
            body[0].strip() in ("/*", "//") and len(body) < 2:
        bad.append(p)
check(not bad, "each file of user/ opens with a comment saying what it holds", " ".join(bad))

# function length: a top-level '{' at column 0 after a signature, to its '}'
long_fns = []
for p, _ in sources:
    lines = open(p).read().splitlines()
    start = None
    for i, l in enumerate(lines):
        if l == "{" and start is None:
            j = i - 1
            while j > 0 and lines[j][:1] in ("\t", " "):
                j -= 1    # back to the signature's first line
            start, sig = i, lines[j]
        elif l.startswith("}") and start is not None:
            n = i - start - 1
            if n > FUNCTION_LINES_MAX and "(" in sig:
                long_fns.append(f"{p}:{start} {sig.split('(')[0].split()[-1]} ({n} lines)")
            start = None
check(not long_fns, f"every function of user/ fits on a screen ({FUNCTION_LINES_MAX} lines)",
      "; ".join(long_fns))

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
