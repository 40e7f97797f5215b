// SPDX-License-Identifier: Apache-2.0
/*
 * gl_plan_compile: a validated model -> the exact entries of each BPF map
 * (user/plan/plan.h), in a deterministic order: workload ids by workload name,
 * service ids by service name, lanes as validation numbered them, entries
 * sorted by key bytes (gl_rules and gl_wants: by workload id, then rule
 * index). No pointers, hash order or time go into the plan.
 *
 * Ownership: the plan owns workloads[].name/.cgroup, services[] and
 * rules[].rule (in p->strings); the .workload of rules[] and wants[] points
 * into workloads[], and addrs[] and backends[] name their service by id.
 * gl_plan_free releases everything.
 *
 * Entry workloads (selected by some TrafficLabelRule) get GL_WL_ENTRY, their
 * rules in gl_rules and their own wanted-header table in gl_wants; every
 * other workload's heads are parsed with the default table (workload id 0).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/diag.h"
#include "model/model.h"
#include "plan.h"
#include "plan/sample.h"
#include "common/quote.h"

struct cc {
	const struct gl_model *m;
	struct gl_plan *p;
	struct gl_diags *d;
	const char *label, *alias;		/* propagation header names */
	const char *node;			/* the sample's seed */
	const struct gl_workload_def **wl;	/* by workload id - 1 */
	size_t *rank;				/* model index -> workload id - 1 */
	const struct gl_service_def **svc;	/* by service id - 1 */
	size_t addrs_cap;
	size_t backends_cap;
	size_t endpoints_cap;			/* p->endpoints: counted before the backends */
	size_t items_cap;			/* p->items: counted before the rules are built */
	const char *file_src, *file_copy;	/* the last rule's file, and its copy in p */
};

/* Names are unique per kind in a valid set: a total order. */
static int cmp_workload(const void *a, const void *b)
{
	const struct gl_workload_def *x = *(const struct gl_workload_def *const *)a;
	const struct gl_workload_def *y = *(const struct gl_workload_def *const *)b;

	return strcmp(x->meta.name, y->meta.name);
}

static int cmp_service(const void *a, const void *b)
{
	const struct gl_service_def *x = *(const struct gl_service_def *const *)a;
	const struct gl_service_def *y = *(const struct gl_service_def *const *)b;

	return strcmp(x->meta.name, y->meta.name);
}

/*
 * Room for n elements, allocated once: growing a plan array by doubling
 * copied it at each step (up to 15 MB of rules at 10 000 rules) and left
 * the old copies behind. The push functions still grow it if n was short.
 */
static int reserve(void *v, size_t *cap, size_t n, size_t size)
{
	void *nv = malloc((n ? n : 1) * size);

	if (!nv)
		return -ENOMEM;
	*(void **)v = nv;
	*cap = n ? n : 1;
	return 0;
}

static int build_lanes(struct cc *c)
{
	const struct gl_model *m = c->m;
	struct gl_plan *p = c->p;

	p->lanes = calloc(m->nlanes ? m->nlanes : 1, sizeof(*p->lanes));
	if (!p->lanes)
		return -ENOMEM;
	for (size_t i = 0; i < m->nlanes; i++) {
		p->lanes[i].id = i;
		strncpy(p->lanes[i].name, m->lanes[i], GL_LANE_NAME_MAX - 1);
	}
	p->nlanes = m->nlanes;
	return 0;
}

static int build_workloads(struct cc *c)
{
	const struct gl_model *m = c->m;
	struct gl_plan *p = c->p;
	size_t n = m->nworkloads;

	c->wl = malloc((n ? n : 1) * sizeof(*c->wl));
	p->workloads = calloc(n ? n : 1, sizeof(*p->workloads));
	if (!c->wl || !p->workloads)
		return -ENOMEM;
	if (n) {
		memcpy(c->wl, m->workloads, n * sizeof(*c->wl));
		qsort(c->wl, n, sizeof(*c->wl), cmp_workload);
	}
	c->rank = malloc((n ? n : 1) * sizeof(*c->rank));
	if (!c->rank)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		c->rank[c->wl[i]->meta.index] = i;
	for (size_t i = 0; i < n; i++) {
		struct gl_plan_workload *pw = &p->workloads[i];

		pw->name = gl_arena_strdup(&p->strings, c->wl[i]->meta.name);
		pw->cgroup = c->wl[i]->cgroup ? gl_arena_strdup(&p->strings, c->wl[i]->cgroup) : NULL;
		p->nworkloads = i + 1;
		if (!pw->name || (c->wl[i]->cgroup && !pw->cgroup))
			return -ENOMEM;
		pw->val.workload_id = i + 1;
		pw->val.lane = c->wl[i]->lane_id;
		pw->val.flags = 0;
	}
	return 0;
}

static int build_service_names(struct cc *c)
{
	const struct gl_model *m = c->m;
	struct gl_plan *p = c->p;
	size_t n = m->nservices;

	c->svc = malloc((n ? n : 1) * sizeof(*c->svc));
	p->services = calloc(n ? n : 1, sizeof(*p->services));
	if (!c->svc || !p->services)
		return -ENOMEM;
	if (n) {
		memcpy(c->svc, m->services, n * sizeof(*c->svc));
		qsort(c->svc, n, sizeof(*c->svc), cmp_service);
	}
	for (size_t i = 0; i < n; i++) {
		p->services[i] = gl_arena_strdup(&p->strings, c->svc[i]->meta.name);
		p->nservices = i + 1;
		if (!p->services[i])
			return -ENOMEM;
	}
	return 0;
}

/* ---- gl_services ---- */

static int push_addr(struct cc *c, __u32 sid, const struct gl_ip *ip, __u16 port,
		     __u16 target, __u8 kind)
{
	struct gl_plan *p = c->p;
	struct gl_plan_service_addr *e;

	if (p->naddrs == c->addrs_cap) {
		size_t cap = c->addrs_cap ? c->addrs_cap * 2 : 64;
		void *nv = realloc(p->addrs, cap * sizeof(*p->addrs));

		if (!nv)
			return -ENOMEM;
		p->addrs = nv;
		c->addrs_cap = cap;
	}
	e = &p->addrs[p->naddrs++];
	memset(e, 0, sizeof(*e));
	e->key.slot = 0;
	e->key.family = ip->family;
	e->key.port = port;
	memcpy(e->key.addr, ip->addr, sizeof(e->key.addr));
	e->val.service_id = sid;
	e->val.target_port = target;
	e->val.kind = kind;
	e->val.protocol = c->svc[sid - 1]->protocol;
	return 0;
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return (x > y) - (x < y);
}

/* The service's endpoints as workload ids - 1, increasing (validation
 * found them: s->members). */
static size_t service_members(const struct cc *c, const struct gl_service_def *s, size_t *match)
{
	for (size_t q = 0; q < s->nmembers; q++)
		match[q] = c->rank[s->members[q]];
	qsort(match, s->nmembers, sizeof(*match), cmp_size);
	return s->nmembers;
}

static int service_addrs(struct cc *c, __u32 sid, size_t *match)
{
	const struct gl_service_def *s = c->svc[sid - 1];
	size_t i, j, k, nmatch = service_members(c, s, match);
	int ret = 0;

	for (i = 0; i < s->naddrs; i++)
		for (j = 0; j < s->nports && !ret; j++)
			ret = push_addr(c, sid, &s->addrs[i], s->ports[j].port,
					s->ports[j].target_port, GL_ADDR_VIRTUAL);
	/* endpoints: dialed directly at their own address and target port */
	for (k = 0; k < nmatch && !ret; k++) {
		const struct gl_workload_def *w = c->wl[match[k]];

		for (i = 0; i < w->naddrs; i++)
			for (j = 0; j < s->nports && !ret; j++)
				ret = push_addr(c, sid, &w->addrs[i], s->ports[j].target_port,
						s->ports[j].target_port, GL_ADDR_ENDPOINT);
	}
	return ret;
}

static int cmp_addr_entry(const void *a, const void *b)
{
	const struct gl_plan_service_addr *x = a, *y = b;
	int c = memcmp(&x->key, &y->key, sizeof(x->key));

	return c ? c : memcmp(&x->val, &y->val, sizeof(x->val));
}

/* Sort by key bytes; one key twice with one value (two ports, one targetPort) is one entry. */
static int finish_addrs(struct cc *c)
{
	struct gl_plan *p = c->p;
	size_t i, n = 0;

	if (p->naddrs)
		qsort(p->addrs, p->naddrs, sizeof(*p->addrs), cmp_addr_entry);
	for (i = 0; i < p->naddrs; i++) {
		if (n && !memcmp(&p->addrs[n - 1].key, &p->addrs[i].key, sizeof(p->addrs[i].key))) {
			if (memcmp(&p->addrs[n - 1].val, &p->addrs[i].val, sizeof(p->addrs[i].val)))
				return -EINVAL;	/* validation lets no conflict through */
			continue;
		}
		p->addrs[n++] = p->addrs[i];
	}
	p->naddrs = n;
	return 0;
}

/* ---- gl_backends ---- */

static int cmp_endpoint(const void *a, const void *b)
{
	const struct gl_endpoint *x = a, *y = b;
	int c = memcmp(x->addr, y->addr, sizeof(x->addr));

	return c ? c : (x->workload_id > y->workload_id) - (x->workload_id < y->workload_id);
}

static struct gl_plan_backend *new_backend(struct cc *c)
{
	struct gl_plan *p = c->p;

	if (p->nbackends == c->backends_cap) {
		size_t cap = c->backends_cap ? c->backends_cap * 2 : 16;
		void *nv = realloc(p->backends, cap * sizeof(*p->backends));

		if (!nv)
			return NULL;
		p->backends = nv;
		c->backends_cap = cap;
	}
	memset(&p->backends[p->nbackends], 0, sizeof(p->backends[0]));
	return &p->backends[p->nbackends];
}

/* One lane's endpoints of one service in one family, every one, into cand
 * (room for every address of the matched workloads); how many. */
static size_t candidates(struct cc *c, const size_t *match, size_t nmatch,
			 __u16 lane, __u8 family, struct gl_ep_cand *cand)
{
	size_t n = 0;

	for (size_t k = 0; k < nmatch; k++) {
		const struct gl_workload_def *w = c->wl[match[k]];

		if (w->lane_id != lane)
			continue;
		for (size_t i = 0; i < w->naddrs; i++) {
			struct gl_ep_cand *e = &cand[n];

			if (w->addrs[i].family != family)
				continue;
			n++;
			memset(e, 0, sizeof(*e));
			memcpy(e->ep.addr, w->addrs[i].addr, sizeof(e->ep.addr));
			e->ep.workload_id = match[k] + 1;
			e->local = w->cgroup != NULL;
		}
	}
	return n;
}

/* Addresses of the matched workloads: room for every candidate. */
static size_t count_addrs(struct cc *c, const size_t *match, size_t nmatch)
{
	size_t n = 0;

	for (size_t k = 0; k < nmatch; k++)
		n += c->wl[match[k]]->naddrs;
	return n;
}

/* One lane's endpoints of one service in one family; none -> no entry.
 * More than a lane holds: sampled (sample.h; validation warns). */
static int backend(struct cc *c, __u32 sid, const size_t *match, size_t nmatch,
		   __u16 lane, __u8 family)
{
	struct gl_plan_backend *b = new_backend(c);
	struct gl_endpoint *ep = &c->p->endpoints[c->p->nendpoints];
	size_t room = c->endpoints_cap - c->p->nendpoints;
	struct gl_ep_cand *cand;
	size_t n;

	if (!b)
		return -ENOMEM;
	cand = malloc((count_addrs(c, match, nmatch) + 1) * sizeof(*cand));
	if (!cand)
		return -ENOMEM;
	n = gl_sample(c->node, c->svc[sid - 1]->meta.name, cand,
		      candidates(c, match, nmatch, lane, family, cand), GL_LANE_ENDPOINTS_MAX);
	if (n > room) {
		free(cand);
		return -EINVAL;	/* endpoints_cap counts every address */
	}
	for (size_t i = 0; i < n; i++)
		ep[i] = cand[i].ep;
	free(cand);
	if (!n)
		return 0;
	qsort(ep, n, sizeof(ep[0]), cmp_endpoint);
	b->key.family = family;
	b->key.lane = lane;
	b->key.service_id = sid;
	b->count = (__u32)n;
	b->ep = ep;
	c->p->nendpoints += n;
	c->p->nbackends++;
	return 0;
}

void gl_plan_backend_val(const struct gl_plan_backend *b, struct gl_backend *out)
{
	memset(out, 0, sizeof(*out));
	out->count = b->count;
	memcpy(out->ep, b->ep, b->count * sizeof(*b->ep));
}

/* Every (lane, family) of one service; the selector is matched once. */
static int service_backends(struct cc *c, __u32 sid, size_t *match)
{
	static const __u8 families[] = { GL_FAMILY_INET, GL_FAMILY_INET6 };
	const struct gl_service_def *s = c->svc[sid - 1];
	size_t nmatch = service_members(c, s, match);
	int ret = 0;

	for (size_t lane = 0; lane < c->m->nlanes && !ret; lane++)
		for (size_t f = 0; f < 2 && !ret; f++)
			ret = backend(c, sid, match, nmatch, lane, families[f]);
	return ret;
}

static int cmp_backend(const void *a, const void *b)
{
	const struct gl_plan_backend *x = a, *y = b;

	return memcmp(&x->key, &y->key, sizeof(x->key));
}

static int build_addrs(struct cc *c)
{
	size_t *match = malloc((c->p->nworkloads ? c->p->nworkloads : 1) * sizeof(*match));
	int ret = match ? reserve(&c->p->addrs, &c->addrs_cap, gl_model_service_keys(c->m),
				  sizeof(*c->p->addrs)) : -ENOMEM;

	for (__u32 sid = 1; sid <= c->p->nservices && !ret; sid++)
		ret = service_addrs(c, sid, match);
	free(match);
	return ret;
}

/* gl_backends entries: the (service, lane, family) triples with an endpoint;
 * *neps: room for their endpoints (each member address at most once). */
static int count_backends(const struct cc *c, size_t *n, size_t *neps)
{
	size_t lanes = c->m->nlanes ? c->m->nlanes : 1;
	unsigned char *seen = malloc(2 * lanes);

	if (!seen)
		return -ENOMEM;
	*n = 0;
	*neps = 0;
	for (size_t i = 0; i < c->m->nservices; i++) {
		const struct gl_service_def *s = c->m->services[i];

		memset(seen, 0, 2 * lanes);
		for (size_t q = 0; q < s->nmembers; q++) {
			const struct gl_workload_def *w = c->m->workloads[s->members[q]];

			*neps += w->naddrs;
			for (size_t a = 0; a < w->naddrs && w->lane_id < lanes; a++) {
				unsigned char *x = &seen[2 * w->lane_id +
							 (w->addrs[a].family != GL_FAMILY_INET)];

				*n += !*x;
				*x = 1;
			}
		}
	}
	free(seen);
	return 0;
}

static int build_backends(struct cc *c)
{
	size_t *match = malloc((c->p->nworkloads ? c->p->nworkloads : 1) * sizeof(*match));
	size_t n = 0, neps = 0;
	int ret = match ? count_backends(c, &n, &neps) : -ENOMEM;

	if (!ret)
		ret = reserve(&c->p->backends, &c->backends_cap, n + 1, sizeof(*c->p->backends));
	if (!ret)
		ret = reserve(&c->p->endpoints, &c->endpoints_cap, neps, sizeof(*c->p->endpoints));

	for (__u32 sid = 1; sid <= c->p->nservices && !ret; sid++)
		ret = service_backends(c, sid, match);
	free(match);
	if (!ret && c->p->nbackends)
		qsort(c->p->backends, c->p->nbackends, sizeof(*c->p->backends), cmp_backend);
	return ret;
}

/* ---- gl_lane_ids ---- */

static int build_lane_ids(struct cc *c)
{
	const struct gl_model *m = c->m;
	struct gl_plan *p = c->p;

	p->lane_ids = calloc(m->nlanes ? m->nlanes : 1, sizeof(*p->lane_ids));
	if (!p->lane_ids)
		return -ENOMEM;
	/* lane ids follow the names' byte order, and so do the keys: no sort needed */
	for (size_t i = 1; i < m->nlanes; i++) {
		struct gl_plan_lane_id *e = &p->lane_ids[p->nlane_ids++];

		strncpy(e->key.name, m->lanes[i], GL_LANE_NAME_MAX - 1);
		e->lane = i;
	}
	return 0;
}

/* ---- entry workloads: gl_rules, gl_wants ---- */

static int cmp_lane_name(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

static int lane_of(const struct gl_model *m, const char *name)
{
	const char **l;

	if (!name || m->nlanes < 2)
		return -1;
	l = bsearch(name, m->lanes + 1, m->nlanes - 1, sizeof(*m->lanes), cmp_lane_name);
	return l ? (int)(l - m->lanes) : -1;
}

/* in/not_in: the values packed as "a,b,c", each at value[in_off[i]], in_len[i] bytes */
static int pack_list(const struct gl_match *mt, struct gl_match_item *it)
{
	size_t o = 0;

	if (mt->nitems > GL_RULE_IN_MAX)
		return -EINVAL;
	for (size_t i = 0; i < mt->nitems; i++) {
		size_t n = strlen(mt->items[i]);

		if (o + (i ? 1 : 0) + n > GL_RULE_VALUE_MAX || n > 0xff)
			return -EINVAL;
		if (i)
			it->value[o++] = ',';
		memcpy(it->value + o, mt->items[i], n);
		it->in_off[i] = o;
		it->in_len[i] = n;
		o += n;
	}
	it->nin = mt->nitems;
	it->value_len = o;
	return 0;
}

/* One spec.match item; a header name gets its slot of w (added if new). */
static int build_item(const struct gl_match *mt, struct gl_http_want *w, struct gl_match_item *it)
{
	size_t klen = strlen(mt->key), vlen = strlen(mt->value);
	int slot;

	memset(it, 0, sizeof(*it));
	if (klen > GL_RULE_KEY_MAX || vlen > GL_RULE_VALUE_MAX)
		return -EINVAL;
	it->type = mt->type;
	it->cond = mt->cond;
	it->want_slot = GL_HTTP_SLOT_NONE;
	it->key_len = klen;
	for (size_t i = 0; i < klen; i++)
		it->key[i] = mt->type == GL_MATCH_HEADER ? gl_http_lower((__u8)mt->key[i]) : mt->key[i];
	switch (mt->type) {
	case GL_MATCH_HEADER:
		slot = gl_http_want_add(w, mt->key, klen);
		if (slot < 0)
			return -EINVAL;	/* validation counts header names */
		it->want_slot = slot;
		break;
	case GL_MATCH_HOST:
		it->want_slot = GL_HTTP_SLOT_HOST;
		break;
	case GL_MATCH_COOKIE:
		it->want_slot = GL_HTTP_SLOT_COOKIE;
		break;
	default:
		break;
	}
	if (mt->cond == GL_COND_IN || mt->cond == GL_COND_NOT_IN)
		return pack_list(mt, it);
	memcpy(it->value, mt->value, vlen);
	it->value_len = vlen;
	if (mt->cond == GL_COND_PERCENTAGE)
		it->percent = mt->percent > GL_PERCENT_MAX ? GL_PERCENT_MAX : mt->percent;
	return 0;
}

static int push_rule(struct cc *c, size_t *cap, const struct gl_traffic_rule *r, __u32 wid,
		     __u16 index, struct gl_http_want *w)
{
	struct gl_plan *p = c->p;
	struct gl_plan_rule *e;
	int lane = lane_of(c->m, r->lane), ret;

	if (lane < 0 || r->nmatch > GL_RULE_ITEMS_MAX || c->items_cap - p->nitems < r->nmatch)
		return -EINVAL;
	if (p->nrules == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		void *nv = realloc(p->rules, ncap * sizeof(*p->rules));

		if (!nv)
			return -ENOMEM;
		p->rules = nv;
		*cap = ncap;
	}
	e = &p->rules[p->nrules];
	memset(e, 0, sizeof(*e));
	e->rule = gl_arena_strdup(&p->strings, r->meta.name);
	if (!e->rule)
		return -ENOMEM;
	p->nrules++;
	e->workload = p->workloads[wid - 1].name;
	if (r->meta.pos.file != c->file_src) {	/* rules of one file come together */
		c->file_src = r->meta.pos.file;
		c->file_copy = gl_arena_strdup(&p->strings, c->file_src ? c->file_src : "-");
		if (!c->file_copy)
			return -ENOMEM;
	}
	e->file = c->file_copy;
	e->line = r->meta.pos.line;
	e->priority = r->priority;
	e->key.index = index;
	e->key.workload_id = wid;
	e->lane = lane;
	e->nitems = r->nmatch;
	e->item = &p->items[p->nitems];
	for (size_t i = 0; i < r->nmatch; i++) {
		ret = build_item(&r->match[i], w, &p->items[p->nitems]);
		if (ret)
			return ret;
		p->nitems++;
	}
	return 0;
}

void gl_plan_rule_val(const struct gl_plan_rule *r, struct gl_rule *out)
{
	memset(out, 0, sizeof(*out));
	out->lane = r->lane;
	out->nitems = r->nitems;
	memcpy(out->item, r->item, r->nitems * sizeof(*r->item));
}

/* The built-in slots; the header names were checked by gl_plan_compile. */
static int want_init(struct cc *c, struct gl_plan_want *e, __u32 wid)
{
	memset(e, 0, sizeof(*e));
	e->key.workload_id = wid;
	e->workload = wid ? c->p->workloads[wid - 1].name : NULL;
	return gl_http_want_init(&e->val, c->label, c->alias) ? -EINVAL : 0;
}

/* Workloads in id order: their rules, in the order tried, and their tables. */
static int build_entries(struct cc *c)
{
	const struct gl_model *m = c->m;
	struct gl_plan *p = c->p;
	const struct gl_traffic_rule **sel;
	size_t rules_cap = 0, nrules = 0, entries = 0, nitems = 0;
	int ret;

	for (size_t k = 0; k < p->nworkloads; k++) {
		nrules += c->wl[k]->nentry_rules;
		entries += c->wl[k]->nentry_rules > 0;
		for (size_t i = 0; i < c->wl[k]->nentry_rules; i++)
			nitems += c->wl[k]->entry_rules[i]->nmatch;
	}
	sel = malloc((m->ntraffic_rules ? m->ntraffic_rules : 1) * sizeof(*sel));
	p->wants = calloc(entries + 1, sizeof(*p->wants));
	if (!sel || !p->wants || reserve(&p->rules, &rules_cap, nrules, sizeof(*p->rules)) ||
	    reserve(&p->items, &c->items_cap, nitems, sizeof(*p->items))) {
		free(sel);
		return -ENOMEM;
	}
	ret = want_init(c, &p->wants[p->nwants++], 0);
	for (size_t k = 0; k < p->nworkloads && !ret; k++) {
		struct gl_plan_workload *pw = &p->workloads[k];
		struct gl_plan_want *want;
		size_t n = gl_entry_rules(m, c->wl[k], sel);

		if (!n)
			continue;
		if (n > GL_ENTRY_RULES_MAX) {
			ret = -EINVAL;	/* validation reports this */
			break;
		}
		want = &p->wants[p->nwants++];
		ret = want_init(c, want, pw->val.workload_id);
		for (size_t i = 0; i < n && !ret; i++)
			ret = push_rule(c, &rules_cap, sel[i], pw->val.workload_id, i, &want->val);
		pw->val.flags |= GL_WL_ENTRY;
		pw->val.nrules = n;
	}
	free(sel);
	return ret;
}

static int build(struct cc *c)
{
	int ret = build_lanes(c);

	if (!ret)
		ret = build_workloads(c);
	if (!ret)
		ret = build_service_names(c);
	if (!ret)
		ret = build_addrs(c);
	if (!ret)
		ret = finish_addrs(c);
	if (!ret)
		ret = build_backends(c);
	if (!ret)
		ret = build_lane_ids(c);
	if (!ret)
		ret = build_entries(c);
	if (!ret)
		ret = gl_plan_shadows(c->m, c->p);
	return ret;
}

int gl_plan_compile(const struct gl_model *m, struct gl_plan *p, const struct gl_compile_opts *o,
		    struct gl_diags *d)
{
	struct cc c = { .m = m, .p = p, .d = d };
	struct gl_http_want probe;
	int ret;

	c.label = o && o->label_header ? o->label_header : GL_HTTP_LABEL_HEADER;
	c.alias = o && o->accept_header ? o->accept_header : GL_HTTP_LABEL_ALIAS;
	c.node = o && o->node ? o->node : "";

	memset(p, 0, sizeof(*p));
	if (!m->validated) {
		gl_diag_add(d, GL_SEV_ERROR, "", 0, 0, "internal: compiling rules that were not validated");
		return -EINVAL;
	}
	if (m->nerrors)
		return -EINVAL;		/* already reported: a bad set compiles to nothing */
	if (!*c.label || gl_http_want_init(&probe, c.label, c.alias)) {
		/* graylaned checks its options; this is for any other caller */
		gl_diag_add(d, GL_SEV_ERROR, "", 0, 0, "propagation header names %s and %s: "
			    "each must be a header name of at most %d bytes",
			    gl_q(c.label).s, gl_q(c.alias).s, GL_HTTP_NAME_MAX);
		return -EINVAL;
	}
	ret = build(&c);
	if (ret == -EINVAL)
		gl_diag_add(d, GL_SEV_ERROR, "", 0, 0,
			    "internal: validation let a conflicting rule set through");
	free(c.wl);
	free(c.rank);
	free(c.svc);
	if (ret)
		gl_plan_free(p);
	return ret;
}

void gl_plan_free(struct gl_plan *p)
{
	if (!p)
		return;
	gl_arena_free(&p->strings);
	free(p->lane_ids);
	free(p->shadows);
	free(p->rules);
	free(p->items);
	free(p->wants);
	free(p->lanes);
	free(p->workloads);
	free(p->addrs);
	free(p->backends);
	free(p->endpoints);
	free(p->services);
	memset(p, 0, sizeof(*p));
}
