/* SPDX-License-Identifier: MIT */
/*
 * IOMMU groups: pci_device_group() with its ACS, alias and multifunction rules,
 * generic_device_group(), group numbering, and the 6.12 vs 7.0 ACS placement.
 */
#include "mock-iommu.h"

static const char small_topo[] =
	"/dts-v1/; / { #address-cells = <1>; #size-cells = <1>;"
	" mock: iommu@1000 { compatible = \"iommusim,mock-iommu\"; reg = <0x1000 0x100>;"
	"   #iommu-cells = <1>; };"
	" pcie@0 { compatible = \"pci-host-ecam-generic\"; device_type = \"pci\";"
	"   reg = <0 0x1000>; #address-cells = <3>; #size-cells = <2>; bus-range = <0 3>;"
	"   iommu-map = <0 &mock 0 0x10000>;"
	"   pci@1,0 { device_type = \"pci\"; reg = <0x800 0 0 0 0>; bus-range = <1 1>;"
	"     iommusim,acs = <0x1f 0x0>; ep@0,0 { reg = <0x10000 0 0 0 0>; }; };"
	"   pci@2,0 { device_type = \"pci\"; reg = <0x1000 0 0 0 0>; bus-range = <2 2>;"
	"     ep@0,0 { reg = <0x20000 0 0 0 0>; }; }; }; };";

int main(void)
{
	struct board b;
	struct ims_iommu_opts io;
	struct ims_devcore_opts dopts = { .deferred_probe_timeout = -1 };

	ims_iommu_opts_init(&io);
	memset(&mock_cfg, 0, sizeof(mock_cfg));
	board_up(&b, &dopts, &io, IOMMU_FIRST);

	/* Numbering: allocation order, lowest free id. */
	is_int(group_of(&b, "3000.dma"), 0, "the first device probed gets group 0");
	is_int(group_of(&b, "4000.dual"), 1, "the next gets group 1");
	is_int(group_of(&b, "5000.off"), -1, "no IOMMU: no group");

	/* Multifunction endpoint without ACS: one group for its functions. */
	ok(same_group(&b, "0000:01:00.0", "0000:01:00.1"),
	   "the functions of a multifunction endpoint without ACS share a group");
	ok(!same_group(&b, "0000:01:00.0", "0000:00:01.0"),
	   "6.12: 00:01.0 was enumerated after the first PCI of_iommu_configure, so its ACS is on");
	is_hex(pci_named(b.dc, "0000:00:01.0")->acs_ctrl, 0x1d,
	       "SV RR CR UF enabled at enumeration");
	/* Root port without ACS: everything below joins the port's group. */
	ok(same_group(&b, "0000:0a:00.0", "0000:00:07.0") &&
		   same_group(&b, "0000:0b:01.0", "0000:00:07.0"),
	   "devices below a root port without ACS share the port's group");
	/* Ports with ACS enabled isolate. */
	ok(!same_group(&b, "0000:08:00.0", "0000:07:00.0") &&
		   !same_group(&b, "0000:09:00.0", "0000:08:00.0") &&
		   !same_group(&b, "0000:08:00.0", "0000:00:04.0"),
	   "ACS-enabled ports isolate the devices below them");
	ok(!same_group(&b, "0000:03:00.0", "0000:03:10.0") &&
		   !same_group(&b, "0000:04:00.0", "0000:04:10.0"),
	   "single-function VFs below an ACS port: a group each");
	/* PCIe-to-PCI bridge: the devices alias to secondary<<8 and join the bridge's group. */
	ok(same_group(&b, "0000:05:02.0", "0000:05:03.0") &&
		   same_group(&b, "0000:05:02.0", "0000:00:1e.0"),
	   "devices behind a PCIe-to-PCI bridge join one group (the bridge's)");
	ok(same_group(&b, "0000:02:03.0", "0000:00:1f.0"),
	   "a device behind a conventional bridge joins the bridge's group");
	ok(!same_group(&b, "0000:00:05.0", "0000:00:06.0"), "root-bus single functions: separate");
	{
		struct ims_iommu_group *g = dev_named(b.dc, "0000:05:02.0")->iommu_group;

		is_int(g->nr_devices, 3, "bridge group has 3 members");
		is_int(g->owner_cnt, 3, "each bound driver took ownership");
	}
	board_down(&b);

	/* 6.12 placement: pci_request_acs() at the first PCI of_iommu_configure, after enumeration. */
	board_up_tree(&b, load_dts_text(small_topo), &dopts, &io, IOMMU_FIRST);
	is_hex(pci_named(b.dc, "0000:00:01.0")->acs_ctrl, 0,
	       "6.12: the port keeps firmware ACS control");
	ok(same_group(&b, "0000:01:00.0", "0000:00:01.0"),
	   "6.12: the endpoint shares the port's group");
	ok(same_group(&b, "0000:02:00.0", "0000:00:02.0"), "no ACS capability: shared");
	ok(ims_pci_acs_requested(b.dc), "ACS was requested by of_iommu_configure");
	board_down(&b);

	/* 7.0 placement: pci_enable_acs() in pci_dma_configure(). */
	dopts.acs_placement = IMS_ACS_AT_DMA_CONFIGURE;
	board_up_tree(&b, load_dts_text(small_topo), &dopts, &io, IOMMU_FIRST);
	is_hex(pci_named(b.dc, "0000:00:01.0")->acs_ctrl, 0x1d,
	       "7.0: the port's ACS is enabled when it is configured");
	ok(!same_group(&b, "0000:01:00.0", "0000:00:01.0"), "7.0: the endpoint gets its own group");
	ok(same_group(&b, "0000:02:00.0", "0000:00:02.0"), "7.0: no ACS capability: still shared");
	board_down(&b);

	/* Group ids are reused lowest-first after removal. */
	dopts.acs_placement = IMS_ACS_AT_ENUMERATION;
	board_up(&b, &dopts, &io, IOMMU_FIRST);
	ims_device_unregister(dev_named(b.dc, "3000.dma"));
	{
		struct ims_device *d = dev_named(b.dc, "4000.dual");
		struct ims_iommu_group *g = ims_iommu_group_alloc(b.ic);

		is_int(g ? g->id : -1, 0, "a freed group id is reused first");
		ims_iommu_group_put(g);
		ok(d->iommu_group && d->iommu_group->id == 1, "other groups keep their ids");
	}
	board_down(&b);
	return tap_done();
}
