// SPDX-License-Identifier: Apache-2.0
/*
 * libFuzzer target for TrafficLabelRule evaluation (bpf/lib/rules.h).
 *
 * Input: a rule, one item per line, then a line "---", then request bytes:
 *
 *	header == X-User alice
 *	cookie in uid 1,2,3
 *	path prefix - /api/
 *	---
 *	GET /api/x HTTP/1.1\r\nX-User: alice\r\nCookie: uid=2\r\n\r\n
 *
 * An item line is TYPE COND KEY VALUE ("-" for no key; VALUE is the rest of
 * the line, maybe empty). An unknown TYPE or COND word picks one by its
 * first byte, one past the last included, so the fuzzer reaches every one
 * and the invalid one. The item is built as the compiler builds it (header
 * names get a slot of the head's want table; in/not_in lists split on
 * ','); the head is parsed with that table.
 *
 * Checks, beyond crashes and undefined behaviour (ASan/UBSan):
 * - for a rule the compiler could have written and a head the parser
 *   accepts, gl_rule_match agrees with ref_match below: plain C on the
 *   head's text (split lines, strip blanks, compare strings), written from
 *   DESIGN.md and the rules.h header comment, not from rules.h;
 * - the same rule with fields the compiler never writes (slots, lengths,
 *   list offsets, counts scrambled from the input) gives 0 or 1, no crash.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../bpf/lib/rules.h"

static const char *const type_words[] = { "header", "path", "method", "param", "cookie", "host" };
static const char *const cond_words[] = { "==", "!=", "prefix", "suffix", "contains", "in",
					  "not_in", "exists", "percentage" };
_Static_assert(sizeof(type_words) / sizeof(type_words[0]) == GL_MATCH_TYPE_MAX, "types");
_Static_assert(sizeof(cond_words) / sizeof(cond_words[0]) == GL_COND_MAX, "conditions");

static __u8 B[GL_HTTP_BUF_SIZE];

/* ---- the reference: strings ---- */

struct str {
	const char *p;
	size_t n;
};

static bool str_eq(struct str a, struct str b)
{
	return a.n == b.n && (!a.n || !memcmp(a.p, b.p, a.n));
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static struct str strip(struct str s)
{
	while (s.n && is_blank(s.p[0])) {
		s.p++;
		s.n--;
	}
	while (s.n && is_blank(s.p[s.n - 1]))
		s.n--;
	return s;
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static bool same_name(struct str a, struct str b)
{
	if (a.n != b.n)
		return false;
	for (size_t i = 0; i < a.n; i++)
		if (lower((unsigned char)a.p[i]) != lower((unsigned char)b.p[i]))
			return false;
	return true;
}

/* index of c in s, or s.n */
static size_t find(struct str s, char c)
{
	const char *q = s.n ? memchr(s.p, c, s.n) : NULL;

	return q ? (size_t)(q - s.p) : s.n;
}

static struct str sub(struct str s, size_t from, size_t to)
{
	return (struct str){ s.p + from, to - from };
}

/* A head the parser accepted: request line, then "Name: value" lines, CRLF each. */
struct ref_head {
	struct str text;	/* the whole head, the empty line included */
	struct str meth, target;
};

static void ref_head(struct ref_head *r, const char *p, size_t n)
{
	struct str line;
	size_t sp1, sp2;

	r->text = (struct str){ p, n };
	line = sub(r->text, 0, find(r->text, '\r'));
	sp1 = find(line, ' ');
	r->meth = sub(line, 0, sp1);
	line = sub(line, sp1 + 1, line.n);
	sp2 = find(line, ' ');
	r->target = sub(line, 0, sp2);
}

/* The first header line named name (any case): its value, blanks stripped. */
/* The value of the nth line named name (0: the first). */
static bool ref_header_nth(const struct ref_head *r, struct str name, size_t nth, struct str *v)
{
	struct str rest = r->text;
	size_t eol = find(rest, '\r');

	rest = sub(rest, eol + 2, rest.n);	/* past the request line */
	for (;;) {
		struct str line;
		size_t colon;

		eol = find(rest, '\r');
		line = sub(rest, 0, eol);
		if (!line.n)
			return false;	/* the empty line */
		colon = find(line, ':');
		if (same_name(sub(line, 0, colon), name) && !nth--) {
			*v = strip(sub(line, colon + 1, line.n));
			return true;
		}
		rest = sub(rest, eol + 2, rest.n);
	}
}

static bool ref_header(const struct ref_head *r, struct str name, struct str *v)
{
	return ref_header_nth(r, name, 0, v);
}

/* "/p?q" -> "/p"; "scheme://authority/p?q" -> "/p"; anything else: "" */
static struct str ref_path(struct str target)
{
	struct str pre = sub(target, 0, find(target, '?'));
	size_t colon, slash;

	if (pre.n && (pre.p[0] == '/' || pre.p[0] == '*'))
		return pre;
	colon = find(pre, ':');
	if (colon + 3 > pre.n || pre.p[colon + 1] != '/' || pre.p[colon + 2] != '/')
		return sub(pre, 0, 0);
	pre = sub(pre, colon + 3, pre.n);
	slash = find(pre, '/');
	return sub(pre, slash, pre.n);
}

/* "scheme://authority/p?q" -> "authority" (up to '/', '?' or the end); anything else: "" */
static struct str ref_authority(struct str target)
{
	struct str pre = sub(target, 0, find(target, '?'));
	size_t colon;

	if (pre.n && (pre.p[0] == '/' || pre.p[0] == '*'))
		return sub(pre, 0, 0);
	colon = find(pre, ':');
	if (colon + 3 > pre.n || pre.p[colon + 1] != '/' || pre.p[colon + 2] != '/')
		return sub(pre, 0, 0);
	pre = sub(pre, colon + 3, pre.n);
	return sub(pre, 0, find(pre, '/'));
}

static struct str ref_query(struct str target)
{
	size_t q = find(target, '?');

	return q < target.n ? sub(target, q + 1, target.n) : sub(target, 0, 0);
}

/* name=value elements separated by sep; the first named name; cookies strip blanks */
static bool ref_kv(struct str list, struct str name, char sep, bool trim, struct str *v)
{
	if (!name.n)
		return false;
	for (;;) {
		size_t end = find(list, sep), eq;
		struct str el = sub(list, 0, end), k, val;

		eq = find(el, '=');
		k = sub(el, 0, eq);
		val = eq < el.n ? sub(el, eq + 1, el.n) : sub(el, el.n, el.n);
		if (trim) {
			k = strip(k);
			val = strip(val);
		}
		if (str_eq(k, name)) {
			*v = val;
			return true;
		}
		if (end >= list.n)
			return false;
		list = sub(list, end + 1, list.n);
	}
}

/*
 * Cookie lines joined as a server joins them ("a=1" and "lane=gray" are
 * "a=1; lane=gray"): the first line that has the cookie. -1 over
 * GL_HTTP_COOKIE_LINES_MAX lines (the kernel cannot read them exactly).
 */
static int ref_cookie(const struct ref_head *r, struct str key, struct str *v)
{
	struct str line, name = { "cookie", 6 };
	size_t n = 0;
	int found = 0;

	while (ref_header_nth(r, name, n, &line)) {
		if (!found && ref_kv(line, key, ';', true, v))
			found = 1;
		n++;
	}
	return n > GL_HTTP_COOKIE_LINES_MAX ? -1 : found;
}

/* 1 with the field in *v, 0 when absent, -1 when it cannot be read. */
static int ref_field(const struct ref_head *r, const struct gl_match_item *it, struct str *v)
{
	struct str key = { it->key, it->key_len };

	switch (it->type) {
	case GL_MATCH_HEADER:
		return ref_header(r, key, v);
	case GL_MATCH_PATH:
		*v = ref_path(r->target);
		return true;
	case GL_MATCH_METHOD:
		*v = r->meth;
		return true;
	case GL_MATCH_PARAM:
		return ref_kv(ref_query(r->target), key, '&', false, v);
	case GL_MATCH_COOKIE:
		return ref_cookie(r, key, v);
	case GL_MATCH_HOST:
		/* an absolute-form target's authority wins over Host (RFC 9112 3.2.2) */
		*v = ref_authority(r->target);
		return v->n ? true : ref_header(r, (struct str){ "host", 4 }, v);
	}
	return false;
}

static uint32_t ref_fnv(struct str s)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < s.n; i++)
		h = (h ^ (unsigned char)s.p[i]) * 16777619u;
	return h;
}

static bool ref_contains(struct str s, struct str pat)
{
	if (pat.n > s.n)
		return false;
	for (size_t i = 0; i + pat.n <= s.n; i++)
		if (str_eq(sub(s, i, i + pat.n), pat))
			return true;
	return false;
}

static bool ref_item(const struct ref_head *r, const struct gl_match_item *it, struct str list)
{
	struct str v, pat = { it->value, it->value_len };
	int field = ref_field(r, it, &v);
	bool has = field > 0, in = false;

	if (field < 0)
		return false;	/* matches nothing, whatever the condition */
	switch (it->cond) {
	case GL_COND_EQ:
		return has && str_eq(v, pat);
	case GL_COND_NE:
		return !has || !str_eq(v, pat);
	case GL_COND_PREFIX:
		return has && v.n >= pat.n && str_eq(sub(v, 0, pat.n), pat);
	case GL_COND_SUFFIX:
		return has && v.n >= pat.n && str_eq(sub(v, v.n - pat.n, v.n), pat);
	case GL_COND_CONTAINS:
		return has && ref_contains(v, pat);
	case GL_COND_IN:
	case GL_COND_NOT_IN:
		/* the list as written, split on ',' */
		for (;;) {
			size_t end = find(list, ',');

			if (has && str_eq(v, sub(list, 0, end)))
				in = true;
			if (end >= list.n)
				break;
			list = sub(list, end + 1, list.n);
		}
		return it->cond == GL_COND_IN ? has && in : !has || !in;
	case GL_COND_EXISTS:
		return has;
	case GL_COND_PERCENTAGE:
		return has && ref_fnv(v) % 100 < it->percent;
	}
	return false;
}

/* ---- the input ---- */

static int word_index(struct str w, const char *const *words, int n)
{
	for (int i = 0; i < n; i++)
		if (strlen(words[i]) == w.n && !memcmp(words[i], w.p, w.n))
			return i;
	return w.n ? (unsigned char)w.p[0] % (n + 1) : n;
}

/* next space-separated word of *line */
static struct str word(struct str *line)
{
	size_t sp = find(*line, ' ');
	struct str w = sub(*line, 0, sp);

	*line = sp < line->n ? sub(*line, sp + 1, line->n) : sub(*line, line->n, line->n);
	return w;
}

struct rule_in {
	struct gl_rule r;
	struct str lists[GL_RULE_ITEMS_MAX];	/* in/not_in values as written */
	bool valid;				/* something the compiler could write */
};

/* One item line; false when the compiler could not have written it. */
static bool parse_item(struct str line, struct gl_http_want *w, struct gl_match_item *it,
		       struct str *list)
{
	struct str t = word(&line), c = word(&line), k = word(&line);
	bool valid = true;
	int slot;

	memset(it, 0, sizeof(*it));
	it->type = word_index(t, type_words, GL_MATCH_TYPE_MAX);
	it->cond = word_index(c, cond_words, GL_COND_MAX);
	it->want_slot = GL_HTTP_SLOT_NONE;
	valid = it->type < GL_MATCH_TYPE_MAX && it->cond < GL_COND_MAX;
	if (k.n == 1 && k.p[0] == '-')
		k.n = 0;
	if (k.n > GL_RULE_KEY_MAX)
		k.n = GL_RULE_KEY_MAX;
	if (line.n > GL_RULE_VALUE_MAX)
		line.n = GL_RULE_VALUE_MAX;
	memcpy(it->key, k.p, k.n);
	it->key_len = k.n;
	memcpy(it->value, line.p, line.n);
	it->value_len = line.n;
	*list = (struct str){ it->value, it->value_len };
	if (it->type == GL_MATCH_HEADER) {
		slot = k.n ? gl_http_want_add(w, k.p, k.n) : -1;
		if (slot < 0)
			valid = false;
		else
			it->want_slot = slot;
	}
	if ((it->type == GL_MATCH_PARAM || it->type == GL_MATCH_COOKIE) &&
	    (!k.n || find(k, ';') < k.n || find(k, '=') < k.n || find(k, '&') < k.n ||
	     find(k, ' ') < k.n || find(k, '\t') < k.n))
		valid = false;	/* load_match.c refuses such keys */
	if (it->cond == GL_COND_PERCENTAGE) {
		unsigned v = 0;

		for (size_t i = 0; i < line.n && i < 3; i++)
			v = v * 10 + ((unsigned char)line.p[i] % 10);
		it->percent = v > 100 ? 100 : v;
	}
	if (it->cond == GL_COND_IN || it->cond == GL_COND_NOT_IN) {
		size_t start = 0;

		for (size_t i = 0; i <= line.n; i++) {
			if (i < line.n && line.p[i] != ',')
				continue;
			if (it->nin == GL_RULE_IN_MAX) {
				valid = false;
				break;
			}
			it->in_off[it->nin] = start;
			it->in_len[it->nin++] = i - start;
			start = i + 1;
		}
	}
	return valid;
}

/* "items\n---\nhead": the rule into ri, the want table into w; returns the head. */
static struct str parse_input(const uint8_t *data, size_t size, struct rule_in *ri,
			      struct gl_http_want *w)
{
	static const char sep[] = "\n---\n";
	struct str in = { (const char *)data, size }, rules = in, head = { NULL, 0 };

	memset(ri, 0, sizeof(*ri));
	ri->valid = true;
	for (size_t i = 0; i + sizeof(sep) - 1 <= size; i++) {
		if (!memcmp(data + i, sep, sizeof(sep) - 1)) {
			rules = sub(in, 0, i);
			head = sub(in, i + sizeof(sep) - 1, size);
			break;
		}
	}
	while (rules.n && ri->r.nitems < GL_RULE_ITEMS_MAX) {
		size_t eol = find(rules, '\n');
		__u8 k = ri->r.nitems;

		if (!parse_item(sub(rules, 0, eol), w, &ri->r.item[k], &ri->lists[k]))
			ri->valid = false;
		ri->r.nitems = k + 1;
		rules = eol < rules.n ? sub(rules, eol + 1, rules.n) : sub(rules, 0, 0);
	}
	return head;
}

/* Fields the compiler never writes, scrambled by the input's bytes. */
static void scramble(struct gl_rule *r, const uint8_t *data, size_t size)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 16777619u;
	for (int i = 0; i < GL_RULE_ITEMS_MAX; i++) {
		struct gl_match_item *it = &r->item[i];

		h = h * 1103515245u + 12345u;
		switch ((h >> 8) % 8) {
		case 0:
			it->want_slot = h >> 16;
			break;
		case 1:
			it->nin = h >> 16;
			it->in_off[(h >> 24) % GL_RULE_IN_MAX] = h >> 12;
			break;
		case 2:
			it->in_len[(h >> 24) % GL_RULE_IN_MAX] = h >> 16;
			break;
		case 3:
			it->key_len = h >> 16;
			break;
		case 4:
			it->value_len = h >> 16;
			break;
		case 5:
			it->type = h >> 16;
			it->cond = h >> 24;
			break;
		case 6:
			it->percent = h >> 16;
			break;
		}
	}
	r->nitems = (h >> 4) % (GL_RULE_ITEMS_MAX + 2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rule_in ri;
	struct gl_http_want w;
	struct gl_http_head h;
	struct ref_head ref;
	struct str head;
	int rc, got;
	bool want = true;

	if (gl_http_want_init(&w, NULL, NULL))
		abort();
	head = parse_input(data, size, &ri, &w);
	if (head.n > sizeof(B))
		head.n = sizeof(B);
	memset(B, 0, sizeof(B));
	if (head.n)
		memcpy(B, head.p, head.n);
	rc = gl_http_parse_head(B, 0, head.n, &w, &h);
	if (rc <= 0)
		return 0;
	got = gl_rule_match(B, &h, &ri.r);
	if (got != 0 && got != 1)
		abort();
	if (ri.valid) {
		ref_head(&ref, (const char *)B, (size_t)rc);
		for (int i = 0; i < ri.r.nitems; i++)
			want = want && ref_item(&ref, &ri.r.item[i], ri.lists[i]);
		if (got != (int)want) {
			fprintf(stderr, "fuzz_eval: gl_rule_match %d, reference %d\n", got, want);
			abort();
		}
	}
	scramble(&ri.r, data, size);
	got = gl_rule_match(B, &h, &ri.r);
	if (got != 0 && got != 1)
		abort();
	return 0;
}
