/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/*
 * Replies (DESIGN.md, Decisions 4): an sk_skb stream verdict on every
 * steered HTTP connection (gl_sockhash) and every twin (gl_twins). It counts
 * final responses (bpf/lib/http_resp.h) against the requests gl_rx holds, so
 * that sk_msg knows when a route has none outstanding (lib/twin.bpf.h), and
 * redirects a twin's replies into its original socket, where the
 * application reads them.
 *
 * A FIN (zero length) always passes where it came: redirected, it breaks the
 * original socket (KERNEL-NOTES). The twin is then closed for new requests,
 * and when it owed a response the original is shut down (by the daemon).
 * Replies whose framing is lost (malformed, opaque after 101, delimited by
 * the close) still flow; only the connection's route stops changing.
 */
#ifndef GL_REPLY_BPF_H
#define GL_REPLY_BPF_H

#include "lib/maps.bpf.h"
#include "lib/scratch.bpf.h"
#include "lib/twin.bpf.h"
#include "lib/http_resp.h"

_Static_assert(sizeof(struct gl_http_resp) <= GL_RX_RESP_SIZE, "gl_rx holds a gl_http_resp");

#define GL_REPLY_CHUNK	8192	/* bytes framed per copy */
#define GL_REPLY_CHUNKS	64	/* copies per skb: 512 KiB, more than GRO makes */

static __always_inline struct gl_http_resp *gl_rx_resp(struct gl_rx *rx)
{
	return (struct gl_http_resp *)rx->resp;
}

/*
 * One response's worth of bytes from pos (a verification unit: checked
 * once): the position after it, or -1 when framing stops (the connection's
 * responses cannot be counted from now on, or no progress).
 */
__attribute__((noinline)) int gl_reply_step(struct gl_rx *rx, const struct gl_http_bytes *buf,
					    __u32 pos, __u32 len)
{
	struct gl_http_resp *r;
	__u32 req = 0;
	int n;

	if (!rx || !buf || pos >= len)
		return -1;
	r = gl_rx_resp(rx);
	if ((rx->head_bits >> (rx->done & 63)) & 1)
		req = GL_HTTP_RESP_REQ_HEAD;
	n = gl_http_resp_feed(r, buf->b, pos, len, req);
	if (n < 0 || gl_http_resp_opaque(r) || gl_http_resp_until_close(r)) {
		rx->state = GL_RX_UNTRACKED;
		gl_count(GL_STAT_REPLY_UNTRACKED);
		return -1;
	}
	if (r->done) {
		rx->done++;
		gl_count(GL_STAT_REPLY_RESPONSE);
	}
	if ((__u32)n <= pos && !r->done)
		return -1;	/* no progress: never loop on it */
	return n & 0x7fffffff;
}

/* loop context of gl_reply_chunk */
struct gl_reply_loop {
	struct gl_rx *rx;
	const struct gl_http_bytes *buf;
	__u32 pos;
	__u32 len;
};

static long gl_reply_response(__u32 index, void *vctx)
{
	struct gl_reply_loop *x = vctx;
	int n = gl_reply_step(x->rx, x->buf, x->pos, x->len);

	(void)index;
	if (n < 0)
		return 1;
	x->pos = (__u32)n;
	return x->pos >= x->len;
}

/* Frames `len` bytes in buf (a verification unit: checked once). 0, or -1
 * when more responses end in it than one pass looks at. */
__attribute__((noinline)) int gl_reply_chunk(struct gl_rx *rx, const struct gl_http_bytes *buf,
					     __u32 len)
{
	struct gl_reply_loop x = { .rx = rx, .buf = buf, .pos = 0, .len = len };

	if (!rx || !buf || len > GL_REPLY_CHUNK)
		return -1;
	bpf_loop(GL_REPLY_CHUNK, gl_reply_response, &x, 0);
	return x.pos >= len || rx->state != GL_RX_OPEN ? 0 : -1;
}

/* loop context of the copies of one skb */
struct gl_reply_copy {
	struct __sk_buff *skb;
	struct gl_rx *rx;
	struct gl_scratch *sc;
	__u32 off;
	__u32 len;
};

/*
 * Body bytes the framer would only count down (Content-Length, chunk data),
 * of the n at hand: skipped without a copy. The body's last byte still goes
 * through the framer, which ends the response there.
 */
static __always_inline __u32 gl_reply_skip(struct gl_rx *rx, __u32 n)
{
	struct gl_http_resp *r = gl_rx_resp(rx);
	__u64 k;

	if (r->state != GL_RS_BODY || r->body.left < 2 ||
	    (r->body.state != GL_HTTP_BODY_LENGTH && r->body.state != GL_HTTP_BODY_DATA))
		return 0;
	k = r->body.left - 1;
	if (k > n)
		k = n;
	r->body.left -= k;
	return (__u32)k;
}

static long gl_reply_copy_cb(__u32 index, void *vctx)
{
	struct gl_reply_copy *x = vctx;
	__u32 n;

	(void)index;
	if (x->off >= x->len || x->rx->state != GL_RX_OPEN)
		return 1;
	n = gl_reply_skip(x->rx, x->len - x->off);
	if (n) {
		x->off += n;
		return 0;
	}
	n = x->len - x->off;
	if (n > GL_REPLY_CHUNK)
		n = GL_REPLY_CHUNK;
	n -= 1;		/* [1, CHUNK] for the verifier: masked, plus one */
	GL_BOUND(n, GL_REPLY_CHUNK - 1);
	n += 1;
	if (bpf_skb_load_bytes(x->skb, x->off, x->sc->buf, n) ||
	    gl_reply_chunk(x->rx, (const struct gl_http_bytes *)x->sc->buf, n))
		return 1;
	x->off += n;
	return 0;
}

static __always_inline void gl_reply_frame_in(struct __sk_buff *skb, struct gl_rx *rx,
					     struct gl_scratch *sc)
{
	struct gl_reply_copy x = { .skb = skb, .rx = rx, .sc = sc, .off = 0, .len = skb->len };

	if (!sc)
		return;
	bpf_loop(GL_REPLY_CHUNKS, gl_reply_copy_cb, &x, 0);
	if (x.off < x.len && rx->state == GL_RX_OPEN) {
		rx->state = GL_RX_UNTRACKED;
		gl_count(GL_STAT_REPLY_UNTRACKED);
	}
}

/* how deep reply verdicts are nested on this CPU (see GL_SCRATCH_REPLY) */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} gl_reply_depth SEC(".maps");

/* Counts the final responses in the skb's bytes, in the scratch buffer of
 * this nesting depth (an interrupting run ends before the one it interrupted
 * goes on, so a per-CPU count without atomics is exact). */
static __always_inline void gl_reply_frame(struct __sk_buff *skb, struct gl_rx *rx)
{
	__u32 zero = 0, *depth = bpf_map_lookup_elem(&gl_reply_depth, &zero);

	if (!depth)
		return;
	if (*depth < 2) {
		*depth += 1;
		gl_reply_frame_in(skb, rx, gl_scratch_get(GL_SCRATCH_REPLY + *depth - 1));
		*depth -= 1;
	} else {
		rx->state = GL_RX_UNTRACKED;
		gl_count(GL_STAT_REPLY_UNTRACKED);
	}
}

/* A twin's server closed it. Owing a response, the client would wait for it
 * forever: the daemon shuts the original down, as that server's close would
 * have done on a connection of its own. */
static __always_inline void gl_reply_twin_fin(struct gl_rx *rx)
{
	struct gl_twin_event ev = { .type = GL_EV_TWIN_BROKEN, .cookie = rx->peer, .lane = rx->lane };

	/* the daemon knows the original's process from the twin it holds */

	rx->state = GL_RX_CLOSED;
	gl_count(GL_STAT_TWIN_FIN);
	if (rx->sent == rx->done)
		return;
	gl_count(GL_STAT_TWIN_BROKEN);
	if (bpf_ringbuf_output(&gl_events, &ev, sizeof(ev), 0))
		gl_count(GL_STAT_EVENT_LOST);
}

static __always_inline int gl_reply(struct __sk_buff *skb)
{
	__u64 cookie = bpf_get_socket_cookie(skb);
	struct gl_rx *rx;

	gl_count(GL_STAT_REPLY_SEEN);
	rx = bpf_map_lookup_elem(&gl_rx, &cookie);
	if (!rx)
		return SK_PASS;
	if (skb->len == 0) {
		if (rx->peer)
			gl_reply_twin_fin(rx);
		return SK_PASS;
	}
	if (rx->state == GL_RX_OPEN)
		gl_reply_frame(skb, rx);
	if (!rx->peer)
		return SK_PASS;
	if (bpf_sk_redirect_hash(skb, &gl_sockhash, &rx->peer, BPF_F_INGRESS) == SK_PASS) {
		gl_count(GL_STAT_REPLY_REDIRECT);
		return SK_PASS;
	}
	gl_count(GL_STAT_REPLY_REDIRECT_FAIL);	/* the original is gone */
	return SK_DROP;
}

#endif
