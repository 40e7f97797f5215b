// SPDX-License-Identifier: Apache-2.0
/*
 * Unit tests of the HTTP/1.x response framer (bpf/lib/http_resp.h),
 * compiled for userspace from the same source the BPF programs include.
 * Every stream is fed in one piece, in two pieces split at every position
 * and byte by byte, and must come to the same responses, end offsets and
 * final state each time. One line per case, then "N passed, M failed";
 * exit status 1 on any failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/http_resp.h"
#include "resp_drive.h"
#include "resp_slow.h"
#include "resp_vectors.h"
#include "../cases.h"

static __u8 B[GL_HTTP_BUF_SIZE];	/* one buffer (one skb), as in the kernel */
static size_t cuts[GL_HTTP_BUF_SIZE];

/* a piece at the start of the buffer; what follows it would change results if read */
static void fill(__u8 *b, const __u8 *data, size_t n)
{
	memset(b, '\n', GL_HTTP_BUF_SIZE);
	memcpy(b, data, n);
}

static const char *end_name(unsigned int e)
{
	static const char *const names[] = { "open", "opaque", "until_close", "error" };

	return e < 4 ? names[e] : "?";
}

/* a title with CR and LF written out */
static const char *shown(const char *s)
{
	static char out[256];
	size_t i = 0;

	for (; *s && i + 3 < sizeof(out); s++) {
		if (*s == '\r' || *s == '\n') {
			out[i++] = '\\';
			out[i++] = *s == '\r' ? 'r' : 'n';
		} else {
			out[i++] = *s;
		}
	}
	out[i] = 0;
	return out;
}

static int outcome_is(const struct gl_resp_outcome *o, unsigned int count, unsigned int end,
		      unsigned int reason)
{
	return expect(!o->bad, "%u breaches of the return contract", o->bad) &&
	       expect(o->count == count, "%u responses, want %u", o->count, count) &&
	       expect(o->end == end, "ends %s (rc %d, reason %s), want %s", end_name(o->end), o->rc,
		      gl_http_reason_name(o->r.reason), end_name(end)) &&
	       expect(end != GL_RESP_END_ERROR || o->r.reason == reason, "reason %s, want %s",
		      gl_http_reason_name(o->r.reason), gl_http_reason_name(reason));
}

/* the stream whole, split in two at every position, byte by byte, whole without the fast step: all alike */
static int everywhere(const char *s, size_t n, const char *reqs, struct gl_resp_outcome *whole)
{
	static struct gl_resp_outcome o;
	size_t k;
	int ok = 1;

	gl_resp_drive((const __u8 *)s, n, NULL, 0, reqs, gl_resp_feed_user, NULL, B, fill, whole);
	gl_resp_drive((const __u8 *)s, n, NULL, 0, reqs, gl_http_resp_feed_slow, NULL, B, fill, &o);
	ok &= expect(gl_resp_same(&o, whole), "the byte-only build: %u responses, rc %d, %s", o.count, o.rc,
		     end_name(o.end));
	for (k = 1; ok && k < n; k++) {
		gl_resp_drive((const __u8 *)s, n, &k, 1, reqs, gl_resp_feed_user, NULL, B, fill, &o);
		ok &= expect(gl_resp_same(&o, whole) && !o.bad, "split at %zu: %u responses, rc %d, %s", k,
			     o.count, o.rc, end_name(o.end));
	}
	for (k = 1; k < n; k++)
		cuts[k - 1] = k;
	gl_resp_drive((const __u8 *)s, n, cuts, n ? n - 1 : 0, reqs, gl_resp_feed_user, NULL, B, fill, &o);
	ok &= expect(gl_resp_same(&o, whole) && !o.bad, "byte by byte: %u responses, rc %d, %s", o.count,
		     o.rc, end_name(o.end));
	return ok;
}

/* one case: what the stream s[0, n) must come to, however it is cut */
static int stream_n(const char *s, size_t n, const char *reqs, unsigned int count, unsigned int end,
		    unsigned int reason)
{
	struct gl_resp_outcome o;

	return everywhere(s, n, reqs, &o) & outcome_is(&o, count, end, reason);
}

static int stream(const char *s, const char *reqs, unsigned int count, unsigned int end, unsigned int reason)
{
	return stream_n(s, strlen(s), reqs, count, end, reason);
}

#define OK1(name, s, reqs)	result(name, stream(s, reqs, 1, GL_RESP_END_OPEN, 0))
#define BAD(name, s, reason)	result(name, stream(s, "G", 0, GL_RESP_END_ERROR, reason))

static void t_vectors(void)
{
	char title[256];
	size_t i;

	for (i = 0; i < GL_HTTP_RESP_VECTORS_N; i++) {
		const struct gl_http_resp_vector *v = &gl_http_resp_vectors[i];
		struct gl_resp_outcome o;
		int ok = everywhere(v->data, v->len, v->reqs, &o);

		ok &= outcome_is(&o, v->count, v->end, v->reason);
		snprintf(title, sizeof(title), "'%s': %u responses, %s; whole, every split, byte by byte",
			 v->name, v->count, end_name(v->end));
		result(title, ok);
	}
}

static void t_status_line(void)
{
	OK1("HTTP/1.0 status line", "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", "G");
	OK1("empty reason phrase", "HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n", "G");
	OK1("no SP after the code, then CRLF", "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", "G");
	OK1("reason with HTAB, SP and obs-text", "HTTP/1.1 404 Not\tF\xf6und ok\r\nContent-Length: 0\r\n\r\n", "G");
	OK1("status 599", "HTTP/1.1 599 x\r\nContent-Length: 0\r\n\r\n", "G");
	BAD("HTTP/1.2", "HTTP/1.2 200 OK\r\n\r\n", GL_HTTP_R_STATUS);
	BAD("lowercase http", "http/1.1 200 OK\r\n\r\n", GL_HTTP_R_STATUS);
	BAD("two SP before the code", "HTTP/1.1  200 OK\r\n\r\n", GL_HTTP_R_STATUS);
	BAD("two-digit code", "HTTP/1.1 20 OK\r\n\r\n", GL_HTTP_R_STATUS);
	BAD("four-digit code", "HTTP/1.1 2000 OK\r\n\r\n", GL_HTTP_R_STATUS);
	BAD("code 099", "HTTP/1.1 099 x\r\n\r\n", GL_HTTP_R_STATUS);
	BAD("code 600", "HTTP/1.1 600 x\r\n\r\n", GL_HTTP_R_STATUS);
	BAD("code then a letter", "HTTP/1.1 200OK\r\n\r\n", GL_HTTP_R_STATUS);
	BAD("DEL in the reason", "HTTP/1.1 200 O\x7fK\r\n\r\n", GL_HTTP_R_STATUS);
	BAD("DEL deep in a long reason", "HTTP/1.1 200 A long reason phrase\x7f with more words\r\n\r\n",
	    GL_HTTP_R_STATUS);
	BAD("NUL deep in a long reason", "HTTP/1.1 200 A long reason phrase\x01 with more words\r\n\r\n",
	    GL_HTTP_R_STATUS);
	BAD("CR inside the code", "HTTP/1.1 20\r\n\r\n", GL_HTTP_R_STATUS);
	BAD("a request, not a response", "GET / HTTP/1.1\r\n\r\n", GL_HTTP_R_STATUS);
	BAD("bare LF after the status line", "HTTP/1.1 200 OK\n\r\n", GL_HTTP_R_LINE_END);
	BAD("CR then not LF after the status line", "HTTP/1.1 200 OK\rX\r\n\r\n", GL_HTTP_R_LINE_END);
}

static void t_fields(void)
{
	OK1("names case-insensitive", "HTTP/1.1 200 OK\r\ncOnTeNt-LeNgTh: 2\r\n\r\nab", "G");
	OK1("other headers skipped, HTAB in a value",
	    "HTTP/1.1 200 OK\r\nServer: a\tb\r\nX-Y:\r\nSet-Cookie: a=1; b=\"x y\"\r\nContent-Length: 1\r\n\r\nz", "G");
	BAD("empty field name", "HTTP/1.1 200 OK\r\n: x\r\n\r\n", GL_HTTP_R_FIELD_NAME);
	BAD("non-token byte in a name", "HTTP/1.1 200 OK\r\nContent@Length: 1\r\n\r\n", GL_HTTP_R_FIELD_NAME);
	BAD("obs-text in a name", "HTTP/1.1 200 OK\r\nX\x80: 1\r\n\r\n", GL_HTTP_R_FIELD_NAME);
	BAD("a line without colon", "HTTP/1.1 200 OK\r\nServer\r\n\r\n", GL_HTTP_R_FIELD_NAME);
	BAD("blank before the colon", "HTTP/1.1 200 OK\r\nServer : x\r\n\r\n", GL_HTTP_R_FIELD_NAME);
	BAD("obs-fold", "HTTP/1.1 200 OK\r\nServer: a\r\n\tb\r\n\r\n", GL_HTTP_R_OBS_FOLD);
	result("NUL in a skipped value", stream_n("HTTP/1.1 200 OK\r\nServer: a\0b\r\n\r\n", 32, "G", 0,
						  GL_RESP_END_ERROR, GL_HTTP_R_FIELD_VALUE));
	BAD("DEL in a skipped value", "HTTP/1.1 200 OK\r\nServer: a\x7f\r\n\r\n", GL_HTTP_R_FIELD_VALUE);
	BAD("DEL deep in a long value", "HTTP/1.1 200 OK\r\nServer: a long server name\x7f and more\r\n\r\n",
	    GL_HTTP_R_FIELD_VALUE);
	BAD("bare LF deep in a long value", "HTTP/1.1 200 OK\r\nServer: a long server name\n and more\r\n\r\n",
	    GL_HTTP_R_LINE_END);
	OK1("a long value with HTAB and obs-text",
	    "HTTP/1.1 200 OK\r\nServer: a long\tserver name \xff\xfe and more words\r\nContent-Length: 0\r\n\r\n", "G");
	BAD("bare LF in a header", "HTTP/1.1 200 OK\r\nServer: a\nContent-Length: 0\r\n\r\n", GL_HTTP_R_LINE_END);
	BAD("bare LF ends the head", "HTTP/1.1 200 OK\r\nServer: a\r\n\n", GL_HTTP_R_LINE_END);
	BAD("CR then not LF ends the head", "HTTP/1.1 200 OK\r\n\rX", GL_HTTP_R_LINE_END);
}

static void t_no_body(void)
{
	static const char cl5[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n";

	result("to HEAD: no body, counted at the end of the head", stream(cl5, "H", 1, GL_RESP_END_OPEN, 0));
	result("to GET: the same head waits for its body", stream(cl5, "G", 0, GL_RESP_END_OPEN, 0));
	OK1("204 with Content-Length: no body", "HTTP/1.1 204 No Content\r\nContent-Length: 9\r\n\r\n", "G");
	OK1("304 with Transfer-Encoding: no body", "HTTP/1.1 304 NM\r\nTransfer-Encoding: chunked\r\n\r\n", "G");
	OK1("Content-Length: 0", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", "G");
	result("to HEAD without framing: no body, not until close",
	       stream("HTTP/1.1 200 OK\r\n\r\nHTTP/1.1 200 OK\r\n\r\n", "H", 2, GL_RESP_END_OPEN, 0));
}

static void t_interim(void)
{
	static const char s[] = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";
	struct gl_resp_outcome o;
	int ok;

	ok = everywhere(s, strlen(s), "G", &o) & outcome_is(&o, 1, GL_RESP_END_OPEN, 0);
	ok &= expect(o.ends[0] == strlen(s), "ends at %u, want %zu", o.ends[0], strlen(s));
	result("100 Continue is not counted; the final response follows", ok);
	ok = everywhere(s, 25, "G", &o) & outcome_is(&o, 0, GL_RESP_END_OPEN, 0);
	result("100 alone: nothing counted, back at the start of a status line",
	       ok && expect(o.r.state == GL_RS_VERSION && o.r.hlen == 0, "state %u, hlen %u", o.r.state, o.r.hlen));
	result("1xx never has a body",
	       stream("HTTP/1.1 103 Early\r\nContent-Length: 5\r\n\r\nHTTP/1.1 204 x\r\n\r\n", "G", 1,
		      GL_RESP_END_OPEN, 0));
	result("interim responses to HEAD, then the final one",
	       stream("HTTP/1.1 102 P\r\n\r\nHTTP/1.1 100 C\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n"
		      "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx", "HG", 2, GL_RESP_END_OPEN, 0));
}

static void t_opaque(void)
{
	static const char up[] = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n";
	struct gl_http_resp r = { 0 };
	int ok;

	fill(B, (const __u8 *)up, strlen(up));
	ok = expect(gl_http_resp_feed(&r, B, 0, (__u32)strlen(up), 0) == (int)strlen(up) && r.done,
		    "101: done at the end of its head");
	ok &= expect(gl_http_resp_opaque(&r), "opaque");
	fill(B, (const __u8 *)"\r\n\n\0garbage", 11);
	ok &= expect(gl_http_resp_feed(&r, B, 3, 11, 0) == 11 && !r.done && gl_http_resp_opaque(&r),
		     "later bytes: consumed, nothing counted");
	result("101: counted, then opaque for good", ok);
	result("2xx to CONNECT: opaque",
	       stream("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nHTTP/1.1 404 x\r\n\r\n", "C", 1,
		      GL_RESP_END_OPAQUE, 0));
	result("204 to CONNECT: opaque too", stream("HTTP/1.1 204 x\r\n\r\nxx", "C", 1, GL_RESP_END_OPAQUE, 0));
	result("non-2xx to CONNECT: framed as usual",
	       stream("HTTP/1.1 403 No\r\nContent-Length: 2\r\n\r\nnoHTTP/1.1 200 Ok\r\n\r\n", "CC", 2,
		      GL_RESP_END_OPAQUE, 0));
	result("101 to CONNECT or HEAD: opaque", stream("HTTP/1.1 101 x\r\n\r\n", "H", 1, GL_RESP_END_OPAQUE, 0));
}

static void t_transfer_encoding(void)
{
	static const char body[] = "\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
	static const char *const chunked[] = {
		"chunked", "Chunked", "gzip, chunked", "gzip,chunked ", "  chunked", "chunked,",
		"gzip, , chunked, ,", "x\r\nTransfer-Encoding: chunked",
		"chunked\r\nTransfer-Encoding: ",	/* the lines are one list; empty elements do not count */
	};
	static const char *const close[] = {
		"gzip", "chunked, gzip", "chunkedx", "xchunked", "chunk ed", "chunked;q=1", "",
		"chunked\r\nTransfer-Encoding: gzip",
	};
	char s[256], title[300];
	size_t i;

	for (i = 0; i < sizeof(chunked) / sizeof(chunked[0]); i++) {
		snprintf(s, sizeof(s), "HTTP/1.1 200 OK\r\nContent-Length: 50\r\nTransfer-Encoding: %s%s", chunked[i], body);
		snprintf(title, sizeof(title), "Transfer-Encoding '%s': chunked, wins over Content-Length", shown(chunked[i]));
		result(title, stream(s, "G", 1, GL_RESP_END_OPEN, 0));
	}
	for (i = 0; i < sizeof(close) / sizeof(close[0]); i++) {
		snprintf(s, sizeof(s), "HTTP/1.1 200 OK\r\nTransfer-Encoding: %s\r\nContent-Length: 3%s", close[i], body);
		snprintf(title, sizeof(title), "Transfer-Encoding '%s': until close", shown(close[i]));
		result(title, stream(s, "G", 0, GL_RESP_END_UNTIL_CLOSE, 0));
	}
	BAD("Transfer-Encoding in HTTP/1.0", "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
	    GL_HTTP_R_TE_HTTP10);
	OK1("Transfer-Encoding in an HTTP/1.0 204: no body, no matter",
	    "HTTP/1.0 204 x\r\nTransfer-Encoding: chunked\r\n\r\n", "G");
	result("no framing: until close", stream("HTTP/1.1 200 OK\r\nServer: s\r\n\r\nabc", "G", 0,
						 GL_RESP_END_UNTIL_CLOSE, 0));
}

static void t_content_length(void)
{
	static const char big[] = "HTTP/1.1 200 OK\r\nContent-Length: 1000000000000000000\r\n\r\n";

	OK1("equal comma list", "HTTP/1.1 200 OK\r\nContent-Length: 3,3 , 3\r\n\r\nabc", "G");
	OK1("equal lines", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\ncontent-length:3\r\n\r\nabc", "G");
	OK1("leading zeros", "HTTP/1.1 200 OK\r\nContent-Length: 0000000000000000000000003\r\n\r\nabc", "G");
	result("10^18 - 1 accepted",
	       stream("HTTP/1.1 200 OK\r\nContent-Length: 999999999999999999\r\n\r\nab", "G", 0, GL_RESP_END_OPEN, 0));
	result("10^18: too large", stream(big, "G", 0, GL_RESP_END_ERROR, GL_HTTP_R_CL_TOO_BIG));
	{
		struct gl_http_resp r = { 0 };

		fill(B, (const __u8 *)big, strlen(big));
		result("10^18 is GL_HTTP_E_TOO_LARGE",
		       expect(gl_http_resp_feed(&r, B, 0, (__u32)strlen(big), 0) == GL_HTTP_E_TOO_LARGE, "rc"));
	}
	BAD("differing list", "HTTP/1.1 200 OK\r\nContent-Length: 3, 4\r\n\r\nabcd", GL_HTTP_R_CL_MISMATCH);
	BAD("differing lines", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 03\r\nContent-Length: 4\r\n\r\n",
	    GL_HTTP_R_CL_MISMATCH);
	BAD("empty", "HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n", GL_HTTP_R_CL_INVALID);
	BAD("empty element", "HTTP/1.1 200 OK\r\nContent-Length: 1,,1\r\n\r\n", GL_HTTP_R_CL_INVALID);
	BAD("sign", "HTTP/1.1 200 OK\r\nContent-Length: +1\r\n\r\n", GL_HTTP_R_CL_INVALID);
	BAD("hex", "HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n", GL_HTTP_R_CL_INVALID);
	BAD("two numbers", "HTTP/1.1 200 OK\r\nContent-Length: 1 1\r\n\r\n", GL_HTTP_R_CL_INVALID);
	BAD("checked under Transfer-Encoding too",
	    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: x\r\n\r\n", GL_HTTP_R_CL_INVALID);
}

static void t_pipeline(void)
{
	static char s[4096];
	static const char *const one[] = {
		"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\nT: 1\r\n\r\n",
		"HTTP/1.0 304 Not Modified\r\n\r\n",
	};
	unsigned int want[16], i;
	struct gl_resp_outcome o;
	int ok = 1;

	s[0] = 0;
	for (i = 0; i < 16; i++) {
		strcat(s, one[i % 4]);
		want[i] = (unsigned int)strlen(s);
	}
	ok &= everywhere(s, strlen(s), "G", &o) & outcome_is(&o, 16, GL_RESP_END_OPEN, 0);
	for (i = 0; ok && i < 16; i++)
		ok &= expect(o.ends[i] == want[i], "response %u ends at %u, want %u", i, o.ends[i], want[i]);
	result("16 pipelined responses in one buffer: counted, each end where it is", ok);
}

/* a body bigger than the buffer, in buffer-sized pieces, then one more response */
static int large(const char *head, size_t body, const char *chunk_fmt, size_t chunk)
{
	static __u8 s[3 * 1024 * 1024];
	static size_t cut[1024];
	struct gl_resp_outcome o;
	size_t n = strlen(head), k, nc = 0;
	const char *next = "HTTP/1.1 204 x\r\n\r\n";

	memcpy(s, head, n);
	for (k = 0; k < body; k += chunk ? chunk : body) {
		if (chunk)
			n += (size_t)sprintf((char *)s + n, chunk_fmt, chunk);
		memset(s + n, 'x', chunk ? chunk : body);
		n += chunk ? chunk : body;
		if (chunk)
			n += (size_t)sprintf((char *)s + n, "\r\n");
	}
	if (chunk)
		n += (size_t)sprintf((char *)s + n, "0\r\n\r\n");
	k = n;
	memcpy(s + n, next, strlen(next));
	n += strlen(next);
	for (size_t c = 7777; c < n && nc < 1024; c += 7777)
		cut[nc++] = c;
	gl_resp_drive(s, n, cut, nc, "G", gl_resp_feed_user, NULL, B, fill, &o);
	return outcome_is(&o, 2, GL_RESP_END_OPEN, 0) &&
	       expect(o.ends[0] == k && o.ends[1] == n, "ends %u %u, want %zu %zu", o.ends[0], o.ends[1], k, n);
}

static void t_large_bodies(void)
{
	result("Content-Length 2 MiB body skipped over 270 buffers",
	       large("HTTP/1.1 200 OK\r\nContent-Length: 2097152\r\n\r\n", 2097152, NULL, 0));
	result("chunked 1 MiB body of 0x3000-byte chunks skipped",
	       large("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", 1 << 20, "%zx\r\n", 0x3000));
	result("chunked body of 1-byte chunks skipped",
	       large("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", 3000, "%zx;e\r\n", 1));
}

/* a head of n bytes: status line, one padding header, the empty line */
static size_t head_of(char *s, size_t n)
{
	static const char pre[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Pad: ";
	size_t p = strlen(pre);

	memcpy(s, pre, p);
	memset(s + p, 'p', n - p - 4);
	memcpy(s + n - 4, "\r\n\r\n", 5);
	return n;
}

static void t_head_limit(void)
{
	static char s[GL_HTTP_HEAD_MAX + 64];
	struct gl_resp_outcome o;
	size_t n, cut = 5000;

	n = head_of(s, GL_HTTP_HEAD_MAX);
	result("a head of GL_HTTP_HEAD_MAX bytes", stream(s, "G", 1, GL_RESP_END_OPEN, 0));
	n = head_of(s, GL_HTTP_HEAD_MAX + 1);
	result("one byte more: too large", stream(s, "G", 0, GL_RESP_END_ERROR, GL_HTTP_R_HEAD_TOO_LARGE));
	gl_resp_drive((const __u8 *)s, n, &cut, 1, "G", gl_resp_feed_user, NULL, B, fill, &o);
	result("too large across two buffers, GL_HTTP_E_TOO_LARGE",
	       outcome_is(&o, 0, GL_RESP_END_ERROR, GL_HTTP_R_HEAD_TOO_LARGE) &&
	       expect(o.rc == GL_HTTP_E_TOO_LARGE, "rc %d", o.rc));
	memcpy(s, "HTTP/1.1 100 Continue\r\n\r\n", 25);
	n = 25 + head_of(s + 25, GL_HTTP_HEAD_MAX);
	result("the bound is per head: an interim head, then a maximal one", stream(s, "G", 1, GL_RESP_END_OPEN, 0));
	(void)n;
}

static void t_contract(void)
{
	static const char a[] = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx", b[] = "HTTP/1.1 204 x\r\n\r\n";
	static const char s[] = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxHTTP/1.1 204 x\r\n\r\nHTTP/1.1 2";
	struct gl_http_resp r = { 0 }, z = { 0 };
	int ok, rc;

	fill(B, (const __u8 *)"JUNKJUNK", 8);
	memcpy(B + 8, s, strlen(s));
	rc = gl_http_resp_feed(&r, B, 8, (__u32)(8 + strlen(s)), 0);
	ok = expect(rc == (int)(8 + strlen(a)) && r.done, "first ends at %d (done %u)", rc, r.done);
	rc = gl_http_resp_feed(&r, B, (__u32)rc, (__u32)(8 + strlen(s)), 0);
	ok &= expect(rc == (int)(8 + strlen(a) + strlen(b)) && r.done, "second ends at %d", rc);
	rc = gl_http_resp_feed(&r, B, (__u32)rc, (__u32)(8 + strlen(s)), 0);
	ok &= expect(rc == (int)(8 + strlen(s)) && !r.done, "the rest consumed, done cleared: %d", rc);
	ok &= expect(gl_http_resp_feed(&r, B, 3, 3, 0) == 3 && !r.done, "an empty feed");
	result("offsets are the buffer's, from off; done cleared by the next call", ok);

	fill(B, (const __u8 *)"HTTP/1.1 200 OK\nHTTP/1.1 200 OK\r\n\r\n", 35);
	r = z;
	rc = gl_http_resp_feed(&r, B, 0, 35, 0);
	ok = expect(rc == GL_HTTP_E_MALFORMED && r.reason == GL_HTTP_R_LINE_END, "rc %d", rc);
	ok &= expect(gl_http_resp_feed(&r, B, 16, 35, 0) == GL_HTTP_E_MALFORMED && !r.done &&
		     r.reason == GL_HTTP_R_LINE_END, "sticky");
	result("errors are sticky", ok);
	result("the state is 48 bytes, a multiple of 8, zero to start",
	       expect(sizeof(struct gl_http_resp) == 48 && r.state != 0 && z.state == GL_RS_VERSION, "size"));
}

int main(void)
{
	t_vectors();
	t_status_line();
	t_fields();
	t_no_body();
	t_interim();
	t_opaque();
	t_transfer_encoding();
	t_content_length();
	t_pipeline();
	t_large_bodies();
	t_head_limit();
	t_contract();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
