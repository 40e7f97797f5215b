#!/bin/bash
# Rule changes in a running daemon: the same daemon (same pid) picks up a valid
# change as a new generation and new connections follow it; an invalid change
# (YAML syntax error, bad address) is rejected, the generation stays, and
# connections keep being routed by the previous rules.
. "$(dirname "$0")/lib.sh"
e2e_init
need_daemon

node_init
add_workload cli-base m/cli-base 10.77.0.2 fd77::2
add_workload cli-gray m/cli-gray 10.77.0.3 fd77::3
add_workload a-base m/a-base 10.77.0.11 fd77::11
add_workload a-gray m/a-gray 10.77.0.12 fd77::12
add_workload b-base m/b-base 10.77.0.21 fd77::21
for s in a-base a-gray b-base; do start_server "$s"; done
for s in a-base a-gray b-base; do wait_listen "$s"; done

# inventory CLI_GRAY_LANE A_GRAY_APP
inventory() {
	yaml_workload cli-base client ""
	yaml_workload cli-gray client "$1"
	yaml_workload a-base a ""
	yaml_workload a-gray "$2" gray
	yaml_workload b-base b ""
	yaml_service a a 80 8080 10.77.100.1 fd77:100::1
}
inventory gray a | write_rules "$RULES" inventory.yaml

start_daemon d "$M" "$PIN" "$RULES"
PID=${DAEMON_PID[d]}
wait_generation "$PIN" 1 "$PID" || die "daemon did not apply the rules"
g=$(generation "$PIN")
pass "daemon applied generation $g"
assert_eq "before: gray caller -> gray" "a-gray=5" "$(client_as cli-gray many 10.77.100.1 80 -n 5 | tally)"
assert_eq "before: base caller -> base" "a-base=5" "$(client_as cli-base many 10.77.100.1 80 -n 5 | tally)"

# apply NAME: waits for generation g+1 from the same daemon
apply() {
	if wait_generation "$PIN" $((g + 1)) "$PID"; then
		g=$(generation "$PIN")
		pass "$1: same daemon ($PID) applied generation $g"
	else
		fail "$1: same daemon ($PID) applied generation $((g + 1))" "status: $(oneline "$(status_json "$PIN")")"
	fi
}

# 11. valid changes, picked up by the running daemon
inventory gray a-retired | write_rules "$RULES" inventory.yaml
apply "11 gray endpoint removed from service a's selector"
assert_eq "11 gray caller now falls back to base" "a-base=10" \
	"$(client_as cli-gray many 10.77.100.1 80 -n 10 | tally)"

inventory "" a | write_rules "$RULES" inventory.yaml
apply "11 gray endpoint back, caller's lane label removed"
assert_eq "11 caller without its lane label is a base caller" "a-base=10" \
	"$(client_as cli-gray many 10.77.100.1 80 -n 10 | tally)"
assert_eq "11 ... and dialing the gray endpoint's own address lands on base" "a-base" \
	"$(client_as cli-gray get 10.77.0.12 8080)"

inventory gray a | write_rules "$RULES" inventory.yaml
apply "11 caller's lane label restored"
assert_eq "11 gray caller -> gray again" "a-gray=10" "$(client_as cli-gray many 10.77.100.1 80 -n 10 | tally)"

yaml_service b b 80 8080 10.77.100.2 | write_rules "$RULES" b.yaml
apply "11 a new file with service b"
assert_eq "11 new service b reachable by its VIP" b-base "$(client_as cli-gray get 10.77.100.2 80)"
rm -f "$RULES/b.yaml"
apply "11 service b's file removed"
assert_eq "11 removed service's VIP is no longer rewritten" "ERR ENETUNREACH" \
	"$(client_as cli-gray get 10.77.100.2 80)"

# 12. invalid changes keep the previous rules routing
rej=$(log_count d 'rejected')
printf 'apiVersion: graylane.io/v1alpha1\nkind: Workload\nmetadata: {name: broken, labels: {app: a\nspec: [\n' |
	write_rules "$RULES" broken.yaml
if wait_log d 'rejected' $((rej + 1)); then pass "12 YAML syntax error: daemon log says rejected"
else fail "12 YAML syntax error: daemon log says rejected" "$(oneline "$(tail -5 "${DAEMON_LOG[d]}")")"; fi
assert_match "12 YAML syntax error: the log names file, line and column" "broken\.yaml:[0-9]+:[0-9]+: " \
	"$(cat "${DAEMON_LOG[d]}")"
assert_eq "12 YAML syntax error: generation unchanged" "$g" "$(generation "$PIN")"
assert_eq "12 YAML syntax error: gray still -> gray" "a-gray=10" "$(client_as cli-gray many 10.77.100.1 80 -n 10 | tally)"
assert_eq "12 YAML syntax error: base still -> base" "a-base=10" "$(client_as cli-base many 10.77.100.1 80 -n 10 | tally)"
assert_ok "12 YAML syntax error: status still exits 0" "$GRAYLANE" --pin-root "$PIN" status

rej=$(log_count d 'rejected')
# broken.yaml replaced (atomically, the set stays invalid throughout) by valid
# YAML with an impossible address next to a valid new service b2: the set is
# rejected as a whole, so b2 must not appear either
{
	yaml_service b2 b 80 8080 10.77.100.5
	yaml_service bad b 80 8080 10.77.100.300
} | write_rules "$RULES" broken.yaml
if wait_log d 'rejected' $((rej + 1)); then pass "12 bad IP: daemon log says rejected"
else fail "12 bad IP: daemon log says rejected" "$(oneline "$(tail -5 "${DAEMON_LOG[d]}")")"; fi
assert_match "12 bad IP: the log names file, line, column and the address" \
	"broken\.yaml:[0-9]+:[0-9]+: [^"$'\n'"]*10\.77\.100\.300" "$(cat "${DAEMON_LOG[d]}")"
sleep 0.3 # a few more polls: nothing may be applied
assert_eq "12 bad IP: generation unchanged" "$g" "$(generation "$PIN")"
assert_eq "12 bad IP: the valid service next to the error is not applied" "ERR ENETUNREACH" \
	"$(client_as cli-gray get 10.77.100.5 80)"
assert_eq "12 bad IP: gray still -> gray" "a-gray=10" "$(client_as cli-gray many 10.77.100.1 80 -n 10 | tally)"
assert_eq "12 bad IP: base still -> base" "a-base=10" "$(client_as cli-base many 10.77.100.1 80 -n 10 | tally)"
assert_ok "12 bad IP: status still exits 0" "$GRAYLANE" --pin-root "$PIN" status

# fixing the set applies it: the same daemon recovers from rejected sets
yaml_service b2 b 80 8080 10.77.100.5 | write_rules "$RULES" broken.yaml
apply "12 fixed set"
assert_eq "12 fixed set: new service b2 reachable" b-base "$(client_as cli-gray get 10.77.100.5 80)"
assert_eq "12 fixed set: gray still -> gray" "a-gray=10" "$(client_as cli-gray many 10.77.100.1 80 -n 10 | tally)"
assert_eq "daemon pid unchanged throughout" "$PID" "$(json_field "$(status_json "$PIN")" daemon_pid)"

# the slots the plan maps' entries are in (bpftool's decoded keys): the old
# one is cleared by the daemon's loop 50 ms after the switch, not at once
slots_in_use() {
	local m
	for m in gl_lanes gl_workloads gl_services gl_backends gl_lane_ids gl_rules gl_wants gl_shadows; do
		[[ -e $PIN/$m ]] && bpftool -j map dump pinned "$PIN/$m"
	done | "$PY" -c '
import json, sys
dec = json.JSONDecoder()
text, at, slots = sys.stdin.read(), 0, set()
while at < len(text.strip()):
    v, at = dec.raw_decode(text, at)
    slots |= {e["formatted"]["key"]["slot"] for e in v if "formatted" in e}
    while at < len(text) and text[at].isspace():
        at += 1
print(" ".join(map(str, sorted(slots))))'
}
for _ in $(seq 20); do
	used=$(slots_in_use)
	[[ $used =~ ^[01]$ ]] && break
	sleep 0.1
done
assert_eq "after the last apply, only the active slot holds entries (old slot cleared)" \
	"$(json_field "$(status_json "$PIN")" slot)" "$used"
finish
