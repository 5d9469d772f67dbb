/* SPDX-License-Identifier: MIT */
/*
 * A hand-built machine for the arm-smmu driver tests: the tree, RAM, one
 * MMU-500 model per "arm,mmu-500"/"arm,smmu-v2" node (at its translated reg,
 * the MMU-500 preset with iommusim,num-cb / num-smr / sid-bits applied, its
 * interrupt outputs raised on (node, index)), the driver core, the IOMMU
 * core, the arm-smmu driver, the PCI host and client drivers.
 */
#ifndef IMS_TESTS_SMMUV2_DRV_H
#define IMS_TESTS_SMMUV2_DRV_H

#include <inttypes.h>

#include <iommusim/drivers.h>
#include <iommusim/iommu.h>
#include <iommusim/smmuv2.h>

#include "../../bus/bus-test.h"
#include "drivers/arm-smmu/arm-smmu.h"

#define MAX_SMMU 4

struct machine;

struct mach_smmu {
	struct machine *m;
	struct ims_smmuv2 *hw;
	int node;
	uint32_t global_irqs;
	uint64_t base;
};

struct machine {
	struct ims_of_tree *t;
	struct ims_mem *mem;
	struct mach_smmu smmu[MAX_SMMU];
	int nr_smmu;
	struct ims_devcore *dc;
	struct ims_iommu_core *ic;
	struct captured_log log;
};

static void mach_global_irq(void *cookie)
{
	struct mach_smmu *s = cookie;

	ims_raise_irq(s->m->dc, s->node, 0);
}

static void mach_context_irq(void *cookie, unsigned int cbndx)
{
	struct mach_smmu *s = cookie;

	ims_raise_irq(s->m->dc, s->node, (int)(s->global_irqs + cbndx));
}

static void mach_bail(const char *what)
{
	printf("Bail out! %s: %s\n", what, ims_last_error());
	exit(1);
}

static void mach_add_smmus(struct machine *m)
{
	for (int i = 0; i < ims_of_nr_nodes(m->t) && m->nr_smmu < MAX_SMMU; i++) {
		struct mach_smmu *s = &m->smmu[m->nr_smmu];
		int n = ims_of_node_by_index(m->t, i);
		struct ims_smmuv2_params p;
		uint64_t size;
		uint32_t v;

		if (!ims_of_device_is_compatible(m->t, n, "arm,mmu-500") &&
		    !ims_of_device_is_compatible(m->t, n, "arm,smmu-v2"))
			continue;
		if (!ims_of_device_is_available(m->t, n))
			continue;
		if (ims_of_get_address(m->t, n, 0, &s->base, &size))
			mach_bail("smmu reg");
		ims_smmuv2_params_mmu500(&p);
		p.base = s->base;
		if (!ims_of_property_read_u32(m->t, n, "iommusim,num-cb", &v))
			p.num_cb = p.num_irpt = v;
		if (!ims_of_property_read_u32(m->t, n, "iommusim,num-smr", &v))
			p.num_smrg = v;
		if (!ims_of_property_read_u32(m->t, n, "iommusim,sid-bits", &v))
			p.sid_bits = v;
		s->m = m;
		s->node = n;
		if (ims_of_property_read_u32(m->t, n, "#global-interrupts", &s->global_irqs))
			s->global_irqs = 1;
		p.global_irq = mach_global_irq;
		p.context_irq = mach_context_irq;
		p.irq_cookie = s;
		if (ims_smmuv2_new(&s->hw, m->mem, &p, NULL))
			mach_bail("ims_smmuv2_new");
		m->nr_smmu++;
	}
}

/* Bring a machine up over @t; @register_smmu_first picks the driver order. */
static void mach_up_tree(struct machine *m, struct ims_of_tree *t,
			 const struct ims_iommu_opts *iopts, bool clients_first)
{
	struct ims_log log = { capture_fn, &m->log, IMS_LOG_DEBUG };

	memset(m, 0, sizeof(*m));
	capture_reset(&m->log);
	m->t = t;
	if (ims_mem_new(&m->mem, NULL) || ims_mem_add_ram(m->mem, 0x80000000ull, 0x10000000ull))
		mach_bail("memory");
	mach_add_smmus(m);
	if (ims_devcore_new(&m->dc, m->t, NULL, &log))
		mach_bail("devcore");
	ims_devcore_set_mem(m->dc, m->mem);
	if (ims_iommu_core_new(&m->ic, m->dc, iopts))
		mach_bail("iommu core");
	if (!clients_first && ims_arm_smmu_register(m->dc))
		mach_bail("arm-smmu register");
	ims_driver_register(m->dc, ims_pci_host_driver());
	ims_driver_register(m->dc, ims_client_driver(IMS_BUS_PLATFORM));
	ims_driver_register(m->dc, ims_client_driver(IMS_BUS_PCI));
	ims_of_platform_populate(m->dc);
	if (clients_first && ims_arm_smmu_register(m->dc))
		mach_bail("arm-smmu register");
	ims_devcore_late_initcall(m->dc);
}

__attribute__((unused)) static void mach_up_dts(struct machine *m, const char *dts,
						const struct ims_iommu_opts *iopts)
{
	mach_up_tree(m, load_dts_text(dts), iopts, false);
}

/*
 * A one-SMMU board: GIC, an MMU-500 at 0x2b400000 ("/iommu@2b400000", 128 KiB,
 * #global-interrupts = <1>, @nr_irqs interrupts, dma-coherent) with
 * @smmu_props, then @clients (nodes with iommus = <&smmu ...>).
 */
static __attribute__((unused)) void mach_up_board(struct machine *m, const char *bootargs,
						  const char *smmu_props, int nr_irqs,
						  const char *clients,
						  const struct ims_iommu_opts *iopts)
{
	static char dts[16384];
	char irqs[2048] = "";

	for (int i = 0; i < nr_irqs; i++)
		snprintf(irqs + strlen(irqs), sizeof(irqs) - strlen(irqs), "%s<0 %d 4>",
			 i ? ", " : "", 64 + i);
	snprintf(
		dts, sizeof(dts),
		"/dts-v1/;\n/ {\n #address-cells = <2>; #size-cells = <2>;\n"
		" chosen { bootargs = \"%s\"; };\n"
		" memory@80000000 { device_type = \"memory\"; reg = <0 0x80000000 0 0x10000000>; "
		"};\n"
		" gic: interrupt-controller@8000000 { compatible = \"arm,gic-400\";"
		" #interrupt-cells = <3>; interrupt-controller; reg = <0 0x8000000 0 0x10000>; };\n"
		" smmu: iommu@2b400000 { compatible = \"arm,mmu-500\";"
		" reg = <0 0x2b400000 0 0x20000>; interrupt-parent = <&gic>;"
		" #global-interrupts = <1>; %s%s%s dma-coherent; };\n"
		"%s\n};\n&smmu { %s };\n",
		bootargs, nr_irqs ? "interrupts = " : "", irqs, nr_irqs ? ";" : "", clients,
		smmu_props);
	mach_up_dts(m, dts, iopts);
}

static __attribute__((unused)) void mach_down(struct machine *m)
{
	ims_devcore_free(m->dc);
	ims_iommu_core_free(m->ic);
	for (int i = 0; i < m->nr_smmu; i++)
		ims_smmuv2_free(m->smmu[i].hw);
	ims_mem_free(m->mem);
	ims_of_tree_free(m->t);
	memset(m, 0, sizeof(*m));
}

/* ---- lookups and register reads ------------------------------------------------- */

static __attribute__((unused)) struct mach_smmu *mach_smmu_at(struct machine *m, const char *path)
{
	int n = ims_of_find_node_by_path(m->t, path);

	for (int i = 0; i < m->nr_smmu; i++)
		if (m->smmu[i].node == n)
			return &m->smmu[i];
	return NULL;
}

static __attribute__((unused)) uint32_t rd32(struct machine *m, uint64_t pa)
{
	uint64_t v = 0;

	if (ims_mmio_read(m->mem, pa, 4, &v))
		return 0xdeadbeef;
	return (uint32_t)v;
}

static __attribute__((unused)) uint64_t rd64(struct machine *m, uint64_t pa)
{
	uint64_t v = 0;

	if (ims_mmio_read(m->mem, pa, 8, &v))
		return 0xdeadbeefdeadbeefull;
	return v;
}

static __attribute__((unused)) void wr32(struct machine *m, uint64_t pa, uint32_t v)
{
	ims_mmio_write(m->mem, pa, 4, v);
}

/* The model's register pages: 4 KiB, NUMPAGE from sIDR1. */
static __attribute__((unused)) uint64_t gr0(struct mach_smmu *s, unsigned int off)
{
	return s->base + off;
}

static __attribute__((unused)) uint64_t gr1(struct mach_smmu *s, unsigned int off)
{
	return s->base + 0x1000 + off;
}

static __attribute__((unused)) uint64_t cbreg(struct mach_smmu *s, unsigned int cb,
					      unsigned int off)
{
	uint32_t id1 = rd32(s->m, gr0(s, SMMU_GR0_ID1));
	uint64_t numpage = 1ull << (FIELD_GET(ID1_NUMPAGENDXB, id1) + 1);

	return s->base + ((numpage + cb) << 12) + off;
}

static __attribute__((unused)) struct arm_smmu_device *drv_smmu(struct mach_smmu *s)
{
	struct ims_device *d = ims_devcore_find_by_node(s->m->dc, s->node);

	return d ? d->driver_data : NULL;
}

/* The default-domain driver state of a device, or NULL. */
static __attribute__((unused)) struct arm_smmu_domain *drv_domain(struct ims_device *d)
{
	struct ims_iommu_domain *dom = d ? ims_iommu_get_domain_for_dev(d) : NULL;

	if (!dom || !(dom->type & __IMS_IOMMU_DOMAIN_PAGING))
		return NULL;
	return (struct arm_smmu_domain *)(void *)((char *)dom -
						  offsetof(struct arm_smmu_domain, domain));
}

static __attribute__((unused)) struct arm_smmu_master_cfg *drv_master(struct ims_device *d)
{
	return d && d->iommu ? d->iommu->priv : NULL;
}

/* A device DMA through the SMMU with StreamID @sid. */
static __attribute__((unused)) int dev_dma(struct mach_smmu *s, uint32_t sid, uint64_t iova,
					   void *buf, uint64_t len, bool write,
					   struct ims_txn_result *res)
{
	struct ims_txn t = { .sid = sid, .access = write ? IMS_VMSA_WRITE : IMS_VMSA_READ };

	memset(res, 0, sizeof(*res));
	return ims_smmu_dma(ims_smmuv2_translator(s->hw), s->m->mem, &t, iova, buf, len, res);
}

/* A device writes the string @str (with its NUL) at @iova. */
static __attribute__((unused)) int dev_write(struct mach_smmu *s, uint32_t sid, uint64_t iova,
					     const char *str, struct ims_txn_result *res)
{
	char tmp[64];
	size_t n = strlen(str) + 1;

	memcpy(tmp, str, n < sizeof(tmp) ? n : sizeof(tmp));
	return dev_dma(s, sid, iova, tmp, n < sizeof(tmp) ? n : sizeof(tmp), true, res);
}

static __attribute__((unused)) bool log_has(struct machine *m, const char *needle)
{
	return strstr(m->log.text, needle) != NULL;
}

#endif
