/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Twins (DESIGN.md, Decisions 4; the kernel side is bpf/lib/twin.bpf.h):
 * the daemon opens a twin connection when the kernel asks for one, inside
 * the original connection's network namespace and cgroup and from its source
 * address, keeps its socket (the twin keeper a second reference), and closes
 * it with its original.
 */
#ifndef GL_DAEMON_TWIN_H
#define GL_DAEMON_TWIN_H

#include <stddef.h>

#define GL_TWIN_OPENINGS 32	/* twins opened at once, at most */

struct gl_twins;

/* The pinned maps the twins use, by fd (kept, not owned). */
struct gl_twin_maps {
	int pending, twin_of, rx, stats, park, sink, sock, sockhash;
};

/* keeper_argv: how the twin keeper of pin_root is started (keeper.h), or
 * NULL for none (twins then close with the daemon). */
struct gl_twins *gl_twins_new(const struct gl_twin_maps *m, const char *cgroup2_mount,
			      const char *pin_root, char *const *keeper_argv);
void gl_twins_free(struct gl_twins *t);

/* A ring buffer record of type GL_EV_TWIN_WANTED or GL_EV_CONN_CLOSED. */
void gl_twins_event(struct gl_twins *t, const void *data, size_t len);

/* The fds of twins being opened (at most max), to poll for POLLIN. */
struct pollfd;
unsigned int gl_twins_pollfds(const struct gl_twins *t, struct pollfd *p, unsigned int max);
/* Twins whose opening ended (its fd readable, or its deadline passed): p
 * and n as gl_twins_pollfds filled them, with the revents poll returned. */
void gl_twins_opened(struct gl_twins *t, const struct pollfd *p, unsigned int n);

/* Parked requests whose turn has come (every route of their connection
 * idle) written out; gl_twins_holding: some wait (come back within 1 ms). */
void gl_twins_release(struct gl_twins *t);
int gl_twins_holding(const struct gl_twins *t);

/* Closes twins whose server closed them or whose original is gone. */
void gl_twins_sweep(struct gl_twins *t);

#endif
