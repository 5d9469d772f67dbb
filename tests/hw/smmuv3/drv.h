/* SPDX-License-Identifier: MIT */
/*
 * A tiny in-test SMMUv3 "driver": it programs the model only as Linux's
 * arm-smmu-v3 does, through MMIO registers and structures in simulated
 * memory (stream table, CDs, page tables, command and event queues).
 */
#ifndef IMS_TESTS_SMMUV3_DRV_H
#define IMS_TESTS_SMMUV3_DRV_H

#include <stdlib.h>
#include <string.h>

#include <iommusim/hw.h>
#include <iommusim/smmuv3.h>

#include "hw/smmuv3/smmuv3-regs.h"
#include "util/compiler.h"
#include "../../tap.h"

#define DRV_RAM 0x80000000ULL
#define DRV_RAM_SIZE (256ULL << 20)
#define DRV_MMIO 0x09050000ULL
#define DRV_CMDQ_LOG2 8
#define DRV_EVTQ_LOG2 5

struct drv {
	struct ims_mem *mem;
	struct ims_smmuv3 *smmu;
	struct ims_smmuv3_params p;
	uint64_t strtab;    /* linear table or L1 table */
	unsigned int split; /* 0: linear */
	unsigned int log2size;
	uint64_t cmdq, evtq;
	unsigned int cmdq_log2, evtq_log2;
	uint32_t cmd_prod;
	unsigned int irqs[4];
};

static inline uint32_t rd32(struct drv *d, uint64_t off)
{
	uint64_t v = 0;

	if (ims_mmio_read(d->mem, DRV_MMIO + off, 4, &v))
		diag("mmio read 0x%llx failed", (unsigned long long)off);
	return (uint32_t)v;
}

static inline void wr32(struct drv *d, uint64_t off, uint32_t v)
{
	if (ims_mmio_write(d->mem, DRV_MMIO + off, 4, v))
		diag("mmio write 0x%llx failed", (unsigned long long)off);
}

static inline uint64_t rd64(struct drv *d, uint64_t off)
{
	uint64_t v = 0;

	ims_mmio_read(d->mem, DRV_MMIO + off, 8, &v);
	return v;
}

static inline void wr64(struct drv *d, uint64_t off, uint64_t v)
{
	ims_mmio_write(d->mem, DRV_MMIO + off, 8, v);
}

__attribute__((unused)) static void drv_irq(void *opaque, enum ims_smmuv3_irq line)
{
	struct drv *d = opaque;

	d->irqs[line]++;
}

static inline uint64_t drv_alloc(struct drv *d, uint64_t size, uint64_t align)
{
	uint64_t pa = 0;

	if (ims_mem_alloc(d->mem, &pa, size, align, IMS_MEM_ZERO))
		diag("drv_alloc(0x%llx) failed", (unsigned long long)size);
	return pa;
}

/* Create memory and an SMMU with @p (NULL: default), mapped at DRV_MMIO. */
__attribute__((unused)) static int drv_create(struct drv *d, const struct ims_smmuv3_params *p)
{
	int ret;

	memset(d, 0, sizeof(*d));
	if (p)
		d->p = *p;
	else
		ims_smmuv3_params_default(&d->p);
	d->p.irq = drv_irq;
	d->p.irq_opaque = d;
	ret = ims_mem_new(&d->mem, NULL);
	if (!ret)
		ret = ims_mem_add_ram(d->mem, DRV_RAM, DRV_RAM_SIZE);
	if (!ret)
		ret = ims_smmuv3_new(&d->smmu, d->mem, DRV_MMIO, &d->p, NULL);
	return ret;
}

/*
 * Set up queues and a stream table of 2^@log2size SIDs (2-level with @split
 * when non-zero; L2 tables are allocated for every L1 entry with full span)
 * and enable the SMMU, as arm_smmu_device_reset() does.
 */
__attribute__((unused)) static void drv_setup(struct drv *d, unsigned int log2size,
					      unsigned int split)
{
	d->log2size = log2size;
	d->split = split;
	if (!split) {
		d->strtab = drv_alloc(d, (64ULL << log2size), 64ULL << log2size);
		wr64(d, SMMU_STRTAB_BASE, d->strtab);
		wr32(d, SMMU_STRTAB_BASE_CFG, FIELD_PREP(STRTAB_BASE_CFG_LOG2SIZE, log2size));
	} else {
		unsigned int n1 = log2size > split ? 1u << (log2size - split) : 1;

		d->strtab = drv_alloc(d, 8ULL * n1 < 64 ? 64 : 8ULL * n1, 64);
		for (unsigned int i = 0; i < n1; i++) {
			uint64_t l2 = drv_alloc(d, 64ULL << split, 64ULL << split);

			ims_mem_write64(d->mem, d->strtab + 8ULL * i,
					l2 | FIELD_PREP(L1STD_SPAN, split + 1));
		}
		wr64(d, SMMU_STRTAB_BASE, d->strtab);
		wr32(d, SMMU_STRTAB_BASE_CFG,
		     FIELD_PREP(STRTAB_BASE_CFG_LOG2SIZE, log2size) |
			     FIELD_PREP(STRTAB_BASE_CFG_SPLIT, split) |
			     FIELD_PREP(STRTAB_BASE_CFG_FMT, STRTAB_BASE_CFG_FMT_2LVL));
	}
	d->cmdq_log2 = DRV_CMDQ_LOG2;
	d->evtq_log2 = DRV_EVTQ_LOG2;
	d->cmdq = drv_alloc(d, CMDQ_ENT_SIZE << d->cmdq_log2, CMDQ_ENT_SIZE << d->cmdq_log2);
	d->evtq = drv_alloc(d, EVTQ_ENT_SIZE << d->evtq_log2, EVTQ_ENT_SIZE << d->evtq_log2);
	wr64(d, SMMU_CMDQ_BASE, d->cmdq | d->cmdq_log2);
	wr32(d, SMMU_CMDQ_PROD, 0);
	wr32(d, SMMU_CMDQ_CONS, 0);
	wr64(d, SMMU_EVENTQ_BASE, d->evtq | d->evtq_log2);
	wr32(d, SMMU_EVENTQ_PROD_P1, 0);
	wr32(d, SMMU_EVENTQ_CONS_P1, 0);
	wr32(d, SMMU_CR2, CR2_RECINVSID);
	wr32(d, SMMU_IRQ_CTRL, IRQ_CTRL_GERROR_IRQEN | IRQ_CTRL_EVENTQ_IRQEN);
	wr32(d, SMMU_CR0, CR0_EVENTQEN | CR0_CMDQEN);
	wr32(d, SMMU_CR0, CR0_EVENTQEN | CR0_CMDQEN | CR0_SMMUEN);
}

__attribute__((unused)) static void drv_destroy(struct drv *d)
{
	ims_smmuv3_free(d->smmu);
	ims_mem_free(d->mem);
}

/* The PA of the STE of @sid. */
static inline uint64_t drv_ste_pa(struct drv *d, uint32_t sid)
{
	uint64_t l1;

	if (!d->split)
		return d->strtab + 64ULL * sid;
	ims_mem_read64(d->mem, d->strtab + 8ULL * (sid >> d->split), &l1);
	return (l1 & L1STD_L2PTR) + 64ULL * (sid & ((1u << d->split) - 1));
}

__attribute__((unused)) static void drv_write_ste(struct drv *d, uint32_t sid,
						  const uint64_t ste[8])
{
	uint64_t pa = drv_ste_pa(d, sid);

	for (int i = 0; i < 8; i++)
		ims_mem_write64(d->mem, pa + 8ULL * i, ste[i]);
}

/* An S1 STE: CD table at @cdtab with @cdmax SSID bits and format @fmt. */
__attribute__((unused)) static void drv_ste_s1(struct drv *d, uint32_t sid, uint64_t cdtab,
					       unsigned int cdmax, unsigned int fmt,
					       unsigned int s1dss)
{
	uint64_t ste[8] = { 0 };

	ste[0] = STE_0_V | FIELD_PREP(STE_0_CFG, STE_CFG_S1) | FIELD_PREP(STE_0_S1FMT, fmt) |
		 (cdtab & STE_0_S1CTXPTR) | FIELD_PREP(STE_0_S1CDMAX, cdmax);
	ste[1] = FIELD_PREP(STE_1_S1DSS, s1dss);
	drv_write_ste(d, sid, ste);
}

/* Stage-2 fields of an STE: VTCR as Linux builds it. */
struct drv_s2 {
	uint16_t vmid;
	unsigned int tg; /* S2TG encoding: 0 4K, 1 64K, 2 16K */
	unsigned int t0sz, sl0, ps;
	uint64_t ttb;
	bool affd, record;
};

__attribute__((unused)) static void drv_ste_s2_words(uint64_t ste[8], const struct drv_s2 *s2)
{
	ste[2] = FIELD_PREP(STE_2_S2VMID, s2->vmid) | FIELD_PREP(STE_2_S2T0SZ, s2->t0sz) |
		 FIELD_PREP(STE_2_S2SL0, s2->sl0) | FIELD_PREP(STE_2_S2TG, s2->tg) |
		 FIELD_PREP(STE_2_S2PS, s2->ps) | STE_2_S2AA64 | (s2->affd ? STE_2_S2AFFD : 0) |
		 (s2->record ? STE_2_S2R : 0);
	ste[3] = s2->ttb & STE_3_S2TTB;
}

/* A CD as arm_smmu_make_s1_cd() builds it (EPD1, R, A, AA64, V). */
struct drv_cd {
	uint16_t asid;
	unsigned int tg0; /* TG0 encoding: 0 4K, 1 64K, 2 16K */
	unsigned int t0sz, ips;
	uint64_t ttb0;
	bool record; /* CD.R */
	bool epd0;
	bool ttb1_on; /* enable TTB1 with @tg1/@t1sz/@ttb1 */
	unsigned int tg1, t1sz;
	uint64_t ttb1;
	unsigned int tbi;
	bool affd;
};

__attribute__((unused)) static void drv_write_cd(struct drv *d, uint64_t pa, const struct drv_cd *c)
{
	uint64_t cd[8] = { 0 };

	cd[0] = FIELD_PREP(CD_0_T0SZ, c->t0sz) | FIELD_PREP(CD_0_TG0, c->tg0) |
		(c->epd0 ? CD_0_EPD0 : 0) | CD_0_V | FIELD_PREP(CD_0_IPS, c->ips) | CD_0_AA64 |
		(c->record ? CD_0_R : 0) | CD_0_A | FIELD_PREP(CD_0_ASID, c->asid) |
		FIELD_PREP(CD_0_TBI, c->tbi) | (c->affd ? CD_0_AFFD : 0);
	if (c->ttb1_on)
		cd[0] |= FIELD_PREP(CD_0_T1SZ, c->t1sz) | FIELD_PREP(CD_0_TG1, c->tg1);
	else
		cd[0] |= CD_0_EPD1;
	cd[1] = c->ttb0 & CD_1_TTB0;
	cd[2] = c->ttb1 & CD_2_TTB1;
	cd[3] = 0x0000000000ff04ffULL; /* MAIR */
	for (int i = 0; i < 8; i++)
		ims_mem_write64(d->mem, pa + 8ULL * i, cd[i]);
}

/* ---------------------------------------------------------------------- */
/* Page tables (VMSAv8-64 descriptors, DDI 0487 D8.3), written by the "driver". */

struct drv_pt {
	uint64_t root;
	unsigned int gshift, start_level, ias;
	bool stage2;
};

#define PTE_VALID BIT_ULL(0)
#define PTE_TABLE BIT_ULL(1) /* table (levels 0-2) or page (level 3) */
#define PTE_AP1 BIT_ULL(6)   /* S1: EL0 access; S2: S2AP read */
#define PTE_AP2 BIT_ULL(7)   /* S1: read-only; S2: S2AP write */
#define PTE_AF BIT_ULL(10)
#define PTE_NG BIT_ULL(11)
#define PTE_PXN BIT_ULL(53)
#define PTE_UXN BIT_ULL(54)
/* Prot flags for drv_map() */
#define DRV_R 0x1u
#define DRV_W 0x2u
#define DRV_PRIV 0x4u /* stage 1: privileged only (AP[1] = 0) */
#define DRV_XN 0x8u
#define DRV_NOAF 0x10u
#define DRV_GLOBAL 0x20u

__attribute__((unused)) static void drv_pt_init(struct drv *d, struct drv_pt *pt,
						unsigned int gshift, unsigned int ias,
						int start_level, unsigned int concat, bool stage2)
{
	pt->gshift = gshift;
	pt->ias = ias;
	pt->stage2 = stage2;
	pt->start_level = (unsigned int)start_level;
	pt->root = drv_alloc(d, (1ULL << gshift) * concat, (1ULL << gshift) * concat);
}

static inline unsigned int drv_lvl_shift(const struct drv_pt *pt, unsigned int lvl)
{
	return pt->gshift + (3 - lvl) * (pt->gshift - 3);
}

/* Map @iova -> @pa with a leaf at @leaf_level (3 = page, 1/2 = block). */
__attribute__((unused)) static void drv_map(struct drv *d, struct drv_pt *pt, uint64_t iova,
					    uint64_t pa, unsigned int leaf_level, unsigned int prot)
{
	uint64_t table = pt->root, desc;
	uint64_t oa_mask = GENMASK_ULL(47, pt->gshift);

	for (unsigned int lvl = pt->start_level; lvl <= 3; lvl++) {
		unsigned int sh = drv_lvl_shift(pt, lvl);
		uint64_t idx = (iova & DMA_BIT_MASK(pt->ias)) >> sh;
		uint64_t dpa;

		if (lvl != pt->start_level)
			idx &= (1ULL << (pt->gshift - 3)) - 1;
		dpa = table + idx * 8;
		if (lvl == leaf_level) {
			desc = PTE_VALID | (lvl == 3 ? PTE_TABLE : 0) | (pa & oa_mask) |
			       ((prot & DRV_NOAF) ? 0 : PTE_AF);
			if (pt->stage2) {
				desc |= ((prot & DRV_R) ? PTE_AP1 : 0) |
					((prot & DRV_W) ? PTE_AP2 : 0) |
					((prot & DRV_XN) ? (2ULL << 53) : 0);
			} else {
				desc |= ((prot & DRV_W) ? 0 : PTE_AP2) |
					((prot & DRV_PRIV) ? 0 : PTE_AP1) |
					((prot & DRV_GLOBAL) ? 0 : PTE_NG) |
					((prot & DRV_XN) ? (PTE_PXN | PTE_UXN) : 0);
			}
			ims_mem_write64(d->mem, dpa, desc);
			return;
		}
		ims_mem_read64(d->mem, dpa, &desc);
		if (!(desc & PTE_VALID)) {
			uint64_t nt = drv_alloc(d, 1ULL << pt->gshift, 1ULL << pt->gshift);

			desc = nt | PTE_VALID | PTE_TABLE;
			ims_mem_write64(d->mem, dpa, desc);
		}
		table = desc & oa_mask;
	}
}

/* The PA of the leaf descriptor of @iova at @level (for tests that edit it). */
__attribute__((unused)) static uint64_t drv_pte_pa(struct drv *d, struct drv_pt *pt, uint64_t iova,
						   unsigned int level)
{
	uint64_t table = pt->root, desc = 0;

	for (unsigned int lvl = pt->start_level; lvl <= 3; lvl++) {
		uint64_t idx = (iova & DMA_BIT_MASK(pt->ias)) >> drv_lvl_shift(pt, lvl);

		if (lvl != pt->start_level)
			idx &= (1ULL << (pt->gshift - 3)) - 1;
		if (lvl == level)
			return table + idx * 8;
		ims_mem_read64(d->mem, table + idx * 8, &desc);
		table = desc & GENMASK_ULL(47, pt->gshift);
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Commands and events */

/* Queue a command; with @kick, write CMDQ_PROD. */
__attribute__((unused)) static void drv_cmd_q(struct drv *d, uint64_t c0, uint64_t c1, bool kick)
{
	uint32_t idx = d->cmd_prod & ((1u << d->cmdq_log2) - 1);

	ims_mem_write64(d->mem, d->cmdq + (uint64_t)idx * CMDQ_ENT_SIZE, c0);
	ims_mem_write64(d->mem, d->cmdq + (uint64_t)idx * CMDQ_ENT_SIZE + 8, c1);
	d->cmd_prod = (d->cmd_prod + 1) & ((2u << d->cmdq_log2) - 1);
	if (kick)
		wr32(d, SMMU_CMDQ_PROD, d->cmd_prod);
}

__attribute__((unused)) static void drv_cmd(struct drv *d, uint64_t c0, uint64_t c1)
{
	drv_cmd_q(d, c0, c1, true);
}

/* CMD_SYNC (SEV); return whether CONS caught up with PROD (the sync completed). */
__attribute__((unused)) static bool drv_sync(struct drv *d)
{
	drv_cmd(d, FIELD_PREP(CMD_0_OP, CMDQ_OP_CMD_SYNC) | FIELD_PREP(CMD_0_CS, CMD_SYNC_CS_SEV),
		0);
	return (rd32(d, SMMU_CMDQ_CONS) & Q_IDX_WRAP_MASK) == d->cmd_prod;
}

__attribute__((unused)) static void drv_cfgi_ste(struct drv *d, uint32_t sid)
{
	drv_cmd(d, FIELD_PREP(CMD_0_OP, CMDQ_OP_CFGI_STE) | FIELD_PREP(CMD_0_SID, sid), CMD_1_LEAF);
}

__attribute__((unused)) static void drv_cfgi_cd(struct drv *d, uint32_t sid, uint32_t ssid)
{
	drv_cmd(d,
		FIELD_PREP(CMD_0_OP, CMDQ_OP_CFGI_CD) | FIELD_PREP(CMD_0_SID, sid) |
			FIELD_PREP(CMD_0_SSID, ssid),
		CMD_1_LEAF);
}

/* Pop one event record; false when the queue is empty. */
__attribute__((unused)) static bool drv_evt_pop(struct drv *d, uint64_t rec[4])
{
	uint32_t prod = rd32(d, SMMU_EVENTQ_PROD_P1), cons = rd32(d, SMMU_EVENTQ_CONS_P1);
	uint32_t mask = (2u << d->evtq_log2) - 1;
	uint32_t idx = cons & ((1u << d->evtq_log2) - 1);

	if (((prod ^ cons) & mask) == 0)
		return false;
	for (int i = 0; i < 4; i++)
		ims_mem_read64(d->mem, d->evtq + (uint64_t)idx * EVTQ_ENT_SIZE + 8ULL * i, &rec[i]);
	wr32(d, SMMU_EVENTQ_CONS_P1, (cons & Q_OVF) | ((cons + 1) & mask));
	return true;
}

/* Drain the event queue; return the number of records. */
__attribute__((unused)) static unsigned int drv_evt_drain(struct drv *d)
{
	uint64_t rec[4];
	unsigned int n = 0;

	while (n < 1024 && drv_evt_pop(d, rec))
		n++;
	return n;
}

/* Translate one transaction. */
__attribute__((unused)) static struct ims_txn_result
drv_txn(struct drv *d, uint32_t sid, bool ssv, uint32_t ssid, uint64_t addr, unsigned int access)
{
	struct ims_txn txn = {
		.sid = sid, .ssid = ssid, .ssv = ssv, .addr = addr, .size = 4, .access = access
	};
	struct ims_txn_result res;

	memset(&res, 0, sizeof(res));
	if (ims_smmuv3_translate(d->smmu, &txn, &res))
		diag("translate returned an error");
	return res;
}

/* A command's opcode field. */
__attribute__((unused)) static uint64_t drv_op(unsigned int o)
{
	return FIELD_PREP(CMD_0_OP, o);
}

/* A stage-1 stream: 4K tables for a 48-bit VA, one CD (ASID @asid), its STE. */
struct drv_s1 {
	struct drv_pt pt;
	uint64_t cd;
	struct drv_cd c;
};

__attribute__((unused)) static void drv_s1_stream(struct drv *d, struct drv_s1 *s, uint32_t sid,
						  uint16_t asid)
{
	drv_pt_init(d, &s->pt, 12, 48, 0, 1, false);
	memset(&s->c, 0, sizeof(s->c));
	s->c.asid = asid;
	s->c.t0sz = 16;
	s->c.ips = 5;
	s->c.ttb0 = s->pt.root;
	s->c.record = true;
	s->cd = drv_alloc(d, 64, 64);
	drv_write_cd(d, s->cd, &s->c);
	drv_ste_s1(d, sid, s->cd, 0, 0, 0);
}

#endif
