// SPDX-License-Identifier: Apache-2.0
/*
 * One service per endpoint address and port, as the data path needs it
 * (validate_claims.c refuses two): Kubernetes often has two Services on
 * the same pods and port (a headless one beside a ClusterIP one, or a
 * per-version one beside the whole). Services are taken in order, those
 * with a ClusterIP first, then by namespace/name; a port whose target on
 * one of its EndpointSlices' ready endpoints already belongs to an earlier
 * service is left out of the later one, with a warning naming both. And
 * one workload per address: remote endpoints that share one are merged.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8s_int.h"
#include "common/diag.h"

#define SVC_NAME_LABEL "kubernetes.io/service-name"

json_object *gl_k8s_slices_by_service(struct gl_k8s *k)
{
	json_object *out = json_object_new_object();
	char key[600];

	json_object_object_foreach(k->r[GL_K8S_SLICES].cache, name, sl) {
		const char *ns = gl_k8s_str(sl, "metadata", "namespace", NULL);
		const char *svc = gl_k8s_str(sl, "metadata", "labels", SVC_NAME_LABEL, NULL);
		json_object *list;

		(void)name;
		if (!ns || !svc || !out)
			continue;
		snprintf(key, sizeof(key), "%s/%s", ns, svc);
		if (!json_object_object_get_ex(out, key, &list)) {
			list = json_object_new_array();
			json_object_object_add(out, key, list);
		}
		json_object_array_add(list, json_object_get(sl));
	}
	return out;
}

struct svc_ref {
	const char *key;
	json_object *svc;
	bool vip;
};

static int cmp_svc(const void *a, const void *b)
{
	const struct svc_ref *x = a, *y = b;

	if (x->vip != y->vip)
		return x->vip ? -1 : 1;
	return strcmp(x->key, y->key);
}

static bool has_vip(json_object *svc)
{
	const char *ip = gl_k8s_str(svc, "spec", "clusterIP", NULL);

	return ip && *ip && strcmp(ip, "None");
}

/* The services in claim order; *n of them (free() the array). */
struct svc_ref *gl_k8s_services_ordered(struct gl_k8s *k, size_t *n)
{
	json_object *cache = k->r[GL_K8S_SERVICES].cache;
	struct svc_ref *v = calloc(json_object_object_length(cache) + 1, sizeof(*v));

	*n = 0;
	if (!v)
		return NULL;
	json_object_object_foreach(cache, key, svc)
		v[(*n)++] = (struct svc_ref){ key, svc, has_vip(svc) };
	qsort(v, *n, sizeof(*v), cmp_svc);
	return v;
}

const char *gl_k8s_svc_ref_key(const struct svc_ref *v, size_t i, json_object **svc)
{
	*svc = v[i].svc;
	return v[i].key;
}

/* Every "address|port" a port of a service would claim, first holder checked:
 * the holder's key, or NULL when free. */
static const char *taken(json_object *slices, json_object *claims, int target, const char *me,
			 char *addr, size_t alen)
{
	for (size_t i = 0; slices && i < json_object_array_length(slices); i++) {
		json_object *eps = gl_k8s_get(json_object_array_get_idx(slices, i), "endpoints", NULL);

		for (size_t j = 0; eps && j < json_object_array_length(eps); j++) {
			json_object *ep = json_object_array_get_idx(eps, j), *as, *h;
			json_object *ready = gl_k8s_get(ep, "conditions", "ready", NULL);

			if ((ready && !json_object_get_boolean(ready)) ||
			    !(as = gl_k8s_get(ep, "addresses", NULL)))
				continue;
			for (size_t a = 0; a < json_object_array_length(as); a++) {
				char key[128];

				snprintf(key, sizeof(key), "%s|%d",
					 json_object_get_string(json_object_array_get_idx(as, a)), target);
				if (json_object_object_get_ex(claims, key, &h) &&
				    strcmp(json_object_get_string(h), me)) {
					snprintf(addr, alen, "%s:%d", json_object_get_string(
						json_object_array_get_idx(as, a)), target);
					return json_object_get_string(h);
				}
			}
		}
	}
	return NULL;
}

static void claim(json_object *slices, json_object *claims, int target, const char *me)
{
	for (size_t i = 0; slices && i < json_object_array_length(slices); i++) {
		json_object *eps = gl_k8s_get(json_object_array_get_idx(slices, i), "endpoints", NULL);

		for (size_t j = 0; eps && j < json_object_array_length(eps); j++) {
			json_object *as = gl_k8s_get(json_object_array_get_idx(eps, j), "addresses", NULL);

			for (size_t a = 0; as && a < json_object_array_length(as); a++) {
				char key[128];

				snprintf(key, sizeof(key), "%s|%d",
					 json_object_get_string(json_object_array_get_idx(as, a)), target);
				if (!json_object_object_get_ex(claims, key, NULL))
					json_object_object_add(claims, key, json_object_new_string(me));
			}
		}
	}
}

json_object *gl_k8s_claim_ports(struct gl_k8s_render *rd, const char *key, json_object *slices,
				json_object *ports, json_object *claims)
{
	json_object *out = json_object_new_array();
	char source[600], addr[128];

	snprintf(source, sizeof(source), "k8s:%s/%s", gl_k8s_res_name(GL_K8S_SERVICES), key);
	for (size_t i = 0; out && i < json_object_array_length(ports); i++) {
		json_object *p = json_object_array_get_idx(ports, i);
		int port = json_object_get_int(gl_k8s_get(p, "port", NULL));
		int target = json_object_get_int(gl_k8s_get(p, "targetPort", NULL));
		const char *holder = taken(slices, claims, target, key, addr, sizeof(addr));

		if (holder) {
			gl_diag_add(rd->d, GL_SEV_WARNING, source, 0, 0, "port %d left out: endpoint "
				    "%s already belongs to service '%s'; an address and port belong to "
				    "one service", port, addr, holder);
			continue;
		}
		claim(slices, claims, target, key);
		json_object_array_add(out, json_object_get(p));
	}
	json_object_put(ports);
	return out;
}

/* ---- remote workloads' addresses ---- */

/* Workload from into into: its labels where into has none of the key, its
 * addresses not claimed yet. */
static void merge_workload(json_object *into, json_object *from, json_object *owner,
			   const char *into_name)
{
	json_object *have = gl_k8s_get(into, "labels", NULL);
	json_object *as = gl_k8s_get(from, "addresses", NULL);
	json_object *to = gl_k8s_get(into, "addresses", NULL);

	json_object_object_foreach(gl_k8s_get(from, "labels", NULL), lk, lv)
		if (!json_object_object_get_ex(have, lk, NULL))
			json_object_object_add(have, lk, json_object_get(lv));
	for (size_t i = 0; i < json_object_array_length(as); i++) {
		const char *a = json_object_get_string(json_object_array_get_idx(as, i));

		if (a && !json_object_object_get_ex(owner, a, NULL)) {
			json_object_array_add(to, json_object_new_string(a));
			json_object_object_add(owner, a, json_object_new_string(into_name));
		}
	}
}

/* The workload that holds one of w's addresses already, or NULL; claims
 * them all for name when none is held. */
static const char *holder_of(json_object *w, json_object *owner, const char *name, char *addr,
			     size_t len)
{
	json_object *as = gl_k8s_get(w, "addresses", NULL), *h;

	for (size_t i = 0; i < json_object_array_length(as); i++) {
		const char *a = json_object_get_string(json_object_array_get_idx(as, i));

		if (a && json_object_object_get_ex(owner, a, &h)) {
			snprintf(addr, len, "%s", a);
			return json_object_get_string(h);
		}
	}
	for (size_t i = 0; i < json_object_array_length(as); i++)
		json_object_object_add(owner, json_object_get_string(json_object_array_get_idx(as, i)),
				       json_object_new_string(name));
	return NULL;
}

void gl_k8s_claim_addresses(struct gl_k8s_render *rd, json_object *remote)
{
	json_object *owner = json_object_new_object(), *gone = json_object_new_array();
	char addr[128], source[700];

	for (int pods = 1; owner && gone && pods >= 0; pods--) {
		json_object_object_foreach(remote, name, w) {
			const char *h;
			json_object *into;

			if (!!gl_k8s_get(w, "pod", NULL) != pods ||
			    !(h = holder_of(w, owner, name, addr, sizeof(addr))))
				continue;
			if (json_object_object_get_ex(remote, h, &into))
				merge_workload(into, w, owner, h);
			json_object_array_add(gone, json_object_new_string(name));
			snprintf(source, sizeof(source), "k8s:%s/%s", gl_k8s_res_name(GL_K8S_SLICES), name);
			gl_diag_add(rd->d, GL_SEV_WARNING, source, 0, 0, "endpoint merged into '%s': "
				    "both have address %s, and an address is one workload's (its "
				    "labels, and so its lane, are '%s''s)", h, addr, h);
		}
	}
	for (size_t i = 0; gone && i < json_object_array_length(gone); i++)
		json_object_object_del(remote, json_object_get_string(json_object_array_get_idx(gone, i)));
	if (!owner || !gone)
		rd->err = -ENOMEM;
	json_object_put(owner);
	json_object_put(gone);
}
