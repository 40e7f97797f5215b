/* SPDX-License-Identifier: Apache-2.0 */
/* The verifier's summary of one program load, from its log (load tests). */
#ifndef GL_TESTS_VERIFIER_H
#define GL_TESTS_VERIFIER_H

#include <stdio.h>
#include <string.h>

/* Writes the summary to out; returns the instructions processed. */
static unsigned int __attribute__((unused)) stats(const char *log, char *out, size_t size)
{
	unsigned int insns = 0, states = 0, us = 0;
	char stack[64] = "?";
	const char *p;

	if ((p = strstr(log, "processed ")))
		sscanf(p, "processed %u insns", &insns);
	if ((p = strstr(log, "total_states ")))
		sscanf(p, "total_states %u", &states);
	if ((p = strstr(log, "stack depth ")))
		sscanf(p, "stack depth %63s", stack);
	if ((p = strstr(log, "verification time ")))
		sscanf(p, "verification time %u", &us);
	snprintf(out, size, "%u insns processed (limit 1000000), %u states, stack %s, %u us",
		 insns, states, stack, us);
	return insns;
}

#endif
