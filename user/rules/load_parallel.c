// SPDX-License-Identifier: Apache-2.0
/*
 * The files of a rules directory, loaded on every core: each file into a
 * model and a diagnostics list of its own, then merged in name order, so
 * that objects, their load order and the diagnostics are exactly those of
 * loading the files one after another. Parsing YAML is most of the time a
 * large set takes to apply.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "load.h"

#define GL_LOAD_THREADS_MAX 8

struct job {
	char *path;		/* NULL: out of memory */
	struct gl_model m;	/* this file's objects */
	struct gl_diags d;
	int ret;
};

struct jobs {
	struct job *v;
	size_t n;
	size_t next;		/* the next job to take (atomic) */
};

static void *work(void *arg)
{
	struct jobs *js = arg;
	size_t i;

	while ((i = __atomic_fetch_add(&js->next, 1, __ATOMIC_RELAXED)) < js->n) {
		struct job *j = &js->v[i];

		j->ret = j->path ? gl_model_load_file(j->path, &j->m, &j->d) : -ENOMEM;
	}
	return NULL;
}

/* Runs work() on up to nthreads threads, this one included. */
static void run(struct jobs *js, size_t nthreads)
{
	pthread_t tid[GL_LOAD_THREADS_MAX];
	sigset_t all, old;
	size_t started = 0;

	/* signals stay with the daemon's main thread */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	while (started + 1 < nthreads && !pthread_create(&tid[started], NULL, work, js))
		started++;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	work(js);
	for (size_t i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
}

/* Appends part's objects to m's (in part's order) and hands m its memory;
 * part is left empty. */
static int merge(struct gl_model *m, struct gl_model *part)
{
	struct gl_load l = { .m = m };
	size_t i;

	gl_arena_adopt(&m->arena, &part->arena);
	gl_arena_adopt(&m->label_arena, &part->label_arena);
	for (i = 0; i < part->ntraffic_rules && !l.err; i++)
		gl_model_add(&l, &part->traffic_rules[i]->meta);
	for (i = 0; i < part->nworkload_rules && !l.err; i++)
		gl_model_add(&l, &part->workload_rules[i]->meta);
	for (i = 0; i < part->nworkloads && !l.err; i++)
		gl_model_add(&l, &part->workloads[i]->meta);
	for (i = 0; i < part->nservices && !l.err; i++)
		gl_model_add(&l, &part->services[i]->meta);
	m->nerrors += part->nerrors;
	/* its objects are m's now: free only its arrays */
	part->ntraffic_rules = part->nworkload_rules = part->nworkloads = part->nservices = 0;
	gl_model_free(part);
	return l.err;
}

static char *join_path(const char *dir, const char *name)
{
	size_t n = strlen(dir);
	char *p = NULL;

	if (n && dir[n - 1] == '/')
		n--;
	if (asprintf(&p, "%.*s/%s", (int)n, dir, name) < 0)
		return NULL;
	return p;
}

static int worse(int a, int b)
{
	if (a == -ENOMEM || b == -ENOMEM)
		return -ENOMEM;
	return a ? a : b;
}

int gl_model_load_files(const char *dir, const char *const *names, size_t n,
			struct gl_model *m, struct gl_diags *d)
{
	struct jobs js = { .v = calloc(n ? n : 1, sizeof(*js.v)), .n = n };
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int ret = 0;

	if (!js.v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		js.v[i].path = join_path(dir, names[i]);
		gl_model_init(&js.v[i].m);
		gl_diags_init(&js.v[i].d);
	}
	run(&js, cpus < 1 ? 1 : cpus > GL_LOAD_THREADS_MAX ? GL_LOAD_THREADS_MAX :
		 (size_t)cpus < n ? (size_t)cpus : n);
	for (size_t i = 0; i < n; i++) {
		struct job *j = &js.v[i];

		ret = worse(ret, j->ret);
		if (merge(m, &j->m) || gl_diags_append(d, &j->d))
			ret = -ENOMEM;
		gl_model_free(&j->m);
		gl_diags_free(&j->d);
		free(j->path);
	}
	free(js.v);
	return ret;
}
