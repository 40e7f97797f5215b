// SPDX-License-Identifier: Apache-2.0
/* cgroup v2 paths: the mount, a directory's id (what the kernel's programs
 * see), joining and containment checks. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "cgroup.h"

#define CGROUP2_SUPER_MAGIC 0x63677270

int gl_cgroup2_mount(char *buf, size_t len)
{
	char line[4096], mnt[4096], fstype[64];
	int found = -ENOENT;
	FILE *f;

	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		/* "id parent maj:min root mountpoint opts... - fstype source superopts" */
		const char *dash = strstr(line, " - ");

		if (!dash || sscanf(dash, " - %63s", fstype) != 1 || strcmp(fstype, "cgroup2"))
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1)
			continue;
		if (strlen(mnt) >= len) {
			found = -ENAMETOOLONG;
			break;
		}
		strcpy(buf, mnt);
		found = 0;
		break;
	}
	fclose(f);
	return found;
}

int gl_cgroup_id(const char *abs_path, uint64_t *id)
{
	struct statfs sfs;
	struct stat st;

	if (statfs(abs_path, &sfs))
		return -errno;
	if (sfs.f_type != CGROUP2_SUPER_MAGIC)
		return -ENOTDIR;
	if (stat(abs_path, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	*id = st.st_ino;
	return 0;
}

int gl_cgroup_join(const char *mount, const char *rel, char *buf, size_t len)
{
	int n;

	while (rel[0] == '/' && rel[1] == '/')
		rel++;
	n = snprintf(buf, len, "%s%s%s", mount, rel[0] == '/' ? "" : "/", rel);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	/* drop a trailing slash so ids and prefixes compare cleanly */
	if (n > 1 && buf[n - 1] == '/')
		buf[n - 1] = '\0';
	return 0;
}

int gl_path_below(const char *abs_path, const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	return !strncmp(abs_path, dir, n) && (abs_path[n] == '\0' || abs_path[n] == '/');
}
