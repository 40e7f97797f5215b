#!/usr/bin/env bash
# Installs the Debian packages graylane builds, tests and demos with, when
# missing. Checks first, so a second run does nothing.
set -euo pipefail

PKGS=(
	clang llvm make gcc pkg-config          # build (BPF with clang, user with gcc)
	libbpf-dev libelf-dev zlib1g-dev libyaml-dev bpftool   # libraries, skeletons
	libcurl4-openssl-dev libjson-c-dev      # the Kubernetes API: HTTP(S), JSON
	libclang-rt-14-dev                      # libFuzzer + ASan runtime for clang 14
	iproute2 curl python3 util-linux        # test hosts (ip netns, nsenter), clients
	openssl                                 # tests/k8s: a CA for the HTTPS replays
	nginx-light                             # the demo's gateway
	mariadb-server mariadb-client           # database lanes: a real server per test
	python3-pymysql libmariadb-dev          # text protocol client; Connector/C (binary protocol)
	wrk haproxy linux-perf time             # make bench: load, the proxy it is compared with, profiles, peak RSS
	systemd                                 # systemd-analyze verify of deploy/graylaned.service
	python3-prometheus-client               # its text parser checks graylaned --metrics
	python3-yaml python3-jsonschema python3-kubernetes  # tests/deploy/k8s.sh: objects typed, CRD schemas
)
# kubectl renders deploy/kubernetes (tests/deploy/k8s.sh): Debian's, unless a
# kubectl is installed already (its package would own /usr/bin/kubectl too)
command -v kubectl >/dev/null || PKGS+=(kubernetes-client)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]}; run 'make deps' as root" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
