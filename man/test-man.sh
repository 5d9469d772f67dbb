#!/bin/bash
# SPDX-License-Identifier: MIT
# Every command has a man page that renders (groff, when installed) and shows
# every option of its --help; the bash completion completes commands, every
# option of every command, and option values.
# usage: test-man.sh IOMMUSIM MANDIR   (MANDIR also holds the completion script "iommusim")
set -u
exe=$1 dir=$2 n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }

cmds=$("$exe" --help | awk '/^commands:/ {on=1; next} on && /^  [a-z]/ {print $1} on && /^$/ {on=0}')
[ -n "$cmds" ]; ok $? "iommusim --help lists commands"
have_groff=0
command -v groff >/dev/null 2>&1 && have_groff=1
[ $have_groff = 1 ] || echo "# groff is not installed: the pages are checked for existence and content only"

for page in iommusim $(for c in $cmds; do echo "iommusim-$c"; done); do
	f=$dir/$page.1
	[ -s "$f" ]; ok $? "$page.1 exists"
	grep -q '^\.SH NAME' "$f" && grep -q '^\.SH SYNOPSIS' "$f" && grep -q '^\.SH EXIT STATUS' "$f"
	ok $? "$page.1 has NAME, SYNOPSIS and EXIT STATUS"
	if [ $have_groff = 1 ]; then
		warn=$(groff -man -Tutf8 -ww -z "$f" 2>&1)
		[ -z "$warn" ]; ok $? "$page.1 renders without groff warnings${warn:+: $warn}"
	fi
done

for c in $cmds; do
	f=$dir/iommusim-$c.1
	text=$(if [ $have_groff = 1 ]; then groff -man -Tutf8 -P-cbou "$f" 2>/dev/null; else sed 's/\\-/-/g; s/\\f[BIR]//g' "$f"; fi)
	missing=""
	for o in $("$exe" "$c" --help | awk '/^options:/ {on=1; next} on {print $1}' | tr -d ,); do
		printf '%s\n' "$text" | grep -q -- "$o" || missing="$missing $o"
	done
	[ -z "$missing" ]; ok $? "iommusim-$c.1 documents every option of --help${missing:+ (missing:$missing)}"
done

comp=$dir/iommusim
bash -n "$comp"; ok $? "the completion script parses"
# shellcheck disable=SC1090
. "$comp"
complete_words() { # words... -> COMPREPLY for the last word
	COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); _iommusim; printf '%s\n' "${COMPREPLY[@]}"
}
got=$(complete_words iommusim "")
missing=""
for c in $cmds; do printf '%s\n' "$got" | grep -qx -- "$c" || missing="$missing $c"; done
[ -z "$missing" ]; ok $? "the completion offers every command${missing:+ (missing:$missing)}"
for c in $cmds; do
	got=$(complete_words iommusim "$c" --)
	missing=""
	for o in $("$exe" "$c" --help | awk '/^options:/ {on=1; next} on {print $1}' | tr -d , | grep -- '^--'); do
		printf '%s\n' "$got" | grep -qx -- "$o" || missing="$missing $o"
	done
	[ -z "$missing" ]; ok $? "completion of 'iommusim $c --' offers every option${missing:+ (missing:$missing)}"
done
got=$(complete_words iommusim explain --color a | tr '\n' ' ')
[ "$got" = "auto always " ]; ok $? "'explain --color a' completes to auto always (got: $got)"
got=$(complete_words iommusim explain --iommu.strict "" | tr '\n' ' ')
[ "$got" = "0 1 " ]; ok $? "'explain --iommu.strict' completes to 0 1 (got: $got)"
got=$(complete_words iommusim ex)
[ "$got" = "explain" ]; ok $? "'ex' completes to explain (got: $got)"

echo "1..$n"
[ $failed = 0 ]
