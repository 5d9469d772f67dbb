/* SPDX-License-Identifier: MIT */
/*
 * The SMMUv3 model's micro-TLB (docs/smmuv3.md): repeated translations hit
 * it, and whatever could change their result -- a TLBI, a CFGI, any other
 * command, a register write -- is seen by the next translation; results are
 * per access kind; many pages and streams that collide in it stay correct;
 * hits are counted as translations, configuration-cache and IOTLB hits.
 */
#include "drv.h"

#define SID 4

static uint64_t pa_of(struct drv *d, uint32_t sid, uint64_t iova, unsigned int access)
{
	struct ims_txn_result r = drv_txn(d, sid, false, 0, iova, access);

	return r.status == IMS_TXN_OK ? r.pa : ~0ULL;
}

/* Hits, and how they are counted. */
static void test_counts(void)
{
	struct ims_smmuv3_stats st0, st1;
	struct drv d;
	struct drv_s1 a;
	uint64_t bad = 0;

	drv_create(&d, NULL);
	drv_setup(&d, 8, 0);
	drv_s1_stream(&d, &a, SID, 3);
	drv_map(&d, &a.pt, 0x400000, DRV_RAM + 0x50000, 3, DRV_R | DRV_W);
	is_hex(pa_of(&d, SID, 0x400123, IMS_VMSA_READ), DRV_RAM + 0x50123, "first translation");
	ims_smmuv3_get_stats(d.smmu, &st0);
	for (unsigned int i = 0; i < 100; i++)
		if (pa_of(&d, SID, 0x400000 + 8 * i, IMS_VMSA_READ) != DRV_RAM + 0x50000 + 8 * i)
			bad++;
	ims_smmuv3_get_stats(d.smmu, &st1);
	is_int(bad, 0, "100 repeated translations of one page: right offsets");
	is_int(st1.translations - st0.translations, 100, "each counted as a translation");
	is_int(st1.iotlb.hits - st0.iotlb.hits, 100, "each counted as an IOTLB hit");
	is_int(st1.iotlb.misses - st0.iotlb.misses, 0, "no IOTLB miss");
	is_int(st1.cfg_hits - st0.cfg_hits, 100, "each counted as a config-cache hit");
	is_int(st1.cfg_misses - st0.cfg_misses, 0, "no config fetch");
	drv_destroy(&d);
}

/* Per access kind: a cached read says nothing about a write or an EL0 access. */
static void test_access(void)
{
	struct ims_txn_result r;
	struct drv d;
	struct drv_s1 a;

	drv_create(&d, NULL);
	drv_setup(&d, 8, 0);
	drv_s1_stream(&d, &a, SID, 3);
	drv_map(&d, &a.pt, 0x400000, DRV_RAM + 0x50000, 3, DRV_R | DRV_PRIV);
	for (int i = 0; i < 3; i++)
		pa_of(&d, SID, 0x400000, IMS_VMSA_READ | IMS_VMSA_PRIV);
	is_hex(pa_of(&d, SID, 0x400010, IMS_VMSA_READ | IMS_VMSA_PRIV), DRV_RAM + 0x50010,
	       "privileged read of a read-only privileged page");
	r = drv_txn(&d, SID, false, 0, 0x400010, IMS_VMSA_WRITE | IMS_VMSA_PRIV);
	is_int(r.status, IMS_TXN_FAULT, "a write to it still faults");
	is_hex(r.fault.event, EVT_ID_PERMISSION, "with F_PERMISSION");
	r = drv_txn(&d, SID, false, 0, 0x400010, IMS_VMSA_READ);
	is_int(r.status, IMS_TXN_FAULT, "an unprivileged read of it still faults");
	r = drv_txn(&d, SID, false, 0, 0x400010, IMS_VMSA_READ | IMS_VMSA_WRITE);
	is_hex(r.fault.event, EVT_ID_UUT, "a read-and-write transaction is still F_UUT");
	drv_evt_drain(&d);
	drv_destroy(&d);
}

/* Remap without invalidating (stale), then invalidate with @c0/@c1 (new). */
static void stale_then(struct drv *d, struct drv_s1 *s, uint64_t iova, uint64_t c0, uint64_t c1,
		       const char *what)
{
	drv_map(d, &s->pt, iova, DRV_RAM + 0x10000, 3, DRV_R);
	for (int i = 0; i < 3; i++)
		pa_of(d, SID, iova, IMS_VMSA_READ);
	drv_map(d, &s->pt, iova, DRV_RAM + 0x20000, 3, DRV_R);
	is_hex(pa_of(d, SID, iova, IMS_VMSA_READ), DRV_RAM + 0x10000, "%s: stale before", what);
	drv_cmd(d, c0, c1);
	ok(drv_sync(d), "%s: CMD_SYNC completes", what);
	is_hex(pa_of(d, SID, iova, IMS_VMSA_READ), DRV_RAM + 0x20000, "%s: new after", what);
}

static void test_invalidation(void)
{
	struct drv d;
	struct drv_s1 a;
	struct ims_txn_result r;

	drv_create(&d, NULL);
	drv_setup(&d, 8, 0);
	drv_s1_stream(&d, &a, SID, 5);
	stale_then(&d, &a, 0x100000, drv_op(CMDQ_OP_TLBI_NH_VA) | FIELD_PREP(CMD_0_ASID, 5),
		   0x100000, "TLBI_NH_VA");
	stale_then(&d, &a, 0x101000, drv_op(CMDQ_OP_TLBI_NH_ASID) | FIELD_PREP(CMD_0_ASID, 5), 0,
		   "TLBI_NH_ASID");
	stale_then(&d, &a, 0x102000, drv_op(CMDQ_OP_TLBI_NSNH_ALL), 0, "TLBI_NSNH_ALL");

	/* A new CD (new tables) after CFGI_CD. */
	{
		struct drv_s1 b;

		drv_pt_init(&d, &b.pt, 12, 48, 0, 1, false);
		drv_map(&d, &b.pt, 0x100000, DRV_RAM + 0x70000, 3, DRV_R);
		pa_of(&d, SID, 0x100000, IMS_VMSA_READ);
		a.c.ttb0 = b.pt.root;
		a.c.asid = 7;
		drv_write_cd(&d, a.cd, &a.c);
		is_hex(pa_of(&d, SID, 0x100000, IMS_VMSA_READ), DRV_RAM + 0x20000,
		       "new CD: old tables until CFGI");
		drv_cfgi_cd(&d, SID, 0);
		ok(drv_sync(&d), "CFGI_CD: CMD_SYNC completes");
		is_hex(pa_of(&d, SID, 0x100000, IMS_VMSA_READ), DRV_RAM + 0x70000,
		       "CFGI_CD: the new CD's tables");
	}

	/* An STE made abort, after CFGI_STE. */
	pa_of(&d, SID, 0x100000, IMS_VMSA_READ);
	{
		uint64_t ste[8] = { STE_0_V | FIELD_PREP(STE_0_CFG, STE_CFG_ABORT) };

		drv_write_ste(&d, SID, ste);
	}
	drv_cfgi_ste(&d, SID);
	ok(drv_sync(&d), "CFGI_STE: CMD_SYNC completes");
	r = drv_txn(&d, SID, false, 0, 0x100000, IMS_VMSA_READ);
	is_int(r.status, IMS_TXN_ABORT, "CFGI_STE: the abort STE applies");

	/* A register write: SMMUEN off (GBPA bypass), then on again. */
	drv_s1_stream(&d, &a, SID, 5);
	drv_map(&d, &a.pt, 0x180000, DRV_RAM + 0x90000, 3, DRV_R);
	drv_cfgi_ste(&d, SID);
	drv_sync(&d);
	pa_of(&d, SID, 0x180000, IMS_VMSA_READ);
	is_hex(pa_of(&d, SID, 0x180000, IMS_VMSA_READ), DRV_RAM + 0x90000, "translated");
	wr32(&d, SMMU_CR0, CR0_EVENTQEN | CR0_CMDQEN);
	r = drv_txn(&d, SID, false, 0, 0x180000, IMS_VMSA_READ);
	is_int(r.status, IMS_TXN_BYPASS, "SMMUEN = 0: GBPA bypass");
	is_hex(r.pa, 0x180000, "untranslated");
	wr32(&d, SMMU_CR0, CR0_EVENTQEN | CR0_CMDQEN | CR0_SMMUEN);
	is_hex(pa_of(&d, SID, 0x180000, IMS_VMSA_READ), DRV_RAM + 0x90000, "SMMUEN = 1 again");
	drv_evt_drain(&d);
	drv_destroy(&d);
}

/* More pages and streams than the micro-TLB holds, in rounds: always right. */
static void test_many(void)
{
	struct drv d;
	struct drv_s1 a, b;
	uint64_t bad = 0;

	drv_create(&d, NULL);
	drv_setup(&d, 8, 0);
	drv_s1_stream(&d, &a, SID, 5);
	drv_s1_stream(&d, &b, SID + 1, 6);
	for (uint64_t i = 0; i < 600; i++) {
		drv_map(&d, &a.pt, 0x1000000 + (i << 12), DRV_RAM + 0x1000000 + (i << 12), 3,
			DRV_R);
		drv_map(&d, &b.pt, 0x1000000 + (i << 12), DRV_RAM + 0x2000000 + (i << 12), 3,
			DRV_R);
	}
	for (int round = 0; round < 3; round++)
		for (uint64_t i = 0; i < 600; i++) {
			uint64_t off = (i * 0x38) & 0xff8;

			if (pa_of(&d, SID, 0x1000000 + (i << 12) + off, IMS_VMSA_READ) !=
			    DRV_RAM + 0x1000000 + (i << 12) + off)
				bad++;
			if (pa_of(&d, SID + 1, 0x1000000 + (i << 12) + off, IMS_VMSA_READ) !=
			    DRV_RAM + 0x2000000 + (i << 12) + off)
				bad++;
		}
	is_int(bad, 0, "2 streams x 600 pages x 3 rounds: every translation right");
	drv_destroy(&d);
}

int main(void)
{
	test_counts();
	test_access();
	test_invalidation();
	test_many();
	return tap_done();
}
