// SPDX-License-Identifier: Apache-2.0
/* The per-CPU counters (gl_stats, gl_lane_stats) summed, and their names. */
#include <errno.h>
#include <stdio.h>
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

int gl_stat_is_failure(unsigned int stat)
{
	switch (stat) {
	case GL_STAT_CONNECT_REFUSED_NO_BASE: case GL_STAT_CONNECT_NO_ENDPOINT:
	case GL_STAT_CONNECT_BAD_BACKEND: case GL_STAT_SK_STORAGE_FAIL:
	case GL_STAT_CGROUP_TOO_DEEP: case GL_STAT_CONFIG_MISSING:
	case GL_STAT_RECV_MALFORMED: case GL_STAT_RECV_READ_FAIL: case GL_STAT_RECV_UNSEEN:
	case GL_STAT_CTX_WRITE_FAIL: case GL_STAT_SOCKHASH_FAIL: case GL_STAT_MSG_NO_STORAGE:
	case GL_STAT_MSG_TOO_LARGE: case GL_STAT_MSG_MALFORMED: case GL_STAT_MSG_PULL_FAIL:
	case GL_STAT_MSG_PUSH_FAIL: case GL_STAT_MSG_POP_FAIL: case GL_STAT_MSG_BODY_UNTRACKED:
	case GL_STAT_MSG_REFUSED: case GL_STAT_EVENT_LOST: case GL_STAT_RULE_COOKIES_UNREAD:
	case GL_STAT_SQL_FAIL_TOO_LARGE: case GL_STAT_SQL_FAIL_UNSUPPORTED:
	case GL_STAT_SQL_FAIL_EDIT: case GL_STAT_SQL_FAIL_COMPRESSED: case GL_STAT_SQL_FAIL_TLS:
	case GL_STAT_SQL_FAIL_INSTANCE: case GL_STAT_SQL_FAIL_PREPARED:
		return 1;
	}
	return 0;
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

void gl_lane_name(int fd, uint32_t slot, uint16_t lane, char out[GL_LANE_NAME_MAX])
{
	struct gl_lane_key k = { .slot = (uint8_t)slot, .lane = lane };
	struct gl_lane v;

	if (lane == GL_LANE_BASE)
		snprintf(out, GL_LANE_NAME_MAX, "base");
	else if (bpf_map_lookup_elem(fd, &k, &v) == 0)
		snprintf(out, GL_LANE_NAME_MAX, "%.*s", GL_LANE_NAME_MAX - 1, v.name);
	else
		snprintf(out, GL_LANE_NAME_MAX, "lane-%u", lane);
}
