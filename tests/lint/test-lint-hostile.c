// SPDX-License-Identifier: MIT
/*
 * lint on hostile trees: random iommu-map / msi-map / masks / bus-range /
 * iommus / dma-ranges contents (random lengths, phandles that point anywhere
 * or nowhere, wrapping entries).  Every run must return a well-formed report:
 * known check names, a message, counts that add up.  Seeded (IMS_TEST_SEED).
 */
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include <iommusim/lint.h>
#include <iommusim/machine.h>

#include "../tap.h"

static uint64_t seed;

static uint32_t rnd(uint32_t n)
{
	return n ? (uint32_t)(tap_rand(&seed) % n) : 0;
}

/* A cell value: often small, sometimes a phandle (1..4), sometimes anything. */
static uint32_t cell(void)
{
	switch (rnd(4)) {
	case 0:
		return 1 + rnd(4);
	case 1:
		return rnd(0x400);
	case 2:
		return 0xffffff00 + rnd(0x100);
	default:
		return (uint32_t)tap_rand(&seed);
	}
}

static int rand_prop(void *fdt, const char *name)
{
	uint32_t v[64];
	int n = (int)rnd(4) == 0 ? (int)rnd(64) : 4 * (1 + (int)rnd(8));

	if (n > 64)
		n = 64;
	for (int i = 0; i < n; i++)
		v[i] = cpu_to_fdt32(cell());
	return fdt_property(fdt, name, v, n * 4);
}

static void *build(void)
{
	size_t size = 64 << 10;
	void *fdt = malloc(size);
	int err = 0;
	uint32_t c[4];

	if (!fdt)
		return NULL;
	err |= fdt_create(fdt, (int)size);
	err |= fdt_finish_reservemap(fdt);
	err |= fdt_begin_node(fdt, "");
	err |= fdt_property_u32(fdt, "#address-cells", 2);
	err |= fdt_property_u32(fdt, "#size-cells", 2);
	err |= fdt_begin_node(fdt, "iommu@9050000");
	err |= fdt_property_string(fdt, "compatible", rnd(2) ? "arm,smmu-v3" : "arm,mmu-500");
	err |= fdt_property_u32(fdt, "#iommu-cells", 1 + rnd(2));
	if (rnd(3) == 0)
		err |= fdt_property_string(fdt, "status", "disabled");
	err |= fdt_property_u32(fdt, "phandle", 1);
	err |= fdt_end_node(fdt);
	err |= fdt_begin_node(fdt, "msi-controller@2f020000");
	err |= fdt_property(fdt, "msi-controller", NULL, 0);
	err |= fdt_property_u32(fdt, "#msi-cells", rnd(3));
	err |= fdt_property_u32(fdt, "phandle", 2);
	err |= fdt_end_node(fdt);
	err |= fdt_begin_node(fdt, "bus");
	err |= fdt_property_string(fdt, "compatible", "simple-bus");
	err |= fdt_property_u32(fdt, "#address-cells", rnd(5));
	err |= fdt_property_u32(fdt, "#size-cells", rnd(4));
	err |= fdt_property_u32(fdt, "phandle", 3);
	if (rnd(2))
		err |= rand_prop(fdt, "dma-ranges");
	err |= fdt_begin_node(fdt, "pcie@10000000");
	err |= fdt_property_string(fdt, "device_type", "pci");
	err |= fdt_property_u32(fdt, "#address-cells", 3);
	err |= fdt_property_u32(fdt, "#size-cells", 2);
	c[0] = cpu_to_fdt32(rnd(0x120));
	c[1] = cpu_to_fdt32(rnd(0x120));
	err |= fdt_property(fdt, "bus-range", c, 4 * (int)rnd(3));
	if (rnd(4))
		err |= rand_prop(fdt, "iommu-map");
	if (rnd(2))
		err |= fdt_property_u32(fdt, "iommu-map-mask", cell());
	if (rnd(2))
		err |= rand_prop(fdt, "msi-map");
	if (rnd(2))
		err |= rand_prop(fdt, "ranges");
	if (rnd(2))
		err |= rand_prop(fdt, "dma-ranges");
	err |= fdt_property_u32(fdt, "phandle", 4);
	err |= fdt_end_node(fdt);
	err |= fdt_begin_node(fdt, "dma@1000");
	err |= fdt_property_string(fdt, "compatible", "iommusim,lint-client");
	if (rnd(4))
		err |= rand_prop(fdt, "iommus");
	err |= fdt_end_node(fdt);
	err |= fdt_end_node(fdt);
	err |= fdt_end_node(fdt);
	err |= fdt_finish(fdt);
	if (err) {
		free(fdt);
		return NULL;
	}
	return fdt;
}

static bool known(const char *check)
{
	for (int i = 0; ims_lint_checks[i]; i++)
		if (ims_lint_checks[i] == check)
			return true;
	return false;
}

int main(void)
{
	int bad_reports = 0, nr_findings = 0, nr_boards = 0;

	seed = tap_seed(0x11e7);
	for (int it = 0; it < 300; it++) {
		void *fdt = build();
		struct ims_of_tree *t = NULL;
		struct ims_machine *m = NULL;
		struct ims_lint_report *r = NULL;
		int sum = 0;

		if (!fdt || ims_of_tree_load_blob(&t, fdt, fdt_totalsize(fdt), "hostile")) {
			free(fdt);
			continue;
		}
		free(fdt);
		if (ims_machine_new(&m, NULL) || ims_machine_set_tree(m, t)) {
			ims_of_tree_free(t);
			ims_machine_free(m);
			bad_reports++;
			continue;
		}
		/* Every third tree boots too (a boot that fails is fine: lint stays static). */
		if (it % 3 == 0)
			(void)ims_machine_boot(m);
		if (ims_lint_machine(&r, m) || !r) {
			bad_reports++;
			ims_machine_free(m);
			continue;
		}
		nr_boards++;
		for (int i = 0; i < r->nr_findings; i++) {
			const struct ims_lint_finding *f = &r->findings[i];

			if (!known(f->check) || !f->message || !f->message[0] ||
			    f->severity > IMS_LINT_ERROR)
				bad_reports++;
		}
		for (int s = 0; s < IMS_LINT_NR_SEVERITIES; s++)
			sum += r->counts[s];
		if (sum != r->nr_findings)
			bad_reports++;
		nr_findings += r->nr_findings;
		ims_lint_free(r);
		ims_machine_free(m);
	}
	is_int(bad_reports, 0, "every hostile tree gave a well-formed report");
	ok(nr_boards > 250, "most trees loaded (%d)", nr_boards);
	ok(nr_findings > nr_boards, "hostile trees produce findings (%d)", nr_findings);
	return tap_done();
}
