// SPDX-License-Identifier: Apache-2.0
/*
 * gl_plan_print: the plan as text (one line per map entry, a header line per
 * map) or JSON (one array per map, one entry per line). Both print the
 * entries in plan order and decode ids to names next to the raw values, so a
 * reader can compare them with `bpftool map dump` and `graylane dump`.
 */
#include <stdio.h>
#include <string.h>

#include "model/model.h"
#include "common/json.h"
#include "plan.h"

static const char *family_name(__u8 f)
{
	return f == GL_FAMILY_INET ? "inet" : f == GL_FAMILY_INET6 ? "inet6" : "?";
}

static const char *kind_name(__u8 k)
{
	return k == GL_ADDR_VIRTUAL ? "virtual" : k == GL_ADDR_ENDPOINT ? "endpoint" : "?";
}

static const char *lane_name(const struct gl_plan *p, __u16 id)
{
	return id < p->nlanes ? p->lanes[id].name : "?";
}

static const char *workload_name(const struct gl_plan *p, __u32 id)
{
	return id >= 1 && id <= p->nworkloads ? p->workloads[id - 1].name : "?";
}

static const char *service_name(const struct gl_plan *p, __u32 id)
{
	return id >= 1 && id <= p->nservices ? p->services[id - 1] : "?";
}

/* "(entry)" after a non-zero flags value, "" for 0 */
static const char *flags_name(__u16 flags)
{
	switch (flags) {
	case 0:
		return "";
	case GL_WL_ENTRY:
		return "(entry)";
	case GL_WL_MANAGED_ROOT:
		return "(managed_root)";
	case GL_WL_ENTRY | GL_WL_MANAGED_ROOT:
		return "(managed_root,entry)";
	}
	return "(?)";
}

static void header(FILE *out, const char *map, size_t n, bool first)
{
	fprintf(out, "%s# %s: %zu %s\n", first ? "" : "\n", map, n, n == 1 ? "entry" : "entries");
}

/* A rule value in text: double-quoted, '"' and '\\' escaped, control bytes as \xNN. */
static void text_strn(FILE *out, const char *s, size_t n)
{
	fputc('"', out);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static size_t item_value_len(const struct gl_match_item *it)
{
	return it->value_len < GL_RULE_VALUE_MAX ? it->value_len : GL_RULE_VALUE_MAX;
}

static size_t item_key_len(const struct gl_match_item *it)
{
	return it->key_len < GL_RULE_KEY_MAX ? it->key_len : GL_RULE_KEY_MAX;
}

/* header:location@7 == "cn-shenzhen", method in ["GET","HEAD"], param:uid percentage 30 */
static void item_text(const struct gl_match_item *it, FILE *out)
{
	fputs(gl_match_type_name(it->type), out);
	if (it->key_len)
		fprintf(out, ":%.*s", (int)item_key_len(it), it->key);
	if (it->want_slot != GL_HTTP_SLOT_NONE)
		fprintf(out, "@%u", it->want_slot);
	fprintf(out, " %s", gl_cond_name(it->cond));
	switch (it->cond) {
	case GL_COND_EXISTS:
		return;
	case GL_COND_PERCENTAGE:
		fprintf(out, " %u", it->percent);
		return;
	case GL_COND_IN:
	case GL_COND_NOT_IN:
		fputs(" [", out);
		for (__u32 k = 0; k < it->nin && k < GL_RULE_IN_MAX; k++) {
			if (k)
				fputc(',', out);
			if (it->in_off[k] + it->in_len[k] <= GL_RULE_VALUE_MAX)
				text_strn(out, it->value + it->in_off[k], it->in_len[k]);
		}
		fputc(']', out);
		return;
	}
	fputc(' ', out);
	text_strn(out, it->value, item_value_len(it));
}

static void print_shadows_text(const struct gl_plan *p, FILE *out)
{
	header(out, "gl_shadows", p->nshadows, false);
	for (size_t i = 0; i < p->nshadows; i++) {
		const struct gl_sql_tables *t = &p->shadows[i].val;

		fprintf(out, "gl_shadows lane=%u(%s) tables=%u", p->shadows[i].key.lane,
			lane_name(p, p->shadows[i].key.lane), t->n);
		for (__u32 k = 0; k < t->n && k < GL_SQL_TABLES_MAX; k++)
			fprintf(out, "%s%s.%s -> %s", k ? ", " : ": ", t->t[k].db, t->t[k].base,
				t->t[k].shadow);
		fputc('\n', out);
	}
}

static void print_entries_text(const struct gl_plan *p, FILE *out)
{
	size_t i;

	header(out, "gl_lane_ids", p->nlane_ids, false);
	for (i = 0; i < p->nlane_ids; i++)
		fprintf(out, "gl_lane_ids %.*s -> %u\n", GL_LANE_NAME_MAX, p->lane_ids[i].key.name,
			p->lane_ids[i].lane);
	header(out, "gl_rules", p->nrules, false);
	for (i = 0; i < p->nrules; i++) {
		const struct gl_plan_rule *r = &p->rules[i];

		fprintf(out, "gl_rules %s id=%u index=%u -> rule=%s priority=%d lane=%u(%s) items=%u",
			r->workload, r->key.workload_id, r->key.index, r->rule, r->priority,
			r->lane, lane_name(p, r->lane), r->nitems);
		for (__u32 k = 0; k < r->nitems && k < GL_RULE_ITEMS_MAX; k++) {
			fputs(k ? " && " : ": ", out);
			item_text(&r->item[k], out);
		}
		fputc('\n', out);
	}
	header(out, "gl_wants", p->nwants, false);
	for (i = 0; i < p->nwants; i++) {
		const struct gl_plan_want *w = &p->wants[i];

		fprintf(out, "gl_wants %s id=%u ->", w->workload ? w->workload : "(default)",
			w->key.workload_id);
		for (__u32 k = 0; k < GL_HTTP_WANT_SLOTS; k++)
			if (w->val.name[k].len)
				fprintf(out, " %u=%.*s", k, (int)w->val.name[k].len, w->val.name[k].name);
		fputc('\n', out);
	}
}

static void print_text(const struct gl_plan *p, FILE *out)
{
	char ip[64];
	size_t i, n;

	header(out, "gl_lanes", p->nlanes, true);
	for (i = 0; i < p->nlanes; i++)
		fprintf(out, "gl_lanes %u %s\n", p->lanes[i].id, p->lanes[i].name);
	for (i = n = 0; i < p->nworkloads; i++)
		n += p->workloads[i].cgroup != NULL;
	header(out, "gl_workloads", n, false);
	for (i = 0; i < p->nworkloads; i++) {
		const struct gl_plan_workload *w = &p->workloads[i];

		/* a workload on another node has an id (its endpoints name it) but
		 * no gl_workloads entry: shown as a comment */
		fprintf(out, "%sgl_workloads %s id=%u lane=%u(%s) flags=%u%s nrules=%u cgroup=%s\n",
			w->cgroup ? "" : "# ", w->name, w->val.workload_id, w->val.lane,
			lane_name(p, w->val.lane), w->val.flags, flags_name(w->val.flags),
			w->val.nrules, w->cgroup ? w->cgroup : "- (not on this node: no entry)");
	}
	header(out, "gl_services", p->naddrs, false);
	for (i = 0; i < p->naddrs; i++) {
		const struct gl_plan_service_addr *a = &p->addrs[i];

		gl_ip_format(a->key.family, a->key.addr, ip, sizeof(ip));
		fprintf(out, a->key.family == GL_FAMILY_INET6 ? "gl_services [%s]:%u" :
			"gl_services %s:%u", ip, a->key.port);
		fprintf(out, " -> service=%s id=%u target_port=%u kind=%s protocol=%s\n",
			service_name(p, a->val.service_id), a->val.service_id, a->val.target_port,
			kind_name(a->val.kind), gl_protocol_name(a->val.protocol));
	}
	header(out, "gl_backends", p->nbackends, false);
	for (i = 0; i < p->nbackends; i++) {
		const struct gl_plan_backend *b = &p->backends[i];

		fprintf(out, "gl_backends service=%s id=%u lane=%u(%s) family=%s count=%u",
			service_name(p, b->key.service_id), b->key.service_id, b->key.lane,
			lane_name(p, b->key.lane),
			family_name(b->key.family), b->count);
		for (__u32 j = 0; j < b->count && j < GL_LANE_ENDPOINTS_MAX; j++) {
			gl_ip_format(b->key.family, b->ep[j].addr, ip, sizeof(ip));
			fprintf(out, " %s(%s)", ip, workload_name(p, b->ep[j].workload_id));
		}
		fputc('\n', out);
	}
	print_entries_text(p, out);
	print_shadows_text(p, out);
}

/* n bytes that need not end in NUL */
static void json_strn(FILE *out, const char *s, size_t n)
{
	char buf[GL_RULE_VALUE_MAX + 1];

	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	gl_json_str(out, buf);
}

static void json_open(FILE *out, const char *map, size_t n, bool first)
{
	fprintf(out, "%s  \"%s\": [%s", first ? "" : ",\n", map, n ? "\n" : "");
}

static void json_close(FILE *out, size_t n)
{
	fprintf(out, "%s]", n ? "\n  " : "");
}

static void json_sep(FILE *out, size_t i)
{
	fprintf(out, "%s    ", i ? ",\n" : "");
}

static void json_lanes_workloads(const struct gl_plan *p, FILE *out)
{
	size_t i;

	json_open(out, "gl_lanes", p->nlanes, true);
	for (i = 0; i < p->nlanes; i++) {
		json_sep(out, i);
		fprintf(out, "{\"id\": %u, \"name\": ", p->lanes[i].id);
		gl_json_str(out, p->lanes[i].name);
		fputc('}', out);
	}
	json_close(out, p->nlanes);
	json_open(out, "gl_workloads", p->nworkloads, false);
	for (i = 0; i < p->nworkloads; i++) {
		const struct gl_plan_workload *w = &p->workloads[i];

		json_sep(out, i);
		fputs("{\"name\": ", out);
		gl_json_str(out, w->name);
		fprintf(out, ", \"workload_id\": %u, \"lane\": %u, \"lane_name\": ",
			w->val.workload_id, w->val.lane);
		gl_json_str(out, lane_name(p, w->val.lane));
		fprintf(out, ", \"flags\": %u, \"nrules\": %u, \"cgroup\": ", w->val.flags,
			w->val.nrules);
		if (w->cgroup)
			gl_json_str(out, w->cgroup);
		else
			fputs("null", out);
		fputc('}', out);
	}
	json_close(out, p->nworkloads);
}

static void json_services(const struct gl_plan *p, FILE *out)
{
	char ip[64];

	json_open(out, "gl_services", p->naddrs, false);
	for (size_t i = 0; i < p->naddrs; i++) {
		const struct gl_plan_service_addr *a = &p->addrs[i];

		gl_ip_format(a->key.family, a->key.addr, ip, sizeof(ip));
		json_sep(out, i);
		fprintf(out, "{\"family\": \"%s\", \"address\": \"%s\", \"port\": %u, \"service\": ",
			family_name(a->key.family), ip, a->key.port);
		gl_json_str(out, service_name(p, a->val.service_id));
		fprintf(out, ", \"service_id\": %u, \"target_port\": %u, \"kind\": \"%s\", "
			"\"protocol\": \"%s\"}", a->val.service_id, a->val.target_port,
			kind_name(a->val.kind), gl_protocol_name(a->val.protocol));
	}
	json_close(out, p->naddrs);
}

static void json_endpoints(const struct gl_plan *p, const struct gl_plan_backend *b, FILE *out)
{
	char ip[64];

	fputs("\"endpoints\": [", out);
	for (__u32 j = 0; j < b->count && j < GL_LANE_ENDPOINTS_MAX; j++) {
		gl_ip_format(b->key.family, b->ep[j].addr, ip, sizeof(ip));
		fprintf(out, "%s{\"address\": \"%s\", \"workload_id\": %u, \"workload\": ",
			j ? ", " : "", ip, b->ep[j].workload_id);
		gl_json_str(out, workload_name(p, b->ep[j].workload_id));
		fputc('}', out);
	}
	fputc(']', out);
}

static void json_backends(const struct gl_plan *p, FILE *out)
{
	json_open(out, "gl_backends", p->nbackends, false);
	for (size_t i = 0; i < p->nbackends; i++) {
		const struct gl_plan_backend *b = &p->backends[i];

		json_sep(out, i);
		fputs("{\"service\": ", out);
		gl_json_str(out, service_name(p, b->key.service_id));
		fprintf(out, ", \"service_id\": %u, \"lane\": %u, \"lane_name\": ",
			b->key.service_id, b->key.lane);
		gl_json_str(out, lane_name(p, b->key.lane));
		fprintf(out, ", \"family\": \"%s\", \"count\": %u, ",
			family_name(b->key.family), b->count);
		json_endpoints(p, b, out);
		fputc('}', out);
	}
	json_close(out, p->nbackends);
}

static void json_lane_ids(const struct gl_plan *p, FILE *out)
{
	json_open(out, "gl_lane_ids", p->nlane_ids, false);
	for (size_t i = 0; i < p->nlane_ids; i++) {
		json_sep(out, i);
		fputs("{\"name\": ", out);
		json_strn(out, p->lane_ids[i].key.name, GL_LANE_NAME_MAX);
		fprintf(out, ", \"lane\": %u}", p->lane_ids[i].lane);
	}
	json_close(out, p->nlane_ids);
}

static void json_item(const struct gl_match_item *it, FILE *out)
{
	fprintf(out, "{\"type\": \"%s\"", gl_match_type_name(it->type));
	if (it->key_len) {
		fputs(", \"key\": ", out);
		json_strn(out, it->key, item_key_len(it));
	}
	if (it->want_slot != GL_HTTP_SLOT_NONE)
		fprintf(out, ", \"want_slot\": %u", it->want_slot);
	fputs(", \"condition\": ", out);
	gl_json_str(out, gl_cond_name(it->cond));
	fputs(", \"value\": ", out);
	json_strn(out, it->value, item_value_len(it));
	if (it->cond == GL_COND_PERCENTAGE)
		fprintf(out, ", \"percent\": %u", it->percent);
	if (it->cond == GL_COND_IN || it->cond == GL_COND_NOT_IN) {
		fputs(", \"values\": [", out);
		for (__u32 k = 0; k < it->nin && k < GL_RULE_IN_MAX; k++) {
			if (k)
				fputs(", ", out);
			if (it->in_off[k] + it->in_len[k] <= GL_RULE_VALUE_MAX)
				json_strn(out, it->value + it->in_off[k], it->in_len[k]);
		}
		fputc(']', out);
	}
	fputc('}', out);
}

static void json_rules(const struct gl_plan *p, FILE *out)
{
	json_open(out, "gl_rules", p->nrules, false);
	for (size_t i = 0; i < p->nrules; i++) {
		const struct gl_plan_rule *r = &p->rules[i];

		json_sep(out, i);
		fputs("{\"workload\": ", out);
		gl_json_str(out, r->workload);
		fprintf(out, ", \"workload_id\": %u, \"index\": %u, \"rule\": ", r->key.workload_id,
			r->key.index);
		gl_json_str(out, r->rule);
		fprintf(out, ", \"priority\": %d, \"lane\": %u, \"lane_name\": ", r->priority,
			r->lane);
		gl_json_str(out, lane_name(p, r->lane));
		fputs(", \"items\": [", out);
		for (__u32 k = 0; k < r->nitems && k < GL_RULE_ITEMS_MAX; k++) {
			if (k)
				fputs(", ", out);
			json_item(&r->item[k], out);
		}
		fputs("]}", out);
	}
	json_close(out, p->nrules);
}

static void json_wants(const struct gl_plan *p, FILE *out)
{
	json_open(out, "gl_wants", p->nwants, false);
	for (size_t i = 0; i < p->nwants; i++) {
		const struct gl_plan_want *w = &p->wants[i];
		bool first = true;

		json_sep(out, i);
		fprintf(out, "{\"workload_id\": %u, \"workload\": ", w->key.workload_id);
		if (w->workload)
			gl_json_str(out, w->workload);
		else
			fputs("null", out);
		fputs(", \"names\": [", out);
		for (__u32 k = 0; k < GL_HTTP_WANT_SLOTS; k++) {
			const struct gl_http_want_name *n = &w->val.name[k];

			if (!n->len)
				continue;
			fprintf(out, "%s{\"slot\": %u, \"name\": ", first ? "" : ", ", k);
			json_strn(out, n->name, n->len);
			fprintf(out, ", \"hash\": %u}", n->hash);
			first = false;
		}
		fputs("]}", out);
	}
	json_close(out, p->nwants);
}

static void json_shadows(const struct gl_plan *p, FILE *out)
{
	json_open(out, "gl_shadows", p->nshadows, false);
	for (size_t i = 0; i < p->nshadows; i++) {
		const struct gl_sql_tables *t = &p->shadows[i].val;

		json_sep(out, i);
		fprintf(out, "{\"lane\": %u, \"tables\": [", p->shadows[i].key.lane);
		for (__u32 k = 0; k < t->n && k < GL_SQL_TABLES_MAX; k++) {
			fputs(k ? ", {\"db\": " : "{\"db\": ", out);
			gl_json_str(out, t->t[k].db);
			fputs(", \"base\": ", out);
			gl_json_str(out, t->t[k].base);
			fputs(", \"shadow\": ", out);
			gl_json_str(out, t->t[k].shadow);
			fputc('}', out);
		}
		fputs("]}", out);
	}
	json_close(out, p->nshadows);
}

void gl_plan_print(const struct gl_plan *p, FILE *out, bool json)
{
	if (!json) {
		print_text(p, out);
		return;
	}
	fputs("{\n", out);
	json_lanes_workloads(p, out);
	json_services(p, out);
	json_backends(p, out);
	json_lane_ids(p, out);
	json_rules(p, out);
	json_wants(p, out);
	json_shadows(p, out);
	fputs("\n}\n", out);
}
