#!/bin/bash
# graylane events: the kernel's connect decisions streamed through the
# gl_decisions ring buffer while a listener runs, on the reference scenario
# through nginx: filtered by workload and by lane, with the endpoint and
# what gave the lane; rate-limited in the kernel with every drop counted;
# the watch cleared when the listener ends (and expiring when it is killed).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/scenario_up.sh"
scenario_up
scn_start_gateway "$E2E_TMP/nginx"
GRAY=$(scn_chain gray)

# watch_until: gl_watch's until_ns as bpftool shows it (BTF-formatted)
watch_until() {
	bpftool -j map dump pinned "$PIN/gl_watch" 2>/dev/null |
		"$PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["formatted"]["value"]["until_ns"])' 2>/dev/null ||
		bpftool -j map dump pinned "$PIN/gl_watch" 2>/dev/null |
		"$PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["value"]["until_ns"])'
}
# listen OUT ARGS...: graylane events in the background until it set its watch
listen() {
	local out=$1 i; shift
	"$GRAYLANE" --pin-root "$PIN" events --rules "$RULES" --json "$@" >"$out" 2>"$out.err" &
	LPID=$!
	for i in $(seq 50); do
		(($(watch_until) > 0)) && return 0
		sleep 0.1
	done
	fail "listener $*" "gl_watch never set: $(cat "$out.err")"
}
# wait_listener: until the listener exits by itself (--count), 10 s at most
wait_listener() {
	local i
	for i in $(seq 100); do kill -0 "$LPID" 2>/dev/null || { wait "$LPID"; return; }; sleep 0.1; done
	kill "$LPID" 2>/dev/null
	wait "$LPID"
}

# ---------------------------------------------------------------- a workload
listen "$E2E_TMP/w.json" --workload gateway --count 2
scn_get /a -H "location: cn-shenzhen" >/dev/null
scn_get /a >/dev/null
wait_listener
got=$("$PY" -c '
import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    print(e["workload"], e["service"], e["lane"], e["decision"], e["endpoint"], e["port"], e["reason"], e["dialed"])
' "$E2E_TMP/w.json" | tr '\n' ';')
assert_eq "W1 --workload gateway: its two connects, gray by the rule then base, with endpoints" \
	"gateway a gray lane ${SCN_ADDR4[a-gray]} 8080 rule ${SCN_VIP[a]};gateway a base base ${SCN_ADDR4[a-base]} 8080 no_label ${SCN_VIP[a]};" \
	"$got"
assert_eq "W2 the listener cleared the watch when it ended" 0 "$(watch_until)"

# ---------------------------------------------------------------- a lane
listen "$E2E_TMP/l.json" --lane gray --count 3
scn_get /a >/dev/null
chain=$(scn_get /a -H "location: cn-shenzhen")
wait_listener
got=$("$PY" -c '
import json, sys
print(" ".join("%s>%s:%s:%s" % (e["workload"], e["service"], e["decision"], e["reason"])
               for e in map(json.loads, open(sys.argv[1]))))' "$E2E_TMP/l.json")
assert_eq "L1 --lane gray: the base request not shown; the gray one's three hops, in order ($chain)" \
	"gateway>a:lane:rule a-gray>b:lane:header b-gray>c:lane:header" "$got"

# ---------------------------------------------------------------- the rate limit
snap "$PIN" r0
listen "$E2E_TMP/r.json" --lane gray --rate 1
for i in $(seq 8); do scn_get /a -H "location: cn-shenzhen" >/dev/null; done
sleep 0.3
kill "$LPID"
wait "$LPID"
snap "$PIN" r1
shown=$(wc -l <"$E2E_TMP/r.json")
read -r dropped lost < <(deltas r0 r1 event_rate_dropped event_lost | sed 's/[a-z_]*=//g')
assert_eq "R1 --rate 1: 24 gray connects = events shown ($shown) + rate-dropped ($dropped) + lost ($lost)" \
	24 "$((shown + dropped + lost))"
assert_ge "R2 the kernel dropped most of them (rate 1 per CPU per second)" 10 "$dropped"
assert_eq "R3 SIGTERM: the watch cleared" 0 "$(watch_until)"

# ---------------------------------------------------------------- a killed listener
listen "$E2E_TMP/k.json" --rate 1
disown "$LPID"
kill -9 "$LPID"
sleep 3.2
snap "$PIN" k0
for i in 1 2; do scn_get /a -H "location: cn-shenzhen" >/dev/null; done
snap "$PIN" k1
assert_eq "K1 SIGKILL: the watch expires within 3 s, nothing is sent or dropped after" \
	"event_rate_dropped=0 event_lost=0" "$(deltas k0 k1 event_rate_dropped event_lost)"

# ---------------------------------------------------------------- errors
"$GRAYLANE" --pin-root "$PIN" events --workload gateway >/dev/null 2>"$E2E_TMP/e1"
assert_eq "X1 --workload without --rules: exit 2, said" \
	"2 graylane events: no workload 'gateway' (--workload needs --rules)" "$? $(cat "$E2E_TMP/e1")"
"$GRAYLANE" --pin-root "$PIN" events --lane purple >/dev/null 2>"$E2E_TMP/e2"
assert_eq "X2 an unknown lane: exit 2" "2 graylane events: no lane 'purple' in force" "$? $(cat "$E2E_TMP/e2")"
"$GRAYLANE" --pin-root "$PIN" events --to 1.2.3.4 >/dev/null 2>"$E2E_TMP/e3"
assert_eq "X3 explain's options are not events'" "2 graylane: --to is not an option of events" \
	"$? $(cat "$E2E_TMP/e3")"
finish
