// SPDX-License-Identifier: Apache-2.0
/*
 * Values shared by the rule kinds: label maps, IP address lists and names,
 * each checked against its capacity (include/graylane/limits.h) so the
 * kernel never meets a value that does not fit.
 */
#include <errno.h>
#include <arpa/inet.h>
#include <string.h>

#include "load.h"
#include "common/quote.h"

static bool is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* RFC 1123 label (with dots: subdomain): [a-z0-9.-], alphanumeric at both ends. */
static bool dns_chars(const char *s, bool dots)
{
	size_t len = strlen(s);

	if (!len || !is_lower_alnum(s[0]) || !is_lower_alnum(s[len - 1]))
		return false;
	for (; *s; s++)
		if (!is_lower_alnum(*s) && *s != '-' && !(dots && *s == '.'))
			return false;
	return true;
}

bool gl_lane_name_ok(const char *lane)
{
	return strcmp(lane, GL_BASE_LANE_NAME) && strlen(lane) <= GL_LANE_NAME_LEN_MAX &&
	       dns_chars(lane, false);
}

bool gl_check_lane_name(struct gl_load *l, struct gl_pos pos, const char *what,
			const char *lane)
{
	size_t len = strlen(lane);

	if (!strcmp(lane, GL_BASE_LANE_NAME)) {
		gl_perr(l, pos, "%s: lane name 'base' is reserved for the base lane, "
			"which is the default and never named in rules", what);
		return false;
	}
	if (len > GL_LANE_NAME_LEN_MAX) {
		gl_perr(l, pos, "%s: lane name '%s' is %zu bytes long; at most %d",
			what, gl_q(lane).s, len, GL_LANE_NAME_LEN_MAX);
		return false;
	}
	if (!dns_chars(lane, false)) {
		gl_perr(l, pos, "%s: lane name '%s' must be a DNS label: lowercase letters, "
			"digits and '-', starting and ending with a letter or digit",
			what, gl_q(lane).s);
		return false;
	}
	return true;
}

bool gl_check_dns_subdomain(struct gl_load *l, const struct gl_ynode *n, const char *path,
			    const char *s, size_t max)
{
	size_t len = strlen(s);

	if (!len) {
		gl_lerr(l, n, "field '%s' must not be empty", path);
		return false;
	}
	if (len > max) {
		gl_lerr(l, n, "field '%s' is %zu bytes long; at most %zu", path, len, max);
		return false;
	}
	if (!dns_chars(s, true)) {
		gl_lerr(l, n, "field '%s' is '%s'; it must be a DNS subdomain: lowercase "
			"letters, digits, '-' and '.', starting and ending with a letter or digit",
			path, gl_q(s).s);
		return false;
	}
	return true;
}

/* Kubernetes label keys: [prefix/]name, prefix <= 253, name 1..63 bytes. */
static bool check_label_key(struct gl_load *l, const struct gl_ynode *k, const char *path)
{
	const char *slash = strrchr(k->str, '/');
	size_t name = slash ? strlen(slash + 1) : k->len;
	size_t prefix = slash ? (size_t)(slash - k->str) : 0;

	if (!name) {
		gl_lerr(l, k, "empty label key in '%s'", path);
		return false;
	}
	if (name > GL_LABEL_NAME_MAX || prefix > GL_LABEL_PREFIX_MAX) {
		gl_lerr(l, k, "label key '%s' in '%s' is too long: at most %d bytes before "
			"the '/' and %d after it", gl_q(k->str).s, path,
			GL_LABEL_PREFIX_MAX, GL_LABEL_NAME_MAX);
		return false;
	}
	return true;
}

/* A table rule's db and table values are MySQL names, checked by its loader. */
static bool value_is_sql_name(const struct gl_ynode *map, enum gl_labels_kind kind,
			      const char *key)
{
	return kind == GL_LABELS_SELECTOR && gl_ymap_get(map, "table") &&
	       (!strcmp(key, "db") || !strcmp(key, "table"));
}

static bool read_label(struct gl_load *l, const struct gl_ynode *map, size_t i,
		       const char *path, enum gl_labels_kind kind, struct gl_label *out)
{
	const struct gl_ynode *k = gl_ymap_key(map, i), *v = gl_ymap_val(map, i);
	const char *value;

	if (!check_label_key(l, k, path))
		return false;
	value = gl_node_str(l, v, gl_path_join(path, gl_q(k->str).s).s);
	if (!value)
		return false;
	if (kind != GL_LABELS_ANNOTATIONS && !value_is_sql_name(map, kind, k->str) &&
	    strlen(value) > GL_LABEL_VALUE_MAX) {
		gl_lerr(l, v, "value of label '%s' in '%s' is %zu bytes long; at most %d",
			gl_q(k->str).s, path, strlen(value), GL_LABEL_VALUE_MAX);
		return false;
	}
	out->key = gl_lstrdup(l, k->str);
	out->value = value;
	out->key_pos = gl_pos_of(l, k);
	out->value_pos = gl_pos_of(l, v);
	return out->key != NULL;
}

void gl_get_labels(struct gl_load *l, const struct gl_ynode *map, const char *prefix,
		   const char *key, bool required, enum gl_labels_kind kind,
		   struct gl_labels *out)
{
	const struct gl_ynode *v = gl_get_map(l, map, prefix, key, required);
	struct gl_path path = gl_path_join(prefix, key);
	size_t n = gl_ymap_len(v);

	memset(out, 0, sizeof(*out));
	if (!v)
		return;
	out->pos = gl_pos_of(l, v);
	if (!n && kind == GL_LABELS_SELECTOR) {
		gl_lerr(l, v, "'%s' is empty; it must name at least one label", path.s);
		return;
	}
	/* metadata.labels apart: gl_model_drop_labels frees them before compile */
	out->v = gl_arena_alloc(kind == GL_LABELS_LABELS ? &l->m->label_arena : &l->m->arena,
				(n ? n : 1) * sizeof(*out->v));
	if (!out->v) {
		l->err = -ENOMEM;
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (read_label(l, v, i, path.s, kind, &out->v[out->n]))
			out->n++;
}

static bool all_zero(const __u8 *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

static bool parse_ip(struct gl_load *l, const struct gl_ynode *n, const char *path,
		     struct gl_ip *ip)
{
	const char *s;

	if (n->type != GL_Y_SCALAR || n->sk == GL_YS_NULL) {
		gl_lerr(l, n, "field '%s' must be an IP address, got %s", path, gl_ytype_name(n));
		return false;
	}
	s = n->str;
	memset(ip, 0, sizeof(*ip));
	if (inet_pton(AF_INET, s, ip->addr) == 1)
		ip->family = GL_FAMILY_INET;
	else if (inet_pton(AF_INET6, s, ip->addr) == 1)
		ip->family = GL_FAMILY_INET6;
	else {
		gl_lerr(l, n, "field '%s' is '%s', which is not an IPv4 or IPv6 address%s",
			path, gl_q(s).s, strchr(s, '/') ? " (write single addresses, not ranges)" :
			strchr(s, '%') ? " (zone indexes are not supported)" : "");
		return false;
	}
	if (all_zero(ip->addr, sizeof(ip->addr))) {
		gl_lerr(l, n, "field '%s' is the unspecified address %s; write the address "
			"the workload is reached at", path, gl_q(s).s);
		return false;
	}
	ip->pos = gl_pos_of(l, n);
	return true;
}

void gl_get_ips(struct gl_load *l, const struct gl_ynode *map, const char *prefix,
		const char *key, bool required, struct gl_ip **out, size_t *n)
{
	const struct gl_ynode *v = gl_get_seq(l, map, prefix, key, required);
	struct gl_path path = gl_path_join(prefix, key);

	*out = NULL;
	*n = 0;
	if (!v || !v->nkids)
		return;
	*out = gl_lalloc(l, v->nkids * sizeof(**out));
	if (!*out)
		return;
	for (size_t i = 0; i < v->nkids; i++)
		if (parse_ip(l, v->kids[i], gl_path_index(path.s, i).s, &(*out)[*n]))
			(*n)++;
}
