// SPDX-License-Identifier: Apache-2.0
/*
 * graylaned --metrics ADDR: GET /metrics answered with the Prometheus text of
 * user/sync/metrics.c, from a thread of its own so a slow scraper never
 * delays a rule change. One connection at a time, each with 2 s timeouts;
 * everything comes from the pinned maps, nothing is shared with the main loop.
 */
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "metrics_http.h"
#include "sync/metrics.h"

struct srv {
	int fd;
	const char *pin_root;
};

/* HOST:PORT or [V6]:PORT, numeric only; the listening socket or -1 with err set. */
int gl_metrics_listen(const char *spec, char *bound, size_t boundlen, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE };
	char host[256], serv[16];
	const char *colon = strrchr(spec, ':');
	struct addrinfo *ai = NULL;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int fd = -1, one = 1, rc;
	size_t hl;

	if (!colon || !colon[1] || strlen(colon + 1) >= sizeof(serv))
		goto bad;
	hl = (size_t)(colon - spec);
	if (hl >= 2 && spec[0] == '[' && spec[hl - 1] == ']')
		spec++, hl -= 2;
	if (hl >= sizeof(host))
		goto bad;
	snprintf(host, sizeof(host), "%.*s", (int)hl, spec);
	snprintf(serv, sizeof(serv), "%s", colon + 1);
	rc = getaddrinfo(host, serv, &hints, &ai);
	if (rc) {
		snprintf(err, errlen, "--metrics %s: %s", spec, gai_strerror(rc));
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 16) ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl) ||
	    getnameinfo((struct sockaddr *)&ss, sl, host, sizeof(host), serv, sizeof(serv),
			NI_NUMERICHOST | NI_NUMERICSERV)) {
		snprintf(err, errlen, "cannot listen on %s: %s", spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return -1;
	}
	snprintf(bound, boundlen, strchr(host, ':') ? "[%s]:%s" : "%s:%s", host, serv);
	freeaddrinfo(ai);
	return fd;
bad:
	snprintf(err, errlen, "--metrics '%s': want HOST:PORT (e.g. 127.0.0.1:9479, [::1]:9479)",
		 spec);
	return -1;
}

static void reply(int c, const char *status, const char *type, const char *body, size_t n)
{
	char h[256];
	int hl = snprintf(h, sizeof(h), "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			  "Connection: close\r\n\r\n", status, type, n);

	if (send(c, h, (size_t)hl, MSG_NOSIGNAL) != hl)
		return;
	while (n) {
		ssize_t w = send(c, body, n, MSG_NOSIGNAL);

		if (w <= 0)
			return;
		body += w;
		n -= (size_t)w;
	}
}

/* One request: its head read (up to 8 KiB), GET /metrics answered. */
static void serve_one(const struct srv *s, int c)
{
	struct timeval tv = { .tv_sec = 2 };
	char req[8192], *body = NULL;
	size_t have = 0, n = 0;
	FILE *m;

	setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	while (have < sizeof(req) - 1) {
		ssize_t r = recv(c, req + have, sizeof(req) - 1 - have, 0);

		if (r <= 0)
			return;
		have += (size_t)r;
		req[have] = 0;
		if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n"))
			break;
	}
	if (strncmp(req, "GET ", 4)) {
		reply(c, "405 Method Not Allowed", "text/plain", "GET only\n", 9);
		return;
	}
	if (strncmp(req + 4, "/metrics ", 9) && strncmp(req + 4, "/metrics?", 9)) {
		reply(c, "404 Not Found", "text/plain", "see /metrics\n", 13);
		return;
	}
	m = open_memstream(&body, &n);
	if (!m || gl_metrics_write(s->pin_root, m)) {
		if (m)
			fclose(m);
		free(body);
		reply(c, "503 Service Unavailable", "text/plain", "maps unreadable\n", 16);
		return;
	}
	fclose(m);
	reply(c, "200 OK", "text/plain; version=0.0.4; charset=utf-8", body, n);
	free(body);
}

static void *serve(void *arg)
{
	struct srv *s = arg;

	for (;;) {
		int c = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC);

		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE)
				continue;
			return NULL;
		}
		serve_one(s, c);
		close(c);
	}
}

int gl_metrics_start(int fd, const char *pin_root)
{
	static struct srv s;
	pthread_attr_t a;
	pthread_t t;
	int rc;

	s.fd = fd;
	s.pin_root = pin_root;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&t, &a, serve, &s);
	pthread_attr_destroy(&a);
	return -rc;
}
