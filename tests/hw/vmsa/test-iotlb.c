/* SPDX-License-Identifier: MIT */
/*
 * The IOTLB: hits and misses, global and ASID-tagged entries, entries of
 * every size, each invalidation kind (what must go and what must stay), LRU
 * replacement, eviction instead of flushing, hit rate of a cyclic working
 * set and the counters.
 */
#include <iommusim/vmsa.h>

#include "../../tap.h"

static struct ims_iotlb_entry mk(uint32_t ctx, uint16_t vmid, uint16_t asid, uint64_t iova,
				 unsigned int shift, unsigned int level, unsigned int flags)
{
	struct ims_iotlb_entry e = { 0 };

	e.ctx = ctx;
	e.vmid = vmid;
	e.asid = asid;
	e.iova = iova;
	e.leaf_shift = (uint8_t)shift;
	e.granule_shift = 12;
	e.level = (uint8_t)level;
	e.flags = (uint8_t)flags;
	e.oa = 0x800000000ULL + (iova & ~((1ULL << shift) - 1)) + ((uint64_t)asid << 40);
	e.ipa = 0x40000000ULL + (iova & ~((1ULL << shift) - 1));
	e.perm = IMS_VMSA_PERM_R_USER | IMS_VMSA_PERM_W_USER;
	return e;
}

static bool has(struct ims_iotlb *t, uint32_t ctx, uint16_t vmid, uint16_t asid, uint64_t iova)
{
	struct ims_iotlb_entry o;

	return ims_iotlb_lookup(t, ctx, vmid, asid, iova, &o);
}

/* The flags of the entry a lookup finds, or 0 on a miss. */
static unsigned int hit_flags(struct ims_iotlb *t, uint32_t ctx, uint16_t vmid, uint16_t asid,
			      uint64_t iova)
{
	struct ims_iotlb_entry o;

	return ims_iotlb_lookup(t, ctx, vmid, asid, iova, &o) ? o.flags : 0;
}

static void insert(struct ims_iotlb *t, struct ims_iotlb_entry e)
{
	ims_iotlb_insert(t, &e);
}

static void test_new(void)
{
	struct ims_iotlb *t = NULL;

	is_int(ims_iotlb_new(&t, 3, 4), -EINVAL, "sets must be a power of two");
	is_int(ims_iotlb_new(&t, 0, 4), -EINVAL, "zero sets");
	is_int(ims_iotlb_new(&t, 131072, 4), -EINVAL, "too many sets");
	is_int(ims_iotlb_new(&t, 16, 0), -EINVAL, "zero ways");
	is_int(ims_iotlb_new(&t, 16, 65), -EINVAL, "too many ways");
	is_int(ims_iotlb_new(&t, 256, 8), 0, "256 x 8");
	is_int(ims_iotlb_capacity(t), 2048, "capacity 2048");
	ims_iotlb_free(t);
	is_int(ims_iotlb_new(&t, 1, 64), 0, "1 x 64");
	is_int(ims_iotlb_capacity(t), 64, "capacity 64");
	ims_iotlb_free(t);
	ims_iotlb_free(NULL);
}

static void test_lookup(void)
{
	struct ims_iotlb *t;
	struct ims_iotlb_entry e, o;

	ims_iotlb_new(&t, 64, 4);
	e = mk(1, 2, 5, 0x12345000, 12, 3, IMS_IOTLB_S1);
	e.perm = IMS_VMSA_PERM_R_PRIV;
	e.granule_shift = 12;
	insert(t, e);
	ok(ims_iotlb_lookup(t, 1, 2, 5, 0x12345678, &o), "hit inside the page");
	is_hex(o.iova, 0x12345000, "hit: iova aligned");
	is_hex(o.oa, e.oa, "hit: oa");
	is_hex(o.ipa, e.ipa, "hit: ipa");
	is_int(o.leaf_shift, 12, "hit: leaf_shift");
	is_int(o.level, 3, "hit: level");
	is_int(o.perm, IMS_VMSA_PERM_R_PRIV, "hit: perm");
	is_int(o.flags, IMS_IOTLB_S1, "hit: flags");
	is_int(o.asid, 5, "hit: asid");
	is_int(o.vmid, 2, "hit: vmid");
	is_int(o.ctx, 1, "hit: ctx");
	is_int(o.granule_shift, 12, "hit: granule_shift");
	ok(!has(t, 1, 2, 6, 0x12345000), "other ASID misses");
	ok(!has(t, 1, 3, 5, 0x12345000), "other VMID misses");
	ok(!has(t, 2, 2, 5, 0x12345000), "other ctx misses");
	ok(!has(t, 1, 2, 5, 0x12346000), "next page misses");
	ok(!has(t, 1, 2, 5, 0x12344fff), "previous page misses");

	/* Global entries match any ASID (but still ctx and VMID). */
	insert(t, mk(1, 2, 7, 0x5000, 12, 3, IMS_IOTLB_S1 | IMS_IOTLB_GLOBAL));
	ok(has(t, 1, 2, 9, 0x5abc), "global entry, another ASID: hit");
	ok(!has(t, 1, 4, 9, 0x5abc), "global entry, another VMID: miss");
	/* A stage-2-only entry has no ASID to match. */
	insert(t, mk(1, 3, 0, 0x9000, 12, 3, IMS_IOTLB_S2));
	ok(has(t, 1, 3, 77, 0x9000), "stage-2 entry ignores the ASID");

	/* Blocks of several sizes side by side with pages. */
	insert(t, mk(1, 2, 5, 0x40000000, 30, 1, IMS_IOTLB_S1));
	insert(t, mk(1, 2, 5, 0x80200000, 21, 2, IMS_IOTLB_S1));
	insert(t, mk(1, 2, 5, 0x80203000, 12, 3, IMS_IOTLB_S1));
	ok(ims_iotlb_lookup(t, 1, 2, 5, 0x7fffffff, &o) && o.leaf_shift == 30 &&
		   o.iova == 0x40000000,
	   "1G block: hit at its end");
	ok(ims_iotlb_lookup(t, 1, 2, 5, 0x803fffff, &o) && o.leaf_shift == 21 && o.level == 2,
	   "2M block: hit");
	ok(ims_iotlb_lookup(t, 1, 2, 5, 0x80203010, &o) && o.leaf_shift == 12,
	   "page inside a cached block: the page (smallest) is found first");
	ok(!has(t, 1, 2, 5, 0x80400000), "past the 2M block: miss");
	insert(t, mk(1, 2, 5, 0x1000000000ULL, 16, 3, IMS_IOTLB_S1));
	insert(t, mk(1, 2, 5, 0x2000000000ULL, 25, 2, IMS_IOTLB_S1));
	ok(has(t, 1, 2, 5, 0x100000ffffULL), "64K page");
	ok(has(t, 1, 2, 5, 0x2001ffffffULL), "32M block");
	/* Out-of-range leaf sizes are not cached. */
	insert(t, mk(1, 2, 5, 0x3000000000ULL, 8, 3, IMS_IOTLB_S1));
	ok(!has(t, 1, 2, 5, 0x3000000000ULL), "leaf_shift 8 is not cached");
	ims_iotlb_free(t);
}

static void test_replace(void)
{
	struct ims_iotlb *t;
	struct ims_iotlb_entry e, o;
	struct ims_iotlb_stats st;

	ims_iotlb_new(&t, 16, 4);
	e = mk(1, 0, 1, 0x7000, 12, 3, IMS_IOTLB_S1);
	insert(t, e);
	e.oa = 0xabc000;
	insert(t, e);
	ok(ims_iotlb_lookup(t, 1, 0, 1, 0x7000, &o) && o.oa == 0xabc000,
	   "re-inserting a translation replaces it");
	is_int(ims_iotlb_inv_all(t, IMS_IOTLB_ANY_CTX), 1, "only one copy was kept");
	ims_iotlb_get_stats(t, &st);
	is_int(st.evictions, 0, "replacing is not evicting");
	ims_iotlb_free(t);
}

static void test_inv(void)
{
	struct ims_iotlb *t;
	const unsigned int S1 = IMS_IOTLB_S1, S2 = IMS_IOTLB_S2, G = IMS_IOTLB_GLOBAL;

	ims_iotlb_new(&t, 64, 4);

	/* TLBI_NH_ASID: ASID 1 of VMID 0; global, other ASID, other VMID, stage 2 stay. */
	insert(t, mk(0, 0, 1, 0x1000, 12, 3, S1));
	insert(t, mk(0, 0, 1, 0x200000, 21, 2, S1));
	insert(t, mk(0, 0, 1, 0x3000, 12, 3, S1 | G));
	insert(t, mk(0, 0, 2, 0x1000, 12, 3, S1));
	insert(t, mk(0, 5, 1, 0x1000, 12, 3, S1 | S2));
	insert(t, mk(0, 0, 0, 0x8000, 12, 3, S2));
	insert(t, mk(9, 0, 1, 0x1000, 12, 3, S1));
	is_int(ims_iotlb_inv_asid(t, 0, 0, 1), 2, "inv_asid removes the two ASID-1 entries");
	ok(!has(t, 0, 0, 1, 0x1000) && !has(t, 0, 0, 1, 0x200000), "ASID-1 entries gone");
	ok(has(t, 0, 0, 1, 0x3000), "global entry stays");
	ok(has(t, 0, 0, 2, 0x1000), "ASID 2 stays");
	ok(has(t, 0, 5, 1, 0x1000), "other VMID stays");
	ok(has(t, 0, 0, 0, 0x8000), "stage-2 entry stays");
	ok(has(t, 9, 0, 1, 0x1000), "other ctx stays");
	is_int(ims_iotlb_inv_asid(t, IMS_IOTLB_ANY_CTX, 0, 1), 1, "inv_asid any ctx");
	ok(!has(t, 9, 0, 1, 0x1000), "other ctx's ASID-1 entry gone with ANY_CTX");
	ims_iotlb_inv_all(t, IMS_IOTLB_ANY_CTX);

	/* TLBI_NH_VA: range, ASID, global, TTL. */
	insert(t, mk(0, 0, 1, 0x10000, 12, 3, S1));
	insert(t, mk(0, 0, 1, 0x11000, 12, 3, S1));
	insert(t, mk(0, 0, 1, 0x12000, 12, 3, S1));
	insert(t, mk(0, 0, 2, 0x11000, 12, 3, S1));
	insert(t, mk(0, 0, 3, 0x11000, 12, 3, S1 | G));
	insert(t, mk(0, 0, 1, 0x400000, 21, 2, S1));
	insert(t, mk(0, 0, 0, 0x11000, 12, 3, S2));
	is_int(ims_iotlb_inv_va(t, 0, 0, 1, false, 0x11000, 0x1000, true, 0), 2,
	       "inv_va one page: ASID 1 and the global entry");
	/* The stage-2-only entry at the same VA matches any ASID: look past it. */
	is_int(hit_flags(t, 0, 0, 1, 0x11000), S2, "the page is gone (only the S2 entry left)");
	is_int(hit_flags(t, 0, 0, 7, 0x11000), S2, "the global page is gone");
	is_int(hit_flags(t, 0, 0, 2, 0x11000), S1, "ASID 2 at the same VA stays");
	ok(has(t, 0, 0, 1, 0x10000) && has(t, 0, 0, 1, 0x12000), "neighbours stay");
	ok(has(t, 0, 0, 0, 0x11000), "stage-2 entry stays");
	is_int(ims_iotlb_inv_va(t, 0, 0, 1, false, 0x500000, 0x1000, true, 3), 0,
	       "TTL 3 spares the level-2 block");
	ok(has(t, 0, 0, 1, 0x400000), "block still there");
	is_int(ims_iotlb_inv_va(t, 0, 0, 1, false, 0x5ff000, 0x2000, true, 2), 1,
	       "TTL 2 over the block's end removes it (leaf_only keeps leaf entries in scope)");
	ok(!has(t, 0, 0, 1, 0x400000), "block gone");
	is_int(ims_iotlb_inv_va(t, 0, 0, 9, true, 0x10000, 0x3000, false, 0), 3,
	       "inv_va any ASID over three pages");
	ok(hit_flags(t, 0, 0, 2, 0x11000) == S2 && !has(t, 0, 0, 1, 0x12000), "all ASIDs gone");
	is_int(hit_flags(t, 0, 0, 0, 0x11000), S2, "stage-2 entry still stays");
	insert(t, mk(0, 0, 1, 0xfffffffffffff000ULL, 12, 3, S1));
	is_int(ims_iotlb_inv_va(t, 0, 0, 1, false, 0xfffffffffffff000ULL, 0x2000, false, 0), 1,
	       "a range wrapping past 2^64 is clipped, not empty");
	ims_iotlb_inv_all(t, IMS_IOTLB_ANY_CTX);

	/* TLBI_S12_VMALL and TLBI_S2_IPA. */
	insert(t, mk(0, 3, 1, 0x1000, 12, 3, S1 | S2));
	insert(t, mk(0, 3, 0, 0x2000, 12, 3, S2));
	insert(t, mk(0, 3, 4, 0x3000, 12, 3, S1 | S2 | G));
	insert(t, mk(0, 4, 1, 0x1000, 12, 3, S1 | S2));
	insert(t, mk(0, 0, 1, 0x1000, 12, 3, S1));
	is_int(ims_iotlb_inv_ipa(t, 0, 3, 0x40001000, 0x1000), 1, "inv_ipa: the nested entry");
	ok(!has(t, 0, 3, 1, 0x1000), "nested entry with that IPA gone");
	ok(has(t, 0, 3, 0, 0x2000), "other IPA stays");
	ok(has(t, 0, 4, 1, 0x1000), "other VMID stays");
	is_int(ims_iotlb_inv_ipa(t, 0, 0, 0x40001000, 0x1000), 0,
	       "inv_ipa leaves stage-1-only entries");
	is_int(ims_iotlb_inv_ipa(t, 0, 3, 0x40000000, 0x10000), 2, "inv_ipa range");
	insert(t, mk(0, 3, 1, 0x1000, 12, 3, S1 | S2));
	insert(t, mk(0, 3, 0, 0x2000, 12, 3, S2));
	is_int(ims_iotlb_inv_vmid(t, 0, 3), 2, "inv_vmid removes all of VMID 3");
	ok(has(t, 0, 4, 1, 0x1000) && has(t, 0, 0, 1, 0x1000), "other VMIDs stay");

	/* inv_all by ctx. */
	insert(t, mk(7, 0, 1, 0x1000, 12, 3, S1));
	is_int(ims_iotlb_inv_all(t, 7), 1, "inv_all(ctx 7)");
	ok(has(t, 0, 4, 1, 0x1000), "ctx 0 stays");
	is_int(ims_iotlb_inv_all(t, IMS_IOTLB_ANY_CTX), 2, "inv_all(ANY)");
	ok(!has(t, 0, 4, 1, 0x1000), "empty");
	ims_iotlb_free(t);
}

static void test_lru(void)
{
	struct ims_iotlb *t;
	struct ims_iotlb_stats st;

	/* One set of four ways: every entry competes for it. */
	ims_iotlb_new(&t, 1, 4);
	for (uint64_t i = 0; i < 4; i++)
		insert(t, mk(0, 0, 1, i << 12, 12, 3, IMS_IOTLB_S1));
	ok(has(t, 0, 0, 1, 0 << 12), "A hit (A becomes most recent)");
	insert(t, mk(0, 0, 1, 4ULL << 12, 12, 3, IMS_IOTLB_S1));
	ok(!has(t, 0, 0, 1, 1ULL << 12), "B, the least recently used, was evicted");
	ok(has(t, 0, 0, 1, 0 << 12), "A, recently hit, stays");
	ok(has(t, 0, 0, 1, 2ULL << 12) && has(t, 0, 0, 1, 3ULL << 12) &&
		   has(t, 0, 0, 1, 4ULL << 12),
	   "C, D, E present");
	/* Order now (oldest first): A C D E.  Touch A again; F must evict C. */
	ok(has(t, 0, 0, 1, 0), "A hit again");
	insert(t, mk(0, 0, 1, 5ULL << 12, 12, 3, IMS_IOTLB_S1));
	ok(!has(t, 0, 0, 1, 2ULL << 12), "C evicted next");
	ok(has(t, 0, 0, 1, 3ULL << 12) && has(t, 0, 0, 1, 0), "D and A stay");
	ims_iotlb_get_stats(t, &st);
	is_int(st.evictions, 2, "two evictions");
	/* An invalidated way is reused before any valid one is evicted. */
	ims_iotlb_inv_va(t, 0, 0, 1, false, 3ULL << 12, 0x1000, false, 0);
	insert(t, mk(0, 0, 1, 6ULL << 12, 12, 3, IMS_IOTLB_S1));
	ims_iotlb_get_stats(t, &st);
	is_int(st.evictions, 2, "the freed way was used, nothing evicted");
	ims_iotlb_free(t);
}

static void test_capacity(void)
{
	struct ims_iotlb *t;
	struct ims_iotlb_stats st;
	uint64_t seed = tap_seed(0x10b), pages[4096];
	unsigned int present = 0, recent = 0;

	ims_iotlb_new(&t, 512, 4);
	for (int i = 0; i < 4096; i++) {
		pages[i] = (tap_rand(&seed) & 0xffffffffffULL) << 12;
		insert(t, mk(0, 0, 1, pages[i], 12, 3, IMS_IOTLB_S1));
	}
	for (int i = 0; i < 4096; i++)
		present += has(t, 0, 0, 1, pages[i]);
	for (int i = 4096 - 256; i < 4096; i++)
		recent += has(t, 0, 0, 1, pages[i]);
	ok(present >= 2048 * 95 / 100 && present <= 2048,
	   "over-filling keeps the cache nearly full: %u of 2048", present);
	ok(recent >= 256 * 95 / 100, "the most recent inserts are present: %u of 256", recent);
	ims_iotlb_get_stats(t, &st);
	is_int(st.inserts, 4096, "inserts counted");
	is_int(st.evictions, 4096 - present, "one eviction per insert beyond the cache's fill");
	ims_iotlb_free(t);
}

static void test_hit_rate(void)
{
	struct ims_iotlb *t;
	struct ims_iotlb_stats st;
	uint64_t seed = tap_seed(0x2048);
	uint64_t base = (tap_rand(&seed) & 0xfffffffULL) << 12; /* not set-aligned */
	uint32_t ctx = (uint32_t)tap_rand(&seed) & 0xff;
	uint16_t vmid = (uint16_t)tap_rand(&seed);
	unsigned int hits = 0, lookups = 0;

	ims_iotlb_new(&t, 512, 4);
	for (int pass = 0; pass < 5; pass++) {
		for (uint64_t p = 0; p < 2048; p++) {
			uint64_t iova = base + (p << 12);
			bool hit = has(t, ctx, vmid, 3, iova);

			if (pass > 0) {
				lookups++;
				hits += hit;
			}
			if (!hit)
				insert(t, mk(ctx, vmid, 3, iova, 12, 3, IMS_IOTLB_S1));
		}
	}
	ok(hits >= lookups * 95 / 100, "2048-page cyclic set in 2048 entries: hit rate %.3f",
	   (double)hits / lookups);
	ims_iotlb_get_stats(t, &st);
	is_int(st.hits, hits, "stats: hits match (the cold pass has none)");
	is_int(st.hits + st.misses, 5 * 2048, "stats: every lookup counted once");
	is_int(st.misses, st.inserts, "stats: one insert per miss");
	ims_iotlb_free(t);
}

static void test_stats(void)
{
	struct ims_iotlb *t;
	struct ims_iotlb_stats st;

	ims_iotlb_new(&t, 4, 2);
	insert(t, mk(0, 0, 1, 0x1000, 12, 3, IMS_IOTLB_S1));
	insert(t, mk(0, 0, 1, 0x2000, 12, 3, IMS_IOTLB_S1));
	has(t, 0, 0, 1, 0x1000);
	has(t, 0, 0, 1, 0x1000);
	has(t, 0, 0, 1, 0x2000);
	has(t, 0, 0, 1, 0x3000);
	ims_iotlb_inv_asid(t, 0, 0, 1);
	ims_iotlb_get_stats(t, &st);
	is_int(st.hits, 3, "stats: 3 hits");
	is_int(st.misses, 1, "stats: 1 miss");
	is_int(st.inserts, 2, "stats: 2 inserts");
	is_int(st.invalidated, 2, "stats: 2 invalidated");
	is_int(st.evictions, 0, "stats: no evictions");
	is_int(st.entries, 0, "stats: no entries left");
	ims_iotlb_free(t);
}

/*
 * The occupancy count that lets an invalidation skip an empty IOTLB:
 * duplicates, evictions and partial invalidations of a tiny TLB keep it
 * equal to what is really cached, so a flush never skips a live entry.
 */
static void test_occupancy(void)
{
	struct ims_iotlb *t;
	struct ims_iotlb_stats st;
	unsigned int live, bad = 0;

	ims_iotlb_new(&t, 2, 2);
	is_int(ims_iotlb_inv_all(t, 0), 0, "empty: nothing to invalidate");
	for (unsigned int round = 0; round < 50; round++) {
		/* 12 pages into 4 ways: duplicates and evictions every round. */
		for (unsigned int i = 0; i < 12; i++)
			insert(t,
			       mk(0, 0, 1, 0x1000ULL * ((i * 7 + round) % 9), 12, 3, IMS_IOTLB_S1));
		ims_iotlb_inv_va(t, 0, 0, 1, false, 0x1000ULL * (round % 9), 0x1000, true, 0);
		live = 0;
		for (unsigned int p = 0; p < 9; p++)
			live += has(t, 0, 0, 1, 0x1000ULL * p);
		ims_iotlb_get_stats(t, &st);
		if (st.entries != live)
			bad++;
		if (round % 5 == 4) {
			if (ims_iotlb_inv_all(t, 0) != live)
				bad++;
			for (unsigned int p = 0; p < 9; p++)
				bad += has(t, 0, 0, 1, 0x1000ULL * p);
		}
	}
	is_int(bad, 0, "occupancy matches the cached pages; inv_all removes them all");
	ims_iotlb_get_stats(t, &st);
	ok(st.evictions > 0 && st.entries == 0, "evictions happened; empty at the end");
	ims_iotlb_free(t);
}

int main(void)
{
	test_new();
	test_lookup();
	test_replace();
	test_inv();
	test_lru();
	test_capacity();
	test_hit_rate();
	test_stats();
	test_occupancy();
	return tap_done();
}
