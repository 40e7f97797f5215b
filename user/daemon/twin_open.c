// SPDX-License-Identifier: Apache-2.0
/* Opening one twin, asynchronously (twin_open.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <linux/sched.h>	/* struct clone_args */
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <bpf/bpf.h>

#include "common/clock.h"
#include "common/sock.h"
#include "log.h"
#include "twin_open.h"

#define GL_TWIN_CONNECT_MS 400
#define GL_TWIN_SNDBUF (64 << 20)	/* the twin's send buffer (see child_connect) */

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

int gl_twin_open_start(struct gl_twin_opening *o, const struct gl_twin_event *ev,
		       const char *cg2, int pending, int *migrate)
{
	struct gl_twin_want key = { .cookie = ev->cookie, .lane = ev->lane, .tgid = ev->tgid };
	char path[64];
	int nsfd, cg, procs = -1, sp[2] = { -1, -1 }, rc = -ESRCH;
	__u32 child;
	pid_t pid = -1;

	memset(o, 0, sizeof(*o));
	o->ev = *ev;
	o->sp = -1;
	snprintf(path, sizeof(path), "/proc/%u/ns/net", ev->tgid);
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	cg = open_cgroup_dir(cg2, ev->tgid);
	if (nsfd < 0 || cg < 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp))
		goto out;	/* the process is gone */
	pid = *migrate ? -1 : fork_into(cg);
	if (pid < 0 && !*migrate && (errno == ENOSYS || errno == EPERM)) {
		*migrate = 1;
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
	rc = pid < 0 ? -errno : 0;
	child = (__u32)pid;
	if (!rc && bpf_map_update_elem(pending, &child, &key, BPF_ANY))
		rc = -errno;
	if (!rc && write(sp[0], "g", 1) != 1)
		rc = -EPIPE;
	if (!rc) {
		o->pid = pid;
		o->sp = sp[0];
		sp[0] = -1;
		o->deadline_ms = gl_now_ms() + GL_TWIN_OPEN_MS;
	} else if (pid > 0) {
		bpf_map_delete_elem(pending, &child);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
out:
	for (int k = 0; k < 2; k++)
		if (sp[k] >= 0)
			close(sp[k]);
	if (nsfd >= 0)
		close(nsfd);
	if (cg >= 0)
		close(cg);
	if (procs >= 0)
		close(procs);
	return rc;
}

int gl_twin_open_finish(struct gl_twin_opening *o, int pending)
{
	struct pollfd p = { .fd = o->sp, .events = POLLIN };
	unsigned char e = 0;
	__u32 child = (__u32)o->pid;
	int fd = -ETIMEDOUT, trunc;

	if (poll(&p, 1, 0) == 1) {
		if (gl_sock_recv_fd(o->sp, &e, 1, &fd, &trunc) != 1)
			fd = -EPIPE;
		else if (fd < 0)
			fd = e ? -(int)e : -EPROTO;
	}
	bpf_map_delete_elem(pending, &child);
	kill(o->pid, SIGKILL);
	waitpid(o->pid, NULL, 0);
	close(o->sp);
	o->sp = -1;
	return fd;
}
