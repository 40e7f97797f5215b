/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The compiled plan: exactly the entries each BPF map will hold for one rule
 * set, in a deterministic order. Built without root (graylane compile); the
 * daemon resolves cgroup paths to ids and writes it (user/sync/mapsync.c).
 */
#ifndef GL_PLAN_H
#define GL_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <graylane/abi.h>

#include "common/arena.h"
#include "../../bpf/lib/http.h"	/* struct gl_http_want: the gl_wants value */
#include <graylane/sql_limits.h>	/* struct gl_sql_tables: the gl_shadows value */

struct gl_model;
struct gl_diags;
struct gl_traffic_rule;
struct gl_workload_def;

/*
 * Daemon options the plan depends on: the propagation header names go into
 * every wanted-header table. A NULL pointer or NULL member: the defaults
 * (GL_HTTP_LABEL_HEADER, GL_HTTP_LABEL_ALIAS); an empty accept_header: no
 * alias is accepted.
 */
struct gl_compile_opts {
	const char *label_header;	/* --label-header, default "x-opensergo-traffic" */
	const char *accept_header;	/* --accept-header, default "x-mse-tag" */
	const char *node;		/* seeds the sample of a lane over GL_LANE_ENDPOINTS_MAX
					 * (each node its own); NULL: "" */
};

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

/* gl_services entries (key.slot is 0 in the plan); the service's name is
 * services[val.service_id - 1] */
struct gl_plan_service_addr {
	struct gl_service_key key;
	struct gl_service_addr val;
};

/* gl_backends entries (key.slot is 0 in the plan); the value's count
 * endpoints are at ep (in p->endpoints), the rest of the fixed-size struct
 * gl_backend is zero (gl_plan_backend_val) */
struct gl_plan_backend {
	struct gl_backend_key key;	/* the service's name: services[key.service_id - 1] */
	__u32 count;
	const struct gl_endpoint *ep;
};

/* gl_lane_ids entries: lane name -> id, every named lane (base is not named). */
struct gl_plan_lane_id {
	struct gl_lane_name_key key;	/* name NUL-padded */
	__u16 lane;			/* the value */
};

/*
 * gl_rules entries: the TrafficLabelRules of each entry workload in the
 * order the kernel tries them (priority, then name), index 0..nrules-1.
 * Header items' want_slot is an absolute slot of the workload's gl_wants
 * table (bpf/lib/rules.h); host and cookie items carry their built-in slot,
 * path, method and param items GL_HTTP_SLOT_NONE.
 */
struct gl_plan_rule {
	char *rule;			/* TrafficLabelRule name, for printing */
	const char *workload;		/* = workloads[workload_id - 1].name */
	const char *file;		/* where the rule is written (graylane explain; */
	unsigned line;			/* not printed: the golden plans stay as they are) */
	int priority;
	struct gl_rule_key key;
	/* the value's fields: its nitems items are at item (in p->items), the
	 * rest of the fixed-size struct gl_rule is zero (gl_plan_rule_val) */
	__u16 lane;
	__u8 nitems;
	const struct gl_match_item *item;
};

/*
 * gl_wants entries: the header names a workload's request heads are parsed
 * for: the built-in slots (host, content-length, transfer-encoding,
 * connection, cookie, the propagation header and its alias), then the
 * header names its rules look at, deduplicated and lowercase.
 */
struct gl_plan_want {
	const char *workload;		/* NULL for the default table */
	struct gl_want_key key;
	struct gl_http_want val;
};

/* gl_shadows entries: a lane's shadow tables; lane 0 maps base tables to themselves. */
struct gl_plan_shadow {
	struct gl_shadow_key key;
	struct gl_sql_tables val;
};

struct gl_plan {
	struct gl_plan_lane *lanes;		size_t nlanes;		/* sorted by id */
	struct gl_plan_workload *workloads;	size_t nworkloads;	/* sorted by workload_id */
	struct gl_plan_service_addr *addrs;	size_t naddrs;		/* sorted by key bytes */
	struct gl_plan_backend *backends;	size_t nbackends;	/* sorted by key */
	struct gl_endpoint *endpoints;		size_t nendpoints;	/* the backends' */
	char **services;			size_t nservices;	/* services[id-1] = name */
	struct gl_plan_lane_id *lane_ids;	size_t nlane_ids;	/* sorted by name = by id */
	struct gl_plan_rule *rules;		size_t nrules;		/* by workload_id, then index */
	struct gl_match_item *items;		size_t nitems;		/* the rules' items */
	struct gl_plan_want *wants;		size_t nwants;		/* by workload_id, 0 first */
	struct gl_plan_shadow *shadows;		size_t nshadows;	/* by lane */
	/* the names and cgroups above, packed: one malloc'ed string each cost
	 * a 32-byte chunk for a name of about 10 (3 MB at 100 000 workloads) */
	struct gl_arena strings;
};

/*
 * model -> plan; problems go to diags; returns 0, or -EINVAL if any error.
 * o: NULL for the default options.
 */
int gl_plan_compile(const struct gl_model *m, struct gl_plan *p, const struct gl_compile_opts *o,
		    struct gl_diags *d);

/* gl_shadows from the table WorkloadLabelRules (user/plan/compile_shadows.c). */
int gl_plan_shadows(const struct gl_model *m, struct gl_plan *p);
void gl_plan_free(struct gl_plan *p);
/* A gl_rules entry's value as the map holds it. */
void gl_plan_rule_val(const struct gl_plan_rule *r, struct gl_rule *out);
/* A gl_backends entry's value as the map holds it. */
void gl_plan_backend_val(const struct gl_plan_backend *b, struct gl_backend *out);
/* Text (one line per map entry) or JSON; byte-identical for identical input. */
void gl_plan_print(const struct gl_plan *p, FILE *out, bool json);

#endif
