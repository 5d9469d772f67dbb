/* SPDX-License-Identifier: MIT */
/*
 * really_probe(), deferred probe and its trigger, driver_deferred_probe_check_state()
 * with modules on/off and the timeout, probe error paths, unbind/rebind and removal.
 */
#include "bus-test.h"

struct state {
	bool supplier_up;
	int consumer_probes, consumer_ret;
	int fail_probes;
	int configure_calls;
	char order[512];
};
static struct state st;

static const char *const supplier_compat[] = { "test,uart", NULL };
static const char *const consumer_compat[] = { "test,dma", NULL };

static int supplier_probe(struct ims_device *dev)
{
	st.supplier_up = true;
	return 0;
}

static void supplier_remove(struct ims_device *dev)
{
	st.supplier_up = false;
}

static int consumer_probe(struct ims_device *dev)
{
	st.consumer_probes++;
	if (st.supplier_up)
		return 0;
	st.consumer_ret = ims_driver_deferred_probe_check_state(dev);
	return st.consumer_ret == -EPROBE_DEFER ? -EPROBE_DEFER : 0;
}

static int failing_probe(struct ims_device *dev)
{
	st.fail_probes++;
	return -EIO;
}

static const struct ims_driver supplier_drv = { .name = "supplier",
						.bus = IMS_BUS_PLATFORM,
						.of_match = supplier_compat,
						.probe = supplier_probe,
						.remove = supplier_remove };
static const struct ims_driver consumer_drv = { .name = "consumer",
						.bus = IMS_BUS_PLATFORM,
						.of_match = consumer_compat,
						.probe = consumer_probe };
static const struct ims_driver failing_drv = { .name = "failing",
					       .bus = IMS_BUS_PLATFORM,
					       .of_match = consumer_compat,
					       .probe = failing_probe };

static int iommu_configure_hook(struct ims_device *dev, int np, const uint32_t *id)
{
	if (strcmp(dev->name, "3000.dma"))
		return -ENODEV;
	st.configure_calls++;
	return st.supplier_up ? -ENODEV : -EPROBE_DEFER;
}

static struct ims_devcore *mk(struct ims_of_tree *t, const struct ims_devcore_opts *o,
			      struct captured_log *c)
{
	struct ims_devcore *core;
	struct ims_log log = { capture_fn, c, IMS_LOG_DEBUG };

	memset(&st, 0, sizeof(st));
	if (c)
		capture_reset(c);
	if (ims_devcore_new(&core, t, o, c ? &log : NULL)) {
		printf("Bail out! devcore_new\n");
		exit(1);
	}
	return core;
}

int main(void)
{
	struct ims_of_tree *t = load_tree(FIXTURE_DIR "/topo.dtb");
	static struct captured_log c;
	struct ims_devcore_opts o = { .deferred_probe_timeout = -1 };
	struct ims_devcore *core;
	struct ims_device *dma, *uart;

	/* 1. The consumer defers until the supplier binds; retried only after late_initcall. */
	core = mk(t, &o, &c);
	ims_driver_register(core, &consumer_drv);
	ims_of_platform_populate(core);
	dma = dev_named(core, "3000.dma");
	is_int(dma->probe_err, -EPROBE_DEFER, "consumer deferred");
	ok(dma->deferred && ims_devcore_nr_deferred(core) == 1, "on the deferred list");
	ok(ims_dev_has_msg(dma, "Added to deferred list"), "dev_dbg Added to deferred list");
	ims_driver_register(core, &supplier_drv);
	is_int(st.consumer_probes, 1, "no retry before deferred probe is enabled (initcalls)");
	ims_devcore_late_initcall(core);
	ok(dma->driver == &consumer_drv && !dma->deferred, "retried at late_initcall and bound");
	is_int(st.consumer_probes, 2, "probed twice in all");
	ims_devcore_free(core);

	/* 2. After initcalls a binding driver triggers the deferred list at once. */
	core = mk(t, &o, &c);
	ims_driver_register(core, &consumer_drv);
	ims_of_platform_populate(core);
	ims_devcore_late_initcall(core);
	dma = dev_named(core, "3000.dma");
	ok(dma->deferred, "modules on: still deferred after initcalls (timeout 10 s pending)");
	ims_driver_register(core, &supplier_drv); /* a module loads */
	ok(dma->driver == &consumer_drv, "the supplier binding triggers the deferred probe");
	ims_devcore_free(core);

	/* 3. The timeout fires: -ETIMEDOUT, carry on. */
	core = mk(t, &o, &c);
	ims_driver_register(core, &consumer_drv);
	ims_of_platform_populate(core);
	ims_devcore_late_initcall(core);
	dma = dev_named(core, "3000.dma");
	ims_devcore_deferred_probe_timeout(core);
	is_int(st.consumer_ret, -ETIMEDOUT,
	       "timeout: driver_deferred_probe_check_state -ETIMEDOUT");
	ok(ims_dev_has_msg(dma, "deferred probe timeout, ignoring dependency"), "warns");
	ok(dma->driver == &consumer_drv && !ims_devcore_nr_deferred(core), "bound without it");
	ims_devcore_free(core);

	/* 4. CONFIG_MODULES=n: at late_initcall the dependency is ignored (-ENODEV). */
	o.no_modules = true;
	core = mk(t, &o, &c);
	ims_driver_register(core, &consumer_drv);
	ims_of_platform_populate(core);
	ims_devcore_late_initcall(core);
	dma = dev_named(core, "3000.dma");
	is_int(st.consumer_ret, -ENODEV, "no modules: -ENODEV after initcalls");
	ok(ims_dev_has_msg(dma, "ignoring dependency for device, assuming no driver"), "warns");
	ok(dma->driver == &consumer_drv, "bound");
	ims_devcore_free(core);
	o.no_modules = false;

	/* 5. timeout 0 with modules: -ETIMEDOUT at late_initcall. */
	o.deferred_probe_timeout = 0;
	core = mk(t, &o, &c);
	ims_driver_register(core, &consumer_drv);
	ims_of_platform_populate(core);
	ims_devcore_late_initcall(core);
	is_int(st.consumer_ret, -ETIMEDOUT,
	       "deferred_probe_timeout=0: -ETIMEDOUT at late_initcall");
	ims_devcore_free(core);
	o.deferred_probe_timeout = -1;

	/* 6. dma_configure runs before probe; its -EPROBE_DEFER keeps probe from running. */
	core = mk(t, &o, &c);
	{
		struct ims_dma_hooks h = { .of_iommu_configure = iommu_configure_hook };

		ims_devcore_set_dma_hooks(core, &h);
	}
	ims_driver_register(core, &consumer_drv);
	ims_of_platform_populate(core);
	dma = dev_named(core, "3000.dma");
	is_int(st.configure_calls > 0, 1, "dma_configure ran");
	is_int(st.consumer_probes, 0, "a deferred dma_configure never calls probe");
	ok(dma->deferred && !dma->driver, "deferred, driver cleared");
	ok(dma->dma_range_map == NULL, "no map left after the defer");
	ims_driver_register(core, &supplier_drv);
	ims_devcore_late_initcall(core);
	ok(dma->driver == &consumer_drv && st.consumer_probes == 1,
	   "bound once the hook stops deferring");
	ims_devcore_free(core);

	/* 7. A failing probe (positive return) lets the next driver try; error logged. */
	core = mk(t, &o, &c);
	st.supplier_up = true;
	ims_driver_register(core, &failing_drv);
	ims_driver_register(core, &supplier_drv);
	ims_driver_register(core, &consumer_drv);
	ims_of_platform_populate(core);
	dma = dev_named(core, "3000.dma");
	is_int(st.fail_probes, 1, "the failing driver probed first");
	ok(dma->driver == &consumer_drv, "the next matching driver bound");
	ok(strstr(c.text, "probe of 3000.dma failed with error -5") != NULL, "failure logged");

	/* 8. Unbind and rebind; unregister. */
	uart = dev_named(core, "f0000100.uart");
	ims_device_release_driver(uart);
	ok(!uart->driver && !st.supplier_up, "unbind runs remove");
	is_int(ims_device_attach(uart), 1, "rebind");
	ok(st.supplier_up, "probe ran again");
	ims_driver_unregister(core, &supplier_drv);
	ok(!uart->driver, "driver_unregister unbinds");
	{
		int before = ims_devcore_nr_devices(core);

		ims_device_unregister(dev_named(core, "soc"));
		is_int(ims_devcore_nr_devices(core), before - 6,
		       "removing a bus removes its children");
		ok(!ims_devcore_find_device(core, "f0008000.sub:foo"), "grandchild gone");
	}
	ims_devcore_free(core);
	ims_of_tree_free(t);
	return tap_done();
}
