// SPDX-License-Identifier: MIT
/*
 * The arm-smmu driver: SMMUv1/v2 and the MMU-500, after Linux 6.12's
 * drivers/iommu/arm/arm-smmu/arm-smmu.c (function names kept).  It programs
 * the hardware only through MMIO (ims_mmio_read/write) and simulated memory.
 * Register references are to the SMMU architecture v2 (IHI 0062D.c).
 *
 * Module parameters come from the kernel command line in /chosen/bootargs:
 * arm-smmu.disable_bypass=0|1 (default 1, CONFIG_ARM_SMMU_DISABLE_BYPASS_BY_DEFAULT)
 * and arm-smmu.force_stage=1|2.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iommusim/drivers.h>

#include "drivers/arm-smmu/arm-smmu.h"
#include "drivers/io-pgtable-mem.h"
#include "iommu/iommu-fast.h"
#include "util/compiler.h"
#include "util/log.h"
#include "util/sizes.h"

static const struct ims_iommu_ops arm_smmu_ops;

/* ---- register access --------------------------------------------------------- */

static uint64_t arm_smmu_page(const struct arm_smmu_device *smmu, unsigned int page)
{
	return smmu->ioaddr + ((uint64_t)page << smmu->pgshift);
}

uint32_t arm_smmu_readl(struct arm_smmu_device *smmu, unsigned int page, unsigned int off)
{
	uint64_t val = 0;

	if (ims_mmio_read(smmu->mem, arm_smmu_page(smmu, page) + off, 4, &val))
		return 0;
	return (uint32_t)val;
}

void arm_smmu_writel(struct arm_smmu_device *smmu, unsigned int page, unsigned int off,
		     uint32_t val)
{
	ims_mmio_write(smmu->mem, arm_smmu_page(smmu, page) + off, 4, val);
}

/* arm_smmu_readq(): the impl's read_reg64 (hi_lo halves on AP806) or one 64-bit read. */
static uint64_t arm_smmu_readq(struct arm_smmu_device *smmu, unsigned int page, unsigned int off)
{
	uint64_t val = 0;

	if (smmu->impl && smmu->impl->split_reg64) {
		uint64_t hi = arm_smmu_readl(smmu, page, off + 4);

		return hi << 32 | arm_smmu_readl(smmu, page, off);
	}
	if (ims_mmio_read(smmu->mem, arm_smmu_page(smmu, page) + off, 8, &val))
		return 0;
	return val;
}

static void arm_smmu_writeq(struct arm_smmu_device *smmu, unsigned int page, unsigned int off,
			    uint64_t val)
{
	if (smmu->impl && smmu->impl->split_reg64) {
		arm_smmu_writel(smmu, page, off + 4, (uint32_t)(val >> 32));
		arm_smmu_writel(smmu, page, off, (uint32_t)val);
		return;
	}
	ims_mmio_write(smmu->mem, arm_smmu_page(smmu, page) + off, 8, val);
}

/*
 * The AArch64-format TLBI writes are single 64-bit operations (IHI 0062
 * §14.6.x).  On AP806 Linux never issues them (it uses the AArch32 format);
 * here the AArch64 format is kept there, so they are never split.
 */
static void arm_smmu_cb_writeq_tlbi(struct arm_smmu_device *smmu, unsigned int idx,
				    unsigned int off, uint64_t val)
{
	ims_mmio_write(smmu->mem, arm_smmu_page(smmu, ARM_SMMU_CB(smmu, idx)) + off, 8, val);
}

#define arm_smmu_cb_readq(s, n, o) arm_smmu_readq((s), ARM_SMMU_CB((s), (n)), (o))
#define arm_smmu_cb_writeq(s, n, o, v) arm_smmu_writeq((s), ARM_SMMU_CB((s), (n)), (o), (v))

static const char *arm_smmu_errname(int err)
{
	switch (err) {
	case -ENODEV:
		return "-ENODEV";
	case -ENOMEM:
		return "-ENOMEM";
	case -EINVAL:
		return "-EINVAL";
	case -EBUSY:
		return "-EBUSY";
	case -ENXIO:
		return "-ENXIO";
	case -EPROBE_DEFER:
		return "-EPROBE_DEFER";
	default:
		return "-E?";
	}
}

/* dev_err_probe(): "error %pe: <message>" at err level (debug for -EPROBE_DEFER). */
static int IMS_PRINTF(3, 4)
	arm_smmu_err_probe(struct ims_device *dev, int err, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ims_dev_logf(dev, err == -EPROBE_DEFER ? IMS_LOG_DEBUG : IMS_LOG_ERR, "error %s: %s",
		     arm_smmu_errname(err), buf);
	return err;
}

static struct arm_smmu_domain *to_smmu_domain(struct ims_iommu_domain *dom)
{
	return container_of(dom, struct arm_smmu_domain, domain);
}

/* ---- context bank bitmap -------------------------------------------------------- */

static int __arm_smmu_alloc_bitmap(uint64_t *map, unsigned int start, unsigned int end)
{
	for (unsigned int idx = start; idx < end && idx < ARM_SMMU_MAX_CBS; idx++) {
		if (!(map[idx / 64] & (1ull << (idx % 64)))) {
			map[idx / 64] |= 1ull << (idx % 64);
			return (int)idx;
		}
	}
	return -ENOSPC;
}

static void __arm_smmu_free_bitmap(uint64_t *map, unsigned int idx)
{
	map[idx / 64] &= ~(1ull << (idx % 64));
}

/* ---- TLB maintenance ------------------------------------------------------------ */

/*
 * __arm_smmu_tlb_sync(): write the sync register, then poll the status
 * register's active bit, bounded as Linux bounds it (the delays between rounds
 * are simulated time, so they are not slept).
 */
static void __arm_smmu_tlb_sync(struct arm_smmu_device *smmu, unsigned int page, unsigned int sync,
				unsigned int status)
{
	arm_smmu_writel(smmu, page, sync, ARM_SMMU_DUMMY_VAL);
	for (unsigned int delay = 1; delay < ARM_SMMU_TLB_LOOP_TIMEOUT; delay *= 2) {
		for (int spin = ARM_SMMU_TLB_SPIN_COUNT; spin > 0; spin--) {
			if (!(arm_smmu_readl(smmu, page, status) & sTLBGSTATUS_GSACTIVE))
				return;
		}
	}
	ims_dev_logf(smmu->dev, IMS_LOG_ERR, "TLB sync timed out -- SMMU may be deadlocked");
}

static void arm_smmu_tlb_sync_global(struct arm_smmu_device *smmu)
{
	pthread_mutex_lock(&smmu->global_sync_lock);
	__arm_smmu_tlb_sync(smmu, ARM_SMMU_GR0, SMMU_GR0_sTLBGSYNC, SMMU_GR0_sTLBGSTATUS);
	pthread_mutex_unlock(&smmu->global_sync_lock);
}

static void arm_smmu_tlb_sync_context(struct arm_smmu_domain *smmu_domain)
{
	struct arm_smmu_device *smmu = smmu_domain->smmu;

	pthread_mutex_lock(&smmu_domain->cb_lock);
	__arm_smmu_tlb_sync(smmu, ARM_SMMU_CB(smmu, smmu_domain->cfg.cbndx), SMMU_CB_TLBSYNC,
			    SMMU_CB_TLBSTATUS);
	pthread_mutex_unlock(&smmu_domain->cb_lock);
}

static void arm_smmu_tlb_inv_context_s1(struct arm_smmu_domain *smmu_domain)
{
	arm_smmu_cb_write(smmu_domain->smmu, smmu_domain->cfg.cbndx, SMMU_CB_TLBIASID,
			  smmu_domain->cfg.asid);
	arm_smmu_tlb_sync_context(smmu_domain);
}

static void arm_smmu_tlb_inv_context_s2(struct arm_smmu_domain *smmu_domain)
{
	struct arm_smmu_device *smmu = smmu_domain->smmu;

	arm_smmu_gr0_write(smmu, SMMU_GR0_TLBIVMID, smmu_domain->cfg.vmid);
	arm_smmu_tlb_sync_global(smmu);
}

/* The number of granules in [iova, iova + size): at least one (a do-while in Linux). */
static size_t arm_smmu_tlb_count(size_t size, size_t granule)
{
	size_t n = granule ? size / granule : 1;

	return n ? n : 1;
}

static void arm_smmu_tlb_inv_range_s1(uint64_t iova, size_t size, size_t granule,
				      struct arm_smmu_domain *smmu_domain, unsigned int reg)
{
	struct arm_smmu_device *smmu = smmu_domain->smmu;
	struct arm_smmu_cfg *cfg = &smmu_domain->cfg;
	size_t n = arm_smmu_tlb_count(size, granule);

	/* AArch64 form: VA[55:12] in [43:0], ASID in [63:48] (IHI 0062 §14.6.x). */
	iova >>= 12;
	iova |= (uint64_t)cfg->asid << 48;
	while (n--) {
		arm_smmu_cb_writeq_tlbi(smmu, cfg->cbndx, reg, iova);
		iova += granule >> 12;
	}
}

static void arm_smmu_tlb_inv_range_s2(uint64_t iova, size_t size, size_t granule,
				      struct arm_smmu_domain *smmu_domain, unsigned int reg)
{
	size_t n = arm_smmu_tlb_count(size, granule);

	iova >>= 12;
	while (n--) {
		arm_smmu_cb_writeq_tlbi(smmu_domain->smmu, smmu_domain->cfg.cbndx, reg, iova);
		iova += granule >> 12;
	}
}

/*
 * The struct iommu_flush_ops of arm-smmu: arm_smmu_s1_tlb_ops for stage 1,
 * arm_smmu_s2_tlb_ops_v2 for stage 2 on SMMUv2, arm_smmu_s2_tlb_ops_v1 for
 * stage 2 on SMMUv1.
 */
static void arm_smmu_tlb_flush_all(void *cookie)
{
	struct arm_smmu_domain *smmu_domain = cookie;

	if (smmu_domain->stage == ARM_SMMU_DOMAIN_S1)
		arm_smmu_tlb_inv_context_s1(smmu_domain);
	else
		arm_smmu_tlb_inv_context_s2(smmu_domain);
}

static void arm_smmu_tlb_flush_walk(uint64_t iova, size_t size, size_t granule, void *cookie)
{
	struct arm_smmu_domain *smmu_domain = cookie;

	if (smmu_domain->stage == ARM_SMMU_DOMAIN_S1) {
		/* arm_smmu_tlb_inv_walk_s1 */
		arm_smmu_tlb_inv_range_s1(iova, size, granule, smmu_domain, SMMU_CB_TLBIVA);
		arm_smmu_tlb_sync_context(smmu_domain);
	} else if (smmu_domain->smmu->version == ARM_SMMU_V2) {
		/* arm_smmu_tlb_inv_walk_s2 */
		arm_smmu_tlb_inv_range_s2(iova, size, granule, smmu_domain, SMMU_CB_TLBIIPAS2);
		arm_smmu_tlb_sync_context(smmu_domain);
	} else {
		/* arm_smmu_tlb_inv_walk_s2_v1 */
		arm_smmu_tlb_inv_context_s2(smmu_domain);
	}
}

/* Leaves are invalidated at once; iotlb_sync only waits, so @gather is unused. */
static void arm_smmu_tlb_add_page(struct ims_iotlb_gather *gather, uint64_t iova, size_t granule,
				  void *cookie)
{
	struct arm_smmu_domain *smmu_domain = cookie;

	(void)gather;
	if (smmu_domain->stage == ARM_SMMU_DOMAIN_S1)
		arm_smmu_tlb_inv_range_s1(iova, granule, granule, smmu_domain, SMMU_CB_TLBIVAL);
	else if (smmu_domain->smmu->version == ARM_SMMU_V2)
		arm_smmu_tlb_inv_range_s2(iova, granule, granule, smmu_domain, SMMU_CB_TLBIIPAS2L);
	else
		arm_smmu_gr0_write(smmu_domain->smmu, SMMU_GR0_TLBIVMID, smmu_domain->cfg.vmid);
}

static const struct ims_iommu_flush_ops arm_smmu_flush_ops = {
	.tlb_flush_all = arm_smmu_tlb_flush_all,
	.tlb_flush_walk = arm_smmu_tlb_flush_walk,
	.tlb_add_page = arm_smmu_tlb_add_page,
};

/* ---- fault handlers ------------------------------------------------------------- */

/* arm_smmu_print_context_fault_info(): the three dev_err lines of 6.12. */
static void arm_smmu_print_context_fault_info(struct arm_smmu_device *smmu, int idx, uint32_t fsr,
					      uint64_t iova, uint32_t fsynr, uint32_t cbfrsynra)
{
	ims_dev_logf(smmu->dev, IMS_LOG_ERR,
		     "Unhandled context fault: fsr=0x%x, iova=0x%08" PRIx64
		     ", fsynr=0x%x, cbfrsynra=0x%x, cb=%d",
		     fsr, iova, fsynr, cbfrsynra, idx);
	ims_dev_logf(smmu->dev, IMS_LOG_ERR,
		     "FSR    = %08x [%s%sFormat=%u%s%s%s%s%s%s%s%s], SID=0x%x", fsr,
		     (fsr & FSR_MULTI) ? "MULTI " : "", (fsr & FSR_SS) ? "SS " : "",
		     (unsigned int)FIELD_GET(FSR_FORMAT, fsr), (fsr & FSR_UUT) ? " UUT" : "",
		     (fsr & FSR_ASF) ? " ASF" : "", (fsr & FSR_TLBLKF) ? " TLBLKF" : "",
		     (fsr & FSR_TLBMCF) ? " TLBMCF" : "", (fsr & FSR_EF) ? " EF" : "",
		     (fsr & FSR_PF) ? " PF" : "", (fsr & FSR_AFF) ? " AFF" : "",
		     (fsr & FSR_TF) ? " TF" : "", cbfrsynra);
	ims_dev_logf(smmu->dev, IMS_LOG_ERR, "FSYNR0 = %08x [S1CBNDX=%u%s%s%s%s%s%s PLVL=%u]",
		     fsynr, (unsigned int)FIELD_GET(FSYNR0_S1CBNDX, fsynr),
		     (fsynr & FSYNR0_AFR) ? " AFR" : "", (fsynr & FSYNR0_PTWF) ? " PTWF" : "",
		     (fsynr & FSYNR0_NSATTR) ? " NSATTR" : "", (fsynr & FSYNR0_IND) ? " IND" : "",
		     (fsynr & FSYNR0_PNU) ? " PNU" : "", (fsynr & FSYNR0_WNR) ? " WNR" : "",
		     (unsigned int)FIELD_GET(FSYNR0_PLVL, fsynr));
}

/*
 * arm_smmu_context_fault(): read FAR/FSR/FSYNR0/CBFRSYNRA
 * (arm_smmu_read_context_fault_info), report; nobody installs a fault
 * handler here, so report_iommu_fault() is -ENOSYS and the fault is printed.
 * Then FSR is cleared by writing back what was read.
 */
static void arm_smmu_context_fault(void *ctx)
{
	struct arm_smmu_domain *smmu_domain = ctx;
	struct arm_smmu_device *smmu = smmu_domain->smmu;
	int idx = smmu_domain->cfg.cbndx;
	uint64_t iova;
	uint32_t fsr, fsynr, cbfrsynra;

	iova = arm_smmu_cb_readq(smmu, idx, SMMU_CB_FAR);
	fsr = arm_smmu_cb_read(smmu, idx, SMMU_CB_FSR);
	fsynr = arm_smmu_cb_read(smmu, idx, SMMU_CB_FSYNR0);
	cbfrsynra = arm_smmu_gr1_read(smmu, SMMU_GR1_CBFRSYNRA(idx));

	if (!(fsr & FSR_FAULT))
		return; /* IRQ_NONE */

	arm_smmu_print_context_fault_info(smmu, idx, fsr, iova, fsynr, cbfrsynra);
	arm_smmu_cb_write(smmu, idx, SMMU_CB_FSR, fsr);
}

/* arm_smmu_global_fault(): sGFSR and its syndrome, then clear sGFSR by write-back. */
static void arm_smmu_global_fault(void *ctx)
{
	struct arm_smmu_device *smmu = ctx;
	uint32_t gfsr, gfsynr0, gfsynr1, gfsynr2;

	gfsr = arm_smmu_gr0_read(smmu, SMMU_GR0_sGFSR);
	gfsynr0 = arm_smmu_gr0_read(smmu, SMMU_GR0_sGFSYNR0);
	gfsynr1 = arm_smmu_gr0_read(smmu, SMMU_GR0_sGFSYNR1);
	gfsynr2 = arm_smmu_gr0_read(smmu, SMMU_GR0_sGFSYNR2);

	if (!gfsr)
		return; /* IRQ_NONE */

	/* CONFIG_ARM_SMMU_DISABLE_BYPASS_BY_DEFAULT=y, as arm64 defconfig. */
	if (gfsr & ARM_SMMU_sGFSR_USF)
		ims_dev_logf(
			smmu->dev, IMS_LOG_ERR,
			"Blocked unknown Stream ID 0x%hx; boot with \"arm-smmu.disable_bypass=0\" "
			"to allow, but this may have security implications",
			(unsigned short)gfsynr1);
	else
		ims_dev_logf(smmu->dev, IMS_LOG_ERR,
			     "Unexpected global fault, this could be serious");
	ims_dev_logf(smmu->dev, IMS_LOG_ERR,
		     "\tGFSR 0x%08x, GFSYNR0 0x%08x, GFSYNR1 0x%08x, GFSYNR2 0x%08x", gfsr, gfsynr0,
		     gfsynr1, gfsynr2);

	arm_smmu_gr0_write(smmu, SMMU_GR0_sGFSR, gfsr);
}

/* ---- context banks ---------------------------------------------------------------- */

/* arm_smmu_init_context_bank(): the shadow TCR/TCR2/TTBRs/MAIRs from the table config. */
static void arm_smmu_init_context_bank(struct arm_smmu_domain *smmu_domain,
				       const struct ims_io_pgtable_cfg *pgtbl_cfg)
{
	struct arm_smmu_cfg *cfg = &smmu_domain->cfg;
	struct arm_smmu_cb *cb = &smmu_domain->smmu->cbs[cfg->cbndx];
	bool stage1 = cfg->cbar != CBAR_TYPE_S2_TRANS;
	const struct ims_arm_lpae_tcr *tcr = stage1 ? &pgtbl_cfg->s1.tcr : &pgtbl_cfg->s2.vtcr;

	cb->cfg = cfg;
	if (stage1) {
		/* arm_smmu_lpae_tcr(): TTBR0 walks, TTBR1 disabled (EPD1). */
		cb->tcr[0] = FIELD_PREP(TCR_TG0, tcr->tg) | FIELD_PREP(TCR_SH0, tcr->sh) |
			     FIELD_PREP(TCR_ORGN0, tcr->orgn) | FIELD_PREP(TCR_IRGN0, tcr->irgn) |
			     FIELD_PREP(TCR_T0SZ, tcr->tsz) | TCR_EPD1;
		/* arm_smmu_lpae_tcr2(), plus AS (16-bit ASIDs) for AArch64 */
		cb->tcr[1] = FIELD_PREP(TCR2_PASIZE, tcr->ips) |
			     FIELD_PREP(TCR2_SEP, ARM_SMMU_TCR2_SEP_UPSTREAM) | TCR2_AS;
		cb->ttbr[0] = FIELD_PREP(TTBR_ASID, cfg->asid) | pgtbl_cfg->s1.ttbr;
		cb->ttbr[1] = FIELD_PREP(TTBR_ASID, cfg->asid);
		cb->mair[0] = (uint32_t)pgtbl_cfg->s1.mair;
		cb->mair[1] = (uint32_t)(pgtbl_cfg->s1.mair >> 32);
	} else {
		/* arm_smmu_lpae_vtcr() */
		cb->tcr[0] = ARM_SMMU_VTCR_RES1 | FIELD_PREP(VTCR_PS, tcr->ips) |
			     FIELD_PREP(ARM_SMMU_VTCR_TG0, tcr->tg) |
			     FIELD_PREP(ARM_SMMU_VTCR_SH0, tcr->sh) |
			     FIELD_PREP(ARM_SMMU_VTCR_ORGN0, tcr->orgn) |
			     FIELD_PREP(ARM_SMMU_VTCR_IRGN0, tcr->irgn) |
			     FIELD_PREP(VTCR_SL0, tcr->sl) |
			     FIELD_PREP(ARM_SMMU_VTCR_T0SZ, tcr->tsz);
		cb->tcr[1] = 0;
		cb->ttbr[0] = pgtbl_cfg->s2.vttbr;
		cb->ttbr[1] = 0;
		cb->mair[0] = cb->mair[1] = 0;
	}
}

/*
 * arm_smmu_write_context_bank(): CBA2R, CBAR, TCR2 and TCR before the TTBRs
 * (TCR decides how TTBR.ASID is read), MAIRs, and SCTLR last since its M bit
 * turns the bank on (IHI 0062 §10.6, §14.6).  An unassigned bank is disabled.
 */
static void arm_smmu_write_context_bank(struct arm_smmu_device *smmu, unsigned int idx)
{
	struct arm_smmu_cb *cb = &smmu->cbs[idx];
	struct arm_smmu_cfg *cfg = cb->cfg;
	uint32_t reg;
	bool stage1;

	if (!cfg) {
		arm_smmu_cb_write(smmu, idx, SMMU_CB_SCTLR, 0);
		return;
	}
	stage1 = cfg->cbar != CBAR_TYPE_S2_TRANS;

	if (smmu->version > ARM_SMMU_V1) {
		reg = cfg->fmt == ARM_SMMU_CTX_FMT_AARCH64 ? CBA2R_VA64 : 0;
		if (smmu->features & ARM_SMMU_FEAT_VMID16)
			reg |= FIELD_PREP(CBA2R_VMID16, cfg->vmid);
		arm_smmu_gr1_write(smmu, SMMU_GR1_CBA2R(idx), reg);
	}

	reg = FIELD_PREP(CBAR_TYPE, cfg->cbar);
	if (smmu->version < ARM_SMMU_V2)
		reg |= FIELD_PREP(CBAR_IRPTNDX, cfg->irptndx);
	if (stage1)
		reg |= FIELD_PREP(CBAR_S1_BPSHCFG, ARM_SMMU_CBAR_S1_BPSHCFG_NSH) |
		       FIELD_PREP(CBAR_S1_MEMATTR, ARM_SMMU_CBAR_S1_MEMATTR_WB);
	else if (!(smmu->features & ARM_SMMU_FEAT_VMID16))
		reg |= FIELD_PREP(CBAR_VMID, cfg->vmid);
	arm_smmu_gr1_write(smmu, SMMU_GR1_CBAR(idx), reg);

	if (stage1 && smmu->version > ARM_SMMU_V1)
		arm_smmu_cb_write(smmu, idx, SMMU_CB_TCR2, cb->tcr[1]);
	arm_smmu_cb_write(smmu, idx, SMMU_CB_TCR, cb->tcr[0]);

	arm_smmu_cb_writeq(smmu, idx, SMMU_CB_TTBR0, cb->ttbr[0]);
	if (stage1)
		arm_smmu_cb_writeq(smmu, idx, SMMU_CB_TTBR1, cb->ttbr[1]);

	if (stage1) {
		arm_smmu_cb_write(smmu, idx, SMMU_CB_MAIR0, cb->mair[0]);
		arm_smmu_cb_write(smmu, idx, SMMU_CB_MAIR1, cb->mair[1]);
	}

	reg = SCTLR_CFIE | SCTLR_CFRE | SCTLR_AFE | SCTLR_TRE | SCTLR_M;
	if (stage1)
		reg |= SCTLR_ASIDPNE;
	arm_smmu_cb_write(smmu, idx, SMMU_CB_SCTLR, reg);
}

/* arm_smmu_init_domain_context(): finalise a paging domain on its first attach. */
static int arm_smmu_init_domain_context(struct arm_smmu_domain *smmu_domain,
					struct arm_smmu_device *smmu, struct ims_device *dev)
{
	struct ims_iommu_domain *domain = &smmu_domain->domain;
	struct arm_smmu_cfg *cfg = &smmu_domain->cfg;
	struct ims_io_pgtable_cfg pgtbl_cfg;
	struct ims_io_pgtable_ops *pgtbl_ops;
	unsigned int start, ias, oas;
	int ret = 0;

	pthread_mutex_lock(&smmu_domain->init_mutex);
	if (smmu_domain->smmu)
		goto out_unlock;

	/* S1 when supported, else S2 (nesting is never requested here). */
	if (!(smmu->features & ARM_SMMU_FEAT_TRANS_S1))
		smmu_domain->stage = ARM_SMMU_DOMAIN_S2;
	if (!(smmu->features & ARM_SMMU_FEAT_TRANS_S2))
		smmu_domain->stage = ARM_SMMU_DOMAIN_S1;

	/* Prefer AArch64 over AArch32 long-descriptor (a 64-bit kernel). */
	cfg->fmt = ARM_SMMU_CTX_FMT_NONE;
	if (smmu->features & ARM_SMMU_FEAT_FMT_AARCH32_L)
		cfg->fmt = ARM_SMMU_CTX_FMT_AARCH32_L;
	if (smmu->features & (ARM_SMMU_FEAT_FMT_AARCH64_64K | ARM_SMMU_FEAT_FMT_AARCH64_16K |
			      ARM_SMMU_FEAT_FMT_AARCH64_4K))
		cfg->fmt = ARM_SMMU_CTX_FMT_AARCH64;
	/* The AArch32 formats are not modelled (io-pgtable ARM_32_LPAE_*): as NONE. */
	if (cfg->fmt != ARM_SMMU_CTX_FMT_AARCH64) {
		ret = -EINVAL;
		goto out_unlock;
	}

	if (smmu_domain->stage == ARM_SMMU_DOMAIN_S1) {
		cfg->cbar = CBAR_TYPE_S1_TRANS_S2_BYPASS;
		start = smmu->num_s2_context_banks;
		ias = smmu->va_size;
		oas = smmu->ipa_size;
	} else {
		cfg->cbar = CBAR_TYPE_S2_TRANS;
		start = 0;
		ias = smmu->ipa_size;
		oas = smmu->pa_size;
	}

	pthread_mutex_lock(&smmu->context_map_mutex);
	ret = __arm_smmu_alloc_bitmap(smmu->context_map, start, smmu->num_context_banks);
	pthread_mutex_unlock(&smmu->context_map_mutex);
	if (ret < 0)
		goto out_unlock;

	smmu_domain->smmu = smmu;
	cfg->cbndx = (uint8_t)ret;
	/* SMMUv2 gives each bank its own interrupt; v1 would share them round-robin. */
	cfg->irptndx = cfg->cbndx;
	if (smmu_domain->stage == ARM_SMMU_DOMAIN_S2)
		cfg->vmid = (uint16_t)(cfg->cbndx + 1);
	else
		cfg->asid = cfg->cbndx;

	pgtbl_cfg = (struct ims_io_pgtable_cfg){
		.pgsize_bitmap = smmu->pgsize_bitmap,
		.ias = ias,
		.oas = oas,
		.coherent_walk = smmu->features & ARM_SMMU_FEAT_COHERENT_WALK,
		.tlb = &arm_smmu_flush_ops,
		.mem = &ims_io_pgtable_ram_ops,
		.mem_cookie = smmu->mem,
		.log = ims_devcore_log(smmu->core),
	};
	ret = ims_pgtable_alloc_ops(&pgtbl_ops,
				    smmu_domain->stage == ARM_SMMU_DOMAIN_S1 ? IMS_ARM_64_LPAE_S1
									     : IMS_ARM_64_LPAE_S2,
				    &pgtbl_cfg, smmu_domain);
	if (ret) {
		ret = -ENOMEM;
		goto out_clear_smmu;
	}

	domain->pgsize_bitmap = pgtbl_cfg.pgsize_bitmap;
	domain->aperture_start = 0;
	domain->aperture_end = ias >= 64 ? UINT64_MAX : (1ull << ias) - 1;
	domain->force_aperture = true;

	arm_smmu_init_context_bank(smmu_domain, &pgtbl_cfg);
	arm_smmu_write_context_bank(smmu, cfg->cbndx);

	/* The context interrupt last, so the handler never sees a half-made domain. */
	ret = ims_request_irq(smmu->core, smmu->node, (int)(smmu->global_irqs + cfg->irptndx),
			      arm_smmu_context_fault, smmu_domain);
	if (ret < 0) {
		ims_dev_logf(smmu->dev, IMS_LOG_ERR, "failed to request context IRQ %d (%u)",
			     cfg->irptndx, smmu->global_irqs + cfg->irptndx);
		cfg->irptndx = ARM_SMMU_INVALID_IRPTNDX;
	}
	ret = 0;
	pthread_mutex_unlock(&smmu_domain->init_mutex);
	smmu_domain->pgtbl_ops = pgtbl_ops;
	return 0;

out_clear_smmu:
	pthread_mutex_lock(&smmu->context_map_mutex);
	__arm_smmu_free_bitmap(smmu->context_map, cfg->cbndx);
	pthread_mutex_unlock(&smmu->context_map_mutex);
	smmu_domain->smmu = NULL;
out_unlock:
	pthread_mutex_unlock(&smmu_domain->init_mutex);
	return ret;
}

/* arm_smmu_destroy_domain_context(): disable the bank, free its IRQ, tables and index. */
static void arm_smmu_destroy_domain_context(struct arm_smmu_domain *smmu_domain)
{
	struct arm_smmu_device *smmu = smmu_domain->smmu;
	struct arm_smmu_cfg *cfg = &smmu_domain->cfg;

	if (!smmu)
		return;
	smmu->cbs[cfg->cbndx].cfg = NULL;
	arm_smmu_write_context_bank(smmu, cfg->cbndx);
	if (cfg->irptndx != ARM_SMMU_INVALID_IRPTNDX)
		ims_free_irq(smmu->core, smmu->node, (int)(smmu->global_irqs + cfg->irptndx));
	ims_pgtable_free_ops(smmu_domain->pgtbl_ops);
	smmu_domain->pgtbl_ops = NULL;
	pthread_mutex_lock(&smmu->context_map_mutex);
	__arm_smmu_free_bitmap(smmu->context_map, cfg->cbndx);
	pthread_mutex_unlock(&smmu->context_map_mutex);
}

/* ---- stream mapping ------------------------------------------------------------- */

static void arm_smmu_write_smr(struct arm_smmu_device *smmu, int idx)
{
	struct arm_smmu_smr *smr = smmu->smrs + idx;
	uint32_t reg = FIELD_PREP(SMR_ID, smr->id) | FIELD_PREP(SMR_MASK, smr->mask);

	if (!(smmu->features & ARM_SMMU_FEAT_EXIDS) && smr->valid)
		reg |= SMR_VALID;
	arm_smmu_gr0_write(smmu, SMMU_GR0_SMR(idx), reg);
}

static void arm_smmu_write_s2cr(struct arm_smmu_device *smmu, int idx)
{
	struct arm_smmu_s2cr *s2cr = smmu->s2crs + idx;
	uint32_t reg = FIELD_PREP(S2CR_TYPE, s2cr->type) | FIELD_PREP(S2CR_CBNDX, s2cr->cbndx) |
		       FIELD_PREP(S2CR_PRIVCFG, s2cr->privcfg);

	if ((smmu->features & ARM_SMMU_FEAT_EXIDS) && smmu->smrs && smmu->smrs[idx].valid)
		reg |= S2CR_EXIDVALID;
	arm_smmu_gr0_write(smmu, SMMU_GR0_S2CR(idx), reg);
}

/* arm_smmu_write_sme(): S2CR first, then SMR, so a new match never sees a stale S2CR. */
static void arm_smmu_write_sme(struct arm_smmu_device *smmu, int idx)
{
	arm_smmu_write_s2cr(smmu, idx);
	if (smmu->smrs)
		arm_smmu_write_smr(smmu, idx);
}

static struct arm_smmu_s2cr arm_smmu_s2cr_init_val(const struct arm_smmu_device *smmu)
{
	return (struct arm_smmu_s2cr){ .type = smmu->disable_bypass ? S2CR_TYPE_FAULT
								    : S2CR_TYPE_BYPASS };
}

/*
 * arm_smmu_test_smr_masks(): write all-ones into a free SMR's ID, then MASK
 * field, and keep the bits that stick (unimplemented bits are RAZ/WI).
 */
static void arm_smmu_test_smr_masks(struct arm_smmu_device *smmu)
{
	uint32_t smr;
	int i;

	if (!smmu->smrs)
		return;
	for (i = 0; i < smmu->num_mapping_groups; i++)
		if (!smmu->smrs[i].valid)
			break;
	if (i == smmu->num_mapping_groups)
		return;

	smr = FIELD_PREP(SMR_ID, smmu->streamid_mask);
	arm_smmu_gr0_write(smmu, SMMU_GR0_SMR(i), smr);
	smr = arm_smmu_gr0_read(smmu, SMMU_GR0_SMR(i));
	smmu->streamid_mask = FIELD_GET(SMR_ID, smr);

	smr = FIELD_PREP(SMR_MASK, smmu->streamid_mask);
	arm_smmu_gr0_write(smmu, SMMU_GR0_SMR(i), smr);
	smr = arm_smmu_gr0_read(smmu, SMMU_GR0_SMR(i));
	smmu->smr_mask_mask = FIELD_GET(SMR_MASK, smr);
}

int arm_smmu_find_sme(struct arm_smmu_device *smmu, uint16_t id, uint16_t mask)
{
	struct arm_smmu_smr *smrs = smmu->smrs;
	int free_idx = -ENOSPC;

	/* Stream indexing: the SID is the index (range-checked at probe_device). */
	if (!smrs)
		return id;

	for (int i = 0; i < smmu->num_mapping_groups; i++) {
		if (!smrs[i].valid) {
			if (free_idx < 0)
				free_idx = i;
			continue;
		}
		/* Entirely inside an existing entry: share it. */
		if ((mask & smrs[i].mask) == mask && !((id ^ smrs[i].id) & ~smrs[i].mask))
			return i;
		/* Any other overlap could match one stream twice (SMCF): refuse. */
		if (!((id ^ smrs[i].id) & ~(smrs[i].mask | mask)))
			return -EINVAL;
	}
	return free_idx;
}

static bool arm_smmu_free_sme(struct arm_smmu_device *smmu, int idx)
{
	if (--smmu->s2crs[idx].count)
		return false;
	smmu->s2crs[idx] = arm_smmu_s2cr_init_val(smmu);
	if (smmu->smrs)
		smmu->smrs[idx].valid = false;
	return true;
}

static int arm_smmu_master_alloc_smes(struct ims_device *dev)
{
	struct ims_iommu_fwspec *fwspec = ims_dev_iommu_fwspec_get(dev);
	struct arm_smmu_master_cfg *cfg = dev->iommu->priv;
	struct arm_smmu_device *smmu = cfg->smmu;
	struct arm_smmu_smr *smrs = smmu->smrs;
	unsigned int i;
	int ret = 0;

	pthread_mutex_lock(&smmu->stream_map_mutex);
	for (i = 0; i < fwspec->num_ids; i++) {
		uint16_t sid = FIELD_GET(SMR_ID, fwspec->ids[i]);
		uint16_t mask = FIELD_GET(SMR_MASK, fwspec->ids[i]);
		int idx;

		if (cfg->smendx[i] != ARM_SMMU_INVALID_SMENDX) {
			ret = -EEXIST;
			goto out_err;
		}
		idx = arm_smmu_find_sme(smmu, sid, mask);
		if (idx < 0) {
			ret = idx;
			goto out_err;
		}
		if (smrs && smmu->s2crs[idx].count == 0) {
			smrs[idx].id = sid;
			smrs[idx].mask = mask;
			smrs[idx].valid = true;
		}
		smmu->s2crs[idx].count++;
		cfg->smendx[i] = (int16_t)idx;
	}

	for (i = 0; i < fwspec->num_ids; i++)
		arm_smmu_write_sme(smmu, cfg->smendx[i]);
	pthread_mutex_unlock(&smmu->stream_map_mutex);
	return 0;

out_err:
	while (i--) {
		arm_smmu_free_sme(smmu, cfg->smendx[i]);
		cfg->smendx[i] = ARM_SMMU_INVALID_SMENDX;
	}
	pthread_mutex_unlock(&smmu->stream_map_mutex);
	return ret;
}

static void arm_smmu_master_free_smes(struct arm_smmu_master_cfg *cfg)
{
	struct arm_smmu_device *smmu = cfg->smmu;

	pthread_mutex_lock(&smmu->stream_map_mutex);
	for (unsigned int i = 0; i < cfg->num; i++) {
		int idx = cfg->smendx[i];

		if (idx == ARM_SMMU_INVALID_SMENDX)
			continue;
		if (arm_smmu_free_sme(smmu, idx))
			arm_smmu_write_sme(smmu, idx);
		cfg->smendx[i] = ARM_SMMU_INVALID_SMENDX;
	}
	pthread_mutex_unlock(&smmu->stream_map_mutex);
}

/* arm_smmu_master_install_s2crs(): write only the S2CRs that change. */
static void arm_smmu_master_install_s2crs(struct arm_smmu_master_cfg *cfg, unsigned int type,
					  uint8_t cbndx)
{
	struct arm_smmu_device *smmu = cfg->smmu;
	struct arm_smmu_s2cr *s2cr = smmu->s2crs;

	pthread_mutex_lock(&smmu->stream_map_mutex);
	for (unsigned int i = 0; i < cfg->num; i++) {
		int idx = cfg->smendx[i];

		if (idx == ARM_SMMU_INVALID_SMENDX)
			continue;
		if (type == s2cr[idx].type && cbndx == s2cr[idx].cbndx)
			continue;
		s2cr[idx].type = type;
		s2cr[idx].privcfg = S2CR_PRIVCFG_DEFAULT;
		s2cr[idx].cbndx = cbndx;
		arm_smmu_write_s2cr(smmu, idx);
	}
	pthread_mutex_unlock(&smmu->stream_map_mutex);
}

/* ---- domain ops ------------------------------------------------------------------- */

static int arm_smmu_attach_dev(struct ims_iommu_domain *domain, struct ims_device *dev)
{
	struct arm_smmu_domain *smmu_domain = to_smmu_domain(domain);
	struct arm_smmu_master_cfg *cfg = dev->iommu ? dev->iommu->priv : NULL;
	struct arm_smmu_device *smmu;
	int ret;

	if (!cfg)
		return -ENODEV;
	smmu = cfg->smmu;

	ret = arm_smmu_init_domain_context(smmu_domain, smmu, dev);
	if (ret < 0)
		return ret;
	/* Domains do not span SMMUs. */
	if (smmu_domain->smmu != smmu)
		return -EINVAL;
	arm_smmu_master_install_s2crs(cfg, S2CR_TYPE_TRANS, smmu_domain->cfg.cbndx);
	return 0;
}

static int arm_smmu_attach_dev_type(struct ims_device *dev, unsigned int type)
{
	struct arm_smmu_master_cfg *cfg = dev->iommu ? dev->iommu->priv : NULL;

	if (!cfg)
		return -ENODEV;
	arm_smmu_master_install_s2crs(cfg, type, 0);
	return 0;
}

static int arm_smmu_attach_dev_identity(struct ims_iommu_domain *domain, struct ims_device *dev)
{
	(void)domain;
	return arm_smmu_attach_dev_type(dev, S2CR_TYPE_BYPASS);
}

static int arm_smmu_attach_dev_blocked(struct ims_iommu_domain *domain, struct ims_device *dev)
{
	(void)domain;
	return arm_smmu_attach_dev_type(dev, S2CR_TYPE_FAULT);
}

static int arm_smmu_map_pages(struct ims_iommu_domain *domain, uint64_t iova, uint64_t paddr,
			      size_t pgsize, size_t pgcount, int prot, size_t *mapped)
{
	struct ims_io_pgtable_ops *ops = to_smmu_domain(domain)->pgtbl_ops;

	if (!ops)
		return -ENODEV;
	return ops->map_pages(ops, iova, paddr, pgsize, pgcount, prot, 0, mapped);
}

static size_t arm_smmu_unmap_pages(struct ims_iommu_domain *domain, uint64_t iova, size_t pgsize,
				   size_t pgcount, struct ims_iotlb_gather *gather)
{
	struct ims_io_pgtable_ops *ops = to_smmu_domain(domain)->pgtbl_ops;

	if (!ops)
		return 0;
	return ops->unmap_pages(ops, iova, pgsize, pgcount, gather);
}

static void arm_smmu_flush_iotlb_all(struct ims_iommu_domain *domain)
{
	struct arm_smmu_domain *smmu_domain = to_smmu_domain(domain);

	if (smmu_domain->smmu)
		arm_smmu_tlb_flush_all(smmu_domain);
}

static void arm_smmu_iotlb_sync(struct ims_iommu_domain *domain, struct ims_iotlb_gather *gather)
{
	struct arm_smmu_domain *smmu_domain = to_smmu_domain(domain);
	struct arm_smmu_device *smmu = smmu_domain->smmu;

	(void)gather;
	if (!smmu)
		return;
	if (smmu->version == ARM_SMMU_V2 || smmu_domain->stage == ARM_SMMU_DOMAIN_S1)
		arm_smmu_tlb_sync_context(smmu_domain);
	else
		arm_smmu_tlb_sync_global(smmu);
}

static uint64_t arm_smmu_iova_to_phys(struct ims_iommu_domain *domain, uint64_t iova)
{
	struct ims_io_pgtable_ops *ops = to_smmu_domain(domain)->pgtbl_ops;

	/* No ATOS (FEAT_TRANS_OPS) is modelled: always the software walk. */
	return ops ? ops->iova_to_phys(ops, iova) : 0;
}

static void arm_smmu_domain_free(struct ims_iommu_domain *domain)
{
	struct arm_smmu_domain *smmu_domain = to_smmu_domain(domain);

	arm_smmu_destroy_domain_context(smmu_domain);
	pthread_mutex_destroy(&smmu_domain->init_mutex);
	pthread_mutex_destroy(&smmu_domain->cb_lock);
	free(smmu_domain);
}

static const struct ims_iommu_domain_ops arm_smmu_domain_ops = {
	.attach_dev = arm_smmu_attach_dev,
	.map_pages = arm_smmu_map_pages,
	.unmap_pages = arm_smmu_unmap_pages,
	.flush_iotlb_all = arm_smmu_flush_iotlb_all,
	.iotlb_sync = arm_smmu_iotlb_sync,
	.iova_to_phys = arm_smmu_iova_to_phys,
	.free = arm_smmu_domain_free,
};

static const struct ims_iommu_domain_ops arm_smmu_identity_ops = {
	.attach_dev = arm_smmu_attach_dev_identity,
};

static const struct ims_iommu_domain_ops arm_smmu_blocked_ops = {
	.attach_dev = arm_smmu_attach_dev_blocked,
};

/* The static identity and blocked domains (never written after initialisation). */
static struct ims_iommu_domain arm_smmu_identity_domain = {
	.type = IMS_IOMMU_DOMAIN_IDENTITY,
	.ops = &arm_smmu_identity_ops,
	.is_static = true,
};

static struct ims_iommu_domain arm_smmu_blocked_domain = {
	.type = IMS_IOMMU_DOMAIN_BLOCKED,
	.ops = &arm_smmu_blocked_ops,
	.is_static = true,
};

/*
 * arm_smmu_domain_alloc_paging(): only the structure; the context bank and
 * tables are chosen at the first attach (arm_smmu_init_domain_context).
 */
static struct ims_iommu_domain *arm_smmu_domain_alloc_paging(struct ims_device *dev)
{
	struct arm_smmu_master_cfg *cfg = dev->iommu ? dev->iommu->priv : NULL;
	struct arm_smmu_domain *smmu_domain;

	if (!cfg)
		return NULL;
	smmu_domain = calloc(1, sizeof(*smmu_domain));
	if (!smmu_domain)
		return NULL;
	pthread_mutex_init(&smmu_domain->init_mutex, NULL);
	pthread_mutex_init(&smmu_domain->cb_lock, NULL);
	smmu_domain->domain.ops = &arm_smmu_domain_ops;
	smmu_domain->domain.pgsize_bitmap = cfg->smmu->pgsize_bitmap;
	return &smmu_domain->domain;
}

/* ---- iommu ops ------------------------------------------------------------------- */

/*
 * arm_smmu_of_xlate(): fwid = SMR ID from cell 0, SMR MASK from cell 1 or
 * else the SMMU's "stream-match-mask"; FIELD_PREP truncates each to 16 bits.
 */
static int arm_smmu_of_xlate(struct ims_device *dev, const struct ims_of_phandle_args *args)
{
	const struct ims_of_tree *tree = ims_devcore_tree(dev->core);
	uint32_t mask, fwid = 0;

	if (args->args_count > 0)
		fwid |= FIELD_PREP(SMR_ID, args->args[0]);
	if (args->args_count > 1)
		fwid |= FIELD_PREP(SMR_MASK, args->args[1]);
	else if (!ims_of_property_read_u32(tree, args->np, "stream-match-mask", &mask))
		fwid |= FIELD_PREP(SMR_MASK, mask);
	return ims_iommu_fwspec_add_ids(dev, &fwid, 1);
}

static struct arm_smmu_device *arm_smmu_get_by_fwnode(struct ims_device *dev, int fwnode)
{
	struct ims_iommu_device *iommu =
		ims_iommu_device_from_fwnode(ims_iommu_core_of(dev), fwnode);

	return iommu && iommu->ops == &arm_smmu_ops ? iommu->priv : NULL;
}

static struct ims_iommu_device *arm_smmu_probe_device(struct ims_device *dev, int *err)
{
	struct ims_iommu_fwspec *fwspec = ims_dev_iommu_fwspec_get(dev);
	struct arm_smmu_device *smmu;
	struct arm_smmu_master_cfg *cfg;
	unsigned int i;
	int ret;

	if (!fwspec || fwspec->ops != &arm_smmu_ops) {
		*err = -ENODEV;
		return NULL;
	}
	smmu = arm_smmu_get_by_fwnode(dev, fwspec->iommu_fwnode);
	if (!smmu) {
		*err = -ENODEV;
		return NULL;
	}

	ret = -EINVAL;
	for (i = 0; i < fwspec->num_ids; i++) {
		uint16_t sid = FIELD_GET(SMR_ID, fwspec->ids[i]);
		uint16_t mask = FIELD_GET(SMR_MASK, fwspec->ids[i]);

		if (sid & ~smmu->streamid_mask) {
			ims_dev_logf(dev, IMS_LOG_ERR,
				     "stream ID 0x%x out of range for SMMU (0x%x)", sid,
				     smmu->streamid_mask);
			goto out_free;
		}
		if (mask & ~smmu->smr_mask_mask) {
			ims_dev_logf(dev, IMS_LOG_ERR, "SMR mask 0x%x out of range for SMMU (0x%x)",
				     mask, smmu->smr_mask_mask);
			goto out_free;
		}
	}

	ret = -ENOMEM;
	cfg = calloc(1, sizeof(*cfg) + fwspec->num_ids * sizeof(cfg->smendx[0]));
	if (!cfg)
		goto out_free;
	cfg->smmu = smmu;
	cfg->num = fwspec->num_ids;
	for (i = 0; i < cfg->num; i++)
		cfg->smendx[i] = ARM_SMMU_INVALID_SMENDX;
	dev->iommu->priv = cfg;

	ret = arm_smmu_master_alloc_smes(dev);
	if (ret) {
		dev->iommu->priv = NULL;
		free(cfg);
		goto out_free;
	}
	return &smmu->iommu;

out_free:
	ims_iommu_fwspec_free(dev);
	*err = ret;
	return NULL;
}

static void arm_smmu_release_device(struct ims_device *dev)
{
	struct arm_smmu_master_cfg *cfg = dev->iommu ? dev->iommu->priv : NULL;

	if (!cfg)
		return;
	arm_smmu_master_free_smes(cfg);
	dev->iommu->priv = NULL;
	free(cfg);
}

/*
 * arm_smmu_device_group(): devices whose stream map entries are shared
 * share the group remembered in the S2CR; otherwise the bus's rule
 * (pci_device_group, or generic_device_group; fsl-mc is not modelled).
 */
static struct ims_iommu_group *arm_smmu_device_group(struct ims_device *dev, int *err)
{
	struct arm_smmu_master_cfg *cfg = dev->iommu->priv;
	struct arm_smmu_device *smmu = cfg->smmu;
	struct ims_iommu_group *group = NULL;

	pthread_mutex_lock(&smmu->stream_map_mutex);
	for (unsigned int i = 0; i < cfg->num; i++) {
		struct ims_iommu_group *g = smmu->s2crs[cfg->smendx[i]].group;

		if (group && g && group != g) {
			pthread_mutex_unlock(&smmu->stream_map_mutex);
			*err = -EINVAL;
			return NULL;
		}
		group = g;
	}
	if (group) {
		group->refs++; /* iommu_group_ref_get() */
		pthread_mutex_unlock(&smmu->stream_map_mutex);
		return group;
	}

	if (dev->bus == IMS_BUS_PCI)
		group = ims_pci_device_group(dev, err);
	else
		group = ims_generic_device_group(dev, err);

	if (group)
		for (unsigned int i = 0; i < cfg->num; i++)
			smmu->s2crs[cfg->smendx[i]].group = group;
	pthread_mutex_unlock(&smmu->stream_map_mutex);
	return group;
}

static bool arm_smmu_capable(struct ims_device *dev, enum ims_iommu_cap cap)
{
	struct arm_smmu_master_cfg *cfg = dev->iommu ? dev->iommu->priv : NULL;

	switch (cap) {
	case IMS_IOMMU_CAP_CACHE_COHERENCY:
		return (cfg && (cfg->smmu->features & ARM_SMMU_FEAT_COHERENT_WALK)) ||
		       dev->dma_coherent;
	case IMS_IOMMU_CAP_NOEXEC:
	case IMS_IOMMU_CAP_DEFERRED_FLUSH:
		return true;
	default:
		return false;
	}
}

static void arm_smmu_get_resv_regions(struct ims_device *dev, struct ims_resv_list *list)
{
	(void)dev;
	ims_iommu_resv_add(list, IMS_MSI_IOVA_BASE, IMS_MSI_IOVA_LENGTH,
			   IMS_IOMMU_WRITE | IMS_IOMMU_NOEXEC | IMS_IOMMU_MMIO,
			   IMS_IOMMU_RESV_SW_MSI);
}

static int arm_smmu_def_domain_type(struct ims_device *dev)
{
	struct arm_smmu_master_cfg *cfg = dev->iommu ? dev->iommu->priv : NULL;

	/* The legacy "mmu-masters" binding forces identity; no impl overrides it here. */
	if (cfg && cfg->smmu->using_legacy_binding)
		return IMS_IOMMU_DOMAIN_IDENTITY;
	return 0;
}

static const struct ims_iommu_ops arm_smmu_ops = {
	.name = "arm-smmu",
	.capable = arm_smmu_capable,
	.domain_alloc_paging = arm_smmu_domain_alloc_paging,
	.probe_device = arm_smmu_probe_device,
	.release_device = arm_smmu_release_device,
	.device_group = arm_smmu_device_group,
	.get_resv_regions = arm_smmu_get_resv_regions,
	.of_xlate = arm_smmu_of_xlate,
	.def_domain_type = arm_smmu_def_domain_type,
	.identity_domain = &arm_smmu_identity_domain,
	.blocked_domain = &arm_smmu_blocked_domain,
	.pgsize_bitmap = 0, /* set per domain from the instance's bitmap */
};

/* ---- probe ----------------------------------------------------------------------- */

static unsigned int arm_smmu_id_size_to_bits(unsigned int size)
{
	switch (size) {
	case 0:
		return 32;
	case 1:
		return 36;
	case 2:
		return 40;
	case 3:
		return 42;
	case 4:
		return 44;
	default:
		return 48;
	}
}

/* arm_smmu_device_cfg_probe(): read sIDR0-2 and derive the features. */
static int arm_smmu_device_cfg_probe(struct arm_smmu_device *smmu)
{
	struct ims_device *dev = smmu->dev;
	bool cttw_fw = smmu->features & ARM_SMMU_FEAT_COHERENT_WALK;
	bool cttw_reg;
	uint32_t id, size;
	int ret;

	ims_dev_logf(dev, IMS_LOG_NOTICE, "probing hardware configuration...");
	ims_dev_logf(dev, IMS_LOG_NOTICE, "SMMUv%d with:", smmu->version == ARM_SMMU_V2 ? 2 : 1);

	/* ID0 */
	id = arm_smmu_gr0_read(smmu, SMMU_GR0_ID0);
	smmu->id_regs[0] = id;
	if (smmu->force_stage == 1)
		id &= ~(ID0_S2TS | ID0_NTS);
	else if (smmu->force_stage == 2)
		id &= ~(ID0_S1TS | ID0_NTS);

	if (id & ID0_S1TS) {
		smmu->features |= ARM_SMMU_FEAT_TRANS_S1;
		ims_dev_logf(dev, IMS_LOG_NOTICE, "\tstage 1 translation");
	}
	if (id & ID0_S2TS) {
		smmu->features |= ARM_SMMU_FEAT_TRANS_S2;
		ims_dev_logf(dev, IMS_LOG_NOTICE, "\tstage 2 translation");
	}
	if (id & ID0_NTS) {
		smmu->features |= ARM_SMMU_FEAT_TRANS_NESTED;
		ims_dev_logf(dev, IMS_LOG_NOTICE, "\tnested translation");
	}
	if (!(smmu->features & (ARM_SMMU_FEAT_TRANS_S1 | ARM_SMMU_FEAT_TRANS_S2))) {
		ims_dev_logf(dev, IMS_LOG_ERR, "\tno translation support!");
		return -ENODEV;
	}
	if ((id & ID0_S1TS) && (smmu->version < ARM_SMMU_V2 || !(id & ID0_ATOSNS))) {
		smmu->features |= ARM_SMMU_FEAT_TRANS_OPS;
		ims_dev_logf(dev, IMS_LOG_NOTICE, "\taddress translation ops");
	}

	/* Firmware (dma-coherent) decides coherency, whatever IDR0.CTTW says. */
	cttw_reg = id & ID0_CTTW;
	if (cttw_fw || cttw_reg)
		ims_dev_logf(dev, IMS_LOG_NOTICE, "\t%scoherent table walk", cttw_fw ? "" : "non-");
	if (cttw_fw != cttw_reg)
		ims_dev_logf(dev, IMS_LOG_NOTICE, "\t(IDR0.CTTW overridden by FW configuration)");

	if (smmu->version == ARM_SMMU_V2 && (id & ID0_EXIDS)) {
		smmu->features |= ARM_SMMU_FEAT_EXIDS;
		size = 1u << 16;
	} else {
		size = 1u << FIELD_GET(ID0_NUMSIDB, id);
	}
	smmu->streamid_mask = (uint16_t)(size - 1);
	if (id & ID0_SMS) {
		smmu->features |= ARM_SMMU_FEAT_STREAM_MATCH;
		size = FIELD_GET(ID0_NUMSMRG, id);
		if (size == 0) {
			ims_dev_logf(dev, IMS_LOG_ERR,
				     "stream-matching supported, but no SMRs present!");
			return -ENODEV;
		}
		smmu->smrs = calloc(size, sizeof(*smmu->smrs));
		if (!smmu->smrs)
			return -ENOMEM;
		ims_dev_logf(dev, IMS_LOG_NOTICE, "\tstream matching with %u register groups",
			     size);
	}
	smmu->s2crs = calloc(size, sizeof(*smmu->s2crs));
	if (!smmu->s2crs)
		return -ENOMEM;
	for (uint32_t i = 0; i < size; i++)
		smmu->s2crs[i] = arm_smmu_s2cr_init_val(smmu);
	smmu->num_mapping_groups = (int)size;

	if (smmu->version < ARM_SMMU_V2 || !(id & ID0_PTFS_NO_AARCH32)) {
		smmu->features |= ARM_SMMU_FEAT_FMT_AARCH32_L;
		if (!(id & ID0_PTFS_NO_AARCH32S))
			smmu->features |= ARM_SMMU_FEAT_FMT_AARCH32_S;
	}

	/* ID1 */
	id = arm_smmu_gr0_read(smmu, SMMU_GR0_ID1);
	smmu->id_regs[1] = id;
	smmu->pgshift = (id & ID1_PAGESIZE) ? 16 : 12;
	size = 1u << (FIELD_GET(ID1_NUMPAGENDXB, id) + 1);
	if (smmu->numpage != (uint64_t)(2 * size) << smmu->pgshift)
		ims_dev_logf(
			dev, IMS_LOG_WARNING,
			"SMMU address space size (0x%x) differs from mapped region size (0x%x)!",
			(2 * size) << smmu->pgshift, (unsigned int)smmu->numpage);
	smmu->numpage = size;

	smmu->num_s2_context_banks = FIELD_GET(ID1_NUMS2CB, id);
	smmu->num_context_banks = FIELD_GET(ID1_NUMCB, id);
	if (smmu->num_s2_context_banks > smmu->num_context_banks) {
		ims_dev_logf(dev, IMS_LOG_ERR, "impossible number of S2 context banks!");
		return -ENODEV;
	}
	ims_dev_logf(dev, IMS_LOG_NOTICE, "\t%u context banks (%u stage-2 only)",
		     smmu->num_context_banks, smmu->num_s2_context_banks);
	smmu->cbs =
		calloc(smmu->num_context_banks ? smmu->num_context_banks : 1, sizeof(*smmu->cbs));
	if (!smmu->cbs)
		return -ENOMEM;

	/* ID2 */
	id = arm_smmu_gr0_read(smmu, SMMU_GR0_ID2);
	smmu->id_regs[2] = id;
	smmu->ipa_size = arm_smmu_id_size_to_bits(FIELD_GET(ID2_IAS, id));
	smmu->pa_size = arm_smmu_id_size_to_bits(FIELD_GET(ID2_OAS, id));
	if (id & ID2_VMID16)
		smmu->features |= ARM_SMMU_FEAT_VMID16;

	if (smmu->version < ARM_SMMU_V2) {
		smmu->va_size = smmu->ipa_size;
		if (smmu->version == ARM_SMMU_V1_64K)
			smmu->features |= ARM_SMMU_FEAT_FMT_AARCH64_64K;
	} else {
		smmu->va_size = arm_smmu_id_size_to_bits(FIELD_GET(ID2_UBS, id));
		if (id & ID2_PTFS_4K)
			smmu->features |= ARM_SMMU_FEAT_FMT_AARCH64_4K;
		if (id & ID2_PTFS_16K)
			smmu->features |= ARM_SMMU_FEAT_FMT_AARCH64_16K;
		if (id & ID2_PTFS_64K)
			smmu->features |= ARM_SMMU_FEAT_FMT_AARCH64_64K;
	}

	if (smmu->impl && smmu->impl->cfg_probe) {
		ret = smmu->impl->cfg_probe(smmu);
		if (ret)
			return ret;
	}

	if (smmu->features & ARM_SMMU_FEAT_FMT_AARCH32_S)
		smmu->pgsize_bitmap |= SZ_4K | SZ_64K | 0x100000ULL | 0x1000000ULL; /* 1M, 16M */
	if (smmu->features & (ARM_SMMU_FEAT_FMT_AARCH32_L | ARM_SMMU_FEAT_FMT_AARCH64_4K))
		smmu->pgsize_bitmap |= SZ_4K | SZ_2M | SZ_1G;
	if (smmu->features & ARM_SMMU_FEAT_FMT_AARCH64_16K)
		smmu->pgsize_bitmap |= SZ_16K | SZ_32M;
	if (smmu->features & ARM_SMMU_FEAT_FMT_AARCH64_64K)
		smmu->pgsize_bitmap |= SZ_64K | SZ_512M;
	ims_dev_logf(dev, IMS_LOG_NOTICE, "\tSupported page sizes: 0x%08" PRIx64,
		     smmu->pgsize_bitmap);

	if (smmu->features & ARM_SMMU_FEAT_TRANS_S1)
		ims_dev_logf(dev, IMS_LOG_NOTICE, "\tStage-1: %u-bit VA -> %u-bit IPA",
			     smmu->va_size, smmu->ipa_size);
	if (smmu->features & ARM_SMMU_FEAT_TRANS_S2)
		ims_dev_logf(dev, IMS_LOG_NOTICE, "\tStage-2: %u-bit IPA -> %u-bit PA",
			     smmu->ipa_size, smmu->pa_size);
	return 0;
}

/*
 * arm_smmu_device_reset(): clear sGFSR, write every stream map entry and
 * context bank from the shadow state (SMRs invalid, S2CRs fault or bypass,
 * banks disabled, FSRs cleared), invalidate the TLBs, run the impl's reset,
 * sync, then enable: sCR0 with GFRE/GFIE/GCFGFRE/GCFGFIE, VMIDPNE/PTM,
 * CLIENTPD clear, USFCFG = disable_bypass, FB and BSU clear, VMID16EN
 * (IHI 0062 §9.6.1).
 */
static void arm_smmu_device_reset(struct arm_smmu_device *smmu)
{
	uint32_t reg;

	reg = arm_smmu_gr0_read(smmu, SMMU_GR0_sGFSR);
	arm_smmu_gr0_write(smmu, SMMU_GR0_sGFSR, reg);

	for (int i = 0; i < smmu->num_mapping_groups; i++)
		arm_smmu_write_sme(smmu, i);

	for (unsigned int i = 0; i < smmu->num_context_banks; i++) {
		arm_smmu_write_context_bank(smmu, i);
		arm_smmu_cb_write(smmu, i, SMMU_CB_FSR, FSR_FAULT);
	}

	arm_smmu_gr0_write(smmu, SMMU_GR0_TLBIALLH, ARM_SMMU_DUMMY_VAL);
	arm_smmu_gr0_write(smmu, SMMU_GR0_TLBIALLNSNH, ARM_SMMU_DUMMY_VAL);

	reg = arm_smmu_gr0_read(smmu, SMMU_GR0_sCR0);
	reg |= sCR0_GFRE | sCR0_GFIE | sCR0_GCFGFRE | sCR0_GCFGFIE;
	reg |= sCR0_VMIDPNE | sCR0_PTM;
	reg &= ~sCR0_CLIENTPD;
	if (smmu->disable_bypass)
		reg |= sCR0_USFCFG;
	else
		reg &= ~sCR0_USFCFG;
	reg &= ~sCR0_FB;
	reg &= ~sCR0_BSU;
	if (smmu->features & ARM_SMMU_FEAT_VMID16)
		reg |= sCR0_VMID16EN;
	if (smmu->features & ARM_SMMU_FEAT_EXIDS)
		reg |= sCR0_EXIDENABLE;

	if (smmu->impl && smmu->impl->reset)
		smmu->impl->reset(smmu);

	arm_smmu_tlb_sync_global(smmu);
	arm_smmu_gr0_write(smmu, SMMU_GR0_sCR0, reg);
}

/* kstrtobool() */
static int arm_smmu_strtobool(const char *s, bool *res)
{
	switch (s[0]) {
	case 'y':
	case 'Y':
	case '1':
		*res = true;
		return 0;
	case 'n':
	case 'N':
	case '0':
		*res = false;
		return 0;
	case 'o':
	case 'O':
		if (s[1] == 'n' || s[1] == 'N') {
			*res = true;
			return 0;
		}
		if (s[1] == 'f' || s[1] == 'F') {
			*res = false;
			return 0;
		}
		return -EINVAL;
	default:
		return -EINVAL;
	}
}

/* The module parameters, from "arm-smmu.<name>=<value>" words of /chosen/bootargs. */
static void arm_smmu_parse_params(struct arm_smmu_device *smmu)
{
	const struct ims_of_tree *tree = ims_devcore_tree(smmu->core);
	int chosen = ims_of_find_node_by_path(tree, "/chosen");
	int len = 0;
	const char *args = chosen >= 0 ? ims_of_get_property(tree, chosen, "bootargs", &len) : NULL;
	char word[128];

	smmu->disable_bypass = true;
	smmu->force_stage = 0;
	if (!args || len <= 0 || memchr(args, '\0', (size_t)len) == NULL)
		return;
	for (const char *p = args; *p;) {
		size_t n;

		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		n = strcspn(p, " \t\n");
		if (!n)
			break;
		if (n < sizeof(word)) {
			memcpy(word, p, n);
			word[n] = '\0';
			if (!strncmp(word, "arm-smmu.disable_bypass=", 24)) {
				bool v;

				if (!arm_smmu_strtobool(word + 24, &v))
					smmu->disable_bypass = v;
			} else if (!strncmp(word, "arm-smmu.force_stage=", 21)) {
				char *end;
				long v = strtol(word + 21, &end, 0);

				if (end != word + 21 && !*end)
					smmu->force_stage = (int)v;
			}
		}
		p += n;
	}
}

/* platform_irq_count(): entries of "interrupts", sized by the parent's #interrupt-cells. */
static int arm_smmu_irq_count(const struct ims_of_tree *tree, int node)
{
	int len = 0, p = node;
	uint32_t cells = 0;

	if (ims_of_get_property(tree, node, "interrupts-extended", &len))
		return ims_of_count_phandle_with_args(tree, node, "interrupts-extended",
						      "#interrupt-cells");
	if (!ims_of_get_property(tree, node, "interrupts", &len) || len <= 0)
		return 0;
	/* of_irq_find_parent(): interrupt-parent, else the parent, until #interrupt-cells. */
	for (int depth = 0; depth < 64 && p >= 0; depth++) {
		uint32_t ph;

		if (!ims_of_property_read_u32(tree, p, "interrupt-parent", &ph))
			p = ims_of_find_node_by_phandle(tree, ph);
		else
			p = ims_of_get_parent(tree, p);
		if (p >= 0 && !ims_of_property_read_u32(tree, p, "#interrupt-cells", &cells))
			break;
	}
	if (!cells)
		return 0;
	return len / (int)(4 * cells);
}

/* arm_smmu_device_dt_probe(): #global-interrupts, version/model, binding, coherency. */
static int arm_smmu_device_dt_probe(struct arm_smmu_device *smmu, uint32_t *global_irqs)
{
	const struct ims_of_tree *tree = ims_devcore_tree(smmu->core);
	int node = smmu->node;

	if (ims_of_property_read_u32(tree, node, "#global-interrupts", global_irqs))
		return arm_smmu_err_probe(smmu->dev, -ENODEV,
					  "missing #global-interrupts property");

	if (ims_of_device_is_compatible(tree, node, "arm,smmu-v1") ||
	    ims_of_device_is_compatible(tree, node, "arm,mmu-400")) {
		smmu->version = ARM_SMMU_V1;
		smmu->model = GENERIC_SMMU;
	} else if (ims_of_device_is_compatible(tree, node, "arm,mmu-401")) {
		smmu->version = ARM_SMMU_V1_64K;
		smmu->model = GENERIC_SMMU;
	} else if (ims_of_device_is_compatible(tree, node, "arm,mmu-500") ||
		   ims_of_device_is_compatible(tree, node, "nvidia,smmu-500")) {
		smmu->version = ARM_SMMU_V2;
		smmu->model = ARM_MMU500;
	} else if (ims_of_device_is_compatible(tree, node, "cavium,smmu-v2")) {
		smmu->version = ARM_SMMU_V2;
		smmu->model = CAVIUM_SMMUV2;
	} else if (ims_of_device_is_compatible(tree, node, "qcom,smmu-v2")) {
		smmu->version = ARM_SMMU_V2;
		smmu->model = QCOM_SMMUV2;
	} else {
		smmu->version = ARM_SMMU_V2;
		smmu->model = GENERIC_SMMU;
	}

	if (ims_of_get_property(tree, node, "mmu-masters", NULL)) {
		/* CONFIG_ARM_SMMU_LEGACY_DT_BINDINGS=n, as arm64 defconfig. */
		ims_logf(ims_devcore_log(smmu->core), IMS_LOG_NOTICE,
			 "arm-smmu: deprecated \"mmu-masters\" DT property in use; SMMU support "
			 "unavailable");
		smmu->using_legacy_binding = true;
	}

	if (ims_of_dma_is_coherent(tree, node))
		smmu->features |= ARM_SMMU_FEAT_COHERENT_WALK;
	return 0;
}

static void arm_smmu_free(struct arm_smmu_device *smmu)
{
	for (unsigned int i = 0; i < smmu->global_irqs_requested; i++)
		ims_free_irq(smmu->core, smmu->node, (int)i);
	pthread_mutex_destroy(&smmu->stream_map_mutex);
	pthread_mutex_destroy(&smmu->context_map_mutex);
	pthread_mutex_destroy(&smmu->global_sync_lock);
	free(smmu->smrs);
	free(smmu->s2crs);
	free(smmu->cbs);
	free(smmu);
}

static int arm_smmu_device_probe(struct ims_device *dev)
{
	const struct ims_of_tree *tree = ims_devcore_tree(dev->core);
	struct ims_iommu_core *ic = ims_iommu_core_of(dev);
	struct ims_mem *mem = ims_devcore_mem(dev->core);
	struct arm_smmu_device *smmu;
	uint32_t global_irqs = 0;
	uint64_t size = 0;
	int num_irqs, err;

	if (!ic)
		return ims_error(-ENODEV, "arm-smmu %s: no IOMMU core on this driver core",
				 dev->name);
	if (!mem)
		return ims_error(-ENODEV, "arm-smmu %s: the driver core has no address space",
				 dev->name);
	smmu = calloc(1, sizeof(*smmu));
	if (!smmu)
		return -ENOMEM;
	smmu->dev = dev;
	smmu->core = dev->core;
	smmu->mem = mem;
	smmu->node = dev->of_node;
	pthread_mutex_init(&smmu->stream_map_mutex, NULL);
	pthread_mutex_init(&smmu->context_map_mutex, NULL);
	pthread_mutex_init(&smmu->global_sync_lock, NULL);
	arm_smmu_parse_params(smmu);

	err = arm_smmu_device_dt_probe(smmu, &global_irqs);
	if (err)
		goto out_free;

	if (ims_of_get_address(tree, smmu->node, 0, &smmu->ioaddr, &size) || !size) {
		ims_dev_logf(dev, IMS_LOG_ERR, "invalid resource");
		err = -EINVAL;
		goto out_free;
	}
	/* The resource size stands in for SMMU_TOP until PAGESIZE is known. */
	smmu->numpage = size;
	smmu->pgshift = 12;
	{
		uint64_t probe;

		if (ims_mmio_read(mem, smmu->ioaddr, 4, &probe)) {
			err = ims_error(-ENODEV, "arm-smmu %s: no registers respond at 0x%" PRIx64,
					dev->name, smmu->ioaddr);
			goto out_free;
		}
	}

	arm_smmu_impl_init(smmu);

	num_irqs = arm_smmu_irq_count(tree, smmu->node);
	if ((int64_t)num_irqs - (int64_t)global_irqs <= 0) {
		err = arm_smmu_err_probe(dev, -ENODEV,
					 "found %d interrupts but expected at least %lld", num_irqs,
					 (long long)global_irqs + 1);
		goto out_free;
	}
	smmu->num_context_irqs = (unsigned int)num_irqs - global_irqs;
	smmu->global_irqs = global_irqs;

	err = arm_smmu_device_cfg_probe(smmu);
	if (err)
		goto out_free;

	if (smmu->version == ARM_SMMU_V2) {
		if (smmu->num_context_banks > smmu->num_context_irqs) {
			ims_dev_logf(dev, IMS_LOG_ERR,
				     "found only %d context irq(s) but %d required",
				     smmu->num_context_irqs, smmu->num_context_banks);
			err = -ENODEV;
			goto out_free;
		}
		smmu->num_context_irqs = smmu->num_context_banks;
	}

	for (unsigned int i = 0; i < global_irqs; i++) {
		err = ims_request_irq(smmu->core, smmu->node, (int)i, arm_smmu_global_fault, smmu);
		if (err) {
			err = arm_smmu_err_probe(dev, err, "failed to request global IRQ %u (%u)",
						 i, i);
			goto out_free;
		}
		smmu->global_irqs_requested = i + 1;
	}

	dev->driver_data = smmu;

	/* arm_smmu_rmr_install_bypass_smr(): no IORT RMRs on DT; the SMMU is disabled first. */
	arm_smmu_gr0_write(smmu, SMMU_GR0_sCR0,
			   arm_smmu_gr0_read(smmu, SMMU_GR0_sCR0) | sCR0_CLIENTPD);
	ims_dev_logf(dev, IMS_LOG_NOTICE, "\tpreserved 0 boot mappings");

	arm_smmu_device_reset(smmu);
	arm_smmu_test_smr_masks(smmu);

	smmu->iommu.priv = smmu;
	smmu->iommu.idregs[0] = (struct ims_iommu_idreg){ "sIDR0", smmu->id_regs[0] };
	smmu->iommu.idregs[1] = (struct ims_iommu_idreg){ "sIDR1", smmu->id_regs[1] };
	smmu->iommu.idregs[2] = (struct ims_iommu_idreg){ "sIDR2", smmu->id_regs[2] };
	smmu->iommu.nr_idregs = 3;

	/* arm_smmu_map_pages()/arm_smmu_unmap_pages() only forward to the page table */
	ims_iommu_register_pgtbl_fwd(ic, &arm_smmu_domain_ops,
				     offsetof(struct arm_smmu_domain, pgtbl_ops) -
					     offsetof(struct arm_smmu_domain, domain));
	err = ims_iommu_device_register(ic, &smmu->iommu, &arm_smmu_ops,
					smmu->using_legacy_binding ? NULL : dev);
	if (err) {
		arm_smmu_err_probe(dev, err, "Failed to register iommu");
		dev->driver_data = NULL;
		arm_smmu_gr0_write(smmu, SMMU_GR0_sCR0, sCR0_CLIENTPD);
		goto out_free;
	}
	return 0;

out_free:
	arm_smmu_free(smmu);
	return err;
}

/* arm_smmu_device_remove(): unregister, then arm_smmu_device_shutdown(). */
static void arm_smmu_device_remove(struct ims_device *dev)
{
	struct arm_smmu_device *smmu = dev->driver_data;
	bool busy = false;

	if (!smmu)
		return;
	ims_iommu_device_unregister(&smmu->iommu);

	for (unsigned int i = 0; i < ARRAY_SIZE(smmu->context_map); i++)
		busy |= smmu->context_map[i] != 0;
	if (busy)
		ims_dev_logf(dev, IMS_LOG_NOTICE, "disabling translation");
	arm_smmu_gr0_write(smmu, SMMU_GR0_sCR0, sCR0_CLIENTPD);

	dev->driver_data = NULL;
	arm_smmu_free(smmu);
}

/*
 * arm_smmu_of_match: the compatibles the driver itself lists; vendor
 * "*-smmu-500" nodes (qcom,sdm845-smmu-500, marvell,ap806-smmu-500...) match
 * through their "arm,mmu-500" fallback.
 */
static const char *const arm_smmu_of_match[] = {
	"arm,smmu-v1",	  "arm,smmu-v2",     "arm,mmu-400",  "arm,mmu-401", "arm,mmu-500",
	"cavium,smmu-v2", "nvidia,smmu-500", "qcom,smmu-v2", NULL,
};

static const struct ims_driver arm_smmu_driver = {
	.name = "arm-smmu",
	.bus = IMS_BUS_PLATFORM,
	.of_match = arm_smmu_of_match,
	.probe = arm_smmu_device_probe,
	.remove = arm_smmu_device_remove,
};

IMS_EXPORT int ims_arm_smmu_register(struct ims_devcore *core)
{
	if (!core)
		return ims_error(-EINVAL, "ims_arm_smmu_register: no driver core");
	return ims_driver_register(core, &arm_smmu_driver);
}
