/* SPDX-License-Identifier: MIT */
/*
 * iommusim demo: the story, end to end, on the example Armada-8040-style
 * board with its PCIe topology: 1. the MMU-500 and the CP110 PCIe root
 * complex come up from the device tree and a PCIe device is probed; 2. its
 * StreamID is derived step by step through iommu-map and iommu-map-mask;
 * 3. its group and default domain are formed and the IOMMU DMA ops
 * installed; 4. dma_alloc_coherent + dma_mmap_coherent, the device writes and
 * the process reads, and the other way round; 5. an access to an unmapped
 * IOVA faults and arm-smmu reports the context fault.  Everything printed is
 * computed by the library; see docs/demo.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iommusim/dma.h>
#include <iommusim/explain.h>
#include <iommusim/machine.h>
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

	printf("   The IOMMU: an MMU-500 (SMMUv2 architecture)\n");
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

	printf("   The CP110 PCIe root complex\n");
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

	printf("   of_map_id(pcie, RID, \"iommu-map\", \"iommu-map-mask\") for a few RIDs:\n");
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

#define DEMO_DEV "0000:05:01.0"

static const struct ims_explain_device *find_entry(const struct ims_explain_report *r,
						   const char *name)
{
	for (int i = 0; i < r->nr_devices; i++)
		if (!strcmp(r->devices[i].name, name))
			return &r->devices[i];
	return NULL;
}
#define DEMO_IOVA_UNMAPPED 0x10000000ULL

/* Print the kernel-log lines from @from on that contain @needle and none of @skip. */
static void show_klog(struct ims_machine *m, int from, const char *needle, const char *const *skip)
{
	for (int i = from; i < ims_machine_klog_nr(m); i++) {
		const char *text = ims_machine_klog(m, i)->text;
		bool skipped = false;

		if (needle && !strstr(text, needle))
			continue;
		for (int j = 0; skip && skip[j]; j++)
			skipped |= strstr(text, skip[j]) != NULL;
		if (!skipped)
			printf("     | %s\n", text);
	}
}

/* "de ad be ef  |....|" */
static void show_bytes(const char *who, const uint8_t *b, size_t n)
{
	printf("   %-36s", who);
	for (size_t i = 0; i < n; i++)
		printf("%02x%s", b[i], i + 1 < n ? " " : "");
	printf("  \"");
	for (size_t i = 0; i < n; i++)
		putchar(b[i] >= 0x20 && b[i] < 0x7f ? b[i] : '.');
	printf("\"\n");
}

static void show_boot(struct ims_machine *m, const struct ims_explain_report *r,
		      const struct ims_explain_device *e)
{
	static const char *const smmu_skip[] = { "dma coherent", "IOMMU failed", "not behind",
						 NULL };
	int n = 0;

	printf("   Boot (memory, the SMMU model at its reg, drivers, of_platform_populate):\n");
	show_klog(m, 0, "arm-smmu f0100000.iommu", smmu_skip);
	show_klog(m, 0, "PCI host bridge to bus", NULL);
	printf("   PCI enumeration found:");
	for (int i = 0; i < r->nr_devices; i++) {
		if (r->devices[i].bus != IMS_BUS_PCI)
			continue;
		printf("%s%s%s", n % 6 ? " " : "\n     ", r->devices[i].name,
		       r->devices[i].is_pci_bridge ? "(bridge)" : "");
		n++;
	}
	printf("\n\n   The device of this tour: %s (%s)\n", e->name, e->node);
	printf("   behind %s; driver %s binds it, and really_probe runs dma_configure:\n",
	       e->parent, e->driver ? e->driver : "(none)");
	for (int i = 0; i < e->nr_messages; i++)
		if (strstr(e->messages[i], DEMO_DEV))
			printf("     | %s\n", e->messages[i]);
	printf("\n");
}

static void show_sid(const struct ims_of_tree *t, int pcie, const struct ims_explain_device *e,
		     const struct ims_machine_dma_path *wire)
{
	printf("   %s: pci_for_each_dma_alias gives %d requester ID(s); of_iommu_configure\n"
	       "   maps each one:\n",
	       e->name, e->nr_aliases);
	for (int i = 0; i < e->nr_aliases; i++) {
		struct ims_of_map_record rec;
		uint32_t rid = (uint32_t)e->aliases[i], sid = 0;
		int target = IMS_OF_NONE;

		if (ims_of_map_id(t, pcie, rid, "iommu-map", "iommu-map-mask", &target, &sid,
				  &rec) ||
		    !rec.matched) {
			printf("   RID 0x%04x: no iommu-map entry\n", rid);
			continue;
		}
		printf("   RID 0x%04x (%02x:%02x.%u%s)  0x%04x & 0x%04x = 0x%04x; entry %d: "
		       "0x%04x - 0x%03x + 0x%03x = SID 0x%x\n",
		       rid, rid >> 8, (rid >> 3) & 0x1f, rid & 7,
		       i ? ", a bridge's alias" : ", its own", rid, rec.mask, rec.masked_id,
		       rec.index, rec.masked_id, rec.id_base, rec.out_base, sid);
	}
	printf("   fwspec: %s, IDs", e->iommu ? e->iommu : "(none)");
	for (int i = 0; i < e->nr_ids; i++)
		printf(" 0x%x", e->ids[i]);
	printf("\n");
	if (e->nr_aliases > 1)
		printf("   On the wire its transactions carry RID 0x%04x, the last alias: the\n"
		       "   bridge %s takes ownership of them.\n",
		       wire->rid, e->parent);
	printf("   The SMMU sees StreamID 0x%x.\n\n", wire->sid);
}

static void show_group(const struct ims_explain_report *r, const struct ims_explain_device *e)
{
	int n = 0;

	printf("3. Its IOMMU group and default domain; the IOMMU DMA ops\n");
	printf("   iommu group %d; the other members:", e->group);
	for (int i = 0; i < r->nr_devices; i++)
		if (r->devices[i].group == e->group && strcmp(r->devices[i].name, e->name))
			printf("%s%s", n++ % 6 ? " " : "\n     ", r->devices[i].name);
	printf("\n   The mask folds RIDs onto shared StreamIDs (01:00.0 and the alias 0x0500 both\n"
	       "   give 0x4a0), and arm-smmu's device_group() returns the group already held\n"
	       "   by a shared stream-map entry: one group, one default domain for them all.\n");
	for (int i = 0; i < e->nr_decisions; i++) {
		const char *s = e->decisions[i].step;

		if (!strcmp(s, "pci_device_group") || !strcmp(s, "generic_device_group") ||
		    !strcmp(s, "iommu_setup_default_domain") || strstr(s, "attach") ||
		    !strcmp(s, "iommu_setup_dma_ops"))
			printf("   %s: %s\n", s, e->decisions[i].text);
	}
	printf("   default domain %s; DMA ops %s: the DMA API now goes through dma-iommu\n\n",
	       e->domain ? e->domain : "(none)",
	       e->dma_ops == IMS_DMA_OPS_IOMMU ? "iommu" : "direct");
}

static int show_dma(struct ims_machine *m, struct ims_device *dev)
{
	static const char msg_dev[] = "written by the device";
	static const char msg_cpu[] = "and by the process";
	struct ims_vm_area vma = { 0, 8192, NULL };
	struct ims_machine_dma_result res;
	uint8_t got[sizeof(msg_cpu) - 1];
	uint64_t dma;
	uint8_t *map;
	void *cpu;
	int ret;

	printf("4. dma_alloc_coherent and dma_mmap_coherent\n");
	cpu = ims_dma_alloc_coherent(dev, 8192, &dma, IMS_GFP_KERNEL);
	if (!cpu) {
		fprintf(stderr, "iommusim demo: dma_alloc_coherent failed\n");
		return -ENOMEM;
	}
	printf("   dma_alloc_coherent(%s, 8 KiB) = IOVA 0x%llx (two pages allocated one\n"
	       "   by one and mapped contiguously in the domain's IOVA space)\n",
	       DEMO_DEV, (unsigned long long)dma);
	ret = ims_dma_mmap_coherent(dev, &vma, cpu, dma, 8192);
	if (ret) {
		fprintf(stderr, "iommusim demo: dma_mmap_coherent: %s\n", ims_errname(ret));
		ims_dma_free_coherent(dev, 8192, cpu, dma);
		return ret;
	}
	map = vma.addr;
	printf("   dma_mmap_coherent: the same 2 pages mapped into this process\n");
	ret = ims_machine_device_dma(m, dev, dma, (void *)(uintptr_t)msg_dev, sizeof(msg_dev) - 1,
				     true, &res);
	printf("   the device writes at IOVA 0x%llx: SID 0x%x, translated to PA 0x%llx (%s)\n",
	       (unsigned long long)dma, res.path.sid, (unsigned long long)res.txn.pa,
	       ret ? ims_errname(ret) : "ok");
	show_bytes("the process reads through mmap:", map, sizeof(msg_dev) - 1);
	memcpy(map + 4096, msg_cpu, sizeof(msg_cpu) - 1);
	show_bytes("the process writes at offset 4096:", map + 4096, sizeof(msg_cpu) - 1);
	memset(got, 0, sizeof(got));
	ret = ims_machine_device_dma(m, dev, dma + 4096, got, sizeof(got), false, &res);
	printf("   the device reads at IOVA 0x%llx: PA 0x%llx (%s)\n",
	       (unsigned long long)(dma + 4096), (unsigned long long)res.txn.pa,
	       ret ? ims_errname(ret) : "ok");
	show_bytes("the device got:", got, sizeof(got));
	printf("\n");
	ims_dma_munmap(&vma);
	ims_dma_free_coherent(dev, 8192, cpu, dma);
	return 0;
}

static void show_fault(struct ims_machine *m, struct ims_device *dev)
{
	struct ims_machine_dma_result res;
	uint8_t b[8] = { 0 };
	int from = ims_machine_klog_nr(m), ret;

	printf("5. An access to an unmapped IOVA\n");
	ret = ims_machine_device_dma(m, dev, DEMO_IOVA_UNMAPPED, b, sizeof(b), true, &res);
	printf("   the device writes at IOVA 0x%llx: %s\n", DEMO_IOVA_UNMAPPED,
	       ret ? ims_errname(ret) : "ok (unexpected)");
	if (ret && res.txn.fault.cbndx >= 0)
		printf("   context bank %d of the MMU-500 records it (FSR 0x%x: TF, a translation "
		       "fault)\n   and raises its context interrupt; arm-smmu's handler "
		       "reports:\n",
		       res.txn.fault.cbndx, res.txn.fault.fsr);
	show_klog(m, from, "f0100000.iommu", NULL);
}

static int run(const struct cli_args *a)
{
	const char *board = cli_value(a, "board");
	const char *dir = getenv("IMS_BOARDS_DIR");
	const char *const *extra;
	const char *ovl[CLI_MAX_MULTI + 1];
	const struct ims_explain_device *e;
	struct ims_explain_report *r = NULL;
	struct ims_machine_dma_path wire;
	struct ims_machine_opts mo;
	struct ims_machine *m = NULL;
	const struct ims_of_tree *t;
	struct ims_device *dev;
	char path[1024], topo[1100];
	int smmu, pcie, nr_extra, ret;

	snprintf(path, sizeof(path), "%s/armada-8040.dts", dir && *dir ? dir : IMS_BOARDS_DIR);
	snprintf(topo, sizeof(topo), "%s/../topologies/armada-8040-pcie.dtso",
		 dir && *dir ? dir : IMS_BOARDS_DIR);
	if (!board)
		board = path;
	ovl[0] = topo;
	nr_extra = cli_multi(a, "overlay", &extra);
	for (int i = 0; i < nr_extra; i++)
		ovl[1 + i] = extra[i];
	ims_machine_opts_init(&mo);
	ret = ims_machine_new(&m, &mo);
	if (!ret)
		ret = ims_machine_load_board(m, board, ovl, 1 + nr_extra);
	if (!ret)
		ret = ims_machine_boot(m);
	if (!ret)
		ret = ims_explain_build(&r, m);
	if (ret) {
		cli_report_error(board, ret);
		ims_machine_free(m);
		return CLI_EXIT_USAGE;
	}
	if (cli_flag(a, "log"))
		for (int i = 0; i < ims_machine_klog_nr(m); i++)
			fprintf(stderr, "%s\n", ims_machine_klog(m, i)->text);
	t = ims_machine_tree(m);
	smmu = ims_of_find_node_by_path(t, SMMU_PATH);
	pcie = ims_of_find_node_by_path(t, PCIE_PATH);
	dev = ims_machine_find_device(m, DEMO_DEV);
	e = find_entry(r, DEMO_DEV);
	if (smmu == IMS_OF_NONE || pcie == IMS_OF_NONE || !dev || !e ||
	    ims_machine_dma_path(m, dev, &wire)) {
		fprintf(stderr,
			"iommusim demo: %s is not the Armada-8040-style example board with its "
			"PCIe topology\n",
			board);
		ims_explain_free(r);
		ims_machine_free(m);
		return CLI_EXIT_USAGE;
	}
	printf("iommusim demo: Armada-8040-style board (armada-8040.dts + armada-8040-pcie.dtso),\n"
	       "Linux 6.12 rules\n\n");
	printf("1. The SMMU and the PCIe root complex come up from the device tree\n");
	show_smmu(t, smmu);
	show_pcie(t, pcie);
	show_boot(m, r, e);
	printf("2. Its StreamID, step by step\n");
	show_rids(t, pcie);
	show_sid(t, pcie, e, &wire);
	show_group(r, e);
	ret = show_dma(m, dev);
	if (!ret)
		show_fault(m, dev);
	ims_explain_free(r);
	ims_machine_free(m);
	return ret ? CLI_EXIT_USAGE : CLI_EXIT_OK;
}

static const struct cli_opt opts[] = {
	{ "board", CLI_VALUE, "FILE", "use another copy of the Armada-8040-style board" },
	{ "log", CLI_FLAG, NULL, "print the whole kernel log of the boot to stderr" },
	CLI_OVERLAY_OPT,
	{ NULL, 0, NULL, NULL },
};

const struct cli_cmd cmd_demo = {
	.name = "demo",
	.summary = "the story end to end on the example Armada-8040-style board",
	.usage = "",
	.opts = opts,
	.min_pos = 0,
	.max_pos = 0,
	.run = run,
};
