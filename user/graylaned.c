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
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/libbpf.h>

#include "cgroup.h"
#include "diag.h"
#include "kernel_check.h"
#include "graylane.skel.h"
#include "mapsync.h"
#include "model.h"
#include "options.h"
#include "pins.h"
#include "plan.h"

static volatile sig_atomic_t stop, reload;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload = 1;
	else
		stop = 1;
}

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
	struct timespec ts;
	struct tm tm;
	va_list ap;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	fprintf(stderr, "%02d:%02d:%02d.%03ld graylaned: ", tm.tm_hour, tm.tm_min, tm.tm_sec,
		ts.tv_nsec / 1000000);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int is_yaml(const struct dirent *e)
{
	size_t n = strlen(e->d_name);

	if (e->d_name[0] == '.')
		return 0;	/* hidden files and editors' temporaries */
	return (n > 5 && !strcmp(e->d_name + n - 5, ".yaml")) ||
	       (n > 4 && !strcmp(e->d_name + n - 4, ".yml"));
}

/* Changes when a YAML file of the directory is added, removed or rewritten. */
static uint64_t rules_signature(const char *dir)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	struct dirent **ents;
	int n = scandir(dir, &ents, is_yaml, alphasort);

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
		for (const char *c = ents[i]->d_name; *c; c++)
			h = (h ^ (unsigned char)*c) * 0x100000001b3ULL;
		for (int k = 0; k < 4; k++)
			h = (h ^ v[k]) * 0x100000001b3ULL;
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
	struct gl_plan plan;	/* the applied plan */
	int have_plan;
	uint64_t rules_sig, cgroup_sig;
};

/* Loads, validates and compiles the rules; applies them as a new generation. */
static int apply_rules(struct daemon *dm)
{
	struct gl_model m;
	struct gl_plan p;
	struct gl_diags d;
	struct gl_sync_result res;
	struct timespec t0, t1;
	int err;

	memset(&m, 0, sizeof(m));
	memset(&p, 0, sizeof(p));
	gl_diags_init(&d);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = gl_model_load_dir(dm->o.rules, &m, &d);
	if (err != -ENOMEM) {
		int v = gl_model_validate(&m, &d);

		err = err ? err : v;
	}
	if (!err)
		err = gl_plan_compile(&m, &p, &(struct gl_compile_opts){ dm->o.label_header,
								   dm->o.accept_header }, &d);
	if (err || gl_diags_errors(&d)) {
		gl_diags_print(&d, stderr);
		logf_("rules in %s rejected (%zu errors); %s", dm->o.rules, gl_diags_errors(&d),
		      dm->have_plan ? "the running rules stay in force" :
				      "no rules applied yet; waiting for a valid set");
		err = err ? err : -EINVAL;
		goto out;
	}
	err = gl_sync_apply(&dm->fds, &p, dm->cg2mount, dm->managed, getpid(), &d, &res);
	gl_diags_print(&d, stderr);
	if (err) {
		logf_("cannot write the plan to the maps: %s; the running rules stay in force",
		      strerror(-err));
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	logf_("generation %llu applied: %u lanes, %u workloads (%u cgroups missing), "
	      "%u service addresses, %u backend sets, digest %016llx, %.1f ms",
	      (unsigned long long)res.generation, res.lanes, res.workloads, res.unresolved,
	      res.addrs, res.backends, (unsigned long long)res.digest,
	      (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
	if (dm->have_plan)
		gl_plan_free(&dm->plan);
	dm->plan = p;
	memset(&p, 0, sizeof(p));
	dm->have_plan = 1;
	dm->cgroup_sig = gl_sync_cgroup_signature(&dm->plan, dm->cg2mount);
out:
	gl_plan_free(&p);
	gl_model_free(&m);
	gl_diags_free(&d);
	return err;
}

static int setup(struct daemon *dm, struct graylane_bpf **skel)
{
	char err[1024];
	int took_over, rc;

	if (gl_features_check(stderr)) {
		logf_("this kernel lacks what graylane needs (above); nothing was changed");
		return 2;
	}
	if (gl_cgroup2_mount(dm->cg2mount, sizeof(dm->cg2mount))) {
		logf_("no cgroup2 mount found");
		return 2;
	}
	if (!gl_path_below(dm->o.cgroup, dm->cg2mount)) {
		logf_("--cgroup %s is not below the cgroup2 mount %s", dm->o.cgroup, dm->cg2mount);
		return 2;
	}
	rc = gl_cgroup_id(dm->o.cgroup, &dm->managed);
	if (rc) {
		logf_("--cgroup %s: %s (create it first: mkdir %s)", dm->o.cgroup, strerror(-rc),
		      dm->o.cgroup);
		return 2;
	}
	rc = gl_pins_prepare(dm->o.pin_root);
	if (rc) {
		logf_("pin root %s: %s%s", dm->o.pin_root, strerror(-rc),
		      rc == -EXDEV ? " (it must be below a bpffs mount such as /sys/fs/bpf)" : "");
		return 2;
	}
	rc = gl_pins_load_attach(dm->o.pin_root, dm->o.cgroup, dm->managed, skel, &took_over,
				 err, sizeof(err));
	if (rc) {
		logf_("%s", err);
		return 2;
	}
	logf_("%s the data path on cgroup %s (pin root %s)",
	      took_over ? "took over" : "attached", dm->o.cgroup, dm->o.pin_root);
	rc = gl_map_fds_open(dm->o.pin_root, &dm->fds);
	if (rc) {
		logf_("cannot open pinned maps under %s: %s", dm->o.pin_root, strerror(-rc));
		return 2;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct graylane_bpf *skel = NULL;
	struct daemon dm;
	struct sigaction sa;
	int rc;

	memset(&dm, 0, sizeof(dm));
	dm.fds = (struct gl_map_fds){ -1, -1, -1, -1, -1 };
	rc = gl_options_parse(argc, argv, &dm.o, stderr);
	if (rc)
		return rc < 0 ? 2 : 0;
	libbpf_set_print(libbpf_log);
	setvbuf(stderr, NULL, _IOLBF, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	rc = setup(&dm, &skel);
	if (rc)
		goto out;
	dm.rules_sig = rules_signature(dm.o.rules);
	apply_rules(&dm);
	while (!stop) {
		uint64_t sig;

		usleep(dm.o.poll_ms * 1000);
		sig = rules_signature(dm.o.rules);
		if (sig != dm.rules_sig || reload) {
			reload = 0;
			dm.rules_sig = sig;
			apply_rules(&dm);
			continue;
		}
		/* A workload's cgroup appeared or was recreated: resolve it again. */
		if (dm.have_plan &&
		    gl_sync_cgroup_signature(&dm.plan, dm.cg2mount) != dm.cgroup_sig)
			apply_rules(&dm);
	}
	logf_("stopping; the data path stays attached (pin root %s)", dm.o.pin_root);
out:
	if (dm.have_plan)
		gl_plan_free(&dm.plan);
	gl_map_fds_close(&dm.fds);
	graylane_bpf__destroy(skel);	/* pins keep programs, maps and links */
	return rc;
}
