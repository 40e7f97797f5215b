#!/bin/bash
# Per-request steering on kept-alive connections (issue 10, DESIGN.md
# Decisions 4): a request whose lane differs from its connection's leaves
# through a twin connection of its lane, which the daemon opens inside the
# caller's netns and cgroup; the twin's replies come back on the original
# connection. Real python http.client connections to real HTTP servers.
#
#   clients   cli-base (no lane)
#   service   a  VIP 10.77.100.1 :80 -> a-base, a-gray :8080
#
#   T1 alternating base and gray requests on one kept-alive connection (GET,
#      HEAD, POST with Content-Length and chunked bodies, chunked replies):
#      every reply byte-exact; every base one on a-base; every gray one on
#      a-gray, the first parked until its twin was up
#   T2 two requests in one send() (pipelined): order first, both on the
#      connection's route, counted (twin_busy)
#   T3 the twin's server closes it when idle: the FIN stays on the twin, the
#      original keeps working, the next gray request asks for a new twin
#   T4 the original closed: the daemon closes its twin
#   T5 the twin's server closes it in the middle of a reply: the original is
#      shut down, so the client reads the end there (not a hang)
#   T6 graylaned killed with a reply owed on a twin: the next daemon (its
#      twin helpers forked and moved, as where clone3 is refused) shuts
#      that connection down (no hang) and opens twins again
#   T9 the first gray request's time (parked while its twin opens) against
#      later ones, printed
#   T8 a client that stops reading: how much the twin's server can send
#      (replies redirected into the original are not flow-controlled)
#   T10 curl reusing one connection (--next) alternates lanes, GET and POST
#   T7 a reply body read on its own that begins like a request line ("GET well
#      soon, ...") gives the client's thread no label: its next gray request
#      still goes gray
. "$(dirname "$0")/lib.sh"
e2e_init
need_daemon

KA=$E2E_DIR/keepalive.py
one_client_a --idle-timeout 3

twins_held() { "$GRAYLANE" --pin-root "$PIN" dump gl_twin_of --json 2>/dev/null | grep -c '"key"'; }

# mix TAG MAXBODY [blocking]: N requests of alternating lanes on one kept-alive
# connection (tests/e2e/keepalive.py mix), checked: every reply byte-exact;
# every base request on a-base; every gray one on a-gray, the first parked
# until its twin was up; the counters add up.
N=200
mix() {
	local tag=$1 max=$2 blocking=${3:-} f=$E2E_TMP/$1.txt rc bad got grays early late
	snap "$PIN" "$tag-a"
	KA_BLOCKING=$blocking run_as cli-base timeout 120 "$PY" "$KA" mix 10.77.100.1 80 --requests "$N" \
		--max-body "$max" --out "$f" >"$E2E_TMP/$tag.err" 2>&1
	rc=$?
	snap "$PIN" "$tag-b"
	bad=$(grep -c ' bad' "$f")
	if ((rc == 0 && bad == 0)) && [[ $(wc -l <"$f") == "$N" ]]; then
		pass "$tag $N requests on one connection, every reply complete and byte-exact"
	else
		fail "$tag every reply byte-exact" "rc $rc, $bad bad: $(grep ' bad' "$f" | head -3 | tr '\n' ';') $(oneline "$(cat "$E2E_TMP/$tag.err")")"
	fi
	got=$(awk '$2 == "base" { print ($5 == "a-base") ? "base->a-base" : "base->" $5 }' "$f" | tally)
	assert_eq "$tag every base request on a-base" "base->a-base=$((N / 2))" "$got"
	grays=$(awk '$2 == "gray" { printf "%s ", $5 }' "$f")
	early=$(grep -oE '^(a-base )*' <<<"$grays" | wc -w)
	late=$(awk -v e="$early" '$2 == "gray" && ++g > e { print $5 }' "$f" | tally)
	if ((early == 0)) && [[ $late == "a-gray=$((N / 2))" ]]; then
		pass "$tag all $((N / 2)) gray requests on a-gray, the first one too (parked until its twin was up)"
	else
		fail "$tag every gray request on a-gray" "the first $early on a-base, then $late"
	fi
	assert_eq "$tag one twin asked for and opened, the first gray request parked for it" \
		"lane_mismatch=0 twin_add=1 twin_missing=0 twin_open_fail=0 twin_parked=1 twin_park_lost=0 twin_wanted=1" \
		"$(deltas "$tag-a" "$tag-b" lane_mismatch twin_add twin_missing twin_open_fail twin_parked twin_park_lost twin_wanted)"
	assert_eq "$tag the other $((N / 2 - 1)) through the twin, their replies redirected, nothing failed" \
		"msg_refused=0 reply_redirect_fail=0 twin_body_lost=0 twin_redirect_fail=0 twin_send=$((N / 2 - 1))" \
		"$(deltas "$tag-a" "$tag-b" msg_refused reply_redirect_fail twin_body_lost twin_redirect_fail twin_send)"
	read -r resp redirect < <(deltas "$tag-a" "$tag-b" reply_response reply_redirect | sed 's/[a-z_]*=//g')
	if ((resp == N && redirect >= N / 2)); then
		pass "$tag every final response counted ($resp), the twin's redirected ($redirect skbs)"
	else
		fail "$tag every final response counted" "reply_response=$resp reply_redirect=$redirect"
	fi
	assert_eq "$tag the connection closed: its twin closed with it" "0" "$(sleep 2; twins_held)"
}
# T1a a non-blocking caller (python http.client with a timeout, as servers
# and pools use), T1b a blocking one; bodies up to 1 MiB
mix T1a 1048576
mix T1b 1048576 1

# T2
out=$(run_as cli-base timeout 20 "$PY" "$KA" pipeline 10.77.100.1 80 2>&1)
assert_eq "T2 two pipelined requests (base, gray) answered in order on the connection's route" \
	"a-base a-base" "$out"
snap "$PIN" c
read -r busy miss < <(deltas T1b-b c twin_busy twin_missing | sed 's/[a-z_]*=//g')
if ((busy + miss >= 1)); then
	pass "T2 the gray one stayed, counted (twin_busy=$busy twin_missing=$miss)"
else
	fail "T2 the gray one stayed, counted" "twin_busy=$busy twin_missing=$miss"
fi

# T3: the gray server drops a twin idle for 3 s; the connection goes on
# steps: one kept-alive connection (keepalive.py steps)
steps() {
	local o=()
	[[ $1 == --times ]] && o=(--times) && shift
	run_as cli-base timeout 30 "$PY" "$KA" steps "${o[@]}" 10.77.100.1 80 "$@" 2>&1
}
T3=(base gray gray sleep:0.3 gray sleep:4.5 base sleep:0.3 gray sleep:0.3 gray sleep:0.3 gray
    sleep:0.3 gray base)
snap "$PIN" d
out=$(steps "${T3[@]}")
snap "$PIN" e
assert_match "T3 a twin, closed idle by its server; base goes on; gray parks for a new twin" \
	"^a-base a-gray a-gray a-gray a-base a-gray a-gray a-gray a-gray a-base$" "$out"
assert_eq "T3 the FIN stayed on the twin, two twins in all" "twin_add=2 twin_fin=1 twin_wanted=2" \
	"$(deltas d e twin_add twin_fin twin_wanted)"

# T5: the twin's server closes it in the middle of a reply; on a connection
# of its own the client would read the end of the stream: so it must here
snap "$PIN" f
out=$(steps warm gray:/__truncate)
snap "$PIN" g
assert_match "T5 a reply cut by the twin's server: the client reads its end at once, as from its own server" \
	"^IncompleteRead\(10 bytes\) after [0-2]\.[0-9] s$" "$out"
assert_eq "T5 counted; the daemon shut the connection down" "twin_broken=1" "$(deltas f g twin_broken)"
assert_eq "T5 the daemon said so" 1 "$(log_count d event=twin_broken)"

# T6: graylaned killed (SIGKILL) while a reply is owed on a twin it held:
# the twin dies with it; the next daemon shuts that connection down from
# the kernel's event (the client reads its end, no hang), and twins work
snap "$PIN" h
steps warm ready:"$E2E_TMP/t6.ready" gray:/__slow >"$E2E_TMP/t6.out" &
t6=$!
for _ in $(seq 100); do [[ -e $E2E_TMP/t6.ready ]] && break; sleep 0.1; done
sleep 0.3
stop_daemon d KILL
# the next daemon's twin helpers take the path of hosts that refuse clone3:
# forked, then moved into the caller's cgroup (cgroup.procs)
GRAYLANED_TWIN_MIGRATE=1 start_daemon d2 "$M" "$PIN" "$RULES"
wait "$t6"
out=$(cat "$E2E_TMP/t6.out")
snap "$PIN" i
assert_match "T6 daemon killed with a reply owed on its twin: the client reads the end within seconds (it would wait 15)" \
	"^(RemoteDisconnected|IncompleteRead|ConnectionResetError)\(0 bytes\) after [0-9]\.[0-9] s$" "$out"
assert_eq "T6 counted once" "twin_broken=1" "$(deltas h i twin_broken)"
out=$(steps "${T3[@]}")
assert_match "T6 the next daemon opens twins again (its helpers forked and moved into the caller's cgroup)" \
	"^a-base a-gray a-gray a-gray a-base a-gray a-gray a-gray a-gray a-base$" "$out"
assert_ok "T6 ... by the path where clone3 is refused" grep -q "GRAYLANED_TWIN_MIGRATE: twins' helpers fork" \
	"${DAEMON_LOG[d2]}"
# the rest with a daemon of the default path (T9 times it)
stop_daemon d2
g=$(generation "$PIN")
start_daemon d3 "$M" "$PIN" "$RULES"
wait_generation "$PIN" $((g + 1)) "${DAEMON_PID[d3]}" || fail "T6 a daemon of the default path again" "not up"

# T7: a client reads a reply body that begins like a request ("GET well soon,
# from a-base", read on its own): that is no request, so it labels nothing
snap "$PIN" j
out=$(steps warm base:/__hello gray gray)
snap "$PIN" k
assert_eq "T7 after a reply body that looks like a request, gray requests still go gray" \
	"GET well soon, from a-base a-gray a-gray" "$out"
assert_eq "T7 the thread got no label from it" "msg_label_context=0" "$(deltas j k msg_label_context)"

# T8: a client sends a gray request and does not read its 64 MiB reply: over
# its own connection TCP would stop the server after a few MiB; redirected
# from a twin, the reply is queued on the original without a bound
steps warm send:/__big sleep:3 >/dev/null
pulled=$(in_ns a-gray "$PY" "$CLIENT" get 127.0.0.1 8080 --path /__bigsent)
if [[ $pulled =~ ^[0-9]+$ ]] && ((pulled > 16 << 20)); then
	pass "T8 a client that reads nothing # KNOWN LIMITATION: the twin's server sent $((pulled >> 20)) MiB of 64 to a client that read nothing (docs/limitations.md L9)"
else
	fail "T8 a client that reads nothing: passes now (bounded at $pulled bytes): remove the known limitation" "$pulled"
fi

# T9: the slow path's cost, printed (not asserted): on a new connection the
# first gray request parks while the daemon opens its twin; later ones go
# straight through it. Five connections.
for k in 1 2 3 4 5; do
	steps --times base gray gray gray base
done >"$E2E_TMP/t9.txt"
if [[ $(sed -E 's|/[0-9.]+ms||g' "$E2E_TMP/t9.txt" | sort -u) == "a-base a-gray a-gray a-gray a-base" ]]; then
	pass "T9 five new connections: base, then gray (parked for its twin), gray, gray, base"
else
	fail "T9 five new connections" "$(oneline "$(cat "$E2E_TMP/t9.txt")")"
fi
awk '{ for (i = 1; i <= 5; i++) { split($i, p, "/"); sub(/ms/, "", p[2]); t[i] = t[i] " " p[2] } }
	END { printf "# ms per request (5 connections): base%s | first gray, parked%s | gray via the twin%s |%s\n", t[1], t[2], t[3], t[4] }' \
	"$E2E_TMP/t9.txt"

# T10: curl reusing one connection (--next): GETs alternating lanes, then a
# 256 KiB POST in each lane echoed back. One connection made in all
# (num_connects), every reply from its lane, both echoes byte-exact.
head -c 262144 /dev/urandom >"$E2E_TMP/t10.body"
t10_sum=$(sha256sum <"$E2E_TMP/t10.body" | cut -d' ' -f1)
t10=()
for lane in gray base gray base gray base; do
	((${#t10[@]})) && t10+=(--next)
	t10+=(-s -w '%{num_connects}\n' -o - http://10.77.100.1/)
	[[ $lane == gray ]] && t10+=(-H 'x-opensergo-traffic: gray')
done
for lane in gray base; do
	t10+=(--next -s -o "$E2E_TMP/t10.echo-$lane" -w '%{num_connects} %header{x-served-by}\n'
		--data-binary @"$E2E_TMP/t10.body" -H 'Content-Type: application/octet-stream' http://10.77.100.1/)
	[[ $lane == gray ]] && t10+=(-H 'x-opensergo-traffic: gray')
done
out=$(run_as cli-base timeout 30 curl "${t10[@]}" 2>&1 | tr '\n' ' ')
assert_eq "T10 curl, one connection reused: 6 GETs alternating lanes, a 256 KiB POST in each" \
	"a-gray 1 a-base 0 a-gray 0 a-base 0 a-gray 0 a-base 0 0 a-gray 0 a-base " "$out"
assert_eq "T10 both echoes byte-exact" "$t10_sum $t10_sum" \
	"$(sha256sum <"$E2E_TMP/t10.echo-gray" | cut -d' ' -f1) $(sha256sum <"$E2E_TMP/t10.echo-base" | cut -d' ' -f1)"

# T4
assert_eq "T4 no twin left once the connections closed" "0" "$(sleep 2; twins_held)"
assert_eq "T4 nothing was refused or dropped" "msg_refused=0 reply_redirect_fail=0" \
	"$(deltas T1a-a e msg_refused reply_redirect_fail)"
finish
