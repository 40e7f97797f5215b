// SPDX-License-Identifier: Apache-2.0
/*
 * TrafficLabelRule evaluation (bpf/lib/rules.h) on real request heads parsed
 * by gl_http_parse_head (bpf/lib/http.h), the same source the kernel runs.
 *
 * Part 1 builds one rule per case from {type, condition, key, value} items
 * (header names get their slot from the head's want table, as the compiler
 * does) and checks every condition x type, missing fields, percentages
 * against an independent FNV-1a-32, in/not_in lists, AND of items, header
 * name case, cookie and query parameter edge cases.
 *
 * Part 2 goes the whole way: YAML -> load -> validate -> gl_plan_compile ->
 * the plan's gl_rules and gl_wants entries of the entry workload -> parse
 * heads with that want table -> first matching rule, in index order.
 *
 * One line per case, then "N passed, M failed"; exit status 1 on failure.
 */
#include <stdarg.h>
#include <stdint.h>

#include "common/diag.h"
#include "model/model.h"
#include "plan/plan.h"
#include "rules/rules.h"
#include "testutil.h"
#include "../../bpf/lib/rules.h"

static __u8 B[GL_HTTP_BUF_SIZE];	/* the parse buffer, as in the kernel */

/* ---- an independent reference: FNV-1a-32 as its definition reads ---- */

static uint32_t ref_fnv1a32(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

/* ---- part 1: one rule per case ---- */

struct spec {
	int type, cond;
	const char *key, *value;
};

#define I(t, c, k, v) { GL_MATCH_##t, GL_COND_##c, k, v }

/* A match item as the compiler builds it; header names take a slot of w. */
static int mk_item(const struct spec *s, struct gl_http_want *w, struct gl_match_item *it)
{
	size_t klen = strlen(s->key), vlen = strlen(s->value);

	memset(it, 0, sizeof(*it));
	it->type = s->type;
	it->cond = s->cond;
	it->want_slot = GL_HTTP_SLOT_NONE;
	if (klen > GL_RULE_KEY_MAX || vlen > GL_RULE_VALUE_MAX)
		return -1;
	memcpy(it->key, s->key, klen);
	it->key_len = klen;
	if (s->type == GL_MATCH_HEADER) {
		int slot = gl_http_want_add(w, s->key, klen);

		if (slot < 0)
			return -1;
		it->want_slot = slot;
	}
	memcpy(it->value, s->value, vlen);
	it->value_len = vlen;
	if (s->cond == GL_COND_PERCENTAGE)
		it->percent = atoi(s->value);
	if (s->cond == GL_COND_IN || s->cond == GL_COND_NOT_IN) {
		size_t start = 0;

		for (size_t i = 0; i <= vlen; i++) {
			if (i < vlen && s->value[i] != ',')
				continue;
			if (it->nin == GL_RULE_IN_MAX)
				return -1;
			it->in_off[it->nin] = start;
			it->in_len[it->nin++] = i - start;
			start = i + 1;
		}
	}
	return 0;
}

/* Builds the rule, parses req with the resulting want table, evaluates: 1, 0, or -1 (setup). */
static int eval_rule(const char *req, const struct spec *items, size_t n, struct gl_rule *r)
{
	struct gl_http_want w;
	struct gl_http_head h;
	size_t len = strlen(req);

	memset(r, 0, sizeof(*r));
	if (gl_http_want_init(&w, NULL, NULL) || n > GL_RULE_ITEMS_MAX || len > sizeof(B))
		return -1;
	for (size_t i = 0; i < n; i++)
		if (mk_item(&items[i], &w, &r->item[i]))
			return -1;
	r->nitems = n;
	r->lane = 1;
	memset(B, 0, sizeof(B));
	memcpy(B, req, len);
	if (gl_http_parse_head(B, 0, len, &w, &h) <= 0)
		return -1;
	return gl_rule_match(B, &h, r);
}

static void check_rule(const char *name, const char *req, int want, const struct spec *items,
		       size_t n)
{
	struct gl_rule r;
	int got = eval_rule(req, items, n, &r);

	if (got != want)
		fprintf(stderr, "--- %s: got %d, want %d\n", name, got, want);
	t_check(got == want, name);
}

#define CASE(name, req, want, ...)						\
	do {									\
		const struct spec it_[] = { __VA_ARGS__ };			\
		check_rule(name, req, want, it_, sizeof(it_) / sizeof(it_[0]));	\
	} while (0)

/* A rule with no items, and one built by hand (for what the compiler never writes). */
static void check_raw(const char *name, const char *req, int want, const struct gl_rule *r)
{
	struct gl_http_want w;
	struct gl_http_head h;
	size_t len = strlen(req);
	int got = -1;

	memset(B, 0, sizeof(B));
	memcpy(B, req, len);
	if (!gl_http_want_init(&w, NULL, NULL) && gl_http_parse_head(B, 0, len, &w, &h) > 0)
		got = gl_rule_match(B, &h, r);
	if (got != want)
		fprintf(stderr, "--- %s: got %d, want %d\n", name, got, want);
	t_check(got == want, name);
}

static const char H1[] =
	"GET /api/v2/items.json?uid=42&region=cn&debug&empty=&ab=1&a=2&a=3&q=%61b+c HTTP/1.1\r\n"
	"Host: shop.example.com:8080\r\n"
	"X-User: alice\r\n"
	"Cookie: session=\"beta\"; uid=12345; e=; ab=9; a=1; a=2\r\n"
	"User-Agent: Mozilla/5.0 (iPhone; Mobile)\r\n"
	"X-Empty:\r\n"
	"X-P: a\r\n"
	"X-Q: foobar\r\n"
	"X-Dup: first\r\n"
	"X-Dup: second\r\n"
	"X-Opensergo-Traffic: gray\r\n"
	"\r\n";

/* absolute-form: its authority is the host, not the Host header */
static const char HABS[] =
	"GET http://gray.example:8080/p HTTP/1.1\r\nHost: base.example\r\n\r\n";
/* no Host, no Cookie, no query, no rule header */
static const char H2[] = "POST /submit HTTP/1.1\r\nContent-Length: 0\r\n\r\n";

/* absolute-form target, header names in other cases */
static const char H3[] =
	"DELETE http://other.example/api/v2/x.json?lane=gray HTTP/1.1\r\n"
	"HOST: Other.Example\r\n"
	"x-USER: Bob\r\n"
	"COOKIE: lane=gray\r\n"
	"\r\n";

/* three Cookie lines, read as servers join them: "a=1; lane=gray; b=2; a=3" */
static const char HCOOK[] =
	"GET / HTTP/1.1\r\n"
	"Cookie: a=1\r\n"
	"X-Between: lane=blue\r\n"
	"cookie:  lane=gray ; b=2 \r\n"
	"COOKIE: a=3\r\n"
	"\r\n";

/* nine Cookie lines: more than a head records (GL_HTTP_COOKIE_LINES_MAX) */
static const char HCOOK9[] =
	"GET / HTTP/1.1\r\nCookie: c=1\r\nCookie: c=2\r\nCookie: c=3\r\nCookie: c=4\r\n"
	"Cookie: c=5\r\nCookie: c=6\r\nCookie: c=7\r\nCookie: c=8\r\nCookie: lane=gray\r\n\r\n";

/* eight: all read */
static const char HCOOK8[] =
	"GET / HTTP/1.1\r\nCookie: c=1\r\nCookie: c=2\r\nCookie: c=3\r\nCookie: c=4\r\n"
	"Cookie: c=5\r\nCookie: c=6\r\nCookie: c=7\r\nCookie: lane=gray\r\n\r\n";

static void cookie_lines(void)
{
	CASE("cookie lines joined: a cookie of the second line", HCOOK, 1,
	     I(COOKIE, EQ, "lane", "gray"));
	CASE("cookie lines joined: the first line's cookie wins over a later one", HCOOK, 1,
	     I(COOKIE, EQ, "a", "1"));
	CASE("cookie lines joined: blanks around a later line's elements trimmed", HCOOK, 1,
	     I(COOKIE, EQ, "b", "2"));
	CASE("cookie lines joined: another header between is not a cookie", HCOOK, 0,
	     I(COOKIE, EQ, "lane", "blue"));
	CASE("cookie lines joined: != a value of the second line", HCOOK, 0,
	     I(COOKIE, NE, "lane", "gray"));
	CASE("cookie lines: the last of eight is read", HCOOK8, 1, I(COOKIE, EQ, "lane", "gray"));
	CASE("cookie lines: nine cannot be read exactly, == matches nothing", HCOOK9, 0,
	     I(COOKIE, EQ, "c", "1"));
	CASE("cookie lines: nine, != matches nothing either", HCOOK9, 0,
	     I(COOKIE, NE, "lane", "blue"));
	CASE("cookie lines: nine, not_in matches nothing either", HCOOK9, 0,
	     I(COOKIE, NOT_IN, "lane", "blue"));
	CASE("cookie lines: nine, a header item still reads the first line", HCOOK9, 1,
	     I(HEADER, EQ, "cookie", "c=1"));
}

static void conditions(void)
{
	/* == */
	CASE("== header matches", H1, 1, I(HEADER, EQ, "x-user", "alice"));
	CASE("== header: a prefix of the value is not equal", H1, 0, I(HEADER, EQ, "x-user", "alic"));
	CASE("== header: values are case-sensitive", H1, 0, I(HEADER, EQ, "x-user", "Alice"));
	CASE("== header: name case-insensitive (key X-USER, line x-USER)", H3, 1,
	     I(HEADER, EQ, "X-USER", "Bob"));
	CASE("== header: empty value equals \"\"", H1, 1, I(HEADER, EQ, "x-empty", ""));
	CASE("== header: missing does not match", H2, 0, I(HEADER, EQ, "x-user", "alice"));
	CASE("== path (without query)", H1, 1, I(PATH, EQ, "", "/api/v2/items.json"));
	CASE("== path: the query is not part of it", H1, 0,
	     I(PATH, EQ, "", "/api/v2/items.json?uid=42"));
	CASE("== method", H1, 1, I(METHOD, EQ, "", "GET"));
	CASE("== method is case-sensitive", H1, 0, I(METHOD, EQ, "", "get"));
	CASE("== param", H1, 1, I(PARAM, EQ, "uid", "42"));
	CASE("== cookie", H1, 1, I(COOKIE, EQ, "uid", "12345"));
	CASE("== cookie: quotes are part of the raw value", H1, 1,
	     I(COOKIE, EQ, "session", "\"beta\""));
	CASE("== host: port included", H1, 1, I(HOST, EQ, "", "shop.example.com:8080"));
	CASE("== host: without the port it differs", H1, 0, I(HOST, EQ, "", "shop.example.com"));
	CASE("== host: case-sensitive (H3's authority is other.example)", H3, 0, I(HOST, EQ, "", "Other.Example"));
	CASE("== host: missing does not match", H2, 0, I(HOST, EQ, "", ""));
	CASE("== host: an absolute-form target's authority, not the Host header", HABS, 1,
	     I(HOST, EQ, "", "gray.example:8080"));
	CASE("== host: the Host header of an absolute-form request is not looked at", HABS, 0,
	     I(HOST, EQ, "", "base.example"));

	/* != */
	CASE("!= header: different value", H1, 1, I(HEADER, NE, "x-user", "bob"));
	CASE("!= header: same value", H1, 0, I(HEADER, NE, "x-user", "alice"));
	CASE("!= header: missing matches", H2, 1, I(HEADER, NE, "x-user", "alice"));
	CASE("!= param: missing matches", H2, 1, I(PARAM, NE, "uid", "42"));
	CASE("!= cookie: missing (no Cookie header) matches", H2, 1, I(COOKIE, NE, "uid", "1"));
	CASE("!= method", H3, 1, I(METHOD, NE, "", "GET"));
	CASE("!= host: missing matches", H2, 1, I(HOST, NE, "", "x"));

	/* prefix */
	CASE("prefix path", H1, 1, I(PATH, PREFIX, "", "/api/v2/"));
	CASE("prefix path: absolute-form target from the path's '/'", H3, 1,
	     I(PATH, PREFIX, "", "/api/v2/"));
	CASE("prefix path: no", H1, 0, I(PATH, PREFIX, "", "/apx"));
	CASE("prefix longer than the field", H1, 0, I(HEADER, PREFIX, "x-user", "alice-and-more"));
	CASE("prefix host", H1, 1, I(HOST, PREFIX, "", "shop."));
	CASE("prefix header: missing does not match", H2, 0, I(HEADER, PREFIX, "x-user", ""));

	/* suffix */
	CASE("suffix path", H1, 1, I(PATH, SUFFIX, "", ".json"));
	CASE("suffix path: no", H1, 0, I(PATH, SUFFIX, "", ".xml"));
	CASE("suffix host: the port", H1, 1, I(HOST, SUFFIX, "", ":8080"));
	CASE("suffix equal to the whole value", H1, 1, I(COOKIE, SUFFIX, "uid", "12345"));
	CASE("suffix longer than the field", H1, 0, I(COOKIE, SUFFIX, "uid", "012345"));

	/* contains */
	CASE("contains header", H1, 1, I(HEADER, CONTAINS, "user-agent", "Mobile"));
	CASE("contains header: case-sensitive", H1, 0, I(HEADER, CONTAINS, "user-agent", "mobile"));
	CASE("contains at the very end", H1, 1, I(HEADER, CONTAINS, "user-agent", "Mobile)"));
	CASE("contains at the very start", H1, 1, I(HEADER, CONTAINS, "user-agent", "Mozilla"));
	CASE("contains param", H1, 1, I(PARAM, CONTAINS, "q", "b+"));
	CASE("contains: missing does not match", H2, 0, I(HEADER, CONTAINS, "user-agent", "M"));

	/* in, not_in */
	CASE("in header: second of the list", H3, 1, I(HEADER, IN, "x-user", "alice,Bob"));
	CASE("in header: none of the list", H1, 0, I(HEADER, IN, "x-user", "bob,carol"));
	CASE("in: a prefix of the field is not in", H1, 0, I(HEADER, IN, "x-user", "alic,alicee"));
	CASE("in method", H1, 1, I(METHOD, IN, "", "HEAD,GET"));
	CASE("in path: eight values, the last", H1, 1,
	     I(PATH, IN, "", "/1,/2,/3,/4,/5,/6,/7,/api/v2/items.json"));
	CASE("in: missing does not match", H2, 0, I(HEADER, IN, "x-user", "alice"));
	CASE("not_in header", H1, 1, I(HEADER, NOT_IN, "x-user", "bob,carol"));
	CASE("not_in header: listed", H1, 0, I(HEADER, NOT_IN, "x-user", "bob,alice"));
	CASE("not_in: missing matches", H2, 1, I(COOKIE, NOT_IN, "uid", "1,2"));
	CASE("not_in method", H3, 0, I(METHOD, NOT_IN, "", "DELETE,PATCH"));

	/* exists */
	CASE("exists header", H1, 1, I(HEADER, EXISTS, "x-user", ""));
	CASE("exists header with an empty value", H1, 1, I(HEADER, EXISTS, "x-empty", ""));
	CASE("exists header: missing", H1, 0, I(HEADER, EXISTS, "x-missing", ""));
	CASE("exists param without '='", H1, 1, I(PARAM, EXISTS, "debug", ""));
	CASE("exists param with an empty value", H1, 1, I(PARAM, EXISTS, "empty", ""));
	CASE("exists param: no query at all", H2, 0, I(PARAM, EXISTS, "uid", ""));
	CASE("exists cookie with an empty value", H1, 1, I(COOKIE, EXISTS, "e", ""));
	CASE("exists cookie: no Cookie header", H2, 0, I(COOKIE, EXISTS, "e", ""));
	CASE("exists host", H1, 1, I(HOST, EXISTS, "", ""));
	CASE("exists host: no Host header", H2, 0, I(HOST, EXISTS, "", ""));
	CASE("exists path: always", H2, 1, I(PATH, EXISTS, "", ""));
	CASE("exists method: always", H2, 1, I(METHOD, EXISTS, "", ""));
}

static void percentages(void)
{
	uint32_t h = ref_fnv1a32("alice", 5);
	char below[8], at[8];

	t_check(ref_fnv1a32("", 0) == 0x811c9dc5u && ref_fnv1a32("a", 1) == 0xe40c292cu &&
		ref_fnv1a32("foobar", 6) == 0xbf9cf968u, "reference FNV-1a-32 gives the known values");
	t_check(gl_http_fnv_step(GL_HTTP_FNV32_INIT, 'a') == 0xe40c292cu,
		"http.h FNV-1a-32 step agrees on \"a\"");
	/* "" -> 0x811c9dc5 = 2166136261, mod 100 = 61 */
	CASE("percentage of \"\" (hash 61): 62 matches", H1, 1, I(HEADER, PERCENTAGE, "x-empty", "62"));
	CASE("percentage of \"\" (hash 61): 61 does not", H1, 0, I(HEADER, PERCENTAGE, "x-empty", "61"));
	/* "a" -> 0xe40c292c = 3826002220, mod 100 = 20 */
	CASE("percentage of \"a\" (hash 20): 21 matches", H1, 1, I(HEADER, PERCENTAGE, "x-p", "21"));
	CASE("percentage of \"a\" (hash 20): 20 does not", H1, 0, I(HEADER, PERCENTAGE, "x-p", "20"));
	/* "foobar" -> 0xbf9cf968 = 3214735720, mod 100 = 20 */
	CASE("percentage of \"foobar\" (hash 20): 21 matches", H1, 1,
	     I(HEADER, PERCENTAGE, "x-q", "21"));
	CASE("percentage of \"foobar\" (hash 20): 20 does not", H1, 0,
	     I(HEADER, PERCENTAGE, "x-q", "20"));
	/* "alice": computed by the reference */
	snprintf(below, sizeof(below), "%u", h % 100 + 1);
	snprintf(at, sizeof(at), "%u", h % 100);
	CASE("percentage of a header at the reference's bucket + 1", H1, 1,
	     I(HEADER, PERCENTAGE, "x-user", below));
	CASE("percentage of a header at the reference's bucket", H1, 0,
	     I(HEADER, PERCENTAGE, "x-user", at));
	h = ref_fnv1a32("12345", 5);
	snprintf(below, sizeof(below), "%u", h % 100 + 1);
	snprintf(at, sizeof(at), "%u", h % 100);
	CASE("percentage of a cookie value (the value only)", H1, 1,
	     I(COOKIE, PERCENTAGE, "uid", below));
	CASE("percentage of a cookie value: at the bucket", H1, 0, I(COOKIE, PERCENTAGE, "uid", at));
	h = ref_fnv1a32("/api/v2/items.json", 18);
	snprintf(below, sizeof(below), "%u", h % 100 + 1);
	CASE("percentage of the path (without query)", H1, 1, I(PATH, PERCENTAGE, "", below));
	CASE("percentage 100 matches any present field", H1, 1, I(PARAM, PERCENTAGE, "uid", "100"));
	CASE("percentage 0 matches nothing", H1, 0, I(PARAM, PERCENTAGE, "uid", "0"));
	CASE("percentage 100 of a missing field does not match", H2, 0,
	     I(HEADER, PERCENTAGE, "x-user", "100"));
	CASE("percentage 100 of a missing cookie does not match", H1, 0,
	     I(COOKIE, PERCENTAGE, "nope", "100"));
}

static void keys_and_slots(void)
{
	/* query: "...&ab=1&a=2&a=3&q=%61b+c" */
	CASE("param: a key that is a prefix of another key", H1, 1, I(PARAM, EQ, "a", "2"));
	CASE("param: the longer key", H1, 1, I(PARAM, EQ, "ab", "1"));
	CASE("param: repeated key, the first wins", H1, 0, I(PARAM, EQ, "a", "3"));
	CASE("param: a suffix of a key is not the key", H1, 0, I(PARAM, EXISTS, "b", ""));
	CASE("param: raw, no percent-decoding or '+'", H1, 1, I(PARAM, EQ, "q", "%61b+c"));
	CASE("param: %61 in the query is not the key a", H1, 0, I(PARAM, EQ, "a", "b c"));
	CASE("param: empty value", H1, 1, I(PARAM, EQ, "empty", ""));
	CASE("param: a key without '=' has the empty value", H1, 1, I(PARAM, EQ, "debug", ""));
	CASE("param: of an absolute-form target", H3, 1, I(PARAM, EQ, "lane", "gray"));
	/* cookie: "session=\"beta\"; uid=12345; e=; ab=9; a=1; a=2" */
	CASE("cookie: a key that is a prefix of another key", H1, 1, I(COOKIE, EQ, "a", "1"));
	CASE("cookie: the longer key", H1, 1, I(COOKIE, EQ, "ab", "9"));
	CASE("cookie: repeated key, the first wins", H1, 0, I(COOKIE, EQ, "a", "2"));
	CASE("cookie: a prefix of a key is not the key", H1, 0, I(COOKIE, EXISTS, "sess", ""));
	CASE("cookie: empty value", H1, 1, I(COOKIE, EQ, "e", ""));
	CASE("cookie: header name case-insensitive (COOKIE:)", H3, 1, I(COOKIE, EQ, "lane", "gray"));
	CASE("cookie names are case-sensitive", H3, 0, I(COOKIE, EXISTS, "Lane", ""));
	/* headers */
	CASE("header repeated: the first line", H1, 1, I(HEADER, EQ, "x-dup", "first"));
	CASE("header repeated: not the second", H1, 0, I(HEADER, EQ, "x-dup", "second"));
	CASE("header item on a built-in slot: host", H1, 1,
	     I(HEADER, EQ, "Host", "shop.example.com:8080"));
	CASE("header item on a built-in slot: cookie (whole value)", H1, 1,
	     I(HEADER, CONTAINS, "cookie", "uid=12345"));
	CASE("header item on the propagation header's slot", H1, 1,
	     I(HEADER, EQ, "x-opensergo-traffic", "gray"));
	CASE("header name is a token, not a prefix: x-use", H1, 0, I(HEADER, EXISTS, "x-use", ""));
}

static void ands(void)
{
	CASE("AND: all items hold", H1, 1, I(METHOD, EQ, "", "GET"), I(PATH, PREFIX, "", "/api/"),
	     I(HEADER, EQ, "x-user", "alice"), I(COOKIE, EQ, "uid", "12345"),
	     I(PARAM, EXISTS, "debug", ""), I(HOST, SUFFIX, "", ":8080"),
	     I(HEADER, NOT_IN, "x-missing", "a"), I(HEADER, CONTAINS, "user-agent", "iPhone"));
	CASE("AND: the last of eight fails", H1, 0, I(METHOD, EQ, "", "GET"),
	     I(PATH, PREFIX, "", "/api/"), I(HEADER, EQ, "x-user", "alice"),
	     I(COOKIE, EQ, "uid", "12345"), I(PARAM, EXISTS, "debug", ""),
	     I(HOST, SUFFIX, "", ":8080"), I(HEADER, NOT_IN, "x-missing", "a"),
	     I(HEADER, CONTAINS, "user-agent", "Android"));
	CASE("AND: the first fails", H1, 0, I(METHOD, EQ, "", "POST"), I(PATH, EXISTS, "", ""));
	CASE("AND: a missing field in the middle", H2, 0, I(METHOD, EQ, "", "POST"),
	     I(HEADER, EXISTS, "x-user", ""), I(PATH, EQ, "", "/submit"));
}

static void raw_rules(void)
{
	struct gl_rule r;

	memset(&r, 0, sizeof(r));
	check_raw("a rule without items matches every head", H2, 1, &r);
	r.nitems = GL_RULE_ITEMS_MAX + 1;
	check_raw("nitems over GL_RULE_ITEMS_MAX never matches", H2, 0, &r);
	memset(&r, 0, sizeof(r));
	r.nitems = 1;
	r.item[0].type = GL_MATCH_PATH;
	r.item[0].cond = GL_COND_MAX;
	check_raw("an unknown condition never matches", H2, 0, &r);
	r.item[0].type = GL_MATCH_TYPE_MAX;
	r.item[0].cond = GL_COND_NE;
	check_raw("an unknown type is a missing field (!= matches)", H2, 1, &r);
	r.item[0].type = GL_MATCH_HEADER;
	r.item[0].cond = GL_COND_EXISTS;
	r.item[0].want_slot = GL_HTTP_SLOT_MAX;
	check_raw("want_slot past the table is a missing header", H1, 0, &r);
	r.item[0].want_slot = GL_HTTP_SLOT_NONE;
	check_raw("want_slot GL_HTTP_SLOT_NONE is a missing header", H1, 0, &r);
	r.item[0].want_slot = GL_HTTP_SLOT_HOST;
	check_raw("an absolute want_slot: 0 is host", H1, 1, &r);
	r.item[0].type = GL_MATCH_PATH;
	r.item[0].cond = GL_COND_EQ;
	r.item[0].value_len = GL_RULE_VALUE_MAX + 1;
	check_raw("value_len over the value never equals", H1, 0, &r);
	r.item[0].cond = GL_COND_IN;
	r.item[0].value_len = 0;
	r.item[0].nin = 1;
	r.item[0].in_off[0] = GL_RULE_VALUE_MAX - 2;
	r.item[0].in_len[0] = 18;
	check_raw("an in-list value past the value never matches", H1, 0, &r);
	r.item[0].nin = GL_RULE_IN_MAX + 1;
	check_raw("nin over GL_RULE_IN_MAX never matches", H1, 0, &r);
	r.item[0].type = GL_MATCH_PARAM;
	r.item[0].cond = GL_COND_EXISTS;
	r.item[0].key_len = 0;
	check_raw("a param item without a key is missing", H1, 0, &r);
}

/* ---- part 2: YAML -> plan -> kernel-side evaluation ---- */

static const char RULES_YAML[] =
	"apiVersion: graylane.io/v1alpha1\n"
	"kind: Workload\n"
	"metadata: {name: gw, labels: {app: gw}}\n"
	"spec: {cgroup: /t/gw}\n"
	"---\n"
	"apiVersion: graylane.io/v1alpha1\n"
	"kind: Workload\n"
	"metadata: {name: other, labels: {app: other}}\n"
	"spec: {cgroup: /t/other}\n"
	"---\n"
	"apiVersion: graylane.io/v1alpha1\n"
	"kind: Workload\n"
	"metadata: {name: a-gray, labels: {app: a, traffic.opensergo.io/label: gray}}\n"
	"spec: {cgroup: /t/a-gray}\n"
	"---\n"
	"apiVersion: graylane.io/v1alpha1\n"
	"kind: Workload\n"
	"metadata: {name: a-blue, labels: {app: a, traffic.opensergo.io/label: blue}}\n"
	"spec: {cgroup: /t/a-blue}\n"
	/* written out of order: tried r-vip (-1), r-alpha (0), r-beta (0), r-pct (5), r-prop (9) */
	"---\n"
	"apiVersion: traffic.opensergo.io/v1alpha1\n"
	"kind: TrafficLabelRule\n"
	"metadata: {name: r-pct}\n"
	"spec:\n"
	"  selector: {app: gw}\n"
	"  trafficLabel: gray\n"
	"  priority: 5\n"
	"  match: [{condition: percentage, type: header, key: X-User-Id, value: 50}]\n"
	"---\n"
	"apiVersion: traffic.opensergo.io/v1alpha1\n"
	"kind: TrafficLabelRule\n"
	"metadata: {name: r-beta}\n"
	"spec:\n"
	"  selector: {app: gw}\n"
	"  trafficLabel: gray\n"
	"  match:\n"
	"  - {condition: exists, type: header, key: X-Beta}\n"
	"  - {condition: prefix, type: path, value: /api/}\n"
	"---\n"
	"apiVersion: traffic.opensergo.io/v1alpha1\n"
	"kind: TrafficLabelRule\n"
	"metadata: {name: r-alpha}\n"
	"spec:\n"
	"  selector: {app: gw}\n"
	"  trafficLabel: blue\n"
	"  priority: 0\n"
	"  match:\n"
	"  - {condition: in, type: param, key: lane, value: 'blue, b'}\n"
	"  - {condition: '!=', type: header, key: x-beta, value: 'no'}\n"
	"---\n"
	"apiVersion: traffic.opensergo.io/v1alpha1\n"
	"kind: TrafficLabelRule\n"
	"metadata: {name: r-vip}\n"
	"spec:\n"
	"  selector: {app: gw}\n"
	"  trafficLabel: blue\n"
	"  priority: -1\n"
	"  match: [{condition: '==', type: cookie, key: vip, value: '1'}]\n"
	"---\n"
	"apiVersion: traffic.opensergo.io/v1alpha1\n"
	"kind: TrafficLabelRule\n"
	"metadata: {name: r-prop}\n"
	"spec:\n"
	"  selector: {app: gw}\n"
	"  trafficLabel: gray\n"
	"  priority: 9\n"
	"  match: [{condition: '==', type: header, key: x-opensergo-traffic, value: gray}]\n";

struct compiled {
	struct gl_plan p;
	const struct gl_plan_workload *gw;
	const struct gl_plan_rule *rules;	/* gw's, index 0..nrules-1 */
	const struct gl_http_want *want;
	bool ok;
};

static void compile_yaml(const struct gl_compile_opts *o, struct compiled *c)
{
	struct gl_model m;
	struct gl_diags d;
	struct t_out t;
	char *diags;

	memset(c, 0, sizeof(*c));
	gl_model_init(&m);
	gl_diags_init(&d);
	c->ok = !gl_model_load_buffer("rules.yaml", RULES_YAML, sizeof(RULES_YAML) - 1, &m, &d) &&
		!gl_model_validate(&m, &d) && !gl_plan_compile(&m, &c->p, o, &d);
	gl_diags_print(&d, t_open(&t));
	diags = t_text(&t);
	if (*diags)
		fprintf(stderr, "--- compile: %s", diags);
	c->ok = c->ok && !*diags;
	free(diags);
	gl_model_free(&m);
	gl_diags_free(&d);
	for (size_t i = 0; c->ok && i < c->p.nworkloads; i++)
		if (!strcmp(c->p.workloads[i].name, "gw"))
			c->gw = &c->p.workloads[i];
	for (size_t i = 0; c->gw && i < c->p.nrules && !c->rules; i++)
		if (c->p.rules[i].key.workload_id == c->gw->val.workload_id)
			c->rules = &c->p.rules[i];
	for (size_t i = 0; c->gw && i < c->p.nwants; i++)
		if (c->p.wants[i].key.workload_id == c->gw->val.workload_id)
			c->want = &c->p.wants[i].val;
	c->ok = c->ok && c->gw && c->rules && c->want;
}

static const char *lane_name(const struct gl_plan *p, int lane)
{
	return lane < 0 ? "base" : (size_t)lane < p->nlanes ? p->lanes[lane].name : "?";
}

/* What the kernel does at an entry: parse with its table, first matching rule wins. */
static int first_match(const struct compiled *c, const char *req, int *index)
{
	struct gl_http_head h;
	size_t len = strlen(req);

	*index = -1;
	memset(B, 0, sizeof(B));
	memcpy(B, req, len);
	if (gl_http_parse_head(B, 0, len, c->want, &h) <= 0)
		return -2;
	for (__u16 i = 0; i < c->gw->val.nrules; i++) {
		const struct gl_plan_rule *r = &c->rules[i];
		struct gl_rule val;

		if (r->key.workload_id != c->gw->val.workload_id || r->key.index != i)
			return -2;	/* the plan is not in (workload, index) order */
		gl_plan_rule_val(r, &val);
		if (gl_rule_match(B, &h, &val)) {
			*index = i;
			return val.lane;
		}
	}
	return -1;
}

static void expect_lane(const struct compiled *c, const char *name, const char *req,
			const char *want_lane, const char *want_rule)
{
	int index, lane = c->ok ? first_match(c, req, &index) : -2;
	const char *got = lane == -2 ? "(error)" : lane_name(&c->p, lane);
	const char *rule = lane >= 0 ? c->rules[index].rule : "-";
	bool ok = !strcmp(got, want_lane) && !strcmp(rule, want_rule);

	if (!ok)
		fprintf(stderr, "--- %s: got %s by %s, want %s by %s\n", name, got, rule,
			want_lane, want_rule);
	t_check(ok, name);
}

/* A user id whose FNV-1a-32 bucket is below (or not below) 50, found by the reference. */
static void user_id(bool below, char *buf, size_t size)
{
	for (unsigned i = 0;; i++) {
		snprintf(buf, size, "u%u", i);
		if ((ref_fnv1a32(buf, strlen(buf)) % 100 < 50) == below)
			return;
	}
}

static void compiled_rules(void)
{
	static const char *const order[] = { "r-vip", "r-alpha", "r-beta", "r-pct", "r-prop" };
	struct gl_compile_opts o = { .label_header = "x-lane", .accept_header = "" };
	char req[512], low[16], high[16];
	struct compiled c;
	bool ok;

	compile_yaml(NULL, &c);
	t_check(c.ok, "YAML: the rule set loads, validates and compiles without diagnostics");
	if (!c.ok)
		return;
	ok = c.gw->val.nrules == 5 && (c.gw->val.flags & GL_WL_ENTRY);
	for (size_t i = 0; ok && i < 5; i++)
		ok = !strcmp(c.rules[i].rule, order[i]);
	t_check(ok, "YAML: gw is an entry with 5 rules in priority, then name order");
	t_check(c.rules[4].item[0].want_slot == GL_HTTP_SLOT_LABEL,
		"YAML: a rule on the propagation header reads its built-in slot");

	expect_lane(&c, "YAML: vip cookie wins over everything (priority -1)",
		    "GET /api/x?lane=blue HTTP/1.1\r\nX-Beta: 1\r\nCookie: vip=1\r\n\r\n", "blue", "r-vip");
	expect_lane(&c, "YAML: tie at priority 0: r-alpha before r-beta by name",
		    "GET /api/x?lane=b HTTP/1.1\r\nX-Beta: yes\r\n\r\n", "blue", "r-alpha");
	expect_lane(&c, "YAML: r-alpha's != on a header it lacks holds",
		    "GET /web?lane=blue HTTP/1.1\r\n\r\n", "blue", "r-alpha");
	expect_lane(&c, "YAML: r-alpha fails on its second item, r-beta labels",
		    "GET /api/x?lane=blue HTTP/1.1\r\nx-beta: no\r\n\r\n", "gray", "r-beta");
	expect_lane(&c, "YAML: in-list values are trimmed ('blue, b')",
		    "GET /?lane=%20b HTTP/1.1\r\n\r\n", "base", "-");
	user_id(true, low, sizeof(low));
	user_id(false, high, sizeof(high));
	snprintf(req, sizeof(req), "GET /web HTTP/1.1\r\nX-User-Id: %s\r\n\r\n", low);
	expect_lane(&c, "YAML: percentage 50, a user in the lower half", req, "gray", "r-pct");
	snprintf(req, sizeof(req), "GET /web HTTP/1.1\r\nX-User-Id: %s\r\n\r\n", high);
	expect_lane(&c, "YAML: percentage 50, a user in the upper half: nothing matches", req,
		    "base", "-");
	snprintf(req, sizeof(req), "GET /web HTTP/1.1\r\nX-User-Id: %s\r\n"
		 "X-Opensergo-Traffic: gray\r\n\r\n", high);
	expect_lane(&c, "YAML: the last rule, on the propagation header", req, "gray", "r-prop");
	expect_lane(&c, "YAML: no rule matches: base", "POST /api HTTP/1.1\r\nHost: h\r\n\r\n",
		    "base", "-");
	gl_plan_free(&c.p);

	/* other daemon options: the old header name becomes an ordinary rule header */
	compile_yaml(&o, &c);
	t_check(c.ok && c.want->name[GL_HTTP_SLOT_LABEL].len == 6 &&
		!memcmp(c.want->name[GL_HTTP_SLOT_LABEL].name, "x-lane", 6) &&
		!c.want->name[GL_HTTP_SLOT_LABEL_ALIAS].len &&
		c.rules[4].item[0].want_slot >= GL_HTTP_SLOT_RULE,
		"YAML: --label-header x-lane, no alias: x-opensergo-traffic gets a rule slot");
	if (c.ok) {
		snprintf(req, sizeof(req), "GET /web HTTP/1.1\r\nX-User-Id: %s\r\n"
			 "X-Opensergo-Traffic: gray\r\n\r\n", high);
		expect_lane(&c, "YAML: ... and the rule on it still matches", req, "gray", "r-prop");
	}
	gl_plan_free(&c.p);
}

int main(void)
{
	conditions();
	cookie_lines();
	percentages();
	keys_and_slots();
	ands();
	raw_rules();
	compiled_rules();
	return t_done();
}
