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
#include "hw/vmsa/walk-internal.h"
#include "util/log.h"

/* The lowest input-address bit a level resolves: granule_shift + (3 - level) * stride. */
static inline unsigned int level_shift(unsigned int gs, unsigned int level)
{
	return gs + (3 - level) * (gs - 3);
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

__attribute__((noinline, cold)) int vmsa_walk_fault(struct ims_vmsa_fault *fault,
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
__attribute__((noinline)) int vmsa_s2_table_fetch(struct ims_mem *mem,
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

/* ims_vmsa_permits() relies on these encodings. */
_Static_assert(IMS_VMSA_READ == IMS_VMSA_PERM_R_PRIV && IMS_VMSA_WRITE == IMS_VMSA_PERM_W_PRIV &&
		       IMS_VMSA_EXEC == IMS_VMSA_PERM_X_PRIV,
	       "access bits are the privileged permission bits");
_Static_assert(IMS_VMSA_PERM_R_USER == IMS_VMSA_PERM_R_PRIV << 3 &&
		       IMS_VMSA_PERM_W_USER == IMS_VMSA_PERM_W_PRIV << 3 &&
		       IMS_VMSA_PERM_X_USER == IMS_VMSA_PERM_X_PRIV << 3,
	       "user permissions are the privileged ones shifted by 3");

IMS_EXPORT int ims_vmsa_walk(struct ims_mem *mem, const struct ims_vmsa_cfg *cfg, uint64_t ia,
			     struct ims_vmsa_walk *out, struct ims_vmsa_fault *fault)
{
	struct vmsa_plan p;

	if (unlikely(!mem || !cfg || !out))
		return -EINVAL;
	/* The checks of check_cfg(), in a few branches; it names the problem. */
	if (unlikely(!vmsa_cfg_ok(cfg)))
		return bad_cfg(cfg);
	vmsa_plan_init(cfg, &p);
	return vmsa_walk_plan(mem, &p, ia, out, fault);
}

__attribute__((noinline)) int vmsa_walk_nested(struct ims_mem *mem, const struct vmsa_plan *p,
					       uint64_t ia, struct ims_vmsa_walk *out,
					       struct ims_vmsa_fault *fault)
{
	return vmsa_walk_levels(mem, p, ia, out, fault, true, 0, 0);
}

__attribute__((noinline, hot)) int vmsa_walk_4k_l0(struct ims_mem *mem, const struct vmsa_plan *p,
						   uint64_t ia, struct ims_vmsa_walk *out,
						   struct ims_vmsa_fault *fault)
{
	return vmsa_walk_levels(mem, p, ia, out, fault, false, 12, 0);
}

__attribute__((noinline)) int vmsa_walk_generic(struct ims_mem *mem, const struct vmsa_plan *p,
						uint64_t ia, struct ims_vmsa_walk *out,
						struct ims_vmsa_fault *fault)
{
	return vmsa_walk_levels(mem, p, ia, out, fault, false, 0, 0);
}

__attribute__((noinline)) bool vmsa_fast_walk_generic(const struct vmsa_fast *f,
						      const uint32_t *seqp, uint32_t seq,
						      uint64_t ia, struct vmsa_fast_out *out)
{
	return vmsa_fast_walk(f, seqp, seq, ia, out, 0, 0);
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
