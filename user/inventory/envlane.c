// SPDX-License-Identifier: Apache-2.0
/*
 * Workload lanes from the processes' environment (the third source of a
 * workload's lane, DESIGN.md Words): the label variable or the bootstrap
 * config (envlane.h) in /proc/PID/environ of each workload's processes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cgroup.h"
#include "common/diag.h"
#include "envlane.h"
#include "common/fnv.h"
#include "model/model.h"

#define ENVIRON_MAX	(256 << 10)	/* bytes of /proc/PID/environ looked at */
#define CGROUP_WALK_MAX	8		/* nesting below a workload's cgroup */
#define PIDS_MAX	4096		/* processes looked at per workload */

/* "KEY=value" entries of environ; returns value of key or NULL. */
static const char *env_get(const char *env, size_t n, const char *key, size_t *len)
{
	size_t k = strlen(key);

	for (size_t i = 0; i < n;) {
		size_t e = strnlen(env + i, n - i);

		if (e > k && env[i + k] == '=' && !memcmp(env + i, key, k)) {
			*len = e - k - 1;
			return env + i + k + 1;
		}
		i += e + 1;
	}
	return NULL;
}

/* "OPENSERGO_LABEL" : "gray" inside the bootstrap JSON: a flat scan for the
 * key followed by a colon and a string, which is what the config holds. */
static const char *json_label(const char *js, size_t n, size_t *len)
{
	size_t k = strlen(GL_ENV_BOOTSTRAP_KEY);

	for (size_t i = 0; i + k + 2 <= n; i++) {
		size_t j;

		if (js[i] != '"' || memcmp(js + i + 1, GL_ENV_BOOTSTRAP_KEY, k) || js[i + 1 + k] != '"')
			continue;
		for (j = i + k + 2; j < n && (js[j] == ' ' || js[j] == '\t'); j++)
			;
		if (j >= n || js[j] != ':')
			continue;
		for (j++; j < n && (js[j] == ' ' || js[j] == '\t'); j++)
			;
		if (j >= n || js[j] != '"')
			continue;
		for (size_t e = j + 1; e < n; e++)
			if (js[e] == '"') {
				*len = e - j - 1;
				return js + j + 1;
			}
	}
	return NULL;
}

const char *gl_env_lane_of(const char *env, size_t n, size_t *len, int *conflict)
{
	size_t vl = 0, bl = 0, jl = 0;
	const char *v = env_get(env, n, GL_ENV_LANE_VAR, &vl);
	const char *b = env_get(env, n, GL_ENV_BOOTSTRAP_VAR, &bl);
	const char *j = b ? json_label(b, bl, &jl) : NULL;

	if (v && !vl)
		v = NULL;	/* empty: no lane, as with the label */
	if (j && !jl)
		j = NULL;
	*conflict = v && j && (vl != jl || memcmp(v, j, vl));
	if (v) {
		*len = vl;
		return v;
	}
	*len = jl;
	return j;
}

static char *read_environ(int pid, size_t *n)
{
	char path[64];
	char *buf = malloc(ENVIRON_MAX);
	ssize_t r;
	int fd;

	if (!buf)
		return NULL;
	snprintf(path, sizeof(path), "/proc/%d/environ", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return NULL;	/* gone, or not ours to read */
	}
	*n = 0;
	while (*n < ENVIRON_MAX && (r = read(fd, buf + *n, ENVIRON_MAX - *n)) > 0)
		*n += r;
	close(fd);
	return buf;
}

struct pids {
	int v[PIDS_MAX];
	size_t n;
};

static void collect_pids(const char *dir, int depth, struct pids *p)
{
	char path[4096];
	struct dirent *e;
	FILE *f;
	DIR *d;
	int pid;

	if (snprintf(path, sizeof(path), "%s/cgroup.procs", dir) >= (int)sizeof(path))
		return;
	f = fopen(path, "re");
	if (f) {
		while (p->n < PIDS_MAX && fscanf(f, "%d", &pid) == 1)
			p->v[p->n++] = pid;
		fclose(f);
	}
	if (depth >= CGROUP_WALK_MAX || !(d = opendir(dir)))
		return;
	while ((e = readdir(d))) {
		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) < (int)sizeof(path))
			collect_pids(path, depth + 1, p);
	}
	closedir(d);
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/*
 * The lane the environment of the processes below cgroup dir names: the
 * lowest pid's. Writes it to lane (64 bytes), or "" for none; file names the
 * process it came from. Problems go to d when d is not NULL.
 */
static void cgroup_env_lane(const char *dir, const char *name, struct pids *p,
			    struct gl_diags *d, char lane[64], char file[64])
{
	lane[0] = '\0';
	p->n = 0;
	collect_pids(dir, 0, p);
	qsort(p->v, p->n, sizeof(p->v[0]), cmp_int);
	for (size_t i = 0; i < p->n; i++) {
		char this_file[64], this[64];
		size_t n, len;
		int conflict;
		char *env = read_environ(p->v[i], &n);
		const char *v = env ? gl_env_lane_of(env, n, &len, &conflict) : NULL;

		snprintf(this_file, sizeof(this_file), "/proc/%d/environ", p->v[i]);
		if (v && conflict && d)
			gl_diag_add(d, GL_SEV_WARNING, this_file, 0, 0, "workload '%s': %s and %s "
				    "name different lanes; %s wins", name, GL_ENV_LANE_VAR,
				    GL_ENV_BOOTSTRAP_VAR, GL_ENV_LANE_VAR);
		if (v) {
			snprintf(this, sizeof(this), "%.*s", (int)(len < 63 ? len : 63), v);
			if (!gl_lane_name_ok(this) || len > 63) {
				if (d)
					gl_diag_add(d, GL_SEV_WARNING, this_file, 0, 0, "workload '%s': "
						    "lane '%s' from the environment is not a lane name (a "
						    "DNS label of at most 31 bytes, not 'base'); ignored",
						    name, this);
			} else if (!lane[0]) {
				strcpy(lane, this);
				strcpy(file, this_file);
			} else if (strcmp(lane, this) && d) {
				gl_diag_add(d, GL_SEV_WARNING, this_file, 0, 0, "workload '%s': this "
					    "process is in lane '%s' by its environment, %s says '%s'; "
					    "'%s' wins", name, this, file, lane, lane);
			}
		}
		free(env);
	}
}

int gl_env_lanes(struct gl_model *m, const char *mount, struct gl_diags *d)
{
	struct pids *p = malloc(sizeof(*p));

	if (!p)
		return -ENOMEM;
	for (size_t i = 0; i < m->nworkloads; i++) {
		struct gl_workload_def *w = m->workloads[i];
		char dir[4096], lane[64], file[64];

		w->env_lane = NULL;
		if (!w->cgroup || gl_cgroup_join(mount, w->cgroup, dir, sizeof(dir)))
			continue;
		cgroup_env_lane(dir, w->meta.name ? w->meta.name : "?", p, d, lane, file);
		if (!lane[0])
			continue;
		w->env_lane = gl_arena_strdup(&m->arena, lane);
		w->env_pos = (struct gl_pos){ .file = gl_arena_strdup(&m->arena, file) };
		if (!w->env_lane || !w->env_pos.file) {
			free(p);
			return -ENOMEM;
		}
	}
	free(p);
	return 0;
}

uint64_t gl_env_signature(const char *const *cgroups, size_t n, const char *mount)
{
	uint64_t h = GL_FNV64_INIT;
	struct pids *p = malloc(sizeof(*p));

	if (!p)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char dir[4096], lane[64] = "", file[64];

		if (cgroups[i] && !gl_cgroup_join(mount, cgroups[i], dir, sizeof(dir)))
			cgroup_env_lane(dir, "", p, NULL, lane, file);
		h = gl_fnv64(h, &i, sizeof(i));
		h = gl_fnv64_str(h, lane);
	}
	free(p);
	return h;
}
