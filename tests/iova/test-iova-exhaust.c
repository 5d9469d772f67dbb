/* SPDX-License-Identifier: MIT */
/*
 * Running out of space: failures are clean (0 / -ENOMEM), the rcache flush
 * recovers cached space, and a domain emptied again behaves like a fresh one.
 */
#include "../tap.h"
#include "iommusim/iova.h"

#define SPACE 0xfff /* 1M granule, start_pfn 1: pfns 1..0xfff below 4 GiB */

static uint64_t pfns[SPACE + 1];

/* The next results of a fixed sequence, to compare two domains. */
static void probe(struct ims_iova_domain *d, uint64_t *out, int n)
{
	uint64_t s = 0x5eed;

	for (int i = 0; i < n; i++) {
		uint64_t size = 1 + tap_rand(&s) % 40;

		out[i] = ims_iova_alloc_fast(d, size, i % 3 ? SPACE : 2 * SPACE + 1, false);
	}
}

static bool same_as_fresh(struct ims_iova_domain *d, const char *what)
{
	struct ims_iova_domain *fresh;
	struct ims_iova_info a, b;
	uint64_t x[64], y[64];
	int diff = 0;

	ims_iova_get_info(d, &a);
	ims_iova_domain_create(&fresh, 1u << 20, 1);
	ims_iova_get_info(fresh, &b);
	probe(d, x, 64);
	probe(fresh, y, 64);
	for (int i = 0; i < 64; i++) {
		diff += x[i] != y[i];
		if (x[i])
			ims_iova_free(d, x[i]);
	}
	ims_iova_domain_destroy(fresh);
	return ok(diff == 0 && a.nodes == 0 && a.cached_pfns == 0 &&
			  a.cached32.pfn_lo == b.cached32.pfn_lo &&
			  a.cached.pfn_lo == b.cached.pfn_lo &&
			  a.max32_alloc_size == b.max32_alloc_size,
		  "%s: state and next 64 results equal a fresh domain's (%d differ)", what, diff);
}

int main(void)
{
	struct ims_iova_domain *d;
	struct ims_iova_info info;
	struct ims_iova r;
	uint64_t n = 0, pfn, dup = 0, s = tap_seed(0xe4a);

	ims_iova_domain_create(&d, 1u << 20, 1);
	while ((pfn = ims_iova_alloc_fast(d, 1, SPACE, true)) != 0 && n <= SPACE)
		pfns[n++] = pfn;
	is_int(n, SPACE, "alloc_iova_fast(1) hands out every pfn 1..0xfff, then 0");
	for (uint64_t i = 0; i < n; i++)
		dup += pfns[i] != SPACE - i;
	is_int(dup, 0, "top-down, one by one");
	is_int(ims_iova_alloc(d, 1, SPACE, false, &r), -ENOMEM, "alloc_iova fails cleanly");
	for (uint64_t i = 0; i < n; i++)
		ims_iova_free_fast(d, pfns[i], 1);
	ims_iova_get_info(d, &info);
	ok(info.nodes == SPACE && info.cached_pfns == SPACE,
	   "free_iova_fast caches all %d (nodes %llu, cached %llu)", SPACE,
	   (unsigned long long)info.nodes, (unsigned long long)info.cached_pfns);
	is_int(info.depot_mags, (SPACE - 2 * IMS_IOVA_MAG_SIZE - 1) / IMS_IOVA_MAG_SIZE + 1,
	       "full magazines beyond loaded and prev went to the depot");
	is_int(ims_iova_check(d), 0, "the domain is consistent");
	is_hex(ims_iova_alloc_fast(d, 2, SPACE, false), 0, "size 2 without flush: nothing fits");
	is_hex(ims_iova_alloc_fast(d, 2, SPACE, true), SPACE - 1,
	       "size 2 with flush_rcache: caches flushed, then 0xffe");
	ims_iova_get_info(d, &info);
	ok(info.nodes == 1 && info.cached_pfns == 0, "the flush emptied every magazine");
	ims_iova_free_fast(d, SPACE - 1, 2);
	ims_iova_flush_rcaches(d);
	same_as_fresh(d, "after exhausting the rcache path");

	/* The tree path: random sizes until the space is full, then free all. */
	n = 0;
	for (int fails = 0; fails < 64 && n <= SPACE;) {
		uint64_t size = 1 + tap_rand(&s) % 64;

		if (ims_iova_alloc(d, size, SPACE, tap_rand(&s) & 1, &r) == 0)
			pfns[n++] = r.pfn_lo;
		else
			fails++;
	}
	while (n <= SPACE && ims_iova_alloc(d, 1, SPACE, false, &r) == 0)
		pfns[n++] = r.pfn_lo;
	ims_iova_get_info(d, &info);
	ok(n > 64 && info.nodes == n, "alloc_iova until even size 1 fails (%llu ranges)",
	   (unsigned long long)n);
	is_int(ims_iova_alloc(d, 1, SPACE, false, &r), -ENOMEM, "the last pfn is gone");
	is_int(ims_iova_alloc(d, 1, 2 * SPACE + 1, false, &r), 0, "a 64-bit limit still works");
	pfns[n++] = r.pfn_lo;
	for (uint64_t i = 0; i < n; i++)
		ims_iova_free(d, pfns[(i * 7919) % n]);
	same_as_fresh(d, "after exhausting the tree path");
	ims_iova_domain_destroy(d);
	return tap_done();
}
