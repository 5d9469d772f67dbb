/* SPDX-License-Identifier: MIT */
/*
 * reserve_iova(): merging with and extending existing ranges
 * (__adjust_overlap_range), reservations that split the space, and
 * allocation around them, checked against iova-ref.h.
 */
#include "../tap.h"
#include "iommusim/iova.h"
#include "iova-ref.h"

static void check_range(struct ims_iova_domain *d, uint64_t pfn, uint64_t lo, uint64_t hi,
			const char *what)
{
	struct ims_iova r = { 0, 0 };

	ok(ims_iova_find(d, pfn, &r) == 0 && r.pfn_lo == lo && r.pfn_hi == hi,
	   "%s: [%#llx, %#llx] (got [%#llx, %#llx])", what, (unsigned long long)lo,
	   (unsigned long long)hi, (unsigned long long)r.pfn_lo, (unsigned long long)r.pfn_hi);
}

static uint64_t nodes(struct ims_iova_domain *d)
{
	struct ims_iova_info info;

	ims_iova_get_info(d, &info);
	return info.nodes;
}

static void merging(void)
{
	struct ims_iova_domain *d;
	struct ims_iova r;

	ims_iova_domain_create(&d, 4096, 1);
	is_int(ims_iova_reserve(d, 0x100, 0x1ff, &r), 0, "reserve [0x100, 0x1ff]");
	is_hex(r.pfn_lo, 0x100, "a new node");
	is_int(ims_iova_reserve(d, 0x150, 0x180, &r), 0, "reserve inside it");
	ok(r.pfn_lo == 0x100 && r.pfn_hi == 0x1ff && nodes(d) == 1,
	   "returns the covering node, adds none");
	is_int(ims_iova_reserve(d, 0x80, 0x120, &r), 0, "reserve across its bottom");
	ok(r.pfn_lo == 0x80 && r.pfn_hi == 0x1ff && nodes(d) == 1, "the node is extended down");
	is_int(ims_iova_reserve(d, 0x1f0, 0x2ff, &r), 0, "reserve across its top");
	ok(r.pfn_lo == 0x200 && r.pfn_hi == 0x2ff && nodes(d) == 2,
	   "the part above becomes a new node");
	check_range(d, 0x1f0, 0x80, 0x1ff, "the lower node is unchanged");

	/* [10,20] [30,40] + [5,35] -> [5,20] [21,40] */
	ims_iova_reserve(d, 10, 20, NULL);
	ims_iova_reserve(d, 30, 40, NULL);
	is_int(ims_iova_reserve(d, 5, 35, &r), 0, "reserve [5, 35] over [10,20] and [30,40]");
	ok(r.pfn_lo == 21 && r.pfn_hi == 40, "returns the second node, now [21, 40]");
	check_range(d, 5, 5, 20, "the first node grew down to 5");
	is_int(nodes(d), 4, "no node was added");
	/* [50,60] [70,80] + [45,100]: extends both, adds [81,100] */
	ims_iova_reserve(d, 50, 60, NULL);
	ims_iova_reserve(d, 70, 80, NULL);
	is_int(ims_iova_reserve(d, 45, 100, &r), 0, "reserve [45, 100] over two nodes");
	ok(r.pfn_lo == 81 && r.pfn_hi == 100, "the rest above them is a new node [81, 100]");
	check_range(d, 45, 45, 60, "[45, 60]");
	check_range(d, 61, 61, 80, "[61, 80]");

	is_int(ims_iova_reserve(d, 0, (1ULL << 52) - 1, NULL), 0, "reserve up to ULLONG_MAX >> 12");
	is_int(ims_iova_reserve(d, 0, 1ULL << 52, NULL), -EINVAL, "beyond it is refused");
	is_int(ims_iova_reserve(d, 9, 8, NULL), -EINVAL, "pfn_lo > pfn_hi is refused");
	is_int(ims_iova_check(d), 0, "the domain is consistent");
	ims_iova_domain_destroy(d);
}

static void around(void)
{
	struct ims_iova_domain *d;
	struct ref_dom ref;
	struct ims_iova r;
	int n = 0, diff = 0, overlap = 0;

	/* 1M granule: the 32-bit space is 4096 pfns. */
	ims_iova_domain_create(&d, 1u << 20, 1);
	ref_init(&ref, 1u << 20, 1);
	ims_iova_reserve(d, 0xf00, 0xfff, NULL);
	ref_reserve(&ref, 0xf00, 0xfff);
	is_int(ims_iova_alloc(d, 16, 0xfff, true, &r), 0, "alloc 16 under a reserved top");
	is_hex(r.pfn_lo, 0xef0, "lands right below the reservation");
	ref_alloc(&ref, 16, 0xfff, true);
	ims_iova_reserve(d, 0x800, 0x8ff, NULL);
	ref_reserve(&ref, 0x800, 0x8ff);
	ims_iova_reserve(d, 0x100, 0x17f, NULL);
	ref_reserve(&ref, 0x100, 0x17f);
	for (;;) {
		int ret = ims_iova_alloc(d, 0x30, 0xfff, false, &r);
		uint64_t want = ref_alloc(&ref, 0x30, 0xfff, false);

		if (ret) {
			diff += want != ~0ULL;
			break;
		}
		n++;
		diff += r.pfn_lo != want;
		overlap += (r.pfn_hi >= 0x800 && r.pfn_lo <= 0x8ff) ||
			   (r.pfn_hi >= 0x100 && r.pfn_lo <= 0x17f) || r.pfn_hi >= 0xef0;
	}
	is_int(n, (0xef0 - 0x900) / 0x30 + (0x800 - 0x180) / 0x30 + (0x100 - 1) / 0x30,
	       "fills each piece of the split space");
	is_int(overlap, 0, "no range overlaps a reservation");
	is_int(diff, 0, "every pfn equals Linux's");

	/* A reservation over an allocated range extends that range's node. */
	ims_iova_free(d, 0xef0);
	is_int(ims_iova_alloc(d, 4, 0xeff, false, &r), 0, "alloc 4 at the top again");
	is_hex(r.pfn_lo, 0xefc, "at 0xefc");
	ims_iova_reserve(d, 0xef0, 0xefd, &r);
	ok(r.pfn_lo == 0xef0 && r.pfn_hi == 0xeff, "reserving across it extends it to 0xef0");
	is_int(ims_iova_free(d, 0xefc), 0, "freeing the allocation..");
	is_int(ims_iova_find(d, 0xef0, NULL), -ENOENT,
	       "..frees the reservation with it (as Linux)");
	is_int(ims_iova_check(d), 0, "the domain is consistent");
	ref_destroy(&ref);
	ims_iova_domain_destroy(d);
}

int main(void)
{
	merging();
	around();
	return tap_done();
}
