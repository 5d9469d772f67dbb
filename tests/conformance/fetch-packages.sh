#!/bin/sh
# SPDX-License-Identifier: MIT
# Fetch Debian's arm64 kernel and busybox-static into CACHE (once) with a private
# apt lists/cache dir, the architecture overridden: nothing system-wide changes.
# usage: fetch-packages.sh CACHE  -> exit 0 when CACHE/kernel and CACHE/busybox
# are ready; exit 77 (skip) when the packages cannot be fetched.
set -u
cache=$1
stamp=$cache/packages.stamp
[ -f "$stamp" ] && exit 0
debs=$("$(dirname "$0")/../../scripts/apt-arm64-download.sh" "$cache" conformance @kernel busybox-static) ||
	exit 77
kdeb=$(echo "$debs" | sed -n 1p)
bdeb=$(echo "$debs" | sed -n 2p)
kpkg=$(basename "$kdeb" | sed 's/_.*//')
rm -rf "$cache/kroot" "$cache/broot"
dpkg-deb -x "$kdeb" "$cache/kroot" || { echo "conformance: dpkg-deb -x $kdeb failed" >&2; exit 77; }
dpkg-deb -x "$bdeb" "$cache/broot" || { echo "conformance: dpkg-deb -x $bdeb failed" >&2; exit 77; }
vmlinuz=$(ls "$cache"/kroot/boot/vmlinuz-* 2>/dev/null | head -n 1)
[ -n "$vmlinuz" ] || { echo "conformance: $kpkg has no /boot/vmlinuz-*" >&2; exit 77; }
[ -x "$cache/broot/bin/busybox" ] || { echo "conformance: busybox-static has no bin/busybox" >&2; exit 77; }
# Keep the kernel image, its config and the module directories the initramfs
# draws from (run-conformance.sh's list and their dependencies); drop the rest.
rm -rf "$cache"/kroot/usr/lib/linux-image-* "$cache/kroot/usr/share"
for k in "$cache"/kroot/lib/modules/*/kernel; do
	mkdir -p "$k.keep/drivers" || exit 77
	for d in drivers/virtio drivers/net drivers/block drivers/nvme net/core lib crypto block; do
		[ -d "$k/$d" ] || continue
		mkdir -p "$k.keep/$(dirname "$d")" && mv "$k/$d" "$k.keep/$d" || exit 77
	done
	rm -rf "$k" && mv "$k.keep" "$k" || exit 77
done
rm -rf "$kdeb" "$bdeb" "$cache/lists" "$cache/apt-cache"
echo "$kpkg" >"$stamp"
