/* SPDX-License-Identifier: MIT */
/*
 * MMU-500 model TLB: entries stay until a TLBI register removes them, so a
 * driver that changes tables without TLB maintenance sees stale
 * translations - exactly as on hardware.
 */
#include <pthread.h>

#include "smmuv2-test.h"

#define R IMS_VMSA_READ
#define IOVA 0x10000000ULL
#define P1 (T_RAM_BASE + 0x100000)
#define P2 (T_RAM_BASE + 0x200000)

static uint64_t pa_of(struct tsmmu *t, uint32_t sid, uint64_t iova)
{
	struct ims_txn_result res;

	if (t_txn(t, sid, iova, R, &res) != IMS_TXN_OK)
		return 0;
	return res.pa;
}

/* Map IOVA -> P1, use it, remap to P2 behind the TLB's back. */
static struct tsmmu *stale_s1(struct tpgtable *pt, uint16_t asid)
{
	struct tsmmu *t = t_new(NULL);

	t_reset(t, true);
	t_pgtable(t, pt, 12, 39, false);
	t_map(t, pt, IOVA, P1, 3, S1_RW);
	t_s1_bank(t, 2, pt, asid);
	t_sme(t, 0, 0x21, 0, S2CR_TYPE_TRANS, 2);
	pa_of(t, 0x21, IOVA);
	t_map(t, pt, IOVA, P2, 3, S1_RW);
	return t;
}

static void test_tlbiva(void)
{
	struct tpgtable pt;
	struct tsmmu *t = stale_s1(&pt, 2);

	is_hex(pa_of(t, 0x21, IOVA), P1, "no TLBI: the stale translation is used");
	/* arm_smmu_tlb_inv_range_s1, AArch64: (iova >> 12) | asid << 48, 64-bit write. */
	cb_wrq(t, 2, SMMU_CB_TLBIVA, (IOVA >> 12) | (3ULL << 48));
	cb_wr(t, 2, SMMU_CB_TLBSYNC, 0);
	is_hex(pa_of(t, 0x21, IOVA), P1, "TLBIVA for another ASID: still stale");
	cb_wrq(t, 2, SMMU_CB_TLBIVA, ((IOVA + 0x1000) >> 12) | (2ULL << 48));
	is_hex(pa_of(t, 0x21, IOVA), P1, "TLBIVA of another page: still stale");
	cb_wrq(t, 2, SMMU_CB_TLBIVA, (IOVA >> 12) | (2ULL << 48));
	cb_wr(t, 2, SMMU_CB_TLBSYNC, 0);
	is_int(cb_rd(t, 2, SMMU_CB_TLBSTATUS) & TLBSTATUS_SACTIVE, 0, "TLBSYNC done");
	is_hex(pa_of(t, 0x21, IOVA), P2, "after TLBIVA: the new translation");
	/* Unmap: the entry survives until TLBIVAL. */
	t_unmap(t, &pt, IOVA, 3);
	is_hex(pa_of(t, 0x21, IOVA), P2, "unmapped without TLBI: still translates");
	cb_wrq(t, 2, SMMU_CB_TLBIVAL, (IOVA >> 12) | (2ULL << 48));
	is_hex(pa_of(t, 0x21, IOVA), 0, "after TLBIVAL: faults");
	t_free(t);
}

static void test_tlbiasid_all(void)
{
	struct tpgtable pt;
	struct tsmmu *t = stale_s1(&pt, 5);
	struct ims_smmuv2_stats st;

	is_hex(pa_of(t, 0x21, IOVA), P1, "stale before TLBIASID");
	cb_wr(t, 2, SMMU_CB_TLBIASID, 6);
	is_hex(pa_of(t, 0x21, IOVA), P1, "TLBIASID 6 leaves ASID 5");
	cb_wr(t, 2, SMMU_CB_TLBIASID, 5);
	is_hex(pa_of(t, 0x21, IOVA), P2, "after TLBIASID 5: new translation");
	t_map(t, &pt, IOVA, P1, 3, S1_RW);
	is_hex(pa_of(t, 0x21, IOVA), P2, "stale before TLBIALL");
	cb_wr(t, 2, SMMU_CB_TLBIALL, 0);
	is_hex(pa_of(t, 0x21, IOVA), P1, "after TLBIALL: new translation");
	t_map(t, &pt, IOVA, P2, 3, S1_RW);
	cb_wrq(t, 2, SMMU_CB_TLBIVAA, IOVA >> 12);
	is_hex(pa_of(t, 0x21, IOVA), P2, "after TLBIVAA: new translation");
	t_map(t, &pt, IOVA, P1, 3, S1_RW);
	gr0_wr(t, SMMU_GR0_TLBIALLNSNH, 0);
	gr0_wr(t, SMMU_GR0_sTLBGSYNC, 0);
	is_int(gr0_rd(t, SMMU_GR0_sTLBGSTATUS) & sTLBGSTATUS_GSACTIVE, 0, "sTLBGSYNC done");
	is_hex(pa_of(t, 0x21, IOVA), P1, "after TLBIALLNSNH: new translation");
	ims_smmuv2_get_stats(t->smmu, &st);
	is_int(st.tlb.hits, 3, "stats: three TLB hits");
	is_int(st.tlb.misses, 5, "stats: five TLB misses");
	t_free(t);
}

/* A new ASID in TTBR0 without TLBI misses the old entries: no false hit. */
static void test_asid_switch(void)
{
	struct tpgtable pt;
	struct tsmmu *t = stale_s1(&pt, 7);

	is_hex(pa_of(t, 0x21, IOVA), P1, "stale under ASID 7");
	cb_wrq(t, 2, SMMU_CB_TTBR0, pt.root | FIELD_PREP(TTBR_ASID, 8));
	is_hex(pa_of(t, 0x21, IOVA), P2, "ASID 8: a fresh walk");
	cb_wrq(t, 2, SMMU_CB_TTBR0, pt.root | FIELD_PREP(TTBR_ASID, 7));
	is_hex(pa_of(t, 0x21, IOVA), P1, "back to ASID 7: its stale entry again");
	t_free(t);
}

static void test_s2_tlbi(void)
{
	struct tsmmu *t = t_new(NULL);
	struct tpgtable pt;

	t_reset(t, true);
	t_pgtable(t, &pt, 12, 40, true);
	t_map(t, &pt, IOVA, P1, 3, S2_RW);
	t_s2_bank(t, 0, &pt, 1); /* Linux: VMID = cbndx + 1 */
	t_sme(t, 0, 0x30, 0, S2CR_TYPE_TRANS, 0);
	gr0_wr(t, SMMU_GR0_sCR0, gr0_rd(t, SMMU_GR0_sCR0) | sCR0_VMID16EN);
	pa_of(t, 0x30, IOVA);
	t_map(t, &pt, IOVA, P2, 3, S2_RW);
	is_hex(pa_of(t, 0x30, IOVA), P1, "S2: stale before TLBIIPAS2");
	/* arm_smmu_tlb_inv_range_s2: IPA >> 12, 64-bit write. */
	cb_wrq(t, 0, SMMU_CB_TLBIIPAS2, (IOVA + 0x1000) >> 12);
	is_hex(pa_of(t, 0x30, IOVA), P1, "S2: TLBIIPAS2 of another IPA keeps it");
	cb_wrq(t, 0, SMMU_CB_TLBIIPAS2, IOVA >> 12);
	is_hex(pa_of(t, 0x30, IOVA), P2, "S2: after TLBIIPAS2");
	t_map(t, &pt, IOVA, P1, 3, S2_RW);
	gr0_wr(t, SMMU_GR0_TLBIVMID, 2);
	is_hex(pa_of(t, 0x30, IOVA), P2, "S2: TLBIVMID 2 leaves VMID 1");
	gr0_wr(t, SMMU_GR0_TLBIVMID, 1);
	gr0_wr(t, SMMU_GR0_sTLBGSYNC, 0);
	is_hex(pa_of(t, 0x30, IOVA), P1, "S2: after TLBIVMID 1");
	t_free(t);
}

struct mt_arg {
	struct tsmmu *t;
	unsigned int id, bad;
};

static void *mt_worker(void *p)
{
	struct mt_arg *a = p;

	for (unsigned int i = 0; i < 2000; i++) {
		uint64_t iova = IOVA + ((uint64_t)((i + a->id) % 16) << 12);

		if (pa_of(a->t, 0x21, iova) != P1 + (iova - IOVA))
			a->bad++;
	}
	return NULL;
}

/* Transactions run in parallel with each other and with register writes. */
static void test_threads(void)
{
	struct tsmmu *t = t_new(NULL);
	struct tpgtable pt;
	struct mt_arg args[4];
	pthread_t th[4];
	unsigned int bad = 0;

	t_reset(t, true);
	t_pgtable(t, &pt, 12, 39, false);
	for (unsigned int i = 0; i < 16; i++)
		t_map(t, &pt, IOVA + ((uint64_t)i << 12), P1 + ((uint64_t)i << 12), 3, S1_RW);
	t_s1_bank(t, 2, &pt, 2);
	t_sme(t, 0, 0x21, 0, S2CR_TYPE_TRANS, 2);
	for (unsigned int i = 0; i < 4; i++) {
		args[i] = (struct mt_arg){ .t = t, .id = i };
		pthread_create(&th[i], NULL, mt_worker, &args[i]);
	}
	for (unsigned int i = 0; i < 500; i++) {
		cb_wr(t, 2, SMMU_CB_TLBIASID, 2);
		gr0_wr(t, SMMU_GR0_sGFSR, gr0_rd(t, SMMU_GR0_sGFSR));
	}
	for (unsigned int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		bad += args[i].bad;
	}
	is_int(bad, 0, "4 threads x 2000 transactions during TLBI storms: all correct");
	t_free(t);
}

int main(void)
{
	test_threads();
	test_tlbiva();
	test_tlbiasid_all();
	test_asid_switch();
	test_s2_tlbi();
	return tap_done();
}
