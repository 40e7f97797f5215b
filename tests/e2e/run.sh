#!/bin/bash
# End-to-end suite: runs every tests/e2e/test_*.sh (or the ones named on the
# command line), each in its own topology, and counts individual assertions.
# Needs root. Binaries from $GRAYLANE_BUILD (default: build/ of the repo).
# The last line is always "N passed, M failed"; exit status 0 only with no failure.
#
#   tests/e2e/run.sh                    # all
#   tests/e2e/run.sh test_connect.sh    # some
#   GL_E2E_TIMEOUT=120                  # per-script limit in seconds (default 150)
set -u
dir=$(cd "$(dirname "$0")" && pwd)
passed=0
failed=0

if ((EUID != 0)); then
	echo "not ok - e2e: must run as root (network namespaces, cgroups, BPF); try: sudo $0"
	echo "0 passed, 1 failed"
	exit 1
fi

scripts=()
if (($#)); then
	for s in "$@"; do scripts+=("$dir/$(basename "$s")"); done
else
	# the harness's own test first: when it fails, the others cannot be trusted
	[[ -f $dir/test_harness.sh ]] && scripts+=("$dir/test_harness.sh")
	for s in "$dir"/test_*.sh; do
		[[ $s == "$dir/test_harness.sh" ]] || scripts+=("$s")
	done
fi

start_all=$SECONDS
for s in "${scripts[@]}"; do
	name=$(basename "$s")
	if [[ ! -f $s ]]; then
		echo "not ok - $name: no such test script"
		failed=$((failed + 1))
		continue
	fi
	echo "# --- $name"
	out=$(mktemp)
	t0=$SECONDS
	# --foreground: the script stays in our process group, so Ctrl-C reaches
	# it and its trap cleans up; on timeout it gets SIGTERM (same cleanup).
	timeout --foreground -k 20 "${GL_E2E_TIMEOUT:-150}" bash "$s" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	p=$(grep -c '^ok - ' "$out")
	f=$(grep -c '^not ok - ' "$out")
	if ((rc != 0 && f == 0)); then
		why="exited $rc"
		((rc == 124)) && why="timed out after ${GL_E2E_TIMEOUT:-150} s"
		echo "not ok - $name: $why without a failed assertion"
		f=1
	fi
	rm -f "$out"
	passed=$((passed + p))
	failed=$((failed + f))
	if ((f)); then res=FAIL; else res=PASS; fi
	echo "# $name: $res ($p passed, $f failed, $((SECONDS - t0)) s)"
done
echo "# e2e took $((SECONDS - start_all)) s"
echo "$passed passed, $failed failed"
((failed == 0))
