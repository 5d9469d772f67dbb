/* SPDX-License-Identifier: MIT */
/*
 * Many threads allocate and free through the rcaches and the tree at once
 * (the tree's node pool grows meanwhile; one-granule ranges half the time
 * through the inline owner paths of iova-fast.h), while one thread also flushes,
 * takes snapshots and checks the domain; a shared atomic bitmap proves no
 * two live ranges ever overlap.  One phase runs more
 * threads than there are per-thread caches, so the shared cache is used too.
 * Teardown must leak nothing (run under valgrind / ASan).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "../tap.h"
#include "iommusim/iova.h"
#include "iova/iova-fast.h"

#define LIMIT 0xfffffULL /* 4K granule: the 32-bit space */
#define WORDS ((LIMIT + 1) / 64)
#define LIVE 48

static _Atomic uint64_t bitmap[WORDS];
static atomic_long overlaps, outside, broken, done_ops;
static struct ims_iova_domain *dom;
static pthread_barrier_t start;

struct worker {
	uint64_t seed;
	int ops;
	bool flusher;
};

static void mark(uint64_t pfn, uint64_t n, bool set)
{
	for (uint64_t p = pfn; p < pfn + n; p++) {
		uint64_t bit = 1ULL << (p % 64), old;

		if (set) {
			old = atomic_fetch_or(&bitmap[p / 64], bit);
			if (old & bit)
				atomic_fetch_add(&overlaps, 1);
		} else {
			atomic_fetch_and(&bitmap[p / 64], ~bit);
		}
	}
}

static uint64_t held_size(uint64_t size)
{
	return size < 32 ? 1ULL << (size <= 1 ? 0 : 64 - __builtin_clzll(size - 1)) : size;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	uint64_t pfn[LIVE] = { 0 }, size[LIVE] = { 0 }, s = w->seed;
	bool tree[LIVE] = { false };
	uint64_t uid = ims_iova_domain_uid(dom);

	pthread_barrier_wait(&start);
	for (int i = 0; i < w->ops; i++) {
		int k = (int)(tap_rand(&s) % LIVE);

		if (pfn[k] && tree[k]) {
			/* The tree path: find_iova, then free_iova (the pool may grow meanwhile). */
			struct ims_iova iova = { 0, 0 };

			if (ims_iova_find(dom, pfn[k] + size[k] - 1, &iova) ||
			    iova.pfn_lo != pfn[k])
				atomic_fetch_add(&broken, 1);
			mark(pfn[k], size[k], false);
			ims_iova_free(dom, pfn[k]);
			pfn[k] = 0;
		} else if (pfn[k]) {
			mark(pfn[k], held_size(size[k]), false);
			if (size[k] != 1 || (i & 1) || !ims_iova_push1(uid, pfn[k]))
				ims_iova_free_fast(dom, pfn[k], size[k]);
			pfn[k] = 0;
		} else if (tap_rand(&s) % 4 == 0) {
			struct ims_iova iova;

			size[k] = 1 + tap_rand(&s) % 70;
			tree[k] = true;
			if (ims_iova_alloc(dom, size[k], LIMIT, tap_rand(&s) & 1, &iova) == 0) {
				pfn[k] = iova.pfn_lo;
				if (iova.pfn_hi > LIMIT || iova.pfn_hi != pfn[k] + size[k] - 1)
					atomic_fetch_add(&outside, 1);
				mark(pfn[k], size[k], true);
			}
		} else {
			size[k] = 1 + tap_rand(&s) % 40;
			tree[k] = false;
			if (size[k] != 1 || !(i & 1) || !ims_iova_pop1(uid, LIMIT, &pfn[k]))
				pfn[k] = ims_iova_alloc_fast(dom, size[k], LIMIT, true);
			if (pfn[k]) {
				if (pfn[k] + held_size(size[k]) - 1 > LIMIT)
					atomic_fetch_add(&outside, 1);
				mark(pfn[k], held_size(size[k]), true);
			}
		}
		if (w->flusher && i % 997 == 0)
			ims_iova_flush_rcaches(dom);
		if (w->flusher && i % 499 == 0) {
			struct ims_iova_info info;

			/* Snapshots race with everything else (TSan checks them). */
			ims_iova_get_info(dom, &info);
			if (info.nodes > (uint64_t)IMS_IOVA_MAX_THREADS * 200 ||
			    ims_iova_check(dom))
				atomic_fetch_add(&broken, 1);
		}
	}
	for (int k = 0; k < LIVE; k++) {
		if (pfn[k] && tree[k]) {
			mark(pfn[k], size[k], false);
			ims_iova_free(dom, pfn[k]);
		} else if (pfn[k]) {
			mark(pfn[k], held_size(size[k]), false);
			ims_iova_free_fast(dom, pfn[k], size[k]);
		}
	}
	atomic_fetch_add(&done_ops, w->ops);
	return NULL;
}

static void phase(int nthreads, int ops, const char *what)
{
	pthread_t t[96];
	struct worker w[96];
	struct ims_iova_info info;
	uint64_t seed = tap_seed(0x7e4d);

	atomic_store(&overlaps, 0);
	atomic_store(&outside, 0);
	atomic_store(&broken, 0);
	atomic_store(&done_ops, 0);
	ims_iova_domain_create(&dom, 4096, 1);
	pthread_barrier_init(&start, NULL, (unsigned int)nthreads);
	for (int i = 0; i < nthreads; i++) {
		w[i] = (struct worker){ tap_rand(&seed) | 1, ops, i == 0 };
		pthread_create(&t[i], NULL, work, &w[i]);
	}
	for (int i = 0; i < nthreads; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&start);
	is_int(atomic_load(&done_ops), (long)nthreads * ops, "%s: every thread ran", what);
	is_int(atomic_load(&overlaps), 0, "%s: no two live ranges overlapped", what);
	is_int(atomic_load(&outside), 0, "%s: every range stayed below the limit", what);
	is_int(atomic_load(&broken), 0, "%s: lookups and checks during the run agreed", what);
	ims_iova_get_info(dom, &info);
	ok(info.nodes == info.cached_pfns,
	   "%s: after all frees only cached ranges remain (%llu nodes, %llu cached)", what,
	   (unsigned long long)info.nodes, (unsigned long long)info.cached_pfns);
	ok(info.threads == (unsigned int)(nthreads < IMS_IOVA_MAX_THREADS ? nthreads
									  : IMS_IOVA_MAX_THREADS),
	   "%s: %u threads hold their own cache", what, info.threads);
	is_int(ims_iova_check(dom), 0, "%s: the domain is consistent", what);
	ims_iova_flush_rcaches(dom);
	ims_iova_get_info(dom, &info);
	ok(info.nodes == 0 && info.cached_pfns == 0, "%s: a flush empties everything", what);
	ims_iova_domain_destroy(dom);
}

int main(void)
{
	phase(8, 50000, "8 threads");
	phase(IMS_IOVA_MAX_THREADS + 8, 400, "72 threads");
	/* The locked path that runs where membarrier() is unavailable. */
	setenv("IMS_IOVA_NO_MEMBARRIER", "1", 1);
	phase(8, 20000, "8 threads, locked caches");
	return tap_done();
}
