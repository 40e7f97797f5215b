// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/*
 * Proof that the verifier of this kernel accepts bpf/lib/sql.h at full size
 * (GL_SQL_BUF_SIZE buffer, GL_SQL_STMT_MAX statement, GL_SQL_TABLES_MAX
 * tables, GL_SQL_EDITS_MAX edits), and a way to run the rewriter inside the
 * kernel on test statements (BPF_PROG_TEST_RUN).
 *
 * The syscall programs copy a buffer image the test hands them (a user
 * address in their ctx) into the per-CPU buffer, as the sk_msg program does
 * after bpf_msg_pull_data, run gl_sql_rewrite with the table map and current
 * database the test set, and leave the result in the `result` global.
 * sql_sk_msg has the send path's shape (read the packet, look up the lane's
 * tables, rewrite, then the send path's own lib/sql_apply.bpf.h: the edits
 * last to first, the packet length); it is only loaded (sk_msg programs
 * cannot be test-run).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "sql_load.h"
#include "lib/sql_apply.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct gl_sql_scratch {
	__u8 buf[GL_SQL_BUF_SIZE];
};

/* the statement buffer, per CPU */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gl_sql_scratch);
} gl_sql_scratch SEC(".maps");

/* the rewriter's output and state, per CPU */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gl_sql_edits);
} gl_sql_out SEC(".maps");

/* table maps, as the daemon's gl_shadows (a hash: a lane may have none) */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, struct gl_sql_tables);
} gl_sql_maps SEC(".maps");

/* the connection's current database (in the send path: socket storage) */
__u8 gl_sql_db[GL_SQL_NAME_MAX];
/* left by a run */
struct gl_sql_load_result result;

static __always_inline int run(struct gl_sql_load_args *a, int nullable)
{
	const struct gl_sql_tables *t;
	struct gl_sql_scratch *s;
	struct gl_sql_edits *e;
	__u32 k = 0, key = a->key;

	s = bpf_map_lookup_elem(&gl_sql_scratch, &k);
	e = bpf_map_lookup_elem(&gl_sql_out, &k);
	if (!s || !e)
		return 1;
	if (bpf_copy_from_user(s->buf, sizeof(s->buf), (const void *)a->data))
		return 1;
	t = bpf_map_lookup_elem(&gl_sql_maps, &key);
	if (!nullable && !t)
		return 1;
	result.rc = gl_sql_rewrite(s->buf, a->off, a->len, gl_sql_db, a->db_len, t, e);
	__builtin_memcpy(&result.edits, e, sizeof(*e));
	return 0;
}

/* the table map is there (the caller checked) */
SEC("syscall")
int sql_rewrite(struct gl_sql_load_args *a)
{
	return run(a, 0);
}

/* the table map may be missing: NULL is passed through */
SEC("syscall")
int sql_rewrite_nullable(struct gl_sql_load_args *a)
{
	return run(a, 1);
}

/* ---- the send path's shape ---- */

SEC("sk_msg")
int sql_sk_msg(struct sk_msg_md *msg)
{
	struct gl_apply_ctx ax = {};
	const struct gl_sql_tables *t;
	struct gl_sql_scratch *s;
	struct gl_sql_edits *e;
	__u64 len = msg->size;
	__u32 k = 0, key = 1, plen;
	void *data, *end;
	int n;

	s = bpf_map_lookup_elem(&gl_sql_scratch, &k);
	e = bpf_map_lookup_elem(&gl_sql_out, &k);
	if (!s || !e)
		return SK_PASS;
	if (len > GL_SQL_BUF_SIZE)
		len = GL_SQL_BUF_SIZE;
	if (len < 5 || bpf_msg_pull_data(msg, 0, len, 0))
		return SK_PASS;
	data = msg->data;
	end = msg->data_end;
	if (data + len > end)
		return SK_PASS;
	if (bpf_probe_read_kernel(s->buf, len, data))
		return SK_PASS;
	plen = s->buf[0] | s->buf[1] << 8 | s->buf[2] << 16;
	if (s->buf[4] != 0x03 || plen == 0 || 4 + plen > len)
		return SK_PASS;
	t = bpf_map_lookup_elem(&gl_sql_maps, &key);
	n = gl_sql_rewrite(s->buf, 5, plen - 1, gl_sql_db, e->use_len & 63, t, e);
	if (n <= 0 || !t)
		return n < 0 ? SK_DROP : SK_PASS;
	ax.msg = msg;
	ax.e = e;
	ax.t = t;
	bpf_loop(n, gl_sql_apply_step, &ax, 0);
	if (ax.rc || gl_sql_fix_length(msg, (__u32)((long)plen + ax.delta)))
		return SK_DROP;
	return SK_PASS;
}
