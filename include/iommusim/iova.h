/* SPDX-License-Identifier: MIT */
/*
 * The IOVA allocator: a model of Linux 6.12 drivers/iommu/iova.c.
 *
 * A domain hands out ranges of page frame numbers (pfns, in units of the
 * domain's granule) top-down below a limit, exactly as the kernel's
 * alloc_iova() / alloc_iova_fast() do, including the cached-node hints, the
 * 32-bit fast-fail (max32_alloc_size) and the per-CPU magazine caches
 * ("rcaches"), which here are per-thread.  For a single-thread sequence of
 * calls every result equals the kernel's; the search for the gap is indexed,
 * so its cost does not grow with fragmentation.  See docs/iova.md.
 */
#ifndef IOMMUSIM_IOVA_H
#define IOMMUSIM_IOVA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The pfn of the anchor node that ends every domain (IOVA_ANCHOR = ~0UL). */
#define IMS_IOVA_ANCHOR (~0ULL)
/* Sizes 1..32 granules are cached, in log2 bins 0..5 (IOVA_RANGE_CACHE_MAX_SIZE). */
#define IMS_IOVA_RANGE_CACHE_MAX_SIZE 6
/* Entries per magazine (IOVA_MAG_SIZE). */
#define IMS_IOVA_MAG_SIZE 127
/* Threads that get a cache of their own in one domain; later threads share one locked cache. */
#define IMS_IOVA_MAX_THREADS 64
/* The smallest granule accepted (the kernel's floor is its PAGE_SIZE; we allow 512). */
#define IMS_IOVA_MIN_GRANULE 512

struct ims_iova_domain;

/**
 * struct ims_iova - one allocated or reserved range (struct iova).
 * @pfn_lo: first pfn of the range.
 * @pfn_hi: last pfn of the range (inclusive).
 */
struct ims_iova {
	uint64_t pfn_lo;
	uint64_t pfn_hi;
};

/**
 * struct ims_iova_info - a snapshot of a domain's state, for tests and reports.
 * @granule:          the granule in bytes.
 * @start_pfn:        the lowest pfn ever allocated.
 * @dma_32bit_pfn:    the first pfn at or above 4 GiB (1 << (32 - iova_shift)).
 * @max32_alloc_size: sizes at or above this fail at once for limits within 32 bits.
 * @cached32:         the node cached32_node points at (the anchor when none).
 * @cached:           the node cached_node points at.
 * @nodes:            ranges in the tree, the anchor excluded (cached pfns included).
 * @cached_pfns:      pfns held in magazines (per-thread and depot).
 * @depot_mags:       magazines in the depots, over all size classes.
 * @threads:          threads that hold a cache of their own in this domain.
 */
struct ims_iova_info {
	uint64_t granule;
	uint64_t start_pfn;
	uint64_t dma_32bit_pfn;
	uint64_t max32_alloc_size;
	struct ims_iova cached32;
	struct ims_iova cached;
	uint64_t nodes;
	uint64_t cached_pfns;
	uint64_t depot_mags;
	unsigned int threads;
};

/**
 * ims_iova_domain_create() - init_iova_domain() plus iova_domain_init_rcaches().
 * @out:       receives the new domain.
 * @granule:   the allocation unit in bytes: a power of two, at least IMS_IOVA_MIN_GRANULE.
 * @start_pfn: the lowest pfn that may be allocated.
 *
 * The domain starts empty except for the anchor node at IMS_IOVA_ANCHOR; both
 * cached-node hints point at the anchor and max32_alloc_size = dma_32bit_pfn.
 *
 * Return: 0; -EINVAL for a bad granule; -ENOMEM when memory runs out.
 */
IMS_EXPORT int ims_iova_domain_create(struct ims_iova_domain **out, uint64_t granule,
				      uint64_t start_pfn);

/**
 * ims_iova_domain_destroy() - put_iova_domain(): free every range, cache and the domain.
 * @iovad: the domain, or NULL.  No other thread may be using it.
 */
IMS_EXPORT void ims_iova_domain_destroy(struct ims_iova_domain *iovad);

/**
 * ims_iova_alloc() - alloc_iova(): allocate @size pfns below @limit_pfn, bypassing the caches.
 * @iovad:        the domain.
 * @size:         number of granules, at least 1.
 * @limit_pfn:    the highest pfn the range may use (inclusive), below IMS_IOVA_ANCHOR.
 * @size_aligned: align the start to roundup_pow_of_two(@size).
 * @out:          receives the range; may be NULL.
 *
 * The search starts at the cached node (cached32_node when @limit_pfn + 1 is at
 * most dma_32bit_pfn, else cached_node), walks down, and retries once above the
 * cached node, exactly as __alloc_and_insert_iova_range() does.
 *
 * Return: 0; -ENOMEM when no gap fits (max32_alloc_size is then set to @size);
 * -EINVAL for a zero @size or a @limit_pfn of IMS_IOVA_ANCHOR.
 */
IMS_EXPORT int ims_iova_alloc(struct ims_iova_domain *iovad, uint64_t size, uint64_t limit_pfn,
			      bool size_aligned, struct ims_iova *out);

/**
 * ims_iova_alloc_fast() - alloc_iova_fast(): the cached allocation path.
 * @iovad:        the domain.
 * @size:         number of granules; below 32 it is rounded up to a power of two.
 * @limit_pfn:    the highest pfn the range may use (inclusive).
 * @flush_rcache: on failure, flush every thread's cache and the depots, then retry once.
 *
 * Tries this thread's magazine for the size class first, then the tree with
 * size alignment.  Safe to call from many threads at once.
 *
 * Return: the first pfn of the range, or 0 when nothing fits (or on bad arguments).
 */
IMS_EXPORT uint64_t ims_iova_alloc_fast(struct ims_iova_domain *iovad, uint64_t size,
					uint64_t limit_pfn, bool flush_rcache);

/**
 * ims_iova_free_fast() - free_iova_fast(): return a range to this thread's cache.
 * @iovad: the domain.
 * @pfn:   the first pfn, as returned by ims_iova_alloc_fast().
 * @size:  the size passed to ims_iova_alloc_fast() (unrounded is fine).
 *
 * Sizes up to 32 go to the magazine of their class and the range stays in the
 * tree; when that cannot take it (or for larger sizes) the range is freed with
 * ims_iova_free().  Safe to call from many threads at once.
 */
IMS_EXPORT void ims_iova_free_fast(struct ims_iova_domain *iovad, uint64_t pfn, uint64_t size);

/**
 * ims_iova_find() - find_iova(): the range that contains @pfn.
 * @iovad: the domain.
 * @pfn:   any pfn.
 * @out:   receives the range; may be NULL.
 *
 * Return: 0; -ENOENT when no range (the anchor excluded) contains @pfn.
 */
IMS_EXPORT int ims_iova_find(struct ims_iova_domain *iovad, uint64_t pfn, struct ims_iova *out);

/**
 * ims_iova_free() - free_iova(): remove the range that contains @pfn from the tree.
 * @iovad: the domain.
 * @pfn:   any pfn of the range.
 *
 * The kernel ignores a pfn with no range; so does this, but it says so.
 *
 * Return: 0; -ENOENT when no range contains @pfn (nothing changes).
 */
IMS_EXPORT int ims_iova_free(struct ims_iova_domain *iovad, uint64_t pfn);

/**
 * ims_iova_free_range() - __free_iova(): remove the range found by ims_iova_find().
 * @iovad: the domain.
 * @iova:  a range whose @pfn_lo and @pfn_hi match a range in the tree exactly.
 *
 * Return: 0; -ENOENT when no range matches exactly.
 */
IMS_EXPORT int ims_iova_free_range(struct ims_iova_domain *iovad, const struct ims_iova *iova);

/**
 * ims_iova_reserve() - reserve_iova(): keep [@pfn_lo, @pfn_hi] out of allocation.
 * @iovad:  the domain.
 * @pfn_lo: first pfn.
 * @pfn_hi: last pfn (inclusive), at least @pfn_lo.
 * @out:    receives the node that now covers the end of the reservation; may be NULL.
 *
 * Ranges already in the tree that overlap are extended down to cover the
 * request instead of being duplicated (__adjust_overlap_range()); what is left
 * above the last overlapping range becomes a new node.
 *
 * Return: 0; -EINVAL when a pfn exceeds ULLONG_MAX >> iova_shift or @pfn_lo > @pfn_hi;
 * -ENOMEM when memory runs out.
 */
IMS_EXPORT int ims_iova_reserve(struct ims_iova_domain *iovad, uint64_t pfn_lo, uint64_t pfn_hi,
				struct ims_iova *out);

/**
 * ims_iova_free_cpu_cached() - free_cpu_cached_iovas() for the calling thread's cache.
 * @iovad: the domain.
 */
IMS_EXPORT void ims_iova_free_cpu_cached(struct ims_iova_domain *iovad);

/**
 * ims_iova_flush_rcaches() - free every thread's cached pfns, then every depot.
 * @iovad: the domain.
 *
 * What alloc_iova_fast() does before its retry: free_cpu_cached_iovas() for
 * each thread in order of first use, then free_global_cached_iovas().
 */
IMS_EXPORT void ims_iova_flush_rcaches(struct ims_iova_domain *iovad);

/**
 * ims_iova_depot_reclaim() - run the depot reclaim work (iova_depot_work_func) now.
 * @iovad: the domain.
 *
 * The kernel trims each depot, one magazine per 100 ms, while it holds more
 * magazines than there are online CPUs.  The model has no timer: this call
 * does all the trimming at once, down to the number of threads with a cache.
 *
 * Return: the number of magazines freed back to the tree.
 */
IMS_EXPORT int ims_iova_depot_reclaim(struct ims_iova_domain *iovad);

/**
 * ims_iova_set_linear_steps() - tune how far the search walks node by node.
 * @iovad: the domain.
 * @steps: nodes visited one by one, as the kernel does, before the indexed
 *         search takes over (0: always indexed).  Results never depend on it.
 */
IMS_EXPORT void ims_iova_set_linear_steps(struct ims_iova_domain *iovad, unsigned int steps);

/**
 * ims_iova_get_info() - a snapshot of the domain's hints, counters and caches.
 * @iovad: the domain.
 * @info:  filled in.
 */
IMS_EXPORT void ims_iova_get_info(struct ims_iova_domain *iovad, struct ims_iova_info *info);

/**
 * ims_iova_check() - verify the domain's internal invariants.
 * @iovad: the domain.
 *
 * Checks ordering, non-overlap, the gap index and the neighbour links of the
 * tree, and that every cached pfn lies in a range of the tree.
 *
 * Return: 0 when consistent; -EFAULT (with a message) at the first violation.
 */
IMS_EXPORT int ims_iova_check(struct ims_iova_domain *iovad);

/**
 * ims_iova_fuzz_one() - run one fuzz input as a sequence of allocator calls.
 * @data: bytes decoded into operations.
 * @len:  number of bytes.
 *
 * Every result is checked against a bitmap reference (limits, alignment, no
 * two live ranges overlap) and against ims_iova_check().
 *
 * Return: 0 when all checks pass; -EFAULT at the first mismatch.
 */
IMS_EXPORT int ims_iova_fuzz_one(const uint8_t *data, size_t len);

#ifdef __cplusplus
}
#endif
#endif /* IOMMUSIM_IOVA_H */
