// SPDX-License-Identifier: Apache-2.0
/*
 * The data path's state as Prometheus text (exposition format 0.0.4), read
 * from the pinned maps and programs: rule generation and apply time,
 * connects by lane and decision, connects, requests and dropped sends per
 * service and lane, requests and heads by what labelled them,
 * lane mismatches, every failure counter by reason, every counter as
 * `graylane dump gl_stats` names it, map fill against capacity, and the
 * programs' run time where the kernel keeps it (kernel.bpf_stats_enabled).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "metrics.h"
#include "pins.h"
#include "stats.h"

static void help(FILE *o, const char *name, const char *type, const char *text)
{
	fprintf(o, "# HELP %s %s\n# TYPE %s %s\n", name, text, name, type);
}

/* A label value: backslash, double quote and newline escaped. */
static void label(FILE *o, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fputc('\\', o);
		if (*v == '\n')
			fputs("\\n", o);
		else
			fputc(*v, o);
	}
}

/* Lane names of the active slot, "lane <id>" where the plan has none. */
static void lane_names(int fd, uint32_t slot, char names[GL_LANES_MAX][GL_LANE_NAME_MAX])
{
	struct gl_lane_key k, next;
	struct gl_lane v;
	void *prev = NULL;

	for (int i = 0; i < GL_LANES_MAX; i++)
		snprintf(names[i], GL_LANE_NAME_MAX, i ? "lane-%d" : "base", i);
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		k = next;
		prev = &k;
		if (k.slot != slot || k.lane >= GL_LANES_MAX || bpf_map_lookup_elem(fd, &k, &v))
			continue;
		snprintf(names[k.lane], GL_LANE_NAME_MAX, "%.*s", GL_LANE_NAME_MAX - 1, v.name);
	}
}

static void connects(FILE *o, const struct gl_lane_stats *ls,
		     char names[GL_LANES_MAX][GL_LANE_NAME_MAX])
{
	help(o, "graylane_connects_total", "counter",
	     "Connects to a service steered by the kernel, by the caller's lane and what was "
	     "decided: an endpoint of the lane (base for base callers), base's on fallback, or "
	     "refused.");
	for (int i = 0; i < GL_LANES_MAX; i++) {
		const char *dec = i ? "lane" : "base";

		if (!ls[i].connects && !ls[i].fallbacks && !ls[i].refused &&
		    !strncmp(names[i], "lane-", 5))
			continue;	/* no such lane, nothing counted */
		fprintf(o, "graylane_connects_total{lane=\"");
		label(o, names[i]);
		fprintf(o, "\",decision=\"%s\"} %llu\n", dec, (unsigned long long)ls[i].connects);
		fprintf(o, "graylane_connects_total{lane=\"");
		label(o, names[i]);
		fprintf(o, "\",decision=\"fallback\"} %llu\n", (unsigned long long)ls[i].fallbacks);
		fprintf(o, "graylane_connects_total{lane=\"");
		label(o, names[i]);
		fprintf(o, "\",decision=\"refused\"} %llu\n", (unsigned long long)ls[i].refused);
	}
}

/* One sample of a (service, lane) family; decision NULL for none. */
static void svc_sample(FILE *o, const char *name, const struct gl_service_row *r,
		       char names[GL_LANES_MAX][GL_LANE_NAME_MAX], const char *dec, __u64 v)
{
	fprintf(o, "%s{service_id=\"%u\",lane=\"", name, r->key.service_id);
	label(o, r->key.lane < GL_LANES_MAX ? names[r->key.lane] : "?");
	if (dec)
		fprintf(o, "\",decision=\"%s", dec);
	fprintf(o, "\"} %llu\n", (unsigned long long)v);
}

/* Per service x lane (gl_service_stats): the pairs traffic has made. Services
 * are the plan's ids; graylane top --rules names them. */
static void services(FILE *o, const struct gl_service_row *r, int n,
		     char names[GL_LANES_MAX][GL_LANE_NAME_MAX])
{
	help(o, "graylane_service_connects_total", "counter",
	     "Connects to a service by the caller's lane and what was decided: an endpoint of "
	     "the lane (base for base callers), base's on fallback, or refused.");
	for (int i = 0; i < n; i++) {
		svc_sample(o, "graylane_service_connects_total", &r[i], names,
			   r[i].key.lane ? "lane" : "base", r[i].v.connects);
		svc_sample(o, "graylane_service_connects_total", &r[i], names, "fallback",
			   r[i].v.fallbacks);
		svc_sample(o, "graylane_service_connects_total", &r[i], names, "refused",
			   r[i].v.refused);
	}
	help(o, "graylane_service_requests_total", "counter",
	     "HTTP requests (database statements) sent to a service, by their lane.");
	for (int i = 0; i < n; i++)
		svc_sample(o, "graylane_service_requests_total", &r[i], names, NULL, r[i].v.requests);
	help(o, "graylane_service_refused_sends_total", "counter",
	     "Sends dropped on connections to a service, by the connection's lane: a head or "
	     "statement that could not be handled safely (the connection failed closed).");
	for (int i = 0; i < n; i++)
		svc_sample(o, "graylane_service_refused_sends_total", &r[i], names, NULL,
			   r[i].v.msg_refused);
}

static void by_decision(FILE *o, const uint64_t *st, const char *name, const char *text,
			const unsigned int *stat, const char *const *dec, int n)
{
	help(o, name, "counter", text);
	for (int i = 0; i < n; i++)
		fprintf(o, "%s{decision=\"%s\"} %llu\n", name, dec[i],
			(unsigned long long)st[stat[i]]);
}

static void counters(FILE *o, const uint64_t *st)
{
	static const unsigned int req[] = { GL_STAT_MSG_LABEL_CONTEXT, GL_STAT_MSG_LABEL_RULE,
					    GL_STAT_MSG_LABEL_HEADER, GL_STAT_MSG_LABEL_WORKLOAD };
	static const char *const req_dec[] = { "context", "rule", "header", "workload" };
	static const unsigned int heads[] = { GL_STAT_RECV_LABEL_RULE, GL_STAT_RECV_LABEL_HEADER,
					      GL_STAT_RECV_LABEL_BASE };
	static const char *const heads_dec[] = { "rule", "header", "base" };

	by_decision(o, st, "graylane_requests_total", "HTTP requests sent on steered "
		    "connections, by what gave their lane: the thread's context label, the entry's "
		    "rules, the propagation header, the workload lane.", req, req_dec, 4);
	by_decision(o, st, "graylane_heads_total", "Request heads read by workloads, by what "
		    "labelled them: an entry's TrafficLabelRule, the propagation header, nothing "
		    "(base).", heads, heads_dec, 3);
	help(o, "graylane_lane_mismatches_total", "counter",
	     "Requests whose lane differs from their connection's lane.");
	fprintf(o, "graylane_lane_mismatches_total %llu\n",
		(unsigned long long)st[GL_STAT_LANE_MISMATCH]);
	help(o, "graylane_failures_total", "counter",
	     "Failures of the data path by reason (graylane dump gl_stats names each).");
	for (unsigned int i = 0; i < GL_STAT_MAX; i++)
		if (gl_stat_is_failure(i))
			fprintf(o, "graylane_failures_total{reason=\"%s\"} %llu\n", gl_stat_name(i),
				(unsigned long long)st[i]);
	help(o, "graylane_datapath_events_total", "counter",
	     "Every counter of the data path, as graylane dump gl_stats shows it.");
	for (unsigned int i = 0; i < GL_STAT_MAX; i++)
		fprintf(o, "graylane_datapath_events_total{counter=\"%s\"} %llu\n", gl_stat_name(i),
			(unsigned long long)st[i]);
}

static void service_family(FILE *o, const char *root,
			   char names[GL_LANES_MAX][GL_LANE_NAME_MAX])
{
	struct gl_service_row *r = NULL;
	int fd = gl_pins_map_fd(root, "gl_service_stats");
	int n = fd < 0 ? fd : gl_service_stats_read(fd, &r);

	if (fd >= 0)
		close(fd);
	services(o, r, n < 0 ? 0 : n, names);	/* an older data path: the families, empty */
	free(r);
}

/* Entries of a map that can be walked (hash-like); -1 for the others. */
static long map_entries(int fd, const struct bpf_map_info *info)
{
	char *k = calloc(2, info->key_size ? info->key_size : 1);
	void *prev = NULL;
	long n = 0;

	if (!k)
		return -1;
	while (bpf_map_get_next_key(fd, prev, k + (n & 1) * info->key_size) == 0) {
		prev = k + (n & 1) * info->key_size;
		n++;
	}
	if (errno != ENOENT)
		n = -1;
	free(k);
	return n;
}

/* Fill of every walkable pinned map: entries[i], capacity[i] (-1: not shown). */
static void maps_read(const char *root, long *entries, long *capacity)
{
	for (int i = 0; i < gl_map_count; i++) {
		struct bpf_map_info info;
		__u32 len = sizeof(info);
		int fd = gl_pins_map_fd(root, gl_map_names[i]);

		entries[i] = capacity[i] = -1;
		memset(&info, 0, sizeof(info));
		if (fd < 0)
			continue;
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 &&
		    info.type != BPF_MAP_TYPE_ARRAY && info.type != BPF_MAP_TYPE_PERCPU_ARRAY &&
		    info.type != BPF_MAP_TYPE_RINGBUF && (entries[i] = map_entries(fd, &info)) >= 0)
			capacity[i] = info.max_entries;
		close(fd);
	}
}

/* One family per name, its samples together (the text format wants that). */
static void maps(FILE *o, const char *root)
{
	long entries[64], capacity[64];

	if (gl_map_count > 64)
		return;
	maps_read(root, entries, capacity);
	help(o, "graylane_map_entries", "gauge", "Entries in a pinned map, both slots.");
	for (int i = 0; i < gl_map_count; i++)
		if (capacity[i] >= 0)
			fprintf(o, "graylane_map_entries{map=\"%s\"} %ld\n", gl_map_names[i], entries[i]);
	help(o, "graylane_map_capacity_entries", "gauge", "The map's max_entries.");
	for (int i = 0; i < gl_map_count; i++)
		if (capacity[i] >= 0)
			fprintf(o, "graylane_map_capacity_entries{map=\"%s\"} %ld\n", gl_map_names[i],
				capacity[i]);
}

/* Each pinned program's run time (which = 0) or runs (which = 1). */
static void programs(FILE *o, const char *root, int which)
{
	char path[4096];
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "%s/progs", root);
	d = opendir(path);
	while (d && (e = readdir(d))) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		int fd;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/progs/%s", root, e->d_name);
		fd = bpf_obj_get(path);
		memset(&info, 0, sizeof(info));
		if (fd >= 0 && bpf_obj_get_info_by_fd(fd, &info, &len) == 0) {
			if (which == 0)
				fprintf(o, "graylane_bpf_run_seconds_total{program=\"%s\"} %.9f\n",
					e->d_name, info.run_time_ns / 1e9);
			else
				fprintf(o, "graylane_bpf_runs_total{program=\"%s\"} %llu\n", e->d_name,
					(unsigned long long)info.run_cnt);
		}
		if (fd >= 0)
			close(fd);
	}
	if (d)
		closedir(d);
}

int gl_metrics_write(const char *root, FILE *o)
{
	static char names[GL_LANES_MAX][GL_LANE_NAME_MAX];
	static struct gl_lane_stats ls[GL_LANES_MAX];
	uint64_t st[GL_STAT_MAX];
	int cfg_fd = gl_pins_map_fd(root, "gl_config"), stats_fd = gl_pins_map_fd(root, "gl_stats");
	int lanes_fd = gl_pins_map_fd(root, "gl_lanes"), ls_fd = gl_pins_map_fd(root, "gl_lane_stats");
	struct gl_config cfg;
	uint32_t zero = 0;
	int err = 0;

	if (cfg_fd < 0 || stats_fd < 0 || lanes_fd < 0 || ls_fd < 0)
		err = -ENOENT;
	else if (bpf_map_lookup_elem(cfg_fd, &zero, &cfg) || gl_stats_read(stats_fd, st) ||
		 gl_lane_stats_read(ls_fd, ls))
		err = -EIO;
	if (!err) {
		help(o, "graylane_rules_generation", "gauge",
		     "The generation of rules in force; every applied plan increments it.");
		fprintf(o, "graylane_rules_generation %llu\n", (unsigned long long)cfg.generation);
		help(o, "graylane_rules_last_apply_timestamp_seconds", "gauge",
		     "When the generation in force was applied, Unix time.");
		fprintf(o, "graylane_rules_last_apply_timestamp_seconds %.3f\n", cfg.applied_ns / 1e9);
		lane_names(lanes_fd, cfg.active_slot & 1, names);
		connects(o, ls, names);
		service_family(o, root, names);
		counters(o, st);
		maps(o, root);
		help(o, "graylane_bpf_run_seconds_total", "counter", "Time the kernel spent in each "
		     "program (counted while kernel.bpf_stats_enabled=1).");
		programs(o, root, 0);
		help(o, "graylane_bpf_runs_total", "counter", "Runs of each program (same condition).");
		programs(o, root, 1);
	}
	for (int i = 0, fds[] = { cfg_fd, stats_fd, lanes_fd, ls_fd }; i < 4; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return err;
}
