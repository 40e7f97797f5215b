/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/*
 * Send (DESIGN.md, Decisions 3). sockops puts each steered connection in a
 * sockhash; sk_msg then sees every send() on it. Each run handles one piece
 * of the byte stream and hands the rest back to the kernel with
 * bpf_msg_apply_bytes, so a send() with several requests (or a body and a
 * request) is looked at piece by piece:
 *
 *   body bytes of the previous request   skipped exactly (Content-Length, chunked)
 *   a request head                       labelled; the propagation header written
 *                                        into lane requests and removed from base ones
 *
 * An incomplete head is corked until more bytes come. Anything not HTTP/1.x
 * is recognised on its first bytes and passes untouched from then on; so do
 * the bytes after a CONNECT or Upgrade request once they are not HTTP/1.x.
 *
 * No lane from outside: a head that cannot be framed or cleaned (malformed,
 * over 8 KiB, more propagation lines than can be removed, body framing lost,
 * a failed pull or pop) would carry whatever propagation header its sender
 * wrote to a next hop that trusts it. Such a connection fails closed: the
 * message is dropped (the sender's send() fails with EACCES), every later
 * send on it too, each counted (msg_refused). Nothing else drops a message.
 */
#ifndef GL_SEND_BPF_H
#define GL_SEND_BPF_H

#include "lib/caller.bpf.h"
#include "lib/context.bpf.h"
#include "lib/label.bpf.h"
#include "lib/scratch.bpf.h"
#include "lib/twin.bpf.h"

_Static_assert(sizeof(struct gl_http_body) == 16 &&
	       __builtin_offsetof(struct gl_sock, body_state) -
	       __builtin_offsetof(struct gl_sock, body_left) ==
	       __builtin_offsetof(struct gl_http_body, state), "gl_sock holds a gl_http_body");

static __always_inline struct gl_http_body *gl_sock_body(struct gl_sock *s)
{
	return (struct gl_http_body *)&s->body_left;
}

#define GL_SOL_SOCKET	1
#define GL_SO_SNDBUF	7
#define GL_SNDBUF	(4 << 20)	/* the kernel caps it at net.core.wmem_max, and doubles it */

/*
 * A steered HTTP connection's send buffer is raised (never lowered) to
 * GL_SNDBUF: a push that fails partway (a non-blocking caller whose buffer
 * is full) leaves the kernel's verdict count wrong (see gl_msg_pos), and the
 * send path can follow that only inside a body; with room for a few MiB in
 * flight such a push is rare. Memory is charged only for what is queued.
 */
static __always_inline void gl_sockops_sndbuf(struct bpf_sock_ops *skops)
{
	int have = 0, want = GL_SNDBUF;

	if (bpf_getsockopt(skops, GL_SOL_SOCKET, GL_SO_SNDBUF, &have, sizeof(have)) ||
	    have < 2 * want)
		bpf_setsockopt(skops, GL_SOL_SOCKET, GL_SO_SNDBUF, &want, sizeof(want));
}

static __always_inline int gl_sockops_established(struct bpf_sock_ops *skops)
{
	struct bpf_sock *sk = skops->sk;
	struct gl_sock *s;

	if (!sk)
		return 1;
	s = bpf_sk_storage_get(&gl_sock, sk, 0, 0);
	if (!s || !s->steered || s->svc_protocol == GL_PROTO_TCP)
		return 1;
	if (s->twin) {
		gl_twin_established(skops, s);
		return 1;
	}
	s->cookie = bpf_get_socket_cookie(skops);
	/* the stream starts here (gl_msg_pos) */
	s->seq_last = skops->snd_nxt;
	s->seq_hi = 0;
	s->pos_sync = skops->snd_nxt;
	s->pos_twin = 0;
	if (s->svc_protocol == GL_PROTO_HTTP) {
		gl_sockops_sndbuf(skops);
		gl_rx_begin(s->cookie, 0, s->ep_lane);
		bpf_sock_ops_cb_flags_set(skops, BPF_SOCK_OPS_STATE_CB_FLAG);
	}
	/* HTTP and databases get their own sk_msg program, each in its own
	 * verifier budget */
	if (bpf_sock_hash_update(skops, s->svc_protocol == GL_PROTO_MYSQL ? (void *)&gl_sqlhash
									     : (void *)&gl_sockhash,
				 &s->cookie, BPF_NOEXIST))
		gl_count(GL_STAT_SOCKHASH_FAIL);
	else
		gl_count(GL_STAT_SOCKHASH_ADD);
	return 1;
}

/* sockops, a state change of a connection that asked for it: its close. */
static __always_inline int gl_sockops_state(struct bpf_sock_ops *skops)
{
	struct bpf_sock *sk = skops->sk;
	struct gl_sock *s;

	if (!sk || skops->args[1] != BPF_TCP_CLOSE)
		return 1;
	s = bpf_sk_storage_get(&gl_sock, sk, 0, 0);
	if (s && s->steered)
		gl_twin_closed(skops, s);
	return 1;
}

/* Too few bytes to decide: hold them until the next send adds some. */
static __always_inline int gl_msg_cork(struct sk_msg_md *msg)
{
	gl_count(GL_STAT_MSG_CORK);
	bpf_msg_cork_bytes(msg, msg->size + 1);
	return SK_PASS;
}

/* From now on this connection's bytes pass untouched (not HTTP/1.x). */
static __always_inline int gl_msg_give_up(struct gl_sock *s, __u32 stat)
{
	s->proto = GL_SOCK_PASS;
	gl_count(stat);
	return SK_PASS;
}

/* From now on every send on this connection fails: see the top of the file. */
static __always_inline int gl_msg_refuse(struct gl_sock *s, __u32 stat)
{
	s->proto = GL_SOCK_REFUSED;
	gl_count(stat);
	gl_count(GL_STAT_MSG_REFUSED);
	return SK_DROP;
}

/*
 * CRLFs before a request line [RFC 9112 2.2: a server ignores them]: how
 * many bytes of them (they pass as they are), -1 for a lone CR at the end
 * (cork for its LF), 0 when the message does not start with CR.
 */
static __always_inline int gl_msg_empty_lines(const __u8 *buf, __u64 size)
{
	int i, n = 0;

	for (i = 0; i < 8; i += 2) {
		if ((__u64)i >= size || buf[i & GL_HTTP_BUF_MASK] != '\r')
			break;
		if ((__u64)i + 1 >= size)
			return n ? n : -1;
		if (buf[(i + 1) & GL_HTTP_BUF_MASK] != '\n')
			break;
		n += 2;
	}
	return n;
}

#define GL_APPLY_MAX 0x7fffffffULL	/* bpf_msg_apply_bytes takes a u32 */

/*
 * Where the message starts in the connection's byte stream: every byte
 * before it has been queued on the socket (its write_seq, unwrapped) or
 * redirected into a twin. The kernel's own count of a verdict's bytes
 * (apply_bytes) cannot be trusted across sends: when a push of a
 * non-blocking caller fails partway (its send buffer full), the kernel
 * neither credits the part it sent nor runs the program for the part the
 * caller sends again (tcp_bpf_send_verdict, 6.18). So the parse state is
 * kept against stream positions (gl_sock.pos_sync), checked at every run.
 */
static __always_inline __u64 gl_msg_pos(struct sk_msg_md *msg, struct gl_sock *s)
{
	struct tcp_sock *tp = msg->sk ? bpf_skc_to_tcp_sock(msg->sk) : NULL;
	__u32 seq;

	if (!tp)
		return s->pos_sync;	/* not TCP: nothing to check against */
	seq = tp->write_seq;
	if (seq < s->seq_last)
		s->seq_hi++;
	s->seq_last = seq;
	return ((__u64)s->seq_hi << 32 | seq) + s->pos_twin;
}

/*
 * Plain body bytes (a Content-Length body, or a chunk's data) need not be
 * looked at: the verdict is stretched over half of what is left, at least
 * one byte. The kernel may pass up to as many bytes again after a partial
 * send without running the program (see gl_msg_pos); with half, those stay
 * inside the body, and the next run finds out from the stream where the
 * body really stands.
 */
static __always_inline __u64 gl_body_half(const struct gl_http_body *b)
{
	__u64 n = b->left - b->left / 2;

	if (b->state != GL_HTTP_BODY_LENGTH && b->state != GL_HTTP_BODY_DATA)
		return 0;
	return n > GL_APPLY_MAX ? GL_APPLY_MAX : n;
}

/*
 * Brings the body's state to the stream position pos: the plain body bytes
 * sent since the last run are counted off. 0, or -1 when the stream and
 * the verdicts disagree (framing cut by a partial send, or bytes past the
 * body's end sent without a run): the framing is lost.
 */
static __always_inline int gl_body_sync(struct gl_sock *s, __u64 pos)
{
	struct gl_http_body *b = gl_sock_body(s);
	__u64 sent;

	if (pos < s->pos_sync)
		return -1;
	sent = pos - s->pos_sync;
	if (b->state != GL_HTTP_BODY_LENGTH && b->state != GL_HTTP_BODY_DATA)
		return sent ? -1 : 0;
	if (sent > b->left)
		return -1;
	gl_http_body_advance(b, sent);
	s->pos_sync = pos;
	return 0;
}

/* gl_http_body_skip as a verification unit (checked once, whoever calls). */
__attribute__((noinline)) int gl_msg_skip(const struct gl_http_bytes *buf, struct gl_http_body *b,
					  __u32 off, __u32 len)
{
	if (!buf || !b)
		return GL_HTTP_E_MALFORMED;
	return gl_http_body_skip(b, buf->b, off, len);
}

/* Body bytes at the start of the message (at stream position pos, in sync):
 * how many bytes this verdict covers. */
static __always_inline long gl_msg_body(struct sk_msg_md *msg, struct gl_sock *s,
					struct gl_scratch *sc, __u64 pos)
{
	struct gl_http_body *b = gl_sock_body(s);
	__u64 size = msg->size;
	int rc;

	if (b->state == GL_HTTP_BODY_LENGTH || b->state == GL_HTTP_BODY_DATA)
		return (long)gl_body_half(b);
	/* chunk-size lines, trailers: read them; the state is right from where
	 * the reading stopped */
	if (size > GL_HTTP_BUF_SIZE)
		size = GL_HTTP_BUF_SIZE;
	if (gl_msg_copy(msg, sc, 0, size))
		return -1;
	rc = gl_msg_skip((const struct gl_http_bytes *)sc->buf, b, 0, (__u32)size);
	if (rc < 0)
		return -1;
	s->pos_sync = pos + (__u64)rc;
	return rc + (long)gl_body_half(b);
}

struct gl_send {
	struct gl_config *cfg;
	struct gl_sock *s;
	struct gl_scratch *sc;
	const struct gl_http_want *want;
	struct gl_caller c;
	__u64 pos;		/* where the message starts in the stream (gl_msg_pos) */
	__u8 slot;
};

/* The request's lane and why (stat), DESIGN.md Decisions 3. */
static __always_inline __u16 gl_msg_label(struct gl_send *x, __u32 *stat)
{
	const struct gl_http_head *h = &x->sc->head;
	struct gl_ctx *ctx;
	bool present;
	__u16 lane;

	/* An event loop (nginx) sends the first request of a connection it opened
	 * right after reading the client's head, possibly after reading another
	 * client's: the lane chosen at connect, from that context, is the one. */
	if (x->s->requests == 0 && x->s->ctx_source) {
		*stat = GL_STAT_MSG_LABEL_CONTEXT;
		return x->s->lane;
	}
	ctx = gl_ctx_fresh(x->c.workload_id);
	if (ctx) {
		*stat = GL_STAT_MSG_LABEL_CONTEXT;
		return ctx->lane;
	}
	if (!(x->c.flags & GL_WL_ENTRY) || (x->cfg->flags & GL_CFG_TRUST_INCOMING)) {
		lane = gl_label_by_header(x->slot, x->sc->buf, h, &present);
		if (lane != GL_NO_LANE) {
			*stat = GL_STAT_MSG_LABEL_HEADER;
			return lane;
		}
	}
	if (x->c.flags & GL_WL_ENTRY) {
		lane = gl_label_by_rules(x->slot, x->c.workload_id, x->c.nrules, x->sc->buf, h);
		*stat = GL_STAT_MSG_LABEL_RULE;
		return lane == GL_NO_LANE ? GL_LANE_BASE : lane;
	}
	*stat = GL_STAT_MSG_LABEL_WORKLOAD;
	return x->c.lane;
}

static __always_inline void gl_msg_mismatch(struct gl_send *x, __u16 lane)
{
	struct gl_event ev = {
		.type = GL_EV_LANE_MISMATCH,
		.workload_id = x->c.workload_id,
		.service_id = x->s->service_id,
		.conn_lane = x->s->lane,
		.req_lane = lane,
		.ts_ns = bpf_ktime_get_ns(),
	};

	gl_count(GL_STAT_LANE_MISMATCH);
	if (bpf_ringbuf_output(&gl_events, &ev, sizeof(ev), 0))
		gl_count(GL_STAT_EVENT_LOST);
}

/*
 * Removes every propagation header line of the head and, for a lane, writes
 * one after the request line. Returns the head's change in length: what was
 * really done, also when the insert failed (counted; the head passes with
 * no line: base at the next hop). GL_MSG_EDIT_REFUSED when a line could not
 * be removed.
 */
#define GL_MSG_EDIT_REFUSED	(-(long)GL_HTTP_BUF_SIZE - 1)

static __always_inline long gl_msg_edit(struct sk_msg_md *msg, struct gl_send *x, __u16 lane)
{
	const struct gl_http_head *h = &x->sc->head;
	struct gl_lane_key lk = { .slot = x->slot, .lane = lane };
	const struct gl_lane *ln;
	long delta = 0;
	__u32 i;
	int rc;

	if (lane != GL_LANE_BASE && h->nlabels == 1 && h->field[GL_HTTP_SLOT_LABEL].count == 1) {
		bool present;

		if (gl_label_by_header(x->slot, x->sc->buf, h, &present) == lane)
			return 0;	/* already says so */
	}
	/* last first, so earlier offsets stay valid */
	for (i = GL_HTTP_LABEL_LINES_MAX; i > 0; i--) {
		struct gl_http_span sp;

		if (i > h->nlabels)
			continue;
		sp = h->label_line[(i - 1) & (GL_HTTP_LABEL_LINES_MAX - 1)];
		if (bpf_msg_pop_data(msg, sp.off, sp.len, 0))
			return GL_MSG_EDIT_REFUSED;	/* a line from outside would stay */
		delta -= sp.len;
	}
	if (h->nlabels && lane == GL_LANE_BASE)
		gl_count(GL_STAT_MSG_HEADER_REMOVED);
	if (lane == GL_LANE_BASE)
		return delta;
	ln = bpf_map_lookup_elem(&gl_lanes, &lk);
	rc = ln ? gl_msg_insert(msg, h->line_end, ln->line, ln->line_len,
					 GL_LANE_LINE_MAX) : -1;
	if (rc == -2) {
		bpf_msg_pop_data(msg, h->line_end, ln->line_len, 0);
		rc = -1;
	}
	if (rc) {
		gl_count(GL_STAT_MSG_PUSH_FAIL);
		return delta;
	}
	gl_count(GL_STAT_MSG_HEADER_WRITTEN);
	return delta + ln->line_len;
}

#define GL_MSG_GO (-1)	/* gl_msg_protocol: HTTP/1.x, go on */

/*
 * What the connection speaks, from its first bytes (and again from the bytes
 * after CONNECT or Upgrade, where the server may have refused): GL_MSG_GO for
 * HTTP/1.x, else the verdict (cork for more bytes, or pass from now on).
 */
static __always_inline int gl_msg_protocol(struct sk_msg_md *msg, struct gl_send *x, __u64 size)
{
	int rc;

	if (x->s->proto == GL_SOCK_UPGRADING) {
		/* a request again (the server refused), or the other protocol,
		 * opaque from now on */
		rc = gl_http_classify(x->sc->buf, 0, (__u32)size);
		if (rc == GL_HTTP_E_INCOMPLETE)
			return gl_msg_cork(msg);
		if (rc != GL_HTTP_PROTO_HTTP1)
			return gl_msg_give_up(x->s, GL_STAT_MSG_OPAQUE);
		x->s->proto = GL_SOCK_HTTP1;
	}
	if (x->s->proto == GL_SOCK_UNKNOWN) {
		rc = gl_http_classify(x->sc->buf, 0, (__u32)size);
		if (rc == GL_HTTP_E_INCOMPLETE)
			return gl_msg_cork(msg);
		if (rc == GL_HTTP_PROTO_TLS)
			return gl_msg_give_up(x->s, GL_STAT_MSG_PROTO_TLS);
		if (rc == GL_HTTP_PROTO_H2)
			return gl_msg_give_up(x->s, GL_STAT_MSG_PROTO_H2);
		if (rc != GL_HTTP_PROTO_HTTP1)
			return gl_msg_give_up(x->s, GL_STAT_MSG_PROTO_OTHER);
		x->s->proto = GL_SOCK_HTTP1;
	}
	return GL_MSG_GO;
}

/*
 * The length of the request just parsed when it is all of this message
 * (msize bytes as it stands, hlen of them its head, head_end bytes in buf as
 * sent, the rest of the message after them) and may be parked, else 0: with
 * a Content-Length body, or a chunked one whose last chunk ends the message
 * (b: the body's state after the head). A verification unit: whatever it
 * finds, the caller goes on from one state.
 */
__attribute__((noinline)) __u32 gl_msg_whole(const struct gl_http_bytes *buf,
					     const struct gl_http_body *b, __u32 head_end,
					     __u32 hlen, __u32 msize)
{
	struct gl_http_body c;
	__u32 size;

	if (!buf || !b || hlen > msize || msize > GL_PARK_MAX)
		return 0;
	c = *b;
	if (c.state == GL_HTTP_BODY_LENGTH)
		return (__u64)hlen + c.left == msize ? msize : 0;
	if (c.state == GL_HTTP_BODY_DONE)
		return hlen == msize ? msize : 0;
	size = head_end + (msize - hlen);	/* the message's bytes in buf */
	return gl_msg_skip(buf, &c, head_end, size) == (int)size &&
	       c.state == GL_HTTP_BODY_DONE ? msize : 0;
}

/* A request head at the start of the message, HTTP/1.x: parsed, labelled,
 * its propagation header written or removed; the verdict. */
static __always_inline int gl_msg_request(struct sk_msg_md *msg, struct gl_send *x, __u64 size)
{
	__u16 lane, want, went;
	__u32 stat = 0, whole;
	bool parked;
	long delta, verdict;
	int rc;

	if (gl_find_caller(x->slot, &x->c))
		return SK_PASS;	/* the workload left the inventory: untouched */
	x->want = gl_want_for(x->slot, x->c.workload_id, x->c.flags & GL_WL_ENTRY);
	if (!x->want)
		return SK_PASS;
	rc = gl_http_parse_head(x->sc->buf, 0, (__u32)size, x->want, &x->sc->head);
	if (rc == GL_HTTP_E_INCOMPLETE)
		return gl_msg_cork(msg);
	if (rc == GL_HTTP_E_TOO_LARGE)
		return gl_msg_refuse(x->s, GL_STAT_MSG_TOO_LARGE);
	if (rc < 0)
		return gl_msg_refuse(x->s, GL_STAT_MSG_MALFORMED);
	gl_count(GL_STAT_MSG_REQUEST);

	lane = gl_msg_label(x, &stat);
	gl_count(stat);
	gl_service_count(x->s->service_id, lane, GL_SVC_REQUESTS);
	x->s->requests++;

	delta = gl_msg_edit(msg, x, lane);
	if (delta == GL_MSG_EDIT_REFUSED)
		return gl_msg_refuse(x->s, GL_STAT_MSG_POP_FAIL);
	gl_http_body_begin(gl_sock_body(x->s), &x->sc->head);
	if (gl_http_upgrades(x->sc->buf, &x->sc->head)) {
		gl_count(GL_STAT_MSG_UPGRADE);
		x->s->proto = GL_SOCK_UPGRADING;
	}
	/* this verdict: the head and half a Content-Length body; the program
	 * runs again for the rest, a chunked body and the next request */
	x->s->pos_sync = x->pos + (__u64)((long)x->sc->head.end + delta);
	verdict = (long)x->sc->head.end + delta + (long)gl_body_half(gl_sock_body(x->s));
	bpf_msg_apply_bytes(msg, (__u32)verdict);
	/* out through the connection, or a twin of the request's endpoint lane */
	want = gl_twin_route_lane(x->slot, x->s, lane);
	/* A new connection's first request of its own lane goes where connect
	 * just sent it, also when the lane's endpoints changed since (a
	 * fallback then, counted at connect): no twin for a race. */
	if (x->s->requests == 1 && lane == x->s->lane)
		want = x->s->ep_lane;
	/* alone in it: a request pipelined behind a parked one fails closed */
	whole = gl_msg_whole((const struct gl_http_bytes *)x->sc->buf, gl_sock_body(x->s),
			     x->sc->head.end, (__u32)((long)x->sc->head.end + delta), msg->size);
	if (whole > GL_PARK_MAX)
		whole = 0;
	rc = gl_twin_send(msg, x->s, want, x->sc->head.method == GL_HTTP_M_HEAD, whole, &went,
			  &parked);
	if (rc < 0)	/* behind a parked request */
		return gl_msg_refuse(x->s, GL_STAT_TWIN_PARK_BUSY);
	if (parked) {
		/* the whole request went into the sink */
		verdict = whole;
		bpf_msg_apply_bytes(msg, whole);
		gl_http_body_start(gl_sock_body(x->s), GL_HTTP_FRAME_NONE, 0);	/* all of it sent */
		x->s->pos_sync = x->pos + whole;
	}
	if (went != x->s->ep_lane)
		x->s->pos_twin += (__u64)verdict;
	if (went != want)
		gl_msg_mismatch(x, lane);
	return rc;
}

static __always_inline int gl_sk_msg(struct sk_msg_md *msg)
{
	struct gl_send x = {};
	__u32 zero = 0;
	__u64 size = msg->size;
	long body;
	int rc;

	gl_count(GL_STAT_MSG_SEEN);
	/* The kernel keeps msg->apply_bytes between the runs of one send: each
	 * run starts from "the whole message" and narrows it where needed. */
	bpf_msg_apply_bytes(msg, 0);
	x.s = bpf_sk_storage_get(&gl_sock, msg->sk, 0, 0);
	if (!x.s) {
		gl_count(GL_STAT_MSG_NO_STORAGE);
		return SK_PASS;
	}
	if (x.s->proto == GL_SOCK_RELEASE)
		return gl_twin_release(msg, x.s);
	if (size == 0)
		return SK_PASS;
	if (x.s->proto == GL_SOCK_PASS) {
		/* opaque bytes follow their request (a tunnel through a twin);
		 * no stream position is kept for them */
		if (gl_twin_body(msg, x.s, 0) < 0)
			return gl_msg_refuse(x.s, GL_STAT_TWIN_BODY_LOST);
		return SK_PASS;
	}
	if (x.s->proto == GL_SOCK_REFUSED) {
		gl_count(GL_STAT_MSG_REFUSED);
		return SK_DROP;
	}
	x.cfg = bpf_map_lookup_elem(&gl_config, &zero);
	x.sc = gl_scratch_get(GL_SCRATCH_SEND);
	if (!x.cfg || !x.sc)
		return SK_PASS;
	x.slot = x.cfg->active_slot & 1;

	/* 0. the stream and the verdicts so far agree */
	x.pos = gl_msg_pos(msg, x.s);
	if (gl_body_sync(x.s, x.pos))
		return gl_msg_refuse(x.s, GL_STAT_MSG_DESYNC);

	/* 1. the rest of the previous request's body */
	if (gl_sock_body(x.s)->state != GL_HTTP_BODY_DONE) {
		body = gl_msg_body(msg, x.s, x.sc, x.pos);
		if (body <= 0)	/* no progress is an error too: never loop on it */
			return gl_msg_refuse(x.s, GL_STAT_MSG_BODY_UNTRACKED);
		bpf_msg_apply_bytes(msg, body);	/* runs again on what follows */
		if (gl_twin_body(msg, x.s, (__u64)body) < 0)	/* after its head, where that went */
			return gl_msg_refuse(x.s, GL_STAT_TWIN_BODY_LOST);
		return SK_PASS;
	}

	/* 2. a request head at the start of the message */
	if (gl_msg_copy(msg, x.sc, 0, size))
		return gl_msg_refuse(x.s, GL_STAT_MSG_PULL_FAIL);
	if (size > GL_HTTP_BUF_SIZE)
		size = GL_HTTP_BUF_SIZE;
	rc = gl_msg_empty_lines(x.sc->buf, size);
	if (rc) {
		if (rc < 0)
			return gl_msg_cork(msg);
		gl_count(GL_STAT_MSG_EMPTY_LINE);
		bpf_msg_apply_bytes(msg, (__u32)rc);	/* runs again on what follows */
		x.s->pos_sync = x.pos + (__u64)rc;
		return SK_PASS;
	}
	rc = gl_msg_protocol(msg, &x, size);
	if (rc != GL_MSG_GO)
		return rc;
	return gl_msg_request(msg, &x, size);
}

/* A send dropped (SK_DROP: only ever a connection failing closed), counted
 * against its service and connection lane: one place for every reason. */
static __always_inline int gl_msg_verdict(struct sk_msg_md *msg, int verdict)
{
	struct gl_sock *s;

	if (verdict != SK_DROP)
		return verdict;
	s = bpf_sk_storage_get(&gl_sock, msg->sk, 0, 0);
	if (s)
		gl_service_count(s->service_id, s->lane, GL_SVC_MSG_REFUSED);
	return verdict;
}

#endif
