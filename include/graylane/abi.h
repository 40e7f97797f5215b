/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one kernel <-> userspace ABI of graylane: map keys and values, enums and
 * capacities. Included by the BPF programs (bpf/) and by the daemon and CLI
 * (user/). Fixed-width fields, explicit padding; nothing here is mirrored by
 * hand anywhere else.
 *
 * Generations: every key of the data maps carries a `slot` (0 or 1). The
 * daemon writes a new plan into the inactive slot, then flips
 * gl_config.active_slot in one 4-byte store, then deletes the old slot's
 * entries. The kernel only ever reads entries of the active slot, so a rule
 * change is applied atomically, and a crash mid-write leaves the running plan
 * untouched.
 */
#ifndef GRAYLANE_ABI_H
#define GRAYLANE_ABI_H

#ifdef __BPF__
/* vmlinux.h already provides __u8 .. __u64 */
#else
#include <linux/types.h>
#endif

/* ---- capacities (enforced by validation in user/) ---- */

/* Lane ids are 0..GL_LANES_MAX-1; 0 is the base lane ("base" is reserved). */
#define GL_LANES_MAX		64
#define GL_LANE_BASE		0
/* A lane name is a DNS label: at most 31 bytes plus NUL. */
#define GL_LANE_NAME_MAX	32
/* Endpoints of one service in one lane and one address family. */
#define GL_LANE_ENDPOINTS_MAX	32
/* Cgroups the kernel walks up from the caller's to find its workload. */
#define GL_CGROUP_DEPTH_MAX	32

/* Map sizes (entries per map, both slots together). */
#define GL_WORKLOADS_MAX	32768	/* cgroups: workloads + the managed root */
#define GL_SERVICES_MAX		16384	/* services (ids 1..GL_SERVICES_MAX-1) */
#define GL_SERVICE_ADDRS_MAX	524288	/* (address, port) keys, both slots */
#define GL_BACKENDS_MAX		131072	/* (service, lane, family) sets, both slots */
#define GL_SOCKETS_MAX		0	/* sk_storage: sized by the kernel */

#define GL_SLOTS		2

/* ---- enums ---- */

enum gl_family {
	GL_FAMILY_INET	= 2,	/* AF_INET */
	GL_FAMILY_INET6	= 10,	/* AF_INET6 */
};

enum gl_protocol {
	GL_PROTO_HTTP = 0,
	GL_PROTO_MYSQL,
	GL_PROTO_TCP,
	GL_PROTO_MAX,
};

/* gl_service_addr.kind: how the caller reached the service */
enum gl_addr_kind {
	GL_ADDR_VIRTUAL = 0,	/* a Service's spec.addresses */
	GL_ADDR_ENDPOINT,	/* an endpoint's own address and target port */
	GL_ADDR_KIND_MAX,
};

/* gl_workload.flags */
enum gl_workload_flags {
	GL_WL_MANAGED_ROOT = 1 << 0,	/* the --cgroup directory: base caller, no workload */
};

/*
 * Per-CPU counters, one per decision and per failure kind (gl_stats, an array
 * indexed by this enum). Names for the CLI live in user/stats.c.
 */
enum gl_stat {
	GL_STAT_CONNECT_SEEN = 0,	/* connect4/6 ran for a managed caller */
	GL_STAT_CONNECT_UNMANAGED,	/* caller's cgroup not in the inventory: untouched */
	GL_STAT_CONNECT_NOT_SERVICE,	/* destination is no service: untouched */
	GL_STAT_CONNECT_LANE,		/* routed to an endpoint of the caller's lane */
	GL_STAT_CONNECT_BASE,		/* base caller routed to a base endpoint */
	GL_STAT_CONNECT_FALLBACK,	/* lane caller, no lane endpoint: routed to base */
	GL_STAT_CONNECT_REFUSED_NO_BASE,/* base caller, service has no base endpoint: refused */
	GL_STAT_CONNECT_NO_ENDPOINT,	/* lane caller, neither lane nor base endpoint: refused */
	GL_STAT_CONNECT_BAD_BACKEND,	/* backend set with count out of range: refused */
	GL_STAT_SK_STORAGE_FAIL,	/* could not record the dialed address */
	GL_STAT_CGROUP_TOO_DEEP,	/* caller nested deeper than GL_CGROUP_DEPTH_MAX */
	GL_STAT_CONFIG_MISSING,		/* gl_config unreadable: untouched */
	GL_STAT_GETPEERNAME_RESTORED,	/* getpeername showed the dialed address */
	GL_STAT_MAX,
};

/* TrafficLabelRule conditions and match types, as the kernel evaluates them. */
enum gl_cond {
	GL_COND_EQ = 0,		/* == */
	GL_COND_NE,		/* != */
	GL_COND_PREFIX,
	GL_COND_SUFFIX,
	GL_COND_CONTAINS,
	GL_COND_IN,
	GL_COND_NOT_IN,
	GL_COND_EXISTS,
	GL_COND_PERCENTAGE,
	GL_COND_MAX,
};

enum gl_match_type {
	GL_MATCH_HEADER = 0,
	GL_MATCH_PATH,
	GL_MATCH_METHOD,
	GL_MATCH_PARAM,
	GL_MATCH_COOKIE,
	GL_MATCH_HOST,
	GL_MATCH_TYPE_MAX,
};

/* ---- maps ---- */

/* gl_config: ARRAY[1]. Written by the daemon only. */
struct gl_config {
	__u32 active_slot;	/* 0 or 1 */
	__u32 daemon_pid;	/* last daemon that applied a plan */
	__u64 generation;	/* increments with every applied plan */
	__u64 plan_digest;	/* FNV-1a-64 over the active slot's entries, see user/plan.c */
	__u64 managed_cgroup;	/* cgroup id of --cgroup */
	__u64 applied_ns;	/* CLOCK_REALTIME of the flip */
};

/* gl_workloads: HASH. Key: cgroup id of a workload (or of the managed root). */
struct gl_workload_key {
	__u8  slot;
	__u8  pad[7];
	__u64 cgroup_id;
};

struct gl_workload {
	__u32 workload_id;	/* 1.., 0 for the managed root */
	__u16 lane;		/* the workload lane */
	__u16 flags;		/* enum gl_workload_flags */
};

/* gl_services: HASH. Key: a dialed (address, port) that belongs to a service. */
struct gl_service_key {
	__u8  slot;
	__u8  family;		/* enum gl_family */
	__u16 port;		/* host byte order */
	__u8  addr[16];		/* network byte order; IPv4 in addr[0..3], rest 0 */
};

struct gl_service_addr {
	__u32 service_id;	/* 1.. */
	__u16 target_port;	/* host byte order: port the endpoint listens on */
	__u8  kind;		/* enum gl_addr_kind */
	__u8  protocol;		/* enum gl_protocol */
};

/* gl_backends: HASH. Key: one lane's endpoints of one service, one family. */
struct gl_backend_key {
	__u8  slot;
	__u8  family;		/* enum gl_family */
	__u16 lane;
	__u32 service_id;
};

struct gl_endpoint {
	__u8  addr[16];		/* network byte order */
	__u32 workload_id;
};

struct gl_backend {
	__u32 count;		/* 1..GL_LANE_ENDPOINTS_MAX */
	__u32 pad;
	struct gl_endpoint ep[GL_LANE_ENDPOINTS_MAX];
};

/* gl_lanes: HASH. Lane id -> name, for operators (bpftool, graylane dump). */
struct gl_lane_key {
	__u8  slot;
	__u8  pad;
	__u16 lane;
};

struct gl_lane {
	char name[GL_LANE_NAME_MAX];
};

/* gl_lane_stats: PERCPU_ARRAY[GL_LANES_MAX], indexed by lane id. */
struct gl_lane_stats {
	__u64 connects;		/* connects routed to this lane's endpoints */
	__u64 fallbacks;	/* callers of this lane sent to base */
	__u64 refused;		/* callers of this lane refused */
};

/* gl_sock: SK_STORAGE. What connect4/6 decided, for getpeername and later hops. */
struct gl_sock {
	__u8  dialed_addr[16];	/* what the application asked for */
	__u16 dialed_port;	/* host byte order */
	__u8  family;
	__u8  steered;		/* 1 when connect rewrote the destination */
	__u32 service_id;
	__u32 workload_id;	/* caller */
	__u16 lane;		/* lane the connection was opened in */
	__u16 pad;
};

#endif /* GRAYLANE_ABI_H */
