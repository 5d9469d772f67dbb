// SPDX-License-Identifier: MIT
/*
 * Linux's io-pgtable-arm selftest (arm_lpae_run_tests / arm_lpae_do_selftests,
 * 6.12), ported: pgsize {4K|2M|1G, 16K|32M, 64K|512M} x ias {32..48} x
 * ARM_64_LPAE_S1/S2, every step, on host memory and on simulated memory;
 * plus the derived geometry table of linux-semantics.md §10.3.
 */
#include "../tap.h"
#include "pgt-test.h"

static const char *const fmt_name[] = { "S1", "S2" };

static void run_tests(struct pgt_env *e, uint64_t pgsize_bitmap, unsigned int ias,
		      const char *backend, int *pass, int *fail)
{
	for (int f = 0; f < 2; f++) {
		struct ims_io_pgtable_cfg cfg;
		struct ims_io_pgtable_ops *ops;
		uint64_t iova, size, bitmap;
		size_t mapped = 0;
		int failed_before = tap_failed;
		const char *fn = fmt_name[f];

		pgt_cfg_init(&cfg, e, pgsize_bitmap, ias, 48);
		e->pgsize_bitmap = pgsize_bitmap;
		e->bad_cookie = e->bad_size = 0;
		is_int(ims_pgtable_alloc_ops(&ops, f ? IMS_ARM_64_LPAE_S2 : IMS_ARM_64_LPAE_S1,
					     &cfg, e),
		       0, "%s %s %#llx ias %u: alloc", backend, fn,
		       (unsigned long long)pgsize_bitmap, ias);
		if (!ops)
			continue;
		bitmap = cfg.pgsize_bitmap;

		/* Empty page tables shouldn't provide any translations. */
		ok(!ops->iova_to_phys(ops, 42) && !ops->iova_to_phys(ops, SZ_1G + 42) &&
			   !ops->iova_to_phys(ops, SZ_2G + 42),
		   "%s %s ias %u: empty tables translate nothing", backend, fn, ias);

		/* Distinct mappings of different granule sizes. */
		iova = 0;
		for (int j = 0; j < 64; j++) {
			if (!(bitmap & (1ULL << j)))
				continue;
			size = 1ULL << j;
			is_int(ops->map_pages(ops, iova, iova, size, 1,
					      IMS_IOMMU_READ | IMS_IOMMU_WRITE | IMS_IOMMU_NOEXEC |
						      IMS_IOMMU_CACHE,
					      0, &mapped),
			       0, "%s %s ias %u: map %#llx at %#llx", backend, fn, ias,
			       (unsigned long long)size, (unsigned long long)iova);
			/* Overlapping mappings */
			is_int(ops->map_pages(ops, iova, iova + size, size, 1,
					      IMS_IOMMU_READ | IMS_IOMMU_NOEXEC, 0, &mapped),
			       -EEXIST, "%s %s ias %u: overlapping map %#llx fails", backend, fn,
			       ias, (unsigned long long)size);
			is_hex(ops->iova_to_phys(ops, iova + 42), iova + 42,
			       "%s %s ias %u: translate %#llx+42", backend, fn, ias,
			       (unsigned long long)iova);
			iova += SZ_1G;
		}

		/* Partial unmap */
		size = 1ULL << __builtin_ctzll(bitmap);
		is_int(ops->unmap_pages(ops, SZ_1G + size, size, 1, NULL), size,
		       "%s %s ias %u: partial unmap splits the block at 1G", backend, fn, ias);

		/* Remap of partial unmap */
		is_int(ops->map_pages(ops, SZ_1G + size, size, size, 1, IMS_IOMMU_READ, 0, &mapped),
		       0, "%s %s ias %u: remap of the partial unmap", backend, fn, ias);
		is_hex(ops->iova_to_phys(ops, SZ_1G + size + 42), size + 42,
		       "%s %s ias %u: remapped page translates", backend, fn, ias);

		/* Full unmap */
		iova = 0;
		for (int j = 0; j < 64; j++) {
			if (!(bitmap & (1ULL << j)))
				continue;
			size = 1ULL << j;
			is_int(ops->unmap_pages(ops, iova, size, 1, NULL), size,
			       "%s %s ias %u: unmap %#llx at %#llx", backend, fn, ias,
			       (unsigned long long)size, (unsigned long long)iova);
			is_hex(ops->iova_to_phys(ops, iova + 42), 0, "%s %s ias %u: %#llx unmapped",
			       backend, fn, ias, (unsigned long long)iova);
			/* Remap full block */
			is_int(ops->map_pages(ops, iova, iova, size, 1, IMS_IOMMU_WRITE, 0,
					      &mapped),
			       0, "%s %s ias %u: remap %#llx write-only", backend, fn, ias,
			       (unsigned long long)size);
			is_hex(ops->iova_to_phys(ops, iova + 42), iova + 42,
			       "%s %s ias %u: remapped %#llx translates", backend, fn, ias,
			       (unsigned long long)iova);
			iova += SZ_1G;
		}

		/* dummy_tlb_flush(): the size is always one of the page sizes. */
		is_int(e->bad_size, 0, "%s %s ias %u: flush sizes within pgsize_bitmap", backend,
		       fn, ias);
		ims_pgtable_free_ops(ops);
		is_int(atomic_load(&e->live), 0, "%s %s ias %u: every table freed", backend, fn,
		       ias);
		if (tap_failed == failed_before)
			(*pass)++;
		else
			(*fail)++;
	}
}

struct geo {
	uint64_t granule;
	unsigned int ias, levels;
	int start_level;
	unsigned int pgd_entries;
	int s2_start_level;
	unsigned int s2_pgd_entries;
};

/* linux-semantics.md §10.3 "Derived geometry". */
static const struct geo geos[] = {
	{ SZ_4K, 48, 4, 0, 512, 0, 512 }, { SZ_4K, 40, 4, 0, 2, 1, 1024 },
	{ SZ_4K, 32, 3, 1, 4, 1, 4 },	  { SZ_16K, 48, 4, 0, 2, 1, 4096 },
	{ SZ_64K, 48, 3, 1, 64, 1, 64 },  { SZ_64K, 42, 2, 2, 8192, 2, 8192 },
};

static void check_geometry(struct pgt_env *e)
{
	for (size_t i = 0; i < sizeof(geos) / sizeof(geos[0]); i++) {
		const struct geo *g = &geos[i];
		uint64_t bitmap = g->granule == SZ_4K	 ? SZ_4K | SZ_2M | SZ_1G
				  : g->granule == SZ_16K ? SZ_16K | SZ_32M
							 : SZ_64K | SZ_512M;

		for (int f = 0; f < 2; f++) {
			struct ims_io_pgtable_cfg cfg;
			struct ims_io_pgtable_ops *ops;
			struct ims_io_pgtable_info in;
			int sl = f ? g->s2_start_level : g->start_level;
			unsigned int ent = f ? g->s2_pgd_entries : g->pgd_entries;

			pgt_cfg_init(&cfg, e, bitmap, g->ias, 48);
			if (ims_pgtable_alloc_ops(&ops, f ? IMS_ARM_64_LPAE_S2 : IMS_ARM_64_LPAE_S1,
						  &cfg, e)) {
				ok(0, "geometry alloc");
				continue;
			}
			ims_pgtable_get_info(ops, &in);
			is_int(in.start_level, sl, "%s granule %#llx ias %u: start level",
			       fmt_name[f], (unsigned long long)g->granule, g->ias);
			is_int(in.levels, 4 - sl, "%s granule %#llx ias %u: levels", fmt_name[f],
			       (unsigned long long)g->granule, g->ias);
			is_int(in.pgd_size / 8, ent, "%s granule %#llx ias %u: pgd entries",
			       fmt_name[f], (unsigned long long)g->granule, g->ias);
			is_int(in.concat, ent * 8 > g->granule ? ent * 8 / g->granule : 1,
			       "%s granule %#llx ias %u: concatenated tables", fmt_name[f],
			       (unsigned long long)g->granule, g->ias);
			if (f == 0)
				is_int(g->levels, 4 - sl, "table row: S1 levels");
			ims_pgtable_free_ops(ops);
		}
	}
}

int main(void)
{
	static const uint64_t pgsize[] = { SZ_4K | SZ_2M | SZ_1G, SZ_16K | SZ_32M,
					   SZ_64K | SZ_512M };
	static const unsigned int ias[] = { 32, 36, 40, 42, 44, 48 };
	static struct pgt_env host, sim;
	int pass = 0, fail = 0;

	if (pgt_env_sim(&sim)) {
		ok(0, "simulated memory");
		return tap_done();
	}
	for (size_t i = 0; i < 3; i++)
		for (size_t j = 0; j < 6; j++) {
			run_tests(&host, pgsize[i], ias[j], "host", &pass, &fail);
			run_tests(&sim, pgsize[i], ias[j], "sim", &pass, &fail);
		}
	/* Linux: "selftest: completed with 18 PASS 0 FAIL" per backend; S1+S2 each. */
	is_int(pass, 2 * 2 * 18, "selftest: every configuration passes (S1 and S2, two backends)");
	is_int(fail, 0, "selftest: no configuration fails");
	check_geometry(&host);
	pgt_env_fini(&sim);
	return tap_done();
}
