/* SPDX-License-Identifier: Apache-2.0 */
/* Monotonic time in milliseconds: what the daemon's durations (apply_ms,
 * effect_ms, list_ms, build_ms) are measured in. */
#ifndef GL_CLOCK_H
#define GL_CLOCK_H

#include <time.h>

static inline double gl_now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

#endif
