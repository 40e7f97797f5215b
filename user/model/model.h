/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The rules model: what a directory of YAML rules says, after loading
 * (per-document checks) and validation (checks across the whole set). Every
 * object keeps the file, line and column of its parts so that later stages
 * can still point at the YAML that causes a problem.
 *
 * Lifecycle:
 *	struct gl_model m; struct gl_diags d;
 *	gl_model_init(&m); gl_diags_init(&d);
 *	gl_model_load_dir("rules", &m, &d);	   // every document of every file
 *	gl_model_validate(&m, &d);		   // cross-document checks, lanes
 *	gl_model_drop_labels(&m);		   // optional: compile does not read them
 *	if (!gl_diags_errors(&d)) gl_plan_compile(&m, &plan, NULL, &d);
 *	gl_diags_print(&d, stderr);
 *	gl_model_free(&m); gl_diags_free(&d);
 *
 * Loading never stops at the first problem: a document with errors is kept
 * with what could be read (missing parts are NULL or empty), so the checks
 * across documents still run, and one run reports every problem. Only a
 * file that is not valid YAML is left out entirely.
 */
#ifndef GL_MODEL_H
#define GL_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <graylane/abi.h>
#include <graylane/limits.h>

#include "common/arena.h"

struct gl_diags;

#define GL_API_TRAFFIC	"traffic.opensergo.io/v1alpha1"
#define GL_API_GRAYLANE	"graylane.io/v1alpha1"
/* Workload label naming its lane (OpenSergo's convention). */
#define GL_LANE_LABEL	"traffic.opensergo.io/label"
/* WorkloadLabelRule annotation: the base table when it is not shadow minus "_<lane>". */
#define GL_BASE_TABLE_ANNOTATION "graylane.io/base-table"
#define GL_BASE_LANE_NAME "base"

/* Where something is written: file (owned by the model), 1-based line and column. */
struct gl_pos {
	const char *file;
	unsigned line, col;
};

struct gl_label {
	const char *key, *value;
	struct gl_pos key_pos, value_pos;
};

/* A string map: metadata.labels, metadata.annotations, spec.selector. */
struct gl_labels {
	struct gl_label *v;
	size_t n;
	struct gl_pos pos;	/* the mapping; file NULL when not written */
};

enum gl_kind {
	GL_KIND_TRAFFIC_LABEL_RULE = 0,
	GL_KIND_WORKLOAD_LABEL_RULE,
	GL_KIND_WORKLOAD,
	GL_KIND_SERVICE,
	GL_KIND_MAX,
};

struct gl_meta {
	enum gl_kind kind;
	unsigned index;		/* load order among objects of its kind */
	const char *name;	/* NULL when missing or invalid */
	struct gl_pos name_pos;	/* metadata.name, else where the document starts */
	struct gl_pos pos;	/* the document's root mapping */
	struct gl_labels labels;	/* metadata.labels; annotations: in gl_load, while loading */
};

struct gl_ip {
	__u8 family;		/* enum gl_family */
	__u8 addr[16];		/* network byte order; IPv4 in addr[0..3] */
	struct gl_pos pos;
};

/* One spec.match item of a TrafficLabelRule. */
struct gl_match {
	enum gl_cond cond;
	enum gl_match_type type;
	const char *key;	/* header/param/cookie name; "" for path, method, host */
	const char *value;	/* as written; "" for exists */
	const char **items;	/* in/not_in: the comma-separated values, trimmed */
	size_t nitems;
	unsigned percent;	/* percentage: 0..100 */
	struct gl_pos pos;	/* the item's mapping */
};

struct gl_traffic_rule {
	struct gl_meta meta;
	struct gl_labels selector;	/* entry workloads */
	const char *lane;		/* spec.trafficLabel; NULL when invalid */
	struct gl_pos lane_pos;
	int priority;			/* lower first; ties by name */
	struct gl_match *match;
	size_t nmatch;
	size_t nselected;		/* set by gl_model_validate: workloads it selects */
};

struct gl_workload_rule {
	struct gl_meta meta;
	struct gl_labels selector;
	const char *lane;		/* the one spec.workloadLabels entry */
	struct gl_pos lane_pos;
	/* table rule: the selector has db and table keys */
	bool is_table;
	const char *db, *table;		/* table: the shadow table of lane */
	const char *base_table;		/* table minus "_<lane>", or the annotation */
	struct gl_pos table_pos;
};

struct gl_workload_def {
	struct gl_meta meta;
	const char *cgroup;		/* below the cgroup2 mount, starts with '/' */
	struct gl_pos cgroup_pos;
	struct gl_ip *addrs;
	size_t naddrs;
	const char *label_lane;		/* valid lane of the GL_LANE_LABEL label, or NULL */
	struct gl_pos label_pos;
	const char *env_lane;		/* lane its processes' environment names, or NULL */
	struct gl_pos env_pos;		/* file "/proc/PID/environ", no line */
	/* set by gl_model_validate: */
	const char *lane;		/* "base" or a lane name */
	const struct gl_workload_rule *lane_rule;	/* the rule that set the lane, or NULL */
	/* set by gl_model_validate: the TrafficLabelRules that select it, in
	 * load order (malloc'ed; gl_model_free frees it) */
	const struct gl_traffic_rule **entry_rules;
	unsigned nentry_rules, cap_entry_rules;	/* at most the set's TrafficLabelRules */
	__u16 lane_id;			/* lane's id; last, where it packs */
};

struct gl_port {
	__u16 port, target_port;	/* host byte order */
	struct gl_pos pos, target_pos;	/* target_pos = pos when targetPort defaults */
};

struct gl_service_def {
	struct gl_meta meta;
	struct gl_ip *addrs;		/* virtual addresses; may be none */
	size_t naddrs;
	struct gl_port *ports;
	size_t nports;
	struct gl_labels selector;
	__u8 protocol;			/* enum gl_protocol */
	/* set by gl_model_validate: the workloads it selects (indexes into
	 * m->workloads, increasing) */
	size_t *members;
	size_t nmembers;
};

struct gl_model {
	struct gl_arena arena;		/* owns everything below but the kinds' arrays */
	struct gl_arena label_arena;	/* the objects' metadata.labels arrays */
	struct gl_traffic_rule **traffic_rules;	size_t ntraffic_rules;
	struct gl_workload_rule **workload_rules; size_t nworkload_rules;
	struct gl_workload_def **workloads;		size_t nworkloads;
	struct gl_service_def **services;		size_t nservices;
	/* set by gl_model_validate: lanes[id] is the name of lane id, lanes[0] = "base" */
	const char **lanes;		size_t nlanes;
	size_t nerrors;			/* errors found in this model by load and validate */
	bool validated;
	/* capacities of the arrays above */
	size_t cap_traffic_rules, cap_workload_rules, cap_workloads, cap_services;
};

void gl_model_init(struct gl_model *m);
void gl_model_free(struct gl_model *m);

/* Appends obj (a struct starting with struct gl_meta) to its kind's array;
 * 0 or -ENOMEM. */
int gl_model_add(struct gl_model *m, struct gl_meta *obj);
/*
 * Frees every object's metadata.labels (left empty): only loading and
 * validation (lanes, selectors, service members) read them, and compile
 * runs with less memory without them (5 MB at 100 000 Workloads).
 */
void gl_model_drop_labels(struct gl_model *m);

/* Every selector key present in labels with an equal value (and at least one key). */
bool gl_selector_matches(const struct gl_labels *selector, const struct gl_labels *labels);
const char *gl_label_get(const struct gl_labels *labels, const char *key);

/*
 * The TrafficLabelRules whose selector matches w, in the order they are
 * tried: priority (lower first), then name. Fills out (m->ntraffic_rules
 * entries of room) and returns how many. Shared by validation and compile.
 */
size_t gl_entry_rules(const struct gl_model *m, const struct gl_workload_def *w,
		      const struct gl_traffic_rule **out);
/* Fills every service's members (user/model/members.c); 0 or -ENOMEM. */
int gl_model_members(struct gl_model *m);
/* (address, port) keys of the services and their members, duplicates
 * included: what validation claims and compile pushes (user/model/members.c). */
size_t gl_model_service_keys(const struct gl_model *m);
/* A lane name as rules may write it: a DNS label, not "base", fits the maps. */
bool gl_lane_name_ok(const char *lane);
const char *gl_kind_name(enum gl_kind k);
const char *gl_cond_name(enum gl_cond c);
const char *gl_match_type_name(enum gl_match_type t);
const char *gl_protocol_name(unsigned protocol);
/* "10.77.0.12" or "fd77::12" */
void gl_ip_format(__u8 family, const __u8 addr[16], char *buf, size_t size);

#endif
