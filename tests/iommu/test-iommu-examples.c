/* SPDX-License-Identifier: MIT */
/*
 * The example topology examples/topologies/armada-8040-pcie.dtso on the
 * Armada-8040 board, with the mock driver standing in for arm-smmu: the
 * enumeration, the iommu-map (mask 0x31f) IDs and the groups the docs quote.
 */
#include "mock-iommu.h"

static const char *const mmu500_compat[] = { "arm,mmu-500", NULL };
static const struct ims_driver mmu500_mock = {
	.name = "arm-smmu",
	.bus = IMS_BUS_PLATFORM,
	.of_match = mmu500_compat,
	.probe = mock_drv_probe,
	.remove = mock_drv_remove,
};

int main(void)
{
	const char *ov[] = { TOPO_DIR "/armada-8040-pcie.dtso" };
	static const char *const order[] = {
		"0000:00:00.0", "0000:01:00.0", "0000:02:00.0", "0000:02:01.0", "0000:02:02.0",
		"0000:03:00.0", "0000:03:00.2", "0000:03:00.3", "0000:03:00.1", "0000:04:00.0",
		"0000:05:01.0", "0000:05:02.0", "0000:06:00.0", "0000:07:03.0",
	};
	struct ims_devcore_opts dopts = { .deferred_probe_timeout = -1 };
	struct ims_of_tree *t = NULL;
	struct ims_iommu_opts io;
	struct board b;
	bool in_order = true;
	int base;

	if (ims_of_tree_load(&t, BOARDS_DIR "/armada-8040.dts", ov, 1)) {
		printf("Bail out! %s\n", ims_last_error());
		return 1;
	}
	ims_iommu_opts_init(&io);
	memset(&mock_cfg, 0, sizeof(mock_cfg));
	memset(&b, 0, sizeof(b));
	{
		struct ims_log log = { capture_fn, &b.log, IMS_LOG_DEBUG };

		b.t = t;
		ims_devcore_new(&b.dc, t, &dopts, &log);
		ims_iommu_core_new(&b.ic, b.dc, &io);
		ims_driver_register(b.dc, ims_pci_host_driver());
		ims_driver_register(b.dc, ims_client_driver(IMS_BUS_PLATFORM));
		ims_driver_register(b.dc, ims_client_driver(IMS_BUS_PCI));
		ims_of_platform_populate(b.dc);
		ims_driver_register(b.dc, &mmu500_mock);
		ims_devcore_late_initcall(b.dc);
	}
	ok(dev_named(b.dc, "f0100000.iommu") && dev_named(b.dc, "f0100000.iommu")->driver,
	   "the MMU-500 at f0100000 is bound");
	is_str(ids_of(&b, "f2500000.usb3"), "0x440", "a platform client: iommus = <&smmu 0x440>");
	base = dev_named(b.dc, "0000:00:00.0")->index;
	for (size_t i = 0; i < ARRAY_SIZE_T(order); i++) {
		struct ims_device *d = ims_devcore_find_device(b.dc, order[i]);

		if (!d || d->index != base + (int)i) {
			in_order = false;
			diag("%s at %d", order[i], d ? d->index - base : -1);
		}
	}
	ok(in_order, "enumeration and bind order of the example");
	is_str(ids_of(&b, "0000:00:00.0"), "0x480", "00:00.0 -> entry 0");
	is_str(ids_of(&b, "0000:01:00.0"), "0x4a0", "01:00.0 -> entry 1");
	is_str(ids_of(&b, "0000:02:02.0"), "0x4d0", "02:02.0 -> entry 2 + 0x10");
	is_str(ids_of(&b, "0000:03:00.0"), "none", "bus 3 (0x3xx) has no entry: bypass");
	is_str(ids_of(&b, "0000:04:00.0"), "0x480", "bus 4 folds onto bus 0: the root port's SID");
	is_str(ids_of(&b, "0000:05:01.0"), "0x4a8 0x4a0",
	       "05:01.0: RID 0x508 and alias 0x500, folded");
	is_str(ids_of(&b, "0000:07:03.0"), "none",
	       "07:03.0: RID 0x718 folds to 0x318, unmapped: the whole fwspec is dropped");
	ok(same_group(&b, "0000:05:01.0", "0000:05:02.0") &&
		   same_group(&b, "0000:05:01.0", "0000:04:00.0"),
	   "behind the PCIe-to-PCI bridge: one group with the bridge");
	ok(same_group(&b, "0000:01:00.0", "0000:00:00.0"),
	   "6.12: the root port's ACS stayed off, so the switch shares its group");
	is_hex(ims_pci_msi_domain_get_msi_rid(pci_named(b.dc, "0000:07:03.0"), NULL), 0x600,
	       "07:03.0's MSI DeviceID is the conventional bridge's RID");
	is_hex(ims_pci_msi_domain_get_msi_rid(pci_named(b.dc, "0000:03:00.3"), NULL), 0x303,
	       "a VF's MSI DeviceID");
	board_down(&b);

	/* qemu-virt-bridges.dtso with a driver refusing duplicate StreamIDs (arm-smmu-v3 6.12). */
	{
		static const char *const v3_compat[] = { "arm,smmu-v3", NULL };
		static const struct ims_driver v3_mock = {
			.name = "arm-smmu-v3",
			.bus = IMS_BUS_PLATFORM,
			.of_match = v3_compat,
			.probe = mock_drv_probe,
			.remove = mock_drv_remove,
		};
		const char *ov2[] = { TOPO_DIR "/qemu-virt-bridges.dtso" };

		t = NULL;
		if (ims_of_tree_load(&t, BOARDS_DIR "/qemu-virt-smmuv3.dts", ov2, 1)) {
			printf("Bail out! %s\n", ims_last_error());
			return 1;
		}
		memset(&mock_cfg, 0, sizeof(mock_cfg));
		mock_cfg.refuse_dups = true;
		memset(&b, 0, sizeof(b));
		{
			struct ims_log log = { capture_fn, &b.log, IMS_LOG_DEBUG };

			b.t = t;
			ims_devcore_new(&b.dc, t, &dopts, &log);
			ims_iommu_core_new(&b.ic, b.dc, &io);
			ims_driver_register(b.dc, &v3_mock);
			ims_driver_register(b.dc, ims_pci_host_driver());
			ims_driver_register(b.dc, ims_client_driver(IMS_BUS_PLATFORM));
			ims_driver_register(b.dc, ims_client_driver(IMS_BUS_PCI));
			ims_of_platform_populate(b.dc);
			ims_devcore_late_initcall(b.dc);
		}
		ok(dev_named(b.dc, "9050000.iommu") && dev_named(b.dc, "9050000.iommu")->driver,
		   "qemu: the SMMUv3 at 9050000 is bound");
		is_str(ids_of(&b, "0000:01:00.1"), "0x101", "qemu: RIDs map 1:1");
		ok(same_group(&b, "0000:01:00.0", "0000:01:00.1") &&
			   same_group(&b, "0000:01:00.0", "0000:00:01.0"),
		   "qemu: the multifunction endpoint shares the port's group (ACS left off in "
		   "6.12)");
		is_str(ids_of(&b, "0000:00:03.2"), "0x1a", "qemu: VF 2 of 00:03.0 is RID 0x1a");
		is_str(ids_of(&b, "0000:05:02.0"), "0x510 0x500",
		       "qemu: 05:02.0 gets its RID and 0x500");
		is_str(ids_of(&b, "0000:05:03.0"), "none", "qemu: 05:03.0's 0x500 is taken");
		is_str(ids_of(&b, "0000:02:03.0"), "none", "qemu: 02:03.0's 0xf8 is the bridge's");
		ok(ims_dev_has_msg(dev_named(b.dc, "0000:02:03.0"),
				   "stream 248 already in tree from dev 0000:00:1f.0"),
		   "qemu: the refusal names the bridge");
		is_int(dev_named(b.dc, "0000:02:03.0")->dma_ops, IMS_DMA_OPS_DIRECT,
		       "qemu: 02:03.0 falls back to dma-direct");
		is_hex(ims_pci_msi_domain_get_msi_rid(pci_named(b.dc, "0000:02:03.0"), NULL), 0xf8,
		       "qemu: 02:03.0's ITS DeviceID is 0xf8");
		board_down(&b);
	}
	return tap_done();
}
