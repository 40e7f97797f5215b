// SPDX-License-Identifier: Apache-2.0
/*
 * The Kubernetes inventory's life: a reflector thread per resource, the
 * change notice (an eventfd), and the caches rendered into a model under
 * their lock.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include "k8s_int.h"
#include "model/model.h"

static void defaults(struct gl_k8s_opts *o)
{
	if (!o->backoff_ms)
		o->backoff_ms = 250;
	if (!o->backoff_max_ms)
		o->backoff_max_ms = 30000;
	if (!o->watch_timeout_s)
		o->watch_timeout_s = 300;
	if (!o->request_timeout_s)
		o->request_timeout_s = 60;
}

static int start_threads(struct gl_k8s *k)
{
	for (int i = 0; i < GL_K8S_RES_MAX; i++) {
		struct gl_k8s_refl *r = &k->r[i];

		r->k = k;
		r->res = i;
		r->cache = json_object_new_object();
		r->tok = json_tokener_new_ex(GL_K8S_JSON_DEPTH);
		if (!r->cache || !r->tok)
			return -ENOMEM;
		if (pthread_create(&r->thread, NULL, gl_k8s_refl_run, r))
			return -EAGAIN;
		r->started = true;
	}
	return 0;
}

int gl_k8s_start(struct gl_k8s_conn *c, const struct gl_k8s_opts *o, struct gl_k8s **out)
{
	struct gl_k8s *k = calloc(1, sizeof(*k));
	int rc;

	if (!k)
		return -ENOMEM;
	k->conn = *c;
	memset(c, 0, sizeof(*c));
	k->o = *o;
	defaults(&k->o);
	snprintf(k->node, sizeof(k->node), "%s", o->node ? o->node : "");
	snprintf(k->cgroup_root, sizeof(k->cgroup_root), "%s", o->cgroup_root ? o->cgroup_root : "");
	if (strlen(k->cgroup_root) && k->cgroup_root[strlen(k->cgroup_root) - 1] == '/')
		k->cgroup_root[strlen(k->cgroup_root) - 1] = 0;
	pthread_mutex_init(&k->lock, NULL);
	pthread_cond_init(&k->wake, NULL);
	k->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	rc = k->efd < 0 ? -errno : gl_k8s_http_init();
	if (!rc)
		rc = start_threads(k);
	if (rc) {
		gl_k8s_stop(k);
		return rc;
	}
	*out = k;
	return 0;
}

int gl_k8s_fd(const struct gl_k8s *k)
{
	return k->efd;
}

void gl_k8s_ack(struct gl_k8s *k)
{
	uint64_t v;

	if (read(k->efd, &v, sizeof(v)) < 0)
		return;	/* nothing pending */
}

bool gl_k8s_synced(struct gl_k8s *k)
{
	bool all = true;

	pthread_mutex_lock(&k->lock);
	for (int i = 0; i < GL_K8S_RES_MAX; i++)
		all = all && k->r[i].synced;
	pthread_mutex_unlock(&k->lock);
	return all;
}

void gl_k8s_counts(struct gl_k8s *k, size_t counts[GL_K8S_RES_MAX])
{
	pthread_mutex_lock(&k->lock);
	for (int i = 0; i < GL_K8S_RES_MAX; i++)
		counts[i] = k->r[i].cache ? json_object_object_length(k->r[i].cache) : 0;
	pthread_mutex_unlock(&k->lock);
}

int gl_k8s_load(struct gl_k8s *k, const char *cg2mount, struct gl_model *m, struct gl_diags *d)
{
	struct gl_k8s_render rd = { .k = k, .cg2mount = cg2mount, .m = m, .d = d };

	pthread_mutex_lock(&k->lock);
	gl_k8s_render_pods(&rd);
	gl_k8s_render_services(&rd);
	gl_k8s_render_slices(&rd);
	gl_k8s_render_rules(&rd);
	pthread_mutex_unlock(&k->lock);
	gl_arena_free(&rd.tree);
	return rd.err;
}

void gl_k8s_stop(struct gl_k8s *k)
{
	if (!k)
		return;
	pthread_mutex_lock(&k->lock);
	k->stop = 1;
	pthread_cond_broadcast(&k->wake);
	pthread_mutex_unlock(&k->lock);
	for (int i = 0; i < GL_K8S_RES_MAX; i++) {
		struct gl_k8s_refl *r = &k->r[i];

		if (r->started)
			pthread_join(r->thread, NULL);
		json_object_put(r->cache);
		json_object_put(r->changed);
		if (r->tok)
			json_tokener_free(r->tok);
		free(r->body);
	}
	if (k->efd >= 0)
		close(k->efd);
	pthread_cond_destroy(&k->wake);
	pthread_mutex_destroy(&k->lock);
	json_object_put(k->remote);
	json_object_put(k->handmade);
	json_object_put(k->remote_handmade);
	gl_k8s_conn_free(&k->conn);
	free(k);
}
