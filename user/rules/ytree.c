// SPDX-License-Identifier: Apache-2.0
/* YAML events -> node tree with positions: see ytree.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include <graylane/limits.h>

#include "common/arena.h"
#include "common/diag.h"
#include "common/quote.h"
#include "ytree.h"

struct builder {
	struct gl_arena *a;
	struct gl_diags *d;
	const char *file;
	gl_ydoc_fn *each;
	void *arg;
	struct gl_ydoc doc;		/* the document being parsed */
	bool in_doc;
	struct gl_ynode *stack[GL_YAML_DEPTH_MAX];
	int depth;
	int err;		/* sticky: -EINVAL (file rejected) or -ENOMEM */
};

/* ---- scalar typing (YAML 1.2 core schema) ---- */

static bool all_of(const char *s, const char *set)
{
	return *s && strspn(s, set) == strlen(s);
}

static bool is_int(const char *s)
{
	if (!strncmp(s, "0o", 2))
		return all_of(s + 2, "01234567");
	if (!strncmp(s, "0x", 2))
		return all_of(s + 2, "0123456789abcdefABCDEF");
	if (*s == '-' || *s == '+')
		s++;
	return all_of(s, "0123456789");
}

static bool is_float(const char *s)
{
	const char *digits = "0123456789";
	size_t n;

	if (*s == '-' || *s == '+')
		s++;
	if (!strcmp(s, ".inf") || !strcmp(s, ".Inf") || !strcmp(s, ".INF") ||
	    !strcmp(s, ".nan") || !strcmp(s, ".NaN") || !strcmp(s, ".NAN"))
		return true;
	n = strspn(s, digits);
	s += n;
	if (*s == '.') {
		size_t f = strspn(s + 1, digits);

		if (!n && !f)
			return false;
		s += 1 + f;
	} else if (!n) {
		return false;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '-' || *s == '+')
			s++;
		if (!strspn(s, digits))
			return false;
		s += strspn(s, digits);
	}
	return !*s;
}

static enum gl_yscalar plain_kind(const char *s)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };
	static const char *const bools[] = { "true", "True", "TRUE", "false", "False", "FALSE" };
	size_t i;

	/* most scalars are names: no null, boolean or number starts like them */
	if (*s && !strchr("~nNtTfF0123456789+-.", *s))
		return GL_YS_STR;
	for (i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
		if (!strcmp(s, nulls[i]))
			return GL_YS_NULL;
	for (i = 0; i < sizeof(bools) / sizeof(bools[0]); i++)
		if (!strcmp(s, bools[i]))
			return GL_YS_BOOL;
	if (is_int(s))
		return GL_YS_INT;
	if (is_float(s))
		return GL_YS_FLOAT;
	return GL_YS_STR;
}

static enum gl_yscalar scalar_kind(const yaml_event_t *e, const char *s)
{
	const char *tag = (const char *)e->data.scalar.tag;

	/* quoted or explicitly tagged as a string: never a number */
	if (tag && (!strcmp(tag, YAML_STR_TAG) || !strcmp(tag, "!")))
		return GL_YS_STR;
	if (e->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return GL_YS_STR;
	return plain_kind(s);
}

/* ---- node helpers ---- */

size_t gl_ymap_len(const struct gl_ynode *map)
{
	return map && map->type == GL_Y_MAP ? map->nkids / 2 : 0;
}

const struct gl_ynode *gl_ymap_key(const struct gl_ynode *map, size_t i)
{
	return map->kids[2 * i];
}

const struct gl_ynode *gl_ymap_val(const struct gl_ynode *map, size_t i)
{
	return map->kids[2 * i + 1];
}

const struct gl_ynode *gl_ymap_get(const struct gl_ynode *map, const char *key)
{
	size_t n = gl_ymap_len(map);

	for (size_t i = 0; i < n; i++)
		if (!strcmp(gl_ymap_key(map, i)->str, key))
			return gl_ymap_val(map, i);
	return NULL;
}

bool gl_yis_null(const struct gl_ynode *n)
{
	return n && n->type == GL_Y_SCALAR && n->sk == GL_YS_NULL;
}

const char *gl_ytype_name(const struct gl_ynode *n)
{
	static const char *const sk[] = {
		[GL_YS_STR] = "string", [GL_YS_INT] = "integer", [GL_YS_FLOAT] = "float",
		[GL_YS_BOOL] = "boolean", [GL_YS_NULL] = "null",
	};

	if (!n)
		return "nothing";
	if (n->type == GL_Y_MAP)
		return "mapping";
	if (n->type == GL_Y_SEQ)
		return "list";
	return sk[n->sk];
}

/* ---- building ---- */

/* A problem that rejects the whole file: stop building, report once. */
__attribute__((format(printf, 3, 4)))
static void fail(struct builder *b, const yaml_mark_t *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	gl_diag_vadd(b->d, GL_SEV_ERROR, b->file, m->line + 1, m->column + 1, fmt, ap);
	va_end(ap);
	if (!b->err)
		b->err = -EINVAL;
}

static void nomem(struct builder *b)
{
	b->err = -ENOMEM;
}

static int add_kid(struct builder *b, struct gl_ynode *parent, struct gl_ynode *kid)
{
	struct gl_ynode **kids = gl_arena_grow(b->a, parent->kids, parent->nkids, &parent->cap,
					       sizeof(*kids));

	if (!kids) {
		nomem(b);
		return -ENOMEM;
	}
	parent->kids = kids;
	parent->kids[parent->nkids++] = kid;
	return 0;
}

/* Hangs a new node under the open collection, or makes it the document root. */
static int attach(struct builder *b, const yaml_event_t *e, struct gl_ynode *n)
{
	struct gl_ynode *top = b->depth ? b->stack[b->depth - 1] : NULL;

	if (!top) {
		if (b->in_doc)
			b->doc.root = n;
		return 0;
	}
	if (top->type == GL_Y_MAP && top->nkids % 2 == 0 && n->type != GL_Y_SCALAR) {
		fail(b, &e->start_mark, "a mapping or sequence cannot be a mapping key");
		return -EINVAL;
	}
	return add_kid(b, top, n);
}

static struct gl_ynode *new_node(struct builder *b, const yaml_event_t *e, enum gl_ytype t)
{
	struct gl_ynode *n = gl_arena_alloc(b->a, sizeof(*n));

	if (!n) {
		nomem(b);
		return NULL;
	}
	n->type = t;
	n->line = e->start_mark.line + 1;
	n->col = e->start_mark.column + 1;
	return n;
}

static void on_scalar(struct builder *b, const yaml_event_t *e)
{
	const char *v = (const char *)e->data.scalar.value;
	size_t len = e->data.scalar.length;
	struct gl_ynode *n;

	/* "\0" escapes: every later stage works on C strings */
	if (memchr(v, '\0', len)) {
		fail(b, &e->start_mark, "NUL characters are not allowed in rules");
		return;
	}
	n = new_node(b, e, GL_Y_SCALAR);
	if (!n)
		return;
	n->str = gl_arena_strndup(b->a, v, len);
	if (!n->str) {
		nomem(b);
		return;
	}
	n->len = len;
	n->sk = scalar_kind(e, n->str);
	attach(b, e, n);
}

static void on_start(struct builder *b, const yaml_event_t *e, enum gl_ytype t)
{
	struct gl_ynode *n;

	if (b->depth >= GL_YAML_DEPTH_MAX) {
		fail(b, &e->start_mark, "YAML nesting is deeper than %d levels", GL_YAML_DEPTH_MAX);
		return;
	}
	n = new_node(b, e, t);
	if (!n || attach(b, e, n))
		return;
	b->stack[b->depth++] = n;
}

static void on_doc_start(struct builder *b, const yaml_event_t *e)
{
	memset(&b->doc, 0, sizeof(b->doc));
	b->doc.line = e->start_mark.line + 1;
	b->doc.col = e->start_mark.column + 1;
	b->in_doc = true;
	b->depth = 0;
}

/* The document is whole: hand it over, then free its nodes. */
static void on_doc_end(struct builder *b)
{
	int err = b->each(b->arg, &b->doc);

	if (err && !b->err)
		b->err = err;
	b->in_doc = false;
	gl_arena_reset(b->a);
}

/* ---- duplicate keys ---- */

static int cmp_key(const void *x, const void *y)
{
	const struct gl_ynode *a = *(const struct gl_ynode *const *)x;
	const struct gl_ynode *b = *(const struct gl_ynode *const *)y;
	int c = strcmp(a->str, b->str);

	if (c)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	return a->col < b->col ? -1 : a->col > b->col;
}

/* Sorted, so a mapping with many keys costs n log n, not n^2. */
static void check_dup_keys(struct builder *b, const struct gl_ynode *map)
{
	size_t n = gl_ymap_len(map), i, start;
	const struct gl_ynode **keys;

	if (n < 2)
		return;
	keys = malloc(n * sizeof(*keys));
	if (!keys) {
		nomem(b);
		return;
	}
	for (i = 0; i < n; i++)
		keys[i] = gl_ymap_key(map, i);
	qsort(keys, n, sizeof(*keys), cmp_key);
	for (i = 1, start = 0; i < n; i++) {
		if (strcmp(keys[start]->str, keys[i]->str)) {
			start = i;
			continue;
		}
		gl_diag_add(b->d, GL_SEV_ERROR, b->file, keys[i]->line, keys[i]->col,
			    "duplicate key '%s'; the first one, at line %u column %u, is used",
			    gl_q(keys[i]->str).s, keys[start]->line, keys[start]->col);
	}
	free(keys);
}

static void on_end(struct builder *b)
{
	struct gl_ynode *n;

	if (!b->depth)
		return;
	n = b->stack[--b->depth];
	if (n->type == GL_Y_MAP)
		check_dup_keys(b, n);
}

static void on_event(struct builder *b, const yaml_event_t *e)
{
	switch (e->type) {
	case YAML_DOCUMENT_START_EVENT:
		on_doc_start(b, e);
		break;
	case YAML_DOCUMENT_END_EVENT:
		on_doc_end(b);
		break;
	case YAML_SCALAR_EVENT:
		on_scalar(b, e);
		break;
	case YAML_SEQUENCE_START_EVENT:
		on_start(b, e, GL_Y_SEQ);
		break;
	case YAML_MAPPING_START_EVENT:
		on_start(b, e, GL_Y_MAP);
		break;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		on_end(b);
		break;
	case YAML_ALIAS_EVENT:
		/* expanding aliases would let a small file grow without bound */
		fail(b, &e->start_mark, "YAML aliases (*%s) are not supported in rules; write the value out",
		     gl_q((const char *)e->data.alias.anchor).s);
		break;
	default:
		break;
	}
}

/* libyaml's reader errors carry a byte offset, not a mark. */
static void offset_to_mark(const char *buf, size_t len, size_t off, yaml_mark_t *m)
{
	m->line = 0;
	m->column = 0;
	for (size_t i = 0; i < off && i < len; i++) {
		if (buf[i] == '\n') {
			m->line++;
			m->column = 0;
		} else {
			m->column++;
		}
	}
}

static void syntax_error(struct builder *b, const yaml_parser_t *p, const char *buf, size_t len)
{
	yaml_mark_t m = p->problem_mark;
	const char *problem = p->problem ? p->problem : "unknown error";

	if (p->error == YAML_MEMORY_ERROR) {
		nomem(b);
		return;
	}
	if (p->error == YAML_READER_ERROR) {
		offset_to_mark(buf, len, p->problem_offset, &m);
		if (p->problem_value >= 0)
			gl_diag_add(b->d, GL_SEV_ERROR, b->file, m.line + 1, m.column + 1,
				    "invalid YAML input: %s (byte 0x%02x); rules files are UTF-8 text",
				    problem, p->problem_value);
		else
			gl_diag_add(b->d, GL_SEV_ERROR, b->file, m.line + 1, m.column + 1,
				    "invalid YAML input: %s", problem);
	} else if (p->context) {
		gl_diag_add(b->d, GL_SEV_ERROR, b->file, m.line + 1, m.column + 1,
			    "YAML syntax error: %s (%s at line %zu column %zu)", problem,
			    p->context, p->context_mark.line + 1, p->context_mark.column + 1);
	} else {
		gl_diag_add(b->d, GL_SEV_ERROR, b->file, m.line + 1, m.column + 1,
			    "YAML syntax error: %s", problem);
	}
	if (!b->err)
		b->err = -EINVAL;
}

int gl_yaml_parse(struct gl_arena *a, const char *file, const char *buf, size_t len,
		  gl_ydoc_fn *each, void *arg, struct gl_diags *d)
{
	struct builder b = { .a = a, .d = d, .file = file, .each = each, .arg = arg };
	yaml_parser_t p;
	bool done = false;

	if (!yaml_parser_initialize(&p))
		return -ENOMEM;
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	while (!done && !b.err) {
		yaml_event_t e;

		if (!yaml_parser_parse(&p, &e)) {
			syntax_error(&b, &p, buf, len);
			break;
		}
		on_event(&b, &e);
		done = e.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&e);
	}
	yaml_parser_delete(&p);
	return b.err;
}
