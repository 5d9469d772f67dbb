// SPDX-License-Identifier: MIT
/*
 * dma-debug: every check triggered once, on a device behind the SMMUv3 (and a
 * dma-direct one for the leak at unbind); each report names the device, the
 * call and the address.
 */
#include "dma-test.h"

#define OVL SRC_DIR "/dma-ranges.dtso"

static unsigned long cnt(struct ims_device *dev, enum ims_dma_debug_err k)
{
	return ims_dma_debug_count(dev, k);
}

/* The last message of @dev contains @a and @b. */
static bool last_msg_has(struct ims_device *dev, const char *a, const char *b)
{
	const char *t = dev->nr_msgs ? dev->msgs[dev->nr_msgs - 1].text : "";

	return strstr(t, a) && strstr(t, b);
}

int main(void)
{
	struct ims_machine *m = boot_board(QEMU_VIRT, -1, OVL, NULL);
	struct ims_device *dev = first_iommu_pci(m);
	struct ims_mem *mem = ims_machine_mem(m);
	struct ims_machine_dma_result res;
	uint8_t *buf = ims_kmalloc(mem, 8192), tmp[64];
	char addr[32];
	uint64_t dma, dma2, h;
	void *cpu;

	/* unmap of a never-mapped address */
	ims_dma_unmap_single(dev, 0x12345000, 64, IMS_DMA_TO_DEVICE);
	ok(strstr(dev->msgs[dev->nr_msgs - 1].text, dev->driver->name) != NULL,
	   "the report names the driver");
	is_int(cnt(dev, IMS_DMA_DEBUG_FREE_UNMAPPED), 1, "unmap of a never-mapped address");
	ok(last_msg_has(dev, "device driver tries to free DMA memory it has not allocated",
			"[device address=0x0000000012345000]"),
	   "the report names the device, the call and the address: %s",
	   dev->msgs[dev->nr_msgs - 1].text);

	/* double unmap */
	dma = ims_dma_map_single(dev, buf, 64, IMS_DMA_TO_DEVICE);
	ims_dma_mapping_error(dev, dma);
	ims_dma_unmap_single(dev, dma, 64, IMS_DMA_TO_DEVICE);
	is_int(cnt(dev, IMS_DMA_DEBUG_FREE_UNMAPPED), 1, "a correct unmap is quiet");
	ims_dma_unmap_single(dev, dma, 64, IMS_DMA_TO_DEVICE);
	is_int(cnt(dev, IMS_DMA_DEBUG_FREE_UNMAPPED), 2, "double unmap");

	/* size and direction mismatches at unmap */
	dma = ims_dma_map_single(dev, buf, 64, IMS_DMA_TO_DEVICE);
	ims_dma_mapping_error(dev, dma);
	ims_dma_unmap_single(dev, dma, 128, IMS_DMA_FROM_DEVICE);
	is_int(cnt(dev, IMS_DMA_DEBUG_SIZE_MISMATCH), 1, "unmap with another size");
	is_int(cnt(dev, IMS_DMA_DEBUG_DIR_MISMATCH), 1, "unmap with another direction");
	snprintf(addr, sizeof(addr), "0x%016llx", (unsigned long long)dma);
	ok(last_msg_has(dev, "frees DMA memory with different direction",
			"[mapped with DMA_TO_DEVICE] [unmapped with DMA_FROM_DEVICE]") &&
		   last_msg_has(dev, "different direction", addr),
	   "direction report with the address");

	/* sync mismatches and sync of an unmapped region */
	dma = ims_dma_map_single(dev, buf, 256, IMS_DMA_FROM_DEVICE);
	ims_dma_mapping_error(dev, dma);
	ims_dma_sync_single_for_cpu(dev, dma, 512, IMS_DMA_FROM_DEVICE);
	is_int(cnt(dev, IMS_DMA_DEBUG_SIZE_MISMATCH), 2, "sync past the mapping");
	ims_dma_sync_single_for_cpu(dev, dma, 256, IMS_DMA_TO_DEVICE);
	is_int(cnt(dev, IMS_DMA_DEBUG_DIR_MISMATCH), 2, "sync with another direction");

	/* device access to a CPU-owned region, then after sync_for_device */
	is_int(ims_machine_device_dma(m, dev, dma, tmp, 16, true, &res), 0, "device writes");
	is_int(cnt(dev, IMS_DMA_DEBUG_CPU_OWNED), 1, "device access while the CPU owns the buffer");
	ok(last_msg_has(dev, "DMA memory owned by the CPU", "device address="), "CPU-owned report");
	ims_dma_sync_single_for_device(dev, dma, 256, IMS_DMA_FROM_DEVICE);
	ims_machine_device_dma(m, dev, dma, tmp, 16, true, &res);
	is_int(cnt(dev, IMS_DMA_DEBUG_CPU_OWNED), 1, "after sync_for_device: quiet");
	ims_dma_unmap_single(dev, dma, 256, IMS_DMA_FROM_DEVICE);
	ims_dma_sync_single_for_cpu(dev, dma, 256, IMS_DMA_FROM_DEVICE);
	is_int(cnt(dev, IMS_DMA_DEBUG_SYNC_UNMAPPED), 1, "sync of an unmapped region");
	ok(last_msg_has(dev, "tries to sync DMA memory it has not allocated", "device address="),
	   "sync report");

	/* missing dma_mapping_error() */
	dma = ims_dma_map_single(dev, buf, 64, IMS_DMA_TO_DEVICE);
	ims_dma_unmap_single(dev, dma, 64, IMS_DMA_TO_DEVICE);
	is_int(cnt(dev, IMS_DMA_DEBUG_UNCHECKED), 1, "a missing dma_mapping_error check");
	ok(last_msg_has(dev, "failed to check map error", "[mapped as single]"),
	   "unchecked report");

	/* the device writes a DMA_TO_DEVICE mapping */
	dma = ims_dma_map_single(dev, buf, 64, IMS_DMA_TO_DEVICE);
	ims_dma_mapping_error(dev, dma);
	ims_machine_device_dma(m, dev, dma, tmp, 8, true, &res);
	is_int(cnt(dev, IMS_DMA_DEBUG_DEVICE_WRITE_TO_DEVICE), 1,
	       "device write into a DMA_TO_DEVICE mapping");
	ims_machine_device_dma(m, dev, dma, tmp, 8, false, &res);
	is_int(cnt(dev, IMS_DMA_DEBUG_DEVICE_WRITE_TO_DEVICE), 1, "a read of it is fine");
	ims_dma_unmap_single(dev, dma, 64, IMS_DMA_TO_DEVICE);

	/* two device-writable mappings of one cacheline */
	dma = ims_dma_map_single(dev, buf + 4096, 16, IMS_DMA_FROM_DEVICE);
	ims_dma_mapping_error(dev, dma);
	dma2 = ims_dma_map_single(dev, buf + 4096 + 32, 16, IMS_DMA_FROM_DEVICE);
	ims_dma_mapping_error(dev, dma2);
	is_int(cnt(dev, IMS_DMA_DEBUG_OVERLAP), 1, "overlapping mappings of one cacheline");
	ok(last_msg_has(dev, "cacheline tracking EEXIST", "device address="), "overlap report");
	ims_dma_unmap_single(dev, dma, 16, IMS_DMA_FROM_DEVICE);
	ims_dma_unmap_single(dev, dma2, 16, IMS_DMA_FROM_DEVICE);
	dma = ims_dma_map_single(dev, buf + 4096 + 64, 16, IMS_DMA_FROM_DEVICE);
	ims_dma_mapping_error(dev, dma);
	dma2 = ims_dma_map_single(dev, buf + 4096 + 64, 16, IMS_DMA_TO_DEVICE);
	ims_dma_mapping_error(dev, dma2);
	is_int(cnt(dev, IMS_DMA_DEBUG_OVERLAP), 1, "a DMA_TO_DEVICE mapping may share it");
	ims_dma_unmap_single(dev, dma, 16, IMS_DMA_FROM_DEVICE);
	ims_dma_unmap_single(dev, dma2, 16, IMS_DMA_TO_DEVICE);

	/* free_coherent with a wrong size */
	cpu = ims_dma_alloc_coherent(dev, 8192, &h, 0);
	ims_dma_free_coherent(dev, 4096, cpu, h);
	is_int(cnt(dev, IMS_DMA_DEBUG_SIZE_MISMATCH), 3, "free_coherent with a wrong size");
	ok(last_msg_has(dev, "[map size=8192 bytes] [unmap size=4096 bytes]", "different size"),
	   "size report");
	is_int(ims_dma_debug_nr_entries(ims_machine_devcore(m), dev), 0, "no entries left");

	/* mappings leaked at driver unbind */
	{
		struct ims_device *pd = ims_machine_find_device(m, "70000000.dmadev");
		uint64_t d1 = ims_dma_map_single(pd, buf, 64, IMS_DMA_TO_DEVICE);

		ims_dma_mapping_error(pd, d1);
		is_int(ims_dma_debug_nr_entries(ims_machine_devcore(m), pd), 1, "one live mapping");
		ims_device_release_driver(pd);
		is_int(cnt(pd, IMS_DMA_DEBUG_LEAK), 1, "leak reported at unbind");
		ok(last_msg_has(pd,
				"DMA-API: test-dma 70000000.dmadev: device driver has pending DMA "
				"allocations while released from device [count=1]",
				"[mapped as single]"),
		   "leak report names driver and device");
		ims_dma_unmap_single(pd, d1, 64, IMS_DMA_TO_DEVICE);
	}
	ims_kfree(mem, buf);
	ims_machine_free(m);
	return tap_done();
}
