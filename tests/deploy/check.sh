#!/usr/bin/env bash
# deploy/: the systemd unit passes `systemd-analyze verify` (with ExecStart
# pointed at this build), and the flags it gives graylaned are flags
# graylaned accepts. Ends with "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
top=$(pwd)
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
bad() { failed=$((failed + 1)); echo "not ok - $1: $2"; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/graylane-deploy.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
unit=deploy/graylaned.service
if ! command -v systemd-analyze >/dev/null; then
	bad "systemd unit verifies" "systemd-analyze not found (Debian package systemd)"
else
	sed "s|/usr/local/sbin/graylaned|$top/build/graylaned|" "$unit" >"$tmp/graylaned.service"
	out=$(systemd-analyze verify "$tmp/graylaned.service" 2>&1)
	rc=$?
	if ((rc == 0)) && [[ -z $out ]]; then ok "$unit: systemd-analyze verify, no warning"
	else bad "$unit: systemd-analyze verify" "rc=$rc $out"; fi
fi

# the default GRAYLANED_ARGS and ExecStart's own flags, through graylaned's parser
args=$(sed -n 's/^Environment="GRAYLANED_ARGS=\(.*\)"$/\1/p' "$unit")
extra=$(sed -n 's/^ExecStart=[^ ]* \$GRAYLANED_ARGS\(.*\)$/\1/p' "$unit")
if [[ -z $args ]]; then
	bad "$unit: default GRAYLANED_ARGS" "no Environment=\"GRAYLANED_ARGS=...\" line"
else
	# shellcheck disable=SC2086 # split as systemd splits $VAR
	out=$(build/graylaned $args $extra --help 2>&1)
	rc=$?
	if ((rc == 0)); then ok "$unit: graylaned accepts $args$extra"
	else bad "$unit: graylaned accepts its flags" "rc=$rc $(head -1 <<<"$out")"; fi
fi
echo "$passed passed, $failed failed"
((failed == 0))
