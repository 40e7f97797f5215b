/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Server reply streams for the response framer (bpf/lib/http_resp.h),
 * shared by its unit test (every split point), the kernel run
 * (test_http_load.c) and the fuzzer's seeds: each with the requests it
 * answers and what framing it must come to.
 */
#ifndef GL_HTTP_RESP_VECTORS_H
#define GL_HTTP_RESP_VECTORS_H

#include "lib/http.h"

/* End states of a stream, as resp_drive.h reports them. */
enum gl_resp_end {
	GL_RESP_END_OPEN = 0,	/* all consumed, the stream could go on (in a head, a body, or between) */
	GL_RESP_END_OPAQUE,
	GL_RESP_END_UNTIL_CLOSE,
	GL_RESP_END_ERROR,	/* with `reason` */
};

struct gl_http_resp_vector {
	const char *name;
	const char *data;
	unsigned int len;
	const char *reqs;	/* the request of response i: reqs[i] (past the end: the last), G H or C */
	unsigned int count;	/* final responses completed */
	unsigned int end;	/* enum gl_resp_end */
	unsigned int reason;	/* enum gl_http_reason with GL_RESP_END_ERROR */
};

#define GL_RESP_VEC(name, s, reqs, count, end, reason) \
	{ name, s, sizeof(s) - 1, reqs, count, end, reason }

static const struct gl_http_resp_vector gl_http_resp_vectors[] = {
	GL_RESP_VEC("200 with Content-Length",
		    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello",
		    "G", 1, GL_RESP_END_OPEN, 0),
	GL_RESP_VEC("pipeline of five",
		    "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
		    "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\ncontent-length:0\r\n\r\n"
		    "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
		    "4;ext=1\r\nwxyz\r\n0\r\nTrailer: t\r\n\r\n"
		    "HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n"
		    "HTTP/1.0 200 OK\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n\r\nok",
		    "G", 5, GL_RESP_END_OPEN, 0),
	GL_RESP_VEC("HEAD, 204, then a body",
		    "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"
		    "HTTP/1.1 204 No Content\r\n\r\n"
		    "HTTP/1.1 404 Not Found\r\nTRANSFER-encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n",
		    "HGG", 3, GL_RESP_END_OPEN, 0),
	GL_RESP_VEC("interim responses, empty reason, no SP",
		    "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 \r\nLink: </s.css>\r\n\r\n"
		    "HTTP/1.1 102\r\n\r\nHTTP/1.1 200 \r\nContent-Length: 1\r\n\r\n!"
		    "HTTP/1.1 500\r\ncontent-length: 0\r\n\r\n",
		    "G", 2, GL_RESP_END_OPEN, 0),
	GL_RESP_VEC("101 Switching Protocols",
		    "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
		    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
		    "\x81\x05hello HTTP/1.1 200 OK\r\n\r\n",
		    "G", 2, GL_RESP_END_OPAQUE, 0),
	GL_RESP_VEC("CONNECT: 407 then 200",
		    "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 4\r\n\r\ndeny"
		    "HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x01\x00\x05hello",
		    "C", 2, GL_RESP_END_OPAQUE, 0),
	GL_RESP_VEC("until close: no framing",
		    "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.0 200 OK\r\nServer: x\r\n\r\n"
		    "all of this is body\r\n\r\nHTTP/1.1 200 OK\r\n\r\n",
		    "G", 1, GL_RESP_END_UNTIL_CLOSE, 0),
	GL_RESP_VEC("until close: Transfer-Encoding not ending in chunked",
		    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\nContent-Length: 3\r\n\r\nabcdef",
		    "G", 0, GL_RESP_END_UNTIL_CLOSE, 0),
	GL_RESP_VEC("Transfer-Encoding over two lines, wins over Content-Length",
		    "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nContent-Length: 100\r\n"
		    "transfer-encoding:  ,Chunked ,\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
		    "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
		    "G", 2, GL_RESP_END_OPEN, 0),
	GL_RESP_VEC("look-alike names",
		    "HTTP/1.1 200 OK\r\nContent-Lengths: 7\r\nX-Content-Length: 9\r\n"
		    "Transfer-Encodin: chunked\r\nContent-Length: 2\r\n\r\nhi",
		    "G", 1, GL_RESP_END_OPEN, 0),
	GL_RESP_VEC("cut in a body", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01234",
		    "G", 0, GL_RESP_END_OPEN, 0),
	GL_RESP_VEC("bare LF", "HTTP/1.1 200 OK\nContent-Length: 0\n\n",
		    "G", 0, GL_RESP_END_ERROR, GL_HTTP_R_LINE_END),
	GL_RESP_VEC("CR without LF", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\r\n\r\n",
		    "G", 0, GL_RESP_END_ERROR, GL_HTTP_R_LINE_END),
	GL_RESP_VEC("HTTP/2 status line", "HTTP/2 200 OK\r\n\r\n",
		    "G", 0, GL_RESP_END_ERROR, GL_HTTP_R_STATUS),
	GL_RESP_VEC("Content-Length mismatch after a good response",
		    "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"
		    "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxy",
		    "G", 1, GL_RESP_END_ERROR, GL_HTTP_R_CL_MISMATCH),
	GL_RESP_VEC("bad chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
		    "G", 0, GL_RESP_END_ERROR, GL_HTTP_R_CHUNK_SIZE),
	GL_RESP_VEC("blank before the colon", "HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n",
		    "G", 0, GL_RESP_END_ERROR, GL_HTTP_R_FIELD_NAME),
	GL_RESP_VEC("control byte in a value", "HTTP/1.1 200 OK\r\nServer: a\x01z\r\n\r\n",
		    "G", 0, GL_RESP_END_ERROR, GL_HTTP_R_FIELD_VALUE),
	GL_RESP_VEC("obs-fold", "HTTP/1.1 200 OK\r\nServer: a\r\n b\r\nContent-Length: 0\r\n\r\n",
		    "G", 0, GL_RESP_END_ERROR, GL_HTTP_R_OBS_FOLD),
};

#define GL_HTTP_RESP_VECTORS_N (sizeof(gl_http_resp_vectors) / sizeof(gl_http_resp_vectors[0]))

#endif /* GL_HTTP_RESP_VECTORS_H */
