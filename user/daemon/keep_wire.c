// SPDX-License-Identifier: Apache-2.0
/* The keeper's wire (keeper.h): one message with or without a socket, and
 * the check of who is at the other end. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "common/sock.h"
#include "keeper.h"

int gl_keep_send(int s, const struct gl_keep_msg *m, int fd)
{
	return gl_sock_send_fd(s, m, sizeof(*m), fd) == (ssize_t)sizeof(*m) ? 0 :
	       -(errno ? errno : EPIPE);
}

int gl_keep_recv(int s, struct gl_keep_msg *m, int *fd)
{
	int trunc;
	ssize_t n = gl_sock_recv_fd(s, m, sizeof(*m), fd, &trunc);

	if (n < 0)
		return -errno;
	if (n == 0)
		return 0;
	if (n != (ssize_t)sizeof(*m) || trunc) {
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		return -EPROTO;
	}
	return 1;
}

bool gl_keep_peer_ok(int s)
{
	struct ucred u;
	socklen_t n = sizeof(u);

	return !getsockopt(s, SOL_SOCKET, SO_PEERCRED, &u, &n) && u.uid == geteuid();
}
