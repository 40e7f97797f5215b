#!/bin/bash
# graylane top on the reference scenario with real traffic through nginx:
# while gray requests flow, the gray row of A, B and C has requests and
# connects per second and every other row none (base rows keep their
# counters); with B's gray removed, B's gray row has fallbacks; a base caller
# refused by a service with gray endpoints only is an error in that row;
# idle, every rate is 0 and every counter equals graylane dump
# gl_service_stats, whose sums equal gl_stats and gl_lane_stats. Text, JSON,
# the terminal's redraw, names without --rules, the metrics, errors.
# Rates are read from top's own samples; no assertion depends on how fast
# anything runs (the traffic flows for the whole of each interval).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/scenario_up.sh"
scenario_up
scn_start_gateway "$E2E_TMP/nginx"
GRAY=$(scn_chain gray)
BASE=$(scn_chain base)
FALLBACK=$(scn_chain gray b-gray)
g=$(generation "$PIN")

# top_json NAME [OPTIONS...]: one --once --json table into $E2E_TMP/NAME.json
top_json() {
	local n=$1; shift
	"$GRAYLANE" --pin-root "$PIN" top --once --json "$@" >"$E2E_TMP/$n.json" 2>"$E2E_TMP/$n.err"
}
# check NAME PYTHON-EXPR [FILE]: passes when the expression over t (top's JSON
# of FILE, default the last one), rows (by "service/lane") and total is true
check() {
	local out
	out=$("$PY" - "$E2E_TMP/${3:-$LAST}.json" "$2" <<'PYEOF' 2>&1
import json, sys
try:
    t = json.load(open(sys.argv[1]))
except Exception as e:
    print("no JSON table: %r" % e); sys.exit(1)
rows = {"%s/%s" % (r["service"] or r["service_id"], r["lane"]): r for r in t["rows"]}
total = t["total"]
def rate(k, f): return rows[k]["rates"][f] if k in rows else None
def nonzero(): return sorted(k for k, r in rows.items() if any(r["rates"].values()))
try:
    ok = eval("(" + sys.argv[2] + ")")
except Exception as e:
    print("%r; rows %s" % (e, {k: r["rates"] for k, r in rows.items()})); sys.exit(1)
if not ok:
    print("rows with a rate: %s; rates %s" % (nonzero(), {k: r["rates"] for k, r in rows.items()}))
    sys.exit(1)
PYEOF
	)
	if [[ $? -eq 0 ]]; then pass "$1"; else fail "$1" "$(oneline "$out")"; fi
}

# loop_start NAME CMD...: CMD again and again, each answer a line of
# $E2E_TMP/NAME.loop, until loop_stop; returns once the first answer is in
loop_start() {
	local n=$1; shift
	rm -f "$E2E_TMP/$n.stop"
	( while [[ ! -e $E2E_TMP/$n.stop ]]; do "$@" >>"$E2E_TMP/$n.loop" 2>&1; echo >>"$E2E_TMP/$n.loop"; done ) &
	LOOP_PID=$!
	E2E_PIDS+=("$LOOP_PID")
	until [[ -s $E2E_TMP/$n.loop ]] || ! kill -0 "$LOOP_PID" 2>/dev/null; do sleep 0.05; done
}
loop_stop() { touch "$E2E_TMP/$1.stop"; wait "$LOOP_PID"; }
# loop_answers NAME: "<count> <distinct answers>" of the loop's non-empty lines
loop_answers() { grep -v '^$' "$E2E_TMP/$1.loop" | sort | uniq -c | awk '{ $1 = ""; print substr($0, 2) }' | paste -sd'|'; }

# ---------------------------------------------------------------- before traffic, then base
LAST=t0
top_json t0 --rules "$RULES" --interval 0.2
assert_eq "T0 top --once --json exits 0" "0 " "$? $(cat "$E2E_TMP/t0.err")"
check "T0 before any request, no row has a rate" "nonzero() == [] and not any(total['rates'].values())"
ok=0
for _ in 1 2 3; do [[ $(scn_get /a) == "$BASE" ]] && ok=$((ok + 1)); done
assert_eq "T1 three base requests through the gateway take the base chain" 3 "$ok"

# ---------------------------------------------------------------- gray traffic while top samples
loop_start gray scn_get /a -H "location: cn-shenzhen"
top_json t2 --rules "$RULES" --interval 2 &
tj=$!
"$GRAYLANE" --pin-root "$PIN" top --once --rules "$RULES" --interval 2 >"$E2E_TMP/t2.txt" 2>&1 &
tt=$!
wait "$tj"
rc=$?
wait "$tt"
rct=$?
loop_stop gray
assert_eq "T2 only gray answers while top sampled: the gray chain" "$GRAY" "$(loop_answers gray)"
assert_eq "T2 top --once --json and top --once exit 0" "0 0" "$rc $rct"
LAST=t2
check "T2 A, B and C's gray rows: requests and connects per second above 0" \
	"all(rate(s + '/gray', 'requests') > 0 and rate(s + '/gray', 'connects') > 0 for s in 'abc')"
check "T2 ... and those are the only rows with a rate (base rows 0, no fallback, no error)" \
	"nonzero() == ['a/gray', 'b/gray', 'c/gray'] and total['rates']['fallbacks'] == 0 and total['rates']['errors'] == 0"
check "T2 base rows keep their counters: 3 requests each at A, B, C" \
	"all(rows[s + '/base']['counters']['requests'] == 3 for s in 'abc')"
check "T2 the total row's rates are the rows' sums (to the 3 decimals printed)" \
	"all(abs(total['rates'][f] - sum(r['rates'][f] for r in rows.values())) < 0.01 for f in total['rates'])"
check "T2 the interval is the one asked for (at least 2 s)" "t['interval_s'] >= 2 and t['generation'] == $g"
sed 's/^/# /' "$E2E_TMP/t2.txt"	# for the record: what an operator sees
txt=$(cat "$E2E_TMP/t2.txt")
assert_match "T3 text: the columns" \
	"SERVICE +LANE +REQ/S +CONN/S +FALLBACK/S +ERR/S +REQUESTS +CONNECTS +FALLBACKS +ERRORS" "$txt"
assert_eq "T3 text: a, b, c gray rows with requests per second above 0" "a b c" \
	"$(awk '$2 == "gray" && $3 > 0 { print $1 }' <<<"$txt" | paste -sd' ')"
assert_eq "T3 text: base rows at 0 requests per second, 3 requests each" "a b c" \
	"$(awk '$2 == "base" && $3 == 0 && $7 == 3 { print $1 }' <<<"$txt" | paste -sd' ')"
assert_match "T3 text: a total row; no terminal, no escape sequence" $'\nTOTAL ' "$txt"
[[ $txt == *$'\033'* ]] && fail "T3 no escape sequence outside a terminal" "found one"

# ---------------------------------------------------------------- fallback: B's gray removed
scn_inventory b-gray | write_rules "$RULES" inventory.yaml
wait_generation "$PIN" $((g + 1)) "$DPID" >/dev/null || fail "F0 b-gray removed" "no generation $((g + 1))"
loop_start fb scn_get /a -H "location: cn-shenzhen"
top_json t4 --rules "$RULES" --interval 2 &
tj=$!
"$GRAYLANE" --pin-root "$PIN" top --once --rules "$RULES" --interval 2 >"$E2E_TMP/t4.txt" 2>&1
rct=$?
wait "$tj"
rc=$?
loop_stop fb
assert_eq "F1 only fallback answers while top sampled: A-gray -> B-base -> C-gray" \
	"$FALLBACK" "$(loop_answers fb)"
assert_eq "F1 top --once --json and top --once exit 0" "0 0" "$rc $rct"
sed 's/^/# /' "$E2E_TMP/t4.txt"
assert_eq "F1 text: only B's gray row has fallbacks per second" "b" \
	"$(awk '$2 == "gray" && $5 > 0 { print $1 }' "$E2E_TMP/t4.txt" | paste -sd' ')"
LAST=t4
check "F2 B's gray row: fallbacks per second above 0, equal to its connects per second" \
	"rate('b/gray', 'fallbacks') > 0 and rate('b/gray', 'fallbacks') == rate('b/gray', 'connects')"
check "F2 A and C's gray rows: connects, no fallback; B and C still get gray requests" \
	"all(rate(s + '/gray', 'connects') > 0 and rate(s + '/gray', 'fallbacks') == 0 for s in 'ac') and
	 all(rate(s + '/gray', 'requests') > 0 for s in 'abc')"
check "F2 ... and no other row has a rate" "nonzero() == ['a/gray', 'b/gray', 'c/gray']"

# ---------------------------------------------------------------- errors: a refused connect
scn_gray_only_service
wait_generation "$PIN" $((g + 2)) "$DPID" >/dev/null || fail "E0 grayonly.yaml applied" "no generation $((g + 2))"
refused_once() { curl_as a-base -o /dev/null http://10.77.100.9/ 2>/dev/null; echo "exit $?"; }
loop_start refused refused_once
top_json t5 --rules "$RULES" --interval 2
rc=$?
loop_stop refused
assert_eq "E1 every connect of a-base to c-gray-only refused while top sampled (curl exit 7)" \
	"exit 7" "$(loop_answers refused)"
LAST=t5
check "E2 c-gray-only's base row: errors per second above 0, no connect; the only row with a rate" \
	"rate('c-gray-only/base', 'errors') > 0 and rate('c-gray-only/base', 'connects') == 0 and
	 nonzero() == ['c-gray-only/base'] and rows['c-gray-only/base']['counters']['refused'] > 0"

# ---------------------------------------------------------------- idle: top agrees with dump
top_json t6 --rules "$RULES" --interval 0.5
"$GRAYLANE" --pin-root "$PIN" --json dump >"$E2E_TMP/dump.json"
"$GRAYLANE" --pin-root "$PIN" metrics >"$E2E_TMP/metrics.txt"
top_json t7 --interval 0.2	# no --rules: ids and addresses
"$PY" - "$E2E_TMP" <<'PYEOF' >"$E2E_TMP/checks"
import json, re, sys
tmp = sys.argv[1]
t = json.load(open(tmp + "/t6.json"))
d = json.load(open(tmp + "/dump.json"))
def say(ok, name, detail=""):
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else ": " + str(detail)[:400]))
say(not any(any(r["rates"].values()) for r in t["rows"]) and not any(t["total"]["rates"].values()),
    "I1 idle: every rate 0", [r for r in t["rows"] if any(r["rates"].values())])
dump = {(e["service_id"], e["lane"]): e for e in d["gl_service_stats"]}
top = {(r["service_id"], r["lane"]): r["counters"] for r in t["rows"]}
fields = ("connects", "fallbacks", "refused", "requests", "msg_refused")
diff = [k for k in set(dump) | set(top) if k not in dump or k not in top or
        any(dump[k][f] != top[k][f] for f in fields)]
say(not diff and len(top) >= 7, "I2 every row's counters equal graylane dump gl_service_stats (%d rows)" % len(top), diff)
st, tot = d["gl_stats"], t["total"]["counters"]
want = {"requests": st["msg_request"], "connects": st["connect_lane"] + st["connect_base"],
        "fallbacks": st["connect_fallback"],
        "refused": st["connect_refused_no_base"] + st["connect_no_endpoint"] + st["connect_bad_backend"],
        "msg_refused": st["msg_refused"]}
say(all(tot[k] == want[k] for k in want) and want["requests"] > 0 and want["fallbacks"] > 0 and want["refused"] > 0,
    "I3 the total counters equal gl_stats (requests %s, connects %s, fallbacks %s, refused %s)" % (
        want["requests"], want["connects"], want["fallbacks"], want["refused"]), (tot, want))
say(st["service_stats_full"] == 0, "I3 service_stats_full 0", st["service_stats_full"])
lanes = {e["lane"]: e for e in d["gl_lane_stats"]}
bad = []
for lane in ("base", "gray"):
    for f in ("connects", "fallbacks", "refused"):
        s = sum(v[f] for (sid, l), v in top.items() if l == lane)
        if s != lanes[lane][f]:
            bad.append("%s %s: rows %s, gl_lane_stats %s" % (lane, f, s, lanes[lane][f]))
say(not bad, "I4 per lane, the rows add up to gl_lane_stats", bad)
m = open(tmp + "/metrics.txt").read()
ids = {r["service"]: r["service_id"] for r in t["rows"]}
got = re.findall(r'^graylane_service_requests_total\{service_id="%d",lane="gray"\} (\d+)$' % ids["b"], m, re.M)
fb = re.findall(r'^graylane_service_connects_total\{service_id="%d",lane="gray",decision="fallback"\} (\d+)$' % ids["b"], m, re.M)
say(got == [str(top[(ids["b"], "gray")]["requests"])] and fb == [str(top[(ids["b"], "gray")]["fallbacks"])],
    "I5 graylane metrics: B's gray requests and fallbacks as in the table", (got, fb))
vip = {e["service_id"]: e["address"] for e in d["gl_services"] if e["kind"] == "virtual"}
t7 = json.load(open(tmp + "/t7.json"))
named = [(r["service"], r["address"]) for r in t7["rows"] if r["service_id"] == ids["a"]]
say(named and all(n is None and a == vip[ids["a"]] == "10.77.100.1:80" for n, a in named),
    "I6 without --rules: service null, its virtual address (%s)" % named, named)
PYEOF
while read -r verdict rest; do
	if [[ $verdict == PASS ]]; then pass "$rest"; else fail "${rest%%: *}" "${rest#*: }"; fi
done <"$E2E_TMP/checks"
[[ -s $E2E_TMP/checks ]] || fail "I1-I6" "the checker printed nothing"
assert_match "I6 text without --rules: id and address" $'\nid [0-9]+ 10\\.77\\.100\\.1:80 +base ' \
	"$("$GRAYLANE" --pin-root "$PIN" top --once --interval 0.2)"

# ---------------------------------------------------------------- live: tables until --count, redraw in a terminal
out=$("$GRAYLANE" --pin-root "$PIN" top --rules "$RULES" --interval 0.2 --count 3)
assert_eq "L1 --count 3 outside a terminal: three tables" 3 "$(grep -c '^TOTAL ' <<<"$out")"
out=$(script -qec "$GRAYLANE --pin-root $PIN top --interval 0.2 --count 2" /dev/null)
assert_eq "L2 in a terminal: each table drawn from the top of a cleared screen" 2 \
	"$(grep -o $'\033\\[H\033\\[2J' <<<"$out" | wc -l)"
out=$(script -qec "$GRAYLANE --pin-root $PIN top --interval 0.2 --once" /dev/null)
assert_eq "L2 --once in a terminal: one table, the screen left as it was" "1 0" \
	"$(grep -c '^TOTAL ' <<<"$out") $(grep -c $'\033' <<<"$out")"
"$GRAYLANE" --pin-root "$PIN" top --interval 0.2 >"$E2E_TMP/live.txt" 2>&1 &
lp=$!
until grep -q '^TOTAL ' "$E2E_TMP/live.txt" || ! kill -0 "$lp" 2>/dev/null; do sleep 0.05; done
kill -INT "$lp"
wait "$lp"
assert_eq "L3 without --once or --count it runs until ^C, then exits 0" "0 yes" \
	"$? $(grep -q '^TOTAL ' "$E2E_TMP/live.txt" && echo yes)"

# ---------------------------------------------------------------- a full map costs the counting, not the routing
# gl_service_stats filled to its capacity from here (pairs of no service),
# B's gray pair deleted first: the next gray request's hop to B finds no room
# for its connect and its request (2 counted) and still takes the fallback chain
bid=$("$PY" -c 'import json,sys; print({r["service"]: r["service_id"] for r in json.load(open(sys.argv[1]))["rows"]}["b"])' "$E2E_TMP/t6.json")
gid=$("$PY" -c 'import json,sys; print(next(r["lane_id"] for r in json.load(open(sys.argv[1]))["rows"] if r["lane"] == "gray"))' "$E2E_TMP/t6.json")
filled=$("$PY" - "$PIN/gl_service_stats" "$bid" "$gid" <<'PYEOF' 2>&1
import ctypes, os, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
SYS_bpf, OBJ_GET, UPDATE, DELETE = 321, 7, 2, 3
def bpf(cmd, attr):
    buf = ctypes.create_string_buffer(attr, 128)
    r = libc.syscall(SYS_bpf, cmd, buf, 128)
    return r if r >= 0 else -ctypes.get_errno()
path = ctypes.create_string_buffer(sys.argv[1].encode())
fd = bpf(OBJ_GET, struct.pack("QII", ctypes.addressof(path), 0, 0))
if fd < 0:
    sys.exit("cannot open %s: %s" % (sys.argv[1], os.strerror(-fd)))
def rng(s):
    n = 0
    for part in s.strip().split(","):
        a, _, b = part.partition("-")
        n += int(b or a) - int(a) + 1
    return n
ncpu = rng(open("/sys/devices/system/cpu/possible").read())
val = ctypes.create_string_buffer(ncpu * 40)
key = ctypes.create_string_buffer(8)
def op(cmd, sid, lane, flags=0):
    key.raw = struct.pack("IHH", sid, lane, 0)
    if cmd == DELETE:   # the kernel wants nothing after the key
        return bpf(cmd, struct.pack("IIQ", fd, 0, ctypes.addressof(key)))
    return bpf(cmd, struct.pack("IIQQQ", fd, 0, ctypes.addressof(key), ctypes.addressof(val), flags))
if op(DELETE, int(sys.argv[2]), int(sys.argv[3])):
    sys.exit("no pair (b, gray) to delete")
import time
n = tries = 0
while True:
    err = -op(UPDATE, 1000000 + n, 0, 1)   # BPF_NOEXIST
    if err == 0:
        n += 1
    elif err == 12 and tries < 1000:   # ENOMEM: the element caches refill asynchronously
        tries += 1
        time.sleep(0.002)
    else:
        break
print(n, err == 7, os.strerror(err))   # E2BIG: full
PYEOF
)
assert_match "M1 gl_service_stats filled to its capacity from userspace (E2BIG at the end)" '^[0-9]+ True ' "$filled"
snap "$PIN" full0
ans=$(scn_get /a -H "location: cn-shenzhen")
snap "$PIN" full1
assert_eq "M2 a gray request with the map full: still the fallback chain" "$FALLBACK" "$ans"
assert_eq "M2 ... its connect and request to B counted as service_stats_full, nothing refused" \
	"service_stats_full=2 connect_fallback=1 msg_refused=0" \
	"$(deltas full0 full1 service_stats_full connect_fallback msg_refused)"
top_json t8 --rules "$RULES" --interval 0.2
LAST=t8
check "M3 top still reads the full map: 8192 rows (GL_SERVICE_STATS_MAX), no b/gray" \
	"len(t['rows']) == 8192 and 'b/gray' not in rows and 'a/gray' in rows"

# ---------------------------------------------------------------- errors
"$GRAYLANE" --pin-root "$E2E_TMP/none" top --once >/dev/null 2>"$E2E_TMP/x1"
assert_eq "X1 nothing installed under the pin root: exit 1, said so" \
	"1 graylane top: nothing installed under $E2E_TMP/none" "$? $(cat "$E2E_TMP/x1")"
"$GRAYLANE" --pin-root "$PIN" top --once --interval 0 >/dev/null 2>"$E2E_TMP/x2"
assert_match "X2 --interval 0: usage, exit 2" "^2 graylane top: --interval '0' is not a number of seconds" \
	"$? $(cat "$E2E_TMP/x2")"
"$GRAYLANE" --pin-root "$PIN" top --once --count 2 >/dev/null 2>&1
assert_eq "X3 --once with --count 2: exit 2" 2 "$?"
assert_eq "X4 top's options on another command: refused" "graylane: --once is not an option of status" \
	"$("$GRAYLANE" --pin-root "$PIN" status --once 2>&1 >/dev/null)"
finish
