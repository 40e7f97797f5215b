/* SPDX-License-Identifier: Apache-2.0 */
/*
 * This node's name, as graylaned and graylane both take it: the one given,
 * else $NODE_NAME (what a DaemonSet sets from spec.nodeName), else the host
 * name. It names the node to the API server, and seeds which endpoints a
 * lane too large for the data path keeps (user/plan/sample.c).
 */
#ifndef GL_NODE_H
#define GL_NODE_H

#include <stddef.h>

/* given, $NODE_NAME or the host name (in buf); NULL when none can be had. */
const char *gl_node_name(const char *given, char *buf, size_t len);

#endif
