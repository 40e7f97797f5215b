#!/bin/bash
# A throwaway run for test_harness.sh: builds a topology, servers, cgroups and a
# pin directory, reports them, then either fails ("exit") or waits to be
# signalled ("wait"). test_harness.sh then checks that the cleanup trap left
# nothing behind. Not a test by itself (not named test_*).
. "$(dirname "$0")/lib.sh"
mode=${1:-exit}
e2e_init
cg_add m
add_workload h1 m/h1 10.77.0.2 fd77::2
add_workload h2 m/h2 10.77.0.3 fd77::3
start_server h1
pids="$SPAWNED"
wait_listen h1
# a process that forks: the child is tracked by nobody, only by its cgroup
spawn "$E2E_TMP/forker.log" "${WL_CG[h2]}" "${WL_NS[h2]}" sh -c 'sleep 300 & sleep 300'
pids="$pids $SPAWNED"
# a pin root as a daemon would leave it
pin=$(pin_root 1)
mkdir "$pin" && E2E_PINS+=("$pin")
sleep 0.2
pids="$pids $(tr '\n' ' ' <"${WL_CG[h2]}/cgroup.procs")"
echo "READY $E2E_ID $pids"
case $mode in
exit) exit 3 ;;
wait) sleep 300 & E2E_PIDS+=($!); wait $! ;;
esac
