/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/*
 * Shared by tests/http/rules_load.bpf.c and tests/http/test_rules_load.c:
 * the context the rules program is run with and what it leaves behind.
 */
#ifndef GL_RULES_LOAD_H
#define GL_RULES_LOAD_H

#include "lib/rules.h"

#define GL_RULES_LOAD_N	GL_ENTRY_RULES_MAX	/* rules of the test's one entry workload */

/* ctx of the syscall program: the bytes are copied into the per-CPU buffer */
struct gl_rules_load_args {
	__u64 data;		/* user address of a request head */
	__u32 len;		/* bytes (at most GL_HTTP_BUF_SIZE) */
	__u32 nrules;		/* gl_rules indexes 0..nrules-1 of workload 1, slot 0 */
};

struct gl_rules_load_result {
	__s32 rc;		/* gl_http_parse_head */
	__u32 matched;		/* bit i: rule i matched */
	__s32 first;		/* index of the first matching rule, -1 if none */
	__u32 lane;		/* its lane, 0 if none */
};

#endif /* GL_RULES_LOAD_H */
