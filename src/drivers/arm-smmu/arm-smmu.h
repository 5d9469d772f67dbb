/* SPDX-License-Identifier: MIT */
/*
 * arm-smmu internals: the driver state of drivers/iommu/arm/arm-smmu/arm-smmu.h
 * (Linux 6.12).  Register offsets and fields come from the MMU-500 model's
 * header, which follows the same architecture (IHI 0062).
 */
#ifndef IMS_DRIVERS_ARM_SMMU_H
#define IMS_DRIVERS_ARM_SMMU_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <iommusim/bus.h>
#include <iommusim/iommu.h>
#include <iommusim/pgtable.h>

#include "hw/smmuv2/regs.h"

/* Fields regs.h leaves out (arm-smmu.h names). */
#define ARM_SMMU_VTCR_RES1 BIT(31)
#define ARM_SMMU_VTCR_TG0 GENMASK(15, 14)
#define ARM_SMMU_VTCR_SH0 GENMASK(13, 12)
#define ARM_SMMU_VTCR_ORGN0 GENMASK(11, 10)
#define ARM_SMMU_VTCR_IRGN0 GENMASK(9, 8)
#define ARM_SMMU_VTCR_T0SZ GENMASK(5, 0)
#define ARM_SMMU_TCR2_SEP_UPSTREAM 0x7
#define ARM_SMMU_CBAR_S1_BPSHCFG_NSH 3
#define ARM_SMMU_CBAR_S1_MEMATTR_WB 0xf
#define ARM_MMU500_ACTLR_CPRE BIT(1)
#define ARM_SMMU_sGFSR_USF sGFSR_USF

/* QCOM_DUMMY_VAL: the value written to the sync and TLBIALL* registers. */
#define ARM_SMMU_DUMMY_VAL 0xffffffffu
/* __arm_smmu_tlb_sync() polling bounds (TLB_LOOP_TIMEOUT in us, TLB_SPIN_COUNT). */
#define ARM_SMMU_TLB_LOOP_TIMEOUT 1000000
#define ARM_SMMU_TLB_SPIN_COUNT 10

#define ARM_SMMU_MAX_CBS 128
#define ARM_SMMU_INVALID_SMENDX (-1)
#define ARM_SMMU_INVALID_IRPTNDX 0xff

/* smmu->features (ARM_SMMU_FEAT_*). */
#define ARM_SMMU_FEAT_COHERENT_WALK BIT(0)
#define ARM_SMMU_FEAT_STREAM_MATCH BIT(1)
#define ARM_SMMU_FEAT_TRANS_S1 BIT(2)
#define ARM_SMMU_FEAT_TRANS_S2 BIT(3)
#define ARM_SMMU_FEAT_TRANS_NESTED BIT(4)
#define ARM_SMMU_FEAT_TRANS_OPS BIT(5)
#define ARM_SMMU_FEAT_VMID16 BIT(6)
#define ARM_SMMU_FEAT_FMT_AARCH64_4K BIT(7)
#define ARM_SMMU_FEAT_FMT_AARCH64_16K BIT(8)
#define ARM_SMMU_FEAT_FMT_AARCH64_64K BIT(9)
#define ARM_SMMU_FEAT_FMT_AARCH32_L BIT(10)
#define ARM_SMMU_FEAT_FMT_AARCH32_S BIT(11)
#define ARM_SMMU_FEAT_EXIDS BIT(12)

enum arm_smmu_arch_version { ARM_SMMU_V1, ARM_SMMU_V1_64K, ARM_SMMU_V2 };
enum arm_smmu_implementation { GENERIC_SMMU, ARM_MMU500, CAVIUM_SMMUV2, QCOM_SMMUV2 };
enum arm_smmu_context_fmt {
	ARM_SMMU_CTX_FMT_NONE,
	ARM_SMMU_CTX_FMT_AARCH64,
	ARM_SMMU_CTX_FMT_AARCH32_L,
	ARM_SMMU_CTX_FMT_AARCH32_S,
};
enum arm_smmu_domain_stage { ARM_SMMU_DOMAIN_S1 = 0, ARM_SMMU_DOMAIN_S2, ARM_SMMU_DOMAIN_NESTED };

/** struct arm_smmu_smr - the shadow of one SMR. */
struct arm_smmu_smr {
	uint16_t mask;
	uint16_t id;
	bool valid;
};

/** struct arm_smmu_s2cr - the shadow of one S2CR, with its users and group. */
struct arm_smmu_s2cr {
	struct ims_iommu_group *group;
	int count;
	unsigned int type;
	unsigned int privcfg;
	uint8_t cbndx;
};

struct arm_smmu_cfg;

/** struct arm_smmu_cb - the shadow of one context bank's translation registers. */
struct arm_smmu_cb {
	uint64_t ttbr[2];
	uint32_t tcr[2];
	uint32_t mair[2];
	struct arm_smmu_cfg *cfg;
};

/** struct arm_smmu_cfg - a domain's context bank configuration. */
struct arm_smmu_cfg {
	uint8_t cbndx;
	uint8_t irptndx;
	uint16_t asid;
	uint16_t vmid;
	unsigned int cbar;
	enum arm_smmu_context_fmt fmt;
};

struct arm_smmu_device;

/** struct arm_smmu_impl - the implementation hooks modelled (arm-smmu-impl.c). */
struct arm_smmu_impl {
	bool split_reg64; /* mrvl_mmu500_readq/writeq: hi_lo 32-bit halves */
	int (*cfg_probe)(struct arm_smmu_device *smmu);
	int (*reset)(struct arm_smmu_device *smmu);
};

/** struct arm_smmu_device - one SMMU instance (struct arm_smmu_device). */
struct arm_smmu_device {
	struct ims_iommu_device iommu;
	struct ims_device *dev;
	struct ims_devcore *core;
	struct ims_mem *mem;
	int node;

	uint64_t ioaddr;
	uint64_t numpage;
	unsigned int pgshift;

	enum arm_smmu_arch_version version;
	enum arm_smmu_implementation model;
	const struct arm_smmu_impl *impl;
	uint32_t features;

	uint16_t streamid_mask;
	uint16_t smr_mask_mask;
	struct arm_smmu_smr *smrs;
	struct arm_smmu_s2cr *s2crs;
	int num_mapping_groups;
	pthread_mutex_t stream_map_mutex;

	unsigned int num_context_banks;
	unsigned int num_s2_context_banks;
	uint64_t context_map[ARM_SMMU_MAX_CBS / 64];
	struct arm_smmu_cb *cbs;
	pthread_mutex_t context_map_mutex;
	pthread_mutex_t global_sync_lock;

	unsigned int global_irqs;
	unsigned int num_context_irqs;
	unsigned int global_irqs_requested;

	unsigned int va_size, ipa_size, pa_size;
	uint64_t pgsize_bitmap;

	bool disable_bypass;
	int force_stage;
	bool using_legacy_binding;

	uint32_t id_regs[3];
};

/** struct arm_smmu_master_cfg - per-device state (dev_iommu_priv). */
struct arm_smmu_master_cfg {
	struct arm_smmu_device *smmu;
	unsigned int num;
	int16_t smendx[];
};

/** struct arm_smmu_domain - a paging domain. */
struct arm_smmu_domain {
	struct ims_iommu_domain domain;
	struct arm_smmu_device *smmu;
	struct ims_io_pgtable_ops *pgtbl_ops;
	struct arm_smmu_cfg cfg;
	enum arm_smmu_domain_stage stage;
	pthread_mutex_t init_mutex;
	pthread_mutex_t cb_lock;
};

/* Register access (arm_smmu_readl/writel/readq/writeq on a page). */
uint32_t arm_smmu_readl(struct arm_smmu_device *smmu, unsigned int page, unsigned int off);
void arm_smmu_writel(struct arm_smmu_device *smmu, unsigned int page, unsigned int off,
		     uint32_t val);
#define ARM_SMMU_GR0 0u
#define ARM_SMMU_GR1 1u
#define ARM_SMMU_CB(s, n) ((unsigned int)((s)->numpage + (n)))
#define arm_smmu_gr0_read(s, o) arm_smmu_readl((s), ARM_SMMU_GR0, (o))
#define arm_smmu_gr0_write(s, o, v) arm_smmu_writel((s), ARM_SMMU_GR0, (o), (v))
#define arm_smmu_gr1_read(s, o) arm_smmu_readl((s), ARM_SMMU_GR1, (o))
#define arm_smmu_gr1_write(s, o, v) arm_smmu_writel((s), ARM_SMMU_GR1, (o), (v))
#define arm_smmu_cb_read(s, n, o) arm_smmu_readl((s), ARM_SMMU_CB((s), (n)), (o))
#define arm_smmu_cb_write(s, n, o, v) arm_smmu_writel((s), ARM_SMMU_CB((s), (n)), (o), (v))

/* arm_smmu_find_sme(): the stream map entry for (@id, @mask), or -EINVAL / -ENOSPC. */
int arm_smmu_find_sme(struct arm_smmu_device *smmu, uint16_t id, uint16_t mask);

/* arm-smmu-impl.c */
void arm_smmu_impl_init(struct arm_smmu_device *smmu);

#endif
