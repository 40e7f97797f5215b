#!/bin/bash
# No lane from outside, through an unmodified nginx gateway whose upstream
# connections to service A are kept alive (one connection carries request
# after request): a propagation header an outside client sends never picks
# a lane, whatever the request around it. Before issue 10, a head the send
# path refused (PROPFIND, 140 header lines, five propagation lines, a head
# over 8 KiB) made it pass the rest of that upstream connection untouched,
# and A trusted the next outside x-opensergo-traffic: gray.
#
#   client (outside) -> nginx (entry, upstream keepalive) -> A -> B -> C
#
# Every request here carries x-opensergo-traffic: gray and no location
# header: its only right answer is the base chain, or an error when the
# head cannot be cleaned (the upstream send fails closed: nginx answers 502).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/scenario_up.sh"
# the services open a connection per request (the O cases count connections)
SCN_KEEPALIVE="" scenario_keepalive_up

BASE=$(scn_chain base)
OUT="x-opensergo-traffic: gray"

# outside NAME WANT [CURL ARGS...]: one request with the outside header; WANT
# is "base" (the base chain) or "refused" (502 from nginx: the upstream send
# failed closed). Shows what came back either way.
outside() {
	local name=$1 want=$2 got; shift 2
	got=$(scn_get /a -H "$OUT" "$@")
	case $want in
	base) [[ $got == "$BASE" ]] ;;
	refused) [[ $got == "HTTP 502 "* ]] ;;
	esac && pass "$name: $(oneline "$got" | cut -c1-120)" ||
		fail "$name" "expected $want, got: $(oneline "$got" | cut -c1-300)"
}

snap "$PIN" a
outside "O1 GET with an outside header: base chain" base
outside "O1 again (the upstream connection is kept)" base
snap "$PIN" b
# steered connections: nginx -> A once, then A -> B and B -> C per request
assert_eq "O1 the second request reused the first's upstream connection (1 + 2 x 2 connections)" \
	"sockhash_add=5" "$(deltas a b sockhash_add)"

outside "O2 PROPFIND with an outside header: base chain" base -X PROPFIND
outside "O2 then GET on the same upstream connection: base chain" base
fields=()
for i in $(seq 1 140); do fields+=(-H "X-Line-$i: v"); done
outside "O3 140 header lines: base chain" base "${fields[@]}"
outside "O3 then GET: base chain" base
snap "$PIN" c
assert_eq "O2-O3 the same upstream connection for all four (2 x 4 connections), nothing refused" \
	"sockhash_add=8 msg_refused=0" \
	"$(deltas b c sockhash_add msg_refused)"

outside "O4 five propagation lines (more than can be removed): refused" refused \
	-H "X-Opensergo-Traffic: gray" -H "X-MSE-Tag: gray" -H "x-mse-tag: gray" -H "X-OPENSERGO-TRAFFIC: gray"
outside "O4 then GET: base chain (a new upstream connection)" base
big=$(head -c 4500 /dev/zero | tr '\0' v)
outside "O5 a head over 8 KiB (two 4.5 KiB lines, which nginx takes): refused" refused \
	-H "X-Big-1: $big" -H "X-Big-2: $big"
outside "O5 then GET: base chain" base
snap "$PIN" d
# nginx retries a request whose kept-alive connection failed on a new one,
# which is refused too: at least one refused connection per case, each counted
read -r refused large < <(deltas c d msg_refused msg_too_large | sed 's/[a-z_]*=//g')
if ((refused >= 2 && refused == large)); then
	pass "O4-O5 upstream connections failed closed and counted: msg_refused=$refused msg_too_large=$large"
else
	fail "O4-O5 upstream connections failed closed and counted" "msg_refused=$refused msg_too_large=$large"
fi
snap "$PIN" e
assert_eq "no request was sent in another lane than its connection's" "lane_mismatch=0" \
	"$(deltas a e lane_mismatch)"
finish
