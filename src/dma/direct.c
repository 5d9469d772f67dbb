// SPDX-License-Identifier: MIT
/*
 * dma-direct, after Linux 6.12 kernel/dma/direct.{c,h}: DMA addresses are
 * CPU addresses through the device's dma_range_map; an address the device
 * cannot reach (dma_capable()) bounces through swiotlb; non-coherent devices
 * get cache maintenance at map, sync and unmap (counted, not performed: the
 * simulated RAM is coherent).
 */
#include <string.h>

#include "dma/dma-private.h"
#include "util/compiler.h"
#include "util/log.h"

bool ims_dma_direct_supported(struct ims_dma_ctx *ctx, struct ims_device *dev, uint64_t mask)
{
	uint64_t min_mask = ctx->ram_end & ~(IMS_PAGE_SIZE - 1); /* (max_pfn - 1) << PAGE_SHIFT */
	uint64_t dma;

	if (mask >= DMA_BIT_MASK(32))
		return true;
	/* CONFIG_ZONE_DMA: min(min_mask, zone_dma_limit) */
	min_mask = IMS_MIN(min_mask, ctx->zone_dma_limit);
	dma = ims_phys_to_dma(dev, min_mask);
	return dma != IMS_DMA_MAPPING_ERROR && mask >= dma;
}

uint64_t ims_dma_direct_get_required_mask(struct ims_dma_ctx *ctx, struct ims_device *dev)
{
	uint64_t max_dma = ims_phys_to_dma(dev, ctx->ram_end & ~(IMS_PAGE_SIZE - 1));

	/* (1ULL << (fls64(max_dma) - 1)) * 2 - 1: all ones when RAM has no DMA address */
	max_dma |= IMS_PAGE_SIZE - 1;
	return max_dma ? DMA_BIT_MASK(ims_ilog2(max_dma) + 1) : 0;
}

/* The highest CPU address whose DMA address is within @limit (dma_to_phys of the limit). */
static uint64_t phys_limit(const struct ims_device *dev, uint64_t limit)
{
	const struct ims_bus_dma_region *m = dev->dma_range_map;
	uint64_t best = 0;

	if (!m)
		return limit;
	for (; m->size; m++) {
		uint64_t span;

		if (m->dma_start > limit)
			continue;
		span = IMS_MIN(m->size - 1, limit - m->dma_start);
		best = IMS_MAX(best, m->cpu_start + span);
	}
	return best;
}

/* dma_coherent_ok() */
static bool coherent_ok(const struct ims_device *dev, uint64_t phys, size_t size)
{
	uint64_t dma = ims_phys_to_dma(dev, phys);

	if (dma == IMS_DMA_MAPPING_ERROR)
		return false;
	return dma + size - 1 <= min_not_zero(dev->coherent_dma_mask, dev->bus_dma_limit);
}

void *ims_dma_direct_alloc(struct ims_dma_ctx *ctx, struct ims_device *dev, size_t size,
			   uint64_t *dma_handle, unsigned long attrs)
{
	uint64_t limit = min_not_zero(dev->coherent_dma_mask, dev->bus_dma_limit);
	unsigned int order;
	uint64_t pa;

	(void)attrs;
	size = ALIGN_UP(size, IMS_PAGE_SIZE);
	order = ims_mem_order_for(size, IMS_PAGE_SIZE);
	/* __dma_direct_alloc_pages(): the zone from the limit, then dma_coherent_ok(). */
	if (ims_mem_alloc_pages(ctx->mem, &pa, order, phys_limit(dev, limit), IMS_MEM_ZERO))
		return NULL;
	if (!coherent_ok(dev, pa, size)) {
		ims_mem_free_pages(ctx->mem, pa, order);
		return NULL;
	}
	/* arch_dma_prep_coherent(): non-coherent devices get the cleaned, uncached alias. */
	if (!dev->dma_coherent)
		ims_arch_sync_dma_for_device(ctx, pa, size, IMS_DMA_BIDIRECTIONAL);
	*dma_handle = ims_phys_to_dma(dev, pa);
	return ims_mem_host_ptr(ctx->mem, pa, size);
}

void ims_dma_direct_free(struct ims_dma_ctx *ctx, struct ims_device *dev, size_t size,
			 void *cpu_addr, uint64_t dma_addr, unsigned long attrs)
{
	uint64_t pa;

	(void)dev;
	(void)dma_addr;
	(void)attrs;
	if (ims_mem_virt_to_phys(ctx->mem, cpu_addr, &pa))
		return;
	size = ALIGN_UP(size, IMS_PAGE_SIZE);
	if (ims_mem_free_pages(ctx->mem, pa, ims_mem_order_for(size, IMS_PAGE_SIZE)))
		ims_dev_logf(
			dev, IMS_LOG_WARNING,
			"WARNING: dma_direct_free: 0x%llx (%zu bytes) is not an allocated block",
			(unsigned long long)pa, size);
}

uint64_t ims_dma_direct_map_page(struct ims_dma_ctx *ctx, struct ims_device *dev, uint64_t phys,
				 size_t size, enum ims_dma_data_direction dir, unsigned long attrs)
{
	uint64_t dma_addr = ims_phys_to_dma(dev, phys);

	if (ctx->opts.swiotlb_force)
		goto bounce;
	if (!ims_dma_capable(dev, dma_addr, size)) {
		if (ims_is_swiotlb_active(ctx))
			goto bounce;
		ims_dev_logf(dev, IMS_LOG_WARNING,
			     "DMA addr 0x%016llx+%zu overflow (mask %llx, bus limit %llx).",
			     (unsigned long long)dma_addr, size,
			     (unsigned long long)ims_dma_get_mask(dev),
			     (unsigned long long)dev->bus_dma_limit);
		return IMS_DMA_MAPPING_ERROR;
	}
	if (!dev->dma_coherent && !(attrs & IMS_DMA_ATTR_SKIP_CPU_SYNC))
		ims_arch_sync_dma_for_device(ctx, phys, size, dir);
	return dma_addr;

bounce : {
	/* swiotlb_map() */
	uint64_t tlb = ims_swiotlb_tbl_map_single(ctx, dev, phys, size, 0, dir, attrs);

	if (tlb == IMS_DMA_MAPPING_ERROR)
		return IMS_DMA_MAPPING_ERROR;
	dma_addr = ims_phys_to_dma(dev, tlb);
	if (!ims_dma_capable(dev, dma_addr, size)) {
		ims_swiotlb_tbl_unmap_single(ctx, dev, tlb, size, dir,
					     attrs | IMS_DMA_ATTR_SKIP_CPU_SYNC);
		ims_dev_logf(dev, IMS_LOG_WARNING,
			     "swiotlb addr 0x%016llx+%zu overflow (mask %llx, bus limit %llx).",
			     (unsigned long long)dma_addr, size,
			     (unsigned long long)ims_dma_get_mask(dev),
			     (unsigned long long)dev->bus_dma_limit);
		return IMS_DMA_MAPPING_ERROR;
	}
	if (!dev->dma_coherent && !(attrs & IMS_DMA_ATTR_SKIP_CPU_SYNC))
		ims_arch_sync_dma_for_device(ctx, tlb, size, dir);
	return dma_addr;
}
}

void ims_dma_direct_sync_single_for_cpu(struct ims_dma_ctx *ctx, struct ims_device *dev,
					uint64_t addr, size_t size, enum ims_dma_data_direction dir)
{
	uint64_t paddr = ims_dma_to_phys(dev, addr);

	if (!dev->dma_coherent)
		ims_arch_sync_dma_for_cpu(ctx, paddr, size, dir);
	if (ims_is_swiotlb_buffer(ctx, paddr))
		ims_swiotlb_sync_single_for_cpu(ctx, paddr, size, dir);
}

void ims_dma_direct_sync_single_for_device(struct ims_dma_ctx *ctx, struct ims_device *dev,
					   uint64_t addr, size_t size,
					   enum ims_dma_data_direction dir)
{
	uint64_t paddr = ims_dma_to_phys(dev, addr);

	if (ims_is_swiotlb_buffer(ctx, paddr))
		ims_swiotlb_sync_single_for_device(ctx, paddr, size, dir);
	if (!dev->dma_coherent)
		ims_arch_sync_dma_for_device(ctx, paddr, size, dir);
}

void ims_dma_direct_unmap_page(struct ims_dma_ctx *ctx, struct ims_device *dev, uint64_t addr,
			       size_t size, enum ims_dma_data_direction dir, unsigned long attrs)
{
	uint64_t phys = ims_dma_to_phys(dev, addr);

	if (!(attrs & IMS_DMA_ATTR_SKIP_CPU_SYNC) && !dev->dma_coherent)
		ims_arch_sync_dma_for_cpu(ctx, phys, size, dir);
	if (ims_is_swiotlb_buffer(ctx, phys))
		ims_swiotlb_tbl_unmap_single(ctx, dev, phys, size, dir, attrs);
}

uint64_t ims_dma_direct_map_resource(struct ims_device *dev, uint64_t phys, size_t size)
{
	/* dma_direct_map_resource(): the physical address as is. */
	if (!ims_dma_capable(dev, phys, size)) {
		ims_dev_logf(dev, IMS_LOG_WARNING,
			     "DMA addr 0x%016llx+%zu overflow (mask %llx, bus limit %llx).",
			     (unsigned long long)phys, size,
			     (unsigned long long)ims_dma_get_mask(dev),
			     (unsigned long long)dev->bus_dma_limit);
		return IMS_DMA_MAPPING_ERROR;
	}
	return phys;
}
