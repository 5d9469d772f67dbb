#!/bin/sh
# SPDX-License-Identifier: MIT
# Build the conformance initramfs from the cached busybox-static and kernel
# modules (fetch-packages.sh).  The package has no modules.dep (depmod runs at
# install), so one is written here from each module's .modinfo "depends=";
# /init loads the modules with busybox modprobe, in the order given.
# usage: build-initramfs.sh CACHE INIT MODULE...  -> CACHE/initramfs.cpio.gz
set -eu
cache=$1
init=$2
shift 2
kdir=$(ls -d "$cache"/kroot/lib/modules/* | head -n 1)
kver=$(basename "$kdir")
work=$cache/initramfs
rm -rf "$work"
mkdir -p "$work/bin" "$work/proc" "$work/sys" "$work/dev" "$work/lib/modules/$kver"
cp "$cache/broot/bin/busybox" "$work/bin/busybox"
cp "$init" "$work/init"
chmod 755 "$work/init"
dep=$work/lib/modules/$kver/modules.dep
: >"$dep"
: >"$work/modules.list"
modpath() {
	f=$(find "$kdir/kernel" -name "$1.ko" -o -name "$(echo "$1" | tr _ -).ko" | head -n 1)
	[ -n "$f" ] || { echo "conformance: module $1 not in the kernel package" >&2; exit 1; }
	echo "$f"
}
# add NAME: copy the module and its dependencies; print its modules.dep path.
add() {
	f=$(modpath "$1")
	rel=${f#"$kdir"/}
	if ! grep -q "^$rel:" "$dep"; then
		deps=""
		for d in $(tr '\0' '\n' <"$f" | sed -n 's/^depends=//p' | tr ',' ' '); do
			deps="$deps $(add "$d")"
			# the dependency's own line lists its dependencies: append them.
			deps="$deps $(sed -n "s|^$(add "$d"):||p" "$dep")"
		done
		mkdir -p "$(dirname "$work/lib/modules/$kver/$rel")"
		cp "$f" "$work/lib/modules/$kver/$rel"
		echo "$rel:$deps" >>"$dep"
	fi
	echo "$rel"
}
for m in "$@"; do
	add "$m" >/dev/null
	echo "$m" >>"$work/modules.list"
done
(cd "$work" && find . | cpio -o -H newc --quiet) | gzip -1 >"$cache/initramfs.cpio.gz.tmp"
mv "$cache/initramfs.cpio.gz.tmp" "$cache/initramfs.cpio.gz"
