#!/bin/bash
# Errors an operator can cause get one clear line and change nothing.
. "$(dirname "$0")/lib.sh"
e2e_init
need_daemon

node_init
yaml_service s s 80 8080 10.77.100.1 | write_rules "$RULES" inventory.yaml

# run_daemon ARGS...: graylaned in the foreground (it must exit), output and status
run_daemon() {
	local out rc
	out=$(timeout 10 "$GRAYLANED" "$@" 2>&1)
	rc=$?
	printf '%s\nrc=%s' "$out" "$rc"
}

out=$(run_daemon --rules "$RULES" --cgroup "$M/missing" --pin-root "$PIN")
assert_match "missing --cgroup directory: says so and how to fix" \
	"--cgroup $M/missing: No such file or directory \\(create it first: mkdir $M/missing\\)" "$out"
assert_match "missing --cgroup directory: exit status 2" "rc=2$" "$out"
assert_eq "missing --cgroup directory: nothing pinned" "" "$(ls -A "$PIN" 2>/dev/null)"

out=$(run_daemon --rules "$RULES" --cgroup /tmp --pin-root "$PIN")
assert_match "--cgroup outside cgroup2: names both" "--cgroup /tmp is not below the cgroup2 mount" "$out"

PIN_TMP=$E2E_TMP/not-bpffs
out=$(run_daemon --rules "$RULES" --cgroup "$M" --pin-root "$PIN_TMP")
assert_match "pin root not on bpffs: says where it must be" \
	"pin root $PIN_TMP: .*must be below a bpffs mount" "$out"
assert_eq "pin root not on bpffs: nothing attached to the cgroup" "" \
	"$(bpftool cgroup show "$M" 2>&1 | tail -n +2)"

out=$(run_daemon --cgroup "$M")
assert_match "no --rules: usage" "--rules and --cgroup are required" "$out"
out=$(run_daemon --rules "$RULES" --cgroup relative/path)
assert_match "relative --cgroup: refused" "--cgroup must be an absolute path" "$out"
out=$(run_daemon --rules "$RULES" --cgroup "$M" --context-ttl 5parsecs)
assert_match "bad --context-ttl: names the flag and the form" \
	"--context-ttl: '5parsecs' is not a duration between 1ms and 1h" "$out"
out=$(run_daemon --rules "$RULES" --cgroup "$M" --label-header 'x bad')
assert_match "bad --label-header: refused" "--label-header: 'x bad' is not a header name" "$out"

out=$("$GRAYLANE" validate "$E2E_TMP/nope" 2>&1; echo "rc=$?")
assert_match "validate a missing directory: file error, exit 1" "$E2E_TMP/nope: error: .*rc=1" \
	"$(oneline "$out")"
out=$("$GRAYLANE" --pin-root "$PIN" status 2>&1; echo "rc=$?")
assert_match "status with nothing installed: says so, exit 1" "nothing installed under $PIN.*rc=1" \
	"$(oneline "$out")"
out=$("$GRAYLANE" frobnicate 2>&1; echo "rc=$?")
assert_match "unknown command: named" "unknown command 'frobnicate'" "$(head -1 <<<"$out")"
assert_eq "unknown command: exit 2" "rc=2" "$(tail -1 <<<"$out")"
finish
