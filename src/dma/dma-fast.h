/* SPDX-License-Identifier: MIT */
/*
 * The DMA layer's per-device fast state (struct ims_device @dma_fast): what a
 * one-granule dma_map_page_attrs()/dma_unmap_page_attrs() of a coherent,
 * trusted IOMMU device needs, gathered once so that the entry points load it
 * from the device instead of walking group -> domain -> cookie and testing the
 * device's DMA fields on every call.
 *
 * Lifetime: allocated by the DMA layer the first time the state can be built
 * for the device (mapping.c, dma-iommu.c), freed when the device leaves its
 * IOMMU group (iommu.c: iommu_deinit_device()).  The allocation stays while
 * the device has its IOMMU; it is invalidated (@cookie = NULL, rebuilt by the
 * next call that takes the general path) whenever what it was built from may
 * change: dma_set_mask()/dma_set_coherent_mask(), a domain change of the
 * group, the DMA ops, a dma_configure() (of_iommu_configure, driver bind and
 * unbind), the device's 32-bit IOVA attempt failing, the cookie going away.
 *
 * Only inline functions here: the IOMMU core (a separate library section)
 * invalidates and frees without a call into the DMA layer.
 */
#ifndef IMS_DMA_FAST_H
#define IMS_DMA_FAST_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include <iommusim/bus.h>

struct dma_cookie;
struct ims_iova_domain;
struct ims_io_pgtable_ops;

/**
 * struct ims_dma_fast - the per-device fast state.
 * @cookie:      the cookie of the device's DMA domain; NULL when the general
 *               path must be taken (it rebuilds the state).  Built only for a
 *               device with IOMMU DMA ops whose cookie is @fast (no DMA-API
 *               debug: so a state that exists at all means that
 *               dma_mapping_error() has nothing to report), a coherent,
 *               trusted device with a DMA mask and no bus_dma_limit, and a
 *               driver whose map_pages/unmap_pages only forward to its page
 *               table (@pgtbl).
 * @pgtbl:       where the driver keeps its page table's ops (re-read on every
 *               call: NULL once the table is freed, and the general path then
 *               gets the driver's own answer).
 * @iovad:       the cookie's IOVA domain ...
 * @iova_uid:    ... and its uid (ims_iova_pop1()/ims_iova_push1()).
 * @gmask:       the granule - 1.
 * @shift:       log2 of the granule.
 * @fq:          the domain has a flush queue (lazy unmap).
 * @first_flush: the first IOVA allocation may flush the rcaches (false: the
 *               32-bit first attempt of a PCI device with a wider mask).
 * @first_pfn:   the limit pfn of the first IOVA allocation
 *               (iommu_dma_alloc_iova() for one granule).
 * @ram0_base:   the whole granules of the DMA context's largest RAM
 *               region ...
 * @ram0_size:   ... and their size (RAM is never removed): a buffer within
 *               one granule is in RAM when its start is.
 */
struct ims_dma_fast {
	struct dma_cookie *_Atomic cookie;
	struct ims_io_pgtable_ops **pgtbl;
	struct ims_iova_domain *iovad;
	uint64_t iova_uid;
	uint64_t gmask;
	unsigned int shift;
	bool fq;
	bool first_flush;
	uint64_t first_pfn;
	uint64_t ram0_base, ram0_size;
};

/* The general path for @dev from now on, until the state is rebuilt. */
static inline void ims_dma_fast_invalidate(struct ims_device *dev)
{
	struct ims_dma_fast *s = dev ? dev->dma_fast : NULL;

	if (s)
		atomic_store_explicit(&s->cookie, NULL, memory_order_release);
}

/* The device leaves its IOMMU: free the state (no DMA call may be in flight). */
static inline void ims_dma_fast_free(struct ims_device *dev)
{
	free(dev->dma_fast);
	dev->dma_fast = NULL;
}

#endif
