/* SPDX-License-Identifier: MIT */
/*
 * The arm-smmu-v3 driver's view of io-pgtable-arm.
 *
 * include/iommusim/pgtable.h and include/iommusim/iommu.h both define a
 * struct ims_iotlb_gather (with different members), so no translation unit
 * can include both.  The driver therefore reaches io-pgtable through this
 * narrow interface, implemented in arm-smmu-v3-pgtbl.c, which uses plain
 * types only.
 */
#ifndef IMS_DRIVERS_ARM_SMMU_V3_PGTBL_H
#define IMS_DRIVERS_ARM_SMMU_V3_PGTBL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <iommusim/common.h>
#include <iommusim/hw.h>

struct arm_smmu_v3_pgtbl;

/**
 * struct arm_smmu_v3_lpae_regs - the register values io-pgtable computed
 * (io_pgtable_cfg.arm_lpae_s1_cfg / arm_lpae_s2_cfg).
 * @ttbr:  stage 1 TTBR0, or stage 2 VTTBR.
 * @mair:  stage 1 MAIR.
 * @tsz:   T0SZ.  @tg: TG0 / S2TG.  @irgn, @orgn, @sh: walk attributes.
 * @ips:   stage 1 IPS, or stage 2 PS.
 * @sl:    stage 2 SL0.
 * @hd:    stage 1: IO_PGTABLE_QUIRK_ARM_HD (dirty tracking).
 */
struct arm_smmu_v3_lpae_regs {
	uint64_t ttbr, mair;
	uint8_t tsz, tg, irgn, orgn, sh, ips, sl;
	bool hd;
};

/**
 * struct arm_smmu_v3_pgtbl_tlb_ops - arm_smmu_flush_ops.
 * @tlb_flush_all:  arm_smmu_tlb_inv_context().
 * @tlb_flush_walk: arm_smmu_tlb_inv_walk().
 * @tlb_add_page:   arm_smmu_tlb_inv_page_nosync(); @gather is the caller's
 *                  iommu gather given to arm_smmu_v3_pgtbl_unmap().
 */
struct arm_smmu_v3_pgtbl_tlb_ops {
	void (*tlb_flush_all)(void *cookie);
	void (*tlb_flush_walk)(uint64_t iova, size_t size, size_t granule, void *cookie);
	void (*tlb_add_page)(void *gather, uint64_t iova, size_t granule, void *cookie);
};

/**
 * struct arm_smmu_v3_pgtbl_cfg - the io_pgtable_cfg arm_smmu_domain_finalise() builds.
 * @stage2:        ARM_64_LPAE_S2 instead of ARM_64_LPAE_S1.
 * @pgsize_bitmap: the SMMU's page sizes.
 * @ias:           input address bits.
 * @oas:           output address bits.
 * @coherent_walk: ARM_SMMU_FEAT_COHERENCY.
 * @mem:           where tables are allocated (simulated RAM).
 * @log:           sink for io-pgtable's warnings.
 * @tlb:           the flush callbacks.
 * @cookie:        passed to @tlb.
 */
struct arm_smmu_v3_pgtbl_cfg {
	bool stage2;
	uint64_t pgsize_bitmap;
	unsigned int ias, oas;
	bool coherent_walk;
	struct ims_mem *mem;
	const struct ims_log *log;
	const struct arm_smmu_v3_pgtbl_tlb_ops *tlb;
	void *cookie;
};

/*
 * alloc_io_pgtable_ops(): on success *@regs holds the register values, and
 * *@pgsize_bitmap / *@ias the restricted page sizes and input size.
 */
int arm_smmu_v3_pgtbl_alloc(struct arm_smmu_v3_pgtbl **out, const struct arm_smmu_v3_pgtbl_cfg *cfg,
			    struct arm_smmu_v3_lpae_regs *regs, uint64_t *pgsize_bitmap,
			    unsigned int *ias);
/* free_io_pgtable_ops(): tlb_flush_all, then free every table. */
void arm_smmu_v3_pgtbl_free(struct arm_smmu_v3_pgtbl *p);
int arm_smmu_v3_pgtbl_map(struct arm_smmu_v3_pgtbl *p, uint64_t iova, uint64_t paddr, size_t pgsize,
			  size_t pgcount, int prot, size_t *mapped);
/* @gather is handed back to tlb_add_page; @queued: iommu_iotlb_gather_queued(). */
size_t arm_smmu_v3_pgtbl_unmap(struct arm_smmu_v3_pgtbl *p, uint64_t iova, size_t pgsize,
			       size_t pgcount, void *gather, bool queued);
uint64_t arm_smmu_v3_pgtbl_iova_to_phys(struct arm_smmu_v3_pgtbl *p, uint64_t iova);
/* Bytes of simulated RAM the tables hold now (leak checks). */
uint64_t arm_smmu_v3_pgtbl_bytes(const struct arm_smmu_v3_pgtbl *p);

#endif
