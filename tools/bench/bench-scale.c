/* SPDX-License-Identifier: MIT */
/*
 * Scale: group formation and lint over 65,536 PCI requester IDs must cost
 * about as much per RID as over 4,096 (issue 8: "no quadratic blow-up").
 *
 * The board is generated here with libfdt's sequential-write API: the
 * QEMU-virt-style SMMUv3 board (examples/boards/qemu-virt-smmuv3.dts: GICv3
 * + ITS, one SMMUv3, 1 GiB of RAM) with H generic ECAM host bridges, each a
 * PCI domain whose root bus (bus-range <0 0>) holds all 256 functions a bus
 * can have: 32 multifunction slots of 8 RC-endpoint functions, without ACS,
 * so pci_device_group() puts each slot's functions in one group (32 groups
 * per host).  Host h maps its RIDs to StreamIDs h * 256 .. h * 256 + 255
 * (iommu-map and msi-map), so every RID has its own StreamID and the 16-bit
 * StreamID space is used up exactly at H = 256: 65,536 RIDs.
 *
 * Why not one host with 256 buses: only conventional PCI buses hold more
 * than 8 functions below a bridge (only_one_child() limits ports to device
 * 0), and every function behind a PCIe-to-PCI or PCI-to-PCI bridge takes
 * the bridge's alias as a second StreamID, which arm-smmu-v3 (6.12) refuses
 * for all but the first function of the bus ("stream already in tree"):
 * such a board would form 256 groups, not measure group formation.
 *
 * scale-groups-N: ims_machine_boot() of the board (memory, SMMU model,
 *   enumeration, of_iommu_configure, the SMMU driver's probe_device, group
 *   formation and default domains for every function, driver binding).
 * scale-lint-N: ims_lint_machine() on the booted machine.
 *
 * One operation is one whole boot (or lint); median_ns and p99_ns are per
 * operation over a few repetitions (--ops is ignored: a boot of 65,536
 * functions is not a microbenchmark).  The 65,536 benchmarks also run the
 * 4,096 case and report "per_rid_ratio" in extra: the 65,536 case's time
 * per RID over the 4,096 case's.  About 1 is linear; 16 would be quadratic.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libfdt.h>

#include <iommusim/lint.h>
#include <iommusim/machine.h>
#include <iommusim/of.h>

#include "bench.h"

#define PH_GIC 1
#define PH_ITS 2
#define PH_SMMU 3
#define FUNCS_PER_HOST 256

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cells(void *fdt, const char *name, const uint32_t *v, int n)
{
	fdt32_t be[16];

	for (int i = 0; i < n; i++)
		be[i] = cpu_to_fdt32(v[i]);
	return fdt_property(fdt, name, be, (int)sizeof(be[0]) * n);
}

#define CELLS(fdt, name, ...)                                                                      \
	cells(fdt, name, (const uint32_t[]){ __VA_ARGS__ },                                        \
	      (int)(sizeof((const uint32_t[]){ __VA_ARGS__ }) / sizeof(uint32_t)))

static int build_host(void *fdt, int h)
{
	char name[32];
	int err;

	snprintf(name, sizeof(name), "pcie@%x", 0x10000000 + h);
	err = fdt_begin_node(fdt, name);
	err |= fdt_property_string(fdt, "compatible", "pci-host-ecam-generic");
	err |= fdt_property_string(fdt, "device_type", "pci");
	err |= CELLS(fdt, "reg", 0x40 + (uint32_t)h, 0x10000000, 0, 0x100000);
	err |= fdt_property_u32(fdt, "#address-cells", 3);
	err |= fdt_property_u32(fdt, "#size-cells", 2);
	err |= CELLS(fdt, "bus-range", 0, 0);
	err |= fdt_property_u32(fdt, "linux,pci-domain", (uint32_t)h);
	err |= fdt_property(fdt, "dma-coherent", NULL, 0);
	err |= CELLS(fdt, "iommu-map", 0, PH_SMMU, (uint32_t)h * FUNCS_PER_HOST, FUNCS_PER_HOST);
	err |= CELLS(fdt, "msi-map", 0, PH_ITS, (uint32_t)h * FUNCS_PER_HOST, FUNCS_PER_HOST);
	for (int devfn = 0; devfn < FUNCS_PER_HOST; devfn++) {
		snprintf(name, sizeof(name), "ep@%x,%x", devfn >> 3, devfn & 7);
		err |= fdt_begin_node(fdt, name);
		err |= CELLS(fdt, "reg", (uint32_t)devfn << 8, 0, 0, 0, 0);
		err |= fdt_end_node(fdt);
	}
	return err | fdt_end_node(fdt);
}

/* The board with @hosts host bridges of 256 functions each; NULL on failure. */
static void *build_board(int hosts, size_t *size)
{
	size_t cap = 4096 + (size_t)hosts * (512 + FUNCS_PER_HOST * 64);
	void *fdt = malloc(cap);
	int err;

	if (!fdt)
		return NULL;
	err = fdt_create(fdt, (int)cap);
	err |= fdt_finish_reservemap(fdt);
	err |= fdt_begin_node(fdt, "");
	err |= fdt_property_string(fdt, "compatible", "iommusim,scale");
	err |= fdt_property_u32(fdt, "#address-cells", 2);
	err |= fdt_property_u32(fdt, "#size-cells", 2);
	err |= fdt_property_u32(fdt, "interrupt-parent", PH_GIC);

	err |= fdt_begin_node(fdt, "memory@40000000");
	err |= fdt_property_string(fdt, "device_type", "memory");
	err |= CELLS(fdt, "reg", 0, 0x40000000, 0, 0x40000000);
	err |= fdt_end_node(fdt);

	err |= fdt_begin_node(fdt, "intc@8000000");
	err |= fdt_property_string(fdt, "compatible", "arm,gic-v3");
	err |= fdt_property_u32(fdt, "#interrupt-cells", 3);
	err |= fdt_property_u32(fdt, "#address-cells", 2);
	err |= fdt_property_u32(fdt, "#size-cells", 2);
	err |= fdt_property(fdt, "interrupt-controller", NULL, 0);
	err |= fdt_property(fdt, "ranges", NULL, 0);
	err |= CELLS(fdt, "reg", 0, 0x8000000, 0, 0x10000, 0, 0x80a0000, 0, 0xf60000);
	err |= fdt_property_u32(fdt, "phandle", PH_GIC);
	err |= fdt_begin_node(fdt, "msi-controller@8080000");
	err |= fdt_property_string(fdt, "compatible", "arm,gic-v3-its");
	err |= fdt_property(fdt, "msi-controller", NULL, 0);
	err |= fdt_property_u32(fdt, "#msi-cells", 1);
	err |= CELLS(fdt, "reg", 0, 0x8080000, 0, 0x20000);
	err |= fdt_property_u32(fdt, "phandle", PH_ITS);
	err |= fdt_end_node(fdt);
	err |= fdt_end_node(fdt);

	err |= fdt_begin_node(fdt, "iommu@9050000");
	err |= fdt_property_string(fdt, "compatible", "arm,smmu-v3");
	err |= CELLS(fdt, "reg", 0, 0x9050000, 0, 0x20000);
	err |= CELLS(fdt, "interrupts", 0, 74, 1, 0, 75, 1, 0, 76, 1, 0, 77, 1);
	err |= fdt_property(fdt, "interrupt-names", "eventq\0priq\0cmdq-sync\0gerror",
			    sizeof("eventq\0priq\0cmdq-sync\0gerror"));
	err |= fdt_property(fdt, "dma-coherent", NULL, 0);
	err |= fdt_property_u32(fdt, "#iommu-cells", 1);
	err |= fdt_property_u32(fdt, "phandle", PH_SMMU);
	err |= fdt_end_node(fdt);

	for (int h = 0; h < hosts && !err; h++)
		err |= build_host(fdt, h);
	err |= fdt_end_node(fdt);
	err |= fdt_finish(fdt);
	if (err) {
		fprintf(stderr, "bench scale: building the board failed: %s\n", fdt_strerror(err));
		free(fdt);
		return NULL;
	}
	*size = fdt_totalsize(fdt);
	return fdt;
}

struct scale_run {
	double boot_ns, lint_ns;
	int devices, translated, groups, findings;
};

/* Boot the board once, count what it formed, optionally lint it. */
static int boot_once(const void *blob, size_t size, bool lint, struct scale_run *out)
{
	struct ims_machine_opts o;
	struct ims_machine *m = NULL;
	struct ims_of_tree *t = NULL;
	struct ims_devcore *dc;
	int ret, max_id = -1;
	double t0;

	memset(out, 0, sizeof(*out));
	ims_machine_opts_init(&o);
	ret = ims_of_tree_load_blob(&t, blob, size, "scale.dtb");
	if (!ret)
		ret = ims_machine_new(&m, &o);
	if (!ret)
		ret = ims_machine_set_tree(m, t);
	if (ret) {
		ims_of_tree_free(t);
		goto out;
	}
	t0 = now_ns();
	ret = ims_machine_boot(m);
	out->boot_ns = now_ns() - t0;
	if (ret)
		goto out;
	dc = ims_machine_devcore(m);
	out->devices = ims_devcore_nr_devices(dc);
	for (int i = 0; i < out->devices; i++) {
		struct ims_device *dev = ims_devcore_device(dc, i);

		out->translated += dev->dma_ops == IMS_DMA_OPS_IOMMU;
		if (dev->iommu_group && dev->iommu_group->id > max_id)
			max_id = dev->iommu_group->id;
	}
	out->groups = max_id + 1;
	if (lint) {
		struct ims_lint_report *r = NULL;

		t0 = now_ns();
		ret = ims_lint_machine(&r, m);
		out->lint_ns = now_ns() - t0;
		if (!ret)
			out->findings = r->nr_findings;
		ims_lint_free(r);
	}
out:
	if (ret)
		fprintf(stderr, "bench scale: %s\n", ims_last_error());
	ims_machine_free(m);
	return ret;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median and worst of @reps boots (and lints) of @hosts hosts. */
static int measure(int hosts, int reps, bool lint, double *median, double *worst,
		   struct scale_run *last)
{
	double v[8];
	size_t size;
	void *blob = build_board(hosts, &size);
	int ret = 0;

	if (!blob)
		return -12;
	for (int i = 0; i < reps && !ret; i++) {
		ret = boot_once(blob, size, lint, last);
		v[i] = lint ? last->lint_ns : last->boot_ns;
	}
	free(blob);
	if (ret)
		return ret;
	qsort(v, (size_t)reps, sizeof(v[0]), cmp_double);
	*median = v[reps / 2];
	*worst = v[reps - 1];
	return 0;
}

static int run_scale(struct bench_result *res, int hosts, bool lint)
{
	struct scale_run r, small;
	double med, worst, smed, sworst;
	int rids = hosts * FUNCS_PER_HOST, ret;

	ret = measure(hosts, hosts > 16 ? 3 : 5, lint, &med, &worst, &r);
	if (ret)
		return ret;
	res->median_ns = med;
	res->p99_ns = worst;
	res->ops = 1;
	bench_extra(res, "\"rids\": %d, \"devices\": %d, \"translated\": %d, \"groups\": %d", rids,
		    r.devices, r.translated, r.groups);
	if (lint)
		bench_extra(res, "\"findings\": %d", r.findings);
	bench_extra(res, "\"per_rid_ns\": %.1f", med / rids);
	if (hosts > 16) {
		ret = measure(16, 5, lint, &smed, &sworst, &small);
		if (ret)
			return ret;
		bench_extra(res, "\"per_rid_ns_4096\": %.1f, \"per_rid_ratio\": %.2f",
			    smed / (16 * FUNCS_PER_HOST),
			    (med / rids) / (smed / (16 * FUNCS_PER_HOST)));
	}
	return 0;
}

static int run_groups_4096(const struct bench_opts *opts, struct bench_result *res)
{
	(void)opts;
	return run_scale(res, 16, false);
}

static int run_groups_65536(const struct bench_opts *opts, struct bench_result *res)
{
	(void)opts;
	return run_scale(res, 256, false);
}

static int run_lint_4096(const struct bench_opts *opts, struct bench_result *res)
{
	(void)opts;
	return run_scale(res, 16, true);
}

static int run_lint_65536(const struct bench_opts *opts, struct bench_result *res)
{
	(void)opts;
	return run_scale(res, 256, true);
}

static const struct bench_def groups_4096 = {
	"scale-groups-4096",
	"boot 16 PCI hosts x 256 functions (4,096 RIDs): enumeration, probe, groups, domains",
	run_groups_4096,
};
static const struct bench_def groups_65536 = {
	"scale-groups-65536",
	"boot 256 PCI hosts x 256 functions (65,536 RIDs); extra: per-RID ratio to 4,096",
	run_groups_65536,
};
static const struct bench_def lint_4096 = {
	"scale-lint-4096",
	"ims_lint_machine over 4,096 RIDs (16 hosts x 256 functions), booted",
	run_lint_4096,
};
static const struct bench_def lint_65536 = {
	"scale-lint-65536",
	"ims_lint_machine over 65,536 RIDs; extra: per-RID ratio to 4,096",
	run_lint_65536,
};

const struct bench_def *const bench_scale[] = {
	&groups_4096, &groups_65536, &lint_4096, &lint_65536, NULL,
};
