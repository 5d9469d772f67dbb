/* SPDX-License-Identifier: MIT */
/*
 * Long random sequences of every allocator call, applied to the allocator and
 * to a step-by-step re-statement of Linux's algorithm (iova-ref.h): every pfn,
 * every failure and the cached-node hints must be identical.  Each result is
 * also checked against a bitmap of held pfns (limits, alignment, overlap).
 * Seeded: set IMS_TEST_SEED to replay.
 */
#include <stdio.h>

#include "../tap.h"
#include "iommusim/iova.h"
#include "iova-ref.h"

#define OPS 6000
#define MAXLIVE 8192

struct live {
	uint64_t pfn, size, held;
	bool fast;
};

struct run {
	struct ims_iova_domain *iovad;
	struct ref_dom ref;
	uint8_t *bm;
	uint64_t bm_pfns;
	struct live live[MAXLIVE];
	int nlive;
	char why[256];
};

static uint64_t rup(uint64_t s)
{
	return 1ULL << ref_order(s);
}

static bool bm_get(struct run *r, uint64_t p)
{
	return p < r->bm_pfns && (r->bm[p / 8] >> (p % 8)) & 1;
}

static void bm_set(struct run *r, uint64_t p, uint64_t n, bool v)
{
	for (uint64_t q = p; q < p + n && q < r->bm_pfns; q++) {
		if (v)
			r->bm[q / 8] |= (uint8_t)(1u << (q % 8));
		else
			r->bm[q / 8] &= (uint8_t) ~(1u << (q % 8));
	}
}

static bool take(struct run *r, uint64_t pfn, uint64_t held, uint64_t align, uint64_t limit,
		 uint64_t start)
{
	if (pfn < start || pfn + held - 1 > limit || (pfn & (align - 1))) {
		snprintf(r->why, sizeof(r->why), "pfn %#llx +%llu breaks limit %#llx / align %llu",
			 (unsigned long long)pfn, (unsigned long long)held,
			 (unsigned long long)limit, (unsigned long long)align);
		return false;
	}
	for (uint64_t q = pfn; q < pfn + held; q++) {
		if (bm_get(r, q)) {
			snprintf(r->why, sizeof(r->why), "pfn %#llx handed out twice",
				 (unsigned long long)q);
			return false;
		}
	}
	bm_set(r, pfn, held, true);
	return true;
}

static uint64_t pick_limit(uint64_t *seed, uint64_t dma32)
{
	switch (tap_rand(seed) % 6) {
	case 0:
	case 1:
		return dma32 - 1;
	case 2:
		return 2 * dma32 - 1;
	case 3:
		return dma32 - 1 - tap_rand(seed) % (dma32 / 8);
	default:
		return dma32 / 2 + tap_rand(seed) % (dma32 + dma32 / 2);
	}
}

/* Returns the number of the op that diverged, or -1. */
static long run_once(struct run *r, uint64_t seed, uint64_t granule, uint64_t start,
		     unsigned int steps)
{
	uint64_t dma32;
	long bad = -1;

	ims_iova_domain_create(&r->iovad, granule, start);
	ims_iova_set_linear_steps(r->iovad, steps);
	ref_init(&r->ref, granule, start);
	dma32 = r->ref.dma32;
	r->bm_pfns = 2 * dma32;
	r->bm = calloc(r->bm_pfns / 8 + 1, 1);
	r->nlive = 0;
	r->why[0] = 0;
	for (long op = 0; op < OPS && bad < 0; op++) {
		unsigned int c = (unsigned int)(tap_rand(&seed) % 100);
		uint64_t limit = pick_limit(&seed, dma32), size, a, b;
		struct ims_iova_info info;

		if (c < 30 && r->nlive < MAXLIVE) { /* alloc_iova */
			bool al = tap_rand(&seed) & 1;
			struct ims_iova iova = { 0, 0 };
			int ret;

			size = 1 + tap_rand(&seed) % (tap_rand(&seed) % 8 ? 24 : 300);
			ret = ims_iova_alloc(r->iovad, size, limit, al, &iova);
			a = ret ? ~0ULL : iova.pfn_lo;
			b = ref_alloc(&r->ref, size, limit, al);
			if (a != b) {
				snprintf(r->why, sizeof(r->why),
					 "alloc_iova(%llu, %#llx, %d): %#llx, Linux %#llx",
					 (unsigned long long)size, (unsigned long long)limit, al,
					 (unsigned long long)a, (unsigned long long)b);
				bad = op;
			} else if (!ret) {
				if (!take(r, a, size, al ? rup(size) : 1, limit, start))
					bad = op;
				r->live[r->nlive++] = (struct live){ a, size, size, false };
			}
		} else if (c < 55 && r->nlive < MAXLIVE) { /* alloc_iova_fast */
			bool fl = tap_rand(&seed) % 4 == 0;
			uint64_t held;

			size = 1 + tap_rand(&seed) % 40;
			held = size < 32 ? rup(size) : size;
			a = ims_iova_alloc_fast(r->iovad, size, limit, fl);
			b = ref_alloc_fast(&r->ref, size, limit, fl);
			if (a != b) {
				snprintf(r->why, sizeof(r->why),
					 "alloc_iova_fast(%llu, %#llx, %d): %#llx, Linux %#llx",
					 (unsigned long long)size, (unsigned long long)limit, fl,
					 (unsigned long long)a, (unsigned long long)b);
				bad = op;
			} else if (a) {
				if (!take(r, a, held, rup(size), limit, start))
					bad = op;
				r->live[r->nlive++] = (struct live){ a, size, held, true };
			}
		} else if (c < 93) { /* free one held range */
			if (r->nlive) {
				int i = (int)(tap_rand(&seed) % (uint64_t)r->nlive);
				struct live l = r->live[i];

				r->live[i] = r->live[--r->nlive];
				bm_set(r, l.pfn, l.held, false);
				if (l.fast && tap_rand(&seed) % 8) {
					ims_iova_free_fast(r->iovad, l.pfn, l.size);
					ref_free_fast(&r->ref, l.pfn, l.size);
				} else if ((ims_iova_free(r->iovad, l.pfn) == 0) !=
					   (ref_free(&r->ref, l.pfn) == 0)) {
					snprintf(r->why, sizeof(r->why), "free_iova(%#llx) differs",
						 (unsigned long long)l.pfn);
					bad = op;
				}
			}
		} else if (c < 96) { /* reserve_iova */
			struct ims_iova got;
			long k;

			a = start + tap_rand(&seed) % (2 * dma32 - start - 64);
			size = 1 + tap_rand(&seed) % 48;
			ims_iova_reserve(r->iovad, a, a + size - 1, &got);
			k = ref_reserve(&r->ref, a, a + size - 1);
			if (got.pfn_lo != r->ref.v[k].lo || got.pfn_hi != r->ref.v[k].hi) {
				snprintf(r->why, sizeof(r->why),
					 "reserve_iova(%#llx, %#llx) differs",
					 (unsigned long long)a, (unsigned long long)(a + size - 1));
				bad = op;
			}
		} else if (c < 98) {
			ims_iova_flush_rcaches(r->iovad);
			ref_flush(&r->ref, true, true);
		} else if (c < 99) {
			ims_iova_free_cpu_cached(r->iovad);
			ref_flush(&r->ref, true, false);
		} else {
			if (ims_iova_depot_reclaim(r->iovad) != ref_reclaim(&r->ref, 1)) {
				snprintf(r->why, sizeof(r->why), "depot reclaim differs");
				bad = op;
			}
		}
		ims_iova_get_info(r->iovad, &info);
		if (bad < 0 && (info.cached32.pfn_lo != r->ref.v[r->ref.cached32].lo ||
				info.cached.pfn_lo != r->ref.v[r->ref.cached].lo ||
				info.max32_alloc_size != r->ref.max32 ||
				info.nodes != (uint64_t)r->ref.n - 1)) {
			snprintf(r->why, sizeof(r->why),
				 "hints differ: cached32 %#llx/%#llx cached %#llx/%#llx max32 "
				 "%llu/%llu",
				 (unsigned long long)info.cached32.pfn_lo,
				 (unsigned long long)r->ref.v[r->ref.cached32].lo,
				 (unsigned long long)info.cached.pfn_lo,
				 (unsigned long long)r->ref.v[r->ref.cached].lo,
				 (unsigned long long)info.max32_alloc_size,
				 (unsigned long long)r->ref.max32);
			bad = op;
		}
		if (bad < 0 && op % 512 == 0 && ims_iova_check(r->iovad)) {
			snprintf(r->why, sizeof(r->why), "check: %s", ims_last_error());
			bad = op;
		}
	}
	if (bad < 0 && ims_iova_check(r->iovad)) {
		snprintf(r->why, sizeof(r->why), "final check: %s", ims_last_error());
		bad = OPS;
	}
	ims_iova_domain_destroy(r->iovad);
	ref_destroy(&r->ref);
	free(r->bm);
	return bad;
}

int main(void)
{
	uint64_t seed = tap_seed(0x10a5eed), s = seed;
	static struct run r;
	const unsigned int steps[] = { 0, 1, 8, 1u << 30 };
	const uint64_t granules[] = { 1u << 20, 1u << 18, 4096 };

	for (size_t g = 0; g < sizeof(granules) / sizeof(granules[0]); g++) {
		for (size_t k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
			uint64_t rs = tap_rand(&s) | 1, start = tap_rand(&s) % 4;
			long bad = run_once(&r, rs, granules[g], start, steps[k]);

			ok(bad < 0,
			   "granule %#llx start_pfn %llu linear steps %u: %d ops match Linux (seed "
			   "%#llx)",
			   (unsigned long long)granules[g], (unsigned long long)start, steps[k],
			   OPS, (unsigned long long)rs);
			if (bad >= 0)
				diag("op %ld: %s", bad, r.why);
		}
	}
	return tap_done();
}
