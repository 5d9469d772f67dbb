/* SPDX-License-Identifier: MIT */
/* Loading (dtb, dts, overlays), the node index and property accessors. */
#include <unistd.h>

#include <libfdt.h>

#include "of-test.h"

static char path_a[1024], path_b[1024];

static const char *fx(char *buf, const char *name)
{
	snprintf(buf, 1024, "%s/%s", FIXTURE_DIR, name);
	return buf;
}

/* The load-time index agrees with libfdt's own O(n) walks for every node. */
static void test_index(void)
{
	struct ims_of_tree *t = NULL;
	const void *blob;
	int bad_parent = 0, bad_depth = 0, bad_phandle = 0, n;

	is_int(ims_of_tree_load(&t, fx(path_a, "armada-8040.dtb"), NULL, 0), 0, "load armada dtb");
	blob = ims_of_tree_blob(t, NULL);
	n = ims_of_nr_nodes(t);
	ok(n > 15, "armada has %d nodes", n);
	for (int i = 0; i < n; i++) {
		int off = ims_of_node_by_index(t, i), p = fdt_parent_offset(blob, off);
		uint32_t ph = fdt_get_phandle(blob, off);

		if (ims_of_get_parent(t, off) != (p < 0 ? IMS_OF_NONE : p))
			bad_parent++;
		if (ims_of_node_depth(t, off) != fdt_node_depth(blob, off))
			bad_depth++;
		if (ph && ims_of_find_node_by_phandle(t, ph) != off)
			bad_phandle++;
	}
	is_int(bad_parent, 0, "parents agree with fdt_parent_offset");
	is_int(bad_depth, 0, "depths agree with fdt_node_depth");
	is_int(bad_phandle, 0, "phandle lookup agrees with fdt_get_phandle");
	is_int(ims_of_node_by_index(t, n), IMS_OF_NONE, "index out of range");
	is_int(ims_of_find_node_by_phandle(t, 0), IMS_OF_NONE, "phandle 0 names nothing");
	is_int(ims_of_find_node_by_phandle(t, 0x7777), IMS_OF_NONE, "unknown phandle");
	is_int(ims_of_find_node_by_path(t, "/no/such"), IMS_OF_NONE, "unknown path");
	is_int(ims_of_get_parent(t, 0), IMS_OF_NONE, "root has no parent");
	is_int(ims_of_get_parent(t, 3), IMS_OF_NONE, "not a node offset");
	ims_of_tree_free(t);
}

static void test_nodes(void)
{
	struct ims_of_tree *t = NULL;
	char buf[256];
	int smmu, cs, child, count = 0;
	uint32_t v;

	/* A .dts source is compiled with dtc. */
	snprintf(path_a, sizeof(path_a), "%s/armada-8040.dts", BOARDS_DIR);
	is_int(ims_of_tree_load(&t, path_a, NULL, 0), 0, "load armada .dts via dtc");
	smmu = ims_of_find_node_by_path(t, "/ap806/config-space@f0000000/iommu@100000");
	ok(smmu >= 0, "find by path");
	is_str(ims_of_node_path(t, smmu, buf, sizeof(buf)),
	       "/ap806/config-space@f0000000/iommu@100000", "%%pOF path");
	is_str(ims_of_node_path(t, 0, buf, sizeof(buf)), "/", "root path");
	is_str(ims_of_node_path(t, IMS_OF_NONE, buf, sizeof(buf)), "(null)", "none prints (null)");
	is_str(ims_of_node_path(t, smmu, buf, 8), "/ap806/", "path truncated to the buffer");
	is_str(ims_of_node_name(t, smmu), "iommu@100000", "node name");
	cs = ims_of_get_parent(t, smmu);
	is_str(ims_of_node_name(t, cs), "config-space@f0000000", "parent");
	is_int(ims_of_node_depth(t, smmu), 3, "depth");
	ok(ims_of_device_is_compatible(t, smmu, "arm,mmu-500"), "compatible arm,mmu-500");
	is_int(ims_of_find_node_by_phandle(t, ims_of_get_phandle(t, smmu)), smmu,
	       "phandle round trip");
	is_int(ims_of_n_addr_cells(t, smmu), 1, "reg cells from the parent");
	is_int(ims_of_bus_n_addr_cells(t, cs), 1, "bus cells of the config space");
	is_int(ims_of_n_addr_cells(t, cs), 2, "config space's reg cells from ap806");
	is_int(ims_of_n_addr_cells(t, 0), 2, "root: its own #address-cells");
	for (child = ims_of_first_child(t, cs); child != IMS_OF_NONE;
	     child = ims_of_next_sibling(t, child))
		count++;
	is_int(count, 5, "config space has 5 children");
	is_int(ims_of_property_read_u32(t, smmu, "#iommu-cells", &v), 0, "read u32");
	is_int(v, 1, "#iommu-cells = 1");
	is_int(ims_of_property_read_u32(t, smmu, "nonexistent", &v), -EINVAL, "absent: -EINVAL");
	is_int(ims_of_property_read_u32(t, smmu, "dma-coherent", &v), -EOVERFLOW,
	       "zero-length: -EOVERFLOW");
	is_int(ims_of_property_match_string(t, smmu, "compatible", "arm,mmu-500"), 1,
	       "match_string index");
	is_int(ims_of_property_match_string(t, smmu, "compatible", "x"), -ENODATA,
	       "match_string: not found");
	is_int(ims_of_property_match_string(t, smmu, "nope", "x"), -EINVAL, "match_string: absent");
	{
		uint64_t a, s;

		is_int(ims_of_get_address(t, smmu, 0, &a, &s), 0, "SMMU reg translates");
		is_hex(a, 0xf0100000, "MMU-500 at CPU 0xf0100000");
		is_hex(s, 0x100000, "size 1 MiB");
	}
	ims_of_tree_free(t);

	/* Defaults: no #address-cells anywhere -> 1/1. */
	is_int(ims_of_tree_load(&t, fx(path_a, "map-id.dtb"), NULL, 0), 0, "load map-id");
	is_int(ims_of_bus_n_size_cells(t, node(t, "/map-a")), 1, "size cells inherited");
	ims_of_tree_free(t);
}

static void test_overlays(void)
{
	struct ims_of_tree *t = NULL;
	const char *ovl[2];
	char src[1024];
	int target = IMS_OF_NONE, np, ret;
	uint32_t out, v;

	/* Label-based overlay on a base with __symbols__. */
	ovl[0] = fx(path_b, "overlay-label.dtbo");
	is_int(ims_of_tree_load(&t, fx(path_a, "armada-8040-sym.dtb"), ovl, 1), 0,
	       "label overlay on a -@ base");
	np = node(t, "/cp0/pcie@f2600000");
	is_int(ims_of_map_id(t, np, 0x1234, "iommu-map", "iommu-map-mask", &target, &out, NULL), 0,
	       "map after overlay");
	is_hex(out, 0x1234, "overlaid iommu-map-mask 0xffff: 0x1234 misses the window");
	is_int(target, IMS_OF_NONE, "0x1234 beyond the new 0x100 window: bypass");
	target = IMS_OF_NONE;
	ims_of_map_id(t, np, 0x42, "iommu-map", "iommu-map-mask", &target, &out, NULL);
	is_hex(out, 0x842, "0x42 -> 0x842 via the overlay's map");
	is_int(target, node(t, "/ap806/config-space@f0000000/iommu@100000"),
	       "overlay's &smmu resolved to the base's SMMU");
	ims_of_tree_free(t);

	/* Path-based overlay on a base WITHOUT __symbols__, plus a .dtso compiled by dtc. */
	ovl[0] = fx(path_b, "overlay-path.dtbo");
	snprintf(src, sizeof(src), "%s/overlay-path.dtso", FIXTURE_SRC_DIR);
	ovl[1] = src;
	ret = ims_of_tree_load(&t, fx(path_a, "armada-8040.dtb"), ovl, 2);
	is_int(ret, 0, "path overlay (.dtbo and .dtso) on a base without __symbols__");
	if (!ret) {
		np = node(t, "/cp0/pcie@f2600000");
		is_int(ims_of_property_read_u32(t, np, "iommusim,overlaid", &v), 0,
		       "overlaid property present");
		is_int(ims_of_property_read_u32(t, np, "iommu-map-mask", &v), 0, "mask present");
		is_hex(v, 0xff, "mask replaced");
		ok(node(t, "/extra-device@0") >= 0, "overlay added a node at the root");
		ims_of_tree_free(t);
	}

	/* Failures name the overlay and what failed. */
	ovl[0] = fx(path_b, "overlay-bad-path.dtbo");
	is_int(ims_of_tree_load(&t, fx(path_a, "armada-8040.dtb"), ovl, 1), -IMS_EOVERLAY,
	       "missing target-path: -EOVERLAY");
	ok(strstr(ims_last_error(), "overlay-bad-path.dtbo") &&
		   strstr(ims_last_error(), "target-path \"/no/such/node\" not found"),
	   "message names the overlay and the target: %s", ims_last_error());
	ovl[0] = fx(path_b, "overlay-bad-label.dtbo");
	is_int(ims_of_tree_load(&t, fx(path_a, "armada-8040-sym.dtb"), ovl, 1), -IMS_EOVERLAY,
	       "unknown label: -EOVERLAY");
	ok(strstr(ims_last_error(), "label 'nosuchlabel' not found") != NULL,
	   "message names the label: %s", ims_last_error());
	ovl[0] = fx(path_b, "overlay-label.dtbo");
	is_int(ims_of_tree_load(&t, fx(path_a, "armada-8040.dtb"), ovl, 1), -IMS_EOVERLAY,
	       "label overlay on a base without __symbols__: -EOVERLAY");
	ok(strstr(ims_last_error(), "__symbols__") != NULL, "message explains __symbols__: %s",
	   ims_last_error());
	ovl[0] = "/nonexistent/x.dtbo";
	is_int(ims_of_tree_load(&t, fx(path_a, "armada-8040.dtb"), ovl, 1), -ENOENT,
	       "missing overlay file: -ENOENT");
	ok(strstr(ims_last_error(), "/nonexistent/x.dtbo") != NULL, "message names the file");

	/* A failed overlay blob leaves the tree usable and unchanged. */
	is_int(ims_of_tree_load(&t, fx(path_a, "armada-8040.dtb"), NULL, 0), 0, "reload base");
	{
		void *buf;
		size_t sz;
		FILE *f = fopen(fx(path_b, "overlay-bad-path.dtbo"), "rb");

		fseek(f, 0, SEEK_END);
		sz = (size_t)ftell(f);
		rewind(f);
		buf = malloc(sz);
		ok(fread(buf, 1, sz, f) == sz, "read overlay blob");
		fclose(f);
		is_int(ims_of_tree_apply_overlay_blob(t, buf, sz, "mem.dtbo"), -IMS_EOVERLAY,
		       "apply_overlay_blob fails");
		ok(node(t, "/cp0/pcie@f2600000") >= 0, "tree still usable after failure");
		free(buf);
	}
	ims_of_tree_free(t);
}

static void test_sources(void)
{
	struct ims_of_tree *t = NULL;
	char tmp[] = "/tmp/ims-of-XXXXXX.dts";
	int fd = mkstemps(tmp, 4), ret;
	FILE *f = fdopen(fd, "w");

	fprintf(f, "/dts-v1/;\n/ { node { prop = <1 2; }; };\n");
	fclose(f);
	ret = ims_of_tree_load(&t, tmp, NULL, 0);
	is_int(ret, -IMS_ETOOL, "dtc syntax error: -ETOOL");
	ok(strstr(ims_last_error(), tmp) && strstr(ims_last_error(), "dtc failed") &&
		   strstr(ims_last_error(), "syntax error"),
	   "dtc's message surfaces: %s", ims_last_error());
	unlink(tmp);
	is_int(ims_of_tree_load(&t, "/nonexistent/board.dtb", NULL, 0), -ENOENT,
	       "missing board: -ENOENT");
	ok(strstr(ims_last_error(), "/nonexistent/board.dtb") != NULL, "message names the file");
	is_int(ims_of_tree_load(&t, NULL, NULL, 0), -EINVAL, "NULL path: -EINVAL");
	{
		const char *many[IMS_OF_MAX_OVERLAYS + 1] = { 0 };

		is_int(ims_of_tree_load(&t, fx(path_a, "map-id.dtb"), many,
					IMS_OF_MAX_OVERLAYS + 1),
		       -IMS_ELIMIT, "too many overlays: -ELIMIT");
	}
}

int main(void)
{
	test_index();
	test_nodes();
	test_overlays();
	test_sources();
	return tap_done();
}
