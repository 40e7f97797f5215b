/* SPDX-License-Identifier: Apache-2.0 */
/* FNV-1a-64: plan digests, change signatures, the label index. */
#ifndef GL_FNV_H
#define GL_FNV_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define GL_FNV64_INIT 0xcbf29ce484222325ULL

static inline uint64_t gl_fnv64(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

static inline uint64_t gl_fnv64_str(uint64_t h, const char *s)
{
	return gl_fnv64(h, s, strlen(s));
}

#endif
