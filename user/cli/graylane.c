// SPDX-License-Identifier: Apache-2.0
/*
 * graylane: the operator's CLI. validate and compile need no root; status,
 * dump and uninstall read the pin root.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common/diag.h"
#include "dump.h"
#include "common/json.h"
#include "kernel/kernel_features.h"
#include "sync/mapsync.h"
#include "model/model.h"
#include "sync/pins.h"
#include "plan/plan.h"
#include "rules/rules.h"
#include "kernel/refusal.h"
#include "kernel/verifier_report.h"
#include "graylane.skel.h"

struct cli {
	const char *pin_root;
	const char *out;
	const char *log_dir;
	int json;
	int argc;
	char **argv;
};

static int load_plan(const char *dir, struct gl_plan *p, int want_plan)
{
	struct gl_model m;
	struct gl_diags d;
	int err;

	memset(&m, 0, sizeof(m));
	gl_diags_init(&d);
	err = gl_model_load_dir(dir, &m, &d);
	if (err != -ENOMEM) {
		/* cross-document checks run even after load errors: one run reports all */
		int v = gl_model_validate(&m, &d);

		err = err ? err : v;
	}
	if (!err && want_plan) {
		gl_model_drop_labels(&m);
		err = gl_plan_compile(&m, p, NULL, &d);
	}
	gl_diags_print(&d, stderr);
	if (!err && gl_diags_errors(&d))
		err = -EINVAL;
	gl_model_free(&m);
	gl_diags_free(&d);
	return err;
}

static int cmd_validate(struct cli *c)
{
	struct gl_plan p;
	int err;

	if (c->argc != 1) {
		fprintf(stderr, "usage: graylane validate DIR\n");
		return 2;
	}
	memset(&p, 0, sizeof(p));
	/* compile too: it refuses what would not fit the maps */
	err = load_plan(c->argv[0], &p, 1);
	gl_plan_free(&p);
	if (err)
		return 1;
	printf("%s: ok\n", c->argv[0]);
	return 0;
}

static int cmd_compile(struct cli *c)
{
	struct gl_plan p;
	int err;

	if (c->argc != 1) {
		fprintf(stderr, "usage: graylane compile DIR [--json]\n");
		return 2;
	}
	memset(&p, 0, sizeof(p));
	err = load_plan(c->argv[0], &p, 1);
	if (!err)
		gl_plan_print(&p, stdout, c->json);
	gl_plan_free(&p);
	return err ? 1 : 0;
}

static int cmd_status(struct cli *c)
{
	struct gl_link_state ls[16];
	struct gl_map_fds fds;
	struct gl_config cfg;
	uint64_t digest = 0;
	char why[1024];
	int n, attached = 0, expected = 0, err, alive, ok, failed;

	failed = gl_start_error_read(c->pin_root, why, sizeof(why));
	n = gl_pins_links(c->pin_root, ls, 16);
	err = gl_map_fds_open(c->pin_root, &fds);
	if (err) {
		if (c->json) {
			printf("{\"pin_root\":\"%s\",\"installed\":false", c->pin_root);
			if (failed) {
				printf(",\"start_error\":");
				gl_json_str(stdout, why);
			}
			printf("}\n");
		} else {
			printf("graylane: nothing installed under %s (%s)\n", c->pin_root,
			       strerror(-err));
			if (failed)
				printf("last start: %s\n", why);
		}
		return 1;
	}
	memset(&cfg, 0, sizeof(cfg));
	err = gl_sync_digest_active(&fds, &digest, &cfg);
	gl_map_fds_close(&fds);
	if (err) {
		fprintf(stderr, "graylane: cannot read maps under %s: %s\n", c->pin_root,
			strerror(-err));
		return 1;
	}
	/* without the read tracepoints (GL_CFG_NO_RECV) they are not attached */
	for (int i = 0; i < n; i++) {
		int want = !(cfg.flags & GL_CFG_NO_RECV) || !gl_pins_is_recv(ls[i].prog);

		expected += want;
		attached += want && ls[i].attached;
	}
	alive = cfg.daemon_pid && kill(cfg.daemon_pid, 0) == 0;
	ok = attached == expected && cfg.generation > 0 && digest == cfg.plan_digest;
	if (c->json) {
		printf("{\"pin_root\":\"%s\",\"installed\":true,\"programs\":%d,\"attached\":%d,"
		       "\"generation\":%llu,\"slot\":%u,\"plan_digest\":\"%016llx\","
		       "\"maps_digest\":\"%016llx\",\"plan_in_maps\":%s,\"daemon_pid\":%u,"
		       "\"daemon_running\":%s,\"read_tracepoints\":%s,\"ok\":%s}\n",
		       c->pin_root, expected, attached, (unsigned long long)cfg.generation,
		       cfg.active_slot, (unsigned long long)cfg.plan_digest,
		       (unsigned long long)digest, digest == cfg.plan_digest ? "true" : "false",
		       cfg.daemon_pid, alive ? "true" : "false",
		       cfg.flags & GL_CFG_NO_RECV ? "false" : "true", ok ? "true" : "false");
		return ok ? 0 : 1;
	}
	printf("pin root:    %s\n", c->pin_root);
	printf("programs:    %d of %d attached", attached, expected);
	for (int i = 0; i < n; i++) {
		int skipped = (cfg.flags & GL_CFG_NO_RECV) && gl_pins_is_recv(ls[i].prog);

		printf("%s%s%s", i ? ", " : " (", ls[i].prog,
		       skipped ? " not used" : ls[i].attached ? "" : " DETACHED");
	}
	printf(")\n");
	if (cfg.flags & GL_CFG_NO_RECV)
		printf("receive:     %s\n", GL_NO_RECV_LOST);
	if (failed)
		printf("last start:  %s\n", why);
	if (n && ls[0].attached)
		printf("cgroup id:   %llu\n", (unsigned long long)ls[0].cgroup_id);
	printf("generation:  %llu (slot %u)\n", (unsigned long long)cfg.generation, cfg.active_slot);
	printf("plan:        digest %016llx, maps %016llx: %s\n",
	       (unsigned long long)cfg.plan_digest, (unsigned long long)digest,
	       cfg.generation == 0 ? "no plan applied yet" :
	       digest == cfg.plan_digest ? "in force" : "MISMATCH");
	printf("daemon:      pid %u, %s\n", cfg.daemon_pid,
	       alive ? "running" : "not running (the data path keeps working)");
	printf("status:      %s\n", ok ? "ok" : "NOT READY");
	return ok ? 0 : 1;
}

static int cmd_dump(struct cli *c)
{
	if (c->argc > 1) {
		fprintf(stderr, "usage: graylane dump [MAP] [--json]\n");
		return 2;
	}
	return gl_dump(c->pin_root, c->argc ? c->argv[0] : NULL, c->json, stdout) ? 1 : 0;
}

static int cmd_uninstall(struct cli *c)
{
	int removed, err;

	gl_start_error_clear(c->pin_root);
	err = gl_pins_uninstall(c->pin_root, &removed);
	if (err) {
		fprintf(stderr, "graylane: uninstall %s: %s (%d pins removed)\n", c->pin_root,
			strerror(-err), removed);
		return 1;
	}
	printf("graylane: removed %d pins under %s; programs detached\n", removed, c->pin_root);
	return 0;
}

static int read_file(const char *path, void **data, size_t *size)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (!f)
		return -errno;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return -EIO;
	}
	*data = malloc(n ? (size_t)n : 1);
	if (!*data || fread(*data, 1, (size_t)n, f) != (size_t)n) {
		free(*data);
		fclose(f);
		return -EIO;
	}
	fclose(f);
	*size = (size_t)n;
	return 0;
}

static void print_vprogs(FILE *f, const struct gl_vprog *p, int n)
{
	fprintf(f, "kernel %s, budget %u processed instructions per program\n",
		gl_kernel_release(), GL_VERIFIER_BUDGET);
	fprintf(f, "%-12s %-24s %9s %8s %10s  %s\n", "object", "program", "insns", "states",
		"time_us", "verdict");
	for (int i = 0; i < n; i++)
		fprintf(f, "%-12s %-24s %9u %8u %10u  %s%s\n", p[i].object, p[i].name, p[i].insns,
			p[i].states, p[i].time_us,
			!p[i].loaded ? "REFUSED: " : p[i].insns > GL_VERIFIER_BUDGET ? "OVER BUDGET" : "ok",
			p[i].loaded ? "" : p[i].error);
}

/* --log-dir: each refused program's full verifier log, DIR/OBJECT-PROG.log */
static void full_logs(const char *dir, const char *object, const void *data, size_t size,
		      struct gl_vprog *p, int n)
{
	char path[4096];

	for (int i = 0; i < n; i++) {
		if (p[i].loaded)
			continue;
		snprintf(path, sizeof(path), "%s/%s-%s.log", dir, object, p[i].name);
		if (gl_verifier_full_log(object, data, size, p[i].name, path))
			fprintf(stderr, "graylane: cannot write %s\n", path);
		else
			fprintf(stderr, "graylane: %s refused: full verifier log in %s\n", p[i].name, path);
	}
}

/* The daemon's object (embedded) and any objects named, program by program. */
static int cmd_verifier_report(struct cli *c)
{
	static struct gl_vprog progs[128];
	int n = 0, bad = 0, err, i;
	size_t size;
	const void *data = graylane_bpf__elf_bytes(&size);

	err = gl_verifier_report_object("graylane", data, size, progs, 128, &n);
	if (!err && c->log_dir)
		full_logs(c->log_dir, "graylane", data, size, progs, n);
	for (i = 0; !err && i < c->argc; i++) {
		char name[64], *dot;
		void *buf = NULL;
		int got = 0;

		snprintf(name, sizeof(name), "%s", strrchr(c->argv[i], '/') ? strrchr(c->argv[i], '/') + 1
									    : c->argv[i]);
		if ((dot = strstr(name, ".bpf.o")) || (dot = strstr(name, ".o")))
			*dot = 0;
		err = read_file(c->argv[i], &buf, &size);
		if (err) {
			fprintf(stderr, "graylane: cannot read %s: %s\n", c->argv[i], strerror(-err));
			return 1;
		}
		err = gl_verifier_report_object(name, buf, size, progs + n, 128 - n, &got);
		if (!err && c->log_dir)
			full_logs(c->log_dir, name, buf, size, progs + n, got);
		free(buf);
		n += got;
	}
	if (err) {
		fprintf(stderr, "graylane: verifier-report: cannot open a BPF object: %s\n",
			strerror(-err));
		return 1;
	}
	for (i = 0; i < n; i++)
		bad += !progs[i].loaded || progs[i].insns > GL_VERIFIER_BUDGET;
	if (c->out) {
		FILE *f = fopen(c->out, "w");

		if (!f) {
			fprintf(stderr, "graylane: cannot write %s: %s\n", c->out, strerror(errno));
			return 1;
		}
		gl_verifier_report_json(f, progs, n);
		if (fclose(f)) {
			fprintf(stderr, "graylane: cannot write %s: %s\n", c->out, strerror(errno));
			return 1;
		}
	}
	if (c->json)
		gl_verifier_report_json(stdout, progs, n);
	else
		print_vprogs(stdout, progs, n);
	if (bad)
		fprintf(stderr, "graylane: %d of %d programs refused or over budget on %s; "
			"please report this with the output of 'graylane verifier-report'\n",
			bad, n, gl_kernel_release());
	return bad ? 1 : 0;
}

/* What this kernel has of what graylane uses. */
static int cmd_probe(struct cli *c)
{
	struct gl_features f;

	if (c->argc) {
		fprintf(stderr, "usage: graylane probe [--json]\n");
		return 2;
	}
	gl_features_probe(&f);
	if (!c->json)
		printf("kernel %s\n", gl_kernel_release());
	gl_features_print(&f, stdout, c->json, 0);
	if (!c->json && f.missing_required)
		printf("graylaned cannot run on this kernel: %d required feature(s) missing\n",
		       f.missing_required);
	else if (!c->json && f.no_recv)
		printf("graylaned runs here without the read tracepoints\n");
	return f.missing_required ? 1 : 0;
}

static const struct {
	const char *name;
	int (*fn)(struct cli *c);
	const char *help;
} cmds[] = {
	{ "validate", cmd_validate, "validate DIR          check a rules directory" },
	{ "compile", cmd_compile, "compile DIR [--json]  print the map entries the rules compile to" },
	{ "status", cmd_status, "status [--json]       attached programs, generation, plan in force" },
	{ "dump", cmd_dump, "dump [MAP] [--json]   decoded map contents and counters" },
	{ "uninstall", cmd_uninstall, "uninstall             detach and remove everything pinned" },
	{ "probe", cmd_probe, "probe [--json]        the kernel features graylane uses, present or not" },
	{ "verifier-report", cmd_verifier_report,
	  "verifier-report [--out FILE] [--log-dir DIR] [OBJ.o ...]\n"
	  "                        each program through this kernel's verifier, alone" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: graylane [--pin-root PATH] [--json] COMMAND [ARGS]\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %s\n", cmds[i].help);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "pin-root", required_argument, 0, 'p' },
		{ "json", no_argument, 0, 'j' },
		{ "out", required_argument, 0, 'o' },
		{ "log-dir", required_argument, 0, 'l' },
		{ "help", no_argument, 0, 'h' },
		{ 0 }
	};
	struct cli c = { .pin_root = GL_PIN_ROOT_DEFAULT };
	int o;

	libbpf_set_print(NULL);
	/* options may come before or after the command (GNU getopt permutes) */
	while ((o = getopt_long(argc, argv, "hj", lo, NULL)) != -1) {
		switch (o) {
		case 'p': c.pin_root = optarg; break;
		case 'j': c.json = 1; break;
		case 'o': c.out = optarg; break;
		case 'l': c.log_dir = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[optind], cmds[i].name))
			continue;
		c.argc = argc - optind - 1;
		c.argv = argv + optind + 1;
		return cmds[i].fn(&c);
	}
	fprintf(stderr, "graylane: unknown command '%s'\n", argv[optind]);
	usage(stderr);
	return 2;
}
