// SPDX-License-Identifier: Apache-2.0
/*
 * What the Kubernetes inventory's files share: the resources' paths and
 * names, an object's key and resourceVersion, the change notice, the log
 * line, JSON lookups, and a rendered document into the model.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "k8s_int.h"
#include "rules/rules.h"

static const struct {
	const char *name, *path;
} resources[GL_K8S_RES_MAX] = {
	[GL_K8S_PODS] = { "pods", "/api/v1/pods" },
	[GL_K8S_SERVICES] = { "services", "/api/v1/services" },
	[GL_K8S_SLICES] = { "endpointslices", "/apis/discovery.k8s.io/v1/endpointslices" },
	[GL_K8S_TRAFFIC_RULES] = { "trafficlabelrules",
				   "/apis/traffic.opensergo.io/v1alpha1/trafficlabelrules" },
	[GL_K8S_WORKLOAD_RULES] = { "workloadlabelrules",
				    "/apis/traffic.opensergo.io/v1alpha1/workloadlabelrules" },
};

const char *gl_k8s_res_name(enum gl_k8s_res r)
{
	return r < GL_K8S_RES_MAX ? resources[r].name : "?";
}

const char *gl_k8s_res_path(enum gl_k8s_res r)
{
	return resources[r].path;
}

/* Pods of this node only, unless every pod is watched. */
void gl_k8s_res_query(const struct gl_k8s_refl *r, char *buf, size_t len)
{
	buf[0] = 0;
	if (r->res == GL_K8S_PODS && !r->k->o.all_pods)
		snprintf(buf, len, "fieldSelector=spec.nodeName%%3D%s", r->k->node);
}

/* o's member at the path of keys ap gives (NULL-terminated), or NULL. */
static json_object *walk(json_object *o, va_list ap)
{
	const char *key;

	while (o && (key = va_arg(ap, const char *)))
		if (!json_object_is_type(o, json_type_object) ||
		    !json_object_object_get_ex(o, key, &o))
			o = NULL;
	return o;
}

json_object *gl_k8s_get(json_object *o, ...)
{
	va_list ap;

	va_start(ap, o);
	o = walk(o, ap);
	va_end(ap);
	return o;
}

const char *gl_k8s_str(json_object *o, ...)
{
	va_list ap;

	va_start(ap, o);
	o = walk(o, ap);
	va_end(ap);
	return o && json_object_is_type(o, json_type_string) ? json_object_get_string(o) : NULL;
}

bool gl_k8s_key(json_object *obj, char *buf, size_t len)
{
	const char *ns = gl_k8s_str(obj, "metadata", "namespace", NULL);
	const char *name = gl_k8s_str(obj, "metadata", "name", NULL);

	if (!name)
		return false;
	return snprintf(buf, len, "%s/%s", ns ? ns : "", name) < (int)len;
}

/* dst.key = src's member at the path (NULL-terminated), when there is one */
static void copy_member(json_object *dst, const char *key, json_object *src, ...)
{
	json_object *v;
	va_list ap;

	va_start(ap, src);
	v = walk(src, ap);
	va_end(ap);
	if (v)
		json_object_object_add(dst, key, json_object_get(v));
}

/*
 * What the cache keeps of obj, a new reference. A pod of another node is
 * only ever read for its labels (its endpoint's lane, k8s_map_svc.c), so
 * only its name, labels, node and phase are kept: every pod of a cluster
 * fits in a node agent's memory.
 */
json_object *gl_k8s_cached(const struct gl_k8s_refl *r, json_object *obj)
{
	const char *node = gl_k8s_str(obj, "spec", "nodeName", NULL);
	json_object *t, *meta, *spec, *status;

	if (r->res != GL_K8S_PODS || (node && !strcmp(node, r->k->node)))
		return json_object_get(obj);
	t = json_object_new_object();
	meta = json_object_new_object();
	spec = json_object_new_object();
	status = json_object_new_object();
	if (!t || !meta || !spec || !status) {
		json_object_put(t), json_object_put(meta), json_object_put(spec);
		json_object_put(status);
		return json_object_get(obj);
	}
	copy_member(meta, "name", obj, "metadata", "name", NULL);
	copy_member(meta, "namespace", obj, "metadata", "namespace", NULL);
	copy_member(meta, "labels", obj, "metadata", "labels", NULL);
	copy_member(spec, "nodeName", obj, "spec", "nodeName", NULL);
	copy_member(status, "phase", obj, "status", "phase", NULL);
	json_object_object_add(t, "metadata", meta);
	json_object_object_add(t, "spec", spec);
	json_object_object_add(t, "status", status);
	return t;
}

/* More changed keys than this between two builds: build from everything. */
#define GL_K8S_CHANGED_MAX 4096

void gl_k8s_changed(struct gl_k8s_refl *r, const char *key)
{
	if (r->changed && json_object_object_length(r->changed) >= GL_K8S_CHANGED_MAX) {
		json_object_put(r->changed);
		r->changed = NULL;
	}
	if (r->changed)
		json_object_object_add(r->changed, key, NULL);
}

const char *gl_k8s_rv(json_object *obj)
{
	return gl_k8s_str(obj, "metadata", "resourceVersion", NULL);
}

void gl_k8s_notify(struct gl_k8s *k)
{
	uint64_t one = 1;

	if (write(k->efd, &one, sizeof(one)) < 0)
		return;	/* the counter is at its maximum: already readable */
}

void gl_k8s_logf(const struct gl_k8s_refl *r, enum gl_k8s_level lv, const char *msg,
		 const char *fields_fmt, ...)
{
	char fields[512], all[640];
	va_list ap;

	if (!r->k->o.log)
		return;
	va_start(ap, fields_fmt);
	vsnprintf(fields, sizeof(fields), fields_fmt, ap);
	va_end(ap);
	snprintf(all, sizeof(all), "resource=%s %s", gl_k8s_res_name(r->res), fields);
	r->k->o.log(r->k->o.log_arg, lv, msg, all);
}

int gl_k8s_body_append(struct gl_k8s_refl *r, const char *data, size_t len)
{
	if (r->blen + len + 1 > r->bcap) {
		size_t cap = (r->blen + len + 1) * 2;
		char *nb = realloc(r->body, cap);

		if (!nb)
			return -ENOMEM;
		r->body = nb;
		r->bcap = cap;
	}
	memcpy(r->body + r->blen, data, len);
	r->blen += len;
	r->body[r->blen] = 0;
	return 0;
}

json_object *gl_k8s_labels_ns(json_object *labels, const char *ns)
{
	json_object *out = json_object_new_object();

	if (!out)
		return NULL;
	if (labels && json_object_is_type(labels, json_type_object)) {
		json_object_object_foreach(labels, key, val)
			json_object_object_add(out, key, json_object_get(val));
	}
	json_object_object_add(out, GL_K8S_NS_LABEL, json_object_new_string(ns ? ns : ""));
	return out;
}

const char *gl_k8s_doc_text(json_object *doc)
{
	return json_object_to_json_string_ext(doc, JSON_C_TO_STRING_SPACED |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
}

static void load_source(enum gl_k8s_res res, const char *key, char *buf, size_t len)
{
	snprintf(buf, len, "k8s:%s/%s", gl_k8s_res_name(res), key);
}

static void loaded(struct gl_k8s_render *rd, int err)
{
	if (err == -ENOMEM || (err && !rd->err))
		rd->err = err;
}

void gl_k8s_load_text(struct gl_k8s_render *rd, enum gl_k8s_res res, const char *key,
		      const char *text)
{
	char source[600];

	load_source(res, key, source, sizeof(source));
	loaded(rd, text ? gl_model_load_api_object(source, text, strlen(text), &rd->tree, rd->m,
						   rd->d) : -ENOMEM);
}

struct gl_ydoc *gl_k8s_load_copy(struct gl_k8s_render *rd, enum gl_k8s_res res,
				 const char *key, const char *text)
{
	struct gl_ydoc *copy = NULL;
	char source[600];

	load_source(res, key, source, sizeof(source));
	loaded(rd, text ? gl_model_load_api_copy(source, text, strlen(text), &rd->tree, rd->m,
						 rd->d, &copy) : -ENOMEM);
	return copy;
}

void gl_k8s_load_tree(struct gl_k8s_render *rd, enum gl_k8s_res res, const char *key,
		      const struct gl_ydoc *tree)
{
	char source[600];

	load_source(res, key, source, sizeof(source));
	loaded(rd, gl_model_load_api_tree(source, tree, rd->m, rd->d));
}

/* doc (consumed) as JSON text, which is YAML, through the rules loader. */
void gl_k8s_load_doc(struct gl_k8s_render *rd, enum gl_k8s_res res, const char *key,
		     json_object *doc)
{
	if (!doc) {
		rd->err = -ENOMEM;
		return;
	}
	gl_k8s_load_text(rd, res, key, gl_k8s_doc_text(doc));
	json_object_put(doc);
}
