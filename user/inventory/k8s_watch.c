// SPDX-License-Identifier: Apache-2.0
/*
 * One resource's reflector: LIST, then WATCH from the list's
 * resourceVersion with bookmarks; each event updates the cache and
 * advances the resourceVersion, a BOOKMARK advances it only. A watch that
 * ends is started again from where it was; 410 Gone (the HTTP status, or
 * an ERROR event with code 410: the version is too old) lists again; any
 * other error or a dropped connection waits an exponential backoff with a
 * cap and some jitter, then watches again from the last resourceVersion.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "k8s_int.h"

static void put(struct gl_k8s_refl *r, const char *type, json_object *obj)
{
	json_object *keep, *old;
	bool same = false;
	char key[512];

	if (!gl_k8s_key(obj, key, sizeof(key))) {
		gl_k8s_logf(r, GL_K8S_WARN, "kubernetes watch event without a name", "type=%s", type);
		return;
	}
	pthread_mutex_lock(&r->k->lock);
	if (!strcmp(type, "DELETED")) {
		json_object_object_del(r->cache, key);
	} else {
		keep = gl_k8s_cached(r, obj);
		/* another node's pod, same labels and phase: nothing to build */
		same = keep != obj && json_object_object_get_ex(r->cache, key, &old) &&
		       json_object_equal(old, keep);
		if (same)
			json_object_put(keep);
		else
			json_object_object_add(r->cache, key, keep);
	}
	if (!same) {
		r->gen++;
		gl_k8s_changed(r, key);
	}
	pthread_mutex_unlock(&r->k->lock);
	gl_k8s_logf(r, GL_K8S_DEBUG, "kubernetes event", "type=%s object=%s resource_version=%s%s",
		    type, key, gl_k8s_rv(obj) ? gl_k8s_rv(obj) : "none", same ? " unchanged=1" : "");
	r->events++;
	if (!same)
		gl_k8s_notify(r->k);
}

/* One watch event; nonzero ends the watch (an ERROR). */
static int on_event(struct gl_k8s_refl *r, json_object *ev)
{
	const char *type = gl_k8s_str(ev, "type", NULL);
	json_object *obj = gl_k8s_get(ev, "object", NULL);
	const char *rv = gl_k8s_rv(obj);

	if (!type || !obj) {
		gl_k8s_logf(r, GL_K8S_WARN, "kubernetes watch: not an event", "event=k8s_bad_event");
		return 0;
	}
	if (!strcmp(type, "ERROR")) {
		json_object *code = gl_k8s_get(obj, "code", NULL);
		const char *m = gl_k8s_str(obj, "message", NULL);
		char msg[512];

		r->status = code ? json_object_get_int(code) : 500;
		r->relist = r->status == 410;
		snprintf(msg, sizeof(msg), "kubernetes watch error event: %.400s", m ? m : "");
		gl_k8s_logf(r, r->relist ? GL_K8S_INFO : GL_K8S_WARN, msg,
			    "event=k8s_watch_error code=%ld", r->status);
		return 1;
	}
	if (!strcmp(type, "ADDED") || !strcmp(type, "MODIFIED") || !strcmp(type, "DELETED"))
		put(r, type, obj);
	else if (strcmp(type, "BOOKMARK"))
		gl_k8s_logf(r, GL_K8S_WARN, "kubernetes watch: unknown event type", "type=%s", type);
	if (rv && *rv)
		snprintf(r->rv, sizeof(r->rv), "%s", rv);
	return 0;
}

/* The stream's bytes, however the chunks cut it: json-c's tokener keeps a
 * half event until the rest comes. */
static int on_stream(void *arg, long status, const char *data, size_t len)
{
	struct gl_k8s_refl *r = arg;

	r->status = status;
	if (status != 200)
		return gl_k8s_body_append(r, data, len) ? 1 : 0;
	while (len) {
		json_object *ev = json_tokener_parse_ex(r->tok, data, len);
		enum json_tokener_error e = json_tokener_get_error(r->tok);
		size_t used;
		int stop;

		if (!ev && e == json_tokener_continue)
			return 0;
		if (!ev) {
			char msg[256];

			snprintf(msg, sizeof(msg), "kubernetes watch: bad JSON: %s",
				 json_tokener_error_desc(e));
			gl_k8s_logf(r, GL_K8S_WARN, msg, "event=k8s_bad_json");
			r->status = 0;
			return 1;
		}
		used = json_tokener_get_parse_end(r->tok);
		data += used;
		len -= used < len ? used : len;
		json_tokener_reset(r->tok);
		stop = on_event(r, ev);
		json_object_put(ev);
		if (stop)
			return 1;
	}
	return 0;
}

/* One watch: 0 when it ended well, -ESTALE for a relist, else an error. */
static int watch(struct gl_k8s_refl *r)
{
	char q[256], url[1024], err[256] = "";
	struct gl_k8s_get g = { .c = &r->k->conn, .url_path = url, .body = on_stream, .arg = r,
				.stop = &r->k->stop };
	int rc;

	gl_k8s_res_query(r, q, sizeof(q));
	snprintf(url, sizeof(url), "%s?watch=1&resourceVersion=%s&allowWatchBookmarks=true"
		 "&timeoutSeconds=%u%s%s", gl_k8s_res_path(r->res), r->rv, r->k->o.watch_timeout_s,
		 q[0] ? "&" : "", q);
	g.timeout_s = r->k->o.watch_timeout_s + 30;
	/* a server (or a proxy on the way) that keeps the connection and sends
	 * nothing: no event, no bookmark for this long, and the watch is opened
	 * again from r->rv, not after timeout_s */
	g.silence_s = r->k->o.request_timeout_s;
	gl_k8s_logf(r, GL_K8S_DEBUG, "kubernetes watch", "event=k8s_watch resource_version=%s",
		    r->rv);
	json_tokener_reset(r->tok);
	r->blen = 0;
	r->events = 0;
	r->status = 0;
	rc = gl_k8s_http_get(&g, &r->status, err, sizeof(err));
	if (r->relist || r->status == 410) {
		r->relist = true;
		gl_k8s_logf(r, GL_K8S_INFO, "kubernetes resourceVersion expired: listing again",
			    "event=k8s_relist resource_version=%s", r->rv);
		return -ESTALE;
	}
	if (rc && !r->k->stop) {
		char msg[320];

		snprintf(msg, sizeof(msg), "kubernetes watch dropped: %s", err);
		gl_k8s_logf(r, GL_K8S_WARN, msg, "event=k8s_watch_dropped events=%u "
			    "resource_version=%s", r->events, r->rv);
	} else if (!rc && r->status != 200) {
		char msg[320];

		snprintf(msg, sizeof(msg), "kubernetes watch refused: %.200s", r->body ? r->body : "");
		gl_k8s_logf(r, GL_K8S_WARN, msg, "event=k8s_watch_refused status=%ld", r->status);
	}
	return rc ? rc : r->status == 200 ? 0 : -EIO;
}

/* Sleeps the backoff of the failures so far (or until stop). */
static void backoff(struct gl_k8s_refl *r)
{
	unsigned shift = r->failures < 16 ? r->failures : 16;
	unsigned long long ms = (unsigned long long)r->k->o.backoff_ms << shift;
	struct timespec until;

	if (ms > r->k->o.backoff_max_ms)
		ms = r->k->o.backoff_max_ms;
	ms += (unsigned long long)rand() % (ms / 4 + 1);	/* nodes do not come back at once */
	r->failures++;
	gl_k8s_logf(r, GL_K8S_INFO, "kubernetes backoff", "event=k8s_backoff delay_ms=%llu "
		    "failures=%u", ms, r->failures);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (ms % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&r->k->lock);
	while (!r->k->stop && pthread_cond_timedwait(&r->k->wake, &r->k->lock, &until) == 0)
		;
	pthread_mutex_unlock(&r->k->lock);
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

void *gl_k8s_refl_run(void *arg)
{
	struct gl_k8s_refl *r = arg;

	while (!r->k->stop) {
		double t0;
		int rc;

		if (!r->rv[0] || r->relist) {
			r->relist = false;
			rc = gl_k8s_list(r);
			if (rc)
				backoff(r);	/* an error, or a CRD not served: later */
			else
				r->failures = 0;
			if (rc)
				continue;
		}
		t0 = now_s();
		rc = watch(r);
		if (r->k->stop || rc == -ESTALE)
			continue;
		if (rc && now_s() - t0 > 10)
			r->failures = 0;	/* it ran a while: a fresh problem */
		if (rc || (!r->events && now_s() - t0 < 1))
			backoff(r);	/* failed, or ended at once: do not spin */
		else
			r->failures = 0;
	}
	return NULL;
}
