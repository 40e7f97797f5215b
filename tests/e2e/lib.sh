# shellcheck shell=bash
# tests/e2e/lib.sh — the end-to-end harness, sourced by tests/e2e/test_*.sh.
#
# Each test script calls e2e_init, which picks a run id that no one else uses
# and installs a trap that tears down everything the script created, on success,
# on failure and on Ctrl-C:
#
#   netns     gl<ID>-sw (the switch, holding bridge gl<ID>br) and gl<ID>-<host>
#   cgroups   <cgroup2 mount>/gl-e2e-<ID>/...   (managed subtrees live below it)
#   pins      /sys/fs/bpf/gl-e2e-<ID>[-N]        (one per daemon)
#   files     /tmp/gl-e2e-<ID>.XXXXXX            (rules, logs, client records)
#
# Nothing is added to the root network namespace, and nothing ever leaves the
# machine: hosts are network namespaces on a bridge inside the switch namespace,
# with on-link routes only (10.77.0.0/24, fd77::/64) and no default route.
# Only names carrying this run's id are ever touched, so the suite can run beside
# a demo or another run.
#
# Set GL_E2E_KEEP=1 to keep the temp dir (logs, rules) after the run.
#
# demo/demo.sh builds its long-lived topology with the same functions under
# fixed names instead of a run id: it sets the names (NS_PREFIX, VETH_PREFIX,
# SW_NS, BR, CG_RUN, CG_CTL, E2E_TMP) itself and calls e2e_preflight and
# topology_init, not e2e_init, and tears down by those names, not by this trap.

set -u

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$E2E_DIR/../.." && pwd)
GL_BUILD=${GRAYLANE_BUILD:-$REPO_ROOT/build}
case $GL_BUILD in /*) ;; *) GL_BUILD=$REPO_ROOT/$GL_BUILD ;; esac
GRAYLANED=$GL_BUILD/graylaned
GRAYLANE=$GL_BUILD/graylane
# Debian's interpreter, not whatever a user's PATH puts first.
PY=${GL_E2E_PYTHON:-/usr/bin/python3}
HTTPD=$E2E_DIR/httpd.py
CLIENT=$E2E_DIR/client.py
SCRIPT_NAME=$(basename "$0" .sh)

# ---------------------------------------------------------------- assertions

E2E_PASSED=0
E2E_FAILED=0

pass() { E2E_PASSED=$((E2E_PASSED + 1)); echo "ok - $1"; }
fail() { E2E_FAILED=$((E2E_FAILED + 1)); echo "not ok - $1: $2"; }

# assert_eq NAME EXPECTED ACTUAL
assert_eq() {
	if [[ "$3" == "$2" ]]; then pass "$1"; else fail "$1" "expected '$2', got '$3'"; fi
}

# assert_match NAME ERE ACTUAL
assert_match() {
	if [[ "$3" =~ $2 ]]; then pass "$1"; else fail "$1" "'$3' does not match /$2/"; fi
}

# assert_ge NAME MIN ACTUAL (integers)
assert_ge() {
	if [[ "$3" =~ ^-?[0-9]+$ ]] && (($3 >= $2)); then pass "$1"; else fail "$1" "expected >= $2, got '$3'"; fi
}

# assert_ok NAME CMD...: passes when CMD exits 0; shows its output otherwise
assert_ok() {
	local name=$1 out; shift
	if out=$("$@" 2>&1); then pass "$name"; else fail "$name" "'$*' failed: $(oneline "$out")"; fi
}

oneline() { printf '%s' "$*" | tr '\n' ' ' | cut -c1-400; }

# A setup step failed: nothing after it can be meaningful. Counted as one failure.
die() {
	fail "$SCRIPT_NAME setup" "$*"
	exit 1
}

# Last call of every test script.
finish() {
	echo "# $SCRIPT_NAME: $E2E_PASSED passed, $E2E_FAILED failed"
	((E2E_FAILED == 0)) && exit 0
	exit 1
}

# ---------------------------------------------------------------- run state

E2E_ID=
E2E_TMP=
CG_MOUNT=
CG_RUN=           # absolute: <mount>/gl-e2e-<ID>
CG_RUN_REL=       # below the mount: /gl-e2e-<ID>  (what rules' spec.cgroup uses)
CG_CTL=           # absolute: the daemons' cgroup, outside every managed subtree
SW_NS=            # the switch namespace and its bridge
BR=
NS_PREFIX=        # host namespaces are NS_PREFIX-<host>
VETH_PREFIX=      # switch-side veths are VETH_PREFIX<n>
E2E_PIDS=()       # every background process we started
E2E_NETNS=()      # host namespaces (the switch is deleted last)
E2E_PINS=()       # pin roots handed to daemons
E2E_NHOSTS=0
E2E_CLEANED=0
declare -A WL_NS=() WL_CG=() WL_ADDR4=() WL_ADDR6=()
declare -A DAEMON_PID=() DAEMON_LOG=() PIN_LOG=()
DAEMON_WRAP=()    # a command start_daemon runs the daemon through (demo: setsid)

cgroup2_mount() {
	# mountinfo: fields up to " - ", then fstype; field 5 is the mount point
	awk '{ for (i = 7; i <= NF; i++) if ($i == "-") break;
	       if ($(i + 1) == "cgroup2") { print $5; exit } }' /proc/self/mountinfo
}

is_mounted() { # is_mounted MOUNTPOINT FSTYPE
	awk -v mp="$1" -v fs="$2" '{ for (i = 7; i <= NF; i++) if ($i == "-") break;
	       if ($5 == mp && $(i + 1) == fs) f = 1 } END { exit !f }' /proc/self/mountinfo
}

new_id() {
	local id
	for _ in $(seq 50); do
		id=$(od -An -N2 -tx1 /dev/urandom | tr -d ' \n')
		[[ -e /var/run/netns/gl$id-sw || -e $CG_MOUNT/gl-e2e-$id ]] && continue
		compgen -G "/sys/fs/bpf/gl-e2e-$id*" >/dev/null && continue
		compgen -G "/tmp/gl-e2e-$id.*" >/dev/null && continue
		echo "$id"
		return 0
	done
	return 1
}

# e2e_preflight: root, the tools the harness needs, the cgroup2 mount (CG_MOUNT).
# Exits with one "not ok" line when something is missing.
e2e_preflight() {
	if ((EUID != 0)); then
		echo "not ok - $SCRIPT_NAME setup: must run as root (network namespaces, cgroups, BPF)"
		exit 1
	fi
	local t
	for t in ip nsenter curl awk od; do
		command -v "$t" >/dev/null || { echo "not ok - $SCRIPT_NAME setup: $t not found"; exit 1; }
	done
	[[ -x $PY ]] || { echo "not ok - $SCRIPT_NAME setup: $PY not found"; exit 1; }
	CG_MOUNT=$(cgroup2_mount)
	[[ -n $CG_MOUNT ]] || { echo "not ok - $SCRIPT_NAME setup: no cgroup2 mount in /proc/self/mountinfo"; exit 1; }
}

# e2e_init: root check, unique id, cleanup trap, temp dir, cgroup run root,
# bpffs, and the switch namespace with its bridge.
e2e_init() {
	e2e_preflight
	E2E_ID=$(new_id) || { echo "not ok - $SCRIPT_NAME setup: no free run id"; exit 1; }

	trap cleanup EXIT
	trap 'cleanup 130' INT
	trap 'cleanup 143' TERM

	E2E_TMP=$(mktemp -d "/tmp/gl-e2e-$E2E_ID.XXXXXX") || die "mktemp failed"
	CG_RUN_REL=/gl-e2e-$E2E_ID
	CG_RUN=$CG_MOUNT$CG_RUN_REL
	CG_CTL=$CG_RUN/ctl
	mkdir "$CG_RUN" || die "cannot create cgroup $CG_RUN"
	mkdir "$CG_CTL" || die "cannot create cgroup $CG_CTL"   # daemons live here

	SW_NS=gl$E2E_ID-sw
	BR=gl${E2E_ID}br
	NS_PREFIX=gl$E2E_ID
	VETH_PREFIX=gl${E2E_ID}v
	topology_init
	echo "# $SCRIPT_NAME: run id $E2E_ID, cgroup $CG_RUN, tmp $E2E_TMP"
}

# topology_init: bpffs mounted, the switch namespace SW_NS with bridge BR.
topology_init() {
	if ! is_mounted /sys/fs/bpf bpf; then
		mount -t bpf bpf /sys/fs/bpf || die "cannot mount bpffs at /sys/fs/bpf"
	fi
	ip netns add "$SW_NS" || die "ip netns add $SW_NS failed"
	ip -n "$SW_NS" link set lo up
	# no multicast snooping: NDP must reach every port whatever MLD says
	ip -n "$SW_NS" link add "$BR" type bridge mcast_snooping 0 ||
		die "cannot create bridge $BR"
	# the switch only forwards: no addresses, no IPv6 of its own
	nsenter --net="/var/run/netns/$SW_NS" sh -c \
		'echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6; echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6'
	ip -n "$SW_NS" link set "$BR" up
}

# Tears down everything this run created. Idempotent; runs from the trap.
cleanup() {
	local rc=${1:-$?} p ns pin
	((E2E_CLEANED)) && return
	E2E_CLEANED=1
	trap - EXIT INT TERM

	# 1. processes we started (servers, clients, daemons)
	for p in "${E2E_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for _ in $(seq 20); do
		local alive=0
		for p in "${E2E_PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
		((alive)) || break
		sleep 0.05
	done
	for p in "${E2E_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	for p in "${E2E_PIDS[@]}"; do wait "$p" 2>/dev/null; done

	# 2. anything else left in our cgroups (children of what we started)
	if [[ -n $CG_RUN && -d $CG_RUN ]]; then
		cgroup_kill_tree "$CG_RUN"
	fi

	# 3. BPF: detach and unpin what our daemons pinned
	for pin in "${E2E_PINS[@]}"; do uninstall_pin "$pin"; done

	# 4. network namespaces (veths go with them; the bridge goes with the switch)
	for ns in "${E2E_NETNS[@]}"; do ip netns del "$ns" 2>/dev/null; done
	[[ -n $SW_NS ]] && ip netns del "$SW_NS" 2>/dev/null

	# 5. cgroups, deepest first, now that they are empty
	if [[ -n $CG_RUN && -d $CG_RUN ]]; then
		find "$CG_RUN" -depth -type d -exec rmdir {} + 2>/dev/null
		[[ -d $CG_RUN ]] && echo "# cleanup: could not remove $CG_RUN" >&2
	fi

	# 6. files
	if [[ -n $E2E_TMP && -d $E2E_TMP ]]; then
		if [[ ${GL_E2E_KEEP:-0} == 1 ]]; then
			echo "# kept $E2E_TMP" >&2
		else
			rm -rf "$E2E_TMP"
		fi
	fi
	exit "$rc"
}

# uninstall_pin PINROOT: detaches and unpins what a daemon pinned there, if anything
uninstall_pin() {
	[[ -e $1 ]] || return 0
	if [[ -x $GRAYLANE ]]; then
		"$GRAYLANE" --pin-root "$1" uninstall >/dev/null 2>&1
	fi
	# a half-built or crashed install: unlinking the pins releases links and maps
	[[ -e $1 ]] && rm -rf "$1"
	return 0
}

# Kills every process in a cgroup subtree and waits until it is empty.
cgroup_kill_tree() {
	local root=$1 d p
	for _ in $(seq 50); do
		grep -q '^populated 1' "$root/cgroup.events" 2>/dev/null || return 0
		if [[ -e $root/cgroup.kill ]]; then
			echo 1 >"$root/cgroup.kill" 2>/dev/null
		else
			while read -r d; do
				while read -r p; do kill -KILL "$p" 2>/dev/null; done <"$d/cgroup.procs"
			done < <(find "$root" -type d)
		fi
		sleep 0.05
	done
	echo "# cleanup: processes still in $root" >&2
}

# ---------------------------------------------------------------- topology

# cg_add REL: creates cgroup <run root>/REL (and parents), i.e. $CG_RUN/REL
cg_add() {
	mkdir -p "$CG_RUN/$1" || die "cannot create cgroup $CG_RUN/$1"
}

# add_host NAME ADDR...: a network namespace NS_PREFIX-NAME (gl<ID>-NAME) with
# eth0 on the bridge.
# IPv4 addresses get /24, IPv6 /64 (nodad): on-link routes only, no default route.
add_host() {
	local name=$1 ns veth a; shift
	ns=$NS_PREFIX-$name
	E2E_NHOSTS=$((E2E_NHOSTS + 1))
	veth=$VETH_PREFIX$E2E_NHOSTS
	ip netns add "$ns" || die "ip netns add $ns failed"
	E2E_NETNS+=("$ns")
	ip -n "$SW_NS" link add "$veth" type veth peer name eth0 netns "$ns" ||
		die "cannot create veth $veth for $ns"
	ip -n "$SW_NS" link set "$veth" master "$BR" up || die "cannot attach $veth to $BR"
	ip -n "$ns" link set lo up
	ip -n "$ns" link set eth0 up
	for a in "$@"; do
		if [[ $a == *:* ]]; then
			ip -n "$ns" addr add "$a/64" dev eth0 nodad || die "cannot add $a to $ns"
		else
			ip -n "$ns" addr add "$a/24" dev eth0 || die "cannot add $a to $ns"
		fi
	done
	WL_NS[$name]=$ns
}

# add_workload NAME CGREL ADDR4 ADDR6: a test host plus its cgroup <run root>/CGREL.
# The processes of a workload run in both (see run_as).
add_workload() {
	local name=$1 cgrel=$2 a4=$3 a6=$4
	add_host "$name" "$a4" "$a6"
	cg_add "$cgrel"
	WL_CG[$name]=$CG_RUN/$cgrel
	WL_ADDR4[$name]=$a4
	WL_ADDR6[$name]=$a6
}

# The path rules use for a workload's cgroup (below the cgroup2 mount).
cg_rel() { echo "${WL_CG[$1]#"$CG_MOUNT"}"; }

# ---------------------------------------------------------------- processes

# in_cg_ns CGDIR NETNS CMD...: runs CMD in the foreground, in that cgroup and netns.
# The cgroup is joined first: `ip netns exec` would remount /sys, and a socket
# keeps the cgroup it was created in.
in_cg_ns() {
	sh -c 'echo $$ > "$1/cgroup.procs" && ns=$2 && shift 2 &&
	       exec nsenter --net="/var/run/netns/$ns" "$@"' sh "$@"
}

# run_as WORKLOAD CMD...: CMD as a process of WORKLOAD (its cgroup and netns)
run_as() {
	local w=$1; shift
	in_cg_ns "${WL_CG[$w]}" "${WL_NS[$w]}" "$@"
}

# in_ns HOST CMD...: CMD in HOST's netns but in the script's own cgroup, i.e.
# outside every managed subtree: for probes that must not be routed.
in_ns() {
	local h=$1; shift
	nsenter --net="/var/run/netns/${WL_NS[$h]}" "$@"
}

# spawn LOG CGDIR NETNS CMD...: like in_cg_ns, in the background; NETNS "-" for
# the root netns. Records the pid for cleanup; the pid is CMD's own (exec).
SPAWNED=
spawn() {
	local log=$1 cg=$2 ns=$3; shift 3
	# an external command straight after `&`, so $! is the process that execs CMD
	if [[ $ns == - ]]; then
		sh -c 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"' sh "$cg" "$@" >>"$log" 2>&1 &
	else
		sh -c 'echo $$ > "$1/cgroup.procs" && ns=$2 && shift 2 &&
		       exec nsenter --net="/var/run/netns/$ns" "$@"' sh "$cg" "$ns" "$@" >>"$log" 2>&1 &
	fi
	SPAWNED=$!
	E2E_PIDS+=("$SPAWNED")
}

# stop_pid PID [SIGNAL]: signals one process we started and reaps it
stop_pid() {
	kill "-${2:-TERM}" "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

# start_server WORKLOAD [PORT]: httpd naming itself WORKLOAD, in the workload
start_server() {
	local w=$1 port=${2:-8080}
	spawn "$E2E_TMP/httpd-$w.log" "${WL_CG[$w]}" "${WL_NS[$w]}" "$PY" "$HTTPD" "$w" --port "$port"
}

# wait_listen WORKLOAD [PORT [LOG]]: polls a connect from inside the workload's
# netns (from the script's cgroup, so the probe is never routed); on failure
# shows LOG (default: start_server's log)
wait_listen() {
	local w=$1 port=${2:-8080} log=${3:-$E2E_TMP/httpd-$1.log} out
	out=$(in_ns "$w" "$PY" "$CLIENT" wait 127.0.0.1 "$port" --timeout "${GL_E2E_LISTEN_WAIT:-5}") ||
		die "server $w did not listen on port $port: $out $(cat "$log" 2>/dev/null)"
}

# service_a_up: service A's endpoints a-base (10.77.0.11, fd77::11) and a-gray
# (10.77.0.12, fd77::12) in cgroups m/a-base and m/a-gray, serving on 8080
service_a_up() {
	add_workload a-base m/a-base 10.77.0.11 fd77::11
	add_workload a-gray m/a-gray 10.77.0.12 fd77::12
	local s
	for s in a-base a-gray; do start_server "$s"; done
	for s in a-base a-gray; do wait_listen "$s"; done
}

# node_init: the preamble of a one-daemon test: managed subtree M (<run>/m),
# pin root PIN (pin root 1) and an empty rules directory RULES.
# shellcheck disable=SC2034 # M, PIN and RULES are for the sourcing test
node_init() {
	cg_add m
	M=$CG_RUN/m
	PIN=$(pin_root 1)
	RULES=$(rules_dir rules)
}

# two_clients_a: the common small topology: node_init, clients cli-base (no
# lane) and cli-gray (gray), service a (service_a_up) and their inventory in
# RULES. Sets M, PIN, RULES.
two_clients_a() {
	node_init
	add_workload cli-base m/cli-base 10.77.0.2 fd77::2
	add_workload cli-gray m/cli-gray 10.77.0.3 fd77::3
	service_a_up
	{
		yaml_workload cli-base client ""
		yaml_workload cli-gray client gray
		yaml_service_a
	} | write_rules "$RULES" inventory.yaml
}

# one_client_a [A-GRAY HTTPD FLAGS...]: node_init, the client cli-base (no
# lane), service a's endpoints (a-gray's httpd.py with those flags), their
# inventory in RULES and graylaned d with it applied. Sets M, PIN, RULES.
one_client_a() {
	local s
	node_init
	add_workload cli-base m/cli-base 10.77.0.2 fd77::2
	add_workload a-base m/a-base 10.77.0.11 fd77::11
	add_workload a-gray m/a-gray 10.77.0.12 fd77::12
	start_server a-base
	spawn "$E2E_TMP/httpd-a-gray.log" "${WL_CG[a-gray]}" "${WL_NS[a-gray]}" "$PY" "$HTTPD" \
		a-gray --port 8080 "$@"
	for s in a-base a-gray; do wait_listen "$s"; done
	{
		yaml_workload cli-base client ""
		yaml_service_a
	} | write_rules "$RULES" inventory.yaml
	start_daemon d "$M" "$PIN" "$RULES"
	wait_generation "$PIN" 1 "${DAEMON_PID[d]}" || die "daemon did not apply the rules"
	pass "servers and graylaned (generation $(generation "$PIN")) up"
}

# server_count WORKLOAD [PORT]: requests the endpoint has served so far
server_count() {
	in_ns "$1" "$PY" "$CLIENT" get 127.0.0.1 "${2:-8080}" --path /__count
}

# client_as WORKLOAD ARGS...: tests/e2e/client.py as a process of WORKLOAD
client_as() {
	local w=$1; shift
	run_as "$w" "$PY" "$CLIENT" "$@"
}

# curl_as WORKLOAD URL [curl args]: prints the body; curl's exit status
curl_as() {
	local w=$1; shift
	run_as "$w" curl -sS --max-time 3 "$@"
}

# start_loops SECS SPEC...: one tests/e2e/client.py connect loop per SPEC
# "name workload host port expected-endpoint", a connect every 5 ms for SECS.
start_loops() {
	local secs=$1 l name w host port want; shift
	LOOPS=("$@")
	LOOP_SECS=$secs
	declare -gA LOOP_PID=() LOOP_WANT=()
	for l in "$@"; do
		read -r name w host port want <<<"$l"
		spawn "$E2E_TMP/loop-$name.log" "${WL_CG[$w]}" "${WL_NS[$w]}" \
			"$PY" "$CLIENT" loop "$host" "$port" --seconds "$secs" --interval-ms 5 \
			--out "$E2E_TMP/loop-$name.txt"
		LOOP_PID[$name]=$SPAWNED
		LOOP_WANT[$name]=$want
	done
}

# check_loops PREFIX: waits for start_loops' loops; each made many connects,
# every one succeeded on its endpoint. Sets LOOP_GRAY and LOOP_BASE (connects
# expected on a-gray / elsewhere).
check_loops() {
	local l name f want n bad rc
	LOOP_GRAY=0
	LOOP_BASE=0
	for l in "${LOOPS[@]}"; do
		read -r name _ <<<"$l"
		wait "${LOOP_PID[$name]}"
		rc=$?
		f=$E2E_TMP/loop-$name.txt
		want=${LOOP_WANT[$name]}
		n=$(wc -l <"$f")
		bad=$(grep -vcE "^[0-9]+ [0-9]+ ok $want\$" "$f")
		assert_ge "$1loop $name: made many connects over ${LOOP_SECS}s" 300 "$n"
		if ((bad == 0 && rc == 0)); then
			pass "$1loop $name: all $n connects succeeded and landed on $want"
		else
			fail "$1loop $name: all connects succeeded and landed on $want" \
				"$bad of $n bad (rc $rc), first: $(grep -vE "^[0-9]+ [0-9]+ ok $want\$" "$f" |
				head -3 | tr '\n' ';') $(oneline "$(cat "$E2E_TMP/loop-$name.log")")"
		fi
		if [[ $want == a-gray ]]; then LOOP_GRAY=$((LOOP_GRAY + n)); else LOOP_BASE=$((LOOP_BASE + n)); fi
	done
}

# ---------------------------------------------------------------- daemon

need_daemon() {
	[[ -x $GRAYLANED ]] || die "$GRAYLANED not built (make, or set GRAYLANE_BUILD)"
	[[ -x $GRAYLANE ]] || die "$GRAYLANE not built (make, or set GRAYLANE_BUILD)"
}

# pin_root [N]: this run's pin root number N (default 1)
pin_root() {
	local n=${1:-1}
	if ((n == 1)); then echo "/sys/fs/bpf/gl-e2e-$E2E_ID"; else echo "/sys/fs/bpf/gl-e2e-$E2E_ID-$n"; fi
}

# start_daemon TAG CGDIR PINROOT RULESDIR [extra flags]: graylaned in the
# background, in cgroup CG_CTL (<run root>/ctl, outside every managed subtree), stderr
# appended to $E2E_TMP/daemon-TAG.log. Sets DAEMON_PID[TAG].
start_daemon() {
	local tag=$1 cg=$2 pin=$3 rules=$4; shift 4
	local log=$E2E_TMP/daemon-$tag.log
	local p seen=0
	for p in "${E2E_PINS[@]}"; do [[ $p == "$pin" ]] && seen=1; done
	((seen)) || E2E_PINS+=("$pin")
	echo "=== $(date +%T.%N) start: graylaned --rules $rules --cgroup $cg --pin-root $pin $*" >>"$log"
	spawn "$log" "$CG_CTL" - "${DAEMON_WRAP[@]}" "$GRAYLANED" --rules "$rules" --cgroup "$cg" --pin-root "$pin" "$@"
	DAEMON_PID[$tag]=$SPAWNED
	DAEMON_LOG[$tag]=$log
	PIN_LOG[$pin]=$log
}

# stop_daemon TAG [SIGNAL]
stop_daemon() {
	echo "=== $(date +%T.%N) signal ${2:-TERM} to ${DAEMON_PID[$1]}" >>"${DAEMON_LOG[$1]}"
	stop_pid "${DAEMON_PID[$1]}" "${2:-TERM}"
}

# status_json PINROOT: `graylane status --json`, or nothing
status_json() { "$GRAYLANE" --pin-root "$1" status --json 2>/dev/null; }

# json_field JSON KEY[.KEY...]: prints one value (true/false for booleans)
json_field() {
	"$PY" -c '
import json, sys
try:
    v = json.loads(sys.argv[1])
    for k in sys.argv[2].split("."):
        v = v[int(k)] if isinstance(v, list) else v[k]
except Exception:
    sys.exit(1)
print(str(v).lower() if isinstance(v, bool) else v)' "$1" "$2"
}

# generation PINROOT: the generation in force (empty when unknown)
generation() {
	local j
	j=$(status_json "$1")
	json_field "$j" generation 2>/dev/null
}

# status_triple PINROOT: "<generation> <ok> <daemon_pid>" from status --json
status_triple() {
	"$PY" -c '
import json, sys
try:
    j = json.loads(sys.argv[1])
    print(j.get("generation", "-"), str(j.get("ok", "-")).lower(), j.get("daemon_pid", "-"))
except Exception:
    print("- - -")' "$(status_json "$1")"
}

# wait_generation PINROOT N [PID]: until status says ok with generation >= N (and
# daemon_pid == PID when given). 10 s (or until that daemon dies), then prints
# why and the daemon log, and fails.
wait_generation() {
	local pin=$1 want=$2 pid=${3:-} g ok dp why="timed out"
	local deadline=$((SECONDS + 10))
	while :; do
		read -r g ok dp <<<"$(status_triple "$pin")"
		if [[ $ok == true && $g =~ ^[0-9]+$ ]] && ((g >= want)) &&
			[[ -z $pid || $dp == "$pid" ]]; then
			return 0
		fi
		if [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null; then
			why="daemon $pid exited"
			break
		fi
		((SECONDS >= deadline)) && break
		sleep 0.1
	done
	echo "# wait_generation $pin >= $want${pid:+ pid $pid}: $why; last status: $(oneline "$(status_json "$pin")")"
	echo "# status: $(oneline "$("$GRAYLANE" --pin-root "$pin" status 2>&1)")"
	if [[ -n ${PIN_LOG[$pin]:-} ]]; then
		echo "# daemon log (${PIN_LOG[$pin]}):"
		tail -n 30 "${PIN_LOG[$pin]}" | sed 's/^/#   /'
	fi
	return 1
}

# log_count TAG ERE: how many lines of the daemon's log match
log_count() {
	local n
	n=$(grep -cE "$2" "${DAEMON_LOG[$1]}" 2>/dev/null)
	echo "${n:-0}"
}

# wait_log TAG ERE MIN: until the daemon log has at least MIN matching lines (5 s)
wait_log() {
	for _ in $(seq 50); do
		(($(log_count "$1" "$2") >= $3)) && return 0
		sleep 0.1
	done
	return 1
}

# gl_stat PINROOT NAME: one gl_stats counter (summed over CPUs by the CLI)
gl_stat() {
	local j
	j=$("$GRAYLANE" --pin-root "$1" dump gl_stats --json 2>/dev/null)
	json_field "$j" "gl_stats.$2" || echo "?"
}

# snap PIN NAME: the counters now, kept as NAME
snap() { "$GRAYLANE" --pin-root "$1" dump gl_stats --json >"$E2E_TMP/stats.$2" 2>/dev/null; }

# deltas FROM TO NAME...: "name=<rise>" for each counter, space separated
deltas() {
	local a=$1 b=$2; shift 2
	"$PY" -c '
import json, sys
try:
    a = json.load(open(sys.argv[1]))["gl_stats"]
    b = json.load(open(sys.argv[2]))["gl_stats"]
    print(" ".join("%s=%s" % (k, b[k] - a[k]) for k in sys.argv[3:]))
except Exception as e:
    print("counters unreadable: %s" % e)' "$E2E_TMP/stats.$a" "$E2E_TMP/stats.$b" "$@"
}

# lane_stat PINROOT LANE FIELD: connects|fallbacks|refused of one lane
lane_stat() {
	local j
	j=$("$GRAYLANE" --pin-root "$1" dump gl_lane_stats --json 2>/dev/null)
	"$PY" -c '
import json, sys
try:
    for e in json.loads(sys.argv[1])["gl_lane_stats"]:
        if e["lane"] == sys.argv[2]:
            print(e[sys.argv[3]]); break
    else:
        print(0)
except Exception:
    print("?")' "$j" "$2" "$3"
}

# ---------------------------------------------------------------- rules

# rules_dir NAME: a fresh, empty rules directory in the temp dir
rules_dir() {
	mkdir -p "$E2E_TMP/$1"
	echo "$E2E_TMP/$1"
}

# write_rules DIR FILE < yaml: replaces DIR/FILE atomically (rename), so the
# daemon never reads half a file
write_rules() {
	local tmp
	tmp=$(mktemp "$E2E_TMP/.rules.XXXXXX")
	cat >"$tmp"
	mv -f "$tmp" "$1/$2"
}

# yaml_workload NAME APP LANE: a Workload document for a workload made with
# add_workload (its cgroup and addresses); LANE "" for no lane label
yaml_workload() {
	local name=$1 app=$2 lane=$3 labels
	labels="app: $app"
	[[ -n $lane ]] && labels="$labels, traffic.opensergo.io/label: $lane"
	cat <<EOF
---
apiVersion: graylane.io/v1alpha1
kind: Workload
metadata:
  name: $name
  labels: {$labels}
spec:
  cgroup: $(cg_rel "$name")
  addresses: [${WL_ADDR4[$name]}, "${WL_ADDR6[$name]}"]
EOF
}

# yaml_service NAME APP PORT TARGETPORT [VIP...]: a Service selecting app=APP
yaml_service() {
	local name=$1 app=$2 port=$3 tport=$4 v addrs=""
	shift 4
	for v in "$@"; do addrs="$addrs${addrs:+, }\"$v\""; done
	cat <<EOF
---
apiVersion: graylane.io/v1alpha1
kind: Service
metadata: {name: $name}
spec:
EOF
	[[ -n $addrs ]] && echo "  addresses: [$addrs]"
	cat <<EOF
  ports: [{port: $port, targetPort: $tport}]
  selector: {app: $app}
EOF
}

# yaml_service_a: the inventory of service_a_up's endpoints and Service a
# (VIPs 10.77.100.1 and fd77:100::1, port 80 to 8080)
yaml_service_a() {
	yaml_workload a-base a ""
	yaml_workload a-gray a gray
	yaml_service a a 80 8080 10.77.100.1 fd77:100::1
}

# ---------------------------------------------------------------- results

# tally LINES...: "name=count" pairs, sorted, of a list of served-by names
tally() { sort | uniq -c | awk '{ printf "%s%s=%s", (NR > 1 ? " " : ""), $2, $1 }'; }
