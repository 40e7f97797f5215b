/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A small YAML node tree with positions, built from libyaml's event API.
 * The rules loader walks it to report every problem at the line and column
 * of the node that causes it. Scalars are typed by the YAML 1.2 core schema
 * (plain 80 is an integer, '80' a string, plain ~ or nothing is null).
 */
#ifndef GL_YTREE_H
#define GL_YTREE_H

#include <stdbool.h>
#include <stddef.h>

struct gl_arena;
struct gl_diags;

enum gl_ytype {
	GL_Y_SCALAR = 0,
	GL_Y_MAP,
	GL_Y_SEQ,
};

enum gl_yscalar {
	GL_YS_STR = 0,
	GL_YS_INT,
	GL_YS_FLOAT,
	GL_YS_BOOL,
	GL_YS_NULL,
};

struct gl_ynode {
	enum gl_ytype type;
	enum gl_yscalar sk;		/* scalars only */
	unsigned line, col;		/* 1-based start of the node */
	const char *str;		/* scalars: NUL-terminated text as written */
	size_t len;
	/* maps: kids[2i] is a key (always a scalar), kids[2i+1] its value */
	struct gl_ynode **kids;
	size_t nkids, cap;
};

struct gl_ydoc {
	struct gl_ynode *root;		/* NULL for an empty document */
	unsigned line, col;
};

/* Called with each document of a stream; nonzero stops the parse. */
typedef int gl_ydoc_fn(void *arg, const struct gl_ydoc *doc);

/*
 * Parses every document of buf, one at a time: each document's nodes are
 * allocated from a, passed to each() once the document ends, then freed
 * (a is reset), so a file's tree is never held whole. Any syntax error (or
 * alias, or nesting beyond GL_YAML_DEPTH_MAX) is reported at its position
 * and stops the parse with -EINVAL: the documents before it were passed on
 * already, and a caller that loads a file completely or not at all must
 * undo them. Duplicate mapping keys are reported as errors but do not stop
 * the parse (the first one is used). Returns 0, -EINVAL, -ENOMEM, or what
 * each() returned.
 */
int gl_yaml_parse(struct gl_arena *a, const char *file, const char *buf, size_t len,
		  gl_ydoc_fn *each, void *arg, struct gl_diags *d);

/* doc and its nodes in one allocation (free() frees it), or NULL when out
 * of memory (ytree_copy.c). */
struct gl_ydoc *gl_ydoc_copy(const struct gl_ydoc *doc);

size_t gl_ymap_len(const struct gl_ynode *map);
const struct gl_ynode *gl_ymap_key(const struct gl_ynode *map, size_t i);
const struct gl_ynode *gl_ymap_val(const struct gl_ynode *map, size_t i);
/* Value of the first key equal to key, or NULL. */
const struct gl_ynode *gl_ymap_get(const struct gl_ynode *map, const char *key);

/* "string", "integer", "mapping", ...: for messages. */
const char *gl_ytype_name(const struct gl_ynode *n);
bool gl_yis_null(const struct gl_ynode *n);

#endif
