// SPDX-License-Identifier: MIT
/*
 * Concurrency: four threads map, access from the device, and unmap at once
 * on one device (one DMA domain, one IOVA domain), in strict and lazy mode,
 * with data checks both ways and a shared table that proves no two live
 * mappings overlap in IOVA space.  Seeded (IMS_TEST_SEED).
 */
#include <pthread.h>

#include "dma-test.h"

#define THREADS 4
#define ITERS 300
#define MAXLIVE (THREADS * 4)

struct shared {
	struct ims_machine *m;
	struct ims_device *dev;
	pthread_mutex_t lock;
	uint64_t live_lo[MAXLIVE], live_hi[MAXLIVE];
	int overlaps, data_errors, map_errors, dev_errors;
};

struct worker {
	struct shared *sh;
	int id;
	uint64_t seed;
	uint8_t *buf;
};

static int live_add(struct shared *sh, uint64_t lo, uint64_t hi)
{
	int slot = -1;

	pthread_mutex_lock(&sh->lock);
	for (int i = 0; i < MAXLIVE; i++) {
		if (!sh->live_hi[i]) {
			if (slot < 0)
				slot = i;
			continue;
		}
		if (lo <= sh->live_hi[i] && sh->live_lo[i] <= hi)
			sh->overlaps++;
	}
	if (slot >= 0) {
		sh->live_lo[slot] = lo;
		sh->live_hi[slot] = hi;
	}
	pthread_mutex_unlock(&sh->lock);
	return slot;
}

static void live_del(struct shared *sh, int slot)
{
	pthread_mutex_lock(&sh->lock);
	if (slot >= 0)
		sh->live_lo[slot] = sh->live_hi[slot] = 0;
	pthread_mutex_unlock(&sh->lock);
}

static uint64_t rnd(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static void *work(void *p)
{
	struct worker *w = p;
	struct shared *sh = w->sh;
	uint8_t got[3 * 4096], put[3 * 4096];

	for (int it = 0; it < ITERS; it++) {
		size_t off = rnd(&w->seed) % 4096, len = 1 + rnd(&w->seed) % (2 * 4096);
		struct ims_machine_dma_result res;
		uint64_t dma;
		int slot;

		for (size_t i = 0; i < len; i++)
			w->buf[off + i] = (uint8_t)(w->id * 31 + it + i);
		dma = ims_dma_map_single(sh->dev, w->buf + off, len, IMS_DMA_BIDIRECTIONAL);
		if (ims_dma_mapping_error(sh->dev, dma)) {
			__atomic_fetch_add(&sh->map_errors, 1, __ATOMIC_RELAXED);
			continue;
		}
		/* the whole granules the mapping occupies */
		slot = live_add(sh, dma & ~0xfffULL, ((dma + len - 1) | 0xfff));
		if (ims_machine_device_dma(sh->m, sh->dev, dma, got, len, false, &res))
			__atomic_fetch_add(&sh->dev_errors, 1, __ATOMIC_RELAXED);
		else if (memcmp(got, w->buf + off, len))
			__atomic_fetch_add(&sh->data_errors, 1, __ATOMIC_RELAXED);
		for (size_t i = 0; i < len; i++)
			put[i] = (uint8_t) ~(w->id + it * 3 + i);
		if (ims_machine_device_dma(sh->m, sh->dev, dma, put, len, true, &res))
			__atomic_fetch_add(&sh->dev_errors, 1, __ATOMIC_RELAXED);
		live_del(sh, slot);
		ims_dma_unmap_single(sh->dev, dma, len, IMS_DMA_BIDIRECTIONAL);
		if (memcmp(put, w->buf + off, len))
			__atomic_fetch_add(&sh->data_errors, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void run(int strict, bool debug, uint64_t seed)
{
	const char *mode = strict ? (debug ? "strict" : "strict, no debug")
				  : (debug ? "lazy" : "lazy, no debug");
	struct ims_dma_opts dopts = { .debug = debug };
	struct shared sh = { 0 };
	struct worker w[THREADS];
	pthread_t t[THREADS];

	sh.m = boot_board(QEMU_VIRT, strict, NULL, &dopts);
	sh.dev = first_iommu_pci(sh.m);
	pthread_mutex_init(&sh.lock, NULL);
	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ &sh, i, seed * 7919 + (uint64_t)i + 1,
					ims_kmalloc(ims_machine_mem(sh.m), 3 * 4096) };
		pthread_create(&t[i], NULL, work, &w[i]);
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	is_int(sh.map_errors, 0, "%s: every map succeeded", mode);
	is_int(sh.dev_errors, 0, "%s: every device access completed", mode);
	is_int(sh.data_errors, 0, "%s: no data lost or corrupted", mode);
	is_int(sh.overlaps, 0, "%s: no two live mappings overlapped", mode);
	if (debug)
		is_int(ims_dma_debug_nr_entries(ims_machine_devcore(sh.m), sh.dev), 0,
		       "%s: every mapping was unmapped", mode);
	{
		struct ims_dma_stats st;
		unsigned long errs = 0;

		ims_dma_get_stats(ims_machine_devcore(sh.m), &st);
		for (int k = 0; k < IMS_DMA_DEBUG_NR; k++)
			errs += ims_dma_debug_count(sh.dev, k);
		if (debug)
			is_int(errs, 0, "%s: dma-debug found nothing", mode);
		if (!strict)
			is_int(st.fq_queued, THREADS * ITERS, "%s: every unmap went through the FQ",
			       mode);
	}
	for (int i = 0; i < THREADS; i++)
		ims_kfree(ims_machine_mem(sh.m), w[i].buf);
	pthread_mutex_destroy(&sh.lock);
	ims_machine_free(sh.m);
}

int main(void)
{
	uint64_t seed = tap_seed(20261121);

	run(1, true, seed);
	run(0, true, seed);
	/* without DMA-API debug: the one-granule maps take the common path */
	run(1, false, seed);
	run(0, false, seed);
	return tap_done();
}
