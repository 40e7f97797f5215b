#!/bin/bash
# graylaned's log (issue 11): one line per event with a time, a level, the
# message and key=value fields; logfmt by default, JSON with --log-format
# json, events below --log-level dropped. Each line is read back with a real
# parser (Python's json; logfmt by its grammar), and the fields of the
# "applied" event are checked against `graylane status`.
. "$(dirname "$0")/lib.sh"
e2e_init
need_daemon

node_init
yaml_service s s 80 8080 10.77.100.1 | write_rules "$RULES" inventory.yaml

# log_check FILE FORMAT: every line of the daemon's output (not lib.sh's "==="
# lines) parsed as FORMAT; prints "N lines, levels L, events E", or the first bad line
log_check() {
	"$PY" - "$1" "$2" <<'PY'
import json, re, sys
path, fmt = sys.argv[1], sys.argv[2]
pair = re.compile(r'([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|[^ "=\\]+)( |$)')
diag = re.compile(r'^\S+:(\d+:\d+:)? (error|warning): ')
levels, events, n = set(), set(), 0
for line in open(path, encoding="utf-8"):
    line = line.rstrip("\n")
    if line.startswith("=== "):
        continue
    n += 1
    if fmt == "json":
        try:
            ev = json.loads(line)
        except ValueError:
            sys.exit("not JSON: " + line)
        if not all(k in ev for k in ("time", "level", "msg")):
            sys.exit("no time, level or msg: " + line)
    else:
        if diag.match(line):
            levels.add(diag.match(line).group(2))
            continue
        ev, pos = {}, 0
        while pos < len(line):
            m = pair.match(line, pos)
            if not m:
                sys.exit("not logfmt at %d: %s" % (pos, line))
            v = m.group(2)
            ev[m.group(1)] = json.loads(v) if v.startswith('"') else v
            pos = m.end()
        if list(ev)[:3] != ["time", "level", "msg"]:
            sys.exit("not time, level, msg first: " + line)
    if ev["level"] not in ("debug", "info", "warn", "error"):
        sys.exit("unknown level: " + line)
    levels.add(ev["level"])
    events.add(str(ev.get("event", "")))
print("%d lines, levels %s, events %s" % (n, ",".join(sorted(levels)),
      ",".join(sorted(e for e in events if e))))
PY
}

# field FILE EVENT KEY: KEY of the last JSON line whose event is EVENT
field() {
	"$PY" -c '
import json, sys
v = None
for line in open(sys.argv[1]):
    if line.startswith("{"):
        ev = json.loads(line)
        if ev.get("event") == sys.argv[2]:
            v = ev.get(sys.argv[3])
print(json.dumps(v))' "$@"
}

# ---- JSON
start_daemon j "$M" "$PIN" "$RULES" --log-format json
wait_generation "$PIN" 1 "${DAEMON_PID[j]}" || die "daemon did not apply the rules"
LOG=${DAEMON_LOG[j]}
printf 'apiVersion: graylane.io/v1alpha1\nkind: Service\nmetadata: {name: bad}\nspec:\n  ports: [{port: 80, targetPort: 8080}]\n  addresses: [10.77.100.300]\n' |
	write_rules "$RULES" broken.yaml
for _ in $(seq 50); do grep -q '"event":"rules_rejected"' "$LOG" && break; sleep 0.1; done
rm -f "$RULES/broken.yaml"
wait_generation "$PIN" 2 "${DAEMON_PID[j]}" || die "daemon did not apply the fixed rules"
sleep 0.2
out=$(log_check "$LOG" json)
assert_match "json: every line is a JSON object with time, level, msg" \
	"^[0-9]+ lines, levels error,info" "$out"
assert_match "json: the events applied and rules_rejected are there" \
	"events .*applied.*rules_rejected" "$out"
st=$(status_json "$PIN")
assert_eq "json: the applied event's generation is a number, the one status reports" \
	"$(json_field "$st" generation)" "$(field "$LOG" applied generation)"
assert_match "json: apply_ms is a number" '^[0-9]+(\.[0-9]+)?$' "$(field "$LOG" applied apply_ms)"
eff=$(field "$LOG" applied effect_ms)
assert_match "json: effect_ms (to the switch) is a number" '^[0-9]+(\.[0-9]+)?$' "$eff"
assert_eq "json: the switch comes before the apply ends (effect_ms <= apply_ms)" 1 \
	"$(awk -v e="$eff" -v a="$(field "$LOG" applied apply_ms)" 'BEGIN { print (e != "" && e + 0 <= a + 0) }')"
assert_match "json: a diagnostic is an error event with file, line and col" \
	'"level":"error","msg":"[^"]*10\.77\.100\.300[^"]*","file":"[^"]*broken\.yaml","line":[0-9]+,"col":[0-9]+' \
	"$(cat "$LOG")"
stop_daemon j

# ---- logfmt, --log-level warn
start_daemon t "$M" "$PIN" "$RULES" --log-level warn
wait_generation "$PIN" 2 "${DAEMON_PID[t]}" || die "the second daemon did not take over"
LOG=${DAEMON_LOG[t]}
printf 'kind: Service\n  bad: [\n' | write_rules "$RULES" broken.yaml
for _ in $(seq 50); do grep -q 'event=rules_rejected' "$LOG" && break; sleep 0.1; done
rm -f "$RULES/broken.yaml"
sleep 0.3
out=$(log_check "$LOG" text)
assert_match "text: every line is logfmt (time, level, msg first) or a FILE:LINE:COL diagnostic" \
	"^[0-9]+ lines, levels error" "$out"
assert_eq "text --log-level warn: no info event" 0 "$(grep -c 'level=info' "$LOG")"
assert_match "text: the diagnostic keeps the compiler's form" "broken\.yaml:[0-9]+:[0-9]+: error: " \
	"$(cat "$LOG")"
assert_match "text: the rejection is one error event with its fields" \
	'level=error msg="rules in [^"]* rejected \([0-9]+ errors\); the running rules stay in force" event=rules_rejected errors=[0-9]+ in_force=previous' \
	"$(cat "$LOG")"

# ---- bad values: usage errors that name them
out=$(timeout 10 "$GRAYLANED" --rules "$RULES" --cgroup "$M" --log-level loud 2>&1; echo "rc=$?")
assert_match "--log-level loud: named, exit 2" "--log-level: 'loud' is not debug, info, warn or error.*rc=2" \
	"$(oneline "$out")"
out=$(timeout 10 "$GRAYLANED" --rules "$RULES" --cgroup "$M" --log-format xml 2>&1; echo "rc=$?")
assert_match "--log-format xml: named, exit 2" "--log-format: 'xml' is not text or json.*rc=2" \
	"$(oneline "$out")"
finish
