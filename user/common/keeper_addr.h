/* SPDX-License-Identifier: Apache-2.0 */
/* The twin keeper's address (user/daemon/keeper.h): an abstract unix socket
 * named after the pin root, which the daemon dials and `graylane status`
 * looks for. */
#ifndef GL_COMMON_KEEPER_ADDR_H
#define GL_COMMON_KEEPER_ADDR_H

#include <sys/socket.h>
#include <sys/un.h>

#define GL_KEEP_VERSION 1	/* in the socket's name: a keeper of another wire is not met */

/* The keeper's socket address for pin_root: its length. */
socklen_t gl_keep_addr(const char *pin_root, struct sockaddr_un *a);

#endif
