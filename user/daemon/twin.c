// SPDX-License-Identifier: Apache-2.0
/*
 * Opening and closing twins (twin.h). A twin is opened by a short-lived
 * child of the daemon, born in the original connection's cgroup (that of the
 * process that connected it), that enters its network namespace, binds the
 * original's source address, sets TCP_NODELAY (without it each redirected
 * request waits ~40 ms, KERNEL-NOTES) and connects to the address the
 * original dialed. connect4 sees the child's tgid in gl_twin_pending and
 * steers the connect to the asked lane; sockops registers it in gl_twins.
 * The child hands the socket to the daemon (SCM_RIGHTS), which keeps it and
 * gives the twin keeper (keeper.h) a reference too: a twin outlives a daemon
 * killed or restarted, and the next daemon takes it over from the keeper.
 *
 * Limits: the open is synchronous (the daemon's loop waits up to
 * GL_TWIN_OPEN_MS for it). Without a keeper twins close with the daemon
 * (the next request of their lane asks for a new one; a connection whose
 * twin owed a response is shut down by the next daemon, from the kernel's
 * event).
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

/* The child's connect and hand-over: the daemon's loop waits that long at
 * most (a twin connects to an endpoint the caller reached a moment ago). */
#define GL_TWIN_OPEN_MS 600
#define GL_TWIN_CONNECT_MS 400
#define GL_TWIN_SNDBUF (64 << 20)	/* the twin's send buffer (see child_connect) */
#define GL_KEEP_RETRY_MS 10000	/* a keeper lost is looked for again after that */

struct twin {
	__u64 cookie;		/* the original's */
	__u64 own;		/* the twin's socket cookie */
	__u32 tgid;		/* the original's process */
	__u16 lane;
	int fd;
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

static void drain_sink(const struct gl_twins *t)
{
	char buf[65536];

	while (t->sink[0] >= 0 && recv(t->sink[0], buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

static void keep_hold(struct gl_twins *t, const struct twin *tw);
static int registered(const struct gl_twins *t, const struct gl_twin_key *key, __u64 own);

/* The keeper's twins taken over: those still registered for their key (a
 * layout upgrade made new maps: theirs are not), the others dropped. */
static void adopt(struct gl_twins *t)
{
	struct gl_keep_msg m;
	unsigned int took = 0, stale = 0;
	struct twin *v;
	int fd, rc;

	while ((rc = gl_keep_next(t->keep, &m, &fd)) == 1) {
		struct gl_twin_key key = { .cookie = m.cookie, .lane = m.lane };

		if (!registered(t, &key, m.own) || gl_sock_cookie(fd) != m.own) {
			close(fd);
			gl_keep_drop(t->keep, m.own);
			stale++;
			continue;
		}
		if (t->n == t->cap) {
			v = realloc(t->v, (t->cap ? t->cap * 2 : 64) * sizeof(*v));
			if (!v) {
				close(fd);	/* the keeper still holds it */
				continue;
			}
			t->v = v;
			t->cap = t->cap ? t->cap * 2 : 64;
		}
		t->v[t->n++] = (struct twin){ .cookie = m.cookie, .own = m.own, .tgid = m.tgid,
					      .lane = m.lane, .fd = fd };
		took++;
	}
	if (rc < 0)
		gl_log(GL_LOG_WARN, "twin keeper: its list ended early (%s)", strerror(-rc));
	gl_log_kv(GL_LOG_INFO, "twin keeper found", "event=keeper_adopt twins=%u stale=%u",
		  took, stale);
}

/* The keeper (started if none runs): its twins adopted, the daemon's own
 * sink closed (the keeper's is in gl_sink), every twin held there. */
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
		keep_hold(t, &t->v[i]);
}

/* The keeper stopped answering: the daemon's own sink until it is back. */
static void keep_lost(struct gl_twins *t, int err)
{
	if (!t->keep)
		return;
	gl_keep_close(t->keep);
	t->keep = NULL;
	t->keep_retry_ms = gl_now_ms() + GL_KEEP_RETRY_MS;
	gl_log_kv(GL_LOG_WARN, "twin keeper lost: twins close with this daemon until it is back",
		  "event=keeper_lost error=%s", strerror(-err));
	open_sink(t);
}

static void keep_hold(struct gl_twins *t, const struct twin *tw)
{
	struct gl_keep_msg m = { .tgid = tw->tgid, .cookie = tw->cookie, .own = tw->own,
				 .lane = tw->lane };
	int rc;

	if (t->keep && (rc = gl_keep_hold(t->keep, &m, tw->fd)))
		keep_lost(t, rc);
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
	for (unsigned int i = 0; i < t->n; i++)
		close(t->v[i].fd);	/* the keeper's reference keeps them open */
	for (int k = 0; k < 2; k++)
		if (t->sink[k] >= 0)
			close(t->sink[k]);
	gl_keep_close(t->keep);
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

/* The directory of process tgid's cgroup (cgroup2), or -1. */
static int open_cgroup_dir(const char *cg2, __u32 tgid)
{
	char path[4096], line[4096];
	FILE *f;
	int fd = -1;

	snprintf(path, sizeof(path), "/proc/%u/cgroup", tgid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = '\0';
		if (snprintf(path, sizeof(path), "%s%s", cg2, line + 3) < (int)sizeof(path))
			fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		break;
	}
	fclose(f);
	return fd;
}

/*
 * A child born in the cgroup directory cg (clone3, CLONE_INTO_CGROUP): 0 in
 * the child, its pid in the daemon, -1 where clone3 is refused (container
 * seccomp profiles answer ENOSYS), and the caller forks and migrates it.
 * Migrating (a write to cgroup.procs) waits for an RCU grace period, about
 * 11 ms here, and that was most of a parked request's wait for its twin.
 */
static pid_t fork_into(int cg)
{
	struct clone_args a = { .flags = CLONE_INTO_CGROUP, .exit_signal = SIGCHLD,
				.cgroup = (__u64)cg };

	return (pid_t)syscall(SYS_clone3, &a, sizeof(a));
}

static socklen_t sockaddr_of(struct sockaddr_storage *ss, __u8 family, const __u8 addr[16],
			     __u16 port)
{
	memset(ss, 0, sizeof(*ss));
	if (family == GL_FAMILY_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		memcpy(&a->sin_addr, addr, 4);
		return sizeof(*a);
	}
	struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

	a->sin6_family = AF_INET6;
	a->sin6_port = htons(port);
	memcpy(&a->sin6_addr, addr, 16);
	return sizeof(*a);
}

/* In the child: only system calls (the daemon has threads). Joins the cgroup
 * whose cgroup.procs is procs (-1: born in it). */
static int child_join(int procs)
{
	char pid[16];
	int i = (int)sizeof(pid);
	pid_t me = getpid();

	if (procs < 0)
		return 0;
	do
		pid[--i] = (char)('0' + me % 10);
	while ((me /= 10) && i > 0);
	return write(procs, pid + i, sizeof(pid) - (size_t)i) < 0 ? -errno : 0;
}

/* In the child: only system calls. The socket, or -errno. */
static int child_connect(const struct gl_twin_event *ev, int nsfd, int procs, int sp)
{
	struct sockaddr_storage ss;
	struct timeval tv = { .tv_sec = 0, .tv_usec = GL_TWIN_CONNECT_MS * 1000 };
	char go;
	int one = 1, s;
	socklen_t n;

	if (setns(nsfd, CLONE_NEWNET))
		return -errno;
	s = child_join(procs);
	if (s)
		return s;
	if (read(sp, &go, 1) != 1)
		return -EPIPE;
	s = socket(ev->family == GL_FAMILY_INET ? AF_INET : AF_INET6, SOCK_STREAM, 0);
	if (s < 0)
		return -errno;
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(s, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
	setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	/* A request redirected into the twin is sent with the caller's flags:
	 * a non-blocking caller's bytes that find the twin's buffer full are
	 * dropped from the send, while the kernel counts them against the
	 * verdict's apply_bytes, and the body's framing is lost (the
	 * connection then fails closed). Room for any body the server reads
	 * at all, charged only while queued. */
	setsockopt(s, SOL_SOCKET, SO_SNDBUFFORCE, &(int){ GL_TWIN_SNDBUF }, sizeof(int));
	n = sockaddr_of(&ss, ev->family, ev->local, 0);
	if (bind(s, (struct sockaddr *)&ss, n))
		return -errno;
	n = sockaddr_of(&ss, ev->family, ev->dialed, ev->dialed_port);
	if (connect(s, (struct sockaddr *)&ss, n))
		return -errno;
	return s;
}

/* Child to daemon: the socket as SCM_RIGHTS, or an errno byte without one. */
static void send_fd(int sp, int fd)
{
	unsigned char e = fd < 0 ? (unsigned char)-fd : 0;

	(void)!gl_sock_send_fd(sp, &e, 1, fd);
}

/* Daemon side: the socket the child sent, or -errno. */
static int recv_fd(int sp)
{
	struct pollfd p = { .fd = sp, .events = POLLIN };
	unsigned char e = 0;
	int fd, trunc;

	if (poll(&p, 1, GL_TWIN_OPEN_MS) != 1)
		return -ETIMEDOUT;
	if (gl_sock_recv_fd(sp, &e, 1, &fd, &trunc) != 1)
		return -EPIPE;
	if (fd < 0)
		return e ? -(int)e : -EPROTO;
	return fd;
}

/* Forks the child that connects the twin; its socket, or -errno. */
static int open_twin(struct gl_twins *t, const struct gl_twin_event *ev)
{
	struct gl_twin_want key = { .cookie = ev->cookie, .lane = ev->lane, .tgid = ev->tgid };
	char path[64];
	int nsfd, cg, procs = -1, sp[2], fd = -EPERM;
	__u32 child;
	pid_t pid;

	snprintf(path, sizeof(path), "/proc/%u/ns/net", ev->tgid);
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	cg = open_cgroup_dir(t->cg2, ev->tgid);
	if (nsfd < 0 || cg < 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp)) {
		fd = -ESRCH;	/* the process is gone */
		goto out;
	}
	pid = t->migrate ? -1 : fork_into(cg);
	if (pid < 0 && !t->migrate && (errno == ENOSYS || errno == EPERM)) {
		t->migrate = 1;
		gl_log(GL_LOG_WARN, "clone3 refused (%s): twins' helpers fork and join the "
		       "caller's cgroup (about 11 ms more a twin)", strerror(errno));
	}
	if (pid < 0 && (procs = openat(cg, "cgroup.procs", O_WRONLY | O_CLOEXEC)) >= 0)
		pid = fork();
	if (pid == 0) {
		close(sp[0]);
		send_fd(sp[1], child_connect(ev, nsfd, procs, sp[1]));
		_exit(0);
	}
	close(sp[1]);
	child = (__u32)pid;
	if (pid > 0 && !bpf_map_update_elem(t->m.pending, &child, &key, BPF_ANY)) {
		if (write(sp[0], "g", 1) == 1)
			fd = recv_fd(sp[0]);
		bpf_map_delete_elem(t->m.pending, &child);
	}
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	close(sp[0]);
out:
	if (nsfd >= 0)
		close(nsfd);
	if (cg >= 0)
		close(cg);
	if (procs >= 0)
		close(procs);
	return fd;
}

/* The twin (socket cookie own) is the one sockops registered for its key. */
static int registered(const struct gl_twins *t, const struct gl_twin_key *key, __u64 own)
{
	__u64 have = 0;

	return own && !bpf_map_lookup_elem(t->m.twin_of, key, &have) && have == own;
}

static void drop(struct gl_twins *t, unsigned int i);
static int shut_original(__u32 tgid, __u64 cookie);

/* The parked request is written into its new twin, counted on the twin's
 * requests first (a reply cannot come before it). */
static void flush_park(struct gl_twins *t, const struct gl_twin_event *ev, const struct twin *tw)
{
	static struct gl_park p;
	struct gl_rx rx;
	size_t off = 0;
	ssize_t w;

	drain_sink(t);
	if (bpf_map_lookup_elem(t->m.park, &ev->cookie, &p))
		return;
	if (!bpf_map_lookup_elem(t->m.rx, &tw->own, &rx)) {
		rx.head_bits = p.head ? 1 : 0;
		rx.sent = 1;
		bpf_map_update_elem(t->m.rx, &tw->own, &rx, BPF_EXIST);
	}
	while (off < p.len && (w = send(tw->fd, p.bytes + off, p.len - off, MSG_NOSIGNAL)) > 0)
		off += (size_t)w;
	bpf_map_delete_elem(t->m.park, &ev->cookie);
	if (off < p.len) {
		count(t, GL_STAT_TWIN_PARK_LOST);
		shut_original(ev->tgid, ev->cookie);
	}
}

/* No twin for a parked request: its connection goes, so its client does
 * not wait for a reply that cannot come. */
static void lose_park(struct gl_twins *t, const struct gl_twin_event *ev)
{
	drain_sink(t);
	bpf_map_delete_elem(t->m.park, &ev->cookie);
	count(t, GL_STAT_TWIN_PARK_LOST);
	shut_original(ev->tgid, ev->cookie);
}

static void want(struct gl_twins *t, const struct gl_twin_event *ev)
{
	struct gl_twin_key key = { .cookie = ev->cookie, .lane = ev->lane };
	struct twin *v;
	__u64 own = 0;
	int fd;

	for (unsigned int i = t->n; i-- > 0;) {
		if (t->v[i].cookie != ev->cookie || t->v[i].lane != ev->lane)
			continue;
		if (!ev->parked && registered(t, &key, t->v[i].own))
			return;	/* asked again before it was used */
		drop(t, i);	/* the kernel parked a request: this one is closed */
	}
	fd = open_twin(t, ev);
	if (fd >= 0)
		own = gl_sock_cookie(fd);
	if (fd >= 0 && !registered(t, &key, own)) {
		close(fd);
		fd = -EEXIST;
	}
	if (fd >= 0 && t->n == t->cap) {
		v = realloc(t->v, (t->cap ? t->cap * 2 : 64) * sizeof(*v));
		if (!v) {
			close(fd);
			fd = -ENOMEM;
		} else {
			t->v = v;
			t->cap = t->cap ? t->cap * 2 : 64;
		}
	}
	if (fd < 0) {
		count(t, GL_STAT_TWIN_OPEN_FAIL);
		if (ev->parked)
			lose_park(t, ev);
		gl_log_kv(GL_LOG_WARN, "cannot open a twin", "event=twin_open_fail tgid=%u "
			  "lane=%u error=%s", ev->tgid, ev->lane, strerror(-fd));
		return;
	}
	t->v[t->n] = (struct twin){ .cookie = ev->cookie, .own = own, .tgid = ev->tgid,
				    .lane = ev->lane, .fd = fd };
	keep_hold(t, &t->v[t->n]);	/* before its first request: none is owed on it yet */
	if (ev->parked)
		flush_park(t, ev, &t->v[t->n]);
	t->n++;
	gl_log_kv(GL_LOG_DEBUG, "twin opened", "event=twin_open tgid=%u lane=%u twins=%u",
		  ev->tgid, ev->lane, t->n);
}

static void drop(struct gl_twins *t, unsigned int i)
{
	int rc;

	if (t->keep && (rc = gl_keep_drop(t->keep, t->v[i].own)))
		keep_lost(t, rc);
	close(t->v[i].fd);
	t->v[i] = t->v[--t->n];
}

/*
 * Shuts down the socket of process tgid whose cookie is `cookie` (found
 * among its fds with pidfd_getfd): its reads end, as they would have had its
 * own server closed it. 0, or -errno.
 */
static int shut_original(__u32 tgid, __u64 cookie)
{
	char path[64];
	struct dirent *e;
	int pidfd, rc = -ENOENT;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%u/fd", tgid);
	pidfd = pidfd_open((pid_t)tgid, 0);
	if (pidfd < 0)
		return -ESRCH;
	d = opendir(path);
	while (d && rc == -ENOENT && (e = readdir(d))) {
		int fd = e->d_name[0] == '.' ? -1 : pidfd_getfd(pidfd, atoi(e->d_name), 0);

		if (fd < 0)
			continue;
		if (gl_sock_cookie(fd) == cookie)
			rc = shutdown(fd, SHUT_RDWR) ? -errno : 0;
		close(fd);
	}
	if (d)
		closedir(d);
	close(pidfd);
	return rc;
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
}

void gl_twins_sweep(struct gl_twins *t)
{
	struct gl_rx rx;

	if (!t)
		return;
	drain_sink(t);
	if (!t->keep && t->keep_argv && t->keep_retry_ms && gl_now_ms() >= t->keep_retry_ms) {
		keep_open(t);
		t->keep_retry_ms = t->keep ? 0 : gl_now_ms() + GL_KEEP_RETRY_MS;
	}
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
