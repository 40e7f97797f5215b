/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/*
 * HTTP/1.x request heads and bodies, header-only, written once and compiled
 * both into BPF programs (clang -target bpf, -D__BPF__) and into userspace
 * tests and fuzzers (gcc or clang).
 *
 * Input. A buffer of exactly GL_HTTP_BUF_SIZE bytes (in BPF: a per-CPU array
 * map value, filled by bpf_msg_pull_data and a bounded copy) and the number
 * of valid bytes in it. Every read is masked with GL_HTTP_BUF_MASK, so no
 * read can leave the buffer whatever the lengths say, and the verifier needs
 * no other proof; bytes at or beyond the valid length are never looked at.
 *
 * Cursor style. Functions take an offset and return the offset where they
 * stopped (>= 0) or a negative GL_HTTP_E_* code:
 *   GL_HTTP_E_INCOMPLETE  the bytes so far are a valid beginning: cork, retry
 *   GL_HTTP_E_TOO_LARGE   a bound of http_limits.h was exceeded
 *   GL_HTTP_E_MALFORMED   not a valid HTTP/1.x request (the reason is kept)
 *
 * Loops. Every scan is a bpf_loop() callback in BPF (its body is verified a
 * few times, not once per byte: a plain bounded loop over 8 KiB would
 * exhaust the verifier's 1M-instruction limit) and a plain loop in
 * userspace, through gl_http_loop(); byte compares of names and values too
 * (see gl_http_cmp). Only the 8-byte method and version words are unrolled.
 * Callback state that changes from byte to byte lives in the caller's
 * structs (map values in BPF, which the verifier does not track), the loop
 * context on the stack holds pointers and bounds.
 *
 * Verification units. The heavy bodies (a head parse step, a body step, a
 * rule item in rules.h) are GL_HTTP_UNIT functions: global functions in
 * BPF, which the verifier checks once with unknown arguments, while the
 * loop callbacks around them stay a few instructions long and converge at
 * once. Inlined, the head step alone took over 1M processed instructions
 * on one 6.18 build and ~200K on another (6.7 verifies callbacks until
 * their states converge; 6.15 and 6.18 changed liveness and pruning); as a
 * unit a whole send path takes ~50K, and every program stays within
 * GL_VERIFIER_BUDGET (user/kernel/verifier_report.h), recorded per kernel in
 * tests/verifier/<release>.json.
 *
 * Callers. buf is GL_HTTP_BUF_SIZE bytes; names are GL_HTTP_NAME_MAX bytes
 * and patterns GL_HTTP_PATTERN_MAX bytes of caller memory (a map value
 * field), of which the given length is used. In BPF, struct gl_http_head
 * and struct gl_http_body should be map values (per-CPU scratch, socket
 * storage). A head refused as malformed or too large has unknown headers:
 * a caller that must strip propagation headers cannot do it for that head.
 *
 * Decisions (RFC 9112 section numbers in brackets):
 * - Line ends are CRLF only. A bare LF or a CR not followed by LF is
 *   malformed [2.2 allows either]: the kernel decides where a head and a
 *   body end, and any disagreement with the server about that is a request
 *   smuggling vector [11.2], so a head we cannot frame exactly is left alone
 *   (the caller passes it through and counts it).
 * - Whitespace between a field name and the colon, obsolete line folding, a
 *   control byte in a value, a second Host header: malformed [5.1, 5.2, 3.2].
 * - Content-Length: decimal digits; repeated lines or a comma list are
 *   accepted when all values are equal, anything else is malformed [6.3].
 * - Transfer-Encoding: the final coding must be "chunked" (else malformed
 *   [6.3]); in an HTTP/1.0 request it is malformed [6.1]. Both
 *   Transfer-Encoding and Content-Length: malformed. RFC 9112 6.1 lets a
 *   server either reject such a message or let Transfer-Encoding win; we
 *   cannot remove the Content-Length as an intermediary must, and a server
 *   behind us that frames by Content-Length would desync, so we reject.
 * - Versions: HTTP/1.0 and HTTP/1.1 only. Methods: any token of up to
 *   GL_HTTP_METHOD_MAX bytes [RFC 9110 9.1]; the nine of RFC 9110 and
 *   PATCH have their own enum value, others are GL_HTTP_M_OTHER.
 * - A request without Content-Length and Transfer-Encoding has no body [6.3].
 * - Names of wanted headers match case-insensitively; values are kept raw
 *   with leading and trailing blanks (SP, HTAB) trimmed. A wanted header that
 *   occurs more than once reports its first occurrence and the count; the
 *   propagation header reports every line (up to GL_HTTP_LABEL_LINES_MAX).
 * - Query parameters and cookies are compared raw: no percent-decoding, no
 *   '+' to space, no unquoting; the first element with the name wins.
 * - Lenient where framing is not at stake: target bytes 0x80-0xff are kept
 *   raw, a missing Host is not refused, chunk extensions and trailer lines
 *   are only checked for control bytes.
 */
#ifndef GL_HTTP_H
#define GL_HTTP_H

#include <graylane/http_limits.h>

#ifdef __BPF__
/* vmlinux.h and <bpf/bpf_helpers.h> come first, from the program. */
#define GL_HTTP_FN	static __always_inline
#define GL_HTTP_UNROLL	_Pragma("unroll")
#define gl_http_loop(n, cb, ctx) bpf_loop((n), (cb), (ctx), 0)
#else
#include <linux/types.h>
#define GL_HTTP_FN	static inline
#define GL_HTTP_UNROLL
typedef long (*gl_http_loop_fn)(__u32 index, void *ctx);
/* bpf_loop() semantics: iterations run, the stopping one included. */
static inline long gl_http_loop(__u32 n, gl_http_loop_fn cb, void *ctx)
{
	__u32 i;

	for (i = 0; i < n; i++)
		if (cb(i, ctx))
			return (long)i + 1;
	return n;
}
#endif
/* A loop body: (index, context) -> 0 to go on, 1 to stop. */
#define GL_HTTP_CB	static inline long

/*
 * A verification unit. In BPF a global (non-static, noinline) function: the
 * verifier checks it once, on its own, with its arguments unknown, and each
 * call costs the caller a few instructions whatever the callee's size. Its
 * pointer arguments must point to sized types (struct gl_http_bytes for the
 * buffer), may be NULL as far as the verifier knows (checked first), and its
 * result is an unknown scalar to the caller. Elsewhere a plain inline.
 */
#ifdef __BPF__
#define GL_HTTP_UNIT	__attribute__((noinline))
#else
#define GL_HTTP_UNIT	static inline
#endif

/* ---- result codes: negative errno values, named for this parser ---- */

enum gl_http_err {
	GL_HTTP_E_TOO_LARGE	= -7,	/* -E2BIG */
	GL_HTTP_E_INCOMPLETE	= -11,	/* -EAGAIN */
	GL_HTTP_E_INVAL		= -22,	/* -EINVAL: bad argument (a name with a bad byte) */
	GL_HTTP_E_MALFORMED	= -74,	/* -EBADMSG */
};

/* Why a head or body was refused: doubles as a counter index. */
enum gl_http_reason {
	GL_HTTP_R_NONE = 0,
	GL_HTTP_R_METHOD,		/* not a method token followed by one SP */
	GL_HTTP_R_TARGET,		/* empty request-target or a control byte in it */
	GL_HTTP_R_VERSION,		/* not "HTTP/1.0" or "HTTP/1.1" then CRLF */
	GL_HTTP_R_LINE_END,		/* bare LF, or CR without LF */
	GL_HTTP_R_FIELD_NAME,		/* empty name, non-token byte, blank before ':' */
	GL_HTTP_R_OBS_FOLD,		/* a header line starting with a blank */
	GL_HTTP_R_FIELD_VALUE,		/* a control byte in a field value */
	GL_HTTP_R_HOST_DUP,		/* more than one Host line */
	GL_HTTP_R_CL_INVALID,		/* Content-Length not a list of decimals */
	GL_HTTP_R_CL_MISMATCH,		/* Content-Length values differ */
	GL_HTTP_R_CL_TOO_BIG,		/* Content-Length of 10^18 or more */
	GL_HTTP_R_TE_NOT_CHUNKED,	/* Transfer-Encoding whose final coding is not chunked */
	GL_HTTP_R_TE_HTTP10,		/* Transfer-Encoding in an HTTP/1.0 request */
	GL_HTTP_R_CL_AND_TE,		/* both Content-Length and Transfer-Encoding */
	GL_HTTP_R_HEAD_TOO_LARGE,	/* no end of head within GL_HTTP_HEAD_MAX */
	GL_HTTP_R_TOO_MANY_LABELS,	/* more than GL_HTTP_LABEL_LINES_MAX propagation lines */
	GL_HTTP_R_CHUNK_SIZE,		/* bad chunk-size line */
	GL_HTTP_R_CHUNK_TOO_BIG,	/* chunk size of 2^63 or more */
	GL_HTTP_R_CHUNK_LINE_TOO_LONG,	/* chunk-size line over GL_HTTP_CHUNK_LINE_MAX */
	GL_HTTP_R_CHUNK_DATA_END,	/* chunk data not followed by CRLF */
	GL_HTTP_R_TRAILER,		/* bad trailer line */
	GL_HTTP_R_TRAILER_TOO_LARGE,	/* trailer section over GL_HTTP_TRAILERS_MAX */
	GL_HTTP_R_STATUS,		/* responses (http_resp.h): not "HTTP/1.x NNN reason" then CRLF */
	GL_HTTP_R_MAX,
};

/* What the first bytes of a connection are (gl_http_classify). */
enum gl_http_proto {
	GL_HTTP_PROTO_OTHER = 0,
	GL_HTTP_PROTO_HTTP1,	/* a method token and SP */
	GL_HTTP_PROTO_TLS,	/* a TLS handshake record: 0x16 0x03 */
	GL_HTTP_PROTO_H2,	/* the HTTP/2 prior-knowledge preface */
};

enum gl_http_method {
	GL_HTTP_M_NONE = 0,
	GL_HTTP_M_GET,
	GL_HTTP_M_HEAD,
	GL_HTTP_M_POST,
	GL_HTTP_M_PUT,
	GL_HTTP_M_DELETE,
	GL_HTTP_M_OPTIONS,
	GL_HTTP_M_PATCH,
	GL_HTTP_M_TRACE,
	GL_HTTP_M_CONNECT,
	GL_HTTP_M_OTHER,	/* an extension method: a token (gl_http_token_unit) */
	GL_HTTP_M_MAX,
};

enum gl_http_version {
	GL_HTTP_V10 = 0,
	GL_HTTP_V11,
};

/* How the body of a parsed head is delimited. */
enum gl_http_framing {
	GL_HTTP_FRAME_NONE = 0,	/* no body */
	GL_HTTP_FRAME_LENGTH,	/* content_length bytes */
	GL_HTTP_FRAME_CHUNKED,	/* chunked transfer coding */
};

/*
 * Wanted header names: slots with fixed meaning, then the names the rules of
 * the workload look at. A head records each slot's first occurrence.
 */
enum gl_http_slot {
	GL_HTTP_SLOT_HOST = 0,
	GL_HTTP_SLOT_CONTENT_LENGTH,
	GL_HTTP_SLOT_TRANSFER_ENCODING,
	GL_HTTP_SLOT_CONNECTION,
	GL_HTTP_SLOT_COOKIE,
	GL_HTTP_SLOT_LABEL,		/* the propagation header (configurable) */
	GL_HTTP_SLOT_LABEL_ALIAS,	/* its accepted alias */
	GL_HTTP_SLOT_RULE,		/* first of GL_HTTP_RULE_HEADERS_MAX rule names */
	GL_HTTP_SLOT_MAX = GL_HTTP_SLOT_RULE + GL_HTTP_RULE_HEADERS_MAX,
};
#define GL_HTTP_WANT_SLOTS	16	/* power of two >= GL_HTTP_SLOT_MAX: slot indexes are masked */
#define GL_HTTP_SLOT_NONE	0xff

#define GL_HTTP_NOPOS		0xffffffffu

_Static_assert((GL_HTTP_BUF_SIZE & GL_HTTP_BUF_MASK) == 0, "buffer size is a power of two");
_Static_assert(GL_HTTP_BUF_SIZE >= GL_HTTP_HEAD_MAX, "a maximal head fits the buffer");
_Static_assert(GL_HTTP_BUF_SIZE <= 0xffff, "offsets are __u16");
_Static_assert(GL_HTTP_SLOT_MAX <= GL_HTTP_WANT_SLOTS, "slots fit the masked table");
_Static_assert((GL_HTTP_LABEL_LINES_MAX & (GL_HTTP_LABEL_LINES_MAX - 1)) == 0 &&
	       GL_HTTP_LABEL_LINES_MAX <= 8, "label lines: masked index, __u8 bitmap");
_Static_assert((GL_HTTP_COOKIE_LINES_MAX & (GL_HTTP_COOKIE_LINES_MAX - 1)) == 0 &&
	       GL_HTTP_COOKIE_LINES_MAX < 255, "cookie lines: masked index, __u8 count");
_Static_assert(GL_HTTP_NAME_MAX <= 255 && GL_HTTP_PATTERN_MAX <= 255, "lengths are __u8");
#ifdef GL_MATCH_KEY_MAX
_Static_assert(GL_HTTP_NAME_MAX == GL_MATCH_KEY_MAX, "rule keys are what the kernel compares");
_Static_assert(GL_HTTP_PATTERN_MAX == GL_MATCH_VALUE_MAX, "rule values are what the kernel compares");
#endif

/* ---- structs (fixed width, explicit padding: they live in map values) ---- */

/* The whole buffer as one sized type: what a verification unit is handed. */
struct gl_http_bytes {
	__u8 b[GL_HTTP_BUF_SIZE];
};

/* Bytes [off, off + len) of the buffer. */
struct gl_http_span {
	__u16 off;
	__u16 len;
};

struct gl_http_field {
	struct gl_http_span value;	/* first occurrence, blanks trimmed */
	struct gl_http_span line;	/* first occurrence's whole line, CRLF included */
	__u16 count;			/* occurrences (saturates) */
	__u16 pad;
};

struct gl_http_want_name {
	__u32 hash;			/* FNV-1a-32 of name[0..len) */
	__u8 len;			/* 0: slot unused */
	__u8 pad[3];
	char name[GL_HTTP_NAME_MAX];	/* lowercase */
};

/* The header names a head parse records; built by the daemon (or tests). */
struct gl_http_want {
	struct gl_http_want_name name[GL_HTTP_WANT_SLOTS];
};

/* Working state of gl_http_parse_head between bytes; not a result. */
struct gl_http_scan {
	__u32 pos;	/* the next byte to look at */
	__u32 line;	/* start of the current line */
	__u32 vstart;	/* start of the value (of the version on the request line) */
	__u32 vend;	/* just after the value's last non-blank byte */
	__u32 hash;	/* FNV-1a-32 of the lowercase field name so far */
	__s32 rc;	/* 0 while scanning; head end or GL_HTTP_E_* when stopped */
	__u64 cl;	/* digits of the current Content-Length element */
	__u8 st;	/* enum gl_http_hstate */
	__u8 tsub;	/* enum gl_http_tstate */
	__u8 slot;	/* want slot of the current line, or GL_HTTP_SLOT_NONE */
	__u8 cl_st;	/* enum gl_http_clstate */
	__u8 cl_digits;	/* significant digits of the current element */
	__u8 flags;	/* GL_HTTP_SF_* */
	__u16 pad;
};

/* head flags */
#define GL_HTTP_HF_QUERY	0x01	/* the target had a '?' (query may still be empty) */

/*
 * One parsed request head. Offsets are absolute in the buffer. Meaningful
 * when gl_http_parse_head returned > 0; after a negative result only
 * `reason` is (GL_HTTP_R_NONE for INCOMPLETE).
 */
struct gl_http_head {
	__u16 start;		/* the method's first byte */
	__u16 end;		/* just after the empty line: the body or next request */
	__u16 line_end;		/* just after the request line's CRLF: a header may be inserted here */
	__u16 nfields;		/* header lines (at most ~2 K fit GL_HTTP_HEAD_MAX) */
	__u8 method;		/* enum gl_http_method */
	__u8 version;		/* enum gl_http_version */
	__u8 framing;		/* enum gl_http_framing */
	__u8 reason;		/* enum gl_http_reason, with a negative result */
	__u8 flags;		/* GL_HTTP_HF_* */
	__u8 nlabels;		/* entries of label_line */
	__u8 label_alias;	/* bit i: label_line[i] is the alias name */
	__u8 ncookies;		/* Cookie lines, up to GL_HTTP_COOKIE_LINES_MAX + 1 (more) */
	struct gl_http_span meth;	/* the method */
	struct gl_http_span target;	/* the request-target as sent */
	struct gl_http_span path;	/* target up to '?'; absolute-form: from the path's '/' */
	struct gl_http_span query;	/* after '?' up to the SP; none: empty at the target's end */
	struct gl_http_span authority;	/* absolute-form: after "//" up to '/', '?' or SP; else empty */
	__u64 content_length;	/* with GL_HTTP_FRAME_LENGTH */
	struct gl_http_field field[GL_HTTP_WANT_SLOTS];	/* by enum gl_http_slot */
	struct gl_http_span label_line[GL_HTTP_LABEL_LINES_MAX];	/* every propagation line, in order */
	struct gl_http_span cookie_line[GL_HTTP_COOKIE_LINES_MAX];	/* each Cookie line's value, in order */
	struct gl_http_scan scan;	/* parser state, last so results can be compared without it */
};

enum gl_http_body_state {
	GL_HTTP_BODY_DONE = 0,	/* body over: the next request starts where skipping stopped */
	GL_HTTP_BODY_LENGTH,	/* Content-Length body, `left` bytes to go */
	GL_HTTP_BODY_SIZE,	/* chunk-size hex digits (value so far in `left`) */
	GL_HTTP_BODY_EXT,	/* after the size: blanks or chunk extensions until CR */
	GL_HTTP_BODY_SIZE_LF,	/* CR of the chunk-size line seen */
	GL_HTTP_BODY_DATA,	/* chunk data, `left` bytes to go */
	GL_HTTP_BODY_DATA_CR,	/* CRLF after chunk data */
	GL_HTTP_BODY_DATA_LF,
	GL_HTTP_BODY_TRAILER,	/* start of a trailer line or of the final empty line */
	GL_HTTP_BODY_TRAILER_LINE,
	GL_HTTP_BODY_TRAILER_LF,
	GL_HTTP_BODY_END_LF,	/* CR of the final empty line seen */
	GL_HTTP_BODY_ERROR,	/* sticky; `err` and `reason` say why */
};

/* Where a body stands, carried from one buffer (one send()) to the next. */
struct gl_http_body {
	__u64 left;	/* LENGTH, DATA: bytes to skip; SIZE: the size so far */
	__u32 line;	/* bytes of the chunk-size line, or of the trailer section */
	__u8 state;	/* enum gl_http_body_state */
	__u8 reason;	/* enum gl_http_reason when ERROR */
	__s8 err;	/* GL_HTTP_E_* when ERROR */
	__u8 pad;
};

/* ---- bytes ---- */

#define GL_HTTP_FNV32_INIT	0x811c9dc5u
#define GL_HTTP_FNV32_PRIME	0x01000193u

/* token characters [RFC 9110 5.6.2] as bitmaps of bytes 0..63 and 64..127 */
#define GL_HTTP_TCHAR_LO	0x03ff6cfa00000000ull
#define GL_HTTP_TCHAR_HI	0x57ffffffc7fffffeull

GL_HTTP_FN __u8 gl_http_at(const __u8 *buf, __u32 i)
{
	return buf[i & GL_HTTP_BUF_MASK];
}

GL_HTTP_FN __u8 gl_http_lower(__u8 c)
{
	return (c >= 'A' && c <= 'Z') ? (__u8)(c + ('a' - 'A')) : c;
}

GL_HTTP_FN int gl_http_is_tchar(__u8 c)
{
	if (c < 64)
		return (GL_HTTP_TCHAR_LO >> c) & 1;
	if (c < 128)
		return (GL_HTTP_TCHAR_HI >> (c - 64)) & 1;
	return 0;
}

GL_HTTP_FN int gl_http_is_blank(__u8 c)
{
	return c == ' ' || c == '\t';
}

/* field-vchar: VCHAR or obs-text [RFC 9110 5.5] */
GL_HTTP_FN int gl_http_is_vchar(__u8 c)
{
	return c > 0x20 && c != 0x7f;
}

/* a byte allowed inside a field value, blanks included */
GL_HTTP_FN int gl_http_is_value_byte(__u8 c)
{
	return gl_http_is_vchar(c) || gl_http_is_blank(c);
}

GL_HTTP_FN int gl_http_hexval(__u8 c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = gl_http_lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

GL_HTTP_FN __u32 gl_http_fnv_step(__u32 h, __u8 c)
{
	return (h ^ c) * GL_HTTP_FNV32_PRIME;
}

/* Eight bytes as one little-endian word, for comparing short literals. */
#define GL_HTTP_W(a, b, c, d, e, f, g, h)					\
	((__u64)(a) | (__u64)(b) << 8 | (__u64)(c) << 16 | (__u64)(d) << 24 |	\
	 (__u64)(e) << 32 | (__u64)(f) << 40 | (__u64)(g) << 48 | (__u64)(h) << 56)

/* Up to `want` (<= 8) bytes at pos that lie below len, little-endian; *got says how many. */
GL_HTTP_FN __u64 gl_http_word(const __u8 *buf, __u32 pos, __u32 len, __u32 want,
			      int lower, __u32 *got)
{
	__u64 w = 0;
	__u32 i, n = 0;

	GL_HTTP_UNROLL
	for (i = 0; i < 8; i++) {
		__u8 c;

		if (i >= want || pos + i >= len)
			break;
		c = gl_http_at(buf, pos + i);
		if (lower)
			c = gl_http_lower(c);
		w |= (__u64)c << (8 * i);
		n++;
	}
	*got = n;
	return w;
}

/* 1: the n bytes read are `word`; 0: they differ; -1: the got < n bytes read agree. */
GL_HTTP_FN int gl_http_word_is(__u64 w, __u32 got, __u64 word, __u32 n)
{
	__u32 k = got < n ? got : n;
	__u64 mask = k >= 8 ? ~0ull : ((1ull << (8 * k)) - 1);

	if ((w ^ word) & mask)
		return 0;
	return got >= n ? 1 : -1;
}

/* Any byte of w below n (n <= 128)? Exact, bytes 0x80-0xff count as large. */
#define GL_HTTP_ONES		0x0101010101010101ull
#define GL_HTTP_HASLESS(w, n)	(((w) - GL_HTTP_ONES * (n)) & ~(w) & (GL_HTTP_ONES * 0x80))
#define GL_HTTP_HASBYTE(w, v)	GL_HTTP_HASLESS((w) ^ (GL_HTTP_ONES * (v)), 1)

/* The 8 bytes at pos (pos <= GL_HTTP_BUF_SIZE - 8), one load. */
GL_HTTP_FN __u64 gl_http_load8(const __u8 *buf, __u32 pos)
{
#ifdef __BPF__
	return *(const __u64 *)(buf + pos);	/* unaligned loads are fine on map values here */
#else
	__u64 w;

	__builtin_memcpy(&w, buf + pos, 8);
	return w;
#endif
}

/* ---- comparing bytes ---- */

struct gl_http_cmpctx {
	const __u8 *buf;
	const __u8 *pat;
	__u32 at;
	__u32 ci;
	__u32 diff;
	__u32 pad;
};

/* pat[i & mask]: the mask is a constant of each callback, where the verifier sees it */
#define GL_HTTP_CMP_STEP(fn, mask)						\
GL_HTTP_CB fn(__u32 i, void *vctx)						\
{										\
	struct gl_http_cmpctx *x = vctx;					\
	__u8 a = gl_http_at(x->buf, x->at + i), b = x->pat[i & (mask)];	\
										\
	if (x->ci) {								\
		a = gl_http_lower(a);						\
		b = gl_http_lower(b);						\
	}									\
	if (a == b)								\
		return 0;							\
	x->diff = 1;								\
	return 1;								\
}
GL_HTTP_CMP_STEP(gl_http_cmp_name_step, GL_HTTP_NAME_MAX - 1)
GL_HTTP_CMP_STEP(gl_http_cmp_pat_step, GL_HTTP_PATTERN_MAX - 1)

/*
 * Do the n bytes at `at` equal pat[0..n)? pat is GL_HTTP_NAME_MAX bytes of
 * caller memory when `name`, else GL_HTTP_PATTERN_MAX; ci: ASCII case
 * ignored. A loop callback even for short names: a bounded loop testing
 * i < n inside another callback narrows n there, the narrowing reaches the
 * caller's loop context, and the verifier then sees a new state for every n.
 */
GL_HTTP_FN int gl_http_cmp(const __u8 *buf, __u32 at, const __u8 *pat, __u32 n,
			   int name, int ci)
{
	struct gl_http_cmpctx x = {
		.buf = buf, .pat = pat, .at = at, .ci = (__u32)ci, .diff = 0, .pad = 0,
	};

	if (n > (name ? GL_HTTP_NAME_MAX : GL_HTTP_PATTERN_MAX))
		return 0;
	if (n && name)
		gl_http_loop(n, gl_http_cmp_name_step, &x);
	else if (n)
		gl_http_loop(n, gl_http_cmp_pat_step, &x);
	return !x.diff;
}

/* ---- classification ---- */

/*
 * An extension method [RFC 9110 9.1, 16.1]: a token of 1 to
 * GL_HTTP_METHOD_MAX bytes and SP (PROPFIND, MKCOL, a lowercase "get"; methods
 * are case-sensitive). Its length, 0 if the bytes are not one, or
 * GL_HTTP_E_INCOMPLETE. A unit: inlined, the unrolled scan cost every
 * program that looks for a method ~20K processed instructions.
 */
GL_HTTP_UNIT int gl_http_token_unit(const struct gl_http_bytes *buf, __u32 off, __u32 len)
{
	__u32 i;

	if (!buf)
		return 0;
	GL_HTTP_UNROLL
	for (i = 0; i <= GL_HTTP_METHOD_MAX; i++) {
		__u8 c;

		if (off + i >= len)
			return GL_HTTP_E_INCOMPLETE;
		c = gl_http_at(buf->b, off + i);
		if (c == ' ' && i > 0)
			return (int)i;
		if (!gl_http_is_tchar(c))
			return 0;
	}
	return 0;
}

/*
 * One of the nine methods of RFC 9110 and PATCH at off: its enum value with
 * *mlen set (SP excluded), GL_HTTP_E_INCOMPLETE when the bytes so far begin
 * one, else 0. One compare per first byte: independent tests per method
 * would leave the verifier a boolean per method to track, and it explodes
 * on their product.
 */
GL_HTTP_FN int gl_http_known_method(const __u8 *buf, __u32 off, __u32 len, __u32 *mlen)
{
	__u32 got, n;
	__u64 w = gl_http_word(buf, off, len, 8, 0, &got), word;
	int id, r;

	if (got == 0)
		return GL_HTTP_E_INCOMPLETE;
	switch ((__u8)w) {
	case 'G':
		id = GL_HTTP_M_GET;
		n = 4;
		word = GL_HTTP_W('G', 'E', 'T', ' ', 0, 0, 0, 0);
		break;
	case 'H':
		id = GL_HTTP_M_HEAD;
		n = 5;
		word = GL_HTTP_W('H', 'E', 'A', 'D', ' ', 0, 0, 0);
		break;
	case 'P':
		if (got < 2)
			return GL_HTTP_E_INCOMPLETE;
		switch ((__u8)(w >> 8)) {
		case 'O':
			id = GL_HTTP_M_POST;
			n = 5;
			word = GL_HTTP_W('P', 'O', 'S', 'T', ' ', 0, 0, 0);
			break;
		case 'U':
			id = GL_HTTP_M_PUT;
			n = 4;
			word = GL_HTTP_W('P', 'U', 'T', ' ', 0, 0, 0, 0);
			break;
		case 'A':
			id = GL_HTTP_M_PATCH;
			n = 6;
			word = GL_HTTP_W('P', 'A', 'T', 'C', 'H', ' ', 0, 0);
			break;
		default:
			return 0;
		}
		break;
	case 'D':
		id = GL_HTTP_M_DELETE;
		n = 7;
		word = GL_HTTP_W('D', 'E', 'L', 'E', 'T', 'E', ' ', 0);
		break;
	case 'O':
		id = GL_HTTP_M_OPTIONS;
		n = 8;
		word = GL_HTTP_W('O', 'P', 'T', 'I', 'O', 'N', 'S', ' ');
		break;
	case 'T':
		id = GL_HTTP_M_TRACE;
		n = 6;
		word = GL_HTTP_W('T', 'R', 'A', 'C', 'E', ' ', 0, 0);
		break;
	case 'C':
		id = GL_HTTP_M_CONNECT;
		n = 8;
		word = GL_HTTP_W('C', 'O', 'N', 'N', 'E', 'C', 'T', ' ');
		break;
	default:
		return 0;
	}
	r = gl_http_word_is(w, got, word, n);
	if (r < 0)
		return GL_HTTP_E_INCOMPLETE;
	if (r == 0)
		return 0;
	*mlen = n - 1;
	return id;
}

/*
 * The method at off: a known one (gl_http_known_method) or any other token
 * as GL_HTTP_M_OTHER, with *mlen set; GL_HTTP_E_INCOMPLETE or 0 as above.
 */
GL_HTTP_FN int gl_http_method(const __u8 *buf, __u32 off, __u32 len, __u32 *mlen)
{
	int r = gl_http_known_method(buf, off, len, mlen);

	if (r != 0)
		return r;	/* a known method, or the beginning of one (or of a token) */
	r = gl_http_token_unit((const struct gl_http_bytes *)buf, off, len);
	if (r <= 0)
		return r;	/* 0 or GL_HTTP_E_INCOMPLETE */
	*mlen = (__u32)r & 0xff;
	return GL_HTTP_M_OTHER;
}

/* "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" [RFC 9113 3.4]: 1, 0, or -1 while it agrees so far */
GL_HTTP_FN int gl_http_is_h2_preface(const __u8 *buf, __u32 off, __u32 len)
{
	__u32 got;
	__u64 w;
	int r;

	w = gl_http_word(buf, off, len, 8, 0, &got);
	r = gl_http_word_is(w, got, GL_HTTP_W('P', 'R', 'I', ' ', '*', ' ', 'H', 'T'), 8);
	if (r <= 0)
		return r;
	w = gl_http_word(buf, off + 8, len, 8, 0, &got);
	r = gl_http_word_is(w, got, GL_HTTP_W('T', 'P', '/', '2', '.', '0', '\r', '\n'), 8);
	if (r <= 0)
		return r;
	w = gl_http_word(buf, off + 16, len, 8, 0, &got);
	return gl_http_word_is(w, got, GL_HTTP_W('\r', '\n', 'S', 'M', '\r', '\n', '\r', '\n'), 8);
}

/*
 * What a connection's first bytes at off are: enum gl_http_proto, or
 * GL_HTTP_E_INCOMPLETE while too few bytes decide it.
 */
GL_HTTP_FN int gl_http_classify(const __u8 *buf, __u32 off, __u32 len)
{
	__u32 mlen;
	int m, h2;

	if (len > GL_HTTP_BUF_SIZE)
		len = GL_HTTP_BUF_SIZE;
	if (off >= len)
		return GL_HTTP_E_INCOMPLETE;
	if (gl_http_at(buf, off) == 0x16) {
		if (len - off < 2)
			return GL_HTTP_E_INCOMPLETE;
		return gl_http_at(buf, off + 1) == 0x03 ? GL_HTTP_PROTO_TLS : GL_HTTP_PROTO_OTHER;
	}
	/* the preface first: "PRI" is a method token too */
	h2 = gl_http_is_h2_preface(buf, off, len);
	if (h2 > 0)
		return GL_HTTP_PROTO_H2;
	m = gl_http_method(buf, off, len, &mlen);
	if (h2 < 0 || m == GL_HTTP_E_INCOMPLETE)
		return GL_HTTP_E_INCOMPLETE;
	return m > 0 ? GL_HTTP_PROTO_HTTP1 : GL_HTTP_PROTO_OTHER;
}

/* ---- wanted header names ---- */

/* Sets a slot to a header name (token characters, stored lowercase). */
GL_HTTP_FN int gl_http_want_set(struct gl_http_want *w, __u32 slot, const char *name, __u32 n)
{
	struct gl_http_want_name *wn;
	__u32 i, h = GL_HTTP_FNV32_INIT;

	if (slot >= GL_HTTP_SLOT_MAX)
		return GL_HTTP_E_INVAL;
	if (n > GL_HTTP_NAME_MAX)
		return GL_HTTP_E_TOO_LARGE;
	wn = &w->name[slot & (GL_HTTP_WANT_SLOTS - 1)];
	wn->len = 0;
	for (i = 0; i < GL_HTTP_NAME_MAX; i++) {
		__u8 c;

		if (i >= n)
			break;
		c = (__u8)name[i];
		if (!gl_http_is_tchar(c))
			return GL_HTTP_E_INVAL;
		c = gl_http_lower(c);
		wn->name[i] = (char)c;
		h = gl_http_fnv_step(h, c);
	}
	wn->hash = h;
	wn->len = (__u8)n;
	return 0;
}

/*
 * A rule's header name: the slot that already has it (built-in or earlier
 * rule), else the first free rule slot; GL_HTTP_E_TOO_LARGE when full.
 */
GL_HTTP_FN int gl_http_want_add(struct gl_http_want *w, const char *name, __u32 n)
{
	__u32 i, k, h = GL_HTTP_FNV32_INIT;

	if (n == 0)
		return GL_HTTP_E_INVAL;
	if (n > GL_HTTP_NAME_MAX)
		return GL_HTTP_E_TOO_LARGE;
	for (i = 0; i < GL_HTTP_NAME_MAX; i++) {
		if (i >= n)
			break;
		h = gl_http_fnv_step(h, gl_http_lower((__u8)name[i]));
	}
	for (i = 0; i < GL_HTTP_SLOT_MAX; i++) {
		const struct gl_http_want_name *wn = &w->name[i];
		int same = wn->len == n && wn->hash == h;

		for (k = 0; same && k < GL_HTTP_NAME_MAX; k++) {
			if (k >= n)
				break;
			if ((__u8)wn->name[k] != gl_http_lower((__u8)name[k]))
				same = 0;
		}
		if (same)
			return (int)i;
	}
	for (i = GL_HTTP_SLOT_RULE; i < GL_HTTP_SLOT_MAX; i++) {
		if (w->name[i].len == 0) {
			int r = gl_http_want_set(w, i, name, n);

			return r < 0 ? r : (int)i;
		}
	}
	return GL_HTTP_E_TOO_LARGE;
}

/* The slot whose name is the n bytes at `at` (hash: of their lowercase), or GL_HTTP_SLOT_NONE. */
GL_HTTP_FN __u8 gl_http_want_find(const struct gl_http_want *w, const __u8 *buf, __u32 at,
				  __u32 n, __u32 hash)
{
	const struct gl_http_want_name *wn;
	__u32 i, slot = GL_HTTP_SLOT_NONE;

	if (n == 0 || n > GL_HTTP_NAME_MAX)
		return GL_HTTP_SLOT_NONE;
	for (i = 0; i < GL_HTTP_SLOT_MAX; i++) {
		if (w->name[i].len == n && w->name[i].hash == hash) {
			slot = i;
			break;
		}
	}
	if (slot == GL_HTTP_SLOT_NONE)
		return GL_HTTP_SLOT_NONE;
	wn = &w->name[slot & (GL_HTTP_WANT_SLOTS - 1)];
	if (!gl_http_cmp(buf, at, (const __u8 *)wn->name, n, 1, 1))
		return GL_HTTP_SLOT_NONE;
	return (__u8)slot;
}

/* ---- request head ---- */

enum gl_http_hstate {
	GL_HS_TARGET = 0,	/* request-target, up to SP */
	GL_HS_VERSION,		/* HTTP-version, up to CR */
	GL_HS_RL_LF,		/* LF of the request line */
	GL_HS_LINE,		/* first byte of a header line or of the empty line */
	GL_HS_NAME,		/* field name, up to ':' */
	GL_HS_OWS,		/* blanks after ':' */
	GL_HS_VALUE,		/* field value, up to CR */
	GL_HS_LF,		/* LF of a header line */
	GL_HS_END_LF,		/* LF of the empty line */
};

/* where the target parse is, to find the path of an absolute-form target */
enum gl_http_tstate {
	GL_TS_START = 0,	/* first byte */
	GL_TS_PATH,		/* in the path */
	GL_TS_SCHEME,		/* absolute-form scheme, or authority-form */
	GL_TS_COLON,		/* ':' after the scheme */
	GL_TS_SLASH,		/* "://" */
	GL_TS_AUTH,		/* authority, up to the path's '/' */
	GL_TS_NOPATH,		/* not absolute-form: no path */
	GL_TS_QUERY,		/* after '?' */
};

enum gl_http_clstate {
	GL_CL_NONE = 0,		/* no digit of this element yet */
	GL_CL_DIGITS,
	GL_CL_AFTER,		/* blanks after the digits */
};

/* scan flags */
#define GL_HTTP_SF_HAVE_CL	0x01
#define GL_HTTP_SF_TE		0x02
#define GL_HTTP_SF_TE_CHUNKED	0x04	/* the last Transfer-Encoding line ends with chunked */

/* One step of a head parse (gl_http_head_unit): pointers and bounds */
struct gl_http_hctx {
	const __u8 *buf;
	const struct gl_http_want *want;
	struct gl_http_head *h;
	__u32 end;	/* no byte at or after this is read */
	__s32 rc;	/* head end or GL_HTTP_E_* when the step stopped the parse */
	__u32 pad;
};

GL_HTTP_FN long gl_http_fail(struct gl_http_hctx *x, int err, __u8 reason)
{
	x->rc = err;
	x->h->reason = reason;
	return 1;
}

GL_HTTP_FN long gl_http_target_byte(struct gl_http_hctx *x, __u32 pos, __u8 c)
{
	struct gl_http_head *h = x->h;
	struct gl_http_scan *s = &h->scan;
	__u8 t = s->tsub;

	if (c == ' ') {
		if (t == GL_TS_START)
			return gl_http_fail(x, GL_HTTP_E_MALFORMED, GL_HTTP_R_TARGET);
		h->target.len = (__u16)(pos - h->target.off);
		if (t == GL_TS_AUTH)
			h->authority.len = (__u16)(pos - h->authority.off);
		if (t == GL_TS_PATH)
			h->path.len = (__u16)(pos - h->path.off);
		if (t == GL_TS_QUERY)
			h->query.len = (__u16)(pos - h->query.off);
		else
			h->query.off = (__u16)pos;	/* none: empty, at the target's end */
		s->st = GL_HS_VERSION;
		s->vstart = pos + 1;
		return 0;
	}
	if (c == '\r')
		return gl_http_fail(x, GL_HTTP_E_MALFORMED, GL_HTTP_R_VERSION);
	if (!gl_http_is_vchar(c))
		return gl_http_fail(x, GL_HTTP_E_MALFORMED, GL_HTTP_R_TARGET);
	if (t == GL_TS_START) {
		h->target.off = (__u16)pos;
		h->path.off = (__u16)pos;
	}
	if (c == '?' && t != GL_TS_QUERY) {
		if (t == GL_TS_PATH)
			h->path.len = (__u16)(pos - h->path.off);
		if (t == GL_TS_AUTH)
			h->authority.len = (__u16)(pos - h->authority.off);
		h->flags |= GL_HTTP_HF_QUERY;
		h->query.off = (__u16)(pos + 1);
		s->tsub = GL_TS_QUERY;
		return 0;
	}
	switch (t) {
	case GL_TS_START:
		if (c == '/' || c == '*')
			s->tsub = GL_TS_PATH;
		else
			s->tsub = c == ':' ? GL_TS_COLON : GL_TS_SCHEME;
		break;
	case GL_TS_SCHEME:
		if (c == ':')
			s->tsub = GL_TS_COLON;
		break;
	case GL_TS_COLON:
		s->tsub = c == '/' ? GL_TS_SLASH : GL_TS_NOPATH;
		break;
	case GL_TS_SLASH:
		s->tsub = c == '/' ? GL_TS_AUTH : GL_TS_NOPATH;
		h->authority.off = (__u16)(pos + 1);
		break;
	case GL_TS_AUTH:
		if (c == '/') {
			s->tsub = GL_TS_PATH;
			h->path.off = (__u16)pos;
			h->authority.len = (__u16)(pos - h->authority.off);
		}
		break;
	}
	return 0;
}

GL_HTTP_FN long gl_http_version_byte(struct gl_http_hctx *x, __u32 pos, __u8 c)
{
	struct gl_http_head *h = x->h;
	struct gl_http_scan *s = &h->scan;
	__u32 got;
	__u64 w;

	if (c != '\r') {
		if (pos - s->vstart >= 8 || !gl_http_is_vchar(c))
			return gl_http_fail(x, GL_HTTP_E_MALFORMED, GL_HTTP_R_VERSION);
		return 0;
	}
	if (pos - s->vstart != 8)
		return gl_http_fail(x, GL_HTTP_E_MALFORMED, GL_HTTP_R_VERSION);
	w = gl_http_word(x->buf, s->vstart, pos, 8, 0, &got);
	if (gl_http_word_is(w, got, GL_HTTP_W('H', 'T', 'T', 'P', '/', '1', '.', 0), 7) != 1)
		return gl_http_fail(x, GL_HTTP_E_MALFORMED, GL_HTTP_R_VERSION);
	switch (w >> 56) {
	case '0':
		h->version = GL_HTTP_V10;
		break;
	case '1':
		h->version = GL_HTTP_V11;
		break;
	default:
		return gl_http_fail(x, GL_HTTP_E_MALFORMED, GL_HTTP_R_VERSION);
	}
	s->st = GL_HS_RL_LF;
	return 0;
}

GL_HTTP_FN long gl_http_line_byte(struct gl_http_hctx *x, __u32 pos, __u8 c)
{
	struct gl_http_scan *s = &x->h->scan;

	if (c == '\r') {
		s->st = GL_HS_END_LF;
		return 0;
	}
	if (gl_http_is_blank(c))
		return gl_http_fail(x, GL_HTTP_E_MALFORMED, GL_HTTP_R_OBS_FOLD);
	if (!gl_http_is_tchar(c))
		return gl_http_fail(x, GL_HTTP_E_MALFORMED, GL_HTTP_R_FIELD_NAME);
	s->line = pos;
	s->hash = gl_http_fnv_step(GL_HTTP_FNV32_INIT, gl_http_lower(c));
	s->st = GL_HS_NAME;
	return 0;
}

GL_HTTP_FN long gl_http_name_byte(struct gl_http_hctx *x, __u32 pos, __u8 c)
{
	struct gl_http_scan *s = &x->h->scan;

	if (gl_http_is_tchar(c)) {
		s->hash = gl_http_fnv_step(s->hash, gl_http_lower(c));
		return 0;
	}
	if (c != ':')
		return gl_http_fail(x, GL_HTTP_E_MALFORMED, GL_HTTP_R_FIELD_NAME);
	s->slot = gl_http_want_find(x->want, x->buf, s->line, pos - s->line, s->hash);
	s->cl_st = GL_CL_NONE;
	s->st = GL_HS_OWS;
	return 0;
}

/* One Content-Length element is complete: all must be equal. */
GL_HTTP_FN long gl_http_cl_element(struct gl_http_hctx *x)
{
	struct gl_http_head *h = x->h;
	struct gl_http_scan *s = &h->scan;

	if (s->cl_st == GL_CL_NONE)
		return gl_http_fail(x, GL_HTTP_E_MALFORMED, GL_HTTP_R_CL_INVALID);
	if ((s->flags & GL_HTTP_SF_HAVE_CL) && h->content_length != s->cl)
		return gl_http_fail(x, GL_HTTP_E_MALFORMED, GL_HTTP_R_CL_MISMATCH);
	s->flags |= GL_HTTP_SF_HAVE_CL;
	h->content_length = s->cl;
	s->cl_st = GL_CL_NONE;
	return 0;
}

/* A byte of a Content-Length value other than its line's CR. */
GL_HTTP_FN long gl_http_cl_byte(struct gl_http_hctx *x, __u8 c)
{
	struct gl_http_scan *s = &x->h->scan;

	if (c >= '0' && c <= '9') {
		if (s->cl_st == GL_CL_AFTER)
			return gl_http_fail(x, GL_HTTP_E_MALFORMED, GL_HTTP_R_CL_INVALID);
		if (s->cl_st == GL_CL_NONE) {
			s->cl = 0;
			s->cl_digits = 0;
		}
		if (s->cl || c != '0') {
			if (s->cl_digits >= 18)
				return gl_http_fail(x, GL_HTTP_E_MALFORMED, GL_HTTP_R_CL_TOO_BIG);
			s->cl_digits++;
		}
		s->cl = s->cl * 10 + (__u64)(c - '0');
		s->cl_st = GL_CL_DIGITS;
		return 0;
	}
	if (gl_http_is_blank(c)) {
		if (s->cl_st == GL_CL_DIGITS)
			s->cl_st = GL_CL_AFTER;
		return 0;
	}
	if (c == ',')
		return gl_http_cl_element(x);
	return gl_http_fail(x, GL_HTTP_E_MALFORMED, GL_HTTP_R_CL_INVALID);
}

/* bytes after ':' up to the line's CR (states OWS and VALUE) */
GL_HTTP_FN long gl_http_value_byte(struct gl_http_hctx *x, __u32 pos, __u8 c)
{
	struct gl_http_scan *s = &x->h->scan;

	if (c == '\r') {
		if (s->st == GL_HS_OWS) {
			s->vstart = pos;
			s->vend = pos;
		}
		s->st = GL_HS_LF;
		if (s->slot == GL_HTTP_SLOT_CONTENT_LENGTH)
			return gl_http_cl_element(x);
		return 0;
	}
	if (!gl_http_is_value_byte(c))
		return gl_http_fail(x, GL_HTTP_E_MALFORMED, GL_HTTP_R_FIELD_VALUE);
	if (!gl_http_is_blank(c)) {
		if (s->st == GL_HS_OWS) {
			s->vstart = pos;
			s->st = GL_HS_VALUE;
		}
		s->vend = pos + 1;
	}
	if (s->slot == GL_HTTP_SLOT_CONTENT_LENGTH)
		return gl_http_cl_byte(x, c);
	return 0;
}

/* Does the value's last list element read "chunked" (any case)? */
GL_HTTP_FN int gl_http_ends_chunked(const __u8 *buf, __u32 off, __u32 n)
{
	__u32 got, at;
	__u64 w;
	__u8 c;

	if (n < 7)
		return 0;
	at = off + n - 7;
	w = gl_http_word(buf, at, at + 7, 7, 1, &got);
	if (gl_http_word_is(w, got, GL_HTTP_W('c', 'h', 'u', 'n', 'k', 'e', 'd', 0), 7) != 1)
		return 0;
	if (n == 7)
		return 1;
	c = gl_http_at(buf, at - 1);
	return gl_http_is_blank(c) || c == ',';
}

/* LF of a header line at pos: record it. */
GL_HTTP_FN long gl_http_field_commit(struct gl_http_hctx *x, __u32 pos)
{
	struct gl_http_head *h = x->h;
	struct gl_http_scan *s = &h->scan;
	struct gl_http_field *f;
	__u8 slot = s->slot, n;

	s->st = GL_HS_LINE;
	/* any number of lines within GL_HTTP_HEAD_MAX: each is framed the same */
	if (h->nfields < 0xffff)
		h->nfields++;
	if (slot >= GL_HTTP_SLOT_MAX)
		return 0;
	f = &h->field[slot & (GL_HTTP_WANT_SLOTS - 1)];
	if (f->count == 0) {
		f->value.off = (__u16)s->vstart;
		f->value.len = (__u16)(s->vend - s->vstart);
		f->line.off = (__u16)s->line;
		f->line.len = (__u16)(pos + 1 - s->line);
	}
	if (f->count < 0xffff)
		f->count++;
	switch (slot) {
	case GL_HTTP_SLOT_HOST:
		if (f->count > 1)
			return gl_http_fail(x, GL_HTTP_E_MALFORMED, GL_HTTP_R_HOST_DUP);
		break;
	case GL_HTTP_SLOT_TRANSFER_ENCODING:
		s->flags |= GL_HTTP_SF_TE;
		if (gl_http_ends_chunked(x->buf, s->vstart, s->vend - s->vstart))
			s->flags |= GL_HTTP_SF_TE_CHUNKED;
		else
			s->flags &= ~GL_HTTP_SF_TE_CHUNKED;
		break;
	case GL_HTTP_SLOT_LABEL:
	case GL_HTTP_SLOT_LABEL_ALIAS:
		n = h->nlabels;
		if (n >= GL_HTTP_LABEL_LINES_MAX)
			return gl_http_fail(x, GL_HTTP_E_TOO_LARGE, GL_HTTP_R_TOO_MANY_LABELS);
		h->label_line[n & (GL_HTTP_LABEL_LINES_MAX - 1)].off = (__u16)s->line;
		h->label_line[n & (GL_HTTP_LABEL_LINES_MAX - 1)].len = (__u16)(pos + 1 - s->line);
		if (slot == GL_HTTP_SLOT_LABEL_ALIAS)
			h->label_alias |= (__u8)(1u << (n & 7));
		h->nlabels = n + 1;
		break;
	case GL_HTTP_SLOT_COOKIE:
		n = h->ncookies;
		if (n > GL_HTTP_COOKIE_LINES_MAX)
			break;	/* more than can be read as one list: counted once */
		if (n < GL_HTTP_COOKIE_LINES_MAX) {
			h->cookie_line[n & (GL_HTTP_COOKIE_LINES_MAX - 1)].off = (__u16)s->vstart;
			h->cookie_line[n & (GL_HTTP_COOKIE_LINES_MAX - 1)].len =
				(__u16)(s->vend - s->vstart);
		}
		h->ncookies = n + 1;
		break;
	}
	return 0;
}

/* LF of the empty line at pos: decide the body's framing. */
GL_HTTP_FN long gl_http_head_finish(struct gl_http_hctx *x, __u32 pos)
{
	struct gl_http_head *h = x->h;
	__u8 fl = h->scan.flags;

	if (fl & GL_HTTP_SF_TE) {
		if (fl & GL_HTTP_SF_HAVE_CL)
			return gl_http_fail(x, GL_HTTP_E_MALFORMED, GL_HTTP_R_CL_AND_TE);
		if (h->version == GL_HTTP_V10)
			return gl_http_fail(x, GL_HTTP_E_MALFORMED, GL_HTTP_R_TE_HTTP10);
		if (!(fl & GL_HTTP_SF_TE_CHUNKED))
			return gl_http_fail(x, GL_HTTP_E_MALFORMED, GL_HTTP_R_TE_NOT_CHUNKED);
		h->framing = GL_HTTP_FRAME_CHUNKED;
	} else if (fl & GL_HTTP_SF_HAVE_CL) {
		h->framing = GL_HTTP_FRAME_LENGTH;
	}
	h->end = (__u16)(pos + 1);
	x->rc = (__s32)(pos + 1);
	return 1;
}

/* Eight bytes of a field name, all token characters: hashed as the
 * byte-by-byte state would, one byte after the other. 0 when one is not. */
GL_HTTP_FN int gl_http_name_fast(struct gl_http_scan *s, __u64 w)
{
	__u32 h = s->hash, i;

	GL_HTTP_UNROLL
	for (i = 0; i < 8; i++)
		if (!gl_http_is_tchar((__u8)(w >> (8 * i))))
			return 0;
	GL_HTTP_UNROLL
	for (i = 0; i < 8; i++)
		h = gl_http_fnv_step(h, gl_http_lower((__u8)(w >> (8 * i))));
	s->hash = h;
	return 1;
}

/*
 * Eight bytes at once where none of them can change anything but the end of
 * a name, value or target: inside a field name when all are token
 * characters; inside a header value (not Content-Length: its digits are read
 * one by one) when all are visible or SP and the last is not SP; inside a
 * path or query when all are visible and none is '?'. The byte-by-byte
 * states below give the same result for such words, only several times
 * slower (each byte is one callback of some 40 instructions).
 */
GL_HTTP_FN int gl_http_head_fast(struct gl_http_hctx *x, __u32 pos)
{
	struct gl_http_scan *s = &x->h->scan;
	__u32 p = pos & GL_HTTP_BUF_MASK;
	__u64 w;

	if (pos + 8 > x->end || p > GL_HTTP_BUF_SIZE - 8)
		return 0;
	if (s->st == GL_HS_NAME) {
		if (!gl_http_name_fast(s, gl_http_load8(x->buf, p)))
			return 0;
	} else if (s->st == GL_HS_VALUE) {
		if (s->slot == GL_HTTP_SLOT_CONTENT_LENGTH)
			return 0;
		w = gl_http_load8(x->buf, p);
		if (GL_HTTP_HASLESS(w, 0x20) || GL_HTTP_HASBYTE(w, 0x7f) || (w >> 56) == ' ')
			return 0;
		s->vend = pos + 8;
	} else if (s->st == GL_HS_TARGET && (s->tsub == GL_TS_PATH || s->tsub == GL_TS_QUERY)) {
		w = gl_http_load8(x->buf, p);
		if (GL_HTTP_HASLESS(w, 0x21) || GL_HTTP_HASBYTE(w, 0x7f) || GL_HTTP_HASBYTE(w, '?'))
			return 0;
	} else {
		return 0;
	}
	s->pos = pos + 8;
	return 1;
}

/* One step: eight plain bytes, or one byte through the states. */
GL_HTTP_FN long gl_http_head_step(struct gl_http_hctx *x)
{
	struct gl_http_head *h = x->h;
	__u32 pos = h->scan.pos;
	__u8 st, c;

	if (pos >= x->end)
		return 1;
#ifndef GL_HTTP_NO_FAST	/* tests build the byte-only parser too and compare */
	if (gl_http_head_fast(x, pos))
		return 0;
#endif
	h->scan.pos = pos + 1;
	c = gl_http_at(x->buf, pos);
	st = h->scan.st;
	if (c == '\n' && st != GL_HS_RL_LF && st != GL_HS_LF && st != GL_HS_END_LF)
		return gl_http_fail(x, GL_HTTP_E_MALFORMED, GL_HTTP_R_LINE_END);
	switch (st) {
	case GL_HS_TARGET:
		return gl_http_target_byte(x, pos, c);
	case GL_HS_VERSION:
		return gl_http_version_byte(x, pos, c);
	case GL_HS_RL_LF:
		if (c != '\n')
			break;
		h->line_end = (__u16)(pos + 1);
		h->scan.st = GL_HS_LINE;
		return 0;
	case GL_HS_LINE:
		return gl_http_line_byte(x, pos, c);
	case GL_HS_NAME:
		return gl_http_name_byte(x, pos, c);
	case GL_HS_OWS:
	case GL_HS_VALUE:
		return gl_http_value_byte(x, pos, c);
	case GL_HS_LF:
		if (c != '\n')
			break;
		return gl_http_field_commit(x, pos);
	case GL_HS_END_LF:
		if (c != '\n')
			break;
		return gl_http_head_finish(x, pos);
	}
	return gl_http_fail(x, GL_HTTP_E_MALFORMED, GL_HTTP_R_LINE_END);
}

/*
 * The step as a verification unit: every state of the head parser is
 * checked once, not once per pass of the loop below. 1 when the parse
 * stopped, h->scan.rc then says how.
 */
GL_HTTP_UNIT int gl_http_head_unit(const struct gl_http_bytes *buf,
				   const struct gl_http_want *want, struct gl_http_head *h,
				   __u32 end)
{
	struct gl_http_hctx x;
	long stop;

	if (!buf || !want || !h)
		return 1;
	x.buf = buf->b;
	x.want = want;
	x.h = h;
	x.end = end;
	x.rc = 0;
	x.pad = 0;
	stop = gl_http_head_step(&x);
	if (stop)
		h->scan.rc = x.rc;
	return stop ? 1 : 0;
}

/* bpf_loop context of a head parse: what the unit is handed, unchanged */
struct gl_http_hloop {
	const struct gl_http_bytes *buf;
	const struct gl_http_want *want;
	struct gl_http_head *h;
	__u32 end;
	__u32 pad;
};

GL_HTTP_CB gl_http_head_cb(__u32 index, void *vctx)
{
	struct gl_http_hloop *x = vctx;

	(void)index;
	return gl_http_head_unit(x->buf, x->want, x->h, x->end) ? 1 : 0;
}

/*
 * Parses the request head that starts at off, using bytes below len.
 * Returns the offset just after the head (h->end: where its body, or the
 * next request, starts), or GL_HTTP_E_INCOMPLETE (cork and call again with
 * more bytes; the result is the same whatever the split), GL_HTTP_E_TOO_LARGE
 * or GL_HTTP_E_MALFORMED with h->reason set. `want` names the headers to
 * record (gl_http_want_*). In BPF, h should be a map value: the parser keeps
 * its state there, so the verifier does not track it byte by byte.
 */
GL_HTTP_FN int gl_http_parse_head(const __u8 *buf, __u32 off, __u32 len,
				  const struct gl_http_want *want, struct gl_http_head *h)
{
	struct gl_http_hloop x;
	__u32 mlen = 0, end, base;
	int m;

	__builtin_memset(h, 0, sizeof(*h));
	if (len > GL_HTTP_BUF_SIZE)
		len = GL_HTTP_BUF_SIZE;
	if (off >= len)
		return GL_HTTP_E_INCOMPLETE;
	m = gl_http_method(buf, off, len, &mlen);
	if (m == GL_HTTP_E_INCOMPLETE)
		return GL_HTTP_E_INCOMPLETE;
	if (m <= 0) {
		h->reason = GL_HTTP_R_METHOD;
		return GL_HTTP_E_MALFORMED;
	}
	h->start = (__u16)off;
	h->method = (__u8)m;
	h->meth.off = (__u16)off;
	h->meth.len = (__u16)mlen;
	h->scan.slot = GL_HTTP_SLOT_NONE;
	h->scan.pos = off + mlen + 1;
	end = len - off > GL_HTTP_HEAD_MAX ? off + GL_HTTP_HEAD_MAX : len;
	base = off + mlen + 1;
	x.buf = (const struct gl_http_bytes *)buf;
	x.want = want;
	x.h = h;
	x.end = end;
	x.pad = 0;
	/* every step takes at least one byte: end - base steps are enough */
	if (base < end)
		gl_http_loop(end - base, gl_http_head_cb, &x);
	if (h->scan.rc)
		return h->scan.rc;
	if (len - off >= GL_HTTP_HEAD_MAX) {
		h->reason = GL_HTTP_R_HEAD_TOO_LARGE;
		return GL_HTTP_E_TOO_LARGE;
	}
	return GL_HTTP_E_INCOMPLETE;
}

/* ---- body ---- */

/* Starts skipping a body framed so (enum gl_http_framing; length with GL_HTTP_FRAME_LENGTH). */
GL_HTTP_FN void gl_http_body_start(struct gl_http_body *b, __u8 framing, __u64 length)
{
	__builtin_memset(b, 0, sizeof(*b));
	if (framing == GL_HTTP_FRAME_CHUNKED) {
		b->state = GL_HTTP_BODY_SIZE;
	} else if (framing == GL_HTTP_FRAME_LENGTH && length) {
		b->state = GL_HTTP_BODY_LENGTH;
		b->left = length;
	}
}

/* Starts skipping the body of a parsed head. */
GL_HTTP_FN void gl_http_body_begin(struct gl_http_body *b, const struct gl_http_head *h)
{
	gl_http_body_start(b, h->framing, h->content_length);
}

GL_HTTP_FN int gl_http_body_done(const struct gl_http_body *b)
{
	return b->state == GL_HTTP_BODY_DONE;
}

/*
 * A body whose next bytes are data (a Content-Length body, or inside a
 * chunk) is skipped without looking at them: consumes up to n bytes and
 * returns how many. Lets a caller skip data it never copied.
 */
GL_HTTP_FN __u64 gl_http_body_advance(struct gl_http_body *b, __u64 n)
{
	if (b->state != GL_HTTP_BODY_LENGTH && b->state != GL_HTTP_BODY_DATA)
		return 0;
	if (n < b->left) {
		b->left -= n;
		return n;
	}
	n = b->left;
	b->left = 0;
	b->state = b->state == GL_HTTP_BODY_LENGTH ? GL_HTTP_BODY_DONE : GL_HTTP_BODY_DATA_CR;
	return n;
}

struct gl_http_bctx {
	const __u8 *buf;
	struct gl_http_body *b;
	__u32 base;	/* position of iteration 0 of a byte run */
	__u32 pos;	/* cursor */
	__u32 len;
	__u32 pad;
};

GL_HTTP_FN long gl_http_body_fail(struct gl_http_body *b, int err, __u8 reason)
{
	b->state = GL_HTTP_BODY_ERROR;
	b->err = (__s8)err;
	b->reason = reason;
	return 1;
}

GL_HTTP_FN long gl_http_body_size_byte(struct gl_http_body *b, __u8 c)
{
	int d = gl_http_hexval(c);

	if (d >= 0) {
		if (b->left >> 59)
			return gl_http_body_fail(b, GL_HTTP_E_TOO_LARGE, GL_HTTP_R_CHUNK_TOO_BIG);
		if (++b->line > GL_HTTP_CHUNK_LINE_MAX)
			return gl_http_body_fail(b, GL_HTTP_E_TOO_LARGE, GL_HTTP_R_CHUNK_LINE_TOO_LONG);
		b->left = b->left * 16 + (__u64)d;
		return 0;
	}
	if (b->line == 0)
		return gl_http_body_fail(b, GL_HTTP_E_MALFORMED, GL_HTTP_R_CHUNK_SIZE);
	if (c == '\r')
		b->state = GL_HTTP_BODY_SIZE_LF;
	else if (c == ';' || gl_http_is_blank(c))
		b->state = GL_HTTP_BODY_EXT;
	else
		return gl_http_body_fail(b, GL_HTTP_E_MALFORMED, GL_HTTP_R_CHUNK_SIZE);
	return 0;
}

/* A byte of a trailer line or of the chunk extensions: any but controls other than HTAB. */
GL_HTTP_FN int gl_http_body_text(__u8 c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

GL_HTTP_FN long gl_http_body_trailer_count(struct gl_http_body *b)
{
	if (++b->line > GL_HTTP_TRAILERS_MAX)
		return gl_http_body_fail(b, GL_HTTP_E_TOO_LARGE, GL_HTTP_R_TRAILER_TOO_LARGE);
	return 0;
}

/* One byte of a chunked body outside chunk data. Stops when data begins or the body ends. */
GL_HTTP_CB gl_http_body_byte(__u32 index, void *vctx)
{
	struct gl_http_bctx *x = vctx;
	struct gl_http_body *b = x->b;
	__u32 pos = x->base + index;
	__u8 c;

	if (pos >= x->len)
		return 1;
	c = gl_http_at(x->buf, pos);
	switch (b->state) {
	case GL_HTTP_BODY_SIZE:
		return gl_http_body_size_byte(b, c);
	case GL_HTTP_BODY_EXT:
		if (c == '\r') {
			b->state = GL_HTTP_BODY_SIZE_LF;
			return 0;
		}
		if (!gl_http_body_text(c))
			return gl_http_body_fail(b, GL_HTTP_E_MALFORMED, GL_HTTP_R_CHUNK_SIZE);
		if (++b->line > GL_HTTP_CHUNK_LINE_MAX)
			return gl_http_body_fail(b, GL_HTTP_E_TOO_LARGE, GL_HTTP_R_CHUNK_LINE_TOO_LONG);
		return 0;
	case GL_HTTP_BODY_SIZE_LF:
		if (c != '\n')
			return gl_http_body_fail(b, GL_HTTP_E_MALFORMED, GL_HTTP_R_CHUNK_SIZE);
		b->line = 0;
		if (b->left == 0) {
			b->state = GL_HTTP_BODY_TRAILER;
			return 0;
		}
		b->state = GL_HTTP_BODY_DATA;
		return 1;
	case GL_HTTP_BODY_DATA_CR:
		if (c != '\r')
			return gl_http_body_fail(b, GL_HTTP_E_MALFORMED, GL_HTTP_R_CHUNK_DATA_END);
		b->state = GL_HTTP_BODY_DATA_LF;
		return 0;
	case GL_HTTP_BODY_DATA_LF:
		if (c != '\n')
			return gl_http_body_fail(b, GL_HTTP_E_MALFORMED, GL_HTTP_R_CHUNK_DATA_END);
		b->state = GL_HTTP_BODY_SIZE;
		b->left = 0;
		b->line = 0;
		return 0;
	case GL_HTTP_BODY_TRAILER:
		if (c == '\r') {
			b->state = GL_HTTP_BODY_END_LF;
			return 0;
		}
		if (!gl_http_is_tchar(c))
			return gl_http_body_fail(b, GL_HTTP_E_MALFORMED, GL_HTTP_R_TRAILER);
		b->state = GL_HTTP_BODY_TRAILER_LINE;
		return gl_http_body_trailer_count(b);
	case GL_HTTP_BODY_TRAILER_LINE:
		if (c == '\r') {
			b->state = GL_HTTP_BODY_TRAILER_LF;
			return 0;
		}
		if (!gl_http_body_text(c))
			return gl_http_body_fail(b, GL_HTTP_E_MALFORMED, GL_HTTP_R_TRAILER);
		return gl_http_body_trailer_count(b);
	case GL_HTTP_BODY_TRAILER_LF:
		if (c != '\n')
			return gl_http_body_fail(b, GL_HTTP_E_MALFORMED, GL_HTTP_R_TRAILER);
		b->state = GL_HTTP_BODY_TRAILER;
		return 0;
	case GL_HTTP_BODY_END_LF:
		if (c != '\n')
			return gl_http_body_fail(b, GL_HTTP_E_MALFORMED, GL_HTTP_R_TRAILER);
		b->state = GL_HTTP_BODY_DONE;
		return 1;
	}
	return 1;
}

/* One step: skip data at once, or run bytes until data begins or the body ends. */
GL_HTTP_FN long gl_http_body_step(struct gl_http_bctx *x)
{
	struct gl_http_body *b = x->b;
	__u32 pos = x->pos, avail;
	__u8 st = b->state;
	long n;

	if (pos >= x->len || st == GL_HTTP_BODY_DONE || st == GL_HTTP_BODY_ERROR)
		return 1;
	if (st == GL_HTTP_BODY_LENGTH || st == GL_HTTP_BODY_DATA) {
		avail = x->len - pos;
		x->pos = pos + (__u32)gl_http_body_advance(b, avail);
		return 0;
	}
	x->base = pos;
	n = gl_http_loop(x->len - pos, gl_http_body_byte, x);
	if (n <= 0)
		return 1;
	x->pos = pos + (__u32)n;
	return 0;
}

/* The step as a verification unit: the position after it, or -1 when skipping stopped. */
GL_HTTP_UNIT int gl_http_body_unit(const struct gl_http_bytes *buf, struct gl_http_body *b,
				   __u32 pos, __u32 len)
{
	struct gl_http_bctx x;

	if (!buf || !b)
		return -1;
	x.buf = buf->b;
	x.b = b;
	x.base = pos;
	x.pos = pos;
	x.len = len;
	x.pad = 0;
	if (gl_http_body_step(&x))
		return -1;
	return (int)(x.pos & 0x7fffffff);
}

/* bpf_loop context of body skipping */
struct gl_http_bloop {
	const struct gl_http_bytes *buf;
	struct gl_http_body *b;
	__u32 pos;	/* cursor */
	__u32 len;
};

GL_HTTP_CB gl_http_body_cb(__u32 index, void *vctx)
{
	struct gl_http_bloop *x = vctx;
	int r = gl_http_body_unit(x->buf, x->b, x->pos, x->len);

	(void)index;
	if (r < 0)
		return 1;
	x->pos = (__u32)r;
	return 0;
}

/*
 * Skips body bytes [off, len) of the buffer, carrying `b` across calls (one
 * per send(), each with its own buffer). Returns the offset where it
 * stopped: if gl_http_body_done(b), the body ended there and the next
 * request starts there; otherwise it is len, all consumed, more body to
 * come. GL_HTTP_E_MALFORMED or GL_HTTP_E_TOO_LARGE (sticky) with b->reason.
 */
GL_HTTP_FN int gl_http_body_skip(struct gl_http_body *b, const __u8 *buf, __u32 off, __u32 len)
{
	struct gl_http_bloop x;

	if (len > GL_HTTP_BUF_SIZE)
		len = GL_HTTP_BUF_SIZE;
	if (off > len)
		off = len;
	x.buf = (const struct gl_http_bytes *)buf;
	x.b = b;
	x.pos = off;
	x.len = len;
	/* every step but the last consumes at least one byte */
	if (off < len && b->state != GL_HTTP_BODY_DONE && b->state != GL_HTTP_BODY_ERROR)
		gl_http_loop(len - off + 1, gl_http_body_cb, &x);
	if (b->state == GL_HTTP_BODY_ERROR)
		return b->err;
	return (int)x.pos;
}

/* ---- helpers for rule evaluation ---- */

GL_HTTP_FN struct gl_http_span gl_http_span_of(__u32 off, __u32 len)
{
	struct gl_http_span s = { .off = (__u16)off, .len = (__u16)len };

	return s;
}

/* pat is GL_HTTP_PATTERN_MAX bytes of caller memory (a map value field), n of them used */
GL_HTTP_FN int gl_http_span_eq(const __u8 *buf, struct gl_http_span s, const __u8 *pat,
			       __u32 n, int ci)
{
	return s.len == n && gl_http_cmp(buf, s.off, pat, n, 0, ci);
}

GL_HTTP_FN int gl_http_span_prefix(const __u8 *buf, struct gl_http_span s, const __u8 *pat,
				   __u32 n, int ci)
{
	return s.len >= n && gl_http_cmp(buf, s.off, pat, n, 0, ci);
}

GL_HTTP_FN int gl_http_span_suffix(const __u8 *buf, struct gl_http_span s, const __u8 *pat,
				   __u32 n, int ci)
{
	return s.len >= n && gl_http_cmp(buf, (__u32)s.off + s.len - n, pat, n, 0, ci);
}

struct gl_http_findctx {
	const __u8 *buf;
	const __u8 *pat;
	__u32 base;	/* first candidate start */
	__u32 last;	/* last candidate start */
	__u32 n;
	__u32 ci;
	__u32 found;
	__u32 pad;
};

GL_HTTP_CB gl_http_find_step(__u32 index, void *vctx)
{
	struct gl_http_findctx *x = vctx;
	__u32 at = x->base + index;
	__u8 a, b;

	if (at > x->last)
		return 1;
	a = gl_http_at(x->buf, at);
	b = x->pat[0];
	if (x->ci) {
		a = gl_http_lower(a);
		b = gl_http_lower(b);
	}
	if (a != b || !gl_http_cmp(x->buf, at, x->pat, x->n, 0, (int)x->ci))
		return 0;
	x->found = 1;
	return 1;
}

/*
 * Does the span contain pat[0..n)? Naive search with a first-byte filter:
 * at most (span length) x n byte compares, i.e. 8 KiB x 128 in the worst case.
 */
GL_HTTP_FN int gl_http_span_contains(const __u8 *buf, struct gl_http_span s, const __u8 *pat,
				     __u32 n, int ci)
{
	struct gl_http_findctx x;

	if (n > GL_HTTP_PATTERN_MAX || n > s.len)
		return 0;
	if (n == 0)
		return 1;
	x.buf = buf;
	x.pat = pat;
	x.base = s.off;
	x.last = (__u32)s.off + s.len - n;
	x.n = n;
	x.ci = (__u32)ci;
	x.found = 0;
	x.pad = 0;
	gl_http_loop(x.last - x.base + 1, gl_http_find_step, &x);
	return (int)x.found;
}

struct gl_http_hashctx {
	const __u8 *buf;
	__u32 base;
	__u32 end;
	__u32 hash;
	__u32 pad;
};

GL_HTTP_CB gl_http_hash_step(__u32 index, void *vctx)
{
	struct gl_http_hashctx *x = vctx;
	__u32 pos = x->base + index;

	if (pos >= x->end)
		return 1;
	x->hash = gl_http_fnv_step(x->hash, gl_http_at(x->buf, pos));
	return 0;
}

/* FNV-1a-32 of the span's raw bytes (DESIGN.md: the percentage condition). */
GL_HTTP_FN __u32 gl_http_fnv1a32(const __u8 *buf, struct gl_http_span s)
{
	struct gl_http_hashctx x = {
		.buf = buf, .base = s.off, .end = (__u32)s.off + s.len,
		.hash = GL_HTTP_FNV32_INIT, .pad = 0,
	};

	if (s.len)
		gl_http_loop(s.len, gl_http_hash_step, &x);
	return x.hash;
}

/*
 * A key=value list: a query string ('&', raw) or Cookie values (';', blanks
 * trimmed). Cookie lines are one list: [base, end) runs from the first
 * line's value to the last's, and every byte outside the parts (the CRLFs
 * and lines between) is read as a separator, as a server joining the lines
 * with "; " reads them.
 */
struct gl_http_kvctx {
	const __u8 *buf;
	const __u8 *name;
	const struct gl_http_span *parts;	/* NULL: the whole of [base, end) */
	__u32 base;	/* the list is [base, end) */
	__u32 end;
	__u32 n;	/* name length */
	__u32 kstart;	/* key of the current element, or GL_HTTP_NOPOS */
	__u32 kend;
	__u32 eq;	/* its first '=', or GL_HTTP_NOPOS */
	__u32 vstart;	/* value, or GL_HTTP_NOPOS */
	__u32 vend;
	__u8 sep;
	__u8 trim;
	__u8 found;
	__u8 part;	/* the part pos is in or before */
	__u8 nparts;
	__u8 pad[3];
};

/* Is pos inside a part (parts run in order, each after the one before)? */
GL_HTTP_FN int gl_http_kv_in_part(struct gl_http_kvctx *x, __u32 pos)
{
	const struct gl_http_span *p;
	__u32 k = x->part;

	if (!x->parts)
		return 1;
	if (k + 1 < x->nparts &&
	    pos >= x->parts[(k + 1) & (GL_HTTP_COOKIE_LINES_MAX - 1)].off)
		x->part = (__u8)++k;
	p = &x->parts[k & (GL_HTTP_COOKIE_LINES_MAX - 1)];
	return pos >= p->off && pos < (__u32)p->off + p->len;
}

GL_HTTP_FN int gl_http_kv_key_is(struct gl_http_kvctx *x)
{
	if (x->kstart == GL_HTTP_NOPOS || x->kend - x->kstart != x->n)
		return 0;
	return gl_http_cmp(x->buf, x->kstart, x->name, x->n, 1, 0);
}

GL_HTTP_CB gl_http_kv_step(__u32 index, void *vctx)
{
	struct gl_http_kvctx *x = vctx;
	__u32 pos = x->base + index;
	__u8 c;

	if (pos > x->end)
		return 1;
	c = pos == x->end || !gl_http_kv_in_part(x, pos) ? x->sep : gl_http_at(x->buf, pos);
	if (c == x->sep) {
		if (gl_http_kv_key_is(x)) {
			if (x->eq == GL_HTTP_NOPOS) {
				x->vstart = x->kend;
				x->vend = x->kend;
			} else if (x->vstart == GL_HTTP_NOPOS) {
				x->vstart = x->eq + 1;
				x->vend = x->eq + 1;
			}
			x->found = 1;
			return 1;
		}
		x->kstart = GL_HTTP_NOPOS;
		x->eq = GL_HTTP_NOPOS;
		x->vstart = GL_HTTP_NOPOS;
		return 0;
	}
	if (x->trim && gl_http_is_blank(c))
		return 0;
	if (x->eq == GL_HTTP_NOPOS) {
		if (c == '=') {
			x->eq = pos;
			return 0;
		}
		if (x->kstart == GL_HTTP_NOPOS)
			x->kstart = pos;
		x->kend = pos + 1;
		return 0;
	}
	if (x->vstart == GL_HTTP_NOPOS)
		x->vstart = pos;
	x->vend = pos + 1;
	return 0;
}

/* parts[0..nparts): the pieces of list that are the list (NULL: all of it). */
GL_HTTP_FN int gl_http_kv_find(const __u8 *buf, struct gl_http_span list, const __u8 *name,
			       __u32 n, __u8 sep, __u8 trim, const struct gl_http_span *parts,
			       __u32 nparts, struct gl_http_span *val)
{
	struct gl_http_kvctx x;

	if (n > GL_HTTP_NAME_MAX)
		return GL_HTTP_E_TOO_LARGE;
	if (n == 0)
		return 0;
	x.buf = buf;
	x.name = name;
	x.base = list.off;
	x.end = (__u32)list.off + list.len;
	x.n = n;
	x.kstart = GL_HTTP_NOPOS;
	x.kend = GL_HTTP_NOPOS;
	x.eq = GL_HTTP_NOPOS;
	x.vstart = GL_HTTP_NOPOS;
	x.vend = GL_HTTP_NOPOS;
	x.sep = sep;
	x.trim = trim;
	x.found = 0;
	x.parts = parts;
	x.part = 0;
	x.nparts = (__u8)(nparts > GL_HTTP_COOKIE_LINES_MAX ? GL_HTTP_COOKIE_LINES_MAX : nparts);
	x.pad[0] = x.pad[1] = x.pad[2] = 0;
	/* one more iteration than bytes: the end of the list ends its last element */
	gl_http_loop((__u32)list.len + 1, gl_http_kv_step, &x);
	if (!x.found)
		return 0;
	val->off = (__u16)x.vstart;
	val->len = (__u16)(x.vend - x.vstart);
	return 1;
}

/*
 * The value of query parameter name[0..n) (name: GL_HTTP_NAME_MAX bytes of
 * caller memory) in a head's query span: 1 with *val set, 0 when absent.
 * An empty value ("a=" or "a") is a zero-length span just after the '='
 * (after the key without one). Raw bytes: "%61" is not "a".
 */
GL_HTTP_FN int gl_http_query_param(const __u8 *buf, struct gl_http_span query,
				   const __u8 *name, __u32 n, struct gl_http_span *val)
{
	return gl_http_kv_find(buf, query, name, n, '&', 0, 0, 0, val);
}

/* The value of cookie name[0..n) in a Cookie header value; as gl_http_query_param. */
GL_HTTP_FN int gl_http_cookie(const __u8 *buf, struct gl_http_span cookie,
			      const __u8 *name, __u32 n, struct gl_http_span *val)
{
	return gl_http_kv_find(buf, cookie, name, n, ';', 1, 0, 0, val);
}

/* A Host value without its ":port" ("[v6]:port" included). */
GL_HTTP_FN struct gl_http_span gl_http_host_name(const __u8 *buf, struct gl_http_span host)
{
	__u32 i, end = (__u32)host.off + host.len;

	for (i = 1; i <= 6; i++) {
		__u8 c;

		if (i > host.len)
			break;
		c = gl_http_at(buf, end - i);
		if (c == ':') {
			host.len = (__u16)(host.len - i);
			break;
		}
		if (c < '0' || c > '9')
			break;
	}
	return host;
}

struct gl_http_upctx {
	const __u8 *buf;
	__u32 at;
	__u32 end;
	__u32 found;
	__u32 pad;
};

GL_HTTP_CB gl_http_up_step(__u32 i, void *vctx)
{
	struct gl_http_upctx *x = (struct gl_http_upctx *)vctx;
	__u32 got;
	__u64 w = gl_http_word(x->buf, x->at + i, x->end, 7, 1, &got);

	if (got < 7)
		return 1;
	if (w == GL_HTTP_W('u', 'p', 'g', 'r', 'a', 'd', 'e', 0)) {
		x->found = 1;
		return 1;
	}
	return 0;
}

/*
 * Whether bytes of another protocol may follow this head on the connection:
 * CONNECT [RFC 9110 9.3.6], or an upgrade offer (Connection: upgrade, which
 * every Upgrade request carries [RFC 9110 7.8]; any "upgrade" in the first
 * Connection line counts). Whether the server took it shows in what the
 * client sends next.
 */
GL_HTTP_FN int gl_http_upgrades(const __u8 *buf, const struct gl_http_head *h)
{
	const struct gl_http_field *c = &h->field[GL_HTTP_SLOT_CONNECTION];
	struct gl_http_upctx x = { .buf = buf, .at = c->value.off,
				   .end = (__u32)c->value.off + c->value.len };

	if (h->method == GL_HTTP_M_CONNECT)
		return 1;
	if (!c->count || c->value.len < 7)
		return 0;
	gl_http_loop(c->value.len, gl_http_up_step, &x);
	return x.found;
}

/* ---- userspace only: tables for the daemon, tests and messages ---- */
#ifndef __BPF__
#include <string.h>

/* Built-in slots, with the propagation header names (NULL: the defaults). */
static inline int gl_http_want_init(struct gl_http_want *w, const char *label, const char *alias)
{
	static const char *const builtin[GL_HTTP_SLOT_RULE] = {
		[GL_HTTP_SLOT_HOST] = "host",
		[GL_HTTP_SLOT_CONTENT_LENGTH] = "content-length",
		[GL_HTTP_SLOT_TRANSFER_ENCODING] = "transfer-encoding",
		[GL_HTTP_SLOT_CONNECTION] = "connection",
		[GL_HTTP_SLOT_COOKIE] = "cookie",
		[GL_HTTP_SLOT_LABEL] = GL_HTTP_LABEL_HEADER,
		[GL_HTTP_SLOT_LABEL_ALIAS] = GL_HTTP_LABEL_ALIAS,
	};
	__u32 i;
	int r;

	memset(w, 0, sizeof(*w));
	for (i = 0; i < GL_HTTP_SLOT_RULE; i++) {
		const char *n = builtin[i];

		if (i == GL_HTTP_SLOT_LABEL && label)
			n = label;
		if (i == GL_HTTP_SLOT_LABEL_ALIAS && alias)
			n = alias;
		if (!*n)
			continue;	/* an empty alias: none accepted */
		r = gl_http_want_set(w, i, n, (__u32)strlen(n));
		if (r < 0)
			return r;
	}
	return 0;
}

static inline const char *gl_http_reason_name(unsigned int r)
{
	static const char *const names[GL_HTTP_R_MAX] = {
		[GL_HTTP_R_NONE] = "none",
		[GL_HTTP_R_METHOD] = "method",
		[GL_HTTP_R_TARGET] = "target",
		[GL_HTTP_R_VERSION] = "version",
		[GL_HTTP_R_LINE_END] = "line_end",
		[GL_HTTP_R_FIELD_NAME] = "field_name",
		[GL_HTTP_R_OBS_FOLD] = "obs_fold",
		[GL_HTTP_R_FIELD_VALUE] = "field_value",
		[GL_HTTP_R_HOST_DUP] = "host_dup",
		[GL_HTTP_R_CL_INVALID] = "cl_invalid",
		[GL_HTTP_R_CL_MISMATCH] = "cl_mismatch",
		[GL_HTTP_R_CL_TOO_BIG] = "cl_too_big",
		[GL_HTTP_R_TE_NOT_CHUNKED] = "te_not_chunked",
		[GL_HTTP_R_TE_HTTP10] = "te_http10",
		[GL_HTTP_R_CL_AND_TE] = "cl_and_te",
		[GL_HTTP_R_HEAD_TOO_LARGE] = "head_too_large",
		[GL_HTTP_R_TOO_MANY_LABELS] = "too_many_labels",
		[GL_HTTP_R_CHUNK_SIZE] = "chunk_size",
		[GL_HTTP_R_CHUNK_TOO_BIG] = "chunk_too_big",
		[GL_HTTP_R_CHUNK_LINE_TOO_LONG] = "chunk_line_too_long",
		[GL_HTTP_R_CHUNK_DATA_END] = "chunk_data_end",
		[GL_HTTP_R_TRAILER] = "trailer",
		[GL_HTTP_R_TRAILER_TOO_LARGE] = "trailer_too_large",
		[GL_HTTP_R_STATUS] = "status",
	};

	return r < GL_HTTP_R_MAX && names[r] ? names[r] : "?";
}

static inline const char *gl_http_err_name(int e)
{
	switch (e) {
	case GL_HTTP_E_INCOMPLETE:
		return "incomplete";
	case GL_HTTP_E_TOO_LARGE:
		return "too_large";
	case GL_HTTP_E_MALFORMED:
		return "malformed";
	case GL_HTTP_E_INVAL:
		return "inval";
	}
	return e >= 0 ? "ok" : "?";
}
#endif /* !__BPF__ */

#endif /* GL_HTTP_H */
