/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/*
 * Context labels (DESIGN.md, Decisions 1): when a thread of a workload reads
 * an HTTP request head, it carries that request's lane for a short time
 * (gl_config.context_ttl_ns; the next head read replaces it). Connects and
 * sends of the same thread use it.
 */
#ifndef GL_CONTEXT_BPF_H
#define GL_CONTEXT_BPF_H

#include "lib/maps.bpf.h"

/* thread id -> its context label */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, GL_CTX_MAX);
	__type(key, __u32);
	__type(value, struct gl_ctx);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} gl_ctx SEC(".maps");

static __always_inline __u32 gl_tid(void)
{
	return (__u32)bpf_get_current_pid_tgid();
}

/* The current thread's fresh context for this workload, or NULL. */
static __always_inline struct gl_ctx *gl_ctx_fresh(__u32 workload_id)
{
	__u32 tid = gl_tid();
	struct gl_ctx *c = bpf_map_lookup_elem(&gl_ctx, &tid);

	if (!c || c->workload_id != workload_id || bpf_ktime_get_ns() > c->expires_ns)
		return NULL;
	return c;
}

/*
 * Only the thread itself writes its entry, and it reads it back between its
 * own syscalls: an existing entry is overwritten in place (an LRU update
 * takes a lock and recycles a node); a new thread inserts one.
 */
static __always_inline void gl_ctx_set(__u32 workload_id, __u16 lane, __u8 source, __u64 ttl_ns)
{
	struct gl_ctx c = {
		.expires_ns = bpf_ktime_get_ns() + ttl_ns,
		.workload_id = workload_id,
		.lane = lane,
		.source = source,
	};
	__u32 tid = gl_tid();
	struct gl_ctx *old = bpf_map_lookup_elem(&gl_ctx, &tid);

	if (old) {
		*old = c;
		return;
	}
	if (bpf_map_update_elem(&gl_ctx, &tid, &c, BPF_ANY))
		gl_count(GL_STAT_CTX_WRITE_FAIL);
}

#endif
