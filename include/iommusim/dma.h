/* SPDX-License-Identifier: MIT */
/*
 * The DMA API over the IOMMU: a model of Linux 6.12 kernel/dma/{mapping,
 * direct,swiotlb,debug}.c and drivers/iommu/dma-iommu.c on the library's
 * device handle.  Each call dispatches like dma_map_page_attrs() & co:
 * dev->dma_ops IMS_DMA_OPS_IOMMU (use_dma_iommu()) goes to dma-iommu,
 * IMS_DMA_OPS_DIRECT to dma-direct (with swiotlb bounce buffers), and
 * IMS_DMA_OPS_DUMMY to dma_dummy_ops, where every call fails cleanly.
 *
 * CPU buffers live in the simulated RAM of the device's driver core
 * (ims_devcore_mem()): "virtual addresses" are host pointers into it.
 * See docs/dma.md.
 */
#ifndef IOMMUSIM_DMA_H
#define IOMMUSIM_DMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <iommusim/bus.h>
#include <iommusim/common.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ims_iommu_domain;

/** IMS_DMA_BIT_MASK() - DMA_BIT_MASK(n). */
#define IMS_DMA_BIT_MASK(n) (((n) == 64) ? ~0ULL : ((1ULL << (n)) - 1))

/** IMS_DMA_MAPPING_ERROR - DMA_MAPPING_ERROR. */
#define IMS_DMA_MAPPING_ERROR (~0ULL)

/** enum ims_dma_data_direction - enum dma_data_direction. */
enum ims_dma_data_direction {
	IMS_DMA_BIDIRECTIONAL = 0,
	IMS_DMA_TO_DEVICE = 1,
	IMS_DMA_FROM_DEVICE = 2,
	IMS_DMA_NONE = 3,
};

/* DMA attributes (include/linux/dma-mapping.h values). */
#define IMS_DMA_ATTR_WEAK_ORDERING (1UL << 1)
#define IMS_DMA_ATTR_WRITE_COMBINE (1UL << 2)
#define IMS_DMA_ATTR_NO_KERNEL_MAPPING (1UL << 4)
#define IMS_DMA_ATTR_SKIP_CPU_SYNC (1UL << 5)
#define IMS_DMA_ATTR_FORCE_CONTIGUOUS (1UL << 6)
#define IMS_DMA_ATTR_ALLOC_SINGLE_PAGES (1UL << 7)
#define IMS_DMA_ATTR_NO_WARN (1UL << 8)
#define IMS_DMA_ATTR_PRIVILEGED (1UL << 9)

/* swiotlb geometry (include/linux/swiotlb.h). */
#define IMS_IO_TLB_SHIFT 11
#define IMS_IO_TLB_SIZE (1u << IMS_IO_TLB_SHIFT)
#define IMS_IO_TLB_SEGSIZE 128
#define IMS_IO_TLB_DEFAULT_SIZE (64ULL << 20)

/** The flush-queue size (IOVA_DEFAULT_FQ_SIZE) and timeout (IOVA_DEFAULT_FQ_TIMEOUT, ms). */
#define IMS_IOVA_DEFAULT_FQ_SIZE 256
#define IMS_IOVA_DEFAULT_FQ_TIMEOUT 10

/** The cacheline dma-debug tracks (L1_CACHE_SHIFT on arm64). */
#define IMS_DMA_DEBUG_CACHELINE_SHIFT 6

/**
 * struct ims_dma_opts - the DMA layer's boot options.
 * @swiotlb_size:  the default swiotlb pool in bytes (swiotlb=); 0 = 64 MiB.
 * @swiotlb_force: swiotlb=force: dma-direct bounces every streaming mapping.
 * @swiotlb_early: allocate the pool when the options are set (as at boot)
 *                 instead of at first use.
 * @forcedac:      iommu.forcedac=1: PCI devices do not try 32-bit IOVAs first.
 * @debug:         CONFIG_DMA_API_DEBUG (dma-debug checks and reports).
 * @fq_size:       flush-queue entries per domain, rounded up to a power of two;
 *                 0 = IMS_IOVA_DEFAULT_FQ_SIZE.
 */
struct ims_dma_opts {
	uint64_t swiotlb_size;
	bool swiotlb_force;
	bool swiotlb_early;
	bool forcedac;
	bool debug;
	unsigned int fq_size;
};

/**
 * struct ims_dma_stats - counters of one system's DMA layer.
 * @cache_clean:       arch_sync_dma_for_device() calls (non-coherent devices).
 * @cache_inval:       arch_sync_dma_for_cpu() calls.
 * @swiotlb_maps:      swiotlb_tbl_map_single() successes.
 * @swiotlb_full:      swiotlb allocations that failed.
 * @swiotlb_used:      slots in use now.
 * @swiotlb_nslabs:    slots in the pool (0 before it exists).
 * @swiotlb_base:      the pool's physical base.
 * @fq_queued:         IOVAs queued for a lazy flush.
 * @fq_flushes:        flush-queue IOTLB flushes (full queue, timeout, teardown).
 * @debug_errors:      dma-debug reports.
 */
struct ims_dma_stats {
	uint64_t cache_clean;
	uint64_t cache_inval;
	uint64_t swiotlb_maps;
	uint64_t swiotlb_full;
	uint64_t swiotlb_used;
	uint64_t swiotlb_nslabs;
	uint64_t swiotlb_base;
	uint64_t fq_queued;
	uint64_t fq_flushes;
	uint64_t debug_errors;
};

/**
 * struct ims_scatterlist - struct scatterlist.
 * @phys:        the CPU physical address of the segment (page + offset).
 * @length:      its length.
 * @dma_address: set by ims_dma_map_sg().
 * @dma_length:  set by ims_dma_map_sg() (segments may be merged).
 */
struct ims_scatterlist {
	uint64_t phys;
	unsigned int length;
	uint64_t dma_address;
	unsigned int dma_length;
};

/**
 * struct ims_sg_table - struct sg_table.
 * @sgl:        the entries.
 * @nents:      mapped entries.
 * @orig_nents: entries.
 */
struct ims_sg_table {
	struct ims_scatterlist *sgl;
	unsigned int nents;
	unsigned int orig_nents;
};

/**
 * struct ims_vm_area - the user mapping made by ims_dma_mmap_attrs() (a vma).
 * @vm_pgoff: in: the offset into the buffer, in pages.
 * @len:      in: the mapping length in bytes (rounded up to pages).
 * @addr:     out: the start of the mapping in the calling process.
 */
struct ims_vm_area {
	unsigned long vm_pgoff;
	size_t len;
	void *addr;
};

/**
 * ims_dma_setup() - set the DMA layer's options for the system of @core.
 * @core: the driver core.
 * @opts: the options (copied), or NULL for the defaults.
 *
 * Without this call the defaults apply at first use.
 *
 * Return: 0; -EBUSY when the DMA layer of @core is already in use; -ENOMEM;
 * -ENODEV when @core has no memory; the swiotlb allocation error with
 * @opts->swiotlb_early.
 */
IMS_EXPORT int ims_dma_setup(struct ims_devcore *core, const struct ims_dma_opts *opts);

/**
 * ims_dma_get_stats() - the counters.
 * @core: the driver core.
 * @st:   filled (zeros before first use).
 */
IMS_EXPORT void ims_dma_get_stats(struct ims_devcore *core, struct ims_dma_stats *st);

/* ---- CPU buffers in simulated RAM ----------------------------------------------- */

/**
 * ims_kmalloc() - kmalloc(): a zeroed buffer in simulated RAM, aligned to at
 * least ARCH_DMA_MINALIGN (a page for sizes of a page or more).
 * @mem:  the address space.
 * @size: bytes, at least 1.
 *
 * Thread-safe.
 * Return: the host pointer, or NULL.
 */
IMS_EXPORT void *ims_kmalloc(struct ims_mem *mem, size_t size);

/**
 * ims_kfree() - kfree() a buffer from ims_kmalloc(); NULL is fine.
 * @mem: the address space.
 * @ptr: the buffer.
 */
IMS_EXPORT void ims_kfree(struct ims_mem *mem, void *ptr);

/**
 * ims_virt_to_phys() - virt_to_phys() for a host pointer into simulated RAM.
 * @mem: the address space.
 * @ptr: the pointer.
 *
 * Return: the physical address, or ~0 when @ptr is not in RAM.
 */
IMS_EXPORT uint64_t ims_virt_to_phys(struct ims_mem *mem, const void *ptr);

/**
 * ims_phys_to_virt() - phys_to_virt().
 * @mem: the address space.
 * @pa:  a RAM address.
 *
 * Return: the host pointer, or NULL.
 */
IMS_EXPORT void *ims_phys_to_virt(struct ims_mem *mem, uint64_t pa);

/**
 * ims_sg_init_table() - sg_init_table(): zero @nents entries.
 * @sg:    the entries.
 * @nents: how many.
 */
IMS_EXPORT void ims_sg_init_table(struct ims_scatterlist *sg, unsigned int nents);

/**
 * ims_sg_set_buf() - sg_set_buf(): point @sg at @len bytes at host pointer @buf.
 * @mem: the address space.
 * @sg:  the entry.
 * @buf: a host pointer into RAM.
 * @len: bytes.
 *
 * Return: 0, or -EFAULT when @buf is not in RAM.
 */
IMS_EXPORT int ims_sg_set_buf(struct ims_mem *mem, struct ims_scatterlist *sg, const void *buf,
			      unsigned int len);

/**
 * ims_sg_free_table() - sg_free_table().
 * @sgt: the table; its entries are freed.
 */
IMS_EXPORT void ims_sg_free_table(struct ims_sg_table *sgt);

/* ---- masks ------------------------------------------------------------------------ */

/**
 * ims_dma_supported() - dma_supported(): dma-iommu: always; dma-direct: a
 * 32-bit or larger mask, or one that covers the lowest of ZONE_DMA's limit and
 * the end of RAM; dummy: never.
 * @dev:  the device.
 * @mask: the mask.
 *
 * Return: true when supported.
 */
IMS_EXPORT bool ims_dma_supported(struct ims_device *dev, uint64_t mask);

/**
 * ims_dma_set_mask() - dma_set_mask().
 * @dev:  the device.
 * @mask: the streaming mask.
 *
 * Return: 0, or -EIO when the device has no dma_mask or @mask is not supported.
 */
IMS_EXPORT int ims_dma_set_mask(struct ims_device *dev, uint64_t mask);

/** ims_dma_set_coherent_mask() - dma_set_coherent_mask(); as ims_dma_set_mask(). */
IMS_EXPORT int ims_dma_set_coherent_mask(struct ims_device *dev, uint64_t mask);

/** ims_dma_set_mask_and_coherent() - dma_set_mask_and_coherent(). Return: 0 or -EIO. */
IMS_EXPORT int ims_dma_set_mask_and_coherent(struct ims_device *dev, uint64_t mask);

/**
 * ims_dma_get_mask() - dma_get_mask(): the streaming mask, or 32 bits when unset.
 * @dev: the device.
 *
 * Return: the mask.
 */
IMS_EXPORT uint64_t ims_dma_get_mask(struct ims_device *dev);

/**
 * ims_dma_get_required_mask() - dma_get_required_mask(): dma-iommu: 32 bits;
 * dma-direct: the mask that covers the highest RAM address.
 * @dev: the device.
 *
 * Return: the mask.
 */
IMS_EXPORT uint64_t ims_dma_get_required_mask(struct ims_device *dev);

/**
 * ims_dma_max_mapping_size() - dma_max_mapping_size(): SIZE_MAX, or the
 * swiotlb limit (IO_TLB_SEGSIZE slots) when mappings may bounce.
 * @dev: the device.
 *
 * Return: bytes.
 */
IMS_EXPORT size_t ims_dma_max_mapping_size(struct ims_device *dev);

/**
 * ims_dma_addressing_limited() - dma_addressing_limited().
 * @dev: the device.
 *
 * Return: true when the device cannot reach all of RAM directly.
 */
IMS_EXPORT bool ims_dma_addressing_limited(struct ims_device *dev);

/* ---- coherent memory -------------------------------------------------------------- */

/**
 * ims_dma_alloc_attrs() - dma_alloc_attrs(): zeroed memory both the CPU and
 * the device can use.  dma-direct: one block within the coherent mask;
 * dma-iommu: pages allocated one by one, mapped contiguously in IOVA space.
 * @dev:        the device.
 * @size:       bytes.
 * @dma_handle: set to the DMA address.
 * @gfp:        IMS_GFP_* (IMS_GFP_COMP is refused).
 * @attrs:      IMS_DMA_ATTR_*.
 *
 * Return: the CPU address (host pointer; for a non-contiguous IOMMU buffer a
 * contiguous mapping of its pages), or NULL.
 */
IMS_EXPORT void *ims_dma_alloc_attrs(struct ims_device *dev, size_t size, uint64_t *dma_handle,
				     unsigned int gfp, unsigned long attrs);

/** ims_dma_alloc_coherent() - dma_alloc_coherent(): ims_dma_alloc_attrs() without attrs. */
IMS_EXPORT void *ims_dma_alloc_coherent(struct ims_device *dev, size_t size, uint64_t *dma_handle,
					unsigned int gfp);

/**
 * ims_dma_free_attrs() - dma_free_attrs().
 * @dev:        the device.
 * @size:       the size passed to the allocation.
 * @cpu_addr:   the CPU address returned.
 * @dma_handle: the DMA address returned.
 * @attrs:      the attrs passed.
 */
IMS_EXPORT void ims_dma_free_attrs(struct ims_device *dev, size_t size, void *cpu_addr,
				   uint64_t dma_handle, unsigned long attrs);

/** ims_dma_free_coherent() - dma_free_coherent(). */
IMS_EXPORT void ims_dma_free_coherent(struct ims_device *dev, size_t size, void *cpu_addr,
				      uint64_t dma_handle);

/**
 * ims_dma_mmap_attrs() - dma_mmap_attrs(): map a coherent buffer into the
 * calling process with mmap() of the very memfd pages, page by page in order.
 * @dev:      the device.
 * @vma:      @vma->vm_pgoff and @vma->len in; @vma->addr out (ims_dma_munmap()).
 * @cpu_addr: the CPU address from the allocation.
 * @dma_addr: the DMA address from the allocation.
 * @size:     its size.
 * @attrs:    its attrs.
 *
 * Return: 0; -ENXIO when the range lies outside the buffer (vm_pgoff >= pages,
 * or more pages than remain) or the ops cannot mmap; -ENOMEM; -EFAULT.
 */
IMS_EXPORT int ims_dma_mmap_attrs(struct ims_device *dev, struct ims_vm_area *vma, void *cpu_addr,
				  uint64_t dma_addr, size_t size, unsigned long attrs);

/** ims_dma_mmap_coherent() - dma_mmap_coherent(). */
IMS_EXPORT int ims_dma_mmap_coherent(struct ims_device *dev, struct ims_vm_area *vma,
				     void *cpu_addr, uint64_t dma_addr, size_t size);

/**
 * ims_dma_munmap() - munmap() a mapping made by ims_dma_mmap_attrs().
 * @vma: the area; @vma->addr is cleared.
 */
IMS_EXPORT void ims_dma_munmap(struct ims_vm_area *vma);

/**
 * ims_dma_get_sgtable_attrs() - dma_get_sgtable_attrs(): the pages of a
 * coherent buffer (one entry per contiguous run).
 * @dev:      the device.
 * @sgt:      filled; free with ims_sg_free_table().
 * @cpu_addr: the CPU address.
 * @dma_addr: the DMA address.
 * @size:     the size.
 * @attrs:    attrs.
 *
 * Return: 0; -ENXIO (dummy ops); -ENOMEM; -EFAULT.
 */
IMS_EXPORT int ims_dma_get_sgtable_attrs(struct ims_device *dev, struct ims_sg_table *sgt,
					 void *cpu_addr, uint64_t dma_addr, size_t size,
					 unsigned long attrs);

/** ims_dma_get_sgtable() - dma_get_sgtable(). */
IMS_EXPORT int ims_dma_get_sgtable(struct ims_device *dev, struct ims_sg_table *sgt, void *cpu_addr,
				   uint64_t dma_addr, size_t size);

/* ---- streaming mappings ----------------------------------------------------------- */

/**
 * ims_dma_map_page_attrs() - dma_map_page_attrs().
 * @dev:    the device.
 * @page:   the page's physical address (page-aligned or not: offset is added).
 * @offset: the offset into it.
 * @size:   bytes.
 * @dir:    the direction.
 * @attrs:  IMS_DMA_ATTR_*.
 *
 * Return: the DMA address, or IMS_DMA_MAPPING_ERROR (test with ims_dma_mapping_error()).
 */
IMS_EXPORT uint64_t ims_dma_map_page_attrs(struct ims_device *dev, uint64_t page, size_t offset,
					   size_t size, enum ims_dma_data_direction dir,
					   unsigned long attrs);

/** ims_dma_unmap_page_attrs() - dma_unmap_page_attrs(). */
IMS_EXPORT void ims_dma_unmap_page_attrs(struct ims_device *dev, uint64_t addr, size_t size,
					 enum ims_dma_data_direction dir, unsigned long attrs);

/** ims_dma_map_page() - dma_map_page(). */
IMS_EXPORT uint64_t ims_dma_map_page(struct ims_device *dev, uint64_t page, size_t offset,
				     size_t size, enum ims_dma_data_direction dir);

/** ims_dma_unmap_page() - dma_unmap_page(). */
IMS_EXPORT void ims_dma_unmap_page(struct ims_device *dev, uint64_t addr, size_t size,
				   enum ims_dma_data_direction dir);

/**
 * ims_dma_map_single_attrs() - dma_map_single_attrs(): map a host pointer into RAM.
 * @dev:   the device.
 * @ptr:   the buffer (a host pointer into the device's RAM).
 * @size:  bytes.
 * @dir:   the direction.
 * @attrs: attrs.
 *
 * Return: the DMA address, or IMS_DMA_MAPPING_ERROR.
 */
IMS_EXPORT uint64_t ims_dma_map_single_attrs(struct ims_device *dev, const void *ptr, size_t size,
					     enum ims_dma_data_direction dir, unsigned long attrs);

/** ims_dma_unmap_single_attrs() - dma_unmap_single_attrs(). */
IMS_EXPORT void ims_dma_unmap_single_attrs(struct ims_device *dev, uint64_t addr, size_t size,
					   enum ims_dma_data_direction dir, unsigned long attrs);

/** ims_dma_map_single() - dma_map_single(). */
IMS_EXPORT uint64_t ims_dma_map_single(struct ims_device *dev, const void *ptr, size_t size,
				       enum ims_dma_data_direction dir);

/** ims_dma_unmap_single() - dma_unmap_single(). */
IMS_EXPORT void ims_dma_unmap_single(struct ims_device *dev, uint64_t addr, size_t size,
				     enum ims_dma_data_direction dir);

/**
 * ims_dma_map_sg_attrs() - dma_map_sg_attrs().  dma-iommu merges the segments
 * into one IOVA range (iommu_dma_map_sg); dma-direct maps each one.
 * @dev:   the device.
 * @sg:    the entries (@phys and @length set).
 * @nents: how many.
 * @dir:   the direction.
 * @attrs: attrs.
 *
 * Return: the number of DMA segments, or 0 on failure.
 */
IMS_EXPORT int ims_dma_map_sg_attrs(struct ims_device *dev, struct ims_scatterlist *sg, int nents,
				    enum ims_dma_data_direction dir, unsigned long attrs);

/** ims_dma_map_sg() - dma_map_sg(). */
IMS_EXPORT int ims_dma_map_sg(struct ims_device *dev, struct ims_scatterlist *sg, int nents,
			      enum ims_dma_data_direction dir);

/** ims_dma_unmap_sg_attrs() - dma_unmap_sg_attrs(): @nents as passed to the map. */
IMS_EXPORT void ims_dma_unmap_sg_attrs(struct ims_device *dev, struct ims_scatterlist *sg,
				       int nents, enum ims_dma_data_direction dir,
				       unsigned long attrs);

/** ims_dma_unmap_sg() - dma_unmap_sg(). */
IMS_EXPORT void ims_dma_unmap_sg(struct ims_device *dev, struct ims_scatterlist *sg, int nents,
				 enum ims_dma_data_direction dir);

/**
 * ims_dma_map_resource() - dma_map_resource(): map MMIO (no swiotlb, no cache
 * maintenance; RAM is refused with a WARN as Linux does).
 * @dev:       the device.
 * @phys_addr: the physical address.
 * @size:      bytes.
 * @dir:       the direction.
 * @attrs:     attrs.
 *
 * Return: the DMA address, or IMS_DMA_MAPPING_ERROR.
 */
IMS_EXPORT uint64_t ims_dma_map_resource(struct ims_device *dev, uint64_t phys_addr, size_t size,
					 enum ims_dma_data_direction dir, unsigned long attrs);

/** ims_dma_unmap_resource() - dma_unmap_resource(). */
IMS_EXPORT void ims_dma_unmap_resource(struct ims_device *dev, uint64_t addr, size_t size,
				       enum ims_dma_data_direction dir, unsigned long attrs);

/** ims_dma_sync_single_for_cpu() - dma_sync_single_for_cpu(). */
IMS_EXPORT void ims_dma_sync_single_for_cpu(struct ims_device *dev, uint64_t addr, size_t size,
					    enum ims_dma_data_direction dir);

/** ims_dma_sync_single_for_device() - dma_sync_single_for_device(). */
IMS_EXPORT void ims_dma_sync_single_for_device(struct ims_device *dev, uint64_t addr, size_t size,
					       enum ims_dma_data_direction dir);

/** ims_dma_sync_sg_for_cpu() - dma_sync_sg_for_cpu(): @nelems as passed to the map. */
IMS_EXPORT void ims_dma_sync_sg_for_cpu(struct ims_device *dev, struct ims_scatterlist *sg,
					int nelems, enum ims_dma_data_direction dir);

/** ims_dma_sync_sg_for_device() - dma_sync_sg_for_device(). */
IMS_EXPORT void ims_dma_sync_sg_for_device(struct ims_device *dev, struct ims_scatterlist *sg,
					   int nelems, enum ims_dma_data_direction dir);

/**
 * ims_dma_mapping_error() - dma_mapping_error() (dma-debug notes the check).
 * @dev:      the device.
 * @dma_addr: a returned address.
 *
 * Return: 0, or -ENOMEM for IMS_DMA_MAPPING_ERROR.
 */
IMS_EXPORT int ims_dma_mapping_error(struct ims_device *dev, uint64_t dma_addr);

/* ---- dma-direct helpers ------------------------------------------------------------ */

/**
 * ims_phys_to_dma() - phys_to_dma() through the device's dma_range_map.
 * @dev:  the device.
 * @phys: a CPU physical address.
 *
 * Return: the DMA address, or IMS_DMA_MAPPING_ERROR outside every region.
 */
IMS_EXPORT uint64_t ims_phys_to_dma(const struct ims_device *dev, uint64_t phys);

/**
 * ims_dma_to_phys() - dma_to_phys().
 * @dev: the device.
 * @dma: a DMA address.
 *
 * Return: the CPU address, or ~0 outside every region.
 */
IMS_EXPORT uint64_t ims_dma_to_phys(const struct ims_device *dev, uint64_t dma);

/**
 * ims_dma_capable() - dma_capable(): @addr .. @addr + @size - 1 fits
 * min_not_zero(dma_mask, bus_dma_limit).
 * @dev:  the device.
 * @addr: the DMA address.
 * @size: bytes.
 *
 * Return: true when the device can reach it.
 */
IMS_EXPORT bool ims_dma_capable(const struct ims_device *dev, uint64_t addr, size_t size);

/* ---- dma-iommu ---------------------------------------------------------------------- */

/**
 * ims_dma_fq_timeout() - fire the flush-queue timer (fq_flush_timeout, 10 ms
 * in Linux) of @dev's DMA domain now: flush the IOTLB and free queued IOVAs.
 * @dev: the device.
 *
 * Return: the number of IOVAs freed, 0 when nothing was queued or the timer
 * was not armed, -ENODEV when the device is not on dma-iommu.
 */
IMS_EXPORT int ims_dma_fq_timeout(struct ims_device *dev);

/**
 * ims_dma_iommu_domain_is_lazy() - whether @dev's DMA domain uses a flush queue.
 * @dev: the device.
 *
 * Return: true for DMA_FQ with a flush queue.
 */
IMS_EXPORT bool ims_dma_iommu_domain_is_lazy(struct ims_device *dev);

/* ---- dma-debug ---------------------------------------------------------------------- */

/** enum ims_dma_debug_err - what dma-debug reported (counted per kind). */
enum ims_dma_debug_err {
	IMS_DMA_DEBUG_FREE_UNMAPPED = 0,      /* unmap/free of an address never mapped (or twice) */
	IMS_DMA_DEBUG_SIZE_MISMATCH,	      /* unmap/sync/free with another size */
	IMS_DMA_DEBUG_DIR_MISMATCH,	      /* unmap/sync with another direction */
	IMS_DMA_DEBUG_SYNC_UNMAPPED,	      /* sync of a region never mapped */
	IMS_DMA_DEBUG_UNCHECKED,	      /* dma_mapping_error() not called */
	IMS_DMA_DEBUG_LEAK,		      /* mappings pending at driver unbind */
	IMS_DMA_DEBUG_DEVICE_WRITE_TO_DEVICE, /* device wrote a DMA_TO_DEVICE region */
	IMS_DMA_DEBUG_CPU_OWNED,	      /* device touched a region the CPU owns */
	IMS_DMA_DEBUG_OVERLAP,		      /* two mappings of one cacheline */
	IMS_DMA_DEBUG_TYPE_MISMATCH,	      /* unmap as single what was mapped as page... */
	IMS_DMA_DEBUG_NR,
};

/**
 * ims_dma_debug_count() - how many reports of @kind the system of @dev made.
 * @dev:  any device of the system.
 * @kind: the kind.
 *
 * Return: the count.
 */
IMS_EXPORT unsigned long ims_dma_debug_count(struct ims_device *dev, enum ims_dma_debug_err kind);

/**
 * ims_dma_debug_device_access() - tell dma-debug that @dev is about to access
 * @len bytes at @dma_addr (the device side; ims_machine_device_dma() calls it).
 * @dev:      the device.
 * @dma_addr: the DMA address.
 * @len:      bytes.
 * @write:    a device write (DMA to memory).
 */
IMS_EXPORT void ims_dma_debug_device_access(struct ims_device *dev, uint64_t dma_addr, uint64_t len,
					    bool write);

/**
 * ims_dma_debug_nr_entries() - live dma-debug entries of @dev (NULL: all).
 * @core: the system.
 * @dev:  the device, or NULL.
 *
 * Return: the count.
 */
IMS_EXPORT unsigned long ims_dma_debug_nr_entries(struct ims_devcore *core,
						  const struct ims_device *dev);

#ifdef __cplusplus
}
#endif

#endif /* IOMMUSIM_DMA_H */
