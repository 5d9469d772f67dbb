/* SPDX-License-Identifier: MIT */
/*
 * SMMUv3 queues (IHI 0070 §3.5, §7.4): event queue wrap and overflow,
 * disabled queue, event and GERROR MSIs, command queue wrap, queue base
 * alignment and LOG2SIZE capping.
 */
#include "drv.h"

/* Provoke one C_BAD_STE from @sid (every STE starts invalid). */
static void bad_ste(struct drv *d, uint32_t sid)
{
	drv_txn(d, sid, false, 0, 0, IMS_VMSA_READ);
}

static void test_evtq_wrap_overflow(void)
{
	struct drv d;
	uint64_t rec[4];
	uint32_t prod, cons;
	bool in_order = true;
	struct ims_smmuv3_stats st;

	drv_create(&d, NULL);
	drv_setup(&d, 8, 0); /* 32-entry event queue */
	for (unsigned int round = 0; round < 3; round++) {
		for (uint32_t i = 0; i < 20; i++)
			bad_ste(&d, i);
		for (uint32_t i = 0; i < 20; i++)
			if (!drv_evt_pop(&d, rec) || FIELD_GET(EVT_0_SID, rec[0]) != i)
				in_order = false;
	}
	ok(in_order, "60 events through a 32-entry queue, in order across wraps");
	prod = rd32(&d, SMMU_EVENTQ_PROD_P1);
	is_hex(prod & 0x3f, 60 & 0x3f, "PROD index and wrap bit after 60 events");
	is_int(!!(prod & Q_OVF), 0, "no overflow yet");

	/* Overflow: 40 events into 32 slots. */
	for (uint32_t i = 0; i < 40; i++)
		bad_ste(&d, i);
	prod = rd32(&d, SMMU_EVENTQ_PROD_P1);
	cons = rd32(&d, SMMU_EVENTQ_CONS_P1);
	ok((prod ^ cons) & Q_OVF, "full queue: OVFLG differs from OVACKFLG");
	is_hex((prod ^ cons) & 0x3f, 0x20, "queue full (index equal, wrap differs)");
	bad_ste(&d, 1);
	is_hex(rd32(&d, SMMU_EVENTQ_PROD_P1), prod, "a further overflow does not toggle again");
	ims_smmuv3_get_stats(d.smmu, &st);
	is_int(st.events_lost, 9, "9 events lost");
	/* The driver acknowledges (OVACKFLG = OVFLG) and drains. */
	is_int(drv_evt_drain(&d), 32, "32 records kept");
	cons = rd32(&d, SMMU_EVENTQ_CONS_P1);
	wr32(&d, SMMU_EVENTQ_CONS_P1, (cons & ~Q_OVF) | (prod & Q_OVF));
	for (uint32_t i = 0; i < 33; i++)
		bad_ste(&d, i);
	ok(((rd32(&d, SMMU_EVENTQ_PROD_P1) ^ rd32(&d, SMMU_EVENTQ_CONS_P1)) & Q_OVF),
	   "after acknowledgement a new overflow toggles OVFLG again");
	drv_destroy(&d);
}

static void test_evtq_disabled_and_msi(void)
{
	struct drv d;
	struct ims_smmuv3_stats st;
	uint64_t msi;
	uint32_t v = 0;

	drv_create(&d, NULL);
	drv_setup(&d, 8, 0);
	wr32(&d, SMMU_CR0, CR0_CMDQEN | CR0_SMMUEN);
	bad_ste(&d, 1);
	ims_smmuv3_get_stats(d.smmu, &st);
	is_int(st.events, 0, "EVENTQEN=0: nothing written");
	is_int(st.events_lost, 1, "EVENTQEN=0: the event is discarded");
	is_hex(rd32(&d, SMMU_EVENTQ_PROD_P1), 0, "EVENTQEN=0: PROD unchanged");

	/* Wired event interrupt. */
	wr32(&d, SMMU_CR0, CR0_CMDQEN | CR0_SMMUEN | CR0_EVENTQEN);
	bad_ste(&d, 2);
	is_int(d.irqs[IMS_SMMUV3_IRQ_EVTQ], 1, "wired EVTQ interrupt");
	/* Event MSI: IRQ_CFG writable only with the IRQ disabled. */
	msi = drv_alloc(&d, 4096, 4096);
	wr32(&d, SMMU_IRQ_CTRL, IRQ_CTRL_GERROR_IRQEN);
	wr64(&d, SMMU_EVENTQ_IRQ_CFG0, msi + 8);
	wr32(&d, SMMU_EVENTQ_IRQ_CFG1, 0x55aa);
	wr32(&d, SMMU_IRQ_CTRL, IRQ_CTRL_GERROR_IRQEN | IRQ_CTRL_EVENTQ_IRQEN);
	bad_ste(&d, 3);
	ims_mem_read32(d.mem, msi + 8, &v);
	is_hex(v, 0x55aa, "EVTQ MSI written");
	is_int(d.irqs[IMS_SMMUV3_IRQ_EVTQ], 1, "no wired IRQ when MSI is configured");
	/* GERROR MSI on a command error. */
	wr32(&d, SMMU_IRQ_CTRL, IRQ_CTRL_EVENTQ_IRQEN);
	wr64(&d, SMMU_GERROR_IRQ_CFG0, msi + 16);
	wr32(&d, SMMU_GERROR_IRQ_CFG1, 0x6e);
	wr32(&d, SMMU_IRQ_CTRL, IRQ_CTRL_GERROR_IRQEN | IRQ_CTRL_EVENTQ_IRQEN);
	drv_cmd(&d, FIELD_PREP(CMD_0_OP, 0x77), 0);
	ims_mem_read32(d.mem, msi + 16, &v);
	is_hex(v, 0x6e, "GERROR MSI written");
	/* An event queue outside RAM: GERROR.EVENTQ_ABT_ERR. */
	wr32(&d, SMMU_CR0, CR0_CMDQEN | CR0_SMMUEN);
	wr64(&d, SMMU_EVENTQ_BASE, 0x700000000ULL | 5);
	wr32(&d, SMMU_CR0, CR0_CMDQEN | CR0_SMMUEN | CR0_EVENTQEN);
	bad_ste(&d, 4);
	ok((rd32(&d, SMMU_GERROR) ^ rd32(&d, SMMU_GERRORN)) & GERROR_EVENTQ_ABT_ERR,
	   "event write abort: GERROR.EVENTQ_ABT_ERR");
	drv_destroy(&d);
}

static void test_cmdq(void)
{
	struct drv d;
	struct ims_smmuv3_stats st;
	struct ims_smmuv3_params p;
	uint64_t msi, q;
	uint32_t v = 0;

	drv_create(&d, NULL);
	drv_setup(&d, 8, 0); /* 256-entry command queue */
	for (unsigned int batch = 0; batch < 7; batch++) {
		for (unsigned int i = 0; i < 99; i++)
			drv_cmd_q(&d, FIELD_PREP(CMD_0_OP, CMDQ_OP_TLBI_NSNH_ALL), 0, false);
		wr32(&d, SMMU_CMDQ_PROD, d.cmd_prod);
	}
	is_hex(rd32(&d, SMMU_CMDQ_CONS), d.cmd_prod, "693 commands across wraps: CONS == PROD");
	ims_smmuv3_get_stats(d.smmu, &st);
	is_int(st.commands, 693, "693 commands consumed");
	drv_destroy(&d);

	/* CMDQ LOG2SIZE above IDR1.CMDQS is capped; a misaligned base is aligned down. */
	ims_smmuv3_params_default(&p);
	p.cmdqs = 4;
	drv_create(&d, &p);
	drv_setup(&d, 8, 0);
	msi = drv_alloc(&d, 4096, 4096);
	q = drv_alloc(&d, 4096, 4096);
	wr32(&d, SMMU_CR0, CR0_EVENTQEN | CR0_SMMUEN);
	wr64(&d, SMMU_CMDQ_BASE, (q + 0x40) | 8);
	wr32(&d, SMMU_CMDQ_PROD, 0);
	wr32(&d, SMMU_CMDQ_CONS, 0);
	wr32(&d, SMMU_CR0, CR0_EVENTQEN | CR0_SMMUEN | CR0_CMDQEN);
	is_hex(rd64(&d, SMMU_CMDQ_BASE), (q + 0x40) | 8, "CMDQ_BASE reads back as written");
	/* As a 16-entry ring at q: slot 1 holds a CMD_SYNC MSI; PROD wraps at bit 4. */
	for (unsigned int i = 0; i < 16; i++)
		ims_mem_write64(d.mem, q + 16ULL * i, FIELD_PREP(CMD_0_OP, CMDQ_OP_TLBI_NSNH_ALL));
	ims_mem_write64(d.mem, q + 16,
			FIELD_PREP(CMD_0_OP, CMDQ_OP_CMD_SYNC) |
				FIELD_PREP(CMD_0_CS, CMD_SYNC_CS_IRQ) |
				FIELD_PREP(CMD_0_MSIDATA, 0x1234));
	ims_mem_write64(d.mem, q + 24, msi);
	wr32(&d, SMMU_CMDQ_PROD, 15);
	wr32(&d, SMMU_CMDQ_PROD, 0x10 | 2);
	ims_mem_read32(d.mem, msi, &v);
	is_hex(v, 0x1234, "capped 16-entry queue at the aligned base wrapped to slot 1");
	is_hex(rd32(&d, SMMU_CMDQ_CONS), 0x12, "CONS index and wrap bit of a 16-entry queue");
	drv_destroy(&d);
}

int main(void)
{
	test_evtq_wrap_overflow();
	test_evtq_disabled_and_msi();
	test_cmdq();
	return tap_done();
}
