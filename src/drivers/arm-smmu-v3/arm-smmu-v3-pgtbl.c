// SPDX-License-Identifier: MIT
/*
 * io-pgtable glue of the arm-smmu-v3 driver (see arm-smmu-v3-pgtbl.h for why
 * it is a separate translation unit).  Tables live in simulated RAM so that
 * the SMMUv3 model walks exactly what io-pgtable-arm wrote.
 */
#include <stdlib.h>

#include <iommusim/pgtable.h>

#include "arm-smmu-v3-pgtbl.h"
#include "util/compiler.h"

struct arm_smmu_v3_pgtbl {
	struct ims_io_pgtable_ops *ops;
	struct ims_mem *mem;
	const struct arm_smmu_v3_pgtbl_tlb_ops *tlb;
	void *cookie;
	/* io-pgtable needs va - pa constant over one table (a linear map). */
	bool have_delta;
	intptr_t delta;
	uint64_t bytes;
};

/* A gather wrapped so that tlb_add_page finds the caller's iommu gather. */
struct pgtbl_gather {
	struct ims_iotlb_gather g;
	void *outer;
	struct arm_smmu_v3_pgtbl *p;
};

static int pgtbl_mem_alloc(void *cookie, size_t size, uint64_t *pa, void **va)
{
	struct arm_smmu_v3_pgtbl *p = cookie;
	void *host;

	if (ims_mem_alloc(p->mem, pa, size, size, IMS_MEM_ZERO))
		return -ENOMEM;
	host = ims_mem_host_ptr(p->mem, *pa, size);
	if (!host || (p->have_delta && (intptr_t)host - (intptr_t)*pa != p->delta)) {
		ims_mem_free_block(p->mem, *pa, size);
		return -ENOMEM;
	}
	p->have_delta = true;
	p->delta = (intptr_t)host - (intptr_t)*pa;
	p->bytes += size;
	*va = host;
	return 0;
}

static void pgtbl_mem_free(void *cookie, uint64_t pa, void *va, size_t size)
{
	struct arm_smmu_v3_pgtbl *p = cookie;

	(void)va;
	ims_mem_free_block(p->mem, pa, size);
	p->bytes -= size;
}

static const struct ims_pgtable_mem_ops pgtbl_mem_ops = { pgtbl_mem_alloc, pgtbl_mem_free };

static void pgtbl_flush_all(void *cookie)
{
	struct arm_smmu_v3_pgtbl *p = cookie;

	if (p->tlb && p->tlb->tlb_flush_all)
		p->tlb->tlb_flush_all(p->cookie);
}

static void pgtbl_flush_walk(uint64_t iova, size_t size, size_t granule, void *cookie)
{
	struct arm_smmu_v3_pgtbl *p = cookie;

	if (p->tlb && p->tlb->tlb_flush_walk)
		p->tlb->tlb_flush_walk(iova, size, granule, p->cookie);
}

static void pgtbl_add_page(struct ims_iotlb_gather *gather, uint64_t iova, size_t granule,
			   void *cookie)
{
	struct arm_smmu_v3_pgtbl *p = cookie;
	struct pgtbl_gather *pg = gather ? container_of(gather, struct pgtbl_gather, g) : NULL;

	if (p->tlb && p->tlb->tlb_add_page)
		p->tlb->tlb_add_page(pg ? pg->outer : NULL, iova, granule, p->cookie);
}

static const struct ims_iommu_flush_ops pgtbl_flush_ops = {
	.tlb_flush_all = pgtbl_flush_all,
	.tlb_flush_walk = pgtbl_flush_walk,
	.tlb_add_page = pgtbl_add_page,
};

int arm_smmu_v3_pgtbl_alloc(struct arm_smmu_v3_pgtbl **out, const struct arm_smmu_v3_pgtbl_cfg *cfg,
			    struct arm_smmu_v3_lpae_regs *regs, uint64_t *pgsize_bitmap,
			    unsigned int *ias)
{
	struct ims_io_pgtable_cfg pc = { 0 };
	const struct ims_io_pgtable_cfg *got;
	struct arm_smmu_v3_pgtbl *p = calloc(1, sizeof(*p));
	int ret;

	if (!p)
		return -ENOMEM;
	p->mem = cfg->mem;
	p->tlb = cfg->tlb;
	p->cookie = cfg->cookie;
	pc.pgsize_bitmap = cfg->pgsize_bitmap;
	pc.ias = cfg->ias;
	pc.oas = cfg->oas;
	pc.coherent_walk = cfg->coherent_walk;
	pc.tlb = &pgtbl_flush_ops;
	pc.mem = &pgtbl_mem_ops;
	pc.mem_cookie = p;
	pc.log = cfg->log;
	ret = ims_pgtable_alloc_ops(&p->ops, cfg->stage2 ? IMS_ARM_64_LPAE_S2 : IMS_ARM_64_LPAE_S1,
				    &pc, p);
	if (ret) {
		free(p);
		return ret;
	}
	got = ims_pgtable_get_cfg(p->ops);
	*regs = (struct arm_smmu_v3_lpae_regs){ 0 };
	if (cfg->stage2) {
		regs->ttbr = got->s2.vttbr;
		regs->tsz = got->s2.vtcr.tsz;
		regs->tg = got->s2.vtcr.tg;
		regs->irgn = got->s2.vtcr.irgn;
		regs->orgn = got->s2.vtcr.orgn;
		regs->sh = got->s2.vtcr.sh;
		regs->ips = got->s2.vtcr.ips;
		regs->sl = got->s2.vtcr.sl;
	} else {
		regs->ttbr = got->s1.ttbr;
		regs->mair = got->s1.mair;
		regs->tsz = got->s1.tcr.tsz;
		regs->tg = got->s1.tcr.tg;
		regs->irgn = got->s1.tcr.irgn;
		regs->orgn = got->s1.tcr.orgn;
		regs->sh = got->s1.tcr.sh;
		regs->ips = got->s1.tcr.ips;
		regs->hd = !!(got->quirks & IMS_IO_PGTABLE_QUIRK_ARM_HD);
	}
	*pgsize_bitmap = got->pgsize_bitmap;
	*ias = got->ias;
	*out = p;
	return 0;
}

void arm_smmu_v3_pgtbl_free(struct arm_smmu_v3_pgtbl *p)
{
	if (!p)
		return;
	ims_pgtable_free_ops(p->ops);
	free(p);
}

int arm_smmu_v3_pgtbl_map(struct arm_smmu_v3_pgtbl *p, uint64_t iova, uint64_t paddr, size_t pgsize,
			  size_t pgcount, int prot, size_t *mapped)
{
	return p->ops->map_pages(p->ops, iova, paddr, pgsize, pgcount, prot, 0, mapped);
}

size_t arm_smmu_v3_pgtbl_unmap(struct arm_smmu_v3_pgtbl *p, uint64_t iova, size_t pgsize,
			       size_t pgcount, void *gather, bool queued)
{
	struct pgtbl_gather pg;

	ims_iotlb_gather_init(&pg.g);
	pg.g.queued = queued;
	pg.outer = gather;
	pg.p = p;
	return p->ops->unmap_pages(p->ops, iova, pgsize, pgcount, &pg.g);
}

uint64_t arm_smmu_v3_pgtbl_iova_to_phys(struct arm_smmu_v3_pgtbl *p, uint64_t iova)
{
	return p->ops->iova_to_phys(p->ops, iova);
}

uint64_t arm_smmu_v3_pgtbl_bytes(const struct arm_smmu_v3_pgtbl *p)
{
	return p ? p->bytes : 0;
}
