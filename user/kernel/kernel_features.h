/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What of the kernel graylane uses, asked of the kernel itself: each program
 * type, attach type and helper by loading a tiny program (libbpf 1.1's
 * helper probe and bpftool 7.1's answer "yes" on 6.18, whose refusal reads
 * "program of this type cannot use helper"), maps by creating one, files
 * by looking. A feature is required, or has a fallback that runs without it
 * and loses something named. A library: it never prints but through
 * gl_features_print.
 */
#ifndef GL_KERNEL_FEATURES_H
#define GL_KERNEL_FEATURES_H

#include <stdio.h>

enum gl_feature {
	GL_FEAT_BTF = 0,
	GL_FEAT_CGROUP2,
	GL_FEAT_CONNECT,
	GL_FEAT_GETPEERNAME,
	GL_FEAT_SOCKOPS,
	GL_FEAT_SK_MSG,
	GL_FEAT_SOCKHASH,
	GL_FEAT_SK_STORAGE,
	GL_FEAT_RINGBUF,
	GL_FEAT_LOOP,
	GL_FEAT_MSG_PUSH,
	GL_FEAT_MSG_POP,
	GL_FEAT_SK_STORAGE_MSG,
	GL_FEAT_ANCESTOR_CGROUP,
	/* the receive path: a fallback exists */
	GL_FEAT_TRACEPOINT,
	GL_FEAT_SYSCALL_EVENTS,
	GL_FEAT_TASK_PT_REGS,
	GL_FEAT_ANCESTOR_CGROUP_TP,
	GL_FEAT_MAX,
};

/* How a missing feature is lived with. */
enum gl_fallback {
	GL_FALLBACK_NONE = 0,	/* required: the daemon refuses to start */
	GL_FALLBACK_NO_RECV,	/* the read tracepoints are not attached */
};

struct gl_feature_info {
	const char *name;	/* short, for --json and GRAYLANE_HIDE_FEATURES */
	const char *what;
	const char *since;	/* the Linux version that brings it, and what config */
	enum gl_fallback fallback;
};

extern const struct gl_feature_info gl_feature_info[GL_FEAT_MAX];

/* What running without the receive path loses (GL_FALLBACK_NO_RECV). */
#define GL_NO_RECV_LOST								\
	"without the read tracepoints the lane of a request a service reads is not "	\
	"carried to the calls it makes: an outgoing request takes the lane of a "	\
	"propagation header it carries, else (entry workloads) its rules on the "	\
	"request sent, else its workload's lane"

struct gl_features {
	int present[GL_FEAT_MAX];
	int missing_required;	/* count */
	int no_recv;		/* run without the read tracepoints */
};

/*
 * Probes every feature. GRAYLANE_HIDE_FEATURES (comma-separated names; for
 * tests of the fallbacks on kernels that have everything) marks some absent.
 */
void gl_features_probe(struct gl_features *f);

/* One line per feature (or JSON); missing ones say since when and what is lost. */
void gl_features_print(const struct gl_features *f, FILE *out, int json, int only_missing);

#endif
