/* SPDX-License-Identifier: MIT */
/* of_platform_populate(): which nodes become devices, their names, order and default masks. */
#include "bus-test.h"

static int probes;
static char order[1024];

static int rec_probe(struct ims_device *dev)
{
	size_t n = strlen(order);

	snprintf(order + n, sizeof(order) - n, "%s%s", n ? " " : "", dev->name);
	probes++;
	return 0;
}

static bool match_all(const struct ims_driver *drv, struct ims_device *dev)
{
	return !dev->is_host_bridge && !dev->no_driver && !dev->is_iommu;
}

static const struct ims_driver rec_drv = {
	.name = "rec", .bus = IMS_BUS_PLATFORM, .match = match_all, .probe = rec_probe
};

static const char *const uart_compat[] = { "test,uart", NULL };
static int uart_probes;
static int uart_probe(struct ims_device *dev)
{
	uart_probes++;
	return 0;
}
static const struct ims_driver uart_drv = {
	.name = "uart", .bus = IMS_BUS_PLATFORM, .of_match = uart_compat, .probe = uart_probe
};

int main(void)
{
	struct ims_of_tree *t = load_tree(FIXTURE_DIR "/topo.dtb");
	struct ims_devcore *core;
	struct ims_device *d;
	char buf[128];
	int n;

	is_int(ims_devcore_new(&core, t, NULL, NULL), 0, "devcore_new");
	/* uart driver first: it wins the uart, the recorder takes the rest. */
	is_int(ims_driver_register(core, &uart_drv), 0, "register uart driver");
	is_int(ims_driver_register(core, &rec_drv), 0, "register recording driver");
	is_int(ims_driver_register(core, &rec_drv), -EEXIST, "a second registration: -EEXIST");
	n = ims_of_platform_populate(core);
	is_int(n, 16, "16 platform devices created");
	is_int(ims_devcore_nr_devices(core), 16, "16 devices (no PCI without a host driver)");

	/* Names: of_device_make_bus_id(). */
	ok(dev_named(core, "psci") != NULL, "no reg at the root: \"psci\"");
	ok(dev_named(core, "1000.iommu") != NULL, "translated reg: \"1000.iommu\"");
	ok(dev_named(core, "f0000100.uart") != NULL, "reg through soc ranges: f0000100.uart");
	ok(dev_named(core, "f0000200.4.gpio") != NULL,
	   "a \"mask\" property: addr.ffs(mask)-1.name");
	ok(dev_named(core, "soc:leds") != NULL, "no reg anywhere: parent basename prefix");
	ok(dev_named(core, "f0008000.sub:foo") != NULL,
	   "no reg below a reg'd bus: f0008000.sub:foo");
	ok(dev_named(core, "soc") != NULL, "the simple-bus itself is a device");
	ok(!ims_devcore_find_device(core, "f0000400.nocompat"), "no compatible: not populated");
	ok(!ims_devcore_find_device(core, "f0000500.disabled"), "status disabled: not populated");
	ok(!ims_devcore_find_device(core, "2000.iommu"), "a disabled IOMMU: not populated");
	is_str(ims_of_device_make_bus_id(t, ims_of_find_node_by_path(t, "/pcie@30000000"), buf,
					 sizeof(buf)),
	       "30000000.pcie", "make_bus_id of a host bridge");

	/* Order: depth-first DT order. */
	is_int(ims_devcore_device(core, 0)->of_node, ims_of_find_node_by_path(t, "/psci"),
	       "first device: the first root child");
	d = dev_named(core, "soc");
	ok(d && ims_devcore_device(core, d->index + 1) == dev_named(core, "f0000100.uart"),
	   "a bus's children follow the bus");
	ok(dev_named(core, "f0008000.sub:foo") &&
		   dev_named(core, "f0008000.sub:foo")->parent == dev_named(core, "f0008000.sub"),
	   "parent of a bus child is the bus device");

	/* Classification. */
	ok(dev_named(core, "1000.iommu")->is_iommu, "#iommu-cells marks an IOMMU");
	ok(dev_named(core, "10000000.pcie")->is_host_bridge, "device_type pci marks a host bridge");
	ok(dev_named(core, "6000.plain")->no_driver, "iommusim,no-driver");

	/* Binding. */
	is_int(uart_probes, 1, "the compatible driver bound the uart");
	ok(dev_named(core, "f0000100.uart")->driver == &uart_drv, "uart bound to its driver");
	ok(dev_named(core, "3000.dma")->driver == &rec_drv, "others bound to the match-all driver");
	ok(!dev_named(core, "6000.plain")->driver, "no-driver never binds");
	ok(!dev_named(core, "1000.iommu")->driver, "the IOMMU is left to its driver");
	ok(strstr(order, "psci 1000.iommu") == NULL && !strncmp(order, "psci 3000.dma", 13),
	   "probe order follows DT order (%s)", order);

	/* Default masks and DMA configuration without an IOMMU layer. */
	d = dev_named(core, "4000.dual");
	is_hex(d->coherent_dma_mask, 0xffffffffull, "platform coherent mask 32-bit");
	is_hex(d->dma_mask, 0xffffffffull, "dma_mask = coherent mask");
	ok(d->dma_coherent, "dma-coherent on the node");
	ok(!dev_named(core, "3000.dma")->dma_coherent, "no dma-coherent: non-coherent on arm64");
	is_int(d->dma_ops, IMS_DMA_OPS_DIRECT, "no IOMMU layer: dma-direct");

	/* Unbind and rebind. */
	ims_device_release_driver(d);
	ok(!d->driver, "unbound");
	is_int(ims_device_attach(d), 1, "rebound");
	ok(d->driver == &rec_drv, "rebound to the same driver");

	ims_devcore_free(core);
	ims_of_tree_free(t);
	return tap_done();
}
