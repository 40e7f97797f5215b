/* SPDX-License-Identifier: Apache-2.0 */
/* Sockets between graylane's processes: one message with or without a file
 * descriptor (SCM_RIGHTS), a socket drained, a socket's cookie. */
#ifndef GL_COMMON_SOCK_H
#define GL_COMMON_SOCK_H

#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>

/* buf[0..len) in one sendmsg, with fd (>= 0) as SCM_RIGHTS: what sendmsg
 * returns. */
ssize_t gl_sock_send_fd(int s, const void *buf, size_t len, int fd);
/* One recvmsg into buf (up to len bytes), the descriptor it carried into
 * *fd (close-on-exec; else -1): what recvmsg returns; *trunc set when the
 * message or its control data did not fit. */
ssize_t gl_sock_recv_fd(int s, void *buf, size_t len, int *fd, int *trunc);
/* Reads and drops whatever is queued on socket fd (-1: nothing), without
 * waiting: the park sink, whose bytes are kept in gl_park. */
void gl_sock_drain(int fd);
/* A socket's cookie (SO_COOKIE), or 0. */
__u64 gl_sock_cookie(int fd);

#endif
