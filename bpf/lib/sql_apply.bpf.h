/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/*
 * Applying lib/sql.h's edits to a MySQL packet in an sk_msg: each table name
 * replaced by its shadow, last edit first, then the packet length fixed up.
 * No maps of its own: the send path (lib/sql_send.bpf.h) and the verifier
 * test (tests/sql/sql_load.bpf.c) run this same code.
 */
#ifndef GL_SQL_APPLY_BPF_H
#define GL_SQL_APPLY_BPF_H

#include "lib/scratch.bpf.h"
#include "lib/sql.h"

/* Replaces [off, off + len) of the message by the shadow name. */
static __always_inline int gl_sql_apply_one(struct sk_msg_md *msg, __u32 off, __u32 len,
					    const struct gl_sql_table *t)
{
	if (t->shadow_len == 0 || t->shadow_len > GL_SQL_NAME_MAX)
		return -1;
	if (bpf_msg_pop_data(msg, off, len, 0))
		return -1;
	/* a failure here drops the statement: nothing needs undoing */
	return gl_msg_insert(msg, off, t->shadow, t->shadow_len, GL_SQL_NAME_MAX) ? -1 : 0;
}

/* Writes the packet's new payload length into its 3-byte header. */
static __always_inline int gl_sql_fix_length(struct sk_msg_md *msg, __u32 plen)
{
	__u8 *data, *end;

	if (bpf_msg_pull_data(msg, 0, 4, 0))
		return -1;
	data = msg->data;
	end = msg->data_end;
	if ((void *)(data + 4) > (void *)end)
		return -1;
	data[0] = plen & 0xff;
	data[1] = (plen >> 8) & 0xff;
	data[2] = (plen >> 16) & 0xff;
	return 0;
}

struct gl_apply_ctx {
	struct sk_msg_md *msg;
	const struct gl_sql_edits *e;
	const struct gl_sql_tables *t;
	long delta;
	int rc;
};

/* Edits from last to first, so earlier offsets stay valid. */
static long gl_sql_apply_step(__u32 i, void *data)
{
	struct gl_apply_ctx *x = data;
	__u32 k = x->e->n - 1 - i;
	const struct gl_sql_edit *ed;
	const struct gl_sql_table *t;

	if (k >= GL_SQL_EDITS_MAX)
		return 1;
	ed = &x->e->e[k & (GL_SQL_EDITS_MAX - 1)];
	if (ed->table >= GL_SQL_TABLES_MAX)
		goto fail;
	t = &x->t->t[ed->table & (GL_SQL_TABLES_MAX - 1)];
	/* offsets are the buffer's, which starts where the message does */
	if (gl_sql_apply_one(x->msg, ed->off, ed->len, t))
		goto fail;
	x->delta += (long)t->shadow_len - ed->len;
	return 0;
fail:
	x->rc = -1;
	return 1;
}

#endif
