// SPDX-License-Identifier: Apache-2.0
/*
 * graylane explain --rules DIR --from WORKLOAD --to ADDR[:PORT] [-H 'k: v' ...]
 * [--method M] [--path P] [--cookie C] [--json]: the request head built from
 * the options, then what the data path does with it (explain.c): its lane
 * and why, the endpoints of the call to ADDR, the header line the request
 * leaves with.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "explain.h"

#define HEAD_MAX 65536

/* ADDR, ADDR:PORT, [V6] or [V6]:PORT; the port defaults to 80. */
static int parse_to(const char *s, struct gl_explain_req *rq, char *host, size_t hostlen)
{
	char a[INET6_ADDRSTRLEN + 8];
	const char *port = NULL, *end;
	unsigned long n = 80;

	if (*s == '[') {
		end = strchr(s, ']');
		if (!end || (end[1] && end[1] != ':'))
			return -1;
		port = end[1] ? end + 2 : NULL;
		s++;
	} else {
		end = strchr(s, ':');
		if (end && strchr(end + 1, ':'))
			end = s + strlen(s);	/* a bare IPv6 address */
		else
			port = end ? end + 1 : NULL;
		end = end ? end : s + strlen(s);
	}
	if ((size_t)(end - s) >= sizeof(a))
		return -1;
	snprintf(a, sizeof(a), "%.*s", (int)(end - s), s);
	if (port) {
		char *e;

		n = strtoul(port, &e, 10);
		if (!*port || *e || n == 0 || n > 65535)
			return -1;
	}
	rq->port = (uint16_t)n;
	memset(rq->addr, 0, sizeof(rq->addr));
	if (inet_pton(AF_INET, a, rq->addr) == 1)
		rq->family = GL_FAMILY_INET;
	else if (inet_pton(AF_INET6, a, rq->addr) == 1)
		rq->family = GL_FAMILY_INET6;
	else
		return -1;
	snprintf(host, hostlen, rq->family == GL_FAMILY_INET6 ? "[%s]%s%.0lu" : "%s%s%.0lu", a,
		 n == 80 ? "" : ":", n == 80 ? 0 : n);
	return 0;
}

/* A header line as given: NAME: VALUE, nothing that would end the line. */
static int header_ok(const char *h)
{
	const char *colon = strchr(h, ':');

	if (!colon || colon == h)
		return 0;
	for (const char *p = h; *p; p++)
		if (*p == '\r' || *p == '\n')
			return 0;
	return 1;
}

static int has_host(const struct cli *c)
{
	for (int i = 0; i < c->nheaders; i++)
		if (!strncasecmp(c->headers[i], "host:", 5))
			return 1;
	return 0;
}

/* "METHOD PATH HTTP/1.1", Host (the --to address unless -H gives one), the headers. */
static size_t build_head(const struct cli *c, const char *host, char *out, size_t n)
{
	size_t len = (size_t)snprintf(out, n, "%s %s HTTP/1.1\r\n", c->method ? c->method : "GET",
				      c->path ? c->path : "/");

	if (!has_host(c) && len < n)
		len += (size_t)snprintf(out + len, n - len, "Host: %s\r\n", host);
	for (int i = 0; i < c->nheaders && len < n; i++)
		len += (size_t)snprintf(out + len, n - len, "%s\r\n", c->headers[i]);
	if (len < n)
		len += (size_t)snprintf(out + len, n - len, "\r\n");
	return len < n ? len : n;
}

static int usage(const char *why)
{
	fprintf(stderr, "graylane explain: %s\nusage: graylane explain --rules DIR --from WORKLOAD "
		"--to ADDR[:PORT] [-H 'NAME: VALUE' ...] [--method M] [--path P] [--cookie C] "
		"[--json]\n", why);
	return 2;
}

static int check_args(const struct cli *c)
{
	if (c->argc)
		return usage("no arguments besides the options");
	if (!c->rules || !c->from || !c->to)
		return usage("--rules, --from and --to are required");
	if (c->path && c->path[0] != '/' && c->path[0] != '*' && !strstr(c->path, "://"))
		return usage("--path must begin with '/' (or be '*' or an absolute URL)");
	for (int i = 0; i < c->nheaders; i++)
		if (!header_ok(c->headers[i]))
			return usage("-H wants 'NAME: VALUE' on one line");
	if (c->method)
		for (const char *p = c->method; *p; p++)
			if (!isgraph((unsigned char)*p))
				return usage("--method is one token, e.g. POST");
	return 0;
}

int cmd_explain(struct cli *c)
{
	static char head[HEAD_MAX];
	struct gl_explain_req rq = { .workload = c->from };
	struct gl_explain ex;
	struct gl_plan p;
	char host[INET6_ADDRSTRLEN + 16], err[512];
	int rc = check_args(c);

	if (rc)
		return rc;
	if (parse_to(c->to, &rq, host, sizeof(host)))
		return usage("--to wants ADDR[:PORT], e.g. 10.0.0.1:80 or [fd00::1]:8080");
	rq.head = (const uint8_t *)head;
	rq.len = build_head(c, host, head, sizeof(head));
	memset(&p, 0, sizeof(p));
	if (cli_load_plan(c->node, c->rules, &p, 1)) {
		fprintf(stderr, "graylane explain: the rules in %s do not compile (above)\n", c->rules);
		gl_plan_free(&p);
		return 1;
	}
	rc = gl_explain_run(c->pin_root, &p, &rq, &ex, err, sizeof(err));
	if (rc)
		fprintf(stderr, "graylane explain: %s\n", err);
	else if (c->json)
		gl_explain_print_json(&p, &rq, &ex, c->rules, stdout);
	else
		gl_explain_print_text(&p, &rq, &ex, c->rules, stdout);
	gl_plan_free(&p);
	return rc ? 1 : 0;
}
