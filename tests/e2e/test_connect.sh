#!/bin/bash
# Connect-time lane routing, one daemon, one inventory:
#   clients  cli-base (no lane), cli-gray (gray); a process in the managed root
#   service a   VIP 10.77.100.1 / fd77:100::1 :80 -> a-base, a-gray :8080
#   service b   VIP 10.77.100.2 -> b-base only            (gray falls back)
#   service c   VIP 10.77.100.3 -> c-gray only            (base is refused)
#   service d   VIP 10.77.100.4 -> d-gray1, d-gray2, d-base (balance)
# plus a process outside the managed cgroup, in cli-gray's netns.
. "$(dirname "$0")/lib.sh"
e2e_init
need_daemon

node_init
cg_add out
cg_add m/other
add_workload cli-base m/cli-base 10.77.0.2 fd77::2
add_workload cli-gray m/cli-gray 10.77.0.3 fd77::3
add_workload a-base m/a-base 10.77.0.11 fd77::11
add_workload a-gray m/a-gray 10.77.0.12 fd77::12
add_workload b-base m/b-base 10.77.0.21 fd77::21
add_workload c-gray m/c-gray 10.77.0.31 fd77::31
add_workload d-gray1 m/d-gray1 10.77.0.41 fd77::41
add_workload d-gray2 m/d-gray2 10.77.0.42 fd77::42
add_workload d-base m/d-base 10.77.0.43 fd77::43
servers=(a-base a-gray b-base c-gray d-gray1 d-gray2 d-base)
cg_add m/cli-gray/worker/sub
for s in "${servers[@]}"; do start_server "$s"; done
for s in "${servers[@]}"; do wait_listen "$s"; done

{
	yaml_workload cli-base client ""
	yaml_workload cli-gray client gray
	yaml_workload a-base a ""
	yaml_workload a-gray a gray
	yaml_workload b-base b ""
	yaml_workload c-gray c gray
	yaml_workload d-gray1 d gray
	yaml_workload d-gray2 d gray
	yaml_workload d-base d ""
	yaml_service a a 80 8080 10.77.100.1 fd77:100::1
	yaml_service b b 80 8080 10.77.100.2 fd77:100::2
	yaml_service c c 80 8080 10.77.100.3 fd77:100::3
	yaml_service d d 80 8080 10.77.100.4 fd77:100::4
} | write_rules "$RULES" inventory.yaml

start_daemon main "$M" "$PIN" "$RULES"
wait_generation "$PIN" 1 "${DAEMON_PID[main]}" || die "daemon did not apply the rules"
pass "daemon applied generation $(generation "$PIN")"
assert_ok "graylane status exits 0" "$GRAYLANE" --pin-root "$PIN" status

# 1. base caller -> VIP -> base endpoint
assert_eq "1 base caller: curl VIP -> base endpoint" a-base "$(curl_as cli-base http://10.77.100.1/)"
assert_eq "1 base caller: 20 VIP connects all base" "a-base=20" \
	"$(client_as cli-base many 10.77.100.1 80 -n 20 | tally)"
assert_eq "1 process in the managed root (no workload) is a base caller" "a-base=10" \
	"$(in_cg_ns "$M" "${WL_NS[cli-base]}" "$PY" "$CLIENT" many 10.77.100.1 80 -n 10 | tally)"

# 2. gray caller -> gray endpoint
assert_eq "2 gray caller: curl VIP -> gray endpoint" a-gray "$(curl_as cli-gray http://10.77.100.1/)"
assert_eq "2 gray caller: 20 VIP connects all gray" "a-gray=20" \
	"$(client_as cli-gray many 10.77.100.1 80 -n 20 | tally)"
assert_eq "2 a cgroup below a gray workload's cgroup is that gray workload" "a-gray=10" \
	"$(in_cg_ns "${WL_CG[cli-gray]}/worker/sub" "${WL_NS[cli-gray]}" "$PY" "$CLIENT" many 10.77.100.1 80 -n 10 | tally)"
assert_eq "1 a cgroup below the managed root, in no workload, is a base caller" "a-base=10" \
	"$(in_cg_ns "$M/other" "${WL_NS[cli-gray]}" "$PY" "$CLIENT" many 10.77.100.1 80 -n 10 | tally)"

# 3. gray caller, service without gray endpoints -> base (fallback)
fb0=$(gl_stat "$PIN" connect_fallback)
lfb0=$(lane_stat "$PIN" gray fallbacks)
assert_eq "3 fallback: gray caller -> service with no gray endpoint -> base" "b-base=10" \
	"$(client_as cli-gray many 10.77.100.2 80 -n 10 | tally)"
assert_eq "3 fallback: connect_fallback rose by 10" 10 $(($(gl_stat "$PIN" connect_fallback) - fb0))
assert_eq "3 fallback: gray lane fallbacks rose by 10" 10 $(($(lane_stat "$PIN" gray fallbacks) - lfb0))

# 4. base caller, service with only gray endpoints -> refused
rf0=$(gl_stat "$PIN" connect_refused_no_base)
out=$(curl_as cli-base http://10.77.100.3/ 2>&1)
rc=$?
assert_eq "4 refused: base caller curl to gray-only service fails to connect (exit 7)" 7 "$rc"
assert_eq "4 refused: connect() fails with EPERM" "ERR EPERM" "$(client_as cli-base get 10.77.100.3 80)"
assert_eq "4 refused: connect_refused_no_base rose by 2" 2 $(($(gl_stat "$PIN" connect_refused_no_base) - rf0))
assert_eq "4 gray caller still reaches the gray-only service" c-gray "$(curl_as cli-gray http://10.77.100.3/)"

# 5. dialing an endpoint's own address:targetPort is routed by the caller's lane
assert_eq "5 gray caller dialing the BASE endpoint's address lands on gray" "a-gray=10" \
	"$(client_as cli-gray many 10.77.0.11 8080 -n 10 | tally)"
assert_eq "5 base caller dialing the GRAY endpoint's address lands on base" "a-base=10" \
	"$(client_as cli-base many 10.77.0.12 8080 -n 10 | tally)"
assert_eq "5 curl: base caller to http://10.77.0.12:8080 -> base" a-base "$(curl_as cli-base http://10.77.0.12:8080/)"

# 6. IPv6
assert_eq "6 IPv6: gray caller curl VIP -> gray" a-gray "$(curl_as cli-gray 'http://[fd77:100::1]/')"
assert_eq "6 IPv6: base caller VIP x10 -> base" "a-base=10" \
	"$(client_as cli-base many fd77:100::1 80 -n 10 | tally)"
assert_eq "6 IPv6: gray caller dialing base endpoint fd77::11 -> gray" "a-gray=10" \
	"$(client_as cli-gray many fd77::11 8080 -n 10 | tally)"
assert_eq "6 IPv6: base caller curl gray endpoint [fd77::12]:8080 -> base" a-base \
	"$(curl_as cli-base 'http://[fd77::12]:8080/')"
assert_eq "6 IPv6: gray caller, gray-less service -> base (fallback)" b-base \
	"$(client_as cli-gray get fd77:100::2 80)"
assert_eq "6 IPv6: base caller, base-less service -> EPERM" "ERR EPERM" \
	"$(client_as cli-base get fd77:100::3 80)"

# 7. getpeername shows what was dialed
assert_eq "7 getpeername: VIP v4" "10.77.100.1 80 a-gray" "$(client_as cli-gray peer 10.77.100.1 80)"
assert_eq "7 getpeername: VIP v6" "fd77:100::1 80 a-gray" "$(client_as cli-gray peer fd77:100::1 80)"
assert_eq "7 getpeername: rewritten endpoint address" "10.77.0.11 8080 a-gray" \
	"$(client_as cli-gray peer 10.77.0.11 8080)"
assert_eq "7 getpeername: base caller VIP" "10.77.100.1 80 a-base" "$(client_as cli-base peer 10.77.100.1 80)"

# 8. balance across two endpoints of one lane
res=$(client_as cli-gray many 10.77.100.4 80 -n 200)
n1=$(grep -cx d-gray1 <<<"$res")
n2=$(grep -cx d-gray2 <<<"$res")
assert_eq "8 balance: 200 gray connects all on gray endpoints" 200 $((n1 + n2))
if ((n1 >= 60 && n1 <= 140 && n2 >= 60 && n2 <= 140)); then
	pass "8 balance: each endpoint 30-70% (d-gray1=$n1 d-gray2=$n2)"
else
	fail "8 balance: each endpoint 30-70%" "d-gray1=$n1 d-gray2=$n2 ($(tally <<<"$res"))"
fi
assert_eq "8 balance: base callers of d only reach d-base" "d-base=20" \
	"$(client_as cli-base many 10.77.100.4 80 -n 20 | tally)"

# 9. outside the managed cgroup: untouched
OUT=$CG_RUN/out
seen0=$(gl_stat "$PIN" connect_seen)
assert_eq "9 outside process (gray netns) dialing the base endpoint reaches base" "a-base=10" \
	"$(in_cg_ns "$OUT" "${WL_NS[cli-gray]}" "$PY" "$CLIENT" many 10.77.0.11 8080 -n 10 | tally)"
assert_eq "9 outside process: getpeername is the real endpoint" "10.77.0.12 8080 a-gray" \
	"$(in_cg_ns "$OUT" "${WL_NS[cli-base]}" "$PY" "$CLIENT" peer 10.77.0.12 8080)"
assert_eq "9 outside process: VIP is not rewritten (no route)" "ERR ENETUNREACH" \
	"$(in_cg_ns "$OUT" "${WL_NS[cli-gray]}" "$PY" "$CLIENT" get 10.77.100.1 80)"
assert_eq "9 outside process: connect_seen unchanged" "$seen0" "$(gl_stat "$PIN" connect_seen)"

# maps carry BTF: bpftool prints field names, graylane dump decodes them
bt=$(bpftool -j map dump pinned "$PIN/gl_backends" 2>&1)
assert_match "bpftool map dump gl_backends: BTF-decoded keys (field names)" '"formatted":.*"service_id":' "$bt"
assert_match "bpftool map dump gl_backends: BTF-decoded values (endpoints)" '"ep":\[\{"addr":\[' "$bt"
assert_match "bpftool map dump gl_stats: per-CPU values" '"values":\[\{"cpu":0' \
	"$(bpftool -j map dump pinned "$PIN/gl_stats" 2>&1)"
assert_match "graylane dump gl_services: addresses and names decoded" \
	"10\.77\.100\.1:80 -> service [0-9]+ target_port 8080 virtual http" \
	"$("$GRAYLANE" --pin-root "$PIN" dump gl_services)"
assert_match "graylane dump gl_backends: lane names decoded" "lane gray inet: 10\.77\.0\.12" \
	"$("$GRAYLANE" --pin-root "$PIN" dump gl_backends)"

assert_ok "graylane status still exits 0" "$GRAYLANE" --pin-root "$PIN" status
finish
