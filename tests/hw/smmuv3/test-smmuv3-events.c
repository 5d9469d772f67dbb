/* SPDX-License-Identifier: MIT */
/*
 * SMMUv3 events (IHI 0070 §7.3): every event type the model raises, each
 * provoked by a test, with every field of the record checked as it was
 * written to the event queue.
 */
#include "drv.h"

#define SID 0x21

static uint64_t w0(unsigned int id, uint32_t sid, bool ssv, uint32_t ssid)
{
	return FIELD_PREP(EVT_0_ID, id) | FIELD_PREP(EVT_0_SID, sid) |
	       (ssv ? EVT_0_SSV | FIELD_PREP(EVT_0_SSID, ssid) : 0);
}

/* Pop one record and compare all four dwords with @want. */
static void expect_evt(struct drv *d, const uint64_t want[4], const char *what)
{
	uint64_t rec[4] = { 0 };

	if (!ok(drv_evt_pop(d, rec), "%s: a record was written", what))
		return;
	for (int i = 0; i < 4; i++)
		is_hex(rec[i], want[i], "%s: dword %d", what, i);
}

static struct drv_pt s1_setup(struct drv *d, uint32_t sid, uint64_t cd, struct drv_cd *c)
{
	struct drv_pt pt;

	drv_pt_init(d, &pt, 12, 48, 0, 1, false);
	c->t0sz = 16;
	c->ips = 5;
	c->ttb0 = pt.root;
	c->record = true;
	drv_write_cd(d, cd, c);
	drv_ste_s1(d, sid, cd, 0, 0, 0);
	return pt;
}

static void test_stream_events(void)
{
	struct drv d;
	struct ims_txn_result r;
	uint64_t ste[8] = { 0 };

	drv_create(&d, NULL);
	drv_setup(&d, 8, 0);

	/* F_UUT: a read-and-write transaction; incoming attributes recorded. */
	r = drv_txn(&d, SID, true, 3, 0x1234,
		    IMS_VMSA_READ | IMS_VMSA_WRITE | IMS_VMSA_PRIV | IMS_VMSA_EXEC);
	is_int(r.status, IMS_TXN_FAULT, "F_UUT: fault");
	expect_evt(&d,
		   (const uint64_t[4]){ w0(EVT_ID_UUT, SID, true, 3),
					EVT_1_PNU | EVT_1_IND | FIELD_PREP(EVT_1_REASON, 1), 0x1234,
					0 },
		   "F_UUT");

	/* C_BAD_STREAMID: SID beyond 2^LOG2SIZE. */
	r = drv_txn(&d, 0x100, true, 9, 0x1000, IMS_VMSA_READ);
	is_int(r.fault.event, EVT_ID_BAD_STREAMID, "C_BAD_STREAMID: event");
	expect_evt(&d, (const uint64_t[4]){ w0(EVT_ID_BAD_STREAMID, 0x100, true, 9), 0, 0, 0 },
		   "C_BAD_STREAMID");
	/* ... not recorded when CR2.RECINVSID == 0 (CR2 is writable only with SMMUEN == 0). */
	wr32(&d, SMMU_CR0, CR0_EVENTQEN | CR0_CMDQEN);
	wr32(&d, SMMU_CR2, 0);
	wr32(&d, SMMU_CR0, CR0_EVENTQEN | CR0_CMDQEN | CR0_SMMUEN);
	r = drv_txn(&d, 0x100, false, 0, 0x1000, IMS_VMSA_READ);
	is_int(r.status, IMS_TXN_ABORT, "C_BAD_STREAMID without RECINVSID: silent abort");
	is_int(drv_evt_drain(&d), 0, "... no record");

	/* C_BAD_STE: V == 0, then a reserved Config. */
	r = drv_txn(&d, SID, false, 0, 0x1000, IMS_VMSA_WRITE);
	is_int(r.fault.event, EVT_ID_BAD_STE, "C_BAD_STE (V=0): event");
	expect_evt(&d, (const uint64_t[4]){ w0(EVT_ID_BAD_STE, SID, false, 0), 0, 0, 0 },
		   "C_BAD_STE (V=0)");
	ste[0] = STE_0_V | FIELD_PREP(STE_0_CFG, 2);
	drv_write_ste(&d, SID + 1, ste);
	r = drv_txn(&d, SID + 1, true, 1, 0x1000, IMS_VMSA_WRITE);
	expect_evt(&d, (const uint64_t[4]){ w0(EVT_ID_BAD_STE, SID + 1, true, 1), 0, 0, 0 },
		   "C_BAD_STE (reserved Config)");
	/* S2 STE with S2AA64 == 0 is ILLEGAL. */
	ste[0] = STE_0_V | FIELD_PREP(STE_0_CFG, STE_CFG_S2);
	ste[2] = FIELD_PREP(STE_2_S2T0SZ, 25) | FIELD_PREP(STE_2_S2SL0, 1);
	drv_write_ste(&d, SID + 2, ste);
	r = drv_txn(&d, SID + 2, false, 0, 0x1000, IMS_VMSA_READ);
	is_int(r.fault.event, EVT_ID_BAD_STE, "C_BAD_STE: S2AA64 == 0");
	/* ... and with an SL0 inconsistent with S2T0SZ. */
	ste[2] |= STE_2_S2AA64 | FIELD_PREP(STE_2_S2SL0, 3);
	drv_write_ste(&d, SID + 3, ste);
	r = drv_txn(&d, SID + 3, false, 0, 0x1000, IMS_VMSA_READ);
	is_int(r.fault.event, EVT_ID_BAD_STE, "C_BAD_STE: reserved S2SL0");
	drv_evt_drain(&d);

	/* STE Config abort: terminated without an event. */
	memset(ste, 0, sizeof(ste));
	ste[0] = STE_0_V;
	drv_write_ste(&d, SID + 4, ste);
	r = drv_txn(&d, SID + 4, false, 0, 0x1000, IMS_VMSA_READ);
	is_int(r.status, IMS_TXN_ABORT, "abort STE: ABORT");
	is_int(drv_evt_drain(&d), 0, "abort STE: no event");
	/* Bypass STE with a SubstreamID: C_BAD_SUBSTREAMID (no SSV bit). */
	ste[0] = STE_0_V | FIELD_PREP(STE_0_CFG, STE_CFG_BYPASS);
	drv_write_ste(&d, SID + 5, ste);
	r = drv_txn(&d, SID + 5, false, 0, 0x1000, IMS_VMSA_READ);
	is_int(r.status, IMS_TXN_BYPASS, "bypass STE: bypass");
	r = drv_txn(&d, SID + 5, true, 0x77, 0x1000, IMS_VMSA_READ);
	expect_evt(&d,
		   (const uint64_t[4]){ FIELD_PREP(EVT_0_ID, EVT_ID_BAD_SUBSTREAMID) |
						FIELD_PREP(EVT_0_SID, SID + 5) |
						FIELD_PREP(EVT_0_SSID, 0x77),
					0, 0, 0 },
		   "C_BAD_SUBSTREAMID (stage 1 bypassed)");
	drv_destroy(&d);

	/* F_STE_FETCH: the stream table is not in RAM. */
	drv_create(&d, NULL);
	drv_setup(&d, 8, 0);
	wr32(&d, SMMU_CR0, CR0_EVENTQEN | CR0_CMDQEN);
	wr64(&d, SMMU_STRTAB_BASE, 0x200000000ULL);
	wr32(&d, SMMU_CR0, CR0_EVENTQEN | CR0_CMDQEN | CR0_SMMUEN);
	r = drv_txn(&d, 3, false, 0, 0x1000, IMS_VMSA_READ);
	is_int(r.fault.event, EVT_ID_STE_FETCH, "F_STE_FETCH: event");
	expect_evt(&d,
		   (const uint64_t[4]){ w0(EVT_ID_STE_FETCH, 3, false, 0), 0, 0,
					0x200000000ULL + 3 * 64 },
		   "F_STE_FETCH");
	drv_destroy(&d);
}

static void test_cd_events(void)
{
	struct drv d;
	struct ims_txn_result r;
	struct drv_cd c = { 0 };
	uint64_t cdtab, ste[8] = { 0 }, cd0;

	drv_create(&d, NULL);
	drv_setup(&d, 8, 0);
	cdtab = drv_alloc(&d, 64 * 16, 64 * 16);
	/* A 16-entry linear CD table, S1DSS = terminate. */
	drv_ste_s1(&d, SID, cdtab, 4, STE_S1FMT_LINEAR, STE_S1DSS_TERMINATE);
	r = drv_txn(&d, SID, false, 0, 0x1000, IMS_VMSA_READ);
	is_int(r.fault.event, EVT_ID_STREAM_DISABLED, "F_STREAM_DISABLED: no SSID, S1DSS=0");
	expect_evt(&d,
		   (const uint64_t[4]){ FIELD_PREP(EVT_0_ID, EVT_ID_STREAM_DISABLED) |
						FIELD_PREP(EVT_0_SID, SID),
					0, 0, 0 },
		   "F_STREAM_DISABLED");
	drv_ste_s1(&d, SID + 1, cdtab, 4, STE_S1FMT_LINEAR, STE_S1DSS_SSID0);
	r = drv_txn(&d, SID + 1, true, 0, 0x1000, IMS_VMSA_READ);
	is_int(r.fault.event, EVT_ID_STREAM_DISABLED, "F_STREAM_DISABLED: SSID 0 with S1DSS=SSID0");
	drv_evt_drain(&d);
	/* SSID beyond S1CDMax. */
	r = drv_txn(&d, SID, true, 16, 0x1000, IMS_VMSA_READ);
	is_int(r.fault.event, EVT_ID_BAD_SUBSTREAMID, "C_BAD_SUBSTREAMID: SSID >= 2^S1CDMax");
	expect_evt(&d,
		   (const uint64_t[4]){ FIELD_PREP(EVT_0_ID, EVT_ID_BAD_SUBSTREAMID) |
						FIELD_PREP(EVT_0_SID, SID) |
						FIELD_PREP(EVT_0_SSID, 16),
					0, 0, 0 },
		   "C_BAD_SUBSTREAMID");
	/* C_BAD_CD: CD 3 is all zero (V == 0). */
	r = drv_txn(&d, SID, true, 3, 0x1000, IMS_VMSA_READ);
	is_int(r.fault.event, EVT_ID_BAD_CD, "C_BAD_CD: V=0");
	expect_evt(&d, (const uint64_t[4]){ w0(EVT_ID_BAD_CD, SID, true, 3), 0, 0, 0 }, "C_BAD_CD");
	/* C_BAD_CD: AA64 == 0. */
	drv_write_cd(&d, cdtab + 64 * 4, &c);
	ims_mem_write64(d.mem, cdtab + 64 * 4, CD_0_V | FIELD_PREP(CD_0_T0SZ, 16));
	r = drv_txn(&d, SID, true, 4, 0x1000, IMS_VMSA_READ);
	is_int(r.fault.event, EVT_ID_BAD_CD, "C_BAD_CD: AA64=0");
	/* ... and a T0SZ outside the granule's range. */
	c.t0sz = 10;
	c.record = true;
	drv_write_cd(&d, cdtab + 64 * 5, &c);
	r = drv_txn(&d, SID, true, 5, 0x1000, IMS_VMSA_READ);
	is_int(r.fault.event, EVT_ID_BAD_CD, "C_BAD_CD: T0SZ 10");
	drv_evt_drain(&d);

	/* F_CD_FETCH: S1ContextPtr outside RAM. */
	drv_ste_s1(&d, SID + 2, 0x300000000ULL, 0, 0, 0);
	r = drv_txn(&d, SID + 2, false, 0, 0x2000, IMS_VMSA_READ);
	is_int(r.fault.event, EVT_ID_CD_FETCH, "F_CD_FETCH: event");
	expect_evt(
		&d,
		(const uint64_t[4]){ w0(EVT_ID_CD_FETCH, SID + 2, false, 0), 0, 0, 0x300000000ULL },
		"F_CD_FETCH");
	/* ... with a SubstreamID into a linear table. */
	drv_ste_s1(&d, SID + 3, 0x300000000ULL, 3, 0, 0);
	r = drv_txn(&d, SID + 3, true, 5, 0x2000, IMS_VMSA_READ);
	expect_evt(&d,
		   (const uint64_t[4]){ w0(EVT_ID_CD_FETCH, SID + 3, true, 5), 0, 0,
					0x300000000ULL + 5 * 64 },
		   "F_CD_FETCH (SSID 5)");

	/* S1DSS = bypass: non-substream traffic bypasses stage 1. */
	drv_ste_s1(&d, SID + 4, cdtab, 4, STE_S1FMT_LINEAR, STE_S1DSS_BYPASS);
	r = drv_txn(&d, SID + 4, false, 0, 0x5000, IMS_VMSA_READ);
	is_int(r.status, IMS_TXN_BYPASS, "S1DSS=bypass: non-substream traffic bypasses");
	cd0 = drv_alloc(&d, 64, 64);
	(void)cd0;
	(void)ste;
	drv_destroy(&d);
}

static void test_walk_events(void)
{
	struct drv d;
	struct ims_txn_result r;
	struct drv_cd c = { 0 };
	struct drv_pt pt;
	uint64_t cd, ste[8] = { 0 };

	drv_create(&d, NULL);
	drv_setup(&d, 8, 0);
	cd = drv_alloc(&d, 64, 64);
	c.asid = 3;
	pt = s1_setup(&d, SID, cd, &c);

	/* F_TRANSLATION, stage 1: unmapped VA. */
	r = drv_txn(&d, SID, false, 0, 0x40000123ULL, IMS_VMSA_READ | IMS_VMSA_PRIV);
	is_int(r.status, IMS_TXN_FAULT, "F_TRANSLATION: fault");
	expect_evt(
		&d,
		(const uint64_t[4]){ w0(EVT_ID_TRANSLATION, SID, false, 0),
				     EVT_1_PNU | EVT_1_RNW | FIELD_PREP(EVT_1_CLASS, EVT_CLASS_IN),
				     0x40000123ULL, 0 },
		"F_TRANSLATION (S1)");

	/* F_ACCESS: AF == 0. */
	drv_map(&d, &pt, 0x3000, DRV_RAM, 3, DRV_R | DRV_W | DRV_NOAF);
	r = drv_txn(&d, SID, false, 0, 0x3008, IMS_VMSA_WRITE);
	is_int(r.fault.event, EVT_ID_ACCESS, "F_ACCESS: event");
	expect_evt(&d,
		   (const uint64_t[4]){ w0(EVT_ID_ACCESS, SID, false, 0),
					FIELD_PREP(EVT_1_CLASS, EVT_CLASS_IN), 0x3008, 0 },
		   "F_ACCESS");

	/* F_PERMISSION: exec of an XN page, unprivileged. */
	drv_map(&d, &pt, 0x4000, DRV_RAM, 3, DRV_R | DRV_XN);
	r = drv_txn(&d, SID, false, 0, 0x4010, IMS_VMSA_READ | IMS_VMSA_EXEC);
	is_int(r.fault.event, EVT_ID_PERMISSION, "F_PERMISSION: event");
	expect_evt(
		&d,
		(const uint64_t[4]){ w0(EVT_ID_PERMISSION, SID, false, 0),
				     EVT_1_IND | EVT_1_RNW | FIELD_PREP(EVT_1_CLASS, EVT_CLASS_IN),
				     0x4010, 0 },
		"F_PERMISSION");

	/* F_ADDR_SIZE: output beyond CD.IPS (32 bits). */
	c.ips = 0;
	drv_write_cd(&d, cd, &c);
	drv_cfgi_cd(&d, SID, 0);
	drv_sync(&d);
	drv_map(&d, &pt, 0x5000, 0x100000000ULL, 3, DRV_R);
	r = drv_txn(&d, SID, false, 0, 0x5000, IMS_VMSA_READ);
	is_int(r.fault.event, EVT_ID_ADDR_SIZE, "F_ADDR_SIZE: event");
	expect_evt(&d,
		   (const uint64_t[4]){ w0(EVT_ID_ADDR_SIZE, SID, false, 0),
					EVT_1_RNW | FIELD_PREP(EVT_1_CLASS, EVT_CLASS_IN), 0x5000,
					0 },
		   "F_ADDR_SIZE");

	/* F_WALK_EABT: a table pointer outside RAM; CLASS = TT, FetchAddr. */
	c.ips = 5;
	drv_write_cd(&d, cd, &c);
	drv_cfgi_cd(&d, SID, 0);
	drv_sync(&d);
	ims_mem_write64(d.mem, drv_pte_pa(&d, &pt, 0x7fff00000000ULL, 0),
			0x400000000ULL | PTE_VALID | PTE_TABLE);
	r = drv_txn(&d, SID, true, 0, 0x7fff00000000ULL, IMS_VMSA_READ);
	is_int(r.fault.event, EVT_ID_BAD_SUBSTREAMID, "SSV with S1CDMax == 0: C_BAD_SUBSTREAMID");
	drv_evt_drain(&d);
	r = drv_txn(&d, SID, false, 0, 0x7fff00000000ULL, IMS_VMSA_READ);
	is_int(r.fault.event, EVT_ID_WALK_EABT, "F_WALK_EABT: event");
	expect_evt(&d,
		   (const uint64_t[4]){ w0(EVT_ID_WALK_EABT, SID, false, 0),
					EVT_1_RNW | FIELD_PREP(EVT_1_CLASS, EVT_CLASS_TT),
					0x7fff00000000ULL,
					0x400000000ULL + 8 * ((0x7fff00000000ULL >> 30) & 511) },
		   "F_WALK_EABT");

	/* CD.R == 0: a translation fault is not recorded. */
	c.record = false;
	drv_write_cd(&d, cd, &c);
	drv_cfgi_cd(&d, SID, 0);
	drv_sync(&d);
	r = drv_txn(&d, SID, false, 0, 0x40000000ULL, IMS_VMSA_READ);
	is_int(r.status, IMS_TXN_ABORT, "CD.R=0: terminated");
	is_int(r.fault.event, EVT_ID_TRANSLATION,
	       "CD.R=0: the fault is still reported to the caller");
	is_int(drv_evt_drain(&d), 0, "CD.R=0: nothing recorded");

	/* Stage-2 fault, S2R = 1 / 0. */
	{
		struct drv_pt s2pt;
		unsigned int concat;
		int lvl = ims_vmsa_s2_start_level(12, 1, 39, &concat);

		drv_pt_init(&d, &s2pt, 12, 39, lvl, concat, true);
		ste[0] = STE_0_V | FIELD_PREP(STE_0_CFG, STE_CFG_S2);
		ste[2] = FIELD_PREP(STE_2_S2VMID, 1) | FIELD_PREP(STE_2_S2T0SZ, 25) |
			 FIELD_PREP(STE_2_S2SL0, 1) | FIELD_PREP(STE_2_S2PS, 5) | STE_2_S2AA64 |
			 STE_2_S2R;
		ste[3] = s2pt.root;
		drv_write_ste(&d, SID + 1, ste);
		r = drv_txn(&d, SID + 1, false, 0, 0x1234567, IMS_VMSA_WRITE);
		expect_evt(&d,
			   (const uint64_t[4]){ w0(EVT_ID_TRANSLATION, SID + 1, false, 0),
						EVT_1_S2 | FIELD_PREP(EVT_1_CLASS, EVT_CLASS_IN),
						0x1234567, 0x1234000 },
			   "F_TRANSLATION (S2)");
		/* An IPA beyond S2T0SZ. */
		r = drv_txn(&d, SID + 1, false, 0, 1ULL << 39, IMS_VMSA_READ);
		expect_evt(&d,
			   (const uint64_t[4]){ w0(EVT_ID_TRANSLATION, SID + 1, false, 0),
						EVT_1_RNW | EVT_1_S2 |
							FIELD_PREP(EVT_1_CLASS, EVT_CLASS_IN),
						1ULL << 39, 1ULL << 39 },
			   "F_TRANSLATION (S2, beyond S2T0SZ)");
		ste[2] &= ~STE_2_S2R;
		drv_write_ste(&d, SID + 2, ste);
		r = drv_txn(&d, SID + 2, false, 0, 0x1234567, IMS_VMSA_WRITE);
		is_int(r.status, IMS_TXN_ABORT, "S2R=0: terminated");
		is_int(drv_evt_drain(&d), 0, "S2R=0: nothing recorded");
	}
	drv_destroy(&d);
}

static void test_stall(void)
{
	struct ims_smmuv3_params p;
	struct drv d;
	struct ims_txn_result r;
	struct drv_cd c = { 0 };
	uint64_t cd, rec[4];

	ims_smmuv3_params_default(&p);
	p.stall_model = 0;
	drv_create(&d, &p);
	drv_setup(&d, 8, 0);
	cd = drv_alloc(&d, 64, 64);
	s1_setup(&d, SID, cd, &c);
	ims_mem_write64(d.mem, cd, (ims_mem_read64(d.mem, cd, &rec[0]), rec[0]) | CD_0_S);
	r = drv_txn(&d, SID, false, 0, 0x9000, IMS_VMSA_READ);
	is_int(r.status, IMS_TXN_STALL, "CD.S=1: the fault stalls");
	ok(drv_evt_pop(&d, rec), "stall: recorded");
	ok(rec[1] & EVT_1_STALL, "stall: Stall = 1");
	r = drv_txn(&d, SID, false, 0, 0xa000, IMS_VMSA_READ);
	ok(drv_evt_pop(&d, rec) && FIELD_GET(EVT_1_STAG, rec[1]) == 1, "stall: STAG increments");
	/* RESUME is accepted with stalls implemented. */
	drv_cmd(&d, FIELD_PREP(CMD_0_OP, CMDQ_OP_RESUME) | FIELD_PREP(CMD_0_SID, SID), 0);
	ok(drv_sync(&d), "RESUME accepted");
	drv_destroy(&d);
}

int main(void)
{
	test_stream_events();
	test_cd_events();
	test_walk_events();
	test_stall();
	return tap_done();
}
