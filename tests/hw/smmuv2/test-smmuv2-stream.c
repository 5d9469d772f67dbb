/* SPDX-License-Identifier: MIT */
/*
 * MMU-500 model: stream matching (IHI 0062 §2.4), unidentified streams,
 * stream match conflicts, CLIENTPD and the S2CR types, with the global fault
 * registers as the Linux global fault handler reads them.
 */
#include "smmuv2-test.h"

#define R IMS_VMSA_READ
#define W IMS_VMSA_WRITE

static void test_clientpd(void)
{
	struct tsmmu *t = t_new(NULL);
	struct ims_txn_result res;

	t_probe(t);
	/* Out of reset CLIENTPD = 1: everything bypasses, even unmatched streams. */
	is_int(t_txn(t, 0x42, 0x1234000, R, &res), IMS_TXN_BYPASS, "CLIENTPD: bypass");
	is_hex(res.pa, 0x1234000, "CLIENTPD: pa == addr");
	is_hex(gr0_rd(t, SMMU_GR0_sGFSR), 0, "CLIENTPD: no global fault");
	t_reset(t, true);
	is_int(t_txn(t, 0x42, 0x1234000, R, &res), IMS_TXN_FAULT,
	       "enabled with USFCFG=1: the unmatched stream faults");
	gr0_wr(t, SMMU_GR0_sGFSR, gr0_rd(t, SMMU_GR0_sGFSR));
	gr0_wr(t, SMMU_GR0_sCR0, gr0_rd(t, SMMU_GR0_sCR0) | sCR0_CLIENTPD);
	is_int(t_txn(t, 0x42, 0x1234000, R, &res), IMS_TXN_BYPASS, "CLIENTPD set again: bypass");
	t_free(t);
}

static void test_usf(void)
{
	struct tsmmu *t = t_new(NULL);
	struct ims_txn_result res;
	struct ims_smmuv2_stats st;

	t_reset(t, true); /* disable_bypass: USFCFG = 1 */
	is_int(t_txn(t, 0x201, 0xdead000, W | IMS_VMSA_PRIV, &res), IMS_TXN_FAULT,
	       "USF: terminated with an abort (GFRE)");
	is_hex(res.fault.fsr, sGFSR_USF, "USF: result names sGFSR.USF");
	is_int(res.fault.cbndx, -1, "USF: a global fault");
	is_hex(gr0_rd(t, SMMU_GR0_sGFSR), sGFSR_USF, "USF: sGFSR.USF");
	/* Linux: "Blocked unknown Stream ID 0x%hx" from sGFSYNR1. */
	is_hex(gr0_rd(t, SMMU_GR0_sGFSYNR1), 0x201, "USF: sGFSYNR1 holds the StreamID");
	is_hex(gr0_rd(t, SMMU_GR0_sGFSYNR0), sGFSYNR0_WNR | sGFSYNR0_PNU,
	       "USF: sGFSYNR0 WNR and PNU");
	is_hex(rd64(t, SMMU_GR0_sGFAR), 0xdead000, "USF: sGFAR holds the address");
	is_int(t->girqs, 1, "USF: global interrupt raised (GFIE)");

	/* A second fault while sGFSR is set: MULTI, syndrome kept. */
	t_txn(t, 0x305, 0xbeef000, R, &res);
	is_hex(gr0_rd(t, SMMU_GR0_sGFSR), sGFSR_USF | sGFSR_MULTI, "second USF: MULTI");
	is_hex(gr0_rd(t, SMMU_GR0_sGFSYNR1), 0x201, "second USF: first syndrome kept");
	gr0_wr(t, SMMU_GR0_sGFSR, gr0_rd(t, SMMU_GR0_sGFSR));
	is_hex(gr0_rd(t, SMMU_GR0_sGFSR), 0, "sGFSR cleared by writing it back");

	/* GFRE = 0: terminated without an abort response; GFIE = 0: no interrupt. */
	gr0_wr(t, SMMU_GR0_sCR0, gr0_rd(t, SMMU_GR0_sCR0) & ~(sCR0_GFRE | sCR0_GFIE));
	is_int(t_txn(t, 0x7, 0x1000, R, &res), IMS_TXN_ABORT, "GFRE=0: RAZ/WI termination");
	is_hex(gr0_rd(t, SMMU_GR0_sGFSR), sGFSR_USF, "GFRE=0: still recorded");
	is_int(t->girqs, 2, "GFIE=0: no new interrupt");
	gr0_wr(t, SMMU_GR0_sGFSR, sGFSR_FAULTS);

	/* USFCFG = 0: unmatched streams bypass. */
	gr0_wr(t, SMMU_GR0_sCR0, gr0_rd(t, SMMU_GR0_sCR0) & ~sCR0_USFCFG);
	is_int(t_txn(t, 0x201, 0xdead000, R, &res), IMS_TXN_BYPASS, "USFCFG=0: bypass");
	is_hex(res.pa, 0xdead000, "USFCFG=0: pa == addr");
	is_hex(gr0_rd(t, SMMU_GR0_sGFSR), 0, "USFCFG=0: nothing recorded");
	ims_smmuv2_get_stats(t->smmu, &st);
	is_int(st.global_faults, 3, "stats: three global faults");
	t_free(t);
}

static void test_matching(void)
{
	struct tsmmu *t = t_new(NULL);
	struct ims_txn_result res;

	t_reset(t, true);
	/* Stream 0x400 with mask 0x7f (DT stream-match-mask): 0x400..0x47f match. */
	t_sme(t, 3, 0x400, 0x7f, S2CR_TYPE_BYPASS, 0);
	is_int(t_txn(t, 0x400, 0x5000, R, &res), IMS_TXN_BYPASS, "SID 0x400 matches SMR3");
	is_int(t_txn(t, 0x47f, 0x5000, R, &res), IMS_TXN_BYPASS, "SID 0x47f matches under mask");
	is_int(t_txn(t, 0x43c, 0x5000, R, &res), IMS_TXN_BYPASS, "SID 0x43c matches under mask");
	is_int(t_txn(t, 0x480, 0x5000, R, &res), IMS_TXN_FAULT, "SID 0x480 outside the mask");
	is_hex(gr0_rd(t, SMMU_GR0_sGFSYNR1), 0x480, "SID 0x480 reported as USF");
	gr0_wr(t, SMMU_GR0_sGFSR, sGFSR_FAULTS);
	/* SID bits above NUMSIDB never match. */
	is_int(t_txn(t, 0x8400, 0x5000, R, &res), IMS_TXN_FAULT,
	       "SID 0x8400 (bit 15 beyond NUMSIDB) does not match");
	gr0_wr(t, SMMU_GR0_sGFSR, sGFSR_FAULTS);
	/* Invalidating the SMR unmatches. */
	gr0_wr(t, SMMU_GR0_SMR(3), FIELD_PREP(SMR_ID, 0x400) | FIELD_PREP(SMR_MASK, 0x7f));
	is_int(t_txn(t, 0x400, 0x5000, R, &res), IMS_TXN_FAULT, "invalid SMR no longer matches");
	gr0_wr(t, SMMU_GR0_sGFSR, sGFSR_FAULTS);
	/* A mask-0 exact match alongside. */
	t_sme(t, 10, 0x12, 0, S2CR_TYPE_BYPASS, 0);
	is_int(t_txn(t, 0x12, 0x5000, R, &res), IMS_TXN_BYPASS, "exact match");
	is_int(t_txn(t, 0x13, 0x5000, R, &res), IMS_TXN_FAULT, "neighbour does not match");
	t_free(t);
}

static void test_conflict(void)
{
	struct tsmmu *t = t_new(NULL);
	struct ims_txn_result res;
	struct ims_smmuv2_stats st;

	t_reset(t, true);
	ok(gr0_rd(t, SMMU_GR0_sCR0) & sCR0_SMCFCFG, "Linux keeps the reset SMCFCFG = 1");
	/* Two valid SMRs matching 0x410: {0x400, 0x7f} and {0x410, 0xf}. */
	t_sme(t, 0, 0x400, 0x7f, S2CR_TYPE_BYPASS, 0);
	t_sme(t, 1, 0x410, 0x0f, S2CR_TYPE_BYPASS, 0);
	is_int(t_txn(t, 0x410, 0x9000, R | IMS_VMSA_EXEC, &res), IMS_TXN_FAULT,
	       "conflict: the transaction faults");
	is_hex(res.fault.fsr, sGFSR_SMCF, "conflict: result names SMCF");
	is_hex(gr0_rd(t, SMMU_GR0_sGFSR), sGFSR_SMCF, "conflict: sGFSR.SMCF");
	is_hex(gr0_rd(t, SMMU_GR0_sGFSYNR1), 0x410, "conflict: sGFSYNR1 = SID");
	is_hex(gr0_rd(t, SMMU_GR0_sGFSYNR0), sGFSYNR0_IND, "conflict: sGFSYNR0.IND");
	is_int(t->girqs, 1, "conflict: global interrupt");
	gr0_wr(t, SMMU_GR0_sGFSR, sGFSR_FAULTS);
	/* Only one of them matches 0x401: no conflict. */
	is_int(t_txn(t, 0x401, 0x9000, R, &res), IMS_TXN_BYPASS, "single match: no conflict");
	is_hex(gr0_rd(t, SMMU_GR0_sGFSR), 0, "single match: nothing recorded");

	/* SMCFCFG = 0: CONSTRAINED UNPREDICTABLE; the model takes the lowest group. */
	gr0_wr(t, SMMU_GR0_S2CR(1), FIELD_PREP(S2CR_TYPE, S2CR_TYPE_FAULT));
	gr0_wr(t, SMMU_GR0_sCR0, gr0_rd(t, SMMU_GR0_sCR0) & ~sCR0_SMCFCFG);
	is_int(t_txn(t, 0x410, 0x9000, R, &res), IMS_TXN_BYPASS,
	       "SMCFCFG=0: lowest-numbered group (bypass) wins");
	is_hex(gr0_rd(t, SMMU_GR0_sGFSR), 0, "SMCFCFG=0: nothing recorded");
	ims_smmuv2_get_stats(t->smmu, &st);
	is_int(st.smc_unreported, 1, "SMCFCFG=0: counted in stats");
	t_free(t);
}

static void test_s2cr_types(void)
{
	struct tsmmu *t = t_new(NULL);
	struct ims_txn_result res;

	t_reset(t, false);
	t_sme(t, 0, 0x10, 0, S2CR_TYPE_FAULT, 0);
	is_int(t_txn(t, 0x10, 0x2000, R, &res), IMS_TXN_FAULT, "S2CR fault: terminated");
	is_hex(gr0_rd(t, SMMU_GR0_sGFSR), sGFSR_ICF, "S2CR fault: sGFSR.ICF");
	is_hex(gr0_rd(t, SMMU_GR0_sGFSYNR1), 0x10, "S2CR fault: SID in sGFSYNR1");
	gr0_wr(t, SMMU_GR0_sGFSR, sGFSR_FAULTS);
	t_sme(t, 1, 0x11, 0, S2CR_TYPE_BYPASS, 0);
	is_int(t_txn(t, 0x11, 0x2000, R, &res), IMS_TXN_BYPASS, "S2CR bypass");
	is_hex(res.pa, 0x2000, "S2CR bypass: pa == addr");
	/* A translating S2CR naming a bank beyond NUMCB: UCBF. */
	t_sme(t, 2, 0x12, 0, S2CR_TYPE_TRANS, 40);
	is_int(t_txn(t, 0x12, 0x2000, R, &res), IMS_TXN_FAULT, "CBNDX 40 >= NUMCB faults");
	is_hex(gr0_rd(t, SMMU_GR0_sGFSR), sGFSR_UCBF, "CBNDX 40: sGFSR.UCBF");
	gr0_wr(t, SMMU_GR0_sGFSR, sGFSR_FAULTS);
	/* The reserved TYPE 3 behaves as fault. */
	gr0_wr(t, SMMU_GR0_S2CR(1), FIELD_PREP(S2CR_TYPE, 3));
	is_int(t_txn(t, 0x11, 0x2000, R, &res), IMS_TXN_FAULT, "S2CR TYPE 3: fault");
	is_hex(gr0_rd(t, SMMU_GR0_sGFSR), sGFSR_ICF, "S2CR TYPE 3: ICF");
	/* A translating S2CR to a bank with SCTLR.M = 0: passes through. */
	t_sme(t, 4, 0x14, 0, S2CR_TYPE_TRANS, 5);
	gr1_wr(t, SMMU_GR1_CBAR(5), FIELD_PREP(CBAR_TYPE, CBAR_TYPE_S1_TRANS_S2_BYPASS));
	is_int(t_txn(t, 0x14, 0x3000, R, &res), IMS_TXN_BYPASS, "bank with M=0: bypass");
	t_free(t);
}

int main(void)
{
	test_clientpd();
	test_usf();
	test_matching();
	test_conflict();
	test_s2cr_types();
	return tap_done();
}
