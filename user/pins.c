// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "graylane.skel.h"
#include "pins.h"

#define BPF_FS_MAGIC_ 0xcafe4a11

const char *const gl_map_names[] = {
	"gl_config", "gl_lanes", "gl_workloads", "gl_services", "gl_backends",
	"gl_stats", "gl_lane_stats", "gl_sock",
};
const int gl_map_count = sizeof(gl_map_names) / sizeof(gl_map_names[0]);

/* Programs attached to the managed cgroup, with their attach types. */
static const struct {
	const char *name;
	enum bpf_attach_type type;
} progs[] = {
	{ "gl_connect4", BPF_CGROUP_INET4_CONNECT },
	{ "gl_connect6", BPF_CGROUP_INET6_CONNECT },
	{ "gl_getpeername4", BPF_CGROUP_INET4_GETPEERNAME },
	{ "gl_getpeername6", BPF_CGROUP_INET6_GETPEERNAME },
};
#define NPROGS ((int)(sizeof(progs) / sizeof(progs[0])))

static int path_join(char *buf, size_t len, const char *root, const char *sub, const char *name)
{
	int n = snprintf(buf, len, "%s/%s%s%s", root, sub, *sub ? "/" : "", name);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int mkdir_p(const char *path)
{
	char tmp[4096];
	size_t n = strlen(path);

	if (n >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(tmp, path, n + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0700) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

int gl_pins_prepare(const char *root)
{
	char sub[4096];
	struct statfs fs;
	int err;

	if (statfs("/sys/fs/bpf", &fs) == 0 && fs.f_type != BPF_FS_MAGIC_) {
		if (mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700"))
			return -errno;
	}
	err = mkdir_p(root);
	if (err)
		return err;
	if (statfs(root, &fs))
		return -errno;
	if (fs.f_type != BPF_FS_MAGIC_)
		return -EXDEV;	/* the pin root must be on bpffs */
	if ((err = path_join(sub, sizeof(sub), root, "", "links")) || (err = mkdir_p(sub)))
		return err;
	if ((err = path_join(sub, sizeof(sub), root, "", "progs")) || (err = mkdir_p(sub)))
		return err;
	return 0;
}

int gl_pins_map_fd(const char *root, const char *name)
{
	char path[4096];
	int fd, err;

	err = path_join(path, sizeof(path), root, "", name);
	if (err)
		return err;
	fd = bpf_obj_get(path);
	return fd < 0 ? -errno : fd;
}

static int link_cgroup(int link_fd, uint64_t *cgroup_id, uint32_t *prog_id)
{
	struct bpf_link_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(link_fd, &info, &len))
		return -errno;
	if (info.type != BPF_LINK_TYPE_CGROUP)
		return -EINVAL;
	*cgroup_id = info.cgroup.cgroup_id;
	*prog_id = info.prog_id;
	return 0;
}

/* Attach one program: update the pinned link in place, or create and pin one. */
static int attach_one(const char *root, struct bpf_program *prog, const char *name, int cg_fd,
		      uint64_t cgroup_id, int *took_over, char *errbuf, size_t errlen)
{
	char path[4096];
	struct bpf_link *link;
	uint64_t cg = 0;
	uint32_t pid = 0;
	int err;

	if ((err = path_join(path, sizeof(path), root, "links", name)))
		return err;
	link = access(path, F_OK) ? NULL : bpf_link__open(path);
	if (link) {
		err = link_cgroup(bpf_link__fd(link), &cg, &pid);
		if (!err && cg == cgroup_id) {
			err = bpf_link__update_program(link, prog);
			bpf_link__destroy(link);	/* closes our fd; the pin keeps the link */
			if (err) {
				snprintf(errbuf, errlen, "cannot update pinned link %s: %s", path,
					 strerror(-err));
				return err;
			}
			*took_over = 1;
			return 0;
		}
		bpf_link__destroy(link);
		if (!err && cg) {
			snprintf(errbuf, errlen,
				 "pinned link %s is attached to another cgroup (id %llu, not %llu); "
				 "run 'graylane uninstall --pin-root %s' or choose another --pin-root",
				 path, (unsigned long long)cg, (unsigned long long)cgroup_id, root);
			return -EEXIST;
		}
		/* A link whose cgroup is gone: replace it. */
		unlink(path);
	}
	link = bpf_program__attach_cgroup(prog, cg_fd);
	if (!link) {
		err = -errno;
		snprintf(errbuf, errlen, "cannot attach %s to the cgroup: %s", name, strerror(-err));
		return err;
	}
	err = bpf_link__pin(link, path);
	if (err) {
		snprintf(errbuf, errlen, "cannot pin link %s: %s", path, strerror(-err));
		bpf_link__destroy(link);
		return err;
	}
	bpf_link__disconnect(link);	/* the pin owns it from now on */
	bpf_link__destroy(link);
	return 0;
}

static int pin_prog(const char *root, struct bpf_program *prog, const char *name)
{
	char path[4096];
	int err;

	if ((err = path_join(path, sizeof(path), root, "progs", name)))
		return err;
	unlink(path);	/* the previous daemon's program; its link now runs ours */
	return bpf_program__pin(prog, path);
}

int gl_pins_load_attach(const char *root, const char *cgroup_path, uint64_t cgroup_id,
			struct graylane_bpf **out, int *took_over, char *errbuf, size_t errlen)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = root);
	struct graylane_bpf *skel;
	int cg_fd = -1, err, i;

	*took_over = 0;
	skel = graylane_bpf__open_opts(&opts);
	if (!skel) {
		err = -errno;
		snprintf(errbuf, errlen, "cannot open the BPF object: %s", strerror(-err));
		return err;
	}
	err = graylane_bpf__load(skel);
	if (err) {
		snprintf(errbuf, errlen,
			 "cannot load the BPF programs: %s (if maps pinned under %s come from another "
			 "build, run 'graylane uninstall --pin-root %s' first; libbpf's log above says more)",
			 strerror(-err), root, root);
		goto fail;
	}
	cg_fd = open(cgroup_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg_fd < 0) {
		err = -errno;
		snprintf(errbuf, errlen, "cannot open cgroup %s: %s", cgroup_path, strerror(-err));
		goto fail;
	}
	for (i = 0; i < NPROGS; i++) {
		struct bpf_program *p = bpf_object__find_program_by_name(skel->obj, progs[i].name);

		if (!p) {
			err = -ENOENT;
			snprintf(errbuf, errlen, "program %s missing from the object", progs[i].name);
			goto fail;
		}
		err = attach_one(root, p, progs[i].name, cg_fd, cgroup_id, took_over, errbuf, errlen);
		if (err)
			goto fail;
		err = pin_prog(root, p, progs[i].name);
		if (err) {
			snprintf(errbuf, errlen, "cannot pin program %s: %s", progs[i].name,
				 strerror(-err));
			goto fail;
		}
	}
	close(cg_fd);
	*out = skel;
	return 0;
fail:
	if (cg_fd >= 0)
		close(cg_fd);
	graylane_bpf__destroy(skel);
	return err;
}

int gl_pins_links(const char *root, struct gl_link_state *st, int max)
{
	char path[4096];
	int i, n = 0;

	for (i = 0; i < NPROGS && n < max; i++, n++) {
		int fd;

		memset(&st[n], 0, sizeof(st[n]));
		st[n].prog = progs[i].name;
		if (path_join(path, sizeof(path), root, "links", progs[i].name))
			continue;
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		st[n].pinned = 1;
		if (!link_cgroup(fd, &st[n].cgroup_id, &st[n].prog_id) && st[n].cgroup_id)
			st[n].attached = 1;
		close(fd);
	}
	return n;
}

static void unlink_counted(const char *path, int *removed)
{
	if (unlink(path) == 0)
		(*removed)++;
}

int gl_pins_uninstall(const char *root, int *removed)
{
	char path[4096];
	int i, err;

	*removed = 0;
	for (i = 0; i < NPROGS; i++) {
		if (!path_join(path, sizeof(path), root, "links", progs[i].name)) {
			/* Detach first: a pinned link survives unlink while an fd holds it. */
			int fd = bpf_obj_get(path);

			if (fd >= 0) {
				bpf_link_detach(fd);
				close(fd);
			}
			unlink_counted(path, removed);
		}
		if (!path_join(path, sizeof(path), root, "progs", progs[i].name))
			unlink_counted(path, removed);
	}
	for (i = 0; i < gl_map_count; i++)
		if (!path_join(path, sizeof(path), root, "", gl_map_names[i]))
			unlink_counted(path, removed);
	if ((err = path_join(path, sizeof(path), root, "", "links")) == 0)
		rmdir(path);
	if ((err = path_join(path, sizeof(path), root, "", "progs")) == 0)
		rmdir(path);
	if (rmdir(root) && errno != ENOENT)
		return -errno;
	return 0;
}
