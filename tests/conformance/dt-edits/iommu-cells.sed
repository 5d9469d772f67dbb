# SPDX-License-Identifier: MIT
# a003e00's "iommus" lacks its StreamID cell (#iommu-cells = <1>); a003c00's is right.
/virtio_mmio@a003e00 {/a\		iommus = <0x8004>;
/virtio_mmio@a003c00 {/a\		iommus = <0x8004 0x200>;
