/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/*
 * Shared by tests/http/http_load.bpf.c and tests/http/test_http_load.c: the
 * context a syscall program of the load test is run with, and what it leaves
 * in its result global.
 */
#ifndef GL_HTTP_LOAD_H
#define GL_HTTP_LOAD_H

#include "lib/http.h"
#include "lib/http_resp.h"

/* http_lookup operations */
enum gl_http_load_op {
	GL_HTTP_OP_QUERY = 0,	/* gl_http_query_param(span, pattern) */
	GL_HTTP_OP_COOKIE,	/* gl_http_cookie(span, pattern) */
	GL_HTTP_OP_FNV,		/* gl_http_fnv1a32(span) */
	GL_HTTP_OP_EQ,		/* gl_http_span_eq(span, pattern, ci) */
	GL_HTTP_OP_PREFIX,
	GL_HTTP_OP_SUFFIX,
	GL_HTTP_OP_CONTAINS,
	GL_HTTP_OP_HOST,	/* gl_http_host_name(span) */
	GL_HTTP_OP_MAX,
};

/* ctx of every syscall program: the bytes are copied into the per-CPU buffer */
struct gl_http_load_args {
	__u64 data;		/* user address of the bytes */
	__u32 len;		/* how many (at most GL_HTTP_BUF_SIZE) */
	__u32 off;		/* where the operation starts */
	__u32 op;		/* enum gl_http_load_op, for http_lookup; GL_HTTP_RESP_REQ_* for http_resp */
	__u32 n;		/* pattern length */
	__u32 ci;		/* ignore case */
	struct gl_http_span span;
};

struct gl_http_load_result {
	__s32 rc;		/* return value of the operation */
	__u32 hash;		/* GL_HTTP_OP_FNV */
	struct gl_http_span val;	/* GL_HTTP_OP_QUERY, _COOKIE, _HOST */
	__u32 pad;
	struct gl_http_head head;	/* http_head */
	struct gl_http_body body;	/* http_body: the state after skipping */
	struct gl_http_resp resp;	/* http_resp: the framer's state after the run */
};

#endif /* GL_HTTP_LOAD_H */
