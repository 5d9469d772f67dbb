/* SPDX-License-Identifier: MIT */
/*
 * The SMMU drivers: arm-smmu-v3 (drivers/iommu/arm/arm-smmu-v3) and arm-smmu
 * (drivers/iommu/arm/arm-smmu, SMMUv1/v2 and MMU-500), Linux 6.12.  They
 * program the hardware models only through MMIO and simulated memory, as the
 * kernel's drivers program silicon.
 */
#ifndef IOMMUSIM_DRIVERS_H
#define IOMMUSIM_DRIVERS_H

#include <iommusim/bus.h>
#include <iommusim/common.h>
#include <iommusim/iommu.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * ims_arm_smmu_v3_register() - register the arm-smmu-v3 platform driver
 * (compatible "arm,smmu-v3") with the driver core.  Its instances register
 * with the IOMMU core installed on @core (ims_iommu_core_new() must have run)
 * and reach their registers and memory through ims_devcore_mem().
 * @core: the driver core.
 *
 * Return: 0, -EINVAL or -ENOMEM.
 */
IMS_EXPORT int ims_arm_smmu_v3_register(struct ims_devcore *core);

/**
 * ims_arm_smmu_register() - register the arm-smmu platform driver
 * ("arm,smmu-v1", "arm,smmu-v2", "arm,mmu-400", "arm,mmu-401", "arm,mmu-500"
 * and the vendor "*-smmu-500" variants the kernel matches) with the driver core.
 * @core: the driver core.
 *
 * Return: 0, -EINVAL or -ENOMEM.
 */
IMS_EXPORT int ims_arm_smmu_register(struct ims_devcore *core);

#ifdef __cplusplus
}
#endif
#endif /* IOMMUSIM_DRIVERS_H */
