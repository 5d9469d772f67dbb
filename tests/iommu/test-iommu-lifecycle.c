/* SPDX-License-Identifier: MIT */
/* Unbind/rebind and removal leave no leaked state: ownership, fwspec, groups, streams, VFs. */
#include "mock-iommu.h"

int main(void)
{
	struct ims_iommu_opts io;
	struct ims_devcore_opts dopts = { .deferred_probe_timeout = -1 };
	struct board b;
	struct ims_device *d;
	struct ims_iommu_group *g;
	int xl, gid, n;

	ims_iommu_opts_init(&io);
	memset(&mock_cfg, 0, sizeof(mock_cfg));
	mock_cfg.refuse_dups = true;
	board_up(&b, &dopts, &io, IOMMU_FIRST);
	d = dev_named(b.dc, "3000.dma");
	g = d->iommu_group;
	gid = g->id;

	ims_device_release_driver(d);
	is_int(g->owner_cnt, 0, "unbind drops the default-domain ownership");
	ok(d->iommu_group == g && ims_dev_iommu_fwspec_get(d), "group and fwspec stay (as Linux)");
	ok(d->dma_range_map == NULL, "the dma_range_map is freed at unbind");
	xl = mock_cfg.xlate_calls;
	is_int(ims_device_attach(d), 1, "rebind");
	is_int(mock_cfg.xlate_calls, xl, "already configured: no re-parse, no of_xlate");
	is_int(g->owner_cnt, 1, "ownership back to 1");
	is_int(d->iommu_group->id, gid, "same group");
	is_int(d->dma_ops, IMS_DMA_OPS_IOMMU, "still IOMMU DMA ops");
	for (int i = 0; i < 5; i++) {
		ims_device_release_driver(d);
		ims_device_attach(d);
	}
	is_int(g->owner_cnt, 1, "five more cycles: ownership stable");

	/* driver_managed_dma: the driver core leaves ownership alone. */
	{
		static const char *const dma_compat[] = { "test,dma", NULL };
		static const struct ims_driver vfio_like = { .name = "vfio-like",
							     .bus = IMS_BUS_PLATFORM,
							     .of_match = dma_compat,
							     .driver_managed_dma = true };

		ims_device_release_driver(d);
		ims_driver_unregister(b.dc, ims_client_driver(IMS_BUS_PLATFORM));
		ims_driver_register(b.dc, &vfio_like);
		ok(d->driver == &vfio_like, "bound to a driver_managed_dma driver");
		is_int(g->owner_cnt, 0, "no default-domain ownership taken");
		ims_device_release_driver(d);
		is_int(g->owner_cnt, 0, "and none dropped at unbind");
		ims_driver_unregister(b.dc, &vfio_like);
		ims_driver_register(b.dc, ims_client_driver(IMS_BUS_PLATFORM));
		ok(d->driver == ims_client_driver(IMS_BUS_PLATFORM) && g->owner_cnt == 1,
		   "the client driver binds again and owns it");
	}

	/* SR-IOV: the PF's unbind removes the VFs; rebinding brings them back. */
	n = ims_devcore_nr_devices(b.dc);
	ims_device_release_driver(dev_named(b.dc, "0000:03:00.0"));
	ok(!ims_devcore_find_device(b.dc, "0000:04:00.0"), "VFs removed with the PF's driver");
	is_int(ims_devcore_nr_devices(b.dc), n - 3, "three VFs gone");
	ims_device_attach(dev_named(b.dc, "0000:03:00.0"));
	ok(ims_devcore_find_device(b.dc, "0000:04:10.0") &&
		   ims_dev_iommu_fwspec_get(dev_named(b.dc, "0000:04:10.0")),
	   "VFs back, configured again (their old StreamIDs were released)");
	is_int(ims_devcore_nr_devices(b.dc), n, "same device count");

	/* Removal releases the IOMMU state: a duplicate SID becomes free. */
	ok(!ims_dev_iommu_fwspec_get(dev_named(b.dc, "0002:00:02.0")),
	   "0002:00:02.0 lost to a duplicate");
	ims_device_unregister(dev_named(b.dc, "0002:00:01.0"));
	ims_device_release_driver(dev_named(b.dc, "0002:00:02.0"));
	ims_device_attach(dev_named(b.dc, "0002:00:02.0"));
	is_str(ids_of(&b, "0002:00:02.0"), "0x30000",
	       "after the owner is removed, a rebind takes the SID");
	ok(dev_named(b.dc, "0002:00:02.0")->dma_ops == IMS_DMA_OPS_IOMMU, "and IOMMU DMA ops");

	/* Unbinding the IOMMU driver releases its devices; a client rebind configures again. */
	{
		struct ims_device *iommu = dev_named(b.dc, "1000.iommu");
		struct ims_device *ep = dev_named(b.dc, "0000:08:00.0");

		ims_device_release_driver(iommu);
		ok(!ep->iommu_group && !ep->iommu && ep->dma_ops == IMS_DMA_OPS_DIRECT,
		   "iommu_device_unregister releases the devices behind it");
		ok(ep->driver != NULL, "their drivers stay bound");
		is_int(ims_device_attach(iommu), 1, "the IOMMU driver binds again");
		ok(!ep->iommu_group,
		   "bus_iommu_probe finds no fwspec: nothing changes for bound clients");
		ims_device_release_driver(ep);
		ims_device_attach(ep);
		ok(ep->iommu_group && ep->dma_ops == IMS_DMA_OPS_IOMMU &&
			   ep->iommu_group->owner_cnt == 1,
		   "a client rebind runs of_iommu_configure again");
	}

	/* Removing a host bridge removes its hierarchy. */
	n = ims_devcore_nr_devices(b.dc);
	ims_device_unregister(dev_named(b.dc, "10000000.pcie"));
	is_int(ims_devcore_nr_devices(b.dc), n - 26, "the host and its 25 functions are gone");
	ok(!ims_pci_get_slot(b.dc, 0, 5, 0x10), "no slot lookups into the removed hierarchy");
	ok(ims_pci_get_slot(b.dc, 1, 1, 0) != NULL, "other hosts are untouched");
	board_down(&b);
	is_int(mock_cfg.domains_alive, 0, "every domain freed at teardown");
	return tap_done();
}
