// SPDX-License-Identifier: MIT
/*
 * dma-iommu, after Linux 6.12 drivers/iommu/dma-iommu.c: one iova_domain per
 * DMA domain (the domain's iova_cookie), IOVAs allocated with the
 * 32-bit-first policy for PCI, iommu_map()/iommu_unmap_fast(), strict unmap
 * (iotlb_sync before returning) or a flush queue for DMA_FQ domains (queued
 * IOVAs are freed only after a flush_iotlb_all: until then the IOTLB may still
 * hold the old translation), and swiotlb bouncing of sub-granule buffers for
 * untrusted devices.
 */
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "dma/dma-iommu.h"
#include "dma/dma-private.h"
#include "util/compiler.h"
#include "util/log.h"
#include <iommusim/iova.h>

unsigned int ims_iommu_dma_fq_ring_free(struct dma_cookie *c)
{
	const struct ims_iova_fq_entry *ring = c->ring;
	uint64_t head = c->head, tail = atomic_load_explicit(&c->tail, memory_order_relaxed);
	uint64_t mask = c->mask, finish = c->fq_flush_finish_cnt, start = head, end = head;

	/*
	 * The ring is only written under the lock, which the caller holds.  The
	 * counters never decrease from head to tail (each entry takes the
	 * start count when it is queued), so the entries to free are a prefix:
	 * all of them when the newest is done (after every flush).
	 */
	if (tail != head && ring[(tail - 1) & mask].counter < finish)
		end = tail;
	while (end != tail && ring[end & mask].counter < finish)
		end++;
	/* free_iova_fast() of each, in order: at most two runs of the ring */
	while (head != end) {
		uint64_t at = head & mask, n = IMS_MIN(end - head, mask + 1 - at);

		ims_iova_free_fast_n(c->iovad, &ring[at], n);
		head += n;
	}
	c->head = head;
	return (unsigned int)(head - start);
}

static void fq_flush_iotlb(struct dma_cookie *c)
{
	c->fq_flush_start_cnt++;
	ims_iommu_flush_iotlb_all(c->domain);
	c->fq_flush_finish_cnt++;
	if (c->ctx)
		atomic_fetch_add_explicit(&c->ctx->fq_flushes, 1, memory_order_relaxed);
}

/* The ring is full: flush, then free what the flush made safe (fq_full() in queue_iova()). */
void ims_iommu_dma_fq_flush_full(struct dma_cookie *c)
{
	fq_flush_iotlb(c);
	ims_iommu_dma_fq_ring_free(c);
}

/* The IOVAs the flush queues of @ctx's live cookies have queued (ims_dma_get_stats()). */
uint64_t ims_iommu_dma_fq_queued(struct ims_dma_ctx *ctx)
{
	uint64_t n = 0;

	pthread_mutex_lock(&ctx->lock);
	for (struct dma_cookie *c = ctx->cookies; c; c = c->next)
		n += atomic_load_explicit(&c->tail, memory_order_relaxed);
	pthread_mutex_unlock(&ctx->lock);
	return n;
}

/* ctx_free(): the cookies that outlive @ctx stop reporting to it. */
void ims_iommu_dma_ctx_gone(struct ims_dma_ctx *ctx)
{
	pthread_mutex_lock(&ctx->lock);
	for (struct dma_cookie *c = ctx->cookies, *next; c; c = next) {
		next = c->next;
		__atomic_store_n(&c->fast, false, __ATOMIC_RELAXED);
		c->ctx = NULL;
		c->next = NULL;
	}
	ctx->cookies = NULL;
	pthread_mutex_unlock(&ctx->lock);
}

/* fq_flush_timeout() */
static int fq_timeout(struct dma_cookie *c)
{
	unsigned int freed;

	fq_lock(c);
	if (!c->fq_timer_on) {
		fq_unlock(c);
		return 0;
	}
	c->fq_timer_on = false;
	fq_flush_iotlb(c);
	freed = ims_iommu_dma_fq_ring_free(c);
	fq_unlock(c);
	return (int)freed;
}

/* The common path's view of @c (struct dma_cookie @fast). */
static void fast_init(struct dma_cookie *c, const struct ims_dma_ctx *ctx,
		      struct ims_iommu_domain *domain)
{
	const struct ims_iommu_domain_ops *ops = domain->ops;

	c->dma32_pfn = DMA_BIT_MASK(32) >> c->shift;
	if (!ops || !ops->map_pages || !ops->unmap_pages || ops->iotlb_sync_map)
		return;
	c->pgtbl = ims_iommu_domain_pgtbl(domain);
	c->fast = c->pgtbl && !ctx->debug && (domain->type & __IMS_IOMMU_DOMAIN_PAGING) &&
		  (c->granule == (domain->pgsize_bitmap & -domain->pgsize_bitmap));
}

const int ims_iommu_dma_prot_coherent[3] = {
	IMS_IOMMU_READ | IMS_IOMMU_WRITE | IMS_IOMMU_CACHE,
	IMS_IOMMU_READ | IMS_IOMMU_CACHE,
	IMS_IOMMU_WRITE | IMS_IOMMU_CACHE,
};

bool ims_iommu_dma_fast_build(struct ims_dma_ctx *ctx, struct ims_device *dev)
{
	struct ims_iommu_domain *domain;
	struct ims_dma_fast *s;
	struct dma_cookie *c;
	uint64_t limit, end;

	if (dev->dma_ops != IMS_DMA_OPS_IOMMU || !dev->has_dma_mask || !dev->dma_coherent ||
	    iommu_dma_use_swiotlb(dev) || dev->bus_dma_limit)
		return false;
	c = get_cookie(ctx, dev, &domain);
	if (!c || !cookie_fast(c) || c->ctx != ctx)
		return false;
	pthread_mutex_lock(&ctx->lock);
	s = dev->dma_fast;
	if (!s) {
		s = calloc(1, sizeof(*s));
		if (!s) {
			pthread_mutex_unlock(&ctx->lock);
			return false;
		}
		__atomic_store_n(&dev->dma_fast, s, __ATOMIC_RELEASE);
	}
	if (!atomic_load_explicit(&s->cookie, memory_order_relaxed)) {
		s->pgtbl = c->pgtbl;
		s->iovad = c->iovad;
		s->iova_uid = ims_iova_domain_uid(c->iovad);
		s->gmask = c->granule - 1;
		s->shift = c->shift;
		s->fq = c->fq;
		/* the whole granules of the region: a buffer within one of them is in RAM */
		s->ram0_base = ALIGN_UP(ctx->ram0_base, c->granule);
		end = (ctx->ram0_base + ctx->ram0_size) & ~(c->granule - 1);
		s->ram0_size = end > s->ram0_base && s->ram0_base >= ctx->ram0_base
				       ? end - s->ram0_base
				       : 0;
		/* iommu_dma_alloc_iova() of one granule with no bus_dma_limit (alloc_iova()) */
		limit = IMS_MIN(dma_get_mask_inline(dev), c->aperture_limit);
		if (limit > DMA_BIT_MASK(32) && dev->bus == IMS_BUS_PCI && !c->forcedac &&
		    !dac_forced(c, dev)) {
			s->first_pfn = c->dma32_pfn;
			s->first_flush = false;
		} else {
			s->first_pfn = limit >> c->shift;
			s->first_flush = true;
		}
		atomic_store_explicit(&s->cookie, c, memory_order_release);
	}
	pthread_mutex_unlock(&ctx->lock);
	return true;
}

uint64_t ims_iommu_dma_map_fast_finish(const struct dma_map_fast_call *a, int ret)
{
	struct dma_cookie *c =
		atomic_load_explicit(&a->dev->dma_fast->cookie, memory_order_acquire);

	if (!ims_iommu_map_finish(c->domain, a->iova, a->phys - a->off, a->granule, a->prot, ret,
				  a->mapped))
		return a->iova + a->off;
	free_iova(c, a->iova, a->granule);
	ims_iommu_dma_map_page_failed(c->ctx, a->dev, a->phys, a->size, a->dir, a->attrs);
	return IMS_DMA_MAPPING_ERROR;
}

bool ims_iommu_dma_unmap_fast_short(struct ims_device *dev, struct dma_cookie *c, uint64_t iova,
				    struct ims_iotlb_gather *gather, size_t unmapped)
{
	unmapped = ims_iommu_unmap_finish(c->domain, iova, c->granule, gather, unmapped);
	if (unmapped != c->granule)
		ims_iommu_dma_unmap_short(dev, iova, c->granule, unmapped);
	return unmapped != 0;
}

/* iommu_put_dma_cookie(): flush what is queued, then free the IOVA domain. */
static void put_dma_cookie(struct ims_iommu_domain *domain)
{
	struct dma_cookie *c = domain->iova_cookie;

	if (!c)
		return;
	if (c->fq) {
		fq_lock(c);
		if (c->head != atomic_load_explicit(&c->tail, memory_order_relaxed))
			fq_flush_iotlb(c);
		ims_iommu_dma_fq_ring_free(c);
		fq_unlock(c);
		free(c->ring);
	}
	if (c->ctx) {
		/* off ctx->cookies; what it queued stays in the totals */
		pthread_mutex_lock(&c->ctx->lock);
		for (struct dma_cookie **pp = &c->ctx->cookies; *pp; pp = &(*pp)->next)
			if (*pp == c) {
				*pp = c->next;
				break;
			}
		atomic_fetch_add_explicit(&c->ctx->fq_queued,
					  atomic_load_explicit(&c->tail, memory_order_relaxed),
					  memory_order_relaxed);
		pthread_mutex_unlock(&c->ctx->lock);
	}
	ims_iova_domain_destroy(c->iovad);
	domain->iova_cookie = NULL;
	free(c);
}

/* iova_reserve_iommu_regions(): everything but SW_MSI (we are its software). */
static void reserve_regions(struct dma_cookie *c, struct ims_device *dev)
{
	struct ims_resv_list list = { 0 };
	uint64_t max_pfn = ~0ULL >> c->shift;

	if (ims_iommu_get_resv_regions(dev, &list) < 0)
		return;
	for (int i = 0; i < list.nr; i++) {
		const struct ims_iommu_resv_region *r = &list.r[i];
		uint64_t lo, hi;

		if (r->type == IMS_IOMMU_RESV_SW_MSI || !r->length)
			continue;
		lo = r->start >> c->shift;
		hi = (r->start + r->length - 1) >> c->shift;
		if (lo > max_pfn)
			continue;
		ims_iova_reserve(c->iovad, lo, IMS_MIN(hi, max_pfn - 1), NULL);
	}
	ims_iommu_resv_list_free(&list);
}

/* iommu_dma_init_domain() for the first device that uses the DMA API on @domain. */
struct dma_cookie *ims_iommu_dma_init_cookie(struct ims_dma_ctx *ctx, struct ims_device *dev,
					     struct ims_iommu_domain *domain)
{
	struct dma_cookie *c, *expected = NULL;
	uint64_t base_pfn;

	if (!domain)
		return NULL;
	if (!(domain->type & __IMS_IOMMU_DOMAIN_DMA_API) || !domain->pgsize_bitmap)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->domain = domain;
	c->ctx = ctx;
	c->shift = (unsigned int)__builtin_ctzll(domain->pgsize_bitmap);
	c->granule = 1ULL << c->shift;
	c->forcedac = ctx->opts.forcedac;
	c->aperture_limit = domain->force_aperture ? domain->aperture_end : UINT64_MAX;
	base_pfn = IMS_MAX(1, domain->aperture_start >> c->shift);
	if (ims_iova_domain_create(&c->iovad, c->granule, base_pfn)) {
		free(c);
		return NULL;
	}
	if (domain->type == IMS_IOMMU_DOMAIN_DMA_FQ) {
		/* a power of two, at least 2 (the ring index wraps with a mask) */
		uint64_t size = 2;

		while (size < ctx->opts.fq_size && size < (1u << 20))
			size <<= 1;
		c->mask = size - 1;
		c->ring = calloc(size, sizeof(*c->ring));
		if (c->ring) {
			c->fq = true;
		} else {
			domain->type =
				IMS_IOMMU_DOMAIN_DMA; /* iommu_dma_init_fq() failed: strict */
		}
	}
	reserve_regions(c, dev);
	fast_init(c, ctx, domain);
	if (!__atomic_compare_exchange_n(&domain->iova_cookie, (void **)&expected, c, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		if (c->fq)
			free(c->ring);
		ims_iova_domain_destroy(c->iovad);
		free(c);
		return expected;
	}
	/* only the winner writes the domain; it is freed single-threaded */
	domain->put_dma_cookie = put_dma_cookie;
	pthread_mutex_lock(&ctx->lock);
	c->next = ctx->cookies;
	ctx->cookies = c;
	pthread_mutex_unlock(&ctx->lock);
	return c;
}

/* The 32-bit attempt failed: stop trying it for @dev ("Using N-bit DMA addresses"). */
void ims_iommu_dma_dac_force(struct dma_cookie *c, struct ims_device *dev, uint64_t dma_limit)
{
	if (!c->ctx)
		return;
	pthread_mutex_lock(&c->ctx->lock);
	if (!dac_forced(c, dev)) {
		int n = atomic_load(&c->nr_dac);

		if (n < MAX_DAC_DEVS) {
			c->dac[n] = dev;
			atomic_store_explicit(&c->nr_dac, n + 1, memory_order_release);
		}
		ims_dma_fast_invalidate(dev); /* its first IOVA attempt changes */
		ims_dev_logf(dev, IMS_LOG_NOTICE, "Using %u-bit DMA addresses",
			     ims_ilog2(dma_limit) + 1);
	}
	pthread_mutex_unlock(&c->ctx->lock);
}

/* __iommu_dma_unmap() unmapped less than the whole range. */
void ims_iommu_dma_unmap_short(struct ims_device *dev, uint64_t dma_addr, size_t size,
			       size_t unmapped)
{
	ims_dev_logf(dev, IMS_LOG_WARNING,
		     "WARNING: __iommu_dma_unmap: unmapped %zu of %zu bytes at 0x%llx", unmapped,
		     size, (unsigned long long)dma_addr);
}

/* dev_use_swiotlb(): untrusted PCI devices bounce. */
bool ims_iommu_dma_use_swiotlb(struct ims_device *dev)
{
	return iommu_dma_use_swiotlb(dev);
}

/*
 * What iommu_dma_map_page() does before the map for an untrusted device's
 * unaligned buffer (the swiotlb bounce) or a non-coherent device (the cache
 * maintenance): the address to map, or IMS_DMA_MAPPING_ERROR.
 */
uint64_t ims_iommu_dma_map_page_prepare(struct ims_dma_ctx *ctx, struct ims_device *dev,
					const struct dma_cookie *c, uint64_t phys, size_t size,
					enum ims_dma_data_direction dir, unsigned long attrs)
{
	if (ims_iommu_dma_use_swiotlb(dev) && ((phys | size) & (c->granule - 1))) {
		uint64_t tlb;

		if (!ims_is_swiotlb_active(ctx)) {
			ims_dev_logf(dev, IMS_LOG_WARNING,
				     "DMA bounce buffers are inactive, unable to map unaligned "
				     "transaction.");
			return IMS_DMA_MAPPING_ERROR;
		}
		tlb = ims_swiotlb_tbl_map_single(ctx, dev, phys, size, c->granule - 1, dir, attrs);
		if (tlb == IMS_DMA_MAPPING_ERROR)
			return IMS_DMA_MAPPING_ERROR;
		/* untrusted: zero the padding of the bounce granules around the data */
		{
			uint64_t lo = tlb & ~(c->granule - 1);
			uint64_t hi = ALIGN_UP(tlb + size, c->granule);

			if (tlb > lo)
				ims_mem_set(ctx->mem, lo, 0, tlb - lo);
			if (hi > tlb + size)
				ims_mem_set(ctx->mem, tlb + size, 0, hi - (tlb + size));
		}
		phys = tlb;
	}
	if (!dev->dma_coherent && !(attrs & IMS_DMA_ATTR_SKIP_CPU_SYNC))
		ims_arch_sync_dma_for_device(ctx, phys, size, dir);
	return phys;
}

/* A failed map of a bounced buffer gives its swiotlb slot back. */
void ims_iommu_dma_map_page_failed(struct ims_dma_ctx *ctx, struct ims_device *dev, uint64_t phys,
				   size_t size, enum ims_dma_data_direction dir,
				   unsigned long attrs)
{
	if (ims_is_swiotlb_buffer(ctx, phys))
		ims_swiotlb_tbl_unmap_single(ctx, dev, phys, size, dir, attrs);
}

/* iommu_dma_map_page() */
uint64_t ims_iommu_dma_map_page(struct ims_dma_ctx *ctx, struct ims_device *dev, uint64_t phys,
				size_t size, enum ims_dma_data_direction dir, unsigned long attrs)
{
	struct ims_iommu_domain *domain;
	struct dma_cookie *c = get_cookie(ctx, dev, &domain);

	if (unlikely(!c))
		return IMS_DMA_MAPPING_ERROR;
	return iommu_dma_map_page_inline(ctx, c, dev, phys, size, dir, attrs);
}

/* iommu_dma_unmap_page() for a device that needs the physical address (sync, bounce). */
void ims_iommu_dma_unmap_page_phys(struct ims_dma_ctx *ctx, struct dma_cookie *c,
				   struct ims_device *dev, uint64_t addr, size_t size,
				   enum ims_dma_data_direction dir, unsigned long attrs)
{
	uint64_t phys = ims_iommu_iova_to_phys(c->domain, addr);

	if (phys && !(attrs & IMS_DMA_ATTR_SKIP_CPU_SYNC) && !dev->dma_coherent)
		ims_arch_sync_dma_for_cpu(ctx, phys, size, dir);
	dma_unmap(c, dev, addr, size);
	if (phys && ims_is_swiotlb_buffer(ctx, phys))
		ims_swiotlb_tbl_unmap_single(ctx, dev, phys, size, dir, attrs);
}

/* iommu_dma_unmap_page() */
void ims_iommu_dma_unmap_page(struct ims_dma_ctx *ctx, struct ims_device *dev, uint64_t addr,
			      size_t size, enum ims_dma_data_direction dir, unsigned long attrs)
{
	struct ims_iommu_domain *domain;
	struct dma_cookie *c = get_cookie(ctx, dev, &domain);

	if (c)
		iommu_dma_unmap_page_inline(ctx, c, dev, addr, size, dir, attrs);
}

void ims_iommu_dma_sync_single_for_cpu(struct ims_dma_ctx *ctx, struct ims_device *dev,
				       uint64_t addr, size_t size, enum ims_dma_data_direction dir)
{
	struct ims_iommu_domain *domain;
	struct dma_cookie *c;
	uint64_t phys;

	if (dev->dma_coherent && !ims_iommu_dma_use_swiotlb(dev))
		return;
	c = get_cookie(ctx, dev, &domain);
	if (!c)
		return;
	phys = ims_iommu_iova_to_phys(domain, addr);
	if (!phys)
		return;
	if (!dev->dma_coherent)
		ims_arch_sync_dma_for_cpu(ctx, phys, size, dir);
	if (ims_is_swiotlb_buffer(ctx, phys))
		ims_swiotlb_sync_single_for_cpu(ctx, phys, size, dir);
}

void ims_iommu_dma_sync_single_for_device(struct ims_dma_ctx *ctx, struct ims_device *dev,
					  uint64_t addr, size_t size,
					  enum ims_dma_data_direction dir)
{
	struct ims_iommu_domain *domain;
	struct dma_cookie *c;
	uint64_t phys;

	if (dev->dma_coherent && !ims_iommu_dma_use_swiotlb(dev))
		return;
	c = get_cookie(ctx, dev, &domain);
	if (!c)
		return;
	phys = ims_iommu_iova_to_phys(domain, addr);
	if (!phys)
		return;
	if (ims_is_swiotlb_buffer(ctx, phys))
		ims_swiotlb_sync_single_for_device(ctx, phys, size, dir);
	if (!dev->dma_coherent)
		ims_arch_sync_dma_for_device(ctx, phys, size, dir);
}

/*
 * iommu_dma_map_sg(): every segment padded to the granule and laid out back to
 * back in one IOVA range, mapped in one go per physically contiguous run;
 * segments that end up contiguous in IOVA space are merged (__finalise_sg).
 */
int ims_iommu_dma_map_sg(struct ims_dma_ctx *ctx, struct ims_device *dev,
			 struct ims_scatterlist *sg, int nents, enum ims_dma_data_direction dir,
			 unsigned long attrs)
{
	struct ims_iommu_domain *domain;
	struct dma_cookie *c = get_cookie(ctx, dev, &domain);
	int prot = dma_info_to_prot(dir, dev->dma_coherent, attrs);
	uint64_t iova_len = 0, iova, pos;
	int out = 0;

	if (!c)
		return 0;
	if (ims_iommu_dma_use_swiotlb(dev)) {
		/* iommu_dma_map_sg_swiotlb(): one mapping per segment */
		for (int i = 0; i < nents; i++) {
			sg[i].dma_address = ims_iommu_dma_map_page(ctx, dev, sg[i].phys,
								   sg[i].length, dir, attrs);
			if (sg[i].dma_address == IMS_DMA_MAPPING_ERROR) {
				for (int j = 0; j < i; j++)
					ims_iommu_dma_unmap_page(
						ctx, dev, sg[j].dma_address, sg[j].dma_length, dir,
						attrs | IMS_DMA_ATTR_SKIP_CPU_SYNC);
				return 0;
			}
			sg[i].dma_length = sg[i].length;
		}
		return nents;
	}
	for (int i = 0; i < nents; i++) {
		uint64_t off = sg[i].phys & (c->granule - 1);

		if (!dev->dma_coherent && !(attrs & IMS_DMA_ATTR_SKIP_CPU_SYNC))
			ims_arch_sync_dma_for_device(ctx, sg[i].phys, sg[i].length, dir);
		iova_len += ALIGN_UP(off + sg[i].length, c->granule);
	}
	if (!iova_len)
		return 0;
	iova = alloc_iova(c, dev, iova_len, dma_get_mask_inline(dev));
	if (!iova)
		return 0;
	/* iommu_map_sg(): coalesce physically contiguous padded segments into one map. */
	pos = 0;
	for (int i = 0; i < nents;) {
		uint64_t start = sg[i].phys & ~(c->granule - 1);
		uint64_t len = ALIGN_UP((sg[i].phys & (c->granule - 1)) + sg[i].length, c->granule);
		int j = i + 1;

		while (j < nents && (sg[j].phys & (c->granule - 1)) == 0 &&
		       start + len == sg[j].phys) {
			len += ALIGN_UP(sg[j].length, c->granule);
			j++;
		}
		if (ims_iommu_map(domain, iova + pos, start, len, prot, IMS_GFP_KERNEL)) {
			if (pos)
				ims_iommu_unmap(domain, iova, pos);
			free_iova(c, iova, iova_len);
			return 0;
		}
		pos += len;
		i = j;
	}
	/* __finalise_sg(): merge segments that are contiguous in IOVA space. */
	pos = 0;
	for (int i = 0; i < nents; i++) {
		uint64_t off = sg[i].phys & (c->granule - 1);
		uint64_t dma = iova + pos + off;

		if (out && off == 0 && sg[out - 1].dma_address + sg[out - 1].dma_length == dma &&
		    ((sg[out - 1].dma_address + sg[out - 1].dma_length) & (c->granule - 1)) == 0 &&
		    (uint64_t)sg[out - 1].dma_length + sg[i].length <= UINT32_MAX) {
			sg[out - 1].dma_length += sg[i].length;
		} else {
			sg[out].dma_address = dma;
			sg[out].dma_length = sg[i].length;
			out++;
		}
		pos += ALIGN_UP(off + sg[i].length, c->granule);
	}
	for (int i = out; i < nents; i++) {
		sg[i].dma_address = IMS_DMA_MAPPING_ERROR;
		sg[i].dma_length = 0;
	}
	return out;
}

void ims_iommu_dma_unmap_sg(struct ims_dma_ctx *ctx, struct ims_device *dev,
			    struct ims_scatterlist *sg, int nents, enum ims_dma_data_direction dir,
			    unsigned long attrs)
{
	struct ims_iommu_domain *domain;
	struct dma_cookie *c = get_cookie(ctx, dev, &domain);
	uint64_t start, end = 0;

	if (!c || nents <= 0)
		return;
	if (ims_iommu_dma_use_swiotlb(dev)) {
		for (int i = 0; i < nents && sg[i].dma_length; i++)
			ims_iommu_dma_unmap_page(ctx, dev, sg[i].dma_address, sg[i].dma_length, dir,
						 attrs);
		return;
	}
	if (!(attrs & IMS_DMA_ATTR_SKIP_CPU_SYNC) && !dev->dma_coherent)
		for (int i = 0; i < nents; i++)
			ims_arch_sync_dma_for_cpu(ctx, sg[i].phys, sg[i].length, dir);
	/* The whole range from the first DMA address to the end of the last segment. */
	start = sg[0].dma_address;
	for (int i = 0; i < nents && sg[i].dma_length; i++)
		end = sg[i].dma_address + sg[i].dma_length;
	if (!end)
		return;
	dma_unmap(c, dev, start, end - start);
}

uint64_t ims_iommu_dma_map_resource(struct ims_dma_ctx *ctx, struct ims_device *dev, uint64_t phys,
				    size_t size, enum ims_dma_data_direction dir,
				    unsigned long attrs)
{
	struct ims_iommu_domain *domain;
	struct dma_cookie *c = get_cookie(ctx, dev, &domain);

	if (!c)
		return IMS_DMA_MAPPING_ERROR;
	return dma_map(c, dev, phys, size, dma_info_to_prot(dir, false, attrs) | IMS_IOMMU_MMIO,
		       dma_get_mask_inline(dev));
}

void ims_iommu_dma_unmap_resource(struct ims_dma_ctx *ctx, struct ims_device *dev, uint64_t addr,
				  size_t size)
{
	struct ims_iommu_domain *domain;
	struct dma_cookie *c = get_cookie(ctx, dev, &domain);

	if (c)
		dma_unmap(c, dev, addr, size);
}

/* iommu_dma_alloc_remap() with single pages, then the contiguous CPU view (vmap). */
void *ims_iommu_dma_alloc(struct ims_dma_ctx *ctx, struct ims_device *dev, size_t size,
			  uint64_t *dma_handle, unsigned long attrs)
{
	struct ims_iommu_domain *domain;
	struct dma_cookie *c = get_cookie(ctx, dev, &domain);
	int prot = dma_info_to_prot(IMS_DMA_BIDIRECTIONAL, dev->dma_coherent, attrs);
	unsigned int npages, i;
	uint64_t *pages, iova, alloc_size;
	void *cpu = NULL;

	if (!c || c->granule > IMS_PAGE_SIZE)
		return NULL;
	size = ALIGN_UP(size, IMS_PAGE_SIZE);
	npages = (unsigned int)(size / IMS_PAGE_SIZE);
	pages = calloc(npages, sizeof(*pages));
	if (!pages)
		return NULL;
	for (i = 0; i < npages; i++)
		if (ims_mem_alloc_pages(ctx->mem, &pages[i], 0, UINT64_MAX, IMS_MEM_ZERO))
			goto free_pages;
	alloc_size = ALIGN_UP(size, c->granule);
	iova = alloc_iova(c, dev, alloc_size, dev->coherent_dma_mask);
	if (!iova)
		goto free_pages;
	for (unsigned int p = 0; p < npages;) {
		unsigned int q = p + 1;

		while (q < npages && pages[q] == pages[q - 1] + IMS_PAGE_SIZE)
			q++;
		if (ims_iommu_map(domain, iova + (uint64_t)p * IMS_PAGE_SIZE, pages[p],
				  (size_t)(q - p) * IMS_PAGE_SIZE, prot, IMS_GFP_KERNEL)) {
			if (p)
				ims_iommu_unmap(domain, iova, (size_t)p * IMS_PAGE_SIZE);
			free_iova(c, iova, alloc_size);
			goto free_pages;
		}
		p = q;
	}
	cpu = ims_dma_vmap(ctx, pages, npages);
	if (!cpu) {
		ims_iommu_unmap(domain, iova, size);
		free_iova(c, iova, alloc_size);
		goto free_pages;
	}
	if (!dev->dma_coherent)
		ims_arch_sync_dma_for_device(ctx, pages[0], size, IMS_DMA_BIDIRECTIONAL);
	*dma_handle = iova;
	free(pages);
	return cpu;
free_pages:
	while (i-- > 0)
		ims_mem_free_pages(ctx->mem, pages[i], 0);
	free(pages);
	return NULL;
}

void ims_iommu_dma_free(struct ims_dma_ctx *ctx, struct ims_device *dev, size_t size,
			void *cpu_addr, uint64_t dma_addr, unsigned long attrs)
{
	struct ims_iommu_domain *domain;
	struct dma_cookie *c = get_cookie(ctx, dev, &domain);
	struct dma_remap *r;
	uint64_t *pages;
	unsigned int n;

	(void)attrs;
	if (!c)
		return;
	dma_unmap(c, dev, dma_addr, ALIGN_UP(size, IMS_PAGE_SIZE));
	r = ims_dma_find_remap(ctx, cpu_addr);
	if (!r) {
		ims_dev_logf(dev, IMS_LOG_WARNING,
			     "WARNING: iommu_dma_free: %p is not a DMA allocation", cpu_addr);
		return;
	}
	n = r->npages;
	pages = malloc(n * sizeof(*pages));
	if (pages)
		memcpy(pages, r->pages, n * sizeof(*pages));
	ims_dma_vunmap(ctx, cpu_addr);
	for (unsigned int i = 0; pages && i < n; i++)
		ims_mem_free_pages(ctx->mem, pages[i], 0);
	free(pages);
}

IMS_EXPORT int ims_dma_fq_timeout(struct ims_device *dev)
{
	struct ims_dma_ctx *ctx = ims_dma_ctx_get(dev);
	struct ims_iommu_domain *domain;
	struct dma_cookie *c;

	if (!ctx || dev->dma_ops != IMS_DMA_OPS_IOMMU)
		return -ENODEV;
	c = get_cookie(ctx, dev, &domain);
	if (!c)
		return -ENODEV;
	return c->fq ? fq_timeout(c) : 0;
}

IMS_EXPORT bool ims_dma_iommu_domain_is_lazy(struct ims_device *dev)
{
	struct ims_dma_ctx *ctx = ims_dma_ctx_get(dev);
	struct ims_iommu_domain *domain;
	struct dma_cookie *c;

	if (!ctx || dev->dma_ops != IMS_DMA_OPS_IOMMU)
		return false;
	c = get_cookie(ctx, dev, &domain);
	return c && c->fq;
}
