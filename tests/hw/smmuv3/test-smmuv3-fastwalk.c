/* SPDX-License-Identifier: MIT */
/*
 * The SMMUv3 model's fast stage-1 walks (a resolved context from the fast
 * table, struct vmsa_fast) against its general path.  Three models share one
 * physical address space, one stream table and one CD:
 *   ref   no configuration cache and no IOTLB: every transaction resolves the
 *         STE and CD and walks with ims_vmsa_walk() (the general path);
 *   walk  configuration cache, no IOTLB (the fast walk with no TLB);
 *   tlb   configuration cache and IOTLB (the fast walk after an IOTLB miss,
 *         then IOTLB and micro-TLB hits).
 * Random stage-1 tables (every granule, many input sizes, blocks, invalid
 * and reserved descriptors, AF, AP, XN, table attributes, tables beyond the
 * output size, in a second RAM region or outside RAM) and random
 * transactions (TTB0 and TTB1, TBI, out-of-range addresses, every access
 * kind, STE.INSTCFG/PRIVCFG) must give bit-identical results: status, PA,
 * permissions, and for faults the event record and walk fault.
 */
#include <string.h>

#include <iommusim/hw.h>
#include <iommusim/smmuv3.h>

#include "hw/smmuv3/smmuv3-regs.h"
#include "util/compiler.h"
#include "util/le.h"
#include "../../tap.h"

#define RAM0 0x80000000ULL
#define RAM0_SIZE (64ULL << 20)
#define RAM1 0xff000000ULL /* straddles 2^32: partly beyond a 32-bit output size */
#define RAM1_SIZE (32ULL << 20)
#define MMIO(i) (0x09000000ULL + 0x100000ULL * (i))
#define SID 5
#define ROUNDS 160
#define TARGETS 24

enum { REF, WALK, TLB, NMODELS };

struct fw {
	struct ims_mem *mem;
	struct ims_smmuv3 *smmu[NMODELS];
	uint64_t seed;
	uint64_t bump0, bump1; /* table allocation in RAM0 / RAM1 */
	uint64_t tables[64];   /* some of the tables allocated */
	unsigned int ntables;
	unsigned int gs[2], ias[2], sl[2], oas;
	uint64_t root[2];
};

static uint64_t rnd(struct fw *f, uint64_t n)
{
	return tap_rand(&f->seed) % n;
}

static uint64_t table_alloc(struct fw *f, unsigned int gs, bool ram1)
{
	uint64_t *bump = ram1 ? &f->bump1 : &f->bump0;
	uint64_t pa = ALIGN_UP(*bump, 1ULL << gs);

	*bump = pa + (1ULL << gs);
	if (f->ntables < ARRAY_SIZE(f->tables))
		f->tables[f->ntables++] = pa;
	return pa;
}

static unsigned int lvl_shift(unsigned int gs, unsigned int lvl)
{
	return gs + (3 - lvl) * (gs - 3);
}

/* A random leaf (block, page, or something that is neither) for @lvl. */
static uint64_t rand_leaf(struct fw *f, unsigned int gs, unsigned int lvl)
{
	uint64_t oa, d;
	unsigned int k = (unsigned int)rnd(f, 100);

	if (k < 4)
		return 0; /* invalid */
	if (k < 8)
		return rnd(f, 1ULL << 62) & ~1ULL; /* invalid, with other bits */
	oa = RAM0 + (rnd(f, RAM0_SIZE) & ~((1ULL << gs) - 1));
	if (k < 12)
		oa = rnd(f, 1ULL << 48) & ~((1ULL << gs) - 1); /* anywhere, maybe beyond oas */
	else if (k < 30 && f->ntables)
		oa = f->tables[rnd(f, f->ntables)]; /* a table (read as one if misdecoded) */
	d = oa | (lvl == 3 || rnd(f, 2) ? 3 : 1);   /* a page at level 3, else mostly tables */
	if (lvl < 3 && rnd(f, 3) == 0)
		d = (d & ~3ULL) | 1; /* a block, allowed or not */
	if (lvl == 3 && rnd(f, 20) == 0)
		d = (d & ~3ULL) | 1; /* reserved at level 3 */
	if (rnd(f, 12))
		d |= BIT_ULL(10); /* AF */
	d |= rnd(f, 4) << 6;	  /* AP[2:1] */
	if (rnd(f, 4) == 0)
		d |= rnd(f, 4) << 53; /* PXN, UXN */
	if (rnd(f, 2))
		d |= BIT_ULL(11); /* nG */
	if (rnd(f, 8) == 0)
		d |= rnd(f, 1 << 10) << gs; /* low output bits (RES0 below a block's size) */
	return d;
}

/*
 * Fill the new table at @pa (for level @lvl) with random descriptors: half
 * invalid, the rest leaves or tables allocated earlier (so that a walk that
 * misdecodes a descriptor reaches something it could translate through).
 */
static void fill_table(struct fw *f, uint64_t pa, unsigned int gs, unsigned int lvl)
{
	static uint8_t buf[1 << 16];
	unsigned int n = 1u << (gs - 3);

	for (unsigned int i = 0; i < n; i++) {
		uint64_t d = 0;
		unsigned int k = (unsigned int)rnd(f, 8);

		if (k >= 4 && lvl < 3 && k < 7 && f->ntables)
			d = f->tables[rnd(f, f->ntables)] | 3 | (rnd(f, 8) ? 0 : rnd(f, 16) << 59);
		else if (k >= 4)
			d = rand_leaf(f, gs, lvl);
		ims_st_le64(buf + 8 * i, d);
	}
	ims_mem_write(f->mem, pa, buf, 8ULL * n);
}

/* Build the path to @ia through regime @r, choosing each descriptor at random. */
static void build_path(struct fw *f, unsigned int r, uint64_t ia)
{
	unsigned int gs = f->gs[r], stride = gs - 3;
	uint64_t table = f->root[r];

	for (unsigned int lvl = f->sl[r]; lvl <= 3; lvl++) {
		unsigned int sh = lvl_shift(gs, lvl);
		uint64_t bits = lvl == f->sl[r] ? f->ias[r] - sh : stride;
		uint64_t dpa = table + 8 * ((ia >> sh) & ((1ULL << bits) - 1)), d = 0;
		unsigned int k;

		if (ims_mem_read64(f->mem, dpa, &d))
			return; /* the table lies outside RAM */
		if ((d & 3) == 3 && lvl < 3) {
			table = d & GENMASK_ULL(47, gs);
			continue;
		}
		if (d & 1)
			return; /* a leaf is already there */
		k = (unsigned int)rnd(f, 100);
		if (lvl == 3 || k < 12) {
			ims_mem_write64(f->mem, dpa, rand_leaf(f, gs, lvl));
			return;
		}
		if (k < 15) {
			/* A table outside RAM, or beyond a small oas. */
			ims_mem_write64(f->mem, dpa,
					(rnd(f, 2) ? 0x10000000ULL : 0x7f0000000000ULL) | 3);
			return;
		}
		table = table_alloc(f, gs, k < 25);
		if (rnd(f, 2))
			fill_table(f, table, gs, lvl + 1);
		d = table | 3;
		if (rnd(f, 6) == 0)
			d |= rnd(f, 16) << 59; /* PXNTable, UXNTable, APTable */
		ims_mem_write64(f->mem, dpa, d);
	}
}

static const unsigned int tg0_of[] = { 0, 2, 1 }; /* 4K, 16K, 64K (CD.TG0) */
static const unsigned int tg1_of[] = { 2, 1, 3 }; /* (CD.TG1) */
static const unsigned int ips_bits[] = { 32, 36, 40, 42, 44, 48 };

static int fw_setup(struct fw *f)
{
	struct ims_smmuv3_params p;
	uint64_t strtab, cd, d0, ste0, ste1;
	unsigned int ips, affd, tbi, epd1, ovr;
	int ret;

	ret = ims_mem_new(&f->mem, NULL);
	if (!ret)
		ret = ims_mem_add_ram(f->mem, RAM0, RAM0_SIZE);
	if (!ret)
		ret = ims_mem_add_ram(f->mem, RAM1, RAM1_SIZE);
	for (unsigned int i = 0; i < NMODELS && !ret; i++) {
		ims_smmuv3_params_default(&p);
		if (i != TLB)
			p.iotlb_sets = p.iotlb_ways = 0;
		if (i == REF)
			p.cfg_cache_entries = 0;
		ret = ims_smmuv3_new(&f->smmu[i], f->mem, MMIO(i), &p, NULL);
	}
	if (ret)
		return ret;
	f->bump0 = RAM0 + (1ULL << 20);
	f->ntables = 0;
	f->bump1 = (1ULL << 32) - 0x40000; /* tables below 2^32, then above */
	strtab = f->bump0;
	cd = strtab + 64 * 64;
	f->bump0 = cd + 64;
	ips = (unsigned int)rnd(f, 3);
	ips = ips == 0 ? 5 : ips == 1 ? 0 : (unsigned int)rnd(f, 5);
	f->oas = ips_bits[ips];
	affd = rnd(f, 4) == 0;
	tbi = (unsigned int)rnd(f, 4);
	epd1 = rnd(f, 3) == 0;
	d0 = CD_0_V | CD_0_AA64 | CD_0_A | FIELD_PREP(CD_0_IPS, ips) | FIELD_PREP(CD_0_TBI, tbi) |
	     (affd ? CD_0_AFFD : 0) | (rnd(f, 2) ? CD_0_R : 0) | FIELD_PREP(CD_0_ASID, 7) |
	     (epd1 ? CD_0_EPD1 : 0);
	for (unsigned int r = 0; r < 2; r++) {
		unsigned int g = (unsigned int)rnd(f, 3), gs = 12 + 2 * g, min_ias, stride;
		int sl;

		f->gs[r] = gs;
		stride = gs - 3;
		/* TxSZ 16..39, and the input must exceed one page. */
		min_ias = gs + 1 > 25 ? gs + 1 : 25;
		f->ias[r] = min_ias + (unsigned int)rnd(f, 48 - min_ias + 1);
		if (rnd(f, 2))
			f->ias[r] = 48 - (unsigned int)rnd(f, 4); /* mostly large */
		sl = ims_vmsa_s1_start_level(gs, f->ias[r]);
		if (sl < 0)
			return sl;
		f->sl[r] = (unsigned int)sl;
		(void)stride;
		f->root[r] = table_alloc(f, gs, rnd(f, 4) == 0);
		d0 |= r ? FIELD_PREP(CD_0_TG1, tg1_of[g]) | FIELD_PREP(CD_0_T1SZ, 64 - f->ias[r])
			: FIELD_PREP(CD_0_TG0, tg0_of[g]) | FIELD_PREP(CD_0_T0SZ, 64 - f->ias[r]);
	}
	ims_mem_write64(f->mem, cd, d0);
	ims_mem_write64(f->mem, cd + 8, f->root[0]);
	ims_mem_write64(f->mem, cd + 16, f->root[1]);
	/* STE.INSTCFG / PRIVCFG: 0 (incoming), 2 or 3. */
	ovr = (unsigned int)rnd(f, 9);
	ste0 = STE_0_V | FIELD_PREP(STE_0_CFG, STE_CFG_S1) | (cd & STE_0_S1CTXPTR);
	ste1 = FIELD_PREP(STE_1_INSTCFG, ovr / 3 ? ovr / 3 + 1 : 0) |
	       FIELD_PREP(STE_1_PRIVCFG, ovr % 3 ? ovr % 3 + 1 : 0);
	ims_mem_write64(f->mem, strtab + 64 * SID, ste0);
	ims_mem_write64(f->mem, strtab + 64 * SID + 8, ste1);
	for (unsigned int i = 0; i < NMODELS; i++) {
		ims_mmio_write(f->mem, MMIO(i) + SMMU_STRTAB_BASE, 8, strtab);
		ims_mmio_write(f->mem, MMIO(i) + SMMU_STRTAB_BASE_CFG, 4, 6);
		ims_mmio_write(f->mem, MMIO(i) + SMMU_CR0, 4, CR0_SMMUEN);
	}
	return 0;
}

static void fw_free(struct fw *f)
{
	for (unsigned int i = 0; i < NMODELS; i++)
		ims_smmuv3_free(f->smmu[i]);
	ims_mem_free(f->mem);
	memset(f->smmu, 0, sizeof(f->smmu));
	f->mem = NULL;
}

/* An input address in regime @r: within its range, or (rarely) not. */
static uint64_t rand_ia(struct fw *f, unsigned int r)
{
	uint64_t ia = rnd(f, 1ULL << f->ias[r]);

	if (r)
		ia |= ~0ULL << f->ias[r];
	if (rnd(f, 4) == 0)
		ia = (ia & GENMASK_ULL(55, 0)) | (rnd(f, 256) << 56); /* a top byte (TBI) */
	if (rnd(f, 20) == 0)
		ia ^= BIT_ULL(f->ias[r] + (unsigned int)rnd(f, 55 - f->ias[r])); /* out of range */
	return ia;
}

static const unsigned int accesses[] = {
	IMS_VMSA_READ,
	IMS_VMSA_WRITE,
	IMS_VMSA_READ | IMS_VMSA_EXEC,
	IMS_VMSA_READ | IMS_VMSA_PRIV,
	IMS_VMSA_WRITE | IMS_VMSA_PRIV,
	IMS_VMSA_READ | IMS_VMSA_EXEC | IMS_VMSA_PRIV,
	IMS_VMSA_WRITE | IMS_VMSA_EXEC,
};

static bool same(const struct ims_txn_result *a, const struct ims_txn_result *b)
{
	if (a->status != b->status || a->fault.event != b->fault.event)
		return false;
	if (a->status == IMS_TXN_OK || a->status == IMS_TXN_BYPASS)
		return a->pa == b->pa && a->perm == b->perm;
	return !memcmp(a->fault.record, b->fault.record, sizeof(a->fault.record)) &&
	       a->fault.vmsa.type == b->fault.vmsa.type &&
	       a->fault.vmsa.level == b->fault.vmsa.level &&
	       a->fault.vmsa.desc_pa == b->fault.vmsa.desc_pa && a->fault.ipa == b->fault.ipa;
}

int main(void)
{
	struct fw f;
	unsigned long txns = 0, bad[NMODELS] = { 0 }, kinds[4] = { 0 }, errs = 0;
	unsigned long per_gs[3] = { 0 };

	memset(&f, 0, sizeof(f));
	f.seed = tap_seed(0x5eedfa57ULL);
	for (unsigned int round = 0; round < ROUNDS; round++) {
		uint64_t targets[TARGETS];

		if (fw_setup(&f)) {
			errs++;
			fw_free(&f);
			continue;
		}
		for (unsigned int t = 0; t < TARGETS; t++) {
			unsigned int r = rnd(&f, 4) == 0;

			targets[t] = rand_ia(&f, r);
			build_path(&f, (unsigned int)((targets[t] >> 55) & 1), targets[t]);
		}
		/* Each target several times (IOTLB and micro-TLB hits in "tlb"). */
		for (unsigned int n = 0; n < 4 * TARGETS; n++) {
			struct ims_txn txn = { .sid = SID, .size = 4 };
			struct ims_txn_result res[NMODELS];

			txn.addr = (targets[rnd(&f, TARGETS)] & ~0xfffULL) | (rnd(&f, 1024) * 4);
			txn.access = accesses[rnd(&f, ARRAY_SIZE(accesses))];
			for (unsigned int i = 0; i < NMODELS; i++) {
				memset(&res[i], 0x5a, sizeof(res[i]));
				if (ims_smmuv3_translate(f.smmu[i], &txn, &res[i]))
					errs++;
			}
			for (unsigned int i = WALK; i < NMODELS; i++) {
				if (!same(&res[REF], &res[i])) {
					if (bad[i]++ < 5)
						diag("round %u: model %u differs at 0x%llx access "
						     "%u "
						     "(status %d/%d pa 0x%llx/0x%llx event "
						     "0x%x/0x%x)",
						     round, i, (unsigned long long)txn.addr,
						     txn.access, res[REF].status, res[i].status,
						     (unsigned long long)res[REF].pa,
						     (unsigned long long)res[i].pa,
						     res[REF].fault.event, res[i].fault.event);
				}
			}
			kinds[res[REF].status == IMS_TXN_OK		   ? 0
			      : res[REF].fault.event == EVT_ID_TRANSLATION ? 1
									   : 2]++;
			if (res[REF].status == IMS_TXN_OK)
				per_gs[(f.gs[(txn.addr >> 55) & 1] - 12) / 2]++;
			txns++;
		}
		fw_free(&f);
	}
	is_int(errs, 0, "every round set up and every transaction was accepted");
	ok(kinds[0] > txns / 5 && kinds[1] > 0 && kinds[2] > 0,
	   "the transactions mix translations (%lu), translation faults (%lu) and other faults "
	   "(%lu) of %lu",
	   kinds[0], kinds[1], kinds[2], txns);
	ok(per_gs[0] && per_gs[1] && per_gs[2],
	   "translations through every granule (4K %lu, 16K %lu, 64K %lu)", per_gs[0], per_gs[1],
	   per_gs[2]);
	is_int(bad[WALK], 0, "the fast walk without an IOTLB agrees with the general path");
	is_int(bad[TLB], 0,
	       "the fast walk with an IOTLB, and its hits, agree with the general path");
	return tap_done();
}
