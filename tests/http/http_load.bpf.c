// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/*
 * Proof that the verifier of this kernel accepts bpf/lib/http.h at full
 * size (GL_HTTP_BUF_SIZE buffer, GL_HTTP_HEAD_MAX head), and a way to run the
 * parser inside the kernel on test vectors (BPF_PROG_TEST_RUN).
 *
 * The syscall programs copy the bytes a test hands them (a user address in
 * their ctx) into the per-CPU buffer, as the sk_msg program will after
 * bpf_msg_pull_data, run one parser function and leave the result in the
 * `result` global. http_sk_msg is the shape the send path will take; it is
 * only loaded (sk_msg programs cannot be test-run). http_resp feeds the
 * response framer (bpf/lib/http_resp.h) one buffer, carrying its state in
 * the `resp` global between runs; http_sk_skb is the shape of the stream
 * verdict program that will count a server's responses (only loaded).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "http_load.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct gl_http_scratch {
	__u8 buf[GL_HTTP_BUF_SIZE];
	struct gl_http_head head;
	struct gl_http_body body;
	struct gl_http_resp resp;
};

/* the parse buffer and the parser's state, per CPU */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gl_http_scratch);
} gl_http_scratch SEC(".maps");

/* set by the test before a run */
struct gl_http_want want;
__u8 pattern[GL_HTTP_PATTERN_MAX];
struct gl_http_body body;
struct gl_http_resp resp;	/* http_resp: carried from run to run, as one connection's */
/* left by a run */
struct gl_http_load_result result;

static __always_inline struct gl_http_scratch *load(struct gl_http_load_args *a, __u32 *len)
{
	__u32 k = 0, n = a->len;
	struct gl_http_scratch *s = bpf_map_lookup_elem(&gl_http_scratch, &k);

	if (!s)
		return NULL;
	if (n > GL_HTTP_BUF_SIZE)
		n = GL_HTTP_BUF_SIZE;
	if (bpf_copy_from_user(s->buf, n, (const void *)a->data))
		return NULL;
	*len = n;
	return s;
}

SEC("syscall")
int http_classify(struct gl_http_load_args *a)
{
	struct gl_http_scratch *s;
	__u32 len;

	s = load(a, &len);
	if (!s)
		return 1;
	result.rc = gl_http_classify(s->buf, a->off, len);
	return 0;
}

SEC("syscall")
int http_head(struct gl_http_load_args *a)
{
	struct gl_http_scratch *s;
	__u32 len;

	s = load(a, &len);
	if (!s)
		return 1;
	result.rc = gl_http_parse_head(s->buf, a->off, len, &want, &s->head);
	__builtin_memcpy(&result.head, &s->head, sizeof(s->head));
	return 0;
}

SEC("syscall")
int http_body(struct gl_http_load_args *a)
{
	struct gl_http_scratch *s;
	__u32 len;

	s = load(a, &len);
	if (!s)
		return 1;
	result.rc = gl_http_body_skip(&body, s->buf, a->off, len);
	result.body = body;
	return 0;
}

SEC("syscall")
int http_lookup(struct gl_http_load_args *a)
{
	struct gl_http_span val = { 0, 0 };
	struct gl_http_scratch *s;
	__u32 len, n = a->n;
	int ci = a->ci != 0;

	s = load(a, &len);
	if (!s)
		return 1;
	switch (a->op) {
	case GL_HTTP_OP_QUERY:
		result.rc = gl_http_query_param(s->buf, a->span, pattern, n, &val);
		break;
	case GL_HTTP_OP_COOKIE:
		result.rc = gl_http_cookie(s->buf, a->span, pattern, n, &val);
		break;
	case GL_HTTP_OP_FNV:
		result.hash = gl_http_fnv1a32(s->buf, a->span);
		result.rc = 0;
		break;
	case GL_HTTP_OP_EQ:
		result.rc = gl_http_span_eq(s->buf, a->span, pattern, n, ci);
		break;
	case GL_HTTP_OP_PREFIX:
		result.rc = gl_http_span_prefix(s->buf, a->span, pattern, n, ci);
		break;
	case GL_HTTP_OP_SUFFIX:
		result.rc = gl_http_span_suffix(s->buf, a->span, pattern, n, ci);
		break;
	case GL_HTTP_OP_CONTAINS:
		result.rc = gl_http_span_contains(s->buf, a->span, pattern, n, ci);
		break;
	case GL_HTTP_OP_HOST:
		val = gl_http_host_name(s->buf, a->span);
		result.rc = 0;
		break;
	default:
		result.rc = GL_HTTP_E_INVAL;
	}
	result.val = val;
	return 0;
}

/*
 * The send path's shape: pull and copy the message, classify it, parse
 * every request head in it, skip the bodies, look at the rule inputs.
 */
SEC("sk_msg")
int http_sk_msg(struct sk_msg_md *msg)
{
	struct gl_http_span v;
	struct gl_http_scratch *s;
	__u64 len = msg->size;	/* 64-bit: a 32-bit clamp is done on a copy the copy helper does not see */
	void *data, *end;
	__u32 k = 0;
	int off, r;

	s = bpf_map_lookup_elem(&gl_http_scratch, &k);
	if (!s)
		return SK_PASS;
	if (len > GL_HTTP_BUF_SIZE)
		len = GL_HTTP_BUF_SIZE;
	if (bpf_msg_pull_data(msg, 0, len, 0))
		return SK_PASS;
	data = msg->data;
	end = msg->data_end;
	if (data + len > end)
		return SK_PASS;
	if (bpf_probe_read_kernel(s->buf, len, data))
		return SK_PASS;
	if (gl_http_classify(s->buf, 0, len) != GL_HTTP_PROTO_HTTP1)
		return SK_PASS;
	off = gl_http_parse_head(s->buf, 0, len, &want, &s->head);
	if (off == GL_HTTP_E_INCOMPLETE) {
		bpf_msg_cork_bytes(msg, msg->size + 1);
		return SK_PASS;
	}
	if (off < 0)
		return SK_PASS;
	r = gl_http_query_param(s->buf, s->head.query, pattern, 3, &v);
	r += gl_http_cookie(s->buf, s->head.field[GL_HTTP_SLOT_COOKIE].value, pattern, 7, &v);
	r += gl_http_span_prefix(s->buf, s->head.path, pattern, 4, 0);
	r += gl_http_span_contains(s->buf, s->head.field[GL_HTTP_SLOT_RULE].value, pattern, 5, 1);
	result.hash = gl_http_fnv1a32(s->buf, s->head.path) + (__u32)r;
	gl_http_body_begin(&s->body, &s->head);
	off = gl_http_body_skip(&s->body, s->buf, (__u32)off, len);
	result.rc = off;
	return SK_PASS;
}

/* One buffer of a server's reply through the framer; a->op is the request's GL_HTTP_RESP_REQ_*. */
SEC("syscall")
int http_resp(struct gl_http_load_args *a)
{
	struct gl_http_scratch *s;
	__u32 len;

	s = load(a, &len);
	if (!s)
		return 1;
	result.rc = gl_http_resp_feed(&resp, s->buf, a->off, len, a->op);
	result.resp = resp;
	return 0;
}

/* one skb's responses: the bpf_loop context of http_sk_skb */
struct gl_http_skb_loop {
	struct gl_http_scratch *s;
	__u32 len;
	__s32 off;
};

static long http_sk_skb_response(__u32 index, void *vctx)
{
	struct gl_http_skb_loop *x = vctx;

	(void)index;
	x->off = gl_http_resp_feed(&x->s->resp, x->s->buf, (__u32)x->off, x->len, 0);
	if (x->off < 0 || !x->s->resp.done)
		return 1;
	result.hash++;
	return 0;
}

/*
 * The receive side's shape: copy the skb, count every final response in
 * it, carry the rest of one to the next skb (here per CPU, in the data
 * path per socket).
 */
SEC("sk_skb/stream_verdict")
int http_sk_skb(struct __sk_buff *skb)
{
	struct gl_http_skb_loop x = { 0 };
	__u64 len = skb->len;	/* 64-bit, as in http_sk_msg */
	__u32 k = 0;

	x.s = bpf_map_lookup_elem(&gl_http_scratch, &k);
	if (!x.s)
		return SK_PASS;
	if (len > GL_HTTP_BUF_SIZE)
		len = GL_HTTP_BUF_SIZE;
	if (len == 0)
		return SK_PASS;
	/* the same len, written so that 6.1's verifier sees it is at least 1 */
	len = ((len - 1) & GL_HTTP_BUF_MASK) + 1;
	if (bpf_skb_load_bytes(skb, 0, x.s->buf, len))
		return SK_PASS;
	x.len = (__u32)len;
	/* every response but the last takes at least one byte */
	bpf_loop(x.len + 1, http_sk_skb_response, &x, 0);
	result.rc = x.off;
	return SK_PASS;
}
