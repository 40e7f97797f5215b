/* SPDX-License-Identifier: Apache-2.0 */
/* cgroup v2 paths and ids. */
#ifndef GL_CGROUP_H
#define GL_CGROUP_H

#include <stddef.h>
#include <stdint.h>

/* Mount point of cgroup2 (e.g. /sys/fs/cgroup/unified); 0 or -ENOENT. */
int gl_cgroup2_mount(char *buf, size_t len);
/* Cgroup id of an absolute directory on cgroup2 (its inode number). */
int gl_cgroup_id(const char *abs_path, uint64_t *id);
/* Joins the cgroup2 mount and a workload path such as "/demo/a-gray". */
int gl_cgroup_join(const char *mount, const char *rel, char *buf, size_t len);
/* 1 when abs_path is dir or below it, 0 otherwise. */
int gl_path_below(const char *abs_path, const char *dir);

#endif
