// SPDX-License-Identifier: Apache-2.0
/* Kernel features graylane uses, each probed by asking the kernel (kernel_features.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common/cgroup.h"
#include "kernel_features.h"
#include "verifier_report.h"

const struct gl_feature_info gl_feature_info[GL_FEAT_MAX] = {
	[GL_FEAT_BTF] = { "btf", "kernel BTF at /sys/kernel/btf/vmlinux",
			  "Linux 5.4, CONFIG_DEBUG_INFO_BTF=y", GL_FALLBACK_NONE },
	[GL_FEAT_CGROUP2] = { "cgroup2", "a cgroup v2 mount",
			      "CONFIG_CGROUPS=y; mount -t cgroup2 none /sys/fs/cgroup/unified",
			      GL_FALLBACK_NONE },
	[GL_FEAT_CONNECT] = { "connect", "cgroup/connect4 programs (connect-time routing)",
			      "Linux 4.17, CONFIG_CGROUP_BPF=y", GL_FALLBACK_NONE },
	[GL_FEAT_GETPEERNAME] = { "getpeername", "cgroup/getpeername4 hooks (the dialed address "
				  "given back)", "Linux 5.8", GL_FALLBACK_NONE },
	[GL_FEAT_SOCKOPS] = { "sockops", "sockops programs", "Linux 4.13", GL_FALLBACK_NONE },
	[GL_FEAT_SK_MSG] = { "sk_msg", "sk_msg verdict programs (the send path)", "Linux 4.17",
			     GL_FALLBACK_NONE },
	[GL_FEAT_SOCKHASH] = { "sockhash", "BPF_MAP_TYPE_SOCKHASH", "Linux 4.18", GL_FALLBACK_NONE },
	[GL_FEAT_SK_STORAGE] = { "sk_storage", "BPF_MAP_TYPE_SK_STORAGE", "Linux 5.2",
				 GL_FALLBACK_NONE },
	[GL_FEAT_RINGBUF] = { "ringbuf", "BPF_MAP_TYPE_RINGBUF (events)", "Linux 5.8",
			      GL_FALLBACK_NONE },
	[GL_FEAT_LOOP] = { "bpf_loop", "helper bpf_loop in sk_msg (the parsers)", "Linux 5.17",
			   GL_FALLBACK_NONE },
	[GL_FEAT_MSG_PUSH] = { "msg_push_data", "helper bpf_msg_push_data (writing the "
			       "propagation header)", "Linux 5.0", GL_FALLBACK_NONE },
	[GL_FEAT_MSG_POP] = { "msg_pop_data", "helper bpf_msg_pop_data (removing it)", "Linux 5.0",
			      GL_FALLBACK_NONE },
	[GL_FEAT_SK_STORAGE_MSG] = { "sk_storage_msg", "helper bpf_sk_storage_get in sk_msg",
				     "Linux 5.2", GL_FALLBACK_NONE },
	[GL_FEAT_ANCESTOR_CGROUP] = { "ancestor_cgroup", "helper bpf_get_current_ancestor_cgroup_id "
				      "in cgroup/connect", "Linux 5.7", GL_FALLBACK_NONE },
	[GL_FEAT_TRACEPOINT] = { "tracepoint", "tracepoint programs (the read-family exits)",
				 "Linux 4.7, CONFIG_BPF_EVENTS=y", GL_FALLBACK_NO_RECV },
	[GL_FEAT_SYSCALL_EVENTS] = { "syscall_events", "the syscalls:sys_exit_read tracepoint in "
				     "tracefs", "CONFIG_FTRACE_SYSCALLS=y", GL_FALLBACK_NO_RECV },
	[GL_FEAT_TASK_PT_REGS] = { "task_pt_regs", "helper bpf_task_pt_regs in tracepoints (a "
				   "read's arguments at its exit)", "Linux 5.15",
				   GL_FALLBACK_NO_RECV },
	[GL_FEAT_ANCESTOR_CGROUP_TP] = { "ancestor_cgroup_tp", "helper "
					 "bpf_get_current_ancestor_cgroup_id in tracepoints",
					 "Linux 5.7", GL_FALLBACK_NO_RECV },
};

/* Does a program of this type (and attach type) load calling helper fn? */
static int have_helper(enum bpf_prog_type t, enum bpf_attach_type a, int fn)
{
	struct bpf_insn in[] = {
		{ .code = BPF_JMP | BPF_CALL, .imm = fn },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 1 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	static char log[16384];
	LIBBPF_OPTS(bpf_prog_load_opts, o, .log_buf = log, .log_size = sizeof(log),
		    .log_level = 1, .expected_attach_type = a);
	int fd;

	log[0] = 0;
	fd = bpf_prog_load(t, NULL, "GPL", in, 3, &o);
	if (fd >= 0) {
		close(fd);
		return 1;
	}
	/* the helper is known here when the verifier got past it to its arguments */
	return log[0] && !strstr(log, "unknown func") && !strstr(log, "invalid func") &&
	       !strstr(log, "cannot use helper") && !strstr(log, "cannot call");
}

/* Does a trivial program of this type and attach type load? */
static int have_prog(enum bpf_prog_type t, enum bpf_attach_type a)
{
	struct bpf_insn in[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 1 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = a);
	int fd = bpf_prog_load(t, NULL, "GPL", in, 2, &o);

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

static int have_map(enum bpf_map_type t)
{
	return libbpf_probe_bpf_map_type(t, NULL) == 1;
}

static int hidden(const char *name)
{
	const char *h = getenv("GRAYLANE_HIDE_FEATURES");
	size_t n = strlen(name);

	for (const char *p = h; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : "") {
		if (!strncmp(p, name, n) && (p[n] == ',' || p[n] == 0))
			return 1;
	}
	return 0;
}

void gl_features_probe(struct gl_features *f)
{
	char mnt[4096];
	int *p = f->present, i;

	memset(f, 0, sizeof(*f));
	p[GL_FEAT_BTF] = access("/sys/kernel/btf/vmlinux", R_OK) == 0;
	p[GL_FEAT_CGROUP2] = gl_cgroup2_mount(mnt, sizeof(mnt)) == 0;
	p[GL_FEAT_CONNECT] = have_prog(BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT);
	p[GL_FEAT_GETPEERNAME] = have_prog(BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
					   BPF_CGROUP_INET4_GETPEERNAME);
	p[GL_FEAT_SOCKOPS] = have_prog(BPF_PROG_TYPE_SOCK_OPS, 0);
	p[GL_FEAT_SK_MSG] = have_prog(BPF_PROG_TYPE_SK_MSG, BPF_SK_MSG_VERDICT);
	p[GL_FEAT_SOCKHASH] = have_map(BPF_MAP_TYPE_SOCKHASH);
	p[GL_FEAT_SK_STORAGE] = have_map(BPF_MAP_TYPE_SK_STORAGE);
	p[GL_FEAT_RINGBUF] = have_map(BPF_MAP_TYPE_RINGBUF);
	p[GL_FEAT_LOOP] = have_helper(BPF_PROG_TYPE_SK_MSG, BPF_SK_MSG_VERDICT, BPF_FUNC_loop);
	p[GL_FEAT_MSG_PUSH] = have_helper(BPF_PROG_TYPE_SK_MSG, BPF_SK_MSG_VERDICT,
					  BPF_FUNC_msg_push_data);
	p[GL_FEAT_MSG_POP] = have_helper(BPF_PROG_TYPE_SK_MSG, BPF_SK_MSG_VERDICT,
					 BPF_FUNC_msg_pop_data);
	p[GL_FEAT_SK_STORAGE_MSG] = have_helper(BPF_PROG_TYPE_SK_MSG, BPF_SK_MSG_VERDICT,
						BPF_FUNC_sk_storage_get);
	p[GL_FEAT_ANCESTOR_CGROUP] = have_helper(BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
						 BPF_CGROUP_INET4_CONNECT,
						 BPF_FUNC_get_current_ancestor_cgroup_id);
	p[GL_FEAT_TRACEPOINT] = have_prog(BPF_PROG_TYPE_TRACEPOINT, 0);
	/* tracefs is often not mounted yet: the daemon mounts it anyway (pins.c) */
	if (access("/sys/kernel/tracing/events", F_OK) &&
	    access("/sys/kernel/debug/tracing/events", F_OK))
		mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL);
	p[GL_FEAT_SYSCALL_EVENTS] =
		access("/sys/kernel/tracing/events/syscalls/sys_exit_read", F_OK) == 0 ||
		access("/sys/kernel/debug/tracing/events/syscalls/sys_exit_read", F_OK) == 0;
	p[GL_FEAT_TASK_PT_REGS] = have_helper(BPF_PROG_TYPE_TRACEPOINT, 0, BPF_FUNC_task_pt_regs) &&
				  have_helper(BPF_PROG_TYPE_TRACEPOINT, 0,
					      BPF_FUNC_get_current_task_btf);
	p[GL_FEAT_ANCESTOR_CGROUP_TP] = have_helper(BPF_PROG_TYPE_TRACEPOINT, 0,
						    BPF_FUNC_get_current_ancestor_cgroup_id);
	for (i = 0; i < GL_FEAT_MAX; i++) {
		if (hidden(gl_feature_info[i].name))
			p[i] = 0;
		if (p[i])
			continue;
		if (gl_feature_info[i].fallback == GL_FALLBACK_NONE)
			f->missing_required++;
		else if (gl_feature_info[i].fallback == GL_FALLBACK_NO_RECV)
			f->no_recv = 1;
	}
}

void gl_features_print(const struct gl_features *f, FILE *out, int json, int only_missing)
{
	const char *rel = gl_kernel_release();
	int i, first = 1;

	if (json)
		fprintf(out, "{\"kernel\":\"%s\",\"missing_required\":%d,\"no_recv\":%s,"
			     "\"features\":[", rel, f->missing_required, f->no_recv ? "true" : "false");
	for (i = 0; i < GL_FEAT_MAX; i++) {
		const struct gl_feature_info *fi = &gl_feature_info[i];
		const char *lost = fi->fallback == GL_FALLBACK_NO_RECV ? GL_NO_RECV_LOST : NULL;

		if (only_missing && f->present[i])
			continue;
		if (json) {
			fprintf(out, "%s{\"name\":\"%s\",\"present\":%s,\"since\":\"%s\","
				     "\"required\":%s}", first ? "" : ",", fi->name,
				f->present[i] ? "true" : "false", fi->since, lost ? "false" : "true");
		} else if (f->present[i]) {
			fprintf(out, "ok       %-18s %s\n", fi->name, fi->what);
		} else {
			fprintf(out, "MISSING  %-18s %s (needs %s)%s%s\n", fi->name, fi->what, fi->since,
				lost ? ": runs without it; " : ": required", lost ? lost : "");
		}
		first = 0;
	}
	if (json)
		fprintf(out, "]}\n");
}
