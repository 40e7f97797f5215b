// SPDX-License-Identifier: Apache-2.0
/*
 * libFuzzer target for the SQL shadow-table rewriter (bpf/lib/sql.h).
 *
 * Input: a configuration header, then the statement.
 *   byte 0  bits 0-2 the current database (0: none, else DBS[i - 1]);
 *           bit 3 no table map (NULL); bits 4-5 where the statement lies in
 *           the buffer (after a 5-byte packet header, at 0, at the very end,
 *           at byte 2's offset); bits 6-7 == 3: the statement is repeated
 *           to GL_SQL_STMT_MAX bytes (size bound, too many edits)
 *   byte 1  bits 0-3 table map entries; 0xf0 set: one more than allowed
 *   then one byte per entry: bits 0-2 its database (DBS), bits 3-5 its base
 *           table (BASES), bits 6-7 its shadow's spelling
 *   the rest: the statement
 * Seeds: tests/sql/corpus/ (tests/fuzz/fuzz_sql.seeds).
 *
 * Checks, aborting on any violation:
 * - no crash or undefined behaviour, and no byte outside the statement is
 *   read: the rest of the GL_SQL_BUF_SIZE buffer is ASan-poisoned;
 * - the result is what an independent reference rewriter written here
 *   gives: a whole-token tokenizer (every token read at once, with
 *   lookahead, into a list), then a pass over the token list for USE and
 *   name chains, names compared as strings against the table map, its own
 *   keyword list. Same rules (the header comment of sql.h), another shape;
 * - invariants: the return value is out->n or out->rc, edits are in order,
 *   do not overlap, lie inside the statement, cover bytes equal to their
 *   entry's base name (between backticks exactly when flagged quoted);
 *   a USE name lies inside the statement and is not empty.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sanitizer/asan_interface.h>

#include "lib/sql.h"

#define CHECK(cond)								\
	do {									\
		if (!(cond)) {							\
			fprintf(stderr, "fuzz_sql: %s:%d: check failed: %s\n",	\
				__FILE__, __LINE__, #cond);			\
			abort();						\
		}								\
	} while (0)

static const char *const DBS[8] = { "mse-demo", "shop", "db", "other", "a", "USE", "from", "x" };
static const char *const BASES[8] = {
	"mse_demo_table", "items", "t", "a", "2024_orders", "x", "from", "mse_demo_table2",
};
static const char *const SHADOW_SUFFIX[4] = { "_gray", "_s", "", "_shadow_table_of_a_lane" };

static __u8 *buf;	/* GL_SQL_BUF_SIZE, as the kernel's map value */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	buf = aligned_alloc(64, GL_SQL_BUF_SIZE);
	if (!buf)
		abort();
	return 0;
}

/* ---- the reference: tokens ---- */

enum ref_kind {
	R_IDENT,	/* unquoted identifier */
	R_QIDENT,	/* `quoted` identifier: content */
	R_VARQ,		/* `quoted` part of a variable name */
	R_BQOPEN,	/* a backtick that is never closed (an error follows) */
	R_DOT,		/* separator dot */
	R_SEMI,
	R_OTHER,	/* anything else that is not blank or comment */
	R_ERR,
};

struct ref_tok {
	int kind;
	size_t off, len;
	int adj;	/* R_DOT: right after an unquoted identifier */
	int err, reason;
};

#define REF_TOKS_MAX (GL_SQL_BUF_SIZE + 8)
static struct ref_tok toks[REF_TOKS_MAX];

static const __u8 *B;
static size_t END;

static unsigned at(size_t i)
{
	return i < END ? B[i] : 256;
}

static int digit(unsigned c)
{
	return c >= '0' && c <= '9';
}

static int wordc(unsigned c)
{
	return (c < 256 && c >= 0x80) || digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c == '_' || c == '$';
}

static int blank(unsigned c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* after "NNN." or ".": fraction digits and an exponent; returns the end */
static size_t ref_fraction(size_t j)
{
	while (digit(at(j)))
		j++;
	if ((at(j) == 'e' || at(j) == 'E') &&
	    (digit(at(j + 1)) || ((at(j + 1) == '+' || at(j + 1) == '-') && digit(at(j + 2))))) {
		j += digit(at(j + 1)) ? 1 : 2;
		while (digit(at(j)))
			j++;
	}
	return j;
}

/* where MariaDB, skipping a versioned comment from p, ends it (one nested comment allowed) */
static size_t ref_skip_end(size_t p)
{
	int nested = 0;

	while (p < END) {
		unsigned c = B[p++];

		if (!nested && c == '/' && at(p) == '*') {
			p++;
			nested = 1;
		} else if (c == '*' && at(p) == '/') {
			p++;
			if (!nested)
				return p;
			nested = 0;
		}
	}
	return (size_t)-1;
}

/* a line comment from j: its end (after the LF), or -1 for a NUL in it */
static long ref_line(size_t j)
{
	for (; j < END; j++) {
		if (B[j] == 0)
			return -1;
		if (B[j] == '\n')
			return (long)j + 1;
	}
	return (long)END;
}

static int ntok;

static void push(int kind, size_t off, size_t len, int adj)
{
	CHECK(ntok < REF_TOKS_MAX);
	toks[ntok].kind = kind;
	toks[ntok].off = off;
	toks[ntok].len = len;
	toks[ntok].adj = adj;
	toks[ntok].err = 0;
	toks[ntok].reason = 0;
	ntok++;
}

static void push_err(int err, int reason)
{
	push(R_ERR, 0, 0, 0);
	toks[ntok - 1].err = err;
	toks[ntok - 1].reason = reason;
}

/* the statement [off, end) of b into toks; stops at the first error (an R_ERR) */
static void ref_lex(const __u8 *b, size_t off, size_t end)
{
	size_t i = off, uend = (size_t)-1, forced = (size_t)-1, vstart = 0;
	int in_exec = 0, versioned = 0, var_q = 0;

	B = b;
	END = end;
	ntok = 0;
	while (i < end) {
		unsigned c = b[i];
		int vq = var_q;
		size_t j, r, d;
		long l;

		var_q = 0;
		if (blank(c)) {
			i++;
			continue;
		}
		if (c == 0) {
			push_err(GL_SQL_E_UNSUPPORTED, GL_SQL_R_NUL);
			return;
		}
		if (c == '#' || (c == '-' && at(i + 1) == '-' &&
				 (at(i + 2) == 256 || at(i + 2) <= ' ' || at(i + 2) == 0x7f))) {
			l = ref_line(i + (c == '#' ? 1 : 2));
			if (l < 0) {
				push_err(GL_SQL_E_UNSUPPORTED, GL_SQL_R_NUL);
				return;
			}
			i = (size_t)l;
			continue;
		}
		if (c == '/' && at(i + 1) == '*') {
			size_t m = at(i + 2) == '!' ? 3 : (at(i + 2) == 'M' && at(i + 3) == '!') ? 4 : 0;

			if (!m) {
				for (j = i + 2; j + 1 < end && !(b[j] == '*' && b[j + 1] == '/'); j++)
					;
				if (j + 1 >= end) {
					push_err(GL_SQL_E_UNSUPPORTED, GL_SQL_R_COMMENT);
					return;
				}
				i = j + 2;
				continue;
			}
			if (in_exec) {
				push_err(GL_SQL_E_UNSUPPORTED, GL_SQL_R_EXEC);
				return;
			}
			in_exec = 1;
			versioned = 0;
			j = i + m;
			if (digit(at(j)) && digit(at(j + 1)) && digit(at(j + 2)) && digit(at(j + 3)) &&
			    digit(at(j + 4))) {
				j += digit(at(j + 5)) ? 6 : 5;
				versioned = 1;
				vstart = j;
			}
			i = j;
			continue;
		}
		if (c == '*' && in_exec && at(i + 1) == '/') {
			if (versioned && ref_skip_end(vstart) != i + 2) {
				push_err(GL_SQL_E_UNSUPPORTED, GL_SQL_R_EXEC_VERSION);
				return;
			}
			in_exec = 0;
			i += 2;
			continue;
		}
		if (c == '`') {
			for (j = i + 1; j < end; j++) {
				if (b[j] != '`')
					continue;
				if (at(j + 1) != '`')
					break;
				j++;
			}
			if (j >= end) {
				if (!vq)
					push(R_BQOPEN, i, 1, 0);
				push_err(GL_SQL_E_UNSUPPORTED, GL_SQL_R_QUOTED);
				return;
			}
			push(vq ? R_VARQ : R_QIDENT, i + 1, j - i - 1, 0);
			i = j + 1;
			continue;
		}
		if (c == '\'' || c == '"') {
			push(R_OTHER, i, 1, 0);
			for (j = i + 1; j < end; j++) {
				if (b[j] == '\\') {
					j++;
					continue;
				}
				if (b[j] == c) {
					if (at(j + 1) != c)
						break;
					j++;
				}
			}
			if (j >= end) {
				push_err(GL_SQL_E_UNSUPPORTED, GL_SQL_R_STRING);
				return;
			}
			i = j + 1;
			continue;
		}
		if (c == '@') {
			push(R_OTHER, i, 1, 0);
			j = i + 1;
			if (at(j) == '@')
				j++;
			var_q = 1;
			while (wordc(at(j)) || at(j) == '.')
				var_q = at(j++) == '.';
			i = j;
			continue;
		}
		if (c == '.') {
			if (uend == i && wordc(at(i + 1))) {
				push(R_DOT, i, 1, 1);
				forced = i + 1;
				i++;
				continue;
			}
			if (digit(at(i + 1))) {
				push(R_OTHER, i, 1, 0);
				i = ref_fraction(i + 1);
				continue;
			}
			push(R_DOT, i, 1, uend == i);
			if (wordc(at(i + 1)))
				forced = i + 1;
			i++;
			continue;
		}
		if (c == ';') {
			push(R_SEMI, i, 1, 0);
			i++;
			continue;
		}
		if (!wordc(c)) {
			push(R_OTHER, i, 1, 0);
			i++;
			continue;
		}
		for (r = i; wordc(at(r)); r++)
			;
		if (forced != i && digit(c)) {
			if (c == '0' && r - i >= 2 && (b[i + 1] == 'x' || b[i + 1] == 'b')) {
				int hex = b[i + 1] == 'x', ok = r - i >= 3;

				for (j = i + 2; j < r && ok; j++)
					ok = hex ? (digit(b[j]) || (b[j] >= 'a' && b[j] <= 'f') ||
						    (b[j] >= 'A' && b[j] <= 'F'))
						 : (b[j] == '0' || b[j] == '1');
				if (ok) {
					push(R_OTHER, i, r - i, 0);
					i = r;
					continue;
				}
			} else {
				for (d = i; d < r && digit(b[d]); d++)
					;
				if (d == r) {
					push(R_OTHER, i, r - i, 0);
					i = at(r) == '.' ? ref_fraction(r + 1) : r;
					continue;
				}
				if ((b[d] == 'e' || b[d] == 'E') &&
				    (digit(at(d + 1)) ||
				     ((at(d + 1) == '+' || at(d + 1) == '-') && digit(at(d + 2))))) {
					push(R_OTHER, i, d - i, 0);
					j = d + (digit(at(d + 1)) ? 1 : 2);
					while (digit(at(j)))
						j++;
					i = j;
					continue;
				}
			}
		}
		push(R_IDENT, i, r - i, 0);
		uend = r;
		i = r;
	}
	if (in_exec)
		push_err(GL_SQL_E_UNSUPPORTED, GL_SQL_R_EXEC);
}

/* ---- the reference: names ---- */

static const char *const KEYWORDS[] = {
	"FROM", "JOIN", "STRAIGHT_JOIN", "INTO", "UPDATE", "TABLE", "TABLES", "LIKE", "TO", "ON",
	"USING", "EXISTS", "DESCRIBE", "DESC", "EXPLAIN", "REPLACE", "INSERT", "DELETE", "IGNORE",
	"REFERENCES", "LOW_PRIORITY", "HIGH_PRIORITY", "DELAYED", "TRUNCATE", "HANDLER", "QUICK",
	"LOCK", "INDEX", "IN", "VIEW", "SELECT", "WHERE", "AND", "OR", "NOT", "XOR", "SET", "BY",
	"HAVING", "WHEN", "THEN", "ELSE", "ELSEIF", "CASE", "IS", "BETWEEN", "DIV", "MOD", "DISTINCT",
	"DISTINCTROW", "ALL", "RETURN", "RETURNING", "INTERVAL", "REGEXP", "RLIKE", "BINARY", "WHILE",
	"UNTIL", "DEFAULT",
};

static int ref_ieq(size_t off, size_t len, const char *w)
{
	size_t i;

	if (strlen(w) != len)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned c = B[off + i];

		if (c >= 'a' && c <= 'z')
			c -= 32;
		if (c != (unsigned char)w[i])
			return 0;
	}
	return 1;
}

static int ref_keyword(size_t off, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(KEYWORDS) / sizeof(KEYWORDS[0]); i++)
		if (ref_ieq(off, len, KEYWORDS[i]))
			return 1;
	return 0;
}

struct ref_part {
	size_t off, len;
	int quoted;
};

struct ref_result {
	int rc, reason;
	int n;
	struct gl_sql_edit e[GL_SQL_EDITS_MAX];
	size_t use_off, use_len;
	int use_quoted;
};

struct ref_state {
	const struct gl_sql_tables *t;
	const __u8 *cur;	/* current database */
	size_t cur_len;
	struct ref_result *res;
	/* the chain */
	int st;			/* 0 none, 1 after an identifier, 2 after a dot */
	int parts, lead;
	struct ref_part p[3];
};

static int name_is(const __u8 *a, size_t al, const char *name, size_t nl)
{
	return al == nl && !memcmp(a, name, nl);
}

static int entry_ok(const struct gl_sql_table *e)
{
	return e->db_len && e->db_len <= GL_SQL_NAME_MAX && e->base_len && e->base_len <= GL_SQL_NAME_MAX;
}

/* the chain is over; 0 or an error */
static int ref_finish(struct ref_state *s)
{
	int parts = s->parts + (s->st == 2), nid = s->parts < 2 ? s->parts : 2, q = 0, u = 0;
	int qi = -1, ui = -1, k, idx;
	__u32 i;

	s->st = 0;
	if (parts > 3)
		parts = 3;
	if (!s->t || nid == 0)
		return 0;
	if (s->lead || parts == 1) {
		u = 1;
	} else {
		q = nid == 2;
		u = parts == 2;
	}
	if (s->cur_len == 0)
		u = 0;
	for (i = 0; i < s->t->n; i++) {
		const struct gl_sql_table *e = &s->t->t[i];

		if (!entry_ok(e))
			continue;
		if (q && qi < 0 && name_is(B + s->p[1].off, s->p[1].len, e->base, e->base_len) &&
		    name_is(B + s->p[0].off, s->p[0].len, e->db, e->db_len))
			qi = (int)i;
		if (u && ui < 0 && name_is(B + s->p[0].off, s->p[0].len, e->base, e->base_len) &&
		    name_is(s->cur, s->cur_len, e->db, e->db_len))
			ui = (int)i;
	}
	if (qi >= 0) {
		idx = qi;
		k = 1;
	} else if (ui >= 0) {
		idx = ui;
		k = 0;
	} else {
		return 0;
	}
	if (s->res->n >= GL_SQL_EDITS_MAX)
		return GL_SQL_R_EDITS;
	s->res->e[s->res->n].off = (__u16)s->p[k].off;
	s->res->e[s->res->n].len = (__u16)s->p[k].len;
	s->res->e[s->res->n].table = (__u8)idx;
	s->res->e[s->res->n].flags = s->p[k].quoted ? GL_SQL_EF_QUOTED : 0;
	s->res->n++;
	return 0;
}

static void ref_fail(struct ref_result *r, int rc, int reason)
{
	r->rc = rc;
	r->reason = reason;
}

static void ref_rewrite(const __u8 *b, size_t off, size_t len, const __u8 *db, size_t db_len,
			const struct gl_sql_tables *t, struct ref_result *res)
{
	struct ref_state s;
	int i, stmt = 0;	/* 0 begin, 1 other, 2 USE, 3 USE name, 4 EXECUTE */

	memset(res, 0, sizeof(*res));
	memset(&s, 0, sizeof(s));
	if (len > GL_SQL_STMT_MAX || off + len > GL_SQL_BUF_SIZE)
		return ref_fail(res, GL_SQL_E_TOO_LARGE, GL_SQL_R_TOO_LONG);
	if (db_len > GL_SQL_NAME_MAX || (t && t->n > GL_SQL_TABLES_MAX))
		return ref_fail(res, GL_SQL_E_INVAL, GL_SQL_R_ARG);
	s.t = t && t->n ? t : NULL;
	s.cur = db;
	s.cur_len = db_len;
	s.res = res;
	ref_lex(b, off, off + len);
	for (i = 0; i < ntok; i++) {
		struct ref_tok *k = &toks[i];
		int e = 0;

		switch (k->kind) {
		case R_ERR:
			return ref_fail(res, k->err, k->reason);
		case R_VARQ:
			continue;
		case R_BQOPEN:
			if (s.st == 1)
				e = ref_finish(&s);
			break;
		case R_IDENT:
		case R_QIDENT:
			if (stmt == 0) {
				stmt = 1;
				if (k->kind == R_IDENT && ref_ieq(k->off, k->len, "USE")) {
					stmt = 2;
					continue;
				}
				if (k->kind == R_IDENT && ref_ieq(k->off, k->len, "PREPARE"))
					return ref_fail(res, GL_SQL_E_UNSUPPORTED, GL_SQL_R_DYNAMIC);
				if (k->kind == R_IDENT && ref_ieq(k->off, k->len, "EXECUTE")) {
					stmt = 4;
					continue;
				}
			} else if (stmt == 4) {
				stmt = 1;
				if (k->kind == R_IDENT && ref_ieq(k->off, k->len, "IMMEDIATE"))
					return ref_fail(res, GL_SQL_E_UNSUPPORTED, GL_SQL_R_DYNAMIC);
			} else if (stmt == 2) {
				if (k->len == 0 || k->len > GL_SQL_NAME_MAX)
					return ref_fail(res, GL_SQL_E_UNSUPPORTED, GL_SQL_R_USE);
				res->use_off = k->off;
				res->use_len = k->len;
				res->use_quoted = k->kind == R_QIDENT;
				s.cur = b + k->off;
				s.cur_len = k->len;
				stmt = 3;
				continue;
			} else if (stmt == 3) {
				return ref_fail(res, GL_SQL_E_UNSUPPORTED, GL_SQL_R_USE);
			}
			if (s.st == 1)
				e = ref_finish(&s);
			if (s.st != 2) {
				s.parts = 0;
				s.lead = 0;
			}
			if (s.parts < 3) {
				s.p[s.parts].off = k->off;
				s.p[s.parts].len = k->len;
				s.p[s.parts].quoted = k->kind == R_QIDENT;
			}
			s.parts++;
			s.st = 1;
			break;
		case R_DOT:
			if (stmt == 2 || stmt == 3)
				return ref_fail(res, GL_SQL_E_UNSUPPORTED, GL_SQL_R_USE);
			stmt = 1;
			if (s.st == 1 && s.parts == 1 && !s.p[0].quoted && !k->adj &&
			    ref_keyword(s.p[0].off, s.p[0].len)) {
				e = ref_finish(&s);
			} else if (s.st == 2) {
				e = ref_finish(&s);
			}
			if (s.st == 0) {
				s.parts = 0;
				s.lead = 1;
			}
			s.st = 2;
			break;
		case R_SEMI:
		case R_OTHER:
			if (stmt == 2 || (stmt == 3 && k->kind != R_SEMI))
				return ref_fail(res, GL_SQL_E_UNSUPPORTED, GL_SQL_R_USE);
			stmt = k->kind == R_SEMI ? 0 : 1;
			if (s.st)
				e = ref_finish(&s);
			break;
		}
		if (e)
			return ref_fail(res, GL_SQL_E_TOO_LARGE, e);
	}
	if (stmt == 2)
		return ref_fail(res, GL_SQL_E_UNSUPPORTED, GL_SQL_R_USE);
	if (s.st && ref_finish(&s))
		return ref_fail(res, GL_SQL_E_TOO_LARGE, GL_SQL_R_EDITS);
	res->rc = res->n;
}

/* ---- checks ---- */

static void check(const __u8 *b, __u32 off, __u32 len, const __u8 *db, __u32 db_len,
		  const struct gl_sql_tables *t)
{
	struct gl_sql_edits e;
	struct ref_result ref;
	int r = gl_sql_rewrite(b, off, len, db, db_len, t, &e);
	__u32 i, at = off;

	ref_rewrite(b, off, len, db, db_len, t, &ref);
	if (r != ref.rc || (r < 0 && e.reason != ref.reason)) {
		fprintf(stderr, "fuzz_sql: sql.h %d (%s), reference %d (%s)\n", r,
			gl_sql_reason_name(e.reason), ref.rc, gl_sql_reason_name((unsigned)ref.reason));
		CHECK(0);
	}
	CHECK(e.rc == r);
	if (r < 0)
		return;
	CHECK((__u32)r == e.n && e.n <= GL_SQL_EDITS_MAX);
	for (i = 0; i < e.n; i++) {
		const struct gl_sql_edit *ed = &e.e[i];
		const struct gl_sql_table *te;
		int quoted;

		if (ed->off != ref.e[i].off || ed->len != ref.e[i].len || ed->table != ref.e[i].table ||
		    ed->flags != ref.e[i].flags) {
			fprintf(stderr, "fuzz_sql: edit %u: sql.h %u+%u table %u flags %u, reference %u+%u table %u flags %u\n",
				i, ed->off, ed->len, ed->table, ed->flags, ref.e[i].off, ref.e[i].len,
				ref.e[i].table, ref.e[i].flags);
			CHECK(0);
		}
		CHECK(t && ed->table < t->n);
		te = &t->t[ed->table];
		CHECK(ed->off >= at && ed->off + ed->len <= off + len);
		CHECK(ed->len == te->base_len && !memcmp(b + ed->off, te->base, ed->len));
		quoted = ed->off > off && b[ed->off - 1] == '`' && ed->off + ed->len < off + len &&
			 b[ed->off + ed->len] == '`';
		CHECK(quoted || !(ed->flags & GL_SQL_EF_QUOTED));
		CHECK(!ed->pad && !(ed->flags & ~GL_SQL_EF_QUOTED));
		at = ed->off + ed->len;
	}
	CHECK(e.use_len == ref.use_len && (!e.use_len || (e.use_off == ref.use_off &&
							   !!e.use_flags == ref.use_quoted)));
	if (e.use_len)
		CHECK(e.use_off >= off && e.use_off + e.use_len <= off + len && e.use_len <= GL_SQL_NAME_MAX);
}

/* the statement into the buffer at off; everything else may not be read */
static void place(__u32 off, const __u8 *s, __u32 n)
{
	ASAN_UNPOISON_MEMORY_REGION(buf, GL_SQL_BUF_SIZE);
	memset(buf, 0xa5, GL_SQL_BUF_SIZE);
	memcpy(buf + off, s, n);
	ASAN_POISON_MEMORY_REGION(buf, off);
	ASAN_POISON_MEMORY_REGION(buf + off + n, GL_SQL_BUF_SIZE - off - n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct gl_sql_tables T;
	static __u8 big[GL_SQL_STMT_MAX];
	__u8 db[GL_SQL_NAME_MAX] = { 0 };
	__u32 db_len = 0, n, i, off, len;
	const __u8 *sql;
	__u8 c0, c1;

	if (size < 2)
		return 0;
	c0 = data[0];
	c1 = data[1];
	n = c1 & 15;
	if (size < 2 + n)
		return 0;
	memset(&T, 0, sizeof(T));
	for (i = 0; i < n; i++) {
		__u8 k = data[2 + i];
		char shadow[GL_SQL_NAME_MAX + 1];

		snprintf(shadow, sizeof(shadow), "%s%s", BASES[(k >> 3) & 7], SHADOW_SUFFIX[k >> 6]);
		CHECK(!gl_sql_table_set(&T.t[i], DBS[k & 7], BASES[(k >> 3) & 7], shadow));
	}
	T.n = (c1 & 0xf0) == 0xf0 ? GL_SQL_TABLES_MAX + 1 : n;
	if (c0 & 7) {
		db_len = (__u32)strlen(DBS[(c0 & 7) - 1]);
		memcpy(db, DBS[(c0 & 7) - 1], db_len);
	}
	sql = data + 2 + n;
	len = (__u32)(size - 2 - n);
	if ((c0 >> 6) == 3 && len) {
		for (i = 0; i < GL_SQL_STMT_MAX; i++)
			big[i] = sql[i % len];
		sql = big;
		len = GL_SQL_STMT_MAX;
	}
	if (len > GL_SQL_STMT_MAX)
		len = GL_SQL_STMT_MAX;
	switch ((c0 >> 4) & 3) {
	case 0:
		off = 5;
		break;
	case 1:
		off = 0;
		break;
	case 2:
		off = GL_SQL_BUF_SIZE - len;
		break;
	default:
		off = size > 2 + n ? sql[0] : 0;
		break;
	}
	if (off + len > GL_SQL_BUF_SIZE)
		off = GL_SQL_BUF_SIZE - len;
	place(off, sql, len);
	check(buf, off, len, db, db_len, (c0 & 8) ? NULL : &T);
	ASAN_UNPOISON_MEMORY_REGION(buf, GL_SQL_BUF_SIZE);
	return 0;
}
