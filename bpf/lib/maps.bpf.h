/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/* The maps of graylane, BTF-defined and pinned by name under the pin root. */
#ifndef GL_MAPS_BPF_H
#define GL_MAPS_BPF_H

#include <graylane/abi.h>
#include "lib/bound.bpf.h"

/* Active slot, generation and digest of the applied plan; written by the daemon. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gl_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} gl_config SEC(".maps");

/* cgroup id -> workload (id, lane); the managed root is a base caller. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GL_WORKLOADS_MAX);
	__type(key, struct gl_workload_key);
	__type(value, struct gl_workload);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} gl_workloads SEC(".maps");

/* dialed (address, port) -> service and target port */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GL_SERVICE_ADDRS_MAX);
	__type(key, struct gl_service_key);
	__type(value, struct gl_service_addr);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} gl_services SEC(".maps");

/* (service, lane, family) -> that lane's endpoints */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GL_BACKENDS_MAX);
	__type(key, struct gl_backend_key);
	__type(value, struct gl_backend);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} gl_backends SEC(".maps");

/* lane id -> name, for operators */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GL_LANES_MAX * GL_SLOTS);
	__type(key, struct gl_lane_key);
	__type(value, struct gl_lane);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} gl_lanes SEC(".maps");

/* per-CPU counters by enum gl_stat */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, GL_STAT_MAX);
	__type(key, __u32);	/* enum gl_stat: arrays take integer keys only */
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} gl_stats SEC(".maps");

/* per-CPU counters by lane id */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, GL_LANES_MAX);
	__type(key, __u32);
	__type(value, struct gl_lane_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} gl_lane_stats SEC(".maps");

/* per-CPU counters by (service, caller's lane), bounded: a full map is counted */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, GL_SERVICE_STATS_MAX);
	__type(key, struct gl_service_stats_key);
	__type(value, struct gl_service_stats);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} gl_service_stats SEC(".maps");

/* per-socket decision of connect4/6 */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct gl_sock);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} gl_sock SEC(".maps");

/* steered connections whose sends sk_msg inspects, by socket cookie */
struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} gl_sockhash SEC(".maps");

/* lane mismatches and other events for the daemon's log */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} gl_events SEC(".maps");

static __always_inline void gl_count(__u32 stat)
{
	__u64 *v = bpf_map_lookup_elem(&gl_stats, &stat);

	if (v)
		*v += 1;	/* per-CPU: no atomic needed */
}

static __always_inline struct gl_lane_stats *gl_lane_counters(__u16 lane)
{
	__u32 k = lane;

	return bpf_map_lookup_elem(&gl_lane_stats, &k);
}

/* gl_service_stats' counters, in struct order */
enum gl_service_field {
	GL_SVC_CONNECTS, GL_SVC_FALLBACKS, GL_SVC_REFUSED, GL_SVC_REQUESTS, GL_SVC_MSG_REFUSED,
	GL_SVC_FIELDS,
};
_Static_assert(sizeof(struct gl_service_stats) == GL_SVC_FIELDS * sizeof(__u64),
	       "gl_service_stats is enum gl_service_field's counters");

/*
 * Counts one event of (service, lane), making the pair's entry on first use;
 * a full map is counted (service_stats_full), the caller goes on as ever. A
 * global function: the verifier checks it once, not on every caller's path.
 */
__attribute__((noinline)) int gl_service_count(__u32 svc, __u32 lane, __u32 field)
{
	struct gl_service_stats_key k = { .service_id = svc, .lane = (__u16)lane };
	struct gl_service_stats zero = {};
	struct gl_service_stats *v;

	v = bpf_map_lookup_elem(&gl_service_stats, &k);
	if (!v) {
		/* NOEXIST: another CPU's insert of the same pair wins, found below */
		bpf_map_update_elem(&gl_service_stats, &k, &zero, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&gl_service_stats, &k);
	}
	if (!v) {
		gl_count(GL_STAT_SERVICE_STATS_FULL);
		return 0;
	}
	/* per-CPU: no atomic needed */
	switch (field) {
	case GL_SVC_CONNECTS: v->connects++; break;
	case GL_SVC_FALLBACKS: v->fallbacks++; break;
	case GL_SVC_REFUSED: v->refused++; break;
	case GL_SVC_REQUESTS: v->requests++; break;
	default: v->msg_refused++; break;
	}
	return 1;
}

#endif
