# shellcheck shell=bash
# The reference scenario's hosts, rules, daemon and services for an e2e test
# (test_scenario, test_outside, test_gateway_pool): sourced after lib.sh.
# scenario_up sets M (the managed cgroup), PIN, RULES and DPID, with
# generation 1 applied and the six deployments listening; each test starts
# the gateway its own way (scn_start_gateway), or scenario_keepalive_up does
# both with upstream keepalive. SCN_DAEMON_ARGS: more graylaned flags.
# shellcheck source=../../demo/scenario.sh
. "$REPO_ROOT/demo/scenario.sh"

scenario_up() {
	e2e_init
	need_daemon
	[[ -x $NGINX ]] || die "$NGINX not found (make deps installs nginx-light)"
	node_init
	scn_hosts m/
	cp "$REPO_ROOT/rules/reference.yaml" "$RULES/" || die "cannot copy rules/reference.yaml"
	# shellcheck disable=SC2119 # the whole inventory
	scn_inventory | write_rules "$RULES" inventory.yaml
	assert_ok "rules/reference.yaml and the scenario's inventory validate" "$GRAYLANE" validate "$RULES"
	start_daemon d "$M" "$PIN" "$RULES" ${SCN_DAEMON_ARGS[@]+"${SCN_DAEMON_ARGS[@]}"}
	DPID=${DAEMON_PID[d]}
	wait_generation "$PIN" 1 "$DPID" || die "daemon did not apply the rules"
	scn_start_services "$E2E_TMP"
}

# scn_gray_only_service: adds grayonly.yaml to RULES, service c-gray-only at
# 10.77.100.9:80 whose only endpoints are C's gray ones (a base caller is
# refused)
scn_gray_only_service() {
	cat <<EOF | write_rules "$RULES" grayonly.yaml
---
apiVersion: graylane.io/v1alpha1
kind: Service
metadata: {name: c-gray-only}
spec:
  addresses: ["10.77.100.9"]
  ports: [{port: 80, targetPort: 9090}]
  selector: {app: c, traffic.opensergo.io/label: gray}
EOF
}

# scenario_keepalive_up: scenario_up with the services' connections to their
# next hops kept alive and pooled (SCN_KEEPALIVE, 1 unless set empty), then the gateway with
# upstream keepalive 4 (HTTP/1.1: one upstream connection carries request
# after request), checked in its config
scenario_keepalive_up() {
	SCN_KEEPALIVE=${SCN_KEEPALIVE-1} scenario_up
	SCN_UPSTREAM_KEEPALIVE=4 scn_start_gateway "$E2E_TMP/nginx"
	grep -q "keepalive 4;" "$E2E_TMP/nginx/nginx.conf" ||
		die "the gateway's config has no upstream keepalive"
	pass "nginx gateway (upstream keepalive 4, HTTP/1.1), 6 deployments and graylaned up"
}
