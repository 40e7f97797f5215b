// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cgroup.h"
#include "kernel_check.h"

static int missing(FILE *out, const char *what, const char *needs)
{
	fprintf(out, "graylaned: kernel: missing %s (needs %s)\n", what, needs);
	return 1;
}

static int have_prog(enum bpf_prog_type t)
{
	return libbpf_probe_bpf_prog_type(t, NULL) == 1;
}

static int have_map(enum bpf_map_type t)
{
	return libbpf_probe_bpf_map_type(t, NULL) == 1;
}

int gl_features_check(FILE *out)
{
	char mnt[4096];
	int n = 0;

	if (access("/sys/kernel/btf/vmlinux", R_OK))
		n += missing(out, "kernel BTF at /sys/kernel/btf/vmlinux",
			     "CONFIG_DEBUG_INFO_BTF=y, Linux 5.4 or later");
	if (gl_cgroup2_mount(mnt, sizeof(mnt)))
		n += missing(out, "a cgroup v2 mount",
			     "CONFIG_CGROUPS=y and a cgroup2 mount, e.g. "
			     "'mount -t cgroup2 none /sys/fs/cgroup/unified'");
	if (!have_prog(BPF_PROG_TYPE_CGROUP_SOCK_ADDR))
		n += missing(out, "BPF program type cgroup/sock_addr (connect4/6, getpeername4/6)",
			     "CONFIG_CGROUP_BPF=y, Linux 5.8 or later for getpeername");
	if (!have_map(BPF_MAP_TYPE_SK_STORAGE))
		n += missing(out, "BPF map type sk_storage", "CONFIG_BPF_SYSCALL=y, Linux 5.2 or later");
	if (!have_map(BPF_MAP_TYPE_PERCPU_ARRAY) || !have_map(BPF_MAP_TYPE_HASH))
		n += missing(out, "BPF hash and per-CPU array maps", "CONFIG_BPF_SYSCALL=y");
	if (have_prog(BPF_PROG_TYPE_CGROUP_SOCK_ADDR) &&
	    libbpf_probe_bpf_helper(BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
				    BPF_FUNC_get_current_ancestor_cgroup_id, NULL) != 1)
		n += missing(out, "helper bpf_get_current_ancestor_cgroup_id in cgroup/sock_addr",
			     "Linux 5.7 or later");
	if (!have_prog(BPF_PROG_TYPE_TRACEPOINT))
		n += missing(out, "BPF program type tracepoint (the read-family syscall exits)",
			     "CONFIG_BPF_EVENTS=y, CONFIG_FTRACE_SYSCALLS=y");
	else if (libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_task_pt_regs, NULL) != 1 ||
		 libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_get_current_task_btf,
					 NULL) != 1)
		n += missing(out, "helpers bpf_task_pt_regs and bpf_get_current_task_btf in tracepoints "
			     "(a read's arguments at its exit)", "Linux 5.15 or later");
	return n;
}
