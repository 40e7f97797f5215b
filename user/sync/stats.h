/* SPDX-License-Identifier: Apache-2.0 */
/* The per-CPU counters of the data path, read from their maps. */
#ifndef GL_STATS_H
#define GL_STATS_H

#include <stdint.h>
#include <graylane/abi.h>

/* Name of a counter of enum gl_stat, e.g. "connect_fallback". */
const char *gl_stat_name(unsigned int stat);
/* Is this counter a failure (graylane_failures_total): something not done
 * as asked, whatever the data path did instead? */
int gl_stat_is_failure(unsigned int stat);
/* Sums a per-CPU gl_stats array into out[GL_STAT_MAX]. */
int gl_stats_read(int map_fd, uint64_t out[GL_STAT_MAX]);
/* Sums per-CPU gl_lane_stats into out[GL_LANES_MAX]. */
int gl_lane_stats_read(int map_fd, struct gl_lane_stats out[GL_LANES_MAX]);

/* One (service, lane) of gl_service_stats, summed over the CPUs. */
struct gl_service_row {
	struct gl_service_stats_key key;
	struct gl_service_stats v;
};

/* Every (service, lane) of gl_service_stats summed over the CPUs, sorted by
 * service id then lane, into *rows (malloc'd, the caller frees it; NULL
 * when empty): the count, or a negative errno with *rows untouched. */
int gl_service_stats_read(int map_fd, struct gl_service_row **rows);

/* A lane's name in slot (gl_lanes at lanes_fd): "base" for 0, "lane-<id>" when
 * the slot has no such lane. */
void gl_lane_name(int lanes_fd, uint32_t slot, uint16_t lane, char out[GL_LANE_NAME_MAX]);

#endif
