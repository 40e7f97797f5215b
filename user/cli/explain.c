// SPDX-License-Identifier: Apache-2.0
/*
 * graylane explain's evaluation (explain.h): the pinned maps of the active
 * slot read in the order the kernel reads them, the head parsed and the
 * rules evaluated by the kernel's own header-only code.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "explain.h"
#include "common/cgroup.h"
#include "plan/plan.h"
#include "sync/pins.h"
#include "sync/stats.h"
#include "../../bpf/lib/rules.h"

/* the pinned maps explain reads */
struct ex_maps {
	int config, workloads, wants, rules, lane_ids, lanes, services, backends;
};

static const char *const ex_map_names[] = {
	"gl_config", "gl_workloads", "gl_wants", "gl_rules", "gl_lane_ids", "gl_lanes",
	"gl_services", "gl_backends",
};

static int maps_open(const char *root, struct ex_maps *m, char *err, size_t errlen)
{
	int *fd = &m->config;

	for (size_t i = 0; i < sizeof(ex_map_names) / sizeof(ex_map_names[0]); i++) {
		fd[i] = gl_pins_map_fd(root, ex_map_names[i]);
		if (fd[i] < 0) {
			snprintf(err, errlen, "cannot open %s/%s: %s (is graylaned installed there?)",
				 root, ex_map_names[i], strerror(-fd[i]));
			for (size_t k = 0; k < i; k++)
				close(fd[k]);
			return -1;
		}
	}
	return 0;
}

static void maps_close(struct ex_maps *m)
{
	int *fd = &m->config;

	for (size_t i = 0; i < sizeof(ex_map_names) / sizeof(ex_map_names[0]); i++)
		close(fd[i]);
}

/* The workload of the plan by name, and its entry in the maps by cgroup id
 * (the cgroup the kernel looks up first, bpf/lib/caller.bpf.h). */
static int find_workload(const struct ex_maps *m, const struct gl_plan *p, const char *name,
			 struct gl_explain *ex, char *err, size_t errlen)
{
	const struct gl_plan_workload *w = NULL;
	struct gl_workload_key k = { .slot = (uint8_t)ex->slot };
	char mount[4096], path[4096];

	for (size_t i = 0; i < p->nworkloads && !w; i++)
		if (!strcmp(p->workloads[i].name, name))
			w = &p->workloads[i];
	if (!w) {
		snprintf(err, errlen, "no workload '%s' in the rules directory", name);
		return -1;
	}
	if (!w->cgroup) {
		snprintf(err, errlen, "workload '%s' has no cgroup (spec.cgroup): it runs on no "
			 "node's agent, a remote endpoint only", name);
		return -1;
	}
	if (gl_cgroup2_mount(mount, sizeof(mount)) || gl_cgroup_join(mount, w->cgroup, path,
								     sizeof(path)) ||
	    gl_cgroup_id(path, &ex->cgroup_id)) {
		snprintf(err, errlen, "workload '%s': cgroup %s does not exist on this node", name,
			 w->cgroup);
		return -1;
	}
	k.cgroup_id = ex->cgroup_id;
	if (bpf_map_lookup_elem(m->workloads, &k, &ex->wl)) {
		snprintf(err, errlen, "workload '%s' (cgroup %s, id %llu) is not in the maps of "
			 "generation %llu: the daemon has not applied these rules", name,
			 w->cgroup, (unsigned long long)ex->cgroup_id,
			 (unsigned long long)ex->generation);
		return -1;
	}
	return 0;
}

/* The plan's rule at (workload, index), when DIR has one: its name and file:line. */
static const struct gl_plan_rule *plan_rule(const struct gl_plan *p, uint32_t wid, unsigned int i)
{
	for (size_t k = 0; k < p->nrules; k++)
		if (p->rules[k].key.workload_id == wid && p->rules[k].key.index == i)
			return &p->rules[k];
	return NULL;
}

/* gl_label_by_header (bpf/lib/label.bpf.h): the propagation header's lane. */
static int label_by_header(const struct ex_maps *m, const uint8_t *buf,
			   const struct gl_http_head *h, struct gl_explain *ex)
{
	const struct gl_http_field *f = &h->field[GL_HTTP_SLOT_LABEL];
	struct gl_lane_name_key k = { .slot = (uint8_t)ex->slot };
	uint16_t lane;

	if (!f->count)
		f = &h->field[GL_HTTP_SLOT_LABEL_ALIAS];
	ex->header_present = f->count != 0;
	if (!ex->header_present)
		return -1;
	snprintf(ex->header_value, sizeof(ex->header_value), "%.*s",
		 f->value.len < GL_LANE_NAME_MAX ? (int)f->value.len : GL_LANE_NAME_MAX - 1,
		 (const char *)buf + f->value.off);
	if (f->value.len == 0 || f->value.len >= GL_LANE_NAME_MAX)
		return -1;
	memcpy(k.name, buf + f->value.off, f->value.len);
	if (bpf_map_lookup_elem(m->lane_ids, &k, &lane))
		return -1;
	ex->header_known = 1;
	return lane;
}

/* gl_label_by_rules: the first of the entry's rules, in order, that matches. */
static int label_by_rules(const struct ex_maps *m, const struct gl_plan *p, const uint8_t *buf,
			  const struct gl_http_head *h, struct gl_explain *ex)
{
	unsigned int n = ex->wl.nrules > GL_ENTRY_RULES_MAX ? GL_ENTRY_RULES_MAX : ex->wl.nrules;

	for (unsigned int i = 0; i < n; i++) {
		struct gl_rule_key k = { .slot = (uint8_t)ex->slot, .index = (uint16_t)i,
					 .workload_id = ex->wl.workload_id };
		const struct gl_plan_rule *pr = plan_rule(p, ex->wl.workload_id, i);
		struct gl_rule r, want;

		if (bpf_map_lookup_elem(m->rules, &k, &r))
			break;	/* as the kernel: a generation switch under us, base */
		ex->rules_tried++;
		if (pr)
			gl_plan_rule_val(pr, &want);
		if (!pr || memcmp(&r, &want, sizeof(r)))
			ex->rules_differ = 1;
		if (gl_rule_match(buf, h, &r) == 1) {
			ex->rule_index = (int)i;
			ex->rule = pr;
			return r.lane;
		}
	}
	return -1;
}

/* The receive path's decision for the head (bpf/lib/recv.bpf.h, gl_read_exit). */
static void decide(const struct ex_maps *m, const struct gl_plan *p,
		   const struct gl_explain_req *rq, struct gl_explain *ex)
{
	static uint8_t buf[GL_HTTP_BUF_SIZE];	/* the parse buffer, as in the kernel */
	static struct gl_http_head h;
	struct gl_want_key wk = { .slot = (uint8_t)ex->slot,
				  .workload_id = ex->entry ? ex->wl.workload_id : 0 };
	struct gl_http_want want;
	size_t len = rq->len < sizeof(buf) ? rq->len : sizeof(buf);
	int lane = -1;

	ex->lane = GL_LANE_BASE;
	ex->rule_index = -1;
	if (bpf_map_lookup_elem(m->wants, &wk, &want)) {
		ex->why = GL_EXPLAIN_NO_WANT;
		return;
	}
	memset(buf, 0, sizeof(buf));
	memcpy(buf, rq->head, len);
	memset(&h, 0, sizeof(h));
	ex->parse_rc = gl_http_parse_head(buf, 0, (__u32)len, &want, &h);
	if (ex->parse_rc < 0) {
		ex->why = GL_EXPLAIN_REFUSED_HEAD;
		ex->head_error = gl_http_err_name(ex->parse_rc);
		ex->head_reason = gl_http_reason_name(h.reason);
		return;
	}
	ex->nlabels = h.nlabels;
	if (ex->header_trusted)
		lane = label_by_header(m, buf, &h, ex);
	else
		(void)label_by_header(m, buf, &h, ex);	/* shown, not used */
	ex->why = GL_EXPLAIN_HEADER;
	if (lane < 0 && ex->entry) {
		lane = label_by_rules(m, p, buf, &h, ex);
		ex->why = GL_EXPLAIN_RULE;
	}
	if (lane < 0)
		ex->why = GL_EXPLAIN_NO_MATCH;
	else
		ex->lane = (uint16_t)lane;
}

/* The connect (bpf/lib/connect.bpf.h): the service at --to, its endpoints. */
static void steer(const struct ex_maps *m, const struct gl_explain_req *rq, struct gl_explain *ex)
{
	struct gl_service_key sk = { .slot = (uint8_t)ex->slot, .family = rq->family,
				     .port = rq->port };
	struct gl_backend_key bk = { .slot = (uint8_t)ex->slot, .family = rq->family,
				     .lane = ex->lane };
	struct gl_service_addr sv;

	memcpy(sk.addr, rq->addr, sizeof(sk.addr));
	if (bpf_map_lookup_elem(m->services, &sk, &sv))
		return;		/* not a service: the connect goes where it was dialed */
	ex->is_service = 1;
	ex->service_id = sv.service_id;
	ex->target_port = sv.target_port;
	bk.service_id = sv.service_id;
	ex->ep_lane = ex->lane;
	if (bpf_map_lookup_elem(m->backends, &bk, &ex->backend)) {
		if (ex->lane == GL_LANE_BASE) {
			ex->refused = 1;	/* base callers never reach a lane */
		} else {
			ex->fallback = 1;	/* the lane has no endpoints: base's */
			ex->ep_lane = bk.lane = GL_LANE_BASE;
			ex->refused = bpf_map_lookup_elem(m->backends, &bk, &ex->backend) != 0;
		}
	}
	if (!ex->refused && (ex->backend.count == 0 || ex->backend.count > GL_LANE_ENDPOINTS_MAX))
		ex->refused = 1;	/* GL_STAT_CONNECT_BAD_BACKEND */
	gl_lane_name(m->lanes, ex->slot, ex->ep_lane, ex->ep_lane_name);
}

/* The send path (bpf/lib/send.bpf.h, gl_msg_edit): the lane's line, or none. */
static void header_line(const struct ex_maps *m, struct gl_explain *ex)
{
	struct gl_lane_key k = { .slot = (uint8_t)ex->slot, .lane = ex->lane };
	struct gl_lane v;
	uint32_t n;

	if (ex->lane == GL_LANE_BASE || bpf_map_lookup_elem(m->lanes, &k, &v))
		return;
	n = v.line_len < GL_LANE_LINE_MAX ? v.line_len : GL_LANE_LINE_MAX;
	memcpy(ex->line, v.line, n);
	while (n && (ex->line[n - 1] == '\n' || ex->line[n - 1] == '\r'))
		n--;
	ex->line[n] = 0;
}

int gl_explain_run(const char *pin_root, const struct gl_plan *p, const struct gl_explain_req *rq,
		   struct gl_explain *ex, char *err, size_t errlen)
{
	struct gl_config cfg;
	struct ex_maps m;
	uint32_t zero = 0;
	int rc = -1;

	memset(ex, 0, sizeof(*ex));
	if (maps_open(pin_root, &m, err, errlen))
		return -1;
	if (bpf_map_lookup_elem(m.config, &zero, &cfg) || cfg.generation == 0) {
		snprintf(err, errlen, "no plan applied under %s yet", pin_root);
		goto out;
	}
	ex->generation = cfg.generation;
	ex->slot = cfg.active_slot & 1;
	ex->cfg_flags = cfg.flags;
	if (find_workload(&m, p, rq->workload, ex, err, errlen))
		goto out;
	ex->entry = !!(ex->wl.flags & GL_WL_ENTRY);
	ex->header_trusted = !ex->entry || (cfg.flags & GL_CFG_TRUST_INCOMING);
	decide(&m, p, rq, ex);
	gl_lane_name(m.lanes, ex->slot, ex->lane, ex->lane_name);
	gl_lane_name(m.lanes, ex->slot, ex->wl.lane, ex->wl_lane_name);
	steer(&m, rq, ex);
	header_line(&m, ex);
	rc = 0;
out:
	maps_close(&m);
	return rc;
}
