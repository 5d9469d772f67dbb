// SPDX-License-Identifier: MIT
/*
 * arm-smmu lifecycle: clients probed before the driver registers (deferred
 * probe), unbind of clients and of the SMMU (arm_smmu_device_remove: every
 * stream map entry back to its reset value, banks off, CLIENTPD, interrupts
 * and page tables freed), and rebinding, repeatedly, with nothing leaked in
 * simulated memory (and, under valgrind, on the host).
 */
#include "smmuv2-drv.h"

#define CLIENTS                                                                                    \
	" dev@1000 { compatible = \"acme,dev\"; reg = <0 0x1000 0 0x100>; iommus = <&smmu 0x21>; " \
	"};"                                                                                       \
	" dev@2000 { compatible = \"acme,dev\"; reg = <0 0x2000 0 0x100>; iommus = <&smmu 0x22>; " \
	"};"

static uint64_t allocated(struct machine *m)
{
	struct ims_mem_stats st;

	ims_mem_get_stats(m->mem, &st);
	return st.allocated_bytes;
}

static bool dma_works(struct machine *m, struct mach_smmu *s, const char *name, uint32_t sid)
{
	struct ims_device *d = ims_devcore_find_device(m->dc, name);
	struct ims_iommu_domain *dom = d ? ims_iommu_get_domain_for_dev(d) : NULL;
	struct ims_txn_result res;
	uint64_t pa = 0;
	char buf[8] = "";
	bool good;

	if (!dom || ims_mem_alloc(m->mem, &pa, 0x1000, 0x1000, IMS_MEM_ZERO))
		return false;
	good = !ims_iommu_map(dom, 0x300000, pa, 0x1000, IMS_IOMMU_READ | IMS_IOMMU_WRITE, 0) &&
	       !dev_write(s, sid, 0x300008, "life", &res) &&
	       !ims_mem_read(m->mem, pa + 8, buf, 5) && !strcmp(buf, "life");
	good &= ims_iommu_unmap(dom, 0x300000, 0x1000) == 0x1000;
	ims_mem_free_block(m->mem, pa, 0x1000);
	return good;
}

static void check_reset_state(struct machine *m, struct mach_smmu *s, const char *when)
{
	bool smrs_clear = true, s2crs_fault = true, banks_off = true;

	for (int i = 0; i < 48; i++) {
		smrs_clear &= !(rd32(m, gr0(s, SMMU_GR0_SMR(i))) & SMR_VALID);
		s2crs_fault &=
			rd32(m, gr0(s, SMMU_GR0_S2CR(i))) == FIELD_PREP(S2CR_TYPE, S2CR_TYPE_FAULT);
	}
	for (unsigned int cb = 0; cb < 16; cb++)
		banks_off &= !(rd32(m, cbreg(s, cb, SMMU_CB_SCTLR)) & SCTLR_M);
	ok(smrs_clear, "%s: every SMR invalid", when);
	ok(s2crs_fault, "%s: every S2CR back to fault", when);
	ok(banks_off, "%s: every bank disabled", when);
}

static void test_unbind_rebind(void)
{
	struct machine m;
	struct mach_smmu *s;
	struct ims_device *sd, *c1, *c2;

	mach_up_board(&m, "", "#iommu-cells = <1>;", 17, CLIENTS, NULL);
	s = mach_smmu_at(&m, "/iommu@2b400000");
	sd = ims_devcore_find_by_node(m.dc, s->node);
	c1 = ims_devcore_find_device(m.dc, "1000.dev");
	c2 = ims_devcore_find_device(m.dc, "2000.dev");
	ok(allocated(&m) > 0, "page tables live in simulated memory");
	ok(dma_works(&m, s, "1000.dev", 0x21), "DMA works after boot");

	/* A client alone: its group keeps the default domain; rebinding reuses it. */
	ims_device_release_driver(c1);
	ok(!c1->driver && c1->iommu_group, "client unbound, still in its group");
	is_int(ims_device_attach(c1), 1, "client rebinds");
	ok(dma_works(&m, s, "1000.dev", 0x21), "DMA works after the client rebinds");
	is_hex(rd32(&m, gr0(s, SMMU_GR0_SMR(0))), SMR_VALID | 0x21, "its SMR unchanged");

	for (int round = 1; round <= 3; round++) {
		ims_device_release_driver(c1);
		ims_device_release_driver(c2);
		capture_reset(&m.log);
		ims_device_release_driver(sd);
		ok(!sd->driver, "round %d: SMMU unbound", round);
		ok(!ims_iommu_device_from_fwnode(m.ic, s->node), "round %d: unregistered", round);
		ok(!c1->iommu && !c1->iommu_group && c1->dma_ops == IMS_DMA_OPS_DIRECT,
		   "round %d: clients released from the IOMMU", round);
		is_hex(allocated(&m), 0, "round %d: every page table freed", round);
		ok(rd32(&m, gr0(s, SMMU_GR0_sCR0)) & sCR0_CLIENTPD, "round %d: sCR0.CLIENTPD",
		   round);
		ok(!log_has(&m, "disabling translation"), "round %d: no bank was still in use",
		   round);
		check_reset_state(&m, s, "after unbind");
		is_int(ims_raise_irq(m.dc, s->node, 0), 0, "round %d: global IRQ freed", round);
		is_int(ims_raise_irq(m.dc, s->node, 1), 0, "round %d: context IRQ freed", round);

		is_int(ims_device_attach(sd), 1, "round %d: SMMU rebinds", round);
		is_int(ims_device_attach(c1), 1, "round %d: client 1 rebinds", round);
		is_int(ims_device_attach(c2), 1, "round %d: client 2 rebinds", round);
		is_hex(rd32(&m, gr0(s, SMMU_GR0_SMR(0))), SMR_VALID | 0x21, "round %d: SMR 0",
		       round);
		is_hex(rd32(&m, gr0(s, SMMU_GR0_SMR(1))), SMR_VALID | 0x22, "round %d: SMR 1",
		       round);
		ok(dma_works(&m, s, "1000.dev", 0x21) && dma_works(&m, s, "2000.dev", 0x22),
		   "round %d: DMA works again", round);
	}
	mach_down(&m);
}

static void test_clients_first(void)
{
	struct machine m;
	struct mach_smmu *s;
	struct ims_device *c1;

	mach_up_tree(
		&m,
		load_dts_text(
			"/dts-v1/;\n/ { #address-cells = <1>; #size-cells = <1>;\n"
			" gic: ic@8000000 { compatible = \"arm,gic-400\"; #interrupt-cells = <1>;"
			" interrupt-controller; reg = <0x8000000 0x1000>; };\n"
			" smmu: iommu@2b400000 { compatible = \"arm,mmu-500\";"
			" reg = <0x2b400000 0x20000>; interrupt-parent = <&gic>;"
			" #global-interrupts = <1>;"
			" interrupts = <1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17>;"
			" #iommu-cells = <1>; };\n"
			" dev@1000 { compatible = \"acme,dev\"; reg = <0x1000 0x100>;"
			" iommus = <&smmu 0x21>; };\n};\n"),
		NULL, true);
	s = mach_smmu_at(&m, "/iommu@2b400000");
	c1 = ims_devcore_find_device(m.dc, "1000.dev");
	ok(c1 && c1->driver && c1->dma_ops == IMS_DMA_OPS_IOMMU,
	   "a client populated before arm-smmu registered is configured once it does");
	ok(dma_works(&m, s, "1000.dev", 0x21), "and translates");
	mach_down(&m);
}

int main(void)
{
	test_unbind_rebind();
	test_clients_first();
	return tap_done();
}
