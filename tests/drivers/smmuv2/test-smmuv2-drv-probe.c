// SPDX-License-Identifier: MIT
/*
 * arm-smmu probe: arm_smmu_device_cfg_probe() (sIDR0-2, the derived
 * features and its notices), arm_smmu_device_reset() as read back from the
 * model (sCR0, sACR, SMRs, S2CRs, context banks), arm_smmu_test_smr_masks(),
 * the module parameters from bootargs, and the probe failures of 6.12.
 */
#include "smmuv2-drv.h"

#define SMMU "/iommu@2b400000"
#define PFX "arm-smmu 2b400000.iommu: "
#define CLIENT                                                                                     \
	" dev@1000 { compatible = \"acme,dev\"; reg = <0 0x1000 0 0x100>; iommus = <&smmu 0x21>; " \
	"};"

static void test_probe_defaults(void)
{
	struct machine m;
	struct mach_smmu *s;
	struct ims_device *sd, *cd;
	struct ims_iommu_device *iommu;
	struct arm_smmu_device *smmu;
	uint32_t scr0, want;

	mach_up_board(&m, "console=ttyAMA0", "#iommu-cells = <1>;", 17, CLIENT, NULL);
	s = mach_smmu_at(&m, SMMU);
	sd = ims_devcore_find_by_node(m.dc, s->node);
	ok(sd && sd->driver && !strcmp(sd->driver->name, "arm-smmu"), "arm-smmu bound to %s",
	   sd ? sd->name : "?");
	iommu = ims_iommu_device_from_fwnode(m.ic, s->node);
	ok(iommu != NULL, "registered with the IOMMU core under its node");
	if (!iommu)
		goto out;
	is_int(iommu->nr_idregs, 3, "three ID registers kept for explain");
	is_str(iommu->idregs[0].name, "sIDR0", "idreg 0 is sIDR0");
	is_str(iommu->idregs[1].name, "sIDR1", "idreg 1 is sIDR1");
	is_str(iommu->idregs[2].name, "sIDR2", "idreg 2 is sIDR2");
	is_hex(iommu->idregs[0].value, rd32(&m, gr0(s, SMMU_GR0_ID0)), "sIDR0 as read");
	is_hex(iommu->idregs[1].value, rd32(&m, gr0(s, SMMU_GR0_ID1)), "sIDR1 as read");
	is_hex(iommu->idregs[2].value, rd32(&m, gr0(s, SMMU_GR0_ID2)), "sIDR2 as read");

	/* The notices of arm_smmu_device_cfg_probe(), in order of appearance. */
	ok(log_has(&m, "<5>" PFX "probing hardware configuration..."), "probing notice");
	ok(log_has(&m, "<5>" PFX "SMMUv2 with:"), "SMMUv2 with:");
	ok(log_has(&m, PFX "\tstage 1 translation"), "stage 1");
	ok(log_has(&m, PFX "\tstage 2 translation"), "stage 2");
	ok(log_has(&m, PFX "\tnested translation"), "nested");
	ok(!log_has(&m, "address translation ops"), "no ATOS (sIDR0.ATOSNS)");
	ok(log_has(&m, PFX "\tcoherent table walk"), "coherent walk from dma-coherent");
	ok(!log_has(&m, "overridden by FW"), "CTTW agrees with firmware");
	ok(log_has(&m, PFX "\tstream matching with 48 register groups"), "48 SMRs");
	ok(log_has(&m, PFX "\t16 context banks (0 stage-2 only)"), "16 banks");
	ok(log_has(&m, PFX "\tSupported page sizes: 0x62215000"), "4K/16K/64K page sizes");
	ok(log_has(&m, PFX "\tStage-1: 48-bit VA -> 48-bit IPA"), "stage-1 sizes");
	ok(log_has(&m, PFX "\tStage-2: 48-bit IPA -> 48-bit PA"), "stage-2 sizes");
	ok(log_has(&m, PFX "\tpreserved 0 boot mappings"), "RMR notice");
	ok(!log_has(&m, "differs from mapped region"), "reg size matches SMMU_TOP");

	smmu = drv_smmu(s);
	ok(smmu != NULL, "driver state");
	if (!smmu)
		goto out;
	is_hex(smmu->streamid_mask, 0x7fff, "streamid_mask narrowed by SMR probing");
	is_hex(smmu->smr_mask_mask, 0x7fff, "smr_mask_mask from SMR probing");
	is_int(smmu->num_mapping_groups, 48, "num_mapping_groups");
	is_int(smmu->num_context_banks, 16, "num_context_banks");
	is_int(smmu->va_size, 48, "va_size from UBS");
	ok(smmu->features & ARM_SMMU_FEAT_VMID16, "VMID16");
	ok(!(smmu->features & ARM_SMMU_FEAT_FMT_AARCH32_L), "no AArch32 formats (PTFS_NO_AARCH32)");

	/* arm_smmu_device_reset() */
	scr0 = rd32(&m, gr0(s, SMMU_GR0_sCR0));
	want = sCR0_GFRE | sCR0_GFIE | sCR0_GCFGFRE | sCR0_GCFGFIE | sCR0_USFCFG | sCR0_VMIDPNE |
	       sCR0_PTM | sCR0_SMCFCFG | sCR0_VMID16EN;
	is_hex(scr0, want, "sCR0: faults reported, USFCFG (disable_bypass), CLIENTPD clear");
	is_hex(rd32(&m, gr0(s, SMMU_GR0_sACR)) &
		       (MMU500_sACR_CACHE_LOCK | MMU500_sACR_SMTNMB_TLBEN |
			MMU500_sACR_S2CRB_TLBEN),
	       MMU500_sACR_SMTNMB_TLBEN | MMU500_sACR_S2CRB_TLBEN,
	       "arm_mmu500_reset: sACR TLB enables, CACHE_LOCK clear (r2)");
	for (unsigned int cb = 0; cb < 16; cb++)
		if (rd32(&m, cbreg(s, cb, SMMU_CB_ACTLR)) & ARM_MMU500_ACTLR_CPRE)
			break;
		else if (cb == 15)
			ok(true, "ACTLR.CPRE clear in every bank");
	is_hex(rd32(&m, gr0(s, SMMU_GR0_S2CR(47))), FIELD_PREP(S2CR_TYPE, S2CR_TYPE_FAULT),
	       "unused S2CR: fault (disable_bypass)");
	is_hex(rd32(&m, gr0(s, SMMU_GR0_SMR(47))), 0, "unused SMR invalid");
	is_hex(rd32(&m, gr0(s, SMMU_GR0_SMR(1))), 0, "SMR 1 invalid");
	is_hex(rd32(&m, cbreg(s, 5, SMMU_CB_SCTLR)), 0, "unused bank 5 disabled");
	is_hex(rd32(&m, gr0(s, SMMU_GR0_sGFSR)), 0, "sGFSR clear");

	/* The client got SME 0 (the SMR probing scratch is overwritten) and bank 0. */
	cd = ims_devcore_find_device(m.dc, "1000.dev");
	ok(cd && cd->dma_ops == IMS_DMA_OPS_IOMMU, "client behind the IOMMU");
	is_hex(rd32(&m, gr0(s, SMMU_GR0_SMR(0))), SMR_VALID | 0x21, "SMR 0 = {0x21, 0}, valid");
	is_hex(rd32(&m, gr0(s, SMMU_GR0_S2CR(0))), FIELD_PREP(S2CR_TYPE, S2CR_TYPE_TRANS),
	       "S2CR 0 = translate, bank 0");
	is_hex(rd32(&m, cbreg(s, 0, SMMU_CB_SCTLR)),
	       SCTLR_CFIE | SCTLR_CFRE | SCTLR_AFE | SCTLR_TRE | SCTLR_M | SCTLR_ASIDPNE,
	       "bank 0 SCTLR");
out:
	mach_down(&m);
}

static void test_bootargs(void)
{
	struct machine m;
	struct mach_smmu *s;
	struct arm_smmu_domain *d;

	mach_up_board(&m, "arm-smmu.disable_bypass=0", "#iommu-cells = <1>;", 17, CLIENT, NULL);
	s = mach_smmu_at(&m, SMMU);
	ok(!(rd32(&m, gr0(s, SMMU_GR0_sCR0)) & sCR0_USFCFG), "disable_bypass=0: USFCFG clear");
	is_hex(rd32(&m, gr0(s, SMMU_GR0_S2CR(47))), FIELD_PREP(S2CR_TYPE, S2CR_TYPE_BYPASS),
	       "disable_bypass=0: unused S2CR bypass");
	mach_down(&m);

	mach_up_board(&m, "quiet arm-smmu.force_stage=2", "#iommu-cells = <1>;", 17, CLIENT, NULL);
	s = mach_smmu_at(&m, SMMU);
	ok(!log_has(&m, "\tstage 1 translation") && log_has(&m, "\tstage 2 translation"),
	   "force_stage=2 hides stage 1");
	ok(!log_has(&m, "nested translation"), "force_stage=2 hides nesting");
	d = drv_domain(ims_devcore_find_device(m.dc, "1000.dev"));
	ok(d && d->stage == ARM_SMMU_DOMAIN_S2, "the DMA domain is stage 2");
	if (d) {
		unsigned int cb = d->cfg.cbndx;
		uint32_t vtcr = rd32(&m, cbreg(s, cb, SMMU_CB_TCR));

		is_int(cb, 0, "stage 2 starts at bank 0");
		is_int(d->cfg.vmid, cb + 1, "VMID = cbndx + 1");
		is_hex(FIELD_GET(CBAR_TYPE, rd32(&m, gr1(s, SMMU_GR1_CBAR(cb)))),
		       CBAR_TYPE_S2_TRANS, "CBAR.TYPE = stage 2");
		is_hex(rd32(&m, gr1(s, SMMU_GR1_CBA2R(cb))),
		       CBA2R_VA64 | FIELD_PREP(CBA2R_VMID16, cb + 1), "CBA2R: VA64, 16-bit VMID");
		ok(vtcr & ARM_SMMU_VTCR_RES1, "VTCR RES1");
		is_int(FIELD_GET(VTCR_PS, vtcr), 5, "VTCR.PS = 48 bits");
		is_int(FIELD_GET(ARM_SMMU_VTCR_T0SZ, vtcr), 16, "VTCR.T0SZ = 64 - 48");
		is_hex(rd32(&m, cbreg(s, cb, SMMU_CB_SCTLR)),
		       SCTLR_CFIE | SCTLR_CFRE | SCTLR_AFE | SCTLR_TRE | SCTLR_M,
		       "stage-2 SCTLR has no ASIDPNE");
	}
	mach_down(&m);
}

static void test_probe_failures(void)
{
	struct machine m;
	struct mach_smmu *s;
	struct ims_device *sd, *cd;

	mach_up_board(&m, "", "#iommu-cells = <1>; /delete-property/ #global-interrupts;", 17,
		      CLIENT, NULL);
	s = mach_smmu_at(&m, SMMU);
	sd = ims_devcore_find_by_node(m.dc, s->node);
	ok(log_has(&m, "<3>" PFX "error -ENODEV: missing #global-interrupts property"),
	   "missing #global-interrupts");
	ok(sd && !sd->driver, "no driver bound without #global-interrupts");
	ok(!ims_iommu_device_from_fwnode(m.ic, s->node), "nothing registered");
	is_hex(rd32(&m, gr0(s, SMMU_GR0_sCR0)) & sCR0_CLIENTPD, sCR0_CLIENTPD,
	       "the SMMU stays in its reset state (CLIENTPD)");
	mach_down(&m);

	mach_up_board(&m, "", "#iommu-cells = <1>;", 2, CLIENT, NULL);
	ok(log_has(&m, "<3>" PFX "found only 1 context irq(s) but 16 required"),
	   "too few context interrupts for NUMCB");
	s = mach_smmu_at(&m, SMMU);
	ok(!ims_iommu_device_from_fwnode(m.ic, s->node), "nothing registered (-ENODEV)");
	mach_down(&m);

	mach_up_board(&m, "", "#iommu-cells = <1>;", 1, CLIENT, NULL);
	ok(log_has(&m, "<3>" PFX "error -ENODEV: found 1 interrupts but expected at least 2"),
	   "no context interrupt at all");
	mach_down(&m);

	/* Hostile: an absurd #global-interrupts count is refused, not looped over. */
	mach_up_board(&m, "", "#iommu-cells = <1>; #global-interrupts = <0xffffffff>;", 17, CLIENT,
		      NULL);
	ok(log_has(&m, PFX "error -ENODEV: found 17 interrupts but expected at least 4294967296"),
	   "#global-interrupts = 0xffffffff refused");
	s = mach_smmu_at(&m, SMMU);
	ok(!ims_iommu_device_from_fwnode(m.ic, s->node), "nothing registered");
	mach_down(&m);

	/* A smaller implementation: NUMCB 4 needs only 4 context interrupts. */
	mach_up_board(&m, "",
		      "#iommu-cells = <1>; iommusim,num-cb = <4>; reg = <0 0x2b400000 0 0x100000>;",
		      5, CLIENT, NULL);
	s = mach_smmu_at(&m, SMMU);
	ok(ims_iommu_device_from_fwnode(m.ic, s->node) != NULL,
	   "NUMCB 4 with 4 context IRQs probes");
	ok(log_has(&m,
		   "<4>" PFX
		   "SMMU address space size (0x8000) differs from mapped region size (0x100000)!"),
	   "SMMU_TOP vs reg size warning");
	ok(log_has(&m, PFX "\t4 context banks (0 stage-2 only)"), "4 banks");
	mach_down(&m);

	/* sIDR0.NUMSIDB = 10: SID 0x400 is refused at probe_device. */
	mach_up_board(&m, "", "#iommu-cells = <1>; iommusim,sid-bits = <10>;", 17,
		      " dev@1000 { compatible = \"acme,dev\"; reg = <0 0x1000 0 0x100>; iommus = "
		      "<&smmu 0x400>; };"
		      " dev@2000 { compatible = \"acme,dev\"; reg = <0 0x2000 0 0x100>; iommus = "
		      "<&smmu 0x3ff>; };",
		      NULL);
	s = mach_smmu_at(&m, SMMU);
	is_hex(drv_smmu(s) ? drv_smmu(s)->streamid_mask : 0, 0x3ff, "streamid_mask 0x3ff");
	cd = ims_devcore_find_device(m.dc, "1000.dev");
	ok(cd && ims_dev_has_msg(cd, "stream ID 0x400 out of range for SMMU (0x3ff)"),
	   "the client's message names the SID and the mask");
	ok(log_has(&m, "<3>acme-dev 1000.dev: stream ID 0x400 out of range") ||
		   log_has(&m, "1000.dev: stream ID 0x400 out of range for SMMU (0x3ff)"),
	   "logged against the client");
	ok(cd && cd->dma_ops == IMS_DMA_OPS_DIRECT && !ims_dev_iommu_fwspec_get(cd),
	   "refused client: no fwspec, dma-direct");
	cd = ims_devcore_find_device(m.dc, "2000.dev");
	ok(cd && cd->dma_ops == IMS_DMA_OPS_IOMMU, "SID 0x3ff accepted");
	mach_down(&m);
}

int main(void)
{
	test_probe_defaults();
	test_bootargs();
	test_probe_failures();
	return tap_done();
}
