// SPDX-License-Identifier: Apache-2.0
/*
 * libFuzzer target for the HTTP/1.x response framer (bpf/lib/http_resp.h).
 * The input's first byte says what the requests were (two bits a response,
 * four responses, the last one for the rest: GET, HEAD, CONNECT, GET); the
 * rest is a server's reply stream (seeds: tests/http/corpus_resp/). Beyond
 * crashes and undefined behaviour it checks, and aborts on any violation:
 * - no byte at or beyond a piece's length is read: the rest of the
 *   GL_HTTP_BUF_SIZE buffer is ASan-poisoned for every piece;
 * - splitting changes nothing: the stream in two pieces at a split drawn
 *   from the input, in three, and (short inputs) byte by byte comes to the
 *   same responses, end offsets, last result and state as in one piece;
 * - the eight-bytes-at-once step changes nothing: the byte-only build
 *   (resp_slow.c) gives the identical outcome;
 * - the return contract: within [off, len], len unless a response ended,
 *   errors sticky and with a reason; end offsets increase, and no more
 *   responses end than status lines ("HTTP/1.") start.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sanitizer/asan_interface.h>

#include "lib/http_resp.h"
#include "resp_drive.h"
#include "resp_slow.h"
#include "fuzz_buf.h"

static __u8 *buf;	/* GL_HTTP_BUF_SIZE, as the kernel's map value */
static size_t cuts[GL_HTTP_BUF_SIZE];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	buf = aligned_alloc(64, GL_HTTP_BUF_SIZE);
	if (!buf)
		abort();
	return 0;
}

static __u32 hash(const __u8 *d, size_t n)
{
	__u32 h = 0x811c9dc5u;

	while (n--)
		h = (h ^ *d++) * 0x01000193u;
	return h;
}

/* what one piece alone must satisfy, whatever the cut */
static void check_outcome(const struct gl_resp_outcome *o, const __u8 *s, size_t n)
{
	size_t i, lines = 0;
	unsigned int k;

	CHECK(!o->bad);
	for (i = 0; i + 7 <= n; i++)
		lines += !memcmp(s + i, "HTTP/1.", 7);
	CHECK(o->count <= lines);
	for (k = 1; k < o->count && k < GL_RESP_ENDS_MAX; k++)
		CHECK(o->ends[k] > o->ends[k - 1]);
	if (o->count)
		CHECK(o->ends[0] > 0 && o->ends[(o->count < GL_RESP_ENDS_MAX ? o->count : GL_RESP_ENDS_MAX) - 1] <= n);
	if (o->rc < 0) {
		CHECK(o->rc == GL_HTTP_E_MALFORMED || o->rc == GL_HTTP_E_TOO_LARGE);
		CHECK(o->r.reason != GL_HTTP_R_NONE && o->r.err == o->rc && o->end == GL_RESP_END_ERROR);
	}
	CHECK(!o->r.done);
}

/* an error stays: one more call on any bytes returns it again */
static void check_sticky(struct gl_resp_outcome *o, const __u8 *s, size_t n)
{
	int rc;

	if (o->rc >= 0)
		return;
	fill(buf, s, n);
	rc = gl_http_resp_feed(&o->r, buf, 0, (__u32)n, 0);
	CHECK(rc == o->rc && !o->r.done && o->r.state == GL_RS_ERROR);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct gl_resp_outcome whole, o;
	char reqs[5];
	const __u8 *s = data + 1;
	size_t n = size ? size - 1 : 0, k, a, b;
	__u32 h = hash(data, size), i;

	if (!size || n > GL_HTTP_BUF_SIZE)
		return 0;
	for (i = 0; i < 4; i++)
		reqs[i] = "GHCG"[(data[0] >> (2 * i)) & 3];
	reqs[4] = 0;
	gl_resp_drive(s, n, NULL, 0, reqs, gl_resp_feed_user, NULL, buf, fill, &whole);
	check_outcome(&whole, s, n);
	gl_resp_drive(s, n, NULL, 0, reqs, gl_http_resp_feed_slow, NULL, buf, fill, &o);
	CHECK(gl_resp_same(&o, &whole));
	if (n < 2)
		return 0;
	k = 1 + h % (n - 1);
	gl_resp_drive(s, n, &k, 1, reqs, gl_resp_feed_user, NULL, buf, fill, &o);
	CHECK(gl_resp_same(&o, &whole));
	a = 1 + (h >> 8) % (n - 1);
	b = 1 + (h >> 20) % (n - 1);
	cuts[0] = a < b ? a : b;
	cuts[1] = a < b ? b : a;
	gl_resp_drive(s, n, cuts, a == b ? 1 : 2, reqs, gl_resp_feed_user, NULL, buf, fill, &o);
	CHECK(gl_resp_same(&o, &whole));
	if (n <= 512) {
		for (k = 1; k < n; k++)
			cuts[k - 1] = k;
		gl_resp_drive(s, n, cuts, n - 1, reqs, gl_resp_feed_user, NULL, buf, fill, &o);
		CHECK(gl_resp_same(&o, &whole));
	}
	check_sticky(&whole, s, n);
	return 0;
}
