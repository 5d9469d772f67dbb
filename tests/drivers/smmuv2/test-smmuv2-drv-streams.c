// SPDX-License-Identifier: MIT
/*
 * arm-smmu stream matching (linux-semantics §10.5): the of_xlate encoding
 * with 1 and 2 cells and stream-match-mask, 16-bit truncation, the probe_device
 * range checks, SMR allocation (reuse on a subset, -EINVAL on a partial
 * overlap, -ENOSPC when full, stream indexing without SMRs), and the SMRs,
 * S2CRs and context banks read back from the model.
 */
#include "smmuv2-drv.h"

static const char board[] =
	"/dts-v1/;\n"
	"/ {\n"
	" #address-cells = <1>; #size-cells = <1>;\n"
	" memory@80000000 { device_type = \"memory\"; reg = <0x80000000 0x10000000>; };\n"
	" gic: interrupt-controller@8000000 { compatible = \"arm,gic-400\"; #interrupt-cells = <1>;"
	"  interrupt-controller; reg = <0x8000000 0x10000>; };\n"
	/* A: one cell, stream-match-mask 0x7f */
	" sa: iommu@2b400000 { compatible = \"arm,mmu-500\"; reg = <0x2b400000 0x20000>;"
	"  interrupt-parent = <&gic>; #global-interrupts = <1>;"
	"  interrupts = <1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17>;"
	"  #iommu-cells = <1>; stream-match-mask = <0x7f>; dma-coherent; };\n"
	/* B: two cells; its stream-match-mask is ignored */
	" sb: iommu@2b500000 { compatible = \"arm,mmu-500\"; reg = <0x2b500000 0x20000>;"
	"  interrupt-parent = <&gic>; #global-interrupts = <1>;"
	"  interrupts = <1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17>;"
	"  #iommu-cells = <2>; stream-match-mask = <0x7f00>; dma-coherent; };\n"
	/* C: two SMRs only */
	" sc: iommu@2b600000 { compatible = \"arm,smmu-v2\"; reg = <0x2b600000 0x20000>;"
	"  interrupt-parent = <&gic>; #global-interrupts = <1>;"
	"  interrupts = <1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17>;"
	"  #iommu-cells = <1>; iommusim,num-smr = <2>; };\n"
	" a0@1000 { compatible = \"acme,dev\"; reg = <0x1000 0x10>; iommus = <&sa 0x400>; };\n"
	" a1@1100 { compatible = \"acme,dev\"; reg = <0x1100 0x10>; iommus = <&sa 0x12345>; };\n"
	" a2@1200 { compatible = \"acme,dev\"; reg = <0x1200 0x10>; iommus = <&sa 0x410>; };\n"
	" b0@2000 { compatible = \"acme,dev\"; reg = <0x2000 0x10>; iommus = <&sb 0x400 0x7f>; };\n"
	" b1@2100 { compatible = \"acme,dev\"; reg = <0x2100 0x10>; iommus = <&sb 0x410 0x0f>; };\n"
	" b2@2200 { compatible = \"acme,dev\"; reg = <0x2200 0x10>; iommus = <&sb 0x410 0xff>; };\n"
	" b3@2300 { compatible = \"acme,dev\"; reg = <0x2300 0x10>; iommus = <&sb 0x500 0x0>; };\n"
	" b4@2400 { compatible = \"acme,dev\"; reg = <0x2400 0x10>; iommus = <&sb 0x12345 "
	"0x10001>; };\n"
	" b5@2500 { compatible = \"acme,dev\"; reg = <0x2500 0x10>; iommus = <&sb 0x8000 0>; };\n"
	" b6@2600 { compatible = \"acme,dev\"; reg = <0x2600 0x10>; iommus = <&sb 0x600 0x8000>; "
	"};\n"
	" b7@2700 { compatible = \"acme,dev\"; reg = <0x2700 0x10>;"
	"  iommus = <&sb 0x700 0>, <&sb 0x701 0>; };\n"
	" c0@3000 { compatible = \"acme,dev\"; reg = <0x3000 0x10>; iommus = <&sc 0x1>; };\n"
	" c1@3100 { compatible = \"acme,dev\"; reg = <0x3100 0x10>; iommus = <&sc 0x2>; };\n"
	" c2@3200 { compatible = \"acme,dev\"; reg = <0x3200 0x10>; iommus = <&sc 0x3>; };\n"
	"};\n";

static struct machine m;

static struct ims_device *dev(const char *name)
{
	return ims_devcore_find_device(m.dc, name);
}

static uint32_t fwid(const char *name, unsigned int i)
{
	struct ims_iommu_fwspec *fw = ims_dev_iommu_fwspec_get(dev(name));

	return fw && i < fw->num_ids ? fw->ids[i] : 0xffffffffu;
}

static int smendx(const char *name, unsigned int i)
{
	struct arm_smmu_master_cfg *cfg = drv_master(dev(name));

	return cfg && i < cfg->num ? cfg->smendx[i] : -100;
}

static bool no_iommu(const char *name)
{
	struct ims_device *d = dev(name);

	return d && !ims_dev_iommu_fwspec_get(d) && d->dma_ops == IMS_DMA_OPS_DIRECT &&
	       !d->iommu_group;
}

/* The model's SMR/S2CR pair and the bank behind it are what the driver meant. */
static void check_readback(struct mach_smmu *s, const char *name)
{
	struct ims_device *d = dev(name);
	struct arm_smmu_master_cfg *cfg = drv_master(d);
	struct arm_smmu_domain *dom = drv_domain(d);
	struct arm_smmu_device *smmu = drv_smmu(s);
	struct ims_iommu_fwspec *fw = ims_dev_iommu_fwspec_get(d);

	if (!ok(cfg && dom && smmu && fw, "%s: probed with a DMA domain", name))
		return;
	for (unsigned int i = 0; i < cfg->num; i++) {
		int idx = cfg->smendx[i];
		uint32_t smr = rd32(&m, gr0(s, SMMU_GR0_SMR(idx)));
		uint32_t s2cr = rd32(&m, gr0(s, SMMU_GR0_S2CR(idx)));

		is_hex(smr,
		       SMR_VALID | FIELD_PREP(SMR_ID, smmu->smrs[idx].id) |
			       FIELD_PREP(SMR_MASK, smmu->smrs[idx].mask),
		       "%s: SMR%d = shadow {0x%x, 0x%x}, valid", name, idx, smmu->smrs[idx].id,
		       smmu->smrs[idx].mask);
		ok((fw->ids[i] & 0xffff & ~smmu->smrs[idx].mask) ==
			   (smmu->smrs[idx].id & ~smmu->smrs[idx].mask),
		   "%s: SMR%d matches the fwspec SID 0x%x", name, idx, fw->ids[i] & 0xffff);
		is_hex(s2cr,
		       FIELD_PREP(S2CR_TYPE, S2CR_TYPE_TRANS) |
			       FIELD_PREP(S2CR_CBNDX, dom->cfg.cbndx),
		       "%s: S2CR%d translates through bank %u", name, idx, dom->cfg.cbndx);
	}
	{
		unsigned int cb = dom->cfg.cbndx;
		uint32_t tcr = rd32(&m, cbreg(s, cb, SMMU_CB_TCR));
		uint32_t tcr2 = rd32(&m, cbreg(s, cb, SMMU_CB_TCR2));
		uint64_t ttbr0 = rd64(&m, cbreg(s, cb, SMMU_CB_TTBR0));

		is_hex(rd32(&m, gr1(s, SMMU_GR1_CBAR(cb))),
		       FIELD_PREP(CBAR_TYPE, CBAR_TYPE_S1_TRANS_S2_BYPASS) |
			       FIELD_PREP(CBAR_S1_BPSHCFG, 3) | FIELD_PREP(CBAR_S1_MEMATTR, 0xf),
		       "%s: CBAR%u stage 1, NSH, WB", name, cb);
		is_hex(rd32(&m, gr1(s, SMMU_GR1_CBA2R(cb))), CBA2R_VA64, "%s: CBA2R%u VA64", name,
		       cb);
		is_int(FIELD_GET(TCR_T0SZ, tcr), 16, "%s: TCR.T0SZ 48-bit VA", name);
		is_int(FIELD_GET(TCR_TG0, tcr), TCR_TG0_4K, "%s: TCR.TG0 4K", name);
		ok(tcr & TCR_EPD1, "%s: TCR.EPD1 (TTBR1 unused)", name);
		is_hex(tcr2, FIELD_PREP(TCR2_PASIZE, 5) | FIELD_PREP(TCR2_SEP, 7) | TCR2_AS,
		       "%s: TCR2 PASIZE 48, SEP upstream, AS", name);
		is_hex(FIELD_GET(TTBR_ASID, ttbr0), cb, "%s: ASID = cbndx", name);
		ok((ttbr0 & TTBR_BADDR) && !(ttbr0 & 0xfff) &&
			   ims_mem_is_ram(m.mem, ttbr0 & TTBR_BADDR, 0x1000),
		   "%s: TTBR0 points at a table in RAM", name);
		is_hex(rd64(&m, cbreg(s, cb, SMMU_CB_TTBR1)), (uint64_t)cb << 48,
		       "%s: TTBR1 holds only the ASID", name);
		ok(rd32(&m, cbreg(s, cb, SMMU_CB_MAIR0)) != 0, "%s: MAIR0 programmed", name);
		is_hex(rd32(&m, cbreg(s, cb, SMMU_CB_SCTLR)),
		       SCTLR_CFIE | SCTLR_CFRE | SCTLR_AFE | SCTLR_TRE | SCTLR_M | SCTLR_ASIDPNE,
		       "%s: SCTLR enables the bank with fault reporting", name);
	}
}

static void test_encoding(void)
{
	is_hex(fwid("1000.a0", 0), 0x007f0400, "1 cell + stream-match-mask 0x7f: 0x007f0400");
	is_hex(fwid("1100.a1", 0), 0x007f2345, "SID 0x12345 truncated to 0x2345");
	is_hex(fwid("2000.b0", 0), 0x007f0400, "2 cells <0x400 0x7f>");
	is_hex(fwid("2100.b1", 0), 0x000f0410, "2 cells <0x410 0xf>, stream-match-mask ignored");
	is_hex(fwid("2400.b4", 0), 0x00012345, "2 cells: both truncated to 16 bits");
	is_hex(fwid("2700.b7", 0), 0x00000700, "two specifiers: first ID");
	is_hex(fwid("2700.b7", 1), 0x00000701, "two specifiers: second ID");
	is_hex(fwid("3000.c0", 0), 0x00000001, "1 cell, no stream-match-mask");
}

static void test_allocation(void)
{
	struct mach_smmu *sa = mach_smmu_at(&m, "/iommu@2b400000");
	struct mach_smmu *sb = mach_smmu_at(&m, "/iommu@2b500000");
	struct mach_smmu *sc = mach_smmu_at(&m, "/iommu@2b600000");

	is_int(smendx("1000.a0", 0), 0, "a0 takes SME 0");
	is_int(smendx("1100.a1", 0), 1, "a1 (disjoint) takes SME 1");
	is_int(smendx("1200.a2", 0), 0, "a2 {0x410,0x7f} lies inside SME 0: shared");
	is_int(drv_smmu(sa)->s2crs[0].count, 2, "SME 0 has two users");
	ok(dev("1000.a0")->iommu_group &&
		   dev("1000.a0")->iommu_group == dev("1200.a2")->iommu_group,
	   "a0 and a2 share a group through the shared S2CR");
	ok(dev("1000.a0")->iommu_group != dev("1100.a1")->iommu_group, "a1 has its own group");
	ok(drv_domain(dev("1000.a0")) == drv_domain(dev("1200.a2")), "and one domain");

	is_int(smendx("2000.b0", 0), 0, "b0 takes SME 0");
	is_int(smendx("2100.b1", 0), 0, "b1 {0x410,0xf} is a strict subset: SME 0 reused");
	ok(no_iommu("2200.b2"), "b2 {0x410,0xff} overlaps partially: -EINVAL, no IOMMU");
	is_int(smendx("2300.b3", 0), 1, "b3 {0x500,0} takes the first free SME");
	is_int(smendx("2400.b4", 0), 2, "b4 takes the next");
	ok(no_iommu("2500.b5"), "b5 SID 0x8000 refused");
	ok(ims_dev_has_msg(dev("2500.b5"), "stream ID 0x8000 out of range for SMMU (0x7fff)"),
	   "b5: stream ID 0x8000 out of range for SMMU (0x7fff)");
	ok(no_iommu("2600.b6"), "b6 mask 0x8000 refused");
	ok(ims_dev_has_msg(dev("2600.b6"), "SMR mask 0x8000 out of range for SMMU (0x7fff)"),
	   "b6: SMR mask 0x8000 out of range for SMMU (0x7fff)");
	is_int(smendx("2700.b7", 0), 3, "b7 first ID: SME 3");
	is_int(smendx("2700.b7", 1), 4, "b7 second ID: SME 4");
	is_int(drv_smmu(sb)->s2crs[0].count, 2, "SME 0 of B has two users");
	ok(!drv_smmu(sb)->smrs[5].valid, "the refused devices left no SME behind");
	is_hex(rd32(&m, gr0(sb, SMMU_GR0_SMR(5))), 0, "SMR 5 still invalid in the model");

	is_int(smendx("3000.c0", 0), 0, "c0: SME 0 of 2");
	is_int(smendx("3100.c1", 0), 1, "c1: SME 1 of 2");
	ok(no_iommu("3200.c2"), "c2: the table is full (-ENOSPC), no IOMMU");

	check_readback(sa, "1000.a0");
	check_readback(sa, "1100.a1");
	check_readback(sa, "1200.a2");
	check_readback(sb, "2100.b1");
	check_readback(sb, "2300.b3");
	check_readback(sb, "2700.b7");
	check_readback(sc, "3100.c1");
	ok(drv_domain(dev("1000.a0"))->cfg.cbndx != drv_domain(dev("1100.a1"))->cfg.cbndx,
	   "separate groups get separate banks");
}

/* §10.5 on arm_smmu_find_sme() directly, including stream indexing. */
static void test_find_sme_vectors(void)
{
	struct arm_smmu_smr smrs[4] = { { .id = 0x400, .mask = 0x7f, .valid = true } };
	struct arm_smmu_device smmu = { .smrs = smrs, .num_mapping_groups = 4 };

	is_int(arm_smmu_find_sme(&smmu, 0x410, 0x0f), 0, "(0x410,0x0f) reuses {0x400,0x7f}");
	is_int(arm_smmu_find_sme(&smmu, 0x400, 0x7f), 0, "an identical entry is reused");
	is_int(arm_smmu_find_sme(&smmu, 0x410, 0xff), -EINVAL, "(0x410,0xff): partial overlap");
	is_int(arm_smmu_find_sme(&smmu, 0x500, 0), 1, "(0x500,0): first free index");
	is_int(arm_smmu_find_sme(&smmu, 0x000, 0x7ff), -EINVAL,
	       "a superset of an entry conflicts too");
	smrs[1] = (struct arm_smmu_smr){ .id = 0x1000, .mask = 0, .valid = true };
	is_int(arm_smmu_find_sme(&smmu, 0x500, 0), 2, "skips valid entries to the lowest free");
	smrs[2] = (struct arm_smmu_smr){ .id = 0x2000, .mask = 0, .valid = true };
	smrs[3] = (struct arm_smmu_smr){ .id = 0x3000, .mask = 0, .valid = true };
	is_int(arm_smmu_find_sme(&smmu, 0x500, 0), -ENOSPC, "all valid, no match: -ENOSPC");
	is_int(arm_smmu_find_sme(&smmu, 0x3000, 0), 3, "a match still wins when full");
	smmu.smrs = NULL;
	is_int(arm_smmu_find_sme(&smmu, 0x1234, 0), 0x1234, "stream indexing: index = SID");
}

int main(void)
{
	mach_up_dts(&m, board, NULL);
	test_encoding();
	test_allocation();
	test_find_sme_vectors();
	mach_down(&m);
	return tap_done();
}
