// SPDX-License-Identifier: Apache-2.0
/*
 * graylane top [--rules DIR] [--interval SEC] [--once] [--count N] [--json]:
 * services x lanes with their rates, from two samples of gl_service_stats an
 * interval apart: requests, connects (to the lane's endpoints or base's on
 * fallback), fallbacks, errors (refused connects and dropped sends), and a
 * total row. In a terminal it redraws in place every interval, like top;
 * elsewhere it prints one table per interval; --once prints one and exits.
 * Rows are the (service, lane) pairs the data path has counted, each in the
 * caller's lane: a lane's fallback to base is in the lane's row. --rules
 * names the services; without it they are ids with their first address.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "cli.h"
#include "common/json.h"
#include "model/model.h"
#include "sync/pins.h"
#include "sync/stats.h"

#define INTERVAL_DEFAULT 2.0
#define INTERVAL_MAX 86400.0
#define NAME_MAX_ 64

struct sample {
	struct gl_service_row *rows;
	int n;
	double t;			/* CLOCK_MONOTONIC, seconds */
};

struct top {
	const struct cli *c;
	const struct gl_plan *p;	/* NULL without --rules */
	int cfg_fd, lanes_fd, svc_fd, stats_fd;
	struct gl_config cfg;
	char (*addr)[NAME_MAX_];	/* [service id]: its first address, "" when none */
	int tty;			/* redrawn in place: a terminal, and more than one table */
	const struct gl_service_row *shown;	/* the rows order_cmp sorts indexes of */
};

/* A row's rates and counters: what is shown. */
struct line {
	double req, conn, fb, err;	/* per second over the interval */
	unsigned long long requests, connects, fallbacks, refused, msg_refused;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int sample_read(struct top *t, struct sample *s)
{
	struct gl_service_row *r = NULL;
	int n = gl_service_stats_read(t->stats_fd, &r);

	if (n < 0)
		return n;
	free(s->rows);
	s->rows = r;
	s->n = n;
	s->t = mono();
	return 0;
}

/* One address of every service of the active slot (a virtual one if it has
 * one): the name of a service without --rules. */
static void load_addresses(struct top *t)
{
	struct gl_service_key k, next;
	struct gl_service_addr v;
	char ip[48], *a;
	int walked = 0;

	memset(t->addr, 0, GL_SERVICES_MAX * sizeof(*t->addr));
	while (bpf_map_get_next_key(t->svc_fd, walked ? &k : NULL, &next) == 0) {
		k = next;
		walked = 1;
		if (k.slot != (t->cfg.active_slot & 1) || bpf_map_lookup_elem(t->svc_fd, &k, &v) ||
		    v.service_id >= GL_SERVICES_MAX)
			continue;
		a = t->addr[v.service_id];
		if (*a && (*a != '*' || v.kind != GL_ADDR_VIRTUAL))
			continue;	/* has one: virtual, or the new one is no better */
		gl_ip_format(k.family, k.addr, ip, sizeof(ip));
		snprintf(a, NAME_MAX_, k.family == GL_FAMILY_INET6 ?
			 "%s[%s]:%u" : "%s%s:%u", v.kind == GL_ADDR_VIRTUAL ? "" : "*", ip, k.port);
	}
}

static const char *addr_of(const struct top *t, uint32_t id)
{
	const char *a = id < GL_SERVICES_MAX ? t->addr[id] : "";

	return *a == '*' ? a + 1 : a;
}

static void service_name(const struct top *t, uint32_t id, char out[NAME_MAX_])
{
	if (t->p && id && id <= t->p->nservices)
		snprintf(out, NAME_MAX_, "%s", t->p->services[id - 1]);
	else if (*addr_of(t, id))
		snprintf(out, NAME_MAX_, "id %u %s", id, addr_of(t, id));
	else
		snprintf(out, NAME_MAX_, "id %u", id);
}

static int key_cmp(const void *a, const void *b)
{
	const struct gl_service_stats_key *x = a, *y = b;

	if (x->service_id != y->service_id)
		return x->service_id < y->service_id ? -1 : 1;
	return (int)x->lane - (int)y->lane;
}

/* The previous sample's counters of key, zero when it had none (rows are in
 * key order, as gl_service_stats_read gives them). */
static const struct gl_service_stats *before(const struct sample *s,
					     const struct gl_service_stats_key *k)
{
	static const struct gl_service_stats zero;
	const struct gl_service_row *r;

	r = s->n ? bsearch(k, s->rows, (size_t)s->n, sizeof(*s->rows), key_cmp) : NULL;
	return r ? &r->v : &zero;
}

/* a - b, or a when the counter went back (a new pin root, a reset) */
static double delta(__u64 a, __u64 b)
{
	return (double)(a >= b ? a - b : a);
}

static void line_of(const struct gl_service_stats *v, const struct gl_service_stats *b,
		    double dt, struct line *l)
{
	l->req = delta(v->requests, b->requests) / dt;
	l->conn = (delta(v->connects, b->connects) + delta(v->fallbacks, b->fallbacks)) / dt;
	l->fb = delta(v->fallbacks, b->fallbacks) / dt;
	l->err = (delta(v->refused, b->refused) + delta(v->msg_refused, b->msg_refused)) / dt;
	l->requests = v->requests;
	l->connects = v->connects;
	l->fallbacks = v->fallbacks;
	l->refused = v->refused;
	l->msg_refused = v->msg_refused;
}

static void line_add(struct line *sum, const struct line *l)
{
	sum->req += l->req;
	sum->conn += l->conn;
	sum->fb += l->fb;
	sum->err += l->err;
	sum->requests += l->requests;
	sum->connects += l->connects;
	sum->fallbacks += l->fallbacks;
	sum->refused += l->refused;
	sum->msg_refused += l->msg_refused;
}

static void json_line(const struct line *l)
{
	printf("\"rates\":{\"requests\":%.3f,\"connects\":%.3f,\"fallbacks\":%.3f,"
	       "\"errors\":%.3f},\"counters\":{\"requests\":%llu,\"connects\":%llu,"
	       "\"fallbacks\":%llu,\"refused\":%llu,\"msg_refused\":%llu}}",
	       l->req, l->conn, l->fb, l->err, l->requests, l->connects, l->fallbacks,
	       l->refused, l->msg_refused);
}

static void text_line(const char *svc, const char *lane, const struct line *l, int w)
{
	printf("%-*s %-12s %9.1f %9.1f %11.1f %9.1f %10llu %9llu %9llu %7llu\n", w, svc, lane,
	       l->req, l->conn, l->fb, l->err, l->requests, l->connects + l->fallbacks,
	       l->fallbacks, l->refused + l->msg_refused);
}

static void frame_head(const struct top *t, double dt, int w)
{
	char ts[40];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (t->c->json) {
		printf("{\"time\":\"%s\",\"interval_s\":%.3f,\"generation\":%llu,\"rows\":[", ts, dt,
		       (unsigned long long)t->cfg.generation);
		return;
	}
	if (t->tty)
		fputs("\033[H\033[2J", stdout);	/* home, clear: redrawn in place */
	printf("graylane top  %s  generation %llu  rates over %.1f s%s\n\n", ts,
	       (unsigned long long)t->cfg.generation, dt, t->tty ? "  (^C quits)" : "");
	printf("%-*s %-12s %9s %9s %11s %9s %10s %9s %9s %7s\n", w, "SERVICE", "LANE", "REQ/S",
	       "CONN/S", "FALLBACK/S", "ERR/S", "REQUESTS", "CONNECTS", "FALLBACKS", "ERRORS");
}

/* Rows shown in order: by service name, then lane id (indexes into rows). */
static int order_cmp(const void *a, const void *b, void *arg)
{
	const struct top *t = arg;
	const struct gl_service_row *x = &t->shown[*(const int *)a], *y = &t->shown[*(const int *)b];
	char nx[NAME_MAX_], ny[NAME_MAX_];
	int d;

	service_name(t, x->key.service_id, nx);
	service_name(t, y->key.service_id, ny);
	d = strcmp(nx, ny);
	return d ? d : (int)x->key.lane - (int)y->key.lane;
}

static int name_width(const struct top *t, const struct sample *s)
{
	char n[NAME_MAX_];
	int w = 7;

	for (int i = 0; i < s->n; i++) {
		service_name(t, s->rows[i].key.service_id, n);
		if ((int)strlen(n) > w)
			w = (int)strlen(n);
	}
	return w;
}

static void frame_row(const struct top *t, const struct gl_service_row *r,
		      const struct line *l, int first, int w)
{
	char svc[NAME_MAX_], lane[GL_LANE_NAME_MAX];

	service_name(t, r->key.service_id, svc);
	gl_lane_name(t->lanes_fd, t->cfg.active_slot & 1, r->key.lane, lane);
	if (!t->c->json) {
		text_line(svc, lane, l, w);
		return;
	}
	printf("%s{\"service\":", first ? "" : ",");
	if (t->p && r->key.service_id && r->key.service_id <= t->p->nservices)
		gl_json_str(stdout, svc);
	else
		fputs("null", stdout);
	printf(",\"service_id\":%u,\"address\":", r->key.service_id);
	gl_json_str(stdout, addr_of(t, r->key.service_id));
	printf(",\"lane\":");
	gl_json_str(stdout, lane);
	printf(",\"lane_id\":%u,", r->key.lane);
	json_line(l);
}

static void frame_tail(const struct top *t, const struct line *sum, int n, int w)
{
	if (t->c->json) {
		printf("],\"total\":{");
		json_line(sum);
		printf("}\n");
	} else {
		if (!n)
			printf("(nothing counted yet: no steered connect since the data path started)\n");
		text_line("TOTAL", "", sum, w);
		if (!t->tty)
			putchar('\n');
	}
	fflush(stdout);
}

/* One table: every row of now, its rates against then; the total last. */
static void frame(struct top *t, const struct sample *then, const struct sample *now)
{
	double dt = now->t - then->t;
	int *order = malloc(((size_t)now->n + 1) * sizeof(*order)), w;
	struct line l, sum;

	if (!order)
		return;
	memset(&sum, 0, sizeof(sum));
	load_addresses(t);
	for (int i = 0; i < now->n; i++)
		order[i] = i;
	t->shown = now->rows;
	qsort_r(order, (size_t)now->n, sizeof(*order), order_cmp, t);
	w = name_width(t, now);
	frame_head(t, dt, w);
	for (int i = 0; i < now->n; i++) {
		const struct gl_service_row *r = &now->rows[order[i]];

		line_of(&r->v, before(then, &r->key), dt, &l);
		line_add(&sum, &l);
		frame_row(t, r, &l, i == 0, w);
	}
	free(order);
	frame_tail(t, &sum, now->n, w);
}

/* Sleeps sec seconds, or less when a signal asks to stop. */
static void nap(double sec)
{
	struct timespec ts = { .tv_sec = (time_t)sec,
			       .tv_nsec = (long)((sec - (double)(time_t)sec) * 1e9) };

	while (!stop && nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* --interval SEC (default 2), --count N / --once (default: until ^C) */
static int options(const struct cli *c, double *interval, long *count)
{
	char *end = NULL;

	*interval = c->interval ? strtod(c->interval, &end) : INTERVAL_DEFAULT;
	if (c->interval && (end == c->interval || *end || !(*interval > 0) ||
			    *interval > INTERVAL_MAX))
		return fprintf(stderr, "graylane top: --interval '%s' is not a number of seconds "
			       "above 0 (e.g. 1 or 0.5)\n", c->interval), 2;
	*count = c->once ? 1 : 0;
	if (c->count) {
		*count = strtol(c->count, &end, 10);
		if (!*c->count || *end || *count <= 0 || (c->once && *count != 1))
			return fprintf(stderr, "graylane top: --count wants a number of refreshes above "
				       "0%s\n", c->once ? " (and --once is 1)" : ""), 2;
	}
	return 0;
}

/* The pinned maps top reads; 0, or 1 with the reason printed. */
static int open_maps(struct top *t)
{
	const char *root = t->c->pin_root;
	uint32_t zero = 0;

	t->cfg_fd = gl_pins_map_fd(root, "gl_config");
	if (t->cfg_fd < 0 || bpf_map_lookup_elem(t->cfg_fd, &zero, &t->cfg))
		return fprintf(stderr, "graylane top: nothing installed under %s\n", root), 1;
	t->lanes_fd = gl_pins_map_fd(root, "gl_lanes");
	t->svc_fd = gl_pins_map_fd(root, "gl_services");
	t->stats_fd = gl_pins_map_fd(root, "gl_service_stats");
	if (t->stats_fd < 0)
		return fprintf(stderr, "graylane top: no gl_service_stats under %s (installed by an "
			       "older graylaned? restart it with this version)\n", root), 1;
	if (t->lanes_fd < 0 || t->svc_fd < 0)
		return fprintf(stderr, "graylane top: gl_lanes or gl_services missing under %s\n",
			       root), 1;
	return 0;
}

/* Samples every interval until --count tables or a signal. */
static int run(struct top *t, double interval, long count)
{
	struct sample a = { 0 }, b = { 0 }, *then = &a, *now = &b, *x;
	uint32_t zero = 0;
	int err = sample_read(t, then);

	for (long i = 0; !err && !stop && (!count || i < count); i++) {
		nap(interval);
		if (stop)
			break;
		bpf_map_lookup_elem(t->cfg_fd, &zero, &t->cfg);	/* generation, slot now */
		err = sample_read(t, now);
		if (err)
			break;
		frame(t, then, now);
		x = then, then = now, now = x;
	}
	free(a.rows);
	free(b.rows);
	if (err)
		fprintf(stderr, "graylane top: cannot read gl_service_stats under %s: %s\n",
			t->c->pin_root, strerror(-err));
	return err ? 1 : 0;
}

int cmd_top(struct cli *c)
{
	struct top t = { .c = c, .cfg_fd = -1, .lanes_fd = -1, .svc_fd = -1, .stats_fd = -1 };
	struct gl_plan p;
	double interval;
	long count;
	int rc;

	memset(&p, 0, sizeof(p));
	if (c->argc)
		return fprintf(stderr, "graylane top: no arguments besides the options\n"), 2;
	rc = options(c, &interval, &count);
	if (rc)
		return rc;
	if (c->rules && cli_load_plan(c->node, c->rules, &p, 1))
		return fprintf(stderr, "graylane top: the rules in %s do not compile\n", c->rules),
		       gl_plan_free(&p), 1;
	t.p = c->rules ? &p : NULL;
	t.tty = !c->json && count != 1 && isatty(STDOUT_FILENO);	/* --once: no redraw */
	t.addr = calloc(GL_SERVICES_MAX, sizeof(*t.addr));
	rc = t.addr ? open_maps(&t) : 1;
	if (!rc) {
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
		rc = run(&t, interval, count);
	}
	for (int i = 0, fds[] = { t.cfg_fd, t.lanes_fd, t.svc_fd, t.stats_fd }; i < 4; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(t.addr);
	gl_plan_free(&p);
	return rc;
}
