# shellcheck shell=bash
# demo/scenario.sh — the reference scenario (REFERENCE-SCENARIO.md) on test
# hosts: an nginx gateway in front of services A -> B -> C, each with a base
# and a gray deployment, and a client host outside every workload.
#
# Sourced after tests/e2e/lib.sh, whose hosts, cgroups and processes it uses,
# by demo/demo.sh (fixed names, long-lived) and tests/e2e/test_scenario.sh
# (a run's unique names), so the demo and its test build the same thing.
#
# Addresses are those of rules/inventory.yaml (demo.sh checks that they still
# agree): workloads 10.77.0.x and fd77::x, services at 10.77.100.x:80 ->
# targetPort 8080. The client host is 10.77.0.100 / fd77::100 and belongs to
# no workload: its requests come from outside, like a user's.

SCN_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SERVICE_PY=$SCN_DIR/service.py
NGINX=${GL_NGINX:-/usr/sbin/nginx}

# gateway first, then the deployments in rules/inventory.yaml's order
SCN_WORKLOADS=(gateway a-base a-gray b-base b-gray c-base c-gray)
SCN_DEPLOYMENTS=(a-base a-gray b-base b-gray c-base c-gray)
declare -A SCN_APP=([gateway]=spring-cloud-zuul [a-base]=a [a-gray]=a
	[b-base]=b [b-gray]=b [c-base]=c [c-gray]=c)
declare -A SCN_LANE=([gateway]="" [a-base]="" [a-gray]=gray
	[b-base]="" [b-gray]=gray [c-base]="" [c-gray]=gray)
declare -A SCN_ADDR4=([gateway]=10.77.0.2 [a-base]=10.77.0.11 [a-gray]=10.77.0.12
	[b-base]=10.77.0.21 [b-gray]=10.77.0.22 [c-base]=10.77.0.31 [c-gray]=10.77.0.32)
declare -A SCN_ADDR6=([gateway]=fd77::2 [a-base]=fd77::11 [a-gray]=fd77::12
	[b-base]=fd77::21 [b-gray]=fd77::22 [c-base]=fd77::31 [c-gray]=fd77::32)
SCN_SERVICES=(a b c)
declare -A SCN_VIP=([a]=10.77.100.1 [b]=10.77.100.2 [c]=10.77.100.3)
# each service calls the next by its service address; C is the last
declare -A SCN_NEXT=([a]=http://10.77.100.2/ [b]=http://10.77.100.3/ [c]="")
# how long each waits for the next hop: longer nearer the client (and below
# nginx's proxy_read_timeout), so a broken chain names the hop that broke
declare -A SCN_TIMEOUT=([a]=4 [b]=2 [c]=1)
SCN_CLIENT=client
SCN_CLIENT4=10.77.0.100
SCN_CLIENT6=fd77::100
# shellcheck disable=SC2034 # used by the scripts that source this file
SCN_GW=${SCN_ADDR4[gateway]} SCN_GW6=${SCN_ADDR6[gateway]} CHAINS_PY=$SCN_DIR/chains.py

# The database (REFERENCE-SCENARIO.md: C writes one row per request into
# `mse-demo`): a MariaDB instance as workload "db" (app: mysql) behind Service
# mysql at 10.77.100.9:3306 (protocol mysql). Used by demo/demo.sh (which also
# sources tests/e2e/mysql.sh); scn_start_services gives the C deployments
# --db SCN_DB_ADDR when it is set, so runs that leave it empty have no database.
SCN_DB=db
SCN_DB4=10.77.0.41
SCN_DB6=fd77::41
SCN_DB_VIP=10.77.100.9
SCN_DB_PORT=3306
SCN_DB_ADDR=

# Extra wrapper for every process the scenario starts: demo.sh sets (setsid)
# so that a demo left up survives the terminal it was started from.
SCN_WRAP=()

# scn_hosts CGPREFIX: the gateway's and every deployment's host and cgroup
# (<run root>/CGPREFIX<name>), and the client host (no cgroup: it is outside)
scn_hosts() {
	local w
	for w in "${SCN_WORKLOADS[@]}"; do
		add_workload "$w" "$1$w" "${SCN_ADDR4[$w]}" "${SCN_ADDR6[$w]}"
	done
	add_host "$SCN_CLIENT" "$SCN_CLIENT4" "$SCN_CLIENT6"
}

# scn_inventory [EXCLUDED WORKLOAD...]: the Workload and Service documents of
# rules/inventory.yaml for the hosts scn_hosts made (their cgroups)
scn_inventory() {
	local w s x skip
	for w in "${SCN_WORKLOADS[@]}"; do
		skip=0
		for x in "$@"; do [[ $x == "$w" ]] && skip=1; done
		((skip)) || yaml_workload "$w" "${SCN_APP[$w]}" "${SCN_LANE[$w]}"
	done
	for s in "${SCN_SERVICES[@]}"; do
		yaml_service "$s" "$s" 80 8080 "${SCN_VIP[$s]}"
		echo "  protocol: http"
	done
}

# scn_db_host CGPREFIX: the database's host and cgroup (<run root>/CGPREFIXdb)
scn_db_host() {
	add_workload "$SCN_DB" "$1$SCN_DB" "$SCN_DB4" "$SCN_DB6"
}

# scn_db_inventory: the database's Workload and its mysql Service
scn_db_inventory() {
	yaml_workload "$SCN_DB" mysql ""
	yaml_service mysql mysql "$SCN_DB_PORT" "$SCN_DB_PORT" "$SCN_DB_VIP"
	echo "  protocol: mysql"
}

# scn_db_start: MariaDB in the database workload (tests/e2e/mysql.sh), with
# database mse-demo and its tables; C then writes to SCN_DB_VIP:SCN_DB_PORT
scn_db_start() {
	mysql_start "$SCN_DB" "$SCN_DB" "$SCN_DB_PORT"
	SCN_DB_ADDR=$SCN_DB_VIP:$SCN_DB_PORT
}

# scn_db_rows: "TABLE<tab>LOCATION<tab>ROWS" for both tables, read over the
# server's unix socket (never through graylane)
scn_db_rows() {
	mysql_sql "$SCN_DB" "SELECT 'mse_demo_table', location, COUNT(*) FROM mse_demo_table GROUP BY location
		UNION ALL SELECT 'mse_demo_table_gray', location, COUNT(*) FROM mse_demo_table_gray GROUP BY location"
}

# scn_without_workload NAME < YAML: the same documents without the Workload
# named NAME (fails when there is none)
scn_without_workload() {
	"$PY" -c '
import re, sys
name = re.escape(sys.argv[1])
docs = re.split(r"(?m)^---[ \t]*\n", sys.stdin.read())
def is_it(d):
    return (re.search(r"(?m)^kind:[ \t]*Workload[ \t]*$", d) and
            re.search(r"(?m)^[ \t]+name:[ \t]*[\x27\x22]?%s[\x27\x22]?[ \t]*$" % name, d))
kept = [d for d in docs if not is_it(d)]
if len(kept) == len(docs):
    sys.exit("no Workload document named %s" % sys.argv[1])
sys.stdout.write("---\n".join(kept))' "$1"
}

# scn_start_services LOGDIR: every deployment's service.py in its workload,
# then waits until each listens on 8080. With SCN_DB_ADDR (scn_db_start), C's
# deployments write one row per request there. SCN_KEEPALIVE=1: each keeps
# its connections to the next hop alive, pooled (service.py --keepalive).
scn_start_services() {
	local dir=$1 w
	for w in "${SCN_DEPLOYMENTS[@]}"; do
		local s=${SCN_APP[$w]} db=()
		[[ $s == c && -n $SCN_DB_ADDR ]] && db=(--db "$SCN_DB_ADDR")
		spawn "$dir/service-$w.log" "${WL_CG[$w]}" "${WL_NS[$w]}" "${SCN_WRAP[@]}" \
			"$PY" "$SERVICE_PY" "$w" --port 8080 --timeout "${SCN_TIMEOUT[$s]}" \
			${SCN_NEXT[$s]:+--next "${SCN_NEXT[$s]}"} "${db[@]}" ${SCN_KEEPALIVE:+--keepalive}
	done
	for w in "${SCN_DEPLOYMENTS[@]}"; do wait_listen "$w" 8080 "$dir/service-$w.log"; done
}

# nginx_has_module NAME: whether this nginx was built with http_NAME_module
nginx_has_module() { ! "$NGINX" -V 2>&1 | grep -q -- "--without-http_$1_module"; }

# scn_nginx_conf DIR: an unmodified nginx's own config, everything in DIR:
# one worker, running as root (DIR may be root-only), proxying every request to
# service A's address with nginx's default upstream behaviour (HTTP/1.0,
# a new upstream connection per request, client headers passed on), or with
# SCN_UPSTREAM_KEEPALIVE=N up to N idle upstream connections kept (HTTP/1.1)
scn_nginx_conf() {
	local d=$1 m
	mkdir -p "$d/tmp" || return 1
	cat <<EOF
# generated by demo/scenario.sh: the reference scenario's gateway
daemon off;
master_process on;
worker_processes 1;
user root;
pid $d/nginx.pid;
lock_file $d/nginx.lock;
error_log $d/error.log notice;

events {
    worker_connections 1024;
}

http {
    log_format gateway '\$remote_addr "\$request" location="\$http_location" '
                       '-> \$upstream_addr \$status "\$upstream_http_x_served_by"';
    access_log $d/access.log gateway;
    client_body_temp_path $d/tmp/client_body;
    proxy_temp_path $d/tmp/proxy;
EOF
	for m in fastcgi uwsgi scgi; do
		nginx_has_module "$m" && echo "    ${m}_temp_path $d/tmp/$m;"
	done
	local upstream=http://${SCN_VIP[a]}:80 keep=""
	if [[ -n ${SCN_UPSTREAM_KEEPALIVE:-} ]]; then
		upstream=http://svc_a
		keep='proxy_http_version 1.1;
            proxy_set_header Connection "";'
		cat <<EOF
    upstream svc_a {
        server ${SCN_VIP[a]}:80;
        keepalive ${SCN_UPSTREAM_KEEPALIVE};
    }
EOF
	fi
	cat <<EOF
    server {
        listen 80;
        listen [::]:80;
        location / {
            proxy_pass $upstream;
            $keep
            proxy_connect_timeout 3s;
            proxy_read_timeout 8s;
        }
    }
}
EOF
}

# scn_start_gateway DIR: nginx (master and worker) in the gateway workload,
# config and logs in DIR; waits until it listens on port 80
scn_start_gateway() {
	local d=$1 out
	[[ -x $NGINX ]] || die "$NGINX not found (make deps installs nginx-light)"
	mkdir -p "$d" || die "cannot create $d"
	scn_nginx_conf "$d" >"$d/nginx.conf" || die "cannot write $d/nginx.conf"
	out=$("$NGINX" -t -q -p "$d/" -c "$d/nginx.conf" -e "$d/error.log" 2>&1) ||
		die "nginx rejects $d/nginx.conf: $(oneline "$out")"
	spawn "$d/nginx.out" "${WL_CG[gateway]}" "${WL_NS[gateway]}" "${SCN_WRAP[@]}" \
		"$NGINX" -p "$d/" -c "$d/nginx.conf" -e "$d/error.log"
	wait_listen gateway 80 "$d/error.log"
}

# scn_chain LANE [DEPLOYMENT REMOVED...]: the chain a request of LANE ("" or
# base, gray) must get: each hop in LANE where the service has a deployment
# of that lane, else base (fallback for that hop only)
scn_chain() {
	local lane=${1:-base} s d chain="" x; shift
	for s in "${SCN_SERVICES[@]}"; do
		d=$s-base
		if [[ $lane != base ]]; then
			d=$s-$lane
			for x in "$@"; do [[ $x == "$d" ]] && d=$s-base; done
		fi
		chain="$chain${chain:+ -> }$d"
	done
	echo "$chain"
}

# scn_get PATH [CURL ARGS...]: one request from the client host to the gateway
# (from the script's cgroup: the client is no workload). Prints the answer's
# body (the chain), or "HTTP <code> <body>" / "ERR curl <exit> <message>".
scn_get() {
	local path=$1 out err rc code; shift
	err=$(mktemp "$E2E_TMP/.curl.XXXXXX")
	out=$(in_ns "$SCN_CLIENT" curl -sS --max-time 10 -w '\n%{http_code}' "$@" \
		"http://$SCN_GW$path" 2>"$err")
	rc=$?
	if ((rc != 0)); then
		echo "ERR curl $rc $(oneline "$(cat "$err")")"
		rm -f "$err"
		return 1
	fi
	rm -f "$err"
	code=${out##*$'\n'}
	out=${out%$'\n'*}
	while [[ $out == *$'\n' ]]; do out=${out%$'\n'}; done
	if [[ $code != 200 ]]; then
		echo "HTTP $code $(oneline "$out")"
		return 1
	fi
	echo "$out"
}

# scn_counts: "name=count" of every deployment's /__count (probes from the
# script's cgroup, never routed)
scn_counts() {
	local w
	for w in "${SCN_DEPLOYMENTS[@]}"; do
		printf '%s=%s\n' "$w" "$(server_count "$w" 8080)"
	done
}

# scn_stats_json PINROOT: `graylane dump gl_stats --json`, or nothing
scn_stats_json() { "$GRAYLANE" --pin-root "$1" dump gl_stats --json 2>/dev/null; }
