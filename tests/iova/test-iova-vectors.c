/* SPDX-License-Identifier: MIT */
/*
 * The IOVA test vectors of linux-semantics.md §10.7 and the domain basics
 * (init_iova_domain, find_iova, free_iova, __free_iova).
 */
#include "../tap.h"
#include "iommusim/iova.h"

static void vectors(void)
{
	struct ims_iova_domain *d;
	struct ims_iova_info info;
	struct ims_iova iova;
	uint64_t a, b, c;

	is_int(ims_iova_domain_create(&d, 4096, 1), 0, "init_iova_domain(4K, start_pfn 1)");
	ims_iova_get_info(d, &info);
	is_hex(info.dma_32bit_pfn, 0x100000, "dma_32bit_pfn = 1 << (32 - 12)");
	is_hex(info.max32_alloc_size, 0x100000, "max32_alloc_size starts at dma_32bit_pfn");
	is_hex(info.cached32.pfn_lo, IMS_IOVA_ANCHOR, "cached32_node starts at the anchor");
	is_hex(info.cached.pfn_lo, IMS_IOVA_ANCHOR, "cached_node starts at the anchor");

	a = ims_iova_alloc_fast(d, 1, 0xfffff, true);
	is_hex(a, 0xfffff, "alloc 1 -> 0xfffff");
	b = ims_iova_alloc_fast(d, 1, 0xfffff, true);
	is_hex(b, 0xffffe, "alloc 1 -> 0xffffe");
	c = ims_iova_alloc_fast(d, 3, 0xfffff, true);
	is_hex(c, 0xffff8, "alloc 3 (rounded to 4, 4-aligned) -> 0xffff8");
	is_int(ims_iova_find(d, 0xffffb, &iova), 0, "find_iova(0xffffb)");
	is_hex(iova.pfn_lo, 0xffff8, "the size-3 request holds 0xffff8..");
	is_hex(iova.pfn_hi, 0xffffb, "..0xffffb");

	ims_iova_free_fast(d, 0xffffe, 1);
	is_int(ims_iova_find(d, 0xffffe, &iova), 0, "free_iova_fast keeps the node in the tree");
	ims_iova_get_info(d, &info);
	is_int(info.cached_pfns, 1, "and caches its pfn");
	is_hex(ims_iova_alloc_fast(d, 1, 0xfffff, true), 0xffffe, "alloc 1 -> rcache hit 0xffffe");
	ims_iova_get_info(d, &info);
	is_int(info.cached_pfns, 0, "the magazine is empty again");
	is_hex(info.cached32.pfn_lo, 0xffff8, "cached32 is the node at 0xffff8");

	a = ims_iova_alloc_fast(d, 40, 0xfffff, true);
	is_hex(a, 0xfffc0, "alloc 40 (not rounded, 64-aligned) -> 0xfffc0");
	is_int(ims_iova_find(d, 0xfffc0, &iova), 0, "find_iova(0xfffc0)");
	is_hex(iova.pfn_hi, 0xfffe7, "the size-40 range ends at 0xfffe7");
	is_int(ims_iova_find(d, 0xfffe8, NULL), -ENOENT, "0xfffe8 is free");

	/* free_iova_fast of an uncached size frees the node at once. */
	ims_iova_free_fast(d, 0xfffc0, 40);
	is_int(ims_iova_find(d, 0xfffc0, NULL), -ENOENT, "size 40 is never cached: freed");
	ims_iova_get_info(d, &info);
	is_hex(info.cached32.pfn_lo, 0xffff8, "freeing below cached32 moves it to rb_next");
	ims_iova_domain_destroy(d);
}

/*
 * __iova_rcache_get() bounds: the topmost cached pfn at or below
 * limit_pfn + 1 - size (unsigned) is taken and swap-removed.  These reach
 * past the top-of-magazine shortcut into the general path.
 */
static void rcache_bounds(void)
{
	struct ims_iova_domain *d;
	struct ims_iova_info info;
	uint64_t a, b;

	ims_iova_domain_create(&d, 4096, 1);
	a = ims_iova_alloc_fast(d, 1, 0xfffff, false);
	b = ims_iova_alloc_fast(d, 1, 0xfffff, false);
	ims_iova_free_fast(d, b, 1); /* the magazine holds b, a (a on top) */
	ims_iova_free_fast(d, a, 1);
	is_hex(ims_iova_alloc_fast(d, 1, 0xffffe, false), b,
	       "limit below the top pfn: the one under it is taken");
	ims_iova_get_info(d, &info);
	is_int(info.cached_pfns, 1, "one pfn left in the magazine");
	is_hex(ims_iova_alloc_fast(d, 1, 0xffffd, false), 0xffffd,
	       "no cached pfn fits: the tree allocates below the limit");
	ims_iova_get_info(d, &info);
	is_int(info.cached_pfns, 1, "and the magazine is untouched");
	is_hex(ims_iova_alloc_fast(d, 1, IMS_IOVA_ANCHOR, false), 0,
	       "limit_pfn ~0 is refused even with a cached pfn");
	is_hex(ims_iova_alloc_fast(d, 1, 0xfffff, false), a, "the top pfn fits the full limit");

	/* Kernel quirk: limit_pfn + 1 - size wraps, so any cached pfn fits. */
	a = ims_iova_alloc_fast(d, 4, 0xfffff, false);
	is_hex(a, 0xffff8, "alloc 4 -> 0xffff8");
	ims_iova_free_fast(d, a, 4);
	is_hex(ims_iova_alloc_fast(d, 4, 2, false), a,
	       "limit 2 < size 4: the cached pfn is returned");
	ims_iova_free_fast(d, a, 3);
	is_hex(ims_iova_alloc_fast(d, 3, 0xfffff, false), a, "size 3 shares the size-4 class");
	is_int(ims_iova_check(d), 0, "the domain is consistent");
	ims_iova_domain_destroy(d);
}

static void basics(void)
{
	struct ims_iova_domain *d;
	struct ims_iova_info info;
	struct ims_iova iova, r;

	is_int(ims_iova_domain_create(&d, 3000, 0), -EINVAL, "granule 3000 is refused");
	is_int(ims_iova_domain_create(&d, 256, 0), -EINVAL, "granule 256 is refused");
	is_int(ims_iova_domain_create(&d, 65536, 0), 0, "granule 64K");
	ims_iova_get_info(d, &info);
	is_hex(info.dma_32bit_pfn, 0x10000, "64K granule: dma_32bit_pfn 0x10000");
	is_int(ims_iova_alloc(d, 0, 0xffff, false, &iova), -EINVAL, "size 0 is refused");
	is_int(ims_iova_alloc(d, 1, IMS_IOVA_ANCHOR, false, &iova), -EINVAL,
	       "limit_pfn ~0 is refused");
	is_hex(ims_iova_alloc_fast(d, 0, 0xffff, true), 0, "alloc_iova_fast of size 0 gives 0");

	/* 64-bit limit: the range goes under the limit and updates cached_node. */
	is_int(ims_iova_alloc(d, 5, 0xfffffff, false, &iova), 0, "alloc 5 below a 64-bit limit");
	is_hex(iova.pfn_lo, 0xffffffb, "unaligned: ends at the limit");
	ims_iova_get_info(d, &info);
	is_hex(info.cached.pfn_lo, 0xffffffb, "cached_node follows 64-bit allocations");
	is_hex(info.cached32.pfn_lo, IMS_IOVA_ANCHOR, "cached32_node does not");
	is_int(ims_iova_alloc(d, 5, 0xfffffff, true, &r), 0, "alloc 5 size-aligned");
	is_hex(r.pfn_lo, 0xffffff0, "aligned to 8 below the previous range");

	/* __free_iova needs the exact range; free_iova any pfn in it. */
	r.pfn_hi++;
	is_int(ims_iova_free_range(d, &r), -ENOENT, "__free_iova with a wrong end is refused");
	r.pfn_hi--;
	is_int(ims_iova_free_range(d, &r), 0, "__free_iova of the exact range");
	is_int(ims_iova_free(d, 0xffffffd), 0, "free_iova by an inner pfn");
	is_int(ims_iova_free(d, 0xffffffd), -ENOENT, "a second free finds nothing");
	is_int(ims_iova_free(d, IMS_IOVA_ANCHOR), -ENOENT, "the anchor cannot be freed");
	is_int(ims_iova_find(d, IMS_IOVA_ANCHOR, NULL), -ENOENT, "nor found");
	ims_iova_get_info(d, &info);
	is_int(info.nodes, 0, "the tree is empty");
	is_hex(info.cached.pfn_lo, IMS_IOVA_ANCHOR, "cached_node is back at the anchor");
	is_int(ims_iova_check(d), 0, "the domain is consistent");
	ims_iova_domain_destroy(d);
	ims_iova_domain_destroy(NULL);

	/* No domain: every call refuses, none dereferences it. */
	is_int(ims_iova_alloc(NULL, 1, 0xffff, false, &iova), -EINVAL, "alloc_iova(NULL)");
	is_hex(ims_iova_alloc_fast(NULL, 1, 0xffff, false), 0, "alloc_iova_fast(NULL)");
	ims_iova_free_fast(NULL, 1, 1);
	is_int(ims_iova_find(NULL, 1, &iova), -EINVAL, "find_iova(NULL)");
	is_int(ims_iova_free(NULL, 1), -EINVAL, "free_iova(NULL)");
	is_int(ims_iova_free_range(NULL, &r), -EINVAL, "__free_iova(NULL)");
	is_int(ims_iova_reserve(NULL, 1, 2, &iova), -EINVAL, "reserve_iova(NULL)");
	is_int(ims_iova_check(NULL), -EINVAL, "check(NULL)");
	info.nodes = 7;
	ims_iova_get_info(NULL, &info);
	is_int(info.nodes, 0, "get_info(NULL) zeroes the snapshot");
}

int main(void)
{
	vectors();
	rcache_bounds();
	basics();
	return tap_done();
}
