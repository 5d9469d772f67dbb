/* SPDX-License-Identifier: MIT */
/*
 * SMMUv3 configuration structures: linear and 2-level stream tables
 * (SPLIT 6/8/10, Span rules, base alignment, LOG2SIZE capping) and linear
 * and 2-level CD tables (IHI 0070 §3.3, §5.1-§5.4, §6.3.22-23).
 */
#include "drv.h"

static uint64_t bypass_ste[8] = { STE_0_V | FIELD_PREP(STE_0_CFG, STE_CFG_BYPASS) };

static void test_linear(void)
{
	struct ims_smmuv3_params p;
	struct drv d;
	struct ims_txn_result r;

	ims_smmuv3_params_default(&p);
	p.sidsize = 8;
	drv_create(&d, &p);
	drv_setup(&d, 8, 0);
	drv_write_ste(&d, 0xff, bypass_ste);
	r = drv_txn(&d, 0xff, false, 0, 0x1000, IMS_VMSA_READ);
	is_int(r.status, IMS_TXN_BYPASS, "linear: SID 255 of 256");
	r = drv_txn(&d, 0x100, false, 0, 0x1000, IMS_VMSA_READ);
	is_int(r.fault.event, EVT_ID_BAD_STREAMID, "linear: SID 256 -> C_BAD_STREAMID");
	/* LOG2SIZE above SIDSIZE is capped at SIDSIZE (CONSTRAINED UNPREDICTABLE choice). */
	wr32(&d, SMMU_CR0, CR0_EVENTQEN | CR0_CMDQEN);
	wr32(&d, SMMU_STRTAB_BASE_CFG, 12);
	is_hex(rd32(&d, SMMU_STRTAB_BASE_CFG), 12, "LOG2SIZE reads back as written");
	/* A base that is not aligned to the table size is aligned down (§6.3.22). */
	wr64(&d, SMMU_STRTAB_BASE, d.strtab + 0x1040);
	wr32(&d, SMMU_CR0, CR0_EVENTQEN | CR0_CMDQEN | CR0_SMMUEN);
	r = drv_txn(&d, 0x100, false, 0, 0x1000, IMS_VMSA_READ);
	is_int(r.fault.event, EVT_ID_BAD_STREAMID, "LOG2SIZE 12 > SIDSIZE 8: SID 256 still out");
	r = drv_txn(&d, 0xff, false, 0, 0x1000, IMS_VMSA_READ);
	is_int(r.status, IMS_TXN_BYPASS, "misaligned STRTAB_BASE: aligned to the table size");
	drv_destroy(&d);
}

static void test_2lvl(void)
{
	static const unsigned int splits[] = { 6, 8, 10 };
	struct drv d;
	struct ims_txn_result r;

	for (unsigned int i = 0; i < ARRAY_SIZE(splits); i++) {
		unsigned int sp = splits[i];
		uint32_t sid = (3u << sp) | ((1u << sp) - 1);
		uint64_t l1_pa;

		drv_create(&d, NULL);
		drv_setup(&d, sp + 3, sp);
		drv_write_ste(&d, sid, bypass_ste);
		r = drv_txn(&d, sid, false, 0, 0x1000, IMS_VMSA_READ);
		is_int(r.status, IMS_TXN_BYPASS, "2-level SPLIT %u: last SID of L2 table 3", sp);
		r = drv_txn(&d, sid - 1, false, 0, 0x1000, IMS_VMSA_READ);
		is_int(r.fault.event, EVT_ID_BAD_STE, "2-level SPLIT %u: neighbour STE invalid",
		       sp);
		/* Span 2 covers 2 STEs: SID index 2 of L2 table 1 is out of range. */
		l1_pa = d.strtab + 8;
		{
			uint64_t l1;

			ims_mem_read64(d.mem, l1_pa, &l1);
			ims_mem_write64(d.mem, l1_pa, (l1 & ~L1STD_SPAN) | 2);
		}
		drv_write_ste(&d, (1u << sp) | 1, bypass_ste);
		r = drv_txn(&d, (1u << sp) | 1, false, 0, 0x1000, IMS_VMSA_READ);
		is_int(r.status, IMS_TXN_BYPASS, "SPLIT %u: Span 2 covers index 1", sp);
		r = drv_txn(&d, (1u << sp) | 2, false, 0, 0x1000, IMS_VMSA_READ);
		is_int(r.fault.event, EVT_ID_BAD_STREAMID, "SPLIT %u: index 2 beyond Span 2", sp);
		/* Span 0: the L2 table is invalid. */
		ims_mem_write64(d.mem, d.strtab + 16, 0);
		r = drv_txn(&d, 2u << sp, false, 0, 0x1000, IMS_VMSA_READ);
		is_int(r.fault.event, EVT_ID_BAD_STREAMID, "SPLIT %u: Span 0 -> C_BAD_STREAMID",
		       sp);
		/* Span above SPLIT + 1. */
		ims_mem_write64(d.mem, d.strtab + 16, sp + 2);
		r = drv_txn(&d, 2u << sp, false, 0, 0x1000, IMS_VMSA_READ);
		is_int(r.fault.event, EVT_ID_BAD_STREAMID, "SPLIT %u: Span > SPLIT+1", sp);
		/* An L1 descriptor outside the table's LOG2SIZE. */
		r = drv_txn(&d, 8u << sp, false, 0, 0x1000, IMS_VMSA_READ);
		is_int(r.fault.event, EVT_ID_BAD_STREAMID, "SPLIT %u: SID beyond LOG2SIZE", sp);
		/* L2 pointer outside RAM: F_STE_FETCH at the STE address. */
		ims_mem_write64(d.mem, d.strtab + 16, 0x500000000ULL | (sp + 1));
		r = drv_txn(&d, (2u << sp) | 3, false, 0, 0x1000, IMS_VMSA_READ);
		is_int(r.fault.event, EVT_ID_STE_FETCH, "SPLIT %u: L2 outside RAM -> F_STE_FETCH",
		       sp);
		is_hex(r.fault.record[3], 0x500000000ULL + 3 * 64, "SPLIT %u: FetchAddr", sp);
		drv_destroy(&d);
	}
}

static void test_cd_tables(void)
{
	static const unsigned int fmts[] = { STE_S1FMT_LINEAR, STE_S1FMT_4K_L2, STE_S1FMT_64K_L2 };
	struct drv d;
	struct ims_txn_result r;

	for (unsigned int f = 0; f < ARRAY_SIZE(fmts); f++) {
		unsigned int split = fmts[f] == STE_S1FMT_4K_L2 ? 6 : 10, cdmax = 12;
		uint32_t ssids[] = { 1, 63, 64, 1000, 1025, 4095 };
		uint64_t cdtab, l2[4] = { 0 };
		struct drv_pt pt;

		drv_create(&d, NULL);
		drv_setup(&d, 8, 0);
		drv_pt_init(&d, &pt, 12, 48, 0, 1, false);
		if (fmts[f] == STE_S1FMT_LINEAR)
			cdtab = drv_alloc(&d, 64ULL << cdmax, 64ULL << cdmax);
		else
			cdtab = drv_alloc(&d, 8ULL << (cdmax - split), 64);
		drv_ste_s1(&d, 7, cdtab, cdmax, fmts[f], STE_S1DSS_SSID0);
		for (unsigned int i = 0; i < ARRAY_SIZE(ssids); i++) {
			struct drv_cd c = { .asid = (uint16_t)(100 + i),
					    .t0sz = 16,
					    .ips = 5,
					    .ttb0 = pt.root,
					    .record = true };
			uint64_t cd_pa;

			if (fmts[f] == STE_S1FMT_LINEAR) {
				cd_pa = cdtab + 64ULL * ssids[i];
			} else {
				uint32_t l1i = ssids[i] >> split;
				uint64_t l1;

				ims_mem_read64(d.mem, cdtab + 8ULL * l1i, &l1);
				if (!(l1 & L1CD_V)) {
					uint64_t t = drv_alloc(&d, 64ULL << split, 4096);

					l1 = t | L1CD_V;
					ims_mem_write64(d.mem, cdtab + 8ULL * l1i, l1);
				}
				cd_pa = (l1 & L1CD_L2PTR) +
					64ULL * (ssids[i] & ((1u << split) - 1));
			}
			drv_write_cd(&d, cd_pa, &c);
			drv_map(&d, &pt, 0x10000ULL * (i + 1), DRV_RAM + 0x1000ULL * (i + 1), 3,
				DRV_R);
		}
		for (unsigned int i = 0; i < ARRAY_SIZE(ssids); i++) {
			r = drv_txn(&d, 7, true, ssids[i], 0x10000ULL * (i + 1), IMS_VMSA_READ);
			ok(r.status == IMS_TXN_OK && r.pa == DRV_RAM + 0x1000ULL * (i + 1),
			   "CD format %u: SSID %u translates", fmts[f], ssids[i]);
		}
		r = drv_txn(&d, 7, true, 2, 0x10000, IMS_VMSA_READ);
		if (fmts[f] == STE_S1FMT_LINEAR) {
			is_int(r.fault.event, EVT_ID_BAD_CD,
			       "linear CD table: empty CD -> C_BAD_CD");
		} else {
			/* SSID 2048 lands in an L1CD that was never set: V == 0. */
			r = drv_txn(&d, 7, true, 2048, 0x10000, IMS_VMSA_READ);
			is_int(r.fault.event, EVT_ID_BAD_SUBSTREAMID,
			       "CD format %u: L1CD.V=0 -> C_BAD_SUBSTREAMID", fmts[f]);
			is_int(FIELD_GET(EVT_0_SSID, r.fault.record[0]), 2048, "... SSID recorded");
		}
		(void)l2;
		drv_destroy(&d);
	}
}

static void test_ste_validity(void)
{
	struct ims_smmuv3_params p;
	struct drv d;
	struct ims_txn_result r;

	ims_smmuv3_params_default(&p);
	p.ssidsize = 4;
	p.cd2l = false;
	drv_create(&d, &p);
	drv_setup(&d, 8, 0);
	drv_ste_s1(&d, 1, DRV_RAM, 5, 0, 0);
	r = drv_txn(&d, 1, true, 1, 0, IMS_VMSA_READ);
	is_int(r.fault.event, EVT_ID_BAD_STE, "S1CDMax > SSIDSIZE -> C_BAD_STE");
	drv_ste_s1(&d, 2, DRV_RAM, 4, STE_S1FMT_4K_L2, 0);
	r = drv_txn(&d, 2, true, 1, 0, IMS_VMSA_READ);
	is_int(r.fault.event, EVT_ID_BAD_STE, "2-level CD table without CD2L -> C_BAD_STE");
	drv_destroy(&d);

	ims_smmuv3_params_qemu_virt(&p);
	drv_create(&d, &p);
	drv_setup(&d, 16, 8);
	{
		uint64_t ste[8] = { STE_0_V | FIELD_PREP(STE_0_CFG, STE_CFG_S2) };

		drv_write_ste(&d, 0x1234, ste);
	}
	r = drv_txn(&d, 0x1234, false, 0, 0, IMS_VMSA_READ);
	is_int(r.fault.event, EVT_ID_BAD_STE, "QEMU preset (no S2P): S2 STE -> C_BAD_STE");
	r = drv_txn(&d, 0x1234, true, 0, 0, IMS_VMSA_READ);
	is_int(r.fault.event, EVT_ID_BAD_STE, "... (STE checked before the SubstreamID)");
	drv_ste_s1(&d, 0xffff, DRV_RAM, 0, 0, 0);
	r = drv_txn(&d, 0xffff, true, 1, 0, IMS_VMSA_READ);
	is_int(r.fault.event, EVT_ID_BAD_SUBSTREAMID, "QEMU preset: SSID with SSIDSIZE 0");
	drv_destroy(&d);
}

int main(void)
{
	test_linear();
	test_2lvl();
	test_cd_tables();
	test_ste_validity();
	return tap_done();
}
