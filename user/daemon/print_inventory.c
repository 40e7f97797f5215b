// SPDX-License-Identifier: Apache-2.0
/*
 * graylaned --print-inventory: the daemon's Kubernetes inventory without
 * the data path. After the first full list and after every (debounced)
 * change it builds the model the daemon would apply (rules directory plus
 * the API's objects, validated) and prints it as one JSON line on stdout:
 * the workloads with their lanes, cgroups and addresses, the services with
 * their addresses, ports and members, the rules. A set with an error is
 * printed as rejected only ("ok": false), as the daemon keeps its rules.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>

#include "k8s_daemon.h"
#include "log.h"
#include "common/cgroup.h"
#include "common/clock.h"
#include "common/diag.h"
#include "model/model.h"
#include "rules/rules.h"

static json_object *ips_json(const struct gl_ip *v, size_t n)
{
	json_object *a = json_object_new_array();
	char buf[64];

	for (size_t i = 0; i < n; i++) {
		gl_ip_format(v[i].family, v[i].addr, buf, sizeof(buf));
		json_object_array_add(a, json_object_new_string(buf));
	}
	return a;
}

static json_object *workloads_json(const struct gl_model *m)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < m->nworkloads; i++) {
		const struct gl_workload_def *w = m->workloads[i];
		json_object *o = json_object_new_object();

		json_object_object_add(o, "name", json_object_new_string(w->meta.name ? w->meta.name : ""));
		json_object_object_add(o, "lane", json_object_new_string(w->lane ? w->lane : ""));
		json_object_object_add(o, "cgroup", w->cgroup ? json_object_new_string(w->cgroup) : NULL);
		json_object_object_add(o, "addresses", ips_json(w->addrs, w->naddrs));
		json_object_array_add(a, o);
	}
	return a;
}

static json_object *services_json(const struct gl_model *m)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < m->nservices; i++) {
		const struct gl_service_def *s = m->services[i];
		json_object *o = json_object_new_object(), *ports = json_object_new_array();
		json_object *mem = json_object_new_array();

		for (size_t j = 0; j < s->nports; j++) {
			json_object *p = json_object_new_array();

			json_object_array_add(p, json_object_new_int(s->ports[j].port));
			json_object_array_add(p, json_object_new_int(s->ports[j].target_port));
			json_object_array_add(ports, p);
		}
		for (size_t j = 0; j < s->nmembers; j++)
			json_object_array_add(mem, json_object_new_string(
				m->workloads[s->members[j]]->meta.name));
		json_object_object_add(o, "name", json_object_new_string(s->meta.name ? s->meta.name : ""));
		json_object_object_add(o, "addresses", ips_json(s->addrs, s->naddrs));
		json_object_object_add(o, "ports", ports);
		json_object_object_add(o, "protocol", json_object_new_string(gl_protocol_name(s->protocol)));
		json_object_object_add(o, "members", mem);
		json_object_array_add(a, o);
	}
	return a;
}

static json_object *rules_json(const struct gl_model *m)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < m->ntraffic_rules; i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "kind", json_object_new_string("TrafficLabelRule"));
		json_object_object_add(o, "name", json_object_new_string(m->traffic_rules[i]->meta.name));
		json_object_object_add(o, "lane", json_object_new_string(m->traffic_rules[i]->lane));
		json_object_object_add(o, "selected", json_object_new_int(m->traffic_rules[i]->nselected));
		json_object_array_add(a, o);
	}
	for (size_t i = 0; i < m->nworkload_rules; i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "kind", json_object_new_string("WorkloadLabelRule"));
		json_object_object_add(o, "name", json_object_new_string(m->workload_rules[i]->meta.name));
		json_object_object_add(o, "lane", json_object_new_string(m->workload_rules[i]->lane));
		json_object_array_add(a, o);
	}
	return a;
}

struct printer {
	const struct gl_options *o;
	struct gl_k8s *k;
	char cg2mount[4096];
	unsigned generation;
};

/* The model of now, printed; the numbers of the build in the line. */
static void print_model(struct printer *pr, double since)
{
	struct gl_model m;
	struct gl_diags d;
	json_object *out = json_object_new_object(), *cached = json_object_new_object();
	double t0 = gl_now_ms(), t1;
	size_t counts[GL_K8S_RES_MAX];
	int err = 0;

	gl_model_init(&m);
	gl_diags_init(&d);
	if (pr->o->rules)
		err = gl_model_load_dir(pr->o->rules, &m, &d);
	if (err != -ENOMEM && gl_k8s_load(pr->k, pr->cg2mount[0] ? pr->cg2mount : NULL, &m, &d) == -ENOMEM)
		err = -ENOMEM;
	t1 = gl_now_ms();
	if (err != -ENOMEM)
		err = gl_model_validate(&m, &d) ? -EINVAL : err;
	gl_log_diags(&d);
	gl_k8s_counts(pr->k, counts);
	json_object_object_add(out, "generation", json_object_new_int(++pr->generation));
	json_object_object_add(out, "ok", json_object_new_boolean(!err && !gl_diags_errors(&d)));
	json_object_object_add(out, "errors", json_object_new_int(gl_diags_errors(&d)));
	json_object_object_add(out, "build_ms", json_object_new_double(gl_now_ms() - t0));
	json_object_object_add(out, "load_ms", json_object_new_double(t1 - t0));
	json_object_object_add(out, "since_event_ms", json_object_new_double(gl_now_ms() - since));
	json_object_object_add(out, "cached", cached);
	for (int i = 0; i < GL_K8S_RES_MAX; i++)
		json_object_object_add(cached, gl_k8s_res_name(i), json_object_new_int(counts[i]));
	if (!err && !gl_diags_errors(&d)) {
		json_object_object_add(out, "workloads", workloads_json(&m));
		json_object_object_add(out, "services", services_json(&m));
		json_object_object_add(out, "rules", rules_json(&m));
	}
	puts(json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN |
					    JSON_C_TO_STRING_NOSLASHESCAPE));
	fflush(stdout);
	json_object_put(out);
	gl_model_free(&m);
	gl_diags_free(&d);
}

int gl_daemon_print_inventory(const struct gl_options *o, volatile sig_atomic_t *stop)
{
	struct printer pr = { .o = o };
	int rc = gl_daemon_k8s_start(o, &pr.k);

	if (rc)
		return rc;
	if (o->cgroup2_mount)
		snprintf(pr.cg2mount, sizeof(pr.cg2mount), "%s", o->cgroup2_mount);
	else if (gl_cgroup2_mount(pr.cg2mount, sizeof(pr.cg2mount)))
		pr.cg2mount[0] = 0;	/* no cgroup2 here: paths as the node's driver would */
	while (!*stop) {
		struct pollfd p = { .fd = gl_k8s_fd(pr.k), .events = POLLIN };
		double first;

		if (poll(&p, 1, 200) <= 0)
			continue;
		first = gl_daemon_k8s_settle(pr.k);
		if (gl_k8s_synced(pr.k))
			print_model(&pr, first);
	}
	gl_k8s_stop(pr.k);
	return 0;
}
