// SPDX-License-Identifier: Apache-2.0
/* graylaned's log lines: logfmt or JSON, one per event (log.h). */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/json.h"
#include "log.h"

static enum gl_log_level min_level = GL_LOG_INFO;
static int as_json;

static const char *const level_names[] = { "debug", "info", "warn", "error" };

int gl_log_level_parse(const char *s, enum gl_log_level *out)
{
	for (int i = 0; i <= GL_LOG_ERROR; i++)
		if (!strcmp(s, level_names[i])) {
			*out = (enum gl_log_level)i;
			return 0;
		}
	return -EINVAL;
}

int gl_log_format_parse(const char *s, int *json)
{
	if (strcmp(s, "text") && strcmp(s, "json"))
		return -EINVAL;
	*json = !strcmp(s, "json");
	return 0;
}

void gl_log_setup(enum gl_log_level min, int json)
{
	min_level = min;
	as_json = json;
}

/* logfmt's quoting: bare when the value has no blank, quote or '=' */
static void text_value(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (isspace((unsigned char)s[i]) || s[i] == '"' || s[i] == '=' || s[i] == '\\')
			break;
	if (n && i == n) {
		fwrite(s, 1, n, stderr);
		return;
	}
	fputc('"', stderr);
	for (i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\')
			fputc('\\', stderr);
		fputc(s[i], stderr);
	}
	fputc('"', stderr);
}

/* A JSON number: an integer or a decimal, at most 15 digits (exact in a
 * double; a 16-digit hex digest stays a string), no leading zero. */
static int is_number(const char *s, size_t n)
{
	size_t i = 0, digits = 0, dots = 0;

	if (n && s[0] == '-')
		i = 1;
	if (i == n || (s[i] == '0' && n > i + 1 && s[i + 1] != '.'))
		return 0;
	for (; i < n; i++) {
		if (s[i] == '.' && digits && !dots && i + 1 < n)
			dots++;
		else if (isdigit((unsigned char)s[i]))
			digits++;
		else
			return 0;
	}
	return digits && digits <= 15;
}

static void json_value(const char *s, size_t n)
{
	char buf[1024];

	if (is_number(s, n)) {
		fwrite(s, 1, n, stderr);
		return;
	}
	snprintf(buf, sizeof(buf), "%.*s", (int)n, s);
	gl_json_str(stderr, buf);
}

/* The fields "k=v k=v": each pair as the format writes it. */
static void put_fields(const char *f)
{
	while (*f) {
		const char *k = f, *eq, *end;

		while (*k == ' ')
			k++;
		if (!*k)
			break;
		end = k + strcspn(k, " ");
		eq = memchr(k, '=', end - k);
		f = end;
		if (!eq || eq == k)
			continue;
		if (as_json) {
			fprintf(stderr, ",\"%.*s\":", (int)(eq - k), k);
			json_value(eq + 1, end - eq - 1);
		} else {
			fprintf(stderr, " %.*s=", (int)(eq - k), k);
			text_value(eq + 1, end - eq - 1);
		}
	}
}

static void emit(enum gl_log_level lv, const char *msg, const char *fields)
{
	struct timespec ts;
	struct tm tm;
	char when[96];

	if (lv < min_level)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(when, sizeof(when), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
	if (as_json) {
		fprintf(stderr, "{\"time\":\"%s\",\"level\":\"%s\",\"msg\":", when, level_names[lv]);
		gl_json_str(stderr, msg);
	} else {
		fprintf(stderr, "time=%s level=%s msg=", when, level_names[lv]);
		text_value(msg, strlen(msg));
	}
	if (fields)
		put_fields(fields);
	fputs(as_json ? "}\n" : "\n", stderr);
}

void gl_log(enum gl_log_level lv, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	emit(lv, msg, NULL);
}

void gl_log_kv(enum gl_log_level lv, const char *msg, const char *fields_fmt, ...)
{
	char fields[1024];
	va_list ap;

	va_start(ap, fields_fmt);
	vsnprintf(fields, sizeof(fields), fields_fmt, ap);
	va_end(ap);
	emit(lv, msg, fields);
}

void gl_log_diags(const struct gl_diags *d)
{
	if (!as_json) {
		gl_diags_print(d, stderr);	/* the compiler's form operators know */
		return;
	}
	for (size_t i = 0; i < d->n; i++) {
		const struct gl_diag *g = &d->v[i];

		/* a file name with a blank cannot be a bare field: it goes in msg */
		if (strchr(g->file, ' '))
			gl_log(g->sev == GL_SEV_ERROR ? GL_LOG_ERROR : GL_LOG_WARN, "%s:%u:%u: %s",
			       g->file, g->line, g->col, g->msg);
		else
			gl_log_kv(g->sev == GL_SEV_ERROR ? GL_LOG_ERROR : GL_LOG_WARN, g->msg,
				  "file=%s line=%u col=%u", g->file, g->line, g->col);
	}
	if (d->dropped)
		gl_log_kv(GL_LOG_ERROR, "more diagnostics lost (out of memory)", "lost=%zu",
			  d->dropped);
}
