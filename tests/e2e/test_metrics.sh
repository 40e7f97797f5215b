#!/bin/bash
# graylaned --metrics: the Prometheus text endpoint on the reference scenario
# after real traffic through nginx. Parsed by the Prometheus Python client's
# own text parser (python3-prometheus-client); names and types checked
# against the conventions; scraped values compared with `graylane dump`,
# `graylane status` and bpftool; errors of the endpoint and of the flag.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/scenario_up.sh"
"$PY" -c 'import prometheus_client.parser' 2>/dev/null ||
	die "python3-prometheus-client missing (make deps installs it)"
SCN_DAEMON_ARGS=(--metrics 127.0.0.1:0)
scenario_up
scn_start_gateway "$E2E_TMP/nginx"
wait_log d "event=metrics addr=" 1 || fail "M0 the daemon logs where it serves metrics" "no event=metrics line"
ADDR=$(grep -oE 'event=metrics addr=[^ ]+' "${DAEMON_LOG[d]}" | tail -1 | sed 's/.*addr=//')
assert_match "M0 metrics on an ephemeral loopback port" '^127\.0\.0\.1:[0-9]+$' "$ADDR"

GRAY=$(scn_chain gray)
BASE=$(scn_chain base)
ok=0
for i in 1 2 3; do
	[[ $(scn_get /a -H "location: cn-shenzhen") == "$GRAY" ]] && ok=$((ok + 1))
	[[ $(scn_get /a) == "$BASE" ]] && ok=$((ok + 1))
done
assert_eq "M1 six requests through the gateway, three gray, three base" 6 "$ok"

# scrape and the counters it is compared with, with no traffic in between
curl -sS --max-time 5 -D "$E2E_TMP/m.head" -o "$E2E_TMP/m.txt" "http://$ADDR/metrics"
assert_eq "M2 GET /metrics: curl exit 0" 0 "$?"
assert_match "M2 200 with the text format's content type" \
	$'HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4' "$(cat "$E2E_TMP/m.head")"
"$GRAYLANE" --pin-root "$PIN" dump gl_stats --json >"$E2E_TMP/stats.json"
"$GRAYLANE" --pin-root "$PIN" dump gl_lane_stats --json >"$E2E_TMP/lanes.json"
"$GRAYLANE" --pin-root "$PIN" metrics >"$E2E_TMP/cli.txt"
bpftool -j map dump pinned "$PIN/gl_backends" >"$E2E_TMP/backends.json" 2>/dev/null

"$PY" - "$E2E_TMP" "$(generation "$PIN")" <<'PYEOF' >"$E2E_TMP/checks"
import json, re, sys
from prometheus_client.parser import text_string_to_metric_families

tmp, gen = sys.argv[1], int(sys.argv[2])
text = open(tmp + "/m.txt").read()

def say(ok, name, detail=""):
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else ": " + detail))

try:
    fams = list(text_string_to_metric_families(text))
    say(len(fams) > 0, "M3 the Prometheus client's parser reads every line", "no family")
except Exception as e:
    fams = []
    say(False, "M3 the Prometheus client's parser reads every line", repr(e)[:300])
bad = []
for f in fams:
    if not f.name.startswith("graylane_"):
        bad.append(f.name + ": no graylane_ prefix")
    if f.type == "counter" and not any(s.name.endswith("_total") for s in f.samples):
        bad.append(f.name + ": a counter without _total")
    if f.type not in ("counter", "gauge"):
        bad.append(f.name + ": type " + f.type)
    if not f.documentation:
        bad.append(f.name + ": no HELP")
    if re.search(r"_(ms|milliseconds|ns|bytes_kb)$", f.name):
        bad.append(f.name + ": not in base units")
say(not bad, "M4 names and types follow the conventions (prefix, _total, HELP, base units)", "; ".join(bad))

v = {}
for f in fams:
    for s in f.samples:
        v[(s.name, tuple(sorted(s.labels.items())))] = s.value
def get(name, **labels):
    return v.get((name, tuple(sorted(labels.items()))))

stats = json.load(open(tmp + "/stats.json"))["gl_stats"]
diff = [k for k in stats if get("graylane_datapath_events_total", counter=k) != stats[k]]
say(not diff and len(stats) > 50, "M5 every gl_stats counter scraped equals graylane dump gl_stats (%d)" % len(stats),
    "differ: " + ", ".join("%s %s/%s" % (k, get("graylane_datapath_events_total", counter=k), stats[k]) for k in diff[:5]))
fail_words = ("fail", "refused", "malformed", "too_large", "lost", "no_endpoint", "bad_", "missing",
              "untracked", "unread", "too_deep", "unseen", "no_storage")
failing = [k for k in stats if any(w in k for w in fail_words)]
missing = [k for k in failing if get("graylane_failures_total", reason=k) != stats[k]]
say(not missing and len(failing) >= 20, "M6 every failure counter by reason in graylane_failures_total (%d)" % len(failing),
    "missing or different: " + ", ".join(missing))
lanes = json.load(open(tmp + "/lanes.json"))
lanes = lanes.get("gl_lane_stats", lanes)
rows = lanes if isinstance(lanes, list) else [dict(lane=k, **x) for k, x in lanes.items()]
want = got = None
for r in rows:
    name = r.get("lane") or r.get("name")
    if name == "gray":
        want = (r["connects"], r["fallbacks"], r["refused"])
        got = tuple(get("graylane_connects_total", lane="gray", decision=d) for d in ("lane", "fallback", "refused"))
say(want is not None and want == got and want[0] >= 3,
    "M7 gray's connects, fallbacks, refused equal graylane dump gl_lane_stats", "dump %s, scraped %s (%r)" % (want, got, rows[:3]))
base = get("graylane_connects_total", lane="base", decision="base")
say(base is not None and base >= 3, "M7 base connects counted", str(base))
say(get("graylane_requests_total", decision="context") == stats["msg_label_context"] and
    get("graylane_heads_total", decision="rule") == stats["recv_label_rule"] and stats["recv_label_rule"] >= 3,
    "M8 requests and heads by decision (context %s, rule heads %s)" % (stats["msg_label_context"], stats["recv_label_rule"]))
say(get("graylane_lane_mismatches_total") == stats["lane_mismatch"], "M8 lane mismatches")
say(get("graylane_rules_generation") == gen, "M9 graylane_rules_generation is status's generation", "%s vs %s" % (get("graylane_rules_generation"), gen))
t = get("graylane_rules_last_apply_timestamp_seconds") or 0
import time
say(0 < time.time() - t < 600, "M9 the last apply's time is a recent Unix time in seconds", str(t))
try:
    nb = len(json.load(open(tmp + "/backends.json")))
except Exception as e:
    nb = -1
say(get("graylane_map_entries", map="gl_backends") == nb and nb > 0 and
    get("graylane_map_capacity_entries", map="gl_backends") >= nb,
    "M10 gl_backends' fill (%s) is bpftool's count (%s), under its capacity (%s)" % (
        get("graylane_map_entries", map="gl_backends"), nb, get("graylane_map_capacity_entries", map="gl_backends")))
progs = [l for (n, l) in v if n == "graylane_bpf_runs_total"]
say(len(progs) >= 8, "M11 run time and runs of every pinned program (%d)" % len(progs))
cli = {f.name for f in text_string_to_metric_families(open(tmp + "/cli.txt").read())}
say(cli == {f.name for f in fams}, "M12 graylane metrics prints the same families as the endpoint")
PYEOF
while read -r verdict rest; do
	if [[ $verdict == PASS ]]; then pass "$rest"; else fail "${rest%%: *}" "${rest#*: }"; fi
done <"$E2E_TMP/checks"
[[ -s $E2E_TMP/checks ]] || fail "M3-M12" "the checker printed nothing"

# BPF run time while the kernel keeps it
old=$(cat /proc/sys/kernel/bpf_stats_enabled)
echo 1 >/proc/sys/kernel/bpf_stats_enabled
scn_get /a -H "location: cn-shenzhen" >/dev/null
rt=$(curl -sS --max-time 5 "http://$ADDR/metrics" | awk '$1 == "graylane_bpf_run_seconds_total{program=\"gl_msg\"}" { print ($2 > 0) }')
echo "$old" >/proc/sys/kernel/bpf_stats_enabled
assert_eq "M13 with kernel.bpf_stats_enabled=1, gl_msg's run time grows above 0" 1 "$rt"

code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://$ADDR/")
assert_eq "E1 another path: 404" 404 "$code"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X POST "http://$ADDR/metrics")
assert_eq "E2 another method: 405" 405 "$code"

# the flag: a bad value refused at start; a taken port costs the endpoint only
out=$("$GRAYLANED" --rules "$RULES" --cgroup "$M" --pin-root "$PIN" --metrics nonsense 2>&1)
assert_eq "E3 --metrics nonsense: exit 2, named" "2 graylaned: --metrics: 'nonsense' is not HOST:PORT" \
	"$? ${out%% (e.g.*}"
P2=$(pin_root 2)
M2=$CG_RUN/m2
cg_add m2
R2=$(rules_dir rules2)
cp "$REPO_ROOT/rules/reference.yaml" "$R2/"
start_daemon d2 "$M2" "$P2" "$R2" --metrics "$ADDR"
wait_log d2 "event=metrics_off" 1
assert_match "E4 a port in use: a warning naming it, and the daemon goes on" \
	"level=warn msg=\"no metrics endpoint: cannot listen on $ADDR: Address already in use\"" \
	"$(grep metrics_off "${DAEMON_LOG[d2]}")"
wait_generation "$P2" 1 "${DAEMON_PID[d2]}" >/dev/null
assert_eq "E4 ... and applies its rules" 1 "$(generation "$P2")"
cg_add m3
start_daemon d3 "$CG_RUN/m3" "$(pin_root 3)" "$R2" --metrics ""
wait_generation "$(pin_root 3)" 1 "${DAEMON_PID[d3]}" >/dev/null
assert_eq "E5 --metrics '': no endpoint, no warning" 0 "$(log_count d3 'event=metrics')"
finish
