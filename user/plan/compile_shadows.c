// SPDX-License-Identifier: Apache-2.0
/*
 * gl_shadows entries: each lane's shadow tables from the WorkloadLabelRules
 * with db and table keys, and lane 0 (base) with every mapped base table
 * mapped to itself, so the kernel knows which base statements touch one
 * (DESIGN.md, Decisions 5; include/graylane/sql_limits.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../bpf/lib/sql.h"
#include "model/model.h"
#include "plan.h"

/* Adds (db, base, shadow) to a lane's table list unless it is there already. */
static int add_table(struct gl_plan_shadow *s, const char *db, const char *base, const char *shadow)
{
	struct gl_sql_tables *t = &s->val;

	for (__u32 i = 0; i < t->n; i++)
		if (!strcmp(t->t[i].db, db) && !strcmp(t->t[i].base, base))
			return 0;	/* validation made sure a lane has one shadow per table */
	if (t->n >= GL_SQL_TABLES_MAX)
		return -E2BIG;
	return gl_sql_table_set(&t->t[t->n++], db, base, shadow) ? -EINVAL : 0;
}

static struct gl_plan_shadow *lane_entry(struct gl_plan *p, __u16 lane)
{
	for (size_t i = 0; i < p->nshadows; i++)
		if (p->shadows[i].key.lane == lane)
			return &p->shadows[i];
	p->shadows[p->nshadows].key.lane = lane;
	return &p->shadows[p->nshadows++];
}

static int cmp_shadow(const void *a, const void *b)
{
	const struct gl_plan_shadow *x = a, *y = b;

	return (x->key.lane > y->key.lane) - (x->key.lane < y->key.lane);
}

int gl_plan_shadows(const struct gl_model *m, struct gl_plan *p)
{
	size_t n = 0;
	int err;

	for (size_t i = 0; i < m->nworkload_rules; i++)
		n += m->workload_rules[i]->is_table;
	if (!n)
		return 0;
	p->shadows = calloc(m->nlanes + 1, sizeof(*p->shadows));
	if (!p->shadows)
		return -ENOMEM;
	for (size_t i = 0; i < m->nworkload_rules; i++) {
		const struct gl_workload_rule *r = m->workload_rules[i];
		const char *db = r->db;
		__u16 lane = 0;

		if (!r->is_table || !r->lane || !r->base_table || !db || !r->table)
			continue;
		for (size_t k = 1; k < m->nlanes; k++)
			if (!strcmp(m->lanes[k], r->lane))
				lane = k;
		if (!lane)
			continue;
		err = add_table(lane_entry(p, lane), db, r->base_table, r->table);
		if (!err)
			err = add_table(lane_entry(p, GL_LANE_BASE), db, r->base_table, r->base_table);
		if (err)
			return err;
	}
	qsort(p->shadows, p->nshadows, sizeof(*p->shadows), cmp_shadow);
	return 0;
}
