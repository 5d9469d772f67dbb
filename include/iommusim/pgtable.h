/* SPDX-License-Identifier: MIT */
/*
 * io-pgtable: the Arm LPAE (VMSAv8-64) stage-1 and stage-2 page-table
 * formats, with the behaviour of Linux 6.12's drivers/iommu/io-pgtable-arm.c
 * and include/linux/io-pgtable.h.
 *
 * The module knows nothing of SMMUs, drivers or device trees.  Tables live
 * wherever the caller's allocator puts them (host memory, or simulated RAM
 * so that an SMMU model can walk them); the format reaches memory only
 * through struct ims_pgtable_mem_ops.  Descriptor layouts follow Arm ARM
 * (DDI 0487) D8.3 "Translation table descriptor formats".
 */
#ifndef IOMMUSIM_PGTABLE_H
#define IOMMUSIM_PGTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <iommusim/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Mapping permissions and attributes: include/linux/iommu.h values. */
#define IMS_IOMMU_READ (1 << 0)
#define IMS_IOMMU_WRITE (1 << 1)
#define IMS_IOMMU_CACHE (1 << 2)  /* DMA cache coherency */
#define IMS_IOMMU_NOEXEC (1 << 3) /* execute-never */
#define IMS_IOMMU_MMIO (1 << 4)	  /* e.g. things like MSI doorbells */
#define IMS_IOMMU_PRIV (1 << 5)	  /* privileged accesses only */

/* io_pgtable_cfg quirks: include/linux/io-pgtable.h values (6.12). */
#define IMS_IO_PGTABLE_QUIRK_ARM_NS (1UL << 0)
#define IMS_IO_PGTABLE_QUIRK_NO_PERMS (1UL << 1)
#define IMS_IO_PGTABLE_QUIRK_ARM_MTK_EXT (1UL << 3)
#define IMS_IO_PGTABLE_QUIRK_ARM_MTK_TTBR_EXT (1UL << 4)
#define IMS_IO_PGTABLE_QUIRK_ARM_TTBR1 (1UL << 5)
#define IMS_IO_PGTABLE_QUIRK_ARM_OUTER_WBWA (1UL << 6)
#define IMS_IO_PGTABLE_QUIRK_ARM_HD (1UL << 7)

/* The io_pgtable_cfg register-field encodings (include/linux/io-pgtable.h). */
#define IMS_ARM_LPAE_TCR_TG0_4K 0
#define IMS_ARM_LPAE_TCR_TG0_64K 1
#define IMS_ARM_LPAE_TCR_TG0_16K 2
#define IMS_ARM_LPAE_TCR_TG1_16K 1
#define IMS_ARM_LPAE_TCR_TG1_4K 2
#define IMS_ARM_LPAE_TCR_TG1_64K 3
#define IMS_ARM_LPAE_TCR_SH_NS 0
#define IMS_ARM_LPAE_TCR_SH_OS 2
#define IMS_ARM_LPAE_TCR_SH_IS 3
#define IMS_ARM_LPAE_TCR_RGN_NC 0
#define IMS_ARM_LPAE_TCR_RGN_WBWA 1
#define IMS_ARM_LPAE_TCR_RGN_WT 2
#define IMS_ARM_LPAE_TCR_RGN_WB 3
#define IMS_ARM_LPAE_TCR_PS_32_BIT 0
#define IMS_ARM_LPAE_TCR_PS_36_BIT 1
#define IMS_ARM_LPAE_TCR_PS_40_BIT 2
#define IMS_ARM_LPAE_TCR_PS_42_BIT 3
#define IMS_ARM_LPAE_TCR_PS_44_BIT 4
#define IMS_ARM_LPAE_TCR_PS_48_BIT 5
#define IMS_ARM_LPAE_TCR_PS_52_BIT 6

/* MAIR attribute indices the stage-1 format uses (AttrIndx in the PTE). */
#define IMS_ARM_LPAE_MAIR_ATTR_IDX_NC 0
#define IMS_ARM_LPAE_MAIR_ATTR_IDX_CACHE 1
#define IMS_ARM_LPAE_MAIR_ATTR_IDX_DEV 2
#define IMS_ARM_LPAE_MAIR_ATTR_IDX_INC_OCACHE 3

/** enum ims_io_pgtable_fmt - the page-table formats (enum io_pgtable_fmt). */
enum ims_io_pgtable_fmt {
	IMS_ARM_64_LPAE_S1,
	IMS_ARM_64_LPAE_S2,
	IMS_IO_PGTABLE_NUM_FMTS,
};

/**
 * struct ims_iotlb_gather - a range of IOVA waiting for TLB invalidation
 * (struct iommu_iotlb_gather).
 * @start:    the lowest gathered iova (UINT64_MAX when empty).
 * @end:      the last gathered byte (0 when empty).
 * @pgsize:   the granule of the gathered pages (0 when empty).
 * @freelist: pages to free once the invalidation is done; owned by the
 *            caller.  io-pgtable-arm never adds to it (as in Linux 6.12,
 *            where it frees tables itself after tlb_flush_walk).
 * @queued:   the unmap is for a flush queue (non-strict mode): leaves are
 *            then not passed to tlb_add_page (iommu_iotlb_gather_queued()).
 */
struct ims_iotlb_gather {
	uint64_t start;
	uint64_t end;
	size_t pgsize;
	void *freelist;
	bool queued;
};

/** ims_iotlb_gather_init() - an empty gather (iommu_iotlb_gather_init()). */
static inline void ims_iotlb_gather_init(struct ims_iotlb_gather *gather)
{
	gather->start = UINT64_MAX;
	gather->end = 0;
	gather->pgsize = 0;
	gather->freelist = NULL;
	gather->queued = false;
}

/**
 * ims_iotlb_gather_add_range() - widen @gather to cover [@iova, @iova + @size)
 * (iommu_iotlb_gather_add_range()).
 */
static inline void ims_iotlb_gather_add_range(struct ims_iotlb_gather *gather, uint64_t iova,
					      size_t size)
{
	uint64_t end = iova + size - 1;

	if (gather->start > iova)
		gather->start = iova;
	if (gather->end < end)
		gather->end = end;
}

/**
 * ims_iotlb_gather_is_disjoint() - whether [@iova, @iova + @size) neither
 * overlaps nor touches the gathered range (iommu_iotlb_gather_is_disjoint()).
 */
static inline bool ims_iotlb_gather_is_disjoint(const struct ims_iotlb_gather *gather,
						uint64_t iova, size_t size)
{
	uint64_t start = iova, end = iova + size - 1;

	return gather->end != 0 && (end + 1 < gather->start || start > gather->end + 1);
}

/**
 * struct ims_iommu_flush_ops - TLB maintenance the format asks of the driver
 * (struct iommu_flush_ops).  Any member may be NULL.
 * @tlb_flush_all:  invalidate everything for the context.
 * @tlb_flush_walk: invalidate [@iova, @iova + @size), including cached
 *                  intermediate walks, before tables there are freed.
 * @tlb_add_page:   queue the invalidation of one leaf of @granule bytes.
 */
struct ims_iommu_flush_ops {
	void (*tlb_flush_all)(void *cookie);
	void (*tlb_flush_walk)(uint64_t iova, size_t size, size_t granule, void *cookie);
	void (*tlb_add_page)(struct ims_iotlb_gather *gather, uint64_t iova, size_t granule,
			     void *cookie);
};

/**
 * struct ims_pgtable_mem_ops - where tables live.
 * @alloc: allocate @size bytes (a power of two, at least the granule),
 *         aligned to @size and zeroed; return 0 with the physical address
 *         in *@pa (written into descriptors) and a host pointer in *@va (used
 *         to read and write descriptors), or a negative code.  The
 *         difference va - pa must be the same for every allocation of one
 *         table (a linear map, as the kernel's __va()); physical addresses
 *         must fit in 48 bits.
 * @free:  give back an allocation of @size bytes.
 *
 * Only a coherent table walk is modelled: there is no cache maintenance.
 */
struct ims_pgtable_mem_ops {
	int (*alloc)(void *cookie, size_t size, uint64_t *pa, void **va);
	void (*free)(void *cookie, uint64_t pa, void *va, size_t size);
};

/**
 * struct ims_arm_lpae_tcr - the TCR fields io-pgtable-arm computes (the
 * kernel's cfg->arm_lpae_s1_cfg.tcr / arm_lpae_s2_cfg.vtcr).
 * @sh, @irgn, @orgn: IMS_ARM_LPAE_TCR_SH_* and _RGN_* (table walk attributes).
 * @tg:   IMS_ARM_LPAE_TCR_TG0_* (or TG1_* with QUIRK_ARM_TTBR1).
 * @ips:  stage 1: IMS_ARM_LPAE_TCR_PS_* of oas.  Stage 2: PS.
 * @tsz:  T0SZ = 64 - ias.
 * @sl:   stage 2 only: SL0.
 */
struct ims_arm_lpae_tcr {
	uint8_t sh, irgn, orgn, tg, ips, tsz, sl;
};

/**
 * struct ims_io_pgtable_cfg - a page-table configuration (struct io_pgtable_cfg).
 * @quirks:        IMS_IO_PGTABLE_QUIRK_*; S1 accepts ARM_NS, ARM_TTBR1,
 *                 ARM_OUTER_WBWA and ARM_HD; S2 accepts none.
 * @pgsize_bitmap: page and block sizes the IOMMU supports; restricted on
 *                 allocation to one granule's sizes.
 * @ias:           input address bits; clamped to 48 (52 with 64K).
 * @oas:           output address bits; clamped likewise; must then be one
 *                 of 32, 36, 40, 42, 44, 48, 52.
 * @coherent_walk: the walker snoops CPU caches.  Only true is modelled
 *                 faithfully (no cache maintenance is done either way); it
 *                 selects the TCR walk attributes.
 * @cpu_page_size: the kernel's PAGE_SIZE used to pick the granule; 0 = 4K.
 * @tlb:           flush callbacks (may be NULL); they get the cookie given
 *                 to ims_pgtable_alloc_ops().
 * @mem:           the table allocator (required).
 * @mem_cookie:    passed to @mem.
 * @log:           log sink for the kernel's WARNs (may be NULL).
 * @s1:            out (stage 1): @s1.ttbr the pgd address; @s1.tcr the
 *                 fields; @s1.tcr_val those fields composed as an AArch64
 *                 TCR_ELx value (T0SZ, EPD0, IRGN0, ORGN0, SH0, TG0, EPD1,
 *                 IPS; moved to the TTBR1 half with QUIRK_ARM_TTBR1, as
 *                 arm_smmu_lpae_tcr() does); @s1.mair the MAIR value.
 * @s2:            out (stage 2): @s2.vttbr; @s2.vtcr the fields; @s2.vtcr_val
 *                 those composed as VTCR_EL2 (T0SZ, SL0, IRGN0, ORGN0, SH0,
 *                 TG0, PS, RES1 bit 31).
 */
struct ims_io_pgtable_cfg {
	unsigned long quirks;
	uint64_t pgsize_bitmap;
	unsigned int ias;
	unsigned int oas;
	bool coherent_walk;
	uint64_t cpu_page_size;
	const struct ims_iommu_flush_ops *tlb;
	const struct ims_pgtable_mem_ops *mem;
	void *mem_cookie;
	const struct ims_log *log;
	struct {
		uint64_t ttbr;
		struct ims_arm_lpae_tcr tcr;
		uint64_t tcr_val;
		uint64_t mair;
	} s1;
	struct {
		uint64_t vttbr;
		struct ims_arm_lpae_tcr vtcr;
		uint64_t vtcr_val;
	} s2;
};

/**
 * struct ims_io_pgtable_ops - what a format instance does (struct io_pgtable_ops).
 * @map_pages:    map @pgcount pages of @pgsize from @iova to @paddr with
 *                IMS_IOMMU_* @prot; at most one leaf table's worth per
 *                call (the caller loops, as iommu_map() does).  Adds the
 *                bytes mapped to *@mapped.  Return: 0; -EINVAL for a
 *                @pgsize not in the bitmap, for @prot without READ or
 *                WRITE, or when no level has a block of @pgsize; -ERANGE
 *                for an @iova beyond ias or @paddr beyond oas; -EEXIST
 *                over an existing leaf; -ENOMEM when a table cannot be
 *                allocated.  @gfp is accepted and ignored.
 * @unmap_pages:  unmap up to @pgcount pages of @pgsize at @iova (within one
 *                table); leaves go to tlb_add_page with @gather (which may
 *                be NULL); a block partly unmapped is split.  Return: the
 *                bytes unmapped, 0 when nothing is mapped there.
 * @iova_to_phys: the physical address @iova maps to, or 0.
 */
struct ims_io_pgtable_ops {
	int (*map_pages)(struct ims_io_pgtable_ops *ops, uint64_t iova, uint64_t paddr,
			 size_t pgsize, size_t pgcount, int prot, unsigned int gfp, size_t *mapped);
	size_t (*unmap_pages)(struct ims_io_pgtable_ops *ops, uint64_t iova, size_t pgsize,
			      size_t pgcount, struct ims_iotlb_gather *gather);
	uint64_t (*iova_to_phys)(struct ims_io_pgtable_ops *ops, uint64_t iova);
};

/**
 * struct ims_io_pgtable_info - the geometry a format chose.
 * @granule:        the translation granule in bytes.
 * @bits_per_level: granule shift - 3.
 * @levels:         levels walked (4 - @start_level).
 * @start_level:    the level of the pgd.
 * @pgd_bits:       index bits of the pgd (after stage-2 concatenation).
 * @pgd_size:       the pgd's size in bytes (8 << @pgd_bits).
 * @concat:         stage 2: tables concatenated at the start level (1 = none).
 * @pgd_pa:         the pgd's physical address.
 */
struct ims_io_pgtable_info {
	uint64_t granule;
	unsigned int bits_per_level;
	unsigned int levels;
	int start_level;
	unsigned int pgd_bits;
	uint64_t pgd_size;
	unsigned int concat;
	uint64_t pgd_pa;
};

/**
 * ims_pgtable_alloc_ops() - create a page table (alloc_io_pgtable_ops()).
 * @out:    the new instance's ops.
 * @fmt:    the format.
 * @cfg:    the configuration; the format restricts @cfg->pgsize_bitmap,
 *          @cfg->ias and @cfg->oas, and fills the register outputs.  The
 *          instance keeps its own copy; @cfg may go away afterwards.
 * @cookie: passed to the @cfg->tlb callbacks.
 *
 * Return: 0; -EINVAL for an unknown format, unsupported quirks, no usable
 * granule, or an unencodable oas (where Linux returns NULL); -ENOMEM when
 * the pgd cannot be allocated.
 */
IMS_EXPORT int ims_pgtable_alloc_ops(struct ims_io_pgtable_ops **out, enum ims_io_pgtable_fmt fmt,
				     struct ims_io_pgtable_cfg *cfg, void *cookie);

/**
 * ims_pgtable_free_ops() - tlb_flush_all, then free every table and the
 * instance (free_io_pgtable_ops()).  NULL is fine.
 */
IMS_EXPORT void ims_pgtable_free_ops(struct ims_io_pgtable_ops *ops);

/**
 * ims_pgtable_get_cfg() - the instance's configuration (after restriction,
 * with the register outputs).
 */
IMS_EXPORT const struct ims_io_pgtable_cfg *
ims_pgtable_get_cfg(const struct ims_io_pgtable_ops *ops);

/** ims_pgtable_get_info() - fill *@info with the instance's geometry. */
IMS_EXPORT void ims_pgtable_get_info(const struct ims_io_pgtable_ops *ops,
				     struct ims_io_pgtable_info *info);

/**
 * ims_pgtable_prot_to_pte() - the descriptor attribute bits a mapping with
 * IMS_IOMMU_* @prot gets (arm_lpae_prot_to_pte()), without type or address.
 */
IMS_EXPORT uint64_t ims_pgtable_prot_to_pte(const struct ims_io_pgtable_ops *ops, int prot);

/**
 * ims_pgtable_fuzz_one() - interpret @data as map/unmap operations on a
 * small 4K-granule table and check every result and translation against an
 * independent reference model.
 *
 * Return: 0 when everything agreed; -EFAULT at the first disagreement (the
 * message says which); -ENOMEM when memory ran out.
 */
IMS_EXPORT int ims_pgtable_fuzz_one(const uint8_t *data, size_t len);

#ifdef __cplusplus
}
#endif
#endif /* IOMMUSIM_PGTABLE_H */
