/* SPDX-License-Identifier: MIT */
/*
 * The PCI bus: host bridges, enumeration of the DT-described topology
 * (docs/pci-topology.md), SR-IOV VFs, DMA aliases, ACS and the MSI requester
 * ID, after drivers/pci/{probe,pci,search,quirks,iov,pci-driver}.c and
 * drivers/pci/msi/irqdomain.c of Linux 6.12 (§4, §5).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/bus-private.h"
#include "util/compiler.h"
#include "util/log.h"

#define PCI_SLOT(devfn) (((devfn) >> 3) & 0x1f)
#define PCI_FUNC(devfn) ((devfn)&0x07)

static const struct {
	const char *name;
	enum ims_pcie_type type;
	bool bridge;
} pcie_types[] = {
	{ "root-port", IMS_PCIE_ROOT_PORT, true },
	{ "upstream-port", IMS_PCIE_UPSTREAM, true },
	{ "downstream-port", IMS_PCIE_DOWNSTREAM, true },
	{ "endpoint", IMS_PCIE_ENDPOINT, false },
	{ "legacy-endpoint", IMS_PCIE_LEG_END, false },
	{ "rc-endpoint", IMS_PCIE_RC_END, false },
	{ "pcie-to-pci-bridge", IMS_PCIE_PCI_BRIDGE, true },
	{ "pci-to-pcie-bridge", IMS_PCIE_PCIE_BRIDGE, true },
	{ "pci-bridge", IMS_PCI_CONV_BRIDGE, true },
	{ "pci", IMS_PCI_CONV_DEVICE, false },
};

IMS_EXPORT const char *ims_pcie_type_name(enum ims_pcie_type type)
{
	for (size_t i = 0; i < ARRAY_SIZE(pcie_types); i++)
		if (pcie_types[i].type == type)
			return pcie_types[i].name;
	return "?";
}

IMS_EXPORT struct ims_pci_dev *ims_to_pci_dev(const struct ims_device *dev)
{
	return dev ? dev->pci : NULL;
}

IMS_EXPORT uint16_t ims_pci_dev_id(const struct ims_pci_dev *pdev)
{
	return IMS_PCI_DEVID(pdev->bus->number, pdev->devfn);
}

IMS_EXPORT bool ims_pci_is_pcie(const struct ims_pci_dev *pdev)
{
	return pdev->type != IMS_PCI_CONV_BRIDGE && pdev->type != IMS_PCI_CONV_DEVICE;
}

IMS_EXPORT bool ims_pci_is_root_bus(const struct ims_pci_bus *bus)
{
	return bus->parent == NULL;
}

IMS_EXPORT struct ims_pci_host_bridge *ims_pci_host_bridge_of(const struct ims_device *dev)
{
	if (!dev)
		return NULL;
	if (dev->pci)
		return dev->pci->bus->bridge;
	for (int i = 0; i < dev->core->nr_bridges; i++)
		if (dev->core->bridges[i]->dev == dev)
			return dev->core->bridges[i];
	return NULL;
}

static struct ims_pci_bus *find_bus_in(struct ims_pci_bus *bus, int nr, int depth)
{
	if (bus->number == nr)
		return bus;
	if (depth > IMS_BUS_MAX_PCI_DEPTH + 1)
		return NULL;
	for (int i = 0; i < bus->nr_children; i++) {
		struct ims_pci_bus *b = find_bus_in(bus->children[i], nr, depth + 1);

		if (b)
			return b;
	}
	return NULL;
}

IMS_EXPORT struct ims_pci_dev *ims_pci_get_slot(const struct ims_devcore *core, int domain,
						int busnr, int devfn)
{
	for (int i = 0; i < core->nr_bridges; i++) {
		struct ims_pci_bus *bus;

		if (core->bridges[i]->domain != domain || !core->bridges[i]->bus)
			continue;
		bus = find_bus_in(core->bridges[i]->bus, busnr, 0);
		for (int j = 0; bus && j < bus->nr_devices; j++)
			if (bus->devices[j]->devfn == devfn)
				return bus->devices[j];
	}
	return NULL;
}

IMS_EXPORT int ims_pci_bus_of_node(const struct ims_pci_dev *pdev)
{
	for (const struct ims_device *d = &pdev->dev; d; d = d->parent)
		if (d->of_node != IMS_OF_NONE)
			return d->of_node;
	return IMS_OF_NONE;
}

/* ---- buses ------------------------------------------------------------------- */

static struct ims_pci_bus *bus_new(struct ims_pci_host_bridge *bridge, struct ims_pci_bus *parent,
				   struct ims_pci_dev *self, int number, int end)
{
	struct ims_pci_bus *bus = calloc(1, sizeof(*bus));

	if (!bus)
		return NULL;
	bus->number = number;
	bus->bus_end = end;
	bus->parent = parent;
	bus->self = self;
	bus->bridge = bridge;
	if (parent) {
		if (ims_array_grow((void **)&parent->children, &parent->cap_children,
				   parent->nr_children + 1, sizeof(*parent->children))) {
			free(bus);
			return NULL;
		}
		parent->children[parent->nr_children++] = bus;
	}
	return bus;
}

static void bus_free(struct ims_pci_bus *bus)
{
	if (!bus)
		return;
	for (int i = 0; i < bus->nr_children; i++)
		bus_free(bus->children[i]);
	free(bus->children);
	free(bus->devices);
	free(bus);
}

static void bus_unlink_dev(struct ims_pci_bus *bus, struct ims_pci_dev *pdev)
{
	for (int i = 0; i < bus->nr_devices; i++) {
		if (bus->devices[i] != pdev)
			continue;
		memmove(&bus->devices[i], &bus->devices[i + 1],
			(size_t)(bus->nr_devices - i - 1) * sizeof(*bus->devices));
		bus->nr_devices--;
		return;
	}
}

static void bus_unlink_child(struct ims_pci_bus *parent, struct ims_pci_bus *child)
{
	for (int i = 0; i < parent->nr_children; i++) {
		if (parent->children[i] != child)
			continue;
		memmove(&parent->children[i], &parent->children[i + 1],
			(size_t)(parent->nr_children - i - 1) * sizeof(*parent->children));
		parent->nr_children--;
		return;
	}
}

void ims_pci_dev_release(struct ims_pci_dev *pdev)
{
	struct ims_pci_bus *bus = pdev->bus;

	if (pdev->is_virtfn && pdev->physfn && pdev->physfn->num_vfs > 0)
		pdev->physfn->num_vfs--;
	bus_unlink_dev(bus, pdev);
	if (pdev->subordinate) {
		bus_unlink_child(bus, pdev->subordinate);
		bus_free(pdev->subordinate);
	}
	/* A virtual bus (SR-IOV) left empty goes with its last VF. */
	if (!bus->self && bus->parent && !bus->nr_devices && !bus->nr_children) {
		bus_unlink_child(bus->parent, bus);
		bus_free(bus);
	}
	free(pdev);
}

void ims_pci_bridges_free(struct ims_devcore *core)
{
	for (int i = 0; i < core->nr_bridges; i++) {
		bus_free(core->bridges[i]->bus);
		free(core->bridges[i]);
	}
	free(core->bridges);
	core->bridges = NULL;
	core->nr_bridges = 0;
}

static void pci_disable_sriov(struct ims_pci_dev *pdev)
{
	struct ims_devcore *core = pdev->dev.core;

	/* Every VF counts itself in num_vfs until it is released: none, nothing to scan. */
	if (!pdev->num_vfs)
		return;
	/* pci_iov_remove_virtfn(), last VF first. */
	for (int i = core->nr_devs - 1; i >= 0; i--) {
		struct ims_device *d = i < core->nr_devs ? core->devs[i] : NULL;

		if (d && d->pci && d->pci->is_virtfn && d->pci->physfn == pdev)
			ims_device_unregister(d);
	}
	pdev->num_vfs = 0;
}

void ims_pci_remove_children(struct ims_pci_dev *pdev)
{
	pci_disable_sriov(pdev);
	if (!pdev->subordinate)
		return;
	/* pci_stop_and_remove_bus_device(): the subordinate bus, last function first. */
	for (int guard = 0; pdev->subordinate->nr_devices && guard < IMS_BUS_MAX_DEVICES; guard++) {
		struct ims_pci_bus *b = pdev->subordinate;

		ims_device_unregister(&b->devices[b->nr_devices - 1]->dev);
	}
}

/* ---- quirks ---------------------------------------------------------------- */

IMS_EXPORT void ims_pci_add_dma_alias(struct ims_pci_dev *pdev, unsigned int devfn_from,
				      unsigned int nr)
{
	unsigned int devfn_to;

	if (devfn_from > 0xff || !nr)
		return;
	nr = IMS_MIN(nr, 0x100 - devfn_from);
	devfn_to = devfn_from + nr - 1;
	for (unsigned int d = devfn_from; d <= devfn_to; d++)
		pdev->dma_alias_mask[d / 64] |= 1ull << (d % 64);
	if (nr == 1)
		ims_dev_logf(&pdev->dev, IMS_LOG_INFO, "Enabling fixed DMA alias to %02x.%d",
			     PCI_SLOT(devfn_from), PCI_FUNC(devfn_from));
	else
		ims_dev_logf(&pdev->dev, IMS_LOG_INFO,
			     "Enabling fixed DMA alias for devfn range from %02x.%d to %02x.%d",
			     PCI_SLOT(devfn_from), PCI_FUNC(devfn_from), PCI_SLOT(devfn_to),
			     PCI_FUNC(devfn_to));
}

static bool alias_test(const struct ims_pci_dev *p, unsigned int devfn)
{
	return (p->dma_alias_mask[devfn / 64] >> (devfn % 64)) & 1;
}

/* A few drivers/pci/quirks.c header fixups keyed by vendor:device. */
enum quirk_kind { Q_FUNC0_ALIAS, Q_FUNC1_ALIAS, Q_PCIE_BRIDGE_ALIAS };
static const struct {
	uint16_t vendor, device;
	enum quirk_kind kind;
} pci_quirks[] = {
	{ 0x1180, 0xe832, Q_FUNC0_ALIAS },	 /* Ricoh R5C832 */
	{ 0x1180, 0xe476, Q_FUNC0_ALIAS },	 /* Ricoh R5U2xx */
	{ 0x1b4b, 0x9123, Q_FUNC1_ALIAS },	 /* Marvell 88SE9123 */
	{ 0x1b4b, 0x9128, Q_FUNC1_ALIAS },	 /* Marvell 88SE9128 */
	{ 0x1b4b, 0x9130, Q_FUNC1_ALIAS },	 /* Marvell 88SE9130 */
	{ 0x1b4b, 0x9172, Q_FUNC1_ALIAS },	 /* Marvell 88SE9172 */
	{ 0x1b21, 0x1080, Q_PCIE_BRIDGE_ALIAS }, /* ASMedia ASM1083/1085 */
	{ 0x10e3, 0x8113, Q_PCIE_BRIDGE_ALIAS }, /* Tundra 8113 */
	{ 0x1283, 0x8892, Q_PCIE_BRIDGE_ALIAS }, /* ITE 8892 */
	{ 0x1283, 0x8893, Q_PCIE_BRIDGE_ALIAS }, /* ITE 8893 */
	{ 0x8086, 0x244e, Q_PCIE_BRIDGE_ALIAS }, /* Intel 82801 */
};

static void pci_fixup_header(struct ims_pci_dev *pdev)
{
	for (size_t i = 0; i < ARRAY_SIZE(pci_quirks); i++) {
		if (pci_quirks[i].vendor != pdev->vendor || pci_quirks[i].device != pdev->device)
			continue;
		switch (pci_quirks[i].kind) {
		case Q_FUNC0_ALIAS: /* quirk_dma_func0_alias */
			if (PCI_FUNC(pdev->devfn) != 0)
				ims_pci_add_dma_alias(pdev, IMS_PCI_DEVFN(PCI_SLOT(pdev->devfn), 0),
						      1);
			break;
		case Q_FUNC1_ALIAS: /* quirk_dma_func1_alias */
			if (PCI_FUNC(pdev->devfn) != 1)
				ims_pci_add_dma_alias(pdev, IMS_PCI_DEVFN(PCI_SLOT(pdev->devfn), 1),
						      1);
			break;
		case Q_PCIE_BRIDGE_ALIAS: /* quirk_use_pcie_bridge_dma_alias */
			if (!ims_pci_is_root_bus(pdev->bus) && pdev->is_bridge &&
			    !ims_pci_is_pcie(pdev) && pdev->bus->self &&
			    ims_pci_is_pcie(pdev->bus->self) &&
			    pdev->bus->self->type != IMS_PCIE_PCI_BRIDGE)
				pdev->dev_flags |= IMS_PCI_DEV_FLAG_PCIE_BRIDGE_ALIAS;
			break;
		}
	}
}

/* ---- DMA aliases (drivers/pci/search.c) ------------------------------------- */

IMS_EXPORT int ims_pci_for_each_dma_alias(struct ims_pci_dev *pdev, ims_pci_alias_fn fn, void *data)
{
	struct ims_pci_bus *bus;
	int ret, depth = 0;

	/* pci_real_dma_dev() is the device itself (no VMD-like quirk modelled). */
	ret = fn(pdev, ims_pci_dev_id(pdev), data);
	if (ret)
		return ret;
	for (unsigned int devfn = 0; devfn < 256; devfn++) {
		if (!alias_test(pdev, devfn))
			continue;
		ret = fn(pdev, IMS_PCI_DEVID(pdev->bus->number, devfn), data);
		if (ret)
			return ret;
	}
	for (bus = pdev->bus; !ims_pci_is_root_bus(bus) && depth++ <= IMS_BUS_MAX_PCI_DEPTH + 1;
	     bus = bus->parent) {
		struct ims_pci_dev *tmp;

		if (!bus->self)
			continue; /* a virtual bus */
		tmp = bus->self;
		if (tmp->dev_flags & IMS_PCI_DEV_FLAGS_BRIDGE_XLATE_ROOT)
			return ret;
		if (ims_pci_is_pcie(tmp)) {
			switch (tmp->type) {
			case IMS_PCIE_ROOT_PORT:
			case IMS_PCIE_UPSTREAM:
			case IMS_PCIE_DOWNSTREAM:
				continue;
			case IMS_PCIE_PCI_BRIDGE:
				ret = fn(tmp, IMS_PCI_DEVID(tmp->subordinate->number, 0), data);
				if (ret)
					return ret;
				continue;
			case IMS_PCIE_PCIE_BRIDGE:
				ret = fn(tmp, ims_pci_dev_id(tmp), data);
				if (ret)
					return ret;
				continue;
			default:
				break;
			}
		} else {
			if (tmp->dev_flags & IMS_PCI_DEV_FLAG_PCIE_BRIDGE_ALIAS)
				ret = fn(tmp, IMS_PCI_DEVID(tmp->subordinate->number, 0), data);
			else
				ret = fn(tmp, ims_pci_dev_id(tmp), data);
			if (ret)
				return ret;
		}
	}
	return ret;
}

IMS_EXPORT bool ims_pci_devs_are_dma_aliases(const struct ims_pci_dev *a,
					     const struct ims_pci_dev *b)
{
	return alias_test(a, b->devfn) || alias_test(b, a->devfn);
}

/* ---- ACS (drivers/pci/pci.c) ------------------------------------------------- */

IMS_EXPORT bool ims_pci_acs_flags_enabled(const struct ims_pci_dev *pdev, uint16_t flags)
{
	if (!pdev->has_acs)
		return false;
	/* Capabilities not implemented count as hard-wired enabled; EC always counts. */
	flags &= (uint16_t)(pdev->acs_cap | IMS_PCI_ACS_EC);
	return (pdev->acs_ctrl & flags) == flags;
}

IMS_EXPORT bool ims_pci_acs_enabled(const struct ims_pci_dev *pdev, uint16_t flags)
{
	/* pci_dev_specific_acs_enabled(): no quirk modelled (-ENOTTY). */
	if (!ims_pci_is_pcie(pdev))
		return false;
	switch (pdev->type) {
	case IMS_PCIE_PCIE_BRIDGE:
	case IMS_PCIE_PCI_BRIDGE:
	case IMS_PCIE_RC_EC:
		return false;
	case IMS_PCIE_DOWNSTREAM:
	case IMS_PCIE_ROOT_PORT:
		return ims_pci_acs_flags_enabled(pdev, flags);
	case IMS_PCIE_ENDPOINT:
	case IMS_PCIE_UPSTREAM:
	case IMS_PCIE_LEG_END:
	case IMS_PCIE_RC_END:
		if (pdev->multifunction)
			return ims_pci_acs_flags_enabled(pdev, flags);
		break;
	default:
		break;
	}
	return true;
}

IMS_EXPORT bool ims_pci_acs_path_enabled(const struct ims_pci_dev *start,
					 const struct ims_pci_dev *end, uint16_t flags)
{
	const struct ims_pci_dev *pdev = start, *parent;
	int depth = 0;

	do {
		if (!ims_pci_acs_enabled(pdev, flags))
			return false;
		if (ims_pci_is_root_bus(pdev->bus))
			return end == NULL;
		parent = pdev->bus->self;
		if (!parent) /* a virtual bus: continue from the PF's bus */
			parent = pdev->bus->parent->self;
		if (!parent)
			return end == NULL;
		pdev = parent;
	} while (pdev != end && depth++ <= IMS_BUS_MAX_PCI_DEPTH + 1);
	return true;
}

IMS_EXPORT void ims_pci_request_acs(struct ims_devcore *core)
{
	core->pci_acs_enable = true;
}

IMS_EXPORT bool ims_pci_acs_requested(const struct ims_devcore *core)
{
	return core->pci_acs_enable;
}

IMS_EXPORT void ims_pci_enable_acs(struct ims_pci_dev *pdev)
{
	uint16_t ctrl;

	if (!pdev->dev.core->pci_acs_enable || !pdev->has_acs)
		return;
	/* pci_std_enable_acs() */
	ctrl = pdev->acs_ctrl;
	ctrl |= pdev->acs_cap & (IMS_PCI_ACS_SV | IMS_PCI_ACS_RR | IMS_PCI_ACS_CR | IMS_PCI_ACS_UF);
	/* pci_ats_disabled() is false: TB only for external-facing or untrusted devices. */
	if (pdev->external_facing || pdev->untrusted)
		ctrl |= pdev->acs_cap & IMS_PCI_ACS_TB;
	if (ctrl != pdev->acs_ctrl)
		ims_dev_decide(&pdev->dev, "pci_enable_acs", "ACS control 0x%x -> 0x%x (cap 0x%x)",
			       pdev->acs_ctrl, ctrl, pdev->acs_cap);
	pdev->acs_ctrl = ctrl;
}

/* ---- MSI requester ID ------------------------------------------------------- */

static int get_msi_id_cb(struct ims_pci_dev *owner, uint16_t alias, void *data)
{
	uint32_t *rid = data;
	unsigned int bus = (*rid >> 8) & 0xff;

	if ((unsigned int)owner->bus->number != bus || (unsigned int)(alias >> 8) != bus)
		*rid = alias;
	return 0;
}

IMS_EXPORT uint32_t ims_pci_msi_domain_get_msi_rid(struct ims_pci_dev *pdev, int *msi_np)
{
	uint32_t rid = ims_pci_dev_id(pdev);
	int target = IMS_OF_NONE, node;

	ims_pci_for_each_dma_alias(pdev, get_msi_id_cb, &rid);
	node = ims_pci_bus_of_node(pdev);
	if (node != IMS_OF_NONE)
		rid = ims_of_msi_map_id_walk(pdev->dev.core->tree, node, rid, &target, NULL, NULL);
	if (msi_np)
		*msi_np = target;
	return rid;
}

/* ---- pci_dma_configure (drivers/pci/pci-driver.c) ---------------------------- */

int ims_pci_dma_configure(struct ims_device *dev)
{
	struct ims_pci_dev *pdev = dev->pci;
	struct ims_pci_host_bridge *bridge = pdev->bus->bridge;
	const struct ims_dma_hooks *h = &dev->core->hooks;
	int ret = 0;

	if (bridge->dev && bridge->dev->of_node != IMS_OF_NONE)
		ret = ims_of_dma_configure_id(dev, bridge->dev->of_node, true, NULL);
	if (dev->core->opts.acs_placement == IMS_ACS_AT_DMA_CONFIGURE)
		ims_pci_enable_acs(pdev);
	if (!ret && dev->driver && !dev->driver->driver_managed_dma && h->use_default_domain)
		ret = h->use_default_domain(dev);
	return ret;
}

/* ---- enumeration ------------------------------------------------------------- */

struct scan_ctx {
	struct ims_devcore *core;
	struct ims_pci_host_bridge *bridge;
	char path[256];
};

static int prop_err(struct scan_ctx *s, int node, const char *prop, const char *what)
{
	ims_of_node_path(s->core->tree, node, s->path, sizeof(s->path));
	return ims_error(-EINVAL, "%s: %s: property %s: %s", ims_of_tree_name(s->core->tree),
			 s->path, prop, what);
}

static int read_cells(const struct ims_of_tree *tree, int node, const char *name, uint32_t *out,
		      int max, int *nr)
{
	int len;
	const uint8_t *p = ims_of_get_property(tree, node, name, &len);

	*nr = 0;
	if (!p)
		return -ENOENT;
	if (len % 4)
		return -EINVAL;
	for (int i = 0; i < len / 4 && i < max; i++)
		out[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
			 (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	*nr = len / 4;
	return 0;
}

static int read_u32_prop(struct scan_ctx *s, int node, const char *name, uint32_t max,
			 uint32_t *val, bool *present)
{
	uint32_t c[1];
	int nr, ret = read_cells(s->core->tree, node, name, c, 1, &nr);

	*present = false;
	if (ret == -ENOENT)
		return 0;
	if (ret || nr != 1)
		return prop_err(s, node, name, "must be one cell");
	if (c[0] > max) {
		char what[64];

		snprintf(what, sizeof(what), "value 0x%x exceeds 0x%x", c[0], max);
		return prop_err(s, node, name, what);
	}
	*val = c[0];
	*present = true;
	return 0;
}

static bool pcie_downstream_port(const struct ims_pci_dev *p)
{
	return p && ims_pci_is_pcie(p) &&
	       (p->type == IMS_PCIE_ROOT_PORT || p->type == IMS_PCIE_DOWNSTREAM ||
		p->type == IMS_PCIE_PCIE_BRIDGE);
}

/* The documented position defaults of iommusim,pcie-type. */
static enum ims_pcie_type default_type(const struct ims_pci_bus *bus, bool bridge)
{
	const struct ims_pci_dev *up = bus->self;

	if (!up)
		return bridge ? IMS_PCIE_ROOT_PORT : IMS_PCIE_RC_END;
	switch (up->type) {
	case IMS_PCIE_ROOT_PORT:
	case IMS_PCIE_DOWNSTREAM:
	case IMS_PCIE_PCIE_BRIDGE:
		return bridge ? IMS_PCIE_UPSTREAM : IMS_PCIE_ENDPOINT;
	case IMS_PCIE_UPSTREAM:
		return bridge ? IMS_PCIE_DOWNSTREAM : IMS_PCIE_ENDPOINT;
	default: /* below a PCIe-to-PCI or conventional bridge: conventional PCI */
		return bridge ? IMS_PCI_CONV_BRIDGE : IMS_PCI_CONV_DEVICE;
	}
}

static void pci_set_name(struct ims_pci_dev *pdev)
{
	snprintf(pdev->dev.name, sizeof(pdev->dev.name), "%04x:%02x:%02x.%d",
		 (unsigned int)pdev->bus->bridge->domain, (unsigned int)pdev->bus->number,
		 PCI_SLOT(pdev->devfn), PCI_FUNC(pdev->devfn));
}

static struct ims_pci_dev *pci_alloc_dev(struct ims_devcore *core, struct ims_pci_bus *bus,
					 unsigned int devfn)
{
	struct ims_pci_dev *pdev = calloc(1, sizeof(*pdev));

	if (!pdev)
		return NULL;
	ims_bus_device_init(&pdev->dev, core, IMS_BUS_PCI);
	pdev->dev.pci = pdev;
	pdev->bus = bus;
	pdev->devfn = (uint8_t)devfn;
	pdev->vendor = 0xffff;
	pdev->device = 0xffff;
	/* pci_setup_device(): 32-bit masks. */
	pdev->dev.dma_mask = DMA_BIT_MASK(32);
	pdev->dev.coherent_dma_mask = DMA_BIT_MASK(32);
	pdev->dev.has_dma_mask = true;
	pdev->dev.parent = bus->self ? &bus->self->dev : bus->bridge->dev;
	pci_set_name(pdev);
	return pdev;
}

static int bus_add_dev(struct ims_pci_bus *bus, struct ims_pci_dev *pdev)
{
	if (ims_array_grow((void **)&bus->devices, &bus->cap_devices, bus->nr_devices + 1,
			   sizeof(*bus->devices)))
		return -ENOMEM;
	bus->devices[bus->nr_devices++] = pdev;
	return 0;
}

/* set_pcie_untrusted() */
static void set_untrusted(struct ims_pci_dev *pdev)
{
	struct ims_pci_dev *parent = pdev->is_virtfn ? pdev->physfn->bus->self : pdev->bus->self;

	if (parent && (parent->untrusted || parent->external_facing))
		pdev->untrusted = true;
}

/* pci_device_add()'s capability init: pci_acs_init() with the 6.12 placement. */
static void pci_init_capabilities(struct ims_pci_dev *pdev)
{
	if (pdev->dev.core->opts.acs_placement == IMS_ACS_AT_ENUMERATION)
		ims_pci_enable_acs(pdev);
}

static int parse_function(struct scan_ctx *s, int node, struct ims_pci_bus *bus,
			  struct ims_pci_dev *pdev, bool has_siblings)
{
	const struct ims_of_tree *tree = s->core->tree;
	const char *dt = ims_of_get_property(tree, node, "device_type", NULL);
	const char *ts;
	uint32_t cells[256], v;
	bool present, bridge = dt && !strcmp(dt, "pci");
	int nr, len, ret;

	pdev->dev.of_node = node;
	pdev->is_bridge = bridge;
	ts = ims_of_get_property(tree, node, "iommusim,pcie-type", &len);
	if (ts) {
		size_t i;

		for (i = 0; i < ARRAY_SIZE(pcie_types); i++)
			if (len > 0 && !ts[len - 1] && !strcmp(ts, pcie_types[i].name))
				break;
		if (i == ARRAY_SIZE(pcie_types))
			return prop_err(s, node, "iommusim,pcie-type", "unknown type");
		if (pcie_types[i].bridge != bridge)
			return prop_err(
				s, node, "iommusim,pcie-type",
				bridge ? "a non-bridge type on a node with device_type = \"pci\""
				       : "a bridge type needs device_type = \"pci\" and bus-range");
		pdev->type = pcie_types[i].type;
	} else {
		pdev->type = default_type(bus, bridge);
	}
	if ((ret = read_u32_prop(s, node, "vendor-id", 0xffff, &v, &present)))
		return ret;
	if (present)
		pdev->vendor = (uint16_t)v;
	if ((ret = read_u32_prop(s, node, "device-id", 0xffff, &v, &present)))
		return ret;
	if (present)
		pdev->device = (uint16_t)v;
	if ((ret = read_u32_prop(s, node, "class-code", 0xffffff, &v, &present)))
		return ret;
	if (present)
		pdev->class_code = v;

	ret = read_cells(tree, node, "iommusim,acs", cells, 2, &nr);
	if (ret == -EINVAL || (!ret && (nr < 1 || nr > 2)))
		return prop_err(s, node, "iommusim,acs",
				"must be <capability> or <capability control>");
	if (!ret) {
		if (cells[0] & ~0x7fu || (nr == 2 && cells[1] & ~0x7fu))
			return prop_err(s, node, "iommusim,acs",
					"only SV TB RR CR UF EC DT (0x7f) exist");
		pdev->has_acs = true;
		pdev->acs_cap = (uint16_t)cells[0];
		pdev->acs_ctrl = nr == 2 ? (uint16_t)(cells[1] & cells[0]) : 0;
		pdev->acs_fw_ctrl = pdev->acs_ctrl;
	}
	pdev->multifunction = ims_of_get_property(tree, node, "iommusim,multifunction", NULL) ||
			      has_siblings || PCI_FUNC(pdev->devfn) > 0;
	pdev->external_facing = ims_of_get_property(tree, node, "external-facing", NULL) != NULL;
	pdev->dev.no_driver = ims_of_get_property(tree, node, "iommusim,no-driver", NULL) ||
			      (pdev->class_code >> 8) == 0x0600;

	ret = read_cells(tree, node, "iommusim,sriov", cells, 3, &nr);
	if (ret == -EINVAL || (!ret && nr != 3))
		return prop_err(s, node, "iommusim,sriov",
				"must be <total-vfs first-vf-offset vf-stride>");
	if (!ret) {
		if (bridge)
			return prop_err(s, node, "iommusim,sriov", "a bridge has no SR-IOV");
		if (cells[0] > 0xffff || cells[1] > 0xffff || cells[2] > 0xffff)
			return prop_err(s, node, "iommusim,sriov", "each value is 16 bits");
		pdev->sriov_total = (uint16_t)cells[0];
		pdev->sriov_offset = (uint16_t)cells[1];
		pdev->sriov_stride = (uint16_t)cells[2];
	}
	if ((ret = read_u32_prop(s, node, "iommusim,num-vfs", 0xffff, &v, &present)))
		return ret;
	if (present) {
		if (!pdev->sriov_total && v)
			return prop_err(s, node, "iommusim,num-vfs", "needs iommusim,sriov");
		if (v > pdev->sriov_total)
			return prop_err(s, node, "iommusim,num-vfs", "exceeds total-vfs");
		pdev->sriov_num = (uint16_t)v;
	}
	return 0;
}

static int parse_dma_aliases(struct scan_ctx *s, int node, struct ims_pci_dev *pdev)
{
	uint32_t cells[256];
	int nr, ret = read_cells(s->core->tree, node, "iommusim,dma-alias", cells, 256, &nr);

	if (ret == -ENOENT)
		return 0;
	if (ret || nr < 1 || nr > 256)
		return prop_err(s, node, "iommusim,dma-alias", "must be 1..256 devfn cells");
	for (int i = 0; i < nr; i++)
		if (cells[i] > 0xff)
			return prop_err(s, node, "iommusim,dma-alias", "a devfn is 8 bits");
	for (int i = 0; i < nr; i++)
		ims_pci_add_dma_alias(pdev, cells[i], 1);
	return 0;
}

static int scan_bus(struct scan_ctx *s, struct ims_pci_bus *bus, int bus_node, int depth);

/* One function: allocate, parse, fix up and "pci_device_add" it (ACS, untrusted). */
static int scan_function(struct scan_ctx *s, struct ims_pci_bus *bus, int node, unsigned int devfn,
			 bool has_siblings)
{
	struct ims_pci_dev *pdev = pci_alloc_dev(s->core, bus, devfn);
	int ret;

	if (!pdev)
		return -ENOMEM;
	ret = parse_function(s, node, bus, pdev, has_siblings);
	if (!ret)
		ret = bus_add_dev(bus, pdev);
	if (ret) {
		free(pdev);
		return ret;
	}
	pci_fixup_header(pdev);
	ret = parse_dma_aliases(s, node, pdev);
	if (ret)
		return ret;
	set_untrusted(pdev);
	pci_init_capabilities(pdev);
	return 0;
}

static int node_devfn(struct scan_ctx *s, int node, int busnr, unsigned int *devfn)
{
	uint32_t reg[3];
	int nr, ret = read_cells(s->core->tree, node, "reg", reg, 3, &nr);

	if (ret == -ENOENT)
		return prop_err(s, node, "reg", "missing (phys.hi = bus<<16 | dev<<11 | fn<<8)");
	if (ret || nr < 1)
		return prop_err(s, node, "reg", "malformed");
	if (reg[0] & 0xff)
		return prop_err(s, node, "reg", "phys.hi register bits must be 0 for a function");
	if ((int)((reg[0] >> 16) & 0xff) != busnr) {
		char what[96];

		snprintf(what, sizeof(what), "bus %u in phys.hi, but the node sits on bus %d",
			 (reg[0] >> 16) & 0xff, busnr);
		return prop_err(s, node, "reg", what);
	}
	*devfn = (reg[0] >> 8) & 0xff;
	return 0;
}

/* pci_scan_child_bus(): every slot in devfn order, then the bridges' buses. */
static int scan_bus(struct scan_ctx *s, struct ims_pci_bus *bus, int bus_node, int depth)
{
	const struct ims_of_tree *tree = s->core->tree;
	int nodes[256];
	bool only_one = pcie_downstream_port(bus->self);
	int ret;

	if (depth > IMS_BUS_MAX_PCI_DEPTH)
		return prop_err(s, bus_node, "bus-range", "PCI hierarchy too deep");
	for (int i = 0; i < 256; i++)
		nodes[i] = IMS_OF_NONE;
	for (int c = ims_of_first_child(tree, bus_node); c != IMS_OF_NONE;
	     c = ims_of_next_sibling(tree, c)) {
		unsigned int devfn = 0;

		if (!ims_of_get_property(tree, c, "reg", NULL) &&
		    !ims_of_get_property(tree, c, "iommusim,pcie-type", NULL))
			continue; /* not a PCI function (e.g. an interrupt-controller node) */
		if (!ims_of_device_is_available(tree, c))
			continue;
		ret = node_devfn(s, c, bus->number, &devfn);
		if (ret)
			return ret;
		if (nodes[devfn] != IMS_OF_NONE)
			return prop_err(s, c, "reg", "two nodes for the same function");
		nodes[devfn] = c;
	}
	for (unsigned int slot = 0; slot < 32; slot++) {
		bool siblings = false;

		for (unsigned int fn = 1; fn < 8; fn++)
			siblings |= nodes[IMS_PCI_DEVFN(slot, fn)] != IMS_OF_NONE;
		for (unsigned int fn = 0; fn < 8; fn++) {
			unsigned int devfn = IMS_PCI_DEVFN(slot, fn);

			if (nodes[devfn] == IMS_OF_NONE)
				continue;
			ims_of_node_path(tree, nodes[devfn], s->path, sizeof(s->path));
			if (only_one && slot > 0) {
				ims_logf(&s->core->log, IMS_LOG_WARNING,
					 "iommusim: %s: not scanned: only device 0 exists below a "
					 "PCIe downstream port (only_one_child)",
					 s->path);
				continue;
			}
			if (fn > 0 && nodes[IMS_PCI_DEVFN(slot, 0)] == IMS_OF_NONE) {
				ims_logf(&s->core->log, IMS_LOG_WARNING,
					 "iommusim: %s: not scanned: function 0 of the slot is "
					 "absent",
					 s->path);
				continue;
			}
			ret = scan_function(s, bus, nodes[devfn], devfn, fn == 0 && siblings);
			if (ret)
				return ret;
		}
	}
	/* pci_scan_bridge() for each bridge found, in order. */
	for (int i = 0; i < bus->nr_devices; i++) {
		struct ims_pci_dev *br = bus->devices[i];
		uint32_t range[2];
		int nr;

		if (!br->is_bridge)
			continue;
		ret = read_cells(tree, br->dev.of_node, "bus-range", range, 2, &nr);
		if (ret || nr != 2)
			return prop_err(s, br->dev.of_node, "bus-range",
					"a bridge needs <secondary subordinate>");
		if (range[0] <= (uint32_t)bus->number || range[0] > range[1] ||
		    range[1] > (uint32_t)bus->bus_end)
			return prop_err(s, br->dev.of_node, "bus-range",
					"secondary must be above the bridge's bus, subordinate "
					"within the parent's range");
		for (int j = 0; j < bus->nr_children; j++)
			if ((int)range[0] <= bus->children[j]->bus_end &&
			    (int)range[1] >= bus->children[j]->number)
				return prop_err(s, br->dev.of_node, "bus-range",
						"overlaps a sibling bridge's range");
		br->subordinate = bus_new(s->bridge, bus, br, (int)range[0], (int)range[1]);
		if (!br->subordinate)
			return -ENOMEM;
		ret = scan_bus(s, br->subordinate, br->dev.of_node, depth + 1);
		if (ret)
			return ret;
	}
	return 0;
}

/* pci_bus_add_devices(): every function on the bus, then each child bus. */
static int bus_add_devices(struct ims_pci_bus *bus, int depth)
{
	int ret;

	if (depth > IMS_BUS_MAX_PCI_DEPTH + 1)
		return 0;
	for (int i = 0; i < bus->nr_devices; i++) {
		if (bus->devices[i]->dev.index >= 0)
			continue;
		ret = ims_bus_device_add(&bus->devices[i]->dev);
		if (ret)
			return ret;
	}
	for (int i = 0; i < bus->nr_devices; i++)
		if (bus->devices[i]->subordinate) {
			ret = bus_add_devices(bus->devices[i]->subordinate, depth + 1);
			if (ret)
				return ret;
		}
	return 0;
}

static void free_unadded(struct ims_pci_bus *bus)
{
	for (int i = bus->nr_devices - 1; i >= 0; i--) {
		struct ims_pci_dev *p = bus->devices[i];

		if (p->dev.index >= 0)
			continue;
		if (p->subordinate)
			free_unadded(p->subordinate);
		ims_bus_device_free(&p->dev);
	}
}

static bool domain_used(struct ims_devcore *core, int d)
{
	for (int i = 0; i < core->nr_used_domains; i++)
		if (core->used_domains[i] == d)
			return true;
	return false;
}

static int domain_reserve(struct ims_devcore *core, int d)
{
	if (domain_used(core, d))
		return 0;
	if (ims_array_grow((void **)&core->used_domains, &core->cap_used_domains,
			   core->nr_used_domains + 1, sizeof(int)))
		return -ENOMEM;
	core->used_domains[core->nr_used_domains++] = d;
	return 0;
}

/* of_pci_bus_find_domain_nr(): static linux,pci-domain, else the lowest free number. */
static int find_domain_nr(struct ims_devcore *core, int node)
{
	const struct ims_of_tree *tree = core->tree;
	uint32_t d;
	int n = ims_of_nr_nodes(tree);

	if (!core->static_domains_reserved) {
		/* of_pci_reserve_static_domain_nr() */
		for (int i = 0; i < n; i++) {
			int np = ims_of_node_by_index(tree, i);
			const char *dt = ims_of_get_property(tree, np, "device_type", NULL);

			if (!dt || strcmp(dt, "pci") || !ims_of_device_is_available(tree, np))
				continue;
			if (!ims_of_property_read_u32(tree, np, "linux,pci-domain", &d) &&
			    d <= 0xffff && domain_reserve(core, (int)d))
				return -ENOMEM;
		}
		core->static_domains_reserved = true;
	}
	if (!ims_of_property_read_u32(tree, node, "linux,pci-domain", &d) && d <= 0xffff)
		return (int)d;
	for (int i = 0; i <= 0xffff; i++) {
		if (domain_used(core, i))
			continue;
		if (domain_reserve(core, i))
			return -ENOMEM;
		return i;
	}
	return -ENOSPC;
}

IMS_EXPORT int ims_pci_host_probe(struct ims_device *dev)
{
	struct ims_devcore *core = dev->core;
	struct ims_pci_host_bridge *bridge;
	struct scan_ctx s = { .core = core };
	uint32_t range[2] = { 0, 0xff };
	int nr, ret;

	if (dev->of_node == IMS_OF_NONE)
		return -EINVAL;
	if (ims_pci_host_bridge_of(dev))
		return 0; /* a rebind: the hierarchy is still there */
	ret = read_cells(core->tree, dev->of_node, "bus-range", range, 2, &nr);
	if (!ret && (nr != 2 || range[0] > range[1] || range[1] > 0xff))
		return prop_err(&s, dev->of_node, "bus-range", "must be <start end> within 0..255");
	if (ims_array_grow((void **)&core->bridges, &core->cap_bridges, core->nr_bridges + 1,
			   sizeof(*core->bridges)))
		return -ENOMEM;
	bridge = calloc(1, sizeof(*bridge));
	if (!bridge)
		return -ENOMEM;
	bridge->dev = dev;
	bridge->busnr = (int)range[0];
	bridge->bus_end = (int)range[1];
	bridge->domain = find_domain_nr(core, dev->of_node);
	if (bridge->domain < 0) {
		ret = bridge->domain;
		free(bridge);
		return ret;
	}
	bridge->bus = bus_new(bridge, NULL, NULL, bridge->busnr, bridge->bus_end);
	if (!bridge->bus) {
		free(bridge);
		return -ENOMEM;
	}
	s.bridge = bridge;
	ims_dev_logf(dev, IMS_LOG_INFO, "PCI host bridge to bus %04x:%02x", bridge->domain,
		     bridge->busnr);
	ret = scan_bus(&s, bridge->bus, dev->of_node, 0);
	if (ret) {
		ims_dev_logf(dev, IMS_LOG_ERR, "%s", ims_last_error());
		free_unadded(bridge->bus);
		bus_free(bridge->bus);
		free(bridge);
		return ret;
	}
	core->bridges[core->nr_bridges++] = bridge;
	ims_bus_enter(core);
	ret = bus_add_devices(bridge->bus, 0);
	ims_bus_leave(core);
	return ret;
}

/* ---- SR-IOV (drivers/pci/iov.c) ------------------------------------------------ */

static struct ims_pci_bus *virtfn_add_bus(struct ims_pci_bus *bus, int busnr)
{
	if (bus->number == busnr)
		return bus;
	for (int i = 0; i < bus->nr_children; i++)
		if (bus->children[i]->number == busnr)
			return bus->children[i];
	return bus_new(bus->bridge, bus, NULL, busnr, busnr);
}

/* The PF's driver bound: enable iommusim,num-vfs VFs (sriov_numvfs). */
void ims_pci_dev_bound(struct ims_pci_dev *pf)
{
	struct ims_devcore *core = pf->dev.core;

	if (!pf->sriov_num || pf->num_vfs || pf->is_virtfn)
		return;
	/* sriov_init(): offset 0, or stride 0 with more than one VF, is refused. */
	if (!pf->sriov_offset || (pf->sriov_total > 1 && !pf->sriov_stride)) {
		ims_dev_logf(&pf->dev, IMS_LOG_WARNING,
			     "SR-IOV capability ignored: First VF Offset %u, VF Stride %u",
			     pf->sriov_offset, pf->sriov_stride);
		return;
	}
	ims_bus_enter(core);
	for (int id = 0; id < pf->sriov_num; id++) {
		unsigned int rid =
			pf->devfn + pf->sriov_offset + (unsigned int)pf->sriov_stride * id;
		int busnr = pf->bus->number + (int)(rid >> 8);
		struct ims_pci_bus *bus;
		struct ims_pci_dev *vf;

		if (busnr > pf->bus->bus_end || busnr > 0xff) {
			ims_dev_logf(&pf->dev, IMS_LOG_ERR,
				     "SR-IOV: VF %d needs bus %02x beyond the bus range", id,
				     busnr);
			break;
		}
		if (ims_pci_get_slot(core, pf->bus->bridge->domain, busnr, (int)(rid & 0xff))) {
			ims_dev_logf(
				&pf->dev, IMS_LOG_ERR,
				"SR-IOV: VF %d at %02x:%02x.%d collides with an existing function",
				id, busnr, (rid >> 3) & 0x1f, rid & 7);
			break;
		}
		bus = virtfn_add_bus(pf->bus, busnr);
		if (!bus)
			break;
		vf = pci_alloc_dev(core, bus, rid & 0xff);
		if (!vf)
			break;
		vf->dev.parent = pf->dev.parent;
		vf->is_virtfn = true;
		vf->physfn = pf;
		vf->vendor = pf->vendor;
		vf->device = pf->device;
		vf->class_code = pf->class_code;
		vf->type = pf->type;
		if (bus_add_dev(bus, vf)) {
			free(vf);
			break;
		}
		set_untrusted(vf);
		pci_init_capabilities(vf);
		pf->num_vfs++;
		if (ims_bus_device_add(&vf->dev))
			break;
	}
	ims_bus_leave(core);
}

void ims_pci_dev_unbinding(struct ims_pci_dev *pdev)
{
	pci_disable_sriov(pdev);
}

void ims_pci_host_remove(struct ims_device *dev)
{
	struct ims_devcore *core = dev->core;

	for (int i = 0; i < core->nr_bridges; i++) {
		struct ims_pci_host_bridge *b = core->bridges[i];

		if (b->dev != dev)
			continue;
		bus_free(b->bus);
		free(b);
		memmove(&core->bridges[i], &core->bridges[i + 1],
			(size_t)(core->nr_bridges - i - 1) * sizeof(*core->bridges));
		core->nr_bridges--;
		return;
	}
}
