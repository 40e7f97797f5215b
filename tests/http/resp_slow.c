// SPDX-License-Identifier: Apache-2.0
/*
 * The response framer without its eight-bytes-at-once step, as a second
 * translation unit: test_http_resp and fuzz_http_resp compare it with the
 * normal build on every stream, so the fast step can only ever skip work,
 * never change a result.
 */
#define GL_HTTP_NO_FAST
#include "lib/http_resp.h"
#include "resp_slow.h"

int gl_http_resp_feed_slow(struct gl_http_resp *r, const __u8 *buf, __u32 off, __u32 len,
			   __u32 req, void *arg)
{
	(void)arg;
	return gl_http_resp_feed(r, buf, off, len, req);
}
