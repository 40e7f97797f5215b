// SPDX-License-Identifier: Apache-2.0
/*
 * Values carried between maps of two layouts (carry.h): a translation of
 * keys and values built from both maps' BTF, a snapshot, and the deltas.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "carry.h"
#include "layout.h"

#define FIELDS_MAX 64

/* One scalar (or same-shaped) piece of a value: where it was, where it goes. */
struct field {
	uint32_t old_off, new_off, size;
	int counter;		/* an integer: what was counted since the snapshot is added */
};

/* How an old key or value becomes a new one. */
struct xlate {
	int nfields;
	struct field f[FIELDS_MAX];
	int nenum;		/* > 0: a scalar enum, translated by enumerator name */
	int64_t *eold, *enew;
};

struct gl_carry_map {
	int old_fd, new_fd, ncpu;
	uint32_t oks, nks, ovs, nvs, ostride, nstride;
	struct xlate kx, vx;
	unsigned char *keys, *vals;	/* snapshot: old keys, old values (all CPUs) */
	size_t n;
};

static int is_scalar(const struct btf_type *t)
{
	return t && (btf_is_int(t) || btf_is_enum(t));
}

static int enum_map(struct xlate *x, const struct btf *ob, const struct btf_type *ot,
		    const struct btf *nb, const struct btf_type *nt)
{
	int n = btf_vlen(ot);

	x->eold = calloc(n + 1, sizeof(int64_t));
	x->enew = calloc(n + 1, sizeof(int64_t));
	if (!x->eold || !x->enew)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		const char *name = btf__name_by_offset(ob, btf_enum(ot)[i].name_off);

		for (int j = 0; j < btf_vlen(nt); j++)
			if (!strcmp(name, btf__name_by_offset(nb, btf_enum(nt)[j].name_off))) {
				x->eold[x->nenum] = btf_enum(ot)[i].val;
				x->enew[x->nenum++] = btf_enum(nt)[j].val;
			}
	}
	x->nenum = x->nenum ? x->nenum : -1;	/* an enum with no name in common */
	return 0;
}

static void add_field(struct xlate *x, uint32_t oo, uint32_t no, uint32_t size, int counter)
{
	if (x->nfields < FIELDS_MAX)
		x->f[x->nfields++] = (struct field){ oo, no, size, counter };
}

/* Members of two structs matched by name: scalars of one size, or equal shapes. */
static void members(struct xlate *x, const struct btf *ob, const struct btf_type *ot,
		    const struct btf *nb, const struct btf_type *nt)
{
	for (int j = 0; j < btf_vlen(nt); j++) {
		const struct btf_member *nm = btf_members(nt) + j;
		const char *name = btf__name_by_offset(nb, nm->name_off);

		for (int i = 0; *name && i < btf_vlen(ot); i++) {
			const struct btf_member *om = btf_members(ot) + i;
			uint32_t oid = om->type, nid = nm->type;
			const struct btf_type *omt = gl_layout_resolve(ob, &oid);
			const struct btf_type *nmt = gl_layout_resolve(nb, &nid);
			__s64 osz = btf__resolve_size(ob, oid), nsz = btf__resolve_size(nb, nid);

			if (strcmp(name, btf__name_by_offset(ob, om->name_off)) ||
			    btf_member_bitfield_size(ot, i) || btf_member_bitfield_size(nt, j) ||
			    osz != nsz || osz <= 0)
				continue;
			if (is_scalar(omt) && is_scalar(nmt))
				add_field(x, btf_member_bit_offset(ot, i) / 8,
					  btf_member_bit_offset(nt, j) / 8, osz, btf_is_int(omt));
			else if (gl_layout_type_shape(ob, oid) == gl_layout_type_shape(nb, nid))
				add_field(x, btf_member_bit_offset(ot, i) / 8,
					  btf_member_bit_offset(nt, j) / 8, osz, 0);
		}
	}
}

/* The translation of one type (a key's or a value's) between the two BTFs. */
static int xlate_build(struct xlate *x, const struct btf *ob, uint32_t oid, uint32_t osz,
		       const struct btf *nb, uint32_t nid, uint32_t nsz)
{
	const struct btf_type *ot = ob && oid ? gl_layout_resolve(ob, &oid) : NULL;
	const struct btf_type *nt = nb && nid ? gl_layout_resolve(nb, &nid) : NULL;

	memset(x, 0, sizeof(*x));
	if (ot && nt && btf_is_enum(ot) && btf_is_enum(nt) && ot->size == 4 && nt->size == 4)
		return enum_map(x, ob, ot, nb, nt);
	if (ot && nt && btf_is_composite(ot) && btf_is_composite(nt)) {
		members(x, ob, ot, nb, nt);
		return 0;
	}
	/* plain integers (an int key becoming an enum: layout 1's counters are
	 * in the order of layout 2's), or anything of one size and shape */
	if ((is_scalar(ot) && is_scalar(nt)) ||
	    (osz == nsz && ot && nt && gl_layout_type_shape(ob, oid) == gl_layout_type_shape(nb, nid)))
		add_field(x, 0, 0, osz < nsz ? osz : nsz, ot && btf_is_int(ot) && is_scalar(nt));
	return 0;
}

/* old -> new through x; 0 when nothing of it has a place in the new layout. */
static int apply(const struct xlate *x, const unsigned char *old, unsigned char *new)
{
	if (x->nenum) {
		int64_t v = 0;

		memcpy(&v, old, 4);
		for (int i = 0; i < x->nenum; i++)
			if (x->eold[i] == v) {
				memcpy(new, &x->enew[i], 4);
				return 1;
			}
		return 0;
	}
	for (int i = 0; i < x->nfields; i++)
		memcpy(new + x->f[i].new_off, old + x->f[i].old_off, x->f[i].size);
	return x->nfields > 0;
}

static int is_percpu(uint32_t type)
{
	return type == BPF_MAP_TYPE_PERCPU_ARRAY || type == BPF_MAP_TYPE_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

/*
 * Integer keys named by an enum of the object (gl_stats by enum gl_stat):
 * by name when both objects have it, by position when the old one has none
 * (layout 1, whose counters are in the order of layout 2's).
 */
static int key_by_enum(struct xlate *x, const struct btf *ob, const struct btf *nb,
		       const char *e)
{
	int oid = ob ? btf__find_by_name_kind(ob, e, BTF_KIND_ENUM) : -1;
	int nid = nb ? btf__find_by_name_kind(nb, e, BTF_KIND_ENUM) : -1;

	if (oid <= 0 || nid <= 0)
		return 1;
	memset(x, 0, sizeof(*x));
	return enum_map(x, ob, btf__type_by_id(ob, oid), nb, btf__type_by_id(nb, nid));
}

/* Sizes of one map and the translation of its key and value. */
static int describe(struct gl_carry_map *cm, int old_fd, int new_fd, const char *key_enum)
{
	struct bpf_map_info oi, ni;
	__u32 len = sizeof(oi);
	struct btf *ob = NULL, *nb = NULL;
	int err;

	memset(&oi, 0, sizeof(oi));
	memset(&ni, 0, sizeof(ni));
	if (bpf_obj_get_info_by_fd(old_fd, &oi, &len) ||
	    (len = sizeof(ni), bpf_obj_get_info_by_fd(new_fd, &ni, &len)))
		return -errno;
	if (is_percpu(oi.type) != is_percpu(ni.type))
		return -EINVAL;
	cm->ncpu = is_percpu(ni.type) ? libbpf_num_possible_cpus() : 1;
	cm->oks = oi.key_size;
	cm->nks = ni.key_size;
	cm->ovs = oi.value_size;
	cm->nvs = ni.value_size;
	cm->ostride = is_percpu(oi.type) ? (oi.value_size + 7) / 8 * 8 : oi.value_size;
	cm->nstride = is_percpu(ni.type) ? (ni.value_size + 7) / 8 * 8 : ni.value_size;
	ob = oi.btf_id ? btf__load_from_kernel_by_id(oi.btf_id) : NULL;
	nb = ni.btf_id ? btf__load_from_kernel_by_id(ni.btf_id) : NULL;
	err = key_enum && oi.key_size == 4 && ni.key_size == 4 ? key_by_enum(&cm->kx, ob, nb, key_enum)
								   : 1;
	if (err == 1)
		err = xlate_build(&cm->kx, ob, oi.btf_key_type_id, oi.key_size, nb,
				  ni.btf_key_type_id, ni.key_size);
	if (!err)
		err = xlate_build(&cm->vx, ob, oi.btf_value_type_id, oi.value_size, nb,
				  ni.btf_value_type_id, ni.value_size);
	btf__free(ob);
	btf__free(nb);
	return cm->ncpu > 0 ? err : -EINVAL;
}

/* Every old entry: its key and all CPUs' values, into the snapshot. */
static int snapshot(struct gl_carry_map *cm)
{
	size_t cap = 0, vlen = (size_t)cm->ostride * cm->ncpu;
	unsigned char key[512], next[512];
	int first = 1;

	if (cm->oks > sizeof(key))
		return -E2BIG;
	while (!bpf_map_get_next_key(cm->old_fd, first ? NULL : key, next)) {
		first = 0;
		memcpy(key, next, cm->oks);
		if (cm->n == cap) {
			cap = cap ? cap * 2 : 64;
			unsigned char *k = realloc(cm->keys, cap * cm->oks);
			unsigned char *v = k ? realloc(cm->vals, cap * vlen) : NULL;

			cm->keys = k ? k : cm->keys;
			if (!v)
				return -ENOMEM;
			cm->vals = v;
		}
		if (bpf_map_lookup_elem(cm->old_fd, key, cm->vals + cm->n * vlen))
			continue;	/* deleted meanwhile */
		memcpy(cm->keys + cm->n * cm->oks, key, cm->oks);
		cm->n++;
	}
	return 0;
}

/*
 * Entry i of the snapshot into the new map: its translated values, plus,
 * with now (the old entry's values at finish), what was counted since.
 */
static int put(struct gl_carry_map *cm, size_t i, const unsigned char *now, unsigned char *nkey,
	       unsigned char *nval)
{
	const unsigned char *snap = cm->vals + i * (size_t)cm->ostride * cm->ncpu;

	memset(nkey, 0, cm->nks);
	if (!apply(&cm->kx, cm->keys + i * cm->oks, nkey))
		return 1;
	if (now && bpf_map_lookup_elem(cm->new_fd, nkey, nval))
		memset(nval, 0, (size_t)cm->nstride * cm->ncpu);
	for (int c = 0; c < cm->ncpu; c++) {
		const unsigned char *o = snap + (size_t)c * cm->ostride;
		unsigned char *n = nval + (size_t)c * cm->nstride;

		if (!now) {
			apply(&cm->vx, o, n);
			continue;
		}
		for (int f = 0; f < cm->vx.nfields; f++) {
			const struct field *fd = &cm->vx.f[f];
			uint64_t a = 0, b = 0, v = 0;

			if (!fd->counter || fd->size > 8)
				continue;
			memcpy(&a, now + (size_t)c * cm->ostride + fd->old_off, fd->size);
			memcpy(&b, o + fd->old_off, fd->size);
			memcpy(&v, n + fd->new_off, fd->size);
			v += a - b;
			memcpy(n + fd->new_off, &v, fd->size);
		}
	}
	return bpf_map_update_elem(cm->new_fd, nkey, nval, BPF_ANY) ? -errno : 0;
}

int gl_carry_start(struct gl_carry *c, int old_fd, int new_fd, const char *key_enum,
		   unsigned int *dropped)
{
	struct gl_carry_map *cm;
	unsigned char *nkey = NULL, *nval = NULL;
	int err;

	*dropped = 0;
	if (c->n == (int)(sizeof(c->m) / sizeof(c->m[0])) || !(cm = calloc(1, sizeof(*cm)))) {
		close(old_fd);
		return -ENOMEM;
	}
	cm->old_fd = old_fd;
	cm->new_fd = new_fd;
	c->m[c->n++] = cm;
	err = describe(cm, old_fd, new_fd, key_enum);
	if (!err)
		err = snapshot(cm);
	if (!err && (!(nkey = calloc(1, cm->nks)) ||
		     !(nval = calloc(cm->ncpu, cm->nstride))))
		err = -ENOMEM;
	for (size_t i = 0; !err && i < cm->n; i++) {
		memset(nval, 0, (size_t)cm->nstride * cm->ncpu);
		err = put(cm, i, NULL, nkey, nval);
		if (err == 1) {
			(*dropped)++;
			err = 0;
		}
	}
	free(nkey);
	free(nval);
	return err;
}

int gl_carry_finish(struct gl_carry *c)
{
	int err = 0;

	for (int m = 0; m < c->n && !err; m++) {
		struct gl_carry_map *cm = c->m[m];
		unsigned char *now = calloc(cm->ncpu, cm->ostride), *nkey = calloc(1, cm->nks);
		unsigned char *nval = calloc(cm->ncpu, cm->nstride);

		err = now && nkey && nval ? 0 : -ENOMEM;
		for (size_t i = 0; !err && i < cm->n; i++) {
			if (bpf_map_lookup_elem(cm->old_fd, cm->keys + i * cm->oks, now))
				continue;
			err = put(cm, i, now, nkey, nval);
			err = err == 1 ? 0 : err;
		}
		free(now);
		free(nkey);
		free(nval);
	}
	return err;
}

void gl_carry_free(struct gl_carry *c)
{
	for (int m = 0; m < c->n; m++) {
		close(c->m[m]->old_fd);
		free(c->m[m]->keys);
		free(c->m[m]->vals);
		free(c->m[m]->kx.eold);
		free(c->m[m]->kx.enew);
		free(c->m[m]->vx.eold);
		free(c->m[m]->vx.enew);
		free(c->m[m]);
	}
	c->n = 0;
}
