// SPDX-License-Identifier: MIT
/*
 * Concurrency: N threads map and unmap disjoint ranges of one table at
 * once, as Linux allows.  Ranges share intermediate tables, so threads race
 * to install them (compare-and-swap; the loser frees its own) and split
 * neighbouring parts of one block.  Then every mapping is verified and no
 * table may leak.
 */
#include <pthread.h>

#include "../tap.h"
#include "pgt-test.h"

#define NTHREADS 8
#define ROUNDS 200

static struct pgt_env env;
static struct ims_io_pgtable_ops *ops;
static pthread_barrier_t barrier;
static long teardown_errors;

struct worker {
	int id;
	long errors;
	pthread_t th;
};

/*
 * Thread t owns, in every 2M region r, the 64 pages [t*64, t*64+64), and
 * the 2M regions 4*t .. 4*t+3 of the second GiB for block work; in the
 * third GiB, all threads split neighbouring parts of shared 2M blocks.
 */
static void *work(void *arg)
{
	struct worker *w = arg;
	uint64_t t = (uint64_t)w->id;
	size_t mapped;

	for (int round = 0; round < ROUNDS; round++) {
		pthread_barrier_wait(&barrier);
		for (uint64_t r = 0; r < 8; r++) {
			uint64_t iova = r * SZ_2M + t * 64 * SZ_4K;
			uint64_t pa = 0x100000000ULL + iova + (uint64_t)round * SZ_1G;

			mapped = 0;
			if (ops->map_pages(ops, iova, pa, SZ_4K, 64, IMS_IOMMU_READ, 0, &mapped) ||
			    mapped != 64 * SZ_4K)
				w->errors++;
			if (ops->iova_to_phys(ops, iova + 0x123) != pa + 0x123)
				w->errors++;
		}
		for (uint64_t b = 0; b < 4; b++) {
			uint64_t iova = SZ_1G + (t * 4 + b) * SZ_2M;

			mapped = 0;
			if (ops->map_pages(ops, iova, iova, SZ_2M, 1, IMS_IOMMU_WRITE, 0, &mapped))
				w->errors++;
			if (round + 1 < ROUNDS &&
			    ops->unmap_pages(ops, iova, SZ_2M, 1, NULL) != SZ_2M)
				w->errors++;
		}
		/* Split: thread t unmaps its own page t of each shared block. */
		if (round == ROUNDS - 1)
			for (uint64_t b = 0; b < 4; b++)
				if (ops->unmap_pages(ops, 2 * SZ_1G + b * SZ_2M + t * SZ_4K, SZ_4K,
						     1, NULL) != SZ_4K)
					w->errors++;
		/*
		 * Between rounds one thread drops the whole first GiB (its level-2
		 * table and every leaf table), so the next round races to install
		 * them again.
		 */
		pthread_barrier_wait(&barrier);
		if (t == 0 && round + 1 < ROUNDS &&
		    ops->unmap_pages(ops, 0, SZ_1G, 1, NULL) != SZ_1G)
			teardown_errors++;
	}
	return NULL;
}

int main(void)
{
	static struct worker w[NTHREADS];
	struct ims_io_pgtable_cfg cfg;
	size_t mapped = 0;
	long errors = 0, bad = 0;

	pgt_cfg_init(&cfg, &env, SZ_4K | SZ_2M | SZ_1G, 48, 48);
	env.pgsize_bitmap = cfg.pgsize_bitmap;
	if (ims_pgtable_alloc_ops(&ops, IMS_ARM_64_LPAE_S1, &cfg, &env)) {
		ok(0, "alloc");
		return tap_done();
	}
	for (uint64_t b = 0; b < 4; b++)
		ops->map_pages(ops, 2 * SZ_1G + b * SZ_2M, 0x300000000ULL + b * SZ_2M, SZ_2M, 1,
			       IMS_IOMMU_READ, 0, &mapped);
	pthread_barrier_init(&barrier, NULL, NTHREADS);
	for (int i = 0; i < NTHREADS; i++) {
		w[i].id = i;
		pthread_create(&w[i].th, NULL, work, &w[i]);
	}
	for (int i = 0; i < NTHREADS; i++) {
		pthread_join(w[i].th, NULL);
		errors += w[i].errors;
	}
	pthread_barrier_destroy(&barrier);
	is_int(errors, 0, "%d threads: every map, translation and unmap succeeded", NTHREADS);
	is_int(teardown_errors, 0, "the first GiB was torn down between rounds");
	ok(atomic_load(&env.allocs) >= 9 * ROUNDS, "tables were installed again every round (%ld)",
	   (long)atomic_load(&env.allocs));

	for (uint64_t t = 0; t < NTHREADS; t++) {
		for (uint64_t r = 0; r < 8; r++)
			for (uint64_t p = 0; p < 64; p++) {
				uint64_t iova = r * SZ_2M + (t * 64 + p) * SZ_4K;

				if (ops->iova_to_phys(ops, iova) !=
				    0x100000000ULL + iova + (uint64_t)(ROUNDS - 1) * SZ_1G)
					bad++;
			}
		for (uint64_t b = 0; b < 4; b++) {
			uint64_t iova = SZ_1G + (t * 4 + b) * SZ_2M;

			if (ops->iova_to_phys(ops, iova + 0x1000) != iova + 0x1000)
				bad++;
		}
	}
	is_int(bad, 0, "every final mapping translates");
	for (uint64_t b = 0, bad2 = 0; b < 4; b++) {
		for (uint64_t p = 0; p < 512; p++) {
			uint64_t iova = 2 * SZ_1G + b * SZ_2M + p * SZ_4K;
			uint64_t want = p < NTHREADS ? 0 : 0x300000000ULL + b * SZ_2M + p * SZ_4K;

			if (ops->iova_to_phys(ops, iova) != want)
				bad2++;
		}
		is_int(bad2, 0,
		       "shared block %llu: concurrent splits left exactly the others' pages",
		       (unsigned long long)b);
	}
	ims_pgtable_free_ops(ops);
	is_int(atomic_load(&env.live), 0, "no table leaked, including lost install races");
	is_int(atomic_load(&env.allocs), atomic_load(&env.frees), "allocations == frees");
	return tap_done();
}
