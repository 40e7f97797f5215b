#!/usr/bin/env bash
# The part of the kernel matrix that make test runs: Debian 12's newest 6.1
# and 6.12 kernels booted under qemu (TCG), every program through their
# verifiers within the budget, and the feature probe (tests/kernels/matrix.sh
# with GL_KERNEL_STEPS="verifier probe"; about 20 s per kernel once the two
# kernel packages, ~110 MB, are downloaded into build/kernels/cache). The
# end-to-end tests in the guests are make test-kernels'. A kernel that cannot
# be fetched or booted is a failed row, never a skip. Ends with
# "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/../.."

out=$(GL_MATRIX_RUNNING=0 GL_MATRIX_RECORD=0 GL_KERNEL_STEPS="verifier probe" \
	tests/kernels/matrix.sh 2>&1)
rc=$?
passed=0 failed=0
while IFS= read -r row; do
	if [[ $row == *FAIL* || $row == *"no such kernel"* || $row == *"|  |  |"* ]]; then
		echo "not ok - $row"
		failed=$((failed + 1))
	else
		echo "ok - $row"
		passed=$((passed + 1))
	fi
done < <(grep -E '^\| [^k-][^|]* \|' <<<"$out" | grep -v '^|---')
if ((passed + failed == 0)); then
	echo "not ok - kernel matrix printed no table: $(tail -n 3 <<<"$out" | tr '\n' ' ')"
	failed=1
elif ((rc != 0 && failed == 0)); then
	echo "not ok - kernel matrix exited $rc: $(tail -n 3 <<<"$out" | tr '\n' ' ')"
	failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
((failed == 0))
