// SPDX-License-Identifier: Apache-2.0
/*
 * Golden plans: each tests/golden/<set>/rules/ compiles, with no diagnostic,
 * to exactly tests/golden/<set>/plan.txt and plan.json (written and checked
 * by hand). Compiling twice gives byte-identical output, and the embedded
 * default rules/ compile to the reference set's plan.
 */
#include <dirent.h>
#include <sys/stat.h>

#include "common/diag.h"
#include "model/model.h"
#include "plan/plan.h"
#include "rules/rules.h"
#include "testutil.h"

static const char *const required[] = { "reference", "direct", "multiport", "fallback", "conditions" };

struct out {
	char *text, *json, *diags;
	int ret;
};

static void compile_dir(const char *dir, struct out *o)
{
	struct gl_model m;
	struct gl_diags d;
	struct gl_plan p;
	struct t_out t;

	gl_model_init(&m);
	gl_diags_init(&d);
	o->ret = gl_model_load_dir(dir, &m, &d);
	if (!o->ret)
		o->ret = gl_model_validate(&m, &d);
	if (!o->ret)
		o->ret = gl_plan_compile(&m, &p, NULL, &d);
	o->text = o->json = NULL;
	if (!o->ret) {
		gl_plan_print(&p, t_open(&t), false);
		o->text = t_text(&t);
		gl_plan_print(&p, t_open(&t), true);
		o->json = t_text(&t);
		gl_plan_free(&p);
	}
	gl_diags_print(&d, t_open(&t));
	o->diags = t_text(&t);
	gl_model_free(&m);
	gl_diags_free(&d);
}

static void out_free(struct out *o)
{
	free(o->text);
	free(o->json);
	free(o->diags);
}

static void compare(const char *name, const char *file, const char *got)
{
	char *want = t_read(file, NULL);
	bool ok = want && got && !strcmp(want, got);

	if (!ok && want && got)
		t_diff(name, want, got);
	t_check(ok, name);
	free(want);
}

static void golden_set(const char *set)
{
	char dir[256], file[300], name[300];
	struct out a, b;

	snprintf(dir, sizeof(dir), "tests/golden/%s/rules", set);
	compile_dir(dir, &a);
	snprintf(name, sizeof(name), "%s: compiles without diagnostics", set);
	if (!t_check(!a.ret && !*a.diags, name))
		fprintf(stderr, "%s (ret %d)\n", a.diags, a.ret);
	snprintf(file, sizeof(file), "tests/golden/%s/plan.txt", set);
	snprintf(name, sizeof(name), "%s: plan.txt", set);
	compare(name, file, a.text);
	snprintf(file, sizeof(file), "tests/golden/%s/plan.json", set);
	snprintf(name, sizeof(name), "%s: plan.json", set);
	compare(name, file, a.json);
	compile_dir(dir, &b);
	snprintf(name, sizeof(name), "%s: compiling twice is byte-identical", set);
	t_check(a.text && b.text && !strcmp(a.text, b.text) && !strcmp(a.json, b.json), name);
	out_free(&a);
	out_free(&b);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every directory under tests/golden is a set; the required ones must be there. */
static void all_sets(void)
{
	DIR *d = opendir("tests/golden");
	char *names[64];
	size_t n = 0, i, j;
	struct dirent *de;

	while (d && (de = readdir(d)) && n < 64)
		if (de->d_name[0] != '.' && de->d_type == DT_DIR)
			names[n++] = strdup(de->d_name);
	if (d)
		closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		char name[64];

		for (j = 0; j < n && strcmp(names[j], required[i]); j++)
			;
		snprintf(name, sizeof(name), "set %s present", required[i]);
		t_check(j < n, name);
	}
	for (i = 0; i < n; i++) {
		golden_set(names[i]);
		free(names[i]);
	}
}

/* rules/ is what the demo runs: it must stay the reference set. */
static void embedded_rules(void)
{
	struct out o;

	compile_dir("rules", &o);
	if (!t_check(!o.ret && !*o.diags, "rules/: compiles without diagnostics"))
		fprintf(stderr, "%s (ret %d)\n", o.diags, o.ret);
	compare("rules/: same plan as tests/golden/reference", "tests/golden/reference/plan.txt",
		o.text);
	out_free(&o);
}

int main(void)
{
	if (t_chdir_top()) {
		fprintf(stderr, "test_golden: cannot find the source tree (set GL_TOP)\n");
		t_check(false, "find tests/golden");
		return t_done();
	}
	all_sets();
	embedded_rules();
	return t_done();
}
