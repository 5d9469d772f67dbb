// SPDX-License-Identifier: MIT
/*
 * Differential tests: seeded random map/unmap sequences on tables in
 * simulated memory, checked against the reference model (src/pgtable/ref.c)
 * through iova_to_phys(), and through the VMSA walker (ims_vmsa_walk())
 * configured only from the register values the format computed (TTBR/TCR,
 * VTTBR/VTCR).  Then the fuzz entry point on random and crafted inputs.
 */
#include <iommusim/vmsa.h>

#include "../tap.h"
#include "pgt-test.h"
#include "pgtable/ref.h"

static struct pgt_env env;

/* The walker's view, decoded from the registers alone. */
static int vmsa_cfg_from_regs(const struct ims_io_pgtable_cfg *cfg, bool s2, struct ims_vmsa_cfg *v)
{
	static const uint8_t ps_bits[8] = { 32, 36, 40, 42, 44, 48, 52, 0 };
	uint64_t tcr = s2 ? cfg->s2.vtcr_val : cfg->s1.tcr_val;
	unsigned int tg = (tcr >> 14) & 3, t0sz = tcr & 0x3f, concat = 1;
	int sl;

	memset(v, 0, sizeof(*v));
	v->granule_shift = tg == 0 ? 12 : tg == 1 ? 16 : 14;
	v->ias = (uint8_t)(64 - t0sz);
	v->oas = ps_bits[s2 ? (tcr >> 16) & 7 : (tcr >> 32) & 7];
	v->stage2 = s2;
	if (s2) {
		sl = ims_vmsa_s2_start_level(v->granule_shift, (tcr >> 6) & 3, v->ias, &concat);
		v->ttb = cfg->s2.vttbr;
	} else {
		sl = ims_vmsa_s1_start_level(v->granule_shift, v->ias);
		v->ttb = cfg->s1.ttbr;
	}
	if (sl < 0)
		return sl;
	v->start_level = (int8_t)sl;
	v->concat = (uint8_t)concat;
	return 0;
}

struct diff_stats {
	long eexist, unmapped_zero, partial;
	long ops, lookups, walks, bad_ret, bad_cb, bad_lookup, bad_walk, bad_perm;
};

static void check_iova(struct ims_io_pgtable_ops *ops, const struct ims_pgtable_ref *ref,
		       const struct ims_vmsa_cfg *v, const int *prot_of, uint64_t iova,
		       struct diff_stats *st)
{
	uint64_t want = ims_pgtable_ref_lookup(ref, iova);
	struct ims_vmsa_walk w;
	struct ims_vmsa_fault f;
	int ret;

	if (iova >= IMS_REF_SPAN)
		return; /* the reference covers 4 GiB; with ias 32 Linux aliases above */
	st->lookups++;
	if (ops->iova_to_phys(ops, iova) != want)
		st->bad_lookup++;
	ret = ims_vmsa_walk(env.mem, v, iova, &w, &f);
	st->walks++;
	if (!want) {
		if (ret != -EFAULT || f.type != IMS_VMSA_F_TRANSLATION)
			st->bad_walk++;
		return;
	}
	if (ret || w.oa != want) {
		st->bad_walk++;
		return;
	}
	/* The prot used for this mapping is a function of its pa (see below). */
	{
		int prot = prot_of[(want >> 30) & 3];
		bool r = ims_vmsa_permits(w.perm, IMS_VMSA_READ);
		bool wr = ims_vmsa_permits(w.perm, IMS_VMSA_WRITE);

		if (r != true || wr != !!(prot & IMS_IOMMU_WRITE))
			st->bad_perm++;
	}
}

static void run(enum ims_io_pgtable_fmt fmt, unsigned int ias, uint64_t seed, int nops)
{
	static const uint64_t sizes[3] = { SZ_4K, SZ_2M, SZ_1G };
	/* Every mapping is readable; writability depends on the pa's bits 31:30. */
	static const int prot_of[4] = { IMS_IOMMU_READ | IMS_IOMMU_WRITE | IMS_IOMMU_CACHE,
					IMS_IOMMU_READ, IMS_IOMMU_READ | IMS_IOMMU_NOEXEC,
					IMS_IOMMU_READ | IMS_IOMMU_WRITE };
	const char *fn = fmt == IMS_ARM_64_LPAE_S1 ? "S1" : "S2";
	struct ims_io_pgtable_cfg cfg;
	struct ims_io_pgtable_ops *ops;
	struct ims_pgtable_ref ref;
	struct ims_vmsa_cfg v;
	struct diff_stats st = { 0 };
	uint64_t s = seed;

	pgt_cfg_init(&cfg, &env, SZ_4K | SZ_2M | SZ_1G, ias, 40);
	env.pgsize_bitmap = cfg.pgsize_bitmap;
	env.add_page = env.flush_walk = 0;
	if (ims_pgtable_alloc_ops(&ops, fmt, &cfg, &env) || ims_pgtable_ref_init(&ref)) {
		ok(0, "%s ias %u: setup", fn, ias);
		return;
	}
	is_int(vmsa_cfg_from_regs(&cfg, fmt == IMS_ARM_64_LPAE_S2, &v), 0,
	       "%s ias %u: the walker accepts the register values", fn, ias);

	for (int n = 0; n < nops; n++) {
		uint64_t r = tap_rand(&s), size = sizes[r % 8 < 5 ? 0 : r % 8 < 7 ? 1 : 2];
		/* Cluster addresses so that operations collide often. */
		uint64_t iova = (tap_rand(&s) % (size == SZ_1G	 ? 4
						 : size == SZ_2M ? 64
								 : 4096)) *
				size;
		uint64_t count = size == SZ_1G ? 1 : 1 + tap_rand(&s) % (size == SZ_4K ? 40 : 4);
		uint64_t pa = 0x100000000ULL + (tap_rand(&s) % 64) * SZ_1G / 16;

		if (size == SZ_4K && (r >> 8) % 4 == 0)
			iova += 3 * SZ_1G; /* some pages far from the others */
		if (iova >= IMS_REF_SPAN)
			iova %= IMS_REF_SPAN;
		pa &= ~(size - 1);
		st.ops++;
		if ((r >> 16) % 5 < 2) {
			uint64_t got = ops->unmap_pages(ops, iova, size, count, NULL);

			if (got != ims_pgtable_ref_unmap(&ref, iova, size, count))
				st.bad_ret++;
			st.unmapped_zero += !got;
			st.partial += got && got < count * size;
		} else {
			size_t gm = 0, wm = 0;
			int prot = prot_of[(pa >> 30) & 3];
			int got = ops->map_pages(ops, iova, pa, size, count, prot, 0, &gm);

			if (got != ims_pgtable_ref_map(&ref, iova, pa, size, count, &wm) ||
			    gm != wm)
				st.bad_ret++;
			st.eexist += got == -EEXIST;
		}
		if ((uint64_t)atomic_load(&env.add_page) != ref.add_pages ||
		    (uint64_t)atomic_load(&env.flush_walk) != ref.flush_walks)
			st.bad_cb++;
		check_iova(ops, &ref, &v, prot_of, iova + 0x10, &st);
		check_iova(ops, &ref, &v, prot_of, iova + count * size - 0x10, &st);
		check_iova(ops, &ref, &v, prot_of, tap_rand(&s) % IMS_REF_SPAN, &st);
	}
	/* Sweep: every page of every table-backed 2M, two points elsewhere. */
	for (unsigned int i2 = 0; i2 < IMS_REF_L2; i2++) {
		uint64_t base = (uint64_t)i2 * SZ_2M;

		if (ims_pgtable_ref_l2_state(&ref, i2) == REF_TABLE)
			for (unsigned int j = 0; j < 512; j++)
				check_iova(ops, &ref, &v, prot_of, base + j * SZ_4K + 0x28, &st);
		else
			check_iova(ops, &ref, &v, prot_of, base + 0x123456, &st);
	}
	diag("%s ias %u: %ld ops (%ld -EEXIST, %ld unmaps of nothing, %ld partial unmaps), "
	     "%llu leaves to tlb_add_page, %llu tables flushed and freed, %ld lookups, %ld walks",
	     fn, ias, st.ops, st.eexist, st.unmapped_zero, st.partial,
	     (unsigned long long)ref.add_pages, (unsigned long long)ref.flush_walks, st.lookups,
	     st.walks);
	ok(st.eexist > 0 && st.unmapped_zero > 0 && st.partial > 0 && ref.flush_walks > 0,
	   "%s ias %u: the sequence exercised -EEXIST, empty and partial unmaps, table frees", fn,
	   ias);
	is_int(st.bad_ret, 0, "%s ias %u: every map/unmap result and mapped count agrees", fn, ias);
	is_int(st.bad_cb, 0, "%s ias %u: tlb_add_page / tlb_flush_walk counts agree", fn, ias);
	is_int(st.bad_lookup, 0, "%s ias %u: iova_to_phys agrees with the reference", fn, ias);
	is_int(st.bad_walk, 0, "%s ias %u: ims_vmsa_walk agrees with the reference", fn, ias);
	is_int(st.bad_perm, 0, "%s ias %u: the walker sees the permissions mapped", fn, ias);
	ims_pgtable_ref_fini(&ref);
	ims_pgtable_free_ops(ops);
	is_int(atomic_load(&env.live), 0, "%s ias %u: every table freed", fn, ias);
}

static void fuzz(uint64_t seed)
{
	uint8_t buf[1 + 8 * 300];
	uint64_t s = seed;
	int bad = 0;

	for (int n = 0; n < 40; n++) {
		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = (uint8_t)tap_rand(&s);
		/* Keep iovas within a few 2M regions so that operations meet. */
		for (size_t i = 1; i + 8 <= sizeof(buf); i += 8) {
			buf[i + 3] &= 0x03;
			buf[i + 4] &= (n & 1) ? 0x0f : 0x00;
			if ((buf[i] >> 1 & 3) == 2 && (n & 2))
				buf[i] |= 2; /* fewer 1G ops in half the runs */
		}
		if (ims_pgtable_fuzz_one(buf, sizeof(buf))) {
			diag("fuzz %d: %s", n, ims_last_error());
			bad++;
		}
	}
	is_int(bad, 0, "ims_pgtable_fuzz_one agrees on 40 random inputs");
	is_int(ims_pgtable_fuzz_one(buf, 0), 0, "empty fuzz input");
	is_int(ims_pgtable_fuzz_one(buf, 5), 0, "fuzz input shorter than one record");
}

int main(void)
{
	uint64_t seed = tap_seed(0x9b5e7a11c0ffeeULL);

	if (pgt_env_sim(&env)) {
		ok(0, "simulated memory");
		return tap_done();
	}
	run(IMS_ARM_64_LPAE_S1, 32, seed, 20000);
	run(IMS_ARM_64_LPAE_S1, 48, seed + 1, 20000);
	run(IMS_ARM_64_LPAE_S2, 40, seed + 2, 20000);
	run(IMS_ARM_64_LPAE_S2, 48, seed + 3, 20000);
	fuzz(seed);
	pgt_env_fini(&env);
	return tap_done();
}
