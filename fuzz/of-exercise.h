/* SPDX-License-Identifier: MIT */
/*
 * The device-tree walk shared by fuzz-of-load and fuzz-of-overlay: every
 * node of a loaded tree goes through what Linux runs when it wires a device
 * to an IOMMU (iommus, iommu-map / msi-map, dma-ranges, coherency, reg),
 * and the results are checked against independent recomputations made
 * directly from the blob with libfdt:
 *
 *  - of_map_id(): a naive re-reading of the map (mask, the u32 wrap of
 *    id-base + length, -EFAULT / -ENODEV / bypass, a preset target), with
 *    phandles resolved by a linear scan instead of the sorted index;
 *  - "iommus": a raw cell-by-cell walk against of_parse_phandle_with_args(),
 *    of_count_phandle_with_args() and of_iommu_configure_dev();
 *  - of_dma_get_range(): the map is terminated, non-empty, and its first
 *    region translates both ways;
 *  - node handles: parent, depth and path agree with libfdt.
 */
#ifndef IMS_FUZZ_OF_EXERCISE_H
#define IMS_FUZZ_OF_EXERCISE_H

#include <string.h>

#include <libfdt.h>

#include <iommusim/of.h>

#include "fuzz.h"

/* Nodes exercised per tree, and "iommus" entries checked per node. */
#define FX_MAX_NODES 4096
#define FX_MAX_ENTRIES 64
#define FX_MAX_SPECS 8
/* Nodes whose parent and depth are checked against libfdt's O(n) scans. */
#define FX_MAX_SCANNED 256

struct fx {
	const struct ims_of_tree *t;
	const void *blob;
	uint32_t ids[4]; /* ids derived from the input */
	/* Every node's phandle, read once, in node order (not the loader's sorted index). */
	uint32_t *phandle;
	int nr;
};

static uint32_t fx_be32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* A phandle resolved by scanning every node (the library uses a sorted index). */
static int fx_phandle_node(const struct fx *x, uint32_t ph)
{
	if (!ph || ph == 0xffffffffu)
		return IMS_OF_NONE;
	for (int i = 0; i < x->nr; i++)
		if (x->phandle[i] == ph)
			return ims_of_node_by_index(x->t, i);
	return IMS_OF_NONE;
}

/* of_map_id(), re-read from the raw property. */
static int fx_map_id(const struct fx *x, int np, const char *map_name, const char *mask_name,
		     uint32_t id, int *target, uint32_t *out)
{
	int len, mlen;
	const uint8_t *m = fdt_getprop(x->blob, np, map_name, &len);
	const uint8_t *mk = fdt_getprop(x->blob, np, mask_name, &mlen);
	uint32_t mask = (mk && mlen >= 4) ? fx_be32(mk) : 0xffffffffu, masked = id & mask;

	if (!m) {
		*out = id;
		return target ? -ENODEV : 0;
	}
	if (len <= 0 || len % 16)
		return -EINVAL;
	for (int i = 0; i < len; i += 16) {
		uint32_t base = fx_be32(m + i), ph = fx_be32(m + i + 4);
		uint32_t out_base = fx_be32(m + i + 8), n = fx_be32(m + i + 12);
		uint64_t end = (uint64_t)base + n;
		int node;

		if (base & ~mask)
			return -EFAULT;
		if (end > 0xffffffffu)
			end -= 1ULL << 32; /* Linux computes id-base + length in a u32 */
		if (masked < base || masked >= end)
			continue;
		node = fx_phandle_node(x, ph);
		if (node == IMS_OF_NONE)
			return -ENODEV;
		if (target) {
			if (*target == IMS_OF_NONE)
				*target = node;
			if (*target != node)
				continue;
		}
		*out = masked - base + out_base;
		return 0;
	}
	*out = id;
	return 0;
}

static void fx_check_map(const struct fx *x, int np, const char *map_name, const char *mask_name)
{
	uint32_t ids[8 + 3 * 8];
	int nid = 0, len;
	const uint8_t *m = fdt_getprop(x->blob, np, map_name, &len);

	memcpy(ids, x->ids, sizeof(x->ids));
	nid = 4;
	ids[nid++] = 0;
	ids[nid++] = 0xffffffffu;
	for (int i = 0; m && i + 16 <= len && i < 8 * 16; i += 16) {
		ids[nid++] = fx_be32(m + i);
		ids[nid++] = fx_be32(m + i) + fx_be32(m + i + 12) - 1;
		ids[nid++] = fx_be32(m + i) + fx_be32(m + i + 12);
	}
	/* Without the map every id takes the same path: one is enough. */
	if (!m)
		nid = 1;
	for (int i = 0; i < nid; i++) {
		int want_t = IMS_OF_NONE, got_t = IMS_OF_NONE, want, got;
		uint32_t want_out = 0, got_out = 0;
		struct ims_of_map_record rec;

		want = fx_map_id(x, np, map_name, mask_name, ids[i], &want_t, &want_out);
		got = ims_of_map_id(x->t, np, ids[i], map_name, mask_name, &got_t, &got_out, &rec);
		FUZZ_CHECK(got == want && (got || (got_t == want_t && got_out == want_out)),
			   "%s on node %d id %#x: got %d/%d/%#x, want %d/%d/%#x", map_name, np,
			   ids[i], got, got_t, got_out, want, want_t, want_out);
		FUZZ_CHECK(got || rec.id_out == got_out, "%s record id_out %#x != %#x", map_name,
			   rec.id_out, got_out);
		/* Without a target, a match or a bypass gives the same id. */
		want = fx_map_id(x, np, map_name, mask_name, ids[i], NULL, &want_out);
		got = ims_of_map_id(x->t, np, ids[i], map_name, mask_name, NULL, &got_out, NULL);
		FUZZ_CHECK(got == want && (got || got_out == want_out),
			   "%s (no target) on node %d id %#x: got %d/%#x, want %d/%#x", map_name,
			   np, ids[i], got, got_out, want, want_out);
		/* A preset target: only its entries match. */
		if (want_t != IMS_OF_NONE) {
			int preset = want_t;

			got_t = preset;
			want = fx_map_id(x, np, map_name, mask_name, ids[i] ^ 1, &preset,
					 &want_out);
			got = ims_of_map_id(x->t, np, ids[i] ^ 1, map_name, mask_name, &got_t,
					    &got_out, NULL);
			FUZZ_CHECK(got == want && (got || (got_t == preset && got_out == want_out)),
				   "%s (preset target) on node %d id %#x: got %d/%#x, want %d/%#x",
				   map_name, np, ids[i] ^ 1, got, got_out, want, want_out);
		}
	}
}

/* "iommus" walked cell by cell against the phandle-args parser. */
static void fx_check_iommus(const struct fx *x, int np)
{
	struct ims_of_phandle_args a, specs[FX_MAX_SPECS];
	int len, pos = 0, idx = 0, ncells, count, ret, nr, broken = 0;
	const uint8_t *l = fdt_getprop(x->blob, np, "iommus", &len);

	count = ims_of_count_phandle_with_args(x->t, np, "iommus", "#iommu-cells");
	ret = ims_of_parse_phandle_with_args(x->t, np, "iommus", "#iommu-cells", 0, &a);
	if (!l) {
		FUZZ_CHECK(count == -ENOENT && ret == -ENOENT, "no iommus: count %d, parse %d",
			   count, ret);
		return;
	}
	ncells = len / 4;
	while (pos < ncells && idx < FX_MAX_ENTRIES) {
		uint32_t ph = fx_be32(l + 4 * pos), cells;
		int node, clen;
		const uint8_t *c;

		pos++;
		ret = ims_of_parse_phandle_with_args(x->t, np, "iommus", "#iommu-cells", idx, &a);
		if (!ph) {
			FUZZ_CHECK(ret == -ENOENT, "iommus[%d] empty: parse %d", idx, ret);
			idx++;
			continue;
		}
		node = fx_phandle_node(x, ph);
		c = node == IMS_OF_NONE ? NULL : fdt_getprop(x->blob, node, "#iommu-cells", &clen);
		cells = c && clen >= 4 ? fx_be32(c) : 0;
		if (!c || clen < 4 || (uint64_t)cells > (uint64_t)(ncells - pos)) {
			FUZZ_CHECK(ret == -EINVAL, "iommus[%d] bad (phandle %#x): parse %d", idx,
				   ph, ret);
			broken = 1;
			break;
		}
		FUZZ_CHECK(!ret && a.np == node &&
				   a.args_count == (int)(cells > IMS_OF_MAX_PHANDLE_ARGS
								 ? IMS_OF_MAX_PHANDLE_ARGS
								 : cells),
			   "iommus[%d]: parse %d np %d/%d count %d/%u", idx, ret, a.np, node,
			   a.args_count, cells);
		for (int i = 0; i < a.args_count; i++)
			FUZZ_CHECK(a.args[i] == fx_be32(l + 4 * (pos + i)), "iommus[%d] arg %d",
				   idx, i);
		pos += (int)cells;
		idx++;
	}
	if (broken)
		FUZZ_CHECK(count == -EINVAL, "iommus broken at %d but count %d", idx, count);
	else if (pos >= ncells)
		FUZZ_CHECK(count == idx, "iommus: count %d, want %d", count, idx);

	ret = ims_of_iommu_configure_dev(x->t, np, specs, FX_MAX_SPECS, &nr);
	FUZZ_CHECK((ret == 0 && nr >= 1 && nr <= FX_MAX_SPECS) || (ret == -ENODEV && nr == 0),
		   "iommu_configure_dev: %d with %d specs", ret, nr);
	for (int i = 0; !ret && i < nr; i++) {
		FUZZ_CHECK(!ims_of_parse_phandle_with_args(x->t, np, "iommus", "#iommu-cells", i,
							   &a) &&
				   a.np == specs[i].np && a.args_count == specs[i].args_count &&
				   ims_of_device_is_available(x->t, a.np),
			   "iommu_configure_dev spec %d disagrees with the parser", i);
	}
}

static void fx_check_dma(const struct fx *x, int np)
{
	struct ims_bus_dma_region *map = NULL;
	struct ims_of_dma_config cfg;
	int nr = -1, ret;

	ret = ims_of_dma_get_range(x->t, np, &map, &nr);
	if (!ret) {
		FUZZ_CHECK(map && nr >= 1 && map[nr].size == 0, "dma_get_range: %d regions", nr);
		if (map[0].size) {
			FUZZ_CHECK(ims_of_phys_to_dma(map, map[0].cpu_start) == map[0].dma_start,
				   "phys_to_dma of the first region");
			FUZZ_CHECK(ims_of_dma_to_phys(map, map[0].dma_start) == map[0].cpu_start,
				   "dma_to_phys of the first region");
			FUZZ_CHECK(ims_of_dma_range_map_min(map) <= map[0].dma_start &&
					   ims_of_dma_range_map_max(map) >=
						   map[0].dma_start + map[0].size - 1,
				   "dma_range_map min/max");
		}
	} else {
		FUZZ_CHECK(!map && (ret == -ENODEV || ret == -EINVAL || ret == -ELOOP ||
				    ret == -ENOMEM),
			   "dma_get_range returned %d", ret);
	}
	free(map);

	for (int dev = 0; dev < 2; dev++) {
		ret = ims_of_dma_configure(x->t, np, dev, 0xffffffffu, &cfg);
		FUZZ_CHECK(!ret || ret == -ENOMEM, "dma_configure: %d", ret);
		if (!ret) {
			FUZZ_CHECK(cfg.dma_mask <= 0xffffffffu &&
					   cfg.coherent_dma_mask <= 0xffffffffu &&
					   (cfg.dma_mask & (cfg.dma_mask + 1)) == 0,
				   "dma_configure masks %#llx/%#llx",
				   (unsigned long long)cfg.dma_mask,
				   (unsigned long long)cfg.coherent_dma_mask);
			FUZZ_CHECK(cfg.coherent == ims_of_dma_is_coherent(x->t, np),
				   "coherency differs");
		}
		ims_of_dma_config_release(&cfg);
	}
}

static void fx_check_node(const struct fx *x, int idx, int np)
{
	int parent = ims_of_get_parent(x->t, np), depth = ims_of_node_depth(x->t, np);
	uint64_t addr, size;
	char path[IMS_OF_MAX_DEPTH * 8];

	/* libfdt finds parents by a scan from the root: check the first nodes only. */
	if (idx < FX_MAX_SCANNED) {
		FUZZ_CHECK(parent == (np ? fdt_parent_offset(x->blob, np) : IMS_OF_NONE),
			   "parent of %d: %d", np, parent);
		FUZZ_CHECK(depth == fdt_node_depth(x->blob, np), "depth of %d: %d", np, depth);
	}
	ims_of_node_path(x->t, np, path, sizeof(path));
	FUZZ_CHECK(path[0] == '/', "path of %d: '%s'", np, path);
	ims_of_device_is_available(x->t, np);
	ims_of_device_is_compatible(x->t, np, "arm,smmu-v3");
	ims_of_property_match_string(x->t, np, "interconnect-names", "dma-mem");
	ims_of_get_dma_parent(x->t, np);
	ims_of_n_addr_cells(x->t, np);
	ims_of_n_size_cells(x->t, np);
	for (int i = 0; i < 4; i++) {
		int ret = ims_of_get_address(x->t, np, i, &addr, &size);

		FUZZ_CHECK(ret == -EINVAL || (!ret && addr != IMS_OF_BAD_ADDR),
			   "get_address %d: %d", i, ret);
		if (ret)
			break;
	}
	fx_check_iommus(x, np);
	fx_check_map(x, np, "iommu-map", "iommu-map-mask");
	fx_check_map(x, np, "msi-map", "msi-map-mask");
	ims_of_msi_map_id_walk(x->t, np, x->ids[0], NULL, NULL, NULL);
	fx_check_dma(x, np);
}

/* Walk the whole tree; @seed (the input's tail) picks the ids tried. */
static void fx_exercise(const struct ims_of_tree *t, const uint8_t *seed, size_t len)
{
	struct fx x = { .t = t, .blob = ims_of_tree_blob(t, NULL) };
	int nr = ims_of_nr_nodes(t);

	for (int i = 0; i < 4; i++)
		x.ids[i] = len >= 4 * (size_t)(i + 1) ? fx_be32(seed + len - 4 * (i + 1))
						      : 0x100u * (uint32_t)i;
	FUZZ_CHECK(nr >= 1 && ims_of_node_by_index(t, 0) == 0, "%d nodes", nr);
	x.phandle = malloc(sizeof(*x.phandle) * (size_t)nr);
	if (!x.phandle)
		return;
	x.nr = nr;
	for (int i = 0; i < nr; i++)
		x.phandle[i] = ims_of_get_phandle(t, ims_of_node_by_index(t, i));
	FUZZ_CHECK(ims_of_node_by_index(t, nr) == IMS_OF_NONE, "node past the end");
	for (int i = 0; i < nr && i < FX_MAX_NODES; i++)
		fx_check_node(&x, i, ims_of_node_by_index(t, i));
	ims_of_dma_get_max_cpu_address(t, IMS_OF_NONE);
	ims_of_find_node_by_path(t, "/soc");
	ims_of_find_node_by_path(t, "serial0");
	free(x.phandle);
}

#endif
