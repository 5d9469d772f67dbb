// SPDX-License-Identifier: MIT
/*
 * swiotlb bounce buffers, after Linux 6.12 kernel/dma/swiotlb.c: one pool in
 * simulated RAM below ZONE_DMA's limit, slots of IO_TLB_SIZE (2 KiB), no
 * allocation crossing an IO_TLB_SEGSIZE (128-slot) segment, data copied at
 * map (always, as since 5.14), at sync and at unmap in the right direction.
 * One area with one lock (Linux has one area per CPU).
 */
#include <stdlib.h>
#include <string.h>

#include "dma/dma-private.h"
#include "util/compiler.h"
#include "util/log.h"

size_t ims_swiotlb_max_mapping_size(void)
{
	/* swiotlb_max_mapping_size(): one segment (min_align_mask ignored). */
	return (size_t)IMS_IO_TLB_SIZE * IMS_IO_TLB_SEGSIZE;
}

/*
 * arm64 mem_init(): the default pool (64 MiB) when RAM lies beyond ZONE_DMA;
 * otherwise, for kmalloc bouncing only, RAM/1024 at most.
 */
static uint64_t pool_size(struct ims_dma_ctx *ctx)
{
	struct ims_mem_stats st;
	uint64_t size;

	if (ctx->opts.swiotlb_size)
		size = ctx->opts.swiotlb_size;
	else if (ctx->ram_end > ctx->zone_dma_limit || ctx->opts.swiotlb_force)
		size = IMS_IO_TLB_DEFAULT_SIZE;
	else {
		ims_mem_get_stats(ctx->mem, &st);
		size = IMS_MIN(IMS_IO_TLB_DEFAULT_SIZE, (st.ram_bytes + 1023) / 1024);
	}
	/* whole segments, at least one */
	size = ALIGN_UP(size, (uint64_t)IMS_IO_TLB_SIZE * IMS_IO_TLB_SEGSIZE);
	return IMS_MAX(size, (uint64_t)IMS_IO_TLB_SIZE * IMS_IO_TLB_SEGSIZE);
}

int ims_swiotlb_init(struct ims_dma_ctx *ctx)
{
	struct swiotlb *s;
	uint64_t size, pa;
	int ret = 0;

	pthread_mutex_lock(&ctx->lock);
	if (ctx->swiotlb_tried)
		goto out;
	ctx->swiotlb_tried = true;
	size = pool_size(ctx);
	s = calloc(1, sizeof(*s));
	if (!s) {
		ret = -ENOMEM;
		goto out;
	}
	/* memblock_alloc_low(): below ARCH_LOW_ADDRESS_LIMIT (arm64_dma_phys_limit - 1). */
	ret = ims_mem_alloc_pages(ctx->mem, &pa, ims_mem_order_for(size, IMS_PAGE_SIZE),
				  ctx->zone_dma_limit, 0);
	if (ret) {
		ims_warn(ctx->log, "swiotlb: Cannot allocate buffer");
		free(s);
		goto out;
	}
	s->start = pa;
	s->end = pa + size;
	s->nslabs = (uint32_t)(size >> IMS_IO_TLB_SHIFT);
	s->slots = calloc(s->nslabs, sizeof(*s->slots));
	if (!s->slots) {
		ims_mem_free_pages(ctx->mem, pa, ims_mem_order_for(size, IMS_PAGE_SIZE));
		free(s);
		ret = -ENOMEM;
		goto out;
	}
	pthread_mutex_init(&s->lock, NULL);
	ctx->swiotlb = s;
	ims_info(ctx->log, "software IO TLB: mapped [mem 0x%016llx-0x%016llx] (%lluMB)",
		 (unsigned long long)s->start, (unsigned long long)(s->end - 1),
		 (unsigned long long)(size >> 20));
out:
	pthread_mutex_unlock(&ctx->lock);
	return ret;
}

void ims_swiotlb_free(struct ims_dma_ctx *ctx)
{
	struct swiotlb *s = ctx->swiotlb;

	if (!s)
		return;
	ims_mem_free_pages(ctx->mem, s->start, ims_mem_order_for(s->end - s->start, IMS_PAGE_SIZE));
	pthread_mutex_destroy(&s->lock);
	free(s->slots);
	free(s);
	ctx->swiotlb = NULL;
}

bool ims_is_swiotlb_active(struct ims_dma_ctx *ctx)
{
	if (!ctx->swiotlb_tried)
		ims_swiotlb_init(ctx);
	return ctx->swiotlb != NULL;
}

bool ims_is_swiotlb_buffer(struct ims_dma_ctx *ctx, uint64_t paddr)
{
	struct swiotlb *s = ctx->swiotlb;

	return s && paddr >= s->start && paddr < s->end;
}

/* Copy between the original buffer and the bounce slots (swiotlb_bounce()). */
static void bounce(struct ims_dma_ctx *ctx, const struct swiotlb_slot *first, uint64_t tlb,
		   size_t size, enum ims_dma_data_direction dir)
{
	uint64_t orig = first->orig + (tlb - first->tlb);
	void *o, *t;

	if (tlb < first->tlb || tlb - first->tlb + size > first->size)
		size = tlb >= first->tlb && tlb - first->tlb < first->size
			       ? first->size - (tlb - first->tlb)
			       : 0;
	if (!size)
		return;
	o = ims_mem_host_ptr(ctx->mem, orig, size);
	t = ims_mem_host_ptr(ctx->mem, tlb, size);
	if (!o || !t)
		return;
	if (dir == IMS_DMA_TO_DEVICE)
		memcpy(t, o, size);
	else
		memcpy(o, t, size);
}

uint64_t ims_swiotlb_tbl_map_single(struct ims_dma_ctx *ctx, struct ims_device *dev, uint64_t orig,
				    size_t size, uint64_t align_mask,
				    enum ims_dma_data_direction dir, unsigned long attrs)
{
	struct swiotlb *s;
	uint64_t offset = orig & align_mask, stride_mask;
	uint32_t nslots, idx, tries, stride;
	uint64_t tlb;

	if (!ims_is_swiotlb_active(ctx)) {
		ims_dev_logf(dev, IMS_LOG_WARNING,
			     "Cannot do DMA to address 0x%llx: swiotlb inactive",
			     (unsigned long long)orig);
		return IMS_DMA_MAPPING_ERROR;
	}
	s = ctx->swiotlb;
	if (!size || size > ims_swiotlb_max_mapping_size()) {
		ims_dev_logf(dev, IMS_LOG_WARNING,
			     "swiotlb max mapping size exceeded (sz: %zu bytes, max %zu)", size,
			     ims_swiotlb_max_mapping_size());
		return IMS_DMA_MAPPING_ERROR;
	}
	nslots = (uint32_t)DIV_ROUND_UP(offset + size, IMS_IO_TLB_SIZE);
	/* Page-sized or larger mappings start on a page (iotlb_align_mask). */
	stride_mask = align_mask | (size >= IMS_PAGE_SIZE ? IMS_PAGE_SIZE - 1 : 0);
	stride = (uint32_t)((stride_mask >> IMS_IO_TLB_SHIFT) + 1);
	if (nslots > IMS_IO_TLB_SEGSIZE)
		return IMS_DMA_MAPPING_ERROR;

	pthread_mutex_lock(&s->lock);
	idx = ALIGN_UP(s->index, stride) % s->nslabs;
	for (tries = 0; tries < s->nslabs / stride + 1; tries++, idx = (idx + stride) % s->nslabs) {
		uint32_t j;

		if (idx + nslots > s->nslabs)
			continue;
		/* no allocation crosses a segment boundary */
		if (idx / IMS_IO_TLB_SEGSIZE != (idx + nslots - 1) / IMS_IO_TLB_SEGSIZE)
			continue;
		for (j = 0; j < nslots; j++)
			if (s->slots[idx + j].start)
				break;
		if (j == nslots)
			goto found;
	}
	pthread_mutex_unlock(&s->lock);
	atomic_fetch_add_explicit(&ctx->swiotlb_full, 1, memory_order_relaxed);
	if (!(attrs & IMS_DMA_ATTR_NO_WARN))
		ims_dev_logf(dev, IMS_LOG_ERR,
			     "swiotlb buffer is full (sz: %zu bytes), total %u (slots), used %llu "
			     "(slots)",
			     size, s->nslabs, (unsigned long long)s->used);
	return IMS_DMA_MAPPING_ERROR;
found:
	tlb = s->start + ((uint64_t)idx << IMS_IO_TLB_SHIFT) + offset;
	for (uint32_t j = 0; j < nslots; j++) {
		s->slots[idx + j].start = idx + 1; /* 1-based so that 0 means free */
		s->slots[idx + j].nslots = 0;
	}
	s->slots[idx].nslots = nslots;
	s->slots[idx].orig = orig;
	s->slots[idx].tlb = tlb;
	s->slots[idx].size = size;
	s->used += nslots;
	s->index = idx + nslots;
	pthread_mutex_unlock(&s->lock);
	atomic_fetch_add_explicit(&ctx->swiotlb_maps, 1, memory_order_relaxed);
	/* Always bounce in: the device may write only part of the buffer. */
	bounce(ctx, &s->slots[idx], tlb, size, IMS_DMA_TO_DEVICE);
	(void)dir;
	return tlb;
}

/* The first slot of the allocation holding @tlb, or NULL. Lock held. */
static struct swiotlb_slot *find_alloc(struct swiotlb *s, uint64_t tlb)
{
	uint32_t i;

	if (tlb < s->start || tlb >= s->end)
		return NULL;
	i = (uint32_t)((tlb - s->start) >> IMS_IO_TLB_SHIFT);
	if (!s->slots[i].start)
		return NULL;
	return &s->slots[s->slots[i].start - 1];
}

void ims_swiotlb_tbl_unmap_single(struct ims_dma_ctx *ctx, struct ims_device *dev, uint64_t tlb,
				  size_t size, enum ims_dma_data_direction dir, unsigned long attrs)
{
	struct swiotlb *s = ctx->swiotlb;
	struct swiotlb_slot *first, copy;
	uint32_t idx, n;

	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	first = find_alloc(s, tlb);
	if (!first) {
		pthread_mutex_unlock(&s->lock);
		ims_dev_logf(dev, IMS_LOG_ERR, "swiotlb: unmap of a free slot at 0x%llx",
			     (unsigned long long)tlb);
		return;
	}
	copy = *first;
	pthread_mutex_unlock(&s->lock);
	/* Copy out before the slots are released. */
	if (!(attrs & IMS_DMA_ATTR_SKIP_CPU_SYNC) &&
	    (dir == IMS_DMA_FROM_DEVICE || dir == IMS_DMA_BIDIRECTIONAL))
		bounce(ctx, &copy, tlb, size, IMS_DMA_FROM_DEVICE);
	pthread_mutex_lock(&s->lock);
	idx = (uint32_t)(first - s->slots);
	n = first->nslots;
	for (uint32_t j = 0; j < n; j++)
		memset(&s->slots[idx + j], 0, sizeof(s->slots[0]));
	s->used -= n;
	pthread_mutex_unlock(&s->lock);
}

static void sync_one(struct ims_dma_ctx *ctx, uint64_t tlb, size_t size,
		     enum ims_dma_data_direction dir)
{
	struct swiotlb *s = ctx->swiotlb;
	struct swiotlb_slot *first, copy;

	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	first = find_alloc(s, tlb);
	if (first)
		copy = *first;
	pthread_mutex_unlock(&s->lock);
	if (first)
		bounce(ctx, &copy, tlb, size, dir);
}

void ims_swiotlb_sync_single_for_device(struct ims_dma_ctx *ctx, uint64_t tlb, size_t size,
					enum ims_dma_data_direction dir)
{
	if (dir == IMS_DMA_TO_DEVICE || dir == IMS_DMA_BIDIRECTIONAL)
		sync_one(ctx, tlb, size, IMS_DMA_TO_DEVICE);
}

void ims_swiotlb_sync_single_for_cpu(struct ims_dma_ctx *ctx, uint64_t tlb, size_t size,
				     enum ims_dma_data_direction dir)
{
	if (dir == IMS_DMA_FROM_DEVICE || dir == IMS_DMA_BIDIRECTIONAL)
		sync_one(ctx, tlb, size, IMS_DMA_FROM_DEVICE);
}
