/* SPDX-License-Identifier: MIT */
/*
 * SMMUv3 commands and caches (IHI 0070 §4, §16.2): a stale IOTLB or
 * configuration-cache entry is used until the invalidation the spec names,
 * and never after the CMD_SYNC that follows it; CMD_SYNC completion; command
 * errors and their acknowledgement.
 */
#include "drv.h"

#define SID 9

static uint64_t pa_of(struct drv *d, uint32_t sid, uint64_t iova)
{
	struct ims_txn_result r = drv_txn(d, sid, false, 0, iova, IMS_VMSA_READ);

	return r.status == IMS_TXN_OK ? r.pa : ~0ULL;
}

/* Remap @iova from A to B without invalidating; check stale, then invalidate. */
static void stale_then(struct drv *d, struct drv_s1 *s, uint32_t sid, uint64_t iova, uint64_t c0,
		       uint64_t c1, const char *what)
{
	drv_map(d, &s->pt, iova, DRV_RAM + 0x10000, 3, DRV_R);
	pa_of(d, sid, iova);
	drv_map(d, &s->pt, iova, DRV_RAM + 0x20000, 3, DRV_R);
	is_hex(pa_of(d, sid, iova), DRV_RAM + 0x10000, "%s: stale IOTLB entry used before TLBI",
	       what);
	drv_cmd(d, c0, c1);
	ok(drv_sync(d), "%s: CMD_SYNC completes", what);
	is_hex(pa_of(d, sid, iova), DRV_RAM + 0x20000, "%s: new mapping after TLBI + SYNC", what);
}

static void test_tlbi(void)
{
	struct drv d;
	struct drv_s1 a, b;
	struct ims_smmuv3_stats st;

	drv_create(&d, NULL);
	drv_setup(&d, 8, 0);
	drv_s1_stream(&d, &a, SID, 5);
	drv_s1_stream(&d, &b, SID + 1, 6);
	stale_then(&d, &a, SID, 0x100000, drv_op(CMDQ_OP_TLBI_NH_VA) | FIELD_PREP(CMD_0_ASID, 5),
		   0x100000, "TLBI_NH_VA");
	stale_then(&d, &a, SID, 0x101000, drv_op(CMDQ_OP_TLBI_NH_ASID) | FIELD_PREP(CMD_0_ASID, 5),
		   0, "TLBI_NH_ASID");
	stale_then(&d, &a, SID, 0x102000, drv_op(CMDQ_OP_TLBI_NH_VAA), 0x102000, "TLBI_NH_VAA");
	stale_then(&d, &a, SID, 0x103000, drv_op(CMDQ_OP_TLBI_NH_ALL), 0, "TLBI_NH_ALL");
	stale_then(&d, &a, SID, 0x104000, drv_op(CMDQ_OP_TLBI_NSNH_ALL), 0, "TLBI_NSNH_ALL");

	/* TLBI by ASID leaves other ASIDs alone. */
	drv_map(&d, &b.pt, 0x200000, DRV_RAM + 0x30000, 3, DRV_R);
	pa_of(&d, SID + 1, 0x200000);
	drv_map(&d, &b.pt, 0x200000, DRV_RAM + 0x40000, 3, DRV_R);
	drv_cmd(&d, drv_op(CMDQ_OP_TLBI_NH_ASID) | FIELD_PREP(CMD_0_ASID, 5), 0);
	drv_sync(&d);
	is_hex(pa_of(&d, SID + 1, 0x200000), DRV_RAM + 0x30000,
	       "TLBI_NH_ASID 5 keeps ASID 6's entries (stale on purpose)");
	/* A TLBI for another address leaves the entry. */
	drv_cmd(&d, drv_op(CMDQ_OP_TLBI_NH_VA) | FIELD_PREP(CMD_0_ASID, 6), 0x300000);
	drv_sync(&d);
	is_hex(pa_of(&d, SID + 1, 0x200000), DRV_RAM + 0x30000,
	       "TLBI_NH_VA elsewhere: still stale");
	/* A global (nG = 0) entry survives TLBI_NH_ASID but not TLBI_NH_VA. */
	drv_map(&d, &b.pt, 0x210000, DRV_RAM + 0x30000, 3, DRV_R | DRV_GLOBAL);
	pa_of(&d, SID + 1, 0x210000);
	drv_map(&d, &b.pt, 0x210000, DRV_RAM + 0x40000, 3, DRV_R | DRV_GLOBAL);
	drv_cmd(&d, drv_op(CMDQ_OP_TLBI_NH_ASID) | FIELD_PREP(CMD_0_ASID, 6), 0);
	drv_sync(&d);
	is_hex(pa_of(&d, SID + 1, 0x210000), DRV_RAM + 0x30000, "global entry survives NH_ASID");
	drv_cmd(&d, drv_op(CMDQ_OP_TLBI_NH_VA) | FIELD_PREP(CMD_0_ASID, 1), 0x210000);
	drv_sync(&d);
	is_hex(pa_of(&d, SID + 1, 0x210000), DRV_RAM + 0x40000, "global entry: NH_VA any ASID");

	/* RIL: NUM=3, SCALE=1, TG=4K covers 8 pages from the address. */
	for (unsigned int i = 0; i < 10; i++) {
		drv_map(&d, &a.pt, 0x400000 + 0x1000ULL * i, DRV_RAM + 0x50000, 3, DRV_R);
		pa_of(&d, SID, 0x400000 + 0x1000ULL * i);
		drv_map(&d, &a.pt, 0x400000 + 0x1000ULL * i, DRV_RAM + 0x60000, 3, DRV_R);
	}
	drv_cmd(&d,
		drv_op(CMDQ_OP_TLBI_NH_VA) | FIELD_PREP(CMD_0_ASID, 5) | FIELD_PREP(CMD_0_NUM, 3) |
			FIELD_PREP(CMD_0_SCALE, 1),
		0x401000 | FIELD_PREP(CMD_1_TG, 1) | FIELD_PREP(CMD_1_TTL, 3) | CMD_1_LEAF);
	ok(drv_sync(&d), "range TLBI accepted");
	is_hex(pa_of(&d, SID, 0x400000), DRV_RAM + 0x50000, "RIL: page before the range stale");
	is_hex(pa_of(&d, SID, 0x401000), DRV_RAM + 0x60000, "RIL: first page invalidated");
	is_hex(pa_of(&d, SID, 0x408000), DRV_RAM + 0x60000, "RIL: 8th page invalidated");
	is_hex(pa_of(&d, SID, 0x409000), DRV_RAM + 0x50000, "RIL: page after the range stale");
	ims_smmuv3_get_stats(d.smmu, &st);
	ok(st.iotlb.hits > 0 && st.iotlb.misses > 0 && st.iotlb.invalidated > 0,
	   "IOTLB counters move (hits %llu misses %llu invalidated %llu)",
	   (unsigned long long)st.iotlb.hits, (unsigned long long)st.iotlb.misses,
	   (unsigned long long)st.iotlb.invalidated);
	drv_destroy(&d);
}

static void test_tlbi_s2(void)
{
	struct drv d;
	struct drv_pt pt;
	unsigned int concat;
	int lvl;
	uint64_t ste[8] = { STE_0_V | FIELD_PREP(STE_0_CFG, STE_CFG_S2) };

	drv_create(&d, NULL);
	drv_setup(&d, 8, 0);
	lvl = ims_vmsa_s2_start_level(12, 1, 39, &concat);
	drv_pt_init(&d, &pt, 12, 39, lvl, concat, true);
	ste[2] = FIELD_PREP(STE_2_S2VMID, 3) | FIELD_PREP(STE_2_S2T0SZ, 25) |
		 FIELD_PREP(STE_2_S2SL0, 1) | FIELD_PREP(STE_2_S2PS, 5) | STE_2_S2AA64 | STE_2_S2R;
	ste[3] = pt.root;
	drv_write_ste(&d, SID, ste);
	drv_map(&d, &pt, 0x7000, DRV_RAM + 0x1000, 3, DRV_R);
	pa_of(&d, SID, 0x7000);
	drv_map(&d, &pt, 0x7000, DRV_RAM + 0x2000, 3, DRV_R);
	is_hex(pa_of(&d, SID, 0x7000), DRV_RAM + 0x1000, "S2: stale before TLBI_S2_IPA");
	drv_cmd(&d, drv_op(CMDQ_OP_TLBI_S2_IPA) | FIELD_PREP(CMD_0_VMID, 4), 0x7000);
	drv_sync(&d);
	is_hex(pa_of(&d, SID, 0x7000), DRV_RAM + 0x1000, "S2: TLBI_S2_IPA of VMID 4: still stale");
	drv_cmd(&d, drv_op(CMDQ_OP_TLBI_S2_IPA) | FIELD_PREP(CMD_0_VMID, 3), 0x7000);
	drv_sync(&d);
	is_hex(pa_of(&d, SID, 0x7000), DRV_RAM + 0x2000, "S2: TLBI_S2_IPA of VMID 3");
	drv_map(&d, &pt, 0x7000, DRV_RAM + 0x3000, 3, DRV_R);
	drv_cmd(&d, drv_op(CMDQ_OP_TLBI_S12_VMALL) | FIELD_PREP(CMD_0_VMID, 3), 0);
	drv_sync(&d);
	is_hex(pa_of(&d, SID, 0x7000), DRV_RAM + 0x3000, "S2: TLBI_S12_VMALL");
	drv_destroy(&d);
}

static void test_cfgi(void)
{
	struct ims_smmuv3_params p;
	struct drv d;
	struct drv_s1 a;
	struct ims_smmuv3_stats st;
	uint64_t bypass[8] = { STE_0_V | FIELD_PREP(STE_0_CFG, STE_CFG_BYPASS) };
	uint64_t abort_ste[8] = { STE_0_V };

	drv_create(&d, NULL);
	drv_setup(&d, 8, 0);
	drv_write_ste(&d, 1, bypass);
	is_int(drv_txn(&d, 1, false, 0, 0, IMS_VMSA_READ).status, IMS_TXN_BYPASS, "bypass STE");
	drv_write_ste(&d, 1, abort_ste);
	is_int(drv_txn(&d, 1, false, 0, 0, IMS_VMSA_READ).status, IMS_TXN_BYPASS,
	       "STE changed, no CFGI: stale STE used");
	drv_cfgi_cd(&d, 1, 0);
	drv_sync(&d);
	is_int(drv_txn(&d, 1, false, 0, 0, IMS_VMSA_READ).status, IMS_TXN_BYPASS,
	       "CFGI_CD does not invalidate the STE");
	drv_cfgi_ste(&d, 1);
	ok(drv_sync(&d), "CFGI_STE + CMD_SYNC");
	is_int(drv_txn(&d, 1, false, 0, 0, IMS_VMSA_READ).status, IMS_TXN_ABORT,
	       "after CFGI_STE: new STE");

	/* CFGI_STE_RANGE: SIDs 0x10..0x1f (Range 3). */
	for (uint32_t sid = 0x0f; sid <= 0x20; sid++) {
		drv_write_ste(&d, sid, bypass);
		drv_txn(&d, sid, false, 0, 0, IMS_VMSA_READ);
		drv_write_ste(&d, sid, abort_ste);
	}
	drv_cmd(&d, drv_op(CMDQ_OP_CFGI_STE_RANGE) | FIELD_PREP(CMD_0_SID, 0x13), 3);
	drv_sync(&d);
	is_int(drv_txn(&d, 0x0f, false, 0, 0, IMS_VMSA_READ).status, IMS_TXN_BYPASS,
	       "STE_RANGE: 0x0f outside, stale");
	is_int(drv_txn(&d, 0x10, false, 0, 0, IMS_VMSA_READ).status, IMS_TXN_ABORT,
	       "STE_RANGE: 0x10 invalidated");
	is_int(drv_txn(&d, 0x1f, false, 0, 0, IMS_VMSA_READ).status, IMS_TXN_ABORT,
	       "STE_RANGE: 0x1f invalidated");
	is_int(drv_txn(&d, 0x20, false, 0, 0, IMS_VMSA_READ).status, IMS_TXN_BYPASS,
	       "STE_RANGE: 0x20 outside, stale");
	drv_cmd(&d, drv_op(CMDQ_OP_CFGI_STE_RANGE), 31); /* CFGI_ALL */
	drv_sync(&d);
	is_int(drv_txn(&d, 0x20, false, 0, 0, IMS_VMSA_READ).status, IMS_TXN_ABORT,
	       "CFGI_ALL invalidates everything");

	/* CD cache: a new TTB0 is not seen until CFGI_CD. */
	drv_s1_stream(&d, &a, SID, 5);
	drv_map(&d, &a.pt, 0x5000, DRV_RAM + 0x1000, 3, DRV_R);
	is_hex(pa_of(&d, SID, 0x5000), DRV_RAM + 0x1000, "CD: first table");
	{
		struct drv_pt pt2;

		drv_pt_init(&d, &pt2, 12, 48, 0, 1, false);
		drv_map(&d, &pt2, 0x6000, DRV_RAM + 0x2000, 3, DRV_R);
		a.c.ttb0 = pt2.root;
		a.c.asid = 8;
		drv_write_cd(&d, a.cd, &a.c);
	}
	is_hex(pa_of(&d, SID, 0x6000), ~0ULL, "CD changed, no CFGI_CD: stale CD (old tables)");
	drv_evt_drain(&d);
	drv_cfgi_cd(&d, SID, 1);
	drv_sync(&d);
	is_hex(pa_of(&d, SID, 0x6000), ~0ULL, "CFGI_CD of another SSID: still stale");
	drv_cfgi_cd(&d, SID, 0);
	drv_sync(&d);
	is_hex(pa_of(&d, SID, 0x6000), DRV_RAM + 0x2000, "after CFGI_CD: new CD");
	a.c.asid = 9;
	a.c.record = false;
	drv_write_cd(&d, a.cd, &a.c);
	drv_cmd(&d, drv_op(CMDQ_OP_CFGI_CD_ALL) | FIELD_PREP(CMD_0_SID, SID), 0);
	drv_sync(&d);
	drv_evt_drain(&d);
	drv_txn(&d, SID, false, 0, 0x9000, IMS_VMSA_READ);
	is_int(drv_evt_drain(&d), 0, "after CFGI_CD_ALL: the new CD (R=0) applies");
	drv_evt_drain(&d);
	drv_destroy(&d);

	/* Bounded config cache: 4 entries, 8 streams -> evictions, never a flush. */
	ims_smmuv3_params_default(&p);
	p.cfg_cache_entries = 4;
	drv_create(&d, &p);
	drv_setup(&d, 8, 0);
	for (uint32_t sid = 0; sid < 8; sid++) {
		drv_write_ste(&d, sid, bypass);
		drv_txn(&d, sid, false, 0, 0, IMS_VMSA_READ);
	}
	ims_smmuv3_get_stats(d.smmu, &st);
	is_int(st.cfg_misses, 8, "config cache: 8 misses");
	is_int(st.cfg_evictions, 4, "config cache: 4 evictions");
	drv_txn(&d, 7, false, 0, 0, IMS_VMSA_READ);
	ims_smmuv3_get_stats(d.smmu, &st);
	is_int(st.cfg_hits, 1, "config cache: the last SID still cached (hit)");
	/* PREFETCH_CONFIG loads an STE: the first translation of SID 8 hits. */
	drv_write_ste(&d, 8, bypass);
	drv_cmd(&d, drv_op(CMDQ_OP_PREFETCH_CONFIG) | FIELD_PREP(CMD_0_SID, 8), 0);
	drv_sync(&d);
	ims_smmuv3_get_stats(d.smmu, &st);
	is_int(st.cfg_misses, 9, "PREFETCH_CONFIG: one fetch");
	drv_txn(&d, 8, false, 0, 0, IMS_VMSA_READ);
	ims_smmuv3_get_stats(d.smmu, &st);
	is_int(st.cfg_hits, 2, "PREFETCH_CONFIG: the next lookup hits");
	is_int(st.cfg_misses, 9, "PREFETCH_CONFIG: no further fetch");
	drv_destroy(&d);
}

static void test_sync_and_errors(void)
{
	struct drv d;
	uint32_t v = 0, cons;
	uint64_t msi;
	struct ims_smmuv3_stats st;
	struct ims_smmuv3_params p;

	drv_create(&d, NULL);
	drv_setup(&d, 8, 0);
	msi = drv_alloc(&d, 4096, 4096);
	drv_cmd(&d,
		drv_op(CMDQ_OP_CMD_SYNC) | FIELD_PREP(CMD_0_CS, CMD_SYNC_CS_IRQ) |
			FIELD_PREP(CMD_0_MSIDATA, 0xcafef00d) | FIELD_PREP(CMD_0_MSH, 3) |
			FIELD_PREP(CMD_0_MSIATTR, 0xf),
		msi + 0x40);
	ims_mem_read32(d.mem, msi + 0x40, &v);
	is_hex(v, 0xcafef00d, "CMD_SYNC CS=IRQ: MSIData written to MSIAddress");
	drv_cmd(&d, drv_op(CMDQ_OP_CMD_SYNC) | FIELD_PREP(CMD_0_CS, CMD_SYNC_CS_IRQ), 0);
	is_int(d.irqs[IMS_SMMUV3_IRQ_CMD_SYNC], 1, "CMD_SYNC CS=IRQ, no MSI address: wired IRQ");
	drv_cmd(&d, drv_op(CMDQ_OP_CMD_SYNC) | FIELD_PREP(CMD_0_CS, CMD_SYNC_CS_NONE), 0);
	is_hex(rd32(&d, SMMU_CMDQ_CONS), d.cmd_prod, "CMD_SYNC CS=NONE completes");

	/* CERROR_ILL: an unknown opcode stops the queue. */
	drv_cmd_q(&d, drv_op(0x7f), 0, false);
	drv_cmd_q(&d,
		  drv_op(CMDQ_OP_CMD_SYNC) | FIELD_PREP(CMD_0_CS, CMD_SYNC_CS_IRQ) |
			  FIELD_PREP(CMD_0_MSIDATA, 2),
		  msi, true);
	cons = rd32(&d, SMMU_CMDQ_CONS);
	is_hex(cons & Q_IDX_WRAP_MASK, (d.cmd_prod - 2) & 0x1ff, "ILL: CONS on the bad command");
	is_int(FIELD_GET(CMDQ_CONS_ERR, cons), CMDQ_ERR_CERROR_ILL, "ILL: CONS.ERR = CERROR_ILL");
	is_hex((rd32(&d, SMMU_GERROR) ^ rd32(&d, SMMU_GERRORN)) & GERROR_CMDQ_ERR, GERROR_CMDQ_ERR,
	       "ILL: GERROR.CMDQ_ERR active");
	is_int(d.irqs[IMS_SMMUV3_IRQ_GERROR], 1, "ILL: GERROR interrupt");
	ims_mem_read32(d.mem, msi, &v);
	is_hex(v, 0, "ILL: the following CMD_SYNC did not run");
	wr32(&d, SMMU_CMDQ_PROD, d.cmd_prod);
	ims_mem_read32(d.mem, msi, &v);
	is_hex(v, 0, "ILL: still stopped until acknowledged");
	/* The driver replaces the command by a CMD_SYNC and acknowledges. */
	ims_mem_write64(d.mem, d.cmdq + 16ULL * ((d.cmd_prod - 2) & 0xff),
			drv_op(CMDQ_OP_CMD_SYNC));
	wr32(&d, SMMU_GERRORN, rd32(&d, SMMU_GERROR));
	ims_mem_read32(d.mem, msi, &v);
	is_hex(v, 2, "after GERRORN ack: processing resumed at CONS");
	is_hex(rd32(&d, SMMU_CMDQ_CONS) & Q_IDX_WRAP_MASK, d.cmd_prod, "queue drained");
	/* A second error toggles GERROR again. */
	drv_cmd(&d, drv_op(CMDQ_OP_CMD_SYNC) | FIELD_PREP(CMD_0_CS, 3), 0);
	is_hex((rd32(&d, SMMU_GERROR) ^ rd32(&d, SMMU_GERRORN)) & GERROR_CMDQ_ERR, GERROR_CMDQ_ERR,
	       "CMD_SYNC CS=3: CERROR_ILL again");
	ims_smmuv3_get_stats(d.smmu, &st);
	is_int(st.cmd_errors, 2, "two command errors counted");
	drv_destroy(&d);

	/* CERROR_ABT: the command queue is not in RAM. */
	drv_create(&d, NULL);
	drv_setup(&d, 8, 0);
	wr32(&d, SMMU_CR0, CR0_EVENTQEN | CR0_SMMUEN);
	wr64(&d, SMMU_CMDQ_BASE, 0x600000000ULL | 4);
	wr32(&d, SMMU_CR0, CR0_EVENTQEN | CR0_SMMUEN | CR0_CMDQEN);
	wr32(&d, SMMU_CMDQ_PROD, 1);
	is_int(FIELD_GET(CMDQ_CONS_ERR, rd32(&d, SMMU_CMDQ_CONS)), CMDQ_ERR_CERROR_ABT,
	       "command fetch abort: CERROR_ABT");
	drv_destroy(&d);

	/* Commands for absent features are CERROR_ILL (QEMU preset: no S2, no ATS). */
	ims_smmuv3_params_qemu_virt(&p);
	drv_create(&d, &p);
	drv_setup(&d, 8, 0);
	drv_cmd(&d, drv_op(CMDQ_OP_TLBI_S12_VMALL), 0);
	is_int(FIELD_GET(CMDQ_CONS_ERR, rd32(&d, SMMU_CMDQ_CONS)), CMDQ_ERR_CERROR_ILL,
	       "TLBI_S12_VMALL without S2P: CERROR_ILL");
	drv_destroy(&d);
	drv_create(&d, NULL);
	drv_setup(&d, 8, 0);
	drv_cmd(&d, drv_op(CMDQ_OP_ATC_INV), 0);
	is_int(FIELD_GET(CMDQ_CONS_ERR, rd32(&d, SMMU_CMDQ_CONS)), CMDQ_ERR_CERROR_ILL,
	       "ATC_INV without ATS: CERROR_ILL");
	drv_destroy(&d);
}

int main(void)
{
	test_tlbi();
	test_tlbi_s2();
	test_cfgi();
	test_sync_and_errors();
	return tap_done();
}
