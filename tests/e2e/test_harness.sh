#!/bin/bash
# The harness itself, without graylane: test hosts reach each other over the
# switch (IPv4 and IPv6), nothing is added to the root namespace, a service VIP
# has no route (so only the connect hook can make it work), and the cleanup
# trap removes every netns, cgroup, pin, file and process of a run — after a
# failure, after SIGTERM and after SIGINT.
. "$(dirname "$0")/lib.sh"

root_net_state() {
	{ ip -o link show | sed 's/^[0-9]*: //; s/ qlen.*//; s/ state [A-Z]*//'; ip -o addr show; ip route show table all; ip -6 route show table all; } |
		sort
}

before=$(root_net_state)
e2e_init
cg_add m
add_workload h1 m/h1 10.77.0.2 fd77::2
add_workload h2 m/h2 10.77.0.3 fd77::3
start_server h2
wait_listen h2

assert_eq "harness: IPv4 between hosts over the switch" h2 "$(curl_as h1 http://10.77.0.3:8080/)"
assert_eq "harness: IPv6 between hosts over the switch" h2 "$(curl_as h1 'http://[fd77::3]:8080/')"
assert_eq "harness: client.py many" "h2=3" "$(client_as h1 many 10.77.0.3 8080 -n 3 | tally)"
assert_eq "harness: client.py peer" "fd77::3 8080 h2" "$(client_as h1 peer fd77::3 8080)"
assert_eq "harness: httpd counts requests" 6 "$(server_count h2)"
assert_eq "harness: server runs in its workload cgroup" "0::$(cg_rel h2)" \
	"$(grep '^0::' "/proc/$SPAWNED/cgroup")"
assert_eq "harness: hosts have no default route" "" \
	"$(ip -n "${WL_NS[h1]}" route show default; ip -n "${WL_NS[h1]}" -6 route show default)"
assert_match "harness: a VIP has no route without graylane (v4)" "ERR ENETUNREACH" \
	"$(client_as h1 get 10.77.100.1 80)"
assert_match "harness: a VIP has no route without graylane (v6)" "ERR ENETUNREACH" \
	"$(client_as h1 get fd77:100::1 80)"
assert_eq "harness: root netns unchanged while hosts exist" "$before" "$(root_net_state)"

# check_gone NAME ID PIDS...: nothing of run ID is left
check_gone() {
	local name=$1 id=$2 p left=""; shift 2
	[[ -n $id ]] || { fail "$name" "child did not get ready"; return; }
	ip netns list | grep -q "^gl$id-" && left="$left netns:$(ip netns list | grep "^gl$id-" | awk '{print $1}' | tr '\n' ,)"
	[[ -e $CG_MOUNT/gl-e2e-$id ]] && left="$left cgroup:$CG_MOUNT/gl-e2e-$id"
	compgen -G "/sys/fs/bpf/gl-e2e-$id*" >/dev/null && left="$left pins:$(compgen -G "/sys/fs/bpf/gl-e2e-$id*")"
	compgen -G "/tmp/gl-e2e-$id.*" >/dev/null && left="$left tmp:$(compgen -G "/tmp/gl-e2e-$id.*")"
	for p in "$@"; do
		# a zombie is dead already; it waits for whoever reaps orphans
		local st
		st=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | cut -c1)
		[[ -n $st && $st != Z && $st != X ]] &&
			left="$left pid:$p($(tr '\0' ' ' <"/proc/$p/cmdline"))"
	done
	if [[ -z $left ]]; then pass "$name"; else fail "$name" "left behind:$left"; fi
}

# a run that fails after setup
out=$(bash "$E2E_DIR/harness_child.sh" exit 2>&1)
rc=$?
read -r _ id pids <<<"$(grep '^READY' <<<"$out")"
assert_eq "harness: failing child exits with its own status" 3 "$rc"
# shellcheck disable=SC2086
check_gone "harness: cleanup after a failure leaves nothing" "${id:-}" $pids

# runs interrupted by a signal
for sig in TERM INT; do
	log=$E2E_TMP/child-$sig.log
	# a background job of a script starts with SIGINT ignored: give it back
	env --default-signal=INT bash "$E2E_DIR/harness_child.sh" wait >"$log" 2>&1 &
	child=$!
	for _ in $(seq 100); do grep -q '^READY' "$log" && break; sleep 0.05; done
	read -r _ id pids <<<"$(grep '^READY' "$log")"
	kill -"$sig" "$child"
	wait "$child"
	rc=$?
	assert_ge "harness: child exits non-zero on SIG$sig" 1 "$rc"
	# shellcheck disable=SC2086
	check_gone "harness: cleanup after SIG$sig leaves nothing" "${id:-}" $pids
done
assert_eq "harness: root netns unchanged after the child runs" "$before" "$(root_net_state)"
finish
