// SPDX-License-Identifier: Apache-2.0
/*
 * Loads tests/http/rules_load.bpf.c into this kernel, reports what the
 * verifier processed for each program (GL_ENTRY_RULES_MAX rules from a
 * hash map, each through gl_rule_match, on a head of full size), then runs
 * rules in the kernel with BPF_PROG_TEST_RUN and compares every rule's
 * result with bpf/lib/rules.h compiled for userspace:
 * - random rules (fixed seed) made from the fields of each request, so that
 *   about half of the items hold, on every vector of tests/http/vectors.h
 *   the parser accepts, a few heads of our own and an 8 KiB head;
 * - the rules and want table the compiler writes for the entry workloads of
 *   tests/golden/conditions, on requests aimed at each of its rules.
 * One line per case, then "N passed, M failed". Needs root; nothing is
 * attached or pinned.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common/diag.h"
#include "model/model.h"
#include "plan/plan.h"
#include "rules/rules.h"
#include "rules_load.h"
#include "rules_load.skel.h"
#include "vectors.h"
#include "../cases.h"
#include "../verifier.h"

static __u8 U[GL_HTTP_BUF_SIZE];	/* userspace copy of what the kernel gets */
static struct rules_load_bpf *sk;
static struct gl_rule R[GL_RULES_LOAD_N];
static struct gl_http_want W;
static unsigned long compared, matches;



/* ---- load ---- */


static int load(void)
{
	static gl_verifier_log logs[2];
	struct bpf_program *progs[2];
	int err;

	sk = rules_load_bpf__open();
	if (!sk) {
		snprintf(why, sizeof(why), "open: %s", strerror(errno));
		result("open the BPF object", 0);
		return -1;
	}
	progs[0] = sk->progs.rules_eval;
	progs[1] = sk->progs.rules_sk_msg;
	verifier_logs(progs, 2, logs);
	err = rules_load_bpf__load(sk);
	verifier_report(progs, 2, logs, err);
	return err ? -1 : 0;
}

/* ---- one comparison: R[0..n) on U[0..len) with W, kernel and user ---- */

static int put_rules(__u32 n, __u32 workload_id)
{
	int fd = bpf_map__fd(sk->maps.gl_rules);

	for (__u32 i = 0; i < GL_RULES_LOAD_N; i++) {
		struct gl_rule_key k = { .slot = 0, .index = i, .workload_id = workload_id };

		if (i >= n) {
			bpf_map_delete_elem(fd, &k);
			continue;
		}
		if (bpf_map_update_elem(fd, &k, &R[i], BPF_ANY))
			return -errno;
	}
	return 0;
}

static int cmp_rules(__u32 len, __u32 n)
{
	struct gl_rules_load_args a = { .data = (__u64)(unsigned long)U, .len = len, .nrules = n };
	LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = &a, .ctx_size_in = sizeof(a));
	struct gl_http_head h;
	__u32 matched = 0;
	__s32 first = -1, lane = 0;
	int rc, err;

	rc = gl_http_parse_head(U, 0, len, &W, &h);
	for (__u32 i = 0; rc > 0 && i < n; i++) {
		if (gl_rule_match(U, &h, &R[i]) != 1)
			continue;
		matched |= 1u << i;
		if (first < 0) {
			first = (__s32)i;
			lane = R[i].lane;
		}
	}
	matches += (unsigned long)__builtin_popcount(matched);
	err = put_rules(n, 1);
	if (!expect(!err, "gl_rules update: %d", err))
		return 0;
	sk->bss->want = W;
	memset(&sk->bss->result, 0x5a, sizeof(sk->bss->result));
	err = bpf_prog_test_run_opts(bpf_program__fd(sk->progs.rules_eval), &o);
	compared++;
	return expect(!err && !o.retval, "rules_eval run: %d/%u", err ? -errno : 0, o.retval) &&
	       expect(sk->bss->result.rc == rc, "parse: kernel %d, user %d", sk->bss->result.rc, rc) &&
	       expect(sk->bss->result.matched == matched && sk->bss->result.first == first &&
		      (__s32)sk->bss->result.lane == lane,
		      "matched %#x first %d lane %u in the kernel, %#x %d %d in userspace",
		      sk->bss->result.matched, sk->bss->result.first, sk->bss->result.lane,
		      matched, first, lane);
}

/* ---- random rules from the fields of a head ---- */

static __u64 rng = 0x9e3779b97f4a7c15ull;

static __u32 rnd(__u32 n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? (__u32)(rng % n) : 0;
}

static const char *const header_names[] = { "x-user", "User-Agent", "host", "cookie",
					     "x-opensergo-traffic", "x-missing", "X-Empty" };
static const char *const kv_names[] = { "a", "ab", "uid", "lane", "e", "q", "debug", "zz" };
static const char *const words[] = { "", "a", "gray", "alice", "/", "GET", "1", "=" };

/* bytes [off, off+n) of the field an item reads, or a word */
static void pick_value(const struct gl_http_head *h, struct gl_match_item *it, char *out,
		       size_t *outn)
{
	struct gl_http_span v = { 0, 0 };
	size_t n, off;

	if (!gl_rule_field(U, h, it, &v) || rnd(4) == 0) {
		const char *w = words[rnd(sizeof(words) / sizeof(words[0]))];

		*outn = strlen(w);
		memcpy(out, w, *outn);
		return;
	}
	n = v.len;
	off = 0;
	switch (it->cond) {
	case GL_COND_PREFIX:
		n = rnd(n + 1);
		break;
	case GL_COND_SUFFIX:
		off = rnd(n + 1);
		n -= off;
		break;
	case GL_COND_CONTAINS:
		off = rnd(n + 1);
		n = rnd(n - off + 1);
		break;
	}
	if (n > GL_RULE_VALUE_MAX / 4)
		n = GL_RULE_VALUE_MAX / 4;
	memcpy(out, U + v.off + off, n);
	if (n && rnd(5) == 0)
		out[rnd(n)] ^= 1;	/* one byte off */
	*outn = n;
}

static void random_item(const struct gl_http_head *h, struct gl_match_item *it)
{
	char v[GL_RULE_VALUE_MAX];
	size_t vn = 0;
	const char *k = "";

	memset(it, 0, sizeof(*it));
	it->type = rnd(GL_MATCH_TYPE_MAX);
	it->cond = rnd(GL_COND_MAX);
	it->want_slot = GL_HTTP_SLOT_NONE;
	if (it->type == GL_MATCH_HEADER) {
		k = header_names[rnd(sizeof(header_names) / sizeof(header_names[0]))];
		it->want_slot = gl_http_want_add(&W, k, strlen(k));
	} else if (it->type == GL_MATCH_PARAM || it->type == GL_MATCH_COOKIE) {
		k = kv_names[rnd(sizeof(kv_names) / sizeof(kv_names[0]))];
	}
	it->key_len = strlen(k);
	memcpy(it->key, k, it->key_len);
	if (it->cond == GL_COND_PERCENTAGE) {
		it->percent = rnd(101);
		return;
	}
	if (it->cond == GL_COND_EXISTS)
		return;
	if (it->cond == GL_COND_IN || it->cond == GL_COND_NOT_IN) {
		__u32 nin = 1 + rnd(4), o = 0;

		for (__u32 i = 0; i < nin; i++) {
			pick_value(h, it, v, &vn);
			if (o + vn > GL_RULE_VALUE_MAX)
				break;
			memcpy(it->value + o, v, vn);
			it->in_off[i] = o;
			it->in_len[i] = vn;
			it->nin = i + 1;
			o += vn;
		}
		it->value_len = o;
		return;
	}
	pick_value(h, it, v, &vn);
	memcpy(it->value, v, vn);
	it->value_len = vn;
}

static int random_rules(__u32 len, int rounds)
{
	struct gl_http_head h;
	int ok = 1;

	if (gl_http_parse_head(U, 0, len, &W, &h) <= 0)
		return -1;
	for (int r = 0; r < rounds && ok; r++) {
		for (__u32 i = 0; i < GL_RULES_LOAD_N; i++) {
			R[i].lane = 1 + i;
			R[i].nitems = rnd(4) == 0 ? 0 : 1 + rnd(3);
			for (__u32 j = 0; j < R[i].nitems; j++)
				random_item(&h, &R[i].item[j]);
		}
		/* every rule's own result is compared; the first match too */
		ok &= cmp_rules(len, GL_RULES_LOAD_N);
	}
	return ok;
}

static __u32 put(const void *data, size_t n)
{
	memset(U, 0, sizeof(U));
	memcpy(U, data, n);
	return (__u32)n;
}

static void random_case(const char *name, const char *data, size_t n)
{
	unsigned long before = compared, before_m = matches;
	char title[256];
	__u32 len = put(data, n);
	int ok = random_rules(len, 40);

	if (ok < 0)
		return;		/* not a head: nothing to evaluate */
	snprintf(title, sizeof(title), "kernel = user, random rules on '%s': %lu runs of %d rules, "
		 "%lu matched", name, compared - before, GL_RULES_LOAD_N, matches - before_m);
	result(title, ok);
}

static const char H1[] =
	"GET /api/v2/items.json?uid=42&region=cn&debug&empty=&ab=1&a=2&a=3&q=%61b+c HTTP/1.1\r\n"
	"Host: shop.example.com:8080\r\nX-User: alice\r\n"
	"Cookie: session=\"beta\"; uid=12345; e=; ab=9; a=1; a=2\r\n"
	"User-Agent: Mozilla/5.0 (iPhone; Mobile)\r\nX-Empty:\r\nX-Opensergo-Traffic: gray\r\n\r\n";
static const char H2[] = "POST /submit HTTP/1.1\r\nContent-Length: 0\r\n\r\n";
static const char H3[] =
	"DELETE http://other.example/api/v2/x.json?lane=gray HTTP/1.1\r\n"
	"HOST: Other.Example\r\nx-USER: Bob\r\nCOOKIE: lane=gray\r\n\r\n";

static void random_cases(void)
{
	static char big[GL_HTTP_HEAD_MAX + 1];
	size_t pre;

	for (size_t i = 0; i < GL_HTTP_VECTORS_N; i++)
		random_case(gl_http_vectors[i].name, gl_http_vectors[i].data, gl_http_vectors[i].len);
	random_case("own head with every field", H1, sizeof(H1) - 1);
	random_case("own head without host, cookie, query", H2, sizeof(H2) - 1);
	random_case("own head, absolute-form", H3, sizeof(H3) - 1);
	/* 8 KiB: long values for contains and percentage to walk */
	strcpy(big, "GET /big?a=1 HTTP/1.1\r\nCookie: a=1; uid=");
	pre = strlen(big);
	memset(big + pre, 'c', 3000);
	strcpy(big + pre + 3000, "\r\nX-User: ");
	pre = strlen(big);
	memset(big + pre, 'u', GL_HTTP_HEAD_MAX - pre - 4);
	strcpy(big + GL_HTTP_HEAD_MAX - 4, "\r\n\r\n");
	random_case("8 KiB head", big, GL_HTTP_HEAD_MAX);
}

/* ---- the compiler's rules for tests/golden/conditions, in the kernel ---- */

struct aimed {
	const char *req;
	const char *rule;	/* the first rule that must match, NULL: none */
};

static const struct aimed edge_heads[] = {
	{ "GET /x HTTP/1.1\r\nX-User: bob\r\n\r\n", "a-users" },
	{ "POST /x HTTP/1.1\r\nX-User: bob\r\n\r\n", NULL },
	{ "PUT /api/v2/a.json HTTP/1.1\r\n\r\n", "b-path" },
	{ "DELETE /api/v2/a.json HTTP/1.1\r\n\r\n", NULL },
	{ "GET /p?debug&region=cn HTTP/1.1\r\n\r\n", "c-param" },
	{ "GET /p?debug&region=eu HTTP/1.1\r\n\r\n", NULL },
	{ "GET / HTTP/1.1\r\nHost: shop.x\r\nCookie: session=\"beta\"\r\nUser-Agent: a Mobile b\r\n\r\n",
	  "d-cookie" },
	{ "GET / HTTP/1.1\r\nHost: h\r\nX-Canary: 1\r\n\r\n", "all-fronts" },
	{ "GET / HTTP/1.1\r\nHost: localhost\r\nX-Canary: 1\r\n\r\n", NULL },
	{ "GET / HTTP/1.1\r\nHost: internal.local\r\nX-User: zed\r\n\r\n", "f-header-host" },
	{ "GET / HTTP/1.1\r\nx-mse-tag: gray\r\n\r\n", "g-propagation" },
	{ "GET /api/v2/a.json HTTP/1.1\r\nX-User: alice\r\n\r\n", "a-users" },
};

static int load_plan(const char *dir, struct gl_plan *p)
{
	struct gl_model m;
	struct gl_diags d;
	int err;

	gl_model_init(&m);
	gl_diags_init(&d);
	err = gl_model_load_dir(dir, &m, &d);
	if (!err)
		err = gl_model_validate(&m, &d);
	if (!err)
		err = gl_plan_compile(&m, p, NULL, &d);
	gl_diags_print(&d, stderr);
	gl_model_free(&m);
	gl_diags_free(&d);
	return err;
}

static void compiled_cases(void)
{
	const char *dir = "tests/golden/conditions/rules";
	const struct gl_plan_rule *rules = NULL;
	const struct gl_plan_workload *edge = NULL;
	struct gl_plan p;
	char title[300];
	__u32 n = 0;

	if (access(dir, F_OK) && getenv("GL_TOP") && chdir(getenv("GL_TOP")) < 0)
		fprintf(stderr, "test_rules_load: cannot enter GL_TOP\n");
	if (load_plan(dir, &p)) {
		snprintf(why, sizeof(why), "cannot compile %s (run from the source tree or set GL_TOP)", dir);
		result("compile tests/golden/conditions", 0);
		return;
	}
	for (size_t i = 0; i < p.nworkloads; i++)
		if (!strcmp(p.workloads[i].name, "edge"))
			edge = &p.workloads[i];
	for (size_t i = 0; edge && i < p.nrules; i++)
		if (p.rules[i].key.workload_id == edge->val.workload_id && !rules)
			rules = &p.rules[i];
	for (size_t i = 0; edge && i < p.nwants; i++)
		if (p.wants[i].key.workload_id == edge->val.workload_id)
			W = p.wants[i].val;
	if (rules)
		n = edge->val.nrules;
	for (__u32 i = 0; i < n; i++)
		gl_plan_rule_val(&rules[i], &R[i]);
	for (size_t c = 0; n && c < sizeof(edge_heads) / sizeof(edge_heads[0]); c++) {
		const struct aimed *a = &edge_heads[c];
		__u32 len = put(a->req, strlen(a->req));
		int ok = cmp_rules(len, n);
		__s32 first = sk->bss->result.first;
		const char *got = first >= 0 && (__u32)first < n ? rules[first].rule : NULL;

		ok = ok && expect(a->rule ? got && !strcmp(got, a->rule) : !got,
				  "first matching rule in the kernel: %s, want %s",
				  got ? got : "none", a->rule ? a->rule : "none");
		snprintf(title, sizeof(title), "conditions plan, edge's %u rules in the kernel: %s -> %s",
			 n, a->rule ? a->rule : "no rule", ok ? "same" : "differs");
		result(title, ok);
	}
	if (!n)
		result("conditions plan has the entry workload edge", 0);
	gl_plan_free(&p);
}

int main(void)
{
	if (geteuid() != 0) {
		printf("test_rules_load: loads BPF programs into the kernel, needs root\n"
		       "0 passed, 1 failed\n");
		return 1;
	}
	if (load() == 0) {
		if (gl_http_want_init(&W, NULL, NULL)) {
			printf("want table setup failed\n0 passed, 1 failed\n");
			return 1;
		}
		random_cases();
		compiled_cases();
	}
	rules_load_bpf__destroy(sk);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
