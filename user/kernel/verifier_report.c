// SPDX-License-Identifier: Apache-2.0
/* Each BPF program of an object through this kernel's verifier, on its own. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <bpf/libbpf.h>

#include "common/json.h"
#include "verifier_report.h"

#define LOG_SIZE (1u << 20)	/* stats and the refusal: a few lines */

static unsigned int after(const char *log, const char *key)
{
	const char *p = strstr(log, key);
	unsigned int v = 0;

	if (p)
		sscanf(p + strlen(key), "%u", &v);
	return v;
}

/* Is this line one of the statistics the verifier prints last? */
static int stats_line(const char *l, size_t n)
{
	static const char *const keys[] = { "processed ", "verification time", "stack depth",
					    "insns processed" };

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (n >= strlen(keys[i]) && !strncmp(l, keys[i], strlen(keys[i])))
			return 1;
	return 0;
}

void gl_verifier_parse_log(const char *log, struct gl_vprog *p)
{
	const char *l = log, *nl, *last = NULL;
	size_t lastn = 0;

	p->insns = after(log, "processed ");
	p->states = after(log, "total_states ");
	p->peak_states = after(log, "peak_states ");
	p->time_us = after(log, "verification time ");
	/* the refusal: the last line that is not a statistic */
	for (; *l; l = nl + 1) {
		size_t n;

		nl = strchr(l, '\n');
		n = nl ? (size_t)(nl - l) : strlen(l);
		if (n && !stats_line(l, n)) {
			last = l;
			lastn = n;
		}
		if (!nl)
			break;
	}
	if (last) {
		if (lastn >= sizeof(p->error))
			lastn = sizeof(p->error) - 1;
		memcpy(p->error, last, lastn);
		p->error[lastn] = 0;
	}
}

/* Opens the object with only program `which` to load and no map pinned. */
static struct bpf_object *open_one_at(const char *object, const void *data, size_t size,
				      int which, char *log, size_t log_size, int level)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = object);
	struct bpf_object *obj = bpf_object__open_mem(data, size, &opts);
	struct bpf_program *prog;
	struct bpf_map *map;
	int i = 0;

	if (!obj)
		return NULL;
	bpf_object__for_each_map(map, obj)
		bpf_map__set_pin_path(map, NULL);
	bpf_object__for_each_program(prog, obj) {
		bpf_program__set_autoload(prog, i == which);
		if (i == which) {
			bpf_program__set_log_level(prog, level);
			bpf_program__set_log_buf(prog, log, log_size);
		}
		i++;
	}
	return obj;
}

static struct bpf_object *open_one(const char *object, const void *data, size_t size, int which,
				   char *log)
{
	return open_one_at(object, data, size, which, log, LOG_SIZE, 4);	/* BPF_LOG_STATS */
}

int gl_verifier_full_log(const char *object, const void *data, size_t size, const char *name,
			 const char *path)
{
	const size_t big = 64u << 20;	/* older kernels keep the head of a log, not its tail */
	struct bpf_program *prog;
	struct bpf_object *obj;
	char *log = malloc(big);
	int i = 0, which = -1, err = 0;
	FILE *f;

	if (!log)
		return -ENOMEM;
	obj = open_one(object, data, size, -1, NULL);
	if (!obj) {
		free(log);
		return -errno;
	}
	bpf_object__for_each_program(prog, obj) {
		if (!strcmp(bpf_program__name(prog), name))
			which = i;
		i++;
	}
	bpf_object__close(obj);
	if (which < 0) {
		free(log);
		return -ENOENT;
	}
	log[0] = 0;
	obj = open_one_at(object, data, size, which, log, big, 1 | 4);
	if (obj) {
		bpf_object__load(obj);
		bpf_object__close(obj);
	}
	f = fopen(path, "w");
	if (!f || fputs(log, f) < 0)
		err = -errno;
	if (f)
		fclose(f);
	free(log);
	return err;
}

int gl_verifier_report_object(const char *object, const void *data, size_t size,
			      struct gl_vprog *out, int max, int *n)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	char *log;
	int count = 0, i;

	*n = 0;
	obj = open_one(object, data, size, -1, NULL);
	if (!obj)
		return -errno;
	bpf_object__for_each_program(prog, obj)
		count++;
	bpf_object__close(obj);
	if (count > max)
		return -ENOSPC;
	log = malloc(LOG_SIZE);
	if (!log)
		return -ENOMEM;
	for (i = 0; i < count; i++) {
		struct gl_vprog *p = &out[i];
		int k = 0, err;

		memset(p, 0, sizeof(*p));
		log[0] = 0;
		snprintf(p->object, sizeof(p->object), "%s", object);
		obj = open_one(object, data, size, i, log);
		if (!obj) {
			free(log);
			return -errno;
		}
		bpf_object__for_each_program(prog, obj)
			if (k++ == i)
				snprintf(p->name, sizeof(p->name), "%s", bpf_program__name(prog));
		err = bpf_object__load(obj);
		p->loaded = !err;
		p->err = err;
		gl_verifier_parse_log(log, p);
		if (p->loaded)
			p->error[0] = 0;
		else if (!p->error[0])
			snprintf(p->error, sizeof(p->error), "load failed: %s", strerror(-err));
		bpf_object__close(obj);
	}
	free(log);
	*n = count;
	return 0;
}

const char *gl_kernel_release(void)
{
	static struct utsname u;

	if (!u.release[0] && uname(&u))
		return "unknown";
	return u.release;
}

void gl_verifier_report_json(FILE *f, const struct gl_vprog *p, int n)
{
	fprintf(f, "{\n  \"kernel\": ");
	gl_json_str(f, gl_kernel_release());
	fprintf(f, ",\n  \"budget\": %u,\n  \"limit\": %u,\n  \"programs\": [", GL_VERIFIER_BUDGET,
		GL_VERIFIER_LIMIT);
	for (int i = 0; i < n; i++) {
		fprintf(f, "%s\n    {\"object\": ", i ? "," : "");
		gl_json_str(f, p[i].object);
		fprintf(f, ", \"name\": ");
		gl_json_str(f, p[i].name);
		fprintf(f, ", \"loaded\": %s, \"insns\": %u, \"states\": %u, \"peak_states\": %u, "
			   "\"time_us\": %u, \"within_budget\": %s, \"error\": ",
			p[i].loaded ? "true" : "false", p[i].insns, p[i].states, p[i].peak_states,
			p[i].time_us,
			p[i].loaded && p[i].insns <= GL_VERIFIER_BUDGET ? "true" : "false");
		gl_json_str(f, p[i].error);
		fputc('}', f);
	}
	fprintf(f, "\n  ]\n}\n");
}
