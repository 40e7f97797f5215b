#!/bin/bash
# Stopping the daemon leaves the data path routing; `graylane uninstall` then
# detaches it: the VIP is no longer rewritten, endpoint addresses are reached
# as dialed, nothing is attached to the cgroup and the pin root is gone.
. "$(dirname "$0")/lib.sh"
e2e_init
need_daemon

two_clients_a

start_daemon d "$M" "$PIN" "$RULES"
wait_generation "$PIN" 1 "${DAEMON_PID[d]}" || die "daemon did not apply the rules"
pass "daemon applied generation $(generation "$PIN")"
assert_eq "before: gray caller VIP -> gray" a-gray "$(curl_as cli-gray http://10.77.100.1/)"
assert_match "before: programs attached to the managed cgroup" "connect4" "$(bpftool cgroup show "$M" 2>&1)"
# The pins own the links: the daemon keeps no reference of its own, so an
# operator who unpins one detaches it, and status says so.
assert_eq "the daemon holds no link of its own" 0 \
	"$(find /proc/"${DAEMON_PID[d]}"/fd -lname 'anon_inode:bpf_link' 2>/dev/null | wc -l)"
rm -f "$PIN/links/gl_getpeername6"
out=$("$GRAYLANE" --pin-root "$PIN" status 2>&1)
assert_match "an unpinned link is detached at once: status names it" "gl_getpeername6 DETACHED" "$out"
assert_eq "getpeername6 no longer attached to the cgroup" "" \
	"$(bpftool cgroup show "$M" 2>&1 | grep getpeername6)"

# An earlier version attached the read tracepoints as gl_enter_* links: a
# daemon taking over must detach such a link, not leave it running. Stand-in:
# a second pin of one of today's links under a retired name keeps that link
# alive past the restart unless the new daemon removes it.
old_id=$(bpftool link show pinned "$PIN/links/gl_exit_readv" 2>/dev/null | sed -n 's/^\([0-9]*\):.*/\1/p')
bpftool link pin id "$old_id" "$PIN/links/gl_enter_read" 2>/dev/null
assert_eq "a link pinned under a retired name (id $old_id)" "$PIN/links/gl_enter_read" \
	"$(ls "$PIN/links/gl_enter_read" 2>/dev/null)"
stop_daemon d TERM
start_daemon d "$M" "$PIN" "$RULES"
wait_generation "$PIN" 1 "${DAEMON_PID[d]}" || die "restarted daemon did not apply the rules"
assert_eq "takeover unpins the retired link" "" "$(ls "$PIN/links/gl_enter_read" 2>/dev/null)"
assert_eq "takeover detaches it: link $old_id is gone" "" "$(bpftool link show id "$old_id" 2>/dev/null)"
assert_eq "after takeover: gray caller VIP -> gray" a-gray "$(curl_as cli-gray http://10.77.100.1/)"

stop_daemon d TERM
assert_eq "daemon stopped: gray caller VIP still -> gray" "a-gray=10" \
	"$(client_as cli-gray many 10.77.100.1 80 -n 10 | tally)"
assert_eq "daemon stopped: base caller VIP still -> base" "a-base=10" \
	"$(client_as cli-base many fd77:100::1 80 -n 10 | tally)"

out=$("$GRAYLANE" --pin-root "$PIN" uninstall 2>&1)
rc=$?
assert_eq "14 graylane uninstall exits 0 ($(oneline "$out"))" 0 "$rc"
assert_eq "14 the pin root is gone" "" "$(ls -d "$PIN" 2>/dev/null)"
assert_eq "14 nothing attached to the managed cgroup" "" "$(bpftool cgroup show "$M" 2>&1 | tail -n +2)"
out=$(curl_as cli-gray http://10.77.100.1/ 2>&1)
rc=$?
assert_eq "14 VIP no longer rewritten: curl fails to connect (exit 7)" 7 "$rc"
assert_eq "14 VIP no longer rewritten: no route (v4)" "ERR ENETUNREACH" "$(client_as cli-gray get 10.77.100.1 80)"
assert_eq "14 VIP no longer rewritten: no route (v6)" "ERR ENETUNREACH" "$(client_as cli-base get fd77:100::1 80)"
assert_eq "14 base caller dialing the gray endpoint now reaches it" a-gray "$(client_as cli-base get 10.77.0.12 8080)"
assert_eq "14 getpeername is the real peer" "10.77.0.11 8080 a-base" "$(client_as cli-gray peer 10.77.0.11 8080)"
"$GRAYLANE" --pin-root "$PIN" status >/dev/null 2>&1
assert_ge "14 graylane status fails after uninstall" 1 $?
finish
