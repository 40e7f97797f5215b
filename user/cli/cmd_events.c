// SPDX-License-Identifier: Apache-2.0
/*
 * graylane events [--rules DIR] [--workload W] [--lane L] [--rate N] [--count N]
 * [--json]: the kernel's connect decisions (bpf/lib/decision.bpf.h) as they
 * happen, one line each: time, workload, service, lane, decision, endpoint,
 * what gave the lane. While it runs it keeps gl_watch set (refreshed every
 * poll, so a killed listener stops the events within 3 s); on exit it
 * clears it. --rules gives names; without it workloads and services are ids.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cli.h"
#include "common/json.h"
#include "sync/pins.h"
#include "sync/stats.h"

#define WATCH_NS (3ULL * 1000000000ULL)
#define RATE_DEFAULT 100

struct ev {
	const struct cli *c;
	const struct gl_plan *p;	/* NULL without --rules */
	int lanes_fd;
	uint32_t slot;
	int64_t real_off_ns;		/* CLOCK_REALTIME - CLOCK_MONOTONIC */
	long seen, want;		/* events printed; --count (0: no end) */
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int64_t now_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void name_of(const struct ev *e, int workload, uint32_t id, char *out, size_t n)
{
	const struct gl_plan *p = e->p;

	if (p && workload && id && id <= p->nworkloads)
		snprintf(out, n, "%s", p->workloads[id - 1].name);
	else if (p && !workload && id && id <= p->nservices)
		snprintf(out, n, "%s", p->services[id - 1]);
	else
		snprintf(out, n, "%s", workload && id == 0 ? "(managed root)" : "?");
	if (!p || !strcmp(out, "?"))
		snprintf(out, n, "id %u", id);
}

static const char *decision_name(unsigned int d)
{
	static const char *const n[] = { [GL_DECISION_LANE] = "lane", [GL_DECISION_BASE] = "base",
		[GL_DECISION_FALLBACK] = "fallback", [GL_DECISION_REFUSED] = "refused" };

	return d < sizeof(n) / sizeof(n[0]) && n[d] ? n[d] : "?";
}

/* ctx_source: 0 the workload lane, else enum gl_ctx_source + 1 */
static const char *reason_name(unsigned int s)
{
	static const char *const n[] = { "workload_lane", "no_label", "rule", "header" };

	return s < 4 ? n[s] : "?";
}

static void print_event(const struct ev *e, const struct gl_decision *d)
{
	char wl[128], svc[128], lane[GL_LANE_NAME_MAX], ep_lane[GL_LANE_NAME_MAX];
	char ep[INET6_ADDRSTRLEN] = "-", dialed[INET6_ADDRSTRLEN], ts[40];
	int af = d->family == GL_FAMILY_INET6 ? AF_INET6 : AF_INET;
	time_t sec = (time_t)((d->ts_ns + e->real_off_ns) / 1000000000LL);
	struct tm tm;

	name_of(e, 1, d->workload_id, wl, sizeof(wl));
	name_of(e, 0, d->service_id, svc, sizeof(svc));
	gl_lane_name(e->lanes_fd, e->slot, d->lane, lane);
	gl_lane_name(e->lanes_fd, e->slot, d->ep_lane, ep_lane);
	if (d->decision != GL_DECISION_REFUSED)
		inet_ntop(af, d->addr, ep, sizeof(ep));
	inet_ntop(af, d->dialed, dialed, sizeof(dialed));
	gmtime_r(&sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	if (!e->c->json) {
		printf("%s.%03lluZ workload=%s service=%s lane=%s decision=%s endpoint=%s:%u "
		       "endpoint_lane=%s reason=%s dialed=%s:%u\n", ts,
		       (unsigned long long)((d->ts_ns + e->real_off_ns) / 1000000 % 1000), wl, svc,
		       lane, decision_name(d->decision), ep, d->port, ep_lane,
		       reason_name(d->ctx_source), dialed, d->dialed_port);
		return;
	}
	printf("{\"time\":\"%s.%03lluZ\",\"workload\":", ts,
	       (unsigned long long)((d->ts_ns + e->real_off_ns) / 1000000 % 1000));
	gl_json_str(stdout, wl);
	printf(",\"service\":");
	gl_json_str(stdout, svc);
	printf(",\"lane\":\"%s\",\"decision\":\"%s\",\"endpoint\":%s%s%s,\"port\":%u,"
	       "\"endpoint_lane\":\"%s\",\"reason\":\"%s\",\"dialed\":\"%s\",\"dialed_port\":%u}\n",
	       lane, decision_name(d->decision), d->decision == GL_DECISION_REFUSED ? "" : "\"",
	       d->decision == GL_DECISION_REFUSED ? "null" : ep,
	       d->decision == GL_DECISION_REFUSED ? "" : "\"", d->port, ep_lane,
	       reason_name(d->ctx_source), dialed, d->dialed_port);
}

static int on_event(void *arg, void *data, size_t len)
{
	struct ev *e = arg;

	if (len < sizeof(struct gl_decision))
		return 0;
	print_event(e, data);
	fflush(stdout);
	if (e->want && ++e->seen >= e->want)
		stop = 1;
	return 0;
}

/* --workload (by --rules' names), --lane (by the pinned lane ids), --rate: the watch */
static int watch_of(const struct cli *c, const struct gl_plan *p, uint32_t slot,
		    struct gl_watch *w)
{
	char *end;

	memset(w, 0, sizeof(*w));
	w->lane = GL_WATCH_ANY_LANE;
	w->rate_per_sec = c->rate ? (uint32_t)strtoul(c->rate, &end, 10) : RATE_DEFAULT;
	if (c->rate && (*end || !*c->rate || w->rate_per_sec == 0))
		return fprintf(stderr, "graylane events: --rate wants events per second, e.g. 100\n"), 2;
	if (c->workload) {
		for (size_t i = 0; p && i < p->nworkloads && !w->workload_id; i++)
			if (!strcmp(p->workloads[i].name, c->workload))
				w->workload_id = p->workloads[i].val.workload_id;
		if (!w->workload_id)
			return fprintf(stderr, "graylane events: no workload '%s'%s\n", c->workload,
				       p ? " in the rules directory" : " (--workload needs --rules)"), 2;
	}
	if (c->lane && strcmp(c->lane, "base")) {
		struct gl_lane_name_key k = { .slot = (uint8_t)slot };
		int fd = gl_pins_map_fd(c->pin_root, "gl_lane_ids"), rc;

		snprintf(k.name, sizeof(k.name), "%s", c->lane);
		rc = fd >= 0 ? bpf_map_lookup_elem(fd, &k, &w->lane) : -1;
		if (fd >= 0)
			close(fd);
		if (rc)
			return fprintf(stderr, "graylane events: no lane '%s' in force\n", c->lane), 2;
	} else if (c->lane) {
		w->lane = GL_LANE_BASE;
	}
	return 0;
}

/* Polls until a signal or --count; the watch is renewed on every turn. */
static void listen_events(struct ev *e, struct ring_buffer *rb, int watch_fd, struct gl_watch *w)
{
	uint32_t zero = 0;

	while (!stop) {
		w->until_ns = (uint64_t)now_ns(CLOCK_MONOTONIC) + WATCH_NS;
		if (bpf_map_update_elem(watch_fd, &zero, w, BPF_ANY))
			break;
		if (ring_buffer__poll(rb, 200) < 0 && errno != EINTR)
			break;
	}
	w->until_ns = 0;
	bpf_map_update_elem(watch_fd, &zero, w, BPF_ANY);
	(void)e;
}

int cmd_events(struct cli *c)
{
	struct ev e = { .c = c, .lanes_fd = -1 };
	int watch_fd = -1, rb_fd = -1, cfg_fd, rc = 1;
	struct ring_buffer *rb = NULL;
	struct gl_plan p;
	struct gl_config cfg;
	struct gl_watch w;
	uint32_t zero = 0;

	memset(&p, 0, sizeof(p));
	if (c->argc)
		return fprintf(stderr, "graylane events: no arguments besides the options\n"), 2;
	if (c->rules && cli_load_plan(c->node, c->rules, &p, 1))
		return fprintf(stderr, "graylane events: the rules in %s do not compile\n",
			       c->rules), gl_plan_free(&p), 1;
	e.p = c->rules ? &p : NULL;
	e.want = c->count ? atol(c->count) : 0;
	cfg_fd = gl_pins_map_fd(c->pin_root, "gl_config");
	if (cfg_fd < 0 || bpf_map_lookup_elem(cfg_fd, &zero, &cfg)) {
		fprintf(stderr, "graylane events: nothing installed under %s\n", c->pin_root);
		goto out;
	}
	e.slot = cfg.active_slot & 1;
	rc = watch_of(c, e.p, e.slot, &w);
	if (rc)
		goto out;
	rc = 1;
	watch_fd = gl_pins_map_fd(c->pin_root, "gl_watch");
	rb_fd = gl_pins_map_fd(c->pin_root, "gl_decisions");
	e.lanes_fd = gl_pins_map_fd(c->pin_root, "gl_lanes");
	rb = rb_fd >= 0 ? ring_buffer__new(rb_fd, on_event, &e, NULL) : NULL;
	if (watch_fd < 0 || !rb || e.lanes_fd < 0) {
		fprintf(stderr, "graylane events: no decision events under %s (installed by an older "
			"graylaned?)\n", c->pin_root);
		goto out;
	}
	e.real_off_ns = now_ns(CLOCK_REALTIME) - now_ns(CLOCK_MONOTONIC);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	setvbuf(stdout, NULL, _IOLBF, 0);
	listen_events(&e, rb, watch_fd, &w);
	rc = 0;
out:
	ring_buffer__free(rb);
	for (int i = 0, fds[] = { cfg_fd, watch_fd, rb_fd, e.lanes_fd }; i < 4; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	gl_plan_free(&p);
	return rc;
}
