/* SPDX-License-Identifier: MIT */
/*
 * The arm-smmu driver's bridge to io-pgtable-arm.  It lives in its own
 * translation unit because include/iommusim/pgtable.h and iommu.h each define
 * a struct ims_iotlb_gather; arm-smmu only ever passes the gather through
 * (its add_page/iotlb_sync never read it), so the bridge needs no gather type.
 */
#ifndef IMS_DRIVERS_ARM_SMMU_PGTBL_H
#define IMS_DRIVERS_ARM_SMMU_PGTBL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <iommusim/common.h>
#include <iommusim/hw.h>

struct arm_smmu_pgtbl;

/**
 * struct arm_smmu_pgtbl_cfg - the io_pgtable_cfg arm_smmu_init_domain_context() builds.
 * @stage1:        ARM_64_LPAE_S1 (else ARM_64_LPAE_S2).
 * @ias:           input size.
 * @oas:           output size.
 * @pgsize_bitmap: in: the SMMU's; out: restricted to the chosen granule.
 * @coherent_walk: ARM_SMMU_FEAT_COHERENT_WALK.
 * @mem:           where tables are allocated.
 * @log:           WARN sink.
 * @cookie:        the flush callbacks' cookie (the arm_smmu_domain).
 * @sh:            out: TCR/VTCR SH0.
 * @irgn:          out: IRGN0.
 * @orgn:          out: ORGN0.
 * @tg:            out: TG0.
 * @ips:           out: stage 1 IPS (TCR2.PASIZE) or stage 2 PS.
 * @tsz:           out: T0SZ.
 * @sl:            out: stage 2 SL0.
 * @ttbr:          out: stage 1 TTBR (table base) or stage 2 VTTBR.
 * @mair:          out: stage 1 MAIR.
 */
struct arm_smmu_pgtbl_cfg {
	bool stage1;
	unsigned int ias, oas;
	uint64_t pgsize_bitmap;
	bool coherent_walk;
	struct ims_mem *mem;
	const struct ims_log *log;
	void *cookie;
	uint8_t sh, irgn, orgn, tg, ips, tsz, sl;
	uint64_t ttbr;
	uint64_t mair;
};

/* alloc_io_pgtable_ops(): 0, -EINVAL or -ENOMEM. */
int arm_smmu_pgtbl_alloc(struct arm_smmu_pgtbl **out, struct arm_smmu_pgtbl_cfg *cfg);
/* free_io_pgtable_ops(). */
void arm_smmu_pgtbl_free(struct arm_smmu_pgtbl *p);
/* ops->map_pages(). */
int arm_smmu_pgtbl_map(struct arm_smmu_pgtbl *p, uint64_t iova, uint64_t paddr, size_t pgsize,
		       size_t pgcount, int prot, size_t *mapped);
/* ops->unmap_pages(); @queued: the iommu gather is queued to a flush queue. */
size_t arm_smmu_pgtbl_unmap(struct arm_smmu_pgtbl *p, uint64_t iova, size_t pgsize, size_t pgcount,
			    bool queued);
/* ops->iova_to_phys(). */
uint64_t arm_smmu_pgtbl_iova_to_phys(struct arm_smmu_pgtbl *p, uint64_t iova);

/*
 * The driver's struct iommu_flush_ops, implemented in arm-smmu.c: they
 * dispatch on the domain's stage as arm_smmu_s1_tlb_ops and
 * arm_smmu_s2_tlb_ops_v2/_v1 do.
 */
void arm_smmu_tlb_flush_all(void *cookie);
void arm_smmu_tlb_flush_walk(uint64_t iova, size_t size, size_t granule, void *cookie);
void arm_smmu_tlb_add_page(uint64_t iova, size_t granule, void *cookie);

#endif
