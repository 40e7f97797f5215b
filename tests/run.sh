#!/usr/bin/env bash
# Runs every suite: unit tests (no root), fuzzers (fixed budget), end-to-end
# tests on network namespaces (root). Each suite ends with "N passed, M failed";
# this adds them up and ends the same way.
set -uo pipefail
cd "$(dirname "$0")/.."

FUZZ_TIME=${FUZZ_TIME:-30}
total_pass=0
total_fail=0
failed_suites=()

run_suite() {
	local name=$1; shift
	local log
	log=$(mktemp)
	echo "== $name"
	"$@" 2>&1 | tee "$log"
	local rc=${PIPESTATUS[0]}
	local line p f
	line=$(grep -E '^([A-Za-z_-]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	rm -f "$log"
	if [[ $line =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
		p=${BASH_REMATCH[1]}; f=${BASH_REMATCH[2]}
	else
		p=0; f=1
	fi
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	[ "$rc" -eq 0 ] && [ "$f" -eq 0 ] || failed_suites+=("$name")
}

for t in build/tests/*; do
	[ -x "$t" ] && run_suite "unit: $(basename "$t")" "$t"
done
# user/: one folder per stage, no circles, files and functions that read
run_suite "layout" tests/layout/check.py
# the inventory from the Kubernetes API, against a replay of its wire format
run_suite "k8s: inventory from the API (replay server)" tests/k8s/test_inventory.py
# what that server sends, typed against the API's models (python3-kubernetes)
run_suite "k8s: the replay server's objects and events, typed" tests/k8s/test_wire.py
run_suite "deploy: systemd unit" tests/deploy/check.sh
# deploy/kubernetes rendered, typed, its CRDs against graylane's own verdicts
run_suite "deploy: kubernetes" tests/deploy/k8s.sh
# each of those checks fails when its thing is broken (about 2 minutes)
run_suite "deploy: kubernetes checks, each broken once" tests/deploy/k8s_mutate.sh
# the pinned maps' layout against its record: no change without a version bump
run_suite "maps: layout recorded" tests/maps/check.sh
run_suite "verifier budget" tests/verifier/check.sh
# Debian's 6.1 and 6.12 under qemu: the loads and the probe (make test-kernels
# runs the end-to-end tests in them too)
run_suite "kernel matrix: loads on Debian 6.1 and 6.12 (qemu)" tests/kernels/loads.sh
for f in build/fuzz/fuzz_*; do
	[ -x "$f" ] && run_suite "fuzz: $(basename "$f") (${FUZZ_TIME}s)" tests/fuzz/run.sh "$f" "$FUZZ_TIME"
done
if [ "$(id -u)" -eq 0 ]; then
	run_suite "e2e" tests/e2e/run.sh
else
	echo "== e2e: needs root (BPF programs are loaded into this kernel); failing"
	total_fail=$((total_fail + 1)); failed_suites+=("e2e (not root)")
fi

echo
[ ${#failed_suites[@]} -eq 0 ] || echo "failed suites: ${failed_suites[*]}"
echo "total: $total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
