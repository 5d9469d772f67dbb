// SPDX-License-Identifier: MIT
/*
 * Stream-table sizing and the StreamID range check (reference §10.6): linear
 * for 8 SID bits, 2-level for 16, 2-level capped at 2^17 L1 entries for 32
 * ("only covers 25/32 bits"); a SID beyond the table fails probe_device with
 * -ERANGE and the device runs without the IOMMU.
 */
#include "v3-test.h"

static void check(unsigned int sid_bits, uint32_t good, uint32_t bad, uint32_t want_cfg)
{
	char dts[2048];
	struct ims_smmuv3_params p;
	struct ims_device *dg, *db;
	struct arm_smmu_device *smmu;
	struct v3board b;
	uint64_t ste[8];

	snprintf(dts, sizeof(dts),
		 V3_DTS_HEAD V3_SMMU_NODE
		 " good@a000000 { compatible = \"test,dma\"; reg = <0x0 0xa000000 0x0 0x1000>;"
		 " iommus = <&smmu 0x%x>; };\n"
		 " bad@a001000 { compatible = \"test,dma\"; reg = <0x0 0xa001000 0x0 0x1000>;"
		 " iommus = <&smmu 0x%x>; };\n};\n",
		 good, bad);
	ims_smmuv3_params_qemu_virt(&p);
	p.sidsize = (uint8_t)sid_bits;
	v3_up(&b, dts, &p);
	smmu = v3_smmu(&b);
	if (!ok(smmu != NULL, "%u SID bits: the SMMU probes", sid_bits)) {
		v3_down(&b);
		return;
	}
	is_hex(v3_reg(&b, SMMU_STRTAB_BASE_CFG), want_cfg, "%u SID bits: STRTAB_BASE_CFG",
	       sid_bits);
	dg = ims_devcore_find_device(b.dc, "a000000.good");
	db = ims_devcore_find_device(b.dc, "a001000.bad");
	ok(dg && dg->iommu && dg->iommu_group, "%u SID bits: SID 0x%x is in range", sid_bits, good);
	ok(arm_smmu_sid_in_range(smmu, good) && !arm_smmu_sid_in_range(smmu, bad),
	   "%u SID bits: arm_smmu_sid_in_range(0x%x) and not (0x%x)", sid_bits, good, bad);
	v3_read_ste(&b, good, ste);
	is_hex(FIELD_GET(STE_0_CFG, ste[0]), STE_CFG_S1, "%u SID bits: SID 0x%x has an S1 STE",
	       sid_bits, good);
	ok(db && !db->iommu && !db->iommu_group && db->dma_ops == IMS_DMA_OPS_DIRECT,
	   "%u SID bits: SID 0x%x gets no IOMMU (dma-direct)", sid_bits, bad);
	ok(v3_decided(db, "ERANGE") && v3_decided(db, "beyond the stream table"),
	   "%u SID bits: probe_device failed with -ERANGE", sid_bits);
	if (sid_bits == 32)
		ok(strstr(b.log.text, "<4>arm-smmu-v3 9050000.iommu: 2-level strtab only covers "
				      "25/32 bits of SID") != NULL,
		   "32 SID bits: warns that the table only covers 25 bits");
	else
		ok(!strstr(b.log.text, "only covers"), "%u SID bits: no coverage warning",
		   sid_bits);
	if (smmu->strtab_2lvl) {
		uint64_t l1 = 0;

		ims_mem_read64(b.mem, smmu->strtab_dma + 8ull * (good >> 8), &l1);
		ok(FIELD_GET(L1STD_SPAN, l1) == 9 && (l1 & L1STD_L2PTR),
		   "%u SID bits: L1 descriptor %u valid (L2 index of SID 0x%x)", sid_bits,
		   good >> 8, good);
	}
	v3_down(&b);
}

int main(void)
{
	check(8, 0xff, 0x100, FIELD_PREP(STRTAB_BASE_CFG_LOG2SIZE, 8));
	check(16, 0xffff, 0x10000,
	      FIELD_PREP(STRTAB_BASE_CFG_FMT, 1) | FIELD_PREP(STRTAB_BASE_CFG_SPLIT, 8) |
		      FIELD_PREP(STRTAB_BASE_CFG_LOG2SIZE, 16));
	check(32, 0x1ffffff, 0x2000000,
	      FIELD_PREP(STRTAB_BASE_CFG_FMT, 1) | FIELD_PREP(STRTAB_BASE_CFG_SPLIT, 8) |
		      FIELD_PREP(STRTAB_BASE_CFG_LOG2SIZE, 25));
	return tap_done();
}
