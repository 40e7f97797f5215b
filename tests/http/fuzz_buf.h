/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared by the HTTP fuzzers (fuzz_http, fuzz_http_resp): CHECK, which
 * aborts with the failed condition and its place, and fill, which puts
 * bytes at the start of a GL_HTTP_BUF_SIZE buffer and ASan-poisons the rest
 * so that any read past them is a crash.
 */
#ifndef GL_FUZZ_BUF_H
#define GL_FUZZ_BUF_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sanitizer/asan_interface.h>

#include "lib/http.h"

#define CHECK(cond)								\
	do {									\
		if (!(cond)) {							\
			fprintf(stderr, "%s:%d: check failed: %s\n",		\
				__FILE__, __LINE__, #cond);			\
			abort();						\
		}								\
	} while (0)

/* bytes [n, size) of a buffer may not be read */
static void __attribute__((unused)) fill(__u8 *b, const __u8 *data, size_t n)
{
	ASAN_UNPOISON_MEMORY_REGION(b, GL_HTTP_BUF_SIZE);
	memset(b, 0, GL_HTTP_BUF_SIZE);
	memcpy(b, data, n);
	ASAN_POISON_MEMORY_REGION(b + n, GL_HTTP_BUF_SIZE - n);
}

#endif /* GL_FUZZ_BUF_H */
