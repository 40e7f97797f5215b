/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/*
 * Receive (DESIGN.md, Decisions 1). When a read-family syscall of a
 * workload's thread returns and its bytes begin an HTTP/1.x request head,
 * the thread gets a context label: at an entry workload the result of its
 * TrafficLabelRules on the head (what the client sent), elsewhere the
 * propagation header's lane, else base.
 *
 * Only the syscalls' exit tracepoints: where the bytes went is in the
 * arguments, which the task's saved user registers still hold when the
 * syscall returns (the kernel reads them, never writes them). With no
 * sys_enter tracepoint enabled, no syscall of any task pays for one.
 * Tracepoints fire for every process of the machine: the first thing the
 * handler does is the O(1) check that the task is below the managed cgroup.
 */
#ifndef GL_RECV_BPF_H
#define GL_RECV_BPF_H

#include "lib/caller.bpf.h"
#include "lib/context.bpf.h"
#include "lib/label.bpf.h"
#include "lib/scratch.bpf.h"
#include <bpf/bpf_tracing.h>

enum gl_read_kind {
	GL_READ_BUF = 0,	/* read, recvfrom: a plain buffer */
	GL_READ_IOV,		/* readv: an iovec array */
	GL_READ_MSG,		/* recvmsg: a msghdr */
};

struct gl_read {
	__u64 ptr;
	__u32 kind;
	__u32 fd;
};

#define GL_MSG_PEEK 2	/* MSG_PEEK: the bytes stay queued; the real read comes later */

#if defined(__TARGET_ARCH_x86)
#define GL_NR_READ	0
#define GL_NR_READV	19
#define GL_NR_RECVFROM	45
#define GL_NR_RECVMSG	47
#else
#error "graylane: syscall numbers of this architecture are not defined (bpf/lib/recv.bpf.h)"
#endif

/*
 * A request head that one read did not bring whole (a sender's segments can
 * arrive apart): its first bytes, until the process reads the rest from the
 * same file descriptor. Keyed by (process, fd): an event loop reading
 * another connection in between does not mix the two.
 */
struct gl_partial {
	__u64 expires_ns;
	__u32 workload_id;
	__u32 len;
	__u8 buf[GL_HTTP_HEAD_MAX];
};

#define GL_PARTIAL_MAX 1024	/* threads with half a head; LRU beyond */

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, GL_PARTIAL_MAX);
	__type(key, __u64);	/* tgid << 32 | fd */
	__type(value, struct gl_partial);
} gl_partial SEC(".maps");

/* one per CPU: a new gl_partial entry is built here, then inserted */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gl_partial);
} gl_partial_new SEC(".maps");

/* Is the current task below the managed cgroup? */
static __always_inline struct gl_config *gl_managed_task(void)
{
	__u32 zero = 0;
	struct gl_config *cfg = bpf_map_lookup_elem(&gl_config, &zero);

	if (!cfg || !cfg->generation)
		return NULL;
	if (bpf_get_current_ancestor_cgroup_id(cfg->managed_level) != cfg->managed_cgroup)
		return NULL;
	return cfg;
}

/*
 * The returning read's buffer, from the syscall's arguments: 0, or -1 when
 * it is no read to look at (a peek: the bytes stay queued for the real read).
 */
static __always_inline int gl_read_args(long nr, struct gl_read *r)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	__u64 flags = 0;

	if (!regs)
		return -1;
	r->fd = (__u32)PT_REGS_PARM1_SYSCALL(regs);
	r->ptr = PT_REGS_PARM2_SYSCALL(regs);
	switch (nr) {
	case GL_NR_READ:
		r->kind = GL_READ_BUF;
		break;
	case GL_NR_RECVFROM:
		r->kind = GL_READ_BUF;
		flags = PT_REGS_PARM4_SYSCALL(regs);
		break;
	case GL_NR_READV:
		r->kind = GL_READ_IOV;
		break;
	case GL_NR_RECVMSG:
		r->kind = GL_READ_MSG;
		flags = PT_REGS_PARM3_SYSCALL(regs);
		break;
	default:
		return -1;
	}
	return r->ptr && !(flags & GL_MSG_PEEK) ? 0 : -1;
}

/* Where the first bytes of the read landed, and how many may be there. */
static __always_inline int gl_read_target(const struct gl_read *r, long ret, __u64 *ptr,
					  __u64 *len)
{
	struct iovec iov;
	struct user_msghdr mh;

	*ptr = r->ptr;
	*len = ret;
	if (r->kind == GL_READ_BUF)
		return 0;
	if (r->kind == GL_READ_MSG) {
		if (bpf_probe_read_user(&mh, sizeof(mh), (void *)r->ptr))
			return -1;
		*ptr = (__u64)mh.msg_iov;
	}
	if (bpf_probe_read_user(&iov, sizeof(iov), (void *)*ptr))
		return -1;
	*ptr = (__u64)iov.iov_base;
	if (iov.iov_len < *len)
		*len = iov.iov_len;
	return 0;
}

/*
 * Until when a kept half head may still be waiting (the latest expiry of
 * those kept; raised with compare-and-swap). Past it no read needs the
 * gl_partial lookup, and a read that begins no head returns at once.
 */
__u64 gl_partial_until;

static __always_inline void gl_partial_until_raise(__u64 expires_ns)
{
	__u64 cur;
	int i;

	for (i = 0; i < 4; i++) {
		cur = gl_partial_until;
		if (cur >= expires_ns ||
		    __sync_val_compare_and_swap(&gl_partial_until, cur, expires_ns) == cur)
			return;
	}
}

/*
 * Could these bytes begin a request head? A cheap look at the first eight,
 * for one of the known methods only: a thread reads many things that begin
 * with a token and a space (config files, "# comments"), and a head taken
 * for one would give it a base context. An extension method received is
 * therefore not seen here (the request's outgoing calls take the workload's
 * lane); sent, sk_msg parses it like any other.
 */
static __always_inline int gl_read_may_begin_head(struct gl_scratch *sc, __u64 ptr, __u64 len)
{
	__u32 mlen;
	int rc;

	if (bpf_probe_read_user(sc->buf, len < 8 ? len : 8, (void *)ptr))
		return -1;
	rc = gl_http_known_method(sc->buf, 0, len < 8 ? len : 8, &mlen);
	/* a read shorter than "METHOD " may begin a head too */
	return rc > 0 || rc == GL_HTTP_E_INCOMPLETE;
}

/*
 * Puts the bytes of this read after those kept from earlier reads of the
 * same thread, in the scratch buffer. Returns the bytes there, 0 when this
 * read begins no request head, negative when the user buffer is unreadable.
 * `pending`: a kept half head may be waiting (else the caller made the cheap
 * look already).
 */
static __always_inline long gl_read_gather(struct gl_scratch *sc, __u64 key, __u32 workload_id,
					   __u64 ptr, __u64 len, bool pending)
{
	struct gl_partial *p = NULL;
	__u64 have = 0;
	int rc;

	if (pending)
		p = bpf_map_lookup_elem(&gl_partial, &key);
	if (p && p->workload_id == workload_id && bpf_ktime_get_ns() <= p->expires_ns) {
		have = p->len;
		if (have > GL_HTTP_HEAD_MAX)
			have = GL_HTTP_HEAD_MAX;
		if (have && bpf_probe_read_kernel(sc->buf, have, p->buf))
			return -1;
	}
	if (p)
		bpf_map_delete_elem(&gl_partial, &key);
	if (len > GL_HTTP_HEAD_MAX - have)
		len = GL_HTTP_HEAD_MAX - have;
	if (!have && pending) {
		rc = gl_read_may_begin_head(sc, ptr, len);
		if (rc <= 0)
			return rc;
	}
	if (len) {
		/* 1..GL_HTTP_HEAD_MAX where every verifier sees it (6.1 loses the
		 * clamp above): the copy ends inside the buffer */
		__u64 n = len - 1;

		GL_BOUND(n, GL_HTTP_HEAD_MAX - 1);
		if (bpf_probe_read_user(sc->buf + (have & (GL_HTTP_HEAD_MAX - 1)), n + 1, (void *)ptr))
			return -1;
	}
	return (long)(have + len);
}

/* Keeps the first n bytes of a head for the thread's next read. */
static __always_inline void gl_read_keep(struct gl_scratch *sc, __u64 key, __u32 workload_id,
					 __u64 n, __u64 ttl_ns)
{
	__u32 zero = 0;
	struct gl_partial *p = bpf_map_lookup_elem(&gl_partial_new, &zero);

	__u64 m = n - 1;

	if (!p || n == 0 || n > GL_HTTP_HEAD_MAX)
		return;
	/* 1..GL_HTTP_HEAD_MAX where every verifier sees it: 6.1 reloads n from
	 * the stack without the bound just checked */
	GL_BOUND(m, GL_HTTP_HEAD_MAX - 1);
	p->expires_ns = bpf_ktime_get_ns() + ttl_ns;
	p->workload_id = workload_id;
	p->len = m + 1;
	if (bpf_probe_read_kernel(p->buf, m + 1, sc->buf) ||
	    bpf_map_update_elem(&gl_partial, &key, p, BPF_ANY)) {
		gl_count(GL_STAT_CTX_WRITE_FAIL);
		return;
	}
	gl_partial_until_raise(p->expires_ns);
}

static __always_inline void gl_read_exit(long nr, long ret)
{
	const struct gl_http_want *want;
	struct gl_scratch *sc;
	struct gl_config *cfg;
	struct gl_caller c;
	struct gl_read r;
	__u64 id, ptr, len, pkey;
	__u16 lane = GL_NO_LANE;
	__u8 source = GL_CTX_BASE, slot;
	bool present = false, pending;
	long have;
	int rc;

	if (ret <= 0)
		return;
	cfg = gl_managed_task();
	if (!cfg || gl_read_args(nr, &r))
		return;
	slot = cfg->active_slot & 1;
	if (gl_read_target(&r, ret, &ptr, &len)) {
		gl_count(GL_STAT_RECV_READ_FAIL);
		return;
	}
	sc = gl_scratch_get(GL_SCRATCH_RECV);
	if (!sc)
		return;
	/* most reads begin no head (answers, bodies): done after eight bytes */
	pending = bpf_ktime_get_ns() <= gl_partial_until;
	if (!pending) {
		rc = gl_read_may_begin_head(sc, ptr, len);
		if (rc < 0)
			gl_count(GL_STAT_RECV_READ_FAIL);
		if (rc <= 0)
			return;
	}
	if (gl_find_caller(slot, &c))
		return;
	id = bpf_get_current_pid_tgid();
	pkey = (id & 0xffffffff00000000ULL) | r.fd;
	have = gl_read_gather(sc, pkey, c.workload_id, ptr, len, pending);
	if (have < 0)
		gl_count(GL_STAT_RECV_READ_FAIL);
	if (have <= 0)
		return;
	want = gl_want_for(slot, c.workload_id, c.flags & GL_WL_ENTRY);
	if (!want) {
		gl_ctx_set(c.workload_id, GL_LANE_BASE, GL_CTX_BASE, cfg->context_ttl_ns);
		return;
	}
	rc = gl_http_parse_head(sc->buf, 0, (__u32)have, want, &sc->head);
	/* Only bytes with a whole, valid request line are a request: a body a
	 * client reads (a reply) may begin like one ("GET well soon"), and a base
	 * label on such bytes took the propagation header's lane from that
	 * client's next calls (tests/e2e/test_pool.sh). */
	if (rc == GL_HTTP_E_INCOMPLETE) {
		/* The rest comes with the thread's next read. Until then base is
		 * the only safe label (base never reaches a lane). */
		gl_count(GL_STAT_RECV_PARTIAL);
		gl_read_keep(sc, pkey, c.workload_id, have, cfg->context_ttl_ns);
		if (sc->head.line_end)
			gl_ctx_set(c.workload_id, GL_LANE_BASE, GL_CTX_BASE, cfg->context_ttl_ns);
		return;
	}
	gl_count(GL_STAT_RECV_HEAD);
	if (rc < 0) {
		gl_count(GL_STAT_RECV_MALFORMED);
		if (sc->head.line_end)
			gl_ctx_set(c.workload_id, GL_LANE_BASE, GL_CTX_BASE, cfg->context_ttl_ns);
		return;
	}
	if (!(c.flags & GL_WL_ENTRY) || (cfg->flags & GL_CFG_TRUST_INCOMING)) {
		lane = gl_label_by_header(slot, sc->buf, &sc->head, &present);
		if (lane != GL_NO_LANE)
			source = GL_CTX_HEADER;
		else if (present)
			gl_count(GL_STAT_RECV_UNKNOWN_LANE);
	}
	if (lane == GL_NO_LANE && (c.flags & GL_WL_ENTRY)) {
		lane = gl_label_by_rules(slot, c.workload_id, c.nrules, sc->buf, &sc->head);
		if (lane != GL_NO_LANE)
			source = GL_CTX_RULE;
	}
	if (lane == GL_NO_LANE)
		lane = GL_LANE_BASE;
	gl_count(source == GL_CTX_RULE ? GL_STAT_RECV_LABEL_RULE :
		 source == GL_CTX_HEADER ? GL_STAT_RECV_LABEL_HEADER : GL_STAT_RECV_LABEL_BASE);
	gl_ctx_set(c.workload_id, lane, source, cfg->context_ttl_ns);
}

/* Reads these tracepoints cannot follow; counted so operators see them. */
static __always_inline void gl_read_unseen(void)
{
	if (gl_managed_task())
		gl_count(GL_STAT_RECV_UNSEEN);
}

#endif
