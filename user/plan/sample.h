/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Which endpoints of a lane are kept when a service has more than a lane
 * holds (GL_LANE_ENDPOINTS_MAX): this node's first, then by rendezvous
 * (highest random weight) hashing of the node's name and the service's with
 * the address, so adding or removing one endpoint changes at most one of
 * those kept, and each node keeps its own share of the others.
 */
#ifndef GL_PLAN_SAMPLE_H
#define GL_PLAN_SAMPLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <graylane/abi.h>

struct gl_ep_cand {
	struct gl_endpoint ep;
	bool local;		/* a workload of this node (it has a cgroup) */
	uint64_t score;		/* gl_sample's */
};

/* Orders c[0..n), endpoints of service svc (its name) as node sees them,
 * so that the ones to keep come first; returns how many (n, or keep when n
 * is larger). */
size_t gl_sample(const char *node, const char *svc, struct gl_ep_cand *c, size_t n,
		 size_t keep);

#endif
