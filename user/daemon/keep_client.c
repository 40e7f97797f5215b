// SPDX-License-Identifier: Apache-2.0
/* The daemon's end of the twin keeper (keeper.h): found by its abstract
 * socket, started when none answers, told of each twin opened and closed. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "keeper.h"
#include "log.h"

#define GL_KEEP_START_MS 2000	/* how long a keeper just started may take to listen */

struct gl_keep {
	int s;
	bool listed;		/* its GL_KEEP_END was read */
};

static int dial(const char *pin_root)
{
	struct sockaddr_un a;
	socklen_t len = gl_keep_addr(pin_root, &a);
	int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0), e;

	if (s < 0)
		return -errno;
	if (connect(s, (struct sockaddr *)&a, len)) {
		e = errno;
		close(s);
		return -e;
	}
	if (!gl_keep_peer_ok(s)) {
		close(s);
		return -EACCES;	/* someone else's socket under the keeper's name */
	}
	return s;
}

/* A keeper of its own session (a signal to the daemon's group does not
 * reach it), its parent gone at once (no zombie to reap); only system calls
 * between fork and exec: the daemon has threads. */
static int spawn(char *const argv[])
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		setsid();
		if (fork() != 0)
			_exit(0);
		syscall(SYS_close_range, 3U, ~0U, 0U);
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	return 0;
}

struct gl_keep *gl_keep_open(const char *pin_root, char *const argv[])
{
	struct timespec ten_ms = { 0, 10 * 1000 * 1000 };
	struct gl_keep *k;
	int s = dial(pin_root), rc = 0;

	if (s == -ECONNREFUSED || s == -ENOENT) {
		rc = spawn(argv);
		for (int i = 0; !rc && i < GL_KEEP_START_MS / 10; i++) {
			s = dial(pin_root);
			if (s != -ECONNREFUSED && s != -ENOENT)
				break;
			nanosleep(&ten_ms, NULL);
		}
	}
	if (rc || s < 0 || !(k = calloc(1, sizeof(*k)))) {
		rc = rc ? rc : s < 0 ? s : -ENOMEM;
		gl_log_kv(GL_LOG_WARN, "no twin keeper: twins close with this daemon",
			  "event=keeper_missing error=%s", strerror(-rc));
		if (s >= 0)
			close(s);
		return NULL;
	}
	k->s = s;
	return k;
}

int gl_keep_next(struct gl_keep *k, struct gl_keep_msg *m, int *fd)
{
	int rc;

	*fd = -1;
	if (k->listed)
		return 0;
	rc = gl_keep_recv(k->s, m, fd);
	if (rc == 1 && m->op == GL_KEEP_HELD)
		return 1;
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
	k->listed = true;
	return rc == 1 && m->op == GL_KEEP_END ? 0 : rc < 0 ? rc : -EPROTO;
}

int gl_keep_hold(struct gl_keep *k, const struct gl_keep_msg *m, int fd)
{
	struct gl_keep_msg h = *m;

	h.op = GL_KEEP_HOLD;
	return gl_keep_send(k->s, &h, fd);
}

int gl_keep_drop(struct gl_keep *k, __u64 own)
{
	struct gl_keep_msg d = { .op = GL_KEEP_DROP, .own = own };

	return gl_keep_send(k->s, &d, -1);
}

void gl_keep_close(struct gl_keep *k)
{
	if (!k)
		return;
	close(k->s);
	free(k);
}
