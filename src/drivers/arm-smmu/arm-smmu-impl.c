// SPDX-License-Identifier: MIT
/*
 * Implementation quirks (drivers/iommu/arm/arm-smmu/arm-smmu-impl.c, 6.12):
 * the MMU-500 reset hook and the Marvell AP806 integration.  The Cavium,
 * Calxeda, NVIDIA Tegra and Qualcomm hooks are not modelled (docs/arm-smmu.md).
 */
#include "drivers/arm-smmu/arm-smmu.h"

/*
 * arm_mmu500_reset(): from r2p0 clear sACR.CACHE_LOCK so that the context
 * banks' ACTLRs can be written, let unmatched and bypass streams allocate TLB
 * entries (sACR.SMTNMB_TLBEN, S2CRB_TLBEN; MMU-500 TRM §3.3.3), then turn off
 * the next-page prefetcher (ACTLR.CPRE) in every bank, for the sake of
 * several MMU-500 errata (841119, 826419 and others).
 */
static int arm_mmu500_reset(struct arm_smmu_device *smmu)
{
	uint32_t reg, major;
	bool warned = false;

	reg = arm_smmu_gr0_read(smmu, SMMU_GR0_ID7);
	major = FIELD_GET(ID7_MAJOR, reg);
	reg = arm_smmu_gr0_read(smmu, SMMU_GR0_sACR);
	if (major >= 2)
		reg &= ~MMU500_sACR_CACHE_LOCK;
	reg |= MMU500_sACR_SMTNMB_TLBEN | MMU500_sACR_S2CRB_TLBEN;
	arm_smmu_gr0_write(smmu, SMMU_GR0_sACR, reg);

	for (unsigned int i = 0; i < smmu->num_context_banks; i++) {
		reg = arm_smmu_cb_read(smmu, i, SMMU_CB_ACTLR);
		reg &= ~ARM_MMU500_ACTLR_CPRE;
		arm_smmu_cb_write(smmu, i, SMMU_CB_ACTLR, reg);
		reg = arm_smmu_cb_read(smmu, i, SMMU_CB_ACTLR);
		if ((reg & ARM_MMU500_ACTLR_CPRE) && !warned) {
			/* dev_warn_once() */
			ims_dev_logf(smmu->dev, IMS_LOG_WARNING,
				     "Failed to disable prefetcher for errata workarounds, check "
				     "SACR.CACHE_LOCK");
			warned = true;
		}
	}
	return 0;
}

static const struct arm_smmu_impl arm_mmu500_impl = {
	.reset = arm_mmu500_reset,
};

/*
 * Marvell Armada-AP806 erratum #582743: 64-bit register accesses are split
 * into two 32-bit ones, high word first (mrvl_mmu500_readq/writeq).  Linux's
 * mrvl_mmu500_cfg_probe() also hides the AArch64 table formats so that the
 * AArch32 LPAE format is used; neither the MMU-500 model nor io-pgtable here
 * has the AArch32 formats, so the AArch64 formats are kept (a documented
 * deviation, docs/arm-smmu.md).
 */
static const struct arm_smmu_impl mrvl_mmu500_impl = {
	.split_reg64 = true,
	.reset = arm_mmu500_reset,
};

/* arm_smmu_impl_init(): the model's impl first, then the integration's. */
void arm_smmu_impl_init(struct arm_smmu_device *smmu)
{
	const struct ims_of_tree *tree = ims_devcore_tree(smmu->core);

	if (smmu->model == ARM_MMU500)
		smmu->impl = &arm_mmu500_impl;
	if (ims_of_device_is_compatible(tree, smmu->node, "marvell,ap806-smmu-500"))
		smmu->impl = &mrvl_mmu500_impl;
}
