/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Case bookkeeping shared by the parser tests (tests/http, tests/sql): one
 * line per case ("ok   NAME" or "FAIL NAME: why"), the first failed
 * expectation of a case as its reason, and the counts for the final
 * "N passed, M failed" line that tests/run.sh reads.
 */
#ifndef GL_TESTS_CASES_H
#define GL_TESTS_CASES_H

#include <stdarg.h>
#include <stdio.h>

static int passed, failed;
static char why[1024];

/* Ends a case: counts it and prints its line; the reason is cleared. */
static void __attribute__((unused)) result(const char *name, int ok)
{
	if (ok) {
		passed++;
		printf("ok   %s\n", name);
	} else {
		failed++;
		printf("FAIL %s: %s\n", name, why[0] ? why : "check failed");
	}
	why[0] = 0;
}

/* Records the first failed expectation of a case; returns cond. */
static int __attribute__((unused, format(printf, 2, 3))) expect(int cond, const char *fmt, ...)
{
	va_list ap;

	if (cond)
		return 1;
	if (!why[0]) {
		va_start(ap, fmt);
		vsnprintf(why, sizeof(why), fmt, ap);
		va_end(ap);
	}
	return 0;
}

#endif
