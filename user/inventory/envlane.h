/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Workload lanes from the processes' environment (DESIGN.md, Words: the
 * third source after a WorkloadLabelRule and the label): either
 *   traffic.opensergo.io/label=gray            (the reference write-up's way)
 * or OPENSERGO_BOOTSTRAP_CONFIG={"...": ..., "OPENSERGO_LABEL": "gray"}
 * in /proc/PID/environ of a process in the workload's cgroup subtree. The
 * variable wins over the bootstrap config; the lowest pid wins over others;
 * every disagreement is reported as a warning.
 */
#ifndef GL_ENVLANE_H
#define GL_ENVLANE_H

#include <stddef.h>
#include <stdint.h>

struct gl_model;
struct gl_diags;

#define GL_ENV_LANE_VAR		"traffic.opensergo.io/label"
#define GL_ENV_BOOTSTRAP_VAR	"OPENSERGO_BOOTSTRAP_CONFIG"
#define GL_ENV_BOOTSTRAP_KEY	"OPENSERGO_LABEL"

/* The lane one environ block (NUL-separated) names, or NULL; *conflict is
 * set when its two forms disagree. Returns a pointer into env (value) and
 * its length in *len. */
const char *gl_env_lane_of(const char *env, size_t n, size_t *len, int *conflict);

/* Sets env_lane of every workload of m from its processes, below cgroup2_mount. */
int gl_env_lanes(struct gl_model *m, const char *cgroup2_mount, struct gl_diags *d);

/* Changes whenever the environment lanes of these cgroups change. */
uint64_t gl_env_signature(const char *const *cgroups, size_t n, const char *cgroup2_mount);

#endif
