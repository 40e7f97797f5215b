/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Opening one twin (twin.h): a short-lived child of the daemon, born in the
 * original connection's cgroup (that of the process that connected it),
 * enters its network namespace, binds the original's source address, sets
 * TCP_NODELAY (without it each redirected request waits ~40 ms,
 * KERNEL-NOTES) and connects to the address the original dialed. connect4
 * sees the child's tgid in gl_twin_pending and steers the connect to the
 * asked lane; sockops registers it in gl_twins. The child hands the socket
 * to the daemon (SCM_RIGHTS).
 *
 * Asynchronous: gl_twin_open_start forks the child and returns; the daemon
 * polls the opening's fd and calls gl_twin_open_finish when it is readable
 * or its deadline has passed, so one slow connect (an endpoint that drops
 * SYNs) holds up no other twin and no other event.
 */
#ifndef GL_DAEMON_TWIN_OPEN_H
#define GL_DAEMON_TWIN_OPEN_H

#include <sys/types.h>
#include <graylane/abi.h>

#define GL_TWIN_OPEN_MS 600	/* an opening's deadline (the child's connect: 400 ms) */

struct gl_twin_opening {
	struct gl_twin_event ev;	/* what the kernel asked for */
	pid_t pid;			/* the child */
	int sp;				/* the daemon's end of the child's socket pair: poll it */
	double deadline_ms;		/* gl_now_ms() past which the opening failed */
};

/* Forks the child for ev (*migrate: clone3 refused, so fork and join the
 * cgroup; set here when clone3 is found refused): 0, or -errno (nothing to
 * finish). pending: the gl_twin_pending map's fd. */
int gl_twin_open_start(struct gl_twin_opening *o, const struct gl_twin_event *ev,
		       const char *cg2, int pending, int *migrate);
/* The opening's end: the twin's socket, or -errno (-ETIMEDOUT when nothing
 * came). The child reaped, its pending entry removed. */
int gl_twin_open_finish(struct gl_twin_opening *o, int pending);

#endif
