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
#      (lane_mismatch), and is one the kernel cannot hold (docs/limitations.md
#      L9): over 8 KiB as sent, or the first gray one of its connection when
#      it is not alone in its send (its twin not up yet). Every other one,
#      the second of a pipelined pair too, is in its lane
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
if ((gray_base + base_gray <= missing + busy)); then
	pass "P2 each one counted where it was kept: twin_missing $missing, twin_busy $busy"
else
	fail "P2 each off-lane request counted" "gray->a-base $gray_base base->a-gray $base_gray, twin_missing $missing twin_busy $busy"
fi
# Which off-lane requests the kernel could have held: more than ~8 KiB as
# sent (a head of up to 250 bytes, chunk lines), or a connection's first gray
# request, pipelined (its twin is not up, and it is not alone in its send).
read -r small big first < <("$PY" - "$f" <<'PYEOF'
import sys
small = big = first = 0
pos, grayseen = {}, {}
for line in open(sys.argv[1]):
    w = line.split()
    if len(w) < 7 or w[6] != "ok":
        continue
    conn, lane, method, size, served = w[0], w[2], w[3], int(w[4]), w[5]
    piped = w[-1] == "pipelined"
    pos[conn] = pos.get(conn, 0) + 1 if piped else 0
    wire = size + 250 + (size // 7000 + 1) * 8 if method == "CHUNKED" else size + 250
    off = served != "a-" + lane
    was_first_gray = lane == "gray" and not grayseen.get(conn)
    if lane == "gray":
        grayseen[conn] = True
    if not off:
        continue
    if wire > 8192:
        big += 1
    elif was_first_gray and piped and pos[conn] % 2 == 1:
        first += 1
    else:
        small += 1
print(small, big, first)
PYEOF
)
assert_eq "P2 every request the kernel can hold is in its lane, pipelined ones too ($big over 8 KiB, $first first gray ones of a pipelined pair are not)" \
	"0" "$small"
if ((big + first > 0)); then
	pass "P2 # KNOWN LIMITATION: $big requests over 8 KiB and $first first gray requests sent with another before their twin was up went on the busy or base route (docs/limitations.md L9)"
fi
assert_ge "P2 the daemon's log names them (workload, service, lanes)" 1 \
	"$(log_count d 'event=lane_mismatch workload=cli-base service=a request_lane=gray connection_lane=base')"
read -r req resp tsend parked release < <(deltas a b msg_request reply_response twin_send twin_parked twin_release | sed 's/[a-z_]*=//g')
assert_eq "P3 requests parsed, final responses counted, requests through twins or parked for them (less those written back into their own connection) = replies from a-gray" \
	"$N $N $((gray_gray + base_gray))" "$req $resp $((tsend + parked - release))"
assert_eq "P4 nothing refused, out of step or lost" \
	"msg_desync=0 msg_refused=0 reply_redirect_fail=0 reply_untracked=0 twin_open_fail=0 twin_park_lost=0 twin_redirect_fail=0" \
	"$(deltas a b msg_desync msg_refused reply_redirect_fail reply_untracked twin_open_fail twin_park_lost twin_redirect_fail)"
sleep 2
assert_eq "P4 no twin left once the pool closed" "0" \
	"$("$GRAYLANE" --pin-root "$PIN" dump gl_twin_of --json 2>/dev/null | grep -c '"key"')"
finish
