/* SPDX-License-Identifier: MIT */
/*
 * Shared pgtable test fixtures: a host-memory and a simulated-memory table
 * allocator, and flush callbacks that log what they were asked to do.
 */
#ifndef IMS_TESTS_PGT_TEST_H
#define IMS_TESTS_PGT_TEST_H

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <iommusim/hw.h>
#include <iommusim/pgtable.h>

#include "util/sizes.h"
#define IS_ALIGNED_TEST(x, a) (((x) & ((a)-1)) == 0)

enum ev_type { EV_ALLOC, EV_FREE, EV_FLUSH_ALL, EV_FLUSH_WALK, EV_ADD_PAGE };

struct ev {
	enum ev_type type;
	uint64_t a, b, c;
	const void *gather;
};

#define EV_MAX 8192

/* The cookie for both the allocator and the flush callbacks. */
struct pgt_env {
	struct ims_mem *mem; /* NULL: host memory */
	atomic_long allocs, frees, live;
	atomic_long flush_all, flush_walk, add_page;
	struct ev ev[EV_MAX];
	unsigned int nev; /* not thread-safe: single-threaded tests only */
	bool log_events;
	bool fail_alloc;
	/* Selftest checks (dummy_tlb_* in Linux). */
	uint64_t pgsize_bitmap;
	long bad_cookie, bad_size;
	/* Simulated gather driver: iommu_iotlb_gather_add_page(). */
	bool gather_driver;
	long gather_syncs;
};

static inline void pgt_log(struct pgt_env *e, enum ev_type t, uint64_t a, uint64_t b, uint64_t c,
			   const void *g)
{
	if (e->log_events && e->nev < EV_MAX)
		e->ev[e->nev++] = (struct ev){ t, a, b, c, g };
}

static int pgt_alloc(void *cookie, size_t size, uint64_t *pa, void **va)
{
	struct pgt_env *e = cookie;

	if (e->fail_alloc)
		return -ENOMEM;
	if (e->mem) {
		if (ims_mem_alloc(e->mem, pa, size, size, IMS_MEM_ZERO))
			return -ENOMEM;
		*va = ims_mem_host_ptr(e->mem, *pa, size);
		if (!*va)
			return -ENOMEM;
	} else {
		void *p = aligned_alloc(size, size);

		if (!p)
			return -ENOMEM;
		memset(p, 0, size);
		*va = p;
		*pa = (uint64_t)(uintptr_t)p;
	}
	atomic_fetch_add(&e->allocs, 1);
	atomic_fetch_add(&e->live, 1);
	pgt_log(e, EV_ALLOC, *pa, size, 0, NULL);
	return 0;
}

static void pgt_free(void *cookie, uint64_t pa, void *va, size_t size)
{
	struct pgt_env *e = cookie;

	pgt_log(e, EV_FREE, pa, size, 0, NULL);
	if (e->mem)
		ims_mem_free_block(e->mem, pa, size);
	else
		free(va);
	atomic_fetch_add(&e->frees, 1);
	atomic_fetch_sub(&e->live, 1);
}

static void pgt_flush_all(void *cookie)
{
	struct pgt_env *e = cookie;

	atomic_fetch_add(&e->flush_all, 1);
	pgt_log(e, EV_FLUSH_ALL, 0, 0, 0, NULL);
}

static void pgt_flush_walk(uint64_t iova, size_t size, size_t granule, void *cookie)
{
	struct pgt_env *e = cookie;

	atomic_fetch_add(&e->flush_walk, 1);
	if (!(size & e->pgsize_bitmap))
		e->bad_size++;
	pgt_log(e, EV_FLUSH_WALK, iova, size, granule, NULL);
}

static void pgt_add_page(struct ims_iotlb_gather *gather, uint64_t iova, size_t granule,
			 void *cookie)
{
	struct pgt_env *e = cookie;

	atomic_fetch_add(&e->add_page, 1);
	if (!(granule & e->pgsize_bitmap))
		e->bad_size++;
	pgt_log(e, EV_ADD_PAGE, iova, granule, 0, gather);
	if (e->gather_driver && gather) {
		/* iommu_iotlb_gather_add_page(): sync first on a change of size or a gap. */
		if ((gather->pgsize && gather->pgsize != granule) ||
		    ims_iotlb_gather_is_disjoint(gather, iova, granule)) {
			e->gather_syncs++;
			ims_iotlb_gather_init(gather);
		}
		gather->pgsize = granule;
		ims_iotlb_gather_add_range(gather, iova, granule);
	}
}

static const struct ims_pgtable_mem_ops pgt_mem_ops = { pgt_alloc, pgt_free };
static const struct ims_iommu_flush_ops pgt_tlb_ops = { pgt_flush_all, pgt_flush_walk,
							pgt_add_page };

static inline void pgt_cfg_init(struct ims_io_pgtable_cfg *cfg, struct pgt_env *e,
				uint64_t pgsize_bitmap, unsigned int ias, unsigned int oas)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->pgsize_bitmap = pgsize_bitmap;
	cfg->ias = ias;
	cfg->oas = oas;
	cfg->coherent_walk = true;
	cfg->tlb = &pgt_tlb_ops;
	cfg->mem = &pgt_mem_ops;
	cfg->mem_cookie = e;
}

/* A simulated-memory environment: 1 GiB of RAM at 2 GiB. */
static inline int pgt_env_sim(struct pgt_env *e)
{
	memset(e, 0, sizeof(*e));
	if (ims_mem_new(&e->mem, NULL))
		return -1;
	return ims_mem_add_ram(e->mem, 0x80000000ULL, 0x40000000ULL);
}

static inline void pgt_env_fini(struct pgt_env *e)
{
	ims_mem_free(e->mem);
	e->mem = NULL;
}

/* Host pointer of table memory at @pa. */
static inline uint64_t *pgt_ptr(struct pgt_env *e, uint64_t pa)
{
	if (e->mem)
		return ims_mem_host_ptr(e->mem, pa, 8);
	return (uint64_t *)(uintptr_t)pa;
}

/*
 * Walk the tables by hand (independently of the format's code) and return
 * the descriptor that maps @iova (a leaf), or 0; *@level gets its level.
 */
static inline uint64_t pgt_read_pte(struct pgt_env *e, struct ims_io_pgtable_ops *ops,
				    uint64_t iova, int *level)
{
	struct ims_io_pgtable_info in;
	uint64_t table, pte = 0;
	unsigned int gshift;

	ims_pgtable_get_info(ops, &in);
	gshift = (unsigned int)__builtin_ctzll(in.granule);
	table = in.pgd_pa;
	for (int l = in.start_level; l < 4; l++) {
		unsigned int shift = gshift + (unsigned int)(3 - l) * (gshift - 3);
		unsigned int bits = l == in.start_level ? in.pgd_bits : gshift - 3;
		uint64_t idx = (iova >> shift) & ((1ULL << bits) - 1);

		pte = *pgt_ptr(e, table + idx * 8);
		*level = l;
		if ((pte & 3) == 0)
			return 0;
		if (l == 3 || (pte & 3) == 1)
			return pte;
		table = pte & 0x0000fffffffff000ULL;
	}
	return 0;
}

#endif
