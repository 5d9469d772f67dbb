/* SPDX-License-Identifier: MIT */
/* MMU-500 model: ID registers, register layout, SMR width probing, W1C registers. */
#include "smmuv2-test.h"

static void test_preset_idr(void)
{
	struct tsmmu *t = t_new(NULL);
	uint32_t id0, id1, id2, id7;

	t_probe(t);
	id0 = gr0_rd(t, SMMU_GR0_ID0);
	id1 = gr0_rd(t, SMMU_GR0_ID1);
	id2 = gr0_rd(t, SMMU_GR0_ID2);
	id7 = gr0_rd(t, SMMU_GR0_ID7);
	is_int(FIELD_GET(ID0_NUMSMRG, id0), 48, "preset: sIDR0.NUMSMRG = 48");
	is_int(FIELD_GET(ID0_NUMSIDB, id0), 15, "preset: sIDR0.NUMSIDB = 15");
	ok(id0 & ID0_SMS, "preset: stream matching (SMS)");
	ok((id0 & (ID0_S1TS | ID0_S2TS | ID0_NTS)) == (ID0_S1TS | ID0_S2TS | ID0_NTS),
	   "preset: S1TS, S2TS and NTS");
	ok(!(id0 & ID0_EXIDS), "preset: no EXIDS");
	ok(id0 & ID0_ATOSNS, "preset: ATOS not supported (ATOSNS)");
	ok(id0 & ID0_CTTW, "preset: coherent table walks");
	is_int(FIELD_GET(ID0_NUMIRPT, id0), 16, "preset: 16 context interrupts");
	is_int(FIELD_GET(ID1_NUMCB, id1), 16, "preset: sIDR1.NUMCB = 16");
	is_int(FIELD_GET(ID1_NUMS2CB, id1), 0, "preset: NUMS2CB = 0");
	ok(!(id1 & ID1_PAGESIZE), "preset: 4K register pages");
	is_int(FIELD_GET(ID1_NUMPAGENDXB, id1), 3, "preset: NUMPAGENDXB = 3 (16 pages)");
	is_hex(ims_smmuv2_reg_size(t->smmu), 0x20000, "preset: 128 KiB register space");
	is_int(FIELD_GET(ID2_IAS, id2), 5, "preset: IAS 48 bits");
	is_int(FIELD_GET(ID2_OAS, id2), 5, "preset: OAS 48 bits");
	is_int(FIELD_GET(ID2_UBS, id2), 5, "preset: UBS 48 bits");
	ok((id2 & (ID2_PTFS_4K | ID2_PTFS_16K | ID2_PTFS_64K)) ==
		   (ID2_PTFS_4K | ID2_PTFS_16K | ID2_PTFS_64K),
	   "preset: all three granules");
	ok(id2 & ID2_VMID16, "preset: 16-bit VMIDs");
	is_int(FIELD_GET(ID7_MAJOR, id7), 2, "preset: r2");
	is_int(FIELD_GET(ID7_MINOR, id7), 4, "preset: p4");
	/* Reset state: CLIENTPD set, S2CRs fault. */
	ok(gr0_rd(t, SMMU_GR0_sCR0) & sCR0_CLIENTPD, "reset: sCR0.CLIENTPD");
	is_int(FIELD_GET(S2CR_TYPE, gr0_rd(t, SMMU_GR0_S2CR(5))), S2CR_TYPE_FAULT,
	       "reset: S2CR.TYPE = fault");
	t_free(t);
}

static void test_custom_idr(void)
{
	struct ims_smmuv2_params p;
	struct tsmmu *t;
	uint32_t id0, id1, id2;

	ims_smmuv2_params_mmu500(&p);
	p.num_smrg = 128;
	p.num_cb = 128;
	p.num_s2cb = 8;
	p.num_irpt = 100;
	p.sid_bits = 10;
	p.nts = false;
	p.ias = 40;
	p.oas = 44;
	p.ubs = 42;
	p.ptfs_16k = false;
	p.pgsize_64k = true;
	p.vmid16 = false;
	t = t_new(&p);
	t_probe(t);
	id0 = gr0_rd(t, SMMU_GR0_ID0);
	id1 = gr0_rd(t, SMMU_GR0_ID1);
	id2 = gr0_rd(t, SMMU_GR0_ID2);
	is_int(FIELD_GET(ID0_NUMSMRG, id0), 128, "custom: NUMSMRG = 128");
	is_int(FIELD_GET(ID0_NUMSIDB, id0), 10, "custom: NUMSIDB = 10");
	is_int(FIELD_GET(ID0_NUMIRPT, id0), 100, "custom: NUMIRPT = 100");
	ok(!(id0 & ID0_NTS) && (id0 & ID0_S1TS), "custom: no nesting");
	is_int(FIELD_GET(ID1_NUMCB, id1), 128, "custom: NUMCB = 128");
	is_int(FIELD_GET(ID1_NUMS2CB, id1), 8, "custom: NUMS2CB = 8");
	ok(id1 & ID1_PAGESIZE, "custom: 64K register pages");
	is_int(FIELD_GET(ID1_NUMPAGENDXB, id1), 6, "custom: NUMPAGENDXB = 6 (128 pages)");
	is_hex(ims_smmuv2_reg_size(t->smmu), 2ULL * 128 * 65536, "custom: 16 MiB register space");
	is_int(FIELD_GET(ID2_IAS, id2), 2, "custom: IAS 40 bits");
	is_int(FIELD_GET(ID2_OAS, id2), 4, "custom: OAS 44 bits");
	is_int(FIELD_GET(ID2_UBS, id2), 3, "custom: UBS 42 bits");
	ok(!(id2 & ID2_PTFS_16K) && (id2 & ID2_PTFS_4K), "custom: no 16K granule");
	ok(!(id2 & ID2_VMID16), "custom: 8-bit VMIDs");

	/* Banks are at page NUMPAGE + n: writing bank 127's TCR lands there only. */
	cb_wr(t, 127, SMMU_CB_TCR, 0x1234);
	is_hex(cb_rd(t, 127, SMMU_CB_TCR), 0x1234, "custom: bank 127 TCR at page NUMPAGE+127");
	is_hex(cb_rd(t, 126, SMMU_CB_TCR), 0, "custom: bank 126 untouched");
	/* VMID16EN is RAZ/WI without sIDR2.VMID16. */
	gr0_wr(t, SMMU_GR0_sCR0, sCR0_VMID16EN | sCR0_GFRE);
	is_hex(gr0_rd(t, SMMU_GR0_sCR0), sCR0_GFRE, "custom: sCR0.VMID16EN RAZ/WI");
	/* Stage-2-only banks keep CBAR.TYPE = S2. */
	gr1_wr(t, SMMU_GR1_CBAR(3), FIELD_PREP(CBAR_TYPE, CBAR_TYPE_S1_TRANS_S2_BYPASS) | 7);
	is_hex(gr1_rd(t, SMMU_GR1_CBAR(3)), 7, "custom: bank 3 < NUMS2CB keeps TYPE S2");
	gr1_wr(t, SMMU_GR1_CBAR(8), FIELD_PREP(CBAR_TYPE, CBAR_TYPE_S1_TRANS_S2_BYPASS) | 7);
	is_hex(gr1_rd(t, SMMU_GR1_CBAR(8)), FIELD_PREP(CBAR_TYPE, CBAR_TYPE_S1_TRANS_S2_BYPASS) | 7,
	       "custom: bank 8 takes TYPE S1");
	t_free(t);
}

/* arm_smmu_test_smr_masks(): implemented SMR.ID/MASK bits read back. */
static void test_smr_width(void)
{
	struct ims_smmuv2_params p;
	struct tsmmu *t;
	uint32_t smr;

	ims_smmuv2_params_mmu500(&p);
	p.sid_bits = 12;
	t = t_new(&p);
	t_probe(t);
	gr0_wr(t, SMMU_GR0_SMR(0), FIELD_PREP(SMR_ID, 0xffff));
	smr = gr0_rd(t, SMMU_GR0_SMR(0));
	is_hex(FIELD_GET(SMR_ID, smr), 0xfff, "SMR.ID keeps NUMSIDB (12) bits");
	gr0_wr(t, SMMU_GR0_SMR(0), FIELD_PREP(SMR_MASK, 0x7fff));
	smr = gr0_rd(t, SMMU_GR0_SMR(0));
	is_hex(FIELD_GET(SMR_MASK, smr), 0xfff, "SMR.MASK keeps 12 bits");
	gr0_wr(t, SMMU_GR0_SMR(47), SMR_VALID | 0x123);
	is_hex(gr0_rd(t, SMMU_GR0_SMR(47)), SMR_VALID | 0x123, "SMR47 VALID|ID reads back");
	is_hex(gr0_rd(t, SMMU_GR0_SMR(48)), 0, "SMR48 (beyond NUMSMRG) RAZ");
	gr0_wr(t, SMMU_GR0_SMR(48), SMR_VALID | 1);
	is_hex(gr0_rd(t, SMMU_GR0_SMR(48)), 0, "SMR48 WI");
	gr0_wr(t, SMMU_GR0_S2CR(2), 0xffffffff);
	is_hex(gr0_rd(t, SMMU_GR0_S2CR(2)), GENMASK(29, 0) & ~S2CR_EXIDVALID,
	       "S2CR: EXIDVALID and [31:30] RAZ/WI");
	t_free(t);
}

static void test_w1c_and_misc(void)
{
	struct tsmmu *t = t_new(NULL);

	t_probe(t);
	gr0_wr(t, SMMU_GR0_sGFSRRESTORE, sGFSR_USF | sGFSR_SMCF);
	is_hex(gr0_rd(t, SMMU_GR0_sGFSR), sGFSR_USF | sGFSR_SMCF, "sGFSRRESTORE sets sGFSR");
	gr0_wr(t, SMMU_GR0_sGFSR, sGFSR_USF);
	is_hex(gr0_rd(t, SMMU_GR0_sGFSR), sGFSR_SMCF, "sGFSR is write-one-to-clear");
	gr0_wr(t, SMMU_GR0_sGFSR, 0);
	is_hex(gr0_rd(t, SMMU_GR0_sGFSR), sGFSR_SMCF, "writing 0 clears nothing");

	cb_wr(t, 2, SMMU_CB_FSRRESTORE, FSR_TF | FSR_PF | FIELD_PREP(FSR_FORMAT, 2));
	cb_wr(t, 2, SMMU_CB_FSR, FSR_TF);
	is_hex(cb_rd(t, 2, SMMU_CB_FSR), FSR_PF | FIELD_PREP(FSR_FORMAT, 2),
	       "CB FSR is write-one-to-clear");
	cb_wr(t, 2, SMMU_CB_FSR, FSR_FAULT);
	is_hex(cb_rd(t, 2, SMMU_CB_FSR), 0, "clearing every fault clears FSR");

	/* MMU-500 sACR bits Linux sets (arm_mmu500_reset) are accepted. */
	gr0_wr(t, SMMU_GR0_sACR, MMU500_sACR_SMTNMB_TLBEN | MMU500_sACR_S2CRB_TLBEN);
	is_hex(gr0_rd(t, SMMU_GR0_sACR), MMU500_sACR_SMTNMB_TLBEN | MMU500_sACR_S2CRB_TLBEN,
	       "sACR accepted");
	cb_wr(t, 0, SMMU_CB_ACTLR, 0x3);
	is_hex(cb_rd(t, 0, SMMU_CB_ACTLR), 0x3, "CB ACTLR accepted");
	gr0_wr(t, SMMU_GR0_sTLBGSYNC, 0);
	is_hex(gr0_rd(t, SMMU_GR0_sTLBGSTATUS) & sTLBGSTATUS_GSACTIVE, 0,
	       "sTLBGSTATUS.GSACTIVE reads 0 after sync");
	cb_wr(t, 0, SMMU_CB_TLBSYNC, 0);
	is_hex(cb_rd(t, 0, SMMU_CB_TLBSTATUS) & TLBSTATUS_SACTIVE, 0,
	       "TLBSTATUS.SACTIVE reads 0 after sync");
	/* 64-bit TTBR as one access and as two halves. */
	cb_wrq(t, 1, SMMU_CB_TTBR0, 0x0005000123456000ULL);
	is_hex(cb_rdq(t, 1, SMMU_CB_TTBR0), 0x0005000123456000ULL, "TTBR0 64-bit access");
	is_hex(cb_rd(t, 1, SMMU_CB_TTBR0 + 4), 0x00050001, "TTBR0 upper half");
	cb_wr(t, 1, SMMU_CB_TTBR0 + 4, 0x7);
	is_hex(cb_rdq(t, 1, SMMU_CB_TTBR0), 0x0000000723456000ULL, "TTBR0 written by halves");
	/* Register space bounds. */
	{
		uint64_t v;

		ok(ims_mmio_read(t->mem, T_SMMU_BASE + 0x20000, 4, &v) != 0,
		   "access past the register space is not the SMMU's");
		ok(ims_mmio_read(t->mem, T_SMMU_BASE + 0x3000, 4, &v) == 0 && v == 0,
		   "global pages 2..NUMPAGE-1 are RAZ");
	}
	t_free(t);
}

static void test_bad_params(void)
{
	struct ims_smmuv2_params p;
	struct ims_smmuv2 *s = NULL;
	struct ims_mem *mem;

	ims_mem_new(&mem, NULL);
	ims_smmuv2_params_mmu500(&p);
	p.num_smrg = 0;
	is_int(ims_smmuv2_new(&s, mem, &p, NULL), -EINVAL, "NUMSMRG 0 rejected");
	ok(strstr(ims_last_error(), "num_smrg") != NULL, "message names num_smrg");
	ims_smmuv2_params_mmu500(&p);
	p.num_cb = 129;
	is_int(ims_smmuv2_new(&s, mem, &p, NULL), -EINVAL, "NUMCB 129 rejected");
	ims_smmuv2_params_mmu500(&p);
	p.sid_bits = 16;
	is_int(ims_smmuv2_new(&s, mem, &p, NULL), -EINVAL, "16 SID bits rejected (no EXIDS)");
	ims_smmuv2_params_mmu500(&p);
	p.oas = 52;
	is_int(ims_smmuv2_new(&s, mem, &p, NULL), -EINVAL, "OAS 52 rejected");
	ims_smmuv2_params_mmu500(&p);
	p.s1ts = false;
	is_int(ims_smmuv2_new(&s, mem, &p, NULL), -EINVAL, "nesting without stage 1 rejected");
	ims_smmuv2_params_mmu500(&p);
	p.base = 0x1000;
	is_int(ims_smmuv2_new(&s, mem, &p, NULL), -EINVAL, "misaligned base rejected");
	ims_smmuv2_params_mmu500(&p);
	p.tlb_sets = 3;
	is_int(ims_smmuv2_new(&s, mem, &p, NULL), -EINVAL, "non-power-of-two TLB sets rejected");
	ok(s == NULL, "no model returned on failure");
	ims_smmuv2_params_mmu500(&p);
	is_int(ims_smmuv2_new(&s, mem, &p, NULL), 0, "preset accepted");
	{
		struct ims_smmuv2 *s2 = NULL;

		is_int(ims_smmuv2_new(&s2, mem, &p, NULL), -EINVAL,
		       "a second model over the same registers is refused");
	}
	ims_smmuv2_free(s);
	ims_mem_free(mem);
}

int main(void)
{
	test_preset_idr();
	test_custom_idr();
	test_smr_width();
	test_w1c_and_misc();
	test_bad_params();
	return tap_done();
}
