// SPDX-License-Identifier: Apache-2.0
/*
 * Pods of this node -> Workloads: name NAMESPACE/NAME, the pod's labels
 * (traffic.opensergo.io/label among them) and its namespace's, its IPs while
 * it is Ready and not terminating, and its cgroup: the pod's own cgroup as
 * the kubelet names it (below which containerd's cri-containerd-*.scope and
 * CRI-O's crio-*.scope containers live, for either runtime), for the systemd
 * driver (kubepods.slice/kubepods-burstable.slice/
 * kubepods-burstable-pod<uid with '_'>.slice) and cgroupfs
 * (kubepods/burstable/pod<uid>), also below a kubelet cgroup root "kubelet"
 * (kind), whichever exists below the cgroup2 mount.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "k8s_int.h"
#include "model/model.h"

/* "burstable", "besteffort", or "" for Guaranteed (no QoS level). */
static const char *qos_level(const char *qos)
{
	if (qos && !strcmp(qos, "Burstable"))
		return "burstable";
	if (qos && !strcmp(qos, "BestEffort"))
		return "besteffort";
	return "";
}

/* systemd's slice names: the uid's '-' are '_' (a '-' nests a slice). */
static void systemd_path(const char *root, const char *qos, const char *uid, char *out,
			 size_t len)
{
	char u[128], pre[64], top[64], q[64] = "", qs[128] = "";
	size_t i;

	for (i = 0; uid[i] && i < sizeof(u) - 1; i++)
		u[i] = uid[i] == '-' ? '_' : uid[i];
	u[i] = 0;
	snprintf(top, sizeof(top), "%s%s%s", root[0] ? "/" : "", root, root[0] ? ".slice" : "");
	snprintf(pre, sizeof(pre), "%s%skubepods", root, root[0] ? "-" : "");
	if (qos[0]) {
		snprintf(q, sizeof(q), "-%s", qos);
		snprintf(qs, sizeof(qs), "/%s-%s.slice", pre, qos);
	}
	snprintf(out, len, "%s/%s.slice%s/%s%s-pod%s.slice", top, pre, qs, pre, q, u);
}

static void cgroupfs_path(const char *root, const char *qos, const char *uid, char *out,
			  size_t len)
{
	snprintf(out, len, "%s%s/kubepods%s%s/pod%s", root[0] ? "/" : "", root, qos[0] ? "/" : "",
		 qos, uid);
}

static bool is_dir(const char *mount, const char *rel)
{
	char p[4096];
	struct stat st;

	snprintf(p, sizeof(p), "%s%s", mount, rel);
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Which of the four layouts' roots this node has (bit i: candidate i). */
static unsigned layout_roots(const char *mount, const char *prefix)
{
	static const char *const roots[] = { "/kubepods.slice", "/kubepods", "/kubelet.slice",
					     "/kubelet/kubepods" };
	unsigned bits = 0;

	char p[600];

	for (int i = 0; mount && i < 4; i++) {
		snprintf(p, sizeof(p), "%s%s", prefix, roots[i]);
		if (is_dir(mount, p))
			bits |= 1u << i;
	}
	return bits;
}

/* The pod's cgroup in the one layout the node has; among several, the one
 * where the pod's exists; else (starting, or none) the first present. */
static void pod_cgroup(const char *mount, const char *prefix, unsigned roots, json_object *pod,
		       char *out, size_t len)
{
	const char *uid = gl_k8s_str(pod, "metadata", "uid", NULL);
	const char *qos = qos_level(gl_k8s_str(pod, "status", "qosClass", NULL));
	static const char *const kubelet_roots[] = { "", "kubelet" };
	int first = -1;
	char c[4][512], p[4][512];

	out[0] = 0;
	if (!uid)
		return;
	for (int i = 0; i < 2; i++) {
		systemd_path(kubelet_roots[i], qos, uid, c[2 * i], sizeof(c[0]));
		cgroupfs_path(kubelet_roots[i], qos, uid, c[2 * i + 1], sizeof(c[0]));
	}
	for (int i = 0; i < 4; i++)
		snprintf(p[i], sizeof(p[i]), "%.200s%.300s", prefix, c[i]);
	for (int i = 0; i < 4; i++) {
		if (!(roots & 1u << i))
			continue;
		if (first < 0)
			first = i;
		if (!(roots & ~(1u << i)) || is_dir(mount, p[i])) {
			first = i;	/* the only layout here, or the pod's is there */
			break;
		}
	}
	snprintf(out, len, "%.511s", p[first < 0 ? 1 : first]);
}

static bool pod_ready(json_object *pod)
{
	json_object *conds = gl_k8s_get(pod, "status", "conditions", NULL);

	if (gl_k8s_get(pod, "metadata", "deletionTimestamp", NULL) || !conds ||
	    !json_object_is_type(conds, json_type_array))
		return false;
	for (size_t i = 0; i < json_object_array_length(conds); i++) {
		json_object *c = json_object_array_get_idx(conds, i);
		const char *t = gl_k8s_str(c, "type", NULL), *s = gl_k8s_str(c, "status", NULL);

		if (t && s && !strcmp(t, "Ready"))
			return !strcmp(s, "True");
	}
	return false;
}

/* status.podIPs (every family), else status.podIP. */
static json_object *pod_ips(json_object *pod)
{
	json_object *ips = gl_k8s_get(pod, "status", "podIPs", NULL), *out = json_object_new_array();
	const char *ip = gl_k8s_str(pod, "status", "podIP", NULL);
	json_object *host = gl_k8s_get(pod, "spec", "hostNetwork", NULL);

	if (!out || (host && json_object_get_boolean(host)) || !pod_ready(pod))
		return out;	/* the node's own address is no endpoint of its own */
	if (ips && json_object_is_type(ips, json_type_array) && json_object_array_length(ips)) {
		for (size_t i = 0; i < json_object_array_length(ips); i++) {
			const char *a = gl_k8s_str(json_object_array_get_idx(ips, i), "ip", NULL);

			if (a)
				json_object_array_add(out, json_object_new_string(a));
		}
	} else if (ip && *ip)
		json_object_array_add(out, json_object_new_string(ip));
	return out;
}

static json_object *workload_doc(const char *key, json_object *labels, const char *cgroup,
				 json_object *addrs)
{
	json_object *doc = json_object_new_object(), *md = json_object_new_object();
	json_object *spec = json_object_new_object();

	json_object_object_add(doc, "apiVersion", json_object_new_string(GL_API_GRAYLANE));
	json_object_object_add(doc, "kind", json_object_new_string("Workload"));
	json_object_object_add(md, "name", json_object_new_string(key));
	json_object_object_add(md, "labels", labels);
	json_object_object_add(doc, "metadata", md);
	if (cgroup)
		json_object_object_add(spec, "cgroup", json_object_new_string(cgroup));
	json_object_object_add(spec, "addresses", addrs);
	json_object_object_add(doc, "spec", spec);
	return doc;
}

/* A remote endpoint (k8s_map_svc.c) as a Workload without a cgroup. */
struct gl_ydoc *gl_k8s_load_remote(struct gl_k8s_render *rd, const char *key,
				   json_object *labels, json_object *addrs)
{
	json_object *doc = workload_doc(key, json_object_get(labels), NULL, json_object_get(addrs));
	struct gl_ydoc *tree = gl_k8s_load_copy(rd, GL_K8S_SLICES, key,
						doc ? gl_k8s_doc_text(doc) : NULL);

	json_object_put(doc);
	return tree;
}

/* A pod's parsed document, kept on the pod object (json-c userdata) until a
 * watch event replaces the object: a rebuild at 5 000 pods renders and
 * parses only what changed. Not kept when the node has several layouts (the
 * pod's cgroup may show up in one later). */
struct rendered {
	unsigned roots;
	struct gl_ydoc *tree;
};

static void free_rendered(json_object *o, void *p)
{
	struct rendered *c = p;

	(void)o;
	free(c->tree);
	free(c);
}

static void load_pod(struct gl_k8s_render *rd, const char *key, json_object *pod)
{
	struct rendered *c = json_object_get_userdata(pod);
	const char *ns = gl_k8s_str(pod, "metadata", "namespace", NULL);
	struct gl_ydoc *tree;
	json_object *doc;
	char cg[512];

	if (c && c->roots == rd->roots) {
		gl_k8s_load_tree(rd, GL_K8S_PODS, key, c->tree);
		return;
	}
	pod_cgroup(rd->cg2mount, rd->k->cgroup_root, rd->roots, pod, cg, sizeof(cg));
	doc = workload_doc(key, gl_k8s_labels_ns(gl_k8s_get(pod, "metadata", "labels", NULL), ns),
			   cg[0] ? cg : NULL, pod_ips(pod));
	tree = gl_k8s_load_copy(rd, GL_K8S_PODS, key, doc ? gl_k8s_doc_text(doc) : NULL);
	json_object_put(doc);
	c = tree && !(rd->roots & (rd->roots - 1)) ? malloc(sizeof(*c)) : NULL;
	if (!c) {
		free(tree);
		return;
	}
	c->roots = rd->roots;
	c->tree = tree;
	json_object_set_userdata(pod, c, free_rendered);
}

void gl_k8s_render_pods(struct gl_k8s_render *rd)
{
	rd->roots = layout_roots(rd->cg2mount, rd->k->cgroup_root);
	json_object_object_foreach(rd->k->r[GL_K8S_PODS].cache, key, pod) {
		const char *node = gl_k8s_str(pod, "spec", "nodeName", NULL);
		const char *phase = gl_k8s_str(pod, "status", "phase", NULL);

		if (!node || strcmp(node, rd->k->node))
			continue;	/* another node's: its labels only, for its endpoints */
		if (phase && (!strcmp(phase, "Succeeded") || !strcmp(phase, "Failed")))
			continue;
		load_pod(rd, key, pod);
	}
}
