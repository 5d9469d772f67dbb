/* SPDX-License-Identifier: MIT */
/*
 * The platform bus: of_platform_default_populate() (drivers/of/platform.c),
 * of_device_make_bus_id() naming, platform_dma_configure()
 * (drivers/base/platform.c), and the two generic drivers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/bus-private.h"
#include "util/compiler.h"
#include "util/log.h"

/* of_default_bus_match_table. */
static const char *const default_bus_match[] = { "simple-bus", "simple-mfd", "isa",
						 "arm,amba-bus" };

static bool is_default_bus(const struct ims_of_tree *tree, int node)
{
	for (size_t i = 0; i < ARRAY_SIZE(default_bus_match); i++)
		if (ims_of_device_is_compatible(tree, node, default_bus_match[i]))
			return true;
	return false;
}

/* %pOFn: the node name without its unit address. */
static void node_name_only(const struct ims_of_tree *tree, int node, char *buf, size_t len)
{
	const char *n = ims_of_node_name(tree, node);
	size_t l = strcspn(n, "@");

	if (l >= len)
		l = len - 1;
	memcpy(buf, n, l);
	buf[l] = '\0';
}

IMS_EXPORT char *ims_of_device_make_bus_id(const struct ims_of_tree *tree, int node, char *buf,
					   size_t len)
{
	char name[256] = "", tmp[256], nn[128];
	bool have = false;
	int guard = 0;

	/* Build the name from the node upward until a reg translates (uniqueness). */
	while (node != IMS_OF_NONE && ims_of_get_parent(tree, node) != IMS_OF_NONE &&
	       guard++ < IMS_OF_MAX_DEPTH + 1) {
		int rlen, na = ims_of_n_addr_cells(tree, node);
		const void *reg = ims_of_get_property(tree, node, "reg", &rlen);
		uint64_t addr = IMS_OF_BAD_ADDR;
		uint32_t mask;

		/* The cell count is checked before it scales anything (it is the board's). */
		if (reg && na > 0 && na <= IMS_OF_MAX_ADDR_CELLS && rlen >= 4 * na)
			addr = ims_of_translate_address(tree, node, reg);
		if (addr != IMS_OF_BAD_ADDR) {
			node_name_only(tree, node, nn, sizeof(nn));
			if (!ims_of_property_read_u32(tree, node, "mask", &mask))
				snprintf(tmp, sizeof(tmp), "%llx.%x.%s%s%s",
					 (unsigned long long)addr,
					 mask ? (unsigned int)__builtin_ctz(mask) : ~0u, nn,
					 have ? ":" : "", have ? name : "");
			else
				snprintf(tmp, sizeof(tmp), "%llx.%s%s%s", (unsigned long long)addr,
					 nn, have ? ":" : "", have ? name : "");
			snprintf(buf, len, "%s", tmp);
			return buf;
		}
		snprintf(tmp, sizeof(tmp), "%s%s%s", ims_of_node_name(tree, node), have ? ":" : "",
			 have ? name : "");
		memcpy(name, tmp, sizeof(name));
		have = true;
		node = ims_of_get_parent(tree, node);
	}
	snprintf(buf, len, "%s", name);
	return buf;
}

static int platform_device_create(struct ims_devcore *core, int node, struct ims_device *parent)
{
	const struct ims_of_tree *tree = core->tree;
	struct ims_device *dev;
	const char *dt;
	int ret;

	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	ims_bus_device_init(dev, core, IMS_BUS_PLATFORM);
	dev->of_node = node;
	dev->parent = parent;
	ims_of_device_make_bus_id(tree, node, dev->name, sizeof(dev->name));
	/* of_platform_device_create_pdata(): 32-bit coherent mask, dma_mask = &coherent. */
	dev->coherent_dma_mask = DMA_BIT_MASK(32);
	dev->dma_mask = dev->coherent_dma_mask;
	dev->has_dma_mask = true;
	dev->is_iommu = ims_of_get_property(tree, node, "#iommu-cells", NULL) != NULL;
	dt = ims_of_get_property(tree, node, "device_type", NULL);
	dev->is_host_bridge = dt && !strcmp(dt, "pci");
	dev->no_driver = ims_of_get_property(tree, node, "iommusim,no-driver", NULL) != NULL;
	ret = ims_bus_device_add(dev);
	if (ret) {
		ims_bus_device_free(dev);
		return ret;
	}
	return 1;
}

/* of_platform_bus_create() with strict = true: depth-first, in DT order. */
static int bus_create(struct ims_devcore *core, int node, struct ims_device *parent, int depth)
{
	const struct ims_of_tree *tree = core->tree;
	struct ims_device *dev;
	int ret, count = 0;

	if (depth > IMS_OF_MAX_DEPTH)
		return 0;
	if (!ims_of_get_property(tree, node, "compatible", NULL))
		return 0;
	if (!ims_of_device_is_available(tree, node))
		return 0;
	if (ims_devcore_find_by_node(core, node))
		return 0; /* OF_POPULATED */
	ret = platform_device_create(core, node, parent);
	if (ret < 0)
		return ret;
	count += ret;
	if (!is_default_bus(tree, node))
		return count;
	dev = ims_devcore_find_by_node(core, node);
	for (int c = ims_of_first_child(tree, node); c != IMS_OF_NONE;
	     c = ims_of_next_sibling(tree, c)) {
		ret = bus_create(core, c, dev, depth + 1);
		if (ret < 0)
			return ret;
		count += ret;
	}
	return count;
}

IMS_EXPORT int ims_of_platform_populate(struct ims_devcore *core)
{
	const struct ims_of_tree *tree = core->tree;
	int root = ims_of_find_node_by_path(tree, "/");
	int ret = 0, count = 0;

	ims_bus_enter(core);
	for (int c = ims_of_first_child(tree, root); c != IMS_OF_NONE;
	     c = ims_of_next_sibling(tree, c)) {
		ret = bus_create(core, c, NULL, 1);
		if (ret < 0)
			break;
		count += ret;
	}
	ims_bus_leave(core);
	return ret < 0 ? ret : count;
}

/* platform_dma_configure(). */
int ims_platform_dma_configure(struct ims_device *dev)
{
	const struct ims_dma_hooks *h = &dev->core->hooks;
	int ret = 0;

	if (dev->of_node != IMS_OF_NONE)
		ret = ims_of_dma_configure_id(dev, dev->of_node, true, NULL);
	if (ret || (dev->driver && dev->driver->driver_managed_dma))
		return ret;
	if (h->use_default_domain)
		ret = h->use_default_domain(dev);
	/* arch_teardown_dma_ops() is empty on arm64. */
	return ret;
}

/* ---- generic drivers -------------------------------------------------------- */

static bool client_match(const struct ims_driver *drv, struct ims_device *dev)
{
	return !dev->is_iommu && !dev->is_host_bridge && !dev->no_driver;
}

static const struct ims_driver client_drivers[IMS_BUS_NR] = {
	[IMS_BUS_PLATFORM] = { .name = "ims-client",
			       .bus = IMS_BUS_PLATFORM,
			       .match = client_match },
	[IMS_BUS_PCI] = { .name = "ims-pci-client", .bus = IMS_BUS_PCI, .match = client_match },
};

IMS_EXPORT const struct ims_driver *ims_client_driver(enum ims_bus_kind bus)
{
	return (unsigned int)bus < IMS_BUS_NR ? &client_drivers[bus] : NULL;
}

static bool host_match(const struct ims_driver *drv, struct ims_device *dev)
{
	return dev->is_host_bridge && !dev->no_driver;
}

static int host_probe(struct ims_device *dev)
{
	return ims_pci_host_probe(dev);
}

static const struct ims_driver host_driver = {
	.name = "pci-host-generic",
	.bus = IMS_BUS_PLATFORM,
	.match = host_match,
	.probe = host_probe,
};

IMS_EXPORT const struct ims_driver *ims_pci_host_driver(void)
{
	return &host_driver;
}
