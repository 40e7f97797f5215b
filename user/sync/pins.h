/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pin root: maps at <root>/gl_*, programs at <root>/progs/<prog>, links
 * at <root>/links/<prog>. Pinned links keep the data path attached when no
 * daemon runs; a new daemon swaps its programs into them without a gap.
 */
#ifndef GL_PINS_H
#define GL_PINS_H

#include <stdint.h>

#include "layout.h"

#define GL_PIN_ROOT_DEFAULT "/sys/fs/bpf/graylane"

struct graylane_bpf;
struct gl_map_fds;

/*
 * A takeover of pins of another layout (layout.h). rebuild is called after
 * the new build is loaded and before anything is attached, when the plan
 * maps are rebuilt: it fills them (fds of the new, not yet pinned maps).
 * Its failure abandons the upgrade with nothing changed.
 */
struct gl_pins_upgrade {
	int (*rebuild)(void *arg, const struct gl_map_fds *fds);
	void *arg;
	struct gl_layout lay;		/* out: what the takeover found and did */
	unsigned int dropped;		/* out: counters with no place in the new layout */
};

/* Map names, in the order `graylane dump` shows them. */
extern const char *const gl_map_names[];
extern const int gl_map_count;

/* Makes sure the pin root's filesystem is bpffs (mounting /sys/fs/bpf if
 * needed) and the directories exist. */
int gl_pins_prepare(const char *root);

/*
 * Opens and loads the programs, reusing the maps pinned under root (or
 * pinning new ones), then attaches every program to the cgroup: an existing
 * pinned link is updated in place (takeover), a missing one created and
 * pinned. *took_over is set when links were already there. no_recv: the
 * read tracepoints are neither loaded nor attached (and an earlier install's
 * are removed). errbuf receives a one-line explanation on failure.
 * After a failure nothing of this call stays pinned: a fresh pin root is
 * removed, an earlier install's pins are left as they were. Pins of another
 * layout: maps that changed are replaced by fresh ones (rebuilt, carried or
 * empty) swapped in once the programs are attached; a changed map of open
 * connections' state refuses the takeover before anything is changed.
 */
int gl_pins_load_attach(const char *root, const char *cgroup_path, uint64_t cgroup_id,
			int no_recv, struct gl_pins_upgrade *up, struct graylane_bpf **skel,
			int *took_over, char *errbuf, size_t errlen);

/* Is this attachment one of the read tracepoints (not there with GL_CFG_NO_RECV)? */
int gl_pins_is_recv(const char *attachment);

/* Opens a pinned map by name: fd or negative errno. */
int gl_pins_map_fd(const char *root, const char *name);

struct gl_link_state {
	const char *prog;	/* e.g. "gl_connect4" */
	int pinned;		/* the link pin exists */
	int attached;		/* it is attached to a live cgroup */
	uint64_t cgroup_id;
	uint32_t prog_id;
};

/* Fills states[] for every program; returns the number of programs. */
int gl_pins_links(const char *root, struct gl_link_state *states, int max);

/* Removes links (detaching), programs and maps, then the root directory. */
int gl_pins_uninstall(const char *root, int *removed);

#endif
