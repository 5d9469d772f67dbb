// SPDX-License-Identifier: MIT
/*
 * lint: dma-ranges (of_dma_get_range(), drivers/of/address.c), the software
 * MSI window (MSI_IOVA_BASE, drivers/iommu/arm/arm-smmu*), and dma-direct's
 * reach (dma_capable(), include/linux/dma-direct.h), all v6.12.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iommusim/iommu.h>

#include "lint-private.h"

#define MSI_LO IMS_MSI_IOVA_BASE
#define MSI_HI (IMS_MSI_IOVA_BASE + IMS_MSI_IOVA_LENGTH - 1)

static uint64_t cells_u64(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 32 | lint_be32(p + 4 * i);
	return v;
}

static void check_dma_ranges_entries(struct lint *l, int node)
{
	int len, na, pna, ns, es, nr, bad = 0;
	const uint8_t *raw = ims_of_get_property(l->t, node, "dma-ranges", &len);
	char list[300] = "";

	if (!raw || len <= 0)
		return;
	na = ims_of_bus_n_addr_cells(l->t, node);
	pna = ims_of_n_addr_cells(l->t, node);
	ns = ims_of_bus_n_size_cells(l->t, node);
	if (na < 1 || na > IMS_OF_MAX_ADDR_CELLS || pna < 1 || pna > IMS_OF_MAX_ADDR_CELLS ||
	    ns < 1 || ns > 2) {
		lint_add(l, "dma-range-bad", IMS_LINT_ERROR, node, "dma-ranges", NULL,
			 "dma-ranges cannot be parsed with #address-cells %d, parent "
			 "#address-cells %d and #size-cells %d: every entry is untranslatable, so "
			 "of_dma_get_range() fails and devices below get no dma_range_map (Linux "
			 "then treats bus addresses as CPU addresses). Fix: set sane "
			 "#address-cells/#size-cells.",
			 na, pna, ns);
		return;
	}
	es = na + pna + ns;
	nr = len / (4 * es);
	for (int i = 0; i < nr && i < 4096; i++) {
		const uint8_t *e = raw + 4 * i * es;
		uint64_t cpu = ims_of_translate_dma_address(
			l->t, node, (const uint32_t *)(const void *)(e + 4 * na));

		if (cpu == IMS_OF_BAD_ADDR) {
			size_t n = strlen(list);

			if (++bad <= 6)
				snprintf(list + n, sizeof(list) - n, "%s%d (parent address 0x%llx)",
					 n ? ", " : "", i,
					 (unsigned long long)cells_u64(e + 4 * na, pna));
		}
	}
	if (!nr)
		lint_add(l, "dma-range-bad", IMS_LINT_ERROR, node, "dma-ranges", NULL,
			 "dma-ranges is %d bytes, shorter than one entry of %d cells: Linux finds "
			 "no usable range. Fix: <child-address parent-address size> entries.",
			 len, es);
	else if (bad)
		lint_add(l, "dma-range-bad", bad == nr ? IMS_LINT_ERROR : IMS_LINT_WARNING, node,
			 "dma-ranges", NULL,
			 "%d of %d dma-ranges entries do not translate to a CPU address through "
			 "the parents' dma-ranges: entry %s. Linux logs \"translation of DMA "
			 "address(...) to CPU address failed\"%s. Fix: make the parent address of "
			 "each entry fall inside the parent bus's dma-ranges.",
			 bad, nr, list,
			 bad == nr ? " and of_dma_get_range() returns -EINVAL: devices below get "
				     "no dma_range_map at all (1:1, no bus limit)"
				   : " and drops those entries");
}

/*
 * The walk of of_dma_get_range() from @start: the first node may lack
 * dma-ranges, every later one must have one.  Returns the node where the
 * walk stops with -ENODEV although a non-empty dma-ranges exists higher up,
 * else IMS_OF_NONE.
 */
static int missing_level(struct lint *l, int start, int *above)
{
	int node = start, missing = IMS_OF_NONE;
	bool found = false;

	for (int depth = 0; node != IMS_OF_NONE && depth < IMS_OF_MAX_DEPTH + 2; depth++) {
		int len;
		const void *p = ims_of_get_property(l->t, node, "dma-ranges", &len);

		if (p && len > 0) {
			if (missing != IMS_OF_NONE) {
				*above = node;
				return missing;
			}
			return IMS_OF_NONE;
		}
		if (found && !p && missing == IMS_OF_NONE)
			missing = node;
		found = true;
		node = ims_of_get_dma_parent(l->t, node);
	}
	return IMS_OF_NONE;
}

/* Does the dma-ranges walk from @node give only 1:1 regions? */
static bool ranges_identity(struct lint *l, int node)
{
	struct ims_bus_dma_region *map = NULL;
	bool id = true;
	int nr = 0;

	if (ims_of_dma_get_range(l->t, node, &map, &nr))
		return false;
	for (int i = 0; i < nr; i++)
		id &= map[i].cpu_start == map[i].dma_start;
	free(map);
	return id;
}

/* A node of_platform_populate() turns into a device (the booted machine knows). */
static bool is_platform_node(struct lint *l, int node)
{
	static const char *const buses[] = { "simple-bus", "simple-mfd", "isa", "arm,amba-bus" };
	int parent = ims_of_get_parent(l->t, node);
	bool bus = parent == ims_of_find_node_by_path(l->t, "/");

	if (l->dc)
		return lint_dev_by_node(l, node) != NULL;
	if (!ims_of_get_property(l->t, node, "compatible", NULL) ||
	    !ims_of_device_is_available(l->t, node))
		return false;
	for (size_t i = 0; !bus && i < sizeof(buses) / sizeof(buses[0]); i++)
		bus = ims_of_device_is_compatible(l->t, parent, buses[i]);
	return bus;
}

static void check_missing_levels(struct lint *l)
{
	int nr = ims_of_nr_nodes(l->t), *seen, nseen = 0;
	char dn[128], ap[512], sp[512];

	seen = malloc((size_t)nr * sizeof(int));
	if (!seen) {
		l->err = -ENOMEM;
		return;
	}
	for (int i = 0; i < nr && !l->err; i++) {
		int node = ims_of_node_by_index(l->t, i), above = IMS_OF_NONE, miss, start;
		bool dup = false, identity;

		if (!is_platform_node(l, node))
			continue;
		start = ims_of_get_dma_parent(l->t, node);
		miss = missing_level(l, start, &above);
		if (miss == IMS_OF_NONE)
			continue;
		for (int k = 0; k < nseen; k++)
			dup |= seen[k] == miss;
		if (dup)
			continue;
		seen[nseen++] = miss;
		identity = ranges_identity(l, above);
		lint_add(l, "dma-range-bad", identity ? IMS_LINT_WARNING : IMS_LINT_ERROR, miss,
			 "dma-ranges", ims_of_device_make_bus_id(l->t, node, dn, sizeof(dn)),
			 "%s has no dma-ranges, between %s (where the walk for %s starts) and %s, "
			 "which has a non-empty one: of_dma_get_range() accepts a missing "
			 "dma-ranges only on the first level and stops here with -ENODEV, so %s "
			 "and its siblings get no dma_range_map: %s. Fix: add an empty "
			 "\"dma-ranges;\" (1:1) to %s.",
			 ims_of_node_name(l->t, miss), lint_path(l, start, sp, sizeof(sp)), dn,
			 lint_path(l, above, ap, sizeof(ap)), dn,
			 identity
				 ? "the ranges above are 1:1, so only their limits (bus_dma_limit) "
				   "are lost"
				 : "the offsets and limits above are ignored and bus addresses are "
				   "taken as CPU addresses",
			 ims_of_node_name(l->t, miss));
	}
	free(seen);
}

static bool board_has_smmu(struct lint *l)
{
	int nr = ims_of_nr_nodes(l->t);

	for (int i = 0; i < nr; i++) {
		int node = ims_of_node_by_index(l->t, i);

		if (ims_machine_smmu_compatible(l->t, node, NULL) &&
		    ims_of_device_is_available(l->t, node))
			return true;
	}
	return false;
}

static void check_msi_window(struct lint *l)
{
	int nr = ims_of_nr_nodes(l->t), rm;

	if (!board_has_smmu(l))
		return;
	/* PCI memory windows of host bridges behind an IOMMU. */
	for (int i = 0; i < nr; i++) {
		int node = ims_of_node_by_index(l->t, i), len, pna, ns, es;
		const uint8_t *raw;

		if (!ims_of_get_property(l->t, node, "iommu-map", NULL) ||
		    !ims_of_device_is_available(l->t, node))
			continue;
		raw = ims_of_get_property(l->t, node, "ranges", &len);
		if (!raw || ims_of_bus_n_addr_cells(l->t, node) != 3)
			continue;
		pna = ims_of_n_addr_cells(l->t, node);
		ns = ims_of_bus_n_size_cells(l->t, node);
		if (pna < 1 || pna > 4 || ns < 1 || ns > 2)
			continue;
		es = 3 + pna + ns;
		for (int k = 0; k < len / (4 * es) && k < 4096; k++) {
			const uint8_t *e = raw + 4 * k * es;
			uint32_t space = (lint_be32(e) >> 24) & 3;
			uint64_t bus = cells_u64(e + 4, 2), size = cells_u64(e + 4 * (3 + pna), ns);

			if ((space != 2 && space != 3) || !size || bus > MSI_HI ||
			    bus + size - 1 < MSI_LO)
				continue;
			lint_add(l, "msi-window-overlap", IMS_LINT_WARNING, node, "ranges", NULL,
				 "PCI memory window %d (bus addresses 0x%llx-0x%llx) overlaps the "
				 "software MSI window 0x%llx-0x%llx (MSI_IOVA_BASE) where "
				 "arm-smmu and arm-smmu-v3 map the ITS doorbell for devices "
				 "behind the SMMU: iommu-dma reserves the window's IOVAs, and a "
				 "device's MSI write to 0x%llx is claimed by the bridge as a "
				 "peer-to-peer access instead of reaching the SMMU, so MSIs are "
				 "lost. Fix: move the PCI window off 0x8000000-0x80fffff.",
				 k, (unsigned long long)bus, (unsigned long long)(bus + size - 1),
				 (unsigned long long)MSI_LO, (unsigned long long)MSI_HI,
				 (unsigned long long)MSI_LO);
		}
	}
	/* Reserved memory that IOMMU DMA domains may map 1:1. */
	rm = ims_of_find_node_by_path(l->t, "/reserved-memory");
	if (rm == IMS_OF_NONE)
		return;
	for (int c = ims_of_first_child(l->t, rm), k = 0; c != IMS_OF_NONE && k < 4096;
	     c = ims_of_next_sibling(l->t, c), k++) {
		uint64_t addr, size;

		if (!ims_of_device_is_available(l->t, c) ||
		    ims_of_get_address(l->t, c, 0, &addr, &size) || !size || addr > MSI_HI ||
		    addr + size - 1 < MSI_LO)
			continue;
		lint_add(l, "msi-window-overlap", IMS_LINT_WARNING, c, "reg", NULL,
			 "reserved memory 0x%llx-0x%llx overlaps the software MSI window "
			 "0x%llx-0x%llx: for a device behind an SMMU that must reach this memory "
			 "1:1 (an IOMMU_RESV_DIRECT region), the IOVA range is also where the "
			 "driver maps the MSI doorbell, so the two mappings cannot coexist. Fix: "
			 "move the reservation off 0x8000000-0x80fffff.",
			 (unsigned long long)addr, (unsigned long long)(addr + size - 1),
			 (unsigned long long)MSI_LO, (unsigned long long)MSI_HI);
	}
}

/* ---- dma-direct reach --------------------------------------------------------------- */

struct ram {
	uint64_t start, end;
};

static int read_ram(struct lint *l, struct ram *ram, int max)
{
	int root = ims_of_find_node_by_path(l->t, "/"), n = 0;
	int na = ims_of_bus_n_addr_cells(l->t, root), ns = ims_of_bus_n_size_cells(l->t, root);

	if (na < 1 || na > 2 || ns < 1 || ns > 2)
		return 0;
	for (int c = ims_of_first_child(l->t, root), k = 0; c != IMS_OF_NONE && k < 4096;
	     c = ims_of_next_sibling(l->t, c), k++) {
		int len;
		const char *dt = ims_of_get_property(l->t, c, "device_type", &len);
		const uint8_t *reg;

		if (!dt || len != 7 || memcmp(dt, "memory", 7) ||
		    !ims_of_device_is_available(l->t, c))
			continue;
		reg = ims_of_get_property(l->t, c, "reg", &len);
		for (int i = 0; reg && i < len / (4 * (na + ns)) && n < max; i++) {
			uint64_t a = cells_u64(reg + 4 * i * (na + ns), na);
			uint64_t s = cells_u64(reg + 4 * (i * (na + ns) + na), ns);

			if (s) {
				ram[n].start = a;
				ram[n].end = a + s - 1;
				n++;
			}
		}
	}
	return n; /* 0: the tree does not say where RAM is (firmware fills it in) */
}

/* The lowest DMA address any RAM byte has for @d (~0 when none translates). */
static uint64_t lowest_ram_dma(const struct ims_device *d, const struct ram *ram, int nr)
{
	uint64_t best = ~0ULL;

	for (int i = 0; i < nr; i++) {
		if (!d->dma_range_map) {
			if (ram[i].start < best)
				best = ram[i].start;
			continue;
		}
		for (int k = 0; k < d->nr_dma_range; k++) {
			const struct ims_bus_dma_region *r = &d->dma_range_map[k];
			uint64_t lo = r->cpu_start, hi = r->cpu_start + r->size - 1;

			if (!r->size || hi < ram[i].start || lo > ram[i].end)
				continue;
			lo = lo > ram[i].start ? lo : ram[i].start;
			if (r->dma_start + (lo - r->cpu_start) < best)
				best = r->dma_start + (lo - r->cpu_start);
		}
	}
	return best;
}

static void check_dma_masks(struct lint *l)
{
	struct ram ram[64];
	int nr_ram = read_ram(l, ram, 64), nr = ims_devcore_nr_devices(l->dc);

	if (!nr_ram)
		return;

	for (int i = 0; i < nr && !l->err; i++) {
		struct ims_device *d = ims_devcore_device(l->dc, i);
		uint64_t low, limit;

		if (!d || !d->driver || d->is_iommu || d->is_host_bridge ||
		    d->dma_ops != IMS_DMA_OPS_DIRECT ||
		    ims_of_device_is_compatible(l->t, d->of_node, "simple-bus"))
			continue;
		low = lowest_ram_dma(d, ram, nr_ram);
		limit = d->bus_dma_limit;
		if (limit && (low == ~0ULL || low > limit)) {
			lint_add(l, "dma-mask-below-ram", IMS_LINT_WARNING, d->of_node,
				 "dma-ranges", d->name,
				 "%s has no IOMMU and its bus limit from dma-ranges is 0x%llx, "
				 "but the lowest RAM it can address is %s: dma_capable() fails "
				 "for every buffer, so every streaming map bounces through "
				 "swiotlb (and coherent allocations must come from below the "
				 "limit). No dma_set_mask() can raise a bus limit. Fix: "
				 "dma-ranges that cover RAM, or put the device behind an IOMMU.",
				 d->name, (unsigned long long)limit,
				 low == ~0ULL ? "none (no dma-ranges entry covers RAM)"
					      : "above it");
			continue;
		}
	}
}

void lint_dma(struct lint *l)
{
	int nr = ims_of_nr_nodes(l->t);

	for (int i = 0; i < nr && !l->err; i++)
		check_dma_ranges_entries(l, ims_of_node_by_index(l->t, i));
	if (!l->err)
		check_missing_levels(l);
	if (!l->err)
		check_msi_window(l);
	if (!l->err && l->m)
		check_dma_masks(l);
}
