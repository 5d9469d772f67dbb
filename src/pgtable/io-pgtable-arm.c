// SPDX-License-Identifier: MIT
/*
 * The Arm LPAE (VMSAv8-64) page-table formats ARM_64_LPAE_S1 and
 * ARM_64_LPAE_S2, behaving as Linux 6.12's drivers/iommu/io-pgtable-arm.c.
 *
 * Descriptors: Arm ARM (DDI 0487) D8.3.  Stage-1 attributes D8.4.2, stage-2
 * D8.4.3 (MemAttr) and D8.5 (S2AP); concatenated stage-2 start tables D8.2.
 *
 * Concurrency: as in Linux, map and unmap may run at once on disjoint
 * ranges.  Every descriptor access is a C11 atomic; new tables are
 * installed with a compare-and-swap on the parent entry (the loser frees
 * its table and follows the winner's), and a block is split by swapping in
 * a prepared table.  Only a coherent walk is modelled: no cache maintenance.
 *
 * Differences from Linux, each deliberate:
 *  - max_entries at a concatenated stage-2 start level has the 6.12.19
 *    stable fix (idx & (ptes_per_table - 1)); plain 6.12 computed a
 *    negative count there and mapped nothing.
 *  - An ias no larger than the granule shift is rejected (-EINVAL); Linux
 *    computes a meaningless geometry.
 *  - WARN()s become warnings through the log sink.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "pgtable/io-pgtable.h"
#include "util/bitfield.h"
#include "util/log.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "descriptors are accessed in host order: a little-endian host is required"
#endif

#define ARM_LPAE_MAX_ADDR_BITS 52
#define ARM_LPAE_S2_MAX_CONCAT_PAGES 16
#define ARM_LPAE_MAX_LEVELS 4

#include "util/sizes.h"

/* Descriptor bits (DDI 0487 D8.3, D8.4). */
#define ARM_LPAE_PTE_TYPE_MASK GENMASK_ULL(1, 0)
#define ARM_LPAE_PTE_TYPE_BLOCK 1
#define ARM_LPAE_PTE_TYPE_TABLE 3
#define ARM_LPAE_PTE_TYPE_PAGE 3
#define ARM_LPAE_PTE_ADDR_MASK GENMASK_ULL(47, 12)
#define ARM_LPAE_PTE_NSTABLE BIT_ULL(63)
#define ARM_LPAE_PTE_XN (3ULL << 53)
#define ARM_LPAE_PTE_DBM BIT_ULL(51)
#define ARM_LPAE_PTE_AF BIT_ULL(10)
#define ARM_LPAE_PTE_SH_NS (0ULL << 8)
#define ARM_LPAE_PTE_SH_OS (2ULL << 8)
#define ARM_LPAE_PTE_SH_IS (3ULL << 8)
#define ARM_LPAE_PTE_NS BIT_ULL(5)
#define ARM_LPAE_PTE_ATTR_LO_MASK (0x3ffULL << 2)
/* The contiguous bit is not carried over when a block is split. */
#define ARM_LPAE_PTE_ATTR_HI_MASK (ARM_LPAE_PTE_XN | ARM_LPAE_PTE_DBM)
#define ARM_LPAE_PTE_ATTR_MASK (ARM_LPAE_PTE_ATTR_LO_MASK | ARM_LPAE_PTE_ATTR_HI_MASK)
/* Stage 1 (D8.4.2): AP[2:1], AttrIndx, nG. */
#define ARM_LPAE_PTE_AP_UNPRIV BIT_ULL(6)
#define ARM_LPAE_PTE_AP_RDONLY BIT_ULL(7)
#define ARM_LPAE_PTE_ATTRINDX GENMASK_ULL(4, 2)
#define ARM_LPAE_PTE_nG BIT_ULL(11)
/* Stage 2 (D8.4.3, D8.5.2): S2AP, MemAttr. */
#define ARM_LPAE_PTE_HAP_FAULT (0ULL << 6)
#define ARM_LPAE_PTE_HAP_READ (1ULL << 6)
#define ARM_LPAE_PTE_HAP_WRITE (2ULL << 6)
#define ARM_LPAE_PTE_MEMATTR_OIWB (0xfULL << 2)
#define ARM_LPAE_PTE_MEMATTR_NC (0x5ULL << 2)
#define ARM_LPAE_PTE_MEMATTR_DEV (0x1ULL << 2)

_Static_assert((ARM_LPAE_PTE_ATTR_MASK & ARM_LPAE_PTE_ADDR_MASK) == 0, "attr/addr overlap");

/* MAIR_ELx attributes (D19 MAIR_EL1) at the indices the PTEs use. */
#define ARM_LPAE_MAIR_ATTR_SHIFT(n) ((n) << 3)
#define ARM_LPAE_MAIR_ATTR_DEVICE 0x04ULL
#define ARM_LPAE_MAIR_ATTR_NC 0x44ULL
#define ARM_LPAE_MAIR_ATTR_INC_OWBRWA 0xf4ULL
#define ARM_LPAE_MAIR_ATTR_WBRWA 0xffULL

/* TCR_ELx (D19 TCR_EL1) and VTCR_EL2 fields for the composed values. */
#define TCR_T0SZ GENMASK_ULL(5, 0)
#define TCR_EPD0 BIT_ULL(7)
#define TCR_IRGN0 GENMASK_ULL(9, 8)
#define TCR_ORGN0 GENMASK_ULL(11, 10)
#define TCR_SH0 GENMASK_ULL(13, 12)
#define TCR_TG0 GENMASK_ULL(15, 14)
#define TCR_A1 BIT_ULL(22)
#define TCR_EPD1 BIT_ULL(23)
#define TCR_IPS GENMASK_ULL(34, 32)
#define VTCR_SL0 GENMASK_ULL(7, 6)
#define VTCR_PS GENMASK_ULL(18, 16)
#define VTCR_RES1 BIT_ULL(31)
#define ARM_LPAE_VTCR_SL0_MASK 0x3

typedef uint64_t arm_lpae_iopte;
typedef _Atomic(uint64_t) iopte_slot;

struct arm_lpae_io_pgtable {
	struct ims_io_pgtable iop;

	int pgd_bits;
	int start_level;
	int bits_per_level;
	bool pa_packed; /* 64K granule with oas > 48: PA[51:48] in PTE[15:12] */

	iopte_slot *pgd;
	uint64_t pgd_pa;
	size_t pgd_alloc_size;
	uintptr_t va_off; /* host va = pa + va_off for every table */
	/*
	 * Every table this page table has allocated starts in [tbl_lo,
	 * tbl_last] (granule-sized tables; the pgd included).  A table
	 * descriptor outside it was not written by this code (a device or the
	 * CPU overwrote the table): it is not followed, so that a corrupted
	 * table cannot send the CPU outside simulated RAM.  Widened before a
	 * new table is installed; never narrowed.
	 */
	_Atomic uint64_t tbl_lo, tbl_last;
	/*
	 * The type bits and the address bits below the granule: (pte & it) ==
	 * ARM_LPAE_PTE_TYPE_TABLE says "a table, at an aligned address" in one
	 * test (the fast descent).
	 */
	uint64_t tbl_type_mask;

	/* Per level: index shift and index mask (the pgd's is wider). */
	unsigned int lvl_shift[ARM_LPAE_MAX_LEVELS];
	uint64_t lvl_mask[ARM_LPAE_MAX_LEVELS];
	/* The level whose block size is 1 << n, or -1 (for the fast paths). */
	int8_t size_lvl[64];
	bool granule_64k;
	/* arm_lpae_prot_to_pte() for every combination of the six prot bits. */
	arm_lpae_iopte prot_pte[64];
};

#define io_pgtable_to_data(x) container_of((x), struct arm_lpae_io_pgtable, iop)
#define io_pgtable_ops_to_data(x) io_pgtable_to_data(io_pgtable_ops_to_pgtable(x))

#define ARM_LPAE_GRANULE(d) (8ULL << (d)->bits_per_level)
#define ARM_LPAE_PTES_PER_TABLE(d) (1 << (d)->bits_per_level)
#define ARM_LPAE_PGD_SIZE(d) (8ULL << (d)->pgd_bits)
#define ARM_LPAE_BLOCK_SIZE(l, d) (1ULL << (d)->lvl_shift[l])
#define ARM_LPAE_LVL_IDX(a, l, d) ((int)(((uint64_t)(a) >> (d)->lvl_shift[l]) & (d)->lvl_mask[l]))

static inline unsigned int iopte_type(arm_lpae_iopte pte)
{
	return (unsigned int)(pte & ARM_LPAE_PTE_TYPE_MASK);
}

static inline bool iopte_leaf(arm_lpae_iopte pte, int lvl)
{
	if (lvl == ARM_LPAE_MAX_LEVELS - 1)
		return iopte_type(pte) == ARM_LPAE_PTE_TYPE_PAGE;
	return iopte_type(pte) == ARM_LPAE_PTE_TYPE_BLOCK;
}

static inline arm_lpae_iopte iopte_prot(arm_lpae_iopte pte)
{
	return pte & ARM_LPAE_PTE_ATTR_MASK;
}

static inline arm_lpae_iopte paddr_to_iopte(uint64_t paddr)
{
	/* Of the bits which overlap, either 51:48 or 15:12 are always RES0. */
	return (paddr | (paddr >> (48 - 12))) & ARM_LPAE_PTE_ADDR_MASK;
}

static inline uint64_t iopte_to_paddr(arm_lpae_iopte pte, const struct arm_lpae_io_pgtable *data)
{
	uint64_t paddr = pte & ARM_LPAE_PTE_ADDR_MASK;

	if (ARM_LPAE_GRANULE(data) < SZ_64K)
		return paddr;
	/* Rotate the packed high-order bits back to the top. */
	return (paddr | (paddr << (48 - 12))) & (ARM_LPAE_PTE_ADDR_MASK << 4);
}

/*
 * Whether a granule-aligned table address is in the range of this page
 * table's tables (struct arm_lpae_io_pgtable @tbl_lo).  The bounds stay in
 * memory (two compares), so that the walks keep their registers.
 */
static inline bool table_pa_in_range(const struct arm_lpae_io_pgtable *data, uint64_t pa)
{
	return pa >= atomic_load_explicit(&data->tbl_lo, memory_order_relaxed) &&
	       pa <= atomic_load_explicit(&data->tbl_last, memory_order_relaxed);
}

/*
 * The next-level table of the table descriptor @pte at level @lvl, or NULL
 * (with a warning) when the descriptor does not point at one of this page
 * table's tables: the kernel would follow it anywhere.
 */
static iopte_slot *iopte_deref(arm_lpae_iopte pte, int lvl, const struct arm_lpae_io_pgtable *data)
{
	uint64_t pa = pte & ARM_LPAE_PTE_ADDR_MASK;

	if (unlikely(data->granule_64k))
		pa = iopte_to_paddr(pte, data);
	if (unlikely(!IS_ALIGNED(pa, ARM_LPAE_GRANULE(data)) || !table_pa_in_range(data, pa))) {
		ims_warn(
			data->iop.cfg.log,
			"arm-lpae io-pgtable: WARN: level %d table descriptor %#llx does not point "
			"at a page table (was the table overwritten?): not followed",
			lvl, (unsigned long long)pte);
		return NULL;
	}
	return (iopte_slot *)(pa + data->va_off);
}

/* Widen [tbl_lo, tbl_last] to a new table at @pa of @size bytes (before it is installed). */
static void table_range_add(struct arm_lpae_io_pgtable *data, uint64_t pa, size_t size)
{
	uint64_t last = pa + size - ARM_LPAE_GRANULE(data);
	uint64_t cur = atomic_load_explicit(&data->tbl_lo, memory_order_relaxed);

	while (pa < cur &&
	       !atomic_compare_exchange_weak_explicit(&data->tbl_lo, &cur, pa, memory_order_relaxed,
						      memory_order_relaxed))
		;
	cur = atomic_load_explicit(&data->tbl_last, memory_order_relaxed);
	while (last > cur &&
	       !atomic_compare_exchange_weak_explicit(&data->tbl_last, &cur, last,
						      memory_order_relaxed, memory_order_relaxed))
		;
}

static inline arm_lpae_iopte pte_load(iopte_slot *ptep)
{
	return atomic_load_explicit(ptep, memory_order_acquire);
}

static inline void pte_store(iopte_slot *ptep, arm_lpae_iopte pte)
{
	atomic_store_explicit(ptep, pte, memory_order_relaxed);
}

/* The 6.12.19 stable fix: entries left in this (possibly concatenated) table. */
static inline int arm_lpae_max_entries(int idx, const struct arm_lpae_io_pgtable *data)
{
	int ptes_per_table = ARM_LPAE_PTES_PER_TABLE(data);

	return ptes_per_table - (idx & (ptes_per_table - 1));
}

static iopte_slot *__arm_lpae_alloc_pages(struct arm_lpae_io_pgtable *data, size_t size,
					  const struct ims_io_pgtable_cfg *cfg)
{
	uint64_t pa;
	void *va;

	if (cfg->mem->alloc(cfg->mem_cookie, size, &pa, &va) || !va)
		return NULL;
	/*
	 * Tables are reached through one linear map; an allocator that breaks
	 * it is the model's "Cannot accommodate DMA translation for IOMMU
	 * page tables".
	 */
	if ((uintptr_t)va - (uintptr_t)pa != data->va_off || !IS_ALIGNED(pa, size) ||
	    pa > ARM_LPAE_PTE_ADDR_MASK) {
		ims_err(cfg->log, "arm-lpae io-pgtable: cannot use table at pa %#llx",
			(unsigned long long)pa);
		cfg->mem->free(cfg->mem_cookie, pa, va, size);
		return NULL;
	}
	table_range_add(data, pa, size);
	return va;
}

static void __arm_lpae_free_pages(struct arm_lpae_io_pgtable *data, iopte_slot *table, size_t size)
{
	const struct ims_io_pgtable_cfg *cfg = &data->iop.cfg;

	cfg->mem->free(cfg->mem_cookie, (uint64_t)((uintptr_t)table - data->va_off),
		       (void *)(uintptr_t)table, size);
}

static size_t table_alloc_size(const struct arm_lpae_io_pgtable *data, int lvl)
{
	if (lvl == data->start_level)
		return data->pgd_alloc_size;
	return ARM_LPAE_GRANULE(data);
}

static void __arm_lpae_free_pgtable(struct arm_lpae_io_pgtable *data, int lvl, iopte_slot *ptep)
{
	iopte_slot *start = ptep, *end, *table;

	/* Only leaf entries at the last level. */
	if (lvl == ARM_LPAE_MAX_LEVELS - 1)
		end = ptep;
	else if (lvl == data->start_level)
		end = ptep + (ARM_LPAE_PGD_SIZE(data) >> 3);
	else
		end = ptep + ARM_LPAE_PTES_PER_TABLE(data);

	while (ptep != end) {
		arm_lpae_iopte pte = pte_load(ptep++);

		if (!pte || iopte_leaf(pte, lvl) || !(table = iopte_deref(pte, lvl, data)))
			continue;
		__arm_lpae_free_pgtable(data, lvl + 1, table);
	}
	__arm_lpae_free_pages(data, start, table_alloc_size(data, lvl));
}

static size_t __arm_lpae_unmap(struct arm_lpae_io_pgtable *data, struct ims_iotlb_gather *gather,
			       uint64_t iova, size_t size, size_t pgcount, int lvl,
			       iopte_slot *ptep);

static inline void __arm_lpae_init_pte(struct arm_lpae_io_pgtable *data, uint64_t paddr,
				       arm_lpae_iopte prot, int lvl, int num_entries,
				       iopte_slot *ptep)
{
	arm_lpae_iopte pte = prot;
	uint64_t sz = ARM_LPAE_BLOCK_SIZE(lvl, data);

	if (lvl == ARM_LPAE_MAX_LEVELS - 1)
		pte |= ARM_LPAE_PTE_TYPE_PAGE;
	else
		pte |= ARM_LPAE_PTE_TYPE_BLOCK;

	if (likely(!data->pa_packed)) {
		/* oas <= 48: paddr_to_iopte() is a mask. */
		for (int i = 0; i < num_entries; i++, paddr += sz)
			pte_store(&ptep[i], pte | (paddr & ARM_LPAE_PTE_ADDR_MASK));
	} else {
		for (int i = 0; i < num_entries; i++)
			pte_store(&ptep[i], pte | paddr_to_iopte(paddr + (uint64_t)i * sz));
	}
}

/* Whether all of @n entries are zero (eight loads per test, no early exits). */
static inline bool ptes_all_clear(iopte_slot *ptep, int n)
{
	arm_lpae_iopte acc = 0;
	int i = 0;

	for (; i + 8 <= n; i += 8) {
		acc |= atomic_load_explicit(&ptep[i], memory_order_relaxed) |
		       atomic_load_explicit(&ptep[i + 1], memory_order_relaxed) |
		       atomic_load_explicit(&ptep[i + 2], memory_order_relaxed) |
		       atomic_load_explicit(&ptep[i + 3], memory_order_relaxed) |
		       atomic_load_explicit(&ptep[i + 4], memory_order_relaxed) |
		       atomic_load_explicit(&ptep[i + 5], memory_order_relaxed) |
		       atomic_load_explicit(&ptep[i + 6], memory_order_relaxed) |
		       atomic_load_explicit(&ptep[i + 7], memory_order_relaxed);
		if (acc)
			return false;
	}
	for (; i < n; i++)
		acc |= atomic_load_explicit(&ptep[i], memory_order_relaxed);
	return !acc;
}

static int arm_lpae_init_pte(struct arm_lpae_io_pgtable *data, uint64_t iova, uint64_t paddr,
			     arm_lpae_iopte prot, int lvl, int num_entries, iopte_slot *ptep)
{
	/* The common case: every slot is empty. */
	if (likely(ptes_all_clear(ptep, num_entries))) {
		__arm_lpae_init_pte(data, paddr, prot, lvl, num_entries, ptep);
		return 0;
	}

	for (int i = 0; i < num_entries; i++) {
		arm_lpae_iopte pte = atomic_load_explicit(&ptep[i], memory_order_relaxed);

		if (likely(!pte))
			continue;
		if (iopte_leaf(pte, lvl)) {
			/* We require an unmap first. */
			ims_warn(data->iop.cfg.log,
				 "arm-lpae io-pgtable: WARN: map over an existing leaf at iova "
				 "%#llx",
				 (unsigned long long)(iova + (uint64_t)i * ARM_LPAE_BLOCK_SIZE(
										   lvl, data)));
			return -EEXIST;
		} else if (iopte_type(pte) == ARM_LPAE_PTE_TYPE_TABLE) {
			/* Unmap and free the old table before the block overwrites it. */
			uint64_t sz = ARM_LPAE_BLOCK_SIZE(lvl, data);
			iopte_slot *tblp = ptep - ARM_LPAE_LVL_IDX(iova, lvl, data);

			if (__arm_lpae_unmap(data, NULL, iova + (uint64_t)i * sz, sz, 1, lvl,
					     tblp) != sz) {
				ims_warn(data->iop.cfg.log,
					 "arm-lpae io-pgtable: WARN: cannot replace table at iova "
					 "%#llx",
					 (unsigned long long)(iova + (uint64_t)i * sz));
				return -EINVAL;
			}
		}
	}

	__arm_lpae_init_pte(data, paddr, prot, lvl, num_entries, ptep);
	return 0;
}

static arm_lpae_iopte arm_lpae_install_table(iopte_slot *table, iopte_slot *ptep,
					     arm_lpae_iopte curr, struct arm_lpae_io_pgtable *data)
{
	arm_lpae_iopte old = curr, new;

	new = paddr_to_iopte((uint64_t)((uintptr_t)table - data->va_off)) | ARM_LPAE_PTE_TYPE_TABLE;
	if (data->iop.cfg.quirks & IMS_IO_PGTABLE_QUIRK_ARM_NS)
		new |= ARM_LPAE_PTE_NSTABLE;

	/* Release: the table's contents are visible before its descriptor. */
	atomic_compare_exchange_strong_explicit(ptep, &old, new, memory_order_acq_rel,
						memory_order_acquire);
	return old;
}

static int __arm_lpae_map(struct arm_lpae_io_pgtable *data, uint64_t iova, uint64_t paddr,
			  size_t size, size_t pgcount, arm_lpae_iopte prot, int lvl,
			  iopte_slot *ptep, size_t *mapped)
{
	size_t tblsz = ARM_LPAE_GRANULE(data);

	for (;; lvl++) {
		int map_idx_start = ARM_LPAE_LVL_IDX(iova, lvl, data);
		iopte_slot *cptep;
		arm_lpae_iopte pte;

		ptep += map_idx_start;

		/* If we can install a leaf entry at this level, then do so. */
		if (size == ARM_LPAE_BLOCK_SIZE(lvl, data)) {
			int max_entries = arm_lpae_max_entries(map_idx_start, data);
			int num_entries =
				pgcount < (size_t)max_entries ? (int)pgcount : max_entries;
			int ret;

			ret = arm_lpae_init_pte(data, iova, paddr, prot, lvl, num_entries, ptep);
			if (!ret)
				*mapped += (size_t)num_entries * size;
			return ret;
		}

		/* We can't allocate tables at the final level. */
		if (unlikely(lvl >= ARM_LPAE_MAX_LEVELS - 1)) {
			ims_warn(data->iop.cfg.log,
				 "arm-lpae io-pgtable: WARN: no level maps size %#zx", size);
			return -EINVAL;
		}

		/* Grab a pointer to the next level. */
		pte = pte_load(ptep);
		if (!pte) {
			cptep = __arm_lpae_alloc_pages(data, tblsz, &data->iop.cfg);
			if (!cptep)
				return -ENOMEM;

			pte = arm_lpae_install_table(cptep, ptep, 0, data);
			if (pte)
				__arm_lpae_free_pages(data, cptep, tblsz);
		}

		if (pte && !iopte_leaf(pte, lvl)) {
			cptep = iopte_deref(pte, lvl, data);
			if (!cptep)
				return -EFAULT;
		} else if (pte) {
			/* We require an unmap first. */
			ims_warn(data->iop.cfg.log,
				 "arm-lpae io-pgtable: WARN: map under an existing block at iova "
				 "%#llx",
				 (unsigned long long)iova);
			return -EEXIST;
		}

		/* Rinse, repeat. */
		ptep = cptep;
	}
}

static arm_lpae_iopte arm_lpae_prot_to_pte(const struct arm_lpae_io_pgtable *data, int prot)
{
	bool s1 = data->iop.fmt == IMS_ARM_64_LPAE_S1;
	arm_lpae_iopte pte;

	if (s1) {
		pte = ARM_LPAE_PTE_nG;
		if (!(prot & IMS_IOMMU_WRITE) && (prot & IMS_IOMMU_READ))
			pte |= ARM_LPAE_PTE_AP_RDONLY;
		else if (data->iop.cfg.quirks & IMS_IO_PGTABLE_QUIRK_ARM_HD)
			pte |= ARM_LPAE_PTE_DBM;
		if (!(prot & IMS_IOMMU_PRIV))
			pte |= ARM_LPAE_PTE_AP_UNPRIV;
	} else {
		pte = ARM_LPAE_PTE_HAP_FAULT;
		if (prot & IMS_IOMMU_READ)
			pte |= ARM_LPAE_PTE_HAP_READ;
		if (prot & IMS_IOMMU_WRITE)
			pte |= ARM_LPAE_PTE_HAP_WRITE;
	}

	if (!s1) {
		if (prot & IMS_IOMMU_MMIO)
			pte |= ARM_LPAE_PTE_MEMATTR_DEV;
		else if (prot & IMS_IOMMU_CACHE)
			pte |= ARM_LPAE_PTE_MEMATTR_OIWB;
		else
			pte |= ARM_LPAE_PTE_MEMATTR_NC;
	} else {
		if (prot & IMS_IOMMU_MMIO)
			pte |= FIELD_PREP(ARM_LPAE_PTE_ATTRINDX, IMS_ARM_LPAE_MAIR_ATTR_IDX_DEV);
		else if (prot & IMS_IOMMU_CACHE)
			pte |= FIELD_PREP(ARM_LPAE_PTE_ATTRINDX, IMS_ARM_LPAE_MAIR_ATTR_IDX_CACHE);
	}

	if (prot & IMS_IOMMU_CACHE)
		pte |= ARM_LPAE_PTE_SH_IS;
	else
		pte |= ARM_LPAE_PTE_SH_OS;

	if (prot & IMS_IOMMU_NOEXEC)
		pte |= ARM_LPAE_PTE_XN;

	if (data->iop.cfg.quirks & IMS_IO_PGTABLE_QUIRK_ARM_NS)
		pte |= ARM_LPAE_PTE_NS;

	pte |= ARM_LPAE_PTE_AF;
	return pte;
}

/*
 * The fast paths' descent: from the pgd through existing table descriptors
 * down to level @target.  Returns the table at @target, or NULL with *@lvl
 * and *@table saying where the general code must take over (an empty slot,
 * a leaf, or anything else that is not a table descriptor: the general code
 * then behaves exactly as Linux's recursion would from that level).  The
 * per-level parameters are read into locals first: the acquire loads would
 * otherwise make the compiler reload them at every level.
 */
static inline iopte_slot *arm_lpae_fast_descend(const struct arm_lpae_io_pgtable *data,
						uint64_t iova, int target, int *lvl,
						iopte_slot **table)
{
	const uintptr_t va_off = data->va_off;
	const unsigned int *shift = data->lvl_shift;
	const uint64_t *mask = data->lvl_mask;
	iopte_slot *ptep = data->pgd;
	int l = data->start_level;

	/*
	 * A 64K table address with PA[51:48] packed into PTE[15:12] needs
	 * iopte_to_paddr(): general code.  Unpacked, those bits are zero in a
	 * table descriptor (tables are granule-aligned), so the mask is exact.
	 */
	if (unlikely(data->pa_packed))
		goto general;
	for (; l < target; l++) {
		arm_lpae_iopte pte = pte_load(ptep + ((iova >> shift[l]) & mask[l]));
		uint64_t pa;

		/*
		 * Below the last level, only type 0b11 is a table (D8.3.1); a
		 * table address that is not one of ours (misaligned, or out of
		 * the range) goes to the general code, which looks again (the
		 * range may have just grown) and warns.
		 */
		pa = pte & ARM_LPAE_PTE_ADDR_MASK;
		if (unlikely((pte & data->tbl_type_mask) != ARM_LPAE_PTE_TYPE_TABLE) ||
		    unlikely(!table_pa_in_range(data, pa)))
			goto general;
		ptep = (iopte_slot *)(pa + va_off);
	}
	*lvl = l;
	return ptep;
general:
	*lvl = l;
	*table = ptep;
	return NULL;
}

/*
 * __arm_lpae_map() for the common case: walk straight down through
 * existing tables to the level of @size and fill empty slots there.
 * Anything else (a missing table, a leaf in the way, a size no level has)
 * continues in the general code from the level where it was found, so the
 * behaviour is identical.
 */
static inline int arm_lpae_map_fast(struct arm_lpae_io_pgtable *data, uint64_t iova, uint64_t paddr,
				    size_t size, size_t pgcount, arm_lpae_iopte prot,
				    size_t *mapped)
{
	int target = ims_is_power_of_2(size) ? data->size_lvl[__builtin_ctzll(size)] : -1;
	iopte_slot *ptep, *table = NULL;
	int lvl, idx, num_entries, ret;

	if (unlikely(target < 0))
		return __arm_lpae_map(data, iova, paddr, size, pgcount, prot, data->start_level,
				      data->pgd, mapped);

	ptep = arm_lpae_fast_descend(data, iova, target, &lvl, &table);
	if (unlikely(!ptep))
		return __arm_lpae_map(data, iova, paddr, size, pgcount, prot, lvl, table, mapped);

	idx = ARM_LPAE_LVL_IDX(iova, lvl, data);
	num_entries = arm_lpae_max_entries(idx, data);
	if (pgcount < (size_t)num_entries)
		num_entries = (int)pgcount;
	ptep += idx;
	if (likely(num_entries == 1 && !data->pa_packed &&
		   !atomic_load_explicit(ptep, memory_order_relaxed))) {
		pte_store(ptep, prot | (paddr & ARM_LPAE_PTE_ADDR_MASK) |
					(lvl == ARM_LPAE_MAX_LEVELS - 1 ? ARM_LPAE_PTE_TYPE_PAGE
									: ARM_LPAE_PTE_TYPE_BLOCK));
		*mapped += size;
		return 0;
	}
	ret = arm_lpae_init_pte(data, iova, paddr, prot, lvl, num_entries, ptep);
	if (!ret)
		*mapped += (size_t)num_entries * size;
	return ret;
}

static int arm_lpae_map_pages(struct ims_io_pgtable_ops *ops, uint64_t iova, uint64_t paddr,
			      size_t pgsize, size_t pgcount, int iommu_prot, unsigned int gfp,
			      size_t *mapped)
{
	struct arm_lpae_io_pgtable *data = io_pgtable_ops_to_data(ops);
	const struct ims_io_pgtable_cfg *cfg = &data->iop.cfg;
	int64_t iaext = (int64_t)iova >> cfg->ias;
	int ret;

	(void)gfp;
	if (unlikely(!pgsize || (pgsize & cfg->pgsize_bitmap) != pgsize)) {
		ims_warn(cfg->log, "arm-lpae io-pgtable: WARN: map: bad pgsize %#zx", pgsize);
		return -EINVAL;
	}

	if (cfg->quirks & IMS_IO_PGTABLE_QUIRK_ARM_TTBR1)
		iaext = ~iaext;
	if (unlikely(iaext || paddr >> cfg->oas)) {
		ims_warn(cfg->log,
			 "arm-lpae io-pgtable: WARN: map: iova %#llx or paddr %#llx out of range",
			 (unsigned long long)iova, (unsigned long long)paddr);
		return -ERANGE;
	}

	if (unlikely(!(iommu_prot & (IMS_IOMMU_READ | IMS_IOMMU_WRITE))))
		return -EINVAL;

	ret = arm_lpae_map_fast(data, iova, paddr, pgsize, pgcount, data->prot_pte[iommu_prot & 63],
				mapped);
	/* Publish every descriptor update before a walk can start (wmb()). */
	atomic_thread_fence(memory_order_release);
	return ret;
}

static size_t arm_lpae_split_blk_unmap(struct arm_lpae_io_pgtable *data,
				       struct ims_iotlb_gather *gather, uint64_t iova, size_t size,
				       arm_lpae_iopte blk_pte, int lvl, iopte_slot *ptep,
				       size_t pgcount)
{
	struct ims_io_pgtable *iop = &data->iop;
	arm_lpae_iopte pte;
	iopte_slot *tablep;
	uint64_t blk_paddr;
	size_t tablesz = ARM_LPAE_GRANULE(data);
	uint64_t split_sz;
	int ptes_per_table = ARM_LPAE_PTES_PER_TABLE(data);
	int i, unmap_idx_start = -1, num_entries = 0, max_entries;

	if (lvl == ARM_LPAE_MAX_LEVELS) {
		ims_warn(iop->cfg.log, "arm-lpae io-pgtable: WARN: split below the last level");
		return 0;
	}
	split_sz = ARM_LPAE_BLOCK_SIZE(lvl, data);

	tablep = __arm_lpae_alloc_pages(data, tablesz, &iop->cfg);
	if (!tablep)
		return 0; /* Bytes unmapped */

	if (size == split_sz) {
		unmap_idx_start = ARM_LPAE_LVL_IDX(iova, lvl, data);
		max_entries = ptes_per_table - unmap_idx_start;
		num_entries = pgcount < (size_t)max_entries ? (int)pgcount : max_entries;
	}

	blk_paddr = iopte_to_paddr(blk_pte, data);
	pte = iopte_prot(blk_pte);

	for (i = 0; i < ptes_per_table; i++, blk_paddr += split_sz) {
		/* Unmap! */
		if (i >= unmap_idx_start && i < (unmap_idx_start + num_entries))
			continue;
		__arm_lpae_init_pte(data, blk_paddr, pte, lvl, 1, &tablep[i]);
	}

	pte = arm_lpae_install_table(tablep, ptep, blk_pte, data);
	if (pte != blk_pte) {
		__arm_lpae_free_pages(data, tablep, tablesz);
		/*
		 * We may race against someone unmapping another part of this
		 * block, but anything else is invalid.
		 */
		if (iopte_type(pte) != ARM_LPAE_PTE_TYPE_TABLE)
			return 0;
		tablep = iopte_deref(pte, lvl - 1, data);
		if (!tablep)
			return 0;
	} else if (unmap_idx_start >= 0) {
		for (i = 0; i < num_entries; i++)
			io_pgtable_tlb_add_page(iop, gather, iova + (uint64_t)i * size, size);
		return (size_t)num_entries * size;
	}

	return __arm_lpae_unmap(data, gather, iova, size, pgcount, lvl, tablep);
}

static size_t __arm_lpae_unmap(struct arm_lpae_io_pgtable *data, struct ims_iotlb_gather *gather,
			       uint64_t iova, size_t size, size_t pgcount, int lvl,
			       iopte_slot *ptep)
{
	struct ims_io_pgtable *iop = &data->iop;

	for (;; lvl++) {
		int unmap_idx_start;
		arm_lpae_iopte pte;

		/* Something went horribly wrong and we ran out of page table. */
		if (unlikely(lvl == ARM_LPAE_MAX_LEVELS)) {
			ims_warn(iop->cfg.log,
				 "arm-lpae io-pgtable: WARN: unmap ran out of levels");
			return 0;
		}

		unmap_idx_start = ARM_LPAE_LVL_IDX(iova, lvl, data);
		ptep += unmap_idx_start;
		pte = pte_load(ptep);
		if (unlikely(!pte)) {
			ims_warn(iop->cfg.log,
				 "arm-lpae io-pgtable: WARN: unmap of unmapped iova %#llx",
				 (unsigned long long)iova);
			return 0;
		}

		/* If the size matches this level, we're in the right place. */
		if (size == ARM_LPAE_BLOCK_SIZE(lvl, data)) {
			int max_entries = arm_lpae_max_entries(unmap_idx_start, data);
			int num_entries =
				pgcount < (size_t)max_entries ? (int)pgcount : max_entries;
			bool queued = iommu_iotlb_gather_queued(gather);
			int i = 0;

			while (i < num_entries) {
				pte = atomic_load_explicit(ptep, memory_order_relaxed);
				if (unlikely(!pte)) {
					ims_warn(iop->cfg.log,
						 "arm-lpae io-pgtable: WARN: unmap of unmapped "
						 "iova %#llx",
						 (unsigned long long)(iova + (uint64_t)i * size));
					break;
				}

				pte_store(ptep, 0);

				if (!iopte_leaf(pte, lvl)) {
					/* Also flush any partial walks, then free. */
					io_pgtable_tlb_flush_walk(iop, iova + (uint64_t)i * size,
								  size, ARM_LPAE_GRANULE(data));
					iopte_slot *table = iopte_deref(pte, lvl, data);

					if (table)
						__arm_lpae_free_pgtable(data, lvl + 1, table);
				} else if (!queued) {
					io_pgtable_tlb_add_page(iop, gather,
								iova + (uint64_t)i * size, size);
				}

				ptep++;
				i++;
			}

			return (size_t)i * size;
		} else if (iopte_leaf(pte, lvl)) {
			/* Insert a table for the old region, minus the part unmapped. */
			return arm_lpae_split_blk_unmap(data, gather, iova, size, pte, lvl + 1,
							ptep, pgcount);
		}

		/* Keep on walkin'. */
		ptep = iopte_deref(pte, lvl, data);
		if (!ptep)
			return 0;
	}
}

/*
 * __arm_lpae_unmap() for the common case: walk straight down through
 * tables to the level of @size and clear leaves there, with the flush
 * callback hoisted out of the loop.  An empty entry on the way, a block to
 * split or a table to free continue in the general code from there.
 */
static inline size_t arm_lpae_unmap_fast(struct arm_lpae_io_pgtable *data,
					 struct ims_iotlb_gather *gather, uint64_t iova,
					 size_t size, size_t pgcount)
{
	int target = ims_is_power_of_2(size) ? data->size_lvl[__builtin_ctzll(size)] : -1;
	const struct ims_iommu_flush_ops *tlb = data->iop.cfg.tlb;
	void (*add_page)(struct ims_iotlb_gather *, uint64_t, size_t, void *);
	iopte_slot *ptep, *table = NULL;
	int lvl, idx, num_entries, i;
	unsigned int leaf;
	void *cookie = data->iop.cookie;
	arm_lpae_iopte pte;

	if (unlikely(target < 0))
		return __arm_lpae_unmap(data, gather, iova, size, pgcount, data->start_level,
					data->pgd);

	ptep = arm_lpae_fast_descend(data, iova, target, &lvl, &table);
	if (unlikely(!ptep))
		return __arm_lpae_unmap(data, gather, iova, size, pgcount, lvl, table);

	idx = ARM_LPAE_LVL_IDX(iova, lvl, data);
	num_entries = arm_lpae_max_entries(idx, data);
	if (pgcount < (size_t)num_entries)
		num_entries = (int)pgcount;
	ptep += idx;
	add_page = tlb && !iommu_iotlb_gather_queued(gather) ? tlb->tlb_add_page : NULL;

	/*
	 * Clear the leaves, then queue their invalidations: the callbacks see
	 * the same calls in the same order as Linux's interleaved loop.
	 */
	leaf = lvl == ARM_LPAE_MAX_LEVELS - 1 ? ARM_LPAE_PTE_TYPE_PAGE : ARM_LPAE_PTE_TYPE_BLOCK;
	for (i = 0; i < num_entries; i++) {
		pte = atomic_load_explicit(&ptep[i], memory_order_relaxed);
		/* Both leaf types have bit 0 set: an empty slot stops here too. */
		if (unlikely(iopte_type(pte) != leaf))
			break;
		pte_store(&ptep[i], 0);
	}
	if (add_page)
		for (int j = 0; j < i; j++)
			add_page(gather, iova + (uint64_t)j * size, size, cookie);
	if (unlikely(i < num_entries)) {
		uint64_t at = iova + (uint64_t)i * size;

		return (size_t)i * size +
		       __arm_lpae_unmap(data, gather, at, size, (size_t)(num_entries - i), lvl,
					ptep + i - ARM_LPAE_LVL_IDX(at, lvl, data));
	}
	return (size_t)num_entries * size;
}

static size_t arm_lpae_unmap_pages(struct ims_io_pgtable_ops *ops, uint64_t iova, size_t pgsize,
				   size_t pgcount, struct ims_iotlb_gather *gather)
{
	struct arm_lpae_io_pgtable *data = io_pgtable_ops_to_data(ops);
	const struct ims_io_pgtable_cfg *cfg = &data->iop.cfg;
	int64_t iaext = (int64_t)iova >> cfg->ias;

	if (unlikely(!pgsize || (pgsize & cfg->pgsize_bitmap) != pgsize || !pgcount)) {
		ims_warn(cfg->log,
			 "arm-lpae io-pgtable: WARN: unmap: bad pgsize %#zx or pgcount %zu", pgsize,
			 pgcount);
		return 0;
	}

	if (cfg->quirks & IMS_IO_PGTABLE_QUIRK_ARM_TTBR1)
		iaext = ~iaext;
	if (unlikely(iaext)) {
		ims_warn(cfg->log, "arm-lpae io-pgtable: WARN: unmap: iova %#llx out of range",
			 (unsigned long long)iova);
		return 0;
	}

	return arm_lpae_unmap_fast(data, gather, iova, pgsize, pgcount);
}

static uint64_t arm_lpae_iova_to_phys(struct ims_io_pgtable_ops *ops, uint64_t iova)
{
	struct arm_lpae_io_pgtable *data = io_pgtable_ops_to_data(ops);
	iopte_slot *ptep = data->pgd;
	arm_lpae_iopte pte;
	int lvl = data->start_level;

	do {
		/* Grab the IOPTE we're interested in. */
		ptep += ARM_LPAE_LVL_IDX(iova, lvl, data);
		pte = pte_load(ptep);

		/* Valid entry? */
		if (!pte)
			return 0;

		/* Leaf entry? */
		if (iopte_leaf(pte, lvl))
			goto found_translation;

		/* Take it to the next level. */
		ptep = iopte_deref(pte, lvl, data);
		if (!ptep)
			return 0;
	} while (++lvl < ARM_LPAE_MAX_LEVELS);

	/* Ran out of page tables to walk. */
	return 0;

found_translation:
	iova &= ARM_LPAE_BLOCK_SIZE(lvl, data) - 1;
	return iopte_to_paddr(pte, data) | iova;
}

static void arm_lpae_restrict_pgsizes(struct ims_io_pgtable_cfg *cfg)
{
	uint64_t page_size = cfg->cpu_page_size ? cfg->cpu_page_size : SZ_4K;
	uint64_t page_mask = ~(page_size - 1);
	uint64_t granule, page_sizes;
	unsigned int max_addr_bits = 48;

	/*
	 * Restrict the page sizes to one granule's: the CPU page size if
	 * possible, else the largest smaller size, else the smallest larger.
	 */
	if (cfg->pgsize_bitmap & page_size)
		granule = page_size;
	else if (cfg->pgsize_bitmap & ~page_mask)
		granule = 1ULL << ims_ilog2(cfg->pgsize_bitmap & ~page_mask);
	else if (cfg->pgsize_bitmap & page_mask)
		granule = 1ULL << __builtin_ctzll(cfg->pgsize_bitmap & page_mask);
	else
		granule = 0;

	switch (granule) {
	case SZ_4K:
		page_sizes = SZ_4K | SZ_2M | SZ_1G;
		break;
	case SZ_16K:
		page_sizes = SZ_16K | SZ_32M;
		break;
	case SZ_64K:
		max_addr_bits = 52;
		page_sizes = SZ_64K | SZ_512M;
		if (cfg->oas > 48)
			page_sizes |= 1ULL << 42; /* 4TB */
		break;
	default:
		page_sizes = 0;
	}

	cfg->pgsize_bitmap &= page_sizes;
	cfg->ias = IMS_MIN(cfg->ias, max_addr_bits);
	cfg->oas = IMS_MIN(cfg->oas, max_addr_bits);
}

static int arm_lpae_alloc_pgtable(struct arm_lpae_io_pgtable **out, struct ims_io_pgtable_cfg *cfg)
{
	struct arm_lpae_io_pgtable *data;
	int levels, va_bits, pg_shift;

	arm_lpae_restrict_pgsizes(cfg);

	if (!(cfg->pgsize_bitmap & (SZ_4K | SZ_16K | SZ_64K)))
		return ims_error(-EINVAL,
				 "arm-lpae io-pgtable: no 4K, 16K or 64K granule in pgsize_bitmap");
	if (cfg->ias > ARM_LPAE_MAX_ADDR_BITS || cfg->oas > ARM_LPAE_MAX_ADDR_BITS)
		return ims_error(-EINVAL, "arm-lpae io-pgtable: ias %u / oas %u above %d bits",
				 cfg->ias, cfg->oas, ARM_LPAE_MAX_ADDR_BITS);

	pg_shift = __builtin_ctzll(cfg->pgsize_bitmap);
	va_bits = (int)cfg->ias - pg_shift;
	if (va_bits < 1)
		return ims_error(-EINVAL,
				 "arm-lpae io-pgtable: ias %u not above the granule shift %d",
				 cfg->ias, pg_shift);

	data = calloc(1, sizeof(*data));
	if (!data)
		return ims_error(-ENOMEM, "arm-lpae io-pgtable: out of memory");

	data->bits_per_level = pg_shift - 3;
	levels = (va_bits + data->bits_per_level - 1) / data->bits_per_level;
	data->start_level = ARM_LPAE_MAX_LEVELS - levels;

	/* The actual size of our pgd (without concatenation). */
	data->pgd_bits = va_bits - (data->bits_per_level * (levels - 1));

	data->iop.ops.map_pages = arm_lpae_map_pages;
	data->iop.ops.unmap_pages = arm_lpae_unmap_pages;
	data->iop.ops.iova_to_phys = arm_lpae_iova_to_phys;
	*out = data;
	return 0;
}

/* Fill the per-level tables and the pgd once the geometry is final. */
static int arm_lpae_finish(struct arm_lpae_io_pgtable *data, struct ims_io_pgtable_cfg *cfg,
			   enum ims_io_pgtable_fmt fmt)
{
	uint64_t pa;
	void *va;

	for (int l = data->start_level; l < ARM_LPAE_MAX_LEVELS; l++) {
		int bits = data->bits_per_level;

		if (l == data->start_level)
			bits = data->pgd_bits;
		data->lvl_shift[l] =
			(unsigned int)((ARM_LPAE_MAX_LEVELS - l) * data->bits_per_level + 3);
		data->lvl_mask[l] = (1ULL << bits) - 1;
	}
	data->pa_packed = ARM_LPAE_GRANULE(data) == SZ_64K && cfg->oas > 48;
	data->granule_64k = ARM_LPAE_GRANULE(data) == SZ_64K;
	memset(data->size_lvl, -1, sizeof(data->size_lvl));
	for (int l = data->start_level; l < ARM_LPAE_MAX_LEVELS; l++)
		data->size_lvl[data->lvl_shift[l]] = (int8_t)l;

	/* The prot table needs fmt and quirks in place. */
	data->iop.fmt = fmt;
	data->iop.cfg = *cfg;
	for (int prot = 0; prot < 64; prot++)
		data->prot_pte[prot] = arm_lpae_prot_to_pte(data, prot);

	/* The pgd: at least a granule, aligned to its size. */
	data->pgd_alloc_size = IMS_MAX(ARM_LPAE_PGD_SIZE(data), ARM_LPAE_GRANULE(data));
	if (cfg->mem->alloc(cfg->mem_cookie, data->pgd_alloc_size, &pa, &va) || !va)
		return ims_error(-ENOMEM, "arm-lpae io-pgtable: cannot allocate a %zu-byte pgd",
				 data->pgd_alloc_size);
	if (!IS_ALIGNED(pa, data->pgd_alloc_size) || pa > ARM_LPAE_PTE_ADDR_MASK) {
		cfg->mem->free(cfg->mem_cookie, pa, va, data->pgd_alloc_size);
		return ims_error(-ENOMEM, "arm-lpae io-pgtable: pgd at pa %#llx is unusable",
				 (unsigned long long)pa);
	}
	data->pgd = va;
	data->pgd_pa = pa;
	data->va_off = (uintptr_t)va - (uintptr_t)pa;
	data->tbl_type_mask =
		ARM_LPAE_PTE_TYPE_MASK | (ARM_LPAE_PTE_ADDR_MASK & (ARM_LPAE_GRANULE(data) - 1));
	atomic_init(&data->tbl_lo, pa);
	atomic_init(&data->tbl_last, pa + data->pgd_alloc_size - ARM_LPAE_GRANULE(data));
	return 0;
}

static int arm_lpae_ps(unsigned int oas, uint8_t *ps)
{
	switch (oas) {
	case 32:
		*ps = IMS_ARM_LPAE_TCR_PS_32_BIT;
		break;
	case 36:
		*ps = IMS_ARM_LPAE_TCR_PS_36_BIT;
		break;
	case 40:
		*ps = IMS_ARM_LPAE_TCR_PS_40_BIT;
		break;
	case 42:
		*ps = IMS_ARM_LPAE_TCR_PS_42_BIT;
		break;
	case 44:
		*ps = IMS_ARM_LPAE_TCR_PS_44_BIT;
		break;
	case 48:
		*ps = IMS_ARM_LPAE_TCR_PS_48_BIT;
		break;
	case 52:
		*ps = IMS_ARM_LPAE_TCR_PS_52_BIT;
		break;
	default:
		return ims_error(-EINVAL, "arm-lpae io-pgtable: oas %u has no PS encoding", oas);
	}
	return 0;
}

static int arm_64_lpae_alloc_pgtable_s1(struct ims_io_pgtable **out, struct ims_io_pgtable_cfg *cfg,
					void *cookie)
{
	struct ims_arm_lpae_tcr *tcr = &cfg->s1.tcr;
	struct arm_lpae_io_pgtable *data;
	uint64_t reg;
	bool tg1;
	int ret;

	(void)cookie;
	if (cfg->quirks & ~(IMS_IO_PGTABLE_QUIRK_ARM_NS | IMS_IO_PGTABLE_QUIRK_ARM_TTBR1 |
			    IMS_IO_PGTABLE_QUIRK_ARM_OUTER_WBWA | IMS_IO_PGTABLE_QUIRK_ARM_HD))
		return ims_error(-EINVAL, "arm-lpae io-pgtable: stage 1: unsupported quirks %#lx",
				 cfg->quirks);

	ret = arm_lpae_alloc_pgtable(&data, cfg);
	if (ret)
		return ret;

	/* TCR */
	*tcr = (struct ims_arm_lpae_tcr){ 0 };
	if (cfg->coherent_walk) {
		tcr->sh = IMS_ARM_LPAE_TCR_SH_IS;
		tcr->irgn = IMS_ARM_LPAE_TCR_RGN_WBWA;
		tcr->orgn = IMS_ARM_LPAE_TCR_RGN_WBWA;
		if (cfg->quirks & IMS_IO_PGTABLE_QUIRK_ARM_OUTER_WBWA) {
			ret = ims_error(-EINVAL,
					"arm-lpae io-pgtable: OUTER_WBWA with a coherent walk");
			goto out_free_data;
		}
	} else {
		tcr->sh = IMS_ARM_LPAE_TCR_SH_OS;
		tcr->irgn = IMS_ARM_LPAE_TCR_RGN_NC;
		if (!(cfg->quirks & IMS_IO_PGTABLE_QUIRK_ARM_OUTER_WBWA))
			tcr->orgn = IMS_ARM_LPAE_TCR_RGN_NC;
		else
			tcr->orgn = IMS_ARM_LPAE_TCR_RGN_WBWA;
	}

	tg1 = cfg->quirks & IMS_IO_PGTABLE_QUIRK_ARM_TTBR1;
	switch (ARM_LPAE_GRANULE(data)) {
	case SZ_4K:
		tcr->tg = tg1 ? IMS_ARM_LPAE_TCR_TG1_4K : IMS_ARM_LPAE_TCR_TG0_4K;
		break;
	case SZ_16K:
		tcr->tg = tg1 ? IMS_ARM_LPAE_TCR_TG1_16K : IMS_ARM_LPAE_TCR_TG0_16K;
		break;
	case SZ_64K:
		tcr->tg = tg1 ? IMS_ARM_LPAE_TCR_TG1_64K : IMS_ARM_LPAE_TCR_TG0_64K;
		break;
	}

	ret = arm_lpae_ps(cfg->oas, &tcr->ips);
	if (ret)
		goto out_free_data;
	tcr->tsz = (uint8_t)(64 - cfg->ias);

	/* The TCR a driver programs (arm_smmu_lpae_tcr() plus IPS). */
	reg = FIELD_PREP(TCR_TG0, tcr->tg) | FIELD_PREP(TCR_SH0, tcr->sh) |
	      FIELD_PREP(TCR_ORGN0, tcr->orgn) | FIELD_PREP(TCR_IRGN0, tcr->irgn) |
	      FIELD_PREP(TCR_T0SZ, tcr->tsz);
	if (tg1)
		reg = ((reg << 16) & ~TCR_A1) | TCR_EPD0;
	else
		reg |= TCR_EPD1;
	cfg->s1.tcr_val = reg | FIELD_PREP(TCR_IPS, tcr->ips);

	/* MAIRs */
	cfg->s1.mair =
		(ARM_LPAE_MAIR_ATTR_NC << ARM_LPAE_MAIR_ATTR_SHIFT(IMS_ARM_LPAE_MAIR_ATTR_IDX_NC)) |
		(ARM_LPAE_MAIR_ATTR_WBRWA
		 << ARM_LPAE_MAIR_ATTR_SHIFT(IMS_ARM_LPAE_MAIR_ATTR_IDX_CACHE)) |
		(ARM_LPAE_MAIR_ATTR_DEVICE
		 << ARM_LPAE_MAIR_ATTR_SHIFT(IMS_ARM_LPAE_MAIR_ATTR_IDX_DEV)) |
		(ARM_LPAE_MAIR_ATTR_INC_OWBRWA
		 << ARM_LPAE_MAIR_ATTR_SHIFT(IMS_ARM_LPAE_MAIR_ATTR_IDX_INC_OCACHE));

	/* Looking good; allocate a pgd. */
	ret = arm_lpae_finish(data, cfg, IMS_ARM_64_LPAE_S1);
	if (ret)
		goto out_free_data;

	/* TTBR */
	cfg->s1.ttbr = data->pgd_pa;
	*out = &data->iop;
	return 0;

out_free_data:
	free(data);
	return ret;
}

static int arm_64_lpae_alloc_pgtable_s2(struct ims_io_pgtable **out, struct ims_io_pgtable_cfg *cfg,
					void *cookie)
{
	struct ims_arm_lpae_tcr *vtcr = &cfg->s2.vtcr;
	struct arm_lpae_io_pgtable *data;
	unsigned int sl;
	int ret;

	(void)cookie;
	/* The NS quirk doesn't apply at stage 2. */
	if (cfg->quirks)
		return ims_error(-EINVAL, "arm-lpae io-pgtable: stage 2 takes no quirks (%#lx)",
				 cfg->quirks);

	ret = arm_lpae_alloc_pgtable(&data, cfg);
	if (ret)
		return ret;

	/*
	 * Concatenate pgds at level 1 if possible, to reduce the depth of the
	 * stage-2 walk (DDI 0487 D8.2.7, at most 16 tables).
	 */
	if (data->start_level == 0) {
		uint64_t pgd_pages = ARM_LPAE_PGD_SIZE(data) / sizeof(arm_lpae_iopte);

		if (pgd_pages <= ARM_LPAE_S2_MAX_CONCAT_PAGES) {
			data->pgd_bits += data->bits_per_level;
			data->start_level++;
		}
	}

	/* VTCR */
	*vtcr = (struct ims_arm_lpae_tcr){ 0 };
	if (cfg->coherent_walk) {
		vtcr->sh = IMS_ARM_LPAE_TCR_SH_IS;
		vtcr->irgn = IMS_ARM_LPAE_TCR_RGN_WBWA;
		vtcr->orgn = IMS_ARM_LPAE_TCR_RGN_WBWA;
	} else {
		vtcr->sh = IMS_ARM_LPAE_TCR_SH_OS;
		vtcr->irgn = IMS_ARM_LPAE_TCR_RGN_NC;
		vtcr->orgn = IMS_ARM_LPAE_TCR_RGN_NC;
	}

	sl = (unsigned int)data->start_level;
	switch (ARM_LPAE_GRANULE(data)) {
	case SZ_4K:
		vtcr->tg = IMS_ARM_LPAE_TCR_TG0_4K;
		sl++; /* SL0 format is different for the 4K granule */
		break;
	case SZ_16K:
		vtcr->tg = IMS_ARM_LPAE_TCR_TG0_16K;
		break;
	case SZ_64K:
		vtcr->tg = IMS_ARM_LPAE_TCR_TG0_64K;
		break;
	}

	ret = arm_lpae_ps(cfg->oas, &vtcr->ips);
	if (ret)
		goto out_free_data;
	vtcr->tsz = (uint8_t)(64 - cfg->ias);
	vtcr->sl = (uint8_t)(~sl & ARM_LPAE_VTCR_SL0_MASK);

	cfg->s2.vtcr_val = VTCR_RES1 | FIELD_PREP(TCR_SH0, vtcr->sh) |
			   FIELD_PREP(TCR_ORGN0, vtcr->orgn) | FIELD_PREP(TCR_IRGN0, vtcr->irgn) |
			   FIELD_PREP(VTCR_SL0, vtcr->sl) | FIELD_PREP(TCR_T0SZ, vtcr->tsz) |
			   FIELD_PREP(TCR_TG0, vtcr->tg) | FIELD_PREP(VTCR_PS, vtcr->ips);

	/* Allocate pgd pages. */
	ret = arm_lpae_finish(data, cfg, IMS_ARM_64_LPAE_S2);
	if (ret)
		goto out_free_data;

	/* VTTBR */
	cfg->s2.vttbr = data->pgd_pa;
	*out = &data->iop;
	return 0;

out_free_data:
	free(data);
	return ret;
}

static void arm_lpae_free_pgtable(struct ims_io_pgtable *iop)
{
	struct arm_lpae_io_pgtable *data = io_pgtable_to_data(iop);

	__arm_lpae_free_pgtable(data, data->start_level, data->pgd);
	free(data);
}

static void arm_lpae_info(const struct ims_io_pgtable *iop, struct ims_io_pgtable_info *info)
{
	const struct arm_lpae_io_pgtable *data =
		container_of_const(iop, struct arm_lpae_io_pgtable, iop);

	info->granule = ARM_LPAE_GRANULE(data);
	info->bits_per_level = (unsigned int)data->bits_per_level;
	info->levels = (unsigned int)(ARM_LPAE_MAX_LEVELS - data->start_level);
	info->start_level = data->start_level;
	info->pgd_bits = (unsigned int)data->pgd_bits;
	info->pgd_size = ARM_LPAE_PGD_SIZE(data);
	info->concat = data->pgd_bits > data->bits_per_level
			       ? 1u << (data->pgd_bits - data->bits_per_level)
			       : 1u;
	info->pgd_pa = data->pgd_pa;
}

static uint64_t arm_lpae_prot_to_pte_ops(const struct ims_io_pgtable *iop, int prot)
{
	return arm_lpae_prot_to_pte(container_of_const(iop, struct arm_lpae_io_pgtable, iop), prot);
}

const struct ims_io_pgtable_init_fns ims_io_pgtable_arm_64_lpae_s1_init_fns = {
	.alloc = arm_64_lpae_alloc_pgtable_s1,
	.free = arm_lpae_free_pgtable,
	.info = arm_lpae_info,
	.prot_to_pte = arm_lpae_prot_to_pte_ops,
};

const struct ims_io_pgtable_init_fns ims_io_pgtable_arm_64_lpae_s2_init_fns = {
	.alloc = arm_64_lpae_alloc_pgtable_s2,
	.free = arm_lpae_free_pgtable,
	.info = arm_lpae_info,
	.prot_to_pte = arm_lpae_prot_to_pte_ops,
};
