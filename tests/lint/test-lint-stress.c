// SPDX-License-Identifier: MIT
/*
 * lint over 65,536 RIDs, generated at test time: a root complex whose
 * iommu-map has 32,768 one-RID entries (every even RID), a 65,536-entry
 * msi-map, and a second root complex mapping all its RIDs 1:1 onto the same
 * SMMUv3.  The checks work on map entries and RID ranges (sort and sweep), so
 * this stays fast; the test asserts the results, not the time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libfdt.h>

#include <iommusim/lint.h>

#include "../tap.h"

static uint32_t *be_cells(uint32_t *v, int n)
{
	for (int i = 0; i < n; i++)
		v[i] = cpu_to_fdt32(v[i]);
	return v;
}

/* A property of 4-cell map rows <id phandle out 1>, one per RID from 0 step @step. */
static int map_prop(void *fdt, const char *name, uint32_t phandle, unsigned int step)
{
	static uint32_t rows[4 * 0x10000];
	int n = 0;

	for (unsigned int rid = 0; rid < 0x10000; rid += step) {
		rows[n++] = cpu_to_fdt32(rid);
		rows[n++] = cpu_to_fdt32(phandle);
		rows[n++] = cpu_to_fdt32(rid);
		rows[n++] = cpu_to_fdt32(1);
	}
	return fdt_property(fdt, name, rows, n * 4);
}

static void *build(void)
{
	size_t size = 4u << 20;
	void *fdt = malloc(size);
	uint32_t c[8];
	int err = 0;

	if (!fdt)
		return NULL;
	err |= fdt_create(fdt, (int)size);
	err |= fdt_finish_reservemap(fdt);
	err |= fdt_begin_node(fdt, "");
	err |= fdt_property_u32(fdt, "#address-cells", 2);
	err |= fdt_property_u32(fdt, "#size-cells", 2);
	err |= fdt_begin_node(fdt, "memory@40000000");
	err |= fdt_property_string(fdt, "device_type", "memory");
	c[0] = 0, c[1] = 0x40000000, c[2] = 0, c[3] = 0x40000000;
	err |= fdt_property(fdt, "reg", be_cells(c, 4), 16);
	err |= fdt_end_node(fdt);
	err |= fdt_begin_node(fdt, "msi-controller@2f020000");
	err |= fdt_property_string(fdt, "compatible", "arm,gic-v3-its");
	err |= fdt_property(fdt, "msi-controller", NULL, 0);
	err |= fdt_property_u32(fdt, "#msi-cells", 1);
	c[0] = 0, c[1] = 0x2f020000, c[2] = 0, c[3] = 0x20000;
	err |= fdt_property(fdt, "reg", be_cells(c, 4), 16);
	err |= fdt_property_u32(fdt, "phandle", 1);
	err |= fdt_end_node(fdt);
	err |= fdt_begin_node(fdt, "iommu@9050000");
	err |= fdt_property_string(fdt, "compatible", "arm,smmu-v3");
	c[0] = 0, c[1] = 0x9050000, c[2] = 0, c[3] = 0x20000;
	err |= fdt_property(fdt, "reg", be_cells(c, 4), 16);
	err |= fdt_property_u32(fdt, "#iommu-cells", 1);
	err |= fdt_property_u32(fdt, "phandle", 2);
	err |= fdt_end_node(fdt);
	for (int rc = 0; rc < 2; rc++) {
		err |= fdt_begin_node(fdt, rc ? "pcie@30000000" : "pcie@10000000");
		err |= fdt_property_string(fdt, "compatible", "pci-host-ecam-generic");
		err |= fdt_property_string(fdt, "device_type", "pci");
		c[0] = 0x40, c[1] = rc ? 0x30000000 : 0x10000000, c[2] = 0, c[3] = 0x10000000;
		err |= fdt_property(fdt, "reg", be_cells(c, 4), 16);
		err |= fdt_property_u32(fdt, "#address-cells", 3);
		err |= fdt_property_u32(fdt, "#size-cells", 2);
		c[0] = 0, c[1] = 0xff;
		err |= fdt_property(fdt, "bus-range", be_cells(c, 2), 8);
		err |= fdt_property_u32(fdt, "linux,pci-domain", (uint32_t)rc);
		if (rc) {
			c[0] = 0, c[1] = 2, c[2] = 0, c[3] = 0x10000;
			err |= fdt_property(fdt, "iommu-map", be_cells(c, 4), 16);
			c[0] = 0, c[1] = 1, c[2] = 0, c[3] = 0x10000;
			err |= fdt_property(fdt, "msi-map", be_cells(c, 4), 16);
		} else {
			err |= map_prop(fdt, "iommu-map", 2, 2);
			err |= map_prop(fdt, "msi-map", 1, 1);
		}
		err |= fdt_end_node(fdt);
	}
	err |= fdt_end_node(fdt);
	err |= fdt_finish(fdt);
	if (err) {
		free(fdt);
		return NULL;
	}
	return fdt;
}

static int write_board(char *path)
{
	void *fdt = build();
	int fd = fdt ? mkstemps(path, 4) : -1;
	ssize_t n = -1;

	if (fd >= 0) {
		n = write(fd, fdt, fdt_totalsize(fdt));
		if (n != (ssize_t)fdt_totalsize(fdt))
			n = -1;
		close(fd);
	}
	free(fdt);
	return n < 0 ? -1 : 0;
}

int main(void)
{
	char path[] = "/tmp/ims-lint-stress-XXXXXX.dtb";
	struct ims_lint_report *r = NULL;
	const struct ims_lint_finding *f;
	int nr_coll = 0, ret;

	if (!ok(!write_board(path), "generate the 65,536-RID board"))
		return tap_done();
	ret = ims_lint_board(&r, path, NULL, 0);
	unlink(path);
	if (!ok(!ret, "lint it (%s)", ret ? ims_last_error() : "ok"))
		return tap_done();
	ok(r->booted, "the board boots");
	is_int((int)r->nr_rids, 2 * 65536, "two full bus-ranges of RIDs examined");
	f = ims_lint_find(r, "rid-unmapped", "/pcie@10000000");
	if (ok(f != NULL, "rid-unmapped on the sparse root complex")) {
		ok(strstr(f->message, "32768 RID(s)") != NULL, "every odd RID is a hole");
		ok(strstr(f->message, "0x0001-0x0001, 0x0003-0x0003") != NULL,
		   "reported as ranges");
		ok(strstr(f->message, "and 32760 more range(s)") != NULL, "the rest is counted");
		is_str(ims_lint_severity_name(f->severity), "warning", "no device: a warning");
	}
	ok(!ims_lint_find(r, "rid-unmapped", "/pcie@30000000"), "the dense one has no hole");
	ok(!ims_lint_find(r, "msi-unmapped", NULL), "the msi-maps cover everything");
	f = ims_lint_find(r, "iommu-msi-mismatch", "/pcie@10000000");
	ok(f && f->severity == IMS_LINT_WARNING && strstr(f->message, "(msi-map only)"),
	   "iommu-map and msi-map differ in coverage");
	for (int i = 0; i < r->nr_findings; i++) {
		if (strcmp(r->findings[i].check, "sid-collision"))
			continue;
		nr_coll++;
		if (nr_coll == 1) {
			ok(r->findings[i].severity == IMS_LINT_ERROR,
			   "collisions on SMMUv3 are errors");
			ok(strstr(r->findings[i].message, "of /pcie@10000000") &&
				   strstr(r->findings[i].message, "of /pcie@30000000"),
			   "each names both root complexes");
		}
	}
	is_int(nr_coll, 64, "the 32,768 colliding StreamIDs are capped at 64 findings");
	ok(!ims_lint_find(r, "map-bad-length", NULL) && !ims_lint_find(r, "mask-folds", NULL),
	   "no false map findings");
	ims_lint_free(r);
	return tap_done();
}
