/* SPDX-License-Identifier: MIT */
/*
 * The "iommus" loop of of_iommu_configure_dev() and the id path of
 * of_iommu_configure_dev_id() for platform devices, with the mock driver (§2 edge cases).
 */
#include "mock-iommu.h"

static const char dts[] =
	"/dts-v1/; / { #address-cells = <1>; #size-cells = <1>;"
	" m: iommu@1000 { compatible = \"iommusim,mock-iommu\"; reg = <0x1000 0x100>;"
	"   #iommu-cells = <1>; };"
	" m2: iommu@2000 { compatible = \"iommusim,mock-iommu\"; reg = <0x2000 0x100>;"
	"   #iommu-cells = <1>; };"
	" moff: iommu@3000 { compatible = \"iommusim,mock-iommu\"; reg = <0x3000 0x100>;"
	"   #iommu-cells = <1>; status = \"disabled\"; };"
	" a@10 { compatible = \"t\"; reg = <0x10 1>; iommus = <&m 1>, <0xdead 2>; };"
	" b@20 { compatible = \"t\"; reg = <0x20 1>; iommus = <0xdead 2>, <&m 9>; };"
	" c@30 { compatible = \"t\"; reg = <0x30 1>; iommus = <&m 3>, <&m2 4>; };"
	" d@40 { compatible = \"t\"; reg = <0x40 1>; iommus = <&m 5>, <&moff 6>; };"
	" e@50 { compatible = \"t\"; reg = <0x50 1>; iommu-map = <0x10 &m 0x100 0x10>; };"
	" f@60 { compatible = \"t\"; reg = <0x60 1>; iommus = <&m 1>; }; };";

int main(void)
{
	struct ims_iommu_opts io;
	struct ims_devcore_opts dopts = { .deferred_probe_timeout = -1 };
	struct board b;
	struct ims_device *e;
	uint32_t id;

	ims_iommu_opts_init(&io);
	memset(&mock_cfg, 0, sizeof(mock_cfg));
	board_up_tree(&b, load_dts_text(dts), &dopts, &io, IOMMU_FIRST);
	is_str(ids_of(&b, "10.a"), "0x1", "a bad later entry keeps the IDs gathered before it");
	is_str(ids_of(&b, "20.b"), "none", "a bad first entry: no IOMMU, silently");
	ok(dev_named(b.dc, "20.b")->driver &&
		   dev_named(b.dc, "20.b")->dma_ops == IMS_DMA_OPS_DIRECT,
	   "and the driver binds with dma-direct");
	is_str(ids_of(&b, "30.c"), "0x3 0x4",
	       "two instances of one driver: the second's IDs join the first's fwspec");
	is_int(ims_dev_iommu_fwspec_get(dev_named(b.dc, "30.c"))->iommu_fwnode,
	       ims_of_find_node_by_path(b.t, "/iommu@1000"), "the fwspec keeps the first fwnode");
	is_str(ids_of(&b, "40.d"), "none",
	       "a later entry on a disabled IOMMU: -ENODEV drops the whole fwspec");
	ok(ims_dev_has_msg(dev_named(b.dc, "40.d"), "Adding to IOMMU failed: -19"),
	   "dev_dbg Adding to IOMMU failed: -19");
	ok(ims_dev_has_msg(dev_named(b.dc, "10.a"), "ims-client 10.a: device is behind an iommu") &&
		   ims_dev_has_msg(dev_named(b.dc, "20.b"), "device is not behind an iommu") &&
		   ims_dev_has_msg(dev_named(b.dc, "20.b"), "device is not dma coherent"),
	   "of_dma_configure_id's dev_dbg lines");
	is_str(ids_of(&b, "60.f"), "0x1", "the same ID on another device (mock allows it)");
	ok(!same_group(&b, "10.a", "60.f"), "generic_device_group: a group per device");

	/* of_iommu_configure_dev_id(): iommu-map keyed by an id (non-PCI users). */
	e = dev_named(b.dc, "50.e");
	is_str(ids_of(&b, "50.e"), "none", "no iommus: nothing at probe");
	id = 0x13;
	is_int(ims_of_iommu_configure(e, e->of_node, &id), 0, "configure with id 0x13");
	is_str(ids_of(&b, "50.e"), "0x103", "iommu-map: 0x13 -> 0x103");
	ok(e->iommu_group != NULL, "probed into a group");
	is_int(ims_of_iommu_configure(e, e->of_node, &id), 0, "again: already configured, 0");
	ims_iommu_release_device(e);
	id = 0x40;
	is_int(ims_of_iommu_configure(e, e->of_node, &id), -ENODEV,
	       "an id outside the map: -ENODEV");
	ok(ims_dev_has_msg(e, "no iommu-map translation for id 0x40"),
	   "the of_map_id pr_info is kept with the device");
	is_int(ims_of_iommu_configure(e, IMS_OF_NONE, NULL), -ENODEV, "no master node: -ENODEV");
	board_down(&b);
	return tap_done();
}
