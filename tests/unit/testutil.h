/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared by the unit tests: pass/fail counting (one line per case, then
 * "N passed, M failed"), finding the source tree, reading files and
 * capturing printed output.
 */
#ifndef GL_TESTUTIL_H
#define GL_TESTUTIL_H

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/file.h"

static int t_pass __attribute__((unused)), t_fail __attribute__((unused));

/* Prints "ok NAME" or "FAIL NAME"; details of a failure go to stderr. */
static inline bool t_check(bool ok, const char *name)
{
	printf("%s %s\n", ok ? "ok" : "FAIL", name);
	fflush(stdout);
	if (ok)
		t_pass++;
	else
		t_fail++;
	return ok;
}

static inline int t_done(void)
{
	printf("%d passed, %d failed\n", t_pass, t_fail);
	return t_fail ? 1 : 0;
}

/* Shows where two texts first differ. */
static inline void t_diff(const char *name, const char *want, const char *got)
{
	size_t line = 1, i = 0;

	while (want[i] && want[i] == got[i]) {
		if (want[i] == '\n')
			line++;
		i++;
	}
	fprintf(stderr, "--- %s: first difference at line %zu\n--- want:\n%s--- got:\n%s---\n",
		name, line, want, got);
}

/* Runs from the source tree: the current directory, else two levels above build/tests/X. */
static inline int t_chdir_top(void)
{
	char exe[PATH_MAX], *slash;
	ssize_t n;

	if (getenv("GL_TOP"))
		return chdir(getenv("GL_TOP"));
	if (!access("tests/golden", F_OK))
		return 0;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return -errno;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	if (chdir(exe) || chdir("../.."))
		return -errno;
	return access("tests/golden", F_OK) ? -ENOENT : 0;
}

/* Whole file as a NUL-terminated string, or NULL. */
static inline char *t_read(const char *path, size_t *len)
{
	return gl_read_file(path, len);
}

/* An in-memory FILE; t_text() ends it and returns what was printed. */
struct t_out {
	FILE *f;
	char *buf;
	size_t len;
};

static inline FILE *t_open(struct t_out *o)
{
	o->buf = NULL;
	o->len = 0;
	o->f = open_memstream(&o->buf, &o->len);
	return o->f;
}

static inline char *t_text(struct t_out *o)
{
	fclose(o->f);
	return o->buf ? o->buf : strdup("");
}

#endif
