#!/usr/bin/env bash
# Each check of tests/deploy/k8s.sh must fail when the thing it checks is
# broken: every case here breaks a copy of deploy/ one way (a sed or a
# python edit of one file) and expects k8s.sh to report that check as
# "not ok". Ends with "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
top=$(pwd)
passed=0 failed=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/graylane-k8s-mutate.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# mutate NAME EXPECTED FILE SED-SCRIPT: EXPECTED is the start of the failing check
mutate() {
	local name=$1 want=$2 file=$3 script=$4 out
	rm -rf "$tmp/deploy" && cp -r deploy "$tmp/deploy"
	if ! sed -i -e "$script" "$tmp/deploy/$file" || cmp -s "deploy/$file" "$tmp/deploy/$file"; then
		failed=$((failed + 1)); echo "not ok - $name: the edit changed nothing"; return
	fi
	out=$(GL_DOCKERFILE="$tmp/deploy/Dockerfile" GL_K8S_BASE="$tmp/deploy/kubernetes" GL_K8S_OVERLAY="$tmp/deploy/overlays/inventory-from-api" \
		tests/deploy/k8s.sh 2>&1)
	if grep -q "^not ok - $want" <<<"$out"; then
		passed=$((passed + 1)); echo "ok - $name: $(grep -m1 "^not ok - $want" <<<"$out" | cut -c1-150)"
	else
		failed=$((failed + 1)); echo "not ok - $name: no 'not ok - $want'"; grep '^not ok' <<<"$out"
	fi
}

B=kubernetes D=kubernetes/daemonset.yaml T=kubernetes/crd-trafficlabelrules.yaml
W=kubernetes/crd-workloadlabelrules.yaml R=kubernetes/rbac.yaml
mutate "a resource that is not there" "kubectl kustomize $tmp/deploy/kubernetes" \
	$B/kustomization.yaml 's/^- daemonset.yaml/- daemonsets.yaml/'
mutate "a misspelt field" "kubernetes.yaml: 8 objects typed" \
	$D 's/mountPropagation:/mountPropogation:/'
mutate "a field of the wrong type" "kubernetes.yaml: 8 objects typed" \
	$D 's/containerPort: 9479/containerPort: "9479"/'
mutate "a required field missing" "kubernetes.yaml: 8 objects typed" \
	$R 's/^  kind: ClusterRole$/  knd: ClusterRole/'
mutate "type inside a junctor" "CRD TrafficLabelRule" \
	$T 's/^                          enum: \[path, method, host\]/                          type: string\n&/'
mutate "a property without a type" "CRD WorkloadLabelRule" \
	$W '/^                items:/,/maxLength: 31/{/type: string/d}'
mutate "a cluster-scoped CRD" "CRD TrafficLabelRule" $T 's/scope: Namespaced/scope: Cluster/'
mutate "value a string only (percentage: 10 refused)" "examples: [0-9]* OpenSergo documents" \
	$T 's/x-kubernetes-int-or-string: true/type: string/'
mutate "lanes of at most 3 bytes" "examples: [0-9]* OpenSergo documents" \
	$T '0,/maxLength: 31/s//maxLength: 3/'
mutate "trafficLabel not required" "examples: [0-9]* documents graylane rejects" \
	$T 's/required: \[selector, trafficLabel, match\]/required: [selector, match]/'
mutate "any number of match items" "crafted: [0-9]* documents graylane rejects" \
	$T '/maxItems: 8/d'
mutate "two lanes in a WorkloadLabelRule" "crafted: [0-9]* documents graylane rejects" \
	$W 's/maxItems: 1$/maxItems: 2/'
mutate "exists needs a value" "crafted: [0-9]* documents graylane accepts" \
	$T 's/enum: \[exists\]/enum: [none]/'
mutate "not privileged" "DaemonSet: privileged" $D 's/privileged: true/privileged: false/'
mutate "a capability the unit does not list" "DaemonSet: privileged" $D 's/SYS_PTRACE, //'
mutate "/sys/fs/bpf not Bidirectional" "DaemonSet: /sys/fs/bpf" \
	$D 's/mountPropagation: Bidirectional/mountPropagation: HostToContainer/'
mutate "no hostPID" "DaemonSet: /sys/fs/bpf" $D 's/hostPID: true/hostPID: false/'
mutate "pins outside bpffs" "DaemonSet: /sys/fs/bpf" $D 's|^        - /sys/fs/bpf/graylane|        - /run/graylane|'
mutate "--rules not the ConfigMap's mount" "DaemonSet: graylaned accepts" \
	$D 's|mountPath: /etc/graylane/rules|mountPath: /etc/graylane/rule|'
mutate "a rule graylane rejects in the ConfigMap" "DaemonSet: graylaned accepts" \
	kubernetes/rules-configmap.yaml 's/trafficLabel: gray/trafficLabel: Gray/'
mutate "a flag graylaned does not have" "DaemonSet: graylaned accepts" \
	$D 's/^        - --log-format$/        - --log-formats/'
mutate "readiness is not graylane status" "DaemonSet: ready" \
	$D 's|command: \[/usr/local/sbin/graylane, --pin-root, /sys/fs/bpf/graylane, status\]|command: [/bin/true]|'
mutate "metrics on loopback, liveness on the pod IP" "DaemonSet: ready" \
	$D 's/0.0.0.0:9479/127.0.0.1:9479/'
mutate "two nodes at a time" "DaemonSet: ready" $D 's/maxUnavailable: 1/maxUnavailable: 2/'
mutate "not on tainted nodes" "DaemonSet: ready" $D 's/- operator: Exists/- key: x\n        operator: Exists/'
mutate "no memory request" "DaemonSet: cpu and memory" $D '/memory: 128Mi/d'
mutate "the twin keeper of another pin root" "DaemonSet: a twin-keeper container" \
	$D 's|args: \[--twin-keeper, --pin-root, /sys/fs/bpf/graylane|args: [--twin-keeper, --pin-root, /sys/fs/bpf/other|'
mutate "no twin keeper container" "DaemonSet: a twin-keeper container" $D 's/- name: twin-keeper/- name: keeper/'
mutate "the twin keeper without its flag" "DaemonSet: a twin-keeper container" $D 's/args: \[--twin-keeper, /args: [/'
mutate "a write verb" "RBAC" $R '0,/verbs: \[get, list, watch\]/s//verbs: [get, list, watch, patch]/'
mutate "secrets" "RBAC" $R 's/resources: \[pods, services\]/resources: [pods, services, secrets]/'
mutate "bound to another account" "RBAC" $R 's/^  name: graylaned$/  name: default/'
mutate "the image installs elsewhere" "DaemonSet: image" \
	Dockerfile 's|/src/build/graylane /usr/local/sbin/|/src/build/graylane /usr/local/bin/|'
mutate "another base image" "DaemonSet: image" Dockerfile 's/^FROM debian:12$/FROM ubuntu:24.04/'
mutate "an overlay patch of a path not there" "kubectl kustomize $tmp/deploy/overlays" \
	overlays/inventory-from-api/daemonset-patch.yaml 's|/containers/0/args/-|/containers/9/args/-|'
mutate "a misspelt field in the overlay" "inventory-from-api.yaml: 8 objects typed" \
	overlays/inventory-from-api/daemonset-patch.yaml 's|/automountServiceAccountToken|/automountServiceAccountTokens|;s/op: replace/op: add/'
# only a graylaned with --kubeconfig has the overlay's flags checked
if "${GL_GRAYLANED:-build/graylaned}" --help 2>&1 | grep -q -- --kubeconfig; then
	mutate "a flag graylaned does not have, in the overlay" "overlay inventory-from-api: graylaned accepts" \
		overlays/inventory-from-api/daemonset-patch.yaml 's/value: --kubeconfig/value: --kube-config/'
else
	echo "# note: graylaned has no --kubeconfig: the overlay's flags are not checked yet"
fi
mutate "no NODE_NAME" "overlay inventory-from-api: --kubeconfig" \
	$D 's/fieldPath: spec.nodeName/fieldPath: metadata.name/'
mutate "the overlay without the token" "overlay inventory-from-api" \
	overlays/inventory-from-api/daemonset-patch.yaml 's/  value: true/  value: false/'
echo "$passed passed, $failed failed"
((failed == 0))
