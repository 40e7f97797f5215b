/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What graylaned keeps of the plan it applied: the names its event log
 * prints and the cgroups it watches. The plan itself (every map value, e.g.
 * 1.7 KB per rule) is freed as soon as the maps hold it.
 */
#ifndef GL_APPLIED_H
#define GL_APPLIED_H

#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"

struct gl_plan;

struct gl_applied {
	struct gl_arena arena;		/* owns everything below */
	/* workloads with a cgroup (callers on this node), by workload id */
	uint32_t *workload_ids;
	const char **workload_names;
	const char **cgroups;		/* below the cgroup2 mount */
	size_t ncgroups;
	size_t nworkloads;		/* every workload of the plan, remote ones too */
	const char **services;		/* services[id - 1] */
	size_t nservices;
	const char **lanes;		/* lanes[i] is lane lane_ids[i] */
	uint16_t *lane_ids;
	size_t nlanes;
};

/* Copies what it keeps out of p into a (zeroed or freed); 0 or -ENOMEM. */
int gl_applied_init(struct gl_applied *a, const struct gl_plan *p);
void gl_applied_free(struct gl_applied *a);

/* Names for messages: "(managed root)" for workload 0, "?" when unknown. */
const char *gl_applied_workload(const struct gl_applied *a, uint32_t id);
const char *gl_applied_lane(const struct gl_applied *a, uint16_t id);
const char *gl_applied_service(const struct gl_applied *a, uint32_t id);

#endif
