// SPDX-License-Identifier: Apache-2.0
/*
 * Typed access to YAML fields for the rules loader: every problem is
 * reported at the offending node with the field's full path, and loading
 * goes on (the caller gets NULL/false and carries on with the next field).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "common/quote.h"

/*
 * Paths are built for every field read, in case it is wrong: by hand, not
 * with snprintf (5% of loading 100 000 workloads), cut at the same length.
 */
static size_t path_put(struct gl_path *p, size_t o, const char *s, size_t n)
{
	if (n > sizeof(p->s) - 1 - o)
		n = sizeof(p->s) - 1 - o;
	memcpy(p->s + o, s, n);
	p->s[o + n] = '\0';
	return o + n;
}

struct gl_path gl_path_join(const char *prefix, const char *key)
{
	struct gl_path p;
	size_t o = 0;

	if (prefix && *prefix) {
		o = path_put(&p, o, prefix, strlen(prefix));
		o = path_put(&p, o, ".", 1);
	}
	path_put(&p, o, key, strlen(key));
	return p;
}

struct gl_path gl_path_index(const char *prefix, size_t i)
{
	struct gl_path p;
	char num[24], *d = num + sizeof(num);
	size_t o;

	*--d = ']';
	do
		*--d = '0' + i % 10;
	while (i /= 10);
	*--d = '[';
	o = path_put(&p, 0, prefix, strlen(prefix));
	path_put(&p, o, d, num + sizeof(num) - d);
	return p;
}

struct gl_pos gl_pos_of(const struct gl_load *l, const struct gl_ynode *n)
{
	struct gl_pos p = { .file = l->file, .line = n->line, .col = n->col };

	return p;
}

static void vreport(struct gl_load *l, enum gl_severity sev, struct gl_pos pos,
		    const char *fmt, va_list ap)
{
	if (gl_diag_vadd(l->d, sev, pos.file, pos.line, pos.col, fmt, ap))
		l->err = -ENOMEM;
}

void gl_perr(struct gl_load *l, struct gl_pos pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(l, GL_SEV_ERROR, pos, fmt, ap);
	va_end(ap);
}

void gl_pwarn(struct gl_load *l, struct gl_pos pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(l, GL_SEV_WARNING, pos, fmt, ap);
	va_end(ap);
}

void gl_lerr(struct gl_load *l, const struct gl_ynode *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(l, GL_SEV_ERROR, gl_pos_of(l, n), fmt, ap);
	va_end(ap);
}

void gl_lwarn(struct gl_load *l, const struct gl_ynode *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(l, GL_SEV_WARNING, gl_pos_of(l, n), fmt, ap);
	va_end(ap);
}

void *gl_lalloc(struct gl_load *l, size_t size)
{
	void *p = gl_arena_alloc(&l->m->arena, size);

	if (!p)
		l->err = -ENOMEM;
	return p;
}

const char *gl_lstrdup(struct gl_load *l, const char *s)
{
	char *p = gl_arena_strdup(&l->m->arena, s);

	if (!p)
		l->err = -ENOMEM;
	return p;
}

const struct gl_ynode *gl_get_node(struct gl_load *l, const struct gl_ynode *map,
				   const char *prefix, const char *key, bool required)
{
	const struct gl_ynode *v = gl_ymap_get(map, key);

	if (!v && required)
		gl_lerr(l, map, "missing field '%s'", gl_path_join(prefix, key).s);
	return v;
}

static const struct gl_ynode *get_typed(struct gl_load *l, const struct gl_ynode *map,
					const char *prefix, const char *key, bool required,
					enum gl_ytype type, const char *tname)
{
	const struct gl_ynode *v = gl_get_node(l, map, prefix, key, required);

	if (!v || (gl_yis_null(v) && !required))
		return NULL;
	if (v->type != type) {
		gl_lerr(l, v, "field '%s' must be a %s, got %s",
			gl_path_join(prefix, key).s, tname, gl_ytype_name(v));
		return NULL;
	}
	return v;
}

const struct gl_ynode *gl_get_map(struct gl_load *l, const struct gl_ynode *map,
				  const char *prefix, const char *key, bool required)
{
	return get_typed(l, map, prefix, key, required, GL_Y_MAP, "mapping");
}

const struct gl_ynode *gl_get_seq(struct gl_load *l, const struct gl_ynode *map,
				  const char *prefix, const char *key, bool required)
{
	return get_typed(l, map, prefix, key, required, GL_Y_SEQ, "list");
}

/* The text of a string node, in the tree; NULL (reported) for anything else. */
static const char *node_text(struct gl_load *l, const struct gl_ynode *n, const char *path)
{
	if (n->type != GL_Y_SCALAR || n->sk == GL_YS_NULL) {
		gl_lerr(l, n, "field '%s' must be a string, got %s", path, gl_ytype_name(n));
		return NULL;
	}
	return n->str;
}

const char *gl_node_str(struct gl_load *l, const struct gl_ynode *n, const char *path)
{
	const char *s = node_text(l, n, path);

	return s ? gl_lstrdup(l, s) : NULL;
}

const char *gl_peek_str(struct gl_load *l, const struct gl_ynode *map, const char *prefix,
			const char *key, bool required, const struct gl_ynode **node)
{
	const struct gl_ynode *v = gl_get_node(l, map, prefix, key, required);

	if (node)
		*node = v;
	if (!v || (gl_yis_null(v) && !required))
		return NULL;
	return node_text(l, v, gl_path_join(prefix, key).s);
}

const char *gl_get_str(struct gl_load *l, const struct gl_ynode *map, const char *prefix,
		       const char *key, bool required, const struct gl_ynode **node)
{
	const char *s = gl_peek_str(l, map, prefix, key, required, node);

	return s ? gl_lstrdup(l, s) : NULL;
}

/* YAML 1.2 core integers: decimal, 0o octal, 0x hexadecimal. */
static bool parse_int(const char *s, long long *out)
{
	int base = 10;
	char *end;
	long long v;

	if (!strncmp(s, "0o", 2)) {
		base = 8;
		s += 2;
	} else if (!strncmp(s, "0x", 2)) {
		base = 16;
		s += 2;
	}
	errno = 0;
	v = strtoll(s, &end, base);
	if (errno || *end || end == s)
		return false;
	*out = v;
	return true;
}

bool gl_node_int(struct gl_load *l, const struct gl_ynode *n, const char *path, long long *out)
{
	if (n->type != GL_Y_SCALAR || n->sk != GL_YS_INT) {
		gl_lerr(l, n, "field '%s' must be an integer, got %s", path, gl_ytype_name(n));
		return false;
	}
	if (!parse_int(n->str, out)) {
		gl_lerr(l, n, "field '%s' is out of range: %s", path, gl_q(n->str).s);
		return false;
	}
	return true;
}

bool gl_get_int(struct gl_load *l, const struct gl_ynode *map, const char *prefix,
		const char *key, bool required, long long *out, const struct gl_ynode **node)
{
	const struct gl_ynode *v = gl_get_node(l, map, prefix, key, required);

	if (node)
		*node = v;
	if (!v || (gl_yis_null(v) && !required))
		return false;
	return gl_node_int(l, v, gl_path_join(prefix, key).s, out);
}

void gl_check_fields(struct gl_load *l, const struct gl_ynode *map, const char *prefix,
		     const char *const *known)
{
	size_t n = gl_ymap_len(map);

	for (size_t i = 0; i < n; i++) {
		const struct gl_ynode *k = gl_ymap_key(map, i);
		const char *const *p;

		for (p = known; *p; p++)
			if (!strcmp(*p, k->str))
				break;
		if (!*p)
			gl_lwarn(l, k, "unknown field '%s' ignored",
				 gl_path_join(prefix, gl_q(k->str).s).s);
	}
}

int gl_load_file_error(struct gl_model *m, struct gl_diags *d, const char *path,
		       const char *what, int err)
{
	gl_diag_add(d, GL_SEV_ERROR, path, 0, 0, "%s: %s", what, strerror(err));
	m->nerrors++;
	return -err;
}
