#!/bin/busybox sh
# SPDX-License-Identifier: MIT
# /init of the conformance initramfs (busybox-static, arm64).  Loads the
# modules listed in /modules.list, enables SR-IOV VFs named on the kernel
# command line (conf.sriov=DEV=N,...), prints what Linux decided as @@ lines
# (parsed by tests/conformance/parse-linux.awk), then powers off.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
echo "@@BEGIN"
while read -r m; do
	modprobe "$m" 2>&1 | sed "s/^/@@MODPROBE $m: /"
done </modules.list
sriov=""
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	conf.sriov=*) sriov=${arg#conf.sriov=} ;;
	esac
done
for spec in $(echo "$sriov" | tr ',' ' '); do
	dev=${spec%=*}
	echo "${spec##*=}" >"/sys/bus/pci/devices/$dev/sriov_numvfs" || echo "@@SRIOV-FAILED $spec"
done
sleep 1
field() {
	if [ -e "$1" ]; then basename "$(readlink "$1")"; else echo -; fi
}
for d in /sys/bus/pci/devices/*; do
	echo "@@PCI $(basename "$d") $(field "$d/driver") $(field "$d/iommu_group")"
done
for d in /sys/bus/platform/devices/*; do
	[ -e "$d/iommu_group" ] || [ -e "$d/of_node/iommus" ] || continue
	echo "@@PLAT $(basename "$d") $(field "$d/driver") $(field "$d/iommu_group")"
done
for g in /sys/kernel/iommu_groups/*; do
	[ -d "$g" ] || continue
	echo "@@GROUP $(basename "$g") $(cat "$g/type" 2>/dev/null || echo -) $(ls "$g/devices" | tr '\n' ' ')"
done
dmesg | grep -i -E 'smmu|iommu|translation|already in tree|, id: ' | sed 's/^/@@LOG /'
grep -E 'ITS' /proc/interrupts | sed 's/^/@@IRQ /'
echo "@@END"
poweroff -f
