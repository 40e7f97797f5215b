/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Statements and what the rewriter must make of them, shared by the unit
 * test (tests/sql/test_sql.c: exact rewritten text) and the BPF load test
 * (tests/sql/test_sql_load.c: the kernel gives the same result as userspace).
 *
 * Table maps: 0 the reference scenario (mse-demo.mse_demo_table ->
 * mse_demo_table_gray); 1 several tables in several databases; 2 the base
 * lane's map, every table mapped to itself.
 */
#ifndef GL_SQL_CASES_H
#define GL_SQL_CASES_H

#include <stddef.h>
#include "lib/sql.h"

#define GL_SQL_MAPS 3

static inline int gl_sql_maps_init(struct gl_sql_tables *m)
{
	int r = 0;

	__builtin_memset(m, 0, sizeof(*m) * GL_SQL_MAPS);
	r |= gl_sql_table_set(&m[0].t[0], "mse-demo", "mse_demo_table", "mse_demo_table_gray");
	m[0].n = 1;
	r |= gl_sql_table_set(&m[1].t[0], "shop", "items", "items_gray");
	r |= gl_sql_table_set(&m[1].t[1], "mse-demo", "orders", "orders_gray");
	r |= gl_sql_table_set(&m[1].t[2], "other", "mse_demo_table", "mse_demo_table_o");
	r |= gl_sql_table_set(&m[1].t[3], "mse-demo", "mse_demo_table", "mse_demo_table_gray");
	r |= gl_sql_table_set(&m[1].t[4], "shop", "2024_orders", "2024_orders_gray");
	m[1].n = 5;
	r |= gl_sql_table_set(&m[2].t[0], "mse-demo", "mse_demo_table", "mse_demo_table");
	m[2].n = 1;
	return r;
}

struct gl_sql_case {
	const char *name;
	const char *db;		/* current database; NULL: none */
	int map;		/* table map; -1: none (NULL) */
	const char *sql;
	size_t len;		/* 0: strlen(sql) */
	const char *want;	/* the rewritten text; NULL: an error is expected */
	size_t wlen;		/* 0: strlen(want) */
	int edits;		/* edits expected; -1: not checked */
	int rc;			/* with want NULL: the error */
	int reason;		/* ... and its reason */
	const char *use;	/* the USE name expected; NULL: no USE */
	int use_quoted;
};

#define DB "mse-demo"
#define RW(n, s, w)		{ n, DB, 0, s, 0, w, 0, -1, 0, 0, NULL, 0 }
#define RWK(n, s, w, k)		{ n, DB, 0, s, 0, w, 0, k, 0, 0, NULL, 0 }
#define RWM(n, db, m, s, w, k)	{ n, db, m, s, 0, w, 0, k, 0, 0, NULL, 0 }
#define RWL(n, s, w)		{ n, DB, 0, s, sizeof(s) - 1, w, sizeof(w) - 1, -1, 0, 0, NULL, 0 }
#define SAME(n, s)		{ n, DB, 0, s, 0, s, 0, 0, 0, 0, NULL, 0 }
#define SAMEM(n, db, m, s)	{ n, db, m, s, 0, s, 0, 0, 0, 0, NULL, 0 }
#define ERR(n, s, e, r)		{ n, DB, 0, s, 0, NULL, 0, -1, e, r, NULL, 0 }
#define ERRL(n, s, e, r)	{ n, DB, 0, s, sizeof(s) - 1, NULL, 0, -1, e, r, NULL, 0 }
#define USE(n, db, s, w, u, q)	{ n, db, 0, s, 0, w, 0, -1, 0, 0, u, q }
#define UNSUP(n, s, r)		ERR(n, s, GL_SQL_E_UNSUPPORTED, r)

#define T  "mse_demo_table"
#define G  "mse_demo_table_gray"
#define QD "`mse-demo`"

static const struct gl_sql_case gl_sql_cases[] = {
	/* ---- statements across the grammar ---- */
	RWK("the reference scenario's insert",
	    "INSERT INTO " T "(location) VALUES(?)",
	    "INSERT INTO " G "(location) VALUES(?)", 1),
	RWK("insert with the name in a string",
	    "INSERT INTO " T "(location) VALUES ('" T "')",
	    "INSERT INTO " G "(location) VALUES ('" T "')", 1),
	RW("lowercase keywords",
	   "insert into " T "(location) values(?)",
	   "insert into " G "(location) values(?)"),
	RW("mixed-case keywords",
	   "InSeRt InTo " T " SeLeCt * FrOm " T,
	   "InSeRt InTo " G " SeLeCt * FrOm " G),
	RW("self join with aliases",
	   "SELECT a.id, b.location FROM " T " a JOIN " T " AS b ON a.id = b.id",
	   "SELECT a.id, b.location FROM " G " a JOIN " G " AS b ON a.id = b.id"),
	RW("subquery",
	   "SELECT * FROM " T " WHERE id IN (SELECT MAX(id) FROM " T " WHERE location = 'x')",
	   "SELECT * FROM " G " WHERE id IN (SELECT MAX(id) FROM " G " WHERE location = 'x')"),
	RW("derived table and exists",
	   "SELECT * FROM (SELECT id FROM " T ") d WHERE EXISTS (SELECT 1 FROM " T " x WHERE x.id = d.id)",
	   "SELECT * FROM (SELECT id FROM " G ") d WHERE EXISTS (SELECT 1 FROM " G " x WHERE x.id = d.id)"),
	RW("insert ... select",
	   "INSERT INTO " T " (location) SELECT location FROM " T " WHERE id > 3",
	   "INSERT INTO " G " (location) SELECT location FROM " G " WHERE id > 3"),
	RW("multi-table update",
	   "UPDATE " T " t1, other_table t2 SET t1.location = t2.location WHERE t1.id = t2.id",
	   "UPDATE " G " t1, other_table t2 SET t1.location = t2.location WHERE t1.id = t2.id"),
	RW("multi-table update with qualified columns",
	   "UPDATE " T ", other_table SET " T ".location = other_table.location",
	   "UPDATE " G ", other_table SET " G ".location = other_table.location"),
	RW("multi-table delete",
	   "DELETE t1 FROM " T " t1 JOIN " T " t2 ON t1.id < t2.id",
	   "DELETE t1 FROM " G " t1 JOIN " G " t2 ON t1.id < t2.id"),
	RW("multi-table delete naming the table",
	   "DELETE " T " FROM " T " JOIN other_table USING (id)",
	   "DELETE " G " FROM " G " JOIN other_table USING (id)"),
	RW("delete",
	   "DELETE FROM " T " WHERE id = 1 ORDER BY id LIMIT 1",
	   "DELETE FROM " G " WHERE id = 1 ORDER BY id LIMIT 1"),
	RW("replace",
	   "REPLACE INTO " T " VALUES (1, 'x')",
	   "REPLACE INTO " G " VALUES (1, 'x')"),
	RW("replace ... select",
	   "REPLACE " T " SELECT * FROM other_table",
	   "REPLACE " G " SELECT * FROM other_table"),
	RW("insert ... on duplicate key update",
	   "INSERT INTO " T " SET location = 'x' ON DUPLICATE KEY UPDATE location = VALUES(location)",
	   "INSERT INTO " G " SET location = 'x' ON DUPLICATE KEY UPDATE location = VALUES(location)"),
	RW("create table ... like (the new table)",
	   "CREATE TABLE " T " LIKE template_table",
	   "CREATE TABLE " G " LIKE template_table"),
	RW("create table ... like (the source)",
	   "CREATE TABLE copy_table LIKE `" T "`",
	   "CREATE TABLE copy_table LIKE `" G "`"),
	RW("create table ... select",
	   "CREATE TABLE t3 AS SELECT * FROM " QD "." T,
	   "CREATE TABLE t3 AS SELECT * FROM " QD "." G),
	RW("alter table",
	   "ALTER TABLE " T " ADD COLUMN note VARCHAR(10) AFTER location",
	   "ALTER TABLE " G " ADD COLUMN note VARCHAR(10) AFTER location"),
	RW("load data",
	   "LOAD DATA LOCAL INFILE '/tmp/" T ".csv' INTO TABLE " T " FIELDS TERMINATED BY ','",
	   "LOAD DATA LOCAL INFILE '/tmp/" T ".csv' INTO TABLE " G " FIELDS TERMINATED BY ','"),
	RW("truncate", "TRUNCATE TABLE " T, "TRUNCATE TABLE " G),
	RW("drop", "DROP TABLE IF EXISTS " T ", other_table", "DROP TABLE IF EXISTS " G ", other_table"),
	RW("rename", "RENAME TABLE " T " TO old_table", "RENAME TABLE " G " TO old_table"),
	RW("show create table", "SHOW CREATE TABLE " T, "SHOW CREATE TABLE " G),
	RW("describe", "DESCRIBE " QD ".`" T "`", "DESCRIBE " QD ".`" G "`"),
	RW("lock tables",
	   "LOCK TABLES " T " WRITE, other_table READ",
	   "LOCK TABLES " G " WRITE, other_table READ"),
	RW("with (common table expression)",
	   "WITH cte AS (SELECT * FROM " T ") SELECT * FROM cte",
	   "WITH cte AS (SELECT * FROM " G ") SELECT * FROM cte"),
	RW("union with the shadow table itself",
	   "SELECT * FROM " T " UNION ALL SELECT * FROM " G,
	   "SELECT * FROM " G " UNION ALL SELECT * FROM " G),
	RW("index hint and placeholders",
	   "SELECT COUNT(*) FROM " T " FORCE INDEX (PRIMARY) WHERE id > ? AND location = ?",
	   "SELECT COUNT(*) FROM " G " FORCE INDEX (PRIMARY) WHERE id > ? AND location = ?"),
	RW("grant to user@host",
	   "GRANT SELECT ON " QD "." T " TO 'u'@'%'",
	   "GRANT SELECT ON " QD "." G " TO 'u'@'%'"),
	RW("multi-statement",
	   "INSERT INTO " T " VALUES (1); SELECT * FROM " T ";",
	   "INSERT INTO " G " VALUES (1); SELECT * FROM " G ";"),
	RW("whitespace of every kind",
	   "SELECT\n*\nFROM\t" T "\r\n\v\f",
	   "SELECT\n*\nFROM\t" G "\r\n\v\f"),
	RW("no blanks at all",
	   "SELECT*FROM" QD ".`" T "`JOIN " T " USING(id)",
	   "SELECT*FROM" QD ".`" G "`JOIN " G " USING(id)"),
	RW("the name is the statement's last byte", "SELECT*FROM " T, "SELECT*FROM " G),

	/* ---- quoting and qualification ---- */
	RWK("backticks", "SELECT * FROM `" T "`", "SELECT * FROM `" G "`", 1),
	RW("schema-qualified", "SELECT * FROM " QD "." T, "SELECT * FROM " QD "." G),
	RW("schema-qualified, both quoted", "SELECT * FROM " QD ".`" T "`", "SELECT * FROM " QD ".`" G "`"),
	RW("schema-qualified insert, parenthesis right after",
	   "INSERT INTO " QD "." T "(location)VALUES(?)",
	   "INSERT INTO " QD "." G "(location)VALUES(?)"),
	SAME("a schema with a dash must be quoted", "SELECT * FROM mse-demo." T),
	RW("dots with blanks and comments around",
	   "SELECT * FROM " QD " . " T " JOIN " QD "/* a */./* b */`" T "` USING (id)",
	   "SELECT * FROM " QD " . " G " JOIN " QD "/* a */./* b */`" G "` USING (id)"),
	RW("a leading dot (MariaDB: the current database)",
	   "SELECT * FROM ." T, "SELECT * FROM ." G),
	RW("a leading dot after blanks and comments",
	   "SELECT * FROM . " T " JOIN/**/." T " USING (id)", "SELECT * FROM . " G " JOIN/**/." G " USING (id)"),
	RW("leading dots after other keywords",
	   "INSERT ." T " VALUES (1); TRUNCATE ." T "; LOCK TABLES ." T " READ; CREATE TABLE .t5 LIKE ." T,
	   "INSERT ." G " VALUES (1); TRUNCATE ." G "; LOCK TABLES ." G " READ; CREATE TABLE .t5 LIKE ." G),
	RW("a leading-dot column qualifier",
	   "SELECT .mse_demo_table.id FROM " T " WHERE .mse_demo_table.id > 0 AND .mse_demo_table.id < 9",
	   "SELECT .mse_demo_table_gray.id FROM " G " WHERE .mse_demo_table_gray.id > 0 AND .mse_demo_table_gray.id < 9"),
	SAME("FROM.t right before the dot is a name (MariaDB: a syntax error)", "SELECT * FROM." T),
	SAME("a quoted keyword before the dot is a name", "SELECT * FROM `from` ." T),
	RWM("a database name, blanks around the dot", DB, 1,
	    "SELECT * FROM shop . items, other /* x */ . " T,
	    "SELECT * FROM shop . items_gray, other /* x */ . mse_demo_table_o", 2),
	RW("column qualifier",
	   "SELECT " T ".location FROM " T " WHERE " T ".id = 1",
	   "SELECT " G ".location FROM " G " WHERE " G ".id = 1"),
	RW("quoted column qualifier",
	   "SELECT `" T "`.`location` FROM " T,
	   "SELECT `" G "`.`location` FROM " G),
	RW("schema.table.column",
	   "SELECT " QD "." T ".location FROM " QD "." T,
	   "SELECT " QD "." G ".location FROM " QD "." G),
	RW("table.*", "SELECT " T ".* FROM " T, "SELECT " G ".* FROM " G),
	RW("schema.table.*",
	   "SELECT " QD "." T ".* FROM " QD ".`" T "`",
	   "SELECT " QD "." G ".* FROM " QD ".`" G "`"),
	RW("t.5 is column 5 of t", "SELECT " T ".5 FROM " T, "SELECT " G ".5 FROM " G),
	RWM("a table name that starts with digits, after its database", DB, 1,
	    "SELECT * FROM shop.2024_orders JOIN `shop`.`2024_orders` USING (id) WHERE shop.2024_orders.id > 1",
	    "SELECT * FROM shop.2024_orders_gray JOIN `shop`.`2024_orders_gray` USING (id) "
	    "WHERE shop.2024_orders_gray.id > 1", 3),
	RWM("a table name that starts with digits, unqualified", "shop", 1,
	    "SELECT * FROM 2024_orders, 2024, 2024_orders.x", "SELECT * FROM 2024_orders_gray, 2024, 2024_orders_gray.x", 2),
	SAMEM("`db`.5 is a number after a quoted name (MariaDB: a syntax error)", DB, 1,
	      "SELECT * FROM `shop`.2024_orders"),
	SAME("another table's column named like the table", "SELECT t.mse_demo_table FROM other_table t"),
	SAME("a quoted column of another table named like it", "SELECT t.`mse_demo_table` FROM other_table t"),
	RW("an unqualified column named like the table (documented: rewritten)",
	   "SELECT " T " FROM other_table", "SELECT " G " FROM other_table"),
	RW("1e5 then a name: a number and an alias (documented: rewritten)",
	   "SELECT 1e5" T ", 1" T ", 0x1F, 0b101, 1.5e3, .5, 1.e5, 1e-2 FROM " T,
	   "SELECT 1e5" G ", 1" T ", 0x1F, 0b101, 1.5e3, .5, 1.e5, 1e-2 FROM " G),
	SAME("0X1F, 0x, 0b12 and 1e are identifiers, not the table",
	     "SELECT 0X1F, 0x, 0b12, 1e, 1ea, 1e+x FROM t"),

	/* ---- never rewritten ---- */
	SAME("longer identifiers",
	     "SELECT * FROM " T "2, x_" T ", " T "$, " T "\xc3\xa9, \xc3\xa9" T ", $" T ", " T "_gray"),
	SAME("the name differs in case",
	     "SELECT * FROM MSE_DEMO_TABLE, Mse_demo_table, `MSE_DEMO_TABLE`, " QD ".MSE_DEMO_TABLE, "
	     "`MSE-DEMO`." T),
	SAME("another database's table of the same name", "SELECT * FROM other." T ", `other`.`" T "`"),
	SAME("quoted names that are not the name",
	     "SELECT * FROM `mse_demo``table`, `" T "```, `" T " `, ` " T "`"),
	SAME("strings are not names",
	     "SELECT * FROM information_schema.tables WHERE table_schema = 'mse-demo' AND table_name = '" T "'"),
	UNSUP("PREPARE: SQL in a string cannot be rewritten", "PREPARE s FROM 'SELECT * FROM " T "'",
	      GL_SQL_R_DYNAMIC),
	UNSUP("PREPARE from a variable", "SET @q = 1; prepare s from @q", GL_SQL_R_DYNAMIC),
	UNSUP("EXECUTE IMMEDIATE", "/* x */ EXECUTE Immediate CONCAT('SELECT * FROM ', 'mse_demo_table')",
	      GL_SQL_R_DYNAMIC),
	SAME("EXECUTE of a prepared statement, DEALLOCATE PREPARE", "EXECUTE s USING @a; DEALLOCATE PREPARE s"),
	SAME("prepare and immediate as names", "SELECT prepare, immediate FROM t; EXECUTE immediates"),
	SAME("variables are not tables",
	     "SET @" T " = 1, @`" T "` = 2, @x." T " = 3; SELECT @@session." T ", @@`" T "`, @'" T "'"),
	RW("a variable next to a table",
	   "SELECT @a, " T ".id FROM " T, "SELECT @a, " G ".id FROM " G),

	/* ---- strings ---- */
	RWK("strings with doubled quotes, escaped quotes and backslashes",
	    "INSERT INTO " T " VALUES ('it''s " T "', 'a\\'" T "', 'c:\\\\', " T ".x)",
	    "INSERT INTO " G " VALUES ('it''s " T "', 'a\\'" T "', 'c:\\\\', " G ".x)", 2),
	RWK("double-quoted strings",
	    "INSERT INTO " T " VALUES (\"" T "\", \"a\"\"" T "\", \"b\\\"" T "\", '\"', \"'\")",
	    "INSERT INTO " G " VALUES (\"" T "\", \"a\"\"" T "\", \"b\\\"" T "\", '\"', \"'\")", 1),
	RW("an escaped backslash ends a string",
	   "SELECT 'a\\\\', " T ".id FROM " T, "SELECT 'a\\\\', " G ".id FROM " G),
	RW("a backtick and a comment opener inside strings",
	   "SELECT '`', '/*', '#', '-- ', " T ".id FROM " T,
	   "SELECT '`', '/*', '#', '-- ', " G ".id FROM " G),
	RW("introducers, hex and bit strings",
	   "INSERT INTO " T "(location) VALUES (_utf8mb4'" T "', X'41', N'b', b'01')",
	   "INSERT INTO " G "(location) VALUES (_utf8mb4'" T "', X'41', N'b', b'01')"),
	RWL("a NUL byte inside a string",
	    "INSERT INTO " T " VALUES ('a\0b')", "INSERT INTO " G " VALUES ('a\0b')"),

	/* ---- comments ---- */
	RWK("block comment", "SELECT * FROM /* " T " */ " T, "SELECT * FROM /* " T " */ " G, 1),
	RW("block comments do not nest",
	   "SELECT * FROM /* /* " T " */ " T, "SELECT * FROM /* /* " T " */ " G),
	RW("dash comment",
	   "SELECT * FROM " T " -- " T "\nWHERE 1", "SELECT * FROM " G " -- " T "\nWHERE 1"),
	RW("dash comment with a tab", "SELECT * FROM " T " --\t" T, "SELECT * FROM " G " --\t" T),
	RW("dash comment with a control byte", "SELECT * FROM " T " --\x01" T, "SELECT * FROM " G " --\x01" T),
	RW("dash comment at the very end", "SELECT * FROM " T " --", "SELECT * FROM " G " --"),
	RW("a double dash without a blank is not a comment",
	   "SELECT 1 --" T, "SELECT 1 --" G),
	RW("hash comment",
	   "SELECT * FROM " T " # " T "\n, " T, "SELECT * FROM " G " # " T "\n, " G),
	RW("executable comment", "SELECT * FROM /*! " T " */", "SELECT * FROM /*! " G " */"),
	RW("executable comment with a version",
	   "SELECT * FROM " T " /*!50100 JOIN " T " USING (id) */",
	   "SELECT * FROM " G " /*!50100 JOIN " G " USING (id) */"),
	RW("executable comment, the name right after the version",
	   "SELECT * FROM /*!50100" T "*/", "SELECT * FROM /*!50100" G "*/"),
	RW("executable comment with a six-digit version",
	   "SELECT * FROM /*!100100 " T " */", "SELECT * FROM /*!100100 " G " */"),
	RW("MariaDB executable comment", "SELECT * FROM /*M! " T " */", "SELECT * FROM /*M! " G " */"),
	RW("MariaDB executable comment with a version",
	   "SELECT * FROM /*M!100100 " T " */", "SELECT * FROM /*M!100100 " G " */"),
	RW("a comment inside an executable comment",
	   "SELECT * FROM /*!50100 /* " T " */ " T " */", "SELECT * FROM /*!50100 /* " T " */ " G " */"),
	RW("executable comment joining a qualified name",
	   "SELECT * FROM " QD "/*!.*/" T, "SELECT * FROM " QD "/*!.*/" G),
	RW("a star-slash in a string inside an unversioned executable comment",
	   "SELECT '*/' /*! , '*/' */ FROM " T, "SELECT '*/' /*! , '*/' */ FROM " G),
	RW("four digits are not a version", "SELECT 1 /*!1234 */ FROM " T, "SELECT 1 /*!1234 */ FROM " G),
	UNSUP("a versioned comment whose end depends on the server (string)",
	      "SELECT 1 /*!99999 , '*/' */ FROM " T, GL_SQL_R_EXEC_VERSION),
	UNSUP("a quote in a versioned comment would hide a table from us",
	      "SELECT 1 /*!99999 'x */ FROM " T " WHERE 'a' = 'a' -- ' */", GL_SQL_R_EXEC_VERSION),
	UNSUP("a versioned comment whose end depends on the server (line comment)",
	      "SELECT 1 /*!50100 # */\n , 2 */ FROM " T, GL_SQL_R_EXEC_VERSION),
	UNSUP("an executable comment inside another", "SELECT /*! 1 /*! 2 */ */", GL_SQL_R_EXEC),
	UNSUP("executable comment not closed", "SELECT /*! " T, GL_SQL_R_EXEC),
	UNSUP("versioned comment not closed", "SELECT 1 /*!50100 , 2", GL_SQL_R_EXEC),
	UNSUP("executable comment closed inside a comment", "SELECT /*! 1 /* */", GL_SQL_R_EXEC),

	/* ---- unterminated, NUL ---- */
	UNSUP("comment not closed", "SELECT 1 /* " T, GL_SQL_R_COMMENT),
	UNSUP("comment opener at the end", "SELECT 1 /*", GL_SQL_R_COMMENT),
	UNSUP("string not closed", "SELECT '" T, GL_SQL_R_STRING),
	UNSUP("double-quoted string not closed", "SELECT \"abc", GL_SQL_R_STRING),
	UNSUP("an escaped quote at the end", "SELECT 'abc\\'", GL_SQL_R_STRING),
	UNSUP("a backslash as the last byte", "SELECT 'abc\\", GL_SQL_R_STRING),
	UNSUP("quoted identifier not closed", "SELECT * FROM `" T, GL_SQL_R_QUOTED),
	UNSUP("a doubled backtick at the end", "SELECT * FROM `a``", GL_SQL_R_QUOTED),
	ERRL("a NUL byte between tokens", "SELECT 1 \0 FROM " T, GL_SQL_E_UNSUPPORTED, GL_SQL_R_NUL),
	ERRL("a NUL byte in a line comment", "SELECT 1 # a\0b\n FROM " T, GL_SQL_E_UNSUPPORTED, GL_SQL_R_NUL),

	/* ---- current database and table maps ---- */
	SAMEM("another current database: unqualified stays", "other", 0, "SELECT * FROM " T),
	RWM("another current database: qualified is rewritten", "other", 0,
	    "SELECT * FROM " QD "." T " JOIN " T " USING (id)",
	    "SELECT * FROM " QD "." G " JOIN " T " USING (id)", 1),
	RWM("another current database: schema.table.column", "other", 0,
	    "SELECT " QD "." T ".location, " T ".location FROM " QD "." T,
	    "SELECT " QD "." G ".location, " T ".location FROM " QD "." G, 2),
	RWM("no current database: only qualified names", NULL, 0,
	    "SELECT * FROM " T ", " QD "." T ", ." T,
	    "SELECT * FROM " T ", " QD "." G ", ." T, 1),
	SAMEM("the current database differs in case", "MSE-DEMO", 0, "SELECT * FROM " T),
	SAMEM("the current database differs in its last byte", "mse-demX", 0, "SELECT * FROM " T),
	SAME("a database that differs in its last byte", "SELECT * FROM `mse-demX`." T ", `mse-dem`." T),
	RWM("several tables in several databases", DB, 1,
	    "SELECT * FROM " T " JOIN orders USING (id) JOIN shop.items i ON i.id = orders.item "
	    "JOIN other." T " o",
	    "SELECT * FROM " G " JOIN orders_gray USING (id) JOIN shop.items_gray i ON i.id = orders_gray.item "
	    "JOIN other.mse_demo_table_o o", 5),
	SAMEM("several tables: an unqualified name of another database", DB, 1, "SELECT * FROM items"),
	RWM("several tables: current database shop", "shop", 1,
	    "SELECT * FROM items, orders, " QD ".orders, `shop`.`items`.id",
	    "SELECT * FROM items_gray, orders, " QD ".orders_gray, `shop`.`items_gray`.id", 3),
	RWM("the base lane's map names each table itself", DB, 2,
	    "INSERT INTO " T "(location) VALUES(?)", "INSERT INTO " T "(location) VALUES(?)", 1),
	RWM("no table map: nothing is rewritten", DB, -1,
	    "INSERT INTO " T "(location) VALUES(?)", "INSERT INTO " T "(location) VALUES(?)", 0),

	/* ---- USE ---- */
	USE("USE", DB, "USE other", "USE other", "other", 0),
	USE("USE with a quoted name", DB, "USE " QD, "USE " QD, "mse-demo", 1),
	USE("use, lowercase, with ';' and comments", DB, "use /* c */ other ; -- bye",
	    "use /* c */ other ; -- bye", "other", 0),
	USE("USE and a statement: the new database applies", DB,
	    "USE other; SELECT * FROM " T, "USE other; SELECT * FROM " T, "other", 0),
	USE("USE of the mapped database and a statement", "other",
	    "USE " QD "; INSERT INTO " T " VALUES (1)", "USE " QD "; INSERT INTO " G " VALUES (1)",
	    "mse-demo", 1),
	USE("USE in an executable comment", DB, "/*! USE other */", "/*! USE other */", "other", 0),
	USE("the last USE counts", DB, "USE a; USE `b`; SELECT 1", "USE a; USE `b`; SELECT 1", "b", 1),
	USE("a database named like the table is not a table", DB, "USE " T, "USE " T, T, 0),
	USE("USE after a statement", "other", "SELECT 1; use`mse-demo`;SELECT * FROM " T,
	    "SELECT 1; use`mse-demo`;SELECT * FROM " G, "mse-demo", 1),
	RW("USEX is not USE", "USEX " T, "USEX " G),
	SAME("use in the middle of a statement is not USE", "SELECT use FROM t"),
	UNSUP("USE without a name", "USE", GL_SQL_R_USE),
	UNSUP("USE;", "USE;", GL_SQL_R_USE),
	UNSUP("USE with two names", "USE a b", GL_SQL_R_USE),
	UNSUP("USE a.b", "USE a.b", GL_SQL_R_USE),
	UNSUP("USE 'a'", "USE 'a'", GL_SQL_R_USE),
	UNSUP("USE mse-demo unquoted", "USE mse-demo", GL_SQL_R_USE),
	UNSUP("USE with an empty name", "USE ``", GL_SQL_R_USE),
	UNSUP("USE with a name over GL_SQL_NAME_MAX",
	      "USE `a1234567890123456789012345678901234567890123456789012345678901234`", GL_SQL_R_USE),
};

#define GL_SQL_CASES_N (sizeof(gl_sql_cases) / sizeof(gl_sql_cases[0]))

#undef DB
#undef RW
#undef RWK
#undef RWM
#undef RWL
#undef SAME
#undef SAMEM
#undef ERR
#undef ERRL
#undef USE
#undef UNSUP
#undef T
#undef G
#undef QD

#endif /* GL_SQL_CASES_H */
