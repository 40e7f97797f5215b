// SPDX-License-Identifier: Apache-2.0
/*
 * Endpoint sampling (sample.h): when a lane of a service has more endpoints
 * than the data path holds, the plan keeps this node's first, then those
 * that score highest for the service on this node. Scores depend on the
 * node's name, the service's and the address only, so a node's plan stays
 * deterministic, an endpoint that comes or goes moves at most one other in
 * or out of those kept, and nodes keep different endpoints: the load of a
 * large lane spreads over all of them, not the same 128 from every node.
 */
#include <stdlib.h>

#include "common/fnv.h"
#include "plan/sample.h"

static uint64_t score(const char *node, const char *svc, const __u8 addr[16])
{
	uint64_t h = gl_fnv64(GL_FNV64_INIT, node, strlen(node) + 1);

	h = gl_fnv64(h, svc, strlen(svc) + 1);

	h = gl_fnv64(h, addr, 16);
	/* a final mix: FNV's low bits of similar addresses are too alike */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

/* local first, then higher score; addresses break ties: a total order */
static int cmp_cand(const void *a, const void *b)
{
	const struct gl_ep_cand *x = a, *y = b;

	if (x->local != y->local)
		return x->local ? -1 : 1;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return memcmp(x->ep.addr, y->ep.addr, sizeof(x->ep.addr));
}

size_t gl_sample(const char *node, const char *svc, struct gl_ep_cand *c, size_t n,
		 size_t keep)
{
	if (n <= keep)
		return n;
	for (size_t i = 0; i < n; i++)
		c[i].score = score(node ? node : "", svc, c[i].ep.addr);
	qsort(c, n, sizeof(*c), cmp_cand);
	return keep;
}
