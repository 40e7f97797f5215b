// SPDX-License-Identifier: Apache-2.0
/* Bump allocator: see arena.h. */
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define BLOCK_MIN (64 * 1024)
/*
 * What arenas hold (model objects, YAML nodes, arrays of pointers and sizes)
 * needs at most 8-byte alignment; max_align_t's 16 rounded every 280-byte
 * workload and 40-byte address up to the next 16 (2 MB at 100 000 workloads).
 */
#define ALIGN (alignof(uint64_t) > alignof(void *) ? alignof(uint64_t) : alignof(void *))

struct gl_arena_block {
	struct gl_arena_block *next;
	size_t used, size;
	alignas(max_align_t) unsigned char data[];
};

static struct gl_arena_block *new_block(struct gl_arena *a, size_t need)
{
	size_t size = need > BLOCK_MIN ? need : BLOCK_MIN;
	struct gl_arena_block *b = malloc(sizeof(*b) + size);

	if (!b)
		return NULL;
	b->size = size;
	b->used = 0;
	b->next = a->head;
	a->head = b;
	return b;
}

/* size bytes at an offset aligned to align (a power of two), zeroed */
static void *arena_alloc(struct gl_arena *a, size_t size, size_t align)
{
	struct gl_arena_block *b = a->head;
	size_t off = b ? (b->used + align - 1) & ~(align - 1) : 0;
	void *p;

	if (size > SIZE_MAX / 2)
		return NULL;
	if (!b || off > b->size || b->size - off < size) {
		b = new_block(a, size);
		if (!b)
			return NULL;
		off = 0;
	}
	b->used = off + size;
	p = b->data + off;
	memset(p, 0, size);
	return p;
}

void *gl_arena_alloc(struct gl_arena *a, size_t size)
{
	return arena_alloc(a, size ? size : 1, ALIGN);
}

/* Strings are packed: byte-aligned (most names and labels are a few bytes). */
char *gl_arena_strndup(struct gl_arena *a, const char *s, size_t len)
{
	char *p = len < SIZE_MAX ? arena_alloc(a, len + 1, 1) : NULL;

	if (p)
		memcpy(p, s, len);
	return p;
}

char *gl_arena_strdup(struct gl_arena *a, const char *s)
{
	return gl_arena_strndup(a, s, strlen(s));
}

void *gl_arena_grow(struct gl_arena *a, void *v, size_t n, size_t *cap, size_t elem)
{
	size_t ncap;
	void *nv;

	if (n < *cap)
		return v;
	ncap = *cap ? *cap * 2 : 8;
	if (ncap > SIZE_MAX / elem)
		return NULL;
	nv = gl_arena_alloc(a, ncap * elem);
	if (!nv)
		return NULL;
	if (n)
		memcpy(nv, v, n * elem);
	*cap = ncap;
	return nv;
}

static void free_blocks(struct gl_arena_block *b)
{
	while (b) {
		struct gl_arena_block *next = b->next;

		free(b);
		b = next;
	}
}

void gl_arena_adopt(struct gl_arena *a, struct gl_arena *from)
{
	struct gl_arena_block *tail = from->head;

	if (!tail)
		return;
	while (tail->next)
		tail = tail->next;
	/* behind a's newest block, which goes on taking allocations */
	if (a->head) {
		tail->next = a->head->next;
		a->head->next = from->head;
	} else {
		a->head = from->head;
	}
	from->head = NULL;
}

void gl_arena_reset(struct gl_arena *a)
{
	if (!a->head)
		return;
	free_blocks(a->head->next);
	a->head->next = NULL;
	a->head->used = 0;
}

void gl_arena_free(struct gl_arena *a)
{
	if (!a)
		return;
	free_blocks(a->head);
	a->head = NULL;
}
