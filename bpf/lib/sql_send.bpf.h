/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/*
 * Databases (DESIGN.md, Decisions 5): sk_msg on connections to `mysql`
 * services. Each client packet is looked at on its own (bpf_msg_apply_bytes
 * hands the rest of a send back); a command's lane is decided when it is
 * sent: the thread's fresh context label, else the connection's lane.
 *
 *   handshake response   capabilities (compression, TLS) and the database
 *   COM_INIT_DB, USE     the current database
 *   COM_QUERY,           base tables rewritten to the lane's shadow tables
 *   COM_STMT_PREPARE     (lib/sql.h finds them; the edits are applied here,
 *                         last first, and the packet length fixed up)
 *   COM_STMT_EXECUTE     refused when another lane has statements prepared
 *
 * What cannot be handled safely never reaches base data from a lane: the
 * packet is dropped (SK_DROP: the client's send fails with EACCES and the
 * connection is unusable from then on), counted by reason. Base statements
 * always pass untouched.
 */
#ifndef GL_SQL_SEND_BPF_H
#define GL_SQL_SEND_BPF_H

#include "lib/caller.bpf.h"
#include "lib/context.bpf.h"
#include "lib/scratch.bpf.h"
#include "lib/sql.h"
#include "lib/sql_apply.bpf.h"

#define MYSQL_CLIENT_CONNECT_WITH_DB	0x00000008
#define MYSQL_CLIENT_COMPRESS		0x00000020
#define MYSQL_CLIENT_SSL		0x00000800
#define MYSQL_CLIENT_SECURE_CONNECTION	0x00008000
#define MYSQL_CLIENT_PLUGIN_AUTH_LENENC	0x00200000

enum {
	COM_QUIT = 0x01,
	COM_INIT_DB = 0x02,
	COM_QUERY = 0x03,
	COM_CHANGE_USER = 0x11,
	COM_STMT_PREPARE = 0x16,
	COM_STMT_EXECUTE = 0x17,
	COM_STMT_SEND_LONG_DATA = 0x18,
	COM_STMT_CLOSE = 0x19,
	COM_STMT_RESET = 0x1a,
	COM_STMT_FETCH = 0x1c,
	COM_RESET_CONNECTION = 0x1f,
	COM_STMT_BULK_EXECUTE = 0xfa,
};

_Static_assert(GL_SQL_BUF_SIZE == GL_HTTP_BUF_SIZE, "SQL and HTTP share the scratch buffer");

/* gl_sock.db_len when the current database could not be read: a lane's
 * statement that may name a shadowed table is then refused, not guessed */
#define GL_SQL_DB_UNKNOWN 0xff

/* database connections whose sends gl_sql_msg inspects, by socket cookie */
struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} gl_sqlhash SEC(".maps");

/* (slot, lane) -> the lane's shadow tables */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GL_LANES_MAX * GL_SLOTS);
	__type(key, struct gl_shadow_key);
	__type(value, struct gl_sql_tables);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} gl_shadows SEC(".maps");

/* the rewriter's output, per CPU */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gl_sql_edits);
} gl_sql_edits_buf SEC(".maps");

struct gl_sql {
	struct sk_msg_md *msg;
	struct gl_sock *s;
	struct gl_scratch *sc;
	__u32 plen;		/* payload length of the packet at the message start */
	__u8 seq;
	__u8 slot;
	__u16 lane;		/* the statement's lane */
};

static __always_inline int gl_sql_drop(__u32 stat)
{
	gl_count(stat);
	return SK_DROP;
}

/* Would the statement's lane reach this connection's instance? */
static __always_inline bool gl_sql_instance_ok(struct gl_sql *x)
{
	struct gl_backend_key k = { .slot = x->slot, .family = x->s->family, .lane = x->lane,
				    .service_id = x->s->service_id };
	__u16 want = GL_LANE_BASE;

	if (x->lane != GL_LANE_BASE && bpf_map_lookup_elem(&gl_backends, &k))
		want = x->lane;	/* the lane has its own instance */
	return want == x->s->ep_lane;
}

struct gl_nul_ctx {
	const __u8 *buf;
	__u32 pos;
	__u32 end;
	__u32 found;
};

static long gl_nul_step(__u32 i, void *data)
{
	struct gl_nul_ctx *x = data;

	if (x->pos + i >= x->end)
		return 1;
	if (gl_http_at(x->buf, x->pos + i) == 0) {
		x->found = x->pos + i;
		return 1;
	}
	return 0;
}

/* Offset of the NUL ending the string at pos, or GL_HTTP_NOPOS. */
static __always_inline __u32 gl_sql_nul(const __u8 *buf, __u32 pos, __u32 end)
{
	struct gl_nul_ctx x = { .buf = buf, .pos = pos, .end = end, .found = GL_HTTP_NOPOS };

	if (pos < end)
		bpf_loop(end - pos > 256 ? 256 : end - pos, gl_nul_step, &x, 0);
	return x.found;
}

struct gl_dbcopy_ctx {
	char *dst;
	const __u8 *buf;
	__u32 off;
	__u32 n;
};

static long gl_dbcopy_step(__u32 i, void *data)
{
	struct gl_dbcopy_ctx *x = data;
	__u64 k = i;

	GL_BOUND(k, GL_SQL_NAME_MAX - 1);
	x->dst[k] = i < x->n ? gl_http_at(x->buf, x->off + i) : 0;
	return 0;
}

/* Copies a database name [off, off + n) of the buffer into dst
 * (GL_SQL_NAME_MAX bytes); returns its length, GL_SQL_DB_UNKNOWN when it
 * cannot be a database name. */
static __always_inline __u8 gl_sql_set_db(char *dst, const __u8 *buf, __u32 off, __u32 n)
{
	struct gl_dbcopy_ctx x = { .dst = dst, .buf = buf, .off = off, .n = n };

	if (n > GL_SQL_NAME_MAX)
		return GL_SQL_DB_UNKNOWN;
	bpf_loop(GL_SQL_NAME_MAX, gl_dbcopy_step, &x, 0);
	return (__u8)n;
}

/* Handshake response (or SSLRequest): capabilities and the database. */
static __always_inline void gl_sql_handshake(struct gl_sql *x)
{
	const __u8 *b = x->sc->buf;
	__u32 caps, end = 4 + x->plen, p, n;

	caps = gl_http_at(b, 4) | gl_http_at(b, 5) << 8 | gl_http_at(b, 6) << 16 |
	       (__u32)gl_http_at(b, 7) << 24;
	x->s->sql_state = GL_SQL_COMMAND;
	if (caps & MYSQL_CLIENT_SSL) {
		x->s->sql_state = GL_SQL_TLS;	/* an SSLRequest: TLS follows */
		return;
	}
	if (caps & MYSQL_CLIENT_COMPRESS)
		x->s->sql_state = GL_SQL_COMPRESSED;
	if (!(caps & MYSQL_CLIENT_CONNECT_WITH_DB))
		return;
	/* from here on a database was named: not reading it makes it unknown */
	x->s->db_len = x->s->init_db_len = GL_SQL_DB_UNKNOWN;
	p = gl_sql_nul(b, 4 + 32, end);		/* user name after the fixed 32 bytes */
	if (p == GL_HTTP_NOPOS)
		return;
	p++;
	if (caps & MYSQL_CLIENT_PLUGIN_AUTH_LENENC) {
		n = gl_http_at(b, p);
		if (n >= 0xfb)
			return;	/* longer auth data than this reader skips */
		p += 1 + n;
	} else if (caps & MYSQL_CLIENT_SECURE_CONNECTION) {
		p += 1 + gl_http_at(b, p);
	} else {
		p = gl_sql_nul(b, p, end);
		if (p == GL_HTTP_NOPOS)
			return;
		p++;
	}
	n = gl_sql_nul(b, p, end);
	if (n == GL_HTTP_NOPOS)
		return;
	x->s->db_len = gl_sql_set_db(x->s->db, b, p, n - p);
	x->s->init_db_len = gl_sql_set_db(x->s->init_db, b, p, n - p);
	gl_count(GL_STAT_SQL_USE);
}

/* COM_CHANGE_USER: user, auth (length-prefixed, as every client since 4.1
 * sends it), then the new database. Unreadable: the database is unknown. */
static __always_inline void gl_sql_change_user(struct gl_sql *x)
{
	const __u8 *b = x->sc->buf;
	__u32 end = 4 + x->plen, p, n;

	x->s->db_len = GL_SQL_DB_UNKNOWN;
	p = gl_sql_nul(b, 5, end);
	if (p == GL_HTTP_NOPOS)
		return;
	p += 2 + gl_http_at(b, p + 1);
	n = gl_sql_nul(b, p, end);
	if (n == GL_HTTP_NOPOS)
		return;
	x->s->db_len = gl_sql_set_db(x->s->db, b, p, n - p);
	gl_count(GL_STAT_SQL_USE);
}

/* COM_QUERY / COM_STMT_PREPARE: USE, and the rewrite for a lane. */
static __always_inline int gl_sql_statement(struct gl_sql *x, __u8 cmd)
{
	struct gl_shadow_key k = { .slot = x->slot, .lane = x->lane };
	const struct gl_sql_tables *t;
	struct gl_sql_edits *e;
	struct gl_apply_ctx a = {};
	__u32 zero = 0, bit;
	int n;

	gl_count(GL_STAT_SQL_STATEMENT);
	gl_service_count(x->s->service_id, x->lane, GL_SVC_REQUESTS);	/* a statement is a request */
	t = bpf_map_lookup_elem(&gl_shadows, &k);	/* lane 0: the base tables themselves */
	e = bpf_map_lookup_elem(&gl_sql_edits_buf, &zero);
	if (!e)
		return SK_PASS;
	if (x->lane != GL_LANE_BASE && t)
		gl_count(GL_STAT_SQL_LANE_STATEMENT);
	if (4 + x->plen > GL_SQL_BUF_SIZE) {
		/* cannot be read: a lane with shadow tables must not run it on base */
		if (x->lane != GL_LANE_BASE && t)
			return gl_sql_drop(GL_STAT_SQL_FAIL_TOO_LARGE);
		return SK_PASS;
	}
	if (x->s->db_len == GL_SQL_DB_UNKNOWN && x->lane != GL_LANE_BASE && t)
		return gl_sql_drop(GL_STAT_SQL_FAIL_UNSUPPORTED);	/* which database? */
	n = gl_sql_rewrite(x->sc->buf, 5, x->plen - 1, (const __u8 *)x->s->db,
			   x->s->db_len == GL_SQL_DB_UNKNOWN ? 0 : x->s->db_len, t, e);
	if (n < 0) {
		if (x->lane != GL_LANE_BASE && t)
			return gl_sql_drop(n == GL_SQL_E_TOO_LARGE ? GL_STAT_SQL_FAIL_TOO_LARGE
								   : GL_STAT_SQL_FAIL_UNSUPPORTED);
		return SK_PASS;
	}
	if (e->use_len) {
		x->s->db_len = gl_sql_set_db(x->s->db, x->sc->buf, e->use_off, e->use_len);
		gl_count(GL_STAT_SQL_USE);
	}
	if (cmd == COM_STMT_PREPARE && n > 0) {
		bit = x->lane & (GL_LANES_MAX - 1);
		if (x->s->prep_open[bit] < 255)
			x->s->prep_open[bit]++;
		x->s->prep_lanes |= 1ULL << bit;
	}
	if (n == 0 || x->lane == GL_LANE_BASE || !t)
		return SK_PASS;	/* base tables stay base tables */
	a.msg = x->msg;
	a.e = e;
	a.t = t;
	bpf_loop(n, gl_sql_apply_step, &a, 0);
	if (a.rc || gl_sql_fix_length(x->msg, (__u32)((long)x->plen + a.delta)))
		return gl_sql_drop(GL_STAT_SQL_FAIL_EDIT);
	gl_count(GL_STAT_SQL_REWRITTEN);
	return SK_PASS;
}

static __always_inline int gl_sql_command(struct gl_sql *x)
{
	__u8 cmd = gl_http_at(x->sc->buf, 4);
	__u32 bit = x->lane & (GL_LANES_MAX - 1);

	switch (cmd) {
	case COM_INIT_DB:
		x->s->db_len = gl_sql_set_db(x->s->db, x->sc->buf, 5, x->plen - 1);
		gl_count(GL_STAT_SQL_USE);
		return SK_PASS;
	case COM_CHANGE_USER:
	case COM_RESET_CONNECTION:
		/* prepared statements are gone; the database is the one
		 * COM_CHANGE_USER names, or the handshake's again */
		x->s->prep_lanes = 0;
		__builtin_memset(x->s->prep_open, 0, sizeof(x->s->prep_open));
		if (cmd == COM_CHANGE_USER) {
			gl_sql_change_user(x);
		} else {
			__builtin_memcpy(x->s->db, x->s->init_db, sizeof(x->s->db));
			x->s->db_len = x->s->init_db_len;
		}
		return SK_PASS;
	case COM_QUERY:
	case COM_STMT_PREPARE:
		return gl_sql_statement(x, cmd);
	case COM_STMT_EXECUTE:
	case COM_STMT_SEND_LONG_DATA:
	case COM_STMT_FETCH:
	case COM_STMT_BULK_EXECUTE:
		/* statement ids are the server's: a statement prepared in another
		 * lane may be the one run, so refuse while any is open */
		if (x->s->prep_lanes & ~(1ULL << bit))
			return gl_sql_drop(GL_STAT_SQL_FAIL_PREPARED);
		return SK_PASS;
	case COM_STMT_CLOSE:
		if (x->s->prep_open[bit] && --x->s->prep_open[bit] == 0)
			x->s->prep_lanes &= ~(1ULL << bit);
		return SK_PASS;
	default:
		return SK_PASS;
	}
}

static __always_inline int gl_sql_msg(struct sk_msg_md *msg)
{
	struct gl_sql x = { .msg = msg };
	struct gl_config *cfg;
	struct gl_caller c;
	struct gl_ctx *ctx;
	__u64 size = msg->size, want;
	__u32 zero = 0;
	int rc;

	gl_count(GL_STAT_SQL_PACKET);
	bpf_msg_apply_bytes(msg, 0);	/* kept between runs of one send: start from all */
	if (size == 0)
		return SK_PASS;
	x.s = bpf_sk_storage_get(&gl_sock, msg->sk, 0, 0);
	cfg = bpf_map_lookup_elem(&gl_config, &zero);
	x.sc = gl_scratch_get(GL_SCRATCH_SQL);
	if (!x.s || !cfg || !x.sc) {
		gl_count(GL_STAT_MSG_NO_STORAGE);
		return SK_PASS;
	}
	x.slot = cfg->active_slot & 1;
	/* the statement's lane: the thread's context, else the connection's */
	x.lane = x.s->lane;
	if (!gl_find_caller(x.slot, &c)) {
		ctx = gl_ctx_fresh(c.workload_id);
		if (ctx)
			x.lane = ctx->lane;
	}

	if (x.s->sql_state == GL_SQL_TLS || x.s->sql_state == GL_SQL_COMPRESSED) {
		struct gl_shadow_key k = { .slot = x.slot, .lane = x.lane };

		/* nothing readable: a lane with shadows or its own instance must not
		 * send here, base traffic passes */
		if (x.lane != GL_LANE_BASE &&
		    (bpf_map_lookup_elem(&gl_shadows, &k) || !gl_sql_instance_ok(&x)))
			return gl_sql_drop(x.s->sql_state == GL_SQL_TLS ? GL_STAT_SQL_FAIL_TLS
								      : GL_STAT_SQL_FAIL_COMPRESSED);
		return SK_PASS;
	}
	/* the rest of a packet that began in an earlier send */
	if (x.s->body_left) {
		want = x.s->body_left < size ? x.s->body_left : size;
		x.s->body_left -= want;
		if (want < size)
			bpf_msg_apply_bytes(msg, want);
		return SK_PASS;
	}
	if (size < 5) {
		gl_count(GL_STAT_SQL_CORK);
		bpf_msg_cork_bytes(msg, 5);
		return SK_PASS;
	}
	want = size < GL_SQL_BUF_SIZE ? size : GL_SQL_BUF_SIZE;
	if (gl_msg_copy(msg, x.sc, 0, want))
		return gl_sql_drop(GL_STAT_MSG_PULL_FAIL);
	x.plen = gl_http_at(x.sc->buf, 0) | gl_http_at(x.sc->buf, 1) << 8 |
		 gl_http_at(x.sc->buf, 2) << 16;
	x.seq = gl_http_at(x.sc->buf, 3);
	/* read a packet whole when it fits the buffer: cork until it is here */
	if (4 + (__u64)x.plen > size && 4 + x.plen <= GL_SQL_BUF_SIZE) {
		gl_count(GL_STAT_SQL_CORK);
		bpf_msg_cork_bytes(msg, 4 + x.plen);
		return SK_PASS;
	}
	/* this run decides for one packet; the rest of the send comes again */
	if (4 + (__u64)x.plen < size)
		bpf_msg_apply_bytes(msg, 4 + x.plen);
	else if (4 + (__u64)x.plen > size)
		x.s->body_left = 4 + (__u64)x.plen - size;

	if (x.s->sql_state == GL_SQL_HANDSHAKE) {
		gl_sql_handshake(&x);
		return SK_PASS;
	}
	if (x.seq != 0 || x.plen == 0)
		return SK_PASS;	/* not a command: auth exchange, LOAD DATA, long packets */
	if (!gl_sql_instance_ok(&x))
		return gl_sql_drop(GL_STAT_SQL_FAIL_INSTANCE);
	rc = gl_sql_command(&x);
	if (rc == SK_DROP)
		x.s->body_left = 0;
	return rc;
}

#endif
