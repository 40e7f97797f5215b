// SPDX-License-Identifier: Apache-2.0
/*
 * Services without a selector: their EndpointSlices are written by hand or
 * by another controller (a database outside the cluster behind a ClusterIP,
 * the apiserver's default/kubernetes). Such a service is mapped when each of
 * its ready endpoints can be a remote workload: none is a pod of this node
 * (a pod here is a workload of its own, with its cgroup and its labels, and
 * an address belongs to one workload). Its endpoints then carry the label
 * GL_K8S_MEMBER_PREFIX "NS.NAME" (and their pod's labels when the endpoint
 * names a watched pod), which is the service's selector. A service that
 * cannot be mapped is left to kube-proxy as before, with a warning.
 */
#include <stdio.h>
#include <string.h>

#include "common/diag.h"
#include "k8s_int.h"

void gl_k8s_member_label(const char *key, char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "%s%s", GL_K8S_MEMBER_PREFIX, key);

	for (size_t i = strlen(GL_K8S_MEMBER_PREFIX); i < n && i < len; i++)
		if (buf[i] == '/')
			buf[i] = '.';
}

/* The addresses of this node's pods, as a set (address -> pod key); not of
 * those on the host's network (theirs is the node's, no workload's). */
static json_object *local_ips(struct gl_k8s *k)
{
	json_object *out = json_object_new_object();

	json_object_object_foreach(k->r[GL_K8S_PODS].cache, key, p) {
		const char *node = gl_k8s_str(p, "spec", "nodeName", NULL);
		const char *one = gl_k8s_str(p, "status", "podIP", NULL);
		json_object *ips = gl_k8s_get(p, "status", "podIPs", NULL);
		json_object *host = gl_k8s_get(p, "spec", "hostNetwork", NULL);

		if (!out || !node || strcmp(node, k->node) || (host && json_object_get_boolean(host)))
			continue;
		if (one && *one)
			json_object_object_add(out, one, json_object_new_string(key));
		for (size_t i = 0; ips && json_object_is_type(ips, json_type_array) &&
				   i < json_object_array_length(ips); i++) {
			const char *a = gl_k8s_str(json_object_array_get_idx(ips, i), "ip", NULL);

			if (a && *a)
				json_object_object_add(out, a, json_object_new_string(key));
		}
	}
	return out;
}

/* Why one endpoint keeps its service from being mapped, into why; false
 * when it does not. */
static bool endpoint_here(struct gl_k8s *k, json_object *ep, json_object *local, char *why,
			  size_t len)
{
	const char *kind = gl_k8s_str(ep, "targetRef", "kind", NULL);
	const char *node = gl_k8s_str(ep, "nodeName", NULL);
	json_object *as = gl_k8s_get(ep, "addresses", NULL), *pod;

	for (size_t a = 0; as && a < json_object_array_length(as); a++) {
		const char *addr = json_object_get_string(json_object_array_get_idx(as, a));

		if (addr && json_object_object_get_ex(local, addr, &pod)) {
			snprintf(why, len, "endpoint %s is pod '%s' on this node", addr,
				 json_object_get_string(pod));
			return true;
		}
	}
	if (kind && node && !strcmp(kind, "Pod") && !strcmp(node, k->node)) {
		snprintf(why, len, "endpoint '%s' is a pod on this node",
			 gl_k8s_str(ep, "targetRef", "name", NULL) ?: "?");
		return true;
	}
	return false;
}

/* Whether the slices of one service give it a ready endpoint, and none
 * that is here (why says which). */
static bool mappable(struct gl_k8s *k, json_object *slices, json_object *local, char *why,
		     size_t len)
{
	bool any = false;

	why[0] = 0;
	for (size_t i = 0; slices && i < json_object_array_length(slices); i++) {
		json_object *sl = json_object_array_get_idx(slices, i);
		json_object *eps = gl_k8s_get(sl, "endpoints", NULL);
		const char *type = gl_k8s_str(sl, "addressType", NULL);

		if (!type || !strcmp(type, "FQDN") || !eps ||
		    !json_object_is_type(eps, json_type_array))
			continue;
		for (size_t j = 0; j < json_object_array_length(eps); j++) {
			json_object *ep = json_object_array_get_idx(eps, j);
			json_object *ready = gl_k8s_get(ep, "conditions", "ready", NULL);
			json_object *as = gl_k8s_get(ep, "addresses", NULL);

			if ((ready && !json_object_get_boolean(ready)) || !as ||
			    !json_object_is_type(as, json_type_array) || !json_object_array_length(as))
				continue;
			if (endpoint_here(k, ep, local, why, len))
				return false;
			any = true;
		}
	}
	return any;
}

bool gl_k8s_has_selector(json_object *svc)
{
	json_object *sel = gl_k8s_get(svc, "spec", "selector", NULL);

	return sel && json_object_is_type(sel, json_type_object) && json_object_object_length(sel);
}

json_object *gl_k8s_handmade(struct gl_k8s_render *rd, json_object *by_svc)
{
	struct gl_k8s *k = rd->k;
	json_object *out = json_object_new_object(), *local = local_ips(k);
	char why[300], source[600];

	json_object_object_foreach(k->r[GL_K8S_SERVICES].cache, key, svc) {
		const char *type = gl_k8s_str(svc, "spec", "type", NULL);

		if (!out || !local || gl_k8s_has_selector(svc) || (type && !strcmp(type, "ExternalName")))
			continue;
		if (mappable(k, gl_k8s_get(by_svc, key, NULL), local, why, sizeof(why))) {
			json_object_object_add(out, key, json_object_new_boolean(1));
		} else if (why[0]) {
			snprintf(source, sizeof(source), "k8s:%s/%s",
				 gl_k8s_res_name(GL_K8S_SERVICES), key);
			gl_diag_add(rd->d, GL_SEV_WARNING, source, 0, 0, "service without a selector "
				    "left to kube-proxy: %s; its endpoints must not be this node's pods",
				    why);
		}
	}
	json_object_put(local);
	return out;
}
