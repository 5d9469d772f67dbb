#!/bin/sh
# SPDX-License-Identifier: MIT
# Conformance against real Linux (docs/conformance.md): boot Debian's arm64
# kernel under qemu-system-aarch64 -M virt,iommu=smmuv3 for each case in
# cases/*.case and compare what Linux decided with `iommusim explain`.
# usage: run-conformance.sh IOMMUSIM WORKDIR [CASE...]
# Exit: 0 all cases agree (or differ only as known-differences lists),
# 1 a disagreement, 77 skip (QEMU or the Debian packages unavailable).
set -u
ims=$1
work=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cache=$work/cache
start=$(date +%s)

skip() {
	echo "conformance: SKIP: $*"
	exit 77
}

if ! command -v qemu-system-aarch64 >/dev/null 2>&1 || ! command -v cpio >/dev/null 2>&1; then
	echo "conformance: installing qemu-system-arm and cpio (scripts/ensure-deps.sh)"
	sh "$top/scripts/ensure-deps.sh" qemu-system-arm cpio >"$work/ensure-deps.log" 2>&1 ||
		skip "qemu-system-aarch64 is not installed and could not be installed (see $work/ensure-deps.log)"
fi
command -v qemu-system-aarch64 >/dev/null 2>&1 || skip "qemu-system-aarch64 not found"
command -v dtc >/dev/null 2>&1 || skip "dtc not found"
mkdir -p "$cache" || exit 1
"$here/fetch-packages.sh" "$cache" || skip "Debian's arm64 kernel or busybox-static could not be fetched"
kver=$(cat "$cache/packages.stamp")
vmlinuz=$(ls "$cache"/kroot/boot/vmlinuz-* | head -n 1)
modules="virtio_pci virtio_net virtio_blk virtio_mmio e1000 e1000e nvme"
initrd=$cache/initramfs.cpio.gz
if [ ! -f "$initrd" ] || [ "$here/init.sh" -nt "$initrd" ] || [ "$here/build-initramfs.sh" -nt "$initrd" ]; then
	"$here/build-initramfs.sh" "$cache" "$here/init.sh" $modules || exit 1
fi
echo "conformance: Linux $kver (Debian arm64) under $(qemu-system-aarch64 --version | head -n 1)"

if [ $# -eq 0 ]; then
	set -- $(cd "$here/cases" && ls ./*.case | sed 's|^\./||; s|\.case$||')
fi

# run_case NAME: boot Linux and run iommusim for one case; print its table.
run_case() {
	name=$1
	dir=$work/cases/$name
	rm -rf "$dir"
	mkdir -p "$dir"
	DESC="" QEMU="" OVERLAY="" APPEND="" IMS="" DTEDIT="" SRIOV=""
	. "$here/cases/$name.case"
	machine="-M virt,iommu=smmuv3,gic-version=3 -cpu cortex-a57 -m 512 -smp 1 -nographic -nic none"
	# shellcheck disable=SC2086
	qemu-system-aarch64 $machine $QEMU -machine dumpdtb="$dir/qemu.dtb" >"$dir/dumpdtb.log" 2>&1 ||
		{ echo "  qemu dumpdtb failed: $(tail -n 1 "$dir/dumpdtb.log")"; return 1; }
	dtc -q -I dtb -O dts -o "$dir/board.dts" "$dir/qemu.dtb" || return 1
	dtb=""
	if [ -n "$DTEDIT" ]; then
		mv "$dir/board.dts" "$dir/qemu.dts"
		sed -f "$here/dt-edits/$DTEDIT" "$dir/qemu.dts" >"$dir/board.dts" || return 1
		dtc -q -I dts -O dtb -o "$dir/board.dtb" "$dir/board.dts" || return 1
		dtb="-dtb $dir/board.dtb"
	fi
	ov=""
	[ -n "$OVERLAY" ] && ov="--overlay $here/topologies/$OVERLAY"
	# shellcheck disable=SC2086
	"$ims" explain --json --log $ov $IMS "$dir/board.dts" >"$dir/iommusim.json" 2>"$dir/iommusim.log" ||
		{ echo "  iommusim explain failed: $(grep -v "^\[" "$dir/iommusim.log" | head -n 3)"; return 1; }
	awk -f "$here/parse-ims.awk" "$dir/iommusim.log" "$dir/iommusim.json" | sort >"$dir/iommusim.facts"
	# shellcheck disable=SC2086
	timeout 300 qemu-system-aarch64 $machine $QEMU $dtb -no-reboot -kernel "$vmlinuz" -initrd "$initrd" \
		-append "console=ttyAMA0 loglevel=1 panic=-1 dyndbg=\"file drivers/of/base.c +p\" $APPEND conf.sriov=$SRIOV" \
		</dev/null >"$dir/linux.log" 2>&1
	if ! grep -q '@@END' "$dir/linux.log"; then
		echo "  Linux did not finish (see $dir/linux.log):"
		tail -n 5 "$dir/linux.log" | sed 's/^/    /'
		return 1
	fi
	grep -E '@@(MODPROBE|SRIOV)' "$dir/linux.log" | sed 's/^/  warning: /'
	awk -f "$here/parse-linux.awk" "$dir/linux.log" | sort >"$dir/linux.facts"
	cut -f 1 "$dir/linux.facts" "$dir/iommusim.facts" | sort -u >"$dir/devices"
	awk -v case="$name" -f "$here/compare.awk" "$here/known-differences" "$dir/devices" \
		"$dir/linux.facts" "$dir/iommusim.facts"
}

failed=""
for c in "$@"; do
	t0=$(date +%s)
	(
		. "$here/cases/$c.case"
		echo
		echo "== case $c: $DESC"
	)
	if run_case "$c" >"$work/$c.report" 2>&1; then r=PASS; else r=FAIL; failed="$failed $c"; fi
	cat "$work/$c.report"
	echo "  => $r ($(($(date +%s) - t0)) s)"
done
echo
echo "conformance: $# cases, $(($(date +%s) - start)) s; failed:${failed:- none}"
[ -z "$failed" ]
