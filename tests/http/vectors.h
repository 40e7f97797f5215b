/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Request bytes shared by the kernel run (test_http_load.c) and the fuzzer's
 * built-in checks: valid, pipelined, chunked, malformed and non-HTTP inputs.
 * Larger vectors (an 8 KiB head, a full buffer) are built at run time.
 */
#ifndef GL_HTTP_VECTORS_H
#define GL_HTTP_VECTORS_H

struct gl_http_vector {
	const char *name;
	const char *data;
	unsigned int len;
};

#define GL_HTTP_VEC(name, s) { name, s, sizeof(s) - 1 }

static const struct gl_http_vector gl_http_vectors[] = {
	GL_HTTP_VEC("simple GET",
		    "GET /a/b?x=1&y=2 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: curl/8.0\r\n\r\n"),
	GL_HTTP_VEC("HTTP/1.0 without headers", "GET / HTTP/1.0\r\n\r\n"),
	GL_HTTP_VEC("rich head",
		    "POST http://ex.com:80/p/q?uid=42&lane=gray&e=&flag HTTP/1.1\r\n"
		    "Host: ex.com:80\r\nCookie: s=1; lane=gray; t=\r\nX-Opensergo-Traffic: gray\r\n"
		    "x-mse-tag:  blue \r\nContent-Length: 5\r\nConnection: keep-alive\r\n"
		    "X-User: Alice\r\nUser-Agent: Mozilla/5.0 (iPhone; CPU iPhone OS 17_0)\r\n\r\nhello"),
	GL_HTTP_VEC("pipelined",
		    "GET /1 HTTP/1.1\r\nHost: h\r\n\r\n"
		    "POST /2?a=b HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
		    "PUT /3 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2;x=y\r\nxy\r\n0\r\nT: 1\r\n\r\n"
		    "HEAD /4 HTTP/1.0\r\n\r\n"
		    "DELETE /5 HTTP/1.1\r\nContent-Length: 1\r\n\r\nz"),
	GL_HTTP_VEC("chunked with extensions and trailers",
		    "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
		    "A;name=val;q=\"x y\"\r\n0123456789\r\n1 ;ext\r\nX\r\n0;last\r\n"
		    "Trailer-One: a\r\nTrailer-Two: b\t c\r\n\r\nGET /next HTTP/1.1\r\n\r\n"),
	GL_HTTP_VEC("every method",
		    "GET /m HTTP/1.1\r\n\r\nHEAD /m HTTP/1.1\r\n\r\nPOST /m HTTP/1.1\r\n\r\n"
		    "PUT /m HTTP/1.1\r\n\r\nDELETE /m HTTP/1.1\r\n\r\nOPTIONS * HTTP/1.1\r\n\r\n"
		    "PATCH /m HTTP/1.1\r\n\r\nTRACE /m HTTP/1.1\r\n\r\n"
		    "CONNECT ex.com:443 HTTP/1.1\r\nHost: ex.com:443\r\n\r\n"),
	GL_HTTP_VEC("cookies and query edge cases",
		    "GET /q?ab=1&a=2&%61=3&e=&k&t=a=b&&z=+ HTTP/1.1\r\n"
		    "Cookie:  uid2=1; uid = 7 ;q=\"x y\"; e=; Lane=Gray;\r\nX-User:\r\n\r\n"),
	GL_HTTP_VEC("cookie lines, another header between",
		    "GET /c HTTP/1.1\r\nCookie: a=1\r\nX-Between: lane=blue\r\n"
		    "cookie:  lane=gray ; b=2 \r\nCOOKIE: a=3\r\nCookie:\r\n\r\n"),
	GL_HTTP_VEC("nine cookie lines",
		    "GET /c HTTP/1.1\r\nCookie: c=1\r\nCookie: c=2\r\nCookie: c=3\r\n"
		    "Cookie: c=4\r\nCookie: c=5\r\nCookie: c=6\r\nCookie: c=7\r\n"
		    "Cookie: c=8\r\nCookie: lane=gray\r\n\r\n"),
	GL_HTTP_VEC("incomplete head", "GET /partial HTTP/1.1\r\nHost: h\r\nX-User: a"),
	GL_HTTP_VEC("incomplete body",
		    "POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123"),
	GL_HTTP_VEC("bare LF", "GET / HTTP/1.1\nHost: h\n\n"),
	GL_HTTP_VEC("Content-Length and Transfer-Encoding",
		    "POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
	GL_HTTP_VEC("Content-Length mismatch",
		    "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"),
	GL_HTTP_VEC("bad chunk size", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
	GL_HTTP_VEC("too many propagation lines",
		    "GET / HTTP/1.1\r\nx-mse-tag: a\r\nx-mse-tag: b\r\nx-mse-tag: c\r\n"
		    "x-mse-tag: d\r\nx-opensergo-traffic: e\r\n\r\n"),
	GL_HTTP_VEC("obs-fold", "GET / HTTP/1.1\r\nX-A: b\r\n c\r\n\r\n"),
	GL_HTTP_VEC("TLS ClientHello", "\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03"),
	GL_HTTP_VEC("HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x12\x04\x00"),
	GL_HTTP_VEC("garbage", "\x00\x01\x02garbage\xff"),
};

#define GL_HTTP_VECTORS_N (sizeof(gl_http_vectors) / sizeof(gl_http_vectors[0]))

#endif /* GL_HTTP_VECTORS_H */
