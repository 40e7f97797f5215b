/* SPDX-License-Identifier: Apache-2.0 */
/* What the kernel must offer, each checked by asking it, never by version. */
#ifndef GL_KERNEL_CHECK_H
#define GL_KERNEL_CHECK_H

#include <stdio.h>

/* Prints one line per missing feature ("missing: X (needs Y)") to out;
 * returns the number missing. */
int gl_features_check(FILE *out);

#endif
