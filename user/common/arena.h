/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A bump allocator: everything a parsed YAML file or a loaded model owns is
 * freed at once, so error paths never leak and never double-free.
 */
#ifndef GL_ARENA_H
#define GL_ARENA_H

#include <stddef.h>

struct gl_arena_block;

struct gl_arena {
	struct gl_arena_block *head;
};

/* Zeroed memory aligned for pointers and 64-bit integers (not for
 * max_align_t), or NULL when out of memory. */
void *gl_arena_alloc(struct gl_arena *a, size_t size);
char *gl_arena_strndup(struct gl_arena *a, const char *s, size_t len);
char *gl_arena_strdup(struct gl_arena *a, const char *s);
/*
 * An array v of *cap elements that must hold n+1: returns v when it does, else
 * a copy twice as large (the old one stays in the arena), or NULL.
 */
void *gl_arena_grow(struct gl_arena *a, void *v, size_t n, size_t *cap, size_t elem);
/* Moves every allocation of from into a (from is left empty). */
void gl_arena_adopt(struct gl_arena *a, struct gl_arena *from);
/* Forgets every allocation, keeping the newest block for the next ones. */
void gl_arena_reset(struct gl_arena *a);
void gl_arena_free(struct gl_arena *a);

#endif
