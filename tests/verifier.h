/* SPDX-License-Identifier: Apache-2.0 */
/* The verifier's summary of one program load, from its log (load tests). */
#ifndef GL_TESTS_VERIFIER_H
#define GL_TESTS_VERIFIER_H

#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "cases.h"
#include "kernel/verifier_report.h"	/* GL_VERIFIER_BUDGET */

#define GL_VERIFIER_LOG_SIZE (1u << 20)

typedef char gl_verifier_log[GL_VERIFIER_LOG_SIZE];

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

/* Before a skeleton's load: the verifier's statistics of each program kept in logs[i]. */
static void __attribute__((unused)) verifier_logs(struct bpf_program **progs, int n,
						   gl_verifier_log *logs)
{
	for (int i = 0; i < n; i++) {
		bpf_program__set_log_level(progs[i], 4);	/* BPF_LOG_STATS */
		bpf_program__set_log_buf(progs[i], logs[i], GL_VERIFIER_LOG_SIZE);
	}
}

/*
 * After it (err: what the load returned): one case per program, "verifier
 * accepts NAME: statistics", failed with the log's tail when the program did
 * not load, or when it took more than GL_VERIFIER_BUDGET instructions.
 */
static void __attribute__((unused)) verifier_report(struct bpf_program **progs, int n,
						     gl_verifier_log *logs, int err)
{
	char name[256], st[128];

	for (int i = 0; i < n; i++) {
		int ok = bpf_program__fd(progs[i]) >= 0;
		unsigned int insns = stats(logs[i], st, sizeof(st));

		snprintf(name, sizeof(name), "verifier accepts %s: %s", bpf_program__name(progs[i]), st);
		if (!ok) {
			size_t len = strlen(logs[i]);

			snprintf(why, sizeof(why), "load failed (%d); log tail: %s", err,
				 len > 400 ? logs[i] + len - 400 : logs[i]);
		} else {
			ok = expect(insns <= GL_VERIFIER_BUDGET, "%u insns: over the budget of %u",
				    insns, GL_VERIFIER_BUDGET);
		}
		result(name, ok);
	}
}

#endif
