// SPDX-License-Identifier: MIT
/*
 * Device-side DMA: a device reads or writes memory at a DMA address.  The
 * transaction takes the path the hardware gives it, whatever Linux decided:
 * a PCI function's requester ID on the wire (its own, or the bridge's when a
 * PCIe-to-PCI or conventional bridge takes ownership, pci_for_each_dma_alias's
 * last alias) goes through the host bridge's iommu-map to an SMMU and a
 * StreamID; a platform device reaches its SMMU with its fwspec StreamID.  With
 * no SMMU on the path the address goes through the device's dma-ranges.
 * A fault is recorded by the model, which raises its interrupt; the driver's
 * handler drains it (event queue, context fault) on this thread before the
 * result comes back.
 */
#include <string.h>

#include "dma/dma-private.h"
#include "machine/machine-private.h"
#include "util/compiler.h"
#include "util/log.h"
#include <iommusim/machine.h>

static int last_alias(struct ims_pci_dev *owner, uint16_t alias, void *data)
{
	(void)owner;
	*(uint32_t *)data = alias;
	return 0;
}

IMS_EXPORT int ims_machine_dma_path(struct ims_machine *m, struct ims_device *dev,
				    struct ims_machine_dma_path *path)
{
	memset(path, 0, sizeof(*path));
	path->smmu_node = IMS_OF_NONE;
	if (!m || !dev || !m->booted)
		return -EINVAL;
	if (dev->pci) {
		struct ims_pci_host_bridge *hb = ims_pci_host_bridge_of(dev);
		int target = IMS_OF_NONE;
		uint32_t rid = 0, sid;

		if (!hb || !hb->dev)
			return -ENODEV;
		ims_pci_for_each_dma_alias(dev->pci, last_alias, &rid);
		path->rid = rid;
		if (ims_of_map_id(m->tree, hb->dev->of_node, rid, "iommu-map", "iommu-map-mask",
				  &target, &sid, NULL) == 0 &&
		    target != IMS_OF_NONE) {
			path->smmu_node = target;
			path->sid = sid;
		}
	} else {
		struct ims_iommu_fwspec *fw = ims_dev_iommu_fwspec_get(dev);

		if (fw && fw->num_ids) {
			path->smmu_node = fw->iommu_fwnode;
			path->sid = fw->ids[0];
		}
	}
	if (path->smmu_node != IMS_OF_NONE && !ims_machine_smmu_by_node(m, path->smmu_node))
		path->smmu_node = IMS_OF_NONE; /* no model behind that node: untranslated */
	path->translated = path->smmu_node != IMS_OF_NONE;
	return 0;
}

IMS_EXPORT int ims_machine_device_dma(struct ims_machine *m, struct ims_device *dev,
				      uint64_t dma_addr, void *buf, uint64_t len, bool write,
				      struct ims_machine_dma_result *result)
{
	struct ims_machine_dma_result local;
	struct ims_machine_smmu *s;
	struct ims_txn tmpl = { 0 };
	uint64_t addr = dma_addr;
	int ret;

	if (!result)
		result = &local;
	memset(result, 0, sizeof(*result));
	if (!m || !dev || (!buf && len))
		return -EINVAL;
	ret = ims_machine_dma_path(m, dev, &result->path);
	if (ret)
		return ret;
	ims_dma_debug_device_access(dev, dma_addr, len, write);
	tmpl.sid = result->path.sid;
	tmpl.access = write ? IMS_VMSA_WRITE : IMS_VMSA_READ;
	if (result->path.translated) {
		s = ims_machine_smmu_by_node(m, result->path.smmu_node);
		ret = ims_smmu_dma(s->translator, m->mem, &tmpl, addr, buf, len, &result->txn);
	} else {
		/* the interconnect's dma-ranges: bus address -> CPU physical */
		addr = ims_of_dma_to_phys(dev->dma_range_map, dma_addr);
		if (addr == ~0ULL && len)
			return -EFAULT;
		ret = ims_smmu_dma(NULL, m->mem, &tmpl, addr, buf, len, &result->txn);
	}
	return ret;
}
