#!/bin/bash
# graylane explain on the reference scenario's pinned maps: each part of its
# answer (lane, the rule's file:line, why nothing matched, the endpoint set,
# fallback and refusal, the header written, a refused head), text and JSON,
# its errors, and a refusal checked against what the kernel does. The
# agreement with real requests on every case of the scenario is in
# test_scenario.sh ("explain agrees").
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/scenario_up.sh"
scenario_up
VA=${SCN_VIP[a]} VB=${SCN_VIP[b]}

# ex [OPTIONS...]: graylane explain's text answer (stderr kept apart)
ex() { "$GRAYLANE" --pin-root "$PIN" explain --rules "$RULES" "$@" 2>"$E2E_TMP/ex.err"; }
# exj FIELD [OPTIONS...]: one field of the JSON answer
exj() {
	local f=$1; shift
	json_field "$("$GRAYLANE" --pin-root "$PIN" --json explain --rules "$RULES" "$@" \
		2>"$E2E_TMP/ex.err")" "$f"
}

out=$(ex --from gateway --to "$VA" -H "location: cn-shenzhen")
sed 's/^/# /' <<<"$out"	# for the record: what an operator sees
assert_match "E1 text: lane gray" $'(^|\n)lane +gray\n' "$out"
assert_match "E1 text: the rule and where it is written" \
	"because +TrafficLabelRule my-traffic-label-rule \($RULES/reference.yaml:1\) matched" "$out"
assert_match "E1 text: service a at its address, target port 8080" \
	"to +$VA port 80: service a, target port 8080" "$out"
assert_match "E1 text: a-gray's endpoint" "endpoints +gray: ${SCN_ADDR4[a-gray]}:8080 \(a-gray\)" "$out"
assert_match "E1 text: the header written" "header +x-opensergo-traffic: gray \(written" "$out"
assert_eq "E1 JSON: decision rule, index 0, line 1" "rule 0 1" \
	"$(exj decision --from gateway --to "$VA" -H "location: cn-shenzhen") $(exj rule.index \
	--from gateway --to "$VA" -H "location: cn-shenzhen") $(exj rule.line --from gateway --to "$VA" \
	-H "location: cn-shenzhen")"

j=(--from gateway --to "$VA:80" -H "location: cn-beijing")
assert_eq "E2 no rule matches: no_match, 1 tried, lane base, no header written" \
	"no_match 1 base None" \
	"$(exj decision "${j[@]}") $(exj rules_tried "${j[@]}") $(exj lane "${j[@]}") $(exj header_written "${j[@]}")"

j=(--from gateway --to "$VA" -H "x-opensergo-traffic: gray")
assert_eq "E3 a propagation header from outside at the entry: seen, not trusted, removed, base" \
	"true false 1 base a-base" \
	"$(exj propagation_header.present "${j[@]}") $(exj propagation_header.trusted "${j[@]}") \
$(exj propagation_lines_removed "${j[@]}") $(exj lane "${j[@]}") $(exj endpoints.0.workload "${j[@]}")"
assert_match "E3 text says why" "not trusted at an entry" "$(ex "${j[@]}")"

j=(--from gateway --to "$VA" -H $'x-bad: a\x01b' -H "location: cn-shenzhen")
assert_eq "E4 a head the kernel refuses (control byte): refused_head, base, with the parser's reason" \
	"refused_head base malformed field_value" \
	"$(exj decision "${j[@]}") $(exj lane "${j[@]}") $(exj head_error "${j[@]}") $(exj head_reason "${j[@]}")"

assert_eq "E5 an address no service has: service null, no endpoints" "None 0" \
	"$(exj service --from gateway --to 10.77.200.9:80) $("$GRAYLANE" --pin-root "$PIN" --json explain \
	--rules "$RULES" --from gateway --to 10.77.200.9:80 | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)["endpoints"]))')"
assert_eq "E5 the service's port matters: port 81 of a's address is no service" "None" \
	"$(exj service --from gateway --to "$VA:81")"

j=(--from a-gray --to "$VB" -H "x-opensergo-traffic: gray")
assert_eq "E6 a workload that is no entry: the header decides, b-gray" "header gray b-gray gray" \
	"$(exj decision "${j[@]}") $(exj lane "${j[@]}") $(exj endpoints.0.workload "${j[@]}") \
$(exj header_written "${j[@]}" | sed 's/.*: //')"
j=(--from a-gray --to "$VB" -H "x-opensergo-traffic: purple")
assert_eq "E7 a header naming no lane of the plan: base, known false" "no_match base false" \
	"$(exj decision "${j[@]}") $(exj lane "${j[@]}") $(exj propagation_header.known "${j[@]}")"
j=(--from gateway --to "[${SCN_ADDR6[a-base]}]:8080" -H "location: cn-shenzhen")
assert_eq "E8 an endpoint's own IPv6 address and port is the service too: a-gray's IPv6 endpoint" \
	"a a-gray ${SCN_ADDR6[a-gray]}" \
	"$(exj service.name "${j[@]}") $(exj endpoints.0.workload "${j[@]}") $(exj endpoints.0.address "${j[@]}")"

# ---------------------------------------------------------------- refusal and fallback
g=$(generation "$PIN")
scn_gray_only_service
wait_generation "$PIN" $((g + 1)) "$DPID" >/dev/null || fail "R0 grayonly.yaml applied" "no generation $((g + 1))"
j=(--from a-base --to 10.77.100.9)
assert_eq "R1 a base caller, a service with gray endpoints only: refused" "true base" \
	"$(exj refused "${j[@]}") $(exj lane "${j[@]}")"
assert_match "R1 text: the connect fails, and the counter" "connect fails \(EPERM\), counted connect_refused_no_base" \
	"$(ex "${j[@]}")"
snap "$PIN" r0
curl_as a-base http://10.77.100.9/ >/dev/null 2>&1
rc=$?
snap "$PIN" r1
assert_eq "R2 the kernel agrees: a-base's connect to it fails (curl exit 7), connect_refused_no_base +1" \
	"7 connect_refused_no_base=1" "$rc $(deltas r0 r1 connect_refused_no_base)"
j=(--from a-gray --to 10.77.100.9 -H "x-opensergo-traffic: gray")
assert_eq "R3 a gray caller reaches it, no fallback" "false c-gray" \
	"$(exj fallback "${j[@]}") $(exj endpoints.0.workload "${j[@]}")"

# ---------------------------------------------------------------- the rules directory against the maps
OTHER=$(rules_dir other)
cp "$RULES"/*.yaml "$OTHER/"
sed -i 's/value: cn-shenzhen/value: cn-hangzhou/' "$OTHER/reference.yaml"
out=$("$GRAYLANE" --pin-root "$PIN" explain --rules "$OTHER" --from gateway --to "$VA" \
	-H "location: cn-shenzhen" 2>&1)
assert_match "D1 rules that differ from the maps: a warning naming the directory" \
	"warning +the rules in $OTHER differ from those in the maps" "$out"
assert_match "D1 the decision stays the maps' (cn-shenzhen: gray)" $'(^|\n)lane +gray\n' "$out"
assert_eq "D2 JSON: rules_match_maps false with them, true with the daemon's" "false true" \
	"$(json_field "$("$GRAYLANE" --pin-root "$PIN" --json explain --rules "$OTHER" --from gateway \
	--to "$VA" 2>/dev/null)" rules_match_maps) $(exj rules_match_maps --from gateway --to "$VA")"

# ---------------------------------------------------------------- errors
"$GRAYLANE" --pin-root "$PIN" explain --rules "$RULES" --from nope --to "$VA" >/dev/null 2>"$E2E_TMP/e1"
assert_eq "X1 an unknown workload: exit 1, named" "1 graylane explain: no workload 'nope' in the rules directory" \
	"$? $(cat "$E2E_TMP/e1")"
"$GRAYLANE" --pin-root "$PIN" explain --rules "$RULES" --from gateway >/dev/null 2>&1
assert_eq "X2 --to missing: usage, exit 2" 2 "$?"
"$GRAYLANE" --pin-root "$PIN" explain --rules "$RULES" --from gateway --to 10.77.100 >/dev/null 2>&1
assert_eq "X3 a bad --to: exit 2" 2 "$?"
"$GRAYLANE" --pin-root "$PIN" explain --rules "$RULES" --from gateway --to "$VA" -H "no colon" >/dev/null 2>&1
assert_eq "X4 a -H without a colon: exit 2" 2 "$?"
err=$("$GRAYLANE" --pin-root "$PIN" status --from gateway 2>&1 >/dev/null)
assert_eq "X5 explain's options on another command: refused" \
	"graylane: --from is not an option of status" "$err"
"$GRAYLANE" --pin-root "$E2E_TMP/none" explain --rules "$RULES" --from gateway --to "$VA" >/dev/null 2>"$E2E_TMP/e6"
assert_match "X6 nothing installed under the pin root: exit 1, the map named" \
	"^1 graylane explain: cannot open $E2E_TMP/none/gl_config" "$? $(cat "$E2E_TMP/e6")"
finish
