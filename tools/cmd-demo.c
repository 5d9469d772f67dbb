/* SPDX-License-Identifier: MIT */
/*
 * iommusim demo: a guided tour of the example Armada-8040-style board: the
 * MMU-500, the CP110 PCIe root complex, StreamIDs derived step by step
 * through iommu-map + iommu-map-mask, and the DMA view of platform devices.
 * Everything printed is computed by the library; see docs/demo.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iommusim/of.h>

#include "cli-board.h"
#include "util/compiler.h"

#ifndef IMS_BOARDS_DIR
#define IMS_BOARDS_DIR "examples/boards"
#endif

#define SMMU_PATH "/ap806/config-space@f0000000/iommu@100000"
#define PCIE_PATH "/cp0/pcie@f2600000"

static const char *path_of(const struct ims_of_tree *t, int n, char *buf, size_t len)
{
	return ims_of_node_path(t, n, buf, len);
}

static void print_strings(const struct ims_of_tree *t, int n, const char *prop)
{
	int len;
	const char *s = ims_of_get_property(t, n, prop, &len);

	for (int i = 0; s && i < len; i += (int)strnlen(s + i, (size_t)(len - i)) + 1)
		printf("%s\"%s\"", i ? ", " : "", s + i);
	printf("\n");
}

static void show_smmu(const struct ims_of_tree *t, int smmu)
{
	uint64_t addr, size;
	uint32_t cells = 0;
	char p[256];

	printf("1. The IOMMU: an MMU-500 (SMMUv2 architecture)\n");
	printf("   node          %s\n", path_of(t, smmu, p, sizeof(p)));
	printf("   compatible    ");
	print_strings(t, smmu, "compatible");
	if (!ims_of_get_address(t, smmu, 0, &addr, &size))
		printf("   reg           0x%llx, size 0x%llx (CPU address via the config-space "
		       "ranges)\n",
		       (unsigned long long)addr, (unsigned long long)size);
	ims_of_property_read_u32(t, smmu, "#iommu-cells", &cells);
	printf("   #iommu-cells  %u (one cell: the StreamID)\n", cells);
	printf("   coherent      %s\n\n", ims_of_dma_is_coherent(t, smmu) ? "yes" : "no");
}

static void show_pcie(const struct ims_of_tree *t, int pcie)
{
	const uint8_t *m;
	uint32_t mask = 0xffffffff;
	uint64_t addr, size;
	int len;
	char p[256];

	printf("2. The CP110 PCIe root complex\n");
	printf("   node          %s\n", path_of(t, pcie, p, sizeof(p)));
	printf("   compatible    ");
	print_strings(t, pcie, "compatible");
	if (!ims_of_get_address(t, pcie, 0, &addr, &size))
		printf("   reg[0]        0x%llx, size 0x%llx\n", (unsigned long long)addr,
		       (unsigned long long)size);
	ims_of_property_read_u32(t, pcie, "iommu-map-mask", &mask);
	printf("   iommu-map-mask 0x%04x: keeps bus bits 0x%02x and devfn bits 0x%02x of the RID\n",
	       mask, (mask >> 8) & 0xff, mask & 0xff);
	m = ims_of_get_property(t, pcie, "iommu-map", &len);
	for (int i = 0; m && i + 16 <= len; i += 16) {
		uint32_t base = (uint32_t)m[i] << 24 | (uint32_t)m[i + 1] << 16 |
				(uint32_t)m[i + 2] << 8 | m[i + 3];
		uint32_t ph = (uint32_t)m[i + 4] << 24 | (uint32_t)m[i + 5] << 16 |
			      (uint32_t)m[i + 6] << 8 | m[i + 7];
		uint32_t out = (uint32_t)m[i + 8] << 24 | (uint32_t)m[i + 9] << 16 |
			       (uint32_t)m[i + 10] << 8 | m[i + 11];
		uint32_t n = (uint32_t)m[i + 12] << 24 | (uint32_t)m[i + 13] << 16 |
			     (uint32_t)m[i + 14] << 8 | m[i + 15];

		printf("   iommu-map[%d]  id-base 0x%03x len 0x%02x -> %s out-base 0x%03x\n",
		       i / 16, base, n, ims_of_node_name(t, ims_of_find_node_by_phandle(t, ph)),
		       out);
	}
	printf("\n");
}

static void show_rids(const struct ims_of_tree *t, int pcie)
{
	static const uint32_t rids[] = { 0x0000, 0x0008, 0x0108, 0x0208, 0x0300, 0x1100 };

	printf("3. StreamIDs: of_map_id(pcie, RID, \"iommu-map\", \"iommu-map-mask\")\n");
	for (size_t i = 0; i < ARRAY_SIZE(rids); i++) {
		struct ims_of_map_record rec;
		int target = IMS_OF_NONE, ret;
		uint32_t rid = rids[i], sid = 0;

		ret = ims_of_map_id(t, pcie, rid, "iommu-map", "iommu-map-mask", &target, &sid,
				    &rec);
		printf("   RID 0x%04x (%02x:%02x.%u)  0x%04x & mask 0x%04x = 0x%04x\n", rid,
		       rid >> 8, (rid >> 3) & 0x1f, rid & 7, rid, rec.mask, rec.masked_id);
		if (ret) {
			printf("      error %s\n", ims_errname(ret));
		} else if (rec.matched) {
			printf("      entry %d [0x%03x, 0x%03x): 0x%04x - 0x%03x + 0x%03x = SID "
			       "0x%x on "
			       "%s\n",
			       rec.index, rec.id_base, rec.id_base + rec.len, rec.masked_id,
			       rec.id_base, rec.out_base, sid, ims_of_node_name(t, target));
		} else {
			printf("      no entry covers 0x%04x: of_map_id returns 0 with the "
			       "unmasked "
			       "id 0x%x\n"
			       "      and no target, so of_iommu_configure gives -ENODEV: the "
			       "device has no IOMMU\n",
			       rec.masked_id, sid);
		}
	}
	{
		int target = IMS_OF_NONE;
		uint32_t devid = 0;

		ims_of_map_id(t, pcie, 0x0108, "msi-map", "msi-map-mask", &target, &devid, NULL);
		printf("   MSI: msi-map sends RID 0x0108 to %s as DeviceID 0x%x\n\n",
		       ims_of_node_name(t, target), devid);
	}
}

static void show_platform(const struct ims_of_tree *t, const char *path)
{
	struct ims_of_phandle_args specs[4];
	struct ims_of_dma_config cfg;
	int n = ims_of_find_node_by_path(t, path), nr, ret;

	if (n == IMS_OF_NONE)
		return;
	printf("   %s\n", path);
	ret = ims_of_iommu_configure_dev(t, n, specs, 4, &nr);
	if (!ims_of_device_is_available(t, n)) {
		printf("      status \"disabled\": not populated, never configured\n");
		return;
	}
	if (ret)
		printf("      iommus: no IOMMU (%s)\n", ims_errname(ret));
	for (int i = 0; !ret && i < nr; i++)
		printf("      iommus[%d]: %s StreamID 0x%x\n", i, ims_of_node_name(t, specs[i].np),
		       specs[i].args_count ? specs[i].args[0] : 0);
	if (!ims_of_dma_configure(t, n, true, DMA_BIT_MASK(32), &cfg)) {
		printf("      dma: %s, mask 0x%llx, bus_dma_limit 0x%llx, %s\n",
		       cfg.nr_map ? "dma-ranges map" : "no dma-ranges (1:1)",
		       (unsigned long long)cfg.dma_mask, (unsigned long long)cfg.bus_dma_limit,
		       cfg.coherent ? "coherent" : "non-coherent");
		ims_of_dma_config_release(&cfg);
	}
}

static int run(const struct cli_args *a)
{
	const char *board = cli_value(a, "board");
	const char *dir = getenv("IMS_BOARDS_DIR");
	struct ims_of_tree *t;
	char path[1024];
	int smmu, pcie, rc;

	if (!board) {
		snprintf(path, sizeof(path), "%s/armada-8040.dts",
			 dir && *dir ? dir : IMS_BOARDS_DIR);
		board = path;
	}
	rc = cli_load_board(a, board, cli_flag(a, "log"), &t);
	if (rc)
		return rc;
	smmu = ims_of_find_node_by_path(t, SMMU_PATH);
	pcie = ims_of_find_node_by_path(t, PCIE_PATH);
	if (smmu == IMS_OF_NONE || pcie == IMS_OF_NONE) {
		fprintf(stderr, "iommusim demo: %s is not the Armada-8040-style example board\n",
			board);
		ims_of_tree_free(t);
		return CLI_EXIT_USAGE;
	}
	printf("iommusim demo: Armada-8040-style board (armada-8040.dts), Linux 6.12 rules\n\n");
	show_smmu(t, smmu);
	show_pcie(t, pcie);
	show_rids(t, pcie);
	printf("4. Platform devices: iommus and of_dma_configure (default mask 32 bits)\n");
	show_platform(t, "/ap806/config-space@f0000000/xor@400000");
	show_platform(t, "/ap806/config-space@f0000000/dma@700000");
	show_platform(t, "/cp0/config-space@f2000000/usb3@500000");
	show_platform(t, "/cp0/config-space@f2000000/ethernet@0");
	ims_of_tree_free(t);
	return CLI_EXIT_OK;
}

static const struct cli_opt opts[] = {
	{ "board", CLI_VALUE, "FILE", "use another copy of the Armada-8040-style board" },
	{ "log", CLI_FLAG, NULL, "print the kernel's messages to stderr" },
	CLI_OVERLAY_OPT,
	{ NULL, 0, NULL, NULL },
};

const struct cli_cmd cmd_demo = {
	.name = "demo",
	.summary = "a guided tour of the example Armada-8040-style board",
	.usage = "",
	.opts = opts,
	.min_pos = 0,
	.max_pos = 0,
	.run = run,
};
