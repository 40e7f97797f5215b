// SPDX-License-Identifier: Apache-2.0
/*
 * One GET to the API server over libcurl: TLS with the kubeconfig's CA,
 * client certificate or bearer token, connect and silence timeouts, the
 * body handed on chunk by chunk (a watch is a response that does not end).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>

#include "k8s_int.h"

int gl_k8s_http_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -EIO;
}

struct xfer {
	const struct gl_k8s_get *g;
	CURL *h;
	bool stopped;			/* body() asked to stop */
};

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	long status = 0;

	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
	if (x->g->body(x->g->arg, status, data, size * n)) {
		x->stopped = true;
		return 0;	/* CURLE_WRITE_ERROR: ends the transfer */
	}
	return size * n;
}

static int on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	const struct xfer *x = arg;

	(void)dt, (void)dn, (void)ut, (void)un;
	return x->g->stop && *x->g->stop;
}

/* The token file's first line (a projected token is rotated: read each time). */
static char *read_token(const char *path)
{
	FILE *f = fopen(path, "re");
	char buf[8192];
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	buf[strcspn(buf, "\r\n")] = 0;
	return strdup(buf);
}

static void set_tls(CURL *h, const struct gl_k8s_conn *c)
{
	struct curl_blob b = { .flags = CURL_BLOB_COPY };

	if (c->ca_data) {
		b.data = c->ca_data, b.len = c->ca_len;
		curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &b);
	} else if (c->ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
	if (c->cert_data) {
		b.data = c->cert_data, b.len = c->cert_len;
		curl_easy_setopt(h, CURLOPT_SSLCERT_BLOB, &b);
		curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
	} else if (c->cert_file)
		curl_easy_setopt(h, CURLOPT_SSLCERT, c->cert_file);
	if (c->key_data) {
		b.data = c->key_data, b.len = c->key_len;
		curl_easy_setopt(h, CURLOPT_SSLKEY_BLOB, &b);
		curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
	} else if (c->key_file)
		curl_easy_setopt(h, CURLOPT_SSLKEY, c->key_file);
	if (c->insecure) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
}

static struct curl_slist *headers(const struct gl_k8s_conn *c)
{
	struct curl_slist *hs = curl_slist_append(NULL, "Accept: application/json");
	char *tok = c->token_file ? read_token(c->token_file) : NULL;
	const char *t = tok ? tok : c->token;
	char *line;

	if (t && *t && asprintf(&line, "Authorization: Bearer %s", t) >= 0) {
		hs = curl_slist_append(hs, line);
		free(line);
	}
	free(tok);
	return curl_slist_append(hs, "User-Agent: graylaned");
}

static void set_request(CURL *h, const struct gl_k8s_get *g, const char *url,
			struct curl_slist *hs, struct xfer *x)
{
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hs);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, x);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, g->timeout_s);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, g->silence_s);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);	/* a dead peer on a quiet watch */
	curl_easy_setopt(h, CURLOPT_TCP_KEEPIDLE, 15L);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPINTVL, 5L);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");	/* gzip when the server offers */
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https,http");
}

int gl_k8s_http_get(const struct gl_k8s_get *g, long *status, char *err, size_t errlen)
{
	struct xfer x = { .g = g };
	struct curl_slist *hs;
	char *url;
	CURLcode rc;

	*status = 0;
	if (asprintf(&url, "%s%s", g->c->server, g->url_path) < 0)
		return -ENOMEM;
	x.h = curl_easy_init();
	hs = headers(g->c);
	if (!x.h || !hs) {
		curl_slist_free_all(hs);
		curl_easy_cleanup(x.h);
		free(url);
		return -ENOMEM;
	}
	set_request(x.h, g, url, hs, &x);
	set_tls(x.h, g->c);
	rc = curl_easy_perform(x.h);
	curl_easy_getinfo(x.h, CURLINFO_RESPONSE_CODE, status);
	if (rc != CURLE_OK && !x.stopped)
		snprintf(err, errlen, "%s", curl_easy_strerror(rc));
	curl_slist_free_all(hs);
	curl_easy_cleanup(x.h);
	free(url);
	if (rc == CURLE_OK || x.stopped)
		return 0;
	return rc == CURLE_ABORTED_BY_CALLBACK ? -ECANCELED :
	       rc == CURLE_OPERATION_TIMEDOUT ? -ETIMEDOUT : -EIO;
}
