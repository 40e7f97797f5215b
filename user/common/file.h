/* SPDX-License-Identifier: Apache-2.0 */
/* A whole file read into memory. */
#ifndef GL_FILE_H
#define GL_FILE_H

#include <stddef.h>

/* path's bytes, NUL-terminated (malloc'd; *len, when given, the byte count
 * without the NUL), or NULL with errno set. */
char *gl_read_file(const char *path, size_t *len);

#endif
