# shellcheck shell=bash
# bench/upstream.sh — the `upstream` phase of bench/run.sh (sourced by it):
# the entry keeps its upstream connections alive (:8011-8013, `keepalive 32`
# per worker), so requests of both lanes share connections and graylane (b)
# moves every request whose lane differs from its connection's into a twin.
#
#   throughput  wrk keep-alive x16, closed loop, (a) (b) (c) interleaved over
#               BENCH_REPS repetitions, each with both lanes alternating
#               ("switch": every other request changes lane) and with base
#               requests only ("same": no request changes lane)
#   bpf         BPF run time per program of (b), switch and same
#               (kernel.bpf_stats_enabled, a separate pass)
#   slowpath    the first request of a lane on a new connection (parked while
#               the daemon opens its twin) against the later ones, timed by a
#               python http.client from the probe host (UPSTREAM_SLOW_CONNS
#               connections, 20 by default)
#
# Records: kind=check (variants ak bk ck), kind=upstream, kind=bpfstats (mode upstream-both|base),
# kind=slowpath, kind=gl_stats phase=upstream; report.py summarizes them.

B_PORT[ua]=8011 B_PORT[ub]=8012 B_PORT[uc]=8013
UP_PIDFILE=$E2E_TMP/nginx-entry/nginx.pid

# entry_reload: a new set of entry workers, so that no upstream connection
# opened under another variant (or with the agent down) is reused
entry_reload() {
	local master n
	master=$(cat "$UP_PIDFILE") || die "no entry nginx pid file"
	kill -HUP "$master" || die "cannot reload the entry nginx"
	sleep 0.2
	for _ in $(seq 100); do
		n=$(pgrep -c -P "$master")
		((n <= 2)) && return 0   # old workers gone (worker_processes 2)
		sleep 0.05
	done
	die "the entry's old nginx workers did not exit after a reload"
}

# up_run VARIANT LANES SECS: wrk keep-alive x16 through the entry's keep-alive
# server of VARIANT, lanes both|base; sets M_FIELDS (see measured)
up_run() {
	local v=$1 lanes=$2 secs=$3
	WRK_LANES=$lanes measured "u$v" keepalive 16 "$secs"
}

# up_lanes VARIANT: check_lanes through the keep-alive server, twice over, so
# that the second round reuses the upstream connections the first opened
up_lanes() {
	local v=$1 r1 r2
	r1=$(check_lanes "u$v")
	r2=$(check_lanes "u$v")
	if [[ $r1 == ok && $r2 == ok ]]; then echo ok; else echo "$r1 / $r2"; fi
}

log "upstream: lane checks with upstream keep-alive"
for v in a b c; do
	agent_for $v up
	entry_reload
	record kind=check variant=${v}k result="$(up_lanes $v)"
	agent_for $v down
done

for ((rep = 1; rep <= REPS; rep++)); do
	for v in a b c; do
		log "upstream: rep $rep/$REPS, variant $v"
		agent_for $v up
		entry_reload
		up_run $v both 1 >/dev/null   # warm-up: the entry's connections and twins
		for lanes in both base; do
			up_run $v $lanes "$DUR"
			record kind=upstream variant=$v lanes=$lanes rep=$rep "${M_FIELDS[@]}"
		done
		[[ $v == b ]] && record_stats upstream $rep
		agent_for $v down
	done
done

bpf_stats_on
agent_up
entry_reload
for lanes in both base; do
	log "upstream: BPF run time per program, (b) lanes $lanes"
	WRK_LANES=$lanes bpf_measure 0 ub keepalive kind=bpfstats mode="upstream-$lanes"
done
bpf_stats_off

# the slow path: on each new connection from the probe host to service A, a
# base GET, the first gray one (parked until its twin is up), two more gray
# ones through the twin, a base one
log "upstream: first request of a lane on ${UPSTREAM_SLOW_CONNS:-20} new connections"
for ((k = 1; k <= ${UPSTREAM_SLOW_CONNS:-20}; k++)); do
	line=$(run_as probe timeout 20 "$PY" "$REPO_ROOT/tests/e2e/keepalive.py" steps --times --served-by \
		"$B_VIP" 80 base gray gray gray base 2>&1)
	record kind=slowpath conn=$k "line=$line"
done
record_stats upstream-slowpath 1
agent_down
