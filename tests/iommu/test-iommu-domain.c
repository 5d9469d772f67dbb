/* SPDX-License-Identifier: MIT */
/*
 * The domain API: iommu_pgsize(), iommu_map()/iommu_unmap() with their -EINVAL
 * cases, the iotlb gather and sync, iova_to_phys, attach/detach, ownership
 * (-EBUSY) and reserved regions.
 */
#include "mock-iommu.h"

#define SZ_4K 0x1000ull
#define SZ_2M 0x200000ull
#define SZ_1G 0x40000000ull

static struct mock_domain *md_of(struct ims_iommu_domain *d)
{
	return container_of_t(d, struct mock_domain, domain);
}

static void test_pgsize(struct ims_iommu_domain *d)
{
	size_t count;

	is_hex(ims_iommu_pgsize(d, 0x1ff000, 0x1ff000, 0x202000, &count), SZ_4K,
	       "unaligned to 2M: 4K first");
	is_int(count, 1, "clipped to reach the 2M boundary");
	is_hex(ims_iommu_pgsize(d, 0x200000, 0x200000, 0x201000, &count), SZ_2M, "then 2M");
	is_int(count, 1, "one 2M page");
	is_hex(ims_iommu_pgsize(d, 0x0, 0x1000, 0x400000, &count), SZ_4K,
	       "iova^paddr not 2M-aligned: 4K");
	is_int(count, 0x400, "all of it in 4K pages");
	is_hex(ims_iommu_pgsize(d, 0, 0, 3 * SZ_1G, &count), SZ_1G, "at 0: the biggest page");
	is_int(count, 3, "three 1G pages");
	is_hex(ims_iommu_pgsize(d, SZ_1G - SZ_2M, SZ_1G - SZ_2M, SZ_1G + SZ_2M, &count), SZ_2M,
	       "2M below a 1G boundary");
	is_int(count, 1, "one 2M page, then 1G can start");
}

int main(void)
{
	struct ims_iommu_opts io;
	struct ims_devcore_opts dopts = { .deferred_probe_timeout = -1 };
	struct board b;
	struct ims_device *dma;
	struct ims_iommu_domain *dom, *def;
	struct mock_domain *md;
	struct ims_iotlb_gather g;
	int err = 0;

	ims_iommu_opts_init(&io);
	memset(&mock_cfg, 0, sizeof(mock_cfg));
	mock_cfg.no_msi = true;
	board_up(&b, &dopts, &io, IOMMU_FIRST);
	dma = dev_named(b.dc, "3000.dma");
	def = ims_iommu_get_domain_for_dev(dma);
	ok(def && def == dma->iommu_group->default_domain, "on the default domain");

	dom = ims_iommu_paging_domain_alloc(dma, &err);
	ok(dom && dom->type == IMS_IOMMU_DOMAIN_UNMANAGED, "paging domain: UNMANAGED");
	is_hex(dom->pgsize_bitmap, SZ_4K | SZ_2M | SZ_1G, "pgsize_bitmap from the ops");
	md = md_of(dom);
	test_pgsize(dom);

	/* Attach and ownership. */
	is_int(ims_iommu_attach_device(dom, dma), 0, "attach a single-device group");
	ok(ims_iommu_get_domain_for_dev(dma) == dom, "the group's domain is the new one");
	is_int(md->attaches, 1, "the driver's attach_dev ran");
	is_int(ims_iommu_device_use_default_domain(dma), -EBUSY,
	       "owned group off its default domain: -EBUSY");
	is_int(ims_iommu_attach_device(dom, dev_named(b.dc, "0000:05:02.0")), -EINVAL,
	       "a multi-device group cannot be attached");

	/* iommu_map */
	is_int(ims_iommu_map(dom, 0x1ff000, 0x1ff000, 0x202000, IMS_IOMMU_READ, IMS_GFP_KERNEL), 0,
	       "map 0x202000 at 0x1ff000");
	is_int(md->map_calls, 3, "three map_pages calls: 4K, 2M, 4K");
	is_int(md->nr_maps, 3, "three mappings");
	is_hex(ims_iommu_iova_to_phys(dom, 0x2abcde), 0x2abcde, "iova_to_phys inside the 2M page");
	is_int(ims_iommu_map(dom, 0x1001, 0x1000, 0x1000, IMS_IOMMU_READ, 0), -EINVAL,
	       "unaligned iova");
	ok(strstr(ims_last_error(),
		  "unaligned: iova 0x1001 pa 0x0000000000001000 size 0x1000 min_pagesz 0x1000") !=
		   NULL,
	   "unaligned message (%s)", ims_last_error());
	is_int(ims_iommu_map(dom, 0x1000, 0x1000, 0x800, IMS_IOMMU_READ, 0), -EINVAL,
	       "unaligned size");
	is_int(ims_iommu_map(dom, 0x1000, 0x1000, 0x1000, IMS_IOMMU_READ, IMS_GFP_DMA32), -EINVAL,
	       "__GFP_DMA32 refused");
	is_int(ims_iommu_map(dom, 0x600000, 0x600000, 0x3000, IMS_IOMMU_READ, 0), 0, "map 3 pages");
	is_int(ims_iommu_map(dom, 0x5fe000, 0x5fe000, 0x4000, IMS_IOMMU_READ, 0), -EEXIST,
	       "an overlapping map fails in the driver");
	is_hex(ims_iommu_iova_to_phys(dom, 0x5fe000), 0,
	       "the pages mapped before the failure are unrolled");
	is_int(md->nr_maps, 6, "only the earlier mappings remain");

	/* iommu_unmap and the gather. */
	md->syncs = 0;
	is_hex(ims_iommu_unmap(dom, 0x1ff000, 0x202000), 0x202000, "unmap all of the first map");
	is_int(md->syncs, 3,
	       "a page-size change syncs the gather first (4K->2M->4K), then the final sync");
	is_hex(md->sync_start, 0x400000, "last sync covers the last 4K page");
	is_hex(md->sync_end, 0x400fff, "... to its end");
	is_hex(ims_iommu_unmap(dom, 0x1ff000, 0x1000), 0, "unmapping nothing: 0 bytes");
	is_hex(ims_iommu_unmap(dom, 0x600800, 0x1000), 0, "unaligned unmap: 0");
	ok(strstr(b.log.text, "<3>unaligned: iova 0x600800 size 0x1000 min_pagesz 0x1000") != NULL,
	   "unmap's pr_err");
	is_hex(ims_iommu_unmap(dom, 0x600000, 0x4000), 0x3000,
	       "unmap stops short: bytes actually unmapped");
	ims_iommu_iotlb_gather_init(&g);
	ims_iommu_map(dom, 0x0, 0x0, 0x3000, IMS_IOMMU_WRITE, 0);
	md->syncs = 0;
	is_hex(ims_iommu_unmap_fast(dom, 0x0, 0x3000, &g), 0x3000, "unmap_fast");
	is_int(md->syncs, 0, "unmap_fast does not sync");
	ok(g.start == 0 && g.end == 0x2fff && g.pgsize == SZ_4K, "the gather holds 0..0x2fff");
	ims_iommu_iotlb_sync(dom, &g);
	ok(md->syncs == 1 && g.start == ~0ull && g.end == 0, "iotlb_sync flushes and resets");

	ims_iommu_flush_iotlb_all(dom);
	is_int(md->flushes, 1, "flush_iotlb_all reaches the driver");
	ims_iommu_flush_iotlb_all(&mock_identity);
	ok(1 == md->flushes, "a domain without flush_iotlb_all: nothing happens");

	/* Detach: back to the default domain. */
	ims_iommu_detach_device(dom, dma);
	ok(ims_iommu_get_domain_for_dev(dma) == def, "detached: default domain again");
	is_int(ims_iommu_device_use_default_domain(dma), 0, "ownership allowed again");
	ims_iommu_device_unuse_default_domain(dma);
	ims_iommu_domain_free(dom);

	/* Identity domains. */
	is_int(ims_iommu_map(&mock_identity, 0, 0, 0x1000, IMS_IOMMU_READ, 0), -EINVAL,
	       "map on an identity domain: -EINVAL");
	is_hex(ims_iommu_iova_to_phys(&mock_identity, 0x1234), 0x1234, "identity iova_to_phys");
	is_hex(ims_iommu_unmap(&mock_identity, 0, 0x1000), 0, "unmap on identity: 0");

	/* Reserved regions. */
	{
		struct ims_resv_list l = { 0 };

		is_int(ims_iommu_get_resv_regions(dma, &l), 1, "platform: the software MSI window");
		ok(l.nr == 1 && l.r[0].start == IMS_MSI_IOVA_BASE && l.r[0].length == 0x100000 &&
			   l.r[0].type == IMS_IOMMU_RESV_SW_MSI,
		   "0x8000000-0x80fffff sw-msi");
		ims_iommu_resv_list_free(&l);
		is_int(ims_iommu_get_resv_regions(dev_named(b.dc, "0000:08:00.0"), &l), 2,
		       "PCI: sw-msi plus the host bridge memory window (I/O skipped)");
		ok(l.nr == 2 && l.r[1].start == 0x20000000 && l.r[1].length == 0x10000000 &&
			   l.r[1].type == IMS_IOMMU_RESV_PCI_WINDOW,
		   "window 0x20000000+0x10000000");
		is_str(ims_iommu_resv_type_name(l.r[1].type), "pci-window", "type name");
		ims_iommu_resv_list_free(&l);
	}
	board_down(&b);
	is_int(mock_cfg.domains_alive, 0, "every paging domain was freed");
	return tap_done();
}
