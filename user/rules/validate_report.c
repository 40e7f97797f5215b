// SPDX-License-Identifier: Apache-2.0
/*
 * How the checks across documents (validate_*.c) report: errors and
 * warnings at a position, and the second place a conflict names.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "common/quote.h"
#include "validate.h"

static void vreport(struct gl_vctx *v, enum gl_severity sev, struct gl_pos pos,
		    const char *fmt, va_list ap)
{
	if (gl_diag_vadd(v->d, sev, pos.file, pos.line, pos.col, fmt, ap))
		v->err = -ENOMEM;
}

void gl_verr(struct gl_vctx *v, struct gl_pos pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(v, GL_SEV_ERROR, pos, fmt, ap);
	va_end(ap);
}

void gl_vwarn(struct gl_vctx *v, struct gl_pos pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(v, GL_SEV_WARNING, pos, fmt, ap);
	va_end(ap);
}

struct gl_where gl_where(struct gl_pos pos)
{
	struct gl_where w;

	snprintf(w.s, sizeof(w.s), "%s:%u:%u", gl_q(pos.file).s, pos.line, pos.col);
	return w;
}

const char *gl_obj_name(const struct gl_meta *meta)
{
	return meta->name ? meta->name : "(unnamed)";
}
