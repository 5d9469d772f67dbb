/* SPDX-License-Identifier: MIT */
/*
 * SMMUv3 translation: stage 1 (all granules, TTB0/TTB1, TBI, blocks),
 * stage 2 (all granules), nested, permissions and overrides, the data path.
 */
#include "drv.h"

#define SID 5

/* TG0/S2TG encodings for a granule shift. */
static unsigned int tg_enc(unsigned int gs)
{
	return gs == 12 ? 0 : gs == 16 ? 1 : 2;
}

/* An S1 stream: linear single CD; returns the page table. */
static struct drv_pt s1_stream(struct drv *d, uint32_t sid, unsigned int gs, unsigned int ias,
			       uint16_t asid)
{
	struct drv_pt pt;
	struct drv_cd c = { 0 };
	uint64_t cd = drv_alloc(d, 64, 64);

	drv_pt_init(d, &pt, gs, ias, ims_vmsa_s1_start_level(gs, ias), 1, false);
	c.asid = asid;
	c.tg0 = tg_enc(gs);
	c.t0sz = 64 - ias;
	c.ips = 5;
	c.ttb0 = pt.root;
	c.record = true;
	drv_write_cd(d, cd, &c);
	drv_ste_s1(d, sid, cd, 0, 0, 0);
	return pt;
}

static void test_s1_granules(void)
{
	static const struct {
		unsigned int gs, ias;
	} cases[] = { { 12, 48 }, { 12, 39 }, { 14, 47 }, { 14, 36 }, { 16, 48 }, { 16, 42 } };
	struct drv d;

	drv_create(&d, NULL);
	drv_setup(&d, 8, 0);
	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		unsigned int gs = cases[i].gs, ias = cases[i].ias;
		struct drv_pt pt = s1_stream(&d, SID + i, gs, ias, (uint16_t)(10 + i));
		uint64_t iova = (0x12345ULL << gs) & DMA_BIT_MASK(ias);
		uint64_t pa = DRV_RAM + (0x4000ULL << gs) % DRV_RAM_SIZE;
		uint64_t blk_iova = (3ULL << (gs + (gs - 3))) + (5ULL << gs);
		struct ims_txn_result r;

		drv_map(&d, &pt, iova, pa, 3, DRV_R | DRV_W);
		r = drv_txn(&d, SID + i, false, 0, iova + 0x24, IMS_VMSA_READ);
		is_int(r.status, IMS_TXN_OK, "S1 %uK ias %u: page translates", 1u << (gs - 10),
		       ias);
		is_hex(r.pa, pa + 0x24, "S1 %uK ias %u: page PA", 1u << (gs - 10), ias);
		ok((r.perm & IMS_VMSA_PERM_W_USER) && (r.perm & IMS_VMSA_PERM_R_USER),
		   "S1 %uK: perm is user RW", 1u << (gs - 10));
		/* A level-2 block. */
		drv_map(&d, &pt, blk_iova & ~((1ULL << (gs + gs - 3)) - 1), DRV_RAM, 2, DRV_R);
		r = drv_txn(&d, SID + i, false, 0, blk_iova + 8, IMS_VMSA_READ);
		is_int(r.status, IMS_TXN_OK, "S1 %uK: block translates", 1u << (gs - 10));
		is_hex(r.pa, DRV_RAM + (5ULL << gs) + 8, "S1 %uK: block PA", 1u << (gs - 10));
	}
	is_int(drv_evt_drain(&d), 0, "no events for good translations");
	drv_destroy(&d);
}

static void test_s1_ttb1_tbi(void)
{
	struct drv d;
	struct drv_pt pt0, pt1;
	struct drv_cd c = { 0 };
	uint64_t cd, rec[4];
	struct ims_txn_result r;

	drv_create(&d, NULL);
	drv_setup(&d, 8, 0);
	cd = drv_alloc(&d, 64, 64);
	drv_pt_init(&d, &pt0, 12, 39, 1, 1, false);
	drv_pt_init(&d, &pt1, 12, 39, 1, 1, false);
	c.asid = 7;
	c.t0sz = 25;
	c.ttb0 = pt0.root;
	c.ttb1_on = true;
	c.tg1 = 2; /* 4K in TG1's encoding */
	c.t1sz = 25;
	c.ttb1 = pt1.root;
	c.ips = 5;
	c.record = true;
	c.tbi = 1; /* TBI for TTB0 only */
	drv_write_cd(&d, cd, &c);
	drv_ste_s1(&d, SID, cd, 0, 0, 0);
	drv_map(&d, &pt0, 0x1000, DRV_RAM + 0x100000, 3, DRV_R | DRV_W);
	drv_map(&d, &pt1, 0xffffff8000002000ULL, DRV_RAM + 0x200000, 3, DRV_R | DRV_W);

	r = drv_txn(&d, SID, false, 0, 0xffffff8000002010ULL, IMS_VMSA_READ);
	is_int(r.status, IMS_TXN_OK, "TTB1 region translates");
	is_hex(r.pa, DRV_RAM + 0x200010, "TTB1 PA");
	r = drv_txn(&d, SID, false, 0, 0xab00000000001010ULL, IMS_VMSA_READ);
	is_int(r.status, IMS_TXN_OK, "TBI0: tagged address translates through TTB0");
	is_hex(r.pa, DRV_RAM + 0x100010, "TBI0: PA ignores the tag");
	r = drv_txn(&d, SID, false, 0, 0x1b00ff8000002000ULL, IMS_VMSA_READ);
	is_int(r.status, IMS_TXN_FAULT, "TBI1 off: tagged TTB1 address faults");
	is_int(r.fault.event, EVT_ID_TRANSLATION, "... F_TRANSLATION");
	ok(drv_evt_pop(&d, rec) && rec[2] == 0x1b00ff8000002000ULL, "... InputAddr recorded whole");
	r = drv_txn(&d, SID, false, 0, 0x0000010000000000ULL, IMS_VMSA_READ);
	is_int(r.fault.event, EVT_ID_TRANSLATION, "address between TTB0 and TTB1 ranges faults");
	drv_destroy(&d);
}

static struct drv_pt s2_table(struct drv *d, unsigned int gs, unsigned int ias, unsigned int sl0,
			      struct drv_s2 *s2, uint16_t vmid)
{
	struct drv_pt pt;
	unsigned int concat = 1;
	int lvl = ims_vmsa_s2_start_level(gs, sl0, ias, &concat);

	drv_pt_init(d, &pt, gs, ias, lvl, concat, true);
	memset(s2, 0, sizeof(*s2));
	s2->vmid = vmid;
	s2->tg = tg_enc(gs);
	s2->t0sz = 64 - ias;
	s2->sl0 = sl0;
	s2->ps = 5;
	s2->ttb = pt.root;
	s2->record = true;
	return pt;
}

static void test_s2_granules(void)
{
	static const struct {
		unsigned int gs, ias, sl0;
	} cases[] = { { 12, 39, 1 }, { 12, 40, 1 }, { 14, 36, 1 }, { 16, 40, 1 }, { 16, 44, 2 } };
	struct drv d;

	drv_create(&d, NULL);
	drv_setup(&d, 8, 0);
	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		unsigned int gs = cases[i].gs;
		struct drv_s2 s2;
		struct drv_pt pt = s2_table(&d, gs, cases[i].ias, cases[i].sl0, &s2, 3);
		uint64_t ste[8] = { STE_0_V | FIELD_PREP(STE_0_CFG, STE_CFG_S2) };
		uint64_t ipa = (0x2aULL << gs) | (1ULL << (cases[i].ias - 1));
		struct ims_txn_result r;

		drv_ste_s2_words(ste, &s2);
		drv_write_ste(&d, SID + i, ste);
		drv_map(&d, &pt, ipa, DRV_RAM + 0x300000, 3, DRV_R);
		r = drv_txn(&d, SID + i, false, 0, ipa + 0x40, IMS_VMSA_READ);
		is_int(r.status, IMS_TXN_OK, "S2 %uK ias %u: translates", 1u << (gs - 10),
		       cases[i].ias);
		is_hex(r.pa, DRV_RAM + 0x300040, "S2 %uK ias %u: PA", 1u << (gs - 10),
		       cases[i].ias);
		r = drv_txn(&d, SID + i, false, 0, ipa + 0x40, IMS_VMSA_WRITE);
		is_int(r.fault.event, EVT_ID_PERMISSION, "S2 %uK: write to read-only IPA",
		       1u << (gs - 10));
		ok(r.fault.record[1] & EVT_1_S2, "S2 %uK: fault record has S2", 1u << (gs - 10));
		is_hex(FIELD_GET(EVT_3_IPA, r.fault.record[3]) << 12, ipa & ~0xfffULL,
		       "S2 %uK: IPA recorded", 1u << (gs - 10));
	}
	drv_evt_drain(&d);
	drv_destroy(&d);
}

static void test_nested(void)
{
	struct drv d;
	struct drv_s2 s2;
	struct drv_pt s2pt, s1pt;
	struct drv_cd c = { 0 };
	uint64_t ste[8] = { 0 }, cd_pa, cd_ipa = 0x70000000ULL, ipa_out = 0x40000000ULL;
	struct ims_txn_result r;

	drv_create(&d, NULL);
	drv_setup(&d, 8, 0);
	s2pt = s2_table(&d, 12, 40, 1, &s2, 9);
	/* The CD lives at a PA that stage 2 maps at IPA 0x70000000. */
	cd_pa = drv_alloc(&d, 4096, 4096);
	drv_map(&d, &s2pt, cd_ipa, cd_pa, 3, DRV_R);
	/*
	 * Stage-1 tables are read at their IPA through stage 2 (§3.4.1): their
	 * descriptors hold RAM addresses, so stage 2 maps RAM IPA == PA with a
	 * read-only 1 GiB block.
	 */
	drv_map(&d, &s2pt, DRV_RAM, DRV_RAM, 1, DRV_R);
	drv_pt_init(&d, &s1pt, 12, 39, 1, 1, false);
	drv_map(&d, &s1pt, 0x8000, ipa_out, 3, DRV_R | DRV_W);
	drv_map(&d, &s2pt, ipa_out, DRV_RAM + 0x500000, 3, DRV_R | DRV_W);
	c.asid = 4;
	c.t0sz = 25;
	c.ips = 2;
	c.ttb0 = s1pt.root;
	c.record = true;
	drv_write_cd(&d, cd_pa, &c);
	ste[0] = STE_0_V | FIELD_PREP(STE_0_CFG, STE_CFG_NESTED) | (cd_ipa & STE_0_S1CTXPTR);
	drv_ste_s2_words(ste, &s2);
	drv_write_ste(&d, SID, ste);

	r = drv_txn(&d, SID, false, 0, 0x8010, IMS_VMSA_WRITE);
	is_int(r.status, IMS_TXN_OK, "nested: translates");
	is_hex(r.pa, DRV_RAM + 0x500010, "nested: VA -> IPA -> PA");
	r = drv_txn(&d, SID, false, 0, 0x8010, IMS_VMSA_EXEC | IMS_VMSA_READ);
	is_int(r.status, IMS_TXN_OK, "nested: unprivileged exec allowed by both stages");
	r = drv_txn(&d, SID, false, 0, 0x8010, IMS_VMSA_EXEC | IMS_VMSA_READ | IMS_VMSA_PRIV);
	is_int(r.fault.event, EVT_ID_PERMISSION,
	       "nested: privileged exec of a user-writable page faults (implicit PXN)");
	ok(!(r.fault.record[1] & EVT_1_S2), "... at stage 1");

	/* An S1 mapping to an IPA stage 2 does not map: S2 fault, CLASS IN, IPA. */
	drv_map(&d, &s1pt, 0x9000, 0x50000000ULL, 3, DRV_R);
	r = drv_txn(&d, SID, false, 0, 0x9008, IMS_VMSA_READ);
	is_int(r.fault.event, EVT_ID_TRANSLATION, "nested: unmapped IPA -> F_TRANSLATION");
	ok(r.fault.record[1] & EVT_1_S2, "nested: S2 = 1");
	is_int(FIELD_GET(EVT_1_CLASS, r.fault.record[1]), EVT_CLASS_IN, "nested: CLASS = IN");
	is_hex(r.fault.record[2], 0x9008, "nested: InputAddr is the VA");
	is_hex(r.fault.record[3], 0x50000000ULL, "nested: IPA field");
	is_hex(r.fault.ipa, 0x50000008ULL, "nested: result IPA is exact");
	drv_evt_drain(&d);

	/*
	 * Stage 2 stops mapping the stage-1 tables: the walk of a new VA meets
	 * a stage-2 fault on its first table fetch: S2 = 1, CLASS = TT, and
	 * the IPA of the stage-1 descriptor.
	 */
	{
		uint64_t blk = drv_pte_pa(&d, &s2pt, DRV_RAM, 1), saved = 0;

		ims_mem_read64(d.mem, blk, &saved);
		ims_mem_write64(d.mem, blk, 0);
		r = drv_txn(&d, SID, false, 0, 0x40000000ULL, IMS_VMSA_READ);
		is_int(r.fault.event, EVT_ID_TRANSLATION, "nested walk: stage-2 translation fault");
		ok(r.fault.record[1] & EVT_1_S2, "nested walk: S2 = 1");
		is_int(FIELD_GET(EVT_1_CLASS, r.fault.record[1]), EVT_CLASS_TT,
		       "nested walk: CLASS = TT");
		is_hex(r.fault.record[2], 0x40000000ULL, "nested walk: InputAddr is the VA");
		is_hex(r.fault.record[3], s1pt.root,
		       "nested walk: IPA[51:12] of the level-1 descriptor");
		is_hex(r.fault.ipa, s1pt.root + 1 * 8, "nested walk: result IPA is exact");
		ims_mem_write64(d.mem, blk, saved);
		drv_evt_drain(&d);
	}

	/* A CD at an IPA stage 2 does not map: S2 fault with CLASS = CD. */
	ste[0] = (ste[0] & ~STE_0_S1CTXPTR) | (0x71000000ULL & STE_0_S1CTXPTR);
	drv_write_ste(&d, SID + 1, ste);
	r = drv_txn(&d, SID + 1, false, 0, 0x8010, IMS_VMSA_READ);
	is_int(r.fault.event, EVT_ID_TRANSLATION, "nested: CD IPA unmapped -> F_TRANSLATION");
	is_int(FIELD_GET(EVT_1_CLASS, r.fault.record[1]), EVT_CLASS_CD, "nested: CLASS = CD");
	is_hex(r.fault.record[3], 0x71000000ULL, "nested: IPA = the CD address");
	drv_destroy(&d);
}

static void test_permissions(void)
{
	struct drv d;
	struct drv_pt pt;
	struct ims_txn_result r;
	uint64_t ste[8];

	drv_create(&d, NULL);
	drv_setup(&d, 8, 0);
	pt = s1_stream(&d, SID, 12, 48, 1);
	drv_map(&d, &pt, 0x10000, DRV_RAM, 3, DRV_R | DRV_PRIV);
	drv_map(&d, &pt, 0x11000, DRV_RAM, 3, DRV_R | DRV_W);
	drv_map(&d, &pt, 0x12000, DRV_RAM, 3, DRV_R | DRV_XN | DRV_PRIV);

	r = drv_txn(&d, SID, false, 0, 0x10000, IMS_VMSA_READ | IMS_VMSA_PRIV);
	is_int(r.status, IMS_TXN_OK, "priv read of RO page");
	r = drv_txn(&d, SID, false, 0, 0x10000, IMS_VMSA_WRITE | IMS_VMSA_PRIV);
	is_int(r.fault.event, EVT_ID_PERMISSION, "write to RO page: F_PERMISSION");
	r = drv_txn(&d, SID, false, 0, 0x10000, IMS_VMSA_READ);
	is_int(r.fault.event, EVT_ID_PERMISSION, "unpriv read of priv-only page");
	r = drv_txn(&d, SID, false, 0, 0x11000, IMS_VMSA_WRITE);
	is_int(r.status, IMS_TXN_OK, "unpriv write of user RW page");
	r = drv_txn(&d, SID, false, 0, 0x12000, IMS_VMSA_READ | IMS_VMSA_EXEC | IMS_VMSA_PRIV);
	is_int(r.fault.event, EVT_ID_PERMISSION, "exec of XN page");
	/* Cached translation must still be permission-checked. */
	r = drv_txn(&d, SID, false, 0, 0x10000, IMS_VMSA_READ | IMS_VMSA_PRIV);
	r = drv_txn(&d, SID, false, 0, 0x10000, IMS_VMSA_WRITE | IMS_VMSA_PRIV);
	is_int(r.fault.event, EVT_ID_PERMISSION, "IOTLB hit still checks permissions");
	drv_evt_drain(&d);

	/* STE.PRIVCFG = 0b11 makes every access privileged. */
	for (int i = 0; i < 8; i++)
		ims_mem_read64(d.mem, drv_ste_pa(&d, SID) + 8ULL * i, &ste[i]);
	ste[1] |= FIELD_PREP(STE_1_PRIVCFG, 3);
	drv_write_ste(&d, SID, ste);
	drv_cfgi_ste(&d, SID);
	ok(drv_sync(&d), "CFGI_STE + sync");
	r = drv_txn(&d, SID, false, 0, 0x10000, IMS_VMSA_READ);
	is_int(r.status, IMS_TXN_OK, "PRIVCFG=priv: unpriv read of priv page allowed");
	/* INSTCFG = 0b11 makes reads instruction fetches: XN page faults. */
	ste[1] |= FIELD_PREP(STE_1_INSTCFG, 3);
	drv_write_ste(&d, SID, ste);
	drv_cfgi_ste(&d, SID);
	drv_sync(&d);
	r = drv_txn(&d, SID, false, 0, 0x12000, IMS_VMSA_READ);
	is_int(r.fault.event, EVT_ID_PERMISSION, "INSTCFG=instr: read of XN page faults");
	ok(r.fault.record[1] & EVT_1_IND, "... InD recorded post-override");
	ok(r.fault.record[1] & EVT_1_PNU, "... PnU recorded post-override");
	drv_destroy(&d);
}

static void test_dma(void)
{
	struct drv d;
	struct drv_pt pt;
	struct ims_txn tmpl = { .sid = SID, .access = IMS_VMSA_WRITE };
	struct ims_txn_result res;
	char buf[8192], back[8192];

	drv_create(&d, NULL);
	drv_setup(&d, 8, 0);
	pt = s1_stream(&d, SID, 12, 48, 1);
	drv_map(&d, &pt, 0x100000, DRV_RAM + 0x700000, 3, DRV_R | DRV_W);
	drv_map(&d, &pt, 0x101000, DRV_RAM + 0x600000, 3, DRV_R | DRV_W);
	for (unsigned int i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i * 7);
	is_int(ims_smmu_dma(ims_smmuv3_translator(d.smmu), d.mem, &tmpl, 0x100800, buf, 4096, &res),
	       0, "DMA write across two pages");
	ims_mem_read(d.mem, DRV_RAM + 0x700800, back, 2048);
	ims_mem_read(d.mem, DRV_RAM + 0x600000, back + 2048, 2048);
	ok(!memcmp(buf, back, 4096), "DMA data landed at the translated PAs");
	tmpl.access = IMS_VMSA_READ;
	is_int(ims_smmu_dma(ims_smmuv3_translator(d.smmu), d.mem, &tmpl, 0x101800, back, 4096,
			    &res),
	       -EFAULT, "DMA read running into an unmapped page fails");
	is_int(res.fault.event, EVT_ID_TRANSLATION, "... with F_TRANSLATION");
	drv_destroy(&d);
}

int main(void)
{
	test_s1_granules();
	test_s1_ttb1_tbi();
	test_s2_granules();
	test_nested();
	test_permissions();
	test_dma();
	return tap_done();
}
