// SPDX-License-Identifier: MIT
/*
 * dma-direct on the SMMUv3 board (RAM at 0x40000000) with a dma-ranges bus
 * (tests/dma/dma-ranges.dtso): the offset, the 28-bit mask, swiotlb bouncing
 * with data checks in both directions, an exhausted pool, cache maintenance
 * for a non-coherent device, the mask rules, and the same 28-bit mask behind
 * the IOMMU.  Also the dummy ops and the broken-alias path of the
 * conventional bridge.
 */
#include "dma-test.h"

#define OVL SRC_DIR "/dma-ranges.dtso"

static void test_offset_and_bounce(void)
{
	struct ims_machine *m = boot_board(QEMU_VIRT, -1, OVL, NULL);
	struct ims_device *dev = ims_machine_find_device(m, "70000000.dmadev");
	struct ims_mem *mem = ims_machine_mem(m);
	struct ims_machine_dma_result res;
	struct ims_dma_stats st;
	uint64_t lo = 0x4f000000, hi = 0x7f000000, dma, dma2;
	uint8_t *plo, *phi, dev_buf[4096], back[4096];

	ok(dev && dev->driver, "dmadev bound");
	if (!dev) {
		ims_machine_free(m);
		return;
	}
	is_int(dev->dma_ops, IMS_DMA_OPS_DIRECT, "no IOMMU: dma-direct");
	is_hex(dev->dma_mask, IMS_DMA_BIT_MASK(28), "dma-ranges give a 28-bit mask");
	is_hex(dev->bus_dma_limit, 0x0fffffff, "bus_dma_limit 0x0fffffff");
	is_hex(ims_phys_to_dma(dev, 0x40001000), 0x1000, "phys_to_dma: CPU 0x40001000 -> 0x1000");
	is_hex(ims_dma_to_phys(dev, 0x0ffff000), 0x4ffff000, "dma_to_phys: 0x0ffff000 -> CPU");
	is_hex(ims_phys_to_dma(dev, 0x50000000), IMS_DMA_MAPPING_ERROR,
	       "no DMA address above the window");
	ok(ims_dma_supported(dev, IMS_DMA_BIT_MASK(28)),
	   "28 bits covers ZONE_DMA through the offset: supported");
	is_int(ims_dma_set_mask(dev, IMS_DMA_BIT_MASK(27)), -EIO, "27 bits: -EIO");
	is_int(ims_dma_set_mask(dev, IMS_DMA_BIT_MASK(28)), 0, "28 bits: accepted");
	ok(ims_dma_addressing_limited(dev), "dma_addressing_limited");
	is_hex(ims_dma_get_required_mask(dev), IMS_DMA_BIT_MASK(64),
	       "required mask: RAM's end has no DMA address, so all ones (as Linux)");
	is_int(ims_dma_max_mapping_size(dev), 256 * 1024, "max mapping size: one swiotlb segment");

	is_int(ims_mem_reserve(mem, lo, 4096), 0, "take a page inside the window");
	is_int(ims_mem_reserve(mem, hi, 4096), 0, "and one above it");
	plo = ims_phys_to_virt(mem, lo);
	phi = ims_phys_to_virt(mem, hi);

	fill(plo, 4096, 1);
	dma = ims_dma_map_single(dev, plo, 4096, IMS_DMA_TO_DEVICE);
	ims_dma_mapping_error(dev, dma);
	is_hex(dma, lo - 0x40000000, "direct: the DMA address is offset as dma-ranges say");
	ims_dma_get_stats(ims_machine_devcore(m), &st);
	is_int(st.swiotlb_maps, 0, "no bounce inside the window");
	is_int(ims_machine_device_dma(m, dev, dma, dev_buf, 4096, false, &res), 0,
	       "device reads through dma-ranges");
	ok(!res.path.translated && !memcmp(dev_buf, plo, 4096), "untranslated, correct data");
	ims_dma_unmap_single(dev, dma, 4096, IMS_DMA_TO_DEVICE);

	/* bounce: TO_DEVICE copies in at map */
	fill(phi, 4096, 9);
	dma = ims_dma_map_single(dev, phi, 4096, IMS_DMA_BIDIRECTIONAL);
	ok(!ims_dma_mapping_error(dev, dma), "above the window: mapped");
	ok(dma + 4095 <= IMS_DMA_BIT_MASK(28), "the bounce address 0x%llx fits 28 bits",
	   (unsigned long long)dma);
	ims_dma_get_stats(ims_machine_devcore(m), &st);
	is_int(st.swiotlb_maps, 1, "bounced through swiotlb");
	is_int(st.swiotlb_nslabs, 32768, "the default 64 MiB pool (32768 slots of 2 KiB)");
	ok(st.swiotlb_base + 64 * 1024 * 1024 - 1 <= 0x4fffffff, "the pool lies in ZONE_DMA");
	is_int(ims_machine_device_dma(m, dev, dma, dev_buf, 4096, false, &res), 0,
	       "device reads the bounce buffer");
	ok(!memcmp(dev_buf, phi, 4096), "the device sees the CPU's data");
	fill(dev_buf, 4096, 0x40);
	is_int(ims_machine_device_dma(m, dev, dma, dev_buf, 4096, true, &res), 0,
	       "device writes the bounce buffer");
	ok(memcmp(phi, dev_buf, 4096) != 0, "not yet visible to the CPU before sync");
	ims_dma_sync_single_for_cpu(dev, dma, 4096, IMS_DMA_BIDIRECTIONAL);
	ok(!memcmp(phi, dev_buf, 4096), "sync_for_cpu copies back");
	phi[0] ^= 0xff;
	ims_dma_sync_single_for_device(dev, dma, 4096, IMS_DMA_BIDIRECTIONAL);
	is_int(ims_machine_device_dma(m, dev, dma, back, 1, false, &res), 0, "device reads");
	is_int(back[0], phi[0], "sync_for_device copies the CPU's change in");
	fill(dev_buf, 4096, 0x99);
	ims_machine_device_dma(m, dev, dma, dev_buf, 4096, true, &res);
	ims_dma_unmap_single(dev, dma, 4096, IMS_DMA_BIDIRECTIONAL);
	ok(!memcmp(phi, dev_buf, 4096), "unmap copies back FROM the device");
	ims_dma_get_stats(ims_machine_devcore(m), &st);
	is_int(st.swiotlb_used, 0, "slots released");
	is_int(st.cache_clean + st.cache_inval, 0, "coherent device: no cache maintenance");

	/* SKIP_CPU_SYNC on unmap: no copy back */
	fill(phi, 4096, 2);
	memcpy(back, phi, 4096);
	dma2 = ims_dma_map_single(dev, phi, 512, IMS_DMA_FROM_DEVICE);
	ims_dma_mapping_error(dev, dma2);
	ims_machine_device_dma(m, dev, dma2, dev_buf, 512, true, &res);
	ims_dma_unmap_single_attrs(dev, dma2, 512, IMS_DMA_FROM_DEVICE, IMS_DMA_ATTR_SKIP_CPU_SYNC);
	ok(!memcmp(phi, back, 4096), "SKIP_CPU_SYNC: unmap does not copy back");

	/* non-coherent device: cache maintenance is counted */
	{
		struct ims_device *nc = ims_machine_find_device(m, "70001000.ncdev");
		struct ims_dma_stats a, b;

		ok(nc && !nc->dma_coherent, "ncdev is not coherent");
		ims_dma_get_stats(ims_machine_devcore(m), &a);
		dma = ims_dma_map_single(nc, plo, 64, IMS_DMA_FROM_DEVICE);
		ims_dma_mapping_error(nc, dma);
		ims_dma_sync_single_for_cpu(nc, dma, 64, IMS_DMA_FROM_DEVICE);
		ims_dma_sync_single_for_device(nc, dma, 64, IMS_DMA_FROM_DEVICE);
		ims_dma_unmap_single(nc, dma, 64, IMS_DMA_FROM_DEVICE);
		ims_dma_get_stats(ims_machine_devcore(m), &b);
		is_int(b.cache_clean - a.cache_clean, 2, "clean at map and sync_for_device");
		is_int(b.cache_inval - a.cache_inval, 2, "invalidate at sync_for_cpu and unmap");
		dma = ims_dma_map_single_attrs(nc, plo, 64, IMS_DMA_TO_DEVICE,
					       IMS_DMA_ATTR_SKIP_CPU_SYNC);
		ims_dma_mapping_error(nc, dma);
		ims_dma_unmap_single_attrs(nc, dma, 64, IMS_DMA_TO_DEVICE,
					   IMS_DMA_ATTR_SKIP_CPU_SYNC);
		ims_dma_get_stats(ims_machine_devcore(m), &a);
		is_int(a.cache_clean + a.cache_inval, b.cache_clean + b.cache_inval,
		       "SKIP_CPU_SYNC: none");
	}

	/* coherent allocation within the mask */
	{
		uint64_t h;
		void *c = ims_dma_alloc_coherent(dev, 8192, &h, 0);

		ok(c && h + 8191 <= IMS_DMA_BIT_MASK(28), "coherent alloc within the mask");
		ok(c && ims_virt_to_phys(mem, c) == ims_dma_to_phys(dev, h),
		   "the CPU address and the handle are the same memory");
		ims_dma_free_coherent(dev, 8192, c, h);
	}
	is_int(ims_dma_debug_count(dev, IMS_DMA_DEBUG_FREE_UNMAPPED) +
		       ims_dma_debug_count(dev, IMS_DMA_DEBUG_UNCHECKED),
	       0, "dma-debug quiet");
	ims_machine_free(m);
}

static void test_exhaustion(void)
{
	struct ims_dma_opts o = { .swiotlb_size = 256 * 1024, .debug = false };
	struct ims_machine *m = boot_board(QEMU_VIRT, -1, OVL, &o);
	struct ims_device *dev = ims_machine_find_device(m, "70000000.dmadev");
	struct ims_mem *mem = ims_machine_mem(m);
	uint64_t hi = 0x7f000000, dmas[80];
	int n = 0;

	is_int(ims_mem_reserve(mem, hi, 4096), 0, "a page above the window");
	for (int i = 0; i < 80; i++) {
		dmas[i] = ims_dma_map_page(dev, hi, 0, 4096, IMS_DMA_TO_DEVICE);
		if (ims_dma_mapping_error(dev, dmas[i]))
			break;
		n++;
	}
	is_int(n, 64, "a 256 KiB pool holds 64 page mappings (2 slots each)");
	ok(ims_dev_has_msg(
		   dev,
		   "swiotlb buffer is full (sz: 4096 bytes), total 128 (slots), used 128 (slots)"),
	   "the kernel message says the pool is full");
	for (int i = 0; i < n; i++)
		ims_dma_unmap_page(dev, dmas[i], 4096, IMS_DMA_TO_DEVICE);
	dmas[0] = ims_dma_map_page(dev, hi, 0, 4096, IMS_DMA_TO_DEVICE);
	ok(!ims_dma_mapping_error(dev, dmas[0]), "after unmapping, mapping works again");
	ims_dma_unmap_page(dev, dmas[0], 4096, IMS_DMA_TO_DEVICE);
	is_hex(ims_dma_map_page(dev, hi, 0, 512 * 1024, IMS_DMA_TO_DEVICE), IMS_DMA_MAPPING_ERROR,
	       "a mapping over one segment fails cleanly");
	ims_machine_free(m);
}

static void test_iommu_28bit(void)
{
	struct ims_machine *m = boot_board(QEMU_VIRT, -1, NULL, NULL);
	struct ims_device *dev = first_iommu_pci(m);
	uint8_t *buf = ims_kmalloc(ims_machine_mem(m), 4096);
	uint64_t dma;

	is_int(ims_dma_set_mask(dev, IMS_DMA_BIT_MASK(28)), 0, "IOMMU: a 28-bit mask is supported");
	dma = ims_dma_map_single(dev, buf, 4096, IMS_DMA_TO_DEVICE);
	ok(!ims_dma_mapping_error(dev, dma) && dma + 4095 <= IMS_DMA_BIT_MASK(28),
	   "IOMMU: the IOVA 0x%llx fits 28 bits", (unsigned long long)dma);
	ims_dma_unmap_single(dev, dma, 4096, IMS_DMA_TO_DEVICE);
	is_hex(ims_dma_get_required_mask(dev), IMS_DMA_BIT_MASK(32), "required mask: 32 bits");
	ims_kfree(ims_machine_mem(m), buf);
	ims_machine_free(m);
}

static void test_dummy(void)
{
	struct ims_machine *m = boot_board(QEMU_VIRT, -1, OVL, NULL);
	struct ims_device *dev = ims_machine_find_device(m, "70000000.dmadev");
	struct ims_scatterlist sg;
	struct ims_vm_area vma = { .len = 4096 };
	uint64_t h = 0;

	dev->dma_ops = IMS_DMA_OPS_DUMMY;
	ok(!ims_dma_supported(dev, IMS_DMA_BIT_MASK(64)), "dummy: nothing supported");
	is_int(ims_dma_set_mask(dev, IMS_DMA_BIT_MASK(32)), -EIO, "dummy: set_mask -EIO");
	ok(ims_dma_alloc_coherent(dev, 4096, &h, 0) == NULL, "dummy: alloc NULL");
	is_hex(ims_dma_map_page(dev, 0x40000000, 0, 64, IMS_DMA_TO_DEVICE), IMS_DMA_MAPPING_ERROR,
	       "dummy: map_page fails");
	ims_sg_init_table(&sg, 1);
	sg.phys = 0x40000000;
	sg.length = 64;
	is_int(ims_dma_map_sg(dev, &sg, 1, IMS_DMA_TO_DEVICE), 0, "dummy: map_sg 0");
	is_int(ims_dma_mmap_coherent(dev, &vma, &h, 0, 4096), -ENXIO, "dummy: mmap -ENXIO");
	dev->dma_ops = IMS_DMA_OPS_DIRECT;
	ims_machine_free(m);
}

static void test_broken_alias(void)
{
	struct ims_machine *m = boot_board(QEMU_VIRT, -1, NULL, NULL);
	struct ims_device *dev = ims_machine_find_device(m, "0000:02:03.0");
	struct ims_mem *mem = ims_machine_mem(m);
	struct ims_machine_dma_result res;
	uint8_t *buf = ims_kmalloc(mem, 4096), got[64];
	uint64_t dma, pa = ims_virt_to_phys(mem, buf);
	int before = ims_machine_klog_nr(m);

	ok(dev && dev->dma_ops == IMS_DMA_OPS_DIRECT, "02:03.0 has no IOMMU (alias collision)");
	dma = ims_dma_map_single(dev, buf, 64, IMS_DMA_TO_DEVICE);
	is_hex(dma, ims_phys_to_dma(dev, pa), "dma-direct address");
	is_int(ims_machine_device_dma(m, dev, dma, got, sizeof(got), false, &res), -EFAULT,
	       "its DMA still reaches the SMMU and faults");
	ok(res.path.translated, "the interconnect passes through the SMMU");
	is_hex(res.path.rid, 0xf8, "the requester ID on the wire is the bridge's");
	is_hex(res.path.sid, 0xf8, "StreamID 0xf8");
	is_hex(res.txn.fault.event, 0x10, "F_TRANSLATION");
	is_hex(res.txn.fault.record[0] >> 32, 0xf8, "the event record carries StreamID 0xf8");
	is_hex(res.txn.fault.record[2], dma, "the input address is the physical address");
	{
		bool seen = false;

		for (int i = before; i < ims_machine_klog_nr(m); i++)
			seen = seen || strstr(ims_machine_klog(m, i)->text, "event 0x10 received");
		ok(seen, "arm-smmu-v3 logged the event");
	}
	ims_dma_unmap_single(dev, dma, 64, IMS_DMA_TO_DEVICE);
	ims_kfree(mem, buf);
	ims_machine_free(m);
}

int main(void)
{
	test_offset_and_bounce();
	test_exhaustion();
	test_iommu_28bit();
	test_dummy();
	test_broken_alias();
	return tap_done();
}
