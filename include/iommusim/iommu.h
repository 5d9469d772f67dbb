/* SPDX-License-Identifier: MIT */
/*
 * iommusim IOMMU core: IOMMU registration, the fwspec, of_iommu_configure(),
 * iommu_probe_device(), groups (pci_device_group / generic_device_group),
 * default domains, ownership, and the domain API (attach, iommu_map /
 * iommu_unmap with an iotlb gather, iova_to_phys), after
 * drivers/iommu/{iommu,of_iommu}.c of Linux 6.12 (§2, §5, §6).
 *
 * An IOMMU driver is a const struct ims_iommu_ops; the core calls nothing
 * else.  Drivers keep their per-device state in dev->iommu->priv and their
 * per-domain state by embedding struct ims_iommu_domain (container_of).
 */
#ifndef IOMMUSIM_IOMMU_H
#define IOMMUSIM_IOMMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <iommusim/bus.h>
#include <iommusim/common.h>
#include <iommusim/of.h>
#include <iommusim/pgtable.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ims_iommu_core;
struct ims_iommu_ops;
struct ims_iommu_domain;

/* Domain type bits (include/linux/iommu.h). */
#define __IMS_IOMMU_DOMAIN_PAGING (1u << 0)
#define __IMS_IOMMU_DOMAIN_DMA_API (1u << 1)
#define __IMS_IOMMU_DOMAIN_PT (1u << 2)
#define __IMS_IOMMU_DOMAIN_DMA_FQ (1u << 3)
#define IMS_IOMMU_DOMAIN_BLOCKED 0u
#define IMS_IOMMU_DOMAIN_IDENTITY __IMS_IOMMU_DOMAIN_PT
#define IMS_IOMMU_DOMAIN_UNMANAGED __IMS_IOMMU_DOMAIN_PAGING
#define IMS_IOMMU_DOMAIN_DMA (__IMS_IOMMU_DOMAIN_PAGING | __IMS_IOMMU_DOMAIN_DMA_API)
#define IMS_IOMMU_DOMAIN_DMA_FQ (IMS_IOMMU_DOMAIN_DMA | __IMS_IOMMU_DOMAIN_DMA_FQ)

/* iommu_map() prot bits. */
#define IMS_IOMMU_READ (1 << 0)
#define IMS_IOMMU_WRITE (1 << 1)
#define IMS_IOMMU_CACHE (1 << 2)
#define IMS_IOMMU_NOEXEC (1 << 3)
#define IMS_IOMMU_MMIO (1 << 4)
#define IMS_IOMMU_PRIV (1 << 5)

/* iommu_map() gfp flags that are refused (__GFP_COMP|__GFP_DMA|__GFP_DMA32|__GFP_HIGHMEM). */
#define IMS_GFP_KERNEL 0u
#define IMS_GFP_DMA 0x01u
#define IMS_GFP_HIGHMEM 0x02u
#define IMS_GFP_DMA32 0x04u
#define IMS_GFP_COMP 0x40000u

/** IMS_MSI_IOVA_BASE / IMS_MSI_IOVA_LENGTH - the SMMU drivers' software MSI window. */
#define IMS_MSI_IOVA_BASE 0x8000000ull
#define IMS_MSI_IOVA_LENGTH 0x100000ull

/** IMS_IOMMU_FWSPEC_PCI_RC_ATS - fwspec->flags bit 0. */
#define IMS_IOMMU_FWSPEC_PCI_RC_ATS (1u << 0)

/** enum ims_iommu_cap - enum iommu_cap (the ones modelled). */
enum ims_iommu_cap {
	IMS_IOMMU_CAP_CACHE_COHERENCY,
	IMS_IOMMU_CAP_NOEXEC,
	IMS_IOMMU_CAP_DEFERRED_FLUSH,
};

/** enum ims_iommu_resv_type - enum iommu_resv_type, plus the PCI window reservation. */
enum ims_iommu_resv_type {
	IMS_IOMMU_RESV_DIRECT,
	IMS_IOMMU_RESV_DIRECT_RELAXABLE,
	IMS_IOMMU_RESV_RESERVED,
	IMS_IOMMU_RESV_MSI,
	IMS_IOMMU_RESV_SW_MSI,
	/* Not a resv region in Linux: iova_reserve_pci_windows() reserves these IOVAs. */
	IMS_IOMMU_RESV_PCI_WINDOW,
};

/**
 * struct ims_iommu_resv_region - struct iommu_resv_region.
 * @start:  first address.
 * @length: size in bytes.
 * @prot:   IMS_IOMMU_* prot.
 * @type:   the type.
 */
struct ims_iommu_resv_region {
	uint64_t start;
	uint64_t length;
	int prot;
	enum ims_iommu_resv_type type;
};

/**
 * struct ims_resv_list - a growable list of reserved regions.
 * @r:   the regions.
 * @nr:  how many.
 * @cap: capacity.
 */
struct ims_resv_list {
	struct ims_iommu_resv_region *r;
	int nr, cap;
};

/**
 * struct ims_iommu_fwspec - struct iommu_fwspec.
 * @ops:           the IOMMU driver's ops.
 * @iommu_fwnode:  the IOMMU's DT node.
 * @flags:         IMS_IOMMU_FWSPEC_*.
 * @num_ids:       number of @ids.
 * @ids:           the IDs in the order of_xlate added them (never de-duplicated).
 */
struct ims_iommu_fwspec {
	const struct ims_iommu_ops *ops;
	int iommu_fwnode;
	uint32_t flags;
	unsigned int num_ids;
	uint32_t *ids;
};

/** The most ID registers a driver reports per instance. */
#define IMS_IOMMU_MAX_IDREGS 16

/**
 * struct ims_iommu_idreg - an ID register the driver read at probe, for explain.
 * @name:  its name as the specification writes it ("IDR0", "sIDR1").
 * @value: the value read.
 */
struct ims_iommu_idreg {
	const char *name;
	uint64_t value;
};

/**
 * struct ims_iommu_device - struct iommu_device: one registered IOMMU instance.
 * @ops:    its driver's ops.
 * @fwnode: its DT node (dev_fwnode(hwdev)).
 * @dev:    the hardware device, or NULL.
 * @core:   the IOMMU core.
 * @priv:   the driver's cookie.
 * @idregs: the ID registers the driver read at probe, in order (for explain).
 * @nr_idregs: how many of @idregs are filled.
 */
struct ims_iommu_device {
	const struct ims_iommu_ops *ops;
	int fwnode;
	struct ims_device *dev;
	struct ims_iommu_core *core;
	void *priv;
	struct ims_iommu_idreg idregs[IMS_IOMMU_MAX_IDREGS];
	int nr_idregs;
};

/**
 * struct ims_dev_iommu - struct dev_iommu.
 * @fwspec:          the fwspec, or NULL.
 * @iommu_dev:       the instance probe_device returned.
 * @priv:            the driver's per-device data (dev_iommu_priv_get()).
 * @attach_deferred: ops->is_attach_deferred said so.
 * @require_direct:  a RESV_DIRECT region exists.
 */
struct ims_dev_iommu {
	struct ims_iommu_fwspec *fwspec;
	struct ims_iommu_device *iommu_dev;
	void *priv;
	bool attach_deferred;
	bool require_direct;
};

/* struct ims_iotlb_gather (struct iommu_iotlb_gather) is io-pgtable's: <iommusim/pgtable.h>. */

/**
 * struct ims_iommu_domain_ops - struct iommu_domain_ops.
 * @attach_dev:      attach @dev to the domain.
 * @map_pages:       map @pgcount pages of @pgsize; set *@mapped to bytes mapped.
 * @unmap_pages:     unmap; return bytes unmapped (gathering what to invalidate).
 * @iotlb_sync_map:  optional, after a map.
 * @flush_iotlb_all: optional.
 * @iotlb_sync:      optional: invalidate what @gather holds.
 * @iova_to_phys:    0 when unmapped.
 * @free:            free the domain.
 */
struct ims_iommu_domain_ops {
	int (*attach_dev)(struct ims_iommu_domain *domain, struct ims_device *dev);
	int (*map_pages)(struct ims_iommu_domain *domain, uint64_t iova, uint64_t paddr,
			 size_t pgsize, size_t pgcount, int prot, size_t *mapped);
	size_t (*unmap_pages)(struct ims_iommu_domain *domain, uint64_t iova, size_t pgsize,
			      size_t pgcount, struct ims_iotlb_gather *gather);
	int (*iotlb_sync_map)(struct ims_iommu_domain *domain, uint64_t iova, size_t size);
	void (*flush_iotlb_all)(struct ims_iommu_domain *domain);
	void (*iotlb_sync)(struct ims_iommu_domain *domain, struct ims_iotlb_gather *gather);
	uint64_t (*iova_to_phys)(struct ims_iommu_domain *domain, uint64_t iova);
	void (*free)(struct ims_iommu_domain *domain);
};

/**
 * struct ims_iommu_domain - struct iommu_domain (drivers embed it).
 * @type:           IMS_IOMMU_DOMAIN_*.
 * @ops:            the domain ops.
 * @owner:          the driver that allocated it.
 * @pgsize_bitmap:  page sizes supported.
 * @aperture_start: geometry.aperture_start.
 * @aperture_end:   geometry.aperture_end.
 * @force_aperture: geometry.force_aperture.
 * @is_static:      a static (identity/blocked) domain owned by the driver: never freed.
 * @core:           the IOMMU core that allocated it (NULL for static domains): its
 *                  kernel log receives the map/unmap pr_err messages.
 * @iova_cookie:    dma-iommu's cookie (domain->iova_cookie: the iova_domain and
 *                  flush queue), installed by the DMA layer, or NULL.
 * @put_dma_cookie: the DMA layer's iommu_put_dma_cookie(), run by
 *                  ims_iommu_domain_free() before the driver frees the domain.
 */
struct ims_iommu_domain {
	unsigned int type;
	const struct ims_iommu_domain_ops *ops;
	const struct ims_iommu_ops *owner;
	uint64_t pgsize_bitmap;
	uint64_t aperture_start, aperture_end;
	bool force_aperture;
	bool is_static;
	struct ims_iommu_core *core;
	void *iova_cookie;
	void (*put_dma_cookie)(struct ims_iommu_domain *domain);
};

/**
 * struct ims_iommu_ops - struct iommu_ops: the driver interface.
 * @name:              driver name (messages).
 * @capable:           optional: device_iommu_capable().
 * @domain_alloc_paging: allocate a paging domain for @dev (NULL on failure).
 * @domain_alloc:      older alternative: allocate a domain of @type.
 * @probe_device:      return the IOMMU instance for @dev, or set *@err (e.g. -ERANGE).
 * @release_device:    optional.
 * @probe_finalize:    optional.
 * @device_group:      return the group (ims_pci_device_group(), ims_generic_device_group()...).
 * @get_resv_regions:  optional: append @dev's reserved regions.
 * @of_xlate:          append IDs from @spec to the fwspec (ims_iommu_fwspec_add_ids()).
 * @is_attach_deferred: optional.
 * @def_domain_type:   optional: 0 or an IMS_IOMMU_DOMAIN_* the device requires.
 * @identity_domain:   optional static identity domain.
 * @blocked_domain:    optional static blocked domain.
 * @default_domain:    optional static default domain.
 * @pgsize_bitmap:     default page sizes of new domains.
 * @owner_data:        the driver's cookie.
 */
struct ims_iommu_ops {
	const char *name;
	bool (*capable)(struct ims_device *dev, enum ims_iommu_cap cap);
	struct ims_iommu_domain *(*domain_alloc_paging)(struct ims_device *dev);
	struct ims_iommu_domain *(*domain_alloc)(unsigned int type);
	struct ims_iommu_device *(*probe_device)(struct ims_device *dev, int *err);
	void (*release_device)(struct ims_device *dev);
	void (*probe_finalize)(struct ims_device *dev);
	struct ims_iommu_group *(*device_group)(struct ims_device *dev, int *err);
	void (*get_resv_regions)(struct ims_device *dev, struct ims_resv_list *list);
	int (*of_xlate)(struct ims_device *dev, const struct ims_of_phandle_args *spec);
	bool (*is_attach_deferred)(struct ims_device *dev);
	int (*def_domain_type)(struct ims_device *dev);
	struct ims_iommu_domain *identity_domain;
	struct ims_iommu_domain *blocked_domain;
	struct ims_iommu_domain *default_domain;
	uint64_t pgsize_bitmap;
	void *owner_data;
};

/**
 * struct ims_iommu_group - struct iommu_group.
 * @id:             the group number (lowest free, as ida_alloc).
 * @core:           the IOMMU core.
 * @devices:        members in join order.
 * @nr_devices:     number of @devices.
 * @default_domain: the default domain, or NULL.
 * @domain:         the current domain, or NULL.
 * @owner_cnt:      iommu_device_use_default_domain() count.
 * @owner:          an explicit owner (VFIO), or NULL.
 * @iommu_data:     the driver's per-group data.
 * @refs:           references (each member holds one; iommu_group_get() adds one).
 */
struct ims_iommu_group {
	int id;
	struct ims_iommu_core *core;
	struct ims_device **devices;
	int nr_devices, cap_devices;
	struct ims_iommu_domain *default_domain;
	struct ims_iommu_domain *domain;
	unsigned int owner_cnt;
	void *owner;
	void *iommu_data;
	int refs;
};

/**
 * struct ims_iommu_opts - command-line options (-1 = not given).
 * @passthrough:  iommu.passthrough=0|1.
 * @strict:       iommu.strict=0|1.
 * @default_passthrough: CONFIG_IOMMU_DEFAULT_PASSTHROUGH (default false).
 * @default_lazy: CONFIG_IOMMU_DEFAULT_DMA_LAZY (default false: arm64 strict).
 */
struct ims_iommu_opts {
	int passthrough;
	int strict;
	bool default_passthrough;
	bool default_lazy;
};

/**
 * ims_iommu_opts_init() - options with nothing given on the command line.
 * @opts: filled.
 */
IMS_EXPORT void ims_iommu_opts_init(struct ims_iommu_opts *opts);

/**
 * ims_iommu_core_new() - create the IOMMU core over a driver core and install
 * its dma_configure hooks there (iommu_subsys_init: logs the default domain
 * type and the TLB invalidation policy).
 * @out:  set to the new core.
 * @dc:   the driver core.
 * @opts: options, or NULL for the defaults.
 *
 * Return: 0, -ENOMEM or -EINVAL.
 */
IMS_EXPORT int ims_iommu_core_new(struct ims_iommu_core **out, struct ims_devcore *dc,
				  const struct ims_iommu_opts *opts);

/**
 * ims_iommu_core_free() - free the core; NULL is allowed.  Free the driver
 * core first (ims_devcore_free()): removing its devices runs the IOMMU
 * release hooks and the IOMMU drivers' remove.
 * @core: the core.
 */
IMS_EXPORT void ims_iommu_core_free(struct ims_iommu_core *core);

/**
 * ims_iommu_core_of() - the IOMMU core installed on a device's driver core.
 * @dev: a device.
 *
 * Return: the core, or NULL.
 */
IMS_EXPORT struct ims_iommu_core *ims_iommu_core_of(const struct ims_device *dev);

/**
 * ims_iommu_def_domain_type() - the global iommu_def_domain_type.
 * @core: the core.
 *
 * Return: IMS_IOMMU_DOMAIN_DMA, _DMA_FQ or _IDENTITY.
 */
IMS_EXPORT unsigned int ims_iommu_def_domain_type(const struct ims_iommu_core *core);

/**
 * ims_iommu_set_dma_strict() - iommu_set_dma_strict(): a driver forces strict.
 * @core: the core.
 */
IMS_EXPORT void ims_iommu_set_dma_strict(struct ims_iommu_core *core);

/**
 * ims_iommu_domain_type_str() - iommu_domain_type_str().
 * @type: a type.
 *
 * Return: "Blocked", "Passthrough", "Unmanaged", "Translated" or "Unknown".
 */
IMS_EXPORT const char *ims_iommu_domain_type_str(unsigned int type);

/**
 * ims_iommu_domain_type_name() - the explain name: "DMA", "DMA_FQ", "IDENTITY",
 * "BLOCKED", "UNMANAGED".
 * @type: a type.
 *
 * Return: a static string.
 */
IMS_EXPORT const char *ims_iommu_domain_type_name(unsigned int type);

/* ---- registration ---------------------------------------------------------- */

/**
 * ims_iommu_device_register() - iommu_device_register(): add @iommu (fwnode =
 * @hwdev's node) to the list, then bus_iommu_probe() every bus.  The driver
 * core's deferred probe is triggered by the driver's bind as usual.
 * @core:  the core.
 * @iommu: the instance (caller-owned; stays until unregistered).
 * @ops:   its driver's ops.
 * @hwdev: the IOMMU's platform device, or NULL.
 *
 * Return: 0 or a negative code from bus_iommu_probe (the instance is then unregistered).
 */
IMS_EXPORT int ims_iommu_device_register(struct ims_iommu_core *core,
					 struct ims_iommu_device *iommu,
					 const struct ims_iommu_ops *ops, struct ims_device *hwdev);

/**
 * ims_iommu_device_unregister() - iommu_device_unregister(): release every
 * device probed through @iommu (group, fwspec, dev->iommu; DMA ops back to
 * direct), then drop it from the list.
 * @iommu: the instance.
 */
IMS_EXPORT void ims_iommu_device_unregister(struct ims_iommu_device *iommu);

/**
 * ims_iommu_ops_from_fwnode() - iommu_ops_from_fwnode(): the first registered
 * instance whose fwnode is @fwnode, in registration order.
 * @core:   the core.
 * @fwnode: a DT node.
 *
 * Return: its ops, or NULL.
 */
IMS_EXPORT const struct ims_iommu_ops *ims_iommu_ops_from_fwnode(const struct ims_iommu_core *core,
								 int fwnode);

/**
 * ims_iommu_device_from_fwnode() - the first registered instance for @fwnode.
 * @core:   the core.
 * @fwnode: a DT node.
 *
 * Return: the instance, or NULL.
 */
IMS_EXPORT struct ims_iommu_device *ims_iommu_device_from_fwnode(const struct ims_iommu_core *core,
								 int fwnode);

/* ---- fwspec --------------------------------------------------------------- */

/**
 * ims_iommu_fwspec_init() - iommu_fwspec_init() (6.12).
 * @dev:    the device.
 * @fwnode: the IOMMU's node.
 *
 * Return: 0 (also when a fwspec with the same ops exists); -EPROBE_DEFER when
 * no instance for @fwnode is registered; -EINVAL when an existing fwspec has
 * other ops; -ENOMEM.
 */
IMS_EXPORT int ims_iommu_fwspec_init(struct ims_device *dev, int fwnode);

/**
 * ims_iommu_fwspec_add_ids() - iommu_fwspec_add_ids(): append, never de-duplicate.
 * @dev: the device.
 * @ids: the IDs.
 * @n:   how many.
 *
 * Return: 0; -EINVAL without a fwspec; -ENOMEM.
 */
IMS_EXPORT int ims_iommu_fwspec_add_ids(struct ims_device *dev, const uint32_t *ids, int n);

/**
 * ims_iommu_fwspec_free() - iommu_fwspec_free() (dev->iommu stays).
 * @dev: the device.
 */
IMS_EXPORT void ims_iommu_fwspec_free(struct ims_device *dev);

/**
 * ims_dev_iommu_fwspec_get() - dev_iommu_fwspec_get().
 * @dev: the device.
 *
 * Return: the fwspec, or NULL.
 */
IMS_EXPORT struct ims_iommu_fwspec *ims_dev_iommu_fwspec_get(const struct ims_device *dev);

/* ---- configuration and probe ------------------------------------------------ */

/**
 * ims_of_iommu_configure() - of_iommu_configure() (6.12, §2): PCI devices run
 * every DMA alias through iommu-map (any failure drops the whole fwspec),
 * platform devices parse "iommus"; then iommu_probe_device().
 * @dev:       the device.
 * @master_np: the master node (the device's; the host bridge's for PCI).
 * @id:        NULL, or the input id for a non-PCI iommu-map user.
 *
 * Return: 0; -ENODEV (no IOMMU); -EPROBE_DEFER; or another error, which the
 * caller treats as "no IOMMU".
 */
IMS_EXPORT int ims_of_iommu_configure(struct ims_device *dev, int master_np, const uint32_t *id);

/**
 * ims_of_iommu_xlate() - of_iommu_xlate() (6.12).
 * @dev:  the device.
 * @spec: the specifier.
 *
 * Return: 0; -ENODEV for an unavailable IOMMU node or a driver without of_xlate;
 * driver_deferred_probe_check_state()'s value when no driver registered; the
 * fwspec / of_xlate error otherwise.
 */
IMS_EXPORT int ims_of_iommu_xlate(struct ims_device *dev, const struct ims_of_phandle_args *spec);

/**
 * ims_iommu_probe_device() - iommu_probe_device().
 * @dev: the device.
 *
 * Return: 0; -ENODEV without a fwspec; the driver's probe_device / device_group
 * error (dev->iommu is then freed, fwspec included); -EINVAL when the default
 * domain cannot be set up.
 */
IMS_EXPORT int ims_iommu_probe_device(struct ims_device *dev);

/**
 * ims_iommu_release_device() - iommu_release_device(): leave the group and free dev->iommu.
 * @dev: the device.
 */
IMS_EXPORT void ims_iommu_release_device(struct ims_device *dev);

/* ---- groups --------------------------------------------------------------- */

/**
 * ims_iommu_group_alloc() - iommu_group_alloc(): lowest free id.
 * @core: the core.
 *
 * Return: a new group (one reference), or NULL.
 */
IMS_EXPORT struct ims_iommu_group *ims_iommu_group_alloc(struct ims_iommu_core *core);

/**
 * ims_iommu_group_get() - iommu_group_get(): a device's group (referenced).
 * @dev: the device.
 *
 * Return: the group, or NULL.
 */
IMS_EXPORT struct ims_iommu_group *ims_iommu_group_get(struct ims_device *dev);

/**
 * ims_iommu_group_put() - iommu_group_put(); the group is freed at the last reference.
 * @group: the group, or NULL.
 */
IMS_EXPORT void ims_iommu_group_put(struct ims_iommu_group *group);

/**
 * ims_generic_device_group() - generic_device_group(): a new group per device.
 * @dev: the device.
 * @err: set on failure.
 *
 * Return: the group, or NULL.
 */
IMS_EXPORT struct ims_iommu_group *ims_generic_device_group(struct ims_device *dev, int *err);

/**
 * ims_pci_device_group() - pci_device_group() (§5), with
 * get_pci_alias_group() and get_pci_function_alias_group().
 * @dev: a PCI device.
 * @err: set on failure (-EINVAL for a non-PCI device).
 *
 * Return: the group, or NULL.
 */
IMS_EXPORT struct ims_iommu_group *ims_pci_device_group(struct ims_device *dev, int *err);

/**
 * ims_iommu_group_store_type() - the sysfs "type" store: "identity", "DMA",
 * "DMA-FQ" or "auto" (re-evaluates the group's default type over every member).
 * @group: the group.
 * @buf:   the string.
 *
 * Return: 0; -EINVAL for an unknown string or a refused type; -EPERM while a
 * driver owns the group (owner_cnt).
 */
IMS_EXPORT int ims_iommu_group_store_type(struct ims_iommu_group *group, const char *buf);

/* ---- ownership ------------------------------------------------------------ */

/**
 * ims_iommu_device_use_default_domain() - iommu_device_use_default_domain().
 * @dev: the device.
 *
 * Return: 0 (also without a group); -EBUSY when the group is owned or not on
 * its default domain.
 */
IMS_EXPORT int ims_iommu_device_use_default_domain(struct ims_device *dev);

/**
 * ims_iommu_device_unuse_default_domain() - iommu_device_unuse_default_domain().
 * @dev: the device.
 */
IMS_EXPORT void ims_iommu_device_unuse_default_domain(struct ims_device *dev);

/* ---- domains ------------------------------------------------------------ */

/**
 * ims_iommu_get_domain_for_dev() - iommu_get_domain_for_dev().
 * @dev: the device.
 *
 * Return: the group's current domain, or NULL.
 */
IMS_EXPORT struct ims_iommu_domain *ims_iommu_get_domain_for_dev(const struct ims_device *dev);

/**
 * ims_iommu_paging_domain_alloc() - iommu_paging_domain_alloc(): an UNMANAGED domain.
 * @dev: a probed device.
 * @err: set on failure (-ENODEV, -EOPNOTSUPP, -ENOMEM).
 *
 * Return: the domain, or NULL.
 */
IMS_EXPORT struct ims_iommu_domain *ims_iommu_paging_domain_alloc(struct ims_device *dev, int *err);

/**
 * ims_iommu_domain_free() - iommu_domain_free() (static domains are kept).
 * @domain: the domain, or NULL.
 */
IMS_EXPORT void ims_iommu_domain_free(struct ims_iommu_domain *domain);

/**
 * ims_iommu_attach_device() - iommu_attach_device(): attach the group of a
 * single-device group to @domain.
 * @domain: the domain.
 * @dev:    the device.
 *
 * Return: 0; -ENODEV without a group; -EINVAL when the group has other
 * devices or @domain belongs to another driver; -EBUSY when the group is
 * attached to another non-default domain; the driver's error.
 */
IMS_EXPORT int ims_iommu_attach_device(struct ims_iommu_domain *domain, struct ims_device *dev);

/**
 * ims_iommu_detach_device() - iommu_detach_device(): back to the default domain.
 * @domain: the attached domain.
 * @dev:    the device.
 */
IMS_EXPORT void ims_iommu_detach_device(struct ims_iommu_domain *domain, struct ims_device *dev);

/**
 * ims_iommu_pgsize() - iommu_pgsize(): the page size and count for the next
 * map_pages/unmap_pages call.
 * @domain: the domain (its pgsize_bitmap).
 * @iova:   the IOVA.
 * @paddr:  the physical address (the IOVA again for unmap).
 * @size:   bytes left.
 * @count:  set to the page count.
 *
 * Return: the page size.
 */
IMS_EXPORT size_t ims_iommu_pgsize(const struct ims_iommu_domain *domain, uint64_t iova,
				   uint64_t paddr, size_t size, size_t *count);

/**
 * ims_iommu_map() - iommu_map(): map, then iotlb_sync_map; unmap on failure.
 * @domain: a paging domain.
 * @iova:   the IOVA.
 * @paddr:  the physical address.
 * @size:   bytes.
 * @prot:   IMS_IOMMU_* prot.
 * @gfp:    IMS_GFP_* flags.
 *
 * Return: 0; -EINVAL (not paging, refused gfp, unaligned: "unaligned: iova ...");
 * -ENODEV (no map_pages or empty pgsize_bitmap); the driver's error.
 */
IMS_EXPORT int ims_iommu_map(struct ims_iommu_domain *domain, uint64_t iova, uint64_t paddr,
			     size_t size, int prot, unsigned int gfp);

/**
 * ims_iommu_unmap() - iommu_unmap(): unmap with a gather, then iotlb_sync.
 * @domain: a paging domain.
 * @iova:   the IOVA.
 * @size:   bytes.
 *
 * Return: bytes unmapped (may be less than @size; 0 when not paging or unaligned).
 */
IMS_EXPORT size_t ims_iommu_unmap(struct ims_iommu_domain *domain, uint64_t iova, size_t size);

/**
 * ims_iommu_unmap_fast() - iommu_unmap_fast(): unmap into @gather without syncing.
 * @domain: a paging domain.
 * @iova:   the IOVA.
 * @size:   bytes.
 * @gather: the gather (ims_iommu_iotlb_gather_init()).
 *
 * Return: bytes unmapped.
 */
IMS_EXPORT size_t ims_iommu_unmap_fast(struct ims_iommu_domain *domain, uint64_t iova, size_t size,
				       struct ims_iotlb_gather *gather);

/**
 * ims_iommu_iotlb_gather_init() - iommu_iotlb_gather_init().
 * @gather: the gather.
 */
IMS_EXPORT void ims_iommu_iotlb_gather_init(struct ims_iotlb_gather *gather);

/**
 * ims_iommu_iotlb_gather_add_page() - iommu_iotlb_gather_add_page(): drivers
 * call it from unmap_pages; a disjoint range or another page size first syncs.
 * @domain: the domain.
 * @gather: the gather.
 * @iova:   the IOVA unmapped.
 * @size:   its size.
 */
IMS_EXPORT void ims_iommu_iotlb_gather_add_page(struct ims_iommu_domain *domain,
						struct ims_iotlb_gather *gather, uint64_t iova,
						size_t size);

/**
 * ims_iommu_iotlb_sync() - iommu_iotlb_sync(): call iotlb_sync and reset @gather.
 * @domain: the domain.
 * @gather: the gather.
 */
IMS_EXPORT void ims_iommu_iotlb_sync(struct ims_iommu_domain *domain,
				     struct ims_iotlb_gather *gather);

/**
 * ims_iommu_flush_iotlb_all() - iommu_flush_iotlb_all(): the driver's flush_iotlb_all, if any.
 * @domain: the domain.
 */
IMS_EXPORT void ims_iommu_flush_iotlb_all(struct ims_iommu_domain *domain);

/**
 * ims_iommu_iova_to_phys() - iommu_iova_to_phys(): identity for IDENTITY
 * domains, 0 for blocked ones.
 * @domain: the domain.
 * @iova:   the IOVA.
 *
 * Return: the physical address, or 0.
 */
IMS_EXPORT uint64_t ims_iommu_iova_to_phys(struct ims_iommu_domain *domain, uint64_t iova);

/* ---- reserved regions ------------------------------------------------------ */

/**
 * ims_iommu_resv_add() - iommu_alloc_resv_region() + list_add_tail().
 * @list:   the list.
 * @start:  start.
 * @length: length.
 * @prot:   prot.
 * @type:   type.
 *
 * Return: 0 or -ENOMEM.
 */
IMS_EXPORT int ims_iommu_resv_add(struct ims_resv_list *list, uint64_t start, uint64_t length,
				  int prot, enum ims_iommu_resv_type type);

/**
 * ims_iommu_resv_list_free() - free a list's regions.
 * @list: the list.
 */
IMS_EXPORT void ims_iommu_resv_list_free(struct ims_resv_list *list);

/**
 * ims_iommu_get_resv_regions() - iommu_get_resv_regions() (the driver's
 * get_resv_regions) plus, for PCI devices, the host bridge windows that
 * iova_reserve_pci_windows() keeps out of the IOVA space.
 * @dev:  the device.
 * @list: appended to.
 *
 * Return: the number of regions appended, or -ENOMEM.
 */
IMS_EXPORT int ims_iommu_get_resv_regions(struct ims_device *dev, struct ims_resv_list *list);

/**
 * ims_iommu_resv_type_name() - "direct", "direct-relaxable", "reserved", "msi",
 * "sw-msi" or "pci-window".
 * @type: a type.
 *
 * Return: a static string.
 */
IMS_EXPORT const char *ims_iommu_resv_type_name(enum ims_iommu_resv_type type);

#ifdef __cplusplus
}
#endif
#endif /* IOMMUSIM_IOMMU_H */
