/* SPDX-License-Identifier: MIT */
/*
 * of_iommu_configure() and of_iommu_xlate(), after drivers/iommu/of_iommu.c of
 * Linux 6.12 (§2): "iommus" for platform devices, every PCI DMA alias through
 * "iommu-map" for PCI functions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dma/dma-fast.h"
#include "iommu/iommu-private.h"
#include "util/compiler.h"
#include "util/log.h"

int ims_iommu_hook_of_iommu_configure(struct ims_device *dev, int master_np, const uint32_t *id);

static const char *path_of(const struct ims_device *dev, int node, char *buf, size_t len)
{
	return ims_of_node_path(ims_devcore_tree(dev->core), node, buf, len);
}

IMS_EXPORT int ims_of_iommu_xlate(struct ims_device *dev, const struct ims_of_phandle_args *spec)
{
	const struct ims_of_tree *tree = ims_devcore_tree(dev->core);
	struct ims_iommu_core *core = ims_iommu_core_of(dev);
	const struct ims_iommu_ops *ops;
	char path[256];
	int ret;

	path_of(dev, spec->np, path, sizeof(path));
	if (!ims_of_device_is_available(tree, spec->np)) {
		ims_dev_decide(dev, "of_iommu_xlate", "IOMMU node %s not available: -ENODEV",
			       spec->np == IMS_OF_NONE ? "(none)" : path);
		return -ENODEV;
	}
	ret = ims_iommu_fwspec_init(dev, spec->np);
	if (ret == -EPROBE_DEFER) {
		ret = ims_driver_deferred_probe_check_state(dev);
		ims_dev_decide(
			dev, "of_iommu_xlate",
			"no IOMMU driver registered for %s: driver_deferred_probe_check_state "
			"%d (%s)",
			path, ret, ims_errname(ret));
		return ret;
	}
	if (ret) {
		ims_dev_decide(dev, "of_iommu_xlate", "iommu_fwspec_init(%s): %d (%s)", path, ret,
			       ims_errname(ret));
		return ret;
	}
	ops = ims_iommu_ops_from_fwnode(core, spec->np);
	if (!ops || !ops->of_xlate)
		return -ENODEV;
	ret = ops->of_xlate(dev, spec);
	ims_dev_decide(dev, "of_iommu_xlate", "%s of_xlate(%s, %d cell%s%s0x%x): %d", ops->name,
		       path, spec->args_count, spec->args_count == 1 ? "" : "s",
		       spec->args_count ? " " : " ", spec->args_count ? spec->args[0] : 0, ret);
	return ret;
}

/* of_iommu_configure_dev_id(): iommu-map keyed by *id. */
static int configure_dev_id(struct ims_device *dev, int master_np, uint32_t id)
{
	const struct ims_of_tree *tree = ims_devcore_tree(dev->core);
	struct ims_of_phandle_args spec = { .np = IMS_OF_NONE, .args_count = 1 };
	struct ims_of_map_record rec;
	char path[256];
	int ret;

	ret = ims_of_map_id(tree, master_np, id, "iommu-map", "iommu-map-mask", &spec.np,
			    &spec.args[0], &rec);
	path_of(dev, master_np, path, sizeof(path));
	if (ret) {
		ims_dev_decide(dev, "of_iommu_configure_dev_id",
			       "%s iommu-map for id 0x%x: %d (%s)", path, id, ret,
			       ims_errname(ret));
		return ret;
	}
	if (rec.matched)
		ims_dev_decide(
			dev, "of_iommu_configure_dev_id",
			"%s iommu-map entry %d <0x%x 0x%x 0x%x 0x%x> (mask 0x%x): id 0x%x -> "
			"0x%x: 0x%04x & mask 0x%04x = 0x%04x; entry %d [0x%x, 0x%llx): 0x%04x - "
			"0x%x + 0x%x = 0x%x",
			path, rec.index, rec.id_base, rec.phandle, rec.out_base, rec.len, rec.mask,
			id, spec.args[0], id, rec.mask, rec.masked_id, rec.index, rec.id_base,
			(unsigned long long)rec.id_base + rec.len, rec.masked_id, rec.id_base,
			rec.out_base, spec.args[0]);
	else {
		/* of_map_id()'s pr_info went to the tree's sink; keep it with the device. */
		ims_dev_record_msg(dev, IMS_LOG_INFO,
				   "%s: no iommu-map translation for id 0x%x on (null)", path, id);
		ims_dev_decide(dev, "of_iommu_configure_dev_id",
			       "%s: no iommu-map translation for id 0x%x (bypass): no IOMMU", path,
			       id);
	}
	return ims_of_iommu_xlate(dev, &spec);
}

/* of_iommu_configure_dev(): the "iommus" loop. */
static int configure_dev(struct ims_device *dev, int master_np)
{
	const struct ims_of_tree *tree = ims_devcore_tree(dev->core);
	struct ims_of_phandle_args spec;
	int err = -ENODEV, idx = 0;

	while (idx < 4096 && ims_of_parse_phandle_with_args(tree, master_np, "iommus",
							    "#iommu-cells", idx, &spec) == 0) {
		err = ims_of_iommu_xlate(dev, &spec);
		idx++;
		if (err)
			break;
	}
	if (!idx)
		ims_dev_decide(dev, "of_iommu_configure_dev",
			       "no usable \"iommus\" entry: no IOMMU");
	return err;
}

struct pci_init_data {
	struct ims_device *dev;
	int master_np;
};

static int of_pci_iommu_init(struct ims_pci_dev *owner, uint16_t alias, void *data)
{
	struct pci_init_data *info = data;

	ims_dev_decide(info->dev, "pci_for_each_dma_alias", "alias 0x%04x (owner %s)", alias,
		       owner->dev.name);
	return configure_dev_id(info->dev, info->master_np, alias);
}

IMS_EXPORT int ims_of_iommu_configure(struct ims_device *dev, int master_np, const uint32_t *id)
{
	const struct ims_of_tree *tree;
	int err;

	if (master_np == IMS_OF_NONE || !ims_iommu_core_of(dev))
		return -ENODEV;
	tree = ims_devcore_tree(dev->core);
	if (ims_dev_iommu_fwspec_get(dev))
		return 0; /* already configured: no re-parse, no re-probe */
	if (dev->pci) {
		struct pci_init_data info = { dev, master_np };

		ims_pci_request_acs(dev->core);
		err = ims_pci_for_each_dma_alias(dev->pci, of_pci_iommu_init, &info);
		/* of_pci_check_device_ats() */
		if (ims_dev_iommu_fwspec_get(dev) &&
		    ims_of_get_property(tree, master_np, "ats-supported", NULL))
			dev->iommu->fwspec->flags |= IMS_IOMMU_FWSPEC_PCI_RC_ATS;
	} else {
		err = id ? configure_dev_id(dev, master_np, *id) : configure_dev(dev, master_np);
	}
	if (err) {
		if (ims_dev_iommu_fwspec_get(dev))
			ims_dev_decide(dev, "of_iommu_configure",
				       "error %d (%s): the fwspec gathered so far is dropped", err,
				       ims_errname(err));
		ims_iommu_fwspec_free(dev);
	}
	if (!err)
		err = ims_iommu_probe_device(dev);
	if (err && err != -EPROBE_DEFER)
		ims_dev_logf(dev, IMS_LOG_DEBUG, "Adding to IOMMU failed: %d", err);
	ims_dev_decide(dev, "of_iommu_configure", "result %d (%s)%s", err, ims_errname(err),
		       err == -EPROBE_DEFER ? ": probe deferred"
		       : err		    ? ": carry on without the IOMMU (dma-direct)"
					    : "");
	return err;
}

int ims_iommu_hook_of_iommu_configure(struct ims_device *dev, int master_np, const uint32_t *id)
{
	/* dma_configure() is (re)setting the masks, the bus limit and the coherency */
	ims_dma_fast_invalidate(dev);
	return ims_of_iommu_configure(dev, master_np, id);
}
