// SPDX-License-Identifier: Apache-2.0
/*
 * Entry workloads: what the kernel can hold of the TrafficLabelRules that
 * select one workload (bpf/lib/rules.h, user/plan/compile.c).
 *
 * - At most GL_ENTRY_RULES_MAX rules select one workload. The rule reported
 *   is the first one that does not fit, in the order the kernel tries them
 *   (priority, then name), at its spec.selector.
 * - Their header items look at most GL_HTTP_RULE_HEADERS_MAX distinct header
 *   names (case-insensitive) besides the ones the parser always records:
 *   host, content-length, transfer-encoding, connection, cookie. The
 *   propagation header names count as rule headers here, whatever the
 *   daemon's options, so that a set valid here compiles under any options.
 *   The item reported is the first with a name that does not fit.
 * - All entry workloads together need at most GL_PLAN_RULES_MAX gl_rules
 *   entries (one per workload and rule that selects it).
 *
 * Many workloads usually share one selector (replicas), so one problem is
 * reported once, at the rule or item, naming the first workload (by name)
 * and how many more have it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <graylane/http_limits.h>

#include "common/quote.h"
#include "validate.h"

/* One overflow: where (a rule's selector or an item), for which workload. */
struct overflow {
	struct gl_pos pos;
	const struct gl_traffic_rule *rule;
	const char *header;		/* NULL: too many rules; else the header name */
	const char *workload;
	size_t count;			/* rules, or distinct header names, at that point */
};

struct overflows {
	struct overflow *v;
	size_t n;
};

static const char *const builtin_headers[] = {
	"host", "content-length", "transfer-encoding", "connection", "cookie",
};

static bool is_builtin(const char *name)
{
	for (size_t i = 0; i < sizeof(builtin_headers) / sizeof(builtin_headers[0]); i++)
		if (!strcasecmp(name, builtin_headers[i]))
			return true;
	return false;
}

static bool seen(const char **names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcasecmp(names[i], name))
			return true;
	return false;
}

/* The first header item of the workload's rules whose name does not fit, if any. */
static void header_names(const struct gl_traffic_rule **sel, size_t n, const char *workload,
			 struct overflows *o)
{
	const char *names[GL_HTTP_RULE_HEADERS_MAX];
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		/* items past GL_RULE_ITEMS_MAX are an error of their own (load_match.c) */
		for (size_t j = 0; j < sel[i]->nmatch && j < GL_RULE_ITEMS_MAX; j++) {
			const struct gl_match *mt = &sel[i]->match[j];

			if (mt->type != GL_MATCH_HEADER || !mt->key || !*mt->key ||
			    is_builtin(mt->key) || seen(names, k, mt->key))
				continue;
			if (k == GL_HTTP_RULE_HEADERS_MAX) {
				o->v[o->n++] = (struct overflow){ mt->pos, sel[i], mt->key,
								  workload, k + 1 };
				return;
			}
			names[k++] = mt->key;
		}
	}
}

static int cmp_overflow(const void *a, const void *b)
{
	const struct overflow *x = a, *y = b;
	int c = strcmp(x->pos.file, y->pos.file);

	if (c)
		return c;
	if (x->pos.line != y->pos.line)
		return x->pos.line < y->pos.line ? -1 : 1;
	if (x->pos.col != y->pos.col)
		return x->pos.col < y->pos.col ? -1 : 1;
	if ((x->header == NULL) != (y->header == NULL))
		return x->header ? 1 : -1;
	return strcmp(x->workload, y->workload);
}

static void report(struct gl_vctx *v, const struct overflow *f, size_t more)
{
	char also[64] = "";

	if (more)
		snprintf(also, sizeof(also), " and %zu more", more);
	if (!f->header)
		gl_verr(v, f->pos, "TrafficLabelRule '%s' is rule %zu (by priority, then name) of "
			"workload '%s'%s; at most %d rules may select one workload",
			gl_obj_name(&f->rule->meta), f->count, f->workload, also,
			GL_ENTRY_RULES_MAX);
	else
		gl_verr(v, f->pos, "header '%s' is distinct header name %zu in the rules of "
			"workload '%s'%s; at most %d per workload besides host, content-length, "
			"transfer-encoding, connection and cookie", gl_q(f->header).s, f->count,
			f->workload, also, GL_HTTP_RULE_HEADERS_MAX);
}

static bool same_place(const struct overflow *a, const struct overflow *b)
{
	return !strcmp(a->pos.file, b->pos.file) && a->pos.line == b->pos.line &&
	       a->pos.col == b->pos.col && (a->header == NULL) == (b->header == NULL);
}

/* One diagnostic per place: the first workload by name, and how many more. */
static void report_all(struct gl_vctx *v, struct overflows *o)
{
	size_t i, start;

	qsort(o->v, o->n, sizeof(*o->v), cmp_overflow);
	for (start = 0; start < o->n; start = i) {
		for (i = start + 1; i < o->n && same_place(&o->v[start], &o->v[i]); i++)
			;
		report(v, &o->v[start], i - start - 1);
	}
}

static int cmp_workload_name(const void *a, const void *b)
{
	const struct gl_workload_def *x = *(const struct gl_workload_def *const *)a;
	const struct gl_workload_def *y = *(const struct gl_workload_def *const *)b;

	return strcmp(x->meta.name ? x->meta.name : "", y->meta.name ? y->meta.name : "");
}

void gl_validate_entries(struct gl_vctx *v)
{
	const struct gl_model *m = v->m;
	size_t nw = m->nworkloads, total = 0;
	const struct gl_traffic_rule **sel = malloc((m->ntraffic_rules ? m->ntraffic_rules : 1) *
						    sizeof(*sel));
	const struct gl_workload_def **wl = malloc((nw ? nw : 1) * sizeof(*wl));
	struct overflows o = { malloc((nw ? nw : 1) * 2 * sizeof(*o.v)), 0 };
	bool total_reported = false;

	if (!sel || !wl || !o.v) {
		v->err = -ENOMEM;
		goto out;
	}
	if (nw)
		memcpy(wl, m->workloads, nw * sizeof(*wl));
	/* name order is id order: the total is reported where compile would cross it */
	qsort(wl, nw, sizeof(*wl), cmp_workload_name);
	for (size_t k = 0; k < nw; k++) {
		const char *name = gl_obj_name(&wl[k]->meta);
		size_t n = gl_entry_rules(m, wl[k], sel);

		if (n > GL_ENTRY_RULES_MAX) {
			o.v[o.n++] = (struct overflow){ sel[GL_ENTRY_RULES_MAX]->selector.pos,
							sel[GL_ENTRY_RULES_MAX], NULL, name,
							GL_ENTRY_RULES_MAX + 1 };
			n = GL_ENTRY_RULES_MAX;
		}
		header_names(sel, n, name, &o);
		total += n;
		if (total > GL_PLAN_RULES_MAX && !total_reported) {
			gl_verr(v, wl[k]->meta.name_pos, "too many entry rules: entry workloads up "
				"to this one need %zu gl_rules entries (one per workload and "
				"TrafficLabelRule selecting it), at most %d", total,
				GL_PLAN_RULES_MAX);
			total_reported = true;
		}
	}
	report_all(v, &o);
out:
	free(sel);
	free(wl);
	free(o.v);
}
