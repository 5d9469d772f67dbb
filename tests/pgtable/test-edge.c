// SPDX-License-Identifier: MIT
/*
 * map_pages/unmap_pages edge cases with Linux 6.12 semantics: -EEXIST,
 * -ERANGE, -EINVAL, block split on partial unmap, a table replaced by a
 * block, tables freed only after tlb_flush_walk, gather contents, the
 * per-call table limit, and the concatenated stage-2 pgd.
 */
#include "../tap.h"
#include "pgt-test.h"

static struct pgt_env env;

static struct ims_io_pgtable_ops *mk(enum ims_io_pgtable_fmt fmt, unsigned int ias)
{
	struct ims_io_pgtable_cfg cfg;
	struct ims_io_pgtable_ops *ops = NULL;

	pgt_cfg_init(&cfg, &env, SZ_4K | SZ_2M | SZ_1G, ias, 48);
	env.pgsize_bitmap = cfg.pgsize_bitmap;
	if (ims_pgtable_alloc_ops(&ops, fmt, &cfg, &env))
		ok(0, "alloc");
	return ops;
}

static void reset_events(void)
{
	env.nev = 0;
	env.log_events = true;
}

static int count_ev(enum ev_type t)
{
	int n = 0;

	for (unsigned int i = 0; i < env.nev; i++)
		n += env.ev[i].type == t;
	return n;
}

static void errors(void)
{
	struct ims_io_pgtable_ops *ops = mk(IMS_ARM_64_LPAE_S1, 40);
	const int rw = IMS_IOMMU_READ | IMS_IOMMU_WRITE;
	size_t mapped = 0;

	is_int(ops->map_pages(ops, 0x10000, 0x10000, SZ_4K, 1, rw, 0, &mapped), 0, "map 4K");
	is_int(ops->map_pages(ops, 0x10000, 0x20000, SZ_4K, 1, rw, 0, &mapped), -EEXIST,
	       "map over a page: -EEXIST");
	is_int(mapped, SZ_4K, "the failed map adds nothing to mapped");
	is_hex(ops->iova_to_phys(ops, 0x10004), 0x10004, "the first mapping is intact");
	is_int(ops->map_pages(ops, SZ_2M, SZ_2M, SZ_2M, 1, rw, 0, &mapped), 0, "map 2M block");
	is_int(ops->map_pages(ops, SZ_2M + 0x3000, 0x3000, SZ_4K, 1, rw, 0, &mapped), -EEXIST,
	       "map a page under a block: -EEXIST");
	is_int(ops->map_pages(ops, SZ_2M, 0, SZ_2M, 1, rw, 0, &mapped), -EEXIST,
	       "map a block over a block: -EEXIST");
	is_int(ops->map_pages(ops, 1ULL << 40, 0, SZ_4K, 1, rw, 0, &mapped), -ERANGE,
	       "iova at 1 << ias: -ERANGE");
	is_int(ops->map_pages(ops, 0x30000, 1ULL << 48, SZ_4K, 1, rw, 0, &mapped), -ERANGE,
	       "paddr at 1 << oas: -ERANGE");
	is_int(ops->map_pages(ops, 0x30000, 0x30000, SZ_4K, 1, IMS_IOMMU_CACHE, 0, &mapped),
	       -EINVAL, "prot without READ or WRITE: -EINVAL (6.12)");
	is_int(ops->map_pages(ops, 0x30000, 0x30000, SZ_4K, 1, 0, 0, &mapped), -EINVAL,
	       "prot 0: -EINVAL");
	is_int(ops->map_pages(ops, 0x30000, 0x30000, 0x2000, 1, rw, 0, &mapped), -EINVAL,
	       "pgsize 8K is not in the bitmap: -EINVAL");
	is_int(ops->map_pages(ops, 0x30000, 0x30000, 0, 1, rw, 0, &mapped), -EINVAL,
	       "pgsize 0: -EINVAL");
	is_int(ops->map_pages(ops, 0x30000, 0x30000, SZ_4K | SZ_2M, 1, rw, 0, &mapped), -EINVAL,
	       "two sizes at once: no level matches, -EINVAL");
	is_hex(ops->iova_to_phys(ops, 0x30000), 0, "failed maps map nothing");
	is_int(mapped, SZ_4K + SZ_2M, "mapped counts only the successful maps");
	/* Linux leaves alignment to iommu_map(): low paddr bits are masked out. */
	is_int(ops->map_pages(ops, 0x40000, 0x50123, SZ_4K, 1, rw, 0, &mapped), 0,
	       "a misaligned paddr is not checked by the format (as Linux)");
	is_hex(ops->iova_to_phys(ops, 0x40010), 0x50010, "its low bits were masked off");

	/* Unmapping nothing. */
	is_int(ops->unmap_pages(ops, 0x80000, SZ_4K, 1, NULL), 0, "unmap an unmapped page: 0");
	is_int(ops->unmap_pages(ops, 0x300000000ULL, SZ_2M, 1, NULL), 0,
	       "unmap below a missing table: 0");
	is_int(ops->unmap_pages(ops, 0x10000, SZ_4K, 0, NULL), 0, "unmap pgcount 0: 0");
	is_int(ops->unmap_pages(ops, 0x10000, 0x2000, 1, NULL), 0, "unmap a bad pgsize: 0");
	is_int(ops->unmap_pages(ops, 1ULL << 41, SZ_4K, 1, NULL), 0, "unmap beyond ias: 0");
	is_hex(ops->iova_to_phys(ops, 0x10000), 0x10000, "and nothing was unmapped");

	env.flush_all = 0;
	ims_pgtable_free_ops(ops);
	is_int(atomic_load(&env.flush_all), 1, "free_ops calls tlb_flush_all");
	is_int(atomic_load(&env.live), 0, "free_ops frees every table");
}

static void per_call_limit(void)
{
	struct ims_io_pgtable_ops *ops = mk(IMS_ARM_64_LPAE_S2, 40);
	size_t mapped = SZ_64K;

	is_int(ops->map_pages(ops, 500 * SZ_4K, 0x100000, SZ_4K, 600, IMS_IOMMU_READ, 0, &mapped),
	       0, "map 600 pages from entry 500");
	is_int(mapped, SZ_64K + 12 * SZ_4K,
	       "only the 12 entries left in the table, added to mapped");
	is_hex(ops->iova_to_phys(ops, 511 * SZ_4K), 0x100000 + 11 * SZ_4K, "last entry mapped");
	is_hex(ops->iova_to_phys(ops, 512 * SZ_4K), 0, "the next table was not touched");
	is_int(ops->unmap_pages(ops, 505 * SZ_4K, SZ_4K, 100, NULL), 7 * SZ_4K,
	       "unmap stops at the end of the table");
	is_int(ops->unmap_pages(ops, 500 * SZ_4K, SZ_4K, 10, NULL), 5 * SZ_4K,
	       "unmap stops at the first empty entry");

	/* Concatenated pgd (1024 level-1 entries), the 6.12.19 max_entries. */
	mapped = 0;
	is_int(ops->map_pages(ops, 511 * SZ_1G, 0, SZ_1G, 4, IMS_IOMMU_READ, 0, &mapped), 0,
	       "S2 concat: map 1G x4 at entry 511");
	is_int(mapped, SZ_1G, "one entry left in the first concatenated table");
	mapped = 0;
	is_int(ops->map_pages(ops, 512 * SZ_1G, 0, SZ_1G, 3, IMS_IOMMU_READ, 0, &mapped), 0,
	       "S2 concat: map 1G x3 at entry 512");
	is_int(mapped, 3 * SZ_1G, "the second table has room for all three");
	is_hex(ops->iova_to_phys(ops, 514 * SZ_1G + 7), 2 * SZ_1G + 7, "entry 514 translates");
	is_int(ops->unmap_pages(ops, 512 * SZ_1G, SZ_1G, 5, NULL), 3 * SZ_1G,
	       "unmap in the second table");
	ims_pgtable_free_ops(ops);
}

static void split(void)
{
	struct ims_io_pgtable_ops *ops = mk(IMS_ARM_64_LPAE_S1, 48);
	const int prot = IMS_IOMMU_READ | IMS_IOMMU_WRITE | IMS_IOMMU_CACHE | IMS_IOMMU_NOEXEC;
	const uint64_t blk = SZ_1G + SZ_2M, pa = 0x80000000ULL + SZ_2M;
	struct ims_iotlb_gather g;
	uint64_t blkpte, pte;
	size_t mapped = 0;
	long allocs;
	int lvl, bad = 0;

	ops->map_pages(ops, blk, pa, SZ_2M, 1, prot, 0, &mapped);
	blkpte = pgt_read_pte(&env, ops, blk, &lvl);
	ims_iotlb_gather_init(&g);
	reset_events();
	allocs = atomic_load(&env.allocs);
	is_int(ops->unmap_pages(ops, blk + 0x3000, SZ_4K, 2, &g), 2 * SZ_4K,
	       "partial unmap of a 2M block returns the bytes unmapped");
	is_int(atomic_load(&env.allocs) - allocs, 1, "the split allocates one table");
	is_int(count_ev(EV_ADD_PAGE), 2, "two pages go to tlb_add_page");
	ok(env.ev[1].type == EV_ADD_PAGE && env.ev[1].a == blk + 0x3000 && env.ev[1].b == SZ_4K &&
		   env.ev[1].gather == &g,
	   "tlb_add_page(gather, iova, 4K) for the first page");
	ok(env.ev[2].type == EV_ADD_PAGE && env.ev[2].a == blk + 0x4000, "then for the second");
	is_int(count_ev(EV_FLUSH_WALK), 0, "a split flushes no walk");
	is_hex(ops->iova_to_phys(ops, blk + 0x3008), 0, "unmapped page 3");
	is_hex(ops->iova_to_phys(ops, blk + 0x4008), 0, "unmapped page 4");
	is_hex(ops->iova_to_phys(ops, blk + 0x2008), pa + 0x2008, "page 2 still maps");
	is_hex(ops->iova_to_phys(ops, blk + 0x5008), pa + 0x5008, "page 5 still maps");
	is_hex(ops->iova_to_phys(ops, blk + SZ_2M - 8), pa + SZ_2M - 8, "the last page still maps");
	for (int i = 0; i < 512; i++) {
		if (i == 3 || i == 4)
			continue;
		pte = pgt_read_pte(&env, ops, blk + (uint64_t)i * SZ_4K, &lvl);
		if (lvl != 3 ||
		    pte != (((blkpte & ~0xfffULL) + (uint64_t)i * SZ_4K) | (blkpte & 0xffc) | 3))
			bad++;
	}
	is_int(bad, 0, "the 510 new pages carry the block's attributes (XN, SH, AttrIndx, AP)");
	is_int(ops->map_pages(ops, blk + 0x3000, 0x7000, SZ_4K, 1, IMS_IOMMU_READ, 0, &mapped), 0,
	       "the hole can be remapped");
	is_hex(ops->iova_to_phys(ops, blk + 0x3010), 0x7010, "and translates");

	/* A 1G block split down to pages needs two tables. */
	ops->map_pages(ops, 4 * SZ_1G, 8 * SZ_1G, SZ_1G, 1, IMS_IOMMU_READ, 0, &mapped);
	allocs = atomic_load(&env.allocs);
	is_int(ops->unmap_pages(ops, 4 * SZ_1G + SZ_2M + SZ_4K, SZ_4K, 1, NULL), SZ_4K,
	       "unmap 4K from a 1G block");
	is_int(atomic_load(&env.allocs) - allocs, 2, "1G -> 2M blocks -> pages: two tables");
	is_hex(ops->iova_to_phys(ops, 4 * SZ_1G + SZ_2M + SZ_4K), 0, "the page is gone");
	is_hex(ops->iova_to_phys(ops, 4 * SZ_1G + SZ_2M), 8 * SZ_1G + SZ_2M, "its neighbour stays");
	is_hex(ops->iova_to_phys(ops, 4 * SZ_1G + 300 * SZ_2M + 5), 8 * SZ_1G + 300 * SZ_2M + 5,
	       "the rest of the 1G stays");
	pgt_read_pte(&env, ops, 4 * SZ_1G + 300 * SZ_2M, &lvl);
	is_int(lvl, 2, "as 2M blocks");
	/* 2M pieces of a 1G block. */
	ops->map_pages(ops, 5 * SZ_1G, 9 * SZ_1G, SZ_1G, 1, IMS_IOMMU_READ, 0, &mapped);
	is_int(ops->unmap_pages(ops, 5 * SZ_1G + 510 * SZ_2M, SZ_2M, 5, NULL), 2 * SZ_2M,
	       "unmap 2M x5 at entry 510 of a split 1G block: 2 entries left");
	is_hex(ops->iova_to_phys(ops, 5 * SZ_1G + 509 * SZ_2M), 9 * SZ_1G + 509 * SZ_2M,
	       "entry 509 stays");
	ims_pgtable_free_ops(ops);
}

static void replace_table(void)
{
	struct ims_io_pgtable_ops *ops = mk(IMS_ARM_64_LPAE_S1, 48);
	const int rw = IMS_IOMMU_READ | IMS_IOMMU_WRITE;
	size_t mapped = 0;
	long frees;

	/* Pages in a leaf table, then a 2M block over it. */
	ops->map_pages(ops, SZ_2M, 0x100000000ULL, SZ_4K, 3, rw, 0, &mapped);
	reset_events();
	frees = atomic_load(&env.frees);
	is_int(ops->map_pages(ops, SZ_2M, 0x200000000ULL, SZ_2M, 1, rw, 0, &mapped), 0,
	       "a block over a non-empty table succeeds (6.12 frees the table)");
	is_int(atomic_load(&env.frees) - frees, 1, "the leaf table is freed");
	ok(env.nev >= 2 && env.ev[0].type == EV_FLUSH_WALK && env.ev[0].a == SZ_2M &&
		   env.ev[0].b == SZ_2M && env.ev[0].c == SZ_4K,
	   "tlb_flush_walk(iova, 2M, granule 4K) first");
	ok(env.nev >= 2 && env.ev[1].type == EV_FREE, "then the table is freed");
	is_int(count_ev(EV_ADD_PAGE), 0, "the dropped pages are not passed to tlb_add_page");
	is_hex(ops->iova_to_phys(ops, SZ_2M + 0x1008), 0x200001008ULL, "the block translates");

	/* A tree of tables under a 1G block: children freed before parents, after the flush. */
	ops->map_pages(ops, 2 * SZ_1G, 0x100000000ULL, SZ_4K, 1, rw, 0, &mapped);
	ops->map_pages(ops, 2 * SZ_1G + 5 * SZ_2M, 0x100000000ULL, SZ_4K, 1, rw, 0, &mapped);
	ops->map_pages(ops, 2 * SZ_1G + 9 * SZ_2M, 0x100000000ULL, SZ_2M, 1, rw, 0, &mapped);
	reset_events();
	is_int(ops->map_pages(ops, 2 * SZ_1G, 0x400000000ULL, SZ_1G, 1, rw, 0, &mapped), 0,
	       "1G block over a level-2 table with two leaf tables");
	is_int(env.nev, 4, "one flush and three frees");
	ok(env.ev[0].type == EV_FLUSH_WALK && env.ev[0].a == 2 * SZ_1G && env.ev[0].b == SZ_1G,
	   "tlb_flush_walk(2G, 1G) first");
	ok(env.ev[1].type == EV_FREE && env.ev[2].type == EV_FREE && env.ev[1].b == SZ_4K,
	   "then the two leaf tables");
	ok(env.ev[3].type == EV_FREE && env.ev[3].a != env.ev[1].a && env.ev[3].a != env.ev[2].a,
	   "and the level-2 table last");

	/* pgcount 3 where entry 1 is a block: entry 0's table is dropped, then -EEXIST. */
	ops->map_pages(ops, 8 * SZ_1G, 0x100000000ULL, SZ_4K, 1, rw, 0, &mapped);
	ops->map_pages(ops, 8 * SZ_1G + SZ_2M, 0x100000000ULL, SZ_2M, 1, rw, 0, &mapped);
	mapped = 0;
	is_int(ops->map_pages(ops, 8 * SZ_1G, 0x500000000ULL, SZ_2M, 3, rw, 0, &mapped), -EEXIST,
	       "2M x3 over [table, block, empty]: -EEXIST");
	is_int(mapped, 0, "nothing counted as mapped");
	is_hex(ops->iova_to_phys(ops, 8 * SZ_1G), 0, "the table in entry 0 was dropped on the way");
	is_hex(ops->iova_to_phys(ops, 8 * SZ_1G + SZ_2M), 0x100000000ULL, "the block stays");
	is_hex(ops->iova_to_phys(ops, 8 * SZ_1G + 2 * SZ_2M), 0, "entry 2 stays empty");

	/* Unmapping a table-covered range frees after the flush. */
	ops->map_pages(ops, 12 * SZ_1G, 0x100000000ULL, SZ_4K, 4, rw, 0, &mapped);
	reset_events();
	is_int(ops->unmap_pages(ops, 12 * SZ_1G, SZ_2M, 1, NULL), SZ_2M,
	       "unmap 2M over a leaf table returns 2M");
	ok(env.nev == 2 && env.ev[0].type == EV_FLUSH_WALK && env.ev[1].type == EV_FREE,
	   "flush_walk, then free");
	ims_pgtable_free_ops(ops);
	is_int(atomic_load(&env.live), 0, "no table leaked");
}

static void gather(void)
{
	struct ims_io_pgtable_ops *ops = mk(IMS_ARM_64_LPAE_S1, 48);
	struct ims_iotlb_gather g;
	size_t mapped = 0;

	env.gather_driver = true;
	env.log_events = false;
	ops->map_pages(ops, 0x100000, 0x100000, SZ_4K, 16, IMS_IOMMU_READ, 0, &mapped);
	ims_iotlb_gather_init(&g);
	is_int(ops->unmap_pages(ops, 0x104000, SZ_4K, 3, &g), 3 * SZ_4K, "unmap three pages");
	is_hex(g.start, 0x104000, "gather start");
	is_hex(g.end, 0x106fff, "gather end");
	is_int(g.pgsize, SZ_4K, "gather pgsize");
	is_int(env.gather_syncs, 0, "contiguous pages need no intermediate sync");
	is_int(ops->unmap_pages(ops, 0x10a000, SZ_4K, 1, &g), SZ_4K, "a disjoint page");
	is_int(env.gather_syncs, 1, "a disjoint page syncs the gather first");
	is_hex(g.start, 0x10a000, "then gathers only the new page");

	/* Queued (flush-queue) gathers: no tlb_add_page for leaves. */
	env.add_page = 0;
	ims_iotlb_gather_init(&g);
	g.queued = true;
	is_int(ops->unmap_pages(ops, 0x100000, SZ_4K, 4, &g), 4 * SZ_4K, "queued unmap");
	is_int(atomic_load(&env.add_page), 0, "queued: leaves are not added");
	ops->map_pages(ops, 4 * SZ_2M, 4 * SZ_2M, SZ_2M, 1, IMS_IOMMU_READ, 0, &mapped);
	is_int(ops->unmap_pages(ops, 4 * SZ_2M, SZ_4K, 2, &g), 2 * SZ_4K, "queued split");
	is_int(atomic_load(&env.add_page), 2, "a split adds its pages even when queued (as Linux)");
	env.gather_driver = false;
	ims_pgtable_free_ops(ops);
}

static void alloc_failure(void)
{
	struct ims_io_pgtable_ops *ops = mk(IMS_ARM_64_LPAE_S1, 48);
	size_t mapped = 0;

	env.fail_alloc = true;
	is_int(ops->map_pages(ops, 0, 0, SZ_4K, 1, IMS_IOMMU_READ, 0, &mapped), -ENOMEM,
	       "no table memory: -ENOMEM");
	env.fail_alloc = false;
	ops->map_pages(ops, 0, 0, SZ_2M, 1, IMS_IOMMU_READ, 0, &mapped);
	env.fail_alloc = true;
	is_int(ops->unmap_pages(ops, 0, SZ_4K, 1, NULL), 0,
	       "a split without memory unmaps nothing");
	env.fail_alloc = false;
	is_hex(ops->iova_to_phys(ops, 0x1000), 0x1000, "and the block stays");
	ims_pgtable_free_ops(ops);
}

int main(void)
{
	errors();
	per_call_limit();
	split();
	replace_table();
	gather();
	alloc_failure();
	is_int(atomic_load(&env.live), 0, "every table freed at the end");
	return tap_done();
}
