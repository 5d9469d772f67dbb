// SPDX-License-Identifier: MIT
/*
 * The boot sequence with a stand-in IOMMU driver (the tests/iommu mock) for
 * the MMU-500 of the Armada-8040 example: driver order, deferred probe, the
 * deferred-probe timeout, options reaching the layers, two machines at once.
 */
#include "../iommu/mock-iommu.h"
#include "machine-test.h"

static const char *const mmu500_compat[] = { "arm,mmu-500", NULL };
static const struct ims_driver mmu500_mock = {
	.name = "arm-smmu",
	.bus = IMS_BUS_PLATFORM,
	.of_match = mmu500_compat,
	.probe = mock_drv_probe,
	.remove = mock_drv_remove,
};

static int reg_mock(struct ims_machine *m, void *ctx)
{
	(void)ctx;
	return ims_driver_register(ims_machine_devcore(m), &mmu500_mock);
}

static struct ims_machine *armada(struct ims_machine_opts *o, bool with_mock, int *ret)
{
	const char *ov[] = { TOPO_DIR "/armada-8040-pcie.dtso" };
	struct ims_machine *m = NULL;

	o->no_smmu_drivers = true;
	o->register_drivers = with_mock ? reg_mock : NULL;
	*ret = ims_machine_new(&m, o);
	if (!*ret)
		*ret = ims_machine_load_board(m, BOARDS_DIR "/armada-8040.dts", ov, 1);
	if (!*ret)
		*ret = ims_machine_boot(m);
	return m;
}

static const char *dom(struct ims_machine *m, const char *name)
{
	struct ims_device *d = ims_machine_find_device(m, name);
	struct ims_iommu_domain *dm = d ? ims_iommu_get_domain_for_dev(d) : NULL;

	return dm ? ims_iommu_domain_type_name(dm->type) : "none";
}

static void test_order(bool late)
{
	struct ims_machine_opts o;
	struct ims_device *d;
	struct ims_machine *m;
	int ret;

	ims_machine_opts_init(&o);
	o.late_smmu_drivers = late;
	m = armada(&o, true, &ret);
	is_int(ret, 0, "armada boots (%s)", late ? "SMMU driver late" : "SMMU driver first");
	d = ims_machine_find_device(m, "f2500000.usb3");
	ok(d && d->driver && d->dma_ops == IMS_DMA_OPS_IOMMU, "usb3 bound with IOMMU DMA ops");
	ok(d && ims_dev_has_msg(d, "Added to deferred list") == late, "deferred probe %s",
	   late ? "happened" : "was not needed");
	is_int(ims_devcore_nr_deferred(ims_machine_devcore(m)), 0, "nothing left deferred");
	d = ims_machine_find_device(m, "0000:05:01.0");
	ok(d && d->iommu_group, "a PCI device behind the SMMU has a group");
	is_str(dom(m, "0000:05:01.0"), "DMA", "the arm64 default: DMA (strict)");
	ok(klog_has(m, "iommu: Default domain type: Translated"),
	   "iommu_subsys_init's message is in the kernel log");
	ok(ims_machine_klog_find(m, "Default domain type") <
		   ims_machine_klog_find(m, "PCI host bridge to bus"),
	   "kernel log in order: IOMMU core before PCI enumeration");
	ims_machine_free(m);
}

static void test_timeout(void)
{
	struct ims_machine_opts o;
	struct ims_device *d;
	struct ims_machine *m;
	int ret;

	/* No driver for the MMU-500: clients wait, then the timeout fires. */
	ims_machine_opts_init(&o);
	o.stop_at_late_initcall = true;
	m = armada(&o, false, &ret);
	is_int(ret, 0, "boot without an IOMMU driver, stopping at late_initcall");
	ok(ims_devcore_nr_deferred(ims_machine_devcore(m)) > 0, "clients are still deferred");
	d = ims_machine_find_device(m, "f2500000.usb3");
	ok(d && !d->driver && d->deferred, "usb3 waits for its IOMMU");
	ims_machine_free(m);

	ims_machine_opts_init(&o);
	m = armada(&o, false, &ret);
	is_int(ims_devcore_nr_deferred(ims_machine_devcore(m)), 0,
	       "by default the timeout fires: nothing stays deferred");
	d = ims_machine_find_device(m, "f2500000.usb3");
	ok(d && d->driver && d->dma_ops == IMS_DMA_OPS_DIRECT, "usb3 bound with dma-direct");
	ok(d && ims_dev_has_msg(d, "deferred probe timeout, ignoring dependency"),
	   "with the kernel's timeout message");
	ims_machine_free(m);
}

static void test_options(void)
{
	struct ims_machine_opts o;
	struct ims_machine *a, *b;
	int ret1, ret2;

	ims_machine_opts_init(&o);
	o.iommu.passthrough = 1;
	a = armada(&o, true, &ret1);
	ims_machine_opts_init(&o);
	o.iommu.strict = 0;
	b = armada(&o, true, &ret2);
	ok(!ret1 && !ret2, "two machines boot side by side");
	is_str(dom(a, "f2500000.usb3"), "IDENTITY", "iommu.passthrough=1: identity domain");
	ok(ims_machine_find_device(a, "f2500000.usb3")->dma_ops == IMS_DMA_OPS_DIRECT,
	   "and dma-direct");
	is_str(dom(b, "f2500000.usb3"), "DMA_FQ", "iommu.strict=0 in the other machine: DMA_FQ");
	ok(klog_has(a, "Passthrough") && !klog_has(b, "Passthrough"),
	   "each machine has its own kernel log");
	ims_machine_free(a);
	ims_machine_free(b);
}

int main(void)
{
	test_order(false);
	test_order(true);
	test_timeout();
	test_options();
	return tap_done();
}
