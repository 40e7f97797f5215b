// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/*
 * Proof that this kernel's verifier accepts bpf/lib/rules.h: an entry
 * workload's GL_ENTRY_RULES_MAX rules, read from a gl_rules-shaped hash map
 * in a bpf_loop, each evaluated by gl_rule_match on a head of full size.
 *
 * rules_eval (syscall, test-run by tests/http/test_rules_load.c) copies a
 * request from user memory, parses it with the `want` table and evaluates
 * every rule, so the kernel's answer per rule can be compared with the same
 * evaluator compiled for userspace. rules_sk_msg is the send path's shape
 * (first matching rule wins); it is only loaded.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "rules_load.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct gl_rules_scratch {
	__u8 buf[GL_HTTP_BUF_SIZE];
	struct gl_http_head head;
};

/* the parse buffer and the parsed head, per CPU */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gl_rules_scratch);
} gl_rules_scratch SEC(".maps");

/* as gl_rules of the agent: (slot, index, workload) -> rule */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GL_RULES_LOAD_N);
	__type(key, struct gl_rule_key);
	__type(value, struct gl_rule);
} gl_rules SEC(".maps");

/* set by the test before a run */
struct gl_http_want want;
/* left by a run */
struct gl_rules_load_result result;

struct eval_ctx {
	const __u8 *buf;
	const struct gl_http_head *head;
	struct gl_rule_key key;
	__u32 matched;
	__s32 first;
	__u32 lane;
	__u32 all;	/* evaluate every rule (test) or stop at the first match (send path) */
};

static long eval_step(__u32 i, void *data)
{
	struct eval_ctx *x = data;
	const struct gl_rule *r;

	x->key.index = (__u16)i;
	r = bpf_map_lookup_elem(&gl_rules, &x->key);
	if (!r)
		return 1;
	if (gl_rule_match(x->buf, x->head, r) != 1)
		return 0;
	x->matched |= 1u << (i & 31);
	if (x->first < 0) {
		x->first = (__s32)i;
		x->lane = r->lane;
	}
	return x->all ? 0 : 1;
}

static __always_inline void eval(const __u8 *buf, const struct gl_http_head *h, __u32 nrules,
				 __u32 all, struct eval_ctx *x)
{
	x->buf = buf;
	x->head = h;
	x->key.slot = 0;
	x->key.pad = 0;
	x->key.index = 0;
	x->key.workload_id = 1;
	x->matched = 0;
	x->first = -1;
	x->lane = 0;
	x->all = all;
	if (nrules > GL_ENTRY_RULES_MAX)
		nrules = GL_ENTRY_RULES_MAX;
	bpf_loop(nrules, eval_step, x, 0);
}

SEC("syscall")
int rules_eval(struct gl_rules_load_args *a)
{
	struct gl_rules_scratch *s;
	struct eval_ctx x;
	__u32 k = 0, n = a->len;

	s = bpf_map_lookup_elem(&gl_rules_scratch, &k);
	if (!s)
		return 1;
	if (n > GL_HTTP_BUF_SIZE)
		n = GL_HTTP_BUF_SIZE;
	if (bpf_copy_from_user(s->buf, n, (const void *)a->data))
		return 1;
	result.rc = gl_http_parse_head(s->buf, 0, n, &want, &s->head);
	result.matched = 0;
	result.first = -1;
	result.lane = 0;
	if (result.rc <= 0)
		return 0;
	eval(s->buf, &s->head, a->nrules, 1, &x);
	result.matched = x.matched;
	result.first = x.first;
	result.lane = x.lane;
	return 0;
}

/* The send path: pull, copy, classify, parse, first matching rule. */
SEC("sk_msg")
int rules_sk_msg(struct sk_msg_md *msg)
{
	struct gl_rules_scratch *s;
	struct eval_ctx x;
	__u64 len = msg->size;
	void *data, *end;
	__u32 k = 0;

	s = bpf_map_lookup_elem(&gl_rules_scratch, &k);
	if (!s)
		return SK_PASS;
	if (len > GL_HTTP_BUF_SIZE)
		len = GL_HTTP_BUF_SIZE;
	if (bpf_msg_pull_data(msg, 0, len, 0))
		return SK_PASS;
	data = msg->data;
	end = msg->data_end;
	if (data + len > end)
		return SK_PASS;
	if (bpf_probe_read_kernel(s->buf, len, data))
		return SK_PASS;
	if (gl_http_classify(s->buf, 0, len) != GL_HTTP_PROTO_HTTP1)
		return SK_PASS;
	if (gl_http_parse_head(s->buf, 0, len, &want, &s->head) <= 0)
		return SK_PASS;
	eval(s->buf, &s->head, GL_ENTRY_RULES_MAX, 0, &x);
	result.lane = x.lane;
	return SK_PASS;
}
