#!/bin/bash
# A connection pool under load (issue 10): many kept-alive connections at
# once, each carrying requests of both lanes in random order, with bodies
# from nothing to 1 MiB (Content-Length and chunked) and some requests
# pipelined in pairs. Real HTTP servers, real bytes, every reply checked.
#
#   client    cli-base (no lane): tests/e2e/keepalive.py pool, raw sockets
#   service   a  VIP 10.77.100.1 :80 -> a-base, a-gray :8080
#
#   P1 every request answered, every reply byte-exact, none lost
#   P2 every request on an endpoint of another lane than its own is counted
#      (lane_mismatch): a first gray one of a connection too large to park
#      until its twin is up (docs/limitations.md L9), and pipelined pairs kept
#      in order
#   P3 the counters add up: requests, final responses, requests through twins
#   P4 nothing refused, out of step, lost in a redirect; no twin left after
#
# GL_POOL_REQUESTS (default 100000) and GL_POOL_CONNECTIONS (64) size it.
. "$(dirname "$0")/lib.sh"
e2e_init
need_daemon

KA=$E2E_DIR/keepalive.py
N=${GL_POOL_REQUESTS:-100000}
C=${GL_POOL_CONNECTIONS:-64}
N=$((N / C * C))
one_client_a

f=$E2E_TMP/pool.txt
snap "$PIN" a
t0=$(date +%s.%N)
run_as cli-base timeout 600 "$PY" "$KA" pool 10.77.100.1 80 --requests "$N" --connections "$C" \
	--out "$f" >"$E2E_TMP/pool.err" 2>&1
rc=$?
t1=$(date +%s.%N)
snap "$PIN" b
echo "# $N requests over $C connections in $(echo "$t1 - $t0" | bc) s"

bad=$(grep -c ' bad' "$f")
lines=$(wc -l <"$f")
if ((rc == 0 && bad == 0 && lines == N)); then
	pass "P1 $N requests over $C kept-alive connections: every one answered, every reply byte-exact"
else
	fail "P1 every request answered and byte-exact" "rc $rc, $lines lines, $bad bad: $(grep ' bad' "$f" | head -3 | tr '\n' ';') $(oneline "$(cat "$E2E_TMP/pool.err")")"
fi
read -r gray_gray gray_base base_base base_gray < <(awk '
	$3 == "gray" && $6 == "a-gray" { gg++ } $3 == "gray" && $6 == "a-base" { gb++ }
	$3 == "base" && $6 == "a-base" { bb++ } $3 == "base" && $6 == "a-gray" { bg++ }
	END { print gg + 0, gb + 0, bb + 0, bg + 0 }' "$f")
echo "# generation $(generation "$PIN") $(deltas a b msg_label_context msg_label_header msg_label_workload recv_head twin_missing twin_busy twin_untracked twin_redirect_fail)"
echo "# gray->a-gray $gray_gray, gray->a-base $gray_base, base->a-base $base_base, base->a-gray $base_gray"
read -r mism missing busy < <(deltas a b lane_mismatch twin_missing twin_busy | sed 's/[a-z_]*=//g')
assert_eq "P2 every request off its lane counted: lane_mismatch = gray on a-base + base on a-gray" \
	"$((gray_base + base_gray))" "$mism"
if ((gray_base <= missing + busy && base_gray <= busy)); then
	pass "P2 each one a first gray request too large to park ($missing) or one kept in order behind a pipelined one ($busy) # KNOWN LIMITATION: $gray_base gray requests on a-base, $base_gray base on a-gray (docs/limitations.md L9)"
else
	fail "P2 each off-lane request explained" "gray->a-base $gray_base base->a-gray $base_gray, twin_missing $missing twin_busy $busy"
fi
assert_ge "P2 the daemon's log names them (workload, service, lanes)" 1 \
	"$(log_count d 'event=lane_mismatch workload=cli-base service=a request_lane=gray connection_lane=base')"
read -r req resp tsend parked < <(deltas a b msg_request reply_response twin_send twin_parked | sed 's/[a-z_]*=//g')
assert_eq "P3 requests parsed, final responses counted, requests through twins or parked for them = replies from a-gray" \
	"$N $N $((gray_gray + base_gray))" "$req $resp $((tsend + parked))"
assert_eq "P4 nothing refused, out of step or lost" \
	"msg_desync=0 msg_refused=0 reply_redirect_fail=0 reply_untracked=0 twin_open_fail=0 twin_park_lost=0 twin_redirect_fail=0" \
	"$(deltas a b msg_desync msg_refused reply_redirect_fail reply_untracked twin_open_fail twin_park_lost twin_redirect_fail)"
sleep 2
assert_eq "P4 no twin left once the pool closed" "0" \
	"$("$GRAYLANE" --pin-root "$PIN" dump gl_twin_of --json 2>/dev/null | grep -c '"key"')"
finish
