/* SPDX-License-Identifier: Apache-2.0 */
/* graylaned's Prometheus endpoint (metrics_http.c). */
#ifndef GL_METRICS_HTTP_H
#define GL_METRICS_HTTP_H

#include <stddef.h>

#define GL_METRICS_DEFAULT "127.0.0.1:9479"

/* A listening socket on spec (HOST:PORT, [V6]:PORT, port 0 for any); the
 * address bound in bound. -1 with a one-line reason in err. */
int gl_metrics_listen(const char *spec, char *bound, size_t boundlen, char *err, size_t errlen);
/* Serves GET /metrics on fd from a thread of its own; 0 or a negative errno. */
int gl_metrics_start(int fd, const char *pin_root);

#endif
