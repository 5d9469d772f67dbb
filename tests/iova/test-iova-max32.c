/* SPDX-License-Identifier: MIT */
/*
 * The 32-bit fast-fail: after a failure, max32_alloc_size makes requests of
 * that size or larger fail at once for limits within 32 bits, until a range
 * below dma_32bit_pfn is freed.
 */
#include "../tap.h"
#include "iommusim/iova.h"

static uint64_t max32(struct ims_iova_domain *d)
{
	struct ims_iova_info info;

	ims_iova_get_info(d, &info);
	return info.max32_alloc_size;
}

int main(void)
{
	struct ims_iova_domain *d;
	struct ims_iova r, low;

	/* 1M granule, start_pfn 1: the 32-bit space is pfns 1..0xfff. */
	ims_iova_domain_create(&d, 1u << 20, 1);
	is_int(ims_iova_alloc(d, 4091, 0xfff, false, &r), 0, "fill all but 4 pfns");
	is_hex(r.pfn_lo, 5, "leaving 1..4 free");
	is_int(ims_iova_alloc(d, 8, 0xfff, false, &r), -ENOMEM, "alloc 8 fails");
	is_int(max32(d), 8, "max32_alloc_size = 8");
	is_int(ims_iova_alloc(d, 16, 0xfff, false, &r), -ENOMEM, "alloc 16 fails");
	is_int(max32(d), 8, "without a search: max32_alloc_size stays 8");
	is_int(ims_iova_alloc(d, 4, 0xfff, false, &low), 0, "alloc 4 (below max32) is tried");
	is_hex(low.pfn_lo, 1, "and fits in the hole at 1");
	is_int(ims_iova_alloc(d, 1, 0x1fff, false, &r), 0, "a 64-bit limit is not fast-failed");
	is_hex(r.pfn_lo, 0x1fff, "and goes above 4 GiB");
	is_int(ims_iova_alloc(d, 5000, 0x1fff, false, &r), -ENOMEM, "a 64-bit failure..");
	is_int(max32(d), 5000, "..sets max32_alloc_size too (as 6.12 does)");
	is_int(ims_iova_free(d, 0x1fff), 0, "free the range above 4 GiB");
	is_int(max32(d), 5000, "does not reset max32_alloc_size");
	is_int(ims_iova_alloc(d, 1, 0xfff, false, &r), -ENOMEM, "alloc 1 in the full 32-bit space");
	is_int(max32(d), 1, "max32_alloc_size = 1");
	is_int(ims_iova_alloc(d, 1, 0xfff, false, &r), -ENOMEM, "now everything fails fast");
	is_int(ims_iova_free(d, 1), 0, "free the range at 1");
	is_int(max32(d), 0x1000, "resets max32_alloc_size to dma_32bit_pfn");
	is_int(ims_iova_alloc(d, 4, 0xfff, true, &r), -ENOMEM,
	       "alloc 4 size-aligned does not fit the hole 1..4");
	is_int(max32(d), 4, "max32_alloc_size = 4");
	is_int(ims_iova_alloc(d, 3, 0xfff, false, &r), 0, "alloc 3 is tried");
	is_hex(r.pfn_lo, 2, "and takes 2..4");
	is_hex(ims_iova_alloc_fast(d, 1, 0xfff, false), 1, "alloc_iova_fast 1 -> 1");
	is_hex(ims_iova_alloc_fast(d, 1, 0xfff, false), 0, "then the 32-bit space is full");
	is_int(max32(d), 1, "max32_alloc_size = 1");
	is_hex(ims_iova_alloc_fast(d, 1, 0x1fff, false), 0x1fff, "a 64-bit limit still allocates");
	is_int(ims_iova_check(d), 0, "the domain is consistent");
	ims_iova_domain_destroy(d);
	return tap_done();
}
