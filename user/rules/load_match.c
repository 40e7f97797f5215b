// SPDX-License-Identifier: Apache-2.0
/*
 * TrafficLabelRule spec.match items: {condition, type, key, value}. Every
 * item is checked against what the kernel's request-head matcher can do and
 * against its buffers' capacities.
 */
#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "common/quote.h"

static const char *const item_fields[] = { "condition", "type", "key", "value", NULL };

static int lookup(const char *s, const char *(*name)(int), int max)
{
	for (int i = 0; i < max; i++)
		if (!strcmp(name(i), s))
			return i;
	return -1;
}

static const char *cond_name(int i)
{
	return gl_cond_name(i);
}

static const char *type_name(int i)
{
	return gl_match_type_name(i);
}

static bool read_cond(struct gl_load *l, const struct gl_ynode *item, const char *path,
		      struct gl_match *m)
{
	const struct gl_ynode *n;
	const char *s = gl_peek_str(l, item, path, "condition", true, &n);
	int c;

	if (!s)
		return false;
	c = lookup(s, cond_name, GL_COND_MAX);
	if (c >= 0) {
		m->cond = c;
		return true;
	}
	if (!strcmp(s, "regex"))
		gl_lerr(l, n, "regex conditions are not supported in the kernel yet; "
			"use prefix/suffix/contains/in");
	else
		gl_lerr(l, n, "unknown condition '%s'; expected one of: ==, !=, prefix, suffix, "
			"contains, in, not_in, exists, percentage", gl_q(s).s);
	return false;
}

static bool read_type(struct gl_load *l, const struct gl_ynode *item, const char *path,
		      struct gl_match *m)
{
	const struct gl_ynode *n;
	const char *s = gl_peek_str(l, item, path, "type", true, &n);
	int t;

	if (!s)
		return false;
	t = lookup(s, type_name, GL_MATCH_TYPE_MAX);
	if (t < 0) {
		gl_lerr(l, n, "unknown match type '%s'; expected one of: header, path, method, "
			"param, cookie, host", gl_q(s).s);
		return false;
	}
	m->type = t;
	return true;
}

static bool has_ctl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/* RFC 9110 token: what a header field name may be made of. */
static bool is_token(const char *s)
{
	static const char extra[] = "!#$%&'*+-.^_`|~";

	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned char c = *s;

		if (!(c >= '0' && c <= '9') && !((c | 0x20) >= 'a' && (c | 0x20) <= 'z') &&
		    !(c && strchr(extra, c)))
			return false;
	}
	return true;
}

static bool needs_key(enum gl_match_type t)
{
	return t == GL_MATCH_HEADER || t == GL_MATCH_PARAM || t == GL_MATCH_COOKIE;
}

static bool check_key(struct gl_load *l, const struct gl_ynode *n, const char *path,
		      const struct gl_match *m)
{
	size_t len = strlen(m->key);

	if (len > GL_MATCH_KEY_MAX) {
		gl_lerr(l, n, "field '%s' is %zu bytes long; at most %d", path, len,
			GL_MATCH_KEY_MAX);
		return false;
	}
	if (m->type == GL_MATCH_HEADER && !is_token(m->key)) {
		gl_lerr(l, n, "field '%s' is '%s', which is not a valid HTTP header name",
			path, gl_q(m->key).s);
		return false;
	}
	if (has_ctl(m->key) || strpbrk(m->key, " ;=&")) {
		gl_lerr(l, n, "field '%s' is '%s', which cannot be a %s name", path,
			gl_q(m->key).s, gl_match_type_name(m->type));
		return false;
	}
	return true;
}

static bool read_key(struct gl_load *l, const struct gl_ynode *item, const char *path,
		     struct gl_match *m)
{
	const struct gl_ynode *n = gl_get_node(l, item, path, "key", false);
	struct gl_path kp = gl_path_join(path, "key");
	bool empty = !n || gl_yis_null(n) || (n->type == GL_Y_SCALAR && !n->len);

	m->key = "";
	if (!needs_key(m->type)) {
		if (!empty) {
			gl_lerr(l, n, "field '%s' must be empty for type '%s', which has no key",
				kp.s, gl_match_type_name(m->type));
			return false;
		}
		return true;
	}
	if (!n) {
		gl_lerr(l, item, "missing field '%s': type '%s' needs the %s name", kp.s,
			gl_match_type_name(m->type), gl_match_type_name(m->type));
		return false;
	}
	m->key = gl_node_str(l, n, kp.s);
	if (!m->key)
		return false;
	if (!*m->key) {
		gl_lerr(l, n, "field '%s' must not be empty: type '%s' needs the %s name", kp.s,
			gl_match_type_name(m->type), gl_match_type_name(m->type));
		return false;
	}
	return check_key(l, n, kp.s, m);
}

static const char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

/* in/not_in: "a, b,c" -> {"a", "b", "c"}, each non-empty, at most GL_IN_LIST_MAX. */
static bool split_list(struct gl_load *l, const struct gl_ynode *n, const char *path,
		       struct gl_match *m)
{
	size_t count = 1, i = 0;
	char *copy, *p;

	for (const char *c = m->value; *c; c++)
		count += *c == ',';
	if (count > GL_IN_LIST_MAX) {
		gl_lerr(l, n, "field '%s' lists %zu values for condition '%s'; at most %d",
			path, count, gl_cond_name(m->cond), GL_IN_LIST_MAX);
		return false;
	}
	copy = (char *)gl_lstrdup(l, m->value);
	m->items = gl_lalloc(l, count * sizeof(*m->items));
	if (!copy || !m->items)
		return false;
	/* strsep, not strtok: "a,,b" must show its empty value */
	while ((p = strsep(&copy, ",")) != NULL) {
		m->items[i] = trim(p);
		if (!*m->items[i]) {
			gl_lerr(l, n, "field '%s' has an empty value at position %zu of its "
				"comma-separated list", path, i + 1);
			return false;
		}
		i++;
	}
	m->nitems = i;
	return true;
}

static bool read_percent(struct gl_load *l, const struct gl_ynode *n, const char *path,
			 struct gl_match *m)
{
	const char *s = m->value;
	char *end;
	long v;

	/* value: 50 and value: "50" both read as 50 */
	v = strtol(s, &end, 10);
	if (!*s || *end || !strchr("0123456789", *s) || v > GL_PERCENT_MAX ||
	    n->sk == GL_YS_FLOAT) {
		gl_lerr(l, n, "field '%s' must be an integer 0..%d for condition 'percentage', "
			"got '%s'", path, GL_PERCENT_MAX, gl_q(s).s);
		return false;
	}
	m->percent = v;
	return true;
}

static bool check_value(struct gl_load *l, const struct gl_ynode *n, const char *path,
			struct gl_match *m)
{
	size_t len = strlen(m->value);

	if (len > GL_MATCH_VALUE_MAX) {
		gl_lerr(l, n, "field '%s' is %zu bytes long; at most %d", path, len,
			GL_MATCH_VALUE_MAX);
		return false;
	}
	if (has_ctl(m->value)) {
		gl_lerr(l, n, "field '%s' contains a control character, which no request "
			"head can carry", path);
		return false;
	}
	if (m->cond == GL_COND_IN || m->cond == GL_COND_NOT_IN)
		return split_list(l, n, path, m);
	if (m->cond == GL_COND_PERCENTAGE)
		return read_percent(l, n, path, m);
	return true;
}

static bool read_value(struct gl_load *l, const struct gl_ynode *item, const char *path,
		       struct gl_match *m)
{
	const struct gl_ynode *n = gl_get_node(l, item, path, "value", false);
	struct gl_path vp = gl_path_join(path, "value");

	m->value = "";
	if (m->cond == GL_COND_EXISTS) {
		if (n && !gl_yis_null(n) && !(n->type == GL_Y_SCALAR && !n->len))
			gl_lwarn(l, n, "field '%s' is ignored for condition 'exists'", vp.s);
		return true;
	}
	if (!n) {
		gl_lerr(l, item, "missing field '%s': condition '%s' needs a value", vp.s,
			gl_cond_name(m->cond));
		return false;
	}
	m->value = gl_node_str(l, n, vp.s);
	if (!m->value)
		return false;
	return check_value(l, n, vp.s, m);
}

/* Returns false when the item has an error (already reported). */
static bool read_item(struct gl_load *l, const struct gl_ynode *item, const char *path,
		      struct gl_match *m)
{
	bool cond_ok, type_ok, key_ok, value_ok;

	if (item->type != GL_Y_MAP) {
		gl_lerr(l, item, "field '%s' must be a mapping with condition, type, key and "
			"value, got %s", path, gl_ytype_name(item));
		return false;
	}
	gl_check_fields(l, item, path, item_fields);
	m->pos = gl_pos_of(l, item);
	cond_ok = read_cond(l, item, path, m);
	type_ok = read_type(l, item, path, m);
	/* what key and value must be depends on type and condition: judge only when known */
	key_ok = type_ok && read_key(l, item, path, m);
	value_ok = cond_ok && read_value(l, item, path, m);
	return cond_ok && type_ok && key_ok && value_ok;
}

void gl_load_matches(struct gl_load *l, const struct gl_ynode *spec, struct gl_traffic_rule *r)
{
	const struct gl_ynode *seq = gl_get_seq(l, spec, "spec", "match", true);
	size_t n = seq ? seq->nkids : 0;

	if (!seq)
		return;
	if (!n) {
		gl_lwarn(l, seq, "'spec.match' is empty: the rule labels every request of the "
			 "workloads it selects");
		return;
	}
	if (n > GL_MATCH_ITEMS_MAX)
		gl_lerr(l, seq->kids[GL_MATCH_ITEMS_MAX], "'spec.match' has %zu items; a rule "
			"has at most %d", n, GL_MATCH_ITEMS_MAX);
	r->match = gl_lalloc(l, n * sizeof(*r->match));
	if (!r->match)
		return;
	for (size_t i = 0; i < n; i++) {
		struct gl_path p = gl_path_index("spec.match", i);

		if (read_item(l, seq->kids[i], p.s, &r->match[r->nmatch]))
			r->nmatch++;
	}
}
