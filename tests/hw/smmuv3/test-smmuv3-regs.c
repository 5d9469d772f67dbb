/* SPDX-License-Identifier: MIT */
/* SMMUv3 registers: ID values, the QEMU virt preset, access rules (IHI 0070 §6). */
#include "drv.h"

static void test_qemu_preset(void)
{
	struct ims_smmuv3_params p;
	struct drv d;

	ims_smmuv3_params_qemu_virt(&p);
	is_int(drv_create(&d, &p), 0, "qemu preset: create");
	is_hex(rd32(&d, SMMU_IDR0), 0x0d40101a, "qemu preset: IDR0");
	is_hex(rd32(&d, SMMU_IDR1), 0x02730010, "qemu preset: IDR1");
	is_hex(rd32(&d, SMMU_IDR2), 0, "qemu preset: IDR2");
	is_hex(rd32(&d, SMMU_IDR3), 0x00001404, "qemu preset: IDR3");
	is_hex(rd32(&d, SMMU_IDR4), 0, "qemu preset: IDR4");
	is_hex(rd32(&d, SMMU_IDR5), 0x00000074, "qemu preset: IDR5");
	is_hex(rd32(&d, SMMU_IIDR), 0, "qemu preset: IIDR");
	is_hex(rd32(&d, SMMU_AIDR), 1, "qemu preset: AIDR");
	drv_destroy(&d);
}

static void test_default_idr(void)
{
	struct ims_smmuv3_params p;
	struct drv d;
	uint32_t idr0, idr1, idr5;

	ims_smmuv3_params_default(&p);
	p.sidsize = 20;
	p.ssidsize = 5;
	p.oas = 40;
	p.gran16k = false;
	p.cmdqs = 12;
	p.eventqs = 11;
	is_int(drv_create(&d, &p), 0, "custom: create");
	idr0 = rd32(&d, SMMU_IDR0);
	idr1 = rd32(&d, SMMU_IDR1);
	idr5 = rd32(&d, SMMU_IDR5);
	ok((idr0 & (IDR0_S1P | IDR0_S2P)) == (IDR0_S1P | IDR0_S2P), "custom: S1P and S2P");
	is_int(FIELD_GET(IDR0_ST_LEVEL, idr0), 1, "custom: 2-level stream tables");
	ok(idr0 & IDR0_CD2L, "custom: CD2L");
	ok(idr0 & IDR0_MSI, "custom: MSI");
	is_int(FIELD_GET(IDR1_SIDSIZE, idr1), 20, "custom: SIDSIZE");
	is_int(FIELD_GET(IDR1_SSIDSIZE, idr1), 5, "custom: SSIDSIZE");
	is_int(FIELD_GET(IDR1_CMDQS, idr1), 12, "custom: CMDQS");
	is_int(FIELD_GET(IDR1_EVENTQS, idr1), 11, "custom: EVENTQS");
	is_int(FIELD_GET(IDR5_OAS, idr5), 2, "custom: OAS 40 bits encodes as 2");
	ok((idr5 & IDR5_GRAN4K) && !(idr5 & IDR5_GRAN16K) && (idr5 & IDR5_GRAN64K),
	   "custom: granules");
	drv_destroy(&d);

	p.oas = 41;
	is_int(drv_create(&d, &p), -EINVAL, "bad OAS refused");
	ims_mem_free(d.mem);
	ims_smmuv3_params_default(&p);
	p.s1p = p.s2p = false;
	is_int(drv_create(&d, &p), -EINVAL, "no stage refused");
	ims_mem_free(d.mem);
	ims_smmuv3_params_default(&p);
	p.iotlb_sets = 3;
	is_int(drv_create(&d, &p), -EINVAL, "non power-of-two IOTLB sets refused");
	ims_mem_free(d.mem);
}

static void test_access_rules(void)
{
	struct drv d;
	uint64_t v;

	drv_create(&d, NULL);
	/* CR0 -> CR0ACK */
	wr32(&d, SMMU_CR0, CR0_CMDQEN | CR0_EVENTQEN);
	is_hex(rd32(&d, SMMU_CR0ACK), CR0_CMDQEN | CR0_EVENTQEN, "CR0ACK follows CR0");
	wr32(&d, SMMU_CR0, CR0_CMDQEN | CR0_PRIQEN | CR0_ATSCHK);
	is_hex(rd32(&d, SMMU_CR0ACK), CR0_CMDQEN, "unimplemented CR0 bits (PRIQEN, ATSCHK) RES0");

	/* Queue bases are RO while the queue is enabled. */
	wr64(&d, SMMU_CMDQ_BASE, DRV_RAM | 5);
	is_hex(rd64(&d, SMMU_CMDQ_BASE), 0, "CMDQ_BASE ignored while CMDQEN");
	wr64(&d, SMMU_EVENTQ_BASE, DRV_RAM | 5);
	is_hex(rd64(&d, SMMU_EVENTQ_BASE), DRV_RAM | 5, "EVENTQ_BASE writable while EVENTQEN=0");
	wr32(&d, SMMU_CR0, CR0_CMDQEN | CR0_EVENTQEN);
	wr64(&d, SMMU_EVENTQ_BASE, DRV_RAM | 6);
	is_hex(rd64(&d, SMMU_EVENTQ_BASE), DRV_RAM | 5, "EVENTQ_BASE ignored while EVENTQEN");
	wr32(&d, SMMU_EVENTQ_PROD_P1, 7);
	is_hex(rd32(&d, SMMU_EVENTQ_PROD_P1), 0, "EVENTQ_PROD RO while EVENTQEN");
	wr32(&d, SMMU_EVENTQ_CONS_P1, 3);
	is_hex(rd32(&d, SMMU_EVENTQ_CONS_P1), 3, "EVENTQ_CONS (page 1) writable");
	is_hex(rd32(&d, SMMU_EVENTQ_CONS), 3, "page-0 alias of EVENTQ_CONS");
	wr32(&d, SMMU_CR0, 0);
	wr64(&d, SMMU_CMDQ_BASE, (DRV_RAM + 0x1000) | 4 | Q_BASE_ALLOC);
	is_hex(rd64(&d, SMMU_CMDQ_BASE), (DRV_RAM + 0x1000) | 4 | Q_BASE_ALLOC,
	       "CMDQ_BASE writable when disabled");

	/* Stream table base: RO while SMMUEN. */
	wr64(&d, SMMU_STRTAB_BASE, DRV_RAM + 0x40);
	wr32(&d, SMMU_STRTAB_BASE_CFG, 5);
	wr32(&d, SMMU_CR0, CR0_SMMUEN);
	wr64(&d, SMMU_STRTAB_BASE, DRV_RAM + 0x80);
	wr32(&d, SMMU_STRTAB_BASE_CFG, 6);
	is_hex(rd64(&d, SMMU_STRTAB_BASE), DRV_RAM + 0x40, "STRTAB_BASE RO while SMMUEN");
	is_hex(rd32(&d, SMMU_STRTAB_BASE_CFG), 5, "STRTAB_BASE_CFG RO while SMMUEN");
	wr32(&d, SMMU_CR0, 0);

	/* 64-bit registers by 32-bit halves. */
	wr32(&d, SMMU_STRTAB_BASE, 0x1000);
	wr32(&d, SMMU_STRTAB_BASE + 4, 0x12);
	is_hex(rd64(&d, SMMU_STRTAB_BASE), 0x0000001200001000ULL, "STRTAB_BASE by halves");
	is_hex(rd32(&d, SMMU_STRTAB_BASE + 4), 0x12, "upper half readable");
	wr64(&d, SMMU_STRTAB_BASE, ~0ULL);
	is_hex(rd64(&d, SMMU_STRTAB_BASE), STRTAB_BASE_RA | STRTAB_BASE_ADDR,
	       "STRTAB_BASE RES0 bits");
	/* 64-bit access to a 32-bit register aborts. */
	ok(ims_mmio_read(d.mem, DRV_MMIO + SMMU_CR0, 8, &v) < 0, "64-bit read of CR0 aborts");
	ok(ims_mmio_write(d.mem, DRV_MMIO + SMMU_CMDQ_PROD, 8, 0) < 0,
	   "64-bit write of CMDQ_PROD aborts");

	/* GBPA: only writes with Update take effect; Update reads back 0. */
	is_hex(rd32(&d, SMMU_GBPA), GBPA_SHCFG_INCOMING, "GBPA reset value");
	wr32(&d, SMMU_GBPA, GBPA_ABORT);
	is_hex(rd32(&d, SMMU_GBPA), GBPA_SHCFG_INCOMING, "GBPA write without Update ignored");
	wr32(&d, SMMU_GBPA, GBPA_UPDATE | GBPA_ABORT);
	is_hex(rd32(&d, SMMU_GBPA), GBPA_ABORT, "GBPA update completes, Update clear");

	/* IRQ_CTRL -> ACK; IRQ_CFG RO while the IRQ is enabled. */
	wr64(&d, SMMU_GERROR_IRQ_CFG0, DRV_RAM + 0x100);
	wr32(&d, SMMU_IRQ_CTRL, IRQ_CTRL_GERROR_IRQEN | IRQ_CTRL_PRIQ_IRQEN);
	is_hex(rd32(&d, SMMU_IRQ_CTRLACK), IRQ_CTRL_GERROR_IRQEN, "IRQ_CTRLACK (no PRI)");
	wr64(&d, SMMU_GERROR_IRQ_CFG0, DRV_RAM + 0x200);
	is_hex(rd64(&d, SMMU_GERROR_IRQ_CFG0), DRV_RAM + 0x100,
	       "GERROR_IRQ_CFG0 RO while GERROR_IRQEN");

	/* GERROR is read-only; GERRORN is RW. */
	wr32(&d, SMMU_GERROR, 1);
	is_hex(rd32(&d, SMMU_GERROR), 0, "GERROR RO");
	wr32(&d, SMMU_GERRORN, 1);
	is_hex(rd32(&d, SMMU_GERRORN), 1, "GERRORN RW");
	is_hex(rd32(&d, 0x1000), 0, "reserved offset RAZ");
	drv_destroy(&d);
}

static void test_gbpa(void)
{
	struct drv d;
	struct ims_txn_result r;

	drv_create(&d, NULL);
	r = drv_txn(&d, 3, false, 0, 0x12345678, IMS_VMSA_READ);
	is_int(r.status, IMS_TXN_BYPASS, "SMMUEN=0, GBPA.ABORT=0: bypass");
	is_hex(r.pa, 0x12345678, "bypass keeps the address");
	wr32(&d, SMMU_GBPA, GBPA_UPDATE | GBPA_ABORT);
	r = drv_txn(&d, 3, false, 0, 0x12345678, IMS_VMSA_READ);
	is_int(r.status, IMS_TXN_ABORT, "SMMUEN=0, GBPA.ABORT=1: abort");
	drv_setup(&d, 8, 0);
	r = drv_txn(&d, 3, false, 0, 0x12345678, IMS_VMSA_READ);
	is_int(r.status, IMS_TXN_FAULT, "SMMUEN=1: GBPA no longer applies (invalid STE)");
	is_int(r.fault.event, EVT_ID_BAD_STE, "... C_BAD_STE");
	drv_destroy(&d);
}

int main(void)
{
	test_qemu_preset();
	test_default_idr();
	test_access_rules();
	test_gbpa();
	return tap_done();
}
