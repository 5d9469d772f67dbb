/* SPDX-License-Identifier: MIT */
/*
 * Differential test of ims_vmsa_walk(): random translation tables in
 * simulated memory (random mappings of every leaf size, plus invalid,
 * reserved, AF=0, out-of-range and out-of-RAM entries), random input
 * addresses, and a separately written, deliberately simple reference walk.
 * Seeded: set IMS_TEST_SEED to replay.
 */
#include <iommusim/hw.h>
#include <iommusim/vmsa.h>

#include "../../tap.h"

#define RAM_BASE 0x40000000ULL
#define RAM_SIZE 0x08000000ULL /* 128 MiB */
#define HOLE 0x10000000ULL     /* below RAM: no memory there */
#define PA48 (1ULL << 48)

static uint64_t rng;

static uint64_t rnd(uint64_t n)
{
	return n ? tap_rand(&rng) % n : 0;
}

/* --- the reference walk ------------------------------------------------- */

/* Bit position of each level's index, per granule (4K, 16K, 64K); 0 = no such level. */
static const unsigned int ref_shift[3][4] = {
	{ 39, 30, 21, 12 },
	{ 47, 36, 25, 14 },
	{ 0, 42, 29, 16 },
};
/* Where a block (descriptor type 01) is a legal leaf. */
static const bool ref_block[3][4] = {
	{ false, true, true, false },
	{ false, false, true, false },
	{ false, false, true, false },
};

struct ref_out {
	int ret;
	struct ims_vmsa_walk w;
	struct ims_vmsa_fault f;
};

static int ref_fault(struct ref_out *o, enum ims_vmsa_fault_type t, int level, uint64_t pa)
{
	o->ret = -EFAULT;
	o->f.type = t;
	o->f.level = (uint8_t)level;
	o->f.desc_pa = pa;
	return o->ret;
}

static int ref_walk(struct ims_mem *mem, const struct ims_vmsa_cfg *c, uint64_t ia,
		    struct ref_out *o)
{
	int g = (c->granule_shift - 12) / 2;
	uint64_t gran = 1ULL << c->granule_shift, limit = 1ULL << c->oas;
	uint64_t tbl, desc = 0, pa = 0;
	bool no_el0 = false, no_write = false, tpxn = false, tuxn = false;
	int level;

	memset(o, 0, sizeof(*o));
	if (ia >= (1ULL << c->ias))
		return ref_fault(o, IMS_VMSA_F_TRANSLATION, c->start_level, 0);
	if (c->ttb >= limit)
		return ref_fault(o, IMS_VMSA_F_ADDR_SIZE, c->start_level, c->ttb);
	tbl = c->ttb;
	for (level = c->start_level; level <= 3; level++) {
		unsigned int lo = ref_shift[g][level];
		unsigned int hi = level == c->start_level ? c->ias : ref_shift[g][level - 1];
		uint64_t index = (ia % (1ULL << hi)) / (1ULL << lo);

		pa = tbl + 8 * index;
		if (ims_mem_read64(mem, pa, &desc))
			return ref_fault(o, IMS_VMSA_F_WALK_EABT, level, pa);
		if (desc % 2 == 0)
			return ref_fault(o, IMS_VMSA_F_TRANSLATION, level, pa);
		if (level == 3) {
			if (((desc >> 1) & 1) == 0)
				return ref_fault(o, IMS_VMSA_F_TRANSLATION, level, pa);
			break;
		}
		if (((desc >> 1) & 1) == 0) {
			if (!ref_block[g][level])
				return ref_fault(o, IMS_VMSA_F_TRANSLATION, level, pa);
			break;
		}
		tbl = (desc % PA48) / gran * gran;
		if (tbl >= limit)
			return ref_fault(o, IMS_VMSA_F_ADDR_SIZE, level, pa);
		if (!c->stage2 && !c->hpd) {
			no_el0 |= (desc >> 61) & 1;
			no_write |= (desc >> 62) & 1;
			tpxn |= (desc >> 59) & 1;
			tuxn |= (desc >> 60) & 1;
		}
	}
	{
		uint64_t size = 1ULL << ref_shift[g][level];
		uint64_t oa = (desc % PA48) / size * size;
		uint8_t perm = 0;

		if (oa >= limit)
			return ref_fault(o, IMS_VMSA_F_ADDR_SIZE, level, pa);
		if (!((desc >> 10) & 1) && !c->affd)
			return ref_fault(o, IMS_VMSA_F_ACCESS, level, pa);
		if (c->stage2) {
			static const uint8_t xn[4] = {
				IMS_VMSA_PERM_X_PRIV | IMS_VMSA_PERM_X_USER,
				IMS_VMSA_PERM_X_USER,
				0,
				IMS_VMSA_PERM_X_PRIV,
			};

			if ((desc >> 6) & 1)
				perm |= IMS_VMSA_PERM_R_PRIV | IMS_VMSA_PERM_R_USER;
			if ((desc >> 7) & 1)
				perm |= IMS_VMSA_PERM_W_PRIV | IMS_VMSA_PERM_W_USER;
			perm |= xn[(desc >> 53) & 3];
		} else {
			unsigned int ap = (unsigned int)(desc >> 6) & 3; /* AP[2:1] */
			bool pxn = ((desc >> 53) & 1) || tpxn, uxn = ((desc >> 54) & 1) || tuxn;

			if (no_el0)
				ap &= 2;
			if (no_write)
				ap |= 2;
			switch (ap) {
			case 0: /* EL1 RW */
				perm = IMS_VMSA_PERM_R_PRIV | IMS_VMSA_PERM_W_PRIV;
				break;
			case 1: /* EL1 and EL0 RW: EL1 may not execute it */
				perm = IMS_VMSA_PERM_R_PRIV | IMS_VMSA_PERM_W_PRIV |
				       IMS_VMSA_PERM_R_USER | IMS_VMSA_PERM_W_USER;
				pxn = true;
				break;
			case 2: /* EL1 RO */
				perm = IMS_VMSA_PERM_R_PRIV;
				break;
			default: /* EL1 and EL0 RO */
				perm = IMS_VMSA_PERM_R_PRIV | IMS_VMSA_PERM_R_USER;
				break;
			}
			if (!pxn)
				perm |= IMS_VMSA_PERM_X_PRIV;
			if (!uxn)
				perm |= IMS_VMSA_PERM_X_USER;
			o->w.ng = (desc >> 11) & 1;
		}
		o->w.oa = oa + ia % size;
		o->w.desc = desc;
		o->w.desc_pa = pa;
		o->w.level = (uint8_t)level;
		o->w.leaf_shift = (uint8_t)ref_shift[g][level];
		o->w.perm = perm;
	}
	return 0;
}

/* --- random tables ------------------------------------------------------- */

struct gen {
	struct ims_mem *mem;
	struct ims_vmsa_cfg cfg;
	int g;
	uint64_t ias_mask;
	uint64_t mapped[128];
	unsigned int nr_mapped;
};

static uint64_t rd(struct gen *gn, uint64_t pa)
{
	uint64_t v = 0;

	ims_mem_read64(gn->mem, pa, &v);
	return v;
}

static uint64_t new_table(struct gen *gn, unsigned int count)
{
	uint64_t pa = 0, size = (1ULL << gn->cfg.granule_shift) * count;

	if (ims_mem_alloc(gn->mem, &pa, size, size, IMS_MEM_ZERO))
		return 0;
	return pa;
}

/* Random bits the walker must ignore or decode: attributes, software bits, RES0 OA bits. */
static uint64_t noise(void)
{
	uint64_t v = 0;

	if (rnd(2))
		v |= rnd(1ULL << 4) << 2; /* AttrIndx/MemAttr, NS */
	v |= rnd(4) << 6;		  /* AP / S2AP */
	if (rnd(2))
		v |= rnd(4) << 8; /* SH */
	v |= rnd(2) << 11;	  /* nG */
	if (rnd(3) == 0)
		v |= rnd(16) << 48; /* OA[51:48]: not modelled, ignored */
	v |= rnd(4) << 52;	    /* contiguous, PXN */
	v |= rnd(2) << 54;	    /* UXN / XN[1] */
	if (rnd(2))
		v |= rnd(16) << 55; /* software bits */
	return v;
}

static uint64_t rand_oa(struct gen *gn, unsigned int shift)
{
	uint64_t oa = rnd(10) == 0 ? rnd(PA48) : rnd(1ULL << gn->cfg.oas);

	oa &= ~((1ULL << shift) - 1);
	/* Sometimes set the RES0 bits below a block's size: they are not OA bits. */
	if (rnd(4) == 0)
		oa |= rnd(1ULL << shift) & ~0xfffULL;
	return oa;
}

static void remember(struct gen *gn, uint64_t ia)
{
	if (gn->nr_mapped < sizeof(gn->mapped) / sizeof(gn->mapped[0]))
		gn->mapped[gn->nr_mapped++] = ia;
}

/* Map one random address at a random level, sometimes with a broken entry. */
static void gen_mapping(struct gen *gn)
{
	const struct ims_vmsa_cfg *c = &gn->cfg;
	unsigned int gs = c->granule_shift;
	uint64_t ia = rnd(1ULL << c->ias), tbl = c->ttb;
	int leaf = c->start_level + (int)rnd((uint64_t)(4 - c->start_level));

	for (int level = c->start_level; level <= 3; level++) {
		unsigned int lo = ref_shift[gn->g][level];
		unsigned int hi = level == c->start_level ? c->ias : ref_shift[gn->g][level - 1];
		uint64_t pa = tbl + 8 * ((ia & ((1ULL << hi) - 1)) >> lo);
		uint64_t d = rd(gn, pa), v;

		if (level < leaf) {
			if ((d & 3) == 3) {
				tbl = d & (PA48 - 1) & ~((1ULL << gs) - 1);
				if (tbl < RAM_BASE || tbl >= RAM_BASE + RAM_SIZE)
					return;
				continue;
			}
			if (d & 1)
				return; /* a leaf already sits here */
			switch (rnd(24)) {
			case 0: /* a table outside RAM */
				v = HOLE + rnd(64) * (1ULL << gs);
				break;
			case 1: /* a table beyond oas */
				v = (c->oas < 48 ? (1ULL << c->oas) : 0) + RAM_BASE;
				break;
			default:
				v = new_table(gn, 1);
				if (!v)
					return;
			}
			d = v | 3 | (rnd(4) ? 0 : rnd(32) << 59) |
			    (rnd(2) ? rnd(1ULL << 7) << 52 : 0);
			ims_mem_write64(gn->mem, pa, d);
			if (v < RAM_BASE || v >= RAM_BASE + RAM_SIZE) {
				remember(gn, ia); /* a broken table: query below it */
				return;
			}
			tbl = v;
			continue;
		}
		if (d & 1)
			return;
		v = rand_oa(gn, lo) | noise() | (1ULL << 10);
		switch (rnd(16)) {
		case 0: /* access flag clear */
			v &= ~(1ULL << 10);
			v |= level == 3 ? 3 : 1;
			break;
		case 1: /* invalid with other bits set */
			v &= ~1ULL;
			break;
		case 2: /* the other leaf type: reserved at level 3, a table elsewhere */
			v |= level == 3 ? 1 : 3;
			v &= level == 3 ? ~2ULL : ~0ULL;
			break;
		default:
			v |= level == 3 ? 3 : 1;
		}
		if (level < 3 && (v & 3) == 3)
			v = (v & ~(PA48 - 1)) | (RAM_BASE + rnd(RAM_SIZE / 8) * 8) | 3;
		ims_mem_write64(gn->mem, pa, v);
		remember(gn, ia);
		return;
	}
}

static bool same(int ret, const struct ims_vmsa_walk *w, const struct ims_vmsa_fault *f,
		 const struct ref_out *r)
{
	if (ret != r->ret)
		return false;
	if (ret)
		return f->type == r->f.type && f->level == r->f.level && f->desc_pa == r->f.desc_pa;
	return w->oa == r->w.oa && w->desc == r->w.desc && w->desc_pa == r->w.desc_pa &&
	       w->level == r->w.level && w->leaf_shift == r->w.leaf_shift && w->perm == r->w.perm &&
	       w->ng == r->w.ng;
}

/* One random regime: tables, mappings and queries; returns the mismatch count. */
static unsigned int trial(unsigned int gs, bool stage2, unsigned int *walks, unsigned int *oks,
			  unsigned int *faults)
{
	static const unsigned int oas_choices[] = { 32, 36, 40, 42, 44, 48 };
	struct gen gn = { 0 };
	unsigned int bad = 0, concat = 1;
	int sl;

	if (ims_mem_new(&gn.mem, NULL) || ims_mem_add_ram(gn.mem, RAM_BASE, RAM_SIZE))
		return 1;
	gn.g = (int)(gs - 12) / 2;
	gn.cfg.granule_shift = (uint8_t)gs;
	gn.cfg.stage2 = stage2;
	gn.cfg.oas = (uint8_t)oas_choices[rnd(6)];
	gn.cfg.affd = rnd(4) == 0;
	gn.cfg.hpd = rnd(4) == 0;
	for (;;) {
		unsigned int ias = 25 + (unsigned int)rnd(24);

		if (stage2) {
			sl = ims_vmsa_s2_start_level(gs, (unsigned int)rnd(4), ias, &concat);
		} else {
			sl = ims_vmsa_s1_start_level(gs, ias);
			concat = 1;
		}
		if (sl >= 0) {
			gn.cfg.ias = (uint8_t)ias;
			break;
		}
	}
	gn.cfg.start_level = (int8_t)sl;
	gn.cfg.concat = (uint8_t)concat;
	gn.cfg.ttb = new_table(&gn, concat);
	for (int i = 0; i < 48; i++)
		gen_mapping(&gn);
	for (int i = 0; i < 400; i++) {
		struct ims_vmsa_walk w;
		struct ims_vmsa_fault f;
		struct ref_out r;
		uint64_t ia;
		int ret;

		switch (rnd(8)) {
		case 0:
			ia = tap_rand(&rng); /* mostly beyond ias */
			break;
		case 1:
		case 2:
			ia = rnd(1ULL << gn.cfg.ias);
			break;
		default: /* near a mapping: inside its leaf, or its neighbours */
			ia = gn.nr_mapped ? gn.mapped[rnd(gn.nr_mapped)] : 0;
			ia ^= rnd(1ULL << (gs + rnd(gs - 2)));
			ia &= (1ULL << gn.cfg.ias) - 1;
		}
		memset(&w, 0, sizeof(w));
		memset(&f, 0, sizeof(f));
		ret = ims_vmsa_walk(gn.mem, &gn.cfg, ia, &w, &f);
		ref_walk(gn.mem, &gn.cfg, ia, &r);
		(*walks)++;
		if (ret == 0)
			(*oks)++;
		else
			faults[f.type]++;
		if (!same(ret, &w, &f, &r)) {
			if (bad++ < 3)
				diag("mismatch gs %u s2 %d ias %u oas %u sl %d concat %u ia "
				     "0x%llx: "
				     "ret %d/%d oa 0x%llx/0x%llx perm 0x%x/0x%x fault %d/%d l%d/%d "
				     "pa 0x%llx/0x%llx",
				     gs, stage2, gn.cfg.ias, gn.cfg.oas, sl, concat,
				     (unsigned long long)ia, ret, r.ret, (unsigned long long)w.oa,
				     (unsigned long long)r.w.oa, w.perm, r.w.perm, f.type, r.f.type,
				     ret ? f.level : w.level, r.ret ? r.f.level : r.w.level,
				     (unsigned long long)(ret ? f.desc_pa : w.desc_pa),
				     (unsigned long long)(r.ret ? r.f.desc_pa : r.w.desc_pa));
		}
	}
	ims_mem_free(gn.mem);
	return bad;
}

int main(void)
{
	static const unsigned int granules[] = { 12, 14, 16 };

	rng = tap_seed(0x766d7361ULL);
	for (int s2 = 0; s2 < 2; s2++) {
		for (int gi = 0; gi < 3; gi++) {
			unsigned int walks = 0, oks = 0, faults[6] = { 0 }, bad = 0;

			for (int t = 0; t < 40; t++)
				bad += trial(granules[gi], s2, &walks, &oks, faults);
			is_int(bad, 0, "%s %uK: walker agrees with the reference on %u walks",
			       s2 ? "stage 2" : "stage 1", 1u << (granules[gi] - 10), walks);
			/* The generator must exercise every outcome, or the comparison is weak. */
			ok(oks > walks / 10, "%s %uK: %u successful walks", s2 ? "S2" : "S1",
			   1u << (granules[gi] - 10), oks);
			ok(faults[IMS_VMSA_F_TRANSLATION] && faults[IMS_VMSA_F_ADDR_SIZE] &&
				   faults[IMS_VMSA_F_ACCESS] && faults[IMS_VMSA_F_WALK_EABT],
			   "%s %uK: every fault kind seen (T %u, AS %u, AF %u, EABT %u)",
			   s2 ? "S2" : "S1", 1u << (granules[gi] - 10),
			   faults[IMS_VMSA_F_TRANSLATION], faults[IMS_VMSA_F_ADDR_SIZE],
			   faults[IMS_VMSA_F_ACCESS], faults[IMS_VMSA_F_WALK_EABT]);
		}
	}
	return tap_done();
}
