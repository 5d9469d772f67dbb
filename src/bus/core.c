/* SPDX-License-Identifier: MIT */
/*
 * The driver core: devices, drivers, really_probe() and deferred probe, as
 * drivers/base/dd.c and drivers/base/core.c of Linux 6.12 (§4, §2).
 *
 * Deferred probe runs synchronously: a trigger (after a driver binds) is
 * noted, and the deferred work runs when the outermost driver-core call
 * returns, as flush_work(&deferred_probe_work) would.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/bus-private.h"
#include "util/compiler.h"
#include "util/log.h"

IMS_EXPORT int ims_devcore_new(struct ims_devcore **out, const struct ims_of_tree *tree,
			       const struct ims_devcore_opts *opts, const struct ims_log *log)
{
	struct ims_devcore *core;

	if (!out || !tree)
		return ims_error(-EINVAL, "ims_devcore_new: no tree");
	core = calloc(1, sizeof(*core));
	if (!core)
		return -ENOMEM;
	core->tree = tree;
	pthread_mutex_init(&core->irq_lock, NULL);
	if (opts)
		core->opts = *opts;
	else
		core->opts.deferred_probe_timeout = -1;
	if (log)
		core->log = *log;
	/* driver_deferred_probe_timeout: 10 s with CONFIG_MODULES, 0 without. */
	core->deferred_probe_timeout = core->opts.deferred_probe_timeout >= 0
					       ? core->opts.deferred_probe_timeout
					       : (core->opts.no_modules ? 0 : 10);
	*out = core;
	return 0;
}

IMS_EXPORT void ims_devcore_free(struct ims_devcore *core)
{
	if (!core)
		return;
	/* Remove in reverse add order: children before parents. */
	while (core->nr_devs) {
		int before = core->nr_devs;

		ims_device_unregister(core->devs[core->nr_devs - 1]);
		if (core->nr_devs == before)
			break;
	}
	ims_pci_bridges_free(core);
	if (core->dma_ctx && core->dma_ctx_free)
		core->dma_ctx_free(core->dma_ctx);
	free(core->devs);
	free(core->drvs);
	free(core->pending);
	free(core->used_domains);
	free(core->irqs);
	pthread_mutex_destroy(&core->irq_lock);
	free(core);
}

static void (*core_dma_unbound(const struct ims_devcore *core))(void *, struct ims_device *)
{
	return core->dma_ctx ? core->dma_unbound : NULL;
}

IMS_EXPORT void *ims_devcore_dma_ctx(const struct ims_devcore *core)
{
	return core ? __atomic_load_n(&core->dma_ctx, __ATOMIC_ACQUIRE) : NULL;
}

IMS_EXPORT void *ims_devcore_install_dma_ctx(struct ims_devcore *core, void *ctx,
					     void (*free_fn)(void *ctx),
					     void (*unbound)(void *ctx, struct ims_device *dev))
{
	void *expected = NULL;

	if (!core || !ctx)
		return NULL;
	/* The hooks are written before the pointer is published. */
	core->dma_ctx_free = free_fn;
	core->dma_unbound = unbound;
	if (__atomic_compare_exchange_n(&core->dma_ctx, &expected, ctx, false, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE))
		return ctx;
	return expected;
}

IMS_EXPORT const struct ims_of_tree *ims_devcore_tree(const struct ims_devcore *core)
{
	return core->tree;
}

IMS_EXPORT const struct ims_log *ims_devcore_log(const struct ims_devcore *core)
{
	return &core->log;
}

IMS_EXPORT const struct ims_devcore_opts *ims_devcore_opts(const struct ims_devcore *core)
{
	return &core->opts;
}

IMS_EXPORT void ims_devcore_set_dma_hooks(struct ims_devcore *core,
					  const struct ims_dma_hooks *hooks)
{
	if (hooks)
		core->hooks = *hooks;
	else
		memset(&core->hooks, 0, sizeof(core->hooks));
}

IMS_EXPORT const struct ims_dma_hooks *ims_devcore_dma_hooks(const struct ims_devcore *core)
{
	return &core->hooks;
}

IMS_EXPORT int ims_devcore_nr_devices(const struct ims_devcore *core)
{
	return core->nr_devs;
}

IMS_EXPORT struct ims_device *ims_devcore_device(const struct ims_devcore *core, int idx)
{
	if (idx < 0 || idx >= core->nr_devs)
		return NULL;
	return core->devs[idx];
}

IMS_EXPORT struct ims_device *ims_devcore_find_device(const struct ims_devcore *core,
						      const char *name)
{
	for (int i = 0; name && i < core->nr_devs; i++)
		if (!strcmp(core->devs[i]->name, name))
			return core->devs[i];
	return NULL;
}

IMS_EXPORT struct ims_device *ims_devcore_find_by_node(const struct ims_devcore *core, int node)
{
	if (node == IMS_OF_NONE)
		return NULL;
	for (int i = 0; i < core->nr_devs; i++)
		if (core->devs[i]->of_node == node)
			return core->devs[i];
	return NULL;
}

/* ---- messages and decisions ------------------------------------------------- */

static const char *const bus_names[IMS_BUS_NR] = { "platform", "pci" };

static char *dupstr(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);

	if (d)
		memcpy(d, s, n);
	return d;
}

static void dev_keep_msg(struct ims_device *dev, enum ims_log_level level, const char *msg)
{
	char *copy;

	if (ims_array_grow((void **)&dev->msgs, &dev->cap_msgs, dev->nr_msgs + 1,
			   sizeof(*dev->msgs)))
		return;
	copy = dupstr(msg);
	if (!copy)
		return;
	dev->msgs[dev->nr_msgs].level = level;
	dev->msgs[dev->nr_msgs++].text = copy;
}

IMS_EXPORT void ims_dev_logf(struct ims_device *dev, enum ims_log_level level, const char *fmt, ...)
{
	char body[768], msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	/* dev_printk: dev_driver_string() (the bound driver, else the bus) and dev_name(). */
	snprintf(msg, sizeof(msg), "%s %s: %s",
		 dev->driver ? dev->driver->name : bus_names[dev->bus], dev->name, body);
	ims_logf(&dev->core->log, level, "%s", msg);
	dev_keep_msg(dev, level, msg);
}

IMS_EXPORT void ims_dev_record_msg(struct ims_device *dev, enum ims_log_level level,
				   const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	dev_keep_msg(dev, level, msg);
}

IMS_EXPORT void ims_dev_decide(struct ims_device *dev, const char *step, const char *fmt, ...)
{
	char body[768];
	va_list ap;
	char *s, *t;

	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	if (ims_array_grow((void **)&dev->decisions, &dev->cap_decisions, dev->nr_decisions + 1,
			   sizeof(*dev->decisions)))
		return;
	s = dupstr(step);
	t = dupstr(body);
	if (!s || !t) {
		free(s);
		free(t);
		return;
	}
	dev->decisions[dev->nr_decisions].step = s;
	dev->decisions[dev->nr_decisions++].text = t;
}

IMS_EXPORT bool ims_dev_has_msg(const struct ims_device *dev, const char *needle)
{
	for (int i = 0; i < dev->nr_msgs; i++)
		if (strstr(dev->msgs[i].text, needle))
			return true;
	return false;
}

/* ---- devices ----------------------------------------------------------------- */

void ims_bus_device_init(struct ims_device *dev, struct ims_devcore *core, enum ims_bus_kind bus)
{
	dev->core = core;
	dev->bus = bus;
	dev->of_node = IMS_OF_NONE;
	dev->probe_err = 1;
	dev->index = -1;
	dev->dma_ops = IMS_DMA_OPS_DIRECT;
}

void ims_bus_device_free(struct ims_device *dev)
{
	for (int i = 0; i < dev->nr_msgs; i++)
		free(dev->msgs[i].text);
	free(dev->msgs);
	for (int i = 0; i < dev->nr_decisions; i++) {
		free(dev->decisions[i].step);
		free(dev->decisions[i].text);
	}
	free(dev->decisions);
	free(dev->dma_range_map);
	if (dev->pci)
		ims_pci_dev_release(dev->pci);
	else
		free(dev);
}

void ims_bus_enter(struct ims_devcore *core)
{
	core->depth++;
}

static void deferred_probe_work(struct ims_devcore *core);

void ims_bus_leave(struct ims_devcore *core)
{
	if (--core->depth == 0 && core->trigger_pending)
		deferred_probe_work(core);
}

/* device_add(): register, run the ADD_DEVICE notifier, then bus_probe_device(). */
int ims_bus_device_add(struct ims_device *dev)
{
	struct ims_devcore *core = dev->core;

	if (core->nr_devs >= IMS_BUS_MAX_DEVICES)
		return ims_error(-IMS_ELIMIT, "%s: more than %d devices", dev->name,
				 IMS_BUS_MAX_DEVICES);
	if (ims_array_grow((void **)&core->devs, &core->cap_devs, core->nr_devs + 1,
			   sizeof(*core->devs)))
		return -ENOMEM;
	dev->index = core->next_index++;
	core->devs[core->nr_devs++] = dev;
	ims_bus_enter(core);
	if (core->hooks.device_added)
		core->hooks.device_added(dev);
	ims_device_attach(dev);
	ims_bus_leave(core);
	return 0;
}

/* ---- deferred probe (drivers/base/dd.c) ------------------------------------- */

static void deferred_probe_add(struct ims_device *dev)
{
	struct ims_devcore *core = dev->core;

	if (dev->deferred)
		return;
	if (ims_array_grow((void **)&core->pending, &core->cap_pending, core->nr_pending + 1,
			   sizeof(*core->pending)))
		return;
	core->pending[core->nr_pending++] = dev;
	dev->deferred = true;
	ims_dev_logf(dev, IMS_LOG_DEBUG, "Added to deferred list");
}

static void deferred_probe_del(struct ims_device *dev)
{
	struct ims_devcore *core = dev->core;

	if (!dev->deferred)
		return;
	for (int i = 0; i < core->nr_pending; i++) {
		if (core->pending[i] != dev)
			continue;
		memmove(&core->pending[i], &core->pending[i + 1],
			(size_t)(core->nr_pending - i - 1) * sizeof(*core->pending));
		core->nr_pending--;
		break;
	}
	dev->deferred = false;
}

static void deferred_probe_trigger(struct ims_devcore *core)
{
	if (!core->deferred_probe_enable)
		return;
	core->deferred_trigger_count++;
	core->trigger_pending = true;
}

/*
 * deferred_probe_work_func(): move the pending list to the active list and
 * probe each device again, in list order.  Devices that defer again go back
 * on the pending list; a trigger during the pass runs another pass.
 */
static void deferred_probe_work(struct ims_devcore *core)
{
	int passes = 0;

	core->depth++;
	while (core->trigger_pending && passes++ <= core->nr_devs + 2) {
		struct ims_device **active;
		int nr = core->nr_pending;

		core->trigger_pending = false;
		if (!nr)
			break;
		active = malloc((size_t)nr * sizeof(*active));
		if (!active)
			break;
		memcpy(active, core->pending, (size_t)nr * sizeof(*active));
		for (int i = 0; i < nr; i++)
			active[i]->deferred = false;
		core->nr_pending = 0;
		for (int i = 0; i < nr; i++) {
			bool alive = false;

			/* A device removed during the pass is skipped. */
			for (int j = 0; j < core->nr_devs && !alive; j++)
				alive = core->devs[j] == active[i];
			if (alive && !active[i]->driver)
				ims_device_attach(active[i]);
		}
		free(active);
	}
	core->trigger_pending = false;
	core->depth--;
}

IMS_EXPORT int ims_driver_deferred_probe_check_state(struct ims_device *dev)
{
	struct ims_devcore *core = dev->core;

	if (core->opts.no_modules && core->initcalls_done) {
		ims_dev_logf(dev, IMS_LOG_WARNING,
			     "ignoring dependency for device, assuming no driver");
		return -ENODEV;
	}
	if (!core->deferred_probe_timeout && core->initcalls_done) {
		ims_dev_logf(dev, IMS_LOG_WARNING, "deferred probe timeout, ignoring dependency");
		return -ETIMEDOUT;
	}
	return -EPROBE_DEFER;
}

IMS_EXPORT void ims_devcore_late_initcall(struct ims_devcore *core)
{
	ims_bus_enter(core);
	core->deferred_probe_enable = true;
	deferred_probe_trigger(core);
	deferred_probe_work(core);
	core->initcalls_done = true;
	/* Trigger again: this time nothing optional is deferred. */
	deferred_probe_trigger(core);
	deferred_probe_work(core);
	ims_bus_leave(core);
}

IMS_EXPORT void ims_devcore_deferred_probe_timeout(struct ims_devcore *core)
{
	ims_bus_enter(core);
	core->deferred_probe_timeout = 0;
	core->deferred_probe_enable = true;
	deferred_probe_trigger(core);
	deferred_probe_work(core);
	for (int i = 0; i < core->nr_pending; i++)
		ims_dev_logf(core->pending[i], IMS_LOG_INFO,
			     "deferred probe pending: (reason unknown)");
	ims_bus_leave(core);
}

IMS_EXPORT int ims_devcore_nr_deferred(const struct ims_devcore *core)
{
	return core->nr_pending;
}

/* ---- probe ------------------------------------------------------------------ */

static int bus_dma_configure(struct ims_device *dev)
{
	return dev->bus == IMS_BUS_PCI ? ims_pci_dma_configure(dev)
				       : ims_platform_dma_configure(dev);
}

/* platform_dma_cleanup() / pci_dma_cleanup(). */
static void bus_dma_cleanup(struct ims_device *dev)
{
	if (dev->driver && !dev->driver->driver_managed_dma &&
	    dev->core->hooks.unuse_default_domain)
		dev->core->hooks.unuse_default_domain(dev);
}

/* device_unbind_cleanup(). */
static void device_unbind_cleanup(struct ims_device *dev)
{
	free(dev->dma_range_map);
	dev->dma_range_map = NULL;
	dev->nr_dma_range = 0;
	dev->driver = NULL;
	dev->driver_data = NULL;
}

/* really_probe() in the order of §4. */
static int really_probe(struct ims_device *dev, const struct ims_driver *drv)
{
	int ret;

	dev->driver = drv;
	ims_dev_decide(dev, "really_probe", "driver %s matched: dma_configure (%s)", drv->name,
		       dev->bus == IMS_BUS_PCI ? "pci_dma_configure" : "platform_dma_configure");
	ret = bus_dma_configure(dev);
	if (ret) {
		ims_dev_decide(dev, "really_probe", "dma_configure for driver %s returned %d (%s)",
			       drv->name, ret, ims_errname(ret));
		device_unbind_cleanup(dev);
		return ret;
	}
	ret = drv->probe ? drv->probe(dev) : 0;
	if (ret) {
		/* call_driver_probe() */
		if (ret == -EPROBE_DEFER)
			ims_dev_logf(dev, IMS_LOG_DEBUG, "Driver %s requests probe deferral",
				     drv->name);
		else if (ret == -ENODEV || ret == -ENXIO)
			ims_logf(&dev->core->log, IMS_LOG_DEBUG, "%s: probe of %s rejects match %d",
				 drv->name, dev->name, ret);
		else
			ims_dev_logf(dev, IMS_LOG_WARNING, "probe of %s failed with error %d",
				     dev->name, ret);
		ims_dev_decide(dev, "really_probe", "probe of driver %s returned %d (%s)",
			       drv->name, ret, ims_errname(ret));
		bus_dma_cleanup(dev);
		device_unbind_cleanup(dev);
		return -ret; /* positive, as call_driver_probe's caller makes it */
	}
	/* driver_bound() */
	deferred_probe_del(dev);
	ims_dev_decide(dev, "really_probe", "bound to driver %s", drv->name);
	deferred_probe_trigger(dev->core);
	if (dev->pci)
		ims_pci_dev_bound(dev->pci);
	return 0;
}

/* driver_probe_device(). */
static int driver_probe_device(const struct ims_driver *drv, struct ims_device *dev)
{
	unsigned int trigger_count = dev->core->deferred_trigger_count;
	int ret = really_probe(dev, drv);

	dev->probe_err = ret > 0 ? -ret : ret;
	if (ret == -EPROBE_DEFER || ret == EPROBE_DEFER) {
		deferred_probe_add(dev);
		if (trigger_count != dev->core->deferred_trigger_count)
			deferred_probe_trigger(dev->core);
	}
	return ret;
}

static bool driver_match_device(const struct ims_driver *drv, struct ims_device *dev)
{
	if (drv->bus != dev->bus)
		return false;
	if (drv->of_match) {
		if (dev->of_node == IMS_OF_NONE)
			return false;
		for (int i = 0; drv->of_match[i]; i++)
			if (ims_of_device_is_compatible(dev->core->tree, dev->of_node,
							drv->of_match[i]))
				return true;
		return false;
	}
	return drv->match && drv->match(drv, dev);
}

IMS_EXPORT int ims_device_attach(struct ims_device *dev)
{
	struct ims_devcore *core = dev->core;
	int bound = 0;

	if (dev->driver)
		return 1;
	if (dev->no_driver)
		return 0;
	ims_bus_enter(core);
	for (int i = 0; i < core->nr_drvs; i++) {
		int ret;

		if (!driver_match_device(core->drvs[i], dev))
			continue;
		/* __device_attach_driver(): a negative return stops the walk. */
		ret = driver_probe_device(core->drvs[i], dev);
		if (ret == 0) {
			bound = 1;
			break;
		}
		if (ret < 0)
			break;
	}
	ims_bus_leave(core);
	return bound;
}

IMS_EXPORT int ims_driver_register(struct ims_devcore *core, const struct ims_driver *drv)
{
	if (!drv || !drv->name)
		return -EINVAL;
	for (int i = 0; i < core->nr_drvs; i++)
		if (!strcmp(core->drvs[i]->name, drv->name) && core->drvs[i]->bus == drv->bus)
			return ims_error(-EEXIST, "driver %s already registered", drv->name);
	if (ims_array_grow((void **)&core->drvs, &core->cap_drvs, core->nr_drvs + 1,
			   sizeof(*core->drvs)))
		return -ENOMEM;
	core->drvs[core->nr_drvs++] = drv;
	ims_bus_enter(core);
	/* driver_attach(): every device of the bus, in order; the list may grow meanwhile. */
	for (int i = 0; i < core->nr_devs; i++) {
		struct ims_device *dev = core->devs[i];

		if (dev->driver || dev->no_driver || !driver_match_device(drv, dev))
			continue;
		driver_probe_device(drv, dev);
	}
	ims_bus_leave(core);
	return 0;
}

IMS_EXPORT void ims_device_release_driver(struct ims_device *dev)
{
	const struct ims_driver *drv = dev->driver;

	if (!drv)
		return;
	if (dev->pci)
		ims_pci_dev_unbinding(dev->pci);
	if (drv->remove)
		drv->remove(dev);
	/* BUS_NOTIFY_UNBOUND_DRIVER: dma-debug's leak check. */
	if (core_dma_unbound(dev->core))
		core_dma_unbound(dev->core)(dev->core->dma_ctx, dev);
	bus_dma_cleanup(dev);
	ims_dev_decide(dev, "device_release_driver", "unbound from driver %s", drv->name);
	device_unbind_cleanup(dev);
	dev->probe_err = 1;
}

IMS_EXPORT void ims_driver_unregister(struct ims_devcore *core, const struct ims_driver *drv)
{
	for (int i = core->nr_devs - 1; i >= 0; i--)
		if (core->devs[i]->driver == drv)
			ims_device_release_driver(core->devs[i]);
	for (int i = 0; i < core->nr_drvs; i++) {
		if (core->drvs[i] != drv)
			continue;
		memmove(&core->drvs[i], &core->drvs[i + 1],
			(size_t)(core->nr_drvs - i - 1) * sizeof(*core->drvs));
		core->nr_drvs--;
		break;
	}
}

/*
 * The position of @dev in core->devs, or -1.  The array is in add order, so
 * in increasing ->index: a binary search, where a scan made removing N
 * devices cost O(N^2).
 */
static int dev_pos(const struct ims_devcore *core, const struct ims_device *dev)
{
	int lo = 0, hi = core->nr_devs - 1;

	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;

		if (core->devs[mid]->index == dev->index)
			return core->devs[mid] == dev ? mid : -1;
		if (core->devs[mid]->index < dev->index)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

IMS_EXPORT void ims_device_unregister(struct ims_device *dev)
{
	struct ims_devcore *core = dev->core;
	int i, pos;

	if (dev->pci)
		ims_pci_remove_children(dev->pci);
	/*
	 * Platform children (a host bridge's PCI functions) go first.  A device
	 * is added only after its parent was (of_platform_populate, PCI bus
	 * add order, VFs after their PF), so its children sit after it.
	 */
	pos = dev_pos(core, dev);
	for (i = core->nr_devs - 1; i > pos; i--)
		if (i < core->nr_devs && core->devs[i]->parent == dev)
			ims_device_unregister(core->devs[i]);
	if (dev->is_host_bridge)
		ims_pci_host_remove(dev);
	ims_device_release_driver(dev);
	deferred_probe_del(dev);
	if (core->hooks.device_removed)
		core->hooks.device_removed(dev);
	pos = dev_pos(core, dev);
	if (pos >= 0) {
		memmove(&core->devs[pos], &core->devs[pos + 1],
			(size_t)(core->nr_devs - pos - 1) * sizeof(*core->devs));
		core->nr_devs--;
	}
	ims_bus_device_free(dev);
}

/* ---- of_dma_configure_id (drivers/of/device.c) -------------------------------- */

IMS_EXPORT int ims_of_dma_configure_id(struct ims_device *dev, int np, bool force_dma,
				       const uint32_t *id)
{
	struct ims_devcore *core = dev->core;
	struct ims_of_dma_config cfg;
	uint64_t end, mask;
	bool set_map;
	char path[256];
	int ret;

	(void)force_dma;
	if (!dev->has_dma_mask) {
		ims_dev_logf(dev, IMS_LOG_WARNING, "DMA mask not set");
		dev->has_dma_mask = true;
		dev->dma_mask = dev->coherent_dma_mask;
	}
	ret = ims_of_dma_configure(core->tree, np, np == dev->of_node, dev->coherent_dma_mask,
				   &cfg);
	if (ret)
		return ret;
	set_map = cfg.map != NULL;
	end = set_map ? cfg.bus_dma_limit
		      : (dev->coherent_dma_mask ? dev->coherent_dma_mask : 0xffffffffull);
	mask = DMA_BIT_MASK(ims_ilog2(end) + 1);
	dev->coherent_dma_mask = cfg.coherent_dma_mask;
	dev->dma_mask &= mask;
	ims_of_node_path(core->tree, np, path, sizeof(path));
	if (set_map) {
		free(dev->dma_range_map);
		dev->bus_dma_limit = cfg.bus_dma_limit;
		dev->dma_range_map = cfg.map;
		dev->nr_dma_range = cfg.nr_map;
		cfg.map = NULL;
	}
	ims_dev_decide(
		dev, "of_dma_configure_id",
		"np %s: of_dma_get_range %d (%s), %d range(s), bus_dma_limit 0x%llx, "
		"coherent_dma_mask 0x%llx, dma_mask 0x%llx, %s",
		path, cfg.range_err, ims_errname(cfg.range_err), set_map ? dev->nr_dma_range : 0,
		(unsigned long long)dev->bus_dma_limit, (unsigned long long)dev->coherent_dma_mask,
		(unsigned long long)dev->dma_mask, cfg.coherent ? "dma-coherent" : "non-coherent");
	ims_dev_logf(dev, IMS_LOG_DEBUG, "device is%sdma coherent", cfg.coherent ? " " : " not ");
	ret = core->hooks.of_iommu_configure ? core->hooks.of_iommu_configure(dev, np, id)
					     : -ENODEV;
	if (ret == -EPROBE_DEFER) {
		if (set_map) {
			free(dev->dma_range_map);
			dev->dma_range_map = NULL;
			dev->nr_dma_range = 0;
		}
		ims_dev_decide(dev, "of_dma_configure_id",
			       "of_iommu_configure deferred: dma_range_map dropped, masks stay");
		return -EPROBE_DEFER;
	}
	ims_dev_logf(dev, IMS_LOG_DEBUG, "device is%sbehind an iommu", !ret ? " " : " not ");
	/* arch_setup_dma_ops() on arm64: only the coherency. */
	dev->dma_coherent = cfg.coherent;
	return 0;
}
