/* SPDX-License-Identifier: Apache-2.0 */
/* graylane dump: every pinned map, decoded. */
#ifndef GL_DUMP_H
#define GL_DUMP_H

#include <stdio.h>

/* map: NULL for all, or a map name ("gl_backends" or "backends"). */
int gl_dump(const char *pin_root, const char *map, int json, FILE *out);

#endif
