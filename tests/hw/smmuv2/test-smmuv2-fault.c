/* SPDX-License-Identifier: MIT */
/*
 * MMU-500 model: context faults (IHI 0062 §3.8) - FSR/FAR/FSYNR0/CBFRSYNRA
 * as arm_smmu_context_fault() reads them, CFRE/CFIE/CFCFG, stall and RESUME,
 * MULTI, and the unimplemented context interrupt fault.
 */
#include "smmuv2-test.h"

#define R IMS_VMSA_READ
#define W IMS_VMSA_WRITE
#define IOVA 0x10000000ULL
#define SID 0x21
#define CB 3

static struct tsmmu *setup(struct tpgtable *pt)
{
	struct tsmmu *t = t_new(NULL);

	t_reset(t, true);
	t_pgtable(t, pt, 12, 39, false);
	t_map(t, pt, IOVA, T_RAM_BASE + 0x100000, 3, S1_RW);
	t_s1_bank(t, CB, pt, CB);
	t_sme(t, 0, SID, 0, S2CR_TYPE_TRANS, CB);
	return t;
}

static void test_translation_fault(void)
{
	struct tpgtable pt;
	struct tsmmu *t = setup(&pt);
	struct ims_txn_result res;
	char line[256];

	is_int(t_txn(t, SID, IOVA, R, &res), IMS_TXN_OK, "mapped page translates");
	/* An unmapped IOVA next to it: the leaf table exists, level 3 fault. */
	is_int(t_txn(t, SID, IOVA + 0x5008, W, &res), IMS_TXN_FAULT, "unmapped IOVA faults");
	is_int(res.fault.cbndx, CB, "result: bank 3");
	is_hex(res.fault.fsr, FSR_TF, "result: TF");
	is_hex(cb_rd(t, CB, SMMU_CB_FSR), FSR_TF | FIELD_PREP(FSR_FORMAT, FSR_FORMAT_AARCH64),
	       "FSR = TF | FORMAT(AArch64)");
	is_hex(cb_rdq(t, CB, SMMU_CB_FAR), IOVA + 0x5008, "FAR = the IOVA");
	is_hex(cb_rd(t, CB, SMMU_CB_FSYNR0), FSYNR0_WNR | FIELD_PREP(FSYNR0_PLVL, 3),
	       "FSYNR0 = WNR | PLVL 3");
	is_hex(gr1_rd(t, SMMU_GR1_CBFRSYNRA(CB)), SID, "CBFRSYNRA = the SID");
	is_int(t->cbirqs[CB], 1, "context interrupt 3 raised (CFIE)");
	t_fault_line(t, CB, line, sizeof(line));
	is_str(line,
	       "Unhandled context fault: fsr=0x402, iova=0x10005008, fsynr=0x13, cbfrsynra=0x21, "
	       "cb=3",
	       "the line Linux prints");
	/* A second fault before the handler clears FSR: MULTI, first syndrome kept. */
	is_int(t_txn(t, SID, 0x20000000, R | IMS_VMSA_PRIV, &res), IMS_TXN_FAULT, "second fault");
	is_hex(cb_rd(t, CB, SMMU_CB_FSR) & (FSR_MULTI | FSR_TF), FSR_MULTI | FSR_TF, "FSR.MULTI");
	is_hex(cb_rdq(t, CB, SMMU_CB_FAR), IOVA + 0x5008, "MULTI: FAR of the first fault");
	/* The handler writes FSR back: everything clears. */
	cb_wr(t, CB, SMMU_CB_FSR, cb_rd(t, CB, SMMU_CB_FSR));
	is_hex(cb_rd(t, CB, SMMU_CB_FSR), 0, "FSR cleared by the handler's write-back");
	/* A missing table at level 1 (PLVL 1), privileged read. */
	is_int(t_txn(t, SID, 0x4000000000ULL - 0x1000, R | IMS_VMSA_PRIV, &res), IMS_TXN_FAULT,
	       "a hole at a higher level faults");
	is_hex(cb_rd(t, CB, SMMU_CB_FSYNR0), FSYNR0_PNU | FIELD_PREP(FSYNR0_PLVL, 1),
	       "FSYNR0 = PNU | PLVL 1");
	t_free(t);
}

static void test_fault_kinds(void)
{
	struct tpgtable pt;
	struct tsmmu *t = setup(&pt);
	struct ims_txn_result res;
	uint32_t tcr2;

	/* Access flag clear. */
	t_map(t, &pt, IOVA + 0x1000, T_RAM_BASE + 0x101000, 3, S1_RW & ~PTE_AF);
	is_int(t_txn(t, SID, IOVA + 0x1000, R, &res), IMS_TXN_FAULT, "AF = 0 faults");
	is_hex(cb_rd(t, CB, SMMU_CB_FSR) & ~FSR_FORMAT, FSR_AFF, "FSR.AFF");
	cb_wr(t, CB, SMMU_CB_FSR, FSR_FAULT);
	cb_wr(t, CB, SMMU_CB_SCTLR, cb_rd(t, CB, SMMU_CB_SCTLR) | SCTLR_AFFD);
	is_int(t_txn(t, SID, IOVA + 0x1000, R, &res), IMS_TXN_OK, "SCTLR.AFFD: AF = 0 accepted");
	cb_wr(t, CB, SMMU_CB_SCTLR, cb_rd(t, CB, SMMU_CB_SCTLR) & ~SCTLR_AFFD);

	/* Read-only page written. */
	t_map(t, &pt, IOVA + 0x2000, T_RAM_BASE + 0x102000, 3, S1_RW | PTE_AP_RDONLY);
	is_int(t_txn(t, SID, IOVA + 0x2000, R, &res), IMS_TXN_OK, "read-only page: read ok");
	is_int(t_txn(t, SID, IOVA + 0x2004, W, &res), IMS_TXN_FAULT,
	       "read-only page: write faults");
	is_hex(cb_rd(t, CB, SMMU_CB_FSR) & ~FSR_FORMAT, FSR_PF, "FSR.PF");
	is_hex(cb_rd(t, CB, SMMU_CB_FSYNR0), FSYNR0_WNR | FIELD_PREP(FSYNR0_PLVL, 3),
	       "PF: FSYNR0 WNR, level 3");
	cb_wr(t, CB, SMMU_CB_FSR, FSR_FAULT);

	/* Privileged-only page (IOMMU_PRIV) from an unprivileged master. */
	t_map(t, &pt, IOVA + 0x3000, T_RAM_BASE + 0x103000, 3, S1_RW & ~PTE_AP_UNPRIV);
	is_int(t_txn(t, SID, IOVA + 0x3000, R, &res), IMS_TXN_FAULT, "privileged page: EL0 faults");
	cb_wr(t, CB, SMMU_CB_FSR, FSR_FAULT);
	/* S2CR.PRIVCFG = privileged overrides the master's attribute. */
	gr0_wr(t, SMMU_GR0_S2CR(0),
	       gr0_rd(t, SMMU_GR0_S2CR(0)) | FIELD_PREP(S2CR_PRIVCFG, S2CR_PRIVCFG_PRIV));
	is_int(t_txn(t, SID, IOVA + 0x3000, R, &res), IMS_TXN_OK, "PRIVCFG=priv: allowed");
	gr0_wr(t, SMMU_GR0_S2CR(0), gr0_rd(t, SMMU_GR0_S2CR(0)) & ~S2CR_PRIVCFG);

	/* Execute with XN, and SCTLR.WXN. */
	t_map(t, &pt, IOVA + 0x4000, T_RAM_BASE + 0x104000, 3, S1_RW | PTE_XN | PTE_PXN);
	is_int(t_txn(t, SID, IOVA + 0x4000, R | IMS_VMSA_EXEC, &res), IMS_TXN_FAULT,
	       "XN page: instruction fetch faults");
	ok(cb_rd(t, CB, SMMU_CB_FSYNR0) & FSYNR0_IND, "FSYNR0.IND");
	cb_wr(t, CB, SMMU_CB_FSR, FSR_FAULT);
	is_int(t_txn(t, SID, IOVA + 0x10, R | IMS_VMSA_EXEC, &res), IMS_TXN_OK,
	       "writable executable page: fetch ok");
	cb_wr(t, CB, SMMU_CB_SCTLR, cb_rd(t, CB, SMMU_CB_SCTLR) | SCTLR_WXN);
	cb_wr(t, CB, SMMU_CB_TLBIALL, 0);
	is_int(t_txn(t, SID, IOVA + 0x10, R | IMS_VMSA_EXEC, &res), IMS_TXN_FAULT,
	       "SCTLR.WXN: writable page not executable");
	cb_wr(t, CB, SMMU_CB_FSR, FSR_FAULT);
	cb_wr(t, CB, SMMU_CB_SCTLR, cb_rd(t, CB, SMMU_CB_SCTLR) & ~SCTLR_WXN);

	/* Output address beyond TCR2.PASIZE (32 bits). */
	t_map(t, &pt, IOVA + 0x6000, 0x100000000ULL + 0x6000, 3, S1_RW);
	tcr2 = cb_rd(t, CB, SMMU_CB_TCR2);
	cb_wr(t, CB, SMMU_CB_TCR2, (tcr2 & ~TCR2_PASIZE) | FIELD_PREP(TCR2_PASIZE, 0));
	is_int(t_txn(t, SID, IOVA + 0x6000, R, &res), IMS_TXN_FAULT, "OA beyond PASIZE faults");
	is_hex(cb_rd(t, CB, SMMU_CB_FSR) & ~FSR_FORMAT, FSR_ASF, "FSR.ASF");
	cb_wr(t, CB, SMMU_CB_FSR, FSR_FAULT);
	cb_wr(t, CB, SMMU_CB_TCR2, tcr2);

	/* Tables outside RAM: external abort on the walk. */
	cb_wrq(t, CB, SMMU_CB_TTBR0, 0x7000000000ULL | FIELD_PREP(TTBR_ASID, 77));
	is_int(t_txn(t, SID, IOVA + 0x7000, R, &res), IMS_TXN_FAULT,
	       "walk of absent memory faults");
	is_hex(cb_rd(t, CB, SMMU_CB_FSR) & ~FSR_FORMAT, FSR_EF, "FSR.EF");
	ok(cb_rd(t, CB, SMMU_CB_FSYNR0) & FSYNR0_PTWF, "FSYNR0.PTWF");
	cb_wr(t, CB, SMMU_CB_FSR, FSR_FAULT);

	/* T0SZ out of range for the upstream bus: translation fault. */
	cb_wr(t, CB, SMMU_CB_TCR,
	      (cb_rd(t, CB, SMMU_CB_TCR) & ~TCR_T0SZ) | FIELD_PREP(TCR_T0SZ, 8));
	is_int(t_txn(t, SID, IOVA, R, &res), IMS_TXN_FAULT, "56-bit VA on a 48-bit UBS faults");
	is_hex(cb_rd(t, CB, SMMU_CB_FSR) & ~FSR_FORMAT, FSR_TF, "T0SZ 8: FSR.TF");
	t_free(t);
}

static void test_cfre_cfie(void)
{
	struct tpgtable pt;
	struct tsmmu *t = setup(&pt);
	struct ims_txn_result res;

	cb_wr(t, CB, SMMU_CB_SCTLR, cb_rd(t, CB, SMMU_CB_SCTLR) & ~(SCTLR_CFRE | SCTLR_CFIE));
	is_int(t_txn(t, SID, IOVA + 0x9000, R, &res), IMS_TXN_ABORT,
	       "CFRE=0: terminated without an abort (RAZ/WI)");
	is_hex(cb_rd(t, CB, SMMU_CB_FSR) & FSR_TF, FSR_TF, "CFRE=0: still recorded");
	is_int(t->cbirqs[CB], 0, "CFIE=0: no interrupt");
	cb_wr(t, CB, SMMU_CB_FSR, FSR_FAULT);
	/* CBAR.IRPTNDX is ignored on SMMUv2: the interrupt is the bank's own. */
	cb_wr(t, CB, SMMU_CB_SCTLR, cb_rd(t, CB, SMMU_CB_SCTLR) | SCTLR_CFIE | SCTLR_CFRE);
	gr1_wr(t, SMMU_GR1_CBAR(CB),
	       (gr1_rd(t, SMMU_GR1_CBAR(CB)) & ~CBAR_IRPTNDX) | FIELD_PREP(CBAR_IRPTNDX, 9));
	is_int(t_txn(t, SID, IOVA + 0x9000, R, &res), IMS_TXN_FAULT, "fault with IRPTNDX 9");
	is_int(t->cbirqs[CB], 1, "IRPTNDX 9: bank 3's own interrupt");
	is_int(t->cbirqs[9], 0, "IRPTNDX 9: interrupt 9 untouched");
	t_free(t);
}

/* A bank without an implemented context interrupt (n >= NUMIRPT): UCIF. */
static void test_ucif(void)
{
	struct ims_smmuv2_params p;
	struct tpgtable pt;
	struct tsmmu *t;
	struct ims_txn_result res;

	ims_smmuv2_params_mmu500(&p);
	p.num_irpt = 2;
	t = t_new(&p);
	t_reset(t, true);
	t_pgtable(t, &pt, 12, 39, false);
	t_s1_bank(t, CB, &pt, CB);
	t_sme(t, 0, SID, 0, S2CR_TYPE_TRANS, CB);
	is_int(FIELD_GET(ID0_NUMIRPT, gr0_rd(t, SMMU_GR0_ID0)), 2, "NUMIRPT = 2");
	is_int(t_txn(t, SID, IOVA, R, &res), IMS_TXN_FAULT, "fault in bank 3");
	is_hex(cb_rd(t, CB, SMMU_CB_FSR) & FSR_TF, FSR_TF, "bank 3: FSR.TF recorded");
	is_hex(gr0_rd(t, SMMU_GR0_sGFSR), sGFSR_UCIF, "bank 3 >= NUMIRPT: sGFSR.UCIF");
	is_int(t->cbirqs[CB], 0, "no context interrupt");
	is_int(t->girqs, 1, "the global interrupt instead");
	t_free(t);
}

static void test_stall(void)
{
	struct tpgtable pt;
	struct tsmmu *t = setup(&pt);
	struct ims_txn_result res;
	struct ims_smmuv2_stats st;

	cb_wr(t, CB, SMMU_CB_SCTLR, cb_rd(t, CB, SMMU_CB_SCTLR) | SCTLR_CFCFG);
	t_txn(t, SID, IOVA, R, &res); /* a TLB entry for hit-under-fault */
	is_int(t_txn(t, SID, IOVA + 0xa000, W, &res), IMS_TXN_STALL, "CFCFG=1: the fault stalls");
	is_hex(cb_rd(t, CB, SMMU_CB_FSR) & (FSR_SS | FSR_TF), FSR_SS | FSR_TF, "FSR.SS | TF");
	is_int(ims_smmuv2_cb_stalled(t->smmu, CB), 1, "bank 3 holds a stalled transaction");
	is_int(t->cbirqs[CB], 1, "stall: context interrupt");
	/* HUPCF = 0: later transactions, even hits, wait behind the stall. */
	is_int(t_txn(t, SID, IOVA, R, &res), IMS_TXN_STALL, "HUPCF=0: a hit waits too");
	cb_wr(t, CB, SMMU_CB_SCTLR, cb_rd(t, CB, SMMU_CB_SCTLR) | SCTLR_HUPCF);
	is_int(t_txn(t, SID, IOVA, R, &res), IMS_TXN_OK, "HUPCF=1: a hit proceeds");
	is_int(t_txn(t, SID, IOVA + 0xb000, R, &res), IMS_TXN_STALL, "HUPCF=1: a miss waits");
	/* Linux: write FSR back, fix the mapping, RESUME with retry. */
	cb_wr(t, CB, SMMU_CB_FSR, cb_rd(t, CB, SMMU_CB_FSR));
	is_hex(cb_rd(t, CB, SMMU_CB_FSR), FSR_SS, "SS stays until RESUME");
	t_map(t, &pt, IOVA + 0xa000, T_RAM_BASE + 0x10a000, 3, S1_RW);
	cb_wr(t, CB, SMMU_CB_RESUME, 0);
	is_int(ims_smmuv2_cb_stalled(t->smmu, CB), 0, "RESUME retry: no longer stalled");
	is_hex(cb_rd(t, CB, SMMU_CB_FSR), 0, "RESUME: SS cleared");
	is_int(t_txn(t, SID, IOVA + 0xa000, W, &res), IMS_TXN_OK,
	       "the retried transaction succeeds");
	is_hex(res.pa, T_RAM_BASE + 0x10a000, "retried: new mapping");
	/* Terminate. */
	is_int(t_txn(t, SID, IOVA + 0xc000, R, &res), IMS_TXN_STALL, "another stall");
	cb_wr(t, CB, SMMU_CB_FSR, FSR_FAULT);
	cb_wr(t, CB, SMMU_CB_RESUME, RESUME_TERMINATE);
	is_int(ims_smmuv2_cb_stalled(t->smmu, CB), 0, "RESUME terminate: released");
	cb_wr(t, CB, SMMU_CB_RESUME, RESUME_TERMINATE); /* ignored: nothing stalled */
	ims_smmuv2_get_stats(t->smmu, &st);
	is_int(st.resumes, 2, "two RESUMEs retired stalls");
	is_int(st.stalls, 4, "four transactions answered STALL");
	is_int(ims_smmuv2_cb_stalled(t->smmu, 16), -EINVAL, "bank 16 does not exist");
	t_free(t);
}

int main(void)
{
	test_translation_fault();
	test_fault_kinds();
	test_cfre_cfie();
	test_ucif();
	test_stall();
	return tap_done();
}
