/* SPDX-License-Identifier: MIT */
/*
 * Simulated physical memory: RAM regions backed by sparse memfds, MMIO
 * regions dispatched to device models, and a physical page allocator.
 *
 * Models (the SMMUs) and drivers reach descriptors, tables and queues only
 * through this address space, never through pointers handed across.
 */
#ifndef IOMMUSIM_HW_H
#define IOMMUSIM_HW_H

#include <stdbool.h>
#include <stdint.h>

#include <iommusim/common.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IMS_PAGE_SHIFT 12
#define IMS_PAGE_SIZE (1ULL << IMS_PAGE_SHIFT)
/** The largest page-allocator block: 2^IMS_MEM_MAX_ORDER pages (1 GiB). */
#define IMS_MEM_MAX_ORDER 18
/** At most this many RAM regions and MMIO regions each. */
#define IMS_MEM_MAX_REGIONS 64
/** The largest RAM region accepted (documented resource limit). */
#define IMS_MEM_MAX_RAM_SIZE (1ULL << 40)

struct ims_mem;

/**
 * struct ims_mmio_ops - a device model's register interface.
 * @read:  read @size (4 or 8) bytes at offset @off into *@val; return 0 or a
 *         negative code (the access then reads as an external abort).
 * @write: write the low @size bytes of @val at offset @off.
 *
 * Accesses are naturally aligned; the dispatcher rejects others with -EINVAL.
 */
struct ims_mmio_ops {
	int (*read)(void *opaque, uint64_t off, unsigned int size, uint64_t *val);
	int (*write)(void *opaque, uint64_t off, unsigned int size, uint64_t val);
};

/**
 * ims_mem_new() - create an empty physical address space.
 * @out: the new address space.
 * @log: the log sink (may be NULL); must outlive the address space.
 *
 * Return: 0, or -ENOMEM.
 */
IMS_EXPORT int ims_mem_new(struct ims_mem **out, const struct ims_log *log);

/** ims_mem_free() - unmap and close every RAM region and free @mem (NULL is fine). */
IMS_EXPORT void ims_mem_free(struct ims_mem *mem);

/**
 * ims_mem_add_ram() - add a RAM region backed by a sparse memfd.
 * @mem:  the address space.
 * @base: page-aligned physical base.
 * @size: page-aligned size, at most IMS_MEM_MAX_RAM_SIZE.
 *
 * Pages cost host memory only once touched.  The whole region is handed to
 * the page allocator.
 *
 * Return: 0; -EINVAL for misalignment, zero size or overlap with another
 * region; -IMS_ELIMIT past the size or region-count limits; -ENOMEM when the
 * memfd cannot be created or mapped.
 */
IMS_EXPORT int ims_mem_add_ram(struct ims_mem *mem, uint64_t base, uint64_t size);

/**
 * ims_mem_reserve() - take [@base, @base + @size) out of the page allocator
 * (reserved-memory, firmware tables).  The range must lie in RAM and be free.
 *
 * Return: 0; -EINVAL if the range is not page-aligned RAM; -EBUSY if any page
 * of it is already allocated.
 */
IMS_EXPORT int ims_mem_reserve(struct ims_mem *mem, uint64_t base, uint64_t size);

/**
 * ims_mem_add_mmio() - map a model's registers at [@base, @base + @size).
 *
 * Return: 0; -EINVAL for a zero size or an overlap; -IMS_ELIMIT when full.
 */
IMS_EXPORT int ims_mem_add_mmio(struct ims_mem *mem, uint64_t base, uint64_t size,
				const struct ims_mmio_ops *ops, void *opaque);

/** ims_mem_remove_mmio() - unmap the MMIO region that starts at @base. Return: 0 or -ENOENT. */
IMS_EXPORT int ims_mem_remove_mmio(struct ims_mem *mem, uint64_t base);

/**
 * ims_mmio_read() - a CPU register read, dispatched to the model at @pa.
 * @size: 4 or 8; @pa must be aligned to it.
 *
 * Return: 0; -EINVAL for a bad size or alignment; -EFAULT where no MMIO
 * region is mapped; or the model's error.
 */
IMS_EXPORT int ims_mmio_read(struct ims_mem *mem, uint64_t pa, unsigned int size, uint64_t *val);
/** ims_mmio_write() - a CPU register write; as ims_mmio_read(). */
IMS_EXPORT int ims_mmio_write(struct ims_mem *mem, uint64_t pa, unsigned int size, uint64_t val);

/**
 * ims_mem_read() - copy @len bytes of RAM at @pa into @buf.
 *
 * Return: 0, or -EFAULT if any byte is outside RAM (nothing is copied then).
 */
IMS_EXPORT int ims_mem_read(struct ims_mem *mem, uint64_t pa, void *buf, uint64_t len);
/** ims_mem_write() - copy @len bytes from @buf into RAM at @pa. Return: 0 or -EFAULT. */
IMS_EXPORT int ims_mem_write(struct ims_mem *mem, uint64_t pa, const void *buf, uint64_t len);
/** ims_mem_set() - fill @len bytes of RAM at @pa with @c. Return: 0 or -EFAULT. */
IMS_EXPORT int ims_mem_set(struct ims_mem *mem, uint64_t pa, int c, uint64_t len);

/** ims_mem_read32() / ims_mem_read64() - little-endian loads. Return: 0 or -EFAULT. */
IMS_EXPORT int ims_mem_read32(struct ims_mem *mem, uint64_t pa, uint32_t *val);
IMS_EXPORT int ims_mem_read64(struct ims_mem *mem, uint64_t pa, uint64_t *val);
/** ims_mem_write32() / ims_mem_write64() - little-endian stores. Return: 0 or -EFAULT. */
IMS_EXPORT int ims_mem_write32(struct ims_mem *mem, uint64_t pa, uint32_t val);
IMS_EXPORT int ims_mem_write64(struct ims_mem *mem, uint64_t pa, uint64_t val);

/**
 * ims_mem_host_ptr() - the host address of RAM at @pa, for fast paths.
 *
 * Return: a pointer valid for @len bytes while @mem lives, or NULL when the
 * range is not wholly inside one RAM region.
 */
IMS_EXPORT void *ims_mem_host_ptr(struct ims_mem *mem, uint64_t pa, uint64_t len);

/**
 * ims_mem_ram_fd() - the memfd and offset behind RAM at @pa, so that callers
 * can mmap() the very pages a device sees.
 *
 * Return: 0, or -EFAULT if @pa is not RAM.
 */
IMS_EXPORT int ims_mem_ram_fd(struct ims_mem *mem, uint64_t pa, int *fd, uint64_t *offset);

/**
 * ims_mem_ram_region() - the @idx-th RAM region (memblock's memory list).
 * @mem:  the address space.
 * @idx:  0, 1, ...
 * @base: set to its base.
 * @size: set to its size.
 *
 * Return: 0, or -ENOENT past the last region.
 */
IMS_EXPORT int ims_mem_ram_region(struct ims_mem *mem, unsigned int idx, uint64_t *base,
				  uint64_t *size);

/**
 * ims_mem_virt_to_phys() - the reverse of ims_mem_host_ptr(): the physical
 * address of a host pointer into simulated RAM (virt_to_phys()).
 * @mem: the address space.
 * @ptr: a host pointer.
 * @pa:  set to the physical address.
 *
 * Return: 0; -EFAULT when @ptr is not inside RAM; -EINVAL for NULL arguments.
 */
IMS_EXPORT int ims_mem_virt_to_phys(struct ims_mem *mem, const void *ptr, uint64_t *pa);

/** ims_mem_is_ram() - whether all of [@pa, @pa + @len) is RAM. */
IMS_EXPORT bool ims_mem_is_ram(struct ims_mem *mem, uint64_t pa, uint64_t len);

/** Page-allocator flags. */
#define IMS_MEM_ZERO 0x1u /* zero the block before returning it */

/**
 * ims_mem_alloc_pages() - allocate 2^@order contiguous pages, naturally aligned.
 * @pa:     the physical address of the block.
 * @order:  0..IMS_MEM_MAX_ORDER.
 * @max_pa: the block must end at or below this address (inclusive); use
 *          UINT64_MAX for no limit.  Lower regions are preferred only when a
 *          limit is given.
 * @flags:  IMS_MEM_ZERO.
 *
 * Thread-safe.
 * Return: 0; -EINVAL for a bad order; -ENOMEM when no block fits.
 */
IMS_EXPORT int ims_mem_alloc_pages(struct ims_mem *mem, uint64_t *pa, unsigned int order,
				   uint64_t max_pa, unsigned int flags);

/**
 * ims_mem_free_pages() - return a block from ims_mem_alloc_pages().
 *
 * Return: 0, or -EINVAL when @pa/@order is not an allocated block (a double
 * free or a wrong order); the allocator is left unchanged then.
 */
IMS_EXPORT int ims_mem_free_pages(struct ims_mem *mem, uint64_t pa, unsigned int order);

/**
 * ims_mem_alloc() - allocate at least @size bytes aligned to @align (a power of
 * two, at most 1 GiB) as one buddy block. Pass the same @size to ims_mem_free().
 */
IMS_EXPORT int ims_mem_alloc(struct ims_mem *mem, uint64_t *pa, uint64_t size, uint64_t align,
			     unsigned int flags);
/** ims_mem_free_block() - free a block from ims_mem_alloc() of @size bytes. Return: 0 or -EINVAL. */
IMS_EXPORT int ims_mem_free_block(struct ims_mem *mem, uint64_t pa, uint64_t size);

/** ims_mem_order_for() - the smallest order whose block holds @size bytes (aligned to @align). */
IMS_EXPORT unsigned int ims_mem_order_for(uint64_t size, uint64_t align);

/**
 * struct ims_mem_stats - memory statistics.
 * @ram_bytes:       total RAM.
 * @free_bytes:      bytes free in the page allocator.
 * @allocated_bytes: bytes handed out and not yet freed.
 * @reserved_bytes:  bytes taken by ims_mem_reserve().
 * @ram_regions:     RAM region count.
 * @mmio_regions:    MMIO region count.
 */
struct ims_mem_stats {
	uint64_t ram_bytes;
	uint64_t free_bytes;
	uint64_t allocated_bytes;
	uint64_t reserved_bytes;
	unsigned int ram_regions;
	unsigned int mmio_regions;
};

/** ims_mem_get_stats() - fill *@st. */
IMS_EXPORT void ims_mem_get_stats(struct ims_mem *mem, struct ims_mem_stats *st);

#ifdef __cplusplus
}
#endif
#endif /* IOMMUSIM_HW_H */
