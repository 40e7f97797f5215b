// SPDX-License-Identifier: Apache-2.0
/*
 * Unit tests of the HTTP/1.x parser (bpf/lib/http.h), compiled for userspace
 * from the same source the BPF programs include. One line per case, then
 * "N passed, M failed"; exit status 1 on any failure.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/http.h"
#include "http_slow.h"
#include "../cases.h"

static __u8 B[GL_HTTP_BUF_SIZE];	/* the parse buffer, as in the kernel */
static __u8 B2[GL_HTTP_BUF_SIZE];	/* a second buffer: the next send() */
static struct gl_http_want W;



static size_t put(const char *s)
{
	size_t n = strlen(s);

	memset(B, 0, sizeof(B));
	memcpy(B, s, n);
	return n;
}

static int span_is(const __u8 *buf, struct gl_http_span s, const char *want)
{
	size_t n = strlen(want);

	return s.len == n && memcmp(buf + s.off, want, n) == 0;
}

static int espan(struct gl_http_span s, const char *want, const char *what)
{
	return expect(span_is(B, s, want), "%s is '%.*s', want '%s'", what, s.len,
		      (const char *)B + s.off, want);
}

/* the parser, checked against its byte-by-byte build (tests/http/http_slow.c) */
static int parse_head(const __u8 *buf, __u32 off, __u32 len, struct gl_http_head *h)
{
	struct gl_http_head slow;
	int r = gl_http_parse_head(buf, off, len, &W, h);
	int rs = gl_http_parse_head_slow(buf, off, len, &W, &slow);

	expect(r == rs && !memcmp(h, &slow, sizeof(slow)),
	       "fast path and byte path differ at %u/%u: %d vs %d", off, len, r, rs);
	return r;
}

/* parse the head at off of the request in B; checks the expected return */
static int parse(size_t len, __u32 off, struct gl_http_head *h, int want)
{
	int r = parse_head(B, off, (__u32)len, h);

	return expect(r == want, "parse returned %d (%s, reason %s), want %d", r,
		      gl_http_err_name(r), gl_http_reason_name(h->reason), want);
}

static int emalformed(const char *req, unsigned int reason, int code)
{
	struct gl_http_head h;
	size_t n = put(req);
	int r = parse_head(B, 0, (__u32)n, &h);

	return expect(r == code && h.reason == reason, "got %d reason %s, want %d reason %s", r,
		      gl_http_reason_name(h.reason), code, gl_http_reason_name(reason));
}

static int same_head(const struct gl_http_head *a, const struct gl_http_head *b)
{
	return memcmp(a, b, offsetof(struct gl_http_head, scan)) == 0;
}

/* ---- bytes and hashes ---- */

static __u32 fnv_of(const char *s)
{
	size_t n = put(s);

	return gl_http_fnv1a32(B, gl_http_span_of(0, (__u32)n));
}

static void t_fnv(void)
{
	result("fnv1a32 \"\" = 0x811c9dc5", expect(fnv_of("") == 0x811c9dc5u, "0x%08x", fnv_of("")));
	result("fnv1a32 \"a\" = 0xe40c292c", expect(fnv_of("a") == 0xe40c292cu, "0x%08x", fnv_of("a")));
	result("fnv1a32 \"foobar\" = 0xbf9cf968",
	       expect(fnv_of("foobar") == 0xbf9cf968u, "0x%08x", fnv_of("foobar")));
}

static void t_tchar(void)
{
	int c, ok = 1;

	for (c = 0; c < 256; c++) {
		int want = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
			   (c >= 'A' && c <= 'Z') || (c && strchr("!#$%&'*+-.^_`|~", c));

		ok &= expect(gl_http_is_tchar((__u8)c) == want, "byte 0x%02x", c);
	}
	result("token character bitmaps", ok);
}

/* ---- classification ---- */

static int classify_is(const char *s, size_t n, int want)
{
	int r;

	memset(B, 0, sizeof(B));
	memcpy(B, s, n);
	r = gl_http_classify(B, 0, (__u32)n);
	return expect(r == want, "classify('%.*s') = %d, want %d", (int)n, s, r, want);
}

static void t_classify(void)
{
	static const char h2[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
	static const char *const methods[] = {
		"GET ", "HEAD ", "POST ", "PUT ", "DELETE ", "OPTIONS ", "PATCH ", "TRACE ", "CONNECT ",
	};
	size_t i, k;
	int ok = 1;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		ok &= classify_is(methods[i], strlen(methods[i]), GL_HTTP_PROTO_HTTP1);
		for (k = 1; k < strlen(methods[i]); k++)	/* every proper prefix: undecided */
			ok &= classify_is(methods[i], k, GL_HTTP_E_INCOMPLETE);
	}
	result("classify: every method, and every prefix of one is incomplete", ok);
	result("classify: TLS ClientHello 16 03 01", classify_is("\x16\x03\x01\x02\x00", 5, GL_HTTP_PROTO_TLS));
	result("classify: TLS needs two bytes", classify_is("\x16", 1, GL_HTTP_E_INCOMPLETE));
	result("classify: 16 01 is other", classify_is("\x16\x01", 2, GL_HTTP_PROTO_OTHER));
	result("classify: HTTP/2 preface", classify_is(h2, 24, GL_HTTP_PROTO_H2));
	ok = 1;
	for (k = 1; k < 24; k++)
		ok &= classify_is(h2, k, GL_HTTP_E_INCOMPLETE);
	result("classify: every prefix of the HTTP/2 preface is incomplete", ok);
	result("classify: HTTP/1 request line with PRI is HTTP/1 (an extension method)",
	       classify_is("PRI * HTTP/1.1\r\n\r\n", 18, GL_HTTP_PROTO_HTTP1));
	result("classify: garbage is other", classify_is("\x00\x01garbage", 9, GL_HTTP_PROTO_OTHER));
	result("classify: SSH banner is other", classify_is("SSH-2.0-OpenSSH\r\n", 17, GL_HTTP_PROTO_OTHER));
	result("classify: lowercase method is a token: HTTP/1", classify_is("get / HTTP/1.1\r\n", 16, GL_HTTP_PROTO_HTTP1));
	result("classify: PROPFIND is HTTP/1", classify_is("PROPFIND / HTTP/1.1\r\n", 21, GL_HTTP_PROTO_HTTP1));
	result("classify: GETX is a token: HTTP/1", classify_is("GETX / HTTP/1.1", 15, GL_HTTP_PROTO_HTTP1));
	result("classify: a token still without its SP is incomplete", classify_is("PROPFIN", 7, GL_HTTP_E_INCOMPLETE));
	result("classify: a token longer than GL_HTTP_METHOD_MAX is other",
	       classify_is("ABCDEFGHIJKLMNOPQRSTUVWXYZ / HTTP/1.1", 37, GL_HTTP_PROTO_OTHER));
	result("classify: a token then CR is other", classify_is("PING\r\n", 6, GL_HTTP_PROTO_OTHER));
	result("classify: no bytes is incomplete", classify_is("", 0, GL_HTTP_E_INCOMPLETE));
	result("classify: MySQL greeting is other", classify_is("\x4a\x00\x00\x00\x0a", 5, GL_HTTP_PROTO_OTHER));
}

/* ---- request heads ---- */

static void t_simple_get(void)
{
	struct gl_http_head h;
	size_t n = put("GET /a/b?x=1&y=2 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: t\r\n\r\n");
	int ok = parse(n, 0, &h, (int)n);

	ok = ok && expect(h.method == GL_HTTP_M_GET, "method %u", h.method) &&
	     espan(h.meth, "GET", "method") && espan(h.target, "/a/b?x=1&y=2", "target") &&
	     espan(h.path, "/a/b", "path") && espan(h.query, "x=1&y=2", "query") &&
	     expect(h.flags & GL_HTTP_HF_QUERY, "query flag") &&
	     expect(h.version == GL_HTTP_V11, "version %u", h.version) &&
	     expect(h.line_end == 27, "line_end %u", h.line_end) &&
	     expect(h.end == n && h.start == 0, "end %u", h.end) &&
	     expect(h.nfields == 2, "nfields %u", h.nfields) &&
	     espan(h.field[GL_HTTP_SLOT_HOST].value, "example.com", "host") &&
	     espan(h.field[GL_HTTP_SLOT_HOST].line, "Host: example.com\r\n", "host line") &&
	     expect(h.field[GL_HTTP_SLOT_RULE + 1].count == 1, "user-agent count") &&
	     espan(h.field[GL_HTTP_SLOT_RULE + 1].value, "t", "user-agent") &&
	     expect(h.framing == GL_HTTP_FRAME_NONE, "framing %u", h.framing) &&
	     expect(h.nlabels == 0 && h.field[GL_HTTP_SLOT_COOKIE].count == 0, "no label, no cookie");
	result("simple GET: method, target, path, query, version, host, end", ok);
}

static void t_methods(void)
{
	static const struct {
		const char *name;
		int id;
	} m[] = {
		{ "GET", GL_HTTP_M_GET }, { "HEAD", GL_HTTP_M_HEAD }, { "POST", GL_HTTP_M_POST },
		{ "PUT", GL_HTTP_M_PUT }, { "DELETE", GL_HTTP_M_DELETE },
		{ "OPTIONS", GL_HTTP_M_OPTIONS }, { "PATCH", GL_HTTP_M_PATCH },
		{ "TRACE", GL_HTTP_M_TRACE }, { "CONNECT", GL_HTTP_M_CONNECT },
		{ "PROPFIND", GL_HTTP_M_OTHER }, { "MKCOL", GL_HTTP_M_OTHER }, { "BREW", GL_HTTP_M_OTHER },
		{ "get", GL_HTTP_M_OTHER }, { "GETX", GL_HTTP_M_OTHER }, { "PUTS", GL_HTTP_M_OTHER },
		{ "BASELINE-CONTROL", GL_HTTP_M_OTHER }, { "ABCDEFGHIJKLMNOPQRSTUVWX", GL_HTTP_M_OTHER },
	};
	char req[128], name[64];
	size_t i, n;

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		struct gl_http_head h;
		int ok;

		snprintf(req, sizeof(req), "%s /x HTTP/1.1\r\nHost: h\r\n\r\n", m[i].name);
		n = put(req);
		ok = parse(n, 0, &h, (int)n) && expect(h.method == m[i].id, "id %u", h.method) &&
		     espan(h.meth, m[i].name, "method") && espan(h.path, "/x", "path");
		snprintf(name, sizeof(name), "method %s", m[i].name);
		result(name, ok);
	}
}

static void t_versions(void)
{
	struct gl_http_head h;
	size_t n = put("GET / HTTP/1.0\r\n\r\n");

	result("HTTP/1.0 without headers", parse(n, 0, &h, (int)n) &&
	       expect(h.version == GL_HTTP_V10, "version %u", h.version) && espan(h.path, "/", "path") &&
	       expect(h.line_end == n - 2, "line_end %u", h.line_end));
	result("HTTP/1.2 is malformed", emalformed("GET / HTTP/1.2\r\n\r\n", GL_HTTP_R_VERSION, GL_HTTP_E_MALFORMED));
	result("HTTP/2.0 request line is malformed",
	       emalformed("GET / HTTP/2.0\r\n\r\n", GL_HTTP_R_VERSION, GL_HTTP_E_MALFORMED));
	result("lowercase http/1.1 is malformed", emalformed("GET / http/1.1\r\n\r\n", GL_HTTP_R_VERSION, GL_HTTP_E_MALFORMED));
	result("HTTP/0.9 request line is malformed", emalformed("GET /\r\n\r\n", GL_HTTP_R_VERSION, GL_HTTP_E_MALFORMED));
	result("long version is malformed",
	       emalformed("GET / HTTP/1.10000\r\n\r\n", GL_HTTP_R_VERSION, GL_HTTP_E_MALFORMED));
}

static void t_case_and_trim(void)
{
	struct gl_http_head h;
	size_t n = put("GET / HTTP/1.1\r\nhOsT: a.b\r\ncOnTeNt-LeNgTh: 0\r\nX-USER: Bob\r\n\r\n");
	int ok;

	ok = parse(n, 0, &h, (int)n) && espan(h.field[GL_HTTP_SLOT_HOST].value, "a.b", "host") &&
	     expect(h.framing == GL_HTTP_FRAME_LENGTH && h.content_length == 0, "cl") &&
	     espan(h.field[GL_HTTP_SLOT_RULE].value, "Bob", "x-user");
	result("header names are case-insensitive, values kept as sent", ok);

	n = put("GET / HTTP/1.1\r\nHost: \t a.b \t \r\nX-User:\t\r\nCookie:a=1\r\n\r\n");
	ok = parse(n, 0, &h, (int)n) && espan(h.field[GL_HTTP_SLOT_HOST].value, "a.b", "host") &&
	     expect(h.field[GL_HTTP_SLOT_RULE].count == 1, "x-user seen") &&
	     expect(h.field[GL_HTTP_SLOT_RULE].value.len == 0, "x-user empty") &&
	     espan(h.field[GL_HTTP_SLOT_COOKIE].value, "a=1", "cookie") &&
	     espan(h.field[GL_HTTP_SLOT_HOST].line, "Host: \t a.b \t \r\n", "host line");
	result("value blanks trimmed, empty value, no blank after colon", ok);

	n = put("GET / HTTP/1.1\r\nCookie: a=1\r\nX-A: b\r\ncookie:  b=2 \r\nCOOKIE:\r\n\r\n");
	ok = parse(n, 0, &h, (int)n) && expect(h.ncookies == 3, "ncookies %u", h.ncookies) &&
	     espan(h.cookie_line[0], "a=1", "first cookie line") &&
	     espan(h.cookie_line[1], "b=2", "second cookie line, trimmed") &&
	     expect(h.cookie_line[2].len == 0, "third cookie line empty") &&
	     espan(h.field[GL_HTTP_SLOT_COOKIE].value, "a=1", "cookie field: the first line");
	result("every Cookie line's value recorded, in order", ok);

	n = put("GET / HTTP/1.1\r\nCookie: 1\r\nCookie: 2\r\nCookie: 3\r\nCookie: 4\r\n"
		"Cookie: 5\r\nCookie: 6\r\nCookie: 7\r\nCookie: 8\r\nCookie: 9\r\nCookie: 10\r\n\r\n");
	ok = parse(n, 0, &h, (int)n) &&
	     expect(h.ncookies == GL_HTTP_COOKIE_LINES_MAX + 1, "ncookies %u", h.ncookies) &&
	     espan(h.cookie_line[GL_HTTP_COOKIE_LINES_MAX - 1], "8", "the last line recorded");
	result("over GL_HTTP_COOKIE_LINES_MAX Cookie lines: the count says more, the head parses", ok);

	n = put("GET / HTTP/1.1\r\nX-Note: a  b\tc\r\n\r\n");
	ok = parse(n, 0, &h, (int)n);
	result("blanks inside a value are kept, unwanted header ignored",
	       ok && expect(h.nfields == 1, "nfields %u", h.nfields));
}

/* the head must be INCOMPLETE for every prefix shorter than its end, and the same after */
static int split_everywhere(const char *req, int *end_out)
{
	struct gl_http_head full, h;
	size_t n = put(req), k;
	int end = parse_head(B, 0, (__u32)n, &full), ok = 1;

	ok &= expect(end > 0, "full parse %d (%s)", end, gl_http_reason_name(full.reason));
	for (k = 0; ok && k < n; k++) {
		int r = parse_head(B, 0, (__u32)k, &h);

		if ((int)k < end)
			ok &= expect(r == GL_HTTP_E_INCOMPLETE, "prefix %zu: %d", k, r);
		else
			ok &= expect(r == end && same_head(&h, &full), "prefix %zu: %d differs", k, r);
	}
	if (end_out)
		*end_out = end;
	return ok;
}

static void t_splits(void)
{
	result("simple GET split at every byte",
	       split_everywhere("GET /a?b=c HTTP/1.1\r\nHost: x\r\n\r\n", NULL));
	result("rich head split at every byte",
	       split_everywhere("POST http://ex.com:80/p/q?x=%20&y HTTP/1.1\r\nHost: ex.com:80\r\n"
				"Cookie: s=1; t=2\r\nX-Opensergo-Traffic: gray\r\nx-mse-tag: blue\r\n"
				"Content-Length: 5\r\nConnection: keep-alive\r\nX-User: u\r\n\r\nhello", NULL));
	result("chunked head split at every byte",
	       split_everywhere("PUT /c HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", NULL));
}

static void t_sizes(void)
{
	static char req[GL_HTTP_BUF_SIZE + 1];
	struct gl_http_head h;
	size_t n, pre;
	int ok;

	/* "GET / HTTP/1.1\r\nX-Pad: " + pad + "\r\n\r\n" == GL_HTTP_HEAD_MAX */
	pre = strlen("GET / HTTP/1.1\r\nX-Pad: ");
	memset(req, 0, sizeof(req));
	strcpy(req, "GET / HTTP/1.1\r\nX-Pad: ");
	memset(req + pre, 'p', GL_HTTP_HEAD_MAX - pre - 4);
	strcat(req, "\r\n\r\n");
	n = put(req);
	ok = expect(n == GL_HTTP_HEAD_MAX, "built %zu", n) && parse(n, 0, &h, GL_HTTP_HEAD_MAX) &&
	     parse(n - 1, 0, &h, GL_HTTP_E_INCOMPLETE);
	result("8 KiB head (exactly GL_HTTP_HEAD_MAX) parses; one byte less is incomplete", ok);

	/* one byte more: too large once GL_HTTP_HEAD_MAX bytes are there */
	memset(req, 0, sizeof(req));
	strcpy(req, "GET / HTTP/1.1\r\nX-Pad: ");
	memset(req + pre, 'p', GL_HTTP_HEAD_MAX - pre - 3);
	strcat(req, "\r\n\r\n");
	n = put(req);
	ok = parse(n, 0, &h, GL_HTTP_E_TOO_LARGE) &&
	     expect(h.reason == GL_HTTP_R_HEAD_TOO_LARGE, "reason %s", gl_http_reason_name(h.reason)) &&
	     parse(GL_HTTP_HEAD_MAX - 1, 0, &h, GL_HTTP_E_INCOMPLETE) &&
	     parse(GL_HTTP_HEAD_MAX, 0, &h, GL_HTTP_E_TOO_LARGE);
	result("head of GL_HTTP_HEAD_MAX + 1 is too large", ok);

	/* a long request line without end, and a full buffer of it */
	memset(req, 0, sizeof(req));
	strcpy(req, "GET /");
	memset(req + 5, 'a', GL_HTTP_BUF_SIZE - 5);
	n = put(req);
	ok = expect(n == GL_HTTP_BUF_SIZE, "built %zu", n) && parse(n, 0, &h, GL_HTTP_E_TOO_LARGE) &&
	     parse(4000, 0, &h, GL_HTTP_E_INCOMPLETE);
	result("request line longer than the bound is too large; shorter prefix incomplete", ok);

	/* a maximal head that starts late in the buffer: bytes after the buffer are not there */
	n = put("GET / HTTP/1.1\r\n");
	ok = parse(n, 0, &h, GL_HTTP_E_INCOMPLETE) &&
	     expect(parse_head(B, 20, 10, &h) == GL_HTTP_E_INCOMPLETE, "off beyond len");
	result("head without its empty line is incomplete", ok);
}

static void t_field_limits(void)
{
	static char req[GL_HTTP_BUF_SIZE];
	struct gl_http_head h;
	size_t n;
	int i, ok;

	/* no bound on the number of lines: a head of 8 KiB of "A: b" lines parses */
	strcpy(req, "GET / HTTP/1.1\r\n");
	for (i = 0; i < (GL_HTTP_HEAD_MAX - 18) / 6; i++)
		strcat(req, "A: b\r\n");
	strcat(req, "\r\n");
	n = put(req);
	ok = parse(n, 0, &h, (int)n) &&
	     expect(h.nfields == (GL_HTTP_HEAD_MAX - 18) / 6, "nfields %u", h.nfields);
	result("1 362 header lines (8 KiB) parse: no line bound within GL_HTTP_HEAD_MAX", ok);
}

static void t_labels(void)
{
	struct gl_http_head h;
	size_t n;
	int ok;

	n = put("GET / HTTP/1.1\r\nx-opensergo-traffic: gray\r\nHost: h\r\nX-Mse-Tag:  blue \r\n"
		"X-OPENSERGO-TRAFFIC: red\r\n\r\n");
	ok = parse(n, 0, &h, (int)n) && expect(h.nlabels == 3, "nlabels %u", h.nlabels) &&
	     expect(h.label_alias == 2, "alias bits 0x%x", h.label_alias) &&
	     espan(h.label_line[0], "x-opensergo-traffic: gray\r\n", "line 0") &&
	     espan(h.label_line[1], "X-Mse-Tag:  blue \r\n", "line 1") &&
	     espan(h.label_line[2], "X-OPENSERGO-TRAFFIC: red\r\n", "line 2") &&
	     espan(h.field[GL_HTTP_SLOT_LABEL].value, "gray", "label") &&
	     expect(h.field[GL_HTTP_SLOT_LABEL].count == 2, "label count") &&
	     espan(h.field[GL_HTTP_SLOT_LABEL_ALIAS].value, "blue", "alias");
	result("propagation header: every line, alias marked, first values", ok);

	n = put("GET / HTTP/1.1\r\nx-mse-tag: a\r\nx-mse-tag: b\r\nx-mse-tag: c\r\nx-mse-tag: d\r\n"
		"x-opensergo-traffic: e\r\n\r\n");
	result("more propagation lines than GL_HTTP_LABEL_LINES_MAX is too large",
	       parse(n, 0, &h, GL_HTTP_E_TOO_LARGE) &&
	       expect(h.reason == GL_HTTP_R_TOO_MANY_LABELS, "reason %s", gl_http_reason_name(h.reason)));

	{
		struct gl_http_want w = W;

		gl_http_want_init(&W, "x-lane", "");
		n = put("GET / HTTP/1.1\r\nX-Lane: gray\r\nx-opensergo-traffic: no\r\nx-mse-tag: no\r\n\r\n");
		ok = parse(n, 0, &h, (int)n) && expect(h.nlabels == 1, "nlabels %u", h.nlabels) &&
		     espan(h.field[GL_HTTP_SLOT_LABEL].value, "gray", "label") &&
		     expect(h.field[GL_HTTP_SLOT_LABEL_ALIAS].count == 0, "no alias");
		W = w;
	}
	result("configured propagation header name, no alias", ok);
}

static void t_insert_point(void)
{
	static char req[256];
	struct gl_http_head h, h2;
	size_t n = put("GET /p HTTP/1.1\r\nHost: h\r\n\r\n");
	int ok = parse(n, 0, &h, (int)n);

	/* what bpf_msg_push_data at line_end and a write would make */
	memcpy(req, B, h.line_end);
	strcpy(req + h.line_end, "x-opensergo-traffic: gray\r\n");
	strcat(req, (const char *)B + h.line_end);
	n = put(req);
	ok = ok && parse(n, 0, &h2, (int)n) && expect(h2.nlabels == 1, "nlabels") &&
	     espan(h2.field[GL_HTTP_SLOT_LABEL].value, "gray", "label") &&
	     espan(h2.field[GL_HTTP_SLOT_HOST].value, "h", "host");
	result("a header inserted at line_end is well-formed", ok);
}

static void t_targets(void)
{
	struct gl_http_head h;
	size_t n;

	n = put("GET http://ex.com:8080/a/b?q=1 HTTP/1.1\r\n\r\n");
	result("absolute-form: path and query without scheme and authority",
	       parse(n, 0, &h, (int)n) && espan(h.path, "/a/b", "path") && espan(h.query, "q=1", "query") &&
	       espan(h.target, "http://ex.com:8080/a/b?q=1", "target") &&
	       espan(h.authority, "ex.com:8080", "authority"));
	n = put("GET http://ex.com?q HTTP/1.1\r\n\r\n");
	result("absolute-form without path: empty path",
	       parse(n, 0, &h, (int)n) && espan(h.path, "", "path") && espan(h.query, "q", "query") &&
	       espan(h.authority, "ex.com", "authority"));
	n = put("GET http://gray.example HTTP/1.1\r\nHost: base.example\r\n\r\n");
	result("absolute-form without path or query: the authority up to the SP",
	       parse(n, 0, &h, (int)n) && espan(h.authority, "gray.example", "authority"));
	n = put("GET /a HTTP/1.1\r\nHost: h\r\n\r\n");
	result("origin-form: no authority", parse(n, 0, &h, (int)n) && espan(h.authority, "", "authority"));
	n = put("CONNECT ex.com:443 HTTP/1.1\r\nHost: ex.com:443\r\n\r\n");
	result("authority-form (CONNECT): no path",
	       parse(n, 0, &h, (int)n) && espan(h.path, "", "path") && espan(h.target, "ex.com:443", "target"));
	n = put("OPTIONS * HTTP/1.1\r\n\r\n");
	result("asterisk-form", parse(n, 0, &h, (int)n) && espan(h.path, "*", "path"));
	n = put("GET /p? HTTP/1.1\r\n\r\n");
	result("empty query is flagged",
	       parse(n, 0, &h, (int)n) && espan(h.path, "/p", "path") && espan(h.query, "", "query") &&
	       expect(h.flags & GL_HTTP_HF_QUERY, "flag"));
	n = put("GET /p?a=1?b=2 HTTP/1.1\r\n\r\n");
	result("query keeps a second '?'", parse(n, 0, &h, (int)n) && espan(h.query, "a=1?b=2", "query"));
	n = put("GET /p%20q/\xc3\xa9 HTTP/1.1\r\n\r\n");
	result("path bytes kept raw (percent, UTF-8)",
	       parse(n, 0, &h, (int)n) && espan(h.path, "/p%20q/\xc3\xa9", "path") &&
	       expect(!(h.flags & GL_HTTP_HF_QUERY), "no query"));
}

static void t_malformed(void)
{
	result("bare LF line end", emalformed("GET / HTTP/1.1\nHost: h\n\n", GL_HTTP_R_LINE_END, GL_HTTP_E_MALFORMED));
	result("bare LF after a header", emalformed("GET / HTTP/1.1\r\nHost: h\n\r\n", GL_HTTP_R_LINE_END, GL_HTTP_E_MALFORMED));
	result("CR without LF", emalformed("GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n", GL_HTTP_R_LINE_END, GL_HTTP_E_MALFORMED));
	result("obs-fold", emalformed("GET / HTTP/1.1\r\nX-A: b\r\n c\r\n\r\n", GL_HTTP_R_OBS_FOLD, GL_HTTP_E_MALFORMED));
	result("blank before colon", emalformed("GET / HTTP/1.1\r\nHost : h\r\n\r\n", GL_HTTP_R_FIELD_NAME, GL_HTTP_E_MALFORMED));
	result("empty field name", emalformed("GET / HTTP/1.1\r\n: h\r\n\r\n", GL_HTTP_R_FIELD_NAME, GL_HTTP_E_MALFORMED));
	result("line without colon", emalformed("GET / HTTP/1.1\r\nHost\r\n\r\n", GL_HTTP_R_FIELD_NAME, GL_HTTP_E_MALFORMED));
	result("control byte in a value", emalformed("GET / HTTP/1.1\r\nX: a\x01" "b\r\n\r\n", GL_HTTP_R_FIELD_VALUE, GL_HTTP_E_MALFORMED));
	result("DEL in a value", emalformed("GET / HTTP/1.1\r\nX: a\x7f\r\n\r\n", GL_HTTP_R_FIELD_VALUE, GL_HTTP_E_MALFORMED));
	result("tab in the target", emalformed("GET /a\tb HTTP/1.1\r\n\r\n", GL_HTTP_R_TARGET, GL_HTTP_E_MALFORMED));
	{
		struct gl_http_head h;
		static const char req[] = "GET /a\0b HTTP/1.1\r\n\r\n";

		memset(B, 0, sizeof(B));
		memcpy(B, req, sizeof(req) - 1);
		result("NUL byte in the target", parse(sizeof(req) - 1, 0, &h, GL_HTTP_E_MALFORMED) &&
		       expect(h.reason == GL_HTTP_R_TARGET, "reason %s", gl_http_reason_name(h.reason)));
	}
	result("two spaces after the method", emalformed("GET  / HTTP/1.1\r\n\r\n", GL_HTTP_R_TARGET, GL_HTTP_E_MALFORMED));
	result("two spaces before the version", emalformed("GET /  HTTP/1.1\r\n\r\n", GL_HTTP_R_VERSION, GL_HTTP_E_MALFORMED));
	result("method with a non-token byte", emalformed("BR{W /pot HTTP/1.1\r\n\r\n", GL_HTTP_R_METHOD, GL_HTTP_E_MALFORMED));
	result("method of 25 bytes", emalformed("ABCDEFGHIJKLMNOPQRSTUVWXY /pot HTTP/1.1\r\n\r\n", GL_HTTP_R_METHOD,
						  GL_HTTP_E_MALFORMED));
	result("duplicate Host", emalformed("GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n", GL_HTTP_R_HOST_DUP, GL_HTTP_E_MALFORMED));
	result("malformed is reported before the head is complete",
	       emalformed("GET / HTTP/1.1\r\nBad Name: x", GL_HTTP_R_FIELD_NAME, GL_HTTP_E_MALFORMED));
}

static void t_content_length(void)
{
	struct gl_http_head h;
	size_t n;

	n = put("POST / HTTP/1.1\r\nContent-Length: 0042\r\n\r\n");
	result("Content-Length with leading zeros",
	       parse(n, 0, &h, (int)n) && expect(h.framing == GL_HTTP_FRAME_LENGTH && h.content_length == 42,
						  "cl %llu", (unsigned long long)h.content_length));
	n = put("POST / HTTP/1.1\r\nContent-Length: 7, 7 ,7\r\nContent-Length: 7\r\n\r\n");
	result("Content-Length list and repeats of one value",
	       parse(n, 0, &h, (int)n) && expect(h.content_length == 7, "cl"));
	n = put("POST / HTTP/1.1\r\nContent-Length: 999999999999999999\r\n\r\n");
	result("Content-Length of 18 digits",
	       parse(n, 0, &h, (int)n) && expect(h.content_length == 999999999999999999ull, "cl"));
	result("Content-Length of 19 digits is malformed",
	       emalformed("POST / HTTP/1.1\r\nContent-Length: 1000000000000000000\r\n\r\n", GL_HTTP_R_CL_TOO_BIG, GL_HTTP_E_MALFORMED));
	result("Content-Length values differ", emalformed("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
							   GL_HTTP_R_CL_MISMATCH, GL_HTTP_E_MALFORMED));
	result("Content-Length list differs", emalformed("POST / HTTP/1.1\r\nContent-Length: 5, 6\r\n\r\n",
							  GL_HTTP_R_CL_MISMATCH, GL_HTTP_E_MALFORMED));
	{
		static const char *const bad[] = { "abc", "-1", "+5", "1 2", "", "5,", ",5", "0x10", "5;" };
		char req[128], name[96];
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			snprintf(req, sizeof(req), "POST / HTTP/1.1\r\nContent-Length: %s\r\n\r\n", bad[i]);
			snprintf(name, sizeof(name), "invalid Content-Length '%s'", bad[i]);
			result(name, emalformed(req, GL_HTTP_R_CL_INVALID, GL_HTTP_E_MALFORMED));
		}
	}
}

static void t_transfer_encoding(void)
{
	struct gl_http_head h;
	size_t n;

	n = put("POST / HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n");
	result("Transfer-Encoding chunked (any case)",
	       parse(n, 0, &h, (int)n) && expect(h.framing == GL_HTTP_FRAME_CHUNKED, "framing"));
	n = put("POST / HTTP/1.1\r\nTransfer-Encoding:chunked\r\n\r\n");
	result("Transfer-Encoding:chunked without a blank",
	       parse(n, 0, &h, (int)n) && expect(h.framing == GL_HTTP_FRAME_CHUNKED, "framing"));
	result("Transfer-Encoding: x-chunked is not chunked",
	       emalformed("POST / HTTP/1.1\r\nTransfer-Encoding: x-chunked\r\n\r\n", GL_HTTP_R_TE_NOT_CHUNKED, GL_HTTP_E_MALFORMED));
	n = put("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n");
	result("Transfer-Encoding over two lines, chunked last",
	       parse(n, 0, &h, (int)n) && expect(h.framing == GL_HTTP_FRAME_CHUNKED, "framing"));
	result("Transfer-Encoding: both it and Content-Length are malformed (RFC 9112 6.1: reject)",
	       emalformed("POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
			  GL_HTTP_R_CL_AND_TE, GL_HTTP_E_MALFORMED));
	result("Transfer-Encoding not ending in chunked",
	       emalformed("POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", GL_HTTP_R_TE_NOT_CHUNKED, GL_HTTP_E_MALFORMED));
	result("Transfer-Encoding chunked then gzip on a second line",
	       emalformed("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n",
			  GL_HTTP_R_TE_NOT_CHUNKED, GL_HTTP_E_MALFORMED));
	result("Transfer-Encoding xchunked is not chunked",
	       emalformed("POST / HTTP/1.1\r\nTransfer-Encoding: xchunked\r\n\r\n", GL_HTTP_R_TE_NOT_CHUNKED, GL_HTTP_E_MALFORMED));
	result("Transfer-Encoding in HTTP/1.0",
	       emalformed("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", GL_HTTP_R_TE_HTTP10, GL_HTTP_E_MALFORMED));
}

static void t_rule_headers(void)
{
	struct gl_http_want w;
	char name[16];
	int i, r, ok = 1;

	gl_http_want_init(&w, NULL, NULL);
	ok &= expect(gl_http_want_add(&w, "X-User", 6) == GL_HTTP_SLOT_RULE, "first rule slot");
	ok &= expect(gl_http_want_add(&w, "x-user", 6) == GL_HTTP_SLOT_RULE, "same name, same slot");
	ok &= expect(gl_http_want_add(&w, "HOST", 4) == GL_HTTP_SLOT_HOST, "built-in name");
	ok &= expect(gl_http_want_add(&w, "x-opensergo-traffic", 19) == GL_HTTP_SLOT_LABEL, "label name");
	for (i = 1; i < GL_HTTP_RULE_HEADERS_MAX; i++) {
		snprintf(name, sizeof(name), "h%d", i);
		r = gl_http_want_add(&w, name, (__u32)strlen(name));
		ok &= expect(r == GL_HTTP_SLOT_RULE + i, "slot %d for %s", r, name);
	}
	ok &= expect(gl_http_want_add(&w, "one-more", 8) == GL_HTTP_E_TOO_LARGE, "table full");
	ok &= expect(gl_http_want_add(&w, "bad name", 8) == GL_HTTP_E_INVAL ||
		     gl_http_want_add(&w, "bad name", 8) == GL_HTTP_E_TOO_LARGE, "bad name refused");
	result("rule header names: slots, duplicates, built-ins, capacity", ok);

	gl_http_want_init(&w, NULL, NULL);
	result("a header name with a space is refused",
	       expect(gl_http_want_add(&w, "bad name", 8) == GL_HTTP_E_INVAL, "inval"));
}

/* ---- bodies ---- */

/* skips the body in B[off..n) fed as two buffers split at k; returns the end in the original */
static int skip_split(const struct gl_http_head *h, __u32 off, size_t n, size_t k, struct gl_http_body *b)
{
	int r;

	gl_http_body_begin(b, h);
	r = gl_http_body_skip(b, B, off, (__u32)k);
	if (r < 0)
		return r;
	if (gl_http_body_done(b))
		return r;
	/* the second send(): a new buffer holding only the rest */
	memset(B2, 0, sizeof(B2));
	memcpy(B2, B + k, n - k);
	r = gl_http_body_skip(b, B2, 0, (__u32)(n - k));
	return r < 0 ? r : r + (int)k;
}

static int body_everywhere(const char *req, const char *next, int *body_end)
{
	struct gl_http_head h;
	struct gl_http_body b, b1;
	static char all[4096];
	size_t n, k;
	int end, r1, ok = 1;

	snprintf(all, sizeof(all), "%s%s", req, next);
	n = put(all);
	end = parse_head(B, 0, (__u32)n, &h);
	if (!expect(end > 0, "head %d", end))
		return 0;
	gl_http_body_begin(&b1, &h);
	r1 = gl_http_body_skip(&b1, B, (__u32)end, (__u32)n);
	ok &= expect(r1 == (int)strlen(req) && gl_http_body_done(&b1), "one piece: %d, want %zu", r1, strlen(req));
	for (k = (size_t)end; ok && k <= n; k++) {
		int r = skip_split(&h, (__u32)end, n, k, &b);

		ok &= expect(r == r1 && gl_http_body_done(&b), "split at %zu: %d (state %u)", k, r, b.state);
	}
	/* every prefix without the rest: all consumed, not done */
	for (k = (size_t)end; ok && k < strlen(req); k++) {
		gl_http_body_begin(&b, &h);
		put(all);
		ok &= expect(gl_http_body_skip(&b, B, (__u32)end, (__u32)k) == (int)k && !gl_http_body_done(&b),
			     "prefix %zu", k);
	}
	if (body_end)
		*body_end = r1;
	return ok;
}

static void t_bodies(void)
{
	result("Content-Length body skipped exactly, split at every position",
	       body_everywhere("POST /u HTTP/1.1\r\nContent-Length: 11\r\n\r\nhello world", "GET / HTTP/1.1\r\n\r\n", NULL));
	result("chunked body split at every position",
	       body_everywhere("POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
			       "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "GET / HTTP/1.1\r\n\r\n", NULL));
	result("chunked body with extensions and trailers, split at every position",
	       body_everywhere("POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
			       "A;name=val;q=\"x y\"\r\n0123456789\r\n1 ;ext\r\nX\r\n0;last\r\n"
			       "Trailer-One: a\r\nTrailer-Two: b\t c\r\n\r\n", "DELETE /x HTTP/1.1\r\n\r\n", NULL));
	result("chunked body with hex sizes and leading zeros",
	       body_everywhere("POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
			       "0000F\r\n0123456789abcde\r\n1a\r\nabcdefghijklmnopqrstuvwxyz\r\n00\r\n\r\n", "", NULL));
	result("body without framing is empty",
	       body_everywhere("GET /a HTTP/1.1\r\nHost: h\r\n\r\n", "GET /b HTTP/1.1\r\n\r\n", NULL));
	result("Content-Length 0 body is empty",
	       body_everywhere("POST /a HTTP/1.1\r\nContent-Length: 0\r\n\r\n", "GET /b HTTP/1.1\r\n\r\n", NULL));
}

static int body_error(const char *req, int code, unsigned int reason)
{
	struct gl_http_head h;
	struct gl_http_body b;
	size_t n = put(req);
	int end = parse_head(B, 0, (__u32)n, &h), r;

	if (!expect(end > 0, "head %d", end))
		return 0;
	gl_http_body_begin(&b, &h);
	r = gl_http_body_skip(&b, B, (__u32)end, (__u32)n);
	return expect(r == code && b.reason == reason, "got %d reason %s", r, gl_http_reason_name(b.reason)) &&
	       expect(gl_http_body_skip(&b, B, (__u32)end, (__u32)n) == code, "error is sticky");
}

#define TE_HEAD "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"

static void t_body_errors(void)
{
	static char req[GL_HTTP_BUF_SIZE];
	size_t n;

	result("chunk size not hex", body_error(TE_HEAD "x\r\n", GL_HTTP_E_MALFORMED, GL_HTTP_R_CHUNK_SIZE));
	result("chunk size line with bare LF", body_error(TE_HEAD "5\nhello\r\n", GL_HTTP_E_MALFORMED, GL_HTTP_R_CHUNK_SIZE));
	result("chunk size 0x prefix", body_error(TE_HEAD "0x5\r\n", GL_HTTP_E_MALFORMED, GL_HTTP_R_CHUNK_SIZE));
	result("chunk data without CRLF", body_error(TE_HEAD "5\r\nhelloX\r\n", GL_HTTP_E_MALFORMED, GL_HTTP_R_CHUNK_DATA_END));
	result("chunk size of 2^64", body_error(TE_HEAD "10000000000000000\r\n", GL_HTTP_E_TOO_LARGE, GL_HTTP_R_CHUNK_TOO_BIG));
	result("chunk size of 2^63 is too large",
	       body_error(TE_HEAD "8000000000000000\r\n", GL_HTTP_E_TOO_LARGE, GL_HTTP_R_CHUNK_TOO_BIG));
	{
		struct gl_http_head h;
		struct gl_http_body b;
		size_t n = put(TE_HEAD "7fffffffffffffff\r\nabc");
		int end = parse_head(B, 0, (__u32)n, &h);

		gl_http_body_begin(&b, &h);
		result("chunk size of 2^63 - 1 is accepted",
		       expect(gl_http_body_skip(&b, B, (__u32)end, (__u32)n) == (int)n &&
			      b.state == GL_HTTP_BODY_DATA && b.left == 0x7fffffffffffffffull - 3, "state %u", b.state));
	}
	result("bad trailer line", body_error(TE_HEAD "0\r\n bad\r\n\r\n", GL_HTTP_E_MALFORMED, GL_HTTP_R_TRAILER));
	result("control byte in a chunk extension", body_error(TE_HEAD "1;\x01\r\nX\r\n", GL_HTTP_E_MALFORMED, GL_HTTP_R_CHUNK_SIZE));
	strcpy(req, TE_HEAD "1;");
	n = strlen(req);
	memset(req + n, 'e', GL_HTTP_CHUNK_LINE_MAX + 1);
	strcat(req, "\r\n");
	result("chunk extension longer than GL_HTTP_CHUNK_LINE_MAX",
	       body_error(req, GL_HTTP_E_TOO_LARGE, GL_HTTP_R_CHUNK_LINE_TOO_LONG));
	strcpy(req, TE_HEAD "0\r\nT: ");
	n = strlen(req);
	memset(req + n, 't', GL_HTTP_TRAILERS_MAX + 1);
	strcat(req, "\r\n\r\n");
	result("trailers longer than GL_HTTP_TRAILERS_MAX",
	       body_error(req, GL_HTTP_E_TOO_LARGE, GL_HTTP_R_TRAILER_TOO_LARGE));
}

static void t_body_large(void)
{
	struct gl_http_head h;
	struct gl_http_body b;
	size_t n = put("POST / HTTP/1.1\r\nContent-Length: 100000\r\n\r\n0123456789");
	int end = parse_head(B, 0, (__u32)n, &h), ok, r;
	__u64 left = 100000 - 10, got;

	gl_http_body_begin(&b, &h);
	r = gl_http_body_skip(&b, B, (__u32)end, (__u32)n);
	ok = expect(r == (int)n && b.state == GL_HTTP_BODY_LENGTH && b.left == left, "first buffer");
	got = gl_http_body_advance(&b, 50000);	/* a send() the caller did not copy */
	ok &= expect(got == 50000 && b.left == left - 50000, "advance");
	got = gl_http_body_advance(&b, 1u << 20);
	ok &= expect(got == left - 50000 && gl_http_body_done(&b), "advance to the end");
	result("large Content-Length body skipped across sends without copying", ok);

	/* a chunk bigger than the buffer, then the rest in later buffers */
	n = put(TE_HEAD "4000\r\nabc");
	end = parse_head(B, 0, (__u32)n, &h);
	gl_http_body_begin(&b, &h);
	r = gl_http_body_skip(&b, B, (__u32)end, (__u32)n);
	ok = expect(r == (int)n && b.state == GL_HTTP_BODY_DATA && b.left == 0x4000 - 3, "in chunk");
	got = gl_http_body_advance(&b, 0x4000);
	ok &= expect(got == 0x4000 - 3 && b.state == GL_HTTP_BODY_DATA_CR, "chunk skipped");
	memset(B2, 0, sizeof(B2));
	memcpy(B2, "\r\n0\r\n\r\nGET", 10);
	r = gl_http_body_skip(&b, B2, 0, 10);
	ok &= expect(r == 7 && gl_http_body_done(&b), "end in the next buffer: %d", r);
	result("chunk larger than the buffer skipped across sends", ok);
}

static void t_pipeline(void)
{
	static const char *const reqs[] = {
		"GET /1 HTTP/1.1\r\nHost: h\r\n\r\n",
		"POST /2 HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc",
		"PUT /3 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nxy\r\n0\r\n\r\n",
		"HEAD /4 HTTP/1.0\r\n\r\n",
		"DELETE /5 HTTP/1.1\r\nContent-Length: 1\r\n\r\nz",
	};
	static const char *const paths[] = { "/1", "/2", "/3", "/4", "/5" };
	static char all[1024];
	struct gl_http_head h;
	struct gl_http_body b;
	size_t i, n, want = 0;
	int off = 0, ok = 1;

	all[0] = 0;
	for (i = 0; i < 5; i++)
		strcat(all, reqs[i]);
	n = put(all);
	for (i = 0; ok && i < 5; i++) {
		int end = parse_head(B, (__u32)off, (__u32)n, &h);

		ok &= expect(end > off && h.start == off, "request %zu: %d", i, end) &&
		      espan(h.path, paths[i], "path");
		gl_http_body_begin(&b, &h);
		off = gl_http_body_skip(&b, B, (__u32)end, (__u32)n);
		want += strlen(reqs[i]);
		ok &= expect(off == (int)want && gl_http_body_done(&b), "request %zu ends at %d, want %zu", i, off, want);
	}
	ok &= expect(parse_head(B, (__u32)off, (__u32)n, &h) == GL_HTTP_E_INCOMPLETE, "nothing after");
	result("five pipelined requests in one buffer", ok);
}

/* ---- lookups ---- */

static int lookup(int cookie, const char *list, const char *name, int want, const char *val)
{
	struct gl_http_span s = { 0, 0 }, v = { 0, 0 };
	__u8 nm[GL_HTTP_NAME_MAX] = { 0 };
	size_t n = put(list);
	int r;

	memcpy(nm, name, strlen(name));
	s = gl_http_span_of(0, (__u32)n);
	r = cookie ? gl_http_cookie(B, s, nm, (__u32)strlen(name), &v)
		   : gl_http_query_param(B, s, nm, (__u32)strlen(name), &v);
	if (!expect(r == want, "'%s' in '%s': %d, want %d", name, list, r, want))
		return 0;
	return r != 1 || espan(v, val, "value");
}

static void t_query(void)
{
	result("query: found", lookup(0, "a=1&uid=42&b=2", "uid", 1, "42"));
	result("query: first and last element", lookup(0, "x=1&y=2", "x", 1, "1") && lookup(0, "x=1&y=2", "y", 1, "2"));
	result("query: empty value", lookup(0, "a=&b=2", "a", 1, ""));
	result("query: key without '='", lookup(0, "debug&b=2", "debug", 1, "") && lookup(0, "b=2&debug", "debug", 1, ""));
	result("query: key is a prefix of another key", lookup(0, "ab=1&a=2", "a", 1, "2") && lookup(0, "ab=1", "a", 0, ""));
	result("query: key is a suffix of another key", lookup(0, "xa=1", "a", 0, ""));
	result("query: name in a value does not match", lookup(0, "b=a&c=a=1", "a", 0, ""));
	result("query: percent-encoding left raw",
	       lookup(0, "%61=1&a=x%20y", "a", 1, "x%20y") && lookup(0, "%61=1", "%61", 1, "1"));
	result("query: first of repeated keys wins", lookup(0, "a=1&a=2", "a", 1, "1"));
	result("query: '=' inside the value", lookup(0, "t=a=b", "t", 1, "a=b"));
	result("query: empty elements skipped", lookup(0, "&&a=1&", "a", 1, "1"));
	result("query: missing and empty query", lookup(0, "a=1", "b", 0, "") && lookup(0, "", "a", 0, ""));
	result("query: '+' left raw", lookup(0, "q=a+b", "q", 1, "a+b"));
	result("query: blanks are not trimmed", lookup(0, "a= 1&b=2", "a", 1, " 1") && lookup(0, " a=1", "a", 0, ""));
	{
		struct gl_http_span v;
		__u8 nm[GL_HTTP_NAME_MAX + 1] = { 0 };

		put("a=1");
		result("query: name longer than GL_HTTP_NAME_MAX refused",
		       expect(gl_http_query_param(B, gl_http_span_of(0, 3), nm, GL_HTTP_NAME_MAX + 1, &v) ==
			      GL_HTTP_E_TOO_LARGE, "too large") &&
		       expect(gl_http_query_param(B, gl_http_span_of(0, 3), nm, 0, &v) == 0, "empty name"));
	}
}

static void t_cookie(void)
{
	result("cookie: found", lookup(1, "a=1; session=abc; b=2", "session", 1, "abc"));
	result("cookie: blanks around names and values", lookup(1, " a = 1 ;  b=2 ", "a", 1, "1") &&
	       lookup(1, " a = 1 ;  b=2 ", "b", 1, "2"));
	result("cookie: empty value", lookup(1, "a=; b=2", "a", 1, ""));
	result("cookie: name is a prefix of another", lookup(1, "uid2=1; uid=7", "uid", 1, "7") &&
	       lookup(1, "uid2=1", "uid", 0, ""));
	result("cookie: quoted value left raw", lookup(1, "q=\"x y\"", "q", 1, "\"x y\""));
	result("cookie: names are case-sensitive", lookup(1, "Lane=gray", "lane", 0, ""));
	result("cookie: no cookie, trailing ';'", lookup(1, "", "a", 0, "") && lookup(1, "a=1;", "a", 1, "1"));
	result("cookie: value with '='", lookup(1, "t=a=b; c=1", "t", 1, "a=b"));
}

static int cmp_case(int op, const char *hay, const char *pat, int ci, int want)
{
	__u8 p[GL_HTTP_PATTERN_MAX] = { 0 };
	size_t n = put(hay);
	struct gl_http_span s = gl_http_span_of(0, (__u32)n);
	__u32 pn = (__u32)strlen(pat);
	int r;

	memcpy(p, pat, pn);
	switch (op) {
	case 0:
		r = gl_http_span_eq(B, s, p, pn, ci);
		break;
	case 1:
		r = gl_http_span_prefix(B, s, p, pn, ci);
		break;
	case 2:
		r = gl_http_span_suffix(B, s, p, pn, ci);
		break;
	default:
		r = gl_http_span_contains(B, s, p, pn, ci);
	}
	return expect(r == want, "op %d '%s' '%s' ci=%d: %d", op, hay, pat, ci, r);
}

static void t_compare(void)
{
	result("eq: exact, case, lengths", cmp_case(0, "gray", "gray", 0, 1) && cmp_case(0, "Gray", "gray", 0, 0) &&
	       cmp_case(0, "Gray", "gray", 1, 1) && cmp_case(0, "gra", "gray", 0, 0) && cmp_case(0, "", "", 0, 1));
	result("prefix", cmp_case(1, "/api/v1/x", "/api/", 0, 1) && cmp_case(1, "/ap", "/api/", 0, 0) &&
	       cmp_case(1, "/API/x", "/api", 1, 1) && cmp_case(1, "x", "", 0, 1));
	result("suffix", cmp_case(2, "img.png", ".png", 0, 1) && cmp_case(2, "png", ".png", 0, 0) &&
	       cmp_case(2, "IMG.PNG", ".png", 1, 1) && cmp_case(2, "a.pngx", ".png", 0, 0));
	result("contains", cmp_case(3, "Mozilla/5.0 (iPhone)", "iPhone", 0, 1) &&
	       cmp_case(3, "aaaaab", "aab", 0, 1) && cmp_case(3, "abc", "abcd", 0, 0) &&
	       cmp_case(3, "ABC", "bc", 1, 1) && cmp_case(3, "ABC", "bc", 0, 0) && cmp_case(3, "x", "", 0, 1) &&
	       cmp_case(3, "abc", "c", 0, 1) && cmp_case(3, "abc", "a", 0, 1));
	{
		static char big[GL_HTTP_HEAD_MAX + 1];
		char pat[GL_HTTP_PATTERN_MAX + 1];

		memset(big, 'a', GL_HTTP_HEAD_MAX);
		memset(pat, 'a', GL_HTTP_PATTERN_MAX);
		pat[GL_HTTP_PATTERN_MAX - 1] = 'b';
		pat[GL_HTTP_PATTERN_MAX] = 0;
		big[GL_HTTP_HEAD_MAX - 1] = 'b';
		result("contains: worst case over 8 KiB with a 128-byte pattern",
		       cmp_case(3, big, pat, 0, 1) && cmp_case(2, big, pat, 0, 1));
	}
}

static void t_host(void)
{
	static const char *const cases[][2] = {
		{ "ex.com:8080", "ex.com" }, { "ex.com", "ex.com" }, { "[::1]:80", "[::1]" },
		{ "[::1]", "[::1]" }, { "ex.com:", "ex.com" }, { "10.0.0.1:1234567", "10.0.0.1:1234567" },
	};
	size_t i;
	int ok = 1;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = put(cases[i][0]);

		ok &= espan(gl_http_host_name(B, gl_http_span_of(0, (__u32)n)), cases[i][1], "host");
	}
	result("host without port", ok);
}

static void t_swar(void)
{
	__u64 seed = 0x9e3779b97f4a7c15ull;
	int i, k, ok = 1;

	for (i = 0; i < 200000 && ok; i++) {
		__u8 b[8];
		__u64 w;
		int less20 = 0, less21 = 0, del = 0, q = 0;

		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		w = seed;
		if (i & 1)	/* mostly printable words, as in real heads */
			w = (w & 0x3f3f3f3f3f3f3f3full) + 0x2020202020202020ull;
		if (i % 7 == 0)
			w ^= (__u64)(0x20 ^ ((w >> 8 * (i % 8)) & 0xff)) << 8 * (i % 8);
		memcpy(b, &w, 8);
		for (k = 0; k < 8; k++) {
			less20 |= b[k] < 0x20;
			less21 |= b[k] < 0x21;
			del |= b[k] == 0x7f;
			q |= b[k] == '?';
		}
		ok &= expect(!!GL_HTTP_HASLESS(w, 0x20) == less20 && !!GL_HTTP_HASLESS(w, 0x21) == less21 &&
			     !!GL_HTTP_HASBYTE(w, 0x7f) == del && !!GL_HTTP_HASBYTE(w, '?') == q,
			     "word 0x%016llx", (unsigned long long)w);
	}
	result("word tests (any byte below n, any byte equal to v) on 200000 words", ok);
}

static void t_fast_path(void)
{
	static char req[4096], val[256];
	struct gl_http_head h;
	size_t n;
	int sp, len, ok = 1;

	/* values of every length with blanks at every position, and paths with '?' anywhere */
	for (len = 1; len <= 40 && ok; len++) {
		for (sp = -1; sp < len && ok; sp++) {
			int k;

			for (k = 0; k < len; k++)
				val[k] = (char)('a' + k % 26);
			if (sp >= 0)
				val[sp] = ' ';
			val[len] = 0;
			/* the target: the same bytes with '?' where the value has its blank */
			snprintf(req, sizeof(req), "GET /%s HTTP/1.1\r\nX-User: %s\r\nUser-Agent:%s \r\n\r\n",
				 val, val, val);
			if (sp >= 0)
				req[5 + sp] = '?';
			n = put(req);
			ok &= parse(n, 0, &h, (int)n);
			if (ok) {
				const char *v = val;
				int vl = len;

				while (*v == ' ')
					v++, vl--;
				while (vl > 0 && v[vl - 1] == ' ')
					vl--;
				ok &= expect(h.field[GL_HTTP_SLOT_RULE].value.len == vl &&
					     !memcmp(B + h.field[GL_HTTP_SLOT_RULE].value.off, v, (size_t)vl) &&
					     h.field[GL_HTTP_SLOT_RULE + 1].value.len == vl &&
					     h.path.len == (sp >= 0 ? sp + 1 : len + 1) &&
					     h.query.len == (sp >= 0 ? len - sp - 1 : 0) &&
					     !!(h.flags & GL_HTTP_HF_QUERY) == (sp >= 0),
					     "len %d blank at %d", len, sp);
			}
		}
	}
	result("eight-bytes-at-once path: values and targets of every length and blank position", ok);
}

static void t_offset(void)
{
	struct gl_http_head h;
	size_t n = put("xxxxxGET /o?q HTTP/1.1\r\nHost: h\r\n\r\n");

	result("head parsed at an offset: spans are absolute",
	       parse(n, 5, &h, (int)n) && expect(h.start == 5 && h.meth.off == 5, "start") &&
	       espan(h.path, "/o", "path") && espan(h.query, "q", "query") &&
	       expect(gl_http_classify(B, 5, (__u32)n) == GL_HTTP_PROTO_HTTP1, "classify at offset"));
}

int main(void)
{
	if (gl_http_want_init(&W, NULL, NULL) ||
	    gl_http_want_add(&W, "x-user", 6) != GL_HTTP_SLOT_RULE ||
	    gl_http_want_add(&W, "user-agent", 10) != GL_HTTP_SLOT_RULE + 1) {
		printf("want table setup failed\n0 passed, 1 failed\n");
		return 1;
	}
	t_fnv();
	t_tchar();
	t_classify();
	t_simple_get();
	t_methods();
	t_versions();
	t_case_and_trim();
	t_splits();
	t_sizes();
	t_field_limits();
	t_labels();
	t_insert_point();
	t_targets();
	t_malformed();
	t_content_length();
	t_transfer_encoding();
	t_rule_headers();
	t_bodies();
	t_body_errors();
	t_body_large();
	t_pipeline();
	t_query();
	t_cookie();
	t_compare();
	t_host();
	t_swar();
	t_fast_path();
	t_offset();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
