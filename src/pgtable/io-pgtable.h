/* SPDX-License-Identifier: MIT */
/*
 * Internal io-pgtable definitions shared by the format registry and the
 * formats (the private half of include/linux/io-pgtable.h).
 */
#ifndef IMS_PGTABLE_IO_PGTABLE_H
#define IMS_PGTABLE_IO_PGTABLE_H

#include <iommusim/pgtable.h>

#include "util/compiler.h"

/**
 * struct ims_io_pgtable - the generic part of every format instance
 * (struct io_pgtable); formats embed it first and recover their private
 * data with container_of().
 */
struct ims_io_pgtable {
	enum ims_io_pgtable_fmt fmt;
	void *cookie;
	struct ims_io_pgtable_cfg cfg;
	struct ims_io_pgtable_ops ops;
};

/* container_of() for a const pointer. */
#define container_of_const(ptr, type, member)                                                      \
	((const type *)(const void *)((const char *)(ptr)-offsetof(type, member)))

#define io_pgtable_ops_to_pgtable(x) container_of((x), struct ims_io_pgtable, ops)

/**
 * struct ims_io_pgtable_init_fns - a format's constructor and destructor
 * (struct io_pgtable_init_fns).
 * @alloc: build an instance from @cfg (restricting it and filling the
 *         register outputs); 0 or a negative code.
 * @free:  free every table and the instance.
 * @info:  describe the geometry.
 * @prot_to_pte: the attribute bits of a mapping with @prot.
 */
struct ims_io_pgtable_init_fns {
	int (*alloc)(struct ims_io_pgtable **out, struct ims_io_pgtable_cfg *cfg, void *cookie);
	void (*free)(struct ims_io_pgtable *iop);
	void (*info)(const struct ims_io_pgtable *iop, struct ims_io_pgtable_info *info);
	uint64_t (*prot_to_pte)(const struct ims_io_pgtable *iop, int prot);
};

extern const struct ims_io_pgtable_init_fns ims_io_pgtable_arm_64_lpae_s1_init_fns;
extern const struct ims_io_pgtable_init_fns ims_io_pgtable_arm_64_lpae_s2_init_fns;

/* Flush wrappers that tolerate missing callbacks (io_pgtable_tlb_*()). */
static inline void io_pgtable_tlb_flush_all(struct ims_io_pgtable *iop)
{
	if (iop->cfg.tlb && iop->cfg.tlb->tlb_flush_all)
		iop->cfg.tlb->tlb_flush_all(iop->cookie);
}

static inline void io_pgtable_tlb_flush_walk(struct ims_io_pgtable *iop, uint64_t iova, size_t size,
					     size_t granule)
{
	if (iop->cfg.tlb && iop->cfg.tlb->tlb_flush_walk)
		iop->cfg.tlb->tlb_flush_walk(iova, size, granule, iop->cookie);
}

static inline void io_pgtable_tlb_add_page(struct ims_io_pgtable *iop,
					   struct ims_iotlb_gather *gather, uint64_t iova,
					   size_t granule)
{
	if (iop->cfg.tlb && iop->cfg.tlb->tlb_add_page)
		iop->cfg.tlb->tlb_add_page(gather, iova, granule, iop->cookie);
}

/* iommu_iotlb_gather_queued() */
static inline bool iommu_iotlb_gather_queued(const struct ims_iotlb_gather *gather)
{
	return gather && gather->queued;
}

#endif
