// SPDX-License-Identifier: Apache-2.0
/*
 * gl_model_validate: the checks that need the whole set at once. Each
 * problem is reported where it is written; when two documents conflict the
 * later one (in load order: files by name, documents in file order) is the
 * one reported, and the message names the earlier one's place.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/quote.h"
#include "validate.h"

/* ---- names and counts, per kind ---- */

/* The metadata of every object of kind k, in load order (malloc'd). */
static struct gl_meta **metas(const struct gl_model *m, enum gl_kind k, size_t *n)
{
	size_t i, cnt = k == GL_KIND_TRAFFIC_LABEL_RULE ? m->ntraffic_rules :
			k == GL_KIND_WORKLOAD_LABEL_RULE ? m->nworkload_rules :
			k == GL_KIND_WORKLOAD ? m->nworkloads : m->nservices;
	struct gl_meta **v = malloc((cnt ? cnt : 1) * sizeof(*v));

	*n = cnt;
	for (i = 0; v && i < cnt; i++)
		v[i] = k == GL_KIND_TRAFFIC_LABEL_RULE ? &m->traffic_rules[i]->meta :
		       k == GL_KIND_WORKLOAD_LABEL_RULE ? &m->workload_rules[i]->meta :
		       k == GL_KIND_WORKLOAD ? &m->workloads[i]->meta : &m->services[i]->meta;
	return v;
}

static int cmp_meta(const void *a, const void *b)
{
	const struct gl_meta *x = *(const struct gl_meta *const *)a;
	const struct gl_meta *y = *(const struct gl_meta *const *)b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* The later of two objects with one name is reported (load order). */
static void check_names(struct gl_vctx *v, struct gl_meta **all, size_t n)
{
	struct gl_meta **named = malloc((n ? n : 1) * sizeof(*named));
	size_t k = 0, i, start;

	if (!named) {
		v->err = -ENOMEM;
		return;
	}
	for (i = 0; i < n; i++)
		if (all[i]->name)
			named[k++] = all[i];
	qsort(named, k, sizeof(*named), cmp_meta);
	for (i = 1, start = 0; i < k; i++) {
		if (strcmp(named[start]->name, named[i]->name)) {
			start = i;
			continue;
		}
		gl_verr(v, named[i]->name_pos, "duplicate %s '%s': already defined at %s",
			gl_kind_name(named[i]->kind), named[i]->name,
			gl_where(named[start]->name_pos).s);
	}
	free(named);
}

static void check_kind(struct gl_vctx *v, enum gl_kind k, size_t max, const char *what)
{
	size_t n;
	struct gl_meta **all = metas(v->m, k, &n);

	if (!all) {
		v->err = -ENOMEM;
		return;
	}
	check_names(v, all, n);
	if (k == GL_KIND_WORKLOAD) {
		/* only workloads on this node (with a cgroup) take a gl_workloads
		 * key; endpoints elsewhere are addresses of services only */
		size_t local = 0;

		for (size_t i = 0; i < n; i++)
			if (((const struct gl_workload_def *)all[i])->cgroup)
				all[local++] = all[i];
		n = local;
	}
	if (max && n > max)
		gl_verr(v, all[max]->name_pos, "too many %s: the set has %zu, at most %zu",
			what, n, max);
	free(all);
}

/* ---- selectors that select nothing ---- */

static bool selects_any(const struct gl_model *m, const struct gl_labels *sel)
{
	for (size_t i = 0; i < m->nworkloads; i++)
		if (gl_selector_matches(sel, &m->workloads[i]->meta.labels))
			return true;
	return false;
}

static void format_selector(const struct gl_labels *sel, char *buf, size_t size)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sel->n && o < size; i++)
		o += snprintf(buf + o, size - o, "%s%s=%s", i ? "," : "", sel->v[i].key,
			      sel->v[i].value);
}

static void warn_selects_nothing(struct gl_vctx *v, const struct gl_labels *sel,
				 const char *effect)
{
	char buf[256];

	format_selector(sel, buf, sizeof(buf));
	gl_vwarn(v, sel->pos, "selector %s matches no workload; %s", gl_q(buf).s, effect);
}

/* TrafficLabelRules and Services know what they select (user/model/members.c);
 * WorkloadLabelRules are matched here. */
static void check_selectors(struct gl_vctx *v)
{
	struct gl_model *m = v->m;
	size_t i;

	for (i = 0; i < m->ntraffic_rules; i++)
		if (m->traffic_rules[i]->selector.n && !m->traffic_rules[i]->nselected)
			warn_selects_nothing(v, &m->traffic_rules[i]->selector,
					     "the rule labels no request");
	for (i = 0; i < m->nworkload_rules; i++) {
		const struct gl_workload_rule *r = m->workload_rules[i];

		if (!r->is_table && r->selector.n && !selects_any(m, &r->selector))
			warn_selects_nothing(v, &r->selector, "the rule puts no workload in a lane");
	}
	for (i = 0; i < m->nservices; i++)
		if (m->services[i]->selector.n && !m->services[i]->nmembers)
			warn_selects_nothing(v, &m->services[i]->selector,
					     "the service has no endpoints");
}

int gl_model_validate(struct gl_model *m, struct gl_diags *d)
{
	struct gl_vctx v = { .m = m, .d = d };
	size_t before = d->nerrors;

	if (m->validated)
		return m->nerrors ? -EINVAL : 0;
	check_kind(&v, GL_KIND_TRAFFIC_LABEL_RULE, GL_TRAFFIC_RULES_MAX, "TrafficLabelRules");
	check_kind(&v, GL_KIND_WORKLOAD_LABEL_RULE, 0, NULL);
	check_kind(&v, GL_KIND_WORKLOAD, GL_PLAN_WORKLOADS_MAX, "workloads");
	check_kind(&v, GL_KIND_SERVICE, GL_PLAN_SERVICES_MAX, "services");
	if (gl_model_members(m))
		v.err = -ENOMEM;
	gl_validate_lanes(&v);
	check_selectors(&v);
	gl_validate_claims(&v);
	gl_validate_entries(&v);
	gl_validate_tables(&v);
	m->nerrors += d->nerrors - before;
	m->validated = true;
	if (v.err)
		return v.err;
	return m->nerrors ? -EINVAL : 0;
}
