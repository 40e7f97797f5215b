// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "cgroup.h"
#include "diag.h"
#include "fnv.h"
#include "mapsync.h"
#include "pins.h"
#include "plan.h"

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

/* ---- digest: FNV-1a-64 over (map index, key without slot, value), sorted ---- */

struct entry {
	unsigned char map;
	unsigned int klen, vlen;
	unsigned char *kv;	/* key then value; key byte 0 (the slot) is zeroed */
};

struct entries {
	struct entry *v;
	size_t n, cap;
};

static int entries_add(struct entries *e, unsigned char map, const void *key, unsigned int klen,
		       const void *val, unsigned int vlen)
{
	struct entry *x;

	if (e->n == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 256;
		struct entry *v = realloc(e->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		e->v = v;
		e->cap = cap;
	}
	x = &e->v[e->n];
	x->kv = malloc(klen + vlen);
	if (!x->kv)
		return -ENOMEM;
	memcpy(x->kv, key, klen);
	memcpy(x->kv + klen, val, vlen);
	x->kv[0] = 0;	/* slot */
	x->map = map;
	x->klen = klen;
	x->vlen = vlen;
	e->n++;
	return 0;
}

static void entries_free(struct entries *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->v[i].kv);
	free(e->v);
	memset(e, 0, sizeof(*e));
}

static int entry_cmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->map != y->map)
		return x->map < y->map ? -1 : 1;
	return memcmp(x->kv, y->kv, x->klen < y->klen ? x->klen : y->klen);
}

static uint64_t entries_digest(struct entries *e)
{
	uint64_t h = GL_FNV64_INIT;

	qsort(e->v, e->n, sizeof(e->v[0]), entry_cmp);
	for (size_t i = 0; i < e->n; i++) {
		h = gl_fnv64(h, &e->v[i].map, 1);
		h = gl_fnv64(h, e->v[i].kv, e->v[i].klen + e->v[i].vlen);
	}
	return h;
}

/* ---- building a slot from the plan ---- */

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

static int build_entries(const struct gl_plan *p, const struct gl_sync_params *sp,
			 struct gl_diags *d, struct entries *e, struct gl_sync_result *res)
{
	const char *mount = sp->cgroup2_mount;
	uint64_t managed = sp->managed_cgroup;
	struct gl_workload_key wk = { 0 };
	struct gl_workload root = { .flags = GL_WL_MANAGED_ROOT };
	int err, root_claimed = 0;
	size_t i;

	for (i = 0; i < p->nlanes; i++) {
		struct gl_lane_key k = { .lane = p->lanes[i].id };
		struct gl_lane v;

		memset(&v, 0, sizeof(v));
		memcpy(v.name, p->lanes[i].name, sizeof(v.name));
		v.name[sizeof(v.name) - 1] = '\0';
		if (p->lanes[i].id != GL_LANE_BASE)
			lane_line(p, &v);
		if ((err = entries_add(e, M_LANES, &k, sizeof(k), &v, sizeof(v))))
			return err;
	}
	for (i = 0; i < p->nworkloads; i++) {
		const struct gl_plan_workload *w = &p->workloads[i];
		char path[4096];
		uint64_t id;

		if (!w->cgroup)
			continue;	/* on another node: an endpoint, never a caller here */
		if (gl_cgroup_join(mount, w->cgroup, path, sizeof(path)) || gl_cgroup_id(path, &id)) {
			gl_diag_add(d, GL_SEV_WARNING, "-", 0, 0,
				    "workload '%s': cgroup %s does not exist yet; its processes are "
				    "base callers until it does", w->name, path);
			res->unresolved++;
			continue;
		}
		wk.cgroup_id = id;
		if (id == managed)
			root_claimed = 1;
		if ((err = entries_add(e, M_WORKLOADS, &wk, sizeof(wk), &w->val, sizeof(w->val))))
			return err;
		res->workloads++;
	}
	if (!root_claimed) {
		wk.cgroup_id = managed;
		if ((err = entries_add(e, M_WORKLOADS, &wk, sizeof(wk), &root, sizeof(root))))
			return err;
	}
	for (i = 0; i < p->naddrs; i++)
		if ((err = entries_add(e, M_SERVICES, &p->addrs[i].key, sizeof(p->addrs[i].key),
				       &p->addrs[i].val, sizeof(p->addrs[i].val))))
			return err;
	for (i = 0; i < p->nbackends; i++)
		if ((err = entries_add(e, M_BACKENDS, &p->backends[i].key,
				       sizeof(p->backends[i].key), &p->backends[i].val,
				       sizeof(p->backends[i].val))))
			return err;
	for (i = 0; i < p->nlane_ids; i++)
		if ((err = entries_add(e, M_LANE_IDS, &p->lane_ids[i].key, sizeof(p->lane_ids[i].key),
				       &p->lane_ids[i].lane, sizeof(p->lane_ids[i].lane))))
			return err;
	for (i = 0; i < p->nrules; i++)
		if ((err = entries_add(e, M_RULES, &p->rules[i].key, sizeof(p->rules[i].key),
				       &p->rules[i].val, sizeof(p->rules[i].val))))
			return err;
	for (i = 0; i < p->nwants; i++)
		if ((err = entries_add(e, M_WANTS, &p->wants[i].key, sizeof(p->wants[i].key),
				       &p->wants[i].val, sizeof(p->wants[i].val))))
			return err;
	for (i = 0; i < p->nshadows; i++)
		if ((err = entries_add(e, M_SHADOWS, &p->shadows[i].key, sizeof(p->shadows[i].key),
				       &p->shadows[i].val, sizeof(p->shadows[i].val))))
			return err;
	res->lanes = p->nlanes;
	res->rules = p->nrules;
	res->addrs = p->naddrs;
	res->backends = p->nbackends;
	return 0;
}

/* Deletes every entry whose key's first byte (the slot) is `slot`. */
static int clear_slot(int fd, unsigned int klen, unsigned char slot)
{
	unsigned char key[KEY_MAX], next[KEY_MAX], *del = NULL;
	size_t n = 0, cap = 0;
	int err = 0, first = 1;

	while (bpf_map_get_next_key(fd, first ? NULL : key, next) == 0) {
		first = 0;
		memcpy(key, next, klen);
		if (key[0] != slot)
			continue;
		if (n == cap) {
			unsigned char *x = realloc(del, (cap = cap ? cap * 2 : 256) * klen);

			if (!x) {
				free(del);
				return -ENOMEM;
			}
			del = x;
		}
		memcpy(del + n++ * klen, key, klen);
	}
	for (size_t i = 0; i < n; i++)
		if (bpf_map_delete_elem(fd, del + i * klen) && errno != ENOENT)
			err = -errno;
	free(del);
	return err;
}

static int clear_slot_all(const struct gl_map_fds *f, unsigned char slot)
{
	int err = 0, e;

	for (int m = 0; m < M_COUNT; m++)
		if ((e = clear_slot(map_fd(f, m), msz[m].klen, slot)))
			err = e;
	return err;
}

static int write_slot(const struct gl_map_fds *f, const struct entries *e, unsigned char slot)
{
	unsigned char key[KEY_MAX];

	for (size_t i = 0; i < e->n; i++) {
		const struct entry *x = &e->v[i];

		memcpy(key, x->kv, x->klen);
		key[0] = slot;
		if (bpf_map_update_elem(map_fd(f, x->map), key, x->kv + x->klen, BPF_ANY))
			return -errno;
	}
	return 0;
}

int gl_sync_apply(const struct gl_map_fds *f, const struct gl_plan *p,
		  const struct gl_sync_params *sp, struct gl_diags *d, struct gl_sync_result *res)
{
	struct entries e = { 0 };
	struct gl_config cfg;
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

	err = build_entries(p, sp, d, &e, res);
	if (err)
		goto out;
	err = clear_slot_all(f, slot);	/* leftovers of a crash mid-write */
	if (err)
		goto out;
	err = write_slot(f, &e, slot);
	if (err) {
		clear_slot_all(f, slot);
		goto out;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	cfg.generation++;
	cfg.active_slot = slot;
	cfg.daemon_pid = sp->pid;
	cfg.plan_digest = entries_digest(&e);
	cfg.managed_cgroup = sp->managed_cgroup;
	cfg.managed_level = sp->managed_level;
	cfg.context_ttl_ns = sp->context_ttl_ns;
	cfg.flags = sp->flags;
	cfg.applied_ns = (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	/* The switch: programs read active_slot once per run. */
	if (bpf_map_update_elem(f->config, &zero, &cfg, BPF_ANY)) {
		err = -errno;
		clear_slot_all(f, slot);
		goto out;
	}
	res->generation = cfg.generation;
	res->digest = cfg.plan_digest;
	res->slot = slot;
	if (slot != old) {
		usleep(GL_OLD_SLOT_GRACE_MS * 1000);
		clear_slot_all(f, old);	/* failure leaves garbage in an inactive slot only */
	}
out:
	entries_free(&e);
	return err;
}

int gl_sync_digest_active(const struct gl_map_fds *f, uint64_t *digest, struct gl_config *cfg)
{
	unsigned char key[KEY_MAX], next[KEY_MAX], val[VAL_MAX];
	struct entries e = { 0 };
	__u32 zero = 0;
	int err = 0;

	if (bpf_map_lookup_elem(f->config, &zero, cfg))
		return -errno;
	for (int m = 0; m < M_COUNT && !err; m++) {
		int fd = map_fd(f, m), first = 1;

		while (bpf_map_get_next_key(fd, first ? NULL : key, next) == 0) {
			first = 0;
			memcpy(key, next, msz[m].klen);
			if (key[0] != (cfg->active_slot & 1))
				continue;
			if (bpf_map_lookup_elem(fd, key, val))
				continue;	/* deleted under us */
			if ((err = entries_add(&e, m, key, msz[m].klen, val, msz[m].vlen)))
				break;
		}
	}
	if (!err)
		*digest = entries_digest(&e);
	entries_free(&e);
	return err;
}

uint64_t gl_sync_cgroup_signature(const struct gl_plan *p, const char *mount)
{
	uint64_t h = GL_FNV64_INIT;

	for (size_t i = 0; i < p->nworkloads; i++) {
		char path[4096];
		uint64_t id = 0;

		if (p->workloads[i].cgroup &&
		    !gl_cgroup_join(mount, p->workloads[i].cgroup, path, sizeof(path)))
			gl_cgroup_id(path, &id);
		h = gl_fnv64(h, &id, sizeof(id));
	}
	return h;
}
