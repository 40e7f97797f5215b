// SPDX-License-Identifier: Apache-2.0
/*
 * The OpenSergo CRD objects -> the rules the YAML files hold, checked by
 * the same loader: apiVersion, kind and spec as the API has them, the name
 * NAMESPACE/NAME, and a workload selector scoped to the rule's namespace
 * (a table rule's {db, table} selector names no workloads: kept as is).
 */
#include <string.h>

#include "k8s_int.h"
#include "model/model.h"

static json_object *rule_doc(const char *key, json_object *obj)
{
	const char *ns = gl_k8s_str(obj, "metadata", "namespace", NULL);
	json_object *doc = json_object_new_object(), *md = json_object_new_object(), *spec = NULL;
	json_object *v;

	json_object_object_foreach(obj, k, val)
		if (!strcmp(k, "apiVersion") || !strcmp(k, "kind"))
			json_object_object_add(doc, k, json_object_get(val));
	json_object_object_add(md, "name", json_object_new_string(key));
	if ((v = gl_k8s_get(obj, "metadata", "labels", NULL)))
		json_object_object_add(md, "labels", json_object_get(v));
	if ((v = gl_k8s_get(obj, "metadata", "annotations", NULL)))
		json_object_object_add(md, "annotations", json_object_get(v));
	json_object_object_add(doc, "metadata", md);
	v = gl_k8s_get(obj, "spec", NULL);
	if (v && json_object_deep_copy(v, &spec, NULL) == 0) {
		json_object *sel = gl_k8s_get(spec, "selector", NULL);

		if (sel && json_object_is_type(sel, json_type_object) &&
		    !json_object_object_get_ex(sel, "table", NULL))
			json_object_object_add(spec, "selector", gl_k8s_labels_ns(sel, ns));
		json_object_object_add(doc, "spec", spec);
	}
	return doc;
}

void gl_k8s_render_rules(struct gl_k8s_render *rd)
{
	for (int r = GL_K8S_TRAFFIC_RULES; r <= GL_K8S_WORKLOAD_RULES; r++) {
		json_object_object_foreach(rd->k->r[r].cache, key, obj)
			gl_k8s_load_doc(rd, r, key, rule_doc(key, obj));
	}
}
