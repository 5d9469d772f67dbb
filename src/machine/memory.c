// SPDX-License-Identifier: MIT
/*
 * Memory from the device tree into the simulated machine, as arm64's
 * setup_arch() does before the page allocator exists:
 *  - early_init_dt_scan_memory(): every available child of the root with
 *    device_type = "memory" adds its "linux,usable-memory" (else "reg")
 *    entries, sized by the root's #address-cells / #size-cells;
 *    early_init_dt_add_memory_arch() trims each block to whole pages;
 *  - early_init_fdt_scan_reserved_mem(): the /memreserve/ entries of the blob
 *    header, and the available children of /reserved-memory: a "reg" is
 *    reserved (memblock_reserve, or memblock_mark_nomap with "no-map"), a
 *    "size" without "reg" is allocated dynamically (aligned to "alignment").
 * Either way the pages leave the page allocator.
 */
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "machine/machine-private.h"
#include "util/compiler.h"
#include "util/log.h"

struct range {
	uint64_t start, end; /* [start, end) */
};

static int cmp_range(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Sort and merge overlapping or adjacent ranges (memblock merges both). */
static int merge_ranges(struct range *r, int n)
{
	int out = 0;

	qsort(r, (size_t)n, sizeof(*r), cmp_range);
	for (int i = 0; i < n; i++) {
		if (out && r[i].start <= r[out - 1].end) {
			if (r[i].end > r[out - 1].end)
				r[out - 1].end = r[i].end;
			continue;
		}
		r[out++] = r[i];
	}
	return out;
}

static int root_cells(const struct ims_of_tree *t, int root, int *ac, int *sc)
{
	*ac = ims_of_bus_n_addr_cells(t, root);
	*sc = ims_of_bus_n_size_cells(t, root);
	if (*ac < 1 || *ac > 2)
		return ims_error(-EINVAL, "%s: /: #address-cells = <%d>: memory needs 1 or 2",
				 ims_of_tree_name(t), *ac);
	if (*sc < 1 || *sc > 2)
		return ims_error(-EINVAL, "%s: /: #size-cells = <%d>: memory needs 1 or 2",
				 ims_of_tree_name(t), *sc);
	return 0;
}

/* Read the (address, size) pairs of @prop on @node into @r (at most @max - *@n more). */
static int read_pairs(struct ims_machine *m, int node, const char *prop, int ac, int sc,
		      struct range *r, int *n, bool page_trim)
{
	const struct ims_of_tree *t = m->tree;
	const uint8_t *p;
	char path[256];
	int len, step = 4 * (ac + sc);

	p = ims_of_get_property(t, node, prop, &len);
	if (!p)
		return 0;
	ims_of_node_path(t, node, path, sizeof(path));
	if (len % step)
		return ims_error(-EINVAL,
				 "%s: %s: property %s: %d bytes is not a whole number of "
				 "<%d address + %d size> cells",
				 ims_of_tree_name(t), path, prop, len, ac, sc);
	for (int off = 0; off < len; off += step) {
		uint64_t base = ims_machine_read_cells(p + off, ac);
		uint64_t size = ims_machine_read_cells(p + off + 4 * ac, sc);
		uint64_t end = base + size;

		if (!size)
			continue;
		if (end < base)
			return ims_error(-EINVAL, "%s: %s: property %s: 0x%llx + 0x%llx wraps",
					 ims_of_tree_name(t), path, prop, (unsigned long long)base,
					 (unsigned long long)size);
		if (*n == IMS_MACHINE_MAX_RANGES)
			return ims_error(-IMS_ELIMIT, "%s: %s: more than %d memory ranges",
					 ims_of_tree_name(t), path, IMS_MACHINE_MAX_RANGES);
		if (page_trim) {
			/* early_init_dt_add_memory_arch(): whole pages only. */
			uint64_t s = ALIGN_UP(base, IMS_PAGE_SIZE),
				 e = ALIGN_DOWN(end, IMS_PAGE_SIZE);

			if (s < base || e <= s) {
				ims_warn(&m->log, "OF: Ignoring memory range 0x%llx - 0x%llx",
					 (unsigned long long)base, (unsigned long long)end);
				continue;
			}
			base = s;
			end = e;
		} else {
			/* A reservation covers every page it touches. */
			base = ALIGN_DOWN(base, IMS_PAGE_SIZE);
			end = end > UINT64_MAX - IMS_PAGE_SIZE
				      ? ALIGN_DOWN(UINT64_MAX, IMS_PAGE_SIZE)
				      : ALIGN_UP(end, IMS_PAGE_SIZE);
		}
		r[*n].start = base;
		r[*n].end = end;
		(*n)++;
	}
	return 0;
}

static int scan_memory(struct ims_machine *m, int root, int ac, int sc, struct range *r, int *n)
{
	const struct ims_of_tree *t = m->tree;
	int guard = 0, ret;

	for (int c = ims_of_first_child(t, root); c != IMS_OF_NONE && guard < IMS_OF_MAX_NODES;
	     c = ims_of_next_sibling(t, c), guard++) {
		int len;
		const char *type = ims_of_get_property(t, c, "device_type", &len);

		if (!type || len < 7 || strncmp(type, "memory", (size_t)len))
			continue;
		if (!ims_of_device_is_available(t, c))
			continue;
		if (ims_of_get_property(t, c, "linux,usable-memory", NULL))
			ret = read_pairs(m, c, "linux,usable-memory", ac, sc, r, n, true);
		else
			ret = read_pairs(m, c, "reg", ac, sc, r, n, true);
		if (ret)
			return ret;
	}
	return 0;
}

/* Clip [start, end) to RAM and take it out of the page allocator. */
static int reserve_in_ram(struct ims_machine *m, const struct range *ram, int nr_ram,
			  const struct range *res)
{
	for (int i = 0; i < nr_ram; i++) {
		uint64_t s = IMS_MAX(ram[i].start, res->start), e = IMS_MIN(ram[i].end, res->end);
		int ret;

		if (s >= e)
			continue;
		ret = ims_mem_reserve(m->mem, s, e - s);
		if (ret)
			return ims_error(ret, "%s: reserving 0x%llx..0x%llx: %s",
					 ims_of_tree_name(m->tree), (unsigned long long)s,
					 (unsigned long long)e - 1, ims_errname(ret));
	}
	return 0;
}

/* Dynamic reserved-memory: "size" and optional "alignment", no "reg". */
static int alloc_dynamic(struct ims_machine *m, int node, int sc)
{
	const struct ims_of_tree *t = m->tree;
	const void *p;
	uint64_t size, align = IMS_PAGE_SIZE, pa;
	char path[256];
	int len, ret;

	ims_of_node_path(t, node, path, sizeof(path));
	p = ims_of_get_property(t, node, "size", &len);
	if (len != 4 * sc)
		return ims_error(-EINVAL, "%s: %s: property size: %d bytes, expected %d",
				 ims_of_tree_name(t), path, len, 4 * sc);
	size = ims_machine_read_cells(p, sc);
	p = ims_of_get_property(t, node, "alignment", &len);
	if (p) {
		if (len != 4 * sc)
			return ims_error(-EINVAL,
					 "%s: %s: property alignment: %d bytes, expected %d",
					 ims_of_tree_name(t), path, len, 4 * sc);
		align = ims_machine_read_cells(p, sc);
		if (!align || (align & (align - 1)) || align > (1ULL << 30))
			return ims_error(-EINVAL,
					 "%s: %s: alignment = 0x%llx: a power of two up to "
					 "1 GiB is supported",
					 ims_of_tree_name(t), path, (unsigned long long)align);
		if (align < IMS_PAGE_SIZE)
			align = IMS_PAGE_SIZE;
	}
	if (!size || size > (1ULL << 30))
		return ims_error(-EINVAL, "%s: %s: size = 0x%llx: 1 byte to 1 GiB is supported",
				 ims_of_tree_name(t), path, (unsigned long long)size);
	ret = ims_mem_alloc(m->mem, &pa, size, align, IMS_MEM_ZERO);
	if (ret) {
		ims_err(&m->log,
			"OF: reserved mem: failed to allocate memory for node '%s': size %llu MiB",
			ims_of_node_name(t, node), (unsigned long long)(size >> 20));
		return 0;
	}
	ims_info(&m->log,
		 "OF: reserved mem: allocated memory for '%s' node: base 0x%016llx, size %llu MiB",
		 ims_of_node_name(t, node), (unsigned long long)pa,
		 (unsigned long long)(size >> 20));
	return 0;
}

int ims_machine_setup_memory(struct ims_machine *m)
{
	const struct ims_of_tree *t = m->tree;
	const void *blob = ims_of_tree_blob(t, NULL);
	struct range *ram, *res;
	int root = ims_of_find_node_by_path(t, "/");
	int ac, sc, nr_ram = 0, nr_res = 0, ret, rm;

	ret = root_cells(t, root, &ac, &sc);
	if (ret)
		return ret;
	ram = calloc(2 * IMS_MACHINE_MAX_RANGES, sizeof(*ram));
	if (!ram)
		return -ENOMEM;
	res = ram + IMS_MACHINE_MAX_RANGES;

	ret = scan_memory(m, root, ac, sc, ram, &nr_ram);
	if (ret)
		goto out;
	if (!nr_ram) {
		ims_warn(&m->log,
			 "OF: no memory node in %s: using the default RAM, 1 GiB at 0x%llx",
			 ims_of_tree_name(t), IMS_MACHINE_DEFAULT_RAM_BASE);
		ram[0].start = IMS_MACHINE_DEFAULT_RAM_BASE;
		ram[0].end = IMS_MACHINE_DEFAULT_RAM_BASE + IMS_MACHINE_DEFAULT_RAM_SIZE;
		nr_ram = 1;
	}
	nr_ram = merge_ranges(ram, nr_ram);
	for (int i = 0; i < nr_ram; i++) {
		ims_dbg(&m->log, "OF: memory: 0x%016llx-0x%016llx",
			(unsigned long long)ram[i].start, (unsigned long long)ram[i].end - 1);
		ret = ims_mem_add_ram(m->mem, ram[i].start, ram[i].end - ram[i].start);
		if (ret) {
			ret = ims_error(ret,
					"%s: memory 0x%llx..0x%llx: %s (limits: %d regions of "
					"at most 1 TiB)",
					ims_of_tree_name(t), (unsigned long long)ram[i].start,
					(unsigned long long)ram[i].end - 1, ims_errname(ret),
					IMS_MEM_MAX_REGIONS);
			goto out;
		}
	}

	/* /memreserve/ entries in the header. */
	for (int i = 0; i < fdt_num_mem_rsv(blob) && i < IMS_MACHINE_MAX_RANGES; i++) {
		uint64_t a, s;

		if (fdt_get_mem_rsv(blob, i, &a, &s) || !s || a + s < a)
			continue;
		res[nr_res].start = ALIGN_DOWN(a, IMS_PAGE_SIZE);
		res[nr_res].end = ALIGN_UP(a + s, IMS_PAGE_SIZE);
		if (res[nr_res].end > res[nr_res].start)
			nr_res++;
	}

	rm = ims_of_find_node_by_path(t, "/reserved-memory");
	if (rm != IMS_OF_NONE) {
		int rac = ims_of_bus_n_addr_cells(t, rm), rsc = ims_of_bus_n_size_cells(t, rm);
		int guard = 0;

		/* fdt_scan_reserved_mem(): the cells must match the root's. */
		if (rac != ac || rsc != sc || !ims_of_get_property(t, rm, "ranges", NULL)) {
			ims_err(&m->log, "Reserved memory: unsupported node format, ignoring");
		} else {
			for (int c = ims_of_first_child(t, rm);
			     c != IMS_OF_NONE && guard < IMS_OF_MAX_NODES;
			     c = ims_of_next_sibling(t, c), guard++) {
				int before = nr_res;

				if (!ims_of_device_is_available(t, c))
					continue;
				if (!ims_of_get_property(t, c, "reg", NULL))
					continue; /* dynamic: after the static ones */
				ret = read_pairs(m, c, "reg", ac, sc, res, &nr_res, false);
				if (ret)
					goto out;
				for (int i = before; i < nr_res; i++)
					ims_dbg(&m->log,
						"OF: reserved mem: reserved region for node '%s': "
						"base "
						"0x%016llx, size %llu MiB%s",
						ims_of_node_name(t, c),
						(unsigned long long)res[i].start,
						(unsigned long long)((res[i].end - res[i].start) >>
								     20),
						ims_of_get_property(t, c, "no-map", NULL)
							? " (no-map)"
							: "");
			}
		}
	}
	nr_res = merge_ranges(res, nr_res);
	for (int i = 0; i < nr_res; i++) {
		ret = reserve_in_ram(m, ram, nr_ram, &res[i]);
		if (ret)
			goto out;
	}
	if (rm != IMS_OF_NONE && ims_of_bus_n_addr_cells(t, rm) == ac &&
	    ims_of_bus_n_size_cells(t, rm) == sc && ims_of_get_property(t, rm, "ranges", NULL)) {
		int guard = 0;

		for (int c = ims_of_first_child(t, rm);
		     c != IMS_OF_NONE && guard < IMS_OF_MAX_NODES;
		     c = ims_of_next_sibling(t, c), guard++) {
			if (!ims_of_device_is_available(t, c) ||
			    ims_of_get_property(t, c, "reg", NULL) ||
			    !ims_of_get_property(t, c, "size", NULL))
				continue;
			ret = alloc_dynamic(m, c, sc);
			if (ret)
				goto out;
		}
	}
	ret = 0;
out:
	free(ram);
	return ret;
}
