// SPDX-License-Identifier: MIT
/*
 * arm-smmu translation end to end: iommu_map() through the default DMA domain
 * translates device DMA in the model; unmap with TLBIVAL + TLBSYNC makes the
 * access fault (no stale TLB entry) and arm_smmu_context_fault() logs the
 * 6.12 lines; an unmatched stream gives "Blocked unknown Stream ID"; stage 2,
 * block mappings, identity (passthrough) and disable_bypass=0.
 */
#include "smmuv2-drv.h"

#define PFX "arm-smmu 2b400000.iommu: "
#define CLIENTS                                                                                    \
	" dev@1000 { compatible = \"acme,dev\"; reg = <0 0x1000 0 0x100>; iommus = <&smmu 0x21>; " \
	"};"                                                                                       \
	" dev@2000 { compatible = \"acme,dev\"; reg = <0 0x2000 0 0x100>; iommus = <&smmu 0x22>; " \
	"};"

static uint64_t alloc_buf(struct machine *m, uint64_t size, uint64_t align)
{
	uint64_t pa = 0;

	if (ims_mem_alloc(m->mem, &pa, size, align, IMS_MEM_ZERO))
		diag("ims_mem_alloc failed");
	return pa;
}

static void test_map_translate_unmap(const char *bootargs, bool stage2)
{
	struct machine m;
	struct mach_smmu *s;
	struct ims_device *d;
	struct ims_iommu_domain *dom;
	struct arm_smmu_domain *sd;
	struct ims_txn_result res;
	char buf[16] = "", line[256];
	const char *st = stage2 ? "S2" : "S1";
	uint64_t pa;
	unsigned int cb;

	mach_up_board(&m, bootargs, "#iommu-cells = <1>;", 17, CLIENTS, NULL);
	s = mach_smmu_at(&m, "/iommu@2b400000");
	d = ims_devcore_find_device(m.dc, "2000.dev");
	dom = d ? ims_iommu_get_domain_for_dev(d) : NULL;
	sd = drv_domain(d);
	if (!ok(dom && sd && dom->type == IMS_IOMMU_DOMAIN_DMA, "%s: default DMA domain", st))
		goto out;
	is_int(sd->stage, stage2 ? ARM_SMMU_DOMAIN_S2 : ARM_SMMU_DOMAIN_S1, "%s: stage", st);
	cb = sd->cfg.cbndx;
	is_hex(dom->pgsize_bitmap, 0x40201000, "%s: domain page sizes narrowed to the 4K granule",
	       st);
	is_hex(dom->aperture_end, (1ull << 48) - 1, "%s: aperture = 48-bit input", st);
	ok(dom->force_aperture, "%s: force_aperture", st);

	pa = alloc_buf(&m, 0x2000, 0x1000);
	is_int(ims_iommu_map(dom, 0x100000, pa, 0x2000, IMS_IOMMU_READ | IMS_IOMMU_WRITE, 0), 0,
	       "%s: iommu_map 8K at 0x100000", st);
	is_hex(ims_iommu_iova_to_phys(dom, 0x101234), pa + 0x1234, "%s: iova_to_phys", st);

	is_int(dev_write(s, 0x22, 0x100010, "hello", &res), 0, "%s: device write", st);
	is_int(res.status, IMS_TXN_OK, "%s: translated", st);
	ims_mem_read(m.mem, pa + 0x10, buf, 6);
	is_str(buf, "hello", "%s: the bytes land at the mapped PA", st);
	ims_mem_write(m.mem, pa + 0x1800, "world", 6);
	memset(buf, 0, sizeof(buf));
	is_int(dev_dma(s, 0x22, 0x101800, buf, 6, false, &res), 0, "%s: device read", st);
	is_str(buf, "world", "%s: reads the second page", st);

	/* Unmapped IOVA: a translation fault at level 2 (no table there). */
	capture_reset(&m.log);
	is_int(dev_dma(s, 0x22, 0x200000, buf, 4, false, &res), -EFAULT, "%s: unmapped IOVA", st);
	is_int(res.status, IMS_TXN_FAULT, "%s: fault (CFRE)", st);
	snprintf(line, sizeof(line),
		 "<3>" PFX "Unhandled context fault: fsr=0x402, iova=0x00200000, fsynr=0x2, "
		 "cbfrsynra=0x22, cb=%u",
		 cb);
	ok(log_has(&m, line), "%s: %s", st, line + 3);
	ok(log_has(&m, "<3>" PFX "FSR    = 00000402 [Format=2 TF], SID=0x22"), "%s: FSR line", st);
	ok(log_has(&m, "<3>" PFX "FSYNR0 = 00000002 [S1CBNDX=0 PLVL=2]"), "%s: FSYNR0 line", st);
	is_hex(rd32(&m, cbreg(s, cb, SMMU_CB_FSR)), 0, "%s: FSR cleared by the handler", st);

	/* Unmap: the cached translation must go (TLBIVAL/TLBIIPAS2L + TLBSYNC). */
	is_int(ims_iommu_unmap(dom, 0x100000, 0x2000), 0x2000, "%s: unmap 8K", st);
	is_hex(ims_iommu_iova_to_phys(dom, 0x100010), 0, "%s: gone from the tables", st);
	capture_reset(&m.log);
	is_int(dev_write(s, 0x22, 0x100010, "again", &res), -EFAULT,
	       "%s: DMA to the unmapped page faults (no stale TLB entry)", st);
	snprintf(line, sizeof(line),
		 "<3>" PFX "Unhandled context fault: fsr=0x402, iova=0x00100010, fsynr=0x13, "
		 "cbfrsynra=0x22, cb=%u",
		 cb);
	ok(log_has(&m, line), "%s: %s", st, line + 3);
	ok(log_has(&m, "FSYNR0 = 00000013 [S1CBNDX=0 WNR PLVL=3]"), "%s: write at level 3", st);

	/* A 2M block. */
	pa = alloc_buf(&m, 0x200000, 0x200000);
	is_int(ims_iommu_map(dom, 0x40000000, pa, 0x200000, IMS_IOMMU_READ | IMS_IOMMU_WRITE, 0), 0,
	       "%s: map a 2M block", st);
	is_int(dev_write(s, 0x22, 0x401ff000, "blk", &res), 0, "%s: DMA into the block", st);
	memset(buf, 0, sizeof(buf));
	ims_mem_read(m.mem, pa + 0x1ff000, buf, 4);
	is_str(buf, "blk", "%s: block translation", st);
	is_int(ims_iommu_unmap(dom, 0x40000000, 0x200000), 0x200000, "%s: unmap the block", st);
	is_int(dev_write(s, 0x22, 0x401ff000, "blk", &res), -EFAULT, "%s: block invalidated", st);

	/* The other device has its own bank: its SID does not reach this domain. */
	ok(drv_domain(ims_devcore_find_device(m.dc, "1000.dev")) != sd,
	   "%s: separate devices, separate domains", st);
out:
	mach_down(&m);
}

static void test_unknown_stream(void)
{
	struct machine m;
	struct mach_smmu *s;
	struct ims_txn_result res;
	uint32_t word = 0;

	mach_up_board(&m, "", "#iommu-cells = <1>;", 17, CLIENTS, NULL);
	s = mach_smmu_at(&m, "/iommu@2b400000");
	capture_reset(&m.log);
	is_int(dev_dma(s, 0x7000, 0x1000, &word, 4, false, &res), -EFAULT, "unmatched SID faults");
	ok(log_has(&m, "<3>" PFX
		       "Blocked unknown Stream ID 0x7000; boot with \"arm-smmu.disable_bypass=0\" "
		       "to allow, but this may have security implications"),
	   "Blocked unknown Stream ID 0x7000");
	ok(log_has(&m,
		   "<3>" PFX
		   "\tGFSR 0x00000002, GFSYNR0 0x00000000, GFSYNR1 0x00007000, GFSYNR2 0x00000000"),
	   "the raw global syndrome");
	is_hex(rd32(&m, gr0(s, SMMU_GR0_sGFSR)), 0, "sGFSR cleared by write-back");
	is_int(ims_irq_spurious(m.dc), 0, "the global interrupt had a handler");

	/* A write: GFSYNR0.WNR. */
	capture_reset(&m.log);
	dev_dma(s, 0x7001, 0x1000, &word, 4, true, &res);
	ok(log_has(&m, "GFSR 0x00000002, GFSYNR0 0x00000002, GFSYNR1 0x00007001"),
	   "write to an unknown stream: WNR in GFSYNR0");

	/* Another global fault: an S2CR set to fault under a live SMR (ICF). */
	wr32(&m, gr0(s, SMMU_GR0_S2CR(0)), FIELD_PREP(S2CR_TYPE, S2CR_TYPE_FAULT));
	capture_reset(&m.log);
	is_int(dev_dma(s, 0x21, 0x1000, &word, 4, false, &res), -EFAULT, "ICF faults");
	ok(log_has(&m, "<3>" PFX "Unexpected global fault, this could be serious"),
	   "a non-USF global fault: Unexpected global fault");
	ok(log_has(&m, "<3>" PFX "\tGFSR 0x00000001, GFSYNR0 0x00000000, GFSYNR1 0x00000021"),
	   "GFSR.ICF with the SID");
	ok(!log_has(&m, "Blocked unknown"), "not reported as an unknown stream");
	mach_down(&m);

	mach_up_board(&m, "arm-smmu.disable_bypass=0", "#iommu-cells = <1>;", 17, CLIENTS, NULL);
	s = mach_smmu_at(&m, "/iommu@2b400000");
	capture_reset(&m.log);
	is_int(dev_dma(s, 0x7000, 0x80001000, &word, 4, false, &res), 0,
	       "disable_bypass=0: unmatched SID passes");
	is_int(res.status, IMS_TXN_BYPASS, "as bypass");
	ok(!log_has(&m, "Blocked unknown"), "and nothing is logged");
	mach_down(&m);
}

static void test_identity(void)
{
	struct machine m;
	struct mach_smmu *s;
	struct ims_device *d;
	struct ims_iommu_opts o;
	struct ims_txn_result res;
	int idx;
	uint32_t word = 0;

	ims_iommu_opts_init(&o);
	o.passthrough = 1;
	mach_up_board(&m, "", "#iommu-cells = <1>;", 17, CLIENTS, &o);
	s = mach_smmu_at(&m, "/iommu@2b400000");
	d = ims_devcore_find_device(m.dc, "1000.dev");
	ok(d && ims_iommu_get_domain_for_dev(d) &&
		   ims_iommu_get_domain_for_dev(d)->type == IMS_IOMMU_DOMAIN_IDENTITY,
	   "iommu.passthrough=1: identity domain");
	idx = drv_master(d) ? drv_master(d)->smendx[0] : 0;
	is_hex(rd32(&m, gr0(s, SMMU_GR0_S2CR(idx))), FIELD_PREP(S2CR_TYPE, S2CR_TYPE_BYPASS),
	       "identity: S2CR bypass");
	is_hex(rd32(&m, gr0(s, SMMU_GR0_SMR(idx))), SMR_VALID | 0x21, "identity: SMR still valid");
	is_int(dev_dma(s, 0x21, 0x80002000, &word, 4, false, &res), 0, "identity DMA");
	is_int(res.status, IMS_TXN_BYPASS, "bypasses the SMMU");
	ok(!(drv_smmu(s)->context_map[0] & 1), "no context bank used");
	mach_down(&m);
}

int main(void)
{
	test_map_translate_unmap("", false);
	test_map_translate_unmap("arm-smmu.force_stage=2", true);
	test_unknown_stream();
	test_identity();
	return tap_done();
}
