#!/bin/bash
# The reference scenario through an unmodified nginx gateway whose upstream
# connections to service A are kept alive (keepalive 4, HTTP/1.1): one
# upstream connection carries gray and base requests in turn, so every hop
# from nginx to A needs per-request steering (twins, DESIGN.md Decisions 4).
#
#   client (outside) -> nginx (entry, upstream keepalive) -> A -> B -> C
#
#   G1 200 requests alternating location: cn-shenzhen (gray) and none (base)
#      over nginx's few kept-alive upstream connections: every base one the
#      base chain, every gray one the gray chain (the first of each upstream
#      connection parked until its twin was up)
#   G3 each request (the lane header written in by the agent) left the
#      gateway in one TCP segment
#   G2 twins opened for nginx's upstream connections, requests through them,
#      nothing refused or lost
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/scenario_up.sh"
scenario_keepalive_up

BASE=$(scn_chain base)
GRAY=$(scn_chain gray)
N=200
snap "$PIN" a
for ((i = 0; i < N; i++)); do
	if ((i % 2)); then
		echo "gray $(scn_get /a -H "location: cn-shenzhen")"
	else
		echo "base $(scn_get /a)"
	fi
done >"$E2E_TMP/g1.txt"
snap "$PIN" b
read -r gg gx bb bx < <(awk -v g="$GRAY" -v b="$BASE" '
	{ lane = $1; sub(/^[a-z]+ /, "") }
	lane == "gray" && $0 == g { gg++ } lane == "gray" && $0 != g { gx++; if (gx <= 3) print "gray got: " $0 > "/dev/stderr" }
	lane == "base" && $0 == b { bb++ } lane == "base" && $0 != b { bx++; if (bx <= 3) print "base got: " $0 > "/dev/stderr" }
	END { print gg + 0, gx + 0, bb + 0, bx + 0 }' "$E2E_TMP/g1.txt" 2>"$E2E_TMP/g1.odd")
echo "# gray chain $gg, gray off it $gx, base chain $bb, base off it $bx"
assert_eq "G1 every base request got the base chain" "$((N / 2))" "$bb"
odd_ok=1
while read -r line; do
	[[ $line == "gray got: "* && ${line#gray got: } == "a-base -> "* ]] || odd_ok=0
done <"$E2E_TMP/g1.odd"
read -r mism missing < <(deltas a b lane_mismatch twin_missing | sed 's/[a-z_]*=//g')
if ((gx == 0 && mism == 0)); then
	pass "G1 gray requests on the gray chain ($gg; the first of each upstream connection parked until its twin was up), $gx off it, each counted"
else
	fail "G1 every gray request on the gray chain" \
		"$gx off it (lane_mismatch $mism, twin_missing $missing): $(oneline "$(cat "$E2E_TMP/g1.odd")")"
fi
# G3: every request left the gateway in one TCP segment. nginx leaves Nagle
# on for upstream connections; the lane header graylane writes in is a
# scatterlist element of its own, and without joining it to the request the
# request line went alone and the rest waited for the server's delayed ACK
# (40 ms a request on a kept-alive connection). The kernel's count per socket
# (ss: data_segs_out) over nginx's upstream connections and their twins, all
# still open (keepalive).
segs=$(in_ns gateway ss -tinH state established '( dport = :8080 )' |
	grep -o 'data_segs_out:[0-9]*' | awk -F: '{ n += $2 } END { print n + 0 }')
assert_eq "G3 one data segment per request from the gateway to A (upstream connections and twins)" "$N" "$segs"
read -r added tsend parked < <(deltas a b twin_add twin_send twin_parked | sed 's/[a-z_]*=//g')
if ((added >= 1 && added <= 8 && parked == added && tsend + parked == N / 2)); then
	pass "G2 $added twins for nginx's upstream connections: $parked first requests parked for them, $tsend through them"
else
	fail "G2 twins for nginx's upstream connections" "twin_add $added twin_send $tsend"
fi
assert_eq "G2 nothing refused, out of step or lost" \
	"msg_desync=0 msg_refused=0 reply_redirect_fail=0 twin_open_fail=0 twin_redirect_fail=0" \
	"$(deltas a b msg_desync msg_refused reply_redirect_fail twin_open_fail twin_redirect_fail)"
finish
