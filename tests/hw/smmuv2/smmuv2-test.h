/* SPDX-License-Identifier: MIT */
/*
 * A tiny in-test "driver" for the MMU-500 model: it programs the model only
 * through MMIO and simulated memory, in the order and with the values the
 * Linux 6.12 arm-smmu driver uses (arm_smmu_device_reset,
 * arm_smmu_write_context_bank, arm_smmu_write_sme, the TLB maintenance
 * helpers), and writes translation tables the way io-pgtable-arm does.
 */
#ifndef IMS_TEST_SMMUV2_H
#define IMS_TEST_SMMUV2_H

#include <stdio.h>
#include <stdlib.h>

#include "../../tap.h"
#include "hw/smmuv2/regs.h"
#include <iommusim/smmuv2.h>

#define T_RAM_BASE 0x80000000ULL
#define T_RAM_SIZE (256ULL << 20)
#define T_SMMU_BASE 0x2000000ULL

struct tsmmu {
	struct ims_mem *mem;
	struct ims_smmuv2 *smmu;
	const struct ims_translator *tr;
	struct ims_smmuv2_params p;
	unsigned int pgshift, numpage;
	unsigned int girqs;
	unsigned int cbirqs[256];
	int last_cbirq;
};

static void t_global_irq(void *cookie)
{
	struct tsmmu *t = cookie;

	t->girqs++;
}

static void t_context_irq(void *cookie, unsigned int cbndx)
{
	struct tsmmu *t = cookie;

	t->cbirqs[cbndx & 0xff]++;
	t->last_cbirq = (int)cbndx;
}

/* Create RAM and the model; @p may be NULL for the MMU-500 preset. */
__attribute__((unused)) static struct tsmmu *t_new(const struct ims_smmuv2_params *p)
{
	struct tsmmu *t = calloc(1, sizeof(*t));

	if (!t || ims_mem_new(&t->mem, NULL) || ims_mem_add_ram(t->mem, T_RAM_BASE, T_RAM_SIZE)) {
		printf("Bail out! cannot create memory\n");
		exit(1);
	}
	if (p)
		t->p = *p;
	else
		ims_smmuv2_params_mmu500(&t->p);
	t->p.base = T_SMMU_BASE;
	t->p.global_irq = t_global_irq;
	t->p.context_irq = t_context_irq;
	t->p.irq_cookie = t;
	t->last_cbirq = -1;
	if (ims_smmuv2_new(&t->smmu, t->mem, &t->p, NULL)) {
		printf("Bail out! ims_smmuv2_new: %s\n", ims_last_error());
		exit(1);
	}
	t->tr = ims_smmuv2_translator(t->smmu);
	return t;
}

__attribute__((unused)) static void t_free(struct tsmmu *t)
{
	ims_smmuv2_free(t->smmu);
	ims_mem_free(t->mem);
	free(t);
}

/* Register accessors, as arm_smmu_{gr0,gr1,cb}_{read,write}[q]. */
static uint32_t rd32(struct tsmmu *t, uint64_t off)
{
	uint64_t v = 0;

	if (ims_mmio_read(t->mem, T_SMMU_BASE + off, 4, &v))
		diag("mmio read at 0x%llx failed", (unsigned long long)off);
	return (uint32_t)v;
}

static void wr32(struct tsmmu *t, uint64_t off, uint32_t v)
{
	if (ims_mmio_write(t->mem, T_SMMU_BASE + off, 4, v))
		diag("mmio write at 0x%llx failed", (unsigned long long)off);
}

static uint64_t rd64(struct tsmmu *t, uint64_t off)
{
	uint64_t v = 0;

	if (ims_mmio_read(t->mem, T_SMMU_BASE + off, 8, &v))
		diag("mmio read64 at 0x%llx failed", (unsigned long long)off);
	return v;
}

static void wr64(struct tsmmu *t, uint64_t off, uint64_t v)
{
	if (ims_mmio_write(t->mem, T_SMMU_BASE + off, 8, v))
		diag("mmio write64 at 0x%llx failed", (unsigned long long)off);
}

/* Discover the layout from the ID registers, as arm_smmu_device_cfg_probe. */
static void t_probe(struct tsmmu *t)
{
	uint32_t id1 = rd32(t, SMMU_GR0_ID1);

	t->pgshift = (id1 & ID1_PAGESIZE) ? 16 : 12;
	t->numpage = 2u << FIELD_GET(ID1_NUMPAGENDXB, id1);
}

#define gr0_rd(t, o) rd32(t, (o))
#define gr0_wr(t, o, v) wr32(t, (o), (v))
#define gr1_rd(t, o) rd32(t, (1ULL << (t)->pgshift) + (o))
#define gr1_wr(t, o, v) wr32(t, (1ULL << (t)->pgshift) + (o), (v))
#define cb_off(t, n, o) ((((uint64_t)(t)->numpage + (n)) << (t)->pgshift) + (o))
#define cb_rd(t, n, o) rd32(t, cb_off(t, n, o))
#define cb_wr(t, n, o, v) wr32(t, cb_off(t, n, o), (v))
#define cb_rdq(t, n, o) rd64(t, cb_off(t, n, o))
#define cb_wrq(t, n, o, v) wr64(t, cb_off(t, n, o), (v))

/* arm_smmu_device_reset(): clear faults, reset SMEs and banks, enable. */
__attribute__((unused)) static void t_reset(struct tsmmu *t, bool disable_bypass)
{
	unsigned int nsmr, ncb;
	uint32_t reg;

	t_probe(t);
	nsmr = FIELD_GET(ID0_NUMSMRG, gr0_rd(t, SMMU_GR0_ID0));
	ncb = FIELD_GET(ID1_NUMCB, gr0_rd(t, SMMU_GR0_ID1));
	gr0_wr(t, SMMU_GR0_sGFSR, gr0_rd(t, SMMU_GR0_sGFSR));
	for (unsigned int i = 0; i < nsmr; i++) {
		gr0_wr(t, SMMU_GR0_S2CR(i),
		       FIELD_PREP(S2CR_TYPE, disable_bypass ? S2CR_TYPE_FAULT : S2CR_TYPE_BYPASS));
		gr0_wr(t, SMMU_GR0_SMR(i), 0);
	}
	for (unsigned int i = 0; i < ncb; i++) {
		cb_wr(t, i, SMMU_CB_SCTLR, 0);
		cb_wr(t, i, SMMU_CB_FSR, FSR_FAULT);
	}
	gr0_wr(t, SMMU_GR0_TLBIALLH, 0);
	gr0_wr(t, SMMU_GR0_TLBIALLNSNH, 0);
	reg = gr0_rd(t, SMMU_GR0_sCR0);
	reg |= sCR0_GFRE | sCR0_GFIE | sCR0_GCFGFRE | sCR0_GCFGFIE | sCR0_VMIDPNE | sCR0_PTM;
	reg &= ~(sCR0_CLIENTPD | sCR0_USFCFG | sCR0_FB | sCR0_BSU);
	if (disable_bypass)
		reg |= sCR0_USFCFG;
	gr0_wr(t, SMMU_GR0_sTLBGSYNC, 0);
	gr0_wr(t, SMMU_GR0_sCR0, reg);
}

/* arm_smmu_write_sme(): S2CR first, then SMR. */
__attribute__((unused)) static void t_sme(struct tsmmu *t, unsigned int idx, uint16_t sid,
					  uint16_t mask, unsigned int type, unsigned int cbndx)
{
	gr0_wr(t, SMMU_GR0_S2CR(idx), FIELD_PREP(S2CR_TYPE, type) | FIELD_PREP(S2CR_CBNDX, cbndx));
	gr0_wr(t, SMMU_GR0_SMR(idx),
	       FIELD_PREP(SMR_ID, sid) | FIELD_PREP(SMR_MASK, mask) | SMR_VALID);
}

/* A transaction of @size bytes; returns the result status. */
__attribute__((unused)) static enum ims_txn_status
t_txn(struct tsmmu *t, uint32_t sid, uint64_t addr, unsigned int access, struct ims_txn_result *res)
{
	struct ims_txn txn = { .sid = sid, .addr = addr, .size = 4, .access = access };
	struct ims_txn_result local;

	if (!res)
		res = &local;
	if (t->tr->translate(t->tr->opaque, &txn, res))
		return (enum ims_txn_status) - 1;
	return res->status;
}

/* ---- io-pgtable-arm style table writer (AArch64 long descriptors) ---- */

#define PTE_VALID (1ULL << 0)
#define PTE_TABLE (1ULL << 1)
#define PTE_PAGE (3ULL << 0)
#define PTE_BLOCK (1ULL << 0)
#define PTE_AF (1ULL << 10)
#define PTE_SH_IS (3ULL << 8)
#define PTE_NG (1ULL << 11)
#define PTE_AP_UNPRIV (1ULL << 6)
#define PTE_AP_RDONLY (1ULL << 7)
#define PTE_PXN (1ULL << 53)
#define PTE_XN (1ULL << 54)
#define PTE_S2_R (1ULL << 6)
#define PTE_S2_W (1ULL << 7)
#define PTE_S2_MEMATTR_WB (0xfULL << 2)
/* io-pgtable-arm for IOMMU_READ | IOMMU_WRITE without IOMMU_PRIV. */
#define S1_RW (PTE_AF | PTE_SH_IS | PTE_NG | PTE_AP_UNPRIV)
#define S2_RW (PTE_AF | PTE_SH_IS | PTE_S2_R | PTE_S2_W | PTE_S2_MEMATTR_WB)

struct tpgtable {
	uint64_t root;
	unsigned int gs, ias, start_level, concat;
	bool stage2;
};

static uint64_t t_alloc(struct tsmmu *t, uint64_t size)
{
	uint64_t pa = 0;

	if (ims_mem_alloc(t->mem, &pa, size, size, IMS_MEM_ZERO)) {
		printf("Bail out! out of simulated RAM\n");
		exit(1);
	}
	return pa;
}

/* A new table set; the stage-1 start level follows from ias, stage 2 from SL0. */
__attribute__((unused)) static void t_pgtable(struct tsmmu *t, struct tpgtable *pt, unsigned int gs,
					      unsigned int ias, bool stage2)
{
	unsigned int bpl = gs - 3, levels = (ias - gs + bpl - 1) / bpl;

	pt->gs = gs;
	pt->ias = ias;
	pt->stage2 = stage2;
	pt->start_level = 4 - levels;
	pt->concat = 1;
	/* Stage 2 concatenates up to 16 tables to save a level (io-pgtable does for <= 16). */
	if (stage2 && levels > 1) {
		unsigned int top = ias - (gs + (levels - 1) * bpl);

		if (top <= 4 && pt->start_level < 3) {
			pt->start_level++;
			pt->concat = 1u << top;
		}
	}
	pt->root = t_alloc(t, (uint64_t)pt->concat << gs);
}

/* The SL0 encoding of pt->start_level (VTCR). */
__attribute__((unused)) static unsigned int t_sl0(const struct tpgtable *pt)
{
	return pt->gs == 12 ? 2 - pt->start_level : 3 - pt->start_level;
}

/* Map @iova -> @pa with a leaf at @leaf_level and attributes @attrs. */
__attribute__((unused)) static void t_map(struct tsmmu *t, struct tpgtable *pt, uint64_t iova,
					  uint64_t pa, unsigned int leaf_level, uint64_t attrs)
{
	uint64_t table = pt->root;
	unsigned int bpl = pt->gs - 3;

	for (unsigned int l = pt->start_level; l <= 3; l++) {
		unsigned int shift = pt->gs + (3 - l) * bpl;
		unsigned int width = l == pt->start_level ? pt->ias - shift : bpl;
		uint64_t idx = (iova >> shift) & ((1ULL << width) - 1);
		uint64_t dpa = table + idx * 8, d = 0;

		if (l == leaf_level) {
			d = (pa & ~((1ULL << shift) - 1)) | attrs | (l == 3 ? PTE_PAGE : PTE_BLOCK);
			ims_mem_write64(t->mem, dpa, d);
			return;
		}
		ims_mem_read64(t->mem, dpa, &d);
		if (!(d & PTE_VALID)) {
			uint64_t next = t_alloc(t, 1ULL << pt->gs);

			d = next | PTE_TABLE | PTE_VALID;
			ims_mem_write64(t->mem, dpa, d);
		}
		table = d & 0xfffffffff000ULL & ~((1ULL << pt->gs) - 1);
	}
}

/* Rewrite the leaf of @iova (used to change a mapping behind the TLB's back). */
__attribute__((unused)) static void t_unmap(struct tsmmu *t, struct tpgtable *pt, uint64_t iova,
					    unsigned int leaf_level)
{
	uint64_t table = pt->root;
	unsigned int bpl = pt->gs - 3;

	for (unsigned int l = pt->start_level; l <= 3; l++) {
		unsigned int shift = pt->gs + (3 - l) * bpl;
		unsigned int width = l == pt->start_level ? pt->ias - shift : bpl;
		uint64_t idx = (iova >> shift) & ((1ULL << width) - 1);
		uint64_t d = 0;

		if (l == leaf_level) {
			ims_mem_write64(t->mem, table + idx * 8, 0);
			return;
		}
		ims_mem_read64(t->mem, table + idx * 8, &d);
		table = d & 0xfffffffff000ULL & ~((1ULL << pt->gs) - 1);
	}
}

/* TG0 encoding of a granule (stage 1 TCR and stage 2 VTCR alike). */
static unsigned int t_tg0(unsigned int gs)
{
	return gs == 12 ? TCR_TG0_4K : gs == 16 ? TCR_TG0_64K : TCR_TG0_16K;
}

/*
 * arm_smmu_write_context_bank() for a stage-1 (S2 bypass) bank with
 * AArch64 tables: CBA2R, CBAR, TCR2, TCR, TTBR0/1, MAIR, SCTLR.
 */
__attribute__((unused)) static void t_s1_bank(struct tsmmu *t, unsigned int cb,
					      const struct tpgtable *pt, uint16_t asid)
{
	uint32_t tcr = FIELD_PREP(TCR_T0SZ, 64 - pt->ias) | FIELD_PREP(TCR_TG0, t_tg0(pt->gs)) |
		       FIELD_PREP(TCR_SH0, 3) | FIELD_PREP(TCR_ORGN0, 1) |
		       FIELD_PREP(TCR_IRGN0, 1) | TCR_EPD1;

	gr1_wr(t, SMMU_GR1_CBA2R(cb), CBA2R_VA64);
	/* SMMUv2: IRPTNDX is not programmed (Linux sets it only on v1). */
	gr1_wr(t, SMMU_GR1_CBAR(cb),
	       FIELD_PREP(CBAR_TYPE, CBAR_TYPE_S1_TRANS_S2_BYPASS) |
		       FIELD_PREP(CBAR_S1_BPSHCFG, 3) | FIELD_PREP(CBAR_S1_MEMATTR, 0xf));
	cb_wr(t, cb, SMMU_CB_TCR2, FIELD_PREP(TCR2_PASIZE, 5) | FIELD_PREP(TCR2_SEP, 7) | TCR2_AS);
	cb_wr(t, cb, SMMU_CB_TCR, tcr);
	cb_wrq(t, cb, SMMU_CB_TTBR0, pt->root | FIELD_PREP(TTBR_ASID, asid));
	cb_wrq(t, cb, SMMU_CB_TTBR1, FIELD_PREP(TTBR_ASID, asid));
	cb_wr(t, cb, SMMU_CB_MAIR0, 0xf404ff44);
	cb_wr(t, cb, SMMU_CB_MAIR1, 0);
	cb_wr(t, cb, SMMU_CB_SCTLR,
	      SCTLR_CFIE | SCTLR_CFRE | SCTLR_AFE | SCTLR_TRE | SCTLR_M | SCTLR_ASIDPNE);
}

/* The same for a stage-2 bank (VMID = @vmid). */
__attribute__((unused)) static void t_s2_bank(struct tsmmu *t, unsigned int cb,
					      const struct tpgtable *pt, uint16_t vmid)
{
	uint32_t vtcr = BIT(31) | FIELD_PREP(TCR_T0SZ, 64 - pt->ias) |
			FIELD_PREP(VTCR_SL0, t_sl0(pt)) | FIELD_PREP(TCR_TG0, t_tg0(pt->gs)) |
			FIELD_PREP(TCR_SH0, 3) | FIELD_PREP(TCR_ORGN0, 1) |
			FIELD_PREP(TCR_IRGN0, 1) | FIELD_PREP(VTCR_PS, 5);

	gr1_wr(t, SMMU_GR1_CBA2R(cb), CBA2R_VA64 | FIELD_PREP(CBA2R_VMID16, vmid));
	gr1_wr(t, SMMU_GR1_CBAR(cb),
	       FIELD_PREP(CBAR_TYPE, CBAR_TYPE_S2_TRANS) | FIELD_PREP(CBAR_VMID, vmid));
	cb_wr(t, cb, SMMU_CB_TCR, vtcr);
	cb_wrq(t, cb, SMMU_CB_TTBR0, pt->root);
	cb_wr(t, cb, SMMU_CB_SCTLR, SCTLR_CFIE | SCTLR_CFRE | SCTLR_AFE | SCTLR_TRE | SCTLR_M);
}

/* The line arm_smmu_context_fault() prints, built from the registers. */
__attribute__((unused)) static void t_fault_line(struct tsmmu *t, unsigned int cb, char *buf,
						 size_t len)
{
	uint32_t fsr = cb_rd(t, cb, SMMU_CB_FSR);
	uint32_t fsynr = cb_rd(t, cb, SMMU_CB_FSYNR0);
	uint64_t iova = cb_rdq(t, cb, SMMU_CB_FAR);
	uint32_t cbfrsynra = gr1_rd(t, SMMU_GR1_CBFRSYNRA(cb));

	snprintf(buf, len,
		 "Unhandled context fault: fsr=0x%x, iova=0x%08llx, fsynr=0x%x, cbfrsynra=0x%x, "
		 "cb=%u",
		 fsr, (unsigned long long)iova, fsynr, cbfrsynra, cb);
}

#endif
