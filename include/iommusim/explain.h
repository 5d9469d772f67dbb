/* SPDX-License-Identifier: MIT */
/*
 * iommusim explain: what Linux 6.12 decided for every IOMMU and device of a
 * booted machine, as a report (a plain struct that later reports extend),
 * with a human renderer and a JSON renderer (the schema of docs/explain.md).
 * The report is a copy: it stays valid after the machine is freed.
 */
#ifndef IOMMUSIM_EXPLAIN_H
#define IOMMUSIM_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <iommusim/bus.h>
#include <iommusim/common.h>
#include <iommusim/iommu.h>
#include <iommusim/machine.h>
#include <iommusim/of.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * struct ims_explain_idreg - one ID register read at probe.
 * @name:  its name ("IDR0", "sIDR1").
 * @value: the value.
 */
struct ims_explain_idreg {
	char name[16];
	uint64_t value;
};

/**
 * struct ims_explain_iommu - one IOMMU of the board.
 * @node:       its DT node path.
 * @name:       its device name ("9050000.iommu").
 * @driver:     the bound driver, or NULL.
 * @model:      the hardware model behind it ("smmuv3", "mmu-500"), or NULL.
 * @probe_err:  the driver's last probe result (0, a negative code, or 1 when never probed).
 * @registered: an IOMMU instance is registered for the node.
 * @idr:        the ID registers the driver read at probe, in order.
 * @nr_idr:     their count.
 * @messages:   the kernel messages about the IOMMU device.
 * @nr_messages: their count.
 */
struct ims_explain_iommu {
	char *node;
	char *name;
	char *driver;
	const char *model;
	int probe_err;
	bool registered;
	struct ims_explain_idreg idr[IMS_IOMMU_MAX_IDREGS];
	int nr_idr;
	char **messages;
	int nr_messages;
};

/**
 * struct ims_explain_resv - a reserved region.
 * @start: first address.
 * @end:   last address.
 * @type:  ims_iommu_resv_type_name() ("sw-msi", "pci-window", ...).
 */
struct ims_explain_resv {
	uint64_t start, end;
	const char *type;
};

/**
 * struct ims_explain_device - one (non-IOMMU) device.
 * @name:          dev_name().
 * @bus:           the bus.
 * @node:          its DT node path, or NULL.
 * @driver:        the bound driver's name, or NULL.
 * @driver_bound:  a driver is bound.
 * @probe_err:     the last probe result (0, a negative code, 1 when never probed).
 * @deferred:      still on the deferred-probe list.
 * @aliases:       the DMA aliases pci_for_each_dma_alias() gives, in order (PCI only).
 * @nr_aliases:    their count.
 * @iommu:         the IOMMU node path of its fwspec, or NULL.
 * @ids:           the fwspec IDs, in order.
 * @nr_ids:        their count.
 * @has_msi_id:    @msi_id is meaningful (a PCI device whose host bridge has msi-map/msi-parent).
 * @msi_id:        the MSI DeviceID (pci_msi_domain_get_msi_rid()).
 * @group:         the IOMMU group id, or -1.
 * @domain:        the default domain's type name ("DMA", "DMA_FQ", "IDENTITY", "BLOCKED"), or NULL.
 * @dma_ops:       what the DMA API dispatches to.
 * @coherent:      dev->dma_coherent.
 * @dma_mask:      the streaming DMA mask.
 * @bus_dma_limit: the bus limit (0 = none).
 * @ranges:        the dma_range_map.
 * @nr_ranges:     its entries.
 * @resv:          the reserved regions (devices behind an IOMMU only).
 * @nr_resv:       their count.
 * @translated:    DMA goes through an IOMMU translation (dma_ops iommu).
 * @reason:        why not, when !@translated (a sentence), else NULL.
 * @messages:      every kernel message about the device, in order.
 * @nr_messages:   their count.
 * @decisions:     the decision record (step, text) in order, for explain --why.
 * @nr_decisions:  its length.
 * @parent:        the parent device's name (a PCI function's upstream bridge, or
 *                 the host bridge for a root-bus function; a platform device's
 *                 parent), or NULL.
 * @is_host_bridge: a PCI host bridge (platform device with device_type "pci").
 * @is_pci_bridge: a PCI-PCI bridge or port (type 1 header).
 * @sec_bus:       a PCI bridge's secondary bus number, else -1.
 */
struct ims_explain_device {
	char *name;
	enum ims_bus_kind bus;
	char *node;
	char *driver;
	bool driver_bound;
	int probe_err;
	bool deferred;
	int *aliases;
	int nr_aliases;
	char *iommu;
	uint32_t *ids;
	int nr_ids;
	bool has_msi_id;
	uint32_t msi_id;
	int group;
	const char *domain;
	enum ims_dma_ops_kind dma_ops;
	bool coherent;
	uint64_t dma_mask;
	uint64_t bus_dma_limit;
	struct ims_bus_dma_region *ranges;
	int nr_ranges;
	struct ims_explain_resv *resv;
	int nr_resv;
	bool translated;
	char *reason;
	char **messages;
	int nr_messages;
	struct ims_decision *decisions;
	int nr_decisions;
	char *parent;
	bool is_host_bridge;
	bool is_pci_bridge;
	int sec_bus;
};

/**
 * struct ims_explain_report - the whole report.
 * @board:      the board file.
 * @iommus:     the IOMMUs, in device order.
 * @nr_iommus:  their count.
 * @devices:    the other devices, in the order they were added.
 * @nr_devices: their count.
 */
struct ims_explain_report {
	char *board;
	struct ims_explain_iommu *iommus;
	int nr_iommus;
	struct ims_explain_device *devices;
	int nr_devices;
};

#define IMS_EXPLAIN_RID_MAX_TARGETS 64

/**
 * struct ims_explain_rid - what one requester ID of a host bridge reaches.
 * @rid:       the requester ID (bus << 8 | devfn).
 * @err:       of_map_id()'s error for it ("iommu-map"), or 0.
 * @iommu:     index of the SMMU in the table's targets, -1 for a hole (bypass).
 * @sid:       the StreamID (when @iommu >= 0).
 * @msi:       index of the MSI controller, -1 when no msi-map applies.
 * @msi_id:    the MSI DeviceID (when @msi >= 0).
 * @fold:      how many RIDs reach this (SMMU, StreamID): > 1 is a fold.
 * @fold_peer: with @fold > 1, the first other RID reaching it.
 */
struct ims_explain_rid {
	uint32_t rid;
	int err;
	int iommu;
	uint32_t sid;
	int msi;
	uint32_t msi_id;
	int fold;
	uint32_t fold_peer;
};

/**
 * struct ims_explain_rid_row - consecutive RIDs whose outputs follow one step
 * (+1: consecutive; 0: folded onto one ID) on the same targets, with the same
 * hole/fold state.
 * @rid_first, @rid_last: the RIDs.
 * @err:       of_map_id()'s error, or 0.
 * @iommu:     SMMU target index, -1 = hole.
 * @sid_first: the first RID's StreamID (the others follow one by one).
 * @msi:       MSI controller index, -1 = none.
 * @msi_first: the first RID's MSI DeviceID.
 * @fold:      the largest fold count in the row (1 = no fold).
 * @fold_peer: the first RID's fold peer.
 * @sid_step:  1 (StreamIDs consecutive) or 0 (every RID of the row has @sid_first).
 * @msi_step:  the same for the MSI DeviceIDs.
 */
struct ims_explain_rid_row {
	uint32_t rid_first, rid_last;
	int err;
	int iommu;
	uint32_t sid_first;
	int msi;
	uint32_t msi_first;
	int fold;
	uint32_t fold_peer;
	int sid_step, msi_step;
};

/**
 * struct ims_explain_rid_table - explain --rid-table for one host bridge.
 * @node:          the host bridge's path.
 * @bus_first, @bus_last: its bus-range (0-255 without one).
 * @has_bus_range: the node has a valid "bus-range".
 * @has_iommu_map: the node has an "iommu-map".
 * @nr_rids:       RIDs covered.
 * @nr_holes:      RIDs that reach no IOMMU.
 * @nr_folded:     RIDs that share their StreamID with another RID.
 * @targets:       SMMU and MSI controller node paths.
 * @target_np:     their node indices.
 * @nr_targets:    their count.
 * @rows:          the compressed rows.
 * @nr_rows:       their count.
 */
struct ims_explain_rid_table {
	char *node;
	int bus_first, bus_last;
	bool has_bus_range, has_iommu_map;
	int nr_rids, nr_holes, nr_folded;
	char *targets[IMS_EXPLAIN_RID_MAX_TARGETS];
	int target_np[IMS_EXPLAIN_RID_MAX_TARGETS];
	int nr_targets;
	struct ims_explain_rid_row *rows;
	int nr_rows;
};

/**
 * ims_explain_rid_folds() - set @fold and @fold_peer of every RID: the RIDs
 * that reach the same (SMMU, StreamID).  One sort: O(n log n).
 * @rids: the RIDs (@rid, @err, @iommu, @sid set).
 * @n:    their count.
 *
 * Return: 0, -EINVAL or -ENOMEM.
 */
IMS_EXPORT int ims_explain_rid_folds(struct ims_explain_rid *rids, int n);

/**
 * ims_explain_rid_compress() - compress per-RID results into rows, in one pass.
 * @rids:    the RIDs in order.
 * @n:       their count.
 * @rows:    set to a malloc()ed array (free()); NULL when @n is 0.
 * @nr_rows: set to its length.
 *
 * Return: 0, -EINVAL or -ENOMEM.
 */
IMS_EXPORT int ims_explain_rid_compress(const struct ims_explain_rid *rids, int n,
					struct ims_explain_rid_row **rows, int *nr_rows);

/**
 * ims_explain_rid_table_build() - explain --rid-table: every RID of a host
 * bridge's bus-range through of_map_id() ("iommu-map", "iommu-map-mask") and
 * the msi-map walk, compressed.
 * @tree: the (loaded) tree.
 * @node: the host bridge's path.
 * @out:  set to the table (ims_explain_rid_table_free()).
 *
 * Return: 0; -ENODEV (no such node); -EINVAL; -ENOMEM.
 */
IMS_EXPORT int ims_explain_rid_table_build(const struct ims_of_tree *tree, const char *node,
					   struct ims_explain_rid_table **out);

/**
 * ims_explain_rid_table_free() - free a table; NULL is allowed.
 * @t: the table.
 */
IMS_EXPORT void ims_explain_rid_table_free(struct ims_explain_rid_table *t);

/**
 * ims_explain_render_rid_table() - the table as text or JSON (docs/explain.md).
 * @t:    the table.
 * @json: JSON instead of text.
 * @out:  set to a malloc()ed NUL-terminated string; free() it.
 *
 * Return: 0, -EINVAL or -ENOMEM.
 */
IMS_EXPORT int ims_explain_render_rid_table(const struct ims_explain_rid_table *t, bool json,
					    char **out);

/**
 * ims_explain_build() - build the report of a booted machine.
 * @out: set to the new report (free with ims_explain_free()).
 * @m:   the machine, after ims_machine_boot().
 *
 * Return: 0; -EINVAL when @m is not booted; -ENOMEM.
 */
IMS_EXPORT int ims_explain_build(struct ims_explain_report **out, struct ims_machine *m);

/**
 * ims_explain_free() - free a report; NULL is allowed.
 * @r: the report.
 */
IMS_EXPORT void ims_explain_free(struct ims_explain_report *r);

/**
 * ims_explain_render_text() - the human report.
 * @r:   the report.
 * @out: set to a malloc()ed NUL-terminated string; free() it.
 *
 * Return: 0 or -ENOMEM.
 */
IMS_EXPORT int ims_explain_render_text(const struct ims_explain_report *r, char **out);

/**
 * ims_explain_render_json() - the JSON report (docs/explain.md), one object and a newline.
 * @r:   the report.
 * @out: set to a malloc()ed NUL-terminated string; free() it.
 *
 * Return: 0 or -ENOMEM.
 */
IMS_EXPORT int ims_explain_render_json(const struct ims_explain_report *r, char **out);

/**
 * ims_explain_render_tree() - the tree: each IOMMU, its host bridges with their
 * PCI hierarchy, its platform clients; then the devices without an IOMMU.
 * Devices whose DMA is not translated are marked '!' with the reason.
 * @r:     the report.
 * @color: ANSI colour (bold headings, untranslated devices in red).
 * @out:   set to a malloc()ed NUL-terminated string; free() it.
 *
 * Return: 0, -EINVAL or -ENOMEM.
 */
IMS_EXPORT int ims_explain_render_tree(const struct ims_explain_report *r, bool color, char **out);

/**
 * ims_explain_render_dot() - a Graphviz (DOT) picture: IOMMUs, host bridges,
 * bridges and devices along the topology, groups as clusters, a dashed edge
 * from each device to its IOMMU labelled with its IDs, devices whose DMA is
 * not translated filled in a warning colour.
 * @r:   the report.
 * @out: set to a malloc()ed NUL-terminated string; free() it.
 *
 * Return: 0, -EINVAL or -ENOMEM.
 */
IMS_EXPORT int ims_explain_render_dot(const struct ims_explain_report *r, char **out);

/**
 * ims_explain_render_device() - one device's block of the long report (text),
 * or its object of the JSON report.
 * @r:      the report.
 * @device: the device name.
 * @json:   JSON instead of text.
 * @out:    set to a malloc()ed NUL-terminated string; free() it.
 *
 * Return: 0; -ENODEV when no device is called @device; -EINVAL; -ENOMEM.
 */
IMS_EXPORT int ims_explain_render_device(const struct ims_explain_report *r, const char *device,
					 bool json, char **out);

/**
 * ims_explain_render_why() - explain --why: the chain of decisions for one
 * device, replayed from its decision record, in seven steps (really_probe ->
 * dma_configure, of_dma_configure_id, of_iommu_configure, probe_device, the
 * group, the default domain, the DMA ops); docs/explain.md.
 * @r:      the report.
 * @device: the device name (dev_name()).
 * @json:   JSON (docs/explain.md) instead of text.
 * @out:    set to a malloc()ed NUL-terminated string; free() it.
 *
 * Return: 0; -ENODEV when no device is called @device; -ENOMEM; -EINVAL.
 */
IMS_EXPORT int ims_explain_render_why(const struct ims_explain_report *r, const char *device,
				      bool json, char **out);

/**
 * ims_explain_dma_ops_name() - "iommu", "direct" or "dummy".
 * @ops: the kind.
 *
 * Return: a static string.
 */
IMS_EXPORT const char *ims_explain_dma_ops_name(enum ims_dma_ops_kind ops);

#ifdef __cplusplus
}
#endif
#endif /* IOMMUSIM_EXPLAIN_H */
