// SPDX-License-Identifier: Apache-2.0
/*
 * A parsed document copied out of its parse's arena into one allocation
 * (gl_ydoc_copy, see ytree.h): what the Kubernetes inventory keeps of an
 * object it rendered, so that a rebuild loads the tree again instead of
 * parsing the same text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ytree.h"

#define ALIGN(n) (((n) + sizeof(void *) - 1) & ~(sizeof(void *) - 1))

/* Bytes a copy of n and everything below it takes. */
static size_t size_of(const struct gl_ynode *n)
{
	size_t s = ALIGN(sizeof(*n)) + ALIGN(n->nkids * sizeof(n->kids[0]));

	if (n->str)
		s += ALIGN(n->len + 1);
	for (size_t i = 0; i < n->nkids; i++)
		s += size_of(n->kids[i]);
	return s;
}

static void *take(char **at, size_t n)
{
	void *p = *at;

	*at += ALIGN(n);
	return p;
}

static struct gl_ynode *copy(const struct gl_ynode *n, char **at)
{
	struct gl_ynode *c = take(at, sizeof(*c));

	*c = *n;
	c->cap = n->nkids;
	c->kids = n->nkids ? take(at, n->nkids * sizeof(c->kids[0])) : NULL;
	if (n->str) {
		char *s = take(at, n->len + 1);

		memcpy(s, n->str, n->len);
		s[n->len] = 0;
		c->str = s;
	}
	for (size_t i = 0; i < n->nkids; i++)
		c->kids[i] = copy(n->kids[i], at);
	return c;
}

struct gl_ydoc *gl_ydoc_copy(const struct gl_ydoc *doc)
{
	size_t s = ALIGN(sizeof(*doc)) + (doc->root ? size_of(doc->root) : 0);
	struct gl_ydoc *c = malloc(s);
	char *at = (char *)c;

	if (!c)
		return NULL;
	take(&at, sizeof(*c));
	*c = *doc;
	c->root = doc->root ? copy(doc->root, &at) : NULL;
	return c;
}
