#!/bin/bash
# Upgrades across map layouts (abi.h GL_LAYOUT_VERSION, user/sync/layout.c):
# this build, then a build of the next layout (a counter inserted among the
# others, a lane counter in front, a config field: the plan maps rebuilt,
# the counters carried by name), then back, under connects every few ms.
# Every connect must succeed and land in its lane, no counter may be lost
# or counted twice, and a build whose connection-state map changed must be
# refused with nothing changed. Builds: make layout-builds.
. "$(dirname "$0")/lib.sh"
e2e_init
need_daemon
CUR=$GL_BUILD
NEXT=$GL_BUILD/layout-next
STATE=$GL_BUILD/layout-state
for b in "$NEXT" "$STATE"; do
	[[ -x $b/graylaned && -x $b/graylane ]] || die "$b not built (make layout-builds)"
done
use_build() { GRAYLANED=$1/graylaned; GRAYLANE=$1/graylane; }
layout_of() { json_field "$("$GRAYLANE" --pin-root "$PIN" layout --json 2>/dev/null)" "$1"; }
V=$(json_field "$("$GRAYLANE" --pin-root "$E2E_TMP/none" layout --json)" built_layout)
W=$((V + 1))

two_clients_a
start_daemon d "$M" "$PIN" "$RULES"
wait_generation "$PIN" 1 "${DAEMON_PID[d]}" || die "daemon did not apply the rules"
assert_eq "U0 graylane layout: the pins are of this build's layout" \
	"$(layout_of built_layout) in_place" "$(layout_of pinned_layout) $(layout_of takeover)"
assert_eq "U0 traffic before the upgrade: 6 gray, 4 base connects" "6 4" \
	"$(client_as cli-gray many 10.77.100.1 80 -n 6 | grep -c '^a-gray$') $(client_as cli-base many 10.77.100.1 80 -n 4 | grep -c '^a-base$')"

# ---- U1: quiet upgrade to the next layout: every counter carried exactly
"$GRAYLANE" --pin-root "$PIN" dump gl_stats --json >"$E2E_TMP/u1.before"
"$GRAYLANE" --pin-root "$PIN" dump gl_lane_stats --json >"$E2E_TMP/u1.lanes.before"
gen1=$(generation "$PIN")
use_build "$NEXT"
assert_eq "U1 graylane layout of the next build: an upgrade" upgrade "$(layout_of takeover)"
stop_daemon d TERM
start_daemon d "$M" "$PIN" "$RULES"
wait_log d "event=upgrade from_layout=$V to_layout=$W" 1 ||
	fail "U1 the next build logs the upgrade" "$(oneline "$(tail -5 "${DAEMON_LOG[d]}")")"
line=$(grep -o 'event=upgrade .*' "${DAEMON_LOG[d]}" | tail -1)
assert_match "U1 plan maps rebuilt, counters carried, nothing dropped" \
	'rebuilt=9 carried=2 .* dropped=0' "$line"
if wait_generation "$PIN" $((gen1 + 1)) "${DAEMON_PID[d]}"; then
	pass "U1 the next build applied the rules; its status is ok"
else
	fail "U1 the next build applied the rules; its status is ok" "see above"
fi
assert_eq "U1 the pins are now of layout $W" "$W in_place" "$(layout_of pinned_layout) $(layout_of takeover)"
"$GRAYLANE" --pin-root "$PIN" dump gl_stats --json >"$E2E_TMP/u1.after"
"$GRAYLANE" --pin-root "$PIN" dump gl_lane_stats --json >"$E2E_TMP/u1.lanes.after"
assert_eq "U1 every counter carried by name (the new one starts at 0)" "same" "$("$PY" - "$E2E_TMP" <<'EOF'
import json, sys
t = sys.argv[1]
a = json.load(open(t + "/u1.before"))["gl_stats"]
b = json.load(open(t + "/u1.after"))["gl_stats"]
la = {e["lane"]: e for e in json.load(open(t + "/u1.lanes.before"))["gl_lane_stats"]}
lb = {e["lane"]: e for e in json.load(open(t + "/u1.lanes.after"))["gl_lane_stats"]}
diff = [k for k in a if a[k] != b.get(k)] + [k for k in b if k not in a and b[k] != 0]
diff += ["%s.%s" % (l, k) for l in la for k in la[l] if la[l][k] != lb.get(l, {}).get(k)]
print(("differ: %s" % diff) if diff or a.get("connect_lane", 0) < 6 else "same")
EOF
)"
assert_eq "U1 the next build's new counter is there" 0 "$(gl_stat "$PIN" layout_test)"
out=$("$CUR/graylane" --pin-root "$PIN" status 2>&1)
assert_eq "U1 this build's graylane refuses to read layout $W (exit 2)" 2 "$?"
assert_match "U1 ... and says why" "of layout $W and this graylane reads layout $V" "$out"

# ---- U2: down and up again while connects run
lane0=$(gl_stat "$PIN" connect_lane)
base0=$(gl_stat "$PIN" connect_base)
msg0=$(gl_stat "$PIN" msg_request)
glane0=$(lane_stat "$PIN" gray connects)
start_loops 7 \
	"gray-vip4 cli-gray 10.77.100.1 80 a-gray" \
	"gray-vip6 cli-gray fd77:100::1 80 a-gray" \
	"base-vip4 cli-base 10.77.100.1 80 a-base" \
	"base-ep6 cli-base fd77::12 8080 a-base"
# and a kept-alive connection: its requests go on through sk_msg across both switches
spawn "$E2E_TMP/ka.log" "${WL_CG[cli-gray]}" "${WL_NS[cli-gray]}" \
	"$PY" "$CLIENT" keepalive 10.77.100.1 80 --seconds 7 --interval-ms 5 --out "$E2E_TMP/ka.txt"
KA_PID=$SPAWNED
switch() { # BUILD SIGNAL FROM TO
	local gen
	sleep 1
	gen=$(generation "$PIN")
	stop_daemon d "$2"
	use_build "$1"
	start_daemon d "$M" "$PIN" "$RULES"
	if wait_log d "event=upgrade from_layout=$3 to_layout=$4" 1 &&
		wait_generation "$PIN" $((gen + 1)) "${DAEMON_PID[d]}"; then
		pass "U2 SIG$2, layout $3 -> $4 under load: taken over, rules applied"
	else
		fail "U2 SIG$2, layout $3 -> $4 under load: taken over, rules applied" \
			"$(oneline "$(tail -5 "${DAEMON_LOG[d]}")")"
	fi
}
switch "$CUR" TERM "$W" "$V"
switch "$NEXT" KILL "$V" "$W"
check_loops "U2 "
wait "$KA_PID"
ka_rc=$?
assert_match "U2 kept-alive: every request answered by a-gray on one connection" \
	'^total=([0-9]{3,}) ok=\1 err=0 connections=1$' "$(tail -1 "$E2E_TMP/ka.log")"
assert_eq "U2 kept-alive: exit 0, no line other than ok a-gray" "0 0" \
	"$ka_rc $(grep -vcE '^[0-9]+ [0-9]+ ok a-gray$' "$E2E_TMP/ka.txt")"
ka_conns=$(sed -n 's/.*connections=\([0-9]*\)$/\1/p' "$E2E_TMP/ka.log")
ka_total=$(sed -n 's/^total=\([0-9]*\) .*/\1/p' "$E2E_TMP/ka.log")
# A connection open across an upgrade keeps the sk_msg program it was put in
# the sockhash with (the psock holds it), and that program counts into the
# maps of its own layout: the kept-alive requests after the first switch are
# not in these counters (README, Upgrades). Every request on a new connection is.
msg=$(($(gl_stat "$PIN" msg_request) - msg0))
loop_reqs=$((LOOP_GRAY + LOOP_BASE))
if ((msg >= loop_reqs && msg <= loop_reqs + ${ka_total:-0})); then
	pass "U2 sk_msg counted every request of the new connections ($loop_reqs; $((msg - loop_reqs)) of $ka_total kept-alive ones)"
else
	fail "U2 sk_msg counted every request of the new connections" "msg_request +$msg, loops $loop_reqs, kept-alive $ka_total"
fi
LOOP_GRAY=$((LOOP_GRAY + ${ka_conns:-0}))	# its connects are gray connects too
assert_eq "U2 connect_lane counted every gray connect across both switches" "$LOOP_GRAY" \
	$(($(gl_stat "$PIN" connect_lane) - lane0))
assert_eq "U2 connect_base counted every base connect" "$LOOP_BASE" \
	$(($(gl_stat "$PIN" connect_base) - base0))
assert_eq "U2 the gray lane's connects counted every gray connect" "$LOOP_GRAY" \
	$(($(lane_stat "$PIN" gray connects) - glane0))

# ---- U3: a build whose connection-state map changed is refused, nothing changed
gen=$(generation "$PIN")
use_build "$STATE"
"$GRAYLANE" --pin-root "$PIN" layout >"$E2E_TMP/u3.layout"
assert_eq "U3 graylane layout of that build: exit 1" 1 "$?"
assert_match "U3 ... gl_sock marked refuse" 'gl_sock +state +refuse' "$(cat "$E2E_TMP/u3.layout")"
spawn "$E2E_TMP/u3.log" "$CG_CTL" - timeout 20 "$GRAYLANED" --rules "$RULES" --cgroup "$M" --pin-root "$PIN"
wait "$SPAWNED"
rc=$?
out=$(cat "$E2E_TMP/u3.log")
assert_eq "U3 the daemon of that build exits 2" 2 "$rc"
assert_match "U3 ... naming the map and what to do" \
	"gl_sock holds open connections' state.*nothing was changed.*graylane uninstall --pin-root $PIN" "$out"
use_build "$NEXT"
assert_eq "U3 the running daemon and its generation are untouched" "$gen ${DAEMON_PID[d]}" \
	"$(generation "$PIN") $(json_field "$(status_json "$PIN")" daemon_pid)"
assert_ok "U3 status still ok" "$GRAYLANE" --pin-root "$PIN" status
assert_eq "U3 connects still land in their lanes" "a-gray a-base" \
	"$(client_as cli-gray get 10.77.100.1 80) $(client_as cli-base get 10.77.100.1 80)"

# ---- U4: rules that do not compile cannot fill the new layout's maps: refused
printf 'apiVersion: traffic.opensergo.io/v1alpha1\nkind: TrafficLabelRule\nmetadata: {name: bad}\nspec: {match: [}\n' |
	write_rules "$RULES" zz-bad.yaml
gen=$(generation "$PIN")
spawn "$E2E_TMP/u4.log" "$CG_CTL" - timeout 20 "$CUR/graylaned" --rules "$RULES" --cgroup "$M" --pin-root "$PIN"
wait "$SPAWNED"
assert_eq "U4 this build over layout $W with rules that do not compile: exit 2" 2 "$?"
assert_match "U4 ... the rules' error (file:line:col), then why nothing changed" \
	"zz-bad.yaml:4:[0-9]+: .*could not be written into the maps of layout $V.*nothing was changed" \
	"$(tr '\n' ' ' <"$E2E_TMP/u4.log")"
assert_eq "U4 the running daemon, its generation and layout are untouched" "$gen ${DAEMON_PID[d]} $W" \
	"$(generation "$PIN") $(json_field "$(status_json "$PIN")" daemon_pid) $(json_field "$(status_json "$PIN")" layout)"
rm -f "$RULES/zz-bad.yaml"
finish
