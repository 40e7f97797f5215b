#!/usr/bin/env bash
# make test-kernels: the kernel matrix. Boots Debian's own kernels under qemu
# (TCG: no KVM here) with this machine's root shared read-only over virtio-9p,
# runs tests/kernels/in_guest.sh in each (every program through the verifier,
# the feature probe, the connect/send/scenario end-to-end tests), does the same
# on the running kernel, and prints one table. Each kernel's verifier record
# is written to tests/verifier/<release>.json (commit it).
#
#   GL_KERNELS="linux-image-6.1.0-57-amd64 running"   (default: newest 6.1 and 6.12, running)
#   GL_KERNEL_STEPS="verifier probe"                   (default: verifier probe e2e)
#   GL_KERNEL_TIMEOUT=2400                             (seconds per guest)
#   GL_MATRIX_RUNNING=0    the default list without the running kernel
#   GL_MATRIX_RECORD=0     do not write tests/verifier/<release>.json (make test)
set -uo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
base=$repo/build/kernels
mkdir -p "$base/cache" "$base/x" "$base/out"

need=(qemu-system-x86 busybox-static cpio kmod xz-utils zstd)
missing=()
for p in "${need[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
	echo "test-kernels: installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
		{ echo "test-kernels: cannot install ${missing[*]}"; exit 1; }
fi

newest() { apt-cache search --names-only "$1" | awk '{print $1}' | sort -V | tail -n 1; }
if [[ -n ${GL_KERNELS:-} ]]; then
	read -r -a kernels <<<"$GL_KERNELS"
else
	kernels=("$(newest '^linux-image-6\.1\.0-[0-9]+-amd64$')"
		 "$(newest '^linux-image-6\.12\.[0-9]+\+deb12-amd64$')")
	[[ ${GL_MATRIX_RUNNING:-1} == 1 ]] && kernels+=(running)
fi
rows=()

# prepare PKG: download, extract, depmod, initramfs; sets TREE REL IMG, or returns 1 with WHY
prepare() {
	local pkg=$1 deb
	deb=$(ls "$base/cache/${pkg}_"*.deb 2>/dev/null | tail -n 1)
	if [[ -z $deb ]]; then
		(cd "$base/cache" && apt-get download "$pkg" >/dev/null 2>&1) || { WHY="apt-get download $pkg failed"; return 1; }
		deb=$(ls "$base/cache/${pkg}_"*.deb | tail -n 1)
	fi
	TREE=$base/x/$pkg
	if [[ ! -d $TREE/boot ]]; then
		rm -rf "$TREE" && mkdir -p "$TREE" && dpkg-deb -x "$deb" "$TREE" || { WHY="cannot extract $deb"; return 1; }
	fi
	REL=$(ls "$TREE/lib/modules" | head -n 1)
	[[ -n $REL && -f $TREE/boot/vmlinuz-$REL ]] || { WHY="no kernel in $deb"; return 1; }
	[[ -f $TREE/lib/modules/$REL/modules.dep ]] || depmod -b "$TREE" "$REL" || { WHY="depmod failed"; return 1; }
	IMG=$base/x/$pkg.initrd
	if [[ ! -f $IMG || $IMG -ot tests/kernels/init || $IMG -ot tests/kernels/initramfs.sh ]]; then
		tests/kernels/initramfs.sh "$TREE" "$REL" "$IMG" || { WHY="initramfs failed"; return 1; }
	fi
}

# boot PKG: runs in_guest.sh in a guest; sets OUT (results) or returns 1 with WHY
boot() {
	local pkg=$1 res t0=$SECONDS rc
	prepare "$pkg" || return 1
	res=$base/out/$REL.share
	rm -rf "$res" && mkdir -p "$res/out"
	echo "$TREE" >"$res/tree"
	echo "$repo" >"$res/repo"
	echo "${GL_KERNEL_STEPS:-verifier probe e2e}" >"$res/steps"
	OUT=$res/out
	echo "== $REL: booting under qemu (TCG), steps: ${GL_KERNEL_STEPS:-verifier probe e2e}"
	timeout "${GL_KERNEL_TIMEOUT:-2400}" qemu-system-x86_64 -accel tcg -cpu max -m 3072 -smp 2 \
		-nographic -no-reboot -nic none \
		-kernel "$TREE/boot/vmlinuz-$REL" -initrd "$IMG" \
		-append "console=ttyS0 panic=-1 loglevel=4" \
		-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
		-virtfs local,path="$res",mount_tag=results,security_model=none,multidevs=remap \
		</dev/null >"$base/out/$REL.console.log" 2>&1
	rc=$?
	echo "   $REL: guest ran $((SECONDS - t0)) s (console: build/kernels/out/$REL.console.log)"
	if ((rc == 124)); then WHY="timed out after ${GL_KERNEL_TIMEOUT:-2400} s: $(tail -n 1 "$base/out/$REL.console.log")"; return 1; fi
	if [[ ! -f $res/rc ]]; then
		WHY="the guest did not run the tests: $(grep -a -E 'init:|Kernel panic|error' "$base/out/$REL.console.log" | tail -n 2 | tr '\n' ' ')"
		return 1
	fi
}

for k in "${kernels[@]}"; do
	WHY= OUT=
	if [[ -z $k ]]; then
		rows+=("?|no such kernel package in the archive|||")
		continue
	fi
	if [[ $k == running ]]; then
		REL=$(uname -r)
		OUT=$base/out/$REL.host
		rm -rf "$OUT" && mkdir -p "$OUT"
		echo "== $REL: the running kernel"
		t0=$SECONDS
		tests/kernels/in_guest.sh "$OUT"
		echo "   $REL: $((SECONDS - t0)) s"
	elif ! boot "$k"; then
		rows+=("${REL:-$k}|$WHY|||")
		continue
	fi
	[[ ${GL_MATRIX_RECORD:-1} == 1 && -f $OUT/verifier.json ]] && cp "$OUT/verifier.json" "tests/verifier/$REL.json"
	rows+=("$(python3 tests/kernels/row.py "$REL" "$OUT")")
done

table=$(
	echo "| kernel | programs loaded | max processed insns | probe | e2e (connect, send, scenario) |"
	echo "|---|---|---|---|---|"
	for r in "${rows[@]}"; do echo "| ${r//|/ | } |"; done
)
echo
echo "$table"
echo "$table" >"$base/table.md"
echo
echo "(build/kernels/table.md; records in tests/verifier/)"
# a failed row fails the matrix
for r in "${rows[@]}"; do
	[[ $r == *FAIL* || $r == *"|||" ]] && exit 1
done
exit 0
