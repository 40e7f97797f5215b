// SPDX-License-Identifier: Apache-2.0
/* The rules model: lifecycle and small queries (see model.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

void gl_model_init(struct gl_model *m)
{
	memset(m, 0, sizeof(*m));
}

void gl_model_free(struct gl_model *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nworkloads; i++)
		free(m->workloads[i]->entry_rules);
	/* with the kinds' arrays, the only things outside the arena */
	free(m->traffic_rules);
	free(m->workload_rules);
	free(m->workloads);
	free(m->services);
	gl_arena_free(&m->label_arena);
	gl_arena_free(&m->arena);
	gl_model_init(m);
}

void gl_model_drop_labels(struct gl_model *m)
{
	for (size_t i = 0; i < m->ntraffic_rules; i++)
		memset(&m->traffic_rules[i]->meta.labels, 0, sizeof(struct gl_labels));
	for (size_t i = 0; i < m->nworkload_rules; i++)
		memset(&m->workload_rules[i]->meta.labels, 0, sizeof(struct gl_labels));
	for (size_t i = 0; i < m->nworkloads; i++)
		memset(&m->workloads[i]->meta.labels, 0, sizeof(struct gl_labels));
	for (size_t i = 0; i < m->nservices; i++)
		memset(&m->services[i]->meta.labels, 0, sizeof(struct gl_labels));
	gl_arena_free(&m->label_arena);
	malloc_trim(0);	/* their blocks came from the loading threads' malloc arenas */
}

const char *gl_label_get(const struct gl_labels *labels, const char *key)
{
	for (size_t i = 0; i < labels->n; i++)
		if (!strcmp(labels->v[i].key, key))
			return labels->v[i].value;
	return NULL;
}

bool gl_selector_matches(const struct gl_labels *selector, const struct gl_labels *labels)
{
	if (!selector->n)
		return false;	/* an empty selector is an error, never "everything" */
	for (size_t i = 0; i < selector->n; i++) {
		const char *v = gl_label_get(labels, selector->v[i].key);

		if (!v || strcmp(v, selector->v[i].value))
			return false;
	}
	return true;
}

const char *gl_kind_name(enum gl_kind k)
{
	static const char *const names[GL_KIND_MAX] = {
		[GL_KIND_TRAFFIC_LABEL_RULE] = "TrafficLabelRule",
		[GL_KIND_WORKLOAD_LABEL_RULE] = "WorkloadLabelRule",
		[GL_KIND_WORKLOAD] = "Workload",
		[GL_KIND_SERVICE] = "Service",
	};

	return (unsigned)k < GL_KIND_MAX ? names[k] : "?";
}

const char *gl_cond_name(enum gl_cond c)
{
	static const char *const names[GL_COND_MAX] = {
		[GL_COND_EQ] = "==", [GL_COND_NE] = "!=", [GL_COND_PREFIX] = "prefix",
		[GL_COND_SUFFIX] = "suffix", [GL_COND_CONTAINS] = "contains",
		[GL_COND_IN] = "in", [GL_COND_NOT_IN] = "not_in",
		[GL_COND_EXISTS] = "exists", [GL_COND_PERCENTAGE] = "percentage",
	};

	return (unsigned)c < GL_COND_MAX ? names[c] : "?";
}

const char *gl_match_type_name(enum gl_match_type t)
{
	static const char *const names[GL_MATCH_TYPE_MAX] = {
		[GL_MATCH_HEADER] = "header", [GL_MATCH_PATH] = "path",
		[GL_MATCH_METHOD] = "method", [GL_MATCH_PARAM] = "param",
		[GL_MATCH_COOKIE] = "cookie", [GL_MATCH_HOST] = "host",
	};

	return (unsigned)t < GL_MATCH_TYPE_MAX ? names[t] : "?";
}

const char *gl_protocol_name(unsigned protocol)
{
	static const char *const names[GL_PROTO_MAX] = {
		[GL_PROTO_HTTP] = "http", [GL_PROTO_MYSQL] = "mysql", [GL_PROTO_TCP] = "tcp",
	};

	return protocol < GL_PROTO_MAX ? names[protocol] : "?";
}

void gl_ip_format(__u8 family, const __u8 addr[16], char *buf, size_t size)
{
	int af = family == GL_FAMILY_INET ? AF_INET : AF_INET6;

	if (!inet_ntop(af, addr, buf, size))
		snprintf(buf, size, "?");
}

/*
 * Room for n+1 elements in v (cap of them): v, or v moved to twice the room,
 * or NULL (v unchanged). The kinds' arrays are malloc'ed, not in the arena,
 * where each doubling left the old copy behind (5.8 MB at 100 000 Workloads,
 * the per-file arrays of the parallel load included).
 */
static void *grow(void *v, size_t n, size_t *cap, size_t elem)
{
	size_t ncap = *cap ? *cap * 2 : 8;
	void *nv;

	if (n < *cap)
		return v;
	if (ncap > SIZE_MAX / elem)
		return NULL;
	nv = realloc(v, ncap * elem);
	if (nv)
		*cap = ncap;
	return nv;
}

/* Typed, so each kind's array is only ever accessed as what it is. */
#define PUSH(arr, n, cap, obj) ({						\
	void *grown_ = grow((arr), (n), &(cap), sizeof(*(arr)));		\
										\
	if (grown_) {								\
		(arr) = grown_;							\
		(obj)->meta.index = (n);					\
		(arr)[(n)++] = (obj);						\
	}									\
	grown_ ? 0 : -ENOMEM;							\
})

int gl_model_add(struct gl_model *m, struct gl_meta *obj)
{
	/* every object struct starts with its struct gl_meta */
	switch (obj->kind) {
	case GL_KIND_TRAFFIC_LABEL_RULE:
		return PUSH(m->traffic_rules, m->ntraffic_rules, m->cap_traffic_rules,
			    (struct gl_traffic_rule *)obj);
	case GL_KIND_WORKLOAD_LABEL_RULE:
		return PUSH(m->workload_rules, m->nworkload_rules, m->cap_workload_rules,
			    (struct gl_workload_rule *)obj);
	case GL_KIND_WORKLOAD:
		return PUSH(m->workloads, m->nworkloads, m->cap_workloads,
			    (struct gl_workload_def *)obj);
	case GL_KIND_SERVICE:
		return PUSH(m->services, m->nservices, m->cap_services,
			    (struct gl_service_def *)obj);
	default:
		return 0;
	}
}
