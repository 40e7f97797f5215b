/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal to the rules loader (load_*.c): typed access to
 * YAML fields that reports missing, mistyped and unknown fields with the
 * field's full path ("spec.ports[0].port") at the node's position.
 */
#ifndef GL_LOAD_H
#define GL_LOAD_H

#include <stdbool.h>

#include "common/diag.h"
#include "model/model.h"
#include "rules.h"
#include "ytree.h"

struct gl_load {
	struct gl_model *m;
	struct gl_diags *d;
	const char *file;	/* owned by m */
	int err;		/* sticky -ENOMEM */
	bool namespaced;	/* an API object: metadata.name is NAMESPACE/NAME */
	/* the loading document's metadata.annotations: only a WorkloadLabelRule
	 * reads one, while it loads, so objects do not keep them (40 bytes each) */
	struct gl_labels annotations;
	struct gl_ydoc **copy;	/* gl_model_load_api_copy: the first document's tree */
};

/* A field path for messages, e.g. "spec.match[2].key". */
struct gl_path {
	char s[128];
};

struct gl_path gl_path_join(const char *prefix, const char *key);
struct gl_path gl_path_index(const char *prefix, size_t i);

struct gl_pos gl_pos_of(const struct gl_load *l, const struct gl_ynode *n);

__attribute__((format(printf, 3, 4)))
void gl_lerr(struct gl_load *l, const struct gl_ynode *n, const char *fmt, ...);
__attribute__((format(printf, 3, 4)))
void gl_lwarn(struct gl_load *l, const struct gl_ynode *n, const char *fmt, ...);
__attribute__((format(printf, 3, 4)))
void gl_perr(struct gl_load *l, struct gl_pos pos, const char *fmt, ...);
__attribute__((format(printf, 3, 4)))
void gl_pwarn(struct gl_load *l, struct gl_pos pos, const char *fmt, ...);

void *gl_lalloc(struct gl_load *l, size_t size);
const char *gl_lstrdup(struct gl_load *l, const char *s);

/*
 * Field getters. A required field that is absent is reported as
 * "missing field 'PATH'" at the parent mapping; a value of the wrong type as
 * "field 'PATH' must be a T, got U" at the value. Absent (or null) optional
 * fields return NULL/false silently. *node (optional) gets the value node.
 */
const struct gl_ynode *gl_get_node(struct gl_load *l, const struct gl_ynode *map,
				   const char *prefix, const char *key, bool required);
const struct gl_ynode *gl_get_map(struct gl_load *l, const struct gl_ynode *map,
				  const char *prefix, const char *key, bool required);
const struct gl_ynode *gl_get_seq(struct gl_load *l, const struct gl_ynode *map,
				  const char *prefix, const char *key, bool required);
/* Strings: any scalar but null, as written (plain 80 reads as "80"). */
const char *gl_get_str(struct gl_load *l, const struct gl_ynode *map, const char *prefix,
		       const char *key, bool required, const struct gl_ynode **node);
const char *gl_node_str(struct gl_load *l, const struct gl_ynode *n, const char *path);
/* gl_get_str without the copy into the model, for a value read on the spot
 * (a kind, a condition): valid as long as the document's nodes. */
const char *gl_peek_str(struct gl_load *l, const struct gl_ynode *map, const char *prefix,
			const char *key, bool required, const struct gl_ynode **node);
/* Integers: plain integer scalars only; range checked by the caller. */
bool gl_get_int(struct gl_load *l, const struct gl_ynode *map, const char *prefix,
		const char *key, bool required, long long *out, const struct gl_ynode **node);
bool gl_node_int(struct gl_load *l, const struct gl_ynode *n, const char *path, long long *out);

/* Warns "unknown field 'PATH' ignored" for every key not in known (NULL-terminated). */
void gl_check_fields(struct gl_load *l, const struct gl_ynode *map, const char *prefix,
		     const char *const *known);

enum gl_labels_kind {
	GL_LABELS_LABELS,	/* metadata.labels: key and value lengths checked */
	GL_LABELS_SELECTOR,	/* like labels, and must not be empty */
	GL_LABELS_ANNOTATIONS,	/* only the key length is checked */
};

/* A string -> string mapping into *out; problems reported per entry. */
void gl_get_labels(struct gl_load *l, const struct gl_ynode *map, const char *prefix,
		   const char *key, bool required, enum gl_labels_kind kind,
		   struct gl_labels *out);

/* spec.addresses-style lists of IP literals. */
void gl_get_ips(struct gl_load *l, const struct gl_ynode *map, const char *prefix,
		const char *key, bool required, struct gl_ip **out, size_t *n);

/* Name checks shared by the kinds; each reports a problem and returns false. */
bool gl_check_lane_name(struct gl_load *l, struct gl_pos pos, const char *what,
			const char *lane);
bool gl_check_dns_subdomain(struct gl_load *l, const struct gl_ynode *n, const char *path,
			    const char *s, size_t max);

/* spec.match of a TrafficLabelRule (load_match.c) */
void gl_load_matches(struct gl_load *l, const struct gl_ynode *spec, struct gl_traffic_rule *r);
/* "PATH: WHAT: strerror(err)" as an error of m, at no line; returns -err. */
int gl_load_file_error(struct gl_model *m, struct gl_diags *d, const char *path,
		       const char *what, int err);

/* Kinds (load_traffic.c, load_inventory.c); spec is the checked spec mapping. */
void gl_load_traffic_rule(struct gl_load *l, const struct gl_ynode *spec, struct gl_meta *meta);
void gl_load_workload_rule(struct gl_load *l, const struct gl_ynode *spec, struct gl_meta *meta);
void gl_load_workload(struct gl_load *l, const struct gl_ynode *spec, struct gl_meta *meta);
void gl_load_service(struct gl_load *l, const struct gl_ynode *spec, struct gl_meta *meta);

#endif
