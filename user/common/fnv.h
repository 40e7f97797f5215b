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

/* h after n zero bytes: XOR with 0 changes nothing, so h * prime^n. */
static inline uint64_t gl_fnv64_zeros(uint64_t h, size_t n)
{
	for (uint64_t p = 0x100000001b3ULL; n; n >>= 1, p *= p)
		if (n & 1)
			h *= p;
	return h;
}

/*
 * gl_fnv64, in a few multiplications per run of zero words: the same value,
 * several times faster over fixed-size map values, which are mostly zeros.
 */
static inline uint64_t gl_fnv64_sparse(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t zeros = 0, i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w;

		memcpy(&w, b + i, sizeof(w));
		if (!w) {
			zeros += 8;
			continue;
		}
		h = gl_fnv64(gl_fnv64_zeros(h, zeros), b + i, 8);
		zeros = 0;
	}
	return gl_fnv64(gl_fnv64_zeros(h, zeros), b + i, n - i);
}

static inline uint64_t gl_fnv64_str(uint64_t h, const char *s)
{
	return gl_fnv64(h, s, strlen(s));
}

#endif
