/* SPDX-License-Identifier: Apache-2.0 */
/*
 * graylane explain: what the data path does with one request, worked out
 * from the pinned maps of the generation in force, with the parser and the
 * rule evaluator the kernel runs (bpf/lib/http.h, bpf/lib/rules.h), in the
 * kernel's order (bpf/lib/recv.bpf.h, connect.bpf.h, send.bpf.h): the
 * receiving workload labels the head (its TrafficLabelRules if an entry, the
 * propagation header otherwise), its call to the service goes to that lane's
 * endpoints or base's, and the request it sends carries the lane's header
 * line. The rules directory gives the names (workloads, rules with
 * file:line, services); the decision itself comes from the maps.
 */
#ifndef GL_EXPLAIN_H
#define GL_EXPLAIN_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <graylane/abi.h>

struct gl_plan;
struct gl_plan_rule;

struct gl_explain_req {
	const char *workload;		/* --from: a workload of the plan */
	uint8_t family;			/* --to: enum gl_family, address, port */
	uint8_t addr[16];
	uint16_t port;
	const uint8_t *head;		/* the request head as the workload reads it */
	size_t len;
};

enum gl_explain_why {
	GL_EXPLAIN_RULE,		/* an entry's TrafficLabelRule matched */
	GL_EXPLAIN_HEADER,		/* the propagation header names a lane */
	GL_EXPLAIN_NO_MATCH,		/* nothing labelled the head: base */
	GL_EXPLAIN_NO_WANT,		/* no wanted-header table for the workload: base */
	GL_EXPLAIN_REFUSED_HEAD,	/* the parser refused the head: base */
};

struct gl_explain {
	/* the generation in force */
	uint64_t generation;
	uint32_t slot, cfg_flags;
	/* the workload */
	uint64_t cgroup_id;
	struct gl_workload wl;
	char wl_lane_name[GL_LANE_NAME_MAX];	/* its workload lane (calls outside a request) */
	int entry, header_trusted;	/* its rules are tried; a header from outside counts */
	/* the head */
	int parse_rc;			/* gl_http_parse_head's result */
	const char *head_error;		/* when parse_rc < 0: e.g. "malformed" */
	const char *head_reason;	/* and why: e.g. "method" */
	unsigned int nlabels;		/* propagation header lines in the head */
	char header_value[GL_LANE_NAME_MAX];	/* the first one's value, when present */
	int header_present, header_known;
	/* the decision */
	enum gl_explain_why why;
	unsigned int rules_tried;
	int rule_index;			/* -1 when no rule matched */
	const struct gl_plan_rule *rule;	/* its name and file:line (NULL: not in DIR) */
	uint16_t lane;
	char lane_name[GL_LANE_NAME_MAX];
	/* the call to --to */
	int is_service;			/* the address is a service's: the connect is steered */
	uint32_t service_id;
	uint16_t target_port;
	int fallback, refused;
	uint16_t ep_lane;		/* whose endpoints: lane, or base on fallback */
	char ep_lane_name[GL_LANE_NAME_MAX];
	struct gl_backend backend;
	/* the request it sends: the line written after the request line (lane),
	 * or none (base: every propagation line removed) */
	char line[GL_LANE_LINE_MAX + 1];
	/* the rules directory against the maps: 0 when they agree */
	int rules_differ;
};

/*
 * Fills ex. Errors (nothing installed, no such workload, the workload not in
 * the maps) return -1 with a one-line reason in err.
 */
int gl_explain_run(const char *pin_root, const struct gl_plan *p, const struct gl_explain_req *rq,
		   struct gl_explain *ex, char *err, size_t errlen);

/* What explain found, for a person or (JSON, one object) a program; rules_dir
 * is named in the warning when its rules differ from the maps'. */
void gl_explain_print_text(const struct gl_plan *p, const struct gl_explain_req *rq,
			   const struct gl_explain *ex, const char *rules_dir, FILE *out);
void gl_explain_print_json(const struct gl_plan *p, const struct gl_explain_req *rq,
			   const struct gl_explain *ex, const char *rules_dir, FILE *out);

#endif
