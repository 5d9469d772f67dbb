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
