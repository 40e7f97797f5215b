// SPDX-License-Identifier: Apache-2.0
/*
 * Unit tests of the SQL shadow-table rewriter (bpf/lib/sql.h), compiled for
 * userspace from the same source the BPF programs include. Each case puts a
 * statement into the buffer behind a 5-byte MySQL packet header, runs
 * gl_sql_rewrite, checks the edits' invariants, applies them with a tiny
 * helper and compares the rewritten text (or the error and its reason, or
 * the USE name) with what is expected. One line per case, then
 * "N passed, M failed"; exit status 1 on any failure.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/sql.h"
#include "sql_cases.h"
#include "../cases.h"

static __u8 B[GL_SQL_BUF_SIZE];	/* the statement buffer, as in the kernel */
static struct gl_sql_tables MAPS[GL_SQL_MAPS];
static char text[2 * GL_SQL_BUF_SIZE];



/*
 * The tiny applier: the statement [off, off + len) of buf with every edit
 * replaced by its shadow name, into text. Checks on the way that the edits
 * are in order, do not overlap, lie inside the statement, name a mapped
 * entry and cover exactly that entry's base name (quoted edits sit between
 * backticks). Returns the length written (a NUL follows), or -1.
 */
static int apply(const __u8 *buf, __u32 off, __u32 len, const struct gl_sql_tables *t,
		 const struct gl_sql_edits *e, char *out, size_t size)
{
	__u32 i, at = off, o = 0;

	if (!expect(e->n <= GL_SQL_EDITS_MAX, "%u edits", e->n))
		return -1;
	for (i = 0; i < e->n; i++) {
		const struct gl_sql_edit *ed = &e->e[i];
		const struct gl_sql_table *te;

		if (!expect(t && ed->table < t->n, "edit %u: table %u of %u", i, ed->table, t ? t->n : 0))
			return -1;
		te = &t->t[ed->table];
		if (!expect(ed->off >= at && ed->off + ed->len <= off + len,
			    "edit %u at %u+%u: out of order or outside [%u, %u)", i, ed->off, ed->len, at,
			    off + len) ||
		    !expect(ed->len == te->base_len && !memcmp(buf + ed->off, te->base, ed->len),
			    "edit %u covers '%.*s', not base '%.*s'", i, ed->len, (const char *)buf + ed->off,
			    te->base_len, te->base) ||
		    !expect(!(ed->flags & GL_SQL_EF_QUOTED) ==
				    !(ed->off > off && buf[ed->off - 1] == '`' && buf[ed->off + ed->len] == '`'),
			    "edit %u: quoted flag %u", i, ed->flags))
			return -1;
		if (o + (ed->off - at) + te->shadow_len + 1 > size)
			return -1;
		memcpy(out + o, buf + at, ed->off - at);
		o += ed->off - at;
		memcpy(out + o, te->shadow, te->shadow_len);
		o += te->shadow_len;
		at = ed->off + ed->len;
	}
	if (o + (off + len - at) + 1 > size)
		return -1;
	memcpy(out + o, buf + at, off + len - at);
	o += off + len - at;
	out[o] = 0;
	return (int)o;
}

#define OFF 5	/* as the kernel calls it: after the packet header and the command byte */
#define T_BASE "mse_demo_table"

/* the statement into B at OFF (the rest of B is garbage that must not matter) */
static __u32 put(const char *sql, size_t n)
{
	memset(B, 0xa5, sizeof(B));
	memcpy(B + OFF, sql, n);
	return (__u32)n;
}

static int run(const char *sql, size_t n, const char *db, const struct gl_sql_tables *t,
	       struct gl_sql_edits *e)
{
	__u32 len = put(sql, n);
	__u8 dbuf[GL_SQL_NAME_MAX] = { 0 };
	__u32 dl = db ? (__u32)strlen(db) : 0;

	if (dl <= GL_SQL_NAME_MAX)
		memcpy(dbuf, db ? db : "", dl);
	return gl_sql_rewrite(B, OFF, len, dbuf, dl, t, e);
}

static int check_case(const struct gl_sql_case *c)
{
	struct gl_sql_edits e;
	size_t n = c->len ? c->len : strlen(c->sql);
	const struct gl_sql_tables *t = c->map < 0 ? NULL : &MAPS[c->map];
	int r = run(c->sql, n, c->db, t, &e);

	if (c->want) {
		if (!expect(r >= 0, "returned %d (%s, reason %s), want success", r, gl_sql_err_name(r),
			    gl_sql_reason_name(e.reason)) ||
		    !expect((__u32)r == e.n && e.rc == r, "returned %d, n %u, rc %d", r, e.n, e.rc))
			return 0;
		size_t wl = c->wlen ? c->wlen : strlen(c->want);
		int tl = apply(B, OFF, (__u32)n, t, &e, text, sizeof(text));

		if (tl < 0)
			return 0;
		if (!expect((size_t)tl == wl && !memcmp(text, c->want, wl),
			    "rewritten\n       '%s'\n  want '%s'", text, c->want))
			return 0;
		if (c->edits >= 0 && !expect(r == c->edits, "%d edits, want %d", r, c->edits))
			return 0;
	} else {
		if (!expect(r == c->rc && e.reason == c->reason, "returned %d (%s, reason %s), want %d (%s, reason %s)",
			    r, gl_sql_err_name(r), gl_sql_reason_name(e.reason), c->rc, gl_sql_err_name(c->rc),
			    gl_sql_reason_name(c->reason)))
			return 0;
	}
	if (c->use) {
		size_t ul = strlen(c->use);

		return expect(r >= 0 && e.use_len == ul && !memcmp(B + e.use_off, c->use, ul),
			      "USE '%.*s' at %u, want '%s'", e.use_len, (const char *)B + e.use_off,
			      e.use_off, c->use) &&
		       expect(!!(e.use_flags & GL_SQL_EF_QUOTED) == c->use_quoted, "USE flags %u",
			      e.use_flags);
	}
	return expect(r < 0 || e.use_len == 0, "USE '%.*s' reported, want none", e.use_len,
		      (const char *)B + e.use_off);
}

/* ---- cases that are not one statement and one answer ---- */

static void t_offsets(void)
{
	struct gl_sql_edits e;
	const char *q = "SELECT `mse_demo_table`.id FROM mse_demo_table";
	int r = run(q, strlen(q), "mse-demo", &MAPS[0], &e);

	result("edit offsets are absolute in the buffer, quoted flag, table index",
	       expect(r == 2, "r %d", r) &&
	       expect(e.e[0].off == OFF + 8 && e.e[0].len == 14 && e.e[0].flags == GL_SQL_EF_QUOTED &&
		      e.e[0].table == 0, "edit 0: %u+%u flags %u", e.e[0].off, e.e[0].len, e.e[0].flags) &&
	       expect(e.e[1].off == OFF + 32 && e.e[1].len == 14 && e.e[1].flags == 0,
		      "edit 1: %u+%u flags %u", e.e[1].off, e.e[1].len, e.e[1].flags));
}

/* a statement of exactly n bytes: filler, then the table reference at its very end */
static char *sized(size_t n, const char *tail)
{
	static char s[GL_SQL_BUF_SIZE + 16];
	const char *head = "SELECT 1 FROM ";
	size_t hl = strlen(head), tl = strlen(tail);

	memcpy(s, head, hl);
	memset(s + hl, ' ', n - hl - tl);
	memcpy(s + n - tl, tail, tl);
	s[n] = 0;
	return s;
}

static void t_bounds(void)
{
	struct gl_sql_edits e;
	char *q;
	int r;

	q = sized(GL_SQL_STMT_MAX, "mse_demo_table");
	r = run(q, GL_SQL_STMT_MAX, "mse-demo", &MAPS[0], &e);
	result("a statement of exactly GL_SQL_STMT_MAX bytes, table at its last byte",
	       expect(r == 1, "r %d (%s)", r, gl_sql_reason_name(e.reason)) &&
	       expect(e.e[0].off + e.e[0].len == OFF + GL_SQL_STMT_MAX, "edit ends at %u",
		      e.e[0].off + e.e[0].len));

	q = sized(GL_SQL_STMT_MAX + 1, "mse_demo_table");
	memset(B, 0, sizeof(B));
	memcpy(B, q, GL_SQL_STMT_MAX + 1);
	r = gl_sql_rewrite(B, 0, GL_SQL_STMT_MAX + 1, (const __u8 *)"mse-demo", 8, &MAPS[0], &e);
	result("one byte more: too large",
	       expect(r == GL_SQL_E_TOO_LARGE && e.reason == GL_SQL_R_TOO_LONG, "r %d reason %s", r,
		      gl_sql_reason_name(e.reason)));

	r = gl_sql_rewrite(B, GL_SQL_BUF_SIZE - 10, 11, (const __u8 *)"mse-demo", 8, &MAPS[0], &e);
	result("a statement past the end of the buffer: too large",
	       expect(r == GL_SQL_E_TOO_LARGE && e.reason == GL_SQL_R_TOO_LONG, "r %d", r));

	/* the last byte of the buffer */
	memset(B, ' ', sizeof(B));
	memcpy(B + GL_SQL_BUF_SIZE - 14, "mse_demo_table", 14);
	r = gl_sql_rewrite(B, GL_SQL_BUF_SIZE - GL_SQL_STMT_MAX, GL_SQL_STMT_MAX,
			   (const __u8 *)"mse-demo", 8, &MAPS[0], &e);
	result("a table name ending at the buffer's last byte",
	       expect(r == 1 && e.e[0].off == GL_SQL_BUF_SIZE - 14, "r %d off %u", r, e.e[0].off));

	r = gl_sql_rewrite(B, 0, 0, (const __u8 *)"mse-demo", 8, &MAPS[0], &e);
	result("an empty statement", expect(r == 0 && e.use_len == 0, "r %d", r));
}

static void t_edits_max(void)
{
	static char q[4096];
	struct gl_sql_edits e;
	int i, r;

	for (int extra = 0; extra <= 1; extra++) {
		strcpy(q, "SELECT * FROM mse_demo_table");
		for (i = 1; i < GL_SQL_EDITS_MAX + extra; i++)
			strcat(q, i % 2 ? " JOIN mse_demo_table USING (id)" : ", `mse-demo`.mse_demo_table");
		r = run(q, strlen(q), "mse-demo", &MAPS[0], &e);
		if (!extra)
			result("exactly GL_SQL_EDITS_MAX references",
			       expect(r == GL_SQL_EDITS_MAX, "r %d (%s)", r, gl_sql_reason_name(e.reason)) &&
			       apply(B, OFF, (__u32)strlen(q), &MAPS[0], &e, text, sizeof(text)) >= 0);
		else
			result("one more than GL_SQL_EDITS_MAX: too large",
			       expect(r == GL_SQL_E_TOO_LARGE && e.reason == GL_SQL_R_EDITS, "r %d reason %s",
				      r, gl_sql_reason_name(e.reason)));
	}
}

static void t_args(void)
{
	struct gl_sql_tables t = MAPS[0];
	struct gl_sql_edits e;
	const char *q = "SELECT * FROM mse_demo_table";
	int r;

	t.n = GL_SQL_TABLES_MAX + 1;
	r = run(q, strlen(q), "mse-demo", &t, &e);
	result("a table map with more than GL_SQL_TABLES_MAX entries: inval",
	       expect(r == GL_SQL_E_INVAL && e.reason == GL_SQL_R_ARG, "r %d", r));
	put(q, strlen(q));
	r = gl_sql_rewrite(B, OFF, (__u32)strlen(q), (const __u8 *)"x", GL_SQL_NAME_MAX + 1, &MAPS[0], &e);
	result("a current database longer than GL_SQL_NAME_MAX: inval",
	       expect(r == GL_SQL_E_INVAL && e.reason == GL_SQL_R_ARG, "r %d", r));
	r = gl_sql_rewrite(B, OFF, (__u32)strlen(q), NULL, 0, &MAPS[0], &e);
	result("no current database given (NULL, 0)", expect(r == 0, "r %d", r));

	/* a full map: the mapped table is the last entry */
	t = MAPS[0];
	for (r = 0; r < GL_SQL_TABLES_MAX; r++) {
		char base[16];

		snprintf(base, sizeof(base), "t%d", r);
		gl_sql_table_set(&t.t[r], "mse-demo", r == GL_SQL_TABLES_MAX - 1 ? "mse_demo_table" : base,
				 "mse_demo_table_gray");
	}
	t.n = GL_SQL_TABLES_MAX;
	r = run(q, strlen(q), "mse-demo", &t, &e);
	result("the last of GL_SQL_TABLES_MAX entries matches",
	       expect(r == 1 && e.e[0].table == GL_SQL_TABLES_MAX - 1, "r %d table %u", r, e.e[0].table));
	/* an entry with a zero length is never matched */
	t.t[GL_SQL_TABLES_MAX - 1].db_len = 0;
	r = run(q, strlen(q), "mse-demo", &t, &e);
	result("an entry with an empty database is never matched", expect(r == 0, "r %d", r));
	/* another base hash: never compared */
	t = MAPS[0];
	t.t[0].base_hash = gl_sql_hash("x", 1);
	r = run(q, strlen(q), "mse-demo", &t, &e);
	result("a wrong base_hash is never matched (the hash gates the compare)", expect(r == 0, "r %d", r));
	/* the same hash and length, other bytes (a collision): compared, not matched */
	for (r = 0; r < 2; r++) {
		t = MAPS[0];
		memcpy(t.t[0].base, r ? "mse_demo_tablx" : "xse_demo_table", 14);
		t.t[0].base_hash = gl_sql_hash(T_BASE, 14);
		r = run(q, strlen(q), "mse-demo", &t, &e) == 0 ? r : -10;
		if (r < 0)
			break;
	}
	result("a hash collision is not a match (every byte is compared)", expect(r == 2, "matched"));
}

static void t_helpers(void)
{
	struct gl_sql_table te;

	result("gl_sql_hash is FNV-1a-32",
	       expect(gl_sql_hash("", 0) == 0x811c9dc5u && gl_sql_hash("a", 1) == 0xe40c292cu &&
		      gl_sql_hash("foobar", 6) == 0xbf9cf968u, "0x%08x", gl_sql_hash("foobar", 6)));
	result("gl_sql_name_plain",
	       expect(gl_sql_name_plain("mse_demo_table_gray", 19) && gl_sql_name_plain("$a1", 3) &&
		      !gl_sql_name_plain("mse-demo", 8) && !gl_sql_name_plain("1abc", 4) &&
		      !gl_sql_name_plain("a b", 3) && !gl_sql_name_plain("", 0), "wrong"));
	result("gl_sql_table_set refuses names the map cannot hold",
	       expect(gl_sql_table_set(&te, "db", "a`b", "c") == GL_SQL_E_INVAL &&
		      gl_sql_table_set(&te, "", "a", "c") == GL_SQL_E_INVAL &&
		      gl_sql_table_set(&te, "db",
				       "01234567890123456789012345678901234567890123456789012345678901234",
				       "c") == GL_SQL_E_INVAL &&
		      gl_sql_table_set(&te, "db", "a", "b") == 0 && te.base_hash == gl_sql_hash("a", 1),
		      "wrong"));
}

/* every prefix of every statement: never a crash, never an edit outside the prefix */
static void t_prefixes(void)
{
	struct gl_sql_edits e;
	size_t i, k, bad = 0, total = 0;

	for (i = 0; i < GL_SQL_CASES_N; i++) {
		const struct gl_sql_case *c = &gl_sql_cases[i];
		size_t n = c->len ? c->len : strlen(c->sql);
		const struct gl_sql_tables *t = c->map < 0 ? NULL : &MAPS[c->map];

		if (n > 300)
			continue;
		for (k = 0; k <= n; k++) {
			int r = run(c->sql, k, c->db, t, &e);

			total++;
			if (r >= 0 && apply(B, OFF, (__u32)k, t, &e, text, sizeof(text)) < 0) {
				if (!bad)
					fprintf(stderr, "prefix %zu of '%s': %s\n", k, c->name, why);
				bad++;
			}
			why[0] = 0;
		}
	}
	result("every prefix of every case: edits stay valid", expect(bad == 0, "%zu of %zu bad", bad, total));
}

int main(void)
{
	size_t i;

	if (gl_sql_maps_init(MAPS)) {
		printf("table maps: setup failed\n0 passed, 1 failed\n");
		return 1;
	}
	for (i = 0; i < GL_SQL_CASES_N; i++)
		result(gl_sql_cases[i].name, check_case(&gl_sql_cases[i]));
	t_offsets();
	t_bounds();
	t_edits_max();
	t_args();
	t_helpers();
	t_prefixes();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
