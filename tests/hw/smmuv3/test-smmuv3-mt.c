/* SPDX-License-Identifier: MIT */
/*
 * SMMUv3 concurrency: translating threads run while a "driver" thread remaps
 * pages and issues TLBI/CFGI + CMD_SYNC.  Every translation must return one
 * of the two mappings the page ever had, never garbage.
 */
#include <pthread.h>
#include <sched.h>

#include "drv.h"

#define NPAGES 32
#define THREADS 3
#define ROUNDS 300

struct mt {
	struct drv d;
	struct drv_pt pt;
	uint64_t cd;
	struct drv_cd c;
	int stop;
	unsigned long bad, done, progress;
};

static void *worker(void *arg)
{
	struct mt *m = arg;
	unsigned long bad = 0, done = 0;
	unsigned int i = 0;

	while (!__atomic_load_n(&m->stop, __ATOMIC_ACQUIRE)) {
		struct ims_txn_result r = drv_txn(
			&m->d, 1, false, 0, 0x100000 + 0x1000ULL * (i % NPAGES), IMS_VMSA_READ);
		uint64_t a = DRV_RAM + 0x1000000 + 0x1000ULL * (i % NPAGES);

		if (r.status != IMS_TXN_OK || (r.pa != a && r.pa != a + 0x800000))
			bad++;
		done++;
		i++;
		if ((i & 63) == 0)
			__atomic_fetch_add(&m->progress, 1, __ATOMIC_RELAXED);
	}
	__atomic_fetch_add(&m->bad, bad, __ATOMIC_RELAXED);
	__atomic_fetch_add(&m->done, done, __ATOMIC_RELAXED);
	return NULL;
}

int main(void)
{
	static struct mt m;
	pthread_t th[THREADS];

	drv_create(&m.d, NULL);
	drv_setup(&m.d, 8, 0);
	drv_pt_init(&m.d, &m.pt, 12, 48, 0, 1, false);
	m.cd = drv_alloc(&m.d, 64, 64);
	m.c.asid = 1;
	m.c.t0sz = 16;
	m.c.ips = 5;
	m.c.ttb0 = m.pt.root;
	m.c.record = true;
	drv_write_cd(&m.d, m.cd, &m.c);
	drv_ste_s1(&m.d, 1, m.cd, 0, 0, 0);
	for (unsigned int p = 0; p < NPAGES; p++)
		drv_map(&m.d, &m.pt, 0x100000 + 0x1000ULL * p, DRV_RAM + 0x1000000 + 0x1000ULL * p,
			3, DRV_R);
	for (int t = 0; t < THREADS; t++)
		pthread_create(&th[t], NULL, worker, &m);
	/* Let the workers start before the driver races them (bounded wait). */
	for (unsigned long spin = 0;
	     spin < 100000000UL && !__atomic_load_n(&m.progress, __ATOMIC_RELAXED); spin++)
		sched_yield();
	for (unsigned int round = 0;
	     round < ROUNDS ||
	     (round < 100 * ROUNDS && __atomic_load_n(&m.progress, __ATOMIC_RELAXED) < 4 * THREADS);
	     round++) {
		unsigned int p = round % NPAGES;
		uint64_t off = (round / NPAGES) & 1 ? 0x800000 : 0;

		/* Break-before-make is not needed: both PAs are acceptable answers. */
		drv_map(&m.d, &m.pt, 0x100000 + 0x1000ULL * p,
			DRV_RAM + 0x1000000 + 0x1000ULL * p + off, 3, DRV_R);
		drv_cmd(&m.d,
			FIELD_PREP(CMD_0_OP,
				   round & 1 ? CMDQ_OP_TLBI_NH_VA : CMDQ_OP_TLBI_NH_ASID) |
				FIELD_PREP(CMD_0_ASID, 1),
			0x100000 + 0x1000ULL * p);
		if (round % 16 == 0) {
			drv_cfgi_ste(&m.d, 1);
			drv_cfgi_cd(&m.d, 1, 0);
		}
		drv_sync(&m.d);
	}
	__atomic_store_n(&m.stop, 1, __ATOMIC_RELEASE);
	for (int t = 0; t < THREADS; t++)
		pthread_join(th[t], NULL);
	ok(m.done > 0, "translations ran concurrently with invalidations (%lu)", m.done);
	is_int(m.bad, 0, "every translation returned one of the page's two mappings");
	is_hex(rd32(&m.d, SMMU_CMDQ_CONS), m.d.cmd_prod, "every command consumed");
	drv_destroy(&m.d);
	return tap_done();
}
