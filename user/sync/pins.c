// SPDX-License-Identifier: Apache-2.0
/*
 * Everything under the pin root: maps, programs and links pinned so that a
 * daemon restart or crash never interrupts traffic; load and attach (taking
 * over a previous daemon's links), list and uninstall.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "graylane.skel.h"
#include "carry.h"
#include "mapsync.h"
#include "pins.h"

#define BPF_FS_MAGIC_ 0xcafe4a11

const char *const gl_map_names[] = {
	"gl_config", "gl_lanes", "gl_lane_ids", "gl_workloads", "gl_services", "gl_backends",
	"gl_rules", "gl_wants", "gl_shadows", "gl_ctx", "gl_stats", "gl_lane_stats",
	"gl_service_stats", "gl_sock",
	"gl_sockhash", "gl_sqlhash", "gl_events", "gl_watch", "gl_watch_rate", "gl_decisions",
	"gl_twins", "gl_twin_of", "gl_twin_pending", "gl_rx", "gl_park", "gl_sink",
};
const int gl_map_count = sizeof(gl_map_names) / sizeof(gl_map_names[0]);

enum attach_kind {
	ATTACH_CGROUP,		/* a cgroup link on the managed cgroup: updated in place */
	ATTACH_TRACEPOINT,	/* a perf-event link: a new one replaces the pinned one */
	ATTACH_SOCKHASH,	/* sk_msg verdict on gl_sockhash: a new program replaces the old */
	ATTACH_SKB_VERDICT,	/* sk_skb stream verdict on a sockhash: the same */
};

/*
 * Every attachment: its name (the link's pin), the program and how it is
 * attached. One program serves the four read-family exits (the same code on
 * the same context): the verifier checks it once, not four times.
 */
static const struct {
	const char *name;
	const char *prog;
	enum attach_kind kind;
	const char *tp;		/* tracepoint in the syscalls category; sockhash map name */
} progs[] = {
	{ "gl_connect4", "gl_connect4", ATTACH_CGROUP, NULL },
	{ "gl_connect6", "gl_connect6", ATTACH_CGROUP, NULL },
	{ "gl_getpeername4", "gl_getpeername4", ATTACH_CGROUP, NULL },
	{ "gl_getpeername6", "gl_getpeername6", ATTACH_CGROUP, NULL },
	{ "gl_sockops", "gl_sockops", ATTACH_CGROUP, NULL },
	{ "gl_exit_read", "gl_exit_read", ATTACH_TRACEPOINT, "sys_exit_read" },
	{ "gl_exit_recvfrom", "gl_exit_read", ATTACH_TRACEPOINT, "sys_exit_recvfrom" },
	{ "gl_exit_readv", "gl_exit_read", ATTACH_TRACEPOINT, "sys_exit_readv" },
	{ "gl_exit_recvmsg", "gl_exit_read", ATTACH_TRACEPOINT, "sys_exit_recvmsg" },
	{ "gl_exit_recvmmsg", "gl_exit_unseen", ATTACH_TRACEPOINT, "sys_exit_recvmmsg" },
	{ "gl_exit_io_uring", "gl_exit_unseen", ATTACH_TRACEPOINT, "sys_exit_io_uring_enter" },
	{ "gl_msg", "gl_msg", ATTACH_SOCKHASH, "gl_sockhash" },
	{ "gl_sql", "gl_sql", ATTACH_SOCKHASH, "gl_sqlhash" },
	{ "gl_reply", "gl_reply_verdict", ATTACH_SKB_VERDICT, "gl_sockhash" },
	{ "gl_twin_reply", "gl_reply_verdict", ATTACH_SKB_VERDICT, "gl_twins" },
};
#define NPROGS ((int)(sizeof(progs) / sizeof(progs[0])))

/* Attachments of earlier versions: a new daemon taking over removes them. */
static const char *const retired[] = {
	"gl_enter_read", "gl_enter_recvfrom", "gl_enter_readv", "gl_enter_recvmsg",
	"gl_enter_io_uring", "gl_enter_recvmmsg",
};
#define NRETIRED ((int)(sizeof(retired) / sizeof(retired[0])))

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
	/* the syscall tracepoints are found through tracefs (KERNEL-NOTES.md) */
	if (access("/sys/kernel/tracing/events", F_OK) &&
	    access("/sys/kernel/debug/tracing/events", F_OK) &&
	    mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL))
		return -errno;
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

static int link_info(int link_fd, struct bpf_link_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return bpf_obj_get_info_by_fd(link_fd, info, &len) ? -errno : 0;
}

static int link_cgroup(int link_fd, uint64_t *cgroup_id, uint32_t *prog_id)
{
	struct bpf_link_info info;
	int err = link_info(link_fd, &info);

	if (err)
		return err;
	if (info.type != BPF_LINK_TYPE_CGROUP)
		return -EINVAL;
	*cgroup_id = info.cgroup.cgroup_id;
	*prog_id = info.prog_id;
	return 0;
}

static enum bpf_attach_type sockhash_hook(enum attach_kind kind)
{
	return kind == ATTACH_SOCKHASH ? BPF_SK_MSG_VERDICT : BPF_SK_SKB_STREAM_VERDICT;
}

/* The program attached to a sockhash's sk_msg or sk_skb hook, or 0. */
static uint32_t sockhash_prog(const char *root, const char *map, enum attach_kind kind)
{
	__u32 ids[4] = { 0 }, n = 4, flags = 0;
	int fd = gl_pins_map_fd(root, map);

	if (fd < 0)
		return 0;
	if (bpf_prog_query(fd, sockhash_hook(kind), 0, &flags, ids, &n))
		n = 0;
	close(fd);
	return n ? ids[0] : 0;
}

/* Attach one program: update the pinned link in place, or create and pin one. */
/*
 * The pin owns a link from now on: drop our reference without detaching.
 * bpf_link__disconnect alone keeps the fd open (libbpf closes it only when
 * detaching), and a link this process holds would outlive its unpinning.
 */
static void release_link(struct bpf_link *link)
{
	int fd = bpf_link__fd(link);

	bpf_link__disconnect(link);
	bpf_link__destroy(link);
	if (fd >= 0)
		close(fd);
}

/* Pins a new link at path and hands it to the pin; detaches it when the pin fails. */
static int pin_link(struct bpf_link *link, const char *path, char *errbuf, size_t errlen)
{
	int err = bpf_link__pin(link, path);

	if (err) {
		snprintf(errbuf, errlen, "cannot pin link %s: %s", path, strerror(-err));
		bpf_link__destroy(link);
		return err;
	}
	release_link(link);
	return 0;
}

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
	return pin_link(link, path, errbuf, errlen);
}

/*
 * Tracepoint links cannot swap programs: attach the new one, move the pin to
 * it, then let the old one go. Both run for a moment; they write the same.
 */
static int attach_tracepoint(const char *root, struct bpf_program *prog, const char *name,
			     const char *tp, int *took_over, char *errbuf, size_t errlen)
{
	char path[4096];
	struct bpf_link *link;
	int old_fd = -1, err;

	if ((err = path_join(path, sizeof(path), root, "links", name)))
		return err;
	link = bpf_program__attach_tracepoint(prog, "syscalls", tp);
	if (!link) {
		err = -errno;
		snprintf(errbuf, errlen, "cannot attach %s to tracepoint syscalls/%s: %s "
			 "(is tracefs mounted at /sys/kernel/tracing?)", name, tp, strerror(-err));
		return err;
	}
	if (access(path, F_OK) == 0) {
		old_fd = bpf_obj_get(path);
		unlink(path);
		*took_over = 1;
	}
	err = pin_link(link, path, errbuf, errlen);
	if (old_fd >= 0)
		close(old_fd);	/* its last reference: the old link detaches */
	return err;
}

/* sk_msg or sk_skb on a sockhash: attaching replaces the previous program. */
static int attach_sockhash(struct graylane_bpf *skel, struct bpf_program *prog, const char *name,
			   const char *map, enum attach_kind kind, char *errbuf, size_t errlen)
{
	struct bpf_map *m = bpf_object__find_map_by_name(skel->obj, map);
	int err = m ? bpf_prog_attach(bpf_program__fd(prog), bpf_map__fd(m), sockhash_hook(kind), 0)
		    : (errno = ENOENT, -1);

	if (err) {
		err = -errno;
		snprintf(errbuf, errlen, "cannot attach %s to %s: %s", name, map, strerror(-err));
	}
	return err;
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

static void unlink_counted(const char *path, int *removed)
{
	if (unlink(path) == 0)
		(*removed)++;
}

/* Detaches and unpins links/<name>, unpins progs/<name>. */
static void remove_attachment(const char *root, const char *name, int *removed)
{
	char path[4096];

	if (!path_join(path, sizeof(path), root, "links", name)) {
		/* Detach first: a pinned link survives unlink while an fd holds it. */
		int fd = bpf_obj_get(path);

		if (fd >= 0) {
			bpf_link_detach(fd);
			close(fd);
		}
		unlink_counted(path, removed);
	}
	if (!path_join(path, sizeof(path), root, "progs", name))
		unlink_counted(path, removed);
}

int gl_pins_is_recv(const char *attachment)
{
	for (int i = 0; i < NPROGS; i++)
		if (!strcmp(progs[i].name, attachment))
			return progs[i].kind == ATTACH_TRACEPOINT;
	return 0;
}

/*
 * For tests of the refusal path only (GRAYLANE_TEST_BREAK_PROG=name): that
 * program is loaded as a socket filter, which the verifier really refuses
 * (its context and helpers are another program type's).
 */
static void test_break(struct bpf_object *obj)
{
	const char *name = getenv("GRAYLANE_TEST_BREAK_PROG");
	struct bpf_program *p = name ? bpf_object__find_program_by_name(obj, name) : NULL;

	if (p) {
		bpf_program__set_type(p, BPF_PROG_TYPE_SOCKET_FILTER);
		bpf_program__set_expected_attach_type(p, 0);
	}
}

/* Was something installed under root before this daemon (a takeover)? */
static int installed(const char *root)
{
	char path[4096];

	return !path_join(path, sizeof(path), root, "", "gl_config") && access(path, F_OK) == 0;
}

/* One install in progress (gl_pins_load_attach). */
struct install {
	const char *root;
	struct graylane_bpf *skel;
	int cg_fd;
	uint64_t cgroup_id;
	int no_recv;
	int *took_over;
	char *errbuf;
	size_t errlen;
	struct gl_pins_upgrade *up;
	struct gl_carry carry;		/* counters: finished after attaching */
};

/* A map of the new build that replaces its pin (layout.h). */
static int replaced(enum gl_layout_verdict v)
{
	return v == GL_LV_REBUILD || v == GL_LV_CARRY || v == GL_LV_RESET;
}

/*
 * Pins of another layout: refused when a state map changed; otherwise the
 * changed maps are created fresh (not reused, not pinned yet).
 */
static int plan_layout(struct install *in)
{
	struct gl_layout *lay = &in->up->lay;
	int err = gl_layout_compare(in->root, in->skel->obj, lay);

	if (err) {
		snprintf(in->errbuf, in->errlen, "cannot compare the maps pinned under %s: %s",
			 in->root, strerror(-err));
		return err;
	}
	if (lay->refuse) {
		gl_layout_refusal(lay, in->root, in->errbuf, in->errlen);
		return -ESTALE;
	}
	for (int i = 0; i < lay->nrows; i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(in->skel->obj, lay->rows[i].name);

		if (m && replaced(lay->rows[i].verdict) && bpf_map__set_pin_path(m, NULL))
			return -ENOMEM;
	}
	return 0;
}

static int open_load(struct install *in)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = in->root);
	int err;

	in->skel = graylane_bpf__open_opts(&opts);
	if (!in->skel) {
		err = -errno;
		snprintf(in->errbuf, in->errlen, "cannot open the BPF object: %s", strerror(-err));
		return err;
	}
	test_break(in->skel->obj);
	if (installed(in->root) && (err = plan_layout(in)))
		return err;
	if (in->no_recv) {
		bpf_program__set_autoload(in->skel->progs.gl_exit_read, false);
		bpf_program__set_autoload(in->skel->progs.gl_exit_unseen, false);
	}
	err = graylane_bpf__load(in->skel);
	if (err)
		snprintf(in->errbuf, in->errlen,
			 "cannot load the BPF programs: %s (if maps pinned under %s come from another "
			 "build, run 'graylane uninstall --pin-root %s' first)",
			 strerror(-err), in->root, in->root);
	return err;
}

/* progs[i]'s attachment made and pinned, then its program pinned. */
static int attach_pin(struct install *in, int i)
{
	struct bpf_program *p = bpf_object__find_program_by_name(in->skel->obj, progs[i].prog);
	char old[4096];
	int err = 0;

	if (in->no_recv && progs[i].kind == ATTACH_TRACEPOINT) {
		int gone = 0;

		remove_attachment(in->root, progs[i].name, &gone);	/* an earlier install's */
		if (!path_join(old, sizeof(old), in->root, "progs", progs[i].prog))
			unlink(old);
		return 0;
	}
	if (!p) {
		snprintf(in->errbuf, in->errlen, "program %s missing from the object", progs[i].prog);
		return -ENOENT;
	}
	switch (progs[i].kind) {
	case ATTACH_CGROUP:
		err = attach_one(in->root, p, progs[i].name, in->cg_fd, in->cgroup_id, in->took_over,
				 in->errbuf, in->errlen);
		break;
	case ATTACH_TRACEPOINT:
		err = attach_tracepoint(in->root, p, progs[i].name, progs[i].tp, in->took_over,
					in->errbuf, in->errlen);
		break;
	case ATTACH_SOCKHASH:
	case ATTACH_SKB_VERDICT:
		err = attach_sockhash(in->skel, p, progs[i].name, progs[i].tp, progs[i].kind,
				      in->errbuf, in->errlen);
		break;
	}
	if (err)
		return err;
	/* an older install pinned a program per attachment */
	if (strcmp(progs[i].name, progs[i].prog) &&
	    !path_join(old, sizeof(old), in->root, "progs", progs[i].name))
		unlink(old);
	if (i > 0 && !strcmp(progs[i - 1].prog, progs[i].prog))
		return 0;	/* pinned with the previous attachment */
	err = pin_prog(in->root, p, progs[i].prog);
	if (err)
		snprintf(in->errbuf, in->errlen, "cannot pin program %s: %s", progs[i].prog,
			 strerror(-err));
	return err;
}

static void skel_fds(struct graylane_bpf *skel, struct gl_map_fds *f)
{
	f->config = bpf_map__fd(skel->maps.gl_config);
	f->lanes = bpf_map__fd(skel->maps.gl_lanes);
	f->workloads = bpf_map__fd(skel->maps.gl_workloads);
	f->services = bpf_map__fd(skel->maps.gl_services);
	f->backends = bpf_map__fd(skel->maps.gl_backends);
	f->lane_ids = bpf_map__fd(skel->maps.gl_lane_ids);
	f->rules = bpf_map__fd(skel->maps.gl_rules);
	f->wants = bpf_map__fd(skel->maps.gl_wants);
	f->shadows = bpf_map__fd(skel->maps.gl_shadows);
}

/* The old map's values copied into the new one; config: no deltas after. */
static int carry_one(struct install *in, struct gl_carry *c, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(in->skel->obj, name);
	int old = gl_pins_map_fd(in->root, name), err;
	unsigned int dropped = 0;

	if (!m || old < 0) {
		if (old >= 0)
			close(old);
		return 0;
	}
	err = gl_carry_start(c, old, bpf_map__fd(m), gl_layout_key_enum(name), &dropped);
	in->up->dropped += dropped;
	if (err)
		snprintf(in->errbuf, in->errlen, "cannot carry %s into the new layout: %s", name,
			 strerror(-err));
	return err;
}

/* Before attaching: counters carried, the plan maps filled from the rules. */
static int prepare_upgrade(struct install *in)
{
	struct gl_layout *lay = &in->up->lay;
	struct gl_carry cfg = { 0 };
	struct gl_map_fds fds;
	int err = 0;

	for (int i = 0; i < lay->nrows && !err; i++)
		if (lay->rows[i].verdict == GL_LV_CARRY)
			err = carry_one(in, &in->carry, lay->rows[i].name);
	if (err || !lay->rebuild)
		return err;
	/* the generation goes on where the old maps left it */
	err = carry_one(in, &cfg, "gl_config");
	gl_carry_free(&cfg);
	if (err)
		return err;
	skel_fds(in->skel, &fds);
	err = in->up->rebuild ? in->up->rebuild(in->up->arg, &fds) : -ENOSYS;
	if (err)
		snprintf(in->errbuf, in->errlen, "the rules could not be written into the maps of "
			 "layout %u (%s); nothing was changed and the running data path stays",
			 lay->built_layout, strerror(-err));
	return err;
}

/* A new map pinned in place of the old one's pin (rename over it: no gap). */
static int swap_pin(struct install *in, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(in->skel->obj, name);
	char path[4096], tmp[4096];
	int err;

	if ((err = path_join(path, sizeof(path), in->root, "", name)) ||
	    (err = path_join(tmp, sizeof(tmp), in->root, "", "upgrading")))	/* bpffs: no dots */
		return err;
	unlink(tmp);
	if (!m || bpf_obj_pin(bpf_map__fd(m), tmp))
		return m ? -errno : -ENOENT;
	if (rename(tmp, path)) {
		err = -errno;
		unlink(path);
		unlink(tmp);
		if (bpf_obj_pin(bpf_map__fd(m), path))
			return err;
	}
	return 0;
}

/* After attaching: the new maps take the old pins; what was counted since is added. */
static int finish_upgrade(struct install *in)
{
	struct gl_layout *lay = &in->up->lay;
	char path[4096];
	int err = 0;

	for (int i = 0; i < lay->nrows && !err; i++) {
		if (replaced(lay->rows[i].verdict))
			err = swap_pin(in, lay->rows[i].name);
		else if (lay->rows[i].verdict == GL_LV_RETIRED &&
			 !path_join(path, sizeof(path), in->root, "", lay->rows[i].name))
			unlink(path);
	}
	if (err) {
		snprintf(in->errbuf, in->errlen, "the programs of layout %u run, but their maps "
			 "could not be pinned under %s: %s", lay->built_layout, in->root,
			 strerror(-err));
		return err;
	}
	err = gl_carry_finish(&in->carry);
	if (err)
		snprintf(in->errbuf, in->errlen, "counters counted during the upgrade could not be "
			 "carried: %s", strerror(-err));
	return err;
}

int gl_pins_load_attach(const char *root, const char *cgroup_path, uint64_t cgroup_id,
			int no_recv, struct gl_pins_upgrade *up, struct graylane_bpf **out,
			int *took_over, char *errbuf, size_t errlen)
{
	struct install in = {
		.root = root, .cg_fd = -1, .cgroup_id = cgroup_id, .no_recv = no_recv,
		.took_over = took_over, .errbuf = errbuf, .errlen = errlen, .up = up,
	};
	int err, i, fresh = !installed(root);

	*took_over = 0;
	memset(&up->lay, 0, sizeof(up->lay));
	up->dropped = 0;
	err = open_load(&in);
	if (!err && up->lay.changed)
		err = prepare_upgrade(&in);
	if (err)
		goto fail;
	in.cg_fd = open(cgroup_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (in.cg_fd < 0) {
		err = -errno;
		snprintf(errbuf, errlen, "cannot open cgroup %s: %s", cgroup_path, strerror(-err));
		goto fail;
	}
	for (i = 0; i < NPROGS; i++)
		if ((err = attach_pin(&in, i)))
			goto fail;
	for (i = 0; i < NRETIRED; i++) {
		int gone = 0;

		remove_attachment(root, retired[i], &gone);
		if (gone)
			*took_over = 1;
	}
	close(in.cg_fd);
	in.cg_fd = -1;
	if (up->lay.changed && (err = finish_upgrade(&in)))
		goto fail;
	gl_carry_free(&in.carry);
	*out = in.skel;
	return 0;
fail:
	if (in.cg_fd >= 0)
		close(in.cg_fd);
	gl_carry_free(&in.carry);
	graylane_bpf__destroy(in.skel);
	if (fresh) {
		int removed;

		gl_pins_uninstall(root, &removed);	/* nothing half-installed stays */
	}
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
		if (progs[i].kind == ATTACH_SOCKHASH || progs[i].kind == ATTACH_SKB_VERDICT) {
			st[n].prog_id = sockhash_prog(root, progs[i].tp, progs[i].kind);
			st[n].pinned = st[n].attached = st[n].prog_id != 0;
			continue;
		}
		if (path_join(path, sizeof(path), root, "links", progs[i].name))
			continue;
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		st[n].pinned = 1;
		if (progs[i].kind == ATTACH_CGROUP) {
			if (!link_cgroup(fd, &st[n].cgroup_id, &st[n].prog_id) && st[n].cgroup_id)
				st[n].attached = 1;
		} else {
			struct bpf_link_info info;

			if (!link_info(fd, &info) && info.prog_id) {
				st[n].prog_id = info.prog_id;
				st[n].attached = 1;
			}
		}
		close(fd);
	}
	return n;
}


int gl_pins_uninstall(const char *root, int *removed)
{
	char path[4096];
	int i, err;

	*removed = 0;
	for (i = 0; i < NPROGS; i++) {
		remove_attachment(root, progs[i].name, removed);
		if (!path_join(path, sizeof(path), root, "progs", progs[i].prog))
			unlink_counted(path, removed);
	}
	for (i = 0; i < NRETIRED; i++)
		remove_attachment(root, retired[i], removed);
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
