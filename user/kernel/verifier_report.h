/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the kernel's verifier makes of each BPF program, loaded on its own:
 * processed instructions, states, verification time, or the line it refused
 * the program with. Used by `graylane verifier-report` and by the daemon
 * when a load fails. A library: it never prints.
 */
#ifndef GL_VERIFIER_REPORT_H
#define GL_VERIFIER_REPORT_H

#include <stddef.h>
#include <stdio.h>

/* Every program must verify within this many processed instructions: a
 * quarter of the kernel's 1M limit, so that the next kernel's verifier
 * (whose counts move by tens of percent between releases) still takes it. */
#define GL_VERIFIER_BUDGET 250000u
#define GL_VERIFIER_LIMIT 1000000u

struct gl_vprog {
	char object[64];
	char name[64];
	int loaded;
	int err;		/* negative errno of a failed load */
	unsigned int insns;	/* processed instructions */
	unsigned int states;	/* total states */
	unsigned int peak_states;
	unsigned int time_us;	/* verification time (varies; not a test input) */
	char error[256];	/* the verifier's last line when refused */
};

/* Statistics and the refusal line out of a verifier log (level BPF_LOG_STATS). */
void gl_verifier_parse_log(const char *log, struct gl_vprog *p);

/*
 * Loads each program of the ELF object [data, data + size) on its own (no
 * map pinned, nothing attached) and fills out[0..*n). Returns 0, or a
 * negative errno when the object cannot be opened or out is too small.
 */
int gl_verifier_report_object(const char *object, const void *data, size_t size,
			      struct gl_vprog *out, int max, int *n);

/* The full verifier log (level 1) of one refused program, to path. 0 or -errno. */
int gl_verifier_full_log(const char *object, const void *data, size_t size, const char *prog,
			 const char *path);

/* The kernel release (uname -r). */
const char *gl_kernel_release(void);

/* The records as JSON: {"kernel", "budget", "programs": [...]} */
void gl_verifier_report_json(FILE *f, const struct gl_vprog *p, int n);

#endif
