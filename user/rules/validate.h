/* SPDX-License-Identifier: Apache-2.0 */
/* Internal to gl_model_validate (validate*.c): the checks across documents. */
#ifndef GL_VALIDATE_H
#define GL_VALIDATE_H

#include "common/diag.h"
#include "model/model.h"
#include "rules.h"

struct gl_vctx {
	struct gl_model *m;
	struct gl_diags *d;
	int err;		/* sticky -ENOMEM */
};

/* validate_report.c */
__attribute__((format(printf, 3, 4)))
void gl_verr(struct gl_vctx *v, struct gl_pos pos, const char *fmt, ...);
__attribute__((format(printf, 3, 4)))
void gl_vwarn(struct gl_vctx *v, struct gl_pos pos, const char *fmt, ...);

/* "FILE:LINE:COL" of pos, for messages that point at a second place. */
struct gl_where {
	char s[300];
};
struct gl_where gl_where(struct gl_pos pos);

const char *gl_obj_name(const struct gl_meta *meta);

/* validate_lanes.c */
void gl_validate_lanes(struct gl_vctx *v);
/* validate_claims.c: addresses, cgroups, service keys, endpoint capacities */
void gl_validate_claims(struct gl_vctx *v);
/* validate_entries.c: rules and header names per entry workload */
void gl_validate_entries(struct gl_vctx *v);
/* Shadow tables: plain names, one per table and lane, the kernel's capacities. */
void gl_validate_tables(struct gl_vctx *v);

#endif
