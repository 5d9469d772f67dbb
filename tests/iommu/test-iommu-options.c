/* SPDX-License-Identifier: MIT */
/*
 * Default domain types: iommu.passthrough / iommu.strict, the Kconfig
 * defaults, def_domain_type, untrusted devices, conflicting requirements in a
 * group (IDENTITY wins), the sysfs type store, and the DMA_FQ downgrade.
 */
#include "mock-iommu.h"

static const char dd_topo[] =
	"/dts-v1/; / { #address-cells = <1>; #size-cells = <1>;"
	" mock: iommu@1000 { compatible = \"iommusim,mock-iommu\"; reg = <0x1000 0x100>;"
	"   #iommu-cells = <1>; };"
	" ident@2000 { compatible = \"t\"; reg = <0x2000 1>; iommus = <&mock 1>;"
	"   mock,def-domain = \"identity\"; };"
	" pcie@0 { compatible = \"pci-host-ecam-generic\"; device_type = \"pci\";"
	"   reg = <0 0x1000>; #address-cells = <3>; #size-cells = <2>; bus-range = <0 3>;"
	"   iommu-map = <0 &mock 0 0x10000>;"
	"   pci@1,0 { device_type = \"pci\"; reg = <0x800 0 0 0 0>; bus-range = <1 1>;"
	"     iommusim,acs = <0x1f 0x1f>;"
	"     ep@0,0 { reg = <0x10000 0 0 0 0>; mock,def-domain = \"dma\"; };"
	"     ep@0,1 { reg = <0x10100 0 0 0 0>; mock,def-domain = \"identity\"; }; };"
	"   pci@2,0 { device_type = \"pci\"; reg = <0x1000 0 0 0 0>; bus-range = <2 2>;"
	"     external-facing; iommusim,acs = <0x1f 0x1f>;"
	"     ep@0,0 { reg = <0x20000 0 0 0 0>; mock,def-domain = \"identity\"; }; }; }; };";

static void check_type(struct ims_iommu_opts *io, unsigned int want, const char *what,
		       const char *log1, const char *log2)
{
	struct board b;
	struct ims_devcore_opts dopts = { .deferred_probe_timeout = -1 };

	memset(&mock_cfg, 0, sizeof(mock_cfg));
	board_up(&b, &dopts, io, IOMMU_FIRST);
	is_str(ims_iommu_domain_type_name(ims_iommu_def_domain_type(b.ic)),
	       ims_iommu_domain_type_name(want), "%s: global type", what);
	is_str(domain_of(&b, "3000.dma"), ims_iommu_domain_type_name(want), "%s: 3000.dma", what);
	is_int(dev_named(b.dc, "3000.dma")->dma_ops,
	       want == IMS_IOMMU_DOMAIN_IDENTITY ? IMS_DMA_OPS_DIRECT : IMS_DMA_OPS_IOMMU,
	       "%s: DMA ops", what);
	ok(strstr(b.log.text, log1) != NULL, "%s: logs \"%s\"", what, log1);
	if (log2)
		ok(strstr(b.log.text, log2) != NULL, "%s: logs \"%s\"", what, log2);
	else
		ok(strstr(b.log.text, "invalidation policy") == NULL, "%s: no policy line", what);
	/* Untrusted devices are always translated, and strictly (the type is forced to DMA). */
	is_str(domain_of(&b, "0000:09:00.0"), "DMA", "%s: untrusted 09:00.0 gets DMA", what);
	is_int(dev_named(b.dc, "0000:09:00.0")->dma_ops, IMS_DMA_OPS_IOMMU,
	       "%s: untrusted uses IOMMU DMA ops", what);
	board_down(&b);
}

int main(void)
{
	struct ims_iommu_opts io;
	struct ims_devcore_opts dopts = { .deferred_probe_timeout = -1 };
	struct board b;
	struct ims_iommu_group *g;

	ims_iommu_opts_init(&io);
	check_type(&io, IMS_IOMMU_DOMAIN_DMA, "default", "iommu: Default domain type: Translated",
		   "iommu: DMA domain TLB invalidation policy: strict mode");
	io.passthrough = 1;
	check_type(&io, IMS_IOMMU_DOMAIN_IDENTITY, "iommu.passthrough=1",
		   "Default domain type: Passthrough (set via kernel command line)", NULL);
	io.passthrough = 0;
	io.default_passthrough = true;
	check_type(&io, IMS_IOMMU_DOMAIN_DMA, "iommu.passthrough=0 over PASSTHROUGH Kconfig",
		   "Translated (set via kernel command line)", "strict mode");
	ims_iommu_opts_init(&io);
	io.default_passthrough = true;
	check_type(&io, IMS_IOMMU_DOMAIN_IDENTITY, "CONFIG_IOMMU_DEFAULT_PASSTHROUGH",
		   "Default domain type: Passthrough", NULL);
	ims_iommu_opts_init(&io);
	io.strict = 0;
	check_type(&io, IMS_IOMMU_DOMAIN_DMA_FQ, "iommu.strict=0",
		   "Default domain type: Translated",
		   "policy: lazy mode (set via kernel command line)");
	ims_iommu_opts_init(&io);
	io.default_lazy = true;
	check_type(&io, IMS_IOMMU_DOMAIN_DMA_FQ, "CONFIG_IOMMU_DEFAULT_DMA_LAZY", "Translated",
		   "policy: lazy mode");
	io.strict = 1;
	check_type(&io, IMS_IOMMU_DOMAIN_DMA, "iommu.strict=1 over lazy Kconfig", "Translated",
		   "strict mode (set via kernel command line)");

	/* DMA_FQ is downgraded when the IOMMU lacks deferred flush. */
	ims_iommu_opts_init(&io);
	io.strict = 0;
	memset(&mock_cfg, 0, sizeof(mock_cfg));
	mock_cfg.no_deferred_flush = true;
	board_up(&b, &dopts, &io, IOMMU_FIRST);
	is_str(domain_of(&b, "3000.dma"), "DMA", "no DEFERRED_FLUSH: DMA_FQ becomes DMA");
	ims_iommu_set_dma_strict(b.ic);
	is_int(ims_iommu_def_domain_type(b.ic), IMS_IOMMU_DOMAIN_DMA,
	       "iommu_set_dma_strict downgrades the global DMA_FQ");
	board_down(&b);

	/* def_domain_type, conflicts and untrusted. */
	ims_iommu_opts_init(&io);
	memset(&mock_cfg, 0, sizeof(mock_cfg));
	board_up_tree(&b, load_dts_text(dd_topo), &dopts, &io, IOMMU_FIRST);
	is_str(domain_of(&b, "2000.ident"), "IDENTITY",
	       "def_domain_type IDENTITY overrides the global DMA");
	is_int(dev_named(b.dc, "2000.ident")->dma_ops, IMS_DMA_OPS_DIRECT, "identity: dma-direct");
	ok(same_group(&b, "0000:01:00.0", "0000:01:00.1"), "the two functions share a group");
	is_str(domain_of(&b, "0000:01:00.1"), "DMA",
	       "the first member decided at probe (DMA); the second joined it");
	g = dev_named(b.dc, "0000:01:00.0")->iommu_group;
	is_int(ims_iommu_group_store_type(g, "auto"), -EPERM,
	       "store type while drivers own it: -EPERM");
	is_int(ims_iommu_group_store_type(g, "bogus"), -EINVAL, "unknown type string: -EINVAL");
	ims_device_release_driver(dev_named(b.dc, "0000:01:00.0"));
	ims_device_release_driver(dev_named(b.dc, "0000:01:00.1"));
	is_int(g->owner_cnt, 0, "unbinding both drops ownership");
	is_int(ims_iommu_group_store_type(g, "auto"), 0, "re-evaluate the group (auto)");
	is_str(domain_of(&b, "0000:01:00.0"), "IDENTITY",
	       "conflicting requirements: IDENTITY wins");
	ok(ims_dev_has_msg(dev_named(b.dc, "0000:01:00.1"),
			   "requesting conflicting def_domain_type, Translated and Passthrough"),
	   "the conflict is logged");
	is_int(ims_iommu_group_store_type(g, "DMA"), -EINVAL,
	       "a type against the devices' requirement: -EINVAL");
	/* Untrusted with a driver forcing IDENTITY: refused. */
	{
		struct ims_device *u = dev_named(b.dc, "0000:02:00.0");

		ok(pci_named(b.dc, "0000:02:00.0")->untrusted, "02:00.0 is untrusted");
		ok(ims_dev_has_msg(u, "Device is not trusted, but driver is overriding group"),
		   "untrusted + identity: refusing to probe");
		ok(!u->iommu_group && u->dma_ops == IMS_DMA_OPS_DIRECT && u->driver,
		   "the IOMMU probe failed: no group, dma-direct, driver bound");
	}
	board_down(&b);
	return tap_done();
}
