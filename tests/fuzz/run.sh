#!/usr/bin/env bash
# Runs a libFuzzer binary for SECONDS on a temporary corpus copied from its
# seeds (tests/fuzz/<name>.seeds: globs relative to the repository root),
# with tests/fuzz/<name>.dict when there is one. Nothing is written into the
# repository. Fails when the fuzzer finds anything (crash, leak, undefined
# behaviour, timeout, out of memory); the reproducer is kept and named.
# Ends with "<name>: N passed, M failed" like every suite of tests/run.sh.
set -uo pipefail

if [ $# -ne 2 ]; then
	echo "usage: $0 FUZZER_BINARY SECONDS" >&2
	exit 2
fi
bin=$1
secs=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
name=$(basename "$bin")
work=$(mktemp -d "${TMPDIR:-/tmp}/graylane-$name.XXXXXX")
mkdir -p "$work/corpus" "$work/artifacts"

shopt -s nullglob
nseeds=0
if [ -f "$top/tests/fuzz/$name.seeds" ]; then
	while read -r glob; do
		case $glob in ''|'#'*) continue ;; esac
		for f in "$top"/$glob; do
			[ -f "$f" ] || continue
			rel=${f#"$top"/}
			cp "$f" "$work/corpus/${rel//\//_}"
			nseeds=$((nseeds + 1))
		done
	done < "$top/tests/fuzz/$name.seeds"
fi
dict=()
[ -f "$top/tests/fuzz/$name.dict" ] && dict=("-dict=$top/tests/fuzz/$name.dict")
echo "$name: ${secs}s on $nseeds seeds in $work"

# UBSan findings are fatal too, not just printed
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
	-print_final_stats=1 -artifact_prefix="$work/artifacts/" "${dict[@]}" \
	"$work/corpus" > "$work/log" 2>&1
rc=$?
tail -n 25 "$work/log"

found=("$work"/artifacts/*)
if [ "$rc" -ne 0 ] || [ ${#found[@]} -ne 0 ]; then
	echo "$name: FAILED (exit $rc); log and reproducers kept in $work:"
	for f in "${found[@]}"; do echo "  $f  (reproduce: $bin $f)"; done
	echo "$name: 0 passed, 1 failed"
	exit 1
fi
rm -rf "$work"
echo "$name: 1 passed, 0 failed"
