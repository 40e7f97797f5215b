/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/*
 * Shared by tests/sql/sql_load.bpf.c and tests/sql/test_sql_load.c: the
 * context a syscall program of the load test is run with, and what it
 * leaves in its result global.
 */
#ifndef GL_SQL_LOAD_H
#define GL_SQL_LOAD_H

#include "lib/sql.h"

/* ctx of the syscall programs */
struct gl_sql_load_args {
	__u64 data;		/* user address of a whole GL_SQL_BUF_SIZE buffer image */
	__u32 off;		/* the statement is [off, off + len) of it */
	__u32 len;
	__u32 db_len;		/* the current database is gl_sql_db[0..db_len) */
	__u32 key;		/* tables: key in gl_sql_maps; with sql_rewrite_nullable a
				 * missing key passes NULL */
};

struct gl_sql_load_result {
	__s32 rc;		/* what gl_sql_rewrite returned */
	__u32 pad;
	struct gl_sql_edits edits;
};

#endif /* GL_SQL_LOAD_H */
