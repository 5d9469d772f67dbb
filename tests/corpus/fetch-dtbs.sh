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
for tool in apt-get apt-cache dpkg-deb; do
	command -v $tool >/dev/null 2>&1 || { echo "corpus: $tool not found" >&2; exit 77; }
done
mkdir -p "$cache/lists/partial" "$cache/apt-cache/archives/partial" "$cache/deb" || exit 77
opts="-q -o APT::Architecture=arm64 -o APT::Architectures=arm64
 -o Dir::State::Lists=$cache/lists -o Dir::Cache=$cache/apt-cache
 -o Dir::State::status=/dev/null -o Debug::NoLocking=1"
if [ "$(id -u)" != 0 ]; then
	# Unprivileged: apt cannot drop to the _apt sandbox user.
	opts="$opts -o APT::Sandbox::User=$(id -un)"
fi
# shellcheck disable=SC2086
apt-get $opts update >"$cache/update.log" 2>&1 ||
	{ echo "corpus: apt-get update failed (see $cache/update.log)" >&2; exit 77; }
# shellcheck disable=SC2086
pkg=$(apt-cache $opts depends linux-image-arm64 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-arm64\)$/\1/p' | head -n 1)
if [ -z "$pkg" ]; then
	echo "corpus: cannot resolve linux-image-arm64's dependency" >&2
	exit 77
fi
# shellcheck disable=SC2086
(cd "$cache/deb" && apt-get $opts download "$pkg") >"$cache/download.log" 2>&1 ||
	{ echo "corpus: apt-get download $pkg failed (see $cache/download.log)" >&2; exit 77; }
deb=$(ls "$cache"/deb/"$pkg"_*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || { echo "corpus: no .deb for $pkg" >&2; exit 77; }
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
