// SPDX-License-Identifier: Apache-2.0
/*
 * Validation: every class of problem a rule set can have is reported with
 * the exact file, line, column and message, and all problems of a set are
 * reported in one run.
 *
 * Data-driven cases: tests/validate/NN-name.expect holds the exact
 * diagnostics for tests/validate/NN-name.yaml, or for the directory
 * tests/validate/NN-name/ (several files), or - when neither exists - for
 * loading a directory of that name that does not exist. Paths in the
 * diagnostics are relative to tests/validate.
 *
 * Generated cases (below) build sets too large to keep as files, to reach
 * the capacities of include/graylane/limits.h.
 */
#include <dirent.h>
#include <sys/stat.h>

#include <graylane/limits.h>

#include "common/diag.h"
#include "model/model.h"
#include "plan/plan.h"
#include "rules/rules.h"
#include "testutil.h"

enum src { SRC_FILE, SRC_DIR, SRC_BUFFER };

/* Loads, validates and (when valid) compiles; returns the printed diagnostics. */
static char *run(enum src src, const char *name, const char *buf, size_t len, bool *rc_ok)
{
	struct gl_model m;
	struct gl_diags d;
	struct gl_plan p;
	struct t_out o;
	int lr, vr, cr;

	gl_model_init(&m);
	gl_diags_init(&d);
	if (src == SRC_FILE)
		lr = gl_model_load_file(name, &m, &d);
	else if (src == SRC_DIR)
		lr = gl_model_load_dir(name, &m, &d);
	else
		lr = gl_model_load_buffer(name, buf, len, &m, &d);
	vr = gl_model_validate(&m, &d);
	cr = gl_plan_compile(&m, &p, NULL, &d);
	if (!cr)
		gl_plan_free(&p);
	/* return codes agree with the diagnostics: any error fails validation and compile */
	*rc_ok = gl_diags_errors(&d) ? (vr == -EINVAL && cr == -EINVAL) : (!lr && !vr && !cr);
	if (!t_open(&o))
		abort();
	gl_diags_print(&d, o.f);
	gl_model_free(&m);
	gl_diags_free(&d);
	return t_text(&o);
}

static void expect(const char *name, char *got, bool rc_ok, const char *want)
{
	bool ok = !strcmp(got, want);

	if (!ok)
		t_diff(name, want, got);
	if (!rc_ok)
		fprintf(stderr, "--- %s: return codes disagree with the diagnostics\n", name);
	t_check(ok && rc_ok, name);
	free(got);
}

/* ---- data-driven cases ---- */

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n > k && !strcmp(s + n - k, suffix);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void file_case(const char *expect_file)
{
	char base[256], path[300];
	struct stat st;
	enum src src = SRC_DIR;
	char *want = t_read(expect_file, NULL), *got;
	bool rc_ok;

	snprintf(base, sizeof(base), "%.*s", (int)(strlen(expect_file) - 7), expect_file);
	snprintf(path, sizeof(path), "%s.yaml", base);
	if (!stat(path, &st))
		src = SRC_FILE;
	else
		snprintf(path, sizeof(path), "%s", base);	/* a directory, or none */
	if (!want) {
		t_check(false, base);
		return;
	}
	got = run(src, path, NULL, 0, &rc_ok);
	expect(base, got, rc_ok, want);
	free(want);
}

static int file_cases(void)
{
	DIR *dir = opendir(".");
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, i;

	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		if (!has_suffix(de->d_name, ".expect"))
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		if (!names || !(names[n++] = strdup(de->d_name)))
			abort();
	}
	closedir(dir);
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		file_case(names[i]);
		free(names[i]);
	}
	free(names);
	return n ? 0 : -ENOENT;
}

/* ---- generated cases ---- */

struct gen {
	char *buf;
	size_t len;
	FILE *f;
};

static FILE *gen_open(struct gen *g)
{
	g->buf = NULL;
	g->len = 0;
	g->f = open_memstream(&g->buf, &g->len);
	if (!g->f)
		abort();
	return g->f;
}

static void gen_case(const char *name, struct gen *g, const char *want)
{
	char file[64];
	bool rc_ok;
	char *got;

	fclose(g->f);
	snprintf(file, sizeof(file), "gen-%s.yaml", name);
	got = run(SRC_BUFFER, file, g->buf, g->len, &rc_ok);
	expect(file, got, rc_ok, want);
	free(g->buf);
}

#define DOC "---\napiVersion: graylane.io/v1alpha1\n"
#define RULE "---\napiVersion: traffic.opensergo.io/v1alpha1\n"
/* Every generated document is 5 lines, "---" first: the name of document i is at 5i+4:18. */
#define NAME_LINE(i) (5 * (i) + 4)

static void too_many_services(void)
{
	const size_t n = GL_PLAN_SERVICES_MAX + 1;
	FILE *f;
	struct gen g;
	char want[256];

	f = gen_open(&g);
	for (size_t i = 0; i < n; i++)
		fprintf(f, DOC "kind: Service\nmetadata: {name: s-%05zu}\n"
			"spec: {ports: [{port: 80}], selector: {app: x}}\n", i);
	fprintf(f, DOC "kind: Workload\nmetadata: {name: x, labels: {app: x}}\n"
		"spec: {cgroup: /t/x}\n");
	snprintf(want, sizeof(want), "gen-services.yaml:%d:18: error: too many services: the "
		 "set has %zu, at most %d\n", NAME_LINE((int)n - 1), n, GL_PLAN_SERVICES_MAX);
	gen_case("services", &g, want);
}

static void too_many_workloads(void)
{
	const size_t n = GL_PLAN_WORKLOADS_MAX + 1;
	FILE *f;
	struct gen g;
	char want[256];

	f = gen_open(&g);
	for (size_t i = 0; i < n; i++)
		fprintf(f, DOC "kind: Workload\nmetadata: {name: w-%05zu}\n"
			"spec: {cgroup: /t/w-%05zu}\n", i, i);
	snprintf(want, sizeof(want), "gen-workloads.yaml:%d:18: error: too many workloads: the "
		 "set has %zu, at most %d\n", NAME_LINE((int)n - 1), n, GL_PLAN_WORKLOADS_MAX);
	gen_case("workloads", &g, want);
}

static void too_many_traffic_rules(void)
{
	const size_t n = GL_TRAFFIC_RULES_MAX + 1;
	FILE *f;
	struct gen g;
	char want[512];

	f = gen_open(&g);
	for (size_t i = 0; i < n; i++)
		fprintf(f, RULE "kind: TrafficLabelRule\nmetadata: {name: r-%05zu}\n"
			"spec: {selector: {app: gw}, trafficLabel: gray, "
			"match: [{condition: exists, type: header, key: x-gray}]}\n", i);
	fprintf(f, DOC "kind: Workload\nmetadata: {name: gw, labels: {app: gw}}\n"
		"spec: {cgroup: /t/gw}\n");
	fprintf(f, DOC "kind: Workload\nmetadata: {name: g, labels: {traffic.opensergo.io/label: gray}}\n"
		"spec: {cgroup: /t/g}\n");
	/* all of them select gw: the 17th (by name, one priority) is one too many there */
	snprintf(want, sizeof(want), "gen-traffic-rules.yaml:%d:18: error: TrafficLabelRule "
		 "'r-%05d' is rule %d (by priority, then name) of workload 'gw'; at most %d rules "
		 "may select one workload\n"
		 "gen-traffic-rules.yaml:%d:18: error: too many "
		 "TrafficLabelRules: the set has %zu, at most %d\n", NAME_LINE(GL_ENTRY_RULES_MAX) + 1,
		 GL_ENTRY_RULES_MAX, GL_ENTRY_RULES_MAX + 1, GL_ENTRY_RULES_MAX,
		 NAME_LINE((int)n - 1), n, GL_TRAFFIC_RULES_MAX);
	gen_case("traffic-rules", &g, want);
}

/*
 * 16 rules select 2049 workloads: 32784 gl_rules entries, one slot holds
 * 32768; the 2049th workload by name crosses it.
 */
static void too_many_entry_rules(void)
{
	const int per = GL_ENTRY_RULES_MAX, n = GL_RULES_MAX / GL_SLOTS / per + 1;
	FILE *f;
	struct gen g;
	char want[400];

	f = gen_open(&g);
	for (int i = 0; i < per; i++)
		fprintf(f, RULE "kind: TrafficLabelRule\nmetadata: {name: r-%02d}\n"
			"spec: {selector: {app: gw}, trafficLabel: gray, "
			"match: [{condition: exists, type: header, key: x-gray}]}\n", i);
	for (int i = 0; i < n; i++)
		fprintf(f, DOC "kind: Workload\nmetadata: {name: gw-%05d, labels: {app: gw, "
			"traffic.opensergo.io/label: gray}}\nspec: {cgroup: /t/gw-%05d}\n", i, i);
	snprintf(want, sizeof(want), "gen-entry-rules.yaml:%d:18: error: too many entry rules: "
		 "entry workloads up to this one need %d gl_rules entries (one per workload and "
		 "TrafficLabelRule selecting it), at most %d\n", NAME_LINE(per + n - 1), n * per,
		 GL_RULES_MAX / GL_SLOTS);
	gen_case("entry-rules", &g, want);
}

/* 64 lane names: the 64th in bytewise order does not fit (ids 1..63). */
static void too_many_lanes(void)
{
	const char *prefix = "metadata: {name: w-00, labels: {traffic.opensergo.io/label: ";
	const int n = GL_PLAN_LANES_MAX + 1;
	FILE *f;
	struct gen g;
	char want[256];

	f = gen_open(&g);
	for (int i = n - 1; i >= 0; i--)	/* written in reverse: ids follow names, not order */
		fprintf(f, DOC "kind: Workload\nmetadata: {name: w-%02d, labels: "
			"{traffic.opensergo.io/label: l-%02d}}\nspec: {cgroup: /t/w-%02d}\n", i, i, i);
	snprintf(want, sizeof(want), "gen-lanes.yaml:4:%zu: error: too many lanes: 'l-%02d' "
		 "would be lane %d; at most %d lanes besides base\n", strlen(prefix) + 1, n - 1,
		 n, GL_PLAN_LANES_MAX);
	gen_case("lanes", &g, want);
}

/* More endpoints than a lane holds: sampled (plan/sample.h), with a warning. */
static void too_many_endpoints(void)
{
	const int n = GL_LANE_ENDPOINTS_MAX + 1;
	FILE *f;
	struct gen g;
	char want[512];

	f = gen_open(&g);
	fprintf(f, "apiVersion: graylane.io/v1alpha1\nkind: Service\nmetadata: {name: a}\n"
		"spec:\n  ports: [{port: 80}]\n  selector: {app: a}\n");
	for (int i = 0; i < n; i++)
		fprintf(f, DOC "kind: Workload\nmetadata: {name: a-gray-%02d, labels: {app: a, "
			"traffic.opensergo.io/label: gray}}\nspec: {cgroup: /t/a-gray-%02d, "
			"addresses: [10.1.0.%d, 'fd01::%d']}\n", i, i, i + 1, i + 1);
	/* GL_LANE_ENDPOINTS_MAX base endpoints (the limit) are fine */
	for (int i = 0; i < n - 1; i++)
		fprintf(f, DOC "kind: Workload\nmetadata: {name: a-base-%02d, labels: {app: a}}\n"
			"spec: {cgroup: /t/a-base-%02d, addresses: [10.2.0.%d]}\n", i, i, i + 1);
	snprintf(want, sizeof(want),
		 "gen-endpoints.yaml:6:13: warning: service 'a' has %d IPv4 endpoints in lane 'gray'; "
		 "%d are used: this node's first, then those a hash of service and address ranks "
		 "highest\n"
		 "gen-endpoints.yaml:6:13: warning: service 'a' has %d IPv6 endpoints in lane 'gray'; "
		 "%d are used: this node's first, then those a hash of service and address ranks "
		 "highest\n",
		 n, GL_LANE_ENDPOINTS_MAX, n, GL_LANE_ENDPOINTS_MAX);
	gen_case("endpoints", &g, want);
}

/* 1025 virtual addresses x 256 ports = 262400 gl_services keys, one slot holds 262144. */
static void too_many_service_addrs(void)
{
	const int naddrs = GL_PLAN_SERVICE_ADDRS_MAX / GL_SERVICE_PORTS_MAX + 1;
	FILE *f;
	struct gen g;
	char want[300];

	f = gen_open(&g);
	fprintf(f, "apiVersion: graylane.io/v1alpha1\nkind: Service\nmetadata: {name: big}\n"
		"spec:\n  addresses: [");
	for (int i = 0; i < naddrs; i++)
		fprintf(f, "%s10.3.%d.%d", i ? ", " : "", i / 250, i % 250 + 1);
	fprintf(f, "]\n  ports: [");
	for (int i = 0; i < GL_SERVICE_PORTS_MAX; i++)
		fprintf(f, "%s{port: %d}", i ? ", " : "", 8000 + i);
	fprintf(f, "]\n  selector: {app: x}\n");
	fprintf(f, DOC "kind: Workload\nmetadata: {name: x, labels: {app: x}}\n"
		"spec: {cgroup: /t/x}\n");
	snprintf(want, sizeof(want), "gen-service-addrs.yaml:3:18: error: too many service "
		 "addresses: the set needs %d gl_services entries (addresses and endpoints times "
		 "ports), at most %d\n", naddrs * GL_SERVICE_PORTS_MAX, GL_PLAN_SERVICE_ADDRS_MAX);
	gen_case("service-addrs", &g, want);
}

/*
 * 521 services x 63 lanes x 2 families = 65646 endpoint sets; one slot of
 * gl_backends holds 65536, so the 521st service crosses it.
 */
static void too_many_backends(void)
{
	const int lanes = GL_PLAN_LANES_MAX, per = 2 * lanes;
	const int nsvc = GL_PLAN_BACKENDS_MAX / per + 1;
	FILE *f;
	struct gen g;
	char want[400];

	f = gen_open(&g);
	for (int i = 0; i < nsvc; i++)	/* distinct targetPorts: each endpoint key is one service's */
		fprintf(f, DOC "kind: Service\nmetadata: {name: s-%03d}\n"
			"spec: {ports: [{port: 80, targetPort: %d}], selector: {app: g}}\n",
			i, 1000 + i);
	for (int i = 1; i <= lanes; i++)
		fprintf(f, DOC "kind: Workload\nmetadata: {name: g-%02d, labels: {app: g, "
			"traffic.opensergo.io/label: l-%02d}}\nspec: {cgroup: /t/g-%02d, "
			"addresses: [10.4.0.%d, 'fd04::%d']}\n", i, i, i, i, i);
	snprintf(want, sizeof(want), "gen-backends.yaml:%d:18: error: too many endpoint sets: "
		 "services up to this one need %d gl_backends entries (one per service, lane and "
		 "address family with endpoints), at most %d\n", NAME_LINE(nsvc - 1),
		 nsvc * per, GL_PLAN_BACKENDS_MAX);
	gen_case("backends", &g, want);
}

static void too_many_ports(void)
{
	const int n = GL_SERVICE_PORTS_MAX + 1;
	FILE *f;
	struct gen g;
	char want[256];

	f = gen_open(&g);
	fprintf(f, "apiVersion: graylane.io/v1alpha1\nkind: Service\nmetadata: {name: a}\n"
		"spec:\n  selector: {app: x}\n  ports:\n");
	for (int i = 0; i < n; i++)
		fprintf(f, "  - port: %d\n", 9000 + i);
	fprintf(f, DOC "kind: Workload\nmetadata: {name: x, labels: {app: x}}\n"
		"spec: {cgroup: /t/x}\n");
	/* item i is on line 7 + i */
	snprintf(want, sizeof(want), "gen-ports.yaml:%d:5: error: 'spec.ports' has %d ports; "
		 "at most %d\n", 7 + GL_SERVICE_PORTS_MAX, n, GL_SERVICE_PORTS_MAX);
	gen_case("ports", &g, want);
}

static void file_too_big(void)
{
	const size_t n = (size_t)GL_RULES_FILE_MAX + 1;
	char *buf = malloc(n), want[128], *got;
	bool rc_ok;

	if (!buf)
		abort();
	memset(buf, '#', n);
	got = run(SRC_BUFFER, "gen-big.yaml", buf, n, &rc_ok);
	snprintf(want, sizeof(want), "gen-big.yaml: error: file is %zu bytes long; at most %d\n",
		 n, GL_RULES_FILE_MAX);
	expect("gen-big.yaml", got, rc_ok, want);
	free(buf);
}

/* An empty directory cannot live in git: make one. */
static void empty_dir(void)
{
	char dir[] = "/tmp/gl-validate-empty-XXXXXX", want[128], *got;
	bool rc_ok;

	if (!mkdtemp(dir)) {
		t_check(false, "empty directory");
		return;
	}
	got = run(SRC_DIR, dir, NULL, 0, &rc_ok);
	snprintf(want, sizeof(want), "%s: error: no rules: the directory has no *.yaml or *.yml "
		 "files\n", dir);
	expect("empty directory", got, rc_ok, want);
	rmdir(dir);
}

int main(void)
{
	if (t_chdir_top() || chdir("tests/validate")) {
		fprintf(stderr, "test_validate: cannot find tests/validate (set GL_TOP)\n");
		t_check(false, "find tests/validate");
		return t_done();
	}
	if (file_cases())
		t_check(false, "tests/validate/*.expect present");
	too_many_services();
	too_many_workloads();
	too_many_traffic_rules();
	too_many_entry_rules();
	too_many_lanes();
	too_many_endpoints();
	too_many_service_addrs();
	too_many_backends();
	too_many_ports();
	file_too_big();
	empty_dir();
	return t_done();
}
