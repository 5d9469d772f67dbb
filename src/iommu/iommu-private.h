/* SPDX-License-Identifier: MIT */
/* Internal state of the IOMMU core (src/iommu). */
#ifndef IMS_IOMMU_PRIVATE_H
#define IMS_IOMMU_PRIVATE_H

#include "util/array.h"
#include <iommusim/iommu.h>

struct ims_iommu_core {
	struct ims_devcore *dc;
	struct ims_iommu_opts opts;
	unsigned int def_domain_type;
	bool dma_strict;
	bool cmd_line_dma_api, cmd_line_strict;
	struct ims_iommu_device **iommus;
	int nr_iommus, cap_iommus;
	struct ims_iommu_group **groups; /* live groups, in creation order */
	int nr_groups, cap_groups;
	/* ida of group ids: a bitmap of ids in use; every id below ida_hint is in use. */
	uint64_t *group_ids;
	int nr_id_words, ida_hint;
	/* domain ops whose map_pages/unmap_pages only forward to a page table (iommu-fast.h) */
	struct {
		const struct ims_iommu_domain_ops *ops;
		size_t off; /* of the driver's io-pgtable ops pointer from the domain */
	} pgtbl_fwd[4];
	int nr_pgtbl_fwd;
};

int __ims_iommu_probe_device(struct ims_device *dev, struct ims_iommu_group ***group_list,
			     int *nr_list);
int ims_iommu_setup_default_domain(struct ims_iommu_group *group, unsigned int target_type);
void ims_iommu_setup_dma_ops(struct ims_device *dev);
const struct ims_iommu_ops *ims_dev_iommu_ops(const struct ims_device *dev);

#endif
