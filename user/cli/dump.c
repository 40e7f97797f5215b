// SPDX-License-Identifier: Apache-2.0
/* graylane dump: every pinned map decoded for a person (or --json): config,
 * lanes, workloads, services, backends, rules, counters (global, per lane,
 * per service and lane). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>

#include <graylane/abi.h>
#include "dump.h"
#include "model/model.h"
#include "sync/pins.h"
#include "sync/stats.h"

struct dctx {
	FILE *out;
	int json;
	int first;	/* first element of the current JSON array */
	char lanes[GL_LANES_MAX][GL_LANE_NAME_MAX];
	unsigned int active_slot;
};

static void addr_str(__u8 family, const __u8 *addr, __u16 port, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	gl_ip_format(family, addr, ip, sizeof(ip));
	if (!port)
		snprintf(buf, len, "%s", ip);
	else if (family == GL_FAMILY_INET6)
		snprintf(buf, len, "[%s]:%u", ip, port);
	else
		snprintf(buf, len, "%s:%u", ip, port);
}

static const char *lane_name(struct dctx *x, __u16 lane)
{
	if (lane < GL_LANES_MAX && x->lanes[lane][0])
		return x->lanes[lane];
	return lane == GL_LANE_BASE ? "base" : "?";
}

static void begin(struct dctx *x, const char *map)
{
	if (x->json)
		fprintf(x->out, "%s\"%s\":[", x->first ? "" : ",", map);
	else
		fprintf(x->out, "%s:\n", map);
	x->first = 1;
}

static void end(struct dctx *x)
{
	if (x->json)
		fputs("]", x->out);
	x->first = 0;
}

static void sep(struct dctx *x)
{
	if (x->json && !x->first)
		fputc(',', x->out);
	x->first = 0;
}

/* Iterates the active slot of a map keyed by a struct starting with `slot`. */
#define FOR_ACTIVE(fd, x, key, next, val)                                                  \
	for (int first_ = 1; bpf_map_get_next_key(fd, first_ ? NULL : &key, &next) == 0 &&   \
			     (first_ = 0, key = next, 1);)                                   \
		if (key.slot == (x)->active_slot && !bpf_map_lookup_elem(fd, &key, &val))

static void read_config(struct dctx *x, int fd, struct gl_config *c)
{
	__u32 zero = 0;

	memset(c, 0, sizeof(*c));
	bpf_map_lookup_elem(fd, &zero, c);
	x->active_slot = c->active_slot;
}

static void dump_config(struct dctx *x, const struct gl_config *cfg)
{
	struct gl_config c = *cfg;

	if (x->json) {
		fprintf(x->out, "\"gl_config\":{\"generation\":%llu,\"active_slot\":%u,"
			"\"plan_digest\":\"%016llx\",\"daemon_pid\":%u,\"managed_cgroup\":%llu}",
			(unsigned long long)c.generation, c.active_slot,
			(unsigned long long)c.plan_digest, c.daemon_pid,
			(unsigned long long)c.managed_cgroup);
		x->first = 0;
		return;
	}
	fprintf(x->out, "gl_config:\n  generation %llu slot %u digest %016llx daemon_pid %u "
		"managed_cgroup %llu\n", (unsigned long long)c.generation, c.active_slot,
		(unsigned long long)c.plan_digest, c.daemon_pid,
		(unsigned long long)c.managed_cgroup);
}

static void load_lanes(struct dctx *x, int fd)
{
	struct gl_lane_key key, next;
	struct gl_lane val;

	FOR_ACTIVE(fd, x, key, next, val) {
		if (key.lane < GL_LANES_MAX)
			memcpy(x->lanes[key.lane], val.name, GL_LANE_NAME_MAX - 1);
	}
}

static void dump_lanes(struct dctx *x, int fd)
{
	begin(x, "gl_lanes");
	for (int i = 0; i < GL_LANES_MAX; i++) {
		if (!x->lanes[i][0])
			continue;
		sep(x);
		if (x->json)
			fprintf(x->out, "{\"lane\":%d,\"name\":\"%s\"}", i, x->lanes[i]);
		else
			fprintf(x->out, "  %d %s\n", i, x->lanes[i]);
	}
	(void)fd;
	end(x);
}

static void dump_workloads(struct dctx *x, int fd)
{
	struct gl_workload_key key, next;
	struct gl_workload val;

	begin(x, "gl_workloads");
	FOR_ACTIVE(fd, x, key, next, val) {
		sep(x);
		if (x->json)
			fprintf(x->out, "{\"cgroup_id\":%llu,\"workload_id\":%u,\"lane\":\"%s\","
				"\"managed_root\":%s}", (unsigned long long)key.cgroup_id,
				val.workload_id, lane_name(x, val.lane),
				val.flags & GL_WL_MANAGED_ROOT ? "true" : "false");
		else
			fprintf(x->out, "  cgroup %llu -> workload %u lane %s%s\n",
				(unsigned long long)key.cgroup_id, val.workload_id,
				lane_name(x, val.lane),
				val.flags & GL_WL_MANAGED_ROOT ? " (managed root: base caller)" : "");
	}
	end(x);
}

static const char *const kinds[GL_ADDR_KIND_MAX] = { "virtual", "endpoint" };
static const char *const protos[GL_PROTO_MAX] = { "http", "mysql", "tcp" };

static void dump_services(struct dctx *x, int fd)
{
	struct gl_service_key key, next;
	struct gl_service_addr val;
	char a[64];

	begin(x, "gl_services");
	FOR_ACTIVE(fd, x, key, next, val) {
		const char *kind = val.kind < GL_ADDR_KIND_MAX ? kinds[val.kind] : "?";
		const char *proto = val.protocol < GL_PROTO_MAX ? protos[val.protocol] : "?";

		addr_str(key.family, key.addr, key.port, a, sizeof(a));
		sep(x);
		if (x->json)
			fprintf(x->out, "{\"address\":\"%s\",\"service_id\":%u,\"target_port\":%u,"
				"\"kind\":\"%s\",\"protocol\":\"%s\"}", a, val.service_id,
				val.target_port, kind, proto);
		else
			fprintf(x->out, "  %s -> service %u target_port %u %s %s\n", a,
				val.service_id, val.target_port, kind, proto);
	}
	end(x);
}

static void dump_backends(struct dctx *x, int fd)
{
	struct gl_backend_key key, next;
	struct gl_backend *val = malloc(sizeof(*val));
	char a[64];

	if (!val)
		return;
	begin(x, "gl_backends");
	FOR_ACTIVE(fd, x, key, next, *val) {
		sep(x);
		if (x->json)
			fprintf(x->out, "{\"service_id\":%u,\"lane\":\"%s\",\"family\":\"%s\","
				"\"endpoints\":[", key.service_id, lane_name(x, key.lane),
				key.family == GL_FAMILY_INET6 ? "inet6" : "inet");
		else
			fprintf(x->out, "  service %u lane %s %s:", key.service_id,
				lane_name(x, key.lane),
				key.family == GL_FAMILY_INET6 ? "inet6" : "inet");
		for (__u32 i = 0; i < val->count && i < GL_LANE_ENDPOINTS_MAX; i++) {
			addr_str(key.family, val->ep[i].addr, 0, a, sizeof(a));
			if (x->json)
				fprintf(x->out, "%s{\"address\":\"%s\",\"workload_id\":%u}",
					i ? "," : "", a, val->ep[i].workload_id);
			else
				fprintf(x->out, " %s(w%u)", a, val->ep[i].workload_id);
		}
		fputs(x->json ? "]}" : "\n", x->out);
	}
	end(x);
	free(val);
}

static void dump_stats(struct dctx *x, int fd)
{
	uint64_t v[GL_STAT_MAX];

	if (gl_stats_read(fd, v))
		return;
	if (x->json)
		fprintf(x->out, "%s\"gl_stats\":{", x->first ? "" : ",");
	else
		fputs("gl_stats:\n", x->out);
	for (int i = 0; i < GL_STAT_MAX; i++) {
		if (x->json)
			fprintf(x->out, "%s\"%s\":%llu", i ? "," : "", gl_stat_name(i),
				(unsigned long long)v[i]);
		else
			fprintf(x->out, "  %-26s %llu\n", gl_stat_name(i), (unsigned long long)v[i]);
	}
	if (x->json)
		fputs("}", x->out);
	x->first = 0;
}

static void dump_lane_stats(struct dctx *x, int fd)
{
	struct gl_lane_stats v[GL_LANES_MAX];

	if (gl_lane_stats_read(fd, v))
		return;
	begin(x, "gl_lane_stats");
	for (int i = 0; i < GL_LANES_MAX; i++) {
		if (!v[i].connects && !v[i].fallbacks && !v[i].refused && !x->lanes[i][0])
			continue;
		sep(x);
		if (x->json)
			fprintf(x->out, "{\"lane\":\"%s\",\"connects\":%llu,\"fallbacks\":%llu,"
				"\"refused\":%llu}", lane_name(x, i),
				(unsigned long long)v[i].connects, (unsigned long long)v[i].fallbacks,
				(unsigned long long)v[i].refused);
		else
			fprintf(x->out, "  %-12s connects %llu fallbacks %llu refused %llu\n",
				lane_name(x, i), (unsigned long long)v[i].connects,
				(unsigned long long)v[i].fallbacks, (unsigned long long)v[i].refused);
	}
	end(x);
}

static void dump_service_stats(struct dctx *x, int fd)
{
	struct gl_service_row *r = NULL;
	int n = gl_service_stats_read(fd, &r);

	if (n < 0)
		return;
	begin(x, "gl_service_stats");
	for (int i = 0; i < n; i++) {
		const struct gl_service_stats *v = &r[i].v;

		sep(x);
		fprintf(x->out, x->json ? "{\"service_id\":%u,\"lane\":\"%s\",\"connects\":%llu,"
			"\"fallbacks\":%llu,\"refused\":%llu,\"requests\":%llu,\"msg_refused\":%llu}"
			: "  service %u lane %-12s connects %llu fallbacks %llu refused %llu "
			"requests %llu msg_refused %llu\n", r[i].key.service_id,
			lane_name(x, r[i].key.lane), (unsigned long long)v->connects,
			(unsigned long long)v->fallbacks, (unsigned long long)v->refused,
			(unsigned long long)v->requests, (unsigned long long)v->msg_refused);
	}
	end(x);
	free(r);
}

static const struct {
	const char *name;
	void (*fn)(struct dctx *x, int fd);
} dumpers[] = {
	{ "gl_config", NULL },
	{ "gl_lanes", dump_lanes },
	{ "gl_workloads", dump_workloads },
	{ "gl_services", dump_services },
	{ "gl_backends", dump_backends },
	{ "gl_stats", dump_stats },
	{ "gl_lane_stats", dump_lane_stats },
	{ "gl_service_stats", dump_service_stats },
};

static int name_is(const char *want, const char *map)
{
	return !want || !strcmp(want, map) || !strcmp(want, map + 3);
}

int gl_dump(const char *root, const char *want, int json, FILE *out)
{
	struct dctx x = { .out = out, .json = json, .first = 1 };
	struct gl_config cfg;
	int fd, found = 0;
	size_t i;

	for (i = 0; i < sizeof(dumpers) / sizeof(dumpers[0]); i++)
		found |= name_is(want, dumpers[i].name);
	if (!found) {
		fprintf(stderr, "graylane: no map '%s' (maps:", want);
		for (i = 0; i < sizeof(dumpers) / sizeof(dumpers[0]); i++)
			fprintf(stderr, " %s", dumpers[i].name);
		fprintf(stderr, ")\n");
		return -ENOENT;
	}
	/* config and lane names decode the others */
	fd = gl_pins_map_fd(root, "gl_config");
	if (fd < 0) {
		fprintf(stderr, "graylane: nothing installed under %s: %s\n", root, strerror(-fd));
		return fd;
	}
	read_config(&x, fd, &cfg);
	close(fd);
	if (json)
		fputc('{', out);
	if (name_is(want, "gl_config"))
		dump_config(&x, &cfg);
	fd = gl_pins_map_fd(root, "gl_lanes");
	if (fd >= 0) {
		load_lanes(&x, fd);
		close(fd);
	}
	for (i = 1; i < sizeof(dumpers) / sizeof(dumpers[0]); i++) {
		if (!name_is(want, dumpers[i].name))
			continue;
		fd = gl_pins_map_fd(root, dumpers[i].name);
		if (fd < 0) {
			fprintf(stderr, "graylane: map %s: %s\n", dumpers[i].name, strerror(-fd));
			continue;
		}
		dumpers[i].fn(&x, fd);
		close(fd);
	}
	fputs(json ? "}\n" : "", out);
	return 0;
}
