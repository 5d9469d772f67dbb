#!/bin/sh
# SPDX-License-Identifier: MIT
# Download Debian arm64 packages into CACHE/deb with a private apt lists/cache
# directory and the architecture overridden: nothing system-wide changes.
# The name @kernel stands for the package linux-image-arm64 depends on.
# usage: apt-arm64-download.sh CACHE WHO PKG...
#   -> prints each package's .deb path, one per line, in order;
#      exit 77 (meson's skip) with "WHO: ..." on stderr when anything fails.
set -u
cache=$1 who=$2
shift 2
for tool in apt-get apt-cache dpkg-deb; do
	command -v $tool >/dev/null 2>&1 || { echo "$who: $tool not found" >&2; exit 77; }
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
	{ echo "$who: apt-get update failed (see $cache/update.log)" >&2; exit 77; }
for pkg in "$@"; do
	if [ "$pkg" = @kernel ]; then
		# shellcheck disable=SC2086
		pkg=$(apt-cache $opts depends linux-image-arm64 2>/dev/null |
			sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-arm64\)$/\1/p' | head -n 1)
		[ -n "$pkg" ] ||
			{ echo "$who: cannot resolve linux-image-arm64's dependency" >&2; exit 77; }
	fi
	# shellcheck disable=SC2086
	(cd "$cache/deb" && apt-get $opts download "$pkg") >>"$cache/download.log" 2>&1 ||
		{ echo "$who: apt-get download $pkg failed (see $cache/download.log)" >&2; exit 77; }
	deb=$(ls "$cache"/deb/"$pkg"_*.deb 2>/dev/null | head -n 1)
	[ -n "$deb" ] || { echo "$who: no .deb for $pkg" >&2; exit 77; }
	echo "$deb"
done
