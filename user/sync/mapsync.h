/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Plan -> maps. The plan is written into the inactive slot, then one store to
 * gl_config.active_slot switches generations; the old slot is removed once
 * programs that read the old slot number are done (gl_sync_retire), off the
 * path from a change to its effect.
 * The digest of what a slot holds is computed the same way from the plan
 * (daemon) and from the maps (graylane status), so status can prove the plan
 * is in the kernel.
 */
#ifndef GL_MAPSYNC_H
#define GL_MAPSYNC_H

#include <stddef.h>
#include <stdint.h>
#include <graylane/abi.h>

struct gl_plan;
struct gl_diags;

struct gl_map_fds {
	int config, lanes, workloads, services, backends, lane_ids, rules, wants, shadows;
};

/* What the daemon adds to a plan when it applies it. */
struct gl_sync_params {
	const char *cgroup2_mount;	/* workload cgroups are relative to it */
	uint64_t managed_cgroup;	/* id of --cgroup */
	uint32_t managed_level;		/* its depth below the cgroup2 root */
	uint32_t pid;
	uint64_t context_ttl_ns;
	uint32_t flags;			/* enum gl_config_flags */
};

int gl_map_fds_open(const char *pin_root, struct gl_map_fds *fds);
void gl_map_fds_close(struct gl_map_fds *fds);

struct gl_sync_result {
	uint64_t generation;
	uint64_t digest;
	uint32_t slot;
	double switched_ms;		/* gl_now_ms() at the switch: in force from then */
	double retire_at_ms;		/* when the old slot may be cleared; 0: nothing to */
	unsigned int workloads, unresolved, addrs, backends, lanes, rules;
};

/*
 * Resolves workload cgroups (relative to cgroup2_mount) to ids, adds the
 * managed root as a base caller, and applies the plan as a new generation.
 * Cgroups that do not exist are skipped with a warning in diags (file "-").
 * On failure the running generation stays in force.
 */
int gl_sync_apply(const struct gl_map_fds *fds, const struct gl_plan *p,
		  const struct gl_sync_params *sp, struct gl_diags *d, struct gl_sync_result *res);
/*
 * Clears the slot res's apply left behind, waiting until res->retire_at_ms
 * first (programs still reading it); then retire_at_ms is 0. Call it before
 * the next gl_sync_apply (which writes into that slot) and before exiting;
 * the daemon calls it when the time comes, so the wait is off the path from
 * a change to its effect. Nothing to do when retire_at_ms is 0.
 */
int gl_sync_retire(const struct gl_map_fds *fds, struct gl_sync_result *res);

/* Digest of the active slot's entries as they are in the kernel. */
int gl_sync_digest_active(const struct gl_map_fds *fds, uint64_t *digest, struct gl_config *cfg);

/* Signature of how these cgroups (below cgroup2_mount) resolve now: it
 * changes when one appears or is recreated. */
uint64_t gl_sync_cgroup_signature(const char *const *cgroups, size_t n, const char *cgroup2_mount);

#endif
