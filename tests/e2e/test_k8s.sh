#!/bin/bash
# The inventory from the Kubernetes API while traffic runs: graylaned
# --kubeconfig against tests/k8s/replay.py (the API's wire format), pods in
# cgroups named as the kubelet's systemd driver names them, below the managed
# subtree (--k8s-cgroup-root). Clients cli-gray (gray) and cli-base connect
# to service a's ClusterIP every 5 ms while pod a-gray is created (Pending),
# turns Ready relabelled gray, and is deleted, through watch events:
#   K1 the first plan comes from the API: both callers on a-base (gray falls back)
#   K2 after the relabel, gray connects land on a-gray; base ones never do
#   K3 readiness lost and regained N times: gray follows each time; after
#      the delete, gray connects are back on a-base
#   K4 every connect succeeded; the gray loop switched exactly 2N+2 times
#   K5 a service without a selector (ext: a host outside the cluster, its
#      EndpointSlice written by hand): its ClusterIP, which nothing else
#      routes here, reaches the host from either caller
# All of it twice: alone (N = 5, 0.4 s apart), then beside a cluster's worth
# of objects (5 000 pods, 100 of them on this node, 200 services with
# EndpointSlices; N = 50, 0.2 s apart: 102 changes), where every change
# rebuilds the model from every cached object.
# The time from each event sent to the first connect it steers is printed
# (not asserted): the changes' p50, p99 and max, the daemon's own
# event-to-applied times, and its effect_ms (build start to the switch).
. "$(dirname "$0")/lib.sh"
e2e_init
need_daemon

K8S=$E2E_DIR/../k8s
node_init
uid_() { echo "$1" | tr - _; }
pod_cg() { # pod_cg UID: the kubelet's systemd cgroup of a Burstable pod, below m
	echo "m/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod$(uid_ "$1").slice"
}
U_CG=11111111-2222-4333-8444-000000000001
U_CB=11111111-2222-4333-8444-000000000002
U_AB=11111111-2222-4333-8444-000000000011
U_AG=11111111-2222-4333-8444-000000000012
add_workload cli-gray "$(pod_cg $U_CG)" 10.77.0.3 fd77::3
add_workload cli-base "$(pod_cg $U_CB)" 10.77.0.2 fd77::2
add_workload a-base "$(pod_cg $U_AB)/cri-containerd-0a1b.scope" 10.77.0.11 fd77::11
add_workload a-gray "$(pod_cg $U_AG)/crio-0c1d.scope" 10.77.0.12 fd77::12
add_workload ext ext 10.77.0.31 fd77::31	# not a pod, and outside m
for s in a-base a-gray ext; do start_server "$s"; done
for s in a-base a-gray ext; do wait_listen "$s"; done

FIX=$E2E_TMP/fixtures
"$PY" "$K8S/e2e_helper.py" fixtures "$FIX" || die "cannot write the fixtures"
cp "$K8S/fixtures/pod-template.json" "$FIX/" || die "cannot copy the pod template"

# phase TAG AT [REPLAY ARGS...]: the scenario against a replay started with
# those arguments; AT is appended to every check's name.
phase() {
	local tag=$1 at=$2 cycles=$3 gap=$4 PORT URL REPLAY LG LB G B t nb switches early secs
	local T_CREATED T_GRAY T_DELETED eff_gray eff_back eff_all PAIRS
	shift 4
	secs=$("$PY" -c "print(int(5 + $cycles * (2 * $gap + 0.4)))")  # sends take ~0.1 s each
	spawn "$E2E_TMP/replay-$tag.log" "$CG_CTL" - "$PY" "$K8S/replay.py" --port 0 --fixtures "$FIX" "$@"
	REPLAY=$SPAWNED
	for _ in $(seq 50); do
		PORT=$(awk '/listening on/ { print $3 }' "$E2E_TMP/replay-$tag.log")
		[[ -n $PORT ]] && break
		sleep 0.1
	done
	[[ -n $PORT ]] || die "replay server did not start: $(cat "$E2E_TMP/replay-$tag.log")"
	URL=http://127.0.0.1:$PORT
	cat >"$E2E_TMP/kubeconfig-$tag" <<-KC
	apiVersion: v1
	kind: Config
	clusters: [{name: replay, cluster: {server: "$URL"}}]
	users: [{name: graylaned, user: {token: replay-token}}]
	contexts: [{name: replay, context: {cluster: replay, user: graylaned}}]
	current-context: replay
	KC

	start_daemon "$tag" "$M" "$PIN" "$RULES" --kubeconfig "$E2E_TMP/kubeconfig-$tag" --node-name node-a \
		--k8s-cgroup-root "$CG_RUN_REL/m"
	wait_generation "$PIN" 1 "${DAEMON_PID[$tag]}" || die "daemon did not apply the API's inventory"
	pass "K1 the first plan comes from the API (generation $(generation "$PIN"))$at"
	assert_eq "K1 gray caller, no gray endpoint yet: falls back to a-base$at" a-base \
		"$(curl_as cli-gray http://10.77.100.1/)"
	assert_eq "K1 base caller: a-base$at" a-base "$(curl_as cli-base http://10.77.100.1/)"
	assert_eq "K5 base caller, service without a selector: its hand-made endpoint$at" ext \
		"$(curl_as cli-base http://10.77.100.5/ 2>&1)"
	assert_eq "K5 gray caller, service without a selector: the same (base) endpoint$at" ext \
		"$(curl_as cli-gray http://10.77.100.5/ 2>&1)"

	spawn "$E2E_TMP/loop-gray-$tag.log" "${WL_CG[cli-gray]}" "${WL_NS[cli-gray]}" \
		"$PY" "$K8S/e2e_helper.py" loop 10.77.100.1 80 "$secs" "$E2E_TMP/loop-gray-$tag.txt"
	LG=$SPAWNED
	spawn "$E2E_TMP/loop-base-$tag.log" "${WL_CG[cli-base]}" "${WL_NS[cli-base]}" \
		"$PY" "$K8S/e2e_helper.py" loop 10.77.100.1 80 "$secs" "$E2E_TMP/loop-base-$tag.txt"
	LB=$SPAWNED
	sleep 1
	T_CREATED=$("$PY" "$K8S/e2e_helper.py" send "$URL" events-created.jsonl)
	sleep 1
	T_GRAY=$("$PY" "$K8S/e2e_helper.py" send "$URL" events-gray.jsonl)
	sleep 1
	PAIRS=("$T_GRAY:a-gray")
	for _ in $(seq "$cycles"); do
		t=$("$PY" "$K8S/e2e_helper.py" send "$URL" events-unready.jsonl)
		PAIRS+=("$t:a-base")
		sleep "$gap"
		t=$("$PY" "$K8S/e2e_helper.py" send "$URL" events-gray.jsonl)
		PAIRS+=("$t:a-gray")
		sleep "$gap"
	done
	T_DELETED=$("$PY" "$K8S/e2e_helper.py" send "$URL" events-deleted.jsonl)
	wait "$LG" "$LB"

	G=$E2E_TMP/loop-gray-$tag.txt
	B=$E2E_TMP/loop-base-$tag.txt
	eff_gray=$("$PY" "$K8S/e2e_helper.py" effect "$G" "$T_GRAY" a-gray)
	eff_back=$("$PY" "$K8S/e2e_helper.py" effect "$G" "$T_DELETED" a-base)
	eff_all=$("$PY" "$K8S/e2e_helper.py" effects "$G" "${PAIRS[@]}" "$T_DELETED:a-base")
	echo "#$at relabel to gray -> first gray connect on a-gray: $eff_gray ms after the event was sent"
	echo "#$at delete -> first gray connect back on a-base: $eff_back ms after the event was sent"
	echo "#$at every event -> first gray connect it steers (ms): $eff_all"
	grep -o 'since_event_ms=[0-9.]*' "${DAEMON_LOG[$tag]}" | tr '\n' ' ' | sed "s/^/#$at daemon, event to applied: /"
	echo
	grep -o 'effect_ms=[0-9.]*' "${DAEMON_LOG[$tag]}" | tail -n +2 | cut -d= -f2 | sort -n |
		awk -v at="$at" '{ v[NR] = $1 } END { if (NR) printf "#%s daemon, build start to switch (effect_ms): n=%d p50=%s p99=%s max=%s\n", at, NR, v[int((NR + 1) / 2)], v[int(NR * 0.99 + 0.99)], v[NR] }'
	[[ $eff_gray != never ]] && pass "K2 after the relabel, gray connects land on a-gray$at" ||
		fail "K2 after the relabel, gray connects land on a-gray$at" "$(tail -3 "$G" | tr '\n' ';')"
	[[ $eff_all != never ]] && pass "K3 readiness lost and regained $cycles times: gray follows every change$at" ||
		fail "K3 readiness lost and regained $cycles times: gray follows every change$at" "$eff_all"
	[[ $eff_back != never ]] && pass "K3 after the delete, gray connects are back on a-base$at" ||
		fail "K3 after the delete, gray connects are back on a-base$at" "$(tail -3 "$G" | tr '\n' ';')"
	nb=$(wc -l <"$B")
	assert_ge "K4 base loop made many connects$at" 300 "$nb"
	assert_eq "K2 base connects never reach a-gray (created, gray, deleted: never base)$at" 0 \
		"$(grep -c ' a-gray$' "$B")"
	assert_eq "K4 every base connect succeeded$at" 0 "$(grep -vc ' ok ' "$B")"
	assert_eq "K4 every gray connect succeeded$at" 0 "$(grep -vc ' ok ' "$G")"
	switches=$(awk '{ if (prev != "" && $3 != prev) n++; prev = $3 } END { print n + 0 }' "$G")
	assert_eq "K4 the gray loop switched endpoints exactly $((2 * cycles + 2)) times (to a-gray, $cycles times back and again, back)$at" \
		$((2 * cycles + 2)) "$switches"
	early=$(awk -v t="$T_GRAY" '$1 < t && $3 == "a-gray"' "$G" | wc -l)
	assert_eq "K2 no gray connect on a-gray before the relabel (Pending pod: no endpoint)$at" 0 "$early"
	stop_daemon "$tag"
	stop_pid "$REPLAY"
}

phase small "" 5 0.4
# the same beside a cluster's worth of objects: 5 000 more pods (100 on
# this node), 200 services, EndpointSlices of 100 endpoints, one pod in ten gray
phase scale " (beside 5000 pods, 200 services)" 50 0.2 --generate-pods 5000 --local 100 --services 200
finish
