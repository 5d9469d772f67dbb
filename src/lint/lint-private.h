/* SPDX-License-Identifier: MIT */
/* lint internals shared by the check files. */
#ifndef IMS_LINT_PRIVATE_H
#define IMS_LINT_PRIVATE_H

#include <stdint.h>

#include <iommusim/lint.h>
#include <iommusim/machine.h>

/* What the lint knows of one IOMMU node. */
struct lint_iommu {
	int node;
	bool known;	   /* an SMMU the machine models */
	bool v3;	   /* arm-smmu-v3 (else arm-smmu / MMU-500) */
	bool available;	   /* of_device_is_available() */
	unsigned sid_bits; /* v3 IDR1.SIDSIZE; v2 NUMSIDB */
	bool st_2lvl;	   /* v3 2-level stream table */
	unsigned num_smrg; /* v2 NUMSMRG */
	uint32_t smm;	   /* v2 "stream-match-mask" (0 when absent) */
};

/* A StreamID claim: a range of StreamIDs some source reaches on one IOMMU. */
enum lint_src { LINT_SRC_RID, LINT_SRC_IOMMUS };

struct lint_claim {
	int iommu;	 /* IOMMU node */
	uint64_t lo, hi; /* StreamIDs (hull for a masked specifier) */
	enum lint_src src;
	int node;	   /* host bridge or client node */
	uint32_t rid_lo;   /* LINT_SRC_RID: the RID giving @lo */
	uint32_t id, mask; /* LINT_SRC_IOMMUS: the specifier */
};

/* A device of the booted machine by its node (lint_dev_by_node()). */
struct lint_devnode {
	int node, pos;
	struct ims_device *d;
};

struct lint {
	struct ims_lint_report *r;
	const struct ims_of_tree *t;
	struct ims_machine *m; /* NULL when not booted */
	struct ims_devcore *dc;
	int err;
	struct lint_iommu **iommus; /* each allocated alone: pointers stay valid */
	int nr_iommus;
	struct lint_claim *claims;
	int nr_claims, cap_claims;
	struct lint_devnode *by_node; /* sorted by (node, position in the driver core) */
	int nr_by_node;
	struct lint_devnode *by_host; /* PCI devices by (host bridge node, position) */
	int nr_by_host;
};

void lint_add(struct lint *l, const char *check, enum ims_lint_severity sev, int node,
	      const char *prop, const char *device, const char *fmt, ...) IMS_PRINTF(7, 8);
const struct lint_iommu *lint_iommu(struct lint *l, int node);
int lint_add_claim(struct lint *l, const struct lint_claim *c);
uint32_t lint_be32(const void *p);
char *lint_path(const struct lint *l, int node, char *buf, size_t len);
/* ims_devcore_find_by_node() in O(log n): the first device added for @node, or NULL. */
struct ims_device *lint_dev_by_node(const struct lint *l, int node);
/* The first of @v[0..@n) (sorted by node) with @node; @n when none. */
int lint_devnode_first(const struct lint_devnode *v, int n, int node);

/* of_map_id() without logging: 0 (R_MAPPED) with the target and id; 1 unmapped; 2 -EFAULT;
 * 3 dangling phandle; -1 no valid map. */
int lint_map_id(struct lint *l, int node, const char *name, const char *mask_name, uint32_t id,
		int *target, uint32_t *out);
#define LINT_MAPPED 0

/* The check groups, run in this order. */
void lint_maps(struct lint *l);
void lint_iommus_prop(struct lint *l);
void lint_claims(struct lint *l);
void lint_devices(struct lint *l);
void lint_dma(struct lint *l);

#endif
