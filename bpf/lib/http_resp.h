/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/*
 * HTTP/1.x response framing, streaming: counts the complete final responses
 * of a server's reply bytes, seen one buffer at a time (an sk_skb verdict
 * program sees them skb by skb, split anywhere: inside the status line, a
 * header name, between CR and LF), so that the kernel knows when a
 * connection has no request outstanding. Header-only, for BPF and userspace
 * like http.h, whose conventions it keeps (read its top comment): buffers of
 * GL_HTTP_BUF_SIZE bytes with every read masked, loops through
 * gl_http_loop(), the step a GL_HTTP_UNIT (one byte, or eight plain ones of
 * a value or reason phrase at once). It never buffers: all that
 * carries from one buffer to the next is struct gl_http_resp (48 bytes, a
 * map value in BPF: socket storage), and bodies are skipped by http.h's
 * gl_http_body_skip (Content-Length and chunked, carried across buffers).
 *
 * Rules (RFC 9112 4, 5, 6.3; RFC 9110 15):
 * - Status line: "HTTP/1.0 " or "HTTP/1.1 ", three digits 100-599, SP, a
 *   reason phrase of HTAB, SP, VCHAR or obs-text (may be empty); a missing
 *   SP after the code is accepted only when CRLF follows. Else
 *   GL_HTTP_R_STATUS.
 * - Line ends, field names, obs-fold and field values as in the request
 *   parser (http.h, "Decisions"): CRLF only, names are tokens directly
 *   followed by ':', values without control bytes. Only Content-Length and
 *   Transfer-Encoding are looked at (names case-insensitive).
 * - A head over GL_HTTP_HEAD_MAX bytes (status line to the empty line): too
 *   large, GL_HTTP_R_HEAD_TOO_LARGE.
 * - 1xx but 101: interim, no body, not counted; the same request's final
 *   response follows. 101, and any 2xx to CONNECT: counted at the end of
 *   the head, then opaque (no more HTTP on the connection).
 * - To HEAD, 204, 304: no body, counted at the end of the head.
 * - Transfer-Encoding (all its lines as one list, empty elements ignored)
 *   whose final coding is "chunked": a chunked body, Content-Length ignored
 *   (it is still checked). Transfer-Encoding otherwise: the body runs until
 *   the connection closes. Transfer-Encoding in an HTTP/1.0 response:
 *   malformed (RFC 9112 6.1: the framing is faulty), GL_HTTP_R_TE_HTTP10.
 * - Content-Length: decimals, repeated lines or a comma list of equal
 *   values (else malformed, GL_HTTP_R_CL_INVALID / _CL_MISMATCH); 10^18 or
 *   more is too large (GL_HTTP_R_CL_TOO_BIG). That many bytes of body.
 * - Neither: the body runs until the connection closes.
 *
 * The end states are sticky: an error (every later call returns it again),
 * opaque, until close (every later call consumes its bytes). A caller that
 * sees one stops counting on that connection.
 *
 * Cost. The head step is a GL_HTTP_UNIT, verified once; a program that
 * feeds one buffer verifies in under 3K processed instructions on 6.1,
 * 6.12 and 6.18 (tests/verifier/<release>.json, http_load/http_resp; one
 * that loops over every response of an skb, http_sk_skb, under 8K).
 */
#ifndef GL_HTTP_RESP_H
#define GL_HTTP_RESP_H

#include "http.h"

/* what the request that the current response answers was (req of gl_http_resp_feed) */
#define GL_HTTP_RESP_REQ_HEAD		0x01	/* HEAD: the response has no body */
#define GL_HTTP_RESP_REQ_CONNECT	0x02	/* CONNECT: a 2xx switches to a tunnel */

/* Where a response stands; zero is the start of a status line. */
enum gl_http_resp_state {
	GL_RS_VERSION = 0,	/* "HTTP/1.x ": idx bytes of it seen */
	GL_RS_CODE,		/* the status code: idx digits seen */
	GL_RS_CODE_END,		/* SP, or CR of a line without reason phrase */
	GL_RS_REASON,		/* the reason phrase up to CR */
	GL_RS_STATUS_LF,	/* CR of the status line seen */
	GL_RS_LINE,		/* start of a header line or of the empty line */
	GL_RS_NAME,		/* a field name: idx bytes seen, `match` the candidates */
	GL_RS_VALUE,		/* after ':' up to CR; `match` says which header */
	GL_RS_LF,		/* CR of a header line seen */
	GL_RS_END_LF,		/* CR of the empty line seen */
	GL_RS_BODY,		/* the head is over: `body` is skipped */
	GL_RS_OPAQUE,		/* sticky: 101, or 2xx to CONNECT */
	GL_RS_UNTIL_CLOSE,	/* sticky: the body ends when the connection does */
	GL_RS_ERROR,		/* sticky: `err` and `reason` say why */
};

/* the two names looked for (bits of `match`) */
#define GL_HTTP_RM_CL		0x01	/* content-length */
#define GL_HTTP_RM_TE		0x02	/* transfer-encoding */

/* flags */
#define GL_HTTP_RF_V11		0x01	/* HTTP/1.1 status line (else 1.0) */
#define GL_HTTP_RF_HAVE_CL	0x02	/* a Content-Length value is in `cl` */
#define GL_HTTP_RF_TE		0x04	/* a Transfer-Encoding line was seen */
#define GL_HTTP_RF_CHUNKED	0x08	/* its last non-empty coding so far is chunked */

/* te_el: the current Transfer-Encoding list element */
#define GL_HTTP_TE_EMPTY	0	/* blanks only so far; 1..7: that much of "chunked" */
#define GL_HTTP_TE_CHUNKED	8	/* "chunked" then blanks */
#define GL_HTTP_TE_OTHER	9	/* anything else */

/* cl_st: the current Content-Length list element */
#define GL_HTTP_CLE_NONE	0	/* no digit yet */
#define GL_HTTP_CLE_DIGITS	1
#define GL_HTTP_CLE_AFTER	2	/* blanks after the digits */

/* Carried from one buffer to the next; all zero: a response starts. Plain data, 48 bytes. */
struct gl_http_resp {
	struct gl_http_body body;	/* the current response's body (GL_RS_BODY) */
	__u64 cl;		/* Content-Length, with GL_HTTP_RF_HAVE_CL */
	__u64 clv;		/* digits of the current Content-Length element */
	__u32 hlen;		/* bytes of the current head so far */
	__u16 status;		/* the status code, once its digits are read */
	__u8 state;		/* enum gl_http_resp_state */
	__u8 idx;		/* bytes of the status-line prefix, code or field name (saturates) */
	__u8 flags;		/* GL_HTTP_RF_* */
	__u8 match;		/* GL_HTTP_RM_*: names still matching, or the header of a value */
	__u8 te_el;		/* GL_HTTP_TE_* */
	__u8 cl_st;		/* GL_HTTP_CLE_* */
	__u8 done;		/* 1: the last call stopped at the end of a final response */
	__u8 reason;		/* enum gl_http_reason, in GL_RS_ERROR */
	__s8 err;		/* GL_HTTP_E_MALFORMED or GL_HTTP_E_TOO_LARGE, in GL_RS_ERROR */
	__u8 pad;
};

_Static_assert(sizeof(struct gl_http_resp) == 48, "gl_http_resp: 48 bytes, no hidden padding");

GL_HTTP_FN int gl_http_resp_opaque(const struct gl_http_resp *r)
{
	return r->state == GL_RS_OPAQUE;
}

GL_HTTP_FN int gl_http_resp_until_close(const struct gl_http_resp *r)
{
	return r->state == GL_RS_UNTIL_CLOSE;
}

/* ---- the head, byte by byte ---- */

GL_HTTP_FN long gl_http_resp_fail(struct gl_http_resp *r, int err, __u8 reason)
{
	r->state = GL_RS_ERROR;
	r->err = (__s8)err;
	r->reason = reason;
	return 1;
}

/* Byte i of a looked-for name (GL_HTTP_RM_*), no memory read: constants. */
GL_HTTP_FN __u8 gl_http_resp_name_at(__u8 which, __u32 i)
{
	__u64 w;

	if (which == GL_HTTP_RM_CL)
		w = i < 8 ? GL_HTTP_W('c', 'o', 'n', 't', 'e', 'n', 't', '-')
			  : GL_HTTP_W('l', 'e', 'n', 'g', 't', 'h', 0, 0);
	else if (i < 8)
		w = GL_HTTP_W('t', 'r', 'a', 'n', 's', 'f', 'e', 'r');
	else
		w = i < 16 ? GL_HTTP_W('-', 'e', 'n', 'c', 'o', 'd', 'i', 'n') : 'g';
	return (__u8)(w >> (8 * (i & 7)));
}

/* "HTTP/1.0 " or "HTTP/1.1 ", then three digits 100-599 */
GL_HTTP_FN long gl_http_resp_status_byte(struct gl_http_resp *r, __u8 c)
{
	__u8 i = r->idx;

	if (r->state == GL_RS_VERSION) {
		if ((i < 7 && c != (__u8)(GL_HTTP_W('H', 'T', 'T', 'P', '/', '1', '.', 0) >> (8 * i))) ||
		    (i == 7 && c != '0' && c != '1') || (i == 8 && c != ' '))
			return gl_http_resp_fail(r, GL_HTTP_E_MALFORMED, GL_HTTP_R_STATUS);
		if (i == 7 && c == '1')
			r->flags |= GL_HTTP_RF_V11;
		r->idx = i == 8 ? 0 : i + 1;
		if (i == 8)
			r->state = GL_RS_CODE;
		return 0;
	}
	if (c < '0' || c > '9' || (i == 0 && (c < '1' || c > '5')))
		return gl_http_resp_fail(r, GL_HTTP_E_MALFORMED, GL_HTTP_R_STATUS);
	r->status = (__u16)(r->status * 10 + (c - '0'));
	r->idx = i + 1;
	if (i == 2)
		r->state = GL_RS_CODE_END;
	return 0;
}

/* start of a header line, then its name up to ':' */
GL_HTTP_FN long gl_http_resp_name_byte(struct gl_http_resp *r, __u8 c)
{
	__u8 i = r->idx, m = r->match, lc = gl_http_lower(c);

	if (r->state == GL_RS_LINE) {
		if (c == '\r') {
			r->state = GL_RS_END_LF;
			return 0;
		}
		if (gl_http_is_blank(c))
			return gl_http_resp_fail(r, GL_HTTP_E_MALFORMED, GL_HTTP_R_OBS_FOLD);
		m = GL_HTTP_RM_CL | GL_HTTP_RM_TE;
		i = 0;
		r->state = GL_RS_NAME;
	} else if (c == ':') {
		if (!((m & GL_HTTP_RM_CL) && i == 14) && !((m & GL_HTTP_RM_TE) && i == 17))
			m = 0;
		r->match = m & ((i == 14) ? GL_HTTP_RM_CL : GL_HTTP_RM_TE);
		r->state = GL_RS_VALUE;
		r->te_el = GL_HTTP_TE_EMPTY;
		r->cl_st = GL_HTTP_CLE_NONE;
		r->clv = 0;
		return 0;
	}
	if (!gl_http_is_tchar(c))
		return gl_http_resp_fail(r, GL_HTTP_E_MALFORMED, GL_HTTP_R_FIELD_NAME);
	if (i >= 14 || lc != gl_http_resp_name_at(GL_HTTP_RM_CL, i))
		m &= ~GL_HTTP_RM_CL;
	if (i >= 17 || lc != gl_http_resp_name_at(GL_HTTP_RM_TE, i))
		m &= ~GL_HTTP_RM_TE;
	r->match = m;
	r->idx = i < 0xff ? i + 1 : i;
	return 0;
}

/* A Content-Length element ends (',' or the line's CR): all must be equal. */
GL_HTTP_FN long gl_http_resp_cl_end(struct gl_http_resp *r)
{
	if (r->cl_st == GL_HTTP_CLE_NONE)
		return gl_http_resp_fail(r, GL_HTTP_E_MALFORMED, GL_HTTP_R_CL_INVALID);
	if ((r->flags & GL_HTTP_RF_HAVE_CL) && r->cl != r->clv)
		return gl_http_resp_fail(r, GL_HTTP_E_MALFORMED, GL_HTTP_R_CL_MISMATCH);
	r->flags |= GL_HTTP_RF_HAVE_CL;
	r->cl = r->clv;
	r->clv = 0;
	r->cl_st = GL_HTTP_CLE_NONE;
	return 0;
}

GL_HTTP_FN long gl_http_resp_cl_byte(struct gl_http_resp *r, __u8 c)
{
	if (c >= '0' && c <= '9') {
		if (r->cl_st == GL_HTTP_CLE_AFTER)
			return gl_http_resp_fail(r, GL_HTTP_E_MALFORMED, GL_HTTP_R_CL_INVALID);
		if (r->clv > 99999999999999999ull)	/* the next digit makes 10^18 or more */
			return gl_http_resp_fail(r, GL_HTTP_E_TOO_LARGE, GL_HTTP_R_CL_TOO_BIG);
		r->clv = r->clv * 10 + (__u64)(c - '0');
		r->cl_st = GL_HTTP_CLE_DIGITS;
		return 0;
	}
	if (gl_http_is_blank(c)) {
		if (r->cl_st == GL_HTTP_CLE_DIGITS)
			r->cl_st = GL_HTTP_CLE_AFTER;
		return 0;
	}
	if (c == ',')
		return gl_http_resp_cl_end(r);
	return gl_http_resp_fail(r, GL_HTTP_E_MALFORMED, GL_HTTP_R_CL_INVALID);
}

/* A Transfer-Encoding element ends: a non-empty one is the final coding so far. */
GL_HTTP_FN void gl_http_resp_te_end(struct gl_http_resp *r)
{
	if (r->te_el == GL_HTTP_TE_EMPTY)
		return;
	if (r->te_el == 7 || r->te_el == GL_HTTP_TE_CHUNKED)
		r->flags |= GL_HTTP_RF_CHUNKED;
	else
		r->flags &= ~GL_HTTP_RF_CHUNKED;
	r->te_el = GL_HTTP_TE_EMPTY;
}

/* a byte of a Transfer-Encoding value other than its line's CR */
GL_HTTP_FN void gl_http_resp_te_byte(struct gl_http_resp *r, __u8 c)
{
	__u8 e = r->te_el;

	if (c == ',') {
		gl_http_resp_te_end(r);
		return;
	}
	if (gl_http_is_blank(c)) {
		if (e == 7)
			r->te_el = GL_HTTP_TE_CHUNKED;
		else if (e != GL_HTTP_TE_EMPTY && e != GL_HTTP_TE_CHUNKED)
			r->te_el = GL_HTTP_TE_OTHER;
		return;
	}
	if (e < 7 && gl_http_lower(c) == (__u8)(GL_HTTP_W('c', 'h', 'u', 'n', 'k', 'e', 'd', 0) >> (8 * e)))
		r->te_el = e + 1;
	else
		r->te_el = GL_HTTP_TE_OTHER;
}

/* bytes after ':' up to the line's CR */
GL_HTTP_FN long gl_http_resp_value_byte(struct gl_http_resp *r, __u8 c)
{
	if (c == '\r') {
		r->state = GL_RS_LF;
		if (r->match == GL_HTTP_RM_TE) {
			r->flags |= GL_HTTP_RF_TE;
			gl_http_resp_te_end(r);
		}
		if (r->match == GL_HTTP_RM_CL)
			return gl_http_resp_cl_end(r);
		return 0;
	}
	if (!gl_http_is_value_byte(c))
		return gl_http_resp_fail(r, GL_HTTP_E_MALFORMED, GL_HTTP_R_FIELD_VALUE);
	if (r->match == GL_HTTP_RM_CL)
		return gl_http_resp_cl_byte(r, c);
	if (r->match == GL_HTTP_RM_TE)
		gl_http_resp_te_byte(r, c);
	return 0;
}

/* The response is over (final, no body left): the next one starts from zero. */
GL_HTTP_FN long gl_http_resp_final(struct gl_http_resp *r)
{
	__builtin_memset(r, 0, sizeof(*r));
	r->done = 1;
	return 1;
}

/* LF of the empty line: what the response is and how its body ends [RFC 9112 6.3]. */
GL_HTTP_FN long gl_http_resp_head_end(struct gl_http_resp *r, __u32 req)
{
	__u16 st = r->status;
	__u8 fl = r->flags;

	if (st == 101 || (st >= 200 && st < 300 && (req & GL_HTTP_RESP_REQ_CONNECT))) {
		gl_http_resp_final(r);
		r->state = GL_RS_OPAQUE;
		return 1;
	}
	if (st < 200) {	/* interim: the final response to the same request follows */
		__builtin_memset(r, 0, sizeof(*r));
		return 0;
	}
	if ((req & GL_HTTP_RESP_REQ_HEAD) || st == 204 || st == 304)
		return gl_http_resp_final(r);
	if ((fl & GL_HTTP_RF_TE) && !(fl & GL_HTTP_RF_V11))
		return gl_http_resp_fail(r, GL_HTTP_E_MALFORMED, GL_HTTP_R_TE_HTTP10);
	if ((fl & GL_HTTP_RF_TE) && (fl & GL_HTTP_RF_CHUNKED)) {
		gl_http_body_start(&r->body, GL_HTTP_FRAME_CHUNKED, 0);
	} else if (!(fl & GL_HTTP_RF_TE) && (fl & GL_HTTP_RF_HAVE_CL)) {
		if (r->cl == 0)
			return gl_http_resp_final(r);
		gl_http_body_start(&r->body, GL_HTTP_FRAME_LENGTH, r->cl);
	} else {
		r->state = GL_RS_UNTIL_CLOSE;
		return 1;
	}
	r->state = GL_RS_BODY;
	return 1;
}

/* One head byte: 1 when the head scan stops (head over, or an error). */
GL_HTTP_FN long gl_http_resp_byte(struct gl_http_resp *r, __u8 c, __u32 req)
{
	__u8 st = r->state;

	if (++r->hlen > GL_HTTP_HEAD_MAX)
		return gl_http_resp_fail(r, GL_HTTP_E_TOO_LARGE, GL_HTTP_R_HEAD_TOO_LARGE);
	if (c == '\n' && st != GL_RS_STATUS_LF && st != GL_RS_LF && st != GL_RS_END_LF)
		return gl_http_resp_fail(r, GL_HTTP_E_MALFORMED, GL_HTTP_R_LINE_END);
	switch (st) {
	case GL_RS_VERSION:
	case GL_RS_CODE:
		return gl_http_resp_status_byte(r, c);
	case GL_RS_CODE_END:
	case GL_RS_REASON:
		if (c == '\r')
			r->state = GL_RS_STATUS_LF;
		else if ((st == GL_RS_CODE_END && c != ' ') || !gl_http_is_value_byte(c))
			return gl_http_resp_fail(r, GL_HTTP_E_MALFORMED, GL_HTTP_R_STATUS);
		else
			r->state = GL_RS_REASON;
		return 0;
	case GL_RS_LINE:
	case GL_RS_NAME:
		return gl_http_resp_name_byte(r, c);
	case GL_RS_VALUE:
		return gl_http_resp_value_byte(r, c);
	case GL_RS_STATUS_LF:
	case GL_RS_LF:
	case GL_RS_END_LF:
		if (c != '\n')
			break;
		if (st == GL_RS_END_LF)
			return gl_http_resp_head_end(r, req);
		r->state = GL_RS_LINE;
		return 0;
	default:
		return 1;	/* not in a head */
	}
	return gl_http_resp_fail(r, GL_HTTP_E_MALFORMED, GL_HTTP_R_LINE_END);
}

/*
 * Eight bytes at once inside a reason phrase or a value that is not looked
 * at, when none of them is a control byte or DEL (so neither a CR nor
 * anything refused) and the head stays within its bound: the byte-by-byte
 * states would only count them. 1 when they were taken.
 */
GL_HTTP_FN int gl_http_resp_fast(const __u8 *buf, struct gl_http_resp *r, __u32 pos, __u32 len)
{
	__u32 p = pos & GL_HTTP_BUF_MASK;
	__u64 w;

	if (pos + 8 > len || p > GL_HTTP_BUF_SIZE - 8 || r->hlen + 8 > GL_HTTP_HEAD_MAX)
		return 0;
	if (r->state != GL_RS_REASON && (r->state != GL_RS_VALUE || r->match))
		return 0;
	w = gl_http_load8(buf, p);
	if (GL_HTTP_HASLESS(w, 0x20) || GL_HTTP_HASBYTE(w, 0x7f))
		return 0;
	r->hlen += 8;
	return 1;
}

/*
 * The step as a verification unit: eight plain bytes at pos, or the head
 * byte at pos (< len). Returns the position after them, or -1 when the
 * scan stopped before (bad arguments, not in a head).
 */
GL_HTTP_UNIT int gl_http_resp_head_unit(const struct gl_http_bytes *buf, struct gl_http_resp *r,
					__u32 pos, __u32 len, __u32 req)
{
	if (!buf || !r || pos >= len || r->state >= GL_RS_BODY)
		return -1;
#ifndef GL_HTTP_NO_FAST	/* tests build the byte-only framer too and compare */
	if (gl_http_resp_fast(buf->b, r, pos, len))
		return (int)((pos + 8) & 0x7fffffff);
#endif
	gl_http_resp_byte(r, buf->b[pos & GL_HTTP_BUF_MASK], req);
	return (int)((pos + 1) & 0x7fffffff);
}

/* bpf_loop context of a head scan */
struct gl_http_rloop {
	const struct gl_http_bytes *buf;
	struct gl_http_resp *r;
	__u32 pos;	/* cursor */
	__u32 len;
	__u32 req;
	__u32 pad;
};

GL_HTTP_CB gl_http_resp_head_cb(__u32 index, void *vctx)
{
	struct gl_http_rloop *x = vctx;
	int n = gl_http_resp_head_unit(x->buf, x->r, x->pos, x->len, x->req);

	(void)index;
	if (n < 0)
		return 1;
	x->pos = (__u32)n;
	return x->pos >= x->len || x->r->done || x->r->state >= GL_RS_BODY;
}

/*
 * Feeds bytes [off, len) of buf (GL_HTTP_BUF_SIZE bytes; reads masked) to
 * the response framer. req: GL_HTTP_RESP_REQ_* of the request the current
 * response answers. Returns the offset where it stopped, >= off:
 * - with r->done set to 1 (the next call clears it), the end of a complete
 *   final response: the caller counts it and calls again from there, with
 *   the next request's flags, for the next response;
 * - len, without r->done: all consumed, the response goes on in the next
 *   buffer (or the connection is opaque or until close: gl_http_resp_opaque,
 *   gl_http_resp_until_close; such a state consumes every later byte).
 * A 101, or a 2xx to CONNECT, is counted (done at the end of its head), and
 * the connection is opaque from there. GL_HTTP_E_MALFORMED or
 * GL_HTTP_E_TOO_LARGE when the stream cannot be framed, with r->reason;
 * sticky. In BPF, r should be a map value.
 */
GL_HTTP_FN int gl_http_resp_feed(struct gl_http_resp *r, const __u8 *buf, __u32 off, __u32 len,
				 __u32 req)
{
	struct gl_http_rloop x;
	int pos;

	r->done = 0;
	if (len > GL_HTTP_BUF_SIZE)
		len = GL_HTTP_BUF_SIZE;
	if (off > len)
		off = len;
	if (r->state == GL_RS_ERROR)
		return r->err;
	if (r->state == GL_RS_OPAQUE || r->state == GL_RS_UNTIL_CLOSE)
		return (int)len;
	if (r->state < GL_RS_BODY && off < len) {
		x.buf = (const struct gl_http_bytes *)buf;
		x.r = r;
		x.pos = off;
		x.len = len;
		x.req = req;
		x.pad = 0;
		/* every pass takes one byte at least */
		gl_http_loop(len - off, gl_http_resp_head_cb, &x);
		off = x.pos;
	}
	if (r->state == GL_RS_ERROR)
		return r->err;
	if (r->state != GL_RS_BODY)
		return r->done ? (int)off : (int)len;
	pos = gl_http_body_skip(&r->body, buf, off, len);
	if (pos < 0) {
		gl_http_resp_fail(r, pos, r->body.reason);
		return pos;
	}
	if (gl_http_body_done(&r->body))
		gl_http_resp_final(r);
	return pos;
}

#endif /* GL_HTTP_RESP_H */
