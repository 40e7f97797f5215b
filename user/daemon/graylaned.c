// SPDX-License-Identifier: Apache-2.0
/*
 * graylaned: the node agent. Checks the kernel, loads and attaches the
 * programs (taking over a pinned data path without a gap), compiles the rules
 * directory and applies it as a generation, then watches the directory and
 * the workloads' cgroups and applies every valid change atomically. SIGTERM
 * (or a crash) leaves the pinned data path running.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <bpf/libbpf.h>

#include "sync/applied.h"
#include "metrics_http.h"
#include "common/cgroup.h"
#include "common/clock.h"
#include "common/diag.h"
#include "inventory/envlane.h"
#include "common/fnv.h"
#include "kernel/kernel_features.h"
#include "graylane.skel.h"
#include "sync/mapsync.h"
#include "model/model.h"
#include "log.h"
#include "k8s_daemon.h"
#include "keeper.h"
#include "twin.h"
#include "options.h"
#include "sync/pins.h"
#include "kernel/refusal.h"
#include "kernel/verifier_report.h"
#include "plan/plan.h"
#include "rules/rules.h"

#define GL_CGROUP_POLL_MAX 1000	/* workloads whose cgroups are checked every poll */

static volatile sig_atomic_t stop, reload;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload = 1;
	else
		stop = 1;
}

/* libbpf's warnings (the refusal code keeps a program's load log aside) */
static void log_libbpf(const char *line)
{
	gl_log(GL_LOG_WARN, "libbpf: %.*s", (int)strcspn(line, "\n"), line);
}

static int is_rules_file(const struct dirent *e)
{
	return gl_rules_file_name(e->d_name);	/* the files the loader reads */
}

/* Changes when a YAML file of the directory is added, removed or rewritten. */
static uint64_t rules_signature(const char *dir)
{
	uint64_t h = GL_FNV64_INIT;
	struct dirent **ents;
	int n = dir ? scandir(dir, &ents, is_rules_file, alphasort) : -1;

	if (n < 0)
		return 0;
	for (int i = 0; i < n; i++) {
		char path[4096];
		struct stat st;
		uint64_t v[4] = { 0 };

		if (snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name) < (int)sizeof(path) &&
		    stat(path, &st) == 0) {
			v[0] = st.st_ino;
			v[1] = st.st_size;
			v[2] = st.st_mtim.tv_sec;
			v[3] = st.st_mtim.tv_nsec;
		}
		h = gl_fnv64_str(h, ents[i]->d_name);
		h = gl_fnv64(h, v, sizeof(v));
		free(ents[i]);
	}
	free(ents);
	return h;
}

struct daemon {
	struct gl_options o;
	char cg2mount[4096];
	uint64_t managed;
	struct gl_map_fds fds;
	struct gl_applied applied;	/* what it keeps of the applied plan */
	int have_plan;
	uint64_t rules_sig, cgroup_sig, env_sig;
	struct gl_sync_params sp;
	struct ring_buffer *events;
	int inotify;		/* the rules directory's changes, or -1 */
	struct gl_k8s *k8s;	/* --kubeconfig: the inventory from the API, or NULL */
	bool k8s_dirty;		/* its caches changed since the last apply */
	double k8s_first;	/* when the first change of those came (ms, monotonic) */
	struct gl_sync_result last;	/* the last apply's: its old slot, to clear when due */
	struct gl_twins *twins;	/* the twin connections it holds (twin.h) */
	double swept_ms;	/* when they were last checked */
};

/* Depth of an absolute cgroup directory below the cgroup2 mount (root: 0). */
static uint32_t cgroup_level(const char *path, const char *mount)
{
	uint32_t n = 0;

	for (const char *c = path + strlen(mount); *c; c++)
		if (*c == '/' && c[1] && c[1] != '/')
			n++;
	return n;
}

/* Kernel events: each lane mismatch is logged with workload and service;
 * twins asked for are opened, those of a closed connection closed. */
static int on_event(void *arg, void *data, size_t len)
{
	const struct daemon *dm = arg;
	const struct gl_event *ev = data;

	if (len >= sizeof(ev->type) &&
	    (ev->type == GL_EV_TWIN_WANTED || ev->type == GL_EV_CONN_CLOSED ||
	     ev->type == GL_EV_TWIN_BROKEN)) {
		gl_twins_event(dm->twins, data, len);
		return 0;
	}
	if (len < sizeof(*ev) || ev->type != GL_EV_LANE_MISMATCH || !dm->have_plan)
		return 0;
	const char *wl = gl_applied_workload(&dm->applied, ev->workload_id);
	const char *req = gl_applied_lane(&dm->applied, ev->req_lane);
	const char *svc = gl_applied_service(&dm->applied, ev->service_id);
	const char *conn = gl_applied_lane(&dm->applied, ev->conn_lane);
	char msg[512];

	snprintf(msg, sizeof(msg), "lane_mismatch: workload %s sent a %s request on a connection "
		 "to service %s opened in lane %s", wl, req, svc, conn);
	gl_log_kv(GL_LOG_WARN, msg, "event=lane_mismatch workload=%s service=%s request_lane=%s "
		  "connection_lane=%s", wl, svc, req, conn);
	return 0;
}

/*
 * Waits up to the poll interval for kernel events or a change in the rules
 * directory (inotify: a rules change takes effect in milliseconds, not a
 * poll interval; the signature check stays the authority, so an event
 * inotify misses is still seen at the next poll); then clears the last
 * apply's old slot when its time has come.
 */
static void wait_events(struct daemon *dm)
{
	struct pollfd pfd[3 + GL_TWIN_OPENINGS] = {
		{ .fd = dm->inotify, .events = POLLIN },
		{ .fd = dm->events ? ring_buffer__epoll_fd(dm->events) : -1, .events = POLLIN },
		{ .fd = dm->k8s ? gl_k8s_fd(dm->k8s) : -1, .events = POLLIN },
	};
	char buf[4096];
	int wait = (int)dm->o.poll_ms;
	double due = dm->last.retire_at_ms - gl_now_ms();	/* the old slot's clear */
	unsigned int opening = gl_twins_pollfds(dm->twins, pfd + 3, GL_TWIN_OPENINGS);
	int n;

	if (dm->last.retire_at_ms && due < wait)
		wait = due < 0 ? 0 : (int)due + 1;
	if (gl_twins_holding(dm->twins) && wait > 1)
		wait = 1;	/* a held request's turn comes with a reply: none is seen */
	n = poll(pfd, 3 + opening, wait);
	if (opening)
		gl_twins_opened(dm->twins, pfd + 3, opening);	/* ended, or past their time */
	if (n > 0 && (pfd[0].revents & POLLIN))
		while (read(dm->inotify, buf, sizeof(buf)) > 0)
			;	/* drained: what changed is read from the directory */
	if (n > 0 && (pfd[2].revents & POLLIN)) {
		double first = gl_daemon_k8s_settle(dm->k8s);

		if (!dm->k8s_dirty)
			dm->k8s_first = first;
		dm->k8s_dirty = true;
	}
	if (dm->events)
		ring_buffer__consume(dm->events);
	gl_twins_release(dm->twins);
	if (gl_now_ms() - dm->swept_ms >= 1000) {
		gl_twins_sweep(dm->twins);
		dm->swept_ms = gl_now_ms();
	}
	if (dm->last.retire_at_ms && gl_now_ms() >= dm->last.retire_at_ms)
		gl_sync_retire(&dm->fds, &dm->last);
}

/* Environment lanes of the applied plan's workloads, as they are now. */
static uint64_t env_signature(const struct daemon *dm)
{
	return gl_env_signature(dm->applied.cgroups, dm->applied.ncgroups, dm->cg2mount);
}

/* How the applied plan's workload cgroups resolve now. */
static uint64_t cgroup_signature(const struct daemon *dm)
{
	return gl_sync_cgroup_signature(dm->applied.cgroups, dm->applied.ncgroups, dm->cg2mount);
}

/* The rules directory (and the processes' lanes) loaded, validated and
 * compiled into p; the model is freed before the maps are written. */
static int build_plan(struct daemon *dm, struct gl_plan *p, struct gl_diags *d)
{
	double t[4] = { gl_now_ms() };
	struct gl_model m;
	int err;

	memset(&m, 0, sizeof(m));
	/* with the API as the inventory, an empty rules directory is no error */
	if (dm->o.rules && !(dm->k8s && rules_signature(dm->o.rules) == GL_FNV64_INIT))
		err = gl_model_load_dir(dm->o.rules, &m, d);
	else
		err = 0;
	if (err != -ENOMEM && dm->k8s && gl_k8s_load(dm->k8s, dm->cg2mount, &m, d) == -ENOMEM)
		err = -ENOMEM;
	if (err != -ENOMEM && gl_env_lanes(&m, dm->cg2mount, d))
		err = -ENOMEM;
	t[1] = gl_now_ms();
	if (err != -ENOMEM) {
		int v = gl_model_validate(&m, d);

		err = err ? err : v;
	}
	t[2] = gl_now_ms();
	if (!err) {
		gl_model_drop_labels(&m);
		err = gl_plan_compile(&m, p, &(struct gl_compile_opts){ dm->o.label_header,
								  dm->o.accept_header, dm->o.node_name }, d);
	}
	gl_model_free(&m);	/* the plan holds all the maps need */
	t[3] = gl_now_ms();
	gl_log_kv(GL_LOG_DEBUG, "plan built", "event=plan_built load_ms=%.1f validate_ms=%.1f "
		  "compile_ms=%.1f", t[1] - t[0], t[2] - t[1], t[3] - t[2]);
	return err;
}

/* Loads, validates and compiles the rules; applies them as a new generation. */
static int apply_rules(struct daemon *dm)
{
	struct gl_plan p;
	struct gl_diags d;
	struct gl_sync_result res;
	struct gl_applied applied;
	char msg[512];
	double t0, ms;
	int err;

	memset(&p, 0, sizeof(p));
	memset(&applied, 0, sizeof(applied));
	gl_diags_init(&d);
	t0 = gl_now_ms();
	err = build_plan(dm, &p, &d);
	if (err || gl_diags_errors(&d)) {
		gl_log_diags(&d);
		snprintf(msg, sizeof(msg), "rules in %s rejected (%zu errors); %s",
			 dm->o.rules ? dm->o.rules : "the Kubernetes API",
			 gl_diags_errors(&d), dm->have_plan ? "the running rules stay in force" :
			 "no rules applied yet; waiting for a valid set");
		gl_log_kv(GL_LOG_ERROR, msg, "event=rules_rejected errors=%zu in_force=%s",
			  gl_diags_errors(&d), dm->have_plan ? "previous" : "none");
		err = err ? err : -EINVAL;
		goto out;
	}
	err = gl_applied_init(&applied, &p);
	if (!err)	/* the slot to write: the last apply's old one, its readers done */
		gl_sync_retire(&dm->fds, &dm->last);
	if (!err)
		err = gl_sync_apply(&dm->fds, &p, &dm->sp, &d, &res);
	gl_log_diags(&d);
	if (err) {
		gl_log(GL_LOG_ERROR, "cannot write the plan to the maps: %s; the running rules stay "
		       "in force", strerror(-err));
		goto out;
	}
	ms = gl_now_ms() - t0;
	snprintf(msg, sizeof(msg), "generation %llu applied: %u lanes, %u workloads (%u cgroups "
		 "missing), %u service addresses, %u backend sets, %u entry rules",
		 (unsigned long long)res.generation, res.lanes, res.workloads, res.unresolved,
		 res.addrs, res.backends, res.rules);
	gl_log_kv(GL_LOG_INFO, msg, "event=applied generation=%llu lanes=%u workloads=%u "
		  "cgroups_missing=%u service_addrs=%u backend_sets=%u entry_rules=%u "
		  "digest=%016llx effect_ms=%.1f apply_ms=%.1f", (unsigned long long)res.generation,
		  res.lanes, res.workloads, res.unresolved, res.addrs, res.backends, res.rules,
		  (unsigned long long)res.digest, res.switched_ms - t0, ms);
	dm->last = res;
	gl_applied_free(&dm->applied);
	dm->applied = applied;
	memset(&applied, 0, sizeof(applied));
	dm->have_plan = 1;
	dm->cgroup_sig = cgroup_signature(dm);
	dm->env_sig = env_signature(dm);
out:
	gl_applied_free(&applied);
	gl_plan_free(&p);
	gl_diags_free(&d);
	malloc_trim(0);		/* the model and plan were freed: give their pages back */
	return err;
}

/* What this kernel has: refuses to start without what is required, says
 * what a fallback loses. */
static int probe_kernel(struct daemon *dm, struct gl_features *f)
{
	char line[512];

	gl_features_probe(f);
	if (f->missing_required) {
		for (int i = 0; i < GL_FEAT_MAX; i++) {
			const struct gl_feature_info *fi = &gl_feature_info[i];

			if (f->present[i])
				continue;
			snprintf(line, sizeof(line), "MISSING %s %s (needs %s): %s", fi->name, fi->what,
				 fi->since, fi->fallback == GL_FALLBACK_NO_RECV ? "has a fallback" :
				 "required");
			gl_log_kv(GL_LOG_ERROR, line, "event=feature_missing feature=%s", fi->name);
		}
		snprintf(line, sizeof(line), "kernel %s lacks %d feature(s) graylane needs "
			 "(MISSING above, with the Linux version that brings each); nothing was changed",
			 gl_kernel_release(), f->missing_required);
		gl_log(GL_LOG_ERROR, "%s", line);
		gl_start_error_keep(dm->o.pin_root, line);
		return 2;
	}
	for (int i = 0; i < GL_FEAT_MAX; i++)
		if (!f->present[i])
			gl_log(GL_LOG_WARN, "kernel %s: missing %s (needs %s): running without it",
			       gl_kernel_release(), gl_feature_info[i].what, gl_feature_info[i].since);
	if (f->no_recv)
		gl_log(GL_LOG_WARN, "%s", GL_NO_RECV_LOST);
	return 0;
}

/* An upgrade's new plan maps, filled before the programs that read them are attached. */
static int rebuild_maps(void *arg, const struct gl_map_fds *fds)
{
	struct daemon *dm = arg;

	dm->fds = *fds;		/* the skeleton's: borrowed until the pins are reopened */
	return apply_rules(dm);
}

static void log_upgrade(const struct gl_pins_upgrade *up)
{
	const struct gl_layout *lay = &up->lay;
	unsigned int n[GL_LV_RETIRED + 1] = { 0 };
	char msg[400];

	for (int i = 0; i < lay->nrows; i++)
		n[lay->rows[i].verdict]++;
	snprintf(msg, sizeof(msg), "maps of layout %u taken over by layout %u: %u kept, %u rebuilt "
		 "from the rules, %u carried, %u reset, %u new, %u retired; %u counters had no "
		 "place in the new layout", lay->pinned_layout, lay->built_layout, n[GL_LV_SAME],
		 n[GL_LV_REBUILD], n[GL_LV_CARRY], n[GL_LV_RESET], n[GL_LV_NEW], n[GL_LV_RETIRED],
		 up->dropped);
	gl_log_kv(GL_LOG_INFO, msg, "event=upgrade from_layout=%u to_layout=%u kept=%u rebuilt=%u "
		  "carried=%u reset=%u new=%u retired=%u dropped=%u", lay->pinned_layout,
		  lay->built_layout, n[GL_LV_SAME], n[GL_LV_REBUILD], n[GL_LV_CARRY],
		  n[GL_LV_RESET], n[GL_LV_NEW], n[GL_LV_RETIRED], up->dropped);
}

/* What the daemon adds to every plan it applies. */
static struct gl_sync_params sync_params(const struct daemon *dm, const struct gl_features *f)
{
	return (struct gl_sync_params){
		.cgroup2_mount = dm->cg2mount,
		.managed_cgroup = dm->managed,
		.managed_level = cgroup_level(dm->o.cgroup, dm->cg2mount),
		.pid = getpid(),
		.context_ttl_ns = dm->o.context_ttl_ms * 1000000ULL,
		.flags = (dm->o.trust_incoming ? GL_CFG_TRUST_INCOMING : 0) |
			 (f->no_recv ? GL_CFG_NO_RECV : 0),
	};
}

/* How the twin keeper is started: this binary, its pin root and log. */
static char *const *keeper_argv(const struct gl_options *o)
{
	static const char *const level[] = { "debug", "info", "warn", "error" };
	static char *argv[10];

	argv[0] = "graylaned";
	argv[1] = "--twin-keeper";
	argv[2] = "--pin-root";
	argv[3] = (char *)o->pin_root;
	argv[4] = "--log-level";
	argv[5] = (char *)level[o->log_level];
	argv[6] = "--log-format";
	argv[7] = o->log_json ? "json" : "text";
	argv[8] = NULL;
	return argv;
}

/* The twins the daemon opens and holds (twin.h), on the loaded maps. */
static struct gl_twins *open_twins(struct graylane_bpf *skel, const struct gl_options *o,
				   const char *cg2mount)
{
	struct gl_twin_maps m = {
		.pending = bpf_map__fd(skel->maps.gl_twin_pending),
		.twin_of = bpf_map__fd(skel->maps.gl_twin_of),
		.rx = bpf_map__fd(skel->maps.gl_rx),
		.stats = bpf_map__fd(skel->maps.gl_stats),
		.park = bpf_map__fd(skel->maps.gl_park),
		.sink = bpf_map__fd(skel->maps.gl_sink),
		.sock = bpf_map__fd(skel->maps.gl_sock),
		.sockhash = bpf_map__fd(skel->maps.gl_sockhash),
	};

	return gl_twins_new(&m, cg2mount, o->pin_root, keeper_argv(o));
}

static int setup(struct daemon *dm, struct graylane_bpf **skel)
{
	struct gl_pins_upgrade up = { .rebuild = rebuild_maps };
	struct gl_features f;
	char err[1024];
	int took_over, rc;

	rc = probe_kernel(dm, &f);
	if (rc)
		return rc;
	if (gl_cgroup2_mount(dm->cg2mount, sizeof(dm->cg2mount))) {
		gl_log(GL_LOG_ERROR, "no cgroup2 mount found");
		return 2;
	}
	if (!gl_path_below(dm->o.cgroup, dm->cg2mount)) {
		gl_log(GL_LOG_ERROR, "--cgroup %s is not below the cgroup2 mount %s", dm->o.cgroup,
		       dm->cg2mount);
		return 2;
	}
	rc = gl_cgroup_id(dm->o.cgroup, &dm->managed);
	if (rc) {
		gl_log(GL_LOG_ERROR, "--cgroup %s: %s (create it first: mkdir %s)", dm->o.cgroup,
		       strerror(-rc), dm->o.cgroup);
		return 2;
	}
	rc = gl_pins_prepare(dm->o.pin_root);
	if (rc) {
		gl_log(GL_LOG_ERROR, "pin root %s: %s%s", dm->o.pin_root, strerror(-rc),
		      rc == -EXDEV ? " (it must be below a bpffs mount such as /sys/fs/bpf)" : "");
		return 2;
	}
	dm->sp = sync_params(dm, &f);
	up.arg = dm;
	rc = gl_pins_load_attach(dm->o.pin_root, dm->o.cgroup, dm->managed, f.no_recv, &up, skel,
				 &took_over, err, sizeof(err));
	if (rc) {
		gl_refusal_line(err, sizeof(err));
		gl_log(GL_LOG_ERROR, "%s", err);
		gl_start_error_keep(dm->o.pin_root, err);
		return 2;
	}
	gl_start_error_clear(dm->o.pin_root);
	if (up.lay.changed)
		log_upgrade(&up);
	gl_log(GL_LOG_INFO, "%s the data path on cgroup %s (pin root %s)",
	      took_over ? "took over" : "attached", dm->o.cgroup, dm->o.pin_root);
	rc = gl_map_fds_open(dm->o.pin_root, &dm->fds);
	if (rc) {
		gl_log(GL_LOG_ERROR, "cannot open pinned maps under %s: %s", dm->o.pin_root,
		       strerror(-rc));
		return 2;
	}
	dm->twins = open_twins(*skel, &dm->o, dm->cg2mount);
	dm->events = ring_buffer__new(bpf_map__fd((*skel)->maps.gl_events), on_event, dm, NULL);
	if (!dm->events)
		gl_log(GL_LOG_WARN, "cannot read kernel events; lane mismatches are only counted, "
		       "no twin is opened");
	return 0;
}

/* inotify on the rules directory, or polling when it cannot be watched. */
static void watch_rules(struct daemon *dm)
{
	dm->inotify = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (!dm->o.rules)
		return;
	if (dm->inotify >= 0 &&
	    inotify_add_watch(dm->inotify, dm->o.rules, IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM |
						   IN_CREATE | IN_DELETE | IN_ATTRIB) < 0) {
		gl_log(GL_LOG_WARN, "cannot watch %s (%s); checking it every %u ms", dm->o.rules,
		      strerror(errno), dm->o.poll_ms);
		close(dm->inotify);
		dm->inotify = -1;
	}
}

/* Applies the rules, then every change of them, of the workloads' cgroups
 * and of their processes' lanes, until SIGTERM or SIGINT. */
/* --metrics: a failure to listen costs the endpoint, never the data path. */
static void start_metrics(const struct daemon *dm)
{
	char bound[128], err[320], msg[400];
	int fd;

	if (!dm->o.metrics[0])
		return;
	fd = gl_metrics_listen(dm->o.metrics, bound, sizeof(bound), err, sizeof(err));
	if (fd >= 0 && gl_metrics_start(fd, dm->o.pin_root) == 0) {
		snprintf(msg, sizeof(msg), "metrics at http://%s/metrics", bound);
		gl_log_kv(GL_LOG_INFO, msg, "event=metrics addr=%s", bound);
		return;
	}
	if (fd >= 0) {
		snprintf(err, sizeof(err), "cannot start the metrics thread");
		close(fd);
	}
	snprintf(msg, sizeof(msg), "no metrics endpoint: %s", err);
	gl_log_kv(GL_LOG_WARN, msg, "event=metrics_off addr=%s", dm->o.metrics);
}

/* The API's changes, applied once every resource is listed; false until then. */
static bool k8s_step(struct daemon *dm)
{
	if (!gl_k8s_synced(dm->k8s))
		return false;
	if (dm->k8s_dirty) {
		dm->k8s_dirty = false;
		if (apply_rules(dm) == 0)
			gl_log_kv(GL_LOG_INFO, "inventory change applied", "event=k8s_applied "
				  "since_event_ms=%.1f", gl_now_ms() - dm->k8s_first);
	}
	return true;
}

static void run(struct daemon *dm)
{
	unsigned int polls = 0;
	bool second;

	dm->rules_sig = rules_signature(dm->o.rules);
	if (!dm->k8s)
		apply_rules(dm);
	while (!stop) {
		uint64_t sig;

		wait_events(dm);
		if (dm->k8s && !k8s_step(dm))
			continue;	/* not listed yet: nothing applied */
		sig = rules_signature(dm->o.rules);
		if (sig != dm->rules_sig || reload) {
			reload = 0;
			dm->rules_sig = sig;
			apply_rules(dm);
			continue;
		}
		if (!dm->have_plan)
			continue;
		second = ++polls * dm->o.poll_ms >= 1000;
		if (second)
			polls = 0;
		/* A workload's cgroup appeared or was recreated: resolve it again.
		 * Two syscalls per workload: every poll on an ordinary node, once
		 * a second past GL_CGROUP_POLL_MAX workloads. */
		if ((second || dm->applied.nworkloads <= GL_CGROUP_POLL_MAX) &&
		    cgroup_signature(dm) != dm->cgroup_sig) {
			apply_rules(dm);
			continue;
		}
		/* Processes come and go: their environment may name another lane.
		 * Reading every environ is dearer than a stat: once a second. */
		if (second && env_signature(dm) != dm->env_sig)
			apply_rules(dm);
	}
}

int main(int argc, char **argv)
{
	struct graylane_bpf *skel = NULL;
	struct daemon dm;
	struct sigaction sa;
	int rc;

	memset(&dm, 0, sizeof(dm));
	dm.inotify = -1;
	dm.fds = (struct gl_map_fds){ -1, -1, -1, -1, -1, -1, -1, -1, -1 };
	rc = gl_options_parse(argc, argv, &dm.o, stderr);
	if (rc)
		return rc < 0 ? 2 : 0;
	gl_log_setup(dm.o.log_level, dm.o.log_json);
	gl_refusal_set_sink(log_libbpf);
	libbpf_set_print(gl_refusal_libbpf_print);
	/* An apply allocates and frees a few hundred MB in pieces (YAML trees,
	 * model objects, arrays that grow): keep freed memory for the next piece
	 * rather than returning it and faulting it in again, page by page;
	 * apply_rules gives it all back at the end (malloc_trim). One arena for
	 * the loader's threads too (user/rules/load_dir.c): malloc_trim cannot
	 * shrink the heaps of the others. */
	mallopt(M_TRIM_THRESHOLD, 1 << 30);
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_ARENA_MAX, 1);
	setvbuf(stderr, NULL, _IOLBF, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (dm.o.print_inventory)
		return gl_daemon_print_inventory(&dm.o, &stop);
	if (dm.o.twin_keeper)
		return gl_keeper_main(dm.o.pin_root);
	rc = setup(&dm, &skel);
	if (!rc && dm.o.kubeconfig)
		rc = gl_daemon_k8s_start(&dm.o, &dm.k8s);
	if (rc)
		goto out;
	watch_rules(&dm);
	start_metrics(&dm);
	run(&dm);
	gl_sync_retire(&dm.fds, &dm.last);
	gl_log(GL_LOG_INFO, "stopping; the data path stays attached (pin root %s)", dm.o.pin_root);
out:
	gl_k8s_stop(dm.k8s);
	gl_applied_free(&dm.applied);
	gl_map_fds_close(&dm.fds);
	ring_buffer__free(dm.events);
	gl_twins_free(dm.twins);
	if (dm.inotify >= 0)
		close(dm.inotify);
	graylane_bpf__destroy(skel);	/* pins keep programs, maps and links */
	return rc;
}
