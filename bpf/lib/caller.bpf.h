/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/* Who is calling: the workload of the current task's cgroup, or of its
 * nearest ancestor in the inventory (a workload is a cgroup subtree). */
#ifndef GL_CALLER_BPF_H
#define GL_CALLER_BPF_H

#include "lib/maps.bpf.h"

struct gl_caller {
	__u32 workload_id;
	__u16 lane;
	__u16 flags;
	__u16 nrules;
	__u16 pad;
};

/* Returns 0 and fills *c, or -ENOENT when the task is outside the inventory. */
static __always_inline int gl_find_caller(__u8 slot, struct gl_caller *c)
{
	struct gl_workload_key k = { .slot = slot };
	struct gl_workload *w, *best = NULL;
	int i;

	k.cgroup_id = bpf_get_current_cgroup_id();
	w = bpf_map_lookup_elem(&gl_workloads, &k);
	if (w) {
		best = w;
		goto found;
	}
	/* Ancestors from the root down; the deepest match wins. Level 0 is the
	 * cgroup2 root; past the task's depth the helper returns 0. */
	for (i = 0; i < GL_CGROUP_DEPTH_MAX; i++) {
		k.cgroup_id = bpf_get_current_ancestor_cgroup_id(i);
		if (!k.cgroup_id)
			break;
		w = bpf_map_lookup_elem(&gl_workloads, &k);
		if (w)
			best = w;
	}
	if (i == GL_CGROUP_DEPTH_MAX)
		gl_count(GL_STAT_CGROUP_TOO_DEEP);
	if (!best)
		return -2; /* -ENOENT */
found:
	c->workload_id = best->workload_id;
	c->lane = best->lane;
	c->flags = best->flags;
	c->nrules = best->nrules;
	return 0;
}

#endif
