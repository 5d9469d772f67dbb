/* SPDX-License-Identifier: MIT */
/*
 * iommusim device-tree layer: a loaded flattened device tree (plus overlays)
 * and the pure functions Linux 6.12 runs over it to wire DMA to an IOMMU:
 * of_map_id() (iommu-map / msi-map), of_parse_phandle_with_args() for
 * "iommus", "ranges"/"dma-ranges" translation, of_dma_get_range(),
 * of_dma_is_coherent() and the mask rules of of_dma_configure_id().
 *
 * A node is named by its structure-block offset in the tree's blob (an int,
 * as in libfdt); IMS_OF_NONE means "no node".  The blob is never modified
 * after loading, so node handles stay valid for the tree's lifetime.
 *
 * Kernel sources modelled: drivers/of/base.c, drivers/of/address.c,
 * drivers/of/device.c, drivers/of/irq.c, drivers/iommu/of_iommu.c,
 * include/linux/dma-direct.h (v6.12).
 */
#ifndef IOMMUSIM_OF_H
#define IOMMUSIM_OF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <iommusim/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/** IMS_OF_NONE - the "no node" handle (the kernel's NULL device_node). */
#define IMS_OF_NONE (-1)
/** IMS_OF_BAD_ADDR - untranslatable address, as the kernel's OF_BAD_ADDR. */
#define IMS_OF_BAD_ADDR (~0ULL)
/** IMS_OF_MAX_PHANDLE_ARGS - MAX_PHANDLE_ARGS (include/linux/of.h). */
#define IMS_OF_MAX_PHANDLE_ARGS 16
/** IMS_OF_MAX_ADDR_CELLS - OF_MAX_ADDR_CELLS (drivers/of/of_private.h). */
#define IMS_OF_MAX_ADDR_CELLS 4

/* Loader limits (documented in docs/of.md). */
/** IMS_OF_MAX_BLOB_SIZE - largest accepted blob (base plus overlays), bytes. */
#define IMS_OF_MAX_BLOB_SIZE (64u << 20)
/** IMS_OF_MAX_DEPTH - deepest accepted node nesting (the root is depth 0). */
#define IMS_OF_MAX_DEPTH 64
/** IMS_OF_MAX_NODES - most nodes accepted in one tree. */
#define IMS_OF_MAX_NODES (1 << 20)
/** IMS_OF_MAX_OVERLAYS - most overlays applied on one base. */
#define IMS_OF_MAX_OVERLAYS 64

/** struct ims_of_tree - a loaded, validated and indexed device tree (opaque). */
struct ims_of_tree;

/**
 * ims_of_tree_load() - load a board and apply overlays.
 * @out:         set to the new tree on success.
 * @path:        a .dtb, .dtbo or .dts file (a .dts is compiled with dtc), or
 *               /sys/firmware/fdt.
 * @overlays:    @nr_overlays paths of .dtbo or .dtso (compiled with dtc -@)
 *               files, applied in order with libfdt's fdt_overlay_apply().
 * @nr_overlays: number of overlays (0..IMS_OF_MAX_OVERLAYS).
 *
 * The blob is validated with fdt_check_full() and indexed (parents, depths,
 * phandles).  The message of a failure names the file, and the node and
 * property where there is one.
 *
 * Return: 0; -ENOENT (or another errno) when a file cannot be read;
 * -IMS_ETOOL when dtc fails (its message is included); -IMS_EBADDTB for a
 * malformed blob or duplicate phandles; -IMS_EOVERLAY when an overlay cannot
 * be applied; -IMS_ELIMIT past a documented limit; -ENOMEM; -EINVAL for bad
 * arguments.
 */
IMS_EXPORT int ims_of_tree_load(struct ims_of_tree **out, const char *path,
				const char *const *overlays, int nr_overlays);

/**
 * ims_of_tree_load_blob() - load a tree from a blob in memory.
 * @out:  set to the new tree on success.
 * @blob: the flattened tree; copied, so the caller keeps ownership.
 * @size: bytes available at @blob (the header's totalsize must fit).
 * @name: how messages name the blob (e.g. a file name).
 *
 * Return: 0, -IMS_EBADDTB, -IMS_ELIMIT, -ENOMEM or -EINVAL, as ims_of_tree_load().
 */
IMS_EXPORT int ims_of_tree_load_blob(struct ims_of_tree **out, const void *blob, size_t size,
				     const char *name);

/**
 * ims_of_tree_apply_overlay_blob() - apply an overlay blob to a loaded tree.
 * @tree: the tree; on failure it is left unchanged.
 * @dtbo: the overlay blob (copied).
 * @size: bytes at @dtbo.
 * @name: how messages name the overlay.
 *
 * Node handles obtained before the call are invalid afterwards.
 *
 * Return: 0, -IMS_EOVERLAY, -IMS_EBADDTB, -IMS_ELIMIT or -ENOMEM.
 */
IMS_EXPORT int ims_of_tree_apply_overlay_blob(struct ims_of_tree *tree, const void *dtbo,
					      size_t size, const char *name);

/** ims_of_tree_free() - free a tree; NULL is allowed. @tree: the tree. */
IMS_EXPORT void ims_of_tree_free(struct ims_of_tree *tree);

/**
 * ims_of_tree_blob() - the tree's flattened blob, for use with libfdt.
 * @tree: the tree.
 * @size: if not NULL, set to the blob's totalsize.
 *
 * Return: the read-only blob.
 */
IMS_EXPORT const void *ims_of_tree_blob(const struct ims_of_tree *tree, size_t *size);

/**
 * ims_of_tree_name() - the name the tree was loaded under (its file).
 * @tree: the tree.
 *
 * Return: a string owned by the tree.
 */
IMS_EXPORT const char *ims_of_tree_name(const struct ims_of_tree *tree);

/**
 * ims_of_tree_set_log() - install the sink for kernel-style messages.
 * @tree: the tree.
 * @log:  the sink (copied); NULL drops messages.
 */
IMS_EXPORT void ims_of_tree_set_log(struct ims_of_tree *tree, const struct ims_log *log);

/* ---- Nodes -------------------------------------------------------------- */

/**
 * ims_of_nr_nodes() - number of nodes in the tree.  @tree: the tree.
 *
 * Return: the count (at least 1, the root).
 */
IMS_EXPORT int ims_of_nr_nodes(const struct ims_of_tree *tree);

/**
 * ims_of_node_by_index() - the node at position @idx in depth-first order.
 * @tree: the tree.
 * @idx:  0 (the root) .. ims_of_nr_nodes() - 1.
 *
 * Return: the node, or IMS_OF_NONE when @idx is out of range.
 */
IMS_EXPORT int ims_of_node_by_index(const struct ims_of_tree *tree, int idx);

/**
 * ims_of_find_node_by_path() - of_find_node_by_path().
 * @tree: the tree.
 * @path: an absolute path ("/soc/iommu@100000") or an alias name.
 *
 * Return: the node, or IMS_OF_NONE.
 */
IMS_EXPORT int ims_of_find_node_by_path(const struct ims_of_tree *tree, const char *path);

/**
 * ims_of_find_node_by_phandle() - of_find_node_by_phandle().
 * @tree:    the tree.
 * @phandle: a phandle; 0 and 0xffffffff never name a node.
 *
 * Return: the node, or IMS_OF_NONE.
 */
IMS_EXPORT int ims_of_find_node_by_phandle(const struct ims_of_tree *tree, uint32_t phandle);

/**
 * ims_of_get_phandle() - the node's phandle ("phandle" or "linux,phandle").
 * @tree: the tree.
 * @node: the node.
 *
 * Return: the phandle, or 0 when it has none.
 */
IMS_EXPORT uint32_t ims_of_get_phandle(const struct ims_of_tree *tree, int node);

/**
 * ims_of_get_parent() - of_get_parent(), from the load-time index (O(log n)).
 * @tree: the tree.
 * @node: the node.
 *
 * Return: the parent, or IMS_OF_NONE for the root or an invalid node.
 */
IMS_EXPORT int ims_of_get_parent(const struct ims_of_tree *tree, int node);

/**
 * ims_of_node_depth() - nesting depth of @node (root 0).
 * @tree: the tree.
 * @node: the node.
 *
 * Return: the depth, or -EINVAL for an invalid node.
 */
IMS_EXPORT int ims_of_node_depth(const struct ims_of_tree *tree, int node);

/**
 * ims_of_first_child() - the first child of @node.
 * @tree: the tree.
 * @node: the node.
 *
 * Return: the child, or IMS_OF_NONE.
 */
IMS_EXPORT int ims_of_first_child(const struct ims_of_tree *tree, int node);

/**
 * ims_of_next_sibling() - the next sibling of @node.
 * @tree: the tree.
 * @node: the node.
 *
 * Return: the sibling, or IMS_OF_NONE.
 */
IMS_EXPORT int ims_of_next_sibling(const struct ims_of_tree *tree, int node);

/**
 * ims_of_node_name() - the node's name with unit address ("iommu@100000"); "" for the root.
 * @tree: the tree.
 * @node: the node.
 *
 * Return: a string inside the blob, or "(null)" for IMS_OF_NONE/invalid.
 */
IMS_EXPORT const char *ims_of_node_name(const struct ims_of_tree *tree, int node);

/**
 * ims_of_node_path() - the node's full path, as the kernel's %pOF prints it.
 * @tree: the tree.
 * @node: the node; IMS_OF_NONE prints "(null)".
 * @buf:  output buffer.
 * @len:  its size; the path is truncated to fit.
 *
 * Return: @buf.
 */
IMS_EXPORT char *ims_of_node_path(const struct ims_of_tree *tree, int node, char *buf, size_t len);

/**
 * ims_of_get_property() - of_get_property().
 * @tree: the tree.
 * @node: the node.
 * @name: the property name.
 * @lenp: if not NULL, set to the value length in bytes.
 *
 * Return: the big-endian value, or NULL when absent.  A zero-length
 * property returns a non-NULL pointer with *@lenp == 0.
 */
IMS_EXPORT const void *ims_of_get_property(const struct ims_of_tree *tree, int node,
					   const char *name, int *lenp);

/**
 * ims_of_property_read_u32() - of_property_read_u32().
 * @tree: the tree.
 * @node: the node.
 * @name: the property name.
 * @val:  set to the first cell on success.
 *
 * Return: 0; -EINVAL when absent; -EOVERFLOW when shorter than 4 bytes.
 * Longer values use the first cell, as the kernel does.
 */
IMS_EXPORT int ims_of_property_read_u32(const struct ims_of_tree *tree, int node, const char *name,
					uint32_t *val);

/**
 * ims_of_property_match_string() - of_property_match_string().
 * @tree: the tree.
 * @node: the node.
 * @name: the string-list property.
 * @str:  the string to find.
 *
 * Return: the index of @str; -EINVAL when absent; -ENODATA when not found;
 * -EILSEQ when the list is not NUL-terminated.
 */
IMS_EXPORT int ims_of_property_match_string(const struct ims_of_tree *tree, int node,
					    const char *name, const char *str);

/**
 * ims_of_device_is_compatible() - does "compatible" list @compat?
 * @tree:   the tree.
 * @node:   the node.
 * @compat: a compatible string (compared case-insensitively, as of_compat_cmp()).
 *
 * Return: true when listed.
 */
IMS_EXPORT bool ims_of_device_is_compatible(const struct ims_of_tree *tree, int node,
					    const char *compat);

/**
 * ims_of_device_is_available() - of_device_is_available().
 * @tree: the tree.
 * @node: the node; IMS_OF_NONE is not available.
 *
 * Return: true when "status" is absent, "okay" or "ok"; false otherwise
 * (including a zero-length status).
 */
IMS_EXPORT bool ims_of_device_is_available(const struct ims_of_tree *tree, int node);

/**
 * ims_of_bus_n_addr_cells() - of_bus_n_addr_cells(): #address-cells searched
 * from @node upward, default 1 (OF_ROOT_NODE_ADDR_CELLS_DEFAULT).
 * @tree: the tree.
 * @node: the node.
 *
 * Return: the cell count (as read; may be out of range).
 */
IMS_EXPORT int ims_of_bus_n_addr_cells(const struct ims_of_tree *tree, int node);

/**
 * ims_of_bus_n_size_cells() - of_bus_n_size_cells(): #size-cells from @node
 * upward, default 1.
 * @tree: the tree.
 * @node: the node.
 *
 * Return: the cell count.
 */
IMS_EXPORT int ims_of_bus_n_size_cells(const struct ims_of_tree *tree, int node);

/**
 * ims_of_n_addr_cells() - of_n_addr_cells(): the cells of @node's "reg",
 * i.e. of_bus_n_addr_cells() starting at the parent (the node itself for the root).
 * @tree: the tree.
 * @node: the node.
 *
 * Return: the cell count.
 */
IMS_EXPORT int ims_of_n_addr_cells(const struct ims_of_tree *tree, int node);

/**
 * ims_of_n_size_cells() - of_n_size_cells().
 * @tree: the tree.
 * @node: the node.
 *
 * Return: the cell count.
 */
IMS_EXPORT int ims_of_n_size_cells(const struct ims_of_tree *tree, int node);

/* ---- phandle lists ("iommus") ----------------------------------------- */

/**
 * struct ims_of_phandle_args - of_phandle_args.
 * @np:         the referenced node.
 * @args_count: number of valid @args.
 * @args:       the specifier cells, host order.
 */
struct ims_of_phandle_args {
	int np;
	int args_count;
	uint32_t args[IMS_OF_MAX_PHANDLE_ARGS];
};

/**
 * ims_of_parse_phandle_with_args() - of_parse_phandle_with_args().
 * @tree:       the tree.
 * @node:       the node holding the list.
 * @list_name:  e.g. "iommus".
 * @cells_name: e.g. "#iommu-cells" (mandatory on the provider).
 * @index:      which entry.
 * @out:        filled on success.
 *
 * Every entry before @index is parsed too, so an error there fails the call.
 * The kernel's pr_err messages go to the tree's log sink.
 *
 * Return: 0; -ENOENT when @index is past the end, the list is absent, or the
 * entry is empty (phandle 0); -EINVAL for an unknown phandle, a provider
 * without @cells_name, too few cells left, or @index < 0.  More than 16 cells
 * are truncated to 16 with a warning (the kernel's WARN_ON).
 */
IMS_EXPORT int ims_of_parse_phandle_with_args(const struct ims_of_tree *tree, int node,
					      const char *list_name, const char *cells_name,
					      int index, struct ims_of_phandle_args *out);

/**
 * ims_of_count_phandle_with_args() - of_count_phandle_with_args().
 * @tree:       the tree.
 * @node:       the node.
 * @list_name:  e.g. "iommus".
 * @cells_name: e.g. "#iommu-cells".
 *
 * Return: the number of entries (empty ones included); -ENOENT when absent;
 * -EINVAL on a parse error.
 */
IMS_EXPORT int ims_of_count_phandle_with_args(const struct ims_of_tree *tree, int node,
					      const char *list_name, const char *cells_name);

/**
 * ims_of_iommu_configure_dev() - the DT part of of_iommu_configure_dev():
 * parse "iommus" entry by entry until the first failure.
 * @tree:    the tree.
 * @node:    the master's node.
 * @specs:   array receiving the specifiers gathered.
 * @max:     its capacity; parsing stops (keeping what was gathered) when full.
 * @nr_out:  set to the number of specifiers gathered.
 *
 * Each parsed entry runs of_iommu_xlate()'s availability check: an IOMMU node
 * that is not available fails the whole call with -ENODEV.  A parse error on
 * the first entry leaves err at -ENODEV (no IOMMU); a parse error on a later
 * entry stops the loop and keeps the IDs gathered so far (return 0).  The
 * driver's of_xlate is not run here.
 *
 * Return: 0 with *@nr_out >= 1; -ENODEV (no IOMMU) otherwise.
 */
IMS_EXPORT int ims_of_iommu_configure_dev(const struct ims_of_tree *tree, int node,
					  struct ims_of_phandle_args *specs, int max, int *nr_out);

/* ---- of_map_id ------------------------------------------------------------ */

/**
 * struct ims_of_map_record - what of_map_id() decided, for replay by explain.
 * @nr_entries: entries in the property (0 when absent or malformed).
 * @matched:    an entry matched; the fields below describe it.
 * @index:      the matching entry's index.
 * @id_base:    its id-base.
 * @phandle:    its phandle.
 * @out_base:   its out-base.
 * @len:        its length.
 * @mask:       the map mask in force (0xffffffff by default).
 * @masked_id:  id & mask.
 * @id_out:     the output id (also on bypass).
 * @bad_index:  index of the entry that caused -EFAULT / -ENODEV, or -1 (@id_base
 *              and @phandle then describe that entry).
 */
struct ims_of_map_record {
	int nr_entries;
	bool matched;
	int index;
	uint32_t id_base, phandle, out_base, len;
	uint32_t mask, masked_id, id_out;
	int bad_index;
};

/**
 * ims_of_map_id() - of_map_id() exactly as Linux 6.12 (drivers/of/base.c).
 * @tree:          the tree.
 * @node:          the node holding the map (np).
 * @id:            the input id.
 * @map_name:      "iommu-map" or "msi-map".
 * @map_mask_name: "iommu-map-mask" / "msi-map-mask", or NULL.
 * @target:        NULL, or in/out: IMS_OF_NONE to let the first match pick the
 *                 target, or a preset node so that only entries for it match.
 * @id_out:        NULL or set to the output id.
 * @rec:           NULL or filled with the decision.
 *
 * Messages (pr_err / pr_info / pr_debug text) go to the tree's log sink.
 *
 * Return: 0 (a match, or bypass with the unmasked id and *@target unchanged);
 * -ENODEV when the map is absent and @target is given, or the matching entry's
 * phandle is dangling; -EINVAL for a zero-length map or one whose length is not
 * a multiple of 16 bytes, or bad arguments; -EFAULT when an entry reached before
 * the match has an id-base the mask ignores.
 */
IMS_EXPORT int ims_of_map_id(const struct ims_of_tree *tree, int node, uint32_t id,
			     const char *map_name, const char *map_mask_name, int *target,
			     uint32_t *id_out, struct ims_of_map_record *rec);

/**
 * ims_of_msi_map_id_walk() - __of_msi_map_id() over DT ancestors: run of_map_id()
 * with "msi-map" on @node, then its parents, until one returns 0.
 * @tree:    the tree.
 * @node:    the device's node (the walk starts here).
 * @id_in:   the requester id.
 * @target:  in/out as for ims_of_map_id() (NULL = any controller).
 * @stop:    NULL or set to the node whose msi-map stopped the walk, or IMS_OF_NONE.
 * @rec:     NULL or filled by the call that stopped the walk.
 *
 * Return: the DeviceID (id_in when no ancestor matched).
 */
IMS_EXPORT uint32_t ims_of_msi_map_id_walk(const struct ims_of_tree *tree, int node, uint32_t id_in,
					   int *target, int *stop, struct ims_of_map_record *rec);

/* ---- addresses -------------------------------------------------------------- */

/**
 * ims_of_translate_address() - of_translate_address(): translate a bus address
 * of @node (cells from its "reg") to a CPU address through the ancestors' "ranges".
 * @tree:    the tree.
 * @node:    the node owning the address.
 * @in_addr: of_n_addr_cells(@node) big-endian cells.
 *
 * Return: the CPU address, or IMS_OF_BAD_ADDR.
 */
IMS_EXPORT uint64_t ims_of_translate_address(const struct ims_of_tree *tree, int node,
					     const uint32_t *in_addr);

/**
 * ims_of_translate_dma_address() - of_translate_dma_address(): the same through
 * "dma-ranges" and DMA parents (a missing dma-ranges is 1:1).
 * @tree:    the tree.
 * @node:    the node owning the address.
 * @in_addr: the big-endian address cells.
 *
 * Return: the CPU address, or IMS_OF_BAD_ADDR.
 */
IMS_EXPORT uint64_t ims_of_translate_dma_address(const struct ims_of_tree *tree, int node,
						 const uint32_t *in_addr);

/**
 * ims_of_get_address() - the @index-th "reg" entry translated to a CPU address.
 * @tree:  the tree.
 * @node:  the node.
 * @index: the entry.
 * @addr:  set to the CPU address (IMS_OF_BAD_ADDR when untranslatable).
 * @size:  set to the size.
 *
 * Return: 0; -EINVAL when there is no such entry, the cell counts are bad or
 * the address is untranslatable (as of_address_to_resource()).
 */
IMS_EXPORT int ims_of_get_address(const struct ims_of_tree *tree, int node, int index,
				  uint64_t *addr, uint64_t *size);

/**
 * ims_of_get_dma_parent() - __of_get_dma_parent(): the "dma-mem" interconnect
 * target when "interconnect-names" lists it and "interconnects" resolves, else the parent.
 * @tree: the tree.
 * @node: the node.
 *
 * Return: the DMA parent, or IMS_OF_NONE at the root.
 */
IMS_EXPORT int ims_of_get_dma_parent(const struct ims_of_tree *tree, int node);

/**
 * struct ims_bus_dma_region - struct bus_dma_region (include/linux/dma-direct.h).
 * @cpu_start: CPU physical start.
 * @dma_start: bus (DMA) start.
 * @size:      size; a zero size terminates a map.
 */
struct ims_bus_dma_region {
	uint64_t cpu_start;
	uint64_t dma_start;
	uint64_t size;
};

/**
 * ims_of_dma_get_range() - of_dma_get_range().
 * @tree:   the tree.
 * @node:   where the walk starts (the bus node, i.e. the device's DMA parent).
 * @map:    set to a malloc()ed array terminated by a zero-size region; free() it.
 * @nr_map: if not NULL, set to the number of regions before the terminator.
 *
 * Return: 0; -ENODEV when no dma-ranges is found (or one is missing after the
 * first level); -EINVAL when no entry translates; -ELOOP for a DMA-parent
 * cycle; -ENOMEM.
 */
IMS_EXPORT int ims_of_dma_get_range(const struct ims_of_tree *tree, int node,
				    struct ims_bus_dma_region **map, int *nr_map);

/**
 * ims_of_dma_get_max_cpu_address() - of_dma_get_max_cpu_address(): the lowest,
 * over the subtree of @node (available nodes only), of each node's highest
 * dma-ranges CPU address.  arm64 uses it to size ZONE_DMA.
 * @tree: the tree.
 * @node: the subtree's root, or IMS_OF_NONE for the whole tree.
 *
 * Return: that address; UINT64_MAX (PHYS_ADDR_MAX) when no node of the
 * subtree has a non-empty dma-ranges.
 */
IMS_EXPORT uint64_t ims_of_dma_get_max_cpu_address(const struct ims_of_tree *tree, int node);

/**
 * ims_of_dma_is_coherent() - of_dma_is_coherent() on arm64: the first node from
 * @node via DMA parents with "dma-coherent" (true) or "dma-noncoherent" (false);
 * false when neither is found.
 * @tree: the tree.
 * @node: the device node.
 *
 * Return: the coherency.
 */
IMS_EXPORT bool ims_of_dma_is_coherent(const struct ims_of_tree *tree, int node);

/**
 * struct ims_of_dma_config - the result of of_dma_configure_id() minus the IOMMU part.
 * @range_err:         of_dma_get_range()'s return (0, -ENODEV, -EINVAL...).
 * @map:               the dma_range_map (malloc()ed, zero-size terminated), or NULL.
 * @nr_map:            regions in @map.
 * @dma_mask:          the final streaming mask.
 * @coherent_dma_mask: the final coherent mask.
 * @bus_dma_limit:     the bus limit (0 = none).
 * @coherent:          of_dma_is_coherent(np).
 */
struct ims_of_dma_config {
	int range_err;
	struct ims_bus_dma_region *map;
	int nr_map;
	uint64_t dma_mask;
	uint64_t coherent_dma_mask;
	uint64_t bus_dma_limit;
	bool coherent;
};

/**
 * ims_of_dma_configure() - of_dma_configure_id() with force_dma = true, minus the IOMMU.
 * @tree:         the tree.
 * @np:           the node passed to of_dma_configure (the device's node for a
 *                platform device; the host bridge's parent node for PCI).
 * @is_dev_node:  true when @np is the device's own node (platform/amba): the
 *                walk then starts at its DMA parent; false: at @np itself.
 * @default_mask: the bus default for both masks (e.g. DMA_BIT_MASK(32)).
 * @cfg:          filled; release with ims_of_dma_config_release().
 *
 * Return: 0 (errors from of_dma_get_range are swallowed under force_dma and
 * recorded in @cfg->range_err); -ENOMEM; -EINVAL for bad arguments.
 */
IMS_EXPORT int ims_of_dma_configure(const struct ims_of_tree *tree, int np, bool is_dev_node,
				    uint64_t default_mask, struct ims_of_dma_config *cfg);

/** ims_of_dma_config_release() - free @cfg's map. @cfg: the config. */
IMS_EXPORT void ims_of_dma_config_release(struct ims_of_dma_config *cfg);

/**
 * ims_of_phys_to_dma() - translate_phys_to_dma() / phys_to_dma().
 * @map:  a zero-size terminated map, or NULL (identity).
 * @phys: the CPU address.
 *
 * Return: the DMA address, or ~0 (DMA_MAPPING_ERROR) when no region covers @phys.
 */
IMS_EXPORT uint64_t ims_of_phys_to_dma(const struct ims_bus_dma_region *map, uint64_t phys);

/**
 * ims_of_dma_to_phys() - translate_dma_to_phys() / dma_to_phys().
 * @map: a zero-size terminated map, or NULL (identity).
 * @dma: the DMA address.
 *
 * Return: the CPU address, or ~0 ((phys_addr_t)-1) when no region covers @dma.
 */
IMS_EXPORT uint64_t ims_of_dma_to_phys(const struct ims_bus_dma_region *map, uint64_t dma);

/**
 * ims_of_dma_range_map_max() - dma_range_map_max(): max(dma_start + size - 1).
 * @map: a zero-size terminated map.
 *
 * Return: the highest DMA address, 0 for an empty map.
 */
IMS_EXPORT uint64_t ims_of_dma_range_map_max(const struct ims_bus_dma_region *map);

/**
 * ims_of_dma_range_map_min() - dma_range_map_min(): min(dma_start).
 * @map: a zero-size terminated map.
 *
 * Return: the lowest DMA address, ~0 for an empty map.
 */
IMS_EXPORT uint64_t ims_of_dma_range_map_min(const struct ims_bus_dma_region *map);

#ifdef __cplusplus
}
#endif
#endif /* IOMMUSIM_OF_H */
