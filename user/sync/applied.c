// SPDX-License-Identifier: Apache-2.0
/* The names and cgroups graylaned keeps of an applied plan: see applied.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "applied.h"
#include "plan/plan.h"

static void *alloc_array(struct gl_arena *a, size_t n, size_t size)
{
	return gl_arena_alloc(a, (n ? n : 1) * size);
}

static int copy_workloads(struct gl_applied *a, const struct gl_plan *p)
{
	size_t n = 0;

	for (size_t i = 0; i < p->nworkloads; i++)
		n += p->workloads[i].cgroup != NULL;
	a->workload_ids = alloc_array(&a->arena, n, sizeof(*a->workload_ids));
	a->workload_names = alloc_array(&a->arena, n, sizeof(*a->workload_names));
	a->cgroups = alloc_array(&a->arena, n, sizeof(*a->cgroups));
	if (!a->workload_ids || !a->workload_names || !a->cgroups)
		return -ENOMEM;
	for (size_t i = 0; i < p->nworkloads; i++) {
		const struct gl_plan_workload *w = &p->workloads[i];

		if (!w->cgroup)
			continue;
		a->workload_ids[a->ncgroups] = w->val.workload_id;
		a->workload_names[a->ncgroups] = gl_arena_strdup(&a->arena, w->name);
		a->cgroups[a->ncgroups] = gl_arena_strdup(&a->arena, w->cgroup);
		if (!a->workload_names[a->ncgroups] || !a->cgroups[a->ncgroups])
			return -ENOMEM;
		a->ncgroups++;
	}
	a->nworkloads = p->nworkloads;
	return 0;
}

static int copy_services(struct gl_applied *a, const struct gl_plan *p)
{
	a->services = alloc_array(&a->arena, p->nservices, sizeof(*a->services));
	if (!a->services)
		return -ENOMEM;
	for (; a->nservices < p->nservices; a->nservices++) {
		a->services[a->nservices] = gl_arena_strdup(&a->arena, p->services[a->nservices]);
		if (!a->services[a->nservices])
			return -ENOMEM;
	}
	return 0;
}

static int copy_lanes(struct gl_applied *a, const struct gl_plan *p)
{
	a->lanes = alloc_array(&a->arena, p->nlanes, sizeof(*a->lanes));
	a->lane_ids = alloc_array(&a->arena, p->nlanes, sizeof(*a->lane_ids));
	if (!a->lanes || !a->lane_ids)
		return -ENOMEM;
	for (; a->nlanes < p->nlanes; a->nlanes++) {
		const struct gl_plan_lane *l = &p->lanes[a->nlanes];

		a->lanes[a->nlanes] = gl_arena_strndup(&a->arena, l->name, strnlen(l->name,
											 sizeof(l->name)));
		a->lane_ids[a->nlanes] = l->id;
		if (!a->lanes[a->nlanes])
			return -ENOMEM;
	}
	return 0;
}

int gl_applied_init(struct gl_applied *a, const struct gl_plan *p)
{
	int err;

	memset(a, 0, sizeof(*a));
	err = copy_workloads(a, p);
	if (!err)
		err = copy_services(a, p);
	if (!err)
		err = copy_lanes(a, p);
	if (err)
		gl_applied_free(a);
	return err;
}

void gl_applied_free(struct gl_applied *a)
{
	gl_arena_free(&a->arena);
	memset(a, 0, sizeof(*a));
}

static int cmp_id(const void *key, const void *elem)
{
	uint32_t x = *(const uint32_t *)key, y = *(const uint32_t *)elem;

	return (x > y) - (x < y);
}

const char *gl_applied_workload(const struct gl_applied *a, uint32_t id)
{
	const uint32_t *at;

	if (!id || id > a->nworkloads)
		return "(managed root)";
	at = bsearch(&id, a->workload_ids, a->ncgroups, sizeof(*a->workload_ids), cmp_id);
	return at ? a->workload_names[at - a->workload_ids] : "?";
}

const char *gl_applied_lane(const struct gl_applied *a, uint16_t id)
{
	for (size_t i = 0; i < a->nlanes; i++)
		if (a->lane_ids[i] == id)
			return a->lanes[i];
	return "?";
}

const char *gl_applied_service(const struct gl_applied *a, uint32_t id)
{
	return id && id <= a->nservices ? a->services[id - 1] : "?";
}
