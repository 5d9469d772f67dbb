# SPDX-License-Identifier: MIT
# iommu-map-mask = <0>: every RID maps to StreamID 0.
s/iommu-map = <0x00 0x8004 0x00 0x10000>;/&\n\t\tiommu-map-mask = <0x00>;/
