// SPDX-License-Identifier: Apache-2.0
/*
 * Endpoint sampling (user/plan/sample.h): a lane with more endpoints than
 * the data path holds keeps this node's first, then those that score
 * highest; one endpoint more or less changes at most one of those kept; and
 * a service of 300 endpoints in a lane compiles to a plan of 128, with a
 * warning and no error, instead of rejecting the whole set.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/diag.h"
#include "model/model.h"
#include "plan/plan.h"
#include "plan/sample.h"
#include "rules/rules.h"
#include "testutil.h"

#define N 300
#define LOCAL 20

static void cand_at(struct gl_ep_cand *c, int i)
{
	memset(c, 0, sizeof(*c));
	c->ep.addr[0] = 10, c->ep.addr[1] = 9, c->ep.addr[2] = (__u8)(i >> 8);
	c->ep.addr[3] = (__u8)i;
	c->ep.workload_id = (__u32)i + 1;
	c->local = i < LOCAL;
}

/* kept[i]: is endpoint i (workload i + 1) among the first k of c */
static void kept_set(const struct gl_ep_cand *c, size_t k, bool *kept)
{
	memset(kept, 0, (N + 1) * sizeof(*kept));
	for (size_t i = 0; i < k; i++)
		kept[c[i].ep.workload_id - 1] = true;
}

/* the kept set of all N but skip (-1: none), as node samples them */
static size_t sample_on(const char *node, int skip, bool *kept)
{
	struct gl_ep_cand c[N];
	size_t n = 0, k;

	for (int i = 0; i < N; i++)
		if (i != skip)
			cand_at(&c[n++], i);
	k = gl_sample(node, "shop/b", c, n, GL_LANE_ENDPOINTS_MAX);
	kept_set(c, k, kept);
	return k;
}

static size_t sample_without(int skip, bool *kept)
{
	return sample_on("node-a", skip, kept);
}

static int differ(const bool *a, const bool *b)
{
	int d = 0;

	for (int i = 0; i < N; i++)
		d += a[i] != b[i];
	return d;
}

static void stability(void)
{
	bool all[N + 1], less[N + 1];
	int locals = 0, worst = 0, first_kept = -1, first_out = -1;

	t_check(sample_without(-1, all) == GL_LANE_ENDPOINTS_MAX, "300 endpoints: 128 kept");
	for (int i = 0; i < LOCAL; i++)
		locals += all[i];
	t_check(locals == LOCAL, "this node's 20 endpoints are all kept");
	for (int i = LOCAL; i < N; i++) {
		if (all[i] && first_kept < 0)
			first_kept = i;
		if (!all[i] && first_out < 0)
			first_out = i;
	}
	sample_without(first_out, less);
	t_check(differ(all, less) == 0, "an endpoint not kept goes: the kept set is the same");
	for (int i = LOCAL; i < N; i++) {
		int d;

		sample_without(i, less);
		d = differ(all, less);	/* the one gone, if kept, and who replaced it */
		worst = d > worst ? d : worst;
	}
	sample_without(first_kept, less);
	t_check(differ(all, less) == 2, "a kept endpoint goes: exactly one other comes in");
	t_check(worst <= 2, "any one endpoint gone changes at most one other of those kept");
}

/* Each node keeps its own share of the remote endpoints: 10 nodes between
 * them keep nearly all 280 (each keeps 108 of them: about 99% expected),
 * where one seed for all would keep the same 108 everywhere. */
static void nodes(void)
{
	bool a[N + 1], again[N + 1], b[N + 1], any[N + 1] = { false };
	int both = 0, covered = 0, locals = 0;
	char node[16];

	sample_on("node-a", -1, a);
	sample_on("node-a", -1, again);
	sample_on("node-b", -1, b);
	t_check(differ(a, again) == 0, "the same node keeps the same endpoints every time");
	for (int i = 0; i < LOCAL; i++)
		locals += b[i];
	for (int i = LOCAL; i < N; i++)
		both += a[i] && b[i];
	printf("# node-a and node-b keep %d of their 108 remote endpoints in common\n", both);
	t_check(locals == LOCAL && both < 80, "another node keeps its own 20 and mostly other "
		"remote ones (fewer than 80 of 108 in common; about 42 expected)");
	for (int n = 0; n < 10; n++) {
		snprintf(node, sizeof(node), "node-%d", n);
		sample_on(node, -1, b);
		for (int i = LOCAL; i < N; i++)
			any[i] = any[i] || b[i];
	}
	for (int i = LOCAL; i < N; i++)
		covered += any[i];
	printf("# 10 nodes between them keep %d of the 280 remote endpoints\n", covered);
	t_check(covered >= 250, "10 nodes between them keep at least 250 of the 280 remote endpoints");
}

/* a service of N gray endpoints, LOCAL of them on this node (a cgroup) */
static char *write_set(char *dir)
{
	char path[300];
	FILE *f;

	if (!mkdtemp(dir))
		return NULL;
	snprintf(path, sizeof(path), "%s/set.yaml", dir);
	f = fopen(path, "w");
	if (!f)
		return NULL;
	fprintf(f, "apiVersion: graylane.io/v1alpha1\nkind: Service\nmetadata: {name: b}\n"
		"spec:\n  addresses: [10.96.0.9]\n  ports: [{port: 80}]\n  selector: {app: b}\n");
	for (int i = 0; i < N; i++)
		fprintf(f, "---\napiVersion: graylane.io/v1alpha1\nkind: Workload\nmetadata: "
			"{name: b-%03d, labels: {app: b, traffic.opensergo.io/label: gray}}\n"
			"spec: {%s%.0d%saddresses: [10.9.%d.%d]}\n", i, i < LOCAL ? "cgroup: /t/b-" : "",
			i < LOCAL ? i + 1 : 0, i < LOCAL ? ", " : "", i / 250, i % 250 + 1);
	fclose(f);
	return path[0] ? dir : NULL;
}

/* graylane --node NODE compile DIR: its output's FNV-1a, or 0 when it failed. */
static uint64_t cli_compile(const char *node, const char *dir)
{
	char cmd[512], buf[4096];
	uint64_t h = 1469598103934665603ULL;
	size_t n, total = 0;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "%s/graylane --node %s compile %s 2>/dev/null",
		 getenv("GL_BUILD") ? getenv("GL_BUILD") : "build", node, dir);
	f = popen(cmd, "r");
	if (!f)
		return 0;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		for (size_t i = 0; i < n; i++)
			h = (h ^ (unsigned char)buf[i]) * 1099511628211ULL;
		total += n;
	}
	return pclose(f) == 0 && total ? h : 0;
}

static void compiled(void)
{
	char dir[] = "/tmp/gl-sample-XXXXXX", cmd[64];
	struct gl_model m;
	struct gl_diags d;
	struct gl_plan p;
	int rc;

	gl_model_init(&m);
	gl_diags_init(&d);
	rc = write_set(dir) ? gl_model_load_dir(dir, &m, &d) : -1;
	if (!rc)
		rc = gl_model_validate(&m, &d);
	if (!rc)
		rc = gl_plan_compile(&m, &p, NULL, &d);
	t_check(!rc && !gl_diags_errors(&d), "300 gray endpoints: the set compiles, no error");
	if (!rc) {
		size_t gray = 0, locals = 0;

		for (size_t i = 0; i < p.nbackends; i++)
			if (p.backends[i].key.lane != 0) {
				gray = p.backends[i].count;
				for (size_t k = 0; k < gray; k++)
					locals += p.backends[i].ep[k].addr[2] == 0 &&
						  p.backends[i].ep[k].addr[3] <= LOCAL;
			}
		t_check(gray == GL_LANE_ENDPOINTS_MAX, "the gray lane holds 128 endpoints");
		t_check(locals == LOCAL, "the 20 with a cgroup (this node's) among them");
		gl_plan_free(&p);
	}
	uint64_t a = cli_compile("node-a", dir), a2 = cli_compile("node-a", dir);
	uint64_t b = cli_compile("node-b", dir);

	t_check(a && a == a2 && b && a != b, "graylane --node: compile prints the same plan for "
		"one node every time, another for another node");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		t_check(false, "temp dir removed");
	gl_model_free(&m);
	gl_diags_free(&d);
}

int main(void)
{
	stability();
	nodes();
	compiled();
	return t_done();
}
