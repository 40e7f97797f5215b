/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/*
 * The lane of one parsed request head: an entry workload's TrafficLabelRules
 * (first matching rule in order), or the propagation header's lane.
 */
#ifndef GL_LABEL_BPF_H
#define GL_LABEL_BPF_H

#include "lib/maps.bpf.h"
#include "lib/rules.h"

#define GL_NO_LANE 0xffff

/* lane name -> id, for propagation header values */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GL_LANES_MAX * GL_SLOTS);
	__type(key, struct gl_lane_name_key);
	__type(value, __u16);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} gl_lane_ids SEC(".maps");

/* (slot, entry workload, index) -> one TrafficLabelRule */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GL_RULES_MAX);
	__type(key, struct gl_rule_key);
	__type(value, struct gl_rule);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} gl_rules SEC(".maps");

/* (slot, workload) -> the header names its heads are parsed for; 0: default */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GL_WORKLOADS_MAX);
	__type(key, struct gl_want_key);
	__type(value, struct gl_http_want);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} gl_wants SEC(".maps");

/* The workload's table; NULL when a generation switch raced us (an entry's
 * rules parsed with the default table would see their headers missing, and
 * != / not_in would match wrongly: the caller labels base instead). */
static __always_inline const struct gl_http_want *gl_want_for(__u8 slot, __u32 workload_id,
							    bool entry)
{
	struct gl_want_key k = { .slot = slot, .workload_id = entry ? workload_id : 0 };

	return bpf_map_lookup_elem(&gl_wants, &k);
}

struct gl_rules_ctx {
	const __u8 *buf;
	const struct gl_http_head *head;
	struct gl_rule_key key;
	__u16 lane;
	__u16 pad;
};

static long gl_rules_step(__u32 i, void *data)
{
	struct gl_rules_ctx *x = data;
	const struct gl_rule *r;

	x->key.index = (__u16)i;
	r = bpf_map_lookup_elem(&gl_rules, &x->key);
	if (!r)
		return 1;	/* a generation switch under us: stop, base */
	if (gl_rule_match(x->buf, x->head, r) == 1) {
		x->lane = r->lane;
		return 1;
	}
	return 0;
}

/* First matching TrafficLabelRule of an entry workload, or GL_NO_LANE. */
static __always_inline __u16 gl_label_by_rules(__u8 slot, __u32 workload_id, __u16 nrules,
					       const __u8 *buf, const struct gl_http_head *h)
{
	struct gl_rules_ctx x = {
		.buf = buf,
		.head = h,
		.key = { .slot = slot, .workload_id = workload_id },
		.lane = GL_NO_LANE,
	};

	if (nrules > GL_ENTRY_RULES_MAX)
		nrules = GL_ENTRY_RULES_MAX;
	if (nrules && h->ncookies > GL_HTTP_COOKIE_LINES_MAX)
		gl_count(GL_STAT_RULE_COOKIES_UNREAD);	/* rules.h: cookie items match nothing */
	bpf_loop(nrules, gl_rules_step, &x, 0);
	return x.lane;
}

/* The lane a propagation header value names, GL_NO_LANE if none in this plan. */
static __always_inline __u16 gl_lane_by_name(__u8 slot, const __u8 *buf, struct gl_http_span v)
{
	struct gl_lane_name_key k = { .slot = slot };
	__u16 *id;
	__u32 i;

	if (v.len == 0 || v.len >= GL_LANE_NAME_MAX)
		return GL_NO_LANE;
	for (i = 0; i < GL_LANE_NAME_MAX - 1; i++) {
		if (i >= v.len)
			break;
		k.name[i] = gl_http_at(buf, (__u32)v.off + i);
	}
	id = bpf_map_lookup_elem(&gl_lane_ids, &k);
	return id ? *id : GL_NO_LANE;
}

/* The propagation header's lane (the configured name first, then the alias). */
static __always_inline __u16 gl_label_by_header(__u8 slot, const __u8 *buf,
						const struct gl_http_head *h, bool *present)
{
	const struct gl_http_field *f = &h->field[GL_HTTP_SLOT_LABEL];

	if (!f->count)
		f = &h->field[GL_HTTP_SLOT_LABEL_ALIAS];
	*present = f->count != 0;
	if (!*present)
		return GL_NO_LANE;
	return gl_lane_by_name(slot, buf, f->value);
}

#endif
