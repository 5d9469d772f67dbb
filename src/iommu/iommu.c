/* SPDX-License-Identifier: MIT */
/*
 * The IOMMU core, after drivers/iommu/iommu.c of Linux 6.12 (§6): options and
 * the global default domain type, registration, fwspec, probe, groups,
 * default domains, ownership, attach and the map/unmap API.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dma/dma-fast.h"
#include "iommu/iommu-fast.h"
#include "iommu/iommu-private.h"
#include "util/compiler.h"
#include "util/log.h"

static const struct ims_log *core_log(const struct ims_iommu_core *core)
{
	return ims_devcore_log(core->dc);
}

IMS_EXPORT const char *ims_iommu_domain_type_str(unsigned int type)
{
	switch (type) {
	case IMS_IOMMU_DOMAIN_BLOCKED:
		return "Blocked";
	case IMS_IOMMU_DOMAIN_IDENTITY:
		return "Passthrough";
	case IMS_IOMMU_DOMAIN_UNMANAGED:
		return "Unmanaged";
	case IMS_IOMMU_DOMAIN_DMA:
	case IMS_IOMMU_DOMAIN_DMA_FQ:
		return "Translated";
	default:
		return "Unknown";
	}
}

IMS_EXPORT const char *ims_iommu_domain_type_name(unsigned int type)
{
	switch (type) {
	case IMS_IOMMU_DOMAIN_BLOCKED:
		return "BLOCKED";
	case IMS_IOMMU_DOMAIN_IDENTITY:
		return "IDENTITY";
	case IMS_IOMMU_DOMAIN_UNMANAGED:
		return "UNMANAGED";
	case IMS_IOMMU_DOMAIN_DMA:
		return "DMA";
	case IMS_IOMMU_DOMAIN_DMA_FQ:
		return "DMA_FQ";
	default:
		return "?";
	}
}

IMS_EXPORT void ims_iommu_opts_init(struct ims_iommu_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->passthrough = -1;
	opts->strict = -1;
}

/* The dma_configure hooks, in of_iommu.c. */
int ims_iommu_hook_of_iommu_configure(struct ims_device *dev, int master_np, const uint32_t *id);
static void hook_device_added(struct ims_device *dev);
static void hook_device_removed(struct ims_device *dev);

IMS_EXPORT struct ims_iommu_core *ims_iommu_core_of(const struct ims_device *dev)
{
	const struct ims_dma_hooks *h;

	if (!dev)
		return NULL;
	h = ims_devcore_dma_hooks(dev->core);
	if (h->of_iommu_configure != ims_iommu_hook_of_iommu_configure)
		return NULL;
	return h->ctx;
}

IMS_EXPORT int ims_iommu_core_new(struct ims_iommu_core **out, struct ims_devcore *dc,
				  const struct ims_iommu_opts *opts)
{
	struct ims_iommu_core *core;
	struct ims_dma_hooks hooks = {
		.of_iommu_configure = ims_iommu_hook_of_iommu_configure,
		.use_default_domain = ims_iommu_device_use_default_domain,
		.unuse_default_domain = ims_iommu_device_unuse_default_domain,
		.device_added = hook_device_added,
		.device_removed = hook_device_removed,
	};

	if (!out || !dc)
		return -EINVAL;
	core = calloc(1, sizeof(*core));
	if (!core)
		return -ENOMEM;
	core->dc = dc;
	if (opts)
		core->opts = *opts;
	else
		ims_iommu_opts_init(&core->opts);
	/* Command line (early_param) first, then iommu_subsys_init(). */
	if (core->opts.passthrough == 0 || core->opts.passthrough == 1) {
		core->def_domain_type =
			core->opts.passthrough ? IMS_IOMMU_DOMAIN_IDENTITY : IMS_IOMMU_DOMAIN_DMA;
		core->cmd_line_dma_api = true;
	} else {
		core->def_domain_type = core->opts.default_passthrough ? IMS_IOMMU_DOMAIN_IDENTITY
								       : IMS_IOMMU_DOMAIN_DMA;
	}
	if (core->opts.strict == 0 || core->opts.strict == 1) {
		core->dma_strict = core->opts.strict;
		core->cmd_line_strict = true;
	} else {
		core->dma_strict = !core->opts.default_lazy;
	}
	if (core->def_domain_type != IMS_IOMMU_DOMAIN_IDENTITY && !core->dma_strict)
		core->def_domain_type = IMS_IOMMU_DOMAIN_DMA_FQ;
	ims_info(core_log(core), "iommu: Default domain type: %s%s",
		 ims_iommu_domain_type_str(core->def_domain_type),
		 core->cmd_line_dma_api ? " (set via kernel command line)" : "");
	if (core->def_domain_type != IMS_IOMMU_DOMAIN_IDENTITY)
		ims_info(core_log(core), "iommu: DMA domain TLB invalidation policy: %s mode%s",
			 core->dma_strict ? "strict" : "lazy",
			 core->cmd_line_strict ? " (set via kernel command line)" : "");
	hooks.ctx = core;
	ims_devcore_set_dma_hooks(dc, &hooks);
	*out = core;
	return 0;
}

IMS_EXPORT void ims_iommu_core_free(struct ims_iommu_core *core)
{
	if (!core)
		return;
	/* Groups still alive hold no devices once the driver core is gone. */
	while (core->nr_groups) {
		struct ims_iommu_group *g = core->groups[core->nr_groups - 1];

		g->refs = 1;
		ims_iommu_group_put(g);
	}
	free(core->iommus);
	free(core->groups);
	free(core->group_ids);
	free(core);
}

IMS_EXPORT unsigned int ims_iommu_def_domain_type(const struct ims_iommu_core *core)
{
	return core->def_domain_type;
}

IMS_EXPORT void ims_iommu_set_dma_strict(struct ims_iommu_core *core)
{
	core->dma_strict = true;
	if (core->def_domain_type == IMS_IOMMU_DOMAIN_DMA_FQ)
		core->def_domain_type = IMS_IOMMU_DOMAIN_DMA;
}

/* ---- registration ------------------------------------------------------------ */

static int bus_iommu_probe(struct ims_iommu_core *core, enum ims_bus_kind bus)
{
	struct ims_iommu_group **list = NULL;
	int nr = 0, ret = 0;

	for (int i = 0; i < ims_devcore_nr_devices(core->dc); i++) {
		struct ims_device *dev = ims_devcore_device(core->dc, i);

		if (dev->bus != bus)
			continue;
		ret = __ims_iommu_probe_device(dev, &list, &nr);
		if (ret == -ENODEV)
			ret = 0;
		if (ret)
			break;
	}
	for (int g = 0; g < nr && !ret; g++) {
		struct ims_iommu_group *group = list[g];

		/* A group may have lost its members meanwhile; skip it then. */
		if (!group->nr_devices)
			continue;
		ret = ims_iommu_setup_default_domain(group, 0);
		if (ret)
			break;
		for (int d = 0; d < group->nr_devices; d++) {
			const struct ims_iommu_ops *ops;

			ims_iommu_setup_dma_ops(group->devices[d]);
			ops = ims_dev_iommu_ops(group->devices[d]);
			if (ops && ops->probe_finalize)
				ops->probe_finalize(group->devices[d]);
		}
	}
	for (int g = 0; g < nr; g++)
		ims_iommu_group_put(list[g]);
	free(list);
	return ret;
}

IMS_EXPORT int ims_iommu_device_register(struct ims_iommu_core *core,
					 struct ims_iommu_device *iommu,
					 const struct ims_iommu_ops *ops, struct ims_device *hwdev)
{
	int ret;

	if (!core || !iommu || !ops)
		return -EINVAL;
	if (ims_array_grow((void **)&core->iommus, &core->cap_iommus, core->nr_iommus + 1,
			   sizeof(*core->iommus)))
		return -ENOMEM;
	iommu->ops = ops;
	iommu->fwnode = hwdev ? hwdev->of_node : IMS_OF_NONE;
	iommu->dev = hwdev;
	iommu->core = core;
	core->iommus[core->nr_iommus++] = iommu;
	if (hwdev)
		ims_dev_decide(hwdev, "iommu_device_register", "registered with driver %s",
			       ops->name ? ops->name : "?");
	/* iommu_buses[]: platform, then pci. */
	ret = bus_iommu_probe(core, IMS_BUS_PLATFORM);
	if (!ret)
		ret = bus_iommu_probe(core, IMS_BUS_PCI);
	if (ret)
		ims_iommu_device_unregister(iommu);
	return ret;
}

IMS_EXPORT void ims_iommu_device_unregister(struct ims_iommu_device *iommu)
{
	struct ims_iommu_core *core = iommu->core;

	if (!core)
		return;
	/* remove_iommu_group() on every bus: release the devices probed through it. */
	for (int i = 0; i < ims_devcore_nr_devices(core->dc); i++) {
		struct ims_device *dev = ims_devcore_device(core->dc, i);

		if (dev->iommu && dev->iommu->iommu_dev == iommu)
			ims_iommu_release_device(dev);
	}
	for (int i = 0; i < core->nr_iommus; i++) {
		if (core->iommus[i] != iommu)
			continue;
		memmove(&core->iommus[i], &core->iommus[i + 1],
			(size_t)(core->nr_iommus - i - 1) * sizeof(*core->iommus));
		core->nr_iommus--;
		break;
	}
}

IMS_EXPORT struct ims_iommu_device *ims_iommu_device_from_fwnode(const struct ims_iommu_core *core,
								 int fwnode)
{
	for (int i = 0; core && i < core->nr_iommus; i++)
		if (core->iommus[i]->fwnode == fwnode)
			return core->iommus[i];
	return NULL;
}

IMS_EXPORT const struct ims_iommu_ops *ims_iommu_ops_from_fwnode(const struct ims_iommu_core *core,
								 int fwnode)
{
	struct ims_iommu_device *iommu = ims_iommu_device_from_fwnode(core, fwnode);

	return iommu ? iommu->ops : NULL;
}

/* ---- fwspec -------------------------------------------------------------------- */

static struct ims_dev_iommu *dev_iommu_get(struct ims_device *dev)
{
	if (!dev->iommu)
		dev->iommu = calloc(1, sizeof(*dev->iommu));
	return dev->iommu;
}

static void dev_iommu_free(struct ims_device *dev)
{
	if (!dev->iommu)
		return;
	ims_iommu_fwspec_free(dev);
	free(dev->iommu);
	dev->iommu = NULL;
}

IMS_EXPORT struct ims_iommu_fwspec *ims_dev_iommu_fwspec_get(const struct ims_device *dev)
{
	return dev && dev->iommu ? dev->iommu->fwspec : NULL;
}

const struct ims_iommu_ops *ims_dev_iommu_ops(const struct ims_device *dev)
{
	struct ims_iommu_fwspec *fwspec = ims_dev_iommu_fwspec_get(dev);

	return fwspec ? fwspec->ops : NULL;
}

IMS_EXPORT int ims_iommu_fwspec_init(struct ims_device *dev, int fwnode)
{
	struct ims_iommu_core *core = ims_iommu_core_of(dev);
	const struct ims_iommu_ops *ops = ims_iommu_ops_from_fwnode(core, fwnode);
	struct ims_iommu_fwspec *fwspec;

	if (!ops)
		return -EPROBE_DEFER;
	fwspec = ims_dev_iommu_fwspec_get(dev);
	if (fwspec)
		return ops == fwspec->ops ? 0 : -EINVAL;
	if (!dev_iommu_get(dev))
		return -ENOMEM;
	fwspec = calloc(1, sizeof(*fwspec));
	if (!fwspec)
		return -ENOMEM;
	fwspec->ops = ops;
	fwspec->iommu_fwnode = fwnode;
	dev->iommu->fwspec = fwspec;
	return 0;
}

IMS_EXPORT int ims_iommu_fwspec_add_ids(struct ims_device *dev, const uint32_t *ids, int n)
{
	struct ims_iommu_fwspec *fwspec = ims_dev_iommu_fwspec_get(dev);
	uint32_t *nids;

	if (!fwspec || n < 0)
		return -EINVAL;
	if (!n)
		return 0;
	if (fwspec->num_ids > 0xffff)
		return -ENOMEM;
	nids = realloc(fwspec->ids, (fwspec->num_ids + (unsigned int)n) * sizeof(*nids));
	if (!nids)
		return -ENOMEM;
	memcpy(&nids[fwspec->num_ids], ids, (size_t)n * sizeof(*ids));
	fwspec->ids = nids;
	fwspec->num_ids += (unsigned int)n;
	return 0;
}

IMS_EXPORT void ims_iommu_fwspec_free(struct ims_device *dev)
{
	struct ims_iommu_fwspec *fwspec = ims_dev_iommu_fwspec_get(dev);

	if (!fwspec)
		return;
	free(fwspec->ids);
	free(fwspec);
	dev->iommu->fwspec = NULL;
}

/* ---- groups -------------------------------------------------------------------- */

/*
 * ida_alloc(): the lowest free id, from a bitmap.  Every id below ida_hint is
 * in use, so a boot that only allocates finds its id at once; scanning every
 * live group for each candidate id made forming G groups cost O(G^3).
 */
static int group_ida_alloc(struct ims_iommu_core *core)
{
	int w = core->ida_hint / 64, id;

	while (w < core->nr_id_words && core->group_ids[w] == ~0ULL)
		w++;
	if (w == core->nr_id_words) {
		int n = core->nr_id_words ? 2 * core->nr_id_words : 4;
		uint64_t *p = realloc(core->group_ids, (size_t)n * sizeof(*p));

		if (!p)
			return -ENOMEM;
		memset(p + core->nr_id_words, 0, (size_t)(n - core->nr_id_words) * sizeof(*p));
		core->group_ids = p;
		core->nr_id_words = n;
	}
	id = w * 64 + __builtin_ctzll(~core->group_ids[w]);
	core->group_ids[w] |= 1ULL << (id % 64);
	core->ida_hint = id + 1;
	return id;
}

static void group_ida_free(struct ims_iommu_core *core, int id)
{
	core->group_ids[id / 64] &= ~(1ULL << (id % 64));
	if (id < core->ida_hint)
		core->ida_hint = id;
}

IMS_EXPORT struct ims_iommu_group *ims_iommu_group_alloc(struct ims_iommu_core *core)
{
	struct ims_iommu_group *group;
	int id;

	if (ims_array_grow((void **)&core->groups, &core->cap_groups, core->nr_groups + 1,
			   sizeof(*core->groups)))
		return NULL;
	group = calloc(1, sizeof(*group));
	if (!group)
		return NULL;
	id = group_ida_alloc(core);
	if (id < 0) {
		free(group);
		return NULL;
	}
	group->id = id;
	group->core = core;
	group->refs = 1;
	core->groups[core->nr_groups++] = group;
	return group;
}

IMS_EXPORT struct ims_iommu_group *ims_iommu_group_get(struct ims_device *dev)
{
	struct ims_iommu_group *group = dev ? dev->iommu_group : NULL;

	if (group)
		group->refs++;
	return group;
}

IMS_EXPORT void ims_iommu_domain_free(struct ims_iommu_domain *domain)
{
	if (!domain || domain->is_static)
		return;
	if (domain->iova_cookie && domain->put_dma_cookie)
		domain->put_dma_cookie(domain);
	if (domain->ops && domain->ops->free)
		domain->ops->free(domain);
}

IMS_EXPORT void ims_iommu_group_put(struct ims_iommu_group *group)
{
	struct ims_iommu_core *core;

	if (!group || --group->refs > 0)
		return;
	core = group->core;
	/* iommu_group_release(): the default domain is the group's; others belong to their users. */
	ims_iommu_domain_free(group->default_domain);
	group_ida_free(core, group->id);
	/* From the newest: teardown puts the groups in reverse creation order. */
	for (int i = core->nr_groups - 1; i >= 0; i--) {
		if (core->groups[i] != group)
			continue;
		memmove(&core->groups[i], &core->groups[i + 1],
			(size_t)(core->nr_groups - i - 1) * sizeof(*core->groups));
		core->nr_groups--;
		break;
	}
	free(group->devices);
	free(group);
}

IMS_EXPORT struct ims_iommu_group *ims_generic_device_group(struct ims_device *dev, int *err)
{
	struct ims_iommu_group *group = ims_iommu_group_alloc(ims_iommu_core_of(dev));

	if (!group && err)
		*err = -ENOMEM;
	if (group)
		ims_dev_decide(dev, "generic_device_group", "a new group %d of its own", group->id);
	return group;
}

struct group_for_pci_data {
	struct ims_pci_dev *pdev;
	struct ims_iommu_group *group;
};

static int get_pci_alias_or_group(struct ims_pci_dev *pdev, uint16_t alias, void *opaque)
{
	struct group_for_pci_data *data = opaque;

	data->pdev = pdev;
	data->group = ims_iommu_group_get(&pdev->dev);
	return data->group != NULL;
}

static struct ims_iommu_group *get_pci_alias_group(struct ims_pci_dev *pdev, uint64_t *devfns,
						   int depth);

/*
 * for_each_pci_dev() as the group lookups use it: every added PCI device, in
 * add order, skipping those on another bus.  Only the devices of @bus can
 * pass that test, so walk the bus's own list, keep the added ones (index >=
 * 0) and put them in add order (struct ims_device.index): the same devices
 * in the same order, at the cost of the bus instead of the machine, which
 * made forming the groups of N functions O(N^2).  The caller frees *out.
 */
static int bus_added_devs(const struct ims_pci_bus *bus, struct ims_pci_dev ***out)
{
	struct ims_pci_dev **v =
		malloc((size_t)(bus->nr_devices ? bus->nr_devices : 1) * sizeof(*v));
	int n = 0;

	*out = v;
	if (!v)
		return 0;
	for (int i = 0; i < bus->nr_devices; i++) {
		struct ims_pci_dev *d = bus->devices[i];
		int k = n++;

		if (d->dev.index < 0) {
			n--;
			continue;
		}
		/* Insertion: the bus list is in scan order, almost always add order too. */
		while (k > 0 && v[k - 1]->dev.index > d->dev.index) {
			v[k] = v[k - 1];
			k--;
		}
		v[k] = d;
	}
	return n;
}

static struct ims_iommu_group *get_pci_function_alias_group(struct ims_pci_dev *pdev,
							    uint64_t *devfns, int depth)
{
	struct ims_iommu_group *group = NULL;
	struct ims_pci_dev **devs;
	int n;

	if (!pdev->multifunction || ims_pci_acs_enabled(pdev, IMS_REQ_ACS_FLAGS) || depth > 512)
		return NULL;
	n = bus_added_devs(pdev->bus, &devs);
	for (int i = 0; i < n && !group; i++) {
		struct ims_pci_dev *tmp = devs[i];

		if (tmp == pdev || (tmp->devfn >> 3) != (pdev->devfn >> 3) ||
		    ims_pci_acs_enabled(tmp, IMS_REQ_ACS_FLAGS))
			continue;
		group = get_pci_alias_group(tmp, devfns, depth + 1);
	}
	free(devs);
	return group;
}

static struct ims_iommu_group *get_pci_alias_group(struct ims_pci_dev *pdev, uint64_t *devfns,
						   int depth)
{
	struct ims_iommu_group *group;
	struct ims_pci_dev **devs;
	int n;

	if ((devfns[pdev->devfn / 64] >> (pdev->devfn % 64)) & 1)
		return NULL;
	devfns[pdev->devfn / 64] |= 1ull << (pdev->devfn % 64);
	group = ims_iommu_group_get(&pdev->dev);
	if (group)
		return group;
	if (depth > 512)
		return NULL;
	n = bus_added_devs(pdev->bus, &devs);
	for (int i = 0; i < n && !group; i++) {
		struct ims_pci_dev *tmp = devs[i];

		if (tmp == pdev || !ims_pci_devs_are_dma_aliases(pdev, tmp))
			continue;
		group = get_pci_alias_group(tmp, devfns, depth + 1);
		if (!group)
			group = get_pci_function_alias_group(tmp, devfns, depth + 1);
	}
	free(devs);
	return group;
}

IMS_EXPORT struct ims_iommu_group *ims_pci_device_group(struct ims_device *dev, int *err)
{
	struct ims_pci_dev *pdev = ims_to_pci_dev(dev);
	struct group_for_pci_data data = { 0 };
	struct ims_iommu_group *group;
	uint64_t devfns[4] = { 0 };
	int depth = 0;

	if (!pdev) {
		if (err)
			*err = -EINVAL;
		return NULL;
	}
	/* Any DMA alias owner that already has a group gives it. */
	if (ims_pci_for_each_dma_alias(pdev, get_pci_alias_or_group, &data)) {
		ims_dev_decide(dev, "pci_device_group",
			       "DMA alias owner %s already has group %d: joins it",
			       data.pdev->dev.name, data.group->id);
		return data.group;
	}
	pdev = data.pdev;
	/* Move up to the first bridge without ACS isolation to the root. */
	for (struct ims_pci_bus *bus = pdev->bus; !ims_pci_is_root_bus(bus) && depth++ < 64;
	     bus = bus->parent) {
		if (!bus->self)
			continue;
		if (ims_pci_acs_path_enabled(bus->self, NULL, IMS_REQ_ACS_FLAGS)) {
			ims_dev_decide(dev, "pci_device_group",
				       "upstream bridge %s: ACS path to the root enabled: stop",
				       bus->self->dev.name);
			break;
		}
		pdev = bus->self;
		group = ims_iommu_group_get(&pdev->dev);
		if (group) {
			ims_dev_decide(
				dev, "pci_device_group",
				"upstream bridge %s without ACS isolation has group %d: joins it",
				pdev->dev.name, group->id);
			return group;
		}
		ims_dev_decide(dev, "pci_device_group",
			       "upstream bridge %s without ACS isolation: continue from it",
			       pdev->dev.name);
	}
	group = get_pci_alias_group(pdev, devfns, 0);
	if (group) {
		ims_dev_decide(dev, "pci_device_group",
			       "a DMA alias of %s on its bus has group %d: joins it",
			       pdev->dev.name, group->id);
		return group;
	}
	group = get_pci_function_alias_group(pdev, devfns, 0);
	if (group) {
		ims_dev_decide(dev, "pci_device_group",
			       "%s is multifunction without ACS: a sibling function's group %d",
			       pdev->dev.name, group->id);
		return group;
	}
	group = ims_iommu_group_alloc(ims_iommu_core_of(dev));
	if (!group && err)
		*err = -ENOMEM;
	if (group)
		ims_dev_decide(dev, "pci_device_group",
			       "no alias, upstream bridge or function has a group: new group %d",
			       group->id);
	return group;
}

static int group_add_dev(struct ims_iommu_group *group, struct ims_device *dev)
{
	if (ims_array_grow((void **)&group->devices, &group->cap_devices, group->nr_devices + 1,
			   sizeof(*group->devices)))
		return -ENOMEM;
	group->devices[group->nr_devices++] = dev;
	return 0;
}

static void group_remove_dev(struct ims_iommu_group *group, struct ims_device *dev)
{
	for (int i = 0; i < group->nr_devices; i++) {
		if (group->devices[i] != dev)
			continue;
		memmove(&group->devices[i], &group->devices[i + 1],
			(size_t)(group->nr_devices - i - 1) * sizeof(*group->devices));
		group->nr_devices--;
		return;
	}
}

/* ---- domains --------------------------------------------------------------------- */

static struct ims_iommu_domain *__iommu_domain_alloc(const struct ims_iommu_ops *ops,
						     struct ims_device *dev, unsigned int type,
						     int *err)
{
	struct ims_iommu_domain *domain;

	if (type == IMS_IOMMU_DOMAIN_IDENTITY && ops->identity_domain)
		return ops->identity_domain;
	if (type == IMS_IOMMU_DOMAIN_BLOCKED && ops->blocked_domain)
		return ops->blocked_domain;
	if ((type & __IMS_IOMMU_DOMAIN_PAGING) && ops->domain_alloc_paging)
		domain = ops->domain_alloc_paging(dev);
	else if (ops->domain_alloc)
		domain = ops->domain_alloc(type);
	else {
		*err = -EOPNOTSUPP;
		return NULL;
	}
	if (!domain) {
		*err = -ENOMEM;
		return NULL;
	}
	domain->type = type;
	domain->owner = ops;
	domain->core = ims_iommu_core_of(dev);
	if (!domain->pgsize_bitmap)
		domain->pgsize_bitmap = ops->pgsize_bitmap;
	return domain;
}

static struct ims_iommu_domain *group_domain_alloc(struct ims_iommu_group *group, unsigned int type,
						   int *err)
{
	struct ims_device *dev = group->devices[0];

	return __iommu_domain_alloc(ims_dev_iommu_ops(dev), dev, type, err);
}

/* iommu_group_alloc_default_domain() */
static struct ims_iommu_domain *alloc_default_domain(struct ims_iommu_group *group,
						     unsigned int req_type, int *err)
{
	struct ims_iommu_core *core = group->core;
	const struct ims_iommu_ops *ops = ims_dev_iommu_ops(group->devices[0]);
	struct ims_iommu_domain *dom;

	if (ops->default_domain) {
		if (req_type != ops->default_domain->type) {
			*err = -EINVAL;
			return NULL;
		}
		return ops->default_domain;
	}
	if (req_type)
		return group_domain_alloc(group, req_type, err);
	dom = group_domain_alloc(group, core->def_domain_type, err);
	if (dom || core->def_domain_type == IMS_IOMMU_DOMAIN_DMA)
		return dom;
	dom = group_domain_alloc(group, IMS_IOMMU_DOMAIN_DMA, err);
	if (!dom)
		return NULL;
	ims_warn(core_log(core),
		 "iommu: Failed to allocate default IOMMU domain of type %u for group %d - "
		 "Falling back to IOMMU_DOMAIN_DMA",
		 core->def_domain_type, group->id);
	return dom;
}

/* iommu_get_def_domain_type(): combine one device's requirement. */
static int get_def_domain_type(struct ims_iommu_group *group, struct ims_device *dev, int cur_type)
{
	const struct ims_iommu_ops *ops = ims_dev_iommu_ops(dev);
	int type;

	if (ops->default_domain)
		type = (int)ops->default_domain->type;
	else if (ops->def_domain_type)
		type = ops->def_domain_type(dev);
	else
		return cur_type;
	if (!type || cur_type == type)
		return cur_type;
	if (!cur_type)
		return type;
	ims_dev_logf(dev, IMS_LOG_ERR,
		     "IOMMU driver error, requesting conflicting def_domain_type, %s and %s, for "
		     "devices in group %u.",
		     ims_iommu_domain_type_str((unsigned int)cur_type),
		     ims_iommu_domain_type_str((unsigned int)type), (unsigned int)group->id);
	/* IDENTITY takes precedence. */
	if (type == (int)IMS_IOMMU_DOMAIN_IDENTITY)
		return type;
	return cur_type;
}

/* iommu_get_default_domain_type() (6.12; CONFIG_IOMMU_DMA=y, no ARM_DMA_USE_IOMMU). */
static int get_default_domain_type(struct ims_iommu_group *group, int target_type)
{
	struct ims_device *untrusted = NULL;
	int driver_type = 0;

	for (int i = 0; i < group->nr_devices; i++) {
		struct ims_device *dev = group->devices[i];

		driver_type = get_def_domain_type(group, dev, driver_type);
		if (dev->pci && dev->pci->untrusted)
			untrusted = dev;
	}
	if (untrusted) {
		if (driver_type && driver_type != (int)IMS_IOMMU_DOMAIN_DMA) {
			ims_dev_logf(untrusted, IMS_LOG_ERR,
				     "Device is not trusted, but driver is overriding group %u to "
				     "%s, refusing to probe.",
				     (unsigned int)group->id,
				     ims_iommu_domain_type_str((unsigned int)driver_type));
			return -1;
		}
		driver_type = IMS_IOMMU_DOMAIN_DMA;
	}
	if (target_type) {
		if (driver_type && target_type != driver_type)
			return -1;
		return target_type;
	}
	return driver_type;
}

/* __iommu_device_set_domain() */
static int device_set_domain(struct ims_iommu_group *group, struct ims_device *dev,
			     struct ims_iommu_domain *domain)
{
	int ret;

	if (dev->iommu->attach_deferred) {
		if (domain == group->default_domain)
			return 0;
		dev->iommu->attach_deferred = false;
	}
	if (!domain->ops || !domain->ops->attach_dev)
		return -ENODEV;
	ret = domain->ops->attach_dev(domain, dev);
	ims_dev_decide(dev, "__iommu_attach_device", "attach to %s domain: %d",
		       ims_iommu_domain_type_name(domain->type), ret);
	return ret;
}

/* __iommu_group_set_domain_internal() */
static int group_set_domain(struct ims_iommu_group *group, struct ims_iommu_domain *new_domain,
			    bool must_succeed)
{
	int ret = 0, i;

	if (group->domain == new_domain)
		return 0;
	for (i = 0; i < group->nr_devices; i++)
		ims_dma_fast_invalidate(group->devices[i]); /* the DMA domain changes */
	for (i = 0; i < group->nr_devices; i++) {
		ret = device_set_domain(group, group->devices[i], new_domain);
		if (ret) {
			if (must_succeed)
				ims_dev_logf(group->devices[i], IMS_LOG_WARNING,
					     "WARNING: attach to the default domain failed: %d "
					     "(IOMMU_SET_DOMAIN_MUST_SUCCEED)",
					     ret);
			break;
		}
	}
	if (ret) {
		/* Put the devices already moved back on the old domain. */
		for (int j = 0; j < i && group->domain; j++)
			device_set_domain(group, group->devices[j], group->domain);
		return ret;
	}
	group->domain = new_domain;
	return 0;
}

int ims_iommu_setup_default_domain(struct ims_iommu_group *group, unsigned int target_type)
{
	struct ims_iommu_domain *old_dom = group->default_domain, *dom;
	int req_type, err = 0, ret;

	req_type = get_default_domain_type(group, (int)target_type);
	if (req_type < 0)
		return -EINVAL;
	dom = alloc_default_domain(group, (unsigned int)req_type, &err);
	if (!dom)
		return err;
	if (dom == group->default_domain)
		return 0;
	group->default_domain = dom;
	for (int i = 0; i < group->nr_devices; i++)
		ims_dev_decide(
			group->devices[i], "iommu_setup_default_domain",
			"group %d: requested type %s, global %s: default domain %s", group->id,
			req_type ? ims_iommu_domain_type_name((unsigned int)req_type) : "none",
			ims_iommu_domain_type_name(group->core->def_domain_type),
			ims_iommu_domain_type_name(dom->type));
	ret = group_set_domain(group, dom, !group->domain);
	if (ret) {
		group->default_domain = old_dom;
		ims_iommu_domain_free(dom);
		return ret;
	}
	if (old_dom && old_dom != dom)
		ims_iommu_domain_free(old_dom);
	return 0;
}

/* iommu_setup_dma_ops() with iommu_dma_init_domain()'s checks. */
void ims_iommu_setup_dma_ops(struct ims_device *dev)
{
	struct ims_iommu_domain *domain = ims_iommu_get_domain_for_dev(dev);
	const struct ims_iommu_ops *ops = ims_dev_iommu_ops(dev);
	uint64_t base;
	unsigned int order;

	ims_dma_fast_invalidate(dev);
	dev->dma_ops = IMS_DMA_OPS_DIRECT;
	dev->iova_start = dev->iova_end = 0;
	if (!domain || !(domain->type & __IMS_IOMMU_DOMAIN_DMA_API))
		goto out;
	if (!domain->pgsize_bitmap)
		goto fail;
	order = (unsigned int)__builtin_ctzll(domain->pgsize_bitmap);
	if (dev->dma_range_map &&
	    (ims_of_dma_range_map_min(dev->dma_range_map) > domain->aperture_end ||
	     ims_of_dma_range_map_max(dev->dma_range_map) < domain->aperture_start)) {
		ims_warn(ims_devcore_log(dev->core),
			 "iommu: specified DMA range outside IOMMU capability");
		goto fail;
	}
	if (domain->type == IMS_IOMMU_DOMAIN_DMA_FQ &&
	    !(ops && ops->capable && ops->capable(dev, IMS_IOMMU_CAP_DEFERRED_FLUSH)))
		domain->type = IMS_IOMMU_DOMAIN_DMA;
	base = IMS_MAX(1ull << order, (domain->aperture_start >> order) << order);
	dev->dma_ops = IMS_DMA_OPS_IOMMU;
	dev->iova_start = base;
	dev->iova_end = domain->aperture_end;
	goto out;
fail:
	ims_warn(ims_devcore_log(dev->core),
		 "Failed to set up IOMMU for device %s; retaining platform DMA ops", dev->name);
out:
	ims_dev_decide(dev, "iommu_setup_dma_ops", "domain %s: DMA ops %s",
		       domain ? ims_iommu_domain_type_name(domain->type) : "none",
		       dev->dma_ops == IMS_DMA_OPS_IOMMU ? "iommu" : "direct");
}

/* ---- probe ---------------------------------------------------------------------- */

static void iommu_deinit_device(struct ims_device *dev)
{
	const struct ims_iommu_ops *ops = ims_dev_iommu_ops(dev);

	ims_dma_fast_free(dev);
	if (ops && ops->release_device && dev->iommu && dev->iommu->iommu_dev)
		ops->release_device(dev);
	if (dev->iommu_group) {
		struct ims_iommu_group *group = dev->iommu_group;

		dev->iommu_group = NULL;
		ims_iommu_group_put(group);
	}
	dev_iommu_free(dev);
}

int __ims_iommu_probe_device(struct ims_device *dev, struct ims_iommu_group ***group_list,
			     int *nr_list)
{
	const struct ims_iommu_ops *ops = ims_dev_iommu_ops(dev);
	struct ims_iommu_device *iommu_dev;
	struct ims_iommu_group *group;
	int err = 0, ret;

	if (!ops)
		return -ENODEV;
	if (dev->iommu_group)
		return 0;
	/* iommu_init_device() */
	iommu_dev = ops->probe_device ? ops->probe_device(dev, &err) : NULL;
	if (!iommu_dev) {
		ret = err ? err : -ENODEV;
		ims_dev_decide(dev, "iommu_probe_device", "%s probe_device failed: %d (%s)",
			       ops->name ? ops->name : "driver", ret, ims_errname(ret));
		dev_iommu_free(dev);
		return ret;
	}
	dev->iommu->iommu_dev = iommu_dev;
	ims_dev_decide(dev, "iommu_probe_device", "%s probe_device accepted it: %u ID(s) on %s",
		       ops->name ? ops->name : "driver",
		       dev->iommu->fwspec ? dev->iommu->fwspec->num_ids : 0,
		       iommu_dev->dev ? iommu_dev->dev->name : "the IOMMU");
	err = 0;
	group = ops->device_group ? ops->device_group(dev, &err) : NULL;
	if (!group) {
		ret = err ? err : -EINVAL;
		ims_dev_decide(dev, "iommu_probe_device", "device_group failed: %d (%s)", ret,
			       ims_errname(ret));
		iommu_deinit_device(dev);
		return ret;
	}
	dev->iommu_group = group;
	dev->iommu->attach_deferred = ops->is_attach_deferred && ops->is_attach_deferred(dev);

	ret = group_add_dev(group, dev);
	if (ret)
		goto err_deinit;
	ims_dev_logf(dev, IMS_LOG_INFO, "Adding to iommu group %d", group->id);
	ims_dev_decide(dev, "iommu_probe_device", "group %d (%d member%s)", group->id,
		       group->nr_devices, group->nr_devices == 1 ? "" : "s");
	if (group->domain) {
		ret = device_set_domain(group, dev, group->domain);
	} else if (!group->default_domain && !group_list) {
		ret = ims_iommu_setup_default_domain(group, 0);
	} else if (!group->default_domain) {
		bool listed = false;

		for (int i = 0; i < *nr_list; i++)
			listed |= (*group_list)[i] == group;
		if (!listed) {
			ret = ims_array_grow((void **)group_list, &(int){ *nr_list }, *nr_list + 1,
					     sizeof(**group_list));
			if (!ret) {
				group->refs++;
				(*group_list)[(*nr_list)++] = group;
			}
		}
	}
	if (ret)
		goto err_remove;
	if (group->default_domain)
		ims_iommu_setup_dma_ops(dev);
	return 0;

err_remove:
	group_remove_dev(group, dev);
err_deinit:
	ims_dev_decide(dev, "iommu_probe_device", "failed: %d (%s)", ret, ims_errname(ret));
	iommu_deinit_device(dev);
	return ret;
}

IMS_EXPORT int ims_iommu_probe_device(struct ims_device *dev)
{
	const struct ims_iommu_ops *ops;
	int ret = __ims_iommu_probe_device(dev, NULL, NULL);

	ops = ims_dev_iommu_ops(dev);
	if (!ret && ops && ops->probe_finalize)
		ops->probe_finalize(dev);
	return ret;
}

IMS_EXPORT void ims_iommu_release_device(struct ims_device *dev)
{
	if (!dev || !dev->iommu)
		return;
	if (dev->iommu_group)
		group_remove_dev(dev->iommu_group, dev);
	iommu_deinit_device(dev);
	dev->dma_ops = IMS_DMA_OPS_DIRECT;
}

static void hook_device_added(struct ims_device *dev)
{
	/* BUS_NOTIFY_ADD_DEVICE: usually -ENODEV for DT clients (no fwspec yet). */
	ims_iommu_probe_device(dev);
}

static void hook_device_removed(struct ims_device *dev)
{
	ims_iommu_release_device(dev);
}

IMS_EXPORT int ims_iommu_group_store_type(struct ims_iommu_group *group, const char *buf)
{
	unsigned int req;
	int ret;

	if (!group || !group->default_domain || !buf)
		return -EINVAL;
	if (!strcmp(buf, "identity"))
		req = IMS_IOMMU_DOMAIN_IDENTITY;
	else if (!strcmp(buf, "DMA"))
		req = IMS_IOMMU_DOMAIN_DMA;
	else if (!strcmp(buf, "DMA-FQ"))
		req = IMS_IOMMU_DOMAIN_DMA_FQ;
	else if (!strcmp(buf, "auto"))
		req = 0;
	else
		return -EINVAL;
	/* A flush queue can be brought up without tearing the domain down. */
	if (req == IMS_IOMMU_DOMAIN_DMA_FQ && group->default_domain->type == IMS_IOMMU_DOMAIN_DMA) {
		group->default_domain->type = IMS_IOMMU_DOMAIN_DMA_FQ;
		return 0;
	}
	if (!group->nr_devices || group->owner_cnt)
		return -EPERM;
	ret = ims_iommu_setup_default_domain(group, req);
	if (ret)
		return ret;
	for (int i = 0; i < group->nr_devices; i++)
		ims_iommu_setup_dma_ops(group->devices[i]);
	return 0;
}

/* ---- ownership --------------------------------------------------------------------- */

IMS_EXPORT int ims_iommu_device_use_default_domain(struct ims_device *dev)
{
	struct ims_iommu_group *group = dev->iommu_group;

	ims_dma_fast_invalidate(dev); /* a driver binds: its dma_configure() ran */
	if (!group)
		return 0;
	if (!group->default_domain)
		return -EPROBE_DEFER;
	if (group->owner_cnt && (group->domain != group->default_domain || group->owner))
		return -EBUSY;
	group->owner_cnt++;
	return 0;
}

IMS_EXPORT void ims_iommu_device_unuse_default_domain(struct ims_device *dev)
{
	struct ims_iommu_group *group = dev->iommu_group;

	ims_dma_fast_invalidate(dev); /* the driver unbinds */
	if (group && group->owner_cnt)
		group->owner_cnt--;
}

/* ---- domain API ------------------------------------------------------------------- */

void ims_iommu_register_pgtbl_fwd(struct ims_iommu_core *core,
				  const struct ims_iommu_domain_ops *ops, size_t off)
{
	if (!core || !ops)
		return;
	for (int i = 0; i < core->nr_pgtbl_fwd; i++)
		if (core->pgtbl_fwd[i].ops == ops)
			return;
	if (core->nr_pgtbl_fwd < (int)ARRAY_SIZE(core->pgtbl_fwd)) {
		core->pgtbl_fwd[core->nr_pgtbl_fwd].ops = ops;
		core->pgtbl_fwd[core->nr_pgtbl_fwd++].off = off;
	}
}

struct ims_io_pgtable_ops **ims_iommu_domain_pgtbl(struct ims_iommu_domain *domain)
{
	struct ims_iommu_core *core = domain ? domain->core : NULL;

	for (int i = 0; core && i < core->nr_pgtbl_fwd; i++)
		if (core->pgtbl_fwd[i].ops == domain->ops)
			return (struct ims_io_pgtable_ops **)(void *)((char *)domain +
								      core->pgtbl_fwd[i].off);
	return NULL;
}

IMS_EXPORT struct ims_iommu_domain *ims_iommu_get_domain_for_dev(const struct ims_device *dev)
{
	return dev && dev->iommu_group ? dev->iommu_group->domain : NULL;
}

IMS_EXPORT struct ims_iommu_domain *ims_iommu_paging_domain_alloc(struct ims_device *dev, int *err)
{
	const struct ims_iommu_ops *ops = ims_dev_iommu_ops(dev);
	int e = 0;
	struct ims_iommu_domain *d;

	if (!ops || !dev->iommu_group) {
		if (err)
			*err = -ENODEV;
		return NULL;
	}
	d = __iommu_domain_alloc(ops, dev, IMS_IOMMU_DOMAIN_UNMANAGED, &e);
	if (!d && err)
		*err = e;
	return d;
}

IMS_EXPORT int ims_iommu_attach_device(struct ims_iommu_domain *domain, struct ims_device *dev)
{
	struct ims_iommu_group *group = dev->iommu_group;

	if (!group)
		return -ENODEV;
	if (group->nr_devices != 1)
		return -EINVAL;
	if (group->domain && group->domain != group->default_domain && domain != group->domain)
		return -EBUSY;
	if (ims_dev_iommu_ops(dev) != domain->owner)
		return -EINVAL;
	return group_set_domain(group, domain, false);
}

IMS_EXPORT void ims_iommu_detach_device(struct ims_iommu_domain *domain, struct ims_device *dev)
{
	struct ims_iommu_group *group = dev->iommu_group;

	if (!group || domain != group->domain || group->nr_devices != 1 || !group->default_domain)
		return;
	group_set_domain(group, group->default_domain, true);
}

IMS_EXPORT size_t ims_iommu_pgsize(const struct ims_iommu_domain *domain, uint64_t iova,
				   uint64_t paddr, size_t size, size_t *count)
{
	uint64_t addr_merge = paddr | iova, pgsizes, pgsize, pgsize_next, offset;
	unsigned int idx;

	if (!size)
		return 0;
	pgsizes = domain->pgsize_bitmap & (~0ull >> (63 - ims_ilog2(size)));
	if (addr_merge)
		pgsizes &= ~0ull >> (63 - (unsigned int)__builtin_ctzll(addr_merge));
	if (!pgsizes) {
		if (count)
			*count = 0;
		return 0;
	}
	idx = ims_ilog2(pgsizes);
	pgsize = 1ull << idx;
	if (!count)
		return (size_t)pgsize;
	pgsizes = idx >= 63 ? 0 : domain->pgsize_bitmap & ~(~0ull >> (63 - idx));
	if (pgsizes) {
		pgsize_next = 1ull << __builtin_ctzll(pgsizes);
		if (!((iova ^ paddr) & (pgsize_next - 1))) {
			offset = pgsize_next - (addr_merge & (pgsize_next - 1));
			if (offset + pgsize_next <= size)
				size = (size_t)offset;
		}
	}
	*count = size >> idx;
	return (size_t)pgsize;
}

IMS_EXPORT void ims_iommu_iotlb_gather_init(struct ims_iotlb_gather *gather)
{
	ims_iotlb_gather_init(gather);
}

IMS_EXPORT void ims_iommu_iotlb_sync(struct ims_iommu_domain *domain,
				     struct ims_iotlb_gather *gather)
{
	if (domain->ops && domain->ops->iotlb_sync)
		domain->ops->iotlb_sync(domain, gather);
	ims_iommu_iotlb_gather_init(gather);
}

IMS_EXPORT void ims_iommu_iotlb_gather_add_page(struct ims_iommu_domain *domain,
						struct ims_iotlb_gather *gather, uint64_t iova,
						size_t size)
{
	uint64_t end = iova + size - 1;

	if ((gather->pgsize && gather->pgsize != size) ||
	    (gather->end != 0 && (end + 1 < gather->start || iova > gather->end + 1)))
		ims_iommu_iotlb_sync(domain, gather);
	gather->pgsize = size;
	if (gather->start > iova)
		gather->start = iova;
	if (gather->end < end)
		gather->end = end;
}

/* __iommu_unmap() */
size_t ims_iommu_unmap_slow(struct ims_iommu_domain *domain, uint64_t iova, size_t size,
			    struct ims_iotlb_gather *gather)
{
	size_t unmapped = 0;
	uint64_t min_pagesz;

	if (!(domain->type & __IMS_IOMMU_DOMAIN_PAGING))
		return 0;
	if (!domain->ops || !domain->ops->unmap_pages || !domain->pgsize_bitmap)
		return 0;
	min_pagesz = 1ull << __builtin_ctzll(domain->pgsize_bitmap);
	if (!IS_ALIGNED(iova | size, min_pagesz)) {
		if (domain->core)
			ims_err(core_log(domain->core),
				"unaligned: iova 0x%llx size 0x%zx min_pagesz 0x%x",
				(unsigned long long)iova, size, (unsigned int)min_pagesz);
		return 0;
	}
	while (unmapped < size) {
		size_t count,
			pgsize = ims_iommu_pgsize(domain, iova, iova, size - unmapped, &count);
		size_t done;

		if (!pgsize || !count)
			break;
		done = domain->ops->unmap_pages(domain, iova, pgsize, count, gather);
		if (!done)
			break;
		iova += done;
		unmapped += done;
	}
	return unmapped;
}

/* iommu_unmap_fast() after a first unmap_pages() call that returned @done, not @size. */
size_t ims_iommu_unmap_finish(struct ims_iommu_domain *domain, uint64_t iova, size_t size,
			      struct ims_iotlb_gather *gather, size_t done)
{
	if (!done || done > size)
		return done;
	/* it stopped at the end of a table: the rest as __iommu_unmap() would go on */
	return done + ims_iommu_unmap_slow(domain, iova + done, size - done, gather);
}

/* iommu_unmap_fast(): the common case inline (iommu-fast.h). */
IMS_EXPORT size_t ims_iommu_unmap_fast(struct ims_iommu_domain *domain, uint64_t iova, size_t size,
				       struct ims_iotlb_gather *gather)
{
	return iommu_unmap_fast_inline(domain, iova, size, gather);
}

IMS_EXPORT size_t ims_iommu_unmap(struct ims_iommu_domain *domain, uint64_t iova, size_t size)
{
	struct ims_iotlb_gather gather;
	size_t ret;

	ims_iommu_iotlb_gather_init(&gather);
	ret = ims_iommu_unmap_slow(domain, iova, size, &gather);
	ims_iommu_iotlb_sync(domain, &gather);
	return ret;
}

/* iommu_map()'s checks of @domain and @gfp, with its messages; 0 when the map may go ahead. */
static __attribute__((noinline)) int iommu_map_check(const struct ims_iommu_domain *domain,
						     uint64_t iova, uint64_t paddr, size_t size,
						     unsigned int gfp)
{
	uint64_t min_pagesz;

	if (!domain)
		return -EINVAL;
	if (gfp & (IMS_GFP_COMP | IMS_GFP_DMA | IMS_GFP_DMA32 | IMS_GFP_HIGHMEM))
		return ims_error(-EINVAL, "iommu_map: gfp 0x%x not allowed", gfp);
	if (!(domain->type & __IMS_IOMMU_DOMAIN_PAGING))
		return ims_error(-EINVAL, "iommu_map: domain type %s is not paging",
				 ims_iommu_domain_type_name(domain->type));
	if (!domain->ops || !domain->ops->map_pages || !domain->pgsize_bitmap)
		return -ENODEV;
	min_pagesz = 1ull << __builtin_ctzll(domain->pgsize_bitmap);
	if (!IS_ALIGNED(iova | paddr | size, min_pagesz)) {
		if (domain->core)
			ims_err(core_log(domain->core),
				"unaligned: iova 0x%llx pa 0x%016llx size 0x%zx min_pagesz 0x%x",
				(unsigned long long)iova, (unsigned long long)paddr, size,
				(unsigned int)min_pagesz);
		return ims_error(-EINVAL,
				 "unaligned: iova 0x%llx pa 0x%016llx size 0x%zx min_pagesz 0x%x",
				 (unsigned long long)iova, (unsigned long long)paddr, size,
				 (unsigned int)min_pagesz);
	}
	return 0;
}

/*
 * __iommu_map() from @iova/@paddr/@size on, @orig_iova/@orig_size being the
 * whole request (part of it may be mapped already), then iotlb_sync_map; on
 * failure everything mapped so far is unmapped.
 */
static __attribute__((noinline)) int iommu_map_rest(struct ims_iommu_domain *domain,
						    uint64_t orig_iova, size_t orig_size,
						    uint64_t iova, uint64_t paddr, size_t size,
						    int prot, int ret)
{
	while (!ret && size) {
		size_t count, mapped = 0,
			      pgsize = ims_iommu_pgsize(domain, iova, paddr, size, &count);

		if (!pgsize || !count) {
			ret = -EINVAL;
			break;
		}
		ret = domain->ops->map_pages(domain, iova, paddr, pgsize, count, prot, &mapped);
		size -= mapped;
		if (ret)
			break;
		if (!mapped) {
			ret = -EINVAL;
			break;
		}
		iova += mapped;
		paddr += mapped;
	}
	if (ret) {
		ims_iommu_unmap(domain, orig_iova, orig_size - size);
		return ret;
	}
	if (domain->ops->iotlb_sync_map) {
		ret = domain->ops->iotlb_sync_map(domain, orig_iova, orig_size);
		if (ret)
			ims_iommu_unmap(domain, orig_iova, orig_size);
	}
	return ret;
}

/* iommu_map() for what iommu_map_inline() leaves: the checks, then __iommu_map(). */
int ims_iommu_map_slow(struct ims_iommu_domain *domain, uint64_t iova, uint64_t paddr, size_t size,
		       int prot, unsigned int gfp)
{
	int ret = iommu_map_check(domain, iova, paddr, size, gfp);

	if (ret)
		return ret;
	return iommu_map_rest(domain, iova, size, iova, paddr, size, prot, 0);
}

/* iommu_map() after a first map_pages() call of the common case that returned @ret, @mapped. */
int ims_iommu_map_finish(struct ims_iommu_domain *domain, uint64_t iova, uint64_t paddr,
			 size_t size, int prot, int ret, size_t mapped)
{
	if (!ret && mapped < size && !mapped)
		ret = -EINVAL;
	return iommu_map_rest(domain, iova, size, iova + mapped, paddr + mapped, size - mapped,
			      prot, ret);
}

/* iommu_map(): the common case inline (iommu-fast.h). */
IMS_EXPORT int ims_iommu_map(struct ims_iommu_domain *domain, uint64_t iova, uint64_t paddr,
			     size_t size, int prot, unsigned int gfp)
{
	return iommu_map_inline(domain, iova, paddr, size, prot, gfp);
}

IMS_EXPORT void ims_iommu_flush_iotlb_all(struct ims_iommu_domain *domain)
{
	if (domain && domain->ops && domain->ops->flush_iotlb_all)
		domain->ops->flush_iotlb_all(domain);
}

IMS_EXPORT uint64_t ims_iommu_iova_to_phys(struct ims_iommu_domain *domain, uint64_t iova)
{
	if (!domain)
		return 0;
	if (domain->type == IMS_IOMMU_DOMAIN_IDENTITY)
		return iova;
	if (domain->type == IMS_IOMMU_DOMAIN_BLOCKED)
		return 0;
	return domain->ops && domain->ops->iova_to_phys ? domain->ops->iova_to_phys(domain, iova)
							: 0;
}

/* ---- reserved regions ----------------------------------------------------------- */

IMS_EXPORT int ims_iommu_resv_add(struct ims_resv_list *list, uint64_t start, uint64_t length,
				  int prot, enum ims_iommu_resv_type type)
{
	if (ims_array_grow((void **)&list->r, &list->cap, list->nr + 1, sizeof(*list->r)))
		return -ENOMEM;
	list->r[list->nr++] = (struct ims_iommu_resv_region){ start, length, prot, type };
	return 0;
}

IMS_EXPORT void ims_iommu_resv_list_free(struct ims_resv_list *list)
{
	free(list->r);
	memset(list, 0, sizeof(*list));
}

IMS_EXPORT const char *ims_iommu_resv_type_name(enum ims_iommu_resv_type type)
{
	static const char *const names[] = {
		[IMS_IOMMU_RESV_DIRECT] = "direct",
		[IMS_IOMMU_RESV_DIRECT_RELAXABLE] = "direct-relaxable",
		[IMS_IOMMU_RESV_RESERVED] = "reserved",
		[IMS_IOMMU_RESV_MSI] = "msi",
		[IMS_IOMMU_RESV_SW_MSI] = "sw-msi",
		[IMS_IOMMU_RESV_PCI_WINDOW] = "pci-window",
	};

	return (unsigned int)type < ARRAY_SIZE(names) ? names[type] : "?";
}

static uint32_t be32_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* iova_reserve_pci_windows(): the host bridge's memory windows, as bus addresses. */
static int pci_windows(struct ims_device *dev, struct ims_resv_list *list)
{
	struct ims_pci_host_bridge *bridge = ims_pci_host_bridge_of(dev);
	const struct ims_of_tree *tree = ims_devcore_tree(dev->core);
	const uint8_t *p;
	int len, na, pna, ns, entry, n = 0;

	if (!bridge || !bridge->dev || bridge->dev->of_node == IMS_OF_NONE)
		return 0;
	p = ims_of_get_property(tree, bridge->dev->of_node, "ranges", &len);
	na = ims_of_bus_n_addr_cells(tree, bridge->dev->of_node);
	ns = ims_of_bus_n_size_cells(tree, bridge->dev->of_node);
	pna = ims_of_n_addr_cells(tree, bridge->dev->of_node);
	if (!p || na != 3 || ns < 1 || ns > 2 || pna < 1 || pna > 2)
		return 0;
	entry = 4 * (na + pna + ns);
	for (int off = 0; off + entry <= len; off += entry) {
		uint32_t hi = be32_at(p + off);
		uint64_t bus = (uint64_t)be32_at(p + off + 4) << 32 | be32_at(p + off + 8);
		uint64_t size = ns == 2 ? (uint64_t)be32_at(p + off + 4 * (na + pna)) << 32 |
						  be32_at(p + off + 4 * (na + pna + 1))
					: be32_at(p + off + 4 * (na + pna));
		unsigned int space = (hi >> 24) & 3;

		if (space < 2 || !size) /* IORESOURCE_MEM only */
			continue;
		if (ims_iommu_resv_add(list, bus, size, 0, IMS_IOMMU_RESV_PCI_WINDOW))
			return -ENOMEM;
		n++;
	}
	return n;
}

IMS_EXPORT int ims_iommu_get_resv_regions(struct ims_device *dev, struct ims_resv_list *list)
{
	const struct ims_iommu_ops *ops = ims_dev_iommu_ops(dev);
	int before = list->nr, ret;

	if (ops && ops->get_resv_regions && dev->iommu_group)
		ops->get_resv_regions(dev, list);
	if (dev->pci) {
		ret = pci_windows(dev, list);
		if (ret < 0)
			return ret;
	}
	return list->nr - before;
}
