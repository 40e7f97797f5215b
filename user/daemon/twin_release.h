/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The release socket (twin.h): how the daemon writes a held request into
 * the connection it was held from, at its turn. A loopback TCP pair in the
 * daemon's own network namespace; its client end is in gl_sockhash with a
 * gl_sock of proto GL_SOCK_RELEASE, so sk_msg redirects what the daemon
 * sends on it into the egress of the socket named in that gl_sock
 * (bpf/lib/twin.bpf.h, gl_twin_release). Nothing it carries leaves the
 * machine: a failed redirect lands on the daemon's other end, dropped.
 */
#ifndef GL_DAEMON_TWIN_RELEASE_H
#define GL_DAEMON_TWIN_RELEASE_H

#include <stddef.h>
#include <linux/types.h>

struct gl_release;

/* A release socket on the pinned maps gl_sockhash and gl_sock (fds), or
 * NULL with errno set. */
struct gl_release *gl_release_open(int sockhash, int sock);
void gl_release_close(struct gl_release *r);

/* buf[0..len) sent out on the socket whose cookie is `cookie`, whole: 0, or
 * -errno (-EPIPE: not all of it went, or none; the connection's stream is
 * then not to be trusted). */
int gl_release_write(struct gl_release *r, __u64 cookie, const void *buf, size_t len);

#endif
