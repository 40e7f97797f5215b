// SPDX-License-Identifier: Apache-2.0
/*
 * A plan into the pinned maps: write the inactive slot, switch the generation
 * in one write, and clear the old slot once its readers are done
 * (gl_sync_retire; DESIGN.md, Daemon); and the digest that
 * tells status whether the plan in the maps is the plan applied.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "common/cgroup.h"
#include "common/clock.h"
#include "common/diag.h"
#include "common/fnv.h"
#include "mapsync.h"
#include "pins.h"
#include "plan/plan.h"

/* Readers that loaded the old slot number finish within an RCU grace period;
 * wait that long (generously) before deleting the old slot's entries. */
#define GL_OLD_SLOT_GRACE_MS 50

/* map indexes in the digest */
enum { M_LANES, M_WORKLOADS, M_SERVICES, M_BACKENDS, M_LANE_IDS, M_RULES, M_WANTS, M_SHADOWS,
       M_COUNT };

static const struct {
	unsigned int klen, vlen;
} msz[M_COUNT] = {
	[M_LANES] = { sizeof(struct gl_lane_key), sizeof(struct gl_lane) },
	[M_WORKLOADS] = { sizeof(struct gl_workload_key), sizeof(struct gl_workload) },
	[M_SERVICES] = { sizeof(struct gl_service_key), sizeof(struct gl_service_addr) },
	[M_BACKENDS] = { sizeof(struct gl_backend_key), sizeof(struct gl_backend) },
	[M_LANE_IDS] = { sizeof(struct gl_lane_name_key), sizeof(__u16) },
	[M_RULES] = { sizeof(struct gl_rule_key), sizeof(struct gl_rule) },
	[M_WANTS] = { sizeof(struct gl_want_key), sizeof(struct gl_http_want) },
	[M_SHADOWS] = { sizeof(struct gl_shadow_key), sizeof(struct gl_sql_tables) },
};

/* room for any key and value of the maps above */
#define KEY_MAX 64
#define VAL_MAX 4096
_Static_assert(sizeof(struct gl_lane_name_key) <= KEY_MAX, "keys fit");
_Static_assert(sizeof(struct gl_rule) <= VAL_MAX && sizeof(struct gl_http_want) <= VAL_MAX &&
	       sizeof(struct gl_backend) <= VAL_MAX && sizeof(struct gl_sql_tables) <= VAL_MAX,
	       "values fit");

static int map_fd(const struct gl_map_fds *f, int m)
{
	switch (m) {
	case M_LANES: return f->lanes;
	case M_WORKLOADS: return f->workloads;
	case M_SERVICES: return f->services;
	case M_BACKENDS: return f->backends;
	case M_LANE_IDS: return f->lane_ids;
	case M_RULES: return f->rules;
	case M_WANTS: return f->wants;
	default: return f->shadows;
	}
}

int gl_map_fds_open(const char *root, struct gl_map_fds *f)
{
	f->config = gl_pins_map_fd(root, "gl_config");
	f->lanes = gl_pins_map_fd(root, "gl_lanes");
	f->workloads = gl_pins_map_fd(root, "gl_workloads");
	f->services = gl_pins_map_fd(root, "gl_services");
	f->backends = gl_pins_map_fd(root, "gl_backends");
	f->lane_ids = gl_pins_map_fd(root, "gl_lane_ids");
	f->rules = gl_pins_map_fd(root, "gl_rules");
	f->wants = gl_pins_map_fd(root, "gl_wants");
	f->shadows = gl_pins_map_fd(root, "gl_shadows");
	for (int i = 0; i < M_COUNT + 1; i++) {
		int fd = i == M_COUNT ? f->config : map_fd(f, i);

		if (fd < 0) {
			gl_map_fds_close(f);
			return fd;
		}
	}
	return 0;
}

void gl_map_fds_close(struct gl_map_fds *f)
{
	int *fds[] = { &f->config, &f->lanes, &f->workloads, &f->services, &f->backends,
		       &f->lane_ids, &f->rules, &f->wants, &f->shadows };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

/*
 * One map's entries where they already are: n records of `stride` bytes,
 * each with its key at koff and its value at voff. Keys have slot byte 0.
 * Plan arrays are viewed in place, so applying a plan copies no entry.
 * Records that hold a value trimmed to what it uses (gl_rules, gl_backends) have no
 * voff: expand writes the map's fixed-size value of a record instead.
 */
typedef void expand_fn(const void *rec, unsigned char *val);

struct view {
	const unsigned char *base;
	size_t n, stride, koff, voff;
	expand_fn *expand;
};

#define VIEW(arr, count, kfield, vfield) ((struct view){				\
	(const unsigned char *)(arr), (count), sizeof(*(arr)),			\
	offsetof(__typeof__(*(arr)), kfield), offsetof(__typeof__(*(arr)), vfield), NULL })

#define VIEW_EXPAND(arr, count, kfield, fn) ((struct view){			\
	(const unsigned char *)(arr), (count), sizeof(*(arr)),			\
	offsetof(__typeof__(*(arr)), kfield), 0, (fn) })

static const unsigned char *view_key(const struct view *v, size_t i)
{
	return v->base + i * v->stride + v->koff;
}

/* Record i's value: in place, or expanded into scratch (room for the value). */
static const unsigned char *view_val(const struct view *v, size_t i, unsigned char *scratch)
{
	const unsigned char *rec = v->base + i * v->stride;

	if (!v->expand)
		return rec + v->voff;
	v->expand(rec, scratch);
	return scratch;
}

static void rule_val(const void *rec, unsigned char *val)
{
	struct gl_rule r;

	gl_plan_rule_val(rec, &r);
	memcpy(val, &r, sizeof(r));
}

static void backend_val(const void *rec, unsigned char *val)
{
	struct gl_backend b;

	gl_plan_backend_val(rec, &b);
	memcpy(val, &b, sizeof(b));
}

/* ---- digest: FNV-1a-64 over (map index, key without slot, value), sorted ---- */

struct by_key {
	const struct view *v;
	unsigned int klen;
};

static int cmp_by_key(const void *a, const void *b, void *arg)
{
	const struct by_key *c = arg;

	return memcmp(view_key(c->v, *(const size_t *)a), view_key(c->v, *(const size_t *)b),
		      c->klen);
}

/* Adds map m's entries to *h in key order (the maps' own order is a hash's). */
static int digest_map(uint64_t *h, unsigned char m, const struct view *v)
{
	struct by_key c = { v, msz[m].klen };
	size_t *order = malloc((v->n ? v->n : 1) * sizeof(*order));
	unsigned char val[VAL_MAX];

	if (!order)
		return -ENOMEM;
	for (size_t i = 0; i < v->n; i++)
		order[i] = i;
	qsort_r(order, v->n, sizeof(*order), cmp_by_key, &c);
	for (size_t i = 0; i < v->n; i++) {
		*h = gl_fnv64(*h, &m, 1);
		*h = gl_fnv64_sparse(*h, view_key(v, order[i]), msz[m].klen);
		*h = gl_fnv64_sparse(*h, view_val(v, order[i], val), msz[m].vlen);
	}
	free(order);
	return 0;
}

static int digest_views(const struct view v[M_COUNT], uint64_t *digest)
{
	uint64_t h = GL_FNV64_INIT;
	int err = 0;

	for (int m = 0; m < M_COUNT && !err; m++)
		err = digest_map(&h, m, &v[m]);
	*digest = h;
	return err;
}

/* ---- a slot's entries from the plan ---- */

/* The entries the plan does not hold as they are written: built per apply. */
struct lane_entry {
	struct gl_lane_key key;
	struct gl_lane val;
};

struct workload_entry {
	struct gl_workload_key key;
	struct gl_workload val;
};

struct slot_image {
	struct view v[M_COUNT];
	struct lane_entry *lanes;
	struct workload_entry *workloads;
};

/* "<label-header>: <lane>\r\n", the header line sk_msg writes (gl_lane.line). */
static void lane_line(const struct gl_plan *p, struct gl_lane *v)
{
	const struct gl_http_want_name *hn = NULL;
	int n;

	for (size_t i = 0; i < p->nwants; i++)
		if (p->wants[i].key.workload_id == 0)
			hn = &p->wants[i].val.name[GL_HTTP_SLOT_LABEL];
	if (!hn || !hn->len)
		return;
	n = snprintf(v->line, sizeof(v->line), "%.*s: %s\r\n", (int)hn->len, hn->name, v->name);
	if (n > 0 && (size_t)n < sizeof(v->line))
		v->line_len = n;
}

static int image_lanes(const struct gl_plan *p, struct slot_image *im)
{
	im->lanes = calloc(p->nlanes ? p->nlanes : 1, sizeof(*im->lanes));
	if (!im->lanes)
		return -ENOMEM;
	for (size_t i = 0; i < p->nlanes; i++) {
		struct lane_entry *e = &im->lanes[i];

		e->key.lane = p->lanes[i].id;
		memcpy(e->val.name, p->lanes[i].name, sizeof(e->val.name));
		e->val.name[sizeof(e->val.name) - 1] = '\0';
		if (p->lanes[i].id != GL_LANE_BASE)
			lane_line(p, &e->val);
	}
	im->v[M_LANES] = VIEW(im->lanes, p->nlanes, key, val);
	return 0;
}

/* Workloads whose cgroup exists, by cgroup id, and the managed root. */
static int image_workloads(const struct gl_plan *p, const struct gl_sync_params *sp,
			   struct gl_diags *d, struct slot_image *im, struct gl_sync_result *res)
{
	size_t n = 0;
	int root_claimed = 0;

	for (size_t i = 0; i < p->nworkloads; i++)
		n += p->workloads[i].cgroup != NULL;
	im->workloads = calloc(n + 1, sizeof(*im->workloads));
	if (!im->workloads)
		return -ENOMEM;
	n = 0;
	for (size_t i = 0; i < p->nworkloads; i++) {
		const struct gl_plan_workload *w = &p->workloads[i];
		char path[4096];
		uint64_t id;

		if (!w->cgroup)
			continue;	/* on another node: an endpoint, never a caller here */
		if (gl_cgroup_join(sp->cgroup2_mount, w->cgroup, path, sizeof(path)) ||
		    gl_cgroup_id(path, &id)) {
			gl_diag_add(d, GL_SEV_WARNING, "-", 0, 0,
				    "workload '%s': cgroup %s does not exist yet; its processes are "
				    "base callers until it does", w->name, path);
			res->unresolved++;
			continue;
		}
		if (id == sp->managed_cgroup)
			root_claimed = 1;
		im->workloads[n].key.cgroup_id = id;
		im->workloads[n++].val = w->val;
	}
	res->workloads = n;
	if (!root_claimed) {
		im->workloads[n].key.cgroup_id = sp->managed_cgroup;
		im->workloads[n++].val = (struct gl_workload){ .flags = GL_WL_MANAGED_ROOT };
	}
	im->v[M_WORKLOADS] = VIEW(im->workloads, n, key, val);
	return 0;
}

static int image_build(const struct gl_plan *p, const struct gl_sync_params *sp,
		       struct gl_diags *d, struct slot_image *im, struct gl_sync_result *res)
{
	int err = image_lanes(p, im);

	if (!err)
		err = image_workloads(p, sp, d, im, res);
	if (err)
		return err;
	im->v[M_SERVICES] = VIEW(p->addrs, p->naddrs, key, val);
	im->v[M_BACKENDS] = VIEW_EXPAND(p->backends, p->nbackends, key, backend_val);
	im->v[M_LANE_IDS] = VIEW(p->lane_ids, p->nlane_ids, key, lane);
	im->v[M_RULES] = VIEW_EXPAND(p->rules, p->nrules, key, rule_val);
	im->v[M_WANTS] = VIEW(p->wants, p->nwants, key, val);
	im->v[M_SHADOWS] = VIEW(p->shadows, p->nshadows, key, val);
	res->lanes = p->nlanes;
	res->rules = p->nrules;
	res->addrs = p->naddrs;
	res->backends = p->nbackends;
	return 0;
}

static void image_free(struct slot_image *im)
{
	free(im->lanes);
	free(im->workloads);
	memset(im, 0, sizeof(*im));
}

/* ---- writing and clearing slots, a batch per syscall ---- */

/* bytes of keys and values passed to one batch syscall */
#define BATCH_BYTES (256 * 1024)

static size_t batch_len(int m)
{
	size_t n = BATCH_BYTES / (msz[m].klen + msz[m].vlen);

	return n ? n : 1;
}

typedef int entry_fn(void *arg, const unsigned char *key, const unsigned char *val);

/* Calls each() for every entry of map m (fd), a batch of entries per syscall. */
static int for_each_entry(int fd, int m, entry_fn *each, void *arg)
{
	DECLARE_LIBBPF_OPTS(bpf_map_batch_opts, opts);
	unsigned int klen = msz[m].klen, vlen = msz[m].vlen;
	unsigned char token[KEY_MAX], *buf = NULL;
	size_t chunk = batch_len(m);
	int err = 0, first = 1, done = 0;

	while (!done && !err) {
		__u32 count = chunk;
		unsigned char *x;

		if (!buf) {
			buf = malloc(chunk * (klen + vlen));
			if (!buf)
				return -ENOMEM;
		}
		x = buf + chunk * klen;	/* the values, after the keys */
		if (bpf_map_lookup_batch(fd, first ? NULL : token, token, buf, x, &count, &opts)) {
			if (errno == ENOSPC && count == 0) {	/* a bucket larger than a batch */
				free(buf);
				buf = NULL;
				chunk *= 2;
				continue;
			}
			if (errno != ENOENT) {
				err = -errno;
				break;
			}
			done = 1;	/* the last batch */
		}
		first = 0;
		for (__u32 i = 0; i < count && !err; i++)
			err = each(arg, buf + i * klen, x + i * vlen);
	}
	free(buf);
	return err;
}

/* The keys of one slot's entries, collected to be deleted. */
struct slot_keys {
	unsigned int klen;
	unsigned char slot;
	unsigned char *v;
	size_t n, cap;
};

static int collect_key(void *arg, const unsigned char *key, const unsigned char *val)
{
	struct slot_keys *k = arg;

	(void)val;
	if (key[0] != k->slot)
		return 0;
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 256;
		unsigned char *x = realloc(k->v, cap * k->klen);

		if (!x)
			return -ENOMEM;
		k->v = x;
		k->cap = cap;
	}
	memcpy(k->v + k->n++ * k->klen, key, k->klen);
	return 0;
}

/* Deletes every entry whose key's first byte (the slot) is `slot`. */
static int clear_slot(int fd, int m, unsigned char slot)
{
	DECLARE_LIBBPF_OPTS(bpf_map_batch_opts, opts);
	struct slot_keys k = { .klen = msz[m].klen, .slot = slot };
	size_t done = 0;
	int err = for_each_entry(fd, m, collect_key, &k);

	while (!err && done < k.n) {
		__u32 count = k.n - done;

		if (!bpf_map_delete_batch(fd, k.v + done * k.klen, &count, &opts))
			break;
		done += count + 1;	/* count deleted, then the one that failed */
		if (errno != ENOENT)
			err = -errno;
	}
	free(k.v);
	return err;
}

static int clear_slot_all(const struct gl_map_fds *f, unsigned char slot)
{
	int err = 0, e;

	for (int m = 0; m < M_COUNT; m++)
		if ((e = clear_slot(map_fd(f, m), m, slot)))
			err = e;
	return err;
}

/* Writes a view's entries into slot; buf holds a batch of keys and values. */
static int write_map(int fd, int m, const struct view *v, unsigned char slot, unsigned char *buf)
{
	DECLARE_LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = BPF_ANY);
	unsigned int klen = msz[m].klen, vlen = msz[m].vlen;
	size_t chunk = batch_len(m);

	for (size_t i = 0; i < v->n; i += chunk) {
		__u32 count = v->n - i < chunk ? v->n - i : chunk;
		unsigned char *keys = buf, *vals = buf + count * klen;

		for (__u32 j = 0; j < count; j++) {
			memcpy(keys + j * klen, view_key(v, i + j), klen);
			keys[j * klen] = slot;
			memmove(vals + j * vlen, view_val(v, i + j, vals + j * vlen), vlen);
		}
		if (bpf_map_update_batch(fd, keys, vals, &count, &opts))
			return -errno;
	}
	return 0;
}

static int write_slot(const struct gl_map_fds *f, const struct slot_image *im, unsigned char slot)
{
	unsigned char *buf = malloc(BATCH_BYTES + KEY_MAX + VAL_MAX);
	int err = buf ? 0 : -ENOMEM;

	for (int m = 0; m < M_COUNT && !err; m++)
		err = write_map(map_fd(f, m), m, &im->v[m], slot, buf);
	free(buf);
	return err;
}

int gl_sync_apply(const struct gl_map_fds *f, const struct gl_plan *p,
		  const struct gl_sync_params *sp, struct gl_diags *d, struct gl_sync_result *res)
{
	struct slot_image im = { 0 };
	struct gl_config cfg;
	uint64_t digest;
	struct timespec ts;
	__u32 zero = 0;
	unsigned char old, slot;
	int err;

	memset(res, 0, sizeof(*res));
	if (bpf_map_lookup_elem(f->config, &zero, &cfg))
		return -errno;
	old = cfg.active_slot & 1;
	/* generation 0: nothing applied yet, slot 0 holds nothing; write slot 0 */
	slot = cfg.generation ? !old : 0;

	err = image_build(p, sp, d, &im, res);
	if (!err)
		err = digest_views(im.v, &digest);
	if (err)
		goto out;
	err = clear_slot_all(f, slot);	/* leftovers of a crash mid-write */
	if (err)
		goto out;
	err = write_slot(f, &im, slot);
	if (err) {
		clear_slot_all(f, slot);
		goto out;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	cfg.generation++;
	cfg.active_slot = slot;
	cfg.daemon_pid = sp->pid;
	cfg.plan_digest = digest;
	cfg.managed_cgroup = sp->managed_cgroup;
	cfg.managed_level = sp->managed_level;
	cfg.context_ttl_ns = sp->context_ttl_ns;
	cfg.flags = sp->flags;
	cfg.layout = GL_LAYOUT_VERSION;
	cfg.stat_count = GL_STAT_MAX;
	cfg.applied_ns = (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	/* The switch: programs read active_slot once per run. */
	if (bpf_map_update_elem(f->config, &zero, &cfg, BPF_ANY)) {
		err = -errno;
		clear_slot_all(f, slot);
		goto out;
	}
	res->switched_ms = gl_now_ms();
	res->generation = cfg.generation;
	res->digest = cfg.plan_digest;
	res->slot = slot;
	res->retire_at_ms = slot != old ? res->switched_ms + GL_OLD_SLOT_GRACE_MS : 0;
out:
	image_free(&im);
	return err;
}

int gl_sync_retire(const struct gl_map_fds *f, struct gl_sync_result *res)
{
	double wait = res->retire_at_ms - gl_now_ms();
	struct gl_config cfg;
	__u32 zero = 0;

	if (!res->retire_at_ms)
		return 0;
	if (wait > 0)
		usleep((useconds_t)(wait * 1000));
	res->retire_at_ms = 0;
	if (bpf_map_lookup_elem(f->config, &zero, &cfg))
		return -errno;
	if (cfg.generation != res->generation)
		return 0;	/* another writer switched since: its slot, its clear */
	/* a failure leaves garbage in the inactive slot only: the next apply clears it */
	return clear_slot_all(f, !(cfg.active_slot & 1));
}

/* ---- the digest of what the kernel holds ---- */

/* One slot's entries, copied as key-value records (slot byte 0). */
struct slot_records {
	unsigned int klen, vlen;
	unsigned char slot;
	unsigned char *v;
	size_t n, cap;
};

static int collect_record(void *arg, const unsigned char *key, const unsigned char *val)
{
	struct slot_records *r = arg;
	size_t rlen = r->klen + r->vlen;

	if (key[0] != r->slot)
		return 0;
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 256;
		unsigned char *x = realloc(r->v, cap * rlen);

		if (!x)
			return -ENOMEM;
		r->v = x;
		r->cap = cap;
	}
	memcpy(r->v + r->n * rlen, key, r->klen);
	r->v[r->n * rlen] = 0;
	memcpy(r->v + r->n * rlen + r->klen, val, r->vlen);
	r->n++;
	return 0;
}

/* Map m's entries of the active slot, as a view over *buf (the caller frees it). */
static int read_map(int fd, int m, unsigned char slot, unsigned char **buf, struct view *v)
{
	struct slot_records r = { .klen = msz[m].klen, .vlen = msz[m].vlen, .slot = slot };
	int err = for_each_entry(fd, m, collect_record, &r);

	*buf = r.v;
	*v = (struct view){ r.v, r.n, r.klen + r.vlen, 0, r.klen, NULL };
	return err;
}

int gl_sync_digest_active(const struct gl_map_fds *f, uint64_t *digest, struct gl_config *cfg)
{
	unsigned char *bufs[M_COUNT] = { 0 };
	struct view v[M_COUNT] = { 0 };
	__u32 zero = 0;
	int err = 0;

	if (bpf_map_lookup_elem(f->config, &zero, cfg))
		return -errno;
	for (int m = 0; m < M_COUNT && !err; m++)
		err = read_map(map_fd(f, m), m, cfg->active_slot & 1, &bufs[m], &v[m]);
	if (!err)
		err = digest_views(v, digest);
	for (int m = 0; m < M_COUNT; m++)
		free(bufs[m]);
	return err;
}

uint64_t gl_sync_cgroup_signature(const char *const *cgroups, size_t n, const char *mount)
{
	uint64_t h = GL_FNV64_INIT;

	for (size_t i = 0; i < n; i++) {
		char path[4096];
		uint64_t id = 0;

		if (!gl_cgroup_join(mount, cgroups[i], path, sizeof(path)))
			gl_cgroup_id(path, &id);
		h = gl_fnv64(h, &id, sizeof(id));
	}
	return h;
}
