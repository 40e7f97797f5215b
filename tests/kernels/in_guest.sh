#!/usr/bin/env bash
# One kernel of the matrix (tests/kernels/matrix.sh), run inside its guest (or
# on the host for the running kernel): every BPF program through this kernel's
# verifier, the feature probe, and the connect, send and scenario end-to-end
# tests. Each step's outcome goes to OUTDIR/<step>.{json,log,rc}.
#
#   tests/kernels/in_guest.sh OUTDIR      GL_KERNEL_STEPS="verifier probe e2e"
set -uo pipefail
cd "$(dirname "$0")/../.."
out=$1
steps=${GL_KERNEL_STEPS:-verifier probe e2e}
mkdir -p "$out"
uname -r >"$out/release"
# In a guest the tree is the host's, live over 9p: take a copy of build/ (36 MB,
# without the kernels) into the guest's overlay, so a rebuild on the host
# while the guest runs cannot swap binaries under a running test.
if [[ -d /results && -f /results/repo ]]; then
	for f in build/*; do
		[[ $f == build/kernels ]] && continue
		cp -a "$f" "$f.guest" && rm -rf "$f" && mv "$f.guest" "$f"
	done
fi
objs=(build/http/http_load.bpf.o build/http/rules_load.bpf.o build/sql/sql_load.bpf.o)

for step in $steps; do
	t0=$SECONDS
	case $step in
	verifier)
		build/graylane verifier-report --out "$out/verifier.json" --log-dir "$out" "${objs[@]}" \
			>"$out/verifier.log" 2>&1
		;;
	probe)
		build/graylane probe --json >"$out/probe.json" 2>"$out/probe.log"
		;;
	e2e)
		# the same tests as on hardware; under TCG they get more time, not less work
		GL_E2E_TIMEOUT=${GL_E2E_TIMEOUT:-1200} GL_SCENARIO_BUDGET=${GL_SCENARIO_BUDGET:-900} \
			GL_SCENARIO_LOAD_SECONDS=${GL_SCENARIO_LOAD_SECONDS:-300} GL_E2E_LISTEN_WAIT=60 tests/e2e/run.sh test_connect.sh test_send.sh \
			test_scenario.sh >"$out/e2e.log" 2>&1
		;;
	*)
		echo "unknown step $step" >"$out/$step.log"
		false
		;;
	esac
	echo $? >"$out/$step.rc"
	echo $((SECONDS - t0)) >"$out/$step.seconds"
done
