/* SPDX-License-Identifier: MIT */
/*
 * of_map_id() (drivers/of/base.c), __of_msi_map_id() (drivers/of/irq.c),
 * of_parse_phandle_with_args() (drivers/of/base.c) and the "iommus" loop of
 * of_iommu_configure_dev() (drivers/iommu/of_iommu.c), Linux 6.12.
 */
#include <string.h>

#include "of/of-private.h"
#include "util/compiler.h"
#include "util/log.h"

IMS_EXPORT int ims_of_map_id(const struct ims_of_tree *tree, int node, uint32_t id,
			     const char *map_name, const char *map_mask_name, int *target,
			     uint32_t *id_out, struct ims_of_map_record *rec)
{
	const struct ims_log *log;
	char np[OF_PATH_MAX], tp[OF_PATH_MAX];
	const uint8_t *map;
	uint32_t map_mask, masked_id;
	int map_len;

	if (rec) {
		memset(rec, 0, sizeof(*rec));
		rec->bad_index = -1;
		rec->index = -1;
		rec->mask = 0xffffffff;
	}
	if (!tree || node == IMS_OF_NONE || !map_name || (!target && !id_out))
		return -EINVAL;
	log = of_log(tree);
	of_path(tree, node, np, sizeof(np));
	map = ims_of_get_property(tree, node, map_name, &map_len);
	if (!map) {
		if (target)
			return -ENODEV;
		/* No map implies no translation. */
		*id_out = id;
		if (rec)
			rec->id_out = id;
		return 0;
	}
	if (!map_len || map_len % 16) {
		ims_err(log, "%s: Error: Bad %s length: %d", np, map_name, map_len);
		return ims_error(-EINVAL, "%s: node %s: bad %s length %d (not a multiple of 16)",
				 tree->name, np, map_name, map_len);
	}
	if (rec)
		rec->nr_entries = map_len / 16;

	/* Select all bits by default; of_property_read_u32()'s failure is ignored. */
	map_mask = 0xffffffff;
	if (map_mask_name)
		ims_of_property_read_u32(tree, node, map_mask_name, &map_mask);
	masked_id = map_mask & id;
	if (rec) {
		rec->mask = map_mask;
		rec->masked_id = masked_id;
	}

	for (int i = 0; map_len > 0; map_len -= 16, map += 16, i++) {
		uint32_t id_base = of_be32(map), phandle = of_be32(map + 4);
		uint32_t out_base = of_be32(map + 8), id_len = of_be32(map + 12);
		int phandle_node;

		if (id_base & ~map_mask) {
			ims_err(log,
				"%s: Invalid %s translation - %s-mask (0x%x) ignores id-base "
				"(0x%x)",
				np, map_name, map_name, map_mask, id_base);
			if (rec) {
				rec->bad_index = i;
				rec->id_base = id_base;
				rec->phandle = phandle;
			}
			return ims_error(-EFAULT,
					 "%s: node %s: %s entry %d: id-base 0x%x has bits outside "
					 "%s-mask 0x%x",
					 tree->name, np, map_name, i, id_base, map_name, map_mask);
		}
		/* The end wraps modulo 2^32, as the kernel's u32 arithmetic. */
		if (masked_id < id_base || masked_id >= (uint32_t)(id_base + id_len))
			continue;

		phandle_node = ims_of_find_node_by_phandle(tree, phandle);
		if (phandle_node == IMS_OF_NONE) {
			if (rec) {
				rec->bad_index = i;
				rec->id_base = id_base;
				rec->phandle = phandle;
			}
			return ims_error(-ENODEV,
					 "%s: node %s: %s entry %d: phandle 0x%x names no node",
					 tree->name, np, map_name, i, phandle);
		}
		if (target) {
			if (*target == IMS_OF_NONE)
				*target = phandle_node;
			if (*target != phandle_node)
				continue;
		}
		if (id_out)
			*id_out = masked_id - id_base + out_base;
		if (rec) {
			rec->matched = true;
			rec->index = i;
			rec->id_base = id_base;
			rec->phandle = phandle;
			rec->out_base = out_base;
			rec->len = id_len;
			rec->id_out = masked_id - id_base + out_base;
		}
		ims_dbg(log,
			"%s: %s, using mask %08x, id-base: %08x, out-base: %08x, length: %08x, id: "
			"%08x -> %08x",
			np, map_name, map_mask, id_base, out_base, id_len, id,
			masked_id - id_base + out_base);
		return 0;
	}

	ims_info(log, "%s: no %s translation for id 0x%x on %s", np, map_name, id,
		 of_path(tree, target ? *target : IMS_OF_NONE, tp, sizeof(tp)));
	/* Bypass: the original, unmasked id; *target unchanged. */
	if (id_out)
		*id_out = id;
	if (rec)
		rec->id_out = id;
	return 0;
}

IMS_EXPORT uint32_t ims_of_msi_map_id_walk(const struct ims_of_tree *tree, int node, uint32_t id_in,
					   int *target, int *stop, struct ims_of_map_record *rec)
{
	uint32_t id_out = id_in;

	if (stop)
		*stop = IMS_OF_NONE;
	/* Bounded by the tree's depth limit: parents come from the index. */
	for (int p = node, i = 0; p != IMS_OF_NONE && i <= IMS_OF_MAX_DEPTH;
	     p = ims_of_get_parent(tree, p), i++) {
		if (!ims_of_map_id(tree, p, id_in, "msi-map", "msi-map-mask", target, &id_out,
				   rec)) {
			if (stop)
				*stop = p;
			break;
		}
	}
	return id_out;
}

/* ---- of_phandle_iterator -------------------------------------------------------- */

struct phandle_it {
	const struct ims_of_tree *tree;
	int parent;
	const char *list_name, *cells_name;
	const uint8_t *list_end, *cur, *phandle_end;
	uint32_t phandle;
	uint32_t cur_count;
	int node;
};

static void it_init(struct phandle_it *it, const struct ims_of_tree *tree, int np,
		    const char *list_name, const char *cells_name)
{
	int size;
	const uint8_t *list = ims_of_get_property(tree, np, list_name, &size);

	memset(it, 0, sizeof(*it));
	it->tree = tree;
	it->parent = np;
	it->list_name = list_name;
	it->cells_name = cells_name;
	it->node = IMS_OF_NONE;
	if (!list)
		return;
	it->cur = list;
	it->phandle_end = list;
	it->list_end = list + (size / 4) * 4;
}

/* of_phandle_iterator_next() with cell_count = -1: cells_name is mandatory. */
static int it_next(struct phandle_it *it)
{
	const struct ims_log *log = of_log(it->tree);
	char pp[OF_PATH_MAX], np[OF_PATH_MAX];
	uint32_t count = 0;

	it->node = IMS_OF_NONE;
	if (!it->cur || it->phandle_end >= it->list_end)
		return -ENOENT;
	it->cur = it->phandle_end;
	it->phandle = of_be32(it->cur);
	it->cur += 4;
	if (it->phandle) {
		it->node = ims_of_find_node_by_phandle(it->tree, it->phandle);
		of_path(it->tree, it->parent, pp, sizeof(pp));
		if (it->node == IMS_OF_NONE) {
			ims_err(log, "%s: could not find phandle %d", pp, (int)it->phandle);
			return ims_error(-EINVAL, "%s: node %s: %s: could not find phandle 0x%x",
					 it->tree->name, pp, it->list_name, it->phandle);
		}
		if (ims_of_property_read_u32(it->tree, it->node, it->cells_name, &count)) {
			ims_err(log, "%s: could not get %s for %s", pp, it->cells_name,
				of_path(it->tree, it->node, np, sizeof(np)));
			it->node = IMS_OF_NONE;
			return ims_error(-EINVAL, "%s: node %s: %s: could not get %s for %s",
					 it->tree->name, pp, it->list_name, it->cells_name, np);
		}
		if ((uint64_t)count * 4 > (uint64_t)(it->list_end - it->cur)) {
			ims_err(log, "%s: %s = %d found %d", pp, it->cells_name, (int)count,
				(int)((it->list_end - it->cur) / 4));
			it->node = IMS_OF_NONE;
			return ims_error(-EINVAL,
					 "%s: node %s: %s: %s = %u but only %d cells follow",
					 it->tree->name, pp, it->list_name, it->cells_name, count,
					 (int)((it->list_end - it->cur) / 4));
		}
	}
	it->phandle_end = it->cur + (size_t)count * 4;
	it->cur_count = count;
	return 0;
}

IMS_EXPORT int ims_of_parse_phandle_with_args(const struct ims_of_tree *tree, int node,
					      const char *list_name, const char *cells_name,
					      int index, struct ims_of_phandle_args *out)
{
	struct phandle_it it;
	int rc, cur_index = 0;

	if (!tree || !list_name || !cells_name || index < 0)
		return -EINVAL;
	it_init(&it, tree, node, list_name, cells_name);
	/* Each step consumes at least one cell, so the loop is bounded by the list. */
	for (rc = it_next(&it); rc == 0; rc = it_next(&it)) {
		rc = -ENOENT;
		if (cur_index == index) {
			uint32_t count = it.cur_count;

			if (!it.phandle)
				return -ENOENT;
			if (out) {
				if (count > IMS_OF_MAX_PHANDLE_ARGS) {
					char pp[OF_PATH_MAX];

					/* The kernel's WARN_ON(size < count) in of_phandle_iterator_args(). */
					ims_warn(of_log(tree),
						 "WARNING: %s: %s entry %d has %u cells, truncated "
						 "to "
						 "%d (MAX_PHANDLE_ARGS)",
						 of_path(tree, node, pp, sizeof(pp)), list_name,
						 index, count, IMS_OF_MAX_PHANDLE_ARGS);
					count = IMS_OF_MAX_PHANDLE_ARGS;
				}
				for (uint32_t i = 0; i < count; i++)
					out->args[i] = of_be32(it.cur + 4 * i);
				out->np = it.node;
				out->args_count = (int)count;
			}
			return 0;
		}
		cur_index++;
	}
	return rc;
}

IMS_EXPORT int ims_of_count_phandle_with_args(const struct ims_of_tree *tree, int node,
					      const char *list_name, const char *cells_name)
{
	struct phandle_it it;
	int rc, cur_index = 0;

	if (!tree || !list_name || !cells_name)
		return -EINVAL;
	if (!ims_of_get_property(tree, node, list_name, NULL))
		return -ENOENT;
	it_init(&it, tree, node, list_name, cells_name);
	for (rc = it_next(&it); rc == 0; rc = it_next(&it))
		cur_index++;
	if (rc != -ENOENT)
		return rc;
	return cur_index;
}

IMS_EXPORT int ims_of_iommu_configure_dev(const struct ims_of_tree *tree, int node,
					  struct ims_of_phandle_args *specs, int max, int *nr_out)
{
	struct ims_of_phandle_args spec;
	int err = -ENODEV, idx = 0;

	if (nr_out)
		*nr_out = 0;
	if (!tree || node == IMS_OF_NONE || !specs || max < 1 || !nr_out)
		return -EINVAL;
	while (idx < max &&
	       !ims_of_parse_phandle_with_args(tree, node, "iommus", "#iommu-cells", idx, &spec)) {
		/* of_iommu_xlate(): an unavailable IOMMU means "no IOMMU", never a deferral. */
		err = ims_of_device_is_available(tree, spec.np) ? 0 : -ENODEV;
		idx++;
		if (err)
			break;
		specs[(*nr_out)++] = spec;
	}
	if (err)
		*nr_out = 0; /* iommu_fwspec_free(): drop the IDs gathered so far */
	return err;
}
