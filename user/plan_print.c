// SPDX-License-Identifier: Apache-2.0
/*
 * gl_plan_print: the plan as text (one line per map entry, a header line per
 * map) or JSON (one array per map, one entry per line). Both print the
 * entries in plan order and decode ids to names next to the raw values, so a
 * reader can compare them with `bpftool map dump` and `graylane dump`.
 */
#include <stdio.h>

#include "model.h"
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

static void header(FILE *out, const char *map, size_t n, bool first)
{
	fprintf(out, "%s# %s: %zu %s\n", first ? "" : "\n", map, n, n == 1 ? "entry" : "entries");
}

static void print_text(const struct gl_plan *p, FILE *out)
{
	char ip[64];
	size_t i;

	header(out, "gl_lanes", p->nlanes, true);
	for (i = 0; i < p->nlanes; i++)
		fprintf(out, "gl_lanes %u %s\n", p->lanes[i].id, p->lanes[i].name);
	header(out, "gl_workloads", p->nworkloads, false);
	for (i = 0; i < p->nworkloads; i++) {
		const struct gl_plan_workload *w = &p->workloads[i];

		fprintf(out, "gl_workloads %s id=%u lane=%u(%s) flags=%u cgroup=%s\n", w->name,
			w->val.workload_id, w->val.lane, lane_name(p, w->val.lane),
			w->val.flags, w->cgroup);
	}
	header(out, "gl_services", p->naddrs, false);
	for (i = 0; i < p->naddrs; i++) {
		const struct gl_plan_service_addr *a = &p->addrs[i];

		gl_ip_format(a->key.family, a->key.addr, ip, sizeof(ip));
		fprintf(out, a->key.family == GL_FAMILY_INET6 ? "gl_services [%s]:%u" :
			"gl_services %s:%u", ip, a->key.port);
		fprintf(out, " -> service=%s id=%u target_port=%u kind=%s protocol=%s\n",
			a->service, a->val.service_id, a->val.target_port,
			kind_name(a->val.kind), gl_protocol_name(a->val.protocol));
	}
	header(out, "gl_backends", p->nbackends, false);
	for (i = 0; i < p->nbackends; i++) {
		const struct gl_plan_backend *b = &p->backends[i];

		fprintf(out, "gl_backends service=%s id=%u lane=%u(%s) family=%s count=%u",
			b->service, b->key.service_id, b->key.lane, lane_name(p, b->key.lane),
			family_name(b->key.family), b->val.count);
		for (__u32 j = 0; j < b->val.count && j < GL_LANE_ENDPOINTS_MAX; j++) {
			gl_ip_format(b->key.family, b->val.ep[j].addr, ip, sizeof(ip));
			fprintf(out, " %s(%s)", ip, workload_name(p, b->val.ep[j].workload_id));
		}
		fputc('\n', out);
	}
}

/* RFC 8259 string: quotes, backslash and control characters escaped. */
static void json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (; s && *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
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
		json_str(out, p->lanes[i].name);
		fputc('}', out);
	}
	json_close(out, p->nlanes);
	json_open(out, "gl_workloads", p->nworkloads, false);
	for (i = 0; i < p->nworkloads; i++) {
		const struct gl_plan_workload *w = &p->workloads[i];

		json_sep(out, i);
		fputs("{\"name\": ", out);
		json_str(out, w->name);
		fprintf(out, ", \"workload_id\": %u, \"lane\": %u, \"lane_name\": ",
			w->val.workload_id, w->val.lane);
		json_str(out, lane_name(p, w->val.lane));
		fprintf(out, ", \"flags\": %u, \"cgroup\": ", w->val.flags);
		json_str(out, w->cgroup);
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
		json_str(out, a->service);
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
	for (__u32 j = 0; j < b->val.count && j < GL_LANE_ENDPOINTS_MAX; j++) {
		gl_ip_format(b->key.family, b->val.ep[j].addr, ip, sizeof(ip));
		fprintf(out, "%s{\"address\": \"%s\", \"workload_id\": %u, \"workload\": ",
			j ? ", " : "", ip, b->val.ep[j].workload_id);
		json_str(out, workload_name(p, b->val.ep[j].workload_id));
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
		json_str(out, b->service);
		fprintf(out, ", \"service_id\": %u, \"lane\": %u, \"lane_name\": ",
			b->key.service_id, b->key.lane);
		json_str(out, lane_name(p, b->key.lane));
		fprintf(out, ", \"family\": \"%s\", \"count\": %u, ",
			family_name(b->key.family), b->val.count);
		json_endpoints(p, b, out);
		fputc('}', out);
	}
	json_close(out, p->nbackends);
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
	fputs("\n}\n", out);
}
