// SPDX-License-Identifier: Apache-2.0
/* A refused program in one line; its verifier log in a file (refusal.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "refusal.h"
#include "verifier_report.h"

#define LOG_DIR "/var/log/graylane"
#define RUN_DIR "/run/graylane"
#define BEGIN "-- BEGIN PROG LOAD LOG --"

static char prog[64];
static char path[4096];
static char last[256];
static int refused;

/* Keeps a program's load log: "prog 'NAME': -- BEGIN PROG LOAD LOG --\n...-- END ..." */
static void keep_log(const char *msg)
{
	const char *p = strstr(msg, "prog '"), *q, *body = strstr(msg, BEGIN);
	struct gl_vprog v;
	FILE *f;

	memset(&v, 0, sizeof(v));
	if (p && (q = strchr(p + 6, '\'')) && (size_t)(q - p - 6) < sizeof(prog)) {
		memcpy(prog, p + 6, (size_t)(q - p - 6));
		prog[q - p - 6] = 0;
	} else {
		snprintf(prog, sizeof(prog), "?");
	}
	body = body ? body + strlen(BEGIN) + 1 : msg;
	if (mkdir(LOG_DIR, 0755) && errno != EEXIST)
		snprintf(path, sizeof(path), "/tmp/graylane-verifier-%s.log", prog);
	else
		snprintf(path, sizeof(path), LOG_DIR "/verifier-%s.log", prog);
	f = fopen(path, "w");
	if (f) {
		fprintf(f, "kernel %s, program %s\n%s", gl_kernel_release(), prog, body);
		fclose(f);
	} else {
		snprintf(path, sizeof(path), "(not written: %s)", strerror(errno));
	}
	{
		char *copy = strdup(body), *end;

		if (copy) {
			if ((end = strstr(copy, "-- END PROG LOAD LOG --")))
				*end = 0;
			gl_verifier_parse_log(copy, &v);
			free(copy);
		}
	}
	snprintf(last, sizeof(last), "%s", v.error[0] ? v.error : "(empty verifier log)");
	refused = 1;
}

static void (*sink)(const char *line);

void gl_refusal_set_sink(void (*fn)(const char *line))
{
	sink = fn;
}

int gl_refusal_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	static char msg[1 << 20];

	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (strstr(msg, BEGIN)) {
		keep_log(msg);
		return 0;
	}
	/* the load's own lines around the log say nothing the one line will not */
	if (strstr(msg, "BPF program load failed") ||
	    (refused && (strstr(msg, "failed to load") || strstr(msg, "prog '"))))
		return 0;
	if (sink) {
		sink(msg);
		return 0;
	}
	return fputs(msg, stderr);
}

int gl_refusal_line(char *line, size_t n)
{
	if (!refused)
		return 0;
	snprintf(line, n, "kernel %s refused program %s: %s (full verifier log: %s); "
		 "report this with the output of 'graylane verifier-report'",
		 gl_kernel_release(), prog, last, path);
	return 1;
}

static void error_path(const char *pin_root, char *out, size_t n)
{
	char name[512];
	size_t i;

	snprintf(name, sizeof(name), "%s", pin_root);
	for (i = 0; name[i]; i++)
		if (name[i] == '/')
			name[i] = '_';
	snprintf(out, n, RUN_DIR "/%s.error", name);
}

void gl_start_error_keep(const char *pin_root, const char *line)
{
	char p[4096];
	FILE *f;

	if (mkdir(RUN_DIR, 0755) && errno != EEXIST)
		return;
	error_path(pin_root, p, sizeof(p));
	f = fopen(p, "w");
	if (f) {
		fprintf(f, "%s\n", line);
		fclose(f);
	}
}

void gl_start_error_clear(const char *pin_root)
{
	char p[4096];

	error_path(pin_root, p, sizeof(p));
	unlink(p);
}

int gl_start_error_read(const char *pin_root, char *line, size_t n)
{
	char p[4096];
	FILE *f;

	error_path(pin_root, p, sizeof(p));
	f = fopen(p, "r");
	if (!f)
		return 0;
	if (!fgets(line, (int)n, f))
		line[0] = 0;
	fclose(f);
	line[strcspn(line, "\n")] = 0;
	return line[0] != 0;
}
