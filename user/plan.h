/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The compiled plan: exactly the entries each BPF map will hold for one rule
 * set, in a deterministic order. Built without root (graylane compile); the
 * daemon resolves cgroup paths to ids and writes it (user/mapsync.c).
 */
#ifndef GL_PLAN_H
#define GL_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <graylane/abi.h>

struct gl_model;
struct gl_diags;

/* gl_lanes entries: lane id -> name; id 0 "base" is always present. */
struct gl_plan_lane {
	__u16 id;
	char name[GL_LANE_NAME_MAX];
};

/* gl_workloads entries: one per Workload; cgroup_id is filled by the daemon. */
struct gl_plan_workload {
	char *name;
	char *cgroup;			/* path below the cgroup2 mount, e.g. "/demo/a-gray" */
	struct gl_workload val;		/* workload_id, lane, flags */
};

/* gl_services entries (key.slot is 0 in the plan) */
struct gl_plan_service_addr {
	char *service;			/* service name, for printing */
	struct gl_service_key key;
	struct gl_service_addr val;
};

/* gl_backends entries (key.slot is 0 in the plan) */
struct gl_plan_backend {
	char *service;
	struct gl_backend_key key;
	struct gl_backend val;
};

struct gl_plan {
	struct gl_plan_lane *lanes;		size_t nlanes;		/* sorted by id */
	struct gl_plan_workload *workloads;	size_t nworkloads;	/* sorted by workload_id */
	struct gl_plan_service_addr *addrs;	size_t naddrs;		/* sorted by key bytes */
	struct gl_plan_backend *backends;	size_t nbackends;	/* sorted by key */
	char **services;			size_t nservices;	/* services[id-1] = name */
};

/* model -> plan; problems go to diags; returns 0, or -EINVAL if any error. */
int gl_plan_compile(const struct gl_model *m, struct gl_plan *p, struct gl_diags *d);
void gl_plan_free(struct gl_plan *p);
/* Text (one line per map entry) or JSON; byte-identical for identical input. */
void gl_plan_print(const struct gl_plan *p, FILE *out, bool json);

#endif
