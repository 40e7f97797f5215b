#!/usr/bin/env bash
# Builds the initramfs a matrix guest boots with (tests/kernels/matrix.sh):
# busybox, the guest kernel's modules for virtio-9p and overlayfs (decompressed,
# in load order) and tests/kernels/init as /init.
#
#   tests/kernels/initramfs.sh KERNEL_TREE RELEASE OUT.img
# KERNEL_TREE: a linux-image package extracted with dpkg-deb -x (depmod run on it).
set -euo pipefail
tree=$1 rel=$2 out=$3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work"/{bin,dev,proc,sys,newroot,results,mods}
cp /bin/busybox "$work/bin/busybox"
for t in sh mount umount insmod mkdir poweroff sleep cat echo ln chroot mknod xz zstd chmod printf; do
	ln -s busybox "$work/bin/$t"
done
n=0
for m in virtio_pci 9pnet_virtio 9p overlay; do
	while read -r verb path _; do
		[ "$verb" = insmod ] || continue
		base=$(basename "$path")
		base=${base%.xz}; base=${base%.zst}
		grep -qx "$base" "$work/mods/order" 2>/dev/null && continue
		n=$((n + 1))
		case $path in
		*.xz) xz -dc "$path" >"$work/mods/$base" ;;
		*.zst) zstd -qdc "$path" >"$work/mods/$base" ;;
		*) cp "$path" "$work/mods/$base" ;;
		esac
		echo "$base" >>"$work/mods/order"
	done < <(modprobe -d "$tree" -S "$rel" --show-depends "$m" 2>/dev/null || true)
done
cp "$here/init" "$work/init"
chmod +x "$work/init"
(cd "$work" && find . | cpio -o -H newc --quiet) | gzip -1 >"$out"
