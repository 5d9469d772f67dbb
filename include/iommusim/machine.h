/* SPDX-License-Identifier: MIT */
/*
 * iommusim machine: one simulated board.  A struct ims_machine owns the
 * device tree (with overlays), the simulated physical memory, the SMMU
 * hardware models mapped at their "reg", the driver core, the IOMMU core,
 * the options and a kernel-log buffer (every message in order, like dmesg).
 * Nothing is global: two machines can live in one process.
 *
 * Life cycle:
 *   ims_machine_new(&m, &opts) -> ims_machine_load_board(m, path, overlays, n)
 *   -> ims_machine_boot(m) -> ... (accessors, DMA, explain) ... -> ims_machine_free(m)
 *
 * See docs/machine.md for the boot sequence and the iommusim,* SMMU
 * parameter properties.
 */
#ifndef IOMMUSIM_MACHINE_H
#define IOMMUSIM_MACHINE_H

#include <stdbool.h>
#include <stdint.h>

#include <iommusim/bus.h>
#include <iommusim/common.h>
#include <iommusim/hw.h>
#include <iommusim/iommu.h>
#include <iommusim/of.h>
#include <iommusim/smmu.h>
#include <iommusim/smmuv2.h>
#include <iommusim/smmuv3.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ims_machine;

/** The default RAM used when the tree has no memory node: 1 GiB at 1 GiB. */
#define IMS_MACHINE_DEFAULT_RAM_BASE 0x40000000ULL
#define IMS_MACHINE_DEFAULT_RAM_SIZE 0x40000000ULL
/** The most SMMU instances one machine models. */
#define IMS_MACHINE_MAX_SMMUS 32
/** The most memory and reserved-memory ranges read from one tree. */
#define IMS_MACHINE_MAX_RANGES 256

/**
 * struct ims_machine_opts - how the machine boots.
 * @iommu:             the IOMMU core options (iommu.passthrough, iommu.strict, Kconfig defaults).
 * @devcore:           the driver-core options (CONFIG_MODULES, deferred probe timeout, ACS placement).
 * @late_smmu_drivers: register the SMMU drivers only after the platform devices were
 *                     populated and the clients probed (clients then defer until they bind).
 * @no_smmu_drivers:   do not register the SMMU drivers at all (for @register_drivers).
 * @stop_at_late_initcall: do not fire the deferred-probe timeout after the late initcall
 *                     (by default boot ends as a system does 10 s later: still-deferred
 *                     devices log "deferred probe pending" and give up their IOMMU).
 * @register_drivers:  optional: registers extra drivers where the SMMU drivers are registered
 *                     (before them); returns 0 or a negative code that fails the boot.
 * @register_ctx:      passed to @register_drivers.
 * @log:               optional sink that receives every kernel message too (copied; fn may be NULL).
 */
struct ims_machine_opts {
	struct ims_iommu_opts iommu;
	struct ims_devcore_opts devcore;
	bool late_smmu_drivers;
	bool no_smmu_drivers;
	bool stop_at_late_initcall;
	int (*register_drivers)(struct ims_machine *m, void *ctx);
	void *register_ctx;
	struct ims_log log;
};

/**
 * ims_machine_opts_init() - the defaults: nothing on the command line, modules on,
 * 6.12 ACS placement, SMMU drivers registered first, timeout fired after boot.
 * @opts: filled.
 */
IMS_EXPORT void ims_machine_opts_init(struct ims_machine_opts *opts);

/** enum ims_machine_smmu_kind - which hardware model stands behind an SMMU node. */
enum ims_machine_smmu_kind {
	IMS_MACHINE_SMMUV3 = 0, /* "arm,smmu-v3": the SMMUv3 model */
	IMS_MACHINE_SMMUV2 = 1, /* "arm,mmu-500" & co: the MMU-500 (SMMUv2) model */
};

/** The interrupt outputs of one SMMU that the machine routes. */
#define IMS_MACHINE_SMMU_MAX_LINES (4 + IMS_SMMUV2_MAX_CB)

/**
 * struct ims_machine_smmu - one SMMU model instance of the machine.
 * @node:       its DT node.
 * @kind:       the model.
 * @compatible: the compatible string that selected the model.
 * @base:       the MMIO base (the translated first "reg" entry).
 * @reg_size:   the size in "reg".
 * @v3:         the SMMUv3 model (kind IMS_MACHINE_SMMUV3), else NULL.
 * @v2:         the MMU-500 model (kind IMS_MACHINE_SMMUV2), else NULL.
 * @v3_params:  the parameters it was created with (SMMUv3).
 * @v2_params:  the parameters it was created with (MMU-500).
 * @translator: the device-side entry point.
 * @line_irq:   for each model interrupt output, the index in the node's "interrupts"
 *              it is wired to, or -1 when unconnected.  SMMUv3: indexed by enum
 *              ims_smmuv3_irq; MMU-500: [0] the global fault, [1 + n] context bank n.
 * @nr_lines:   entries of @line_irq in use.
 * @raised:     interrupts the model raised (wired or not).
 * @machine:    the owning machine.
 */
struct ims_machine_smmu {
	int node;
	enum ims_machine_smmu_kind kind;
	const char *compatible;
	uint64_t base, reg_size;
	struct ims_smmuv3 *v3;
	struct ims_smmuv2 *v2;
	struct ims_smmuv3_params v3_params;
	struct ims_smmuv2_params v2_params;
	const struct ims_translator *translator;
	int line_irq[IMS_MACHINE_SMMU_MAX_LINES];
	int nr_lines;
	unsigned long raised;
	struct ims_machine *machine;
};

/**
 * struct ims_klog_entry - one kernel-log line.
 * @level: its level.
 * @text:  the message, as the kernel prints it.
 */
struct ims_klog_entry {
	enum ims_log_level level;
	char *text;
};

/**
 * ims_machine_new() - create an empty machine.
 * @out:  set to the machine.
 * @opts: options (copied), or NULL for ims_machine_opts_init()'s.
 *
 * Return: 0 or -ENOMEM.
 */
IMS_EXPORT int ims_machine_new(struct ims_machine **out, const struct ims_machine_opts *opts);

/**
 * ims_machine_load_board() - load the board and its overlays (ims_of_tree_load()).
 * @m:           the machine (no board loaded yet).
 * @path:        a .dts/.dtb file.
 * @overlays:    @nr_overlays .dtso/.dtbo files, applied in order.
 * @nr_overlays: their count.
 *
 * Return: 0; -EBUSY when a board is loaded already; ims_of_tree_load()'s errors.
 */
IMS_EXPORT int ims_machine_load_board(struct ims_machine *m, const char *path,
				      const char *const *overlays, int nr_overlays);

/**
 * ims_machine_set_tree() - use an already loaded tree instead (ownership passes to @m).
 * @m:    the machine (no board loaded yet).
 * @tree: the tree.
 *
 * Return: 0; -EBUSY when a board is loaded already (@tree is then not taken); -EINVAL.
 */
IMS_EXPORT int ims_machine_set_tree(struct ims_machine *m, struct ims_of_tree *tree);

/**
 * ims_machine_boot() - bring the board up: memory and reserved-memory into
 * simulated RAM, an SMMU model per available SMMU node (parameters from its
 * iommusim,* properties) with its interrupts wired, the driver core and IOMMU
 * core, the drivers, of_platform_populate (PCI enumerated by the host
 * bridges), the late initcall and (unless told otherwise) the deferred probe
 * timeout.
 * @m: the machine, with a board loaded.
 *
 * Return: 0; -EINVAL with a message naming node and property for a bad memory
 * node or SMMU parameter; -EBUSY when booted already; -ENODEV without a board;
 * -ENOMEM; a model's or the driver registration's error.  A failed boot leaves
 * the machine to be freed.
 */
IMS_EXPORT int ims_machine_boot(struct ims_machine *m);

/**
 * ims_machine_free() - tear everything down (drivers unbound, devices removed,
 * models unmapped, memory released); NULL is allowed.
 * @m: the machine.
 */
IMS_EXPORT void ims_machine_free(struct ims_machine *m);

/**
 * ims_machine_get_opts() - the machine's options.
 * @m: the machine.
 *
 * Return: the options.
 */
IMS_EXPORT const struct ims_machine_opts *ims_machine_get_opts(const struct ims_machine *m);

/**
 * ims_machine_tree() - the loaded tree.
 * @m: the machine.
 *
 * Return: the tree, or NULL before a board is loaded.
 */
IMS_EXPORT const struct ims_of_tree *ims_machine_tree(const struct ims_machine *m);

/**
 * ims_machine_mem() - the simulated physical address space.
 * @m: the machine.
 *
 * Return: the address space (NULL before boot).
 */
IMS_EXPORT struct ims_mem *ims_machine_mem(const struct ims_machine *m);

/**
 * ims_machine_devcore() - the driver core.
 * @m: the machine.
 *
 * Return: the driver core (NULL before boot).
 */
IMS_EXPORT struct ims_devcore *ims_machine_devcore(const struct ims_machine *m);

/**
 * ims_machine_iommu_core() - the IOMMU core.
 * @m: the machine.
 *
 * Return: the IOMMU core (NULL before boot).
 */
IMS_EXPORT struct ims_iommu_core *ims_machine_iommu_core(const struct ims_machine *m);

/**
 * ims_machine_nr_smmus() - the SMMU models instantiated, in DT order.
 * @m: the machine.
 *
 * Return: the count.
 */
IMS_EXPORT int ims_machine_nr_smmus(const struct ims_machine *m);

/**
 * ims_machine_smmu() - the @idx-th SMMU model.
 * @m:   the machine.
 * @idx: 0 .. ims_machine_nr_smmus() - 1.
 *
 * Return: the instance, or NULL.
 */
IMS_EXPORT struct ims_machine_smmu *ims_machine_smmu(const struct ims_machine *m, int idx);

/**
 * ims_machine_smmu_by_node() - the SMMU model created for a DT node.
 * @m:    the machine.
 * @node: the node.
 *
 * Return: the instance, or NULL.
 */
IMS_EXPORT struct ims_machine_smmu *ims_machine_smmu_by_node(const struct ims_machine *m, int node);

/**
 * ims_machine_find_device() - a device by dev_name() ("9050000.iommu", "0000:00:01.0").
 * @m:    the machine.
 * @name: the name.
 *
 * Return: the device, or NULL.
 */
IMS_EXPORT struct ims_device *ims_machine_find_device(const struct ims_machine *m,
						      const char *name);

/**
 * ims_machine_klog_nr() - lines in the kernel-log buffer.
 * @m: the machine.
 *
 * Return: the count.
 */
IMS_EXPORT int ims_machine_klog_nr(const struct ims_machine *m);

/**
 * ims_machine_klog() - the @idx-th kernel-log line, in the order logged.
 * @m:   the machine.
 * @idx: 0 .. ims_machine_klog_nr() - 1.
 *
 * Return: the entry, or NULL.
 */
IMS_EXPORT const struct ims_klog_entry *ims_machine_klog(const struct ims_machine *m, int idx);

/**
 * ims_machine_klog_find() - the first kernel-log line that contains @needle.
 * @m:      the machine.
 * @needle: a substring.
 *
 * Return: its index, or -ENOENT.
 */
IMS_EXPORT int ims_machine_klog_find(const struct ims_machine *m, const char *needle);

/**
 * ims_machine_smmu_compatible() - the SMMU model a node's "compatible" selects,
 * with the arm-smmu-v3 and arm-smmu drivers' match lists ("arm,smmu-v3";
 * "arm,smmu-v1", "arm,smmu-v2", "arm,mmu-400", "arm,mmu-401", "arm,mmu-500" and
 * vendor "*-smmu-500").
 * @tree: the tree.
 * @node: the node.
 * @kind: set to the model kind when matched (may be NULL).
 *
 * Return: the matching compatible string (in the tree), or NULL.
 */
IMS_EXPORT const char *ims_machine_smmu_compatible(const struct ims_of_tree *tree, int node,
						   enum ims_machine_smmu_kind *kind);

/* ---- device-side DMA (src/machine/device-dma.c) ------------------------------------- */

/**
 * struct ims_machine_dma_path - how a device's transactions reach memory.
 * @translated: an SMMU model is on the path.
 * @smmu_node:  its DT node, or IMS_OF_NONE.
 * @sid:        the StreamID on the wire (PCI: iommu-map of @rid).
 * @rid:        PCI: the requester ID on the wire (the last DMA alias); else 0.
 */
struct ims_machine_dma_path {
	bool translated;
	int smmu_node;
	uint32_t sid;
	uint32_t rid;
};

/**
 * struct ims_machine_dma_result - the outcome of a device access.
 * @path: the path taken.
 * @txn:  the last chunk's transaction result; on a fault, the model's record
 *        (SMMUv3 event with its raw record, MMU-500 FSR and context bank).
 */
struct ims_machine_dma_result {
	struct ims_machine_dma_path path;
	struct ims_txn_result txn;
};

/**
 * ims_machine_dma_path() - the path of @dev's DMA as the hardware wires it
 * (not as Linux configured it): a PCI function's requester ID on the wire
 * through the host bridge's iommu-map; a platform device's fwspec StreamID.
 * @m:    the booted machine.
 * @dev:  the device.
 * @path: filled.
 *
 * Return: 0; -EINVAL; -ENODEV for a PCI function without a host bridge.
 */
IMS_EXPORT int ims_machine_dma_path(struct ims_machine *m, struct ims_device *dev,
				    struct ims_machine_dma_path *path);

/**
 * ims_machine_device_dma() - @dev reads (@write false) or writes @len bytes
 * at DMA address @dma_addr.  Through an SMMU the access is translated with the
 * wire StreamID, split at 4 KiB; a fault is recorded by the model and drained
 * by the driver's interrupt handler before this returns.  Without one the
 * address goes through @dev's dma-ranges.  dma-debug sees the access first.
 * @m:        the booted machine.
 * @dev:      the device.
 * @dma_addr: the DMA address.
 * @buf:      the data to write, or the buffer to read into.
 * @len:      bytes.
 * @write:    a write to memory.
 * @result:   filled (may be NULL).
 *
 * Return: 0; -EFAULT when a chunk faulted or was aborted (@result says how) or
 * the address is not RAM; -EINVAL.
 */
IMS_EXPORT int ims_machine_device_dma(struct ims_machine *m, struct ims_device *dev,
				      uint64_t dma_addr, void *buf, uint64_t len, bool write,
				      struct ims_machine_dma_result *result);

#ifdef __cplusplus
}
#endif
#endif /* IOMMUSIM_MACHINE_H */
