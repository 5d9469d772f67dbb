/* SPDX-License-Identifier: MIT */
/*
 * ranges / dma-ranges: the kernel's OF unittest vectors (§10.1), of_dma_get_range()'s
 * walk, merging, untranslatable entries, DMA parents and coherency (§3).
 */
#include "of-test.h"

static struct captured_log logc;

static int get_range(struct ims_of_tree *t, const char *path, struct ims_bus_dma_region **map,
		     int *nr)
{
	return ims_of_dma_get_range(t, node(t, path), map, nr);
}

static void test_unittest(struct ims_of_tree *t)
{
	struct ims_bus_dma_region *map;
	int nr, dev;

	/* dma_ranges_one #1: the device's own node has none, the parent's is used. */
	dev = node(t, "/testcase-data/address-tests/device@70000000");
	is_int(ims_of_dma_get_range(t, dev, &map, &nr), 0, "#1: rc 0");
	is_hex(ims_of_dma_to_phys(map, 0x0), 0x20000000, "#1: dma_to_phys(0)");
	is_hex(ims_of_phys_to_dma(map, 0x20000000), 0x0, "#1: phys_to_dma(0x20000000)");
	free(map);

	/* #2: two cells, translated through address-tests's dma-ranges. */
	is_int(get_range(t, "/testcase-data/address-tests/bus@80000000/device@1000", &map, &nr), 0,
	       "#2: rc 0");
	is_int(nr, 1, "#2: one region");
	is_hex(map[0].dma_start, 0x100000000ULL, "#2: dma 0x1_0000_0000");
	is_hex(map[0].cpu_start, 0x20000000, "#2: cpu 0x20000000");
	is_hex(map[0].size, 0x2000000000ULL, "#2: size 0x20_0000_0000");
	is_hex(ims_of_dma_to_phys(map, 0x100000000ULL), 0x20000000, "#2: dma_to_phys");
	free(map);

	/* #3 and pci_dma_ranges: the node itself, two unmerged PCI ranges. */
	is_int(get_range(t, "/testcase-data/address-tests/pci@90000000", &map, &nr), 0, "#3: rc 0");
	is_int(nr, 2, "pci: 2 ranges, not merged");
	ok(map[0].dma_start == 0x80000000 && map[0].cpu_start == 0x20000000 &&
		   map[0].size == 0x10000000,
	   "pci range 0: pci 0x80000000 cpu 0x20000000 size 0x10000000");
	ok(map[1].dma_start == 0xc0000000 && map[1].cpu_start == 0x40000000 &&
		   map[1].size == 0x10000000,
	   "pci range 1: pci 0xc0000000 cpu 0x40000000 size 0x10000000");
	is_int(map[2].size, 0, "terminator");
	is_hex(ims_of_phys_to_dma(map, 0x20000000), 0x80000000, "#3: phys_to_dma");
	is_hex(ims_of_phys_to_dma(map, 0x30000000), ~0ULL, "gap: DMA_MAPPING_ERROR");
	is_hex(ims_of_dma_to_phys(map, 0xa0000000), ~0ULL, "gap: (phys_addr_t)-1");
	is_hex(ims_of_dma_range_map_max(map), 0xcfffffff, "dma_range_map_max");
	is_hex(ims_of_dma_range_map_min(map), 0x80000000, "dma_range_map_min");
	free(map);
}

static void test_reg(struct ims_of_tree *t)
{
	uint64_t a, s;

	is_int(ims_of_get_address(t, node(t, "/testcase-data/address-tests/device@70000000"), 0, &a,
				  &s),
	       0, "reg of device@70000000");
	is_hex(a, 0x70000000, "ranges: identity window");
	is_int(ims_of_get_address(t,
				  node(t, "/testcase-data/address-tests/bus@80000000/device@1000"),
				  0, &a, &s),
	       0, "reg through two levels");
	is_hex(a, 0x80001000, "bus@80000000 child 0x1000 -> 0x80001000");
	is_hex(s, 0x1000, "size");
	is_int(ims_of_get_address(t, node(t, "/testcase-data/address-tests/pci@90000000"), 0, &a,
				  &s),
	       0, "PCI host's own reg");
	is_hex(a, 0x90000000, "pci host reg");
	is_int(ims_of_get_address(t, node(t, "/pcie-host/dev@0"), 0, &a, &s), 0,
	       "PCI child memory BAR");
	is_hex(a, 0x40001000, "phys.hi mem space translates");
	is_int(ims_of_get_address(t, node(t, "/pcie-host/cfg@1"), 0, &a, &s), -EINVAL,
	       "PCI config space: type mismatch, untranslatable");
	is_int(ims_of_get_address(t, node(t, "/norange/dev@100"), 0, &a, &s), -EINVAL,
	       "no ranges on the parent: untranslatable");
	ok(strstr(ims_last_error(), "/norange/dev@100") != NULL, "message names the node");
	is_int(ims_of_get_address(t, node(t, "/norange/dev@100"), 1, &a, &s), -EINVAL,
	       "no second reg entry");
}

static void test_walk(struct ims_of_tree *t)
{
	struct ims_bus_dma_region *map = NULL;
	int nr;

	/* leaf-bus: empty dma-ranges, then mid is missing one: -ENODEV. */
	is_int(get_range(t, "/extra/mid/leaf-bus", &map, &nr), -ENODEV,
	       "missing dma-ranges after the first level: -ENODEV");
	ok(map == NULL, "no map on error");
	/* mid is the first node: its missing dma-ranges is allowed. */
	is_int(get_range(t, "/extra/mid", &map, &nr), 0, "one missing level at the start");
	ok(nr == 1 && map[0].cpu_start == 0x40000000 && map[0].dma_start == 0,
	   "uses /extra's dma-ranges");
	free(map);
	is_int(get_range(t, "/extra/e1/e2", &map, &nr), 0, "chain of empty dma-ranges");
	ok(nr == 1 && map[0].cpu_start == 0x40000000, "reaches /extra");
	free(map);
	is_int(get_range(t, "/extra/e1/e2/dev", &map, &nr), 0,
	       "first node without dma-ranges, then empties");
	free(map);
	is_int(get_range(t, "/norange/dev@100", &map, &nr), -ENODEV,
	       "no dma-ranges up to the root: -ENODEV");

	is_int(get_range(t, "/merge", &map, &nr), 0, "merge");
	is_int(nr, 2, "contiguous entries merged: 3 entries -> 2 regions");
	ok(map[0].dma_start == 0 && map[0].cpu_start == 0x80000000 && map[0].size == 0x2000,
	   "merged region");
	ok(map[1].dma_start == 0x3000 && map[1].cpu_start == 0x90000000 && map[1].size == 0x1000,
	   "separate region");
	free(map);

	capture_reset(&logc);
	is_int(get_range(t, "/outer/inner", &map, &nr), 0, "one untranslatable entry skipped");
	ok(nr == 1 && map[0].dma_start == 0x1000 && map[0].cpu_start == 0x1000,
	   "the translatable entry remains");
	ok(strstr(logc.text, "<3>translation of DMA address(0) to CPU address failed "
			     "node(/outer/inner)") != NULL,
	   "pr_err for the untranslatable entry");
	free(map);
	is_int(get_range(t, "/outer/allbad", &map, &nr), -EINVAL, "all entries bad: -EINVAL");

	/* interconnects "dma-mem" picks the DMA parent. */
	is_int(ims_of_get_dma_parent(t, node(t, "/devbus/icdev")), node(t, "/interconnect"),
	       "dma-mem interconnect is the DMA parent");
	is_int(ims_of_get_dma_parent(t, node(t, "/devbus/plain")), node(t, "/devbus"),
	       "otherwise the parent");
	is_int(ims_of_get_dma_parent(t, 0), IMS_OF_NONE, "root has none");
	is_int(get_range(t, "/interconnect", &map, &nr), 0, "range via interconnect");
	ok(nr == 1 && map[0].cpu_start == 0x60000000, "interconnect's dma-ranges");
	free(map);
	is_int(get_range(t, "/cyc-a", &map, &nr), -ELOOP, "DMA-parent cycle: -ELOOP, no hang");

	/* Coherency. */
	ok(ims_of_dma_is_coherent(t, node(t, "/devbus/icdev")),
	   "coherent via the interconnect DMA parent");
	ok(!ims_of_dma_is_coherent(t, node(t, "/devbus/plain")), "dma-noncoherent inherited");
	ok(ims_of_dma_is_coherent(t, node(t, "/devbus/both")), "dma-coherent wins on one node");
	ok(!ims_of_dma_is_coherent(t, node(t, "/merge/dev")), "default false on arm64");
	ok(!ims_of_dma_is_coherent(t, node(t, "/cyc-a")), "cycle: bounded, default");
}

static void test_dma_translate(struct ims_of_tree *t)
{
	uint32_t a = 0x00100000u; /* big-endian cell built below */
	uint8_t be[4] = { 0x00, 0x10, 0x00, 0x00 };

	memcpy(&a, be, 4);
	is_hex(ims_of_translate_dma_address(
		       t, node(t, "/testcase-data/address-tests/device@70000000"), &a),
	       0x20100000, "of_translate_dma_address through address-tests");
	is_hex(ims_of_translate_address(t, node(t, "/testcase-data/address-tests/device@70000000"),
					&a),
	       0xd0100000, "of_translate_address uses ranges, not dma-ranges");
}

int main(void)
{
	struct ims_of_tree *t = load_fixture("address-tests.dtb", &logc);

	test_unittest(t);
	/* §10.1 dma_get_max_cpu_address: the minimum over the subtree. */
	is_hex(ims_of_dma_get_max_cpu_address(t, node(t, "/testcase-data/address-tests")),
	       0x4fffffffULL, "of_dma_get_max_cpu_address(address-tests)");
	is_hex(ims_of_dma_get_max_cpu_address(
		       t, node(t, "/testcase-data/address-tests/device@70000000")),
	       UINT64_MAX, "a subtree without dma-ranges: PHYS_ADDR_MAX");
	is_hex(ims_of_dma_get_max_cpu_address(t,
					      node(t, "/testcase-data/address-tests/pci@90000000")),
	       0x4fffffffULL, "the PCI node's two ranges: the higher CPU end");
	test_reg(t);
	test_walk(t);
	test_dma_translate(t);
	ims_of_tree_free(t);
	return tap_done();
}
