/* SPDX-License-Identifier: MIT */
/*
 * The one VMSAv8-64 translation-table walker both SMMU models use, and the
 * IOTLB they cache its results in.
 *
 * The walker reads descriptors from simulated physical memory by address
 * (never through a pointer a driver handed over), exactly as the SMMU's
 * table walk does: Arm ARM (DDI 0487) D8 "The AArch64 Virtual Memory System
 * Architecture", as referenced by IHI 0070 §3.4 and IHI 0062 §2.
 */
#ifndef IOMMUSIM_VMSA_H
#define IOMMUSIM_VMSA_H

#include <stdbool.h>
#include <stdint.h>

#include <iommusim/common.h>
#include <iommusim/hw.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * struct ims_vmsa_cfg - one translation regime, as a context descriptor,
 * STE or context bank describes it.
 * @ttb:           the table base (TTBx / S2TTB), already masked by the caller.
 * @granule_shift: 12, 14 or 16.
 * @ias:           input address bits (64 - TxSZ, or 64 - S2T0SZ).
 * @oas:           output address bits (the decoded IPS/PS, capped by the SMMU's OAS).
 * @start_level:   0..3 (-1 with the 52-bit/LPA2 formats is not modelled).
 * @concat:        stage 2: tables concatenated at the start level (1 = none, up to 16).
 * @stage2:        stage-2 descriptor formats (S2AP, MemAttr) and rules.
 * @affd:          access-flag faults disabled (CD.AFFD): AF == 0 is not a fault.
 * @hpd:           hierarchical permissions disabled (APTable/XNTable ignored).
 * @s2:            nested translation: when set (on a stage-1 @cfg), every
 *                 stage-1 table address, @ttb included, is an IPA that this
 *                 stage-2 regime translates before the fetch, and the fetch
 *                 needs stage-2 read permission (DDI 0487 D8.2 "stage 2
 *                 translation of stage 1 table walks"; IHI 0070 §3.4.1).  The
 *                 final output address is NOT passed through stage 2: the
 *                 caller does that, so it can cache the two stages as it likes.
 */
struct ims_vmsa_cfg {
	uint64_t ttb;
	uint8_t granule_shift;
	uint8_t ias;
	uint8_t oas;
	int8_t start_level;
	uint8_t concat;
	bool stage2;
	bool affd;
	bool hpd;
	const struct ims_vmsa_cfg *s2;
};

/* Access kinds, for permission checks. */
#define IMS_VMSA_READ 0x1u
#define IMS_VMSA_WRITE 0x2u
#define IMS_VMSA_EXEC 0x4u
#define IMS_VMSA_PRIV 0x8u /* privileged (EL1) rather than unprivileged (EL0) */

/* Permissions a leaf grants, after table attributes are folded in. */
#define IMS_VMSA_PERM_R_PRIV 0x01u
#define IMS_VMSA_PERM_W_PRIV 0x02u
#define IMS_VMSA_PERM_X_PRIV 0x04u
#define IMS_VMSA_PERM_R_USER 0x08u
#define IMS_VMSA_PERM_W_USER 0x10u
#define IMS_VMSA_PERM_X_USER 0x20u

/**
 * struct ims_vmsa_walk - a successful walk.
 * @oa:         the output address of the input address.
 * @desc:       the leaf descriptor as read.
 * @desc_pa:    where the leaf descriptor was read from.
 * @level:      the leaf's level.
 * @leaf_shift: log2 of the leaf's size (a page, or a block).
 * @perm:       IMS_VMSA_PERM_* the leaf grants.
 * @ng:         stage 1: the nG bit (the entry is ASID-specific).
 */
struct ims_vmsa_walk {
	uint64_t oa;
	uint64_t desc;
	uint64_t desc_pa;
	uint8_t level;
	uint8_t leaf_shift;
	uint8_t perm;
	bool ng;
};

/** enum ims_vmsa_fault_type - why a walk or a permission check failed. */
enum ims_vmsa_fault_type {
	IMS_VMSA_OK = 0,
	IMS_VMSA_F_TRANSLATION, /* invalid descriptor, or input beyond ias */
	IMS_VMSA_F_ADDR_SIZE,	/* output address or table address beyond oas */
	IMS_VMSA_F_ACCESS,	/* AF == 0 and faults not disabled */
	IMS_VMSA_F_PERMISSION,	/* the access is not permitted */
	IMS_VMSA_F_WALK_EABT,	/* a descriptor fetch hit no RAM (external abort) */
};

/**
 * struct ims_vmsa_fault - details of a failed walk.
 * @type:    the fault.
 * @level:   the level at which it was detected.
 * @desc_pa: the descriptor address involved (the fetch address for WALK_EABT).
 * @s2:      nested: the fault arose in stage 2 while translating the address
 *           of a stage-1 table (an SMMUv3 event with CLASS = TTD and S2 = 1);
 *           @level and @desc_pa then describe the stage-2 walk.
 * @ipa:     with @s2: the IPA of the stage-1 descriptor being fetched.
 */
struct ims_vmsa_fault {
	enum ims_vmsa_fault_type type;
	uint8_t level;
	uint64_t desc_pa;
	bool s2;
	uint64_t ipa;
};

/**
 * ims_vmsa_walk() - walk the tables of @cfg for input address @ia.
 *
 * Return: 0 with *@out filled; -EFAULT with *@fault filled for any
 * architected fault (permissions are not checked here); -EINVAL for an
 * impossible @cfg (bad granule, start level or concatenation).
 */
IMS_EXPORT int ims_vmsa_walk(struct ims_mem *mem, const struct ims_vmsa_cfg *cfg, uint64_t ia,
			     struct ims_vmsa_walk *out, struct ims_vmsa_fault *fault);

/**
 * ims_vmsa_permits() - whether permissions @perm allow @access (IMS_VMSA_*).
 */
static inline bool ims_vmsa_permits(uint8_t perm, unsigned int access)
{
	/*
	 * READ/WRITE/EXEC share their bits with IMS_VMSA_PERM_[RWX]_PRIV, and
	 * the user permissions are the privileged ones shifted by 3.
	 */
	unsigned int need = (access & (IMS_VMSA_READ | IMS_VMSA_WRITE | IMS_VMSA_EXEC))
			    << ((access & IMS_VMSA_PRIV) ? 0 : 3);

	return (perm & need) == need;
}

/**
 * ims_vmsa_s1_start_level() - the stage-1 start level for @granule_shift and @ias.
 * Return: 0..3, or -EINVAL when @ias is outside the granule's range.
 */
IMS_EXPORT int ims_vmsa_s1_start_level(unsigned int granule_shift, unsigned int ias);

/**
 * ims_vmsa_s2_start_level() - decode stage-2 SL0 for @granule_shift and @ias.
 * @concat: the number of concatenated start-level tables (1..16).
 * Return: 0..3, or -EINVAL for a combination the architecture forbids (a
 * translation fault / C_BAD_STE on the SMMU).
 */
IMS_EXPORT int ims_vmsa_s2_start_level(unsigned int granule_shift, unsigned int sl0,
				       unsigned int ias, unsigned int *concat);

/* ---------------------------------------------------------------------- */
/* IOTLB: set-associative, LRU-like replacement, evicts instead of flushing. */

struct ims_iotlb;

/* Entry flags */
#define IMS_IOTLB_S1 0x1u     /* has a stage-1 component (tagged by ASID) */
#define IMS_IOTLB_S2 0x2u     /* has a stage-2 component (tagged by VMID) */
#define IMS_IOTLB_GLOBAL 0x4u /* stage-1 nG == 0: matches any ASID */

/**
 * struct ims_iotlb_entry - one cached translation.
 * @iova:       input address, aligned down to 1 << @leaf_shift.
 * @oa:         output address of @iova (aligned likewise).
 * @ipa:        for stage-2 and nested entries, the IPA of @iova (for TLBI by IPA).
 * @asid:       stage-1 ASID.
 * @vmid:       VMID (0 when stage 2 is not in use).
 * @ctx:        a model-defined context tag (e.g. the SMMUv3 security state, or
 *              an MMU-500 context bank index); must match on lookup.
 * @leaf_shift: the size of the mapping (the smaller of the stages' leaves).
 * @granule_shift: the translation granule (for range invalidation with TG).
 * @level:      the leaf level (for TTL-qualified invalidation).
 * @perm:       IMS_VMSA_PERM_* (intersection of both stages for nested).
 * @flags:      IMS_IOTLB_*.
 */
struct ims_iotlb_entry {
	uint64_t iova;
	uint64_t oa;
	uint64_t ipa;
	uint32_t ctx;
	uint16_t asid;
	uint16_t vmid;
	uint8_t leaf_shift;
	uint8_t granule_shift;
	uint8_t level;
	uint8_t perm;
	uint8_t flags;
};

/**
 * struct ims_iotlb_stats - cache counters.
 * @entries: the valid entries now (occupancy; the others are totals).
 */
struct ims_iotlb_stats {
	uint64_t hits, misses, inserts, evictions, invalidated;
	uint64_t entries;
};

/**
 * ims_iotlb_new() - create an IOTLB of @sets x @ways entries.
 * @sets: a power of two, 1..65536.  @ways: 1..64.
 * Return: 0, -EINVAL or -ENOMEM.
 */
IMS_EXPORT int ims_iotlb_new(struct ims_iotlb **out, unsigned int sets, unsigned int ways);
IMS_EXPORT void ims_iotlb_free(struct ims_iotlb *tlb);

/**
 * ims_iotlb_lookup() - find an entry covering @iova for (@ctx, @vmid, @asid).
 * Global entries match any @asid.  Safe to call concurrently with other
 * lookups and with inserts and invalidations.
 * Return: true with *@out filled on a hit.
 */
IMS_EXPORT bool ims_iotlb_lookup(struct ims_iotlb *tlb, uint32_t ctx, uint16_t vmid, uint16_t asid,
				 uint64_t iova, struct ims_iotlb_entry *out);

/** ims_iotlb_insert() - cache @e, evicting the least recently used way of its set if full. */
IMS_EXPORT void ims_iotlb_insert(struct ims_iotlb *tlb, const struct ims_iotlb_entry *e);

/*
 * Invalidation.  Each returns the number of entries removed.  A @ctx of
 * IMS_IOTLB_ANY_CTX matches every context.
 */
#define IMS_IOTLB_ANY_CTX UINT32_MAX
IMS_EXPORT unsigned int ims_iotlb_inv_all(struct ims_iotlb *tlb, uint32_t ctx);
/* All stage-1 entries of (vmid, asid), global ones excluded (TLBI_NH_ASID). */
IMS_EXPORT unsigned int ims_iotlb_inv_asid(struct ims_iotlb *tlb, uint32_t ctx, uint16_t vmid,
					   uint16_t asid);
/*
 * Entries of (vmid, asid) -- or of any ASID when @any_asid (TLBI_NH_VAA) --
 * that overlap [@iova, @iova + @size); global entries always match;
 * @leaf_only keeps only entries at the last level (the LEAF hint); @ttl_level
 * 0 means any level, else only entries of that level.
 */
IMS_EXPORT unsigned int ims_iotlb_inv_va(struct ims_iotlb *tlb, uint32_t ctx, uint16_t vmid,
					 uint16_t asid, bool any_asid, uint64_t iova, uint64_t size,
					 bool leaf_only, unsigned int ttl_level);
/* Every entry of @vmid (TLBI_S12_VMALL). */
IMS_EXPORT unsigned int ims_iotlb_inv_vmid(struct ims_iotlb *tlb, uint32_t ctx, uint16_t vmid);
/* Stage-2 and nested entries of @vmid whose IPA overlaps [@ipa, @ipa + @size) (TLBI_S2_IPA). */
IMS_EXPORT unsigned int ims_iotlb_inv_ipa(struct ims_iotlb *tlb, uint32_t ctx, uint16_t vmid,
					  uint64_t ipa, uint64_t size);

IMS_EXPORT void ims_iotlb_get_stats(struct ims_iotlb *tlb, struct ims_iotlb_stats *st);
IMS_EXPORT unsigned int ims_iotlb_capacity(struct ims_iotlb *tlb);

#ifdef __cplusplus
}
#endif
#endif /* IOMMUSIM_VMSA_H */
