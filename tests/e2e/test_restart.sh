#!/bin/bash
# Restart without gap: clients open a new connection every few ms while the
# daemon is SIGKILLed and started again on the same pin root (then the same with
# SIGTERM). Every single connect must succeed and land in the caller's lane,
# and the counters must account for every one of them.
. "$(dirname "$0")/lib.sh"
e2e_init
need_daemon

two_clients_a

start_daemon d "$M" "$PIN" "$RULES"
wait_generation "$PIN" 1 "${DAEMON_PID[d]}" || die "daemon did not apply the rules"
gen0=$(generation "$PIN")
pass "daemon applied generation $gen0"

lane0=$(gl_stat "$PIN" connect_lane)
base0=$(gl_stat "$PIN" connect_base)
glane0=$(lane_stat "$PIN" gray connects)

SECS=6
declare -A LOOP_PID=() LOOP_WANT=()
# name workload host port expected-endpoint
loops=(
	"gray-vip4 cli-gray 10.77.100.1 80 a-gray"
	"gray-vip6 cli-gray fd77:100::1 80 a-gray"
	"gray-ep4 cli-gray 10.77.0.11 8080 a-gray"
	"base-vip4 cli-base 10.77.100.1 80 a-base"
	"base-ep6 cli-base fd77::12 8080 a-base"
)
for l in "${loops[@]}"; do
	read -r name w host port want <<<"$l"
	spawn "$E2E_TMP/loop-$name.log" "${WL_CG[$w]}" "${WL_NS[$w]}" \
		"$PY" "$CLIENT" loop "$host" "$port" --seconds "$SECS" --interval-ms 5 \
		--out "$E2E_TMP/loop-$name.txt"
	LOOP_PID[$name]=$SPAWNED
	LOOP_WANT[$name]=$want
done

restart() { # restart SIGNAL
	local old=${DAEMON_PID[d]}
	sleep 1
	stop_daemon d "$1"
	assert_eq "SIG$1: daemon $old is gone" "" "$(kill -0 "$old" 2>/dev/null && echo alive)"
	sleep 0.5 # no daemon at all for a while
	start_daemon d "$M" "$PIN" "$RULES"
	if wait_generation "$PIN" "$gen0" "${DAEMON_PID[d]}"; then
		pass "SIG$1: new daemon ${DAEMON_PID[d]} took over the pin root"
	else
		fail "SIG$1: new daemon ${DAEMON_PID[d]} took over the pin root" "see log above"
	fi
}
restart KILL
restart TERM

total_gray=0
total_base=0
for l in "${loops[@]}"; do
	read -r name _ <<<"$l"
	wait "${LOOP_PID[$name]}"
	rc=$?
	f=$E2E_TMP/loop-$name.txt
	want=${LOOP_WANT[$name]}
	n=$(wc -l <"$f")
	bad=$(grep -vcE "^[0-9]+ [0-9]+ ok $want\$" "$f")
	first=$(grep -vE "^[0-9]+ [0-9]+ ok $want\$" "$f" | head -3 | tr '\n' ';')
	assert_ge "loop $name: made many connects over ${SECS}s" 300 "$n"
	if ((bad == 0 && rc == 0)); then
		pass "loop $name: all $n connects succeeded and landed on $want"
	else
		fail "loop $name: all connects succeeded and landed on $want" \
			"$bad of $n bad (rc $rc), first: $first $(oneline "$(cat "$E2E_TMP/loop-$name.log")")"
	fi
	if [[ $want == a-gray ]]; then total_gray=$((total_gray + n)); else total_base=$((total_base + n)); fi
done

assert_eq "counters: connect_lane rose by every gray connect" "$total_gray" \
	$(($(gl_stat "$PIN" connect_lane) - lane0))
assert_eq "counters: connect_base rose by every base connect" "$total_base" \
	$(($(gl_stat "$PIN" connect_base) - base0))
assert_eq "counters: gray lane connects rose by every gray connect" "$total_gray" \
	$(($(lane_stat "$PIN" gray connects) - glane0))
assert_ok "graylane status exits 0 after the restarts" "$GRAYLANE" --pin-root "$PIN" status
finish
