// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/*
 * stmt_client — the binary protocol (MariaDB Connector/C prepared statements)
 * for graylane's database lanes (tests/e2e/test_mysql.sh compiles it:
 * gcc stmt_client.c $(mariadb_config --cflags --libs)).
 *
 *   stmt_client HOST PORT --location X [--n N] [--ctx gray|base]
 *               [--exec-ctx gray|base] [--header NAME] [--timeout S]
 *
 * Sets the thread's context (--ctx), connects to database mse-demo, prepares
 * INSERT INTO mse_demo_table(location) VALUES(?) (COM_STMT_PREPARE), then,
 * after switching the context when --exec-ctx is given, executes it N times
 * with X bound (COM_STMT_EXECUTE). Prints "ok executed=N", or
 * "ERR <stage> <errno> <message>" and exits 1.
 *
 * A context is what graylane gives a thread that reads an HTTP request head:
 * a head with "<header>: gray" (or without the header, for base) is written
 * into a socketpair and read back by this same thread.
 */
#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *header = "x-opensergo-traffic";

static int set_context(const char *lane)
{
	char head[256], got[256];
	int sv[2], n, have = 0;

	if (strcmp(lane, "base"))
		n = snprintf(head, sizeof(head), "GET /ctx HTTP/1.1\r\nHost: ctx\r\n%s: %s\r\n\r\n",
			     header, lane);
	else
		n = snprintf(head, sizeof(head), "GET /ctx HTTP/1.1\r\nHost: ctx\r\n\r\n");
	if (n < 0 || n >= (int)sizeof(head))
		return -1;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return -1;
	if (write(sv[0], head, n) != n)
		goto fail;
	while (have < n) {
		ssize_t r = recv(sv[1], got + have, sizeof(got) - have, 0);

		if (r <= 0)
			goto fail;
		have += r;
	}
	close(sv[0]);
	close(sv[1]);
	return 0;
fail:
	close(sv[0]);
	close(sv[1]);
	return -1;
}

static void usage(void)
{
	fprintf(stderr, "usage: stmt_client HOST PORT --location X [--n N] [--ctx gray|base] "
			"[--exec-ctx gray|base] [--header NAME] [--timeout S]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *host, *location = NULL, *ctx = NULL, *exec_ctx = NULL;
	const char *sql = "INSERT INTO mse_demo_table(location) VALUES(?)";
	unsigned int port, timeout = 3;
	unsigned long len;
	MYSQL_STMT *stmt;
	MYSQL_BIND bind;
	MYSQL *db;
	int n = 1, i;

	if (argc < 3)
		usage();
	host = argv[1];
	port = (unsigned int)atoi(argv[2]);
	for (i = 3; i < argc; i++) {
		if (i + 1 >= argc)
			usage();
		if (!strcmp(argv[i], "--location"))
			location = argv[++i];
		else if (!strcmp(argv[i], "--n"))
			n = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--ctx"))
			ctx = argv[++i];
		else if (!strcmp(argv[i], "--exec-ctx"))
			exec_ctx = argv[++i];
		else if (!strcmp(argv[i], "--header"))
			header = argv[++i];
		else if (!strcmp(argv[i], "--timeout"))
			timeout = (unsigned int)atoi(argv[++i]);
		else
			usage();
	}
	if (!location)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (ctx && set_context(ctx)) {
		printf("ERR context -1 cannot set context %s\n", ctx);
		return 1;
	}
	db = mysql_init(NULL);
	if (!db) {
		printf("ERR init -1 mysql_init failed\n");
		return 1;
	}
	mysql_options(db, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	mysql_options(db, MYSQL_OPT_READ_TIMEOUT, &timeout);
	mysql_options(db, MYSQL_OPT_WRITE_TIMEOUT, &timeout);
	if (!mysql_real_connect(db, host, "gl", "gl-pass", "mse-demo", port, NULL, 0)) {
		printf("ERR connect %u %s\n", mysql_errno(db), mysql_error(db));
		return 1;
	}
	stmt = mysql_stmt_init(db);
	if (!stmt) {
		printf("ERR stmt_init %u %s\n", mysql_errno(db), mysql_error(db));
		return 1;
	}
	if (mysql_stmt_prepare(stmt, sql, (unsigned long)strlen(sql))) {
		printf("ERR prepare %u %s\n", mysql_stmt_errno(stmt), mysql_stmt_error(stmt));
		return 1;
	}
	if (mysql_stmt_param_count(stmt) != 1) {
		printf("ERR prepare -1 %lu parameters, expected 1\n", mysql_stmt_param_count(stmt));
		return 1;
	}
	len = (unsigned long)strlen(location);
	memset(&bind, 0, sizeof(bind));
	bind.buffer_type = MYSQL_TYPE_STRING;
	bind.buffer = (void *)location;
	bind.buffer_length = len;
	bind.length = &len;
	if (mysql_stmt_bind_param(stmt, &bind)) {
		printf("ERR bind %u %s\n", mysql_stmt_errno(stmt), mysql_stmt_error(stmt));
		return 1;
	}
	if (exec_ctx && set_context(exec_ctx)) {
		printf("ERR context -1 cannot set context %s\n", exec_ctx);
		return 1;
	}
	for (i = 0; i < n; i++) {
		if (mysql_stmt_execute(stmt)) {
			printf("ERR execute#%d %u %s\n", i, mysql_stmt_errno(stmt), mysql_stmt_error(stmt));
			return 1;
		}
	}
	mysql_stmt_close(stmt);
	mysql_close(db);
	printf("ok executed=%d\n", n);
	return 0;
}
