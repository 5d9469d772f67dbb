/* SPDX-License-Identifier: MIT */
/*
 * Corpus check over Debian's arm64 DTBs: every DTB loads; "iommus" parses on
 * every node and agrees with a raw re-read of the property; of_map_id on
 * every iommu-map / msi-map agrees with an independent recomputation for a
 * sample of ids; dma configuration and reg translation never crash.
 * usage: test-corpus DTB-DIR   (prints TAP-style lines; exit 0 pass, 1 fail)
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libfdt.h>

#include <iommusim/of.h>

static int nr_dtbs, nr_fail, nr_maps, nr_map_checks, nr_iommus, nr_spec_checks, nr_nodes;
static int line;

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Independent of_map_id: returns the expected errno-style code, *target and *out. */
static int expect_map(const void *blob, int np, const char *map_name, const char *mask_name,
		      uint32_t id, int *target, uint32_t *out)
{
	int len, mlen;
	const uint8_t *m = fdt_getprop(blob, np, map_name, &len);
	const uint8_t *mk = fdt_getprop(blob, np, mask_name, &mlen);
	uint32_t mask = (mk && mlen >= 4) ? be32(mk) : 0xffffffff, masked = id & mask;

	*target = IMS_OF_NONE;
	*out = 0;
	if (!m)
		return -ENODEV;
	if (len == 0 || len % 16)
		return -EINVAL;
	for (int i = 0; i < len; i += 16) {
		uint32_t base = be32(m + i), out_base = be32(m + i + 8), n = be32(m + i + 12);
		uint64_t end = (uint64_t)base + n;
		int node;

		if (base & ~mask)
			return -EFAULT;
		if (end > 0xffffffffULL)
			end &= 0xffffffffULL; /* the kernel's u32 wrap */
		if (masked < base || masked >= end)
			continue;
		node = fdt_node_offset_by_phandle(blob, be32(m + i + 4));
		if (node < 0 || !be32(m + i + 4))
			return -ENODEV;
		*target = node;
		*out = masked - base + out_base;
		return 0;
	}
	*out = id;
	return 0;
}

static int check_maps(const struct ims_of_tree *t, int np, const char *map_name,
		      const char *mask_name, char *why, size_t wlen)
{
	const void *blob = ims_of_tree_blob(t, NULL);
	static const uint32_t fixed[] = { 0, 1, 0x8, 0xff, 0x100, 0x1ff, 0xffff };
	uint32_t ids[7 + 2 * 64];
	int nid = 0, len, bad = 0;
	const uint8_t *m = fdt_getprop(blob, np, map_name, &len);

	if (!m)
		return 0;
	nr_maps++;
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		ids[nid++] = fixed[i];
	for (int i = 0; i + 16 <= len && nid + 2 <= (int)(sizeof(ids) / sizeof(ids[0])); i += 16) {
		ids[nid++] = be32(m + i);
		ids[nid++] = be32(m + i) + be32(m + i + 12) - 1;
	}
	for (int i = 0; i < nid; i++) {
		int want_t, got_t = IMS_OF_NONE;
		uint32_t want_out, got_out = 0;
		int want = expect_map(blob, np, map_name, mask_name, ids[i], &want_t, &want_out);
		int got = ims_of_map_id(t, np, ids[i], map_name, mask_name, &got_t, &got_out, NULL);

		nr_map_checks++;
		if (got != want || (!got && (got_t != want_t || got_out != want_out))) {
			char p[256];

			snprintf(why, wlen, "%s on %s id 0x%x: got %d/%d/0x%x want %d/%d/0x%x",
				 map_name, ims_of_node_path(t, np, p, sizeof(p)), ids[i], got,
				 got_t, got_out, want, want_t, want_out);
			bad++;
		}
	}
	return bad;
}

static int check_iommus(const struct ims_of_tree *t, int np, char *why, size_t wlen)
{
	const void *blob = ims_of_tree_blob(t, NULL);
	int len, pos = 0, idx = 0, bad = 0, count, nr;
	const uint8_t *l = fdt_getprop(blob, np, "iommus", &len);
	struct ims_of_phandle_args specs[64];
	char p[256];

	if (!l)
		return 0;
	nr_iommus++;
	count = ims_of_count_phandle_with_args(t, np, "iommus", "#iommu-cells");
	ims_of_iommu_configure_dev(t, np, specs, 64, &nr);
	/* Re-read the raw cells: each entry is a phandle then #iommu-cells cells. */
	while (pos + 4 <= len / 4 * 4) {
		struct ims_of_phandle_args a;
		uint32_t ph = be32(l + pos);
		int node = ph ? fdt_node_offset_by_phandle(blob, ph) : -1, clen, ret;
		const uint8_t *c =
			node >= 0 ? fdt_getprop(blob, node, "#iommu-cells", &clen) : NULL;
		uint32_t cells = c && clen >= 4 ? be32(c) : 0;

		ret = ims_of_parse_phandle_with_args(t, np, "iommus", "#iommu-cells", idx, &a);
		nr_spec_checks++;
		if (!ph) {
			if (ret != -ENOENT)
				bad++;
			pos += 4;
			idx++;
			continue;
		}
		if (node < 0 || !c || clen < 4 || pos + 4 + 4 * (uint64_t)cells > (uint64_t)len) {
			if (ret != -EINVAL)
				bad++;
			break;
		}
		if (ret || a.np != node || a.args_count != (int)(cells > 16 ? 16 : cells))
			bad++;
		for (int i = 0; !ret && i < a.args_count; i++)
			if (a.args[i] != be32(l + pos + 4 + 4 * i))
				bad++;
		pos += 4 + 4 * (int)cells;
		idx++;
	}
	if (pos + 4 > len / 4 * 4 && count != idx)
		bad++;
	if (bad)
		snprintf(why, wlen, "iommus on %s disagrees (count %d, idx %d)",
			 ims_of_node_path(t, np, p, sizeof(p)), count, idx);
	return bad;
}

static int visit(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	struct ims_of_tree *t;
	char why[512] = "";
	size_t n = strlen(path);
	int ret, bad = 0;

	(void)sb;
	(void)ftw;
	if (type != FTW_F || n < 4 || strcmp(path + n - 4, ".dtb"))
		return 0;
	nr_dtbs++;
	ret = ims_of_tree_load(&t, path, NULL, 0);
	if (ret) {
		printf("not ok %d - %s: %s\n", ++line, path, ims_last_error());
		nr_fail++;
		return 0;
	}
	for (int i = 0; i < ims_of_nr_nodes(t); i++) {
		int np = ims_of_node_by_index(t, i);
		struct ims_of_dma_config cfg;
		uint64_t a, s;

		nr_nodes++;
		bad += check_iommus(t, np, why, sizeof(why));
		bad += check_maps(t, np, "iommu-map", "iommu-map-mask", why, sizeof(why));
		bad += check_maps(t, np, "msi-map", "msi-map-mask", why, sizeof(why));
		ims_of_msi_map_id_walk(t, np, 0x100, NULL, NULL, NULL);
		ims_of_get_address(t, np, 0, &a, &s);
		if (!ims_of_dma_configure(t, np, true, 0xffffffff, &cfg))
			ims_of_dma_config_release(&cfg);
	}
	ims_of_tree_free(t);
	if (bad) {
		printf("not ok %d - %s: %d mismatches, e.g. %s\n", ++line, path, bad, why);
		nr_fail++;
	} else {
		printf("ok %d - %s\n", ++line, path);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct timespec t0, t1;

	if (argc != 2) {
		fprintf(stderr, "usage: test-corpus DTB-DIR\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (nftw(argv[1], visit, 16, FTW_PHYS)) {
		perror(argv[1]);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("1..%d\n", line);
	printf("# %d DTBs, %d nodes, %d iommus lists (%d entries checked), %d maps (%d ids "
	       "checked), %d failed, %.2f s\n",
	       nr_dtbs, nr_nodes, nr_iommus, nr_spec_checks, nr_maps, nr_map_checks, nr_fail,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	if (nr_dtbs == 0) {
		printf("# no DTBs found under %s\n", argv[1]);
		return 1;
	}
	return nr_fail ? 1 : 0;
}
