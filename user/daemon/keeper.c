// SPDX-License-Identifier: Apache-2.0
/*
 * The twin keeper's process (keeper.h): graylaned --twin-keeper. It holds
 * a reference to every twin the daemon opened and to the sink parked
 * requests are redirected into, so neither closes with the daemon. Only
 * system calls and the pinned maps: no rules, no BPF objects of its own.
 *
 * While a daemon is connected the daemon decides (it asks for each hold and
 * drop). While none is, the keeper closes twins whose original is gone and
 * those their server closed owing nothing; one owing a response is left for
 * the next daemon, which shuts its original (user/daemon/twin.c).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include <bpf/bpf.h>
#include <graylane/abi.h>

#include "common/sock.h"
#include "keeper.h"
#include "log.h"

#define GL_KEEP_TICK_MS 250

struct held {
	struct gl_keep_msg m;
	int fd;
};

static struct {
	char pin[4096];
	struct held *v;
	unsigned int n, cap;
	int sink[2];		/* parked requests land in sink[0]: read and dropped */
	int conn;		/* the daemon, or -1 */
} K = { .sink = { -1, -1 }, .conn = -1 };

static int pinned(const char *name)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/%s", K.pin, name);
	return bpf_obj_get(path);
}

/* The sink in gl_sink (again after a daemon rebuilt its maps): 0, or -errno. */
static int register_sink(void)
{
	__u32 zero = 0;
	__u64 fd;
	int map, rc;

	if (K.sink[0] < 0 &&
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, K.sink))
		return -errno;
	map = pinned("gl_sink");
	if (map < 0)
		return -errno;
	fd = (__u64)K.sink[0];
	rc = bpf_map_update_elem(map, &zero, &fd, BPF_ANY) ? -errno : 0;
	close(map);
	return rc;
}

/* gl_sink holds this keeper's sink (not a daemon's of its own, nor a newer keeper's). */
static bool sink_ours(void)
{
	__u32 zero = 0;
	__u64 have = 0;
	int map = pinned("gl_sink");
	bool ours;

	if (map < 0)
		return false;
	ours = !bpf_map_lookup_elem(map, &zero, &have) && have == gl_sock_cookie(K.sink[0]);
	close(map);
	return ours;
}

static void hold(const struct gl_keep_msg *m, int fd)
{
	struct held *v;

	if (K.n == K.cap) {
		v = realloc(K.v, (K.cap ? K.cap * 2 : 64) * sizeof(*v));
		if (!v) {
			gl_log(GL_LOG_WARN, "twin keeper: out of memory: a twin is held by the "
			       "daemon alone");
			close(fd);
			return;
		}
		K.v = v;
		K.cap = K.cap ? K.cap * 2 : 64;
	}
	K.v[K.n++] = (struct held){ .m = *m, .fd = fd };
}

static void drop(unsigned int i)
{
	close(K.v[i].fd);
	K.v[i] = K.v[--K.n];
}

static void drop_own(__u64 own)
{
	for (unsigned int i = K.n; i-- > 0;)
		if (K.v[i].m.own == own)
			drop(i);
}

/* A daemon connected: it replaces any before it, and is told what is held. */
static void greet(int s)
{
	struct gl_keep_msg end = { .op = GL_KEEP_END };
	int rc;

	if (!gl_keep_peer_ok(s)) {
		gl_log(GL_LOG_WARN, "twin keeper: refused a connection from another user");
		close(s);
		return;
	}
	if (K.conn >= 0)
		close(K.conn);
	K.conn = s;
	rc = register_sink();
	if (rc)
		gl_log(GL_LOG_WARN, "twin keeper: cannot add the park sink (%s)", strerror(-rc));
	for (unsigned int i = 0; i < K.n; i++) {
		struct gl_keep_msg m = K.v[i].m;

		m.op = GL_KEEP_HELD;
		if (gl_keep_send(s, &m, K.v[i].fd))
			break;
	}
	if (gl_keep_send(s, &end, -1)) {
		close(K.conn);
		K.conn = -1;
	}
	gl_log_kv(GL_LOG_INFO, "twin keeper: a daemon connected", "event=keeper_handover twins=%u",
		  K.n);
}

static void from_daemon(void)
{
	struct gl_keep_msg m;
	int fd, rc = gl_keep_recv(K.conn, &m, &fd);

	if (rc <= 0) {
		if (rc == -EAGAIN || rc == -EINTR)
			return;
		close(K.conn);
		K.conn = -1;
		gl_log_kv(GL_LOG_INFO, "twin keeper: the daemon is gone; twins kept",
			  "event=keeper_alone twins=%u", K.n);
		return;
	}
	if (m.op == GL_KEEP_HOLD && fd >= 0) {
		hold(&m, fd);
		return;
	}
	if (fd >= 0)
		close(fd);
	if (m.op == GL_KEEP_DROP)
		drop_own(m.own);
}

/* No daemon: twins of a closed original, or closed by their server owing
 * nothing, are closed. */
static void sweep_alone(void)
{
	int rx = pinned("gl_rx");
	struct gl_rx r;

	if (rx < 0)
		return;
	for (unsigned int i = K.n; i-- > 0;) {
		struct pollfd p = { .fd = K.v[i].fd, .events = POLLRDHUP };

		if (bpf_map_lookup_elem(rx, &K.v[i].m.cookie, &r)) {
			drop(i);
			continue;
		}
		if (poll(&p, 1, 0) == 1 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) &&
		    (bpf_map_lookup_elem(rx, &K.v[i].m.own, &r) || r.sent == r.done))
			drop(i);
	}
	close(rx);
}

/* The pin root holds the data path's maps. */
static bool pinned_here(void)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/gl_rx", K.pin);
	return access(path, F_OK) == 0;
}

/* The pin root is gone (uninstalled), or nothing held is of use to anyone. */
static bool done(void)
{
	if (!pinned_here())
		return true;
	return K.conn < 0 && K.n == 0 && !sink_ours();
}

int gl_keeper_main(const char *pin_root)
{
	struct sockaddr_un a;
	socklen_t len = gl_keep_addr(pin_root, &a);
	int l, rc = -1;

	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	snprintf(K.pin, sizeof(K.pin), "%s", pin_root);
	l = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	/* another keeper of this pin root (one started by a daemon before this
	 * container was up, say): its twins go with it, then this one serves */
	for (int said = 0; l >= 0 && (rc = bind(l, (struct sockaddr *)&a, len)) &&
	     errno == EADDRINUSE; said = 1) {
		if (!said)
			gl_log(GL_LOG_INFO, "twin keeper: another keeper serves %s; waiting", K.pin);
		sleep(1);
	}
	/* a bind refused otherwise is an error: listen would bind a name of its own */
	if (l < 0 || rc || listen(l, 4)) {
		gl_log(GL_LOG_ERROR, "twin keeper: cannot listen: %s", strerror(errno));
		return 1;
	}
	/* started before any daemon pinned its maps (a container of its own) */
	for (int said = 0; !pinned_here(); said = 1) {
		if (!said)
			gl_log(GL_LOG_INFO, "twin keeper: waiting for the pins under %s", K.pin);
		usleep(GL_KEEP_TICK_MS * 1000);
	}
	gl_log_kv(GL_LOG_INFO, "twin keeper started", "event=keeper_start pid=%d pin_root=%s",
		  (int)getpid(), K.pin);
	rc = register_sink();
	if (rc)
		gl_log(GL_LOG_WARN, "twin keeper: cannot add the park sink (%s)", strerror(-rc));
	while (!done()) {
		struct pollfd p[3] = {
			{ .fd = l, .events = POLLIN },
			{ .fd = K.conn, .events = POLLIN },
			{ .fd = K.sink[0], .events = POLLIN },
		};

		if (poll(p, 3, GL_KEEP_TICK_MS) < 0 && errno != EINTR)
			break;
		if (p[0].revents & POLLIN) {
			int s = accept4(l, NULL, NULL, SOCK_CLOEXEC);

			if (s >= 0)
				greet(s);
		}
		if (K.conn >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR)))
			from_daemon();
		if (p[2].revents & POLLIN)
			gl_sock_drain(K.sink[0]);
		if (K.conn < 0)
			sweep_alone();
	}
	gl_log_kv(GL_LOG_INFO, "twin keeper exits", "event=keeper_exit twins=%u", K.n);
	return 0;
}
