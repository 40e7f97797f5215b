#!/bin/bash
# The layout of the pinned maps (`graylane layout` with nothing pinned: each
# map's type, sizes, capacity, flags and BTF shape) against record.txt. A
# change without a bump of GL_LAYOUT_VERSION_ (include/graylane/abi.h) fails:
# a daemon taking over older pins must know their layout differs. The test
# builds of other layouts (make layout-builds) must really differ.
#
#   tests/maps/check.sh [--record]     # --record: write record.txt anew
set -u
cd "$(dirname "$0")/../.."
BUILD=${GRAYLANE_BUILD:-build}
REC=tests/maps/record.txt
NOPIN=/nonexistent/gl-maps-check-$$
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
no() { failed=$((failed + 1)); echo "not ok - $1: $2"; }
layout() { "$1/graylane" --pin-root "$NOPIN" layout; }

now=$(layout "$BUILD") || { echo "not ok - $BUILD/graylane layout failed"; echo "0 passed, 1 failed"; exit 1; }
if [[ ${1:-} == --record ]]; then
	printf '%s\n' "$now" >"$REC"
	echo "recorded $(head -1 "$REC") in $REC"
	exit 0
fi
rec=$(cat "$REC")
if [[ $now == "$rec" ]]; then
	ok "the maps' layout is the recorded $(head -1 <<<"$rec")"
elif [[ $(head -1 <<<"$now") == "$(head -1 <<<"$rec")" ]]; then
	no "the maps' layout changed without a bump" "$(diff <(echo "$rec") <(echo "$now") | grep '^[<>]' | tr '\n' ';') -- bump GL_LAYOUT_VERSION_ in include/graylane/abi.h, check that user/sync/layout.c migrates the change (tests/e2e/test_upgrade.sh), then run tests/maps/check.sh --record"
else
	no "record.txt is of another layout" "built $(head -1 <<<"$now"), recorded $(head -1 <<<"$rec"): run tests/maps/check.sh --record"
fi
v=$(head -1 <<<"$now" | awk '{ print $2 }')
for b in next state; do
	if [[ ! -x $BUILD/layout-$b/graylane ]]; then
		no "the $b layout's test build" "$BUILD/layout-$b not built (make layout-builds)"
		continue
	fi
	other=$(layout "$BUILD/layout-$b")
	if [[ $(head -1 <<<"$other") == "layout $((v + 1))" && $other != "$now" ]]; then
		ok "the $b layout's test build is layout $((v + 1)) and differs: $(diff <(echo "$now") <(echo "$other") | grep -c '^>') maps"
	else
		no "the $b layout's test build is layout $((v + 1)) and differs" "$(head -1 <<<"$other")"
	fi
done
echo "$passed passed, $failed failed"
((failed == 0))
