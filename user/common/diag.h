/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Diagnostics: library code never prints; it appends what is wrong (and
 * where) to a list, and the caller prints the list once, sorted, in the
 * compiler-style form editors and CI annotators understand:
 *
 *	FILE:LINE:COL: error: MESSAGE
 *
 * LINE and COL are 1-based. A diagnostic about a whole file or directory
 * (line 0) prints as "FILE: error: MESSAGE".
 */
#ifndef GL_DIAG_H
#define GL_DIAG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

enum gl_severity {
	GL_SEV_ERROR = 0,
	GL_SEV_WARNING,
};

struct gl_diag {
	enum gl_severity sev;
	char *file;		/* owned copy; "" when unknown */
	unsigned line, col;	/* 1-based; 0 = not about a position */
	char *msg;		/* owned, one line */
	size_t seq;		/* insertion order, keeps sorting stable */
};

struct gl_diags {
	struct gl_diag *v;
	size_t n, cap;
	size_t nerrors, nwarnings;	/* counted even when a diagnostic is dropped */
	size_t dropped;			/* not stored: out of memory */
};

void gl_diags_init(struct gl_diags *d);
void gl_diags_free(struct gl_diags *d);

/* Appends one diagnostic; returns 0 or -ENOMEM (the count still goes up). */
int gl_diag_add(struct gl_diags *d, enum gl_severity sev, const char *file,
		unsigned line, unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

int gl_diag_vadd(struct gl_diags *d, enum gl_severity sev, const char *file,
		 unsigned line, unsigned col, const char *fmt, va_list ap)
	__attribute__((format(printf, 6, 0)));

/* Moves every diagnostic of from to the end of d (from is left empty); 0 or
 * -ENOMEM (then from keeps them). */
int gl_diags_append(struct gl_diags *d, struct gl_diags *from);

size_t gl_diags_errors(const struct gl_diags *d);
size_t gl_diags_warnings(const struct gl_diags *d);

/* Prints every diagnostic sorted by file, line, column (stable). */
void gl_diags_print(const struct gl_diags *d, FILE *out);

#endif
