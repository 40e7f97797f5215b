/* SPDX-License-Identifier: Apache-2.0 */
/* JSON output shared by the commands' --json forms. */
#ifndef GL_JSON_H
#define GL_JSON_H

#include <stdio.h>

/* An RFC 8259 string: quotes, backslash and control characters escaped; NULL prints "". */
void gl_json_str(FILE *out, const char *s);

#endif
