// SPDX-License-Identifier: MIT
/*
 * arm-smmu-v3 with PCI and shared StreamIDs (Linux 6.12): a conventional
 * PCI bridge on the root bus makes the devices behind it alias to the
 * bridge's own RID, which the bridge already owns ("stream %u already in
 * tree", -EINVAL: no IOMMU, dma-direct); iommu-map-mask = <0> folds every RID
 * onto one SID so every device after the first fails; a duplicated platform
 * SID; and DMA through a PCI endpoint's domain.
 */
#include "v3-test.h"

static const char *const board = V3_DTS_HEAD V3_SMMU_NODE
	" a@a000000 { compatible = \"test,dma\"; reg = <0x0 0xa000000 0x0 0x1000>;"
	" iommus = <&smmu 0x3000>; };\n"
	" dup@a002000 { compatible = \"test,dma\"; reg = <0x0 0xa002000 0x0 0x1000>;"
	" iommus = <&smmu 0x3000>; };\n"
	" pcie@10000000 { compatible = \"pci-host-ecam-generic\"; device_type = \"pci\";\n"
	"  reg = <0x0 0x10000000 0x0 0x1000000>; #address-cells = <3>; #size-cells = <2>;\n"
	"  bus-range = <0x0 0xff>; linux,pci-domain = <0>;\n"
	"  iommu-map = <0x0 &smmu 0x0 0x10000>;\n"
	"  ep@1,0 { reg = <0x0800 0 0 0 0>; };\n"
	"  ep@1,1 { reg = <0x0900 0 0 0 0>; };\n"
	"  pci@2,0 { device_type = \"pci\"; reg = <0x1000 0 0 0 0>; bus-range = <1 1>;\n"
	"   #address-cells = <3>; #size-cells = <2>; iommusim,pcie-type = \"pci-bridge\";\n"
	"   dev@0,0 { reg = <0x10000 0 0 0 0>; iommusim,pcie-type = \"pci\"; };\n"
	"   dev@1,0 { reg = <0x10800 0 0 0 0>; iommusim,pcie-type = \"pci\"; };\n"
	"  };\n"
	" };\n"
	"};\n";

static const char *const masked = V3_DTS_HEAD V3_SMMU_NODE
	" pcie@10000000 { compatible = \"pci-host-ecam-generic\"; device_type = \"pci\";\n"
	"  reg = <0x0 0x10000000 0x0 0x1000000>; #address-cells = <3>; #size-cells = <2>;\n"
	"  bus-range = <0x0 0xff>; linux,pci-domain = <0>;\n"
	"  iommu-map = <0x0 &smmu 0x0 0x10000>; iommu-map-mask = <0x0>;\n"
	"  ep@1,0 { reg = <0x0800 0 0 0 0>; };\n"
	"  ep@2,0 { reg = <0x1000 0 0 0 0>; };\n"
	"  ep@3,0 { reg = <0x1800 0 0 0 0>; };\n"
	" };\n"
	"};\n";

static void test_bridge_and_dup(void)
{
	struct ims_device *a, *dup, *ep0, *ep1, *br, *d0, *d1;
	struct ims_iommu_domain *dom;
	struct v3board b;
	uint64_t ste[8];

	v3_up(&b, board, NULL);
	a = ims_devcore_find_device(b.dc, "a000000.a");
	dup = ims_devcore_find_device(b.dc, "a002000.dup");
	ok(a && a->iommu && a->dma_ops == IMS_DMA_OPS_IOMMU, "a000000.a owns SID 0x3000");
	ok(dup && !dup->iommu && !dup->iommu_group && dup->dma_ops == IMS_DMA_OPS_DIRECT,
	   "a002000.dup with the same SID: no IOMMU, dma-direct");
	ok(dup && ims_dev_has_msg(dup, "a002000.dup: stream 12288 already in tree"),
	   "a002000.dup logs stream 12288 already in tree");
	ok(strstr(b.log.text, "<4>") &&
		   strstr(b.log.text, "a002000.dup: stream 12288 already in tree"),
	   "... at warning level");
	ok(v3_decided(dup, "already owned by a000000.a"), "the decision names the owner");
	v3_read_ste(&b, 0x3000, ste);
	is_hex(FIELD_GET(STE_0_CFG, ste[0]), STE_CFG_S1, "the owner's STE is untouched");

	ep0 = ims_devcore_find_device(b.dc, "0000:00:01.0");
	ep1 = ims_devcore_find_device(b.dc, "0000:00:01.1");
	br = ims_devcore_find_device(b.dc, "0000:00:02.0");
	d0 = ims_devcore_find_device(b.dc, "0000:01:00.0");
	d1 = ims_devcore_find_device(b.dc, "0000:01:01.0");
	ok(ep0 && ep1 && br && d0 && d1, "PCI functions enumerated");
	if (!ep0 || !ep1 || !br || !d0 || !d1) {
		diag("%s", b.log.text);
		v3_down(&b);
		return;
	}
	ok(ep0->iommu && ep1->iommu && ep0->iommu_group == ep1->iommu_group,
	   "multifunction endpoint without ACS: one group (pci_device_group)");
	ok(br->iommu && br->dma_ops == IMS_DMA_OPS_IOMMU, "the conventional bridge owns SID 0x10");
	ok(!d0->iommu && d0->dma_ops == IMS_DMA_OPS_DIRECT && !d1->iommu &&
		   d1->dma_ops == IMS_DMA_OPS_DIRECT,
	   "devices behind it alias to 0x10: no IOMMU, dma-direct");
	ok(ims_dev_has_msg(d0, "stream 16 already in tree") &&
		   ims_dev_has_msg(d1, "stream 16 already in tree"),
	   "both log stream 16 already in tree");
	v3_read_ste(&b, 0x100, ste);
	is_hex(ste[0], 0x1, "the unwound SID 0x100 is left abort");
	ok(arm_smmu_sid_in_range(v3_smmu(&b), 0x100) && v3_smmu(&b)->nr_streams == 4,
	   "only a, 00:01.0, 00:01.1 and 00:02.0 own streams");

	dom = ims_iommu_get_domain_for_dev(ep0);
	is_int(ims_iommu_map(dom, 0x1000, 0x46000000, 0x1000, IMS_IOMMU_READ, 0), 0,
	       "map in 00:01.0's domain");
	ok(v3_xlate(&b, 0x8, 0x1000).pa == 0x46000000, "RID 0x8 translates through the model");
	ok(v3_xlate(&b, 0x9, 0x1000).pa == 0x46000000, "00:01.1 (same group, same domain) too");
	v3_down(&b);
}

static void test_map_mask(void)
{
	struct ims_device *e1, *e2, *e3;
	struct v3board b;

	v3_up(&b, masked, NULL);
	e1 = ims_devcore_find_device(b.dc, "0000:00:01.0");
	e2 = ims_devcore_find_device(b.dc, "0000:00:02.0");
	e3 = ims_devcore_find_device(b.dc, "0000:00:03.0");
	ok(e1 && e1->iommu && e1->dma_ops == IMS_DMA_OPS_IOMMU,
	   "iommu-map-mask = <0>: the first device gets SID 0");
	ok(e2 && e3 && !e2->iommu && !e3->iommu && e2->dma_ops == IMS_DMA_OPS_DIRECT &&
		   e3->dma_ops == IMS_DMA_OPS_DIRECT,
	   "every later device fails (dma-direct)");
	ok(e2 && e3 && ims_dev_has_msg(e2, "stream 0 already in tree") &&
		   ims_dev_has_msg(e3, "stream 0 already in tree"),
	   "each logs stream 0 already in tree");
	v3_down(&b);
}

/* Random platform SIDs with repeats: the first device with a SID owns it, the rest fail. */
static void test_random_sids(void)
{
	enum { N = 48 };
	uint32_t sids[N];
	char *dts = malloc(N * 160 + 1024);
	size_t len;
	struct v3board b;
	bool all = true;
	int owners = 0;
	uint64_t seed = tap_seed(0x5e11d);

	len = (size_t)sprintf(dts, "%s%s", V3_DTS_HEAD, V3_SMMU_NODE);
	for (int i = 0; i < N; i++) {
		sids[i] =
			(uint32_t)(tap_rand(&seed) % 40) * 0x101u; /* repeats, several L2 tables */
		len += (size_t)sprintf(dts + len,
				       " d%d@%x { compatible = \"test,dma\"; reg = <0x0 0x%x 0x0 "
				       "0x1000>; iommus = <&smmu 0x%x>; };\n",
				       i, 0xa000000 + 0x1000 * i, 0xa000000 + 0x1000 * i, sids[i]);
	}
	strcpy(dts + len, "};\n");
	v3_up(&b, dts, NULL);
	for (int i = 0; i < N; i++) {
		char name[64];
		struct ims_device *d;
		bool first = true;

		for (int j = 0; j < i; j++)
			if (sids[j] == sids[i])
				first = false;
		snprintf(name, sizeof(name), "%x.d%d", 0xa000000 + 0x1000 * i, i);
		d = ims_devcore_find_device(b.dc, name);
		if (!d || !!d->iommu != first ||
		    (!first && !ims_dev_has_msg(d, "already in tree"))) {
			all = false;
			diag("device %s sid 0x%x first %d", name, sids[i], first);
		}
		owners += first;
	}
	ok(all, "random SIDs: exactly the first device of each SID has the IOMMU");
	is_int(v3_smmu(&b)->nr_streams, owners, "the SID tree holds one stream per owner");
	v3_down(&b);
	free(dts);
}

int main(void)
{
	test_random_sids();
	test_bridge_and_dup();
	test_map_mask();
	return tap_done();
}
