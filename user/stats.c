// SPDX-License-Identifier: Apache-2.0
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

int gl_stats_read(int fd, uint64_t out[GL_STAT_MAX])
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *v;
	__u32 k;

	if (ncpu < 0)
		return ncpu;
	v = calloc(ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (k = 0; k < GL_STAT_MAX; k++) {
		out[k] = 0;
		if (bpf_map_lookup_elem(fd, &k, v)) {
			free(v);
			return -errno;
		}
		for (int c = 0; c < ncpu; c++)
			out[k] += v[c];
	}
	free(v);
	return 0;
}

int gl_lane_stats_read(int fd, struct gl_lane_stats out[GL_LANES_MAX])
{
	int ncpu = libbpf_num_possible_cpus();
	struct gl_lane_stats *v;
	__u32 k;

	if (ncpu < 0)
		return ncpu;
	v = calloc(ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (k = 0; k < GL_LANES_MAX; k++) {
		memset(&out[k], 0, sizeof(out[k]));
		if (bpf_map_lookup_elem(fd, &k, v)) {
			free(v);
			return -errno;
		}
		for (int c = 0; c < ncpu; c++) {
			out[k].connects += v[c].connects;
			out[k].fallbacks += v[c].fallbacks;
			out[k].refused += v[c].refused;
		}
	}
	free(v);
	return 0;
}
