/* SPDX-License-Identifier: MIT */
/*
 * of_iommu_configure() end to end with the mock driver: "iommus" (platform),
 * iommu-map per DMA alias (PCI), holes, mask folding, broken aliases with a
 * driver that refuses duplicate StreamIDs, deferred probe orders and the fwspec.
 */
#include "mock-iommu.h"

static void test_platform(struct board *b)
{
	struct ims_device *d = dev_named(b->dc, "3000.dma");

	is_str(ids_of(b, "3000.dma"), "0x7", "iommus = <&mock 0x7>: fwspec [0x7]");
	is_int(d->dma_ops, IMS_DMA_OPS_IOMMU, "translated default domain: IOMMU DMA ops");
	is_str(domain_of(b, "3000.dma"), "DMA", "arm64 default: DMA (strict)");
	is_hex(d->iova_end, (1ull << 48) - 1, "IOVA window ends at the aperture end");
	is_hex(d->iova_start, 0x1000, "IOVA window starts at one granule");
	is_str(ids_of(b, "4000.dual"), "0x8 0x9", "two iommus entries: both IDs, in order");
	ok(group_of(b, "3000.dma") != group_of(b, "4000.dual"),
	   "generic_device_group: one group each");
	is_str(ids_of(b, "5000.off"), "none", "IOMMU node disabled: no fwspec");
	is_int(dev_named(b->dc, "5000.off")->dma_ops, IMS_DMA_OPS_DIRECT, "and dma-direct");
	ok(dev_named(b->dc, "5000.off")->driver != NULL, "a disabled IOMMU never defers the probe");
	is_str(ids_of(b, "psci"), "none", "no iommus: no IOMMU");
	ok(ims_dev_has_msg(d, "Adding to iommu group"), "\"Adding to iommu group N\" logged");
	is_int(d->iommu_group->owner_cnt, 1, "the bound driver uses the default domain");
}

static void test_pci(struct board *b, bool refuse)
{
	struct ims_device *d;

	is_str(ids_of(b, "0000:08:00.0"), "0x800", "RID 0x800 through the identity iommu-map");
	is_str(ids_of(b, "0000:05:02.0"), "0x510 0x500",
	       "PCIe-to-PCI: RID and secondary<<8, in alias order");
	is_str(ids_of(b, "0000:05:03.0"), refuse ? "none" : "0x518 0x500",
	       refuse ? "the second device behind it collides on 0x500"
		      : "the second shares 0x500");
	is_str(ids_of(b, "0000:02:03.0"), refuse ? "none" : "0x218 0xf8",
	       "conventional bridge: RID and the bridge's own RID");
	is_str(ids_of(b, "0000:00:05.0"), "0x28 0x2a",
	       "quirk alias: both RIDs (never de-duplicated)");
	is_str(ids_of(b, "0000:04:00.0"), "0x400", "a VF's RID");
	/* A hole in iommu-map: the endpoint on bus 1 is not covered. */
	is_str(ids_of(b, "0001:00:01.0"), "0x20008", "host 1: the root port is covered");
	is_str(ids_of(b, "0001:01:00.0"), "none", "host 1: a hole in iommu-map leaves no IOMMU");
	is_int(dev_named(b->dc, "0001:01:00.0")->dma_ops, IMS_DMA_OPS_DIRECT, "bypass: dma-direct");
	ok(dev_named(b->dc, "0001:01:00.0")->driver != NULL, "and the driver still binds");
	/* iommu-map-mask = <0> folds everything onto 0x30000. */
	is_str(ids_of(b, "0002:00:01.0"), "0x30000", "mask 0: the first device gets SID 0x30000");
	is_str(ids_of(b, "0002:00:02.0"), refuse ? "none" : "0x30000",
	       refuse ? "mask 0: the second fails on a duplicate SID" : "mask 0: the same SID");
	is_str(ids_of(b, "0002:00:03.0"), refuse ? "none" : "0x30000", "and the third");
	if (refuse) {
		d = dev_named(b->dc, "0002:00:02.0");
		ok(ims_dev_has_msg(d, "stream 196608 already in tree from dev 0002:00:01.0"),
		   "the driver's message names the owner");
		is_int(d->dma_ops, IMS_DMA_OPS_DIRECT,
		       "a failed IOMMU probe carries on with dma-direct");
		ok(d->driver && !d->iommu_group, "bound, no group");
		d = dev_named(b->dc, "0000:02:03.0");
		ok(ims_dev_has_msg(d, "stream 248 already in tree from dev 0000:00:1f.0"),
		   "02:03.0's bridge alias 0xf8 is already the bridge's: no IOMMU");
		is_int(d->dma_ops, IMS_DMA_OPS_DIRECT, "02:03.0 uses dma-direct");
		ok(ims_dev_has_msg(dev_named(b->dc, "0000:05:03.0"),
				   "stream 1280 already in tree from dev 0000:05:02.0"),
		   "05:03.0's alias 0x500 is already 05:02.0's");
	}
}

int main(void)
{
	struct board b;
	struct ims_iommu_opts io;
	struct ims_devcore_opts dopts = { .deferred_probe_timeout = -1 };
	struct ims_device *d;
	int ret;

	ims_iommu_opts_init(&io);

	/* 1. IOMMU driver first. */
	memset(&mock_cfg, 0, sizeof(mock_cfg));
	board_up(&b, &dopts, &io, IOMMU_FIRST);
	test_platform(&b);
	test_pci(&b, false);
	is_int(ims_devcore_nr_deferred(b.dc), 0, "nothing left deferred");
	board_down(&b);

	/* 2. Refusing duplicate StreamIDs (SMMUv3-like). */
	memset(&mock_cfg, 0, sizeof(mock_cfg));
	mock_cfg.refuse_dups = true;
	board_up(&b, &dopts, &io, IOMMU_FIRST);
	test_pci(&b, true);
	board_down(&b);

	/* 3. Clients before the IOMMU driver: deferred, configured at late_initcall. */
	memset(&mock_cfg, 0, sizeof(mock_cfg));
	board_up(&b, &dopts, &io, IOMMU_AFTER_CLIENTS);
	d = dev_named(b.dc, "3000.dma");
	ok(ims_dev_has_msg(d, "Added to deferred list"), "the client was deferred first");
	test_platform(&b);
	test_pci(&b, false);
	board_down(&b);

	/* 4. The IOMMU driver as a module after late_initcall: the bind triggers deferred probe. */
	memset(&mock_cfg, 0, sizeof(mock_cfg));
	board_up(&b, &dopts, &io, IOMMU_AS_MODULE);
	test_platform(&b);
	board_down(&b);

	/* 5. The IOMMU driver never comes, modules on: deferred until the timeout. */
	memset(&mock_cfg, 0, sizeof(mock_cfg));
	mock_cfg.fail_register = true;
	board_up(&b, &dopts, &io, IOMMU_FIRST);
	d = dev_named(b.dc, "3000.dma");
	ok(d->deferred && !d->driver, "modules on: still deferred after late_initcall");
	ok(ims_devcore_nr_deferred(b.dc) > 10, "PCI devices behind the IOMMU wait too");
	ims_devcore_deferred_probe_timeout(b.dc);
	ok(d->driver && d->dma_ops == IMS_DMA_OPS_DIRECT,
	   "after the timeout: bound with dma-direct");
	ok(ims_dev_has_msg(d, "deferred probe timeout, ignoring dependency"), "warned");
	is_int(ims_devcore_nr_deferred(b.dc), 0, "list empty");
	board_down(&b);

	/* 6. The same without modules: dependencies ignored at late_initcall. */
	memset(&mock_cfg, 0, sizeof(mock_cfg));
	mock_cfg.fail_register = true;
	dopts.no_modules = true;
	board_up(&b, &dopts, &io, IOMMU_FIRST);
	d = dev_named(b.dc, "3000.dma");
	ok(d->driver && d->dma_ops == IMS_DMA_OPS_DIRECT, "no modules: bound at late_initcall");
	ok(ims_dev_has_msg(d, "ignoring dependency for device, assuming no driver"), "warned");
	dopts.no_modules = false;
	board_down(&b);

	/* 7. fwspec API. */
	memset(&mock_cfg, 0, sizeof(mock_cfg));
	board_up(&b, &dopts, &io, IOMMU_FIRST);
	d = dev_named(b.dc, "6000.plain");
	{
		int mock = ims_of_find_node_by_path(b.t, "/iommu@1000");
		int off = ims_of_find_node_by_path(b.t, "/iommu@2000");
		uint32_t ids[2] = { 5, 5 };

		is_int(ims_iommu_fwspec_add_ids(d, ids, 1), -EINVAL,
		       "add_ids without a fwspec: -EINVAL");
		is_int(ims_iommu_fwspec_init(d, off), -EPROBE_DEFER,
		       "no instance for the node: defer");
		is_int(ims_iommu_fwspec_init(d, mock), 0, "init");
		is_int(ims_iommu_fwspec_init(d, mock), 0, "init again with the same ops: 0");
		is_int(ims_iommu_fwspec_add_ids(d, ids, 2), 0, "add two equal IDs");
		is_str(ids_of(&b, "6000.plain"), "0x5 0x5", "never de-duplicated");
		ret = ims_iommu_probe_device(d);
		is_int(ret, 0, "iommu_probe_device by hand");
		ok(d->iommu_group != NULL, "grouped");
		is_int(ims_iommu_probe_device(d), 0, "probing again: 0 (already in a group)");
		ok(ims_iommu_ops_from_fwnode(b.ic, mock) != NULL &&
			   !ims_iommu_ops_from_fwnode(b.ic, off),
		   "ops_from_fwnode by registration");
	}
	board_down(&b);
	return tap_done();
}
