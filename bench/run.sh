#!/bin/bash
# bench/run.sh — `make bench`: graylane against no agent and against a
# userspace proxy, on test hosts (network namespaces) of this machine; prints a
# table and writes bench/results/<UTC time>.json and bench/results/latest.json.
# BENCHMARKS.md says what each number means. Root only; everything it creates
# (namespaces, cgroups, pins, processes, /tmp/gl-bench-*) is removed on exit,
# Ctrl-C included, and kernel.bpf_stats_enabled is restored.
#
# Phases (BENCH_PHASES, in this order by default):
#   load        wrk through the entry and one hop: (a) no agent, (b) graylane,
#               (c) HAProxy; keep-alive and Connection: close clients, 1 and 16
#               connections; BENCH_REPS interleaved repetitions (a, b, c, a, ...)
#   paced       the three at a fixed rate (half of (a)'s keep-alive x16
#               maximum): latency p50/p99 and the machine's CPU per request
#   upstream    the entry with upstream keep-alive (bench/upstream.sh): (a) (b)
#               (c) with lanes switching on shared connections and without,
#               BPF run time of (b), the first request of a lane (twin opened)
#   bpf         BPF run time per program (kernel.bpf_stats_enabled, a separate pass)
#   tracepoints what the syscall tracepoints cost an unrelated process
#   scale       compile, load, RSS and map memory at 10, 1 000, 10 000 rules
#   rules       latency at the fixed rate with 1 rule against 10 000 rules
#   effect      time from a rules file written to the first request it routes
#   parts       CPU per request with parts of (b) detached (where it goes)
#   observe     what metrics and decision events cost, at the fixed rate, (a)
#               and (b) variants interleaved: (b0) no --metrics, no listener;
#               --metrics not scraped; scraped BENCH_SCRAPE_RATE (10) times a
#               second by curl; no listener (events idle); `graylane events
#               --json` watching the entry (events up to the kernel's rate);
#               a listener watching a workload without traffic; then BPF run
#               time per variant (kernel.bpf_stats_enabled, a separate pass)
#   perf        (not by default) perf record -e cpu-clock of (a) and (b)
#
# Environment: BENCH_REPS (5), BENCH_DURATION (seconds per run, 5),
# BENCH_PHASES, BENCH_RATE (fixed rate when the load phase is skipped),
# BENCH_EFFECT_CHANGES (50), BENCH_SCALE_EFFECT_CHANGES (3; 0 skips),
# BENCH_RULE_REPS (3), BENCH_SCRAPE_RATE (10), BENCH_RESULTS (bench/results),
# GRAYLANE_BUILD.
set -u
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

REPS=${BENCH_REPS:-5}
DUR=${BENCH_DURATION:-5}
PHASES=" ${BENCH_PHASES:-load paced upstream bpf tracepoints scale rules effect parts observe} "
RESULTS=${BENCH_RESULTS:-$BENCH_DIR/results}
EFFECT_CHANGES=${BENCH_EFFECT_CHANGES:-50}
SCALE_EFFECT_CHANGES=${BENCH_SCALE_EFFECT_CHANGES:-3}
RULE_REPS=${BENCH_RULE_REPS:-3}
SCALES=(10 1000 10000)
SCALE_ENDPOINTS=100000      # remote endpoints (Workloads without spec.cgroup)
SCALE_SERVICES=10000
STAMP=$(date -u +%Y%m%dT%H%M%SZ)

phase() { [[ $PHASES == *" $1 "* ]]; }

bench_init
bench_binaries
REC=$E2E_TMP/records.jsonl
record() { "$PY" "$BENCH_DIR/report.py" add "$REC" "$@"; }
obj() { if [[ -n $1 ]]; then echo "$1"; else echo '{}'; fi; }   # a JSON object, {} when empty
CLK_TCK=$(getconf CLK_TCK)

# ---------------------------------------------------------------- the machine
other_progs=$("$BPFTOOL" prog show 2>/dev/null | grep -c ' name gl_')
record kind=machine date="$(date -u +%FT%TZ)" \
	commit="$(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null)$(git -C "$REPO_ROOT" diff --quiet HEAD -- bpf user include 2>/dev/null || echo +dirty)" \
	cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)" \
	cores="$(nproc)" mem_gib="$(awk '/MemTotal/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo)" \
	kernel="$(uname -r)" nginx="$("$NGINX" -v 2>&1 | sed 's/.*nginx\///')" \
	haproxy="$("$HAPROXY" -v | sed -n '1s/HAProxy version \([^ ]*\).*/\1/p')" \
	wrk="$("$WRK" -v 2>&1 | head -n1 | awk '{ print $2 }')" \
	duration="$DUR" reps="$REPS" loadavg="$(cut -d' ' -f1-3 /proc/loadavg)" \
	other_graylane_progs="$other_progs" \
	graylaned_sha256="$(sha256sum "$GRAYLANED" | cut -c1-16)"
((other_progs > 0)) &&
	log "warning: $other_progs gl_* BPF programs of another graylane install are loaded; their tracepoints run for our processes too"

bench_topology
BENCH_RULES=$(rules_dir rules)
bench_inventory | write_rules "$BENCH_RULES" inventory.yaml
traffic_rule entry-location entry gray 0 location cn-shenzhen | write_rules "$BENCH_RULES" entry.yaml
out=$("$GRAYLANE" validate "$BENCH_RULES" 2>&1) || die "the bench rules do not validate: $(oneline "$out")"
log "topology up: client -> entry nginx :8001 (a) :8002 (b) :8003 (c) -> A (a-base, a-gray)"

# every variant steers both lanes right before anything is measured
for v in a c; do record kind=check variant=$v result="$(check_lanes $v)"; done
agent_up
record kind=check variant=b result="$(check_lanes b)"
agent_down

# agent_for VARIANT up|down
agent_for() { [[ $1 == b ]] && { if [[ $2 == up ]]; then agent_up; else agent_down; fi; }; return 0; }

record_stats() { # record_stats PHASE REP: graylane's counters before the agent goes
	record kind=gl_stats phase="$1" rep="$2" \
		"stats:=$("$GRAYLANE" --pin-root "$DPIN" dump gl_stats --json 2>/dev/null || echo null)"
}

jiffies_s() { "$PY" -c 'import sys; print((int(sys.argv[1]) - int(sys.argv[2])) / int(sys.argv[3]))' "$1" "$2" "$CLK_TCK"; }
usec_s() { "$PY" -c 'import sys; print((int(sys.argv[1]) - int(sys.argv[2])) / 1e6)' "$1" "$2"; }

# measured VARIANT MODE CONNS SECS [RATE]: one wrk run with CPU time measured
# around it; sets M_FIELDS: wrk's object, cpu_busy_s (the machine's busy
# seconds over all cores, /proc/stat), bench_cpu_s (this run's processes,
# cgroup cpu.stat) and foreign_cpu_s (the difference: everything else on the
# machine, e.g. other users' jobs)
M_FIELDS=()
measured() {
	local c0 c1 g0 g1 s0 s1 j busy bench
	read -r -a c0 <<<"$(cpu_jiffies)"
	g0=$(bench_cpu_us)
	s0=$(a_in_segs)
	j=$(obj "$(wrk_run "$@")")
	s1=$(a_in_segs)
	g1=$(bench_cpu_us)
	read -r -a c1 <<<"$(cpu_jiffies)"
	busy=$(jiffies_s "${c1[0]}" "${c0[0]}")
	bench=$(usec_s "$g1" "$g0")
	M_FIELDS=("_:=$j" "cpu_busy_s=$busy" "bench_cpu_s=$bench" "a_in_segs=$((s1 - s0))"
		"foreign_cpu_s=$("$PY" -c "print(round(max(0.0, $busy - $bench), 3))")")
}

# ---------------------------------------------------------------- load
if phase load; then
	for ((rep = 1; rep <= REPS; rep++)); do
		record kind=foreign_progs phase=load rep=$rep n="$("$BPFTOOL" prog show 2>/dev/null | grep -c ' name gl_')"
		for v in a b c; do
			log "load: rep $rep/$REPS, variant $v"
			agent_for $v up
			wrk_run $v keepalive 16 1 >/dev/null   # warm-up
			for mode in keepalive close; do
				for c in 1 16; do
					measured $v $mode $c "$DUR"
					record kind=load variant=$v mode=$mode conns=$c rep=$rep "${M_FIELDS[@]}"
				done
			done
			[[ $v == b ]] && record_stats load $rep
			agent_for $v down
		done
	done
fi

# the fixed rate: half of (a)'s keep-alive x16 median
RATE=${BENCH_RATE:-$("$PY" -c '
import json, statistics, sys
r = [json.loads(l) for l in open(sys.argv[1])]
x = [l["requests"] / (l["duration_us"] / 1e6) for l in r
     if l.get("kind") == "load" and l["variant"] == "a" and l["mode"] == "keepalive"
     and l["conns"] == 16 and l.get("requests")]
print(int(statistics.median(x) / 2) if x else 2000)' "$REC")}
log "fixed rate: $RATE req/s"


# ---------------------------------------------------------------- paced
if phase paced; then
	for ((rep = 1; rep <= REPS; rep++)); do
		read -r -a c0 <<<"$(cpu_jiffies)"
		g0=$(bench_cpu_us)
		sleep "$DUR"
		g1=$(bench_cpu_us)
		read -r -a c1 <<<"$(cpu_jiffies)"
		record kind=idle_cpu secs="$DUR" busy_s="$(jiffies_s "${c1[0]}" "${c0[0]}")" \
			bench_cpu_s="$(usec_s "$g1" "$g0")"
		for v in a b c; do
			log "paced: rep $rep/$REPS, variant $v at $RATE req/s"
			agent_for $v up
			wrk_run $v keepalive 16 1 "$RATE" >/dev/null
			measured $v keepalive 16 "$DUR" "$RATE"
			record kind=paced variant=$v rep=$rep rate="$RATE" "${M_FIELDS[@]}"
			[[ $v == b ]] && record_stats paced $rep
			agent_for $v down
		done
	done
fi

# bpf_stats_on / bpf_stats_off: kernel.bpf_stats_enabled for a BPF pass, put
# back after it (and by bench_cleanup on exit)
bpf_stats_on() {
	BENCH_SYSCTL_STATS=$(sysctl -n kernel.bpf_stats_enabled)
	sysctl -q -w kernel.bpf_stats_enabled=1 >/dev/null || die "cannot set kernel.bpf_stats_enabled"
}
bpf_stats_off() {
	sysctl -q -w kernel.bpf_stats_enabled="$BENCH_SYSCTL_STATS" >/dev/null
	BENCH_SYSCTL_STATS=
}

# bpf_measure RATE VARIANT MODE FIELD...: BPF run time per program of the
# agent up over one wrk run of VARIANT x16 at RATE (0: closed loop), after a
# 1 s warm-up (WRK_LANES as for wrk_run); recorded with FIELDs (kind=...)
# plus requests and progs
bpf_measure() {
	local rate=$1 v=$2 mode=$3 j; shift 3
	wrk_run "$v" "$mode" 16 1 "$rate" >/dev/null
	"$PY" "$BENCH_DIR/bpf_usage.py" "$DPIN" >"$E2E_TMP/bpf0.json" || die "bpf_usage.py failed"
	j=$(wrk_run "$v" "$mode" 16 "$DUR" "$rate")
	"$PY" "$BENCH_DIR/bpf_usage.py" "$DPIN" --since "$E2E_TMP/bpf0.json" >"$E2E_TMP/bpf1.json" ||
		die "bpf_usage.py failed"
	record "$@" requests="$(json_field "$(obj "$j")" requests || echo 0)" \
		"progs:=$("$PY" -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["progs"]))' "$E2E_TMP/bpf1.json")"
}

# ---------------------------------------------------------------- upstream
# the entry with upstream keep-alive: lanes switching on shared connections
# shellcheck source=upstream.sh
phase upstream && . "$BENCH_DIR/upstream.sh"

# ---------------------------------------------------------------- bpf
if phase bpf; then
	bpf_stats_on
	agent_up
	for mode in keepalive close; do
		log "bpf: run time per program, (b) $mode x16"
		bpf_measure 0 b $mode kind=bpfstats mode=$mode
	done
	record_stats bpf 1
	agent_down
	bpf_stats_off
fi

# ---------------------------------------------------------------- tracepoints
if phase tracepoints; then
	RL=$E2E_TMP/readloop
	gcc -O2 -Wall -o "$RL" "$BENCH_DIR/readloop.c" || die "cannot build bench/readloop.c"
	for ((rep = 1; rep <= REPS; rep++)); do
		log "tracepoints: rep $rep/$REPS"
		record kind=readloop agent=0 rep=$rep "_:=$("$RL" 2000000)"
		agent_up
		record kind=readloop agent=1 rep=$rep "_:=$("$RL" 2000000)"
		agent_down
	done
fi

# ---------------------------------------------------------------- scale
SCALE_DIR=$E2E_TMP/scale
SCALE_CG=$CG_RUN_REL/m/scale

# scale_set N ENDPOINTS DIR: the bench inventory, the bench entry's 10 rules
# and the generated set (N rules in all)
scale_set() {
	local n=$1 ep=$2 d=$3
	mkdir -p "$d" || die "cannot create $d"
	cp "$BENCH_RULES/inventory.yaml" "$d/" || die "cannot copy the inventory"
	"$PY" "$BENCH_DIR/gen_rules.py" entry --rules 10 "$d/entry.yaml" || die "gen_rules.py entry failed"
	"$PY" "$BENCH_DIR/gen_rules.py" scale --rules "$n" --endpoints "$ep" --services "$SCALE_SERVICES" \
		--cgroup-root "$SCALE_CG" "$d" || die "gen_rules.py scale failed"
}

# wait_gen PIN N SECS: like wait_generation, with a longer limit
wait_gen() {
	local pin=$1 want=$2 end=$((SECONDS + $3)) g
	while ((SECONDS < end)); do
		g=$(generation "$pin")
		[[ $g =~ ^[0-9]+$ ]] && ((g >= want)) && return 0
		sleep 0.05
	done
	return 1
}

# proc_cpu_s PID: user + system seconds of a process so far
proc_cpu_s() { awk -v t="$CLK_TCK" '{ print ($14 + $15) / t }' "/proc/$1/stat"; }

if phase scale || phase rules; then
	mkdir -p "$SCALE_DIR"
	cg_add m/scale
	for ((k = 0; k < SCALES[-1] / 10 - 1; k++)); do mkdir -p "$CG_RUN/m/scale/entry-$k"; done
fi

if phase scale; then
	for n in "${SCALES[@]}"; do
		d=$SCALE_DIR/r$n
		log "scale: $n rules, $SCALE_ENDPOINTS endpoints over $SCALE_SERVICES services"
		scale_set "$n" $SCALE_ENDPOINTS "$d"
		t0=$(date +%s%N)
		/usr/bin/time -f %M -o "$E2E_TMP/compile.rss" "$GRAYLANE" compile "$d" >/dev/null 2>"$E2E_TMP/compile.err"
		rc=$?
		t1=$(date +%s%N)
		if ((rc != 0)); then
			record kind=scale_fail rules="$n" endpoints=$SCALE_ENDPOINTS services=$SCALE_SERVICES rc=$rc \
				seconds="$("$PY" -c "print(round(($t1 - $t0) / 1e9, 2))")" \
				error="$(grep -m1 'error:' "$E2E_TMP/compile.err" | sed "s|$SCALE_DIR/||")" \
				errors="$(grep -c 'error:' "$E2E_TMP/compile.err")"
			continue
		fi
		DPIN=$(pin_root 1)
		t2=$(date +%s%N)
		start_daemon "s$n" "$CG_RUN/m" "$DPIN" "$d"
		wait_gen "$DPIN" 1 120 || die "graylaned did not apply $n rules in 120 s: $(tail -n 3 "${DAEMON_LOG[s$n]}" | tr '\n' ' ')"
		t3=$(date +%s%N)
		pid=${DAEMON_PID[s$n]}
		line=$(grep -m1 'generation 1 applied' "${DAEMON_LOG[s$n]}")
		sleep 1
		cpu0=$(proc_cpu_s "$pid")
		sleep "$DUR"
		cpu1=$(proc_cpu_s "$pid")
		usage=$("$PY" "$BENCH_DIR/bpf_usage.py" "$DPIN")
		record kind=scale rules="$n" endpoints=$SCALE_ENDPOINTS services=$SCALE_SERVICES \
			entry_cgroups=$((n / 10)) \
			compile_s="$("$PY" -c "print(round(($t1 - $t0) / 1e9, 3))")" \
			compile_peak_kb="$(tail -n 1 "$E2E_TMP/compile.rss")" \
			start_to_ok_s="$("$PY" -c "print(round(($t3 - $t2) / 1e9, 3))")" \
			apply_ms="$(sed -n 's/.* apply_ms=\([0-9.]*\).*/\1/p' <<<"$line")" \
			applied="$(sed -n 's/.*applied: \([^"]*\)".*/\1/p' <<<"$line")" \
			rss_kb="$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")" \
			hwm_kb="$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status")" \
			idle_cpu_pct="$("$PY" -c "print(round(($cpu1 - $cpu0) / $DUR * 100, 1))")" \
			map_bytes="$("$PY" -c 'import json,sys; print(sum(m["bytes_memlock"] for m in json.load(sys.stdin)["maps"].values()))' <<<"$usage")" \
			"maps:=$("$PY" -c 'import json,sys; print(json.dumps({k: v["bytes_memlock"] for k, v in json.load(sys.stdin)["maps"].items()}))' <<<"$usage")"
		agent_down "s$n"
	done
fi

# ---------------------------------------------------------------- rules
# live_set DIR: points the daemon's rules directory (a symlink) at DIR, atomically
LIVE=$E2E_TMP/rules-live
live_set() {
	if ! ln -sfn "$1" "$LIVE.tmp" || ! mv -T "$LIVE.tmp" "$LIVE"; then
		die "cannot point $LIVE at $1"
	fi
}

if phase rules; then
	R1=$SCALE_DIR/one
	R10K=$SCALE_DIR/r10000
	mkdir -p "$R1"
	cp "$BENCH_RULES/inventory.yaml" "$BENCH_RULES/entry.yaml" "$R1/"
	[[ -f $R10K/scale-entries.yaml ]] || scale_set 10000 $SCALE_ENDPOINTS "$R10K"
	live_set "$R1"
	agent_up "$LIVE"
	g=$(generation "$DPIN")
	cur=1
	for ((rep = 1; rep <= RULE_REPS; rep++)); do
		for set in 1 10000; do
			if [[ $set != "$cur" ]]; then
				if [[ $set == 1 ]]; then live_set "$R1"; else live_set "$R10K"; fi
				wait_gen "$DPIN" $((g + 1)) 120 || die "graylaned did not apply the $set-rule set"
				g=$(generation "$DPIN")
				cur=$set
			fi
			log "rules: rep $rep/$RULE_REPS, $set rules (generation $g), $RATE req/s"
			wrk_run b keepalive 16 1 "$RATE" >/dev/null
			measured b keepalive 16 "$DUR" "$RATE"
			record kind=rule_latency rules=$set rep=$rep rate="$RATE" "${M_FIELDS[@]}"
		done
	done
	# time to effect with 10 000 rules in force (the set is live now)
	if ((SCALE_EFFECT_CHANGES > 0)); then
		log "effect: $SCALE_EFFECT_CHANGES changes with 10 000 rules in force"
		sed 's/value: "cn-shenzhen"/value: "@VALUE@"/' "$R10K/entry.yaml" >"$E2E_TMP/entry10.tpl"
		j=$(in_ns client "$PY" "$BENCH_DIR/probe.py" "$B_ENTRY4" "${B_PORT[b]}" "$R10K" entry.yaml \
			"$E2E_TMP/entry10.tpl" --changes "$SCALE_EFFECT_CHANGES" --timeout 60 --interval 0.005)
		record kind=effect label="10000 rules" poll_interval="100ms (default)" "_:=$(obj "$j")"
	fi
	record_stats rules 1
	agent_down
fi

# ---------------------------------------------------------------- effect
# With the daemon's default poll interval (what a user runs), then with a 10 ms
# one: the difference is the part of the time to effect that is polling.
if phase effect; then
	traffic_rule entry-location entry gray 0 location @VALUE@ >"$E2E_TMP/entry1.tpl"
	ER=$(rules_dir effect-rules)
	cp "$BENCH_RULES/inventory.yaml" "$ER/"
	for poll in default 10ms; do
		sed 's/@VALUE@/ttl-0/' "$E2E_TMP/entry1.tpl" | write_rules "$ER" entry.yaml
		if [[ $poll == default ]]; then agent_up "$ER"; else agent_up "$ER" --poll-interval "$poll"; fi
		log "effect: $EFFECT_CHANGES rule changes, poll interval $poll, a probe every 1 ms"
		j=$(in_ns client "$PY" "$BENCH_DIR/probe.py" "$B_ENTRY4" "${B_PORT[b]}" "$ER" entry.yaml \
			"$E2E_TMP/entry1.tpl" --changes "$EFFECT_CHANGES" --timeout 3)
		[[ $poll == default ]] && poll="100ms (default)"
		record kind=effect label="1 rule" poll_interval="$poll" "_:=$(obj "$j")"
		record_stats effect 1
		agent_down
	done
fi

# ---------------------------------------------------------------- parts
# Where graylane's CPU per request goes, by part of the data path: (b) at the
# fixed rate with some of its attachments removed (unpinning a link detaches
# it): "connect" keeps connect4/6 and getpeername only; "send" adds sockops
# and so the sockhash and sk_msg; "all" adds the read-exit tracepoints.
# Without the tracepoints no request can be labelled, so every part, (a)
# included, is sent base requests only: all go to a-base, none gets a header.
PART_LINKS_RECV="gl_exit_read gl_exit_recvfrom gl_exit_readv gl_exit_recvmsg gl_exit_recvmmsg gl_exit_io_uring"
if phase parts; then
	for ((rep = 1; rep <= REPS; rep++)); do
		for part in none connect send all; do
			log "parts: rep $rep/$REPS, $part at $RATE req/s"
			v=b
			[[ $part == none ]] && v=a
			agent_for $v up
			drop=""
			[[ $part == connect || $part == send ]] && drop=$PART_LINKS_RECV
			[[ $part == connect ]] && drop="$drop gl_sockops"
			for l in $drop; do rm -f "$DPIN/links/$l" || die "cannot unpin $DPIN/links/$l"; done
			WRK_LANES=base wrk_run $v keepalive 16 1 "$RATE" >/dev/null
			WRK_LANES=base measured $v keepalive 16 "$DUR" "$RATE"
			record kind=parts part=$part rep=$rep rate="$RATE" "${M_FIELDS[@]}"
			agent_for $v down
		done
	done
fi

# ---------------------------------------------------------------- observe
# What metrics and decision events cost (issue 11), at the fixed rate, every
# variant (b) with one observability setting, and (a) no agent, interleaved.
# (b) runs the same rules plus a Workload "idle" (a cgroup with no process:
# it makes no connection) for the listener that watches no traffic. One
# listener at a time: the kernel has one watch (README, graylane events).
# BENCH_OBSERVE_NOEVENTS_BUILD=DIR (a build of the commit before events,
# 6145f40) adds b-noevents: that build's daemon, no --metrics, so that
# b-events-idle against it is the cost of the events code when nobody listens.
# The daemon alone is in cgroup ctl, the scraper or listener in cgroup obs:
# their CPU from cpu.stat (microseconds) besides /proc/PID/stat (ticks).
OBS_VARIANTS="a b0 b-metrics-idle b-metrics-scraped b-events-idle b-events-listening b-events-other"
OBS_NOEVENTS=${BENCH_OBSERVE_NOEVENTS_BUILD:-}
[[ -n $OBS_NOEVENTS ]] && OBS_VARIANTS="$OBS_VARIANTS b-noevents"
OBS_SCRAPE_RATE=${BENCH_SCRAPE_RATE:-10}      # scrapes per second of b-metrics-scraped
OBS_AUX_PID=        # the scraper or the listener of the variant up now
OBS_AUX_OUT=        # its output (events: one JSON line each; scrapes: one status line each)
OBS_METRICS=        # the daemon's metrics address, when it serves them

# obs_watch_until: gl_watch's deadline (0: nobody listens)
obs_watch_until() {
	"$BPFTOOL" -j map dump pinned "$DPIN/gl_watch" 2>/dev/null | "$PY" -c '
import json, sys
e = json.load(sys.stdin)[0]
print(e.get("formatted", e)["value"]["until_ns"])' 2>/dev/null || echo 0
}

# obs_up VARIANT: the agent as VARIANT wants it, and its scraper or listener
obs_up() {
	local v=$1 n
	OBS_AUX_PID='' OBS_AUX_OUT='' OBS_METRICS=''
	case $v in
	a) return 0 ;;
	b-metrics-*)
		n=$(grep -c 'event=metrics addr=' "$E2E_TMP/daemon-d.log" 2>/dev/null)
		agent_up "$OBS_RULES" --metrics 127.0.0.1:0
		wait_log d 'event=metrics addr=' $((${n:-0} + 1)) || die "graylaned serves no metrics: $(tail -n 3 "$E2E_TMP/daemon-d.log" | tr '\n' ' ')"
		OBS_METRICS=$(grep -oE 'event=metrics addr=[^ ]+' "$E2E_TMP/daemon-d.log" | tail -n 1 | sed 's/.*addr=//')
		curl -sf --max-time 3 -o /dev/null "http://$OBS_METRICS/metrics" || die "GET http://$OBS_METRICS/metrics failed"
		;;
	b-noevents)
		GRAYLANED=$E2E_TMP/bin-noevents/graylaned GRAYLANE=$E2E_TMP/bin-noevents/graylane
		agent_up "$OBS_RULES" --metrics ""
		;;
	*) agent_up "$OBS_RULES" --metrics "" ;;
	esac
	case $v in
	b-metrics-scraped)
		# one curl, OBS_SCRAPE_RATE requests a second (--rate), bodies dropped,
		# one status line per scrape on stderr
		OBS_AUX_OUT=$E2E_TMP/scrape-$v.log
		: >"$OBS_AUX_OUT"
		# shellcheck disable=SC2016 # expanded by the inner sh
		spawn "$OBS_AUX_OUT" "$CG_OBS" - sh -c 'exec curl -s --rate "$1/s" --max-time 2 -o /dev/null \
			-w "%{stderr}%{http_code} %{size_download}\n" "http://$2/metrics?n=[1-1000000]" >/dev/null' \
			sh "$OBS_SCRAPE_RATE" "$OBS_METRICS"
		OBS_AUX_PID=$SPAWNED
		;;
	b-events-listening | b-events-other)
		local w=entry
		[[ $v == b-events-other ]] && w=idle
		OBS_AUX_OUT=$E2E_TMP/events-$v.json
		: >"$OBS_AUX_OUT"
		spawn "$OBS_AUX_OUT" "$CG_OBS" - "$GRAYLANE" --pin-root "$DPIN" events --rules "$OBS_RULES" \
			--workload $w --json
		OBS_AUX_PID=$SPAWNED
		for _ in $(seq 50); do
			(($(obs_watch_until) > 0)) && break
			sleep 0.1
		done
		(($(obs_watch_until) > 0)) || die "graylane events never set gl_watch: $(tail -n 3 "$OBS_AUX_OUT" | tr '\n' ' ')"
		;;
	esac
	return 0
}

# obs_down VARIANT: the scraper or listener, then the agent
obs_down() {
	[[ -n $OBS_AUX_PID ]] && stop_pid "$OBS_AUX_PID"
	OBS_AUX_PID=
	[[ $1 == a ]] || agent_down
	GRAYLANED=$E2E_TMP/bin/graylaned GRAYLANE=$E2E_TMP/bin/graylane
	return 0
}
cg_cpu_us() { awk '/^usage_usec/ { print $2 }' "$1/cpu.stat"; }

obs_stats() { "$GRAYLANE" --pin-root "$DPIN" dump gl_stats --json 2>/dev/null || echo null; }
obs_lines() { if [[ -n $OBS_AUX_OUT ]]; then wc -l <"$OBS_AUX_OUT"; else echo 0; fi; }

if phase observe; then
	OBS_RULES=$(rules_dir observe-rules)
	cp "$BENCH_RULES"/*.yaml "$OBS_RULES/"
	cg_add m/idle
	cat >>"$OBS_RULES/inventory.yaml" <<YAML
---
apiVersion: graylane.io/v1alpha1
kind: Workload
metadata:
  name: idle
  labels: {app: idle}
spec:
  cgroup: $CG_RUN_REL/m/idle
  addresses: [10.77.0.50]
YAML
	out=$("$GRAYLANE" validate "$OBS_RULES" 2>&1) || die "the observe rules do not validate: $(oneline "$out")"
	cg_add obs
	CG_OBS=$CG_RUN/obs
	if [[ -n $OBS_NOEVENTS ]]; then
		if ! mkdir -p "$E2E_TMP/bin-noevents" ||
			! cp "$OBS_NOEVENTS/graylaned" "$OBS_NOEVENTS/graylane" "$E2E_TMP/bin-noevents/"; then
			die "cannot copy the binaries of $OBS_NOEVENTS"
		fi
		record kind=observe_noevents_build dir="$OBS_NOEVENTS" \
			commit="$(git -C "$OBS_NOEVENTS" rev-parse --short HEAD 2>/dev/null)" \
			graylaned_sha256="$(sha256sum "$OBS_NOEVENTS/graylaned" | cut -c1-16)"
	fi
	for ((rep = 1; rep <= REPS; rep++)); do
		for v in $OBS_VARIANTS; do
			log "observe: rep $rep/$REPS, $v at $RATE req/s"
			obs_up "$v"
			wrk_run "${v:0:1}" keepalive 16 1 "$RATE" >/dev/null
			dpid=${DAEMON_PID[d]:-}
			[[ $v == a ]] && dpid=
			st0=null
			[[ -n $dpid ]] && st0=$(obs_stats)
			d0=0 x0=0
			[[ -n $dpid ]] && d0=$(proc_cpu_s "$dpid")
			[[ -n $OBS_AUX_PID ]] && x0=$(proc_cpu_s "$OBS_AUX_PID")
			gd0=$(cg_cpu_us "$CG_CTL") gx0=$(cg_cpu_us "$CG_OBS")
			l0=$(obs_lines)
			measured "${v:0:1}" keepalive 16 "$DUR" "$RATE"
			l1=$(obs_lines)
			gd1=$(cg_cpu_us "$CG_CTL") gx1=$(cg_cpu_us "$CG_OBS")
			d1=0 x1=0
			[[ -n $OBS_AUX_PID ]] && x1=$(proc_cpu_s "$OBS_AUX_PID")
			[[ -n $dpid ]] && d1=$(proc_cpu_s "$dpid")
			st1=null
			[[ -n $dpid ]] && st1=$(obs_stats)
			record kind=observe variant="$v" rep=$rep rate="$RATE" "${M_FIELDS[@]}" \
				daemon_cpu_s="$("$PY" -c "print(round($d1 - $d0, 3))")" \
				aux_cpu_s="$("$PY" -c "print(round($x1 - $x0, 3))")" \
				daemon_cg_cpu_s="$(usec_s "$gd1" "$gd0")" aux_cg_cpu_s="$(usec_s "$gx1" "$gx0")" \
				aux_lines=$((l1 - l0)) scrape_rate="$OBS_SCRAPE_RATE" \
				"stats0:=$st0" "stats1:=$st1"
			obs_down "$v"
		done
	done
	# BPF run time per variant: passes of their own with
	# kernel.bpf_stats_enabled=1 (the stats add two clock reads to every run,
	# so not during the runs above), BENCH_REPS of them, interleaved
	bpf_stats_on
	for ((rep = 1; rep <= REPS; rep++)); do
		for v in $OBS_VARIANTS; do
			[[ $v == a ]] && continue
			log "observe: BPF run time, rep $rep/$REPS, $v at $RATE req/s"
			obs_up "$v"
			bpf_measure "$RATE" b keepalive kind=observe_bpf variant="$v" rep=$rep rate="$RATE"
			obs_down "$v"
		done
	done
	bpf_stats_off
fi

# ---------------------------------------------------------------- perf (optional)
# perf record -e cpu-clock of the whole machine during (a) and (b) at the same
# load; bench/perf_diff.py turns the bench processes' samples into CPU
# microseconds per request by symbol, (b) against (a).
if phase perf; then
	command -v perf >/dev/null || die "perf not found"
	PD=$RESULTS/perf-$STAMP
	mkdir -p "$PD"
	for mode in keepalive close; do
		declare -A preq=()
		for v in a b; do
			agent_for $v up
			log "perf: ($v) $mode x16"
			wrk_run $v $mode 16 1 >/dev/null
			perf record -q -e cpu-clock -a -g -o "$PD/$mode-$v.data" -- sleep "$((DUR + 1))" 2>/dev/null &
			pp=$!
			sleep 0.5
			j=$(obj "$(wrk_run $v $mode 16 "$DUR")")
			wait $pp
			preq[$v]=$(json_field "$j" requests || echo 1)
			agent_for $v down
		done
		"$PY" "$BENCH_DIR/perf_diff.py" "$PD/$mode-a.data" "${preq[a]}" \
			"$PD/$mode-b.data" "${preq[b]}" --top 50 >"$PD/$mode.txt" 2>&1
		log "perf: $PD/$mode.txt: $(head -n 1 "$PD/$mode.txt")"
	done
fi

# ---------------------------------------------------------------- report
mkdir -p "$RESULTS"
"$PY" "$BENCH_DIR/report.py" summarize "$REC" "$RESULTS/$STAMP.json" --latest "$RESULTS/latest.json" ||
	die "report.py failed (records kept in $REC)"
log "results: $RESULTS/$STAMP.json (and latest.json)"
