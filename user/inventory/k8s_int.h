/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal to the Kubernetes inventory (k8s_*.c): one GET over libcurl,
 * the per-resource list-and-watch loop (a reflector, as client-go calls
 * it), the caches it fills and the lock that guards them.
 */
#ifndef GL_K8S_INT_H
#define GL_K8S_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <json-c/json.h>

#include "k8s.h"

/* JSON nesting json-c accepts: a pod's managedFields nest deep, and an event
 * or a list adds two levels (json-c's default is 32). */
#define GL_K8S_JSON_DEPTH 128
#include "common/arena.h"

/* What a GET hands its caller, chunk by chunk as curl receives them. */
typedef int gl_k8s_body_fn(void *arg, long status, const char *data, size_t len);

struct gl_k8s_get {
	const struct gl_k8s_conn *c;
	const char *url_path;		/* path and query, e.g. /api/v1/pods?limit=500 */
	long timeout_s;			/* whole transfer; 0 for none (a watch) */
	long silence_s;			/* abort when no byte came for this long */
	gl_k8s_body_fn *body;		/* nonzero stops the transfer */
	void *arg;
	volatile int *stop;		/* set: abort now */
};

/* 0 with *status the HTTP status when a response came (whole or cut
 * short by body()), or a negative errno with what failed in err. */
int gl_k8s_http_get(const struct gl_k8s_get *g, long *status, char *err, size_t errlen);
int gl_k8s_http_init(void);

struct gl_k8s_refl {
	struct gl_k8s *k;
	enum gl_k8s_res res;
	pthread_t thread;
	bool started, synced;
	json_object *cache;		/* "ns/name" -> object; under k->lock */
	char rv[128];			/* resourceVersion to watch from; "" = relist */
	unsigned failures;		/* in a row: the backoff's exponent */
	json_tokener *tok;		/* a watch stream's events */
	bool relist;			/* a 410 came: list again */
	unsigned long gen;		/* changes of the cache so far; under k->lock */
	/* the keys changed since the last build took them (gl_k8s_render_slices):
	 * a set, or NULL after a relist or too many (under k->lock) */
	json_object *changed;
	unsigned events;		/* events of the current watch */
	char *body;			/* a LIST's (or an error's) body */
	size_t blen, bcap;
	long status;
};

struct gl_k8s {
	struct gl_k8s_conn conn;	/* a copy the threads share (read-only) */
	struct gl_k8s_opts o;
	char node[256];
	char cgroup_root[256];		/* no trailing '/' */
	pthread_mutex_t lock;		/* the caches and synced flags */
	pthread_cond_t wake;		/* gl_k8s_stop wakes a backoff */
	volatile int stop;
	int efd;
	struct gl_k8s_refl r[GL_K8S_RES_MAX];
	/* the remote endpoints of the last build, name -> {labels, addresses}
	 * with their parsed document as userdata, and the caches' gens they
	 * came from: the main thread's, under lock */
	json_object *remote;
	unsigned long remote_gen[3];
	/* the services without a selector that are mapped (key -> true):
	 * this render's, and the one the remote endpoints were built with */
	json_object *handmade, *remote_handmade;
};

/* The reflector thread (k8s_watch.c) and its list (k8s_list.c). */
void *gl_k8s_refl_run(void *arg);
int gl_k8s_list(struct gl_k8s_refl *r);
/* "ns/name" of an API object into buf; false without a name. */
bool gl_k8s_key(json_object *obj, char *buf, size_t len);
/* What the cache keeps of obj (a pod of another node: its labels), a new reference. */
json_object *gl_k8s_cached(const struct gl_k8s_refl *r, json_object *obj);
/* Notes key as changed in r->changed, under k->lock (k8s_util.c). */
void gl_k8s_changed(struct gl_k8s_refl *r, const char *key);
/* An object's metadata.resourceVersion, or NULL. */
const char *gl_k8s_rv(json_object *obj);
void gl_k8s_notify(struct gl_k8s *k);
/* One log event of resource r. */
__attribute__((format(printf, 4, 5)))
void gl_k8s_logf(const struct gl_k8s_refl *r, enum gl_k8s_level lv, const char *msg,
		 const char *fields_fmt, ...);
/* "/api/v1/pods" and the query every request of r carries ("" or fieldSelector=...) */
const char *gl_k8s_res_path(enum gl_k8s_res res);
void gl_k8s_res_query(const struct gl_k8s_refl *r, char *buf, size_t len);
/* Growing r->body. */
int gl_k8s_body_append(struct gl_k8s_refl *r, const char *data, size_t len);

/* Rendering into the model (k8s_map.c: pods; k8s_map_svc.c: services,
 * slices; k8s_map_rules.c: the CRDs), with k->lock held. */
struct gl_k8s_render {
	struct gl_k8s *k;
	const char *cg2mount;
	struct gl_model *m;
	struct gl_diags *d;
	int err;			/* worst of the objects' loads */
	struct gl_arena tree;		/* the objects' YAML trees, one at a time */
	unsigned roots;			/* kubelet cgroup layouts present (k8s_map.c) */
};
void gl_k8s_load_doc(struct gl_k8s_render *rd, enum gl_k8s_res res, const char *key,
		     json_object *doc);
/* A document's text (valid until doc is freed), and text through the loader. */
const char *gl_k8s_doc_text(json_object *doc);
void gl_k8s_load_text(struct gl_k8s_render *rd, enum gl_k8s_res res, const char *key,
		      const char *text);
/* The same, returning the parsed document to load again while its object is
 * unchanged (NULL without one; free() frees it), and loading it again. */
struct gl_ydoc *gl_k8s_load_copy(struct gl_k8s_render *rd, enum gl_k8s_res res,
				 const char *key, const char *text);
void gl_k8s_load_tree(struct gl_k8s_render *rd, enum gl_k8s_res res, const char *key,
		      const struct gl_ydoc *tree);
/* The string at a path of keys (NULL-terminated), or NULL. */
const char *gl_k8s_str(json_object *o, ...) __attribute__((sentinel));
json_object *gl_k8s_get(json_object *o, ...) __attribute__((sentinel));
/* A copy of labels (may be NULL) with GL_K8S_NS_LABEL: ns added. */
json_object *gl_k8s_labels_ns(json_object *labels, const char *ns);
/* A remote endpoint as a Workload without a cgroup (k8s_map.c), loaded; its
 * parsed document returned as gl_k8s_load_copy's. */
struct gl_ydoc *gl_k8s_load_remote(struct gl_k8s_render *rd, const char *key,
				   json_object *labels, json_object *addrs);
/* One service per endpoint address and port (k8s_claims.c). */
struct svc_ref;
json_object *gl_k8s_slices_by_service(struct gl_k8s *k);
struct svc_ref *gl_k8s_services_ordered(struct gl_k8s *k, size_t *n);
const char *gl_k8s_svc_ref_key(const struct svc_ref *v, size_t i, json_object **svc);
/* ports (consumed) without those whose target is another service's already;
 * the rest claimed for key. */
json_object *gl_k8s_claim_ports(struct gl_k8s_render *rd, const char *key, json_object *slices,
				json_object *ports, json_object *claims);
/* Services without a selector (k8s_handmade.c): the set of those mapped,
 * warning of the others; the label of their endpoints (GL_K8S_MEMBER_PREFIX
 * and the key with '/' as '.'). */
json_object *gl_k8s_handmade(struct gl_k8s_render *rd, json_object *by_svc);
void gl_k8s_member_label(const char *key, char *buf, size_t len);
/* A service with a non-empty spec.selector. */
bool gl_k8s_has_selector(json_object *svc);
/* Remote workloads that share an address merged into the first (pods'
 * first), with a warning: validation refuses two workloads of one address. */
void gl_k8s_claim_addresses(struct gl_k8s_render *rd, json_object *remote);
void gl_k8s_render_pods(struct gl_k8s_render *rd);
void gl_k8s_render_services(struct gl_k8s_render *rd);
void gl_k8s_render_slices(struct gl_k8s_render *rd);
void gl_k8s_render_rules(struct gl_k8s_render *rd);

#endif
