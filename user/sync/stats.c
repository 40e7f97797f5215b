// SPDX-License-Identifier: Apache-2.0
/* The per-CPU counters (gl_stats, gl_lane_stats, gl_service_stats) summed,
 * and their names. */
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
	case GL_STAT_SERVICE_STATS_FULL: case GL_STAT_MSG_DESYNC:
	/* twins: a request on another lane than its own, or a reply or twin lost */
	case GL_STAT_TWIN_MISSING: case GL_STAT_TWIN_BUSY: case GL_STAT_TWIN_UNTRACKED:
	case GL_STAT_TWIN_REDIRECT_FAIL: case GL_STAT_TWIN_BODY_LOST: case GL_STAT_TWIN_ADD_FAIL:
	case GL_STAT_TWIN_OPEN_FAIL: case GL_STAT_TWIN_BROKEN: case GL_STAT_REPLY_REDIRECT_FAIL:
	case GL_STAT_REPLY_UNTRACKED: case GL_STAT_RX_FULL: case GL_STAT_TWIN_PARK_BUSY:
	case GL_STAT_TWIN_PARK_LOST:
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

_Static_assert(sizeof(struct gl_service_stats) % sizeof(__u64) == 0,
	       "gl_service_stats is 64-bit counters only");

static int row_cmp(const void *a, const void *b)
{
	const struct gl_service_stats_key *x = a, *y = b;

	if (x->service_id != y->service_id)
		return x->service_id < y->service_id ? -1 : 1;
	return (int)x->lane - (int)y->lane;
}

/* Adds the per-CPU values of one key into r. */
static int sum_row(int fd, uint64_t *v, int ncpu, struct gl_service_row *r)
{
	const size_t words = sizeof(r->v) / sizeof(__u64);
	uint64_t *out = (uint64_t *)&r->v;

	if (bpf_map_lookup_elem(fd, &r->key, v))
		return -errno;
	memset(&r->v, 0, sizeof(r->v));
	for (size_t i = 0; i < (size_t)ncpu * words; i++)
		out[i % words] += v[i];
	return 0;
}

int gl_service_stats_read(int fd, struct gl_service_row **rows)
{
	int ncpu = libbpf_num_possible_cpus(), n = 0, cap = 0, err = 0, walked = 0;
	struct gl_service_row *r = NULL, *grown;
	struct gl_service_stats_key k, next;
	uint64_t *v;

	if (ncpu < 0)
		return ncpu;
	v = calloc((size_t)ncpu, sizeof(struct gl_service_stats));
	if (!v)
		return -ENOMEM;
	while (!err && bpf_map_get_next_key(fd, walked ? &k : NULL, &next) == 0) {
		k = next;
		walked = 1;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			grown = realloc(r, (size_t)cap * sizeof(*r));
			if (!grown) {
				err = -ENOMEM;
				break;
			}
			r = grown;
		}
		r[n].key = k;
		err = sum_row(fd, v, ncpu, &r[n]);
		if (err == -ENOENT)
			err = 0;	/* deleted meanwhile: nothing to count */
		else if (!err)
			n++;
	}
	free(v);
	if (err) {
		free(r);
		return err;
	}
	if (n)
		qsort(r, (size_t)n, sizeof(*r), row_cmp);
	*rows = r;
	return n;
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
