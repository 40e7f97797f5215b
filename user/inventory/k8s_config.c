// SPDX-License-Identifier: Apache-2.0
/*
 * Where the API server is: a kubeconfig's current context (server,
 * certificate-authority(-data), client-certificate/key(-data), token,
 * tokenFile, insecure-skip-tls-verify), read with the rules' YAML tree; or
 * in-cluster, the service account's token and CA with
 * KUBERNETES_SERVICE_HOST and _PORT, as client-go's rest.InClusterConfig.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8s.h"
#include "common/arena.h"
#include "common/diag.h"
#include "common/file.h"
#include "rules/ytree.h"

struct kc_read {
	const char *path;
	struct gl_k8s_conn *c;
	char *err;
	size_t errlen;
	int rc;
};

static char *dup_or_null(const struct gl_ynode *n)
{
	return n && n->type == GL_Y_SCALAR && !gl_yis_null(n) ? strdup(n->str) : NULL;
}

/* The mapping `inner` of the entry of list `key` whose name is name. */
static const struct gl_ynode *named(const struct gl_ynode *root, const char *key,
				    const char *name, const char *inner)
{
	const struct gl_ynode *seq = gl_ymap_get(root, key);

	if (!seq || seq->type != GL_Y_SEQ || !name)
		return NULL;
	for (size_t i = 0; i < seq->nkids; i++) {
		const struct gl_ynode *it = seq->kids[i], *n;

		if (it->type != GL_Y_MAP)
			continue;
		n = gl_ymap_get(it, "name");
		if (n && n->type == GL_Y_SCALAR && !strcmp(n->str, name)) {
			n = gl_ymap_get(it, inner);
			return n && n->type == GL_Y_MAP ? n : NULL;
		}
	}
	return NULL;
}

static int b64val(int ch)
{
	const char *tab = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = ch ? strchr(tab, ch) : NULL;

	return p ? (int)(p - tab) : -1;
}

/* Base64 (the kubeconfig's *-data fields); NULL when not base64. */
static char *b64_decode(const char *s, size_t *len)
{
	char *out = malloc(strlen(s) / 4 * 3 + 4);
	unsigned acc = 0, bits = 0;
	size_t n = 0;

	if (!out)
		return NULL;
	for (; *s && *s != '='; s++) {
		int v = b64val(*s);

		if (v < 0) {
			if (*s == '\n' || *s == '\r' || *s == ' ')
				continue;
			free(out);
			return NULL;
		}
		acc = acc << 6 | v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = acc >> bits & 0xff;
		}
	}
	out[n] = 0;
	*len = n;
	return out;
}

/* A file path of the kubeconfig, relative to the kubeconfig's directory. */
static char *path_of(const char *kubeconfig, const struct gl_ynode *n)
{
	char *dir, *copy, *out = NULL;

	if (!n || n->type != GL_Y_SCALAR || gl_yis_null(n) || !*n->str)
		return NULL;
	if (n->str[0] == '/')
		return strdup(n->str);
	copy = strdup(kubeconfig);
	if (!copy)
		return NULL;
	dir = dirname(copy);
	if (asprintf(&out, "%s/%s", dir, n->str) < 0)
		out = NULL;
	free(copy);
	return out;
}

static int data_field(const struct gl_ynode *map, const char *key, char **out, size_t *len)
{
	const struct gl_ynode *n = gl_ymap_get(map, key);

	if (!n || n->type != GL_Y_SCALAR || gl_yis_null(n))
		return 0;
	*out = b64_decode(n->str, len);
	return *out ? 0 : -EINVAL;
}

static void read_cluster(struct kc_read *r, const struct gl_ynode *cl)
{
	const struct gl_ynode *ins = gl_ymap_get(cl, "insecure-skip-tls-verify");
	struct gl_k8s_conn *c = r->c;
	size_t n;

	c->server = dup_or_null(gl_ymap_get(cl, "server"));
	if (c->server && (n = strlen(c->server)) && c->server[n - 1] == '/')
		c->server[n - 1] = 0;
	c->ca_file = path_of(r->path, gl_ymap_get(cl, "certificate-authority"));
	if (data_field(cl, "certificate-authority-data", &c->ca_data, &c->ca_len))
		snprintf(r->err, r->errlen, "certificate-authority-data is not base64");
	c->insecure = ins && ins->type == GL_Y_SCALAR && !strcmp(ins->str, "true");
}

static void read_user(struct kc_read *r, const struct gl_ynode *u)
{
	struct gl_k8s_conn *c = r->c;

	c->cert_file = path_of(r->path, gl_ymap_get(u, "client-certificate"));
	c->key_file = path_of(r->path, gl_ymap_get(u, "client-key"));
	c->token = dup_or_null(gl_ymap_get(u, "token"));
	c->token_file = path_of(r->path, gl_ymap_get(u, "tokenFile"));
	if (data_field(u, "client-certificate-data", &c->cert_data, &c->cert_len) ||
	    data_field(u, "client-key-data", &c->key_data, &c->key_len))
		snprintf(r->err, r->errlen, "client-certificate-data or client-key-data is not "
			 "base64");
}

static int on_doc(void *arg, const struct gl_ydoc *doc)
{
	struct kc_read *r = arg;
	const struct gl_ynode *root = doc->root, *cur, *ctx, *cl, *u, *n;

	if (!root || root->type != GL_Y_MAP)
		return 0;
	cur = gl_ymap_get(root, "current-context");
	ctx = cur && cur->type == GL_Y_SCALAR ? named(root, "contexts", cur->str, "context") : NULL;
	if (!ctx) {
		snprintf(r->err, r->errlen, "no current-context, or no context of that name");
		r->rc = -EINVAL;
		return 1;
	}
	n = gl_ymap_get(ctx, "cluster");
	cl = n && n->type == GL_Y_SCALAR ? named(root, "clusters", n->str, "cluster") : NULL;
	n = gl_ymap_get(ctx, "user");
	u = n && n->type == GL_Y_SCALAR ? named(root, "users", n->str, "user") : NULL;
	if (!cl) {
		snprintf(r->err, r->errlen, "the current context's cluster is not in clusters");
		r->rc = -EINVAL;
		return 1;
	}
	read_cluster(r, cl);
	if (u)
		read_user(r, u);
	if (!r->c->server) {
		snprintf(r->err, r->errlen, "the current context's cluster has no server");
		r->rc = -EINVAL;
	}
	return 1;	/* the first document is the kubeconfig */
}

static int in_cluster(struct gl_k8s_conn *c, char *err, size_t errlen)
{
	const char *host = getenv("KUBERNETES_SERVICE_HOST");
	const char *port = getenv("KUBERNETES_SERVICE_PORT");

	if (!host || !*host || !port || !*port) {
		snprintf(err, errlen, "in-cluster: KUBERNETES_SERVICE_HOST and "
			 "KUBERNETES_SERVICE_PORT are not set (not in a pod?)");
		return -ENOENT;
	}
	if (asprintf(&c->server, strchr(host, ':') ? "https://[%s]:%s" : "https://%s:%s",
		     host, port) < 0) {
		c->server = NULL;
		return -ENOMEM;
	}
	c->token_file = strdup(GL_K8S_SA_DIR "/token");
	c->ca_file = strdup(GL_K8S_SA_DIR "/ca.crt");
	return c->token_file && c->ca_file ? 0 : -ENOMEM;
}

int gl_k8s_conn_load(const char *kubeconfig, struct gl_k8s_conn *c, char *err, size_t errlen)
{
	struct kc_read r = { .path = kubeconfig, .c = c, .err = err, .errlen = errlen };
	struct gl_arena a = { 0 };
	struct gl_diags d;
	size_t len;
	char *buf;
	int rc;

	memset(c, 0, sizeof(*c));
	err[0] = 0;
	if (!strcmp(kubeconfig, GL_K8S_IN_CLUSTER))
		return in_cluster(c, err, errlen);
	buf = gl_read_file(kubeconfig, &len);
	if (!buf) {
		snprintf(err, errlen, "cannot read kubeconfig %s: %s", kubeconfig, strerror(errno));
		return -errno;
	}
	gl_diags_init(&d);
	rc = gl_yaml_parse(&a, kubeconfig, buf, len, on_doc, &r, &d);
	if (rc < 0 && d.n)
		snprintf(err, errlen, "%s:%u:%u: %s", kubeconfig, d.v[0].line, d.v[0].col,
			 d.v[0].msg);
	else if (r.rc || err[0]) {
		char what[256];

		snprintf(what, sizeof(what), "%s", err);
		snprintf(err, errlen, "kubeconfig %s: %s", kubeconfig, what);
		rc = r.rc ? r.rc : -EINVAL;
	} else if (!c->server) {
		snprintf(err, errlen, "kubeconfig %s: no current-context", kubeconfig);
		rc = -EINVAL;
	}
	gl_diags_free(&d);
	gl_arena_free(&a);
	free(buf);
	if (rc < 0)
		gl_k8s_conn_free(c);
	return rc < 0 ? rc : 0;
}

void gl_k8s_conn_free(struct gl_k8s_conn *c)
{
	free(c->server);
	free(c->ca_file);
	free(c->cert_file);
	free(c->key_file);
	free(c->ca_data);
	free(c->cert_data);
	free(c->key_data);
	free(c->token);
	free(c->token_file);
	memset(c, 0, sizeof(*c));
}
