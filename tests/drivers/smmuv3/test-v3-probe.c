// SPDX-License-Identifier: MIT
/*
 * arm-smmu-v3 probe: ID registers read into idregs, feature derivation, the
 * queues and stream table, the CR0/CR0ACK enable with every STE abort, the
 * interrupt setup, and the probe failures the kernel reports.
 */
#include "v3-test.h"

static const char *const board = V3_DTS_HEAD V3_SMMU_NODE
	" dma@a000000 { compatible = \"test,dma\"; reg = <0x0 0xa000000 0x0 0x1000>;"
	" iommus = <&smmu 0x20>; };\n"
	"};\n";

static void test_qemu_preset(void)
{
	static const uint32_t want[] = { 0x0d40101a, 0x02730010, 0, 0x00001404, 0, 0x74, 0, 1 };
	static const char *const names[] = { "IDR0", "IDR1", "IDR2", "IDR3",
					     "IDR4", "IDR5", "IIDR", "AIDR" };
	struct v3board b;
	struct arm_smmu_device *smmu;
	struct ims_device *sdev;
	uint64_t ste[8], l1;

	v3_up(&b, board, NULL);
	sdev = ims_devcore_find_device(b.dc, "9050000.iommu");
	smmu = v3_smmu(&b);
	if (!ok(smmu != NULL, "the driver bound 9050000.iommu")) {
		diag("%s", b.log.text);
		v3_down(&b);
		return;
	}
	is_int(smmu->iommu.nr_idregs, 8, "eight ID registers recorded");
	for (int i = 0; i < 8; i++) {
		is_str(smmu->iommu.idregs[i].name, names[i], "idregs[%d] is %s", i, names[i]);
		is_hex(smmu->iommu.idregs[i].value, want[i], "%s reads back the QEMU preset",
		       names[i]);
		is_hex(smmu->iommu.idregs[i].value, v3_reg(&b, 4ull * i), "%s equals the register",
		       names[i]);
	}
	is_hex(smmu->features,
	       ARM_SMMU_FEAT_2_LVL_STRTAB | ARM_SMMU_FEAT_TT_LE | ARM_SMMU_FEAT_COHERENCY |
		       ARM_SMMU_FEAT_TRANS_S1 | ARM_SMMU_FEAT_RANGE_INV,
	       "features: 2-level strtab, TT LE, coherency (DT), S1, RIL");
	is_int(smmu->sid_bits, 16, "sid_bits 16");
	is_int(smmu->ssid_bits, 0, "ssid_bits 0");
	is_int(smmu->asid_bits, 16, "asid_bits 16");
	is_int(smmu->vmid_bits, 8, "vmid_bits 8");
	is_int(smmu->oas, 44, "oas 44");
	is_int(smmu->ias, 44, "ias = max(ias, oas)");
	is_hex(smmu->pgsize_bitmap,
	       0x40000000ull | 0x20000000 | 0x2000000 | 0x200000 | 0x10000 | 0x4000 | 0x1000,
	       "pgsize_bitmap from GRAN4K/16K/64K");
	ok(strstr(b.log.text, "arm-smmu-v3 9050000.iommu: ias 44-bit, oas 44-bit (features 0x") !=
		   NULL,
	   "hw_probe logs ias/oas/features");
	ok(strstr(b.log.text, "<6>arm-smmu-v3 9050000.iommu: allocated 262144 entries for cmdq") !=
		   NULL,
	   "cmdq capped at CMDQ_MAX_SZ_SHIFT 18");
	ok(strstr(b.log.text, "<6>arm-smmu-v3 9050000.iommu: allocated 131072 entries for evtq") !=
		   NULL,
	   "evtq capped at EVTQ_MAX_SZ_SHIFT 17");
	ok(!strstr(b.log.text, "only covers"), "16 SID bits fully covered");
	is_hex(v3_reg(&b, SMMU_CR0ACK), CR0_SMMUEN | CR0_EVENTQEN | CR0_CMDQEN,
	       "CR0ACK: SMMUEN | EVENTQEN | CMDQEN");
	is_hex(v3_reg(&b, SMMU_CR1), 0xd75, "CR1: ISH, WB tables and queues");
	is_hex(v3_reg(&b, SMMU_CR2), CR2_PTM | CR2_RECINVSID, "CR2: PTM | RECINVSID");
	is_hex(v3_reg(&b, SMMU_IRQ_CTRLACK), IRQ_CTRL_EVENTQ_IRQEN | IRQ_CTRL_GERROR_IRQEN,
	       "IRQ_CTRLACK: eventq and gerror enabled");
	is_hex(v3_reg(&b, SMMU_STRTAB_BASE_CFG),
	       FIELD_PREP(STRTAB_BASE_CFG_FMT, 1) | FIELD_PREP(STRTAB_BASE_CFG_SPLIT, 8) |
		       FIELD_PREP(STRTAB_BASE_CFG_LOG2SIZE, 16),
	       "STRTAB_BASE_CFG: 2-level, SPLIT 8, LOG2SIZE 16");
	is_hex(v3_reg(&b, SMMU_STRTAB_BASE) & ~0x3full, smmu->strtab_dma & 0xffffffffull,
	       "STRTAB_BASE holds the L1 table");
	is_int(smmu->num_l1_ents, 256, "256 L1 descriptors");
	ims_mem_read64(b.mem, smmu->strtab_dma, &l1);
	is_hex(FIELD_GET(L1STD_SPAN, l1), 9, "L1[0] (SID 0x20) SPAN = 9");
	ok((l1 & L1STD_L2PTR) != 0, "L1[0] points at an L2 table");
	ims_mem_read64(b.mem, smmu->strtab_dma + 8, &l1);
	is_hex(l1, 0, "L1[1] (no master) stays invalid");
	v3_read_ste(&b, 0x21, ste);
	is_hex(ste[0], 0x1, "an unowned SID in an allocated L2 table is an abort STE");
	ok(v3_xlate(&b, 0x21, 0x1000).status == IMS_TXN_ABORT, "its traffic aborts");
	ok(sdev && ims_dev_has_msg(sdev, "no evtq irq") == false, "eventq interrupt requested");
	{
		struct ims_smmuv3_stats st;

		ims_smmuv3_get_stats(b.model, &st);
		ok(st.syncs >= 2 && st.cmd_errors == 0,
		   "reset issued CFGI_ALL and TLBI_NSNH_ALL with CMD_SYNCs, no command errors");
	}
	v3_down(&b);
}

static void test_linear_and_combined(void)
{
	static const char *const dts =
		V3_DTS_HEAD " smmu: iommu@9050000 { compatible = \"arm,smmu-v3\";"
			    " reg = <0x0 0x9050000 0x0 0x20000>; interrupts = <0 74 1>;"
			    " interrupt-names = \"combined\"; #iommu-cells = <1>; };\n"
			    " dma@a000000 { compatible = \"test,dma\"; reg = <0x0 0xa000000 0x0 "
			    "0x1000>; iommus = <&smmu 0x7>; };\n};\n";
	struct ims_smmuv3_params p;
	struct arm_smmu_device *smmu;
	struct v3board b;
	bool all_abort = true;
	uint64_t ste[8];

	ims_smmuv3_params_qemu_virt(&p);
	p.sidsize = 8;
	v3_up(&b, dts, &p);
	smmu = v3_smmu(&b);
	if (!ok(smmu != NULL, "probe with 8 SID bits")) {
		v3_down(&b);
		return;
	}
	ok(!smmu->strtab_2lvl, "sid_bits <= STRTAB_SPLIT: linear table despite ST_LEVEL");
	is_hex(v3_reg(&b, SMMU_STRTAB_BASE_CFG), FIELD_PREP(STRTAB_BASE_CFG_LOG2SIZE, 8),
	       "STRTAB_BASE_CFG: linear, LOG2SIZE 8");
	for (uint32_t sid = 0; sid < 256; sid++) {
		v3_read_ste(&b, sid, ste);
		if (sid != 7 && ste[0] != 1)
			all_abort = false;
	}
	ok(all_abort, "all 255 unowned STEs are abort");
	ok(strstr(b.log.text, "IDR0.COHACC overridden by FW configuration (false)") != NULL,
	   "COHACC without dma-coherent warns");
	ok(smmu->combined_irq == 0 && smmu->evtq.irq < 0, "the combined interrupt is used");
	v3_down(&b);
}

static void test_failures(void)
{
	static const char *const bad_cells =
		V3_DTS_HEAD " smmu: iommu@9050000 { compatible = \"arm,smmu-v3\";"
			    " reg = <0x0 0x9050000 0x0 0x20000>; #iommu-cells = <2>; };\n};\n";
	static const char *const small =
		V3_DTS_HEAD " smmu: iommu@9050000 { compatible = \"arm,smmu-v3\";"
			    " reg = <0x0 0x9050000 0x0 0x10000>; #iommu-cells = <1>; };\n};\n";
	struct ims_smmuv3_params p;
	struct ims_device *d;
	struct v3board b;

	v3_up(&b, bad_cells, NULL);
	d = ims_devcore_find_by_node(b.dc, b.smmu_node);
	ok(d && !d->driver && v3_smmu(&b) == NULL, "#iommu-cells = <2>: probe fails");
	ok(strstr(b.log.text, "<3>arm-smmu-v3 9050000.iommu: invalid #iommu-cells value (2)") !=
		   NULL,
	   "logs invalid #iommu-cells value (2)");
	is_hex(v3_reg(&b, SMMU_CR0), 0, "the SMMU stays disabled");
	v3_down(&b);

	v3_up(&b, small, NULL);
	ok(v3_smmu(&b) == NULL && strstr(b.log.text, "MMIO region too small") != NULL,
	   "a 64 KiB reg is too small without the page-1 quirk");
	v3_down(&b);

	ims_smmuv3_params_qemu_virt(&p);
	p.ttendian = 3;
	v3_up(&b, board, &p);
	ok(v3_smmu(&b) == NULL && strstr(b.log.text, "unknown/unsupported TT endianness!") != NULL,
	   "big-endian-only tables: -ENXIO on a little-endian kernel");
	v3_down(&b);

	ims_smmuv3_params_qemu_virt(&p);
	p.cmdqs = 6;
	v3_up(&b, board, &p);
	ok(v3_smmu(&b) == NULL &&
		   strstr(b.log.text, "command queue size <= 64 entries not supported") != NULL,
	   "CMDQS 6: command queue too small");
	v3_down(&b);
}

/* Firmware left the SMMU enabled in bypass. */
static void pre_enable(struct v3board *b)
{
	ims_mmio_write(b->mem, 0x9050000 + SMMU_CR0, 4, CR0_SMMUEN);
}

static void test_left_enabled(void)
{
	struct v3board b;
	uint32_t gbpa;

	v3_up_full(&b, board, NULL, NULL, pre_enable);
	gbpa = v3_reg(&b, SMMU_GBPA);
	ok(strstr(b.log.text,
		  "<4>arm-smmu-v3 9050000.iommu: SMMU currently enabled! Resetting...") != NULL,
	   "an SMMU left enabled is reset with a warning");
	ok((gbpa & GBPA_ABORT) && !(gbpa & GBPA_UPDATE),
	   "GBPA set to abort through the Update handshake");
	is_hex(v3_reg(&b, SMMU_CR0ACK), CR0_SMMUEN | CR0_EVENTQEN | CR0_CMDQEN,
	       "and enabled again");
	ok(v3_smmu(&b) != NULL, "probe succeeds");
	v3_down(&b);
}

int main(void)
{
	test_left_enabled();
	test_qemu_preset();
	test_linear_and_combined();
	test_failures();
	return tap_done();
}
