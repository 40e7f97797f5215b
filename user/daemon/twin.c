// SPDX-License-Identifier: Apache-2.0
/*
 * Holding and closing twins (twin.h). The daemon opens a twin when the
 * kernel asks (twin_open.h: asynchronously, several at once), keeps its
 * socket and gives the twin keeper (keeper.h) a reference too: a twin
 * outlives a daemon killed or restarted, and the next daemon takes it over
 * from the keeper. Without a keeper twins close with the daemon (the next
 * request of their lane asks for a new one; a connection whose twin owed a
 * response is shut down by the next daemon, from the kernel's event).
 *
 * Parked requests (bpf/lib/twin.bpf.h) are held here, in order per
 * connection, and written out once every route of their connection is idle:
 * into their twin (opened first if there is none), or for the connection's
 * own lane back into the connection itself (twin_release.h). While any is
 * held the loop comes back every millisecond (gl_twins_holding).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <dirent.h>
#include <linux/sched.h>	/* struct clone_args */
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <graylane/abi.h>

#include "common/cgroup.h"
#include "common/clock.h"
#include "common/sock.h"
#include "keeper.h"
#include "log.h"
#include "twin.h"
#include "twin_open.h"
#include "twin_release.h"

#define GL_KEEP_RETRY_MS 10000	/* a keeper lost is looked for again after that */
#define GL_ORPHANS_MAX 64	/* parked requests looked at in one sweep */
#define GL_HELD_MAX GL_PARKED_MAX	/* as many as gl_park holds */

struct twin {
	__u64 cookie;		/* the original's */
	__u64 own;		/* the twin's socket cookie */
	__u32 tgid;		/* the original's process */
	__u16 lane;
	int fd;
	int kept;		/* the keeper holds it too */
};

struct gl_twins {
	struct gl_twin_maps m;
	struct gl_keep *keep;	/* the twin keeper, or NULL */
	char pin[4096];		/* its pin root, */
	char *const *keep_argv;	/* and how it is started (NULL: never) */
	double keep_retry_ms;	/* when a keeper lost is looked for again */
	int sink[2];		/* without a keeper: parked messages land in sink[0],
				 * read and dropped (else the keeper's) */
	char cg2[4096];
	int migrate;		/* clone3 refused: helpers fork and join the cgroup */
	__u64 orphan[GL_ORPHANS_MAX];	/* parked requests seen at the last sweep without */
	unsigned int norphan;		/* an opening (unpark_orphans) */
	struct gl_twin_opening op[GL_TWIN_OPENINGS];	/* twins being opened */
	unsigned int nop;
	struct gl_release *rel;	/* writes held requests of a connection's own lane */
	struct gl_twin_event held[GL_HELD_MAX];	/* parked requests waiting for their turn
						 * (the kernel's events), one per connection */
	unsigned int nheld;
	struct twin *v;
	unsigned int n, cap;
};

/* The sink parked messages are redirected into (their bytes are in
 * gl_park). Without it nothing is parked: the kernel's redirect fails. */
static void open_sink(struct gl_twins *t)
{
	__u32 zero = 0;
	__u64 fd;

	t->sink[0] = t->sink[1] = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, t->sink))
		return;
	fd = (__u64)t->sink[0];
	if (bpf_map_update_elem(t->m.sink, &zero, &fd, BPF_ANY))
		gl_log(GL_LOG_WARN, "cannot add the park sink (%s): a request that asks for a twin "
		       "goes on its connection's own lane", strerror(errno));
}

static void keep_hold(struct gl_twins *t, struct twin *tw);
static void opened(struct gl_twins *t, unsigned int i, int fd);
static void wait_oldest(struct gl_twins *t);
static int registered(const struct gl_twins *t, const struct gl_twin_key *key, __u64 own);

/* Twin tw added to those held: 0, or -ENOMEM. */
static int append(struct gl_twins *t, const struct twin *tw)
{
	struct twin *v;

	if (t->n == t->cap) {
		v = realloc(t->v, (t->cap ? t->cap * 2 : 64) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		t->v = v;
		t->cap = t->cap ? t->cap * 2 : 64;
	}
	t->v[t->n++] = *tw;
	return 0;
}

/* The keeper's twins taken over: those still registered for their key (a
 * layout upgrade made new maps: theirs are not), the others dropped. One
 * this daemon holds already (the keeper came back) is marked kept, once. */
static void adopt(struct gl_twins *t)
{
	struct gl_keep_msg m;
	unsigned int took = 0, stale = 0;
	int fd, rc;

	while ((rc = gl_keep_next(t->keep, &m, &fd)) == 1) {
		struct gl_twin_key key = { .cookie = m.cookie, .lane = m.lane };
		unsigned int i = 0;

		while (i < t->n && t->v[i].own != m.own)
			i++;
		if (i < t->n) {
			close(fd);
			t->v[i].kept = 1;
			took++;
			continue;
		}
		if (!registered(t, &key, m.own) || gl_sock_cookie(fd) != m.own) {
			close(fd);
			gl_keep_drop(t->keep, m.own);
			stale++;
			continue;
		}
		if (append(t, &(struct twin){ .cookie = m.cookie, .own = m.own, .tgid = m.tgid,
					       .lane = m.lane, .fd = fd, .kept = 1 })) {
			close(fd);	/* the keeper still holds it */
			continue;
		}
		took++;
	}
	if (rc < 0)
		gl_log(GL_LOG_WARN, "twin keeper: its list ended early (%s)", strerror(-rc));
	gl_log_kv(GL_LOG_INFO, "twin keeper found", "event=keeper_adopt twins=%u stale=%u",
		  took, stale);
}

/* The keeper (started if none runs): its twins adopted, the daemon's own
 * sink closed (the keeper's is in gl_sink), every other twin held there. */
static void keep_open(struct gl_twins *t)
{
	t->keep = gl_keep_open(t->pin, t->keep_argv);
	if (!t->keep)
		return;
	adopt(t);
	for (int k = 0; k < 2; k++) {
		if (t->sink[k] >= 0)
			close(t->sink[k]);
		t->sink[k] = -1;
	}
	for (unsigned int i = 0; i < t->n; i++)
		if (!t->v[i].kept)
			keep_hold(t, &t->v[i]);
}

/* The keeper stopped answering: the daemon's own sink until it is back. */
static void keep_lost(struct gl_twins *t, int err)
{
	if (!t->keep)
		return;
	gl_keep_close(t->keep);
	t->keep = NULL;
	for (unsigned int i = 0; i < t->n; i++)
		t->v[i].kept = 0;	/* the keeper found next says what it holds */
	t->keep_retry_ms = gl_now_ms() + GL_KEEP_RETRY_MS;
	gl_log_kv(GL_LOG_WARN, "twin keeper lost: twins close with this daemon until it is back",
		  "event=keeper_lost error=%s", strerror(-err));
	open_sink(t);
}

static void keep_hold(struct gl_twins *t, struct twin *tw)
{
	struct gl_keep_msg m = { .tgid = tw->tgid, .cookie = tw->cookie, .own = tw->own,
				 .lane = tw->lane };
	int rc;

	if (!t->keep)
		return;
	rc = gl_keep_hold(t->keep, &m, tw->fd);
	if (rc)
		keep_lost(t, rc);
	else
		tw->kept = 1;
}

struct gl_twins *gl_twins_new(const struct gl_twin_maps *m, const char *cgroup2_mount,
			      const char *pin_root, char *const *keeper_argv)
{
	struct gl_twins *t = calloc(1, sizeof(*t));
	__u32 key, next;

	if (!t)
		return NULL;
	t->m = *m;
	t->sink[0] = t->sink[1] = -1;
	snprintf(t->cg2, sizeof(t->cg2), "%s", cgroup2_mount);
	snprintf(t->pin, sizeof(t->pin), "%s", pin_root);
	t->keep_argv = keeper_argv;
	/* tests/e2e/test_twins.sh T6: the path taken where clone3 is refused */
	t->migrate = getenv("GRAYLANED_TWIN_MIGRATE") != NULL;
	if (t->migrate)
		gl_log(GL_LOG_INFO, "GRAYLANED_TWIN_MIGRATE: twins' helpers fork and join the "
		       "caller's cgroup");
	if (keeper_argv)
		keep_open(t);
	if (!t->keep)
		open_sink(t);
	t->rel = gl_release_open(m->sockhash, m->sock);
	if (!t->rel)
		gl_log(GL_LOG_WARN, "cannot open the release socket (%s): a request pipelined "
		       "behind another of its connection's lane is shut down with it", strerror(errno));
	/* a helper of an earlier daemon may have left its entry */
	while (!bpf_map_get_next_key(m->pending, NULL, &next)) {
		key = next;
		if (bpf_map_delete_elem(m->pending, &key))
			break;
	}
	return t;
}

void gl_twins_free(struct gl_twins *t)
{
	if (!t)
		return;
	while (t->nop)	/* a parked request may wait on one: finished, not lost */
		wait_oldest(t);
	for (unsigned int i = 0; i < t->n; i++)
		close(t->v[i].fd);	/* the keeper's reference keeps them open */
	for (int k = 0; k < 2; k++)
		if (t->sink[k] >= 0)
			close(t->sink[k]);
	gl_keep_close(t->keep);
	gl_release_close(t->rel);	/* what is held waits in gl_park for the next daemon */
	free(t->v);
	free(t);
}

/* One more in a per-CPU counter of gl_stats (CPU 0's slot; the kernel never
 * counts this one, so the read-modify-write loses nothing). */
static void count(const struct gl_twins *t, __u32 stat)
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 *v;

	if (ncpu <= 0 || !(v = calloc((size_t)ncpu, sizeof(*v))))
		return;
	if (!bpf_map_lookup_elem(t->m.stats, &stat, v)) {
		v[0]++;
		bpf_map_update_elem(t->m.stats, &stat, v, BPF_ANY);
	}
	free(v);
}

/* The twin (socket cookie own) is the one sockops registered for its key. */
static int registered(const struct gl_twins *t, const struct gl_twin_key *key, __u64 own)
{
	__u64 have = 0;

	return own && !bpf_map_lookup_elem(t->m.twin_of, key, &have) && have == own;
}

static void drop(struct gl_twins *t, unsigned int i);
static int shut_original(__u32 tgid, __u64 cookie);
static void open_twin(struct gl_twins *t, const struct gl_twin_event *ev);

/* Held request i is done with (written, or lost). */
static void unhold(struct gl_twins *t, unsigned int i)
{
	t->held[i] = t->held[--t->nheld];
}

static int held_at(const struct gl_twins *t, __u64 cookie)
{
	for (unsigned int i = 0; i < t->nheld; i++)
		if (t->held[i].cookie == cookie)
			return (int)i;
	return -1;
}

/* No way out for a parked request: its connection goes, so its client does
 * not wait for a reply that cannot come. */
static void lose_park(struct gl_twins *t, const struct gl_twin_event *ev)
{
	int i = held_at(t, ev->cookie);

	if (i >= 0)
		unhold(t, (unsigned int)i);
	gl_sock_drain(t->sink[0]);
	bpf_map_delete_elem(t->m.park, &ev->cookie);
	count(t, GL_STAT_TWIN_PARK_LOST);
	shut_original(ev->tgid, ev->cookie);
	gl_log_kv(GL_LOG_WARN, "a parked request could not be written: its connection is shut "
		  "down", "event=twin_park_lost tgid=%u lane=%u", ev->tgid, ev->lane);
}

/* A parked request's event: held until its turn (gl_twins_release). Its
 * index among those held, or -1 (no room: lost). */
static int hold(struct gl_twins *t, const struct gl_twin_event *ev)
{
	int i = held_at(t, ev->cookie);

	if (i >= 0) {
		t->held[i] = *ev;	/* a later one: the earlier was written */
		return i;
	}
	if (t->nheld == GL_HELD_MAX) {
		lose_park(t, ev);
		return -1;
	}
	t->held[t->nheld] = *ev;
	return (int)t->nheld++;
}

/* Where a route of a held request stands: 1 idle (or closed), 0 a response
 * outstanding, -1 responses that cannot be counted. */
static int route_idle(const struct gl_twins *t, __u64 own)
{
	struct gl_rx rx;

	if (bpf_map_lookup_elem(t->m.rx, &own, &rx) || rx.state == GL_RX_CLOSED)
		return 1;
	if (rx.state != GL_RX_OPEN)
		return -1;
	return rx.sent == rx.done;
}

/*
 * The parked request p of ev's connection written into socket fd (rx: its
 * gl_rx key): counted there first (its reply cannot come before), marked
 * written in gl_park (abi.h) before the first byte goes, then written.
 * 0, or -1 (the connection's stream is not to be trusted).
 */
static int write_held(struct gl_twins *t, const struct gl_twin_event *ev, struct gl_park *p,
		      int fd, __u64 rxkey)
{
	static struct gl_park mark;
	struct gl_rx rx;
	size_t off = 0;
	ssize_t w;

	if (bpf_map_lookup_elem(t->m.rx, &rxkey, &rx))
		return -1;
	if (p->head)
		rx.head_bits |= 1ULL << (rx.sent & 63);
	else
		rx.head_bits &= ~(1ULL << (rx.sent & 63));
	rx.sent++;
	mark.len = 0;
	mark.lane = p->lane;
	mark.head = p->head;
	memcpy(mark.bytes, &rx.sent, sizeof(rx.sent));
	if (bpf_map_update_elem(t->m.park, &ev->cookie, &mark, BPF_EXIST) ||
	    bpf_map_update_elem(t->m.rx, &rxkey, &rx, BPF_EXIST))
		return -1;
	if (fd < 0)
		return gl_release_write(t->rel, ev->cookie, p->bytes, p->len) ? -1 : 0;
	while (off < p->len && (w = send(fd, p->bytes + off, p->len - off, MSG_NOSIGNAL)) > 0)
		off += (size_t)w;
	return off == p->len ? 0 : -1;
}

/*
 * Held request i, when its turn has come: every route of its connection
 * idle (the original and each twin), its own route there (a twin opened
 * if need be). 1 when it is done with (written, or lost), else 0.
 */
static int release_one(struct gl_twins *t, unsigned int i)
{
	static struct gl_park p;
	struct gl_twin_event ev = t->held[i];
	struct gl_twin_key key = { .cookie = ev.cookie };
	struct gl_rx orig;
	int idle, target = -1;

	if (bpf_map_lookup_elem(t->m.rx, &ev.cookie, &orig)) {
		unhold(t, i);	/* its connection closed */
		return 1;
	}
	/* the routes first: while one is busy (most looks) the bytes are not read */
	idle = route_idle(t, ev.cookie);
	for (unsigned int k = 0; k < t->n && idle > 0; k++)
		if (t->v[k].cookie == ev.cookie)
			idle = route_idle(t, t->v[k].own);
	if (idle < 0) {
		lose_park(t, &ev);
		return 1;
	}
	if (!idle)
		return 0;
	if (bpf_map_lookup_elem(t->m.park, &ev.cookie, &p) || p.len == 0) {
		unhold(t, i);	/* its connection closed, or written already */
		return 1;
	}
	ev.lane = key.lane = p.lane;
	if (p.lane != orig.lane) {
		struct gl_rx rx;

		for (unsigned int k = 0; k < t->nop; k++)
			if (t->op[k].ev.cookie == ev.cookie && t->op[k].ev.lane == p.lane)
				return 0;	/* its twin is being opened */
		for (unsigned int k = t->n; k-- > 0;) {
			if (t->v[k].cookie != ev.cookie || t->v[k].lane != p.lane)
				continue;
			if (registered(t, &key, t->v[k].own) &&
			    !bpf_map_lookup_elem(t->m.rx, &t->v[k].own, &rx) &&
			    rx.state == GL_RX_OPEN) {
				target = (int)k;
				break;
			}
			drop(t, k);	/* closed: a new one */
		}
		if (target < 0) {
			ev.parked = 1;	/* its failure loses the request */
			open_twin(t, &ev);
			return 0;
		}
	} else if (!t->rel) {
		lose_park(t, &ev);
		return 1;
	}
	gl_sock_drain(t->sink[0]);
	if (write_held(t, &ev, &p, target < 0 ? -1 : t->v[target].fd,
		       target < 0 ? ev.cookie : t->v[target].own)) {
		lose_park(t, &ev);
		return 1;
	}
	unhold(t, i);
	return 1;
}

void gl_twins_release(struct gl_twins *t)
{
	/* downwards: done with i moves the last one, seen already, into i */
	for (unsigned int i = t ? t->nheld : 0; i-- > 0;)
		release_one(t, i);
}

int gl_twins_holding(const struct gl_twins *t)
{
	return t && t->nheld;
}

/* Opening i has ended with fd (a socket, or -errno): the twin is held, its
 * parked request written into it; or the failure counted, the parked
 * request's connection shut down. */
static void opened(struct gl_twins *t, unsigned int i, int fd)
{
	struct gl_twin_event ev = t->op[i].ev;
	struct gl_twin_key key = { .cookie = ev.cookie, .lane = ev.lane };
	__u64 own = 0;
	int h;

	t->op[i] = t->op[--t->nop];
	if (fd >= 0)
		own = gl_sock_cookie(fd);
	if (fd >= 0 && !registered(t, &key, own)) {
		close(fd);
		fd = -EEXIST;
	}
	if (fd >= 0 && append(t, &(struct twin){ .cookie = ev.cookie, .own = own, .tgid = ev.tgid,
						  .lane = ev.lane, .fd = fd })) {
		close(fd);
		fd = -ENOMEM;
	}
	if (fd < 0) {
		count(t, GL_STAT_TWIN_OPEN_FAIL);
		if (ev.parked)
			lose_park(t, &ev);
		gl_log_kv(GL_LOG_WARN, "cannot open a twin", "event=twin_open_fail tgid=%u "
			  "lane=%u error=%s", ev.tgid, ev.lane, strerror(-fd));
		return;
	}
	keep_hold(t, &t->v[t->n - 1]);	/* before its first request: none is owed on it yet */
	if (ev.parked && (h = held_at(t, ev.cookie)) >= 0)
		release_one(t, (unsigned int)h);	/* its turn, if every route is idle */
	gl_log_kv(GL_LOG_DEBUG, "twin opened", "event=twin_open tgid=%u lane=%u twins=%u",
		  ev.tgid, ev.lane, t->n);
}

/* Waits for the oldest opening to end. */
static void wait_oldest(struct gl_twins *t)
{
	struct pollfd p = { .fd = t->op[0].sp, .events = POLLIN };
	double left = t->op[0].deadline_ms - gl_now_ms();

	poll(&p, 1, left > 0 ? (int)left + 1 : 0);
	opened(t, 0, gl_twin_open_finish(&t->op[0], t->m.pending));
}

/* A twin of ev's lane for ev's connection: opened, unless it is being
 * opened or is there (and not for a parked request, which found it closed). */
static void open_twin(struct gl_twins *t, const struct gl_twin_event *ev)
{
	struct gl_twin_key key = { .cookie = ev->cookie, .lane = ev->lane };
	int rc;

	for (unsigned int i = 0; i < t->nop; i++) {
		if (t->op[i].ev.cookie == ev->cookie && t->op[i].ev.lane == ev->lane) {
			t->op[i].ev.parked |= ev->parked;	/* written in once it is up */
			return;
		}
	}
	for (unsigned int i = t->n; i-- > 0;) {
		if (t->v[i].cookie != ev->cookie || t->v[i].lane != ev->lane)
			continue;
		if (!ev->parked && registered(t, &key, t->v[i].own))
			return;	/* asked again before it was used */
		drop(t, i);	/* a parked request found it closed */
	}
	if (t->nop == GL_TWIN_OPENINGS)
		wait_oldest(t);	/* as many opening as that */
	rc = gl_twin_open_start(&t->op[t->nop], ev, t->cg2, t->m.pending, &t->migrate);
	t->nop++;
	if (rc)
		opened(t, t->nop - 1, rc);
}

/* The kernel's twin_wanted: a twin to open, or a parked request to hold
 * (and write out at its turn: gl_twins_release). */
static void want(struct gl_twins *t, const struct gl_twin_event *ev)
{
	int i;

	if (!ev->parked) {
		open_twin(t, ev);
		return;
	}
	if ((i = hold(t, ev)) >= 0)
		release_one(t, (unsigned int)i);
}

unsigned int gl_twins_pollfds(const struct gl_twins *t, struct pollfd *p, unsigned int max)
{
	unsigned int n = 0;

	for (unsigned int i = 0; t && i < t->nop && n < max; i++)
		p[n++] = (struct pollfd){ .fd = t->op[i].sp, .events = POLLIN };
	return n;
}

void gl_twins_opened(struct gl_twins *t, const struct pollfd *p, unsigned int n)
{
	double now = gl_now_ms();

	/* downwards: finishing i moves the last opening, seen already, into i */
	for (unsigned int i = t && n <= t->nop ? n : 0; i-- > 0;)
		if (p[i].revents || now >= t->op[i].deadline_ms)
			opened(t, i, gl_twin_open_finish(&t->op[i], t->m.pending));
}

static void drop(struct gl_twins *t, unsigned int i)
{
	int rc;

	if (t->keep && (rc = gl_keep_drop(t->keep, t->v[i].own)))
		keep_lost(t, rc);
	close(t->v[i].fd);
	t->v[i] = t->v[--t->n];
}

/* A descriptor of the socket whose cookie is `cookie`, taken from process
 * tgid (pidfd_getfd), or -errno. */
static int grab_socket(__u32 tgid, __u64 cookie)
{
	char path[64];
	struct dirent *e;
	int pidfd, got = -ENOENT;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%u/fd", tgid);
	pidfd = pidfd_open((pid_t)tgid, 0);
	if (pidfd < 0)
		return -ESRCH;
	d = opendir(path);
	while (d && got < 0 && (e = readdir(d))) {
		int fd = e->d_name[0] == '.' ? -1 : pidfd_getfd(pidfd, atoi(e->d_name), 0);

		if (fd >= 0 && gl_sock_cookie(fd) == cookie)
			got = fd;
		else if (fd >= 0)
			close(fd);
	}
	if (d)
		closedir(d);
	close(pidfd);
	return got;
}

/*
 * Shuts down the socket of process tgid whose cookie is `cookie`: its reads
 * end, as they would have had its own server closed it. 0, or -errno.
 */
static int shut_original(__u32 tgid, __u64 cookie)
{
	int fd = grab_socket(tgid, cookie), rc;

	if (fd < 0)
		return fd;
	rc = shutdown(fd, SHUT_RDWR) ? -errno : 0;
	close(fd);
	return rc;
}

/* The socket whose cookie is `cookie` in any process: its descriptor (the
 * process in *tgid), or -ENOENT. Dear (every process's descriptors): only
 * for a parked request whose event was lost. */
static int find_socket(__u64 cookie, __u32 *tgid)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int fd = -ENOENT;

	while (d && fd < 0 && (e = readdir(d))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		*tgid = (__u32)atoi(e->d_name);
		fd = grab_socket(*tgid, cookie);
	}
	if (d)
		closedir(d);
	return fd < 0 ? -ENOENT : fd;
}

/*
 * A request parked in gl_park whose twin_wanted event never reached a
 * daemon that opened its twin: a daemon read it and was killed, or the ring
 * buffer was full (event_lost). Seen at two sweeps in a row (a parked
 * request waits about a millisecond) with no opening for it, it is asked for
 * again from its socket's own record (gl_sock); its socket gone, it is
 * dropped.
 */
static void unpark_orphans(struct gl_twins *t)
{
	static struct gl_park p;
	__u64 keys[GL_ORPHANS_MAX], key, next;
	unsigned int n = 0, was = t->norphan;
	__u64 prev[GL_ORPHANS_MAX];

	memcpy(prev, t->orphan, sizeof(prev));
	t->norphan = 0;
	for (int rc = bpf_map_get_next_key(t->m.park, NULL, &next); !rc && n < GL_ORPHANS_MAX;
	     rc = bpf_map_get_next_key(t->m.park, &key, &next)) {
		key = next;
		keys[n++] = key;
	}
	for (unsigned int i = 0; i < n; i++) {
		struct gl_twin_event ev = { .type = GL_EV_TWIN_WANTED, .parked = 1,
					    .cookie = keys[i] };
		struct gl_sock s;
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		bool seen = false, opening = false;
		int fd;

		if (bpf_map_lookup_elem(t->m.park, &keys[i], &p) || p.len == 0 ||
		    held_at(t, keys[i]) >= 0)
			continue;	/* written (the kernel deletes it), or held here */
		for (unsigned int k = 0; k < t->nop; k++)
			opening |= t->op[k].ev.cookie == keys[i] && t->op[k].ev.lane == p.lane;
		for (unsigned int k = 0; k < was; k++)
			seen |= prev[k] == keys[i];
		if (opening)
			continue;
		if (!seen) {
			t->orphan[t->norphan++] = keys[i];
			continue;
		}
		fd = find_socket(keys[i], &ev.tgid);
		if (fd < 0 || bpf_map_lookup_elem(t->m.sock, &fd, &s) ||
		    getsockname(fd, (struct sockaddr *)&ss, &sl)) {
			if (fd >= 0)
				close(fd);
			bpf_map_delete_elem(t->m.park, &keys[i]);
			count(t, GL_STAT_TWIN_PARK_LOST);
			continue;
		}
		close(fd);
		ev.lane = p.lane;
		ev.family = s.family;
		ev.dialed_port = s.dialed_port;
		ev.service_id = s.service_id;
		ev.workload_id = s.workload_id;
		memcpy(ev.dialed, s.dialed_addr, 16);
		if (ss.ss_family == AF_INET)
			memcpy(ev.local, &((struct sockaddr_in *)&ss)->sin_addr, 4);
		else
			memcpy(ev.local, &((struct sockaddr_in6 *)&ss)->sin6_addr, 16);
		gl_log_kv(GL_LOG_WARN, "a parked request whose event was lost: its twin asked for "
			  "again", "event=twin_unpark tgid=%u lane=%u", ev.tgid, ev.lane);
		want(t, &ev);
	}
}

/* Twin i's server closed it owing a response: the original goes too; the twin is dropped. */
static void break_twin(struct gl_twins *t, unsigned int i)
{
	int rc = shut_original(t->v[i].tgid, t->v[i].cookie);

	gl_log_kv(rc ? GL_LOG_WARN : GL_LOG_INFO, "a twin's server closed it owing a response: "
		  "the connection it served is shut down", "event=twin_broken tgid=%u lane=%u%s%s",
		  t->v[i].tgid, t->v[i].lane, rc ? " error=" : "", rc ? strerror(-rc) : "");
	drop(t, i);
}

/* The kernel saw the close: a FIN alone (lib/reply.bpf.h), or the twin
 * closed owing a response (a daemon before this one died, say: the event
 * names the original's process then). */
static void broken(struct gl_twins *t, const struct gl_twin_event *ev)
{
	int rc;

	for (unsigned int i = t->n; i-- > 0;) {
		if (t->v[i].cookie == ev->cookie && t->v[i].lane == ev->lane) {
			break_twin(t, i);
			return;
		}
	}
	if (!ev->tgid)
		return;
	rc = shut_original(ev->tgid, ev->cookie);
	if (rc != -ENOENT && rc != -ESRCH && rc != -ENOTCONN)
		gl_log_kv(rc ? GL_LOG_WARN : GL_LOG_INFO, "a twin closed owing a response: the "
			  "connection it served is shut down", "event=twin_broken tgid=%u lane=%u%s%s",
			  ev->tgid, ev->lane, rc ? " error=" : "", rc ? strerror(-rc) : "");
}

/* A response outstanding on twin i, whose server closed it (a FIN that came
 * with data is not seen by the verdict on its own: the sweep finds it). Its
 * count is marked closed: the kernel's close of it then reports nothing. */
static int owes(const struct gl_twins *t, unsigned int i)
{
	struct gl_rx rx;

	if (bpf_map_lookup_elem(t->m.rx, &t->v[i].own, &rx) || rx.sent == rx.done)
		return 0;
	rx.state = GL_RX_CLOSED;
	bpf_map_update_elem(t->m.rx, &t->v[i].own, &rx, BPF_EXIST);
	return 1;
}

void gl_twins_event(struct gl_twins *t, const void *data, size_t len)
{
	const struct gl_twin_event *ev = data;
	int h;

	if (!t || len < sizeof(*ev))
		return;
	if (ev->type == GL_EV_TWIN_WANTED) {
		want(t, ev);
		return;
	}
	if (ev->type == GL_EV_TWIN_BROKEN) {
		broken(t, ev);
		return;
	}
	for (unsigned int i = t->n; i-- > 0;)
		if (t->v[i].cookie == ev->cookie)
			drop(t, i);
	if ((h = held_at(t, ev->cookie)) >= 0)
		unhold(t, (unsigned int)h);	/* the kernel dropped its gl_park entry */
}

void gl_twins_sweep(struct gl_twins *t)
{
	struct gl_rx rx;

	if (!t)
		return;
	gl_sock_drain(t->sink[0]);
	if (!t->keep && t->keep_argv && t->keep_retry_ms && gl_now_ms() >= t->keep_retry_ms) {
		keep_open(t);
		t->keep_retry_ms = t->keep ? 0 : gl_now_ms() + GL_KEEP_RETRY_MS;
	}
	unpark_orphans(t);
	for (unsigned int i = t->n; i-- > 0;) {
		struct pollfd p = { .fd = t->v[i].fd, .events = POLLRDHUP };
		int closed;

		/* its server closed it (the FIN stays on it: never redirected), or
		 * its original is gone. Not POLLIN: replies pass through the
		 * twin's queue on their way to the verdict. */
		closed = poll(&p, 1, 0) == 1 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
		if (closed && owes(t, i)) {
			count(t, GL_STAT_TWIN_BROKEN);
			break_twin(t, i);
		} else if (closed || bpf_map_lookup_elem(t->m.rx, &t->v[i].cookie, &rx)) {
			drop(t, i);
		}
	}
}
