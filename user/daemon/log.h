/* SPDX-License-Identifier: Apache-2.0 */
/*
 * graylaned's log: one line per event on stderr, with a time, a level, the
 * message and key=value fields; as logfmt (--log-format text, the default)
 * or one JSON object per line (--log-format json). --log-level drops the
 * events below it.
 *
 *   time=2026-12-06T04:40:24.123Z level=info msg="generation 3 applied: ..." generation=3
 *   {"time":"2026-12-06T04:40:24.123Z","level":"info","msg":"generation 3 applied: ...","generation":3}
 */
#ifndef GL_LOG_H
#define GL_LOG_H

#include <stdio.h>

#include "common/diag.h"

enum gl_log_level {
	GL_LOG_DEBUG,
	GL_LOG_INFO,
	GL_LOG_WARN,
	GL_LOG_ERROR,
};

/* "debug", "info", "warn", "error" / "text", "json": 0, or -EINVAL. */
int gl_log_level_parse(const char *s, enum gl_log_level *out);
int gl_log_format_parse(const char *s, int *json);
void gl_log_setup(enum gl_log_level min, int json);

/* One event: the message formatted from fmt, no fields. */
__attribute__((format(printf, 2, 3)))
void gl_log(enum gl_log_level lv, const char *fmt, ...);
/* One event: msg as is, and the fields fields_fmt formats: space-separated
 * key=value pairs whose values have no blank (numbers, names, paths);
 * numbers become JSON numbers. */
__attribute__((format(printf, 3, 4)))
void gl_log_kv(enum gl_log_level lv, const char *msg, const char *fields_fmt, ...);
/* Every diagnostic of d as an event: error or warn, with file, line, col.
 * In text format they keep the compiler's "FILE:LINE:COL: error: MSG" form. */
void gl_log_diags(const struct gl_diags *d);

#endif
