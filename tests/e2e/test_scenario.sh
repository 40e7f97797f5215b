#!/bin/bash
# The reference scenario (REFERENCE-SCENARIO.md) end to end, through an
# unmodified nginx gateway, with the demo's own pieces (demo/scenario.sh,
# demo/service.py, demo/chains.py) on this run's unique hosts and cgroups:
#
#   client (outside) -> nginx gateway (entry, app: spring-cloud-zuul)
#       -> A -> B -> C   (services at 10.77.100.x; base and gray deployments;
#                         no service forwards a header)
#
#   R  the write-up's requests: location: cn-shenzhen -> gray chain; no header or
#      another location -> base chain; a propagation header sent from outside
#      picks no lane
#   L  2000 requests, mixed lanes, 8 concurrent keep-alive clients: every answer
#      its lane's chain, /__count of each deployment agrees, lane_mismatch 0
#   C  one TrafficLabelRule per condition and match type (extra rules, each
#      ANDed with its own x-case header so cases never overlap; priorities
#      order them), a matching and a non-matching request each
#   F  B's gray deployment removed: A-gray -> B-base -> C-gray
#
# GL_SCENARIO_KEEPALIVE=1 (tests/e2e/test_scenario_keepalive.sh): the same
# with every connection kept alive: the gateway's upstream (keepalive 4) and
# each service's pool to its next hop, so requests of both lanes share
# connections at every hop (twins), and F's fallback moves gray requests off
# connections already open to b-gray.
#
# Until the kernel labels requests (read tracepoints, connect by the thread's
# context label, sk_msg propagation header), only cases whose answer is the
# base chain pass: the gateway is a base workload.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/scenario_up.sh"
if [[ -n ${GL_SCENARIO_KEEPALIVE:-} ]]; then
	scenario_keepalive_up   # test_scenario_keepalive.sh: every hop kept alive
	g=$(generation "$PIN")
else
	scenario_up
	g=$(generation "$PIN")
	scn_start_gateway "$E2E_TMP/nginx"
	pass "nginx gateway, 6 deployments and graylaned (generation $g) up"
fi
# every process of the scenario runs in its workload's cgroup (nginx's worker too)
where=$(for w in "${SCN_WORKLOADS[@]}"; do
	printf '%s:%s ' "$w" "$(xargs -r -n1 -I{} cat /proc/{}/comm <"${WL_CG[$w]}/cgroup.procs" 2>/dev/null | sort | tr '\n' ,)"
done)
assert_eq "S1 nginx (master, worker) and each service.py run in their workload's cgroup" \
	"gateway:nginx,nginx, a-base:python3, a-gray:python3, b-base:python3, b-gray:python3, c-base:python3, c-gray:python3, " \
	"$where"

GRAY=$(scn_chain gray)
BASE=$(scn_chain base)
FALLBACK=$(scn_chain gray b-gray)

# Time budget: a data path that makes requests hang (curl gives up after 10 s
# each) must not push the script past run.sh's limit; the cases left are then
# reported as not ok, not skipped.
BUDGET_END=$((SECONDS + ${GL_SCENARIO_BUDGET:-100}))

# check_chain NAME EXPECTED N PATH [CURL ARGS...]: N requests from the client
# host through the gateway; ok when every answer is EXPECTED. Both ok and not
# ok lines show what was observed.
check_chain() {
	local name=$1 want=$2 n=$3 path=$4 i seen; shift 4
	if ((SECONDS >= BUDGET_END)); then
		fail "$name" "not run: the scenario's time budget is spent (earlier requests hung)"
		return
	fi
	seen=$(for ((i = 0; i < n; i++)); do scn_get "$path" "$@"; done |
		sort | uniq -c | awk '{ c = $1; sub(/^ *[0-9]+ /, ""); printf "%s%s (x%d)", (NR > 1 ? "; " : ""), $0, c }')
	if [[ $seen == "$want (x$n)" ]]; then
		pass "$name: $seen"
	else
		fail "$name" "expected $want (x$n), observed: $seen"
	fi
	explain_agrees "$name" "${seen%% (x*}" gateway "${SCN_VIP[a]}:80" "$path" "$@"
}

# explain_agrees NAME CHAIN WORKLOAD ADDR PATH [CURL ARGS...]: graylane explain,
# asked about the request scn_get sends with these curl arguments as WORKLOAD
# receives it and calls ADDR, names the lane and the one endpoint the kernel
# really used: CHAIN's lane (gray if any hop is) and its hop into ADDR's service.
explain_agrees() {
	local name=$1 chain=$2 wl=$3 to=$4 path=$5 method="" host="" ex=() out got hop; shift 5
	while (($#)); do
		case $1 in
		-H) ex+=(-H "$2"); [[ ${2,,} == host:* ]] && host=1; shift 2 ;;
		-X) method=$2; shift 2 ;;
		-d) method=${method:-POST}; ex+=(-H "Content-Length: ${#2}"); shift 2 ;;
		-g) shift ;;
		--connect-to) shift 2 ;;
		*) fail "$name: explain agrees" "no explain option for curl's $1"; return ;;
		esac
	done
	[[ -n $method ]] && ex+=(--method "$method")
	[[ -n $host ]] || ex+=(-H "Host: $SCN_GW")
	out=$("$GRAYLANE" --pin-root "$PIN" --json explain --rules "$RULES" --from "$wl" --to "$to" \
		--path "$path" "${ex[@]}" 2>"$E2E_TMP/explain.err")
	got=$("$PY" -c '
import json, sys
try:
    e = json.loads(sys.argv[1])
    print("lane %s, endpoints %s%s" % (e["lane"], " ".join(sorted(x["workload"] for x in e["endpoints"])),
          " (fallback)" if e["fallback"] else ""))
except Exception:
    print("no answer: %r" % (sys.argv[1][:300] + open(sys.argv[2]).read()[-300:]))' "$out" "$E2E_TMP/explain.err")
	# the hop into the service ADDR belongs to: a-*, b-* or c-*
	for hop in ${chain//->/ }; do
		[[ ${SCN_VIP[${hop%%-*}]}:80 == "$to" ]] && break
	done
	local lane=base fb=""
	[[ $chain == *-gray* ]] && lane=gray
	[[ $lane == gray && $hop == *-base ]] && fb=" (fallback)"
	assert_eq "$name: explain agrees" "lane $lane, endpoints $hop$fb" "$got"
}

# check_mismatch NAME: gl_stats.lane_mismatch exists and is 0
check_mismatch() {
	local j v
	j=$(scn_stats_json "$PIN")
	if ! v=$(json_field "$j" gl_stats.lane_mismatch); then
		fail "$1" "no lane_mismatch counter in 'graylane dump gl_stats --json' (the send path that counts it is not in this build)"
	else
		assert_eq "$1" 0 "$v"
	fi
}

# apply NAME: the same daemon applies the next generation
apply() {
	if wait_generation "$PIN" $((g + 1)) "$DPID" >"$E2E_TMP/apply.out"; then
		g=$(generation "$PIN")
		pass "$1: generation $g"
	else
		fail "$1" "no generation $((g + 1)): $(oneline "$(cat "$E2E_TMP/apply.out")")"
	fi
}

# ---------------------------------------------------------------- R: the write-up
check_chain "R1 location: cn-shenzhen -> gray chain" "$GRAY" 3 /a -H "location: cn-shenzhen"
check_chain "R2 no location header -> base chain" "$BASE" 3 /a
check_chain "R3 location: cn-beijing -> base chain" "$BASE" 3 /a -H "location: cn-beijing"
check_chain "R4 header name case-insensitive (LOCATION: cn-shenzhen) -> gray chain" "$GRAY" 2 /a \
	-H "LOCATION: cn-shenzhen"
check_chain "R5 == is exact (location: cn-shenzhen-x) -> base chain" "$BASE" 2 /a -H "location: cn-shenzhen-x"
check_chain "R6 client over IPv6 to the gateway, location: cn-shenzhen -> gray chain" "$GRAY" 2 /a \
	-g --connect-to "$SCN_GW:80:[$SCN_GW6]:80" -H "location: cn-shenzhen"
check_chain "R7 x-opensergo-traffic: gray sent from outside -> base chain (no hop gray)" "$BASE" 3 /a \
	-H "x-opensergo-traffic: gray"
check_chain "R8 x-mse-tag: gray sent from outside -> base chain (no hop gray)" "$BASE" 2 /a -H "x-mse-tag: gray"
check_chain "R9 location: cn-beijing plus x-opensergo-traffic: gray from outside -> base chain" "$BASE" 2 /a \
	-H "location: cn-beijing" -H "x-opensergo-traffic: gray"

# ---------------------------------------------------------------- L: load
KINDS=$E2E_TMP/kinds.json
"$PY" -c '
import json, sys
gray, base = sys.argv[1], sys.argv[2]
json.dump([
    {"name": "shenzhen", "headers": {"location": "cn-shenzhen"}, "expect": gray},
    {"name": "none", "headers": {}, "expect": base},
    {"name": "beijing", "headers": {"location": "cn-beijing"}, "expect": base},
    {"name": "outside-header", "headers": {"x-opensergo-traffic": "gray"}, "expect": base},
], open(sys.argv[3], "w"))' "$GRAY" "$BASE" "$KINDS" || die "cannot write $KINDS"
before=$(scn_counts)
left=$((BUDGET_END - SECONDS - 20))
# 40 s is plenty on hardware; a TCG guest of the kernel matrix gives more
((left > ${GL_SCENARIO_LOAD_SECONDS:-40})) && left=${GL_SCENARIO_LOAD_SECONDS:-40}
((left < 5)) && left=5
out=$(in_ns "$SCN_CLIENT" timeout $((left + 15)) "$PY" "$CHAINS_PY" "$SCN_GW" 80 --kinds "$KINDS" \
	--requests 2000 --clients 8 --seed 7 --deadline "$left" --timeout 10)
after=$(scn_counts)
res=$("$PY" -c '
import json, sys
try:
    r = json.loads(sys.argv[1])
except Exception:
    print("FAIL chains.py gave no result: %r" % sys.argv[1][:300]); sys.exit()
kinds = " ".join("%s=%d/%d" % (k, v["ok"], v["sent"]) for k, v in sorted(r["kinds"].items()))
desc = "%d/2000 as expected (wrong %d, errors %d, not sent in time %d; ok/sent by kind: %s) over %d connections in %.1f s" % (
    r["ok"], r["wrong"], r["errors"], r["unsent"], kinds, r["connections"], r["seconds"])
if r["ok"] == r["total"] == 2000:
    print("PASS " + desc)
else:
    print("FAIL " + desc + "; first: " + " | ".join(r["bad"][:3]))
b = dict(l.split("=") for l in sys.argv[2].split())
a = dict(l.split("=") for l in sys.argv[3].split())
delta = {k: int(a[k]) - int(b[k]) for k in a}
served = {k: r["served"].get(k, 0) for k in delta}
line = " ".join("%s=%d" % (k, delta[k]) for k in sorted(delta))
if delta == served:
    print("PASS " + line)
else:
    print("FAIL /__count deltas %s; the answers say %s" % (line, " ".join(
        "%s=%d" % (k, served[k]) for k in sorted(served))))
' "$out" "$before" "$after")
l1=$(sed -n 1p <<<"$res")
l2=$(sed -n 2p <<<"$res")
if [[ $l1 == PASS* ]]; then pass "L1 2000 mixed requests, 8 keep-alive clients, every answer its lane's chain: ${l1#PASS }"
else fail "L1 2000 mixed requests, 8 keep-alive clients, every answer its lane's chain" "${l1#FAIL }"; fi
if [[ $l2 == PASS* ]]; then pass "L2 per-deployment /__count deltas agree with the answers: ${l2#PASS }"
else fail "L2 per-deployment /__count deltas agree with the answers" "${l2#FAIL }"; fi
check_mismatch "L3 lane_mismatch is 0 after the load"

# ---------------------------------------------------------------- C: conditions and types
# tlr NAME PRIORITY LANE CASE [CONDITION TYPE KEY VALUE]...: a TrafficLabelRule
# for the gateway whose first item is "header x-case == CASE"; KEY or VALUE "-"
# when the item has none
tlr() {
	local name=$1 prio=$2 lane=$3 case=$4; shift 4
	cat <<EOF
---
apiVersion: traffic.opensergo.io/v1alpha1
kind: TrafficLabelRule
metadata:
  name: $name
spec:
  selector:
    app: spring-cloud-zuul
  trafficLabel: $lane
  priority: $prio
  match:
  - condition: "=="
    type: header
    key: x-case
    value: '$case'
EOF
	while (($# >= 4)); do
		echo "  - condition: \"$1\""
		echo "    type: $2"
		[[ $3 != - ]] && echo "    key: '$3'"
		[[ $4 != - ]] && echo "    value: '$4'"
		shift 4
	done
}

# percentage: FNV-1a-32 of the raw value, mod 100, below N matches. P_IN's
# bucket is N-1 (just below), P_OUT's is N (just not below).
read -r P_IN P_N P_OUT P_IN_B P_OUT_B <<<"$("$PY" -c '
def fnv(s):
    h = 0x811c9dc5
    for b in s.encode():
        h = ((h ^ b) * 0x01000193) & 0xffffffff
    return h % 100
vals = ["user-%d" % i for i in range(1, 5000)]
vin = next(v for v in vals if 10 <= fnv(v) <= 90)
n = fnv(vin) + 1
vout = next(v for v in vals if fnv(v) == n)
print(vin, n, vout, fnv(vin), fnv(vout))')"
[[ -n $P_OUT_B ]] || die "could not pick percentage values"

{
	tlr case-eq-method 10 gray eq-method == method - POST
	tlr case-eq-path 11 gray eq-path == path - /only
	tlr case-ne-cookie 12 gray ne-cookie != cookie user bob
	tlr case-prefix-path 13 gray prefix-path prefix path - /gray/
	tlr case-suffix-host 14 gray suffix-host suffix host - .gray.example
	tlr case-contains-param 15 gray contains-param contains param q gray
	tlr case-in-header 16 gray in-header in header x-region "cn-shenzhen, cn-hangzhou"
	tlr case-notin-method 17 gray notin-method not_in method - "GET, HEAD"
	tlr case-exists-cookie 18 gray exists-cookie exists cookie canary -
	tlr case-pct-header 19 gray pct-header percentage header x-user-id "$P_N"
	tlr case-eq-param 20 gray eq-param == param env gray
	tlr case-eq-host 21 gray eq-host == host - gray.example
	tlr case-and 22 gray and == header x-a 1 == param b 2
	# priority: lower first, whatever the names; ties by name
	tlr case-prio-z-gray -5 gray prio
	tlr case-prio-a-blue 5 blue prio
	tlr case-tie-a-gray 7 gray tie
	tlr case-tie-b-blue 7 blue tie
} | write_rules "$RULES" conditions.yaml
assert_ok "C0 rules with conditions.yaml validate (a warning for lane blue: no workload)" \
	"$GRAYLANE" validate "$RULES"
apply "C0 conditions.yaml applied by the same daemon"

check_chain "C1 == method POST: POST matches" "$GRAY" 1 /a -H "x-case: eq-method" -d ''
check_chain "C1 == method POST: GET does not" "$BASE" 1 /a -H "x-case: eq-method"
check_chain "C2 == path /only: /only?from=q matches (path without query)" "$GRAY" 1 "/only?from=q" -H "x-case: eq-path"
check_chain "C2 == path /only: /only/more does not" "$BASE" 1 /only/more -H "x-case: eq-path"
check_chain "C3 != cookie user bob: user=alice matches" "$GRAY" 1 /a -H "x-case: ne-cookie" -H "Cookie: user=alice"
check_chain "C3 != cookie user bob: user=bob does not" "$BASE" 1 /a -H "x-case: ne-cookie" -H "Cookie: id=7; user=bob"
check_chain "C3 != cookie user bob: no cookie matches (missing field)" "$GRAY" 1 /a -H "x-case: ne-cookie"
check_chain "C4 prefix path /gray/: /gray/a matches" "$GRAY" 1 /gray/a -H "x-case: prefix-path"
check_chain "C4 prefix path /gray/: /a/gray/ does not" "$BASE" 1 /a/gray/ -H "x-case: prefix-path"
check_chain "C5 suffix host .gray.example: shop.gray.example matches" "$GRAY" 1 /a -H "x-case: suffix-host" \
	-H "Host: shop.gray.example"
check_chain "C5 suffix host .gray.example: shop.example does not" "$BASE" 1 /a -H "x-case: suffix-host" \
	-H "Host: shop.example"
check_chain "C6 contains param q gray: q=xgrayx matches" "$GRAY" 1 "/a?q=xgrayx" -H "x-case: contains-param"
check_chain "C6 contains param q gray: q=blue&other=gray does not" "$BASE" 1 "/a?q=blue&other=gray" \
	-H "x-case: contains-param"
check_chain "C7 in header x-region: cn-hangzhou matches" "$GRAY" 1 /a -H "x-case: in-header" -H "x-region: cn-hangzhou"
check_chain "C7 in header x-region: cn-beijing does not" "$BASE" 1 /a -H "x-case: in-header" -H "x-region: cn-beijing"
check_chain "C8 not_in method GET, HEAD: DELETE matches" "$GRAY" 1 /a -H "x-case: notin-method" -X DELETE
check_chain "C8 not_in method GET, HEAD: GET does not" "$BASE" 1 /a -H "x-case: notin-method"
check_chain "C9 exists cookie canary: canary=1 matches" "$GRAY" 1 /a -H "x-case: exists-cookie" -H "Cookie: a=1; canary=1"
check_chain "C9 exists cookie canary: a=1; canaryx=1 does not" "$BASE" 1 /a -H "x-case: exists-cookie" \
	-H "Cookie: a=1; canaryx=1"
check_chain "C10 percentage $P_N header x-user-id: $P_IN (fnv1a32 % 100 = $P_IN_B) matches" "$GRAY" 1 /a \
	-H "x-case: pct-header" -H "x-user-id: $P_IN"
check_chain "C10 percentage $P_N header x-user-id: $P_OUT (fnv1a32 % 100 = $P_OUT_B) does not" "$BASE" 1 /a \
	-H "x-case: pct-header" -H "x-user-id: $P_OUT"
check_chain "C10 percentage: no x-user-id does not (missing field)" "$BASE" 1 /a -H "x-case: pct-header"
check_chain "C11 == param env gray: ?x=1&env=gray matches" "$GRAY" 1 "/a?x=1&env=gray" -H "x-case: eq-param"
check_chain "C11 == param env gray: ?env=grayish does not" "$BASE" 1 "/a?env=grayish" -H "x-case: eq-param"
check_chain "C12 == host gray.example: Host gray.example matches" "$GRAY" 1 /a -H "x-case: eq-host" -H "Host: gray.example"
check_chain "C12 == host gray.example: Host gray.example.org does not" "$BASE" 1 /a -H "x-case: eq-host" \
	-H "Host: gray.example.org"
check_chain "C13 items are ANDed: x-a: 1 and ?b=2 matches" "$GRAY" 1 "/a?b=2" -H "x-case: and" -H "x-a: 1"
check_chain "C13 items are ANDed: x-a: 1 without ?b=2 does not" "$BASE" 1 "/a?b=3" -H "x-case: and" -H "x-a: 1"
check_chain "C14 priority -5 (gray) before 5 (blue, no endpoints: would be base)" "$GRAY" 1 /a -H "x-case: prio"
check_chain "C15 equal priority: ties by name (case-tie-a-gray before case-tie-b-blue)" "$GRAY" 1 /a -H "x-case: tie"
check_chain "C16 the reference rule still applies next to the extra rules" "$GRAY" 1 /a -H "location: cn-shenzhen"

# ---------------------------------------------------------------- F: B's gray removed
# one file changed: one new generation (conditions.yaml stays; its cases need x-case)
snap "$PIN" f0
scn_inventory b-gray | write_rules "$RULES" inventory.yaml
apply "F0 b-gray's Workload removed"
bg0=$(server_count b-gray)
check_chain "F1 location: cn-shenzhen without B gray -> A-gray -> B-base -> C-gray" "$FALLBACK" 3 /a \
	-H "location: cn-shenzhen"
check_chain "F2 no location header without B gray -> base chain" "$BASE" 2 /a
if [[ -n ${GL_SCENARIO_KEEPALIVE:-} ]]; then
	# F1's 3 gray requests left pooled connections of the other lane twice
	# each: a-gray's to b-gray (B's gray is gone: base) and b-base's to
	# c-base; at the gateway, F1's or F2's (up to 5) did, by the lane of the
	# upstream connection nginx picked
	snap "$PIN" f1
	read -r tsend parked < <(deltas f0 f1 twin_send twin_parked | sed 's/[a-z_]*=//g')
	n=$((tsend + parked))
	if ((n >= 6 && n <= 11)); then
		pass "F6 kept alive: each F1 request moved into a twin at A->B and B->C ($n through twins, gateway included)"
	else
		fail "F6 kept alive: each F1 request moved into a twin at A->B and B->C" "$n through twins, 6 to 11 expected"
	fi
fi
assert_eq "F3 b-gray served nothing once removed" "$bg0" "$(server_count b-gray)"
explain_agrees "F4 explain from a-gray to B in lane gray: fallback to base" "$FALLBACK" a-gray \
	"${SCN_VIP[b]}:80" / -H "x-opensergo-traffic: gray"
explain_agrees "F5 explain from b-base to C in lane gray: back in the lane" "$FALLBACK" b-base \
	"${SCN_VIP[c]}:80" / -H "x-opensergo-traffic: gray"

check_mismatch "lane_mismatch is still 0 at the end"
assert_ok "graylane status still exits 0" "$GRAYLANE" --pin-root "$PIN" status
assert_eq "daemon pid unchanged throughout" "$DPID" "$(json_field "$(status_json "$PIN")" daemon_pid)"
finish
