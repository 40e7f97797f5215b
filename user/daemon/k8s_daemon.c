// SPDX-License-Identifier: Apache-2.0
/*
 * graylaned and the Kubernetes API: the connection from --kubeconfig (or
 * in-cluster), this node's name, the watcher's events as log lines, and
 * the debounce that turns a burst of watch events into one rebuild.
 */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "k8s_daemon.h"
#include "common/clock.h"
#include "log.h"

static void log_k8s(void *arg, enum gl_k8s_level lv, const char *msg, const char *fields)
{
	static const enum gl_log_level map[] = { GL_LOG_DEBUG, GL_LOG_INFO, GL_LOG_WARN,
						 GL_LOG_ERROR };

	(void)arg;
	gl_log_kv(map[lv], msg, "%s", fields);
}

int gl_daemon_k8s_start(const struct gl_options *o, struct gl_k8s **k)
{
	struct gl_k8s_conn c;
	struct gl_k8s_opts ko = {
		.all_pods = o->k8s_all_pods,
		.cgroup_root = o->k8s_cgroup_root,
		.backoff_ms = o->k8s_backoff_ms,
		.backoff_max_ms = o->k8s_backoff_max_ms,
		.watch_timeout_s = (o->k8s_watch_timeout_ms + 999) / 1000,
		.request_timeout_s = (o->k8s_request_timeout_ms + 999) / 1000,
		.node = o->node_name,
		.log = log_k8s,
	};
	char err[512];
	int rc;

	if (!ko.node || !*ko.node) {
		gl_log(GL_LOG_ERROR, "no node name: give --node-name or set NODE_NAME");
		return 2;
	}
	rc = gl_k8s_conn_load(o->kubeconfig, &c, err, sizeof(err));
	if (rc) {
		gl_log(GL_LOG_ERROR, "%s", err);
		return 2;
	}
	gl_log_kv(GL_LOG_INFO, "inventory from the Kubernetes API", "event=k8s_start server=%s "
		  "node=%s all_pods=%d", c.server, ko.node, (int)ko.all_pods);
	rc = gl_k8s_start(&c, &ko, k);
	gl_k8s_conn_free(&c);
	if (rc) {
		gl_log(GL_LOG_ERROR, "cannot start the Kubernetes watch: %s", strerror(-rc));
		return 2;
	}
	return 0;
}

double gl_daemon_k8s_settle(struct gl_k8s *k)
{
	double first = gl_now_ms(), now;
	struct pollfd p = { .fd = gl_k8s_fd(k), .events = POLLIN };

	gl_k8s_ack(k);
	while ((now = gl_now_ms()) - first < GL_K8S_SETTLE_MAX_MS) {
		int wait = GL_K8S_SETTLE_MAX_MS - (int)(now - first);

		if (poll(&p, 1, wait < GL_K8S_SETTLE_QUIET_MS ? wait : GL_K8S_SETTLE_QUIET_MS) <= 0)
			break;	/* quiet: the burst is over */
		gl_k8s_ack(k);
	}
	return first;
}
