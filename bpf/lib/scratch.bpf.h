/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/* Per-CPU buffers the HTTP parser works in; one per path, so a send and a
 * receive that interleave on one CPU never share one. */
#ifndef GL_SCRATCH_BPF_H
#define GL_SCRATCH_BPF_H

#include "lib/http.h"

struct gl_scratch {
	__u8 buf[GL_HTTP_BUF_SIZE];
	struct gl_http_head head;
};

enum { GL_SCRATCH_RECV = 0, GL_SCRATCH_SEND, GL_SCRATCH_SQL, GL_SCRATCH_MAX };

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, GL_SCRATCH_MAX);
	__type(key, __u32);
	__type(value, struct gl_scratch);
} gl_scratch SEC(".maps");

static __always_inline struct gl_scratch *gl_scratch_get(__u32 which)
{
	return bpf_map_lookup_elem(&gl_scratch, &which);
}

#endif
