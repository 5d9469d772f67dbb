/* SPDX-License-Identifier: MIT */
/*
 * PCI enumeration from the DT topology: naming, domains, bus-add order, types,
 * multifunction, SR-IOV VF RIDs, quirks, DMA aliases (§5), ACS predicates,
 * MSI requester IDs, and errors for bad topology properties.
 */
#include "bus-test.h"

static struct ims_devcore *boot(struct ims_of_tree *t, const struct ims_devcore_opts *o,
				struct captured_log *c)
{
	struct ims_devcore *core;
	struct ims_log log = { capture_fn, c, IMS_LOG_DEBUG };

	if (ims_devcore_new(&core, t, o, c ? &log : NULL)) {
		printf("Bail out! devcore_new\n");
		exit(1);
	}
	ims_driver_register(core, ims_pci_host_driver());
	ims_driver_register(core, ims_client_driver(IMS_BUS_PLATFORM));
	ims_driver_register(core, ims_client_driver(IMS_BUS_PCI));
	ims_of_platform_populate(core);
	ims_devcore_late_initcall(core);
	return core;
}

static void test_enumeration(struct ims_devcore *core)
{
	static const char *const want[] = {
		"0000:00:00.0", "0000:00:01.0", "0000:00:02.0", "0000:00:04.0", "0000:00:05.0",
		"0000:00:06.0", "0000:00:07.0", "0000:00:1e.0", "0000:00:1f.0", "0000:01:00.0",
		"0000:01:00.1", "0000:03:00.0", "0000:03:10.0", "0000:04:00.0", "0000:04:10.0",
		"0000:06:00.0", "0000:07:00.0", "0000:07:01.0", "0000:08:00.0", "0000:09:00.0",
		"0000:0a:00.0", "0000:0b:01.0", "0000:05:02.0", "0000:05:03.0", "0000:02:03.0",
	};
	struct ims_device *first = dev_named(core, "0000:00:00.0");
	struct ims_pci_dev *p;
	int base = first ? first->index : 0;
	bool in_order = true;

	for (size_t i = 0; i < ARRAY_SIZE_T(want); i++) {
		struct ims_device *d = ims_devcore_find_device(core, want[i]);

		if (!d || d->index != base + (int)i) {
			in_order = false;
			diag("%s at %d, want %d", want[i], d ? d->index : -1, base + (int)i);
		}
	}
	ok(in_order,
	   "pci_bus_add_devices order: each bus's functions, then child buses depth-first");
	ok(!ims_devcore_find_device(core, "0000:01:01.0"),
	   "only device 0 is scanned below a root port");
	/* Domains: host 0 is static; the first dynamic host skips it. */
	ok(ims_devcore_find_device(core, "0001:00:01.0") &&
		   ims_devcore_find_device(core, "0001:01:00.0"),
	   "the first host without linux,pci-domain gets domain 1 (0 is reserved)");
	ok(ims_devcore_find_device(core, "0002:00:03.0"), "the next dynamic host gets domain 2");

	/* Types and defaults. */
	p = pci_named(core, "0000:00:01.0");
	is_int(p->type, IMS_PCIE_ROOT_PORT, "a bridge on the root bus defaults to root-port");
	is_int(pci_named(core, "0000:01:00.0")->type, IMS_PCIE_ENDPOINT, "below a port: endpoint");
	is_int(pci_named(core, "0000:00:05.0")->type, IMS_PCIE_RC_END,
	       "on the root bus: rc-endpoint");
	is_int(pci_named(core, "0000:06:00.0")->type, IMS_PCIE_UPSTREAM,
	       "a bridge below a root port: upstream");
	is_int(pci_named(core, "0000:07:00.0")->type, IMS_PCIE_DOWNSTREAM,
	       "below an upstream port: downstream");
	is_int(pci_named(core, "0000:05:02.0")->type, IMS_PCI_CONV_DEVICE,
	       "below a PCIe-to-PCI bridge: pci");
	is_int(pci_named(core, "0000:00:1e.0")->type, IMS_PCIE_PCI_BRIDGE,
	       "explicit pcie-to-pci-bridge");
	is_str(ims_pcie_type_name(IMS_PCIE_PCIE_BRIDGE), "pci-to-pcie-bridge", "type names");
	ok(pci_named(core, "0000:01:00.0")->multifunction &&
		   pci_named(core, "0000:01:00.1")->multifunction,
	   "two functions in a slot imply multifunction");
	ok(!pci_named(core, "0000:00:06.0")->multifunction, "a lone function is single-function");
	is_hex(pci_named(core, "0000:01:00.0")->vendor, 0x1af4, "vendor-id");
	ok(dev_named(core, "0000:00:00.0")->no_driver && !dev_named(core, "0000:00:00.0")->driver,
	   "host-bridge class never binds");
	ok(dev_named(core, "0000:01:00.0")->driver == ims_client_driver(IMS_BUS_PCI),
	   "an endpoint binds the client driver");
	ok(dev_named(core, "0000:00:01.0")->parent == dev_named(core, "10000000.pcie"),
	   "a root-bus function's parent is the host platform device");
	ok(dev_named(core, "0000:08:00.0")->parent == dev_named(core, "0000:07:00.0"),
	   "below a bridge the parent is the bridge");
	is_hex(dev_named(core, "0000:08:00.0")->dma_mask, 0xffffffffull, "PCI default 32-bit mask");
	ok(dev_named(core, "0000:08:00.0")->dma_coherent, "coherency from the host bridge node");

	/* SR-IOV: RID = PF RID + offset + stride * n, possibly on a later (virtual) bus. */
	p = pci_named(core, "0000:04:00.0");
	ok(p && p->is_virtfn && p->physfn == pci_named(core, "0000:03:00.0"), "VF 1 at 04:00.0");
	is_hex(ims_pci_dev_id(p), 0x0400, "VF 1 RID 0x300 + 0x80 + 0x80");
	ok(p && p->bus->self == NULL && p->bus->parent == pci_named(core, "0000:03:00.0")->bus,
	   "a VF beyond the PF's bus sits on a virtual bus");
	is_hex(ims_pci_dev_id(pci_named(core, "0000:04:10.0")), 0x0480, "VF 2 RID");
	is_int(pci_named(core, "0000:03:00.0")->num_vfs, 3, "num_vfs enabled");

	/* Untrusted below an external-facing port. */
	ok(pci_named(core, "0000:09:00.0")->untrusted, "below external-facing: untrusted");
	ok(!pci_named(core, "0000:07:01.0")->untrusted,
	   "the external-facing port itself is trusted");
	ok(!pci_named(core, "0000:08:00.0")->untrusted, "a sibling port's device is trusted");
}

static void test_aliases(struct ims_devcore *core)
{
	struct alias_rec r;

	aliases_of(pci_named(core, "0000:08:00.0"), &r);
	ok(r.nr == 1 && r.alias[0] == 0x0800, "behind PCIe ports: only the RID");
	aliases_of(pci_named(core, "0000:05:02.0"), &r);
	ok(r.nr == 2 && r.alias[0] == 0x0510 && r.alias[1] == 0x0500,
	   "PCIe-to-PCI bridge: RID then secondary<<8 (%x %x)", r.alias[0], r.alias[1]);
	is_str(r.owner[1], "0000:00:1e.0", "the bridge owns the secondary<<8 alias");
	aliases_of(pci_named(core, "0000:02:03.0"), &r);
	ok(r.nr == 2 && r.alias[0] == 0x0218 && r.alias[1] == 0x00f8,
	   "conventional bridge: RID then the bridge's own RID");
	aliases_of(pci_named(core, "0000:0b:01.0"), &r);
	ok(r.nr == 2 && r.alias[1] == 0x0b00,
	   "conventional bridge with PCI_DEV_FLAG_PCIE_BRIDGE_ALIAS (Tundra 8113): secondary<<8");
	ok(pci_named(core, "0000:0a:00.0")->dev_flags & IMS_PCI_DEV_FLAG_PCIE_BRIDGE_ALIAS,
	   "quirk_use_pcie_bridge_dma_alias applied");
	aliases_of(pci_named(core, "0000:00:05.0"), &r);
	ok(r.nr == 2 && r.alias[0] == 0x0028 && r.alias[1] == 0x002a,
	   "iommusim,dma-alias: RID then 00:05.2 on the same bus");
	aliases_of(pci_named(core, "0000:00:06.0"), &r);
	ok(r.nr == 2 && r.alias[1] == 0x0031, "quirk_dma_func1_alias (Marvell 9123): 00:06.1");
	ok(ims_dev_has_msg(dev_named(core, "0000:00:06.0"), "Enabling fixed DMA alias to 06.1"),
	   "pci_add_dma_alias logs");
	aliases_of(pci_named(core, "0000:04:00.0"), &r);
	ok(r.nr == 1 && r.alias[0] == 0x0400, "a VF: the virtual bus adds no alias");
	memset(&r, 0, sizeof(r));
	r.stop_at = 0;
	is_int(ims_pci_for_each_dma_alias(pci_named(core, "0000:05:02.0"), record_alias, &r), 7,
	       "a non-zero callback return stops the walk and is returned");
	is_int(r.nr, 1, "no callback after the stop");
	ok(ims_pci_devs_are_dma_aliases(pci_named(core, "0000:00:05.0"),
					pci_named(core, "0000:00:02.0")) == false,
	   "unrelated functions are not aliases");
}

static void test_acs(struct ims_devcore *core)
{
	struct ims_pci_dev *rp1 = pci_named(core, "0000:00:01.0");
	struct ims_pci_dev *rp2 = pci_named(core, "0000:00:02.0");

	ok(!ims_pci_acs_flags_enabled(rp1, IMS_REQ_ACS_FLAGS), "firmware left ACS off on 00:01.0");
	ok(ims_pci_acs_flags_enabled(rp2, IMS_REQ_ACS_FLAGS), "firmware ACS on 00:02.0");
	ok(!ims_pci_acs_flags_enabled(pci_named(core, "0000:00:07.0"), 0),
	   "no ACS capability: false");
	ok(ims_pci_acs_enabled(pci_named(core, "0000:08:00.0"), IMS_REQ_ACS_FLAGS),
	   "a single-function endpoint is trivially isolated");
	ok(!ims_pci_acs_enabled(pci_named(core, "0000:01:00.0"), IMS_REQ_ACS_FLAGS),
	   "a multifunction endpoint without ACS is not");
	ok(!ims_pci_acs_enabled(pci_named(core, "0000:05:02.0"), IMS_REQ_ACS_FLAGS),
	   "a conventional device: false");
	ok(!ims_pci_acs_enabled(pci_named(core, "0000:00:1e.0"), IMS_REQ_ACS_FLAGS),
	   "a PCIe-to-PCI bridge: false");
	ok(ims_pci_acs_path_enabled(pci_named(core, "0000:07:00.0"), NULL, IMS_REQ_ACS_FLAGS),
	   "path 07:00.0 -> root: downstream, upstream (single-function), root port all enabled");
	ok(!ims_pci_acs_path_enabled(pci_named(core, "0000:01:00.0"), NULL, IMS_REQ_ACS_FLAGS),
	   "path from a multifunction device without ACS fails");
	ok(ims_pci_acs_path_enabled(pci_named(core, "0000:08:00.0"),
				    pci_named(core, "0000:06:00.0"), IMS_REQ_ACS_FLAGS),
	   "path to an end device stops there");
	ok(!ims_pci_acs_requested(core), "nothing requested ACS without an IOMMU layer");
	is_hex(rp1->acs_ctrl, 0, "6.12: ports keep firmware ACS control");
	ims_pci_request_acs(core);
	ims_pci_enable_acs(rp1);
	is_hex(rp1->acs_ctrl, IMS_PCI_ACS_SV | IMS_PCI_ACS_RR | IMS_PCI_ACS_CR | IMS_PCI_ACS_UF,
	       "pci_enable_acs: SV RR CR UF, no TB for an internal port");
	ims_pci_enable_acs(pci_named(core, "0000:07:01.0"));
	is_hex(pci_named(core, "0000:07:01.0")->acs_ctrl, 0x1f, "external-facing: TB too");
}

static void test_msi(struct ims_devcore *core)
{
	int its = ims_of_find_node_by_path(ims_devcore_tree(core), "/msi-controller@7000");
	int np = IMS_OF_NONE;

	is_hex(ims_pci_msi_domain_get_msi_rid(pci_named(core, "0000:02:03.0"), &np), 0xf8,
	       "02:03.0 behind conventional bridge 00:1f.0: DeviceID 0xf8");
	is_int(np, its, "msi-map picked the ITS");
	is_hex(ims_pci_msi_domain_get_msi_rid(pci_named(core, "0000:05:02.0"), NULL), 0x500,
	       "05:02.0 behind PCIe-to-PCI bridge (secondary 5): 0x500");
	is_hex(ims_pci_msi_domain_get_msi_rid(pci_named(core, "0000:00:05.0"), NULL), 0x28,
	       "a same-bus quirk alias leaves the RID");
	is_hex(ims_pci_msi_domain_get_msi_rid(pci_named(core, "0000:08:00.0"), NULL), 0x800,
	       "behind ports: the RID");
	is_hex(ims_pci_msi_domain_get_msi_rid(pci_named(core, "0001:01:00.0"), NULL), 0x10100,
	       "msi-map out-base applies");
}

static const char *const bad_cases[][3] = {
	{ "iommusim,pcie-type = \"bridge\";", "iommusim,pcie-type", "unknown type" },
	{ "iommusim,pcie-type = \"root-port\";", "iommusim,pcie-type", "bridge type" },
	{ "iommusim,acs = <0x80>;", "iommusim,acs", "0x7f" },
	{ "iommusim,acs = <1 2 3>;", "iommusim,acs", "capability" },
	{ "iommusim,sriov = <4 1>;", "iommusim,sriov", "total-vfs" },
	{ "iommusim,sriov = <4 1 1>; iommusim,num-vfs = <5>;", "iommusim,num-vfs", "exceeds" },
	{ "iommusim,dma-alias = <0x100>;", "iommusim,dma-alias", "8 bits" },
	{ "vendor-id = <0x10000>;", "vendor-id", "exceeds" },
};

static void test_vf_collision(void)
{
	struct ims_of_tree *t = load_dts_text(
		"/dts-v1/; / { #address-cells = <1>; #size-cells = <1>;"
		" pcie@0 { compatible = \"x\"; device_type = \"pci\"; reg = <0 0x1000>;"
		" #address-cells = <3>; #size-cells = <2>; bus-range = <0 3>;"
		" pf@2,0 { reg = <0x1000 0 0 0 0>; iommusim,sriov = <4 2 1>; iommusim,num-vfs = "
		"<3>; };"
		" fn@2,3 { reg = <0x1300 0 0 0 0>; }; }; };");
	struct ims_devcore *core = boot(t, NULL, NULL);
	struct ims_pci_dev *pf = pci_named(core, "0000:00:02.0");

	ok(pf && pf->num_vfs == 1, "VF 0 at 00:02.2 is created; VF 1 would be 00:02.3");
	ok(pf && ims_dev_has_msg(&pf->dev,
				 "SR-IOV: VF 1 at 00:02.3 collides with an existing function"),
	   "the collision is reported");
	ims_device_unregister(&pci_named(core, "0000:00:02.2")->dev);
	is_int(pf->num_vfs, 0, "removing a VF updates num_vfs");
	ims_devcore_free(core);
	ims_of_tree_free(t);
}

static void test_bad(void)
{
	char dts[2048];

	for (size_t i = 0; i < ARRAY_SIZE_T(bad_cases); i++) {
		struct ims_of_tree *t;
		struct ims_devcore *core;
		struct ims_device *host;

		snprintf(dts, sizeof(dts),
			 "/dts-v1/; / { #address-cells = <1>; #size-cells = <1>;"
			 " pcie@0 { compatible = \"pci-host-ecam-generic\"; device_type = \"pci\";"
			 " reg = <0 0x1000>; #address-cells = <3>; #size-cells = <2>;"
			 " bus-range = <0 1>; ep@1,0 { reg = <0x800 0 0 0 0>; %s }; }; };",
			 bad_cases[i][0]);
		t = load_dts_text(dts);
		core = boot(t, NULL, NULL);
		host = ims_devcore_find_device(core, "0.pcie");
		ok(host && host->probe_err == -EINVAL && !host->driver,
		   "bad %s: host probe -EINVAL", bad_cases[i][1]);
		ok(host && ims_dev_has_msg(host, bad_cases[i][1]) &&
			   ims_dev_has_msg(host, "/pcie@0/ep@1,0") &&
			   ims_dev_has_msg(host, bad_cases[i][2]),
		   "message names node, property and problem (%s)",
		   host && host->nr_msgs ? host->msgs[host->nr_msgs - 1].text : "");
		is_int(ims_devcore_nr_devices(core), 1, "no PCI device survives a bad topology");
		ims_devcore_free(core);
		ims_of_tree_free(t);
	}
	{
		struct ims_of_tree *t = load_dts_text(
			"/dts-v1/; / { #address-cells = <1>; #size-cells = <1>;"
			" pcie@0 { compatible = \"x\"; device_type = \"pci\"; reg = <0 0x1000>;"
			" #address-cells = <3>; #size-cells = <2>; bus-range = <0 3>;"
			" ep@1,0 { reg = <0x10800 0 0 0 0>; }; }; };");
		struct ims_devcore *core = boot(t, NULL, NULL);
		struct ims_device *host = ims_devcore_find_device(core, "0.pcie");

		ok(host && host->probe_err == -EINVAL && ims_dev_has_msg(host, "bus 1 in phys.hi"),
		   "reg bus number must match the bus the node sits on");
		ims_devcore_free(core);
		ims_of_tree_free(t);
	}
	{
		struct ims_of_tree *t = load_dts_text(
			"/dts-v1/; / { #address-cells = <1>; #size-cells = <1>;"
			" pcie@0 { compatible = \"x\"; device_type = \"pci\"; reg = <0 0x1000>;"
			" #address-cells = <3>; #size-cells = <2>; bus-range = <0 3>;"
			" br@1,0 { device_type = \"pci\"; reg = <0x800 0 0 0 0>; bus-range = <0 "
			"2>; }; }; };");
		struct ims_devcore *core = boot(t, NULL, NULL);
		struct ims_device *host = ims_devcore_find_device(core, "0.pcie");

		ok(host && host->probe_err == -EINVAL && ims_dev_has_msg(host, "bus-range"),
		   "a bridge's secondary must be above its bus");
		ims_devcore_free(core);
		ims_of_tree_free(t);
	}
}

static const char alias_topo[] =
	"/dts-v1/; / { #address-cells = <1>; #size-cells = <1>;"
	" pcie@0 { compatible = \"x\"; device_type = \"pci\"; reg = <0 0x1000>;"
	"  #address-cells = <3>; #size-cells = <2>; bus-range = <0 9>;"
	"  pci@1,0 { device_type = \"pci\"; reg = <0x800 0 0 0 0>; bus-range = <1 4>;"
	"   pci@0,0 { device_type = \"pci\"; reg = <0x10000 0 0 0 0>; bus-range = <2 4>;"
	"    iommusim,pcie-type = \"pcie-to-pci-bridge\";"
	"    pci@4,0 { device_type = \"pci\"; reg = <0x22000 0 0 0 0>; bus-range = <3 3>;"
	"     iommusim,pcie-type = \"pci-to-pcie-bridge\";"
	"     ep@0,0 { reg = <0x30000 0 0 0 0>; iommusim,pcie-type = \"endpoint\"; }; };"
	"    tundra@5,0 { device_type = \"pci\"; reg = <0x22800 0 0 0 0>; bus-range = <4 4>;"
	"     vendor-id = <0x10e3>; device-id = <0x8113>; dev@0,0 { reg = <0x40000 0 0 0 0>; }; }; "
	"}; };"
	"  tundra@2,0 { device_type = \"pci\"; reg = <0x1000 0 0 0 0>; bus-range = <5 5>;"
	"   iommusim,pcie-type = \"pci-bridge\"; vendor-id = <0x10e3>; device-id = <0x8113>;"
	"   dev@0,0 { reg = <0x50000 0 0 0 0>; }; };"
	"  ricoh@3,0 { reg = <0x1800 0 0 0 0>; };"
	"  ricoh@3,1 { reg = <0x1900 0 0 0 0>; vendor-id = <0x1180>; device-id = <0xe832>; };"
	"  rp@4,0 { device_type = \"pci\"; reg = <0x2000 0 0 0 0>; bus-range = <6 6>;"
	"   x@0,0 { reg = <0x60000 0 0 0 0>; }; x@0,2 { reg = <0x60200 0 0 0 0>; }; }; }; };";

static void test_more_aliases(void)
{
	struct ims_of_tree *t = load_dts_text(alias_topo);
	struct ims_devcore *core = boot(t, NULL, NULL);
	struct alias_rec r;

	aliases_of(pci_named(core, "0000:03:00.0"), &r);
	ok(r.nr == 3 && r.alias[0] == 0x300 && r.alias[1] == 0x220 && r.alias[2] == 0x200,
	   "PCI-to-PCIe bridge: its own RID; then the PCIe-to-PCI bridge: secondary<<8");
	is_str(r.owner[1], "0000:02:04.0", "the PCI-to-PCIe bridge owns its RID alias");
	ok(!(pci_named(core, "0000:02:05.0")->dev_flags & IMS_PCI_DEV_FLAG_PCIE_BRIDGE_ALIAS),
	   "Tundra below a PCIe-to-PCI bridge: quirk condition fails (parent is a PCI bridge)");
	aliases_of(pci_named(core, "0000:04:00.0"), &r);
	ok(r.nr == 3 && r.alias[1] == 0x228 && r.alias[2] == 0x200,
	   "so its devices alias to its own RID, then to bus 2 (%x %x)", r.alias[1], r.alias[2]);
	ok(!(pci_named(core, "0000:00:02.0")->dev_flags & IMS_PCI_DEV_FLAG_PCIE_BRIDGE_ALIAS),
	   "Tundra on a root bus: no quirk flag");
	aliases_of(pci_named(core, "0000:05:00.0"), &r);
	ok(r.nr == 2 && r.alias[1] == 0x010, "so a device below aliases to the bridge's own RID");
	aliases_of(pci_named(core, "0000:00:03.1"), &r);
	ok(r.nr == 2 && r.alias[1] == 0x018, "quirk_dma_func0_alias (Ricoh): 00:03.0");
	ok(ims_pci_devs_are_dma_aliases(pci_named(core, "0000:00:03.0"),
					pci_named(core, "0000:00:03.1")),
	   "pci_devs_are_dma_aliases in either direction");
	aliases_of(pci_named(core, "0000:00:03.0"), &r);
	is_int(r.nr, 1, "function 0 itself has no alias");
	ok(ims_devcore_find_device(core, "0000:06:00.2") &&
		   pci_named(core, "0000:06:00.2")->multifunction,
	   "a function other than 0 is scanned (and multifunction) when function 0 exists");
	ims_devcore_free(core);
	ims_of_tree_free(t);
}

int main(void)
{
	struct ims_of_tree *t = load_tree(FIXTURE_DIR "/topo.dtb");
	static struct captured_log c;
	struct ims_devcore *core = boot(t, NULL, &c);

	test_enumeration(core);
	test_aliases(core);
	test_acs(core);
	test_msi(core);
	ok(strstr(c.text, "not scanned: only device 0") != NULL, "only_one_child warning logged");
	ims_devcore_free(core);
	ims_of_tree_free(t);
	test_bad();
	test_more_aliases();
	test_vf_collision();
	return tap_done();
}
