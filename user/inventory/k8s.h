/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The inventory from the Kubernetes API: Pods (of this node), Services,
 * EndpointSlices and the two OpenSergo CRDs, each listed then watched
 * (resourceVersion, bookmarks, relist on 410 Gone, backoff on errors) into
 * an in-memory cache keyed NAMESPACE/NAME, and rendered on demand into the
 * model as the same kinds the YAML files hold (k8s_map*.c), so the rest of
 * the pipeline does not know where they came from.
 *
 *	struct gl_k8s_conn c; struct gl_k8s *k;
 *	gl_k8s_conn_load("~/.kube/config" or "in-cluster", &c, err, sizeof(err));
 *	gl_k8s_start(&c, &opts, &k);		// one thread per resource
 *	poll(gl_k8s_fd(k)) ... gl_k8s_ack(k);	// readable when a cache changed
 *	if (gl_k8s_synced(k)) gl_k8s_load(k, cg2mount, &m, &d);
 *	gl_k8s_stop(k);
 *
 * HTTP(S) is libcurl's, JSON json-c's, the kubeconfig libyaml's (ytree).
 */
#ifndef GL_K8S_H
#define GL_K8S_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gl_model;
struct gl_diags;

#define GL_K8S_IN_CLUSTER	"in-cluster"
#define GL_K8S_SA_DIR		"/var/run/secrets/kubernetes.io/serviceaccount"
/* Label every object from the API gets, and every selector from the API:
 * a Service or rule selects the pods of its own namespace only. */
#define GL_K8S_NS_LABEL		"graylane.io/namespace"
/* Label of an endpoint of a service without a selector (+ "NS.NAME"), and
 * that service's selector (k8s_handmade.c). */
#define GL_K8S_MEMBER_PREFIX	"member.graylane.io/"

/* Where the API server is and how to authenticate (owned strings). */
struct gl_k8s_conn {
	char *server;			/* https://host:port, no trailing '/' */
	char *ca_file, *cert_file, *key_file;
	char *ca_data, *cert_data, *key_data;	/* PEM (decoded *-data) */
	size_t ca_len, cert_len, key_len;
	char *token;			/* bearer token, or NULL */
	char *token_file;		/* re-read on every request (rotated tokens) */
	bool insecure;			/* insecure-skip-tls-verify */
};

/* A kubeconfig's current context, or GL_K8S_IN_CLUSTER: the service
 * account's token and CA and KUBERNETES_SERVICE_HOST/PORT. 0, or a negative
 * errno with one line in err. */
int gl_k8s_conn_load(const char *kubeconfig, struct gl_k8s_conn *c, char *err, size_t errlen);
void gl_k8s_conn_free(struct gl_k8s_conn *c);

enum gl_k8s_res {
	GL_K8S_PODS = 0,
	GL_K8S_SERVICES,
	GL_K8S_SLICES,
	GL_K8S_TRAFFIC_RULES,
	GL_K8S_WORKLOAD_RULES,
	GL_K8S_RES_MAX,
};

/* Levels as graylaned's log has them. */
enum gl_k8s_level { GL_K8S_DEBUG, GL_K8S_INFO, GL_K8S_WARN, GL_K8S_ERROR };

/* msg: the event; fields: space-separated key=value pairs (log.h). */
typedef void gl_k8s_log_fn(void *arg, enum gl_k8s_level lv, const char *msg,
			   const char *fields);

struct gl_k8s_opts {
	const char *node;		/* this node's name */
	bool all_pods;			/* watch every pod: remote endpoints get their labels */
	const char *cgroup_root;	/* the kubelet's cgroups below this (below the
					 * cgroup2 mount; default ""), e.g. /gl-e2e/m */
	unsigned backoff_ms;		/* first delay after an error (default 250) */
	unsigned backoff_max_ms;	/* cap (default 30000) */
	unsigned watch_timeout_s;	/* timeoutSeconds of a watch (default 300) */
	unsigned request_timeout_s;	/* a LIST, and a watch stream's silence (default 60) */
	gl_k8s_log_fn *log;
	void *log_arg;
};

struct gl_k8s;

/* Takes c over (left zeroed) and starts a thread per resource. */
int gl_k8s_start(struct gl_k8s_conn *c, const struct gl_k8s_opts *o, struct gl_k8s **out);
/* Readable (eventfd) when a cache changed since the last gl_k8s_ack. */
int gl_k8s_fd(const struct gl_k8s *k);
void gl_k8s_ack(struct gl_k8s *k);
/* Every resource listed once (a CRD the server does not have counts as empty). */
bool gl_k8s_synced(struct gl_k8s *k);
/* Objects in the caches, per resource (for the log). */
void gl_k8s_counts(struct gl_k8s *k, size_t counts[GL_K8S_RES_MAX]);
const char *gl_k8s_res_name(enum gl_k8s_res r);
/* Every cached object into m (Workloads, Services, rules), problems into d
 * under "k8s:RESOURCE/NAMESPACE/NAME"; cgroup paths resolved below
 * cg2mount. 0, -EINVAL (an object had an error) or -ENOMEM. */
int gl_k8s_load(struct gl_k8s *k, const char *cg2mount, struct gl_model *m, struct gl_diags *d);
void gl_k8s_stop(struct gl_k8s *k);

#endif
