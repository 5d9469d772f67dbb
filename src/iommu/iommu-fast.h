/* SPDX-License-Identifier: MIT */
/*
 * The common case of iommu_map() and iommu_unmap_fast(), inline for the DMA
 * layer (src/dma/dma-iommu.c maps and unmaps one granule per call) and for the
 * exported ims_iommu_map()/ims_iommu_unmap_fast() of iommu.c.
 *
 * A valid paging domain, an aligned request below the second smallest page
 * size and a driver with no iotlb_sync_map: iommu_pgsize() would return the
 * smallest page size with a count of size / min_pagesz (the next size never
 * fits), so __iommu_map()/__iommu_unmap() make exactly one map_pages() /
 * unmap_pages() call; that call is made here with nothing recomputed.  Every
 * other case, and a driver call that stops short, goes out of line to the
 * same checks, messages and loop as Linux's (iommu.c).
 */
#ifndef IMS_IOMMU_FAST_H
#define IMS_IOMMU_FAST_H

#include <stddef.h>
#include <stdint.h>

#include "util/compiler.h"
#include <iommusim/iommu.h>

/* iommu_map() for the requests ims_iommu_map_fast() leaves: the checks and __iommu_map(). */
int ims_iommu_map_slow(struct ims_iommu_domain *domain, uint64_t iova, uint64_t paddr, size_t size,
		       int prot, unsigned int gfp);
/*
 * The rest of a map whose first map_pages() call returned @ret after mapping
 * @mapped bytes: __iommu_map()'s loop from there, iotlb_sync_map, the unmap
 * of everything on failure.
 */
int ims_iommu_map_finish(struct ims_iommu_domain *domain, uint64_t iova, uint64_t paddr,
			 size_t size, int prot, int ret, size_t mapped);
/* __iommu_unmap(): the checks and the loop. */
size_t ims_iommu_unmap_slow(struct ims_iommu_domain *domain, uint64_t iova, size_t size,
			    struct ims_iotlb_gather *gather);
/* The rest of an unmap whose first unmap_pages() call returned @done (not @size). */
size_t ims_iommu_unmap_finish(struct ims_iommu_domain *domain, uint64_t iova, size_t size,
			      struct ims_iotlb_gather *gather, size_t done);

struct ims_io_pgtable_ops;

/*
 * A driver whose paging domains' map_pages/unmap_pages (@ops) do nothing but
 * forward to the page table whose ops pointer lies @off bytes from the
 * domain (NULL: the driver answers -ENODEV / 0) says so, once per IOMMU core.
 */
void ims_iommu_register_pgtbl_fwd(struct ims_iommu_core *core,
				  const struct ims_iommu_domain_ops *ops, size_t off);
/* Where @domain's driver keeps its page table's ops, when it registered that; else NULL. */
struct ims_io_pgtable_ops **ims_iommu_domain_pgtbl(struct ims_iommu_domain *domain);

#define IMS_IOMMU_GFP_NOT_ALLOWED (IMS_GFP_COMP | IMS_GFP_DMA | IMS_GFP_DMA32 | IMS_GFP_HIGHMEM)

/*
 * The smallest page size of @bitmap when @size (non-zero) is a multiple of it
 * below the next supported size, with @iova | @other aligned to it; 0 otherwise.
 * One page of the smallest size (a DMA mapping of one granule) is tested first.
 */
static inline __attribute__((always_inline)) uint64_t
iommu_min_only_pgsize(uint64_t bitmap, uint64_t iova, uint64_t other, size_t size)
{
	uint64_t min = bitmap & -bitmap;
	uint64_t bigger;

	if (likely(size == min && size && !((iova | other) & (min - 1))))
		return min;
	bigger = bitmap & ~((min << 1) - 1);
	if (unlikely(!size || ((iova | other | size) & (min - 1))))
		return 0;
	if (unlikely(bigger && size >= (bigger & -bigger)))
		return 0;
	return min;
}

/* iommu_map() */
static inline __attribute__((always_inline)) int iommu_map_inline(struct ims_iommu_domain *domain,
								  uint64_t iova, uint64_t paddr,
								  size_t size, int prot,
								  unsigned int gfp)
{
	const struct ims_iommu_domain_ops *ops;
	uint64_t pgsize;
	size_t mapped = 0;
	int ret;

	if (unlikely(!domain || (gfp & IMS_IOMMU_GFP_NOT_ALLOWED) ||
		     !(domain->type & __IMS_IOMMU_DOMAIN_PAGING)))
		return ims_iommu_map_slow(domain, iova, paddr, size, prot, gfp);
	ops = domain->ops;
	if (unlikely(!ops || !ops->map_pages || ops->iotlb_sync_map))
		return ims_iommu_map_slow(domain, iova, paddr, size, prot, gfp);
	pgsize = iommu_min_only_pgsize(domain->pgsize_bitmap, iova, paddr, size);
	if (unlikely(!pgsize))
		return ims_iommu_map_slow(domain, iova, paddr, size, prot, gfp);
	ret = ops->map_pages(domain, iova, paddr, (size_t)pgsize, size >> __builtin_ctzll(pgsize),
			     prot, &mapped);
	if (likely(!ret && mapped == size))
		return 0;
	return ims_iommu_map_finish(domain, iova, paddr, size, prot, ret, mapped);
}

/* iommu_unmap_fast() */
static inline __attribute__((always_inline)) size_t
iommu_unmap_fast_inline(struct ims_iommu_domain *domain, uint64_t iova, size_t size,
			struct ims_iotlb_gather *gather)
{
	const struct ims_iommu_domain_ops *ops = domain->ops;
	uint64_t pgsize;
	size_t done;

	if (unlikely(!(domain->type & __IMS_IOMMU_DOMAIN_PAGING) || !ops || !ops->unmap_pages))
		return ims_iommu_unmap_slow(domain, iova, size, gather);
	pgsize = iommu_min_only_pgsize(domain->pgsize_bitmap, iova, 0, size);
	if (unlikely(!pgsize))
		return ims_iommu_unmap_slow(domain, iova, size, gather);
	done = ops->unmap_pages(domain, iova, (size_t)pgsize, size >> __builtin_ctzll(pgsize),
				gather);
	if (likely(done == size))
		return done;
	return ims_iommu_unmap_finish(domain, iova, size, gather, done);
}

#endif
