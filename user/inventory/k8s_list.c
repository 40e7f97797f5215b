// SPDX-License-Identifier: Apache-2.0
/*
 * LIST of one resource, 500 objects a page (limit/continue), into a new
 * cache that replaces the old one whole when the last page came: the
 * watch then starts from the list's resourceVersion. A resource the server
 * does not serve (404: the CRDs not installed) lists as empty.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "k8s_int.h"

#define PAGE_LIMIT 500

static int on_page(void *arg, long status, const char *data, size_t len)
{
	struct gl_k8s_refl *r = arg;

	r->status = status;
	return gl_k8s_body_append(r, data, len) ? 1 : 0;
}

static json_object *parse_body(const char *body, size_t len)
{
	json_tokener *tok = json_tokener_new_ex(GL_K8S_JSON_DEPTH);
	json_object *o = tok ? json_tokener_parse_ex(tok, body, len) : NULL;

	if (tok)
		json_tokener_free(tok);
	return o;
}

/* A Status body's message, for the log. */
static const char *status_message(json_object *st)
{
	const char *m = gl_k8s_str(st, "message", NULL);

	return m ? m : "(no message)";
}

/* The page's items into cache; its continue token into cont ("" at the end). */
static int take_page(struct gl_k8s_refl *r, json_object *list, json_object *cache,
		     char *cont, size_t clen)
{
	json_object *items = gl_k8s_get(list, "items", NULL);
	const char *c = gl_k8s_str(list, "metadata", "continue", NULL);
	const char *rv = gl_k8s_str(list, "metadata", "resourceVersion", NULL);
	char key[512];

	if (!items || !json_object_is_type(items, json_type_array) || !rv)
		return -EPROTO;
	for (size_t i = 0; i < json_object_array_length(items); i++) {
		json_object *it = json_object_array_get_idx(items, i);

		if (gl_k8s_key(it, key, sizeof(key)))
			json_object_object_add(cache, key, gl_k8s_cached(r, it));
	}
	snprintf(r->rv, sizeof(r->rv), "%s", rv);
	snprintf(cont, clen, "%s", c ? c : "");
	return 0;
}

/* One page: 0, 1 when the resource is not served, or a negative errno. */
static int get_page(struct gl_k8s_refl *r, const char *cont, json_object *cache,
		    char *next, size_t nlen)
{
	char q[256], url[4096], err[256] = "";
	struct gl_k8s_get g = { .c = &r->k->conn, .url_path = url, .body = on_page, .arg = r,
				.stop = &r->k->stop };
	json_object *list;
	long status;
	int rc;

	gl_k8s_res_query(r, q, sizeof(q));
	snprintf(url, sizeof(url), "%s?limit=%d%s%s%s%s", gl_k8s_res_path(r->res), PAGE_LIMIT,
		 q[0] ? "&" : "", q, cont[0] ? "&continue=" : "", cont);
	g.timeout_s = g.silence_s = r->k->o.request_timeout_s;
	r->blen = 0;
	rc = gl_k8s_http_get(&g, &status, err, sizeof(err));
	if (rc) {
		char msg[320];

		snprintf(msg, sizeof(msg), "kubernetes list failed: %s", err);
		gl_k8s_logf(r, GL_K8S_WARN, msg, "event=k8s_list_failed");
		return rc;
	}
	list = r->body ? parse_body(r->body, r->blen) : NULL;
	if (status == 404 && r->res >= GL_K8S_TRAFFIC_RULES)
		rc = 1;
	else if (status != 200) {
		char msg[512];

		snprintf(msg, sizeof(msg), "kubernetes list refused: %.400s", status_message(list));
		gl_k8s_logf(r, GL_K8S_WARN, msg, "event=k8s_list_refused status=%ld", status);
		rc = status == 410 ? -ESTALE : -EIO;
	} else if ((rc = take_page(r, list, cache, next, nlen)))
		gl_k8s_logf(r, GL_K8S_WARN, "kubernetes list: not a list", "status=%ld", status);
	json_object_put(list);
	return rc;
}

static void install(struct gl_k8s_refl *r, json_object *cache)
{
	json_object *old;

	pthread_mutex_lock(&r->k->lock);
	old = r->cache;
	r->cache = cache;
	r->synced = true;
	r->gen++;
	json_object_put(r->changed);	/* what changed is not known */
	r->changed = NULL;
	pthread_mutex_unlock(&r->k->lock);
	json_object_put(old);
	gl_k8s_notify(r->k);
}

int gl_k8s_list(struct gl_k8s_refl *r)
{
	json_object *cache = json_object_new_object();
	char cont[2048] = "", next[2048] = "";
	double t0;
	unsigned pages = 0;
	int rc;

	if (!cache)
		return -ENOMEM;
	t0 = gl_now_ms();
	do {
		rc = get_page(r, cont, cache, next, sizeof(next));
		memcpy(cont, next, sizeof(cont));
		pages++;
	} while (!rc && cont[0] && !r->k->stop);
	if (rc < 0) {
		json_object_put(cache);
		r->rv[0] = 0;
		return rc;
	}
	if (rc == 1) {
		bool again = r->synced && !json_object_object_length(r->cache);

		r->rv[0] = 0;
		gl_k8s_logf(r, again ? GL_K8S_DEBUG : GL_K8S_WARN, "kubernetes resource not served "
			    "(CRD not installed?); empty until it is", "event=k8s_not_served");
		if (again) {	/* still nothing: no change to apply */
			json_object_put(cache);
			return rc;
		}
	}
	gl_k8s_logf(r, GL_K8S_INFO, "kubernetes list", "event=k8s_list objects=%d pages=%u "
		    "resource_version=%s list_ms=%.1f", json_object_object_length(cache), pages,
		    r->rv[0] ? r->rv : "none", gl_now_ms() - t0);
	install(r, cache);
	return rc;
}
