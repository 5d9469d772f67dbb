/* SPDX-License-Identifier: MIT */
/*
 * dma-iommu's per-domain state (the IOVA cookie with its flush queue) and the
 * common path of iommu_dma_map_page()/iommu_dma_unmap_page(), inline so that
 * the DMA API entry points (mapping.c) run a one-granule map or unmap of a
 * coherent, trusted device in one function: IOVA allocation, iommu_map()
 * (iommu-fast.h), and on unmap iommu_unmap_fast() and queue_iova().  The rest
 * (bounce, cache maintenance, first use of a domain, errors) is out of line in
 * dma-iommu.c.
 */
#ifndef IMS_DMA_IOMMU_H
#define IMS_DMA_IOMMU_H

#include <sched.h>

#include "dma/dma-fast.h"
#include "dma/dma-private.h"
#include "iommu/iommu-fast.h"
#include "iova/iova-fast.h"
#include "util/compiler.h"
#include <iommusim/iova.h>
#include <iommusim/pgtable.h>

#define MAX_DAC_DEVS 64

/* struct iommu_dma_cookie (IOVA cookie) */
struct dma_cookie {
	struct ims_dma_ctx *ctx; /* NULL once the context is gone */
	struct ims_iommu_domain *domain;
	struct ims_iova_domain *iovad;
	unsigned int shift;
	uint64_t granule;
	uint64_t aperture_limit; /* aperture_end with force_aperture, else all ones */
	bool forcedac;
	/*
	 * The flush queue (one ring, not per CPU), under a spinlock held for a
	 * few stores.  @head and @tail run free (the slot is the index & @mask,
	 * @mask = size - 1 with the size a power of two); the ring holds at most
	 * @mask entries (Linux's fq_full(): (tail + 1) % size == head).  @tail
	 * is also the number of IOVAs this ring has queued: written under the
	 * lock with a relaxed store, read by ims_dma_get_stats().
	 */
	bool fq;
	atomic_int fq_lock;
	struct ims_iova_fq_entry *ring;
	uint64_t head, mask;
	_Atomic uint64_t tail;
	uint64_t fq_flush_start_cnt, fq_flush_finish_cnt;
	bool fq_timer_on;
	struct dma_cookie *next; /* on ctx->cookies, under ctx->lock */
	/*
	 * The one-granule common path (iommu_dma_map_fast_prepare()), fixed when
	 * the cookie is made: @fast when the context has no DMA-API debug and
	 * the domain is a paging domain whose driver maps and unmaps without
	 * iotlb_sync_map and registered where it keeps its page table (@pgtbl:
	 * iommu_map() of one page of the smallest size is then exactly one
	 * map_pages() call of that table, iommu_unmap_fast() one unmap_pages()).
	 * Cleared when the context goes (ims_iommu_dma_ctx_gone()).  The devices
	 * keep what they need in their fast state (dma-fast.h).
	 */
	bool fast;
	struct ims_io_pgtable_ops **pgtbl;
	uint64_t dma32_pfn; /* DMA_BIT_MASK(32) >> shift */
	/* devices whose pci_32bit_workaround was cleared ("Using N-bit DMA addresses") */
	struct ims_device *dac[MAX_DAC_DEVS];
	_Atomic int nr_dac;
};

/* dma-iommu.c */
struct dma_cookie *ims_iommu_dma_init_cookie(struct ims_dma_ctx *ctx, struct ims_device *dev,
					     struct ims_iommu_domain *domain);
void ims_iommu_dma_dac_force(struct dma_cookie *c, struct ims_device *dev, uint64_t dma_limit);
/* Make @dev's fast state valid when its case allows it (struct ims_dma_fast): true if it is. */
bool ims_iommu_dma_fast_build(struct ims_dma_ctx *ctx, struct ims_device *dev);
/* fq_ring_free_locked(): free the entries a finished flush made safe. */
unsigned int ims_iommu_dma_fq_ring_free(struct dma_cookie *c);
/* The ring is full: flush, then free what the flush made safe (fq_full() in queue_iova()). */
void ims_iommu_dma_fq_flush_full(struct dma_cookie *c);
uint64_t ims_iommu_dma_map_page_prepare(struct ims_dma_ctx *ctx, struct ims_device *dev,
					const struct dma_cookie *c, uint64_t phys, size_t size,
					enum ims_dma_data_direction dir, unsigned long attrs);
void ims_iommu_dma_map_page_failed(struct ims_dma_ctx *ctx, struct ims_device *dev, uint64_t phys,
				   size_t size, enum ims_dma_data_direction dir,
				   unsigned long attrs);
void ims_iommu_dma_unmap_page_phys(struct ims_dma_ctx *ctx, struct dma_cookie *c,
				   struct ims_device *dev, uint64_t addr, size_t size,
				   enum ims_dma_data_direction dir, unsigned long attrs);
void ims_iommu_dma_unmap_short(struct ims_device *dev, uint64_t dma_addr, size_t size,
			       size_t unmapped);

static inline void fq_lock(struct dma_cookie *c)
{
	unsigned int spins = 0;

	while (atomic_exchange_explicit(&c->fq_lock, 1, memory_order_acquire)) {
		while (atomic_load_explicit(&c->fq_lock, memory_order_relaxed)) {
			if (++spins > 64) {
				sched_yield();
				spins = 0;
			}
		}
	}
}

static inline void fq_unlock(struct dma_cookie *c)
{
	atomic_store_explicit(&c->fq_lock, 0, memory_order_release);
}

/*
 * queue_iova().  Linux first frees the entries a finished flush made safe
 * (fq_ring_free_locked()), then flushes when the ring is full.  Here every
 * flush (fq_flush_iotlb(): full ring, timeout, teardown) raises both counters
 * and frees the ring under this lock in the same critical section, and a
 * flush frees every entry queued before it: the ring never holds a freeable
 * entry when the lock is taken, so the first step has nothing to do and only
 * the full test remains.
 */
static inline __attribute__((always_inline)) void queue_iova(struct dma_cookie *c, uint64_t pfn,
							     uint64_t pages)
{
	struct ims_iova_fq_entry *e;
	uint64_t tail;

	fq_lock(c);
	tail = atomic_load_explicit(&c->tail, memory_order_relaxed);
	if (unlikely(tail - c->head >= c->mask))
		ims_iommu_dma_fq_flush_full(c);
	e = &c->ring[tail & c->mask];
	e->iova_pfn = pfn;
	e->pages = pages;
	e->counter = c->fq_flush_start_cnt;
	atomic_store_explicit(&c->tail, tail + 1, memory_order_relaxed);
	c->fq_timer_on = true; /* mod_timer(fq_timer, jiffies + 10 ms) */
	fq_unlock(c);
}

/* The DMA domain of @dev (iommu_get_dma_domain()) and its cookie: two loads once set up. */
static inline struct dma_cookie *get_cookie(struct ims_dma_ctx *ctx, struct ims_device *dev,
					    struct ims_iommu_domain **domainp)
{
	struct ims_iommu_domain *domain = dev->iommu_group ? dev->iommu_group->domain : NULL;
	struct dma_cookie *c =
		domain ? __atomic_load_n(&domain->iova_cookie, __ATOMIC_ACQUIRE) : NULL;

	*domainp = domain;
	return likely(c) ? c : ims_iommu_dma_init_cookie(ctx, dev, domain);
}

/* The cookie of @dev's DMA domain once it exists (loads only), or NULL. */
static inline struct dma_cookie *iommu_dma_dev_cookie(const struct ims_device *dev)
{
	struct ims_iommu_domain *domain = dev->iommu_group ? dev->iommu_group->domain : NULL;

	return domain ? __atomic_load_n(&domain->iova_cookie, __ATOMIC_ACQUIRE) : NULL;
}

/* The DMA context from @dev's cookie, or NULL: what ims_devcore_dma_ctx() returns for it. */
static inline struct ims_dma_ctx *ims_iommu_dma_dev_ctx(const struct ims_device *dev)
{
	struct dma_cookie *c = iommu_dma_dev_cookie(dev);

	return c ? c->ctx : NULL;
}

/* dev_use_swiotlb(): untrusted PCI devices bounce. */
static inline bool iommu_dma_use_swiotlb(const struct ims_device *dev)
{
	return dev->pci && dev->pci->untrusted;
}

static inline bool dac_forced(struct dma_cookie *c, const struct ims_device *dev)
{
	int n = atomic_load_explicit(&c->nr_dac, memory_order_acquire);

	for (int i = 0; i < n && i < MAX_DAC_DEVS; i++)
		if (c->dac[i] == dev)
			return true;
	return false;
}

/* iommu_dma_alloc_iova() */
static inline __attribute__((always_inline)) uint64_t
alloc_iova(struct dma_cookie *c, struct ims_device *dev, size_t size, uint64_t dma_limit)
{
	uint64_t iova_len = size >> c->shift, pfn;

	dma_limit = IMS_MIN(min_not_zero(dma_limit, dev->bus_dma_limit), c->aperture_limit);
	if (dma_limit > DMA_BIT_MASK(32) && dev->bus == IMS_BUS_PCI && !c->forcedac &&
	    !dac_forced(c, dev)) {
		pfn = ims_iova_alloc_fast(c->iovad, iova_len, c->dma32_pfn, false);
		if (likely(pfn))
			return pfn << c->shift;
		ims_iommu_dma_dac_force(c, dev, dma_limit);
	}
	pfn = ims_iova_alloc_fast(c->iovad, iova_len, dma_limit >> c->shift, true);
	return pfn << c->shift;
}

static inline void free_iova(struct dma_cookie *c, uint64_t iova, size_t size)
{
	ims_iova_free_fast(c->iovad, iova >> c->shift, size >> c->shift);
}

/* dma_info_to_prot() */
static inline int dma_info_to_prot(enum ims_dma_data_direction dir, bool coherent,
				   unsigned long attrs)
{
	/* by direction: BIDIRECTIONAL, TO_DEVICE, FROM_DEVICE */
	static const int dir_prot[3] = { IMS_IOMMU_READ | IMS_IOMMU_WRITE, IMS_IOMMU_READ,
					 IMS_IOMMU_WRITE };
	int prot;

	if (unlikely((unsigned int)dir >= IMS_DMA_NONE))
		return 0; /* DMA_NONE and anything else: no access at all */
	prot = dir_prot[dir] | (coherent ? IMS_IOMMU_CACHE : 0);
	if (attrs & IMS_DMA_ATTR_PRIVILEGED)
		prot |= IMS_IOMMU_PRIV;
	return prot;
}

/* __iommu_dma_map() */
static inline __attribute__((always_inline)) uint64_t dma_map(struct dma_cookie *c,
							      struct ims_device *dev, uint64_t phys,
							      size_t size, int prot,
							      uint64_t dma_mask)
{
	uint64_t off = phys & (c->granule - 1), iova;

	size = ALIGN_UP(size + off, c->granule);
	iova = alloc_iova(c, dev, size, dma_mask);
	if (!iova)
		return IMS_DMA_MAPPING_ERROR;
	if (iommu_map_inline(c->domain, iova, phys - off, size, prot, IMS_GFP_KERNEL)) {
		free_iova(c, iova, size);
		return IMS_DMA_MAPPING_ERROR;
	}
	return iova + off;
}

/* __iommu_dma_unmap() */
static inline __attribute__((always_inline)) void
dma_unmap(struct dma_cookie *c, struct ims_device *dev, uint64_t dma_addr, size_t size)
{
	uint64_t off = dma_addr & (c->granule - 1);
	struct ims_iotlb_gather gather;
	size_t unmapped;

	dma_addr -= off;
	size = ALIGN_UP(size + off, c->granule);
	ims_iotlb_gather_init(&gather);
	gather.queued = c->fq;
	unmapped = iommu_unmap_fast_inline(c->domain, dma_addr, size, &gather);
	if (unlikely(unmapped != size))
		ims_iommu_dma_unmap_short(dev, dma_addr, size, unmapped);
	if (!unmapped)
		return; /* nothing was mapped there: Linux would free the IOVA twice */
	if (!gather.queued) {
		ims_iommu_iotlb_sync(c->domain, &gather);
		free_iova(c, dma_addr, size);
	} else {
		queue_iova(c, dma_addr >> c->shift, size >> c->shift);
	}
}

/* iommu_dma_map_page() on @c, @dev's cookie. */
static inline __attribute__((always_inline)) uint64_t
iommu_dma_map_page_inline(struct ims_dma_ctx *ctx, struct dma_cookie *c, struct ims_device *dev,
			  uint64_t phys, size_t size, enum ims_dma_data_direction dir,
			  unsigned long attrs)
{
	uint64_t iova;

	if (unlikely((iommu_dma_use_swiotlb(dev) && ((phys | size) & (c->granule - 1))) ||
		     (!dev->dma_coherent && !(attrs & IMS_DMA_ATTR_SKIP_CPU_SYNC)))) {
		phys = ims_iommu_dma_map_page_prepare(ctx, dev, c, phys, size, dir, attrs);
		if (phys == IMS_DMA_MAPPING_ERROR)
			return IMS_DMA_MAPPING_ERROR;
	}
	iova = dma_map(c, dev, phys, size, dma_info_to_prot(dir, dev->dma_coherent, attrs),
		       dma_get_mask_inline(dev));
	if (unlikely(iova == IMS_DMA_MAPPING_ERROR))
		ims_iommu_dma_map_page_failed(ctx, dev, phys, size, dir, attrs);
	return iova;
}

/*
 * iommu_dma_unmap_page() on @c, @dev's cookie.  Linux walks the table for the
 * physical address every time; it is only needed for cache maintenance or a
 * swiotlb slot, so a coherent device that never bounces skips the walk (same
 * result).
 */
static inline __attribute__((always_inline)) void
iommu_dma_unmap_page_inline(struct ims_dma_ctx *ctx, struct dma_cookie *c, struct ims_device *dev,
			    uint64_t addr, size_t size, enum ims_dma_data_direction dir,
			    unsigned long attrs)
{
	if (likely(dev->dma_coherent && !iommu_dma_use_swiotlb(dev)))
		dma_unmap(c, dev, addr, size);
	else
		ims_iommu_dma_unmap_page_phys(ctx, c, dev, addr, size, dir, attrs);
}

/* Whether @c allows the one-granule common path. */
static inline bool cookie_fast(const struct dma_cookie *c)
{
	return __atomic_load_n(&c->fast, __ATOMIC_RELAXED);
}

/* by direction (BIDIRECTIONAL, TO_DEVICE, FROM_DEVICE): dma_info_to_prot() of a coherent device */
extern const int ims_iommu_dma_prot_coherent[3];

/*
 * A one-granule map (iommu_dma_map_fast_prepare()), kept in memory across its
 * map_pages() call (iommu_dma_map_fast_commit()): no register has to survive
 * the call for the failure path.
 */
struct dma_map_fast_call {
	struct ims_io_pgtable_ops *ops;
	struct ims_device *dev;
	uint64_t phys;
	size_t size;
	enum ims_dma_data_direction dir;
	int prot;
	unsigned long attrs;
	uint64_t iova;
	uint64_t off; /* phys & (granule - 1) */
	size_t granule;
	size_t mapped; /* map_pages()'s @mapped */
};

/* The rest of the one-granule map @a whose map_pages() call returned @ret. */
uint64_t ims_iommu_dma_map_fast_finish(const struct dma_map_fast_call *a, int ret);

/* The rest of a one-granule unmap whose unmap_pages() call returned @unmapped: false when
 * nothing was unmapped (the IOVA stays). */
bool ims_iommu_dma_unmap_fast_short(struct ims_device *dev, struct dma_cookie *c, uint64_t iova,
				    struct ims_iotlb_gather *gather, size_t unmapped);

/* @dev's fast state when it is valid, else NULL. */
static inline __attribute__((always_inline)) struct ims_dma_fast *
dma_fast_get(const struct ims_device *dev, struct dma_cookie **cp)
{
	struct ims_dma_fast *s = __atomic_load_n(&dev->dma_fast, __ATOMIC_ACQUIRE);

	if (unlikely(!s))
		return NULL;
	*cp = atomic_load_explicit(&s->cookie, memory_order_acquire);
	return likely(*cp) ? s : NULL;
}

/*
 * dma_map_page_attrs() -> iommu_dma_map_page() for the common case, on @dev's
 * fast state: a buffer within one granule, in the context's largest RAM
 * region, of a device whose fast state is valid (struct ims_dma_fast: IOMMU
 * DMA ops, no DMA-API debug, coherent, trusted, a mask, no bus_dma_limit).
 * What Linux does for it, in order: the IOVA (iommu_dma_alloc_iova(), 32-bit
 * first for PCI), iommu_map() (one map_pages() call of one page of the
 * smallest size, the granule, which the driver passes to its page table), the
 * address.
 *
 * In two steps.  iommu_dma_map_fast_prepare() checks the case and takes the
 * IOVA into @a: false, with nothing done, when the case is not this one or
 * the first IOVA attempt fails (the general path then makes it again and
 * goes on as iommu_dma_alloc_iova()).  With @pop_only the IOVA comes from
 * this thread's loaded magazine inline (ims_iova_pop1()), false also saying
 * that it could not, and no call is made: a caller that falls back from
 * there needs no register across a call.  iommu_dma_map_fast_commit() then
 * maps and returns the DMA address (or the error, on its own).
 */
static inline __attribute__((always_inline)) bool
iommu_dma_map_fast_prepare(struct dma_map_fast_call *a, struct ims_device *dev, uint64_t page,
			   size_t offset, size_t size, enum ims_dma_data_direction dir,
			   unsigned long attrs, bool pop_only)
{
	uint64_t phys = page + offset, off, pfn;
	struct ims_io_pgtable_ops *ops;
	struct ims_dma_fast *s;
	struct dma_cookie *c;

	s = dma_fast_get(dev, &c);
	if (unlikely(!s))
		return false;
	off = phys & s->gmask;
	/* a valid direction; no wrap; 0 < size <= granule - off; RAM (whole granules) */
	if (unlikely((unsigned int)dir > IMS_DMA_FROM_DEVICE || phys < page ||
		     size - 1 > s->gmask - off || phys - s->ram0_base >= s->ram0_size))
		return false;
	ops = *s->pgtbl;
	if (unlikely(!ops))
		return false;
	if (likely(pop_only)) {
		if (unlikely(!ims_iova_pop1(s->iova_uid, s->first_pfn, &pfn)))
			return false;
	} else if (unlikely(!(
			   pfn = ims_iova_alloc_fast(s->iovad, 1, s->first_pfn, s->first_flush)))) {
		return false;
	}
	a->ops = ops;
	a->dev = dev;
	a->phys = phys;
	a->size = size;
	a->dir = dir;
	a->prot = ims_iommu_dma_prot_coherent[dir] |
		  ((attrs & IMS_DMA_ATTR_PRIVILEGED) ? IMS_IOMMU_PRIV : 0);
	a->attrs = attrs;
	a->iova = pfn << s->shift;
	a->off = off;
	a->granule = s->gmask + 1;
	a->mapped = 0;
	return true;
}

static inline __attribute__((always_inline)) uint64_t
iommu_dma_map_fast_commit(struct dma_map_fast_call *a)
{
	int ret = a->ops->map_pages(a->ops, a->iova, a->phys - a->off, a->granule, 1, a->prot, 0,
				    &a->mapped);

	if (unlikely(ret || a->mapped != a->granule))
		return ims_iommu_dma_map_fast_finish(a, ret);
	return a->iova + a->off;
}

/*
 * dma_unmap_page_attrs() -> iommu_dma_unmap_page() for the common case (as
 * iommu_dma_map_fast_prepare()): iommu_unmap_fast() of the granule (one
 * unmap_pages() call), then queue_iova() on a flush-queue domain, or
 * iommu_iotlb_sync() and the IOVA free on a strict one.  Returns false when
 * the case is not this one, with nothing done.
 */
static inline __attribute__((always_inline)) bool
iommu_dma_unmap_page_fast(struct ims_device *dev, uint64_t addr, size_t size,
			  enum ims_dma_data_direction dir)
{
	struct ims_io_pgtable_ops *ops;
	struct ims_iotlb_gather gather;
	struct ims_dma_fast *s;
	struct dma_cookie *c;
	uint64_t off, iova;
	size_t unmapped;

	s = dma_fast_get(dev, &c);
	if (unlikely(!s))
		return false;
	off = addr & s->gmask;
	iova = addr - off;
	if (unlikely((unsigned int)dir > IMS_DMA_FROM_DEVICE || size - 1 > s->gmask - off))
		return false;
	ops = *s->pgtbl;
	if (unlikely(!ops))
		return false;
	ims_iotlb_gather_init(&gather);
	gather.queued = s->fq;
	unmapped = ops->unmap_pages(ops, iova, s->gmask + 1, 1, &gather);
	if (unlikely(unmapped != s->gmask + 1) &&
	    !ims_iommu_dma_unmap_fast_short(dev, c, iova, &gather, unmapped))
		return true; /* nothing was mapped there (as dma_unmap()) */
	if (likely(gather.queued)) {
		queue_iova(c, iova >> s->shift, 1);
	} else {
		ims_iommu_iotlb_sync(c->domain, &gather);
		if (unlikely(!ims_iova_push1(s->iova_uid, iova >> s->shift)))
			ims_iova_free_fast(s->iovad, iova >> s->shift, 1);
	}
	return true;
}

#endif
