// SPDX-License-Identifier: Apache-2.0
/*
 * Lanes: ids for every lane name the set uses, and each workload's lane.
 * Lane ids are deterministic: base is 0, the other names sorted bytewise
 * get 1..n, so the same rules always compile to the same map entries.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/quote.h"
#include "validate.h"

struct mention {
	const char *name;
	struct gl_pos pos;
};

struct mentions {
	struct mention *v;
	size_t n;
};

static int cmp_pos(struct gl_pos a, struct gl_pos b)
{
	int c = strcmp(a.file, b.file);

	if (c)
		return c;
	if (a.line != b.line)
		return a.line < b.line ? -1 : 1;
	return a.col < b.col ? -1 : a.col > b.col;
}

static int cmp_mention(const void *a, const void *b)
{
	const struct mention *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : cmp_pos(x->pos, y->pos);
}

static void add(struct mentions *ms, const char *name, struct gl_pos pos)
{
	if (name)
		ms->v[ms->n++] = (struct mention){ name, pos };
}

static int collect(const struct gl_model *m, struct mentions *ms)
{
	size_t i, max = m->ntraffic_rules + m->nworkload_rules + 2 * m->nworkloads;

	ms->n = 0;
	ms->v = malloc((max ? max : 1) * sizeof(*ms->v));
	if (!ms->v)
		return -ENOMEM;
	for (i = 0; i < m->ntraffic_rules; i++)
		add(ms, m->traffic_rules[i]->lane, m->traffic_rules[i]->lane_pos);
	for (i = 0; i < m->nworkload_rules; i++)
		add(ms, m->workload_rules[i]->lane, m->workload_rules[i]->lane_pos);
	for (i = 0; i < m->nworkloads; i++)
		add(ms, m->workloads[i]->label_lane, m->workloads[i]->label_pos);
	for (i = 0; i < m->nworkloads; i++)
		add(ms, m->workloads[i]->env_lane, m->workloads[i]->env_pos);
	qsort(ms->v, ms->n, sizeof(*ms->v), cmp_mention);
	return 0;
}

/* m->lanes: "base", then the distinct names in sorted order. */
static void assign_ids(struct gl_vctx *v, const struct mentions *ms)
{
	struct gl_model *m = v->m;
	size_t i, n = 1;

	m->lanes = gl_arena_alloc(&m->arena, (ms->n + 1) * sizeof(*m->lanes));
	if (!m->lanes) {
		v->err = -ENOMEM;
		return;
	}
	m->lanes[0] = GL_BASE_LANE_NAME;
	for (i = 0; i < ms->n; i++) {
		if (i && !strcmp(ms->v[i - 1].name, ms->v[i].name))
			continue;
		if (n == GL_PLAN_LANES_MAX + 1)
			gl_verr(v, ms->v[i].pos, "too many lanes: '%s' would be lane %zu; at most "
				"%d lanes besides base", ms->v[i].name, n, GL_PLAN_LANES_MAX);
		m->lanes[n++] = ms->v[i].name;
	}
	m->nlanes = n;
}

static int cmp_lane(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

static __u16 lane_id(const struct gl_model *m, const char *name)
{
	const char **p;

	if (!strcmp(name, GL_BASE_LANE_NAME) || m->nlanes < 2)
		return GL_LANE_BASE;
	p = bsearch(name, m->lanes + 1, m->nlanes - 1, sizeof(*m->lanes), cmp_lane);
	return p ? (__u16)(p - m->lanes) : GL_LANE_BASE;
}

/* The first matching WorkloadLabelRule (load order) wins; others must agree. */
static const struct gl_workload_rule *rule_lane(struct gl_vctx *v, const struct gl_workload_def *w)
{
	const struct gl_workload_rule *first = NULL;

	for (size_t i = 0; i < v->m->nworkload_rules; i++) {
		const struct gl_workload_rule *r = v->m->workload_rules[i];

		if (r->is_table || !r->lane || !gl_selector_matches(&r->selector, &w->meta.labels))
			continue;
		if (!first)
			first = r;
		else if (strcmp(first->lane, r->lane))
			gl_verr(v, w->meta.name_pos, "workload '%s' is given two lanes: '%s' by "
				"WorkloadLabelRule '%s' (%s) and '%s' by WorkloadLabelRule '%s' (%s)",
				gl_obj_name(&w->meta), first->lane, gl_obj_name(&first->meta),
				gl_where(first->meta.name_pos).s, r->lane, gl_obj_name(&r->meta),
				gl_where(r->meta.name_pos).s);
	}
	return first;
}

static void workload_lane(struct gl_vctx *v, struct gl_workload_def *w)
{
	const struct gl_workload_rule *r = rule_lane(v, w);

	if (r && w->label_lane && strcmp(r->lane, w->label_lane))
		gl_vwarn(v, w->label_pos, "label '%s' puts workload '%s' in lane '%s', but "
			 "WorkloadLabelRule '%s' (%s) puts it in lane '%s'; the rule wins",
			 GL_LANE_LABEL, gl_obj_name(&w->meta), w->label_lane,
			 gl_obj_name(&r->meta), gl_where(r->meta.name_pos).s, r->lane);
	/* DESIGN.md: a rule, then the label, then the processes' environment */
	if (w->env_lane && (r || w->label_lane) &&
	    strcmp(w->env_lane, r ? r->lane : w->label_lane))
		gl_vwarn(v, w->env_pos, "the environment puts workload '%s' in lane '%s', but %s "
			 "puts it in lane '%s'; the %s wins", gl_obj_name(&w->meta), w->env_lane,
			 r ? "its WorkloadLabelRule" : "its label '" GL_LANE_LABEL "'",
			 r ? r->lane : w->label_lane, r ? "rule" : "label");
	w->lane_rule = r;
	w->lane = r ? r->lane : w->label_lane ? w->label_lane :
		  w->env_lane ? w->env_lane : GL_BASE_LANE_NAME;
	w->lane_id = lane_id(v->m, w->lane);
}

/* A lane nobody is in is most often a typo ("grey" for "gray"). */
static void check_unused(struct gl_vctx *v)
{
	struct gl_model *m = v->m;
	bool *has_wl = calloc(m->nlanes ? m->nlanes : 1, sizeof(*has_wl));
	bool *has_tlr = calloc(m->nlanes ? m->nlanes : 1, sizeof(*has_tlr));
	size_t i;

	if (!has_wl || !has_tlr) {
		v->err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < m->nworkloads; i++)
		has_wl[m->workloads[i]->lane_id] = true;
	for (i = 0; i < m->ntraffic_rules; i++) {
		const struct gl_traffic_rule *r = m->traffic_rules[i];

		if (!r->lane)
			continue;
		has_tlr[lane_id(m, r->lane)] = true;
		if (!has_wl[lane_id(m, r->lane)])
			gl_vwarn(v, r->lane_pos, "no workload is in lane '%s': requests this rule "
				 "labels reach base endpoints only", r->lane);
	}
	for (i = 0; i < m->nworkload_rules; i++) {
		const struct gl_workload_rule *r = m->workload_rules[i];
		__u16 id;

		if (!r->is_table || !r->lane)
			continue;
		id = lane_id(m, r->lane);
		if (!has_wl[id] && !has_tlr[id])
			gl_vwarn(v, r->lane_pos, "no workload and no TrafficLabelRule uses lane "
				 "'%s': this shadow table is never written", r->lane);
	}
out:
	free(has_wl);
	free(has_tlr);
}

void gl_validate_lanes(struct gl_vctx *v)
{
	struct mentions ms;

	if (collect(v->m, &ms)) {
		v->err = -ENOMEM;
		return;
	}
	assign_ids(v, &ms);
	free(ms.v);
	if (!v->m->lanes)
		return;
	for (size_t i = 0; i < v->m->nworkloads; i++)
		workload_lane(v, v->m->workloads[i]);
	check_unused(v);
}
