/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The layout of the pinned maps against a new build's: what an upgrade (a
 * daemon of another build taking over the pins) keeps, rebuilds, carries or
 * refuses. A map's shape is its type, sizes, capacity, flags and the shape
 * of its key and value types in BTF (member names, offsets, enumerators).
 */
#ifndef GL_LAYOUT_H
#define GL_LAYOUT_H

#include <stdint.h>

struct bpf_object;
struct bpf_map;
struct btf;
struct btf_type;

/* What a map holds decides what an upgrade may do with it. */
enum gl_map_class {
	GL_MAPS_PLAN,		/* written from the rules: rebuilt, as one set */
	GL_MAPS_COUNTERS,	/* counters: carried by name into the new shape */
	GL_MAPS_SCRATCH,	/* listeners and events: start empty */
	GL_MAPS_STATE,		/* open connections' state: a change is refused */
};

enum gl_layout_verdict {
	GL_LV_SAME,		/* taken over as it is */
	GL_LV_NEW,		/* not pinned yet */
	GL_LV_REBUILD,		/* a fresh map, filled from the rules before attaching */
	GL_LV_CARRY,		/* a fresh map, the old one's counters carried into it */
	GL_LV_RESET,		/* a fresh, empty map */
	GL_LV_REFUSE,		/* changed, and cannot be replaced under open connections */
	GL_LV_RETIRED,		/* pinned, not in the new build: unpinned after attaching */
};

struct gl_map_shape {
	uint32_t type, key_size, value_size, max_entries, flags;
	uint64_t btf;		/* shape of the key and value types */
	int has_btf;		/* the kernel creates some types (sockhash) without BTF */
};

#define GL_LAYOUT_ROWS_MAX 48

struct gl_layout_row {
	char name[32];
	enum gl_map_class cls;
	int pinned, built;
	struct gl_map_shape old, cur;
	enum gl_layout_verdict verdict;
};

struct gl_layout {
	uint32_t pinned_layout;	/* gl_config.layout of the pins: 0 none, 1 before the field */
	uint32_t built_layout;	/* GL_LAYOUT_VERSION of this build */
	int nrows;
	struct gl_layout_row rows[GL_LAYOUT_ROWS_MAX];
	int refuse, rebuild, changed;	/* any row so */
};

/*
 * Compares the maps pinned under root with obj's (opened, not yet loaded;
 * obj may be NULL to list the pins only).
 */
int gl_layout_compare(const char *root, struct bpf_object *obj, struct gl_layout *lay);

/* gl_config.layout of the maps pinned under root: 0 none, 1 before the field. */
uint32_t gl_layout_pinned(const char *root);

/* The shape of a map of an opened object / of a map by fd. */
int gl_layout_shape_of_map(const struct bpf_object *obj, const struct bpf_map *m,
			   struct gl_map_shape *s);
int gl_layout_shape_of_fd(int fd, struct gl_map_shape *s);

/* Type id past typedefs and qualifiers (updated in *id), or NULL. */
const struct btf_type *gl_layout_resolve(const struct btf *btf, uint32_t *id);

/* The shape of one BTF type (names of types aside): equal shapes, same layout. */
uint64_t gl_layout_type_shape(const struct btf *btf, uint32_t id);

enum gl_map_class gl_layout_class(const char *map);

/* The enum whose enumerators name a map's integer keys (gl_stats: gl_stat), or NULL. */
const char *gl_layout_key_enum(const char *map);
const char *gl_layout_verdict_name(enum gl_layout_verdict v);
const char *gl_layout_class_name(enum gl_map_class c);

/* One line on the first refused row: which map, what holds it, what to do. */
void gl_layout_refusal(const struct gl_layout *lay, const char *root, char *buf, size_t len);

#endif
