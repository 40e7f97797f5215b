#!/bin/bash
# The receive path (syscall tracepoints on the read family): a workload's
# thread that READS an HTTP request head gets a context label, and its next
# connect to a service goes to that lane (tests/e2e/wire.py ctx: the thread
# reads a head from a local socketpair, then connects and GETs; httpd.py
# endpoints answer their own name).
#
#   clients   cli-base (no lane), cli-gray (gray), gw (entry: a TrafficLabelRule
#             location == cn-shenzhen -> gray selects it)
#   service   a  VIP 10.77.100.1 :80 -> a-base, a-gray :8080
#   daemon 1  --context-ttl 300ms; daemon 2 (same cgroup) --trust-incoming
#
#   11 the context label: recv, read, readv, recvmsg; expiry after the TTL;
#      a gray workload reading a base head; unknown lane; the x-mse-tag alias
#   12 a head split over two reads (recv_partial); a head peeked at first
#      (MSG_PEEK); another connection's unfinished head read before it
#
# The endpoints are workloads too: each GET they read counts in recv_* as
# well (labelled by what the client's send path wrote into it).
#   13 recvmmsg and io_uring_enter by a workload: recv_unseen
#   14 an entry workload and a propagation header from outside: ignored by
#      default, kept with --trust-incoming
. "$(dirname "$0")/lib.sh"
e2e_init
need_daemon

WIRE=$E2E_DIR/wire.py
node_init
PIN2=$(pin_root 2)
VIP=10.77.100.1
add_workload cli-base m/cli-base 10.77.0.2 fd77::2
add_workload cli-gray m/cli-gray 10.77.0.3 fd77::3
add_workload gw m/gw 10.77.0.4 fd77::4
service_a_up

{
	yaml_workload cli-base client ""
	yaml_workload cli-gray client gray
	yaml_workload gw gw ""
	yaml_workload a-base a ""
	yaml_workload a-gray a gray
	yaml_service a a 80 8080 "$VIP"
	cat <<EOF
---
apiVersion: traffic.opensergo.io/v1alpha1
kind: TrafficLabelRule
metadata:
  name: shenzhen-gray
spec:
  selector:
    app: gw
  trafficLabel: gray
  match:
  - condition: "=="
    type: header
    key: location
    value: cn-shenzhen
EOF
} | write_rules "$RULES" inventory.yaml
start_daemon d1 "$M" "$PIN" "$RULES" --context-ttl 300ms
wait_generation "$PIN" 1 "${DAEMON_PID[d1]}" || die "daemon did not apply the rules"
pass "endpoints and graylaned --context-ttl 300ms (generation $(generation "$PIN")) up"

# ctx WORKLOAD ARGS...: wire.py ctx as a process of WORKLOAD; prints the endpoint
ctx() {
	local w=$1; shift
	run_as "$w" timeout 10 "$PY" "$WIRE" ctx "$VIP" 80 "$@" 2>&1
}

# ---------------------------------------------------------------- 11 context label
snap "$PIN" a
assert_eq "11 base workload, no head read: base endpoint" a-base "$(ctx cli-base --via none)"
snap "$PIN" b
assert_eq "11 ... connect_context unchanged" "connect_context=0" "$(deltas a b connect_context)"
assert_eq "11 base workload thread recv()s a head with x-opensergo-traffic: gray, then connects: gray endpoint" \
	a-gray "$(ctx cli-base --via recv)"
snap "$PIN" c
assert_eq "11 ... connect_context rose by 1; recv_head and recv_label_header by 2 (client, then endpoint)" \
	"recv_head=2 recv_label_header=2 connect_context=1" \
	"$(deltas b c recv_head recv_label_header connect_context)"
assert_eq "11 read() of the head gives the context" a-gray "$(ctx cli-base --via read)"
assert_eq "11 readv() of the head gives the context" a-gray "$(ctx cli-base --via readv)"
assert_eq "11 recvmsg() of the head gives the context" a-gray "$(ctx cli-base --via recvmsg)"
snap "$PIN" d
assert_eq "11 ... connect_context rose by 3 for read, readv, recvmsg (recv_head by 3 + 3)" \
	"connect_context=3 recv_head=6" "$(deltas c d connect_context recv_head)"
assert_eq "11 connect 100 ms after the read (TTL 300 ms): still gray" a-gray "$(ctx cli-base --via recv --after 0.1)"
snap "$PIN" e
assert_eq "11 connect 600 ms after the read (TTL 300 ms): context expired, base endpoint" \
	a-base "$(ctx cli-base --via recv --after 0.6)"
snap "$PIN" f
assert_eq "11 ... connect_context did not rise; the endpoint read a base request" \
	"connect_context=0 recv_label_header=1 recv_label_base=1" \
	"$(deltas e f connect_context recv_label_header recv_label_base)"
assert_eq "11 the x-mse-tag alias names the lane too" a-gray \
	"$(ctx cli-base --via recv --head 'GET /in HTTP/1.1\r\nX-MSE-Tag: gray\r\n\r\n')"
assert_eq "11 gray workload, no head read: gray endpoint" a-gray "$(ctx cli-gray --via none)"
assert_eq "11 gray workload thread reads a head without propagation header: base context, base endpoint" \
	a-base "$(ctx cli-gray --via recv --head 'GET /in HTTP/1.1\r\nHost: in\r\n\r\n')"
snap "$PIN" g
assert_eq "11 gray workload thread reads a head naming an unknown lane: base endpoint" \
	a-base "$(ctx cli-gray --via recv --head 'GET /in HTTP/1.1\r\nx-opensergo-traffic: blue\r\n\r\n')"
snap "$PIN" h
assert_eq "11 ... counted as recv_unknown_lane (recv_label_base: client and endpoint)" \
	"recv_unknown_lane=1 recv_label_base=2" \
	"$(deltas g h recv_unknown_lane recv_label_base)"

# ---------------------------------------------------------------- 12 split heads
snap "$PIN" a
assert_eq "12 head in two reads, cut inside the propagation header name: gray endpoint" \
	a-gray "$(ctx cli-base --via recv --split 32)"
snap "$PIN" b
assert_eq "12 ... recv_partial rose by 1, recv_label_header by 2 (client, endpoint)" \
	"recv_partial=1 recv_label_header=2" \
	"$(deltas a b recv_partial recv_label_header)"
assert_eq "12 head in two read()s, cut inside the lane name (gr|ay): gray endpoint" \
	a-gray "$(ctx cli-base --via read --split 51)"
assert_eq "12 head in two reads, cut before the final CRLF: gray endpoint" \
	a-gray "$(ctx cli-base --via recv --split 55)"
assert_eq "12 head in two reads, the first only 'GET /': gray endpoint" \
	a-gray "$(ctx cli-base --via recv --split 5)"
snap "$PIN" c
assert_eq "12 head in two reads, the first only 'GE': gray endpoint" \
	a-gray "$(ctx cli-base --via recv --split 2)"
snap "$PIN" d
assert_eq "12 ... the first read was kept (recv_partial rose by 1)" "recv_partial=1" "$(deltas c d recv_partial)"
assert_eq "12 a thread peeks at the first 8 bytes (MSG_PEEK), then reads the head: gray endpoint" \
	a-gray "$(ctx cli-base --via recv --peek 8)"
snap "$PIN" e
assert_eq "12 ... no head was refused as malformed" "recv_malformed=0" "$(deltas d e recv_malformed)"
assert_eq "12 a thread reads the first 25 bytes of another connection's head, then a whole gray head: gray endpoint" \
	a-gray "$(ctx cli-base --via recv --interleave 25)"
snap "$PIN" f
assert_eq "12 ... no head was refused as malformed" "recv_malformed=0" "$(deltas e f recv_malformed)"

# ---------------------------------------------------------------- 13 unseen reads
snap "$PIN" a
assert_eq "13 a workload calls recvmmsg (a datagram waiting) and io_uring_enter" \
	"recvmmsg=1 io_uring_enter=EBADF" "$(run_as cli-base "$PY" "$WIRE" unseen 2>&1)"
snap "$PIN" b
assert_eq "13 ... recv_unseen rose by 2" "recv_unseen=2" "$(deltas a b recv_unseen)"
assert_eq "13 the same outside the managed cgroup" "recvmmsg=1 io_uring_enter=EBADF" \
	"$(in_ns cli-base "$PY" "$WIRE" unseen 2>&1)"
snap "$PIN" c
assert_eq "13 ... recv_unseen unchanged" "recv_unseen=0" "$(deltas b c recv_unseen)"

# ---------------------------------------------------------------- 14 entry, trust
snap "$PIN" a
assert_eq "14 default: entry reads x-opensergo-traffic: gray without location: base endpoint" \
	a-base "$(ctx gw --via recv)"
snap "$PIN" b
assert_eq "14 ... labelled by the rules only (recv_label_base: entry and endpoint)" \
	"recv_label_base=2 recv_label_header=0" \
	"$(deltas a b recv_label_base recv_label_header)"
assert_eq "14 default: entry reads location: cn-shenzhen: gray endpoint" \
	a-gray "$(ctx gw --via recv --head 'GET / HTTP/1.1\r\nlocation: cn-shenzhen\r\n\r\n')"
snap "$PIN" c
assert_eq "14 ... recv_label_rule rose by 1" "recv_label_rule=1" "$(deltas b c recv_label_rule)"

stop_daemon d1
assert_ok "14 graylane uninstall of the first daemon's pins" "$GRAYLANE" --pin-root "$PIN" uninstall
start_daemon d2 "$M" "$PIN2" "$RULES" --trust-incoming
wait_generation "$PIN2" 1 "${DAEMON_PID[d2]}" || die "daemon --trust-incoming did not apply the rules"
pass "14 graylaned --trust-incoming up (generation $(generation "$PIN2"))"
snap "$PIN2" a
assert_eq "14 --trust-incoming: entry reads x-opensergo-traffic: gray without location: gray endpoint" \
	a-gray "$(ctx gw --via recv)"
snap "$PIN2" b
assert_eq "14 ... recv_label_header rose by 2 (entry, endpoint)" "recv_label_header=2" \
	"$(deltas a b recv_label_header)"
assert_eq "14 --trust-incoming: location: cn-shenzhen still gray" \
	a-gray "$(ctx gw --via recv --head 'GET / HTTP/1.1\r\nlocation: cn-shenzhen\r\n\r\n')"
assert_eq "14 --trust-incoming: a head with neither: base endpoint" \
	a-base "$(ctx gw --via recv --head 'GET / HTTP/1.1\r\nHost: gw\r\n\r\n')"
assert_eq "14 --trust-incoming: non-entry workloads unchanged (base reads gray head: gray)" \
	a-gray "$(ctx cli-base --via recv)"

snap "$PIN2" z
assert_eq "no receive failure counter rose" "recv_read_fail=0 recv_malformed=0 ctx_write_fail=0" \
	"$(deltas a z recv_read_fail recv_malformed ctx_write_fail)"
assert_ok "graylane status exits 0" "$GRAYLANE" --pin-root "$PIN2" status
finish
