// SPDX-License-Identifier: Apache-2.0
/* Inventory kinds (graylane.io/v1alpha1): Workload and Service. */
#include <errno.h>
#include <string.h>

#include "load.h"
#include "common/quote.h"

static const char *const workload_fields[] = { "cgroup", "addresses", NULL };
static const char *const service_fields[] = { "addresses", "ports", "selector", "protocol", NULL };
static const char *const port_fields[] = { "port", "targetPort", "name", NULL };

/* Printable, no spaces: the plan prints one entry per line. */
static bool cgroup_chars(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

/* One spelling per cgroup, so two workloads cannot name one cgroup two ways. */
static bool cgroup_normalized(const char *s)
{
	size_t len = strlen(s);

	if (len < 2 || s[len - 1] == '/' || strstr(s, "//"))
		return false;
	return !strstr(s, "/./") && !strstr(s, "/../") &&
	       strcmp(s + len - 2, "/.") && (len < 3 || strcmp(s + len - 3, "/.."));
}

static void read_cgroup(struct gl_load *l, const struct gl_ynode *spec, struct gl_workload_def *w)
{
	const struct gl_ynode *n;
	/* optional: a workload without one runs on another node (an endpoint) */
	const char *cg = gl_get_str(l, spec, "spec", "cgroup", false, &n);
	size_t len;

	if (!cg)
		return;
	len = strlen(cg);
	if (cg[0] != '/')
		gl_lerr(l, n, "field 'spec.cgroup' is '%s'; it must be an absolute path below "
			"the cgroup2 mount, e.g. /demo/a-gray", gl_q(cg).s);
	else if (len > GL_CGROUP_PATH_MAX)
		gl_lerr(l, n, "field 'spec.cgroup' is %zu bytes long; at most %d", len,
			GL_CGROUP_PATH_MAX);
	else if (!cgroup_chars(cg))
		gl_lerr(l, n, "field 'spec.cgroup' is '%s'; spaces and control characters are "
			"not supported in cgroup paths", gl_q(cg).s);
	else if (!cgroup_normalized(cg))
		gl_lerr(l, n, "field 'spec.cgroup' is '%s'; write a normalized path below the "
			"root: no empty, '.' or '..' parts and no trailing '/'", gl_q(cg).s);
	else {
		w->cgroup = cg;
		w->cgroup_pos = gl_pos_of(l, n);
	}
}

/* The traffic.opensergo.io/label label; empty means no lane. */
static void read_lane_label(struct gl_load *l, struct gl_workload_def *w)
{
	for (size_t i = 0; i < w->meta.labels.n; i++) {
		const struct gl_label *lb = &w->meta.labels.v[i];

		if (strcmp(lb->key, GL_LANE_LABEL) || !*lb->value)
			continue;
		w->label_pos = lb->value_pos;
		if (gl_check_lane_name(l, lb->value_pos, "label '" GL_LANE_LABEL "'", lb->value))
			w->label_lane = lb->value;
		return;
	}
}

void gl_load_workload(struct gl_load *l, const struct gl_ynode *spec, struct gl_meta *meta)
{
	struct gl_workload_def *w = gl_lalloc(l, sizeof(*w));

	if (!w)
		return;
	w->meta = *meta;
	read_lane_label(l, w);
	if (spec) {
		gl_check_fields(l, spec, "spec", workload_fields);
		read_cgroup(l, spec, w);
		gl_get_ips(l, spec, "spec", "addresses", false, &w->addrs, &w->naddrs);
	}
	if (gl_model_add(l->m, &w->meta))
		l->err = -ENOMEM;
}

static bool read_port_num(struct gl_load *l, const struct gl_ynode *n, const char *path,
			  __u16 *out)
{
	long long v;

	if (!gl_node_int(l, n, path, &v))
		return false;
	if (v < 1 || v > 65535) {
		gl_lerr(l, n, "field '%s' must be a port number 1..65535, got %lld", path, v);
		return false;
	}
	*out = v;
	return true;
}

static bool read_port(struct gl_load *l, const struct gl_ynode *item, const char *path,
		      struct gl_port *p)
{
	const struct gl_ynode *pn, *tn;
	bool ok;

	if (item->type != GL_Y_MAP) {
		gl_lerr(l, item, "field '%s' must be a mapping with port and targetPort, got %s",
			path, gl_ytype_name(item));
		return false;
	}
	gl_check_fields(l, item, path, port_fields);
	pn = gl_get_node(l, item, path, "port", true);
	tn = gl_get_node(l, item, path, "targetPort", false);
	ok = pn && read_port_num(l, pn, gl_path_join(path, "port").s, &p->port);
	if (tn && !gl_yis_null(tn)) {
		ok = read_port_num(l, tn, gl_path_join(path, "targetPort").s, &p->target_port) && ok;
		p->target_pos = gl_pos_of(l, tn);
	} else {
		p->target_port = p->port;
		p->target_pos = gl_pos_of(l, pn ? pn : item);
	}
	p->pos = gl_pos_of(l, pn ? pn : item);
	return ok;
}

static const struct gl_port *find_port(const struct gl_service_def *s, __u16 port)
{
	for (size_t i = 0; i < s->nports; i++)
		if (s->ports[i].port == port)
			return &s->ports[i];
	return NULL;
}

static void read_ports(struct gl_load *l, const struct gl_ynode *spec, struct gl_service_def *s)
{
	const struct gl_ynode *seq = gl_get_seq(l, spec, "spec", "ports", true);

	if (!seq)
		return;
	if (!seq->nkids) {
		gl_lerr(l, seq, "'spec.ports' is empty; a service needs at least one port");
		return;
	}
	if (seq->nkids > GL_SERVICE_PORTS_MAX) {
		gl_lerr(l, seq->kids[GL_SERVICE_PORTS_MAX], "'spec.ports' has %zu ports; at most %d",
			seq->nkids, GL_SERVICE_PORTS_MAX);
		return;
	}
	s->ports = gl_lalloc(l, seq->nkids * sizeof(*s->ports));
	if (!s->ports)
		return;
	for (size_t i = 0; i < seq->nkids; i++) {
		struct gl_port *p = &s->ports[s->nports];
		const struct gl_port *dup;

		if (!read_port(l, seq->kids[i], gl_path_index("spec.ports", i).s, p))
			continue;
		dup = find_port(s, p->port);
		if (dup) {
			gl_perr(l, p->pos, "port %u is listed twice in 'spec.ports'; the first is "
				"at line %u column %u", p->port, dup->pos.line, dup->pos.col);
			continue;
		}
		s->nports++;
	}
}

static void read_protocol(struct gl_load *l, const struct gl_ynode *spec, struct gl_service_def *s)
{
	const struct gl_ynode *n;
	const char *p = gl_peek_str(l, spec, "spec", "protocol", false, &n);

	s->protocol = GL_PROTO_HTTP;
	if (!p)
		return;
	for (unsigned i = 0; i < GL_PROTO_MAX; i++) {
		if (!strcmp(p, gl_protocol_name(i))) {
			s->protocol = i;
			return;
		}
	}
	gl_lerr(l, n, "field 'spec.protocol' is '%s'; expected http, mysql or tcp", gl_q(p).s);
}

void gl_load_service(struct gl_load *l, const struct gl_ynode *spec, struct gl_meta *meta)
{
	struct gl_service_def *s = gl_lalloc(l, sizeof(*s));

	if (!s)
		return;
	s->meta = *meta;
	s->protocol = GL_PROTO_HTTP;
	if (spec) {
		gl_check_fields(l, spec, "spec", service_fields);
		gl_get_ips(l, spec, "spec", "addresses", false, &s->addrs, &s->naddrs);
		read_ports(l, spec, s);
		gl_get_labels(l, spec, "spec", "selector", true, GL_LABELS_SELECTOR, &s->selector);
		read_protocol(l, spec, s);
	}
	if (gl_model_add(l->m, &s->meta))
		l->err = -ENOMEM;
}
