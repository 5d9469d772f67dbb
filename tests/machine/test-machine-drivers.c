// SPDX-License-Identifier: MIT
/*
 * End to end with the real SMMU drivers: the example boards and small
 * fixture boards, checked against what Linux 6.12 decides (issue 5's
 * acceptance list): groups and ACS, bridge aliases, "already in tree",
 * iommu-map holes and masks, MSI DeviceIDs, deferred probe, the
 * passthrough/strict options, untrusted devices, unbind and rebind, and the
 * SMMUv3 stream table read back from memory.
 */
#include <iommusim/iommu.h>

#include "machine-test.h"

static struct ims_machine *boot_files(const char *board, const char *const *ov, int nr,
				      const struct ims_machine_opts *o)
{
	struct ims_machine *m = NULL;
	int ret = ims_machine_new(&m, o);

	if (!ret)
		ret = ims_machine_load_board(m, board, ov, nr);
	if (!ret)
		ret = ims_machine_boot(m);
	if (ret) {
		printf("Bail out! %s: %s\n", board, ims_last_error());
		exit(1);
	}
	return m;
}

static struct ims_device *dev(struct ims_machine *m, const char *name)
{
	struct ims_device *d = ims_machine_find_device(m, name);

	if (!d) {
		printf("Bail out! no device %s\n", name);
		exit(1);
	}
	return d;
}

static int grp(struct ims_machine *m, const char *name)
{
	struct ims_device *d = dev(m, name);

	return d->iommu_group ? d->iommu_group->id : -1;
}

static const char *dom(struct ims_machine *m, const char *name)
{
	struct ims_device *d = dev(m, name);

	if (!d->iommu_group || !d->iommu_group->default_domain)
		return "none";
	return ims_iommu_domain_type_name(d->iommu_group->default_domain->type);
}

static const char *ids(struct ims_machine *m, const char *name)
{
	static char buf[128];
	struct ims_iommu_fwspec *fw = ims_dev_iommu_fwspec_get(dev(m, name));

	if (!fw)
		return "none";
	buf[0] = '\0';
	for (unsigned int i = 0; i < fw->num_ids; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s0x%x", i ? " " : "",
			 fw->ids[i]);
	return buf;
}

static uint32_t msi_id(struct ims_machine *m, const char *name)
{
	return ims_pci_msi_domain_get_msi_rid(dev(m, name)->pci, NULL);
}

/* STE dword 0 of @sid on the SMMUv3 at @base, read as the hardware does. */
static uint64_t ste0(struct ims_machine *m, uint64_t base, uint32_t sid)
{
	struct ims_mem *mem = ims_machine_mem(m);
	uint64_t strtab = 0, cfg = 0, l1, v = ~0ULL;

	ims_mmio_read(mem, base + 0x80, 8, &strtab);
	ims_mmio_read(mem, base + 0x88, 4, &cfg);
	strtab &= 0xffffffffffc0ULL;
	if (((cfg >> 16) & 3) == 1) { /* 2-level, split 8 */
		if (ims_mem_read64(mem, strtab + 8ULL * (sid >> 8), &l1))
			return ~0ULL;
		strtab = l1 & 0xffffffffffc0ULL;
		sid &= 0xff;
	}
	if (ims_mem_read64(mem, strtab + 64ULL * sid, &v))
		return ~0ULL;
	return v;
}

static void test_qemu_virt(void)
{
	const char *ov[] = { TOPO_DIR "/qemu-virt-bridges.dtso" };
	struct ims_machine *m = boot_files(BOARDS_DIR "/qemu-virt-smmuv3.dts", ov, 1, NULL);
	struct ims_device *d = dev(m, "9050000.iommu");

	is_str(d->driver ? d->driver->name : "none", "arm-smmu-v3", "the SMMUv3 is bound");
	is_int(grp(m, "0000:01:00.0"), grp(m, "0000:01:00.1"),
	       "multifunction endpoint without ACS: one group");
	is_int(grp(m, "0000:01:00.0"), grp(m, "0000:00:01.0"),
	       "below a root port whose ACS is off: the port's group");
	is_str(ids(m, "0000:05:02.0"), "0x510 0x500",
	       "behind the PCIe-to-PCI bridge: RID, then 0x500");
	is_int(grp(m, "0000:05:02.0"), grp(m, "0000:00:1e.0"), "one group with the bridge");
	is_hex(msi_id(m, "0000:05:02.0"), 0x500, "MSI DeviceID: the bridge's secondary<<8");
	is_str(ids(m, "0000:05:03.0"), "none", "05:03.0: alias 0x500 is already taken");
	ok(ims_dev_has_msg(dev(m, "0000:05:03.0"), "stream 1280 already in tree"),
	   "with arm-smmu-v3's warning");
	is_str(ids(m, "0000:02:03.0"), "none",
	       "conventional bridge on the root bus: its own RID 0xf8 is in use");
	ok(dev(m, "0000:02:03.0")->dma_ops == IMS_DMA_OPS_DIRECT &&
		   ims_dev_has_msg(dev(m, "0000:02:03.0"), "already in tree"),
	   "02:03.0 uses dma-direct after \"already in tree\"");
	is_hex(msi_id(m, "0000:02:03.0"), 0xf8, "02:03.0's MSI DeviceID is the bridge's RID");
	ok(dev(m, "0000:00:03.2")->pci->is_virtfn && !strcmp(ids(m, "0000:00:03.2"), "0x1a"),
	   "an SR-IOV VF gets its own StreamID");
	is_str(dom(m, "0000:00:01.0"), "DMA", "default: DMA (arm64 strict)");
	ok(dev(m, "0000:00:01.0")->dma_ops == IMS_DMA_OPS_IOMMU, "IOMMU DMA ops");
	is_int((int)(ste0(m, 0x9050000, 0x8) & 0xf), 0xb, "STE of 00:01.0: V, S1 translate");
	is_int((int)(ste0(m, 0x9050000, 0x518) & 0xf), 0x1,
	       "STE of the refused 05:03.0 RID: V, abort");
	ims_machine_free(m);

	{
		struct ims_machine_opts o;

		ims_machine_opts_init(&o);
		o.iommu.passthrough = 1;
		m = boot_files(BOARDS_DIR "/qemu-virt-smmuv3.dts", ov, 1, &o);
		is_str(dom(m, "0000:00:01.0"), "IDENTITY", "iommu.passthrough=1: identity");
		ok(dev(m, "0000:00:01.0")->dma_ops == IMS_DMA_OPS_DIRECT, "with dma-direct");
		is_int((int)(ste0(m, 0x9050000, 0x8) & 0xf), 0x9, "and a bypass STE");
		ims_machine_free(m);

		ims_machine_opts_init(&o);
		o.iommu.strict = 0;
		m = boot_files(BOARDS_DIR "/qemu-virt-smmuv3.dts", ov, 1, &o);
		is_str(dom(m, "0000:00:01.0"), "DMA_FQ", "iommu.strict=0: DMA_FQ");
		ims_machine_free(m);
	}
}

static void test_armada(void)
{
	const char *ov[] = { TOPO_DIR "/armada-8040-pcie.dtso" };
	struct ims_machine_opts o;
	struct ims_machine *m;
	struct ims_device *d;
	struct ims_mem_stats before, after;
	unsigned int owners;

	m = boot_files(BOARDS_DIR "/armada-8040.dts", ov, 1, NULL);
	is_str(dev(m, "f0100000.iommu")->driver ? "bound" : "unbound", "bound",
	       "with its 16 context interrupts the MMU-500 binds");
	is_str(ids(m, "f2500000.usb3"), "0x440", "usb3: iommus = <&smmu 0x440>");
	is_str(ids(m, "0000:03:00.0"), "none", "bus 3 falls in a hole of iommu-map: bypass");
	ok(dev(m, "0000:03:00.0")->dma_ops == IMS_DMA_OPS_DIRECT, "03:00.0 uses dma-direct");
	is_hex(msi_id(m, "0000:03:00.0"), 0x300, "03:00.0 MSI DeviceID through msi-map");
	is_str(ids(m, "0000:05:01.0"), "0x4a8 0x4a0", "05:01.0: RID and alias, folded by the mask");
	is_int(grp(m, "0000:05:01.0"), grp(m, "0000:05:02.0"), "behind the bridge: one group");

	/* Unbind and rebind a client: nothing leaks, the group is kept. */
	d = dev(m, "0000:05:01.0");
	owners = d->iommu_group->owner_cnt;
	ims_mem_get_stats(ims_machine_mem(m), &before);
	for (int i = 0; i < 3; i++) {
		ims_device_release_driver(d);
		ims_device_attach(d);
	}
	ims_mem_get_stats(ims_machine_mem(m), &after);
	ok(d->driver && d->dma_ops == IMS_DMA_OPS_IOMMU, "rebound with IOMMU DMA ops");
	is_int((int)d->iommu_group->owner_cnt, (int)owners, "group ownership back where it was");
	is_hex(after.allocated_bytes, before.allocated_bytes, "no memory leaked by unbind/rebind");
	ims_machine_free(m);

	/* Clients before the SMMU driver: they defer, then bind with the IOMMU. */
	ims_machine_opts_init(&o);
	o.late_smmu_drivers = true;
	m = boot_files(BOARDS_DIR "/armada-8040.dts", ov, 1, &o);
	d = dev(m, "f2500000.usb3");
	ok(ims_dev_has_msg(d, "Added to deferred list"), "usb3 was deferred");
	ok(d->driver && d->dma_ops == IMS_DMA_OPS_IOMMU &&
		   !strcmp(ids(m, "f2500000.usb3"), "0x440"),
	   "and bound through the IOMMU once arm-smmu probed");
	is_int(ims_devcore_nr_deferred(ims_machine_devcore(m)), 0, "nothing left deferred");
	ims_machine_free(m);
}

#define MASK_BOARD                                                                                 \
	"/dts-v1/;\n/ { #address-cells = <2>; #size-cells = <2>; interrupt-parent = <&gic>;\n"     \
	"  memory@40000000 { device_type = \"memory\"; reg = <0 0x40000000 0 0x4000000>; };\n"     \
	"  gic: intc@8000000 { compatible = \"arm,gic-v3\"; #interrupt-cells = <3>;\n"             \
	"    interrupt-controller; reg = <0 0x8000000 0 0x10000>; };\n"                            \
	"  smmu: iommu@9000000 { compatible = \"%s\"; reg = <0 0x9000000 0 0x100000>;\n"           \
	"    #iommu-cells = <1>; #global-interrupts = <1>;\n"                                      \
	"    interrupts = <0 1 4>, <0 2 4>, <0 3 4>; interrupt-names = \"eventq\", \"gerror\",\n"  \
	"    \"cmdq-sync\"; %s };\n"                                                               \
	"  pcie@10000000 { compatible = \"pci-host-ecam-generic\"; device_type = \"pci\";\n"       \
	"    reg = <0 0x10000000 0 0x1000000>; #address-cells = <3>; #size-cells = <2>;\n"         \
	"    bus-range = <0 0xff>; ranges = <0x02000000 0 0x20000000 0 0x20000000 0 0x1000000>;\n" \
	"    iommu-map = <0 &smmu 0 0x10000>; %s\n"                                                \
	"    %s };\n};\n"

static struct ims_machine *mask_board(const char *compat, const char *host_props,
				      const char *children, const struct ims_machine_opts *o)
{
	char dts[4096];
	int ret;
	struct ims_machine *m;
	bool v3 = !strcmp(compat, "arm,smmu-v3");

	snprintf(dts, sizeof(dts), MASK_BOARD, compat, v3 ? "" : "iommusim,num-cb = <2>;",
		 host_props, children);
	m = boot_dts(dts, o, &ret);
	if (ret) {
		printf("Bail out! %s\n", ims_last_error());
		exit(1);
	}
	return m;
}

static void test_map_mask_zero(void)
{
	static const char eps[] = "ep@1,0 { reg = <0x0800 0 0 0 0>; };\n"
				  "ep@2,0 { reg = <0x1000 0 0 0 0>; };\n"
				  "ep@3,0 { reg = <0x1800 0 0 0 0>; };\n";
	struct ims_machine *m;

	m = mask_board("arm,smmu-v3", "iommu-map-mask = <0>;", eps, NULL);
	is_str(ids(m, "0000:00:01.0"), "0x0", "SMMUv3, mask 0: the first device gets SID 0");
	ok(!strcmp(ids(m, "0000:00:02.0"), "none") && !strcmp(ids(m, "0000:00:03.0"), "none"),
	   "every later device fails");
	ok(ims_dev_has_msg(dev(m, "0000:00:03.0"), "already in tree"), "already in tree");
	ims_machine_free(m);

	m = mask_board("arm,mmu-500", "iommu-map-mask = <0>;", eps, NULL);
	ok(!strcmp(ids(m, "0000:00:01.0"), "0x0") && !strcmp(ids(m, "0000:00:03.0"), "0x0"),
	   "MMU-500, mask 0: every device has ID 0");
	ok(grp(m, "0000:00:01.0") >= 0 && grp(m, "0000:00:01.0") == grp(m, "0000:00:02.0") &&
		   grp(m, "0000:00:02.0") == grp(m, "0000:00:03.0"),
	   "they share an SMR and so one group");
	ims_machine_free(m);
}

static void test_acs_untrusted(void)
{
	static const char ports[] =
		"rp@1,0 { device_type = \"pci\"; reg = <0x0800 0 0 0 0>; bus-range = <1 1>;\n"
		"  #address-cells = <3>; #size-cells = <2>; iommusim,acs = <0x1f 0x1d>;\n"
		"  ep@0,0 { reg = <0x10000 0 0 0 0>; }; };\n"
		"rp@2,0 { device_type = \"pci\"; reg = <0x1000 0 0 0 0>; bus-range = <2 2>;\n"
		"  #address-cells = <3>; #size-cells = <2>; iommusim,acs = <0x1f 0x1d>;\n"
		"  external-facing;\n"
		"  ep@0,0 { reg = <0x20000 0 0 0 0>; }; };\n";
	struct ims_machine_opts o;
	struct ims_machine *m;

	ims_machine_opts_init(&o);
	o.iommu.passthrough = 1;
	m = mask_board("arm,smmu-v3", "", ports, &o);
	ok(grp(m, "0000:01:00.0") >= 0 && grp(m, "0000:01:00.0") != grp(m, "0000:00:01.0") &&
		   grp(m, "0000:01:00.0") != grp(m, "0000:02:00.0"),
	   "ports with ACS enabled isolate the devices below them");
	is_str(dom(m, "0000:01:00.0"), "IDENTITY", "a trusted device follows iommu.passthrough=1");
	ok(dev(m, "0000:02:00.0")->pci->untrusted, "below an external-facing port: untrusted");
	is_str(dom(m, "0000:02:00.0"), "DMA", "an untrusted device is forced to DMA");
	ok(dev(m, "0000:02:00.0")->dma_ops == IMS_DMA_OPS_IOMMU, "with IOMMU DMA ops");
	ims_machine_free(m);
}

int main(void)
{
	test_qemu_virt();
	test_armada();
	test_map_mask_zero();
	test_acs_untrusted();
	return tap_done();
}
