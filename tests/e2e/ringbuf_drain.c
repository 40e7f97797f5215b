// SPDX-License-Identifier: Apache-2.0
/* ringbuf_drain PINNED_RINGBUF: reads every record waiting in a pinned BPF
 * ring buffer and prints how many there were. test_twins T6e: a daemon that
 * read an event and died before acting on it, without killing one at the
 * exact moment. */
#include <stdio.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

static int one(void *ctx, void *data, size_t len)
{
	(void)data;
	(void)len;
	++*(long *)ctx;
	return 0;
}

int main(int argc, char **argv)
{
	long n = 0;
	int fd = argc == 2 ? bpf_obj_get(argv[1]) : -1;
	struct ring_buffer *rb = fd >= 0 ? ring_buffer__new(fd, one, &n, NULL) : NULL;

	if (!rb) {
		fprintf(stderr, "usage: ringbuf_drain PINNED_RINGBUF (cannot open it)\n");
		return 2;
	}
	ring_buffer__consume(rb);
	ring_buffer__free(rb);
	printf("%ld\n", n);
	return 0;
}
