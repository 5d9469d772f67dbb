/* SPDX-License-Identifier: MIT */
/*
 * IOTLB under concurrency: threads look up, insert and invalidate at once.
 * Every entry's contents are a function of its tag, so a torn read (an oa
 * from one entry with the tag of another) shows as a data mismatch.  Each
 * thread also owns a context in which only it inserts: after its own
 * invalidation returns, its lookups there must miss.
 */
#include <pthread.h>

#include <iommusim/vmsa.h>

#include "../../tap.h"

#define THREADS 4
#define ITERS 60000
#define PAGES 96 /* shared key space: 96 pages x 4 ASIDs, against 512 entries */

static struct ims_iotlb *tlb;

struct worker {
	pthread_t th;
	unsigned int id;
	uint64_t seed;
	unsigned long bad_data, bad_inv, hits, lookups;
};

static uint64_t oa_of(uint32_t ctx, uint16_t asid, uint64_t iova)
{
	return ((iova >> 12) * 0x9E3779B97F4A7C15ULL ^ ((uint64_t)ctx << 20) ^ asid) << 12 &
	       0x0000fffffffff000ULL;
}

static struct ims_iotlb_entry entry_of(uint32_t ctx, uint16_t asid, uint64_t iova)
{
	struct ims_iotlb_entry e = { 0 };

	e.ctx = ctx;
	e.asid = asid;
	e.iova = iova;
	e.oa = oa_of(ctx, asid, iova);
	e.ipa = ~e.oa & 0x0000fffffffff000ULL;
	e.leaf_shift = 12;
	e.granule_shift = 12;
	e.level = 3;
	e.perm = (uint8_t)((iova >> 12) & 0x3f);
	e.flags = IMS_IOTLB_S1;
	return e;
}

static bool check(const struct ims_iotlb_entry *o, uint32_t ctx, uint16_t asid, uint64_t iova)
{
	struct ims_iotlb_entry e = entry_of(ctx, asid, iova);

	return o->iova == e.iova && o->oa == e.oa && o->ipa == e.ipa && o->perm == e.perm &&
	       o->asid == asid && o->flags == e.flags && o->level == 3 && o->leaf_shift == 12;
}

static void *run(void *arg)
{
	struct worker *w = arg;
	uint32_t own = 100 + w->id;

	for (unsigned int i = 0; i < ITERS; i++) {
		uint64_t r = tap_rand(&w->seed);
		uint16_t asid = (uint16_t)(r & 3);
		uint64_t iova = ((r >> 8) % PAGES) << 12;
		struct ims_iotlb_entry o;
		unsigned int op = (unsigned int)((r >> 40) % 1024);

		switch (op < 16 ? 0 : op == 16 ? 1 : op < 64 ? 2 : 3) {
		case 0: /* invalidate by VA, any ASID */
			ims_iotlb_inv_va(tlb, 0, 0, 0, true, iova, 0x1000, true, 0);
			break;
		case 1: /* invalidate an ASID */
			ims_iotlb_inv_asid(tlb, 0, 0, asid);
			break;
		case 2: { /* own context: insert, check, invalidate, check */
			struct ims_iotlb_entry e = entry_of(own, asid, iova);

			ims_iotlb_insert(tlb, &e);
			if (ims_iotlb_lookup(tlb, own, 0, asid, iova, &o) &&
			    !check(&o, own, asid, iova))
				w->bad_data++;
			ims_iotlb_inv_va(tlb, own, 0, asid, false, iova, 0x1000, false, 0);
			if (ims_iotlb_lookup(tlb, own, 0, asid, iova, &o))
				w->bad_inv++;
			break;
		}
		default:
			w->lookups++;
			if (ims_iotlb_lookup(tlb, 0, 0, asid, iova, &o)) {
				w->hits++;
				if (!check(&o, 0, asid, iova))
					w->bad_data++;
			} else {
				struct ims_iotlb_entry e = entry_of(0, asid, iova);

				ims_iotlb_insert(tlb, &e);
			}
		}
	}
	return NULL;
}

int main(void)
{
	struct worker w[THREADS];
	uint64_t seed = tap_seed(0x3a7e);
	unsigned long bad_data = 0, bad_inv = 0, hits = 0, lookups = 0;
	struct ims_iotlb_stats st;
	unsigned int started = 0;

	if (ims_iotlb_new(&tlb, 128, 4)) {
		ok(0, "iotlb");
		return tap_done();
	}
	for (unsigned int i = 0; i < THREADS; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].id = i;
		w[i].seed = tap_rand(&seed) | 1;
		if (pthread_create(&w[i].th, NULL, run, &w[i]) == 0)
			started++;
	}
	is_int(started, THREADS, "threads started");
	for (unsigned int i = 0; i < started; i++) {
		pthread_join(w[i].th, NULL);
		bad_data += w[i].bad_data;
		bad_inv += w[i].bad_inv;
		hits += w[i].hits;
		lookups += w[i].lookups;
	}
	is_int(bad_data, 0, "no torn or mismatched entry in %lu hits", hits);
	is_int(bad_inv, 0, "an invalidation is complete when it returns");
	ok(hits > lookups / 4, "the shared working set mostly hits (%lu of %lu)", hits, lookups);
	ims_iotlb_get_stats(tlb, &st);
	ok(st.inserts > 0 && st.evictions > 0 && st.invalidated > 0,
	   "counters moved (inserts %llu, evictions %llu, invalidated %llu)",
	   (unsigned long long)st.inserts, (unsigned long long)st.evictions,
	   (unsigned long long)st.invalidated);
	ims_iotlb_inv_all(tlb, IMS_IOTLB_ANY_CTX);
	{
		unsigned int left = 0;
		struct ims_iotlb_entry o;

		for (uint64_t p = 0; p < PAGES; p++)
			for (uint16_t a = 0; a < 4; a++)
				left += ims_iotlb_lookup(tlb, 0, 0, a, p << 12, &o);
		is_int(left, 0, "inv_all leaves nothing");
	}
	ims_iotlb_free(tlb);
	return tap_done();
}
