// SPDX-License-Identifier: MIT
/*
 * arm-smmu's io-pgtable bridge: tables in simulated memory, the flush ops
 * forwarded to the driver (see arm-smmu-pgtbl.h for why this is separate).
 */
#include <stdlib.h>

#include <iommusim/pgtable.h>

#include "drivers/arm-smmu/arm-smmu-pgtbl.h"

struct arm_smmu_pgtbl {
	struct ims_io_pgtable_ops *ops;
	struct ims_mem *mem;
};

/* Tables come from the simulated page allocator, zeroed, naturally aligned. */
static int arm_smmu_pgtbl_mem_alloc(void *cookie, size_t size, uint64_t *pa, void **va)
{
	struct arm_smmu_pgtbl *p = cookie;
	int ret = ims_mem_alloc(p->mem, pa, size, size, IMS_MEM_ZERO);

	if (ret)
		return ret;
	*va = ims_mem_host_ptr(p->mem, *pa, size);
	if (!*va) {
		ims_mem_free_block(p->mem, *pa, size);
		return -ENOMEM;
	}
	return 0;
}

static void arm_smmu_pgtbl_mem_free(void *cookie, uint64_t pa, void *va, size_t size)
{
	struct arm_smmu_pgtbl *p = cookie;

	(void)va;
	ims_mem_free_block(p->mem, pa, size);
}

static const struct ims_pgtable_mem_ops arm_smmu_pgtbl_mem_ops = {
	.alloc = arm_smmu_pgtbl_mem_alloc,
	.free = arm_smmu_pgtbl_mem_free,
};

static void arm_smmu_pgtbl_add_page(struct ims_iotlb_gather *gather, uint64_t iova, size_t granule,
				    void *cookie)
{
	(void)gather;
	arm_smmu_tlb_add_page(iova, granule, cookie);
}

static const struct ims_iommu_flush_ops arm_smmu_pgtbl_flush_ops = {
	.tlb_flush_all = arm_smmu_tlb_flush_all,
	.tlb_flush_walk = arm_smmu_tlb_flush_walk,
	.tlb_add_page = arm_smmu_pgtbl_add_page,
};

int arm_smmu_pgtbl_alloc(struct arm_smmu_pgtbl **out, struct arm_smmu_pgtbl_cfg *c)
{
	struct ims_io_pgtable_cfg cfg = {
		.pgsize_bitmap = c->pgsize_bitmap,
		.ias = c->ias,
		.oas = c->oas,
		.coherent_walk = c->coherent_walk,
		.tlb = &arm_smmu_pgtbl_flush_ops,
		.mem = &arm_smmu_pgtbl_mem_ops,
		.log = c->log,
	};
	struct arm_smmu_pgtbl *p = calloc(1, sizeof(*p));
	int ret;

	if (!p)
		return -ENOMEM;
	p->mem = c->mem;
	cfg.mem_cookie = p;
	ret = ims_pgtable_alloc_ops(&p->ops, c->stage1 ? IMS_ARM_64_LPAE_S1 : IMS_ARM_64_LPAE_S2,
				    &cfg, c->cookie);
	if (ret) {
		free(p);
		return ret;
	}
	cfg = *ims_pgtable_get_cfg(p->ops);
	c->pgsize_bitmap = cfg.pgsize_bitmap;
	if (c->stage1) {
		c->sh = cfg.s1.tcr.sh;
		c->irgn = cfg.s1.tcr.irgn;
		c->orgn = cfg.s1.tcr.orgn;
		c->tg = cfg.s1.tcr.tg;
		c->ips = cfg.s1.tcr.ips;
		c->tsz = cfg.s1.tcr.tsz;
		c->sl = 0;
		c->ttbr = cfg.s1.ttbr;
		c->mair = cfg.s1.mair;
	} else {
		c->sh = cfg.s2.vtcr.sh;
		c->irgn = cfg.s2.vtcr.irgn;
		c->orgn = cfg.s2.vtcr.orgn;
		c->tg = cfg.s2.vtcr.tg;
		c->ips = cfg.s2.vtcr.ips;
		c->tsz = cfg.s2.vtcr.tsz;
		c->sl = cfg.s2.vtcr.sl;
		c->ttbr = cfg.s2.vttbr;
		c->mair = 0;
	}
	*out = p;
	return 0;
}

void arm_smmu_pgtbl_free(struct arm_smmu_pgtbl *p)
{
	if (!p)
		return;
	ims_pgtable_free_ops(p->ops);
	free(p);
}

int arm_smmu_pgtbl_map(struct arm_smmu_pgtbl *p, uint64_t iova, uint64_t paddr, size_t pgsize,
		       size_t pgcount, int prot, size_t *mapped)
{
	return p->ops->map_pages(p->ops, iova, paddr, pgsize, pgcount, prot, 0, mapped);
}

size_t arm_smmu_pgtbl_unmap(struct arm_smmu_pgtbl *p, uint64_t iova, size_t pgsize, size_t pgcount,
			    bool queued)
{
	struct ims_iotlb_gather gather;

	ims_iotlb_gather_init(&gather);
	gather.queued = queued;
	return p->ops->unmap_pages(p->ops, iova, pgsize, pgcount, &gather);
}

uint64_t arm_smmu_pgtbl_iova_to_phys(struct arm_smmu_pgtbl *p, uint64_t iova)
{
	return p->ops->iova_to_phys(p->ops, iova);
}
