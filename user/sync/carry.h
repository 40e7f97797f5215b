/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Carrying a map's values into a map of another layout, by the names both
 * maps' BTF gives: struct members by name, enum-keyed entries by enumerator
 * name. An upgrade starts the carry before it attaches (a snapshot of the
 * old map copied into the new) and finishes it after (what the old programs
 * counted in between added), so no count is lost across the switch.
 */
#ifndef GL_CARRY_H
#define GL_CARRY_H

#include <stddef.h>
#include <stdint.h>

struct gl_carry_map;

struct gl_carry {
	int n;
	struct gl_carry_map *m[48];
};

/*
 * Snapshot of old_fd's entries, copied into new_fd (translated). Entries
 * with no counterpart in the new layout are counted in *dropped. The carry
 * owns old_fd from now on (it outlives the old map's pin); new_fd stays the
 * caller's. key_enum: the enum whose enumerators name integer keys, or NULL.
 */
int gl_carry_start(struct gl_carry *c, int old_fd, int new_fd, const char *key_enum,
		   unsigned int *dropped);

/* Adds to the new maps what the old ones counted since the snapshot. */
int gl_carry_finish(struct gl_carry *c);

void gl_carry_free(struct gl_carry *c);

#endif
