/* SPDX-License-Identifier: Apache-2.0 */
/* graylaned's side of the Kubernetes inventory: the options into a running
 * watcher, its events into the log, changes gathered before a rebuild, and
 * --print-inventory (a model printed per change, no BPF). */
#ifndef GL_K8S_DAEMON_H
#define GL_K8S_DAEMON_H

#include <signal.h>

#include "inventory/k8s.h"
#include "options.h"

#define GL_K8S_SETTLE_QUIET_MS	5	/* a change is final after this much quiet */
#define GL_K8S_SETTLE_MAX_MS	20	/* or after this long: the debounce's bound */

/* 0, or 2 with the reason logged. */
int gl_daemon_k8s_start(const struct gl_options *o, struct gl_k8s **k);
/* The fd was readable: waits for the burst to pause; the first notice's
 * time is returned (CLOCK_MONOTONIC, ms). */
double gl_daemon_k8s_settle(struct gl_k8s *k);
/* --print-inventory: until *stop. Exit code. */
int gl_daemon_print_inventory(const struct gl_options *o, volatile sig_atomic_t *stop);

#endif
