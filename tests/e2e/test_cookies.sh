#!/bin/bash
# Cookie rules read every Cookie line, as servers join them ("a=1" and
# "lane=gray" on two lines are "a=1; lane=gray"), through an unmodified
# nginx gateway: client -> nginx (entry) -> A -> B -> C. Before, only the
# first Cookie line was read and a lane cookie on a later line was missed.
# Over GL_HTTP_COOKIE_LINES_MAX (8) lines the cookies cannot be read exactly:
# a cookie item matches nothing (the request stays base) and it is counted.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/scenario_up.sh"
scenario_up
write_rules "$RULES" cookie.yaml <<'YAML'
apiVersion: traffic.opensergo.io/v1alpha1
kind: TrafficLabelRule
metadata:
  name: lane-cookie
spec:
  selector:
    app: spring-cloud-zuul
  trafficLabel: gray
  match:
  - condition: "=="
    type: cookie
    key: lane
    value: gray
YAML
wait_generation "$PIN" 2 "$DPID" || die "daemon did not apply the cookie rule"
scn_start_gateway "$E2E_TMP/nginx"
pass "nginx gateway, 6 deployments and graylaned with a lane=gray cookie rule up"

BASE=$(scn_chain base)
GRAY=$(scn_chain gray)

# chain NAME WANT [CURL ARGS...]: one request through the gateway
chain() {
	local name=$1 want=$2 got; shift 2
	got=$(scn_get /a "$@")
	[[ $got == "$want" ]] && pass "$name: $got" ||
		fail "$name" "expected $want, got: $(oneline "$got" | cut -c1-300)"
}

snap "$PIN" a
chain "K1 one Cookie line 'a=1; lane=gray': gray" "$GRAY" -H "Cookie: a=1; lane=gray"
chain "K2 two Cookie lines 'a=1' and 'lane=gray': gray" "$GRAY" \
	-H "Cookie: a=1" -H "Cookie: lane=gray"
chain "K3 the lane cookie on the third of three lines: gray" "$GRAY" \
	-H "Cookie: a=1" -H "X-Between: x" -H "cookie: b=2" -H "COOKIE:  lane=gray "
chain "K4 the first line's cookie wins ('lane=blue', then 'lane=gray'): base" "$BASE" \
	-H "Cookie: lane=blue" -H "Cookie: lane=gray"
chain "K5 'lane=gray' in another header, not a cookie: base" "$BASE" \
	-H "Cookie: a=1" -H "X-Cookie: lane=gray"
snap "$PIN" b
assert_eq "K1-K5 no head with too many Cookie lines" "rule_cookies_unread=0" \
	"$(deltas a b rule_cookies_unread)"
cookies=()
for i in $(seq 1 8); do cookies+=(-H "Cookie: c$i=$i"); done
chain "K6 the lane cookie on the ninth Cookie line (more than can be read): base" "$BASE" \
	"${cookies[@]}" -H "Cookie: lane=gray"
chain "K7 the lane cookie on the eighth line (all read): gray" "$GRAY" \
	"${cookies[@]:0:14}" -H "Cookie: lane=gray"
snap "$PIN" c
read -r unread < <(deltas b c rule_cookies_unread | sed 's/[a-z_]*=//')
if ((unread >= 1)); then
	pass "K6 counted: rule_cookies_unread=$unread"
else
	fail "K6 counted" "rule_cookies_unread=$unread"
fi
assert_eq "no request was sent in another lane than its connection's" "lane_mismatch=0" \
	"$(deltas a c lane_mismatch)"
finish
