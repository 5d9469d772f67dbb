// SPDX-License-Identifier: MIT
/*
 * arm_smmu_device_group(): devices whose stream map entries are shared share
 * the group (so iommu-map-mask = <0> folds every PCI function onto one SMR and
 * one group, whatever ACS says), otherwise pci_device_group() /
 * generic_device_group(); and the Armada-8040-like board with its PCIe
 * topology, every programmed SMR/S2CR read back from the model.
 */
#include "smmuv2-drv.h"

#define PCI_BOARD(MAP)                                                                             \
	"/dts-v1/;\n/ {\n #address-cells = <1>; #size-cells = <1>;\n"                              \
	" gic: interrupt-controller@8000000 { compatible = \"arm,gic-400\"; #interrupt-cells = "   \
	"<1>;"                                                                                     \
	"  interrupt-controller; reg = <0x8000000 0x10000>; };\n"                                  \
	" smmu: iommu@2b400000 { compatible = \"arm,mmu-500\"; reg = <0x2b400000 0x20000>;"        \
	"  interrupt-parent = <&gic>; #global-interrupts = <1>;"                                   \
	"  interrupts = <1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17>; #iommu-cells = <1>; };\n"     \
	" p0@1000 { compatible = \"acme,dev\"; reg = <0x1000 0x10>; iommus = <&smmu 0x30>; };\n"   \
	" p1@1100 { compatible = \"acme,dev\"; reg = <0x1100 0x10>; iommus = <&smmu 0x30>; };\n"   \
	" p2@1200 { compatible = \"acme,dev\"; reg = <0x1200 0x10>; iommus = <&smmu 0x31>; };\n"   \
	" pcie@30000000 { compatible = \"pci-host-ecam-generic\"; device_type = \"pci\";"          \
	"  reg = <0x30000000 0x1000000>; #address-cells = <3>; #size-cells = <2>;"                 \
	"  bus-range = <0 0xf>; " MAP "\n"                                                         \
	"  hostbr@0,0 { reg = <0x0000 0 0 0 0>; class-code = <0x060000>; };\n"                     \
	"  pci@1,0 { device_type = \"pci\"; reg = <0x0800 0 0 0 0>; bus-range = <1 1>;"            \
	"   #address-cells = <3>; #size-cells = <2>; iommusim,acs = <0x1f 0x1d>;"                  \
	"   ep@0,0 { reg = <0x10000 0 0 0 0>; }; };\n"                                             \
	"  pci@2,0 { device_type = \"pci\"; reg = <0x1000 0 0 0 0>; bus-range = <2 2>;"            \
	"   #address-cells = <3>; #size-cells = <2>; iommusim,acs = <0x1f 0x1d>;"                  \
	"   ep@0,0 { reg = <0x20000 0 0 0 0>; }; };\n"                                             \
	" };\n};\n"

static const char *const pci_devs[] = { "0000:00:01.0", "0000:00:02.0", "0000:01:00.0",
					"0000:02:00.0" };

static int group(struct machine *m, const char *name)
{
	struct ims_device *d = ims_devcore_find_device(m->dc, name);

	return d && d->iommu_group ? d->iommu_group->id : -1;
}

static void test_map_mask_zero(void)
{
	struct machine m;
	struct mach_smmu *s;
	struct ims_device *d0;
	struct arm_smmu_master_cfg *c0;
	int g, idx;

	mach_up_dts(&m, PCI_BOARD("iommu-map = <0 &smmu 0x100 0x10000>; iommu-map-mask = <0>;"),
		    NULL);
	s = mach_smmu_at(&m, "/iommu@2b400000");
	d0 = ims_devcore_find_device(m.dc, pci_devs[0]);
	c0 = drv_master(d0);
	if (!ok(c0 != NULL, "mask 0: the first function is behind the SMMU"))
		goto out;
	idx = c0->smendx[0];
	g = group(&m, pci_devs[0]);
	for (unsigned int i = 0; i < ARRAY_SIZE_T(pci_devs); i++) {
		struct ims_device *d = ims_devcore_find_device(m.dc, pci_devs[i]);
		struct ims_iommu_fwspec *fw = ims_dev_iommu_fwspec_get(d);

		ok(fw && fw->num_ids == 1 && fw->ids[0] == 0x100, "%s: fwid 0x100 (RID folded)",
		   pci_devs[i]);
		is_int(drv_master(d) ? drv_master(d)->smendx[0] : -1, idx, "%s: the shared SME",
		       pci_devs[i]);
		is_int(group(&m, pci_devs[i]), g, "%s: the one group", pci_devs[i]);
		is_int(d ? (int)d->dma_ops : -1, IMS_DMA_OPS_IOMMU, "%s: IOMMU DMA ops",
		       pci_devs[i]);
	}
	is_int(drv_smmu(s)->s2crs[idx].count, 4, "four users of one S2CR");
	is_hex(rd32(&m, gr0(s, SMMU_GR0_SMR(idx))), SMR_VALID | 0x100, "one valid SMR {0x100, 0}");
	for (int i = 0; i < 48; i++)
		if (i != idx &&
		    i != drv_master(ims_devcore_find_device(m.dc, "1000.p0"))->smendx[0] &&
		    i != drv_master(ims_devcore_find_device(m.dc, "1200.p2"))->smendx[0] &&
		    (rd32(&m, gr0(s, SMMU_GR0_SMR(i))) & SMR_VALID)) {
			ok(false, "SMR %d unexpectedly valid", i);
			break;
		} else if (i == 47) {
			ok(true, "no other SMR valid");
		}
	ok(drv_domain(d0) == drv_domain(ims_devcore_find_device(m.dc, pci_devs[3])),
	   "one domain for all functions");

	/* Platform devices: identical IDs share; a different ID does not. */
	is_int(group(&m, "1000.p0"), group(&m, "1100.p1"), "p0 and p1 (same SID) share a group");
	ok(group(&m, "1000.p0") != group(&m, "1200.p2") && group(&m, "1200.p2") >= 0,
	   "p2 has its own group");
out:
	mach_down(&m);
}

static void test_map_identity(void)
{
	struct machine m;

	/* Without the mask, ACS-isolated ports split the functions into groups. */
	mach_up_dts(&m, PCI_BOARD("iommu-map = <0 &smmu 0x100 0x10000>;"), NULL);
	is_hex(ims_dev_iommu_fwspec_get(ims_devcore_find_device(m.dc, "0000:02:00.0"))->ids[0],
	       0x300, "02:00.0: fwid 0x100 + RID 0x200");
	ok(group(&m, "0000:01:00.0") != group(&m, "0000:02:00.0") &&
		   group(&m, "0000:01:00.0") >= 0 && group(&m, "0000:02:00.0") >= 0,
	   "distinct SIDs behind ACS ports: distinct groups (pci_device_group)");
	ok(group(&m, "0000:00:01.0") != group(&m, "0000:01:00.0"),
	   "the port and its endpoint are isolated (ACS)");
	mach_down(&m);
}

static void test_armada(void)
{
	const char *ov[1] = { TOPO_DIR "/armada-8040-pcie.dtso" };
	struct ims_of_tree *t = NULL;
	struct machine m;
	struct mach_smmu *s;
	struct ims_iommu_device *iommu;
	int behind = 0, checked = 0;

	if (ims_of_tree_load(&t, BOARDS_DIR "/armada-8040.dts", ov, 1)) {
		ok(false, "load armada-8040 + overlays: %s", ims_last_error());
		return;
	}
	mach_up_tree(&m, t, NULL, false);
	s = mach_smmu_at(&m, "/ap806/config-space@f0000000/iommu@100000");
	if (!ok(s != NULL, "Armada: the AP806 MMU-500 is modelled"))
		goto out;
	iommu = ims_iommu_device_from_fwnode(m.ic, s->node);
	ok(iommu && iommu->nr_idregs == 3, "Armada: arm-smmu registered the AP806 SMMU");
	ok(log_has(&m, "arm-smmu f0100000.iommu: SMMU address space size (0x20000) differs from "
		       "mapped region size (0x100000)!"),
	   "Armada: reg (1 MiB) vs SMMU_TOP warning");
	ok(drv_smmu(s) && drv_smmu(s)->impl && drv_smmu(s)->impl->split_reg64,
	   "Armada: the marvell,ap806-smmu-500 impl (erratum #582743 split accesses)");

	for (int i = 0; i < ims_devcore_nr_devices(m.dc); i++) {
		struct ims_device *d = ims_devcore_device(m.dc, i);
		struct arm_smmu_master_cfg *cfg = drv_master(d);
		struct arm_smmu_domain *dom = drv_domain(d);
		struct ims_iommu_fwspec *fw = ims_dev_iommu_fwspec_get(d);
		bool good = true;

		if (!cfg)
			continue;
		behind++;
		for (unsigned int k = 0; cfg && dom && k < cfg->num; k++) {
			int idx = cfg->smendx[k];
			uint32_t smr = rd32(&m, gr0(s, SMMU_GR0_SMR(idx)));
			uint32_t s2cr = rd32(&m, gr0(s, SMMU_GR0_S2CR(idx)));

			good &= (smr & SMR_VALID) &&
				FIELD_GET(SMR_ID, smr) == (fw->ids[k] & 0x7fff) &&
				FIELD_GET(SMR_MASK, smr & ~SMR_VALID) == 0;
			good &= s2cr == (FIELD_PREP(S2CR_TYPE, S2CR_TYPE_TRANS) |
					 FIELD_PREP(S2CR_CBNDX, dom->cfg.cbndx));
			good &= (rd32(&m, cbreg(s, dom->cfg.cbndx, SMMU_CB_SCTLR)) & SCTLR_M) != 0;
		}
		ok(dom && good, "Armada %s: SMR/S2CR/bank read back as programmed", d->name);
		checked++;
	}
	ok(behind >= 13, "Armada: %d devices behind the SMMU", behind);
	is_int(group(&m, "0000:02:00.0"), group(&m, "0000:06:00.0"),
	       "Armada: 02:00.0 and 06:00.0 fold onto SID 0x4c0 and share its group");
	is_int(drv_master(ims_devcore_find_device(m.dc, "0000:02:00.0"))->smendx[0],
	       drv_master(ims_devcore_find_device(m.dc, "0000:06:00.0"))->smendx[0],
	       "Armada: ... through one SME");
	ok(group(&m, "f0400000.xor") != group(&m, "f06e0000.sdhci"), "Armada: xor and sdhci apart");
	ok(!ims_dev_iommu_fwspec_get(ims_devcore_find_device(m.dc, "0000:03:00.0")),
	   "Armada: bus 3 has no iommu-map entry: no IOMMU");
out:
	mach_down(&m);
}

int main(void)
{
	test_map_mask_zero();
	test_map_identity();
	test_armada();
	return tap_done();
}
