// SPDX-License-Identifier: Apache-2.0
/*
 * Loading one rules file or buffer: YAML documents -> model objects
 * (gl_model_load_file, gl_model_load_buffer). Each document is
 * checked on its own here (kind, apiVersion, metadata, then the kind's
 * spec); checks across documents are gl_model_validate's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "load.h"
#include "common/quote.h"

struct kind_info {
	const char *kind, *api;
	void (*load)(struct gl_load *l, const struct gl_ynode *spec, struct gl_meta *meta);
};

static const struct kind_info kinds[GL_KIND_MAX] = {
	[GL_KIND_TRAFFIC_LABEL_RULE] = { "TrafficLabelRule", GL_API_TRAFFIC, gl_load_traffic_rule },
	[GL_KIND_WORKLOAD_LABEL_RULE] = { "WorkloadLabelRule", GL_API_TRAFFIC, gl_load_workload_rule },
	[GL_KIND_WORKLOAD] = { "Workload", GL_API_GRAYLANE, gl_load_workload },
	[GL_KIND_SERVICE] = { "Service", GL_API_GRAYLANE, gl_load_service },
};

static const char *const top_fields[] = { "apiVersion", "kind", "metadata", "spec", NULL };
static const char *const meta_fields[] = { "name", "labels", "annotations", NULL };

static int find_kind(const char *kind)
{
	for (int i = 0; i < GL_KIND_MAX; i++)
		if (!strcmp(kinds[i].kind, kind))
			return i;
	return -1;
}

/* apiVersion problems are reported, but the document is still checked. */
static void check_api(struct gl_load *l, const struct gl_ynode *node, const char *api, int k)
{
	bool known = !strcmp(api, GL_API_TRAFFIC) || !strcmp(api, GL_API_GRAYLANE);

	if (!known)
		gl_lerr(l, node, "unknown apiVersion '%s'; expected %s or %s",
			gl_q(api).s, GL_API_TRAFFIC, GL_API_GRAYLANE);
	else if (k >= 0 && strcmp(api, kinds[k].api))
		gl_lerr(l, node, "kind %s belongs to apiVersion %s, not %s",
			kinds[k].kind, kinds[k].api, api);
}

/* A file's names are DNS subdomains; an API object's are NAMESPACE/NAME. */
static bool check_name(struct gl_load *l, const struct gl_ynode *nn, const char *name)
{
	const char *slash = strchr(name, '/');
	char ns[GL_NAME_MAX + 1];

	if (!l->namespaced || !slash)
		return gl_check_dns_subdomain(l, nn, "metadata.name", name, GL_NAME_MAX);
	if ((size_t)(slash - name) > GL_NAME_MAX || strchr(slash + 1, '/'))
		return gl_check_dns_subdomain(l, nn, "metadata.name", name, GL_NAME_MAX);
	memcpy(ns, name, slash - name);
	ns[slash - name] = 0;
	return gl_check_dns_subdomain(l, nn, "metadata.namespace", ns, GL_NAME_MAX) &&
	       gl_check_dns_subdomain(l, nn, "metadata.name", slash + 1, GL_NAME_MAX);
}

static void read_meta(struct gl_load *l, const struct gl_ynode *root, struct gl_meta *meta)
{
	const struct gl_ynode *md = gl_get_map(l, root, "", "metadata", true), *nn;
	const char *name;

	meta->pos = gl_pos_of(l, root);
	meta->name_pos = meta->pos;
	memset(&l->annotations, 0, sizeof(l->annotations));
	if (!md)
		return;
	gl_check_fields(l, md, "metadata", meta_fields);
	name = gl_get_str(l, md, "metadata", "name", true, &nn);
	if (nn)
		meta->name_pos = gl_pos_of(l, nn);
	if (name && check_name(l, nn, name))
		meta->name = name;
	gl_get_labels(l, md, "metadata", "labels", false, GL_LABELS_LABELS, &meta->labels);
	gl_get_labels(l, md, "metadata", "annotations", false, GL_LABELS_ANNOTATIONS,
		      &l->annotations);
}

static void load_doc(struct gl_load *l, const struct gl_ydoc *doc)
{
	const struct gl_ynode *root = doc->root, *an, *kn, *spec;
	const char *api, *kind;
	struct gl_meta meta = { 0 };
	int k;

	if (!root || gl_yis_null(root))
		return;		/* an empty document, e.g. after a trailing "---" */
	if (root->type != GL_Y_MAP) {
		gl_lerr(l, root, "a document must be a mapping with apiVersion, kind, metadata "
			"and spec, got %s", gl_ytype_name(root));
		return;
	}
	api = gl_peek_str(l, root, "", "apiVersion", true, &an);
	kind = gl_peek_str(l, root, "", "kind", true, &kn);
	k = kind ? find_kind(kind) : -1;
	if (api)
		check_api(l, an, api, k);
	if (kind && k < 0)
		gl_lerr(l, kn, "unknown kind '%s'; expected TrafficLabelRule or WorkloadLabelRule "
			"(%s), Workload or Service (%s)", gl_q(kind).s, GL_API_TRAFFIC,
			GL_API_GRAYLANE);
	if (k < 0)
		return;		/* without a kind there is no schema to check against */
	gl_check_fields(l, root, "", top_fields);
	meta.kind = k;
	read_meta(l, root, &meta);
	spec = gl_get_map(l, root, "", "spec", true);
	kinds[k].load(l, spec, &meta);
}

static int too_big(struct gl_model *m, struct gl_diags *d, const char *file, size_t len)
{
	gl_diag_add(d, GL_SEV_ERROR, file, 0, 0, "file is %zu bytes long; at most %d",
		    len, GL_RULES_FILE_MAX);
	m->nerrors++;
	return -EINVAL;
}

/* How many objects of each kind a model holds: what a rejected file undoes. */
struct counts {
	size_t traffic_rules, workload_rules, workloads, services;
};

static struct counts counts_of(const struct gl_model *m)
{
	return (struct counts){ m->ntraffic_rules, m->nworkload_rules, m->nworkloads,
				m->nservices };
}

/* Drops the objects added since c (their memory stays in the arena). */
static void truncate_to(struct gl_model *m, struct counts c)
{
	m->ntraffic_rules = c.traffic_rules;
	m->nworkload_rules = c.workload_rules;
	m->nworkloads = c.workloads;
	m->nservices = c.services;
}

static int load_one(void *arg, const struct gl_ydoc *doc)
{
	struct gl_load *l = arg;

	if (l->copy && !*l->copy)
		*l->copy = gl_ydoc_copy(doc);
	load_doc(l, doc);
	return l->err;
}

/*
 * A file is loaded completely or not at all: documents are loaded as they
 * are parsed, with their problems set aside, and a syntax error further on
 * takes their objects back and drops those problems, leaving the syntax
 * errors only, as if no document had been read.
 */
static int load_buffer(const char *filename, const char *buf, size_t len, bool namespaced,
		       struct gl_arena *keep, struct gl_model *m, struct gl_diags *d,
		       struct gl_ydoc **copy)
{
	struct gl_diags loaded;
	struct gl_load l = { .m = m, .d = &loaded, .namespaced = namespaced, .copy = copy };
	struct gl_arena own = { 0 }, *tree = keep ? keep : &own;
	struct counts before = counts_of(m);
	size_t errors = d->nerrors;
	int ret;

	l.file = gl_arena_strdup(&m->arena, filename ? filename : "");
	if (!l.file)
		return -ENOMEM;
	if (len > GL_RULES_FILE_MAX)
		return too_big(m, d, l.file, len);
	gl_diags_init(&loaded);
	ret = gl_yaml_parse(tree, l.file, buf, len, load_one, &l, d);
	if (keep)
		gl_arena_reset(keep);
	else
		gl_arena_free(&own);
	if (ret && copy) {
		free(*copy);	/* a syntax error further on: nothing to load again */
		*copy = NULL;
	}
	if (ret && ret != -ENOMEM && !l.err)
		truncate_to(m, before);
	else if (gl_diags_append(d, &loaded))
		ret = -ENOMEM;
	gl_diags_free(&loaded);
	m->nerrors += d->nerrors - errors;
	if (ret == -ENOMEM || l.err)
		return -ENOMEM;
	return d->nerrors > errors ? -EINVAL : 0;
}

int gl_model_load_buffer(const char *filename, const char *buf, size_t len,
			 struct gl_model *m, struct gl_diags *d)
{
	return load_buffer(filename, buf, len, false, NULL, m, d, NULL);
}

int gl_model_load_api_object(const char *source, const char *buf, size_t len,
			     struct gl_arena *tree, struct gl_model *m, struct gl_diags *d)
{
	return load_buffer(source, buf, len, true, tree, m, d, NULL);
}

int gl_model_load_api_copy(const char *source, const char *buf, size_t len,
			   struct gl_arena *tree, struct gl_model *m, struct gl_diags *d,
			   struct gl_ydoc **copy)
{
	*copy = NULL;
	return load_buffer(source, buf, len, true, tree, m, d, copy);
}

int gl_model_load_api_tree(const char *source, const struct gl_ydoc *doc, struct gl_model *m,
			   struct gl_diags *d)
{
	struct gl_load l = { .m = m, .d = d, .namespaced = true };
	size_t errors = d->nerrors;

	l.file = gl_arena_strdup(&m->arena, source);
	if (!l.file)
		return -ENOMEM;
	load_doc(&l, doc);
	m->nerrors += d->nerrors - errors;
	if (l.err)
		return -ENOMEM;
	return d->nerrors > errors ? -EINVAL : 0;
}

static int read_all(int fd, char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;	/* shrank while we read */
		got += n;
	}
	return 0;
}

int gl_model_load_file(const char *path, struct gl_model *m, struct gl_diags *d)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf = NULL;
	int ret;

	if (fd < 0)
		return gl_load_file_error(m, d, path, "cannot open rules file", errno);
	if (fstat(fd, &st)) {
		ret = gl_load_file_error(m, d, path, "cannot read rules file", errno);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		gl_diag_add(d, GL_SEV_ERROR, path, 0, 0, "not a regular file");
		m->nerrors++;
		ret = -EINVAL;
		goto out;
	}
	if (st.st_size > GL_RULES_FILE_MAX) {
		ret = too_big(m, d, path, st.st_size);
		goto out;
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}
	ret = read_all(fd, buf, st.st_size);
	if (ret)
		ret = gl_load_file_error(m, d, path, "cannot read rules file", -ret);
	else
		ret = gl_model_load_buffer(path, buf, st.st_size, m, d);
out:
	free(buf);
	close(fd);
	return ret;
}
