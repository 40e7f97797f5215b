# shellcheck shell=bash
# bench/lib.sh — the benchmark's test hosts, servers and measurements, on top of
# the end-to-end harness (tests/e2e/lib.sh: hosts, cgroups, spawn, daemons,
# cleanup trap). Sourced by bench/run.sh.
#
# Topology (network namespaces on a bridge, on-link routes only, nothing leaves
# the machine; names carry a random run id: glb<ID>-*, cgroups gl-bench-<ID>/):
#
#   client 10.77.0.100   wrk, cgroup cli (outside the managed subtree: a user)
#   entry  10.77.0.2     nginx gateway, workload m/entry (app: entry), the
#                        TrafficLabelRule's entry; one server per variant:
#                          :8001 (a) to A's endpoints by address, no agent
#                          :8002 (b) to A's service address 10.77.100.1:80, graylane
#                          :8003 (c) to HAProxy 10.77.0.3:80
#   a-base 10.77.0.11    nginx, 1 KiB answers, workload m/a-base (app: a)
#   a-gray 10.77.0.12    nginx, 1 KiB answers, workload m/a-gray (app: a, lane gray)
#   probe  10.77.0.20    python http.client, workload m/probe (app: probe): the
#                        upstream phase's first-request timings
#   proxy  10.77.0.3     HAProxy (bench/conf/haproxy.cfg), cgroup px (not managed)

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../tests/e2e/lib.sh
. "$BENCH_DIR/../tests/e2e/lib.sh"

NGINX=${GL_NGINX:-/usr/sbin/nginx}
HAPROXY=${GL_HAPROXY:-/usr/sbin/haproxy}
WRK=${GL_WRK:-/usr/bin/wrk}
BPFTOOL=${BPFTOOL:-bpftool}

B_CLIENT4=10.77.0.100
B_ENTRY4=10.77.0.2
B_PROXY4=10.77.0.3
B_PROBE4=10.77.0.20
B_VIP=10.77.100.1
declare -A B_PORT=([a]=8001 [b]=8002 [c]=8003)
BENCH_SYSCTL_STATS=     # kernel.bpf_stats_enabled before we changed it

# ---------------------------------------------------------------- run state

bench_new_id() {
	local id
	for _ in $(seq 50); do
		id=$(od -An -N2 -tx1 /dev/urandom | tr -d ' \n')
		[[ -e /var/run/netns/glb$id-sw || -e $CG_MOUNT/gl-bench-$id ]] && continue
		compgen -G "/sys/fs/bpf/gl-bench-$id*" >/dev/null && continue
		compgen -G "/tmp/gl-bench-$id.*" >/dev/null && continue
		echo "$id"
		return 0
	done
	return 1
}

# pin roots of this run (replaces the harness's gl-e2e-<ID> names)
pin_root() {
	local n=${1:-1}
	if ((n == 1)); then echo "/sys/fs/bpf/gl-bench-$E2E_ID"; else echo "/sys/fs/bpf/gl-bench-$E2E_ID-$n"; fi
}

# The harness's cleanup, plus what only the bench changes: the BPF stats sysctl.
bench_cleanup() {
	local rc=${1:-$?}
	if [[ -n $BENCH_SYSCTL_STATS ]]; then
		sysctl -q -w kernel.bpf_stats_enabled="$BENCH_SYSCTL_STATS" >/dev/null 2>&1
		BENCH_SYSCTL_STATS=
	fi
	cleanup "$rc"
}

# bench_init: root, tools, run id, trap, temp dir, cgroup root, switch netns.
bench_init() {
	if ((EUID != 0)); then
		echo "bench: must run as root (network namespaces, cgroups, BPF); try: sudo $0" >&2
		exit 1
	fi
	e2e_preflight
	local t
	for t in "$NGINX" "$HAPROXY" "$WRK" gcc; do
		command -v "$t" >/dev/null || { echo "bench: $t not found (make deps; apt-get install wrk haproxy nginx-light)" >&2; exit 1; }
	done
	command -v "$BPFTOOL" >/dev/null || { echo "bench: bpftool not found" >&2; exit 1; }
	E2E_ID=$(bench_new_id) || { echo "bench: no free run id" >&2; exit 1; }

	trap bench_cleanup EXIT
	trap 'bench_cleanup 130' INT
	trap 'bench_cleanup 143' TERM

	E2E_TMP=$(mktemp -d "/tmp/gl-bench-$E2E_ID.XXXXXX") || die "mktemp failed"
	CG_RUN_REL=/gl-bench-$E2E_ID
	CG_RUN=$CG_MOUNT$CG_RUN_REL
	CG_CTL=$CG_RUN/ctl
	mkdir "$CG_RUN" || die "cannot create cgroup $CG_RUN"
	mkdir "$CG_CTL" || die "cannot create cgroup $CG_CTL"
	# shellcheck disable=SC2034 # the names tests/e2e/lib.sh builds and removes
	SW_NS=glb$E2E_ID-sw BR=glb${E2E_ID}br
	# shellcheck disable=SC2034
	NS_PREFIX=glb$E2E_ID VETH_PREFIX=glb${E2E_ID}v
	topology_init
	log "run id $E2E_ID, cgroup $CG_RUN, tmp $E2E_TMP"
}

log() { echo "# $(date +%T) $*" >&2; }

# A setup step failed: say what, and exit (the trap cleans up).
die() {
	echo "bench: $*" >&2
	exit 1
}

# bench_binaries: copies graylaned and graylane into the run's temp dir and
# uses the copies, so that a rebuild of build/ during the run (make in another
# shell) cannot mix two versions into one result
bench_binaries() {
	need_daemon
	if ! mkdir -p "$E2E_TMP/bin" || ! cp "$GRAYLANED" "$GRAYLANE" "$E2E_TMP/bin/"; then
		die "cannot copy the binaries to $E2E_TMP/bin"
	fi
	GRAYLANED=$E2E_TMP/bin/graylaned
	GRAYLANE=$E2E_TMP/bin/graylane
}

# ---------------------------------------------------------------- servers

# nginx_temp_paths DIR: the *_temp_path lines for the modules this nginx has
nginx_temp_paths() {
	local m
	echo "    client_body_temp_path $1/tmp/client_body;"
	echo "    proxy_temp_path $1/tmp/proxy;"
	for m in fastcgi uwsgi scgi; do
		"$NGINX" -V 2>&1 | grep -q -- "--without-http_${m}_module" ||
			echo "    ${m}_temp_path $1/tmp/$m;"
	done
}

# render_conf TEMPLATE OUT DIR [NAME]: fills @DIR@, @NAME@, @BODY@, @TEMP_PATHS@
render_conf() {
	local tpl=$1 out=$2 dir=$3 name=${4:-}
	mkdir -p "$dir/tmp" || return 1
	nginx_temp_paths "$dir" >"$dir/temp_paths.inc"
	"$PY" - "$tpl" "$out" "$dir" "$name" "$dir/temp_paths.inc" <<'EOF'
import sys
tpl, out, d, name, tp = sys.argv[1:6]
head = (name + " ").encode()
body = (head + b"x" * (1023 - len(head)) + b"\n").decode()   # 1024 bytes
assert len(body) == 1024
s = open(tpl).read()
s = s.replace("@DIR@", d).replace("@NAME@", name).replace("@BODY@", body)
s = s.replace("@TEMP_PATHS@\n", open(tp).read())
open(out, "w").write(s)
EOF
}

# start_nginx NAME TEMPLATE CGDIR NETNS PORT: nginx from a bench template
start_nginx() {
	local name=$1 tpl=$2 cg=$3 ns=$4 port=$5 d=$E2E_TMP/nginx-$1 out
	render_conf "$tpl" "$d/nginx.conf" "$d" "$name" || die "cannot write $d/nginx.conf"
	out=$("$NGINX" -t -q -p "$d/" -c "$d/nginx.conf" -e "$d/error.log" 2>&1) ||
		die "nginx rejects $d/nginx.conf: $(oneline "$out")"
	spawn "$d/nginx.out" "$cg" "$ns" "$NGINX" -p "$d/" -c "$d/nginx.conf" -e "$d/error.log"
	wait_port "$ns" "$port" "$d/error.log"
}

# wait_port NETNS PORT LOG: until something listens on PORT in that netns (5 s)
wait_port() {
	local ns=$1 port=$2 log=$3
	for _ in $(seq 100); do
		nsenter --net="/var/run/netns/$ns" ss -Hltn "sport = :$port" 2>/dev/null | grep -q LISTEN && return 0
		sleep 0.05
	done
	die "nothing listens on port $port in $ns: $(tail -n 5 "$log" 2>/dev/null | tr '\n' ' ')"
}

# bench_topology: hosts, cgroups and every server (the daemon is started per variant)
bench_topology() {
	cg_add m
	cg_add px
	cg_add cli
	add_workload entry m/entry "$B_ENTRY4" fd77::2
	add_workload a-base m/a-base 10.77.0.11 fd77::11
	add_workload a-gray m/a-gray 10.77.0.12 fd77::12
	add_workload probe m/probe "$B_PROBE4" fd77::20
	add_host proxy "$B_PROXY4" fd77::3
	add_host client "$B_CLIENT4" fd77::100
	WL_CG[proxy]=$CG_RUN/px
	WL_CG[client]=$CG_RUN/cli
	# The entry opens an upstream connection per request (the load phase's
	# cells, 10 000-20 000 a second) and closes it first: TIME_WAIT would
	# hold each port for 60 s, and past the ~28 000 of the ephemeral range
	# every later cell measured the port search (a collapse to ~1 500 req/s,
	# with or without the agent, in whichever variant came after the most
	# connections). Nothing is kept in TIME_WAIT on the test hosts.
	local h
	for h in entry client proxy; do
		in_ns "$h" sysctl -q -w net.ipv4.tcp_max_tw_buckets=0 ||
			die "cannot set net.ipv4.tcp_max_tw_buckets in $h's namespace"
	done

	local w
	for w in a-base a-gray; do
		start_nginx "$w" "$BENCH_DIR/conf/nginx-a.conf.in" "${WL_CG[$w]}" "${WL_NS[$w]}" 8080
	done
	start_nginx entry "$BENCH_DIR/conf/nginx-entry.conf.in" "${WL_CG[entry]}" "${WL_NS[entry]}" 8003
	local out
	out=$("$HAPROXY" -c -q -f "$BENCH_DIR/conf/haproxy.cfg" 2>&1) || die "haproxy rejects bench/conf/haproxy.cfg: $(oneline "$out")"
	spawn "$E2E_TMP/haproxy.log" "${WL_CG[proxy]}" "${WL_NS[proxy]}" "$HAPROXY" -db -f "$BENCH_DIR/conf/haproxy.cfg"
	wait_port "${WL_NS[proxy]}" 80 "$E2E_TMP/haproxy.log"
}

# bench_inventory: the Workloads of the entry and of A's endpoints, service A
bench_inventory() {
	yaml_workload entry entry ""
	yaml_workload a-base a ""
	yaml_workload a-gray a gray
	yaml_workload probe probe ""
	yaml_service a a 80 8080 "$B_VIP"
}

# traffic_rule NAME SELECTOR-APP LANE PRIORITY KEY VALUE: one TrafficLabelRule
traffic_rule() {
	cat <<EOF
---
apiVersion: traffic.opensergo.io/v1alpha1
kind: TrafficLabelRule
metadata: {name: $1}
spec:
  selector: {app: $2}
  trafficLabel: $3
  priority: $4
  match:
  - {condition: "==", type: header, key: $5, value: $6}
EOF
}

# ---------------------------------------------------------------- daemon per variant

DPIN=
# agent_up [RULESDIR [FLAGS...]]: graylaned on the managed subtree with the
# bench rules (or RULESDIR), default flags unless given
agent_up() {
	local rules=${1:-$BENCH_RULES}
	(($#)) && shift
	DPIN=$(pin_root 1)
	start_daemon d "$CG_RUN/m" "$DPIN" "$rules" "$@"
	wait_generation "$DPIN" 1 "${DAEMON_PID[d]}" >&2 || die "graylaned did not apply the bench rules"
}

# agent_down [TAG]: stop it and detach everything (no agent loaded)
agent_down() {
	stop_daemon "${1:-d}"
	uninstall_pin "$DPIN"
	[[ -e $DPIN ]] && die "pin root $DPIN still there after uninstall"
	return 0
}

# ---------------------------------------------------------------- load

# wrk_run VARIANT MODE CONNS SECONDS [RATE]: one wrk run from the client host
# (WRK_LANES=base: base requests only)
# (in cgroup cli, so that its CPU time is counted with the bench's); prints its
# BENCH_JSON object (empty on failure, with the output logged)
wrk_run() {
	local v=$1 mode=$2 c=$3 secs=$4 rate=${5:-0} out
	out=$(in_cg_ns "${WL_CG[client]}" "${WL_NS[client]}" timeout $((secs + 15)) "$WRK" -t1 -c"$c" \
		-d"${secs}s" --timeout 2s -s "$BENCH_DIR/wrk/lanes.lua" \
		"http://$B_ENTRY4:${B_PORT[$v]}/a" -- "$mode" "$rate" "${WRK_LANES:-both}" 2>&1)
	echo "$out" >>"$E2E_TMP/wrk.log"
	sed -n 's/^BENCH_JSON //p' <<<"$out" | tail -n 1
}

# check_lanes VARIANT: 4 requests of each lane through the entry; prints
# "ok" when every lane request was served by a-gray and every base one by a-base
check_lanes() {
	local v=$1 got bad=""
	for _ in 1 2 3 4; do
		got=$(in_ns client curl -s -o /dev/null -D - --max-time 3 -H 'location: cn-shenzhen' \
			"http://$B_ENTRY4:${B_PORT[$v]}/a" | tr -d '\r' | sed -n 's/^X-Served-By: //ip')
		[[ $got == a-gray ]] || bad="$bad gray->'$got'"
		got=$(in_ns client curl -s -o /dev/null -D - --max-time 3 -H 'location: cn-beijing' \
			"http://$B_ENTRY4:${B_PORT[$v]}/a" | tr -d '\r' | sed -n 's/^X-Served-By: //ip')
		[[ $got == a-base ]] || bad="$bad base->'$got'"
	done
	if [[ -z $bad ]]; then echo ok; else echo "wrong:$bad"; fi
}

# cpu_jiffies: "busy total" jiffies of the whole machine from /proc/stat
# (busy: user, nice, system, irq, softirq; steal is the hypervisor's, not ours)
cpu_jiffies() {
	awk '/^cpu / { busy = $2 + $3 + $4 + $7 + $8; print busy, busy + $5 + $6 }' /proc/stat
}

# a_in_segs: TCP segments received so far by A's two endpoints (their netns)
a_in_segs() {
	local w n=0 v
	for w in a-base a-gray; do
		v=$(in_ns "$w" awk '/^Tcp:/ && $11 ~ /^[0-9]+$/ { print $11 }' /proc/net/snmp)
		n=$((n + v))
	done
	echo "$n"
}

# bench_cpu_us: CPU time of every process of this run so far (wrk, nginx,
# HAProxy, graylaned: all below the run's cgroup), from cgroup v2 cpu.stat
bench_cpu_us() { awk '/^usage_usec/ { print $2 }' "$CG_RUN/cpu.stat"; }
