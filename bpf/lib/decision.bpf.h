/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/*
 * Decision events for `graylane events`: one gl_decision per steered connect
 * of the watched caller and lane, while a listener has gl_watch set,
 * rate-limited per CPU (over the rate: counted as event_rate_dropped; ring
 * full: event_lost). Nobody listening costs one array lookup.
 */
#ifndef GL_DECISION_BPF_H
#define GL_DECISION_BPF_H

#include "lib/maps.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gl_watch);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} gl_watch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gl_watch_rate);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} gl_watch_rate SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} gl_decisions SEC(".maps");

#define GL_SEC_NS 1000000000ULL

/* The watch, when this caller's decision in lane is to be sent now. */
static __always_inline bool gl_watched(__u32 workload_id, __u16 lane)
{
	struct gl_watch_rate *r;
	struct gl_watch *w;
	__u32 zero = 0;
	__u64 now;

	w = bpf_map_lookup_elem(&gl_watch, &zero);
	if (!w || !w->until_ns)
		return false;
	now = bpf_ktime_get_ns();
	if (now > w->until_ns || (w->workload_id && w->workload_id != workload_id) ||
	    (w->lane != GL_WATCH_ANY_LANE && w->lane != lane))
		return false;
	r = bpf_map_lookup_elem(&gl_watch_rate, &zero);
	if (!r)
		return false;
	if (now - r->window_ns >= GL_SEC_NS) {
		r->window_ns = now;
		r->sent = 0;
	}
	if (r->sent >= w->rate_per_sec) {
		gl_count(GL_STAT_EVENT_RATE_DROPPED);
		return false;
	}
	r->sent++;
	return true;
}

/* d's fields the caller filled on the stack, sent as one record. */
static __always_inline void gl_decision_send(struct gl_decision *d)
{
	if (bpf_ringbuf_output(&gl_decisions, d, sizeof(*d), 0))
		gl_count(GL_STAT_EVENT_LOST);
}

#endif
