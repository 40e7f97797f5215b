/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Bounds of the SQL shadow-table rewriter (bpf/lib/sql.h) and the table map
 * it reads: a lane's shadow tables, a BPF map value the daemon fills
 * (gl_shadows in abi.h) and the kernel reads while a statement is sent.
 * Fixed-width fields, explicit padding, nothing mirrored by hand elsewhere.
 *
 * Lengths count bytes, without any terminating NUL.
 */
#ifndef GRAYLANE_SQL_LIMITS_H
#define GRAYLANE_SQL_LIMITS_H

#ifdef __BPF__
/* vmlinux.h already provides __u8 .. __u64 */
#else
#include <linux/types.h>
#endif

/*
 * The statement buffer: a power of two so that every index is masked into
 * it. The send path parses SQL in the same per-CPU scratch buffer as HTTP
 * heads (GL_HTTP_BUF_SIZE), so this must not be larger than that.
 */
#define GL_SQL_BUF_SIZE		16384
#define GL_SQL_BUF_MASK		(GL_SQL_BUF_SIZE - 1)

/*
 * The longest statement text the kernel reads: the SQL of a COM_QUERY or
 * COM_STMT_PREPARE packet that fits the buffer whole, with its 4-byte packet
 * header and command byte in front. A longer statement in a lane with shadow
 * tables is refused (GL_SQL_E_TOO_LARGE), never sent to base tables.
 */
#define GL_SQL_STMT_MAX		(GL_SQL_BUF_SIZE - 5)

/*
 * A database or table name: MySQL identifiers are at most 64 characters; the
 * kernel compares bytes, so a name is at most 64 bytes (names of more bytes,
 * multi-byte characters, cannot be mapped). Same value, same spelling as in
 * limits.h, so including both is fine and a change to one breaks the build.
 */
#define GL_SQL_NAME_MAX		64

/* Tables one lane maps (entries of gl_sql_tables); a power of two. */
#define GL_SQL_TABLES_MAX	16

/*
 * Table references rewritten in one statement; a power of two. A statement
 * with more is refused (GL_SQL_E_TOO_LARGE).
 */
#define GL_SQL_EDITS_MAX	16

/*
 * One mapped table: statements of the lane that name db.base get
 * db.shadow. Names are raw bytes as the server compares them (table and
 * database names are case-sensitive on Linux), without backticks; the daemon
 * refuses names with a backtick or NUL, and shadow names that cannot be
 * written unquoted (bpf/lib/sql.h: gl_sql_name_plain), since a rewritten
 * unquoted reference stays unquoted. base_hash is FNV-1a-32 of base
 * (gl_sql_hash), so the kernel compares bytes only when it matches.
 * An entry with a zero length is never matched.
 */
struct gl_sql_table {
	__u8  db_len;
	__u8  base_len;
	__u8  shadow_len;
	__u8  pad;
	__u32 base_hash;
	char  db[GL_SQL_NAME_MAX];
	char  base[GL_SQL_NAME_MAX];
	char  shadow[GL_SQL_NAME_MAX];
};

/* A lane's tables: entries 0..n-1 are used (n <= GL_SQL_TABLES_MAX). */
struct gl_sql_tables {
	__u32 n;
	__u32 pad;
	struct gl_sql_table t[GL_SQL_TABLES_MAX];
};

#endif /* GRAYLANE_SQL_LIMITS_H */
