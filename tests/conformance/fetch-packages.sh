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
for tool in apt-get apt-cache dpkg-deb; do
	command -v $tool >/dev/null 2>&1 || { echo "conformance: $tool not found" >&2; exit 77; }
done
mkdir -p "$cache/lists/partial" "$cache/apt-cache/archives/partial" "$cache/deb" || exit 77
opts="-q -o APT::Architecture=arm64 -o APT::Architectures=arm64
 -o Dir::State::Lists=$cache/lists -o Dir::Cache=$cache/apt-cache
 -o Dir::State::status=/dev/null -o Debug::NoLocking=1"
if [ "$(id -u)" != 0 ]; then
	opts="$opts -o APT::Sandbox::User=$(id -un)"
fi
# shellcheck disable=SC2086
apt-get $opts update >"$cache/update.log" 2>&1 ||
	{ echo "conformance: apt-get update failed (see $cache/update.log)" >&2; exit 77; }
# shellcheck disable=SC2086
kpkg=$(apt-cache $opts depends linux-image-arm64 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-arm64\)$/\1/p' | head -n 1)
[ -n "$kpkg" ] || { echo "conformance: cannot resolve linux-image-arm64's dependency" >&2; exit 77; }
for pkg in "$kpkg" busybox-static; do
	# shellcheck disable=SC2086
	(cd "$cache/deb" && apt-get $opts download "$pkg") >>"$cache/download.log" 2>&1 ||
		{ echo "conformance: apt-get download $pkg failed (see $cache/download.log)" >&2; exit 77; }
done
kdeb=$(ls "$cache"/deb/"$kpkg"_*.deb 2>/dev/null | head -n 1)
bdeb=$(ls "$cache"/deb/busybox-static_*.deb 2>/dev/null | head -n 1)
[ -n "$kdeb" ] && [ -n "$bdeb" ] || { echo "conformance: a .deb is missing" >&2; exit 77; }
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
