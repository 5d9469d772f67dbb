/* SPDX-License-Identifier: MIT */
/*
 * MMU-500 model: translation through stage-1, stage-2 and nested context
 * banks with each granule, programmed as the Linux arm-smmu driver does.
 */
#include "smmuv2-test.h"

#define R IMS_VMSA_READ
#define W IMS_VMSA_WRITE

static void test_s1_granule(unsigned int gs, unsigned int ias)
{
	struct tsmmu *t = t_new(NULL);
	struct tpgtable pt;
	struct ims_txn_result res;
	uint64_t iova = 0x40000000ULL + (5ULL << gs), pa = T_RAM_BASE + (0x300ULL << gs);
	uint64_t block = 1ULL << (gs + (gs - 3)); /* a level-2 block */
	uint64_t biova = 8 * block, bpa = T_RAM_BASE + 2 * block;

	t_reset(t, true);
	t_pgtable(t, &pt, gs, ias, false);
	t_map(t, &pt, iova, pa, 3, S1_RW);
	t_map(t, &pt, biova, bpa, 2, S1_RW);
	t_s1_bank(t, 3, &pt, 3);
	t_sme(t, 0, 0x21, 0, S2CR_TYPE_TRANS, 3);

	is_int(t_txn(t, 0x21, iova + 0x18, R, &res), IMS_TXN_OK, "S1 %uK/%u-bit: page translates",
	       1u << (gs - 10), ias);
	is_hex(res.pa, pa + 0x18, "S1 %uK: page output address", 1u << (gs - 10));
	is_int(t_txn(t, 0x21, biova + 0x1230, W, &res), IMS_TXN_OK, "S1 %uK: block translates",
	       1u << (gs - 10));
	is_hex(res.pa, bpa + 0x1230, "S1 %uK: block output address", 1u << (gs - 10));
	is_int(t_txn(t, 0x21, iova + (1ULL << gs), R, &res), IMS_TXN_FAULT,
	       "S1 %uK: the next page is unmapped", 1u << (gs - 10));
	is_hex(cb_rd(t, 3, SMMU_CB_FSR) & FSR_TF, FSR_TF, "S1 %uK: FSR.TF", 1u << (gs - 10));
	cb_wr(t, 3, SMMU_CB_FSR, FSR_FAULT);
	t_free(t);
}

static void test_s1_data_path(void)
{
	struct tsmmu *t = t_new(NULL);
	struct tpgtable pt;
	struct ims_txn tmpl = { .sid = 0x21, .access = W };
	struct ims_txn_result res;
	char out[64] = "hello through the MMU-500", in[64] = { 0 };
	uint64_t iova = 0x10000ff0ULL; /* crosses a page: two chunks */

	t_reset(t, true);
	t_pgtable(t, &pt, 12, 39, false);
	t_map(t, &pt, 0x10000000ULL, T_RAM_BASE + 0x700000, 3, S1_RW);
	t_map(t, &pt, 0x10001000ULL, T_RAM_BASE + 0x900000, 3, S1_RW);
	t_s1_bank(t, 0, &pt, 1);
	t_sme(t, 0, 0x21, 0, S2CR_TYPE_TRANS, 0);
	is_int(ims_smmu_dma(t->tr, t->mem, &tmpl, iova, out, sizeof(out), &res), 0,
	       "DMA write across two pages");
	ims_mem_read(t->mem, T_RAM_BASE + 0x700ff0, in, 16);
	ims_mem_read(t->mem, T_RAM_BASE + 0x900000, in + 16, 48);
	ok(!memcmp(in, out, sizeof(out)), "the bytes landed at both translated pages");
	tmpl.access = R;
	is_int(ims_smmu_dma(t->tr, t->mem, &tmpl, 0x10002000ULL, in, 8, &res), -EFAULT,
	       "DMA to an unmapped page fails");
	is_int(res.status, IMS_TXN_FAULT, "and reports a fault");
	is_int(res.fault.cbndx, 0, "in context bank 0");
	t_free(t);
}

static void test_ttbr1(void)
{
	struct tsmmu *t = t_new(NULL);
	struct tpgtable pt0, pt1;
	struct ims_txn_result res;
	uint32_t tcr;

	t_reset(t, true);
	t_pgtable(t, &pt0, 12, 39, false);
	t_pgtable(t, &pt1, 12, 39, false);
	t_map(t, &pt0, 0x1000, T_RAM_BASE + 0x11000, 3, S1_RW);
	t_map(t, &pt1, 0xffffff8000002000ULL, T_RAM_BASE + 0x22000, 3, S1_RW);
	t_s1_bank(t, 1, &pt0, 9);
	tcr = cb_rd(t, 1, SMMU_CB_TCR);
	tcr &= ~TCR_EPD1;
	tcr |= FIELD_PREP(TCR_T1SZ, 25) | FIELD_PREP(TCR_TG1, TCR_TG1_4K);
	cb_wr(t, 1, SMMU_CB_TCR, tcr);
	cb_wrq(t, 1, SMMU_CB_TTBR1, pt1.root | FIELD_PREP(TTBR_ASID, 9));
	t_sme(t, 0, 0x5, 0, S2CR_TYPE_TRANS, 1);
	is_int(t_txn(t, 5, 0x1008, R, &res), IMS_TXN_OK, "TTBR0 region translates");
	is_hex(res.pa, T_RAM_BASE + 0x11008, "TTBR0 output");
	is_int(t_txn(t, 5, 0xffffff8000002010ULL, R, &res), IMS_TXN_OK, "TTBR1 region translates");
	is_hex(res.pa, T_RAM_BASE + 0x22010, "TTBR1 output");
	is_int(t_txn(t, 5, 0x0000800000000000ULL, R, &res), IMS_TXN_FAULT,
	       "an address in neither region faults");
	is_hex(cb_rd(t, 1, SMMU_CB_FSR) & FSR_TF, FSR_TF, "hole: FSR.TF");
	is_hex(cb_rdq(t, 1, SMMU_CB_FAR), 0x0000800000000000ULL, "hole: FAR");
	cb_wr(t, 1, SMMU_CB_FSR, FSR_FAULT);
	tcr |= TCR_EPD1;
	cb_wr(t, 1, SMMU_CB_TCR, tcr);
	is_int(t_txn(t, 5, 0xffffff8000003010ULL, R, &res), IMS_TXN_FAULT,
	       "EPD1: TTBR1 walks fault");
	t_free(t);
}

static void test_s2(unsigned int gs, unsigned int ias)
{
	struct tsmmu *t = t_new(NULL);
	struct tpgtable pt;
	struct ims_txn_result res;
	uint64_t ipa = 0x8000000ULL + (7ULL << gs), pa = T_RAM_BASE + (0x123ULL << gs);

	t_reset(t, true);
	t_pgtable(t, &pt, gs, ias, true);
	t_map(t, &pt, ipa, pa, 3, S2_RW);
	t_s2_bank(t, 0, &pt, 1);
	t_sme(t, 0, 0x30, 0, S2CR_TYPE_TRANS, 0);
	is_int(t_txn(t, 0x30, ipa + 0x40, W, &res), IMS_TXN_OK,
	       "S2 %uK/%u-bit (SL0 %u, %u concatenated): translates", 1u << (gs - 10), ias,
	       t_sl0(&pt), pt.concat);
	is_hex(res.pa, pa + 0x40, "S2 %uK: output", 1u << (gs - 10));
	is_int(t_txn(t, 0x30, ipa + (1ULL << gs), R, &res), IMS_TXN_FAULT,
	       "S2 %uK: unmapped faults", 1u << (gs - 10));
	is_hex(cb_rd(t, 0, SMMU_CB_FSR) & FSR_TF, FSR_TF, "S2 %uK: FSR.TF", 1u << (gs - 10));
	is_hex(cb_rdq(t, 0, SMMU_CB_FAR), ipa + (1ULL << gs), "S2 %uK: FAR = IPA", 1u << (gs - 10));
	t_free(t);
}

static void test_nested(void)
{
	struct tsmmu *t = t_new(NULL);
	struct tpgtable s1, s2;
	struct ims_txn_result res;
	uint64_t iova = 0x123000, ipa = 0x40005000, pa = T_RAM_BASE + 0x654000;

	t_reset(t, true);
	t_pgtable(t, &s1, 12, 39, false);
	t_pgtable(t, &s2, 12, 40, true);
	t_map(t, &s1, iova, ipa, 3, S1_RW);
	t_map(t, &s2, ipa, pa, 3, S2_RW);
	/*
	 * The stage-1 tables are walked at their IPA through stage 2 (IHI 0062
	 * §2.5, nested): their descriptors hold RAM addresses, so stage 2 maps
	 * RAM IPA == PA with one 1 GiB block.
	 */
	t_map(t, &s2, T_RAM_BASE, T_RAM_BASE, 1, S2_RW);
	t_s2_bank(t, 1, &s2, 7);
	t_s1_bank(t, 4, &s1, 4);
	gr1_wr(t, SMMU_GR1_CBAR(4),
	       FIELD_PREP(CBAR_TYPE, CBAR_TYPE_S1_TRANS_S2_TRANS) | FIELD_PREP(CBAR_S2_CBNDX, 1));
	t_sme(t, 0, 0x44, 0, S2CR_TYPE_TRANS, 4);
	is_int(t_txn(t, 0x44, iova + 0x10, R, &res), IMS_TXN_OK, "nested translates");
	is_hex(res.pa, pa + 0x10, "nested: S1 then S2");
	/* An IPA unmapped at stage 2: recorded in the stage-2 bank with S1CBNDX. */
	t_map(t, &s1, iova + 0x1000, ipa + 0x1000, 3, S1_RW);
	is_int(t_txn(t, 0x44, iova + 0x1000, W, &res), IMS_TXN_FAULT, "nested: S2 fault");
	is_int(res.fault.cbndx, 1, "nested: reported by the stage-2 bank");
	is_hex(res.fault.ipa, ipa + 0x1000, "nested: the IPA");
	is_hex(cb_rd(t, 1, SMMU_CB_FSR) & FSR_TF, FSR_TF, "nested: S2 bank FSR.TF");
	is_hex(cb_rdq(t, 1, SMMU_CB_FAR), ipa + 0x1000, "nested: S2 bank FAR = IPA");
	is_int(FIELD_GET(FSYNR0_S1CBNDX, cb_rd(t, 1, SMMU_CB_FSYNR0)), 4,
	       "nested: FSYNR0.S1CBNDX = 4");
	ok(cb_rd(t, 1, SMMU_CB_FSYNR0) & FSYNR0_WNR, "nested: FSYNR0.WNR");
	is_hex(cb_rd(t, 4, SMMU_CB_FSR), 0, "nested: S1 bank FSR clear");
	/*
	 * Stage 2 stops mapping the stage-1 tables: the stage-1 walk of a new
	 * address faults in the stage-2 bank, FAR = the level-1 descriptor's
	 * IPA, FSYNR0.PTWF set.
	 */
	cb_wr(t, 1, SMMU_CB_FSR, cb_rd(t, 1, SMMU_CB_FSR));
	t_unmap(t, &s2, T_RAM_BASE, 1);
	is_int(t_txn(t, 0x44, iova + 0x200000, R, &res), IMS_TXN_FAULT,
	       "nested: stage 2 refuses the stage-1 table walk");
	is_int(res.fault.cbndx, 1, "nested walk fault: reported by the stage-2 bank");
	is_hex(cb_rdq(t, 1, SMMU_CB_FAR), s1.root + ((iova + 0x200000) >> 30 & 0x1ff) * 8,
	       "nested walk fault: FAR = IPA of the stage-1 descriptor");
	ok(cb_rd(t, 1, SMMU_CB_FSYNR0) & FSYNR0_PTWF, "nested walk fault: FSYNR0.PTWF");
	is_int(FIELD_GET(FSYNR0_S1CBNDX, cb_rd(t, 1, SMMU_CB_FSYNR0)), 4,
	       "nested walk fault: FSYNR0.S1CBNDX = 4");
	cb_wr(t, 1, SMMU_CB_FSR, cb_rd(t, 1, SMMU_CB_FSR));
	t_map(t, &s2, T_RAM_BASE, T_RAM_BASE, 1, S2_RW);
	/* Stage-1 disabled in the nested bank: IPA == VA, stage 2 still applies. */
	cb_wr(t, 4, SMMU_CB_SCTLR, cb_rd(t, 4, SMMU_CB_SCTLR) & ~SCTLR_M);
	is_int(t_txn(t, 0x44, ipa + 0x20, R, &res), IMS_TXN_OK, "nested, S1 off: translates");
	is_hex(res.pa, pa + 0x20, "nested, S1 off: stage 2 only");
	/* A nested bank naming a missing stage-2 bank: UCBF. */
	gr1_wr(t, SMMU_GR1_CBAR(4),
	       FIELD_PREP(CBAR_TYPE, CBAR_TYPE_S1_TRANS_S2_TRANS) | FIELD_PREP(CBAR_S2_CBNDX, 99));
	is_int(t_txn(t, 0x44, iova, R, &res), IMS_TXN_FAULT, "nested to bank 99 faults");
	is_hex(gr0_rd(t, SMMU_GR0_sGFSR), sGFSR_UCBF, "nested to bank 99: UCBF");
	t_free(t);
}

static void test_s1_s2fault_type(void)
{
	struct tsmmu *t = t_new(NULL);
	struct tpgtable pt;
	struct ims_txn_result res;

	t_reset(t, true);
	t_pgtable(t, &pt, 12, 39, false);
	t_map(t, &pt, 0x5000, T_RAM_BASE + 0x5000, 3, S1_RW);
	t_s1_bank(t, 2, &pt, 2);
	gr1_wr(t, SMMU_GR1_CBAR(2), FIELD_PREP(CBAR_TYPE, CBAR_TYPE_S1_TRANS_S2_FAULT));
	t_sme(t, 0, 0x9, 0, S2CR_TYPE_TRANS, 2);
	is_int(t_txn(t, 9, 0x5000, R, &res), IMS_TXN_FAULT, "S1 with S2 fault: faults");
	is_hex(cb_rd(t, 2, SMMU_CB_FSR) & FSR_TF, FSR_TF, "S1 with S2 fault: FSR.TF");
	t_free(t);
}

static void test_unsupported_stage(void)
{
	struct ims_smmuv2_params p;
	struct tsmmu *t;
	struct tpgtable pt;
	struct ims_txn_result res;

	ims_smmuv2_params_mmu500(&p);
	p.s2ts = p.nts = false;
	p.ptfs_16k = false;
	t = t_new(&p);
	t_reset(t, true);
	t_pgtable(t, &pt, 14, 36, false);
	t_map(t, &pt, 0x8000, T_RAM_BASE + 0x8000, 3, S1_RW);
	t_s1_bank(t, 0, &pt, 1);
	t_sme(t, 0, 0x1, 0, S2CR_TYPE_TRANS, 0);
	is_int(t_txn(t, 1, 0x8000, R, &res), IMS_TXN_FAULT, "16K granule without PTFS_16K faults");
	cb_wr(t, 0, SMMU_CB_FSR, FSR_FAULT);
	gr1_wr(t, SMMU_GR1_CBAR(0), FIELD_PREP(CBAR_TYPE, CBAR_TYPE_S2_TRANS));
	is_int(t_txn(t, 1, 0x8000, R, &res), IMS_TXN_FAULT, "S2 bank without S2TS faults");
	t_free(t);
}

/* 64 KiB register pages and 128 banks: the driver finds bank 100 at page NUMPAGE + 100. */
static void test_64k_register_pages(void)
{
	struct ims_smmuv2_params p;
	struct tsmmu *t;
	struct tpgtable pt;
	struct ims_txn_result res;

	ims_smmuv2_params_mmu500(&p);
	p.pgsize_64k = true;
	p.num_cb = 128;
	p.num_irpt = 128;
	t = t_new(&p);
	t_reset(t, true);
	is_int(t->pgshift, 16, "64K pages: pgshift 16");
	is_int(t->numpage, 128, "64K pages: NUMPAGE 128");
	t_pgtable(t, &pt, 16, 42, false);
	t_map(t, &pt, 0x30000, T_RAM_BASE + 0x50000, 3, S1_RW);
	t_s1_bank(t, 100, &pt, 100);
	t_sme(t, 7, 0x777, 0, S2CR_TYPE_TRANS, 100);
	is_int(t_txn(t, 0x777, 0x30010, R, &res), IMS_TXN_OK, "bank 100 translates");
	is_hex(res.pa, T_RAM_BASE + 0x50010, "bank 100 output");
	is_int(t_txn(t, 0x777, 0x40000, R, &res), IMS_TXN_FAULT, "bank 100 fault");
	is_int(t->cbirqs[100], 1, "bank 100's interrupt");
	is_hex(cb_rdq(t, 100, SMMU_CB_FAR), 0x40000, "bank 100 FAR");
	t_free(t);
}

int main(void)
{
	test_64k_register_pages();
	test_s1_granule(12, 48);
	test_s1_granule(12, 39);
	test_s1_granule(14, 47);
	test_s1_granule(14, 36);
	test_s1_granule(16, 48);
	test_s1_granule(16, 42);
	test_s1_data_path();
	test_ttbr1();
	test_s2(12, 40);
	test_s2(12, 48);
	test_s2(14, 40);
	test_s2(16, 42);
	test_s2(16, 48);
	test_nested();
	test_s1_s2fault_type();
	test_unsupported_stage();
	return tap_done();
}
