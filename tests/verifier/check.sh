#!/usr/bin/env bash
# The verifier budget (user/kernel/verifier_report.h: GL_VERIFIER_BUDGET): every BPF
# program of the daemon's object and of the load tests' objects, loaded on its
# own into this kernel, within the budget; and every committed record
# tests/verifier/<release>.json (the kernel matrix, make test-kernels) within
# it too and covering every program this tree builds. Root. Ends with
# "N passed, M failed".
#
#   tests/verifier/check.sh [OUT.json]   (default build/verifier/<release>.json)
set -uo pipefail
cd "$(dirname "$0")/../.."

rel=$(uname -r)
out=${1:-build/verifier/$rel.json}
objs=(build/http/http_load.bpf.o build/http/rules_load.bpf.o build/sql/sql_load.bpf.o)
mkdir -p "$(dirname "$out")"

if [ "$(id -u)" -ne 0 ]; then
	echo "not ok - verifier report: needs root (programs are loaded into this kernel)"
	echo "0 passed, 1 failed"
	exit 1
fi
build/graylane verifier-report --out "$out" "${objs[@]}" >/dev/null 2>&1
if [ ! -s "$out" ]; then
	echo "not ok - verifier report: build/graylane verifier-report wrote no $out"
	echo "0 passed, 1 failed"
	exit 1
fi

exec python3 - "$out" tests/verifier/*.json <<'PY'
import json, os, sys

passed = failed = 0
def check(ok, name, why=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok - {name}")
    else:
        failed += 1
        print(f"not ok - {name}: {why}")

now = json.load(open(sys.argv[1]))
budget = now["budget"]
names = {(p["object"], p["name"]) for p in now["programs"]}
for p in now["programs"]:
    what = f"{now['kernel']}: {p['object']}/{p['name']} verifies within {budget}"
    if not p["loaded"]:
        check(False, what, f"refused: {p['error']}")
    else:
        check(p["insns"] <= budget, f"{what} ({p['insns']} insns, {p['states']} states)",
              f"{p['insns']} processed instructions")

for path in sys.argv[2:]:
    if not os.path.exists(path):
        continue
    rec = json.load(open(path))
    kern = rec.get("kernel", os.path.basename(path))
    have = {(p["object"], p["name"]): p for p in rec["programs"]}
    missing = sorted(f"{o}/{n}" for o, n in names - set(have))
    check(not missing, f"record {path} covers every program of this tree",
          f"no entry for {', '.join(missing)}: run 'make test-kernels' (or 'make verifier-report' on that kernel) again")
    bad = [f"{o}/{n}: " + ("refused: " + p["error"] if not p["loaded"] else f"{p['insns']} insns")
           for (o, n), p in sorted(have.items()) if not p["loaded"] or p["insns"] > budget]
    top = max(have.values(), key=lambda p: p["insns"]) if have else None
    check(not bad, f"record {kern}: every program within {budget}"
          + (f" (max {top['insns']}, {top['object']}/{top['name']})" if top else ""), "; ".join(bad))

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
