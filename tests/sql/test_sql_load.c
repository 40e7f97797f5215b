// SPDX-License-Identifier: Apache-2.0
/*
 * Loads tests/sql/sql_load.bpf.c into this kernel and reports what the
 * verifier processed for each program (the rewriter at its full size), then
 * runs statements through the kernel with BPF_PROG_TEST_RUN (syscall
 * programs) and compares each result, field by field, with the same
 * rewriter compiled for userspace: every case of tests/sql/sql_cases.h,
 * every prefix of the short ones, statements at the size bound, and
 * pseudo-random mutations of the cases. One line per check, then
 * "N passed, M failed". Needs root; nothing is attached or pinned.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sql_load.h"
#include "sql_load.skel.h"
#include "sql_cases.h"
#include "../cases.h"
#include "../verifier.h"

#define NPROGS 3
#define MUTATIONS 3000

static __u8 U[GL_SQL_BUF_SIZE];	/* the buffer image, for the kernel and for userspace */
static struct gl_sql_tables MAPS[GL_SQL_MAPS];
static struct sql_load_bpf *sk;
static unsigned long compared;



/* ---- load ---- */


static int load(void)
{
	/* every program within GL_VERIFIER_BUDGET (user/kernel/verifier_report.h) */
	static gl_verifier_log logs[NPROGS];
	struct bpf_program *progs[NPROGS];
	int err;

	sk = sql_load_bpf__open();
	if (!sk) {
		snprintf(why, sizeof(why), "open: %s", strerror(errno));
		result("open the BPF object", 0);
		return -1;
	}
	progs[0] = sk->progs.sql_rewrite;
	progs[1] = sk->progs.sql_rewrite_nullable;
	progs[2] = sk->progs.sql_sk_msg;
	verifier_logs(progs, NPROGS, logs);
	err = sql_load_bpf__load(sk);
	verifier_report(progs, NPROGS, logs, err);
	return err ? -1 : 0;
}

/* ---- comparisons ---- */

/* the tables in the kernel's hash map: key m for map m, key 100 absent */
static int set_maps(void)
{
	__u32 k;

	for (k = 0; k < GL_SQL_MAPS; k++)
		if (bpf_map_update_elem(bpf_map__fd(sk->maps.gl_sql_maps), &k, &MAPS[k], BPF_ANY))
			return -errno;
	return 0;
}

/* runs one statement [off, off + len) of U in the kernel and in userspace; 1 when they agree */
static int cmp(const char *what, __u32 off, __u32 len, const char *db, int map, int nullable)
{
	struct gl_sql_load_args a = { .data = (__u64)(unsigned long)U, .off = off, .len = len };
	LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = &a, .ctx_size_in = sizeof(a));
	struct gl_sql_edits ue;
	__u8 dbuf[GL_SQL_NAME_MAX] = { 0 };
	__u32 dl = db ? (__u32)strlen(db) : 0;
	struct bpf_program *prog = nullable ? sk->progs.sql_rewrite_nullable : sk->progs.sql_rewrite;
	const struct gl_sql_edits *ke = &sk->bss->result.edits;
	int u, err;

	compared++;
	memcpy(dbuf, db ? db : "", dl);
	memcpy(sk->bss->gl_sql_db, dbuf, sizeof(dbuf));
	a.db_len = dl;
	a.key = map < 0 ? 100 : (__u32)map;
	u = gl_sql_rewrite(U, off, len, dbuf, dl, map < 0 ? NULL : &MAPS[map], &ue);
	memset(&sk->bss->result, 0x5a, sizeof(sk->bss->result));
	err = bpf_prog_test_run_opts(bpf_program__fd(prog), &o);
	if (!expect(!err && o.retval == 0, "%s: test run: err %d retval %u", what, err ? -errno : 0,
		    o.retval))
		return 0;
	return expect(sk->bss->result.rc == u, "%s: kernel %d, user %d", what, sk->bss->result.rc, u) &&
	       expect(!memcmp(ke, &ue, offsetof(struct gl_sql_edits, scan)),
		      "%s: results differ (kernel n %u use %u+%u reason %u; user n %u use %u+%u reason %u)",
		      what, ke->n, ke->use_off, ke->use_len, ke->reason, ue.n, ue.use_off, ue.use_len,
		      ue.reason);
}

static __u32 put(__u32 off, const char *sql, size_t n)
{
	memset(U, 0xa5, sizeof(U));
	memcpy(U + off, sql, n);
	return (__u32)n;
}

static void t_cases(void)
{
	size_t i;
	__u32 k;

	for (i = 0; i < GL_SQL_CASES_N; i++) {
		const struct gl_sql_case *c = &gl_sql_cases[i];
		size_t n = c->len ? c->len : strlen(c->sql);
		char title[256];
		unsigned long before = compared;
		int ok;

		put(5, c->sql, n);
		ok = cmp(c->name, 5, (__u32)n, c->db, c->map, c->map < 0);
		if (c->map >= 0)
			ok &= cmp(c->name, 5, (__u32)n, c->db, c->map, 1);
		/* every prefix of the short ones */
		for (k = 0; ok && n <= 120 && k < n; k++)
			ok &= cmp(c->name, 5, k, c->db, c->map, c->map < 0);
		snprintf(title, sizeof(title), "kernel = user: %s (%lu runs)", c->name, compared - before);
		result(title, ok);
	}
}

/* a statement of exactly len bytes, many tokens of every kind */
static __u32 big(__u32 off, __u32 len, int edits)
{
	static const char *const parts[] = {
		"'a string with mse_demo_table in it', ", "/* mse_demo_table */ ", "`mse-demo`.`x`, ",
		"1e5, 0x1f, .5, ", "@v.w, ", "-- c\n", "# c\n", "other.mse_demo_table, ", "\"q\\\"q\", ",
		"/*!50100 1 */, ",
	};
	char *s = (char *)U + off;
	__u32 n = 0, i = 0;
	int e = 0;

	memset(U, 0xa5, sizeof(U));
	memcpy(s, "SELECT ", 7);
	n = 7;
	for (;;) {
		const char *p = e < edits && i % 7 == 3 ? "mse_demo_table.x, " : parts[i % 10];
		size_t pl = strlen(p);

		if (n + pl + 1 > len)
			break;
		if (e < edits && i % 7 == 3)
			e++;
		memcpy(s + n, p, pl);
		n += (__u32)pl;
		i++;
	}
	while (n < len)
		s[n++] = ' ';
	return len;
}

static void t_big(void)
{
	__u32 len;
	int ok;

	len = big(5, GL_SQL_STMT_MAX, GL_SQL_EDITS_MAX);
	ok = cmp("full-size statement", 5, len, "mse-demo", 0, 0);
	result("kernel = user: a statement of GL_SQL_STMT_MAX bytes, GL_SQL_EDITS_MAX edits",
	       ok && expect(sk->bss->result.rc == GL_SQL_EDITS_MAX, "rc %d", sk->bss->result.rc));
	len = big(5, GL_SQL_STMT_MAX, GL_SQL_EDITS_MAX + 1);
	ok = cmp("too many edits", 5, len, "mse-demo", 0, 0);
	result("kernel = user: one edit too many",
	       ok && expect(sk->bss->result.rc == GL_SQL_E_TOO_LARGE, "rc %d", sk->bss->result.rc));
	len = big(0, GL_SQL_STMT_MAX, 3);
	ok = cmp("statement at offset 0", 0, len, "mse-demo", 0, 0) &&
	     cmp("at the end of the buffer", GL_SQL_BUF_SIZE - GL_SQL_STMT_MAX, GL_SQL_STMT_MAX, "mse-demo", 0, 0);
	result("kernel = user: full-size statements at both ends of the buffer", ok);
	ok = cmp("one byte over", 0, GL_SQL_STMT_MAX + 1, "mse-demo", 0, 0);
	result("kernel = user: one byte over the bound",
	       ok && expect(sk->bss->result.rc == GL_SQL_E_TOO_LARGE, "rc %d", sk->bss->result.rc));
	/* the longest scan: one token per byte */
	memset(U, ',', sizeof(U));
	ok = cmp("commas", 5, GL_SQL_STMT_MAX, "mse-demo", 1, 0);
	memset(U, 'a', sizeof(U));
	ok &= cmp("one long word", 5, GL_SQL_STMT_MAX, "mse-demo", 1, 0);
	for (len = 0; len < GL_SQL_BUF_SIZE; len++)
		U[len] = len % 2 ? '.' : 'a';
	ok &= cmp("a.a.a...", 5, GL_SQL_STMT_MAX, "mse-demo", 1, 0);
	result("kernel = user: one token per byte, one word, one long chain", ok);
}

static __u32 rnd_state = 0x2545f491u;

static __u32 rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/* splices, byte flips, and insertions of SQL fragments into the cases */
static void t_mutations(void)
{
	static const char *const frag[] = {
		"`", "'", "\"", "\\", "/*", "*/", "/*!", "/*!50100", "/*M!", "--", "-- ", "#", "\n", ".",
		" . ", "@", "@@", ";", "USE ", "use `mse-demo`;", "mse_demo_table", "`mse-demo`.", "FROM .",
		"1e5", "0x", ".5", "items", "shop.", "orders", "other.", "*", "\0",
	};
	static char s[1024];
	int bad = 0, i;

	for (i = 0; i < MUTATIONS; i++) {
		const struct gl_sql_case *c = &gl_sql_cases[rnd() % GL_SQL_CASES_N];
		const struct gl_sql_case *d = &gl_sql_cases[rnd() % GL_SQL_CASES_N];
		size_t n = c->len ? c->len : strlen(c->sql), dn = d->len ? d->len : strlen(d->sql), k;
		int m, maps[] = { 0, 1, 2, -1 };
		const char *dbs[] = { "mse-demo", "shop", "other", NULL };

		if (n > 500 || dn > 500)
			continue;
		memcpy(s, c->sql, n);
		for (m = (int)(rnd() % 4); m >= 0; m--) {
			size_t at = n ? rnd() % (n + 1) : 0;
			const char *f = frag[rnd() % (sizeof(frag) / sizeof(frag[0]))];
			size_t fl = *f ? strlen(f) : 1;

			switch (rnd() % 3) {
			case 0:	/* insert a fragment */
				if (n + fl < sizeof(s)) {
					memmove(s + at + fl, s + at, n - at);
					memcpy(s + at, f, fl);
					n += fl;
				}
				break;
			case 1:	/* flip a byte */
				if (n)
					s[rnd() % n] = (char)rnd();
				break;
			case 2:	/* splice another case's tail */
				k = dn ? rnd() % dn : 0;
				if (at + dn - k < sizeof(s)) {
					memcpy(s + at, d->sql + k, dn - k);
					n = at + dn - k;
				}
				break;
			}
		}
		put(5, s, n);
		if (!cmp("mutation", 5, (__u32)n, dbs[rnd() % 4], maps[rnd() % 4], 1)) {
			if (!bad)
				fprintf(stderr, "mutation %d: '%.*s'\n", i, (int)n, s);
			bad++;
			why[0] = 0;
		}
	}
	result("kernel = user on 3000 mutated statements", expect(!bad, "%d differ", bad));
}

int main(void)
{
	int err;

	if (geteuid() != 0) {
		printf("test_sql_load: loads BPF programs into the kernel, needs root\n0 passed, 1 failed\n");
		return 1;
	}
	if (gl_sql_maps_init(MAPS)) {
		printf("table maps: setup failed\n0 passed, 1 failed\n");
		return 1;
	}
	if (load() == 0) {
		err = set_maps();
		result("table maps written", expect(!err, "update: %d", err));
		t_cases();
		t_big();
		t_mutations();
		printf("(%lu statements compared)\n", compared);
	}
	sql_load_bpf__destroy(sk);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
