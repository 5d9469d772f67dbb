/* SPDX-License-Identifier: MIT */
/* The machine's internals, shared by machine.c, memory.c and smmu.c. */
#ifndef IMS_MACHINE_PRIVATE_H
#define IMS_MACHINE_PRIVATE_H

#include <pthread.h>

#include <iommusim/machine.h>

struct ims_machine {
	struct ims_machine_opts opts;
	struct ims_log log; /* the sink every layer logs to: klog + opts.log */
	struct ims_of_tree *tree;
	struct ims_mem *mem;
	struct ims_devcore *dc;
	struct ims_iommu_core *ic;
	struct ims_machine_smmu *smmus[IMS_MACHINE_MAX_SMMUS];
	int nr_smmus;
	bool booted;

	pthread_mutex_t klog_lock;
	struct ims_klog_entry *klog;
	int nr_klog, cap_klog;
};

/* memory.c: /memory, /reserved-memory and /memreserve/ into the address space. */
int ims_machine_setup_memory(struct ims_machine *m);

/* smmu.c: an SMMU model per available SMMU node, interrupts wired. */
int ims_machine_create_smmus(struct ims_machine *m);
void ims_machine_destroy_smmus(struct ims_machine *m);

/* Read a property of one or two cells (#address-cells/#size-cells sized values). */
uint64_t ims_machine_read_cells(const void *p, int cells);

#endif
