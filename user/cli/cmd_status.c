// SPDX-License-Identifier: Apache-2.0
/* graylane status: programs attached, the generation and plan in force, the
 * daemon, the last start's refusal; exit 0 only when all is in place. */
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "common/json.h"
#include "common/keeper_addr.h"
#include "kernel/kernel_features.h"
#include "kernel/refusal.h"
#include "sync/mapsync.h"
#include "sync/pins.h"

/* What status reads: the links, the active slot's config and digest. */
struct status {
	struct gl_link_state ls[16];
	struct gl_config cfg;
	uint64_t digest;
	char why[1024];		/* the last start's refusal, when failed */
	int n, attached, expected, alive, ok, failed;
	int keeper;		/* a twin keeper listens for this pin root */
};

/* The twin keeper's abstract socket is listening (/proc/net/unix of this
 * network namespace, the daemon's). */
static int keeper_listens(const char *pin_root)
{
	struct sockaddr_un a;
	socklen_t len = gl_keep_addr(pin_root, &a);
	char line[512], name[sizeof(a.sun_path) + 1];
	size_t n = len - offsetof(struct sockaddr_un, sun_path);
	unsigned long flags;
	int found = 0;
	FILE *f = fopen("/proc/net/unix", "re");

	name[0] = '@';	/* how the kernel prints an abstract name */
	memcpy(name + 1, a.sun_path + 1, n - 1);
	name[n] = '\0';
	while (f && !found && fgets(line, sizeof(line), f)) {
		char *path = strrchr(line, ' ');

		line[strcspn(line, "\n")] = '\0';
		/* Num RefCount Protocol Flags ...: Flags 00010000 is __SO_ACCEPTCON */
		found = path && !strcmp(path + 1, name) &&
			sscanf(line, "%*s %*s %*s %lx", &flags) == 1 && (flags & 0x10000);
	}
	if (f)
		fclose(f);
	return found;
}

static int not_installed(const struct cli *c, const struct status *st, int err)
{
	if (c->json) {
		printf("{\"pin_root\":\"%s\",\"installed\":false", c->pin_root);
		if (st->failed) {
			printf(",\"start_error\":");
			gl_json_str(stdout, st->why);
		}
		printf("}\n");
	} else {
		printf("graylane: nothing installed under %s (%s)\n", c->pin_root, strerror(-err));
		if (st->failed)
			printf("last start: %s\n", st->why);
	}
	return 1;
}

static void print_json(const struct cli *c, const struct status *st)
{
	const struct gl_config *cfg = &st->cfg;

	printf("{\"pin_root\":\"%s\",\"installed\":true,\"programs\":%d,\"attached\":%d,"
	       "\"generation\":%llu,\"slot\":%u,\"plan_digest\":\"%016llx\","
	       "\"maps_digest\":\"%016llx\",\"plan_in_maps\":%s,\"daemon_pid\":%u,"
	       "\"daemon_running\":%s,\"twin_keeper\":%s,\"read_tracepoints\":%s,\"layout\":%u,"
	       "\"ok\":%s}\n",
	       c->pin_root, st->expected, st->attached, (unsigned long long)cfg->generation,
	       cfg->active_slot, (unsigned long long)cfg->plan_digest,
	       (unsigned long long)st->digest, st->digest == cfg->plan_digest ? "true" : "false",
	       cfg->daemon_pid, st->alive ? "true" : "false", st->keeper ? "true" : "false",
	       cfg->flags & GL_CFG_NO_RECV ? "false" : "true", cfg->layout, st->ok ? "true" : "false");
}

static void print_text(const struct cli *c, const struct status *st)
{
	const struct gl_config *cfg = &st->cfg;

	printf("pin root:    %s\n", c->pin_root);
	printf("programs:    %d of %d attached", st->attached, st->expected);
	for (int i = 0; i < st->n; i++) {
		int skipped = (cfg->flags & GL_CFG_NO_RECV) && gl_pins_is_recv(st->ls[i].prog);

		printf("%s%s%s", i ? ", " : " (", st->ls[i].prog,
		       skipped ? " not used" : st->ls[i].attached ? "" : " DETACHED");
	}
	printf(")\n");
	if (cfg->flags & GL_CFG_NO_RECV)
		printf("receive:     %s\n", GL_NO_RECV_LOST);
	if (st->failed)
		printf("last start:  %s\n", st->why);
	if (st->n && st->ls[0].attached)
		printf("cgroup id:   %llu\n", (unsigned long long)st->ls[0].cgroup_id);
	printf("generation:  %llu (slot %u)\n", (unsigned long long)cfg->generation,
	       cfg->active_slot);
	printf("plan:        digest %016llx, maps %016llx: %s\n",
	       (unsigned long long)cfg->plan_digest, (unsigned long long)st->digest,
	       cfg->generation == 0 ? "no plan applied yet" :
	       st->digest == cfg->plan_digest ? "in force" : "MISMATCH");
	printf("layout:      %u (of the maps; graylane layout compares builds)\n", cfg->layout);
	printf("daemon:      pid %u, %s\n", cfg->daemon_pid,
	       st->alive ? "running" : "not running (the data path keeps working)");
	printf("twin keeper: %s\n", st->keeper ? "listening (twins outlive the daemon)" :
	       "none (twins close with the daemon)");
	printf("status:      %s\n", st->ok ? "ok" : "NOT READY");
}

int cmd_status(struct cli *c)
{
	struct status st;
	struct gl_map_fds fds;
	int err;

	memset(&st, 0, sizeof(st));
	st.failed = gl_start_error_read(c->pin_root, st.why, sizeof(st.why));
	st.n = gl_pins_links(c->pin_root, st.ls, 16);
	err = gl_map_fds_open(c->pin_root, &fds);
	if (err)
		return not_installed(c, &st, err);
	err = gl_sync_digest_active(&fds, &st.digest, &st.cfg);
	gl_map_fds_close(&fds);
	if (err) {
		fprintf(stderr, "graylane: cannot read maps under %s: %s\n", c->pin_root,
			strerror(-err));
		return 1;
	}
	/* without the read tracepoints (GL_CFG_NO_RECV) they are not attached */
	for (int i = 0; i < st.n; i++) {
		int want = !(st.cfg.flags & GL_CFG_NO_RECV) || !gl_pins_is_recv(st.ls[i].prog);

		st.expected += want;
		st.attached += want && st.ls[i].attached;
	}
	st.alive = st.cfg.daemon_pid && kill(st.cfg.daemon_pid, 0) == 0;
	st.keeper = keeper_listens(c->pin_root);
	st.ok = st.attached == st.expected && st.cfg.generation > 0 &&
		st.digest == st.cfg.plan_digest;
	if (c->json)
		print_json(c, &st);
	else
		print_text(c, &st);
	return st.ok ? 0 : 1;
}
