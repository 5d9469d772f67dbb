// SPDX-License-Identifier: MIT
/*
 * The hitless STE/CD update vectors of Linux 6.12's arm-smmu-v3 KUnit suite
 * ("arm-smmu-v3-kunit-test", reference §10.4), run against the driver's own
 * arm_smmu_write_entry() and STE/CD builders, plus the command encodings.
 */
#include "v3-test.h"

struct test_writer {
	struct arm_smmu_entry_writer w;
	const uint64_t *init, *target;
	uint64_t *entry;
	bool invalid_written, mixed;
	unsigned int syncs;
};

static bool differs_in_used(const uint64_t *e, const uint64_t *used, const uint64_t *t)
{
	for (int i = 0; i < 8; i++)
		if ((e[i] & used[i]) != (t[i] & used[i]))
			return true;
	return false;
}

/* arm_smmu_test_writer_record_syncs(): at each sync, qword 0 and the used bits. */
static void record_sync(struct arm_smmu_entry_writer *w)
{
	struct test_writer *tw = (struct test_writer *)(void *)w;
	uint64_t used[8];

	tw->syncs++;
	if (!tw->entry[0]) {
		tw->invalid_written = true;
		return;
	}
	w->ops->get_used(tw->entry, used);
	if (differs_in_used(tw->entry, used, tw->init) &&
	    differs_in_used(tw->entry, used, tw->target))
		tw->mixed = true;
}

static const struct arm_smmu_entry_writer_ops ste_ops = { .get_used = arm_smmu_get_ste_used,
							  .sync = record_sync };
static const struct arm_smmu_entry_writer_ops cd_ops = { .get_used = arm_smmu_get_cd_used,
							 .sync = record_sync };

static void expect(const char *name, const struct arm_smmu_entry_writer_ops *ops,
		   const uint64_t *cur, const uint64_t *target, unsigned int syncs, bool hitless)
{
	uint64_t copy[8];
	struct test_writer tw = {
		.w = { .ops = ops }, .init = cur, .target = target, .entry = copy
	};

	memcpy(copy, cur, sizeof(copy));
	arm_smmu_write_entry(&tw.w, copy, target);
	is_int(tw.syncs, syncs, "%s: %u syncs", name, syncs);
	is_int(tw.invalid_written, !hitless, "%s: %s", name, hitless ? "hitless" : "not hitless");
	ok(!tw.mixed, "%s: every sync saw the initial or the target configuration", name);
	ok(!memcmp(copy, target, sizeof(copy)), "%s: the entry ends equal to the target", name);
}

/* The KUnit fixture SMMU: features STALLS | ATTR_TYPES_OVR. */
static struct arm_smmu_device smmu_fx = { .features = ARM_SMMU_FEAT_STALLS |
						      ARM_SMMU_FEAT_ATTR_TYPES_OVR };

static void make_cdtable_ste(uint64_t *ste, unsigned int s1dss, uint64_t dma, bool ats, bool stall)
{
	struct arm_smmu_master master = { .smmu = &smmu_fx, .stall_enabled = stall };

	master.cd_table.cdtab_dma = dma;
	master.cd_table.s1cdmax = 0xff;
	master.cd_table.s1fmt = STE_S1FMT_64K_L2;
	arm_smmu_make_cdtable_ste(ste, &master, ats, s1dss);
}

/* The KUnit fixture's walk attributes (the io_pgtable_cfg tcr / vtcr it fakes). */
static void fixture_tcr(struct ims_arm_lpae_tcr *tcr)
{
	tcr->ips = 1;
	tcr->tg = 2;
	tcr->sh = 3;
	tcr->orgn = 1;
	tcr->irgn = 2;
	tcr->tsz = 4;
}

static void make_s2_ste(uint64_t *ste, bool ats, bool stall)
{
	struct arm_smmu_master master = { .smmu = &smmu_fx, .stall_enabled = stall };
	struct arm_smmu_domain d = { .stage = ARM_SMMU_DOMAIN_S2 };

	d.pgtbl_cfg.s2.vttbr = 0xdaedbeefdeadbeefull;
	fixture_tcr(&d.pgtbl_cfg.s2.vtcr);
	d.pgtbl_cfg.s2.vtcr.sl = 3;
	arm_smmu_make_s2_domain_ste(ste, &master, &d, ats);
}

static void make_s1_cd(uint64_t *cd, uint16_t asid)
{
	struct arm_smmu_master master = { .smmu = &smmu_fx };
	struct arm_smmu_domain d = { .stage = ARM_SMMU_DOMAIN_S1, .asid = asid };

	d.pgtbl_cfg.s1.ttbr = 0xdaedbeefdeadbeefull;
	fixture_tcr(&d.pgtbl_cfg.s1.tcr);
	d.pgtbl_cfg.s1.mair = 0xabcdef012345678ull;
	arm_smmu_make_s1_cd(cd, &master, &d);
}

static void ste_pair(const char *a, const uint64_t *x, const char *b, const uint64_t *y,
		     unsigned int syncs_xy, unsigned int syncs_yx)
{
	char n[96];

	snprintf(n, sizeof(n), "%s_to_%s", a, b);
	expect(n, &ste_ops, x, y, syncs_xy, true);
	snprintf(n, sizeof(n), "%s_to_%s", b, a);
	expect(n, &ste_ops, y, x, syncs_yx, true);
}

static void test_encodings(void)
{
	uint64_t abort_ste[8], bypass[8], cmd[2];
	struct arm_smmu_cmdq_ent ent = { .opcode = CMDQ_OP_CFGI_STE, .sid = 0x1234, .leaf = true };

	arm_smmu_make_abort_ste(abort_ste);
	arm_smmu_make_bypass_ste(&smmu_fx, bypass);
	is_hex(abort_ste[0], 0x1, "abort STE data[0] = V");
	is_hex(bypass[0], 0x9, "bypass STE data[0] = V | CFG bypass");
	is_hex(bypass[1], 1ull << 44, "bypass STE with ATTR_TYPES_OVR: SHCFG incoming");
	is_int(arm_smmu_cmdq_build_cmd(cmd, &ent), 0, "CFGI_STE builds");
	is_hex(cmd[0], 0x0000123400000003ull, "CFGI_STE sid 0x1234 cmd[0]");
	is_hex(cmd[1], 0x1, "CFGI_STE leaf cmd[1]");
	ent = (struct arm_smmu_cmdq_ent){ .opcode = CMDQ_OP_CMD_SYNC };
	arm_smmu_cmdq_build_cmd(cmd, &ent);
	is_hex(cmd[0], 0x0FC02046ull, "CMD_SYNC (SEV) cmd[0]");
	ent.msiaddr = 0x40001238ull;
	arm_smmu_cmdq_build_cmd(cmd, &ent);
	is_hex(cmd[0], 0x0FC01046ull, "CMD_SYNC with MSI: CS = IRQ");
	is_hex(cmd[1], 0x40001238ull, "CMD_SYNC with MSI: MSIADDR");
	ent = (struct arm_smmu_cmdq_ent){ .opcode = CMDQ_OP_TLBI_NH_ASID, .asid = 5 };
	arm_smmu_cmdq_build_cmd(cmd, &ent);
	is_hex(cmd[0], 0x0005000000000011ull, "TLBI_NH_ASID asid 5");
	ent = (struct arm_smmu_cmdq_ent){ .opcode = 0x7f };
	is_int(arm_smmu_cmdq_build_cmd(cmd, &ent), -ENOENT, "unknown opcode: -ENOENT");
}

int main(void)
{
	uint64_t abort_ste[8], bypass[8], cdt[8], cdt_byp[8], s2[8], s1_ats[8], s2_stall[8];
	uint64_t s1_stall[8], other[8], zero[8] = { 0 }, cd1[8], cd2[8];

	test_encodings();
	arm_smmu_make_abort_ste(abort_ste);
	arm_smmu_make_bypass_ste(&smmu_fx, bypass);

	ste_pair("bypass", bypass, "abort", abort_ste, 2, 2);

	make_cdtable_ste(cdt, STE_S1DSS_SSID0, 0xF0F0F0F0F0F0ull, true, false);
	ste_pair("cdtable", cdt, "abort", abort_ste, 2, 2);
	ste_pair("cdtable", cdt, "bypass", bypass, 3, 3);

	make_cdtable_ste(cdt_byp, STE_S1DSS_BYPASS, 0xF0F0F0F0F0F0ull, true, false);
	ste_pair("cdtable_ssid0", cdt, "cdtable_s1dss_bypass", cdt_byp, 1, 1);
	ste_pair("s1dssbypass", cdt_byp, "stebypass", bypass, 2, 2);

	make_s2_ste(s2, true, false);
	ste_pair("s2", s2, "abort", abort_ste, 2, 2);
	ste_pair("s2", s2, "bypass", bypass, 2, 2);
	make_cdtable_ste(s1_ats, STE_S1DSS_SSID0, 0xF0F0F0F0F0F0ull, true, false);
	ste_pair("s1", s1_ats, "s2", s2, 3, 3);

	make_cdtable_ste(s1_stall, STE_S1DSS_SSID0, 0xF0F0F0F0F0F0ull, false, true);
	make_s2_ste(s2_stall, false, true);
	ste_pair("s1_stall", s1_stall, "s2_stall", s2_stall, 3, 3);

	make_cdtable_ste(other, STE_S1DSS_BYPASS, 0x4B4B4b4B4Bull, true, false);
	expect("non_hitless", &ste_ops, cdt, other, 3, false);

	make_s1_cd(cd1, 1997);
	expect("write_cd s1_clear zero_to_s1", &cd_ops, zero, cd1, 2, false);
	expect("write_cd s1_clear s1_to_zero", &cd_ops, cd1, zero, 2, false);
	make_s1_cd(cd2, 778);
	expect("write_cd s1_change_asid 778_to_1997", &cd_ops, cd2, cd1, 1, true);
	expect("write_cd s1_change_asid 1997_to_778", &cd_ops, cd1, cd2, 1, true);

	/* The CD fixture decodes as arm_smmu_make_s1_cd() meant it. */
	is_hex(FIELD_GET(CD_0_ASID, cd1[0]), 1997, "CD ASID");
	is_hex(cd1[0] & (CD_0_V | CD_0_AA64 | CD_0_R | CD_0_A | CD_0_ASET | CD_0_EPD1),
	       CD_0_V | CD_0_AA64 | CD_0_R | CD_0_A | CD_0_ASET | CD_0_EPD1,
	       "CD V, AA64, R, A, ASET, EPD1");
	is_hex(FIELD_GET(CD_0_T0SZ, cd1[0]) | FIELD_GET(CD_0_TG0, cd1[0]) << 8 |
		       FIELD_GET(CD_0_IRGN0, cd1[0]) << 12 | FIELD_GET(CD_0_ORGN0, cd1[0]) << 16 |
		       FIELD_GET(CD_0_SH0, cd1[0]) << 20 | FIELD_GET(CD_0_IPS, cd1[0]) << 24,
	       0x1312204ull, "CD T0SZ 4, TG0 2, IRGN0 2, ORGN0 1, SH0 3, IPS 1");
	is_hex(cd1[1], 0xdaedbeefdeadbeefull & CD_1_TTB0, "CD TTB0");
	is_hex(cd1[3], 0xabcdef012345678ull, "CD MAIR");
	is_hex(FIELD_GET(STE_2_VTCR, s2[2]), 0x1b6c4ull, "S2 STE VTCR fields");
	ok((s2[2] & (STE_2_S2AA64 | STE_2_S2PTW | STE_2_S2R)) ==
			   (STE_2_S2AA64 | STE_2_S2PTW | STE_2_S2R) &&
		   !(s2[2] & STE_2_S2S) && (s2_stall[2] & STE_2_S2S),
	   "S2 STE: AA64, PTW, R; S2S only when the master stalls");
	ok(!(s1_stall[1] & STE_1_S1STALLD) && (cdt[1] & STE_1_S1STALLD),
	   "S1STALLD set when stalls are supported but the master has them off");
	return tap_done();
}
