// SPDX-License-Identifier: MIT
/* The SMMU models' interrupt outputs reach handlers requested on the DT interrupts. */
#include "machine-test.h"

static const char board[] =
	"/dts-v1/;\n/ { #address-cells = <2>; #size-cells = <2>; interrupt-parent = <&gic>;\n"
	"  memory@40000000 { device_type = \"memory\"; reg = <0 0x40000000 0 0x1000000>; };\n"
	"  gic: intc@8000000 { compatible = \"arm,gic-v3\"; #interrupt-cells = <3>;\n"
	"    interrupt-controller; reg = <0 0x8000000 0 0x10000>; };\n"
	"  v3: iommu@9000000 { compatible = \"arm,smmu-v3\"; reg = <0 0x9000000 0 0x20000>;\n"
	"    interrupts = <0 1 1>, <0 2 1>, <0 3 1>;\n"
	"    interrupt-names = \"eventq\", \"gerror\", \"cmdq-sync\"; };\n"
	"  comb: iommu@9100000 { compatible = \"arm,smmu-v3\"; reg = <0 0x9100000 0 0x20000>;\n"
	"    interrupts = <0 9 1>; interrupt-names = \"combined\"; };\n"
	"  v2: iommu@a000000 { compatible = \"arm,mmu-500\"; reg = <0 0xa000000 0 0x100000>;\n"
	"    #global-interrupts = <1>; iommusim,num-cb = <4>;\n"
	"    interrupts = <0 5 4>, <0 6 4>, <0 7 4>; };\n"
	"};\n";

struct hits {
	int n[8];
};

static void handler0(void *ctx)
{
	((struct hits *)ctx)->n[0]++;
}

static void handler1(void *ctx)
{
	((struct hits *)ctx)->n[1]++;
}

static void handler2(void *ctx)
{
	((struct hits *)ctx)->n[2]++;
}

int main(void)
{
	struct ims_machine_opts o;
	struct ims_machine_smmu *v3, *comb, *v2;
	struct ims_txn_result res;
	struct ims_txn txn = { .sid = 5, .addr = 0x1000, .size = 4, .access = IMS_VMSA_READ };
	struct hits h3 = { { 0 } }, h2 = { { 0 } }, hc = { { 0 } };
	const struct ims_of_tree *t;
	struct ims_devcore *dc;
	struct ims_machine *m;
	struct ims_mem *mem;
	uint64_t q, v = 0;
	int ret;

	ims_machine_opts_init(&o);
	o.no_smmu_drivers = true; /* the test plays the driver */
	m = boot_dts(board, &o, &ret);
	is_int(ret, 0, "boot");
	t = ims_machine_tree(m);
	dc = ims_machine_devcore(m);
	mem = ims_machine_mem(m);
	v3 = ims_machine_smmu_by_node(m, ims_of_find_node_by_path(t, "/iommu@9000000"));
	comb = ims_machine_smmu_by_node(m, ims_of_find_node_by_path(t, "/iommu@9100000"));
	v2 = ims_machine_smmu_by_node(m, ims_of_find_node_by_path(t, "/iommu@a000000"));
	if (!v3 || !comb || !v2) {
		printf("Bail out! SMMU models missing\n");
		return 1;
	}

	/* Wiring by interrupt-names. */
	is_int(v3->line_irq[IMS_SMMUV3_IRQ_EVTQ], 0, "eventq -> interrupt 0");
	is_int(v3->line_irq[IMS_SMMUV3_IRQ_GERROR], 1, "gerror -> interrupt 1");
	is_int(v3->line_irq[IMS_SMMUV3_IRQ_CMD_SYNC], 2, "cmdq-sync -> interrupt 2");
	is_int(v3->line_irq[IMS_SMMUV3_IRQ_PRIQ], -1, "no priq name: unconnected");
	is_int(comb->line_irq[IMS_SMMUV3_IRQ_EVTQ] + comb->line_irq[IMS_SMMUV3_IRQ_GERROR] +
		       comb->line_irq[IMS_SMMUV3_IRQ_CMD_SYNC] +
		       comb->line_irq[IMS_SMMUV3_IRQ_PRIQ],
	       0, "combined carries every line");
	is_int(v2->nr_lines, 5, "MMU-500: the global line and four context banks");
	is_int(v2->line_irq[0], 0, "global fault -> interrupt 0 (#global-interrupts = 1)");
	is_int(v2->line_irq[1], 1, "context bank 0 -> interrupt 1");
	is_int(v2->line_irq[2], 2, "context bank 1 -> interrupt 2");
	is_int(v2->line_irq[4], 2, "banks beyond the listed interrupts share the last one");

	/* SMMUv3: an illegal command raises GERROR.CMDQ_ERR and the gerror interrupt. */
	is_int(ims_request_irq(dc, v3->node, 1, handler1, &h3), 0, "request the gerror line");
	is_int(ims_request_irq(dc, v3->node, 0, handler0, &h3), 0, "request the eventq line");
	ims_mem_alloc(mem, &q, 0x1000, 0x1000, IMS_MEM_ZERO);
	ims_mem_write64(mem, q, 0xff);			   /* opcode 0xff: CERROR_ILL */
	ims_mmio_write(mem, 0x9000000 + 0x90, 8, q | 2);   /* CMDQ_BASE, 4 entries */
	ims_mmio_write(mem, 0x9000000 + 0x50, 4, 1);	   /* IRQ_CTRL.GERROR_IRQEN */
	ims_mmio_write(mem, 0x9000000 + 0x20, 4, 1u << 3); /* CR0.CMDQEN */
	ims_mmio_write(mem, 0x9000000 + 0x98, 4, 1);	   /* CMDQ_PROD */
	ims_mmio_read(mem, 0x9000000 + 0x60, 4, &v);
	ok(v & 1, "GERROR.CMDQ_ERR is set");
	is_int(h3.n[1], 1, "the model's gerror output reached the handler of interrupt 1");
	is_int(h3.n[0], 0, "and not the eventq handler");

	/* The combined SMMU: any line reaches interrupt 0. */
	ims_request_irq(dc, comb->node, 0, handler0, &hc);
	comb->v3_params.irq(comb->v3_params.irq_opaque, IMS_SMMUV3_IRQ_EVTQ);
	comb->v3_params.irq(comb->v3_params.irq_opaque, IMS_SMMUV3_IRQ_GERROR);
	is_int(hc.n[0], 2, "eventq and gerror both reach the combined line");

	/* MMU-500: an unmatched stream with sCR0.GFIE raises the global fault interrupt. */
	ims_request_irq(dc, v2->node, 0, handler0, &h2);
	ims_request_irq(dc, v2->node, 2, handler2, &h2);
	ims_mmio_write(mem, 0xa000000, 4, (1u << 2) | (1u << 10)); /* sCR0: GFIE | USFCFG */
	v2->translator->translate(v2->translator->opaque, &txn, &res);
	ok(res.status == IMS_TXN_FAULT || res.status == IMS_TXN_ABORT,
	   "the unmatched stream is terminated");
	is_int(h2.n[0], 1, "the global fault reached the handler of interrupt 0");
	v2->v2_params.context_irq(v2->v2_params.irq_cookie, 3);
	is_int(h2.n[2], 1, "context bank 3 reaches interrupt 2");
	ok(v2->raised >= 2 && v3->raised >= 1, "raises are counted");
	ims_machine_free(m);
	return tap_done();
}
