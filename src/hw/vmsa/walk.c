// SPDX-License-Identifier: MIT
/*
 * The VMSAv8-64 translation table walk shared by the SMMUv3 and MMU-500
 * models: Arm ARM (DDI 0487) D8 "The AArch64 Virtual Memory System
 * Architecture", as the SMMU uses it (IHI 0070 §3.4, IHI 0062 §2).
 *
 * Modelled: 4K/16K/64K granules with 48-bit input and output addresses,
 * every legal start level, stage-2 concatenated start-level tables, table /
 * block / page descriptors, translation, address-size and access-flag
 * faults, external aborts on descriptor fetches, and the stage-1 and
 * stage-2 permission encodings including hierarchical table attributes.
 *
 * Not modelled (each stated where it would apply):
 * - 52-bit addresses: FEAT_LVA/FEAT_LPA (64K OA[51:48] in descriptor bits
 *   [15:12]) and FEAT_LPA2 (start level -1, level-0/1 blocks of 16K/4K).
 * - Hardware Access flag and dirty state updates (FEAT_HAFDBS): AF == 0 is a
 *   fault (or ignored with @affd); descriptors are never written.
 * - The contiguous hint: it only permits TLB aggregation, and a walk's
 *   result is the same with or without it.
 * - Memory attributes (AttrIndx, MemAttr, SH) and the NS/NSTable bits.
 * - Indirect permissions (FEAT_S1PIE/S2PIE), overlays and WXN.
 */
#include "hw/mem_internal.h"
#include "util/bitfield.h"
#include "util/compiler.h"
#include "util/le.h"
#include "util/log.h"
#include <iommusim/vmsa.h>

/* DDI 0487 D8.3 descriptor formats (48-bit OA, no LPA2). */
#define VMSA_DESC_VALID BIT_ULL(0)
#define VMSA_DESC_TYPE GENMASK_ULL(1, 0)
#define VMSA_DESC_TYPE_BLOCK 1ULL /* levels 0-2; reserved at level 3 */
#define VMSA_DESC_TYPE_TABLE 3ULL /* levels 0-2; a page at level 3 */
/* Stage 1 AP[2:1] / stage 2 S2AP[1:0] */
#define VMSA_DESC_AP1 BIT_ULL(6) /* S1: EL0 access;  S2: read */
#define VMSA_DESC_AP2 BIT_ULL(7) /* S1: read-only;   S2: write */
#define VMSA_DESC_AF BIT_ULL(10)
#define VMSA_DESC_NG BIT_ULL(11)
/* OA / next-level table address: bits [47:granule_shift] (D8.3, descriptor formats). */
#define VMSA_DESC_ADDR GENMASK_ULL(47, 12)
#define VMSA_DESC_PXN BIT_ULL(53) /* S2: XN[0] */
#define VMSA_DESC_UXN BIT_ULL(54) /* S2: XN[1] */
#define VMSA_DESC_S2_XN GENMASK_ULL(54, 53)
/* Stage 1 table descriptor next-level attributes (D8.4.1, hierarchical permissions) */
#define VMSA_TBL_PXN BIT_ULL(59)
#define VMSA_TBL_UXN BIT_ULL(60)
#define VMSA_TBL_AP0 BIT_ULL(61) /* no EL0 access at subsequent levels */
#define VMSA_TBL_AP1 BIT_ULL(62) /* no write access at subsequent levels */

#define VMSA_MAX_ADDR_BITS 48

#define PERM_ALL                                                                                   \
	(IMS_VMSA_PERM_R_PRIV | IMS_VMSA_PERM_W_PRIV | IMS_VMSA_PERM_X_PRIV |                      \
	 IMS_VMSA_PERM_R_USER | IMS_VMSA_PERM_W_USER | IMS_VMSA_PERM_X_USER)

/*
 * The lowest input-address bit each level resolves, per granule (4K, 16K,
 * 64K): granule_shift + (3 - level) * (granule_shift - 3).  The 64K level 0
 * (bit 55) lies beyond any 48-bit input.
 */
static const uint8_t vmsa_level_shift[3][4] = {
	{ 39, 30, 21, 12 },
	{ 47, 36, 25, 14 },
	{ 55, 42, 29, 16 },
};

/* The lowest input-address bit a level resolves: granule_shift + (3 - level) * stride. */
static inline unsigned int level_shift(unsigned int gs, unsigned int level)
{
	return gs + (3 - level) * (gs - 3);
}

/*
 * Whether a block descriptor is permitted at @level (DDI 0487 D8.3,
 * 48-bit OA): 4K at levels 1 and 2; 16K and 64K at level 2 only (the 64G
 * 16K and 4T 64K blocks need FEAT_LPA2 / FEAT_LPA -- not modelled).
 */
static inline bool block_allowed(unsigned int gs, unsigned int level)
{
	return level == 2 || (gs == 12 && level == 1);
}

/* Stage 1 permissions from the effective AP[2:1], PXN and UXN (D8.4.1). */
static uint8_t s1_perm(uint64_t desc, uint64_t tbl_attrs)
{
	bool el0 = (desc & VMSA_DESC_AP1) && !(tbl_attrs & VMSA_TBL_AP0);
	bool ro = (desc & VMSA_DESC_AP2) || (tbl_attrs & VMSA_TBL_AP1);
	bool pxn = (desc & VMSA_DESC_PXN) || (tbl_attrs & VMSA_TBL_PXN);
	bool uxn = (desc & VMSA_DESC_UXN) || (tbl_attrs & VMSA_TBL_UXN);
	uint8_t perm = IMS_VMSA_PERM_R_PRIV;

	if (!ro)
		perm |= IMS_VMSA_PERM_W_PRIV;
	if (el0) {
		perm |= IMS_VMSA_PERM_R_USER;
		if (!ro)
			perm |= IMS_VMSA_PERM_W_USER;
	}
	/*
	 * In a regime with EL0, a region writable at EL0 is never executable
	 * at EL1 (D8.4.1: the implicit PXN).
	 */
	if (!pxn && !(el0 && !ro))
		perm |= IMS_VMSA_PERM_X_PRIV;
	/* EL0 execute depends on UXN only (execute-only memory is allowed). */
	if (!uxn)
		perm |= IMS_VMSA_PERM_X_USER;
	return perm;
}

/*
 * Stage 2 permissions: S2AP[0] (bit 6) read, S2AP[1] (bit 7) write, for both
 * privileges; XN[1:0] (bits 54:53) per Table D8-78 (FEAT_XNX): 00 executable
 * at EL1 and EL0, 01 not at EL1, 10 at neither, 11 not at EL0.  Without
 * FEAT_XNX XN[0] is RES0 and XN[1] alone forbids both, which this encoding
 * agrees with whenever XN[0] is 0.
 */
static uint8_t s2_perm(uint64_t desc)
{
	uint8_t perm = 0;

	if (desc & VMSA_DESC_AP1)
		perm |= IMS_VMSA_PERM_R_PRIV | IMS_VMSA_PERM_R_USER;
	if (desc & VMSA_DESC_AP2)
		perm |= IMS_VMSA_PERM_W_PRIV | IMS_VMSA_PERM_W_USER;
	switch (FIELD_GET(VMSA_DESC_S2_XN, desc)) {
	case 0:
		perm |= IMS_VMSA_PERM_X_PRIV | IMS_VMSA_PERM_X_USER;
		break;
	case 1:
		perm |= IMS_VMSA_PERM_X_USER;
		break;
	case 3:
		perm |= IMS_VMSA_PERM_X_PRIV;
		break;
	default:
		break;
	}
	return perm;
}

/* Check @cfg; return the index bits resolved at the start level, or -EINVAL. */
static inline int check_cfg(const struct ims_vmsa_cfg *cfg)
{
	unsigned int gs = cfg->granule_shift, concat = cfg->concat ? cfg->concat : 1;
	unsigned int sl, stride, shift, bits;

	if (gs != 12 && gs != 14 && gs != 16)
		return ims_error(-EINVAL, "vmsa walk: bad granule shift %u", gs);
	if (cfg->start_level < 0 || cfg->start_level > 3)
		return ims_error(-EINVAL, "vmsa walk: start level %d not modelled",
				 cfg->start_level);
	sl = (unsigned int)cfg->start_level;
	stride = gs - 3;
	shift = level_shift(gs, sl);
	if (concat > 16 || !ims_is_power_of_2(concat) || (concat > 1 && !cfg->stage2))
		return ims_error(-EINVAL, "vmsa walk: bad concatenation %u", concat);
	if (cfg->ias > VMSA_MAX_ADDR_BITS || cfg->ias <= shift)
		return ims_error(-EINVAL, "vmsa walk: ias %u impossible at start level %u",
				 cfg->ias, sl);
	bits = cfg->ias - shift;
	if (bits > stride + ims_ilog2(concat))
		return ims_error(-EINVAL,
				 "vmsa walk: ias %u needs more than %u table(s) at start level %u",
				 cfg->ias, concat, sl);
	if (cfg->oas < 12)
		return ims_error(-EINVAL, "vmsa walk: oas %u", cfg->oas);
	return (int)bits;
}

/* Faults leave the hot path: out of line, so the walk itself stays small. */
static __attribute__((noinline, cold)) int walk_fault(struct ims_vmsa_fault *fault,
						      enum ims_vmsa_fault_type type,
						      unsigned int level, uint64_t desc_pa)
{
	if (fault) {
		fault->type = type;
		fault->level = (uint8_t)level;
		fault->desc_pa = desc_pa;
		fault->s2 = false;
		fault->ipa = 0;
	}
	return -EFAULT;
}

/*
 * Nested walks: translate the IPA of a stage-1 descriptor through stage 2
 * and check that stage 2 lets the walk read it.  A stage-2 fault here is
 * reported with fault->s2 set and the descriptor's IPA.
 */
static __attribute__((noinline)) int s2_table_fetch(struct ims_mem *mem,
						    const struct ims_vmsa_cfg *s2, uint64_t ipa,
						    uint64_t *pa, struct ims_vmsa_fault *fault)
{
	struct ims_vmsa_fault f2 = { IMS_VMSA_OK, 0, 0, false, 0 };
	struct ims_vmsa_walk w2;
	int ret;

	if (unlikely(!s2->stage2 || s2->s2))
		return -EINVAL; /* only one level of nesting, stage 2 under stage 1 */
	ret = ims_vmsa_walk(mem, s2, ipa, &w2, &f2);
	if (!ret && !ims_vmsa_permits(w2.perm, IMS_VMSA_READ | IMS_VMSA_PRIV)) {
		f2.type = IMS_VMSA_F_PERMISSION;
		f2.level = w2.level;
		f2.desc_pa = w2.desc_pa;
		ret = -EFAULT;
	}
	if (ret) {
		if (ret == -EFAULT && fault) {
			*fault = f2;
			fault->s2 = true;
			fault->ipa = ipa;
		}
		return ret;
	}
	*pa = w2.oa;
	return 0;
}

static __attribute__((noinline, cold)) int bad_cfg(const struct ims_vmsa_cfg *cfg)
{
	int ret = check_cfg(cfg);

	return ret < 0 ? ret : -EINVAL;
}

IMS_EXPORT int ims_vmsa_walk(struct ims_mem *mem, const struct ims_vmsa_cfg *cfg, uint64_t ia,
			     struct ims_vmsa_walk *out, struct ims_vmsa_fault *fault)
{
	unsigned int gs, sl, stride, shift, level, concat, concat_bits;
	uint64_t table, desc, desc_pa, oa, idx_mask, oa_bad, addr_mask, attr_mask, attrs = 0;
	/* The RAM region of the last fetch (tables mostly share one). */
	uint64_t ram_base = 0, ram_span = 0;
	const uint8_t *ram_host = NULL;

	if (unlikely(!mem || !cfg || !out))
		return -EINVAL;
	/* The checks of check_cfg(), in two branches; it names the problem. */
	gs = cfg->granule_shift;
	sl = (unsigned int)cfg->start_level;
	if (unlikely((gs - 12u > 4u) | (gs & 1u) | (sl > 3)))
		return bad_cfg(cfg);
	concat = cfg->concat ? cfg->concat : 1;
	stride = gs - 3;
	shift = vmsa_level_shift[(gs - 12) >> 1][sl];
	concat_bits = (unsigned int)__builtin_ctz(concat);
	if (unlikely((concat > 16) | ((concat & (concat - 1)) != 0) |
		     ((concat > 1) & !cfg->stage2) | (cfg->ias > VMSA_MAX_ADDR_BITS) |
		     (cfg->ias - shift - 1u >= stride + concat_bits) | (cfg->oas < 12)))
		return bad_cfg(cfg);

	/* 52-bit output addresses are not modelled: a larger OAS behaves as 48 bits. */
	oa_bad = ~0ULL << IMS_MIN(cfg->oas, VMSA_MAX_ADDR_BITS);
	/* An input address beyond ias: translation fault at the start level (D8, input address size). */
	if (unlikely(ia >> cfg->ias))
		return walk_fault(fault, IMS_VMSA_F_TRANSLATION, sl, 0);
	/* A table base beyond the output size: Address size fault (D8). */
	if (unlikely(cfg->ttb & oa_bad))
		return walk_fault(fault, IMS_VMSA_F_ADDR_SIZE, sl, cfg->ttb);

	addr_mask = VMSA_DESC_ADDR & (~0ULL << gs);
	/* Stage 2 table descriptors carry no attributes (D8.3); HPD disables them. */
	attr_mask = (cfg->stage2 || cfg->hpd) ? 0 : GENMASK_ULL(62, 59);
	table = cfg->ttb & addr_mask;
	idx_mask = (1ULL << (cfg->ias - shift)) - 1; /* wider with concatenation */
	/* At most four lookups: level only grows, and level 3 always ends the walk. */
	for (level = sl;; level++) {
		uint64_t off;

		desc_pa = table + (((ia >> shift) & idx_mask) << 3);
		if (unlikely(cfg->s2 != NULL)) {
			int ret = s2_table_fetch(mem, cfg->s2, desc_pa, &desc_pa, fault);

			if (ret)
				return ret;
		}
		off = desc_pa - ram_base;
		if (unlikely(off >= ram_span)) {
			const struct ram *r = ims_mem_find_ram(mem, desc_pa, 8);

			if (!r)
				return walk_fault(fault, IMS_VMSA_F_WALK_EABT, level, desc_pa);
			ram_base = r->base;
			ram_span = r->size - 7; /* every 8-byte fetch below base + span fits */
			ram_host = r->host;
			off = desc_pa - ram_base;
		}
		desc = ims_ld_le64(ram_host + off);
		if (unlikely(!(desc & VMSA_DESC_VALID)))
			return walk_fault(fault, IMS_VMSA_F_TRANSLATION, level, desc_pa);
		/* Type 01 is a block (a leaf); 11 is a table, or a page at level 3. */
		if (level == 3 || !(desc & BIT_ULL(1)))
			break;
		table = desc & addr_mask;
		if (unlikely(table & oa_bad))
			return walk_fault(fault, IMS_VMSA_F_ADDR_SIZE, level, desc_pa);
		attrs |= desc & attr_mask;
		idx_mask = (1ULL << stride) - 1;
		shift -= stride;
	}

	/* A page at level 3 (type 01 is reserved there), else a block where permitted. */
	if (unlikely(level == 3 ? !(desc & BIT_ULL(1)) : !block_allowed(gs, level)))
		return walk_fault(fault, IMS_VMSA_F_TRANSLATION, level, desc_pa);
	oa = desc & VMSA_DESC_ADDR & (~0ULL << shift);
	if (unlikely(oa & oa_bad))
		return walk_fault(fault, IMS_VMSA_F_ADDR_SIZE, level, desc_pa);
	if (unlikely(!(desc & VMSA_DESC_AF) && !cfg->affd))
		return walk_fault(fault, IMS_VMSA_F_ACCESS, level, desc_pa);

	out->oa = oa | (ia & ~(~0ULL << shift));
	out->desc = desc;
	out->desc_pa = desc_pa;
	out->level = (uint8_t)level;
	out->leaf_shift = (uint8_t)shift;
	if (cfg->stage2) {
		out->perm = s2_perm(desc);
		out->ng = false;
	} else {
		out->perm = s1_perm(desc, attrs);
		out->ng = !!(desc & VMSA_DESC_NG);
	}
	return 0;
}

IMS_EXPORT int ims_vmsa_s1_start_level(unsigned int granule_shift, unsigned int ias)
{
	unsigned int stride, min_ias, level;

	if (granule_shift != 12 && granule_shift != 14 && granule_shift != 16)
		return ims_error(-EINVAL, "vmsa: bad granule shift %u", granule_shift);
	/*
	 * TxSZ may be 16..39 (up to 48 with SMMU_IDR3.STT / FEAT_TTST), i.e.
	 * ias 16..48; the input must at least exceed one page.
	 */
	min_ias = IMS_MAX(16u, granule_shift + 1);
	if (ias < min_ias || ias > VMSA_MAX_ADDR_BITS)
		return ims_error(-EINVAL, "vmsa: ias %u out of range for granule shift %u", ias,
				 granule_shift);
	stride = granule_shift - 3;
	/* The deepest level whose table, with its sub-levels, covers ias bits. */
	level = 4 - (ias - granule_shift + stride - 1) / stride;
	return (int)level;
}

/*
 * Stage-2 starting level from SL0 (VTCR_EL2.SL0 / STE.S2SL0; DDI 0487
 * VTCR_EL2 "SL0, bits [7:6]" without FEAT_TTST and FEAT_LPA2):
 *   4K:       SL0 0 = level 2, 1 = level 1, 2 = level 0, 3 = reserved;
 *   16K, 64K: SL0 0 = level 3, 1 = level 2, 2 = level 1, 3 = reserved.
 * (4K SL0 3 = level 3 needs FEAT_TTST and 16K SL0 3 = level 0 needs
 * FEAT_LPA2: neither is modelled.)  As in the Arm ARM's
 * AArch64.S2InconsistentSL(), the start level must resolve at least one
 * input bit and at most stride + 4, the extra bits selecting one of up to 16
 * concatenated tables (D8, "Concatenated translation tables").
 */
IMS_EXPORT int ims_vmsa_s2_start_level(unsigned int granule_shift, unsigned int sl0,
				       unsigned int ias, unsigned int *concat)
{
	static const int8_t sl0_level[3][4] = {
		{ 2, 1, 0, -1 }, /* 4K */
		{ 3, 2, 1, -1 }, /* 16K */
		{ 3, 2, 1, -1 }, /* 64K */
	};
	unsigned int stride, shift, bits;
	int level;

	if (granule_shift != 12 && granule_shift != 14 && granule_shift != 16)
		return ims_error(-EINVAL, "vmsa: bad granule shift %u", granule_shift);
	if (sl0 > 3)
		return ims_error(-EINVAL, "vmsa: bad SL0 %u", sl0);
	level = sl0_level[(granule_shift - 12) / 2][sl0];
	if (level < 0)
		return ims_error(-EINVAL, "vmsa: SL0 %u reserved for granule shift %u", sl0,
				 granule_shift);
	if (ias < 16 || ias > VMSA_MAX_ADDR_BITS)
		return ims_error(-EINVAL, "vmsa: stage-2 ias %u out of range", ias);
	stride = granule_shift - 3;
	shift = level_shift(granule_shift, (unsigned int)level);
	if (ias <= shift || ias - shift > stride + 4)
		return ims_error(-EINVAL,
				 "vmsa: stage-2 ias %u inconsistent with SL0 %u (start level %d)",
				 ias, sl0, level);
	bits = ias - shift;
	if (concat)
		*concat = bits > stride ? 1u << (bits - stride) : 1u;
	return level;
}
