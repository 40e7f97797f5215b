#!/bin/bash
# Two daemons at once, on two disjoint cgroup subtrees (m1, m2), each with its
# own pin root and its own inventory. Both inventories own the same service VIP
# 10.77.100.1:80 / [fd77:100::1]:80, mapped to different endpoints:
#   daemon 1 (m1): c1 (base caller)  -> x1
#   daemon 2 (m2): c2 (gray caller)  -> x2g (gray); base callers -> x2
# Each subtree's callers must be routed by their own daemon only.
. "$(dirname "$0")/lib.sh"
e2e_init
need_daemon

cg_add m1
cg_add m2
P1=$(pin_root 1)
P2=$(pin_root 2)
add_workload c1 m1/c1 10.77.0.2 fd77::2
add_workload c2 m2/c2 10.77.0.3 fd77::3
add_workload x1 m1/x1 10.77.0.11 fd77::11
add_workload x2 m2/x2 10.77.0.12 fd77::12
add_workload x2g m2/x2g 10.77.0.13 fd77::13
for s in x1 x2 x2g; do start_server "$s"; done
for s in x1 x2 x2g; do wait_listen "$s"; done

R1=$(rules_dir rules1)
R2=$(rules_dir rules2)
{
	yaml_workload c1 client ""
	yaml_workload x1 a ""
	yaml_service a a 80 8080 10.77.100.1 fd77:100::1
} | write_rules "$R1" inventory.yaml
{
	yaml_workload c2 client gray
	yaml_workload x2 a ""
	yaml_workload x2g a gray
	yaml_service a a 80 8080 10.77.100.1 fd77:100::1
} | write_rules "$R2" inventory.yaml

start_daemon d1 "$CG_RUN/m1" "$P1" "$R1"
start_daemon d2 "$CG_RUN/m2" "$P2" "$R2"
wait_generation "$P1" 1 "${DAEMON_PID[d1]}" || die "daemon 1 did not apply its rules"
wait_generation "$P2" 1 "${DAEMON_PID[d2]}" || die "daemon 2 did not apply its rules"
pass "13 both daemons applied their rules"

s1=$(gl_stat "$P1" connect_seen)
s2=$(gl_stat "$P2" connect_seen)
assert_eq "13 m1 caller: VIP -> daemon 1's endpoint x1" "x1=20" "$(client_as c1 many 10.77.100.1 80 -n 20 | tally)"
assert_eq "13 m1 caller: daemon 1 counted 20 connects" 20 $(($(gl_stat "$P1" connect_seen) - s1))
assert_eq "13 m1 caller: daemon 2 saw none" 0 $(($(gl_stat "$P2" connect_seen) - s2))

s1=$(gl_stat "$P1" connect_seen)
s2=$(gl_stat "$P2" connect_seen)
assert_eq "13 m2 gray caller: VIP -> daemon 2's gray endpoint x2g" "x2g=20" \
	"$(client_as c2 many 10.77.100.1 80 -n 20 | tally)"
assert_eq "13 m2 caller: daemon 2 counted 20 connects" 20 $(($(gl_stat "$P2" connect_seen) - s2))
assert_eq "13 m2 caller: daemon 1 saw none" 0 $(($(gl_stat "$P1" connect_seen) - s1))

assert_eq "13 IPv6: m1 caller -> x1" x1 "$(client_as c1 get fd77:100::1 80)"
assert_eq "13 IPv6: m2 caller -> x2g" x2g "$(client_as c2 get fd77:100::1 80)"
assert_eq "13 m1 managed root is daemon 1's base caller -> x1" "x1=5" \
	"$(in_cg_ns "$CG_RUN/m1" "${WL_NS[c2]}" "$PY" "$CLIENT" many 10.77.100.1 80 -n 5 | tally)"
assert_eq "13 m2 managed root is daemon 2's base caller -> x2" "x2=5" \
	"$(in_cg_ns "$CG_RUN/m2" "${WL_NS[c1]}" "$PY" "$CLIENT" many 10.77.100.1 80 -n 5 | tally)"
# an endpoint address of the other inventory is no service here: untouched
assert_eq "13 m1 caller dialing daemon 2's base endpoint x2 reaches x2" x2 "$(client_as c1 get 10.77.0.12 8080)"
assert_eq "13 m2 gray caller dialing daemon 1's endpoint x1 reaches x1" x1 "$(client_as c2 get 10.77.0.11 8080)"

# one daemon's uninstall leaves the other's subtree routed
stop_daemon d1 TERM
assert_ok "13 uninstall of daemon 1's pin root" "$GRAYLANE" --pin-root "$P1" uninstall
assert_eq "13 after uninstall 1: m1 VIP not rewritten" "ERR ENETUNREACH" "$(client_as c1 get 10.77.100.1 80)"
assert_eq "13 after uninstall 1: m2 still routed by daemon 2" "x2g=10" \
	"$(client_as c2 many 10.77.100.1 80 -n 10 | tally)"
assert_ok "13 after uninstall 1: daemon 2's status exits 0" "$GRAYLANE" --pin-root "$P2" status
finish
