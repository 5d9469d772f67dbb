// SPDX-License-Identifier: MIT
/* SMMU models: one per available node, mapped at the translated reg, iommusim,* parameters. */
#include "machine-test.h"

#define BOARD_HEAD                                                                                 \
	"/dts-v1/;\n/ { #address-cells = <2>; #size-cells = <2>; interrupt-parent = <&gic>;\n"     \
	"  memory@40000000 { device_type = \"memory\"; reg = <0 0x40000000 0 0x1000000>; };\n"     \
	"  gic: intc@8000000 { compatible = \"arm,gic-v3\"; #interrupt-cells = <3>;\n"             \
	"    interrupt-controller; reg = <0 0x8000000 0 0x10000>; };\n"                            \
	"  bus { compatible = \"simple-bus\"; #address-cells = <1>; #size-cells = <1>;\n"          \
	"    ranges = <0 0 0x20000000 0x1000000>;\n"

static const char board[] = BOARD_HEAD
	"    iommu@100000 { compatible = \"arm,smmu-v3\"; reg = <0x100000 0x20000>;\n"
	"      #iommu-cells = <1>; iommusim,sid-bits = <12>; iommusim,stages = <3>;\n"
	"      iommusim,msi; iommusim,oas = <48>; iommusim,ril = <0>; iommusim,ssid-bits = <5>; "
	"};\n"
	"    iommu@400000 { compatible = \"vendor,foo-smmu-500\"; reg = <0x400000 0x100000>;\n"
	"      #iommu-cells = <1>; iommusim,num-smr = <8>; iommusim,num-cb = <4>;\n"
	"      iommusim,sid-bits = <10>; iommusim,oas = <40>; iommusim,stages = <2>; };\n"
	"    iommu@600000 { compatible = \"arm,smmu-v3\"; reg = <0x600000 0x20000>;\n"
	"      status = \"disabled\"; };\n"
	"  };\n};\n";

static uint32_t rd32(struct ims_machine *m, uint64_t pa)
{
	uint64_t v = 0xdeadbeef;

	if (ims_mmio_read(ims_machine_mem(m), pa, 4, &v))
		return 0xffffffff;
	return (uint32_t)v;
}

static void test_params(void)
{
	const struct ims_of_tree *t;
	struct ims_machine_smmu *s;
	struct ims_machine *m;
	uint64_t v;
	int ret;

	m = boot_dts(board, NULL, &ret);
	is_int(ret, 0, "boot");
	t = ims_machine_tree(m);
	is_int(ims_machine_nr_smmus(m), 2, "two SMMUs modelled; the disabled one is not");
	s = ims_machine_smmu_by_node(m, ims_of_find_node_by_path(t, "/bus/iommu@100000"));
	ok(s && s->kind == IMS_MACHINE_SMMUV3 && s->v3, "arm,smmu-v3 -> the SMMUv3 model");
	is_hex(s ? s->base : 0, 0x20100000, "mapped at the reg translated through the bus ranges");
	is_int(rd32(m, 0x20100004) & 0x3f, 12, "IDR1.SIDSIZE = iommusim,sid-bits");
	is_int((rd32(m, 0x20100004) >> 6) & 0x1f, 5, "IDR1.SSIDSIZE = iommusim,ssid-bits");
	is_int(rd32(m, 0x20100000) & 3, 3, "IDR0.S1P|S2P = iommusim,stages = <3>");
	ok(rd32(m, 0x20100000) & (1u << 13), "IDR0.MSI from the empty iommusim,msi");
	ok(!(rd32(m, 0x2010000c) & (1u << 10)), "IDR3.RIL cleared by iommusim,ril = <0>");
	is_int(rd32(m, 0x20100014) & 7, 5, "IDR5.OAS = 48 bits");

	s = ims_machine_smmu_by_node(m, ims_of_find_node_by_path(t, "/bus/iommu@400000"));
	ok(s && s->kind == IMS_MACHINE_SMMUV2 && s->v2, "a vendor *-smmu-500 -> the MMU-500 model");
	is_str(s ? s->compatible : "", "vendor,foo-smmu-500", "matched by that compatible");
	is_hex(s ? s->base : 0, 0x20400000, "MMU-500 at its translated reg");
	is_int(rd32(m, 0x20400020) & 0xff, 8, "sIDR0.NUMSMRG = iommusim,num-smr");
	is_int((rd32(m, 0x20400020) >> 9) & 0xf, 10, "sIDR0.NUMSIDB = iommusim,sid-bits");
	is_int((rd32(m, 0x20400020) >> 29) & 3, 1, "sIDR0: S2TS only for iommusim,stages = <2>");
	is_int(rd32(m, 0x20400024) & 0xff, 4, "sIDR1.NUMCB = iommusim,num-cb");
	is_int((rd32(m, 0x20400024) >> 16) & 0xff, 4, "sIDR1.NUMS2CB: every bank stage 2 only");
	is_int((rd32(m, 0x20400028) >> 4) & 0xf, 2, "sIDR2.OAS = 40 bits");
	ok(!ims_machine_smmu_by_node(m, ims_of_find_node_by_path(t, "/bus/iommu@600000")),
	   "no model for the disabled node");
	is_int(ims_mmio_read(ims_machine_mem(m), 0x20600000, 4, &v), -EFAULT,
	       "nothing is mapped at the disabled node's reg");
	ims_machine_free(m);
}

static void test_defaults(void)
{
	struct ims_machine_opts o;
	struct ims_machine *m = NULL;
	int ret;

	ims_machine_opts_init(&o);
	o.no_smmu_drivers = true;
	ret = ims_machine_new(&m, &o);
	if (!ret)
		ret = ims_machine_load_board(m, BOARDS_DIR "/qemu-virt-smmuv3.dts", NULL, 0);
	if (!ret)
		ret = ims_machine_boot(m);
	is_int(ret, 0, "qemu-virt example boots");
	is_hex(rd32(m, 0x9050000), 0x0d40101a, "arm,smmu-v3 default: QEMU 7.2 virt IDR0");
	is_hex(rd32(m, 0x9050004), 0x02730010, "QEMU 7.2 virt IDR1");
	is_hex(rd32(m, 0x9050014), 0x74, "QEMU 7.2 virt IDR5");
	ims_machine_free(m);

	m = NULL;
	ret = ims_machine_new(&m, &o);
	if (!ret)
		ret = ims_machine_load_board(m, BOARDS_DIR "/armada-8040.dts", NULL, 0);
	if (!ret)
		ret = ims_machine_boot(m);
	is_int(ret, 0, "armada-8040 example boots");
	is_int(ims_machine_nr_smmus(m), 1, "one MMU-500");
	is_int(rd32(m, 0xf0100020) & 0xff, 48, "MMU-500 preset: 48 SMRs");
	is_int(rd32(m, 0xf0100024) & 0xff, 16, "MMU-500 preset: 16 context banks");
	ims_machine_free(m);
}

/*
 * An SMMU whose reg is smaller than the MMU-500 preset's 128 KiB register
 * space (the MMU-401s of Arm's Juno: 64 KiB) gets as many context banks as
 * the space holds, unless iommusim,num-cb says otherwise.
 */
static const char small_board[] =
	BOARD_HEAD "    iommu@410000 { compatible = \"arm,mmu-401\", \"arm,smmu-v1\"; reg = "
		   "<0x410000 0x10000>;\n"
		   "      #iommu-cells = <1>; #global-interrupts = <1>; };\n"
		   "    iommu@500000 { compatible = \"arm,mmu-401\"; reg = <0x500000 0x10000>;\n"
		   "      #iommu-cells = <1>; #global-interrupts = <1>; iommusim,num-cb = <2>; };\n"
		   "    iommu@600000 { compatible = \"arm,mmu-500\"; reg = <0x600000 0x20000>;\n"
		   "      #iommu-cells = <1>; #global-interrupts = <1>; };\n"
		   "  };\n};\n";

static void test_small_register_space(void)
{
	struct ims_machine *m;
	int ret;

	m = boot_dts(small_board, NULL, &ret);
	is_int(ret, 0, "a board with 64 KiB MMU-401s boots (Juno)");
	is_int(ims_machine_nr_smmus(m), 3, "all three SMMUs modelled");
	is_int(rd32(m, 0x20410024) & 0xff, 8, "64 KiB of 4K register pages: 8 context banks");
	is_int(rd32(m, 0x20500024) & 0xff, 2, "iommusim,num-cb still decides when given");
	is_int(rd32(m, 0x20600024) & 0xff, 16, "a 128 KiB MMU-500 keeps the preset's 16 banks");
	ok(ims_machine_klog_find(m, "8 context banks fit its 0x10000-byte register space") >= 0,
	   "the fit is logged");
	ims_machine_free(m);
}

struct bad_case {
	const char *props; /* on the SMMU node */
	bool v2;
	const char *prop; /* named in the message */
	const char *what; /* also in the message */
};

static const struct bad_case bad_cases[] = {
	{ "iommusim,sid-bits = <33>;", false, "iommusim,sid-bits", "out of range" },
	{ "iommusim,ssid-bits = <21>;", false, "iommusim,ssid-bits", "out of range" },
	{ "iommusim,oas = <50>;", false, "iommusim,oas", "bits expected" },
	{ "iommusim,stages = <0>;", false, "iommusim,stages", "out of range" },
	{ "iommusim,msi = <2>;", false, "iommusim,msi", "<0> or <1>" },
	{ "iommusim,2lvl-strtab = <1 1>;", false, "iommusim,2lvl-strtab", "bytes" },
	{ "iommusim,sid-bits = [01];", false, "iommusim,sid-bits", "one cell" },
	{ "iommusim,num-smr = <4>;", false, "iommusim,num-smr", "does not apply" },
	{ "iommusim,sid-bit = <4>;", false, "iommusim,sid-bit", "unknown" },
	{ "iommusim,num-cb = <200>;", true, "iommusim,num-cb", "out of range" },
	{ "iommusim,num-smr = <0>;", true, "iommusim,num-smr", "out of range" },
	{ "iommusim,sid-bits = <16>;", true, "iommusim,sid-bits", "out of range" },
	{ "iommusim,oas = <52>;", true, "iommusim,oas", "bits expected" },
	{ "iommusim,granules = <8192>;", true, "iommusim,granules", "4096" },
	{ "iommusim,num-cb = <2>; iommusim,num-s2cb = <3>;", true, "iommusim,num-s2cb",
	  "out of range" },
	{ "iommusim,ssid-bits = <4>;", true, "iommusim,ssid-bits", "does not apply" },
};

static void test_bad_values(void)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		char dts[2048];
		struct ims_machine *m;
		int ret;

		snprintf(dts, sizeof(dts),
			 BOARD_HEAD "    iommu@100000 { compatible = \"%s\"; reg = <0x100000 "
				    "0x20000>; %s };\n  };\n};\n",
			 c->v2 ? "arm,mmu-500" : "arm,smmu-v3", c->props);
		m = boot_dts(dts, NULL, &ret);
		is_int(ret, -EINVAL, "%s on %s is refused", c->props, c->v2 ? "MMU-500" : "SMMUv3");
		ok(strstr(ims_last_error(), "/bus/iommu@100000") &&
			   strstr(ims_last_error(), c->prop) && strstr(ims_last_error(), c->what),
		   "the message names node and property: %s", ims_last_error());
		ims_machine_free(m);
	}
}

static void test_compatible(void)
{
	struct ims_machine *m = NULL;
	enum ims_machine_smmu_kind k = IMS_MACHINE_SMMUV3;
	const struct ims_of_tree *t;
	int ret;

	m = boot_dts("/dts-v1/;\n/ {\n"
		     "  a { compatible = \"foo,bar\", \"arm,mmu-401\"; };\n"
		     "  b { compatible = \"qcom,sdm845-smmu-500\", \"qcom,smmu-500\"; };\n"
		     "  c { compatible = \"arm,smmu-v4\"; };\n"
		     "  d { compatible = \"ARM,SMMU-V3\"; };\n};\n",
		     NULL, &ret);
	t = ims_machine_tree(m);
	ok(ims_machine_smmu_compatible(t, ims_of_find_node_by_path(t, "/a"), &k) &&
		   k == IMS_MACHINE_SMMUV2,
	   "arm,mmu-401 is an arm-smmu");
	is_str(ims_machine_smmu_compatible(t, ims_of_find_node_by_path(t, "/b"), &k),
	       "qcom,sdm845-smmu-500", "a vendor -smmu-500, the first string that matches");
	ok(!ims_machine_smmu_compatible(t, ims_of_find_node_by_path(t, "/c"), &k),
	   "arm,smmu-v4 is no SMMU we know");
	ok(ims_machine_smmu_compatible(t, ims_of_find_node_by_path(t, "/d"), &k) &&
		   k == IMS_MACHINE_SMMUV3,
	   "compatible strings compare case-insensitively, as of_compat_cmp()");
	ims_machine_free(m);
}

int main(void)
{
	test_params();
	test_defaults();
	test_small_register_space();
	test_bad_values();
	test_compatible();
	return tap_done();
}
