// SPDX-License-Identifier: Apache-2.0
/*
 * gl_model_load_dir: the rule files of a directory (*.yaml, *.yml, sorted by
 * name), loaded on every core: each file into a
 * model and a diagnostics list of its own, then merged in name order, so
 * that objects, their load order and the diagnostics are exactly those of
 * loading the files one after another. Parsing YAML is most of the time a
 * large set takes to apply.
 */
#include <dirent.h>
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
	size_t i;
	int err = 0;

	gl_arena_adopt(&m->arena, &part->arena);
	gl_arena_adopt(&m->label_arena, &part->label_arena);
	for (i = 0; i < part->ntraffic_rules && !err; i++)
		err = gl_model_add(m, &part->traffic_rules[i]->meta);
	for (i = 0; i < part->nworkload_rules && !err; i++)
		err = gl_model_add(m, &part->workload_rules[i]->meta);
	for (i = 0; i < part->nworkloads && !err; i++)
		err = gl_model_add(m, &part->workloads[i]->meta);
	for (i = 0; i < part->nservices && !err; i++)
		err = gl_model_add(m, &part->services[i]->meta);
	m->nerrors += part->nerrors;
	/* its objects are m's now: free only its arrays */
	part->ntraffic_rules = part->nworkload_rules = part->nworkloads = part->nservices = 0;
	gl_model_free(part);
	return err;
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

static int load_files(const char *dir, const char *const *names, size_t n,
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

bool gl_rules_file_name(const char *name)
{
	size_t n = strlen(name);

	/* dotfiles: editor backups, and Kubernetes ConfigMap mounts' "..data" */
	if (name[0] == '.')
		return false;
	return (n > 5 && !strcmp(name + n - 5, ".yaml")) ||
	       (n > 4 && !strcmp(name + n - 4, ".yml"));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* Names of the rule files of dir, sorted, so a set always loads in one order. */
static int list_dir(DIR *dir, char ***out, size_t *n)
{
	char **names = NULL, **nn;
	size_t cap = 0;
	struct dirent *de;

	*n = 0;
	while ((errno = 0, de = readdir(dir))) {
		if (!gl_rules_file_name(de->d_name) || de->d_type == DT_DIR)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			nn = realloc(names, cap * sizeof(*names));
			if (!nn)
				goto nomem;
			names = nn;
		}
		names[*n] = strdup(de->d_name);
		if (!names[*n])
			goto nomem;
		(*n)++;
	}
	if (errno) {
		int err = errno;

		free_names(names, *n);
		return -err;
	}
	if (*n)
		qsort(names, *n, sizeof(*names), cmp_str);
	*out = names;
	return 0;
nomem:
	free_names(names, *n);
	return -ENOMEM;
}

int gl_model_load_dir(const char *dir, struct gl_model *m, struct gl_diags *d)
{
	DIR *dh = opendir(dir);
	char **names = NULL;
	size_t n = 0;
	int ret = 0;

	if (!dh)
		return gl_load_file_error(m, d, dir, "cannot open rules directory", errno);
	ret = list_dir(dh, &names, &n);
	closedir(dh);
	if (ret)
		return ret == -ENOMEM ? ret : gl_load_file_error(m, d, dir, "cannot list rules directory", -ret);
	if (!n) {
		gl_diag_add(d, GL_SEV_ERROR, dir, 0, 0,
			    "no rules: the directory has no *.yaml or *.yml files");
		m->nerrors++;
		free(names);
		return -ENOENT;
	}
	ret = load_files(dir, (const char *const *)names, n, m, d);
	free_names(names, n);
	return ret;
}
