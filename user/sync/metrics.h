/* SPDX-License-Identifier: Apache-2.0 */
/* The pinned data path's state as Prometheus text (metrics.c). */
#ifndef GL_METRICS_H
#define GL_METRICS_H

#include <stdio.h>

/* Writes every metric read from the pin root to out; 0, -ENOENT when
 * nothing is installed there, -EIO when a map cannot be read. */
int gl_metrics_write(const char *pin_root, FILE *out);

#endif
