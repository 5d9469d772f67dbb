/* SPDX-License-Identifier: MIT */
/*
 * ims_iova_fuzz_one(): decode bytes into allocator calls and check each
 * result against a bitmap of what the caller holds.
 *
 * The domain has a 1 MiB granule, so the 32-bit space is 4096 pfns and the
 * limits drawn (below 8192) exercise both cached-node hints.  Each operation
 * is four bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "iova-internal.h"
#include "util/log.h"

#define FZ_PFNS 8192u
#define FZ_MAX_OPS 4096u

struct fz_held {
	uint64_t pfn, size;
	bool fast;
};

struct fz_state {
	struct ims_iova_domain *iovad;
	uint8_t held[FZ_PFNS / 8];
	struct fz_held *live;
	size_t nlive;
	uint64_t start_pfn;
};

static bool fz_test(const struct fz_state *st, uint64_t pfn)
{
	return pfn < FZ_PFNS && (st->held[pfn / 8] >> (pfn % 8)) & 1;
}

static void fz_mark(struct fz_state *st, uint64_t pfn, uint64_t size, bool set)
{
	for (uint64_t p = pfn; p < pfn + size && p < FZ_PFNS; p++) {
		if (set)
			st->held[p / 8] |= (uint8_t)(1u << (p % 8));
		else
			st->held[p / 8] &= (uint8_t) ~(1u << (p % 8));
	}
}

/* A new range [pfn, pfn + size): in bounds, aligned, covered by one node, not held. */
static int fz_check_new(struct fz_state *st, uint64_t pfn, uint64_t size, uint64_t align,
			uint64_t limit_pfn)
{
	struct ims_iova node;

	if (pfn < st->start_pfn || pfn + size - 1 > limit_pfn || pfn + size > FZ_PFNS)
		return ims_error(-EFAULT, "iova fuzz: [%#llx +%llu] outside [%#llx, %#llx]",
				 (unsigned long long)pfn, (unsigned long long)size,
				 (unsigned long long)st->start_pfn, (unsigned long long)limit_pfn);
	if (pfn & (align - 1))
		return ims_error(-EFAULT, "iova fuzz: pfn %#llx not %llu-aligned",
				 (unsigned long long)pfn, (unsigned long long)align);
	if (ims_iova_find(st->iovad, pfn, &node) || node.pfn_hi < pfn + size - 1)
		return ims_error(-EFAULT, "iova fuzz: pfn %#llx has no node covering it",
				 (unsigned long long)pfn);
	for (uint64_t p = pfn; p < pfn + size; p++)
		if (fz_test(st, p))
			return ims_error(-EFAULT, "iova fuzz: pfn %#llx handed out twice",
					 (unsigned long long)p);
	return 0;
}

static uint64_t fz_roundup(uint64_t size)
{
	return size <= 1 ? 1 : 1ULL << (64 - __builtin_clzll(size - 1));
}

static int fz_run(struct fz_state *st, const uint8_t *data, size_t len)
{
	size_t nops = len / 4;
	int ret = 0;

	if (nops > FZ_MAX_OPS)
		nops = FZ_MAX_OPS;
	for (size_t k = 0; k < nops && !ret; k++) {
		const uint8_t *b = data + 4 * k;
		uint64_t limit = ((uint64_t)b[2] | (uint64_t)b[3] << 8) % FZ_PFNS;
		struct ims_iova iova;
		uint64_t size, pfn;

		switch (b[0] & 7) {
		case 0: /* alloc_iova */
			size = 1 + b[1] % 64;
			if (!ims_iova_alloc(st->iovad, size, limit, b[0] & 8, &iova)) {
				ret = fz_check_new(st, iova.pfn_lo, size,
						   (b[0] & 8) ? fz_roundup(size) : 1, limit);
				if (ret)
					break;
				fz_mark(st, iova.pfn_lo, size, true);
				st->live[st->nlive++] =
					(struct fz_held){ iova.pfn_lo, size, false };
			}
			break;
		case 1: /* alloc_iova_fast */
			size = 1 + b[1] % 48;
			pfn = ims_iova_alloc_fast(st->iovad, size, limit, b[0] & 8);
			if (pfn) {
				uint64_t held = size < 32 ? fz_roundup(size) : size;

				/* The kernel's magazine check wraps for a limit below the size. */
				ret = fz_check_new(st, pfn, held, fz_roundup(size),
						   limit + 1 < held ? FZ_PFNS - 1 : limit);
				if (ret)
					break;
				fz_mark(st, pfn, held, true);
				st->live[st->nlive++] = (struct fz_held){ pfn, size, true };
			}
			break;
		case 2: /* free_iova_fast / free_iova of something held */
		case 3:
			if (st->nlive) {
				size_t i = (b[1] | (size_t)b[2] << 8) % st->nlive;
				struct fz_held h = st->live[i];
				uint64_t held = h.fast && h.size < 32 ? fz_roundup(h.size) : h.size;

				st->live[i] = st->live[--st->nlive];
				fz_mark(st, h.pfn, held, false);
				if (h.fast && (b[0] & 7) == 2)
					ims_iova_free_fast(st->iovad, h.pfn, h.size);
				else if (ims_iova_free(st->iovad, h.pfn))
					ret = ims_error(-EFAULT,
							"iova fuzz: held pfn %#llx not in the tree",
							(unsigned long long)h.pfn);
			}
			break;
		case 4: /* reserve_iova, only where nothing is held */
			pfn = ((uint64_t)b[1] | (uint64_t)b[2] << 8) % FZ_PFNS;
			size = 1 + b[3] % 16;
			for (uint64_t p = pfn; p < pfn + size; p++)
				if (fz_test(st, p))
					size = 0;
			if (size && ims_iova_reserve(st->iovad, pfn, pfn + size - 1, &iova))
				ret = ims_error(-EFAULT, "iova fuzz: reserve failed");
			break;
		case 5:
			ims_iova_flush_rcaches(st->iovad);
			break;
		case 6:
			ims_iova_free_cpu_cached(st->iovad);
			break;
		default:
			ims_iova_depot_reclaim(st->iovad);
			break;
		}
		if (!ret && (k % 16 == 15 || k + 1 == nops))
			ret = ims_iova_check(st->iovad);
	}
	return ret;
}

int ims_iova_fuzz_one(const uint8_t *data, size_t len)
{
	struct fz_state *st;
	int ret;

	if (!data && len)
		return -EINVAL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->live = calloc(FZ_MAX_OPS, sizeof(*st->live));
	st->start_pfn = len ? data[0] % 4 : 1;
	ret = st->live ? ims_iova_domain_create(&st->iovad, 1u << 20, st->start_pfn) : -ENOMEM;
	if (!ret)
		ret = fz_run(st, len ? data + 1 : data, len ? len - 1 : 0);
	ims_iova_domain_destroy(st->iovad);
	free(st->live);
	free(st);
	return ret;
}
