#!/bin/bash
# Database lanes (DESIGN.md, Decisions 5) against real MariaDB servers: a
# `mysql` Service at 10.77.100.9:3306 (fd77:100::9) selecting the database
# instance(s); client workloads dial it over TCP (tests/e2e/sqlclient.py:
# PyMySQL, text protocol; stmt_client.c: Connector/C, binary protocol; the
# mariadb CLI for the compressed protocol). Every row count is read on the
# servers themselves, over their unix sockets, never through graylane. Each
# case writes its own location values, so rows are counted per case.
#
#   cli-base  base workload          cli-gray  workload labelled gray
#   db        the base instance      db-gray   a gray instance (case g only)
#   rules     the inventory + rules/reference.yaml's shadow-table WorkloadLabelRule
#             {workloadLabels: [gray], selector: {db: mse-demo, table: mse_demo_table_gray}}
#
#   a  base workload insert -> mse_demo_table only (IPv4 and IPv6 service address)
#   b  gray workload insert -> mse_demo_table_gray only (IPv4, IPv6; also:
#      `mse-demo`.mse_demo_table qualified; a string literal naming the table is
#      data, not rewritten)
#   c  base workload with a gray context (C-base serving a gray request) -> shadow;
#      gray workload with a base context -> base
#   d  a pool opened at start-up (no context), statements alternating gray/base
#      contexts -> each row in its lane's table
#   e  SELECTs in a gray context read the shadow table (also a statement naming the
#      table twice); in base, the base table
#   f  prepared statements (COM_STMT_PREPARE/EXECUTE): gray -> shadow, base -> base;
#      prepared in one lane and executed in the other: fails closed (client error,
#      no row anywhere, counted)
#   h  fail closed from a gray context: compressed protocol, TLS, a statement over
#      the kernel's bound -> client error, no row in either table, counted; the same
#      from base works (row in mse_demo_table, not counted)
#   i  1000 inserts from 8 threads in two workloads, pools opened at start, lanes
#      mixed per statement (context gray, context base, none): exact counts in every
#      table, none in the wrong one
#   g  a shadow database: db-gray, labelled gray, selected by the same Service; the
#      shadow-table rule removed. Gray statements land in db-gray's mse_demo_table,
#      base ones in db's, neither instance gets the other's; a gray statement on a
#      pool connection to the base instance (and a base one on a connection to the
#      gray instance) fails closed
#   cleanup: mysql_stop leaves no process or files; a run that fails leaves no
#      server, datadir or socket
#
# Needs graylane's SQL path for the rewrite and fail-closed cases; until it is
# in the build only the base-only cases (and server, clients, cleanup) pass.
. "$(dirname "$0")/lib.sh"
# shellcheck source=mysql.sh
. "$E2E_DIR/mysql.sh"

# gl_stats counters of the SQL path ('graylane dump gl_stats --json'): adjust
# the names here when the kernel side settles them
SQL_STAT_REWRITE=${SQL_STAT_REWRITE:-sql_rewritten}            # statements rewritten to a shadow table
SQL_STAT_COMPRESS=${SQL_STAT_COMPRESS:-sql_fail_compressed}     # compressed protocol in a lane: failed closed
SQL_STAT_TLS=${SQL_STAT_TLS:-sql_fail_tls}                      # TLS (SSLRequest) in a lane: failed closed
SQL_STAT_TOO_LARGE=${SQL_STAT_TOO_LARGE:-sql_fail_too_large}    # lane statement over the bound: failed closed
SQL_STAT_STMT_LANE=${SQL_STAT_STMT_LANE:-sql_fail_prepared}     # prepared statement used across lanes
SQL_STAT_INSTANCE=${SQL_STAT_INSTANCE:-sql_fail_instance}       # statement's lane is not the instance's

SQLCLIENT=$E2E_DIR/sqlclient.py
VIP=10.77.100.9
VIP6=fd77:100::9
PORT=3306

e2e_init
need_daemon
mysql_need
command -v gcc >/dev/null || die "gcc not found"
command -v mariadb_config >/dev/null || die "mariadb_config not found (make deps installs libmariadb-dev)"
/usr/bin/timeout 1 "$PY" -c 'import pymysql' 2>/dev/null ||
	die "$PY cannot import pymysql (make deps installs python3-pymysql)"

node_init
add_workload cli-base m/cli-base 10.77.0.2 fd77::2
add_workload cli-gray m/cli-gray 10.77.0.3 fd77::3
add_workload db m/db 10.77.0.41 fd77::41
add_workload db-gray m/db-gray 10.77.0.42 fd77::42

STMT=$E2E_TMP/stmt_client
read -r -d '' -a MARIADB_FLAGS < <(mariadb_config --cflags --libs)
out=$(gcc -O2 -Wall -o "$STMT" "$E2E_DIR/stmt_client.c" "${MARIADB_FLAGS[@]}" 2>&1) ||
	die "cannot build stmt_client: $(oneline "$out")"

mysql_ssl_setup db
mysql_start db db
pass "MariaDB (base instance) up in workload db, database mse-demo with both tables, TLS enabled"

# the shadow-table rule exactly as rules/reference.yaml has it
TABLE_RULE=$("$PY" -c '
import re, sys
for d in re.split(r"(?m)^---[ \t]*$", open(sys.argv[1]).read()):
    if re.search(r"(?m)^kind:[ \t]*WorkloadLabelRule", d) and re.search(r"(?m)^[ \t]+table:", d):
        print("---\n" + d.strip("\n")); break
else:
    sys.exit("no WorkloadLabelRule with a table in " + sys.argv[1])' "$REPO_ROOT/rules/reference.yaml") ||
	die "no shadow-table rule in rules/reference.yaml"

# inventory [shadow-db]: the rules; shadow-db adds db-gray and drops the table rule
inventory() {
	yaml_workload cli-base c ""
	yaml_workload cli-gray c gray
	yaml_workload db mysql ""
	[[ ${1:-} == shadow-db ]] && yaml_workload db-gray mysql gray
	yaml_service mysql mysql "$PORT" "$PORT" "$VIP" "$VIP6"
	echo "  protocol: mysql"
	[[ ${1:-} == shadow-db ]] || echo "$TABLE_RULE"
}
inventory | write_rules "$RULES" mysql.yaml
assert_ok "rules (mysql Service, shadow-table WorkloadLabelRule) validate" "$GRAYLANE" validate "$RULES"
start_daemon d "$M" "$PIN" "$RULES"
DPID=${DAEMON_PID[d]}
wait_generation "$PIN" 1 "$DPID" || die "daemon did not apply the rules"

# ---------------------------------------------------------------- helpers

OUT='' RC=0
# sqlx W SUBCOMMAND ARGS...: sqlclient.py SUBCOMMAND as a process of workload W,
# dialing the Service; sets OUT and RC
sqlx() {
	local w=$1 c=$2; shift 2
	OUT=$(run_as "$w" timeout 30 "$PY" "$SQLCLIENT" "$c" "$VIP" "$PORT" "$@" 2>&1)
	RC=$?
}
# stmt W ARGS...: stmt_client as a process of workload W; sets OUT and RC
stmt() {
	local w=$1; shift
	OUT=$(run_as "$w" timeout 30 "$STMT" "$VIP" "$PORT" "$@" 2>&1)
	RC=$?
}

# where INSTANCE LOCATION: "<rows in mse_demo_table> <rows in mse_demo_table_gray>"
where() { echo "$(mysql_rows "$1" mse_demo_table "$2") $(mysql_rows "$1" mse_demo_table_gray "$2")"; }

# expect NAME ok|fail|any INSTANCE LOCATION "BASE SHADOW": the last client run
# ended as said and LOCATION's rows on INSTANCE are as said
expect() {
	local name=$1 want=$2 inst=$3 loc=$4 rows=$5 got okay=0
	got=$(where "$inst" "$loc")
	case $want in
	ok) ((RC == 0)) && okay=1 ;;
	fail) ((RC != 0)) && okay=1 ;;
	*) okay=1 ;;
	esac
	if ((okay)) && [[ $got == "$rows" ]]; then
		pass "$name: client $(oneline "$OUT"); rows (base shadow) on $inst: $got"
	else
		fail "$name" "expected client $want and rows (base shadow) '$rows' on $inst; got client exit $RC '$(oneline "$OUT")', rows '$got'"
	fi
}

stat() { gl_stat "$PIN" "$1"; }

# expect_rose NAME STAT BEFORE: the counter exists and is above BEFORE
expect_rose() {
	local now
	now=$(stat "$2")
	if [[ ! $now =~ ^[0-9]+$ ]]; then
		fail "$1" "no counter '$2' in 'graylane dump gl_stats --json' (names: SQL_STAT_* at the top of $(basename "$0"))"
	elif [[ ! $3 =~ ^[0-9]+$ ]] || ((now <= $3)); then
		fail "$1" "$2 did not rise: $3 -> $now"
	else
		pass "$1: $2 $3 -> $now"
	fi
}

# unchanged_note STAT BEFORE: text for a base case's assertion name
unchanged_note() {
	local now
	now=$(stat "$1")
	if [[ $now =~ ^[0-9]+$ ]]; then
		[[ $now == "$2" ]] && echo "$1 unchanged ($now)" || echo "$1 ROSE $2 -> $now"
	else
		echo "no $1 counter yet"
	fi
}

# expect_base_ok NAME INSTANCE LOCATION ROWS STAT BEFORE [ERE]: a base case
# that must just work: client ok (its output matching ERE), rows as said, and
# the fail-closed counter unchanged when it exists
expect_base_ok() {
	local name=$1 inst=$2 loc=$3 rows=$4 st=$5 before=$6 ere=${7:-^ok} note got
	got=$(where "$inst" "$loc")
	note=$(unchanged_note "$st" "$before")
	if ((RC == 0)) && [[ $OUT =~ $ere ]] && [[ $got == "$rows" && $note != *ROSE* ]]; then
		pass "$name: client $(oneline "$OUT"); rows (base shadow) $got; $note"
	else
		fail "$name" "expected client ok (/$ere/), rows '$rows', counter unchanged; got exit $RC '$(oneline "$OUT")', rows '$got', $note"
	fi
}

# ---------------------------------------------------------------- a, b, c: lanes
sqlx cli-base insert --location a-base --n 3
expect "a  base workload insert -> mse_demo_table only" ok db a-base "3 0"

rw0=$(stat "$SQL_STAT_REWRITE")
sqlx cli-gray insert --location b-gray --n 3
expect "b  gray workload insert -> mse_demo_table_gray only" ok db b-gray "0 3"
expect_rose "b  gray statements counted as rewritten" "$SQL_STAT_REWRITE" "$rw0"
sqlx cli-gray insert --location b-qualified --n 2 --qualified
expect "b2 gray workload, table named \`mse-demo\`.mse_demo_table -> shadow only" ok db b-qualified "0 2"
sqlx cli-gray insert --location mse_demo_table
expect "b3 gray insert of the string 'mse_demo_table': a literal is data (stored unchanged, in the shadow)" \
	ok db mse_demo_table "0 1"

VIP=$VIP6 sqlx cli-base insert --location a6-base --n 2
expect "a6 base workload over IPv6 ($VIP6) -> mse_demo_table only" ok db a6-base "2 0"
VIP=$VIP6 sqlx cli-gray insert --location b6-gray --n 2
expect "b6 gray workload over IPv6 ($VIP6) -> mse_demo_table_gray only" ok db b6-gray "0 2"

sqlx cli-base insert --location c-ctx-gray --n 2 --ctx gray
expect "c  base workload, gray context (C-base serving a gray request) -> shadow only" ok db c-ctx-gray "0 2"
sqlx cli-gray insert --location c-ctx-base --n 2 --ctx base
expect "c2 gray workload, base context (serving a base request) -> base only" ok db c-ctx-base "2 0"

# ---------------------------------------------------------------- d: pool at start-up
sqlx cli-base pool --location d --pattern gray,base --n 6
expect "d  pool opened at start (base workload), gray statements -> shadow" ok db d-gray "0 3"
expect "d  pool opened at start (base workload), base statements -> base" ok db d-base "3 0"
sqlx cli-gray pool --location d2 --pattern base,gray,gray --n 6
expect "d2 pool opened at start (gray workload), gray statements -> shadow" ok db d2-gray "0 4"
expect "d2 pool opened at start (gray workload), base statements -> base" ok db d2-base "2 0"

# ---------------------------------------------------------------- e: reads
nb=$(mysql_rows db mse_demo_table)
ng=$(mysql_rows db mse_demo_table_gray)
lb=$(mysql_sql db "SELECT location FROM mse_demo_table ORDER BY id DESC LIMIT 1")
lg=$(mysql_sql db "SELECT location FROM mse_demo_table_gray ORDER BY id DESC LIMIT 1")
[[ -z $lg ]] && lg=NONE
sqlx cli-base select --ctx gray
assert_eq "e  SELECT in a gray context reads mse_demo_table_gray (base has $nb rows)" \
	"count=$ng last=$lg" "$OUT"
sqlx cli-gray select
assert_eq "e  SELECT from the gray workload reads mse_demo_table_gray" "count=$ng last=$lg" "$OUT"
sqlx cli-base select
assert_eq "e  SELECT from the base workload reads mse_demo_table" "count=$nb last=$lb" "$OUT"
sqlx cli-base select --ctx gray --query \
	"SELECT (SELECT COUNT(*) FROM mse_demo_table), (SELECT COUNT(*) FROM mse_demo_table t WHERE t.id > 0)"
assert_eq "e3 a gray statement naming the table twice: both rewritten" "$ng"$'\t'"$ng" "$OUT"

# ---------------------------------------------------------------- f: prepared statements
stmt cli-base --location f-gray --n 3 --ctx gray
expect "f  Connector/C prepared INSERT, gray context -> shadow only" ok db f-gray "0 3"
stmt cli-gray --location f-gray-wl --n 2
expect "f  Connector/C prepared INSERT, gray workload -> shadow only" ok db f-gray-wl "0 2"
s0=$(stat "$SQL_STAT_STMT_LANE")
stmt cli-base --location f-base --n 3
expect_base_ok "f  Connector/C prepared INSERT, base -> base only" db f-base "3 0" "$SQL_STAT_STMT_LANE" "$s0" "^ok executed=3"
s0=$(stat "$SQL_STAT_STMT_LANE")
stmt cli-base --location f-cross --n 1 --ctx gray --exec-ctx base
expect "f  prepared in gray, executed in base: fails closed (client error, no row)" fail db f-cross "0 0"
expect_rose "f  ... counted" "$SQL_STAT_STMT_LANE" "$s0"
s0=$(stat "$SQL_STAT_STMT_LANE")
stmt cli-base --location f-cross2 --n 1 --ctx base --exec-ctx gray
expect "f  prepared in base, executed in gray: fails closed (no gray row in the base table)" fail db f-cross2 "0 0"
expect_rose "f  ... counted" "$SQL_STAT_STMT_LANE" "$s0"

# ---------------------------------------------------------------- h: fail closed
c0=$(stat "$SQL_STAT_COMPRESS")
sqlx cli-base cli --location h-comp-gray --ctx gray --compress
expect "h  compressed protocol, gray context: fails closed (no row in either table)" fail db h-comp-gray "0 0"
expect_rose "h  ... counted" "$SQL_STAT_COMPRESS" "$c0"
c0=$(stat "$SQL_STAT_COMPRESS")
sqlx cli-gray cli --location h-comp-gray-wl --compress
expect "h  compressed protocol, gray workload: fails closed" fail db h-comp-gray-wl "0 0"
expect_rose "h  ... counted" "$SQL_STAT_COMPRESS" "$c0"
c0=$(stat "$SQL_STAT_COMPRESS")
sqlx cli-base cli --location h-comp-base --compress
expect_base_ok "h  compressed protocol, base: works" db h-comp-base "1 0" "$SQL_STAT_COMPRESS" "$c0" \
	"Compression[[:space:]]+ON"

t0=$(stat "$SQL_STAT_TLS")
sqlx cli-base insert --location h-tls-gray --ctx gray --ssl
expect "h  TLS, gray context: fails closed (no row in either table)" fail db h-tls-gray "0 0"
expect_rose "h  ... counted" "$SQL_STAT_TLS" "$t0"
t0=$(stat "$SQL_STAT_TLS")
sqlx cli-base insert --location h-tls-base --ssl
expect_base_ok "h  TLS, base: works" db h-tls-base "1 0" "$SQL_STAT_TLS" "$t0" "^ok inserted=1 cipher=[A-Z]"

b0=$(stat "$SQL_STAT_TOO_LARGE")
sqlx cli-base insert --location h-big-gray --ctx gray --big 20480
expect "h  20 KiB statement, gray context: fails closed (no row in either table)" fail db h-big-gray "0 0"
expect_rose "h  ... counted" "$SQL_STAT_TOO_LARGE" "$b0"
b0=$(stat "$SQL_STAT_TOO_LARGE")
sqlx cli-base insert --location h-big-base --big 20480
expect_base_ok "h  20 KiB statement, base: works" db h-big-base "1 0" "$SQL_STAT_TOO_LARGE" "$b0"

# ---------------------------------------------------------------- i: load
MIXB=$E2E_TMP/mix-base.json
MIXG=$E2E_TMP/mix-gray.json
t_mix=$SECONDS
run_as cli-base timeout 60 "$PY" "$SQLCLIENT" mix "$VIP" "$PORT" --prefix i-b --threads 4 --n 500 \
	--seed 11 --plain 1 --plain-lane base >"$MIXB" 2>&1 &
mb=$!
run_as cli-gray timeout 60 "$PY" "$SQLCLIENT" mix "$VIP" "$PORT" --prefix i-g --threads 4 --n 500 \
	--seed 12 --plain 1 --plain-lane gray >"$MIXG" 2>&1 &
mg=$!
wait "$mb" "$mg"
t_mix=$((SECONDS - t_mix))
got=$(mysql_sql db "SELECT 'mse_demo_table', location, COUNT(*) FROM mse_demo_table WHERE location LIKE 'i-%' GROUP BY location
	UNION ALL SELECT 'mse_demo_table_gray', location, COUNT(*) FROM mse_demo_table_gray WHERE location LIKE 'i-%' GROUP BY location")
res=$("$PY" -c '
import json, sys
want, errs, sent = {}, [], 0
for f in sys.argv[1:3]:
    try:
        r = json.loads(open(f).read().strip().splitlines()[-1])
    except Exception:
        errs.append("%s: %r" % (f, open(f).read()[:300])); continue
    if r["errors"]:
        errs.append("%d errors, first: %s" % (r["errors"], r["first_error"]))
    for loc, n in r["counts"].items():
        sent += n
        table = "mse_demo_table_gray" if loc.endswith("-gray") else "mse_demo_table"
        want["%s %s" % (table, loc)] = n
got = {}
for line in sys.argv[3].splitlines():
    t, loc, n = line.split("\t")
    got["%s %s" % (t, loc)] = int(n)
fmt = lambda d: ", ".join("%s=%d" % (k, d[k]) for k in sorted(d))
desc = "%d statements sent; rows %s" % (sent, fmt(got))
if not errs and sent == 1000 and got == want:
    print("PASS " + desc)
else:
    print("FAIL " + desc + "; expected " + fmt(want) + ("; " + "; ".join(errs) if errs else ""))
' "$MIXB" "$MIXG" "$got")
if [[ $res == PASS* ]]; then
	pass "i  1000 inserts, 8 threads, 2 workloads, lanes mixed per statement, in $t_mix s: ${res#PASS }"
else
	fail "i  1000 inserts, 8 threads, 2 workloads, lanes mixed per statement" "${res#FAIL }"
fi

# ---------------------------------------------------------------- g: shadow database
g=$(generation "$PIN")
mysql_start dbg db-gray
inventory shadow-db | write_rules "$RULES" mysql.yaml
if wait_generation "$PIN" $((g + 1)) "$DPID" >"$E2E_TMP/apply.out"; then
	pass "g  db-gray (gray instance, same Service) added, shadow-table rule removed: generation $(generation "$PIN")"
else
	fail "g  db-gray added" "no generation $((g + 1)): $(oneline "$(cat "$E2E_TMP/apply.out")")"
fi
sqlx cli-gray insert --location g-gray --n 3
expect "g  gray workload insert -> db-gray's mse_demo_table" ok dbg g-gray "3 0"
expect "g  ... and nothing of it on the base instance" ok db g-gray "0 0"
sqlx cli-base insert --location g-ctx-gray --n 2 --ctx gray
expect "g  base workload, gray context -> db-gray's mse_demo_table" ok dbg g-ctx-gray "2 0"
expect "g  ... and nothing of it on the base instance" ok db g-ctx-gray "0 0"
stmt cli-base --location g-stmt-gray --n 2 --ctx gray
expect "g  prepared INSERT, gray context -> db-gray's mse_demo_table" ok dbg g-stmt-gray "2 0"
sqlx cli-base insert --location g-base --n 3
expect "g  base workload insert -> the base instance's mse_demo_table" ok db g-base "3 0"
expect "g  ... and nothing of it on db-gray" ok dbg g-base "0 0"
sqlx cli-gray insert --location g-ctx-base --ctx base
expect "g  gray workload, base context -> the base instance" ok db g-ctx-base "1 0"
expect "g  ... and nothing of it on db-gray" ok dbg g-ctx-base "0 0"

i0=$(stat "$SQL_STAT_INSTANCE")
sqlx cli-base pool --location g-pool --pattern base,gray --n 2
expect "g  pool to the base instance (opened with no context): the base statement lands there" \
	any db g-pool-base "1 0"
expect "g  ... the gray statement on it fails closed: not on the base instance" fail db g-pool-gray "0 0"
expect "g  ... nor on db-gray" fail dbg g-pool-gray "0 0"
expect_rose "g  ... counted" "$SQL_STAT_INSTANCE" "$i0"
i0=$(stat "$SQL_STAT_INSTANCE")
sqlx cli-gray pool --location g-pool2 --pattern gray,base --n 2
expect "g  pool to db-gray (gray workload): the gray statement lands there" any dbg g-pool2-gray "1 0"
expect "g  ... a base statement on it fails closed: base data never reaches the gray instance" \
	fail dbg g-pool2-base "0 0"
expect_rose "g  ... counted" "$SQL_STAT_INSTANCE" "$i0"

# ---------------------------------------------------------------- cleanup
p=${MYSQL_PID[dbg]}
d=$(mysql_dir dbg)
mysql_stop dbg
left=""
mysql_alive "$p" && left="$left process $p;"
[[ -e $d ]] && left="$left $d;"
assert_eq "cleanup: mysql_stop leaves no process, datadir or socket" "" "$left"

# a run that fails: its trap must remove the server and every file of it
out=$(bash -c '
. "$1/lib.sh"; . "$1/mysql.sh"
e2e_init >/dev/null
cg_add m
add_workload h m/h 10.77.0.2 fd77::2
mysql_start x h
echo "READY ${MYSQL_PID[x]} $(mysql_dir x) $(mysql_sock x) $CG_RUN"
exit 3' mysql-child "$E2E_DIR" 2>&1)
rc=$?
read -r _ cp cd cs ccg <<<"$(grep '^READY' <<<"$out")"
left=""
if [[ -z ${cp:-} ]]; then
	left="the child did not start its server: $(oneline "$out")"
else
	mysql_alive "$cp" && left="$left process $cp;"
	for x in "$cd" "$cs" "$ccg"; do [[ -e $x ]] && left="$left $x;"; done
	pgrep -f -- "--datadir=$cd/data" >/dev/null && left="$left a mariadbd with datadir $cd/data;"
fi
assert_eq "cleanup: a failing run (exit $rc) leaves no mariadbd, datadir, socket or cgroup" "" "$left"

assert_ok "graylane status still exits 0" "$GRAYLANE" --pin-root "$PIN" status
finish
