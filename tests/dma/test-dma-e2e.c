// SPDX-License-Identifier: MIT
/*
 * End to end on both example boards: a PCIe device behind the SMMU allocates
 * a coherent buffer, dma_mmap_coherent maps it into this process, the device
 * writes through its IOVA and the process reads the same bytes through the
 * mapping, then the process writes and the device reads them.  Then strict
 * and lazy unmap: a device access after unmap faults at once (strict) or
 * only after the flush queue flushed (lazy).
 */
#include "dma-test.h"

static void test_coherent_mmap(enum board b)
{
	const char *bn = b == ARMADA ? "armada" : "qemu-virt";
	struct ims_machine *m = boot_board(b, -1, NULL, NULL);
	struct ims_device *dev = first_iommu_pci(m);
	struct ims_machine_dma_result res;
	struct ims_vm_area vma = { .vm_pgoff = 0, .len = 3 * 4096 };
	struct ims_sg_table sgt;
	uint8_t wbuf[3 * 4096], rbuf[3 * 4096];
	uint64_t handle = 0;
	uint8_t *cpu;

	ok(dev != NULL, "%s: a PCI endpoint is on dma-iommu", bn);
	if (!dev) {
		ims_machine_free(m);
		return;
	}
	diag("%s: using %s", bn, dev->name);
	is_int(ims_dma_set_mask_and_coherent(dev, IMS_DMA_BIT_MASK(64)), 0, "%s: 64-bit masks", bn);
	cpu = ims_dma_alloc_coherent(dev, sizeof(wbuf), &handle, 0);
	ok(cpu != NULL, "%s: dma_alloc_coherent", bn);
	ok(handle >= dev->iova_start && handle <= dev->iova_end && !(handle & 0xfff),
	   "%s: handle 0x%llx is a granule-aligned IOVA in the aperture", bn,
	   (unsigned long long)handle);
	/* PCI tries 32-bit IOVAs first (iommu_dma_alloc_iova, pci_32bit_workaround) */
	ok(handle < (1ULL << 32), "%s: a PCI device gets a 32-bit IOVA first", bn);
	is_int(ims_dma_mmap_coherent(dev, &vma, cpu, handle, sizeof(wbuf)), 0,
	       "%s: dma_mmap_coherent", bn);
	ok(vma.addr && vma.addr != cpu, "%s: a separate user mapping", bn);

	fill(wbuf, sizeof(wbuf), 0x11);
	is_int(ims_machine_device_dma(m, dev, handle, wbuf, sizeof(wbuf), true, &res), 0,
	       "%s: the device writes 12 KiB through its IOVA", bn);
	ok(res.path.translated, "%s: the write went through the SMMU (sid 0x%x)", bn, res.path.sid);
	ok(vma.addr && !memcmp(vma.addr, wbuf, sizeof(wbuf)),
	   "%s: the process reads the device's bytes through the mmap", bn);
	ok(!memcmp(cpu, wbuf, sizeof(wbuf)), "%s: and through the kernel mapping", bn);

	fill((uint8_t *)vma.addr, sizeof(wbuf), 0x5a);
	memset(rbuf, 0, sizeof(rbuf));
	is_int(ims_machine_device_dma(m, dev, handle, rbuf, sizeof(rbuf), false, &res), 0,
	       "%s: the device reads", bn);
	ok(!memcmp(rbuf, vma.addr, sizeof(rbuf)), "%s: the device sees what the process wrote", bn);
	ims_dma_munmap(&vma);

	/* an offset mapping of the last page, and the -ENXIO range checks */
	vma = (struct ims_vm_area){ .vm_pgoff = 2, .len = 4096 };
	is_int(ims_dma_mmap_coherent(dev, &vma, cpu, handle, sizeof(wbuf)), 0,
	       "%s: mmap at vm_pgoff 2", bn);
	ok(vma.addr && !memcmp(vma.addr, cpu + 8192, 4096), "%s: shows the third page", bn);
	ims_dma_munmap(&vma);
	vma = (struct ims_vm_area){ .vm_pgoff = 3, .len = 4096 };
	is_int(ims_dma_mmap_coherent(dev, &vma, cpu, handle, sizeof(wbuf)), -ENXIO,
	       "%s: vm_pgoff past the buffer: -ENXIO", bn);
	vma = (struct ims_vm_area){ .vm_pgoff = 1, .len = 3 * 4096 };
	is_int(ims_dma_mmap_coherent(dev, &vma, cpu, handle, sizeof(wbuf)), -ENXIO,
	       "%s: more pages than remain: -ENXIO", bn);

	is_int(ims_dma_get_sgtable(dev, &sgt, cpu, handle, sizeof(wbuf)), 0, "%s: dma_get_sgtable",
	       bn);
	{
		unsigned int total = 0;
		bool same = true;

		for (unsigned int i = 0; i < sgt.nents; i++) {
			uint8_t *p = ims_phys_to_virt(ims_machine_mem(m), sgt.sgl[i].phys);

			same = same && p && !memcmp(p, cpu + total, sgt.sgl[i].length);
			total += sgt.sgl[i].length;
		}
		is_int(total, sizeof(wbuf), "%s: the sg table covers the buffer", bn);
		ok(same, "%s: its pages hold the buffer's bytes in order", bn);
	}
	ims_sg_free_table(&sgt);

	ims_dma_free_coherent(dev, sizeof(wbuf), cpu, handle);
	is_int(ims_machine_device_dma(m, dev, handle, rbuf, 64, false, &res), -EFAULT,
	       "%s: after free the IOVA faults", bn);
	is_int(ims_dma_debug_count(dev, IMS_DMA_DEBUG_FREE_UNMAPPED) +
		       ims_dma_debug_count(dev, IMS_DMA_DEBUG_SIZE_MISMATCH),
	       0, "%s: dma-debug is quiet", bn);
	ims_machine_free(m);
}

static int klog_count(struct ims_machine *m, const char *needle)
{
	int n = 0;

	for (int i = 0; i < ims_machine_klog_nr(m); i++)
		if (strstr(ims_machine_klog(m, i)->text, needle))
			n++;
	return n;
}

static void test_unmap(enum board b, bool lazy)
{
	const char *bn = b == ARMADA ? "armada" : "qemu-virt";
	const char *mode = lazy ? "lazy" : "strict";
	struct ims_machine *m = boot_board(b, lazy ? 0 : 1, NULL, NULL);
	struct ims_device *dev = first_iommu_pci(m);
	struct ims_machine_dma_result res;
	uint8_t data[256], got[256];
	uint8_t *buf;
	uint64_t dma;
	int faults_before;

	if (!dev) {
		ok(0, "%s %s: no device", bn, mode);
		ims_machine_free(m);
		return;
	}
	is_int(ims_dma_iommu_domain_is_lazy(dev), lazy, "%s: %s domain", bn, mode);
	buf = ims_kmalloc(ims_machine_mem(m), 4096);
	fill(buf, 256, 3);
	dma = ims_dma_map_single(dev, buf, 256, IMS_DMA_BIDIRECTIONAL);
	is_int(ims_dma_mapping_error(dev, dma), 0, "%s %s: map_single", bn, mode);
	is_int(ims_machine_device_dma(m, dev, dma, got, sizeof(got), false, &res), 0,
	       "%s %s: the device reads the mapping", bn, mode);
	ok(!memcmp(got, buf, 256), "%s %s: correct data", bn, mode);
	fill(data, sizeof(data), 0x77);
	is_int(ims_machine_device_dma(m, dev, dma, data, sizeof(data), true, &res), 0,
	       "%s %s: the device writes", bn, mode);
	ims_dma_unmap_single(dev, dma, 256, IMS_DMA_BIDIRECTIONAL);
	ok(!memcmp(buf, data, 256), "%s %s: the CPU sees the write after unmap", bn, mode);

	faults_before = b == QEMU_VIRT ? klog_count(m, "event 0x10 received")
				       : klog_count(m, "Unhandled context fault");
	if (!lazy) {
		is_int(ims_machine_device_dma(m, dev, dma, got, 16, false, &res), -EFAULT,
		       "%s strict: the access after unmap faults at once", bn);
	} else {
		is_int(ims_machine_device_dma(m, dev, dma, got, 16, false, &res), 0,
		       "%s lazy: the stale IOTLB entry still translates before the flush", bn);
		ok(ims_dma_fq_timeout(dev) >= 1, "%s lazy: the FQ timer frees the queued IOVA", bn);
		is_int(ims_machine_device_dma(m, dev, dma, got, 16, false, &res), -EFAULT,
		       "%s lazy: after the flush the access faults", bn);
	}
	is_int(res.txn.status, IMS_TXN_FAULT, "%s %s: a recorded fault", bn, mode);
	if (b == QEMU_VIRT) {
		is_hex(res.txn.fault.event, 0x10, "%s %s: F_TRANSLATION", bn, mode);
		is_int(klog_count(m, "event 0x10 received"), faults_before + 1,
		       "%s %s: the driver drained the event", bn, mode);
	} else {
		ok(res.txn.fault.cbndx >= 0 && res.txn.fault.fsr,
		   "%s %s: a context fault (cb %d, FSR 0x%x)", bn, mode, res.txn.fault.cbndx,
		   res.txn.fault.fsr);
		is_int(klog_count(m, "Unhandled context fault"), faults_before + 1,
		       "%s %s: the context fault handler ran", bn, mode);
	}
	ims_kfree(ims_machine_mem(m), buf);
	ims_machine_free(m);
}

int main(void)
{
	test_coherent_mmap(QEMU_VIRT);
	test_coherent_mmap(ARMADA);
	test_unmap(QEMU_VIRT, false);
	test_unmap(QEMU_VIRT, true);
	test_unmap(ARMADA, false);
	test_unmap(ARMADA, true);
	return tap_done();
}
