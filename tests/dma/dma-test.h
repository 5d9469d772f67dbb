/* SPDX-License-Identifier: MIT */
/* Shared helpers for the DMA tests: boot the example boards with dma-debug on. */
#ifndef IMS_TESTS_DMA_TEST_H
#define IMS_TESTS_DMA_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <iommusim/dma.h>
#include <iommusim/machine.h>

#include "../tap.h"

enum board { ARMADA, QEMU_VIRT };

static const char *const test_dma_compat[] = { "iommusim,test-dma", NULL };

static int test_dma_probe(struct ims_device *dev)
{
	(void)dev;
	return 0;
}

/* A driver for the iommusim,test-dma nodes (dma_configure runs at its probe). */
__attribute__((unused)) static const struct ims_driver test_dma_driver = {
	.name = "test-dma",
	.bus = IMS_BUS_PLATFORM,
	.of_match = test_dma_compat,
	.probe = test_dma_probe,
};

static int reg_test_driver(struct ims_machine *m, void *ctx)
{
	(void)ctx;
	return ims_driver_register(ims_machine_devcore(m), &test_dma_driver);
}

/* Boot @b with its topology overlay (plus @extra_overlay when not NULL). */
__attribute__((unused)) static struct ims_machine *
boot_board(enum board b, int strict, const char *extra_overlay, const struct ims_dma_opts *dopts)
{
	const char *ov[2] = { b == ARMADA ? TOPO_DIR "/armada-8040-pcie.dtso"
					  : TOPO_DIR "/qemu-virt-bridges.dtso",
			      extra_overlay };
	struct ims_dma_opts def = { .debug = true };
	struct ims_machine_opts o;
	struct ims_machine *m = NULL;
	int ret;

	ims_machine_opts_init(&o);
	o.iommu.strict = strict;
	o.register_drivers = reg_test_driver;
	ret = ims_machine_new(&m, &o);
	if (!ret)
		ret = ims_machine_load_board(m,
					     b == ARMADA ? BOARDS_DIR "/armada-8040.dts"
							 : BOARDS_DIR "/qemu-virt-smmuv3.dts",
					     ov, extra_overlay ? 2 : 1);
	if (!ret)
		ret = ims_machine_boot(m);
	if (!ret)
		ret = ims_dma_setup(ims_machine_devcore(m), dopts ? dopts : &def);
	if (ret) {
		printf("Bail out! boot failed: %d %s\n", ret, ims_last_error());
		exit(1);
	}
	return m;
}

/* The first PCI endpoint (not a bridge) on dma-iommu. */
__attribute__((unused)) static struct ims_device *first_iommu_pci(struct ims_machine *m)
{
	struct ims_devcore *dc = ims_machine_devcore(m);

	for (int i = 0; i < ims_devcore_nr_devices(dc); i++) {
		struct ims_device *d = ims_devcore_device(dc, i);

		if (d->pci && !d->pci->is_bridge && d->dma_ops == IMS_DMA_OPS_IOMMU)
			return d;
	}
	return NULL;
}

__attribute__((unused)) static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7 + (i >> 8));
}

#endif
