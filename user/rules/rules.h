/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The rules stage: YAML files -> a validated model. Every problem goes to
 * the diagnostics list with its file:line:col; a set with an error is never
 * handed on (the caller keeps the rules in force).
 */
#ifndef GL_USER_RULES_H
#define GL_USER_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "common/arena.h"
#include "common/diag.h"
#include "model/model.h"

struct gl_ydoc;

/*
 * Loaders add every object they can read to m and every problem to d.
 * They return 0 when nothing was wrong, -EINVAL when an error was reported,
 * or another negative errno when the input could not be read at all (also
 * reported in d).
 */
/* A file name the directory loader reads: *.yaml or *.yml, no dotfile. */
bool gl_rules_file_name(const char *name);
/* *.yaml and *.yml files of dir (not its subdirectories), sorted by name. */
int gl_model_load_dir(const char *dir, struct gl_model *m, struct gl_diags *d);
int gl_model_load_file(const char *path, struct gl_model *m, struct gl_diags *d);
/* filename is only used in diagnostics. */
int gl_model_load_buffer(const char *filename, const char *buf, size_t len,
			 struct gl_model *m, struct gl_diags *d);
/*
 * One object of the Kubernetes API, rendered as a document of one of the
 * kinds above (user/inventory/k8s_map*.c): the same checks as a file's,
 * metadata.name written NAMESPACE/NAME; source names it in diagnostics
 * ("k8s:pods/default/a-gray-7d9f"). tree (may be NULL) is kept for the
 * next object's YAML tree: thousands of small objects need not allocate
 * and free a block each.
 */
int gl_model_load_api_object(const char *source, const char *buf, size_t len,
			     struct gl_arena *tree, struct gl_model *m, struct gl_diags *d);
/*
 * The same, and *copy (when not NULL) a copy of the buffer's first document
 * as parsed, to load again with gl_model_load_api_tree while the object is
 * unchanged: the same checks, diagnostics and positions without parsing the
 * text again. *copy is NULL after a syntax error or without memory; free()
 * frees it.
 */
int gl_model_load_api_copy(const char *source, const char *buf, size_t len,
			   struct gl_arena *tree, struct gl_model *m, struct gl_diags *d,
			   struct gl_ydoc **copy);
int gl_model_load_api_tree(const char *source, const struct gl_ydoc *doc, struct gl_model *m,
			   struct gl_diags *d);

/*
 * Checks across documents (duplicates, conflicts, capacities, selectors) and
 * assigns lanes: m->lanes and each workload's lane. Returns 0, or -EINVAL if
 * this model has any error, found now or while loading.
 */
int gl_model_validate(struct gl_model *m, struct gl_diags *d);

#endif
