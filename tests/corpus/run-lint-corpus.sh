#!/bin/sh
# SPDX-License-Identifier: MIT
# iommusim lint over every Debian arm64 DTB (the cache run-corpus.sh uses):
# no crash, every DTB loads, one summary row per DTB (printed: the per-board findings).
# usage: run-lint-corpus.sh IOMMUSIM CACHE  (exit 77 = skip when the DTBs cannot be fetched)
set -u
here=$(dirname "$0")
dir=$("$here/fetch-dtbs.sh" "$2") || { echo "lint-corpus: SKIP: Debian arm64 DTBs unavailable"; exit 77; }
out=$(mktemp) || exit 99
"$1" lint --summary "$dir" >"$out" 2>"$out.err"
rc=$?
cat "$out"
fail=0
if [ "$rc" -ge 128 ]; then
	echo "lint-corpus: FAIL: iommusim lint died with signal $((rc - 128))"
	fail=1
elif [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
	echo "lint-corpus: FAIL: exit status $rc (a DTB did not load?)"
	sed -n 1,20p "$out.err"
	fail=1
fi
nr_dtbs=$(find "$dir" -name '*.dtb' | wc -l)
# Rows: everything but the header and the total line.
nr_rows=$(($(wc -l <"$out") - 2))
if [ "$nr_rows" -ne "$nr_dtbs" ]; then
	echo "lint-corpus: FAIL: $nr_rows summary rows for $nr_dtbs DTBs"
	fail=1
fi
if grep -q 'not loaded' "$out" && ! grep -q ' 0 not loaded' "$out"; then
	echo "lint-corpus: FAIL: some DTBs did not load"
	fail=1
fi
echo "lint-corpus: $nr_dtbs DTBs linted, exit status $rc"
rm -f "$out" "$out.err"
exit $fail
