/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Drives the response framer (bpf/lib/http_resp.h) over a server's reply
 * stream cut into pieces, one buffer each, the way a stream verdict program
 * sees skbs: what it came to (responses completed, the stream offset where
 * each ended, the last return value, the final state) so that tests can
 * compare the pieces with the whole. Shared by test_http_resp, the fuzzer
 * and test_http_load (whose feed runs the kernel's framer beside the user's).
 */
#ifndef GL_RESP_DRIVE_H
#define GL_RESP_DRIVE_H

#include <string.h>

#include "lib/http_resp.h"
#include "resp_vectors.h"

#define GL_RESP_ENDS_MAX	1024

struct gl_resp_outcome {
	unsigned int count;			/* final responses completed */
	unsigned int ends[GL_RESP_ENDS_MAX];	/* stream offset after each (the first ENDS_MAX) */
	int rc;					/* the last call's return: an error, or an offset in its piece */
	unsigned int end;			/* enum gl_resp_end */
	unsigned int bad;			/* contract breaches: a result outside [off, len], or short without done */
	struct gl_http_resp r;			/* the state after the last call */
};

/* one call of the framer (the user's, or kernel and user side by side) */
typedef int (*gl_resp_feed_fn)(struct gl_http_resp *r, const __u8 *buf, __u32 off, __u32 len,
			       __u32 req, void *arg);

static int __attribute__((unused)) gl_resp_feed_user(struct gl_http_resp *r, const __u8 *buf,
						     __u32 off, __u32 len, __u32 req, void *arg)
{
	(void)arg;
	return gl_http_resp_feed(r, buf, off, len, req);
}

/* GL_HTTP_RESP_REQ_* of response i from a reqs string ("GHC") */
static __u32 gl_resp_req(const char *reqs, unsigned int i)
{
	size_t n = reqs ? strlen(reqs) : 0;
	char c = n ? reqs[i < n ? i : n - 1] : 'G';

	return c == 'H' ? GL_HTTP_RESP_REQ_HEAD : c == 'C' ? GL_HTTP_RESP_REQ_CONNECT : 0;
}

/* Calls the framer on one piece in buf[0, len) until it consumed it; 0 when the stream failed. */
static int gl_resp_piece(struct gl_resp_outcome *o, const __u8 *buf, __u32 len, size_t at,
			 const char *reqs, gl_resp_feed_fn feed, void *arg)
{
	__u32 off = 0, guard;

	for (guard = 0; guard <= len + 1; guard++) {
		int rc = feed(&o->r, buf, off, len, gl_resp_req(reqs, o->count), arg);

		o->rc = rc;
		if (rc < 0)
			return 0;
		if ((__u32)rc < off || (__u32)rc > len || (!o->r.done && (__u32)rc != len))
			o->bad++;
		if (!o->r.done)
			return 1;
		if (o->count < GL_RESP_ENDS_MAX)
			o->ends[o->count] = (unsigned int)(at + (size_t)rc);
		o->count++;
		off = (__u32)rc;
	}
	o->bad++;	/* no progress */
	return 0;
}

/*
 * Feeds data[0, n) cut before each of cuts[0..ncuts) (increasing, within
 * (0, n)), each piece copied to the start of buf (GL_HTTP_BUF_SIZE bytes; a
 * piece is at most that long), then fills in what it came to.
 */
static void __attribute__((unused)) gl_resp_drive(const __u8 *data, size_t n, const size_t *cuts,
						  size_t ncuts, const char *reqs, gl_resp_feed_fn feed,
						  void *arg, __u8 *buf, void (*fill)(__u8 *, const __u8 *, size_t),
						  struct gl_resp_outcome *o)
{
	size_t a = 0, i;

	memset(o, 0, sizeof(*o));
	for (i = 0; i <= ncuts; i++) {
		size_t b = i < ncuts ? cuts[i] : n;

		fill(buf, data + a, b - a);
		if (!gl_resp_piece(o, buf, (__u32)(b - a), a, reqs, feed, arg))
			break;
		a = b;
	}
	if (o->rc < 0)
		o->end = GL_RESP_END_ERROR;
	else if (gl_http_resp_opaque(&o->r))
		o->end = GL_RESP_END_OPAQUE;
	else if (gl_http_resp_until_close(&o->r))
		o->end = GL_RESP_END_UNTIL_CLOSE;
	else
		o->end = GL_RESP_END_OPEN;
}

/* Same count, end offsets, last return (an error; an offset only in a last piece of equal length), state. */
static int __attribute__((unused)) gl_resp_same(const struct gl_resp_outcome *a,
						const struct gl_resp_outcome *b)
{
	unsigned int k = a->count < GL_RESP_ENDS_MAX ? a->count : GL_RESP_ENDS_MAX;

	return a->count == b->count && a->end == b->end && (a->rc < 0) == (b->rc < 0) &&
	       (a->rc >= 0 || a->rc == b->rc) && !memcmp(a->ends, b->ends, k * sizeof(a->ends[0])) &&
	       !memcmp(&a->r, &b->r, sizeof(a->r));
}

#endif /* GL_RESP_DRIVE_H */
