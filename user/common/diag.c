// SPDX-License-Identifier: Apache-2.0
/* Diagnostics list: see diag.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

void gl_diags_init(struct gl_diags *d)
{
	memset(d, 0, sizeof(*d));
}

void gl_diags_free(struct gl_diags *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].msg);
	}
	free(d->v);
	gl_diags_init(d);
}

static int grow(struct gl_diags *d)
{
	size_t cap = d->cap ? d->cap * 2 : 16;
	struct gl_diag *v;

	if (d->n < d->cap)
		return 0;
	v = realloc(d->v, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	d->v = v;
	d->cap = cap;
	return 0;
}

/* One line per diagnostic: a newline in a message would break that promise. */
static void flatten(char *s)
{
	for (; *s; s++)
		if (*s == '\n' || *s == '\r')
			*s = ' ';
}

int gl_diag_vadd(struct gl_diags *d, enum gl_severity sev, const char *file,
		 unsigned line, unsigned col, const char *fmt, va_list ap)
{
	struct gl_diag *g;
	char *msg = NULL, *f;
	int n;

	if (sev == GL_SEV_ERROR)
		d->nerrors++;
	else
		d->nwarnings++;

	n = vasprintf(&msg, fmt, ap);
	f = strdup(file ? file : "");
	if (n < 0 || !f || grow(d)) {
		if (n >= 0)
			free(msg);
		free(f);
		d->dropped++;
		return -ENOMEM;
	}
	flatten(msg);
	flatten(f);
	g = &d->v[d->n];
	g->sev = sev;
	g->file = f;
	g->line = line;
	g->col = col;
	g->msg = msg;
	g->seq = d->n++;
	return 0;
}

int gl_diag_add(struct gl_diags *d, enum gl_severity sev, const char *file,
		unsigned line, unsigned col, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = gl_diag_vadd(d, sev, file, line, col, fmt, ap);
	va_end(ap);
	return ret;
}

int gl_diags_append(struct gl_diags *d, struct gl_diags *from)
{
	if (d->n + from->n > d->cap) {
		size_t cap = d->n + from->n;
		struct gl_diag *v = realloc(d->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		d->v = v;
		d->cap = cap;
	}
	for (size_t i = 0; i < from->n; i++) {
		d->v[d->n] = from->v[i];
		d->v[d->n].seq = d->n;
		d->n++;
	}
	d->nerrors += from->nerrors;
	d->nwarnings += from->nwarnings;
	d->dropped += from->dropped;
	free(from->v);
	gl_diags_init(from);
	return 0;
}

size_t gl_diags_errors(const struct gl_diags *d)
{
	return d->nerrors;
}

size_t gl_diags_warnings(const struct gl_diags *d)
{
	return d->nwarnings;
}

static int cmp_diag(const void *a, const void *b)
{
	const struct gl_diag *x = *(const struct gl_diag *const *)a;
	const struct gl_diag *y = *(const struct gl_diag *const *)b;
	int c = strcmp(x->file, y->file);

	if (c)
		return c;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void print_one(const struct gl_diag *g, FILE *out)
{
	const char *sev = g->sev == GL_SEV_ERROR ? "error" : "warning";

	if (g->line)
		fprintf(out, "%s:%u:%u: %s: %s\n", g->file, g->line, g->col, sev, g->msg);
	else
		fprintf(out, "%s: %s: %s\n", g->file, sev, g->msg);
}

void gl_diags_print(const struct gl_diags *d, FILE *out)
{
	const struct gl_diag **idx = calloc(d->n ? d->n : 1, sizeof(*idx));
	size_t i;

	if (!idx) {	/* still print everything, just unsorted */
		for (i = 0; i < d->n; i++)
			print_one(&d->v[i], out);
	} else {
		for (i = 0; i < d->n; i++)
			idx[i] = &d->v[i];
		qsort(idx, d->n, sizeof(*idx), cmp_diag);
		for (i = 0; i < d->n; i++)
			print_one(idx[i], out);
		free(idx);
	}
	if (d->dropped)
		fprintf(out, "graylane: error: %zu more diagnostics lost (out of memory)\n",
			d->dropped);
}
