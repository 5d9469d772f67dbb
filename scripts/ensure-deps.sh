#!/bin/sh
# Install the Debian packages iommusim needs, only when some are missing.
# Usage: scripts/ensure-deps.sh [extra-package...]
set -eu

pkgs="build-essential meson ninja-build pkg-config libfdt-dev device-tree-compiler groff-base $*"
missing=""
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "iommusim: installing missing Debian packages:$missing"
if [ "$(id -u)" = 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	SUDO="sudo -n"
else
	echo "iommusim: missing packages:$missing" >&2
	echo "iommusim: run as root, or: sudo apt-get install -y$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# An update is needed on a fresh machine whose package lists are empty.
$SUDO apt-get update -q || true
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
