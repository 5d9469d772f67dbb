// SPDX-License-Identifier: MIT
/*
 * The one-granule common path of dma_map_page/dma_unmap_page (DMA-API debug
 * off, a coherent trusted PCI device on the SMMUv3 board): the same IOVAs,
 * offsets and limits as the general path (debug on), lazy unmap leaving a
 * stale IOTLB entry until the flush, strict unmap faulting at once with one
 * TLBI + SYNC, the flush queue's counters, and the cases it leaves to the
 * general path (several granules, not RAM, an unmapped address).
 */
#include "dma-test.h"

static struct ims_smmuv3 *smmu_v3(struct ims_machine *m)
{
	struct ims_machine_smmu *s = ims_machine_smmu(m, 0);

	return s ? s->v3 : NULL;
}

/* The IOVAs of a fixed sequence of maps and unmaps, with debug on or off. */
static void iova_sequence(bool debug, int strict, uint64_t *out, int n)
{
	struct ims_dma_opts o = { .debug = debug };
	struct ims_machine *m = boot_board(QEMU_VIRT, strict, NULL, &o);
	struct ims_device *dev = first_iommu_pci(m);
	uint64_t page;

	ims_dma_set_mask_and_coherent(dev, IMS_DMA_BIT_MASK(64));
	ims_mem_alloc_pages(ims_machine_mem(m), &page, 2, UINT64_MAX, 0);
	for (int i = 0; i < n; i++) {
		size_t off = (size_t)(i * 40) % 4000;

		out[i] = ims_dma_map_page(dev, page, off, 96, IMS_DMA_BIDIRECTIONAL);
		ims_dma_mapping_error(dev, out[i]);
		if (i % 3 != 2)
			ims_dma_unmap_page(dev, out[i], 96, IMS_DMA_BIDIRECTIONAL);
	}
	ims_machine_free(m);
}

static void test_same_as_general(void)
{
	enum { N = 700 };
	static uint64_t fast[N], slow[N];

	for (int strict = 0; strict < 2; strict++) {
		bool same = true, low = true;

		iova_sequence(false, strict, fast, N);
		iova_sequence(true, strict, slow, N);
		for (int i = 0; i < N; i++) {
			same = same && fast[i] == slow[i];
			low = low && fast[i] < (1ULL << 32) &&
			      (fast[i] & 0xfff) == (uint64_t)((i * 40) % 4000);
		}
		ok(same, "%s: the same %d IOVAs with debug off (common path) and on",
		   strict ? "strict" : "lazy", N);
		ok(low, "%s: 32-bit IOVAs first for PCI, with the buffer's offset",
		   strict ? "strict" : "lazy");
	}
}

static void test_unmap(bool lazy)
{
	const char *mode = lazy ? "lazy" : "strict";
	struct ims_dma_opts o = { .debug = false };
	struct ims_machine *m = boot_board(QEMU_VIRT, lazy ? 0 : 1, NULL, &o);
	struct ims_device *dev = first_iommu_pci(m);
	struct ims_machine_dma_result res;
	struct ims_smmuv3_stats a, b, c;
	struct ims_dma_stats st;
	uint8_t data[64], got[64];
	uint8_t *buf = ims_kmalloc(ims_machine_mem(m), 4096);
	uint64_t dma;

	fill(buf, 4096, 5);
	ims_smmuv3_get_stats(smmu_v3(m), &a);
	dma = ims_dma_map_single(dev, buf + 100, 64, IMS_DMA_BIDIRECTIONAL);
	ims_smmuv3_get_stats(smmu_v3(m), &b);
	is_int(ims_dma_mapping_error(dev, dma), 0, "%s: map", mode);
	is_int((int)(b.commands - a.commands), 0, "%s: no command on map", mode);
	is_int(ims_machine_device_dma(m, dev, dma, got, sizeof(got), false, &res), 0,
	       "%s: the device reads", mode);
	ok(!memcmp(got, buf + 100, sizeof(got)), "%s: the bytes at the offset", mode);
	fill(data, sizeof(data), 0x31);
	is_int(ims_machine_device_dma(m, dev, dma, data, sizeof(data), true, &res), 0,
	       "%s: the device writes", mode);
	ok(!memcmp(buf + 100, data, sizeof(data)), "%s: the CPU sees it", mode);
	ims_dma_unmap_single(dev, dma, 64, IMS_DMA_BIDIRECTIONAL);
	ims_smmuv3_get_stats(smmu_v3(m), &c);
	ims_dma_get_stats(ims_machine_devcore(m), &st);
	if (lazy) {
		is_int((int)(c.commands - b.commands), 0, "lazy: no command on unmap");
		is_int((int)st.fq_queued, 1, "lazy: the IOVA is queued");
		is_int(ims_machine_device_dma(m, dev, dma, got, 16, false, &res), 0,
		       "lazy: the stale IOTLB entry still translates");
		is_int(ims_dma_fq_timeout(dev), 1, "lazy: the timer frees the queued IOVA");
	} else {
		is_int((int)(c.commands - b.commands), 2, "strict: TLBI + CMD_SYNC on unmap");
		is_int((int)(c.syncs - b.syncs), 1, "strict: one sync");
		is_int((int)st.fq_queued, 0, "strict: nothing queued");
	}
	is_int(ims_machine_device_dma(m, dev, dma, got, 16, false, &res), -EFAULT,
	       "%s: then the access faults", mode);
	is_hex(res.txn.fault.event, 0x10, "%s: F_TRANSLATION", mode);
	ims_kfree(ims_machine_mem(m), buf);
	ims_machine_free(m);
}

static void test_fq_full(void)
{
	struct ims_dma_opts o = { .debug = false };
	struct ims_machine *m = boot_board(QEMU_VIRT, 0, NULL, &o);
	struct ims_device *dev = first_iommu_pci(m);
	uint8_t *buf = ims_kmalloc(ims_machine_mem(m), 4096);
	struct ims_smmuv3_stats a, b;
	struct ims_dma_stats st;

	ims_smmuv3_get_stats(smmu_v3(m), &a);
	for (int i = 0; i < 600; i++) {
		uint64_t dma = ims_dma_map_single(dev, buf, 4096, IMS_DMA_TO_DEVICE);

		ims_dma_mapping_error(dev, dma);
		ims_dma_unmap_single(dev, dma, 4096, IMS_DMA_TO_DEVICE);
	}
	ims_smmuv3_get_stats(smmu_v3(m), &b);
	ims_dma_get_stats(ims_machine_devcore(m), &st);
	is_int((int)st.fq_queued, 600, "every unmap queued its IOVA");
	is_int((int)st.fq_flushes, 2, "the 256-entry queue flushed twice when full");
	is_int((int)(b.syncs - a.syncs), 2, "one CMD_SYNC per flush");
	ok(ims_dma_fq_timeout(dev) > 0, "the timer frees the rest");
	ims_kfree(ims_machine_mem(m), buf);
	ims_machine_free(m);
}

static void test_other_cases(void)
{
	struct ims_dma_opts o = { .debug = false };
	struct ims_machine *m = boot_board(QEMU_VIRT, 1, NULL, &o);
	struct ims_device *dev = first_iommu_pci(m);
	struct ims_machine_dma_result res;
	uint8_t got[16];
	uint64_t page, dma;

	ims_mem_alloc_pages(ims_machine_mem(m), &page, 4, UINT64_MAX, 0);
	/* two granules: the general path, one IOVA range */
	dma = ims_dma_map_page(dev, page, 4000, 200, IMS_DMA_TO_DEVICE);
	is_int(ims_dma_mapping_error(dev, dma), 0, "a buffer across two granules maps");
	is_int(ims_machine_device_dma(m, dev, dma + 150, got, 16, false, &res), 0,
	       "its second granule translates");
	ims_dma_unmap_page(dev, dma, 200, IMS_DMA_TO_DEVICE);
	is_int(ims_machine_device_dma(m, dev, dma + 150, got, 16, false, &res), -EFAULT,
	       "and faults after unmap");
	/* a 28-bit mask: the IOVA fits it */
	ims_dma_set_mask(dev, IMS_DMA_BIT_MASK(28));
	dma = ims_dma_map_page(dev, page, 8, 64, IMS_DMA_FROM_DEVICE);
	ok(!ims_dma_mapping_error(dev, dma) && dma + 63 < (1ULL << 28), "28-bit mask: 0x%llx",
	   (unsigned long long)dma);
	ims_dma_unmap_page(dev, dma, 64, IMS_DMA_FROM_DEVICE);
	/* not RAM: refused */
	dma = ims_dma_map_page(dev, 0x1000, 0, 64, IMS_DMA_TO_DEVICE);
	is_int(ims_dma_mapping_error(dev, dma), -ENOMEM, "a buffer outside RAM is refused");
	ok(ims_dev_has_msg(dev, "is not RAM"), "with the warning");
	/* the last bytes of RAM (0x40000000 + 1 GiB) map; one byte past them does not */
	dma = ims_dma_map_page(dev, 0x7ffff000, 0xfc0, 64, IMS_DMA_TO_DEVICE);
	is_int(ims_dma_mapping_error(dev, dma), 0, "the last 64 bytes of RAM map");
	is_hex(dma & 0xfff, 0xfc0, "at their offset in the granule");
	ims_dma_unmap_page(dev, dma, 64, IMS_DMA_TO_DEVICE);
	dma = ims_dma_map_page(dev, 0x7ffff000, 0xfc1, 64, IMS_DMA_TO_DEVICE);
	is_int(ims_dma_mapping_error(dev, dma), -ENOMEM, "64 bytes ending one past RAM: refused");
	dma = ims_dma_map_page(dev, 0x3ffff000, 0xfff, 2, IMS_DMA_TO_DEVICE);
	is_int(ims_dma_mapping_error(dev, dma), -ENOMEM,
	       "2 bytes starting one before RAM: refused");
	/* an address never mapped: the short unmap warning */
	ims_dma_unmap_page(dev, 0x7000000, 64, IMS_DMA_TO_DEVICE);
	ok(ims_dev_has_msg(dev, "unmapped 0 of 4096 bytes"), "unmap of an unmapped IOVA warns");
	ims_machine_free(m);
}

/*
 * The IOVA limit of the common path: with a 64-bit mask a one-granule map
 * tries 32 bits first; once a 1 GiB map found the 32-bit space full ("Using
 * 48-bit DMA addresses"), one-granule maps come from above 4 GiB; after the
 * mask changes to 28 bits the next map stays below 2^28.
 */
static void test_limits(void)
{
	struct ims_dma_opts o = { .debug = false };
	struct ims_machine *m = boot_board(QEMU_VIRT, 0, NULL, &o);
	struct ims_device *dev = first_iommu_pci(m);
	uint64_t dma, big[4];
	int nmsg = 0;

	is_int(ims_dma_set_mask(dev, IMS_DMA_BIT_MASK(64)), 0, "limits: 64-bit mask");
	dma = ims_dma_map_page(dev, 0x40000000, 0, 4096, IMS_DMA_TO_DEVICE);
	ok(dma != IMS_DMA_MAPPING_ERROR && dma < (1ULL << 32),
	   "limits: 64-bit mask, 32 bits first (0x%llx)", (unsigned long long)dma);
	ims_dma_unmap_page(dev, dma, 4096, IMS_DMA_TO_DEVICE);
	for (int i = 0; i < 4; i++)
		big[i] = ims_dma_map_page(dev, 0x40000000, 0, 1ULL << 30, IMS_DMA_TO_DEVICE);
	ok(big[3] != IMS_DMA_MAPPING_ERROR && big[3] >= (1ULL << 32),
	   "limits: the fourth 1 GiB IOVA from above 4 GiB");
	ok(ims_dev_has_msg(dev, "Using 48-bit DMA addresses"), "limits: \"Using 48-bit\"");
	for (int i = 0; i < 3; i++) {
		dma = ims_dma_map_page(dev, 0x40000000, 0, 4096, IMS_DMA_TO_DEVICE);
		ok(dma != IMS_DMA_MAPPING_ERROR && dma >= (1ULL << 32),
		   "limits: one-granule map %d from above 4 GiB (0x%llx)", i,
		   (unsigned long long)dma);
		ims_dma_unmap_page(dev, dma, 4096, IMS_DMA_TO_DEVICE);
	}
	for (int i = 0; i < dev->nr_msgs; i++)
		nmsg += strstr(dev->msgs[i].text, "Using 48-bit DMA addresses") != NULL;
	is_int(nmsg, 1, "limits: the message once");
	is_int(ims_dma_set_mask(dev, IMS_DMA_BIT_MASK(28)), 0, "limits: 28-bit mask");
	dma = ims_dma_map_page(dev, 0x40000000, 0, 4096, IMS_DMA_TO_DEVICE);
	ok(dma != IMS_DMA_MAPPING_ERROR && dma < (1ULL << 28),
	   "limits: the next map fits 28 bits (0x%llx)", (unsigned long long)dma);
	ims_dma_unmap_page(dev, dma, 4096, IMS_DMA_TO_DEVICE);
	for (int i = 0; i < 4; i++)
		if (big[i] != IMS_DMA_MAPPING_ERROR)
			ims_dma_unmap_page(dev, big[i], 1ULL << 30, IMS_DMA_TO_DEVICE);
	ims_machine_free(m);
}

/*
 * The device's fast state (dma-fast.h) follows what it was built from: each
 * change below is followed by a map that must take the right path with the
 * right result.
 */
static void test_invalidation(void)
{
	struct ims_dma_opts o = { .debug = false };
	struct ims_machine *m = boot_board(QEMU_VIRT, 0, NULL, &o);
	struct ims_device *dev = first_iommu_pci(m);
	struct ims_iommu_domain *dom;
	uint64_t dma, pa = 0x40003000;
	int err = 0;

	ims_dma_set_mask(dev, IMS_DMA_BIT_MASK(32));
	dma = ims_dma_map_page(dev, pa, 0x10, 64, IMS_DMA_TO_DEVICE);
	ok(dma != IMS_DMA_MAPPING_ERROR && dma > (1ULL << 24) && (dma & 0xfff) == 0x10,
	   "state: a 32-bit map from the top of 4 GiB (0x%llx)", (unsigned long long)dma);
	is_int(ims_dma_mapping_error(dev, dma), 0, "state: no mapping error");
	is_int(ims_dma_mapping_error(dev, IMS_DMA_MAPPING_ERROR), -ENOMEM,
	       "state: the error address is one");
	ims_dma_unmap_page(dev, dma, 64, IMS_DMA_TO_DEVICE);

	/* dma_set_mask() */
	is_int(ims_dma_set_mask(dev, IMS_DMA_BIT_MASK(24)), 0, "state: 24-bit mask");
	dma = ims_dma_map_page(dev, pa, 0x10, 64, IMS_DMA_TO_DEVICE);
	ok(dma != IMS_DMA_MAPPING_ERROR && dma < (1ULL << 24),
	   "state: the next map fits the new mask (0x%llx)", (unsigned long long)dma);
	ims_dma_unmap_page(dev, dma, 64, IMS_DMA_TO_DEVICE);
	is_int(ims_dma_set_mask(dev, IMS_DMA_BIT_MASK(32)), 0, "state: 32-bit mask again");
	dma = ims_dma_map_page(dev, pa, 0, 64, IMS_DMA_TO_DEVICE);
	ok(dma != IMS_DMA_MAPPING_ERROR && dma < (1ULL << 32),
	   "state: the next map within 32 bits (0x%llx, the rcache may give back the last)",
	   (unsigned long long)dma);
	ims_dma_unmap_page(dev, dma, 64, IMS_DMA_TO_DEVICE);

	/* attach to an unmanaged domain: no DMA API there; detach: the DMA domain again */
	dom = ims_iommu_paging_domain_alloc(dev, &err);
	ok(dom != NULL, "state: an unmanaged domain");
	is_int(ims_iommu_attach_device(dom, dev), 0, "state: attached to it");
	is_hex(ims_dma_map_page(dev, pa, 0, 64, IMS_DMA_TO_DEVICE), IMS_DMA_MAPPING_ERROR,
	       "state: a map on the unmanaged domain fails");
	is_hex(ims_iommu_iova_to_phys(dom, 0xfffff000), 0, "state: and maps nothing there");
	ims_iommu_detach_device(dom, dev);
	dma = ims_dma_map_page(dev, pa, 0x20, 64, IMS_DMA_FROM_DEVICE);
	ok(dma != IMS_DMA_MAPPING_ERROR && (dma & 0xfff) == 0x20,
	   "state: after detach the DMA domain maps again (0x%llx)", (unsigned long long)dma);
	is_hex(ims_iommu_iova_to_phys(ims_iommu_get_domain_for_dev(dev), dma), pa + 0x20,
	       "state: through the default domain");
	ims_dma_unmap_page(dev, dma, 64, IMS_DMA_FROM_DEVICE);
	ims_iommu_domain_free(dom);

	/* unbind, the identity default domain, rebind: dma-direct */
	ims_device_release_driver(dev);
	is_int(ims_iommu_group_store_type(dev->iommu_group, "identity"), 0,
	       "state: the group goes identity");
	ims_device_attach(dev);
	is_int(dev->dma_ops, IMS_DMA_OPS_DIRECT, "state: dma-direct ops");
	dma = ims_dma_map_page(dev, pa, 0x30, 64, IMS_DMA_TO_DEVICE);
	is_hex(dma, ims_phys_to_dma(dev, pa + 0x30), "state: a dma-direct address");
	ims_dma_unmap_page(dev, dma, 64, IMS_DMA_TO_DEVICE);

	/* back to a DMA domain: a new cookie */
	ims_device_release_driver(dev);
	is_int(ims_iommu_group_store_type(dev->iommu_group, "DMA"), 0, "state: the group goes DMA");
	ims_device_attach(dev);
	is_int(dev->dma_ops, IMS_DMA_OPS_IOMMU, "state: IOMMU ops again");
	ims_dma_set_mask(dev, IMS_DMA_BIT_MASK(32));
	dma = ims_dma_map_page(dev, pa, 0x40, 64, IMS_DMA_TO_DEVICE);
	ok(dma != IMS_DMA_MAPPING_ERROR && dma != pa + 0x40 && (dma & 0xfff) == 0x40,
	   "state: an IOVA on the new domain (0x%llx)", (unsigned long long)dma);
	is_hex(ims_iommu_iova_to_phys(ims_iommu_get_domain_for_dev(dev), dma), pa + 0x40,
	       "state: mapped in it");
	ims_dma_unmap_page(dev, dma, 64, IMS_DMA_TO_DEVICE);
	is_hex(ims_iommu_iova_to_phys(ims_iommu_get_domain_for_dev(dev), dma), 0,
	       "state: unmapped (strict)");
	ims_machine_free(m);
}

int main(void)
{
	test_same_as_general();
	test_unmap(true);
	test_unmap(false);
	test_fq_full();
	test_other_cases();
	test_limits();
	test_invalidation();
	return tap_done();
}
