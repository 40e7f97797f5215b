/* SPDX-License-Identifier: Apache-2.0 */
/* gl_http_resp_feed built with GL_HTTP_NO_FAST (tests/http/resp_slow.c), as a gl_resp_feed_fn. */
#ifndef GL_RESP_SLOW_H
#define GL_RESP_SLOW_H

#include "lib/http_resp.h"

int gl_http_resp_feed_slow(struct gl_http_resp *r, const __u8 *buf, __u32 off, __u32 len,
			   __u32 req, void *arg);

#endif /* GL_RESP_SLOW_H */
