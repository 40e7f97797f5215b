// SPDX-License-Identifier: Apache-2.0
/*
 * Services -> Services: ClusterIPs as the virtual addresses, the TCP ports
 * (a named targetPort resolved through the service's EndpointSlices),
 * the selector (scoped to the namespace), appProtocol mysql as protocol
 * mysql. EndpointSlices -> the ready endpoints on other nodes as Workloads
 * without a cgroup, carrying the labels of their pod when it is watched
 * (every pod is, unless --k8s-node-pods-only), else their service's selector (base lane).
 * A service without a selector selects its endpoints by the label they get
 * here (k8s_handmade.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8s_int.h"
#include "model/model.h"

#define SVC_NAME_LABEL "kubernetes.io/service-name"

/* The port number a named target port has in the service's slices, or 0. */
static int named_port(struct gl_k8s *k, const char *ns, const char *svc, const char *name)
{
	json_object_object_foreach(k->r[GL_K8S_SLICES].cache, key, sl) {
		const char *sns = gl_k8s_str(sl, "metadata", "namespace", NULL);
		const char *s = gl_k8s_str(sl, "metadata", "labels", SVC_NAME_LABEL, NULL);
		json_object *ports = gl_k8s_get(sl, "ports", NULL);

		(void)key;
		if (!s || !sns || strcmp(s, svc) || strcmp(sns, ns) || !ports ||
		    !json_object_is_type(ports, json_type_array))
			continue;
		for (size_t i = 0; i < json_object_array_length(ports); i++) {
			json_object *p = json_object_array_get_idx(ports, i);
			const char *pn = gl_k8s_str(p, "name", NULL);
			json_object *num = gl_k8s_get(p, "port", NULL);

			if (pn && num && !strcmp(pn, name))
				return json_object_get_int(num);
		}
	}
	return 0;
}

/* The TCP ports; *proto from their appProtocol. */
static json_object *svc_ports(struct gl_k8s *k, json_object *svc, const char *ns,
			      const char *name, const char **proto)
{
	json_object *ports = gl_k8s_get(svc, "spec", "ports", NULL), *out = json_object_new_array();

	*proto = "http";
	if (!out || !ports || !json_object_is_type(ports, json_type_array))
		return out;
	for (size_t i = 0; i < json_object_array_length(ports); i++) {
		json_object *p = json_object_array_get_idx(ports, i), *o, *tp;
		const char *pr = gl_k8s_str(p, "protocol", NULL);
		const char *ap = gl_k8s_str(p, "appProtocol", NULL);
		int port = json_object_get_int(gl_k8s_get(p, "port", NULL)), target = port;

		if ((pr && strcmp(pr, "TCP")) || port <= 0)
			continue;
		tp = gl_k8s_get(p, "targetPort", NULL);
		if (tp && json_object_is_type(tp, json_type_int))
			target = json_object_get_int(tp);
		else if (tp && json_object_is_type(tp, json_type_string))
			target = named_port(k, ns, name, json_object_get_string(tp));
		if (target <= 0)
			continue;	/* a named port no endpoint has yet */
		if (ap && !strcmp(ap, "mysql"))
			*proto = "mysql";
		else if (ap && strcmp(ap, "http") && strcmp(*proto, "mysql"))
			*proto = "tcp";
		o = json_object_new_object();
		json_object_object_add(o, "port", json_object_new_int(port));
		json_object_object_add(o, "targetPort", json_object_new_int(target));
		json_object_array_add(out, o);
	}
	return out;
}

static json_object *cluster_ips(json_object *svc)
{
	json_object *ips = gl_k8s_get(svc, "spec", "clusterIPs", NULL), *out = json_object_new_array();
	const char *one = gl_k8s_str(svc, "spec", "clusterIP", NULL);

	if (ips && json_object_is_type(ips, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(ips); i++) {
			const char *a = json_object_get_string(json_object_array_get_idx(ips, i));

			if (a && *a && strcmp(a, "None"))
				json_object_array_add(out, json_object_new_string(a));
		}
	} else if (one && *one && strcmp(one, "None"))
		json_object_array_add(out, json_object_new_string(one));
	return out;
}

static void render_service(struct gl_k8s_render *rd, const char *key, json_object *svc,
			   json_object *by_svc, json_object *claims)
{
	const char *ns = gl_k8s_str(svc, "metadata", "namespace", NULL);
	const char *name = gl_k8s_str(svc, "metadata", "name", NULL), *proto;
	json_object *sel = gl_k8s_get(svc, "spec", "selector", NULL), *ports, *doc, *md, *spec;
	json_object *member = NULL;
	char label[600];

	if (!gl_k8s_has_selector(svc)) {
		if (!json_object_object_get_ex(rd->k->handmade, key, NULL))
			return;		/* left to kube-proxy */
		gl_k8s_member_label(key, label, sizeof(label));
		sel = member = json_object_new_object();
		json_object_object_add(member, label, json_object_new_string("true"));
	}
	ports = svc_ports(rd->k, svc, ns ? ns : "", name, &proto);
	ports = gl_k8s_claim_ports(rd, key, gl_k8s_get(by_svc, key, NULL), ports, claims);
	if (!ports || !json_object_array_length(ports)) {
		json_object_put(ports);
		json_object_put(member);
		return;
	}
	doc = json_object_new_object();
	md = json_object_new_object();
	spec = json_object_new_object();
	json_object_object_add(doc, "apiVersion", json_object_new_string(GL_API_GRAYLANE));
	json_object_object_add(doc, "kind", json_object_new_string("Service"));
	json_object_object_add(md, "name", json_object_new_string(key));
	json_object_object_add(doc, "metadata", md);
	json_object_object_add(spec, "addresses", cluster_ips(svc));
	json_object_object_add(spec, "ports", ports);
	json_object_object_add(spec, "selector", gl_k8s_labels_ns(sel, ns));
	json_object_object_add(spec, "protocol", json_object_new_string(proto));
	json_object_object_add(doc, "spec", spec);
	gl_k8s_load_doc(rd, GL_K8S_SERVICES, key, doc);
	json_object_put(member);
}

void gl_k8s_render_services(struct gl_k8s_render *rd)
{
	json_object *by_svc = gl_k8s_slices_by_service(rd->k), *claims = json_object_new_object();
	size_t n = 0;
	struct svc_ref *order = gl_k8s_services_ordered(rd->k, &n);

	json_object_put(rd->k->handmade);
	rd->k->handmade = by_svc ? gl_k8s_handmade(rd, by_svc) : NULL;
	for (size_t i = 0; by_svc && claims && order && i < n; i++) {
		json_object *svc;
		const char *key = gl_k8s_svc_ref_key(order, i, &svc);
		const char *type = gl_k8s_str(svc, "spec", "type", NULL);

		if (!type || strcmp(type, "ExternalName"))
			render_service(rd, key, svc, by_svc, claims);
	}
	if (!by_svc || !claims || !order || !rd->k->handmade)
		rd->err = -ENOMEM;
	free(order);
	json_object_put(by_svc);
	json_object_put(claims);
}

/* The remote workload of one endpoint: its name, and labels to start from;
 * true when it is a pod's (named NAMESPACE/POD). */
static bool endpoint_id(struct gl_k8s *k, const char *ns, json_object *ep, json_object *sel,
			char *name, size_t len, json_object **labels)
{
	const char *kind = gl_k8s_str(ep, "targetRef", "kind", NULL);
	const char *pod = gl_k8s_str(ep, "targetRef", "name", NULL);
	const char *addr = json_object_get_string(gl_k8s_get(ep, "addresses", NULL) ?
		json_object_array_get_idx(gl_k8s_get(ep, "addresses", NULL), 0) : NULL);
	json_object *p = NULL;
	size_t n;

	if (kind && pod && !strcmp(kind, "Pod")) {
		snprintf(name, len, "%s/%s", ns, pod);
		if (k->o.all_pods)	/* else the cache has this node's pods only */
			json_object_object_get_ex(k->r[GL_K8S_PODS].cache, name, &p);
	} else {
		n = (size_t)snprintf(name, len, "%s/ep-%s", ns, addr ? addr : "none");
		for (size_t i = strlen(ns) + 1; i < n && i < len; i++)
			if (name[i] == '.' || name[i] == ':')
				name[i] = '-';
	}
	*labels = gl_k8s_labels_ns(p ? gl_k8s_get(p, "metadata", "labels", NULL) : sel, ns);
	return kind && pod && !strcmp(kind, "Pod");
}

/* member: the label of a service without a selector, whose endpoints on
 * this node are no pods of it (k8s_handmade.c), or NULL. */
static bool endpoint_remote_ready(struct gl_k8s *k, json_object *ep, const char *member)
{
	json_object *ready = gl_k8s_get(ep, "conditions", "ready", NULL);
	const char *node = gl_k8s_str(ep, "nodeName", NULL);

	if (ready && !json_object_get_boolean(ready))
		return false;
	return member || !node || strcmp(node, k->node);	/* this node's are its pods */
}

/* A remote workload as the build keeps it: {labels, addresses, pod: true
 * when it is a pod's}, taking both references; NULL without memory. */
static json_object *remote_new(json_object *labels, json_object *addrs, bool pod)
{
	json_object *w = labels && addrs ? json_object_new_object() : NULL;

	if (!w) {
		json_object_put(labels);
		json_object_put(addrs);
		return NULL;
	}
	json_object_object_add(w, "labels", labels);
	json_object_object_add(w, "addresses", addrs);
	if (pod)
		json_object_object_add(w, "pod", json_object_new_boolean(1));
	return w;
}

/* One endpoint into the set of remote workloads: addresses and labels
 * merged; member as in endpoint_remote_ready, a label it gets. */
static void add_endpoint(struct gl_k8s *k, json_object *remote, const char *ns, json_object *ep,
			 json_object *sel, const char *member)
{
	json_object *addrs = gl_k8s_get(ep, "addresses", NULL), *labels, *w, *wa;
	char name[600];
	bool pod;

	if (!addrs || !json_object_is_type(addrs, json_type_array) ||
	    !endpoint_remote_ready(k, ep, member))
		return;
	pod = endpoint_id(k, ns, ep, sel, name, sizeof(name), &labels);
	if (labels && member)
		json_object_object_add(labels, member, json_object_new_string("true"));
	if (!json_object_object_get_ex(remote, name, &w)) {
		w = remote_new(labels, json_object_new_array(), pod);
		if (!w)
			return;
		json_object_object_add(remote, name, w);
	} else {
		json_object *have = gl_k8s_get(w, "labels", NULL);

		json_object_object_foreach(labels, lk, lv)
			if (!json_object_object_get_ex(have, lk, NULL))
				json_object_object_add(have, lk, json_object_get(lv));
		json_object_put(labels);
	}
	wa = gl_k8s_get(w, "addresses", NULL);
	for (size_t i = 0; i < json_object_array_length(addrs); i++) {
		const char *a = json_object_get_string(json_object_array_get_idx(addrs, i));
		bool dup = false;

		for (size_t j = 0; a && j < json_object_array_length(wa); j++)
			dup = dup || !strcmp(a, json_object_get_string(json_object_array_get_idx(wa, j)));
		if (a && !dup)
			json_object_array_add(wa, json_object_new_string(a));
	}
}

static void add_slice(struct gl_k8s *k, json_object *remote, json_object *sl)
{
	const char *ns = gl_k8s_str(sl, "metadata", "namespace", NULL);
	const char *svc = gl_k8s_str(sl, "metadata", "labels", SVC_NAME_LABEL, NULL);
	const char *type = gl_k8s_str(sl, "addressType", NULL);
	json_object *eps = gl_k8s_get(sl, "endpoints", NULL), *s = NULL, *sel, *none = NULL;
	char key[600], label[600];
	const char *member = NULL;

	if (!ns || !svc || !type || !strcmp(type, "FQDN") || !eps ||
	    !json_object_is_type(eps, json_type_array))
		return;
	snprintf(key, sizeof(key), "%s/%s", ns, svc);
	json_object_object_get_ex(k->r[GL_K8S_SERVICES].cache, key, &s);
	sel = gl_k8s_get(s, "spec", "selector", NULL);
	if (!gl_k8s_has_selector(s)) {
		if (!s || !json_object_object_get_ex(k->handmade, key, NULL))
			return;		/* no service of ours selects them */
		gl_k8s_member_label(key, label, sizeof(label));
		member = label;
		sel = none = json_object_new_object();
	}
	for (size_t i = 0; i < json_object_array_length(eps); i++)
		add_endpoint(k, remote, ns, json_object_array_get_idx(eps, i), sel, member);
	json_object_put(none);
}

static void free_tree(json_object *o, void *tree)
{
	(void)o;
	free(tree);
}

/* The labels of services without a selector from one set into another. */
static void keep_members(json_object *from, json_object *to)
{
	json_object_object_foreach(from, key, val)
		if (!strncmp(key, GL_K8S_MEMBER_PREFIX, strlen(GL_K8S_MEMBER_PREFIX)))
			json_object_object_add(to, key, json_object_get(val));
}

/* The last build's remote endpoints with the labels of the pods changed
 * since, when no slice or service changed (a pod relabelled elsewhere):
 * false when they must be built from the slices again. */
static bool patch_remote(struct gl_k8s *k, const unsigned long gen[3])
{
	json_object *pods = k->r[GL_K8S_PODS].cache, *changed = k->r[GL_K8S_PODS].changed;

	if (!k->remote || !changed || memcmp(gen, k->remote_gen, 2 * sizeof(gen[0])))
		return false;
	json_object_object_foreach(changed, key, unused) {
		json_object *w, *p, *nw;

		(void)unused;
		if (!json_object_object_get_ex(k->remote, key, &w) || !gl_k8s_get(w, "pod", NULL))
			continue;	/* no endpoint of a service, or here */
		if (!json_object_object_get_ex(pods, key, &p))
			return false;	/* gone: its service's selector labels it now */
		nw = remote_new(gl_k8s_labels_ns(gl_k8s_get(p, "metadata", "labels", NULL),
						 gl_k8s_str(p, "metadata", "namespace", NULL)),
				json_object_get(gl_k8s_get(w, "addresses", NULL)), true);
		if (!nw)
			return false;
		keep_members(gl_k8s_get(w, "labels", NULL), gl_k8s_get(nw, "labels", NULL));
		if (!json_object_equal(nw, w))
			json_object_object_add(k->remote, key, nw);	/* rendered anew */
		else
			json_object_put(nw);
	}
	return true;
}

/* The remote endpoints from the slices, the pods and the services. */
static int build_remote(struct gl_k8s_render *rd)
{
	struct gl_k8s *k = rd->k;
	json_object *remote = json_object_new_object();

	if (!remote)
		return -ENOMEM;
	json_object_object_foreach(k->r[GL_K8S_SLICES].cache, key, sl) {
		(void)key;
		add_slice(k, remote, sl);
	}
	gl_k8s_claim_addresses(rd, remote);
	/* the last build's objects for the endpoints that are the same */
	json_object_object_foreach(remote, name, w) {
		json_object *old;

		if (k->remote && json_object_object_get_ex(k->remote, name, &old) &&
		    json_object_get_userdata(old) && json_object_equal(old, w))
			json_object_object_add(remote, name, json_object_get(old));
	}
	json_object_put(k->remote);
	k->remote = remote;
	return 0;
}

void gl_k8s_render_slices(struct gl_k8s_render *rd)
{
	struct gl_k8s *k = rd->k;
	struct gl_k8s_refl *pods = &k->r[GL_K8S_PODS];
	unsigned long gen[3] = { k->r[GL_K8S_SLICES].gen, k->r[GL_K8S_SERVICES].gen,
				 k->o.all_pods ? pods->gen : 0 };

	bool same = json_object_equal(k->handmade, k->remote_handmade);

	if (!k->remote || !same || memcmp(gen, k->remote_gen, sizeof(k->remote_gen))) {
		if (!(same && patch_remote(k, gen)) && build_remote(rd)) {
			rd->err = -ENOMEM;
			return;
		}
		memcpy(k->remote_gen, gen, sizeof(k->remote_gen));
		json_object_put(k->remote_handmade);
		k->remote_handmade = json_object_get(k->handmade);
	}
	json_object_put(pods->changed);
	pods->changed = json_object_new_object();
	json_object_object_foreach(k->remote, name, w) {
		struct gl_ydoc *tree = json_object_get_userdata(w);

		if (tree) {
			gl_k8s_load_tree(rd, GL_K8S_SLICES, name, tree);
			continue;
		}
		tree = gl_k8s_load_remote(rd, name, gl_k8s_get(w, "labels", NULL),
					  gl_k8s_get(w, "addresses", NULL));
		if (tree)
			json_object_set_userdata(w, tree, free_tree);
	}
}
