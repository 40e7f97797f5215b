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
#define GL_LANE_ENDPOINTS_MAX	128	/* a power of 2: the kernel masks the index */
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
	GL_WL_ENTRY	   = 1 << 1,	/* selected by a TrafficLabelRule */
};

/*
 * Per-CPU counters, one per decision and per failure kind (gl_stats, an array
 * indexed by enum gl_stat). One list gives both the enum and the names the
 * CLI prints, so they cannot drift apart.
 */
#ifdef GL_LAYOUT_TEST_NEXT
#define GL_STATS_LAYOUT_TEST_(X) X(LAYOUT_TEST, "layout_test")	/* tests/e2e/test_upgrade.sh */
#else
#define GL_STATS_LAYOUT_TEST_(X)
#endif
#define GL_STATS(X) \
	X(CONNECT_SEEN, "connect_seen")	/* connect4/6 ran for a managed caller */ \
	X(CONNECT_UNMANAGED, "connect_unmanaged")	/* caller's cgroup not in the inventory: untouched */ \
	X(CONNECT_NOT_SERVICE, "connect_not_service")	/* destination is no service: untouched */ \
	X(CONNECT_LANE, "connect_lane")	/* routed to an endpoint of the caller's lane */ \
	X(CONNECT_BASE, "connect_base")	/* base caller routed to a base endpoint */ \
	X(CONNECT_FALLBACK, "connect_fallback")	/* lane caller, no lane endpoint: routed to base */ \
	X(CONNECT_REFUSED_NO_BASE, "connect_refused_no_base")	/* base caller, service has no base endpoint: refused */ \
	X(CONNECT_NO_ENDPOINT, "connect_no_endpoint")	/* lane caller, neither lane nor base endpoint: refused */ \
	X(CONNECT_BAD_BACKEND, "connect_bad_backend")	/* backend set with count out of range: refused */ \
	X(SK_STORAGE_FAIL, "sk_storage_fail")	/* could not record the dialed address */ \
	X(CGROUP_TOO_DEEP, "cgroup_too_deep")	/* caller nested deeper than GL_CGROUP_DEPTH_MAX */ \
	X(CONFIG_MISSING, "config_missing")	/* gl_config unreadable: untouched */ \
	X(GETPEERNAME_RESTORED, "getpeername_restored")	/* getpeername showed the dialed address */ \
	X(CONNECT_CONTEXT, "connect_context")	/* connect used the thread's fresh context label */ \
	/* receive (syscall tracepoints) */ \
	X(RECV_HEAD, "recv_head")	/* a workload read an HTTP request head */ \
	X(RECV_LABEL_RULE, "recv_label_rule")	/* entry: a TrafficLabelRule matched */ \
	X(RECV_LABEL_HEADER, "recv_label_header")	/* propagation header named a lane */ \
	X(RECV_LABEL_BASE, "recv_label_base")	/* no rule matched / no header: base */ \
	X(RECV_UNKNOWN_LANE, "recv_unknown_lane")	/* propagation header names no lane of the plan: base */ \
	X(RECV_PARTIAL, "recv_partial")	/* head not complete in one read: kept for the next */ \
	X(RECV_MALFORMED, "recv_malformed")	/* head not parsable or over the bound: base */ \
	X(RECV_READ_FAIL, "recv_read_fail")	/* could not copy the read buffer */ \
	X(RECV_UNSEEN, "recv_unseen")	/* io_uring_enter / recvmmsg by a workload: reads not seen */ \
	X(CTX_WRITE_FAIL, "ctx_write_fail")	/* context map full or update failed */ \
	/* send (sockops + sk_msg) */ \
	X(SOCKHASH_ADD, "sockhash_add")	/* a steered connection joined the sockhash */ \
	X(SOCKHASH_FAIL, "sockhash_fail")	/* ... and could not: its requests pass unlabelled */ \
	X(MSG_SEEN, "msg_seen")	/* sk_msg runs */ \
	X(MSG_NO_STORAGE, "msg_no_storage")	/* socket without gl_sock: passed */ \
	X(MSG_PROTO_TLS, "msg_proto_tls")	/* connection recognised as TLS: passes from now on */ \
	X(MSG_PROTO_H2, "msg_proto_h2")	/* HTTP/2 preface (h2c prior knowledge) */ \
	X(MSG_PROTO_OTHER, "msg_proto_other")	/* anything else not HTTP/1.x */ \
	X(MSG_REQUEST, "msg_request")	/* HTTP/1.x request heads parsed */ \
	X(MSG_CORK, "msg_cork")	/* head incomplete: corked for more bytes */ \
	X(MSG_TOO_LARGE, "msg_too_large")	/* head over 8 KiB or over 4 propagation lines: refused */ \
	X(MSG_MALFORMED, "msg_malformed")	/* not a request we can frame: refused */ \
	X(MSG_PULL_FAIL, "msg_pull_fail")	/* bpf_msg_pull_data failed: refused */ \
	X(MSG_PUSH_FAIL, "msg_push_fail")	/* could not insert the propagation header: passed */ \
	X(MSG_POP_FAIL, "msg_pop_fail")	/* could not remove a propagation header: refused */ \
	X(MSG_HEADER_WRITTEN, "msg_header_written")	/* propagation header written into a lane request */ \
	X(MSG_HEADER_REMOVED, "msg_header_removed")	/* propagation header removed from a base request */ \
	X(MSG_LABEL_CONTEXT, "msg_label_context")	/* request labelled by the thread's context */ \
	X(MSG_LABEL_RULE, "msg_label_rule")	/* ... by the entry's rules on this head */ \
	X(MSG_LABEL_HEADER, "msg_label_header")	/* ... by the propagation header in this head */ \
	X(MSG_LABEL_WORKLOAD, "msg_label_workload")	/* ... by the workload lane */ \
	X(LANE_MISMATCH, "lane_mismatch")	/* request lane differs from the connection's lane */ \
	X(MSG_BODY_UNTRACKED, "msg_body_untracked")	/* body framing lost: refused */ \
	X(MSG_REFUSED, "msg_refused")	/* sends dropped (EACCES): a connection failed closed (later sends fail in the kernel) */ \
	X(MSG_EMPTY_LINE, "msg_empty_line")	/* CRLF before a request line: passed, skipped [RFC 9112 2.2] */ \
	X(MSG_UPGRADE, "msg_upgrade")	/* CONNECT or Upgrade request: opaque bytes may follow */ \
	X(MSG_OPAQUE, "msg_opaque")	/* after CONNECT or Upgrade, bytes not HTTP/1.x: untouched from now on */ \
	X(MSG_DESYNC, "msg_desync")	/* the kernel sent other bytes than the verdicts covered (a partial send): refused */ \
	/* twins (sk_msg, sockops, the reply verdict, the daemon) */ \
	X(TWIN_SEND, "twin_send")	/* requests sent through a twin of their endpoint lane */ \
	X(TWIN_WANTED, "twin_wanted")	/* twins asked of the daemon */ \
	X(TWIN_MISSING, "twin_missing")	/* request sent on its connection's endpoint lane: no twin of its own yet */ \
	X(TWIN_PARKED, "twin_parked")	/* request kept until its route was up and idle (a new twin, or pipelined behind a response outstanding on another), then written into it by the daemon */ \
	X(TWIN_PARK_BUSY, "twin_park_busy")	/* request behind a parked one (pipelined): refused, order cannot be kept */ \
	X(TWIN_PARK_LOST, "twin_park_lost")	/* a parked request that could not be written (no twin, its route untracked): its connection shut down */ \
	X(TWIN_RELEASE, "twin_release")	/* ... parked for its connection's own lane, written back into it (the daemon's release socket) */ \
	X(TWIN_BUSY, "twin_busy")	/* request kept on the route with a response outstanding (order first) */ \
	X(TWIN_UNTRACKED, "twin_untracked")	/* request kept on its route: the responses there cannot be counted */ \
	X(TWIN_REDIRECT_FAIL, "twin_redirect_fail")	/* redirect into a twin failed: sent on the connection itself */ \
	X(TWIN_BODY_LOST, "twin_body_lost")	/* a twin went away inside a request body: refused */ \
	X(TWIN_ADD, "twin_add")	/* a twin joined gl_twins */ \
	X(TWIN_ADD_FAIL, "twin_add_fail")	/* ... and could not: closed by the daemon */ \
	X(TWIN_OPEN_FAIL, "twin_open_fail")	/* the daemon could not open a twin (counted by the daemon) */ \
	X(TWIN_FIN, "twin_fin")	/* a twin's server closed it */ \
	X(TWIN_BROKEN, "twin_broken")	/* ... owing a response: the original is shut down, as the server's close would have */ \
	X(TWIN_CLOSED, "twin_closed")	/* twins closed (the original closed, or the server) */ \
	X(REPLY_SEEN, "reply_seen")	/* reply verdict runs */ \
	X(REPLY_RESPONSE, "reply_response")	/* final responses counted */ \
	X(REPLY_REDIRECT, "reply_redirect")	/* twin replies redirected into their original socket */ \
	X(REPLY_REDIRECT_FAIL, "reply_redirect_fail")	/* ... and not: the original is gone, the bytes dropped */ \
	X(REPLY_UNTRACKED, "reply_untracked")	/* a connection's responses could not be framed: it stays on its route */ \
	X(RX_FULL, "rx_full")	/* gl_rx took no entry: the connection stays on its route */ \
	X(EVENT_LOST, "event_lost")	/* ring buffer full: an event was not delivered */ \
	X(RULE_COOKIES_UNREAD, "rule_cookies_unread")	/* entry rules on a head of over 8 Cookie lines: its cookie items matched nothing */ \
	X(EVENT_RATE_DROPPED, "event_rate_dropped")	/* decision event over the listener's rate: not sent */ \
	GL_STATS_LAYOUT_TEST_(X) \
	/* databases (sk_msg on connections to mysql services) */ \
	X(SQL_PACKET, "sql_packet")	/* client packets seen */ \
	X(SQL_STATEMENT, "sql_statement")	/* COM_QUERY / COM_STMT_PREPARE looked at */ \
	X(SQL_LANE_STATEMENT, "sql_lane_statement")	/* ... sent in a lane with shadow tables */ \
	X(SQL_REWRITTEN, "sql_rewritten")	/* statements with a base table rewritten to its shadow */ \
	X(SQL_TABLES, "sql_tables")	/* table references rewritten */ \
	X(SQL_USE, "sql_use")	/* current database changed (handshake, COM_INIT_DB, USE) */ \
	X(SQL_CORK, "sql_cork")	/* packet incomplete: corked for more bytes */ \
	X(SQL_FAIL_TOO_LARGE, "sql_fail_too_large")	/* lane statement over the kernel's bound: dropped */ \
	X(SQL_FAIL_UNSUPPORTED, "sql_fail_unsupported")	/* lane statement the rewriter cannot read safely: dropped */ \
	X(SQL_FAIL_EDIT, "sql_fail_edit")	/* a rewrite could not be applied: dropped */ \
	X(SQL_FAIL_COMPRESSED, "sql_fail_compressed")	/* lane traffic on a compressed connection: dropped */ \
	X(SQL_FAIL_TLS, "sql_fail_tls")	/* lane traffic on a TLS connection: dropped */ \
	X(SQL_FAIL_INSTANCE, "sql_fail_instance")	/* statement of one lane on another lane's instance: dropped */ \
	X(SQL_FAIL_PREPARED, "sql_fail_prepared")	/* prepared statement used across lanes: dropped */ \
	/* per (service, lane) counters */ \
	X(SERVICE_STATS_FULL, "service_stats_full")	/* gl_service_stats took no new (service, lane) (full, or no element at hand): not counted there, routed as ever */

enum gl_stat {
#define GL_STAT_ENUM_(name, str) GL_STAT_##name,
	GL_STATS(GL_STAT_ENUM_)
#undef GL_STAT_ENUM_
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

/* gl_config.flags */
enum gl_config_flags {
	GL_CFG_TRUST_INCOMING = 1 << 0,	/* entries keep a propagation header from outside */
	GL_CFG_NO_RECV = 1 << 1,	/* the kernel lacks the read tracepoints: not attached */
};

/* Where a context label came from (gl_ctx.source). */
enum gl_ctx_source {
	GL_CTX_BASE = 0,	/* a head without rule match or header */
	GL_CTX_RULE,		/* an entry's TrafficLabelRule */
	GL_CTX_HEADER,		/* the propagation header */
};

/* gl_sock.proto: what a connection carries, decided on its first bytes. */
enum gl_sock_proto {
	GL_SOCK_UNKNOWN = 0,
	GL_SOCK_HTTP1,
	GL_SOCK_PASS,		/* TLS, h2, other, or opaque after an upgrade: untouched from now on */
	GL_SOCK_UPGRADING,	/* after CONNECT or Upgrade: HTTP/1.x again (refused) or opaque */
	GL_SOCK_REFUSED,	/* a head it could not frame or clean: every send dropped */
	GL_SOCK_RELEASE,	/* the daemon's release socket (user/daemon/twin_release.c):
				 * what it sends goes out on socket `peer` */
};

/* gl_sock.sql_state: where a database connection's client side stands. */
enum gl_sql_state {
	GL_SQL_HANDSHAKE = 0,	/* the next packet is the handshake response (or SSLRequest) */
	GL_SQL_COMMAND,		/* packets with sequence id 0 are commands */
	GL_SQL_COMPRESSED,	/* CLIENT_COMPRESS: packets cannot be read any more */
	GL_SQL_TLS,		/* SSLRequest: the rest is TLS */
};

/* Ring buffer events (gl_events) for the daemon's log. */
enum gl_event_type {
	GL_EV_LANE_MISMATCH = 1,
	GL_EV_TWIN_WANTED,	/* struct gl_twin_event: open a twin */
	GL_EV_CONN_CLOSED,	/* struct gl_twin_event: an original with twins closed */
	GL_EV_TWIN_BROKEN,	/* struct gl_twin_event: a twin's server closed it owing a response */
	GL_EV_MAX,
};

/* ---- maps ---- */

/*
 * The layout of the pinned maps (their types, key and value types,
 * capacities): bumped with every change of them, recorded in
 * tests/layout/record.txt (make test fails on a change without a bump) and
 * written into gl_config.layout. A daemon taking over pins of another layout
 * rebuilds the plan maps from the rules before it attaches, carries the
 * counters by the names in both maps' BTF and refuses, changing nothing,
 * when a map holding open connections' state differs (user/sync/layout.c).
 * Layout 1 is every build before this field existed; 3 added gl_service_stats;
 * 4 holds 128 endpoints per service, lane and family (was 32); 5 adds twins;
 * 6 counts twin_release (pipelined requests held for their own lane).
 */
#define GL_LAYOUT_VERSION_ 6

/*
 * GL_LAYOUT_TEST_NEXT builds the next layout for tests/e2e/test_upgrade.sh:
 * a counter inserted among the others (indexes shift), a lane counter in
 * front of the others (offsets shift) and a config field (the plan maps are
 * rebuilt). GL_LAYOUT_TEST_STATE grows gl_sock: the upgrade must be refused.
 */
#if defined(GL_LAYOUT_TEST_NEXT) || defined(GL_LAYOUT_TEST_STATE)
#define GL_LAYOUT_VERSION (GL_LAYOUT_VERSION_ + 1)
#else
#define GL_LAYOUT_VERSION GL_LAYOUT_VERSION_
#endif

/* gl_config: ARRAY[1]. Written by the daemon only. */
struct gl_config {
	__u32 active_slot;	/* 0 or 1 */
	__u32 daemon_pid;	/* last daemon that applied a plan */
	__u64 generation;	/* increments with every applied plan */
	__u64 plan_digest;	/* FNV-1a-64 over the active slot's entries, see user/sync/mapsync.c */
	__u64 managed_cgroup;	/* cgroup id of --cgroup */
	__u64 applied_ns;	/* CLOCK_REALTIME of the flip */
	__u64 context_ttl_ns;	/* lifetime of a thread's context label */
	__u32 managed_level;	/* cgroup level of --cgroup (root is 0) */
	__u32 flags;		/* enum gl_config_flags */
	__u32 layout;		/* GL_LAYOUT_VERSION of the daemon that applied the plan */
	enum gl_stat stat_count;	/* GL_STAT_MAX; its type puts the counters' names in
					 * the maps' BTF, to be carried by name (carry.c) */
#ifdef GL_LAYOUT_TEST_NEXT
	__u64 layout_test;
#endif
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
	__u16 nrules;		/* entry workload: its gl_rules indexes 0..nrules-1 */
	__u16 pad[3];
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

/* The propagation header line sk_msg writes into this lane's requests,
 * "<label-header>: <lane>\r\n", built by the daemon so the kernel copies it
 * in one piece. */
#define GL_LANE_LINE_MAX	128

struct gl_lane {
	char  name[GL_LANE_NAME_MAX];
	__u32 line_len;
	__u32 pad;
	char  line[GL_LANE_LINE_MAX];
};

/* gl_lane_stats: PERCPU_ARRAY[GL_LANES_MAX], indexed by lane id. */
/* gl_shadows: HASH. (slot, lane) -> that lane's shadow tables (value struct
 * gl_sql_tables, include/graylane/sql_limits.h). Lane 0 holds every mapped base
 * table mapped to itself, so base statements that touch one are known. */
struct gl_shadow_key {
	__u8  slot;
	__u8  pad;
	__u16 lane;
};

struct gl_lane_stats {
#ifdef GL_LAYOUT_TEST_NEXT
	__u64 layout_test;
#endif
	__u64 connects;		/* connects routed to this lane's endpoints */
	__u64 fallbacks;	/* callers of this lane sent to base */
	__u64 refused;		/* callers of this lane refused */
};

/*
 * gl_service_stats: PERCPU_HASH, at most GL_SERVICE_STATS_MAX (service, lane)
 * pairs, filled as traffic comes (no preallocation: a node pays for the pairs
 * it sees). The lane is the caller's: the connection's at connect, the
 * request's at send, so a lane's fallback to base is counted in the lane's
 * row. Keyed by service id (the plan numbers services by name): counters stay
 * across generations; an added or removed service renumbers those after it.
 * A full map costs the counting (service_stats_full), never the routing; so
 * does an insert the kernel's element cache cannot serve at that moment
 * (no preallocation: it refills asynchronously), and the next event retries.
 */
#define GL_SERVICE_STATS_MAX	8192

struct gl_service_stats_key {
	__u32 service_id;
	__u16 lane;
	__u16 pad;
};

struct gl_service_stats {
	__u64 connects;		/* routed to an endpoint of this lane (base for base callers) */
	__u64 fallbacks;	/* this lane's callers sent to base: the lane has no endpoint */
	__u64 refused;		/* connects refused: no endpoint at all, or a bad backend set */
	__u64 requests;		/* HTTP request heads (COM_QUERY, COM_STMT_PREPARE) sent in this lane */
	__u64 msg_refused;	/* sends dropped on this lane's connections (failed closed) */
};

/* gl_lane_ids: HASH. Lane name -> id (value __u16), for propagation header values. */
struct gl_lane_name_key {
	__u8  slot;
	__u8  pad[3];
	char  name[GL_LANE_NAME_MAX];	/* NUL-padded */
};

/*
 * gl_rules: HASH. The TrafficLabelRules of one entry workload, in the order
 * they are tried (priority, then name); index 0..gl_workload.nrules-1.
 */
#define GL_ENTRY_RULES_MAX	32	/* rules that select one workload */
#define GL_RULE_ITEMS_MAX	8	/* items of one rule, ANDed (= GL_MATCH_ITEMS_MAX) */
#define GL_RULE_KEY_MAX		64	/* = GL_MATCH_KEY_MAX */
#define GL_RULE_VALUE_MAX	128	/* = GL_MATCH_VALUE_MAX */
#define GL_RULE_IN_MAX		8	/* = GL_IN_LIST_MAX */
#define GL_RULES_MAX		65536	/* gl_rules entries, both slots */

struct gl_rule_key {
	__u8  slot;
	__u8  pad;
	__u16 index;
	__u32 workload_id;
};

struct gl_match_item {
	__u8  type;		/* enum gl_match_type */
	__u8  cond;		/* enum gl_cond */
	__u8  key_len;
	__u8  value_len;
	__u8  want_slot;	/* absolute slot 0..GL_HTTP_SLOT_MAX-1 of the workload's gl_wants
				 * table; GL_HTTP_SLOT_NONE for items that read no header */
	__u8  percent;		/* percentage: 0..100 */
	__u8  nin;		/* in/not_in: values, each at value[in_off[i]], in_len[i] bytes */
	__u8  pad;
	__u8  in_off[GL_RULE_IN_MAX];
	__u8  in_len[GL_RULE_IN_MAX];
	char  key[GL_RULE_KEY_MAX];	/* header name lowercase; param, cookie as written */
	char  value[GL_RULE_VALUE_MAX];
};

struct gl_rule {
	__u16 lane;		/* the trafficLabel */
	__u8  nitems;
	__u8  pad[5];
	struct gl_match_item item[GL_RULE_ITEMS_MAX];
};

/* gl_wants: HASH. The header names one workload's heads are parsed for
 * (value: struct gl_http_want, bpf/lib/http.h); workload 0 is the default
 * table of every workload that is not an entry. */
struct gl_want_key {
	__u8  slot;
	__u8  pad[3];
	__u32 workload_id;
};

/* gl_ctx: LRU_HASH, key: thread id. A thread's context label. */
struct gl_ctx {
	__u64 expires_ns;	/* bpf_ktime_get_ns() deadline */
	__u32 workload_id;	/* the workload whose thread read the head */
	__u16 lane;
	__u8  source;		/* enum gl_ctx_source */
	__u8  pad;
};
#define GL_CTX_MAX		65536	/* threads with a context label */

/* gl_events: RINGBUF record. */
struct gl_event {
	__u32 type;		/* enum gl_event_type */
	__u32 workload_id;
	__u32 service_id;
	__u16 conn_lane;
	__u16 req_lane;
	__u64 ts_ns;
};

/*
 * Twins (DESIGN.md Decisions 4, bpf/lib/twin.bpf.h). gl_twins: SOCKHASH,
 * key struct gl_twin_key: the daemon's twin sockets. gl_twin_of: HASH, the
 * same key -> the twin's socket cookie. gl_twin_pending: HASH, key the tgid
 * of the daemon's helper that connects a twin -> struct gl_twin_want.
 */
struct gl_twin_key {
	__u64 cookie;		/* the original socket's */
	__u16 lane;		/* the twin's endpoint lane */
	__u16 pad[3];
};
#define GL_TWINS_MAX		65536

/* gl_twin_pending's value: the twin a helper of the daemon connects. */
struct gl_twin_want {
	__u64 cookie;		/* the original socket's */
	__u16 lane;		/* the twin's endpoint lane */
	__u16 pad;
	__u32 tgid;		/* the original's process */
};

/* gl_rx: LRU_HASH, key socket cookie (originals and twins). Requests sent
 * (sk_msg) against final responses received (the reply verdict). */
#define GL_RX_RESP_SIZE		48	/* struct gl_http_resp, bpf/lib/http_resp.h */
enum gl_rx_state {
	GL_RX_OPEN = 0,
	GL_RX_UNTRACKED,	/* responses cannot be counted (framing lost, opaque, until close) */
	GL_RX_CLOSED,		/* the server closed (FIN seen) */
};
struct gl_rx {
	__u8  resp[GL_RX_RESP_SIZE];	/* the framer's state */
	__u64 peer;		/* a twin: its original's cookie; an original: 0 */
	__u64 head_bits;	/* bit i % 64: request i was HEAD */
	__u32 sent;		/* requests sent on this socket */
	__u32 done;		/* final responses received on it */
	__u16 lane;		/* endpoint lane */
	__u8  state;		/* enum gl_rx_state */
	__u8  pad[5];
};
#define GL_RX_MAX		131072

/* gl_events record of GL_EV_TWIN_WANTED, GL_EV_CONN_CLOSED and GL_EV_TWIN_BROKEN. */
struct gl_twin_event {
	__u32 type;		/* enum gl_event_type */
	__u32 tgid;		/* the original's process (its netns and cgroup) */
	__u64 cookie;		/* the original socket's */
	__u8  local[16];	/* the original's source address */
	__u8  dialed[16];	/* the address the original dialed */
	__u16 dialed_port;
	__u16 lane;		/* the twin's endpoint lane */
	__u8  family;
	__u8  parked;		/* GL_EV_TWIN_WANTED: the request waits in gl_park */
	__u8  pad[2];
	__u32 service_id;
	__u32 workload_id;
};

/*
 * gl_park: HASH, key the original's socket cookie. A request the daemon
 * writes out for the kernel (bpf/lib/twin.bpf.h): one that asked for a new
 * twin, or one pipelined behind a response outstanding on another route,
 * held until that is in; the message itself went into the daemon's sink
 * (gl_sink: SOCKHASH[1]). Once the daemon writes it, it sets len to 0 and
 * the first 4 bytes of `bytes` to the request's number (a __u32, counted
 * from 1) on the socket `lane` leads to: the entry is done with once that
 * socket has as many final responses (gl_rx.done).
 */
#define GL_PARK_MAX		8192	/* a head and a small body, whole in one message */
#define GL_PARKED_MAX		4096
struct gl_park {
	__u32 len;		/* bytes, as sent (propagation header written) */
	__u16 lane;		/* the twin's endpoint lane */
	__u8  head;		/* a HEAD request: its reply has no body */
	__u8  pad;
	__u8  bytes[GL_PARK_MAX];
};

/*
 * gl_watch: ARRAY[1], written by `graylane events` while it listens (and
 * refreshed: a listener killed stops the events within a second or two).
 * until_ns 0 or past: nobody listens, connect pays one lookup.
 */
#define GL_WATCH_ANY_LANE	0xffff

struct gl_watch {
	__u64 until_ns;		/* bpf_ktime_get_ns() deadline of the listener */
	__u32 workload_id;	/* 0: every caller */
	__u32 rate_per_sec;	/* events per second per CPU; more are counted, not sent */
	__u16 lane;		/* GL_WATCH_ANY_LANE: every lane */
	__u16 pad[3];
};

/* gl_watch_rate: PERCPU_ARRAY[1], the rate limiter's window. */
struct gl_watch_rate {
	__u64 window_ns;
	__u64 sent;
};

enum gl_decision_kind {
	GL_DECISION_LANE = 1,	/* an endpoint of the caller's lane */
	GL_DECISION_BASE,	/* a base caller, a base endpoint */
	GL_DECISION_FALLBACK,	/* the lane has none: base's */
	GL_DECISION_REFUSED,	/* none at all: connect() fails with EPERM */
};

/* gl_decisions: RINGBUF record, one per steered connect while watched. */
struct gl_decision {
	__u64 ts_ns;
	__u32 workload_id;
	__u32 service_id;
	__u16 lane;		/* the caller's (the connection's) lane */
	__u16 ep_lane;		/* whose endpoint: lane, or base on fallback */
	__u8  decision;		/* enum gl_decision_kind */
	__u8  ctx_source;	/* 0: the workload lane, else enum gl_ctx_source + 1 */
	__u8  family;
	__u8  pad;
	__u16 port;		/* the endpoint's (target) port, host order */
	__u16 dialed_port;
	__u8  addr[16];		/* the endpoint, network order (0 when refused) */
	__u8  dialed[16];	/* what the caller dialed */
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
	__u8  proto;		/* enum gl_sock_proto */
	__u8  svc_protocol;	/* enum gl_protocol of the service */
	__u8  ctx_source;	/* enum gl_ctx_source + 1 when connect used a context, else 0 */
	__u8  pad1[3];
	__u32 requests;		/* request heads sent so far */
	__u64 cookie;		/* socket cookie (sk_msg cannot ask for it) */
	/* body of the request being sent (struct gl_http_body, bpf/lib/http.h) */
	__u64 body_left;
	__u32 body_line;
	__u8  body_state;
	__u8  body_reason;
	__s8  body_err;
	__u8  pad2;
	/* database connections (svc_protocol GL_PROTO_MYSQL) */
	__u16 ep_lane;		/* lane of the endpoint connect chose: base on fallback */
	__u8  sql_state;	/* enum gl_sql_state */
	__u8  db_len;		/* current database (handshake, COM_INIT_DB, USE); 0xff unknown */
	__u8  init_db_len;	/* the handshake's, for COM_RESET_CONNECTION */
	__u8  pad3[3];
	__u64 prep_lanes;	/* bit L: lane L has prepared statements open here */
	__u8  prep_open[GL_LANES_MAX];	/* prepared statements open, per lane (saturating) */
	char  db[64];		/* GL_SQL_NAME_MAX (sql_limits.h) */
	char  init_db[64];
	/* twins (bpf/lib/twin.bpf.h) */
	__u64 peer;		/* a twin: its original's cookie */
	__u64 twins_asked;	/* an original: bit L, a twin of endpoint lane L was asked for */
	__u64 asked_ns;		/* ... last at this bpf_ktime_get_ns() */
	__u32 tgid;		/* the process that connected (a twin: its original's) */
	__u16 route_lane;	/* an original: endpoint lane its last request went to */
	__u8  twin;		/* 1: a twin (the daemon's), not a workload's connection */
	__u8  twinned;		/* an original: some request of it went through a twin */
	/* where the verdicts stand in the connection's byte stream (send.bpf.h) */
	__u64 pos_sync;		/* stream position up to which the parse state is right */
	__u64 pos_twin;		/* bytes of it redirected into twins */
	__u32 seq_last;		/* write_seq at the last run, to unwrap it */
	__u32 seq_hi;		/* its wraps */
#ifdef GL_LAYOUT_TEST_STATE
	__u64 layout_test;
#endif
};

#endif /* GRAYLANE_ABI_H */
