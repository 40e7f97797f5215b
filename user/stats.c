// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "stats.h"

static const char *const names[GL_STAT_MAX] = {
	[GL_STAT_CONNECT_SEEN]		  = "connect_seen",
	[GL_STAT_CONNECT_UNMANAGED]	  = "connect_unmanaged",
	[GL_STAT_CONNECT_NOT_SERVICE]	  = "connect_not_service",
	[GL_STAT_CONNECT_LANE]		  = "connect_lane",
	[GL_STAT_CONNECT_BASE]		  = "connect_base",
	[GL_STAT_CONNECT_FALLBACK]	  = "connect_fallback",
	[GL_STAT_CONNECT_REFUSED_NO_BASE] = "connect_refused_no_base",
	[GL_STAT_CONNECT_NO_ENDPOINT]	  = "connect_no_endpoint",
	[GL_STAT_CONNECT_BAD_BACKEND]	  = "connect_bad_backend",
	[GL_STAT_SK_STORAGE_FAIL]	  = "sk_storage_fail",
	[GL_STAT_CGROUP_TOO_DEEP]	  = "cgroup_too_deep",
	[GL_STAT_CONFIG_MISSING]	  = "config_missing",
	[GL_STAT_GETPEERNAME_RESTORED]	  = "getpeername_restored",
};

/* Every counter has a name: adding one to the enum without a name fails here. */
_Static_assert(sizeof(names) / sizeof(names[0]) == GL_STAT_MAX, "gl_stat names");

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
