/* SPDX-License-Identifier: MIT */
/*
 * iommusim device model: the driver core (device_add, really_probe, deferred
 * probe), the platform bus populated from the device tree like
 * of_platform_populate(), and the PCI bus enumerated from DT child nodes of a
 * host bridge (PCI bus binding plus the iommusim,* topology properties of
 * docs/pci-topology.md), with Linux 6.12's DMA aliases, ACS predicates and
 * MSI requester IDs.
 *
 * Kernel sources modelled: drivers/base/dd.c, drivers/base/platform.c,
 * drivers/of/platform.c, drivers/pci/{probe,pci,search,quirks,pci-driver}.c,
 * drivers/pci/msi/irqdomain.c, drivers/pci/iov.c (v6.12).
 *
 * The structures are public (like struct device in the kernel) so that the
 * layers above, explain and tests can read them; change them only through
 * the functions below.
 */
#ifndef IOMMUSIM_BUS_H
#define IOMMUSIM_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <iommusim/common.h>
#include <iommusim/hw.h>
#include <iommusim/of.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ims_devcore;
struct ims_device;
struct ims_driver;
struct ims_pci_dev;
struct ims_pci_bus;
/* Owned by the IOMMU layer (include/iommusim/iommu.h). */
struct ims_dev_iommu;
struct ims_iommu_group;
/* Internal to the DMA layer (src/dma/dma-fast.h). */
struct ims_dma_fast;

/** enum ims_bus_kind - which bus a device sits on. */
enum ims_bus_kind {
	IMS_BUS_PLATFORM = 0,
	IMS_BUS_PCI = 1,
	IMS_BUS_NR = 2,
};

/** enum ims_dma_ops_kind - what the DMA API dispatches to for a device. */
enum ims_dma_ops_kind {
	IMS_DMA_OPS_DIRECT = 0, /* dma-direct (no IOMMU, or an identity domain) */
	IMS_DMA_OPS_IOMMU = 1,	/* dev->dma_iommu: a DMA/DMA_FQ default domain */
	IMS_DMA_OPS_DUMMY = 2,	/* dma_dummy_ops */
};

/** enum ims_acs_placement - where pci_enable_acs() runs. */
enum ims_acs_placement {
	IMS_ACS_AT_ENUMERATION = 0,   /* 6.6-6.12: pci_acs_init(), if requested before */
	IMS_ACS_AT_DMA_CONFIGURE = 1, /* 7.0: pci_dma_configure(), after of_dma_configure */
};

/**
 * struct ims_devcore_opts - driver-core options.
 * @no_modules:             model CONFIG_MODULES=n (default: modules enabled, as arm64 defconfig).
 * @deferred_probe_timeout: driver_deferred_probe_timeout in seconds; -1 = the
 *                          default (10 with modules, 0 without).
 * @acs_placement:          6.12 (default) or 7.0 placement of pci_enable_acs().
 */
struct ims_devcore_opts {
	bool no_modules;
	int deferred_probe_timeout;
	enum ims_acs_placement acs_placement;
};

/**
 * struct ims_dev_msg - one kernel message about a device.
 * @level: its level.
 * @text:  the message as the kernel prints it ("pci 0000:00:01.0: ...").
 */
struct ims_dev_msg {
	enum ims_log_level level;
	char *text;
};

/**
 * struct ims_decision - one recorded decision, for explain --why.
 * @step: the kernel function that decided ("of_iommu_configure").
 * @text: what it decided and why (values, node, property).
 */
struct ims_decision {
	char *step;
	char *text;
};

/**
 * struct ims_dma_hooks - the upward calls of the bus dma_configure hooks,
 * installed by the IOMMU layer (or a machine layer); all may be NULL.
 * @of_iommu_configure:  of_iommu_configure(dev, master_np, id) (§2).  When NULL
 *                       devices get no IOMMU (-ENODEV).
 * @use_default_domain:  iommu_device_use_default_domain().
 * @unuse_default_domain: iommu_device_unuse_default_domain().
 * @device_added:        the BUS_NOTIFY_ADD_DEVICE notifier (iommu_probe_device).
 * @device_removed:      the BUS_NOTIFY_REMOVED_DEVICE notifier (iommu_release_device).
 * @ctx:                 the installer's cookie (ims_devcore_dma_hooks_ctx()).
 */
struct ims_dma_hooks {
	int (*of_iommu_configure)(struct ims_device *dev, int master_np, const uint32_t *id);
	int (*use_default_domain)(struct ims_device *dev);
	void (*unuse_default_domain)(struct ims_device *dev);
	void (*device_added)(struct ims_device *dev);
	void (*device_removed)(struct ims_device *dev);
	void *ctx;
};

/**
 * struct ims_driver - struct device_driver (plus the bus driver parts).
 * @name:               the driver's name ("arm-smmu-v3").
 * @bus:                the bus it registers on.
 * @of_match:           NULL-terminated compatible strings, or NULL.
 * @match:              optional match function; used when @of_match is NULL.
 * @probe:              the driver's probe (0, or a negative code; -EPROBE_DEFER defers).
 * @remove:             optional remove.
 * @driver_managed_dma: the driver manages DMA ownership itself (VFIO).
 * @data:               the registrant's cookie.
 */
struct ims_driver {
	const char *name;
	enum ims_bus_kind bus;
	const char *const *of_match;
	bool (*match)(const struct ims_driver *drv, struct ims_device *dev);
	int (*probe)(struct ims_device *dev);
	void (*remove)(struct ims_device *dev);
	bool driver_managed_dma;
	void *data;
};

/**
 * struct ims_device - struct device.
 * @name:              dev_name(): "9050000.smmuv3", "0000:00:01.0".
 * @bus:               the bus.
 * @core:              the owning driver core.
 * @of_node:           the DT node, or IMS_OF_NONE.
 * @parent:            the parent device (a PCI device's upstream bridge, or the
 *                     host bridge's platform device), or NULL.
 * @driver:            the bound driver, or NULL.
 * @driver_data:       dev_get_drvdata().
 * @pci:               the PCI function when @bus is IMS_BUS_PCI, else NULL.
 * @index:             the order in which the device was added.
 * @dma_mask:          *dev->dma_mask (the streaming mask).
 * @coherent_dma_mask: the coherent mask.
 * @has_dma_mask:      dev->dma_mask is set (false warns "DMA mask not set").
 * @bus_dma_limit:     the bus limit from dma-ranges (0 = none).
 * @dma_range_map:     the dma_range_map (zero-size terminated) or NULL.
 * @nr_dma_range:      regions in @dma_range_map.
 * @dma_coherent:      dev->dma_coherent.
 * @dma_ops:           what the DMA API dispatches to.
 * @iova_start:        with IMS_DMA_OPS_IOMMU: the first IOVA of the domain aperture.
 * @iova_end:          with IMS_DMA_OPS_IOMMU: the last IOVA of the domain aperture.
 * @iommu:             dev->iommu (IOMMU layer).
 * @iommu_group:       dev->iommu_group (IOMMU layer).
 * @dma_fast:          internal: the DMA layer's cached fast state, or NULL.  It
 *                     is rebuilt after the DMA API and IOMMU calls that change
 *                     what it depends on; DMA fields written directly (not
 *                     through those calls) are not seen by a device that has
 *                     one.  Never touch it.
 * @probe_err:         the last probe result (0, a negative code, or 1 when never probed).
 * @deferred:          on the deferred-probe list.
 * @is_iommu:          its DT node has #iommu-cells.
 * @is_host_bridge:    a platform device with device_type = "pci".
 * @no_driver:         iommusim,no-driver (or a PCI host-bridge-class function).
 * @msgs:              every kernel message about the device, in order.
 * @nr_msgs:           number of @msgs.
 * @decisions:         the decision record.
 * @nr_decisions:      number of @decisions.
 */
struct ims_device {
	char name[64];
	enum ims_bus_kind bus;
	struct ims_devcore *core;
	int of_node;
	struct ims_device *parent;
	const struct ims_driver *driver;
	void *driver_data;
	struct ims_pci_dev *pci;
	int index;

	uint64_t dma_mask;
	uint64_t coherent_dma_mask;
	bool has_dma_mask;
	uint64_t bus_dma_limit;
	struct ims_bus_dma_region *dma_range_map;
	int nr_dma_range;
	bool dma_coherent;
	enum ims_dma_ops_kind dma_ops;
	uint64_t iova_start, iova_end;

	struct ims_dev_iommu *iommu;
	struct ims_iommu_group *iommu_group;
	struct ims_dma_fast *dma_fast;

	int probe_err;
	bool deferred;
	bool is_iommu;
	bool is_host_bridge;
	bool no_driver;

	struct ims_dev_msg *msgs;
	int nr_msgs, cap_msgs;
	struct ims_decision *decisions;
	int nr_decisions, cap_decisions;
};

/* ---- PCI ----------------------------------------------------------------- */

/** enum ims_pcie_type - PCI_EXP_TYPE_* plus the two conventional kinds. */
enum ims_pcie_type {
	IMS_PCIE_ENDPOINT = 0x0,     /* PCI_EXP_TYPE_ENDPOINT */
	IMS_PCIE_LEG_END = 0x1,	     /* PCI_EXP_TYPE_LEG_END */
	IMS_PCIE_ROOT_PORT = 0x4,    /* PCI_EXP_TYPE_ROOT_PORT */
	IMS_PCIE_UPSTREAM = 0x5,     /* PCI_EXP_TYPE_UPSTREAM */
	IMS_PCIE_DOWNSTREAM = 0x6,   /* PCI_EXP_TYPE_DOWNSTREAM */
	IMS_PCIE_PCI_BRIDGE = 0x7,   /* PCI_EXP_TYPE_PCI_BRIDGE: PCIe to PCI/PCI-X */
	IMS_PCIE_PCIE_BRIDGE = 0x8,  /* PCI_EXP_TYPE_PCIE_BRIDGE: PCI/PCI-X to PCIe */
	IMS_PCIE_RC_END = 0x9,	     /* PCI_EXP_TYPE_RC_END */
	IMS_PCIE_RC_EC = 0xa,	     /* PCI_EXP_TYPE_RC_EC */
	IMS_PCI_CONV_BRIDGE = 0x100, /* conventional PCI-to-PCI bridge, no PCIe capability */
	IMS_PCI_CONV_DEVICE = 0x101, /* conventional PCI function, no PCIe capability */
};

/* ACS capability/control bits (include/uapi/linux/pci_regs.h). */
#define IMS_PCI_ACS_SV 0x0001
#define IMS_PCI_ACS_TB 0x0002
#define IMS_PCI_ACS_RR 0x0004
#define IMS_PCI_ACS_CR 0x0008
#define IMS_PCI_ACS_UF 0x0010
#define IMS_PCI_ACS_EC 0x0020
#define IMS_PCI_ACS_DT 0x0040
/* REQ_ACS_FLAGS of drivers/iommu/iommu.c. */
#define IMS_REQ_ACS_FLAGS (IMS_PCI_ACS_SV | IMS_PCI_ACS_RR | IMS_PCI_ACS_CR | IMS_PCI_ACS_UF)

/* pci_dev->dev_flags bits modelled. */
#define IMS_PCI_DEV_FLAG_PCIE_BRIDGE_ALIAS (1u << 0)
#define IMS_PCI_DEV_FLAGS_BRIDGE_XLATE_ROOT (1u << 1)

/** IMS_PCI_DEVID() - PCI_DEVID(bus, devfn). */
#define IMS_PCI_DEVID(bus, devfn) ((uint16_t)((((uint16_t)(bus)) << 8) | (devfn)))
/** IMS_PCI_DEVFN() - PCI_DEVFN(slot, func). */
#define IMS_PCI_DEVFN(slot, func) ((((slot)&0x1f) << 3) | ((func)&0x07))

/**
 * struct ims_pci_host_bridge - struct pci_host_bridge.
 * @dev:       the platform device of the host controller (bridge->dev.parent).
 * @domain:    the PCI domain number.
 * @busnr:     the root bus number (bus-range[0]).
 * @bus_end:   bus-range[1].
 * @bus:       the root bus.
 */
struct ims_pci_host_bridge {
	struct ims_device *dev;
	int domain;
	int busnr, bus_end;
	struct ims_pci_bus *bus;
};

/**
 * struct ims_pci_bus - struct pci_bus.
 * @number:      the bus number.
 * @bus_end:     the subordinate bus number (bridges) or the host's bus_end.
 * @parent:      the parent bus, NULL for a root bus.
 * @self:        the bridge above this bus; NULL for a root or virtual (SR-IOV) bus.
 * @bridge:      the host bridge.
 * @devices:     the functions on the bus, in scan order.
 * @nr_devices:  number of @devices.
 * @children:    child buses, in scan order.
 * @nr_children: number of @children.
 */
struct ims_pci_bus {
	int number, bus_end;
	struct ims_pci_bus *parent;
	struct ims_pci_dev *self;
	struct ims_pci_host_bridge *bridge;
	struct ims_pci_dev **devices;
	int nr_devices, cap_devices;
	struct ims_pci_bus **children;
	int nr_children, cap_children;
};

/**
 * struct ims_pci_dev - struct pci_dev (the parts that decide DMA wiring).
 * @dev:             the generic device.
 * @bus:             the bus it sits on.
 * @devfn:           device and function.
 * @vendor:          vendor-id (0xffff when absent).
 * @device:          device-id (0xffff when absent).
 * @class_code:      class-code (24 bits; 0 when absent).
 * @type:            the PCIe type or conventional kind.
 * @is_bridge:       a type-1 header (a bridge).
 * @subordinate:     the bus below a bridge.
 * @multifunction:   dev->multifunction.
 * @has_acs:         an ACS capability is present (dev->acs_cap).
 * @acs_cap:         its capability register.
 * @acs_ctrl:        its control register now.
 * @acs_fw_ctrl:     the control register as firmware left it.
 * @dma_alias_mask:  256 bits of same-bus devfn aliases (pci_add_dma_alias).
 * @dev_flags:       IMS_PCI_DEV_FLAG_*.
 * @external_facing: the port is external-facing.
 * @untrusted:       the device is untrusted (below an external-facing port).
 * @is_virtfn:       an SR-IOV VF.
 * @physfn:          the PF of a VF.
 * @sriov_total:     TotalVFs (0: no SR-IOV capability).
 * @sriov_offset:    First VF Offset.
 * @sriov_stride:    VF Stride.
 * @sriov_num:       VFs to enable when the PF's driver binds.
 * @num_vfs:         VFs currently enabled.
 */
struct ims_pci_dev {
	struct ims_device dev;
	struct ims_pci_bus *bus;
	uint8_t devfn;
	uint16_t vendor, device;
	uint32_t class_code;
	enum ims_pcie_type type;
	bool is_bridge;
	struct ims_pci_bus *subordinate;
	bool multifunction;
	bool has_acs;
	uint16_t acs_cap, acs_ctrl, acs_fw_ctrl;
	uint64_t dma_alias_mask[4];
	uint32_t dev_flags;
	bool external_facing, untrusted;
	bool is_virtfn;
	struct ims_pci_dev *physfn;
	uint16_t sriov_total, sriov_offset, sriov_stride, sriov_num;
	int num_vfs;
};

/* ---- the driver core ------------------------------------------------------ */

/**
 * ims_devcore_new() - create a driver core over a loaded tree.
 * @out:  set to the new core.
 * @tree: the device tree (not owned; must outlive the core).
 * @opts: options, or NULL for the defaults.
 * @log:  the kernel-log sink (copied), or NULL.
 *
 * Return: 0, -ENOMEM or -EINVAL.
 */
IMS_EXPORT int ims_devcore_new(struct ims_devcore **out, const struct ims_of_tree *tree,
			       const struct ims_devcore_opts *opts, const struct ims_log *log);

/** ims_devcore_free() - remove every device and free the core; NULL is allowed. @core: the core. */
IMS_EXPORT void ims_devcore_free(struct ims_devcore *core);

/**
 * ims_devcore_tree() - the core's device tree.
 * @core: the core.
 *
 * Return: the tree.
 */
IMS_EXPORT const struct ims_of_tree *ims_devcore_tree(const struct ims_devcore *core);

/**
 * ims_devcore_log() - the core's kernel-log sink.
 * @core: the core.
 *
 * Return: the sink (never NULL).
 */
IMS_EXPORT const struct ims_log *ims_devcore_log(const struct ims_devcore *core);

/**
 * ims_devcore_opts() - the core's options.
 * @core: the core.
 *
 * Return: the options (never NULL).
 */
IMS_EXPORT const struct ims_devcore_opts *ims_devcore_opts(const struct ims_devcore *core);

/**
 * ims_devcore_set_mem() - give the driver core the machine's physical address
 * space: drivers reach their registers (MMIO) and allocate the tables and
 * queues their hardware reads through it.
 * @core: the core.
 * @mem:  the address space (not owned; must outlive the core), or NULL.
 */
IMS_EXPORT void ims_devcore_set_mem(struct ims_devcore *core, struct ims_mem *mem);

/**
 * ims_devcore_install_dma_ctx() - attach the DMA layer's per-system state
 * (swiotlb pool, dma-debug tables) to the driver core, once.
 * @core:    the core.
 * @ctx:     the state.
 * @free_fn: called with @ctx by ims_devcore_free() after every device is gone.
 * @unbound: called after a driver's remove (BUS_NOTIFY_UNBOUND_DRIVER), or NULL.
 *
 * Return: the installed state: @ctx, or the one another caller installed
 * first (the caller then frees @ctx itself).
 */
IMS_EXPORT void *ims_devcore_install_dma_ctx(struct ims_devcore *core, void *ctx,
					     void (*free_fn)(void *ctx),
					     void (*unbound)(void *ctx, struct ims_device *dev));
/**
 * ims_devcore_dma_ctx() - the state installed by ims_devcore_install_dma_ctx().
 * @core: the core.
 *
 * Return: the state, or NULL.
 */
IMS_EXPORT void *ims_devcore_dma_ctx(const struct ims_devcore *core);
/**
 * ims_devcore_mem() - the address space set with ims_devcore_set_mem().
 * @core: the core.
 *
 * Return: the address space, or NULL when none was set.
 */
IMS_EXPORT struct ims_mem *ims_devcore_mem(const struct ims_devcore *core);

/*
 * Interrupts: a minimal router in place of an interrupt controller.  The
 * machine connects a model's interrupt output to (DT node, index), the
 * index-th interrupt of the node; a driver requests that line as
 * platform_get_irq() + request_irq() do.  Raising a line calls its handler
 * synchronously on the raising thread, with no lock of the router held, so a
 * handler may touch the device's registers (and the model may raise again).
 */

/** typedef ims_irq_handler_t - an interrupt handler; @ctx is request_irq's cookie. */
typedef void (*ims_irq_handler_t)(void *ctx);

/** The most interrupt lines a driver core routes. */
#define IMS_MAX_IRQS 1024

/**
 * ims_request_irq() - request_irq() on the @index-th interrupt of @node.
 * @core:    the core.
 * @node:    the interrupt's device node.
 * @index:   the index in the node's "interrupts" (see ims_irq_index_byname()).
 * @handler: called when the line is raised.
 * @ctx:     passed to @handler.
 *
 * Return: 0; -EINVAL for bad arguments; -EBUSY when the line already has a
 * handler; -IMS_ELIMIT past IMS_MAX_IRQS; -ENOMEM.
 */
IMS_EXPORT int ims_request_irq(struct ims_devcore *core, int node, int index,
			       ims_irq_handler_t handler, void *ctx);

/**
 * ims_free_irq() - free_irq(): drop the handler of (@node, @index).
 * @core:  the core.
 * @node:  the node.
 * @index: the index.
 */
IMS_EXPORT void ims_free_irq(struct ims_devcore *core, int node, int index);

/**
 * ims_raise_irq() - the hardware asserts (@node, @index): call its handler.
 * @core:  the core.
 * @node:  the node.
 * @index: the index.
 *
 * Return: 1 when a handler ran, 0 for a line nobody requested (the kernel's
 * "nobody cared" case, counted by ims_irq_spurious()).
 */
IMS_EXPORT int ims_raise_irq(struct ims_devcore *core, int node, int index);

/**
 * ims_irq_spurious() - how many raises found no handler.
 * @core: the core.
 *
 * Return: the count.
 */
IMS_EXPORT unsigned long ims_irq_spurious(const struct ims_devcore *core);

/**
 * ims_irq_index_byname() - platform_get_irq_byname(): the index of @name in
 * @node's "interrupt-names".
 * @tree: the tree.
 * @node: the node.
 * @name: the interrupt's name ("eventq", "gerror", "combined"...).
 *
 * Return: the index, or -ENXIO when the name is absent (-EINVAL for bad arguments).
 */
IMS_EXPORT int ims_irq_index_byname(const struct ims_of_tree *tree, int node, const char *name);

/**
 * ims_devcore_set_dma_hooks() - install the bus dma_configure upward calls.
 * @core:  the core.
 * @hooks: the hooks (copied), or NULL to remove them.
 */
IMS_EXPORT void ims_devcore_set_dma_hooks(struct ims_devcore *core,
					  const struct ims_dma_hooks *hooks);

/**
 * ims_devcore_dma_hooks() - the installed hooks.
 * @core: the core.
 *
 * Return: the hooks (all NULL when none are installed).
 */
IMS_EXPORT const struct ims_dma_hooks *ims_devcore_dma_hooks(const struct ims_devcore *core);

/**
 * ims_devcore_nr_devices() - number of devices added.
 * @core: the core.
 *
 * Return: the count.
 */
IMS_EXPORT int ims_devcore_nr_devices(const struct ims_devcore *core);

/**
 * ims_devcore_device() - the @idx-th device in add order.
 * @core: the core.
 * @idx:  0 .. ims_devcore_nr_devices() - 1.
 *
 * Return: the device, or NULL.
 */
IMS_EXPORT struct ims_device *ims_devcore_device(const struct ims_devcore *core, int idx);

/**
 * ims_devcore_find_device() - a device by dev_name().
 * @core: the core.
 * @name: the name.
 *
 * Return: the device, or NULL.
 */
IMS_EXPORT struct ims_device *ims_devcore_find_device(const struct ims_devcore *core,
						      const char *name);

/**
 * ims_devcore_find_by_node() - the device created for a DT node.
 * @core: the core.
 * @node: the node.
 *
 * Return: the device, or NULL.
 */
IMS_EXPORT struct ims_device *ims_devcore_find_by_node(const struct ims_devcore *core, int node);

/**
 * ims_driver_register() - driver_register(): add @drv and bind it to every
 * matching unbound device of its bus (driver_attach, in device add order).
 * @core: the core.
 * @drv:  the driver (not copied; must outlive the core).
 *
 * Return: 0; -EEXIST when a driver with that name is registered; -ENOMEM.
 */
IMS_EXPORT int ims_driver_register(struct ims_devcore *core, const struct ims_driver *drv);

/**
 * ims_driver_unregister() - driver_unregister(): unbind @drv from its devices
 * (device_release_driver), then remove it.
 * @core: the core.
 * @drv:  the driver.
 */
IMS_EXPORT void ims_driver_unregister(struct ims_devcore *core, const struct ims_driver *drv);

/**
 * ims_device_release_driver() - device_release_driver(): unbind (the driver's
 * remove, then the bus dma_cleanup: iommu_device_unuse_default_domain()).
 * @dev: the device; nothing happens when it has no driver.
 */
IMS_EXPORT void ims_device_release_driver(struct ims_device *dev);

/**
 * ims_device_attach() - device_attach(): try every registered driver of the
 * device's bus in registration order; the first that matches is probed.
 * @dev: the device.
 *
 * Return: 1 when bound; 0 when no driver matched (or the probe was deferred
 * or failed; see @dev->probe_err).
 */
IMS_EXPORT int ims_device_attach(struct ims_device *dev);

/**
 * ims_device_unregister() - device_del(): unbind, run the removed-device
 * notifier (iommu_release_device) and drop the device.  VFs and the functions
 * of a bridge's subordinate bus are removed first.
 * @dev: the device.
 */
IMS_EXPORT void ims_device_unregister(struct ims_device *dev);

/**
 * ims_driver_deferred_probe_check_state() - driver_deferred_probe_check_state().
 * @dev: the device waiting for a supplier.
 *
 * Return: -ENODEV ("ignoring dependency for device, assuming no driver") when
 * modules are off and initcalls are done; -ETIMEDOUT ("deferred probe timeout,
 * ignoring dependency") when the timeout is 0 and initcalls are done;
 * -EPROBE_DEFER otherwise.
 */
IMS_EXPORT int ims_driver_deferred_probe_check_state(struct ims_device *dev);

/**
 * ims_devcore_late_initcall() - deferred_probe_initcall(): enable deferred
 * probe, trigger it, mark initcalls done, trigger again.  Until this runs,
 * deferred devices are not retried (driver_deferred_probe_enable is false).
 * @core: the core.
 */
IMS_EXPORT void ims_devcore_late_initcall(struct ims_devcore *core);

/**
 * ims_devcore_deferred_probe_timeout() - the deferred_probe_timeout work:
 * the timeout becomes 0, deferred probe is retried, and each device still
 * pending logs "deferred probe pending".
 * @core: the core.
 */
IMS_EXPORT void ims_devcore_deferred_probe_timeout(struct ims_devcore *core);

/**
 * ims_devcore_nr_deferred() - devices on the deferred-probe list.
 * @core: the core.
 *
 * Return: the count.
 */
IMS_EXPORT int ims_devcore_nr_deferred(const struct ims_devcore *core);

/**
 * ims_dev_logf() - log a kernel message about @dev (dev_err/dev_info...):
 * prefixed "<driver or bus> <dev_name>: ", sent to the core's sink and kept
 * in @dev->msgs.
 * @dev:   the device.
 * @level: the level.
 * @fmt:   printf format.
 */
IMS_EXPORT void ims_dev_logf(struct ims_device *dev, enum ims_log_level level, const char *fmt, ...)
	IMS_PRINTF(3, 4);

/**
 * ims_dev_record_msg() - keep a message about @dev in @dev->msgs without
 * sending it to the sink (a message another layer already printed, such as
 * of_map_id()'s pr_info).
 * @dev:   the device.
 * @level: the level.
 * @fmt:   printf format of the whole message.
 */
IMS_EXPORT void ims_dev_record_msg(struct ims_device *dev, enum ims_log_level level,
				   const char *fmt, ...) IMS_PRINTF(3, 4);

/**
 * ims_dev_decide() - append to @dev's decision record.
 * @dev:  the device.
 * @step: the deciding kernel function.
 * @fmt:  printf format of what was decided and why.
 */
IMS_EXPORT void ims_dev_decide(struct ims_device *dev, const char *step, const char *fmt, ...)
	IMS_PRINTF(3, 4);

/**
 * ims_dev_has_msg() - does any of @dev's messages contain @needle?
 * @dev:    the device.
 * @needle: a substring.
 *
 * Return: true when found.
 */
IMS_EXPORT bool ims_dev_has_msg(const struct ims_device *dev, const char *needle);

/**
 * ims_of_dma_configure_id() - of_dma_configure_id() (drivers/of/device.c, §3):
 * dma-ranges, masks (they only shrink), bus_dma_limit, coherency, then the
 * installed of_iommu_configure hook.  -EPROBE_DEFER from it frees the map this
 * call installed (the masks stay shrunk); every other IOMMU error carries on
 * without the IOMMU.
 * @dev:       the device.
 * @np:        the node (the device's own for platform; the host bridge's for PCI).
 * @force_dma: always true in the callers modelled.
 * @id:        NULL, or the input id for iommu-map (non-PCI users).
 *
 * Return: 0; -EPROBE_DEFER; -ENOMEM.
 */
IMS_EXPORT int ims_of_dma_configure_id(struct ims_device *dev, int np, bool force_dma,
				       const uint32_t *id);

/* ---- platform bus ----------------------------------------------------------- */

/**
 * ims_of_platform_populate() - of_platform_default_populate(): create (and add,
 * binding registered drivers) a platform device for every available child of
 * the root, and of simple-bus / simple-mfd / isa / arm,amba-bus nodes, that
 * has "compatible"; depth-first in DT order.  Named by of_device_make_bus_id().
 * Default masks: 32-bit coherent mask, dma_mask = &coherent_dma_mask.
 * @core: the core.
 *
 * Return: the number of devices created, or a negative code.
 */
IMS_EXPORT int ims_of_platform_populate(struct ims_devcore *core);

/**
 * ims_of_device_make_bus_id() - of_device_make_bus_id() for a node.
 * @tree: the tree.
 * @node: the device node.
 * @buf:  output.
 * @len:  its size.
 *
 * Return: @buf.
 */
IMS_EXPORT char *ims_of_device_make_bus_id(const struct ims_of_tree *tree, int node, char *buf,
					   size_t len);

/**
 * ims_platform_client_driver() - the generic client driver: binds to every
 * platform and PCI device that is not an IOMMU, not a host bridge and not
 * iommusim,no-driver.  Register it once per bus.
 * @bus: the bus.
 *
 * Return: a static driver.
 */
IMS_EXPORT const struct ims_driver *ims_client_driver(enum ims_bus_kind bus);

/**
 * ims_pci_host_driver() - the generic PCI host-bridge driver ("pci-host-generic"):
 * binds to platform devices with device_type = "pci" and enumerates the PCI
 * topology below them (pci_host_probe: scan, then pci_bus_add_devices).
 *
 * Return: a static driver.
 */
IMS_EXPORT const struct ims_driver *ims_pci_host_driver(void);

/* ---- PCI ------------------------------------------------------------------- */

/**
 * ims_pci_host_probe() - pci_host_probe() for a host-bridge platform device:
 * allocate the domain, scan the DT topology, then add (and bind) the devices in
 * pci_bus_add_devices() order.  Called by the host driver's probe.
 * @dev: the host bridge's platform device.
 *
 * Return: 0; -EINVAL (message names node and property) for a bad topology;
 * -ENOMEM.
 */
IMS_EXPORT int ims_pci_host_probe(struct ims_device *dev);

/**
 * ims_pci_host_bridge_of() - the host bridge of a PCI device or host platform device.
 * @dev: the device.
 *
 * Return: the bridge, or NULL.
 */
IMS_EXPORT struct ims_pci_host_bridge *ims_pci_host_bridge_of(const struct ims_device *dev);

/**
 * ims_to_pci_dev() - to_pci_dev().
 * @dev: a device.
 *
 * Return: the PCI function, or NULL for a non-PCI device.
 */
IMS_EXPORT struct ims_pci_dev *ims_to_pci_dev(const struct ims_device *dev);

/**
 * ims_pci_dev_id() - pci_dev_id(): bus << 8 | devfn.
 * @pdev: the function.
 *
 * Return: the requester ID.
 */
IMS_EXPORT uint16_t ims_pci_dev_id(const struct ims_pci_dev *pdev);

/**
 * ims_pci_is_pcie() - pci_is_pcie().
 * @pdev: the function.
 *
 * Return: true when it has a PCIe capability.
 */
IMS_EXPORT bool ims_pci_is_pcie(const struct ims_pci_dev *pdev);

/**
 * ims_pci_is_root_bus() - pci_is_root_bus().
 * @bus: the bus.
 *
 * Return: true for a root bus.
 */
IMS_EXPORT bool ims_pci_is_root_bus(const struct ims_pci_bus *bus);

/**
 * ims_pci_get_slot() - the function at @bus:@devfn in @domain.
 * @core:   the core.
 * @domain: the domain.
 * @bus:    the bus number.
 * @devfn:  device/function.
 *
 * Return: the function, or NULL.
 */
IMS_EXPORT struct ims_pci_dev *ims_pci_get_slot(const struct ims_devcore *core, int domain, int bus,
						int devfn);

/**
 * typedef ims_pci_alias_fn - a pci_for_each_dma_alias() callback.
 * @owner: the device that owns the alias (the bridge for topology aliases).
 * @alias: the requester ID.
 * @data:  the caller's data.
 *
 * Return: 0 to continue; anything else stops the walk and is returned.
 */
typedef int (*ims_pci_alias_fn)(struct ims_pci_dev *owner, uint16_t alias, void *data);

/**
 * ims_pci_for_each_dma_alias() - pci_for_each_dma_alias() in Linux 6.12's order:
 * the device, its dma_alias_mask aliases (ascending, same bus), then upstream
 * bridges (PCIe-to-PCI: secondary << 8; PCI-X-to-PCIe: its own RID;
 * conventional: its own RID, or secondary << 8 with PCI_DEV_FLAG_PCIE_BRIDGE_ALIAS;
 * PCIe ports: none; virtual buses skipped; XLATE_ROOT stops).
 * @pdev: the function.
 * @fn:   the callback.
 * @data: passed to @fn.
 *
 * Return: 0, or the first non-zero callback return.
 */
IMS_EXPORT int ims_pci_for_each_dma_alias(struct ims_pci_dev *pdev, ims_pci_alias_fn fn,
					  void *data);

/**
 * ims_pci_devs_are_dma_aliases() - pci_devs_are_dma_aliases() (the bus number
 * is not compared).
 * @a: a function.
 * @b: another.
 *
 * Return: true when either has the other's devfn in its alias mask.
 */
IMS_EXPORT bool ims_pci_devs_are_dma_aliases(const struct ims_pci_dev *a,
					     const struct ims_pci_dev *b);

/**
 * ims_pci_add_dma_alias() - pci_add_dma_alias(dev, devfn_from, nr).
 * @pdev:       the function.
 * @devfn_from: the first aliased devfn.
 * @nr:         how many.
 */
IMS_EXPORT void ims_pci_add_dma_alias(struct ims_pci_dev *pdev, unsigned int devfn_from,
				      unsigned int nr);

/**
 * ims_pci_acs_flags_enabled() - pci_acs_flags_enabled().
 * @pdev:  the function.
 * @flags: ACS bits required.
 *
 * Return: false without an ACS capability; otherwise whether every flag the
 * capability implements (EC always counted) is enabled in the control register.
 */
IMS_EXPORT bool ims_pci_acs_flags_enabled(const struct ims_pci_dev *pdev, uint16_t flags);

/**
 * ims_pci_acs_enabled() - pci_acs_enabled() (no device-specific quirks modelled).
 * @pdev:  the function.
 * @flags: ACS bits required.
 *
 * Return: the predicate of §5.
 */
IMS_EXPORT bool ims_pci_acs_enabled(const struct ims_pci_dev *pdev, uint16_t flags);

/**
 * ims_pci_acs_path_enabled() - pci_acs_path_enabled(start, end, flags).
 * @start: the first function.
 * @end:   where to stop (NULL = the root bus).
 * @flags: ACS bits required.
 *
 * Return: true when every function on the path has @flags enabled.
 */
IMS_EXPORT bool ims_pci_acs_path_enabled(const struct ims_pci_dev *start,
					 const struct ims_pci_dev *end, uint16_t flags);

/**
 * ims_pci_request_acs() - pci_request_acs(): set pci_acs_enable.
 * @core: the core.
 */
IMS_EXPORT void ims_pci_request_acs(struct ims_devcore *core);

/**
 * ims_pci_acs_requested() - the pci_acs_enable flag.
 * @core: the core.
 *
 * Return: true once requested.
 */
IMS_EXPORT bool ims_pci_acs_requested(const struct ims_devcore *core);

/**
 * ims_pci_enable_acs() - pci_enable_acs(): when requested, enable SV/RR/CR/UF
 * the capability implements (plus TB for external-facing or untrusted ports).
 * @pdev: the function.
 */
IMS_EXPORT void ims_pci_enable_acs(struct ims_pci_dev *pdev);

/**
 * ims_pci_msi_domain_get_msi_rid() - pci_msi_domain_get_msi_rid(): the RID
 * after aliases on other buses, run through msi-map (§5).
 * @pdev:   the function.
 * @msi_np: if not NULL, set to the MSI controller msi-map picked (or IMS_OF_NONE).
 *
 * Return: the MSI DeviceID.
 */
IMS_EXPORT uint32_t ims_pci_msi_domain_get_msi_rid(struct ims_pci_dev *pdev, int *msi_np);

/**
 * ims_pci_bus_of_node() - the DT node a PCI function's lookups start from:
 * its own node, or the nearest ancestor device's.
 * @pdev: the function.
 *
 * Return: the node, or IMS_OF_NONE.
 */
IMS_EXPORT int ims_pci_bus_of_node(const struct ims_pci_dev *pdev);

/**
 * ims_pcie_type_name() - the iommusim,pcie-type string of a type.
 * @type: the type.
 *
 * Return: a static string.
 */
IMS_EXPORT const char *ims_pcie_type_name(enum ims_pcie_type type);

#ifdef __cplusplus
}
#endif
#endif /* IOMMUSIM_BUS_H */
