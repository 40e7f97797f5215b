// SPDX-License-Identifier: Apache-2.0
/*
 * libFuzzer target for the HTTP/1.x parser (bpf/lib/http.h). The input is
 * the bytes a workload sends (seeds: tests/http/corpus/). Beyond crashes and
 * undefined behaviour it checks, and aborts on any violation:
 * - no byte at or beyond the valid length is read: the rest of the
 *   GL_HTTP_BUF_SIZE buffer is ASan-poisoned;
 * - classification and head parsing are stable under splitting: a prefix
 *   gives "incomplete" or the very result of the whole (the cork contract);
 * - the eight-bytes-at-once fast path changes nothing: the byte-only build
 *   (http_slow.c) gives the identical result;
 * - every span of a parsed head lies where it must, values are trimmed,
 *   recorded lines carry the wanted names, framing matches the headers;
 * - a body skipped in one buffer and in two separate buffers (two sends)
 *   ends at the same place in the same state; Content-Length bodies end
 *   exactly where the length says;
 * - query, cookie, FNV-1a and string conditions agree with naive references.
 * One in eight inputs is also repeated to fill the whole buffer, which makes
 * long pipelines and heads over the bound.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sanitizer/asan_interface.h>

#include "lib/http.h"
#include "http_slow.h"
#include "fuzz_buf.h"

static __u8 *buf, *buf2;	/* GL_HTTP_BUF_SIZE each, as the kernel's map value */
static struct gl_http_want W;

static __u32 mix(__u32 h, __u32 v)
{
	return (h ^ v) * 0x9e3779b1u;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	buf = aligned_alloc(64, GL_HTTP_BUF_SIZE);
	buf2 = aligned_alloc(64, GL_HTTP_BUF_SIZE);
	if (!buf || !buf2 || gl_http_want_init(&W, NULL, NULL) ||
	    gl_http_want_add(&W, "x-user", 6) < 0 || gl_http_want_add(&W, "user-agent", 10) < 0)
		abort();
	return 0;
}

/* ---- references ---- */

static __u8 lower(__u8 c)
{
	return c >= 'A' && c <= 'Z' ? (__u8)(c + 32) : c;
}

static int ref_cmp(const __u8 *a, const __u8 *b, size_t n, int ci)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ci ? lower(a[i]) != lower(b[i]) : a[i] != b[i])
			return 0;
	return 1;
}

static __u32 ref_fnv(const __u8 *p, size_t n)
{
	__u32 h = 0x811c9dc5u;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x01000193u;
	return h;
}

static int blank(__u8 c)
{
	return c == ' ' || c == '\t';
}

/* first element of a '&' or ';' list whose key is name: 1 with its value at *vo, *vl long */
static int ref_kv(const __u8 *b, __u32 off, __u32 len, const __u8 *name, __u32 n, __u8 sep,
		  int trim, __u32 *vo, __u32 *vl)
{
	__u32 s = off, end = off + len, i;

	for (i = off; i <= end; i++) {
		__u32 ks, ke, eq, vs, ve;

		if (i < end && b[i] != sep)
			continue;
		ks = s;
		ke = i;
		for (eq = s; eq < i && b[eq] != '='; eq++)
			;
		ke = eq;
		vs = eq < i ? eq + 1 : i;
		ve = i;
		if (trim) {
			while (ks < ke && blank(b[ks]))
				ks++;
			while (ke > ks && blank(b[ke - 1]))
				ke--;
			while (vs < ve && blank(b[vs]))
				vs++;
			while (ve > vs && blank(b[ve - 1]))
				ve--;
		}
		if (ke - ks == n && n && ref_cmp(b + ks, name, n, 0)) {
			if (eq == i) {	/* no '=': empty value right after the key */
				*vo = ke;
				*vl = 0;
			} else {	/* an empty value is reported just after the '=' */
				*vo = ve > vs ? vs : eq + 1;
				*vl = ve - vs;
			}
			return 1;
		}
		s = i + 1;
	}
	return 0;
}

/* ---- checks ---- */

/* the parser, and the same parser without its fast path: identical results */
static int parse(const __u8 *b, __u32 off, __u32 len, struct gl_http_head *h)
{
	struct gl_http_head slow;
	int r = gl_http_parse_head(b, off, len, &W, h);

	CHECK(gl_http_parse_head_slow(b, off, len, &W, &slow) == r);
	CHECK(!memcmp(h, &slow, sizeof(slow)));
	return r;
}

static void check_kv(const __u8 *b, struct gl_http_span list, const __u8 *name, __u32 n, int cookie)
{
	__u8 nm[GL_HTTP_NAME_MAX] = { 0 };
	struct gl_http_span v = { 0, 0 };
	__u32 vo = 0, vl = 0;
	int r, want;

	if (n > GL_HTTP_NAME_MAX)
		return;
	memcpy(nm, name, n);
	r = cookie ? gl_http_cookie(b, list, nm, n, &v) : gl_http_query_param(b, list, nm, n, &v);
	want = ref_kv(b, list.off, list.len, nm, n, cookie ? ';' : '&', cookie, &vo, &vl);
	CHECK(r == want);
	if (r == 1)
		CHECK(v.off == vo && v.len == vl);
}

static void check_lists(const __u8 *b, struct gl_http_span list, int cookie, __u32 seed)
{
	static const char *const names[] = { "a", "id", "uid", "lane", "x" };
	__u32 i, k, e, end = (__u32)list.off + list.len;
	int tried = 0;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		check_kv(b, list, (const __u8 *)names[i], (__u32)strlen(names[i]), cookie);
	/* the first keys of the list itself, so that found paths are taken */
	for (k = list.off; k < end && tried < 4; k = e + 1) {
		for (e = k; e < end && b[e] != (cookie ? ';' : '&'); e++)
			;
		{
			__u32 ks = k, ke = ks;

			while (cookie && ks < e && blank(b[ks]))
				ks++;
			for (ke = ks; ke < e && b[ke] != '='; ke++)
				;
			while (cookie && ke > ks && blank(b[ke - 1]))
				ke--;
			if (ke > ks)
				check_kv(b, list, b + ks, ke - ks, cookie);
			tried++;
		}
	}
	(void)seed;
}

static void check_strings(const __u8 *b, struct gl_http_span s, __u32 seed)
{
	__u8 pat[GL_HTTP_PATTERN_MAX] = { 0 };
	__u32 n, at, i;
	int ci;

	CHECK(gl_http_fnv1a32(b, s) == ref_fnv(b + s.off, s.len));
	for (i = 0; i < 3; i++) {
		seed = mix(seed, i);
		n = s.len ? seed % (s.len + 1) : 0;
		if (n > GL_HTTP_PATTERN_MAX)
			n = GL_HTTP_PATTERN_MAX;
		at = s.len - n ? s.off + (seed >> 8) % (s.len - n + 1) : s.off;
		memcpy(pat, b + at, n);
		if (i == 2 && n)
			pat[n - 1] ^= 0x20;	/* a case flip, or no match */
		ci = (int)(seed >> 20) & 1;
		CHECK(gl_http_span_eq(b, s, pat, n, ci) == (s.len == n && ref_cmp(b + s.off, pat, n, ci)));
		CHECK(gl_http_span_prefix(b, s, pat, n, ci) == (s.len >= n && ref_cmp(b + s.off, pat, n, ci)));
		CHECK(gl_http_span_suffix(b, s, pat, n, ci) ==
		      (s.len >= n && ref_cmp(b + s.off + s.len - n, pat, n, ci)));
		{
			int want = 0;
			__u32 k;

			for (k = 0; !want && k + n <= s.len; k++)
				want = ref_cmp(b + s.off + k, pat, n, ci);
			CHECK(gl_http_span_contains(b, s, pat, n, ci) == want);
		}
	}
}

static int within(struct gl_http_span s, __u32 lo, __u32 hi)
{
	return s.off >= lo && (__u32)s.off + s.len <= hi;
}

static void check_head(const __u8 *b, __u32 off, __u32 len, int r, const struct gl_http_head *h, __u32 seed)
{
	__u32 i, nlabel = 0;

	if (r < 0) {
		CHECK(r == GL_HTTP_E_INCOMPLETE || r == GL_HTTP_E_TOO_LARGE || r == GL_HTTP_E_MALFORMED);
		CHECK((r == GL_HTTP_E_INCOMPLETE) == (h->reason == GL_HTTP_R_NONE));
		if (r == GL_HTTP_E_TOO_LARGE)
			CHECK(h->reason == GL_HTTP_R_HEAD_TOO_LARGE ? len - off >= GL_HTTP_HEAD_MAX : 1);
		return;
	}
	CHECK((__u32)r > off && (__u32)r <= len && (__u32)r - off <= GL_HTTP_HEAD_MAX);
	CHECK(h->start == off && h->end == (__u32)r && h->reason == GL_HTTP_R_NONE);
	CHECK(b[r - 1] == '\n' && b[r - 2] == '\r' && b[r - 3] == '\n' && b[r - 4] == '\r');
	CHECK(h->method > GL_HTTP_M_NONE && h->method < GL_HTTP_M_MAX && h->version <= GL_HTTP_V11);
	CHECK(h->meth.off == off && b[off + h->meth.len] == ' ');
	CHECK(h->line_end > off && h->line_end <= (__u32)r && b[h->line_end - 1] == '\n');
	CHECK(within(h->target, off, h->line_end) && within(h->path, h->target.off, h->target.off + h->target.len));
	CHECK(within(h->query, h->target.off, h->target.off + h->target.len));
	CHECK(!!(h->flags & GL_HTTP_HF_QUERY) == (memchr(b + h->target.off, '?', h->target.len) != NULL));
	for (i = h->target.off; i < (__u32)h->target.off + h->target.len; i++)
		CHECK(b[i] > 0x20 && b[i] != 0x7f);
	CHECK(h->nfields <= GL_HTTP_HEAD_MAX / 4 && h->nlabels <= GL_HTTP_LABEL_LINES_MAX);
	CHECK(h->authority.len == 0 ||
	      (h->authority.off >= h->target.off &&
	       h->authority.off + h->authority.len <= h->target.off + h->target.len));
	for (i = 0; i < GL_HTTP_SLOT_MAX; i++) {
		const struct gl_http_field *f = &h->field[i];
		const struct gl_http_want_name *wn = &W.name[i];

		if (!f->count)
			continue;
		CHECK(wn->len && within(f->line, h->line_end, (__u32)r - 2));
		CHECK(within(f->value, f->line.off, (__u32)f->line.off + f->line.len - 2));
		CHECK(ref_cmp(b + f->line.off, (const __u8 *)wn->name, wn->len, 1) && b[f->line.off + wn->len] == ':');
		CHECK(b[f->line.off + f->line.len - 1] == '\n');
		if (f->value.len)
			CHECK(!blank(b[f->value.off]) && !blank(b[f->value.off + f->value.len - 1]));
		if (i == GL_HTTP_SLOT_LABEL || i == GL_HTTP_SLOT_LABEL_ALIAS)
			nlabel += f->count;
	}
	CHECK(nlabel == h->nlabels && h->field[GL_HTTP_SLOT_HOST].count <= 1);
	for (i = 0; i < h->nlabels; i++) {
		CHECK(within(h->label_line[i], h->line_end, (__u32)r - 2));
		if (i)
			CHECK(h->label_line[i].off >= h->label_line[i - 1].off + h->label_line[i - 1].len);
	}
	CHECK((h->framing == GL_HTTP_FRAME_CHUNKED) == (h->field[GL_HTTP_SLOT_TRANSFER_ENCODING].count > 0));
	CHECK((h->framing == GL_HTTP_FRAME_LENGTH) == (h->field[GL_HTTP_SLOT_CONTENT_LENGTH].count > 0));
	if (h->framing == GL_HTTP_FRAME_CHUNKED)
		CHECK(h->version == GL_HTTP_V11);

	check_lists(b, h->query, 0, seed);
	check_lists(b, h->field[GL_HTTP_SLOT_COOKIE].value, 1, seed);
	check_strings(b, h->path, seed);
	check_strings(b, h->field[GL_HTTP_SLOT_RULE + 1].value, mix(seed, 7));
	{
		struct gl_http_span host = h->field[GL_HTTP_SLOT_HOST].value, name = gl_http_host_name(b, host);

		CHECK(name.off == host.off && name.len <= host.len);
		if (name.len < host.len) {
			CHECK(b[name.off + name.len] == ':' && host.len - name.len <= 6);
			for (i = name.off + name.len + 1u; i < (__u32)host.off + host.len; i++)
				CHECK(b[i] >= '0' && b[i] <= '9');
		}
	}
}

/* a prefix of the bytes: incomplete, or exactly what the whole gives */
static void check_prefix(const __u8 *b, __u32 off, __u32 k, int r, const struct gl_http_head *h)
{
	struct gl_http_head hk;
	int rk = parse(b, off, k, &hk);

	if (rk == GL_HTTP_E_INCOMPLETE) {
		CHECK(r == GL_HTTP_E_INCOMPLETE || r > (int)k || r < 0);
		return;
	}
	CHECK(rk == r && hk.reason == h->reason);
	if (r > 0)
		CHECK(!memcmp(&hk, h, offsetof(struct gl_http_head, scan)));
}

/* the body in one buffer, and in two (the second a new buffer): same end, same state */
static int check_body(const __u8 *b, __u32 len, const struct gl_http_head *h, int end, __u32 seed)
{
	struct gl_http_body one, two;
	__u32 k = (__u32)end + seed % (len - (__u32)end + 1);
	int r1, r2;

	gl_http_body_begin(&one, h);
	r1 = gl_http_body_skip(&one, b, (__u32)end, len);
	if (r1 >= 0) {
		CHECK(r1 >= end && (__u32)r1 <= len);
		CHECK(gl_http_body_done(&one) || (__u32)r1 == len);
		if (h->framing == GL_HTTP_FRAME_LENGTH)
			CHECK(gl_http_body_done(&one) ? (__u64)(r1 - end) == h->content_length
						      : one.left == h->content_length - (len - (__u32)end));
		if (h->framing == GL_HTTP_FRAME_NONE)
			CHECK(r1 == end && gl_http_body_done(&one));
	} else {
		CHECK(one.state == GL_HTTP_BODY_ERROR && one.err == r1 && one.reason != GL_HTTP_R_NONE);
	}

	gl_http_body_begin(&two, h);
	r2 = gl_http_body_skip(&two, b, (__u32)end, k);
	if (r2 >= 0 && !gl_http_body_done(&two)) {
		CHECK((__u32)r2 == k);
		fill(buf2, b + k, len - k);
		r2 = gl_http_body_skip(&two, buf2, 0, len - k);
		if (r2 >= 0)
			r2 += (int)k;
	}
	CHECK(r2 == r1 && !memcmp(&one, &two, sizeof(one)));
	return r1 >= 0 && gl_http_body_done(&one) ? r1 : -1;
}

static void check_all(const __u8 *b, __u32 len, __u32 seed)
{
	struct gl_http_head h;
	__u32 off = 0, k, i;
	int c = gl_http_classify(b, 0, len), r;

	/* classification of a prefix: undecided or final */
	k = len ? seed % (len + 1) : 0;
	r = gl_http_classify(b, 0, k);
	CHECK(r == GL_HTTP_E_INCOMPLETE || r == c);
	CHECK(c == GL_HTTP_E_INCOMPLETE || (c >= GL_HTTP_PROTO_OTHER && c <= GL_HTTP_PROTO_H2));

	for (i = 0; i < 4096 && off < len; i++) {
		seed = mix(seed, i);
		r = parse(b, off, len, &h);
		check_head(b, off, len, r, &h, seed);
		if (r > 0 || r == GL_HTTP_E_MALFORMED || r == GL_HTTP_E_TOO_LARGE) {
			check_prefix(b, off, off + seed % (len - off + 1), r, &h);
			if (r > 0)
				check_prefix(b, off, (__u32)r - 1, r, &h);
		}
		if (r == GL_HTTP_E_MALFORMED || r == GL_HTTP_E_TOO_LARGE)
			CHECK(gl_http_classify(b, off, len) != GL_HTTP_PROTO_HTTP1 ||
			      h.reason != GL_HTTP_R_METHOD);
		if (r <= 0)
			break;
		r = check_body(b, len, &h, r, mix(seed, 3));
		if (r < 0)
			break;
		off = (__u32)r;
	}
	/* a head anywhere: the invariants hold at any offset */
	if (len) {
		off = mix(seed, 11) % len;
		r = parse(b, off, len, &h);
		check_head(b, off, len, r, &h, seed);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	__u32 len = size < GL_HTTP_BUF_SIZE ? (__u32)size : GL_HTTP_BUF_SIZE;
	__u32 seed = ref_fnv(data, size), i;

	fill(buf, data, len);
	check_all(buf, len, seed);
	if (size && (seed & 7) == 0) {
		ASAN_UNPOISON_MEMORY_REGION(buf, GL_HTTP_BUF_SIZE);
		for (i = 0; i < GL_HTTP_BUF_SIZE; i++)
			buf[i] = data[i % size];
		check_all(buf, GL_HTTP_BUF_SIZE, mix(seed, 1));
	}
	return 0;
}
