/* SPDX-License-Identifier: MIT */
/*
 * The VMSAv8-64 walk's core (DDI 0487 D8), shared by ims_vmsa_walk() and the
 * models' translate fast paths.  ims_vmsa_walk() validates its configuration
 * on every call; a model that validated a configuration once, when it
 * decoded it (vmsa_cfg_ok(), vmsa_plan_init()), calls vmsa_walk_plan()
 * directly, inlined into its own path.  See walk.c for what is and is not modelled.
 */
#ifndef IMS_HW_VMSA_WALK_INTERNAL_H
#define IMS_HW_VMSA_WALK_INTERNAL_H

#include <string.h>

#include "hw/mem_internal.h"
#include "util/bitfield.h"
#include "util/compiler.h"
#include "util/le.h"
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

/*
 * Whether a block descriptor is permitted at @level (DDI 0487 D8.3,
 * 48-bit OA): 4K at levels 1 and 2; 16K and 64K at level 2 only (the 64G
 * 16K and 4T 64K blocks need FEAT_LPA2 / FEAT_LPA -- not modelled).
 */
static inline bool vmsa_block_allowed(unsigned int gs, unsigned int level)
{
	return level == 2 || (gs == 12 && level == 1);
}

/*
 * Stage 1 permissions from the effective AP[2:1], PXN and UXN (D8.4.1):
 * EL1 may always read, and write unless read-only; EL0 may read (and write
 * unless read-only) with AP[1]; in a regime with EL0, a region writable at
 * EL0 is never executable at EL1 (the implicit PXN); EL0 execute depends on
 * UXN only (execute-only memory is allowed).
 */
#define VMSA_S1P(el0, ro, pxn, uxn)                                                                \
	((uint8_t)(IMS_VMSA_PERM_R_PRIV | ((ro) ? 0 : IMS_VMSA_PERM_W_PRIV) |                      \
		   ((el0) ? IMS_VMSA_PERM_R_USER | ((ro) ? 0 : IMS_VMSA_PERM_W_USER) : 0) |        \
		   (!(pxn) && !((el0) && !(ro)) ? IMS_VMSA_PERM_X_PRIV : 0) |                      \
		   ((uxn) ? 0 : IMS_VMSA_PERM_X_USER)))
/*
 * The 256 cases of a leaf's AP[2:1], PXN, UXN and the hierarchical
 * attributes of the tables above it (D8.4.1: APTable[0] removes EL0 access,
 * APTable[1] write access, PXNTable / UXNTable execution), indexed by
 * AP[1] | AP[2] << 1 | PXN << 2 | UXN << 3 | PXNTable << 4 | UXNTable << 5 |
 * APTable[0] << 6 | APTable[1] << 7 -- the descriptor bits 6, 7, 53, 54 and
 * the table bits 59-62, in order.
 */
#define VMSA_S1P_I(i)                                                                              \
	VMSA_S1P(((i)&1) && !(((i) >> 6) & 1), (((i) >> 1) & 1) || (((i) >> 7) & 1),               \
		 (((i) >> 2) & 1) || (((i) >> 4) & 1), (((i) >> 3) & 1) || (((i) >> 5) & 1))
#define VMSA_S1P_4(i) VMSA_S1P_I(i), VMSA_S1P_I((i) + 1), VMSA_S1P_I((i) + 2), VMSA_S1P_I((i) + 3)
#define VMSA_S1P_16(i) VMSA_S1P_4(i), VMSA_S1P_4((i) + 4), VMSA_S1P_4((i) + 8), VMSA_S1P_4((i) + 12)
#define VMSA_S1P_64(i)                                                                             \
	VMSA_S1P_16(i), VMSA_S1P_16((i) + 16), VMSA_S1P_16((i) + 32), VMSA_S1P_16((i) + 48)
static const uint8_t vmsa_s1_perm_tbl[256] = {
	VMSA_S1P_64(0),
	VMSA_S1P_64(64),
	VMSA_S1P_64(128),
	VMSA_S1P_64(192),
};

_Static_assert(VMSA_DESC_AP1 == BIT_ULL(6) && VMSA_DESC_AP2 == BIT_ULL(7) &&
		       VMSA_DESC_PXN == BIT_ULL(53) && VMSA_DESC_UXN == BIT_ULL(54),
	       "descriptor permission bits");
_Static_assert(VMSA_TBL_PXN == BIT_ULL(59) && VMSA_TBL_UXN == BIT_ULL(60) &&
		       VMSA_TBL_AP0 == BIT_ULL(61) && VMSA_TBL_AP1 == BIT_ULL(62),
	       "table attribute bits");

/*
 * Stage 1 permissions of leaf @desc under the table attributes @tbl_attrs
 * (D8.4.1), which has no bits but 59-62 (the callers' attr_mask).  The eight bits that index the table are gathered by one
 * multiplication: bits 6-7 move up by 50, bits 53-54 by 5 and bits 59-62 by
 * 1, to bits 56-63 in index order; no two partial products meet at or below
 * bit 63 except where they are meant to, so nothing carries into the index.
 */
#define VMSA_S1P_GATHER (BIT_ULL(50) | BIT_ULL(5) | BIT_ULL(1))
static inline uint8_t vmsa_s1_perm(uint64_t desc, uint64_t tbl_attrs)
{
	uint64_t x = (desc & (GENMASK_ULL(7, 6) | GENMASK_ULL(54, 53))) | tbl_attrs;

	return vmsa_s1_perm_tbl[(x * VMSA_S1P_GATHER) >> 56];
}

/*
 * Stage 2 permissions: S2AP[0] (bit 6) read, S2AP[1] (bit 7) write, for both
 * privileges; XN[1:0] (bits 54:53) per Table D8-78 (FEAT_XNX): 00 executable
 * at EL1 and EL0, 01 not at EL1, 10 at neither, 11 not at EL0.  Without
 * FEAT_XNX XN[0] is RES0 and XN[1] alone forbids both, which this encoding
 * agrees with whenever XN[0] is 0.
 */
static inline uint8_t vmsa_s2_perm(uint64_t desc)
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

/* Faults leave the hot path: out of line (walk.c).  Fills *@fault when not NULL; returns -EFAULT. */
__attribute__((noinline, cold)) int vmsa_walk_fault(struct ims_vmsa_fault *fault,
						    enum ims_vmsa_fault_type type,
						    unsigned int level, uint64_t desc_pa);

/* Nested walks: the stage-2 translation of a stage-1 descriptor's IPA (walk.c). */
__attribute__((noinline)) int vmsa_s2_table_fetch(struct ims_mem *mem,
						  const struct ims_vmsa_cfg *s2, uint64_t ipa,
						  uint64_t *pa, struct ims_vmsa_fault *fault);

/*
 * Whether @cfg is one the walk can follow (the checks of ims_vmsa_walk(),
 * silently): granule, start level, concatenation, ias and oas consistent.
 */
static inline bool vmsa_cfg_ok(const struct ims_vmsa_cfg *cfg)
{
	unsigned int gs = cfg->granule_shift, sl = (unsigned int)cfg->start_level;
	unsigned int concat, stride, shift, concat_bits;

	if ((gs - 12u > 4u) | (gs & 1u) | (sl > 3))
		return false;
	concat = cfg->concat ? cfg->concat : 1;
	stride = gs - 3;
	shift = vmsa_level_shift[(gs - 12) >> 1][sl];
	concat_bits = (unsigned int)__builtin_ctz(concat);
	return !((concat > 16) | ((concat & (concat - 1)) != 0) | ((concat > 1) & !cfg->stage2) |
		 (cfg->ias > VMSA_MAX_ADDR_BITS) | (cfg->ias - shift - 1u >= stride + concat_bits) |
		 (cfg->oas < 12));
}

/*
 * struct vmsa_plan - a validated configuration, decoded for the walk: what
 * the walk would otherwise derive from struct ims_vmsa_cfg on every call.
 * A model decodes it once (when it decodes a CD, an STE or a context bank)
 * and walks with it on its hot path.
 */
struct vmsa_plan {
	uint64_t table;	    /* the start-level table address */
	uint64_t ttb;	    /* the table base as configured (for an address size fault) */
	uint64_t ia_bad;    /* input address bits beyond ias */
	uint64_t oa_bad;    /* output address bits beyond oas (52-bit OAs behave as 48) */
	uint64_t addr_mask; /* a descriptor's next-level table / output address bits */
	uint64_t attr_mask; /* stage-1 hierarchical attributes (0: stage 2, or HPD) */
	uint64_t idx_mask;  /* start-level index bits (wider with concatenation) */
	uint8_t shift;	    /* the lowest input bit the start level resolves */
	uint8_t stride;	    /* index bits per level */
	uint8_t level;	    /* the start level */
	uint8_t gs;	    /* granule shift */
	bool stage2;
	bool affd;
	const struct ims_vmsa_cfg *s2; /* nested: stage 2 of the table fetches */
};

/* Decode @cfg, which vmsa_cfg_ok() accepted, into *@p. */
static inline void vmsa_plan_init(const struct ims_vmsa_cfg *cfg, struct vmsa_plan *p)
{
	unsigned int gs = cfg->granule_shift, sl = (unsigned int)cfg->start_level;
	unsigned int shift = vmsa_level_shift[(gs - 12) >> 1][sl];

	p->addr_mask = VMSA_DESC_ADDR & (~0ULL << gs);
	p->table = cfg->ttb & p->addr_mask;
	p->ttb = cfg->ttb;
	p->ia_bad = ~0ULL << cfg->ias;
	p->oa_bad = ~0ULL << IMS_MIN(cfg->oas, VMSA_MAX_ADDR_BITS);
	/* Stage 2 table descriptors carry no attributes (D8.3); HPD disables them. */
	p->attr_mask = (cfg->stage2 || cfg->hpd) ? 0 : GENMASK_ULL(62, 59);
	p->idx_mask = (1ULL << (cfg->ias - shift)) - 1;
	p->shift = (uint8_t)shift;
	p->stride = (uint8_t)(gs - 3);
	p->level = (uint8_t)sl;
	p->gs = (uint8_t)gs;
	p->stage2 = cfg->stage2;
	p->affd = cfg->affd;
	p->s2 = cfg->s2;
}

/*
 * The levels of a walk.  The loop is the dependent chain of descriptor
 * loads and little else: the RAM region of the last fetch is kept (primed
 * with the first region, where tables normally live), so a fetch is an add,
 * a compare and a load; at most four lookups, as the level only grows and
 * level 3 always ends the walk.  Constants at each call site: @nested, table
 * addresses are IPAs; @cgs, when not 0, the granule shift and @csl the start
 * level, which the caller checked that @p has (the common 4K / level-0 walk
 * then unrolls into straight-line code).
 */
static inline __attribute__((always_inline)) int
vmsa_walk_levels(struct ims_mem *mem, const struct vmsa_plan *p, uint64_t ia,
		 struct ims_vmsa_walk *out, struct ims_vmsa_fault *fault, bool nested,
		 unsigned int cgs, unsigned int csl)
{
	const unsigned int stride = cgs ? cgs - 3 : p->stride;
	unsigned int shift = cgs ? cgs + (3 - csl) * (cgs - 3) : p->shift;
	unsigned int level = cgs ? csl : p->level;
	uint64_t table = p->table, idx_mask = p->idx_mask, desc = 0, desc_pa, off = 0, oa,
		 attrs = 0;
	const struct ram *r0 = &mem->ram[0];
	uint64_t ram_base = r0->base, ram_span = mem->nr_ram && r0->size >= 8 ? r0->size - 7 : 0;
	const uint8_t *ram_host = r0->host;

	/* An input address beyond ias: translation fault at the start level (D8, input address size). */
	if (unlikely(ia & p->ia_bad))
		return vmsa_walk_fault(fault, IMS_VMSA_F_TRANSLATION, level, 0);
	/* A table base beyond the output size: Address size fault (D8). */
	if (unlikely(p->ttb & p->oa_bad))
		return vmsa_walk_fault(fault, IMS_VMSA_F_ADDR_SIZE, level, p->ttb);
#pragma GCC unroll 4
	for (unsigned int n = 0; n < 4; n++) { /* (level 3 breaks out first) */
		uint64_t idx8 = ((ia >> shift) & idx_mask) << 3;

		if (nested) {
			int ret = vmsa_s2_table_fetch(mem, p->s2, table + idx8, &desc_pa, fault);

			if (ret)
				return ret;
			off = desc_pa - ram_base;
		} else {
			/*
			 * The offset in the RAM region, with the index part
			 * subtracted from the base first: on the chain of
			 * dependent loads, only an and (the table) and an add.
			 */
			off = table + (idx8 - ram_base);
		}
		if (unlikely(off >= ram_span)) {
			const struct ram *r;

			desc_pa = off + ram_base;
			r = ims_mem_find_ram(mem, desc_pa, 8);
			if (!r)
				return vmsa_walk_fault(fault, IMS_VMSA_F_WALK_EABT, level, desc_pa);
			ram_base = r->base;
			ram_span = r->size - 7; /* every 8-byte fetch below base + span fits */
			ram_host = r->host;
			off = desc_pa - ram_base;
		}
		desc = ims_ram_ld64_aligned(ram_host + off);
		/* Type 11 is a table, or a page at level 3; 01 a block; x0 invalid. */
		if ((desc & VMSA_DESC_TYPE) != VMSA_DESC_TYPE_TABLE || level >= 3)
			break;
		table = desc & p->addr_mask;
		if (unlikely(table & p->oa_bad))
			return vmsa_walk_fault(fault, IMS_VMSA_F_ADDR_SIZE, level, off + ram_base);
		attrs |= desc;
		idx_mask = (1ULL << stride) - 1;
		shift -= stride;
		level++;
	}
	desc_pa = off + ram_base;

	if (unlikely(!(desc & VMSA_DESC_VALID)))
		return vmsa_walk_fault(fault, IMS_VMSA_F_TRANSLATION, level, desc_pa);
	/* A page at level 3 (type 01 is reserved there), else a block where permitted. */
	if (unlikely(level == 3 ? !(desc & BIT_ULL(1))
				: !vmsa_block_allowed(cgs ? cgs : p->gs, level)))
		return vmsa_walk_fault(fault, IMS_VMSA_F_TRANSLATION, level, desc_pa);
	oa = desc & VMSA_DESC_ADDR & (~0ULL << shift);
	if (unlikely(oa & p->oa_bad))
		return vmsa_walk_fault(fault, IMS_VMSA_F_ADDR_SIZE, level, desc_pa);
	if (unlikely(!(desc & VMSA_DESC_AF) && !p->affd))
		return vmsa_walk_fault(fault, IMS_VMSA_F_ACCESS, level, desc_pa);

	out->oa = oa | (ia & ~(~0ULL << shift));
	out->desc = desc;
	out->desc_pa = desc_pa;
	out->level = (uint8_t)level;
	out->leaf_shift = (uint8_t)shift;
	if (p->stage2) {
		out->perm = vmsa_s2_perm(desc);
		out->ng = false;
	} else {
		out->perm = vmsa_s1_perm(desc, attrs & p->attr_mask);
		out->ng = !!(desc & VMSA_DESC_NG);
	}
	return 0;
}

/*
 * struct vmsa_fast - a stage-1 regime decoded for the walk that the models
 * run on their hot path, which handles only the common case: table
 * descriptors down to a page at level 3, every table in the RAM region of
 * the start-level table, no fault.  Anything else -- a block, any fault, a
 * table elsewhere -- makes vmsa_fast_walk() decline, and the caller runs the
 * full walk (vmsa_walk_plan()), which then gives the architected result.
 * So the fast walk changes no result, only how quickly the common one is
 * found.  Its fields are read with atomic loads, so that it may live
 * in a seqlocked cache entry (the caller validates the version afterwards).
 */
struct vmsa_fast {
	uint64_t in_mask, in_val; /* an input address qualifies iff (ia & in_mask) == in_val */
	const uint8_t *t0_host;	  /* the host address of the start-level table */
	uint64_t idx0_mask8;	  /* the start-level index bits, shifted to bit 3 */
	uint64_t base;		  /* the RAM region holding the start-level table ... */
	uint64_t tspan;		  /* ... and its limit: a next-level table at t, t - base < tspan,
				      lies wholly in the region and below 2^oas */
	uintptr_t host_bias;	  /* host address - simulated address, in the region */
	uint64_t addr_mask;	  /* next-level table / output address bits [47:gs] */
	uint64_t leaf_mask, leaf_val; /* a leaf qualifies iff (desc & leaf_mask) == leaf_val:
					 a page, AF set (unless AFFD), output within oas */
	uint64_t attr_mask;	      /* hierarchical attributes (0 with HPD) */
	uint8_t kind;		      /* VMSA_FAST_* */
	uint8_t gs;		      /* the granule shift */
	uint8_t level;		      /* the start level */
	uint8_t shift0;		      /* the lowest input bit the start level resolves */
	uint8_t pad[4];
};

#define VMSA_FAST_NONE 0  /* this regime never takes the fast walk */
#define VMSA_FAST_4K_L0 1 /* the 4K granule from level 0 */
#define VMSA_FAST_OTHER 2 /* any other granule or start level */

/* What a fast walk found: always a page at level 3, of the regime's granule. */
struct vmsa_fast_out {
	uint64_t oa;
	uint8_t perm;
	bool ng;
};

/* (Acquire under ThreadSanitizer, which does not model the fence that orders them otherwise.) */
#ifdef __SANITIZE_THREAD__
#define VMSA_FAST_LD(field) __atomic_load_n(&(field), __ATOMIC_ACQUIRE)
#else
#define VMSA_FAST_LD(field) __atomic_load_n(&(field), __ATOMIC_RELAXED)
#endif

/*
 * Decode @cfg (a stage-1 regime, not nested) for the fast walk, given the
 * caller's input-address rule (@in_mask, @in_val).  Leaves @f->kind
 * VMSA_FAST_NONE when the fast walk cannot serve the regime (a
 * configuration error, or a start-level table outside RAM or beyond oas):
 * the full walk then handles every address.
 */
static inline void vmsa_fast_init(struct ims_mem *mem, const struct ims_vmsa_cfg *cfg,
				  uint64_t in_mask, uint64_t in_val, struct vmsa_fast *f)
{
	unsigned int gs = cfg->granule_shift, sl = (unsigned int)cfg->start_level, shift, oas;
	uint64_t oa_lim, table, tsize, lim;
	const struct ram *r;

	memset(f, 0, sizeof(*f));
	if (!vmsa_cfg_ok(cfg) || cfg->stage2 || cfg->s2 || (cfg->concat && cfg->concat != 1))
		return;
	shift = vmsa_level_shift[(gs - 12) >> 1][sl];
	oas = IMS_MIN(cfg->oas, VMSA_MAX_ADDR_BITS);
	oa_lim = 1ULL << oas;
	f->addr_mask = VMSA_DESC_ADDR & (~0ULL << gs);
	table = cfg->ttb & f->addr_mask;
	tsize = 8ULL << (cfg->ias - shift); /* the start-level table's size */
	if (cfg->ttb >> oas)
		return; /* an address size fault on every walk */
	r = ims_mem_find_ram(mem, table, tsize);
	if (!r || r->base >= oa_lim || table + tsize > oa_lim)
		return;
	lim = IMS_MIN(r->size, oa_lim - r->base);
	f->in_mask = in_mask;
	f->in_val = in_val;
	f->base = r->base;
	f->host_bias = (uintptr_t)r->host - (uintptr_t)r->base;
	f->t0_host = r->host + (table - r->base);
	f->tspan = lim >= (1ULL << gs) ? lim - (1ULL << gs) + 1 : 0;
	f->idx0_mask8 = (tsize - 1) & ~7ULL;
	f->leaf_mask =
		VMSA_DESC_TYPE | (cfg->affd ? 0 : VMSA_DESC_AF) | (f->addr_mask & ~(oa_lim - 1));
	f->leaf_val = VMSA_DESC_TYPE | (cfg->affd ? 0 : VMSA_DESC_AF);
	f->attr_mask = cfg->hpd ? 0 : GENMASK_ULL(62, 59);
	f->level = (uint8_t)sl;
	f->shift0 = (uint8_t)shift;
	f->gs = (uint8_t)gs;
	f->kind = gs == 12 && sl == 0 ? VMSA_FAST_4K_L0 : VMSA_FAST_OTHER;
}

/*
 * The fast walk of @ia through @f (of a kind other than VMSA_FAST_NONE).
 * @seqp, @seq: @f is in a seqlocked slot: its sequence number, and the
 * value read before @f was (a caller with a private @f passes a constant).  Constants at each call site: @cgs,
 * when not 0, the granule shift and @csl the start level, which the caller
 * checked that @f has (the walk then unrolls into straight-line code).
 * Return: true with *@out; false when the walk must be done in full (see
 * struct vmsa_fast).  At most four fetches, each within the region.
 */
static inline __attribute__((always_inline)) bool
vmsa_fast_walk(const struct vmsa_fast *f, const uint32_t *seqp, uint32_t seq, uint64_t ia,
	       struct vmsa_fast_out *out, unsigned int cgs, unsigned int csl)
{
	const unsigned int gs = cgs ? cgs : VMSA_FAST_LD(f->gs);
	const unsigned int stride = gs - 3;
	unsigned int level = cgs ? csl : VMSA_FAST_LD(f->level);
	unsigned int shift = cgs ? cgs + (3 - csl) * (cgs - 3) : VMSA_FAST_LD(f->shift0);
	const uintptr_t host_bias = VMSA_FAST_LD(f->host_bias);
	const uint64_t addr_mask = VMSA_FAST_LD(f->addr_mask), base = VMSA_FAST_LD(f->base);
	const uint64_t tspan = VMSA_FAST_LD(f->tspan);
	const uint8_t *p;
	uint64_t desc, attrs = 0, tbl_and = ~0ULL;

	if ((ia & VMSA_FAST_LD(f->in_mask)) != VMSA_FAST_LD(f->in_val))
		return false;
	/* The start-level table lies wholly in the region (vmsa_fast_init()). */
	p = VMSA_FAST_LD(f->t0_host) + ((ia >> (shift - 3)) & VMSA_FAST_LD(f->idx0_mask8));
	/*
	 * Where @f is a seqlocked copy being rewritten, the fields just read
	 * may come from different versions: only once they are known to be of
	 * one version is it safe to fetch through them.
	 */
#ifndef __SANITIZE_THREAD__
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
#endif
	if (unlikely(__atomic_load_n(seqp, __ATOMIC_RELAXED) != seq))
		return false;
	desc = ims_ram_ld64_aligned(p);
	/*
	 * On the chain of dependent loads, each level adds only an and: the
	 * host address of the entry is (host_bias + index) + table, and the
	 * check of the table, off the chain, is one compare.
	 */
#pragma GCC unroll 3
	for (unsigned int n = 0; n < 3; n++) { /* (levels 0-2 at most) */
		uintptr_t entry;
		uint64_t table;

		if (level >= 3)
			break;
		/*
		 * Type 11: a table (D8.3).  A block or an invalid descriptor
		 * declines, but only at the end (tbl_and): until then its bits
		 * are followed like a table's, which is safe, as every fetch is
		 * checked against the region.
		 */
		tbl_and &= desc;
		attrs |= desc;
		shift -= stride;
		level++;
		entry = host_bias + ((ia >> (shift - 3)) & (((1ULL << stride) - 1) << 3));
		/* (kept whole, so that the compiler adds the table to it last) */
		__asm__("" : "+r"(entry));
		table = desc & addr_mask;
		if (unlikely(table - base >= tspan))
			return false;
		desc = ims_ram_ld64_aligned((const uint8_t *)(entry + table));
	}
	/*
	 * A page (type 11 at level 3), AF (unless AFFD), the output within oas;
	 * and tables (type 11) at every level above.
	 */
	if ((desc & (tbl_and | ~VMSA_DESC_TYPE) & VMSA_FAST_LD(f->leaf_mask)) !=
	    VMSA_FAST_LD(f->leaf_val))
		return false;
	out->oa = (desc & addr_mask) | (ia & ((1ULL << gs) - 1));
	out->perm = vmsa_s1_perm(desc, attrs & VMSA_FAST_LD(f->attr_mask));
	out->ng = !!(desc & VMSA_DESC_NG);
	return true;
}

/* Any granule and start level, out of line (walk.c). */
__attribute__((noinline)) bool vmsa_fast_walk_generic(const struct vmsa_fast *f,
						      const uint32_t *seqp, uint32_t seq,
						      uint64_t ia, struct vmsa_fast_out *out);

/* The fast walk of @ia through @f: the common 4K / level-0 regime inline, others out of line. */
static inline __attribute__((always_inline)) bool vmsa_fast_walk_any(const struct vmsa_fast *f,
								     const uint32_t *seqp,
								     uint32_t seq, uint64_t ia,
								     struct vmsa_fast_out *out)
{
	unsigned int kind = VMSA_FAST_LD(f->kind);

	if (likely(kind == VMSA_FAST_4K_L0))
		return vmsa_fast_walk(f, seqp, seq, ia, out, 12, 0);
	if (kind == VMSA_FAST_NONE)
		return false;
	return vmsa_fast_walk_generic(f, seqp, seq, ia, out);
}

/* A nested walk (@p->s2 set), out of line (walk.c). */
__attribute__((noinline)) int vmsa_walk_nested(struct ims_mem *mem, const struct vmsa_plan *p,
					       uint64_t ia, struct ims_vmsa_walk *out,
					       struct ims_vmsa_fault *fault);

/* The 4K granule from level 0, not nested (walk.c): a leaf function, all registers its own. */
__attribute__((noinline, hot)) int vmsa_walk_4k_l0(struct ims_mem *mem, const struct vmsa_plan *p,
						   uint64_t ia, struct ims_vmsa_walk *out,
						   struct ims_vmsa_fault *fault);

/* Any other granule or start level, not nested, out of line (walk.c). */
__attribute__((noinline)) int vmsa_walk_generic(struct ims_mem *mem, const struct vmsa_plan *p,
						uint64_t ia, struct ims_vmsa_walk *out,
						struct ims_vmsa_fault *fault);

/*
 * The walk of @ia through @p.  Return: 0 with *@out filled, or -EFAULT
 * (*@fault filled when not NULL), or another negative code from a nested
 * stage-2 fetch.
 */
static inline __attribute__((always_inline)) int
vmsa_walk_plan(struct ims_mem *mem, const struct vmsa_plan *p, uint64_t ia,
	       struct ims_vmsa_walk *out, struct ims_vmsa_fault *fault)
{
	if (unlikely(p->s2 != NULL))
		return vmsa_walk_nested(mem, p, ia, out, fault);
	if (likely(p->gs == 12 && p->level == 0))
		return vmsa_walk_4k_l0(mem, p, ia, out, fault);
	return vmsa_walk_generic(mem, p, ia, out, fault);
}

#endif
