// SPDX-License-Identifier: Apache-2.0
/*
 * Which workloads each Service selects, and which TrafficLabelRules select
 * each workload, computed once per model. Matching
 * every selector against every workload is services x workloads label
 * compares (150 million at 10 000 services and 15 000 workloads: seconds);
 * an index from "key=value" to the workloads carrying it lets each selector
 * test only the workloads of its rarest label.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/fnv.h"
#include "model.h"

struct posting {
	const char *key, *value;
	uint64_t hash;
	size_t *w;			/* workload indexes, increasing */
	size_t n, cap;
};

/* Postings in an array, found through a table of their indexes: the table
 * has two slots per label, most of them empty, at 4 bytes each. */
struct index {
	struct posting *v;
	size_t n, cap_v;
	uint32_t *slots;		/* 1 + index into v; 0: empty */
	size_t cap;			/* a power of two */
};

static uint64_t hash_kv(const char *k, const char *v)
{
	return gl_fnv64_str(gl_fnv64(gl_fnv64_str(GL_FNV64_INIT, k), "=", 1), v);
}

/* The slot of (key, value): its posting's, or the empty slot it would take. */
static uint32_t *slot(const struct index *ix, const char *k, const char *v, uint64_t h)
{
	size_t i = h & (ix->cap - 1);

	for (; ix->slots[i]; i = (i + 1) & (ix->cap - 1)) {
		const struct posting *p = &ix->v[ix->slots[i] - 1];

		if (p->hash == h && !strcmp(p->key, k) && !strcmp(p->value, v))
			break;
	}
	return &ix->slots[i];
}

/* The posting of (key, value), or NULL. */
static const struct posting *find(const struct index *ix, const char *k, const char *v)
{
	uint32_t s = *slot(ix, k, v, hash_kv(k, v));

	return s ? &ix->v[s - 1] : NULL;
}

static int add(struct index *ix, const char *k, const char *v, size_t w)
{
	uint64_t h = hash_kv(k, v);
	uint32_t *s = slot(ix, k, v, h);
	struct posting *p;

	if (!*s) {
		if (ix->n == ix->cap_v) {
			size_t cap = ix->cap_v ? ix->cap_v * 2 : 64;
			struct posting *x = realloc(ix->v, cap * sizeof(*x));

			if (!x)
				return -ENOMEM;
			ix->v = x;
			ix->cap_v = cap;
		}
		ix->v[ix->n] = (struct posting){ .key = k, .value = v, .hash = h };
		*s = ++ix->n;
	}
	p = &ix->v[*s - 1];
	if (p->n && p->w[p->n - 1] == w)
		return 0;	/* a label given twice */
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 4;
		size_t *x = realloc(p->w, cap * sizeof(*x));

		if (!x)
			return -ENOMEM;
		p->w = x;
		p->cap = cap;
	}
	p->w[p->n++] = w;
	return 0;
}

static void index_free(struct index *ix)
{
	for (size_t i = 0; i < ix->n; i++)
		free(ix->v[i].w);
	free(ix->v);
	free(ix->slots);
}

static int build_index(const struct gl_model *m, struct index *ix)
{
	size_t labels = 0;

	for (size_t i = 0; i < m->nworkloads; i++)
		labels += m->workloads[i]->meta.labels.n;
	if (labels >= UINT32_MAX / 2)
		return -ENOMEM;
	for (ix->cap = 16; ix->cap < 2 * labels + 1; ix->cap *= 2)
		;
	ix->slots = calloc(ix->cap, sizeof(*ix->slots));
	if (!ix->slots)
		return -ENOMEM;
	for (size_t i = 0; i < m->nworkloads; i++) {
		const struct gl_labels *l = &m->workloads[i]->meta.labels;

		for (size_t j = 0; j < l->n; j++)
			if (add(ix, l->v[j].key, l->v[j].value, i))
				return -ENOMEM;
	}
	return 0;
}

/* The posting of a selector's rarest label; NULL when it selects nothing. */
static const struct posting *rarest(const struct index *ix, const struct gl_labels *sel)
{
	const struct posting *best = NULL;

	if (!sel->n)
		return NULL;	/* an empty selector selects nothing */
	for (size_t j = 0; j < sel->n; j++) {
		const struct posting *p = find(ix, sel->v[j].key, sel->v[j].value);

		if (!p)
			return NULL;	/* no workload has this label */
		if (!best || p->n < best->n)
			best = p;
	}
	return best;
}

/* A Service: the workloads of its rarest label that match its selector whole. */
static int select_service(struct gl_model *m, const struct index *ix, struct gl_service_def *s)
{
	const struct posting *best = rarest(ix, &s->selector);

	s->members = NULL;
	s->nmembers = 0;
	if (!best)
		return 0;
	s->members = gl_arena_alloc(&m->arena, best->n * sizeof(*s->members));
	if (!s->members)
		return -ENOMEM;
	for (size_t q = 0; q < best->n; q++)
		if (gl_selector_matches(&s->selector, &m->workloads[best->w[q]]->meta.labels))
			s->members[s->nmembers++] = best->w[q];
	return 0;
}

/* A TrafficLabelRule: added to the entry_rules of every workload it selects. */
static int select_rule(const struct gl_model *m, const struct index *ix,
		       struct gl_traffic_rule *r)
{
	const struct posting *best = rarest(ix, &r->selector);

	r->nselected = 0;
	for (size_t q = 0; best && q < best->n; q++) {
		struct gl_workload_def *w = m->workloads[best->w[q]];

		if (!gl_selector_matches(&r->selector, &w->meta.labels))
			continue;
		if (w->nentry_rules == w->cap_entry_rules) {
			unsigned cap = w->cap_entry_rules ? w->cap_entry_rules * 2 : 4;
			const struct gl_traffic_rule **x =
				realloc(w->entry_rules, cap * sizeof(*x));

			if (!x)
				return -ENOMEM;
			w->entry_rules = x;
			w->cap_entry_rules = cap;
		}
		w->entry_rules[w->nentry_rules++] = r;
		r->nselected++;
	}
	return 0;
}

int gl_model_members(struct gl_model *m)
{
	struct index ix = { 0 };
	int err = build_index(m, &ix);

	for (size_t i = 0; !err && i < m->nservices; i++)
		err = select_service(m, &ix, m->services[i]);
	for (size_t i = 0; !err && i < m->ntraffic_rules; i++)
		err = select_rule(m, &ix, m->traffic_rules[i]);
	index_free(&ix);
	return err;
}

size_t gl_model_service_keys(const struct gl_model *m)
{
	size_t n = 0;

	for (size_t i = 0; i < m->nservices; i++) {
		const struct gl_service_def *s = m->services[i];

		n += s->naddrs * s->nports;
		for (size_t q = 0; q < s->nmembers; q++)
			n += m->workloads[s->members[q]]->naddrs * s->nports;
	}
	return n;
}

static int cmp_entry_rule(const void *a, const void *b)
{
	const struct gl_traffic_rule *x = *(const struct gl_traffic_rule *const *)a;
	const struct gl_traffic_rule *y = *(const struct gl_traffic_rule *const *)b;
	const char *xn = x->meta.name ? x->meta.name : "";
	const char *yn = y->meta.name ? y->meta.name : "";
	int c;

	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	c = strcmp(xn, yn);
	if (c)
		return c;
	/* names are unique in a valid set; load order keeps an invalid one stable */
	return x->meta.index < y->meta.index ? -1 : x->meta.index > y->meta.index;
}

size_t gl_entry_rules(const struct gl_model *m, const struct gl_workload_def *w,
		      const struct gl_traffic_rule **out)
{
	size_t n = w->nentry_rules;

	(void)m;	/* gl_model_members found them */
	if (n)
		memcpy(out, w->entry_rules, n * sizeof(*out));
	if (n > 1)
		qsort(out, n, sizeof(*out), cmp_entry_rule);
	return n;
}
