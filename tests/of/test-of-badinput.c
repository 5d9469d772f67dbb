/* SPDX-License-Identifier: MIT */
/*
 * Hostile input: broken blobs derived from good ones (truncation, bad magic,
 * offsets, overlong properties, nesting, duplicate phandles, overflowing
 * cells) and random byte flips.  Nothing may crash or hang; every rejection
 * carries a message that names the blob (and node/property where known).
 */
#include <libfdt.h>

#include "of-test.h"

static void *slurp(const char *name, size_t *size)
{
	char path[1024];
	FILE *f;
	void *buf;

	snprintf(path, sizeof(path), "%s/%s", FIXTURE_DIR, name);
	f = fopen(path, "rb");
	if (!f) {
		printf("Bail out! cannot open %s\n", path);
		exit(1);
	}
	fseek(f, 0, SEEK_END);
	*size = (size_t)ftell(f);
	rewind(f);
	buf = malloc(*size);
	if (fread(buf, 1, *size, f) != *size) {
		printf("Bail out! short read %s\n", path);
		exit(1);
	}
	fclose(f);
	return buf;
}

static int load(const void *blob, size_t size, const char *name, struct ims_of_tree **t)
{
	*t = NULL;
	return ims_of_tree_load_blob(t, blob, size, name);
}

static void expect_reject(const void *blob, size_t size, const char *name, int want,
			  const char *needle)
{
	struct ims_of_tree *t;
	int ret = load(blob, size, name, &t);

	is_int(ret, want, "%s rejected", name);
	ok(strstr(ims_last_error(), name) && (!needle || strstr(ims_last_error(), needle)),
	   "%s: message '%s'", name, ims_last_error());
	ims_of_tree_free(t);
}

static void test_header(void)
{
	size_t size;
	uint8_t *good = slurp("map-id.dtb", &size), *b = malloc(size);
	size_t cuts[] = { 0, 10, 39, 40, size / 2, size - 1 };
	char name[64];

	for (size_t i = 0; i < ARRAY_SIZE_T(cuts); i++) {
		snprintf(name, sizeof(name), "truncated-%zu.dtb", cuts[i]);
		expect_reject(good, cuts[i], name, -IMS_EBADDTB, "truncated");
	}
	memcpy(b, good, size);
	b[0] ^= 0xff;
	expect_reject(b, size, "badmagic.dtb", -IMS_EBADDTB, "bad magic");
	memcpy(b, good, size);
	fdt_set_off_dt_struct(b, (uint32_t)size + 64);
	expect_reject(b, size, "badoffset.dtb", -IMS_EBADDTB, "malformed");
	memcpy(b, good, size);
	fdt_set_totalsize(b, 128u << 20);
	expect_reject(b, size, "huge.dtb", -IMS_ELIMIT, "limit");
	memcpy(b, good, size);
	fdt_set_version(b, 1);
	expect_reject(b, size, "oldversion.dtb", -IMS_EBADDTB, NULL);
	{
		/* An overlong property: its length field points past the struct block. */
		int off = fdt_path_offset(b, "/map-a"), prop;

		memcpy(b, good, size);
		off = fdt_path_offset(b, "/map-a");
		prop = fdt_first_property_offset(b, off);
		ok(prop > 0, "found a property to corrupt");
		((struct fdt_property *)(void *)(b + fdt_off_dt_struct(b) + prop))->len =
			cpu_to_fdt32(0x7ffffff0);
		expect_reject(b, size, "overlong-prop.dtb", -IMS_EBADDTB, "malformed");
	}
	free(b);
	free(good);
}

/* Build a blob with the sequential-write API; @fn adds nodes under the root. */
static void *build(void (*fn)(void *fdt, int arg), int arg, size_t *size)
{
	size_t cap = 1 << 16;
	void *fdt = malloc(cap);

	fdt_create(fdt, (int)cap);
	fdt_finish_reservemap(fdt);
	fdt_begin_node(fdt, "");
	fdt_property_u32(fdt, "#address-cells", 1);
	fdt_property_u32(fdt, "#size-cells", 1);
	fn(fdt, arg);
	fdt_end_node(fdt);
	fdt_finish(fdt);
	*size = fdt_totalsize(fdt);
	return fdt;
}

static void nest(void *fdt, int depth)
{
	for (int i = 0; i < depth; i++)
		fdt_begin_node(fdt, "n");
	for (int i = 0; i < depth; i++)
		fdt_end_node(fdt);
}

static void dup_phandles(void *fdt, int arg)
{
	fdt_begin_node(fdt, "a");
	fdt_property_u32(fdt, "phandle", 5);
	fdt_end_node(fdt);
	fdt_begin_node(fdt, "b");
	fdt_property_u32(fdt, "linux,phandle", 5);
	fdt_end_node(fdt);
}

static void wild_cells(void *fdt, int arg)
{
	static const uint32_t reg[] = { 0, 0, 0, 0, 0, 0 };
	uint32_t be[16];

	for (int i = 0; i < 16; i++)
		be[i] = cpu_to_fdt32(0x10u * (uint32_t)i);
	fdt_begin_node(fdt, "big-ac");
	fdt_property_u32(fdt, "#address-cells", 0xffffffff);
	fdt_property_u32(fdt, "#size-cells", 0x40000000);
	fdt_property(fdt, "ranges", be, sizeof(be));
	fdt_property(fdt, "dma-ranges", be, sizeof(be));
	fdt_begin_node(fdt, "dev");
	fdt_property(fdt, "reg", reg, sizeof(reg));
	fdt_end_node(fdt);
	fdt_end_node(fdt);
	fdt_begin_node(fdt, "five-ac");
	fdt_property_u32(fdt, "#address-cells", 5);
	fdt_property_u32(fdt, "#size-cells", 0);
	fdt_property(fdt, "ranges", be, sizeof(be));
	fdt_property(fdt, "dma-ranges", be, sizeof(be));
	fdt_begin_node(fdt, "dev");
	fdt_property(fdt, "reg", reg, sizeof(reg));
	fdt_end_node(fdt);
	fdt_end_node(fdt);
	fdt_begin_node(fdt, "bigsize");
	fdt_property_u32(fdt, "#address-cells", 1);
	fdt_property_u32(fdt, "#size-cells", 0x7fffffff);
	fdt_property(fdt, "dma-ranges", be, sizeof(be));
	fdt_begin_node(fdt, "dev");
	fdt_end_node(fdt);
	fdt_end_node(fdt);
	fdt_begin_node(fdt, "prov");
	fdt_property_u32(fdt, "phandle", 7);
	fdt_property_u32(fdt, "#iommu-cells", 0xffffffff);
	fdt_end_node(fdt);
	fdt_begin_node(fdt, "client");
	{
		uint32_t l[2] = { cpu_to_fdt32(7), cpu_to_fdt32(1) };

		fdt_property(fdt, "iommus", l, sizeof(l));
		fdt_property(fdt, "iommu-map", be, 14);
	}
	fdt_property(fdt, "status", "okay", 4); /* not NUL-terminated */
	fdt_property(fdt, "compatible", "abc", 3);
	fdt_property(fdt, "interconnect-names", "dma-mem", 7);
	fdt_end_node(fdt);
}

static void test_structure(void)
{
	struct ims_of_tree *t;
	struct ims_of_phandle_args a;
	struct ims_bus_dma_region *map;
	struct ims_of_dma_config cfg;
	uint64_t addr, sz;
	size_t size;
	void *b;
	int nr;

	b = build(nest, IMS_OF_MAX_DEPTH, &size);
	is_int(load(b, size, "deep-ok.dtb", &t), 0, "nesting at the limit loads");
	ims_of_tree_free(t);
	free(b);
	b = build(nest, IMS_OF_MAX_DEPTH + 1, &size);
	expect_reject(b, size, "deep.dtb", -IMS_ELIMIT, "nested deeper than the limit of 64");
	ok(strstr(ims_last_error(), "node /n/n/n") != NULL, "message names the node path");
	free(b);
	b = build(dup_phandles, 0, &size);
	expect_reject(b, size, "dup.dtb", -IMS_EBADDTB, "duplicate phandle 0x5 on nodes /a and /b");
	free(b);

	b = build(wild_cells, 0, &size);
	is_int(load(b, size, "wild.dtb", &t), 0, "wild cells load (checked at use)");
	free(b);
	is_int(ims_of_get_address(t, node(t, "/big-ac/dev"), 0, &addr, &sz), -EINVAL,
	       "#address-cells 0xffffffff: -EINVAL");
	ok(strstr(ims_last_error(), "/big-ac/dev") != NULL, "message names the node: %s",
	   ims_last_error());
	is_int(ims_of_get_address(t, node(t, "/five-ac/dev"), 0, &addr, &sz), -EINVAL,
	       "#address-cells 5 > OF_MAX_ADDR_CELLS: -EINVAL");
	is_int(ims_of_dma_get_range(t, node(t, "/big-ac"), &map, &nr), -EINVAL,
	       "dma-ranges with absurd cells: no entry parses");
	is_int(ims_of_dma_get_range(t, node(t, "/bigsize/dev"), &map, &nr), -EINVAL,
	       "#size-cells 0x7fffffff: no entry fits");
	is_int(ims_of_dma_configure(t, node(t, "/five-ac/dev"), true, 0xffffffff, &cfg), 0,
	       "configure still completes");
	ims_of_dma_config_release(&cfg);
	is_int(ims_of_parse_phandle_with_args(t, node(t, "/client"), "iommus", "#iommu-cells", 0,
					      &a),
	       -EINVAL, "#iommu-cells 0xffffffff: cells do not fit, -EINVAL");
	is_int(ims_of_map_id(t, node(t, "/client"), 0, "iommu-map", NULL, NULL, &(uint32_t){ 0 },
			     NULL),
	       -EINVAL, "14-byte iommu-map: -EINVAL");
	ok(!ims_of_device_is_available(t, node(t, "/client")),
	   "unterminated status is not \"okay\"");
	ok(!ims_of_device_is_compatible(t, node(t, "/client"), "abc"),
	   "unterminated compatible never matches");
	is_int(ims_of_get_dma_parent(t, node(t, "/client")), 0,
	       "dma-mem without interconnects: the parent");
	ims_of_tree_free(t);
}

/* Random byte flips over a real board: load, then exercise everything. */
static void test_flips(void)
{
	size_t size;
	uint8_t *good = slurp("armada-8040.dtb", &size), *b = malloc(size);
	uint64_t s = tap_seed(0xf11b5);
	int loaded = 0, rejected = 0, unnamed = 0;

	for (int iter = 0; iter < 300; iter++) {
		struct ims_of_tree *t;
		int nflips = 1 + (int)(tap_rand(&s) % 4);

		memcpy(b, good, size);
		for (int k = 0; k < nflips; k++)
			b[tap_rand(&s) % size] ^= (uint8_t)(1u << (tap_rand(&s) % 8));
		ims_clear_error();
		if (load(b, size, "flip.dtb", &t)) {
			rejected++;
			if (!strstr(ims_last_error(), "flip.dtb"))
				unnamed++;
			continue;
		}
		loaded++;
		for (int i = 0; i < ims_of_nr_nodes(t); i++) {
			int n = ims_of_node_by_index(t, i), target = IMS_OF_NONE, nr;
			struct ims_of_phandle_args specs[4];
			struct ims_of_dma_config cfg;
			uint32_t out;
			uint64_t a, sz;

			ims_of_map_id(t, n, 0x108, "iommu-map", "iommu-map-mask", &target, &out,
				      NULL);
			ims_of_msi_map_id_walk(t, n, 0x108, NULL, NULL, NULL);
			ims_of_iommu_configure_dev(t, n, specs, 4, &nr);
			ims_of_get_address(t, n, 0, &a, &sz);
			ims_of_dma_configure(t, n, true, 0xffffffff, &cfg);
			ims_of_dma_config_release(&cfg);
		}
		ims_of_tree_free(t);
	}
	diag("%d loaded, %d rejected", loaded, rejected);
	ok(rejected > 0, "some flips are rejected");
	is_int(unnamed, 0, "every rejection names the blob");
	free(b);
	free(good);
}

int main(void)
{
	test_header();
	test_structure();
	test_flips();
	return tap_done();
}
