#!/bin/bash
# Workload lanes from the processes' environment (DESIGN.md, Words: after a
# WorkloadLabelRule and the label). Workloads without a lane label:
#   cli-env   a process with traffic.opensergo.io/label=gray in its environ
#   cli-boot  a process with OPENSERGO_BOOTSTRAP_CONFIG {"OPENSERGO_LABEL":"gray"}
#   cli-lab   labelled gray, a process whose environment says blue: the label wins
#   cli-none  no lane anywhere: base
# service a -> a-base, a-gray. Connects from a second, env-less process of the
# same workload show the workload lane.
. "$(dirname "$0")/lib.sh"
e2e_init
need_daemon

node_init
add_workload cli-env m/cli-env 10.77.0.2 fd77::2
add_workload cli-boot m/cli-boot 10.77.0.3 fd77::3
add_workload cli-lab m/cli-lab 10.77.0.4 fd77::4
add_workload cli-none m/cli-none 10.77.0.5 fd77::5
service_a_up

{
	yaml_workload cli-env client ""
	yaml_workload cli-boot client ""
	yaml_workload cli-lab client gray
	yaml_workload cli-none client ""
	yaml_service_a
} | write_rules "$RULES" inventory.yaml

start_daemon main "$M" "$PIN" "$RULES"
wait_generation "$PIN" 1 "${DAEMON_PID[main]}" || die "daemon did not apply the rules"
gen=$(generation "$PIN")
assert_eq "before: cli-env is base (no process says otherwise yet)" "a-base=5" \
	"$(client_as cli-env many 10.77.100.1 80 -n 5 | tally)"

# long-lived processes carrying the environment, as a container's main process would
spawn "$E2E_TMP/env.log" "${WL_CG[cli-env]}" "${WL_NS[cli-env]}" \
	env traffic.opensergo.io/label=gray sleep 120
spawn "$E2E_TMP/boot.log" "${WL_CG[cli-boot]}" "${WL_NS[cli-boot]}" \
	env 'OPENSERGO_BOOTSTRAP_CONFIG={"endpoint":"opensergo:10246","OPENSERGO_LABEL":"gray"}' sleep 120
spawn "$E2E_TMP/lab.log" "${WL_CG[cli-lab]}" "${WL_NS[cli-lab]}" \
	env traffic.opensergo.io/label=blue sleep 120
wait_generation "$PIN" $((gen + 1)) "${DAEMON_PID[main]}" ||
	die "the daemon did not apply the environment lanes"
pass "a process's environment made a new generation ($(generation "$PIN")), same daemon"

assert_eq "env traffic.opensergo.io/label=gray: the workload is gray" "a-gray=10" \
	"$(client_as cli-env many 10.77.100.1 80 -n 10 | tally)"
assert_eq "env OPENSERGO_BOOTSTRAP_CONFIG with OPENSERGO_LABEL gray: the workload is gray" \
	"a-gray=10" "$(client_as cli-boot many 10.77.100.1 80 -n 10 | tally)"
assert_eq "label gray, environment blue: the label wins" "a-gray=10" \
	"$(client_as cli-lab many 10.77.100.1 80 -n 10 | tally)"
assert_eq "no lane anywhere: base" "a-base=10" "$(client_as cli-none many 10.77.100.1 80 -n 10 | tally)"
if wait_log main "environment puts workload 'cli-lab' in lane 'blue', but its label" 1; then
	pass "the conflict is reported, naming the workload and both lanes"
else
	fail "the conflict is reported" "$(grep -i environ "${DAEMON_LOG[main]}" | tail -3)"
fi
assert_match "the report names the process it read" "/proc/[0-9]+/environ: warning" \
	"$(grep "cli-lab" "${DAEMON_LOG[main]}" | tail -1)"

# the process goes away: the workload returns to base
gen=$(generation "$PIN")
stop_pid "${E2E_PIDS[-3]}" KILL
wait_generation "$PIN" $((gen + 1)) "${DAEMON_PID[main]}" ||
	die "the daemon did not notice the process leaving"
assert_eq "the env process exited: cli-env back to base" "a-base=10" \
	"$(client_as cli-env many 10.77.100.1 80 -n 10 | tally)"
finish
