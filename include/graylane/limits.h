/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Capacities of a rule set that are not map layouts: lengths and counts that
 * validation (user/rules/validate.c, user/load_*.c) enforces so that whatever the
 * kernel side later copies into fixed-size buffers always fits. Map sizes and
 * lane capacities live in abi.h; the per-plan counts below are derived from
 * them, never typed twice.
 *
 * Lengths count bytes without the terminating NUL.
 */
#ifndef GRAYLANE_LIMITS_H
#define GRAYLANE_LIMITS_H

#include <graylane/abi.h>

/* metadata.name: a Kubernetes DNS subdomain (RFC 1123). */
#define GL_NAME_MAX		253

/* Label keys are "[prefix/]name": the prefix a DNS subdomain, the name at most 63. */
#define GL_LABEL_PREFIX_MAX	253
#define GL_LABEL_NAME_MAX	63
#define GL_LABEL_KEY_MAX	(GL_LABEL_PREFIX_MAX + 1 + GL_LABEL_NAME_MAX)
/* Label values (selectors compare them), as in Kubernetes. */
#define GL_LABEL_VALUE_MAX	63

/* A lane name is a DNS label that fits gl_lane.name with its NUL. */
#define GL_LANE_NAME_LEN_MAX	(GL_LANE_NAME_MAX - 1)

/*
 * TrafficLabelRule match items. The kernel compares keys and values in
 * fixed per-CPU buffers while parsing a request head, so both are bounded.
 */
#define GL_MATCH_KEY_MAX	64	/* header, cookie or query parameter name */
#define GL_MATCH_VALUE_MAX	128	/* the whole value, an in/not_in list included */
#define GL_MATCH_ITEMS_MAX	8	/* items of one rule (ANDed) */
#define GL_IN_LIST_MAX		8	/* comma-separated values of one in/not_in item */
#define GL_PERCENT_MAX		100	/* percentage: value is 0..100 */
#define GL_TRAFFIC_RULES_MAX	16384	/* TrafficLabelRules in one set */

/* MySQL identifiers (database and table names) are at most 64 characters. */
#define GL_SQL_NAME_MAX		64

/* Ports of one Service: each multiplies its gl_services entries. */
#define GL_SERVICE_PORTS_MAX	256

/* spec.cgroup: a path below the cgroup2 mount; PATH_MAX with its NUL. */
#define GL_CGROUP_PATH_MAX	4095

/* Per plan, i.e. per slot: every map holds two generations at once. */
#define GL_PLAN_LANES_MAX	(GL_LANES_MAX - 1)		/* named lanes, base excluded */
#define GL_PLAN_WORKLOADS_MAX	(GL_WORKLOADS_MAX / GL_SLOTS - 1)	/* one key is the managed root */
#define GL_PLAN_SERVICES_MAX	(GL_SERVICES_MAX - 1)		/* ids 1..GL_SERVICES_MAX-1 */
#define GL_PLAN_SERVICE_ADDRS_MAX (GL_SERVICE_ADDRS_MAX / GL_SLOTS)
#define GL_PLAN_BACKENDS_MAX	(GL_BACKENDS_MAX / GL_SLOTS)
#define GL_PLAN_RULES_MAX	(GL_RULES_MAX / GL_SLOTS)	/* gl_rules entries */

/* Reading rules: bounds that keep a hostile or broken file from exhausting the daemon. */
#define GL_RULES_FILE_MAX	(16 << 20)	/* bytes per YAML file */
#define GL_YAML_DEPTH_MAX	32		/* nesting of mappings and sequences */

#endif /* GRAYLANE_LIMITS_H */
