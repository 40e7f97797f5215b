/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/*
 * Shadow tables for MySQL/MariaDB statements (DESIGN.md, Decisions 5),
 * header-only, written once and compiled both into BPF programs (clang
 * -target bpf, -D__BPF__) and into userspace tests and fuzzers.
 *
 * What it does. gl_sql_rewrite() reads the SQL text of one COM_QUERY or
 * COM_STMT_PREPARE payload (after the command byte) and FINDS the table
 * references a lane's statement must have rewritten: each edit says
 * "replace bytes [off, off + len) of the buffer (a base table name, without
 * its backticks when quoted) by t[table].shadow". Offsets are absolute in
 * the buffer (as the statement's own off), not relative to the statement.
 * It never changes the buffer. The caller applies the edits from the last
 * to the first (so the earlier offsets stay valid: bpf_msg_pop_data,
 * bpf_msg_push_data, write the shadow name) and adds sum(shadow_len - len)
 * to the packet length. An unquoted name is replaced by the shadow name as
 * it is, so shadow names must be plain identifiers (gl_sql_name_plain; the
 * daemon validates). It also reports a USE statement: the new current
 * database, for the caller to keep for the connection's later statements.
 *
 * Input. buf is GL_SQL_BUF_SIZE bytes (in BPF a per-CPU map value); the
 * statement is [off, off + len). Every read is masked with GL_SQL_BUF_MASK
 * and no byte outside the statement is looked at. db/db_len is the
 * connection's current database (db_len 0: none; in BPF db must point to
 * GL_SQL_NAME_MAX readable bytes even then), tables the statement's lane
 * map (NULL or n == 0: nothing is rewritten, USE is still reported).
 *
 * Result. The number of edits (>= 0; out->n, out->e[] in increasing
 * offset order, non-overlapping), or a negative GL_SQL_E_* with out->reason:
 *   GL_SQL_E_TOO_LARGE    longer than GL_SQL_STMT_MAX (or past the buffer), or
 *                         more than GL_SQL_EDITS_MAX references to rewrite
 *   GL_SQL_E_UNSUPPORTED  something it cannot read safely (below)
 *   GL_SQL_E_INVAL        bad arguments (tables->n, db_len out of range)
 * A lane's statement with a negative result must not be sent (fail closed).
 * There is no "incomplete": the caller hands over a whole packet, and a
 * construct still open at its end cannot be closed by later bytes.
 *
 * Loops. Every scan is a bpf_loop() callback in BPF and a plain loop in
 * userspace (gl_sql_loop), as in http.h: one step per byte of the
 * statement (a step may take a few bytes at once, never none), a loop over
 * the table entries when a name ends, a loop per name compare. State that
 * changes from step to step lives in out->scan (a map value in BPF); loop
 * contexts on the stack hold pointers and bounds only. On this kernel (6.18)
 * a program that runs it verifies in about 8K instructions, 14K when the
 * table map may be NULL (the verifier walks both), 15K for an sk_msg
 * program that also applies the edits (tests/sql/test_sql_load).
 *
 * Lexical rules: MariaDB's lexer (sql/sql_lex.cc) in the default sql_mode,
 * checked against MariaDB 10.11; a connection whose session changes
 * sql_mode (ANSI_QUOTES, NO_BACKSLASH_ESCAPES) is read wrongly.
 * - Whitespace: SP, HT, LF, VT, FF, CR.
 * - Unquoted identifiers: runs of [A-Za-z0-9_$] and bytes >= 0x80 (so the
 *   connection's character set must be ASCII-compatible without ASCII
 *   bytes inside multi-byte characters: utf8mb3/utf8mb4/latin1 yes;
 *   gbk/big5/sjis/cp932 no). A run that starts with a digit is a number when
 *   it is all digits, 0x<hex digits> or 0b<binary digits> (lowercase x, b);
 *   digits then e|E then an optional sign and a digit make a number that
 *   ends after the exponent's digits, the rest of the run being a new token
 *   (1e5abc is 1e5 and abc); any other such run is an identifier (1abc, 1e,
 *   0X1F). Digits then '.' continue a number (1.5, 1., 1.5e3).
 * - A '.' right after an unquoted identifier and followed by an identifier
 *   byte is a separator and the run after it is an identifier, digits or
 *   not (t.5 is column 5 of t); otherwise a '.' followed by a digit begins a
 *   number (.5, `t`.5, t .5), any other '.' is a separator.
 * - `quoted identifiers`: `` inside is one backtick; the name compared is
 *   the bytes between the backticks as written (mapped names have no
 *   backtick, so a name with `` never matches).
 * - Strings '...' and "..." (ANSI_QUOTES off): backslash escapes the next
 *   byte, a doubled quote is one quote. X'..', N'..', _utf8mb4'..' are a
 *   word and a string.
 * - Comments: '#' and "--" followed by a control byte, SP or the end, to the
 *   end of the line; slash-star to the first star-slash (no nesting).
 * - Executable comments slash-star-! and slash-star-M-! are code: their
 *   content is read as SQL, a version number after the '!' (5 or 6 digits)
 *   is skipped, a star-slash outside strings and comments ends them. One
 *   inside another: unsupported (MariaDB refuses it too). A versioned one
 *   is code or a comment depending on the server's version (MariaDB skips
 *   50700-99999 and versions above its own), which cannot be known here, so
 *   it is accepted only when it ends at the same star-slash either way
 *   (MariaDB skips one with a nested comment allowed); else unsupported: a
 *   quote inside a skipped one would otherwise make us read the table names
 *   after it as a string (tests/sql/test_sql.c has the cases).
 * - Variables: @name, @@name, with '.' and the same bytes as identifiers
 *   (@a.b is one variable), and @`name`, are never table names.
 * - A NUL byte outside strings, quoted identifiers and slash-star comments is
 *   unsupported (MariaDB ends the statement or refuses it there).
 * Unsupported: a string, quoted identifier or comment not closed at the
 * end; NUL as above; the executable comment cases above; a malformed USE;
 * dynamic SQL (below).
 *
 * Which names are tables (without a grammar). A name is a chain of
 * identifiers joined by separator dots; whitespace and comments may stand
 * around the dots (db . tbl). A chain that ends in a dot followed by
 * anything but an identifier (t.*, d.t.*) counts that as one more part. A
 * chain may begin with a dot: MariaDB reads ".t" as t in the current
 * database (FROM .t, INSERT .t, WHERE .t.col). Only keyword-ness tells
 * "FROM .t" from "db .t", so an unquoted first part that is one of the
 * words of gl_sql_is_keyword (60 reserved words that can stand before a
 * table reference or an expression, and TABLES TRUNCATE HANDLER QUICK VIEW
 * UNTIL, which are not reserved: a database of one of these names,
 * unquoted, with a blank before the dot, is misread)
 * followed by a blank or comment and then the dot is a keyword, not part
 * of the name; right before the dot it is an identifier (FROM.t is a name,
 * and a syntax error in MariaDB). A keyword not in that list before ".t"
 * is read as a database name: t is then not rewritten (unless that
 * database is mapped with t).
 *   t        rewritten when an entry has the current database and base t
 *   x.t      t rewritten when an entry has db x and base t (a table in
 *            database x, whatever the current one is); otherwise x
 *            rewritten when an entry has the current database and base x
 *            (x qualifies column t: a table keeps its own name as its
 *            alias, so x.col must follow it to the shadow)
 *   d.t.c    t rewritten when an entry has db d and base t (a column of a
 *            table in database d); no other part
 *   .t, .t.c t rewritten as an unqualified t; no other part
 * Consequences, by design:
 * - Every unqualified identifier equal to a mapped base name is rewritten,
 *   whatever the grammar makes of it: a column, alias, index, constraint,
 *   procedure parameter, function or keyword of that name is renamed too
 *   (SELECT mse_demo_table FROM t2 reads column mse_demo_table_gray). Name
 *   shadow tables so that this never happens, or refuse such schemas.
 * - x.t with x another table or alias is a column and stays (t2.mse_demo_table);
 *   but when x is also a database name mapped with base t, x.t is read as
 *   that table.
 * - Matching is exact and case-sensitive (lower_case_table_names=0): never
 *   inside strings or plain comments, never part of a longer identifier
 *   (mse_demo_table2, x_mse_demo_table, mse_demo_table$), never another
 *   database's table (other.mse_demo_table), never MSE_DEMO_TABLE.
 * - No current database (db_len 0): only qualified names are rewritten.
 * - Names inside strings are not tables: information_schema queries and
 *   SHOW TABLES LIKE '...' see the base names. SQL that the server takes
 *   from a string or variable cannot be rewritten, so a statement that
 *   begins with PREPARE (PREPARE s FROM '...' or @var) or EXECUTE IMMEDIATE
 *   is unsupported (GL_SQL_R_DYNAMIC); EXECUTE s runs what was prepared.
 * - Stored routine bodies, views and triggers created by a lane's
 *   statement are rewritten as text; the ones that exist run on base tables.
 *
 * USE. A statement that is the word USE (any case) and one identifier
 * (quoted or not), then ';' or the end, sets out->use_off/use_len to the
 * name as written between backticks or bare (use_flags GL_SQL_EF_QUOTED);
 * unqualified names in later statements of the same packet (multi-statement
 * COM_QUERY) use it. USE without exactly one name, or a name longer than
 * GL_SQL_NAME_MAX, is unsupported. The last USE of a packet is reported.
 * Whether the server accepted it (the database may not exist) is not known
 * here; COM_INIT_DB, the handshake's database and COM_CHANGE_USER are the
 * caller's.
 */
#ifndef GL_SQL_H
#define GL_SQL_H

#include <graylane/sql_limits.h>

#ifdef __BPF__
/* vmlinux.h and <bpf/bpf_helpers.h> come first, from the program. */
#define GL_SQL_FN	static __always_inline
#define gl_sql_loop(n, cb, ctx) bpf_loop((n), (cb), (ctx), 0)
#else
#include <linux/types.h>
#include <stddef.h>
#define GL_SQL_FN	static inline
typedef long (*gl_sql_loop_fn)(__u32 index, void *ctx);
/* bpf_loop() semantics: iterations run, the stopping one included. */
static inline long gl_sql_loop(__u32 n, gl_sql_loop_fn cb, void *ctx)
{
	__u32 i;

	for (i = 0; i < n; i++)
		if (cb(i, ctx))
			return (long)i + 1;
	return n;
}
#endif
/* A loop body: (index, context) -> 0 to go on, 1 to stop. */
#define GL_SQL_CB	static inline long

_Static_assert((GL_SQL_BUF_SIZE & GL_SQL_BUF_MASK) == 0, "buffer size is a power of two");
_Static_assert(GL_SQL_BUF_SIZE <= 0x10000, "offsets are __u16");
_Static_assert(GL_SQL_STMT_MAX <= GL_SQL_BUF_SIZE, "a statement fits the buffer");
_Static_assert((GL_SQL_NAME_MAX & (GL_SQL_NAME_MAX - 1)) == 0 && GL_SQL_NAME_MAX <= 255,
	       "names: masked index, __u8 length");
_Static_assert((GL_SQL_TABLES_MAX & (GL_SQL_TABLES_MAX - 1)) == 0 && GL_SQL_TABLES_MAX <= 32,
	       "tables: masked index, __u8 table index");
_Static_assert((GL_SQL_EDITS_MAX & (GL_SQL_EDITS_MAX - 1)) == 0, "edits: masked index");
#ifdef GL_HTTP_BUF_SIZE
_Static_assert(GL_SQL_BUF_SIZE <= GL_HTTP_BUF_SIZE, "SQL is read in the HTTP scratch buffer");
#endif

/* ---- result codes: negative errno values, named for this rewriter ---- */

enum gl_sql_err {
	GL_SQL_E_TOO_LARGE	= -7,	/* -E2BIG */
	GL_SQL_E_INVAL		= -22,	/* -EINVAL */
	GL_SQL_E_UNSUPPORTED	= -95,	/* -EOPNOTSUPP */
};

/* Why a statement was refused: doubles as a counter index. */
enum gl_sql_reason {
	GL_SQL_R_NONE = 0,
	GL_SQL_R_TOO_LONG,	/* over GL_SQL_STMT_MAX, or past the buffer */
	GL_SQL_R_EDITS,		/* more than GL_SQL_EDITS_MAX references to rewrite */
	GL_SQL_R_STRING,	/* a string literal not closed */
	GL_SQL_R_QUOTED,	/* a `quoted identifier` not closed */
	GL_SQL_R_COMMENT,	/* a comment not closed */
	GL_SQL_R_EXEC,		/* an executable comment not closed, or one inside another */
	GL_SQL_R_EXEC_VERSION,	/* a versioned one whose end depends on the server's version */
	GL_SQL_R_NUL,		/* a NUL byte outside strings, quoted names, comments */
	GL_SQL_R_USE,		/* USE not followed by exactly one database name */
	GL_SQL_R_DYNAMIC,	/* PREPARE, EXECUTE IMMEDIATE: SQL in a string or variable */
	GL_SQL_R_ARG,		/* bad arguments */
	GL_SQL_R_LOOP,		/* the scan did not finish (cannot happen) */
	GL_SQL_R_MAX,
};

#define GL_SQL_NONE	0xffffffffu
#define GL_SQL_EOF	0x100u	/* gl_sql_byte() past the statement */

/* edit and USE flags */
#define GL_SQL_EF_QUOTED	0x01	/* the name was between backticks */

/* Replace [off, off + len) of the buffer by tables->t[table].shadow. */
struct gl_sql_edit {
	__u16 off;
	__u16 len;
	__u8 table;
	__u8 flags;	/* GL_SQL_EF_* */
	__u16 pad;
};

/* One identifier of a name chain. */
struct gl_sql_part {
	__u16 off;
	__u16 len;
	__u32 hash;	/* FNV-1a-32 of its bytes as written */
};

/* Working state of gl_sql_rewrite between steps; not a result. */
struct gl_sql_scan {
	__u64 w0;		/* the current word's first 16 bytes, uppercase, */
	__u64 w1;		/*   little-endian (keywords are compared whole) */
	__u64 k0;		/* the same of the chain's first part */
	__u64 k1;
	__u32 pos;		/* next byte */
	__u32 tok;		/* current word, or quoted name's content, starts here */
	__u32 hash;		/* FNV-1a-32 of the current name so far */
	__u32 adj;		/* just after the last unquoted identifier */
	__u32 forced;		/* a word starting here is an identifier (after a separator) */
	__u32 exec_start;	/* a versioned executable comment's content */
	__u32 cpos;		/* its check: cursor */
	__u32 qfound;		/* entry matching x.t as database x, table t */
	__u32 ufound;		/* entry matching a table in the current database */
	__u8 st;		/* enum gl_sql_lex */
	__u8 exec;		/* 0; 1 in an executable comment; 2 in a versioned one */
	__u8 stmt;		/* enum gl_sql_stmt */
	__u8 chain;		/* enum gl_sql_chain */
	__u8 parts;		/* parts of the chain so far (saturates at 3) */
	__u8 idents;		/* of them identifiers kept in part[] (0..2) */
	__u8 lead;		/* the chain began with a '.' */
	__u8 quoted;		/* bit i: part[i] was quoted */
	__u8 dparts;		/* the same, of the chain that ended, to be matched */
	__u8 didents;
	__u8 dlead;
	__u8 dquoted;
	__u8 fin;		/* a chain ended: match it */
	__u8 var;		/* a `quoted name` here belongs to a variable */
	__u8 bqvar;		/* the current quoted name does */
	__u8 cdepth;		/* check: inside a nested comment */
	__u8 cclosed;		/* check: the comment ended */
	__u8 done;		/* the scan is over */
	__u8 db_buf;		/* the current database is the USE name in the buffer */
	__u8 pad;
	struct gl_sql_part part[2];	/* the chain's first two identifiers */
	struct gl_sql_part dpart[2];	/* the ended chain's */
};

/* The result of gl_sql_rewrite (in BPF: a per-CPU map value). */
struct gl_sql_edits {
	__u32 n;		/* edits, increasing offsets, not overlapping */
	__u16 use_off;		/* USE: the new current database, bytes [use_off, */
	__u16 use_len;		/*   use_off + use_len) of the buffer; 0: no USE */
	__u8 use_flags;		/* GL_SQL_EF_QUOTED */
	__u8 reason;		/* enum gl_sql_reason, with a negative result */
	__u16 pad;
	__s32 rc;		/* what gl_sql_rewrite returned */
	struct gl_sql_edit e[GL_SQL_EDITS_MAX];
	struct gl_sql_scan scan;	/* parser state, last so results compare without it */
};

enum gl_sql_lex {
	GL_SQL_L_START = 0,	/* between tokens */
	GL_SQL_L_WORD,		/* unquoted identifier */
	GL_SQL_L_INT,		/* a run that began with a digit, digits so far */
	GL_SQL_L_HEX,		/* 0x and hex digits so far */
	GL_SQL_L_BIN,		/* 0b and binary digits so far */
	GL_SQL_L_FRAC,		/* number: after its '.' */
	GL_SQL_L_EXP,		/* number: exponent digits */
	GL_SQL_L_BQ,		/* `quoted identifier` */
	GL_SQL_L_SQ,		/* 'string' */
	GL_SQL_L_DQ,		/* "string" */
	GL_SQL_L_LINE,		/* comment to the end of the line */
	GL_SQL_L_BLOCK,		/* comment to star-slash */
	GL_SQL_L_VAR,		/* @variable */
};

enum gl_sql_stmt {
	GL_SQL_S_BEGIN = 0,	/* no token of this statement yet */
	GL_SQL_S_OTHER,		/* not USE */
	GL_SQL_S_USE,		/* USE, the name to come */
	GL_SQL_S_USE_NAME,	/* USE name, ';' or the end to come */
	GL_SQL_S_EXECUTE,	/* EXECUTE: IMMEDIATE or a statement name to come */
};

enum gl_sql_chain {
	GL_SQL_C_NONE = 0,
	GL_SQL_C_IDENT,		/* after an identifier: a '.' continues the chain */
	GL_SQL_C_DOT,		/* after a separator '.': an identifier continues it */
};

/* ---- bytes ---- */

#define GL_SQL_FNV32_INIT	0x811c9dc5u
#define GL_SQL_FNV32_PRIME	0x01000193u

GL_SQL_FN __u32 gl_sql_fnv_step(__u32 h, __u32 c)
{
	return (h ^ c) * GL_SQL_FNV32_PRIME;
}

/* FNV-1a-32 of n bytes of caller memory: gl_sql_table.base_hash (daemon, tests). */
GL_SQL_FN __u32 gl_sql_hash(const void *p, __u32 n)
{
	const __u8 *b = p;
	__u32 h = GL_SQL_FNV32_INIT, i;

	for (i = 0; i < GL_SQL_NAME_MAX; i++) {
		if (i >= n)
			break;
		h = gl_sql_fnv_step(h, b[i]);
	}
	return h;
}

GL_SQL_FN int gl_sql_is_digit(__u32 c)
{
	return c >= '0' && c <= '9';
}

/* a byte of an unquoted identifier (GL_SQL_EOF is none) */
GL_SQL_FN int gl_sql_is_word(__u32 c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || gl_sql_is_digit(c) ||
	       c == '_' || c == '$' || (c >= 0x80 && c <= 0xff);
}

GL_SQL_FN __u32 gl_sql_upper(__u32 c)
{
	return c >= 'a' && c <= 'z' ? c - ('a' - 'A') : c;
}

GL_SQL_FN int gl_sql_is_space(__u32 c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

GL_SQL_FN int gl_sql_is_hex(__u32 c)
{
	return gl_sql_is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* after "--": a comment when SP, a control byte or the end follows */
GL_SQL_FN int gl_sql_dash_comment(__u32 c)
{
	return c <= ' ' || c == 0x7f || c == GL_SQL_EOF;
}

/* Eight bytes as one little-endian word, for comparing short literals. */
#define GL_SQL_W(a, b, c, d, e, f, g, h)					\
	((__u64)(a) | (__u64)(b) << 8 | (__u64)(c) << 16 | (__u64)(d) << 24 |	\
	 (__u64)(e) << 32 | (__u64)(f) << 40 | (__u64)(g) << 48 | (__u64)(h) << 56)

/*
 * Reserved words (and a few others) that can stand right before a table
 * reference or an expression, where MariaDB reads "WORD .t" as t in the
 * current database; see "leading dot" above. Is the word, packed uppercase
 * as the lexer packs it (gl_sql_scan.w0/w1), len bytes, one of them?
 */
GL_SQL_FN int gl_sql_is_keyword(__u64 w0, __u64 w1, __u32 len)
{
	switch (len) {
	case 2:	/* BY IN IS ON OR TO */
		return w1 == 0 && (w0 == 0x5942ull ||
		       w0 == 0x4e49ull ||
		       w0 == 0x5349ull ||
		       w0 == 0x4e4full ||
		       w0 == 0x524full ||
		       w0 == 0x4f54ull);
	case 3:	/* ALL AND DIV MOD NOT SET XOR */
		return w1 == 0 && (w0 == 0x4c4c41ull ||
		       w0 == 0x444e41ull ||
		       w0 == 0x564944ull ||
		       w0 == 0x444f4dull ||
		       w0 == 0x544f4eull ||
		       w0 == 0x544553ull ||
		       w0 == 0x524f58ull);
	case 4:	/* CASE DESC ELSE FROM INTO JOIN LIKE LOCK THEN VIEW WHEN */
		return w1 == 0 && (w0 == 0x45534143ull ||
		       w0 == 0x43534544ull ||
		       w0 == 0x45534c45ull ||
		       w0 == 0x4d4f5246ull ||
		       w0 == 0x4f544e49ull ||
		       w0 == 0x4e494f4aull ||
		       w0 == 0x454b494cull ||
		       w0 == 0x4b434f4cull ||
		       w0 == 0x4e454854ull ||
		       w0 == 0x57454956ull ||
		       w0 == 0x4e454857ull);
	case 5:	/* INDEX QUICK RLIKE TABLE UNTIL USING WHERE WHILE */
		return w1 == 0 && (w0 == 0x5845444e49ull ||
		       w0 == 0x4b43495551ull ||
		       w0 == 0x454b494c52ull ||
		       w0 == 0x454c424154ull ||
		       w0 == 0x4c49544e55ull ||
		       w0 == 0x474e495355ull ||
		       w0 == 0x4552454857ull ||
		       w0 == 0x454c494857ull);
	case 6:	/* BINARY DELETE ELSEIF EXISTS HAVING IGNORE INSERT REGEXP RETURN SELECT TABLES UPDATE */
		return w1 == 0 && (w0 == 0x5952414e4942ull ||
		       w0 == 0x4554454c4544ull ||
		       w0 == 0x464945534c45ull ||
		       w0 == 0x535453495845ull ||
		       w0 == 0x474e49564148ull ||
		       w0 == 0x45524f4e4749ull ||
		       w0 == 0x545245534e49ull ||
		       w0 == 0x505845474552ull ||
		       w0 == 0x4e5255544552ull ||
		       w0 == 0x5443454c4553ull ||
		       w0 == 0x53454c424154ull ||
		       w0 == 0x455441445055ull);
	case 7:	/* BETWEEN DEFAULT DELAYED EXPLAIN HANDLER REPLACE */
		return w1 == 0 && (w0 == 0x4e454557544542ull ||
		       w0 == 0x544c5541464544ull ||
		       w0 == 0x444559414c4544ull ||
		       w0 == 0x4e49414c505845ull ||
		       w0 == 0x52454c444e4148ull ||
		       w0 == 0x4543414c504552ull);
	case 8:	/* DESCRIBE DISTINCT INTERVAL TRUNCATE */
		return w1 == 0 && (w0 == 0x4542495243534544ull ||
		       w0 == 0x54434e4954534944ull ||
		       w0 == 0x4c41565245544e49ull ||
		       w0 == 0x455441434e555254ull);
	case 9:	/* RETURNING */
		return ((w0 == 0x4e494e5255544552ull && w1 == 0x47ull));
	case 10:	/* REFERENCES */
		return ((w0 == 0x434e455245464552ull && w1 == 0x5345ull));
	case 11:	/* DISTINCTROW */
		return ((w0 == 0x54434e4954534944ull && w1 == 0x574f52ull));
	case 12:	/* LOW_PRIORITY */
		return ((w0 == 0x4f4952505f574f4cull && w1 == 0x59544952ull));
	case 13:	/* HIGH_PRIORITY STRAIGHT_JOIN */
		return ((w0 == 0x4952505f48474948ull && w1 == 0x595449524full) ||
		       (w0 == 0x5448474941525453ull && w1 == 0x4e494f4a5full));
	}
	return 0;
}

/* ---- comparing names ---- */

struct gl_sql_cmpctx {
	const __u8 *a;	/* the buffer (at + i, masked) or a name (i) */
	const __u8 *b;	/* a name: GL_SQL_NAME_MAX bytes of caller memory */
	__u32 at;
	__u32 diff;
};

GL_SQL_CB gl_sql_cmp_buf_step(__u32 i, void *vctx)
{
	struct gl_sql_cmpctx *x = vctx;

	if (x->a[(x->at + i) & GL_SQL_BUF_MASK] == x->b[i & (GL_SQL_NAME_MAX - 1)])
		return 0;
	x->diff = 1;
	return 1;
}

GL_SQL_CB gl_sql_cmp_mem_step(__u32 i, void *vctx)
{
	struct gl_sql_cmpctx *x = vctx;

	if (x->a[i & (GL_SQL_NAME_MAX - 1)] == x->b[i & (GL_SQL_NAME_MAX - 1)])
		return 0;
	x->diff = 1;
	return 1;
}

/* Are the n bytes of buf at `at` name[0..n)? */
GL_SQL_FN int gl_sql_eq_buf(const __u8 *buf, __u32 at, const char *name, __u32 n)
{
	struct gl_sql_cmpctx x = { .a = buf, .b = (const __u8 *)name, .at = at, .diff = 0 };

	if (n > GL_SQL_NAME_MAX)
		return 0;
	if (n)
		gl_sql_loop(n, gl_sql_cmp_buf_step, &x);
	return !x.diff;
}

/* Is a[0..n) name[0..n)? (both GL_SQL_NAME_MAX bytes of caller memory) */
GL_SQL_FN int gl_sql_eq_mem(const __u8 *a, const char *name, __u32 n)
{
	struct gl_sql_cmpctx x = { .a = a, .b = (const __u8 *)name, .at = 0, .diff = 0 };

	if (n > GL_SQL_NAME_MAX)
		return 0;
	if (n)
		gl_sql_loop(n, gl_sql_cmp_mem_step, &x);
	return !x.diff;
}

/* ---- the scan ---- */

struct gl_sql_ctx {
	const __u8 *buf;
	const struct gl_sql_tables *t;
	const __u8 *db;		/* the connection's current database */
	struct gl_sql_edits *o;
	__u32 end;		/* the statement ends here */
	__u32 db_len;
	__u32 ntables;
	__u32 pad;
};

/* The byte at p, or GL_SQL_EOF at and past the end of the statement. */
GL_SQL_FN __u32 gl_sql_byte(const struct gl_sql_ctx *x, __u32 p)
{
	if (p >= x->end)
		return GL_SQL_EOF;
	return x->buf[p & GL_SQL_BUF_MASK];
}

GL_SQL_FN void gl_sql_fail(struct gl_sql_edits *o, int err, __u8 reason)
{
	o->rc = err;
	o->reason = reason;
	o->scan.done = 1;
}

/* The chain is over: keep it for matching at the end of this step. */
GL_SQL_FN void gl_sql_chain_done(struct gl_sql_scan *s)
{
	__u8 parts = s->parts;

	if (s->chain == GL_SQL_C_DOT && parts < 3)
		parts++;	/* t.* : the '*' is a part */
	s->dparts = parts;
	s->didents = s->idents;
	s->dlead = s->lead;
	s->dquoted = s->quoted;
	s->dpart[0] = s->part[0];
	s->dpart[1] = s->part[1];
	s->fin = 1;
	s->chain = GL_SQL_C_NONE;
	s->parts = 0;
	s->idents = 0;
	s->lead = 0;
	s->quoted = 0;
}

/* A token other than an identifier or a separator dot (semi: it is ';'). */
GL_SQL_FN void gl_sql_token(struct gl_sql_edits *o, int semi)
{
	struct gl_sql_scan *s = &o->scan;

	if (s->stmt == GL_SQL_S_USE || (s->stmt == GL_SQL_S_USE_NAME && !semi)) {
		gl_sql_fail(o, GL_SQL_E_UNSUPPORTED, GL_SQL_R_USE);
		return;
	}
	if (semi)
		s->stmt = GL_SQL_S_BEGIN;
	else if (s->stmt == GL_SQL_S_BEGIN || s->stmt == GL_SQL_S_EXECUTE)
		s->stmt = GL_SQL_S_OTHER;
	if (s->chain != GL_SQL_C_NONE)
		gl_sql_chain_done(s);
}

/* An identifier [off, end) ended (hash in s->hash). */
GL_SQL_FN void gl_sql_ident(const struct gl_sql_ctx *x, __u32 off, __u32 end, int quoted)
{
	struct gl_sql_edits *o = x->o;
	struct gl_sql_scan *s = &o->scan;
	__u32 len = end - off, n;

	if (!quoted)
		s->adj = end;
	if (s->stmt == GL_SQL_S_BEGIN) {
		s->stmt = GL_SQL_S_OTHER;
		if (!quoted && len == 3 && s->w0 == GL_SQL_W('U', 'S', 'E', 0, 0, 0, 0, 0)) {
			s->stmt = GL_SQL_S_USE;
			return;
		}
		if (!quoted && len == 7 && s->w0 == GL_SQL_W('P', 'R', 'E', 'P', 'A', 'R', 'E', 0)) {
			gl_sql_fail(o, GL_SQL_E_UNSUPPORTED, GL_SQL_R_DYNAMIC);
			return;
		}
		if (!quoted && len == 7 && s->w0 == GL_SQL_W('E', 'X', 'E', 'C', 'U', 'T', 'E', 0)) {
			s->stmt = GL_SQL_S_EXECUTE;
			return;
		}
	} else if (s->stmt == GL_SQL_S_EXECUTE) {
		s->stmt = GL_SQL_S_OTHER;
		if (!quoted && len == 9 && s->w0 == GL_SQL_W('I', 'M', 'M', 'E', 'D', 'I', 'A', 'T') &&
		    s->w1 == 'E') {
			gl_sql_fail(o, GL_SQL_E_UNSUPPORTED, GL_SQL_R_DYNAMIC);
			return;
		}
	} else if (s->stmt == GL_SQL_S_USE) {
		if (len == 0 || len > GL_SQL_NAME_MAX) {
			gl_sql_fail(o, GL_SQL_E_UNSUPPORTED, GL_SQL_R_USE);
			return;
		}
		o->use_off = (__u16)off;
		o->use_len = (__u16)len;
		o->use_flags = quoted ? GL_SQL_EF_QUOTED : 0;
		s->db_buf = 1;
		s->stmt = GL_SQL_S_USE_NAME;
		return;
	} else if (s->stmt == GL_SQL_S_USE_NAME) {
		gl_sql_fail(o, GL_SQL_E_UNSUPPORTED, GL_SQL_R_USE);
		return;
	}
	n = 0;
	if (s->chain == GL_SQL_C_DOT)
		n = s->parts;
	else
		s->lead = 0;	/* a new chain (s->parts and friends were reset when the last ended) */
	if (n == 0) {
		s->k0 = s->w0;	/* a keyword, if a dot follows after a blank? */
		s->k1 = s->w1;
	}
	if (n < 2) {
		s->part[n & 1].off = (__u16)off;
		s->part[n & 1].len = (__u16)len;
		s->part[n & 1].hash = s->hash;
		if (quoted)
			s->quoted |= (__u8)(1u << n);
		s->idents = (__u8)(n + 1);
	}
	s->parts = (__u8)(n < 3 ? n + 1 : 3);
	s->chain = GL_SQL_C_IDENT;
}

/*
 * A separator '.' at pos; a word right after it is an identifier if forced.
 * After a blank or comment, a keyword before it is not part of the chain:
 * "FROM .t" is t in the current database (as MariaDB reads it).
 */
GL_SQL_FN void gl_sql_dot(struct gl_sql_edits *o, __u32 pos, int forced)
{
	struct gl_sql_scan *s = &o->scan;

	if (s->stmt == GL_SQL_S_USE || s->stmt == GL_SQL_S_USE_NAME) {
		gl_sql_fail(o, GL_SQL_E_UNSUPPORTED, GL_SQL_R_USE);
		return;
	}
	if (s->stmt == GL_SQL_S_BEGIN || s->stmt == GL_SQL_S_EXECUTE)
		s->stmt = GL_SQL_S_OTHER;
	if (s->chain == GL_SQL_C_IDENT && s->parts == 1 && s->adj != pos && !(s->quoted & 1) &&
	    gl_sql_is_keyword(s->k0, s->k1, s->part[0].len))
		gl_sql_chain_done(s);	/* FROM .t: the keyword alone */
	else if (s->chain == GL_SQL_C_DOT)
		gl_sql_chain_done(s);	/* a..b */
	if (s->chain == GL_SQL_C_NONE)
		s->lead = 1;		/* .t */
	s->chain = GL_SQL_C_DOT;
	if (forced)
		s->forced = pos + 1;
}

/* The length of an exponent at p ('e' or 'E'): e5 -> 2, e+5 -> 3; 0 if none. */
GL_SQL_FN __u32 gl_sql_exponent(const struct gl_sql_ctx *x, __u32 p)
{
	__u32 c = gl_sql_byte(x, p + 1);

	if (gl_sql_is_digit(c))
		return 2;
	if ((c == '+' || c == '-') && gl_sql_is_digit(gl_sql_byte(x, p + 2)))
		return 3;
	return 0;
}

/* ---- matching a name against the table map ---- */

struct gl_sql_mctx {
	const __u8 *buf;
	const struct gl_sql_tables *t;
	const __u8 *db;		/* the caller's current database, unless db_buf */
	struct gl_sql_scan *s;
	__u32 db_off;		/* the current database in the buffer, when db_buf */
	__u32 db_len;		/* its length (either one) */
	__u32 db_buf;
	__u32 want;		/* bit 0: part 1 in database part 0; bit 1: part 0 in the current database */
};

GL_SQL_CB gl_sql_entry_step(__u32 i, void *vctx)
{
	struct gl_sql_mctx *x = vctx;
	struct gl_sql_scan *s = x->s;
	const struct gl_sql_table *e;
	__u32 bl, dl;

	if (!x->t)
		return 1;
	e = &x->t->t[i & (GL_SQL_TABLES_MAX - 1)];
	bl = e->base_len;
	dl = e->db_len;
	if (bl == 0 || bl > GL_SQL_NAME_MAX || dl == 0 || dl > GL_SQL_NAME_MAX)
		return 0;
	if ((x->want & 1) && s->qfound == GL_SQL_NONE && bl == s->dpart[1].len &&
	    e->base_hash == s->dpart[1].hash && dl == s->dpart[0].len &&
	    gl_sql_eq_buf(x->buf, s->dpart[1].off, e->base, bl) &&
	    gl_sql_eq_buf(x->buf, s->dpart[0].off, e->db, dl)) {
		s->qfound = i;
		return 1;	/* the qualified reading wins */
	}
	if ((x->want & 2) && s->ufound == GL_SQL_NONE && bl == s->dpart[0].len &&
	    e->base_hash == s->dpart[0].hash && dl == x->db_len &&
	    gl_sql_eq_buf(x->buf, s->dpart[0].off, e->base, bl)) {
		if (x->db_buf ? gl_sql_eq_buf(x->buf, x->db_off, e->db, dl)
			      : gl_sql_eq_mem(x->db, e->db, dl))
			s->ufound = i;
	}
	return 0;
}

/* The chain that ended: which of its parts is a mapped table, if any; one edit. */
GL_SQL_FN void gl_sql_match(const struct gl_sql_ctx *x)
{
	struct gl_sql_edits *o = x->o;
	struct gl_sql_scan *s = &o->scan;
	struct gl_sql_mctx m;
	struct gl_sql_edit *e;
	__u32 want = 0, idx, k;

	if (!x->t || x->ntables == 0 || s->didents == 0)
		return;
	if (s->dlead || s->dparts == 1) {
		want = 2;
	} else {
		if (s->didents == 2)
			want = 1;
		if (s->dparts == 2)
			want |= 2;
	}
	m.db_buf = s->db_buf;
	m.db_off = o->use_off;
	m.db_len = s->db_buf ? o->use_len : x->db_len;
	if (m.db_len == 0)
		want &= ~2u;
	if (!want)
		return;
	m.buf = x->buf;
	m.t = x->t;
	m.db = x->db;
	m.s = s;
	m.want = want;
	s->qfound = GL_SQL_NONE;
	s->ufound = GL_SQL_NONE;
	gl_sql_loop(x->ntables, gl_sql_entry_step, &m);
	if (s->qfound != GL_SQL_NONE) {
		idx = s->qfound;
		k = 1;
	} else if (s->ufound != GL_SQL_NONE) {
		idx = s->ufound;
		k = 0;
	} else {
		return;
	}
	if (o->n >= GL_SQL_EDITS_MAX) {
		gl_sql_fail(o, GL_SQL_E_TOO_LARGE, GL_SQL_R_EDITS);
		return;
	}
	e = &o->e[o->n & (GL_SQL_EDITS_MAX - 1)];
	e->off = s->dpart[k].off;
	e->len = s->dpart[k].len;
	e->table = (__u8)idx;
	e->flags = (s->dquoted >> k) & 1 ? GL_SQL_EF_QUOTED : 0;
	e->pad = 0;
	o->n++;
}

/* ---- versioned executable comments: where would a skipping server end one? ---- */

struct gl_sql_cctx {
	const __u8 *buf;
	struct gl_sql_scan *s;
	__u32 stop;	/* where the code reading ends it (after its star-slash) */
	__u32 end;	/* the statement's end */
};

/* MariaDB's consume_comment(lip, 1): one level of nested comment allowed. */
GL_SQL_CB gl_sql_check_step(__u32 i, void *vctx)
{
	struct gl_sql_cctx *x = vctx;
	struct gl_sql_scan *s = x->s;
	__u32 p = s->cpos, c, n;

	(void)i;
	if (p >= x->stop)
		return 1;
	c = x->buf[p & GL_SQL_BUF_MASK];
	n = p + 1 < x->end ? x->buf[(p + 1) & GL_SQL_BUF_MASK] : 0;
	if (!s->cdepth && c == '/' && n == '*') {
		s->cdepth = 1;
		s->cpos = p + 2;
		return 0;
	}
	if (c == '*' && n == '/') {
		s->cpos = p + 2;
		if (s->cdepth) {
			s->cdepth = 0;
			return 0;
		}
		s->cclosed = 1;
		return 1;
	}
	s->cpos = p + 1;
	return 0;
}

/* Does the comment read as a comment end exactly at stop too? */
GL_SQL_FN int gl_sql_exec_same_end(const struct gl_sql_ctx *x, __u32 stop)
{
	struct gl_sql_scan *s = &x->o->scan;
	struct gl_sql_cctx c = { .buf = x->buf, .s = s, .stop = stop, .end = x->end };

	s->cpos = s->exec_start;
	s->cdepth = 0;
	s->cclosed = 0;
	if (stop > s->exec_start)
		gl_sql_loop(stop - s->exec_start, gl_sql_check_step, &c);
	return s->cclosed && s->cpos == stop;
}

/* ---- one step ---- */

/* Between tokens: the byte c at pos begins one (or the statement ends). */
GL_SQL_FN void gl_sql_start(const struct gl_sql_ctx *x, __u32 pos, __u32 c)
{
	struct gl_sql_edits *o = x->o;
	struct gl_sql_scan *s = &o->scan;
	__u32 n, k, v = s->var;

	s->var = 0;
	if (c == GL_SQL_EOF) {
		if (s->exec)
			gl_sql_fail(o, GL_SQL_E_UNSUPPORTED, GL_SQL_R_EXEC);
		else if (s->stmt == GL_SQL_S_USE)
			gl_sql_fail(o, GL_SQL_E_UNSUPPORTED, GL_SQL_R_USE);
		else if (s->chain != GL_SQL_C_NONE)
			gl_sql_chain_done(s);
		s->done = 1;
		return;
	}
	s->pos = pos + 1;
	if (gl_sql_is_space(c))
		return;
	if (c == 0) {
		gl_sql_fail(o, GL_SQL_E_UNSUPPORTED, GL_SQL_R_NUL);
		return;
	}
	if (gl_sql_is_word(c)) {
		if (s->chain == GL_SQL_C_IDENT)
			gl_sql_chain_done(s);
		s->tok = pos;
		s->hash = gl_sql_fnv_step(GL_SQL_FNV32_INIT, c);
		s->w0 = gl_sql_upper(c);
		s->w1 = 0;
		s->st = (s->forced == pos || !gl_sql_is_digit(c)) ? GL_SQL_L_WORD : GL_SQL_L_INT;
		return;
	}
	n = gl_sql_byte(x, pos + 1);
	switch (c) {
	case '`':
		if (s->chain == GL_SQL_C_IDENT)
			gl_sql_chain_done(s);
		s->bqvar = (__u8)v;
		s->tok = pos + 1;
		s->hash = GL_SQL_FNV32_INIT;
		s->w0 = 0;
		s->w1 = 0;
		s->st = GL_SQL_L_BQ;
		return;
	case '\'':
	case '"':
		gl_sql_token(o, 0);
		s->st = c == '\'' ? GL_SQL_L_SQ : GL_SQL_L_DQ;
		return;
	case '#':
		s->st = GL_SQL_L_LINE;
		return;
	case '-':
		if (n == '-' && gl_sql_dash_comment(gl_sql_byte(x, pos + 2))) {
			s->st = GL_SQL_L_LINE;
			s->pos = pos + 2;
			return;
		}
		break;
	case '/':
		if (n != '*')
			break;
		n = gl_sql_byte(x, pos + 2);
		if (n == '!') {
			k = pos + 3;
		} else if (n == 'M' && gl_sql_byte(x, pos + 3) == '!') {
			k = pos + 4;
		} else {
			s->st = GL_SQL_L_BLOCK;
			s->pos = pos + 2;
			return;
		}
		if (s->exec) {
			gl_sql_fail(o, GL_SQL_E_UNSUPPORTED, GL_SQL_R_EXEC);
			return;
		}
		s->exec = 1;
		if (gl_sql_is_digit(gl_sql_byte(x, k)) && gl_sql_is_digit(gl_sql_byte(x, k + 1)) &&
		    gl_sql_is_digit(gl_sql_byte(x, k + 2)) && gl_sql_is_digit(gl_sql_byte(x, k + 3)) &&
		    gl_sql_is_digit(gl_sql_byte(x, k + 4))) {
			k += gl_sql_is_digit(gl_sql_byte(x, k + 5)) ? 6 : 5;
			s->exec = 2;
			s->exec_start = k;
		}
		s->pos = k;
		return;
	case '*':
		if (!s->exec || n != '/')
			break;
		if (s->exec == 2 && !gl_sql_exec_same_end(x, pos + 2)) {
			gl_sql_fail(o, GL_SQL_E_UNSUPPORTED, GL_SQL_R_EXEC_VERSION);
			return;
		}
		s->exec = 0;
		s->pos = pos + 2;
		return;
	case '@':
		gl_sql_token(o, 0);
		s->var = 1;
		s->st = GL_SQL_L_VAR;
		if (n == '@')
			s->pos = pos + 2;
		return;
	case '.':
		if (s->adj == pos && gl_sql_is_word(n)) {
			gl_sql_dot(o, pos, 1);	/* t.5 */
			return;
		}
		if (gl_sql_is_digit(n)) {
			gl_sql_token(o, 0);		/* .5 */
			s->st = GL_SQL_L_FRAC;
			return;
		}
		gl_sql_dot(o, pos, gl_sql_is_word(n));
		return;
	case ';':
		gl_sql_token(o, 1);
		return;
	}
	gl_sql_token(o, 0);
}

GL_SQL_CB gl_sql_step(__u32 index, void *vctx)
{
	struct gl_sql_ctx *x = vctx;
	struct gl_sql_edits *o = x->o;
	struct gl_sql_scan *s = &o->scan;
	__u32 pos = s->pos, c, n;

	(void)index;
	if (s->done)
		return 1;
	c = gl_sql_byte(x, pos);
	switch (s->st) {
	case GL_SQL_L_START:
		break;
	case GL_SQL_L_WORD:
		if (gl_sql_is_word(c))
			goto word;
		gl_sql_ident(x, s->tok, pos, 0);
		s->st = GL_SQL_L_START;
		break;
	case GL_SQL_L_INT:
		if (gl_sql_is_digit(c))
			goto word;
		if ((c == 'x' || c == 'b') && pos == s->tok + 1 &&
		    x->buf[s->tok & GL_SQL_BUF_MASK] == '0') {
			s->st = c == 'x' ? GL_SQL_L_HEX : GL_SQL_L_BIN;
			goto word;
		}
		if (c == 'e' || c == 'E') {
			n = gl_sql_exponent(x, pos);
			if (n) {
				s->st = GL_SQL_L_EXP;
				s->pos = pos + n;
				return 0;
			}
		}
		if (gl_sql_is_word(c)) {
			s->st = GL_SQL_L_WORD;	/* 1abc, 1e */
			goto word;
		}
		if (c == '.') {
			s->st = GL_SQL_L_FRAC;
			s->pos = pos + 1;
			return 0;
		}
		gl_sql_token(o, 0);	/* an integer */
		s->st = GL_SQL_L_START;
		break;
	case GL_SQL_L_HEX:
	case GL_SQL_L_BIN:
		if (s->st == GL_SQL_L_HEX ? gl_sql_is_hex(c) : (c == '0' || c == '1'))
			goto word;
		if (gl_sql_is_word(c)) {
			s->st = GL_SQL_L_WORD;	/* 0xg, 0b12 */
			goto word;
		}
		if (pos - s->tok >= 3)
			gl_sql_token(o, 0);	/* 0x1f, 0b1 */
		else
			gl_sql_ident(x, s->tok, pos, 0);	/* 0x, 0b */
		s->st = GL_SQL_L_START;
		break;
	case GL_SQL_L_FRAC:
		if (gl_sql_is_digit(c)) {
			s->pos = pos + 1;
			return 0;
		}
		if (c == 'e' || c == 'E') {
			n = gl_sql_exponent(x, pos);
			if (n) {
				s->st = GL_SQL_L_EXP;
				s->pos = pos + n;
				return 0;
			}
		}
		gl_sql_token(o, 0);	/* 1.5, .5, 1. */
		s->st = GL_SQL_L_START;
		break;
	case GL_SQL_L_EXP:
		if (gl_sql_is_digit(c)) {
			s->pos = pos + 1;
			return 0;
		}
		gl_sql_token(o, 0);	/* 1e5 */
		s->st = GL_SQL_L_START;
		break;
	case GL_SQL_L_BQ:
		if (c == GL_SQL_EOF) {
			gl_sql_fail(o, GL_SQL_E_UNSUPPORTED, GL_SQL_R_QUOTED);
			return 1;
		}
		if (c == '`') {
			if (gl_sql_byte(x, pos + 1) == '`') {
				s->hash = gl_sql_fnv_step(gl_sql_fnv_step(s->hash, c), c);
				s->pos = pos + 2;
				return 0;
			}
			if (!s->bqvar)
				gl_sql_ident(x, s->tok, pos, 1);
			s->bqvar = 0;
			s->st = GL_SQL_L_START;
			s->pos = pos + 1;
			return s->done & 1;
		}
		goto word;
	case GL_SQL_L_SQ:
	case GL_SQL_L_DQ:
		if (c == GL_SQL_EOF) {
			gl_sql_fail(o, GL_SQL_E_UNSUPPORTED, GL_SQL_R_STRING);
			return 1;
		}
		if (c == '\\') {
			s->pos = pos + 2 < x->end ? pos + 2 : x->end;
			return 0;
		}
		if (c == (s->st == GL_SQL_L_SQ ? '\'' : '"')) {
			if (gl_sql_byte(x, pos + 1) == c) {
				s->pos = pos + 2;
				return 0;
			}
			s->st = GL_SQL_L_START;
		}
		s->pos = pos + 1;
		return 0;
	case GL_SQL_L_LINE:
		if (c == GL_SQL_EOF) {
			s->st = GL_SQL_L_START;
			break;
		}
		if (c == 0) {
			gl_sql_fail(o, GL_SQL_E_UNSUPPORTED, GL_SQL_R_NUL);
			return 1;
		}
		if (c == '\n')
			s->st = GL_SQL_L_START;
		s->pos = pos + 1;
		return 0;
	case GL_SQL_L_BLOCK:
		if (c == GL_SQL_EOF) {
			gl_sql_fail(o, GL_SQL_E_UNSUPPORTED, GL_SQL_R_COMMENT);
			return 1;
		}
		if (c == '*' && gl_sql_byte(x, pos + 1) == '/') {
			s->st = GL_SQL_L_START;
			s->pos = pos + 2;
			return 0;
		}
		s->pos = pos + 1;
		return 0;
	case GL_SQL_L_VAR:
		if (gl_sql_is_word(c) || c == '.') {
			s->var = c == '.';	/* @@session.`x` */
			s->pos = pos + 1;
			return 0;
		}
		s->st = GL_SQL_L_START;
		break;
	default:
		gl_sql_fail(o, GL_SQL_E_UNSUPPORTED, GL_SQL_R_LOOP);
		return 1;
	}
	/* a token ended before c, or none was open: c begins the next one */
	if (!s->done)
		gl_sql_start(x, pos, c);
	if (s->fin && o->rc == 0) {
		s->fin = 0;
		gl_sql_match(x);
	}
	return s->done & 1;
word:
	s->hash = gl_sql_fnv_step(s->hash, c);
	n = pos - s->tok;
	if (n < 8)
		s->w0 |= (__u64)gl_sql_upper(c) << (8 * n);
	else if (n < 16)
		s->w1 |= (__u64)gl_sql_upper(c) << (8 * (n - 8));
	s->pos = pos + 1;
	return 0;
}

/*
 * Finds the table references of the statement [off, off + len) of buf that
 * the lane's `tables` rewrites, given the current database db[0..db_len).
 * Returns the number of edits (out->e[0..n)) or a negative GL_SQL_E_*;
 * out->use_len is non-zero when the statement is (or contains) a USE.
 */
GL_SQL_FN int gl_sql_rewrite(const __u8 *buf, __u32 off, __u32 len, const __u8 *db, __u32 db_len,
			     const struct gl_sql_tables *tables, struct gl_sql_edits *out)
{
	struct gl_sql_scan *s = &out->scan;
	struct gl_sql_ctx x;
	__u32 nt = 0;

	__builtin_memset(out, 0, sizeof(*out));
	s->adj = GL_SQL_NONE;
	s->forced = GL_SQL_NONE;
	if (len > GL_SQL_STMT_MAX || off > GL_SQL_BUF_SIZE - len) {
		gl_sql_fail(out, GL_SQL_E_TOO_LARGE, GL_SQL_R_TOO_LONG);
		return out->rc;
	}
	if (db_len > GL_SQL_NAME_MAX || (db_len && !db)) {
		gl_sql_fail(out, GL_SQL_E_INVAL, GL_SQL_R_ARG);
		return out->rc;
	}
	if (tables) {
		nt = tables->n;
		if (nt > GL_SQL_TABLES_MAX) {
			gl_sql_fail(out, GL_SQL_E_INVAL, GL_SQL_R_ARG);
			return out->rc;
		}
	}
	x.buf = buf;
	x.t = tables;
	x.db = db;
	x.o = out;
	x.end = off + len;
	x.db_len = db_len;
	x.ntables = nt;
	x.pad = 0;
	s->pos = off;
	/* every step but the last takes at least one byte */
	gl_sql_loop(len + 1, gl_sql_step, &x);
	if (!s->done)
		gl_sql_fail(out, GL_SQL_E_UNSUPPORTED, GL_SQL_R_LOOP);
	if (out->rc == 0)
		out->rc = (__s32)out->n;
	return out->rc;
}

/* ---- userspace only: tables for the daemon, tests and messages ---- */
#ifndef __BPF__
#include <string.h>

/*
 * Can a shadow name replace an unquoted base name as it is? Identifier
 * bytes only, not starting with a digit (so never a number). Reserved words
 * are not checked.
 */
static inline int gl_sql_name_plain(const char *name, size_t n)
{
	size_t i;

	if (n == 0 || n > GL_SQL_NAME_MAX || gl_sql_is_digit((__u8)name[0]))
		return 0;
	for (i = 0; i < n; i++)
		if (!gl_sql_is_word((__u8)name[i]))
			return 0;
	return 1;
}

/* A name the table map can hold: 1..GL_SQL_NAME_MAX bytes, no backtick, no NUL. */
static inline int gl_sql_name_ok(const char *name, size_t n)
{
	return n > 0 && n <= GL_SQL_NAME_MAX && !memchr(name, '`', n) && !memchr(name, 0, n);
}

/* Fills one entry; GL_SQL_E_INVAL for a name the map cannot hold. */
static inline int gl_sql_table_set(struct gl_sql_table *t, const char *db, const char *base,
				   const char *shadow)
{
	size_t dl = strlen(db), bl = strlen(base), sl = strlen(shadow);

	if (!gl_sql_name_ok(db, dl) || !gl_sql_name_ok(base, bl) || !gl_sql_name_ok(shadow, sl))
		return GL_SQL_E_INVAL;
	memset(t, 0, sizeof(*t));
	t->db_len = (__u8)dl;
	t->base_len = (__u8)bl;
	t->shadow_len = (__u8)sl;
	t->base_hash = gl_sql_hash(base, (__u32)bl);
	memcpy(t->db, db, dl);
	memcpy(t->base, base, bl);
	memcpy(t->shadow, shadow, sl);
	return 0;
}

static inline const char *gl_sql_reason_name(unsigned int r)
{
	static const char *const names[GL_SQL_R_MAX] = {
		[GL_SQL_R_NONE] = "none",
		[GL_SQL_R_TOO_LONG] = "too_long",
		[GL_SQL_R_EDITS] = "edits",
		[GL_SQL_R_STRING] = "string",
		[GL_SQL_R_QUOTED] = "quoted",
		[GL_SQL_R_COMMENT] = "comment",
		[GL_SQL_R_EXEC] = "exec",
		[GL_SQL_R_EXEC_VERSION] = "exec_version",
		[GL_SQL_R_NUL] = "nul",
		[GL_SQL_R_USE] = "use",
		[GL_SQL_R_DYNAMIC] = "dynamic",
		[GL_SQL_R_ARG] = "arg",
		[GL_SQL_R_LOOP] = "loop",
	};

	return r < GL_SQL_R_MAX && names[r] ? names[r] : "?";
}

static inline const char *gl_sql_err_name(int e)
{
	switch (e) {
	case GL_SQL_E_TOO_LARGE:
		return "too_large";
	case GL_SQL_E_UNSUPPORTED:
		return "unsupported";
	case GL_SQL_E_INVAL:
		return "inval";
	}
	return e >= 0 ? "ok" : "?";
}
#endif /* !__BPF__ */

#endif /* GL_SQL_H */
