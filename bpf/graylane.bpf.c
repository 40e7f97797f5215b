// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/*
 * graylane's kernel programs: thin entry points, one per attach point; the
 * logic lives in lib/, a header per decision: connect (connect.bpf.h),
 * receive (recv.bpf.h), send (send.bpf.h), replies and twins (reply.bpf.h,
 * twin.bpf.h), databases (sql_send.bpf.h).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "lib/maps.bpf.h"
#include "lib/caller.bpf.h"
#include "lib/connect.bpf.h"
#include "lib/context.bpf.h"
#include "lib/recv.bpf.h"
#include "lib/sql_send.bpf.h"
#include "lib/send.bpf.h"
#include "lib/reply.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* ---- connect: cgroup/connect4/6, getpeername4/6 (lib/connect.bpf.h) ---- */

SEC("cgroup/connect4")
int gl_connect4(struct bpf_sock_addr *ctx)
{
	return gl_connect(ctx, GL_FAMILY_INET);
}

SEC("cgroup/connect6")
int gl_connect6(struct bpf_sock_addr *ctx)
{
	return gl_connect(ctx, GL_FAMILY_INET6);
}

SEC("cgroup/getpeername4")
int gl_getpeername4(struct bpf_sock_addr *ctx)
{
	return gl_getpeername(ctx, GL_FAMILY_INET);
}

SEC("cgroup/getpeername6")
int gl_getpeername6(struct bpf_sock_addr *ctx)
{
	return gl_getpeername(ctx, GL_FAMILY_INET6);
}

/* ---- receive: syscall exit tracepoints on the read family (lib/recv.bpf.h) ---- */

/* One program for the four exits (the daemon attaches it to sys_exit_read,
 * _recvfrom, _readv and _recvmsg): the verifier checks it once. */
SEC("tp/syscalls/sys_exit_read")
int gl_exit_read(struct trace_event_raw_sys_exit *ctx)
{
	/* a syscall exit event: the common fields, int __syscall_nr, long ret */
	gl_read_exit((__s32)ctx->id, ctx->ret);
	return 0;
}

/* Reads these tracepoints cannot follow (io_uring, recvmmsg): counted so
 * operators see them. Attached to both exits. */
SEC("tp/syscalls/sys_exit_recvmmsg")
int gl_exit_unseen(struct trace_event_raw_sys_exit *ctx)
{
	gl_read_unseen();
	return 0;
}

/* ---- send: sockops + sk_msg (lib/send.bpf.h) ---- */

SEC("sockops")
int gl_sockops(struct bpf_sock_ops *skops)
{
	if (skops->op == BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB)
		return gl_sockops_established(skops);
	if (skops->op == BPF_SOCK_OPS_STATE_CB)
		return gl_sockops_state(skops);
	return 1;
}

SEC("sk_msg")
int gl_msg(struct sk_msg_md *msg)
{
	return gl_msg_verdict(msg, gl_sk_msg(msg));
}

SEC("sk_msg")
int gl_sql(struct sk_msg_md *msg)
{
	return gl_msg_verdict(msg, gl_sql_msg(msg));
}

/* ---- replies: sk_skb verdict on gl_sockhash and gl_twins (lib/reply.bpf.h) ---- */

SEC("sk_skb/stream_verdict")
int gl_reply_verdict(struct __sk_buff *skb)
{
	return gl_reply(skb);
}
