# SPDX-License-Identifier: MIT
# Give three virtio-mmio transports an "iommus" (0x8004 is the SMMU's phandle in
# QEMU 7.2's DT): a003e00 StreamID 0x100, a003c00 0x101, a003a00 0x100 again.
/virtio_mmio@a003e00 {/a\		iommus = <0x8004 0x100>;
/virtio_mmio@a003c00 {/a\		iommus = <0x8004 0x101>;
/virtio_mmio@a003a00 {/a\		iommus = <0x8004 0x100>;
