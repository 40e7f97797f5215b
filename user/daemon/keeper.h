/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The twin keeper (DESIGN.md, Decisions 4): a small process of its own,
 * started by graylaned, that holds a second reference to every twin socket
 * and the sink parked requests land in, so that twins outlive the daemon.
 * A daemon killed (SIGKILL, a crash) or restarted leaves its twins open:
 * replies already owed on them still reach their clients (the kernel
 * redirects them, no daemon needed), a request parked while no daemon runs
 * waits in gl_park for the next one, and the next daemon takes the twins
 * over from the keeper. The keeper exits when the pin root is removed
 * (graylane uninstall), or when it holds nothing a daemon could want.
 *
 * Wire: a SOCK_SEQPACKET socket in the abstract namespace named after the
 * pin root; one struct gl_keep_msg per packet, a socket with GL_KEEP_HOLD
 * and GL_KEEP_HELD as SCM_RIGHTS. Both ends check the other runs as their
 * own user (SO_PEERCRED): no other user can take twins or hand it sockets.
 * On connect the keeper sends every twin it holds (GL_KEEP_HELD), then
 * GL_KEEP_END; the daemon then sends GL_KEEP_HOLD for each twin it opens
 * and GL_KEEP_DROP for each it closes.
 */
#ifndef GL_DAEMON_KEEPER_H
#define GL_DAEMON_KEEPER_H

#include <stdbool.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <linux/types.h>

#include "common/keeper_addr.h"

enum gl_keep_op {
	GL_KEEP_HOLD = 1,	/* daemon -> keeper: hold this twin (with its socket) */
	GL_KEEP_DROP,		/* daemon -> keeper: close the twin whose cookie is `own` */
	GL_KEEP_HELD,		/* keeper -> daemon: a twin it holds (with its socket) */
	GL_KEEP_END,		/* keeper -> daemon: no more held */
};

struct gl_keep_msg {
	__u32 op;		/* enum gl_keep_op */
	__u32 tgid;		/* the original's process */
	__u64 cookie;		/* the original socket's */
	__u64 own;		/* the twin's socket cookie */
	__u16 lane;		/* the twin's endpoint lane */
	__u16 pad[3];
};

/* One message, with a socket (fd >= 0) as SCM_RIGHTS: 0, or -errno. */
int gl_keep_send(int s, const struct gl_keep_msg *m, int fd);
/* One message into m, the socket it carried into *fd (else -1): 1, 0 at
 * the end of the stream, or -errno. */
int gl_keep_recv(int s, struct gl_keep_msg *m, int *fd);
/* The peer of a connected unix socket runs as this process's user. */
bool gl_keep_peer_ok(int s);

/* graylaned --twin-keeper: the keeper's life; its exit code. */
int gl_keeper_main(const char *pin_root);

/* The daemon's end. */
struct gl_keep;

/*
 * Connects to the keeper of pin_root, starting one (argv, run as
 * /proc/self/exe) when none answers. NULL when neither works (logged): the
 * daemon then holds twins alone, as they close with it.
 */
struct gl_keep *gl_keep_open(const char *pin_root, char *const argv[]);
/* The twins it holds, one per call: 1 (its socket in *fd, the daemon's
 * to close), 0 after the last, or -errno. */
int gl_keep_next(struct gl_keep *k, struct gl_keep_msg *m, int *fd);
/* Asks it to hold or drop a twin: 0, or -errno (the keeper is gone). */
int gl_keep_hold(struct gl_keep *k, const struct gl_keep_msg *m, int fd);
int gl_keep_drop(struct gl_keep *k, __u64 own);
void gl_keep_close(struct gl_keep *k);

#endif
