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
#   T2 requests in one send() (pipelined), each in its lane and answered in
#      order: the second held until the first's reply is in, then written by
#      the daemon into its twin (T2a, a new one) or back into the connection
#      itself (T2b, its own lane: twin_release); behind a slow reply (2 s) it
#      is held, not taken for an orphan (T2c)
#   T3 the twin's server closes it when idle: the FIN stays on the twin, the
#      original keeps working, the next gray request asks for a new twin
#   T4 the original closed: the daemon closes its twin
#   T5 the twin's server closes it in the middle of a reply: the original is
#      shut down, so the client reads the end there (not a hang)
#   T6 the twin keeper holds every twin: graylaned killed with a reply owed
#      on one, the reply arrives and the next daemon takes the twin over
#      (T6a); a request parked while no daemon runs is answered when one is
#      back (T6b); killed under load, nothing lost or off-lane (T6c); the
#      keeper killed too: the next daemon (its twin helpers forked and moved,
#      as where clone3 is refused) shuts that connection down (no hang) and
#      opens twins again (T6d); a parked request whose event no daemon
#      acted on is found in gl_park by the next daemon (T6e); one held for
#      its connection's own lane is written by the next daemon (T6g)
#   T9 the first gray request's time (parked while its twin opens) against
#      later ones, printed
#   T8 a client that stops reading: how much the twin's server can send
#      (replies redirected into the original are not flow-controlled)
#   T10 curl reusing one connection (--next) alternates lanes, GET and POST
#   T11 twins open side by side: one whose connect hangs holds up no other
#   T12 a keeper started before the daemon (the DaemonSet's container): used
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
pipeline() {	# pipeline TAG ARGS...: keepalive.py pipeline, its counters in TAG-a..TAG-b
	local tag=$1
	shift
	snap "$PIN" "$tag-a"
	run_as cli-base timeout 20 "$PY" "$KA" pipeline 10.77.100.1 80 "$@" 2>&1
	snap "$PIN" "$tag-b"
}
out=$(pipeline T2a base gray)
assert_eq "T2a two pipelined requests (base, gray) on a new connection: each in its lane, in order" \
	"a-base a-gray" "$out"
assert_eq "T2a the gray one held until the base reply was in, then written into its new twin" \
	"twin_busy=0 twin_parked=1 twin_park_lost=0 twin_release=0" \
	"$(deltas T2a-a T2a-b twin_busy twin_parked twin_park_lost twin_release)"
out=$(pipeline T2b gray gray base --reuse)
assert_eq "T2b after a gray request, three pipelined (gray, gray, base): each in its lane, in order" \
	"(a-gray) a-gray a-gray a-base" "$out"
assert_eq "T2b the base one held behind the twin's replies, then written back into the connection" \
	"twin_busy=0 twin_park_lost=0 twin_release=1 msg_desync=0 msg_refused=0" \
	"$(deltas T2b-a T2b-b twin_busy twin_park_lost twin_release msg_desync msg_refused)"
out=$(pipeline T2c base:/__slow gray)
assert_eq "T2c behind a reply that takes 2 s, the held gray request waits its turn" \
	"a-base a-gray" "$out"
assert_eq "T2c ... held, not lost or taken for an orphan" \
	"twin_busy=0 twin_parked=1 twin_park_lost=0" \
	"$(deltas T2c-a T2c-b twin_busy twin_parked twin_park_lost)"
assert_eq "T2c ... and the daemon asked for no twin again" "0" "$(log_count d 'event=twin_unpark')"

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

# owed OUT STEPS...: keepalive.py steps in the background (its pid in OWED),
# after a first gray request brought its twin up; returns once the steps
# before STEPS are done and the next (a gray:/__slow: a reply owed on the
# twin) has been sent
owed() {
	local out=$1 ready=$E2E_TMP/owed.$RANDOM; shift
	steps warm ready:"$ready" "$@" >"$out" &
	OWED=$!
	for _ in $(seq 100); do [[ -e $ready ]] && break; sleep 0.1; done
	sleep 0.3
}

# T6: the twin keeper (user/daemon/keeper.h) holds a reference to every
# twin, so twins outlive the daemon
keeper_pid() { pgrep -f -- "graylaned --twin-keeper --pin-root $PIN( |\$)" | head -1; }
keeper=$(keeper_pid)
assert_match "T6 a twin keeper runs beside the daemon, a process of its own" "^[0-9]+$" "$keeper"
assert_eq "T6 graylane status sees it" "true" "$(json_field "$(status_json "$PIN")" twin_keeper)"

# T6a: graylaned killed (SIGKILL) while a reply is owed on a twin: the reply
# still reaches the client (the kernel redirects it; the keeper kept the
# twin open), and the next daemon takes the twin over
snap "$PIN" h
owed "$E2E_TMP/t6.out" gray:/__slow gray base gray
t6=$OWED
stop_daemon d KILL
start_daemon d2 "$M" "$PIN" "$RULES"
wait "$t6"
snap "$PIN" i
assert_eq "T6a daemon killed with a reply owed on a twin: the reply arrives, the connection goes on in its lanes" \
	"a-gray a-gray a-base a-gray" "$(cat "$E2E_TMP/t6.out")"
assert_eq "T6a nothing broken, nothing lost" "msg_refused=0 twin_broken=0 twin_park_lost=0" \
	"$(deltas h i msg_refused twin_broken twin_park_lost)"
assert_eq "T6a the same keeper" "$keeper" "$(keeper_pid)"
assert_match "T6a the next daemon took the twin over from the keeper" "event=keeper_adopt twins=[1-9]" \
	"$(grep -o 'event=keeper_adopt twins=[0-9]*' "${DAEMON_LOG[d2]}")"

# T6f: a twin taken over twice (two daemons killed in turn while its
# connection waits): each daemon adopts it once, and the keeper is handed
# back only what it does not hold (it held a copy more with every restart)
# (within the servers' 3 s idle timeout: an idle twin its server closed is
# rightly closed by the keeper alone)
owed "$E2E_TMP/t6f.out" gray sleep:2.6 gray
t6=$OWED
stop_daemon d2 KILL
start_daemon d2b "$M" "$PIN" "$RULES"
wait_log d2b 'event=keeper_adopt' 1
stop_daemon d2b KILL
start_daemon d2c "$M" "$PIN" "$RULES"
wait_log d2c 'event=keeper_adopt' 1
wait "$t6"
assert_eq "T6f a twin taken over twice: each daemon adopts it once, the connection goes on in its lanes" \
	"twins=1 twins=1 a-gray a-gray" \
	"$(grep -ho 'event=keeper_adopt twins=[0-9]*' "${DAEMON_LOG[d2b]}" "${DAEMON_LOG[d2c]}" | cut -d' ' -f2 | tr '\n' ' ')$(cat "$E2E_TMP/t6f.out")"

# T6g: a request held for its connection's own lane (base, pipelined behind
# a slow gray one on the twin) when the daemon is killed: the next daemon
# finds it in gl_park and writes it back into the connection at its turn
# (within the base server's 3 s idle timeout of the connection)
snap "$PIN" h6g
run_as cli-base timeout 20 "$PY" "$KA" pipeline 10.77.100.1 80 gray:/__slow base --reuse \
	>"$E2E_TMP/t6g.out" 2>&1 &
t6=$!
sleep 0.4
stop_daemon d2c KILL
start_daemon d2d "$M" "$PIN" "$RULES"
wait "$t6"
snap "$PIN" i6g
assert_eq "T6g a request held for its own lane while the daemon was killed: written by the next one, in order" \
	"(a-gray) a-gray a-base" "$(cat "$E2E_TMP/t6g.out")"
assert_eq "T6g ... found in gl_park, written back into its connection, nothing lost" \
	"twin_park_lost=0 twin_release=1 msg_refused=0" \
	"$(deltas h6g i6g twin_park_lost twin_release msg_refused)"
assert_eq "T6g ... by the next daemon" 1 "$(log_count d2d event=twin_unpark)"

# T6b: a gray request on a new connection while no daemon runs: parked (the
# keeper's sink takes it), answered in its lane once a daemon is back
stop_daemon d2d
snap "$PIN" h2
steps --times gray >"$E2E_TMP/t6b.out" &
t6=$!
sleep 1.5
start_daemon d3 "$M" "$PIN" "$RULES"
wait "$t6"
snap "$PIN" i2
assert_match "T6b a request parked while no daemon ran: answered in its lane when one is back (after > 1 s)" \
	"^a-gray/[1-9][0-9]{3}\.[0-9]+ms$" "$(cat "$E2E_TMP/t6b.out")"
assert_eq "T6b counted parked, nothing lost" "twin_park_lost=0 twin_parked=1" \
	"$(deltas h2 i2 twin_park_lost twin_parked)"

# T6c: under load: a kept-alive client alternating lanes (bodies to 256 KiB)
# while the daemon is killed and another started
snap "$PIN" h3
run_as cli-base timeout 120 "$PY" "$KA" mix 10.77.100.1 80 --requests 1000 --max-body 262144 \
	--seed 6 --out "$E2E_TMP/t6c.txt" >"$E2E_TMP/t6c.err" 2>&1 &
t6=$!
sleep 1
stop_daemon d3 KILL
mid=$(kill -0 "$t6" 2>/dev/null && echo running)
start_daemon d4 "$M" "$PIN" "$RULES"
wait "$t6"
rc=$?
snap "$PIN" i3
bad=$(grep -c ' bad' "$E2E_TMP/t6c.txt")
if ((rc == 0 && bad == 0)) && [[ $(wc -l <"$E2E_TMP/t6c.txt") == 1000 ]]; then
	pass "T6c daemon killed under load: 1000 requests, every reply complete and byte-exact"
else
	fail "T6c daemon killed under load: every reply byte-exact" "rc $rc, $bad bad: $(grep ' bad' "$E2E_TMP/t6c.txt" | head -3 | tr '\n' ';')"
fi
assert_eq "T6c ... every one in its lane (the first gray one parked for its twin)" "base->a-base=500 gray->a-gray=500" \
	"$(awk '{ print $2 "->" $5 }' "$E2E_TMP/t6c.txt" | tally)"
assert_eq "T6c nothing broken, nothing lost" "msg_refused=0 twin_broken=0 twin_park_lost=0" \
	"$(deltas h3 i3 msg_refused twin_broken twin_park_lost)"
assert_eq "T6c the daemon was killed in the middle of it, with twins up" "running twins=1" \
	"$mid $(grep -o "event=keeper_adopt twins=[0-9]*" "${DAEMON_LOG[d4]}" | cut -d' ' -f2)"

# T6d: the keeper killed too (a twin really lost, as with a container
# restart): the next daemon shuts that connection down from the kernel's
# event (the client reads its end, no hang), and twins work again
snap "$PIN" h4
owed "$E2E_TMP/t6d.out" gray:/__slow
t6=$OWED
keeper=$(keeper_pid)
stop_daemon d4 KILL
kill -KILL "$keeper"
for _ in $(seq 50); do [[ -z $(keeper_pid) ]] && break; sleep 0.1; done
assert_eq "T6d graylane status: no keeper" "false" "$(json_field "$(status_json "$PIN")" twin_keeper)"
# the next daemon's twin helpers take the path of hosts that refuse clone3:
# forked, then moved into the caller's cgroup (cgroup.procs)
GRAYLANED_TWIN_MIGRATE=1 start_daemon d5 "$M" "$PIN" "$RULES"
wait "$t6"
out=$(cat "$E2E_TMP/t6d.out")
snap "$PIN" i4
assert_match "T6d daemon and keeper killed with a reply owed on a twin: the client reads the end within seconds (it would wait 15)" \
	"^(RemoteDisconnected|IncompleteRead|ConnectionResetError)\(0 bytes\) after [0-9]\.[0-9] s$" "$out"
assert_eq "T6d counted once" "twin_broken=1" "$(deltas h4 i4 twin_broken)"
out=$(steps "${T3[@]}")
assert_match "T6d the next daemon, with a new keeper, opens twins again (its helpers forked and moved into the caller's cgroup)" \
	"^a-base a-gray a-gray a-gray a-base a-gray a-gray a-gray a-gray a-base$" "$out"
assert_ok "T6d ... by the path where clone3 is refused" grep -q "GRAYLANED_TWIN_MIGRATE: twins' helpers fork" \
	"${DAEMON_LOG[d5]}"
assert_match "T6d a new keeper" "^[0-9]+$" "$(k=$(keeper_pid); [[ $k != "$keeper" ]] && echo "$k")"
# T6e: a parked request whose event no daemon acted on (read by a daemon
# killed before it opened the twin, or lost to a full ring buffer: here the
# ring buffer is read by ringbuf_drain): the next daemon finds it in gl_park,
# from its socket's record, and asks for its twin again. It is of the
# default path (T9 times it) and serves the rest.
DRAIN=$E2E_TMP/ringbuf_drain
out=$(gcc -O2 -Wall -o "$DRAIN" "$E2E_DIR/ringbuf_drain.c" -lbpf 2>&1) || die "cannot build ringbuf_drain: $(oneline "$out")"
stop_daemon d5
snap "$PIN" h5
steps --times gray >"$E2E_TMP/t6e.out" &
t6=$!
sleep 0.5
drained=$("$DRAIN" "$PIN/gl_events")
g=$(generation "$PIN")
start_daemon d6 "$M" "$PIN" "$RULES"
wait "$t6"
snap "$PIN" i5
assert_match "T6e its event gone (ring buffer read: $drained records), the parked request is still answered in its lane" \
	"^a-gray/[0-9]+\.[0-9]+ms$" "$(cat "$E2E_TMP/t6e.out")"
assert_eq "T6e the daemon found it without its event" 1 "$(log_count d6 event=twin_unpark)"
assert_eq "T6e nothing lost" "twin_park_lost=0 twin_parked=1" "$(deltas h5 i5 twin_park_lost twin_parked)"
wait_generation "$PIN" $((g + 1)) "${DAEMON_PID[d6]}" || fail "T6 a daemon of the default path again" "not up"

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

# T11: twins open side by side: one whose connect hangs (a-gray's IPv4
# address points at a MAC nobody has, in the client's netns: its SYNs go
# unanswered) holds up no other. A v4 connection's first gray request is
# parked for a twin that cannot connect; a v6 connection's, sent after, is
# answered at once, while the v4 one still waits (its connection is shut
# down when the twin's connect gives up, 0.4 s).
in_ns cli-base ip neigh replace 10.77.0.12 lladdr 02:00:00:00:0e:12 dev eth0 nud permanent
snap "$PIN" t11a
(run_as cli-base timeout 30 "$PY" "$KA" steps 10.77.100.1 80 gray 2>&1; date +%s.%N) >"$E2E_TMP/t11.v4" &
t11=$!
sleep 0.1
(run_as cli-base timeout 30 "$PY" "$KA" steps fd77:100::1 80 gray 2>&1; date +%s.%N) >"$E2E_TMP/t11.v6"
wait "$t11"
in_ns cli-base ip neigh del 10.77.0.12 dev eth0
snap "$PIN" t11b
v4=$(head -1 "$E2E_TMP/t11.v4") v6=$(head -1 "$E2E_TMP/t11.v6")
assert_match "T11 the v4 gray request, whose twin cannot connect: its connection shut down (no hang)" \
	"^(RemoteDisconnected|ConnectionResetError)\(0 bytes\) after 0\.[0-9] s$" "$v4"
assert_eq "T11 the v6 gray request, parked while the v4 twin was still opening: answered in its lane" "a-gray" "$v6"
assert_ok "T11 ... before the v4 one ended" awk -v a="$(tail -1 "$E2E_TMP/t11.v6")" \
	-v b="$(tail -1 "$E2E_TMP/t11.v4")" 'BEGIN { exit !(a < b) }'
assert_eq "T11 one twin opened, one failed and its parked request counted lost" \
	"twin_add=1 twin_open_fail=1 twin_park_lost=1 twin_parked=2" \
	"$(deltas t11a t11b twin_add twin_open_fail twin_park_lost twin_parked)"

# T12: a keeper started on its own before the daemon (the DaemonSet's
# twin-keeper container): the daemon uses it and starts none, and a reply
# owed across the daemon's SIGKILL arrives through it
stop_daemon d6
kill -KILL "$(keeper_pid)"
for _ in $(seq 50); do [[ -z $(keeper_pid) ]] && break; sleep 0.1; done
spawn "$E2E_TMP/keeper.log" "$CG_CTL" - "$GRAYLANED" --twin-keeper --pin-root "$PIN"
kpid=$SPAWNED
g=$(generation "$PIN")
start_daemon d7 "$M" "$PIN" "$RULES"
wait_generation "$PIN" $((g + 1)) "${DAEMON_PID[d7]}" || fail "T12 a daemon beside a keeper of its own" "not up"
assert_eq "T12 the daemon uses the keeper it found, starting none" "$kpid 0" \
	"$(keeper_pid) $(log_count d7 event=keeper_start)"
snap "$PIN" t12a
owed "$E2E_TMP/t12.out" gray:/__slow base
t12=$OWED
stop_daemon d7 KILL
start_daemon d8 "$M" "$PIN" "$RULES"
wait "$t12"
snap "$PIN" t12b
assert_eq "T12 a reply owed across the daemon's SIGKILL arrives through that keeper" "a-gray a-base" \
	"$(cat "$E2E_TMP/t12.out")"
assert_eq "T12 nothing broken" "twin_broken=0" "$(deltas t12a t12b twin_broken)"
assert_ok "T12 the keeper said it handed its twins over" grep -q "event=keeper_handover twins=[1-9]" "$E2E_TMP/keeper.log"

# T4
assert_eq "T4 no twin left once the connections closed" "0" "$(sleep 2; twins_held)"
assert_eq "T4 nothing was refused or dropped" "msg_refused=0 reply_redirect_fail=0" \
	"$(deltas T1a-a e msg_refused reply_redirect_fail)"
finish
