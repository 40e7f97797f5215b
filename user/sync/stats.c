// SPDX-License-Identifier: Apache-2.0
/* The per-CPU counters (gl_stats, gl_lane_stats) summed, and their names. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "stats.h"

static const char *const names[GL_STAT_MAX] = {
#define GL_STAT_NAME_(name, str) [GL_STAT_##name] = str,
	GL_STATS(GL_STAT_NAME_)
#undef GL_STAT_NAME_
};

const char *gl_stat_name(unsigned int stat)
{
	return stat < GL_STAT_MAX && names[stat] ? names[stat] : "unknown";
}

/*
 * Sums a per-CPU array of nkeys values of `words` 64-bit counters each over
 * the CPUs, into out[nkeys * words].
 */
static int sum_percpu(int fd, __u32 nkeys, size_t words, uint64_t *out)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *v;
	__u32 k;

	if (ncpu < 0)
		return ncpu;
	v = calloc((size_t)ncpu * words, sizeof(*v));
	if (!v)
		return -ENOMEM;
	memset(out, 0, nkeys * words * sizeof(*out));
	for (k = 0; k < nkeys; k++) {
		if (bpf_map_lookup_elem(fd, &k, v)) {
			free(v);
			return -errno;
		}
		for (size_t i = 0; i < (size_t)ncpu * words; i++)
			out[k * words + i % words] += v[i];
	}
	free(v);
	return 0;
}

int gl_stats_read(int fd, uint64_t out[GL_STAT_MAX])
{
	return sum_percpu(fd, GL_STAT_MAX, 1, out);
}

_Static_assert(sizeof(struct gl_lane_stats) % sizeof(__u64) == 0,
	       "gl_lane_stats is 64-bit counters only");

int gl_lane_stats_read(int fd, struct gl_lane_stats out[GL_LANES_MAX])
{
	return sum_percpu(fd, GL_LANES_MAX, sizeof(*out) / sizeof(__u64), (uint64_t *)out);
}
