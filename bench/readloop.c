// SPDX-License-Identifier: Apache-2.0
/*
 * readloop: an unrelated, syscall-heavy process for `make bench`. graylane's
 * receive path attaches to the read-family syscall tracepoints of every
 * process on the machine; this measures what that costs a process graylane
 * does not manage.
 *
 *   readloop N    N one-byte read()s of /dev/zero, then N getppid()s
 *
 * Prints {"read_ns": ..., "getppid_ns": ...}: CPU nanoseconds of this thread
 * per call (CLOCK_THREAD_CPUTIME_ID: time the process is preempted by other
 * load on the machine is not counted).
 * read() runs graylane's sys_enter_read/sys_exit_read programs (which return
 * at once for a process outside the managed cgroup); getppid() runs none, but
 * enabling any syscall tracepoint sends every syscall of every task through
 * the kernel's syscall tracing path.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	double t0, t1, t2;
	char c;
	int fd;

	if (n <= 0 || n > 100000000) {
		fprintf(stderr, "usage: readloop N (1..100000000)\n");
		return 2;
	}
	fd = open("/dev/zero", O_RDONLY);
	if (fd < 0) {
		perror("/dev/zero");
		return 1;
	}
	t0 = now_ns();
	for (long i = 0; i < n; i++)
		if (read(fd, &c, 1) != 1) {
			perror("read");
			return 1;
		}
	t1 = now_ns();
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	t2 = now_ns();
	printf("{\"read_ns\": %.1f, \"getppid_ns\": %.1f}\n", (t1 - t0) / n, (t2 - t1) / n);
	close(fd);
	return 0;
}
