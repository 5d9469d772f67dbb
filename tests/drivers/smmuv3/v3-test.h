/* SPDX-License-Identifier: MIT */
/*
 * Machine bring-up by hand for the arm-smmu-v3 driver tests (the machine
 * layer is not used): tree → memory and RAM → SMMUv3 model at the node's reg
 * with its interrupt outputs routed to the driver core → driver core with the
 * address space → IOMMU core → drivers → of_platform_populate → late initcall.
 */
#ifndef IMS_TESTS_V3_TEST_H
#define IMS_TESTS_V3_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <iommusim/bus.h>
#include <iommusim/drivers.h>
#include <iommusim/hw.h>
#include <iommusim/iommu.h>
#include <iommusim/of.h>
#include <iommusim/smmu.h>
#include <iommusim/smmuv3.h>

#include "../../tap.h"
#include "drivers/arm-smmu-v3/arm-smmu-v3.h"

#define V3_RAM_BASE 0x40000000ull
#define V3_RAM_SIZE (512ull << 20)

struct v3_log {
	char text[1 << 17];
};

struct v3board {
	struct ims_of_tree *t;
	struct ims_mem *mem;
	struct ims_smmuv3 *model;
	struct ims_devcore *dc;
	struct ims_iommu_core *ic;
	int smmu_node;
	struct v3_log log;
};

__attribute__((unused)) static void v3_log_fn(void *ctx, enum ims_log_level level, const char *msg)
{
	struct v3_log *l = ctx;
	size_t n = strlen(l->text);

	if (n + strlen(msg) + 8 < sizeof(l->text))
		snprintf(l->text + n, sizeof(l->text) - n, "<%d>%s\n", (int)level, msg);
}

/* The model's interrupt outputs, wired as the machine layer would. */
__attribute__((unused)) static void v3_irq(void *opaque, enum ims_smmuv3_irq line)
{
	static const char *const names[] = { "eventq", "priq", "cmdq-sync", "gerror" };
	struct v3board *b = opaque;
	int idx;

	if (!b->dc)
		return;
	idx = ims_irq_index_byname(b->t, b->smmu_node, "combined");
	if (idx < 0)
		idx = ims_irq_index_byname(b->t, b->smmu_node, names[line]);
	if (idx >= 0)
		ims_raise_irq(b->dc, b->smmu_node, idx);
}

static struct ims_of_tree *v3_load_dts(const char *dts)
{
	char path[] = "/tmp/ims-v3-test-XXXXXX.dts";
	struct ims_of_tree *t = NULL;
	int fd = mkstemps(path, 4);
	FILE *f;

	if (fd < 0) {
		printf("Bail out! mkstemps\n");
		exit(1);
	}
	f = fdopen(fd, "w");
	fputs(dts, f);
	fclose(f);
	if (ims_of_tree_load(&t, path, NULL, 0)) {
		printf("Bail out! cannot load dts: %s\n", ims_last_error());
		unlink(path);
		exit(1);
	}
	unlink(path);
	return t;
}

/*
 * Bring a board up from @dts (its SMMU is the first "arm,smmu-v3" node) with
 * the model parameters @p (NULL: the QEMU virt preset) and IOMMU options @io.
 * @pre, if not NULL, runs once the model exists and before any driver
 * (state firmware left behind).
 */
__attribute__((unused)) static void v3_up_full(struct v3board *b, const char *dts,
					       const struct ims_smmuv3_params *p,
					       const struct ims_iommu_opts *io,
					       void (*pre)(struct v3board *b))
{
	struct ims_log log = { v3_log_fn, &b->log, IMS_LOG_DEBUG };
	struct ims_smmuv3_params params;
	uint64_t addr = 0, size = 0;

	memset(b, 0, sizeof(*b));
	b->t = v3_load_dts(dts);
	if (p)
		params = *p;
	else
		ims_smmuv3_params_qemu_virt(&params);
	params.irq = v3_irq;
	params.irq_opaque = b;
	b->smmu_node = IMS_OF_NONE;
	for (int i = 0; i < ims_of_nr_nodes(b->t); i++) {
		int n = ims_of_node_by_index(b->t, i);

		if (ims_of_device_is_compatible(b->t, n, "arm,smmu-v3")) {
			b->smmu_node = n;
			break;
		}
	}
	if (ims_mem_new(&b->mem, NULL) || ims_mem_add_ram(b->mem, V3_RAM_BASE, V3_RAM_SIZE) ||
	    b->smmu_node == IMS_OF_NONE ||
	    ims_of_get_address(b->t, b->smmu_node, 0, &addr, &size) ||
	    ims_smmuv3_new(&b->model, b->mem, addr, &params, NULL)) {
		printf("Bail out! machine setup\n");
		exit(1);
	}
	if (pre)
		pre(b);
	if (ims_devcore_new(&b->dc, b->t, NULL, &log) || ims_iommu_core_new(&b->ic, b->dc, io)) {
		printf("Bail out! cores\n");
		exit(1);
	}
	ims_devcore_set_mem(b->dc, b->mem);
	ims_arm_smmu_v3_register(b->dc);
	ims_driver_register(b->dc, ims_pci_host_driver());
	ims_driver_register(b->dc, ims_client_driver(IMS_BUS_PLATFORM));
	ims_driver_register(b->dc, ims_client_driver(IMS_BUS_PCI));
	ims_of_platform_populate(b->dc);
	ims_devcore_late_initcall(b->dc);
}

__attribute__((unused)) static void v3_up_opts(struct v3board *b, const char *dts,
					       const struct ims_smmuv3_params *p,
					       const struct ims_iommu_opts *io)
{
	v3_up_full(b, dts, p, io, NULL);
}

__attribute__((unused)) static void v3_up(struct v3board *b, const char *dts,
					  const struct ims_smmuv3_params *p)
{
	v3_up_opts(b, dts, p, NULL);
}

__attribute__((unused)) static void v3_down(struct v3board *b)
{
	ims_devcore_free(b->dc);
	ims_iommu_core_free(b->ic);
	ims_smmuv3_free(b->model);
	ims_mem_free(b->mem);
	ims_of_tree_free(b->t);
	memset(b, 0, sizeof(*b));
}

/* The SMMU instance the driver bound. */
__attribute__((unused)) static struct arm_smmu_device *v3_smmu(struct v3board *b)
{
	return arm_smmu_from_dev(ims_devcore_find_by_node(b->dc, b->smmu_node));
}

__attribute__((unused)) static uint32_t v3_reg(struct v3board *b, uint64_t off)
{
	uint64_t addr = 0, size = 0, v = 0;

	ims_of_get_address(b->t, b->smmu_node, 0, &addr, &size);
	ims_mmio_read(b->mem, addr + off, 4, &v);
	return (uint32_t)v;
}

/* Read the 8 qwords of the STE of @sid from simulated memory (zeros when absent). */
__attribute__((unused)) static void v3_read_ste(struct v3board *b, uint32_t sid, uint64_t ste[8])
{
	uint64_t pa = arm_smmu_ste_pa(v3_smmu(b), sid);

	for (int i = 0; i < 8; i++) {
		ste[i] = 0;
		if (pa)
			ims_mem_read64(b->mem, pa + 8ull * i, &ste[i]);
	}
}

__attribute__((unused)) static struct arm_smmu_master *v3_master(struct ims_device *d)
{
	return d && d->iommu ? d->iommu->priv : NULL;
}

__attribute__((unused)) static void v3_read_cd0(struct v3board *b, struct ims_device *d,
						uint64_t cd[8])
{
	struct arm_smmu_master *m = v3_master(d);
	uint64_t pa = m ? arm_smmu_cd0_pa(m) : 0;

	for (int i = 0; i < 8; i++) {
		cd[i] = 0;
		if (pa)
			ims_mem_read64(b->mem, pa + 8ull * i, &cd[i]);
	}
}

/* Does any decision recorded for @d contain @needle? */
__attribute__((unused)) static bool v3_decided(const struct ims_device *d, const char *needle)
{
	for (int i = 0; d && i < d->nr_decisions; i++)
		if (strstr(d->decisions[i].text, needle))
			return true;
	return false;
}

/* Translate one read of @iova by @sid through the model. */
__attribute__((unused)) static struct ims_txn_result v3_xlate(struct v3board *b, uint32_t sid,
							      uint64_t iova)
{
	struct ims_txn txn = { .sid = sid, .addr = iova, .size = 4, .access = IMS_VMSA_READ };
	struct ims_txn_result res;

	memset(&res, 0, sizeof(res));
	ims_smmuv3_translate(b->model, &txn, &res);
	return res;
}

/* The @back-th most recent command in the cmdq (1 = the last one written). */
__attribute__((unused)) static void v3_cmd_back(struct v3board *b, unsigned int back,
						uint64_t cmd[2])
{
	struct arm_smmu_device *smmu = v3_smmu(b);
	uint32_t n = 1u << smmu->cmdq.max_n_shift;
	uint32_t idx = (smmu->cmdq.prod - back) & (n - 1);

	ims_mem_read64(b->mem, smmu->cmdq.base_dma + 16ull * idx, &cmd[0]);
	ims_mem_read64(b->mem, smmu->cmdq.base_dma + 16ull * idx + 8, &cmd[1]);
}

/* The root of a board: RAM, an SMMUv3 at 0x9050000 and @extra nodes. */
#define V3_DTS_HEAD                                                                                \
	"/dts-v1/;\n/ {\n #address-cells = <2>;\n #size-cells = <2>;\n"                            \
	" memory@40000000 { device_type = \"memory\"; reg = <0x0 0x40000000 0x0 0x20000000>; };\n"
#define V3_SMMU_NODE                                                                               \
	" smmu: iommu@9050000 {\n  compatible = \"arm,smmu-v3\";\n"                                \
	"  reg = <0x0 0x9050000 0x0 0x20000>;\n"                                                   \
	"  interrupts = <0 74 1>, <0 75 1>, <0 76 1>, <0 77 1>;\n"                                 \
	"  interrupt-names = \"eventq\", \"priq\", \"cmdq-sync\", \"gerror\";\n"                   \
	"  dma-coherent;\n  #iommu-cells = <1>;\n };\n"

#endif
