/* SPDX-License-Identifier: Apache-2.0 */
/* graylaned's command line (DESIGN.md, Daemon). */
#ifndef GL_OPTIONS_H
#define GL_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "log.h"

#define GL_LABEL_HEADER_DEFAULT "x-opensergo-traffic"
#define GL_ACCEPT_HEADER_DEFAULT "x-mse-tag"
#define GL_CONTEXT_TTL_DEFAULT_MS 5000
#define GL_POLL_DEFAULT_MS 100

struct gl_options {
	const char *rules;
	const char *cgroup;
	const char *pin_root;
	const char *label_header;
	const char *accept_header;
	uint64_t context_ttl_ms;
	unsigned int poll_ms;
	bool trust_incoming;
	enum gl_log_level log_level;	/* --log-level (default info) */
	int log_json;			/* --log-format json */
	const char *metrics;		/* --metrics ADDR; "" for none */
	/* the inventory from the Kubernetes API (user/inventory/k8s.h) */
	const char *kubeconfig;		/* --kubeconfig PATH or "in-cluster"; NULL: none */
	const char *node_name;		/* --node-name, else $NODE_NAME, else the host name
					 * (in node_buf); NULL when none can be had */
	char node_buf[256];
	bool k8s_all_pods;		/* not --k8s-node-pods-only: remote endpoints get their labels */
	uint64_t k8s_backoff_ms, k8s_backoff_max_ms, k8s_watch_timeout_ms, k8s_request_timeout_ms;
	const char *k8s_cgroup_root;	/* --k8s-cgroup-root: the kubelet's cgroups below it */
	const char *cgroup2_mount;	/* --cgroup2-mount: where pods' cgroups are looked for */
	bool print_inventory;		/* --print-inventory: no BPF, print each model built */
	bool twin_keeper;		/* --twin-keeper: run as the twin keeper of --pin-root */
};

/* Parses a duration such as "5s", "250ms", "1m" into milliseconds. */
int gl_parse_duration_ms(const char *s, uint64_t *ms);
/* 0 to run, 1 after --help, negative on a usage error (printed to err). */
int gl_options_parse(int argc, char **argv, struct gl_options *o, FILE *err);

#endif
