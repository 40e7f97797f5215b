# shellcheck shell=bash
# tests/e2e/mysql.sh — a real MariaDB server as a workload of a test host.
# Sourced after lib.sh, by tests/e2e/test_mysql.sh and demo/demo.sh.
#
#   mysql_ssl_setup NAME            self-signed certificate; mysql_start then enables TLS
#   mysql_start NAME WORKLOAD [PORT]
#                                   mariadbd in WORKLOAD's cgroup and netns, listening on
#                                   PORT (3306) on every address of that host; database
#                                   `mse-demo` with mse_demo_table and mse_demo_table_gray
#                                   (REFERENCE-SCENARIO.md), user gl@% for TCP clients
#   mysql_sql NAME SQL              runs SQL as root over the unix socket, in `mse-demo`
#   mysql_rows NAME TABLE [LOCATION] rows of TABLE (with that location), over the socket
#   mysql_stop NAME                 stops the server and removes its files
#
# Everything of instance NAME lives in $E2E_TMP/mysql-NAME/ (datadir, socket, logs,
# certificate), so lib.sh's cleanup (kill, cgroup.kill, rm -rf of the temp dir)
# leaves nothing. The server is started by lib.sh's spawn, so cleanup kills it.
# Checks go over the unix socket from the script's own cgroup: never through
# graylane, whatever the data path does.

MYSQL_DB=mse-demo
MYSQL_USER=gl
MYSQL_PASS=gl-pass
MARIADBD=${GL_MARIADBD:-/usr/sbin/mariadbd}
MARIADB_INSTALL_DB=${GL_MARIADB_INSTALL_DB:-/usr/bin/mariadb-install-db}
MARIADB=${GL_MARIADB:-/usr/bin/mariadb}
# extra wrapper for the server process (demo.sh: setsid, to outlive its terminal)
MYSQL_WRAP=()
declare -A MYSQL_PID=()

mysql_dir() { echo "$E2E_TMP/mysql-$1"; }
# mysql_alive PID: the process exists and is not a zombie
mysql_alive() { [[ -r /proc/$1/stat && $(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) != Z ]]; }
mysql_sock() { echo "$E2E_TMP/mysql-$1/sock"; }

# mysql_need: the MariaDB programs are installed (dies otherwise)
mysql_need() {
	local t
	for t in "$MARIADBD" "$MARIADB_INSTALL_DB" "$MARIADB"; do
		[[ -x $t ]] || die "$t not found (make deps installs mariadb-server and mariadb-client)"
	done
}

# mysql_ssl_setup NAME: a self-signed certificate for instance NAME (before mysql_start)
mysql_ssl_setup() {
	local d out
	d=$(mysql_dir "$1")/ssl
	mkdir -p "$d" || die "cannot create $d"
	out=$(openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=graylane-test-$1" \
		-keyout "$d/key.pem" -out "$d/cert.pem" 2>&1) || die "openssl: $(oneline "$out")"
}

# mysql_client NAME ARGS...: the mariadb CLI as root over instance NAME's socket
mysql_client() {
	local s
	s=$(mysql_sock "$1"); shift
	"$MARIADB" --no-defaults --protocol=socket --socket="$s" -uroot --connect-timeout=5 "$@"
}

# mysql_start NAME WORKLOAD [PORT]
mysql_start() {
	local name=$1 w=$2 port=${3:-3306} d out i ssl=()
	mysql_need
	d=$(mysql_dir "$name")
	[[ -e $d/data ]] && die "mysql instance $name exists already ($d)"
	mkdir -p "$d/tmp" || die "cannot create $d"
	# small and fast: the tests need correctness, not durability
	local tune=(--innodb-buffer-pool-size=16M --innodb-log-file-size=4M)
	out=$("$MARIADB_INSTALL_DB" --no-defaults --user=root --auth-root-authentication-method=normal \
		--datadir="$d/data" --skip-test-db --skip-name-resolve "${tune[@]}" 2>&1) ||
		die "mariadb-install-db for $name failed: $(oneline "$(tail -n 20 <<<"$out")")"
	[[ -f $d/ssl/cert.pem ]] && ssl=(--ssl-cert="$d/ssl/cert.pem" --ssl-key="$d/ssl/key.pem")
	spawn "$d/mariadbd.out" "${WL_CG[$w]}" "${WL_NS[$w]}" "${MYSQL_WRAP[@]}" \
		"$MARIADBD" --no-defaults --user=root --datadir="$d/data" --tmpdir="$d/tmp" \
		--socket="$d/sock" --pid-file="$d/mariadbd.pid" --log-error="$d/error.log" \
		--port="$port" --bind-address='*' --skip-name-resolve \
		--skip-performance-schema --max-connections=200 \
		--innodb-flush-log-at-trx-commit=0 "${tune[@]}" "${ssl[@]}"
	MYSQL_PID[$name]=$SPAWNED
	for i in $(seq 200); do
		mysql_client "$name" -e 'SELECT 1' >/dev/null 2>&1 && break
		if ! mysql_alive "${MYSQL_PID[$name]}" || ((i == 200)); then
			die "mariadbd $name did not start: $(oneline "$(tail -n 15 "$d/error.log" "$d/mariadbd.out" 2>&1)")"
		fi
		sleep 0.05
	done
	out=$(mysql_client "$name" 2>&1 <<EOF
CREATE DATABASE \`$MYSQL_DB\`;
USE \`$MYSQL_DB\`;
CREATE TABLE \`mse_demo_table\` (
  \`id\` int NOT NULL AUTO_INCREMENT,
  \`location\` varchar(255) DEFAULT NULL,
  PRIMARY KEY (\`id\`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3;
CREATE TABLE \`mse_demo_table_gray\` LIKE \`mse_demo_table\`;
CREATE USER '$MYSQL_USER'@'%' IDENTIFIED BY '$MYSQL_PASS';
GRANT ALL PRIVILEGES ON *.* TO '$MYSQL_USER'@'%';
EOF
) || die "cannot create database $MYSQL_DB on $name: $(oneline "$out")"
	# the server's own view: it listens on the host's addresses, not only loopback
	out=$(in_ns "$w" "$PY" "$CLIENT" wait "${WL_ADDR4[$w]:-127.0.0.1}" "$port" --timeout 5) ||
		die "mariadbd $name does not listen on ${WL_ADDR4[$w]:-127.0.0.1}:$port: $out"
}

# mysql_sql NAME SQL: rows of SQL's result, tab-separated, no header
mysql_sql() {
	mysql_client "$1" -N -B -D "$MYSQL_DB" -e "$2"
}

# mysql_rows NAME TABLE [LOCATION]: how many rows TABLE has (with that location);
# "?" when the server cannot be asked
mysql_rows() {
	local q="SELECT COUNT(*) FROM \`$2\`" n
	[[ $# -ge 3 ]] && q="$q WHERE location = '${3//\'/\'\'}'"
	n=$(mysql_sql "$1" "$q" 2>/dev/null) || n="?"
	echo "${n:-?}"
}

# mysql_stop NAME: SIGTERM (a clean shutdown), SIGKILL after 10 s; removes the
# instance's directory (datadir, socket, logs)
mysql_stop() {
	local name=$1 p=${MYSQL_PID[$1]:-} d
	d=$(mysql_dir "$name")
	if [[ -n $p ]]; then
		kill -TERM "$p" 2>/dev/null
		for _ in $(seq 200); do mysql_alive "$p" || break; sleep 0.05; done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
		unset "MYSQL_PID[$name]"
	fi
	[[ ${GL_E2E_KEEP:-0} == 1 ]] || rm -rf "$d"
	return 0
}
