// SPDX-License-Identifier: Apache-2.0
/*
 * The pinned maps' layout against a new build's (layout.h): shapes from the
 * kernel's map info and BTF on one side and the opened object on the other,
 * and a verdict per map by what it holds.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <graylane/abi.h>

#include "common/fnv.h"
#include "layout.h"

static const struct {
	const char *name;
	enum gl_map_class cls;
} classes[] = {
	{ "gl_config", GL_MAPS_PLAN }, { "gl_lanes", GL_MAPS_PLAN },
	{ "gl_lane_ids", GL_MAPS_PLAN }, { "gl_workloads", GL_MAPS_PLAN },
	{ "gl_services", GL_MAPS_PLAN }, { "gl_backends", GL_MAPS_PLAN },
	{ "gl_rules", GL_MAPS_PLAN }, { "gl_wants", GL_MAPS_PLAN },
	{ "gl_shadows", GL_MAPS_PLAN },
	{ "gl_stats", GL_MAPS_COUNTERS }, { "gl_lane_stats", GL_MAPS_COUNTERS },
	{ "gl_service_stats", GL_MAPS_COUNTERS },
	{ "gl_events", GL_MAPS_SCRATCH }, { "gl_watch", GL_MAPS_SCRATCH },
	{ "gl_watch_rate", GL_MAPS_SCRATCH }, { "gl_decisions", GL_MAPS_SCRATCH },
};

enum gl_map_class gl_layout_class(const char *map)
{
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		if (!strcmp(classes[i].name, map))
			return classes[i].cls;
	return GL_MAPS_STATE;	/* unknown maps are treated as the most careful kind */
}

const char *gl_layout_verdict_name(enum gl_layout_verdict v)
{
	static const char *const n[] = { "same", "new", "rebuild", "carry", "reset", "refuse",
					  "retired" };

	return v <= GL_LV_RETIRED ? n[v] : "?";
}

const char *gl_layout_class_name(enum gl_map_class c)
{
	static const char *const n[] = { "plan", "counters", "scratch", "state" };

	return c <= GL_MAPS_STATE ? n[c] : "?";
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	return gl_fnv64(h, &v, sizeof(v));
}

static uint64_t mix_str(uint64_t h, const char *s)
{
	return gl_fnv64(h, s ? s : "", s ? strlen(s) + 1 : 1);
}

/*
 * The shape of a BTF type: typedefs and qualifiers skipped, integers and
 * enums by size (enums with their enumerators), structs by size and their
 * members' names, offsets and shapes. Names of types do not matter.
 */
const struct btf_type *gl_layout_resolve(const struct btf *btf, uint32_t *id)
{
	const struct btf_type *t = btf__type_by_id(btf, *id);

	while (t && (btf_is_mod(t) || btf_is_typedef(t))) {
		*id = t->type;
		t = btf__type_by_id(btf, *id);
	}
	return t;
}

static uint64_t type_shape(const struct btf *btf, uint32_t id, uint64_t h, int depth)
{
	const struct btf_type *t = gl_layout_resolve(btf, &id);

	if (!t || depth > 8)
		return mix(h, 0xdead);
	h = mix(h, btf_kind(t));
	if (btf_is_int(t))
		return mix(h, t->size);
	if (btf_is_enum(t)) {
		h = mix(h, t->size);
		for (int i = 0; i < btf_vlen(t); i++)
			h = mix(mix_str(h, btf__name_by_offset(btf, btf_enum(t)[i].name_off)),
				(uint64_t)btf_enum(t)[i].val);
		return h;
	}
	if (btf_is_composite(t)) {
		h = mix(h, t->size);
		for (int i = 0; i < btf_vlen(t); i++) {
			const struct btf_member *m = btf_members(t) + i;

			h = mix_str(h, btf__name_by_offset(btf, m->name_off));
			h = mix(h, btf_member_bit_offset(t, i));
			h = type_shape(btf, m->type, h, depth + 1);
		}
		return h;
	}
	if (btf_is_array(t))
		return type_shape(btf, btf_array(t)->type, mix(h, btf_array(t)->nelems), depth + 1);
	return h;	/* pointers and the rest: the kind is the shape */
}

uint64_t gl_layout_type_shape(const struct btf *btf, uint32_t id)
{
	return type_shape(btf, id, GL_FNV64_INIT, 0);
}

const char *gl_layout_key_enum(const char *map)
{
	return !strcmp(map, "gl_stats") ? "gl_stat" : NULL;
}

/* The key's and value's shapes, and the enum that names the keys, if any. */
static uint64_t kv_shape(const struct btf *btf, const char *map, uint32_t key, uint32_t value)
{
	uint64_t h = GL_FNV64_INIT;
	const char *e = gl_layout_key_enum(map);
	int id;

	if (!btf)
		return h;
	h = key ? type_shape(btf, key, mix(h, 'k'), 0) : mix(h, 0);
	h = value ? type_shape(btf, value, mix(h, 'v'), 0) : mix(h, 0);
	if (e && (id = btf__find_by_name_kind(btf, e, BTF_KIND_ENUM)) > 0)
		h = type_shape(btf, id, mix(h, 'e'), 0);
	return h;
}

int gl_layout_shape_of_map(const struct bpf_object *obj, const struct bpf_map *m,
			   struct gl_map_shape *s)
{
	const struct btf *btf = bpf_object__btf(obj);

	s->type = bpf_map__type(m);
	s->key_size = bpf_map__key_size(m);
	s->value_size = bpf_map__value_size(m);
	s->max_entries = bpf_map__max_entries(m);
	s->flags = bpf_map__map_flags(m);
	s->btf = kv_shape(btf, bpf_map__name(m), bpf_map__btf_key_type_id(m),
			  bpf_map__btf_value_type_id(m));
	s->has_btf = btf && (bpf_map__btf_key_type_id(m) || bpf_map__btf_value_type_id(m));
	return 0;
}

int gl_layout_shape_of_fd(int fd, struct gl_map_shape *s)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	struct btf *btf = NULL;

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	s->type = info.type;
	s->key_size = info.key_size;
	s->value_size = info.value_size;
	s->max_entries = info.max_entries;
	s->flags = info.map_flags;
	if (info.btf_id)
		btf = btf__load_from_kernel_by_id(info.btf_id);
	s->btf = kv_shape(btf, info.name, info.btf_key_type_id, info.btf_value_type_id);
	s->has_btf = btf && (info.btf_key_type_id || info.btf_value_type_id);
	btf__free(btf);
	return 0;
}

static int same_shape(const struct gl_map_shape *a, const struct gl_map_shape *b)
{
	return a->type == b->type && a->key_size == b->key_size &&
	       a->value_size == b->value_size && a->max_entries == b->max_entries &&
	       a->flags == b->flags && (a->btf == b->btf || !a->has_btf || !b->has_btf);
}

static struct gl_layout_row *row(struct gl_layout *lay, const char *name)
{
	for (int i = 0; i < lay->nrows; i++)
		if (!strcmp(lay->rows[i].name, name))
			return &lay->rows[i];
	if (lay->nrows == GL_LAYOUT_ROWS_MAX || strlen(name) >= sizeof(lay->rows[0].name))
		return NULL;
	struct gl_layout_row *r = &lay->rows[lay->nrows++];

	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->cls = gl_layout_class(name);
	return r;
}

/* gl_config.layout of the pins, found by its name in the pinned map's BTF. */
uint32_t gl_layout_pinned(const char *root)
{
	/* opened by path, not gl_pins_map_fd: pins.c calls this file */
	char path[4096];
	int fd = snprintf(path, sizeof(path), "%s/gl_config", root) < (int)sizeof(path) ?
		 bpf_obj_get(path) : -1;
	struct bpf_map_info info;
	__u32 len = sizeof(info), zero = 0, layout = 1;
	unsigned char val[512];
	struct btf *btf = NULL;
	const struct btf_type *t;

	if (fd < 0)
		return 0;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.value_size > sizeof(val) ||
	    bpf_map_lookup_elem(fd, &zero, val) || !info.btf_id ||
	    !(btf = btf__load_from_kernel_by_id(info.btf_id)))
		goto out;
	t = btf__type_by_id(btf, info.btf_value_type_id);
	for (int i = 0; t && btf_is_composite(t) && i < btf_vlen(t); i++)
		if (!strcmp(btf__name_by_offset(btf, btf_members(t)[i].name_off), "layout") &&
		    btf_member_bit_offset(t, i) / 8 + 4 <= info.value_size)
			memcpy(&layout, val + btf_member_bit_offset(t, i) / 8, 4);
out:
	btf__free(btf);
	close(fd);
	return layout;
}

/* Every map pinned directly under root (the gl_* pins). */
static void scan_pins(const char *root, struct gl_layout *lay)
{
	DIR *d = opendir(root);
	struct dirent *e;
	char path[4096];

	while (d && (e = readdir(d))) {
		struct gl_layout_row *r;
		struct gl_map_shape s;
		int fd;

		if (strncmp(e->d_name, "gl_", 3) ||
		    snprintf(path, sizeof(path), "%s/%s", root, e->d_name) >= (int)sizeof(path))
			continue;
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		if (!gl_layout_shape_of_fd(fd, &s) && (r = row(lay, e->d_name))) {
			r->pinned = 1;
			r->old = s;
		}
		close(fd);
	}
	if (d)
		closedir(d);
}

static enum gl_layout_verdict verdict(const struct gl_layout_row *r)
{
	if (!r->built)
		return GL_LV_RETIRED;
	if (!r->pinned)
		return GL_LV_NEW;
	if (same_shape(&r->old, &r->cur))
		return GL_LV_SAME;
	switch (r->cls) {
	case GL_MAPS_PLAN:
		return GL_LV_REBUILD;
	case GL_MAPS_COUNTERS:
		return GL_LV_CARRY;
	case GL_MAPS_SCRATCH:
		return GL_LV_RESET;
	default:
		return GL_LV_REFUSE;
	}
}

static void decide(struct gl_layout *lay)
{
	for (int i = 0; i < lay->nrows; i++) {
		struct gl_layout_row *r = &lay->rows[i];

		r->verdict = verdict(r);
		lay->refuse |= r->verdict == GL_LV_REFUSE;
		lay->rebuild |= r->verdict == GL_LV_REBUILD;
		lay->changed |= r->verdict != GL_LV_SAME && r->verdict != GL_LV_NEW;
	}
	/* the plan maps hold one generation together: rebuilt as a set */
	for (int i = 0; lay->rebuild && i < lay->nrows; i++)
		if (lay->rows[i].cls == GL_MAPS_PLAN && lay->rows[i].verdict == GL_LV_SAME)
			lay->rows[i].verdict = GL_LV_REBUILD;
}

int gl_layout_compare(const char *root, struct bpf_object *obj, struct gl_layout *lay)
{
	struct bpf_map *m;

	memset(lay, 0, sizeof(*lay));
	lay->built_layout = GL_LAYOUT_VERSION;
	lay->pinned_layout = gl_layout_pinned(root);
	scan_pins(root, lay);
	if (!obj)
		return 0;
	bpf_object__for_each_map(m, obj) {
		struct gl_layout_row *r;

		if (!bpf_map__pin_path(m) || !(r = row(lay, bpf_map__name(m))))
			continue;
		r->built = 1;
		gl_layout_shape_of_map(obj, m, &r->cur);
	}
	decide(lay);
	return lay->nrows == GL_LAYOUT_ROWS_MAX ? -E2BIG : 0;
}

void gl_layout_refusal(const struct gl_layout *lay, const char *root, char *buf, size_t len)
{
	const char *name = "?";

	for (int i = 0; i < lay->nrows; i++)
		if (lay->rows[i].verdict == GL_LV_REFUSE) {
			name = lay->rows[i].name;
			break;
		}
	snprintf(buf, len, "cannot take over the maps pinned under %s (layout %u) with layout %u: "
		 "%s holds open connections' state and its layout changed, so it cannot be "
		 "replaced under them; nothing was changed and the running data path stays. "
		 "Drain the node, run 'graylane uninstall --pin-root %s', then start this daemon "
		 "('graylane layout --pin-root %s' lists every map)", root, lay->pinned_layout,
		 lay->built_layout, name, root, root);
}
