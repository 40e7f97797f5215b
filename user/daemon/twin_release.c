// SPDX-License-Identifier: Apache-2.0
/*
 * The release socket (twin_release.h). Each write names its connection in
 * the client end's gl_sock (peer) and zeroes pos_twin, which the kernel's
 * verdict raises by the bytes it redirected: a write is whole when send()
 * took every byte and the verdict redirected them all.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <bpf/bpf.h>
#include <graylane/abi.h>

#include "common/sock.h"
#include "twin_release.h"

struct gl_release {
	int fd;		/* the client end: in gl_sockhash */
	int peer;	/* the server end: what a failed redirect leaves */
	int sock;	/* gl_sock */
};

/* A connected loopback TCP pair (the listener closed again): 0, or -errno. */
static int loopback_pair(int *client, int *server)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	int l, c = -1, s = -1, one = 1, rc = 0;

	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0)
		return -errno;
	if (bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&a, &al) ||
	    (c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    connect(c, (struct sockaddr *)&a, sizeof(a)) ||
	    (s = accept4(l, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) < 0)
		rc = -errno;
	close(l);
	if (!rc && setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		rc = -errno;
	if (rc) {
		if (c >= 0)
			close(c);
		if (s >= 0)
			close(s);
		return rc;
	}
	*client = c;
	*server = s;
	return 0;
}

struct gl_release *gl_release_open(int sockhash, int sock)
{
	struct gl_release *r = calloc(1, sizeof(*r));
	struct gl_sock s = { .proto = GL_SOCK_RELEASE };
	__u64 key, fd;
	int rc;

	if (!r)
		return NULL;
	r->sock = sock;
	rc = loopback_pair(&r->fd, &r->peer);
	if (rc) {
		free(r);
		errno = -rc;
		return NULL;
	}
	key = gl_sock_cookie(r->fd);
	fd = (__u64)r->fd;
	s.cookie = key;
	if (!key || bpf_map_update_elem(sock, &r->fd, &s, BPF_ANY) ||
	    bpf_map_update_elem(sockhash, &key, &fd, BPF_NOEXIST)) {
		rc = key ? errno : ENOENT;
		gl_release_close(r);
		errno = rc;
		return NULL;
	}
	return r;
}

void gl_release_close(struct gl_release *r)
{
	if (!r)
		return;
	close(r->fd);	/* leaves gl_sockhash with it */
	close(r->peer);
	free(r);
}

int gl_release_write(struct gl_release *r, __u64 cookie, const void *buf, size_t len)
{
	struct gl_sock s;
	ssize_t w;

	if (!r)
		return -ENOTCONN;
	if (bpf_map_lookup_elem(r->sock, &r->fd, &s))
		return -errno;
	s.peer = cookie;
	s.pos_twin = 0;
	if (bpf_map_update_elem(r->sock, &r->fd, &s, BPF_EXIST))
		return -errno;
	/* one send, one verdict: a held request is at most GL_PARK_MAX bytes */
	w = send(r->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	gl_sock_drain(r->peer);
	if (w < 0)
		return -errno;
	if (bpf_map_lookup_elem(r->sock, &r->fd, &s))
		return -errno;
	return (size_t)w == len && s.pos_twin == len ? 0 : -EPIPE;
}
