// SPDX-License-Identifier: Apache-2.0
/* graylane verifier-report: each program of the daemon's object and of the
 * objects named through this kernel's verifier on its own (insns, states,
 * time), as a table or the JSON record tests/verifier/ keeps. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "kernel/verifier_report.h"
#include "graylane.skel.h"

static int read_file(const char *path, void **data, size_t *size)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (!f)
		return -errno;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return -EIO;
	}
	*data = malloc(n ? (size_t)n : 1);
	if (!*data || fread(*data, 1, (size_t)n, f) != (size_t)n) {
		free(*data);
		fclose(f);
		return -EIO;
	}
	fclose(f);
	*size = (size_t)n;
	return 0;
}

static void print_vprogs(FILE *f, const struct gl_vprog *p, int n)
{
	fprintf(f, "kernel %s, budget %u processed instructions per program\n",
		gl_kernel_release(), GL_VERIFIER_BUDGET);
	fprintf(f, "%-12s %-24s %9s %8s %10s  %s\n", "object", "program", "insns", "states",
		"time_us", "verdict");
	for (int i = 0; i < n; i++)
		fprintf(f, "%-12s %-24s %9u %8u %10u  %s%s\n", p[i].object, p[i].name, p[i].insns,
			p[i].states, p[i].time_us,
			!p[i].loaded ? "REFUSED: " : p[i].insns > GL_VERIFIER_BUDGET ? "OVER BUDGET" : "ok",
			p[i].loaded ? "" : p[i].error);
}

/* --log-dir: each refused program's full verifier log, DIR/OBJECT-PROG.log */
static void full_logs(const char *dir, const char *object, const void *data, size_t size,
		      struct gl_vprog *p, int n)
{
	char path[4096];

	for (int i = 0; i < n; i++) {
		if (p[i].loaded)
			continue;
		snprintf(path, sizeof(path), "%s/%s-%s.log", dir, object, p[i].name);
		if (gl_verifier_full_log(object, data, size, p[i].name, path))
			fprintf(stderr, "graylane: cannot write %s\n", path);
		else
			fprintf(stderr, "graylane: %s refused: full verifier log in %s\n", p[i].name, path);
	}
}

/* The daemon's object (embedded) and any objects named, program by program. */
int cmd_verifier_report(struct cli *c)
{
	static struct gl_vprog progs[128];
	int n = 0, bad = 0, err, i;
	size_t size;
	const void *data = graylane_bpf__elf_bytes(&size);

	err = gl_verifier_report_object("graylane", data, size, progs, 128, &n);
	if (!err && c->log_dir)
		full_logs(c->log_dir, "graylane", data, size, progs, n);
	for (i = 0; !err && i < c->argc; i++) {
		char name[64], *dot;
		void *buf = NULL;
		int got = 0;

		snprintf(name, sizeof(name), "%s", strrchr(c->argv[i], '/') ? strrchr(c->argv[i], '/') + 1
									    : c->argv[i]);
		if ((dot = strstr(name, ".bpf.o")) || (dot = strstr(name, ".o")))
			*dot = 0;
		err = read_file(c->argv[i], &buf, &size);
		if (err) {
			fprintf(stderr, "graylane: cannot read %s: %s\n", c->argv[i], strerror(-err));
			return 1;
		}
		err = gl_verifier_report_object(name, buf, size, progs + n, 128 - n, &got);
		if (!err && c->log_dir)
			full_logs(c->log_dir, name, buf, size, progs + n, got);
		free(buf);
		n += got;
	}
	if (err) {
		fprintf(stderr, "graylane: verifier-report: cannot open a BPF object: %s\n",
			strerror(-err));
		return 1;
	}
	for (i = 0; i < n; i++)
		bad += !progs[i].loaded || progs[i].insns > GL_VERIFIER_BUDGET;
	if (c->out) {
		FILE *f = fopen(c->out, "w");

		if (!f) {
			fprintf(stderr, "graylane: cannot write %s: %s\n", c->out, strerror(errno));
			return 1;
		}
		gl_verifier_report_json(f, progs, n);
		if (fclose(f)) {
			fprintf(stderr, "graylane: cannot write %s: %s\n", c->out, strerror(errno));
			return 1;
		}
	}
	if (c->json)
		gl_verifier_report_json(stdout, progs, n);
	else
		print_vprogs(stdout, progs, n);
	if (bad)
		fprintf(stderr, "graylane: %d of %d programs refused or over budget on %s; "
			"please report this with the output of 'graylane verifier-report'\n",
			bad, n, gl_kernel_release());
	return bad ? 1 : 0;
}
