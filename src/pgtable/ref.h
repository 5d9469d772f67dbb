/* SPDX-License-Identifier: MIT */
/*
 * An independent reference model of ARM_64_LPAE 4K-granule map/unmap
 * semantics over the low 4 GiB of IOVA, kept as flat per-level state
 * arrays rather than tables.  Used by the fuzz entry point and the
 * differential tests; internal to the module (tests link it directly).
 */
#ifndef IMS_PGTABLE_REF_H
#define IMS_PGTABLE_REF_H

#include <stddef.h>
#include <stdint.h>

#define IMS_REF_L1 4u /* 1 GiB entries below 4 GiB */
#define IMS_REF_L2 (IMS_REF_L1 * 512u)
#define IMS_REF_L3 (IMS_REF_L2 * 512u)
#define IMS_REF_SPAN (1ULL << 32)

enum { REF_EMPTY, REF_BLOCK, REF_TABLE };

struct ims_pgtable_ref {
	uint8_t l1[IMS_REF_L1];
	uint64_t l1pa[IMS_REF_L1];
	uint8_t l2[IMS_REF_L2];
	uint64_t l2pa[IMS_REF_L2];
	uint32_t *l3; /* pfn + 1 per 4K page; 0 = invalid */
	/* Expected callback counts. */
	uint64_t add_pages;
	uint64_t flush_walks;
};

int ims_pgtable_ref_init(struct ims_pgtable_ref *ref);
void ims_pgtable_ref_fini(struct ims_pgtable_ref *ref);
/* Map as map_pages() would: 0/-EEXIST, *mapped += bytes. size: 4K, 2M or 1G. */
int ims_pgtable_ref_map(struct ims_pgtable_ref *ref, uint64_t iova, uint64_t pa, uint64_t size,
			uint64_t count, size_t *mapped);
/* Unmap as unmap_pages() would; returns the bytes unmapped. */
uint64_t ims_pgtable_ref_unmap(struct ims_pgtable_ref *ref, uint64_t iova, uint64_t size,
			       uint64_t count);
/* The physical address of @iova, or 0. */
uint64_t ims_pgtable_ref_lookup(const struct ims_pgtable_ref *ref, uint64_t iova);
/* Whether the 2M region @idx2 is a table (so every page must be checked). */
int ims_pgtable_ref_l2_state(const struct ims_pgtable_ref *ref, unsigned int idx2);

#endif
