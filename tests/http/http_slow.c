// SPDX-License-Identifier: Apache-2.0
/*
 * The head parser without its eight-bytes-at-once fast path, as a second
 * translation unit: test_http and fuzz_http compare it with the normal build
 * on every input, so the fast path can only ever skip work, never change a
 * result.
 */
#define GL_HTTP_NO_FAST
#include "lib/http.h"
#include "http_slow.h"

int gl_http_parse_head_slow(const __u8 *buf, __u32 off, __u32 len,
			    const struct gl_http_want *want, struct gl_http_head *h)
{
	return gl_http_parse_head(buf, off, len, want, h);
}
