// SPDX-License-Identifier: Apache-2.0
/*
 * Shadow tables (WorkloadLabelRules with db and table keys) as the kernel
 * holds them (user/plan/compile_shadows.c, include/graylane/sql_limits.h):
 * - the shadow name replaces the base name where it stood, unquoted, so it
 *   must be a plain identifier;
 * - one shadow per (db, base table) and lane;
 * - at most GL_SQL_TABLES_MAX tables per lane, and as many base tables in
 *   all (lane 0 lists every mapped base table).
 */
#include <string.h>

#include "../../bpf/lib/sql.h"
#include "model/model.h"
#include "common/quote.h"
#include "validate.h"

static bool same_table(const struct gl_workload_rule *a, const struct gl_workload_rule *b)
{
	return !strcmp(a->db, b->db) && !strcmp(a->base_table, b->base_table);
}

static bool usable(const struct gl_workload_rule *r)
{
	return r->is_table && r->lane && r->db && r->table && r->base_table;
}

void gl_validate_tables(struct gl_vctx *v)
{
	const struct gl_model *m = v->m;
	size_t nbase = 0;

	for (size_t i = 0; i < m->nworkload_rules; i++) {
		const struct gl_workload_rule *r = m->workload_rules[i];
		size_t nlane = 1;
		bool new_base = true;

		if (!usable(r))
			continue;
		if (!gl_sql_name_plain(r->table, strlen(r->table)))
			gl_verr(v, r->table_pos, "shadow table '%s' must be a plain identifier "
				"(letters, digits, '_', '$'; not starting with a digit): the kernel "
				"writes it, unquoted, where the base table's name stood",
				gl_q(r->table).s);
		for (size_t k = 0; k < i; k++) {
			const struct gl_workload_rule *o = m->workload_rules[k];

			if (!usable(o) || !same_table(r, o))
				continue;
			new_base = false;
			if (!strcmp(o->lane, r->lane) && strcmp(o->table, r->table))
				gl_verr(v, r->table_pos, "table %s.%s already has shadow table '%s' in "
					"lane '%s' (WorkloadLabelRule '%s'); a lane has one shadow per "
					"table", gl_q(r->db).s, gl_q(r->base_table).s, gl_q(o->table).s,
					r->lane, gl_q(o->meta.name ? o->meta.name : "?").s);
		}
		for (size_t k = 0; k < i; k++) {
			const struct gl_workload_rule *o = m->workload_rules[k];

			nlane += usable(o) && !strcmp(o->lane, r->lane) && !same_table(r, o);
		}
		nbase += new_base;
		if (nlane == GL_SQL_TABLES_MAX + 1)
			gl_verr(v, r->table_pos, "lane '%s' has more than %d shadow tables; the kernel "
				"holds at most %d per lane", r->lane, GL_SQL_TABLES_MAX,
				GL_SQL_TABLES_MAX);
		if (new_base && nbase == GL_SQL_TABLES_MAX + 1)
			gl_verr(v, r->table_pos, "more than %d base tables have shadow tables; the "
				"kernel holds at most %d", GL_SQL_TABLES_MAX, GL_SQL_TABLES_MAX);
	}
}
