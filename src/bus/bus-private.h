/* SPDX-License-Identifier: MIT */
/* Internal state of the driver core (src/bus). */
#ifndef IMS_BUS_PRIVATE_H
#define IMS_BUS_PRIVATE_H

#include <pthread.h>
#include "util/array.h"
#include <iommusim/bus.h>

/* Bounds on hostile input. */
#define IMS_BUS_MAX_DEVICES (1 << 20)
#define IMS_BUS_MAX_PCI_DEPTH 32

struct ims_irq_line {
	int node, index;
	ims_irq_handler_t handler;
	void *ctx;
};

struct ims_devcore {
	const struct ims_of_tree *tree;
	struct ims_mem *mem;

	/* the interrupt router */
	pthread_mutex_t irq_lock;
	struct ims_irq_line *irqs;
	int nr_irqs, cap_irqs;
	unsigned long irq_spurious;
	struct ims_log log;
	struct ims_devcore_opts opts;
	struct ims_dma_hooks hooks;

	/* the DMA layer's per-system state (ims_devcore_install_dma_ctx()) */
	void *dma_ctx;
	void (*dma_ctx_free)(void *ctx);
	void (*dma_unbound)(void *ctx, struct ims_device *dev);

	struct ims_device **devs;
	int nr_devs, cap_devs;
	int next_index;
	const struct ims_driver **drvs;
	int nr_drvs, cap_drvs;

	/* drivers/base/dd.c deferred probe */
	struct ims_device **pending;
	int nr_pending, cap_pending;
	bool deferred_probe_enable;
	bool initcalls_done;
	int deferred_probe_timeout;
	unsigned int deferred_trigger_count;
	bool trigger_pending;
	int depth;

	/* PCI */
	bool pci_acs_enable;
	struct ims_pci_host_bridge **bridges;
	int nr_bridges, cap_bridges;
	bool static_domains_reserved;
	int *used_domains;
	int nr_used_domains, cap_used_domains;
};

int ims_bus_device_add(struct ims_device *dev);
void ims_bus_device_init(struct ims_device *dev, struct ims_devcore *core, enum ims_bus_kind bus);
void ims_bus_device_free(struct ims_device *dev);
void ims_bus_enter(struct ims_devcore *core);
void ims_bus_leave(struct ims_devcore *core);

int ims_platform_dma_configure(struct ims_device *dev);
int ims_pci_dma_configure(struct ims_device *dev);
void ims_pci_dev_bound(struct ims_pci_dev *pdev);
void ims_pci_remove_children(struct ims_pci_dev *pdev);
void ims_pci_dev_release(struct ims_pci_dev *pdev);
void ims_pci_bridges_free(struct ims_devcore *core);
void ims_pci_dev_unbinding(struct ims_pci_dev *pdev);
void ims_pci_host_remove(struct ims_device *dev);

#endif
