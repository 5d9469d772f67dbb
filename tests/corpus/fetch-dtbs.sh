#!/bin/sh
# SPDX-License-Identifier: MIT
# Fetch Debian's arm64 kernel package and extract its DTBs into CACHE (once).
# Uses a private apt lists/cache dir: nothing system-wide changes.
# usage: fetch-dtbs.sh CACHE   -> prints the DTB directory; exit 77 when unavailable.
set -u
cache=$1
stamp=$cache/extracted.stamp
if [ -f "$stamp" ]; then
	cat "$stamp"
	exit 0
fi
deb=$("$(dirname "$0")/../../scripts/apt-arm64-download.sh" "$cache" corpus @kernel) || exit 77
pkg=$(basename "$deb" | sed 's/_.*//')
rm -rf "$cache/root"
dpkg-deb -x "$deb" "$cache/root" || { echo "corpus: dpkg-deb -x failed" >&2; exit 77; }
dir=$(ls -d "$cache"/root/usr/lib/linux-image-* 2>/dev/null | head -n 1)
[ -n "$dir" ] || { echo "corpus: $pkg has no usr/lib/linux-image-*" >&2; exit 77; }
# Keep only the DTBs: drop the rest of the package.
rm -rf "$cache/dtbs"
mv "$dir" "$cache/dtbs" || exit 77
rm -rf "$cache/root" "$deb"
echo "$cache/dtbs" >"$stamp"
echo "$cache/dtbs"
