/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/* Per-CPU buffers the HTTP parser works in; one per path, so a send and a
 * receive that interleave on one CPU never share one. */
#ifndef GL_SCRATCH_BPF_H
#define GL_SCRATCH_BPF_H

#include "lib/bound.bpf.h"
#include "lib/http.h"

struct gl_scratch {
	__u8 buf[GL_HTTP_BUF_SIZE];
	struct gl_http_head head;
};

/* REPLY twice: a verdict run from a socket's backlog (process context) can
 * be interrupted by one run from softirq on the same CPU */
enum { GL_SCRATCH_RECV = 0, GL_SCRATCH_SEND, GL_SCRATCH_SQL, GL_SCRATCH_REPLY,
       GL_SCRATCH_REPLY_NESTED, GL_SCRATCH_MAX };

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

/* Copies [off, off + n) of the message into the scratch buffer. */
static __always_inline int gl_msg_copy(struct sk_msg_md *msg, struct gl_scratch *sc, __u32 off,
				       __u64 n)
{
	void *data, *end;

	/* at most BUF_SIZE - 1 (a head is at most half of it), masked in asm:
	 * clang may turn the clamp into a form the verifier cannot follow */
	if (n > GL_HTTP_BUF_SIZE - 1)
		n = GL_HTTP_BUF_SIZE - 1;
	GL_BOUND(n, GL_HTTP_BUF_SIZE - 1);
	if (n == 0)
		return -1;
	if (bpf_msg_pull_data(msg, off, off + n, 0))
		return -1;
	data = msg->data;
	end = msg->data_end;
	if (data + n > end)
		return -1;
	return bpf_probe_read_kernel(sc->buf, n, data) ? -1 : 0;
}

#define GL_MSG_JOIN_MAX 16384

/* The message's first GL_MSG_JOIN_MAX bytes in one scatterlist element. */
static __always_inline void gl_msg_join(struct sk_msg_md *msg)
{
	__u32 n = msg->size;

	if (n > GL_MSG_JOIN_MAX)
		n = GL_MSG_JOIN_MAX;
	if (n)
		bpf_msg_pull_data(msg, 0, n, 0);
}

/*
 * Inserts n bytes of src at `at` of the message; src has room for `max`
 * bytes, a constant at each call (the copy loop's bound for the verifier).
 * 0; -1 when nothing was inserted; -2 when bytes were pushed but not written
 * (the caller pops them or drops the message). Helpers may not write packet
 * data: byte by byte.
 *
 * The push leaves the new bytes in a scatterlist element of their own, and
 * the kernel hands a message to TCP element by element without MSG_MORE
 * (tcp_bpf_push): the request line leaves alone and the rest waits behind
 * Nagle until it is ACKed. On a kept-alive connection without TCP_NODELAY
 * (nginx's upstream keep-alive) the server delays that ACK: 40 ms per lane
 * request (bench upstream phase, tcpdump: a 17-byte segment, the ACK 43 ms
 * later, then the rest). So the message's first GL_MSG_JOIN_MAX bytes are
 * pulled back into one element after the write (a copy of up to 16 KiB;
 * larger messages keep a split after them, where a full-sized segment goes
 * first). When that allocation fails the bytes are still right, only split.
 */
static __always_inline int gl_msg_insert(struct sk_msg_md *msg, __u32 at, const char *src,
					 __u32 n, const __u32 max)
{
	__u8 *data, *end;
	__u32 i;

	if (n == 0 || n > max)
		return -1;
	if (bpf_msg_push_data(msg, at, n, 0))
		return -1;
	if (bpf_msg_pull_data(msg, at, at + n, 0))
		return -2;
	data = msg->data;
	end = msg->data_end;
	for (i = 0; i < max; i++) {
		if (i >= n)
			break;
		if ((void *)(data + i + 1) > (void *)end)
			return -2;
		data[i] = src[i];
	}
	gl_msg_join(msg);
	return 0;
}

#endif
