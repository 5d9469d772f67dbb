/* SPDX-License-Identifier: MIT */
/*
 * The bad-input table: malformed blobs, files, overlays, hostile trees and
 * model misuse through the public API.  Every row names the input, the exact
 * code the library must return, and the words its ims_last_error() message
 * must contain (the file, the node path and/or the property, or the call).
 * Rows whose right answer is success (what Linux does with the input) check
 * the outcome instead.
 *
 * Inputs are generated here from the good fixture blobs (with libfdt's
 * sequential-write API or by patching bytes); nothing but the fixtures is
 * read from the source tree.
 */
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libfdt.h>

#include <iommusim/hw.h>
#include <iommusim/iova.h>
#include <iommusim/of.h>
#include <iommusim/pgtable.h>
#include <iommusim/scenario.h>
#include <iommusim/smmuv2.h>
#include <iommusim/smmuv3.h>

#include "../tap.h"

#define ARRAY_SIZE_T(a) (sizeof(a) / sizeof((a)[0]))

struct bad_case {
	const char *name;
	int (*run)(const struct bad_case *c);
	int arg;
	int want;
	const char *needle[3];
};

/* Inputs shared by the rows, made once. */
static struct {
	char dir[64];	/* scratch directory for file rows */
	uint8_t *mapid; /* map-id.dtb */
	size_t mapid_size;
	struct ims_of_tree *hostile; /* the tree of hostile properties, "hostile.dtb" */
	uint8_t *big;		     /* 64 MiB + 64 bytes of scratch */
} G;

static void *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	void *buf;

	if (!f) {
		printf("Bail out! cannot open %s\n", path);
		exit(1);
	}
	fseek(f, 0, SEEK_END);
	*size = (size_t)ftell(f);
	rewind(f);
	buf = malloc(*size ? *size : 1);
	if (!buf || fread(buf, 1, *size, f) != *size) {
		printf("Bail out! cannot read %s\n", path);
		exit(1);
	}
	fclose(f);
	return buf;
}

static void *fixture(const char *name, size_t *size)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", FIXTURE_DIR, name);
	return slurp(path, size);
}

static const char *scratch(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", G.dir, name);
	return buf;
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(data, 1, len, f) != len) {
		printf("Bail out! cannot write %s\n", path);
		exit(1);
	}
	fclose(f);
}

static int load_blob(const void *blob, size_t size, const char *name)
{
	struct ims_of_tree *t = NULL;
	int ret = ims_of_tree_load_blob(&t, blob, size, name);

	if (!ret == !t)
		ok(false, "%s: a tree is returned exactly on success", name);
	ims_of_tree_free(t);
	return ret;
}

/* ---- sequential-write builders ---------------------------------------------- */

typedef void (*build_fn)(void *fdt, int arg);

static void *build(build_fn fn, int arg, size_t cap, size_t *size)
{
	void *fdt = malloc(cap);
	int err;

	err = fdt_create(fdt, (int)cap);
	err |= fdt_finish_reservemap(fdt);
	err |= fdt_begin_node(fdt, "");
	err |= fdt_property_u32(fdt, "#address-cells", 1);
	err |= fdt_property_u32(fdt, "#size-cells", 1);
	fn(fdt, arg);
	err |= fdt_end_node(fdt);
	err |= fdt_finish(fdt);
	if (err) {
		printf("Bail out! building a test blob failed: %s\n", fdt_strerror(err));
		exit(1);
	}
	*size = fdt_totalsize(fdt);
	return fdt;
}

static void prop_cells(void *fdt, const char *name, const uint32_t *cells, int n)
{
	fdt32_t be[128];

	for (int i = 0; i < n; i++)
		be[i] = cpu_to_fdt32(cells[i]);
	fdt_property(fdt, name, be, sizeof(be[0]) * (size_t)n);
}

#define CELLS(fdt, name, ...)                                                                      \
	prop_cells(fdt, name, (const uint32_t[]){ __VA_ARGS__ },                                   \
		   (int)(sizeof((const uint32_t[]){ __VA_ARGS__ }) / sizeof(uint32_t)))

static void leaf(void *fdt, const char *name)
{
	fdt_begin_node(fdt, name);
	fdt_end_node(fdt);
}

static void nest(void *fdt, int depth)
{
	for (int i = 0; i < depth; i++)
		fdt_begin_node(fdt, "n");
	for (int i = 0; i < depth; i++)
		fdt_end_node(fdt);
}

static void dup_phandles(void *fdt, int linux_phandle)
{
	fdt_begin_node(fdt, "a");
	fdt_property_u32(fdt, "phandle", 5);
	fdt_end_node(fdt);
	fdt_begin_node(fdt, "b");
	fdt_property_u32(fdt, linux_phandle ? "linux,phandle" : "phandle", 5);
	fdt_end_node(fdt);
}

/* An iommu-map of 2^20 one-id entries; @bad_last: the last has an id-base outside the mask. */
static void huge_map(void *fdt, int bad_last)
{
	const uint32_t n = 1u << 20;
	fdt32_t *m = malloc(16 * (size_t)n);

	fdt_begin_node(fdt, "iommu");
	fdt_property_u32(fdt, "phandle", 1);
	fdt_property_u32(fdt, "#iommu-cells", 1);
	fdt_end_node(fdt);
	for (uint32_t i = 0; i < n; i++) {
		m[4 * i] = cpu_to_fdt32(i);
		m[4 * i + 1] = cpu_to_fdt32(1);
		m[4 * i + 2] = cpu_to_fdt32(0x100000 + i);
		m[4 * i + 3] = cpu_to_fdt32(1);
	}
	if (bad_last)
		m[4 * (n - 1)] = cpu_to_fdt32(0x80000000u);
	fdt_begin_node(fdt, "pcie");
	fdt_property(fdt, "iommu-map", m, 16 * (size_t)n);
	fdt_property_u32(fdt, "iommu-map-mask", n - 1);
	fdt_end_node(fdt);
	free(m);
}

/* Every hostile property the query rows use, one node each ("hostile.dtb"). */
static void hostile(void *fdt, int arg)
{
	uint32_t hundred[101];

	(void)arg;
	fdt_begin_node(fdt, "iommu");
	fdt_property_u32(fdt, "phandle", 1);
	fdt_property_u32(fdt, "#iommu-cells", 1);
	fdt_end_node(fdt);

	fdt_begin_node(fdt, "big-ac");
	fdt_property_u32(fdt, "#address-cells", 0xffffffffu);
	fdt_property_u32(fdt, "#size-cells", 1);
	CELLS(fdt, "dma-ranges", 0, 0, 0x1000, 0, 0, 0x1000);
	fdt_begin_node(fdt, "dev");
	CELLS(fdt, "reg", 0, 0, 0, 0);
	fdt_end_node(fdt);
	fdt_end_node(fdt);

	fdt_begin_node(fdt, "five-ac");
	fdt_property_u32(fdt, "#address-cells", 5);
	fdt_property_u32(fdt, "#size-cells", 0);
	fdt_begin_node(fdt, "dev");
	CELLS(fdt, "reg", 0, 0, 0, 0, 0);
	fdt_end_node(fdt);
	fdt_end_node(fdt);

	fdt_begin_node(fdt, "big-sc");
	fdt_property_u32(fdt, "#address-cells", 1);
	fdt_property_u32(fdt, "#size-cells", 0x7fffffff);
	CELLS(fdt, "ranges", 0, 0, 0x1000);
	fdt_begin_node(fdt, "dev");
	CELLS(fdt, "reg", 0, 0);
	fdt_end_node(fdt);
	fdt_end_node(fdt);

	/* Cell counts whose sum overflows an int. */
	fdt_begin_node(fdt, "wild-cells");
	fdt_property_u32(fdt, "#address-cells", 0xac000002u);
	fdt_property_u32(fdt, "#size-cells", 0xac000002u);
	CELLS(fdt, "dma-ranges", 0, 0, 0x1000);
	fdt_end_node(fdt);

	leaf(fdt, "no-reg");
	fdt_begin_node(fdt, "short-reg");
	CELLS(fdt, "reg", 0x1000);
	fdt_end_node(fdt);

	fdt_begin_node(fdt, "bus");
	fdt_property_u32(fdt, "#address-cells", 1);
	fdt_property_u32(fdt, "#size-cells", 1);
	fdt_begin_node(fdt, "dev");
	CELLS(fdt, "reg", 0x10, 0x10);
	fdt_end_node(fdt);
	fdt_end_node(fdt);

	fdt_begin_node(fdt, "prov100");
	fdt_property_u32(fdt, "phandle", 2);
	fdt_property_u32(fdt, "#iommu-cells", 100);
	fdt_end_node(fdt);
	fdt_begin_node(fdt, "m100");
	CELLS(fdt, "iommus", 2, 1, 2, 3);
	fdt_end_node(fdt);
	hundred[0] = 2;
	for (int i = 1; i < 101; i++)
		hundred[i] = (uint32_t)i;
	fdt_begin_node(fdt, "m100-full");
	prop_cells(fdt, "iommus", hundred, 101);
	fdt_end_node(fdt);

	fdt_begin_node(fdt, "m-badph");
	CELLS(fdt, "iommus", 0x99, 1);
	fdt_end_node(fdt);
	fdt_begin_node(fdt, "nocells");
	fdt_property_u32(fdt, "phandle", 3);
	fdt_end_node(fdt);
	fdt_begin_node(fdt, "m-nocells");
	CELLS(fdt, "iommus", 3, 1);
	fdt_end_node(fdt);

	fdt_begin_node(fdt, "map14");
	fdt_property(fdt, "iommu-map", "0123456789abcd", 14);
	fdt_end_node(fdt);
	fdt_begin_node(fdt, "map0");
	fdt_property(fdt, "iommu-map", NULL, 0);
	fdt_end_node(fdt);
	fdt_begin_node(fdt, "map-mask");
	CELLS(fdt, "msi-map", 0x100, 1, 0, 0x10);
	fdt_property_u32(fdt, "msi-map-mask", 0xff);
	fdt_end_node(fdt);
	fdt_begin_node(fdt, "map-dangle");
	CELLS(fdt, "iommu-map", 0, 0x77, 0, 0x10);
	fdt_end_node(fdt);

	/* interconnects "dma-mem" cycles, with empty dma-ranges so the walk goes on. */
	fdt_begin_node(fdt, "ic-a");
	fdt_property_u32(fdt, "phandle", 10);
	fdt_property_u32(fdt, "#interconnect-cells", 0);
	fdt_property_string(fdt, "interconnect-names", "dma-mem");
	CELLS(fdt, "interconnects", 11);
	fdt_property(fdt, "dma-ranges", NULL, 0);
	fdt_end_node(fdt);
	fdt_begin_node(fdt, "ic-b");
	fdt_property_u32(fdt, "phandle", 11);
	fdt_property_u32(fdt, "#interconnect-cells", 0);
	fdt_property_string(fdt, "interconnect-names", "dma-mem");
	CELLS(fdt, "interconnects", 10);
	fdt_property(fdt, "dma-ranges", NULL, 0);
	fdt_end_node(fdt);
	fdt_begin_node(fdt, "ic-self");
	fdt_property_u32(fdt, "phandle", 12);
	fdt_property_u32(fdt, "#interconnect-cells", 0);
	fdt_property_string(fdt, "interconnect-names", "dma-mem");
	CELLS(fdt, "interconnects", 12);
	fdt_property(fdt, "dma-ranges", NULL, 0);
	fdt_property(fdt, "dma-coherent", NULL, 0);
	fdt_end_node(fdt);

	/* dma-ranges of size 0. */
	fdt_begin_node(fdt, "dr0");
	fdt_property_u32(fdt, "#address-cells", 1);
	fdt_property_u32(fdt, "#size-cells", 1);
	CELLS(fdt, "dma-ranges", 0, 0x80000000u, 0);
	leaf(fdt, "dev");
	fdt_end_node(fdt);
	/* dma-ranges whose CPU side the parent's dma-ranges do not cover. */
	fdt_begin_node(fdt, "pbus");
	fdt_property_u32(fdt, "#address-cells", 1);
	fdt_property_u32(fdt, "#size-cells", 1);
	CELLS(fdt, "dma-ranges", 0, 0, 0x1000);
	fdt_begin_node(fdt, "drbad");
	fdt_property_u32(fdt, "#address-cells", 1);
	fdt_property_u32(fdt, "#size-cells", 1);
	CELLS(fdt, "dma-ranges", 0, 0x50000000, 0x1000);
	fdt_end_node(fdt);
	fdt_end_node(fdt);

	/* Unterminated strings. */
	fdt_begin_node(fdt, "u-status");
	fdt_property(fdt, "status", "okay", 4);
	fdt_end_node(fdt);
	fdt_begin_node(fdt, "u-compat");
	fdt_property(fdt, "compatible", "arm,smmu-v3", 11);
	fdt_end_node(fdt);
	fdt_begin_node(fdt, "u-type");
	fdt_property(fdt, "device_type", "pci", 3);
	fdt_end_node(fdt);
	fdt_begin_node(fdt, "u-icnames");
	fdt_property(fdt, "interconnect-names", "dma-mem", 7);
	CELLS(fdt, "interconnects", 10);
	fdt_end_node(fdt);
}

static int hnode(const char *path)
{
	int n = ims_of_find_node_by_path(G.hostile, path);

	if (n == IMS_OF_NONE)
		diag("no node %s in hostile.dtb", path);
	return n;
}

/* ---- rows: blob header and structure ------------------------------------------ */

enum {
	H_EMPTY,
	H_SHORT,
	H_HALF,
	H_MINUS1,
	H_MAGIC,
	H_SWAPPED,
	H_HUGE,
	H_TOTAL_SMALL,
	H_STRUCT_OFF,
	H_STRINGS_OFF,
	H_STRUCT_SIZE,
	H_NAMEOFF,
	H_PROPLEN,
	H_PROPLEN_NEG,
	H_PROPLEN_M12,
	H_VERSION,
	H_OLD_ROOT,
	H_LAST_COMP,
	H_RSVMAP,
	H_BADTAG,
	H_ENDNODE,
	H_NAME_UNTERM,
	H_OVERSIZE,
};

/* Offset in the struct block of the first property of /map-a. */
static int first_prop(const uint8_t *b)
{
	int off = fdt_path_offset(b, "/map-a");

	return off < 0 ? -1 : fdt_first_property_offset(b, off);
}

static int run_header(const struct bad_case *c)
{
	size_t size = G.mapid_size;
	uint8_t *b = malloc(size + 64);
	struct fdt_property *prop;
	int ret, off;

	memcpy(b, G.mapid, size);
	switch (c->arg) {
	case H_EMPTY:
		size = 0;
		break;
	case H_SHORT:
		size = sizeof(struct fdt_header) - 1;
		break;
	case H_HALF:
		size /= 2;
		break;
	case H_MINUS1:
		size -= 1;
		break;
	case H_MAGIC:
		fdt_set_magic(b, 0x12345678);
		break;
	case H_SWAPPED:
		fdt_set_magic(b, 0xedfe0dd0);
		break;
	case H_HUGE:
		fdt_set_totalsize(b, 128u << 20);
		break;
	case H_TOTAL_SMALL:
		fdt_set_totalsize(b, 64);
		break;
	case H_STRUCT_OFF:
		fdt_set_off_dt_struct(b, (uint32_t)size + 64);
		break;
	case H_STRINGS_OFF:
		fdt_set_off_dt_strings(b, (uint32_t)size + 4);
		break;
	case H_STRUCT_SIZE:
		fdt_set_size_dt_struct(b, 0xfffffff0u);
		break;
	case H_NAMEOFF:
		off = first_prop(b);
		prop = (struct fdt_property *)(void *)(b + fdt_off_dt_struct(b) + off);
		prop->nameoff = cpu_to_fdt32(0x7fff0000);
		break;
	case H_PROPLEN:
		off = first_prop(b);
		prop = (struct fdt_property *)(void *)(b + fdt_off_dt_struct(b) + off);
		prop->len = cpu_to_fdt32(0x7ffffff0);
		break;
	case H_PROPLEN_NEG:
		off = first_prop(b);
		prop = (struct fdt_property *)(void *)(b + fdt_off_dt_struct(b) + off);
		prop->len = cpu_to_fdt32(0xfffffffcu);
		break;
	case H_PROPLEN_M12:
		/* libfdt 1.6.1 would step back onto the same tag forever. */
		off = first_prop(b);
		prop = (struct fdt_property *)(void *)(b + fdt_off_dt_struct(b) + off);
		prop->len = cpu_to_fdt32(0xfffffff4u);
		break;
	case H_VERSION:
		fdt_set_version(b, 1);
		break;
	case H_OLD_ROOT:
		/* A version-15 blob names nodes by path: an empty root name is not one. */
		fdt_set_version(b, 15);
		fdt_set_last_comp_version(b, 2);
		break;
	case H_LAST_COMP:
		fdt_set_last_comp_version(b, 18);
		break;
	case H_RSVMAP:
		fdt_set_off_mem_rsvmap(b, 3);
		break;
	case H_BADTAG:
		off = first_prop(b);
		*(fdt32_t *)(void *)(b + fdt_off_dt_struct(b) + off) = cpu_to_fdt32(0x0000000a);
		break;
	case H_ENDNODE:
		/* /map-a's FDT_BEGIN_NODE becomes FDT_END_NODE: the root closes early. */
		off = fdt_path_offset(b, "/map-a");
		*(fdt32_t *)(void *)(b + fdt_off_dt_struct(b) + off) = cpu_to_fdt32(FDT_END_NODE);
		break;
	case H_NAME_UNTERM:
		/* The last node's name runs into the end of the struct block. */
		off = fdt_path_offset(b, "/map-a");
		memset(b + fdt_off_dt_struct(b) + off + 4, 'x',
		       fdt_size_dt_struct(b) - (uint32_t)off - 4);
		break;
	case H_OVERSIZE:
		ret = load_blob(G.big, IMS_OF_MAX_BLOB_SIZE + 1u, c->name);
		free(b);
		return ret;
	}
	ret = load_blob(b, size, c->name);
	free(b);
	return ret;
}

static int run_nest(const struct bad_case *c)
{
	size_t size;
	void *b = build(nest, c->arg, 1u << 20, &size);
	int ret = load_blob(b, size, c->name);

	free(b);
	return ret;
}

static int run_dup(const struct bad_case *c)
{
	size_t size;
	void *b = build(dup_phandles, c->arg, 4096, &size);
	int ret = load_blob(b, size, c->name);

	free(b);
	return ret;
}

/*
 * A 64 MiB blob of tiny nodes under the root, written by hand: about 5.6
 * million 12-byte nodes, past IMS_OF_MAX_NODES.
 */
static int run_tiny_nodes(const struct bad_case *c)
{
	const uint32_t total = IMS_OF_MAX_BLOB_SIZE;
	const uint32_t hdr = sizeof(struct fdt_header), rsv = 16;
	uint32_t *s = (uint32_t *)(void *)(G.big + hdr + rsv);
	uint32_t struct_size = total - hdr - rsv;
	uint32_t nodes = (struct_size - 4 * 4) / 12, i = 0;
	struct timespec t0, t1;
	int ret;

	memset(G.big, 0, hdr + rsv);
	s[i++] = cpu_to_fdt32(FDT_BEGIN_NODE);
	s[i++] = 0; /* "" */
	for (uint32_t n = 0; n < nodes; n++) {
		s[i++] = cpu_to_fdt32(FDT_BEGIN_NODE);
		s[i++] = cpu_to_fdt32(0x6e000000); /* "n" */
		s[i++] = cpu_to_fdt32(FDT_END_NODE);
	}
	s[i++] = cpu_to_fdt32(FDT_END_NODE);
	s[i++] = cpu_to_fdt32(FDT_END);
	struct_size = 4 * i;
	fdt_set_magic(G.big, FDT_MAGIC);
	fdt_set_totalsize(G.big, total);
	fdt_set_off_mem_rsvmap(G.big, hdr);
	fdt_set_off_dt_struct(G.big, hdr + rsv);
	fdt_set_size_dt_struct(G.big, struct_size);
	fdt_set_off_dt_strings(G.big, hdr + rsv + struct_size);
	fdt_set_size_dt_strings(G.big, 0);
	fdt_set_version(G.big, 17);
	fdt_set_last_comp_version(G.big, 16);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = load_blob(G.big, total, c->name);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	diag("%u nodes in %u bytes: rejected in %.2f s", nodes + 1, total,
	     (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return ret;
}

/* ---- rows: files ---------------------------------------------------------------- */

enum { F_MISSING, F_DIR, F_EMPTY, F_SYNTAX, F_LABEL, F_TEXT, F_OVL_MISSING, F_TOO_MANY, F_NO_DTC };

static int run_file(const struct bad_case *c)
{
	struct ims_of_tree *t = NULL;
	const char *ovl[IMS_OF_MAX_OVERLAYS + 1];
	char path[1024], base[1024], opath[512];
	int nr_ovl = 0, ret;

	snprintf(base, sizeof(base), "%s/armada-8040-sym.dtb", FIXTURE_DIR);
	switch (c->arg) {
	case F_MISSING:
		scratch("no-such-board.dtb", path, sizeof(path));
		break;
	case F_DIR:
		scratch("board-dir.dtb", path, sizeof(path));
		mkdir(path, 0700);
		break;
	case F_EMPTY:
		write_file(scratch("empty.dtb", path, sizeof(path)), "", 0);
		break;
	case F_SYNTAX:
		write_file(scratch("syntax.dts", path, sizeof(path)),
			   "/dts-v1/;\n/ {\n\tfoo = <1 ;\n};\n", 28);
		break;
	case F_LABEL:
		write_file(scratch("badref.dts", path, sizeof(path)),
			   "/dts-v1/;\n/ {\n\tiommus = <&nosuch 1>;\n};\n", 40);
		break;
	case F_TEXT:
		write_file(scratch("notes.dtb", path, sizeof(path)),
			   "This is a README, not a flattened device tree at all.\n", 54);
		break;
	case F_OVL_MISSING:
		snprintf(path, sizeof(path), "%s", base);
		ovl[nr_ovl++] = scratch("no-such-overlay.dtbo", opath, sizeof(opath));
		break;
	case F_TOO_MANY:
		snprintf(path, sizeof(path), "%s", base);
		for (; nr_ovl <= IMS_OF_MAX_OVERLAYS; nr_ovl++)
			ovl[nr_ovl] = base;
		break;
	case F_NO_DTC:
		write_file(scratch("nodtc.dts", path, sizeof(path)), "/dts-v1/;\n/ { };\n", 17);
		setenv("IMS_DTC", "/nonexistent/dtc-for-bad-input", 1);
		break;
	}
	ret = ims_of_tree_load(&t, path, ovl, nr_ovl);
	unsetenv("IMS_DTC");
	if (!ret == !t)
		ok(false, "%s: a tree is returned exactly on success", c->name);
	ims_of_tree_free(t);
	return ret;
}

/* ---- rows: overlays --------------------------------------------------------------- */

enum {
	OV_PATH,
	OV_LABEL,
	OV_NOSYMS,
	OV_NOTARGET,
	OV_PHANDLE,
	OV_TRUNC,
	OV_MAGIC,
	OV_DEEP,
	OV_FILE
};

static void ovl_notarget(void *fdt, int arg)
{
	(void)arg;
	fdt_begin_node(fdt, "fragment@0");
	fdt_begin_node(fdt, "__overlay__");
	fdt_property_u32(fdt, "x", 1);
	fdt_end_node(fdt);
	fdt_end_node(fdt);
}

static void ovl_phandle(void *fdt, int arg)
{
	(void)arg;
	fdt_begin_node(fdt, "fragment@0");
	fdt_property_u32(fdt, "target", 0xdeadbeef);
	fdt_begin_node(fdt, "__overlay__");
	fdt_property_u32(fdt, "x", 1);
	fdt_end_node(fdt);
	fdt_end_node(fdt);
}

static void ovl_deep(void *fdt, int depth)
{
	fdt_begin_node(fdt, "fragment@0");
	fdt_property_string(fdt, "target-path", "/");
	fdt_begin_node(fdt, "__overlay__");
	nest(fdt, depth);
	fdt_end_node(fdt);
	fdt_end_node(fdt);
}

static int run_overlay(const struct bad_case *c)
{
	struct ims_of_tree *t = NULL;
	size_t bsize, osize = 0;
	const char *basename = c->arg == OV_NOSYMS ? "armada-8040.dtb" : "armada-8040-sym.dtb";
	uint8_t *base = fixture(basename, &bsize), *ovl = NULL;
	char path[1024], opath[1024];
	int ret, before;

	if (c->arg == OV_FILE) {
		const char *list[1] = { opath };

		snprintf(path, sizeof(path), "%s/%s", FIXTURE_DIR, basename);
		snprintf(opath, sizeof(opath), "%s/overlay-bad-label.dtbo", FIXTURE_DIR);
		ret = ims_of_tree_load(&t, path, list, 1);
		ims_of_tree_free(t);
		free(base);
		return ret;
	}
	if (ims_of_tree_load_blob(&t, base, bsize, basename)) {
		printf("Bail out! %s: %s\n", basename, ims_last_error());
		exit(1);
	}
	switch (c->arg) {
	case OV_PATH:
		ovl = fixture("overlay-bad-path.dtbo", &osize);
		break;
	case OV_LABEL:
	case OV_NOSYMS:
		ovl = fixture(c->arg == OV_LABEL ? "overlay-bad-label.dtbo" : "overlay-label.dtbo",
			      &osize);
		break;
	case OV_NOTARGET:
		ovl = build(ovl_notarget, 0, 4096, &osize);
		break;
	case OV_PHANDLE:
		ovl = build(ovl_phandle, 0, 4096, &osize);
		break;
	case OV_TRUNC:
		ovl = fixture("overlay-path.dtbo", &osize);
		osize -= 8;
		break;
	case OV_MAGIC:
		ovl = fixture("overlay-path.dtbo", &osize);
		ovl[3] ^= 1;
		break;
	case OV_DEEP:
		ovl = build(ovl_deep, 70, 65536, &osize);
		break;
	}
	before = ims_of_nr_nodes(t);
	ret = ims_of_tree_apply_overlay_blob(t, ovl, osize, c->name);
	if (ret && ims_of_nr_nodes(t) != before)
		ok(false, "%s: a failed overlay left %d nodes, had %d", c->name, ims_of_nr_nodes(t),
		   before);
	ims_of_tree_free(t);
	free(ovl);
	free(base);
	return ret;
}

/* ---- rows: queries on hostile.dtb ---------------------------------------------------- */

enum {
	Q_AC_FFFF,
	Q_AC_5,
	Q_SC_BIG,
	Q_NO_REG,
	Q_SHORT_REG,
	Q_UNTRANSLATABLE,
	Q_CELLS_100,
	Q_CELLS_100_FULL,
	Q_BAD_PHANDLE,
	Q_NO_CELLS,
	Q_COUNT_BAD,
	Q_MAP_14,
	Q_MAP_0,
	Q_MAP_MASK,
	Q_MAP_DANGLE,
	Q_IC_CYCLE,
	Q_IC_SELF,
	Q_DR_SIZE0,
	Q_DR_UNTRANSLATED,
	Q_DR_BIG_AC,
	Q_DR_WILD,
	Q_XLATE_BIG_SC,
	Q_U_STATUS,
	Q_U_COMPAT,
	Q_U_TYPE,
	Q_U_ICNAMES,
};

static int run_query(const struct bad_case *c)
{
	struct ims_of_phandle_args a;
	struct ims_bus_dma_region *map = NULL;
	struct ims_of_dma_config cfg;
	uint64_t addr, size;
	uint32_t out;
	int ret = -1, nr = 0, target = IMS_OF_NONE;
	const struct ims_of_tree *t = G.hostile;

	switch (c->arg) {
	case Q_AC_FFFF:
		return ims_of_get_address(t, hnode("/big-ac/dev"), 0, &addr, &size);
	case Q_AC_5:
		return ims_of_get_address(t, hnode("/five-ac/dev"), 0, &addr, &size);
	case Q_SC_BIG:
		return ims_of_get_address(t, hnode("/big-sc/dev"), 0, &addr, &size);
	case Q_NO_REG:
		return ims_of_get_address(t, hnode("/no-reg"), 0, &addr, &size);
	case Q_SHORT_REG:
		return ims_of_get_address(t, hnode("/short-reg"), 0, &addr, &size);
	case Q_UNTRANSLATABLE:
		return ims_of_get_address(t, hnode("/bus/dev"), 0, &addr, &size);
	case Q_CELLS_100:
		return ims_of_parse_phandle_with_args(t, hnode("/m100"), "iommus", "#iommu-cells",
						      0, &a);
	case Q_CELLS_100_FULL:
		/* Linux keeps MAX_PHANDLE_ARGS (16) cells and warns. */
		ret = ims_of_parse_phandle_with_args(t, hnode("/m100-full"), "iommus",
						     "#iommu-cells", 0, &a);
		is_int(a.args_count, IMS_OF_MAX_PHANDLE_ARGS, "%s: 16 cells kept", c->name);
		is_int(a.args[15], 16, "%s: the 16th cell", c->name);
		return ret;
	case Q_BAD_PHANDLE:
		return ims_of_parse_phandle_with_args(t, hnode("/m-badph"), "iommus",
						      "#iommu-cells", 0, &a);
	case Q_NO_CELLS:
		return ims_of_parse_phandle_with_args(t, hnode("/m-nocells"), "iommus",
						      "#iommu-cells", 0, &a);
	case Q_COUNT_BAD:
		return ims_of_count_phandle_with_args(t, hnode("/m100"), "iommus", "#iommu-cells");
	case Q_MAP_14:
		return ims_of_map_id(t, hnode("/map14"), 0, "iommu-map", NULL, &target, &out, NULL);
	case Q_MAP_0:
		return ims_of_map_id(t, hnode("/map0"), 0, "iommu-map", NULL, &target, &out, NULL);
	case Q_MAP_MASK:
		return ims_of_map_id(t, hnode("/map-mask"), 0x42, "msi-map", "msi-map-mask",
				     &target, &out, NULL);
	case Q_MAP_DANGLE:
		return ims_of_map_id(t, hnode("/map-dangle"), 3, "iommu-map", NULL, &target, &out,
				     NULL);
	case Q_IC_CYCLE:
		ret = ims_of_dma_get_range(t, hnode("/ic-a"), &map, &nr);
		ok(!ims_of_dma_is_coherent(t, hnode("/ic-a")),
		   "%s: of_dma_is_coherent ends on the cycle", c->name);
		break;
	case Q_IC_SELF:
		ret = ims_of_dma_get_range(t, hnode("/ic-self"), &map, &nr);
		break;
	case Q_DR_SIZE0:
		/* Linux keeps the zero-size region, which ends the map at once. */
		ret = ims_of_dma_get_range(t, hnode("/dr0"), &map, &nr);
		ok(!ret && nr == 1 && map[0].size == 0, "%s: one zero-size region", c->name);
		is_hex(ims_of_phys_to_dma(map, 0x80000000u), ~0ULL, "%s: no CPU address translates",
		       c->name);
		is_int(ims_of_dma_configure(t, hnode("/dr0/dev"), true, 0xffffffffu, &cfg), 0,
		       "%s: dma_configure completes", c->name);
		is_hex(cfg.dma_mask, 0xffffffffu, "%s: the mask stays the default", c->name);
		ims_of_dma_config_release(&cfg);
		break;
	case Q_DR_UNTRANSLATED:
		ret = ims_of_dma_get_range(t, hnode("/pbus/drbad"), &map, &nr);
		break;
	case Q_DR_BIG_AC:
		ret = ims_of_dma_get_range(t, hnode("/big-ac"), &map, &nr);
		break;
	case Q_DR_WILD:
		ret = ims_of_dma_get_range(t, hnode("/wild-cells"), &map, &nr);
		break;
	case Q_XLATE_BIG_SC:
		/* #size-cells 0x7fffffff over a "ranges": the entry size must not overflow. */
		is_hex(ims_of_translate_address(t, hnode("/big-sc/dev"), (const uint32_t[]){ 0 }),
		       IMS_OF_BAD_ADDR, "%s: untranslatable", c->name);
		return 0;
	case Q_U_STATUS:
		ok(!ims_of_device_is_available(t, hnode("/u-status")),
		   "%s: unterminated \"okay\" is not available", c->name);
		return ims_of_property_match_string(t, hnode("/u-status"), "status", "okay");
	case Q_U_COMPAT:
		ok(!ims_of_device_is_compatible(t, hnode("/u-compat"), "arm,smmu-v3"),
		   "%s: unterminated compatible never matches", c->name);
		return ims_of_property_match_string(t, hnode("/u-compat"), "compatible",
						    "arm,smmu-v3");
	case Q_U_TYPE:
		return ims_of_property_match_string(t, hnode("/u-type"), "device_type", "pci");
	case Q_U_ICNAMES:
		is_int(ims_of_get_dma_parent(t, hnode("/u-icnames")), 0,
		       "%s: the DMA parent is the parent", c->name);
		return ims_of_property_match_string(t, hnode("/u-icnames"), "interconnect-names",
						    "dma-mem");
	}
	free(map);
	return ret;
}

static int run_huge_map(const struct bad_case *c)
{
	struct ims_of_tree *t = NULL;
	struct ims_of_map_record rec;
	size_t size;
	void *b = build(huge_map, c->arg, 17u << 20, &size);
	uint32_t out = 0;
	int ret, target = IMS_OF_NONE;

	ret = ims_of_tree_load_blob(&t, b, size, c->name);
	free(b);
	if (ret)
		return ret;
	ret = ims_of_map_id(t, ims_of_find_node_by_path(t, "/pcie"), 0xfffff, "iommu-map",
			    "iommu-map-mask", &target, &out, &rec);
	if (!c->arg) {
		is_hex(out, 0x1fffff, "%s: the last entry matched", c->name);
		is_int(rec.index, (1 << 20) - 1, "%s: at index 2^20 - 1", c->name);
	}
	ims_of_tree_free(t);
	return ret;
}

/* ---- rows: model misuse --------------------------------------------------------------- */

enum {
	M3_NULL,
	M3_BASE,
	M3_SIDSIZE,
	M3_OAS,
	M3_STAGES,
	M3_GRANULE,
	M3_QUEUES,
	M3_IOTLB,
	M3_CFGC,
	M3_TXN,
	M2_NULL,
	M2_SMRG,
	M2_CB,
	M2_S2CB,
	M2_SID,
	M2_IAS,
	M2_NESTED,
	M2_TLB,
	M2_BASE,
	P_NULL,
	P_FMT,
	P_MEM,
	P_QUIRK,
	P_GRANULE,
	P_IAS_SMALL,
	I_GRANULE,
	I_GRANULE_SMALL,
	I_SIZE0,
	I_ANCHOR,
	I_FREE,
	I_RESERVE,
};

static int pgt_alloc(void *cookie, size_t size, uint64_t *pa, void **va)
{
	(void)cookie;
	*va = aligned_alloc(size, size);
	if (!*va)
		return -ENOMEM;
	memset(*va, 0, size);
	*pa = (uint64_t)(uintptr_t)*va;
	return 0;
}

static void pgt_free(void *cookie, uint64_t pa, void *va, size_t size)
{
	(void)cookie;
	(void)pa;
	(void)size;
	free(va);
}

static int run_model(const struct bad_case *c)
{
	static const struct ims_pgtable_mem_ops mem_ops = { pgt_alloc, pgt_free };
	static const struct ims_pgtable_mem_ops no_free = { pgt_alloc, NULL };
	struct ims_smmuv3_params p3;
	struct ims_smmuv2_params p2;
	struct ims_io_pgtable_cfg cfg = { 0 };
	struct ims_io_pgtable_ops *ops = NULL;
	enum ims_io_pgtable_fmt fmt = IMS_ARM_64_LPAE_S1;
	struct ims_smmuv3 *s3 = NULL;
	struct ims_smmuv2 *s2 = NULL;
	struct ims_mem *mem = NULL;
	uint64_t base3 = 0x09000000;
	int ret;

	if (ims_mem_new(&mem, NULL) || ims_mem_add_ram(mem, 0x40000000, 1 << 20)) {
		printf("Bail out! ims_mem_new\n");
		exit(1);
	}
	ims_smmuv3_params_default(&p3);
	ims_smmuv2_params_mmu500(&p2);
	p2.base = 0x20000000;
	cfg.pgsize_bitmap = (1u << 12) | (1u << 21) | (1u << 30);
	cfg.ias = 48;
	cfg.oas = 48;
	cfg.mem = &mem_ops;
	switch (c->arg) {
	case M3_NULL:
		ret = ims_smmuv3_new(NULL, mem, base3, &p3, NULL);
		goto out;
	case M3_BASE:
		base3 += 0x1000;
		break;
	case M3_SIDSIZE:
		p3.sidsize = 33;
		break;
	case M3_OAS:
		p3.oas = 47;
		break;
	case M3_STAGES:
		p3.s1p = p3.s2p = false;
		break;
	case M3_GRANULE:
		p3.gran4k = p3.gran16k = p3.gran64k = false;
		break;
	case M3_QUEUES:
		p3.cmdqs = 20;
		break;
	case M3_IOTLB:
		p3.iotlb_sets = 3;
		break;
	case M3_CFGC:
		p3.cfg_cache_entries = 6;
		break;
	case M3_TXN: {
		struct ims_txn txn = { .sid = 0, .addr = 0x1ffe, .size = 0 };
		struct ims_txn_result res;

		ret = ims_smmuv3_new(&s3, mem, base3, &p3, NULL);
		if (!ret)
			ret = ims_smmuv3_translate(s3, &txn, &res);
		goto out;
	}
	case M2_NULL:
		ret = ims_smmuv2_new(&s2, mem, NULL, NULL);
		goto out;
	case M2_SMRG:
		p2.num_smrg = 0;
		break;
	case M2_CB:
		p2.num_cb = 0;
		break;
	case M2_S2CB:
		p2.num_s2cb = p2.num_cb + 1;
		break;
	case M2_SID:
		p2.sid_bits = 16;
		break;
	case M2_IAS:
		p2.ias = 33;
		break;
	case M2_NESTED:
		p2.s2ts = false;
		p2.num_s2cb = 0;
		break;
	case M2_TLB:
		p2.tlb_sets = 6;
		break;
	case M2_BASE:
		p2.base = 0x20001000;
		break;
	case P_NULL:
		ret = ims_pgtable_alloc_ops(&ops, fmt, NULL, NULL);
		goto out;
	case P_FMT:
		fmt = (enum ims_io_pgtable_fmt)42;
		break;
	case P_MEM:
		cfg.mem = &no_free;
		break;
	case P_QUIRK:
		cfg.quirks = IMS_IO_PGTABLE_QUIRK_ARM_MTK_EXT;
		break;
	case P_GRANULE:
		cfg.pgsize_bitmap = 1u << 13;
		break;
	case P_IAS_SMALL:
		cfg.ias = 12;
		break;
	}
	if (c->arg >= I_GRANULE) {
		struct ims_iova_domain *iovad = NULL;
		struct ims_iova iova;

		ret = ims_iova_domain_create(&iovad,
					     c->arg == I_GRANULE	 ? 3000
					     : c->arg == I_GRANULE_SMALL ? 256
									 : 4096,
					     1);
		if (!ret && c->arg == I_SIZE0)
			ret = ims_iova_alloc(iovad, 0, 0xfffff, false, &iova);
		else if (!ret && c->arg == I_ANCHOR)
			ret = ims_iova_alloc(iovad, 1, IMS_IOVA_ANCHOR, false, &iova);
		else if (!ret && c->arg == I_FREE)
			ret = ims_iova_free(iovad, 0x1234);
		else if (!ret && c->arg == I_RESERVE)
			ret = ims_iova_reserve(iovad, 0x200, 0x100, &iova);
		ims_iova_domain_destroy(iovad);
		goto out;
	}
	if (c->arg < M2_NULL)
		ret = ims_smmuv3_new(&s3, mem, base3, &p3, NULL);
	else if (c->arg < P_NULL)
		ret = ims_smmuv2_new(&s2, mem, &p2, NULL);
	else
		ret = ims_pgtable_alloc_ops(&ops, fmt, &cfg, NULL);
out:
	ims_pgtable_free_ops(ops);
	ims_smmuv3_free(s3);
	ims_smmuv2_free(s2);
	ims_mem_free(mem);
	return ret;
}

/* ---- scenarios (ims_scenario_parse / ims_scenario_load / ims_scenario_run) ------------- */

/*
 * Every text is named "bad.scn"; boards and overlays are the compiled examples
 * in fuzz/scenario-files/ (SCN_FILES_DIR).  HDR is lines 1-3, so the first
 * statement after it is line 4.
 */
#define HDR "board qemu-virt-smmuv3\noverlay qemu-virt-bridges\nboot\n"
#define DEV "0000:01:00.0"

enum {
	S_LONG_LINE = 1000, /* generated texts */
	S_TOO_MANY,
	S_FILE_MISSING,
	S_FILE_NUL,
};

static const char *const scn_text[] = {
	/* 0 */ HDR "frobnicate " DEV "\n",
	/* 1 */ HDR "map rx " DEV " 4K\n",
	/* 2 */ HDR "dma_alloc ring " DEV " 4Q\n",
	/* 3 */ HDR "dev read " DEV " 0x10000000000000000 4\n",
	/* 4 */ HDR "dma_alloc ring " DEV " 2G\n",
	/* 5 */ HDR "dma_alloc b " DEV " 4K\ncpu write b 0 \"abc\n",
	/* 6 */ HDR "dma_alloc b " DEV " 4K\ndev write " DEV " b+0xfffffffffffffffe \"abcd\"\n",
	/* 7 */ HDR "map rx " DEV " 4K from-device\nunmap rx\ndev write " DEV " rx \"late\"\n",
	/* 8 */ HDR "sync nothere for-cpu\n",
	/* 9 */ "board qemu-virt-smmuv3\nmap rx " DEV " 4K to-device\nboot\n",
	/* 10 */ "board qemu-virt-smmuv3\nboard armada-8040\nboot\n",
	/* 11 */ "overlay qemu-virt-bridges\nboard qemu-virt-smmuv3\nboot\n",
	/* 12 */ "board qemu-virt-smmuv3\n# never booted\n",
	/* 13 */ "# nothing to boot\nboot\n",
	/* 14 */ HDR "map rx " DEV " 4K sideways\n",
	/* 15 */ HDR "dma_alloc b " DEV " 4K\ncpu write b 4095 \"ab\"\n",
	/* 16 */ HDR "dma_mask " DEV " 65\n",
	/* 17 */ HDR "expect fault " DEV " event F_NOPE\n",
	/* 18 */ HDR "dma_alloc b " DEV " 4K\nunmap b\n",
	/* 19 */ HDR "dma_alloc b " DEV " 4K\nmap b " DEV " 4K to-device\n",
	/* 20 */ HDR "dma_alloc b " DEV " 4K\ncpu write b 0 0x123\n",
	/* 21 */ "board qemu-virt-smmuv3\noption iommu.foo=1\nboot\n",
	/* 22 */ HDR "\"map\" rx " DEV " 4K to-device\n",
	/* runtime: the text parses, the run stops at the line named */
	/* 23 */ HDR "map rx nosuchdev 4K to-device\n",
	/* 24 */ "board no-such-board\nboot\n",
	/* 25 */ HDR "unbind 0000:01:00.1\nunbind 0000:01:00.1\n",
	/* 26 */
	"board qemu-virt-smmuv3\noverlay qemu-virt-bridges\noption iommu.passthrough=1\n"
	"boot\nfq-flush " DEV "\n",
	/* 27 */ HDR "dma_alloc huge " DEV " 1G\n",
	/* 28 */ HDR "dma_alloc b " DEV " 4K\ndev write " DEV " b \"ok\"\ncpu expect b 0 \"ok\"\n",
};

static char *scn_generated(int arg)
{
	size_t cap = 5000 * 16 + 256, len;
	char *t = malloc(cap);

	if (!t)
		return NULL;
	len = (size_t)snprintf(t, cap, "%s", HDR);
	if (arg == S_LONG_LINE) {
		len += (size_t)snprintf(t + len, cap - len, "expect log \"");
		memset(t + len, 'x', 5000);
		len += 5000;
		snprintf(t + len, cap - len, "\"\n");
	} else {
		for (int i = 0; i < IMS_SCN_MAX_STMTS; i++)
			len += (size_t)snprintf(t + len, cap - len, "expect log \"x\"\n");
	}
	return t;
}

static int run_scenario_parse(const struct bad_case *c)
{
	struct ims_scenario *s = NULL;
	char *gen = c->arg >= S_LONG_LINE ? scn_generated(c->arg) : NULL;
	int ret = ims_scenario_parse(&s, "bad.scn", SCN_FILES_DIR, gen ? gen : scn_text[c->arg]);

	if (!ret == !s)
		ok(false, "%s: a scenario is returned exactly on success", c->name);
	ims_scenario_free(s);
	free(gen);
	return ret;
}

struct scn_events {
	int errors, last_line;
};

static void scn_event(void *ctx, const struct ims_scenario_event *ev)
{
	struct scn_events *e = ctx;

	if (ev->kind == IMS_SCN_EV_ERROR) {
		e->errors++;
		e->last_line = ev->line;
	}
}

/* The text parses; the run stops with the error reported once, at its statement's line. */
static int run_scenario_run(const struct bad_case *c)
{
	struct ims_scenario_result res;
	struct ims_scenario *s = NULL;
	struct scn_events ev = { 0 };
	const struct ims_scenario_stmt *st;
	int ret = ims_scenario_parse(&s, "bad.scn", SCN_FILES_DIR, scn_text[c->arg]);

	if (ret) {
		diag("%s: does not parse: %s", c->name, ims_last_error());
		return 1;
	}
	ret = ims_scenario_run(s, scn_event, &ev, &res);
	st = res.executed ? ims_scenario_stmt(s, res.executed - 1) : NULL;
	if (ret && (res.error != ret || ev.errors != 1 || ev.last_line != res.error_line || !st ||
		    st->line != res.error_line))
		ok(false, "%s: the run reports its error once, at line %d", c->name,
		   res.error_line);
	if (!ret && res.failed)
		ret = 1; /* a clean run must hold its expectations too */
	ims_scenario_free(s);
	return ret;
}

/* ims_scenario_load() of a missing file, and of one with a NUL byte. */
static int run_scenario_file(const struct bad_case *c)
{
	static const char nul[] = "board qemu-virt-smmuv3\nboot\n# a NUL \0 here\n";
	struct ims_scenario *s = NULL;
	char path[512];
	int ret;

	if (c->arg == S_FILE_NUL)
		write_file(scratch("nul.scn", path, sizeof(path)), nul, sizeof(nul) - 1);
	else
		scratch("no-such.scn", path, sizeof(path));
	ret = ims_scenario_load(&s, path);
	ims_scenario_free(s);
	return ret;
}

/* ---- the table ------------------------------------------------------------------------ */

#define EBAD (-IMS_EBADDTB)

static const struct bad_case cases[] = {
	/* clang-format off */
	/* Blob header and structure (ims_of_tree_load_blob). */
	{ "empty.dtb", run_header, H_EMPTY, EBAD, { "empty.dtb", "truncated: 0 bytes" } },
	{ "short.dtb", run_header, H_SHORT, EBAD, { "short.dtb", "shorter than an FDT header" } },
	{ "half.dtb", run_header, H_HALF, EBAD, { "half.dtb", "truncated: header says" } },
	{ "minus1.dtb", run_header, H_MINUS1, EBAD, { "minus1.dtb", "truncated" } },
	{ "magic.dtb", run_header, H_MAGIC, EBAD, { "magic.dtb", "bad magic 0x12345678" } },
	{ "swapped.dtb", run_header, H_SWAPPED, EBAD, { "swapped.dtb", "bad magic 0xedfe0dd0" } },
	{ "huge.dtb", run_header, H_HUGE, -IMS_ELIMIT,
	  { "huge.dtb", "exceeds the 67108864-byte" } },
	{ "totalsize-small.dtb", run_header, H_TOTAL_SMALL, EBAD,
	  { "totalsize-small.dtb", "malformed device tree blob", "FDT_ERR_TRUNCATED" } },
	{ "struct-off.dtb", run_header, H_STRUCT_OFF, EBAD,
	  { "struct-off.dtb", "malformed device tree blob", "FDT_ERR_TRUNCATED" } },
	{ "strings-off.dtb", run_header, H_STRINGS_OFF, EBAD,
	  { "strings-off.dtb", "malformed device tree blob", "FDT_ERR_TRUNCATED" } },
	{ "struct-size.dtb", run_header, H_STRUCT_SIZE, EBAD,
	  { "struct-size.dtb", "malformed device tree blob", "FDT_ERR_TRUNCATED" } },
	{ "nameoff.dtb", run_header, H_NAMEOFF, EBAD,
	  { "nameoff.dtb", "malformed device tree blob", "FDT_ERR_BADOFFSET" } },
	{ "proplen.dtb", run_header, H_PROPLEN, EBAD,
	  { "proplen.dtb", "property at structure offset 0x118", "length 0x7ffffff0, past the end" } },
	{ "proplen-neg.dtb", run_header, H_PROPLEN_NEG, EBAD,
	  { "proplen-neg.dtb", "property at structure offset 0x118", "length 0xfffffffc, past the end" } },
	{ "proplen-minus12.dtb", run_header, H_PROPLEN_M12, EBAD,
	  { "proplen-minus12.dtb", "property at structure offset 0x118", "length 0xfffffff4" } },
	{ "version1.dtb", run_header, H_VERSION, EBAD,
	  { "version1.dtb", "malformed device tree blob", "FDT_ERR_BADVERSION" } },
	{ "version15-root.dtb", run_header, H_OLD_ROOT, EBAD,
	  { "version15-root.dtb", "version 15 root node name is not a path" } },
	{ "lastcomp.dtb", run_header, H_LAST_COMP, EBAD,
	  { "lastcomp.dtb", "malformed device tree blob", "FDT_ERR_BADVERSION" } },
	{ "rsvmap.dtb", run_header, H_RSVMAP, EBAD,
	  { "rsvmap.dtb", "malformed device tree blob", "FDT_ERR_TRUNCATED" } },
	{ "badtag.dtb", run_header, H_BADTAG, EBAD,
	  { "badtag.dtb", "malformed device tree blob", "FDT_ERR_BADSTRUCTURE" } },
	{ "endnode.dtb", run_header, H_ENDNODE, EBAD,
	  { "endnode.dtb", "malformed device tree blob", "FDT_ERR_BADSTRUCTURE" } },
	{ "name-unterminated.dtb", run_header, H_NAME_UNTERM, EBAD,
	  { "name-unterminated.dtb", "malformed device tree blob", "FDT_ERR_BADSTRUCTURE" } },
	{ "oversize.dtb", run_header, H_OVERSIZE, -IMS_ELIMIT,
	  { "oversize.dtb", "67108865 bytes exceeds the 67108864-byte limit" } },
	{ "deep-10000.dtb", run_nest, 10000, -IMS_ELIMIT,
	  { "deep-10000.dtb", "nested deeper than the limit of 64", "node /n/n/n/n" } },
	{ "deep-65.dtb", run_nest, IMS_OF_MAX_DEPTH + 1, -IMS_ELIMIT,
	  { "deep-65.dtb", "nested deeper than the limit of 64" } },
	{ "deep-64.dtb", run_nest, IMS_OF_MAX_DEPTH, 0, { 0 } },
	{ "dup-phandle.dtb", run_dup, 0, EBAD,
	  { "dup-phandle.dtb", "duplicate phandle 0x5 on nodes /a and /b" } },
	{ "dup-linux-phandle.dtb", run_dup, 1, EBAD,
	  { "dup-linux-phandle.dtb", "duplicate phandle 0x5 on nodes /a and /b" } },
	{ "tiny-nodes-64M.dtb", run_tiny_nodes, 0, -IMS_ELIMIT,
	  { "tiny-nodes-64M.dtb", "more than 1048576 nodes" } },
	/* Files (ims_of_tree_load). */
	{ "nonexistent file", run_file, F_MISSING, -ENOENT,
	  { "no-such-board.dtb", "cannot open", "No such file" } },
	{ "directory as a board", run_file, F_DIR, -EISDIR,
	  { "board-dir.dtb", "read failed", "Is a directory" } },
	{ "empty file", run_file, F_EMPTY, EBAD, { "empty.dtb", "truncated: 0 bytes" } },
	{ "dts syntax error", run_file, F_SYNTAX, -IMS_ETOOL,
	  { "syntax.dts", "dtc failed", "syntax error" } },
	{ "dts undefined label", run_file, F_LABEL, -IMS_ETOOL,
	  { "badref.dts", "dtc failed", "nosuch" } },
	{ "text as .dtb", run_file, F_TEXT, EBAD, { "notes.dtb", "bad magic" } },
	{ "missing overlay file", run_file, F_OVL_MISSING, -ENOENT,
	  { "no-such-overlay.dtbo", "cannot open" } },
	{ "65 overlays", run_file, F_TOO_MANY, -IMS_ELIMIT,
	  { "armada-8040-sym.dtb", "65 overlays exceed the limit of 64" } },
	{ "dtc missing", run_file, F_NO_DTC, -IMS_ETOOL,
	  { "nodtc.dts", "cannot run /nonexistent/dtc-for-bad-input" } },
	/* Overlays. */
	{ "ovl-missing-path.dtbo", run_overlay, OV_PATH, -IMS_EOVERLAY,
	  { "ovl-missing-path.dtbo", "target-path \"/no/such/node\" not found in the base" } },
	{ "ovl-missing-label.dtbo", run_overlay, OV_LABEL, -IMS_EOVERLAY,
	  { "ovl-missing-label.dtbo", "target label 'nosuchlabel' not found" } },
	{ "ovl-label-no-symbols.dtbo", run_overlay, OV_NOSYMS, -IMS_EOVERLAY,
	  { "ovl-label-no-symbols.dtbo", "'pcie0'", "has no __symbols__" } },
	{ "ovl-no-target.dtbo", run_overlay, OV_NOTARGET, -IMS_EOVERLAY,
	  { "ovl-no-target.dtbo", "fragment@0: has neither target nor target-path" } },
	{ "ovl-bad-phandle.dtbo", run_overlay, OV_PHANDLE, -IMS_EOVERLAY,
	  { "ovl-bad-phandle.dtbo", "target phandle 0xdeadbeef not found" } },
	{ "ovl-truncated.dtbo", run_overlay, OV_TRUNC, EBAD,
	  { "ovl-truncated.dtbo", "truncated" } },
	{ "ovl-magic.dtbo", run_overlay, OV_MAGIC, EBAD, { "ovl-magic.dtbo", "bad magic" } },
	{ "ovl-deep.dtbo", run_overlay, OV_DEEP, -IMS_ELIMIT,
	  { "nested deeper than the limit of 64", "node /n/n/n" } },
	{ "overlay file, missing label", run_overlay, OV_FILE, -IMS_EOVERLAY,
	  { "overlay-bad-label.dtbo", "nosuchlabel" } },
	/* Queries on a loaded tree of hostile properties. */
	{ "#address-cells 0xffffffff", run_query, Q_AC_FFFF, -EINVAL,
	  { "hostile.dtb", "node /big-ac/dev", "bad #address-cells -1" } },
	{ "#address-cells 5", run_query, Q_AC_5, -EINVAL,
	  { "hostile.dtb", "node /five-ac/dev", "bad #address-cells 5" } },
	{ "#size-cells 0x7fffffff", run_query, Q_SC_BIG, -EINVAL,
	  { "node /big-sc/dev", "bad #size-cells 2147483647" } },
	{ "no reg", run_query, Q_NO_REG, -EINVAL, { "node /no-reg", "no property reg" } },
	{ "reg too short", run_query, Q_SHORT_REG, -EINVAL,
	  { "node /short-reg", "property reg has no entry 0" } },
	{ "reg untranslatable", run_query, Q_UNTRANSLATABLE, -EINVAL,
	  { "node /bus/dev", "reg entry 0 is not translatable" } },
	{ "#iommu-cells 100, 3 cells", run_query, Q_CELLS_100, -EINVAL,
	  { "node /m100", "iommus", "#iommu-cells = 100 but only 3 cells follow" } },
	{ "#iommu-cells 100, 100 cells", run_query, Q_CELLS_100_FULL, 0, { 0 } },
	{ "iommus unknown phandle", run_query, Q_BAD_PHANDLE, -EINVAL,
	  { "node /m-badph", "iommus", "could not find phandle 0x99" } },
	{ "iommus provider without #iommu-cells", run_query, Q_NO_CELLS, -EINVAL,
	  { "node /m-nocells", "could not get #iommu-cells for /nocells" } },
	{ "count over a short list", run_query, Q_COUNT_BAD, -EINVAL,
	  { "node /m100", "#iommu-cells = 100" } },
	{ "iommu-map of 14 bytes", run_query, Q_MAP_14, -EINVAL,
	  { "hostile.dtb", "node /map14", "bad iommu-map length 14" } },
	{ "empty iommu-map", run_query, Q_MAP_0, -EINVAL,
	  { "node /map0", "bad iommu-map length 0" } },
	{ "msi-map id-base outside the mask", run_query, Q_MAP_MASK, -EFAULT,
	  { "node /map-mask", "msi-map entry 0", "id-base 0x100 has bits outside msi-map-mask 0xff" } },
	{ "iommu-map dangling phandle", run_query, Q_MAP_DANGLE, -ENODEV,
	  { "node /map-dangle", "iommu-map entry 0", "phandle 0x77 names no node" } },
	{ "interconnects dma-mem cycle", run_query, Q_IC_CYCLE, -ELOOP,
	  { "hostile.dtb", "node /ic-a", "form a cycle" } },
	{ "interconnects to itself", run_query, Q_IC_SELF, -ELOOP,
	  { "node /ic-self", "form a cycle" } },
	{ "dma-ranges of size 0", run_query, Q_DR_SIZE0, 0, { 0 } },
	{ "dma-ranges untranslatable", run_query, Q_DR_UNTRANSLATED, -EINVAL,
	  { "node /pbus/drbad", "dma-ranges has no entry that parses and translates" } },
	{ "dma-ranges with #address-cells 0xffffffff", run_query, Q_DR_BIG_AC, -EINVAL,
	  { "node /big-ac", "dma-ranges has no entry" } },
	{ "dma-ranges with cell counts summing past INT_MAX", run_query, Q_DR_WILD, -EINVAL,
	  { "node /wild-cells", "dma-ranges has no entry" } },
	{ "ranges with #size-cells 0x7fffffff", run_query, Q_XLATE_BIG_SC, 0, { 0 } },
	{ "unterminated status", run_query, Q_U_STATUS, -EILSEQ,
	  { "node /u-status", "property status is not NUL-terminated" } },
	{ "unterminated compatible", run_query, Q_U_COMPAT, -EILSEQ,
	  { "node /u-compat", "property compatible is not NUL-terminated" } },
	{ "unterminated device_type", run_query, Q_U_TYPE, -EILSEQ,
	  { "node /u-type", "property device_type is not NUL-terminated" } },
	{ "unterminated interconnect-names", run_query, Q_U_ICNAMES, -EILSEQ,
	  { "node /u-icnames", "property interconnect-names is not NUL-terminated" } },
	{ "iommu-map-2^20.dtb", run_huge_map, 0, 0, { 0 } },
	{ "iommu-map-2^20-bad.dtb", run_huge_map, 1, -EFAULT,
	  { "iommu-map-2^20-bad.dtb", "node /pcie", "iommu-map entry 1048575" } },
	/* Model misuse through the public API. */
	{ "smmuv3 NULL out", run_model, M3_NULL, -EINVAL, { "ims_smmuv3_new: NULL argument" } },
	{ "smmuv3 base", run_model, M3_BASE, -EINVAL,
	  { "ims_smmuv3_new", "base 0x9001000 not 64K aligned" } },
	{ "smmuv3 sidsize", run_model, M3_SIDSIZE, -EINVAL, { "ims_smmuv3_new", "SIDSIZE 33" } },
	{ "smmuv3 oas", run_model, M3_OAS, -EINVAL,
	  { "ims_smmuv3_new", "OAS 47 is not an architected size" } },
	{ "smmuv3 no stage", run_model, M3_STAGES, -EINVAL,
	  { "ims_smmuv3_new", "neither stage 1 nor stage 2" } },
	{ "smmuv3 no granule", run_model, M3_GRANULE, -EINVAL,
	  { "ims_smmuv3_new", "no translation granule" } },
	{ "smmuv3 queues", run_model, M3_QUEUES, -EINVAL, { "ims_smmuv3_new", "CMDQS/EVENTQS" } },
	{ "smmuv3 iotlb", run_model, M3_IOTLB, -EINVAL,
	  { "ims_smmuv3_new", "bad IOTLB geometry 3x" } },
	{ "smmuv3 cfg cache", run_model, M3_CFGC, -EINVAL,
	  { "ims_smmuv3_new", "bad configuration cache size 6" } },
	{ "smmuv3 transaction of size 0", run_model, M3_TXN, -EINVAL,
	  { "smmuv3", "bad transaction (size 0 at 0x1ffe)" } },
	{ "smmuv2 NULL params", run_model, M2_NULL, -EINVAL, { "ims_smmuv2_new: NULL argument" } },
	{ "smmuv2 num_smrg", run_model, M2_SMRG, -EINVAL,
	  { "ims_smmuv2_new", "num_smrg 0 out of range" } },
	{ "smmuv2 num_cb", run_model, M2_CB, -EINVAL,
	  { "ims_smmuv2_new", "num_cb 0 out of range" } },
	{ "smmuv2 num_s2cb", run_model, M2_S2CB, -EINVAL,
	  { "ims_smmuv2_new", "num_s2cb 17 exceeds num_cb 16" } },
	{ "smmuv2 sid_bits", run_model, M2_SID, -EINVAL,
	  { "ims_smmuv2_new", "sid_bits 16 out of range" } },
	{ "smmuv2 ias", run_model, M2_IAS, -EINVAL, { "ims_smmuv2_new", "ias/oas/ubs 33/" } },
	{ "smmuv2 nested without stage 2", run_model, M2_NESTED, -EINVAL,
	  { "ims_smmuv2_new", "nested translation needs both stages" } },
	{ "smmuv2 tlb", run_model, M2_TLB, -EINVAL, { "ims_smmuv2_new", "TLB geometry 6 x" } },
	{ "smmuv2 base", run_model, M2_BASE, -EINVAL,
	  { "ims_smmuv2_new", "base 0x20001000 not aligned" } },
	{ "pgtable NULL cfg", run_model, P_NULL, -EINVAL,
	  { "ims_pgtable_alloc_ops: NULL argument" } },
	{ "pgtable format", run_model, P_FMT, -EINVAL,
	  { "ims_pgtable_alloc_ops", "unknown format 42" } },
	{ "pgtable mem ops", run_model, P_MEM, -EINVAL,
	  { "ims_pgtable_alloc_ops", "cfg->mem needs alloc and free" } },
	{ "pgtable MTK quirk on stage 1", run_model, P_QUIRK, -EINVAL,
	  { "ims_pgtable_alloc_ops", "stage 1: unsupported quirks 0x8" } },
	{ "pgtable 8K granule", run_model, P_GRANULE, -EINVAL,
	  { "ims_pgtable_alloc_ops", "no 4K, 16K or 64K granule" } },
	{ "pgtable ias 12", run_model, P_IAS_SMALL, -EINVAL,
	  { "ims_pgtable_alloc_ops", "ias 12 not above the granule shift" } },
	{ "iova granule 3000", run_model, I_GRANULE, -EINVAL,
	  { "init_iova_domain", "granule 0xbb8 is not a power of two >= 512" } },
	{ "iova granule 256", run_model, I_GRANULE_SMALL, -EINVAL,
	  { "init_iova_domain", "granule 0x100" } },
	{ "iova alloc of size 0", run_model, I_SIZE0, -EINVAL, { "alloc_iova: size 0" } },
	{ "iova alloc below the anchor", run_model, I_ANCHOR, -EINVAL,
	  { "alloc_iova", "limit_pfn 0xffffffffffffffff is the anchor" } },
	{ "iova free of nothing", run_model, I_FREE, -ENOENT,
	  { "free_iova", "no range contains pfn 0x1234" } },
	{ "iova reserve reversed", run_model, I_RESERVE, -EINVAL,
	  { "reserve_iova", "pfn_lo 0x200 above pfn_hi 0x100" } },
	/* Scenario syntax errors (ims_scenario_parse): -EINVAL, "FILE:LINE: problem". */
	{ "scn unknown statement", run_scenario_parse, 0, -EINVAL,
	  { "bad.scn:4: ", "unknown statement \"frobnicate\"" } },
	{ "scn missing argument", run_scenario_parse, 1, -EINVAL,
	  { "bad.scn:4: ", "usage: map NAME DEV SIZE to-device|from-device|bidirectional" } },
	{ "scn bad number", run_scenario_parse, 2, -EINVAL,
	  { "bad.scn:4: ", "SIZE: \"4Q\" is not a number" } },
	{ "scn number past 64 bits", run_scenario_parse, 3, -EINVAL,
	  { "bad.scn:4: ", "ADDR: 0x10000000000000000 overflows 64 bits" } },
	{ "scn size over 1 GiB", run_scenario_parse, 4, -EINVAL,
	  { "bad.scn:4: ", "SIZE 2G: expected 1 byte .. 1 GiB" } },
	{ "scn unterminated string", run_scenario_parse, 5, -EINVAL,
	  { "bad.scn:5: ", "unterminated string" } },
	{ "scn address overflow", run_scenario_parse, 6, -EINVAL,
	  { "bad.scn:5: ", "ADDR: b+0xfffffffffffffffe plus 4 bytes overflows" } },
	{ "scn DMA through an unmapped buffer", run_scenario_parse, 7, -EINVAL,
	  { "bad.scn:6: ", "buffer rx was already unmapped" } },
	{ "scn buffer never allocated", run_scenario_parse, 8, -EINVAL,
	  { "bad.scn:4: ", "buffer nothere was never allocated" } },
	{ "scn DMA before boot", run_scenario_parse, 9, -EINVAL,
	  { "bad.scn:2: ", "map before boot" } },
	{ "scn a second board", run_scenario_parse, 10, -EINVAL,
	  { "bad.scn:2: ", "a second board" } },
	{ "scn overlay before board", run_scenario_parse, 11, -EINVAL,
	  { "bad.scn:1: ", "overlay before board" } },
	{ "scn no boot", run_scenario_parse, 12, -EINVAL, { "bad.scn:2: ", "no boot statement" } },
	{ "scn boot without a board", run_scenario_parse, 13, -EINVAL,
	  { "bad.scn:2: ", "boot without a board" } },
	{ "scn bad direction", run_scenario_parse, 14, -EINVAL,
	  { "bad.scn:4: ", "DIR: \"sideways\": expected to-device, from-device or bidirectional" } },
	{ "scn write past the buffer", run_scenario_parse, 15, -EINVAL,
	  { "bad.scn:5: ", "offset 0xfff + 2 bytes lies outside buffer b (4096 bytes)" } },
	{ "scn dma_mask 65", run_scenario_parse, 16, -EINVAL,
	  { "bad.scn:4: ", "dma_mask: 65 bits, expected 1..64" } },
	{ "scn unknown fault event", run_scenario_parse, 17, -EINVAL,
	  { "bad.scn:4: ", "expect fault: unknown event F_NOPE" } },
	{ "scn unmap of a coherent buffer", run_scenario_parse, 18, -EINVAL,
	  { "bad.scn:5: ", "buffer b is a coherent (dma_alloc) buffer; this needs a streaming (map) one" } },
	{ "scn buffer allocated twice", run_scenario_parse, 19, -EINVAL,
	  { "bad.scn:5: ", "buffer b exists already" } },
	{ "scn odd hex data", run_scenario_parse, 20, -EINVAL,
	  { "bad.scn:5: ", "DATA: expected \"text\" or 0x and an even number of hex digits, got 0x123" } },
	{ "scn unknown option", run_scenario_parse, 21, -EINVAL,
	  { "bad.scn:2: ", "option: unknown key iommu.foo" } },
	{ "scn quoted keyword", run_scenario_parse, 22, -EINVAL,
	  { "bad.scn:4: ", "a statement starts with a keyword, not a string" } },
	{ "scn line of 5000 characters", run_scenario_parse, S_LONG_LINE, -EINVAL,
	  { "bad.scn:4: ", "a line longer than 4096 characters" } },
	{ "scn 4096 statements", run_scenario_parse, S_TOO_MANY, -EINVAL,
	  { "bad.scn:4096: ", "too many statements (at most 4095)" } },
	{ "scn file missing", run_scenario_file, S_FILE_MISSING, -ENOENT,
	  { "no-such.scn: cannot open" } },
	{ "scn NUL byte", run_scenario_file, S_FILE_NUL, -EINVAL,
	  { "nul.scn: a NUL byte in the file" } },
	/* Impossible scenarios (ims_scenario_run): the run stops at the line named. */
	{ "scn unknown device", run_scenario_run, 23, -ENODEV,
	  { "bad.scn:4: ", "unknown device nosuchdev" } },
	{ "scn board file missing", run_scenario_run, 24, -ENOENT,
	  { "bad.scn:2: ", "boot failed", "no-such-board" } },
	{ "scn unbind without a driver", run_scenario_run, 25, -ENODEV,
	  { "bad.scn:5: ", "0000:01:00.1 has no driver to unbind" } },
	{ "scn fq-flush on passthrough", run_scenario_run, 26, -ENODEV,
	  { "bad.scn:5: ", "0000:01:00.0 is not on dma-iommu" } },
	{ "scn dma_alloc of 1 GiB", run_scenario_run, 27, -ENOMEM,
	  { "bad.scn:4: ", "dma_alloc_coherent(0000:01:00.0, 1073741824) failed" } },
	{ "scn a valid scenario runs", run_scenario_run, 28, 0, { 0 } },
	/* clang-format on */
};

static void setup(void)
{
	size_t size;
	void *b;

	snprintf(G.dir, sizeof(G.dir), "/tmp/ims-bad-input-XXXXXX");
	if (!mkdtemp(G.dir)) {
		printf("Bail out! mkdtemp\n");
		exit(1);
	}
	G.mapid = fixture("map-id.dtb", &G.mapid_size);
	G.big = calloc(1, IMS_OF_MAX_BLOB_SIZE + 64u);
	b = build(hostile, 0, 1 << 16, &size);
	if (!G.big || ims_of_tree_load_blob(&G.hostile, b, size, "hostile.dtb")) {
		printf("Bail out! hostile.dtb: %s\n", ims_last_error());
		exit(1);
	}
	free(b);
}

static void teardown(void)
{
	static const char *const files[] = { "empty.dtb", "syntax.dts", "badref.dts",
					     "notes.dtb", "nodtc.dts",	"nul.scn" };
	char path[512];

	for (size_t i = 0; i < ARRAY_SIZE_T(files); i++)
		unlink(scratch(files[i], path, sizeof(path)));
	rmdir(scratch("board-dir.dtb", path, sizeof(path)));
	rmdir(G.dir);
	ims_of_tree_free(G.hostile);
	free(G.mapid);
	free(G.big);
}

int main(void)
{
	setup();
	diag("%zu rows", ARRAY_SIZE_T(cases));
	for (size_t i = 0; i < ARRAY_SIZE_T(cases); i++) {
		const struct bad_case *c = &cases[i];
		const char *msg;
		bool named = true;
		int ret;

		ims_clear_error();
		ret = c->run(c);
		msg = ims_last_error();
		is_int(ret, c->want, "%s: %s", c->name, ims_errname(c->want));
		if (!c->want)
			continue;
		for (int k = 0; k < 3 && c->needle[k]; k++)
			if (!strstr(msg, c->needle[k])) {
				diag("  missing '%s'", c->needle[k]);
				named = false;
			}
		ok(named, "%s: message \"%s\"", c->name, msg);
	}
	teardown();
	return tap_done();
}
