#!/usr/bin/env bash
# deploy/kubernetes without a cluster. Ends with "N passed, M failed".
#  1. kubectl renders the base and the inventory-from-api overlay (kubectl
#     kustomize: Debian 12's kubectl 1.20, kustomize v2.0.3, or newer).
#     kubectl's --dry-run=client cannot check them here: 1.20 asks the API
#     server's discovery for every kind ("unable to recognize ... connection
#     refused" without one; --local exists only for label, annotate, set and
#     parses without checking), so each rendered object is typed against the Kubernetes
#     API's models (python3-kubernetes, generated from its OpenAPI): no
#     unknown field, every field of its type, required fields present.
#  2. The CRDs: names, group, version, scope, structural schemas; and their
#     schemas (python3-jsonschema) against graylane's own verdict
#     (`graylane validate` on each document alone) for every OpenSergo
#     document in rules/, tests/ and demo/ and for crafted ones: every
#     accepted one valid, every rejected one invalid unless graylane's only
#     reasons are ones a CRD schema cannot state (listed under "#").
#  3. The DaemonSet and RBAC (tests/deploy/k8s_check.py, "daemonset"), and
#     that deploy/Dockerfile installs the programs the DaemonSet runs.
set -uo pipefail
cd "$(dirname "$0")/../.."
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
bad() { failed=$((failed + 1)); echo "not ok - $1: $2"; }
PY=${GL_PYTHON:-/usr/bin/python3}
KUBECTL=${KUBECTL:-kubectl}
BASE=${GL_K8S_BASE:-deploy/kubernetes}
OVERLAY=${GL_K8S_OVERLAY:-deploy/overlays/inventory-from-api}
# the build whose flags and verdicts are checked
GRAYLANED=${GL_GRAYLANED:-build/graylaned}
GRAYLANE=${GL_GRAYLANE:-build/graylane}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/graylane-k8s.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# the python part: its ok/not ok lines, counted here
py() {
	local out
	out=$("$PY" tests/deploy/k8s_check.py "$@" 2>&1)
	echo "$out"
	passed=$((passed + $(grep -c '^ok - ' <<<"$out")))
	failed=$((failed + $(grep -c '^not ok - ' <<<"$out")))
	# a crash would leave its later checks unsaid
	if grep -q '^Traceback' <<<"$out" || ! grep -q '^\(not \)\?ok - ' <<<"$out"; then
		bad "k8s_check.py $1" "it failed: $(tail -1 <<<"$out")"
	fi
}

if ! command -v "$KUBECTL" >/dev/null; then
	bad "kubectl" "not found (Debian package kubernetes-client; make deps installs it)"
	echo "$passed passed, $failed failed"
	exit 1
fi
if ! "$PY" -c 'import yaml, jsonschema, kubernetes' 2>/dev/null; then
	bad "python" "$PY cannot import yaml, jsonschema, kubernetes (make deps installs python3-yaml, python3-jsonschema, python3-kubernetes)"
	echo "$passed passed, $failed failed"
	exit 1
fi
kver=$("$KUBECTL" version --client --short 2>/dev/null || "$KUBECTL" version --client 2>/dev/null | head -1)
for dir in "$BASE" "$OVERLAY"; do
	out="$tmp/$(basename "$dir").yaml"
	# current kustomize warns that the overlay's bases/patchesJson6902 are deprecated
	if ! "$KUBECTL" kustomize "$dir" >"$out" 2>"$tmp/err"; then
		bad "kubectl kustomize $dir" "$(grep -v '^# Warning' "$tmp/err" | head -3)"
		continue
	fi
	ok "kubectl kustomize $dir ($kver): $(grep -c '^kind: ' "$out") objects"
done

[ -s "$tmp/kubernetes.yaml" ] && {
	py objects "$tmp/kubernetes.yaml"
	py crds "$tmp/kubernetes.yaml"
	py examples "$tmp/kubernetes.yaml" "$GRAYLANE" .
	py daemonset "$tmp/kubernetes.yaml" deploy/graylaned.service "${GL_DOCKERFILE:-deploy/Dockerfile}" "$GRAYLANED" "$GRAYLANE"
}
ov="$tmp/$(basename "$OVERLAY").yaml"
[ -s "$ov" ] && {
	py objects "$ov"
	py overlay "$ov" "$GRAYLANED"
}
echo "$passed passed, $failed failed"
((failed == 0))
