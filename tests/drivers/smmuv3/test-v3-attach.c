// SPDX-License-Identifier: MIT
/*
 * arm-smmu-v3 attach and DMA: the STE and CD a DMA domain gets (decoded from
 * simulated memory), map → translate through the model, strict unmap → the
 * TLBI reaches the model (range or per-page) and the access faults, with the
 * driver's eventq handler logging "event 0x10 received:"; identity, blocked
 * and unmanaged domains; unbind/rebind and removal; MSI-polled CMD_SYNC;
 * stage-2-only SMMUs; and a command error recovered by the GERROR handler.
 */
#include "v3-test.h"

#define IOVA_PAGE 0x100000ull
#define PA_PAGE 0x41234000ull

static const char *const board = V3_DTS_HEAD V3_SMMU_NODE
	" dma@a000000 { compatible = \"test,dma\"; reg = <0x0 0xa000000 0x0 0x1000>;"
	" iommus = <&smmu 0x20>; };\n"
	" dma@a001000 { compatible = \"test,dma\"; reg = <0x0 0xa001000 0x0 0x1000>;"
	" iommus = <&smmu 0x21>; };\n"
	"};\n";

static uint64_t allocated(struct v3board *b)
{
	struct ims_mem_stats st;

	ims_mem_get_stats(b->mem, &st);
	return st.allocated_bytes;
}

static void test_dma_domain(void)
{
	struct ims_device *d, *d2;
	struct arm_smmu_master *m;
	struct ims_iommu_domain *dom;
	struct arm_smmu_domain *sd;
	struct ims_txn_result r;
	uint64_t ste[8], cd[8], cmd[2];
	struct v3board b;

	v3_up(&b, board, NULL);
	d = ims_devcore_find_device(b.dc, "a000000.dma");
	d2 = ims_devcore_find_device(b.dc, "a001000.dma");
	m = v3_master(d);
	dom = ims_iommu_get_domain_for_dev(d);
	if (!ok(m && dom && dom->type == IMS_IOMMU_DOMAIN_DMA, "a000000.dma is on a DMA domain")) {
		diag("%s", b.log.text);
		v3_down(&b);
		return;
	}
	sd = (struct arm_smmu_domain *)(void *)dom;
	ok(d->dma_ops == IMS_DMA_OPS_IOMMU, "DMA ops: iommu");
	is_int(sd->stage, ARM_SMMU_DOMAIN_S1, "stage 1 domain");
	is_int(sd->asid, 1, "first ASID is 1");
	is_int(((struct arm_smmu_domain *)(void *)ims_iommu_get_domain_for_dev(d2))->asid, 2,
	       "second device's domain has ASID 2");
	is_hex(dom->pgsize_bitmap, 0x40201000ull, "domain page sizes: the 4K granule's");
	is_hex(dom->aperture_end, (1ull << 48) - 1, "aperture: 48-bit input (VA_BITS)");

	v3_read_ste(&b, 0x20, ste);
	is_hex(ste[0] & (STE_0_V | STE_0_CFG), STE_0_V | FIELD_PREP(STE_0_CFG, STE_CFG_S1),
	       "STE: V, Config = S1 translate");
	is_hex(FIELD_GET(STE_0_S1FMT, ste[0]), STE_S1FMT_LINEAR, "STE: S1Fmt linear");
	is_hex(ste[0] & STE_0_S1CTXPTR, m->cd_table.cdtab_dma, "STE: S1ContextPtr = the CD table");
	is_hex(FIELD_GET(STE_0_S1CDMAX, ste[0]), 0, "STE: S1CDMax 0 (no PASIDs)");
	is_hex(ste[1],
	       FIELD_PREP(STE_1_S1DSS, STE_S1DSS_SSID0) | FIELD_PREP(STE_1_S1CIR, 1) |
		       FIELD_PREP(STE_1_S1COR, 1) | FIELD_PREP(STE_1_S1CSH, 3),
	       "STE: S1DSS SSID0, WBRA/WBRA/ISH, NS-EL1, no STALLD, no EATS");
	is_hex(ste[2] | ste[3] | ste[4] | ste[5] | ste[6] | ste[7], 0, "STE: qwords 2-7 zero");

	v3_read_cd0(&b, d, cd);
	is_hex(cd[0] & (CD_0_V | CD_0_AA64 | CD_0_R | CD_0_A | CD_0_ASET | CD_0_EPD1 | CD_0_S),
	       CD_0_V | CD_0_AA64 | CD_0_R | CD_0_A | CD_0_ASET | CD_0_EPD1,
	       "CD: V AA64 R A ASET EPD1");
	is_hex(FIELD_GET(CD_0_ASID, cd[0]), 1, "CD: ASID 1");
	is_hex(FIELD_GET(CD_0_T0SZ, cd[0]), 16, "CD: T0SZ 16 (48-bit)");
	is_hex(FIELD_GET(CD_0_TG0, cd[0]), 0, "CD: TG0 4K");
	is_hex(FIELD_GET(CD_0_IPS, cd[0]), 4, "CD: IPS 44-bit");
	is_hex(FIELD_GET(CD_0_IRGN0, cd[0]) << 4 | FIELD_GET(CD_0_ORGN0, cd[0]) << 2 |
		       FIELD_GET(CD_0_SH0, cd[0]),
	       0x17, "CD: coherent walk WBWA/WBWA/IS");
	is_hex(cd[1], sd->pgtbl_cfg.s1.ttbr & CD_1_TTB0, "CD: TTB0 = the io-pgtable pgd");
	is_hex(cd[3], sd->pgtbl_cfg.s1.mair, "CD: MAIR from io-pgtable");
	ok(cd[1] >= V3_RAM_BASE && cd[3] != 0, "CD: TTB0 in RAM, MAIR set");

	is_int(ims_iommu_map(dom, IOVA_PAGE, PA_PAGE, 0x1000, IMS_IOMMU_READ | IMS_IOMMU_WRITE, 0),
	       0, "map one page");
	r = v3_xlate(&b, 0x20, IOVA_PAGE + 0x10);
	ok(r.status == IMS_TXN_OK && r.pa == PA_PAGE + 0x10, "the model translates it (pa 0x%llx)",
	   (unsigned long long)r.pa);
	r = v3_xlate(&b, 0x21, IOVA_PAGE + 0x10);
	ok(r.status == IMS_TXN_FAULT, "another master's domain does not map it");
	is_int(ims_iommu_unmap(dom, IOVA_PAGE, 0x1000), 0x1000, "unmap one page (strict)");
	v3_cmd_back(&b, 2, cmd);
	is_hex(cmd[0], FIELD_PREP(CMD_0_OP, CMDQ_OP_TLBI_NH_VA) | FIELD_PREP(CMD_0_ASID, 1),
	       "TLBI_NH_VA: ASID 1, NUM 0, SCALE 0");
	is_hex(cmd[1], IOVA_PAGE | CMD_1_LEAF | FIELD_PREP(CMD_1_TTL, 3) | FIELD_PREP(CMD_1_TG, 1),
	       "TLBI_NH_VA (RIL): leaf, TTL 3, TG 4K, VA");
	v3_cmd_back(&b, 1, cmd);
	is_hex(cmd[0], 0x0FC02046ull, "followed by CMD_SYNC (SEV)");
	r = v3_xlate(&b, 0x20, IOVA_PAGE + 0x10);
	ok(r.status == IMS_TXN_FAULT && r.fault.event == EVT_ID_TRANSLATION,
	   "after unmap the model faults (F_TRANSLATION): the IOTLB was invalidated");
	ok(ims_dev_has_msg(ims_devcore_find_by_node(b.dc, b.smmu_node), "event 0x10 received:"),
	   "the SMMU device logged event 0x10 received:");
	ok(ims_dev_has_msg(d, "arm-smmu-v3 9050000.iommu: event 0x10 received:"),
	   "the master keeps the event lines");
	ok(strstr(b.log.text, "<6>arm-smmu-v3 9050000.iommu: event 0x10 received:\n"
			      "<6>arm-smmu-v3 9050000.iommu: \t0x0000002000000010\n") != NULL,
	   "dword 0 follows as \\t0x%%016llx (SID 0x20, F_TRANSLATION)");
	ok(strstr(b.log.text, "\t0x0000000000100010\n") != NULL, "dword 2 is the input address");

	/* 16 pages: one range command (NUM 0, SCALE 4); no command per map, one batch per unmap. */
	{
		struct arm_smmu_device *smmu = v3_smmu(&b);
		unsigned long cmds = smmu->nr_cmds, syncs;

		ims_iommu_map(dom, 0x200000, 0x41000000, 0x10000, IMS_IOMMU_READ, 0);
		is_int(smmu->nr_cmds - cmds, 0, "strict map: no commands");
		cmds = smmu->nr_cmds;
		syncs = smmu->nr_syncs;
		ims_iommu_unmap(dom, 0x200000, 0x10000);
		is_int(smmu->nr_syncs - syncs, 1, "strict unmap of 16 pages: one CMD_SYNC");
		is_int(smmu->nr_cmds - cmds, 2, "... after one TLBI");
	}
	v3_cmd_back(&b, 2, cmd);
	is_hex(cmd[0],
	       FIELD_PREP(CMD_0_OP, CMDQ_OP_TLBI_NH_VA) | FIELD_PREP(CMD_0_ASID, 1) |
		       FIELD_PREP(CMD_0_SCALE, 4),
	       "16 pages: one TLBI_NH_VA with SCALE 4, NUM 0");
	v3_cmd_back(&b, 3, cmd);
	ok(FIELD_GET(CMD_0_OP, cmd[0]) != CMDQ_OP_TLBI_NH_VA, "... and only one");

	ims_iommu_flush_iotlb_all(dom);
	v3_cmd_back(&b, 2, cmd);
	is_hex(cmd[0], 0x0001000000000011ull, "flush_iotlb_all: TLBI_NH_ASID ASID 1");
	v3_down(&b);
}

static void test_no_ril(void)
{
	struct ims_smmuv3_params p;
	struct ims_iommu_domain *dom;
	struct v3board b;
	uint64_t cmd[2];
	bool all = true;

	ims_smmuv3_params_qemu_virt(&p);
	p.ril = false;
	v3_up(&b, board, &p);
	dom = ims_iommu_get_domain_for_dev(ims_devcore_find_device(b.dc, "a000000.dma"));
	ims_iommu_map(dom, 0x200000, 0x41000000, 0x10000, IMS_IOMMU_READ, 0);
	ims_iommu_unmap(dom, 0x200000, 0x10000);
	for (unsigned int i = 0; i < 16; i++) {
		v3_cmd_back(&b, 17 - i, cmd);
		if (cmd[0] != (FIELD_PREP(CMD_0_OP, CMDQ_OP_TLBI_NH_VA) |
			       FIELD_PREP(CMD_0_ASID, 1)) ||
		    cmd[1] != ((0x200000ull + 0x1000ull * i) | CMD_1_LEAF))
			all = false;
	}
	ok(all, "without RIL: 16 TLBI_NH_VA, one per page, TG/TTL 0");
	ok(v3_xlate(&b, 0x20, 0x20f000).status == IMS_TXN_FAULT,
	   "the last page faults after unmap");
	v3_down(&b);
}

static void test_domains_lifecycle(void)
{
	struct ims_iommu_domain *dom, *um, *blocked;
	struct arm_smmu_device *smmu;
	struct ims_device *d;
	unsigned long syncs;
	uint64_t ste[8], cd[8], before;
	struct v3board b;
	int err = 0;

	v3_up(&b, board, NULL);
	smmu = v3_smmu(&b);
	d = ims_devcore_find_device(b.dc, "a000000.dma");
	dom = ims_iommu_get_domain_for_dev(d);

	/*
	 * An unmanaged domain: the CD's ASID (qword 0) and TTB0 (qword 1) both
	 * change, so arm_smmu_write_entry() makes a breaking update (V=0, qwords
	 * 1-7, qword 0: three CFGI_CD syncs); the STE is unchanged (no sync).
	 */
	um = ims_iommu_paging_domain_alloc(d, &err);
	ok(um != NULL, "paging domain allocated");
	ims_device_release_driver(d); /* drop the driver's ownership for the attach */
	syncs = smmu->nr_syncs;
	is_int(ims_iommu_attach_device(um, d), 0, "attach the unmanaged domain");
	is_int(smmu->nr_syncs - syncs, 3, "new ASID and TTB0: three syncs (breaking CD update)");
	v3_read_cd0(&b, d, cd);
	is_hex(FIELD_GET(CD_0_ASID, cd[0]), 3, "CD now carries ASID 3");
	ims_iommu_map(um, 0x5000, 0x42000000, 0x1000, IMS_IOMMU_READ, 0);
	ok(v3_xlate(&b, 0x20, 0x5000).pa == 0x42000000, "the unmanaged domain translates");
	ims_iommu_detach_device(um, d);
	v3_read_cd0(&b, d, cd);
	is_hex(FIELD_GET(CD_0_ASID, cd[0]), 1, "detach: back to the DMA domain's ASID 1");
	ims_iommu_domain_free(um);

	/* Blocked: the STE becomes abort (cdtable_to_abort) and the CD is cleared. */
	blocked = d->iommu->fwspec->ops->blocked_domain;
	syncs = smmu->nr_syncs;
	is_int(ims_iommu_attach_device(blocked, d), 0, "attach the blocked domain");
	v3_read_ste(&b, 0x20, ste);
	is_hex(ste[0], 0x1, "blocked: abort STE");
	is_hex(ste[1] | ste[2], 0, "blocked: qwords 1-2 cleared");
	v3_read_cd0(&b, d, cd);
	is_hex(cd[0] | cd[1] | cd[3], 0, "blocked: the CD is cleared");
	is_int(smmu->nr_syncs - syncs, 4, "STE 2 syncs + CD clear 2 syncs");
	ok(v3_xlate(&b, 0x20, 0x1000).status == IMS_TXN_ABORT, "blocked traffic aborts");
	ims_iommu_detach_device(blocked, d);
	v3_read_ste(&b, 0x20, ste);
	is_hex(FIELD_GET(STE_0_CFG, ste[0]), STE_CFG_S1, "detach: the DMA domain's STE again");

	/* Unbind and rebind leave the state as it was. */
	ims_device_attach(d);
	before = allocated(&b);
	v3_read_ste(&b, 0x20, ste);
	ims_device_release_driver(d);
	ok(ims_device_attach(d) == 1, "rebind");
	{
		uint64_t ste2[8];

		v3_read_ste(&b, 0x20, ste2);
		ok(!memcmp(ste, ste2, sizeof(ste)), "unbind/rebind: the STE is unchanged");
	}
	ok(ims_iommu_get_domain_for_dev(d) == dom, "unbind/rebind: same default domain");
	is_int(allocated(&b), before, "unbind/rebind: no simulated memory leaked");

	/* Removal: release_device restores the abort STE and frees the CD table and domain. */
	ims_device_unregister(d);
	v3_read_ste(&b, 0x20, ste);
	is_hex(ste[0], 0x1, "removed: abort STE");
	is_int(smmu->nr_streams, 1, "removed: its stream left the tree");
	ok(allocated(&b) < before, "removed: CD table and page tables freed");
	ok(!smmu->asid_map[0] || !(smmu->asid_map[0] & 0x2), "removed: ASID 1 freed");
	v3_down(&b);
}

static void test_passthrough(void)
{
	struct ims_iommu_opts o;
	struct ims_device *d;
	struct v3board b;
	uint64_t ste[8];

	ims_iommu_opts_init(&o);
	o.passthrough = 1;
	v3_up_opts(&b, board, NULL, &o);
	d = ims_devcore_find_device(b.dc, "a000000.dma");
	ok(d && ims_iommu_get_domain_for_dev(d) &&
		   ims_iommu_get_domain_for_dev(d)->type == IMS_IOMMU_DOMAIN_IDENTITY,
	   "iommu.passthrough=1: identity domain");
	v3_read_ste(&b, 0x20, ste);
	is_hex(ste[0], 0x9, "identity: bypass STE (V, Config 0b100)");
	is_hex(ste[1], 0, "identity: no SHCFG without IDR1.ATTR_TYPES_OVR");
	ok(v3_master(d) && !v3_master(d)->cd_table.cdtab_dma, "identity: no CD table");
	ok(v3_xlate(&b, 0x20, 0x43210000).status == IMS_TXN_BYPASS, "identity: traffic bypasses");
	v3_down(&b);
}

static void test_msipoll_and_s2(void)
{
	struct ims_smmuv3_params p;
	struct ims_smmuv3_stats st;
	struct ims_iommu_domain *dom;
	struct arm_smmu_domain *sd;
	struct v3board b;
	uint64_t ste[8], cmd[2];

	/* Default preset: MSIs with a coherent SMMU → CMD_SYNC completion by MSI write. */
	ims_smmuv3_params_default(&p);
	v3_up(&b, board, &p);
	ok(v3_smmu(&b) && (v3_smmu(&b)->options & ARM_SMMU_OPT_MSIPOLL),
	   "MSI + coherent: ARM_SMMU_OPT_MSIPOLL");
	ok(strstr(b.log.text, "msi_domain absent - falling back to wired irqs") != NULL,
	   "no MSI domain: wired interrupts");
	dom = ims_iommu_get_domain_for_dev(ims_devcore_find_device(b.dc, "a000000.dma"));
	ims_iommu_map(dom, 0x3000, 0x44000000, 0x1000, IMS_IOMMU_READ, 0);
	ok(v3_xlate(&b, 0x20, 0x3000).pa == 0x44000000, "MSIPOLL: translates");
	ims_iommu_unmap(dom, 0x3000, 0x1000);
	v3_cmd_back(&b, 1, cmd);
	is_hex(FIELD_GET(CMD_0_CS, cmd[0]), 0, "the MSI zeroed the CMD_SYNC's first word");
	ims_smmuv3_get_stats(b.model, &st);
	ok(st.msis > 0 && !strstr(b.log.text, "CMD_SYNC timeout"), "CMD_SYNCs completed by MSI");
	ok(v3_xlate(&b, 0x20, 0x3000).status == IMS_TXN_FAULT, "MSIPOLL: unmap invalidated");
	v3_down(&b);

	/* Stage 2 only: a VMID, an S2 STE, TLBI_S12_VMALL. */
	ims_smmuv3_params_qemu_virt(&p);
	p.s1p = false;
	p.s2p = true;
	v3_up(&b, board, &p);
	dom = ims_iommu_get_domain_for_dev(ims_devcore_find_device(b.dc, "a000000.dma"));
	if (!ok(dom != NULL, "S2-only SMMU: DMA domain")) {
		diag("%s", b.log.text);
		v3_down(&b);
		return;
	}
	sd = (struct arm_smmu_domain *)(void *)dom;
	is_int(sd->stage, ARM_SMMU_DOMAIN_S2, "stage 2 domain");
	is_int(sd->vmid, 1, "VMID 1");
	v3_read_ste(&b, 0x20, ste);
	is_hex(ste[0], STE_0_V | FIELD_PREP(STE_0_CFG, STE_CFG_S2), "S2 STE: V, Config = S2");
	is_hex(FIELD_GET(STE_2_S2VMID, ste[2]), 1, "S2 STE: VMID 1");
	ok((ste[2] & (STE_2_S2AA64 | STE_2_S2PTW | STE_2_S2R)) ==
		   (STE_2_S2AA64 | STE_2_S2PTW | STE_2_S2R),
	   "S2 STE: AA64, PTW, R");
	is_hex(ste[3], sd->pgtbl_cfg.s2.vttbr & STE_3_S2TTB, "S2 STE: S2TTB = the VTTBR");
	is_hex(FIELD_GET(STE_2_VTCR, ste[2]) & 0x3f, sd->pgtbl_cfg.s2.vtcr.tsz, "S2 STE: S2T0SZ");
	ims_iommu_map(dom, 0x7000, 0x45000000, 0x1000, IMS_IOMMU_READ | IMS_IOMMU_WRITE, 0);
	ok(v3_xlate(&b, 0x20, 0x7000).pa == 0x45000000, "S2: translates");
	ims_iommu_flush_iotlb_all(dom);
	v3_cmd_back(&b, 2, cmd);
	is_hex(cmd[0], FIELD_PREP(CMD_0_OP, CMDQ_OP_TLBI_S12_VMALL) | FIELD_PREP(CMD_0_VMID, 1),
	       "S2 flush_iotlb_all: TLBI_S12_VMALL VMID 1");
	ims_iommu_unmap(dom, 0x7000, 0x1000);
	v3_cmd_back(&b, 2, cmd);
	is_hex(FIELD_GET(CMD_0_OP, cmd[0]), CMDQ_OP_TLBI_S2_IPA, "S2 unmap: TLBI_S2_IPA");
	ok(v3_xlate(&b, 0x20, 0x7000).status != IMS_TXN_OK, "S2: unmapped");
	v3_down(&b);
}

static void test_cmd_error(void)
{
	struct arm_smmu_cmdq_ent ent = { .opcode = CMDQ_OP_TLBI_S12_VMALL, .vmid = 3 };
	struct v3board b;

	v3_up(&b, board, NULL);
	/* The QEMU SMMU lacks stage 2: TLBI_S12_VMALL is CERROR_ILL. */
	is_int(arm_smmu_cmdq_issue_cmd_with_sync(v3_smmu(&b), &ent), 0,
	       "the CMD_SYNC still completes after the GERROR handler skips the bad command");
	ok(strstr(b.log.text, "<4>arm-smmu-v3 9050000.iommu: unexpected global error reported "
			      "(0x00000001), this could be serious") != NULL,
	   "GERROR: unexpected global error reported (0x00000001)");
	ok(strstr(b.log.text, "): Illegal command\n") != NULL &&
		   strstr(b.log.text, "<3>arm-smmu-v3 9050000.iommu: CMDQ error (cons 0x01") !=
			   NULL,
	   "CMDQ error (cons 0x01......): Illegal command");
	ok(strstr(b.log.text, "skipping command in error state:\n") != NULL &&
		   strstr(b.log.text, "\t0x0000000300000028\n") != NULL,
	   "the skipped command is dumped");
	is_hex(v3_reg(&b, SMMU_GERROR) ^ v3_reg(&b, SMMU_GERRORN), 0, "GERROR acknowledged");
	v3_down(&b);
}

/* pasid-num-bits 16 with CD2L: a 64K-L2 CD table of 64 L1 descriptors. */
static void test_cd_2lvl(void)
{
	static const char *const dts = V3_DTS_HEAD V3_SMMU_NODE
		" dma@a000000 { compatible = \"test,dma\"; reg = <0x0 0xa000000 0x0 0x1000>;"
		" iommus = <&smmu 0x20>; pasid-num-bits = <16>; };\n"
		" dma@a001000 { compatible = \"test,dma\"; reg = <0x0 0xa001000 0x0 0x1000>;"
		" iommus = <&smmu 0x21>; pasid-num-bits = <16>; };\n};\n";
	struct ims_smmuv3_params p;
	struct arm_smmu_master *m, *m2;
	struct v3board b;
	uint64_t ste[8], l1cd = 0, cd[8];

	ims_smmuv3_params_default(&p);
	v3_up(&b, dts, &p);
	m = v3_master(ims_devcore_find_device(b.dc, "a000000.dma"));
	if (!ok(m != NULL, "pasid-num-bits 16: probed")) {
		v3_down(&b);
		return;
	}
	is_int(m->ssid_bits, 16, "ssid_bits = min(SSIDSIZE 20, pasid-num-bits 16)");
	is_int(m->cd_table.s1fmt, STE_S1FMT_64K_L2, "2-level CD table");
	is_int(m->cd_table.num_ents, 64, "64 L1 CD descriptors");
	v3_read_ste(&b, 0x20, ste);
	is_hex(FIELD_GET(STE_0_S1FMT, ste[0]), STE_S1FMT_64K_L2, "STE S1Fmt 64K L2");
	is_hex(FIELD_GET(STE_0_S1CDMAX, ste[0]), 16, "STE S1CDMax 16");
	ims_mem_read64(b.mem, m->cd_table.cdtab_dma, &l1cd);
	ok((l1cd & L1CD_V) && (l1cd & L1CD_L2PTR) == arm_smmu_cd0_pa(m),
	   "L1CD[0] valid, pointing at CD 0");
	v3_read_cd0(&b, ims_devcore_find_device(b.dc, "a000000.dma"), cd);
	ok((cd[0] & CD_0_V) && FIELD_GET(CD_0_ASID, cd[0]) == 1, "CD 0 valid with ASID 1");
	ims_iommu_map(ims_iommu_get_domain_for_dev(m->dev), 0x9000, 0x47000000, 0x1000,
		      IMS_IOMMU_READ, 0);
	ok(v3_xlate(&b, 0x20, 0x9000).pa == 0x47000000, "translation through the 2-level CD table");
	m2 = v3_master(ims_devcore_find_device(b.dc, "a001000.dma"));
	ok(m2 && m2->cd_table.cdtab_dma != m->cd_table.cdtab_dma,
	   "each master has its own CD table");
	v3_down(&b);
}

int main(void)
{
	test_cd_2lvl();
	test_dma_domain();
	test_no_ril();
	test_domains_lifecycle();
	test_passthrough();
	test_msipoll_and_s2();
	test_cmd_error();
	return tap_done();
}
