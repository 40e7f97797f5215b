// SPDX-License-Identifier: Apache-2.0
/*
 * The Kubernetes inventory's parts that need no server: the kubeconfig
 * reader (user/inventory/k8s_config.c: the current context's server, CA,
 * client certificate and key (files relative to the kubeconfig, or base64
 * *-data), token, insecure flag; in-cluster from the environment; the
 * one-line errors of a broken kubeconfig), and API objects' NAMESPACE/NAME
 * names in the loader (gl_model_load_api_object), refused in files; a
 * document kept parsed (gl_model_load_api_copy) loading again as its text
 * does (gl_model_load_api_tree), problems at the same places.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inventory/k8s.h"
#include "model/model.h"
#include "rules/rules.h"
#include "rules/ytree.h"
#include "testutil.h"

static char dir[] = "/tmp/gl-k8s-config-XXXXXX";

static const char *write_kc(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

static const char two_contexts[] =
	"apiVersion: v1\nkind: Config\n"
	"clusters:\n"
	"- name: other\n  cluster: {server: https://10.0.0.9:6443}\n"
	"- name: prod\n  cluster:\n    server: https://api.example:6443/\n"
	"    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==\n"
	"users:\n"
	"- name: admin\n  user:\n    client-certificate: certs/admin.crt\n"
	"    client-key: /abs/admin.key\n"
	"- name: bot\n  user: {token: abc.def}\n"
	"contexts:\n"
	"- name: a\n  context: {cluster: other, user: bot}\n"
	"- name: b\n  context: {cluster: prod, user: admin, namespace: shop}\n"
	"current-context: b\n";

static void test_current_context(void)
{
	struct gl_k8s_conn c;
	char err[256], want[300];
	int rc = gl_k8s_conn_load(write_kc("kc1", two_contexts), &c, err, sizeof(err));

	t_check(rc == 0, "a kubeconfig with two contexts loads");
	if (rc) {
		fprintf(stderr, "%s\n", err);
		return;
	}
	t_check(!strcmp(c.server, "https://api.example:6443"),
		"the current context's cluster, trailing '/' dropped");
	t_check(c.ca_data && c.ca_len == 28 && !memcmp(c.ca_data, "-----BEGIN CERTIFICATE-----\n", 28),
		"certificate-authority-data decoded from base64");
	snprintf(want, sizeof(want), "%s/certs/admin.crt", dir);
	t_check(c.cert_file && !strcmp(c.cert_file, want),
		"client-certificate relative to the kubeconfig's directory");
	t_check(c.key_file && !strcmp(c.key_file, "/abs/admin.key"), "an absolute client-key as is");
	t_check(!c.token && !c.insecure, "no token, TLS verified");
	gl_k8s_conn_free(&c);
}

static void test_token_insecure(void)
{
	struct gl_k8s_conn c;
	char err[256];
	int rc = gl_k8s_conn_load(write_kc("kc2",
		"clusters: [{name: x, cluster: {server: 'https://[fd00::1]:6443', "
		"insecure-skip-tls-verify: true}}]\n"
		"users: [{name: u, user: {token: s3cr3t, tokenFile: tok}}]\n"
		"contexts: [{name: c, context: {cluster: x, user: u}}]\ncurrent-context: c\n"),
		&c, err, sizeof(err));

	t_check(rc == 0 && c.token && !strcmp(c.token, "s3cr3t") && c.insecure &&
		c.token_file && strstr(c.token_file, "/tok"),
		"token, tokenFile and insecure-skip-tls-verify");
	if (!rc)
		gl_k8s_conn_free(&c);
}

static void expect_error(const char *name, const char *text, const char *want)
{
	struct gl_k8s_conn c;
	char err[256];
	int rc = gl_k8s_conn_load(write_kc("kcbad", text), &c, err, sizeof(err));

	if (!t_check(rc < 0 && strstr(err, want), name))
		fprintf(stderr, "rc %d err '%s', want '%s'\n", rc, err, want);
}

static void test_in_cluster(void)
{
	struct gl_k8s_conn c;
	char err[256];
	int rc;

	unsetenv("KUBERNETES_SERVICE_HOST");
	rc = gl_k8s_conn_load(GL_K8S_IN_CLUSTER, &c, err, sizeof(err));
	t_check(rc < 0 && strstr(err, "KUBERNETES_SERVICE_HOST"), "in-cluster outside a pod: says why");
	setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
	setenv("KUBERNETES_SERVICE_PORT", "443", 1);
	rc = gl_k8s_conn_load(GL_K8S_IN_CLUSTER, &c, err, sizeof(err));
	t_check(rc == 0 && !strcmp(c.server, "https://10.96.0.1:443") &&
		!strcmp(c.token_file, GL_K8S_SA_DIR "/token") &&
		!strcmp(c.ca_file, GL_K8S_SA_DIR "/ca.crt"),
		"in-cluster: the service's address, the service account's token and CA");
	if (!rc)
		gl_k8s_conn_free(&c);
	setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
	rc = gl_k8s_conn_load(GL_K8S_IN_CLUSTER, &c, err, sizeof(err));
	t_check(rc == 0 && !strcmp(c.server, "https://[fd00::1]:443"), "in-cluster: IPv6 in brackets");
	if (!rc)
		gl_k8s_conn_free(&c);
}

/* One Workload named name, from the API or from a file: its errors. */
static size_t load_named(const char *name, bool api)
{
	struct gl_model m;
	struct gl_diags d;
	char doc[512];
	size_t errors;

	snprintf(doc, sizeof(doc), "{\"apiVersion\": \"graylane.io/v1alpha1\", \"kind\": "
		 "\"Workload\", \"metadata\": {\"name\": \"%s\"}, \"spec\": {\"addresses\": "
		 "[\"10.1.2.3\"]}}", name);
	gl_model_init(&m);
	gl_diags_init(&d);
	if (api)
		gl_model_load_api_object("k8s:pods/x", doc, strlen(doc), NULL, &m, &d);
	else
		gl_model_load_buffer("file.yaml", doc, strlen(doc), &m, &d);
	errors = gl_diags_errors(&d);
	if (errors && api && d.n && strcmp(d.v[0].file, "k8s:pods/x"))
		errors = 1000;	/* the source must be named */
	gl_model_free(&m);
	gl_diags_free(&d);
	return errors;
}

static void test_names(void)
{
	t_check(load_named("shop/a-gray-6b8d9", true) == 0, "an API object: NAMESPACE/NAME");
	t_check(load_named("shop/a/b", true) == 1, "an API object: one '/' only");
	t_check(load_named("Shop/a", true) == 1, "an API object: the namespace a DNS name");
	t_check(load_named("shop/", true) == 1, "an API object: an empty name");
	t_check(load_named("shop/a", false) == 1, "a file's name has no '/'");
	t_check(load_named("a-gray", false) == 0, "a file's plain name");
}

/* A pod with two good addresses and a bad one: as text, then
 * from its kept tree into a second model after the first is gone. */
static void test_copy(void)
{
	static const char doc[] =
		"{\"apiVersion\": \"graylane.io/v1alpha1\", \"kind\": \"Workload\", "
		"\"metadata\": {\"name\": \"shop/a-gray-1\", \"labels\": {\"app\": \"a\", "
		"\"traffic.opensergo.io/label\": \"gray\", \"x/y/z\": \"v\"}}, "
		"\"spec\": {\"addresses\": [\"10.1.2.3\", \"fd00::7\", \"10.1.2\"]}}";
	struct gl_model m[2];
	struct gl_diags d[2];
	struct gl_ydoc *copy = NULL, *none = NULL;
	struct gl_arena tree = { 0 };
	bool same = true;

	for (int i = 0; i < 2; i++) {
		gl_model_init(&m[i]);
		gl_diags_init(&d[i]);
	}
	gl_model_load_api_copy("k8s:pods/shop/a-gray-1", doc, strlen(doc), &tree, &m[0], &d[0],
			       &copy);
	gl_arena_free(&tree);
	t_check(copy != NULL, "the document is kept parsed");
	if (copy)
		gl_model_load_api_tree("k8s:pods/shop/a-gray-1", copy, &m[1], &d[1]);
	same = d[0].n == d[1].n && d[0].n == 1 && m[0].nworkloads == 1 && m[1].nworkloads == 1;
	for (size_t i = 0; same && i < d[0].n; i++)
		same = d[0].v[i].line == d[1].v[i].line && d[0].v[i].col == d[1].v[i].col &&
		       d[0].v[i].col > 1 && !strcmp(d[0].v[i].msg, d[1].v[i].msg) &&
		       !strcmp(d[1].v[i].file, "k8s:pods/shop/a-gray-1");
	if (same) {
		const struct gl_workload_def *a = m[0].workloads[0], *b = m[1].workloads[0];

		same = !strcmp(a->meta.name, b->meta.name) && a->naddrs == 2 && b->naddrs == 2 &&
		       !memcmp(a->addrs[1].addr, b->addrs[1].addr, 16) &&
		       a->meta.labels.n == 3 && b->meta.labels.n == 3 &&
		       !strcmp(b->meta.labels.v[1].value, "gray") && b->label_lane &&
		       !strcmp(b->label_lane, "gray");
	}
	t_check(same, "loaded from the kept tree: the same workload, the same problem at "
		"the same line and column");
	gl_model_load_api_copy("k8s:pods/x", "{\"a\": [", 8, NULL, &m[1], &d[1], &none);
	t_check(none == NULL, "a syntax error: nothing kept");
	free(copy);
	for (int i = 0; i < 2; i++) {
		gl_model_free(&m[i]);
		gl_diags_free(&d[i]);
	}
}

int main(void)
{
	char err[256];
	struct gl_k8s_conn c;

	if (!mkdtemp(dir))
		return 1;
	test_current_context();
	test_token_insecure();
	expect_error("no current-context", "clusters: []\n", "no current-context");
	expect_error("a context naming a missing cluster",
		     "contexts: [{name: c, context: {cluster: nope}}]\ncurrent-context: c\n",
		     "not in clusters");
	expect_error("a cluster without a server",
		     "clusters: [{name: x, cluster: {}}]\n"
		     "contexts: [{name: c, context: {cluster: x}}]\ncurrent-context: c\n", "no server");
	expect_error("bad base64", "clusters: [{name: x, cluster: {server: 'https://a', "
		     "certificate-authority-data: '@@@'}}]\n"
		     "contexts: [{name: c, context: {cluster: x}}]\ncurrent-context: c\n", "base64");
	expect_error("YAML syntax error: file:line:col", "clusters: [\n", "kcbad:");
	t_check(gl_k8s_conn_load("/nonexistent/kc", &c, err, sizeof(err)) < 0 &&
		strstr(err, "cannot read kubeconfig /nonexistent/kc"), "a missing kubeconfig: says which");
	test_in_cluster();
	test_names();
	test_copy();
	unlink(write_kc("kc1", ""));
	unlink(write_kc("kc2", ""));
	unlink(write_kc("kcbad", ""));
	rmdir(dir);
	return t_done();
}
