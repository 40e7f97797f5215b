// SPDX-License-Identifier: Apache-2.0
/*
 * Loads tests/http/http_load.bpf.c into this kernel and reports what the
 * verifier processed for each program (the parser at its full size), then
 * runs every vector through the kernel with BPF_PROG_TEST_RUN (syscall
 * programs) and compares each result, byte for byte, with the same parser
 * compiled for userspace; the response framer (bpf/lib/http_resp.h) too,
 * on reply streams cut into pieces, its state carried from run to run.
 * One line per case, then "N passed, M failed".
 * Needs root; the programs are never attached and nothing is pinned.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "http_load.h"
#include "http_load.skel.h"
#include "vectors.h"
#include "resp_drive.h"
#include "resp_vectors.h"
#include "../cases.h"
#include "../verifier.h"

static __u8 U[GL_HTTP_BUF_SIZE];	/* userspace copy of what the kernel gets */
static struct gl_http_want W;
static struct http_load_bpf *sk;
static unsigned long compared;



/* runs one syscall program on bytes [0, len) of U; 0 or -errno */
static int run(struct bpf_program *prog, __u32 len, __u32 off, struct gl_http_load_args *extra)
{
	struct gl_http_load_args a = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = &a, .ctx_size_in = sizeof(a));
	int err;

	if (extra)
		a = *extra;
	a.data = (__u64)(unsigned long)U;
	a.len = len;
	a.off = off;
	memset(&sk->bss->result, 0x5a, sizeof(sk->bss->result));
	err = bpf_prog_test_run_opts(bpf_program__fd(prog), &o);
	if (err)
		return -errno;
	return o.retval ? -EIO : 0;
}

/* ---- load ---- */


static int load(void)
{
	static gl_verifier_log logs[7];
	struct bpf_program *progs[7];
	int err;

	sk = http_load_bpf__open();
	if (!sk) {
		snprintf(why, sizeof(why), "open: %s", strerror(errno));
		result("open the BPF object", 0);
		return -1;
	}
	progs[0] = sk->progs.http_classify;
	progs[1] = sk->progs.http_head;
	progs[2] = sk->progs.http_body;
	progs[3] = sk->progs.http_lookup;
	progs[4] = sk->progs.http_sk_msg;
	progs[5] = sk->progs.http_resp;
	progs[6] = sk->progs.http_sk_skb;
	verifier_logs(progs, 7, logs);
	err = http_load_bpf__load(sk);
	verifier_report(progs, 7, logs, err);
	return err ? -1 : 0;
}

/* ---- comparisons ---- */

static __u32 put(const void *data, size_t n)
{
	memset(U, 0, sizeof(U));
	memcpy(U, data, n);
	return (__u32)n;
}

static int cmp_classify(__u32 len)
{
	int u = gl_http_classify(U, 0, len), err = run(sk->progs.http_classify, len, 0, NULL);

	return expect(!err, "http_classify run: %d", err) &&
	       expect(sk->bss->result.rc == u, "classify(%u): kernel %d, user %d", len, sk->bss->result.rc, u);
}

/* returns the userspace result; *same tells whether the kernel agreed */
static int cmp_head(__u32 len, __u32 off, struct gl_http_head *h, int *same)
{
	int u = gl_http_parse_head(U, off, len, &W, h), err = run(sk->progs.http_head, len, off, NULL);

	*same = expect(!err, "http_head run: %d", err) &&
		expect(sk->bss->result.rc == u, "head at %u/%u: kernel %d, user %d", off, len,
		       sk->bss->result.rc, u) &&
		expect(!memcmp(&sk->bss->result.head, h, sizeof(*h)), "head at %u: structs differ", off);
	return u;
}

/* skips from off with state b (updated to the userspace result) */
static int cmp_body(struct gl_http_body *b, __u32 len, __u32 off, int *same)
{
	int u, err;

	sk->bss->body = *b;
	u = gl_http_body_skip(b, U, off, len);
	err = run(sk->progs.http_body, len, off, NULL);
	*same = expect(!err, "http_body run: %d", err) &&
		expect(sk->bss->result.rc == u, "body at %u/%u: kernel %d, user %d", off, len,
		       sk->bss->result.rc, u) &&
		expect(!memcmp(&sk->bss->result.body, b, sizeof(*b)), "body at %u: states differ", off);
	return u;
}

static int cmp_lookup(__u32 len, __u32 op, struct gl_http_span span, const void *pat, __u32 n, int ci)
{
	struct gl_http_load_args a = { .op = op, .n = n, .ci = (__u32)ci, .span = span };
	struct gl_http_span v = { 0, 0 };
	__u8 p[GL_HTTP_PATTERN_MAX] = { 0 };
	__u32 hash = 0;
	int u = 0, err;

	memcpy(p, pat, n);
	memcpy(sk->bss->pattern, p, sizeof(p));
	switch (op) {
	case GL_HTTP_OP_QUERY:
		u = gl_http_query_param(U, span, p, n, &v);
		break;
	case GL_HTTP_OP_COOKIE:
		u = gl_http_cookie(U, span, p, n, &v);
		break;
	case GL_HTTP_OP_FNV:
		hash = gl_http_fnv1a32(U, span);
		break;
	case GL_HTTP_OP_EQ:
		u = gl_http_span_eq(U, span, p, n, ci);
		break;
	case GL_HTTP_OP_PREFIX:
		u = gl_http_span_prefix(U, span, p, n, ci);
		break;
	case GL_HTTP_OP_SUFFIX:
		u = gl_http_span_suffix(U, span, p, n, ci);
		break;
	case GL_HTTP_OP_CONTAINS:
		u = gl_http_span_contains(U, span, p, n, ci);
		break;
	case GL_HTTP_OP_HOST:
		v = gl_http_host_name(U, span);
		break;
	}
	err = run(sk->progs.http_lookup, len, 0, &a);
	return expect(!err, "http_lookup run: %d", err) &&
	       expect(sk->bss->result.rc == u && sk->bss->result.val.off == v.off &&
		      sk->bss->result.val.len == v.len && (op != GL_HTTP_OP_FNV || sk->bss->result.hash == hash),
		      "lookup op %u '%.*s': kernel %d (%u,%u) user %d (%u,%u)", op, (int)n, (const char *)p,
		      sk->bss->result.rc, sk->bss->result.val.off, sk->bss->result.val.len, u, v.off, v.len);
}

/* every key of a '&' or ';' list, and names that are not there */
static int cmp_list(__u32 len, __u32 op, struct gl_http_span list)
{
	static const char *const extra[] = { "a", "zz", "uid", "lane" };
	__u32 i, start = list.off, end = (__u32)list.off + list.len;
	char sep = op == GL_HTTP_OP_QUERY ? '&' : ';';
	int ok = 1;

	for (i = list.off; i <= end; i++) {
		if (i < end && U[i] != (__u8)sep)
			continue;
		{
			__u32 k = start, e;

			while (op == GL_HTTP_OP_COOKIE && k < i && U[k] == ' ')
				k++;
			for (e = k; e < i && U[e] != '=' && !(op == GL_HTTP_OP_COOKIE && U[e] == ' '); e++)
				;
			if (e > k && e - k <= GL_HTTP_NAME_MAX)
				ok &= cmp_lookup(len, op, list, U + k, e - k, 0);
		}
		start = i + 1;
	}
	for (i = 0; i < sizeof(extra) / sizeof(extra[0]); i++)
		ok &= cmp_lookup(len, op, list, extra[i], (__u32)strlen(extra[i]), 0);
	return ok;
}

/* rule inputs of one parsed head: lists, hashes, string conditions */
static int cmp_rule_inputs(__u32 len, const struct gl_http_head *h)
{
	struct gl_http_span spans[4] = { h->path, h->target, h->field[GL_HTTP_SLOT_HOST].value,
					 h->field[GL_HTTP_SLOT_RULE + 1].value };
	__u32 i, op;
	int ok = 1;

	ok &= cmp_list(len, GL_HTTP_OP_QUERY, h->query);
	ok &= cmp_list(len, GL_HTTP_OP_COOKIE, h->field[GL_HTTP_SLOT_COOKIE].value);
	ok &= cmp_lookup(len, GL_HTTP_OP_HOST, h->field[GL_HTTP_SLOT_HOST].value, "", 0, 0);
	for (i = 0; i < 4; i++) {
		struct gl_http_span s = spans[i];
		__u32 half = s.len / 2, n = s.len < GL_HTTP_PATTERN_MAX ? s.len : GL_HTTP_PATTERN_MAX;

		ok &= cmp_lookup(len, GL_HTTP_OP_FNV, s, "", 0, 0);
		for (op = GL_HTTP_OP_EQ; op <= GL_HTTP_OP_CONTAINS; op++) {
			ok &= cmp_lookup(len, op, s, U + s.off, n, 0);		/* the whole (or 128) */
			ok &= cmp_lookup(len, op, s, U + s.off, half, 1);	/* first half */
			ok &= cmp_lookup(len, op, s, U + s.off + half, s.len - half > n ? n : s.len - half, 0);
			ok &= cmp_lookup(len, op, s, "no-such-thing", 13, 1);
			ok &= cmp_lookup(len, op, s, "", 0, 0);
		}
	}
	return ok;
}

/* everything about one buffer: classify, every request head, bodies (in one and two pieces), rule inputs */
static int cmp_buffer(const char *name, const void *data, size_t n, int prefixes)
{
	struct gl_http_head h;
	struct gl_http_body b;
	unsigned long before = compared;
	__u32 len = put(data, n), k;
	char title[256];
	int off = 0, i, same, ok = 1, heads = 0, bodies = 0;

	for (k = 0; k <= len && k <= 32; k++)
		ok &= cmp_classify(k);
	ok &= cmp_classify(len);
	for (k = 0; prefixes && ok && k <= len; k++) {
		cmp_head(k, 0, &h, &same);
		ok &= same;
	}
	for (i = 0; ok && i < 1024 && (__u32)off < len; i++) {
		int end = cmp_head(len, (__u32)off, &h, &same);

		ok &= same;
		heads++;
		if (end <= 0)
			break;
		ok &= cmp_rule_inputs(len, &h);
		/* the body in two sends: split in the middle of what is there */
		if (h.framing != GL_HTTP_FRAME_NONE) {
			struct gl_http_body b2;
			__u32 mid = (__u32)end + (len - (__u32)end) / 2;
			static __u8 saved[GL_HTTP_BUF_SIZE];
			int r;

			gl_http_body_begin(&b2, &h);
			memcpy(saved, U, sizeof(U));
			cmp_body(&b2, mid, (__u32)end, &same);
			ok &= same;
			if (!gl_http_body_done(&b2) && b2.state != GL_HTTP_BODY_ERROR) {
				put(saved + mid, len - mid);
				r = cmp_body(&b2, len - mid, 0, &same);
				ok &= same;
				(void)r;
			}
			memcpy(U, saved, sizeof(U));
			bodies++;
		}
		gl_http_body_begin(&b, &h);
		off = cmp_body(&b, len, (__u32)end, &same);
		ok &= same;
		if (off < 0 || !gl_http_body_done(&b))
			break;
	}
	snprintf(title, sizeof(title), "kernel = user on '%s': %d heads, %d split bodies, %lu comparisons",
		 name, heads, bodies, compared - before);
	result(title, ok);
	return ok;
}

static void big_vectors(void)
{
	static char req[GL_HTTP_BUF_SIZE + 1];
	size_t pre = strlen("GET /big?q=1 HTTP/1.1\r\nCookie: a=1\r\nX-Pad: "), n;

	/* a head of exactly GL_HTTP_HEAD_MAX bytes, then a pipelined request */
	memset(req, 0, sizeof(req));
	strcpy(req, "GET /big?q=1 HTTP/1.1\r\nCookie: a=1\r\nX-Pad: ");
	memset(req + pre, 'p', GL_HTTP_HEAD_MAX - pre - 4);
	strcat(req, "\r\n\r\nGET /after HTTP/1.1\r\n\r\n");
	cmp_buffer("8 KiB head", req, strlen(req), 0);

	/* one byte more: too large */
	memset(req, 0, sizeof(req));
	strcpy(req, "GET /big?q=1 HTTP/1.1\r\nCookie: a=1\r\nX-Pad: ");
	memset(req + pre, 'p', GL_HTTP_HEAD_MAX - pre - 3);
	strcat(req, "\r\n\r\n");
	cmp_buffer("head over the bound", req, strlen(req), 0);

	/* a full buffer of pipelined requests with bodies, the last one cut */
	req[0] = 0;
	for (n = 0; strlen(req) + 120 < GL_HTTP_BUF_SIZE; n++)
		strcat(req, n % 2 ? "POST /p?i=1 HTTP/1.1\r\nContent-Length: 4\r\n\r\nbody"
				  : "PUT /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
	memset(req + strlen(req), 'G', GL_HTTP_BUF_SIZE - strlen(req));
	req[GL_HTTP_BUF_SIZE] = 0;
	cmp_buffer("full buffer of pipelined requests", req, GL_HTTP_BUF_SIZE, 0);
}

/* ---- the response framer ---- */

/* a piece into U, the buffer the kernel is handed */
static void fill_u(__u8 *b, const __u8 *data, size_t n)
{
	(void)b;
	put(data, n);
}

/* the kernel's framer and the user's on the same piece and state; the user's result goes on */
static int feed_both(struct gl_http_resp *r, const __u8 *buf, __u32 off, __u32 len, __u32 req, void *arg)
{
	struct gl_http_load_args a = { .op = req };
	int *same = arg, u, err;

	sk->bss->resp = *r;
	u = gl_http_resp_feed(r, buf, off, len, req);
	err = run(sk->progs.http_resp, len, off, &a);
	compared++;
	*same &= expect(!err, "http_resp run: %d", err) &&
		 expect(sk->bss->result.rc == u, "resp at %u/%u: kernel %d, user %d", off, len,
			sk->bss->result.rc, u) &&
		 expect(!memcmp(&sk->bss->result.resp, r, sizeof(*r)), "resp at %u/%u: states differ", off, len);
	return u;
}

/* a stream whole, cut in two every `step` bytes, byte by byte: kernel = user, and the same outcome */
static int cmp_resp(const char *name, const __u8 *data, size_t n, const char *reqs, size_t step)
{
	static struct gl_resp_outcome whole, o;
	static size_t cuts[GL_HTTP_BUF_SIZE];
	unsigned long before = compared;
	char title[256];
	int same = 1, ok;
	size_t k;

	gl_resp_drive(data, n, NULL, 0, reqs, feed_both, &same, U, fill_u, &whole);
	ok = expect(!whole.bad, "return contract");
	for (k = step; same && k < n; k += step) {
		gl_resp_drive(data, n, &k, 1, reqs, feed_both, &same, U, fill_u, &o);
		ok &= expect(gl_resp_same(&o, &whole), "split at %zu: another outcome", k);
	}
	for (k = 1; k < n && n <= 4096; k++)
		cuts[k - 1] = k;
	if (same && n <= 4096) {
		gl_resp_drive(data, n, cuts, n ? n - 1 : 0, reqs, feed_both, &same, U, fill_u, &o);
		ok &= expect(gl_resp_same(&o, &whole), "byte by byte: another outcome");
	}
	snprintf(title, sizeof(title), "kernel = user on responses '%s': %u responses, %lu comparisons", name,
		 whole.count, compared - before);
	result(title, ok && same);
	return ok && same;
}

/* a 300 000-byte body (one piece, or chunks of `chunk`) in full buffers, then a 204 */
static void resp_large(const char *name, const char *head, size_t chunk)
{
	static __u8 s[400000];
	static size_t cuts[32];
	struct gl_resp_outcome o;
	size_t n = strlen(head), k, body = 300000, step;
	char title[128];
	int same = 1;

	memcpy(s, head, n);
	for (k = 0; k < body; k += step) {
		step = chunk ? chunk : body;
		if (chunk)
			n += (size_t)sprintf((char *)s + n, "%zx\r\n", step);
		memset(s + n, 'b', step);
		n += step;
		if (chunk)
			n += (size_t)sprintf((char *)s + n, "\r\n");
	}
	if (chunk)
		n += (size_t)sprintf((char *)s + n, "0\r\n\r\n");
	k = n;
	n += (size_t)sprintf((char *)s + n, "HTTP/1.1 204 No Content\r\n\r\n");
	for (step = 0; step < 32 && (step + 1) * GL_HTTP_BUF_SIZE < n; step++)
		cuts[step] = (step + 1) * GL_HTTP_BUF_SIZE;
	gl_resp_drive(s, n, cuts, step, "G", feed_both, &same, U, fill_u, &o);
	snprintf(title, sizeof(title), "kernel = user on a %s body of 300000 bytes in %zu buffers", name, step + 1);
	result(title, same && expect(!o.bad && o.count == 2 && o.ends[0] == k && o.ends[1] == n,
				     "%u responses, ends %u %u, want %zu %zu", o.count, o.ends[0], o.ends[1], k, n));
}

static void resp_vectors(void)
{
	static __u8 s[GL_HTTP_BUF_SIZE];
	size_t i, n = 0;

	for (i = 0; i < GL_HTTP_RESP_VECTORS_N; i++) {
		const struct gl_http_resp_vector *v = &gl_http_resp_vectors[i];

		cmp_resp(v->name, (const __u8 *)v->data, v->len, v->reqs, v->len <= 200 ? 1 : 7);
	}
	/* a full buffer of pipelined responses, the last one cut */
	for (i = 0; n + 80 < sizeof(s); i++) {
		const char *r = i % 2 ? "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody"
				      : "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";

		memcpy(s + n, r, strlen(r));
		n += strlen(r);
	}
	memcpy(s + n, "HTTP/1.1 200 OK\r\nContent-Le", 27);
	cmp_resp("full buffer of pipelined responses", s, n + 27, "G", 1024);
	resp_large("Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 300000\r\n\r\n", 0);
	resp_large("chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", 0x1000);
}

int main(void)
{
	size_t i;

	if (geteuid() != 0) {
		printf("test_http_load: loads BPF programs into the kernel, needs root\n0 passed, 1 failed\n");
		return 1;
	}
	if (gl_http_want_init(&W, NULL, NULL) || gl_http_want_add(&W, "x-user", 6) < 0 ||
	    gl_http_want_add(&W, "user-agent", 10) < 0) {
		printf("want table setup failed\n0 passed, 1 failed\n");
		return 1;
	}
	if (load() == 0) {
		sk->bss->want = W;
		for (i = 0; i < GL_HTTP_VECTORS_N; i++)
			cmp_buffer(gl_http_vectors[i].name, gl_http_vectors[i].data, gl_http_vectors[i].len,
				   gl_http_vectors[i].len <= 512);
		big_vectors();
		resp_vectors();
	}
	http_load_bpf__destroy(sk);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
