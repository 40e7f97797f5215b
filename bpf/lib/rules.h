/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/*
 * TrafficLabelRule evaluation (DESIGN.md, Rules) on a request head parsed by
 * bpf/lib/http.h. Header-only, like the parser, and compiled into the same
 * places: BPF programs (clang -target bpf, -D__BPF__) and userspace tests,
 * fuzzers and the daemon.
 *
 *	gl_rule_match(buf, head, rule) -> 1 when every item of the rule holds
 *
 * buf and head are what gl_http_parse_head() read and filled, parsed with
 * the wanted-header table the daemon compiled for this workload (gl_wants):
 * the rule's header items name slots of that very table. The rule is a
 * struct gl_rule of include/graylane/abi.h (in BPF a gl_rules map value;
 * nothing of it is copied to the stack).
 *
 * What an item looks at (its field), by type:
 *   header  field[item.want_slot].value: the first line of that header, its
 *           value with surrounding blanks trimmed. want_slot is ABSOLUTE: an
 *           index into struct gl_http_want.name[] and gl_http_head.field[]
 *           (0..GL_HTTP_SLOT_MAX-1), not relative to GL_HTTP_SLOT_RULE, so
 *           that a rule on a header the parser already records (host,
 *           cookie, content-length, the propagation header ...) reads that
 *           built-in slot; the daemon's compiler gives each other name one of
 *           the GL_HTTP_SLOT_RULE.. slots (gl_http_want_add). Header names
 *           match case-insensitively (the parser compares them through the
 *           table); a slot >= GL_HTTP_SLOT_MAX is a missing header.
 *   path    the request-target up to '?' (http.h: absolute-form from the
 *           path's '/', empty when it has none; "*" for asterisk-form).
 *           Always present.
 *   method  the method as sent ("GET"). Always present.
 *   param   the value of the first query parameter named key; raw bytes, no
 *           percent-decoding and no '+' to space ("a%20b" is not "a b", and
 *           a key written "%61" is not "a"); "k" and "k=" have the empty
 *           value; absent without a query or without that key.
 *   cookie  the value of the first cookie named key in the Cookie lines
 *           read as one list, as servers join them ("a=1" and "lane=gray"
 *           are "a=1; lane=gray"), blanks around elements trimmed, no
 *           unquoting; absent without a Cookie header or without that
 *           cookie. Over GL_HTTP_COOKIE_LINES_MAX lines: a cookie item
 *           matches nothing, whatever its condition.
 *   host    the Host header's value as sent, port included ("a.example:8080"),
 *           not lowercased; for an absolute-form target its authority
 *           instead, whatever the Host header says (RFC 9112 3.2.2: the
 *           server does the same). Absent without either.
 *
 * Conditions. Values compare byte for byte, case-sensitively:
 *   ==, !=, prefix, suffix, contains  against value[0..value_len)
 *   in, not_in   equal to one of the nin values value[in_off[i]..+in_len[i]]
 *   exists       the field is present (an empty value is present)
 *   percentage   FNV-1a-32 of the field's raw bytes, mod 100, below percent
 * A missing field matches only != and not_in. An unknown condition or type,
 * or lengths out of range, never match: a broken entry labels nothing.
 * A rule without items matches every head.
 *
 * Verifier. Items, in-list values and byte compares are bpf_loop()
 * callbacks (gl_http_loop), whose contexts on the stack hold pointers and
 * bounds; each helper of http.h is called from one place only, so its
 * callback is verified once per call site. Every index into the rule is
 * masked: item[i & 7], in_off/in_len[k & 7], value[(off + i) & 127], and
 * every buffer read goes through gl_http_at(). Nesting: a caller's loop over
 * rules (1) -> items (2) -> contains / in-list (3) -> byte compare (4).
 */
#ifndef GL_RULES_H
#define GL_RULES_H

#include <graylane/abi.h>
#include "http.h"

_Static_assert((GL_RULE_ITEMS_MAX & (GL_RULE_ITEMS_MAX - 1)) == 0, "items: masked index");
_Static_assert((GL_RULE_IN_MAX & (GL_RULE_IN_MAX - 1)) == 0, "in-list: masked index");
_Static_assert((GL_RULE_VALUE_MAX & (GL_RULE_VALUE_MAX - 1)) == 0, "values: masked index");
_Static_assert(GL_RULE_KEY_MAX == GL_HTTP_NAME_MAX, "keys are what the parser compares");
_Static_assert(GL_RULE_VALUE_MAX == GL_HTTP_PATTERN_MAX, "values are what the parser compares");
_Static_assert(GL_ENTRY_RULES_MAX <= 0xffff, "rule indexes are __u16");

/* ---- in / not_in ---- */

struct gl_rule_cmpctx {
	const __u8 *buf;
	const __u8 *pat;	/* an item's value: GL_RULE_VALUE_MAX bytes */
	__u32 at;		/* buffer position compared with pat[po] */
	__u32 po;
	__u32 diff;
	__u32 pad;
};

/* pat[(po + i) & mask]: the in-list value may start anywhere in the 128 bytes */
GL_HTTP_CB gl_rule_cmp_step(__u32 i, void *vctx)
{
	struct gl_rule_cmpctx *x = vctx;

	if (gl_http_at(x->buf, x->at + i) == x->pat[(x->po + i) & (GL_RULE_VALUE_MAX - 1)])
		return 0;
	x->diff = 1;
	return 1;
}

struct gl_rule_inctx {
	const __u8 *buf;
	const struct gl_match_item *it;
	struct gl_http_span v;	/* the field */
	__u32 nin;
	__u32 found;
	__u32 pad;
};

GL_HTTP_CB gl_rule_in_step(__u32 k, void *vctx)
{
	struct gl_rule_inctx *x = vctx;
	const struct gl_match_item *it = x->it;
	struct gl_rule_cmpctx c;
	__u32 off = it->in_off[k & (GL_RULE_IN_MAX - 1)];
	__u32 n = it->in_len[k & (GL_RULE_IN_MAX - 1)];

	if (n != x->v.len || off + n > GL_RULE_VALUE_MAX)
		return 0;
	c.buf = x->buf;
	c.pat = (const __u8 *)it->value;
	c.at = x->v.off;
	c.po = off;
	c.diff = 0;
	c.pad = 0;
	if (n)
		gl_http_loop(n, gl_rule_cmp_step, &c);
	if (c.diff)
		return 0;
	x->found = 1;
	return 1;
}

/* Is the span one of the item's in-list values? */
GL_HTTP_FN int gl_rule_in(const __u8 *buf, struct gl_http_span v, const struct gl_match_item *it)
{
	struct gl_rule_inctx x;
	__u32 nin = it->nin;

	if (nin > GL_RULE_IN_MAX)
		return 0;
	x.buf = buf;
	x.it = it;
	x.v = v;
	x.nin = nin;
	x.found = 0;
	x.pad = 0;
	if (nin)
		gl_http_loop(nin, gl_rule_in_step, &x);
	return (int)x.found;
}

/* ---- one item ---- */

/* The span an item looks at: 1 with *v set when the head has it, 0 when missing. */
/* The field an item looks at into *v: 1, 0 when absent, -1 when it cannot
 * be read exactly (more Cookie lines than the head records). */
GL_HTTP_FN int gl_rule_field(const __u8 *buf, const struct gl_http_head *h,
			     const struct gl_match_item *it, struct gl_http_span *v)
{
	const struct gl_http_field *f;
	const struct gl_http_span *parts = 0;
	struct gl_http_span list, last;
	__u32 slot, n = it->key_len, nparts = 0;
	__u8 sep = '&', trim = 0;

	switch (it->type) {
	case GL_MATCH_PATH:
		*v = h->path;
		return 1;
	case GL_MATCH_METHOD:
		*v = h->meth;
		return 1;
	case GL_MATCH_PARAM:
		list = h->query;
		goto kv;
	case GL_MATCH_HOST:
		if (h->authority.len) {	/* absolute-form: the target's host wins */
			*v = h->authority;
			return 1;
		}
		slot = GL_HTTP_SLOT_HOST;
		break;
	case GL_MATCH_COOKIE:
		/* every Cookie line, one list (http.h, gl_http_kvctx) */
		nparts = h->ncookies;
		if (nparts > GL_HTTP_COOKIE_LINES_MAX)
			return -1;
		if (!nparts)
			return 0;
		last = h->cookie_line[(nparts - 1) & (GL_HTTP_COOKIE_LINES_MAX - 1)];
		parts = h->cookie_line;
		list.off = parts[0].off;
		list.len = (__u16)((__u32)last.off + last.len - parts[0].off);
		sep = ';';
		trim = 1;
		goto kv;
	case GL_MATCH_HEADER:
		slot = it->want_slot;
		if (slot >= GL_HTTP_SLOT_MAX)
			return 0;
		break;
	default:
		return 0;
	}
	f = &h->field[slot & (GL_HTTP_WANT_SLOTS - 1)];
	if (!f->count)
		return 0;
	*v = f->value;
	return 1;
kv:
	/* one call site for param and cookie: the list scan is verified once */
	if (n == 0 || n > GL_RULE_KEY_MAX)
		return 0;
	return gl_http_kv_find(buf, list, (const __u8 *)it->key, n, sep, trim, parts, nparts,
			       v) == 1;
}

/* Does one item hold for the head? */
GL_HTTP_FN int gl_rule_item(const __u8 *buf, const struct gl_http_head *h,
			    const struct gl_match_item *it)
{
	struct gl_http_span v = { 0, 0 };
	__u32 n = it->value_len, at;
	__u8 cond = it->cond;
	int has = gl_rule_field(buf, h, it, &v), hit;

	if (has < 0)
		return 0;	/* cannot be read exactly: matches nothing */
	if (cond == GL_COND_EXISTS)
		return has;
	if (!has)
		return cond == GL_COND_NE || cond == GL_COND_NOT_IN;
	switch (cond) {
	case GL_COND_EQ:
	case GL_COND_NE:
	case GL_COND_PREFIX:
	case GL_COND_SUFFIX:
		/* one compare call site for the four: where in the span, then the bytes */
		if (n > GL_RULE_VALUE_MAX || v.len < n ||
		    ((cond == GL_COND_EQ || cond == GL_COND_NE) && v.len != n)) {
			hit = 0;
			break;
		}
		at = v.off;
		if (cond == GL_COND_SUFFIX)
			at += (__u32)v.len - n;
		hit = gl_http_cmp(buf, at, (const __u8 *)it->value, n, 0, 0);
		break;
	case GL_COND_CONTAINS:
		if (n > GL_RULE_VALUE_MAX)
			return 0;
		hit = gl_http_span_contains(buf, v, (const __u8 *)it->value, n, 0);
		break;
	case GL_COND_IN:
	case GL_COND_NOT_IN:
		hit = gl_rule_in(buf, v, it);
		break;
	case GL_COND_PERCENTAGE:
		hit = gl_http_fnv1a32(buf, v) % 100 < it->percent;
		break;
	default:
		return 0;
	}
	if (cond == GL_COND_NE || cond == GL_COND_NOT_IN)
		return !hit;
	return hit;
}

/* The item as a verification unit: its field lookups, compares and scans
 * are checked once, not once per pass of the items loop. */
GL_HTTP_UNIT int gl_rule_item_unit(const struct gl_http_bytes *buf, const struct gl_http_head *h,
				   const struct gl_match_item *it)
{
	if (!buf || !h || !it)
		return 0;
	return gl_rule_item(buf->b, h, it) ? 1 : 0;
}

/* ---- a rule: its items ANDed ---- */

struct gl_rule_mctx {
	const __u8 *buf;
	const struct gl_http_head *h;
	const struct gl_rule *r;
	__u32 ok;
	__u32 pad;
};

GL_HTTP_CB gl_rule_item_step(__u32 i, void *vctx)
{
	struct gl_rule_mctx *x = vctx;

	if (gl_rule_item_unit((const struct gl_http_bytes *)x->buf, x->h,
			      &x->r->item[i & (GL_RULE_ITEMS_MAX - 1)]))
		return 0;
	x->ok = 0;
	return 1;
}

/*
 * 1 when every item of r holds for the head h parsed in buf (a rule without
 * items: always), else 0. r->nitems above GL_RULE_ITEMS_MAX: 0.
 */
GL_HTTP_FN int gl_rule_match(const __u8 *buf, const struct gl_http_head *h,
			     const struct gl_rule *r)
{
	struct gl_rule_mctx x;
	__u32 n = r->nitems;

	if (n > GL_RULE_ITEMS_MAX)
		return 0;
	x.buf = buf;
	x.h = h;
	x.r = r;
	x.ok = 1;
	x.pad = 0;
	if (n)
		gl_http_loop(n, gl_rule_item_step, &x);
	return (int)x.ok;
}

#endif /* GL_RULES_H */
