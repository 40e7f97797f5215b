/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Bounds of the HTTP/1.x request-head parser (bpf/lib/http.h). The kernel
 * copies what a workload sends into a fixed per-CPU buffer and parses it
 * there, so every length and count the parser can meet is capped here; the
 * daemon validates rules against the same numbers (a rule may not want more
 * header names, or longer names or values, than the kernel can look at).
 *
 * Lengths count bytes, without any terminating NUL.
 */
#ifndef GRAYLANE_HTTP_LIMITS_H
#define GRAYLANE_HTTP_LIMITS_H

/*
 * A request head (request line, header lines, the empty line) is at most
 * this long. 8 KiB is what nginx (large_client_header_buffers 8k per line),
 * Apache (LimitRequestFieldSize 8190) and Go's net/http per-line defaults
 * accept, so a head longer than this would be refused by common servers too.
 */
#define GL_HTTP_HEAD_MAX	8192

/*
 * The parse buffer: a power of two so that every index is masked into it
 * (the verifier then needs no further proof), and twice the head bound so
 * that a maximal head and the chunk-size line behind it fit one copy.
 */
#define GL_HTTP_BUF_SIZE	16384
#define GL_HTTP_BUF_MASK	(GL_HTTP_BUF_SIZE - 1)

/*
 * A method is a token of at most this many bytes (WebDAV's longest,
 * BASELINE-CONTROL, has 16).
 */
#define GL_HTTP_METHOD_MAX	24

/*
 * A header, query parameter or cookie name the kernel looks for, and a value
 * it compares with. Equal to GL_MATCH_KEY_MAX and GL_MATCH_VALUE_MAX of
 * limits.h (checked where both are visible).
 */
#define GL_HTTP_NAME_MAX	64
#define GL_HTTP_PATTERN_MAX	128

/* Header names the rules of one entry workload may look at, besides the built-in ones. */
#define GL_HTTP_RULE_HEADERS_MAX	8

/*
 * Propagation header lines (the configured name and its accepted alias
 * together) recorded per head, so that all of them can be removed or
 * replaced. More is refused as too large: none can then slip through.
 */
#define GL_HTTP_LABEL_LINES_MAX	4

/*
 * Cookie lines recorded per head: a cookie rule reads them as one list, as
 * servers join them ("a=1" and "lane=gray" read as "a=1; lane=gray"). A head
 * with more lines has cookies no rule can read exactly: its cookie items
 * match nothing (not even != or not_in).
 */
#define GL_HTTP_COOKIE_LINES_MAX	8

/* A chunk-size line with its extensions; a trailer section. */
#define GL_HTTP_CHUNK_LINE_MAX	4096
#define GL_HTTP_TRAILERS_MAX	GL_HTTP_HEAD_MAX

/* Propagation header names (DESIGN.md, Decisions 3), lowercase. */
#define GL_HTTP_LABEL_HEADER	"x-opensergo-traffic"
#define GL_HTTP_LABEL_ALIAS	"x-mse-tag"

#endif /* GRAYLANE_HTTP_LIMITS_H */
