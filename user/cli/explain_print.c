// SPDX-License-Identifier: Apache-2.0
/* graylane explain's answer (explain.h), as text for a person or as one JSON object. */
#include <arpa/inet.h>
#include <stdio.h>

#include "explain.h"
#include "common/json.h"
#include "plan/plan.h"

static const char *workload_name(const struct gl_plan *p, uint32_t id)
{
	return id && id <= p->nworkloads ? p->workloads[id - 1].name : "?";
}

static const char *service_name(const struct gl_plan *p, uint32_t id)
{
	return id && id <= p->nservices ? p->services[id - 1] : "?";
}

static void addr_str(uint8_t family, const uint8_t *a, char *out)
{
	inet_ntop(family == GL_FAMILY_INET6 ? AF_INET6 : AF_INET, a, out, INET6_ADDRSTRLEN);
}

static const char *why_name(enum gl_explain_why w)
{
	static const char *const n[] = {
		[GL_EXPLAIN_RULE] = "rule", [GL_EXPLAIN_HEADER] = "header",
		[GL_EXPLAIN_NO_MATCH] = "no_match", [GL_EXPLAIN_NO_WANT] = "no_want",
		[GL_EXPLAIN_REFUSED_HEAD] = "refused_head",
	};

	return n[w];
}

static void text_because(const struct gl_plan *p, const struct gl_explain *ex, FILE *out)
{
	const char *w = workload_name(p, ex->wl.workload_id);

	fprintf(out, "because     ");
	switch (ex->why) {
	case GL_EXPLAIN_RULE:
		fprintf(out, "TrafficLabelRule %s (%s:%u) matched, the first of %u tried in order\n",
			ex->rule ? ex->rule->rule : "?", ex->rule && ex->rule->file ?
			ex->rule->file : "?", ex->rule ? ex->rule->line : 0, ex->rules_tried);
		return;
	case GL_EXPLAIN_HEADER:
		fprintf(out, "the propagation header names it (%s: %s)\n",
			ex->entry ? "trusted at this entry: --trust-incoming" :
			"the hop before labelled it", ex->header_value);
		return;
	case GL_EXPLAIN_NO_WANT:
		fprintf(out, "no wanted-header table for %s in the maps: every head is base\n", w);
		return;
	case GL_EXPLAIN_REFUSED_HEAD:
		fprintf(out, "the kernel's parser refuses this head (%s: %s): base, fail closed\n",
			ex->head_error, ex->head_reason);
		return;
	case GL_EXPLAIN_NO_MATCH:
		break;
	}
	if (ex->entry)
		fprintf(out, "no TrafficLabelRule of %s matched (%u tried)", w, ex->rules_tried);
	else
		fprintf(out, "%s is no entry, and", w);
	if (ex->header_present && !ex->header_trusted)
		fprintf(out, "; the propagation header from outside (%s) is not trusted at an entry",
			ex->header_value);
	else if (ex->header_present)
		fprintf(out, " the propagation header's value '%s' is no lane of the plan",
			ex->header_value);
	else if (!ex->entry)
		fprintf(out, " the request carries no propagation header");
	fprintf(out, ": base\n");
}

static void text_endpoints(const struct gl_plan *p, const struct gl_explain_req *rq,
			   const struct gl_explain *ex, FILE *out)
{
	const char *svc = service_name(p, ex->service_id);
	char a[INET6_ADDRSTRLEN];

	if (!ex->is_service) {
		fprintf(out, "endpoints   none: the address is no service's, the connect goes where it "
			"was dialed, untouched\n");
		return;
	}
	if (ex->refused) {
		fprintf(out, "endpoints   none: %s has no %s endpoints%s; the connect fails (EPERM), "
			"counted %s\n", svc, ex->lane_name, ex->fallback ? " and no base ones" : "",
			ex->fallback || ex->lane != GL_LANE_BASE ? "connect_no_endpoint" :
			"connect_refused_no_base");
		return;
	}
	fprintf(out, "endpoints   %s", ex->ep_lane_name);
	if (ex->fallback)
		fprintf(out, " (fallback: %s has no %s endpoints; the request keeps lane %s for the "
			"next hop)", svc, ex->lane_name, ex->lane_name);
	fprintf(out, ":");
	for (uint32_t i = 0; i < ex->backend.count && i < GL_LANE_ENDPOINTS_MAX; i++) {
		addr_str(rq->family, ex->backend.ep[i].addr, a);
		fprintf(out, "%s %s:%u (%s)", i ? "," : "", a, ex->target_port,
			workload_name(p, ex->backend.ep[i].workload_id));
	}
	fprintf(out, "%s\n", ex->backend.count > 1 ? "; one at random per connection" : "");
}

void gl_explain_print_text(const struct gl_plan *p, const struct gl_explain_req *rq,
			   const struct gl_explain *ex, const char *rules_dir, FILE *out)
{
	const char *w = workload_name(p, ex->wl.workload_id);
	char a[INET6_ADDRSTRLEN];

	fprintf(out, "workload    %s (id %u): %s, workload lane %s\n", w, ex->wl.workload_id,
		ex->entry ? "an entry: its TrafficLabelRules label what it receives" :
		"labels what it receives by the propagation header", ex->wl_lane_name);
	fprintf(out, "lane        %s\n", ex->lane_name);
	text_because(p, ex, out);
	addr_str(rq->family, rq->addr, a);
	if (ex->is_service)
		fprintf(out, "to          %s port %u: service %s, target port %u\n", a, rq->port,
			service_name(p, ex->service_id), ex->target_port);
	else
		fprintf(out, "to          %s port %u\n", a, rq->port);
	text_endpoints(p, rq, ex, out);
	if (ex->line[0])
		fprintf(out, "header      %s (written after the request line)\n", ex->line);
	else
		fprintf(out, "header      none: a base request leaves with every propagation line "
			"removed (%u in this head)\n", ex->nlabels);
	fprintf(out, "generation  %llu (slot %u)\n", (unsigned long long)ex->generation, ex->slot);
	if (ex->rules_differ)
		fprintf(out, "warning     the rules in %s differ from those in the maps: the decision "
			"is the maps', the names may not be\n", rules_dir);
}

static void json_kv(FILE *out, const char *k, const char *v, int comma)
{
	fprintf(out, "%s\"%s\":", comma ? "," : "", k);
	if (v)
		gl_json_str(out, v);
	else
		fprintf(out, "null");
}

static void json_connect(const struct gl_plan *p, const struct gl_explain_req *rq,
			 const struct gl_explain *ex, FILE *out)
{
	char a[INET6_ADDRSTRLEN];

	addr_str(rq->family, rq->addr, a);
	fprintf(out, ",\"to\":{\"address\":\"%s\",\"port\":%u}", a, rq->port);
	if (!ex->is_service) {
		fprintf(out, ",\"service\":null,\"endpoints\":[]");
	} else {
		fprintf(out, ",\"service\":{\"id\":%u", ex->service_id);
		json_kv(out, "name", service_name(p, ex->service_id), 1);
		fprintf(out, ",\"target_port\":%u}", ex->target_port);
		json_kv(out, "endpoint_lane", ex->refused ? NULL : ex->ep_lane_name, 1);
		fprintf(out, ",\"endpoints\":[");
		for (uint32_t i = 0; !ex->refused && i < ex->backend.count &&
				     i < GL_LANE_ENDPOINTS_MAX; i++) {
			addr_str(rq->family, ex->backend.ep[i].addr, a);
			fprintf(out, "%s{\"address\":\"%s\"", i ? "," : "", a);
			json_kv(out, "workload", workload_name(p, ex->backend.ep[i].workload_id), 1);
			fprintf(out, "}");
		}
		fprintf(out, "]");
	}
	fprintf(out, ",\"fallback\":%s,\"refused\":%s", ex->fallback ? "true" : "false",
		ex->refused ? "true" : "false");
}

void gl_explain_print_json(const struct gl_plan *p, const struct gl_explain_req *rq,
			   const struct gl_explain *ex, const char *rules_dir, FILE *out)
{
	const struct gl_plan_rule *r = ex->rule;

	fprintf(out, "{");
	json_kv(out, "workload", workload_name(p, ex->wl.workload_id), 0);
	fprintf(out, ",\"workload_id\":%u,\"entry\":%s", ex->wl.workload_id,
		ex->entry ? "true" : "false");
	json_kv(out, "workload_lane", ex->wl_lane_name, 1);
	json_kv(out, "lane", ex->lane_name, 1);
	json_kv(out, "decision", why_name(ex->why), 1);
	if (r) {
		fprintf(out, ",\"rule\":{\"index\":%d,\"line\":%u", ex->rule_index, r->line);
		json_kv(out, "name", r->rule, 1);
		json_kv(out, "file", r->file, 1);
		fprintf(out, "}");
	} else {
		fprintf(out, ",\"rule\":null");
	}
	fprintf(out, ",\"rules_tried\":%u,\"propagation_header\":{\"present\":%s,\"known\":%s,"
		"\"trusted\":%s", ex->rules_tried, ex->header_present ? "true" : "false",
		ex->header_known ? "true" : "false", ex->header_trusted ? "true" : "false");
	json_kv(out, "value", ex->header_present ? ex->header_value : NULL, 1);
	fprintf(out, "}");
	json_kv(out, "head_error", ex->head_error, 1);
	json_kv(out, "head_reason", ex->head_reason, 1);
	json_connect(p, rq, ex, out);
	json_kv(out, "header_written", ex->line[0] ? ex->line : NULL, 1);
	fprintf(out, ",\"propagation_lines_removed\":%u,\"generation\":%llu,\"slot\":%u,"
		"\"rules_match_maps\":%s", ex->nlabels, (unsigned long long)ex->generation, ex->slot,
		ex->rules_differ ? "false" : "true");
	json_kv(out, "rules_dir", rules_dir, 1);
	fprintf(out, "}\n");
}
