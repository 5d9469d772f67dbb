// SPDX-License-Identifier: MIT
/*
 * dma-iommu on the SMMUv3 board: map_sg merging, the 32-bit-first IOVA policy
 * and the sticky "Using 48-bit DMA addresses" switch, forcedac, the exact
 * invalidation traffic of strict map and unmap (none per map, one TLBI + one
 * CMD_SYNC per unmap), the flush queue filling up, map_resource, and
 * untrusted devices bouncing sub-granule buffers with zeroed padding.
 */
#include "dma-test.h"

static struct ims_machine_smmu *v3(struct ims_machine *m)
{
	return ims_machine_smmu(m, 0);
}

static void test_sg(void)
{
	struct ims_machine *m = boot_board(QEMU_VIRT, -1, NULL, NULL);
	struct ims_device *dev = first_iommu_pci(m);
	struct ims_mem *mem = ims_machine_mem(m);
	struct ims_scatterlist sg[4];
	uint8_t *pages[4], got[4 * 4096], want[4 * 4096];
	struct ims_machine_dma_result res;
	int n;

	ims_sg_init_table(sg, 4);
	for (int i = 0; i < 4; i++) {
		/* every other page: physically discontiguous */
		pages[i] = ims_kmalloc(mem, 8192);
		fill(pages[i], 4096, (uint8_t)(i * 40));
		memcpy(want + i * 4096, pages[i], 4096);
		ims_sg_set_buf(mem, &sg[i], pages[i], 4096);
	}
	n = ims_dma_map_sg(dev, sg, 4, IMS_DMA_TO_DEVICE);
	is_int(n, 1, "four discontiguous pages merge into one DMA segment");
	is_int(sg[0].dma_length, 4 * 4096, "of 16 KiB");
	is_int(ims_machine_device_dma(m, dev, sg[0].dma_address, got, sizeof(got), false, &res), 0,
	       "the device reads the segment");
	ok(!memcmp(got, want, sizeof(got)), "the pages appear in order");
	ims_dma_unmap_sg(dev, sg, 4, IMS_DMA_TO_DEVICE);
	is_int(ims_machine_device_dma(m, dev, sg[0].dma_address, got, 64, false, &res), -EFAULT,
	       "unmapped (strict)");

	/* an unaligned middle segment breaks the run */
	ims_sg_init_table(sg, 3);
	ims_sg_set_buf(mem, &sg[0], pages[0], 4096);
	ims_sg_set_buf(mem, &sg[1], pages[1] + 100, 200);
	ims_sg_set_buf(mem, &sg[2], pages[2], 4096);
	n = ims_dma_map_sg(dev, sg, 3, IMS_DMA_FROM_DEVICE);
	is_int(n, 3, "an offset segment is not merged");
	is_hex(sg[1].dma_address & 0xfff, 100, "the offset is kept in the IOVA");
	ok(sg[1].dma_address == sg[0].dma_address + 4096 + 100 &&
		   sg[2].dma_address == sg[0].dma_address + 8192,
	   "the segments share one IOVA range, granule by granule");
	fill(got, 200, 0xee);
	is_int(ims_machine_device_dma(m, dev, sg[1].dma_address, got, 200, true, &res), 0,
	       "device writes the middle segment");
	ims_dma_unmap_sg(dev, sg, 3, IMS_DMA_FROM_DEVICE);
	ok(!memcmp(pages[1] + 100, got, 200), "the bytes land at the segment's offset");
	for (int i = 0; i < 4; i++)
		ims_kfree(mem, pages[i]);
	ims_machine_free(m);
}

static void test_dac(bool forcedac)
{
	struct ims_dma_opts o = { .debug = true, .forcedac = forcedac };
	struct ims_machine *m = boot_board(QEMU_VIRT, -1, NULL, &o);
	struct ims_device *dev = first_iommu_pci(m);
	uint64_t dma[5];
	int low = 0;

	ims_dma_set_mask(dev, IMS_DMA_BIT_MASK(64));
	for (int i = 0; i < 5; i++) {
		/* 1 GiB of RAM at 1 GiB: one block mapping each */
		dma[i] = ims_dma_map_page(dev, 0x40000000, 0, 1ULL << 30, IMS_DMA_TO_DEVICE);
		ims_dma_mapping_error(dev, dma[i]);
		if (dma[i] != IMS_DMA_MAPPING_ERROR && dma[i] < (1ULL << 32))
			low++;
	}
	if (!forcedac) {
		is_int(low, 3,
		       "three 1 GiB IOVAs fit below 4 GiB (the PCI window takes the first)");
		ok(dma[3] >= (1ULL << 32) && dma[3] != IMS_DMA_MAPPING_ERROR,
		   "the fourth comes from above 4 GiB (0x%llx)", (unsigned long long)dma[3]);
		ok(ims_dev_has_msg(dev, "Using 48-bit DMA addresses"),
		   "\"Using 48-bit DMA addresses\"");
		ims_dma_unmap_page(dev, dma[0], 1ULL << 30, IMS_DMA_TO_DEVICE);
		dma[0] = ims_dma_map_page(dev, 0x40000000, 0, 4096, IMS_DMA_TO_DEVICE);
		ims_dma_mapping_error(dev, dma[0]);
		ok(dma[0] >= (1ULL << 32), "sticky: no 32-bit attempt once switched");
		ims_dma_unmap_page(dev, dma[0], 4096, IMS_DMA_TO_DEVICE);
	} else {
		is_int(low, 0, "forcedac: no 32-bit IOVAs at all");
		ok(!ims_dev_has_msg(dev, "Using 48-bit DMA addresses"), "and no message");
		ims_dma_unmap_page(dev, dma[0], 1ULL << 30, IMS_DMA_TO_DEVICE);
	}
	for (int i = 1; i < 5; i++)
		if (dma[i] != IMS_DMA_MAPPING_ERROR)
			ims_dma_unmap_page(dev, dma[i], 1ULL << 30, IMS_DMA_TO_DEVICE);
	ims_machine_free(m);
}

static void test_strict_traffic(void)
{
	struct ims_machine *m = boot_board(QEMU_VIRT, 1, NULL, NULL);
	struct ims_device *dev = first_iommu_pci(m);
	struct ims_smmuv3_stats a, b, c;
	uint8_t *buf = ims_kmalloc(ims_machine_mem(m), 4096);
	uint64_t dma;
	bool exact = true;

	for (int i = 0; i < 16; i++) {
		ims_smmuv3_get_stats(v3(m)->v3, &a);
		dma = ims_dma_map_single(dev, buf, 4096, IMS_DMA_BIDIRECTIONAL);
		ims_dma_mapping_error(dev, dma);
		ims_smmuv3_get_stats(v3(m)->v3, &b);
		ims_dma_unmap_single(dev, dma, 4096, IMS_DMA_BIDIRECTIONAL);
		ims_smmuv3_get_stats(v3(m)->v3, &c);
		if (i == 0) {
			is_int(b.commands - a.commands, 0, "strict map: no command");
			is_int(c.syncs - b.syncs, 1, "strict unmap: one CMD_SYNC");
			is_int(c.commands - b.commands, 2, "strict unmap: one TLBI + the SYNC");
		}
		exact = exact && b.commands == a.commands && c.commands - b.commands == 2 &&
			c.syncs - b.syncs == 1;
	}
	ok(exact, "the same for 16 map/unmap pairs");
	ims_kfree(ims_machine_mem(m), buf);
	ims_machine_free(m);
}

static void test_fq_full(void)
{
	struct ims_machine *m = boot_board(QEMU_VIRT, 0, NULL, NULL);
	struct ims_device *dev = first_iommu_pci(m);
	struct ims_smmuv3_stats a, b;
	struct ims_dma_stats st;
	uint8_t *buf = ims_kmalloc(ims_machine_mem(m), 4096);

	ims_smmuv3_get_stats(v3(m)->v3, &a);
	for (int i = 0; i < 600; i++) {
		uint64_t dma = ims_dma_map_single(dev, buf, 4096, IMS_DMA_TO_DEVICE);

		ims_dma_mapping_error(dev, dma);
		ims_dma_unmap_single(dev, dma, 4096, IMS_DMA_TO_DEVICE);
	}
	ims_smmuv3_get_stats(v3(m)->v3, &b);
	ims_dma_get_stats(ims_machine_devcore(m), &st);
	is_int(st.fq_queued, 600, "lazy: every unmap queued its IOVA");
	is_int(st.fq_flushes, 2, "the 256-entry queue flushed twice when full");
	is_int(b.syncs - a.syncs, 2, "one CMD_SYNC per flush, none per unmap");
	is_int(ims_dma_fq_timeout(dev) > 0, 1, "the timer frees the rest");
	is_int(ims_dma_fq_timeout(dev), 0, "the timer is disarmed afterwards");
	ims_kfree(ims_machine_mem(m), buf);
	ims_machine_free(m);
}

static void test_untrusted_and_resource(void)
{
	struct ims_machine *m = boot_board(QEMU_VIRT, -1, NULL, NULL);
	struct ims_device *dev = first_iommu_pci(m);
	struct ims_mem *mem = ims_machine_mem(m);
	struct ims_machine_dma_result res;
	struct ims_dma_stats st;
	uint8_t *buf = ims_kmalloc(mem, 4096), got[4096];
	uint64_t dma;
	bool pad_zero = true;

	dev->pci->untrusted = true;
	is_int(ims_dma_max_mapping_size(dev), 256 * 1024, "untrusted: swiotlb's limit");
	memset(buf, 0xab, 4096);
	fill(buf + 512, 100, 5);
	dma = ims_dma_map_single(dev, buf + 512, 100, IMS_DMA_TO_DEVICE);
	ims_dma_mapping_error(dev, dma);
	ims_dma_get_stats(ims_machine_devcore(m), &st);
	is_int(st.swiotlb_maps, 1, "untrusted: a sub-granule buffer bounces");
	is_hex(dma & 0xfff, 512, "the offset in the granule is kept");
	is_int(ims_machine_device_dma(m, dev, dma & ~0xfffULL, got, 4096, false, &res), 0,
	       "the device reads the whole granule");
	ok(!memcmp(got + 512, buf + 512, 100), "it sees the data");
	for (int i = 0; i < 4096; i++)
		if ((i < 512 || i >= 612) && got[i])
			pad_zero = false;
	ok(pad_zero, "and zeros around it, not the neighbours of the buffer");
	ims_dma_unmap_single(dev, dma, 100, IMS_DMA_TO_DEVICE);
	ims_dma_get_stats(ims_machine_devcore(m), &st);
	is_int(st.swiotlb_used, 0, "slots released at unmap");
	dev->pci->untrusted = false;

	dma = ims_dma_map_resource(dev, 0x9050000, 4096, IMS_DMA_BIDIRECTIONAL, 0);
	ok(!ims_dma_mapping_error(dev, dma), "map_resource of MMIO");
	is_hex(ims_iommu_iova_to_phys(ims_iommu_get_domain_for_dev(dev), dma), 0x9050000,
	       "the IOVA points at the MMIO");
	ims_dma_unmap_resource(dev, dma, 4096, IMS_DMA_BIDIRECTIONAL, 0);
	is_hex(ims_dma_map_resource(dev, ims_virt_to_phys(mem, buf), 64, IMS_DMA_TO_DEVICE, 0),
	       IMS_DMA_MAPPING_ERROR, "map_resource refuses RAM");
	ims_kfree(mem, buf);
	ims_machine_free(m);
}

/* Bad input fails cleanly on both paths. */
static void test_hostile(void)
{
	struct ims_machine *m = boot_board(QEMU_VIRT, -1, NULL, NULL);
	struct ims_device *devs[2] = { first_iommu_pci(m),
				       ims_machine_find_device(m, "0000:02:03.0") };
	struct ims_scatterlist sg[2];
	uint64_t h = 0;

	for (int i = 0; i < 2; i++) {
		struct ims_device *dev = devs[i];
		const char *p = i ? "direct" : "iommu";

		is_hex(ims_dma_map_page(dev, 0x40000000, 0, 0, IMS_DMA_TO_DEVICE),
		       IMS_DMA_MAPPING_ERROR, "%s: a zero-size map fails", p);
		is_hex(ims_dma_map_page(dev, 0x40000000, 0, SIZE_MAX, IMS_DMA_TO_DEVICE),
		       IMS_DMA_MAPPING_ERROR, "%s: a huge map fails", p);
		is_hex(ims_dma_map_page(dev, 0x40000000, 0, 64, (enum ims_dma_data_direction)7),
		       IMS_DMA_MAPPING_ERROR, "%s: a bad direction fails", p);
		is_hex(ims_dma_map_page(dev, UINT64_MAX - 100, 50, 64, IMS_DMA_TO_DEVICE),
		       IMS_DMA_MAPPING_ERROR, "%s: a wrapping address fails", p);
		ok(ims_dma_alloc_coherent(dev, SIZE_MAX, &h, 0) == NULL, "%s: a huge alloc fails",
		   p);
		ims_dma_unmap_page(dev, 0xdead0000, 4096, IMS_DMA_FROM_DEVICE);
		ims_dma_sync_single_for_cpu(dev, 0xbeef000, 1 << 20, IMS_DMA_FROM_DEVICE);
		ims_dma_sync_single_for_device(dev, UINT64_MAX, 4096, IMS_DMA_TO_DEVICE);
		ok(ims_dma_debug_count(dev, IMS_DMA_DEBUG_FREE_UNMAPPED) >= 1 &&
			   ims_dma_debug_count(dev, IMS_DMA_DEBUG_SYNC_UNMAPPED) >= 2,
		   "%s: garbage unmap/sync are reported, not fatal", p);
		ims_sg_init_table(sg, 2);
		sg[0].phys = 0x40000000;
		sg[0].length = 4096;
		sg[1].phys = UINT64_MAX & ~0xfffULL;
		sg[1].length = 4096;
		is_int(ims_dma_map_sg(dev, sg, -1, IMS_DMA_TO_DEVICE), 0, "%s: negative nents", p);
		is_int(ims_dma_map_sg(dev, sg, 2, IMS_DMA_TO_DEVICE), 0,
		       "%s: a segment outside RAM fails the whole list", p);
	}
	ok(ims_dma_alloc_coherent(NULL, 4096, &h, 0) == NULL, "NULL device");
	is_int(ims_dma_mapping_error(NULL, IMS_DMA_MAPPING_ERROR), -ENOMEM, "mapping_error(NULL)");
	ims_machine_free(m);
}

int main(void)
{
	test_hostile();
	test_sg();
	test_dac(false);
	test_dac(true);
	test_strict_traffic();
	test_fq_full();
	test_untrusted_and_resource();
	return tap_done();
}
