// SPDX-License-Identifier: Apache-2.0
/*
 * Claims on things that must be unique on a node: a workload's addresses and
 * cgroup, and the (address, port) keys of gl_services, which each belong to
 * one service. Also the capacities of gl_services and gl_backends. All by
 * sorting, so a large inventory costs n log n.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/quote.h"
#include "validate.h"

/* ---- workload addresses ---- */

struct addr_claim {
	const struct gl_ip *ip;
	const struct gl_workload_def *w;
};

static int cmp_addr_claim(const void *a, const void *b)
{
	const struct addr_claim *x = a, *y = b;
	int c = x->ip->family - y->ip->family;

	if (!c)
		c = memcmp(x->ip->addr, y->ip->addr, sizeof(x->ip->addr));
	if (!c && x->w != y->w)
		c = x->w->meta.index < y->w->meta.index ? -1 : 1;
	if (!c)
		c = x->ip < y->ip ? -1 : x->ip > y->ip;	/* one array: list order */
	return c;
}

static bool same_ip(const struct gl_ip *a, const struct gl_ip *b)
{
	return a->family == b->family && !memcmp(a->addr, b->addr, sizeof(a->addr));
}

static void report_addr(struct gl_vctx *v, const struct addr_claim *first,
			const struct addr_claim *c)
{
	char ip[64];

	gl_ip_format(c->ip->family, c->ip->addr, ip, sizeof(ip));
	if (first->w == c->w)
		gl_verr(v, c->ip->pos, "address %s is listed twice in workload '%s'; the first "
			"is at line %u column %u", ip, gl_obj_name(&c->w->meta),
			first->ip->pos.line, first->ip->pos.col);
	else
		gl_verr(v, c->ip->pos, "address %s of workload '%s' is already the address of "
			"workload '%s' (%s)", ip, gl_obj_name(&c->w->meta),
			gl_obj_name(&first->w->meta), gl_where(first->ip->pos).s);
}

static void check_addresses(struct gl_vctx *v)
{
	const struct gl_model *m = v->m;
	struct addr_claim *cl;
	size_t n = 0, i, start;

	for (i = 0; i < m->nworkloads; i++)
		n += m->workloads[i]->naddrs;
	cl = malloc((n ? n : 1) * sizeof(*cl));
	if (!cl) {
		v->err = -ENOMEM;
		return;
	}
	n = 0;
	for (i = 0; i < m->nworkloads; i++)
		for (size_t j = 0; j < m->workloads[i]->naddrs; j++)
			cl[n++] = (struct addr_claim){ &m->workloads[i]->addrs[j], m->workloads[i] };
	qsort(cl, n, sizeof(*cl), cmp_addr_claim);
	for (i = 1, start = 0; i < n; i++) {
		if (!same_ip(cl[start].ip, cl[i].ip))
			start = i;
		else
			report_addr(v, &cl[start], &cl[i]);
	}
	free(cl);
}

/* ---- cgroups: the key of gl_workloads ---- */

static int cmp_cgroup(const void *a, const void *b)
{
	const struct gl_workload_def *x = *(const struct gl_workload_def *const *)a;
	const struct gl_workload_def *y = *(const struct gl_workload_def *const *)b;
	int c = strcmp(x->cgroup, y->cgroup);

	return c ? c : x->meta.index < y->meta.index ? -1 : 1;
}

static void check_cgroups(struct gl_vctx *v)
{
	const struct gl_model *m = v->m;
	const struct gl_workload_def **w = malloc((m->nworkloads ? m->nworkloads : 1) * sizeof(*w));
	size_t n = 0, i, start;

	if (!w) {
		v->err = -ENOMEM;
		return;
	}
	for (i = 0; i < m->nworkloads; i++)
		if (m->workloads[i]->cgroup)
			w[n++] = m->workloads[i];
	qsort(w, n, sizeof(*w), cmp_cgroup);
	for (i = 1, start = 0; i < n; i++) {
		if (strcmp(w[start]->cgroup, w[i]->cgroup))
			start = i;
		else
			gl_verr(v, w[i]->cgroup_pos, "cgroup %s of workload '%s' is already the "
				"cgroup of workload '%s' (%s)", w[i]->cgroup,
				gl_obj_name(&w[i]->meta), gl_obj_name(&w[start]->meta),
				gl_where(w[start]->cgroup_pos).s);
	}
	free(w);
}

/* ---- gl_services keys ---- */

/* 48 bytes: one per gl_services key of the set, sorted with a copy of them */
struct key_claim {
	__u8 family;
	__u8 kind;			/* enum gl_addr_kind */
	__u16 port;
	__u8 addr[16];
	__u32 at;			/* virtual: index in s->addrs; endpoint: in s->ports */
	size_t seq;
	const struct gl_service_def *s;
	const struct gl_workload_def *w;	/* endpoints */
};

/* virtual: the address; endpoint: the targetPort */
static struct gl_pos claim_pos(const struct key_claim *c)
{
	return c->kind == GL_ADDR_VIRTUAL ? c->s->addrs[c->at].pos : c->s->ports[c->at].target_pos;
}

struct claims {
	struct key_claim *v;
	size_t n, cap;
};

static int cmp_key_claim(const void *a, const void *b)
{
	const struct key_claim *x = a, *y = b;
	int c = x->family - y->family;

	if (!c)
		c = memcmp(x->addr, y->addr, sizeof(x->addr));
	if (!c)
		c = x->port - y->port;
	if (!c && x->s != y->s)
		c = x->s->meta.index < y->s->meta.index ? -1 : 1;
	if (!c)
		c = x->seq < y->seq ? -1 : x->seq > y->seq;
	return c;
}

static int push_claim(struct claims *cs, struct key_claim c)
{
	if (cs->n == cs->cap) {
		size_t cap = cs->cap ? cs->cap * 2 : 64;
		struct key_claim *nv = realloc(cs->v, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		cs->v = nv;
		cs->cap = cap;
	}
	c.seq = cs->n;
	cs->v[cs->n++] = c;
	return 0;
}

static int claim_service(struct claims *cs, const struct gl_model *m, const struct gl_service_def *s)
{
	size_t i, j, k;
	int ret = 0;

	for (i = 0; i < s->naddrs; i++)
		for (j = 0; j < s->nports; j++) {
			struct key_claim c = { .family = s->addrs[i].family,
				.port = s->ports[j].port, .kind = GL_ADDR_VIRTUAL, .at = i, .s = s };

			memcpy(c.addr, s->addrs[i].addr, sizeof(c.addr));
			ret = ret ? ret : push_claim(cs, c);
		}
	for (k = 0; k < s->nmembers; k++) {
		const struct gl_workload_def *w = m->workloads[s->members[k]];

		for (i = 0; i < w->naddrs; i++)
			for (j = 0; j < s->nports; j++) {
				struct key_claim c = { .family = w->addrs[i].family,
					.port = s->ports[j].target_port,
					.kind = GL_ADDR_ENDPOINT, .at = j, .s = s, .w = w };

				memcpy(c.addr, w->addrs[i].addr, sizeof(c.addr));
				ret = ret ? ret : push_claim(cs, c);
			}
	}
	return ret;
}

static void format_key(const struct key_claim *c, char *buf, size_t size)
{
	char ip[64];

	gl_ip_format(c->family, c->addr, ip, sizeof(ip));
	snprintf(buf, size, c->family == GL_FAMILY_INET6 ? "[%s]:%u" : "%s:%u", ip, c->port);
}

/* "address 10.77.100.1:80 of service 'a'" or "endpoint 10.0.0.2:8080 (workload 'a-gray') of service 'a'" */
static void describe(const struct key_claim *c, const char *key, char *buf, size_t size)
{
	if (c->kind == GL_ADDR_VIRTUAL)
		snprintf(buf, size, "address %s of service '%s'", key, gl_obj_name(&c->s->meta));
	else
		snprintf(buf, size, "endpoint %s (workload '%s') of service '%s'", key,
			 gl_obj_name(&c->w->meta), gl_obj_name(&c->s->meta));
}

static void report_key(struct gl_vctx *v, const struct key_claim *first,
		       const struct key_claim *c)
{
	char key[80], a[600], b[600];

	format_key(c, key, sizeof(key));
	if (first->s == c->s) {
		/* one endpoint behind two ports with one targetPort: a single entry */
		if (first->kind == GL_ADDR_ENDPOINT && c->kind == GL_ADDR_ENDPOINT)
			return;
		/* ports are unique, so this is an address listed twice: say it once */
		if (first->kind == GL_ADDR_VIRTUAL && c->kind == GL_ADDR_VIRTUAL) {
			char ip[64];

			gl_ip_format(c->family, c->addr, ip, sizeof(ip));
			if (c->port == c->s->ports[0].port)
				gl_verr(v, claim_pos(c), "address %s is listed twice in service "
					"'%s'; the first is at line %u column %u", ip,
					gl_obj_name(&c->s->meta), claim_pos(first).line,
					claim_pos(first).col);
			return;
		}
		gl_verr(v, claim_pos(c), "%s is both a virtual address of service '%s' (%s) and "
			"the address of its endpoint '%s'; list only virtual addresses in "
			"spec.addresses", key, gl_obj_name(&c->s->meta),
			gl_where(claim_pos(first)).s, gl_obj_name(&c->w->meta));
		return;
	}
	describe(c, key, a, sizeof(a));
	if (first->kind == GL_ADDR_VIRTUAL)
		snprintf(b, sizeof(b), "an address of service '%s'", gl_obj_name(&first->s->meta));
	else
		snprintf(b, sizeof(b), "the endpoint '%s' of service '%s'",
			 gl_obj_name(&first->w->meta), gl_obj_name(&first->s->meta));
	gl_verr(v, claim_pos(c), "%s is already %s (%s); an address and port belong to one "
		"service", a, b, gl_where(claim_pos(first)).s);
}

static bool same_key(const struct key_claim *a, const struct key_claim *b)
{
	return a->family == b->family && a->port == b->port &&
	       !memcmp(a->addr, b->addr, sizeof(a->addr));
}

/* The service whose entries cross max, in load order (before duplicates are merged). */
static const struct gl_service_def *crossing(const struct claims *cs, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < cs->n; i++)	/* claims are pushed in service order */
		if (++n > max)
			return cs->v[i].s;
	return NULL;
}

static void check_service_keys(struct gl_vctx *v)
{
	const struct gl_model *m = v->m;
	size_t i, start, unique = 0, n = gl_model_service_keys(m);
	/* sized once: doubling left up to 2x the room, and a copy while it moved */
	struct claims cs = { malloc((n ? n : 1) * sizeof(*cs.v)), 0, n ? n : 1 };
	const struct gl_service_def *over;

	if (!cs.v)
		v->err = -ENOMEM;
	for (i = 0; i < m->nservices && !v->err; i++)
		if (claim_service(&cs, m, m->services[i]))
			v->err = -ENOMEM;
	over = crossing(&cs, GL_PLAN_SERVICE_ADDRS_MAX);
	if (cs.n)
		qsort(cs.v, cs.n, sizeof(*cs.v), cmp_key_claim);
	for (i = 0, start = 0; i < cs.n; i++) {
		if (!i || !same_key(&cs.v[start], &cs.v[i])) {
			start = i;
			unique++;
		} else {
			report_key(v, &cs.v[start], &cs.v[i]);
		}
	}
	if (over && unique > GL_PLAN_SERVICE_ADDRS_MAX)
		gl_verr(v, over->meta.name_pos, "too many service addresses: the set needs %zu "
			"gl_services entries (addresses and endpoints times ports), at most %d",
			unique, GL_PLAN_SERVICE_ADDRS_MAX);
	free(cs.v);
}

/* ---- endpoints per (service, lane, family) and gl_backends entries ---- */

static size_t count_sets(struct gl_vctx *v, const struct gl_service_def *s, size_t *counts)
{
	const struct gl_model *m = v->m;
	size_t sets = 0, lane, f;

	memset(counts, 0, m->nlanes * 2 * sizeof(*counts));
	for (size_t k = 0; k < s->nmembers; k++) {
		const struct gl_workload_def *w = m->workloads[s->members[k]];

		for (size_t i = 0; i < w->naddrs; i++)
			counts[w->lane_id * 2 + (w->addrs[i].family == GL_FAMILY_INET6)]++;
	}
	for (lane = 0; lane < m->nlanes; lane++)
		for (f = 0; f < 2; f++) {
			size_t c = counts[lane * 2 + f];

			if (!c)
				continue;
			sets++;
			if (c > GL_LANE_ENDPOINTS_MAX)
				gl_vwarn(v, s->selector.pos, "service '%s' has %zu %s endpoints in "
					 "lane '%s'; %d are used: this node's first, then those "
					 "a hash of service and address ranks highest",
					 gl_obj_name(&s->meta), c, f ? "IPv6" : "IPv4",
					 m->lanes[lane], GL_LANE_ENDPOINTS_MAX);
		}
	return sets;
}

static void check_endpoints(struct gl_vctx *v)
{
	const struct gl_model *m = v->m;
	size_t *counts = malloc((m->nlanes ? m->nlanes : 1) * 2 * sizeof(*counts));
	size_t sets = 0;
	bool reported = false;

	if (!counts) {
		v->err = -ENOMEM;
		return;
	}
	for (size_t i = 0; i < m->nservices; i++) {
		sets += count_sets(v, m->services[i], counts);
		if (sets > GL_PLAN_BACKENDS_MAX && !reported) {
			gl_verr(v, m->services[i]->meta.name_pos, "too many endpoint sets: services "
				"up to this one need %zu gl_backends entries (one per service, lane "
				"and address family with endpoints), at most %d", sets,
				GL_PLAN_BACKENDS_MAX);
			reported = true;
		}
	}
	free(counts);
}

void gl_validate_claims(struct gl_vctx *v)
{
	check_addresses(v);
	check_cgroups(v);
	if (v->m->lanes)
		check_endpoints(v);
	check_service_keys(v);
}
