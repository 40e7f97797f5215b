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

# name workload host port expected-endpoint
start_loops 6 \
	"gray-vip4 cli-gray 10.77.100.1 80 a-gray" \
	"gray-vip6 cli-gray fd77:100::1 80 a-gray" \
	"gray-ep4 cli-gray 10.77.0.11 8080 a-gray" \
	"base-vip4 cli-base 10.77.100.1 80 a-base" \
	"base-ep6 cli-base fd77::12 8080 a-base"

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

check_loops ""

assert_eq "counters: connect_lane rose by every gray connect" "$LOOP_GRAY" \
	$(($(gl_stat "$PIN" connect_lane) - lane0))
assert_eq "counters: connect_base rose by every base connect" "$LOOP_BASE" \
	$(($(gl_stat "$PIN" connect_base) - base0))
assert_eq "counters: gray lane connects rose by every gray connect" "$LOOP_GRAY" \
	$(($(lane_stat "$PIN" gray connects) - glane0))
assert_ok "graylane status exits 0 after the restarts" "$GRAYLANE" --pin-root "$PIN" status
finish
