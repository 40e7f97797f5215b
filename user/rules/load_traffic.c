// SPDX-License-Identifier: Apache-2.0
/* OpenSergo kinds (traffic.opensergo.io/v1alpha1): TrafficLabelRule, WorkloadLabelRule. */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "../../bpf/lib/sql.h"
#include "load.h"
#include "common/quote.h"

static const char *const tlr_fields[] = { "selector", "trafficLabel", "match", "priority", NULL };
static const char *const wlr_fields[] = { "workloadLabels", "selector", NULL };

static void read_priority(struct gl_load *l, const struct gl_ynode *spec,
			  struct gl_traffic_rule *r)
{
	const struct gl_ynode *n;
	long long v;

	if (!gl_get_int(l, spec, "spec", "priority", false, &v, &n))
		return;
	if (v < INT_MIN || v > INT_MAX) {
		gl_lerr(l, n, "field 'spec.priority' must be between %d and %d, got %lld",
			INT_MIN, INT_MAX, v);
		return;
	}
	r->priority = v;
}

void gl_load_traffic_rule(struct gl_load *l, const struct gl_ynode *spec, struct gl_meta *meta)
{
	struct gl_traffic_rule *r = gl_lalloc(l, sizeof(*r));
	const struct gl_ynode *ln;
	const char *lane;

	if (!r)
		return;
	r->meta = *meta;
	if (spec) {
		gl_check_fields(l, spec, "spec", tlr_fields);
		gl_get_labels(l, spec, "spec", "selector", true, GL_LABELS_SELECTOR, &r->selector);
		lane = gl_get_str(l, spec, "spec", "trafficLabel", true, &ln);
		if (lane && gl_check_lane_name(l, gl_pos_of(l, ln), "spec.trafficLabel", lane)) {
			r->lane = lane;
			r->lane_pos = gl_pos_of(l, ln);
		}
		read_priority(l, spec, r);
		gl_load_matches(l, spec, r);
	}
	if (gl_model_add(l->m, &r->meta))
		l->err = -ENOMEM;
}

/* spec.workloadLabels: a list with exactly one lane name. */
static void read_lane(struct gl_load *l, const struct gl_ynode *spec, struct gl_workload_rule *r)
{
	const struct gl_ynode *seq = gl_get_seq(l, spec, "spec", "workloadLabels", true);
	const char *lane;

	if (!seq)
		return;
	if (!seq->nkids) {
		gl_lerr(l, seq, "'spec.workloadLabels' is empty; it must name exactly one lane");
		return;
	}
	if (seq->nkids > 1)
		gl_lerr(l, seq->kids[1], "'spec.workloadLabels' names %zu lanes; a "
			"WorkloadLabelRule gives exactly one (write one rule per lane)", seq->nkids);
	lane = gl_node_str(l, seq->kids[0], "spec.workloadLabels[0]");
	if (lane && gl_check_lane_name(l, gl_pos_of(l, seq->kids[0]),
				       "spec.workloadLabels[0]", lane)) {
		r->lane = lane;
		r->lane_pos = gl_pos_of(l, seq->kids[0]);
	}
}

static const struct gl_label *find_label(const struct gl_labels *ls, const char *key)
{
	for (size_t i = 0; i < ls->n; i++)
		if (!strcmp(ls->v[i].key, key))
			return &ls->v[i];
	return NULL;
}

static bool check_sql_name(struct gl_load *l, const struct gl_label *lb, const char *path)
{
	size_t len = strlen(lb->value);

	if (!len || len > GL_SQL_NAME_MAX) {
		gl_perr(l, lb->value_pos, "field '%s' is %zu bytes long; a MySQL name has 1..%d",
			path, len, GL_SQL_NAME_MAX);
		return false;
	}
	/* the kernel's table map holds what gl_sql_table_set accepts */
	if (!gl_sql_name_ok(lb->value, len)) {
		gl_perr(l, lb->value_pos, "field '%s' is '%s'; graylane cannot match a name with "
			"a backtick in SQL", path, gl_q(lb->value).s);
		return false;
	}
	return true;
}

/* The base table: the annotation, else the shadow's name without "_<lane>". */
static void derive_base(struct gl_load *l, struct gl_workload_rule *r, const struct gl_label *t)
{
	const struct gl_label *ann = find_label(&l->annotations, GL_BASE_TABLE_ANNOTATION);
	size_t tl = strlen(r->table), ll;

	if (ann) {
		if (!check_sql_name(l, ann, "metadata.annotations." GL_BASE_TABLE_ANNOTATION))
			return;
		if (!strcmp(ann->value, r->table)) {
			gl_perr(l, ann->value_pos, "the base table '%s' cannot be its own shadow "
				"table", gl_q(ann->value).s);
			return;
		}
		r->base_table = ann->value;
		return;
	}
	if (!r->lane)
		return;		/* already reported */
	ll = strlen(r->lane);
	if (tl > ll + 1 && r->table[tl - ll - 1] == '_' && !strcmp(r->table + tl - ll, r->lane)) {
		char *base = (char *)gl_lstrdup(l, r->table);

		if (base)
			base[tl - ll - 1] = '\0';
		r->base_table = base;
		return;
	}
	gl_perr(l, t->value_pos, "cannot tell the base table of shadow table '%s': the name "
		"is not <base table>_%s; name the base table in metadata.annotations '%s'",
		gl_q(r->table).s, r->lane, GL_BASE_TABLE_ANNOTATION);
}

/* selector {db, table}: this rule names a shadow table, not workloads. */
static void read_table(struct gl_load *l, struct gl_workload_rule *r)
{
	const struct gl_label *t = find_label(&r->selector, "table");
	const struct gl_label *db = find_label(&r->selector, "db");

	r->is_table = true;
	for (size_t i = 0; i < r->selector.n; i++) {
		const struct gl_label *lb = &r->selector.v[i];

		if (strcmp(lb->key, "db") && strcmp(lb->key, "table"))
			gl_pwarn(l, lb->key_pos, "selector key '%s' ignored: a rule with db and "
				"table keys selects a table, not workloads", gl_q(lb->key).s);
	}
	if (!db) {
		gl_perr(l, r->selector.pos, "missing field 'spec.selector.db': a table rule "
			"needs the database the table is in");
	} else if (check_sql_name(l, db, "spec.selector.db")) {
		r->db = db->value;
	}
	if (!check_sql_name(l, t, "spec.selector.table"))
		return;
	r->table = t->value;
	r->table_pos = t->value_pos;
	derive_base(l, r, t);
}

void gl_load_workload_rule(struct gl_load *l, const struct gl_ynode *spec, struct gl_meta *meta)
{
	struct gl_workload_rule *r = gl_lalloc(l, sizeof(*r));

	if (!r)
		return;
	r->meta = *meta;
	if (spec) {
		gl_check_fields(l, spec, "spec", wlr_fields);
		read_lane(l, spec, r);
		gl_get_labels(l, spec, "spec", "selector", true, GL_LABELS_SELECTOR, &r->selector);
		if (find_label(&r->selector, "table"))
			read_table(l, r);
	}
	if (gl_model_add(l->m, &r->meta))
		l->err = -ENOMEM;
}
