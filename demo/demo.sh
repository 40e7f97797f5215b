#!/bin/bash
# demo/demo.sh — the reference scenario (REFERENCE-SCENARIO.md) on this machine:
# an unmodified nginx gateway in front of services A -> B -> C, each with a base
# and a gray deployment, routed by graylane; C writes one row per request into
# MariaDB (database mse-demo). See demo/README.md.
#
#   demo.sh run        up, send the write-up's requests and print what each got,
#                      then down (also on failure and Ctrl-C)
#   demo.sh up         start everything and leave it running to explore
#   demo.sh requests   send the requests to a demo that is up (restores B's gray
#                      deployment afterwards)
#   demo.sh down       remove everything `up` created; idempotent, also after a
#                      half-failed `up`
#
# Fixed names, so a demo can be left up and explored, and never collide with the
# end-to-end tests (gl<hex>-*, gl-e2e-<hex>):
#   network namespaces  gl-demo-sw (switch), gl-demo-<workload>, gl-demo-client
#   cgroups             <cgroup2>/demo/<workload> (managed: --cgroup .../demo)
#                       <cgroup2>/graylane-demo   (the daemon, outside the managed tree)
#   pin root            /sys/fs/bpf/graylane-demo
#   state dir           /run/graylane-demo (rules copy, logs, nginx config, the
#                       database's datadir and socket: mysql-db/)
# Needs root, build/graylaned and build/graylane (make all), nginx, MariaDB and
# PyMySQL (make deps).
set -u

DEMO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../tests/e2e/lib.sh
. "$DEMO_DIR/../tests/e2e/lib.sh"
# shellcheck source=../tests/e2e/mysql.sh
. "$DEMO_DIR/../tests/e2e/mysql.sh"
# shellcheck source=scenario.sh
. "$DEMO_DIR/scenario.sh"

DEMO_STATE=/run/graylane-demo
DEMO_PIN=/sys/fs/bpf/graylane-demo
DEMO_NS=gl-demo
DEMO_CG_NAME=demo            # below the cgroup2 mount; rules/inventory.yaml uses /demo/...
DEMO_CTL_NAME=graylane-demo
DEMO_RULES=$DEMO_STATE/rules
DEMO_REPEAT=${DEMO_REPEAT:-3}  # requests per step
# every connection kept alive (DEMO_KEEPALIVE=0: a connection per request):
# nginx's upstream keepalive 4 at the gateway, pooled connections between the
# services, so requests of both lanes share connections at every hop
DEMO_KEEPALIVE=${DEMO_KEEPALIVE:-1}
# a demo left up must survive the terminal (and Ctrl-C) of the shell that started it
SCN_WRAP=(setsid)
DAEMON_WRAP=(setsid)
MYSQL_WRAP=(setsid)

# lib.sh's die prints a TAP line; the demo speaks plainly
die() {
	echo "demo: error: $*" >&2
	exit 1
}

if [[ -t 1 ]]; then
	B=$'\e[1m' RED=$'\e[31m' GRN=$'\e[32m' DIM=$'\e[2m' N=$'\e[0m'
else
	B='' RED='' GRN='' DIM='' N=''
fi

# demo_names: lib.sh's naming variables, set to the demo's fixed names
demo_names() {
	if ((EUID != 0)); then
		echo "demo: must run as root (network namespaces, cgroups, BPF); try: sudo make demo" >&2
		exit 1
	fi
	e2e_preflight
	CG_RUN_REL=/$DEMO_CG_NAME
	CG_RUN=$CG_MOUNT$CG_RUN_REL
	CG_CTL=$CG_MOUNT/$DEMO_CTL_NAME
	SW_NS=$DEMO_NS-sw
	BR=gldemobr
	NS_PREFIX=$DEMO_NS
	VETH_PREFIX=gldemov
	E2E_TMP=$DEMO_STATE
	PIN_LOG[$DEMO_PIN]=$DEMO_STATE/daemon-demo.log
	# what add_host/add_workload record, so a later `requests` finds the hosts
	local w
	for w in "${SCN_WORKLOADS[@]}" "$SCN_DB"; do
		WL_NS[$w]=$NS_PREFIX-$w
		WL_CG[$w]=$CG_RUN/$w
	done
	WL_NS[$SCN_CLIENT]=$NS_PREFIX-$SCN_CLIENT
}

demo_netns() { ip netns list 2>/dev/null | awk '{ print $1 }' | grep "^$DEMO_NS-"; }

# What exists of a demo, one item per line (empty: nothing)
demo_leftovers() {
	local n
	n=$(demo_netns | grep -c .)
	((n)) && echo "$n network namespaces $DEMO_NS-*"
	[[ -e $CG_RUN ]] && echo "cgroup $CG_RUN"
	[[ -e $CG_CTL ]] && echo "cgroup $CG_CTL"
	[[ -e $DEMO_PIN ]] && echo "pins $DEMO_PIN"
	[[ -e $DEMO_STATE ]] && echo "state $DEMO_STATE"
	return 0
}

# demo_down: removes everything of a demo by its fixed names, whatever state
# `up` left it in. Prints what it removed; fails if something is left.
demo_down() {
	local ns p left cg lines
	if [[ -z $(demo_leftovers) ]]; then
		echo "demo: nothing to remove (no demo is up)"
		return 0
	fi
	# 1. processes: SIGTERM first (nginx, services, the daemon), then cgroup.kill
	for cg in "$CG_RUN" "$CG_CTL"; do
		[[ -d $cg ]] || continue
		while read -r p; do kill -TERM "$p" 2>/dev/null; done < <(find "$cg" -name cgroup.procs -exec cat {} + 2>/dev/null)
	done
	for _ in $(seq 40); do
		local busy=0
		for cg in "$CG_RUN" "$CG_CTL"; do
			grep -q '^populated 1' "$cg/cgroup.events" 2>/dev/null && busy=1
		done
		((busy)) || break
		sleep 0.05
	done
	for cg in "$CG_RUN" "$CG_CTL"; do [[ -d $cg ]] && cgroup_kill_tree "$cg"; done
	# 2. BPF: detach and unpin (the data path outlives the daemon on purpose)
	uninstall_pin "$DEMO_PIN"
	# 3. hosts and the switch
	while read -r ns; do [[ -n $ns ]] && ip netns del "$ns"; done < <(demo_netns)
	# 4. cgroups, deepest first
	for cg in "$CG_RUN" "$CG_CTL"; do
		[[ -d $cg ]] && find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	# 5. state
	rm -rf "$DEMO_STATE"
	left=$(demo_leftovers)
	if [[ -n $left ]]; then
		echo "demo: could not remove:" >&2
		mapfile -t lines <<<"$left"
		printf '  %s\n' "${lines[@]}" >&2
		return 1
	fi
	echo "demo: removed (namespaces $DEMO_NS-*, cgroups $CG_RUN and $CG_CTL, pins $DEMO_PIN, $DEMO_STATE)"
}

# demo_check_inventory: the hosts built here are those of rules/inventory.yaml:
# the copied rules and the scenario's own inventory compile to the same plan
demo_check_inventory() {
	local mine a b
	mine=$(mktemp -d "$DEMO_STATE/.check.XXXXXX")
	cp "$DEMO_RULES"/*.yaml "$mine"/ && rm -f "$mine/inventory.yaml"
	# shellcheck disable=SC2119 # nothing excluded
	scn_inventory >"$mine/inventory.yaml"
	a=$("$GRAYLANE" compile "$DEMO_RULES" 2>&1)
	b=$("$GRAYLANE" compile "$mine" 2>&1)
	rm -rf "$mine"
	[[ $a == "$b" ]] || die "rules/inventory.yaml no longer matches demo/scenario.sh (addresses, cgroups, labels); diff of the compiled plans:
$(diff <(echo "$a") <(echo "$b"))"
}

demo_up() {
	local left lines w out
	demo_names
	left=$(demo_leftovers)
	if [[ -n $left ]]; then
		echo "demo: a demo is already up (or was not torn down):" >&2
		mapfile -t lines <<<"$left"
		printf '  %s\n' "${lines[@]}" >&2
		echo "demo: run 'make demo-down' (or $0 down) first" >&2
		exit 1
	fi
	need_daemon
	[[ -x $NGINX ]] || die "$NGINX not found (make deps installs nginx-light)"
	mysql_need
	"$PY" -c 'import pymysql' 2>/dev/null || die "$PY cannot import pymysql (make deps installs python3-pymysql)"
	# from here on, a failure or Ctrl-C removes what was made
	trap 'demo_abort $?' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM

	mkdir -p "$DEMO_STATE" "$DEMO_RULES" || die "cannot create $DEMO_STATE"
	cp "$REPO_ROOT"/rules/*.yaml "$REPO_ROOT"/rules/README.md "$DEMO_RULES"/ || die "cannot copy rules/"
	out=$("$GRAYLANE" validate "$DEMO_RULES" 2>&1) || die "rules/ does not validate: $out"

	echo "${B}graylane demo: the reference scenario${N}"
	echo "  hosts     ${DIM}network namespaces $DEMO_NS-* on a bridge in $SW_NS; no default route${N}"
	mkdir -p "$CG_RUN" "$CG_CTL" || die "cannot create cgroups $CG_RUN, $CG_CTL"
	topology_init
	scn_hosts ""
	scn_db_host ""
	# the database's Workload and Service: in the demo's copy of the rules only
	scn_db_inventory | write_rules "$DEMO_RULES" database.yaml
	out=$("$GRAYLANE" validate "$DEMO_RULES" 2>&1) || die "rules with database.yaml do not validate: $out"
	demo_check_inventory
	for w in "${SCN_WORKLOADS[@]}"; do
		printf '            %-8s %-12s %-9s cgroup %s%s\n' "$w" "${SCN_ADDR4[$w]}" "${SCN_ADDR6[$w]}" \
			"$(cg_rel "$w")" "${SCN_LANE[$w]:+  (lane ${SCN_LANE[$w]})}"
	done
	printf '            %-8s %-12s %-9s cgroup %s  (MariaDB)\n' "$SCN_DB" "$SCN_DB4" "$SCN_DB6" "$(cg_rel "$SCN_DB")"
	printf '            %-8s %-12s %-9s %s\n' client "$SCN_CLIENT4" "$SCN_CLIENT6" "(outside: no workload)"

	echo "  graylane  ${DIM}graylaned --rules $DEMO_RULES --cgroup $CG_RUN --pin-root $DEMO_PIN${N}"
	start_daemon demo "$CG_RUN" "$DEMO_PIN" "$DEMO_RULES"
	wait_generation "$DEMO_PIN" 1 "${DAEMON_PID[demo]}" || die "graylaned did not apply the rules (log: ${DAEMON_LOG[demo]})"
	out=$("$GRAYLANE" --pin-root "$DEMO_PIN" status 2>&1) || die "graylane status: $out"
	echo "            generation $(generation "$DEMO_PIN"), pid ${DAEMON_PID[demo]}"

	echo "  database  ${DIM}MariaDB in workload $SCN_DB, database mse-demo (mse_demo_table, mse_demo_table_gray), Service mysql $SCN_DB_VIP:$SCN_DB_PORT${N}"
	scn_db_start

	local ka=""
	[[ $DEMO_KEEPALIVE == 1 ]] && ka=1
	echo "  services  ${DIM}demo/service.py in each deployment's cgroup and netns, :8080${ka:+, kept-alive pools to the next hop}${N}"
	SCN_KEEPALIVE=$ka scn_start_services "$DEMO_STATE"
	echo "  gateway   ${DIM}nginx in the gateway workload, :80 -> http://${SCN_VIP[a]}:80 (config $DEMO_STATE/nginx/nginx.conf)${ka:+, upstream keepalive 4}${N}"
	SCN_UPSTREAM_KEEPALIVE=${ka:+4} scn_start_gateway "$DEMO_STATE/nginx"
	trap - EXIT INT TERM
}

demo_abort() {
	local rc=$1
	trap - EXIT INT TERM
	((rc == 0)) && rc=1
	echo "demo: failed or interrupted; removing what was made" >&2
	demo_down >&2
	exit "$rc"
}

demo_explore() {
	local ns=$DEMO_NS-client pin=$DEMO_PIN bin
	bin=$(realpath --relative-to="$PWD" "$GRAYLANE" 2>/dev/null || echo "$GRAYLANE")
	cat <<EOF

${B}The demo is up.${N} Explore (as root):
  # requests from the client host, through the gateway
  ip netns exec $ns curl -H 'location: cn-shenzhen' http://$SCN_GW/a
  ip netns exec $ns curl http://$SCN_GW/a
  $0 requests                      # the write-up's requests, checked
  # graylane's view
  $bin --pin-root $pin status
  $bin --pin-root $pin dump                 # every map, decoded
  $bin --pin-root $pin dump gl_stats        # counters by reason
  bpftool map dump pinned $pin/gl_backends
  # rules: edit the copy, the daemon applies a valid change within 100 ms
  \$EDITOR $DEMO_RULES/inventory.yaml $DEMO_RULES/reference.yaml
  # a process of a workload joins its cgroup first, then its netns, e.g. a-gray calling B:
  sh -c 'echo \$\$ > $CG_RUN/a-gray/cgroup.procs; exec nsenter --net=/var/run/netns/$DEMO_NS-a-gray curl -s http://${SCN_VIP[b]}/'
  # the rows C wrote, read on the database server itself (its unix socket)
  mariadb --no-defaults -S $(mysql_sock "$SCN_DB") -uroot mse-demo -e 'SELECT * FROM mse_demo_table_gray'
  # logs
  $DEMO_STATE/daemon-demo.log, $DEMO_STATE/nginx/access.log, $DEMO_STATE/service-*.log,
  $(mysql_dir "$SCN_DB")/error.log
${B}Remove it:${N} make demo-down   (or $0 down)
EOF
}

# ------------------------------------------------------------------ requests

DEMO_SENT=0
DEMO_AS_EXPECTED=0

# step TITLE WRITEUP EXPECTED LABEL [CURL ARGS...]: DEMO_REPEAT requests, each
# printed with the chain it got and marked against EXPECTED
step() {
	local title=$1 writeup=$2 want=$3 label=$4 got i cmd; shift 4
	cmd=curl
	for i in "$@"; do
		if [[ $i =~ ^[A-Za-z0-9_./:=-]+$ ]]; then cmd="$cmd $i"; else cmd="$cmd '$i'"; fi
	done
	cmd="$cmd http://$SCN_GW/a"
	echo
	echo "${B}== $title${N}"
	echo "   $cmd   (x$DEMO_REPEAT, from the client host)"
	echo "   write-up: $writeup; expected: $want"
	for ((i = 0; i < DEMO_REPEAT; i++)); do
		got=$(scn_get /a "$@")
		DEMO_SENT=$((DEMO_SENT + 1))
		if [[ $got == "$want" ]]; then
			DEMO_AS_EXPECTED=$((DEMO_AS_EXPECTED + 1))
			echo "   ${GRN}$label -> $got${N}"
		else
			echo "   ${RED}$label -> $got   EXPECTED $want${N}"
		fi
	done
}

stats_highlights() {
	"$PY" -c '
import json, sys
try:
    st = json.loads(sys.argv[1])["gl_stats"]
except Exception:
    print("   (graylane dump gl_stats --json gave nothing readable)"); sys.exit(0)
nz = ["%s=%s" % (k, v) for k, v in st.items() if v]
print("   counters that moved: " + (", ".join(nz) or "none"))
if "lane_mismatch" in st:
    print("   lane_mismatch=%s (requests on a kept-alive connection of another lane)" % st["lane_mismatch"])
else:
    print("   lane_mismatch: no such counter in this build (the send path that counts it is not in yet)")
' "$(scn_stats_json "$DEMO_PIN")"
}

demo_requests() {
	local g gray base fb out
	gray=$(scn_chain gray)
	base=$(scn_chain base)
	fb=$(scn_chain gray b-gray)
	step "1. tagged at the gateway: location: cn-shenzhen" "A-gray -> B-gray -> C-gray" "$gray" \
		"location: cn-shenzhen" -H "location: cn-shenzhen"
	step "2. no location header" "A-base -> B-base -> C-base" "$base" "(no location)"
	step "3. another location: cn-beijing" "A-base -> B-base -> C-base" "$base" \
		"location: cn-beijing" -H "location: cn-beijing"
	step "4. a propagation header sent from outside picks no lane" "(graylane: outside cannot pick a lane)" \
		"$base" "x-opensergo-traffic: gray" -H "x-opensergo-traffic: gray"

	echo
	echo "${B}== 5. B's gray deployment removed${N}"
	echo "   removing the b-gray Workload from $DEMO_RULES/inventory.yaml"
	g=$(generation "$DEMO_PIN")
	cp "$DEMO_RULES/inventory.yaml" "$DEMO_STATE/inventory.yaml.orig"
	out=$(scn_without_workload b-gray <"$DEMO_STATE/inventory.yaml.orig" 2>&1) ||
		{ echo "   ${RED}cannot remove b-gray: $out${N}"; return 1; }
	write_rules "$DEMO_RULES" inventory.yaml <<<"$out"
	if wait_generation "$DEMO_PIN" $((g + 1)) "${DAEMON_PID[demo]:-}" >/dev/null; then
		echo "   the daemon applied generation $(generation "$DEMO_PIN")"
	else
		echo "   ${RED}the daemon did not apply a new generation (see $DEMO_STATE/daemon-demo.log)${N}"
	fi
	step "5a. location: cn-shenzhen, no gray B" "A-gray -> B-base -> C-gray (back in the lane after one hop)" "$fb" \
		"location: cn-shenzhen" -H "location: cn-shenzhen"
	step "5b. no location header, no gray B" "A-base -> B-base -> C-base" "$base" "(no location)"
	g=$(generation "$DEMO_PIN")
	write_rules "$DEMO_RULES" inventory.yaml <"$DEMO_STATE/inventory.yaml.orig"
	rm -f "$DEMO_STATE/inventory.yaml.orig"
	if wait_generation "$DEMO_PIN" $((g + 1)) "${DAEMON_PID[demo]:-}" >/dev/null; then
		echo "   b-gray restored: generation $(generation "$DEMO_PIN")"
	else
		echo "   ${RED}restoring b-gray: no new generation${N}"
	fi

	echo
	echo "${B}== Summary${N}"
	if ((DEMO_AS_EXPECTED == DEMO_SENT)); then
		echo "   ${GRN}$DEMO_AS_EXPECTED of $DEMO_SENT answers took the expected chain${N}"
	else
		echo "   ${RED}$DEMO_AS_EXPECTED of $DEMO_SENT answers took the expected chain${N}"
		echo "   Requests labelled at the gateway need graylane's HTTP labelling (read tracepoints,"
		echo "   connect by the thread's label, sk_msg propagation header). Without it every request"
		echo "   follows its caller's workload lane: the gateway is base, so everything goes base."
	fi
	echo "   requests served per deployment (/__count): $(scn_counts | tr '\n' ' ')"
	db_summary
	echo "   graylane dump gl_stats:"
	stats_highlights
}

# db_summary: the rows that landed in each table, read on the server, against
# what is expected: every request C-base served in mse_demo_table, every one
# C-gray served (gray requests) in mse_demo_table_gray
db_summary() {
	local rows
	if ! rows=$(scn_db_rows 2>&1); then
		echo "   ${RED}database: cannot read mse-demo: $(oneline "$rows")${N}"
		return
	fi
	"$PY" -c '
import sys
rows, cb, cg, red, grn, n = sys.argv[1:7]
cb, cg = (int(x) if x.isdigit() else -1 for x in (cb, cg))  # -1: /__count unreadable
have = {"mse_demo_table": {}, "mse_demo_table_gray": {}}
for line in rows.splitlines():
    if line.strip():
        t, loc, c = line.split("\t")
        have[t][loc] = int(c)
def desc(t):
    d = have[t]
    return "%s: %d rows%s" % (t, sum(d.values()),
        " (" + ", ".join("%s %d" % (k, d[k]) for k in sorted(d)) + ")" if d else "")
want = {"mse_demo_table": {"c-base": cb} if cb else {},
        "mse_demo_table_gray": {"c-gray": cg} if cg else {}}
ok = have == want
print("   database mse-demo (C writes one row per request; counted on the server):")
print("   %s%s, %s%s" % (grn if ok else red, desc("mse_demo_table"), desc("mse_demo_table_gray"), n))
if not ok:
    print("   %sexpected: mse_demo_table: %s rows (c-base), mse_demo_table_gray: %s rows (c-gray)%s"
          % (red, cb, cg, n))
    if have["mse_demo_table"].get("c-gray"):
        print("   Rows of gray requests in mse_demo_table: rewriting a lane statement to its shadow")
        print("   table (DESIGN.md Decisions 5, sk_msg on mysql connections) is not in this build.")
' "$rows" "$(server_count c-base 8080)" "$(server_count c-gray 8080)" "$RED" "$GRN" "$N"
}

# ------------------------------------------------------------------ main

case ${1:-} in
up)
	demo_up
	demo_explore
	;;
run)
	demo_up
	trap 'demo_abort $?' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	demo_requests
	rc=0
	trap - EXIT INT TERM
	echo
	demo_down || rc=1
	exit "$rc"
	;;
requests)
	demo_names
	[[ -d $DEMO_STATE && -e $DEMO_PIN ]] || die "no demo is up: run 'make demo-up' first"
	DAEMON_PID[demo]=$(json_field "$(status_json "$DEMO_PIN")" daemon_pid 2>/dev/null || true)
	demo_requests
	;;
down)
	demo_names
	demo_down
	;;
*)
	echo "usage: $0 run|up|requests|down" >&2
	exit 2
	;;
esac
