#!/bin/bash
# What graylaned does with the kernel it finds (issue: the data path loads on
# every kernel): the feature probe, a required feature missing (refused,
# nothing changed), a program the verifier refuses (one line, the log in a
# file, nothing half-installed, the same line in `graylane status`), and a
# missing receive-path feature (runs without the read tracepoints, says what
# is lost, routes). Features are hidden with GRAYLANE_HIDE_FEATURES and a
# program broken with GRAYLANE_TEST_BREAK_PROG (test hooks: this kernel has
# everything; the kernel matrix, make test-kernels, runs the probe on others).
#
#   clients   cli-base (no lane), cli-gray (gray)
#   service   a  VIP 10.77.100.1:80 -> a-base, a-gray :8080
. "$(dirname "$0")/lib.sh"
e2e_init
need_daemon

two_clients_a

# exited TAG: EXITED = the daemon's exit status once it has exited (10 s), else "running"
EXITED=
exited() {
	local pid=${DAEMON_PID[$1]}
	EXITED=running
	for _ in $(seq 100); do
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid"
			EXITED=$?
			return
		fi
		sleep 0.1
	done
}

# ---- 1. the probe
out=$("$GRAYLANE" probe 2>&1)
rc=$?
assert_eq "graylane probe: every required feature present here (exit 0)" 0 "$rc"
assert_match "graylane probe names the helpers it loaded, e.g. bpf_loop" "ok +bpf_loop +helper bpf_loop" "$out"
json=$("$GRAYLANE" probe --json 2>&1)
assert_eq "graylane probe --json: bpf_task_pt_regs present, since Linux 5.15" "true 5.15" \
	"$("$PY" -c 'import json,sys; f={x["name"]: x for x in json.loads(sys.argv[1])["features"]}
print(str(f["task_pt_regs"]["present"]).lower(), f["task_pt_regs"]["since"].split()[-1])' "$json")"
out=$(GRAYLANE_HIDE_FEATURES=bpf_loop "$GRAYLANE" probe 2>&1)
rc=$?
assert_eq "graylane probe without bpf_loop: exit 1" 1 "$rc"
assert_match "... names it MISSING with the Linux version that brings it" \
	"MISSING +bpf_loop .*needs Linux 5\.17.*required" "$out"

# ---- 2. a required feature missing: refused, nothing changed
GRAYLANE_HIDE_FEATURES=bpf_loop start_daemon req "$M" "$PIN" "$RULES"
exited req
assert_eq "without bpf_loop graylaned refuses to start (exit 2)" 2 "$EXITED"
assert_match "its log names the feature and the version" "MISSING +bpf_loop .*Linux 5\.17" \
	"$(cat "${DAEMON_LOG[req]}")"
assert_match "... and says nothing was changed" "lacks 1 feature.*nothing was changed" \
	"$(cat "${DAEMON_LOG[req]}")"
assert_eq "nothing was pinned" "absent" "$([[ -e $PIN ]] && echo present || echo absent)"
assert_match "graylane status shows the same line" "last start: kernel .* lacks 1 feature" \
	"$("$GRAYLANE" --pin-root "$PIN" status 2>&1)"

# ---- 3. the verifier refuses a program
GRAYLANE_TEST_BREAK_PROG=gl_msg start_daemon ref "$M" "$PIN" "$RULES"
exited ref
assert_eq "a refused program: graylaned exits 2" 2 "$EXITED"
log=$(cat "${DAEMON_LOG[ref]}")
line=$(grep "refused program" "${DAEMON_LOG[ref]}")
assert_eq "one line says it" 1 "$(grep -c "refused program" "${DAEMON_LOG[ref]}")"
assert_match "... naming the program, the kernel and the verifier's last line" \
	"kernel $(uname -r) refused program gl_msg: program of this type cannot use helper bpf_msg_" "$line"
assert_match "... and how to report it" "report this with the output of 'graylane verifier-report'" "$line"
assert_eq "no other line about the load, no page of verifier log" 0 \
	"$(grep -c -e "PROG LOAD LOG" -e "^[0-9]*: (" -e "libbpf: prog" -e "failed to load" <<<"$log")"
vlog=$(sed -n 's/.*full verifier log: \([^)]*\)).*/\1/p' <<<"$line")
assert_match "the full log is in the file it names ($vlog)" "cannot use helper bpf_msg_" "$(cat "$vlog" 2>&1)"
rm -f "$vlog"
assert_eq "nothing half-installed stays pinned" "absent" "$([[ -e $PIN ]] && echo present || echo absent)"
assert_match "graylane status shows the same line" "last start: kernel .* refused program gl_msg: program of this type" \
	"$("$GRAYLANE" --pin-root "$PIN" status 2>&1)"

# ---- 4. no read tracepoints: a fallback
GRAYLANE_HIDE_FEATURES=task_pt_regs start_daemon fb "$M" "$PIN" "$RULES"
wait_generation "$PIN" 1 "${DAEMON_PID[fb]}" || die "the daemon did not start without bpf_task_pt_regs"
assert_match "the log names the missing helper and the version" \
	"missing helper bpf_task_pt_regs .*needs Linux 5\.15.*running without it" "$(cat "${DAEMON_LOG[fb]}")"
assert_match "... and what is lost" "without the read tracepoints the lane of a request a service reads is not carried" \
	"$(cat "${DAEMON_LOG[fb]}")"
st=$(status_json "$PIN")
assert_eq "status ok, read_tracepoints false" "true false" \
	"$(json_field "$st" ok) $(json_field "$st" read_tracepoints)"
assert_eq "no read tracepoint is attached" "" "$(ls "$PIN/links" | grep gl_exit_ || true)"
assert_match "graylane status says what runs without them" "receive: +without the read tracepoints" \
	"$("$GRAYLANE" --pin-root "$PIN" status 2>&1)"
assert_eq "the last start's failure is gone from status" 0 \
	"$("$GRAYLANE" --pin-root "$PIN" status 2>&1 | grep -c "last start")"
assert_eq "cli-gray -> a-gray" "a-gray=5" "$(client_as cli-gray many 10.77.100.1 80 -n 5 | tally)"
assert_eq "cli-base -> a-base" "a-base=5" "$(client_as cli-base many 10.77.100.1 80 -n 5 | tally)"

# ---- 5. a daemon with every feature takes over: the read tracepoints come back
stop_daemon fb
start_daemon full "$M" "$PIN" "$RULES"
wait_generation "$PIN" 1 "${DAEMON_PID[full]}" || die "the full daemon did not take over"
st=$(status_json "$PIN")
assert_eq "taken over with every feature: ok, read_tracepoints true" "true true" \
	"$(json_field "$st" ok) $(json_field "$st" read_tracepoints)"
assert_eq "the four read exits and two unseen ones attached again" 6 "$(ls "$PIN/links" | grep -c gl_exit_)"
assert_eq "cli-gray -> a-gray" "a-gray=5" "$(client_as cli-gray many 10.77.100.1 80 -n 5 | tally)"
finish
