#!/bin/sh
# SPDX-License-Identifier: MIT
# CLI golden test: run iommusim with tests/cli/<case>.args (one line; @FIXTURES@ and
# @BOARDS@ are replaced), append "[exit N]" to stdout and compare with <case>.expected.
# usage: run-golden.sh IOMMUSIM FIXTURES_DIR BOARDS_DIR CASE_DIR CASE
set -u
exe=$1 fixtures=$2 boards=$3 dir=$4 case=$5
args=$(sed -e "s|@FIXTURES@|$fixtures|g" -e "s|@BOARDS@|$boards|g" "$dir/$case.args")
out=$(mktemp) || exit 99
# shellcheck disable=SC2086  # the args line is split into words on purpose
"$exe" $args >"$out" 2>/dev/null
echo "[exit $?]" >>"$out"
if diff -u "$dir/$case.expected" "$out"; then
	rm -f "$out"
	exit 0
fi
rm -f "$out"
exit 1
