/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GL_HTTP_SLOW_H
#define GL_HTTP_SLOW_H

#include "lib/http.h"

/* gl_http_parse_head built with GL_HTTP_NO_FAST (tests/http/http_slow.c) */
int gl_http_parse_head_slow(const __u8 *buf, __u32 off, __u32 len,
			    const struct gl_http_want *want, struct gl_http_head *h);

#endif /* GL_HTTP_SLOW_H */
